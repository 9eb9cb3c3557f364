"""Accuracy, calibration and speed of the forecasting engine on the real series in ../shared/data.

Protocols (issue #4):
  (a) national World Bank / JME / WUENIC series for Viet Nam, train to 2013, forecast 2014-2023;
  (b) GSO provincial series, train to 2011, forecast 2012-2016.
Robustness: the same protocols one or two origins earlier (national train to 2011, forecast
2012-2021; provincial train to 2010, forecast 2011-2015), so a gain is not one origin's fluke.
Calibration, ensemble weights and the ``panel`` model's hyper-parameters come only from rolling
origins inside the training years.
Inner validation (--inner): calibration variants (error orientation window, centred pool, recency
decay of the error weights, lambda in {1, 0.9, 0.8, 0.7}; ``orient=5+centre`` is the default, lambda = 1) scored
by pinball loss and coverage at origins inside the training years only (national 2002-2008,
5 years ahead; provincial 2006-2008, 3 years ahead), which is how the defaults were chosen.

Run:  .venv-bench/bin/python benchmarks/bench_inner.py [--per-indicator] [--save] [--inner] [--recency L]
(the earlier protocols and the inner validation of calibration variants; `make bench` runs
bench_engine.py, the side-by-side comparison with the statsforecast peers)
(--save writes CSVs to benchmarks/results/, which is git-ignored).
"""

from __future__ import annotations

import argparse
import time

import pandas as pd

from common import load_series, quiet, save_scores
from forecast import config
from forecast.engine.backtest import backtest, evaluate
from forecast.engine.forecast import EngineSettings
from forecast.engine.models import forecast_panel

NATIONAL = [
    "life_expectancy",
    "imr",
    "u5mr",
    "beds_per_10k",
    "doctors_per_10k",
    "nurses_midwives_per_10k",
    "oop_share",
    "pop_growth",
    "stunting_u5",
    "overweight_u5",
    "dpt3_coverage",
    "measles_coverage",
]
PROVINCIAL = [
    "imr",
    "u5mr",
    "beds_per_10k_dohs",
    "doctors_per_10k_dohs",
    "nurses_per_10k_dohs",
    "full_immunization_u1",
    "pop_growth",
]
MODELS = ["ensemble", "naive", "drift", "aarr", "trend", "wtrend", "ses", "theta", "dholt", "pooled", "panel"]
PROTOCOLS = {
    "national": ("vn_national.csv", NATIONAL, 2013, 10),
    "provincial": ("vn_provinces.csv", PROVINCIAL, 2011, 5),
}
ROBUSTNESS_ORIGINS = {"national": 2011, "provincial": 2010}
INNER_SPLITS = [("national", o, 5) for o in (2002, 2004, 2006, 2008)] + [
    ("provincial", o, 3) for o in (2006, 2007, 2008)
]
INNER_VARIANTS = {
    f"orient={w}{'+centre' if c else ''}": {"orient_window": w, "center_pool": c}
    for w in (0, 5, 10)
    for c in (False, True)
} | {f"recency={lam}": {"recency_decay": lam} for lam in (0.9, 0.8, 0.7)}  # orient=5+centre is recency=1


def load(protocol: str) -> pd.DataFrame:
    """The protocol's tidy observations (provinces only: GSO regions are left out)."""
    file, codes, _, _ = PROTOCOLS[protocol]
    return load_series(file, codes)


def run_protocol(
    protocol: str,
    models: list[str],
    ets: bool = False,
    origin: int | None = None,
    settings: EngineSettings | None = None,
) -> tuple[pd.DataFrame, float]:
    """Back-test one protocol (at ``origin`` if given); return its evaluation and seconds taken."""
    obs = load(protocol)
    _, _, default_origin, horizon = PROTOCOLS[protocol]
    origin = origin or default_origin
    t0 = time.perf_counter()
    fc = backtest(obs, origin, horizon, models + (["ets"] if ets else []), settings)
    secs = time.perf_counter() - t0
    return evaluate(fc, obs), secs


def inner_validation(models: list[str]) -> pd.DataFrame:
    """Score the calibration variants at origins inside the training years (no test year seen)."""
    rows = []
    for protocol, origin, horizon in INNER_SPLITS:
        obs = load(protocol)
        for name, kw in INNER_VARIANTS.items():
            fc = backtest(obs, origin, horizon, models, EngineSettings(**kw))
            scores = evaluate(fc, obs)
            scores = scores[scores["indicator"] == "(all)"]
            rows.append(scores.assign(variant=name, split=f"{protocol} <= {origin}"))
    return pd.concat(rows, ignore_index=True)


def report_inner(scores: pd.DataFrame) -> None:
    """Print the mean pinball loss per variant and model, and the ensemble's coverage per split."""
    pin = scores.pivot_table(index="variant", columns="model", values="pinball", aggfunc="mean")
    print("\n== inner validation: mean pinball loss over the inner splits (lower is better)")
    print(pin.assign(mean=pin.mean(axis=1)).sort_values("mean").round(4).to_string())
    ens = scores[scores["model"] == "ensemble"]
    for col in ("coverage80", "coverage95"):
        print(f"ensemble {col}:")
        cov = ens.pivot(index="variant", columns="split", values=col)
        print(cov.assign(mean=cov.mean(axis=1)).round(3).to_string())


def speed() -> tuple[int, float]:
    """Seconds to fit and calibrate the default ensemble on every provincial series."""
    obs = pd.read_csv(config.SHARED_DATA_DIR / "vn_provinces.csv")
    n = obs.groupby(["geo", "indicator"]).ngroups
    t0 = time.perf_counter()
    forecast_panel(obs, horizon=10)
    return n, time.perf_counter() - t0


def report(protocol: str, scores: pd.DataFrame, secs: float, per_indicator: bool) -> None:
    """Print the all-indicator table, the goal check and optionally the per-indicator tables."""
    allrows = scores[scores["indicator"] == "(all)"].set_index("model")
    table = allrows[["n_series", "n", "mase", "smape", "coverage80", "coverage95", "pinball"]]
    print(f"\n== {protocol}: back-test in {secs:.1f} s")
    print(table.sort_values("mase").round(3).to_string())
    best = allrows.loc[["naive", "drift", "aarr"], "mase"]
    gain = 1 - allrows.loc["ensemble", "mase"] / best.min()
    cov = allrows.loc["ensemble", ["coverage80", "coverage95"]]
    print(
        f"ensemble vs best of naive/drift/aarr ({best.idxmin()} {best.min():.3f}): "
        f"{100 * gain:.1f}% lower MASE (goal >= 10%); coverage80 {cov.iloc[0]:.3f} "
        f"(goal 0.75-0.85), coverage95 {cov.iloc[1]:.3f} (goal 0.90-0.98)"
    )
    if per_indicator:
        wide = scores[scores["indicator"] != "(all)"].pivot(index="indicator", columns="model", values="mase")
        print(wide.round(2).to_string())


def main() -> None:
    """Run both protocols and the speed test; print the tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--per-indicator", action="store_true")
    ap.add_argument("--ets", action="store_true", help="also back-test statsmodels ETS (slow)")
    ap.add_argument("--save", action="store_true", help="write CSVs to benchmarks/results/")
    ap.add_argument("--inner", action="store_true", help="only the inner validation of variants")
    ap.add_argument(
        "--recency",
        type=float,
        default=None,
        help="recency_decay of the calibration (default: EngineSettings')",
    )
    args = ap.parse_args()
    quiet()
    if args.inner:
        report_inner(inner_validation(["ensemble", "naive", "drift", "aarr", "theta", "dholt"]))
        return
    runs = [(p, PROTOCOLS[p][2]) for p in PROTOCOLS] + list(ROBUSTNESS_ORIGINS.items())
    for protocol, origin in runs:
        settings = EngineSettings(recency_decay=args.recency) if args.recency else None
        scores, secs = run_protocol(protocol, MODELS, args.ets, origin, settings)
        label = f"{protocol}, train <= {origin}"
        report(label, scores, secs, args.per_indicator)
        if args.save:
            save_scores(scores, f"{protocol}_{origin}")
    n, secs = speed()
    print(
        f"\n== speed: forecast_panel(ensemble, calibration included) on all {n} provincial "
        f"series of vn_provinces.csv: {secs:.1f} s"
    )


if __name__ == "__main__":
    main()
