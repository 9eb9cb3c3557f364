"""Validation of imported rows: values, units, series codes, geos and years, with a reason.

:func:`validate` splits a raw frame (from a reader of :mod:`forecast.data` or
:mod:`forecast.data.pxweb`) into rows to store and rows to quarantine, each with a reason.

Quarantined: unknown province (closest name suggested), unknown indicator, non-numeric value,
a year that is not one calendar year or is out of range, a value outside the indicator's bounds,
a unit that disagrees with the indicator's, a truncated line, and one source giving two values
for the same geo, indicator and year in one file. Plausibility: a series the catalogue models on
the log scale (mortality, staff and beds per 10,000) must be positive, so ``0``, ``-0`` or a
denormal such as ``1e-320`` are refused, a denormal is refused everywhere, and an isolated spike
more than :data:`IMPLAUSIBLE_FACTOR` times above or below the nearby years of its series
(the file's rows plus what is stored, :func:`implausible`) is quarantined with that reason. Empty cells and ".." / "-" are skipped as
missing; an exact repeat is a duplicate.

Indicator codes are catalogue codes (``data/indicators.csv``), auxiliary series listed in
``data/series.csv`` (``population_avg``, ``tfr``, ``*_count`` …) or a variant of either marked by
a suffix of :data:`forecast.registry.indicators.VARIANT_SUFFIXES` (``imr_gso``, ``beds_per_10k_dohs``).
Any other code is unknown and its rows are quarantined (:func:`series_info`).

Geo era: a plain name ("Lào Cai") is the province as it was until 30 June 2025. With
``geo_era="2025"`` it means the merged province ("Lào Cai (mới)") and a province that was absorbed
("Yên Bái") is refused; ``"auto"`` (default) applies the 2025 meaning to years from 2025 on
(keeping absorbed names as they are); ``"old"`` never does.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import sys
import warnings
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from forecast.data.quality import quality_column
from forecast.data.raw import PROBLEM
from forecast.errors import ForecastError
from forecast.registry import geo, indicators
from forecast.registry.indicators import auxiliary_series, series_info

ROW_COLUMNS = ["geo", "indicator", "year", "value", "unit", "source", "note", "line", "quality"]
QUARANTINE_COLUMNS = ["file", "line", "column", "value", "reason"]
MISSING = {"", "..", "...", "-", "–", "—", "na", "n/a", "nan", "null", "none"}
_UNIT_ALIASES = {
    "%": "percent",
    "pct": "percent",
    "percent_of_current_health_expenditure": "percent",
    "‰": "per_1000",
    "per_mille": "per_1000",
    "per_1000_live_births": "per_1000",
    "per_1000_population": "per_1000",
    "per_10000": "per_10k",
    "per_10000_population": "per_10k",
    "per_10000_inhabitants": "per_10k",
    "per_100000": "per_100k",
    "thous_pers": "thousand_persons",
    "thousand_persons": "thousand_persons",
    "person": "persons",
    "pers": "persons",
    "bed": "beds",
}
#: A value this many times above or below the median of its series is a typo (unit, decimal mark).
IMPLAUSIBLE_FACTOR = 5.0
#: Years on either side whose values a row is compared with (growth over a decade is real).
NEIGHBOUR_YEARS = 3
#: The last value of a file this many times above or below the median of the other years of its
#: series is implausible (a number cut short at the end of a file: ``861.83`` -> ``86``, 9.85 times
#: below 847.1) ...
LEVEL_FACTOR = IMPLAUSIBLE_FACTOR
#: ... when at least this many other years are known.
LEVEL_YEARS = 3
_FACTOR_TRANSFORMS = ("log", "identity")  # ratio-scale series; logit shares may rise from near 0
_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")


class _Reject(Exception):
    def __init__(self, column: str, value: object, reason: str) -> None:
        super().__init__(reason)
        self.column, self.value = column, value


# --- values ----------------------------------------------------------------------------------


def parse_number(text: object, decimal: str = ".") -> float:
    """Return ``text`` as a float, ignoring footnote marks, spaces and thousands separators.

    ``decimal`` is the file's decimal mark; ``"1,234.5"``, ``"1.234,5"`` and ``"12,5"`` all work.

    Raises
    ------
    ValueError
        If the text is not a finite number.
    """
    s = re.sub(r"[\s\u00a0\u202f']|\(\*+\)|\*+$", "", str(text))
    if "," in s and "." in s:
        s = s.replace("," if s.rfind(".") > s.rfind(",") else ".", "").replace(",", ".")
    elif "," in s:
        thousands = decimal == "." and re.fullmatch(r"-?\d{1,3}(,\d{3})+", s)
        s = s.replace(",", "") if thousands else s.replace(",", ".")
    elif decimal == "," and re.fullmatch(r"-?\d{1,3}(\.\d{3})+", s):
        s = s.replace(".", "")
    if not _NUMBER.fullmatch(s):
        raise ValueError(f"not a number: {text!r}")
    value = float(s)
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {text!r}")
    return value


def unit_key(unit: object) -> str:
    """Return a canonical unit code: ``"per 1,000 live births"`` -> ``"per_1000"``."""
    s = str(unit or "").strip().lower()
    if s in _UNIT_ALIASES:
        return _UNIT_ALIASES[s]
    s = re.sub(r"(?<=\d)[,.\s](?=\d{3})", "", s)
    s = re.sub(r"[^a-z0-9%‰]+", "_", s).strip("_")
    return _UNIT_ALIASES.get(s, s)


# --- rows ------------------------------------------------------------------------------------


def _resolve(name: str) -> str:
    found, error = _resolved(name)
    if error:
        raise ForecastError(error)
    return found


@lru_cache(maxsize=65536)
def _resolved(name: str) -> tuple[str, str]:
    """``(geo, "")`` or ``("", message with the closest name)``: an unknown name is looked up once."""
    try:
        return geo.resolve_geo(name), ""
    except ForecastError as e:
        try:  # Vietnamese yearbooks name regions without "Vùng" ("Đồng bằng sông Hồng")
            return geo.resolve_geo(f"Vùng {name}"), ""
        except ForecastError:
            return "", str(e)


@lru_cache(maxsize=1)
def _reference() -> pd.DataFrame:
    return geo.provinces().set_index("name")


def _geo(name: str, year: int, era: str) -> str:
    try:
        found = _resolve(name)
    except ForecastError as e:
        raise _Reject("geo", name, str(e)) from None
    if era == "old" or (era == "auto" and year < 2025) or found.endswith("(mới)"):
        return found
    row = _reference().loc[found]
    new = row["province_2025"]
    if not row["era"].endswith("2025") or not new:
        return found  # unchanged by the 2025 merger
    if new == f"{found} (mới)":
        return new
    if era == "2025":
        raise _Reject(
            "geo",
            name,
            f"{found} was merged into {new} on 2025-07-01; write {new!r} or import with --geo-era old",
        )
    return found


def _year(text: str) -> int:
    t = str(text).strip()
    if not re.fullmatch(r"\d{4}(\.0)?", t):
        raise _Reject(
            "year",
            text,
            f"year {text!r} is not a single calendar year; write one year "
            "such as 2016 (averages over several years are not imported)",
        )
    year, last = int(float(t)), dt.date.today().year
    if not 1950 <= year <= last:
        raise _Reject("year", text, f"year {year} is out of range 1950-{last}; fix the year")
    return year


def _check_row(r: dict, era: str) -> dict:
    if r["note"].startswith("__fields:"):
        n, m = r["note"][9:].split("/")
        raise _Reject(
            "", "", f"the line has {n} fields but the header has {m}; the line is truncated or badly quoted"
        )
    code = str(r["indicator"]).strip()
    if code in indicators.CONVERSIONS:
        r = _convert(r, code)
        code = r["indicator"]
    info = series_info(code)
    if info is None:
        raise _Reject("indicator", code, f"unknown indicator {code!r}: {_suggest_code(code)}")
    year = _year(r["year"])
    place = _geo(str(r["geo"]).strip(), year, era)
    try:
        value = parse_number(r["value"], r["decimal"]) * r["factor"]
    except ValueError:
        raise _Reject(
            r["column"],
            r["value"],
            f"value {r['value']!r} is not a number; write it like 12.5 ('..' or empty for missing)",
        ) from None
    unit = unit_key(r["unit"]) if str(r["unit"]).strip() else info["units"][0]
    if unit not in info["units"]:
        raise _Reject(
            "unit",
            r["unit"],
            f"unit {r['unit']!r} disagrees with the unit "
            f"{info['units'][0]!r} of {code}; convert the value to "
            f"{info['units'][0]} and write that unit",
        )
    if not info["lower"] <= value <= info["upper"]:
        raise _Reject(
            r["column"],
            r["value"],
            f"value {value:g} is outside the bounds "
            f"[{info['lower']:g}, {info['upper']:g}] of {code} ({info['units'][0]}); "
            "check the unit and the decimal mark",
        )
    _plausible(code, value, r)
    return {  # interned: a million rows share a few dozen strings (large imports stay small)
        "geo": place,
        "indicator": sys.intern(code),
        "year": year,
        "value": value + 0.0,  # -0 is stored as 0
        "unit": sys.intern(unit),
        "source": sys.intern(str(r["source"]).strip()),
        "note": r["note"],
        "line": r["line"],
    }


def _convert(r: dict, code: str) -> dict:
    target, factors = indicators.CONVERSIONS[code]
    unit = unit_key(r["unit"]) if str(r["unit"]).strip() else ""
    if unit not in factors:
        raise _Reject("unit", r["unit"], f"unit {r['unit']!r} of {code}: write per_1000 or percent")
    note = "; ".join(filter(None, [r["note"], f"converted from {code} ({unit or 'per_1000'})"]))
    return {**r, "indicator": target, "unit": "", "factor": r["factor"] * factors[unit], "note": note}


@lru_cache(maxsize=512)
def _catalogue_row(code: str) -> dict | None:
    """The catalogue row a store code is measured against: its base, else its first word (imr_male)."""
    cat = indicators.catalogue()
    info = series_info(code)
    for c in (info["base"] if info else code, code.split("_")[0]):
        if c in cat.index:
            return {"transform": str(cat.loc[c, "transform"]), "lower": float(cat.loc[c, "lower"])}
    return None


def _plausible(code: str, value: float, r: dict) -> None:
    if value != 0 and abs(value) < sys.float_info.min:
        raise _Reject(
            r["column"],
            r["value"],
            f"value {r['value']!r} of {code} is not plausible (denormal); fix the value",
        )
    row = _catalogue_row(code)
    if row and row["transform"] == "log" and value <= 0:
        raise _Reject(
            r["column"],
            r["value"],
            f"value {value:g} of {code} is not plausible: the series must be positive "
            "(a rate of 0 is a typo or a missing value); fix it or leave the cell empty",
        )


def implausible(
    rows: pd.DataFrame, file: str, reference: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, list[dict]]:
    """Split off rows implausibly far from the other years of their series.

    A series is one geo and indicator (all sources): ``rows`` plus ``reference`` (what is already
    stored: geo, indicator, year, value), one median value per year. A row is implausible when

    * it is more than :data:`IMPLAUSIBLE_FACTOR` times above (or below) the median of the other
      years within :data:`NEIGHBOUR_YEARS` of it (at least two of them): an isolated spike is a
      typo (unit, decimal mark), steady growth from a low base is not. Only ratio-scale catalogue
      series (log or identity transform, lower bound >= 0) are checked this way;
    * it is the file's last value (the last row of ``rows``) and more than :data:`LEVEL_FACTOR`
      times off the median of its series' other years (:func:`_level`): where a file cut short
      leaves a number cut short (``861.83`` -> ``86``).

    Returns
    -------
    tuple
        ``(kept_rows, quarantine_records)``.
    """
    if not len(rows):
        return rows, []
    ref = reference if reference is not None and len(reference) else rows.iloc[0:0]
    value = rows["value"].to_numpy(float)
    near = _neighbours(rows, ref)
    level = _level(rows, ref)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio, far = value / near, value / level
    f, g = IMPLAUSIBLE_FACTOR, LEVEL_FACTOR
    off = (near > 0) & ((ratio > f) | (ratio < 1 / f))
    cut = ~off & (level > 0) & (value > 0) & ((far > g) | (far < 1 / g))
    bad = [
        _record(
            file,
            r,
            f"more than {f:g} times off {m:g}, the median of its series within {NEIGHBOUR_YEARS} years",
        )
        for r, m in zip(rows[off].itertuples(), near[off])
    ] + [
        _record(
            file,
            r,
            f"the file's last value is more than {g:g} times off {m:g}, the median of the other years "
            "of its series (a file cut short ends this way)",
        )
        for r, m in zip(rows[cut].itertuples(), level[cut])
    ]
    return rows[~(off | cut)].reset_index(drop=True), bad


def _record(file: str, r: Any, why: str) -> dict:
    return {
        "file": file,
        "line": r.line,
        "column": "value",
        "value": f"{r.value:g}",
        "reason": f"value {r.value:g} of {r.indicator} in {r.geo} {r.year} is implausible: {why}; "
        "check the unit and the decimal mark",
    }


def _neighbours(rows: pd.DataFrame, ref: pd.DataFrame) -> np.ndarray:
    """The median of the years within :data:`NEIGHBOUR_YEARS` of each row (at least two of them),
    for the ratio-scale catalogue series (NaN elsewhere)."""
    checked = rows["indicator"].map(lambda c: _factor_checked(str(c))).to_numpy(bool)
    at = np.full(len(rows), np.nan)
    if not checked.any():
        return at
    both = pd.concat(
        [rows.loc[checked, ["geo", "indicator", "year", "value"]], ref[["geo", "indicator", "year", "value"]]]
    )
    series = both.groupby(["geo", "indicator"], sort=False, observed=True).ngroup().to_numpy(np.int64)
    keys = series * 10_000 + both["year"].to_numpy(np.int64)  # one int per series-year
    pool = pd.Series(both["value"].to_numpy(float)).groupby(keys).median()
    others = np.column_stack(
        [pool.reindex(pool.index + d).to_numpy() for d in range(-NEIGHBOUR_YEARS, NEIGHBOUR_YEARS + 1) if d]
    )
    enough = (~np.isnan(others)).sum(axis=1) >= 2
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN rows: no neighbours
        local = pd.Series(np.where(enough, np.nanmedian(others, axis=1), np.nan), index=pool.index)
    at[checked] = local.reindex(keys[: int(checked.sum())]).to_numpy()
    return at


def _level(rows: pd.DataFrame, ref: pd.DataFrame) -> np.ndarray:
    """The median of the other years of its series for the file's last value (NaN elsewhere).

    The last row of ``rows`` (the file's last cell that holds a value) is where a file cut short
    leaves a number cut short. Any series whose lower bound is not negative (catalogue or
    ``data/series.csv``) is checked, when at least :data:`LEVEL_YEARS` other years are known.
    """
    out = np.full(len(rows), np.nan)
    last = rows.iloc[-1]
    if not _level_checked(str(last["indicator"])):
        return out
    both = pd.concat(
        [rows[["geo", "indicator", "year", "value"]], ref[["geo", "indicator", "year", "value"]]]
    )
    mine = both[
        (both["geo"] == last["geo"])
        & (both["indicator"] == last["indicator"])
        & (both["year"] != last["year"])
    ]
    per_year = mine.groupby("year")["value"].median()
    if len(per_year) >= LEVEL_YEARS:
        out[-1] = float(per_year.median())
    return out


@lru_cache(maxsize=512)
def _level_checked(code: str) -> bool:
    info = series_info(code)
    return bool(info and float(info["lower"]) >= 0)


@lru_cache(maxsize=512)
def _factor_checked(code: str) -> bool:
    row = _catalogue_row(code)
    return bool(row and row["transform"] in _FACTOR_TRANSFORMS and row["lower"] >= 0)


def _suggest_code(code: str) -> str:
    import difflib

    known = list(indicators.catalogue().index) + list(auxiliary_series().index)
    close = difflib.get_close_matches(code, known, n=1)
    return (
        f"did you mean {close[0]!r}?"
        if close
        else "add it to data/series.csv or use a code of data/indicators.csv"
    )


def validate(
    raw: pd.DataFrame, file: str, geo_era: str = "auto"
) -> tuple[pd.DataFrame, pd.DataFrame, int, int]:
    """Split a raw frame into rows to store and rows to quarantine.

    Parameters
    ----------
    raw
        A frame from one of the readers (``RAW_COLUMNS``).
    file
        The file name written in the quarantine rows.
    geo_era
        ``auto``, ``2025`` or ``old`` (see the module docstring).

    Returns
    -------
    tuple
        ``(rows, quarantine, missing, duplicate)``: the good rows (``ROW_COLUMNS``), the
        quarantined ones (``QUARANTINE_COLUMNS``), the number of empty cells skipped and the
        number of exact repeats within the file.
    """
    rows, bad, missing = check_rows(raw, file, geo_era)
    return finish([rows], bad, missing, file)


def check_rows(raw: pd.DataFrame, file: str, geo_era: str = "auto") -> tuple[pd.DataFrame, list[dict], int]:
    """Check each row of a raw frame (or of one chunk of a large file) on its own.

    Returns ``(good_rows, quarantine_records, missing)``; :func:`finish` then applies the checks
    that need the whole file (conflicting values, implausible jumps).
    """
    good, bad, missing = [], [], 0
    columns = [raw[c].tolist() for c in raw.columns]  # far faster than to_dict("records")
    for values in zip(*columns):
        r = dict(zip(raw.columns, values))
        if r.get(PROBLEM):  # a cell of a cut line: refused whatever it holds, never "missing"
            bad.append(
                {
                    "file": file,
                    "line": r["line"],
                    "column": r["column"],
                    "value": str(r["value"]),
                    "reason": r[PROBLEM],
                }
            )
            continue
        if str(r["value"]).strip().lower() in MISSING and not r["note"].startswith("__fields:"):
            missing += 1
            continue
        try:
            good.append(_check_row(r, geo_era))
        except _Reject as e:
            bad.append(
                {"file": file, "line": r["line"], "column": e.column, "value": str(e.value), "reason": str(e)}
            )
    rows = pd.DataFrame(good, columns=ROW_COLUMNS[:-1])
    rows["quality"] = quality_column(rows["note"], rows["source"])
    return rows, bad, missing


def finish(
    parts: list[pd.DataFrame], bad: list[dict], missing: int, file: str
) -> tuple[pd.DataFrame, pd.DataFrame, int, int]:
    """Join the checked chunks of one file and apply the whole-file checks; return as :func:`validate`."""
    rows = _concat(parts)
    rows, conflicts, duplicate = _conflicts(rows, file)
    rows, jumps = implausible(rows, file)
    quarantine = pd.DataFrame(bad + conflicts + jumps, columns=QUARANTINE_COLUMNS)
    return rows, quarantine, missing, duplicate


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate chunks, keeping columns that are categorical in every chunk categorical."""
    if len(parts) == 1:
        return parts[0]
    columns = {}
    for c in parts[0].columns:
        if all(isinstance(p[c].dtype, pd.CategoricalDtype) for p in parts):
            columns[c] = union_categoricals([p[c] for p in parts])
        else:
            columns[c] = pd.concat([p[c] for p in parts], ignore_index=True)
    return pd.DataFrame(columns)


def _conflicts(rows: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[dict], int]:
    # Two outlets may disagree (they keep their own source); one source may not disagree with itself.
    key = ["geo", "indicator", "year", "source"]
    # Every copy of a conflicting row is quarantined with its twins (a third copy of one of two
    # clashing values is no "duplicate" of a stored row: none is stored); exact repeats elsewhere are.
    multi = rows.duplicated(key, keep=False).to_numpy()
    clash = np.zeros(len(rows), dtype=bool)
    if multi.any():
        values = rows[multi].groupby(key, sort=False, observed=True)["value"].transform("nunique")
        clash[multi] = values.to_numpy() > 1
    exact = ~clash & rows.duplicated(key + ["value"]).to_numpy()
    rows, clash, duplicate = rows[~exact], clash[~exact], int(exact.sum())
    bad = []
    for _, grp in rows[clash].groupby(key, sort=False):
        seen = ", ".join(f"{v:g} (line {ln})" for v, ln in zip(grp["value"], grp["line"]))
        for r in grp.itertuples():
            bad.append(
                {
                    "file": file,
                    "line": r.line,
                    "column": "value",
                    "value": f"{r.value:g}",
                    "reason": f"{r.geo} {r.indicator} {r.year} appears with different values "
                    f"in this file: {seen}; keep one row or give each its source",
                }
            )
    return rows[~clash].reset_index(drop=True), bad, duplicate
