"""The library's own errors show as one line in a notebook; any other error keeps its traceback."""

from __future__ import annotations

import pytest

from forecast import errors


@pytest.mark.parametrize("cls", [errors.ForecastError, errors.UnknownGeoError, errors.StoreLockedError])
def test_a_forecast_error_renders_as_one_line(cls):
    lines = cls("unknown province 'Lam Donng': did you mean 'Lâm Đồng'?")._render_traceback_()
    assert len(lines) == 1 and lines[0].endswith(": unknown province 'Lam Donng': did you mean 'Lâm Đồng'?")
    assert cls.__name__ in lines[0]


def test_ipython_shows_one_line_for_ours_and_the_traceback_for_others(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_cell("from forecast.registry.geo import resolve_geo\nresolve_geo('Lam Donng')")
    ours = capsys.readouterr().out.strip().splitlines()
    assert len(ours) == 1 and "UnknownGeoError" in ours[0] and "did you mean 'Lâm Đồng'?" in ours[0]
    shell.run_cell("def f():\n    return 1 / 0\nf()")
    other = capsys.readouterr().out
    assert "ZeroDivisionError" in other and "Traceback" in other and len(other.splitlines()) > 3
