"""The message catalogues: complete in every language, compiled by Babel, and read by the text API."""

from __future__ import annotations

import datetime as dt
import gettext
import io

import pytest
from babel.messages.mofile import write_mo

from forecast.errors import ForecastError
from forecast.report.pages import catalogues, text
from forecast.report.pages.text import LANGS


def test_every_message_is_translated_in_every_language_and_compiles():
    """Fails on an id missing, empty or fuzzy in a language, or fields unlike the English text."""
    assert catalogues.problems() == []


@pytest.mark.parametrize("lang", text.LANGS)
def test_compiled_catalogue_gives_what_the_text_api_gives(lang):
    buffer = io.BytesIO()
    write_mo(buffer, catalogues.read(lang))
    buffer.seek(0)
    compiled = gettext.GNUTranslations(buffer)
    for key in ("brief_title", "category.likely", "index.title", "unit.per_10k"):
        assert compiled.gettext(key) == catalogues.messages(lang)[key] != key
    assert compiled.gettext("brief_title").format(province="Hà Nam", quarter="Q") == text.t(
        "brief_title", lang, province="Hà Nam", quarter="Q"
    )


def test_the_catalogues_hold_every_id_the_code_names():
    ids = catalogues.code_ids()
    assert {"scorecard", "heatmap", "nothing_to_assess", "what_it_takes"} <= ids  # code and notebooks
    assert ids <= set(catalogues.messages("en"))


def test_problems_are_found(tmp_path, monkeypatch):
    for lang, body in {
        "en": 'msgid "a"\nmsgstr "A {x}"\n\nmsgid "b"\nmsgstr "B"\n',
        "vi": 'msgid "a"\nmsgstr "Á {y}"\n\nmsgid "b"\nmsgstr ""\n',
    }.items():
        path = tmp_path / lang / "LC_MESSAGES" / "forecast.po"
        path.parent.mkdir(parents=True)
        path.write_text(body, encoding="utf-8")
    monkeypatch.setattr(catalogues, "LOCALE_DIR", tmp_path)
    monkeypatch.setattr(catalogues, "code_ids", lambda root=None: {"a", "c"})
    catalogues.messages.cache_clear()
    try:
        found = "\n".join(catalogues.problems())
        assert "'c', which is in no catalogue" in found
        assert "'b' is empty" in found and "fields ['y']" in found
        assert catalogues.update() == {"vi": 1, "en": 1}  # 'c' added, empty, to both
        assert 'msgid "c"' in (tmp_path / "vi" / "LC_MESSAGES" / "forecast.po").read_text(encoding="utf-8")
        assert 'msgid "a"' in (tmp_path / "forecast.pot").read_text(encoding="utf-8")
    finally:
        catalogues.messages.cache_clear()


def test_languages_are_the_catalogues():
    assert text.LANGS[:2] == ("vi", "en")
    with pytest.raises(ForecastError, match="not supported"):
        text.t("scorecard", "fr")
    with pytest.raises(ForecastError, match="no message 'no_such_key'"):
        text.t("no_such_key", "vi")


def test_labels_are_a_group_of_messages():
    assert text.labels("index", "vi")["title"] == "Báo cáo {q}"
    assert text.labels("index", "xx") == text.labels("index", "en")  # another language: English
    assert set(text.labels("footer", "vi")) == set(text.labels("footer", "en"))


def test_numbers_follow_babels_locale_data():
    assert text.fmt_number(75.4, "vi") == "75,4"
    assert text.fmt_number(1234, "vi", 0) == "1.234"
    assert text.fmt_number(1234567.25, "en", 2) == "1,234,567.25"
    assert text.fmt_number(-0.5, "vi") == "−0,5"
    assert text.fmt_number(None, "en") == "–"
    assert text.fmt_percent(0.834, "vi") == "83%"
    assert text.fmt_percent(0.8345, "en", 1) == "83.5%"
    assert text.fmt_percent(float("nan"), "vi") == "–"
    assert text.fmt_value(28.04, "per_10k", "vi") == "28,0/10.000 dân"
    assert text.fmt_value(12345, "count", "en") == "12,345"


def test_dates_follow_babels_locale_data():
    day = dt.date(2026, 11, 25)
    assert text.fmt_date(day, "vi") == "25 tháng 11, 2026"
    assert text.fmt_date("2026-11-25", "en") == "November 25, 2026"
    assert text.fmt_date(day, "vi", "dd/MM/y") == "25/11/2026"


def test_quarter_label_is_a_message():
    assert text.quarter_label("2026Q4", "vi") == "quý 4/2026"
    assert text.quarter_label("2026Q4", "en") == "Q4 2026"
    assert text.quarter_label("later", "en") == "later"


def test_every_series_of_the_default_run_has_a_title_in_words(default_run):
    """A download's "Chuỗi số liệu" printed the store codes of the series added in #19's item 8
    (``hale``, ``obesity_adult_crude``, ``contraceptive_prevalence_any``) on Vietnamese briefs."""
    run, _, _ = default_run
    read = set(run.assessments["series"].dropna().astype(str)) | set(run.forecasts["indicator"].astype(str))
    for lang in LANGS:
        coded = sorted(c for c in read if c and text.series_title(c, lang) == c)
        assert coded == [], (lang, coded)
    assert text.series_title("hale", "vi") == "Tuổi thọ khỏe mạnh (HALE, WHO)"
