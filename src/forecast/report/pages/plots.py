"""Drawing only: each function takes tidy frames, draws them and returns the matplotlib Figure.

Nothing here fits or forecasts (compute first in :mod:`forecast.engine` / :mod:`forecast.assess`,
draw later). Figures are :class:`Chart`, a :class:`matplotlib.figure.Figure` built without pyplot:
they hold no global state, render with Agg in any kernel and draw themselves in a notebook
(``_repr_png_``), so ``forecast.fan_chart(...)`` as a cell's last line shows the chart. Artists carry a ``gid`` (``"observed"``,
``"median"``, ``"band80"``, ``"band95"``, ``"target"``, ``"model:<name>"``) so tests can assert on
the data drawn rather than on pixels. DejaVu Sans, matplotlib's default font, has the Vietnamese
glyphs.
"""

from __future__ import annotations

import io
import itertools
import textwrap
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Annotation
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import IdentityTransform

from forecast.data import provenance
from forecast.report.pages.text import (
    BADGE_COLOURS,
    CATEGORIES,
    category_label,
    indicator_name,
    labels,
    model_label,
    t,
    unit_label,
)

DPI = 90
FAN_COLOUR = "#1f5fa8"
TARGET_COLOUR = "#c62828"
#: Width (inches) at which a brief's chart prints: half the A4 text width (``style.css``: two charts
#: a row, ``width: 49.5%`` of 186 mm). Charts are drawn at this size, so their type prints at its
#: nominal size: :data:`FONT` (legends, ticks, target labels) is never under 7 pt on paper.
PRINT_WIDTH_IN = 0.495 * 186 / 25.4
FAN_SIZE = (3.6, 3.0)
#: A fan chart whose legend the page writes under it (``legend=False``): the legend's 0.5 in less.
FAN_SIZE_BARE = (3.6, 2.5)
FONT = 7.5
TITLE_FONT = 8.5
#: Characters a line of a target's name beside a chart holds before it wraps.
LABEL_WIDTH = 24


class Chart(Figure):
    """A matplotlib Figure that Jupyter draws by itself (``_repr_png_``), whatever the backend.

    Our figures are not pyplot's: no backend shows them at the end of a cell and none is left
    open to be shown twice; a notebook displays one when it is a cell's value or passed to
    ``display``, with no ``%matplotlib`` magic. Under ``%matplotlib inline`` IPython's own
    formatter for figures draws it instead (once).
    """

    def _repr_png_(self) -> tuple[bytes, dict[str, int]]:
        buf = io.BytesIO()
        self.savefig(buf, format="png", dpi=2 * DPI)  # twice as sharp on a high-density screen
        width, height = self.get_size_inches() * DPI
        return buf.getvalue(), {"width": round(width), "height": round(height)}


def _canvas(ax: Axes | None, figsize: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.get_figure(root=True), ax  # type: ignore[return-value]  # an Axes of ours is on a Figure
    fig = Chart(figsize=figsize, dpi=DPI, layout="constrained")
    return fig, fig.subplots()


def _one_model(forecasts: pd.DataFrame, model: str | None) -> pd.DataFrame:
    """Rows of ``model``; else of ``ensemble`` when present; else of the first model by name."""
    if "model" not in forecasts.columns or forecasts.empty:
        return forecasts
    models = forecasts["model"].unique()
    chosen = model if model in models else ("ensemble" if "ensemble" in models else sorted(models)[0])
    return forecasts[forecasts["model"] == chosen]


def _target_label(r: dict, lang: str, with_province: bool) -> str:
    """``2025: ≤ 5,0‰``; ``Hà Nam, 2025: ≥ 95,0%`` when targets of several plans share the chart."""
    from forecast.report.pages.html import target_text

    year = int(r["year"])
    text = f"{year}: {target_text(r, lang)}" if "comparator" in r or "unit" in r else ""
    if not text:  # a bare frame of year and value
        text = f"{year}: {r['value']:g}"
    province = r.get("province")
    text = f"{province}, {text}" if with_province and isinstance(province, str) and province else text
    # a long name (a range's aspiration, a unit "/10.000 dân") on two lines: on one it took half the
    # chart's width and squeezed the axes until the years ran into each other (Lâm Đồng's beds)
    return textwrap.fill(text, LABEL_WIDTH, break_long_words=False, break_on_hyphens=False)


def _draw_targets(
    ax: Axes, target_rows: pd.DataFrame, x0: float, lang: str
) -> list[tuple[float, float, str]]:
    """Draw each target as a dashed line to its year, a star there, a range as a bar at its year, and a
    label for every target (:func:`_label_targets`). The earliest target year's lines start at ``x0``
    (the last observation), a later year's at the year before it.

    Targets equal in year and value (a merged province's old plans) are drawn once, labelled once.
    Returns ``(year, value, label)`` of each target drawn, for :func:`_label_targets`.
    """
    rows = target_rows.dropna(subset=["value"]).sort_values("year", kind="stable").to_dict("records")
    with_province = len({r.get("province") for r in rows}) > 1
    years = sorted({float(r["year"]) for r in rows})
    # a staircase: a later target's line starts at the earlier target's year, so lines of several
    # target years never lie on top of each other (Hà Nam's infant mortality: 5,0 then 4,8)
    starts = {y: (x0 if i == 0 else years[i - 1]) for i, y in enumerate(years)}
    marks: dict[tuple, list[str]] = {}
    for r in rows:
        high = r.get("value_high")
        high = None if high is None or pd.isna(high) else float(high)
        key = (float(r["year"]), float(r["value"]), high)
        label = _target_label(r, lang, with_province)
        if key in marks:
            province = r.get("province")
            if with_province and isinstance(province, str) and label not in marks[key]:
                marks[key].append(label)
            continue
        marks[key] = [label]
        x1, v = key[0], key[1]
        start = min(starts[x1], x1 - 1.0)
        ax.hlines(
            v,
            start,
            x1,
            colors=TARGET_COLOUR,
            linestyles="--",
            linewidth=1.2,
            label=t("target", lang) if len(marks) == 1 else "",
            gid="target",
        )
        if high is not None:  # the plan's range: a bar at its year, never a band over the years
            ax.vlines(x1, v, high, colors=TARGET_COLOUR, linewidth=5, alpha=0.35, gid="target-range")
        ax.plot(
            [x1], [v], marker="*", color=TARGET_COLOUR, markersize=8, linestyle="none", gid="target-point"
        )
    return [(k[0], k[1], "\n".join(v)) for k, v in marks.items()]


class _Spread:
    """Heights of the target names beside a chart, worked out whenever the chart is drawn.

    Each name sits at its target's height, moved apart where two would overlap: one line of label
    text (and a little air) needs ``1.25 * FONT`` points, so the spacing depends on the axes'
    height on the page, which the layout engine settles only as the figure is drawn. Asked then
    (by each name and leader line as it is placed), it needs no layout pass of its own while the
    chart is built, and stays right when the figure is resized. ``ax`` is the chart's axes,
    ``marks`` the targets' ``(value, lines of text)`` sorted by value.
    """

    def __init__(self, ax: Axes, marks: list[tuple[float, int]]):
        self.ax, self.marks = ax, marks

    def fractions(self) -> list[float]:
        """Each name's height as a fraction of the axes, bottom to top."""
        lo, hi = self.ax.get_ylim()
        fig: Figure = self.ax.get_figure(root=True)  # type: ignore[assignment]  # our axes are on a Figure
        height_in = max(self.ax.bbox.height, 1.0) / fig.dpi
        step = 1.25 * FONT / 72 / height_in  # one line of label text, in axes fraction
        sizes = [step * lines for _, lines in self.marks]
        ys = [(v - lo) / (hi - lo) for v, _ in self.marks]
        for i in range(1, len(ys)):  # upwards: each label above the one below it
            ys[i] = max(ys[i], ys[i - 1] + (sizes[i - 1] + sizes[i]) / 2)
        ys[-1] = min(ys[-1], 1 - sizes[-1] / 2)
        for i in range(len(ys) - 2, -1, -1):  # then down from the top, if the last one left the axes
            ys[i] = min(ys[i], ys[i + 1] - (sizes[i + 1] + sizes[i]) / 2)
        return ys


class _Name(Annotation):
    """A target's name in the right margin, at the height :class:`_Spread` gives it when placed.

    Written as a right y axis' tick label would be (4 pt from the axes, centred on its height);
    an Annotation, so the layout engine makes room for it.
    """

    def __init__(self, spread: _Spread, i: int, text: str):
        super().__init__(
            text,
            xy=(1.0, 0.0),
            xycoords="axes fraction",
            xytext=(4.0, 0.0),
            textcoords="offset points",
            ha="left",
            va="center_baseline",
            fontsize=FONT,
            color=TARGET_COLOUR,
            annotation_clip=False,
            gid="target-label",
        )
        self.spread, self.i = spread, i

    def update_positions(self, renderer: Any) -> None:
        self.xy = (1.0, self.spread.fractions()[self.i])
        super().update_positions(renderer)


class _Leader(Annotation):
    """A thin line from a target's star to its name, drawn only when :class:`_Spread` moved the name."""

    def __init__(self, spread: _Spread, i: int, xy: tuple[float, float]):
        super().__init__(
            "",
            xy=xy,
            xytext=(1.0, 0.0),
            textcoords="axes fraction",
            annotation_clip=False,
            arrowprops={"arrowstyle": "-", "color": TARGET_COLOUR, "linewidth": 0.5, "alpha": 0.6},
            gid="target-leader",
        )
        self.spread, self.i = spread, i
        self.set_in_layout(False)  # inside the axes: nothing for the layout to make room for

    def draw(self, renderer: Any) -> None:
        lo, hi = self.spread.ax.get_ylim()
        y = self.spread.fractions()[self.i]
        if abs(y - (self.xy[1] - lo) / (hi - lo)) > 1e-6:
            self.xyann = (1.0, y)
            super().draw(renderer)


def _label_targets(ax: Axes, targets: list[tuple[float, float, str]]) -> None:
    """Name each target in the right margin at its height, moved apart where two are close.

    The names (``gid="target-label"``) are annotations the figure's layout makes room for; their
    heights are worked out as the chart is drawn (:class:`_Spread`), and a name moved off its
    target's height is joined to its star by a thin line (``gid="target-leader"``). Every target
    line is named, even two at almost one height (5,0 and 4,8).
    """
    marks = sorted(targets, key=lambda m: m[1])
    spread = _Spread(ax, [(v, text.count("\n") + 1) for _, v, text in marks])
    for i, (x1, v, text) in enumerate(marks):
        for artist in (_Name(spread, i, text), _Leader(spread, i, (x1, v))):
            ax.add_artist(artist)
            artist.set_transform(IdentityTransform())  # as Axes.annotate leaves it: not transData,
            artist.set_clip_on(False)  # not clipped to the axes (add_artist clips what it adds)


def target_labels(ax: Axes) -> list[str]:
    """The names written beside a chart's targets (:func:`_label_targets`), bottom to top."""
    return [a.get_text() for a in ax.get_children() if isinstance(a, _Name)]


def fan_chart(
    observations: pd.DataFrame,
    forecasts: pd.DataFrame,
    target_rows: pd.DataFrame | None = None,
    *,
    model: str | None = None,
    until: int | None = None,
    lang: str = "vi",
    title: str | None = None,
    ax: Axes | None = None,
    anchors: pd.DataFrame | None = None,
    context: pd.DataFrame | None = None,
    legend: bool = True,
) -> Figure:
    """Draw observed points, the median forecast, its 80 % and 95 % bands, and the targets.

    Parameters
    ----------
    observations
        One series: ``year``, ``value`` (already filtered to a geo and indicator); with a
        ``source`` column naming several publishers, each publisher's points get their own marker.
    forecasts
        Forecasts frame of the same series: ``year``, ``q025``, ``q10``, ``q50``, ``q90``,
        ``q975`` (and ``model``; see ``model``).
    target_rows
        Targets or assessments of the series: ``year``, ``value``, optional ``value_high``.
        Each is drawn as a line (a band for a range) that ends at its year.
    model
        Model to draw when ``forecasts`` holds several; default ``ensemble`` if present,
        else the first by name.
    until
        Last forecast year drawn; default the year after the last target (all years when
        there is no target).
    lang, title, ax
        Label language (``vi``/``en``), axes title (wrapped when long), and axes to draw on
        (default a new figure).
    anchors, context
        For a borrowed series shifted by a province's gap (``observations`` and ``forecasts``
        already shifted, :func:`forecast.assess.used.used_series`): the own points the shift
        was measured at, drawn as red diamonds, and the series before the shift, a thin grey line.
    legend
        Draw the legend under the axes (default). False for a page that writes it under the image
        in HTML (:func:`forecast.report.pages.html.figure_html` with ``legend=True``): the same
        keys and words, a fifth of the chart's drawing time less, and a figure 0.5 in shorter.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import forecast
    >>> obs = forecast.load_observations("Lâm Đồng", "imr")  # doctest: +SKIP
    >>> fc = forecast.forecast_series("Lâm Đồng", "imr")  # doctest: +SKIP
    >>> targets = forecast.select_targets(forecast.load_targets(), "Lâm Đồng", indicator="imr")  # doctest: +SKIP
    >>> forecast.fan_chart(obs, fc, targets, lang="en")  # draws in a notebook  # doctest: +SKIP
    """
    fig, ax = _canvas(ax, FAN_SIZE if legend else FAN_SIZE_BARE)
    obs = observations.dropna(subset=["value"]).sort_values("year")
    anchors = pd.DataFrame(columns=["year", "value"]) if anchors is None else anchors
    shifted = len(anchors) > 0
    if shifted and context is not None and len(context):
        c = context.dropna(subset=["value"]).sort_values("year")
        ax.plot(
            c["year"],
            c["value"],
            color="grey",
            linewidth=0.8,
            label=t("unshifted_series", lang),
            gid="context",
        )
    fc = _draw_fan(ax, _one_model(forecasts, model).sort_values("year"), until, target_rows, lang)
    marks: list[tuple[float, float, str]] = []
    _draw_observed(ax, obs, t("observed_shifted", lang) if shifted else None, lang)
    if shifted:
        ax.plot(
            anchors["year"],
            anchors["value"],
            "D",
            color=TARGET_COLOUR,
            markersize=5,
            linestyle="none",
            label=t("anchor_points", lang),
            gid="anchor",
        )
    if target_rows is not None and len(target_rows):
        # from the last observation: lines of several target years never pile up over the history
        x0 = float(obs["year"].max()) if len(obs) else float(target_rows["year"].min()) - 5
        marks = _draw_targets(ax, target_rows, x0, lang)
    seen = pd.concat([obs, anchors[["year", "value"]]]) if shifted else obs
    ax.set_ylim(*_focus(seen, fc, target_rows))
    _finish(ax, observations, title, lang, legend)
    _label_targets(ax, marks)
    return fig


#: Markers of the observed points of a series' publishers, in the order of their first year.
PUBLISHER_MARKERS = ("o", "s", "^")


def _draw_observed(ax: Axes, obs: pd.DataFrame, label: str | None, lang: str) -> None:
    """Draw the observed points: one marker per publisher when several published the series.

    A series joined from several publishers (the national beds: the World Bank's series to 2017,
    then a figure published for 2023) may step where the publisher changes, a change of
    definition rather than of beds; each publisher (:func:`forecast.data.provenance.publisher` of
    the ``source`` column) gets its own marker (:data:`PUBLISHER_MARKERS`) and legend entry naming
    it, so the reader sees where. ``label`` (a shifted series' points) keeps them as one.
    """
    codes = provenance.with_provenance(obs)["publisher"]  # "published" for rows without a source
    groups = list(dict.fromkeys(codes))
    if label is not None or len(groups) < 2:  # one set of points, named once
        groups, codes = [""], pd.Series("", index=obs.index)
    for marker, code in zip(itertools.cycle(PUBLISHER_MARKERS), groups):
        part = obs[codes == code]
        words = label or (t(f"observed_by.{code}", lang) if code else t("observed", lang))
        ax.plot(
            part["year"],
            part["value"],
            marker,
            linestyle="none",
            color="black",
            markersize=3.5,
            label=words,
            gid="observed",
        )


def _draw_fan(
    ax: Axes, fc: pd.DataFrame, until: int | None, target_rows: pd.DataFrame | None, lang: str
) -> pd.DataFrame:
    """Draw the 95 % and 80 % bands and the median up to ``until``; return the rows drawn."""
    if until is None and target_rows is not None and len(target_rows):
        until = int(target_rows["year"].max()) + 1
    fc = fc if until is None else fc[fc["year"] <= until]
    if len(fc):
        x = fc["year"].to_numpy(float)
        ax.fill_between(
            x,
            fc["q025"],
            fc["q975"],
            color=FAN_COLOUR,
            alpha=0.15,
            linewidth=0,
            label=t("band95", lang),
            gid="band95",
        )
        ax.fill_between(
            x,
            fc["q10"],
            fc["q90"],
            color=FAN_COLOUR,
            alpha=0.3,
            linewidth=0,
            label=t("band80", lang),
            gid="band80",
        )
        ax.plot(x, fc["q50"], color=FAN_COLOUR, linewidth=1.8, label=t("median", lang), gid="median")
    return fc


def _finish(ax: Axes, observations: pd.DataFrame, title: str | None, lang: str, legend: bool = True) -> None:
    """Label the axes (the y axis with the series' name unless there is a title), grid, legend.

    The years on the x axis need no label; type is :data:`FONT` points, as printed.
    """
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=6))  # 2008, never 2007.5
    _no_label(ax.xaxis)
    ax.tick_params(labelsize=FONT)
    _label_y(ax, observations, lang, with_name=not title)
    if title:
        # from the axes' left edge, on lines that fit the figure: layout engines leave a title's width
        # out of the layout (``for_layout_only``), so a centred long one was cut at the figure's edge
        ax.set_title(_wrap(title, 44), fontsize=TITLE_FONT, loc="left", y=_title_y(ax))
    ax.grid(alpha=0.3)
    if legend:
        _legend_below(ax)


def _no_label(axis: Any) -> None:
    """Hide an axis' (empty) label and fix where it would be.

    An axis places its label beside its tick labels by measuring them, and those of every axes
    it is aligned with, at each layout pass and draw; an axis without a label (a fan chart's
    years) has nothing to place, so nothing is measured.
    """
    axis.label.set_visible(False)
    axis.set_label_coords(0.5, 0.5)


def _title_y(ax: Axes) -> float | None:
    """Where a title goes: ``1.0`` (on the axes) when nothing can rise above the axes, else None (auto).

    Matplotlib's automatic title position lifts the title over x tick labels on top or the y
    axis' offset text ("1e6"); to know, it measures every tick label of every sibling axes at each
    layout pass and draw (a sixth of a fan chart's time). Our x ticks are below, so without an
    offset text the automatic position is ``y=1.0``: given, nothing is measured.
    """
    axis = ax.yaxis
    formatter = axis.get_major_formatter()
    formatter.set_locs(list(axis.get_majorticklocs()))
    offset = formatter.get_offset() if hasattr(formatter, "get_offset") else ""
    on_top = ax.xaxis.get_ticks_position() in ("top", "unknown") or ax.xaxis.get_label_position() == "top"
    return None if offset or on_top else 1.0


def _legend_below(ax: Axes) -> None:
    """The legend under the axes in two columns: it never covers the data, the targets or their labels."""
    ax.legend(
        fontsize=FONT,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.09),
        ncol=2,
        frameon=False,
        borderaxespad=0.0,
        handlelength=1.6,
        columnspacing=1.0,
    )


def _focus(obs: pd.DataFrame, fc: pd.DataFrame, target_rows: pd.DataFrame | None) -> tuple[float, float]:
    """Y limits that show the observations, the 80 % band and the targets (the 95 % band may be cut).

    A wide 95 % band of a log-scale forecast would otherwise squash the history into a line.
    """
    parts = [obs["value"]] + ([fc["q10"], fc["q90"]] if len(fc) else [])
    if target_rows is not None and len(target_rows):
        parts += [target_rows["value"]] + ([target_rows["value_high"]] if "value_high" in target_rows else [])
    values = pd.concat([pd.Series(p, dtype=float) for p in parts]).dropna()
    if values.empty:
        return 0.0, 1.0
    lo, hi = float(values.min()), float(values.max())
    pad = 0.08 * (hi - lo) if hi > lo else max(abs(hi) * 0.05, 0.5)
    return lo - pad, hi + pad


def _label_y(ax: Axes, observations: pd.DataFrame, lang: str, with_name: bool) -> None:
    """Label the y axis with the unit, preceded by the indicator's name when there is no title."""
    if "indicator" not in observations.columns or observations.empty:
        return
    code = str(observations["indicator"].iloc[0])
    unit = unit_label(str(observations["unit"].iloc[0]), lang).strip() if "unit" in observations else ""
    name = indicator_name(code, lang) if with_name else ""
    ax.set_ylabel(f"{name} ({unit})" if name and unit else name or unit, fontsize=FONT)


def heatmap_year(assessments: pd.DataFrame) -> int | None:
    """The target year the heatmap shows: the year with the most assessed targets (latest on a tie)."""
    years = assessments["year"].dropna().astype(int) if "year" in assessments else pd.Series(dtype=int)
    if years.empty:
        return None
    counts = years.value_counts()
    return int(max(counts[counts == counts.max()].index))


def _cell_rows(assessments: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """One assessment per (province, indicator): the given year's target, else the nearest year's
    (the later on a tie), so a province whose plan sets other years (Bắc Giang 2030, Lào Cai 2024)
    keeps its column; without ``year``, the latest target year."""
    a = assessments
    if year is None:
        return a.sort_values("year").drop_duplicates(["province", "indicator"], keep="last")
    distance = (a["year"].astype(float) - year).abs()
    ordered = a.assign(_d=distance, _later=-a["year"].astype(float)).sort_values(
        ["_d", "_later"], kind="stable"
    )
    return ordered.drop_duplicates(["province", "indicator"], keep="first").drop(columns=["_d", "_later"])


#: Most provinces in one heatmap: more are drawn as several (:func:`category_heatmaps`), each shown
#: at 78 % or more of its size in a page's 60rem column (one of 86 provinces drew 41 in wide and
#: was shown at 15 %; `--all` now draws eight of 10-11).
HEATMAP_COLUMNS = 12


def category_heatmaps(
    assessments: pd.DataFrame, lang: str = "vi", *, year: int | None = None, most: int = HEATMAP_COLUMNS
) -> list[Figure]:
    """:func:`category_heatmap` of every province, in heatmaps of at most ``most`` provinces each.

    The provinces are split into parts of nearly equal size, in the heatmap's own order; every part
    has the same indicator rows, so the heatmaps read as one table cut into pieces.
    """
    cells = _cell_rows(assessments, year)
    provinces = sorted(cells["province"].unique())
    parts = max(1, -(-len(provinces) // most))
    # the cells are assessments already one per (province, indicator): each heatmap keeps them as they are
    return [
        category_heatmap(cells, lang, year=year, provinces=list(chunk))
        for chunk in np.array_split(np.asarray(provinces, dtype=object), parts)
    ]


def category_heatmap(
    assessments: pd.DataFrame,
    lang: str = "vi",
    *,
    year: int | None = None,
    drop_empty: bool = True,
    provinces: list[str] | None = None,
    ax: Axes | None = None,
) -> Figure:
    """Draw the categories of indicators (rows) × provinces (columns) as coloured cells.

    Where a province has several targets for an indicator, the cell shows ``year``'s target, or
    the latest target year when ``year`` is None. With ``drop_empty``, indicators without data in
    any province are left out. The image array holds category positions in
    :data:`forecast.report.pages.text.CATEGORIES` (NaN where there is no target).

    Parameters
    ----------
    assessments
        A run's assessments (``province, indicator, year, verdict``).
    lang
        Label language (``vi`` or ``en``).
    year, drop_empty, ax
        The target year shown (default :func:`heatmap_year`'s), whether to drop indicators without
        data, and axes to draw on (default a new figure).
    provinces
        The columns drawn, in this order (default every province); the rows stay those of every
        province, so that the heatmaps of :func:`category_heatmaps` share them.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import forecast
    >>> forecast.category_heatmap(forecast.load_run().assessments, year=2025)  # doctest: +SKIP
    """
    cells = _cell_rows(assessments, year)
    if drop_empty:
        has_data = cells.groupby("indicator")["verdict"].transform(lambda c: (c != "no_data").any())
        cells = cells[has_data]
    codes = cells.assign(code=cells["verdict"].map({c: i for i, c in enumerate(CATEGORIES)}))
    grid = codes.pivot(index="indicator", columns="province", values="code").astype(float)
    if provinces is not None:
        grid = grid.reindex(columns=provinces)
        cells = cells[cells["province"].isin(provinces)]
    # 0.45 in a province, the legend under the grid: ten provinces draw 6.9 in wide, shown at 88%
    # in the page's 60rem column (at 0.9 in, the legend beside, they drew 12.6 in and were shown at
    # half size: 7-pt names read as 3.5 pt)
    # (never under 4.8 in: a province or two keep room for the legend under their names)
    fig, ax = _canvas(ax, (max(2.4 + 0.45 * grid.shape[1], 4.8), 1.4 + 0.26 * max(grid.shape[0], 1)))
    cmap = ListedColormap([BADGE_COLOURS[c] for c in CATEGORIES]).with_extremes(bad="white")
    ax.imshow(
        np.ma.masked_invalid(grid.to_numpy()),
        cmap=cmap,
        vmin=-0.5,
        vmax=len(CATEGORIES) - 0.5,
        aspect="auto",
        interpolation="nearest",
    )
    # whole names, wrapped on two or three lines, never cut ("…người dân t…")
    ax.set_yticks(range(grid.shape[0]), [_wrap(indicator_name(c, lang), 40) for c in grid.index], fontsize=7)
    ax.set_xticks(range(grid.shape[1]), grid.columns, fontsize=8)
    ax.xaxis.tick_top()
    # slanted, so that neighbouring names such as "Lâm Đồng (mới)" and "Ninh Bình (mới)" never overlap
    for label in ax.get_xticklabels():
        label.set(rotation=35, ha="left", rotation_mode="anchor")
    national = _mark_cells(ax, cells, grid, year)
    present = [c for c in CATEGORIES if c in set(cells["verdict"])]
    handles = [Patch(color=BADGE_COLOURS[c], label=category_label(c, lang)) for c in present]
    if national:
        handles.append(
            Patch(facecolor="white", edgecolor="#37474f", hatch="///", label=t("heatmap_national", lang))
        )
    _legend_under(ax, handles)
    return fig


def _legend_under(ax: Axes, handles: list) -> None:
    """The legend under the grid, its right edge at the grid's, in as many columns (3, 2, 1) as the
    figure's width holds: it then reaches left under the indicator names, never past the figure."""
    fig: Figure = ax.get_figure(root=True)  # type: ignore[assignment]  # our axes are on a Figure
    for ncols in (3, 2, 1):
        legend = ax.legend(
            handles=handles, fontsize=7, frameon=False, loc="upper right", bbox_to_anchor=(1, 0), ncols=ncols
        )
        if legend.get_window_extent().width <= 0.9 * fig.bbox.width:
            return


def _mark_cells(ax: Axes, cells: pd.DataFrame, grid: pd.DataFrame, year: int | None) -> bool:
    """Hatch the cells measured against a national target (``gid="national-target"``), not the
    plan's own, and write the target year in a cell whose year is not the heading's. Returns
    whether any cell is national."""
    from forecast.registry.national_targets import PLAN_ID

    rows = {ind: i for i, ind in enumerate(grid.index)}
    cols = {p: j for j, p in enumerate(grid.columns)}
    national = False
    for r in cells.to_dict("records"):
        i, j = rows.get(r["indicator"]), cols.get(r["province"])
        if i is None or j is None:
            continue
        if r.get("plan_id") == PLAN_ID:
            national = True
            ax.add_patch(
                Rectangle(
                    (j - 0.5, i - 0.5),
                    1,
                    1,
                    fill=False,
                    hatch="///",
                    edgecolor="#37474f",
                    linewidth=0,
                    gid="national-target",
                )
            )
        if year is not None and int(r["year"]) != year:
            dark = r["verdict"] in ("very_unlikely", "missed", "achieved", "no_data")
            ax.text(
                j,
                i,
                str(int(r["year"])),
                ha="center",
                va="center",
                fontsize=6.5,
                color="white" if dark else "black",
                gid="cell-year",
            )
    return national


def _wrap(title: str, width: int = 62) -> str:
    """A chart title on lines of at most ``width`` characters (a long one is never cut off)."""
    return "\n".join(textwrap.wrap(title, width)) or title


def p_attain_hist(assessments: pd.DataFrame, lang: str = "vi", *, ax: Axes | None = None) -> Figure:
    """Draw the distribution of P(attain), stacked by category, in ten bins over [0, 1].

    Parameters
    ----------
    assessments
        A run's assessments (``p_attain``, ``verdict``).
    lang, ax
        Label language (``vi``/``en``) and axes to draw on (default a new figure).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import forecast
    >>> forecast.p_attain_hist(forecast.load_run().assessments, lang="en")  # doctest: +SKIP
    """
    fig, ax = _canvas(ax, (5.0, 3.0))
    a = assessments.dropna(subset=["p_attain"])
    present = [c for c in CATEGORIES if c in set(a["verdict"])]
    data = [a.loc[a["verdict"] == c, "p_attain"].to_numpy(float) for c in present]
    if present:
        ax.hist(
            data,
            bins=list(np.linspace(0, 1, 11)),
            stacked=True,
            label=[category_label(c, lang) for c in present],
            color=[BADGE_COLOURS[c] for c in present],
            edgecolor="white",
        )
        ax.legend(fontsize=7, frameon=False)
    ax.set_xlim(0, 1)
    ax.set_xlabel(t("p_attain", lang))
    ax.set_ylabel(t("count", lang))
    return fig


def model_comparison(
    observations: pd.DataFrame,
    forecasts: pd.DataFrame,
    target_rows: pd.DataFrame | None = None,
    *,
    lang: str = "vi",
    title: str | None = None,
    ax: Axes | None = None,
    legend: bool = True,
) -> Figure:
    """Draw every model's median forecast (line ``gid="model:<name>"``) side by side.

    The 80 % band is drawn for ``ensemble`` only (nine overlapping bands would hide the lines).

    Parameters
    ----------
    observations
        One series: ``year``, ``value``.
    forecasts
        Its forecasts by several models (``model``, ``year``, ``q10``, ``q50``, ``q90``), e.g. a
        run's ``model_forecasts`` (:func:`forecast.assess.runs.load_series_detail`).
    target_rows
        Targets of the series (``year``, ``value``, optional ``value_high``).
    lang, title, ax
        Label language, axes title and axes to draw on (default a new figure).
    legend
        Draw the legend beside the axes (default). False for a page that writes it under the image
        in HTML (:func:`forecast.report.pages.html.figure_html` with ``legend=True``): half the
        chart's drawing time (nine models' entries), the axes the figure's whole width.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import forecast
    >>> from forecast.assess import runs
    >>> run = forecast.load_run(province="Lâm Đồng")  # doctest: +SKIP
    >>> detail = runs.load_series_detail(None, run.run_id, "Lâm Đồng", "imr")  # doctest: +SKIP
    >>> forecast.model_comparison(forecast.load_observations("Lâm Đồng", "imr"),  # doctest: +SKIP
    ...                           detail["model_forecasts"])
    """
    fig, ax = _canvas(ax, (6.5, 3.6))
    for i, (name, fc) in enumerate(sorted(forecasts.groupby("model"), key=lambda p: p[0])):
        fc = fc.sort_values("year")
        colour = f"C{i % 10}"
        if name == "ensemble":
            ax.fill_between(
                fc["year"].to_numpy(float),
                fc["q10"],
                fc["q90"],
                color=colour,
                alpha=0.15,
                linewidth=0,
                label=t("band80", lang),
                gid="band80:ensemble",
            )
        ax.plot(
            fc["year"],
            fc["q50"],
            color=colour,
            linewidth=2.2 if name == "ensemble" else 1.2,
            label=model_label(name, lang),  # words in the page's language, never the code
            gid=f"model:{name}",
        )
    obs = observations.dropna(subset=["value"]).sort_values("year")
    ax.plot(
        obs["year"],
        obs["value"],
        "o",
        color="black",
        markersize=3.5,
        label=t("observed", lang),
        gid="observed",
    )
    if target_rows is not None and len(target_rows) and len(obs):
        _label_targets(ax, _draw_targets(ax, target_rows, float(obs["year"].max()), lang))
    ax.set_xlabel(t("year", lang))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if title:
        ax.set_title(_wrap(title), fontsize=10)
    ax.grid(alpha=0.3)
    if legend:  # beside the axes: nine models' labels inside would cover the data and the targets
        ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    return fig


def rate_sensitivity(rates: pd.DataFrame, lang: str = "vi", *, ax: Axes | None = None) -> Figure:
    """Draw the observed annual rate of change against the window it is measured over.

    Parameters
    ----------
    rates
        Columns ``window`` (years) and ``rate`` (annual % change), and optionally
        ``rate_required`` (drawn as a horizontal reference line), as
        :func:`forecast.assess.assessment.rate_windows` returns them.
    lang, ax
        Label language and axes to draw on (default a new figure).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import forecast
    >>> from forecast.assess.assessment import rate_windows
    >>> forecast.rate_sensitivity(rate_windows(forecast.load_observations("Lâm Đồng", "imr")))  # doctest: +SKIP
    """
    fig, ax = _canvas(ax, (4.5, 2.8))
    ax.plot(rates["window"], rates["rate"], "o-", color=FAN_COLOUR, gid="rate")
    if "rate_required" in rates.columns and rates["rate_required"].notna().any():
        ax.axhline(
            float(rates["rate_required"].dropna().iloc[0]),
            color=TARGET_COLOUR,
            linestyle="--",
            label=t("target", lang),
            gid="rate_required",
        )
        ax.legend(fontsize=7, frameon=False)
    ax.axhline(0, color="grey", linewidth=0.6)
    ax.set_xlabel(labels("plots", lang)["window"])
    ax.set_ylabel(labels("plots", lang)["rate_axis"])
    ax.grid(alpha=0.3)
    return fig


def scenario_lines(fig: Figure, paths: pd.DataFrame, label: str, until: int | None = None) -> Figure:
    """Add a scenario path (``year, value``; :mod:`forecast.assess.scenarios`) to a fan chart, dashed."""
    ax = fig.axes[0]
    p = paths.sort_values("year")
    p = p[p["year"] <= until] if until is not None else p
    if len(p):
        ax.plot(p["year"], p["value"], "--", color="#6a1b9a", linewidth=1.6, label=label, gid="scenario")
        _legend_below(ax)
    return fig
