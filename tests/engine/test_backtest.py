"""Back-test and evaluate: the external contract, no peeking, and a CLI round trip."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from forecast.cli import cli
from forecast.engine.backtest import (
    BACKTEST_COLUMNS,
    SCORE_COLUMNS,
    SERIES_BACKTEST_COLUMNS,
    backtest,
    backtest_series,
    evaluate,
    evaluate_series,
)
from forecast.errors import ValidationError


@pytest.fixture
def tidy(rng) -> pd.DataFrame:
    years = np.arange(2004, 2020)
    rows = []
    for i in range(6):
        imr = 30 * np.exp(-0.04 * (years - 2004) + rng.normal(0, 0.03, len(years)))
        growth = 1.1 - 0.02 * (years - 2004) + rng.normal(0, 0.1, len(years))
        rows += [
            pd.DataFrame({"geo": f"P{i}", "indicator": "imr_gso", "year": years, "value": imr}),
            pd.DataFrame({"geo": f"P{i}", "indicator": "pop_growth", "year": years, "value": growth}),
        ]
    return pd.concat(rows, ignore_index=True).assign(unit="")


def test_backtest_contract(tidy):
    out = backtest(tidy, 2015, 3, ["ensemble", "naive", "aarr"])
    assert list(out.columns) == BACKTEST_COLUMNS
    assert sorted(out["year"].unique()) == [2016, 2017, 2018]
    assert len(out) == 6 * 2 * 3 * 3


def test_backtest_does_not_peek(tidy):
    later = tidy["year"] > 2015
    changed = tidy.assign(value=np.where(later, tidy["value"] * 5, tidy["value"]))
    pd.testing.assert_frame_equal(
        backtest(tidy, 2015, 3, ["ensemble"]), backtest(changed, 2015, 3, ["ensemble"])
    )


def test_evaluate_perfect_and_known_errors():
    actuals = pd.DataFrame(
        {
            "geo": "A",
            "indicator": "imr",
            "year": [2000, 2001, 2002, 2003, 2004],
            "value": [10.0, 12.0, 14.0, 16.0, 18.0],
        }
    )
    fc = pd.DataFrame(
        {"geo": "A", "indicator": "imr", "model": "m", "year": [2003, 2004], "mean": [15.0, 18.0]}
    )
    for c, d in zip(
        ["q025", "q05", "q10", "q25", "q50", "q75", "q90", "q95", "q975"], [-4, -3, -2, -1, 0, 1, 2, 3, 4]
    ):
        fc[c] = fc["mean"] + d * 0.4
    res = evaluate(fc, actuals).set_index("indicator")
    row = res.loc["imr"]
    assert row["mase"] == pytest.approx(0.5 / 2)  # errors 1 and 0, scale = 2
    assert row["bias"] == pytest.approx(-0.25)
    assert row["coverage80"] == 0.5 and row["coverage95"] == 1.0
    assert res.loc["(all)", "n"] == 2


def test_evaluate_series_scores_each_series_as_if_alone(tidy):
    out = backtest(tidy, 2015, 3, ["naive", "aarr"])
    every = evaluate_series(out, tidy)
    assert len(every) == 6 * 2 * 2 and set(every["n_series"]) == {1}
    for (g, ind), rows in every.groupby(["geo", "indicator"]):
        mine = (out["geo"] == g) & (out["indicator"] == ind)
        alone = evaluate(out[mine], tidy[(tidy["geo"] == g) & (tidy["indicator"] == ind)])
        alone = alone[alone["indicator"] != "(all)"].reset_index(drop=True)
        pd.testing.assert_frame_equal(alone, rows.drop(columns="geo").reset_index(drop=True))


def test_evaluate_series_without_an_actual_is_empty(tidy):
    out = backtest(tidy, 2015, 3, ["naive"])
    assert evaluate_series(out, tidy[tidy["year"] <= 2015]).empty


def test_evaluate_needs_overlap(tidy):
    fc = backtest(tidy, 2015, 2, ["naive"]).assign(year=lambda d: d["year"] + 50)
    with pytest.raises(ValidationError, match="actual"):
        evaluate(fc, tidy)


def test_cli_round_trip(tidy, tmp_path):
    src, out = tmp_path / "series.csv", tmp_path / "bt.csv"
    tidy.to_csv(src, index=False)
    runner = CliRunner()
    res = runner.invoke(
        cli,
        [
            "backtest",
            "--input",
            str(src),
            "--origin",
            "2014",
            "--horizon",
            "4",
            "--out",
            str(out),
            "--models",
            "ensemble,naive,drift",
        ],
    )
    assert res.exit_code == 0, res.output
    assert "pop_growth" in res.output  # the unknown-indicator warning reaches the user
    bt = pd.read_csv(out)
    assert list(bt.columns) == BACKTEST_COLUMNS and set(bt["year"]) == {2015, 2016, 2017, 2018}
    res = runner.invoke(cli, ["evaluate", "--forecasts", str(out), "--actuals", str(src), "--format", "csv"])
    assert res.exit_code == 0, res.output
    scores = pd.read_csv(pd.io.common.StringIO(res.output))
    assert set(scores["model"]) == {"ensemble", "naive", "drift"}
    assert {"mase", "smape", "bias", "coverage80", "coverage95", "pinball"} <= set(scores.columns)
    assert (scores["indicator"] == "(all)").sum() == 3


def test_cli_bad_model_is_one_line(tidy, tmp_path):
    src = tmp_path / "series.csv"
    tidy.to_csv(src, index=False)
    res = CliRunner().invoke(
        cli,
        [
            "backtest",
            "--input",
            str(src),
            "--origin",
            "2014",
            "--horizon",
            "2",
            "--out",
            str(tmp_path / "x.csv"),
            "--models",
            "arima",
        ],
    )
    assert res.exit_code == 1 and "arima" in res.output and "Traceback" not in res.output


def test_backtest_series_from_each_series_own_origin(tidy):
    short = tidy[~((tidy["geo"] == "P1") & (tidy["year"] > 2016))]  # P1 ends three years earlier
    keys = pd.DataFrame({"geo": ["P0", "P1"], "indicator": ["imr_gso", "imr_gso"]})
    rows, scores = backtest_series(short, keys, horizon=3, models=["naive", "ensemble"])
    assert list(rows.columns) == SERIES_BACKTEST_COLUMNS and list(scores.columns) == SCORE_COLUMNS
    origins = rows.groupby("geo")["origin"].first().to_dict()
    assert origins == {"P0": 2016, "P1": 2013} and set(rows["indicator"]) == {"imr_gso"}
    assert len(rows) == 2 * 2 * 3  # two series, two models, three years
    panel = scores[(scores["origin"] == 2016) & (scores["indicator"] == "imr_gso")]
    assert set(panel["model"]) == {"naive", "ensemble"} and set(panel["n_series"]) == {5}  # P1 ends early
