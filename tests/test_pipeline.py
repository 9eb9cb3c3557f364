"""The default run on the real files (issue 11's acceptance): suggest agrees with the run, the
borrowed bases are labelled, the merged provinces have their briefs, every brief has a figure."""

from __future__ import annotations

import io
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from builds import bundled_store_copy
from forecast import config, pipeline
from forecast.assess import suggest
from forecast.data import readers
from forecast.engine import transforms
from forecast.registry import indicators
from forecast.registry.targets import load_targets
from forecast.report.pages import text, views

PROVINCES = ("Hà Nam", "Ninh Bình (mới)")  # an old province and the merged one containing it
COLUMNS = ["p50", "p80", "p90"]


@pytest.fixture(scope="module")
def default(tmp_path_factory, default_run):
    """Suggestions before any run (a fresh store, forecast in memory), the session's default run
    (tests/conftest.py) and the suggestions read from it."""
    run, observations, stored = default_run
    fresh = str(bundled_store_copy(tmp_path_factory))  # the bundled data, no run yet
    before = {p: pipeline.suggest(p, 2030, fresh) for p in PROVINCES}
    store = str(stored)
    after = {p: pipeline.suggest(p, 2030, store) for p in PROVINCES}
    return SimpleNamespace(store=store, run=run, before=before, after=after, observations=observations)


def _key(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values("indicator").reset_index(drop=True)


@pytest.mark.parametrize("province", PROVINCES)
def test_suggest_without_a_run_equals_suggest_from_the_run(default, province):
    before, after = _key(default.before[province]), _key(default.after[province])
    assert len(before) >= 5 and list(before["indicator"]) == list(after["indicator"])
    assert list(before["basis"]) == list(after["basis"]) and list(before["geo"]) == list(after["geo"])
    np.testing.assert_allclose(before[COLUMNS].to_numpy(), after[COLUMNS].to_numpy(), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("province", PROVINCES)
def test_suggest_is_the_runs_forecast_quantiles_in_the_right_order(default, province):
    out = default.after[province]
    assert set(out["direction"]) == {"higher", "lower"}  # both orders are checked
    fc = default.run.forecasts
    fc = fc[(fc["model"] == "ensemble") & (fc["year"] == 2030)].set_index(["geo", "indicator"])
    checked = 0
    for r in out.to_dict("records"):
        p50, p80, p90 = (r[c] for c in COLUMNS)
        if r["direction"] == "higher":
            assert p50 >= p80 >= p90, r  # 90 % sure of the least ambitious value: the lowest
        else:
            assert p50 <= p80 <= p90, r
        a = default.run.assessments
        unshifted = a[(a["geo"] == r["geo"]) & (a["series"] == r["series"]) & a["gap"].notna()].empty
        if r["basis"] != "own" or not unshifted or (r["geo"], r["series"]) not in fc.index:
            continue  # a shifted borrowed series: checked against the assessment below
        q = fc.loc[(r["geo"], r["series"]), list(config.QUANTILE_COLUMNS)].to_numpy(float)
        tr = transforms.for_indicator(r["indicator"])
        for c, p in zip(COLUMNS, suggest.PROBABILITIES, strict=True):
            assert r[c] == pytest.approx(suggest.value_reached(q, p, r["direction"], tr), rel=1e-9)
        assert r["p50"] == pytest.approx(fc.loc[(r["geo"], r["series"]), "q50"], rel=1e-9)
        checked += 1
    assert checked >= 1 or province == "Ninh Bình (mới)"
    # the run's own 2030 assessments of the same series give the same median and 10/90 % values
    a = default.run.assessments
    a = a[(a["province"] == province) & (a["year"] == 2030) & (a["series"] != "")]
    for t in a.to_dict("records"):
        row = out[(out["indicator"] == t["indicator"]) & (out["series"] == t["series"])]
        if row.empty:
            continue
        row = row.iloc[0]
        assert row["p50"] == pytest.approx(t["q50"], rel=1e-6)
        assert row["p90"] == pytest.approx(t["q10"] if row["direction"] == "higher" else t["q90"], rel=1e-6)


def test_the_cli_prints_one_row_per_indicator_for_a_merged_province(default):
    from click.testing import CliRunner

    from forecast import cli

    args = ["suggest", "--store", default.store, "--province", "Ninh Bình (mới)", "--year", "2030"]
    out = CliRunner().invoke(cli.cli, [*args, "--format", "csv"])
    assert out.exit_code == 0, out.output
    frame = pd.read_csv(io.StringIO(out.output))
    assert list(frame.columns[:4]) == ["indicator", "p50", "p80", "p90"]
    assert frame["indicator"].is_unique and len(frame) == len(default.after["Ninh Bình (mới)"])
    expected = default.after["Ninh Bình (mới)"].set_index("indicator")[COLUMNS].round(3)
    pd.testing.assert_frame_equal(frame.set_index("indicator")[COLUMNS], expected, check_dtype=False)
    cat = indicators.catalogue()
    assert set(frame["unit"]) <= set(cat["unit"])  # values in the indicator's unit


@pytest.mark.parametrize("code", ["bhyt_coverage", "stunting_u5"])
def test_hanam_bhyt_and_stunting_2025_are_assessed_on_a_labelled_borrowed_basis(default, code):
    a = default.run.assessments
    r = a[(a["plan_id"] == "hanam-907-2018") & (a["indicator"] == code) & (a["year"] == 2025)].iloc[0]
    assert r["basis"] in ("national", "regional") and r["geo"] != "Hà Nam"
    assert not np.isnan(r["p_attain"]) and r["verdict"] != "no_data"
    assert r["borrowed"] and r["national_target"] > 0 and r["national_target_year"] == 2025
    for lang in text.LANGS:
        frame = views.scorecard_frame(a[a["province"] == "Hà Nam"], lang)
        row = frame[(frame["indicator"] == code) & (frame["year"] == 2025)].iloc[0]
        tag = "national" if r["basis"] == "national" else "proxy"
        assert (
            f"{text.t(f'{tag}_tag', lang)}" in row["name"]
            or text.t(f"{r['basis']}_gap_tag", lang) in row["name"]
        )
        assert row["national_target"].startswith(text.fmt_number(r["national_target"], lang)[:2])


def _view(default, province: str) -> views.ProvinceView:
    return views.province_view(default.run, default.observations, load_targets(), province)


def test_the_merged_province_brief_shows_the_old_provinces_plan(default):
    view = _view(default, "Ninh Bình (mới)")
    assert {"Hà Nam", "Ninh Bình (mới)"} <= set(view.assessments["province"])
    hanam = view.assessments[view.assessments["plan_id"] == "hanam-907-2018"]
    assert len(hanam) == (load_targets().query("plan_id == 'hanam-907-2018' and kind == 'outcome'").shape[0])
    for lang in text.LANGS:
        first = views.headline_section(view, "2026Q4", lang)
        assert "Hà Nam" in first
        card = views.scorecard_section(view, lang)
        assert text.t("plan_of", lang, province="Hà Nam") in card
    old = views.headline_section(_view(default, "Hà Nam"), "2026Q4", "vi")
    assert text.t("successor_note", "vi", province="Hà Nam", successor="Ninh Bình (mới)") in old.replace(
        "&#x27;", "'"
    )


@pytest.mark.parametrize("province", pipeline.default_provinces())
def test_every_default_brief_has_a_figure(default, province):
    assert len(views.fan_panels(_view(default, province), "vi")) >= 1


def test_the_deep_dive_works_for_a_merged_province(default):
    view = views.province_view(default.run, default.observations, None, "Lào Cai (mới)")
    a = view.assessments[view.assessments["series"] != ""]
    assert len(a)
    for code in dict.fromkeys(a["indicator"]):
        dive = views.deep_dive_view(view, code)  # no IndexError for any indicator of the brief
        own = a[(a["indicator"] == code) & (a["province"] == "Lào Cai (mới)")]
        assert dive.indicator == code and len(dive.targets) == len(own)  # its national-target rows
        assert len(dive.observations) or own.empty, code  # a target of its own has its series
        if len(own):
            assert dive.geo == own["geo"].iloc[0]


def _codes_in_shared_files() -> dict[str, set[str]]:
    """Every indicator code of every file under the shared data, read by the workbench's importers.

    The parsed rows (tidy CSVs, PX-Web exports) and, for tidy files, the raw ``indicator`` cell of
    every row, so that rows the importer quarantines (the world panel's ISO3 geos) count too.
    """
    codes: dict[str, set[str]] = {}
    for path in sorted(config.SHARED_DATA_DIR.rglob("*.csv")):
        if path.parent.name == "targets":  # the national targets: not observations
            continue
        parsed = readers.parse_file(path)
        found = set(parsed.rows["indicator"])
        if parsed.format == "tidy":
            rows, _, _ = readers.read_rows(path)
            header = [c.strip() for c in rows[0][1]]
            at = header.index("indicator")
            found |= {cells[at].strip() for _, cells in rows[1:] if len(cells) > at}
        for code in found:
            codes.setdefault(code, set()).add(path.name)
    return codes


def _family(code: str) -> set[str]:
    """The indicator, its stand-in, the series it converts or derives from."""
    out = {code}
    if code in indicators.STAND_INS:
        out.add(indicators.STAND_INS[code][0])
    out |= {src for src, (to, _) in indicators.CONVERSIONS.items() if to == code}
    if code in indicators.DERIVED:
        out.add(indicators.DERIVED[code][0])
    return out


def _measures(series: str) -> str:
    """The catalogue indicator a store code measures (variant suffixes and auxiliary bases resolved)."""
    info = indicators.series_info(series)
    return str(info["base"]) if info else indicators.base_indicator(series)[0]


def test_every_target_left_without_data_has_no_series_in_any_shared_file(default):
    a = default.run.assessments
    missing = a[a["verdict"] == "no_data"]
    assert len(missing) and (missing["basis"] == "").all()
    held = _codes_in_shared_files()
    assert "bhyt_coverage" in held and "households_hygienic_water" in held  # the reader sees the files
    measured = {}
    for code, files in held.items():
        for c in {code, _measures(code)}:
            measured.setdefault(c, set()).update(files)
    for code in sorted(set(missing["indicator"])):
        found = {c: sorted(measured[c]) for c in _family(code) if c in measured}
        assert not found, f"{code} is no_data in the default run, yet the shared files hold {found}"
    # everything else has a P(attain) (or a stated reason it is too short), with its basis
    rest = a[a["verdict"] != "no_data"]
    assert rest["basis"].isin(["own", "regional", "national"]).all()
