"""Policy briefs to PDF with the headless Chromium of the operating system (``--print-to-pdf``).

The page's own print stylesheet (``@media print`` in ``templates/style.css``) sets A4, hides the
links and starts the annex on a new page; Chromium only lays it out. A quarter's pages are printed
by one ``chromium`` (:class:`Session`, page after page in one tab); a page it cannot print is printed by a
fresh ``chromium`` process of its own. Each has a throw-away profile, the network features off and a time limit;
a missing or failing Chromium is a :class:`~forecast.errors.ReportError` (one line naming the fix),
never a traceback, and :func:`print_pdfs` turns it into a per-file message so the report still
publishes without its PDFs.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
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
#: Puts the DevTools pipes on descriptors 3 and 4 for Chromium (bash: descriptors above 9).
_SHELL = shutil.which("bash") or "/bin/bash"
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
    """Print every ``(page, pdf)`` pair; return the error of each PDF not made.

    The pages are printed one after another by one Chromium (:class:`Session`): starting a
    browser costs more than printing a page. Should that browser fail, the pages left are each
    printed by a Chromium of their own (:func:`print_pdf`), ``jobs`` at a time. An empty result
    means every PDF was written. Without Chromium every PDF gets :data:`CHROMIUM_MISSING` (logged
    once) and nothing is started.
    """
    exe = chromium or find_chromium()
    if not pages:
        return {}
    if not exe:
        logger.warning("%s; the report is published without PDFs", CHROMIUM_MISSING)
        return {pdf: CHROMIUM_MISSING for _, pdf in pages}

    _CANCELLED.clear()
    errors, left = _in_one_session(list(pages), exe, timeout)
    return errors | _each_alone(left, jobs, exe, timeout)


def _in_one_session(
    pages: list[tuple[Path, Path]], exe: str, timeout: float
) -> tuple[dict[Path, str], list[tuple[Path, Path]]]:
    """Print ``pages`` in one :class:`Session`; return the errors and the pages it could not try."""
    errors: dict[Path, str] = {}
    try:
        with Session(exe, timeout) as session:
            while pages and not _CANCELLED.is_set():
                page, pdf = pages[0]
                try:
                    session.print(page, pdf)
                except ReportError as e:  # this page's own problem: the browser goes on
                    logger.warning("%s", e)
                    errors[pdf] = str(e)
                pages.pop(0)
    except SessionBroken as e:
        if pages and not _CANCELLED.is_set():
            logger.info("printing in one Chromium stopped (%s): %d pages printed one by one", e, len(pages))
    return errors, pages


def _each_alone(pages: list[tuple[Path, Path]], jobs: int, exe: str, timeout: float) -> dict[Path, str]:
    """Print each page with a Chromium of its own, ``jobs`` at a time; return the errors."""
    if not pages:
        return {}

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


class SessionBroken(Exception):
    """The session's Chromium did not start, died, was cancelled or stopped answering."""


def _above(fd: int, low: int = 10) -> int:
    """``fd`` moved to a descriptor number of at least ``low`` (the original is closed)."""
    import fcntl

    moved = fcntl.fcntl(fd, fcntl.F_DUPFD, low)
    os.close(fd)
    return moved


class Session:
    """One headless Chromium that prints page after page (DevTools protocol over a pipe).

    ``--remote-debugging-pipe`` reads commands from file descriptor 3 and writes answers to 4, each
    a JSON message ended by a NUL byte. A page is loaded in one tab and printed with the options
    of ``--print-to-pdf --no-pdf-header-footer`` (the page's own ``@page`` size and backgrounds,
    no header or footer), so a PDF has the pages of :func:`print_pdf`'s.
    """

    def __init__(self, exe: str, timeout: float = TIMEOUT) -> None:
        self.exe, self.timeout = exe, timeout
        self.proc: subprocess.Popen | None = None
        self.profile = tempfile.TemporaryDirectory(prefix="forecast-chromium-", ignore_cleanup_errors=True)
        self._buffer = b""
        self._next = 0
        self._read = self._write = -1  # our ends of the pipes, once started
        self._events: list[dict] = []  # events read while waiting for an answer
        self.session = ""

    def __enter__(self) -> Session:
        commands, self._write = os.pipe()  # we write, Chromium reads fd 3
        self._read, answers = os.pipe()  # Chromium writes fd 4, we read
        commands, answers = _above(commands), _above(answers)  # never 3 or 4 themselves
        # the shell puts the pipes on 3 and 4 and becomes Chromium (no preexec_fn: we run in a thread)
        line = f'exec "$0" "$@" 3<&{commands} 4>&{answers} {commands}<&- {answers}>&-'
        # --no-pdf-header-footer belongs to --print-to-pdf (with the pipe it ends the renderer):
        # the session asks for no header or footer with each page instead
        flags = [f for f in FLAGS if f != "--no-pdf-header-footer"]
        args = [*flags, f"--user-data-dir={self.profile.name}", "--remote-debugging-pipe", "about:blank"]
        try:
            self.proc = subprocess.Popen(
                [_SHELL, "-c", line, self.exe, *args],
                pass_fds=(commands, answers),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError as e:
            self._close()
            raise SessionBroken(f"chromium ({self.exe}) could not start: {e}") from None
        finally:
            os.close(commands)
            os.close(answers)
        with _LOCK:
            _RUNNING.add(self.proc)
        try:
            target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
            self.session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})[
                "sessionId"
            ]
            self._call("Page.enable", session=self.session)
        except BaseException as e:
            self.__exit__(type(e), e, None)
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> None:
        proc = self.proc
        if proc is not None:
            try:  # a browser that answered is asked to close; any other is killed at once
                if kind is not None or not self.session:
                    raise SessionBroken("stopped")
                if proc.poll() is None:
                    self._send("Browser.close")
                proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired, SessionBroken):
                _kill(proc)
                proc.wait()
            with _LOCK:
                _RUNNING.discard(proc)
        self._close()
        self.profile.cleanup()

    def _close(self) -> None:
        for fd in (self._read, self._write):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._read = self._write = -1

    def _send(self, method: str, params: dict | None = None, session: str = "") -> int:
        self._next += 1
        message: dict = {"id": self._next, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        try:
            os.write(self._write, json.dumps(message).encode() + b"\0")
        except (OSError, TypeError) as e:
            raise SessionBroken(f"chromium is gone ({e})") from None
        return self._next

    def _receive(self, deadline: float) -> dict:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            try:
                ready, _, _ = select.select([self._read], [], [], left)
                chunk = os.read(self._read, 1 << 20) if ready else b""
            except (OSError, TypeError, ValueError) as e:
                raise SessionBroken(f"chromium is gone ({e})") from None
            if ready and not chunk:
                raise SessionBroken("chromium ended" + (" (cancelled)" if _CANCELLED.is_set() else ""))
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def _call(self, method: str, params: dict | None = None, session: str = "") -> dict:
        asked = self._send(method, params, session)
        deadline = time.monotonic() + self.timeout
        try:
            while True:
                message = self._receive(deadline)
                if message.get("id") == asked:
                    if "error" in message:
                        raise ReportError(f"chromium could not {method}: {message['error'].get('message')}")
                    return message.get("result", {})
                if "method" in message:  # an event that came first (a page may load before the answer)
                    self._events.append(message)
        except TimeoutError:
            raise SessionBroken(f"no answer to {method} in {self.timeout:.0f} s") from None

    def print(self, page: Path, pdf: Path) -> Path:
        """Print the HTML file ``page`` to ``pdf`` (a partial file is removed).

        Raises
        ------
        ReportError
            If the page does not load or print (the session goes on).
        SessionBroken
            If Chromium dies or takes longer than the timeout (the page is not printed).
        """
        pdf.unlink(missing_ok=True)
        self._events.clear()
        went = self._call("Page.navigate", {"url": Path(page).resolve().as_uri()}, self.session)
        if went.get("errorText"):
            raise ReportError(f"chromium could not open {page.name}: {went['errorText']}")
        deadline = time.monotonic() + self.timeout
        try:
            if not any(self._loaded(m) for m in self._events):
                while not self._loaded(self._receive(deadline)):
                    pass
        except TimeoutError:
            raise SessionBroken(f"{page.name} did not load in {self.timeout:.0f} s") from None
        options = {"printBackground": True, "preferCSSPageSize": True, "displayHeaderFooter": False}
        data = base64.b64decode(self._call("Page.printToPDF", options, self.session)["data"])
        if data[:5] != b"%PDF-":
            raise ReportError(f"chromium could not print {page.name}: no PDF came back")
        pdf.write_bytes(data)
        return pdf

    def _loaded(self, message: dict) -> bool:
        return message.get("method") == "Page.loadEventFired" and message.get("sessionId") == self.session


def page_count(pdf: Path) -> int:
    """Return the number of pages of a PDF written by Chromium (its ``/Type /Page`` objects)."""
    return len(_PAGE.findall(Path(pdf).read_bytes()))
