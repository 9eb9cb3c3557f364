"""The explorer: ipywidgets to pick a province, indicator, target year and scenario of a stored run.

:func:`explorer` builds the whole panel — widgets, their callbacks and the output area — so the
notebook (``notebooks/explore.ipynb``) only calls it and displays the panel. Nothing is fitted:
the forecasts are the run's, the scenarios are :mod:`forecast.assess.scenarios` paths.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets
import pandas as pd
from IPython.display import display

from forecast.assess import scenarios
from forecast.errors import MissingDataError
from forecast.registry import geo
from forecast.report.pages import plots, views
from forecast.report.pages.html import Html, figure_html, paragraph_html, scorecard_html
from forecast.report.pages.text import fmt_rate, indicator_name, t

__all__ = ["Explorer", "explorer"]


@dataclass(eq=False)
class Explorer:
    """The widgets, the output area and what the last callback showed (``shown``, as HTML)."""

    run: Any
    observations: pd.DataFrame
    lang: str
    controls: dict[str, widgets.Widget] = field(default_factory=dict)
    output: widgets.Output = field(default_factory=widgets.Output)
    shown: Html = field(default_factory=lambda: Html(""))

    @property
    def panel(self) -> widgets.VBox:
        """The panel to display: the controls (wrapping onto a second row if narrow) above the output."""
        row = widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap"))
        return widgets.VBox([row, self.output], layout=widgets.Layout(width="100%"))

    def _targets(self, province: str, indicator: str | None = None) -> pd.DataFrame:
        a = self.run.assessments
        a = a[(a["province"] == province) & (a["series"].fillna("") != "")]
        return a if indicator is None else a[a["indicator"] == indicator]

    def on_province(self, change: Any = None) -> None:
        """Callback: a new province offers its indicators with targets."""
        codes = list(dict.fromkeys(self._targets(self.controls["province"].value)["indicator"]))
        _choose(
            self.controls["indicator"], [(indicator_name(c, self.lang), c) for c in codes], self.on_indicator
        )

    def on_indicator(self, change: Any = None) -> None:
        """Callback: a new indicator offers its target years."""
        rows = self._targets(self.controls["province"].value, self.controls["indicator"].value)
        years = sorted({int(y) for y in rows["year"]})
        _choose(self.controls["year"], [(str(y), y) for y in years], self.update)

    def update(self, change: Any = None) -> Html:
        """Callback: draw the chosen target's fan chart with the scenario, and its table."""
        province, code = self.controls["province"].value, self.controls["indicator"].value
        rows = self._targets(province, code)
        rows = rows[rows["year"] == self.controls["year"].value] if len(rows) else rows
        if rows.empty:
            self.shown = paragraph_html(t("no_targets", self.lang, province=province))
        else:
            self.shown = self._view(rows)
        with self.output:
            self.output.clear_output(wait=True)
            display(self.shown)
        return self.shown

    def _view(self, rows: pd.DataFrame) -> Html:
        r = rows.iloc[0]
        name = self.controls["scenario"].value
        if name == "rate":
            name = f"rate={self.controls['rate'].value:g}"
        obs = self.observations
        series_obs = obs[(obs["geo"] == r["geo"]) & (obs["indicator"] == r["series"])]
        fc = self.run.forecasts
        series_fc = fc[(fc["geo"] == r["geo"]) & (fc["indicator"] == r["series"])]
        year0 = int(self.run.as_of[:4])
        paths = scenarios.scenario_paths(obs, series_fc, name, as_of_year=year0)
        table = scenarios.scenario_targets(rows, paths).assign(unit=r.get("unit", ""))
        label = views.scenario_frame(table, self.lang).iloc[0, 1]
        fig = plots.fan_chart(
            series_obs, series_fc, rows, lang=self.lang, title=indicator_name(r["indicator"], self.lang)
        )
        plots.scenario_lines(fig, paths, label, until=int(r["year"]) + 1)
        frame = views.scenario_frame(table, self.lang).to_html(index=False, classes="scenarios")
        return Html(scorecard_html(rows, self.lang) + figure_html(fig) + frame)


def _choose(widget: widgets.Dropdown, options: list[tuple[str, Any]], then: Any) -> None:
    """Offer ``options`` and select the first; call ``then`` if the value did not change (no event)."""
    first = options[0][1] if options else None
    widget.options = options
    if widget.value == first:
        then()
    else:
        widget.value = first  # its observer calls ``then``


#: Widths of the controls: the row fits a 1,280 px window beside JupyterLab's sidebar, and wraps.
WIDTHS = {"province": "210px", "indicator": "360px", "year": "120px", "scenario": "300px"}


def _rate_controls(lang: str) -> tuple[widgets.FloatSlider, widgets.Text]:
    """A slider of the steady rate (%/yr) and a text box showing it as the page writes it (−3,0).

    Either can be used: the box accepts ``-3,5``, ``−3.5`` or ``2``; a value it cannot read is
    put back. The slider draws no readout of its own (its number would be written ``-3.00``).
    """
    slider = widgets.FloatSlider(
        value=-3.0,
        min=-10.0,
        max=10.0,
        step=0.5,
        readout=False,
        continuous_update=False,
        description=t("col_rate", lang),
        style={"description_width": "initial"},
        layout=widgets.Layout(width="300px"),
    )
    box = widgets.Text(value=fmt_rate(slider.value, lang), continuous_update=False, layout={"width": "70px"})

    def typed(change: Any) -> None:
        try:
            value = float(str(change["new"]).replace("−", "-").replace(",", ".").strip())
        except ValueError:
            value = slider.value
        value = min(max(value, slider.min), slider.max)
        if value != slider.value:
            slider.value = value  # the slider's observer writes the box and redraws
        else:
            box.value = fmt_rate(value, lang)

    box.observe(typed, names="value")
    slider.observe(lambda change: setattr(box, "value", fmt_rate(change["new"], lang)), names="value")
    return slider, box


def _first_province(run: Any, provinces: list[str], province: str) -> str | None:
    """The province to show first: ``province`` (any spelling) if the run has targets for it.

    Raises
    ------
    UnknownGeoError
        If ``province`` is no province (the message suggests the closest name).
    MissingDataError
        If the run has no target with data for it (the message lists those it has).
    """
    if not province:
        return provinces[0] if provinces else None
    name = geo.resolve_geo(province)
    if name not in provinces:
        raise MissingDataError(
            f"run {getattr(run, 'run_id', '')} has no target with data for {name}: the explorer "
            f"opens one of {', '.join(provinces)}; set province to one of them"
        )
    return name


def explorer(run: Any, observations: pd.DataFrame, lang: str = "vi", province: str = "") -> Explorer:
    """Build the explorer of ``run`` (a :class:`forecast.assess.runs.Run`) and draw its first view.

    Parameters
    ----------
    run
        The stored run; its assessments choose the provinces, indicators and target years.
    observations
        Every geo's observations (the national and provincial paces of the scenarios need them).
    lang
        Language of the labels (``vi`` or ``en``).
    province
        The province shown first, in any spelling (default the first with a target).

    Returns
    -------
    Explorer
        Display its ``panel``; ``shown`` is the current view as HTML.

    Raises
    ------
    UnknownGeoError, MissingDataError
        If ``province`` is no province, or one without a target in the run (one line each).

    Examples
    --------
    >>> import forecast
    >>> run = forecast.load_run(province="Lâm Đồng")  # doctest: +SKIP
    >>> forecast.explorer(run, forecast.load_observations(), "vi", "Lâm Đồng").panel  # doctest: +SKIP
    """
    ex = Explorer(run, observations, lang)
    provinces = sorted(set(run.assessments.loc[run.assessments["series"].fillna("") != "", "province"]))
    first = _first_province(run, provinces, province)
    style = {"description_width": "initial"}

    def dropdown(key: str, **kw: Any) -> widgets.Dropdown:
        return widgets.Dropdown(
            description=t(f"col_{key}", lang), style=style, layout={"width": WIDTHS[key]}, **kw
        )

    rate, rate_box = _rate_controls(lang)
    ex.controls = {
        "province": dropdown("province", options=provinces, value=first),
        "indicator": dropdown("indicator"),
        "year": dropdown("year"),
        "scenario": dropdown(
            "scenario",
            # in words: "a steady rate (the slider)", not the table's "Tốc độ r%/năm" with its r unset
            options=[
                (t("scenario_steady" if s == "rate" else f"scenario_{s}", lang), s)
                for s in scenarios.SCENARIOS
            ],
        ),
        "rate": rate,
        "rate_text": rate_box,
    }
    ex.controls["province"].observe(ex.on_province, names="value")
    ex.controls["indicator"].observe(ex.on_indicator, names="value")
    for key in ("year", "scenario", "rate"):
        ex.controls[key].observe(ex.update, names="value")
    ex.on_province()
    return ex
