"""Regenerate data/provinces.csv and data/crosswalk_2025.csv (run once; outputs are committed).

The 63 provinces (GSO codes, Decision 124/2004/QĐ-TTg list as of 2008-2025), Hà Tây (to 2007),
the six socio-economic regions, the country, and the 34 provinces of Resolution 202/2025/QH15.
Column ``region`` gives the GSO socio-economic region of each of the 63 provinces and Hà Tây
(empty for the country, the regions and the merged 2025 provinces, some of which span two regions).
"""

import csv
import pathlib
import unicodedata

OLD = """01|Hà Nội|city|Hanoi;TP. Hà Nội;Ha Noi city
02|Hà Giang|province|
04|Cao Bằng|province|
06|Bắc Kạn|province|Bac Can;Bắc Cạn
08|Tuyên Quang|province|
10|Lào Cai|province|Lao Cai
11|Điện Biên|province|Dien Bien
12|Lai Châu|province|
14|Sơn La|province|
15|Yên Bái|province|
17|Hòa Bình|province|Hoà Bình
19|Thái Nguyên|province|
20|Lạng Sơn|province|
22|Quảng Ninh|province|
24|Bắc Giang|province|
25|Phú Thọ|province|
26|Vĩnh Phúc|province|
27|Bắc Ninh|province|
30|Hải Dương|province|
31|Hải Phòng|city|Haiphong;TP. Hải Phòng
33|Hưng Yên|province|
34|Thái Bình|province|
35|Hà Nam|province|
36|Nam Định|province|
37|Ninh Bình|province|
38|Thanh Hóa|province|Thanh Hoá
40|Nghệ An|province|
42|Hà Tĩnh|province|
44|Quảng Bình|province|
45|Quảng Trị|province|
46|Thừa Thiên Huế|province|Thua Thien-Hue;Thừa Thiên - Huế;Huế;Hue
48|Đà Nẵng|city|Da Nang;Danang;TP. Đà Nẵng
49|Quảng Nam|province|
51|Quảng Ngãi|province|
52|Bình Định|province|
54|Phú Yên|province|
56|Khánh Hòa|province|Khánh Hoà
58|Ninh Thuận|province|
60|Bình Thuận|province|
62|Kon Tum|province|Kontum
64|Gia Lai|province|
66|Đắk Lắk|province|Dak Lak;Đắc Lắk;Daklak
67|Đắk Nông|province|Dak Nong;Đắc Nông
68|Lâm Đồng|province|
70|Bình Phước|province|
72|Tây Ninh|province|
74|Bình Dương|province|
75|Đồng Nai|province|
77|Bà Rịa - Vũng Tàu|province|Bà Rịa–Vũng Tàu;Ba Ria-Vung Tau;Bà Rịa Vũng Tàu
79|Hồ Chí Minh|city|TP. Hồ Chí Minh;Thành phố Hồ Chí Minh;Ho Chi Minh city;HCMC;Sài Gòn;Saigon
80|Long An|province|
82|Tiền Giang|province|
83|Bến Tre|province|
84|Trà Vinh|province|
86|Vĩnh Long|province|
87|Đồng Tháp|province|
89|An Giang|province|
91|Kiên Giang|province|
92|Cần Thơ|city|Can Tho city;TP. Cần Thơ
93|Hậu Giang|province|
94|Sóc Trăng|province|
95|Bạc Liêu|province|
96|Cà Mau|province|"""

# new name <- old provinces (Resolution 202/2025/QH15, in force 1 July 2025)
MERGED = """Tuyên Quang|Tuyên Quang;Hà Giang
Lào Cai|Lào Cai;Yên Bái
Thái Nguyên|Thái Nguyên;Bắc Kạn
Phú Thọ|Phú Thọ;Vĩnh Phúc;Hòa Bình
Bắc Ninh|Bắc Ninh;Bắc Giang
Hưng Yên|Hưng Yên;Thái Bình
Hải Phòng|Hải Phòng;Hải Dương
Ninh Bình|Ninh Bình;Hà Nam;Nam Định
Quảng Trị|Quảng Trị;Quảng Bình
Đà Nẵng|Đà Nẵng;Quảng Nam
Quảng Ngãi|Quảng Ngãi;Kon Tum
Gia Lai|Gia Lai;Bình Định
Khánh Hòa|Khánh Hòa;Ninh Thuận
Lâm Đồng|Lâm Đồng;Đắk Nông;Bình Thuận
Đắk Lắk|Đắk Lắk;Phú Yên
Hồ Chí Minh|Hồ Chí Minh;Bình Dương;Bà Rịa - Vũng Tàu
Đồng Nai|Đồng Nai;Bình Phước
Tây Ninh|Tây Ninh;Long An
Cần Thơ|Cần Thơ;Sóc Trăng;Hậu Giang
Vĩnh Long|Vĩnh Long;Bến Tre;Trà Vinh
Đồng Tháp|Đồng Tháp;Tiền Giang
Cà Mau|Cà Mau;Bạc Liêu
An Giang|An Giang;Kiên Giang"""

REGIONS = """R1|Vùng Đồng bằng sông Hồng|Red River Delta
R2|Vùng Trung du và miền núi phía Bắc|Northern midlands and mountain areas
R3|Vùng Bắc Trung Bộ và Duyên hải miền Trung|North Central and Central coastal areas
R4|Vùng Tây Nguyên|Central Highlands
R5|Vùng Đông Nam Bộ|South East
R6|Vùng Đồng bằng sông Cửu Long|Mekong River Delta"""

# region code <- provinces, as in the GSO statistical yearbooks (six socio-economic regions)
REGION_MEMBERS = """R1|Hà Nội;Vĩnh Phúc;Bắc Ninh;Quảng Ninh;Hải Dương;Hải Phòng;Hưng Yên;Thái Bình;Hà Nam;Nam Định;Ninh Bình;Hà Tây
R2|Hà Giang;Cao Bằng;Bắc Kạn;Tuyên Quang;Lào Cai;Yên Bái;Thái Nguyên;Lạng Sơn;Bắc Giang;Phú Thọ;Điện Biên;Lai Châu;Sơn La;Hòa Bình
R3|Thanh Hóa;Nghệ An;Hà Tĩnh;Quảng Bình;Quảng Trị;Thừa Thiên Huế;Đà Nẵng;Quảng Nam;Quảng Ngãi;Bình Định;Phú Yên;Khánh Hòa;Ninh Thuận;Bình Thuận
R4|Kon Tum;Gia Lai;Đắk Lắk;Đắk Nông;Lâm Đồng
R5|Bình Phước;Tây Ninh;Bình Dương;Đồng Nai;Bà Rịa - Vũng Tàu;Hồ Chí Minh
R6|Long An;Tiền Giang;Bến Tre;Trà Vinh;Vĩnh Long;Đồng Tháp;An Giang;Kiên Giang;Cần Thơ;Hậu Giang;Sóc Trăng;Bạc Liêu;Cà Mau"""


def ascii_name(s):
    s = s.replace("Đ", "D").replace("đ", "d")
    return unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()


def regions():
    """Return {province name: region name}; each old province and Hà Tây in exactly one region."""
    names = {line.split("|")[0]: line.split("|")[1] for line in REGIONS.splitlines()}
    out = {}
    for line in REGION_MEMBERS.splitlines():
        code, members = line.split("|")
        for name in members.split(";"):
            assert name not in out, f"{name} is in two regions"
            out[name] = names[code]
    provinces = {row.split("|")[1] for row in OLD.splitlines()} | {"Hà Tây"}
    assert set(out) == provinces, sorted(set(out) ^ provinces)
    return out


def main(root=pathlib.Path(__file__).resolve().parents[1]):
    merged = {new: olds.split(";") for new, olds in (row.split("|") for row in MERGED.splitlines())}
    parent = {old: new for new, olds in merged.items() for old in olds}
    rows = [
        dict(
            code="VN",
            name="Việt Nam",
            name_ascii="Viet Nam",
            type="country",
            era="all",
            aliases="Vietnam;WHOLE COUNTRY;Cả nước;Toàn quốc;VNM",
            province_2025="",
        )
    ]
    for line in REGIONS.splitlines():
        code, name, en = line.split("|")
        rows.append(
            dict(
                code=code,
                name=name,
                name_ascii=ascii_name(name),
                type="region",
                era="all",
                aliases=en,
                province_2025="",
            )
        )
    for line in OLD.splitlines():
        code, name, kind, aliases = line.split("|")
        era = "1997-2025" if name in parent else "1997-"
        rows.append(
            dict(
                code=code,
                name=name,
                name_ascii=ascii_name(name),
                type=kind,
                era=era,
                aliases=aliases,
                province_2025=parent.get(name, name),
            )
        )
    rows.append(
        dict(
            code="28",
            name="Hà Tây",
            name_ascii="Ha Tay",
            type="province",
            era="1997-2007",
            aliases="",
            province_2025="Hà Nội",
        )
    )
    for new in merged:
        code = next(r["code"] for r in rows if r["name"] == new)
        rows.append(
            dict(
                code=f"{code}N",
                name=f"{new} (mới)",
                name_ascii=f"{ascii_name(new)} (moi)",
                type="province",
                era="2025-",
                aliases=f"{new} (new);{new} 2025",
                province_2025=f"{new} (mới)",
            )
        )
    for r in rows:  # old provinces that merged point to the new geo name
        if r["era"] == "1997-2025":
            r["province_2025"] = f"{parent[r['name']]} (mới)"
    region = regions()
    for r in rows:
        r["region"] = region.get(r["name"], "") if r["era"] != "2025-" else ""
    with open(root / "data/provinces.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with open(root / "data/crosswalk_2025.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["old_geo", "new_geo", "valid_from", "legal_basis"])
        for new, olds in merged.items():
            for old in olds:
                w.writerow([old, f"{new} (mới)", "2025-07-01", "Resolution 202/2025/QH15"])
        w.writerow(["Hà Tây", "Hà Nội", "2008-08-01", "Resolution 15/2008/QH12"])


if __name__ == "__main__":
    main()
