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


def test_the_rate_has_a_slider_and_a_box_written_like_the_page():
    ex = explore.explorer(_run(), make_observations(), "vi", PROVINCE)
    slider, box = ex.controls["rate"], ex.controls["rate_text"]
    assert not slider.readout and box.value == "−3,0"  # never the slider's own "-3.00"
    box.value = "-4,5"  # typed with a comma, as Vietnamese write it
    assert slider.value == -4.5 and box.value == "−4,5"
    slider.value = 2.0
    assert box.value == "2,0"
    box.value = "abc"  # unreadable: put back
    assert slider.value == 2.0 and box.value == "2,0"


def test_labels_are_words_and_the_row_wraps_to_fit():
    ex = explore.explorer(_run(), make_observations(), "vi", PROVINCE)
    labels = [label for label, _ in ex.controls["scenario"].options]
    assert not any("r%" in label for label in labels) and "Tốc độ cố định (thanh trượt)" in labels
    row = ex.panel.children[0]
    assert row.layout.flex_flow == "row wrap"
    widths = [int(str(w.layout.width).removesuffix("px")) for w in row.children]
    assert sum(widths) <= 2 * 1280 - 2 * 300 and max(widths) < 1280 - 300  # two rows beside the sidebar


def test_an_unknown_province_is_refused_with_the_suggestion():
    import pytest

    from forecast.errors import MissingDataError, UnknownGeoError

    with pytest.raises(UnknownGeoError, match="did you mean 'Hà Nam'"):
        explore.explorer(_run(), make_observations(), "vi", "Ha Namm")
    with pytest.raises(
        MissingDataError, match="no target with data for Hà Giang: the explorer opens one of Hà Nam"
    ):
        explore.explorer(_run(), make_observations(), "vi", "Hà Giang")
    assert (
        explore.explorer(_run(), make_observations(), "vi", "ha nam").controls["province"].value == PROVINCE
    )
