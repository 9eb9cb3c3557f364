"""Province boundaries for maps: the 63 provinces until 30 June 2025 and the 34 since 1 July 2025.

The GeoJSON files are geoBoundaries' VNM ADM1 (public domain; ``../shared/data/SOURCES.md``) and
its dissolution into the 34 provinces of Resolution 202/2025/QH15. They are read at run time from
the shared data folder (:data:`forecast.config.SHARED_DATA_DIR` ``/geo``), never copied into the
repository; every feature's ``geo`` is a name of the provinces table (checked when read). A map
drawn from them carries :data:`CREDIT`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from forecast import config
from forecast.errors import DataFileError
from forecast.registry import geo

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["CREDIT", "FILES", "boundaries", "boundaries_path", "map_scope"]

#: The boundary file of each map scope (``geo.SCOPES`` without ``both``).
FILES = {"old": "vn_provinces_63.geojson", "merged": "vn_provinces_34.geojson"}
#: The credit geoBoundaries asks for, printed on every map.
CREDIT = "geoBoundaries (www.geoboundaries.org)"


def boundaries_path(scope: str) -> Path:
    """Return the boundary file of ``scope`` (``old``: 63 provinces, ``merged``: 34)."""
    if scope not in FILES:
        raise DataFileError(f"no boundaries for scope {scope!r}: choose one of {', '.join(FILES)}")
    return config.SHARED_DATA_DIR / "geo" / FILES[scope]


@lru_cache(maxsize=2)
def boundaries(scope: str) -> gpd.GeoDataFrame:
    """Return the provinces of ``scope`` as a GeoDataFrame (``geo``, ``code``, ``geometry``; WGS 84).

    Raises
    ------
    DataFileError
        If the file is missing or a feature names a province the provinces table does not know.
    """
    import geopandas as gpd

    path = boundaries_path(scope)
    if not path.is_file():
        raise DataFileError(
            f"{path} is missing: the maps read the province boundaries from the shared data folder "
            "(set FORECAST_SHARED_DATA to the folder that holds geo/)"
        )
    frame = gpd.read_file(path)
    known = set(geo.provinces_in_scope(scope))
    unknown = sorted(set(frame["geo"]) - known)
    if unknown:
        raise DataFileError(
            f"{path}: feature geo {unknown[0]!r} is not a province of scope {scope!r} in data/provinces.csv; "
            "rename the feature to the table's name"
        )
    return frame[["geo", "code", "geometry"]].reset_index(drop=True)


def map_scope(province: str) -> str:
    """The map a province is drawn on: ``old`` (63) for the provinces before the merger, else ``merged``.

    The 11 provinces the merger left unchanged are in both; they get the 63-province map, whose
    series are the longest.
    """
    return "old" if province in set(geo.provinces_in_scope("old")) else "merged"
