"""Policy briefs to PDF with the headless Chromium of the operating system (``--print-to-pdf``).

The page's own print stylesheet (``@media print`` in ``templates/style.css``) sets A4, hides the
links and starts the annex on a new page; Chromium only lays it out. Each page is printed by a
fresh ``chromium`` process with a throw-away profile, the network features off and a time limit;
a missing or failing Chromium is a :class:`~forecast.errors.ReportError` (one line naming the fix),
never a traceback, and :func:`print_pdfs` turns it into a per-file message so the report still
publishes without its PDFs.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from forecast.errors import ReportError
from forecast.log import logger

__all__ = ["CHROMIUM_MISSING", "TIMEOUT", "cancel", "find_chromium", "page_count", "print_pdf", "print_pdfs"]

#: Seconds one page may take to print before its Chromium is killed.
TIMEOUT = 90.0
#: Executables tried in turn (``FORECAST_CHROMIUM`` overrides them).
NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--no-first-run",
    "--no-pdf-header-footer",
)
CHROMIUM_MISSING = (
    "no chromium to print PDFs with: install it (`apt-get install chromium` on Debian/Ubuntu, "
    "which `make report` does when run as root) or set FORECAST_CHROMIUM to a Chrome/Chromium executable"
)
_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
_RUNNING: set[subprocess.Popen] = set()  # Chromium processes started here and not yet finished
_LOCK = threading.Lock()
_CANCELLED = threading.Event()


def find_chromium() -> str | None:
    """Return the Chromium executable: ``$FORECAST_CHROMIUM``, else the first of :data:`NAMES` on PATH."""
    given = os.environ.get("FORECAST_CHROMIUM", "")
    if given:
        return given if Path(given).is_file() else shutil.which(given)
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").is_file() else None


def _run(cmd: list[str], timeout: float) -> tuple[int, str]:
    """Run ``cmd`` in its own process group; kill the whole group after ``timeout`` seconds."""
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    with _LOCK:
        _RUNNING.add(proc)
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        proc.communicate()
        raise
    finally:
        with _LOCK:
            _RUNNING.discard(proc)
    return proc.returncode, err or ""


def _kill(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the browser and the renderers it started
    except ProcessLookupError:
        pass


def cancel() -> None:
    """Stop :func:`print_pdfs`: start no further page and kill the Chromium processes it started.

    Called when a report run is interrupted (Ctrl-C), which does not reach those processes:
    they run in their own process group.
    """
    _CANCELLED.set()
    with _LOCK:
        for proc in list(_RUNNING):
            _kill(proc)


def print_pdf(page: Path, pdf: Path, *, chromium: str | None = None, timeout: float = TIMEOUT) -> Path:
    """Print the HTML file ``page`` to ``pdf`` with headless Chromium and return ``pdf``.

    Raises
    ------
    ReportError
        If there is no Chromium, it fails, takes longer than ``timeout`` seconds or writes no PDF
        (a partial file is removed).
    """
    exe = chromium or find_chromium()
    if not exe:
        raise ReportError(CHROMIUM_MISSING)
    pdf.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="forecast-chromium-", ignore_cleanup_errors=True) as profile:
        cmd = [
            exe,
            *FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf}",
            Path(page).resolve().as_uri(),
        ]
        try:
            code, err = _run(cmd, timeout)
        except subprocess.TimeoutExpired:
            pdf.unlink(missing_ok=True)
            raise ReportError(
                f"chromium took more than {timeout:.0f} s to print {page.name}; retry, or raise "
                "forecast.report.publish.pdf.TIMEOUT on a slow machine"
            ) from None
        except OSError as e:
            raise ReportError(f"chromium ({exe}) could not start: {e}; {CHROMIUM_MISSING}") from None
    if code != 0 or not pdf.is_file() or pdf.read_bytes()[:5] != b"%PDF-":
        pdf.unlink(missing_ok=True)
        last = next((line for line in reversed(err.splitlines()) if line.strip()), "no message")
        raise ReportError(f"chromium could not print {page.name} (exit code {code}): {last}")
    return pdf


def print_pdfs(
    pages: Sequence[tuple[Path, Path]],
    *,
    jobs: int = 1,
    chromium: str | None = None,
    timeout: float = TIMEOUT,
) -> dict[Path, str]:
    """Print every ``(page, pdf)`` pair, ``jobs`` at a time; return the error of each PDF not made.

    An empty result means every PDF was written. Without Chromium every PDF gets
    :data:`CHROMIUM_MISSING` (logged once) and nothing is started.
    """
    exe = chromium or find_chromium()
    if not pages:
        return {}
    if not exe:
        logger.warning("%s; the report is published without PDFs", CHROMIUM_MISSING)
        return {pdf: CHROMIUM_MISSING for _, pdf in pages}

    _CANCELLED.clear()

    def one(pair: tuple[Path, Path]) -> tuple[Path, str]:
        if _CANCELLED.is_set():
            return pair[1], "cancelled"
        try:
            print_pdf(pair[0], pair[1], chromium=exe, timeout=timeout)
        except ReportError as e:
            logger.warning("%s", e)
            return pair[1], str(e)
        return pair[1], ""

    with ThreadPoolExecutor(max(1, min(jobs, len(pages)))) as pool:  # each thread waits on a process
        done = list(pool.map(one, pages))
    return {pdf: err for pdf, err in done if err}


def page_count(pdf: Path) -> int:
    """Return the number of pages of a PDF written by Chromium (its ``/Type /Page`` objects)."""
    return len(_PAGE.findall(Path(pdf).read_bytes()))
