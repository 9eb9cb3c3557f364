"""The target registry: counts per plan and year, spot values, and every validation error."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

from forecast import config
from forecast.cli import cli
from forecast.errors import ValidationError
from forecast.registry.targets import load_targets, select_targets


@pytest.fixture(scope="module")
def registry() -> pd.DataFrame:
    return load_targets()


def _count(reg, plan, year, kind="outcome"):
    return len(reg[(reg.plan_id == plan) & (reg.year == year) & (reg.kind == kind)])


def test_counts_per_plan_and_year(registry):
    assert _count(registry, "hanam-907-2018", 2025) == 19
    assert _count(registry, "hanam-907-2018", 2030) == 19
    assert _count(registry, "lamdong-50kh-2018", 2025) == 19
    assert _count(registry, "lamdong-50kh-2018", 2030) == 19
    assert 20 <= _count(registry, "laocai-07da-2024", 2024) <= 26
    bg = registry[(registry.plan_id == "bacgiang-25ct-2024") & (registry.kind == "outcome")]
    assert 6 <= len(bg) <= 12
    dn = registry[registry.plan_id == "dongnai-doh-2021"]
    assert (dn.kind == "outcome").sum() == 0 and (dn.kind == "milestone").sum() >= 2
    assert set(registry.plan_id) == {
        "hanam-907-2018",
        "lamdong-50kh-2018",
        "laocai-07da-2024",
        "bacgiang-25ct-2024",
        "dongnai-doh-2021",
    }


def _one(reg, plan, indicator, year):
    rows = reg[(reg.plan_id == plan) & (reg.indicator == indicator) & (reg.year == year)]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def test_spot_values_from_each_plan(registry):
    le = _one(registry, "hanam-907-2018", "life_expectancy", 2025)
    assert (le.comparator, le.value, le.unit) == (">=", 75.4, "years")
    assert "75,4" in le.quote
    beds = _one(registry, "laocai-07da-2024", "beds_per_10k", 2024)
    assert beds.value == 45.7 and beds.unit == "per_10k"
    u5 = _one(registry, "lamdong-50kh-2018", "u5mr", 2025)
    assert (u5.comparator, u5.value, u5.unit) == ("<=", 18.5, "per_1000")
    assert "18,5%" in u5.quote and "‰" in u5.note
    bhyt = _one(registry, "bacgiang-25ct-2024", "bhyt_coverage", 2030)
    assert (bhyt.comparator, bhyt.value) == (">", 99.0)
    stunting = _one(registry, "hanam-907-2018", "stunting_u5", 2025)
    assert stunting.comparator == "<"
    lam_beds = _one(registry, "lamdong-50kh-2018", "beds_per_10k", 2025)
    assert (lam_beds.value, lam_beds.value_high) == (25.0, 27.0)


def test_hanam_definition_notes_are_kept(registry):
    staff = registry[
        (registry.plan_id == "hanam-907-2018")
        & registry.indicator.isin(["beds_per_10k", "doctors_per_10k", "nurses_per_10k"])
    ]
    assert len(staff) == 6
    assert staff.note.str.contains("central", case=False).all()


def test_activity_and_qualitative_rows_are_recorded(registry):
    lc = registry[registry.plan_id == "laocai-07da-2024"]
    assert (lc.kind == "activity").sum() >= 2
    assert ((lc.unit == "billion_vnd") & (lc.value == 529.7)).any()
    assert (registry.kind == "qualitative").sum() >= 2


def test_every_quote_is_verbatim_from_its_plan(registry):
    seeds = config.PROJ_ROOT.parent / "shared" / "seeds"
    if not seeds.exists():
        pytest.skip("no seeds beside the checkout")
    text = {
        "hanam-907-2018": "000",
        "dongnai-doh-2021": "001",
        "laocai-07da-2024": "002",
        "lamdong-50kh-2018": "003",
        "bacgiang-25ct-2024": "004",
    }
    plans = {p: next(seeds.glob(f"{n}_*.txt")).read_text(encoding="utf-8") for p, n in text.items()}

    def norm(s: str) -> str:
        return " ".join(s.split())

    bad = [(r.plan_id, r.line) for r in registry.itertuples() if norm(r.quote) not in norm(plans[r.plan_id])]
    assert bad == []


def test_select_resolves_province_spelling(registry):
    a = select_targets(registry, province="Ha Nam", year=2025, kind="outcome")
    assert len(a) == 19 and set(a.province) == {"Hà Nam"}


def test_cli_lists_targets_for_a_province_and_year():
    result = CliRunner().invoke(
        cli, ["targets", "--province", "Hà Nam", "--year", "2025", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert any(r["indicator"] == "life_expectancy" and r["value"] == 75.4 for r in rows)
    assert {r["year"] for r in rows} == {2025}


# --- validation on a deliberately broken copy ------------------------------------------------------

GOOD = (
    'hanam-907-2018,Hà Nam,life_expectancy,2025,>=,75.4,,years,outcome,"Tuổi thọ trung bình đạt 75,4 tuổi",'
)
HEADER = "plan_id,province,indicator,year,comparator,value,value_high,unit,kind,quote,note"


@pytest.mark.parametrize(
    "row,column,fragment",
    [
        (GOOD.replace("life_expectancy", "life_expectancyy"), "indicator", "did you mean 'life_expectancy'"),
        (GOOD.replace("Hà Nam", "Ha Namm"), "province", "did you mean 'Hà Nam'"),
        (GOOD.replace(",>=,", ",=>,"), "comparator", "'=>' is not one of"),
        (GOOD.replace(",years,", ",percent,"), "unit", "catalogue unit 'years'"),
        (GOOD.replace(",75.4,", ",754,"), "value", "outside the bounds"),
        (GOOD.replace(",75.4,,", ",75.4,70,"), "value_high", "below value"),
        (GOOD.replace(",75.4,", ",bảy lăm,"), "value", "not a number"),
        (GOOD.replace(",2025,", ",20x5,"), "year", "not a year"),
        (GOOD.replace(",outcome,", ",goal,"), "kind", "not one of"),
    ],
)
def test_each_validation_error_names_file_line_column_value_and_fix(tmp_path, row, column, fragment):
    path = tmp_path / "targets.csv"
    path.write_text(
        "\n".join([HEADER, GOOD.replace("life_expectancy", "healthy_life_years").replace("75.4", "68"), row])
        + "\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as err:
        load_targets(path)
    message = str(err.value)
    assert message.startswith(f"{path}:3 column {column!r}") and fragment in message
    assert "\n" not in message


def test_duplicate_plan_indicator_year_is_an_error(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text("\n".join([HEADER, GOOD, GOOD.replace("75.4", "76")]) + "\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r":3 .*duplicate target .*first on line 2"):
        load_targets(path)


def test_cli_reports_a_broken_registry_in_one_line_without_traceback(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text("\n".join([HEADER, GOOD.replace(",>=,", ",=>,")]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["targets", "--file", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert result.output.strip().splitlines() == [
        f"Error: {path}:2 column 'comparator': comparator '=>' is not one of >=, <=, >, <"
    ]


def test_every_comparator_shape_of_the_five_plans_reads_as_the_words_say():
    """One rule per phrase (``targets.WORDING``): "giảm còn"/"còn" at most, "dưới" below, "trên"
    above (also after "duy trì"), "đạt"/"tối thiểu"/"khoảng" at least; a range is a floor."""
    from forecast.registry import targets as registry

    reg = registry.load_targets()
    outcome = reg[reg["kind"] == "outcome"]
    read = [
        (registry.comparator_from_words(r["quote"], r["value"], r["value_high"]), r)
        for r in outcome.to_dict("records")
    ]
    wrong = [
        (r["plan_id"], r["indicator"], r["year"], r["comparator"], c)
        for c, r in read
        if c and c != r["comparator"]
    ]
    assert not wrong, wrong
    assert sum(c is not None for c, _ in read) >= 0.8 * len(read)  # the words decide most rows
    assert {c for c, _ in read} >= {"<", "<=", ">", ">="}
    ranges = outcome[outcome["value_high"].notna()]
    assert len(ranges) == 6 and (ranges["comparator"] == ">=").all()  # "đạt 25 - 27": at least 25
    assert all(
        registry.target_meaning(c, h) == "floor" for c, h in zip(ranges["comparator"], ranges["value_high"])
    )
    quotes = " ".join(outcome["quote"].str.lower())
    for phrase in ("giảm còn", "dưới", "trên", "duy trì", "tối thiểu", "đạt"):
        assert phrase in quotes  # each shape the rules name occurs in the plans


def test_the_registry_is_read_again_once_edited_and_a_caller_cannot_change_it(tmp_path):
    """load_targets validates a file once per version: an edit is seen at the next call, and a
    caller's changes to the frame it got never reach the next caller."""
    import os

    copy = tmp_path / "targets.csv"
    copy.write_bytes(config.TARGETS_CSV.read_bytes())
    first = load_targets(copy)
    first.loc[0, "value"] = -1.0  # the caller's own frame
    assert load_targets(copy).loc[0, "value"] != -1.0
    lines = copy.read_text(encoding="utf-8-sig").splitlines()
    row = pd.read_csv(copy, dtype=str, keep_default_na=False, encoding="utf-8-sig").iloc[0]
    lines[1] = lines[1].replace(f",{row['year']},", ",2099,", 1)
    copy.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.utime(copy, ns=(copy.stat().st_atime_ns, copy.stat().st_mtime_ns + 1_000_000))
    assert load_targets(copy).loc[0, "year"] == 2099
