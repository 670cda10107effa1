import pytest

from cluster_profiles.errors import UnknownClusterError
from cluster_profiles.names import name_key, resolve_cluster, slug

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
