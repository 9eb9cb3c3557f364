"""The sentences of a brief: what it would take to reach each target, and the data caveats.

Both take frames (assessments, the registry) and return plain sentences, one per item, in
Vietnamese or English; :func:`forecast.report.pages.html.list_html` turns them into a bullet list.
"""

from __future__ import annotations

import re

import pandas as pd

from forecast import config
from forecast.assess import matching, reasons
from forecast.data import priority
from forecast.report.pages.html import is_missing, moves_away, series_label, target_text
from forecast.report.pages.text import (
    check_lang,
    definition_text,
    fmt_gap,
    fmt_number,
    fmt_percent,
    fmt_rate,
    fmt_rate_unit,
    fmt_value,
    has_text,
    indicator_name,
    t,
    target_digits,
)

#: Registry notes shown as caveats: the source's own anomalies of data, not the registry's reading
#: notes nor the source's spelling mistakes (a typo changes no number: it is not a data caveat).
ANOMALY = re.compile(r"(?i)\bsource anomal|bất thường")


def _lower_first(name: str) -> str:
    # Keep acronyms ("BHYT coverage") and proper nouns that start with two capitals.
    return name if len(name) > 1 and name[1].isupper() else name[:1].lower() + name[1:]


def _period(r: dict, lang: str) -> str:
    """`` trong 2013–2016``: the years the observed rate was measured over (empty if unknown)."""
    start, end = r.get("rate_from_year"), r.get("latest_year")
    if is_missing(start) or is_missing(end):
        return ""
    return t("takes_period", lang, start=int(start), end=int(end))  # type: ignore[arg-type]


def _is_met(r: dict, req: float) -> bool:
    """Whether the nowcast already meets the target (the required rate allows a move away).

    A range is a floor at its low end (:func:`forecast.registry.targets.target_meaning`), so a
    nowcast above it is met, never asked to fall back into the range.
    """
    return moves_away(r, req)


def _met_sentence(r: dict, req: float, lang: str) -> str:
    """The nowcast meets the target: say so, and how far the indicator may move away."""
    name = _lower_first(indicator_name(r["indicator"], lang))
    unit, rate_unit = str(r.get("unit") or ""), str(r.get("rate_unit") or "pct")
    d = target_digits(r.get("value"), r.get("value_high"))
    rate = fmt_rate_unit(abs(req), rate_unit, lang, unit=unit)
    fields = {
        "year": int(r["year"]),
        "target": target_text(r, lang),
        "name": name,
        "from_year": int(r["required_from_year"]) if not is_missing(r.get("required_from_year")) else "–",
        "level": fmt_value(r.get("required_from_value"), unit, lang, d),
    }
    if fmt_rate(abs(req), lang).strip("0,.") == "":
        text = t("takes_met_hold", lang, **fields)
    else:
        away = "verb_fall" if str(r.get("comparator")) in (">=", ">") else "verb_rise"
        text = t("takes_met", lang, verb=t(away, lang), rate=rate, **fields)
    obs = r.get("rate_observed")
    if obs is not None and not is_missing(obs):
        verb = t("verb_falling" if float(obs) < 0 else "verb_rising", lang)
        size = fmt_rate_unit(abs(float(obs)), rate_unit, lang, unit=unit)
        text += t("takes_met_observed", lang, period=_period(r, lang), verb=verb, rate=size)
    return text + "."


def _takes_sentence(r: dict, lang: str) -> str:
    req = float(r["rate_required"])
    if _is_met(r, req):
        return _met_sentence(r, req, lang)
    rate_unit, unit = str(r.get("rate_unit") or "pct"), str(r.get("unit") or "")
    text = t(
        "takes",
        lang,
        year=int(r["year"]),
        target=target_text(r, lang),
        name=_lower_first(indicator_name(r["indicator"], lang)),
        verb=t("verb_fall" if req < 0 else "verb_rise", lang),
        rate=fmt_rate_unit(abs(req), rate_unit, lang, unit=unit),
    )
    obs = r.get("rate_observed")
    if obs is not None and not is_missing(obs):
        obs = float(obs)
        size, period = fmt_rate_unit(abs(obs), rate_unit, lang, unit=unit), _period(r, lang)
        if (obs < 0) == (req < 0):
            text += t("takes_same", lang, rate=size, period=period)
        else:
            verb = t("verb_falling" if obs < 0 else "verb_rising", lang)
            text += t("takes_opposite", lang, verb=verb, rate=size, period=period)
    return text + "."


def _pace_sentence(r: dict, lang: str) -> str:
    name = _lower_first(indicator_name(r["indicator"], lang))
    exp = r.get("expected_year")
    if exp is None or is_missing(exp):
        return t("pace_never", lang, name=name, horizon=config.HORIZON_END)
    return t("pace_year", lang, name=name, year=int(exp))


def what_it_takes(assessments: pd.DataFrame, lang: str = "vi") -> list[str]:
    """Return one plain sentence per target still to reach: the pace required against the pace seen.

    Achieved targets get a one-line confirmation; targets without data are left to
    :func:`caveats`.
    """
    check_lang(lang)
    out = []
    for r in assessments.to_dict("records"):
        cat = r.get("verdict")
        if cat == "achieved":
            name = indicator_name(r["indicator"], lang)
            out.append(t("takes_achieved", lang, name=name, year=int(r["year"])))
        elif cat not in ("no_data", "insufficient_data") and not is_missing(r.get("rate_required")):
            sentence = _takes_sentence(r, lang)
            met = _is_met(r, float(r["rate_required"]))
            if r.get("pace") != "on_track" and "expected_year" in r and not met:
                sentence += " " + _pace_sentence(r, lang)
            out.append(sentence)
    return out


def caveats(
    targets: pd.DataFrame, assessments: pd.DataFrame, lang: str = "vi", found: pd.DataFrame | None = None
) -> list[str]:
    """Return the data caveats of a brief, one sentence each.

    Covers series whose definition differs from the target's (e.g. beds without central
    hospitals), the last year of data per series, the registry notes that flag an anomaly of the
    source (:data:`ANOMALY`, e.g. a rate written in % that is really ‰), the known breaks of the
    series used (:func:`forecast.data.priority.break_notes`; ``found``, from
    :func:`forecast.data.store.series_breaks`, adds the breaks found in the data), targets with no data and series that could
    not be forecast. Regional proxies and data of a merged 2025 province that
    were left unused are named (:func:`_proxy_caveats`).
    """
    check_lang(lang)
    out = []
    a = assessments
    differ = a.assign(definition_code=definition_codes(a))
    differ = differ[differ["definition_code"] != ""]
    for code, rows in differ.groupby("definition_code", sort=False):
        names = "; ".join(dict.fromkeys(indicator_name(c, lang) for c in rows["indicator"]))
        out.append(f"{names}: " + t("caveat_series_is", lang) + definition_text(code, lang) + ".")
    out += _proxy_caveats(a, lang)
    out += national_act_notes(a, lang)
    out += definition_gap_notes(a, lang)
    seen = (
        a.dropna(subset=["latest_year"]).drop_duplicates(
            [c for c in ("indicator", "series", "geo") if c in a.columns]
        )
        if "latest_year" in a
        else a.iloc[0:0]
    )
    if len(seen):
        twice = seen["indicator"].duplicated(keep=False)  # one indicator read on two geos: name each
        parts = [
            f"{series_label(r, lang, name_geo=True) if dup else indicator_name(r['indicator'], lang)} "
            f"({int(r['latest_year'])})"
            for r, dup in zip(seen.to_dict("records"), twice, strict=True)
        ]
        out.append(t("caveat_latest_years", lang) + "; ".join(parts) + ".")
    out += _anomalies(targets, lang)
    out += _breaks(seen, lang, found)
    missing = a[a["verdict"] == "no_data"] if "verdict" in a else a.iloc[0:0]
    if len(missing):
        absent = sorted({indicator_name(c, lang) for c in missing["indicator"]})
        out.append(t("caveat_no_data_for", lang) + "; ".join(absent) + ".")
    short = a[a["verdict"] == "insufficient_data"] if "verdict" in a else a.iloc[0:0]
    for r in short.to_dict("records"):
        # The engine's status code, translated; the English ``reason`` text never reaches a brief.
        status = str(r.get("status") or "")
        why = t(f"status_{status}", lang) if has_text(f"status_{status}") else ""
        out.append(
            f"{indicator_name(r['indicator'], lang)}: "
            + t("too_little_data", lang)
            + (f" ({why})." if why else ".")
        )
    return list(dict.fromkeys(out))


def national_act_notes(a: pd.DataFrame, lang: str = "vi") -> list[str]:
    """Name each act whose national target the scorecard shows (column ``national_target_act``),
    and the targets whose series is of another definition than the national target's."""
    if "national_target_act" not in a.columns:
        return []
    acts = a["national_target_act"].fillna("").astype(str)
    out = [
        t("caveat_national_act", lang, short=t(f"act_short.{act}", lang), name=t(f"act_name.{act}", lang))
        for act in dict.fromkeys(acts[acts != ""])
        if has_text(f"act_name.{act}")
    ]
    other = a[a.get("national_target_definition", pd.Series("", index=a.index)).fillna("") == "other"]
    for code, rows in other.groupby(definition_codes(other), sort=False):
        out.append(
            t(
                "caveat_national_definition",
                lang,
                names=_names(rows, lang),
                definition=definition_text(code, lang),
            )
        )
    return out


def definition_gap_notes(a: pd.DataFrame, lang: str = "vi") -> list[str]:
    """One sentence per target far from the official series' level (column ``definition_gap``)."""
    rows = a[a["definition_gap"].notna()] if "definition_gap" in a.columns else a.iloc[0:0]
    out = []
    for r in rows.to_dict("records"):
        unit = str(r.get("unit") or "")
        out.append(
            t(
                "definition_gap_note",
                lang,
                name=indicator_name(r["indicator"], lang),
                year=int(r["year"]),
                target=target_text(r, lang),
                ratio=fmt_number(r["definition_gap"], lang, 2),
                level=fmt_value(r["latest_value"], unit, lang),
                latest_year=int(r["latest_year"]),
            )
        )
    return out


def _breaks(seen: pd.DataFrame, lang: str, in_data: pd.DataFrame | None = None) -> list[str]:
    """One caveat per known break (a year a publisher's footnote sets apart) of the series used."""
    found: dict[str, list[str]] = {}
    notes: dict[tuple[str, str], list[str]] = {}  # a series' notes, once (its targets share them)
    if in_data is not None and len(in_data) and len(seen):  # the breaks of these series only, once
        keys = pd.DataFrame({"geo": seen["geo"], "indicator": seen["series"]}).drop_duplicates()
        in_data = in_data.merge(keys, on=["geo", "indicator"])
    for r in seen.to_dict("records"):
        key = (r["geo"], r["series"])
        if key not in notes:
            notes[key] = priority.break_notes([key], lang, in_data)
        for text in notes[key]:
            found.setdefault(text, []).append(indicator_name(r["indicator"], lang))
    return [f"{'; '.join(dict.fromkeys(names))}: {text}" for text, names in found.items()]


def definition_codes(a: pd.DataFrame) -> pd.Series:
    """The assessments' ``definition_code`` column; derived from ``series`` for tables without it."""
    if "definition_code" in a.columns:
        return a["definition_code"].fillna("").astype(str)
    if "series" not in a.columns:
        return pd.Series("", index=a.index)
    pairs = zip(a["series"].fillna("").astype(str), a["indicator"].astype(str), strict=True)
    return pd.Series([matching.definition_code(s, c) for s, c in pairs], index=a.index, dtype=str)


def _names(rows: pd.DataFrame, lang: str) -> str:
    return "; ".join(dict.fromkeys(indicator_name(c, lang) for c in rows["indicator"]))


def _proxy_caveats(a: pd.DataFrame, lang: str) -> list[str]:
    """One caveat per region or nation lending its series, per shifted series, per merged province.

    Reads the columns ``basis``, ``borrowed`` (a national series used because the region's is too
    short), ``anchor_geo`` (whose points shift it), ``gap``, ``successor`` and
    ``successor_data_year`` (a merged 2025 province whose newer data went unused).
    """
    out = []
    basis = a["basis"] if "basis" in a.columns else pd.Series("", index=a.index)
    borrowed = a["borrowed"].fillna("") if "borrowed" in a.columns else pd.Series("", index=a.index)
    anchor = _anchor_geos(a)
    for region, rows in a[basis == "regional"].groupby("geo", sort=False):
        out.append(t("proxy_caveat", lang, names=_names(rows, lang), region=region))
    short = (basis == "national") & (borrowed == "national_short_region")
    if ((basis == "national") & ~short).any():
        out.append(t("national_caveat", lang, names=_names(a[(basis == "national") & ~short], lang)))
    for level, rows in a[short].groupby(anchor[short], sort=False):
        out.append(t("national_short_caveat", lang, names=_names(rows, lang), anchor=level))
    gap = a["gap"] if "gap" in a.columns else pd.Series(float("nan"), index=a.index)
    for (g, _series, level), rows in a[gap.notna()].groupby(
        ["geo", "series", anchor[gap.notna()]], sort=False
    ):
        r = rows.iloc[0]
        unit = str(r["unit"])
        out.append(
            t(
                "gap_caveat",
                lang,
                names=_names(rows, lang),
                geo=g,
                gap=fmt_gap(r["gap"], unit, lang, 2),
                anchor=level,
                year=int(r["latest_year"]),
                value=fmt_value(r["latest_value"], unit, lang, target_digits(r["value"])),
            )
        )
    if "successor" not in a.columns or "successor_data_year" not in a.columns:
        return out
    for successor, rows in a[a["successor_data_year"].notna()].groupby("successor", sort=False):
        out.append(t("merged_caveat", lang, names=_names(rows, lang), successor=successor))
    return out


def _anchor_geos(a: pd.DataFrame) -> pd.Series:
    """The geo whose published points shift a borrowed series (``anchor_geo``; else the province)."""
    province = a["province"].astype(str) if "province" in a.columns else pd.Series("", index=a.index)
    if "anchor_geo" not in a.columns:
        return province
    return a["anchor_geo"].fillna("").astype(str).where(lambda s: s != "", province)


def _anomaly_text(note: str) -> str:
    """The note from the start of the sentence that flags an anomaly, clipped to ~320 characters."""
    m = ANOMALY.search(note)
    if not m:
        return ""
    # A sentence ends at a full stop (not an ellipsis) followed by a capital, quote or bracket.
    ends = [b.end() for b in re.finditer(r"(?<!\.)\.\s+(?=[A-Z\"'(])", note) if b.end() <= m.start()]
    text = note[ends[-1] if ends else 0 :].strip()
    return text if len(text) <= 320 else text[:319].rsplit(" ", 1)[0] + " …"


def _anomalies(targets: pd.DataFrame, lang: str) -> list[str]:
    """One caveat per distinct source anomaly in the registry notes, naming the targets it affects.

    Vietnamese briefs use the registry's ``caveat_vi`` wording of the anomaly; a note without one
    is shown in English, marked as such, rather than dropped.
    """
    if "note" not in targets.columns:
        return []
    found: dict[str, list[str]] = {}
    for r in targets.to_dict("records"):
        text = _anomaly_text(str(r.get("note") or ""))
        if text and lang == "vi":
            vi = str(r.get("caveat_vi") or "").strip()
            text = vi or t("caveat_english_note", lang) + text
        if text:
            found.setdefault(text, []).append(f"{indicator_name(r['indicator'], lang)} ({r['year']})")
    return [f"{'; '.join(dict.fromkeys(names))}: {text}" for text, names in found.items()]


def _codes(r: dict) -> list[str]:
    return [c for c in str(r.get("reason_codes") or "").split(";") if c]


def _signed(x: float, r: dict, lang: str) -> tuple[str, str]:
    """(verb, size) of an annual change: (``tăng``, ``0,64%/năm``)."""
    unit = str(r.get("unit") or "")
    verb = t("verb_falling" if x < 0 else "verb_rising", lang)
    return verb, fmt_rate_unit(abs(x), str(r.get("rate_unit") or "pct"), lang, unit=unit)


def _interval(r: dict, lang: str) -> str:
    d = target_digits(r.get("value"), r.get("value_high"))
    unit = str(r.get("unit") or "")
    return f"{fmt_number(r['q10'], lang, d)}–{fmt_value(r['q90'], unit, lang, d)}"


def _carrier_name(r: dict, lang: str) -> str:
    if str(r.get("borrowed") or "") == "own_other_definition":
        return t("carrier_own_other_definition", lang)
    g = str(r.get("carrier_geo") or "")
    return t("why_nation", lang) if g == matching.NATIONAL_GEO else g


def _borrowed_text(r: dict, lang: str) -> str:
    """``từ năm 2017 đến 2023 ... theo tốc độ của cả nước (khác định nghĩa của tỉnh), ...``."""
    start, until = int(r["carrier_from_year"]), r.get("carrier_until_year")
    if is_missing(until) or int(until) <= start:  # type: ignore[arg-type]
        span = (
            t("why_in_year", lang, start=start) if not is_missing(until) else t("why_from", lang, start=start)
        )
    else:
        span = t("why_span", lang, start=start, until=int(until))  # type: ignore[arg-type]
    return t(
        "why_borrowed",
        lang,
        span=span,
        carrier=_carrier_name(r, lang),
        definition=t("why_other_definition", lang) if r.get("carrier_definition") == "other" else "",
        latest=int(r["latest_year"]),
    )


def _why_trend(r: dict, lang: str, codes: list[str]) -> str:
    """The median runs against (or ignores) the observed trend: why, with numbers; a borrowed
    pace alone is said once per indicator (no year: it is the same for every target year)."""
    name, year = indicator_name(r["indicator"], lang), int(r["year"])
    if "counter_trend" not in codes:
        return f"{name}: " + _borrowed_text(r, lang) + "."
    obs_verb, obs = _signed(float(r["rate_observed"]), r, lang)
    fields = dict(name=name, year=year, period=_period(r, lang), obs_verb=obs_verb, obs=obs)
    if abs(float(r["forecast_rate"])) < reasons.STILL.get(str(r.get("rate_unit") or "pct"), 0.2):
        d = target_digits(r.get("value"), r.get("value_high"))
        text = t("why_flat", lang, level=fmt_value(r["q50"], str(r.get("unit") or ""), lang, d), **fields)
    else:
        fc_verb, fc = _signed(float(r["forecast_rate"]), r, lang)
        text = t("why_counter_trend", lang, fc_verb=fc_verb, fc=fc, **fields)
    if "borrowed_pace" in codes:
        text += "; " + _borrowed_text(r, lang) + t("why_cover_both", lang, interval=_interval(r, lang))
    elif not is_missing(r.get("panel_trend")):
        verb, size = _signed(float(r["panel_trend"]), r, lang)
        # the provinces' common trend explains the median only where it is on the median's side
        key = "why_panel_trend" if _panel_explains(r) else "why_panel_against"
        text += t(key, lang, verb=verb, rate=size) + t("why_interval", lang, interval=_interval(r, lang))
    else:
        text += t("why_models", lang) + t("why_interval", lang, interval=_interval(r, lang))
    return text + "."


def _panel_explains(r: dict) -> bool:
    """Whether the provinces' common trend (``panel_trend``) can explain the row's median: it
    points the way the median moves (``forecast_rate``), or is itself still where the median is.

    Where the provinces moved the way the province did (pharmacists per 10,000: the province
    +25.8 %/yr, the provinces +15 %/yr) and the median stays flat, leaning on their common trend
    is no explanation, and the sentence says only what the numbers show.
    """
    still = reasons.STILL.get(str(r.get("rate_unit") or "pct"), 0.2)
    panel, forecast = float(r["panel_trend"]), float(r["forecast_rate"])
    if abs(forecast) < still:
        return abs(panel) < still
    return abs(panel) >= still and (panel > 0) == (forecast > 0)


def _why_pace(r: dict, lang: str) -> str:
    """An on-track pace beside a low P (or the reverse): what the other provinces' series show."""
    unit = str(r.get("unit") or "")
    obs = fmt_rate_unit(
        r.get("rate_observed"), str(r.get("rate_unit") or "pct"), lang, signed=True, unit=unit
    )
    req = fmt_rate_unit(
        r.get("rate_required"), str(r.get("rate_unit") or "pct"), lang, signed=True, unit=unit
    )
    text = t(
        "why_pace",
        lang,
        name=indicator_name(r["indicator"], lang),
        year=int(r["year"]),
        obs=obs,
        req=req,
        pace=t(f"pace.{r['pace']}", lang) if has_text(f"pace.{r['pace']}") else str(r["pace"]),
        p=fmt_percent(r.get("p_attain"), lang),
    )
    if not is_missing(r.get("panel_rate")):
        verb, size = _signed(float(r["panel_rate"]), r, lang)
        level = r.get("required_from_value")
        level = r.get("latest_value") if is_missing(level) else level
        d = target_digits(r.get("value"), r.get("value_high"))
        text += t(
            "why_panel",
            lang,
            level=fmt_value(level, unit, lang, d),
            verb=verb,
            rate=size,
            n=int(r["panel_points"]),
        )
    return text + t("why_interval", lang, interval=_interval(r, lang)) + "."


def _why_no_own_data(r: dict, lang: str) -> str:
    """A series of the region or the nation read for a province without data of its own."""
    where = t("why_nation", lang) if r.get("geo") == matching.NATIONAL_GEO else str(r.get("geo") or "")
    d = target_digits(r.get("value"), r.get("value_high"))
    latest = "–"
    if not is_missing(r.get("latest_year")):
        value = fmt_value(r.get("latest_value"), str(r.get("unit") or ""), lang, d)
        latest = f"{int(r['latest_year'])}: {value}"
    return t(
        "why_no_own_data",
        lang,
        name=indicator_name(r["indicator"], lang),
        year=int(r["year"]),
        where=where,
        latest=latest,
        p=fmt_percent(r.get("p_attain"), lang),
    )


def _why_held_shift(r: dict, lang: str) -> str:
    """The median follows the provinces' common change for a few years, then holds: said once per
    indicator (no target year), with the years, the pace and the level it holds at."""
    d = target_digits(r.get("value"), r.get("value_high"))
    verb, rate = _signed(float(r["shift_rate"]), r, lang)
    latest, until = int(r["latest_year"]), int(r["shift_until_year"])
    return t(
        "why_held_shift",
        lang,
        name=indicator_name(r["indicator"], lang),
        latest=latest,
        until=until,
        verb=verb,
        rate=rate,
        level=fmt_value(r["q50"], str(r.get("unit") or ""), lang, d),
        n=until - latest,
    )


def _why_national_comparator(r: dict, lang: str) -> str:
    """A province without a target of its own measured against the national one, named with its act."""
    act = str(r.get("national_target_act") or "")
    d = target_digits(r.get("value"), r.get("value_high"))
    return t(
        "why_national_comparator",
        lang,
        name=indicator_name(r["indicator"], lang),
        year=int(r["year"]),
        target=fmt_value(r.get("national_target"), str(r.get("unit") or ""), lang, d),
        act=t(f"act_short.{act}", lang) if act and has_text(f"act_short.{act}") else "",
    )


def explanations(assessments: pd.DataFrame, lang: str = "vi") -> list[str]:
    """One sentence, with numbers, per surprise a row carries (column ``reason_codes``,
    :mod:`forecast.assess.reasons`): a median against the observed trend or following a borrowed
    pace, a pace and a probability that disagree, a stand-in series, an unusual interval."""
    check_lang(lang)
    out: list[str] = []
    held: set[tuple] = set()
    for r in assessments.to_dict("records"):
        codes = _codes(r)
        name, year = indicator_name(r["indicator"], lang), int(r["year"])
        if {"counter_trend", "borrowed_pace"} & set(codes):
            out.append(_why_trend(r, lang, codes))
        if "pace_disagrees" in codes:
            out.append(_why_pace(r, lang))
        if "no_own_data" in codes:
            out.append(_why_no_own_data(r, lang))
        if "national_comparator" in codes:
            out.append(_why_national_comparator(r, lang))
        if "held_shift" in codes and (r.get("province"), r["indicator"]) not in held:
            held.add((r.get("province"), r["indicator"]))  # one path per series, whatever the year
            out.append(_why_held_shift(r, lang))
        if "stand_in" in codes:
            out.append(
                t(
                    "why_stand_in",
                    lang,
                    name=name,
                    definition=definition_text(str(r["definition_code"]), lang),
                )
            )
        for code in ("wide_interval", "narrow_interval"):
            if code in codes:
                fields = dict(name=name, year=year, interval=_interval(r, lang))
                fields["ratio"] = fmt_number(r["width_ratio"], lang, 1)
                if code == "wide_interval":
                    latest = int(r["latest_year"])
                    carried = t("why_wide_carried", lang, latest=latest)
                    fields["because"] = carried if "carried" in codes else t("why_wide_because", lang)
                out.append(t(f"why_{code}", lang, **fields))
    return list(dict.fromkeys(x for x in out if x))
