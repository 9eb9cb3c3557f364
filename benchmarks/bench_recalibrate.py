"""Would a post-hoc recalibration of P(attain), tuned on the inner protocols, hold on the scored ones?

Issue #19, item 9: ``bench_attain.py`` finds the ensemble's P slightly off (country panel: P in
0.1-0.5 met ~5 points less often than said; provinces: long horizons met more often). Two
recalibrations are tried, each fitted on the inner protocols only (``bench_engine.INNER``:
country fit <= 2005, targets 2006-2012; provincial fit <= 2008, targets 2009-2011):

* **Platt** — ``logit P' = a + b logit P`` per panel and horizon (1, 2, 3+ years from the latest
  observation), by maximum likelihood (:func:`attain.fit_platt`; Platt 1999, Gneiting & Raftery
  2007);
* **width** — the nine quantiles spread about their median by a factor ``c`` per panel and
  horizon on the indicator's transformed scale (the interval growth by horizon of FPP3 §5.5),
  ``c`` the one of :data:`WIDTHS` with the lowest inner Brier score.

The era check fits the same Platt map at an earlier origin (:data:`ERAS`): if its intercept moves
with the era, the map learns that era's pace of progress, not the engine's miscalibration.
``--scored`` then applies the inner maps once to the scored protocols (``bench_engine.PROTOCOLS``).

Run:  .venv-bench/bin/python benchmarks/bench_recalibrate.py [--scored]

Result (the engine of main at cb6327d): the inner windows had faster progress than the forecast
(met 35 % / 43 % vs P 29 % / 32 %), and so had the earlier eras (country 1999-2005: a = +0.45;
provinces 2007-2008: a = +0.40), so the fitted maps raise P (a = +0.3 to +0.9 by horizon). In the
scored years progress slowed and the same maps make P worse on both panels: country Brier
0.121 -> 0.132, ECE 0.028 -> 0.094; provinces Brier 0.152 -> 0.159, ECE 0.039 -> 0.085; widening:
ECE 0.054 on both. The era check did not foresee it: the miscalibration of P on pseudo-targets is
mostly the era's pace of progress, which no map learnt before the era can know. So no
recalibration is applied to the assessment's P.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from attain import ece, fit_platt, platt, pseudo_targets
from bench_attain import probabilities, scorable
from bench_engine import INNER, PROTOCOLS, comparable, load
from common import quiet
from forecast.config import QUANTILE_COLUMNS
from forecast.engine.backtest import backtest
from forecast.engine.transforms import for_indicator

WIDTHS = (0.8, 0.9, 1.0, 1.1, 1.2, 1.35, 1.5, 1.75, 2.0)
HORIZONS = 3  # horizon groups 1, 2 and 3+ years
ERAS = {  # an earlier inner origin per panel: file, indicators from INNER, origin, last target year
    "country": 1998,
    "provincial": 2006,
}


def panel(name: str) -> str:
    """``"country"`` or ``"provincial"`` from a protocol's name."""
    return "country" if "country" in name else "provincial"


def widen(fc: pd.DataFrame, c: float) -> pd.DataFrame:
    """``fc`` with its quantiles' distances to the median times ``c``, on each indicator's scale."""
    cols = list(QUANTILE_COLUMNS)
    out = []
    for ind, g in fc.groupby("indicator"):
        t = for_indicator(ind)
        q = t.forward(g[cols].to_numpy(float))
        mid = q[:, [len(cols) // 2]]
        out.append(g.assign(**dict(zip(cols, t.inverse(mid + c * (q - mid)).T))))
    return pd.concat(out)


def ensemble_p(file: str, codes: list[str], origin: int, last: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The pseudo-targets of a protocol (with ``met`` and ``hb``, the horizon group) and the ensemble's forecasts."""
    obs = comparable(load(file, codes), origin, last)
    targets = pseudo_targets(scorable(obs, origin), origin, last)
    targets = targets.assign(hb=targets["horizon"].clip(upper=HORIZONS))
    return targets, backtest(obs, origin, last - origin, ["ensemble"])


def with_p(targets: pd.DataFrame, fc: pd.DataFrame) -> pd.DataFrame:
    """``targets`` with the ensemble's P (the assessment's P function)."""
    return probabilities(fc, targets).merge(targets, on=["geo", "indicator", "year", "k"])


def fit_maps(targets: pd.DataFrame, fc: pd.DataFrame) -> pd.DataFrame:
    """Platt ``(a, b)`` and width ``c`` per horizon group, fitted on one (inner) protocol."""
    base = with_p(targets, fc)
    rows = {h: dict(zip(("a", "b"), fit_platt(g["p"], g["met"]))) for h, g in base.groupby("hb")}
    brier = {}
    for c in WIDTHS:
        d = with_p(targets, widen(fc, c))
        brier[c] = ((d["p"] - d["met"]) ** 2).groupby(d["hb"]).mean()
    brier = pd.DataFrame(brier)
    fit = pd.DataFrame(rows).T.join(brier.idxmin(axis=1).rename("c"))
    fit.index.name = "hb"
    return fit


def apply_maps(targets: pd.DataFrame, fc: pd.DataFrame, fit: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The ensemble's P as is, Platt-recalibrated and from widened quantiles."""
    base = with_p(targets, fc)
    ab = fit.loc[base["hb"]]
    wide = pd.concat(with_p(targets[targets["hb"] == h], widen(fc, r.c)) for h, r in fit.iterrows())
    return {
        "as is": base,
        "Platt": base.assign(p=platt(base["p"], ab["a"].to_numpy(), ab["b"].to_numpy())),
        "width": wide,
    }


def summary(variants: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Brier, ECE, mean P, share met and the worst indicator's ECE of each variant."""
    rows = {}
    for name, d in variants.items():
        p, y = d["p"].to_numpy(float), d["met"].to_numpy(float)
        per = {i: ece(g["p"].to_numpy(), g["met"].to_numpy(float)) for i, g in d.groupby("indicator")}
        worst = max(per, key=per.get)
        rows[name] = {
            "brier": np.mean((p - y) ** 2),
            "ece": ece(p, y),
            "mean_p": p.mean(),
            "met": y.mean(),
            "worst_ece": per[worst],
            "worst": worst,
        }
    return pd.DataFrame(rows).T


def main() -> None:
    """Fit on the inner protocols, check an earlier era, and (``--scored``) apply once to the scored ones."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scored", action="store_true", help="apply the inner maps to the scored protocols")
    args = ap.parse_args()
    quiet()
    fits = {}
    for name, (file, codes, origin, last) in INNER.items():
        targets, fc = ensemble_p(file, codes, origin, last)
        fits[panel(name)] = fit = fit_maps(targets, fc)
        era = ERAS[panel(name)]
        old = with_p(*ensemble_p(file, codes, era, origin))
        a_old, b_old = fit_platt(old["p"], old["met"])
        print(f"\n== {name}: fit <= {origin}, targets {origin + 1}-{last}; maps by horizon group (3 = 3+)")
        print(fit.round(3).to_string())
        print(
            f"era check, fit <= {era}, targets {era + 1}-{origin}: all horizons a = {a_old:+.3f}, b = {b_old:.3f}; "
            f"P said {old['p'].mean():.3f}, met {old['met'].mean():.3f}"
        )
        print("in sample (the maps fitted on these targets):")
        print(summary(apply_maps(targets, fc, fit)).round(4).to_string())
    if not args.scored:
        return
    for name, (file, codes, origin, last) in PROTOCOLS.items():
        print(f"\n== {name}: fit <= {origin}, targets {origin + 1}-{last}; the inner maps applied once")
        print(
            summary(apply_maps(*ensemble_p(file, codes, origin, last), fits[panel(name)]))
            .round(4)
            .to_string()
        )


if __name__ == "__main__":
    main()
