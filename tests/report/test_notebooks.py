"""Notebooks: one documented parameters cell, no def/class, no outputs; they execute on a tiny store.

The fixture store holds the hand-made frames of test_views (Hà Nam: three outcome targets with
data, one without; Đồng Nai: milestones only) as two runs, so the overview has a previous quarter.
"""

from __future__ import annotations

import queue
import re
import time
from pathlib import Path

import nbformat
import pandas as pd
import papermill as pm
import pytest
from jupyter_client import channels
from test_views import PROVINCE, make_assessments, make_forecasts, make_observations, make_targets

from forecast import config, pipeline
from forecast.engine.models import EngineSettings
from forecast.report.pages import views

NOTEBOOKS = sorted((config.NOTEBOOKS_DIR).glob("*.ipynb"))
FIXTURES = Path(__file__).resolve().parents[1] / "notebooks"
OURS = NOTEBOOKS + [FIXTURES / "good.ipynb", FIXTURES / "broken.ipynb"]
PARAM_LINE = re.compile(r'^(\w+): (str|int|float|bool) = (".*"|-?[\d.]+|True|False)  # \S.*$')


def _code(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code"]


def _parameters(nb) -> list:
    return [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]


def test_the_three_report_notebooks_exist():
    assert {p.name for p in NOTEBOOKS} >= {"province_brief.ipynb", "indicator.ipynb", "overview.ipynb"}


@pytest.mark.parametrize("path", OURS, ids=lambda p: p.name)
def test_notebook_has_one_documented_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    (cell,) = _parameters(nb)
    lines = cell.source.splitlines()
    assert lines and all(PARAM_LINE.match(line) for line in lines), lines
    documented = pm.inspect_notebook(str(path))  # what `papermill --help-notebook` prints
    assert list(documented) == [PARAM_LINE.match(line).group(1) for line in lines]
    assert all(p["help"] and p["inferred_type_name"] != "None" for p in documented.values())


@pytest.mark.parametrize("path", OURS, ids=lambda p: p.name)
def test_notebook_has_no_definitions_and_no_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in _code(nb):
        assert not re.search(r"^\s*(async\s+)?(def|class)\s", cell.source, re.M), cell.source
        assert cell.outputs == [] and cell.execution_count is None
    nbformat.validate(nb)


#: Calls that fit or back-test a model: notebooks read what the run stored instead.
FITTING = re.compile(
    r"\b(forecast_panel|backtest|backtest_series|get_model|deep_dive_tables|prepare_run)\(|\.fit\("
)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_notebook_cell_fits_a_model(path):
    nb = nbformat.read(path, as_version=4)
    for cell in _code(nb):
        assert not FITTING.search(cell.source), cell.source


def test_the_fitting_pattern_catches_a_fit():
    assert FITTING.search("x = backtest.backtest(panel, 2010, 5)")
    assert FITTING.search("m = models.get_model('naive').fit(s)")
    assert not FITTING.search("backtest.evaluate(rows, obs)")


def test_policy_brief_markdown_is_analyst_only():
    nb = nbformat.read(config.NOTEBOOKS_DIR / "province_brief.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            assert "analyst-only" in cell.metadata.get("tags", [])


def test_renderer_drops_the_analyst_only_tag():
    from forecast.report.publish import render

    assert "analyst-only" in render.POLICY_REMOVE_TAGS


def test_good_fixture_executes_with_injected_parameters(tmp_path):
    out = tmp_path / "good.ipynb"
    nb = pm.execute_notebook(
        str(FIXTURES / "good.ipynb"),
        str(out),
        parameters={"msg": "hi"},
        progress_bar=False,
        kernel_name="python3",
        execution_timeout=600,  # a hung cell fails the test, never stalls CI
    )
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert injected[0].source.splitlines()[:2] == ["# Parameters", 'msg = "hi"']
    assert "".join(o.get("text", "") for o in nb.cells[-1].outputs) == "hihi\n"


def test_broken_fixture_raises(tmp_path):
    with pytest.raises(pm.PapermillExecutionError, match="broken on purpose"):
        pm.execute_notebook(
            str(FIXTURES / "broken.ipynb"),
            str(tmp_path / "broken.ipynb"),
            progress_bar=False,
            kernel_name="python3",
            execution_timeout=600,  # a hung cell fails the test, never stalls CI
        )


# --- executing the report notebooks on a tiny store ------------------------------------------


def _national(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["indicator"] == "imr"].assign(geo="Việt Nam")


def _milestones() -> pd.DataFrame:
    t = make_targets()
    rows = t[t["kind"] != "outcome"].assign(plan_id="dongnai_2021", province="Đồng Nai")
    return pd.concat([t, rows], ignore_index=True)


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory) -> dict:
    """A store with observations (Hà Nam + VN), two runs and a registry CSV; paths as parameters."""
    from forecast.assess import runs, slices
    from forecast.data import merged
    from forecast.data import store as store_db

    folder = tmp_path_factory.mktemp("store")
    path, csv, registry = folder / "tiny.duckdb", folder / "obs.csv", folder / "targets.csv"
    obs = make_observations()
    pd.concat([obs, _national(obs)])[["geo", "indicator", "year", "value", "unit", "source"]].to_csv(
        csv, index=False
    )
    store_db.import_files([csv], path)
    _milestones().to_csv(registry, index=False)
    for run_id, as_of, shift in (("2026Q3-fixture", "2026Q3", 1), ("2026Q4-fixture", "2026Q4", 0)):
        fc = make_forecasts(run_id)
        a = make_assessments(run_id)
        detail = pipeline.deep_dive_tables(obs, pipeline.target_series(a), fc, EngineSettings())
        if shift:  # the previous quarter saw IMR on track
            a.loc[a["indicator"] == "imr", "verdict"] = "likely"
        run = runs.Run(
            run_id,
            as_of,
            pd.Timestamp.now(tz="UTC") - pd.Timedelta(days=shift),
            "fixture",
            {},
            pd.concat([fc, _national(fc)]),
            a,
            **detail,
        )
        runs.save_run(str(path), run)
        # as the pipeline does: the pages read the run's frames, never the whole store
        series, breaks = store_db.analysis_with_breaks(str(path))
        slices.save_frames(str(path), run, merged.with_merged(series), breaks)
    return {"store": str(path), "targets": str(registry), "run_id": "2026Q4-fixture"}


def _execute(
    name: str, out: Path, parameters: dict, timeout: int = 600
) -> tuple[nbformat.NotebookNode, float, str]:
    start = time.perf_counter()
    nb = pm.execute_notebook(
        str(config.NOTEBOOKS_DIR / name),
        str(out),
        parameters=parameters,
        progress_bar=False,
        kernel_name="python3",
        execution_timeout=timeout,  # a hung cell fails the test, never stalls CI
    )
    html = "\n".join(o.get("data", {}).get("text/html", "") for c in _code(nb) for o in c.outputs)
    errors = [o for c in _code(nb) for o in c.outputs if o.get("output_type") == "error"]
    assert not errors
    return nb, time.perf_counter() - start, html


def _scorecard_rows(html: str) -> int:
    body = re.search(r'<table class="scorecard">.*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return len(re.findall(r"<tr\b", body))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_province_brief_executes_on_a_tiny_store(tiny_store, tmp_path, lang):
    params = {"province": PROVINCE, "quarter": "2026Q4", "lang": lang, **tiny_store}
    _, seconds, html = _execute("province_brief.ipynb", tmp_path / "brief.ipynb", params)
    assert _scorecard_rows(html) == (make_assessments()["verdict"] != "no_data").sum()  # no data: after
    title = "Bản tin chính sách: Hà Nam — quý 4/2026" if lang == "vi" else "Policy brief: Hà Nam — Q4 2026"
    assert title in html
    assert html.count('<img class="figure"') == 3  # IMR, beds, life expectancy; stunting has no data
    assert ("Cần làm gì để đạt mục tiêu" if lang == "vi" else "What it would take") in html
    assert ("Chưa có số liệu cho" if lang == "vi" else "No data for") in html
    assert seconds < 30


def test_province_brief_for_a_plan_with_milestones_only(tiny_store, tmp_path):
    params = {"province": "Đồng Nai", "lang": "vi", **tiny_store}
    _, _, html = _execute("province_brief.ipynb", tmp_path / "dn.ipynb", params)
    assert "Bản tin chính sách: Đồng Nai" in html
    assert "không có mục tiêu kết quả định lượng" in html
    assert 'class="scorecard"' not in html and html.count('<tr class="target kind-') == 2


def test_overview_executes_and_reports_the_change(tiny_store, tmp_path):
    params = {k: v for k, v in tiny_store.items() if k != "targets"}
    _, _, html = _execute("overview.ipynb", tmp_path / "overview.ipynb", {**params, "lang": "en"})
    words = re.sub(r'src="data:[^"]*"', "", html)  # a chart's base64 bytes may spell "nan"
    assert html.count('<tr class="change">') == 1 and "revised model" in html and "nan" not in words
    assert html.count('<img class="figure"') >= 3  # heatmap, P(attain), the national IMR


def test_indicator_executes_on_a_tiny_store(tiny_store, tmp_path):
    params = {k: v for k, v in tiny_store.items() if k != "targets"}
    _, _, html = _execute(
        "indicator.ipynb",
        tmp_path / "imr.ipynb",
        {**params, "province": PROVINCE, "indicator": "beds_per_10k"},
    )
    assert "Số giường bệnh trên 10.000 dân" in html
    assert html.count('<img class="figure"') == 2


def test_indicator_by_its_name_in_capitals_shows_every_stored_model(tiny_store, tmp_path):
    params = {k: v for k, v in tiny_store.items() if k != "targets"}
    nb, _, html = _execute(
        "indicator.ipynb", tmp_path / "imr.ipynb", {**params, "province": PROVINCE, "indicator": "IMR"}
    )
    # the model table names every stored model in words (views.model_label), never by its code
    words = {views.model_label(m, "vi") for m in ("ensemble", "naive", "theta", "pooled")}
    assert len(words) == 4 and all(w in html for w in words), words
    assert "Tỷ suất tử vong trẻ em dưới 1 tuổi" in html


def test_indicator_with_an_unknown_name_fails_in_one_line(tiny_store, tmp_path):
    params = {k: v for k, v in tiny_store.items() if k != "targets"}
    with pytest.raises(pm.PapermillExecutionError) as err:
        _execute(
            "indicator.ipynb", tmp_path / "x.ipynb", {**params, "province": PROVINCE, "indicator": "IMRR"}
        )
    assert err.value.ename == "UnknownIndicatorError" and "did you mean 'imr'" in err.value.evalue


def _sliced_wait(get_msg):
    """``get_msg`` waiting in slices of a second, each slice asking the socket again."""

    async def wait(self, timeout: float | None = None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                return await get_msg(self, 1.0 if left is None else min(1.0, left))
            except queue.Empty:
                if left is not None and left <= 1.0:
                    raise

    return wait


def test_explore_executes_headless_with_its_widgets(tiny_store, tmp_path, monkeypatch):
    params = {k: v for k, v in tiny_store.items() if k != "targets"}
    # Its cells take ~3 s. With widgets, nbclient now and then takes the execute reply only when its
    # wait times out (jupyter/nbclient#312: the kernel idle, the reply there; the socket's poll missed
    # its wake-up): in full runs of the suite the test took 601 s with a 600 s timeout and 62 s with
    # 60 s. Waiting in slices of a second asks the socket again each second.
    get_msg = channels.AsyncZMQSocketChannel.get_msg
    monkeypatch.setattr(channels.AsyncZMQSocketChannel, "get_msg", _sliced_wait(get_msg))
    nb, _, html = _execute(
        "explore.ipynb", tmp_path / "explore.ipynb", {**params, "province": PROVINCE}, timeout=60
    )
    views = [
        o
        for c in _code(nb)
        for o in c.outputs
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    assert len(views) == 1  # the panel
    assert 'class="scorecard"' in html and '<img class="figure"' in html and "scenarios" in html
