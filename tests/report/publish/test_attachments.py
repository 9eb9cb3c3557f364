"""A published quarter's PDFs and downloads: on the real notebooks and bundled data, for Hà Nam."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from test_quarter import fixture_report

from forecast.report.pages.text import t
from forecast.report.publish import downloads, pdf

HAS_CHROMIUM = pdf.find_chromium() is not None
pytestmark = pytest.mark.report  # the real report of one province, its PDFs and downloads


@pytest.fixture(scope="module")
def real(real_report):
    """The real report (Hà Nam, Bắc Giang, Ninh Bình (mới): tests/report/conftest.py): result, run as stored, store."""
    return real_report


def _squash(text: str) -> str:
    return "".join(text.split())  # Chromium's PDFs put spaces between some Vietnamese glyphs


@pytest.mark.skipif(not HAS_CHROMIUM, reason="no chromium: `apt-get install -y chromium`")
def test_brief_pdf_is_valid_with_at_most_two_pages_before_the_annex(real):
    pypdf = pytest.importorskip("pypdf")
    path = real[0].folder / "briefs" / "ha-nam.pdf"
    assert path.read_bytes()[:5] == b"%PDF-"
    pages = [_squash(p.extract_text()) for p in pypdf.PdfReader(path).pages]
    html = (real[0].folder / "briefs" / "ha-nam.html").read_text(encoding="utf-8")
    assert html.count('class="annex-start"') == 1  # the library marks the annex, the stylesheet breaks there
    assert "scorecard +" not in html  # no sibling selectors guessing where it begins
    assert _squash("Bản tin chính sách: Hà Nam") in pages[0]
    # the annex: the explanations, targets without data, those not forecast, fan charts, what it takes, caveats
    headings = [
        _squash(t(k, "vi"))
        for k in ("why_heading", "no_data_group", "other_targets", "fan_charts", "what_it_takes", "caveats")
    ]
    annex = next(i for i, text in enumerate(pages) if any(h in text for h in headings))
    assert 1 <= annex <= 3, f"the annex starts on page {annex + 1}"  # the leaders' page, then at most 2
    # on a new page, heading first: after the margin marks (unit, date, page number, run id)
    body = pages[annex].split(_squash(real[1].run_id), 1)[-1]
    assert any(body.startswith(h) for h in headings), body[:300]
    assert _squash(t("scorecard", "vi")) in "".join(pages[:annex])
    assert _squash(t("fan_charts", "vi")) in "".join(pages[annex:])
    assert "Tảivề" not in "".join(pages)  # the links are hidden in print


def test_downloads_hold_the_runs_numbers(real):
    """The downloads are the run's numbers, rounded as the brief shows them, headed in Vietnamese."""
    from forecast.report.pages.text import category_label, indicator_name

    result, run, _ = real
    q = result.folder
    mine = run.assessments[run.assessments["province"] == "Hà Nam"]
    col = {c: t(f"col.{c}", "vi") for c in downloads.READER_SCORECARD}
    for name, expected in (
        ("briefs/ha-nam.scorecard", mine[mine["kind"] == "outcome"]),
        ("assessments", mine),
    ):
        csv = pd.read_csv(q / f"{name}.csv", encoding="utf-8-sig", dtype={col["plan_id"]: str})
        xlsx = pd.read_excel(q / f"{name}.xlsx")
        assert len(csv) == len(xlsx)
        if name == "assessments":  # the quarter's table holds every province of the run: Hà Nam's rows
            assert len(csv) == len(run.assessments)
            csv, xlsx = (f[f[col["province"]] == "Hà Nam"] for f in (csv, xlsx))
        assert len(csv) == len(xlsx) == len(expected)
        want = expected.assign(indicator=[indicator_name(i, "vi") for i in expected["indicator"]])
        want = want.sort_values(["plan_id", "indicator", "year"]).reset_index(drop=True)
        key = [col["plan_id"], col["indicator"], col["year"]]
        for got in (csv, xlsx):
            got = got.sort_values(key).reset_index(drop=True)
            for c, atol in (
                ("latest_value", 0.05),
                ("q10", 0.05),
                ("q50", 0.05),
                ("q90", 0.05),
                ("p_attain", 0.005),
            ):
                np.testing.assert_allclose(got[col[c]].to_numpy(float), want[c].to_numpy(float), atol=atol)
            assert got[col["verdict"]].tolist() == [category_label(v, "vi") for v in want["verdict"]]
            if name == "assessments":  # the quarter's table names the run of every row
                assert (got[col["run_id"]].astype(str) == run.run_id).all(), got[col["run_id"]].unique()
    series = pd.read_csv(q / "briefs" / "ha-nam.series.csv", encoding="utf-8-sig")
    assert set(series[t("col.kind", "vi")]) == {"quan sát", "dự báo", "mục tiêu"}
    assert series[t("col.chart", "vi")].nunique() >= 3 and not series[t("col.year", "vi")].isna().any()


def test_brief_and_index_link_every_file(real):
    result, _, _ = real
    q = result.folder
    brief = (q / "briefs" / "ha-nam.html").read_text(encoding="utf-8")
    index = (q / "index.html").read_text(encoding="utf-8")
    names = ["ha-nam.scorecard.csv", "ha-nam.scorecard.xlsx", "ha-nam.series.csv", "ha-nam.series.xlsx"]
    names += ["ha-nam.data-template.xlsx"]  # the data the leaders' page asks for
    names += ["ha-nam.pdf"] if HAS_CHROMIUM else []
    for name in names:
        assert (q / "briefs" / name).is_file(), name
        assert f'href="{name}"' in brief and f'href="briefs/{name}"' in index, name
    assert brief.index('<nav class="downloads">') < brief.index(t("scorecard", "vi"))  # near the title
    assert 'href="assessments.csv"' in index and 'href="assessments.xlsx"' in index
    manifest = json.loads((q / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["downloads"]["briefs"]["briefs/ha-nam.html"] == [
        f"briefs/{n}" for n in sorted(names, key=_order)
    ]
    assert not HAS_CHROMIUM or manifest["downloads"]["pdf_missing"] == {}


def _order(name: str) -> int:
    return [
        "pdf",
        "scorecard.csv",
        "scorecard.xlsx",
        "series.csv",
        "series.xlsx",
        "data-template.xlsx",
    ].index(name.split(".", 1)[1])


def test_without_chromium_the_report_publishes_and_says_pdfs_are_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("FORECAST_CHROMIUM", str(tmp_path / "no-chromium"))
    result = fixture_report(tmp_path, monkeypatch)
    assert not result.failures and not (result.folder / "briefs" / "ha-nam.pdf").exists()
    index = result.index.read_text(encoding="utf-8")
    assert "apt-get install chromium" in index and 'href="briefs/ha-nam.pdf"' not in index
    assert 'href="briefs/ha-nam.scorecard.csv"' in index
    manifest = json.loads((result.folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["downloads"]["pdf_missing"] == {"briefs/ha-nam.pdf": pdf.CHROMIUM_MISSING}
    brief = (result.folder / "briefs" / "ha-nam.html").read_text(encoding="utf-8")
    assert "ha-nam.pdf" not in brief and 'href="ha-nam.scorecard.csv"' in brief
