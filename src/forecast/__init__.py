"""forecast: will Vietnam's provincial health-plan targets be reached, and with what probability?

The verbs of an analysis, each a plain function on tidy frames (``help(forecast.<name>)``)::

    load_targets, select_targets       the plans' targets (data/targets.csv), filtered
    load_observations                  observed series of a province and/or indicator, merged provinces included
    resolve_geo, resolve_indicator     a name in any spelling -> the canonical province / indicator code
    forecast_series                    one province's series, pooled with its indicator's panel (the stored run's)
    forecast_panel, EngineSettings     every series of a frame at once, calibrated quantiles
    assess_targets                     P(attain), rates, verdicts of targets against forecasts
    load_run, list_runs                the quarterly runs saved in the store
    scenario_table                     what-if paths (a steady rate, the national pace, the best tenth)
    run_forecasts, run_report          the run of a quarter: forecast, assess, save; publish the report
    fan_chart, category_heatmap, p_attain_hist, model_comparison, rate_sensitivity   charts (they draw in Jupyter)
    explorer                           the interactive explorer (ipywidgets)

Example
-------
>>> import forecast
>>> forecast.load_targets().pipe(forecast.select_targets, province="Lâm Đồng", year=2025)  # doctest: +SKIP
>>> imr = forecast.load_observations("Lâm Đồng", "IMR")  # doctest: +SKIP
>>> fc = forecast.forecast_series("Lâm Đồng", "IMR")  # the stored run's forecast  # doctest: +SKIP
>>> forecast.fan_chart(imr, fc)  # doctest: +SKIP

The subpackages are the pipeline's stages, imported one way (``tests/test_layers.py``):
``registry`` (targets, catalogue, provinces, 2025 merger), ``data`` (readers, validation, store),
``engine`` (models, calibration, back-tests), ``assess`` (matching, attainment, runs), ``report``
(``pages``: what a page shows; ``publish``: how pages are produced), then ``pipeline`` and ``cli``.
Errors are :class:`ForecastError` (``forecast.errors``): in a notebook they show as one line.

Every name loads its module on first use (the imports are heavy: scipy, matplotlib, papermill,
ipywidgets), so ``import forecast`` and the ``forecast`` commands start in a fraction of a second.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

from forecast.errors import ForecastError, PanelWarning

if TYPE_CHECKING:  # for type checkers and completion engines; loaded on first use below
    from forecast.assess.assessment import assess_targets
    from forecast.assess.runs import list_runs, load_run
    from forecast.assess.scenarios import scenario_table
    from forecast.assess.single import forecast_series
    from forecast.data.observations import load_observations
    from forecast.engine.forecast import EngineSettings, forecast_panel
    from forecast.pipeline import run_forecasts, run_report
    from forecast.registry.geo import resolve_geo
    from forecast.registry.indicators import catalogue, resolve_indicator
    from forecast.registry.targets import load_targets, select_targets
    from forecast.report.pages.explore import explorer
    from forecast.report.pages.plots import (
        category_heatmap,
        fan_chart,
        model_comparison,
        p_attain_hist,
        rate_sensitivity,
    )

__version__ = "0.1.0"

#: Where each public name lives; its module is imported on first use (``forecast.<name>``), so
#: ``import forecast`` (and every ``forecast`` command, ``--help`` included) loads only what it uses:
#: scipy, matplotlib and the publishing stack took 1.9 s before any command could start.
_LAZY = {
    **dict.fromkeys(["load_targets", "select_targets"], "forecast.registry.targets"),
    **dict.fromkeys(["catalogue", "resolve_indicator"], "forecast.registry.indicators"),
    "resolve_geo": "forecast.registry.geo",
    "load_observations": "forecast.data.observations",
    **dict.fromkeys(["EngineSettings", "forecast_panel"], "forecast.engine.forecast"),
    "forecast_series": "forecast.assess.single",
    "assess_targets": "forecast.assess.assessment",
    **dict.fromkeys(["load_run", "list_runs"], "forecast.assess.runs"),
    "scenario_table": "forecast.assess.scenarios",
    **dict.fromkeys(["run_forecasts", "run_report"], "forecast.pipeline"),
    **dict.fromkeys(
        ["fan_chart", "category_heatmap", "p_attain_hist", "model_comparison", "rate_sensitivity"],
        "forecast.report.pages.plots",
    ),
    "explorer": "forecast.report.pages.explore",
}

__all__ = [
    "load_targets",
    "select_targets",
    "load_observations",
    "resolve_geo",
    "resolve_indicator",
    "catalogue",
    "forecast_series",
    "forecast_panel",
    "EngineSettings",
    "assess_targets",
    "load_run",
    "list_runs",
    "scenario_table",
    "run_forecasts",
    "run_report",
    "fan_chart",
    "category_heatmap",
    "p_attain_hist",
    "model_comparison",
    "rate_sensitivity",
    "explorer",
    "ForecastError",
    "PanelWarning",
    "__version__",
]


#: The stages and top modules, reachable as ``forecast.<stage>`` once ``forecast`` is imported.
_MODULES = {"registry", "data", "engine", "assess", "report", "pipeline", "config", "cli"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    if name in _MODULES:
        return import_module(f"forecast.{name}")  # the import binds it here too
    raise AttributeError(f"module 'forecast' has no attribute {name!r}")


def __dir__() -> list[str]:
    """The public names and the stages already imported: what ``forecast.<TAB>`` offers."""
    stages = {k for k, v in globals().items() if isinstance(v, ModuleType) and not k.startswith("_")}
    return sorted(set(__all__) | stages)
