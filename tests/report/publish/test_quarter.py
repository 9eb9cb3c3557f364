"""The quarterly run: fixture notebooks executed by papermill in worker processes, on a fake run."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from click.testing import CliRunner
from test_notebooks import tiny_store  # noqa: F401 - the fixture, shared

from forecast import config, pipeline
from forecast.cli import cli
from forecast.errors import ReportError, ValidationError
from forecast.registry import targets
from forecast.report.pages import metadata
from forecast.report.pages.text import LANGS
from forecast.report.publish import execute as report_execute
from forecast.report.publish import jobs as report_jobs
from forecast.report.publish import quarter as report
from forecast.report.publish.pdf import find_chromium

NB = Path(__file__).resolve().parents[2] / "notebooks"
FIXTURES = {
    "brief": NB / "report_brief.ipynb",
    "indicator": NB / "report_indicator.ipynb",
    "overview": NB / "report_overview.ipynb",
}


def fake_run() -> SimpleNamespace:
    """A run as runs.load_run returns it: two provinces, one outcome target without data."""
    assessments = pd.DataFrame(
        {
            "province": ["Hà Nam", "Hà Nam", "Lâm Đồng"],
            "geo": ["Hà Nam", "Hà Nam", "Lâm Đồng"],
            "indicator": ["life_expectancy", "healthy_life_years", "life_expectancy"],
            "kind": "outcome",
            "verdict": ["likely", "no_data", "achieved"],
            "latest_value": [74.0, None, 75.0],
            "latest_year": [2024, None, 2023],
            "year": [2025, 2025, 2025],
            "comparator": ">=",
            "value": [75.4, 68.0, 76.0],
            "unit": "years",
        }
    )
    return SimpleNamespace(
        run_id="run-test",
        as_of="2026Q4",
        created=pd.Timestamp("2026-11-25"),
        data_fingerprint="f1ngerpr1nt0abc",
        settings={},
        forecasts=pd.DataFrame(columns=["geo", "indicator", "model", "year", "q10", "q50", "q90"]),
        assessments=assessments,
    )


def make_published(folder: Path, text: str) -> None:
    """Make ``folder`` look like a quarter this workbench published (index and manifest)."""
    folder.mkdir()
    (folder / "index.html").write_text(text)
    (folder / "manifest.json").write_text(json.dumps({"generator": "forecast-workbench"}))


def fixture_report(out: Path, monkeypatch, notebooks: dict | None = None, **kw) -> report.ReportResult:
    """Run the report for Hà Nam on the fake run with the fixture notebooks."""
    monkeypatch.setattr(pipeline, "prepare_run", lambda quarter, store, provinces, **kw: fake_run())
    return pipeline.run_report(
        "2026Q4",
        provinces=["Ha Nam"],
        out=out,
        store=out / "store.duckdb",
        jobs=2,
        notebooks={**FIXTURES, **(notebooks or {})},
        **kw,
    )


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> report.ReportResult:
    mp = pytest.MonkeyPatch()
    try:
        return fixture_report(tmp_path_factory.mktemp("reports"), mp)
    finally:
        mp.undo()


def test_layout_of_a_published_quarter(published):
    q = published.folder
    assert published.index == q / "index.html" and not published.failures
    every = sorted(p.relative_to(q).as_posix() for p in q.rglob("*") if p.is_file())
    files = [f for f in every if not f.startswith("indicators/")]
    pdf = ["briefs/ha-nam.pdf"] if find_chromium() else []
    # an indicator page in each language for every indicator of a target (registry and run), and the list
    codes = metadata.target_indicators(targets.load_targets(), fake_run().assessments)
    pages = [f"indicators/{lang}/{c}.html" for lang in LANGS for c in [*codes, "index"]]
    assert {"life_expectancy", "healthy_life_years"} <= set(codes)
    assert sorted(set(every) - set(files)) == sorted(pages)
    assert files == sorted(
        [
            "analyst/ha-nam/brief.html",
            "analyst/ha-nam/brief.ipynb",
            "analyst/ha-nam/life_expectancy.html",
            "analyst/ha-nam/life_expectancy.ipynb",
            "assessments.csv",
            "assessments.xlsx",
            "briefs/ha-nam.data-template.xlsx",  # the data the leaders' page asks for
            "briefs/ha-nam.html",
            *pdf,
            "briefs/ha-nam.scorecard.csv",
            "briefs/ha-nam.scorecard.xlsx",
            "index.html",
            "manifest.json",
        ]
    )
    assert sorted(p.name for p in q.parent.iterdir() if p.is_dir()) == ["2026Q4"]


def test_every_page_links_its_manifest_in_words(published):
    """The footer names no file: it links the quarter's manifest, from every folder depth."""
    pages = sorted(published.folder.rglob("*.html"))
    depths = {len(p.relative_to(published.folder).parts) - 1 for p in pages}
    assert {0, 1, 2} <= depths, depths  # index, briefs/, analyst/<slug>/
    for page in pages:
        html = page.read_text(encoding="utf-8")
        footer = html[html.index("<footer>") :]
        hrefs = re.findall(r'<a href="([^"]*manifest\.json)">([^<]+)</a>', footer)
        assert len(hrefs) == 1, page
        href, words = hrefs[0]
        assert (page.parent / href).resolve() == (published.folder / "manifest.json").resolve(), page
        assert "manifest.json" not in re.sub(r"<[^>]+>", "", footer), page  # not in the visible text
        assert unescape(words) in ("tệp mô tả của quý", "the quarter's manifest"), words


def test_brief_has_no_code_no_traceback_and_embedded_images(published):
    html = (published.folder / "briefs" / "ha-nam.html").read_text(encoding="utf-8")
    for needle in (
        "jp-InputArea",
        "input_area",
        'class="highlight',
        "Traceback",
        "secret analyst detail",
        "analyst noise",
        "# Parameters",
    ):
        assert needle not in html, needle
    imgs = re.findall(r"<img[^>]*\bsrc=\"([^\"]*)\"", html)
    assert imgs and all(src.startswith("data:") for src in imgs)
    assert not re.search(r"<(script|link)\b[^>]*\b(src|href)=", html)
    assert "<h1>Báo cáo chính sách: Hà Nam — 2026Q4</h1>" in html
    assert '<meta charset="utf-8">' in html and '<html lang="vi">' in html
    # the footer in words: quarter, run; the fingerprint, files and versions are in the manifest
    assert "run-test" in html and "quý 4/2026" in html and ">tệp mô tả của quý</a>" in html
    assert "f1ngerpr1nt0" not in html and "papermill" not in html
    assert len(html.encode()) < 80_000


def test_analyst_pages_keep_code(published):
    html = (published.folder / "analyst" / "ha-nam" / "life_expectancy.html").read_text(encoding="utf-8")
    assert 'class="highlight' in html and "subplots" in html
    params = re.sub(r"<[^>]+>", "", html)  # the highlighted code as text
    assert "H\\xe0" not in params and "Hà Nam" in params
    assert str(published.folder.parent / "store.duckdb") in params and "store-" not in params


def test_parameters_source_shows_names_as_written():
    assert report_execute.parameters_source({"province": "Hà Nam", "horizon": 5}) == (
        '# Parameters\nprovince = "Hà Nam"\nhorizon = 5\n'
    )


def test_index_links_every_page_and_manifest_records_the_run(published):
    index = (published.folder / "index.html").read_text(encoding="utf-8")
    assert "Bảng điểm quốc gia — 2026Q4" in index
    for href in ("briefs/ha-nam.html", "analyst/ha-nam/brief.html", "analyst/ha-nam/life_expectancy.html"):
        assert f'href="{href}"' in index
    m = json.loads((published.folder / "manifest.json").read_text(encoding="utf-8"))
    assert m["run_id"] == "run-test" and m["data_fingerprint"] == "f1ngerpr1nt0abc"
    assert m["failures"] == [] and len(m["notebooks"]) == 3
    assert all(n["seconds"] > 0 for n in m["notebooks"])


def test_plan_jobs_deep_dives_only_where_there_is_data():
    jobs = report_jobs.plan_jobs(
        fake_run(), ["Hà Nam", "Lâm Đồng"], quarter="2026Q4", lang="vi", store="/s.duckdb", notebooks=FIXTURES
    )
    assert [j.html for j in jobs] == [
        "index.html",
        "briefs/ha-nam.html",
        "briefs/lam-dong.html",
        "analyst/ha-nam/life_expectancy.html",
        "analyst/lam-dong/life_expectancy.html",
    ]
    assert jobs[1].parameters == {
        "province": "Hà Nam",
        "quarter": "2026Q4",
        "run_id": "run-test",
        "store": "/s.duckdb",
        "lang": "vi",
    }
    assert all(Path(j.notebook).is_absolute() for j in jobs)


def test_broken_notebook_is_listed_and_the_cli_exits_nonzero(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "prepare_run", lambda quarter, store, provinces, **kw: fake_run())
    nbs = {**FIXTURES, "indicator": NB / "report_broken.ipynb"}
    monkeypatch.setattr(report_jobs, "NOTEBOOKS", {k: str(v) for k, v in nbs.items()})
    result = CliRunner().invoke(
        cli, ["report", "--quarter", "2026Q4", "--province", "Hà Nam", "--out", str(tmp_path), "--jobs", "2"]
    )
    assert result.exit_code == 1, result.output
    assert "1 of 3 notebooks failed" in result.output
    q = tmp_path / "2026Q4"
    assert (q / "briefs" / "ha-nam.html").exists() and not (
        q / "analyst" / "ha-nam" / "life_expectancy.html"
    ).exists()
    index = (q / "index.html").read_text(encoding="utf-8")
    assert "ValueError: no forecast for life_expectancy in Hà Nam" in index
    assert 'href="failed/analyst--ha-nam--life_expectancy.ipynb"' in index
    assert (q / "failed" / "analyst--ha-nam--life_expectancy.ipynb").exists()
    assert (q / "failed" / "analyst--ha-nam--life_expectancy.html").exists()
    m = json.loads((q / "manifest.json").read_text(encoding="utf-8"))
    assert [f["failed_notebook"] for f in m["failures"]] == ["failed/analyst--ha-nam--life_expectancy.ipynb"]


@pytest.mark.parametrize("where", ["_tick", "write_manifest"])
def test_interrupted_run_leaves_no_partial_quarter(tmp_path, monkeypatch, where):
    for q, text in (("2026Q3", "earlier quarter"), ("2026Q4", "previous run of this quarter")):
        make_published(tmp_path / q, text)

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(report, where, interrupt)
    empty = NB / "report_empty.ipynb"
    with pytest.raises(KeyboardInterrupt):
        fixture_report(
            tmp_path, monkeypatch, {"brief": empty, "indicator": empty, "overview": empty}, replace=True
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026Q3", "2026Q4"]
    assert (tmp_path / "2026Q3" / "index.html").read_text() == "earlier quarter"
    assert (tmp_path / "2026Q4" / "index.html").read_text() == "previous run of this quarter"
    assert sorted(p.name for p in (tmp_path / "2026Q4").iterdir()) == ["index.html", "manifest.json"]


def test_bad_quarter_and_missing_notebook_fail_before_running(tmp_path):
    with pytest.raises(ValidationError, match="'2026-4' is not like 2026Q4"):
        pipeline.run_report("2026-4", out=tmp_path)
    with pytest.raises(ReportError, match="does not exist"):
        pipeline.run_report("2026Q4", out=tmp_path, notebooks={"brief": tmp_path / "nope.ipynb"})
    assert list(tmp_path.iterdir()) == []


def test_default_provinces_are_the_seed_plans_then_their_merged_provinces():
    seeds = {"Hà Nam", "Lâm Đồng", "Lào Cai", "Bắc Giang", "Đồng Nai"}
    merged = {"Ninh Bình (mới)", "Bắc Ninh (mới)", "Lào Cai (mới)", "Lâm Đồng (mới)", "Đồng Nai (mới)"}
    got = pipeline.default_provinces()
    assert set(got) == seeds | merged and set(got[:5]) == seeds


def test_a_merged_province_brings_its_old_provinces_targets_and_borrowed_geos():
    registry = pd.DataFrame(
        {"province": ["Hà Nam", "Lào Cai"], "kind": "outcome", "indicator": "imr", "year": 2025}
    )
    obs = pd.DataFrame({"geo": ["Hà Nam", "Nam Định", "Việt Nam", "Lào Cai", "Ninh Bình (mới)"]})
    got_obs, got_reg = pipeline.restrict(obs, registry, ["Ninh Bình (mới)"])
    assert list(got_reg["province"]) == ["Hà Nam"]
    assert set(got_obs["geo"]) == {"Hà Nam", "Nam Định", "Việt Nam", "Ninh Bình (mới)"}
    plans = pipeline.with_national_plans(registry, ["Ninh Bình (mới)", "Hà Nam"])
    extra = plans[plans["plan_id"] == "national-targets"]
    assert set(extra["province"]) <= {"Ninh Bình (mới)"}


REAL = [config.NOTEBOOKS_DIR / n for n in report_jobs.NOTEBOOKS.values()]


@pytest.mark.report
@pytest.mark.skipif(not all(p.exists() for p in REAL), reason="the project notebooks are not there yet")
def test_real_notebooks_of_a_province(real_report):
    """The real notebooks on the bundled data (the session's real report, tests/report/conftest.py):
    Hà Nam's brief and pages, and no English on any Vietnamese page of the three provinces."""
    result, run, store = real_report
    brief = (result.folder / "briefs" / "ha-nam.html").read_text(encoding="utf-8")
    assert "Hà Nam" in brief and "Traceback" not in brief and "input_area" not in brief
    assert all(s.startswith("data:") for s in re.findall(r"<img[^>]*\bsrc=\"([^\"]*)\"", brief))
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<(style|script)\b.*?</\1>", "", brief, flags=re.S))
    found = [w for w in ENGLISH if w in text]
    assert not found, found  # a Vietnamese brief is entirely Vietnamese
    assert "Số liệu tỉnh mới nhất: 2016" in text and "KTC" not in text and "khoảng dự báo 80%" in text
    from forecast.data import provenance
    from forecast.data import store as store_db

    vintage = provenance.publisher_vintage(store_db.source_vintage(store))
    gso = int(vintage.set_index("publisher").loc["gso", "latest_year"])
    assert f"Tổng cục Thống kê (đến năm {gso})" in text  # the data vintage in words: publisher, latest year
    # the scorecard's indicators link to their pages, which exist in both languages
    assert 'href="../indicators/vi/life_expectancy.html"' in brief
    for lang in ("vi", "en"):
        assert (result.folder / "indicators" / lang / "life_expectancy.html").is_file()
    assert (
        ".csv" not in text and "pandas" not in text and "{" not in text
    )  # file names, versions, JSON: manifest
    from forecast.registry import targets

    frames = [run.assessments, run.forecasts, targets.load_targets()]
    assert english_leaks(result.folder, frames) == {}  # every page: briefs, index, deep dives, footers


#: English fragments that must not reach a Vietnamese brief (engine reasons, captions, labels).
ENGLISH = [
    "observation(s)",
    "fewer than",
    "flat forecast",
    "regional proxy",
    "too little data",
    "No data",
    "Latest",
    "Forecast",
    "target",
    " the ",
    "interval",
    "fingerprint",
]


def test_a_run_where_everything_fails_keeps_the_good_report(tmp_path, monkeypatch):
    make_published(tmp_path / "2026Q4", "good report")
    broken = NB / "report_broken.ipynb"
    result = fixture_report(
        tmp_path, monkeypatch, {"brief": broken, "indicator": broken, "overview": broken}, replace=True
    )
    assert result.failures and not any(r.ok for r in result.results)
    assert (tmp_path / "2026Q4" / "index.html").read_text() == "good report"
    assert result.folder == tmp_path / "2026Q4-failed"
    assert (tmp_path / "2026Q4-failed" / "manifest.json").exists()


def test_all_gives_every_province_a_brief_and_deep_dives_where_assessed(tmp_path, monkeypatch):
    seen: dict = {}

    def prepare(quarter, store, provinces, **kw):
        seen["restricted to"] = provinces
        return fake_run()

    def chosen(scope, store):
        seen["scope"] = scope
        return ["Hà Nam", "Cao Bằng", "Tuyên Quang (mới)"]

    monkeypatch.setattr(pipeline, "prepare_run", prepare)
    monkeypatch.setattr(pipeline, "all_provinces", chosen)
    empty = str(NB / "report_empty.ipynb")
    monkeypatch.setattr(report_jobs, "NOTEBOOKS", {"brief": empty, "indicator": empty, "overview": empty})
    result = CliRunner().invoke(
        cli, ["report", "--quarter", "2026Q4", "--all", "--scope", "merged", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert seen == {"scope": "merged", "restricted to": None}  # one run over every geo
    m = json.loads((tmp_path / "2026Q4" / "manifest.json").read_text(encoding="utf-8"))
    assert [n["page"] for n in m["notebooks"]] == [
        "index.html",
        "briefs/ha-nam.html",
        "briefs/cao-bang.html",
        "briefs/tuyen-quang-moi.html",
        "analyst/ha-nam/life_expectancy.html",
    ]
    assert m["settings"]["executor"] == {
        "executor": "process-pool",
        "workers": m["settings"]["jobs"],
        "pools": 1,
    }


@pytest.mark.parametrize(
    "args,message",
    [
        (["--scope", "old"], "--scope needs --all"),
        (["--all", "--province", "Hà Nam"], "--all and --province exclude each other"),
    ],
)
def test_all_scope_and_province_misuse(tmp_path, args, message):
    result = CliRunner().invoke(cli, ["report", "--quarter", "2026Q4", "--out", str(tmp_path), *args])
    assert result.exit_code == 2 and message in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.report
@pytest.mark.skipif(not all(p.exists() for p in REAL), reason="the project notebooks are not there yet")
def test_real_brief_of_provinces_without_a_plan(tmp_path, bundled_store):
    """``--all`` briefs provinces with data but no targets, old and merged: they must execute."""
    empty = NB / "report_empty.ipynb"
    result = pipeline.run_report(
        "2026Q4",
        provinces=["Cao Bằng", "Tuyên Quang (mới)"],
        out=tmp_path / "reports",
        store=bundled_store,
        jobs=2,
        notebooks={"overview": empty, "indicator": empty},
    )
    assert not result.failures, [(r.job.html, r.error) for r in result.failures]
    for slug, name in (("cao-bang", "Cao Bằng"), ("tuyen-quang-moi", "Tuyên Quang (mới)")):
        brief = (result.folder / "briefs" / f"{slug}.html").read_text(encoding="utf-8")
        assert name in brief and "Traceback" not in brief


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_published_quarter_is_refused_then_replaced_with_an_archive(tmp_path, monkeypatch):
    first = fixture_report(tmp_path, monkeypatch)
    before = _tree(first.folder)
    args = ["report", "--quarter", "2026Q4", "--province", "Hà Nam", "--out", str(tmp_path), "--jobs", "1"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1 and "already published (run run-test)" in result.output
    assert "--replace" in result.output and "Traceback" not in result.output
    assert _tree(first.folder) == before  # byte-identical
    second = fixture_report(tmp_path, monkeypatch, replace=True)
    archived = second.folder / "archive" / "run-test"
    assert {k: v for k, v in _tree(archived).items()} == before
    third = fixture_report(tmp_path, monkeypatch, replace=True)  # earlier archives are kept
    assert (third.folder / "archive" / "run-test" / "manifest.json").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["2026Q4"]


def _scorecard_text(html: str) -> list[str]:
    """Every scorecard table of a page as text (verdicts, P(attain), q10–q90), in page order."""
    tables = re.findall(r'<table class="scorecard">.*?</table>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", t).split()) for t in tables]


@pytest.fixture(scope="module")
def tiny_quarter(tmp_path_factory, tiny_store) -> report.ReportResult:  # noqa: F811
    """The real brief and deep-dive notebooks published for Hà Nam on the tiny store's run."""
    from forecast.assess import runs

    run = runs.load_run(tiny_store["store"], tiny_store["run_id"])
    return report.publish_report(
        run,
        ["Hà Nam"],
        quarter="2026Q4",
        jobs=2,
        out=tmp_path_factory.mktemp("tiny-reports"),
        store=tiny_store["store"],
        notebooks={
            **{k: config.NOTEBOOKS_DIR / n for k, n in report_jobs.NOTEBOOKS.items()},
            "overview": EMPTY,
        },
    )


EMPTY = NB / "report_empty.ipynb"


def test_published_analyst_pages_rerun_to_the_same_numbers(tiny_quarter, tiny_store, tmp_path):  # noqa: F811
    """The published parameters name the real store and names as written; rerunning gives the page."""
    import papermill as pm

    from forecast.report.publish import render

    assert not tiny_quarter.failures, [(r.job.html, r.error) for r in tiny_quarter.failures]
    m = json.loads((tiny_quarter.folder / "manifest.json").read_text(encoding="utf-8"))
    assert m["settings"]["store"] == tiny_store["store"] and "snapshot" in m["settings"]
    assert {n["parameters"]["store"] for n in m["notebooks"] if "store" in n["parameters"]} == {
        tiny_store["store"]
    }
    pages = [p for p in (tiny_quarter.folder / "analyst" / "ha-nam").glob("*.html")]
    assert len(pages) >= 2 and all(p.with_suffix(".ipynb").is_file() for p in pages)
    for page in (tiny_quarter.folder / "analyst" / "ha-nam" / "brief.html", min(pages)):
        html = page.read_text(encoding="utf-8")
        code = re.sub(r"<[^>]+>", "", html).replace("&quot;", '"')
        assert f'store = "{tiny_store["store"]}"' in code and 'province = "Hà Nam"' in code
        assert "snapshot" not in code and "store-" not in code and "\\xe0" not in code
        again = pm.execute_notebook(
            str(page.with_suffix(".ipynb")),
            str(tmp_path / f"{page.stem}.ipynb"),
            kernel_name="python3",
            execution_timeout=600,  # a hung cell fails the test, never stalls CI
            progress_bar=False,
        )
        published, rerun = _scorecard_text(html), _scorecard_text(render.render_body(again, policy=False))
        assert published and rerun == published, page.name  # P(attain), q10/q50/q90 to the digit


_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")


def english_phrases(frames: list[pd.DataFrame], n: int = 4) -> set[str]:
    """Every run of ``n`` words of the English text in the ``reason``/``note``/``definition`` columns.

    Only runs of plain ASCII words, at least two of them alphabetic, count: numbers, codes and
    Vietnamese words (with diacritics) do not make an English phrase.
    """
    found: set[str] = set()
    for frame in frames:
        for col in ("reason", "note", "definition"):
            for value in frame[col].dropna().astype(str).unique() if col in frame else []:
                words = value.split()
                for i in range(len(words) - n + 1):
                    run = words[i : i + n]
                    if (
                        all(w.isascii() for w in run)
                        and sum(bool(_WORD.fullmatch(w.strip(".,;:()"))) for w in run) >= 2
                    ):
                        found.add(" ".join(run).lower())
    return found


def page_text(html: str) -> str:
    """The visible text of a page, footer included, without its code cells (an analyst page's code is English).

    Text marked ``lang="en"`` (a source's own English title, quoted) is left out.
    """
    import html as html_lib

    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<div class="highlight[^"]*">.*?</div>', " ", html, flags=re.S)
    html = re.sub(r'<(span|q|cite)\b[^>]*\blang="en"[^>]*>.*?</\1>', " ", html, flags=re.S)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def code_names() -> set[str]:
    """The codes a reader must never see: indicators, models, the run's and the downloads' column codes."""
    from forecast.assess import assessment, runs
    from forecast.engine.forecast import MODEL_NAMES
    from forecast.registry import indicators

    columns = {*assessment.COLUMNS, *runs.SCORE_COLUMNS, *runs.BACKTEST_COLUMNS}
    coded = {c for c in columns if "_" in c or any(ch.isdigit() for ch in c)}  # "year", "value" are words
    return {*indicators.catalogue().index, *MODEL_NAMES, *coded, "mase", "smape", "pinball"}


def catalogue_phrases(n: int = 3) -> set[str]:
    """English of the catalogue a Vietnamese page must not show: its runs of ``n`` words, and whole labels.

    Fields (``{name}``) break a run; a phrase also in the Vietnamese catalogue (a unit) does not count.
    """
    from forecast.report.pages import catalogues

    english, vietnamese = catalogues.messages("en"), catalogues.messages("vi")
    vi_text = " ".join(vietnamese.values()).lower()
    found: set[str] = set()
    for key, text in english.items():
        if text == vietnamese.get(key):
            continue
        parts = [p for p in re.split(r"\{[^}]*\}", text) if p.strip()]
        frame = pd.DataFrame({"reason": parts})
        found |= english_phrases([frame], n)
        plain = text.strip().lower()
        if len(parts) == 1 and len(_WORD.findall(plain)) >= 2 and plain.isascii():
            found.add(plain)
    return {p for p in found if p not in vi_text}


def english_leaks(
    folder: Path, frames: list[pd.DataFrame], pattern: str = "**/*.html"
) -> dict[str, list[str]]:
    """The English phrases and code names found in each Vietnamese page of a published ``folder``.

    Phrases: those of the run's English columns (``frames``) and of the English catalogue; code
    names: :func:`code_names`, as whole words, case as written.
    """
    phrases = english_phrases(frames) | catalogue_phrases()
    codes = code_names()
    leaks = {}
    for page in sorted(folder.glob(pattern)):
        html = page.read_text(encoding="utf-8")
        if '<html lang="vi">' not in html or "archive" in page.parts:
            continue
        text = page_text(html)
        lower = text.lower()
        found = sorted(p for p in phrases if p in lower)
        found += sorted({w for w in re.findall(r"[A-Za-z0-9_]+", text) if w in codes})
        if found:
            leaks[page.relative_to(folder).as_posix()] = found[:8]
    return leaks


def test_english_phrases_are_runs_of_english_words():
    frame = pd.DataFrame(
        {"reason": ["1 observation(s), fewer than 3: flat forecast", "Hà Nam 2016 2017 2018 2019"]}
    )
    found = english_phrases([frame])
    assert "fewer than 3: flat" in found and "than 3: flat forecast" in found and len(found) == 4
    assert not any("nam" in p for p in found)  # Vietnamese words and years are no English phrase


def test_no_english_sentence_of_the_run_reaches_a_vietnamese_page(tiny_quarter, tiny_store):  # noqa: F811
    from forecast.assess import runs

    run = runs.load_run(tiny_store["store"], tiny_store["run_id"])
    frames = [run.assessments, run.forecasts]
    assert english_phrases(frames)  # the run has English reasons and definitions to leak
    assert english_leaks(tiny_quarter.folder, frames) == {}
