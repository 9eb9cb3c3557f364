"""Online downloads: GSO/NSO PX-Web API and the World Bank API, saved beside the store, then imported.

Online clients save the raw download beside the store (``<store>.downloads/``; a PX-Web CSV is
saved after its table title, as the portal exports it) and import it through the same path
(:func:`forecast.data.store.import_files`). Sessions and clients are injectable so that tests replay
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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from forecast import config
from forecast.data.pxweb import indicator_from_title
from forecast.data.raw import ImportOptions
from forecast.data.store import check_store, import_files
from forecast.errors import DataFileError
from forecast.log import logger

GSO_HOSTS = ("https://pxweb.gso.gov.vn", "https://pxweb.nso.gov.vn")
WDI_DEFAULT = (
    "SP.DYN.LE00.IN",
    "SP.DYN.IMRT.IN",
    "SH.DYN.MORT",
    "SH.STA.STNT.ZS",
    "SH.MED.BEDS.ZS",
    "SH.MED.PHYS.ZS",
    "SH.XPD.OOPC.CH.ZS",
)
_RETRY_STATUS = {403, 408, 429, 500, 502, 503, 504}


@dataclass(frozen=True)
class Retry:
    """Politeness: ``tries`` per host, ``backoff`` seconds doubled after each failure."""

    tries: int = 3
    backoff: float = 2.0
    timeout: float = 30.0


def download_dir(path: str | os.PathLike | None = None) -> Path:
    """Return (and create) the folder beside the store where raw downloads are cached.

    The store is checked first (:func:`forecast.data.store.check_store`): nothing is downloaded
    or written beside a file that is not a workbench store.
    """
    check_store(path)
    store = config.store_path(path)
    folder = store.with_name(store.name + ".downloads")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _request(
    session,
    method: str,
    table: str,
    hosts: tuple[str, ...],
    retry: Retry,
    sleep: Callable[[float], None],
    lang: str,
    json: dict | None = None,
):
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
                    raise DataFileError(
                        f"{url}: HTTP {resp.status_code}; check the table path "
                        "(browse the PX-Web portal for it)"
                    )
                problem = f"HTTP {resp.status_code} from {host}"
            problems.append(problem)
            logger.warning("%s %s: %s (try %d of %d)", method, url, problem, attempt + 1, retry.tries)
            if attempt + 1 < retry.tries:
                sleep(retry.backoff * 2**attempt)
    raise DataFileError(
        f"could not download {table!r}: {'; '.join(problems)}; try again later "
        "or export the table as CSV from the portal and run `forecast data import`"
    )


def pxweb_query(meta: dict) -> dict:
    """Return the PX-Web v1 query selecting every value of every variable, as CSV."""
    query = [
        {"code": v["code"], "selection": {"filter": "item", "values": list(v["values"])}}
        for v in meta.get("variables", [])
    ]
    return {"query": query, "response": {"format": "csv"}}


def fetch_gso(
    table: str,
    path: str | os.PathLike | None = None,
    *,
    indicator: str | None = None,
    select: str | None = None,
    session=None,
    hosts: tuple[str, ...] = GSO_HOSTS,
    lang: str = "en",
    retry: Retry = Retry(),
    sleep: Callable[[float], None] = time.sleep,
) -> pd.DataFrame:
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
        The import summary (see :func:`forecast.data.store.import_files`).
    """
    import requests

    check_store(path)  # before any request: a foreign file gets nothing downloaded beside it
    session = session or requests.Session()
    resp, host = _request(session, "GET", table, hosts, retry, sleep, lang)
    meta = resp.json()
    hosts = (host, *[h for h in hosts if h != host])  # ask the host that answered first
    title = str(meta.get("title", table))
    if not (indicator or indicator_from_title(title)):
        raise DataFileError(
            f"cannot tell the indicator from the table title {title!r}; pass --indicator CODE"
        )
    resp, _ = _request(session, "POST", table, hosts, retry, sleep, lang, json=pxweb_query(meta))
    file = _save_gso(download_dir(path), table, title, resp.content)

    options = ImportOptions("gso", indicator, select, "auto", f"GSO/NSO PX-Web {table}: {title}")
    return import_files([file], path, options)


def _save_gso(folder: Path, table: str, title: str, content: bytes) -> Path:
    """Write a PX-Web CSV answer as the portal exports it: the table title, a blank line, the data."""
    name = re.sub(r"[^\w.-]+", "_", table.strip("/"))
    file = folder / f"gso_{name}.csv"
    file.write_bytes(b'"' + title.encode("utf-8") + b'"\r\n\r\n' + content)
    logger.info("saved %s (%d bytes)", file, len(content))
    return file


def fetch_worldbank(
    path: str | os.PathLike | None = None, codes: tuple[str, ...] = WDI_DEFAULT, *, client=None
) -> pd.DataFrame:
    """Download World Bank series for Viet Nam, cache them as WDI CSVs and import them.

    ``client`` is the ``wbgapi`` module or a fake with the same ``data.DataFrame`` call.
    """
    check_store(path)  # before any request
    if client is None:
        import wbgapi

        client = wbgapi
    try:
        frame = client.data.DataFrame(
            list(codes), "VNM", index="series", columns="time", numericTimeKeys=True
        )
    except Exception as e:  # wbgapi raises plain exceptions on network errors
        raise DataFileError(
            f"World Bank API failed ({e}); try again later or import a bulk "
            "CSV (API_<code>_DS2_en_csv_v2_*.csv) with `forecast data import`"
        ) from e
    files = [_write_wdi(download_dir(path), code, row) for code, row in frame.iterrows()]

    return import_files(files, path, ImportOptions("wdi"))


def _write_wdi(folder: Path, code: str, row: pd.Series) -> Path:
    years = {int(re.sub(r"\D", "", str(k))): v for k, v in row.items() if re.search(r"\d{4}", str(k))}
    cells = ["Viet Nam", "VNM", code, code] + ["" if pd.isna(v) else repr(float(v)) for v in years.values()]
    lines = [
        '"Data Source","World Development Indicators",',
        "",
        f'"Last Updated Date","{pd.Timestamp.now():%Y-%m-%d}",',
        "",
        ",".join(
            f'"{h}"'
            for h in ["Country Name", "Country Code", "Indicator Name", "Indicator Code", *map(str, years)]
        ),
        ",".join(f'"{c}"' for c in cells),
    ]
    file = folder / f"API_{code}_DS2_en_csv_v2_wbgapi.csv"
    file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return file
