"""Who issues a brief: data/issuers.csv, else Sở Y tế tỉnh/thành phố <name> without a contact."""

from __future__ import annotations

import pytest

from forecast.errors import ValidationError
from forecast.registry import issuers


@pytest.mark.parametrize(
    "province,unit",
    [
        ("Hà Nam", "Sở Y tế tỉnh Hà Nam"),
        ("ha noi", "Sở Y tế thành phố Hà Nội"),
        ("Ninh Bình (mới)", "Sở Y tế tỉnh Ninh Bình"),
        ("Hải Phòng (mới)", "Sở Y tế thành phố Hải Phòng"),
    ],
)
def test_default_issuer_is_the_provinces_health_department_without_a_contact(province, unit):
    assert issuers.issuer(province) == issuers.Issuer(unit, "")


def test_the_file_names_the_unit_and_contact_of_a_province(tmp_path):
    path = tmp_path / "issuers.csv"
    path.write_text("province,unit,contact\nTỉnh Hà Nam,,0226 385 2000\n", encoding="utf-8")
    assert issuers.issuer("Hà Nam", str(path)) == issuers.Issuer("Sở Y tế tỉnh Hà Nam", "0226 385 2000")
    assert issuers.issuer("Bắc Giang", str(path)).contact == ""


def test_an_unknown_province_in_the_file_names_its_line(tmp_path):
    path = tmp_path / "issuers.csv"
    path.write_text("province,unit,contact\nHa Nom,X,Y\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"issuers.csv:2 column 'province'.*did you mean"):
        issuers.issuer("Hà Nam", str(path))


def test_the_shipped_file_is_valid():
    assert issuers.issuer("Lâm Đồng").unit == "Sở Y tế tỉnh Lâm Đồng"
