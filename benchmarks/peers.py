"""Peer models for the engine benchmark: statsforecast (Nixtla) AutoARIMA, AutoETS and AutoTheta.

Each peer fits every series on the indicator's transformed scale (log / logit, as the engine:
:mod:`forecast.engine.transforms`), on a regular yearly grid (inner gaps linearly interpolated),
and its mean and 80% / 95% intervals are mapped back (quantiles are invariant under the monotone
transform). References: Hyndman & Khandakar 2008, "Automatic time series forecasting: the
forecast package for R", JSS 27(3) (AutoARIMA, AutoETS); Fiorucci et al. 2016, "Models for
optimising the theta method", IJF 32:1151-1161 (AutoTheta); Garza et al., StatsForecast (Nixtla).
"""

from __future__ import annotations

import hashlib
import json
import time
import warnings

import numpy as np
import pandas as pd

from forecast.config import QUANTILE_COLUMNS, QUANTILES
from forecast.engine.transforms import for_indicator

PEERS = ("AutoARIMA", "AutoETS", "AutoTheta")
ALL_LEVELS = (50, 80, 90, 95)  # central intervals giving the nine quantiles of config.QUANTILES


def _grid(obs: pd.DataFrame) -> pd.DataFrame:
    """Series on the transformed scale, one row per year between first and last (gaps interpolated)."""
    frames = []
    for (geo, ind), s in obs.groupby(["geo", "indicator"], sort=True):
        s = s.groupby("year")["value"].mean()
        years = np.arange(int(s.index.min()), int(s.index.max()) + 1)
        z = for_indicator(ind).forward(s.to_numpy(float))
        y = np.interp(years, s.index.to_numpy(float), z)
        frames.append(pd.DataFrame({"unique_id": f"{geo}|{ind}", "ds": years, "y": y}))
    return pd.concat(frames, ignore_index=True)


def _level_columns(model: str, levels: tuple[int, ...]) -> dict[str, str]:
    """statsforecast's interval columns of ``model`` named as the engine's quantiles (80 -> q10, q90)."""
    name = dict(zip(QUANTILES, QUANTILE_COLUMNS))
    cols = {model: "mean"}
    for lv in levels:
        tail = round((100 - lv) / 200, 4)
        cols |= {f"{model}-lo-{lv}": name[tail], f"{model}-hi-{lv}": name[round(1 - tail, 4)]}
    return cols


def peer_forecasts(past: pd.DataFrame, horizon: int, levels: tuple[int, ...] = (80, 95)) -> pd.DataFrame:
    """Forecast every series of ``past`` ``horizon`` years ahead with each peer.

    Returns ``geo, indicator, model, year, mean, q50`` and the quantiles of the central intervals
    ``levels`` (80 and 95: ``q025, q10, q90, q975``; add 50 and 90 for all nine of
    ``forecast.config.QUANTILES``) on the natural scale. The mean on the transformed scale is the
    median of the symmetric predictive distribution there, so ``q50`` is its back-transform.
    """
    from statsforecast import StatsForecast
    from statsforecast.models import AutoARIMA, AutoETS, AutoTheta, Naive

    grid = _grid(past)
    sf = StatsForecast(models=[AutoARIMA(), AutoETS(), AutoTheta()], freq=1, n_jobs=1, fallback_model=Naive())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc = sf.forecast(df=grid, h=horizon, level=list(levels), fitted=False)
    fc = fc.reset_index() if "unique_id" not in fc.columns else fc
    geo_ind = fc["unique_id"].str.split("|", n=1, expand=True)
    out = []
    for m in PEERS:
        cols = _level_columns(m, levels)
        part = fc[list(cols)].rename(columns=cols).assign(q50=fc[m].to_numpy())
        part.insert(0, "year", fc["ds"].astype(int).to_numpy())
        part.insert(0, "model", m)
        part.insert(0, "indicator", geo_ind[1].to_numpy())
        part.insert(0, "geo", geo_ind[0].to_numpy())
        out.append(part)
    df = pd.concat(out, ignore_index=True)
    for ind, idx in df.groupby("indicator").indices.items():
        tr = for_indicator(ind)
        for c in [c for c in df.columns if c == "mean" or c.startswith("q")]:
            df.loc[df.index[idx], c] = tr.inverse(df[c].to_numpy(float)[idx])
    return df


def cached_peer_forecasts(
    past: pd.DataFrame, horizon: int, levels: tuple[int, ...] = ALL_LEVELS
) -> tuple[pd.DataFrame, float]:
    """:func:`peer_forecasts` and the seconds its fit took, kept under ``benchmarks/results/``.

    ``bench_engine.py`` and ``bench_attain.py`` fit the peers on the same series in one ``make
    bench``: the second reads the first's forecasts (and its fit seconds, in a ``.json`` beside
    them) instead of fitting them again (minutes on two cores). The key digests the observations,
    the horizon, the levels and statsforecast's version; the folder is git-ignored.
    """
    import statsforecast

    from common import RESULTS

    cols = ["geo", "indicator", "year", "value"]
    text = past[cols].sort_values(cols).to_csv(index=False)
    key = f"{text}|{horizon}|{tuple(levels)}|{statsforecast.__version__}"
    path = RESULTS / f"peers_{hashlib.sha1(key.encode()).hexdigest()[:16]}.csv"
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists():
        seconds = json.loads(meta.read_text())["seconds"]
        return pd.read_csv(path, dtype={"geo": str, "indicator": str, "model": str}), seconds
    t0 = time.perf_counter()
    df = peer_forecasts(past, horizon, levels)
    seconds = time.perf_counter() - t0
    RESULTS.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, index=False)
    meta.write_text(json.dumps({"seconds": seconds}))
    return df, seconds
