"""The explorer's widgets and callbacks, on the hand-made run of test_views (no kernel needed)."""

from __future__ import annotations

from types import SimpleNamespace

from test_views import PROVINCE, make_assessments, make_forecasts, make_observations

from forecast.report.pages import explore


def _run() -> SimpleNamespace:
    return SimpleNamespace(
        run_id="r1", as_of="2026Q4", forecasts=make_forecasts(), assessments=make_assessments()
    )


def test_explorer_offers_the_provinces_indicators_and_years_with_targets():
    ex = explore.explorer(_run(), make_observations(), "vi", PROVINCE)
    assert ex.controls["province"].value == PROVINCE
    codes = [c for _, c in ex.controls["indicator"].options]
    a = make_assessments()
    assert codes == list(dict.fromkeys(a.loc[a["series"].fillna("") != "", "indicator"]))
    assert ex.controls["year"].value in set(a["year"])
    assert 'class="scorecard"' in ex.shown


def test_a_callback_redraws_with_the_chosen_scenario():
    ex = explore.explorer(_run(), make_observations(), "en", PROVINCE)
    before = str(ex.shown)
    ex.controls["scenario"].value = "rate"  # the observer runs the callback
    assert str(ex.shown) != before and "At −3,0% a year" not in ex.shown and "At −3.0% a year" in ex.shown
    ex.controls["rate"].value = 2.0
    assert "At 2.0% a year" in ex.shown
