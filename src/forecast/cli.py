"""The ``forecast`` command: one verb per job, each calling one library function.

Only this module talks to the user and turns :class:`~forecast.errors.ForecastError` into an
exit code (1) with a one-line message, never a traceback.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import sys

import click

from forecast import config
from forecast.errors import ForecastError, io_error
from forecast.report.pages.catalogues import catalogue_langs


class _Failure(click.ClickException):
    """A one-line error with the exit code of its :class:`~forecast.errors.ForecastError` class."""

    def __init__(self, error: ForecastError) -> None:
        # A path of bytes that are not UTF-8 (surrogates in Python) is shown with \x escapes:
        # printing it raw would fail with a traceback of its own.
        text = str(error).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        super().__init__(" ".join(text.split("\n")))
        self.exit_code = error.exit_code  # type: ignore[misc]  # click reads it when it exits


class _Group(click.Group):
    """A click group that turns the workbench's own errors into one-line messages."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ForecastError as e:
            raise _Failure(e) from e
        except OSError as e:  # a write the library did not expect to fail: full disk, read-only
            raise _Failure(io_error(e, e.filename or "a file", "writing") or ForecastError(str(e))) from e


def _echo_frame(df, fmt: str) -> None:
    if fmt == "csv":
        from forecast.outputs import safe_cells

        click.echo(safe_cells(df).to_csv(index=False), nl=False)
    elif fmt == "json":
        click.echo(df.to_json(orient="records", force_ascii=False, indent=1))
    else:
        import pandas as pd

        with pd.option_context(
            "display.max_rows",
            None,
            "display.max_columns",
            None,
            "display.width",
            200,
            "display.max_colwidth",
            60,
        ):
            click.echo(df.to_string(index=False) if len(df) else "(no rows)")


def _set_store(ctx: click.Context, _param, value: str | None) -> None:
    if value:  # the command's own --store overrides the group's (and FORECAST_STORE)
        ctx.ensure_object(dict)["store"] = str(config.store_path(value))


#: ``--store`` on every command that reads or writes the store, as well as before the command.
store_option = click.option(
    "--store",
    type=click.Path(dir_okay=False),
    default=None,
    expose_value=False,
    is_eager=True,
    callback=_set_store,
    help="Store file (overrides `forecast --store` and FORECAST_STORE).",
)
#: ``--format table|csv|json`` of every command that prints a table.
format_option = click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
#: ``--targets`` of every command that reads the target registry.
targets_option = click.option(
    "--targets",
    "targets_path",
    type=click.Path(dir_okay=False),
    help="Registry CSV (default data/targets.csv).",
)
#: ``--force`` of every command that writes a file the user names (the output rule of forecast.outputs).
force_option = click.option(
    "--force",
    is_flag=True,
    help="Replace an existing output file (never the store, another database or an input).",
)


def _check_outputs(ctx: click.Context, outputs: dict, force: bool, inputs: tuple = ()) -> None:
    """The output rule (:func:`forecast.outputs.check_outputs`), before any work starts."""
    from forecast.data.store import store_files
    from forecast.outputs import check_outputs

    keep = [*store_files(ctx.obj["store"]), config.TARGETS_CSV, *inputs]
    check_outputs(outputs, force=force, keep=keep)


#: ``--select`` of the commands that read a GSO PX-Web table.
select_option = click.option("--select", help="Column dimension to keep in a GSO table (default: the total).")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--store",
    type=click.Path(dir_okay=False),
    default=None,
    envvar="FORECAST_STORE",
    help="Store file (default data/workbench.duckdb; env FORECAST_STORE).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
@click.version_option(package_name="forecast-workbench")
@click.pass_context
def cli(ctx: click.Context, store: str | None, verbose: bool) -> None:
    """Forecast Vietnamese provincial health-plan targets and assess their attainment.

    Example:

        forecast targets --province "Hà Nam" --year 2025
    """
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(levelname)s %(name)s: %(message)s",
    )
    ctx.obj = {"store": str(config.store_path(store))}


@cli.command("targets")
@click.option("--province", help="Province as named in its plan (any spelling).")
@click.option("--year", type=int, help="Target year, e.g. 2025.")
@click.option("--indicator", help="Indicator code, e.g. life_expectancy.")
@click.option("--kind", type=click.Choice(["outcome", "milestone", "activity", "qualitative"]))
@click.option("--summary", is_flag=True, help="Count targets per plan, year and kind instead.")
@click.option(
    "--file", "path", type=click.Path(dir_okay=False), help="Registry CSV (default data/targets.csv)."
)
@format_option
def targets_cmd(province, year, indicator, kind, summary, path, fmt) -> None:
    """List the plan targets in the registry.

    Example:

        forecast targets --province "Ha Nam" --year 2025 --format csv
    """
    from forecast.registry.targets import load_targets, select_targets, summarize_targets

    df = select_targets(load_targets(path), province, year, indicator, kind)
    if summary:
        df = summarize_targets(df)
    elif fmt == "table":
        df = df[
            ["plan_id", "province", "indicator", "year", "comparator", "value", "value_high", "unit", "kind"]
        ]
    _echo_frame(df, fmt)


# --- data commands (import, fetch, status): see forecast.data, .store and .status -----------------


@cli.group("data")
def data_group() -> None:
    """Import, fetch and inspect the observed data in the store.

    Example:

        forecast data import ../shared/data/vn_provinces.csv
    """


def _echo_import(summary) -> None:
    _echo_frame(summary[["file", "format", "imported", "duplicate", "missing", "quarantined"]], "table")
    for row in summary.itertuples():
        if row.reasons:
            click.echo(f"{row.file}: quarantined {row.quarantined} ({row.reasons})")
    if summary["imported"].sum() + summary["duplicate"].sum() == 0:
        raise click.ClickException("nothing could be imported; see the quarantine file beside the store")


@data_group.command("import")
@store_option
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["auto", "tidy", "gso", "wdi"]), default="auto")
@click.option("--indicator", help="Indicator code of a GSO table (default: from its title).")
@select_option
@click.option(
    "--geo-era",
    type=click.Choice(["auto", "2025", "old"]),
    default="auto",
    help="'2025': plain names mean the merged provinces (default: from 2025 on).",
)
@click.option("--source", help="Source for rows that name none (default: the file name).")
@click.option("--sheet", help="Read only this sheet of a workbook (default: every sheet).")
@click.pass_context
def data_import_cmd(ctx, paths, fmt, indicator, select, geo_era, source, sheet) -> None:
    """Import observation files (tidy CSV/Excel, GSO PX-Web CSV or JSON-stat, WDI bulk CSV).

    A PX-Web table with several dimensions becomes one indicator per dimension ("2002 Doctor"
    -> doctors_dohs_count); --select keeps one.

    Example:

        forecast data import "Number of medical staff under provincial departments of health by province.csv"
    """
    from forecast.data.readers import ImportOptions
    from forecast.data.store import import_files

    options = ImportOptions(fmt, indicator, select, geo_era, source, sheet)
    _echo_import(import_files(paths, ctx.obj["store"], options))


@data_group.command("fetch")
@store_option
@click.argument("source", type=click.Choice(["worldbank", "gso"]))
@click.option("--table", help="PX-Web table path for gso, e.g. 'V02.Dan so/V02.24.px'.")
@click.option("--indicator", help="Indicator code (default: from the table title or WDI code).")
@select_option
@click.pass_context
def data_fetch_cmd(ctx, source, table, indicator, select) -> None:
    """Download a table (World Bank API or GSO PX-Web), cache it and import it.

    Example:

        forecast data fetch gso --table "Dan so va lao dong/V02.24.px"
    """
    from forecast.data import download

    if source == "gso":
        if not table:
            raise click.UsageError("fetch gso needs --table")
        summary = download.fetch_gso(table, ctx.obj["store"], indicator=indicator, select=select)
    else:
        summary = download.fetch_worldbank(ctx.obj["store"])
    _echo_import(summary)


@data_group.command("template")
@store_option
@click.option("--province", required=True, help="Province whose plan's indicators are listed (any spelling).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="New .xlsx file to write.")
@click.option(
    "--needed",
    is_flag=True,
    help="Only the indicators and years the latest run's brief asks the province for (its leaders' summary).",
)
@click.option("--run-id", default="", help="With --needed: the stored run to read (default the latest).")
@targets_option
@force_option
@click.pass_context
def data_template_cmd(ctx, province, out, needed, run_id, targets_path, force) -> None:
    """Write an Excel workbook for a provincial health department to fill with its own figures.

    Example:

        forecast data template --province "Hà Nam" --out hanam.xlsx

        forecast data template --province "Hà Nam" --needed --out ha-nam-can-bo-sung.xlsx
    """
    from forecast.data.template import write_template

    _check_outputs(ctx, {"--out": out}, force, (targets_path,))
    needs = None
    if needed:
        needs = _province_needs(province, ctx.obj["store"], run_id or None)
        if needs.empty:
            click.echo(f"the run asks {province} for no data: every target has its own series")
            return
    path = write_template(province, out, ctx.obj["store"], targets_path, needs, force=force)
    click.echo(f"wrote {path}; fill the 'Số liệu' sheet, then: forecast data import {path}")


def _province_needs(province: str, store: str | None, run_id: str | None):
    """The data the run's brief of ``province`` asks for (:func:`forecast.assess.needs.data_needs`)."""
    from forecast.assess import needs, runs
    from forecast.data import merged
    from forecast.data import store as store_db
    from forecast.report.pages import views

    run = runs.load_run(store, run_id, province)
    observations = merged.with_merged(store_db.analysis_series(store))
    view = views.province_view(run, observations, None, province)
    return needs.data_needs(view.assessments, observations, int(str(run.as_of)[:4]))


@data_group.command("show")
@store_option
@click.option("--geo", required=True, help="Province, region or VN (any spelling).")
@click.option("--indicator", help="Indicator code; a catalogue code includes its variants.")
@format_option
@click.pass_context
def data_show_cmd(ctx, geo, indicator, fmt) -> None:
    """Show the stored observations with source, definition, quality and whether the analysis uses them.

    Example:

        forecast data show --geo "Hà Nam" --indicator life_expectancy
    """
    from forecast.data.show import show_observations

    _echo_frame(show_observations(ctx.obj["store"], geo, indicator), fmt)


@data_group.command("status")
@store_option
@click.option("--geo", help="Province, region or VN (any spelling).")
@click.option("--indicator", help="Indicator code; catalogue codes include their variants.")
@targets_option
@click.pass_context
def data_status_cmd(ctx, geo, indicator, targets_path) -> None:
    """Show which series the store holds, and outcome targets without a provincial series.

    Targets count as the assessment counts them: a region's series is a labelled proxy;
    national data and data of a merged 2025 province never stand in for a province.

    Example:

        forecast data status --geo "Hà Nam"
    """
    from forecast.assess.coverage import status

    cover, missing = status(ctx.obj["store"], geo, indicator, targets_path)
    _echo_frame(cover, "table")
    if missing is None:
        click.echo("\nNo target registry found: targets not checked.")
    elif len(missing):
        click.echo(
            "\nOutcome targets without a series of their own province (coverage: none, or a regional proxy):"
        )
        _echo_frame(missing, "table")
    else:
        click.echo("\nEvery outcome target has a series of its own province.")


# --- engine commands (run, backtest, evaluate) --------------------------------------------------


class _EchoWarnings(logging.Handler):
    """Show the library's warnings to the user once, on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"warning: {record.getMessage()}", err=True)


class _warnings_to_stderr:
    """Context manager: route ``forecast`` warnings to the user while a command runs."""

    def __enter__(self):
        from forecast.log import logger

        self.handler, self.propagate = _EchoWarnings(logging.WARNING), logger.propagate
        logger.addHandler(self.handler)
        logger.propagate = False
        return self

    def __exit__(self, *exc):
        from forecast.log import logger

        logger.removeHandler(self.handler)
        logger.propagate = self.propagate


@cli.command("backtest")
@click.option(
    "--input",
    "input_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Tidy CSV: geo, indicator, year, value[, unit].",
)
@click.option("--origin", required=True, type=int, help="Last year the models may see, e.g. 2013.")
@click.option("--horizon", required=True, type=int, help="Years forecast after the origin, e.g. 5.")
@click.option(
    "--out", "out_path", required=True, type=click.Path(dir_okay=False), help="Output CSV of forecasts."
)
@click.option(
    "--models",
    default="ensemble",
    show_default=True,
    help="Comma-separated models: ensemble, naive, drift, aarr, trend, wtrend, ses, theta, "
    "dholt, pooled, ets (slow).",
)
@force_option
@click.pass_context
def backtest_cmd(ctx, input_path, origin, horizon, out_path, models, force) -> None:
    """Fit every series on years up to ORIGIN and forecast the next HORIZON years.

    Calibration and ensemble weights are learned only from years up to the origin.

    Example:

    \b
        forecast backtest --input series.csv --origin 2013 --horizon 5 --out bt.csv --models ensemble,naive,aarr
    """
    from forecast.engine.backtest import backtest, read_tidy, write_backtest

    _check_outputs(ctx, {"--out": out_path}, force, (input_path,))
    obs = read_tidy(input_path)
    with _warnings_to_stderr():
        out = backtest(obs, origin, horizon, models.split(","))
    write_backtest(out, out_path, force=force, keep=[input_path])
    click.echo(
        f"wrote {len(out)} rows ({out['geo'].nunique()} geos, "
        f"{out['indicator'].nunique()} indicators, {out['model'].nunique()} models) to {out_path}"
    )


@cli.command("evaluate")
@click.option(
    "--forecasts",
    "fc_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Forecasts CSV written by `forecast backtest`.",
)
@click.option(
    "--actuals",
    "act_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Tidy CSV of actual values (geo, indicator, year, value).",
)
@format_option
def evaluate_cmd(fc_path, act_path, fmt) -> None:
    """Score back-test forecasts: MASE, sMAPE, bias, 80%/95% coverage, pinball loss.

    One row per model and indicator, plus an "(all)" row per model.

    Example:

    \b
        forecast evaluate --forecasts bt.csv --actuals series.csv
    """
    from forecast.engine.backtest import BACKTEST_COLUMNS, evaluate, read_tidy

    scores = evaluate(read_tidy(fc_path, BACKTEST_COLUMNS), read_tidy(act_path))
    _echo_frame(scores.round(4) if fmt != "json" else scores, fmt)


@cli.command("run")
@store_option
@click.option("--as-of", "as_of", help="Quarter the run speaks for, e.g. 2026Q4 (default: this quarter).")
@click.option("--province", "provinces", multiple=True, help="Restrict to a province (repeatable).")
@targets_option
@click.option(
    "--out",
    "out_path",
    type=click.Path(dir_okay=False),
    help="Also write the assessment table (one row per outcome target) to this new CSV file.",
)
@click.option(
    "--scenario",
    "scenarios",
    multiple=True,
    help="Also write each target under a scenario: reference, rate=R (%/yr), national, best_decile (repeatable).",
)
@click.option(
    "--scenario-out",
    "scenario_out",
    type=click.Path(dir_okay=False),
    default=None,
    help="New CSV file for the scenarios (default: standard output, the summary then goes to stderr).",
)
@force_option
@click.pass_context
def run_cmd(
    ctx: click.Context, as_of, provinces, targets_path, out_path, scenarios, scenario_out, force
) -> None:
    """Forecast every series to 2035, assess every target and store the run.

    An empty store is first filled with the bundled public data. With --scenario, every
    target's value in its year under each scenario (and whether it is met) is written as CSV.

    Example:

        forecast run --as-of 2026Q4 --out assessments.csv

        forecast run --as-of 2026Q4 --scenario national --scenario rate=-3 --scenario-out what-if.csv
    """
    from forecast.assess.assessment import VERDICTS, export_assessments, write_new_csv
    from forecast.assess.runs import current_quarter
    from forecast.assess.scenarios import parse_scenario
    from forecast.data.store import quarantine_path
    from forecast.outputs import safe_cells
    from forecast.pipeline import check_scenarios, fill_empty_store, prepare_run, run_scenarios

    for name in scenarios:  # a bad name fails before the run, not after it
        parse_scenario(name)
    _check_outputs(ctx, {"--out": out_path, "--scenario-out": scenario_out}, force, (targets_path,))
    to_err = bool(scenarios) and not scenario_out
    loaded = fill_empty_store(ctx.obj["store"])
    if loaded.get("files"):
        click.echo(
            f"The store was empty: imported the bundled public data ({', '.join(loaded['files'])}): "
            f"{loaded['imported']} rows, {loaded['quarantined']} quarantined "
            f"(see {quarantine_path(ctx.obj['store'])}).",
            err=to_err,
        )
    check_scenarios(scenarios, ctx.obj["store"])  # a rate no series has shown fails before the run
    run = prepare_run(
        as_of or current_quarter(), ctx.obj["store"], provinces=provinces or None, targets=targets_path
    )
    run_id = run.run_id
    counts = run.assessments["verdict"].value_counts()
    to_err = bool(scenarios) and not scenario_out
    click.echo(
        f"run {run_id}: {run.forecasts.groupby(['geo', 'indicator']).ngroups} series "
        f"forecast, {len(run.assessments)} targets assessed",
        err=to_err,
    )
    for verdict in VERDICTS:
        if counts.get(verdict):
            click.echo(f"  {verdict}: {counts[verdict]}", err=to_err)
    if out_path:
        rows = export_assessments(run.assessments, out_path, force=force)
        click.echo(f"assessment table: {out_path} ({rows} rows)", err=to_err)
    if scenarios:
        table = run_scenarios(run, ctx.obj["store"], list(scenarios))
        if scenario_out:
            click.echo(f"scenarios: {write_new_csv(table, scenario_out, force=force)} rows in {scenario_out}")
        else:
            click.echo(safe_cells(table).to_csv(index=False), nl=False)


@cli.command("suggest")
@store_option
@click.option("--province", required=True, help='Province, old or merged ("Ninh Bình (mới)"), any spelling.')
@click.option("--year", type=int, default=2030, show_default=True, help="Year of the next plan's targets.")
@format_option
@click.pass_context
def suggest_cmd(ctx: click.Context, province, year, fmt) -> None:
    """Targets for the next plan: the value reached by YEAR with probability 50, 80 and 90 %.

    One row per indicator with a series (the province's own, else its region's or the nation's,
    column basis), in the indicator's unit, with the annual rate each value implies and the
    national target.

    Example:

        forecast suggest --province "Ninh Bình (mới)" --year 2030 --format csv
    """
    from forecast.pipeline import suggest

    out = suggest(province, year, ctx.obj["store"])
    _echo_frame(out.round(3) if fmt != "json" else out, fmt)


# --- report command -----------------------------------------------------------------------------


@cli.command("report")
@store_option
@click.option("--quarter", default=None, help="Reporting quarter, e.g. 2026Q4 (default: the --run-id's).")
@click.option("--run-id", "run_id", default=None, help="Republish this stored run without recomputing.")
@click.option(
    "--replace",
    is_flag=True,
    help="Publish over an already published quarter; the old one is kept under <quarter>/archive/<run_id>/.",
)
@click.option(
    "--province",
    "provinces",
    multiple=True,
    help="Province to report (repeatable; default: the seed-plan provinces).",
)
@click.option(
    "--all",
    "all_",
    is_flag=True,
    help="Every province of --scope that has data or a plan, not just the seed plans.",
)
@click.option(
    "--scope",
    type=click.Choice(["old", "merged", "both"]),
    default=None,
    help="With --all: the 63 provinces until mid-2025 (old), the 34 since (merged), or both (default).",
)
@click.option(
    "--scheduler",
    default=None,
    envvar="FORECAST_SCHEDULER",
    help="Run the notebooks on a Dask cluster: tcp://HOST:8786, or `local` for a LocalCluster "
    "(env FORECAST_SCHEDULER; default: local worker processes).",
)
@click.option(
    "--scheduler-timeout",
    "scheduler_timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    envvar="FORECAST_SCHEDULER_TIMEOUT",
    help="Seconds a --scheduler has to answer Dask's handshake before the command gives up.",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes, of the pool or of --scheduler local (default: one per core).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    help="Reports folder (default reports/); the quarter goes in <out>/<quarter>/.",
)
@click.option(
    "--lang",
    type=click.Choice(list(catalogue_langs())),
    default="vi",
    show_default=True,
    help="Language of the briefs (one per catalogue in src/forecast/report/pages/locale/).",
)
@click.pass_context
def report_cmd(
    ctx, quarter, run_id, replace, provinces, all_, scope, scheduler, scheduler_timeout, jobs, out, lang
) -> None:
    """Run the quarter's forecasts and publish every brief, deep dive and the index as HTML.

    One failing notebook does not stop the others: the index lists it and the exit code is 1.
    Forecasting runs once, here; only the notebooks go to the workers. A published quarter is
    never replaced silently: without --replace the command refuses.

    Example:

        forecast report --quarter 2026Q4 --province "Hà Nam" --jobs 2

        forecast report --quarter 2026Q4 --all --scope merged

        forecast report --quarter 2026Q4 --all --scheduler tcp://10.0.0.5:8786

        forecast report --run-id 2026Q4-1a2b3c4d --replace
    """
    from tqdm import tqdm

    from forecast.data.store import ensure_default_data, quarantine_path
    from forecast.errors import ReportError
    from forecast.pipeline import run_report
    from forecast.report.publish.scheduler import check_scheduler

    if scope and not all_:
        raise click.UsageError(
            "--scope needs --all, e.g. `forecast report --quarter 2026Q4 --all --scope old`"
        )
    if all_ and provinces:
        raise click.UsageError("--all and --province exclude each other: drop one of them")
    if not quarter and not run_id:
        raise ReportError("give the quarter to report (--quarter 2026Q4) or a stored run (--run-id ID)")
    check_scheduler(scheduler, scheduler_timeout)  # a bad address fails before any import or forecast
    loaded = ensure_default_data(ctx.obj["store"])
    if loaded["files"]:
        click.echo(
            f"The store was empty: imported the bundled public data ({', '.join(loaded['files'])}): "
            f"{loaded['imported']} rows, {loaded['quarantined']} quarantined "
            f"(see {quarantine_path(ctx.obj['store'])})."
        )
    with (
        _stop_on_sigterm(),
        tqdm(desc=f"report {quarter or run_id}", unit="nb", file=sys.stderr, dynamic_ncols=True) as bar,
    ):
        result = run_report(
            quarter,
            provinces=list(provinces) or None,
            scope=(scope or "both") if all_ else None,
            scheduler=scheduler,
            scheduler_timeout=scheduler_timeout,
            jobs=jobs,
            out=out,
            store=ctx.obj["store"],
            lang=lang,
            progress=bar,
            run_id=run_id,
            replace=replace,
        )
    click.echo(f"Report: {result.index}")
    if result.failures:
        names = ", ".join(r.job.html for r in result.failures[:3])
        raise ReportError(
            f"{len(result.failures)} of {len(result.results)} notebooks failed "
            f"({names}); errors and saved notebooks are listed in {result.index}"
        )


class _stop_on_sigterm:
    """Context manager: SIGTERM ends the worker pool and unwinds like Ctrl-C (nothing published).

    The workers are terminated first (they end their notebook kernels), then ``SystemExit(143)``
    unwinds the run, which deletes its work folder and leaves ``--out`` as it was.
    """

    def __enter__(self):
        self.previous = signal.getsignal(signal.SIGTERM)
        with contextlib.suppress(ValueError):  # not the main thread: leave signals alone
            signal.signal(signal.SIGTERM, self.stop)
        return self

    @staticmethod
    def stop(signum: int, _frame) -> None:
        import multiprocessing

        for child in multiprocessing.active_children():
            child.terminate()
        click.echo("\nforecast: stopped by SIGTERM; nothing was published, --out is unchanged", err=True)
        raise SystemExit(128 + signum)

    def __exit__(self, *exc):
        with contextlib.suppress(ValueError, TypeError):
            signal.signal(signal.SIGTERM, self.previous)


def main() -> None:
    """Entry point of the ``forecast`` console script."""
    cli(prog_name="forecast")
