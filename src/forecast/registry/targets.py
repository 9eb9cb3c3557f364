"""The target registry (``data/targets.csv``): every numeric target of the seed plans, validated.

Each row is one target exactly as a plan wrote it: ``plan_id, province, indicator, year,
comparator, value, value_high, unit, kind, quote, note``. ``kind`` separates the targets that
are forecast (``outcome``) from those that are only recorded (``milestone``, ``activity``,
``qualitative``).
"""

from __future__ import annotations

import math
import os
from functools import lru_cache
from pathlib import Path

import pandas as pd

from forecast import config
from forecast.errors import DataFileError, ForecastError, ValidationError
from forecast.registry import geo, indicators

COLUMNS = [
    "plan_id",
    "province",
    "indicator",
    "year",
    "comparator",
    "value",
    "value_high",
    "unit",
    "kind",
    "quote",
    "note",
]
COMPARATORS = (">=", "<=", ">", "<")
KINDS = ("outcome", "milestone", "activity", "qualitative")
#: Optional columns, kept when present: ``caveat_vi`` is the Vietnamese wording of a source anomaly
#: named in ``note`` (shown in Vietnamese briefs, :func:`forecast.report.pages.sentences.caveats`).
OPTIONAL = ["caveat_vi"]


def load_targets(path: str | os.PathLike | None = None) -> pd.DataFrame:
    """Read and validate the target registry.

    Parameters
    ----------
    path
        A registry CSV; defaults to ``data/targets.csv``.

    Returns
    -------
    pandas.DataFrame
        One row per target with the registry columns (``year`` int, ``value``/``value_high``
        float), the :data:`OPTIONAL` columns (empty strings when the file lacks them) and
        ``line``, the row's line number in the file.

    Raises
    ------
    ValidationError
        On the first bad row, naming file, line, column, the bad value and the fix.

    Examples
    --------
    >>> import forecast
    >>> targets = forecast.load_targets()
    >>> targets.groupby("plan_id").size()  # doctest: +SKIP
    """
    path = Path(path) if path else config.TARGETS_CSV
    try:
        stat = path.stat()
    except OSError as e:
        raise _unreadable(path, e) from e
    # read and validated once per version of the file (a notebook asks at every run; an edit is seen)
    return _load(str(path), stat.st_mtime_ns, stat.st_size).copy()


def _unreadable(path: Path, e: Exception) -> DataFileError:
    return DataFileError(f"{path}: cannot read the registry ({e}); check the file is UTF-8 CSV")


@lru_cache(maxsize=4)
def _load(file: str, mtime_ns: int, size: int) -> pd.DataFrame:
    path = Path(file)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as e:
        raise _unreadable(path, e) from e
    missing = [c for c in COLUMNS if c not in raw.columns]
    if missing:
        raise ValidationError(
            f"missing columns {missing}; the header must hold {COLUMNS}", file=str(path), line=1
        )
    raw = raw.assign(**{c: "" for c in OPTIONAL if c not in raw.columns})
    rows = [
        _validate_row(r, str(path), i + 2) for i, r in enumerate(raw[COLUMNS + OPTIONAL].to_dict("records"))
    ]
    df = pd.DataFrame(rows, columns=COLUMNS + OPTIONAL + ["line"])
    _check_duplicates(df, str(path))
    return df.astype({"year": "int64", "value": "float64", "value_high": "float64"})


def _number(row: dict, column: str, file: str, line: int) -> float:
    text = row[column].strip()
    if not text:
        return math.nan
    try:
        return float(text.replace(",", ".")) if text.count(",") == 1 and "." not in text else float(text)
    except ValueError:
        raise ValidationError(
            f"{column} {text!r} is not a number; write it like 75.4",
            file=file,
            line=line,
            column=column,
            value=text,
        ) from None


def _validate_row(row: dict, file: str, line: int) -> dict:
    def fail(column: str, message: str) -> ValidationError:
        return ValidationError(message, file=file, line=line, column=column, value=row[column])

    if row["kind"] not in KINDS:
        raise fail("kind", f"kind {row['kind']!r} is not one of {', '.join(KINDS)}")
    try:
        row["province"] = geo.resolve_geo(row["province"])
    except ForecastError as e:
        raise fail("province", str(e)) from None
    try:
        info = indicators.indicator(row["indicator"])
    except ForecastError as e:
        raise fail("indicator", str(e)) from None
    if not row["year"].isdigit() or not 1990 <= int(row["year"]) <= 2100:
        raise fail("year", f"year {row['year']!r} is not a year between 1990 and 2100")
    value, high = _number(row, "value", file, line), _number(row, "value_high", file, line)
    if row["kind"] == "qualitative":
        return {**row, "value": value, "value_high": high, "line": line}
    if row["comparator"] not in COMPARATORS:
        raise fail("comparator", f"comparator {row['comparator']!r} is not one of {', '.join(COMPARATORS)}")
    if math.isnan(value):
        raise fail("value", "value is empty; a non-qualitative target needs a number")
    if row["unit"] != info["unit"]:
        raise fail(
            "unit",
            f"unit {row['unit']!r} disagrees with the catalogue unit {info['unit']!r} "
            f"of {row['indicator']}; convert the value to {info['unit']}",
        )
    _check_bounds(row, info, value, high, fail)
    return {**row, "value": value, "value_high": high, "line": line}


def _check_bounds(row: dict, info: pd.Series, value: float, high: float, fail) -> None:
    lo, hi = info["lower"], info["upper"]
    for column, v in (("value", value), ("value_high", high)):
        if not math.isnan(v) and not (lo <= v <= hi):
            raise fail(
                column,
                f"{column} {v:g} is outside the bounds [{lo:g}, {hi:g}] of "
                f"{row['indicator']} ({info['unit']}); check the unit or the decimal mark",
            )
    if not math.isnan(high) and high < value:
        raise fail(
            "value_high",
            f"value_high {high:g} is below value {value:g}; a range is written low value, high value_high",
        )


def _check_duplicates(df: pd.DataFrame, file: str) -> None:
    # Qualitative aims carry no number, so several may share an indicator code and year.
    numeric = df[df["kind"] != "qualitative"]
    dup = numeric[numeric.duplicated(["plan_id", "indicator", "year"], keep="first")]
    if len(dup):
        r = dup.iloc[0]
        first = numeric[
            (numeric.plan_id == r.plan_id) & (numeric.indicator == r.indicator) & (numeric.year == r.year)
        ].iloc[0]
        raise ValidationError(
            f"duplicate target ({r.plan_id}, {r.indicator}, {r.year}), first on line {first.line}; "
            "keep one row per plan, indicator and year",
            file=file,
            line=int(r.line),
            column="indicator",
            value=r.indicator,
        )


def select_targets(
    targets: pd.DataFrame,
    province: str | None = None,
    year: int | None = None,
    indicator: str | None = None,
    kind: str | None = None,
) -> pd.DataFrame:
    """Return the targets matching every filter given (province names are resolved first).

    Parameters
    ----------
    targets
        The registry (:func:`load_targets`).
    province
        A province in any spelling (``"lam dong"``); default every province.
    year, indicator, kind
        A target year, an indicator code (``"imr"``) and a kind (``outcome``, ``milestone``,
        ``activity``, ``qualitative``); default any.

    Returns
    -------
    pandas.DataFrame
        The matching rows, renumbered.

    Examples
    --------
    >>> import forecast
    >>> forecast.select_targets(forecast.load_targets(), "Lâm Đồng", year=2025, kind="outcome")  # doctest: +SKIP
    """
    mask = pd.Series(True, index=targets.index)
    if province:
        mask &= targets["province"] == geo.resolve_geo(province)
    if year:
        mask &= targets["year"] == int(year)
    if indicator:
        mask &= targets["indicator"] == indicator
    if kind:
        mask &= targets["kind"] == kind
    return targets[mask].reset_index(drop=True)


def summarize_targets(targets: pd.DataFrame) -> pd.DataFrame:
    """Return the number of targets per plan, year and kind (the registry summary)."""
    out = targets.groupby(["plan_id", "province", "year", "kind"]).size().unstack("kind", fill_value=0)
    return out.reset_index().rename_axis(columns=None)


# --- what a target means -------------------------------------------------------------------------

#: The plans' words before a number and the comparator each means, longest phrase first. One rule
#: per phrase: "giảm còn" / "còn" / "không quá" (reduce to, at most) is a ceiling met at the value;
#: "dưới" (below) and "còn dưới" / "còn <" a strict ceiling; "trên" (above, also in "duy trì ...
#: trên": keep above) a strict floor; "đạt" / "tối thiểu" / "khoảng" (reach, at least, about) a floor
#: met at the value. A range "đạt 25 - 27" is a floor at its low end: ``value_high`` is the plan's
#: aspiration, never a ceiling (:func:`target_meaning`).
WORDING = (
    ("ít nhất", ">="),
    ("còn dưới", "<"),
    ("còn <", "<"),
    ("còn ≤", "<="),
    ("không quá", "<="),
    ("giảm còn", "<="),
    ("tối thiểu", ">="),
    ("dưới", "<"),
    ("trên", ">"),
    ("còn", "<="),
    ("<", "<"),
    ("≤", "<="),
    ("đạt", ">="),
    ("khoảng", ">="),
)


#: Verbs that open a clause and govern the numbers listed after them ("Đạt 30 giường; 10 bác sĩ";
#: "duy trì ... <112": keep, read by the phrase before the number).
_CLAUSE_VERBS = (("phấn đấu đạt", ">="), ("đạt", ">="))


def _written(value: float) -> list[str]:
    """How a plan writes ``value``, most specific first: ``5,0``, ``5``, ``05`` (decimal comma)."""
    text = f"{value:g}".replace(".", ",")
    forms = [f"{value:.1f}".replace(".", ","), text, f"0{text}" if value < 10 else text]
    return sorted(dict.fromkeys(forms), key=len, reverse=True)


def comparator_from_words(quote: str, value: float, value_high: float = math.nan) -> str | None:
    """The comparator the plan's words give a target (:data:`WORDING`), or None when they say none.

    The words read are those just before the number (the low end of a range "25 - 27"); a number
    with no phrase before it in its clause ("100% trạm y tế ...", "Đạt 30 giường; 10 bác sĩ")
    inherits the clause's verb, so None is returned and the registry's reading stands.
    """
    import re

    low = quote.lower()
    for text in _written(value):
        for m in re.finditer(rf"(?<![\d,]){re.escape(text)}(?![\d]|,\d)", low):
            after = low[m.end() : m.end() + 8]
            if not math.isnan(value_high) and not re.match(r"\s*-\s*\d", after):
                continue  # a range's low end is followed by " - high"
            sentence = re.split(r"(?<!\d)[.\n](?!\d)", low[: m.start()])[-1]
            before = re.split(r"[;:(]", sentence)[-1].rstrip()
            if re.match(r"\s*tuổi", after) and before.endswith(("dưới", "trên", "từ")):
                continue  # an age group ("dưới 5 tuổi"), not the target
            for phrase, comparator in WORDING:
                if before.endswith(phrase):
                    return comparator
            if re.fullmatch(r"[\s\-]*", re.split(r"[;,]", sentence)[-1]):
                for verb, comparator in _CLAUSE_VERBS:  # a listed number: the clause's verb
                    if sentence.strip(" -").startswith(verb):
                        return comparator
    return None


def target_meaning(comparator: str, value_high: float = math.nan) -> str:
    """What a target asks for: ``floor`` (reach at least; a range's low end), ``strict_floor``
    (above), ``ceiling`` (at most: "giảm còn", "không quá") or ``strict_ceiling`` (below: "dưới").

    The direction a target pulls the indicator (:func:`target_direction`) follows from it; a
    range ``value``-``value_high`` is a floor at ``value`` whatever its high end.
    """
    return {">=": "floor", ">": "strict_floor", "<=": "ceiling", "<": "strict_ceiling"}[comparator]


def target_direction(comparator: str) -> int:
    """+1 when a target asks the indicator to be high enough (floors), -1 when low enough."""
    return 1 if comparator in (">=", ">") else -1
