"""Stored runs: forecasts and assessments computed together, under one run id, in the store.

A run records the quarter it speaks for (``as_of``), when it was made, the data fingerprint and
the engine settings, so a report can show what changed since the previous quarter and why
(:func:`compare_runs`). Tables ``runs``, ``forecasts`` and ``assessments`` follow
docs/contracts.md and are created on first write.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from forecast import config
from forecast.assess import assessment
from forecast.data import store as store_db
from forecast.errors import MissingDataError
from forecast.log import logger

HORIZON_END = config.HORIZON_END
FORECAST_COLUMNS = [
    "geo",
    "indicator",
    "model",
    "year",
    "mean",
    *config.QUANTILE_COLUMNS,
    "run_id",
    "status",
    "reason",
]
RUN_COLUMNS = ["run_id", "as_of", "created", "data_fingerprint", "settings"]
#: Per-model forecasts of the series that have targets (the deep dive's model chart).
MODEL_FORECAST_COLUMNS = FORECAST_COLUMNS
#: Back-test forecasts of those series from their own origin (last year − horizon).
BACKTEST_COLUMNS = ["geo", "indicator", "model", "origin", "year", "mean", *config.QUANTILE_COLUMNS, "run_id"]
#: Back-test scores over every series of each back-tested panel.
SCORE_COLUMNS = ["indicator", "origin", "model", "n_series", "n", "mase", "smape", "bias"]
SCORE_COLUMNS += ["coverage80", "coverage95", "pinball", "run_id"]
_INTS = {
    "year",
    "latest_year",
    "expected_year",
    "data_age",
    "rate_from_year",
    "rate_points",
    "required_from_year",
    "national_target_year",
    "successor_data_year",
    "observed_year",
    "carrier_from_year",
    "carrier_until_year",
    "shift_until_year",
    "panel_points",
    "origin",
    "n_series",
    "n",
}
_FLOATS = {
    "mean",
    *config.QUANTILE_COLUMNS,
    "value",
    "value_high",
    "latest_value",
    "p_attain",
    "rate_observed",
    "rate_required",
    "required_from_value",
    "ratio",
    "mase",
    "smape",
    "bias",
    "coverage80",
    "coverage95",
    "pinball",
    "gap",
    "definition_gap",
    "national_target",
    "observed_value",
    "forecast_rate",
    "panel_rate",
    "panel_trend",
    "shift_rate",
    "width_ratio",
}
_BOOLS = {"deadline_passed"}
COMPARE_COLUMNS = [
    "plan_id",
    "province",
    "indicator",
    "year",
    "verdict_old",
    "verdict_new",
    "p_attain_old",
    "p_attain_new",
    "latest_year_old",
    "latest_year_new",
    "latest_value_old",
    "latest_value_new",
    "reason",
]
_KEY = ["plan_id", "province", "indicator", "year"]


@dataclass(frozen=True, eq=False)
class Run:
    """One stored run: its metadata, forecasts and assessments (frames as in docs/contracts.md)."""

    run_id: str
    as_of: str
    created: pd.Timestamp
    data_fingerprint: str
    settings: dict = field(default_factory=dict)
    forecasts: pd.DataFrame = field(default_factory=pd.DataFrame)
    assessments: pd.DataFrame = field(default_factory=pd.DataFrame)
    model_forecasts: pd.DataFrame = field(default_factory=pd.DataFrame)
    backtests: pd.DataFrame = field(default_factory=pd.DataFrame)
    backtest_scores: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Wall seconds per stage of the run that made it (import, forecast, assess, backtest, save);
    #: empty for a run read back from the store.
    stages: dict = field(default_factory=dict)


#: Stored tables of a run beside ``runs``: attribute of :class:`Run` -> (table, columns).
TABLES = {
    "forecasts": ("forecasts", FORECAST_COLUMNS),
    "assessments": ("assessments", assessment.COLUMNS),
    "model_forecasts": ("model_forecasts", MODEL_FORECAST_COLUMNS),
    "backtests": ("backtests", BACKTEST_COLUMNS),
    "backtest_scores": ("backtest_scores", SCORE_COLUMNS),
}


def _sql_type(c: str) -> str:
    if c == "created":
        return "TIMESTAMP"
    if c in _BOOLS:
        return "BOOLEAN"
    return "INTEGER" if c in _INTS else "DOUBLE" if c in _FLOATS else "VARCHAR"


def _ddl(table: str, columns: Sequence[str]) -> str:
    return f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(f'{c} {_sql_type(c)}' for c in columns)})"


def _create_tables(con) -> None:
    """Create the run tables, and add the columns a newer version introduced to older ones."""
    for table, columns in (("runs", RUN_COLUMNS), *TABLES.values()):
        con.execute(_ddl(table, columns))
        for c in columns:  # runs stored by an older version keep their rows; new columns are NULL
            con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {c} {_sql_type(c)}")


def save_run(store, run: Run) -> None:
    """Write ``run`` (metadata, forecasts, assessments) to the store in one transaction."""
    created = pd.Timestamp(run.created)
    created = created.tz_convert("UTC") if created.tzinfo else created.tz_localize("UTC")
    meta = pd.DataFrame(
        [
            {
                "run_id": run.run_id,
                "as_of": run.as_of,
                "created": created.tz_localize(None),
                "data_fingerprint": run.data_fingerprint,
                "settings": json.dumps(run.settings, sort_keys=True, default=str),
            }
        ]
    )
    frames = {"runs": meta} | {
        table: getattr(run, attr).assign(run_id=run.run_id).reindex(columns=columns)
        for attr, (table, columns) in TABLES.items()
    }
    with store_db.connect(store) as con:
        _create_tables(con)
        con.execute("BEGIN TRANSACTION")
        try:
            for table, frame in frames.items():
                con.register("_run_frame", frame)
                con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _run_frame")
                con.unregister("_run_frame")
            con.execute("COMMIT")
        except Exception:
            with contextlib.suppress(Exception):  # a failed ROLLBACK must not hide the real error
                con.execute("ROLLBACK")
            raise
    logger.info(
        "stored run %s: %d forecast rows, %d assessments",
        run.run_id,
        len(frames["forecasts"]),
        len(frames["assessments"]),
    )


@contextlib.contextmanager
def _reader(store):
    """Yield a read-only connection (None when there is no store file).

    Report notebooks run in parallel processes and read the same store: read-only connections
    share it, and a brief lock held by a writer is waited for (:func:`forecast.data.store.connect`).
    """
    if not config.store_path(store).exists():
        yield None
        return
    with store_db.connect(store, read_only=True) as con:
        yield con


def _has_runs(con) -> bool:
    if con is None:
        return False
    n = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'runs'").fetchone()
    return bool(n[0])


def list_runs(store=None) -> pd.DataFrame:
    """Return the stored runs, oldest first (``run_id, as_of, created, data_fingerprint, settings``).

    Parameters
    ----------
    store
        The store file (default ``data/workbench.duckdb`` or ``FORECAST_STORE``).

    Examples
    --------
    >>> import forecast
    >>> forecast.list_runs()[["run_id", "as_of", "created"]]  # doctest: +SKIP
    """
    with _reader(store) as con:
        if not _has_runs(con):
            return pd.DataFrame(columns=RUN_COLUMNS)
        df = con.execute("SELECT * FROM runs ORDER BY created, run_id").df()
    return df.reindex(columns=RUN_COLUMNS)


def _typed(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    df = df.reindex(columns=columns)
    types = {
        c: ("int64" if c == "year" else "Int64")
        if c in _INTS
        else "float64"
        if c in _FLOATS
        else "boolean"
        if c in _BOOLS
        else None
        for c in columns
    }
    df = df.astype({c: t for c, t in types.items() if t})
    text = [c for c, t in types.items() if not t]
    df[text] = df[text].astype(object).fillna("").astype(str)
    return df


def _latest_id(con, run_id: str | None, province: str | None) -> str | None:
    """The run to load: ``run_id``; else the latest that assessed ``province``; else the latest."""
    if not _has_runs(con):
        return None
    if run_id:
        row = con.execute("SELECT run_id FROM runs WHERE run_id = ?", [run_id]).fetchone()
        return row[0] if row else None
    order = " ORDER BY r.created DESC, r.run_id DESC LIMIT 1"
    if province and _has_table(con, "assessments"):
        row = con.execute(
            "SELECT r.run_id FROM runs r WHERE EXISTS (SELECT 1 FROM assessments a "
            "WHERE a.run_id = r.run_id AND a.province = ?)" + order,
            [province],
        ).fetchone()
        if row:
            return row[0]
    row = con.execute("SELECT r.run_id FROM runs r" + order).fetchone()
    return row[0] if row else None


def run_id_for(store=None, run_id: str | None = None, province: str | None = None) -> str:
    """The id of the run :func:`load_run` would load (``run_id``, else the latest covering ``province``).

    Raises
    ------
    MissingDataError
        If the store holds no run (or not ``run_id``).
    """
    with _reader(store) as con:
        chosen = _latest_id(con, run_id, province)
    if chosen is None:
        raise _no_run(run_id)
    return chosen


def _no_run(run_id: str | None) -> MissingDataError:
    what = f"no run {run_id!r} in the store" if run_id else "the store holds no run yet"
    return MissingDataError(
        f"{what}; list runs with forecast.assess.runs.list_runs() or make one "
        "with `forecast run --as-of 2026Q4`"
    )


def load_run(store=None, run_id: str | None = None, province: str | None = None) -> Run:
    """Return a stored run: ``run_id``, else the latest run that covers ``province``, else the latest.

    A notebook opened with its default parameters (no ``run_id``) so reads the latest run that
    assessed its province, not a later run restricted to another province.

    Parameters
    ----------
    store
        The store file (default ``data/workbench.duckdb`` or ``FORECAST_STORE``).
    run_id
        A run's id (:func:`list_runs`); default the latest.
    province
        A province's canonical name: the latest run that assessed it.

    Returns
    -------
    Run
        ``run_id``, ``as_of``, ``settings``, ``forecasts`` and ``assessments`` (docs/contracts.md).

    Raises
    ------
    MissingDataError
        If the store holds no run (or not ``run_id``); the message says how to make one.

    Examples
    --------
    >>> import forecast
    >>> run = forecast.load_run(province="Lâm Đồng")  # doctest: +SKIP
    >>> run.assessments[["indicator", "year", "p_attain", "verdict"]]  # doctest: +SKIP
    """
    with _reader(store) as con:
        chosen = _latest_id(con, run_id, province)
        if chosen is None:
            raise _no_run(run_id)
        m = con.execute("SELECT * FROM runs WHERE run_id = ?", [chosen]).df().iloc[0]
        fc = con.execute(
            "SELECT * FROM forecasts WHERE run_id = ? ORDER BY geo, indicator, model, year", [m["run_id"]]
        ).df()
        asm = con.execute("SELECT * FROM assessments WHERE run_id = ?", [m["run_id"]]).df()
    return Run(
        run_id=str(m["run_id"]),
        as_of=str(m["as_of"]),
        created=pd.Timestamp(m["created"]).tz_localize("UTC"),
        data_fingerprint=str(m["data_fingerprint"]),
        settings=json.loads(m["settings"] or "{}"),
        forecasts=_typed(fc, FORECAST_COLUMNS),
        assessments=_typed(asm, assessment.COLUMNS),
    )


def _has_table(con, table: str) -> bool:
    sql = "SELECT count(*) FROM information_schema.tables WHERE table_name = ?"
    return con is not None and bool(con.execute(sql, [table]).fetchone()[0])


def load_series_detail(store, run_id: str, geo: str, indicator: str) -> dict[str, pd.DataFrame]:
    """Return what a run stored for one series' deep dive, without fitting anything.

    Returns
    -------
    dict of DataFrame
        ``model_forecasts`` (every compared model, ``FORECAST_COLUMNS``), ``backtests`` (the
        series' back-test from its origin, ``BACKTEST_COLUMNS``) and ``backtest_scores`` (scores
        over every series of the indicator from that origin, ``SCORE_COLUMNS``); empty frames for
        a series without targets or a run stored by a version without these tables.
    """
    where = {"model_forecasts": "geo = ? AND indicator = ?", "backtests": "geo = ? AND indicator = ?"}
    out = {}
    with _reader(store) as con:
        for attr in ("model_forecasts", "backtests"):
            table, columns = TABLES[attr]
            df = pd.DataFrame(columns=columns)
            if _has_table(con, table):
                sql = f"SELECT * FROM {table} WHERE run_id = ? AND {where[attr]} ORDER BY model, year"
                df = con.execute(sql, [run_id, geo, indicator]).df()
            out[attr] = _typed(df, columns)
        origins = sorted(set(out["backtests"]["origin"].dropna().astype(int)))
        scores = pd.DataFrame(columns=SCORE_COLUMNS)
        if origins and _has_table(con, "backtest_scores"):
            sql = "SELECT * FROM backtest_scores WHERE run_id = ? AND indicator = ? AND origin = ? ORDER BY model"
            scores = con.execute(sql, [run_id, indicator, origins[0]]).df()
        out["backtest_scores"] = _typed(scores, SCORE_COLUMNS)
    return out


def run_scope(settings: dict) -> frozenset[str] | None:
    """The provinces a run was restricted to (its settings' ``provinces``); None for every province."""
    chosen = (settings or {}).get("provinces") or []
    return frozenset(chosen) if chosen else None


def _covers(scope: frozenset[str] | None, other: frozenset[str] | None) -> bool:
    return scope is None or (other is not None and other <= scope)


def previous_run(store, run: Run) -> Run | None:
    """Return the run of an earlier quarter to compare ``run`` with, or None.

    The latest earlier-quarter run of the same scope (provinces) first, else the latest that covers
    ``run``'s provinces, else the latest earlier run (:func:`compare_runs` then compares only the
    provinces both assessed).
    """
    earlier = list_runs(store)
    earlier = earlier[earlier["as_of"] < run.as_of].sort_values(["as_of", "created"], ascending=False)
    if earlier.empty:
        return None
    mine = run_scope(run.settings)
    scopes = [run_scope(json.loads(x or "{}")) for x in earlier["settings"]]
    for ok in (lambda s: s == mine, lambda s: _covers(s, mine), lambda s: True):
        hits = [rid for rid, sc in zip(earlier["run_id"], scopes, strict=True) if ok(sc)]
        if hits:
            return load_run(store, hits[0])
    return None


#: P(attain) moves at least this large (in probability) are listed even without a verdict change.
P_MOVE = 0.10


def _same(a: object, b: object) -> bool:
    return bool(pd.isna(a) and pd.isna(b)) or (not pd.isna(a) and not pd.isna(b) and a == b)


def _reason(r: dict) -> str:
    if r["_merge"] != "both":
        return "new target" if r["_merge"] == "right_only" else "target dropped"
    fresh = not (
        _same(r["latest_year_old"], r["latest_year_new"])
        and _same(r["latest_value_old"], r["latest_value_new"])
    )
    return "new data" if fresh else "revised model"


def compare_runs(
    old_assessments: pd.DataFrame, new_assessments: pd.DataFrame, threshold: float = P_MOVE
) -> pd.DataFrame:
    """Return the targets whose verdict moved, or whose P(attain) moved by ``threshold`` or more.

    Only provinces assessed in both runs are compared (a one-province run followed by a full one
    calls no target of another province new). ``reason`` is "new data" when the latest
    observation (year or value) changed, else "revised model" (the same data read by a changed
    model or panel); "new target" / "target dropped" when a target is in one run only.
    """
    cols = _KEY + ["verdict", "p_attain", "latest_year", "latest_value"]
    common = set(old_assessments["province"]) & set(new_assessments["province"])
    old, new = (df[df["province"].isin(common)][cols] for df in (old_assessments, new_assessments))
    both = old.merge(new, on=_KEY, how="outer", suffixes=("_old", "_new"), indicator=True)
    verdict = both["verdict_old"].fillna("") != both["verdict_new"].fillna("")
    p_move = (both["p_attain_new"] - both["p_attain_old"]).abs() >= threshold - 1e-9
    moved = both[verdict | p_move].copy()
    moved["reason"] = [_reason(r) for r in moved.to_dict("records")]
    return moved.reindex(columns=COMPARE_COLUMNS).sort_values(_KEY).reset_index(drop=True)


def current_quarter(today: dt.date | None = None) -> str:
    """Return the quarter of ``today`` (UTC date by default) written like ``2026Q4``."""
    today = today or dt.datetime.now(dt.UTC).date()
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"
