"""Series the catalogue derives: the crude birth rate's yearly fall, on real GSO rows."""

from __future__ import annotations

import pandas as pd
import pytest

from forecast import config
from forecast.data import derived

PXWEB = "GSO PX-Web export (Crude birth rate …)"


def _cbr(geo: str, values: dict[int, float], source: str = PXWEB) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "geo": geo,
            "indicator": "crude_birth_rate",
            "year": list(values),
            "value": list(values.values()),
            "unit": "per_1000",
            "source": source,
            "base_indicator": "crude_birth_rate",
            "definition": "",
        }
    )


def test_decline_is_previous_minus_this_year_for_consecutive_years_of_one_outlet():
    # Lào Cai, GSO: yearbook 2014-2016 (2016 preliminary), PX-Web export 2017-2020
    obs = pd.concat(
        [
            _cbr("Lào Cai", {2014: 20.0, 2015: 18.6, 2016: 22.5}, "GSO yearbook; choisy/gso@50040d2c4b4f"),
            _cbr("Lào Cai", {2017: 18.2, 2018: 19.0, 2019: 18.8, 2020: 19.35}),
            _cbr("Hà Nam", {2017: 12.2, 2019: 16.1}),  # not consecutive: nothing
        ]
    )
    out = derived.derive(obs, "cbr_decline")
    assert list(out["year"]) == [2015, 2016, 2018, 2019, 2020]  # no 2017: the outlet changed
    assert out["value"].round(2).tolist() == [1.4, -3.9, -0.8, 0.2, -0.55]
    assert (out["indicator"] == "cbr_decline").all() and (out["unit"] == "per_1000").all()
    assert out["source"].str.startswith("derived (yearly fall").all()
    assert list(out.columns) == list(obs.columns)


def test_with_derived_appends_and_keeps_a_series_the_store_holds():
    obs = _cbr("Lào Cai", {2017: 18.2, 2018: 19.0})
    out = derived.with_derived(obs)
    assert len(out) == 3 and out.iloc[:2].equals(obs)
    held = pd.concat([obs, obs.iloc[:1].assign(indicator="cbr_decline", value=0.5)])
    assert derived.with_derived(held).equals(held)
    assert derived.with_derived(obs.iloc[0:0]).empty


def test_on_the_real_gso_export_every_province_gets_three_years():
    path = config.SHARED_DATA_DIR / "vn_observed_2017plus.csv"
    if not path.exists():
        pytest.skip("shared data not present")
    rows = pd.read_csv(path)
    obs = rows[rows["indicator"] == "crude_birth_rate"].astype({"year": int})
    out = derived.derive(obs[["geo", "indicator", "year", "value", "unit", "source"]], "cbr_decline")
    counts = out.groupby("geo")["year"].nunique()
    assert counts.min() == 3 and len(counts) >= 63  # 2018-2020 from 2017-2020
    lc = out[out["geo"] == "Lào Cai"].set_index("year")["value"]
    assert lc[2018] == pytest.approx(18.2 - 19.0)
