"""The run's page frames: saved once per run, read by province, and the pages' numbers unchanged.

The golden comparison: every brief and deep dive of the default run, built from the frames a
notebook loads now (:func:`forecast.assess.slices.load_page`) and from what each notebook read
before (the stored run and ``merged.with_merged(store.analysis_series(store))``), shows the same
scorecards, headlines, sentences, charts' data, model tables, back-tests and scenarios.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from forecast import config, pipeline
from forecast.assess import runs, scenarios, slices
from forecast.data import merged
from forecast.data import store as store_db
from forecast.engine import backtest
from forecast.errors import MissingDataError, ValidationError
from forecast.registry.targets import load_targets
from forecast.report.pages import views
from forecast.report.publish import downloads

NOTEBOOKS = sorted(config.NOTEBOOKS_DIR.glob("*.ipynb"))


@pytest.fixture(scope="module")
def default(default_run):
    """The session's default run (tests/conftest.py): its store, the run and the brief provinces."""
    run, _, store = default_run
    return SimpleNamespace(store=str(store), run=run, provinces=pipeline.default_provinces())


@pytest.fixture(scope="module")
def before(default):
    """What every notebook read before the run saved its frames: the whole store, rebuilt per page."""
    store = default.store
    return {
        "observations": merged.with_merged(store_db.analysis_series(store)),
        "breaks": store_db.series_breaks(store),
        "national": store_db.analysis_series(store, geo="VN"),
    }


def _csv(assessments: pd.DataFrame) -> str:
    buf = io.StringIO()
    downloads.scorecard_table(assessments, "vi").to_csv(buf, index=False)
    return buf.getvalue()


def test_no_notebook_reads_the_store_series_or_rebuilds_merged_provinces():
    assert NOTEBOOKS
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        for call in ("analysis_series", "with_merged", "series_breaks", "load_observations"):
            assert call not in code, f"{path.name} calls {call}: read the run's frames (slices.load_page)"
        assert "slices.load_page(" in code, path.name


def test_the_run_saves_its_frames_beside_the_store(default):
    folder = slices.frames_dir(default.store, default.run.run_id)
    names = {p.stem for p in folder.glob("*.parquet")}
    assert names == {"observations", "breaks", *slices.RUN_FRAMES, *slices.SHOWN_FRAMES}
    meta = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert meta["run_id"] == default.run.run_id and meta["as_of"] == "2026Q4"


def test_the_frames_carry_every_column_of_the_run(default):
    page = slices.load_page(default.store, default.run.run_id, "Hà Nam")
    assert set(default.run.assessments.columns) <= set(page.run.assessments.columns)
    assert set(default.run.forecasts.columns) <= set(page.run.forecasts.columns)


def test_every_brief_shows_the_same_numbers_as_before(default, before):
    """Scorecards, headline, sentences, suggestions and the fan charts' data, brief by brief (the
    frames, the same in both languages, compared once; the English scorecard and headline too)."""
    store, run_id, plan = default.store, default.run.run_id, load_targets()
    for province in default.provinces:
        page = slices.load_page(store, run_id, province)
        old_run = runs.load_run(store, run_id, province)
        a = views.province_view(old_run, before["observations"], plan, province)
        b = views.province_view(page.run, page.observations, plan, province)
        for frame in ("observations", "forecasts", "assessments"):
            pd.testing.assert_frame_equal(
                getattr(a, frame).reset_index(drop=True), getattr(b, frame).reset_index(drop=True)
            )
        _same_brief(a, b, "vi", before["breaks"], page.breaks, province)
        # the English page writes the same frames (compared above) in other words: its numbers once
        assert str(views.scorecard_section(a, "en")) == str(views.scorecard_section(b, "en")), province
        assert str(views.headline_section(a, "2026Q4", "en")) == str(
            views.headline_section(b, "2026Q4", "en")
        )
        assert _csv(a.assessments) == _csv(b.assessments)


def _same_brief(a, b, lang: str, old_breaks: pd.DataFrame, new_breaks: pd.DataFrame, province: str) -> None:
    assert str(views.scorecard_section(a, lang)) == str(views.scorecard_section(b, lang)), province
    assert str(views.headline_section(a, "2026Q4", lang)) == str(views.headline_section(b, "2026Q4", lang))
    assert str(views.suggestions_section(a, 2030, lang)) == str(views.suggestions_section(b, 2030, lang))
    assert views.what_it_takes(a.assessments, lang) == views.what_it_takes(b.assessments, lang)
    old_caveats = views.caveats(a.plan, a.assessments, lang, old_breaks)
    assert old_caveats == views.caveats(b.plan, b.assessments, lang, new_breaks), province
    old_panels, new_panels = views.fan_panels(a, lang), views.fan_panels(b, lang)
    for p, q in zip(old_panels, new_panels, strict=True):  # the charts draw the same points
        assert p.title == q.title and p.caption == q.caption
        for frame in ("observations", "forecasts", "anchors", "context"):
            pd.testing.assert_frame_equal(
                getattr(p, frame).reset_index(drop=True), getattr(q, frame).reset_index(drop=True)
            )
    if old_panels:  # the brief's downloads: its scorecard and its charts' series
        tables = downloads.series_table(old_panels), downloads.series_table(new_panels)
        pd.testing.assert_frame_equal(*tables)


def test_the_assessments_csv_is_the_same_as_before(default):
    store, run_id = default.store, default.run.run_id
    page = slices.load_page(store, run_id, "Hà Nam")
    assert _csv(runs.load_run(store, run_id).assessments) == _csv(page.run.assessments)


def _every_indicator_and_province(pairs: pd.DataFrame) -> list[tuple[str, str]]:
    """Deep dives covering every indicator and every province at least once (each indicator's
    rows where most provinces have it): a page's numbers come from one code path per indicator."""
    chosen: list[tuple[str, str]] = []
    seen: set[str] = set()
    for province, indicator in pairs.itertuples(index=False):
        if indicator not in seen or province not in seen:
            chosen.append((province, indicator))
            seen |= {province, indicator}
    return chosen


def test_deep_dives_show_the_same_numbers_as_before(default, before):
    """Series, model forecasts, back-tests and the scenario table of the deep dives of every
    indicator and every province (a third of the 67 pages: each page is one indicator's code)."""
    store, run = default.store, default.run
    a = run.assessments
    pairs = a.loc[a["latest_value"].notna() & (a["verdict"] != "no_data"), ["province", "indicator"]]
    pairs = pairs.drop_duplicates()
    chosen = _every_indicator_and_province(pairs)
    assert len(pairs) >= 20 and {i for _, i in chosen} == set(pairs["indicator"])
    assert {p for p, _ in chosen} == set(pairs["province"])
    old_runs: dict[str, tuple] = {}  # what a notebook read before, once per province (not per page)
    scored = 0
    for province, indicator in chosen:
        page = slices.load_page(store, run.run_id, province, indicator=indicator)
        if province not in old_runs:
            old_run = runs.load_run(store, run.run_id, province)
            old_runs[province] = (
                old_run,
                views.province_view(old_run, before["observations"], None, province),
            )
        old_run, old_view = old_runs[province]
        old = views.deep_dive_view(old_view, indicator)
        new = views.deep_dive_view(
            views.province_view(page.run, page.observations, None, province), indicator
        )
        assert (old.series, old.geo, old.origin) == (new.series, new.geo, new.origin)
        pd.testing.assert_frame_equal(old.observations, new.observations)
        pd.testing.assert_frame_equal(old.targets, new.targets)
        old_detail = runs.load_series_detail(store, run.run_id, old.geo, old.series)
        detail = page.detail(new.geo, new.series)
        for name, frame in old_detail.items():
            pd.testing.assert_frame_equal(frame, detail[name][frame.columns], obj=name)
        # the series' scores the run saved: what the page computed before from its back-test
        scores = _series_scores(old_detail["backtests"], old.observations)
        if len(scores) or len(detail["series_scores"]):  # none: the page says there is no back-test
            pd.testing.assert_frame_equal(scores, detail["series_scores"], obj="scores")
            scored += 1
        names = ["reference", "rate=-3.0", "national", "best_decile"]
        year = int(run.as_of[:4])
        computed = scenarios.scenario_table(
            before["observations"], old_run.forecasts, old.targets, names, as_of_year=year
        )
        pd.testing.assert_frame_equal(
            computed, page.scenario_table(new.targets, names), obj=f"{province} {indicator}"
        )
        assert len(computed) == len(names) * (new.targets["series"].fillna("") != "").sum()
    assert scored >= len(chosen) // 2  # most deep dives show their series' own back-test


def _series_scores(backtests: pd.DataFrame, observations: pd.DataFrame) -> pd.DataFrame:
    """A series' back-test scores as a deep dive computed them before the run saved them."""
    try:
        scores = backtest.evaluate(backtests, observations)
    except ValidationError:  # no observation in the held-out years
        return pd.DataFrame()
    return scores[scores["indicator"] != "(all)"].round(3).reset_index(drop=True)


def test_a_rate_the_run_did_not_save_is_computed_from_the_page(default):
    """The deep dive's reader changes ``rate``: that scenario comes from the page's frames, the others
    from the run, and the table is what :func:`scenarios.scenario_table` gives for them all."""
    run = default.run
    a = run.assessments
    province, indicator = a.loc[
        (a["series"].fillna("") != "") & (a["province"] == "Hà Nam"), ["province", "indicator"]
    ].iloc[0]
    page = slices.load_page(default.store, run.run_id, province, indicator=indicator)
    targets = views.deep_dive_view(
        views.province_view(page.run, page.observations, None, province), indicator
    ).targets
    names = ["national", "rate=-1.5", "reference"]
    table = page.scenario_table(targets, names)
    year = int(run.as_of[:4])
    expected = scenarios.scenario_table(
        page.observations, page.run.forecasts, targets, names, as_of_year=year
    )
    pd.testing.assert_frame_equal(expected, table)
    assert list(dict.fromkeys(table["scenario"])) == ["national", "rate", "reference"]


def test_the_overview_reads_the_national_series(default, before):
    page = slices.load_page(default.store, default.run.run_id, geos=["VN"])
    # drawn only (never shown as a table): the row labels are those of the whole frame
    national = page.observations.reset_index(drop=True)
    pd.testing.assert_frame_equal(national, before["national"], check_dtype=False)  # import_id: int or text
    assert set(page.run.forecasts["geo"]) == set(before["national"]["geo"])


def test_a_province_page_reads_a_slice_in_milliseconds(default):
    page = slices.load_page(default.store, default.run.run_id, "Hà Nam")
    every = slices.load_page(default.store, default.run.run_id, "Hà Nam", every_geo=True)
    assert 0 < len(page.observations) < len(every.observations) / 5
    assert page.seconds < 2.0  # ~0.05 s on an idle machine; generous for a loaded CI


def test_without_run_id_the_latest_run_covering_the_province_is_read(default):
    page = slices.load_page(default.store, None, "Hà Nam")
    assert page.run.run_id == default.run.run_id


def test_a_missing_run_is_one_clear_error(default):
    with pytest.raises(MissingDataError, match="no run 'nope'"):
        slices.load_page(default.store, "nope", "Hà Nam")


def test_mixed_columns_come_back_value_for_value(tmp_path):
    note = pd.Series(["a", float("nan"), "b"], dtype=object)  # text as the store's frames hold it
    frame = pd.DataFrame({"import_id": [3, "crosswalk", 7], "note": note, "v": [1.0, 2.0, 3.0]})
    stored, kinds = slices._columnar(frame)
    stored.to_parquet(tmp_path / "f.parquet", index=False)
    back = slices._restore(pd.read_parquet(tmp_path / "f.parquet"), kinds)
    assert list(back["import_id"]) == [3, "crosswalk", 7] and back["note"].dtype == object
    pd.testing.assert_frame_equal(back, frame)


def test_a_column_without_values_is_read_back_through_a_filter_by_text(tmp_path):
    # no break found: pandas 2 wrote the empty text columns as Arrow's null type, and a page's
    # filter by geo failed ("null vs string") in every notebook; pandas 3 writes text
    frame = pd.DataFrame({"geo": pd.Series([], dtype=object), "note": pd.Series([], dtype=object)})
    stored, kinds = slices._columnar(frame)
    stored.to_parquet(tmp_path / "f.parquet", index=True)
    read = pd.read_parquet(tmp_path / "f.parquet", filters=[("geo", "in", ["Hà Nam"])])
    back = slices._restore(read, kinds)
    assert (
        back.empty
        and list(back.columns) == ["geo", "note"]
        and all(map(pd.api.types.is_object_dtype, back.dtypes))
    )
    partly = pd.DataFrame({"geo": ["Hà Nam", "Lào Cai"], "note": pd.Series([None, None], dtype=object)})
    stored, kinds = slices._columnar(partly)
    stored.to_parquet(tmp_path / "g.parquet", index=True)
    back = slices._restore(pd.read_parquet(tmp_path / "g.parquet", filters=[("geo", "==", "Hà Nam")]), kinds)
    assert back["geo"].tolist() == ["Hà Nam"] and back["note"].isna().all()


def test_a_copy_of_the_store_reads_the_frames_of_the_original(default, tmp_path):
    copy = tmp_path / "copy.duckdb"
    slices.link_frames(default.store, copy)
    assert slices.frames_dir(copy, default.run.run_id).is_dir()
    assert Path(f"{copy}.runs").resolve() == Path(f"{default.store}.runs").resolve()


def test_the_saved_rate_is_the_deep_dives_default():
    """The run saves the scenarios of the deep dive's default ``rate``: a report's pages compute none."""
    import nbformat

    nb = nbformat.read(config.NOTEBOOKS_DIR / "indicator.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    ns: dict = {}
    exec(cell.source, ns)  # the parameters cell: literals only
    assert f"rate={ns['rate']}" in [f"rate={scenarios.parse_scenario(n)[1]}" for n in slices.SAVED_SCENARIOS]
