"""Time the quarterly report as a user runs it: the default and ``--all`` on a fresh store, by stage.

Run: ``python benchmarks/bench_report.py [--jobs N] [--quarter 2026Q4] [--skip-all]``. Prints, in one
run (issue #21's acceptance):

* the wall time of ``forecast report`` (the default provinces) on a fresh store, which first imports
  the bundled data (goal: <= 90 s on 2 cores), and of ``forecast report --all`` on another fresh
  store (goal: <= 4 min);
* the stage table of each (the manifest's ``stages``: import, forecast, assess, backtest, save,
  snapshot, notebooks, render, pdf, attachments, publish);
* the per-notebook overhead: a notebook's wall time in its worker minus the time in its own cells
  (parameters, kernel reset, rendering, writing), median over the run (goal: <= 0.5 s), beside an
  empty notebook executed the same way in the same kind of warm pool (the floor);
* the time to draw each kind of chart (figure creation and PNG), median over the default run's
  charts (not with ``--no-charts``);
* a brief run again in a warm kernel, as "Run All" in JupyterLab after a first run (goal: <= 3 s);
* a closing table of these figures beside their goals.

Each report is the ``forecast`` command in a process of its own, as ``make report`` runs it. The
machine's load average is printed with the figures: on a shared machine quote ratios, not seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import empty_pool

#: Stages printed, in the order they run (see forecast.report.publish.quarter.STAGES).
STAGES = ("import", "forecast", "assess", "backtest", "save", "snapshot", "notebooks", "render", "pdf")
STAGES += ("attachments", "publish")


def load() -> str:
    """The 1-minute load average and the cores, e.g. ``load 1.9 on 2 cores``."""
    return f"load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def forecast_report(folder: Path, jobs: int, quarter: str, *extra: str) -> dict:
    """Run ``forecast report`` on a fresh store in ``folder``; return its wall time and manifest."""
    exe = Path(sys.executable).with_name("forecast")
    cmd = [str(exe), "report", "--quarter", quarter, "--jobs", str(jobs), *extra]
    cmd += ["--store", str(folder / "store.duckdb"), "--out", str(folder / "reports")]
    before = load()
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    manifest = json.loads((folder / "reports" / quarter / "manifest.json").read_text(encoding="utf-8"))
    if done.returncode:
        print(f"  (exit code {done.returncode}: {done.stderr.strip().splitlines()[-1:]})")
    return {"wall": wall, "manifest": manifest, "load": f"{before} -> {load()}"}


def print_run(name: str, goal: float, res: dict) -> None:
    """Print one report's wall time, stage table and per-notebook figures."""
    m = res["manifest"]
    notebooks = m["notebooks"]
    ok = [n for n in notebooks if n["ok"]]
    print(
        f"{name}: {res['wall']:.1f} s wall ({len(notebooks)} notebooks, {len(notebooks) - len(ok)} "
        f"failed; goal <= {goal:.0f} s; {res['load']})"
    )
    stages = m.get("stages", {})
    print("  stage        seconds")
    for stage in STAGES:
        if stage in stages:
            print(f"  {stage:<12} {stages[stage]:7.1f}")
    over = [n["seconds"] - n["cell_seconds"] for n in ok]
    kinds = sorted({n["kind"] for n in ok})
    for kind in kinds:
        rows = [n for n in ok if n["kind"] == kind]
        print(
            f"  {kind:<9} x{len(rows):3d}: median {statistics.median(n['seconds'] for n in rows):.2f} s, "
            f"cells {statistics.median(n['cell_seconds'] for n in rows):.2f} s, "
            f"render {statistics.median(n.get('render_seconds', 0) for n in rows):.2f} s"
        )
    if over:
        print(
            f"  per-notebook overhead (wall - cells): median {statistics.median(over):.2f} s, "
            f"max {max(over):.2f} s (goal <= 0.5 s)"
        )


def overhead(res: dict) -> float | None:
    """Median seconds of a notebook's job beyond its own cells (rendering, writing, the kernel's reset)."""
    ok = [n for n in res["manifest"]["notebooks"] if n["ok"]]
    return statistics.median(n["seconds"] - n["cell_seconds"] for n in ok) if ok else None


def warm_brief(store: Path, run_id: str, province: str = "Hà Nam", runs: int = 3) -> list[float]:
    """Seconds of ``runs`` runs of a brief in one kernel (the first starts it and imports the library).

    The runs after the first are "Run All" in JupyterLab with a warm kernel: the library imported,
    the run's frames read from the store. Each run starts from an empty namespace, as the report's
    workers do (:class:`forecast.report.publish.kernels.WarmKernel`).
    """
    from forecast.report.publish import execute, jobs, kernels

    brief = jobs.notebook_paths(None)["brief"]
    warm = kernels.WarmKernel(extra_arguments=execute.KERNEL_ARGS)
    params = {"province": province, "store": str(store), "run_id": run_id}
    out = []
    try:
        for _ in range(runs):
            start = time.perf_counter()
            warm.execute(brief, params, execution_timeout=execute.CELL_TIMEOUT)
            out.append(time.perf_counter() - start)
    finally:
        warm.shutdown()
    return out


def summary(rows: list[tuple[str, float | None, str, float]]) -> None:
    """Print the acceptance figures of issue #21: what, measured, unit, goal."""
    print(f"\n{'issue #21 acceptance':<44} {'measured':>9}   goal   ({load()})")
    for what, value, unit, goal in rows:
        shown = "-" if value is None else f"{value:.2f}" if value < 10 else f"{value:.0f}"
        met = "" if value is None else ("  met" if value <= goal else "  NOT met")
        print(f"{what:<44} {shown:>7} {unit:<2} <= {goal:g} {unit}{met}")


def chart_times(store: Path, run_id: str) -> dict[str, list[float]]:
    """Seconds to create and encode (PNG) each chart of two briefs and their deep dives, by kind."""
    from forecast.assess import slices
    from forecast.report.pages import plots
    from forecast.report.pages import views as brief

    out: dict[str, list[float]] = {}

    def timed(kind: str, make) -> None:
        start = time.perf_counter()
        brief.figure_html(make())
        out.setdefault(kind, []).append(time.perf_counter() - start)

    for province in ("Hà Nam", "Lâm Đồng (mới)"):
        page = slices.load_page(store, run_id, province)
        view = brief.province_view(page.run, page.observations, None, province)
        for p in brief.fan_panels(view, "vi"):
            timed(
                "fan_chart",
                lambda p=p: plots.fan_chart(p.observations, p.forecasts, p.targets, title=p.title),
            )
        for ind in sorted(set(view.assessments["indicator"]))[:4]:
            dive = brief.deep_dive_view(view, ind)
            detail = page.detail(dive.geo, dive.series)
            timed(
                "model_comparison",
                lambda d=dive, f=detail: plots.model_comparison(
                    d.observations, f["model_forecasts"], d.targets
                ),
            )
    timed("category_heatmap", lambda: plots.category_heatmap(page.run.assessments, "vi"))
    timed("p_attain_hist", lambda: plots.p_attain_hist(page.run.assessments, "vi"))
    return out


def main() -> None:
    """Run the default report and ``--all`` on fresh stores, the empty notebooks, and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=os.cpu_count())
    ap.add_argument("--quarter", default="2026Q4")
    ap.add_argument("--skip-all", action="store_true", help="only the default report")
    ap.add_argument("--no-charts", action="store_true", help="do not time each kind of chart")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "default").mkdir()
        default = forecast_report(tmp / "default", args.jobs, args.quarter)
        print_run(f"forecast report {args.quarter} (default, fresh store)", 90, default)
        every: dict | None = None
        if not args.skip_all:
            (tmp / "all").mkdir()
            every = forecast_report(tmp / "all", args.jobs, args.quarter, "--all")
            print_run(f"forecast report {args.quarter} --all (fresh store)", 240, every)
        empty = empty_pool(max(4, 4 * args.jobs), args.jobs, tmp)
        store, run_id = tmp / "default" / "store.duckdb", default["manifest"]["run_id"]
        lab = warm_brief(store, run_id)
        charts = {} if args.no_charts else chart_times(store, run_id)
    floor = statistics.median(empty)
    print(
        f"empty notebook in a warm pool of {args.jobs} (the floor): median {floor:.2f} s ({len(empty)} runs; {load()})"
    )
    print(
        f"brief (Hà Nam) in one kernel: first {lab[0]:.2f} s, then warm "
        + ", ".join(f"{x:.2f} s" for x in lab[1:])
    )
    for kind, seconds in charts.items():
        print(
            f"chart {kind:<17} x{len(seconds):3d}: median {statistics.median(seconds):.3f} s (created, PNG)"
        )
    over = overhead(default)
    summary(
        [
            ("forecast report, default, fresh store", default["wall"], "s", 90),
            ("forecast report --all, fresh store", None if every is None else every["wall"], "s", 240),
            (
                "per-notebook overhead over the empty notebook",
                None if over is None else over - floor,
                "s",
                0.5,
            ),
            ("brief, Run All in a warm kernel", min(lab[1:]), "s", 3),
        ]
    )


if __name__ == "__main__":
    main()
