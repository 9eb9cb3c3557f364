"""The real ``forecast`` command in a child process forked from the test's own.

A fresh interpreter spent most of each command importing pandas, DuckDB and the workbench:
1.5-2.5 s of the 2 s a refused command took in ``tests/test_faults.py`` (65 commands, 165 s,
two workers). A child forked from the test process starts with them imported and is still a
process of its own: its exit code, its stdout and stderr, its signals, and nothing it changes
reaches the test. What a fresh interpreter would have is restored first: the default logging
and warnings, the working directory, no inherited exit handlers.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def forecast(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``forecast *args`` in a forked child; its exit code, stdout and stderr as ``subprocess.run``'s.

    Raises :class:`subprocess.TimeoutExpired` (the child killed) after ``timeout`` seconds.
    """
    from forecast.cli import main  # imported once, here: the child starts with it

    return _in_child(main, ["forecast", *args], timeout)


def python(code: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``python -c code *args`` in a forked child (``code`` as ``__main__``), as :func:`forecast`."""
    return _in_child(lambda: exec(code, {"__name__": "__main__"}), ["-c", *args], timeout)


def _in_child(run, argv: list[str], timeout: float) -> subprocess.CompletedProcess:
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        sys.stdout.flush(), sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            _run_child(run, argv, out.fileno(), err.fileno())
        code = _wait(pid, timeout, argv)
        out.seek(0), err.seek(0)
        text = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    return subprocess.CompletedProcess(argv, code, *text)


def _run_child(run, argv: list[str], out_fd: int, err_fd: int) -> None:
    code = 1
    try:
        _as_a_fresh_interpreter(out_fd, err_fd)
        sys.argv = argv
        try:
            run()
            code = 0
        except SystemExit as e:  # click ends with sys.exit(code)
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
            if isinstance(e.code, str):
                print(e.code, file=sys.stderr)
        atexit._run_exitfuncs()  # the workbench's own (warm kernels shut down), as at a real exit
    except BaseException:  # noqa: BLE001  # whatever it is, the child says it and exits
        traceback.print_exc()
        code = 1
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # a full disk, a closed stream
                stream.flush()
        os._exit(code)


def _as_a_fresh_interpreter(out_fd: int, err_fd: int) -> None:
    """Undo what pytest set up in this process: captured streams, log handlers, warning filters."""
    os.dup2(out_fd, 1), os.dup2(err_fd, 2)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    sys.stdin = open(0, encoding="utf-8", closefd=False)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False, errors="surrogateescape")
    sys.stderr = open(2, "w", encoding="utf-8", closefd=False, errors="backslashreplace", buffering=1)
    os.chdir(ROOT)
    atexit._clear()  # the test process' handlers are not the child's to run
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    root = logging.getLogger()
    for handler in root.handlers[:]:
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)
    logging.disable(logging.NOTSET)
    warnings.resetwarnings()  # Python's default filters, and warnings printed to stderr
    for category in (DeprecationWarning, PendingDeprecationWarning, ImportWarning, ResourceWarning):
        warnings.simplefilter("ignore", category)
    warnings._showwarnmsg_impl = lambda msg: sys.stderr.write(warnings._formatwarnmsg(msg))  # type: ignore[attr-defined]


def _wait(pid: int, timeout: float, argv: list[str]) -> int:
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise subprocess.TimeoutExpired(argv, timeout)
        time.sleep(0.01)
