"""Breaks found in the data: one-year jumps that revert, shared by many places."""

from __future__ import annotations

import numpy as np
import pandas as pd

from forecast.data import jumps, store


def panel(jump_geos: int, geos: int = 10, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    out = []
    for g in range(geos):
        level = 100.0 * (1 + g / 10)
        for year in range(2005, 2017):
            value = level * 1.03 ** (year - 2005) * (1 + rng.normal(0, 0.005))
            if year == 2012 and g < jump_geos:
                value *= 1.15  # 2012 counted the private sector too
            out.append({"geo": f"P{g}", "indicator": "doctors_dohs_count", "year": year, "value": value})
    return pd.DataFrame(out)


def test_a_shared_jump_is_a_break_and_a_lone_one_is_not():
    found = jumps.detect_jumps(panel(jump_geos=5))
    assert set(found["year"]) == {2012} and len(found) == 10  # every place's 2012 is left out
    assert "5 of 10 places" in found["reason"].iloc[0]
    assert jumps.detect_jumps(panel(jump_geos=1)).empty  # a real one-year event may revert too
    kept = jumps.drop_jumps(panel(jump_geos=5))
    assert 2012 not in set(kept["year"]) and len(kept) == 110


def test_gso_2012_staff_anomaly_is_found(shared_data, store_file):
    store.import_files([shared_data / "vn_provinces.csv", shared_data / "vn_national.csv"], store_file)
    found = store.series_breaks(store_file)
    vn = found[found["geo"] == "Việt Nam"].set_index("indicator")
    assert (
        vn.loc["doctors_dohs_count_gso", "value"] == 57523
        and vn.loc["nurses_dohs_count_gso", "value"] == 86572
    )
    assert set(found["year"]) == {2012}
    series = store.analysis_series(store_file, geo="VN", indicator="nurses_dohs_count_gso")
    assert 2012 not in set(series["year"]) and {2011, 2013} <= set(series["year"])
