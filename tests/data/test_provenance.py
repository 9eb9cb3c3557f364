"""Publishers and tables read from the stored rows' ``source`` texts (the bundled data's own)."""

from __future__ import annotations

import pandas as pd

from forecast.data import provenance


def test_publishers_and_tables_of_the_bundled_sources(shared_data):
    rows = pd.concat(
        pd.read_csv(shared_data / name, usecols=["source", "year"])
        for name in ("vn_provinces.csv", "vn_national.csv", "vn_published_facts.csv")
    )
    tagged = provenance.with_provenance(rows.drop_duplicates("source"))
    assert set(tagged["publisher"]) >= {"gso", "world_bank", "who_unicef", "published"}
    gso = set(tagged.loc[tagged["publisher"] == "gso", "table"])
    assert "Infant mortality rate by province" in gso  # the GSO table, without path or .csv
    assert "SP.DYN.LE00.IN" in set(tagged.loc[tagged["publisher"] == "world_bank", "table"])
    vintage = provenance.publisher_vintage(rows)
    assert vintage["publisher"].iloc[0] == "gso" and vintage["rows"].sum() == len(rows)
    gso_years = pd.to_numeric(rows.loc[rows["source"].str.match(r"(DERIVED: )?GSO"), "year"], errors="coerce")
    assert int(vintage.set_index("publisher").loc["gso", "latest_year"]) == int(gso_years.max())


def test_an_unknown_source_is_a_published_figure():
    assert provenance.publisher("Báo Hà Nam, 12/3/2024") == "published"
    assert provenance.table("Báo Hà Nam, 12/3/2024") == ""
