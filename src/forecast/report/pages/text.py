"""Bilingual labels (Vietnamese first, English second) and number formatting for reports.

Every heading, column label and category name used by :mod:`forecast.brief` and
:mod:`forecast.plots` lives here, so a brief can be rendered in either language by changing one
parameter. Vietnamese writes decimals with a comma (``75,4``) and groups thousands with a dot.
"""

from __future__ import annotations

import math

from forecast import config
from forecast.errors import ForecastError, ValidationError
from forecast.registry import indicators

LANGS = ("vi", "en")

#: Verdicts in display order (best first), as in ``forecast.assess.assessment.VERDICTS``.
CATEGORIES = (
    "achieved",
    "likely",
    "possible",
    "unlikely",
    "very_unlikely",
    "missed",
    "insufficient_data",
    "no_data",
)

CATEGORY_LABELS = {
    "achieved": {"vi": "Đã đạt", "en": "Achieved"},
    "likely": {"vi": "Nhiều khả năng đạt", "en": "Likely"},
    "possible": {"vi": "Có thể đạt", "en": "Possible"},
    "unlikely": {"vi": "Khó đạt", "en": "Unlikely"},
    "very_unlikely": {"vi": "Rất khó đạt", "en": "Very unlikely"},
    "missed": {"vi": "Không đạt", "en": "Missed"},
    "no_data": {"vi": "Chưa có số liệu", "en": "No data"},
    "insufficient_data": {"vi": "Không đủ số liệu", "en": "Insufficient data"},
}

#: The pace (observed vs required rate, Statistics Canada): an explanation, never a verdict.
PACE_LABELS = {
    "on_track": {"vi": "nhịp độ đủ", "en": "pace sufficient"},
    "acceleration_needed": {"vi": "cần tăng tốc", "en": "acceleration needed"},
    "limited_progress": {"vi": "tiến triển chậm", "en": "limited progress"},
    "deterioration": {"vi": "đang đi lùi", "en": "moving away"},
}

#: Badge background colours (colour-blind-aware traffic light, greys for missing data).
BADGE_COLOURS = {
    "achieved": "#1a7f37",
    "likely": "#4caf50",
    "possible": "#f2b705",
    "unlikely": "#f57c00",
    "very_unlikely": "#c62828",
    "missed": "#7f1d1d",
    "no_data": "#9e9e9e",
    "insufficient_data": "#cfd8dc",
}
#: Text colour that stays readable on each badge.
BADGE_TEXT = {c: ("#000000" if c in ("possible", "insufficient_data") else "#ffffff") for c in CATEGORIES}

TEXT = {
    # Titles and section headings
    "brief_title": {
        "vi": "Bản tin chính sách: {province} — {quarter}",
        "en": "Policy brief: {province} — {quarter}",
    },
    "overview_title": {
        "vi": "Tổng quan các mục tiêu y tế — {quarter}",
        "en": "Health-target overview — {quarter}",
    },
    "indicator_title": {
        "vi": "{indicator}: {province} — {quarter}",
        "en": "{indicator}: {province} — {quarter}",
    },
    "scorecard": {"vi": "Bảng theo dõi mục tiêu", "en": "Target scorecard"},
    "other_targets": {"vi": "Các mục tiêu khác (không dự báo)", "en": "Other targets (not forecast)"},
    "fan_charts": {"vi": "Xu hướng và dự báo", "en": "Trends and forecasts"},
    "what_it_takes": {"vi": "Cần làm gì để đạt mục tiêu", "en": "What it would take"},
    "caveats": {"vi": "Lưu ý về số liệu", "en": "Data caveats"},
    "milestones": {"vi": "Các mốc trong kế hoạch", "en": "Plan milestones"},
    "no_outcome": {
        "vi": "Kế hoạch của {province} không có mục tiêu kết quả định lượng nào để dự báo; "
        "dưới đây là các mốc và hoạt động mà kế hoạch đặt ra.",
        "en": "The plan of {province} sets no quantitative outcome target that can be "
        "forecast; its milestones and activities are listed below.",
    },
    "no_targets": {
        "vi": "Không có mục tiêu nào cho {province} trong sổ đăng ký.",
        "en": "The registry holds no target for {province}.",
    },
    "run_info": {"vi": "Lần chạy {run_id}, báo cáo {as_of}.", "en": "Run {run_id}, report for {as_of}."},
    "run_info_data": {
        "vi": "Số liệu tỉnh mới nhất: {years}; báo cáo {as_of} (lần chạy {run_id}).",
        "en": "Latest provincial data: {years}; report for {as_of} (run {run_id}).",
    },
    "run_info_no_data": {
        "vi": "Chưa có số liệu riêng của tỉnh; báo cáo {as_of} (lần chạy {run_id}).",
        "en": "No data of the province's own; report for {as_of} (run {run_id}).",
    },
    "no_run": {
        "vi": "Chưa có lần chạy dự báo nào trong kho số liệu.",
        "en": "The store holds no forecast run yet.",
    },
    "nothing_to_assess": {
        "vi": "Lần chạy này không có mục tiêu kết quả nào để đánh giá: "
        "sổ đăng ký của các tỉnh được chọn chưa có mục tiêu định lượng.",
        "en": "This run has no outcome target to assess: the registry holds no quantitative "
        "target for the provinces chosen.",
    },
    "heatmap": {
        "vi": "Đánh giá theo tỉnh và chỉ tiêu — mục tiêu năm {year}",
        "en": "Assessment by province and indicator — targets for {year}",
    },
    "p_attain_dist": {"vi": "Phân bố xác suất đạt mục tiêu", "en": "Distribution of P(attain)"},
    "national": {"vi": "Bức tranh toàn quốc", "en": "The national picture"},
    "changes": {"vi": "Thay đổi so với quý trước", "en": "Changes since the previous quarter"},
    "first_run": {
        "vi": "Đây là lần chạy đầu tiên: chưa có quý trước để so sánh.",
        "en": "This is the first run: there is no previous quarter to compare with.",
    },
    "no_changes": {
        "vi": "Không mục tiêu nào thay đổi đánh giá hay xác suất đạt (từ 10 điểm) so với lần chạy {run_id}.",
        "en": "No target changed verdict or P(attain) (by 10 points or more) since run {run_id}.",
    },
    "models": {"vi": "Dự báo của từng mô hình", "en": "Every model's forecast"},
    "backtest": {
        "vi": "Sai số kiểm định ngược và độ phủ khoảng dự báo",
        "en": "Back-test errors and interval coverage",
    },
    "sensitivity": {
        "vi": "Độ nhạy của tốc độ thay đổi theo cửa sổ tính",
        "en": "Sensitivity of the rate of change to its window",
    },
    "no_backtest": {
        "vi": "Chuỗi số liệu quá ngắn để kiểm định ngược từ năm {origin}.",
        "en": "The series is too short to back-test from {origin}.",
    },
    "data_table": {"vi": "Bảng số liệu", "en": "Data table"},
    "no_series": {
        "vi": "Không có số liệu quan sát cho chỉ tiêu này.",
        "en": "There are no observations for this series.",
    },
    # Targets assessed on a regional series (assess basis "proxy") or lacking data after the merger
    "proxy_tag": {"vi": "ước lượng theo vùng", "en": "regional proxy"},
    "proxy_caveat": {
        "vi": "Ước lượng theo vùng: {names} — tỉnh không có chuỗi số liệu riêng nên dùng "
        "số liệu của {region}; kết quả phản ánh cả vùng, không riêng tỉnh.",
        "en": "Regional proxy: {names} — the province has no series of its own, so the "
        "series of {region} is used; the result describes the region, not the "
        "province alone.",
    },
    "merged_caveat": {
        "vi": "{names}: số liệu gần đây chỉ có cho {successor} (tỉnh mới sau sáp nhập "
        "từ 1/7/2025), địa bàn rộng hơn nên không dùng để đánh giá.",
        "en": "{names}: the only recent data are for {successor} (the province formed "
        "by the merger of 1 July 2025); not used, as it covers a larger territory.",
    },
    # Targets assessed on the nation's series, or on a borrowed series shifted by the province's gap
    "national_tag": {"vi": "số liệu toàn quốc", "en": "national series"},
    "regional_gap_tag": {
        "vi": "số liệu vùng, hiệu chỉnh theo chênh lệch của tỉnh",
        "en": "regional series, adjusted to the province's gap",
    },
    "national_gap_tag": {
        "vi": "số liệu toàn quốc, hiệu chỉnh theo chênh lệch của tỉnh",
        "en": "national series, adjusted to the province's gap",
    },
    "national_region_gap_tag": {
        "vi": "số liệu toàn quốc, hiệu chỉnh theo chênh lệch của vùng",
        "en": "national series, adjusted to the region's gap",
    },
    "national_caveat": {
        "vi": "Số liệu toàn quốc: {names} — cả tỉnh và vùng đều không có chuỗi số liệu riêng nên "
        "đánh giá dựa trên chuỗi số liệu của cả nước; đây là bối cảnh quốc gia, không phải số "
        "liệu của tỉnh.",
        "en": "National series: {names} — neither the province nor its region has a series of "
        "its own, so the national series is used; this is national context, not the "
        "province's own figure.",
    },
    "gap_caveat": {
        "vi": "{names}: số liệu của {anchor} năm {year} ({value}) là mốc; sau đó chỉ tiêu được ước tính "
        "theo diễn biến của chuỗi số liệu {geo}, giữ nguyên chênh lệch lúc đó ({gap}); khoảng dự báo "
        "rộng dần theo số năm kể từ số liệu cuối của {anchor}.",
        "en": "{names}: the figure of {anchor} in {year} ({value}) is the anchor; after it the indicator "
        "follows the series of {geo}, keeping the gap of that year ({gap}); the interval widens with "
        "the years since the last figure of {anchor}.",
    },
    # Own points carried forward by another series (assessment basis "own", column gap)
    "carried_tag": {
        "vi": "số liệu của tỉnh, ước tính tiếp theo {carrier}",
        "en": "the province's own figures, carried forward by {carrier}",
    },
    "carrier_regional": {"vi": "xu hướng của vùng", "en": "the region's trend"},
    "carrier_national": {"vi": "xu hướng toàn quốc", "en": "the national trend"},
    "carrier_own_other_definition": {
        "vi": "chuỗi khác định nghĩa của tỉnh",
        "en": "the province's series of another definition",
    },
    # A national series used because the region's is too short (assessment borrowed
    # "national_short_region"), shifted to the level of the province or the region (anchor_geo)
    "national_short_caveat": {
        "vi": "Số liệu toàn quốc: {names} — tỉnh không có chuỗi số liệu riêng và chuỗi số liệu "
        "của vùng quá ngắn để dự báo, nên dùng xu hướng của cả nước, điều chỉnh về mức của "
        "{anchor}; đây không phải số liệu riêng của tỉnh.",
        "en": "National series: {names} — the province has no series of its own and the "
        "region's is too short to forecast, so the national trend is used, adjusted to the "
        "level of {anchor}; this is not the province's own figure.",
    },
    # Fan charts of a borrowed series shifted by a gap (report.views.fan_panels)
    "fan_shift_caption": {
        "vi": "Điểm đỏ là số liệu của {anchor}, mốc của đánh giá; sau năm cuối có số liệu, dự báo đi theo "
        "diễn biến của chuỗi {geo} (đường xám mảnh), giữ chênh lệch với chuỗi đó, đúng như bảng đánh giá "
        "sử dụng; khoảng dự báo rộng dần vì chênh lệch có thể thay đổi.",
        "en": "The red points are the figures of {anchor}, the assessment's anchor; after the last of "
        "them the forecast follows the series of {geo} (thin grey line), keeping the gap to it, as the "
        "scorecard does; the interval widens since the gap may drift.",
    },
    "observed_shifted": {"vi": "Quan sát (đã hiệu chỉnh)", "en": "Observed (shifted)"},
    "anchor_points": {"vi": "Số liệu đã công bố của địa phương", "en": "Published local figures"},
    "unshifted_series": {"vi": "Chuỗi trước hiệu chỉnh", "en": "Series before the shift"},
    "stand_in_tag": {"vi": "số liệu thay thế", "en": "stand-in series"},
    "col_national_target": {"vi": "Mục tiêu quốc gia", "en": "National target"},
    "no_data_group": {"vi": "Chưa thể đánh giá (chưa có số liệu)", "en": "Cannot be assessed (no data)"},
    "no_data_item": {
        "vi": "{name} ({years}): không có chuỗi số liệu nào của tỉnh, vùng hay cả nước.",
        "en": "{name} ({years}): no provincial, regional or national series.",
    },
    # The brief's first screen (forecast.report.pages.headline)
    "headline": {"vi": "Tóm tắt", "en": "At a glance"},
    "headline_counts": {
        "vi": "{k}/{n} mục tiêu có số liệu của tỉnh nhiều khả năng đạt (kể cả đã đạt), {p} có thể đạt, "
        "{m} có nguy cơ không đạt, {j} chưa thể đánh giá.",
        "en": "{k} of {n} targets with the province's own data likely met (achieved included), "
        "{p} possible, {m} at risk, {j} cannot be assessed.",
    },
    "headline_indicative": {
        "vi": "Ngoài ra {i} mục tiêu chỉ để tham khảo (chưa có số liệu riêng của tỉnh), không tính ở trên.",
        "en": "Another {i} targets are indicative only (no data of the province's own) and not counted above.",
    },
    "headline_national_plan": {
        "vi": "{province} chưa có mục tiêu định lượng trong kế hoạch của tỉnh: các mục tiêu dưới đây là "
        "mục tiêu quốc gia (nguồn ghi ở từng dòng) hoặc mục tiêu tỉnh đã công bố, dùng để đối chiếu.",
        "en": "{province} has no quantitative target in a plan of its own: the targets below are the "
        "national ones (source on each row) or the province's published ones, for comparison.",
    },
    "supply_heading": {
        "vi": "Số liệu tỉnh cần cung cấp để có đánh giá",
        "en": "Data the province should supply for a verdict",
    },
    "supply_item": {
        "vi": "{name} ({years}): số liệu của {province} theo đúng định nghĩa của kế hoạch, ít nhất một năm "
        "gần đây, nhập vào mẫu Excel số liệu của tỉnh.",
        "en": "{name} ({years}): a figure of {province} itself, of the plan's definition, for at least one "
        "recent year, entered in the province's Excel template.",
    },
    "headline_indicators": {"vi": "Ba chỉ tiêu chính", "en": "The three headline indicators"},
    "no_plan_target": {"vi": "kế hoạch không đặt mục tiêu", "en": "no target in the plan"},
    "freshness": {"vi": "Độ mới của số liệu", "en": "Data freshness"},
    "freshness_item": {
        "vi": "{name}: số liệu mới nhất năm {year}, {age} năm ước tính hiện thời đến năm {report_year}",
        "en": "{name}: latest data {year}, {age} year(s) of nowcast to {report_year}",
    },
    "successor_note": {
        "vi": "Từ ngày 1/7/2025, {province} là một phần của {successor}; bản tin của {successor} "
        "trình bày các mục tiêu của tỉnh cũ trong địa bàn mới.",
        "en": "Since 1 July 2025, {province} is part of {successor}; the brief of {successor} "
        "shows the old province's targets within the new one.",
    },
    "predecessors_note": {
        "vi": "{province} được thành lập từ ngày 1/7/2025 trên cơ sở hợp nhất {parts}. Các mục "
        "tiêu dưới đây là mục tiêu trong kế hoạch của tỉnh cũ ({plans}); chuỗi số liệu của tỉnh "
        "mới được tính lại từ các tỉnh cũ, bình quân gia quyền theo dân số.",
        "en": "{province} was formed on 1 July 2025 from {parts}. The targets below are those of "
        "the old province's plan ({plans}); the new province's series are rebuilt from the old "
        "provinces, weighted by population.",
    },
    "plan_of": {"vi": "Mục tiêu trong kế hoạch của {province}", "en": "Targets of the plan of {province}"},
    "national_plan": {
        "vi": "Đối chiếu với mục tiêu quốc gia (tỉnh chưa có kế hoạch trong sổ đăng ký)",
        "en": "Measured against the national targets (no plan of the province in the registry)",
    },
    # Targets for the next plan (forecast.report.pages.suggestions)
    "suggest_heading": {"vi": "Mục tiêu khả thi cho {year}", "en": "Feasible targets for {year}"},
    "suggest_note": {
        "vi": "Giá trị mà tỉnh đạt được vào năm {year} với xác suất 50%, 80% và 90% theo dự báo "
        "(mức 90% là mục tiêu ít tham vọng nhất), kèm tốc độ thay đổi hằng năm cần có so với "
        "số liệu mới nhất.",
        "en": "The value the province reaches by {year} with probability 50%, 80% and 90% by "
        "the forecast (the 90% value is the least ambitious), with the annual change each "
        "implies from the latest observation.",
    },
    "suggest_none": {
        "vi": "Không có chuỗi số liệu nào đủ dài để đề xuất mục tiêu.",
        "en": "No series is long enough to suggest a target.",
    },
    "col_p50": {"vi": "Đạt với xác suất 50%", "en": "Reached with probability 50%"},
    "col_p80": {"vi": "Đạt với xác suất 80%", "en": "Reached with probability 80%"},
    "col_p90": {"vi": "Đạt với xác suất 90%", "en": "Reached with probability 90%"},
    # A plan's rate target far from the official series' level (assessment.definition_gap)
    "definition_gap_tag": {"vi": "định nghĩa có thể khác", "en": "definition may differ"},
    "definition_gap_note": {
        "vi": "{name} ({year}): mục tiêu {target} bằng {ratio} lần mức của chuỗi số liệu chính "
        "thức ({level}, năm {latest_year}); kế hoạch có lẽ tính theo số liệu báo cáo của ngành "
        "y tế, khác cách tính của Tổng cục Thống kê, nên đánh giá trên chuỗi chính thức có thể "
        "quá bi quan.",
        "en": "{name} ({year}): the target {target} is {ratio} times the official series' level "
        "({level} in {latest_year}); the plan probably counts from health-sector reporting, not "
        "as the GSO does, so the assessment on the official series may be too pessimistic.",
    },
    # Reasons a target changed category (runs.compare_runs)
    "reason_new data": {"vi": "số liệu mới", "en": "new data"},
    "reason_revised model": {"vi": "mô hình điều chỉnh", "en": "revised model"},
    "reason_new target": {"vi": "mục tiêu mới", "en": "new target"},
    "reason_target dropped": {"vi": "mục tiêu bị bỏ", "en": "target dropped"},
    "col_before": {"vi": "Quý trước", "en": "Before"},
    "col_after": {"vi": "Quý này", "en": "Now"},
    "col_reason": {"vi": "Lý do", "en": "Reason"},
    "col_change": {
        "vi": "Đánh giá (xác suất đạt): quý trước → quý này",
        "en": "Verdict (P(attain)): before → now",
    },
    # Scorecard columns
    "col_indicator": {"vi": "Chỉ tiêu", "en": "Indicator"},
    "col_target": {"vi": "Mục tiêu", "en": "Target"},
    "col_year": {"vi": "Năm", "en": "Year"},
    "col_kind": {"vi": "Loại", "en": "Kind"},
    "col_latest": {"vi": "Số liệu mới nhất", "en": "Latest observed"},
    "col_forecast": {
        "vi": "Dự báo năm mục tiêu (khoảng dự báo 80%)",
        "en": "Forecast at target year (80% interval)",
    },
    "col_p_attain": {"vi": "Xác suất đạt", "en": "P(attain)"},
    "col_category": {"vi": "Đánh giá", "en": "Assessment"},
    "col_rates": {"vi": "Tốc độ thay đổi/năm: quan sát → cần", "en": "Change a year: observed → required"},
    "deadline_passed": {
        "vi": "quá hạn",
        "en": "deadline passed",
    },  # no rate is required after the target year
    "col_quote": {"vi": "Nội dung trong kế hoạch", "en": "As written in the plan"},
    # A range "đạt 25 - 27": a floor at 25, the plan's aspiration 27 (registry.targets.target_meaning)
    "aspiration": {"vi": "(phấn đấu {high})", "en": "(aiming for {high})"},
    "points": {"vi": " điểm phần trăm", "en": " percentage points"},
    "already_met": {"vi": "đã đạt (ước tính)", "en": "met (nowcast)"},
    # Passed deadlines (assessment columns timing, deadline_passed, observed_year/value)
    "verdict_achieved_at": {"vi": "Đạt: {value} ({year})", "en": "Met: {value} ({year})"},
    "verdict_missed_at": {"vi": "Không đạt: {value} ({year})", "en": "Missed: {value} ({year})"},
    "verdict_not_yet_observed": {"vi": "Chưa có số liệu năm {year}", "en": "No data for {year} yet"},
    "p_was_met": {"vi": "ước tính {p} là đã đạt", "en": "{p} estimated met"},
    # Indicative rows (assessment column tier): no own data of the province, not a verdict
    "indicative_badge": {"vi": "Tham khảo · {label}", "en": "Indicative · {label}"},
    "p_indicative": {"vi": "{p} (tham khảo)", "en": "{p} (indicative)"},
    "col_province": {"vi": "Tỉnh", "en": "Province"},
    # Plot labels
    "observed": {"vi": "Quan sát", "en": "Observed"},
    "median": {"vi": "Dự báo (trung vị)", "en": "Forecast (median)"},
    "band80": {"vi": "Khoảng 80%", "en": "80% interval"},
    "band95": {"vi": "Khoảng 95%", "en": "95% interval"},
    "target": {"vi": "Mục tiêu", "en": "Target"},
    "year": {"vi": "Năm", "en": "Year"},
    "count": {"vi": "Số mục tiêu", "en": "Number of targets"},
    "p_attain": {"vi": "Xác suất đạt mục tiêu", "en": "Probability of attaining the target"},
    # Kinds of target
    "kind_outcome": {"vi": "Kết quả", "en": "Outcome"},
    "kind_milestone": {"vi": "Mốc", "en": "Milestone"},
    "kind_activity": {"vi": "Hoạt động", "en": "Activity"},
    "kind_qualitative": {"vi": "Định tính", "en": "Qualitative"},
    # Why a series could not be forecast (engine status codes; captions instead of `reason` text)
    "too_little_data": {"vi": "không đủ số liệu để dự báo", "en": "too little data to forecast"},
    "status_too_short": {
        "vi": "ít hơn 3 quan sát: dự báo giữ nguyên giá trị cuối",
        "en": "fewer than 3 observations: flat forecast at the last value",
    },
    "status_constant": {
        "vi": "mọi giá trị bằng nhau: dự báo giữ nguyên",
        "en": "all values are equal: flat forecast",
    },
    "status_at_bound": {
        "vi": "giá trị cuối ở giới hạn của chỉ tiêu: dự báo giữ nguyên",
        "en": "the last value sits at a bound of the indicator: flat forecast",
    },
    # What it would take (forecast.report.pages.sentences.what_it_takes)
    "takes": {
        "vi": "Để đạt mục tiêu năm {year} ({target}), {name} phải {verb} {rate}",
        "en": "To reach the {year} target ({target}), the {name} must {verb} {rate}",
    },
    "takes_same": {"vi": ", so với mức {rate} quan sát{period}", "en": ", against {rate} observed{period}"},
    "takes_opposite": {
        "vi": ", trong khi số liệu quan sát{period} {verb} {rate}",
        "en": ", whereas it was {verb} {rate}{period}",
    },
    "takes_met": {
        "vi": "Mục tiêu năm {year} ({target}) đã đạt ở mức ước tính năm {from_year} ({level}): "
        "{name} chỉ cần không {verb} quá {rate}",
        "en": "The {year} target ({target}) is already met by the {from_year} estimate ({level}): "
        "the {name} need only not {verb} by more than {rate}",
    },
    "takes_met_hold": {
        "vi": "Mục tiêu năm {year} ({target}) đã đạt ở mức ước tính năm {from_year} ({level}): "
        "{name} chỉ cần giữ mức hiện tại",
        "en": "The {year} target ({target}) is already met by the {from_year} estimate ({level}): "
        "the {name} need only hold its level",
    },
    "takes_met_observed": {
        "vi": " (số liệu quan sát{period}: {verb} {rate})",
        "en": " (observed{period}: {verb} {rate})",
    },
    "takes_period": {"vi": " trong {start}–{end}", "en": " over {start}–{end}"},
    "verb_rise": {"vi": "tăng", "en": "rise"},
    "verb_fall": {"vi": "giảm", "en": "fall"},
    "verb_rising": {"vi": "tăng", "en": "rising"},
    "verb_falling": {"vi": "giảm", "en": "falling"},
    "takes_achieved": {
        "vi": "{name}: đã đạt mục tiêu năm {year}.",
        "en": "{name}: the {year} target is already met.",
    },
    "pace_never": {
        "vi": "Với xu hướng hiện tại, {name} chưa đạt mục tiêu trước năm {horizon}.",
        "en": "At the current trend, the {name} target would not be reached by {horizon}.",
    },
    "pace_year": {
        "vi": "Với xu hướng hiện tại, {name} đạt mục tiêu vào khoảng năm {year}.",
        "en": "At the current trend, the {name} target would be reached around {year}.",
    },
    # Caveats (forecast.report.pages.sentences.caveats)
    "caveat_series_is": {"vi": "số liệu ", "en": "the series is "},
    "caveat_latest_years": {"vi": "Năm có số liệu mới nhất: ", "en": "Last year with data: "},
    "caveat_no_data_for": {"vi": "Chưa có số liệu cho: ", "en": "No data for: "},
    "caveat_english_note": {"vi": "(ghi chú tiếng Anh) ", "en": "(note in English) "},
    # Scenarios (assess.scenarios)
    "scenarios": {"vi": "Kịch bản", "en": "Scenarios"},
    "scenarios_note": {
        "vi": "Giá trị năm mục tiêu nếu chỉ tiêu thay đổi đều từ ước tính hiện tại (năm {year}).",
        "en": "The value in the target year if the indicator changed at a steady rate from the nowcast ({year}).",
    },
    "scenario_reference": {"vi": "Dự báo (tham chiếu)", "en": "Forecast (reference)"},
    "scenario_rate": {"vi": "Tốc độ {rate}%/năm", "en": "At {rate}% a year"},
    "scenario_national": {"vi": "Theo tốc độ toàn quốc", "en": "At the national pace"},
    "scenario_best_decile": {
        "vi": "Theo tốc độ của 10% tỉnh tốt nhất",
        "en": "At the pace of the best tenth of provinces",
    },
    "col_scenario": {"vi": "Kịch bản", "en": "Scenario"},
    "col_rate": {"vi": "Tốc độ (%/năm)", "en": "Rate (% a year)"},
    "col_value": {"vi": "Giá trị năm mục tiêu", "en": "Value in the target year"},
    "col_meets": {"vi": "Đạt mục tiêu?", "en": "Meets the target?"},
    "yes": {"vi": "có", "en": "yes"},
    "no": {"vi": "không", "en": "no"},
}

#: How an annual rate of change is written, per assessment ``rate_unit``: relative % a year or
#: percentage points a year (coverage indicators, :func:`forecast.assess.assessment.rate_unit`).
RATE_UNITS = {
    "pct": {"vi": "%/năm", "en": "% a year"},
    "pp": {"vi": " điểm phần trăm/năm", "en": " percentage points a year"},
    "abs": {"vi": "{unit}/năm", "en": "{unit} a year"},  # change in the indicator's own unit
}
#: The same, short, for a table cell ("+0,99 điểm" beside "+0,37%"): percentage points are never "%".
RATE_UNITS_SHORT = {
    "pct": {"vi": "%", "en": "%"},
    "pp": {"vi": " điểm", "en": " pp"},
    "abs": {"vi": "{unit}", "en": "{unit}"},
}

UNITS = {
    "percent": {"vi": "%", "en": "%"},
    "per_1000": {"vi": "‰", "en": "‰"},
    "per_10k": {"vi": "/10.000 dân", "en": " per 10,000"},
    "per_100k": {"vi": "/100.000 dân", "en": " per 100,000"},
    "years": {"vi": " năm", "en": " years"},
    "cm": {"vi": " cm", "en": " cm"},
    "boys_per_100_girls": {"vi": " bé trai/100 bé gái", "en": " boys per 100 girls"},
    "count": {"vi": "", "en": ""},
    "billion_vnd": {"vi": " tỷ đồng", "en": " billion VND"},
    "days_per_week": {"vi": " ngày/tuần", "en": " days a week"},
}
#: Units whose values are whole numbers (written without decimals).
WHOLE_UNITS = ("count",)

#: Vietnamese wording of the variant definitions in :data:`forecast.indicators.VARIANT_SUFFIXES`.
DEFINITIONS_VI = {
    "_dohs_gso": "tổng toàn quốc của các cơ sở thuộc sở y tế tỉnh (Tổng cục Thống kê)",
    "_dohs": "chỉ tính cơ sở thuộc sở y tế tỉnh, không gồm bệnh viện trung ương (Bộ Y tế), "
    "bộ ngành khác và cơ sở tư nhân",
    "_gso": "chuỗi số liệu quốc gia của Tổng cục Thống kê",
    "_survey": "ước lượng từ điều tra",
    "_moh": "số liệu báo cáo của ngành y tế (Bộ Y tế / Sở Y tế), cách tính mà kế hoạch tỉnh thường dùng",
}

#: Vietnamese wording of the stand-in definitions in :data:`forecast.indicators.STAND_INS`.
STAND_INS_VI = {
    "epi_coverage": "tỷ lệ trẻ em dưới 1 tuổi được tiêm chủng đầy đủ các loại vắc xin trong "
    "Chương trình tiêm chủng mở rộng (Tổng cục Thống kê), thước đo được công bố của "
    "tiêm chủng mở rộng; danh mục vắc xin của kế hoạch có thể rộng hơn",
    "rural_clean_water": "tỷ lệ hộ sử dụng nước hợp vệ sinh, mọi hộ ở thành thị và nông thôn "
    "(khảo sát mức sống của Tổng cục Thống kê, theo vùng); kế hoạch tính hộ nông thôn dùng nước "
    "sạch, chuẩn chặt hơn, nên số liệu thay thế cao hơn thước đo của kế hoạch",
}

#: Vietnamese wording of the definitions of auxiliary series (``data/series.csv``) that measure a
#: catalogue indicator with a definition of their own (``definition_code`` is the series code).
SERIES_DEFINITIONS_VI = {
    "nurses_midwives_per_10k": "điều dưỡng và hộ sinh tính chung (WHO/WDI SH.MED.NUMW.P3)",
    "bhyt_coverage_derived_gso": "số người có thẻ bảo hiểm y tế chia cho dân số trung bình (tính từ số liệu "
    "Tổng cục Thống kê); thấp hơn một chút so với tỷ lệ bao phủ do Bảo hiểm xã hội công bố",
    "nurses_per_10k_total_gso": "mọi khu vực, toàn quốc (số điều dưỡng của Tổng cục Thống kê chia cho dân số "
    "trung bình)",
    "pharmacists_high_degree_per_10k_total_gso": "mọi khu vực, toàn quốc (số dược sĩ đại học của Tổng cục "
    "Thống kê chia cho dân số trung bình); từ năm 2012 tính cả khu vực tư nhân",
    "contraceptive_prevalence_any": "mọi biện pháp (hiện đại hoặc truyền thống), phụ nữ có chồng 15-49 tuổi "
    "(WDI SP.DYN.CONU.ZS); kế hoạch tính các cặp vợ chồng dùng biện pháp hiện đại",
    "obesity_adult_crude": "người từ 18 tuổi có BMI ≥ 30, tỷ lệ thô (WHO, NCD-RisC); thước đo điều tra của kế "
    "hoạch có thể khác",
    "hale": "tuổi thọ khỏe mạnh khi sinh (HALE, ước tính y tế toàn cầu của WHO); 'số năm sống khỏe' của kế "
    "hoạch có thể được đo khác",
}

#: Short qualifiers of a variant series in chart titles (``beds_per_10k_dohs``), by suffix.
VARIANT_TAGS = {
    "_dohs_gso": {
        "vi": "cơ sở thuộc Sở Y tế, số liệu Tổng cục Thống kê",
        "en": "health-department facilities, GSO",
    },
    "_dohs": {"vi": "cơ sở thuộc Sở Y tế", "en": "health-department facilities"},
    "_gso": {"vi": "số liệu Tổng cục Thống kê", "en": "GSO series"},
    "_survey": {"vi": "ước lượng từ điều tra", "en": "survey estimates"},
    "_moh": {"vi": "số liệu ngành y tế", "en": "health-sector reporting"},
}

#: Short qualifiers of a stand-in series in chart titles, by the stand-in's code.
STAND_IN_TAGS = {
    "full_immunization_u1": {
        "vi": "thay bằng tỷ lệ trẻ dưới 1 tuổi tiêm chủng đầy đủ",
        "en": "stand-in: children under 1 fully immunised",
    },
    "households_hygienic_water": {
        "vi": "thay bằng tỷ lệ hộ dùng nước hợp vệ sinh",
        "en": "stand-in: households using hygienic water",
    },
}


def series_tag(indicator: str, series: str, lang: str = "vi") -> str:
    """The short qualifier of ``series`` answering ``indicator`` ("" when it is the indicator itself)."""
    check_lang(lang)
    if not series or series == indicator:
        return ""
    base, _ = indicators.base_indicator(series)
    tags = []
    if base != indicator:  # a stand-in (possibly a variant of one)
        tags.append(STAND_IN_TAGS.get(base, {}).get(lang) or TEXT["stand_in_tag"][lang])
    suffix = series[len(base) :]
    if suffix in VARIANT_TAGS:
        tags.append(VARIANT_TAGS[suffix][lang])
    return "; ".join(tags)


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is a supported language, else raise :class:`ForecastError`."""
    if lang not in LANGS:
        raise ForecastError(f"language {lang!r} is not supported; use one of {', '.join(LANGS)}")
    return lang


def t(key: str, lang: str = "vi", **fields: object) -> str:
    """Return the label ``key`` in ``lang``, with ``{fields}`` filled in.

    Raises
    ------
    ForecastError
        If the key or the language is unknown.
    """
    check_lang(lang)
    if key not in TEXT:
        raise ForecastError(f"no label {key!r}; add it to forecast.labels.TEXT")
    return TEXT[key][lang].format(**fields) if fields else TEXT[key][lang]


def category_label(category: str, lang: str = "vi") -> str:
    """Return the display name of an assessment category (unknown ones are returned as given)."""
    check_lang(lang)
    return CATEGORY_LABELS.get(str(category), {}).get(lang, str(category))


def indicator_name(code: str, lang: str = "vi") -> str:
    """Return the catalogue name of an indicator or of a variant series (``beds_per_10k_dohs``)."""
    check_lang(lang)
    base, _ = indicators.base_indicator(str(code))
    cat = indicators.catalogue()
    if base not in cat.index:
        return AUXILIARY_NAMES.get(str(code), {}).get(lang, str(code))
    return str(cat.loc[base, "name_vi" if lang == "vi" else "name_en"])


def unit_label(unit: str, lang: str = "vi") -> str:
    """Return the suffix written after a value in ``unit`` (``"%"``, ``"‰"``, ``"/10.000 dân"``)."""
    check_lang(lang)
    return UNITS.get(str(unit), {}).get(lang, f" {unit}" if unit else "")


def definition_text(code: str, lang: str = "vi") -> str:
    """Say how a series' definition differs from its indicator's, from the code that names it.

    ``code`` is an assessment's ``definition_code`` (:func:`forecast.assess.matching.definition_code`):
    a variant suffix (``"_dohs"``), a stand-in series (``"full_immunization_u1"``) or an auxiliary
    series with a definition of its own (``"nurses_midwives_per_10k"``); ``""`` gives ``""``. Both
    languages are written from the code; no sentence is read back.
    """
    check_lang(lang)
    if not code:
        return ""
    if code in indicators.VARIANT_SUFFIXES:
        return DEFINITIONS_VI[code] if lang == "vi" else indicators.VARIANT_SUFFIXES[code]
    for target, (alt, meaning) in indicators.STAND_INS.items():
        if code == alt:
            return STAND_INS_VI[target] if lang == "vi" else meaning
    info = indicators.series_info(code)
    english = str(info["definition"]) if info and info["definition"] else code
    return SERIES_DEFINITIONS_VI.get(code, english) if lang == "vi" else english


def fmt_number(x: object, lang: str = "vi", digits: int = 1) -> str:
    """Format a number: ``75,4`` and ``1.234,5`` in Vietnamese, ``75.4`` and ``1,234.5`` in English.

    Missing values (None, NaN) give an en dash.
    """
    check_lang(lang)
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "–"
    if math.isnan(v):
        return "–"
    s = f"{v:,.{digits}f}"
    if lang == "vi":
        s = s.translate({ord(","): ".", ord("."): ","})
    return s.replace("-", "−")


def target_digits(*values: object, least: int = 1, most: int = 3) -> int:
    """Decimals a target is written with (``1.25`` -> 2, ``75.4`` -> 1), between ``least`` and ``most``.

    Values of a target's row are shown with its precision, so a ``≥ 1,25`` target is not printed ``≥ 1,2``.
    """
    digits = least
    for x in values:
        if _is_number(x):
            text = f"{float(x):.{most}f}".rstrip("0")  # type: ignore[arg-type]
            digits = max(digits, len(text.split(".")[1]) if "." in text else 0)
    return min(digits, most)


def fmt_rate(x: object, lang: str = "vi") -> str:
    """Format an annual rate of change in percent: two decimals below 1 (``0,11`` vs ``0,13``)."""
    if not _is_number(x):
        return fmt_number(x, lang)
    v = float(x)  # type: ignore[arg-type]
    digits = 2 if abs(v) < 1 else 1
    return fmt_number(0.0 if round(v, digits) == 0 else v, lang, digits)  # never "−0,00"


def fmt_rate_unit(
    x: object,
    rate_unit: str = "pct",
    lang: str = "vi",
    *,
    signed: bool = False,
    short: bool = False,
    unit: str = "",
) -> str:
    """Format an annual rate with its unit: ``0,37%/năm`` or ``0,72 điểm phần trăm/năm`` (``pp``).

    ``signed`` writes a ``+`` before a rise; ``short`` uses the table form (``+0,72 điểm %``).
    A rate in the indicator's own unit (``abs``) needs that ``unit`` (``0,05‰/năm``).
    Missing values give an en dash.
    """
    check_lang(lang)
    text = fmt_rate(x, lang)
    if text == "–":
        return text
    units = RATE_UNITS_SHORT if short else RATE_UNITS
    sign = "+" if signed and float(x) > 0 and text.strip("0,.") else ""  # type: ignore[arg-type]
    suffix = units.get(str(rate_unit), units["pct"])[lang]
    return sign + text + suffix.format(unit=unit_label(unit, lang).rstrip() if unit else "")


def fmt_value(x: object, unit: str, lang: str = "vi", digits: int = 1) -> str:
    """Format a value with its unit, e.g. ``12,5‰`` or ``28,0/10.000 dân`` (counts without decimals)."""
    text = fmt_number(x, lang, 0 if unit in WHOLE_UNITS else digits)
    return text if text == "–" else text + unit_label(unit, lang)


def fmt_gap(x: object, unit: str, lang: str = "vi", digits: int = 1) -> str:
    """A signed difference between two values: ``+1,5 năm``, ``−2,60 điểm phần trăm`` (never ``%``:
    a difference of two percentages is in percentage points)."""
    if not _is_number(x):
        return "–"
    v = float(x)  # type: ignore[arg-type]
    sign = "+" if round(v, digits) > 0 else ""
    if unit == "percent":
        return sign + fmt_number(v, lang, digits) + TEXT["points"][lang]
    return sign + fmt_value(v, unit, lang, digits)


def fmt_percent(p: object, lang: str = "vi", digits: int = 0) -> str:
    """Format a probability in [0, 1] as a percentage (``0.83`` -> ``83%``)."""
    text = fmt_number(float(p) * 100 if _is_number(p) else p, lang, digits)  # type: ignore[arg-type]
    return text if text == "–" else text + "%"


def quarter_label(quarter: str, lang: str = "vi") -> str:
    """Return ``"quý 4/2026"`` or ``"Q4 2026"`` for ``"2026Q4"`` (other text is returned as given)."""
    check_lang(lang)
    try:
        year, q = config.parse_quarter(quarter).split("Q")
    except ValidationError:
        return str(quarter)
    return f"quý {q}/{year}" if lang == "vi" else f"Q{q} {year}"


def _is_number(x: object) -> bool:
    try:
        return not math.isnan(float(x))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


#: Labels of the report's own pages, by group (``index``: the quarter's index page, ``footer``: the
#: provenance footer of every page, ``downloads``: the download links, ``plots``: axis labels):
#: ``labels(group, lang)`` returns one language's dictionary.
PAGE_LABELS: dict[str, dict[str, dict[str, str]]] = {
    "index": {
        "vi": {
            "title": "Báo cáo {q}",
            "briefs": "Báo cáo tỉnh",
            "analyst": "bản phân tích",
            "deep": "Phân tích chuyên sâu",
            "failures": "Notebook bị lỗi",
            "notebook": "notebook",
            "view": "xem",
            "no_overview": "Không tạo được bảng điểm quốc gia (xem danh sách lỗi).",
        },
        "en": {
            "title": "Quarterly report {q}",
            "briefs": "Province briefs",
            "analyst": "analyst version",
            "deep": "Deep dives",
            "failures": "Failed notebooks",
            "notebook": "notebook",
            "view": "view",
            "no_overview": "The national scorecard could not be made (see failures).",
        },
    },
    "footer": {
        "vi": {
            "quarter": "Quý",
            "data": "Số liệu (năm mới nhất theo nguồn)",
            "run": "Lượt chạy",
            "parameters": "Tham số",
            "versions": "Phần mềm",
        },
        "en": {
            "quarter": "Quarter",
            "data": "Data (latest year per source)",
            "run": "Run",
            "parameters": "Parameters",
            "versions": "Software",
        },
    },
    "downloads": {
        "vi": {
            "download": "Tải về",
            "pdf": "PDF để in",
            "scorecard": "bảng theo dõi",
            "series": "số liệu biểu đồ",
            "quarter": "Toàn bộ đánh giá của quý",
            "no_pdf": "Chưa tạo được bản PDF của {n} báo cáo: {why}.",
            "no_chromium": "máy chưa có trình duyệt chromium (cài bằng lệnh apt-get install chromium)",
            "pdf_failed": "chromium báo lỗi (chi tiết trong manifest.json)",
        },
        "en": {
            "download": "Download",
            "pdf": "PDF for print",
            "scorecard": "scorecard",
            "series": "chart data",
            "quarter": "The quarter's whole assessment",
            "no_pdf": "No PDF could be made for {n} brief(s): {why}.",
            "no_chromium": "chromium is not installed (apt-get install chromium)",
            "pdf_failed": "chromium failed (details in manifest.json)",
        },
    },
    "plots": {
        "vi": {"window": "Cửa sổ (năm)", "rate_axis": "%/năm"},
        "en": {"window": "Window (years)", "rate_axis": "% a year"},
    },
}


def labels(group: str, lang: str = "vi") -> dict[str, str]:
    """Return the page labels of ``group`` (:data:`PAGE_LABELS`) in ``lang`` (English for another)."""
    texts = PAGE_LABELS[group]
    return texts.get(lang, texts["en"])


def series_title(series: str, lang: str = "vi") -> str:
    """A chart title for a store series: its indicator's name, a variant named in words, never its code.

    ``beds_per_10k_dohs`` -> ``Số giường bệnh trên 10.000 dân (cơ sở thuộc Sở Y tế)`` (:data:`VARIANT_TAGS`,
    the qualifiers of the briefs' chart titles).
    """
    name = indicator_name(series, lang)
    base, definition = indicators.base_indicator(str(series))
    if base == series or not definition:
        return name
    suffix = str(series)[len(base) :]
    return f"{name} ({VARIANT_TAGS[suffix][lang]})" if suffix in VARIANT_TAGS else name


#: Names of the auxiliary series (``data/series.csv``) that answer a target as a stand-in.
AUXILIARY_NAMES = {
    "households_hygienic_water": {
        "vi": "Tỷ lệ hộ dân sử dụng nước hợp vệ sinh",
        "en": "Households using hygienic water",
    },
}
