"""Peers and maps: where a province stands among the others, as a table and a choropleth of Vietnam.

Compute first, draw later: the ranks come from :func:`forecast.assess.peers.peer_ranks`; here they
are only written (:func:`peers_html`) and drawn (:func:`choropleth`, :func:`verdict_maps`). Maps are
drawn with geopandas on the boundaries of :mod:`forecast.registry.boundaries` (the 63 provinces
before the 2025 merger, or the 34 after), read from the shared data folder at run time, and carry
the credit geoBoundaries asks for. Figures are :class:`~forecast.report.pages.plots.Chart`, their
type at :data:`~forecast.report.pages.plots.FONT` points as printed. Artists carry a ``gid``
(``"provinces"``: the polygons in the boundaries' order, ``"highlight"``, ``"credit"``) for the tests.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.colors import Normalize, to_rgba
from matplotlib.figure import Figure
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.patches import Patch

from forecast.registry import boundaries
from forecast.report.pages.html import Html, keep_together, rows_table
from forecast.report.pages.plots import FONT, TITLE_FONT, Chart, _wrap
from forecast.report.pages.text import fmt_number, fmt_value, series_title, t

__all__ = ["MAP_SIZE", "choropleth", "map_series", "peers_html", "verdict_maps", "verdict_shares"]

#: A brief's map prints at half the A4 text width, like its charts.
MAP_SIZE = (3.6, 4.6)
NO_DATA_COLOUR = "#eceff1"
EDGE = "#90a4ae"


def _credit(ax: Axes, lang: str) -> None:
    """The credit geoBoundaries asks for, in the sea at the map's lower right (``gid="credit"``)."""
    ax.text(
        0.99,
        0.0,
        t("map_credit", lang, credit=boundaries.CREDIT),
        transform=ax.transAxes,
        fontsize=FONT - 1.0,
        color="#5b6775",
        ha="right",
        va="bottom",
        wrap=True,
        gid="credit",
    )


def _draw(ax: Axes, frame, colours: list, highlight: str | None) -> None:
    """Draw the provinces in ``colours`` (one collection, ``gid="provinces"``, in ``frame``'s order),
    the highlighted one outlined (``gid="highlight"``)."""
    frame.plot(ax=ax, color=colours, edgecolor=EDGE, linewidth=0.3)
    ax.collections[-1].set_gid("provinces")
    if highlight is not None and highlight in set(frame["geo"]):
        frame[frame["geo"] == highlight].boundary.plot(ax=ax, color="black", linewidth=1.4)
        ax.collections[-1].set_gid("highlight")
    ax.set_axis_off()
    ax.set_aspect(1 / np.cos(np.radians(16.0)))  # degrees of longitude shorter than of latitude at 16° N


def choropleth(
    values: pd.DataFrame,
    scope: str,
    *,
    lang: str = "vi",
    title: str = "",
    label: str = "",
    highlight: str | None = None,
    direction: str = "higher",
    vmin: float | None = None,
    vmax: float | None = None,
    ax: Axes | None = None,
    credit: bool = True,
) -> Figure:
    """Colour the provinces of ``scope`` by ``values`` (``geo, value``): a latest value or a P(attain).

    Green is the better end (``direction``: ``higher`` or ``lower`` is better); provinces without a
    value are light grey and said so in the legend; ``highlight`` is outlined in black.
    """
    import matplotlib

    shapes = boundaries.boundaries(scope)
    frame = shapes.merge(values[["geo", "value"]], on="geo", how="left")
    fig, ax = _canvas(ax, MAP_SIZE)
    numbers = frame["value"].astype(float)
    lo = float(numbers.min()) if vmin is None and numbers.notna().any() else (vmin or 0.0)
    hi = float(numbers.max()) if vmax is None and numbers.notna().any() else (vmax or 1.0)
    cmap = matplotlib.colormaps["RdYlGn" if direction != "lower" else "RdYlGn_r"]
    norm = Normalize(lo, hi if hi > lo else lo + 1)
    colours = [to_rgba(NO_DATA_COLOUR) if pd.isna(v) else cmap(norm(v)) for v in numbers]
    _draw(ax, frame, colours, highlight)
    bar = fig.colorbar(
        matplotlib.cm.ScalarMappable(norm=norm, cmap=cmap),
        ax=ax,
        orientation="horizontal",
        shrink=0.8,
        pad=0.02,
        aspect=30,
    )
    bar.set_label(label, fontsize=FONT)
    bar.ax.xaxis.set_label_position("top")
    bar.ax.tick_params(labelsize=FONT)
    bar.ax.xaxis.set_major_formatter(lambda x, _pos: fmt_number(x, lang, 0 if hi - lo > 10 else 1))
    if numbers.isna().any():
        ax.legend(
            handles=[Patch(facecolor=NO_DATA_COLOUR, edgecolor=EDGE, label=t("map_no_data", lang))],
            fontsize=FONT,
            frameon=False,
            loc="lower left",
        )
    if title:
        ax.set_title(_wrap(title, 48), fontsize=TITLE_FONT)
    if credit:
        _credit(ax, lang)
    return fig


def _layout() -> ConstrainedLayoutEngine:
    """Constrained layout with room above the titles: with fixed-aspect maps it lets a title reach the
    figure's top edge, and Vietnamese stacked marks ("Đ", "ể") were clipped there."""
    return ConstrainedLayoutEngine(rect=(0, 0, 1, 0.97))


def _canvas(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.get_figure(root=True), ax  # type: ignore[return-value]  # our axes are on a Figure
    fig = Chart(figsize=size, dpi=90, layout=_layout())
    return fig, fig.subplots()


def map_series(mine: pd.DataFrame, indicators_first: list[str] | None = None) -> pd.Series | None:
    """The series a brief maps: of the province's targets first, then the one most provinces report."""
    if mine.empty:
        return None
    first = set(indicators_first or [])
    order = mine.assign(_target=~mine["indicator"].isin(first), _n=-mine["n_national"].astype(float))
    return order.sort_values(["_target", "_n", "year"], ascending=[True, True, False], kind="stable").iloc[0]


def _rank(rank: object, n: object) -> str:
    return "–" if pd.isna(rank) else f"{int(rank)}/{int(n)}"  # type: ignore[call-overload]


def peers_html(mine: pd.DataFrame, region: str | None, lang: str = "vi") -> Html:
    """The province's latest value of each provincial series and its rank in its region and the country."""
    if mine.empty:
        return Html(f"<p>{html.escape(t('peers_none', lang))}</p>")
    keys = ("col_indicator", "col_year", "peers_col_value", "peers_col_region", "peers_col_national")
    body = []
    for r in mine.to_dict("records"):
        cells = [
            html.escape(series_title(str(r["series"]), lang)),
            str(int(r["year"])),
            html.escape(keep_together(fmt_value(r["value"], str(r.get("unit") or ""), lang))),
            html.escape(_rank(r["rank_region"], r["n_region"])),
            html.escape(_rank(r["rank_national"], r["n_national"])),
        ]
        body.append((f' data-series="{html.escape(str(r["series"]))}"', cells))
    note = t("peers_note", lang, region=region) if region else t("peers_note_no_region", lang)
    return Html(
        f'<p class="peers-note">{html.escape(note)}</p>'
        + rows_table("peers", [t(k, lang) for k in keys], body)
    )


def verdict_shares(assessments: pd.DataFrame) -> pd.DataFrame:
    """Per province (of the verdict tier): targets assessed, how many likely met, and the share."""
    a = assessments
    if a.empty:
        return pd.DataFrame(columns=["geo", "n", "met", "value"])
    tier = a["tier"].fillna("").astype(str) if "tier" in a.columns else pd.Series("", index=a.index)
    own = a[(tier != "indicative") & ~a["verdict"].isin(("no_data", "insufficient_data"))]
    out = own.groupby("province").agg(
        n=("verdict", "size"), met=("verdict", lambda v: int(v.isin(("achieved", "likely")).sum()))
    )
    out = out.reset_index().rename(columns={"province": "geo"})
    return out.assign(value=out["met"] / out["n"])


def verdict_maps(assessments: pd.DataFrame, lang: str = "vi") -> Figure:
    """The index's map of the verdicts: before (63 provinces) and after the 2025 merger (34), side by side.

    Each province with a brief is coloured by the share of its targets likely met on its own data
    and labelled ``k/n``; a merged province takes the rows of its old provinces' plans.
    """
    from forecast.registry import crosswalk

    shares = verdict_shares(assessments)
    cw = crosswalk.load_crosswalk()
    new_of = dict(zip(cw["old_geo"], cw["new_geo"]))
    a = assessments.assign(province=assessments["province"].map(lambda p: new_of.get(p, p)))
    merged = verdict_shares(a)
    fig = Chart(figsize=(7.2, 5.0), dpi=90, layout=_layout())
    axes = fig.subplots(1, 2)
    for ax, scope, frame, key in (
        (axes[0], "old", shares, "map_old"),
        (axes[1], "merged", merged, "map_merged"),
    ):
        choropleth(  # one credit for the figure, under the right-hand map
            frame,
            scope,
            lang=lang,
            title=t(key, lang),
            label=t("map_share_met", lang),
            vmin=0,
            vmax=1,
            ax=ax,
            credit=ax is axes[1],
        )
        shapes = boundaries.boundaries(scope).merge(frame, on="geo")
        for r in shapes.itertuples():
            point = r.geometry.representative_point()
            ax.annotate(
                f"{int(r.met)}/{int(r.n)}",
                (point.x, point.y),
                fontsize=FONT,
                ha="center",
                va="center",
                gid=f"count:{r.geo}",
                path_effects=[
                    patheffects.withStroke(linewidth=2.0, foreground="white")
                ],  # legible on any colour
            )
    for bar in fig.axes[2:]:
        bar.xaxis.set_major_formatter(lambda x, _pos: f"{fmt_number(100 * x, lang, 0)}%")
    return fig
