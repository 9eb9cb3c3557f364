"""The engine against its best peers, side by side on the same series, in one run.

Protocols (issue #10):
  (a) country panel ``world/world_panel_dev.csv`` (the development half of a WDI/JME/WUENIC
      panel; the other half is kept apart), fit <= 2012, score 2013-2019;
  (b) GSO provincial series ``vn_provinces.csv``, fit <= 2011, score 2012-2016.
Models: the engine's ensemble, statsforecast's AutoARIMA / AutoETS / AutoTheta (benchmarks/peers.py)
and the engine's naive, drift and AARR. Every model sees the same series (those with at least
three observations up to the origin) and nothing after the origin; calibration, ensemble weights
and hyper-parameters come from rolling origins inside the fit years.
Scores: MASE (Hyndman & Koehler 2006; scale = mean absolute yearly change up to the origin), the
80% interval score (Gneiting & Raftery 2007, JASA 102:359-378, eq. 43, divided by the same scale),
80% / 95% coverage and seconds.  Goals: ensemble MASE and interval score >= 10% below AutoARIMA's,
coverage 75-85% / 90-98%, no headline indicator worse than AutoARIMA.

Engine settings (limits, ensemble pruning, weight powers) are chosen on the inner protocols
(``--inner``: country fit <= 2005 scored 2006-2012, provincial fit <= 2008 scored 2009-2011),
which end before the scored years of (a) and (b) begin.

Run:  .venv-bench/bin/python benchmarks/bench_engine.py [--no-peers] [--save] [--inner]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from common import load_series, quiet, save_scores
from forecast.engine.backtest import backtest

COUNTRY = [
    "life_expectancy",
    "imr",
    "u5mr",
    "stunting_u5",
    "beds_per_10k",
    "doctors_per_10k",
    "nurses_midwives_per_10k",
    "oop_share",
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
    "pharmacists_per_10k_dohs",
    "full_immunization_u1",
]
HEADLINE = ("imr", "u5mr", "stunting_u5", "life_expectancy", "bhyt_coverage")
PROTOCOLS = {  # file, indicators, origin, last scored year
    "country (world_panel_dev)": ("world/world_panel_dev.csv", COUNTRY, 2012, 2019),
    "provincial (vn_provinces)": ("vn_provinces.csv", PROVINCIAL, 2011, 2016),
}
INNER = {  # where engine settings are chosen: earlier origins, no scored year of PROTOCOLS seen
    "inner country (world_panel_dev)": ("world/world_panel_dev.csv", COUNTRY, 2005, 2012),
    "inner provincial (vn_provinces)": ("vn_provinces.csv", PROVINCIAL, 2008, 2011),
}
ENGINE = ("ensemble", "naive", "drift", "aarr")
ORDER = ["ensemble", "AutoARIMA", "AutoETS", "AutoTheta", "naive", "drift", "aarr"]
MIN_POINTS = 3


def load(file: str, codes: list[str]) -> pd.DataFrame:
    """Tidy observations of ``codes`` (GSO regions left out), rows without a value dropped."""
    df = load_series(file, codes)
    return df[["geo", "indicator", "year", "value"]].dropna().reset_index(drop=True)


def comparable(obs: pd.DataFrame, origin: int, last: int) -> pd.DataFrame:
    """Series with >= MIN_POINTS observations up to the origin and one in the scored years."""
    past = obs[obs["year"] <= origin]
    n = past.groupby(["geo", "indicator"]).size()
    fut = obs[(obs["year"] > origin) & (obs["year"] <= last)].groupby(["geo", "indicator"]).size()
    keep = n[n >= MIN_POINTS].index.intersection(fut.index)
    idx = pd.MultiIndex.from_frame(obs[["geo", "indicator"]])
    return obs[idx.isin(keep)].reset_index(drop=True)


def forecasts(obs: pd.DataFrame, origin: int, horizon: int, peers: bool) -> tuple[pd.DataFrame, dict]:
    """Forecasts of every model and the seconds each took."""
    secs, frames = {}, []
    t0 = time.perf_counter()
    frames.append(backtest(obs, origin, horizon, ["ensemble"]))
    secs["ensemble"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    frames.append(backtest(obs, origin, horizon, list(ENGINE[1:])))
    for m in ENGINE[1:]:  # fitted (and calibrated) in one call: each is charged a third
        secs[m] = (time.perf_counter() - t0) / (len(ENGINE) - 1)
    if peers:
        from peers import PEERS, cached_peer_forecasts

        fc, fit_seconds = cached_peer_forecasts(obs[obs["year"] <= origin], horizon)
        frames.append(fc)
        for m in PEERS:  # the three are fitted in one call: each is charged a third of its fit
            secs[m] = fit_seconds / len(PEERS)
    cols = ["geo", "indicator", "model", "year", "mean", "q025", "q10", "q90", "q975"]
    return pd.concat([f[cols] for f in frames], ignore_index=True), secs


def scores(fc: pd.DataFrame, obs: pd.DataFrame, origin: int, last: int) -> pd.DataFrame:
    """Per model x indicator (and ``(all)``): mase, interval score 80, coverage 80 / 95."""
    past = obs[obs["year"] <= origin].sort_values("year")
    d = past.groupby(["geo", "indicator"])["value"].apply(lambda v: v.diff().abs().mean())
    scale = d[d > 0].rename("scale")
    act = obs[(obs["year"] > origin) & (obs["year"] <= last)]
    df = fc.merge(act, on=["geo", "indicator", "year"]).join(scale, on=["geo", "indicator"])
    df = df.dropna(subset=["scale", "mean", "q10", "q90"])
    y, lo, hi = df["value"], df["q10"], df["q90"]
    df["ase"] = (y - df["mean"]).abs() / df["scale"]
    df["is80"] = ((hi - lo) + 10 * (lo - y).clip(lower=0) + 10 * (y - hi).clip(lower=0)) / df["scale"]
    df["in80"] = ((y >= lo) & (y <= hi)).astype(float)
    df["in95"] = ((y >= df["q025"]) & (y <= df["q975"])).astype(float)
    agg = {
        "mase": ("ase", "mean"),
        "is80": ("is80", "mean"),
        "cov80": ("in80", "mean"),
        "cov95": ("in95", "mean"),
    }
    per = df.groupby(["model", "indicator"]).agg(n=("ase", "size"), **agg).reset_index()
    every = df.groupby("model").agg(n=("ase", "size"), **agg).reset_index().assign(indicator="(all)")
    return pd.concat([per, every], ignore_index=True)


def report(name: str, sc: pd.DataFrame, secs: dict) -> None:
    """Print the overall table, the goal check and the per-indicator MASE / interval-score tables."""
    models = [m for m in ORDER if m in set(sc["model"])]
    allr = sc[sc["indicator"] == "(all)"].set_index("model").loc[models]
    allr["seconds"] = [secs.get(m, np.nan) for m in models]
    print(f"\n== {name}: {int(allr['n'].iloc[0])} scored values")
    print(allr[["mase", "is80", "cov80", "cov95", "seconds"]].round(3).to_string())
    if "AutoARIMA" in allr.index:
        e, a = allr.loc["ensemble"], allr.loc["AutoARIMA"]
        print(
            f"ensemble vs AutoARIMA: MASE {100 * (1 - e.mase / a.mase):+.1f}%, interval score "
            f"{100 * (1 - e.is80 / a.is80):+.1f}% lower (goals >= 10%); coverage80 {e.cov80:.3f} "
            f"(0.75-0.85), coverage95 {e.cov95:.3f} (0.90-0.98)"
        )
        head = sc[sc["indicator"].isin(HEADLINE)].pivot(index="indicator", columns="model", values="mase")
        lost = [i for i in head.index if head.loc[i, "ensemble"] > head.loc[i, "AutoARIMA"]]
        print(f"headline indicators where the ensemble's MASE is above AutoARIMA's: {lost or 'none'}")
    per = sc[sc["indicator"] != "(all)"]
    for metric in ("mase", "is80", "cov80"):
        wide = per.pivot(index="indicator", columns="model", values=metric)[models]
        wide.index = [f"{i} *" if i in HEADLINE else i for i in wide.index]
        print(f"-- {metric} per indicator (* headline)")
        print(wide.round(2).to_string())


def main() -> None:
    """Run both protocols, print the tables side by side per protocol."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-peers", action="store_true", help="skip statsforecast (not installed)")
    ap.add_argument("--save", action="store_true", help="write CSVs to benchmarks/results/")
    ap.add_argument("--inner", action="store_true", help="the inner protocols settings are chosen on")
    args = ap.parse_args()
    quiet()
    peers = not args.no_peers
    if peers:
        try:
            import statsforecast  # noqa: F401
        except ImportError:
            print("statsforecast is not installed (pip install -e '.[bench]'): peers skipped")
            peers = False
    for name, (file, codes, origin, last) in (INNER if args.inner else PROTOCOLS).items():
        obs = comparable(load(file, codes), origin, last)
        fc, secs = forecasts(obs, origin, last - origin, peers)
        sc = scores(fc, obs, origin, last)
        report(f"{name}, fit <= {origin}, score {origin + 1}-{last}", sc, secs)
        if args.save:
            save_scores(sc, f"{file.split('/')[-1][:-4]}_{origin}")


if __name__ == "__main__":
    main()
