"""World Bank WDI bulk CSVs (``API_<code>_DS2_en_csv_v2_*.csv``): Viet Nam's row as geo ``VN``.

Each WDI code is mapped and scaled to a store indicator by :data:`WDI_CODES`.
"""

from __future__ import annotations

import re

import pandas as pd

from forecast.data.raw import PROBLEM, RAW_COLUMNS, ImportOptions
from forecast.errors import DataFileError

# WDI code -> (store indicator, factor to its unit).
WDI_CODES = {
    "SP.DYN.LE00.IN": ("life_expectancy", 1.0),
    "SP.DYN.IMRT.IN": ("imr", 1.0),
    "SH.DYN.MORT": ("u5mr", 1.0),
    "SH.STA.STNT.ZS": ("stunting_u5", 1.0),
    "SH.STA.MALN.ZS": ("underweight_u5", 1.0),
    "SH.STA.OWGH.ZS": ("overweight_u5", 1.0),
    "SH.STA.WAST.ZS": ("wasting_u5", 1.0),
    "SH.MED.BEDS.ZS": ("beds_per_10k", 10.0),
    "SH.MED.PHYS.ZS": ("doctors_per_10k", 10.0),
    "SH.MED.NUMW.P3": ("nurses_midwives_per_10k", 10.0),
    "SH.XPD.OOPC.CH.ZS": ("oop_share", 1.0),
    "SP.POP.GROW": ("pop_growth", 1.0),
    "SH.IMM.IDPT": ("dpt3_coverage", 1.0),
    "SH.IMM.MEAS": ("measles_coverage", 1.0),
    "SP.DYN.TFRT.IN": ("tfr", 1.0),
    "SP.DYN.CBRT.IN": ("crude_birth_rate", 1.0),
    "SP.DYN.CDRT.IN": ("crude_death_rate", 1.0),
}


def read_wdi(rows: list, name: str, opts: ImportOptions) -> pd.DataFrame:
    """Return the raw frame of Viet Nam's row of a World Bank WDI bulk CSV (geo ``VN``)."""
    hidx = next((i for i, (_, c) in enumerate(rows) if c[:2] == ["Country Name", "Country Code"]), None)
    if hidx is None:
        raise DataFileError(
            f"{name}: no 'Country Name, Country Code' header; is it a WDI bulk CSV "
            "(API_<code>_DS2_en_csv_v2_*.csv)?"
        )
    updated = next((c[1] for _, c in rows[:hidx] if c[:1] == ["Last Updated Date"] and len(c) > 1), "")
    vn = next(((ln, c) for ln, c in rows[hidx + 1 :] if len(c) > 3 and c[1] == "VNM"), None)
    if vn is None:
        raise DataFileError(f"{name}: no row for Viet Nam (country code VNM); download the full file")
    line, cells = vn
    code = cells[3]
    indicator, factor = (opts.indicator, 1.0) if opts.indicator else WDI_CODES.get(code, (None, 1.0))
    if not indicator:
        raise DataFileError(f"{name}: WDI code {code!r} is not mapped to an indicator; pass --indicator CODE")
    source = opts.source or f"World Bank WDI {code} (updated {updated}); {name}"
    header = rows[hidx][1]
    cut = (
        f"the line has {len(cells)} fields but the header has {len(header)}: the file may be truncated; "
        "download it again"
        if len(cells) < len(header)
        else ""
    )
    out = [
        [
            "VN",
            indicator,
            header[j],
            cells[j] if j < len(cells) else "",
            "",
            source,
            "",
            line,
            header[j],
            factor,
            ".",
        ]
        + [cut]
        for j in range(4, len(header))
        if re.fullmatch(r"\d{4}", header[j])
    ]
    return pd.DataFrame(out, columns=[*RAW_COLUMNS, PROBLEM])


# --- online clients ----------------------------------------------------------------------------
