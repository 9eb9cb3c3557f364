"""The 2025 crosswalk rebuilds merged provinces from their parts."""

from __future__ import annotations

import logging

import pandas as pd
import pytest

from forecast.data import store
from forecast.errors import MissingDataError
from forecast.registry import crosswalk

PARTS = {"Ninh Bình": 950.0, "Hà Nam": 800.0, "Nam Định": 1850.0}


def frame(indicator: str, values: dict, year: int = 2015, unit: str = "per_1000") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "geo": list(values),
            "indicator": indicator,
            "year": year,
            "value": list(values.values()),
            "unit": unit,
            "source": "test",
        }
    )


def observations(year: int = 2015) -> pd.DataFrame:
    return pd.concat(
        [
            frame("imr", {"Ninh Bình": 12.0, "Hà Nam": 13.0, "Nam Định": 11.0}, year),
            frame("population_avg", PARTS, year, "thousand_persons"),
            frame(
                "beds_dohs_count", {"Ninh Bình": 2000.0, "Hà Nam": 1500.0, "Nam Định": 3000.0}, year, "beds"
            ),
        ],
        ignore_index=True,
    )


def test_crosswalk_lists_the_2025_merger_only():
    cw = crosswalk.load_crosswalk()
    parts = set(cw.loc[cw["new_geo"] == "Ninh Bình (mới)", "old_geo"])
    assert parts == set(PARTS) and "Hà Tây" not in set(cw["old_geo"])


def test_rate_is_population_weighted():
    out = crosswalk.rebuild(observations(), "imr")
    row = out[out["geo"] == "Ninh Bình (mới)"].iloc[0]
    expected = (12.0 * 950 + 13.0 * 800 + 11.0 * 1850) / (950 + 800 + 1850)
    assert row["value"] == pytest.approx(expected) and row["year"] == 2015
    assert "population-weighted" in row["source"] and len(out) == 1  # other merged units lack data


def test_counts_are_summed():
    out = crosswalk.rebuild(observations(), "beds_dohs_count")
    assert out.loc[0, "value"] == 6500.0 and out.loc[0, "geo"] == "Ninh Bình (mới)"
    pop = crosswalk.rebuild(observations(), "population_avg")
    assert pop.loc[0, "value"] == sum(PARTS.values())


def test_missing_population_is_a_clear_error():
    obs = observations()
    obs = obs[~((obs["indicator"] == "population_avg") & (obs["geo"] == "Hà Nam"))]
    with pytest.raises(MissingDataError, match="population_avg of Hà Nam in 2015"):
        crosswalk.rebuild(obs, "imr")


def test_years_with_a_missing_part_are_skipped():
    obs = pd.concat([observations(2015), observations(2016)], ignore_index=True)
    obs = obs[~((obs["indicator"] == "imr") & (obs["geo"] == "Hà Nam") & (obs["year"] == 2016))]
    assert crosswalk.rebuild(obs, "imr")["year"].tolist() == [2015]


def test_rebuild_from_store(store_file, tmp_path):
    path = tmp_path / "obs.csv"
    observations().to_csv(path, index=False)
    store.import_files([path], store_file)
    out = crosswalk.rebuild(store.analysis_series(store_file), "beds_dohs_count")
    assert out["value"].tolist() == [6500.0]


def test_first_missing_population_is_named_year_by_year():
    obs = pd.concat([observations(2015), observations(2016)], ignore_index=True)
    pop = obs["indicator"] == "population_avg"
    gone = pop & (
        ((obs["geo"] == "Nam Định") & (obs["year"] == 2015))
        | ((obs["geo"] == "Hà Nam") & (obs["year"] == 2016))
    )
    obs = obs[~gone]
    with pytest.raises(MissingDataError, match="population_avg of Nam Định in 2015"):
        crosswalk.rebuild(obs, "imr")


def test_only_years_a_part_has_are_reported_skipped(caplog):
    obs = pd.concat([observations(2015), observations(2016)], ignore_index=True)
    obs = obs[~((obs["indicator"] == "imr") & (obs["geo"] == "Hà Nam") & (obs["year"] == 2016))]
    elsewhere = frame("imr", {"Hà Giang": 30.0}, 2010)  # a part of Tuyên Quang (mới), not of Ninh Bình's
    caplog.set_level(logging.INFO, logger="forecast")
    crosswalk.rebuild(pd.concat([obs, elsewhere], ignore_index=True), "imr")
    assert "Ninh Bình (mới) imr: 1 year(s) skipped" in caplog.text  # 2016, not 2010
    assert "Tuyên Quang (mới) imr: 1 year(s) skipped" in caplog.text


@pytest.mark.parametrize("code", ["imr", "doctors_per_10k_dohs", "beds_dohs_count"])
def test_all_merged_provinces_at_once_equal_each_alone(shared_data, code):
    # rebuild reads every merged province from one year x geo table: none may borrow from another
    obs = pd.read_csv(shared_data / "vn_provinces.csv")
    cw = crosswalk.load_crosswalk()
    together = crosswalk.rebuild(obs, code, cw)
    alone = [crosswalk.rebuild(obs, code, one) for _, one in cw.groupby("new_geo", sort=False)]
    pd.testing.assert_frame_equal(together, pd.concat([a for a in alone if len(a)], ignore_index=True))
    assert together["geo"].nunique() > 10 and together["value"].notna().all()
