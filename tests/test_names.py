import pytest

from cluster_profiles.errors import UnknownClusterError
from cluster_profiles.names import (
    VIA_MAKE,
    Match,
    also_named,
    city_parts,
    list_hint,
    match_cluster,
    name_key,
    resolve_cluster,
    slug,
)

KNOWN = ["Hefei", "Shenzhen–Hong Kong–Guangzhou", "San Jose–San Francisco, CA", "São Paulo", "Xi'an"]


@pytest.mark.parametrize("typed, expected", [
    ("Hefei", "Hefei"),
    ("hefei", "Hefei"),
    ("  HEFEI ", "Hefei"),
    ("shenzhen-hong kong-guangzhou", "Shenzhen–Hong Kong–Guangzhou"),
    ("Shenzhen - Hong Kong - Guangzhou", "Shenzhen–Hong Kong–Guangzhou"),
    ("Shenzhen—Hong Kong—Guangzhou", "Shenzhen–Hong Kong–Guangzhou"),
    ("sao paulo", "São Paulo"),
    ("san-jose-san-francisco-ca", "San Jose–San Francisco, CA"),
    ("xi'an", "Xi'an"),
])
def test_spellings_resolve(typed, expected):
    assert resolve_cluster(typed, KNOWN, 2024) == expected


def test_typo_suggests_the_closest_name():
    with pytest.raises(UnknownClusterError, match=r"Unknown cluster 'Hefie' in GII 2024\. Did you mean 'Hefei'\?"):
        resolve_cluster("Hefie", KNOWN, 2024)


def test_nothing_close_points_to_the_list_command():
    with pytest.raises(UnknownClusterError, match="cluster-profiles list --edition 2023"):
        resolve_cluster("Atlantis", KNOWN, 2023)


def test_a_very_long_name_is_shortened_in_the_message():
    with pytest.raises(UnknownClusterError) as caught:
        resolve_cluster("x" * 10_000, KNOWN, 2024)
    assert len(str(caught.value)) < 300


@pytest.mark.parametrize("name, expected", [
    ("Hefei", "hefei"),
    ("Shenzhen–Hong Kong–Guangzhou", "shenzhen-hong-kong-guangzhou"),
    ("São Paulo", "sao-paulo"),
    ("../../etc/passwd", "etc-passwd"),
    ("<script>alert(1)</script>", "script-alert-1-script"),
])
def test_slug_is_file_name_safe(name, expected):
    assert slug(name) == expected
    assert "/" not in slug(name) and ".." not in slug(name)


def test_slug_of_a_name_without_letters_is_an_error():
    with pytest.raises(UnknownClusterError):
        slug("../..")


def test_name_key_ignores_case_accents_and_dashes():
    assert name_key("Tokyo–Yokohama") == name_key("tokyo-yokohama") == "tokyo-yokohama"


# ------------------------------------------------------------------ names as people type them
# made-up names: each shape the lookup must handle, none of it read from data/
CITIES = ["Tokyo–Yokohama", "Osaka–Kobe–Kyoto", "Shenzhen–Hong Kong–Guangzhou", "San Jose–San Francisco, CA",
          "San Diego, CA", "Boston–Cambridge, MA", "Cambridge", "Washington, DC–Baltimore, MD", "Frankfurt am Main",
          "Düsseldorf", "São Paulo", "Porto Alegre", "Xi'an", "Alpha–Beta", "Beta–Gamma"]


@pytest.fixture(autouse=True)
def _not_via_make(monkeypatch):
    monkeypatch.delenv(VIA_MAKE, raising=False)  # `make check` runs these tests: the console hint is the default


@pytest.mark.parametrize("name, parts", [
    ("Tokyo–Yokohama", ["Tokyo", "Yokohama"]),
    ("San Jose–San Francisco, CA", ["San Jose", "San Francisco"]),
    ("Washington, DC–Baltimore, MD", ["Washington", "Baltimore"]),
    ("Frankfurt am Main", ["Frankfurt am Main"]),
    ("Chicago, IL", ["Chicago"]),
    ("Heidelberg-Mannheim", ["Heidelberg", "Mannheim"]),
    ("Xi'an", ["Xi'an"]),
])
def test_city_parts_split_at_dashes_and_drop_state_codes(name, parts):
    assert city_parts(name) == parts


@pytest.mark.parametrize("typed, expected", [
    ("Tokyo", "Tokyo–Yokohama"),
    ("yokohama", "Tokyo–Yokohama"),
    ("Kyoto", "Osaka–Kobe–Kyoto"),
    ("Hong Kong", "Shenzhen–Hong Kong–Guangzhou"),
    ("hongkong", "Shenzhen–Hong Kong–Guangzhou"),
    ("San Jose", "San Jose–San Francisco, CA"),
    ("san francisco, ca", "San Jose–San Francisco, CA"),
    ("Boston", "Boston–Cambridge, MA"),
    ("Washington DC", "Washington, DC–Baltimore, MD"),
    ("Baltimore", "Washington, DC–Baltimore, MD"),
    ("Tokyo Yokohama", "Tokyo–Yokohama"),
    ("Ｔｏｋｙｏ", "Tokyo–Yokohama"),  # full-width letters
    ("Dusseldorf", "Düsseldorf"),
    ("DÜSSELDORF", "Düsseldorf"),
    ("Sao Paulo", "São Paulo"),
    ("SÃO PAULO", "São Paulo"),
    ("Xian", "Xi'an"),
    ("Xi’an", "Xi'an"),
    ("深圳", "Shenzhen–Hong Kong–Guangzhou"),  # another script, transliterated
    ("Cambridge", "Cambridge"),  # a full name wins over a city of another name
])
def test_a_city_of_one_name_or_another_spelling_resolves(typed, expected):
    assert resolve_cluster(typed, CITIES, 2024) == expected


def test_a_full_name_that_is_also_a_city_of_another_says_which():
    assert also_named("cambridge", CITIES) == ("Boston–Cambridge, MA",)
    assert also_named("Tokyo", CITIES) == also_named("Boston", CITIES) == also_named("Atlantis", CITIES) == ()


def test_a_city_in_two_names_is_an_error_listing_both():
    with pytest.raises(UnknownClusterError, match=r"Cluster 'Beta' is ambiguous in GII 2024: it may be "
                                                  r"'Alpha–Beta' or 'Beta–Gamma'\. Give the full name\."):
        resolve_cluster("Beta", CITIES, 2024)
    assert match_cluster("Beta", CITIES) == Match(("Alpha–Beta", "Beta–Gamma"), True)


@pytest.mark.parametrize("typed, expected", [
    ("Frankfurt", ["Frankfurt am Main"]),  # leading words
    ("Porto", ["Porto Alegre"]),  # not Porto in Portugal: a guess to confirm, never a silent pick
    ("Shenz", ["Shenzhen–Hong Kong–Guangzhou"]),  # leading letters
    ("Francisco", ["San Jose–San Francisco, CA"]),  # a later word
    ("Shenzen", ["Shenzhen–Hong Kong–Guangzhou"]),  # near spellings
    ("Frankfort", ["Frankfurt am Main"]),
    ("Yokohma", ["Tokyo–Yokohama"]),
    ("Sao Paolo", ["São Paulo"]),
    ("Porot", ["Porto Alegre"]),  # a near spelling of its leading letters
])
def test_a_prefix_or_a_near_spelling_is_suggested_not_picked(typed, expected):
    found = match_cluster(typed, CITIES)
    assert not found.certain and list(found.names[:len(expected)]) == expected
    with pytest.raises(UnknownClusterError, match=f"Did you mean '{expected[0]}'"):
        resolve_cluster(typed, CITIES, 2024)


def test_a_prefix_shared_by_several_lists_them_all():
    found = match_cluster("San", CITIES)
    assert {"San Jose–San Francisco, CA", "San Diego, CA"} <= set(found.names[:2])
    with pytest.raises(UnknownClusterError, match=r"Did you mean 'San Jose–San Francisco, CA' or 'San Diego, CA'\?"):
        resolve_cluster("San", CITIES, 2024)


def test_a_long_candidate_list_is_cut_and_says_how_many_more():
    many = [f"Alpha {n}" for n in range(20)]
    with pytest.raises(UnknownClusterError) as caught:
        resolve_cluster("Alpha", many, 2024)
    assert "'Alpha 7' or 12 more?" in str(caught.value) and "'Alpha 8'" not in str(caught.value)


def test_a_guess_in_another_edition_says_where_it_is():
    names = {2024: ["Tokyo–Yokohama"], 2025: ["Tokyo–Yokohama", "Frankfurt am Main"]}
    with pytest.raises(UnknownClusterError, match=r"Unknown cluster 'Frankfort' in GII 2024\. Did you mean "
                                                  r"'Frankfurt am Main'\? It is in 2025, not in 2024\."):
        resolve_cluster("Frankfort", names[2024], 2024, names)
    with pytest.raises(UnknownClusterError, match="Frankfurt am Main is in 2025, not in 2024"):
        resolve_cluster("frankfurt am main", names[2024], 2024, names)


@pytest.mark.parametrize("typed", ["", "   ", "!!!", "–", "../../", "\x00"])
def test_nothing_to_match_is_an_unknown_cluster(typed):
    assert match_cluster(typed, CITIES).names == ()
    with pytest.raises(UnknownClusterError, match="Unknown cluster"):
        resolve_cluster(typed, CITIES, 2024)


def test_the_hint_names_make_list_when_the_user_came_through_make(monkeypatch):
    monkeypatch.setenv(VIA_MAKE, "1")
    with pytest.raises(UnknownClusterError) as caught:
        resolve_cluster("Atlantis", KNOWN, 2023)
    assert "`make list EDITION=2023` lists the clusters" in str(caught.value)
    assert "cluster-profiles" not in str(caught.value)
    assert "report.list_clusters(2023)" in caught.value.notebook_message()  # a notebook is not make
    monkeypatch.delenv(VIA_MAKE)
    assert list_hint(2023) == "`cluster-profiles list --edition 2023` lists the clusters of that edition."


@pytest.mark.parametrize("via_make, option", [(True, 'CLUSTER="Boston–Cambridge, MA"'),
                                              (False, '--cluster "Boston–Cambridge, MA"')])
def test_a_render_of_a_name_that_is_also_another_clusters_city_says_how_to_get_that_one(monkeypatch, via_make, option):
    from cluster_profiles.names import also_named_note

    monkeypatch.delenv(VIA_MAKE, raising=False)
    if via_make:
        monkeypatch.setenv(VIA_MAKE, "1")
    note = also_named_note("CAMBRIDGE", CITIES)
    assert note is not None and "\n" not in note
    assert note.startswith("Note: 'CAMBRIDGE' is Cambridge; it is also a city of Boston–Cambridge, MA") and option in note
    for typed in ("Boston", "Tokyo", "Hefei", "Atlantis", "Boston–Cambridge, MA"):  # one cluster, or none: no note
        assert also_named_note(typed, CITIES) is None, typed


def test_every_cluster_name_in_the_data_gets_a_note_exactly_when_it_is_a_city_of_another(tables):
    from cluster_profiles.names import also_named_note

    for edition in tables.edition_list():
        names = list(tables.clusters.loc[tables.clusters["edition"] == edition, "cluster"])
        for name in names:
            note = also_named_note(name, names)
            assert (note is not None) == bool(also_named(name, names)), (edition, name)
            if note:
                assert all(other in note for other in also_named(name, names))
