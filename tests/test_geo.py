"""Province reference and name lookup."""
from __future__ import annotations

import pytest

from forecast import geo
from forecast.errors import UnknownGeoError


@pytest.mark.parametrize("name,expected", [
    ("Hà Nam", "Hà Nam"),
    ("ha nam", "Hà Nam"),
    ("Tỉnh Hà Nam", "Hà Nam"),
    ("HA NAM", "Hà Nam"),
    ("TP. Hồ Chí Minh", "Hồ Chí Minh"),
    ("Ho Chi Minh city", "Hồ Chí Minh"),
    ("Thành phố Hồ Chí Minh", "Hồ Chí Minh"),
    ("Thừa Thiên Huế", "Thừa Thiên Huế"),
    ("Thua Thien-Hue", "Thừa Thiên Huế"),
    ("Thua Thien Hue", "Thừa Thiên Huế"),
    ("Ha Noi", "Hà Nội"),
    ("Hoà Bình", "Hòa Bình"),
    ("Lam Dong", "Lâm Đồng"),
    ("Bac Giang", "Bắc Giang"),
    ("Dong Nai", "Đồng Nai"),
    ("WHOLE COUNTRY", "Việt Nam"),
    ("VN", "Việt Nam"),
    ("Red River Delta", "Vùng Đồng bằng sông Hồng"),
    ("Ninh Bình (mới)", "Ninh Bình (mới)"),
    ("Ninh Binh (new)", "Ninh Bình (mới)"),
])
def test_resolve_geo_ignores_case_diacritics_and_prefixes(name, expected):
    assert geo.resolve_geo(name) == expected


def test_unknown_name_suggests_the_closest():
    with pytest.raises(UnknownGeoError, match="did you mean 'Hà Nam'"):
        geo.resolve_geo("Ha Namm")


def test_reference_has_63_provinces_before_the_merger():
    p = geo.provinces()
    old = p[p["era"].isin(["1997-", "1997-2025"]) & p["type"].isin(["province", "city"])]
    assert len(old) == 63
    assert len(p[p["era"] == "2025-"]) == 23
    assert old["code"].is_unique


def test_every_old_province_has_a_2025_province():
    p = geo.provinces()
    old = p[p["era"].isin(["1997-", "1997-2025"])]
    new = set(p.loc[p["era"].isin(["1997-", "2025-"]), "name"])
    assert set(old["province_2025"]) <= new
    assert len(set(old["province_2025"])) == 34


def test_no_two_geos_share_a_lookup_key():
    keys = {}
    for row in geo.provinces().itertuples():
        for name in [row.name, row.name_ascii] + [a for a in row.aliases.split(";") if a]:
            keys.setdefault(geo.normalize_name(name), set()).add(row.name)
    assert {k: v for k, v in keys.items() if len(v) > 1} == {}
