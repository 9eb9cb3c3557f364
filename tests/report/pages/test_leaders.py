"""The leaders' page: at-risk targets of the verdict tier, what it takes, indicative rows, data to supply."""

from __future__ import annotations

import re

from forecast.report.pages import leaders, views


def _view(default_run, province):
    run, obs, _ = default_run
    return views.province_view(run, obs, None, province)


def test_ha_nam_leaders_page(default_run):
    view = _view(default_run, "Hà Nam")
    html = views.leaders_section(view, "2026Q4", "vi")
    a = view.assessments
    risky = a[a["verdict"].isin(["unlikely", "very_unlikely", "missed"]) & (a["tier"] == "verdict")]
    assert html.startswith('<section class="leaders"><h2>Tóm tắt cho lãnh đạo</h2>')
    assert html.count('<tr class="at-risk"') == len(risky) > 0
    indicative = a[(a["tier"] == "indicative") & ~a["verdict"].isin(["no_data", "insufficient_data"])]
    rows = re.findall(r'data-indicator="([a-z0-9_]+)"', html)
    assert not set(rows) & (set(indicative["indicator"]) - set(risky["indicator"]))  # verdict tier only
    assert "Tham khảo" in html and html.count('<p class="leaders-indicative">') == 1  # in one line
    assert "Số liệu cần Sở Y tế cung cấp" in html and 'class="data-template-link"' in html
    assert "cần giảm" in html or "cần tăng" in html


def test_takes_line_says_the_rate_required_and_observed():
    r = dict(
        rate_required=-9.8, rate_observed=-1.9, rate_unit="pct", unit="per_1000", verdict="very_unlikely"
    )
    assert leaders.takes_line(r, "vi") == "cần giảm 9,8%/năm (quan sát: giảm 1,9%/năm)"
    assert leaders.takes_line(r, "en") == "must fall 9.8% a year (observed: falling 1.9% a year)"


def test_a_passed_deadline_not_yet_observed_asks_for_the_years_figure(default_run):
    """Hà Nam's 2025 targets at risk (no 2025 figure yet) ask for it instead of repeating the verdict."""
    view = _view(default_run, "Hà Nam")
    rows = leaders.at_risk(view.assessments)
    passed = rows[(rows["timing"] == "nowcast") & rows["deadline_passed"].fillna(False).astype(bool)]
    assert not passed.empty  # the real run has such rows
    for r in passed.to_dict("records"):
        assert leaders.takes_line(r, "vi") == f"Hạn đã qua: cần số liệu năm {int(r['year'])} để kết luận"
        assert (
            leaders.takes_line(r, "en")
            == f"Deadline passed: the {int(r['year'])} figure is needed to conclude"
        )
    html = views.leaders_section(view, "2026Q4", "vi")
    assert "Hạn đã qua: cần số liệu năm 2025 để kết luận" in html


def test_bac_giang_has_no_verdict_at_risk_but_data_to_supply(default_run):
    view = _view(default_run, "Bắc Giang")
    html = views.leaders_section(view, "2026Q4", "vi")
    assert '<tr class="at-risk"' not in html and "Số liệu cần Sở Y tế cung cấp" in html
    assert html.count("<li>") >= 5
    # nothing assessed on Bắc Giang's own data: said in one sentence, not "0 …: 0 …, 0 …, 0 …"
    counts = re.search(r'<p class="leaders-counts">(.*?)</p>', html).group(1)
    assert (
        counts.startswith("Chưa có mục tiêu nào được đánh giá trên số liệu của tỉnh.") and "0 " not in counts
    )
    brief = views.headline_html(view.assessments, "Bắc Giang", 2026, "vi")
    assert "Chưa có mục tiêu nào đánh giá được trên số liệu của tỉnh. 9 mục tiêu chưa thể đánh giá" in brief
    assert "0/" not in brief
    # Hà Nam, with verdicts on its own data, keeps the counts
    ha_nam = views.leaders_section(_view(default_run, "Hà Nam"), "2026Q4", "vi")
    assert re.search(r'<p class="leaders-counts">[1-9]\d* mục tiêu được đánh giá', ha_nam)
