"""What the store covers: the provinces a report of every province takes (own data, parts, plan)."""

from __future__ import annotations

import pandas as pd

from forecast.assess import coverage


def test_report_provinces_own_data_parts_or_plan():
    obs = pd.DataFrame({"geo": ["Hà Nam", "Nam Định", "Cao Bằng", "Hà Tây", "Việt Nam"]})
    plan = pd.DataFrame({"province": ["Lào Cai"]})
    both = coverage.report_provinces(obs, plan, "both").set_index("province")
    assert list(both.columns) == ["scope", "data", "plan"]
    assert both.loc["Hà Nam"].tolist() == ["old", "own", False]
    assert both.loc["Cao Bằng"].tolist() == ["both", "own", False]  # unchanged by the merger
    assert both.loc["Ninh Bình (mới)"].tolist() == ["merged", "parts", False]  # Hà Nam, Nam Định
    assert both.loc["Lào Cai"].tolist() == ["old", "", True]
    assert "Hà Tây" not in both.index and "Việt Nam" not in both.index
    assert "Bắc Giang" not in both.index  # neither data nor a plan
    assert len(both) == 5
    merged = coverage.report_provinces(obs, plan, "merged")
    assert list(merged["province"]) == ["Cao Bằng", "Ninh Bình (mới)"]


def test_report_provinces_on_the_bundled_data(shared_data, store_file):
    from forecast import pipeline

    chosen = pipeline.all_provinces("both", store_file)
    assert len(chosen) == 86 and set(pipeline.default_provinces()) <= set(chosen)
    assert len(pipeline.all_provinces("old", store_file)) == 63
