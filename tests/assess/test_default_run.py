"""The default run on the bundled data: request-independent, plausible intervals, sensible medians."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from forecast import pipeline
from forecast.engine import transforms


@pytest.fixture(scope="module")
def runs(tmp_path_factory, default_run):
    """The session's full default run, a run of Lào Cai alone (on a copy of its store: the
    session's store is never written) and the store's observations."""
    full, _, stored = default_run
    store = tmp_path_factory.mktemp("store") / "store.duckdb"
    shutil.copyfile(stored, store)
    one = pipeline.prepare_run("2026Q4", store, provinces=["Lào Cai"])
    obs = pipeline.load_observations(store)
    return full, one, obs


def _key(df: pd.DataFrame, cols) -> pd.DataFrame:
    return df.sort_values(cols).reset_index(drop=True)


def test_one_province_run_equals_the_full_run_for_that_province(runs):
    full, one, _ = runs
    a = one.assessments.drop(columns="run_id")
    b = full.assessments[full.assessments["province"] == "Lào Cai"].drop(columns="run_id")
    key = ["plan_id", "indicator", "year"]
    assert len(a) and len(a) == len(b)
    pd.testing.assert_frame_equal(_key(a, key), _key(b, key))
    geos = set(one.forecasts["geo"])
    f_full = full.forecasts[full.forecasts["geo"].isin(geos)].drop(columns="run_id")
    key = ["geo", "indicator", "model", "year"]
    pd.testing.assert_frame_equal(_key(one.forecasts.drop(columns="run_id"), key), _key(f_full, key))


def _ensemble(run) -> pd.DataFrame:
    f = run.forecasts[(run.forecasts["model"] == "ensemble") & (run.forecasts["status"] == "ok")]
    kinds = {c: transforms.for_indicator(c).kind for c in f["indicator"].unique()}
    return f.assign(kind=f["indicator"].map(kinds))


def test_80pc_interval_of_a_positive_rate_is_at_most_a_factor_four(runs):
    f = _ensemble(runs[0])
    f = f[(f["kind"] == "log") & (f["q10"] > 0)]
    ratio = f["q90"] / f["q10"]
    worst = f.loc[ratio.idxmax(), ["geo", "indicator", "year", "q10", "q90"]].to_dict()
    assert ratio.max() <= 4.0, worst


def test_a_high_coverage_never_gets_a_95pc_lower_bound_under_50(runs):
    full, _, obs = runs
    f = _ensemble(full)
    f = f[f["kind"] == "logit"]
    last = obs.sort_values("year").groupby(["geo", "indicator"])["value"].last().rename("last")
    f = f.join(last, on=["geo", "indicator"])
    bad = f[(f["last"] > 85) & (f["q025"] < 50)]
    assert bad.empty, bad[["geo", "indicator", "year", "last", "q025"]].head().to_string()


def test_a_growing_series_median_does_not_fall_without_a_stated_reason(runs):
    full, _, obs = runs
    f = _ensemble(full)
    o = obs.sort_values("year")
    bad = []
    for (geo, ind), s in o.groupby(["geo", "indicator"]):
        v = s["value"].to_numpy(float)
        if len(v) < 5 or not (np.diff(v[-5:]) > 0).all():
            continue
        path = f[(f["geo"] == geo) & (f["indicator"] == ind)]
        fell = path[(path["q50"] < v[-1] * 0.999) & (path["reason"] == "")]
        if len(fell):
            bad.append((geo, ind, v[-1], float(fell["q50"].min())))
    assert not bad, bad[:5]
