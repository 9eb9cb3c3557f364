"""Ranks among peers equal a plain pandas computation from the store (the session's default run)."""

from __future__ import annotations

import pandas as pd
import pytest

from forecast.assess import peers
from forecast.data import store as store_db
from forecast.registry import geo


def _expected(
    obs: pd.DataFrame, series: str, year: int, lower_is_better: bool, places: list[str]
) -> pd.DataFrame:
    """The ranks computed with pandas alone: one year of one series, rank 1 the best."""
    rows = obs[(obs["indicator"] == series) & (obs["year"] == year) & obs["geo"].isin(places)].copy()
    rows["region"] = rows["geo"].map(geo.region_of)
    rows["rank_national"] = rows["value"].rank(method="min", ascending=lower_is_better)
    rows["rank_region"] = rows.groupby("region")["value"].rank(method="min", ascending=lower_is_better)
    return rows.set_index("geo")[["value", "region", "rank_national", "rank_region"]].sort_index()


@pytest.mark.parametrize(
    "series,year,lower",
    [("imr", 2016, True), ("doctors_per_10k_dohs", 2016, False), ("full_immunization_u1", 2014, False)],
)
def test_ranks_equal_a_pandas_computation_from_the_store(default_run, series, year, lower):
    _, _, store = default_run
    obs = store_db.analysis_series(store)  # read from the store, not the run
    ranks = peers.peer_ranks(obs, "old")
    got = ranks[(ranks["series"] == series) & (ranks["year"] == year)].set_index("geo").sort_index()
    want = _expected(obs, series, year, lower, geo.provinces_in_scope("old"))
    assert len(got) == len(want) >= 60
    pd.testing.assert_series_equal(got["value"], want["value"])
    assert got["rank_national"].astype(int).tolist() == want["rank_national"].astype(int).tolist()
    assert got["rank_region"].astype(int).tolist() == want["rank_region"].astype(int).tolist()
    assert (got["n_national"] == len(want)).all()
    sizes = want.groupby("region")["value"].transform("size")
    assert got["n_region"].astype(int).tolist() == sizes.astype(int).tolist()


def test_ha_nam_takes_its_latest_year_of_each_series(default_run):
    _, obs, _ = default_run
    mine = peers.province_ranks(peers.peer_ranks(obs, "old"), "Hà Nam")
    imr = mine[mine["series"] == "imr"].iloc[0]
    own = obs[(obs["geo"] == "Hà Nam") & (obs["indicator"] == "imr")]
    assert imr["year"] == own["year"].max() and imr["region"] == "Vùng Đồng bằng sông Hồng"
    assert imr["indicator"] == "imr" and imr["direction"] == "lower"
    assert 1 <= imr["rank_region"] <= imr["n_region"] <= imr["n_national"] <= 63
    assert set(mine["indicator"]) >= {"imr", "doctors_per_10k", "beds_per_10k"}


def test_merged_provinces_are_ranked_among_the_34(default_run):
    _, obs, _ = default_run
    ranks = peers.peer_ranks(obs, "merged")
    assert set(ranks["geo"]) <= set(geo.provinces_in_scope("merged"))
    one = ranks[(ranks["series"] == "imr") & (ranks["year"] == 2016)]
    assert "Ninh Bình (mới)" in set(one["geo"]) and one["n_national"].iloc[0] == len(one) <= 34
    lam_dong = one[one["geo"] == "Lâm Đồng (mới)"]
    assert lam_dong["rank_region"].isna().all()  # spans two regions: no regional rank
