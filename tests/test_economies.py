from cluster_profiles.contract.economies import economy_codes, primary_economy


def test_codes_of_a_cross_border_cluster_without_footnote_marks():
    assert economy_codes("CN/HK") == ["CN", "HK"]
    assert economy_codes("TW*") == ["TW"]
    assert primary_economy("DE/NL") == "DE"
