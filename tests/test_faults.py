"""Fault injection: full disks, read-only folders, damaged and locked stores, signals, user folders.

Each case asserts the exit code, a one-line message naming the path and the fix, no traceback,
the store unchanged (or fully updated) and no user file removed. Disk-full and read-only cases
need ``mount`` (root in a container that allows it) and are skipped with the reason otherwise:
tests run as root, whom ``chmod`` does not stop.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import nbformat
import pytest
from click.testing import CliRunner

from forecast.cli import cli
from forecast.data import store

ROOT = Path(__file__).resolve().parents[1]
TIDY = ROOT / "tests" / "fixtures" / "data" / "tidy_small.csv"
FORECAST = [sys.executable, "-m", "forecast.cli"]


def forecast(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real ``forecast`` command in a child process."""
    code = "from forecast.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )


def one_line_error(result: subprocess.CompletedProcess, *words: str) -> str:
    """Assert the command failed with one ``Error:`` line holding ``words`` and no traceback."""
    err = result.stderr
    assert "Traceback" not in err and "Traceback" not in result.stdout, err
    lines = [ln for ln in err.splitlines() if ln.startswith("Error:")]
    assert len(lines) == 1, err
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


def observations(path: Path) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("SELECT * FROM observations ORDER BY ALL").fetchall()


@pytest.fixture
def small_store(tmp_path) -> Path:
    path = tmp_path / "store.duckdb"
    store.import_files([TIDY], path)
    return path


@pytest.fixture(scope="module")
def real_store(tmp_path_factory) -> Path:
    """A store holding the shared provincial and national statistics (skip without them)."""
    from forecast import config

    files = [config.SHARED_DATA_DIR / f for f in ("vn_provinces.csv", "vn_national.csv")]
    if not all(f.exists() for f in files):
        pytest.skip(f"no shared data at {config.SHARED_DATA_DIR}")
    path = tmp_path_factory.mktemp("real") / "store.duckdb"
    store.import_files(files, path)
    return path


def fake_report(notebook: Path, *args: str, **kw) -> subprocess.Popen | subprocess.CompletedProcess:
    """Run ``forecast report`` in a child process on a fake run, every notebook being ``notebook``."""
    argv = [sys.executable, "-c", textwrap.dedent(DRIVER), str(notebook), *args]
    if kw.pop("background", False):
        return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    return subprocess.run(argv, capture_output=True, text=True, timeout=300, cwd=ROOT)


EMPTY = ROOT / "tests" / "notebooks" / "report_empty.ipynb"


@contextlib.contextmanager
def tmpfs(where: Path, size: str):
    """Mount a tmpfs of ``size`` at ``where`` (skip the test if mounting is not permitted)."""
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True
    )
    if done.returncode:
        pytest.skip(
            f"cannot mount a tmpfs here ({done.stderr.decode().strip()}): disk-full/read-only not tested"
        )
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True)


def fill(folder: Path) -> None:
    """Fill the file system holding ``folder`` to the last byte."""
    with contextlib.suppress(OSError), (folder / "filler").open("wb") as f:
        while True:
            f.write(b"\0" * 65536)
            f.flush()


# --- the user's folders -----------------------------------------------------------------------


def test_a_user_folder_as_out_is_refused_and_kept(tmp_path, small_store):
    out = tmp_path / "u"
    (out / "2026Q4").mkdir(parents=True)
    (out / "2026Q4" / "thesis.docx").write_text("my thesis")
    stale = out / ".2026Q4.tmp-999999999"  # named like a dead run's work folder, but the user's
    stale.mkdir()
    (stale / "notes.txt").write_text("mine")
    result = fake_report(
        EMPTY, "--store", str(small_store), "report", "--quarter", "2026Q4", "--out", str(out)
    )
    assert result.returncode == 1
    one_line_error(result, str(out / "2026Q4"), "is not a report", "move or rename it")
    assert (out / "2026Q4" / "thesis.docx").read_text() == "my thesis"
    assert (stale / "notes.txt").read_text() == "mine"


# --- quarantine -------------------------------------------------------------------------------


def test_quarantine_is_recorded_even_when_its_file_cannot_be_written(tmp_path):
    path = tmp_path / "store.duckdb"
    store.quarantine_path(path).mkdir()  # a folder where the CSV should go: writing it fails (even as root)
    bad = tmp_path / "bad.csv"
    bad.write_text("geo,indicator,year,value\nHà Nam,imr,2015,12.5\nAtlantis,imr,2015,3\nHà Nam,imr,2016,0\n")
    summary = store.import_files([bad], path)
    assert summary.loc[0, "imported"] == 1 and summary.loc[0, "quarantined"] == 2
    recorded = store.load_quarantine(path)
    assert len(recorded) == 2 and not recorded["exported"].any()
    store.quarantine_path(path).rmdir()
    again = store.import_files([bad], path)  # a re-import exports what was recorded, adds nothing twice
    assert again.loc[0, "imported"] == 0
    assert len(store.load_quarantine(path)) == 2
    assert len(store.quarantine_path(path).read_text().splitlines()) == 3  # header + 2 rows


def test_zero_and_denormal_mortality_and_spikes_are_quarantined(tmp_path):
    path = tmp_path / "store.duckdb"
    bad = tmp_path / "typos.csv"
    rows = ["Hà Nam,imr,2010,14", "Hà Nam,imr,2011,13.6", "Hà Nam,imr,2012,13.1", "Hà Nam,imr,2013,130"]
    rows += ["Hà Nam,imr,2014,0", "Hà Nam,imr,2015,-0", "Hà Nam,u5mr,2015,1e-320"]
    bad.write_text("geo,indicator,year,value\n" + "\n".join(rows) + "\n")
    summary = store.import_files([bad], path)
    assert summary.loc[0, "imported"] == 3 and summary.loc[0, "quarantined"] == 4
    reasons = store.load_quarantine(path).set_index("value")["reason"]
    assert "implausible" in reasons["130"] and "must be positive" in reasons["0"]
    assert "must be positive" in reasons["-0"] and "denormal" in reasons["1e-320"]


def test_rate_required_is_never_infinite():
    import numpy as np

    from forecast.assess.assessment import _rates

    rates = _rates(np.array([2020.0, 2021.0]), np.array([12.0, 1e-300]), 10.0, 2030)
    assert not np.isinf(rates["rate_required"]) and not np.isinf(rates["rate_observed"])


# --- damaged, locked and missing stores --------------------------------------------------------


@pytest.mark.parametrize("damage", ["truncated", "byte-flipped"])
@pytest.mark.parametrize("command", ["status", "run", "import"])
def test_a_damaged_store_is_named_with_the_fix(tmp_path, small_store, damage, command):
    data = bytearray(small_store.read_bytes())
    if damage == "truncated":
        data = data[: len(data) // 2]
    else:
        for i in range(20000, len(data), 4096):
            data[i] ^= 0xFF
    small_store.write_bytes(bytes(data))
    args = {
        "status": ["data", "status"],
        "run": ["run", "--as-of", "2026Q4", "--province", "Hà Nam"],  # fails opening the store
        "import": ["data", "import", str(TIDY)],
    }[command]
    start = time.monotonic()
    result = forecast("--store", str(small_store), *args)
    assert result.returncode == 4, result.stderr
    one_line_error(result, str(small_store.name), "damaged", "restore it from a backup")
    assert time.monotonic() - start < 15  # not mistaken for a lock and retried
    assert small_store.read_bytes() == bytes(data)


def test_a_locked_store_is_named_with_the_fix(tmp_path, small_store, monkeypatch):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(small_store)!r}); print('ok', flush=True); time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        monkeypatch.setattr(store, "_LOCK_TRIES", 2)
        result = CliRunner().invoke(cli, ["--store", str(small_store), "data", "import", str(TIDY)])
        assert result.exit_code == 3, result.output
        assert "is locked by another program" in result.output and "close the other program" in result.output
    finally:
        holder.kill()
        holder.wait()


def test_status_of_a_missing_store_creates_nothing(tmp_path):
    typo = tmp_path / "typo.duckdb"
    result = forecast("--store", str(typo), "data", "status")
    assert result.returncode == 1
    one_line_error(result, str(typo), "does not exist", "check the --store path")
    assert not typo.exists()


# --- full disk and read-only folders ----------------------------------------------------------


def test_import_and_run_onto_a_full_disk(tmp_path, real_store):
    with tmpfs(tmp_path / "full", "8m") as full:
        path = full / "store.duckdb"
        path.write_bytes(real_store.read_bytes())
        before = observations(path)
        fill(full)
        result = forecast(
            "--store", str(path), "data", "import", str(ROOT.parent / "shared" / "data" / "vn_provinces.csv")
        )
        if result.returncode == 0:  # DuckDB found room in its free blocks: then it is fully updated
            assert len(observations(path)) > len(before)
        else:
            assert result.returncode == 5, result.stderr
            one_line_error(result, "store.duckdb", "is full", "free some space")
            (full / "filler").unlink()
            assert observations(path) == before
            fill(full)
        result = forecast("--store", str(path), "run", "--as-of", "2026Q4", "--province", "Hà Nam")
        assert result.returncode == 5, result.stderr
        one_line_error(result, "store.duckdb", "is full", "free some space")


def test_report_onto_a_full_out(tmp_path, small_store):
    with tmpfs(tmp_path / "full", "2m") as full:
        (full / "old.txt").write_text("kept")
        fill(full)
        result = fake_report(
            EMPTY, "--store", str(small_store), "report", "--quarter", "2026Q4", "--out", str(full)
        )
        assert result.returncode == 5, result.stderr
        one_line_error(result, str(full), "free some space")
        assert sorted(p.name for p in full.iterdir()) == ["filler", "old.txt"]


def test_run_and_import_in_a_read_only_folder(tmp_path, real_store):
    with tmpfs(tmp_path / "ro", "8m") as ro:
        path = ro / "store.duckdb"
        path.write_bytes(real_store.read_bytes())
        before = observations(path)
        done = subprocess.run(["mount", "-o", "remount,ro", str(ro)], capture_output=True)
        if done.returncode:
            pytest.skip(f"cannot remount read-only: {done.stderr.decode().strip()}")
        for args in (["run", "--as-of", "2026Q4", "--province", "Hà Nam"], ["data", "import", str(TIDY)]):
            result = forecast("--store", str(path), *args)
            assert result.returncode == 6, result.stderr
            one_line_error(result, "store.duckdb", "read-only", "pass a writable path")
        assert observations(path) == before


# --- one snapshot per report -------------------------------------------------------------------


def test_an_import_during_a_report_never_reaches_its_pages(tmp_path, small_store):
    from types import SimpleNamespace

    from forecast.report.publish import quarter
    from forecast.report.publish.jobs import Job

    run = SimpleNamespace(data_fingerprint=store.data_fingerprint(small_store))
    settings = {"store": str(small_store), "jobs": 1}
    jobs = [Job("brief", "nb.ipynb", {"store": str(small_store)}, "briefs/x.html", "x")]
    work = tmp_path / "work"
    (work / "_work").mkdir(parents=True)
    [job] = quarter._read_snapshot(run, jobs, work, settings)
    snap = Path(job.reads)  # the kernel reads the snapshot; the page names the real store
    assert snap != small_store and snap.name == small_store.name
    assert job.parameters["store"] == str(small_store)
    extra = tmp_path / "extra.csv"
    extra.write_text("geo,indicator,year,value\nLâm Đồng,imr,2015,11\n")
    store.import_files([extra], small_store)  # the concurrent import
    assert store.data_fingerprint(snap) == settings["snapshot"]["data_fingerprint"] == run.data_fingerprint
    assert store.data_fingerprint(small_store) != run.data_fingerprint


# --- signals -----------------------------------------------------------------------------------

DRIVER = """
import sys
from types import SimpleNamespace
import pandas as pd
from forecast import pipeline
from forecast.report.publish import jobs
from forecast.cli import main

def fake_run(quarter_, store, provinces, **kw):
    a = pd.DataFrame({"province": ["Hà Nam"] * 2, "indicator": ["imr", "u5mr"], "kind": "outcome",
                      "verdict": "likely", "latest_value": [12.0, 15.0], "latest_year": [2020, 2020]})
    return SimpleNamespace(run_id="run-sig", as_of="2026Q4", created=pd.Timestamp("2026-11-25"),
                           data_fingerprint="x", settings={}, forecasts=pd.DataFrame(), assessments=a)

pipeline.prepare_run = fake_run
jobs.NOTEBOOKS = {k: sys.argv[1] for k in ("brief", "indicator", "overview")}
sys.argv = ["forecast", *sys.argv[2:]]
main()
"""


def _descendants(pid: int) -> set[int]:
    kids: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            kids.setdefault(int(stat.read_text().rsplit(")", 1)[1].split()[1]), []).append(
                int(stat.parent.name)
            )
    found, todo = set(), [pid]
    while todo:
        for k in kids.get(todo.pop(), []):
            found.add(k)
            todo.append(k)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_killed_report_leaves_no_process_and_no_quarter(tmp_path, small_store, sig):
    slow = tmp_path / "slow.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import time\ntime.sleep(120)"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, slow)
    out = tmp_path / "reports"
    proc = fake_report(
        slow,
        "--store",
        str(small_store),
        "report",
        "--quarter",
        "2026Q4",
        "--province",
        "Hà Nam",
        "--out",
        str(out),
        "--jobs",
        "2",
        background=True,
    )
    try:
        deadline, family = time.monotonic() + 120, set()
        while time.monotonic() < deadline:  # wait for the notebook kernels
            family |= _descendants(proc.pid)
            kernels = (
                [p for p in family if "ipykernel" in Path(f"/proc/{p}/cmdline").read_text(errors="replace")]
                if family
                else []
            )
            if len(kernels) >= 2:
                break
            time.sleep(0.5)
        else:
            pytest.fail("the report never started its kernels")
        time.sleep(1)
        family |= _descendants(proc.pid)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
        time.sleep(10)
        left = [p for p in family if _alive(p)]
        assert not left, f"orphans after 10 s: {left}"
        assert proc.returncode == -sig if sig == signal.SIGKILL else proc.returncode == 128 + sig, err
        if sig == signal.SIGTERM:
            assert "Traceback" not in err and "nothing was published" in err
        assert not (out / "2026Q4").exists()
    finally:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        for p in _descendants(proc.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(p, signal.SIGKILL)


def test_the_manifest_records_the_snapshot(tmp_path, small_store):
    out = tmp_path / "r"
    result = fake_report(
        EMPTY, "--store", str(small_store), "report", "--quarter", "2026Q4", "--out", str(out), "--jobs", "1"
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((out / "2026Q4" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["generator"] == "forecast-workbench"
    snap = manifest["settings"]["snapshot"]
    assert snap["source"] == str(small_store) and snap["data_fingerprint"] == store.data_fingerprint(
        small_store
    )


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_overview_of_a_run_without_targets_says_there_is_nothing_to_assess(tmp_path, small_store, lang):
    """A run whose provinces have no outcome target (none in the registry, no national plan)."""
    import papermill as pm

    from forecast import config, pipeline
    from forecast.registry.targets import load_targets
    from forecast.report.pages.text import t

    empty = load_targets().iloc[0:0]
    for quarter_ in ("2026Q3", "2026Q4"):  # a previous run too: the changes section compares them
        run = pipeline.prepare_run(
            quarter_, small_store, provinces=["Hà Nam"], targets=empty, national_for=[]
        )
    assert run.assessments.empty and "verdict" in run.assessments
    nb = pm.execute_notebook(
        str(config.NOTEBOOKS_DIR / "overview.ipynb"),
        str(tmp_path / "overview.ipynb"),
        parameters={"store": str(small_store), "lang": lang, "quarter": "2026Q4"},
        progress_bar=False,
        kernel_name="python3",
        execution_timeout=600,  # a hung cell fails the test, never stalls CI
    )
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    html = "\n".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert t("nothing_to_assess", lang) in html
    assert t("p_attain_dist", lang) not in html  # no empty chart


def test_d9_a_target_year_before_all_data_is_never_achieved_without_an_observation(shared_data):
    """D9 (issue #20): a target year before the series starts gave "achieved" with P 0.00 and the
    reason "interpolated". The verdict now rests on the first observation after the target year,
    named with its year, and P agrees with it."""
    import math

    import pandas as pd

    from forecast.assess import assessment

    raw = pd.read_csv(shared_data / "vn_provinces.csv")
    imr = raw[(raw["geo"] == "Hà Nam") & (raw["indicator"] == "imr")].sort_values("year")
    first_year, first = int(imr["year"].iloc[0]), float(imr["value"].iloc[0])
    latest = float(imr["value"].iloc[-1])
    targets = pd.DataFrame(
        [
            dict(
                plan_id="p", province="Hà Nam", indicator="imr", year=first_year - 5, comparator="<=", value=v
            )
            | dict(value_high=math.nan, unit="per_1000", kind="outcome", note="", quote="")
            for v in (first + 1.0, latest / 2)  # met by the first observation; met by none
        ]
    )
    out = assessment.assess_targets(targets, imr, pd.DataFrame(), "2026Q4", national=pd.DataFrame())
    met, never = out.iloc[0], out.iloc[1]
    assert (met.verdict, met.p_attain, met.observed_year) == ("achieved", 1.0, first_year)
    assert met.observed_value == pytest.approx(first) and met.timing == "observed"
    assert (never.verdict, never.p_attain) == ("missed", 0.0)
    for r in (met, never):
        assert "interpolated" not in r.reason
        assert r.verdict != "achieved" or r.p_attain == 1.0
    assert f"the first one after it ({first_year})" in never.reason
