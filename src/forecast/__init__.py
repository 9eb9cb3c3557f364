"""forecast: will Vietnam's provincial health-plan targets be reached?

Concepts, one module each: ``targets`` (the plan registry), ``geo`` (provinces and the 2025 map),
``indicators`` (the catalogue), ``data``/``store`` (observed series), ``models`` (forecasts),
``assess`` (attainment), ``plots`` (drawing only), ``report`` (notebooks to HTML), ``cli``.
"""
from .geo import resolve_geo
from .indicators import catalogue
from .targets import load_targets

__version__ = "0.1.0"
__all__ = ["load_targets", "resolve_geo", "catalogue", "__version__"]
