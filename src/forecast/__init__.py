"""forecast: will Vietnam's provincial health-plan targets be reached, and with what probability?

Subpackages are the pipeline's stages; imports run one way (``tests/test_layers.py`` checks):

- ``registry`` plan targets, the indicator catalogue, provinces and the 2025 merger map
- ``data`` file readers, validation, online downloads, the observation store, the source-priority rule
- ``engine`` transforms, forecasting methods, calibration, combination, nowcasts and back-tests
- ``assess`` matching a target to a series, attainment assessment, stored runs
- ``report`` display text, views, HTML pieces, sentences, plots, notebook execution and publishing

``pipeline`` (load once, forecast, assess, save) and ``cli`` sit on top. Names are imported on
first use, so ``import forecast`` stays fast in every notebook kernel.
"""

from importlib import import_module

__version__ = "0.1.0"

_API = {
    "load_targets": "registry.targets",
    "resolve_geo": "registry.geo",
    "catalogue": "registry.indicators",
    "rebuild": "registry.crosswalk",
    "import_files": "data.store",
    "analysis_series": "data.store",
    "ensure_default_data": "data.store",
    "forecast_panel": "engine.models",
    "EngineSettings": "engine.models",
    "evaluate": "engine.backtest",
    "assess_targets": "assess.assessment",
    "load_run": "assess.runs",
    "run_forecasts": "pipeline",
    "run_report": "pipeline",
}
__all__ = [*_API, "__version__"]


def __getattr__(name: str):
    if name in _API:
        return getattr(import_module(f".{_API[name]}", __name__), name)
    raise AttributeError(f"module 'forecast' has no attribute {name!r}")
