"""The fan charts of every brief of a default run draw what the scorecard beside them says.

Mirrors :func:`forecast.report.pages.views.fan_panels` (kept apart from test_views: it needs a real
run of every province on the bundled data, the session's ``default_run`` of tests/conftest.py).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from forecast.registry import indicators
from forecast.report.pages import views


def _panels(default_run, lang: str) -> dict[str, list[views.FanPanel]]:
    run, obs, _ = default_run
    provinces = sorted(set(run.assessments["province"]))
    return {p: views.fan_panels(views.province_view(run, obs, None, p), lang) for p in provinces}


def test_each_panel_draws_the_series_the_scorecard_reads(default_run):
    shifted = 0
    for province, panels in _panels(default_run, "vi").items():
        for panel in panels:
            obs = panel.observations.sort_values("year")
            for r in panel.targets.to_dict("records"):
                where = (province, panel.title, r["year"])
                assert obs["year"].iloc[-1] == r["latest_year"], where
                assert obs["value"].iloc[-1] == pytest.approx(r["latest_value"], rel=1e-9), where
                if r["timing"] == "observed" or pd.isna(r["q50"]):
                    continue
                at = panel.forecasts[panel.forecasts["year"] == r["year"]]
                for q in ("q10", "q50", "q90"):
                    assert float(at[q].iloc[0]) == pytest.approx(r[q], rel=1e-9), (*where, q)
            shifted += len(panel.anchors) > 0
            assert bool(panel.caption) == (len(panel.anchors) > 0)
    assert shifted >= 1  # the default run carries own points forward (Hà Nam's life expectancy)


def test_ha_nam_life_expectancy_chart_shows_its_own_points_carried_by_the_region(default_run):
    run, obs, _ = default_run
    view = views.province_view(run, obs, None, "Hà Nam")
    panel = next(
        p for p in views.fan_panels(view, "vi") if (p.targets["indicator"] == "life_expectancy").any()
    )
    row = panel.targets.iloc[0]
    assert (row["basis"], row["tier"]) == ("own", "verdict") and np.isfinite(row["gap"])
    assert panel.observations["value"].tolist() == [74.6, 74.7]  # Hà Nam's own 2017-18 points
    assert panel.observations["value"].iloc[-1] == pytest.approx(row["latest_value"])
    region = obs[(obs["geo"] == row["geo"]) & (obs["indicator"] == row["series"])].sort_values("year")
    assert panel.context["value"].tolist() == pytest.approx(region["value"].tolist())
    assert set(panel.anchors["geo"]) == {"Hà Nam"}
    assert row["geo"] in panel.caption and "Hà Nam" in panel.caption


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_panel_title_holds_a_code(default_run, lang):
    codes = set(indicators.catalogue().index) | {s for s, _ in indicators.STAND_INS.values()}
    pattern = re.compile(r"\b(" + "|".join(sorted(map(re.escape, codes), key=len, reverse=True)) + r")\b")
    titles = [p.title for panels in _panels(default_run, lang).values() for p in panels]
    assert len(titles) >= 30  # five plans: every brief's charts
    bad = [x for x in titles if "_" in x or pattern.search(x)]
    assert not bad, bad[:5]
