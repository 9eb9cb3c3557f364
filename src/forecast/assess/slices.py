"""The frames a report page shows, saved with their run and read back by province in milliseconds.

A run (:func:`forecast.pipeline.prepare_run`) reads the store's analysis series, rebuilds the
merged provinces' series and finds the series breaks once. :func:`save_frames` writes those
frames with the run's forecasts, assessments, per-model forecasts and back-tests as Parquet
files beside the store (``<store>.runs/<run_id>/``), and a notebook loads the slice of its
province with one call, :func:`load_page`, instead of reading and rebuilding the whole store.

The frames are written as a page would read them from the store (:func:`forecast.assess.runs.load_run`
types and orders), with every column they carry: a column added to the assessments is saved
and read back without a change here. A run's files never change once written (a new run has a
new id), so every page of a report reads the same numbers whatever is imported meanwhile.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from forecast import config
from forecast.assess import matching, runs, scenarios
from forecast.engine.backtest import evaluate_series
from forecast.errors import ValidationError
from forecast.log import logger
from forecast.registry import crosswalk, geo, indicators

__all__ = ["PageFrames", "frames_dir", "link_frames", "load_page", "save_frames"]

#: The run's frames (attribute of :class:`~forecast.assess.runs.Run`) saved beside the run's
#: observations and breaks, in the order :func:`forecast.assess.runs.load_run` reads them.
RUN_FRAMES = ("forecasts", "assessments", "model_forecasts", "backtests", "backtest_scores")
#: What every deep dive shows, computed once per run (:func:`shown_frames`) instead of once per page.
SHOWN_FRAMES = ("scenarios", "series_scores")
#: The deep dive's scenarios with its ``rate`` parameter's default (notebooks/indicator.ipynb): saved
#: with the run; a page asking for another rate computes that one scenario.
SAVED_SCENARIOS = ("reference", "rate=-3", "national", "best_decile")
_ORDER = {"forecasts": ["geo", "indicator", "model", "year"]}
_META = "run.json"


def frames_dir(store: str | os.PathLike | None, run_id: str) -> Path:
    """The folder of a run's frames: ``<store>.runs/<run_id>/`` beside the store file."""
    return Path(f"{config.store_path(store)}.runs") / run_id


def _stored(frame: pd.DataFrame, run_id: str, columns: Sequence[str]) -> pd.DataFrame:
    """``frame`` as the store gives it back: declared columns typed and first, any other kept."""
    frame = frame.assign(run_id=run_id)
    extra = [c for c in frame.columns if c not in columns]
    typed = runs._typed(frame.reindex(columns=list(columns)), columns)
    return pd.concat([typed, frame[extra]], axis=1) if extra else typed


def save_frames(
    store: str | os.PathLike | None, run: runs.Run, observations: pd.DataFrame, breaks: pd.DataFrame
) -> Path:
    """Write ``run``'s frames, the ``observations`` its pages show and the ``breaks`` found in them.

    Parameters
    ----------
    store
        The store the run was saved in; the frames go to :func:`frames_dir`.
    run
        The run, as :func:`forecast.pipeline.prepare_run` made it.
    observations
        The analysis series of every geo with the merged provinces' series rebuilt
        (:func:`forecast.data.merged.with_merged`), as the briefs and deep dives show them.
    breaks
        The series breaks found in the data (:func:`forecast.data.store.series_breaks`), for the
        caveats.

    With them go the tables every deep dive shows (:func:`shown_frames`), computed here once.

    Returns
    -------
    Path
        The run's folder. It is written under a temporary name and renamed when complete.
    """
    final = frames_dir(store, run.run_id)
    tmp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    frames = {"observations": observations, "breaks": breaks, **shown_frames(run, observations)}
    for attr in RUN_FRAMES:
        table, columns = runs.TABLES[attr]
        frame = _stored(getattr(run, attr), run.run_id, columns)
        if attr in _ORDER:
            frame = frame.sort_values(_ORDER[attr], kind="stable")
        frames[attr] = frame.reset_index(drop=True)
    kinds = {}
    for name, frame in frames.items():
        stored, kinds[name] = _columnar(frame)
        # with the row labels: a province's rows keep those of the whole frame (a table shows them)
        stored.to_parquet(tmp / f"{name}.parquet", index=True)
    meta = {
        "frames": kinds,
        "run_id": run.run_id,
        "as_of": run.as_of,
        "created": pd.Timestamp(run.created).isoformat(),
        "data_fingerprint": str(run.data_fingerprint),
        "settings": run.settings,
    }
    (tmp / _META).write_text(json.dumps(meta, sort_keys=True, default=str), encoding="utf-8")
    shutil.rmtree(final, ignore_errors=True)
    os.replace(tmp, final)
    logger.info("saved the pages' frames of run %s in %s", run.run_id, final)
    return final


def shown_frames(run: runs.Run, observations: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """What every deep dive shows, for every target and series of ``run`` at once.

    ``scenarios``: :func:`forecast.assess.scenarios.scenario_table` of every assessed target under
    :data:`SAVED_SCENARIOS`, with the scenario's name; ``series_scores``: every series' back-test
    scored against its observations (:func:`forecast.engine.backtest.evaluate_series`). A target's
    scenarios and a series' scores depend on nothing else, so a page's slice of them equals what
    the page computed from its own frames (tests/assess/test_slices.py compares every indicator).
    """
    year = int(run.as_of[:4])
    tables = []
    for name in SAVED_SCENARIOS:
        try:  # a rate no series has shown is refused (check_rates): that page computes it, and fails
            table = scenarios.scenario_table(
                observations, run.forecasts, run.assessments, [name], as_of_year=year
            )
        except ValidationError as e:
            logger.info("scenario %s not saved with the run: %s", name, e)
            continue
        tables.append(table.assign(name=_scenario_key(name)))
    columns = [*scenarios.TARGET_COLUMNS, "name"]
    saved = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame(columns=columns)
    scores = evaluate_series(run.backtests, observations) if len(run.backtests) else pd.DataFrame()
    return {"scenarios": saved, "series_scores": scores}


def _scenario_key(name: str) -> str:
    """One spelling of a scenario (``rate=-3.0`` and ``rate=-3`` are the same one)."""
    kind, rate = scenarios.parse_scenario(name)
    return kind if rate is None else f"{kind}={rate!r}"


def _columnar(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """``frame`` as Parquet stores it, and how to read it back as it was (:func:`_restore`).

    A column of mixed Python types (``import_id``: the store's integer ids, and ``"crosswalk"``
    on the rebuilt rows of a merged province) is written as JSON text; an ``object`` column of
    text is read back as ``object`` (pandas would make it ``str``), so a page sees the frame the
    run computed, value for value.
    """
    objects = [c for c in frame.columns if frame[c].dtype == object]
    mixed = [c for c in objects if pd.api.types.infer_dtype(frame[c], skipna=True).startswith("mixed")]
    if mixed:
        frame = frame.assign(**{c: [json.dumps(v) for v in frame[c]] for c in mixed})
    # a column with no value (no break found) would be Arrow's null type under pandas 2, which a
    # filter by text (a page's geo) cannot compare: it is stored as text, as pandas 3 stores it
    empty = [c for c in objects if pd.api.types.infer_dtype(frame[c], skipna=True) == "empty"]
    if empty:
        frame = frame.astype(dict.fromkeys(empty, "string"))
    return frame, {"object": objects, "json": mixed}


def _restore(frame: pd.DataFrame, kinds: dict[str, list[str]]) -> pd.DataFrame:
    """Undo :func:`_columnar` on a frame read from Parquet."""
    for c in kinds.get("object", []):
        if c in frame.columns:
            frame[c] = frame[c].astype(object)
    for c in kinds.get("json", []):
        if c in frame.columns:  # few distinct values (import ids): decode each once
            codes, texts = pd.factorize(frame[c])
            values = np.empty(len(texts), dtype=object)
            values[:] = [json.loads(v) for v in texts]
            frame[c] = values[codes] if len(frame) else frame[c].astype(object)
    return frame


def link_frames(store: str | os.PathLike, copy: str | os.PathLike, run_id: str | None = None) -> None:
    """Make the run frames of ``store`` readable through ``copy``, a copy of the store file.

    A report's pages read a snapshot of the store (or a worker's copy of it); the frames of a run
    never change, so the copy's frames folder links to the original's instead of copying it:
    the whole ``.runs`` folder, or only ``run_id``'s frames.
    """
    src, dst = Path(f"{store}.runs"), Path(f"{copy}.runs")
    if run_id:
        src, dst = src / run_id, dst / run_id
    if not src.is_dir() or dst.exists():
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    try:
        dst.symlink_to(src.resolve(), target_is_directory=True)
    except OSError:  # no symbolic links on this file system: copy (a few MB)
        shutil.copytree(src, dst)


@dataclass(frozen=True)
class PageFrames:
    """What one page reads: the run (its forecasts cut to ``geos``), observations and breaks.

    ``run.assessments`` holds every target of the run; ``run.forecasts`` and ``observations``
    the rows of ``geos`` (every geo when None), plus, for a deep dive, every geo's series of its
    indicator (the national pace and the best decile of provinces are measured on them).
    """

    run: runs.Run
    observations: pd.DataFrame
    breaks: pd.DataFrame
    folder: Path | None = None
    geos: frozenset[str] | None = None
    seconds: float = 0.0
    store: str | os.PathLike | None = None

    def detail(self, geo_name: str, series: str) -> dict[str, pd.DataFrame]:
        """One series' deep-dive frames, as :func:`forecast.assess.runs.load_series_detail` returns them,
        and ``series_scores``: its back-test scored against its observations, rounded as shown."""
        if self.folder is None:  # a run saved without frames: its tables in the store
            out = runs.load_series_detail(self.store, self.run.run_id, geo_name, series)
        else:
            out = self._detail(geo_name, series)
        scores = _saved(self.folder, "series_scores", [("geo", "==", geo_name), ("indicator", "==", series)])
        if scores is None:  # saved before the run scored every series: score this one
            mine = self.observations[
                (self.observations["geo"] == geo_name) & (self.observations["indicator"] == series)
            ]
            scores = evaluate_series(out["backtests"], mine) if len(out["backtests"]) else pd.DataFrame()
        out["series_scores"] = scores.drop(columns="geo", errors="ignore").reset_index(drop=True).round(3)
        return out

    def _detail(self, geo_name: str, series: str) -> dict[str, pd.DataFrame]:
        assert self.folder is not None
        out = {}
        for attr in ("model_forecasts", "backtests"):
            df = _read(self.folder, attr, [("geo", "==", geo_name), ("indicator", "==", series)])
            out[attr] = df.sort_values(["model", "year"], kind="stable").reset_index(drop=True)
        origins = sorted(set(out["backtests"]["origin"].dropna().astype(int)))
        scores = _read(self.folder, "backtest_scores", [("indicator", "==", series)])
        scores = scores[scores["origin"] == origins[0]] if origins else scores.iloc[0:0]
        out["backtest_scores"] = scores.sort_values("model", kind="stable").reset_index(drop=True)
        return out

    def scenario_table(self, targets: pd.DataFrame, names: Sequence[str]) -> pd.DataFrame:
        """:func:`forecast.assess.scenarios.scenario_table` of ``targets`` (rows of the run's assessments).

        The scenarios the run saved (:data:`SAVED_SCENARIOS`) are read; any other (a deep dive's
        ``rate`` changed by its reader) is computed from the page's frames.
        """
        saved = _saved(self.folder, "scenarios")
        keys = [*scenarios.TARGET_KEYS, "value"]
        if saved is not None and (set(keys) - set(targets.columns) or targets.duplicated(keys).any()):
            saved = None  # rows the saved table cannot tell apart: compute them
        year = int(self.run.as_of[:4])
        frames = []
        for name in names:
            key = _scenario_key(name)
            if saved is not None and key in set(saved["name"]):
                frames.append(_rows_of(saved[saved["name"] == key], targets[keys]))
            else:
                obs, fc = self.observations, self.run.forecasts
                frames.append(scenarios.scenario_table(obs, fc, targets, [name], as_of_year=year))
        return (
            pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=scenarios.TARGET_COLUMNS)
        )


def _rows_of(saved: pd.DataFrame, keys: pd.DataFrame) -> pd.DataFrame:
    """The rows of one saved scenario of the targets ``keys``, in their order (as computed for them)."""
    on = [*scenarios.TARGET_KEYS, "target"]
    order = keys.rename(columns={"value": "target"}).assign(_at=range(len(keys)))
    rows = saved.merge(order, on=on, how="inner").sort_values("_at", kind="stable")
    return rows[scenarios.TARGET_COLUMNS].reset_index(drop=True)


def _saved(folder: Path | None, name: str, filters: list | None = None) -> pd.DataFrame | None:
    """A frame the run saved for its pages (:data:`SHOWN_FRAMES`), or None for a run saved without it."""
    if folder is None or not (folder / f"{name}.parquet").is_file():
        return None
    return _read(folder, name, filters)


def _read(folder: Path, name: str, filters: list | None = None) -> pd.DataFrame:
    """One saved frame, its rows matching ``filters`` (pyarrow's), with its columns as saved."""
    # one thread: a report runs a notebook per core already, and a slice is small
    frame = pd.read_parquet(folder / f"{name}.parquet", filters=filters or None, use_threads=False)
    return _restore(frame, _kinds(folder).get(name, {}))


@functools.lru_cache(maxsize=8)
def _kinds_of(meta: Path, mtime: float) -> dict[str, dict[str, list[str]]]:
    return json.loads(meta.read_text(encoding="utf-8")).get("frames", {})


def _kinds(folder: Path) -> dict[str, dict[str, list[str]]]:
    meta = folder / _META
    return _kinds_of(meta, meta.stat().st_mtime)


def page_geos(assessments: pd.DataFrame, province: str) -> set[str]:
    """Every geo a province's page may show: the province, its old provinces (a merged one), the
    geos its assessments used, their regions and the nation."""
    name = geo.resolve_geo(province)
    cw = crosswalk.load_crosswalk()
    names = {name, *cw.loc[cw["new_geo"] == name, "old_geo"]}
    mine = assessments[assessments["province"].isin(names)] if "province" in assessments else assessments
    return matching.related_geos(names) | set(mine.get("geo", [])) | set(mine.get("province", []))


def _family(assessments: pd.DataFrame, province_geos: set[str], indicator: str) -> set[str]:
    """The base indicators of ``indicator`` and of every series its targets in ``province_geos`` used."""
    code = indicators.resolve_indicator(indicator)
    a = assessments[(assessments["indicator"] == code) & assessments["province"].isin(province_geos)]
    used = [s for s in a.get("series", pd.Series(dtype=str)).fillna("") if s]
    return {indicators.base_indicator(c)[0] for c in [code, *used]}


def load_page(
    store: str | os.PathLike | None = None,
    run_id: str | None = None,
    province: str | None = None,
    *,
    indicator: str | None = None,
    geos: Sequence[str] | None = None,
    every_geo: bool = False,
) -> PageFrames:
    """Return the frames one page shows, from its run's saved frames (one call per notebook).

    Parameters
    ----------
    store
        The store the run was saved in (default :func:`forecast.config.store_path`).
    run_id
        The run; empty: the latest run that assessed ``province`` (:func:`forecast.assess.runs.load_run`).
    province
        The page's province (any spelling): observations and forecasts of :func:`page_geos`.
    indicator
        A deep dive's indicator: every geo's series of its family is added (the scenarios compare paces).
    geos
        Read these geos (any spelling) instead of the province's, e.g. ``["VN"]`` for the overview.
    every_geo
        Read every geo (the explorer, which lets the reader pick any province).

    Raises
    ------
    MissingDataError
        If the store holds no such run.
    """
    start = time.perf_counter()
    chosen = run_id or _latest(store, province)
    folder = frames_dir(store, chosen)
    if not (folder / _META).is_file():
        return _from_store(store, chosen, province, start)
    meta = json.loads((folder / _META).read_text(encoding="utf-8"))
    assessments = _read(folder, "assessments")
    wanted: set[str] | None = None
    if geos:
        wanted = {geo.resolve_geo(g) for g in geos}
    elif province and not every_geo:
        wanted = page_geos(assessments, province)
    where: list[Any] | None = [("geo", "in", sorted(wanted))] if wanted is not None else None
    rows = where
    if indicator and where is not None:  # either filter: rows stay in the saved order
        family = _family(assessments, wanted or set(), indicator)
        rows = [where, [("base_indicator", "in", sorted(family))]]
    observations = _read(folder, "observations", rows)
    run = runs.Run(
        run_id=meta["run_id"],
        as_of=meta["as_of"],
        created=pd.Timestamp(meta["created"]),
        data_fingerprint=meta["data_fingerprint"],
        settings=meta["settings"],
        forecasts=_read(folder, "forecasts", where),
        assessments=assessments,
    )
    breaks = _read(folder, "breaks", where)  # the caveats name the breaks of the page's series only
    seconds = time.perf_counter() - start
    logger.debug("read the frames of run %s for %s in %.3f s", chosen, province or "the quarter", seconds)
    return PageFrames(run, observations, breaks, folder, frozenset(wanted) if wanted else None, seconds)


def _latest(store: str | os.PathLike | None, province: str | None) -> str:
    """The id of the latest run that assessed ``province`` (else the latest run)."""
    return runs.run_id_for(store, None, geo.resolve_geo(province) if province else None)


def _from_store(
    store: str | os.PathLike | None, run_id: str, province: str | None, start: float
) -> PageFrames:
    """A run saved without frames (by an older version): its frames made from the store, once."""
    from forecast.data import merged
    from forecast.data import store as store_db

    logger.warning("run %s has no saved frames: reading the whole store (slow)", run_id)
    run = runs.load_run(store, run_id, province)
    series, breaks = store_db.analysis_with_breaks(store)
    observations = merged.with_merged(series)
    return PageFrames(run, observations, breaks, None, None, time.perf_counter() - start, store)
