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
from forecast.report.pages import plots, views
from forecast.report.pages.html import Html, figure_html, paragraph_html, scorecard_html
from forecast.report.pages.text import indicator_name, t

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
        """The panel to display: the controls above the output."""
        return widgets.VBox([widgets.HBox(list(self.controls.values())), self.output])

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
            name = f"rate={self.controls['rate'].value}"
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
        The province shown first (default the first with a target).
    """
    ex = Explorer(run, observations, lang)
    provinces = sorted(set(run.assessments.loc[run.assessments["series"].fillna("") != "", "province"]))
    first = province if province in provinces else (provinces[0] if provinces else None)
    style = {"description_width": "initial"}
    ex.controls = {
        "province": widgets.Dropdown(
            options=provinces, value=first, description=t("col_province", lang), style=style
        ),
        "indicator": widgets.Dropdown(description=t("col_indicator", lang), style=style),
        "year": widgets.Dropdown(description=t("col_year", lang), style=style),
        "scenario": widgets.Dropdown(
            options=[(t(f"scenario_{s}", lang, rate="r"), s) for s in scenarios.SCENARIOS],
            description=t("col_scenario", lang),
            style=style,
        ),
        "rate": widgets.FloatSlider(
            value=-3.0, min=-10.0, max=10.0, step=0.5, description=t("col_rate", lang), style=style
        ),
    }
    ex.controls["province"].observe(ex.on_province, names="value")
    ex.controls["indicator"].observe(ex.on_indicator, names="value")
    for key in ("year", "scenario", "rate"):
        ex.controls[key].observe(ex.update, names="value")
    ex.on_province()
    return ex
