"""Province reference and name lookup."""

from __future__ import annotations

import pytest

from forecast.errors import UnknownGeoError
from forecast.registry import geo


@pytest.mark.parametrize(
    "name,expected",
    [
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
    ],
)
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


def test_each_old_province_is_in_exactly_one_region():
    p = geo.provinces()
    old = p[p["era"].isin(["1997-", "1997-2025"]) & p["type"].isin(["province", "city"])]
    regions = set(p.loc[p["type"] == "region", "name"])
    assert len(old) == 63 and set(old["region"]) <= regions  # one column: one region each
    counts = old["region"].map(lambda r: p.loc[p["name"] == r, "code"].iloc[0]).value_counts()
    assert counts.sort_index().to_dict() == {"R1": 11, "R2": 14, "R3": 14, "R4": 5, "R5": 6, "R6": 13}
    assert (p.loc[p["era"] == "2025-", "region"] == "").all()


@pytest.mark.parametrize(
    "name,region",
    [
        ("Hà Nam", "Vùng Đồng bằng sông Hồng"),
        ("ha tay", "Vùng Đồng bằng sông Hồng"),
        ("Lao Cai", "Vùng Trung du và miền núi phía Bắc"),
        ("Bắc Giang", "Vùng Trung du và miền núi phía Bắc"),
        ("Thua Thien-Hue", "Vùng Bắc Trung Bộ và Duyên hải miền Trung"),
        ("Lâm Đồng", "Vùng Tây Nguyên"),
        ("Đồng Nai", "Vùng Đông Nam Bộ"),
        ("TP. Cần Thơ", "Vùng Đồng bằng sông Cửu Long"),
        ("Lào Cai (mới)", "Vùng Trung du và miền núi phía Bắc"),
        ("Ninh Bình (mới)", "Vùng Đồng bằng sông Hồng"),
        ("Lâm Đồng (mới)", None),  # Lâm Đồng, Đắk Nông (Tây Nguyên) and Bình Thuận (Bắc Trung Bộ)
        ("VN", None),
        ("Red River Delta", None),
    ],
)
def test_region_of(name, region):
    assert geo.region_of(name) == region


def test_region_of_an_unknown_name_raises():
    with pytest.raises(UnknownGeoError):
        geo.region_of("Ha Namm")


def test_provinces_in_scope_old_merged_both():
    old, merged, both = (geo.provinces_in_scope(s) for s in ("old", "merged", "both"))
    assert len(old) == 63 and len(merged) == 34 and len(both) == 86
    assert "Hà Tây" not in both  # gone in 2008
    assert "Hà Nam" in old and "Hà Nam" not in merged
    assert "Ninh Bình (mới)" in merged and "Ninh Bình (mới)" not in old
    unchanged = set(old) & set(merged)
    assert len(unchanged) == 11 and {"Hà Nội", "Cao Bằng", "Thanh Hóa"} <= unchanged
    assert both == list(dict.fromkeys(both)) and set(both) == set(old) | set(merged)


def test_unknown_scope_names_the_choices():
    from forecast.errors import ValidationError

    with pytest.raises(ValidationError, match="unknown scope 'new': choose one of old, merged, both"):
        geo.provinces_in_scope("new")
