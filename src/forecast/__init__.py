"""forecast: will Vietnam's provincial health-plan targets be reached, and with what probability?

Concepts, one module each:

- ``targets`` the plan registry; ``indicators`` the catalogue; ``geo`` provinces and the 2025 map
- ``data`` / ``validate`` / ``fetch`` read files and downloads; ``store`` keeps every observation
  (``sources`` picks one per year, ``status`` reports coverage); ``crosswalk`` rebuilds merged provinces
- ``models`` / ``engine`` / ``calibrate`` / ``weights`` forecast with calibrated quantiles and combine
  the models; ``backtest`` scores them
- ``assess`` / ``series_choice`` judge each target; ``runs`` stores quarterly runs
- ``plots`` draws, ``brief`` / ``fragments`` / ``narrative`` / ``labels`` write the briefs,
  ``report`` / ``jobs`` / ``render`` / ``layout`` publish the quarter; ``cli`` is the command line

Names are imported on first use, so ``import forecast`` stays fast in every notebook kernel.
"""
from importlib import import_module

__version__ = "0.1.0"

_API = {
    "load_targets": "targets", "resolve_geo": "geo", "catalogue": "indicators",
    "import_files": "store", "analysis_series": "store", "ensure_default_data": "store",
    "rebuild": "crosswalk", "forecast_panel": "models", "EngineSettings": "models",
    "evaluate": "backtest", "assess_targets": "assess",
    "run_forecasts": "runs", "load_run": "runs", "run_report": "report",
}
__all__ = [*_API, "__version__"]


def __getattr__(name: str):
    if name in _API:
        return getattr(import_module(f".{_API[name]}", __name__), name)
    raise AttributeError(f"module 'forecast' has no attribute {name!r}")
