"""Which observed series answers a target: one basis ladder, the province's own data first.

The order is

1. the province's own series of the target's indicator with at least :data:`MIN_OWN_POINTS`
   years: the variant whose definition the target's note states first (a plan excluding central
   hospitals picks ``*_dohs``; a note saying the plan leaves it open states nothing), then the
   catalogue code (``doctors_per_10k``: all facilities), then the variant with the latest data;
   the note says which definition was used when the province has several
   (:func:`definition_note`). Where the plan states a definition whose own series is short, its
   points anchor (rule 2) rather than a long series of another definition answering;
2. else the province's own points (one or two years, any source in the store): they are the
   **anchor**. A borrowed series only carries the province's last own level forward (a gap
   model whose uncertainty grows with the years since that point, as UN IGME and the JME pool
   countries: :mod:`forecast.assess.carry`): the province's own long series of another
   definition, else its GSO region's series, else the nation's. ``basis`` stays ``own``;
3. else the province's own series of the indicator that statistics publish for it
   (:data:`forecast.registry.indicators.STAND_INS`: EPI coverage is published as full immunisation of
   children under 1), with that definition: **indicative**;
4. else the series of the province's GSO socio-economic region (:func:`forecast.registry.geo.region_of`),
   basis ``regional``: GSO gives some indicators (life expectancy, sex ratio at birth) only for
   its six regions; **indicative**;
5. else the national series (basis ``national``), as context: UNICEF/WHO progress assessments
   and Open SDG platforms show the national line beside a sub-national gap; **indicative**;
6. else nothing (``no_data``, with the geos that do hold the indicator).

A point flagged low-confidence (``quality`` holds ``low_confidence``: Lào Cai's stunting 40.7 from
a thesis) never anchors or counts as an own year: it cannot move a series alone (:func:`usable`).
A regional series too short to forecast (one survey year of stunting) is not used as the basis:
the national series is, carried from the region's points (``anchor_geo`` names the region), so the
answer keeps the region's level and the nation's trend.

Two tiers (:data:`TIERS`): a row answered by the province's own data (possibly carried forward)
gets a ``verdict``; a row with no own point, or only a stand-in of another definition, is
``indicative``: its probability is shown with its basis but not counted in the headline.

Data of the province an old province was merged into on 1 July 2025 (``"Lào Cai (mới)"``) cover
a larger territory and are never used for the old province's target; ``successor`` names that
province and ``successor_year`` the latest year of its data newer than the series used.

The facts a report writes about the series travel as codes (house rule 10), never inside the
English ``definition`` sentence, which is kept for readers of the stored table only:
``definition_code`` (how the series' definition differs: :func:`definition_code`) and
``borrowed`` (why a borrowed series is used: one of :data:`BORROWED`), with ``geo`` and
``anchor_geo``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import pandas as pd

from forecast.errors import UnknownGeoError
from forecast.registry import geo, indicators

# Words in a target's note that point to a variant definition (see indicators.VARIANT_SUFFIXES).
NOTE_HINTS = {
    "_dohs": ("central", "trung ương", "sở y tế", "department of health", "doh"),
    "_gso": ("gso", "thống kê"),
    "_survey": ("survey", "điều tra"),
}
_OPEN = re.compile(r"does not say|not stated|whether|không nói rõ|không rõ")  # the note leaves it open
PROXY_PREFIX = "regional series"  # start of a proxy's definition
NATIONAL_GEO = "Việt Nam"
MIN_OWN_POINTS = 3  # fewer own years than the engine forecasts (transforms.MIN_POINTS)
_LISTED = 6  # geos named in a no-data reason before "and n more"
#: Why a borrowed series answers a target (``Choice.borrowed``): the region's, because its
#: publisher gives the indicator only for regions, or because the province has no series of its
#: own; the nation's, as context (neither province nor region has one), or because the
#: region's series is too short to forecast (then shifted to the level of ``anchor_geo``).
BORROWED = (
    "regional_only",
    "regional_no_own",
    "national_context",
    "national_short_region",
    "own_other_definition",
)
#: The two tiers of an assessment row: a verdict on the province's own data, or indicative only.
TIERS = ("verdict", "indicative")
LOW_CONFIDENCE = "low_confidence"  # quality flag of a point that cannot move a series alone


@dataclass(frozen=True)
class Choice:
    """The series chosen for a target: ``series`` is empty when there is none.

    ``geo`` is the geo of the series (the region or the nation when borrowed), ``definition``
    how the series differs from the target's definition, ``basis`` whose series it is (``own``,
    ``regional``, ``national``; empty without a series), ``anchor`` the short series a borrowed
    one is shifted to (empty: no shift), ``anchor_geo`` its geo (the target's province, or
    the region whose short series shifts the national one; empty without a shift), ``successor`` the merged 2025
    province of the target's province and ``successor_year`` the latest year of its data newer
    than the series used (None: none), ``note`` the sentence(s) the reason carries.
    ``definition_code`` says how the series' definition differs from the target's
    (:func:`definition_code`; empty: the same), ``borrowed`` why a borrowed series is used
    (:data:`BORROWED`; empty for an own series). ``anchor_geo`` is set whenever ``anchor`` is.
    ``base`` and ``anchor_base`` are the keys (base indicators) under which ``series`` and
    ``anchor`` are grouped, ``tier`` is one of :data:`TIERS` (empty without a series).
    """

    geo: str
    series: str = ""
    definition: str = ""
    basis: str = ""
    note: str = ""
    anchor: str = ""
    anchor_geo: str = ""
    successor: str = ""
    successor_year: int | None = None
    definition_code: str = ""
    borrowed: str = ""
    base: str = ""
    anchor_base: str = ""
    tier: str = ""

    @property
    def proxy(self) -> bool:
        """Whether the series is borrowed from the region or the nation."""
        return self.basis in ("regional", "national")

    @property
    def carried(self) -> bool:
        """Whether the province's own points are carried forward by another series."""
        return bool(self.anchor) and self.basis == "own"


def choose_series(candidates: pd.DataFrame, code: str, note: str) -> str | None:
    """Prefer the variant whose definition the target's note states, then the catalogue code, then
    the freshest variant. A note that says the plan leaves the definition open hints nothing."""
    if candidates is None or candidates.empty:
        return None

    def rank(series: str) -> tuple:
        rows = candidates[candidates["indicator"] == series]
        return (not hinted_variant(series, note), series != code, -rows["year"].max(), -len(rows), series)

    return min(candidates["indicator"].unique(), key=rank)


def hinted_variant(series: str, note: str) -> bool:
    """Whether the target's note states the definition of the variant ``series`` (``*_dohs`` …)."""
    sentences = [s for s in re.split(r"(?<=[.;])\s+", note.lower()) if not _OPEN.search(s)]
    return any(
        series.endswith(suffix) and any(w in s for s in sentences for w in words)
        for suffix, words in NOTE_HINTS.items()
    )


def definition_note(rows: pd.DataFrame, series: str, code: str, note: str) -> str:
    """Say which definition answers the target when the province has several (all facilities, DOH only)."""
    others = sorted(set(rows["indicator"]) - {series})
    if not others or not any(indicators.base_indicator(o)[0] == code for o in others):
        return ""
    if hinted_variant(series, note):
        return f"{series} is used: its definition ({_definition(rows, series)}) is the one the plan states"
    return f"{series} is used ({_definition(rows, series) or 'the catalogue definition'}); also held: {', '.join(others)}"


def usable(rows: pd.DataFrame | None) -> pd.DataFrame | None:
    """The rows that may anchor or count as own years: without low-confidence points.

    A low-confidence point (a thesis' figure) cannot move a series alone: it is left out of the
    ladder's own years and never anchors a borrowed series.
    """
    if rows is None or "quality" not in rows.columns:
        return rows
    kept = rows[~rows["quality"].fillna("").astype(str).str.contains(LOW_CONFIDENCE)]
    return kept if len(kept) else None


def choose(target: dict, groups: dict[tuple[str, str], pd.DataFrame]) -> Choice:
    """Return the series for one registry target (the order of the module docstring).

    Parameters
    ----------
    target
        A registry row (``province``, ``indicator``, ``note``).
    groups
        Observations grouped by ``(geo, base_indicator)``, each with columns ``indicator``,
        ``year``, ``value`` and ``definition`` (``source`` and ``quality`` optional).
    """
    province, code = target["province"], target["indicator"]
    hint = str(target.get("note") or "")
    own = usable(groups.get((province, code)))
    full = stated = None
    if own is not None:
        full = own[own.groupby("indicator")["year"].transform("nunique") >= MIN_OWN_POINTS]
        stated = own[[hinted_variant(str(c), hint) for c in own["indicator"]]]
    series = choose_series(full, code, hint)
    if series is not None and stated is not None and len(stated) and series not in set(stated["indicator"]):
        series = None  # the plan's own definition is short: its points anchor (rule 2)
    if series is not None and own is not None:
        choice = Choice(
            province,
            series,
            _definition(own, series),
            "own",
            definition_note(own, series, code, hint),
            definition_code=definition_code(series, code),
            base=code,
            tier="verdict",
        )
        return _with_successor(choice, province, code, groups, own)
    short = choose_series(stated if stated is not None and len(stated) else own, code, hint)
    if short is not None and own is not None:
        carried = _carried(province, code, hint, groups, own, short)
        return _with_successor(carried, province, code, groups, own[own["indicator"] == short])
    stand_in = _stand_in(province, code, hint, groups)
    if stand_in is not None:
        return stand_in
    borrowed = _borrowed(province, code, hint, groups) or _borrowed_stand_in(province, code, hint, groups)
    if borrowed is not None:
        rows = groups[(borrowed.geo, borrowed.base)]
        return _with_successor(borrowed, province, code, groups, rows[rows["indicator"] == borrowed.series])
    return _with_successor(
        Choice(province, note=no_data_reason(province, code, groups)), province, code, groups
    )


def _carried(province: str, code: str, hint: str, groups: dict, own: pd.DataFrame, short: str) -> Choice:
    """The province's short own series ``short`` carried forward by another series (rule 2).

    The carrier is the province's own long series of another definition, else the region's,
    else the nation's series (:func:`_borrowed`); without one the short series answers alone
    (too short to forecast: insufficient data).
    """
    code_of_short = definition_code(short, code)
    others = own[own["indicator"] != short]
    other = choose_series(
        others[others.groupby("indicator")["year"].transform("nunique") >= MIN_OWN_POINTS], code, ""
    )
    carrier: Choice | None = None
    if other is not None:
        carrier = Choice(
            province,
            other,
            _definition(own, other),
            "own",
            f"{province}'s own {short} points are carried forward by its {other} series (another definition)",
            definition_code=code_of_short,
            borrowed="own_other_definition",
            base=code,
        )
    else:
        carrier = _borrowed(province, code, hint, groups, short)
    if carrier is None:
        return Choice(
            province,
            short,
            _definition(own, short),
            "own",
            definition_code=code_of_short,
            base=code,
            tier="verdict",
        )
    note = f"{carrier.note}; carried forward from {province}'s own {short} points"
    return replace(
        carrier,
        basis="own",
        note=note,
        anchor=short,
        anchor_geo=province,
        anchor_base=code,
        definition_code=code_of_short,
        tier="verdict",
    )


def _borrowed(province: str, code: str, hint: str, groups: dict, own: str | None = None) -> Choice | None:
    """The region's series of ``code``, else the nation's (rules 3 and 4), or None.

    ``own`` names the province's short series, if any: the borrowed series is shifted by its gap.
    A regional series too short to forecast gives way to the national one, shifted by the
    province's points or else the region's; it is kept only when the nation has none.
    """
    region = _region(province)
    short: Choice | None = None
    for geo_name, basis in ((region, "regional"), (NATIONAL_GEO, "national")):
        rows = usable(groups.get((geo_name, code))) if geo_name else None
        series = choose_series(rows, code, hint)
        if series is None or rows is None or geo_name is None:
            continue
        kind, why = _why_borrowed(basis, geo_name, code, rows, groups, short, own)
        note = f"no provincial series for {code} in {province}: the {basis} series of {geo_name} is used"
        if short is not None:
            note = (
                f"no provincial series for {code} in {province} and the regional series of {short.geo} "
                f"is too short to forecast: the national series of {geo_name} is used"
            )
        choice = Choice(
            geo_name,
            series,
            _join(why, _definition(rows, series)),
            basis,
            note,
            definition_code=definition_code(series, code),
            borrowed=kind,
            base=code,
            tier="indicative",
        )
        if basis == "regional" and rows.loc[rows["indicator"] == series, "year"].nunique() < MIN_OWN_POINTS:
            short = choice  # too short to forecast: try the nation's trend at the region's level
            continue
        return _shifted(choice, province, own, short)
    return _shifted(short, province, own, None) if short is not None else None


def _why_borrowed(
    basis: str,
    geo_name: str,
    code: str,
    rows: pd.DataFrame,
    groups: dict,
    short: Choice | None,
    own: str | None,
) -> tuple[str, str]:
    """The :data:`BORROWED` code of a borrowed series and its English definition sentence."""
    if basis == "regional":
        kind = "regional_only" if regional_only(code, rows, groups) else "regional_no_own"
        return kind, proxy_definition(geo_name, code, rows, groups)
    if short is not None:
        level = "province" if own else f"regional series ({short.geo})"
        return "national_short_region", (
            f"national series ({geo_name}) shifted to the level of the {level}: the regional series "
            f"has fewer than {MIN_OWN_POINTS} years"
        )
    return (
        "national_context",
        f"national series ({geo_name}) shown as context: no provincial or regional series",
    )


def _borrowed_stand_in(province: str, code: str, hint: str, groups: dict) -> Choice | None:
    """The region's (else the nation's) series of the indicator that stands in for ``code``."""
    alt, meaning = indicators.STAND_INS.get(code, ("", ""))
    choice = _borrowed(province, alt, hint, groups) if alt else None
    if choice is None:
        return None
    note = f"{choice.note.replace(f'for {alt} ', f'for {code} ', 1)}; {choice.series} stands in for {code}"
    return replace(
        choice,
        definition=_join(meaning, choice.definition),
        note=note,
        definition_code=alt,
        tier="indicative",
    )


def _shifted(choice: Choice, province: str, own: str | None, short: Choice | None) -> Choice:
    """Anchor a borrowed series on the province's own short series, else on the short regional one."""
    if own:
        note = f"{choice.note}, carried from {province}'s own {own} points"
        return replace(choice, anchor=own, anchor_geo=province, anchor_base=choice.base, note=note)
    if short is not None:
        note = f"{choice.note}, carried from the regional {short.series} points"
        return replace(choice, anchor=short.series, anchor_geo=short.geo, anchor_base=short.base, note=note)
    return choice


def _stand_in(province: str, code: str, hint: str, groups: dict) -> Choice | None:
    """The province's series of the indicator published for ``code``, if any (rule 2)."""
    alt, meaning = indicators.STAND_INS.get(code, ("", ""))
    rows = groups.get((province, alt)) if alt else None
    series = choose_series(rows, alt, hint)
    if series is None or rows is None:
        return None
    note = f"no series of {code} in {province}: {series} stands in for it"
    choice = Choice(
        province,
        series,
        _join(meaning, _definition(rows, series)),
        "own",
        note,
        definition_code=alt,
        base=alt,
        tier="indicative",
    )
    return _with_successor(choice, province, alt, groups, rows[rows["indicator"] == series])


def _with_successor(
    choice: Choice, province: str, code: str, groups: dict, used: pd.DataFrame | None = None
) -> Choice:
    """Name the province's merged 2025 province and the latest year of its data newer than ``used``."""
    successor = _successor(province) or ""
    if not successor:
        return choice
    latest = None if used is None or used.empty else int(used["year"].max())
    rows = groups.get((successor, code))
    newer = [] if rows is None else [int(y) for y in rows["year"] if latest is None or y > latest]
    return replace(choice, successor=successor, successor_year=max(newer) if newer else None)


def related_geos(provinces: set[str]) -> set[str]:
    """The provinces, their regions and the nation (borrowed series), their merged 2025 provinces."""
    return (
        set(provinces)
        | {r for r in map(_region, provinces) if r}
        | {s for s in map(_successor, provinces) if s}
        | {NATIONAL_GEO}
    )


def proxy_definition(
    region: str, code: str, rows: pd.DataFrame, groups: dict[tuple[str, str], pd.DataFrame]
) -> str:
    """Say which regional series stands in for the province and why.

    E.g. ``regional series (Vùng Đồng bằng sông Hồng) used as a proxy: GSO yearbook gives life
    expectancy at birth only for regions`` when the publisher of the regional series has no
    provincial series of the indicator (scattered provincial facts from other outlets aside):
    :func:`regional_only`.
    """
    why = (
        f"{_publisher(rows)} gives {_name(code)} only for regions"
        if regional_only(code, rows, groups)
        else "the province has no series of its own"
    )
    return f"{PROXY_PREFIX} ({region}) used as a proxy: {why}"


def regional_only(code: str, rows: pd.DataFrame, groups: dict[tuple[str, str], pd.DataFrame]) -> bool:
    """Whether the publisher of the regional series ``rows`` gives ``code`` for no province."""
    publisher = _publisher(rows)
    return not any(
        c == code and publisher in _publishers(r) and _is_province(g) for (g, c), r in groups.items()
    )


def definition_code(series: str, code: str = "") -> str:
    """How a store series' definition differs from the target indicator ``code``'s, as a code.

    ``""`` for the catalogue definition (or a series outside the lists); the stand-in series'
    code when ``series`` measures the indicator that stands in for ``code``
    (``"full_immunization_u1"`` for ``epi_coverage``, :data:`forecast.registry.indicators.STAND_INS`);
    the variant suffix for a variant (``"_dohs"`` for ``beds_per_10k_dohs``, keys of
    :data:`forecast.registry.indicators.VARIANT_SUFFIXES`); the series code itself for an
    auxiliary series of ``data/series.csv`` measuring a catalogue indicator with a definition of
    its own (``nurses_midwives_per_10k``).
    """
    alt = indicators.STAND_INS.get(code, ("", ""))[0]
    if series and alt and indicators.base_indicator(series)[0] == alt:
        return alt
    if not series or series in indicators.catalogue().index:
        return ""
    base, _ = indicators.base_indicator(series)
    if base != series:
        return series[len(base) :]
    info = indicators.series_info(series)
    return series if info and info["definition"] and info["base"] != series else ""


def no_data_reason(province: str, code: str, groups: dict[tuple[str, str], pd.DataFrame]) -> str:
    """Explain a target without data: which geos hold the indicator, and why none is used."""
    text = f"no provincial, regional or national series for {code} in {province}; the public files hold "
    holders = sorted({g for g, c in groups if c == code}, key=geo.normalize_name)
    if not holders:
        return f"{text}no series of {_name(code)} for any geo"
    national = [g for g in holders if geo.geo_type(g) == "country"]
    others = [g for g in holders if g not in national]
    shown = ", ".join(others[:_LISTED]) + (
        f" and {len(others) - _LISTED} more" if len(others) > _LISTED else ""
    )
    where = f"for {shown}" if others else "only"
    if national:
        where += f"{' and' if others else ''} nationally ({', '.join(national)})"
    return f"{text}{_name(code)} {where}"


def _definition(rows: pd.DataFrame, series: str) -> str:
    value = (
        rows.loc[rows["indicator"] == series, "definition"].iloc[0] if "definition" in rows.columns else ""
    )
    return "" if pd.isna(value) else str(value)


def _region(province: str) -> str | None:
    try:
        return geo.region_of(province)
    except UnknownGeoError:
        return None


def _successor(province: str) -> str | None:
    p = geo.provinces()
    after = p.loc[p["name"] == province, "province_2025"]
    name = after.iloc[0] if len(after) else ""
    return name if name and name != province else None


def _name(code: str) -> str:
    cat = indicators.catalogue()
    name = str(cat.loc[code, "name_en"]) if code in cat.index else code
    return name if name[1:2].isupper() else name[:1].lower() + name[1:]  # keep "BHYT …"


def _short_source(source: object) -> str:
    return str(source).split(";")[0].replace("[preliminary]", "").strip()


def _publisher(rows: pd.DataFrame) -> str:
    """The outlet of a series' latest row, e.g. ``GSO yearbook``."""
    if "source" not in rows.columns or rows.empty:
        return "the public data"
    return _short_source(rows.sort_values("year")["source"].iloc[-1]) or "the public data"


def _publishers(rows: pd.DataFrame) -> set[str]:
    if "source" not in rows.columns:
        return {"the public data"}
    return {_short_source(s) for s in rows["source"].unique()}


def is_province(name: str) -> bool:
    """Whether ``name`` is a province or centrally-run city (not a region or the nation)."""
    try:
        return geo.geo_type(name) in ("province", "city")
    except UnknownGeoError:
        return False


_is_province = is_province


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)
