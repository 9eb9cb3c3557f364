"""Plots draw the data they are given: assert on the artists' data, never on pixels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from test_views import make_assessments, make_forecasts, make_observations

from forecast.report.pages import plots, text


def _by_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


def _series(df, code):
    return df[df["indicator"] == code]


@pytest.mark.parametrize("lang", text.LANGS)
def test_fan_chart_draws_observed_median_bands_and_target(lang):
    obs, fc = _series(make_observations(), "imr"), _series(make_forecasts(), "imr")
    a = make_assessments()
    fig = plots.fan_chart(obs, fc, a[a["indicator"] == "imr"], lang=lang, title="IMR")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    (observed,) = _by_gid(ax, "observed")
    np.testing.assert_allclose(observed.get_ydata(), obs.sort_values("year")["value"])
    (median,) = _by_gid(ax, "median")
    ens = fc[fc["model"] == "ensemble"].sort_values("year")
    np.testing.assert_allclose(median.get_ydata(), ens["q50"])  # ensemble chosen by default
    assert len(_by_gid(ax, "band80")) == 1 and len(_by_gid(ax, "band95")) == 1
    (target,) = _by_gid(ax, "target")
    segs = target.get_segments()[0]
    assert segs[0][1] == 5.0 and segs[1][0] == 2030  # the target line ends at its year
    legend = [x.get_text() for x in ax.get_legend().get_texts()]
    assert text.t("observed", lang) in legend and text.t("band80", lang) in legend


def test_fan_chart_draws_a_range_target_as_a_bar_at_its_year_and_picks_a_model():
    obs, fc = _series(make_observations(), "imr"), _series(make_forecasts(), "imr")
    rng = pd.DataFrame({"year": [2030], "value": [4.0], "value_high": [6.0]})
    ax = plots.fan_chart(obs, fc, rng, model="drift").axes[0]
    (median,) = _by_gid(ax, "median")
    np.testing.assert_allclose(median.get_ydata(), fc[fc["model"] == "drift"].sort_values("year")["q50"])
    (bar,) = _by_gid(ax, "target-range")
    np.testing.assert_allclose(bar.get_segments()[0], [[2030, 4.0], [2030, 6.0]])


def test_fan_chart_marks_own_points_and_the_unshifted_series_and_keeps_the_legend_outside():
    obs, fc = _series(make_observations(), "imr"), _series(make_forecasts(), "imr")
    anchors = pd.DataFrame({"year": [2012, 2016], "value": [14.0, 12.0]})
    context = obs.assign(value=obs["value"] * 1.2)
    title = "A long title of a borrowed series adjusted to the level of the province " * 2
    fig = plots.fan_chart(obs, fc, make_assessments().iloc[:1], title=title, anchors=anchors, context=context)
    ax = fig.axes[0]
    (own,) = _by_gid(ax, "anchor")
    np.testing.assert_allclose(own.get_ydata(), [14.0, 12.0])
    (grey,) = _by_gid(ax, "context")
    np.testing.assert_allclose(grey.get_ydata(), context.sort_values("year")["value"])
    drawn = ax.get_title("left")  # from the axes' left edge, wrapped: never cut at the figure's edge
    assert "\n" in drawn and drawn.replace("\n", " ").strip() == title.strip()
    fig.draw_without_rendering()  # laid out as it is drawn
    box, legend = ax.get_window_extent(), ax.get_legend().get_window_extent()
    assert legend.y1 <= box.y0  # under the axes: never over the data, the targets or their labels
    head = ax._left_title.get_window_extent()  # the whole title on the page (it was cut at the left edge)
    assert 0 <= head.x0 and head.x1 <= fig.bbox.x1 and head.y1 <= fig.bbox.y1


@pytest.mark.parametrize("lang", text.LANGS)
def test_each_publisher_of_a_series_has_its_own_marker_and_legend_entry(lang):
    obs, fc = _series(make_observations(), "imr"), _series(make_forecasts(), "imr")
    gso = "GSO yearbook; choisy/gso@50040d2c4b4f:data-raw/x.csv"
    obs = obs.assign(source=np.where(obs["year"] < 2015, gso, "Báo cáo của Sở Y tế 2016"))
    ax = plots.fan_chart(obs, fc, lang=lang).axes[0]
    first, second = _by_gid(ax, "observed")
    assert (first.get_marker(), second.get_marker()) == ("o", "s")  # in the order of their first year
    np.testing.assert_allclose(second.get_xdata(), [2015, 2016])
    legend = [x.get_text() for x in ax.get_legend().get_texts()]
    for code in ("gso", "published"):
        assert text.t(f"observed_by.{code}", lang) in legend
    assert text.t("observed", lang) not in legend
    # a shifted series' points stay one set, named as shifted
    anchors = pd.DataFrame({"year": [2012], "value": [14.0]})
    shifted = plots.fan_chart(obs, fc, anchors=anchors, lang=lang).axes[0]
    (points,) = _by_gid(shifted, "observed")
    assert points.get_label() == text.t("observed_shifted", lang) and len(points.get_xdata()) == len(obs)


def test_the_national_beds_chart_names_the_published_2023_figure_apart_from_the_world_banks_series(
    bundled_store,
):
    from forecast.data import store

    obs = store.analysis_series(bundled_store, geo="VN")  # the bundled statistics of ../shared/data
    obs = obs[obs["indicator"] == "beds_per_10k"]
    fc = make_forecasts().assign(geo="Việt Nam", indicator="beds_per_10k")
    ax = plots.fan_chart(obs, fc, lang="vi").axes[0]
    labels = {a.get_label(): a for a in _by_gid(ax, "observed")}
    wb = labels["Quan sát (Ngân hàng Thế giới)"]
    published = labels["Quan sát (số liệu công bố)"]
    assert wb.get_marker() == "o" and published.get_marker() == "s"
    assert 2023 in list(published.get_xdata()) and 1990 in list(wb.get_xdata())
    assert len(wb.get_xdata()) + len(published.get_xdata()) == len(obs)


def test_fan_chart_without_forecast_shows_observations_only():
    obs = _series(make_observations(), "life_expectancy")
    ax = plots.fan_chart(obs, make_forecasts().iloc[0:0]).axes[0]
    assert len(_by_gid(ax, "observed")) == 1 and not _by_gid(ax, "median")


def test_category_heatmap_holds_category_codes():
    a = make_assessments()
    other = a.assign(province="Lâm Đồng", verdict="very_unlikely")
    fig = plots.category_heatmap(pd.concat([a, other]), "en", drop_empty=False)
    image = fig.axes[0].images[0].get_array()
    assert image.shape == (4, 2)  # indicators × provinces
    codes = {text.CATEGORIES.index(c) for c in a["verdict"]}
    assert set(np.asarray(image[:, 0]).ravel()) == codes  # columns sorted by name: Hà Nam first
    assert set(np.asarray(image[:, 1]).ravel()) == {text.CATEGORIES.index("very_unlikely")}
    legend = [x.get_text() for x in fig.axes[0].get_legend().get_texts()]
    assert "Very unlikely" in legend


def test_category_heatmap_drops_indicators_without_data_anywhere():
    fig = plots.category_heatmap(make_assessments(), "vi")
    assert fig.axes[0].images[0].get_array().shape == (3, 1)  # stunting (no data) left out


def test_fan_chart_keeps_history_visible_under_a_wide_band():
    obs, fc = _series(make_observations(), "imr"), _series(make_forecasts(), "imr")
    wide = fc.assign(q975=fc["q975"] * 50)
    ax = plots.fan_chart(obs, wide).axes[0]
    assert ax.get_ylim()[1] < max(obs["value"].max(), fc["q90"].max()) * 1.2 < wide["q975"].max()


def test_p_attain_hist_counts_every_target_with_a_probability():
    a = make_assessments()
    ax = plots.p_attain_hist(a, "vi").axes[0]
    tops = {}
    for patch in ax.patches:
        tops[patch.get_x()] = max(tops.get(patch.get_x(), 0), patch.get_y() + patch.get_height())
    assert sum(tops.values()) == a["p_attain"].notna().sum()
    assert ax.get_xlabel() == text.t("p_attain", "vi")


def test_model_comparison_draws_one_line_per_model():
    obs, fc = _series(make_observations(), "imr"), _series(make_forecasts(), "imr")
    ax = plots.model_comparison(obs, fc, lang="en").axes[0]
    assert {a.get_gid() for a in ax.lines if str(a.get_gid()).startswith("model:")} == {
        "model:drift",
        "model:ensemble",
    }
    assert [c.get_gid() for c in ax.collections] == ["band80:ensemble"]


def test_model_comparison_legend_names_models_in_words():
    obs, fc = _series(make_observations(), "imr"), _series(make_forecasts(), "imr")
    for lang in ("vi", "en"):
        legend = plots.model_comparison(obs, fc, lang=lang).axes[0].get_legend()
        shown = [x.get_text() for x in legend.get_texts()]
        assert text.model_label("drift", lang) in shown and text.model_label("ensemble", lang) in shown
        assert not {"drift", "ensemble"} & set(shown), shown  # never the codes
        # a deep dive writes the same legend under the image (model_comparison(legend=False))
        from html import escape

        from forecast.report.pages import html

        bare = plots.model_comparison(obs, fc, lang=lang, legend=False)
        assert bare.axes[0].get_legend() is None
        page = str(html.figure_html(bare, legend=True))
        assert [w for w in shown if f"</span>{escape(w)}</span>" not in page] == []


def test_rate_sensitivity_draws_rates_by_window():
    rates = pd.DataFrame({"window": [2, 3, 4], "rate": [-4.0, -5.0, -5.5], "rate_required": -6.9})
    ax = plots.rate_sensitivity(rates, "vi").axes[0]
    (line,) = _by_gid(ax, "rate")
    np.testing.assert_allclose(line.get_ydata(), [-4.0, -5.0, -5.5])


def test_fan_chart_stops_the_fan_after_the_last_target():
    obs, fc = _series(make_observations(), "imr"), _series(make_forecasts(), "imr")
    targets = pd.DataFrame({"year": [2025], "value": [8.0]})
    ax = plots.fan_chart(obs, fc, targets).axes[0]
    (median,) = _by_gid(ax, "median")
    assert median.get_xdata().max() == 2026


def test_a_chart_is_drawn_once_into_the_same_png_as_savefig():
    """figure_html draws a constrained-layout chart once (no savefig layout pass): same bytes."""
    import base64
    import io

    from forecast.report.pages import html

    obs, fc = _series(make_observations(), "imr"), _series(make_forecasts(), "imr")
    a = make_assessments()
    make = lambda: plots.fan_chart(obs, fc, a[a["indicator"] == "imr"], title="IMR")  # noqa: E731
    buf = io.BytesIO()
    make().savefig(buf, format="png", dpi=150, pil_kwargs=html.PNG_OPTIONS)  # figure_html's defaults
    img = str(html.figure_html(make()))
    assert base64.b64decode(img.split("base64,")[1].split('"')[0]) == buf.getvalue()


# Chart fixes of issue #22, on the plans' own targets (data/targets.csv) and the GSO series they
# are drawn over (../shared/data/vn_provinces.csv).


def _plan(province: str, indicator: str) -> pd.DataFrame:
    from forecast.registry import targets

    plan = targets.load_targets()
    return plan[(plan["province"] == province) & (plan["indicator"] == indicator)].reset_index(drop=True)


def _gso(shared_data, province: str, indicator: str) -> pd.DataFrame:
    data = pd.read_csv(shared_data / "vn_provinces.csv")
    return data[(data["geo"] == province) & (data["indicator"] == indicator)].reset_index(drop=True)


def _labels(ax) -> list:
    """The Text artists naming the targets (``gid="target-label"``), as plots.target_labels reads them."""
    labels = [a for a in ax.get_children() if a.get_gid() == "target-label"]
    assert [x.get_text() for x in labels] == plots.target_labels(ax)
    return labels


def _apart(fig, labels) -> bool:
    """Whether no two labels overlap, and all lie inside the figure, once laid out."""
    fig.draw_without_rendering()
    boxes = sorted((lab.get_window_extent() for lab in labels), key=lambda b: b.y0)
    inside = all(b.x1 <= fig.bbox.x1 + 0.5 and b.y0 >= -0.5 and b.y1 <= fig.bbox.y1 + 0.5 for b in boxes)
    return inside and all(low.y1 <= high.y0 + 0.5 for low, high in zip(boxes, boxes[1:]))


def test_two_targets_at_almost_one_height_are_both_labelled_apart(shared_data):
    """Hà Nam's infant mortality: ≤ 5,0‰ in 2025 and ≤ 4,8‰ in 2030 were drawn on top of each other."""
    plan = _plan("Hà Nam", "imr")
    assert sorted(plan["value"]) == [4.8, 5.0]
    fig = plots.fan_chart(_gso(shared_data, "Hà Nam", "imr"), make_forecasts().iloc[0:0], plan, lang="vi")
    ax = fig.axes[0]
    labels = _labels(ax)
    assert sorted(lab.get_text() for lab in labels) == ["2025: ≤ 5,0‰", "2030: ≤ 4,8‰"]
    assert _apart(fig, labels)
    # a staircase: the 2030 line starts where the 2025 one ends, so the two never lie on each other
    spans = sorted((seg[0][0], seg[1][0]) for line in _by_gid(ax, "target") for seg in line.get_segments())
    assert spans == [(2016.0, 2025.0), (2025.0, 2030.0)]


def test_target_names_are_spread_for_the_size_the_chart_is_drawn_at(shared_data):
    """The names' heights are worked out as the chart is drawn: a chart made shorter keeps them apart."""
    plan = _plan("Hà Nam", "imr")
    fig = plots.fan_chart(_gso(shared_data, "Hà Nam", "imr"), make_forecasts().iloc[0:0], plan, lang="vi")
    labels = _labels(fig.axes[0])
    fig.set_size_inches(plots.FAN_SIZE[0], 2.2)
    assert _apart(fig, labels)
    leaders = [a for a in fig.axes[0].get_children() if a.get_gid() == "target-leader"]
    assert len(leaders) == 2  # one per name, drawn only where a name left its target's height


def test_targets_of_several_plans_on_one_chart_name_their_province():
    """A merged province (Ninh Bình (mới)) shows its old provinces' targets, several at one year."""
    plan = pd.concat(
        [_plan("Hà Nam", "bhyt_coverage"), _plan("Lâm Đồng", "bhyt_coverage")], ignore_index=True
    )
    twin = _plan("Hà Nam", "bhyt_coverage").iloc[[0]].assign(province="Nam Định")  # the same target twice
    plan = pd.concat([plan, twin], ignore_index=True)
    obs = pd.DataFrame({"year": [2016, 2020, 2023], "value": [80.0, 90.0, 93.0]})
    fig = plots.fan_chart(obs, make_forecasts().iloc[0:0], plan, lang="vi")
    ax = fig.axes[0]
    labels = _labels(ax)
    stars = [tuple(line.get_xydata()[0]) for line in _by_gid(ax, "target-point")]
    assert len(stars) == len(set(stars)) == len(labels) == 4  # one star and one label per target
    texts = [lab.get_text() for lab in labels]
    assert "Hà Nam, 2025: ≥ 97,0%\nNam Định, 2025: ≥ 97,0%" in texts
    assert all(x.startswith(("Hà Nam, ", "Lâm Đồng, ")) for x in texts)  # each names its plan's province
    assert _apart(fig, labels)


def test_range_targets_of_two_years_draw_no_overlapping_bands(shared_data):
    """Lâm Đồng's doctors: '8 - 9' (2025) and '9 - 10' (2030) were two hatched bands from 2002."""
    plan = _plan("Lâm Đồng", "doctors_per_10k")
    assert plan["value_high"].notna().all()
    obs = _gso(shared_data, "Lâm Đồng", "doctors_per_10k_dohs")
    ax = plots.fan_chart(obs, make_forecasts().iloc[0:0], plan, lang="vi").axes[0]
    assert not [c for c in ax.collections if c.get_gid() == "target" and c.get_hatch()]
    bars = [seg for c in _by_gid(ax, "target-range") for seg in c.get_segments()]
    np.testing.assert_allclose(sorted(b[0][0] for b in bars), [2025, 2030])
    starts = [seg[0][0] for line in _by_gid(ax, "target") for seg in line.get_segments()]
    assert min(starts) == obs["year"].max()  # from the last observation, not from 2002
    assert sorted(lab.get_text() for lab in _labels(ax)) == [  # on two lines: see the next test
        "2025: ≥ 8,0/10.000 dân\n(phấn đấu 9,0)",
        "2030: ≥ 9,0/10.000 dân\n(phấn đấu 10,0)",
    ]


def _gaps(boxes) -> list[float]:
    """Horizontal gaps (pixels) between consecutive boxes, left to right."""
    boxes = sorted(boxes, key=lambda b: b.x0)
    return [right.x0 - left.x1 for left, right in zip(boxes, boxes[1:])]


def test_long_target_names_wrap_and_leave_the_axes_their_width(shared_data):
    """Lâm Đồng's beds ("≥ 27,0/10.000 dân (phấn đấu 29,0)") took half the chart on one line: the
    axes shrank to a sixth of its width, the years ran into each other and the legend was cut."""
    plan = _plan("Lâm Đồng", "beds_per_10k")
    obs = _gso(shared_data, "Lâm Đồng", "beds_per_10k_dohs")
    fig = plots.fan_chart(obs, make_forecasts().iloc[0:0], plan, lang="vi", title="Số giường bệnh")
    ax = fig.axes[0]
    assert all(len(line) <= plots.LABEL_WIDTH for lab in _labels(ax) for line in lab.get_text().split("\n"))
    fig.draw_without_rendering()
    assert ax.get_position().width >= 0.4  # of the figure's width (it was 0.13)
    years = [lab.get_window_extent() for lab in ax.get_xticklabels() if lab.get_text()]
    assert min(_gaps(years)) > 2  # pixels between two years
    legend = ax.get_legend().get_window_extent()
    assert legend.x0 >= 0 and legend.x1 <= fig.bbox.x1
    assert _apart(fig, _labels(ax))


@pytest.mark.parametrize("lang", text.LANGS)
def test_chart_type_prints_at_seven_points_or_more(lang):
    """Fan charts are drawn at their printed width (two a row on A4): legend and ticks print >= 7 pt."""
    obs, fc = _series(make_observations(), "imr"), _series(make_forecasts(), "imr")
    a = make_assessments()
    fig = plots.fan_chart(obs, fc, a[a["indicator"] == "imr"], lang=lang, title="IMR")
    scale = plots.PRINT_WIDTH_IN / fig.get_figwidth()
    ax = fig.axes[0]
    sizes = [x.get_fontsize() for x in ax.get_legend().get_texts()]
    sizes += [x.get_fontsize() for x in ax.get_xticklabels() + ax.get_yticklabels()]
    sizes += [x.get_fontsize() for x in _labels(ax)]
    assert min(sizes) * scale >= 7.0


def test_heatmap_keeps_every_province_marks_national_targets_and_whole_names(default_run):
    """Index: Bắc Giang (2030 only) and Lào Cai (2024) keep their columns; national targets hatched."""
    run, _, _ = default_run
    a = run.assessments[run.assessments["kind"] == "outcome"]
    year = plots.heatmap_year(a)
    fig = plots.category_heatmap(a, "vi", year=year)
    ax = fig.axes[0]
    columns = [x.get_text() for x in ax.get_xticklabels()]
    assert {"Bắc Giang", "Lào Cai"} <= set(columns)
    assert set(a.loc[a["verdict"] != "no_data", "province"]) <= set(columns)
    names = [x.get_text() for x in ax.get_yticklabels()]
    assert not any("…" in n for n in names)
    national = a[a["plan_id"] == "national-targets"]
    hatched = [p for p in ax.patches if p.get_gid() == "national-target"]
    assert len(hatched) > 0 and len(national) > 0
    assert any(t.get_text() == "2030" for t in ax.texts if t.get_gid() == "cell-year")  # Bắc Giang
    legend = [x.get_text() for x in ax.get_legend().get_texts()]
    assert text.t("heatmap_national", "vi") in legend
    # shown near its size in the index's 60rem column (912 px at 150 dpi), not at half of it, and
    # the slanted province names a line apart (they overlapped when the legend took the side)
    fig.draw_without_rendering()
    assert fig.get_figwidth() * 150 <= 912 / 0.8
    column = ax.get_window_extent().width / len(columns) / fig.dpi * 72  # points
    assert column * np.sin(np.radians(35)) >= 1.2 * ax.get_xticklabels()[0].get_fontsize()
    for part in [fig, plots.category_heatmap(a, "vi", year=year, provinces=columns[:1])]:
        part.draw_without_rendering()  # the legend under the grid, whole, even under one province
        box = part.axes[0].get_legend().get_window_extent()
        assert box.x0 >= 0 and box.x1 <= part.bbox.x1 and part.axes[0].get_position().width > 0.1


def test_many_provinces_are_drawn_as_several_heatmaps_that_share_their_rows(default_run):
    """`--all` drew one heatmap of 86 provinces, 41 in wide, shown at 15 %: now parts of at most 12."""
    run, _, _ = default_run
    a = run.assessments[run.assessments["kind"] == "outcome"]
    year = plots.heatmap_year(a)
    whole = plots.category_heatmap(a, "vi", year=year).axes[0]
    names = [x.get_text() for x in whole.get_xticklabels()]
    parts = [f.axes[0] for f in plots.category_heatmaps(a, "vi", year=year, most=4)]
    assert len(parts) == -(-len(names) // 4) and max(len(p.get_xticklabels()) for p in parts) <= 4
    assert sum(([x.get_text() for x in p.get_xticklabels()] for p in parts), []) == names
    rows = [x.get_text() for x in whole.get_yticklabels()]
    assert all([x.get_text() for x in p.get_yticklabels()] == rows for p in parts)
    cells = np.ma.concatenate([p.images[0].get_array() for p in parts], axis=1)
    assert np.ma.allequal(cells, whole.images[0].get_array())  # the same cells, cut into pieces
    assert len(plots.category_heatmaps(a, "vi", year=year)) == 1  # the default run: one heatmap


def test_a_fan_charts_title_sits_where_matplotlib_would_put_it():
    """The title is given y=1.0 (nothing measured) only where the automatic position is 1.0 too."""
    obs, fc = _series(make_observations(), "imr"), _series(make_forecasts(), "imr")
    fig = plots.fan_chart(obs, fc, title="IMR")
    ax = fig.axes[0]
    fig.draw_without_rendering()
    pinned = ax._left_title.get_window_extent().y0  # the title starts at the axes' left edge
    ax.set_title("IMR", fontsize=plots.TITLE_FONT, loc="left")  # automatic position, as before
    fig.draw_without_rendering()
    assert ax._left_title.get_window_extent().y0 == pytest.approx(pinned)
    # an offset text ("+1e5") may rise above the axes: the title is left to matplotlib
    big = obs.assign(value=100_000 + obs["value"] / 1000)
    fc_big = fc.assign(**{q: 100_000 + fc[q] / 1000 for q in ("q025", "q10", "q50", "q90", "q975")})
    ax_big = plots.fan_chart(big, fc_big, title="big").axes[0]
    assert plots._title_y(ax_big) is None


@pytest.mark.parametrize("lang", text.LANGS)
def test_a_legend_written_under_the_chart_has_the_entries_the_chart_would_draw(shared_data, lang):
    """``fan_chart(legend=False)`` + ``figure_html(legend=True)``: the briefs' charts carry the same
    legend as text (same words, same order, keys drawn as the artists are), none in the image."""
    import re

    from forecast.report.pages import html

    plan = _plan("Hà Nam", "imr")
    obs, fc = _gso(shared_data, "Hà Nam", "imr"), _series(make_forecasts(), "imr")
    drawn = plots.fan_chart(obs, fc, plan, lang=lang)
    words = [x.get_text() for x in drawn.axes[0].get_legend().get_texts()]
    bare = plots.fan_chart(obs, fc, plan, lang=lang, legend=False)
    assert bare.axes[0].get_legend() is None
    assert tuple(bare.get_size_inches()) == plots.FAN_SIZE_BARE
    page = str(html.figure_html(bare, legend=True))
    items = re.findall(
        r'<span class="chart-legend-item">(<span style="([^"]*)">([^<]*)</span>)([^<]*)</span>', page
    )
    assert [label for *_, label in items] == words
    keys = {label: (style, mark) for _, style, mark, label in items}
    assert "rgba(31,95,168,0.15)" in keys[text.t("band95", lang)][0]  # as transparent as the band
    assert "rgba(31,95,168,0.30)" in keys[text.t("band80", lang)][0]
    assert "dashed" in keys[text.t("target", lang)][0]
    assert keys[text.t("observed", lang)][1] == "●"
    assert "chart-legend" not in str(html.figure_html(drawn))  # a chart with its own legend: none added
