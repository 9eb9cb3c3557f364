"""Display text of the reports, from gettext catalogues, and numbers formatted by Babel.

Text
----
Every heading, label, sentence and unit a page shows is a message of the gettext catalogues
``locale/<lang>/LC_MESSAGES/forecast.po`` beside this module (:mod:`.catalogues`): the message id
is a key, the ``msgstr`` the text in that language, with ``{fields}`` that :func:`t` fills in.
Ids are flat (``brief_title``, read with ``t("brief_title", lang, province=...)``) or grouped by a
dot (``category.likely``, ``unit.per_10k``, ``index.title``: ``labels("index", lang)["title"]``).

To add a string: call ``t("my_key", lang, field=...)`` (or use a grouped id), add the message to
``locale/en/LC_MESSAGES/forecast.po`` and ``locale/vi/LC_MESSAGES/forecast.po``::

    msgid "my_key"
    msgstr "Text with a {field}"

(``make i18n`` adds every id the code names literally to every catalogue, empty, so only the
``msgstr`` lines are left to write), then run ``make i18n``: it lists a message missing, empty
or fuzzy in a language, or whose ``{fields}`` differ from the English text; so does
``tests/report/pages/test_catalogues.py``. An id the code builds at run time
(``t(f"kind_{kind}")``, ``labels("index", lang)["title"]``) is written in the ``.po`` files by hand
(or named once with ``N_("kind_outcome")``, which extraction reads).

To add a language: ``make i18n-lang NEW=fr`` (Babel's ``pybabel init`` from the template), then
translate every ``msgstr`` of ``locale/fr/LC_MESSAGES/forecast.po``, using the English catalogue as
reference. :data:`LANGS` is read from the catalogues, so the report then writes pages in that
language too. Indicator names are registry data (``data/indicators.csv``: ``name_vi``,
``name_en``); a language without a ``name_<lang>`` column shows the English names.

Numbers and dates
-----------------
:func:`fmt_number`, :func:`fmt_percent` and :func:`fmt_date` use Babel's CLDR data of the page's
language: Vietnamese writes ``75,4``, ``1.234`` and ``83%``, English ``75.4``, ``1,234`` and ``83%``.
The number of decimals is the caller's (a target's own precision); a minus is written ``−``.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import NumberPattern, parse_pattern

from forecast import config
from forecast.errors import ForecastError, ValidationError
from forecast.registry import indicators
from forecast.report.pages.catalogues import SOURCE_LANG, catalogue_langs, messages

log = logging.getLogger(__name__)

#: The languages that have a catalogue (``vi`` first): a page can be written in each.
LANGS = catalogue_langs()


def N_(key: str) -> str:  # noqa: N802 - gettext's name for a marker
    """Mark ``key`` as a message id built at run time, so that extraction (``make i18n``) finds it."""
    return key


#: Verdicts in display order (best first), as in ``forecast.assess.assessment.VERDICTS``.
CATEGORIES = (
    "achieved",
    "likely",
    "possible",
    "unlikely",
    "very_unlikely",
    "missed",
    "insufficient_data",
    "no_data",
)

#: Badge background colours (colour-blind-aware traffic light, greys for missing data).
BADGE_COLOURS = {
    "achieved": "#1a7f37",
    "likely": "#4caf50",
    "possible": "#f2b705",
    "unlikely": "#f57c00",
    "very_unlikely": "#c62828",
    "missed": "#7f1d1d",
    "no_data": "#9e9e9e",
    "insufficient_data": "#cfd8dc",
}
#: Text colour that stays readable on each badge.
BADGE_TEXT = {c: ("#000000" if c in ("possible", "insufficient_data") else "#ffffff") for c in CATEGORIES}

#: Units whose values are whole numbers (written without decimals).
WHOLE_UNITS = ("count",)
#: Units written with no suffix after the value (a count of people, facilities ...).
UNITLESS = ("count",)


def check_lang(lang: str) -> str:
    """Return ``lang`` if it has a catalogue, else raise :class:`ForecastError`."""
    if lang not in LANGS:
        raise ForecastError(f"language {lang!r} is not supported; use one of {', '.join(LANGS)}")
    return lang


def has_text(key: str) -> bool:
    """Whether ``key`` is a message of the catalogues."""
    return key in messages(SOURCE_LANG)


def _text(key: str, lang: str) -> str:
    text = messages(lang).get(key)
    if text is None:
        text = messages(SOURCE_LANG).get(key)
        if text is None:
            raise ForecastError(
                f"no message {key!r} in the catalogues; add it to {config.PROJ_ROOT.name}/"
                "src/forecast/report/pages/locale/*/LC_MESSAGES/forecast.po (README: 'Display text')"
            )
        _warn_untranslated(key, lang)
    return text


@cache
def _warn_untranslated(key: str, lang: str) -> None:
    log.warning("message %r has no %s text; the English one is shown (make i18n lists them)", key, lang)


def t(key: str, lang: str = "vi", **fields: object) -> str:
    """Return the message ``key`` in ``lang``, with ``{fields}`` filled in.

    Raises
    ------
    ForecastError
        If the key or the language is unknown.
    """
    check_lang(lang)
    text = _text(key, lang)
    return text.format(**fields) if fields else text


def labels(group: str, lang: str = "vi") -> dict[str, str]:
    """Return the messages ``<group>.<name>`` of ``group`` as ``{name: text}`` (English for another language)."""
    lang = lang if lang in LANGS else SOURCE_LANG
    prefix = group + "."
    names = [key[len(prefix) :] for key in messages(SOURCE_LANG) if key.startswith(prefix)]
    if not names:
        raise ForecastError(f"no message group {group!r} in the catalogues (ids like '{group}.title')")
    return {name: _text(prefix + name, lang) for name in names}


def category_label(category: str, lang: str = "vi") -> str:
    """Return the display name of an assessment category (unknown ones are returned as given)."""
    check_lang(lang)
    key = f"category.{category}"
    return _text(key, lang) if has_text(key) else str(category)


def pace_label(pace: str, lang: str = "vi") -> str:
    """Return the words of a pace (``acceleration_needed`` -> ``cần tăng tốc``); unknown ones as given."""
    check_lang(lang)
    key = f"pace.{pace}"
    return _text(key, lang) if has_text(key) else str(pace)


def indicator_name(code: str, lang: str = "vi") -> str:
    """Return the catalogue name of an indicator or of a variant series (``beds_per_10k_dohs``)."""
    check_lang(lang)
    base, _ = indicators.base_indicator(str(code))
    cat = indicators.catalogue()
    if base not in cat.index:
        key = f"series_name.{code}"
        return _text(key, lang) if has_text(key) else str(code)
    column = f"name_{lang}" if f"name_{lang}" in cat.columns else "name_en"
    return str(cat.loc[base, column])


def indicator_definition(code: str, lang: str = "vi") -> str:
    """Return the catalogue definition of an indicator in ``lang`` (``definition_vi``; ``definition`` is English).

    A language without a ``definition_<lang>`` column gets the English definition; a code outside
    the catalogue gives ``""``.
    """
    check_lang(lang)
    cat = indicators.catalogue()
    if code not in cat.index:
        return ""
    column = f"definition_{lang}" if f"definition_{lang}" in cat.columns else "definition"
    return str(cat.loc[code, column] or cat.loc[code, "definition"])


def model_label(model: object, lang: str = "vi") -> str:
    """The name of a forecast model in words (``dholt`` -> ``San bằng mũ Holt, xu hướng giảm dần``)."""
    key = f"model.{model}"
    return _text(key, check_lang(lang)) if has_text(key) else str(model)


def unit_label(unit: str, lang: str = "vi") -> str:
    """Return the suffix written after a value in ``unit`` (``"%"``, ``"‰"``, ``"/10.000 dân"``)."""
    check_lang(lang)
    key = f"unit.{unit}"
    if unit in UNITLESS or not unit:
        return ""
    return _text(key, lang) if has_text(key) else f" {unit}"


def definition_text(code: str, lang: str = "vi") -> str:
    """Say how a series' definition differs from its indicator's, from the code that names it.

    ``code`` is an assessment's ``definition_code`` (:func:`forecast.assess.matching.definition_code`):
    a variant suffix (``"_dohs"``), a stand-in series (``"full_immunization_u1"``) or an auxiliary
    series with a definition of its own (``"nurses_midwives_per_10k"``); ``""`` gives ``""``. Every
    language is written from the code (message ``definition.<code>``); no sentence is read back.
    """
    check_lang(lang)
    if not code:
        return ""
    key = f"definition.{code}"
    if has_text(key):
        return _text(key, lang)
    info = indicators.series_info(code)
    return str(info["definition"]) if info and info["definition"] else str(code)


def series_tag(indicator: str, series: str, lang: str = "vi") -> str:
    """The short qualifier of ``series`` answering ``indicator`` ("" when it is the indicator itself)."""
    check_lang(lang)
    if not series or series == indicator:
        return ""
    base, _ = indicators.base_indicator(series)
    tags = []
    if base != indicator:  # a stand-in (possibly a variant of one)
        key = f"stand_in_tag.{base}"
        tags.append(_text(key, lang) if has_text(key) else t("stand_in_tag", lang))
    variant = _variant_tag(series[len(base) :], lang)
    if variant:
        tags.append(variant)
    return "; ".join(tags)


def _variant_tag(suffix: str, lang: str) -> str:
    key = f"variant_tag.{suffix}"
    return _text(key, lang) if suffix and has_text(key) else ""


def series_title(series: str, lang: str = "vi") -> str:
    """A chart title for a store series: its indicator's name, a variant named in words, never its code.

    ``beds_per_10k_dohs`` -> ``Số giường bệnh trên 10.000 dân (cơ sở thuộc Sở Y tế)`` (messages
    ``variant_tag.<suffix>``, the qualifiers of the briefs' chart titles).
    """
    name = indicator_name(series, lang)
    base, definition = indicators.base_indicator(str(series))
    if base == series or not definition:
        return name
    variant = _variant_tag(str(series)[len(base) :], lang)
    return f"{name} ({variant})" if variant else name


# --- numbers and dates (Babel's CLDR data) -----------------------------------------------------


@cache
def _pattern(lang: str, kind: str, digits: int) -> NumberPattern:
    """The locale's decimal or percent pattern with exactly ``digits`` decimals."""
    locale = Locale.parse(lang)
    formats = locale.percent_formats if kind == "percent" else locale.decimal_formats
    pattern = parse_pattern(formats[None].pattern)
    pattern.frac_prec = (digits, digits)
    return pattern


def _is_number(x: object) -> bool:
    try:
        return not math.isnan(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _format(v: float, lang: str, kind: str, digits: int) -> str:
    # Round as Python does (half to even on the binary value), then let Babel write the digits.
    exact = Decimal(f"{v:.{digits}f}") / (100 if kind == "percent" else 1)
    return _pattern(lang, kind, digits).apply(exact, Locale.parse(lang)).replace("-", "−")


def fmt_number(x: object, lang: str = "vi", digits: int = 1) -> str:
    """Format a number: ``75,4`` and ``1.234,5`` in Vietnamese, ``75.4`` and ``1,234.5`` in English.

    Missing values (None, NaN) give an en dash.
    """
    check_lang(lang)
    if not _is_number(x):
        return "–"
    return _format(float(x), lang, "decimal", digits)  # type: ignore[arg-type]


def fmt_gap(x: object, unit: str, lang: str = "vi", digits: int = 1) -> str:
    """A signed difference between two values: ``+1,5 năm``, ``−2,60 điểm phần trăm`` (never ``%``:
    a difference of two percentages is in percentage points)."""
    if not _is_number(x):
        return "–"
    v = float(x)  # type: ignore[arg-type]
    sign = "+" if round(v, digits) > 0 else ""
    if unit == "percent":
        return sign + fmt_number(v, lang, digits) + t("points", lang)
    return sign + fmt_value(v, unit, lang, digits)


def fmt_percent(p: object, lang: str = "vi", digits: int = 0) -> str:
    """Format a probability in [0, 1] as a percentage (``0.83`` -> ``83%``); missing gives an en dash."""
    check_lang(lang)
    if not _is_number(p):
        return "–"
    return _format(float(p) * 100, lang, "percent", digits)  # type: ignore[arg-type]


def fmt_date(value: object, lang: str = "vi", format: str = "long") -> str:  # noqa: A002 - Babel's name
    """Format a date with the language's CLDR pattern (``long``: ``25 tháng 11, 2026``, ``November 25, 2026``).

    ``format`` is ``short``, ``medium``, ``long``, ``full`` or a CLDR pattern (``"dd/MM/y"``).
    """
    check_lang(lang)
    day = value.date() if isinstance(value, dt.datetime) else value
    if not isinstance(day, dt.date):
        day = dt.date.fromisoformat(str(value)[:10])
    return format_date(day, format, locale=lang)


def target_digits(*values: object, least: int = 1, most: int = 3) -> int:
    """Decimals a target is written with (``1.25`` -> 2, ``75.4`` -> 1), between ``least`` and ``most``.

    Values of a target's row are shown with its precision, so a ``≥ 1,25`` target is not printed ``≥ 1,2``.
    """
    digits = least
    for x in values:
        if _is_number(x):
            text = f"{float(x):.{most}f}".rstrip("0")  # type: ignore[arg-type]
            digits = max(digits, len(text.split(".")[1]) if "." in text else 0)
    return min(digits, most)


def fmt_rate(x: object, lang: str = "vi") -> str:
    """Format an annual rate of change in percent: two decimals below 1 (``0,11`` vs ``0,13``)."""
    if not _is_number(x):
        return fmt_number(x, lang)
    v = float(x)  # type: ignore[arg-type]
    digits = 2 if abs(v) < 1 else 1
    return fmt_number(0.0 if round(v, digits) == 0 else v, lang, digits)  # never "−0,00"


def fmt_rate_unit(
    x: object,
    rate_unit: str = "pct",
    lang: str = "vi",
    *,
    signed: bool = False,
    short: bool = False,
    unit: str = "",
) -> str:
    """Format an annual rate with its unit: ``0,37%/năm`` or ``0,72 điểm phần trăm/năm`` (``pp``).

    ``signed`` writes a ``+`` before a rise; ``short`` uses the table form (``+0,72 điểm %``).
    A rate in the indicator's own unit (``abs``) needs that ``unit`` (``0,05‰/năm``).
    Missing values give an en dash.
    """
    check_lang(lang)
    text = fmt_rate(x, lang)
    if text == "–":
        return text
    group = "rate_unit_short" if short else "rate_unit"
    key = f"{group}.{rate_unit}" if has_text(f"{group}.{rate_unit}") else f"{group}.pct"
    sign = "+" if signed and float(x) > 0 and text.strip("0,.") else ""  # type: ignore[arg-type]
    return sign + text + _text(key, lang).format(unit=unit_label(unit, lang).rstrip() if unit else "")


def fmt_value(x: object, unit: str, lang: str = "vi", digits: int = 1) -> str:
    """Format a value with its unit, e.g. ``12,5‰`` or ``28,0/10.000 dân`` (counts without decimals)."""
    text = fmt_number(x, lang, 0 if unit in WHOLE_UNITS else digits)
    return text if text == "–" else text + unit_label(unit, lang)


def quarter_label(quarter: str, lang: str = "vi") -> str:
    """Return ``"quý 4/2026"`` or ``"Q4 2026"`` for ``"2026Q4"`` (other text is returned as given)."""
    check_lang(lang)
    try:
        year, q = config.parse_quarter(quarter).split("Q")
    except ValidationError:
        return str(quarter)
    return t("quarter_label", lang, q=q, year=year)
