"""Indicator pages: facts computed on the real default store and a real run, written in vi and en."""

from __future__ import annotations

import html as html_lib
import re

import pandas as pd
import pytest
from test_quarter import code_names, english_phrases, page_text

from forecast.data import provenance
from forecast.data import store as store_db
from forecast.registry import indicators
from forecast.registry.targets import load_targets
from forecast.report.pages import metadata, text
from forecast.report.pages.html import indicator_link


@pytest.fixture(scope="module")
def real(default_run):
    """The session's default run (tests/conftest.py), every stored row and the facts."""
    run, _, store = default_run
    stored = store_db.load_observations(store)
    facts = metadata.indicator_facts(stored, run, load_targets(), store_db.series_breaks(store))
    return {"run": run, "stored": stored, "facts": facts}


def test_every_indicator_of_a_target_has_a_page_and_a_vietnamese_definition(real):
    registry = load_targets()
    used = set(registry.loc[registry["kind"] == "outcome", "indicator"])
    assert used <= set(real["facts"].codes)
    for code in real["facts"].codes:
        vi, en = text.indicator_definition(code, "vi"), text.indicator_definition(code, "en")
        assert vi and en and vi != en, code
        assert re.search(r"[ăâđêôơưạảấầẩậắằẳặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", vi.lower()), code


def test_holdings_equal_a_pandas_computation_from_the_store(real):
    stored, facts = real["stored"], real["facts"]
    for series in ("life_expectancy", "beds_per_10k_dohs", "imr"):
        rows = stored[stored["indicator"] == series]
        got = facts.series[facts.series["series"] == series].iloc[0]
        assert (got["first_year"], got["last_year"]) == (rows["year"].min(), rows["year"].max())
        assert got["n_years"] == rows["year"].nunique() and got["rows"] == len(rows)
        regions = rows.loc[rows["geo"].str.startswith("Vùng "), "geo"].nunique()
        provinces = rows.loc[
            ~rows["geo"].str.startswith("Vùng ") & (rows["geo"] != "Việt Nam"), "geo"
        ].nunique()
        assert (got["n_regions"], got["n_provinces"]) == (regions, provinces), series
        latest = provenance.with_provenance(rows[rows["year"] == rows["year"].max()])
        top = latest.groupby(["publisher", "table"]).size().sort_values(ascending=False)
        assert (got["latest_publisher"], got["latest_table"]) == top.index[0], series
    dohs = facts.series[facts.series["series"] == "beds_per_10k_dohs"].iloc[0]
    assert dohs["latest_publisher"] == "gso" and dohs["latest_year"] == 2016
    assert dohs["latest_table"] == "Number of patient beds under provincial departments of health by province"


def test_series_are_the_indicator_its_variants_stand_ins_and_sources(real):
    s = real["facts"].series
    roles = {(r.indicator, r.series): r.role for r in s.itertuples()}
    assert roles[("beds_per_10k", "beds_per_10k")] == "own"
    assert roles[("beds_per_10k", "beds_per_10k_dohs")] == "variant"
    assert roles[("epi_coverage", "full_immunization_u1")] == "stand_in"
    assert roles[("cbr_decline", "crude_birth_rate")] == "source"
    assert not s["indicator"].eq("healthy_life_years").any() or "hale" in set(real["stored"]["indicator"])
    # every series an assessment used for an indicator is on that indicator's page; a derived one
    # (Lào Cai's cbr_decline, computed from the crude birth rate, never stored) by its source
    a = real["run"].assessments
    used = {(r.indicator, r.series) for r in a.itertuples() if isinstance(r.series, str) and r.series}
    shown = {(i, indicators.DERIVED[s][0]) if s in indicators.DERIVED else (i, s) for i, s in used}
    assert used and shown <= set(roles)
    assert ("cbr_decline", "cbr_decline") in used and roles[("cbr_decline", "crude_birth_rate")] == "source"


def test_the_run_records_the_ensemble_weights_of_every_forecast_series(real):
    run, facts = real["run"], real["facts"]
    w = facts.weights
    forecast = set(run.forecasts.loc[run.forecasts["model"] == "ensemble", "indicator"])
    assert forecast <= set(w["indicator"])
    sums = w.groupby("indicator")["weight"].sum()
    assert ((sums - 1).abs() < 1e-3).all()
    assert set(w["model"]) <= set(run.settings["members"])
    assert (w.groupby("indicator").size() <= run.settings["top"]).all()


def _page(facts, code, lang):
    return page_text(metadata.indicator_page_html(facts, code, lang))


def test_vietnamese_page_is_vietnamese_and_names_definition_source_latest_and_method(real):
    facts = real["facts"]
    page = _page(facts, "life_expectancy", "vi")
    assert text.indicator_definition("life_expectancy", "vi") in page
    assert "Đơn vị năm" in page and "càng cao càng tốt" in page
    latest = facts.series[facts.series["indicator"] == "life_expectancy"]["latest_year"].max()
    assert f"Năm {latest}: Tổng cục Thống kê" in page  # the latest year and who gave it
    assert "Ngân hàng Thế giới" in page and "kết hợp có trọng số" in page and "thang đo gốc" in page
    bhyt = _page(facts, "bhyt_coverage", "vi")
    assert "thang logit" in bhyt
    # Hà Nam's BHYT targets stand on the national series (indicative), as the brief shows them:
    # 2025 passed with no figure yet, 2030 a forecast; never a bare verdict
    assert "Tham khảo · Chưa có số liệu năm 2025" in bhyt and "Tham khảo · Khó đạt" in bhyt
    for code in facts.codes:
        found = {w for w in re.findall(r"[A-Za-z0-9_]+", _page(facts, code, "vi")) if w in code_names()}
        assert not found, (code, found)  # no indicator, model or column code on a reader's page


def test_vietnamese_pages_show_no_english_of_the_catalogue_or_the_store(real):
    facts, stored = real["facts"], real["stored"]
    phrases = english_phrases([stored.drop_duplicates("indicator"), indicators.catalogue()])
    for code in facts.codes:
        lower = _page(facts, code, "vi").lower()
        assert not [p for p in phrases if p in lower], code


def test_vietnamese_pages_name_the_publishers_tables_in_vietnamese(real):
    """GSO's tables come from its English edition: a Vietnamese page names each in Vietnamese and keeps
    the published (English) title on hover; the English page names it as published."""
    facts, stored = real["facts"], real["stored"]
    sources = provenance.with_provenance(stored)
    tables = sorted(set(sources.loc[sources["publisher"] == "gso", "table"]) - {""})
    assert tables and all(text.has_text(metadata.table_title_key(x)) for x in tables), [
        x for x in tables if not text.has_text(metadata.table_title_key(x))
    ]
    infant = "Infant mortality rate by province"
    for code in facts.codes:
        # every word a reader sees, quoted English included (page_text leaves out text marked English)
        shown = html_lib.unescape(re.sub(r"<[^>]+>", " ", metadata.indicator_page_html(facts, code, "vi")))
        assert not [x for x in tables if x in " ".join(shown.split())], code
    html_vi = metadata.indicator_page_html(facts, "imr", "vi")
    assert "Tỷ suất chết của trẻ em dưới 1 tuổi phân theo địa phương" in page_text(html_vi)
    assert f'title="Tên bảng trong ấn bản tiếng Anh của nhà xuất bản: {infant}"' in html_vi
    assert f"<cite>{infant}</cite>" in metadata.indicator_page_html(facts, "imr", "en")


def test_english_page_and_the_list(real):
    facts = real["facts"]
    page = _page(facts, "imr", "en")
    assert "Deaths under age 1 per 1,000 live births" in page and "per 1,000 (‰)" in page
    assert "lower is better" in page and "log scale" in page
    listing = metadata.indicator_list_html(facts, "vi")
    assert listing.count("<tr data-indicator=") == len(facts.codes)
    assert 'href="life_expectancy.html"' in listing


def test_breaks_of_the_series_are_on_the_page(real):
    items = metadata.breaks_items(real["facts"], "pharmacists_per_10k", "vi")
    assert any("2012" in i and "tư nhân" in i for i in items)


def test_pages_link_briefs_and_languages():
    facts = metadata.IndicatorFacts(
        indicators=pd.DataFrame(
            {
                "indicator": ["imr"],
                "unit": ["per_1000"],
                "direction": ["lower"],
                "transform": ["log"],
                "targets": [1],
            }
        ),
        series=pd.DataFrame(columns=metadata.SERIES_COLUMNS),
        sources=pd.DataFrame(columns=metadata.SOURCE_COLUMNS),
        weights=pd.DataFrame(columns=["indicator", "model", "weight", "pooled"]),
        status=pd.DataFrame(columns=["indicator", "status", "n"]),
        targets=pd.DataFrame(
            {
                "province": ["Hà Nam"],
                "indicator": ["imr"],
                "year": [2025],
                "comparator": ["<="],
                "value": [5.0],
            }
        ).assign(unit="per_1000", verdict="no_data"),
        found_breaks=pd.DataFrame(),
        pairs=pd.DataFrame(columns=["geo", "indicator"]),
    )
    body = metadata.indicator_page_html(
        facts, "imr", "vi", others={"en": "../en/imr.html"}, briefs={"Hà Nam": "../../briefs/ha-nam.html"}
    )
    assert '<a href="../en/imr.html" hreflang="en" lang="en">English</a>' in body
    assert '<a href="../../briefs/ha-nam.html">Hà Nam</a>' in body
    assert "Chưa có chuỗi số liệu công khai nào" in page_text(body)  # no series: said, not an empty table


def test_indicator_link_names_the_indicator_without_an_href():
    link = indicator_link("imr", "Tỷ suất <tử vong>", "vi")
    assert link.startswith('<a class="indicator-link" data-indicator="imr"') and "href" not in link
    assert "Tỷ suất &lt;tử vong&gt;" in link


def test_scores_html_of_the_runs_back_tests_has_no_code(real):
    from forecast.report.pages import views

    scores = real["run"].backtest_scores
    assert len(scores)
    shown = page_text(views.scores_html(scores, "vi"))
    assert not {w for w in re.findall(r"[A-Za-z0-9_]+", shown) if w in code_names()}
    assert "nan" not in shown.lower() and text.model_label("ensemble", "vi") in shown
