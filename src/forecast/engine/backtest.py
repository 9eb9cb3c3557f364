"""Back-test at a fixed origin and score forecasts against actuals (the external contract).

``backtest`` fits every series on the years up to the origin — calibration and ensemble weights
included, so nothing after the origin is seen — and forecasts the next ``horizon`` years.
``evaluate`` scores any forecasts frame of that shape: MASE (Hyndman & Koehler 2006, scaled by
the in-sample mean absolute first difference), sMAPE, bias, 80% and 95% interval coverage and the
mean pinball (quantile) loss (FPP3 §5.9 "Evaluating distributional forecast accuracy").
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from forecast.config import HORIZON_END, QUANTILE_COLUMNS, QUANTILES
from forecast.engine.forecast import EngineSettings, check_models, forecast_panel
from forecast.errors import DataFileError, ValidationError
from forecast.outputs import safe_cells, write_output

BACKTEST_COLUMNS = ["geo", "indicator", "model", "year", "mean", *QUANTILE_COLUMNS]
METRICS = ["n_series", "n", "mase", "smape", "bias", "coverage80", "coverage95", "pinball"]


def read_tidy(
    path: str | Path, required: Sequence[str] = ("geo", "indicator", "year", "value")
) -> pd.DataFrame:
    """Read a tidy CSV and check its columns.

    Raises
    ------
    DataFileError
        If the file is missing or not a CSV.
    ValidationError
        If a required column is missing.
    """
    try:
        df = pd.read_csv(path, dtype={"geo": str, "indicator": str, "model": str})
    except FileNotFoundError as e:
        raise DataFileError(f"{path}: no such file: check the path") from e
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as e:
        raise DataFileError(f"{path}: not a readable CSV ({e}): save it as UTF-8 CSV") from e
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ValidationError(
            f"missing column(s) {missing}; the file needs {list(required)}", file=str(path), column=missing[0]
        )
    return df


def backtest(
    obs: pd.DataFrame,
    origin: int,
    horizon: int,
    models: Sequence[str] = ("ensemble",),
    settings: EngineSettings | None = None,
) -> pd.DataFrame:
    """Fit each series on years ≤ ``origin`` and forecast ``origin+1 … origin+horizon``.

    Returns
    -------
    DataFrame
        ``geo, indicator, model, year, mean, q025 … q975``, one row per geo, indicator, model and
        forecast year (series with no data up to the origin are left out).
    """
    if int(horizon) < 1:
        raise ValidationError(f"horizon {horizon} must be at least 1 year: e.g. --horizon 5")
    if int(origin) >= HORIZON_END:
        raise ValidationError(
            f"origin {origin} is not before {HORIZON_END}, the last year forecast: use an earlier --origin"
        )
    if int(origin) + int(horizon) > HORIZON_END:
        raise ValidationError(
            f"horizon {horizon} from origin {origin} reaches {int(origin) + int(horizon)}, past "
            f"{HORIZON_END}, the last year the workbench forecasts: use --horizon "
            f"{HORIZON_END - int(origin)} or less"
        )
    models = check_models(models)
    past = obs[pd.to_numeric(obs["year"], errors="coerce") <= int(origin)]
    if past.empty:
        raise ValidationError(f"no observations in or before origin {origin}: choose a later origin")
    years = range(int(origin) + 1, int(origin) + int(horizon) + 1)
    out = forecast_panel(past, years=years, models=models, settings=settings)
    return out[BACKTEST_COLUMNS].sort_values(["indicator", "geo", "model", "year"], ignore_index=True)


def write_backtest(
    out: pd.DataFrame, path: str | Path, *, force: bool = False, keep: Sequence[str | Path] = ()
) -> Path:
    """Write back-test forecasts to a new CSV file by the output rule (:func:`forecast.outputs.write_output`).

    Never over an existing file unless ``force``, never over ``keep`` (the input) nor a database.
    """
    return write_output(path, lambda tmp: safe_cells(out).to_csv(tmp, index=False), force=force, keep=keep)


def _scales(actuals: pd.DataFrame, origins: pd.DataFrame) -> pd.DataFrame:
    """In-sample mean absolute first difference of each series' actuals up to its origin."""
    a = actuals.merge(origins, on=["geo", "indicator"])
    a = a[a["year"] <= a["origin"]].sort_values(["geo", "indicator", "year"])
    a["d"] = a.groupby(["geo", "indicator"])["value"].diff().abs()
    s = a.groupby(["geo", "indicator"])["d"].mean().rename("scale").reset_index()
    s.loc[s["scale"] <= 0, "scale"] = np.nan
    return s


def _point_metrics(df: pd.DataFrame) -> pd.DataFrame:
    """Per-row errors: scaled absolute error, sMAPE, scaled bias, coverage, scaled pinball."""
    y, m, s = df["value"], df["mean"], df["scale"]
    q = df[list(QUANTILE_COLUMNS)].to_numpy(float)
    diff = y.to_numpy(float)[:, None] - q
    tau = np.asarray(QUANTILES)[None, :]
    pin = np.maximum(tau * diff, (tau - 1) * diff).mean(axis=1)
    denom = (y.abs() + m.abs()).replace(0, np.nan)
    return df.assign(
        ase=(y - m).abs() / s,
        sape=200 * (y - m).abs() / denom,
        se=(m - y) / s,
        in80=((y >= df["q10"]) & (y <= df["q90"])).astype(float),
        in95=((y >= df["q025"]) & (y <= df["q975"])).astype(float),
        pin=pin / s,
    )


def _aggregate(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    g = df.groupby(keys, sort=True)
    out = g.agg(
        n_series=("series", "nunique"),
        n=("value", "size"),
        mase=("ase", "mean"),
        smape=("sape", "mean"),
        bias=("se", "mean"),
        coverage80=("in80", "mean"),
        coverage95=("in95", "mean"),
        pinball=("pin", "mean"),
    )
    return out.reset_index()


def evaluate(forecasts: pd.DataFrame, actuals: pd.DataFrame) -> pd.DataFrame:
    """Score forecasts against actuals per model and indicator, plus an ``(all)`` row per model.

    The origin of a series is its first forecast year − 1; its MASE scale is the mean absolute
    first difference of its actuals up to the origin. ``bias`` is the mean of
    (forecast − actual) / scale (positive: over-forecast); ``pinball`` is the mean pinball loss
    over the nine quantiles, divided by the same scale so indicators can be averaged.

    Returns
    -------
    DataFrame
        ``model, indicator, n_series, n, mase, smape, bias, coverage80, coverage95, pinball``.
    """
    df = _scored_rows(forecasts, actuals)
    per = _aggregate(df, ["model", "indicator"])
    every = _aggregate(df.assign(indicator="(all)"), ["model", "indicator"])
    return pd.concat([per, every], ignore_index=True)[["model", "indicator", *METRICS]]


def evaluate_series(forecasts: pd.DataFrame, actuals: pd.DataFrame) -> pd.DataFrame:
    """Score every series (geo, indicator) apart: :func:`evaluate`'s metrics per geo, model and indicator.

    A series is scaled by its own actuals either way, so a series' rows equal :func:`evaluate` of
    that series alone (its rows other than ``(all)``); a deep dive shows them, and the quarterly run
    scores every series once instead of once per page.

    Returns
    -------
    DataFrame
        ``geo, model, indicator, n_series, n, mase, smape, bias, coverage80, coverage95, pinball``;
        no row for a series without an actual value in its forecast years.
    """
    try:
        df = _scored_rows(forecasts, actuals)
    except ValidationError:  # no series has an actual value in its forecast years
        return pd.DataFrame(columns=["geo", "model", "indicator", *METRICS])
    return _aggregate(df, ["geo", "model", "indicator"])[["geo", "model", "indicator", *METRICS]]


def _scored_rows(forecasts: pd.DataFrame, actuals: pd.DataFrame) -> pd.DataFrame:
    """Each forecast row joined to its actual value and series scale, with its errors (:func:`_point_metrics`).

    Raises
    ------
    ValidationError
        If a frame lacks a column, or no forecast has an actual value.
    """
    for name, frame, cols in (
        ("forecasts", forecasts, ["geo", "indicator", "model", "year", "mean", *QUANTILE_COLUMNS]),
        ("actuals", actuals, ["geo", "indicator", "year", "value"]),
    ):
        missing = [c for c in cols if c not in frame.columns]
        if missing:
            raise ValidationError(f"{name} lack column(s) {missing}: expected {cols}")
    act = actuals[["geo", "indicator", "year", "value"]].astype({"geo": str, "indicator": str})
    act = act.assign(year=pd.to_numeric(act["year"]), value=pd.to_numeric(act["value"], errors="coerce"))
    act = act.dropna().groupby(["geo", "indicator", "year"], as_index=False)["value"].mean()
    fc = forecasts.astype({"geo": str, "indicator": str, "model": str})
    origins = (fc.groupby(["geo", "indicator"])["year"].min() - 1).rename("origin").reset_index()
    df = fc.merge(act, on=["geo", "indicator", "year"]).merge(
        _scales(act, origins), on=["geo", "indicator"], how="left"
    )
    if df.empty:
        raise ValidationError(
            "no forecast (geo, indicator, year) has an actual value: check that "
            "the actuals cover the forecast years and use the same codes"
        )
    return _point_metrics(df).assign(series=lambda d: d["geo"] + "|" + d["indicator"])


#: Models the deep dive compares (the quarterly run stores their forecasts and back-tests).
COMPARE_MODELS = ("naive", "drift", "aarr", "trend", "wtrend", "theta", "dholt", "pooled", "ensemble")
#: Years held out in the back-test the quarterly run stores for the deep dive.
COMPARE_HORIZON = 5
SERIES_BACKTEST_COLUMNS = ["geo", "indicator", "model", "origin", "year", "mean", *QUANTILE_COLUMNS]
SCORE_COLUMNS = ["indicator", "origin", "model", *METRICS]


def backtest_series(
    obs: pd.DataFrame,
    keys: pd.DataFrame,
    horizon: int = COMPARE_HORIZON,
    models: Sequence[str] = COMPARE_MODELS,
    settings: EngineSettings | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Back-test each ``(geo, indicator)`` of ``keys`` from its own origin, on its whole panel.

    A series' origin is its last observed year − ``horizon``. Series sharing an origin are
    back-tested in one vectorised :func:`backtest` of their indicators' panels (every geo), so the
    pooled models and the calibration see what they see in the quarterly run.

    Returns
    -------
    tuple of DataFrame
        The back-test rows of the ``keys`` series (``SERIES_BACKTEST_COLUMNS``), and
        :func:`evaluate` over every series of each back-tested panel per origin (``SCORE_COLUMNS``).
    """
    last = obs.groupby(["geo", "indicator"], as_index=False)["year"].max()
    keys = keys[["geo", "indicator"]].drop_duplicates().merge(last, on=["geo", "indicator"])
    keys = keys.assign(origin=keys["year"] - int(horizon)).drop(columns="year")
    rows, scores = [], []
    for origin, group in keys.groupby("origin"):
        panel = obs[obs["indicator"].isin(set(group["indicator"]))]
        if panel[panel["year"] <= origin].empty:
            continue
        out = backtest(panel, int(origin), horizon, models, settings).assign(origin=int(origin))
        rows.append(out.merge(group, on=["geo", "indicator", "origin"]))
        try:
            scores.append(evaluate(out, panel).assign(origin=int(origin)))
        except ValidationError:  # no actual in the held-out years
            continue
    return (
        pd.concat(rows, ignore_index=True)[SERIES_BACKTEST_COLUMNS]
        if rows
        else pd.DataFrame(columns=SERIES_BACKTEST_COLUMNS),
        pd.concat(scores, ignore_index=True)[SCORE_COLUMNS]
        if scores
        else pd.DataFrame(columns=SCORE_COLUMNS),
    )
