"""The ``forecast`` command: one verb per job, each calling one library function.

Only this module talks to the user and turns :class:`~forecast.errors.ForecastError` into an
exit code (1) with a one-line message, never a traceback.
"""
from __future__ import annotations

import logging
import sys

import click

from . import config
from .errors import ForecastError


class _Group(click.Group):
    """A click group that turns the workbench's own errors into one-line messages."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ForecastError as e:
            raise click.ClickException(str(e)) from e


def _echo_frame(df, fmt: str) -> None:
    if fmt == "csv":
        click.echo(df.to_csv(index=False), nl=False)
    elif fmt == "json":
        click.echo(df.to_json(orient="records", force_ascii=False, indent=1))
    else:
        import pandas as pd

        with pd.option_context("display.max_rows", None, "display.max_columns", None,
                               "display.width", 200, "display.max_colwidth", 60):
            click.echo(df.to_string(index=False) if len(df) else "(no rows)")


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--store", type=click.Path(dir_okay=False), default=None, envvar="FORECAST_STORE",
              help="Store file (default data/workbench.duckdb; env FORECAST_STORE).")
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr.")
@click.version_option(package_name="forecast-workbench")
@click.pass_context
def cli(ctx: click.Context, store: str | None, verbose: bool) -> None:
    """Forecast Vietnamese provincial health-plan targets and assess their attainment.

    Example:

        forecast targets --province "Hà Nam" --year 2025
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, stream=sys.stderr,
                        format="%(levelname)s %(name)s: %(message)s")
    ctx.obj = {"store": str(config.store_path(store))}


@cli.command("targets")
@click.option("--province", help="Province as named in its plan (any spelling).")
@click.option("--year", type=int, help="Target year, e.g. 2025.")
@click.option("--indicator", help="Indicator code, e.g. life_expectancy.")
@click.option("--kind", type=click.Choice(["outcome", "milestone", "activity", "qualitative"]))
@click.option("--summary", is_flag=True, help="Count targets per plan, year and kind instead.")
@click.option("--file", "path", type=click.Path(dir_okay=False), help="Registry CSV (default data/targets.csv).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table")
def targets_cmd(province, year, indicator, kind, summary, path, fmt) -> None:
    """List the plan targets in the registry.

    Example:

        forecast targets --province "Ha Nam" --year 2025 --format csv
    """
    from .targets import load_targets, select_targets, summarize_targets

    df = select_targets(load_targets(path), province, year, indicator, kind)
    if summary:
        df = summarize_targets(df)
    elif fmt == "table":
        df = df[["plan_id", "province", "indicator", "year", "comparator", "value", "value_high",
                 "unit", "kind"]]
    _echo_frame(df, fmt)


# --- data commands (import, fetch, status): see forecast.data / forecast.store -------------------

# --- engine commands (run, backtest, evaluate) --------------------------------------------------

# --- report command -----------------------------------------------------------------------------


def main() -> None:
    """Entry point of the ``forecast`` console script."""
    cli(prog_name="forecast")
