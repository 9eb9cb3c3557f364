"""Would a pooled distribution regression of progress make P(attain) sharp enough? (issue #19, item 9)

``bench_attain.py`` finds the engine's P calibrated (reliability 0.002 of a 0.12 Brier score on the
country panel) but not sharp enough: Brier 8 % below AutoARIMA against a goal of 15 %. Its 80 %
intervals on smooth modelled series are twice AutoARIMA's and cover 86-91 % (IMR, U5MR, stunting,
overweight): the calibration pools errors scaled by the mean yearly change, so a steady trend gets
the interval of a noisy one. Changing that scale, the recency of the errors or the number of
origins moved the Brier score by at most 0.003 on every protocol (measured with this bench's helpers).

This bench tries a global model of the *progress* itself, learnt across the panel (Montero-Manso
& Hyndman 2021, "Principles and algorithms for forecasting groups of time series: locality and
globality", IJF 37): **distribution regression** (Foresi & Peracchi 1995; Chernozhukov,
Fernández-Val & Melly 2013, Econometrica 81) of ``r``, a series' yearly change from its latest
value to a later year in units of its own recent pace (the 5-year slope on the engine's scale,
signed in the desirable direction). One gradient-boosted classifier (scikit-learn's
``HistGradientBoostingClassifier``) learns ``P(r >= k)`` for thresholds ``k`` from features known
at the origin: the horizon, the pace's sign, the 3/10/20-year slopes and the last change relative
to the pace, the noise around the 5-year trend, the level and the indicator. Its training windows
are every series at every origin of the :data:`ORIGINS` years before the protocol's origin, scored
on years up to that origin only; recent windows weigh more (:data:`DECAY` per year). The survival
curve on a grid of ``k`` (monotone by running minimum, Chernozhukov, Fernández-Val & Galichon 2010)
gives the nine quantiles, which the assessment's own P function reads.

Combination with the engine: the linear opinion pool ``lam F_ensemble + (1 - lam) F_pool`` of the
two predictive CDFs (Stone 1961; Gneiting & Ranjan 2013), returned as nine quantiles
(:func:`linear_pool`). ``lam`` and ``DECAY`` are chosen on the inner protocols
(``bench_engine.INNER``: country fit <= 2005 scored 2006-2012, provincial fit <= 2008 scored
2009-2011), then applied once to the scored ones (``bench_engine.PROTOCOLS``).

Run:  .venv-bench/bin/python benchmarks/bench_pool.py [--no-peers]   (needs the ``bench`` extra:
statsforecast and scikit-learn)

Result (main at 3ba2f44, 2026-12-04, 104 s): the inner protocols choose ``lam`` = 0.25 for both
panels (sum of their Brier scores 0.3075, against 0.3097 at 0.5 and 0.3355 for the engine alone), and
each panel on its own inner protocol 0.25 (country) and 0.5 (provincial). Scored once (Brier / ECE,
and the Brier score's gain over the best peer):

  protocol     engine (ensemble)          common lam 0.25            own panel's lam            best peer
  country      0.1191 / 0.0376 (8.3 %)    0.1110 / 0.0375 (14.6 %)   0.25: the same             AutoARIMA 0.1299 / 0.0576
  provincial   0.1428 / 0.0213 (22.7 %)   0.1448 / 0.0298 (21.6 %)   0.5: 0.1406 / 0.0212 (23.9 %)  AutoETS 0.1848 / 0.1328

With each panel's own choice both protocols gain, but the country goal is still missed (14.6 % <
15 %) and the country ECE is where it was (both say P about 4 points too high in 2013-2019, when
progress slowed: an era the windows before 2013 cannot know). It is not in the engine yet: the pool
and its share would have to be learnt inside every calibration (the run, each back-test origin, the
deep dives) from the panel's own earlier windows, on the store's 1,480 series.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from attain import direction, scores
from bench_attain import TARGET_KEYS, answered_by_all, forecasts, probabilities, pseudo_targets, scorable
from bench_engine import INNER, PROTOCOLS, comparable, load
from common import quiet
from forecast.config import QUANTILE_COLUMNS, QUANTILES
from forecast.engine.transforms import for_indicator

ORIGINS = 18  # training origins before the protocol's origin
DECAY = 0.5  # weight ratio of a window one year older (0.3 / 0.5 / 0.7 / 0.85 / 1 tried on INNER)
THRESHOLDS = np.array([-3, -2, -1, -0.5, 0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 2, 2.5, 3, 4, 6], float)
GRID = np.linspace(-6, 10, 97)  # k at which the survival curve is read for the quantiles
LAMS = (0.0, 0.25, 0.5, 0.75, 1.0)  # ensemble share of the linear pool (1: the engine alone)
FEATURES = ["k", "h", "sgn", "s3", "s10", "s20", "last", "noise", "n5", "lev", "logab", "ind"]


def _slope(y: np.ndarray, z: np.ndarray, t1: float, window: int) -> float:
    keep = y > t1 - window
    return float(np.polyfit(y[keep], z[keep], 1)[0]) if keep.sum() >= 2 else np.nan


def series_features(y: np.ndarray, z: np.ndarray, d: int) -> dict | None:
    """Features of one series (years ``y``, engine-scale values ``z``, direction ``d``) at its end."""
    if len(y) < 3:
        return None
    t1 = y[-1]
    b5 = d * _slope(y, z, t1, 5)
    if not np.isfinite(b5) or b5 == 0:
        return None
    ab, k5 = abs(b5), y > t1 - 5
    fit = np.polyval(np.polyfit(y[k5], z[k5], 1), y[k5]) if k5.sum() > 2 else z[k5]
    return {
        "t1": t1,
        "z1": z[-1],
        "ab": ab,
        "sgn": np.sign(b5),
        **{f"s{w}": d * _slope(y, z, t1, w) / ab for w in (3, 10, 20)},
        "last": d * (z[-1] - z[-2]) / (y[-1] - y[-2]) / ab,
        "noise": float(np.std(z[k5] - fit)) / ab,
        "n5": int(k5.sum()),
        "lev": d * z[-1],
        "logab": np.log(ab),
    }


def windows(obs: pd.DataFrame, origin: int, last: int) -> pd.DataFrame:
    """One row per series and year in ``(origin, last]``: features at ``origin`` and the outcome ``r``."""
    rows = []
    for (geo, ind), g in obs.groupby(["geo", "indicator"], sort=True):
        s = g.groupby("year")["value"].mean()
        y, z = s.index.to_numpy(float), for_indicator(ind).forward(s.to_numpy(float))
        if not np.isfinite(z).all():
            continue
        d = direction(ind)
        f = series_features(y[y <= origin], z[y <= origin], d)
        if f is None:
            continue
        for yy, zz in zip(y[(y > origin) & (y <= last)], z[(y > origin) & (y <= last)], strict=True):
            h = yy - f["t1"]
            rows.append({"geo": geo, "indicator": ind, "year": int(yy), "h": h, "d": d, **f})
            rows[-1]["r"] = d * (zz - f["z1"]) / f["ab"] / h
    return pd.DataFrame(rows)


def fit_pool(obs: pd.DataFrame, origin: int, horizon: int, decay: float = DECAY):
    """The classifier of ``P(r >= k)`` on windows scored in years up to ``origin`` only."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    past = obs[obs["year"] <= origin]
    train = pd.concat(
        [windows(past, o, min(o + horizon, origin)) for o in range(origin - ORIGINS, origin)],
        ignore_index=True,
    )
    cats = sorted(obs["indicator"].unique())
    train["ind"] = pd.Categorical(train["indicator"], categories=cats).codes
    big = pd.concat([train.assign(k=k) for k in THRESHOLDS], ignore_index=True)
    clf = HistGradientBoostingClassifier(
        max_iter=300,
        learning_rate=0.05,
        max_leaf_nodes=31,
        min_samples_leaf=100,
        categorical_features=[FEATURES.index("ind")],
        random_state=0,
    )
    clf.fit(big[FEATURES], big["r"] >= big["k"], sample_weight=decay ** (origin - big["year"]))
    return clf, cats


def pool_forecasts(clf, cats: list[str], obs: pd.DataFrame, origin: int, last: int) -> pd.DataFrame:
    """Nine-quantile forecasts of the pool for every series and observed year in ``(origin, last]``."""
    test = windows(obs, origin, last)
    test["ind"] = pd.Categorical(test["indicator"], categories=cats).codes
    surv = np.column_stack([clf.predict_proba(test.assign(k=k)[FEATURES])[:, 1] for k in GRID])
    cdf = 1 - np.minimum.accumulate(surv, axis=1)
    qr = np.array([np.interp(QUANTILES, row, GRID) for row in cdf])
    z = test["z1"].to_numpy()[:, None] + (test["d"] * test["ab"] * test["h"]).to_numpy()[:, None] * qr
    z = np.sort(z, axis=1)
    out = test[["geo", "indicator", "year"]].assign(model="pool")
    vals = np.vstack([for_indicator(i).inverse(row) for i, row in zip(test["indicator"], z, strict=True)])
    out[list(QUANTILE_COLUMNS)] = vals
    return out


def linear_pool(a: pd.DataFrame, b: pd.DataFrame, lam: float, name: str) -> pd.DataFrame:
    """Nine quantiles of ``lam F_a + (1 - lam) F_b`` (CDFs interpolated on each indicator's scale)."""
    keys = ["geo", "indicator", "year"]
    m = a[[*keys, *QUANTILE_COLUMNS]].merge(b[[*keys, *QUANTILE_COLUMNS]], on=keys, suffixes=("_a", "_b"))
    qa = m[[f"{c}_a" for c in QUANTILE_COLUMNS]].to_numpy(float)
    qb = m[[f"{c}_b" for c in QUANTILE_COLUMNS]].to_numpy(float)
    out = np.empty_like(qa)
    levels = np.asarray(QUANTILES)
    for i, ind in enumerate(m["indicator"]):
        tr = for_indicator(ind)
        za, zb = np.maximum.accumulate(tr.forward(qa[i])), np.maximum.accumulate(tr.forward(qb[i]))
        # a CDF steps from 0 at its lowest quantile and to 1 past its highest: points beside those
        # ends keep the step out of the neighbouring segment
        ends = np.array([za[0], zb[0], za[-1], zb[-1]])
        eps = 1e-9 * (1 + np.abs(ends))
        grid = np.unique(np.concatenate([za, zb, ends[:2] - eps[:2], ends[2:] + eps[2:]]))
        cdf = lam * np.interp(grid, za, levels, 0.0, 1.0) + (1 - lam) * np.interp(grid, zb, levels, 0.0, 1.0)
        out[i] = tr.inverse(np.interp(levels, np.maximum.accumulate(cdf), grid))
    res = m[keys].assign(model=name)
    res[list(QUANTILE_COLUMNS)] = out
    return res


def protocol(obs: pd.DataFrame, origin: int, last: int, peers: bool) -> pd.DataFrame:
    """Scores of the engine, the pool, their linear pools and (optionally) the peers on one protocol."""
    targets = pseudo_targets(scorable(obs, origin), origin, last)
    fc, _ = forecasts(obs, origin, last - origin, obs if peers else None)
    clf, cats = fit_pool(obs, origin, last - origin)
    pool = pool_forecasts(clf, cats, obs, origin, last)
    ens = fc[fc["model"] == "ensemble"]
    mixes = [linear_pool(ens, pool, lam, f"lam={lam}") for lam in LAMS[1:-1]]
    fc = pd.concat([fc, pool, *mixes], ignore_index=True)
    probs, _ = answered_by_all(probabilities(fc, targets))
    sc = scores(probs.merge(targets[[*TARGET_KEYS, "met"]], on=TARGET_KEYS))
    return sc[sc["indicator"] == "(all)"].set_index("model")[["n", "mean_p", "met", "brier", "ece"]]


def _panel(name: str) -> str:
    return "country" if "country" in name else "provincial"


def main() -> None:
    """Choose ``lam`` on the inner protocols, then score the chosen pools on the scored ones.

    Two choices are scored: one ``lam`` for both panels (the lowest sum of the inner Brier scores)
    and each panel's own (the lowest Brier score on its own inner protocol), as an engine would
    choose from its own panel's earlier windows.
    """
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-peers", action="store_true", help="skip statsforecast")
    args = ap.parse_args()
    quiet()
    t0 = time.perf_counter()
    lam_names = {"ensemble": 1.0, "pool": 0.0} | {f"lam={lam}": lam for lam in LAMS[1:-1]}
    inner = {}
    for name, (file, codes, origin, last) in INNER.items():
        tab = protocol(comparable(load(file, codes), origin, last), origin, last, False)
        print(f"\n== {name}, fit <= {origin}, targets {origin + 1}-{last}\n{tab.round(4).to_string()}")
        inner[_panel(name)] = tab["brier"]
    total = sum(inner.values())
    common = min(lam_names, key=lambda m: total[m])
    own = {panel: min(lam_names, key=lambda m: brier[m]) for panel, brier in inner.items()}
    print(f"\nchosen on the inner protocols: {common} for both (sum of Brier scores); own: {own}")
    for name, (file, codes, origin, last) in PROTOCOLS.items():
        tab = protocol(comparable(load(file, codes), origin, last), origin, last, not args.no_peers)
        print(f"\n== {name}, fit <= {origin}, targets {origin + 1}-{last}\n{tab.round(4).to_string()}")
        peers = tab.drop(index=[m for m in tab.index if m in lam_names])
        if len(peers):
            ref = peers["brier"].min()
            for label, m in (("engine", "ensemble"), ("common", common), ("own panel's", own[_panel(name)])):
                print(
                    f"{label} ({m}): Brier {100 * (1 - tab.loc[m, 'brier'] / ref):+.1f}% below the best peer "
                    f"({peers['brier'].idxmin()}), ECE {tab.loc[m, 'ece']:.4f}"
                )
    print(f"\nbench_pool: {time.perf_counter() - t0:.0f} s wall")


if __name__ == "__main__":
    main()
