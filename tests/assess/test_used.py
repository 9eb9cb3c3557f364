"""The series an assessment row was answered with: carried as assessed, own points, context."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecast.assess import assessment, used

PROVINCE, NATION = "Hà Nam", "Việt Nam"


def _obs() -> pd.DataFrame:
    nation = [dict(geo=NATION, year=y, value=30 - 0.8 * (y - 2010)) for y in range(2010, 2024)]
    own = [dict(geo=PROVINCE, year=y, value=v) for y, v in ((2020, 19.0), (2023, 17.4))]
    df = pd.DataFrame(nation + own).assign(indicator="stunting_u5", unit="percent", source="fx")
    return df.assign(base_indicator="stunting_u5", definition="")


def _fc() -> pd.DataFrame:
    rows = []
    for h, year in enumerate(range(2024, 2036), start=1):
        mid, sd = 19.6 - 0.5 * h, 0.4 * np.sqrt(h)
        z = np.array([-1.96, -1.64, -1.28, -0.67, 0, 0.67, 1.28, 1.64, 1.96])
        q = dict(zip(("q025", "q05", "q10", "q25", "q50", "q75", "q90", "q95", "q975"), mid + sd * z))
        rows.append(dict(geo=NATION, indicator="stunting_u5", model="ensemble", year=year, mean=mid, **q))
    return pd.DataFrame(rows).assign(status="ok", reason="")


def _target() -> pd.DataFrame:
    return pd.DataFrame(
        [
            dict(plan_id="p", province=PROVINCE, indicator="stunting_u5", year=2030, comparator="<=")
            | dict(value=13.0, value_high=np.nan, unit="percent", kind="outcome", note="")
        ]
    )


def test_a_carried_series_is_returned_as_assessed():
    row = assessment.assess_targets(_target(), _obs(), _fc(), "2026Q4", national=pd.DataFrame()).iloc[0]
    assert (row["basis"], row["tier"]) == ("own", "verdict") and np.isfinite(row["gap"])
    got = used.used_series(row.to_dict(), _obs(), _fc())
    assert got.shifted and got.anchors["value"].tolist() == [19.0, 17.4]
    assert got.observations["value"].tolist() == [19.0, 17.4]  # the province's own points
    assert got.observations["value"].iloc[-1] == pytest.approx(row["latest_value"])
    at = got.forecasts[got.forecasts["year"] == 2030].iloc[0]
    for q in ("q10", "q50", "q90"):
        assert at[q] == pytest.approx(row[q])
    assert got.context["value"].iloc[-1] == pytest.approx(30 - 0.8 * 13)  # the national series


def test_an_unshifted_series_is_the_series_itself():
    row = {"province": PROVINCE, "indicator": "stunting_u5", "geo": NATION, "series": "stunting_u5"}
    got = used.used_series(row | {"gap": np.nan}, _obs(), _fc())
    assert not got.shifted and got.context.empty and len(got.observations) == 14
    assert set(got.forecasts["model"]) == {"ensemble"}
    assert used.used_series({"series": ""}, _obs(), _fc()).observations.empty
