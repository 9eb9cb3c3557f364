"""P(attain) against its peers and the rules users know, on pseudo-targets, side by side in one run.

Issue #19, item 9: the headline number of a brief is P(attain), so it is scored as a probability.
Protocols (those of ``bench_engine.py``):
  (a) country panel ``world/world_panel_dev.csv`` (the development half; the other half is kept
      apart and never read here), fit <= 2012, targets in 2013-2019;
  (b) GSO provincial series ``vn_provinces.csv``, fit <= 2011, targets in 2012-2016.
Targets (``attain.pseudo_targets``) are set from the fit years only: from each series' latest
value, k = 0, 0.5, ..., 3 times its own recent pace in its desirable direction, at every scored
year with an observation. Every model sees the same series and nothing after the origin.
Models: the engine's ensemble and statsforecast's AutoARIMA / AutoETS / AutoTheta (``peers.py``,
their 50/80/90/95% intervals as the nine quantiles; forecasts cached with ``bench_engine.py``'s), all turned into P by the assessment's own
function (``forecast.assess.assessment.attainment_probability``); and the rules users know
(``attain.RULES``: UNICEF's AARR on-track rule, Statistics Canada's progress ratio, ESCAP's
time-weighted regression), which give a class, scored by accuracy and the Brier score of 0/1.
Scores: Brier, log loss, accuracy, expected calibration error (ECE, ten bins) and the calibration
table by decile, overall and per indicator, and the ensemble by horizon.
Goal: Brier >= 15% below the best peer on both protocols, ECE <= 0.03, no indicator ECE > 0.10.
Engine settings are tuned on the inner protocols (``--inner``: country fit <= 2005, targets
2006-2012; provincial fit <= 2008, targets 2009-2011), which end before the scored years begin. A post-hoc recalibration of P tuned there
does not hold on the scored years (``bench_recalibrate.py``): none is applied.

Run:  .venv-bench/bin/python benchmarks/bench_attain.py [--quick] [--no-peers] [--inner] [--eras] [--save]
``--quick`` scores every third series of each indicator (the engine still fits whole panels).
``--eras`` scores the engine alone at every origin of :data:`ERAS` (7 years of targets on the
country panel, the provincial protocols' spans) and prints, per origin, the mean P it said beside
the share met: whether a calibration learnt from earlier windows could carry to the scored years.

Result of ``--eras`` (main at 4f61079, 2026-12-04, 40 s): on the country panel the engine said too
little at every origin before the scored one (1998: P 0.318 said, 0.383 met; 2001: 0.297 / 0.330;
2005: 0.288 / 0.350) and too much at 2012 (0.307 / 0.276, ECE 0.034); on the provinces too little at
2005 and 2008 (0.258 / 0.406, 0.316 / 0.433) and about right at 2011 (0.322 / 0.331). Progress was
faster than each series' own recent pace in every window before 2013 and slower in 2013-2019, so
anything learnt from the earlier windows (a recalibration, a bias term, a learnt share) raises the
country P where the scored years need it lowered: the country ECE goal (<= 0.03) is out of reach of
a model chosen without the scored years.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from attain import RULES, calibration, pseudo_targets, rule_answers, scores
from bench_engine import COUNTRY, INNER, PROTOCOLS, PROVINCIAL, comparable, load
from common import quiet, save_scores
from forecast.assess.assessment import attainment_probability
from forecast.config import QUANTILE_COLUMNS
from forecast.data.jumps import detect_jumps
from forecast.data.priority import drop_breaks
from forecast.engine.backtest import backtest
from forecast.engine.transforms import for_indicator

PEER_MODELS = ("AutoARIMA", "AutoETS", "AutoTheta")
#: ``--eras``: (file, indicators, origin, last scored year) of the engine-alone runs, oldest first
ERAS = [
    *[("world/world_panel_dev.csv", COUNTRY, origin, origin + 7) for origin in (1998, 2001, 2005, 2012)],
    *[("vn_provinces.csv", PROVINCIAL, origin, origin + 3) for origin in (2005, 2008)],
    ("vn_provinces.csv", PROVINCIAL, 2011, 2016),
]
ORDER = ["ensemble", *PEER_MODELS, *RULES]
GOAL_GAIN, GOAL_ECE, GOAL_ECE_INDICATOR = 0.15, 0.03, 0.10
TARGET_KEYS = ["geo", "indicator", "year", "k"]  # one pseudo-target


def forecasts(
    obs: pd.DataFrame, origin: int, horizon: int, peer_obs: pd.DataFrame | None
) -> tuple[pd.DataFrame, dict]:
    """Nine-quantile forecasts of the ensemble (on ``obs``) and the peers (on ``peer_obs``), and seconds."""
    secs, frames = {}, []
    t0 = time.perf_counter()
    frames.append(backtest(obs, origin, horizon, ["ensemble"]))
    secs["ensemble"] = time.perf_counter() - t0
    if peer_obs is not None:
        from peers import cached_peer_forecasts

        fc, fit_seconds = cached_peer_forecasts(peer_obs[peer_obs["year"] <= origin], horizon)
        frames.append(fc)
        for m in PEER_MODELS:  # fitted in one call (or read from bench_engine's): a third each
            secs[m] = fit_seconds / len(PEER_MODELS)
    cols = ["geo", "indicator", "model", "year", *QUANTILE_COLUMNS]
    return pd.concat([f[cols] for f in frames], ignore_index=True), secs


def probabilities(fc: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """P(attain) of every model for every target, by the assessment's own P function."""
    df = targets[["geo", "indicator", "year", "k", "comparator", "target"]].merge(
        fc, on=["geo", "indicator", "year"]
    )
    q = df[list(QUANTILE_COLUMNS)].to_numpy(float)
    comp, target, ind = df["comparator"].to_numpy(), df["target"].to_numpy(float), df["indicator"].to_numpy()
    tr = {i: for_indicator(i) for i in np.unique(ind)}
    p = [attainment_probability(q[i], comp[i], target[i], tr[ind[i]]) for i in range(len(df))]
    return df[["geo", "indicator", "year", "k", "model"]].assign(p=p)


def scorable(obs: pd.DataFrame, origin: int) -> pd.DataFrame:
    """``obs`` without the scored years a publisher counted differently (as the default run leaves them out).

    Known breaks (``data/breaks.csv``) and years found to jump and revert in many places
    (:func:`forecast.data.jumps.detect_jumps`): GSO's 2012 DOH pharmacists and nurses include the
    private sector, so a 2012 "outcome" would score a change of definition, not of staffing. The
    fit years are left as ``bench_engine.py`` fits them, so both benchmarks fit the same data.
    """
    clean = drop_breaks(obs)
    jumps = detect_jumps(clean)
    clean = clean.merge(jumps[["geo", "indicator", "year"]], how="left", indicator=True)
    clean = clean[clean["_merge"] == "left_only"].drop(columns="_merge")
    return pd.concat([obs[obs["year"] <= origin], clean[clean["year"] > origin]], ignore_index=True)


def answers(obs: pd.DataFrame, origin: int, last: int, peers: bool, quick: bool) -> tuple[pd.DataFrame, dict]:
    """Every model's and rule's answer to every pseudo-target, with ``met``, ``horizon`` and ``kind``.

    Only targets every model gives a P for are kept, so all are scored on the same targets.
    """
    targets = pseudo_targets(scorable(obs, origin), origin, last)
    if quick:  # every third series of each indicator (the engine still fits whole panels)
        keys = targets[["geo", "indicator"]].drop_duplicates()
        targets = targets.merge(keys[keys.groupby("indicator").cumcount() % 3 == 0])
    # the peers fit what bench_engine.py fits (its forecasts are read back), or the quick subset
    peer_obs = obs.merge(targets[["geo", "indicator"]].drop_duplicates()) if quick else obs
    fc, secs = forecasts(obs, origin, last - origin, peer_obs if peers else None)
    probs, full = answered_by_all(probabilities(fc, targets))
    rules = rule_answers(obs, targets.merge(full), origin).assign(kind="class")
    out = pd.concat([probs, rules], ignore_index=True)
    return out.merge(targets, on=TARGET_KEYS), secs


def answered_by_all(probs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``probs`` of the targets every model gives a P for (``kind`` "p"), and those targets' keys."""
    n_p = probs.groupby(TARGET_KEYS)["p"].count()
    full = n_p[n_p == probs["model"].nunique()].index.to_frame(index=False)
    return probs.merge(full).assign(kind="p"), full


def _goal_line(allr: pd.DataFrame, per: pd.DataFrame) -> str:
    """The goal check: Brier gain over the best peer, ECE, indicators above the ECE bound."""
    e = allr.loc["ensemble"]
    others = allr.drop(index="ensemble")
    if others.empty:
        return f"ensemble: Brier {e.brier:.4f}, ECE {e.ece:.4f} (no peers run)"
    best = others["brier"].idxmin()
    gain = 1 - e.brier / others.loc[best, "brier"]
    ens = per[(per["model"] == "ensemble") & (per["indicator"] != "(all)")]
    bad = ens.loc[ens["ece"] > GOAL_ECE_INDICATOR, "indicator"].tolist()
    return (
        f"ensemble vs best peer ({best}, Brier {others.loc[best, 'brier']:.4f}): Brier {100 * gain:+.1f}% "
        f"lower (goal >= {100 * GOAL_GAIN:.0f}%); ECE {e.ece:.4f} (goal <= {GOAL_ECE}); "
        f"indicators with ECE > {GOAL_ECE_INDICATOR}: {bad or 'none'}"
    )


def report(name: str, ans: pd.DataFrame, secs: dict) -> pd.DataFrame:
    """Print the overall table, the goal check, calibration by decile, per indicator and horizon."""
    sc = scores(ans)
    models = [m for m in ORDER if m in set(sc["model"])]
    allr = sc[sc["indicator"] == "(all)"].set_index("model").loc[models]
    allr["seconds"] = [secs.get(m, np.nan) for m in models]
    n_series = ans[["geo", "indicator"]].drop_duplicates().shape[0]
    print(
        f"\n== {name}: {int(allr['n'].iloc[0]):,} pseudo-targets on {n_series} series, "
        f"{100 * allr['met'].iloc[0]:.1f}% met"
    )
    cols = ["mean_p", "brier", "log_loss", "accuracy", "ece", "reliability", "resolution", "seconds"]
    print(allr[cols].round(4).to_string())
    print(_goal_line(allr, sc))
    prob = [m for m in models if m not in RULES]
    print("-- calibration by decile of P: mean P said / share met (n)")
    cells = {}
    for m in prob:
        a = ans[ans["model"] == m]
        cal = calibration(a["p"].to_numpy(), a["met"].to_numpy())
        cells[m] = [f"{r.said:.2f} / {r.met:.2f} ({r.n})" if r.n else "-" for r in cal.itertuples()]
    bins = [f"{lo:.1f}-{lo + 0.1:.1f}" for lo in np.arange(10) / 10]
    print(pd.DataFrame(cells, index=bins).to_string())
    per = sc[sc["indicator"] != "(all)"]
    for metric in ("brier", "ece"):
        wide = per.pivot(index="indicator", columns="model", values=metric)
        print(f"-- {metric} per indicator")
        print(wide[[m for m in models if m in wide.columns and wide[m].notna().any()]].round(3).to_string())
    ens = ans[ans["model"] == "ensemble"]
    print("-- ensemble per indicator: mean P said, share met")
    print(
        sc[sc["model"] == "ensemble"]
        .set_index("indicator")[["n", "mean_p", "met", "brier", "ece"]]
        .round(3)
        .to_string()
    )
    byh = scores(ens.assign(indicator=ens["horizon"].clip(upper=8)))
    byh = byh[byh["indicator"] != "(all)"].set_index("indicator").sort_index()
    mid = ens[(ens["p"] >= 0.1) & (ens["p"] < 0.5)].groupby(ens["horizon"].clip(upper=8))
    byh = byh.join(mid["p"].mean().rename("said_10_50")).join(mid["met"].mean().rename("met_10_50"))
    byh.index = [f"{h}+" if h == 8 else str(h) for h in byh.index]
    print("-- ensemble by horizon (years from the latest observation); said/met of P in 0.1-0.5")
    print(byh[["n", "mean_p", "met", "brier", "ece", "said_10_50", "met_10_50"]].round(3).to_string())
    return sc


def eras() -> pd.DataFrame:
    """The engine's mean P said and share met, Brier and ECE at every origin of :data:`ERAS`."""
    rows = []
    for file, codes, origin, last in ERAS:
        ans, _ = answers(comparable(load(file, codes), origin, last), origin, last, False, False)
        e = scores(ans).query("model == 'ensemble' and indicator == '(all)'").iloc[0]
        rows.append(
            {"panel": file.split("/")[-1][:-4], "origin": origin, "targets": f"{origin + 1}-{last}"}
            | {"n": int(e.n), "said": e.mean_p, "met": e.met, "brier": e.brier, "ece": e.ece}
        )
    return pd.DataFrame(rows)


def main() -> None:
    """Run both protocols (or the inner ones, or the engine at every era) and print their tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="score every third series (peers fit fewer)")
    ap.add_argument("--no-peers", action="store_true", help="skip statsforecast (not installed)")
    ap.add_argument("--inner", action="store_true", help="the inner protocols settings are tuned on")
    ap.add_argument("--eras", action="store_true", help="the engine alone at earlier origins: P said vs met")
    ap.add_argument("--save", action="store_true", help="write CSVs to benchmarks/results/")
    args = ap.parse_args()
    quiet()
    if args.eras:
        print(eras().round(4).to_string(index=False))
        return
    peers = not args.no_peers
    if peers:
        try:
            import statsforecast  # noqa: F401
        except ImportError:
            print("statsforecast is not installed (pip install -e '.[bench]'): peers skipped")
            peers = False
    t0 = time.perf_counter()
    for name, (file, codes, origin, last) in (INNER if args.inner else PROTOCOLS).items():
        obs = comparable(load(file, codes), origin, last)
        ans, secs = answers(obs, origin, last, peers, args.quick)
        sc = report(f"{name}, fit <= {origin}, targets {origin + 1}-{last}", ans, secs)
        if args.save:
            save_scores(sc, f"attain_{file.split('/')[-1][:-4]}_{origin}")
    print(f"\nbench_attain: {time.perf_counter() - t0:.0f} s wall{' (quick)' if args.quick else ''}")


if __name__ == "__main__":
    main()
