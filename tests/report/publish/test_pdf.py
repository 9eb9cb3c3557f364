"""Printing a page with headless Chromium: a valid PDF, and one-line errors when it cannot be made."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from forecast.errors import ReportError
from forecast.report.publish import pdf

HAS_CHROMIUM = pdf.find_chromium() is not None


def _script(folder: Path, body: str) -> str:
    path = folder / "fake-chromium"
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def _page(folder: Path, paragraphs: int = 3) -> Path:
    page = folder / "page.html"
    text = "".join(f"<p>Đoạn {i}: tỷ lệ bao phủ bảo hiểm y tế.</p>" for i in range(paragraphs))
    page.write_text(
        f'<!DOCTYPE html><html lang="vi"><meta charset="utf-8"><style>@page {{ size: A4 }}</style><body>{text}</body></html>',
        "utf-8",
    )
    return page


def test_missing_chromium_names_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("FORECAST_CHROMIUM", str(tmp_path / "no-such-browser"))
    assert pdf.find_chromium() is None
    with pytest.raises(ReportError, match="apt-get install chromium"):
        pdf.print_pdf(_page(tmp_path), tmp_path / "out.pdf")
    pages = [(_page(tmp_path), tmp_path / "out.pdf")]
    assert pdf.print_pdfs(pages) == {tmp_path / "out.pdf": pdf.CHROMIUM_MISSING}
    assert not (tmp_path / "out.pdf").exists()


def test_a_failing_chromium_is_one_line_and_leaves_no_file(tmp_path):
    exe = _script(tmp_path, "echo 'something broke' >&2; exit 3")
    with pytest.raises(ReportError, match=r"could not print page.html \(exit code 3\): something broke"):
        pdf.print_pdf(_page(tmp_path), tmp_path / "out.pdf", chromium=exe)
    assert not (tmp_path / "out.pdf").exists()


def test_a_hung_chromium_is_killed_after_the_timeout(tmp_path):
    exe = _script(tmp_path, "sleep 30")
    with pytest.raises(ReportError, match="took more than 1 s"):
        pdf.print_pdf(_page(tmp_path), tmp_path / "out.pdf", chromium=exe, timeout=1)
    errors = pdf.print_pdfs([(_page(tmp_path), tmp_path / "out.pdf")], chromium=exe, timeout=1)
    assert list(errors) == [tmp_path / "out.pdf"] and "took more than" in errors[tmp_path / "out.pdf"]


@pytest.mark.skipif(not HAS_CHROMIUM, reason="no chromium: `apt-get install -y chromium`")
def test_real_chromium_prints_a_valid_a4_pdf(tmp_path):
    pypdf = pytest.importorskip("pypdf")
    out = pdf.print_pdf(_page(tmp_path, 120), tmp_path / "out.pdf")
    assert out.read_bytes()[:5] == b"%PDF-"
    reader = pypdf.PdfReader(out)
    assert pdf.page_count(out) == len(reader.pages) >= 2
    width, height = (float(x) for x in reader.pages[0].mediabox[2:])
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    assert "bảohiểmytế" in reader.pages[0].extract_text().replace(" ", "")  # Vietnamese text, not boxes


def test_cancel_kills_the_running_printers_and_starts_no_more(tmp_path):
    import threading
    import time

    exe = _script(tmp_path, "sleep 30")
    pages = [(_page(tmp_path), tmp_path / f"out{i}.pdf") for i in range(3)]
    found: dict = {}
    worker = threading.Thread(target=lambda: found.update(pdf.print_pdfs(pages, chromium=exe, timeout=60)))
    started = time.perf_counter()
    worker.start()
    time.sleep(1)
    pdf.cancel()
    worker.join(20)
    assert not worker.is_alive() and time.perf_counter() - started < 20
    assert sorted(found) == sorted(p for _, p in pages)  # none printed, none left running
    assert list(found.values())[1:] == ["cancelled", "cancelled"]


@pytest.mark.skipif(not HAS_CHROMIUM, reason="no chromium: `apt-get install -y chromium`")
def test_one_chromium_prints_every_page_as_its_own_chromium_would(tmp_path, monkeypatch):
    long, short = _page(tmp_path, 120), tmp_path / "short.html"
    short.write_text(long.read_text("utf-8").replace("<p>", "<p hidden>", 110), "utf-8")
    alone = pdf.print_pdf(long, tmp_path / "alone.pdf")
    started = []
    real_popen = pdf.subprocess.Popen
    monkeypatch.setattr(pdf.subprocess, "Popen", lambda *a, **k: started.append(a) or real_popen(*a, **k))
    pages = [
        (long, tmp_path / "long.pdf"),
        (short, tmp_path / "short.pdf"),
        (tmp_path / "nope.html", tmp_path / "nope.pdf"),
    ]
    errors = pdf.print_pdfs(pages)
    assert len(started) == 1  # one browser for every page
    assert list(errors) == [tmp_path / "nope.pdf"] and "nope.html" in errors[tmp_path / "nope.pdf"]
    assert pdf.page_count(tmp_path / "long.pdf") == pdf.page_count(alone) >= 2
    assert pdf.page_count(tmp_path / "short.pdf") == 1


def test_a_session_that_dies_leaves_its_pages_to_a_chromium_each(tmp_path):
    exe = _script(tmp_path, "echo 'no pipe here' >&2; exit 3")
    errors = pdf.print_pdfs([(_page(tmp_path), tmp_path / "out.pdf")], chromium=exe, timeout=5)
    assert "could not print page.html (exit code 3): no pipe here" in errors[tmp_path / "out.pdf"]
