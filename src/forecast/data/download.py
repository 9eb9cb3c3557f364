"""The two statistical publishers: GSO/NSO (PX-Web) and the World Bank (WDI).

Readers of their exports (:func:`read_gso`, :func:`read_wdi`) turn a file into the raw frame
that :func:`forecast.validate.validate` checks, like the tidy reader of :mod:`forecast.data`.

GSO PX-Web tables have provinces in rows (Vietnamese or English names, region and "WHOLE
COUNTRY" rows), years in columns, footnote marks ("Prel. 2016", "2012(**)"), ".." or "-" for
missing, thousands separators, a quoted title line, ``;`` or ``,`` as delimiter (``;`` files use
the decimal comma) and sometimes several dimensions in one header ("Total 1995", "Male 1995"):
the total is kept unless ``select`` names another. The indicator comes from ``indicator`` or the
title (:data:`GSO_TITLES`), the unit from the title's parenthesis. WDI bulk CSVs
(``API_<code>_DS2_en_csv_v2_*.csv``) give Viet Nam's row as geo ``VN``, the code mapped and scaled
by :data:`WDI_CODES`.

Online clients save the raw download beside the store (``<store>.downloads/``; a PX-Web CSV is
saved after its table title, as the portal exports it) and import it through the same path
(:func:`forecast.store.import_files`). Sessions and clients are injectable so that tests replay
recorded responses and never touch the network. PX-Web v1: ``GET <host>/pxweb/api/v1/<lang>/
<table>`` returns the table's variables; ``POST`` of ``{"query": [...], "response": {"format":
"csv"}}`` returns the table. gso.gov.vn and nso.gov.vn both serve it and both sometimes answer
403 or time out: each host is tried a few times with exponential backoff, and the error says
what happened.
"""
from __future__ import annotations

import os
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from forecast import config
from forecast.data import readers
from forecast.registry import geo
from forecast.registry import indicators
from forecast.data import validate
from forecast.errors import DataFileError
from forecast.log import logger

# WDI code -> (store indicator, factor to its unit).
WDI_CODES = {
    "SP.DYN.LE00.IN": ("life_expectancy", 1.0), "SP.DYN.IMRT.IN": ("imr", 1.0),
    "SH.DYN.MORT": ("u5mr", 1.0), "SH.STA.STNT.ZS": ("stunting_u5", 1.0),
    "SH.STA.MALN.ZS": ("underweight_u5", 1.0), "SH.STA.OWGH.ZS": ("overweight_u5", 1.0),
    "SH.STA.WAST.ZS": ("wasting_u5", 1.0), "SH.MED.BEDS.ZS": ("beds_per_10k", 10.0),
    "SH.MED.PHYS.ZS": ("doctors_per_10k", 10.0), "SH.MED.NUMW.P3": ("nurses_midwives_per_10k", 10.0),
    "SH.XPD.OOPC.CH.ZS": ("oop_share", 1.0), "SP.POP.GROW": ("pop_growth", 1.0),
    "SH.IMM.IDPT": ("dpt3_coverage", 1.0), "SH.IMM.MEAS": ("measles_coverage", 1.0),
    "SP.DYN.TFRT.IN": ("tfr", 1.0), "SP.DYN.CBRT.IN": ("crude_birth_rate", 1.0),
    "SP.DYN.CDRT.IN": ("crude_death_rate", 1.0),
}
# GSO table titles -> indicator (first match wins; lower-case ASCII patterns).
GSO_TITLES = [
    (r"infant mortality|ty suat chet cua tre em duoi 1", "imr"),
    (r"under.?five mortality|duoi 5 tuoi", "u5mr"), (r"life expectancy|tuoi tho", "life_expectancy"),
    (r"average population|dan so trung binh", "population_avg"),
    (r"total fertility|tong ty suat sinh", "tfr"), (r"sex ratio at birth", "srb"),
    (r"sex ratio", "sex_ratio_population"), (r"population growth", "pop_growth"),
    (r"crude birth", "crude_birth_rate"), (r"crude death", "crude_death_rate"),
    (r"patient beds under provincial", "beds_dohs_count"),
    (r"immuni[sz]ed fully|tiem chung day du", "full_immunization_u1"),
]

_MARKERS = re.compile(r"\(\*+\)|\*+|\b(prel\.?|preliminary|so bo|sơ bộ)", re.IGNORECASE)


def indicator_from_title(title: str) -> str | None:
    """Return the indicator a GSO table title names ("Infant mortality rate by province" -> imr)."""
    text = unicodedata.normalize("NFKD", title.replace("Đ", "D").replace("đ", "d"))
    plain = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return next((code for pattern, code in GSO_TITLES if re.search(pattern, plain)), None)


def _split_header(cell: str) -> tuple[int | None, str, bool]:
    match = re.search(r"(?<!\d)(19|20)\d{2}(?!\d)", cell)
    if not match:
        return None, cell, False
    rest = cell[: match.start()] + " " + cell[match.end():]
    prelim = bool(re.search(r"prel|sơ bộ|so bo", rest, re.IGNORECASE))
    label = re.sub(r"\s+", " ", _MARKERS.sub(" ", rest)).strip(" .()")
    return int(match.group()), label, prelim


def read_gso(rows: list, name: str, opts: readers.ImportOptions, decimal: str = ".") -> pd.DataFrame:
    """Return the raw frame of a GSO PX-Web table (provinces in rows, years in columns)."""
    hidx = next((i for i, (_, c) in enumerate(rows) if sum(_split_header(x)[0] is not None
                                                             for x in c[1:]) >= 1), None)
    if hidx is None:
        raise DataFileError(f"{name}: no header row with years found; a GSO table has provinces "
                            "in rows and years in columns (or use --format tidy)")
    title = next((" ".join(c) for _, c in rows[:hidx] if any(c)), "").strip().strip('"')
    indicator = opts.indicator or indicator_from_title(title)
    if not indicator:
        raise DataFileError(f"{name}: cannot tell the indicator from the title {title!r}; "
                            "pass --indicator CODE")
    columns = _gso_columns(rows[hidx][1], name, opts.select)
    unit = next((validate.unit_key(u) for u in re.findall(r"\(([^)]*)\)", title)
                 if validate.unit_key(u) in _known_units()), "")
    source = opts.source or f"GSO PX-Web: {title or name}; {name}"
    out = []
    for line, cells in rows[hidx + 1:]:
        place = re.sub(r"\(\*+\)|\*+", "", cells[0] if cells else "").strip()
        values = [(j, cells[j]) for j in columns if j < len(cells)]
        if not place or all(v.lower() in validate.MISSING for _, v in values):
            continue  # blank or footnote line
        for j, v in values:
            year, _, prelim = columns[j]
            out.append([place, indicator, str(year), v, unit, source, "preliminary" if prelim else "",
                        line, rows[hidx][1][j], 1.0, decimal])
    return pd.DataFrame(out, columns=readers.RAW_COLUMNS)


def _gso_columns(header: list[str], name: str, select: str | None) -> dict[int, tuple]:
    cols = {j: _split_header(h) for j, h in enumerate(header) if j and _split_header(h)[0]}
    labels = {lab for _, lab, _ in cols.values()}
    if len(labels) == 1 and not select:
        return cols
    wanted = {geo.normalize_name(select)} if select else {"total", "tongso", "", "canuoc"}
    keep = {j: c for j, c in cols.items() if geo.normalize_name(c[1]) in wanted}
    if not keep:
        raise DataFileError(f"{name}: no column matches {select or 'Total'!r}; the table holds "
                            f"{sorted(labels)}: pass --select with one of them")
    return keep


@lru_cache(maxsize=1)
def _known_units() -> frozenset:
    aux = {u for us in validate.auxiliary_series()["units"] for u in us.split(";")}
    return frozenset(set(indicators.catalogue()["unit"]) | aux)


def read_wdi(rows: list, name: str, opts: readers.ImportOptions) -> pd.DataFrame:
    """Return the raw frame of Viet Nam's row of a World Bank WDI bulk CSV (geo ``VN``)."""
    hidx = next((i for i, (_, c) in enumerate(rows) if c[:2] == ["Country Name", "Country Code"]), None)
    if hidx is None:
        raise DataFileError(f"{name}: no 'Country Name, Country Code' header; is it a WDI bulk CSV "
                            "(API_<code>_DS2_en_csv_v2_*.csv)?")
    updated = next((c[1] for _, c in rows[:hidx] if c[:1] == ["Last Updated Date"] and len(c) > 1), "")
    vn = next(((ln, c) for ln, c in rows[hidx + 1:] if len(c) > 3 and c[1] == "VNM"), None)
    if vn is None:
        raise DataFileError(f"{name}: no row for Viet Nam (country code VNM); download the full file")
    line, cells = vn
    code = cells[3]
    indicator, factor = (opts.indicator, 1.0) if opts.indicator else WDI_CODES.get(code, (None, 1.0))
    if not indicator:
        raise DataFileError(f"{name}: WDI code {code!r} is not mapped to an indicator; "
                            "pass --indicator CODE")
    source = opts.source or f"World Bank WDI {code} (updated {updated}); {name}"
    header = rows[hidx][1]
    out = [["VN", indicator, header[j], cells[j], "", source, "", line, header[j], factor, "."]
           for j in range(4, min(len(header), len(cells))) if re.fullmatch(r"\d{4}", header[j])]
    return pd.DataFrame(out, columns=readers.RAW_COLUMNS)


# --- online clients ----------------------------------------------------------------------------

GSO_HOSTS = ("https://pxweb.gso.gov.vn", "https://pxweb.nso.gov.vn")
WDI_DEFAULT = ("SP.DYN.LE00.IN", "SP.DYN.IMRT.IN", "SH.DYN.MORT", "SH.STA.STNT.ZS",
               "SH.MED.BEDS.ZS", "SH.MED.PHYS.ZS", "SH.XPD.OOPC.CH.ZS")
_RETRY_STATUS = {403, 408, 429, 500, 502, 503, 504}


@dataclass(frozen=True)
class Retry:
    """Politeness: ``tries`` per host, ``backoff`` seconds doubled after each failure."""

    tries: int = 3
    backoff: float = 2.0
    timeout: float = 30.0


def download_dir(path: str | os.PathLike | None = None) -> Path:
    """Return (and create) the folder beside the store where raw downloads are cached."""
    store = config.store_path(path)
    folder = store.with_name(store.name + ".downloads")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _request(session, method: str, table: str, hosts: tuple[str, ...], retry: Retry,
             sleep: Callable[[float], None], lang: str, json: dict | None = None):
    import requests

    problems = []
    for host in hosts:
        url = f"{host}/pxweb/api/v1/{lang}/{table.strip('/')}"
        for attempt in range(retry.tries):
            try:
                resp = session.request(method, url, json=json, timeout=retry.timeout)
            except requests.RequestException as e:
                problem = f"{type(e).__name__} from {host}"
            else:
                if resp.status_code < 400:
                    return resp, host
                if resp.status_code not in _RETRY_STATUS:
                    raise DataFileError(f"{url}: HTTP {resp.status_code}; check the table path "
                                        "(browse the PX-Web portal for it)")
                problem = f"HTTP {resp.status_code} from {host}"
            problems.append(problem)
            logger.warning("%s %s: %s (try %d of %d)", method, url, problem, attempt + 1, retry.tries)
            if attempt + 1 < retry.tries:
                sleep(retry.backoff * 2 ** attempt)
    raise DataFileError(f"could not download {table!r}: {'; '.join(problems)}; try again later "
                        "or export the table as CSV from the portal and run `forecast data import`")


def pxweb_query(meta: dict) -> dict:
    """Return the PX-Web v1 query selecting every value of every variable, as CSV."""
    query = [{"code": v["code"], "selection": {"filter": "item", "values": list(v["values"])}}
             for v in meta.get("variables", [])]
    return {"query": query, "response": {"format": "csv"}}


def fetch_gso(table: str, path: str | os.PathLike | None = None, *, indicator: str | None = None,
              select: str | None = None, session=None, hosts: tuple[str, ...] = GSO_HOSTS,
              lang: str = "en", retry: Retry = Retry(),
              sleep: Callable[[float], None] = time.sleep) -> pd.DataFrame:
    """Download a GSO PX-Web table (all provinces and years), cache it and import it.

    Parameters
    ----------
    table
        The table path under the database, e.g. ``"Dan so va lao dong/V02.24.px"``.
    path
        The store.
    indicator, select
        As for ``forecast data import --format gso``; the indicator defaults to the one the
        table title names.
    session
        A ``requests.Session``-like object (tests pass a fake one).

    Returns
    -------
    pandas.DataFrame
        The import summary (see :func:`forecast.store.import_files`).
    """
    import requests

    session = session or requests.Session()
    resp, host = _request(session, "GET", table, hosts, retry, sleep, lang)
    meta = resp.json()
    hosts = (host, *[h for h in hosts if h != host])  # ask the host that answered first
    title = str(meta.get("title", table))
    indicator = indicator or indicator_from_title(title)
    if not indicator:
        raise DataFileError(f"cannot tell the indicator from the table title {title!r}; "
                            "pass --indicator CODE")
    resp, _ = _request(session, "POST", table, hosts, retry, sleep, lang, json=pxweb_query(meta))
    file = _save_gso(download_dir(path), table, title, resp.content)
    from forecast.data.store import import_files

    options = readers.ImportOptions("gso", indicator, select, "auto", f"GSO/NSO PX-Web {table}: {title}")
    return import_files([file], path, options)


def _save_gso(folder: Path, table: str, title: str, content: bytes) -> Path:
    """Write a PX-Web CSV answer as the portal exports it: the table title, a blank line, the data."""
    name = re.sub(r"[^\w.-]+", "_", table.strip("/"))
    file = folder / f"gso_{name}.csv"
    file.write_bytes(b'"' + title.encode("utf-8") + b'"\r\n\r\n' + content)
    logger.info("saved %s (%d bytes)", file, len(content))
    return file


def fetch_worldbank(path: str | os.PathLike | None = None, codes: tuple[str, ...] = WDI_DEFAULT,
                    *, client=None) -> pd.DataFrame:
    """Download World Bank series for Viet Nam, cache them as WDI CSVs and import them.

    ``client`` is the ``wbgapi`` module or a fake with the same ``data.DataFrame`` call.
    """
    if client is None:
        import wbgapi as client
    try:
        frame = client.data.DataFrame(list(codes), "VNM", index="series", columns="time",
                                      numericTimeKeys=True)
    except Exception as e:  # wbgapi raises plain exceptions on network errors
        raise DataFileError(f"World Bank API failed ({e}); try again later or import a bulk "
                            "CSV (API_<code>_DS2_en_csv_v2_*.csv) with `forecast data import`") from e
    files = [_write_wdi(download_dir(path), code, row) for code, row in frame.iterrows()]
    from forecast.data.store import import_files

    return import_files(files, path, readers.ImportOptions("wdi"))


def _write_wdi(folder: Path, code: str, row: pd.Series) -> Path:
    years = {int(re.sub(r"\D", "", str(k))): v for k, v in row.items() if re.search(r"\d{4}", str(k))}
    cells = ["Viet Nam", "VNM", code, code] + ["" if pd.isna(v) else repr(float(v)) for v in years.values()]
    lines = ['"Data Source","World Development Indicators",', "",
             f'"Last Updated Date","{pd.Timestamp.now():%Y-%m-%d}",', "",
             ",".join(f'"{h}"' for h in ["Country Name", "Country Code", "Indicator Name",
                                         "Indicator Code", *map(str, years)]),
             ",".join(f'"{c}"' for c in cells)]
    file = folder / f"API_{code}_DS2_en_csv_v2_wbgapi.csv"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return file
