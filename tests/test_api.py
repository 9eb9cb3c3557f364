"""The top-level API: discoverable (``dir``, ``__all__``, docstrings with examples), and every
module the docstrings, notebooks and README name exists."""

from __future__ import annotations

import importlib
import inspect
import json
import re
import subprocess
import sys

import pytest

import forecast
from forecast import config

PUBLIC = [n for n in forecast.__all__ if not n.startswith("__")]


def test_dir_lists_every_public_name():
    assert set(forecast.__all__) <= set(dir(forecast))
    assert "import_module" not in dir(forecast) and "annotations" not in dir(forecast)


@pytest.mark.parametrize("name", PUBLIC)
def test_every_public_name_resolves_with_a_docstring_and_an_example(name):
    obj = getattr(forecast, name)
    doc = inspect.getdoc(getattr(obj, "__wrapped__", obj)) or ""
    assert doc, name
    if inspect.isfunction(getattr(obj, "__wrapped__", obj)) and name != "catalogue":
        assert "Parameters\n----------" in doc, name
    if callable(obj) and not (isinstance(obj, type) and issubclass(obj, BaseException)):
        assert "Examples\n--------" in doc and ">>> " in doc, name


def test_the_verbs_of_an_analysis_are_there():
    verbs = {"load_targets", "load_observations", "forecast_series", "forecast_panel", "assess_targets"}
    verbs |= {"run_forecasts", "run_report", "fan_chart", "category_heatmap", "explorer"}
    assert verbs <= set(forecast.__all__)


def test_import_stays_light():
    """``import forecast`` leaves the publishing stack and the widgets to the names that need them."""
    code = "import sys, forecast; print([m for m in ('papermill', 'nbconvert', 'ipywidgets', 'matplotlib.pyplot', 'statsmodels') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


#: ``forecast.a.b`` in text, not a file name such as ``forecast.po`` or ``engine/forecast.py``.
DOTTED = re.compile(r"(?<![\w/.-])forecast(?:\.[A-Za-z_]\w*)+(?!\.?\w)")
FILE_SUFFIXES = {"py", "po", "pot", "mo", "ipynb", "csv", "duckdb", "html", "yml", "toml"}


def _texts():
    root = config.PROJ_ROOT
    for path in sorted((root / "src" / "forecast").rglob("*.py")):
        yield path, path.read_text(encoding="utf-8")
    for path in sorted(config.NOTEBOOKS_DIR.glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        yield path, "\n".join("".join(c["source"]) for c in cells)
    for path in [root / "README.md", *sorted((root / "docs").glob("*.md")), root / "reports" / "README.md"]:
        if path.exists():
            yield path, path.read_text(encoding="utf-8")


def _resolves(name: str) -> bool:
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ModuleNotFoundError:
            continue
        for attr in parts[i:]:
            if not hasattr(obj, attr):
                return False
            obj = getattr(obj, attr)
        return True
    return False


def test_every_module_named_in_docstrings_notebooks_and_readme_exists():
    missing = {
        f"{name} ({path.name})"
        for path, text in _texts()
        for name in DOTTED.findall(text)
        if name.rsplit(".", 1)[-1] not in FILE_SUFFIXES and not _resolves(name)
    }
    assert not missing, sorted(missing)


def test_the_check_catches_a_missing_module():
    assert not _resolves("forecast.brief") and not _resolves("forecast.report.pages.plots.nope")
    assert _resolves("forecast.report.pages.plots.fan_chart") and _resolves("forecast.fan_chart")
