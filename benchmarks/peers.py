"""Peer models for the engine benchmark: statsforecast (Nixtla) AutoARIMA, AutoETS and AutoTheta.

Each peer fits every series on the indicator's transformed scale (log / logit, as the engine:
:mod:`forecast.engine.transforms`), on a regular yearly grid (inner gaps linearly interpolated),
and its mean and 80% / 95% intervals are mapped back (quantiles are invariant under the monotone
transform). References: Hyndman & Khandakar 2008, "Automatic time series forecasting: the
forecast package for R", JSS 27(3) (AutoARIMA, AutoETS); Fiorucci et al. 2016, "Models for
optimising the theta method", IJF 32:1151-1161 (AutoTheta); Garza et al., StatsForecast (Nixtla).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from forecast.engine.transforms import for_indicator

PEERS = ("AutoARIMA", "AutoETS", "AutoTheta")


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


def peer_forecasts(past: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Forecast every series of ``past`` ``horizon`` years ahead with each peer.

    Returns ``geo, indicator, model, year, mean, q025, q10, q90, q975`` on the natural scale.
    """
    from statsforecast import StatsForecast
    from statsforecast.models import AutoARIMA, AutoETS, AutoTheta, Naive

    grid = _grid(past)
    sf = StatsForecast(models=[AutoARIMA(), AutoETS(), AutoTheta()], freq=1, n_jobs=1, fallback_model=Naive())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc = sf.forecast(df=grid, h=horizon, level=[80, 95], fitted=False)
    fc = fc.reset_index() if "unique_id" not in fc.columns else fc
    geo_ind = fc["unique_id"].str.split("|", n=1, expand=True)
    out = []
    for m in PEERS:
        cols = {
            m: "mean",
            f"{m}-lo-95": "q025",
            f"{m}-lo-80": "q10",
            f"{m}-hi-80": "q90",
            f"{m}-hi-95": "q975",
        }
        part = fc[list(cols)].rename(columns=cols)
        part.insert(0, "year", fc["ds"].astype(int).to_numpy())
        part.insert(0, "model", m)
        part.insert(0, "indicator", geo_ind[1].to_numpy())
        part.insert(0, "geo", geo_ind[0].to_numpy())
        out.append(part)
    df = pd.concat(out, ignore_index=True)
    for ind, idx in df.groupby("indicator").indices.items():
        tr = for_indicator(ind)
        for c in ("mean", "q025", "q10", "q90", "q975"):
            df.loc[df.index[idx], c] = tr.inverse(df[c].to_numpy(float)[idx])
    return df
