"""The quarterly pipeline: load once, forecast, assess, save, and pass the run on in memory.

One call of :func:`prepare_run` reads the registry and the store's analysis series once, fills
an empty store with the bundled public data once, forecasts every needed series in one
vectorised step, assesses every target, saves the run and returns the in-memory
:class:`~forecast.assess.runs.Run`, which :func:`run_report` hands to the report stage without
reading it back.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from forecast import config
from forecast.assess import assessment, coverage, matching, scenarios, slices
from forecast.assess import suggest as suggest_stage
from forecast.assess.runs import FORECAST_COLUMNS, HORIZON_END, Run, load_run, run_scope, save_run
from forecast.data import derived, merged
from forecast.data import store as store_db
from forecast.engine import backtest, models
from forecast.engine import forecast as engine_forecast
from forecast.errors import MissingDataError, PanelWarning, ReportError
from forecast.log import Stopwatch, logger
from forecast.registry import crosswalk, geo, indicators, national_targets
from forecast.registry.targets import load_targets
from forecast.report.publish import jobs as report_jobs
from forecast.report.publish import quarter as report_quarter
from forecast.report.publish import scheduler as report_scheduler

__all__ = [
    "all_provinces",
    "check_scenarios",
    "prepare_run",
    "run_forecasts",
    "run_report",
    "run_scenarios",
    "suggest",
]


def load_observations(store: str | os.PathLike | None) -> pd.DataFrame:
    """Return the store's analysis series, importing the bundled public data into an empty store.

    The series of the merged 2025 provinces are rebuilt from their old provinces and appended
    (:func:`forecast.data.merged.with_merged`), then the series the catalogue derives
    (:func:`forecast.data.derived.with_derived`: the crude birth rate's yearly fall).
    """
    return derived.with_derived(analysis_frames(store)[0])


def analysis_frames(store: str | os.PathLike | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the store's analysis series with the merged provinces' series, and the series breaks.

    These are the observations the report pages show, computed once per run (and saved with it,
    :func:`forecast.assess.slices.save_frames`); an empty store is first filled with the bundled data.
    """
    obs, breaks = store_db.analysis_with_breaks(store)
    if obs.empty:
        logger.info("the store is empty: importing the bundled public data first")
        store_db.ensure_default_data(store)
        obs, breaks = store_db.analysis_with_breaks(store)
    if obs.empty:
        raise MissingDataError(
            "the store holds no observations even after importing the bundled "
            "data; import a file with `forecast data import FILE`"
        )
    return merged.with_merged(obs), breaks


def fill_empty_store(store: str | os.PathLike | None) -> dict:
    """Import the bundled public data into an empty store; return the import summary.

    ``{"files": []}`` (nothing imported) when the store already holds observations.
    """
    return store_db.ensure_default_data(store) or {"files": []}


def series_to_forecast(obs: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Series of catalogue indicators marked for forecasting, any series a target needs, and the
    series that stand in for one (:data:`forecast.registry.indicators.STAND_INS`)."""
    cat = indicators.catalogue()
    stand_ins = {alt for alt, _ in indicators.STAND_INS.values()}
    wanted = set(cat.index[cat["forecast"] == "yes"]) | set(targets["indicator"]) | stand_ins
    return obs[obs["base_indicator"].isin(wanted)]


def restrict(
    obs: pd.DataFrame, registry: pd.DataFrame, provinces: Sequence[str] | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The provinces' targets, and observations of the provinces, their regions and successors."""
    if not provinces:
        return obs, registry
    names = {geo.resolve_geo(p) for p in provinces}
    cw = crosswalk.load_crosswalk()
    names |= set(cw.loc[cw["new_geo"].isin(names), "old_geo"])  # a merged province's old ones
    geos = matching.related_geos(names)  # with regions, the nation and merged provinces
    return obs[obs["geo"].isin(geos)], registry[registry["province"].isin(names)]


def with_national_plans(registry: pd.DataFrame, provinces: Sequence[str] | None) -> pd.DataFrame:
    """The registry plus national-target rows for each of ``provinces`` without outcome targets.

    A province without a plan of its own (Đồng Nai's plan sets none; the merged 2025 provinces
    have none yet) is measured against the national targets
    (:func:`forecast.registry.national_targets.national_plan`).
    """
    names = [geo.resolve_geo(p) for p in provinces or []]
    planned = set(registry.loc[registry["kind"] == "outcome", "province"])
    bare = [p for p in dict.fromkeys(names) if p not in planned]
    if not bare:
        return registry
    return pd.concat([registry, national_targets.national_plan(bare)], ignore_index=True)


def forecast_series(series: pd.DataFrame, settings: models.EngineSettings) -> pd.DataFrame:
    """Forecast every series from the year after the earliest observation to ``HORIZON_END``."""
    logger.info("forecasting %d series to %d", series.groupby(["geo", "indicator"]).ngroups, HORIZON_END)
    if series.empty:
        return pd.DataFrame(columns=FORECAST_COLUMNS).drop(columns="run_id")
    years = range(int(series["year"].min()) + 1, HORIZON_END + 1)
    return models.forecast_panel(series, years=years, settings=settings)


def target_series(assessments: pd.DataFrame) -> pd.DataFrame:
    """The ``(geo, indicator)`` store series the assessments used (those with targets)."""
    a = assessments[assessments["series"].fillna("") != ""]
    return a[["geo", "series"]].drop_duplicates().rename(columns={"series": "indicator"})


def deep_dive_tables(
    series: pd.DataFrame,
    keys: pd.DataFrame,
    forecasts: pd.DataFrame,
    settings: models.EngineSettings,
    horizon: int = backtest.COMPARE_HORIZON,
) -> dict[str, pd.DataFrame]:
    """Every compared model's forecast and the back-tests of the ``keys`` series, computed once.

    The ensemble rows are the run's own ``forecasts`` (so a deep dive shows the brief's numbers);
    the other models of :data:`forecast.engine.backtest.COMPARE_MODELS` are forecast in one
    vectorised call over the panels of the keys' indicators (every geo, as the pooled models need).
    """
    panel = series[series["indicator"].isin(set(keys["indicator"]))]
    on = ["geo", "indicator"]
    if panel.empty:
        empty = pd.DataFrame(columns=FORECAST_COLUMNS)
        return {
            "model_forecasts": empty,
            "backtests": empty.iloc[:, :0],
            "backtest_scores": empty.iloc[:, :0],
        }
    others = [m for m in backtest.COMPARE_MODELS if m != "ensemble"]
    years = range(int(series["year"].min()) + 1, HORIZON_END + 1)
    with warnings.catch_warnings():  # a national-only indicator is a lone series by nature: no news
        warnings.simplefilter("ignore", PanelWarning)
        fc = models.forecast_panel(panel, years=years, models=others, settings=settings)
        held_out, scores = backtest.backtest_series(panel, keys, horizon, backtest.COMPARE_MODELS, settings)
    mine = pd.concat([fc, forecasts[forecasts["model"] == "ensemble"]], ignore_index=True).merge(keys, on=on)
    return {"model_forecasts": mine, "backtests": held_out, "backtest_scores": scores}


def learned(series: pd.DataFrame, settings: models.EngineSettings) -> models.EngineSettings:
    """``settings`` with the calibration the engine learns from ``series`` (learned once, here).

    Settings that are not the engine's own (a stand-in engine) and an empty ``series`` are
    returned as given.
    """
    if series.empty or not isinstance(settings, engine_forecast.EngineSettings):
        return settings
    return engine_forecast.calibrated(series, settings)


def recorded_weights(settings: models.EngineSettings, series: pd.DataFrame) -> list[dict]:
    """The ensemble members and weights of every forecast series, as the run's settings record them.

    One record per series and member (``indicator``, ``model``, ``weight`` rounded to 4 decimals,
    ``pooled``: the all-indicator weights stood in), from ``settings.calibration``
    (:func:`forecast.engine.forecast.weights_table`); empty without a calibration.
    """
    calibration = getattr(settings, "calibration", None)
    if calibration is None or series.empty:
        return []
    table = engine_forecast.weights_table(calibration, sorted(series["indicator"].unique()))
    return table.assign(weight=table["weight"].round(4)).to_dict("records")


def prepare_run(
    as_of: str,
    store: str | os.PathLike | None = None,
    settings: models.EngineSettings | None = None,
    provinces: Sequence[str] | None = None,
    *,
    targets: pd.DataFrame | str | None = None,
    national_for: Sequence[str] | None = None,
) -> Run:
    """Forecast every needed series to 2035, assess every target, save the run and return it.

    Parameters
    ----------
    as_of
        The quarter the run speaks for, e.g. ``2026Q4`` (decides nowcast vs forecast).
    store
        Store path (default :func:`forecast.config.store_path`). An empty store is first filled
        with the bundled public data (:func:`forecast.data.store.ensure_default_data`).
    settings
        :class:`forecast.engine.models.EngineSettings`; default settings when None.
    provinces
        Restrict the run to these provinces (any spelling), with their GSO regions (proxies) and
        merged 2025 provinces (:func:`forecast.assess.matching.related_geos`); all geos when None.
    targets
        A registry frame or CSV path (default ``data/targets.csv``).
    national_for
        Provinces measured against the national targets when they have no outcome target of
        their own (:func:`with_national_plans`); default the ``provinces``.

    Returns
    -------
    Run
        The saved run, in memory; its id is ``<as_of>-<8 hex digits>``.
    """
    clock = Stopwatch()
    quarter = config.parse_quarter(as_of)
    registry = targets if isinstance(targets, pd.DataFrame) else load_targets(targets)
    registry = with_national_plans(registry, national_for if national_for is not None else provinces)
    scope = sorted({geo.resolve_geo(p) for p in provinces}) if provinces else []
    shown, breaks = analysis_frames(store)  # what the pages show: read once per run, never per page
    every = derived.with_derived(shown)
    clock.lap("import")
    settings = settings if settings is not None else models.EngineSettings()
    # Forecast (and calibrate) on the whole panel, then keep the requested provinces: the
    # numbers of a province never depend on which others were requested.
    series = series_to_forecast(every, registry)
    # The calibration is learned once, here, so its ensemble weights are recorded with the run
    # (the indicator pages say which models forecast each series); the numbers are unchanged.
    fitted = learned(series, settings)
    panel = forecast_series(series, fitted)
    obs, registry = restrict(every, registry, provinces)
    fc = panel[panel["geo"].isin(set(obs["geo"]))].reset_index(drop=True)
    clock.lap("forecast")
    assessments = assessment.assess_targets(registry, every, fc, quarter, panel=panel)
    clock.lap("assess")
    detail = deep_dive_tables(series, target_series(assessments), fc, settings)
    clock.lap("backtest")
    created = pd.Timestamp.now(tz="UTC")
    fingerprint = str(store_db.data_fingerprint(store))
    params = settings.to_dict() | {"provinces": scope}  # the run's scope: [] for every province
    weights = recorded_weights(fitted, series)
    if weights:  # the members and weights of each series' ensemble (the indicator pages' method)
        params["ensemble_weights"] = weights
    digest = hashlib.sha256(
        json.dumps([fingerprint, params, created.isoformat()], sort_keys=True, default=str).encode()
    ).hexdigest()[:8]
    run = Run(
        f"{quarter}-{digest}",
        quarter,
        created,
        fingerprint,
        params,
        fc.assign(run_id=f"{quarter}-{digest}"),
        assessments,
        **detail,
        stages=clock.seconds,
    )
    save_run(store, run)
    slices.save_frames(store, run, shown, breaks)
    clock.lap("save")
    return run


def run_forecasts(
    as_of: str,
    store: str | os.PathLike | None = None,
    settings: models.EngineSettings | None = None,
    provinces: Sequence[str] | None = None,
    *,
    targets: pd.DataFrame | str | None = None,
) -> str:
    """Make and save the run of a quarter (:func:`prepare_run`: forecast, assess, save) and return its id.

    Parameters
    ----------
    as_of
        The quarter (``"2026Q4"``).
    store
        The store file (default ``data/workbench.duckdb``); an empty one gets the bundled public data.
    settings
        Engine settings (default :class:`~forecast.engine.forecast.EngineSettings`).
    provinces
        Provinces to assess (any spelling); default every province of the registry.
    targets
        Another registry (a frame or a CSV path) instead of ``data/targets.csv``.

    Examples
    --------
    >>> import forecast
    >>> run_id = forecast.run_forecasts("2026Q4", provinces=["Lâm Đồng"])  # doctest: +SKIP
    >>> forecast.load_run(run_id=run_id).assessments  # doctest: +SKIP
    """
    return prepare_run(as_of, store, settings, provinces, targets=targets).run_id


def suggest(
    province: str,
    year: int = 2030,
    store: str | os.PathLike | None = None,
    settings: models.EngineSettings | None = None,
) -> pd.DataFrame:
    """Values a province reaches by ``year`` with probability 50/80/90 % (:mod:`forecast.assess.suggest`).

    Uses the forecasts of the store's latest run where it holds the province's series (the
    numbers then agree with the briefs), else forecasts in memory (nothing is saved) as
    :func:`prepare_run` does: on the whole panel, so that the pooled models and the calibration
    see every province, then keeps the province's series, its region's and the nation's. Either
    way the values equal the quantile-derived values of a run's forecast for the province.
    """
    name = geo.resolve_geo(province)
    obs = load_observations(store)
    try:
        fc = load_run(store).forecasts
    except MissingDataError:
        fc = pd.DataFrame(columns=["geo"])
    if not (fc["geo"] == name).any():
        registry = with_national_plans(load_targets(), [name])
        settings = settings if settings is not None else models.EngineSettings()
        every = forecast_series(series_to_forecast(obs, registry), settings)
        mine, _ = restrict(obs, registry, [name])
        fc = every[every["geo"].isin(set(mine["geo"]))].reset_index(drop=True)
    return suggest_stage.suggest_targets(fc, obs, name, year)


def check_scenarios(names: Sequence[str], store: str | os.PathLike | None) -> None:
    """Refuse, before a run, a scenario unknown or a rate outside the panel's observed rates
    (:func:`forecast.assess.scenarios.check_rates`); the store is read, not written."""
    for name in names:
        scenarios.parse_scenario(name)
    if any(scenarios.parse_scenario(n)[0] == "rate" for n in names):
        scenarios.check_rates(list(names), load_observations(store))


def run_scenarios(run: Run, store: str | os.PathLike | None, names: list[str]) -> pd.DataFrame:
    """Every target of ``run`` under each scenario of ``names`` (:mod:`forecast.assess.scenarios`)."""
    obs = load_observations(store)
    year = int(run.as_of[:4])
    return scenarios.scenario_table(obs, run.forecasts, run.assessments, names, as_of_year=year)


def default_provinces() -> list[str]:
    """Return the seed plans' provinces (registry order), then the merged provinces containing them."""
    seeds = list(dict.fromkeys(load_targets()["province"]))
    cw = crosswalk.load_crosswalk()
    successors = cw.loc[cw["old_geo"].isin(seeds), "new_geo"]
    return seeds + [s for s in dict.fromkeys(successors) if s not in seeds]


def all_provinces(scope: str = "both", store: str | os.PathLike | None = None) -> list[str]:
    """Return every province of ``scope`` (old | merged | both) that has data or a plan.

    The selection is :func:`forecast.assess.coverage.report_provinces` on the store's series
    (the bundled data are imported into an empty store first) and the target registry.
    """
    chosen = coverage.report_provinces(load_observations(store), load_targets(), scope)
    logger.info("%d provinces of scope %s have data or a plan", len(chosen), scope)
    return list(chosen["province"])


def _stored_run(store: str, run_id: str, quarter: str | None) -> Run:
    """A stored run to republish; its quarter must be the one asked for."""
    run = load_run(store, run_id)
    if quarter and config.parse_quarter(quarter) != run.as_of:
        raise ReportError(
            f"run {run_id} speaks for {run.as_of}, not {quarter}: pass --quarter {run.as_of} or omit it"
        )
    return run


def run_report(
    quarter: str | None,
    *,
    provinces: list[str] | None = None,
    scope: str | None = None,
    scheduler: str | None = None,
    scheduler_timeout: float = report_scheduler.TIMEOUT,
    jobs: int | None = None,
    out: str | os.PathLike | None = None,
    store: str | os.PathLike | None = None,
    lang: str = "vi",
    notebooks: dict[str, str | os.PathLike] | None = None,
    progress: Any = None,
    run_id: str | None = None,
    replace: bool = False,
) -> report_quarter.ReportResult:
    """Run the quarter's forecasts once and publish every notebook as HTML under ``out/<quarter>/``.

    A published quarter is refused before anything is computed unless ``replace``.

    Parameters
    ----------
    quarter
        The quarter (``"2026Q4"``); may be None with ``run_id``.
    provinces
        Provinces in any spelling; default the run's provinces, else the seed-plan provinces.
    scope
        ``old``, ``merged`` or ``both``: every province of it with data or a plan
        (:func:`all_provinces`), instead of ``provinces``.
    scheduler, jobs, out, lang, notebooks, progress
        As :func:`forecast.report.publish.quarter.publish_report` takes them: the Dask scheduler
        (``local`` or an address), worker count, reports folder, language, notebook paths, progress bar.
    scheduler_timeout
        Seconds a Dask scheduler has to answer; the address is checked before anything runs
        (:func:`forecast.report.publish.scheduler.check_scheduler`).
    store
        The store (default :func:`forecast.config.store_path`).
    run_id
        Republish that stored run without recomputing.
    replace
        Replace a published quarter (the previous publication is archived).

    Returns
    -------
    ReportResult
        The quarter's folder, its index page and one result per notebook (``failures`` among them).

    Raises
    ------
    ReportError
        If the quarter is malformed or already published (without ``replace``), a notebook file
        is missing, or ``run_id`` speaks for another quarter (before anything runs).

    Examples
    --------
    >>> import forecast
    >>> result = forecast.run_report("2026Q4", provinces=["Lâm Đồng"], out="/tmp/reports")  # doctest: +SKIP
    """
    started = time.time()
    scheduler = report_scheduler.check_scheduler(scheduler, scheduler_timeout)  # before any work
    nbs = report_jobs.notebook_paths(notebooks)
    store = str(Path(config.store_path(store)).resolve())
    stored = _stored_run(store, run_id, quarter) if run_id else None
    quarter = stored.as_of if stored is not None else config.parse_quarter(quarter or "")
    report_quarter.check_replace(Path(out or config.REPORTS_DIR).resolve(), quarter, replace)
    covered = sorted(run_scope(stored.settings) or []) if stored is not None else []
    if scope:
        chosen = all_provinces(scope, store)
    else:
        chosen = [geo.resolve_geo(p) for p in provinces] if provinces else covered or default_provinces()
    run = stored or prepare_run(
        quarter, store, provinces=[*chosen] if provinces and not scope else None, national_for=chosen
    )
    return report_quarter.publish_report(
        run,
        chosen,
        quarter=quarter,
        jobs=jobs,
        scheduler=scheduler,
        scheduler_timeout=scheduler_timeout,
        out=out,
        store=store,
        lang=lang,
        notebooks=nbs,
        progress=progress,
        started=started,
        replace=replace,
    )
