"""The one message catalog: every user-facing word in Vietnamese and English, and numbers,
percentages, dates and times in each language.

Labels follow the project glossary (``shared/design/glossary.md``): one word per thing,
Vietnamese first; synthetic data is "mô phỏng", never "tổng hợp" (which reads as
"aggregated"). Keys are short names (``"commune"``), register fields (``"field.<column>"``),
enum values (``"<Enum>.<value>"``, e.g. ``"GapClass.none"``, read by :func:`enum_label`) and
the import page's words (``"imp.<key>"``). Numbers are written the Vietnamese way in ``vi``
(1.234,5 and 97,3 %) and the English way in ``en`` (1,234.5 and 97.3%); dates are
dd/mm/yyyy in both, and times are Vietnam's (Asia/Ho_Chi_Minh, UTC+7) as dd/mm/yyyy HH:MM.
"""

from __future__ import annotations

import datetime as dt
import math
from numbers import Real

import numpy as np
import pandas as pd
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

__all__ = [
    "LABELS",
    "LANGS",
    "LOCALES",
    "MISSING",
    "VN_TIME",
    "check_lang",
    "comparable_label",
    "enum_label",
    "enum_key",
    "fmt_date",
    "fmt_datetime",
    "fmt_number",
    "fmt_percent",
    "local_iso",
    "t",
]

LANGS: tuple[str, ...] = ("vi", "en")
"""The UI languages, Vietnamese first (the default)."""

LOCALES: dict[str, str] = {"vi": "vi_VN", "en": "en_GB"}
"""The babel locale of each UI language."""

MISSING = "—"
"""What a missing value (None, NaN) is written as."""

VN_TIME = dt.timezone(dt.timedelta(hours=7), "Asia/Ho_Chi_Minh")
"""Vietnam's time (Asia/Ho_Chi_Minh: UTC+7 all year, no daylight saving since 1975), in which
times are shown; they are stored in UTC."""

LABELS: dict[str, dict[str, str]] = {
    # Units and things (glossary)
    "province": {"vi": "Tỉnh", "en": "Province"},
    "district": {"vi": "Huyện", "en": "District"},
    "commune": {"vi": "Xã", "en": "Commune"},
    "commune_code": {"vi": "Mã xã", "en": "Commune code"},
    "village": {"vi": "Thôn/Bản", "en": "Village"},
    "villages": {"vi": "Thôn/bản", "en": "Villages"},
    "operator": {"vi": "Nhà mạng", "en": "Operator"},
    "operator_formal": {"vi": "Doanh nghiệp viễn thông", "en": "Operator"},
    "assigned_operator": {"vi": "Doanh nghiệp", "en": "Operator"},
    "site": {"vi": "Trạm BTS", "en": "Site"},
    "sites": {"vi": "Trạm BTS", "en": "Sites"},
    "physical_site": {"vi": "Vị trí trạm", "en": "Physical site"},
    "physical_sites": {"vi": "Vị trí trạm", "en": "Physical sites"},
    "technology": {"vi": "Công nghệ", "en": "Technology"},
    "on_air_date": {"vi": "Ngày phát sóng", "en": "On air since"},
    "site_sharing_rate": {"vi": "Tỷ lệ dùng chung vị trí trạm BTS", "en": "Site-sharing rate"},
    "mobile_coverage": {"vi": "Phủ sóng di động băng rộng", "en": "Mobile broadband coverage"},
    "gap_all": {"vi": "Được tất cả nhà mạng phủ sóng", "en": "Covered by every operator"},
    "gap_partial": {"vi": "Phủ sóng một phần nhà mạng", "en": "Partial not-spot"},
    "gap_none": {"vi": "Vùng lõm sóng (không nhà mạng nào)", "en": "Total not-spot"},
    "gap_nosites": {"vi": "Chưa có dữ liệu trạm", "en": "No site data"},
    "gap_class": {"vi": "Tình trạng phủ sóng", "en": "Coverage status"},
    "fibre": {"vi": "Cáp quang FTTH", "en": "FTTH fibre"},
    "fibre_villages": {"vi": "Thôn/bản có cáp quang FTTH", "en": "Villages with FTTH fibre"},
    "unserved": {"vi": "Thôn/bản chưa có dịch vụ", "en": "Unserved village"},
    "unserved_declared": {
        "vi": "Thôn/bản chưa có dịch vụ (kế hoạch)",
        "en": "Unserved villages (plan)",
    },
    "assignment": {"vi": "Phân công", "en": "Assignment"},
    "indicator": {"vi": "Chỉ tiêu", "en": "Indicator"},
    "indicators": {"vi": "Chỉ tiêu", "en": "Indicators"},
    "target": {"vi": "Mục tiêu", "en": "Target"},
    "target_year": {"vi": "Mục tiêu năm {year}", "en": "Target {year}"},
    "actual": {"vi": "Thực hiện", "en": "Actual"},
    "actual_year": {"vi": "Thực hiện năm {year}", "en": "Actual {year}"},
    "current_state": {"vi": "hiện trạng", "en": "current state"},
    "synthetic": {
        "vi": "Dữ liệu mô phỏng (minh họa, không phải dữ liệu thật)",
        "en": "Synthetic (demo, not real data)",
    },
    "synthetic_short": {"vi": "mô phỏng", "en": "synthetic"},
    "yes": {"vi": "Có", "en": "Yes"},
    "no": {"vi": "Không", "en": "No"},
    "partial": {"vi": "Một phần", "en": "Partly"},
    "comparable": {"vi": "So sánh được", "en": "Comparable"},
    "comparable_yes": {"vi": "Có", "en": "Yes"},
    "comparable_partial": {"vi": "Một phần", "en": "Partly"},
    "comparable_no": {"vi": "Không", "en": "No"},
    "met": {"vi": "Đạt", "en": "Met"},
    "not_met": {"vi": "Chưa đạt", "en": "Not met"},
    "source": {"vi": "Nguồn", "en": "Source"},
    "unit": {"vi": "Đơn vị tính", "en": "Unit"},
    "stt": {"vi": "Stt", "en": "No."},
    "population": {"vi": "Dân số (2019)", "en": "Population (2019)"},
    "population_covered": {
        "vi": "Dân số trong vùng phủ sóng",
        "en": "Population within coverage",
    },
    "population_covered_share": {
        "vi": "Tỷ lệ dân số được phủ sóng",
        "en": "Share of population covered",
    },
    "villages_mobile_share": {
        "vi": "Tỷ lệ thôn/bản được phủ sóng di động băng rộng",
        "en": "Villages with mobile broadband",
    },
    "villages_fibre_share": {
        "vi": "Tỷ lệ thôn/bản có cáp quang FTTH",
        "en": "Villages with FTTH fibre",
    },
    "total_not_spots": {
        "vi": "Số thôn/bản vùng lõm sóng (không nhà mạng nào)",
        "en": "Total not-spot villages",
    },
    "partial_not_spots": {
        "vi": "Số thôn/bản phủ sóng một phần nhà mạng",
        "en": "Partial not-spot villages",
    },
    "villages_located_by_commune": {
        "vi": "Thôn/bản chỉ định vị được theo xã",
        "en": "Villages located only by commune",
    },
    "villages_count": {"vi": "Số thôn/bản", "en": "Villages"},
    "villages_operator_share": {
        "vi": "Tỷ lệ thôn/bản được {operator} phủ sóng",
        "en": "Villages covered by {operator}",
    },
    "commune_share_legend": {
        "vi": "Tỷ lệ thôn/bản được phủ sóng di động băng rộng",
        "en": "Share of villages with mobile broadband",
    },
    "communes_layer": {
        "vi": "Xã: tỷ lệ thôn/bản có sóng di động băng rộng",
        "en": "Communes: share of villages with mobile broadband",
    },
    "villages_layer": {"vi": "Thôn/bản theo tình trạng phủ sóng", "en": "Villages by coverage"},
    "sites_layer": {"vi": "Trạm BTS theo nhà mạng", "en": "Sites by operator"},
    "location_point": {"vi": "điểm", "en": "point"},
    "location_commune": {"vi": "xã", "en": "commune"},
    "location_commune_note": {
        "vi": "Vị trí tạm đặt tại xã (chưa có tọa độ thôn/bản)",
        "en": "Placed at its commune (no village coordinates)",
    },
    "location": {"vi": "Vị trí (điểm/xã)", "en": "Location (point/commune)"},
    "approx_location": {"vi": "theo vị trí xã, chưa chắc chắn", "en": "at the commune's point, uncertain"},
    "modelled_covered": {"vi": "Mô hình: có phủ sóng?", "en": "Model: covered?"},
    "operators_covering": {"vi": "Nhà mạng phủ sóng (mô hình)", "en": "Operators covering (model)"},
    "declared_operator": {"vi": "Doanh nghiệp được phân công", "en": "Assigned operator"},
    "none_word": {"vi": "không có", "en": "none"},
    "search_placeholder": {"vi": "Tìm thôn/bản hoặc xã…", "en": "Search village or commune…"},
    "search_not_found": {"vi": "Không tìm thấy", "en": "Not found"},
    "search_cancel": {"vi": "Xóa", "en": "Clear"},
    # App
    "page_title": {"vi": "Bản đồ phủ sóng", "en": "Coverage map"},
    "language": {"vi": "Ngôn ngữ", "en": "Language"},
    "province_pick": {"vi": "Tỉnh", "en": "Province"},
    "district_pick": {"vi": "Huyện", "en": "District"},
    "whole_province": {"vi": "Toàn tỉnh", "en": "Whole province"},
    "year_pick": {"vi": "Năm (trạm phát sóng đến 31/12)", "en": "Year (sites on air by 31/12)"},
    "all_years": {"vi": "Tất cả", "en": "All"},
    "radius_header": {
        "vi": "Giả định: bán kính phủ sóng (km) (chỉ mang tính tham khảo, không tính địa hình)",
        "en": "Assumption: coverage radius (km) (indicative only, terrain not modelled)",
    },
    "radius_label": {"vi": "Bán kính {tech} (km)", "en": "{tech} radius (km)"},
    "sharing_distance": {
        "vi": "Khoảng cách gộp vị trí trạm dùng chung (m)",
        "en": "Distance to merge co-located sites (m)",
    },
    "no_sites": {
        "vi": "Tỉnh này chưa có dữ liệu trạm BTS: chỉ hiển thị đơn vị hành chính và thôn/bản.",
        "en": "This province has no site data: only units and villages are shown.",
    },
    "map_header": {"vi": "Bản đồ", "en": "Map"},
    "indicators_header": {"vi": "Chỉ tiêu", "en": "Indicators"},
    "unserved_header": {
        "vi": "Thôn/bản chưa có dịch vụ: danh sách kế hoạch và kết quả mô hình",
        "en": "Unserved villages: the plan's list and the model",
    },
    "disagreements_header": {
        "vi": "Chênh lệch giữa kế hoạch và mô hình",
        "en": "Where the plan and the model disagree",
    },
    "declared_but_covered": {
        "vi": "Kế hoạch ghi chưa có dịch vụ nhưng mô hình cho là có phủ sóng",
        "en": "Listed as unserved by the plan but covered in the model",
    },
    "notspot_not_declared": {
        "vi": "Mô hình cho là vùng lõm sóng nhưng không có trong danh sách kế hoạch",
        "en": "Total not-spots in the model that the plan does not list",
    },
    "no_declared_list": {
        "vi": "Tỉnh này chưa có danh sách thôn/bản chưa có dịch vụ trong kế hoạch.",
        "en": "No plan lists unserved villages for this province.",
    },
    "downloads_header": {"vi": "Tải xuống", "en": "Downloads"},
    "download_layer": {"vi": "{layer} ({fmt})", "en": "{layer} ({fmt})"},
    "download_indicators": {"vi": "Chỉ tiêu (xlsx)", "en": "Indicators (xlsx)"},
    "download_map": {"vi": "Bản đồ (HTML)", "en": "Map (HTML)"},
    "layer_villages": {"vi": "Thôn/bản", "en": "Villages"},
    "layer_communes": {"vi": "Xã", "en": "Communes"},
    "layer_sites": {"vi": "Trạm BTS", "en": "Sites"},
    "layer_unserved": {"vi": "Thôn/bản chưa có dịch vụ", "en": "Unserved villages"},
    "layer_fibre": {"vi": "Cáp quang FTTH", "en": "FTTH fibre"},
    "why": {"vi": "Vì sao", "en": "Why"},
    "definition": {"vi": "Cách tính", "en": "Definition"},
    "definitions_sheet": {"vi": "Định nghĩa và nguồn", "en": "Definitions and sources"},
    "indicators_sheet": {"vi": "Phụ lục 1 - Chỉ tiêu", "en": "Annex 1 - Indicators"},
    "no_target": {"vi": "Kế hoạch không có mục tiêu cho năm này", "en": "No plan target for this year"},
    "building": {"vi": "Đang tính toán…", "en": "Computing…"},
    "scope": {"vi": "Phạm vi", "en": "Scope"},
    "plan": {"vi": "Kế hoạch", "en": "Plan"},
    "attribution": {"vi": "Nguồn dữ liệu", "en": "Data"},
    "coverage_model_note": {
        "vi": "Phủ sóng được mô hình hóa bằng bán kính quanh trạm (chỉ mang tính tham khảo, "
        "không tính địa hình).",
        "en": "Coverage is modelled by a radius around each site (indicative, terrain not "
        "modelled).",
    },
    "map_size": {"vi": "Dung lượng bản đồ", "en": "Map size"},
    "legend": {"vi": "Chú giải", "en": "Legend"},
    "ring_is_operator": {
        "vi": "Màu vòng = doanh nghiệp được phân công",
        "en": "Ring colour = assigned operator",
    },
    "no_villages": {"vi": "Xã không có thôn/bản trong danh sách", "en": "No villages listed"},
    "tool_source": {
        "vi": "Công cụ (mô hình, không có mục tiêu kế hoạch)",
        "en": "Tool (model, no plan target)",
    },
    "unit_villages": {"vi": "thôn/bản", "en": "villages"},
    "unit_population": {"vi": "người", "en": "people"},
    "unit_population_covered": {"vi": "người", "en": "people"},
    "unit_sites": {"vi": "trạm", "en": "sites"},
    "unit_physical_sites": {"vi": "vị trí", "en": "physical sites"},
    "unit_total_not_spots": {"vi": "thôn/bản", "en": "villages"},
    "unit_partial_not_spots": {"vi": "thôn/bản", "en": "villages"},
    "unit_villages_located_by_commune": {"vi": "thôn/bản", "en": "villages"},
    "xlsx_subtitle": {
        "vi": "Thực hiện: kết quả mô hình của công cụ. Mục tiêu năm {year}: theo kế hoạch "
        "(cột Nguồn). Tỷ lệ ghi bằng %.",
        "en": "Actual: the tool's model. Target {year}: from the plan (Source column). Shares "
        "in %.",
    },
    "sources_header": {"vi": "Nguồn dữ liệu theo lớp", "en": "Sources by layer"},
    "layer": {"vi": "Lớp dữ liệu", "en": "Layer"},
    "synthetic_col": {"vi": "Dữ liệu mô phỏng?", "en": "Synthetic?"},
    "generated": {"vi": "Ngày lập", "en": "Generated"},
    "disagreement_kind": {"vi": "Loại chênh lệch", "en": "Kind"},
    "layer_population": {"vi": "Dân số", "en": "Population"},
    # Pages
    "page_map": {"vi": "Bản đồ", "en": "Map"},
    "page_imports": {"vi": "Nhập dữ liệu", "en": "Import data"},
    "page_assignments": {"vi": "Phân công", "en": "Assignments"},
    "page_admin": {"vi": "Quản trị", "en": "Admin"},
    # Units before / from 01/07/2025 (glossary)
    "units_pick": {"vi": "Đơn vị hành chính", "en": "Units"},
    "units_pre2025": {"vi": "Trước 01/07/2025", "en": "Before 1 July 2025"},
    "units_2025": {"vi": "Từ 01/07/2025", "en": "From 1 July 2025"},
    "units_pre2025_long": {
        "vi": "Đơn vị hành chính trước 01/07/2025",
        "en": "Units before 1 July 2025",
    },
    "units_2025_long": {
        "vi": "Đơn vị hành chính từ 01/07/2025",
        "en": "Units from 1 July 2025",
    },
    "commune_pick": {"vi": "Xã / phường / đặc khu", "en": "Commune"},
    "commune_2025": {"vi": "Xã (mới)", "en": "Commune (new)"},
    "commune_old_new": {"vi": "Xã (cũ → mới)", "en": "Commune (old → new)"},
    "communes_old": {"vi": "Gồm các xã cũ", "en": "Made of the old communes"},
    "province_made_of": {
        "vi": "Gồm (trước 01/07/2025): {names}",
        "en": "Made of (before 1 July 2025): {names}",
    },
    "province_no_sites_2025": {
        "vi": "Dữ liệu trạm và cáp quang minh họa chỉ có cho Điện Biên và Lai Châu; các tỉnh "
        "khác chỉ hiển thị đơn vị hành chính và thôn/bản.",
        "en": "Demo site and fibre data exist only for Điện Biên and Lai Châu; other provinces "
        "show units and villages only.",
    },
    "geometry_method": {"vi": "Ranh giới", "en": "Boundary"},
    "geometry_exact": {
        "vi": "chính xác (hợp các xã cũ sáp nhập nguyên vẹn)",
        "en": "exact (union of old communes merged whole)",
    },
    "geometry_approximate": {
        "vi": "gần đúng (có xã cũ bị chia tách, vẽ bằng nét đứt)",
        "en": "approximate (an old commune was split; drawn dashed)",
    },
    "geometry_missing": {
        "vi": "chưa có ranh giới (không vẽ)",
        "en": "no boundary (not drawn)",
    },
    "geometry_missing_count": {
        "vi": "{n} xã chưa có ranh giới, không vẽ: {names}",
        "en": "{n} communes without a boundary, not drawn: {names}",
    },
    "boundaries_2025_legend": {
        "vi": "Ranh giới xã từ 01/07/2025 (dựng từ các xã cũ)",
        "en": "Commune boundaries from 1 July 2025 (built from the old communes)",
    },
    "unresolved_2025": {
        "vi": "Chưa xác định được xã mới (xã cũ bị chia tách, thôn/bản chưa có tọa độ)",
        "en": "New commune unknown (old commune split, village without coordinates)",
    },
    "crosswalk_header": {
        "vi": "Bảng chuyển đổi xã cũ → xã mới",
        "en": "Crosswalk old → new communes",
    },
    "download_crosswalk_xlsx": {"vi": "Bảng chuyển đổi (xlsx)", "en": "Crosswalk (xlsx)"},
    "download_crosswalk_csv": {"vi": "Bảng chuyển đổi (csv)", "en": "Crosswalk (csv)"},
    "incomplete_2025": {
        "vi": "Mô hình chỉ gồm {have} trong số các tỉnh cũ {all}: số liệu chưa đủ cho tỉnh mới.",
        "en": "The model holds only {have} of the old provinces {all}: figures are incomplete.",
    },
    "population_unallocated": {
        "vi": "{n} người thuộc xã cũ bị chia tách chưa phân bổ được cho xã mới nào.",
        "en": "{n} people of split old communes could not be allocated to a new commune.",
    },
    # Planner and register
    "planner_name": {"vi": "Người thực hiện (họ tên)", "en": "Your name"},
    "planner_session": {
        "vi": "Phiên làm việc của {name}",
        "en": "Session of {name}",
    },
    "register_file": {"vi": "Sổ phân công", "en": "Assignment register"},
    "register_empty_import": {
        "vi": "Sổ phân công chưa có thôn/bản nào của {province}. Có thể nhập {n} thôn/bản "
        "của Phụ lục 2 ({doc}) làm nội dung ban đầu.",
        "en": "The register holds no village of {province}. The {n} villages of Phụ lục 2 "
        "({doc}) can be imported to start with.",
    },
    "import_phu_luc_2": {
        "vi": "Nhập Phụ lục 2 ({doc}) vào sổ phân công",
        "en": "Import Phụ lục 2 ({doc}) into the register",
    },
    "imported": {"vi": "Đã nhập: {summary}", "en": "Imported: {summary}"},
    "register_unreadable": {
        "vi": "Không đọc được sổ phân công",
        "en": "The assignment register cannot be read",
    },
    "assignment_layer": {
        "vi": "Phân công (sổ phân công)",
        "en": "Assignments (register)",
    },
    "assignment_ring_note": {
        "vi": "Màu vòng = trạng thái; nét đứt = quá hạn",
        "en": "Ring colour = status; dashed = overdue",
    },
    "status": {"vi": "Trạng thái", "en": "Status"},
    "status_date": {"vi": "Ngày trạng thái", "en": "Status date"},
    "decision": {"vi": "Văn bản", "en": "Decision"},
    "decision_number": {"vi": "Văn bản (số, ký hiệu)", "en": "Decision (number)"},
    "decision_date": {"vi": "Ngày văn bản", "en": "Decision date"},
    "note": {"vi": "Ghi chú", "en": "Note"},
    "target_year_short": {"vi": "Năm mục tiêu", "en": "Target year"},
    "overdue": {"vi": "Quá hạn", "en": "Overdue"},
    "years_late": {"vi": "Số năm quá hạn", "en": "Years late"},
    "version": {"vi": "Phiên bản", "en": "Version"},
    "updated_by": {"vi": "Người sửa cuối", "en": "Last changed by"},
    "village_id": {"vi": "Mã thôn/bản", "en": "Village ID"},
    "proposal": {"vi": "Đề xuất của công cụ", "en": "The tool's proposal"},
    "proposal_reason": {"vi": "Lý do đề xuất", "en": "Why proposed"},
    "follows_proposal": {"vi": "theo đề xuất", "en": "as proposed"},
    "overrides_proposal": {
        "vi": "khác đề xuất: {operator}",
        "en": "overrides the proposal: {operator}",
    },
    "overridden": {"vi": "đã chọn khác đề xuất", "en": "overridden"},
    "no_proposal": {
        "vi": "Không có đề xuất (không có dữ liệu trạm)",
        "en": "No proposal (no site data)",
    },
    "assign_button": {"vi": "Phân công", "en": "Assign"},
    "assigned_ok": {
        "vi": "Đã phân công {village} cho {operator}",
        "en": "{village} assigned to {operator}",
    },
    "assign_many_header": {
        "vi": "Phân công các thôn/bản đã chọn ({n})",
        "en": "Assign the selected villages ({n})",
    },
    "assign_many_operator": {
        "vi": "Doanh nghiệp",
        "en": "Operator",
    },
    "assign_many_follow": {
        "vi": "Theo đề xuất của công cụ cho từng thôn/bản",
        "en": "The tool's proposal for each village",
    },
    "assign_many_button": {
        "vi": "Phân công {n} thôn/bản",
        "en": "Assign {n} villages",
    },
    "assign_many_done": {
        "vi": "Đã phân công {added} thôn/bản; {skipped} thôn/bản đã có phân công (giữ nguyên).",
        "en": "{added} villages assigned; {skipped} already had an assignment (kept).",
    },
    "select_rows_hint": {
        "vi": "Chọn một hoặc nhiều dòng (ô bên trái) để phân công; chọn một dòng để xem chi "
        "tiết thôn/bản.",
        "en": "Select one or more rows (left boxes) to assign them; select one row to see the "
        "village.",
    },
    "click_village_hint": {
        "vi": "Bấm vào một thôn/bản trên bản đồ hoặc chọn trong bảng bên dưới.",
        "en": "Click a village on the map or select it in the table below.",
    },
    "village_panel": {"vi": "Thôn/bản đang chọn", "en": "Selected village"},
    "no_assignment": {"vi": "Chưa có phân công", "en": "No assignment"},
    "current_assignment": {"vi": "Phân công hiện tại", "en": "Current assignment"},
    "change_status": {"vi": "Chuyển trạng thái", "en": "Change status"},
    "status_new": {"vi": "Trạng thái mới", "en": "New status"},
    "status_on": {"vi": "Ngày", "en": "Date"},
    "status_button": {"vi": "Cập nhật trạng thái", "en": "Update status"},
    "status_final": {
        "vi": "Trạng thái cuối: không chuyển tiếp được (có thể hoàn tác thay đổi cuối).",
        "en": "Final status: no further change (the last change can be undone).",
    },
    "status_changed": {
        "vi": "{village}: {status} từ {date}.",
        "en": "{village}: {status} from {date}.",
    },
    "edit_header": {"vi": "Sửa nội dung phân công", "en": "Edit the assignment"},
    "edit_button": {"vi": "Lưu thay đổi", "en": "Save changes"},
    "edited": {"vi": "Đã lưu thay đổi của {village}.", "en": "Changes to {village} saved."},
    "operator_locked": {
        "vi": "Chỉ đổi được doanh nghiệp khi đang ở trạng thái Đã phân công; hãy hủy rồi phân "
        "công lại.",
        "en": "The operator can change only while Assigned; cancel and assign again.",
    },
    "undo_last": {"vi": "Hoàn tác thay đổi cuối", "en": "Undo the last change"},
    "undone": {"vi": "Đã hoàn tác thay đổi cuối của {village}.", "en": "Last change to {village} undone."},
    "history": {"vi": "Lịch sử thay đổi", "en": "History of changes"},
    "history_at": {"vi": "Thời điểm", "en": "When"},
    "history_user": {"vi": "Người thực hiện", "en": "By"},
    "history_action": {"vi": "Thao tác", "en": "Action"},
    "history_field": {"vi": "Nội dung", "en": "Field"},
    "history_old": {"vi": "Giá trị cũ", "en": "Before"},
    "history_new": {"vi": "Giá trị mới", "en": "After"},
    "history_undone": {"vi": "Đã hoàn tác", "en": "Undone"},
    "action_assign": {"vi": "Phân công", "en": "Assigned"},
    "action_import": {"vi": "Nhập từ danh sách", "en": "Imported"},
    "action_edit": {"vi": "Sửa", "en": "Edited"},
    "action_status": {"vi": "Đổi trạng thái", "en": "Status change"},
    "action_undo": {"vi": "Hoàn tác", "en": "Undo"},
    "conflict": {
        "vi": "Xung đột phiên bản: không có gì bị ghi đè.",
        "en": "Version conflict: nothing was overwritten.",
    },
    "conflict_current": {"vi": "Giá trị hiện tại trong sổ", "en": "The current value in the register"},
    "assignments_metrics_total": {"vi": "Tổng số phân công", "en": "Assignments"},
    "assignments_metrics_owed": {
        "vi": "Còn nợ (chưa phát sóng)",
        "en": "Still owed (not on air)",
    },
    "assignments_metrics_on_air": {"vi": "Đã phát sóng", "en": "On air"},
    "assignments_metrics_verified": {"vi": "Đã nghiệm thu", "en": "Verified"},
    "assignments_metrics_overdue": {"vi": "Quá hạn", "en": "Overdue"},
    "unserved_candidates_header": {
        "vi": "Thôn/bản chưa có dịch vụ (mô hình hoặc kế hoạch)",
        "en": "Unserved villages (model or plan)",
    },
    "assignments_table_header": {"vi": "Danh sách phân công", "en": "Assignments"},
    "views_header": {"vi": "Theo dõi", "en": "Follow-up"},
    "view_by_operator": {"vi": "Theo doanh nghiệp", "en": "By operator"},
    "view_by_district": {"vi": "Theo huyện", "en": "By district"},
    "view_by_commune_2025": {"vi": "Theo xã (mới)", "en": "By commune (new)"},
    "view_overdue": {"vi": "Quá hạn", "en": "Overdue"},
    "view_progress": {"vi": "Tiến độ theo năm", "en": "Progress by year"},
    "view_disagreements": {
        "vi": "Chênh lệch sổ phân công – dữ liệu phủ sóng",
        "en": "Register vs coverage data",
    },
    "view_history": {"vi": "Lịch sử", "en": "History"},
    "owes_caption": {
        "vi": "{operator} còn nợ {n} thôn/bản (Đã phân công + Đang xây dựng).",
        "en": "{operator} still owes {n} villages (assigned + under construction).",
    },
    "owed": {"vi": "Còn nợ", "en": "Owed"},
    "total": {"vi": "Tổng", "en": "Total"},
    "nothing_overdue": {"vi": "Không có phân công quá hạn.", "en": "No assignment is overdue."},
    "nothing_here": {"vi": "Chưa có phân công.", "en": "No assignments yet."},
    "progress_due": {"vi": "Đến hạn (năm mục tiêu)", "en": "Due (target year)"},
    "progress_on_air": {"vi": "Đã phát sóng", "en": "On air"},
    "progress_verified": {"vi": "Đã nghiệm thu", "en": "Verified"},
    "progress_plan_target": {
        "vi": "Mục tiêu kế hoạch: tỷ lệ thôn/bản có sóng 3G/4G/5G",
        "en": "Plan target: share of villages with 3G/4G/5G",
    },
    "progress_plan_actual": {
        "vi": "Kế hoạch: thực hiện (hiện trạng)",
        "en": "Plan: actual (current state)",
    },
    "progress_share": {"vi": "Tỷ lệ (%)", "en": "Share (%)"},
    "progress_note": {
        "vi": "Tỷ lệ tính trên số phân công (trừ đã hủy), cộng dồn đến cuối mỗi năm. Kế hoạch "
        "không đặt mục tiêu theo năm cho từng thôn/bản được phân công; đường mục tiêu (nét đứt) "
        "là tỷ lệ thôn/bản toàn tỉnh có sóng 3G/4G/5G (Phụ lục 1), chỉ để so sánh.",
        "en": "Shares of the assignments (cancelled left out), cumulative to the end of each "
        "year. The plan sets no yearly target per assigned village; the target line (dashed) "
        "is the province's share of villages with 3G/4G/5G (Phụ lục 1), for comparison only.",
    },
    "year": {"vi": "Năm", "en": "Year"},
    "series": {"vi": "Chỉ tiêu", "en": "Series"},
    "disagreement_why": {"vi": "Chênh lệch", "en": "Disagreement"},
    "register_disagreements_header": {
        "vi": "Chênh lệch giữa sổ phân công và dữ liệu phủ sóng",
        "en": "Where the register and the coverage data disagree",
    },
    "outputs_header": {"vi": "Xuất và sao lưu", "en": "Export and backup"},
    "download_assignments_geojson": {
        "vi": "Phân công (GeoJSON)",
        "en": "Assignments (GeoJSON)",
    },
    "download_phu_luc_2": {"vi": "Phụ lục 2 (xlsx)", "en": "Phụ lục 2 (xlsx)"},
    "download_backup": {"vi": "Sao lưu sổ phân công (.sqlite)", "en": "Back up the register (.sqlite)"},
    "restore_upload": {
        "vi": "Khôi phục từ bản sao lưu (.sqlite)",
        "en": "Restore from a backup (.sqlite)",
    },
    "restore_confirm": {
        "vi": "Tôi hiểu sổ phân công hiện tại sẽ được thay thế (một bản sao an toàn được lưu "
        "bên cạnh).",
        "en": "I understand the current register will be replaced (a safety copy is kept "
        "beside it).",
    },
    "restore_button": {"vi": "Khôi phục", "en": "Restore"},
    "restored": {
        "vi": "Đã khôi phục sổ phân công. Bản sao an toàn của sổ cũ: {path}",
        "en": "The register was restored. Safety copy of the old one: {path}",
    },
    "served": {"vi": "Có dịch vụ", "en": "Served"},
    "villages_served_share": {
        "vi": "Tỷ lệ thôn/bản có dịch vụ di động (đã nghiệm thu hoặc theo dữ liệu phủ sóng)",
        "en": "Villages served (verified, or covered in the coverage data)",
    },
    "served_definition": {
        "vi": "Thôn/bản được tính là có dịch vụ khi phân công đã nghiệm thu hoặc khi dữ liệu phủ "
        "sóng (mô hình) cho thấy có sóng 3G/4G/5G; đã phân công, đang xây dựng hay đã phát sóng "
        "mà chưa nghiệm thu thì chưa tính.",
        "en": "A village counts as served when its assignment is verified or when the coverage "
        "data (model) shows 3G/4G/5G; assigned, under construction or on air without "
        "verification does not count.",
    },
    "served_verified_only": {
        "vi": "Trong đó {n} thôn/bản được tính chỉ nhờ đã nghiệm thu (dữ liệu phủ sóng chưa "
        "cho thấy có sóng).",
        "en": "Of these, {n} count only because verified (the coverage data does not show them "
        "covered).",
    },
    "location_precision": {"vi": "Vị trí", "en": "Location"},
    "gap_class_short": {"vi": "Phủ sóng (mô hình)", "en": "Coverage (model)"},
    "selected": {"vi": "Đang chọn", "en": "Selected"},
    # Register fields, as the history and the tables name them ("field.<column>")
    "field.village_id": {"vi": "Mã thôn/bản", "en": "Village ID"},
    "field.commune_code": {"vi": "Mã xã", "en": "Commune code"},
    "field.commune_2025_code": {"vi": "Mã xã (từ 01/07/2025)", "en": "Commune code (from 1 July 2025)"},
    "field.district_code": {"vi": "Mã huyện", "en": "District code"},
    "field.province_code": {"vi": "Mã tỉnh", "en": "Province code"},
    "field.village": {"vi": "Thôn/Bản", "en": "Village"},
    "field.commune": {"vi": "Xã", "en": "Commune"},
    "field.district": {"vi": "Huyện", "en": "District"},
    "field.province": {"vi": "Tỉnh", "en": "Province"},
    "field.lon": {"vi": "Kinh độ", "en": "Longitude"},
    "field.lat": {"vi": "Vĩ độ", "en": "Latitude"},
    "field.location_precision": {"vi": "Vị trí", "en": "Location"},
    "field.operator": {"vi": "Doanh nghiệp", "en": "Operator"},
    "field.target_year": {"vi": "Năm mục tiêu", "en": "Target year"},
    "field.target_year_source": {"vi": "Căn cứ năm mục tiêu", "en": "Target year from"},
    "field.decision": {"vi": "Văn bản", "en": "Decision"},
    "field.decision_date": {"vi": "Ngày văn bản", "en": "Decision date"},
    "field.note": {"vi": "Ghi chú", "en": "Note"},
    "field.status": {"vi": "Trạng thái", "en": "Status"},
    "field.status_date": {"vi": "Ngày trạng thái", "en": "Status date"},
    "field.assigned_on": {"vi": "Ngày phân công", "en": "Assigned on"},
    "field.construction_on": {"vi": "Ngày khởi công", "en": "Construction from"},
    "field.on_air_on": {"vi": "Ngày phát sóng", "en": "On air from"},
    "field.verified_on": {"vi": "Ngày nghiệm thu", "en": "Verified on"},
    "field.cancelled_on": {"vi": "Ngày hủy", "en": "Cancelled on"},
    "field.proposed_operator": {"vi": "Doanh nghiệp đề xuất", "en": "Proposed operator"},
    "field.proposal_reason": {"vi": "Lý do đề xuất", "en": "Why proposed"},
    "field.source": {"vi": "Nguồn", "en": "Source"},
    "field.source_row": {"vi": "Stt trong nguồn", "en": "Row in the source"},
    "field.version": {"vi": "Phiên bản", "en": "Version"},
    "field.updated_by": {"vi": "Người sửa cuối", "en": "Last changed by"},
    "field.updated_at": {"vi": "Thời điểm sửa cuối", "en": "Last changed at"},
    "field.overdue_why": {"vi": "Lý do quá hạn", "en": "Why overdue"},
    # Enum values of geo.vocab and geo.auth ("<Enum>.<value>", see enum_label)
    "UnitSystem.pre2025": {"vi": "Trước 01/07/2025", "en": "Before 1 July 2025"},
    "UnitSystem.2025": {"vi": "Từ 01/07/2025", "en": "From 1 July 2025"},
    "Technology.2G": {"vi": "2G", "en": "2G"},
    "Technology.3G": {"vi": "3G", "en": "3G"},
    "Technology.4G": {"vi": "4G", "en": "4G"},
    "Technology.5G": {"vi": "5G", "en": "5G"},
    "Operator.Viettel": {"vi": "Viettel", "en": "Viettel"},
    "Operator.VNPT": {"vi": "VNPT (Vinaphone)", "en": "VNPT (Vinaphone)"},
    "Operator.MobiFone": {"vi": "MobiFone", "en": "MobiFone"},
    "Operator.Vietnamobile": {"vi": "Vietnamobile", "en": "Vietnamobile"},
    "Operator.Gmobile": {"vi": "Gmobile", "en": "Gmobile"},
    "GapClass.all": {"vi": "Được tất cả nhà mạng phủ sóng", "en": "Covered by every operator"},
    "GapClass.partial": {"vi": "Phủ sóng một phần nhà mạng", "en": "Partial not-spot"},
    "GapClass.none": {"vi": "Vùng lõm sóng (không nhà mạng nào)", "en": "Total not-spot"},
    "LayerKind.sites": {"vi": "Trạm BTS", "en": "Sites"},
    "LayerKind.villages": {"vi": "Danh mục thôn/bản", "en": "Village register"},
    "LayerKind.fibre": {"vi": "Cáp quang FTTH", "en": "FTTH fibre"},
    "LayerKind.unserved": {"vi": "Danh sách thôn/bản chưa có dịch vụ", "en": "Unserved villages list"},
    "LayerKind.coverage": {"vi": "Vùng phủ sóng do doanh nghiệp công bố", "en": "Declared coverage"},
    "ImportMode.add": {"vi": "Bổ sung (giữ các dòng đã lưu)", "en": "Add (keep the stored rows)"},
    "ImportMode.replace-operator": {
        "vi": "Thay danh sách của các nhà mạng có trong tệp",
        "en": "Replace the lists of the operators in the file",
    },
    "ImportMode.replace-all": {"vi": "Thay toàn bộ", "en": "Replace everything"},
    "Status.assigned": {"vi": "Đã phân công", "en": "Assigned"},
    "Status.under_construction": {"vi": "Đang xây dựng", "en": "Under construction"},
    "Status.on_air": {"vi": "Đã phát sóng", "en": "On air"},
    "Status.verified": {"vi": "Đã nghiệm thu", "en": "Verified"},
    "Status.cancelled": {"vi": "Hủy", "en": "Cancelled"},
    "Role.admin": {"vi": "Quản trị", "en": "Admin"},
    "Role.province_planner": {"vi": "Cán bộ tỉnh", "en": "Province planner"},
    "Role.district_viewer": {"vi": "Cán bộ huyện/xã (xem)", "en": "District viewer"},
    "Role.operator": {"vi": "Doanh nghiệp", "en": "Operator"},
    "Action.import_commit": {"vi": "lưu lớp dữ liệu nhập", "en": "commit an import"},
    "Action.import_remove": {"vi": "xóa lớp dữ liệu đã nhập", "en": "remove an imported layer"},
    "Action.place_village": {"vi": "định vị thôn", "en": "place a village"},
    "Action.assign": {"vi": "phân công thôn", "en": "assign a village"},
    "Action.assign_many": {"vi": "nhập danh sách phân công", "en": "import an assignment list"},
    "Action.edit": {"vi": "sửa phân công", "en": "edit an assignment"},
    "Action.set_status": {"vi": "đổi trạng thái phân công", "en": "change an assignment's status"},
    "Action.undo": {"vi": "hoàn tác thay đổi", "en": "undo a change"},
    "Action.report_progress": {"vi": "báo cáo tiến độ", "en": "report progress"},
    "Action.backup": {"vi": "sao lưu", "en": "make a backup"},
    "Action.restore": {"vi": "khôi phục bản sao lưu", "en": "restore a backup"},
    "Action.manage_accounts": {"vi": "quản lý tài khoản", "en": "manage accounts"},
    "Action.read": {"vi": "xem dữ liệu", "en": "read data"},
    # The import page (ui/app_imports.py, "imp.<key>")
    "imp.title": {"vi": "Nhập dữ liệu", "en": "Import data"},
    "imp.intro": {
        "vi": "Thay lớp dữ liệu mô phỏng (minh họa) bằng tệp của Sở: trạm BTS, danh mục thôn/bản, "
        "cáp quang, danh sách thôn/bản chưa có dịch vụ, vùng phủ sóng do doanh nghiệp công bố. "
        "Không có gì được lưu cho đến khi bấm **Lưu**.",
        "en": "Replace a synthetic (demo) layer with the Department's own file: sites, village "
        "register, fibre, unserved villages, declared coverage. Nothing is stored until you "
        "press **Save**.",
    },
    "imp.section_import": {"vi": "Nhập tệp", "en": "Import a file"},
    "imp.section_place": {"vi": "Đặt vị trí thôn/bản", "en": "Place villages"},
    "imp.section_history": {"vi": "Đã lưu", "en": "Stored"},
    "imp.section_pick": {"vi": "Mục", "en": "Section"},
    "imp.kind": {"vi": "Loại dữ liệu", "en": "Kind of data"},
    "imp.kind_sites": {"vi": "Trạm BTS", "en": "Sites"},
    "imp.kind_villages": {"vi": "Danh mục thôn/bản", "en": "Village register"},
    "imp.kind_fibre": {"vi": "Cáp quang FTTH", "en": "FTTH fibre"},
    "imp.kind_unserved": {
        "vi": "Danh sách thôn/bản chưa có dịch vụ",
        "en": "Unserved villages list",
    },
    "imp.kind_coverage": {
        "vi": "Vùng phủ sóng do doanh nghiệp công bố",
        "en": "Declared coverage",
    },
    "imp.province": {"vi": "Tỉnh", "en": "Province"},
    "imp.operator_opt": {
        "vi": "Nhà mạng (khi tệp không ghi)",
        "en": "Operator (when the file does not say)",
    },
    "imp.technology_opt": {
        "vi": "Công nghệ (khi tệp không ghi)",
        "en": "Technology (when the file does not say)",
    },
    "imp.document_opt": {
        "vi": "Văn bản (số, ngày) của danh sách",
        "en": "Decision (number, date) of the list",
    },
    "imp.in_file": {"vi": "— theo tệp —", "en": "— as in the file —"},
    "imp.upload": {"vi": "Tải tệp lên", "en": "Upload a file"},
    "imp.upload_help": {
        "vi": "Excel (.xlsx), CSV, Shapefile nén (.zip), KML/KMZ, GeoJSON, GeoPackage; "
        "GeoTIFF cho vùng phủ sóng. Tối đa {mb} MB.",
        "en": "Excel (.xlsx), CSV, zipped Shapefile (.zip), KML/KMZ, GeoJSON, GeoPackage; "
        "GeoTIFF for coverage. At most {mb} MB.",
    },
    "imp.sheet": {"vi": "Trang tính / lớp", "en": "Sheet / layer"},
    "imp.header_row": {"vi": "Dòng tiêu đề (tên các cột)", "en": "Header row (column names)"},
    "imp.header_row_help": {
        "vi": "Số thứ tự dòng như Excel hiển thị. Dòng nhận ra: {n}. Nếu sai (nhận nhầm dòng "
        "tên văn bản, hoặc một dòng dữ liệu), hãy nhập dòng ghi tên các cột.",
        "en": "The row number as Excel shows it. Found: row {n}. If that is wrong (a title "
        "or a data row was taken for the header), give the row that names the columns.",
    },
    "imp.header_row_given": {
        "vi": "Đọc tên các cột ở dòng {n} (thay cho dòng {found} nhận ra tự động).",
        "en": "Column names read from row {n} (instead of row {found}, found automatically).",
    },
    "imp.all_layers": {"vi": "Tất cả các lớp", "en": "Every layer"},
    "imp.sheet_rows": {"vi": "{n} dòng", "en": "{n} rows"},
    "imp.sheet_unreadable": {"vi": "không đọc được", "en": "unreadable"},
    "imp.preview": {"vi": "Xem trước (5 dòng đầu)", "en": "Preview (first 5 rows)"},
    "imp.reading": {"vi": "Đang đọc và đối chiếu tệp…", "en": "Reading and matching the file…"},
    "imp.file_error": {"vi": "Không nhập được tệp", "en": "The file cannot be imported"},
    "imp.mapping_header": {"vi": "Gán cột", "en": "Column mapping"},
    "imp.mapping_needed": {
        "vi": "Chưa chắc chắn cột nào chứa trường nào: hãy chọn cột cho từng trường rồi bấm "
        "**Xác nhận cách gán cột** (cách gán được nhớ cho các tệp cùng mẫu).",
        "en": "Which column holds which field is not certain: choose the column of each field "
        "and press **Confirm the mapping** (it is remembered for files of the same layout).",
    },
    "imp.mapping_ok": {
        "vi": "Các cột đã được nhận ra; có thể sửa nếu cần.",
        "en": "The columns were recognised; change them if needed.",
    },
    "imp.mapping_submit": {"vi": "Xác nhận cách gán cột", "en": "Confirm the mapping"},
    "imp.not_used": {"vi": "— không dùng —", "en": "— not used —"},
    "imp.placeholder": {"vi": "Chọn…", "en": "Choose…"},
    "imp.required": {"vi": "bắt buộc", "en": "required"},
    "imp.unsure": {"vi": "chưa chắc", "en": "unsure"},
    "imp.confidence": {"vi": "Độ tin cậy: {p} %", "en": "Confidence: {p}%"},
    "imp.mapping_twice": {
        "vi": "Cột {col} được chọn cho nhiều trường: {fields}.",
        "en": "Column {col} is chosen for several fields: {fields}.",
    },
    "imp.crs_header": {"vi": "Hệ tọa độ", "en": "Coordinate reference system"},
    "imp.crs_now": {"vi": "**{name}** — {source}.", "en": "**{name}** — {source}."},
    "imp.crs_inside": {
        "vi": "{p} % số điểm nằm trong tỉnh.",
        "en": "{p}% of the points lie in the province.",
    },
    "imp.crs_source_degrees": {
        "vi": "tọa độ trong tệp là độ (kinh độ, vĩ độ)",
        "en": "the file gives degrees (longitude, latitude)",
    },
    "imp.crs_source_prj": {"vi": "theo tệp .prj / CRS của tệp", "en": "from the file's .prj / CRS"},
    "imp.crs_source_planner": {"vi": "do người dùng chọn", "en": "chosen by you"},
    "imp.crs_source_file": {"vi": "ghi trong tiêu đề tệp", "en": "named in the file's title"},
    "imp.crs_source_proposed": {
        "vi": "ĐỀ XUẤT theo kinh tuyến trục của tỉnh — cần xác nhận",
        "en": "PROPOSED from the province's central meridian — to confirm",
    },
    "imp.crs_pick": {"vi": "Hệ tọa độ của tọa độ trong tệp", "en": "CRS of the file's coordinates"},
    "imp.crs_other": {"vi": "Khác (nhập mã EPSG)…", "en": "Other (EPSG code)…"},
    "imp.crs_other_input": {
        "vi": "Khi chọn “Khác”: mã EPSG hoặc kinh tuyến trục (vd. 9205, 103°00')",
        "en": "With “Other”: EPSG code or central meridian (e.g. 9205, 103°00')",
    },
    "imp.crs_submit": {"vi": "Xác nhận hệ tọa độ", "en": "Confirm the CRS"},
    "imp.crs_wgs84": {"vi": "WGS 84 (độ thập phân, GPS)", "en": "WGS 84 (decimal degrees, GPS)"},
    "imp.crs_tm3": {
        "vi": "VN-2000 TM-3, kinh tuyến trục {m}",
        "en": "VN-2000 TM-3, central meridian {m}",
    },
    "imp.crs_utm": {"vi": "VN-2000 UTM múi {z}N", "en": "VN-2000 UTM zone {z}N"},
    "imp.crs_wgs_utm": {"vi": "WGS 84 UTM múi {z}N", "en": "WGS 84 UTM zone {z}N"},
    "imp.crs_province": {"vi": " (của tỉnh)", "en": " (the province's)"},
    "imp.summary_rows": {"vi": "Dòng dữ liệu", "en": "Data rows"},
    "imp.status_ok": {"vi": "Đã khớp", "en": "Matched"},
    "imp.status_confirmed": {"vi": "Đã xác nhận", "en": "Confirmed"},
    "imp.status_review": {"vi": "Cần xem lại", "en": "To review"},
    "imp.status_error": {"vi": "Lỗi", "en": "Error"},
    "imp.status_skipped": {"vi": "Bỏ qua", "en": "Skipped"},
    "imp.records": {"vi": "Bản ghi sẽ lưu", "en": "Records to store"},
    "imp.already": {
        "vi": "Tệp này (cùng nội dung) đã được lưu trước đây: lưu lại sẽ không thay đổi gì.",
        "en": "This file (same content) was stored before: saving it again changes nothing.",
    },
    "imp.notes": {"vi": "Cách đọc tệp", "en": "How the file was read"},
    "imp.all_rows": {"vi": "Tất cả các dòng đã đọc ({n})", "en": "Every row read ({n})"},
    "imp.col_register": {"vi": "Thôn/bản trong danh mục", "en": "Register village"},
    "imp.problems_header": {"vi": "Các vấn đề ({n})", "en": "Problems ({n})"},
    "imp.col_file": {"vi": "Tệp", "en": "File"},
    "imp.col_sheet": {"vi": "Trang tính", "en": "Sheet"},
    "imp.col_row": {"vi": "Dòng", "en": "Row"},
    "imp.col_field": {"vi": "Cột", "en": "Field"},
    "imp.col_message": {"vi": "Nội dung", "en": "Message"},
    "imp.col_value": {"vi": "Giá trị", "en": "Value"},
    "imp.review_header": {"vi": "Các dòng cần xem lại ({n})", "en": "Rows to review ({n})"},
    "imp.review_help": {
        "vi": "Chọn xã hoặc thôn/bản đúng ở cột **Chọn**, hoặc chấp nhận như hiện tại, rồi bấm "
        "**Áp dụng lựa chọn**. Lựa chọn được nhớ cho các tệp sau.",
        "en": "Choose the right commune or village in the **Choose** column, or accept the row "
        "as it is, then press **Apply the choices**. Choices are remembered for the next files.",
    },
    "imp.col_status": {"vi": "Trạng thái", "en": "Status"},
    "imp.col_match": {"vi": "Khớp xã", "en": "Commune match"},
    "imp.col_vmatch": {"vi": "Khớp thôn", "en": "Village match"},
    "imp.col_village": {"vi": "Thôn/bản (trong tệp)", "en": "Village (in the file)"},
    "imp.col_commune": {"vi": "Xã (trong tệp)", "en": "Commune (in the file)"},
    "imp.col_district": {"vi": "Huyện (trong tệp)", "en": "District (in the file)"},
    "imp.col_found": {"vi": "Xã đã xác định", "en": "Commune found"},
    "imp.col_commune_plain": {"vi": "Xã", "en": "Commune"},
    "imp.col_candidates": {"vi": "Ứng viên", "en": "Candidates"},
    "imp.col_choice": {"vi": "Chọn", "en": "Choose"},
    "imp.col_operator": {"vi": "Nhà mạng", "en": "Operator"},
    "imp.col_site": {"vi": "Mã trạm", "en": "Site id"},
    "imp.technology_col": {"vi": "Công nghệ", "en": "Technology"},
    "imp.choice_accept": {"vi": "✓ Chấp nhận như hiện tại", "en": "✓ Accept as it is"},
    "imp.choice_commune": {"vi": "{name} ({code})", "en": "{name} ({code})"},
    "imp.choice_village": {
        "vi": "Thôn/bản: {name} — {commune} [{id}]",
        "en": "Village: {name} — {commune} [{id}]",
    },
    "imp.review_apply": {"vi": "Áp dụng lựa chọn", "en": "Apply the choices"},
    "imp.review_none": {"vi": "Chưa chọn dòng nào.", "en": "No row was chosen."},
    "imp.match_exact": {"vi": "trùng khớp", "en": "exact"},
    "imp.match_normalised": {"vi": "khớp sau chuẩn hóa", "en": "normalised"},
    "imp.match_fuzzy": {"vi": "gần đúng ({score})", "en": "fuzzy ({score})"},
    "imp.match_ambiguous": {"vi": "nhiều khả năng", "en": "ambiguous"},
    "imp.match_none": {"vi": "không khớp", "en": "none"},
    "imp.match_confirmed": {"vi": "đã xác nhận", "en": "confirmed"},
    "imp.match_point": {"vi": "theo tọa độ", "en": "by position"},
    "imp.save_header": {"vi": "Lưu", "en": "Save"},
    "imp.partial": {
        "vi": "Chỉ lưu các dòng đã khớp (bỏ qua {n} dòng cần xem lại hoặc lỗi)",
        "en": "Save the matched rows only (leave out {n} rows to review or in error)",
    },
    "imp.save": {"vi": "Lưu", "en": "Save"},
    "imp.abandon": {"vi": "Hủy lần nhập này", "en": "Abandon this import"},
    "imp.abandoned": {"vi": "Đã hủy; không có gì được lưu.", "en": "Abandoned; nothing was stored."},
    "imp.confirm_first": {
        "vi": "Hãy xác nhận {what} trước khi lưu.",
        "en": "Confirm {what} before saving.",
    },
    "imp.what_mapping": {"vi": "cách gán cột", "en": "the column mapping"},
    "imp.what_crs": {"vi": "hệ tọa độ", "en": "the CRS"},
    "imp.review_first": {
        "vi": "Còn {n} dòng cần xem lại hoặc lỗi: hãy xác nhận/sửa ở bảng trên, hoặc chọn chỉ lưu "
        "các dòng đã khớp.",
        "en": "{n} rows still need review or are in error: confirm or correct them above, or "
        "choose to save the matched rows only.",
    },
    "imp.saved": {
        "vi": "Đã lưu {file} (lần nhập số {id}): thêm {added}, cập nhật {updated}, không đổi "
        "{unchanged} bản ghi{removed}.",
        "en": "Saved {file} (import {id}): {added} records added, {updated} updated, "
        "{unchanged} unchanged{removed}.",
    },
    "imp.saved_removed": {"vi": "; bỏ {n} bản ghi cũ", "en": "; {n} old records removed"},
    "imp.saved_left_out": {
        "vi": "{n} dòng chưa khớp không được lưu.",
        "en": "{n} unmatched rows were not stored.",
    },
    "imp.saved_same": {
        "vi": "{file} đã được lưu trước đây (lần nhập số {id}): không có gì thay đổi.",
        "en": "{file} was stored before (import {id}): nothing changed.",
    },
    "imp.saved_map_sites": {
        "vi": "Trang Bản đồ dùng các trạm này thay cho lớp trạm BTS mô phỏng.",
        "en": "The Map page uses these sites instead of the synthetic site layer.",
    },
    "imp.saved_map_fibre": {
        "vi": "Trang Bản đồ dùng lớp cáp quang này thay cho lớp mô phỏng.",
        "en": "The Map page uses this fibre layer instead of the synthetic one.",
    },
    "imp.saved_map_villages": {
        "vi": "Trang Bản đồ dùng danh mục thôn/bản này thay cho danh mục minh họa (GeoNames).",
        "en": "The Map page uses this village register instead of the demo one (GeoNames).",
    },
    "imp.saved_map_unserved": {
        "vi": "Trang Bản đồ dùng danh sách này thay cho danh sách chép từ kế hoạch.",
        "en": "The Map page uses this list instead of the one transcribed from the plan.",
    },
    "imp.import_another": {"vi": "Nhập tệp khác", "en": "Import another file"},
    "imp.save_failed": {
        "vi": "Không lưu được; kho dữ liệu giữ nguyên như trước.",
        "en": "Nothing was saved; the store is as it was.",
    },
    "imp.unlinked": {
        "vi": "{n} thôn/bản của danh mục hiện tại không có trong tệp: vẫn được giữ (đánh dấu "
        "không còn trong danh mục) để không mất dữ liệu gắn với chúng.",
        "en": "{n} villages of the current register are not in the file: they are kept "
        "(flagged as no longer in the register) so nothing attached to them is lost.",
    },
    "imp.history_imports": {"vi": "Các tệp đã lưu", "en": "Files stored"},
    "imp.history_none": {
        "vi": "Chưa lưu tệp nào cho tỉnh này.",
        "en": "No file stored for this province yet.",
    },
    "imp.col_import": {"vi": "Lần nhập", "en": "Import"},
    "imp.col_kind": {"vi": "Loại", "en": "Kind"},
    "imp.col_rows": {"vi": "Số bản ghi", "en": "Records"},
    "imp.col_when": {"vi": "Thời điểm (giờ VN)", "en": "When (Viet Nam time)"},
    "imp.col_who": {"vi": "Người thực hiện", "en": "By"},
    "imp.col_note": {"vi": "Ghi chú", "en": "Note"},
    "imp.col_lon": {"vi": "Kinh độ", "en": "Longitude"},
    "imp.col_lat": {"vi": "Vĩ độ", "en": "Latitude"},
    "imp.col_inside": {"vi": "Trong xã", "en": "In the commune"},
    "imp.store_path": {"vi": "Kho dữ liệu: {path}", "en": "Store: {path}"},
    "imp.place_intro": {
        "vi": "{n} thôn/bản chỉ được xác định đến xã (đặt tại điểm đại diện của xã); {placed} đã "
        "được đặt vị trí. Chọn thôn/bản, bấm vào bản đồ hoặc nhập tọa độ, rồi lưu.",
        "en": "{n} villages are located only at their commune (its representative point); "
        "{placed} have been placed. Choose a village, click the map or type coordinates, then "
        "save.",
    },
    "imp.place_none": {
        "vi": "Không có thôn/bản nào chỉ xác định đến xã trong tỉnh này.",
        "en": "No village of this province is located only at its commune.",
    },
    "imp.place_village": {"vi": "Thôn/bản", "en": "Village"},
    "imp.place_placed": {"vi": "đã đặt", "en": "placed"},
    "imp.place_map_help": {
        "vi": "Bấm vào bản đồ để lấy tọa độ (đường viền: ranh giới xã; điểm xám: vị trí hiện tại).",
        "en": "Click the map to take the coordinates (outline: the commune; grey dot: the "
        "current position).",
    },
    "imp.place_lon": {"vi": "Kinh độ", "en": "Longitude"},
    "imp.place_lat": {"vi": "Vĩ độ", "en": "Latitude"},
    "imp.place_coord_help": {
        "vi": "Độ thập phân (103,0125) hoặc độ-phút-giây (103°00'45\"Đ).",
        "en": "Decimal degrees (103.0125) or degrees-minutes-seconds (103°00'45\"E).",
    },
    "imp.place_who_is": {
        "vi": "Người thực hiện: **{who}** (ô “{field}” ở thanh bên).",
        "en": "Placed by: **{who}** (the sidebar's “{field}”).",
    },
    "imp.place_who_missing": {
        "vi": "Hãy nhập họ tên ở ô “{field}” ở thanh bên trước khi lưu vị trí.",
        "en": "Give your name in the sidebar's “{field}” before saving a position.",
    },
    "imp.place_note": {"vi": "Ghi chú (nguồn, cách xác định)", "en": "Note (source, how known)"},
    "imp.place_save": {"vi": "Lưu vị trí", "en": "Save the position"},
    "imp.place_saved": {
        "vi": "Đã lưu vị trí của {village} ({lat}, {lon}), người thực hiện {who}, lúc {when}.",
        "en": "Saved the position of {village} ({lat}, {lon}), by {who}, at {when}.",
    },
    "imp.place_failed": {"vi": "Không lưu được vị trí", "en": "The position was not saved"},
    "imp.place_list": {"vi": "Vị trí đã đặt", "en": "Placed villages"},
    "imp.yes": {"vi": "có", "en": "yes"},
    "imp.no": {"vi": "không", "en": "no"},
}
"""UI labels keyed by a short key, each ``{"vi": …, "en": …}``; some hold ``{placeholders}``.
Topic catalogs in :mod:`geo.messages` are merged in below."""


def _merge_topics() -> None:
    from geo.messages import catalogs

    for topic, labels in catalogs().items():
        clash = sorted(set(labels) & set(LABELS))
        if clash:
            raise RuntimeError(
                f"geo/messages/{topic}.py defines {', '.join(clash)}, already in the catalog; "
                "give its keys the topic's prefix"
            )
        LABELS.update(labels)


_merge_topics()

_COMPARABLE_KEYS = {"yes": "comparable_yes", "partial": "comparable_partial", "no": "comparable_no"}


def check_lang(lang: str) -> str:
    """Return ``lang`` if it is one of :data:`LANGS`, else raise ``ValueError``."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    return lang


def t(key: str, lang: str = "vi", **values) -> str:
    """The UI label ``key`` in ``lang``, with ``{placeholders}`` filled from ``values``.

    Parameters
    ----------
    key
        A key of :data:`LABELS`.
    lang
        ``"vi"`` or ``"en"``.
    **values
        Values for the label's placeholders, e.g. ``year=2025``.

    Returns
    -------
    str

    Raises
    ------
    KeyError
        Unknown ``key``.

    Examples
    --------
    >>> t("commune", "vi")
    'Xã'
    >>> t("target_year", "en", year=2025)
    'Target 2025'
    """
    text = LABELS[key][check_lang(lang)]
    return text.format(**values) if values else text


def comparable_label(value: str | None, lang: str = "vi") -> str:
    """``yes``/``partial``/``no`` (the plans' ``comparable``) as Có / Một phần / Không."""
    key = _COMPARABLE_KEYS.get(str(value or "no"), "comparable_no")
    return t(key, lang)


def _missing(x) -> bool:
    return x is None or (isinstance(x, Real) and not isinstance(x, bool) and math.isnan(x))


def fmt_number(x, lang: str = "vi", decimals: int = 0) -> str:
    """A number in the language's style: ``1.234,5`` (vi) or ``1,234.5`` (en).

    Parameters
    ----------
    x
        Any real number; None or NaN gives :data:`MISSING`.
    lang
        ``"vi"`` or ``"en"``.
    decimals
        Digits after the decimal mark (always shown).

    Examples
    --------
    >>> fmt_number(1234.5, "vi", 1)
    '1.234,5'
    >>> fmt_number(1234.5, "en", 1)
    '1,234.5'
    """
    if _missing(x):
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return format_decimal(x, format=pattern, locale=LOCALES[check_lang(lang)])


def fmt_percent(fraction, lang: str = "vi", decimals: int = 1) -> str:
    """A share (0–1) as a percentage: ``97,3 %`` (vi) or ``97.3%`` (en).

    Examples
    --------
    >>> fmt_percent(0.973, "vi")
    '97,3 %'
    >>> fmt_percent(0.973, "en")
    '97.3%'
    """
    if _missing(fraction):
        return MISSING
    digits = "." + "0" * decimals if decimals > 0 else ""
    # Vietnamese puts a space before %, English none.
    pattern = f"#,##0{digits}\u00a0%" if lang == "vi" else f"#,##0{digits}%"
    text = format_percent(fraction, format=pattern, locale=LOCALES[check_lang(lang)])
    return text.replace("\u00a0", " ")


def fmt_date(d, lang: str = "vi") -> str:
    """A date as dd/mm/yyyy in both languages (None or NaT gives :data:`MISSING`).

    Examples
    --------
    >>> import datetime
    >>> fmt_date(datetime.date(2020, 12, 15), "vi")
    '15/12/2020'
    """
    if d is None or d is pd.NaT or _missing(d):
        return MISSING
    if isinstance(d, str):
        d = dt.date.fromisoformat(d[:10])
    elif isinstance(d, pd.Timestamp | np.datetime64):
        d = pd.Timestamp(d).date()
    return format_date(d, format="dd/MM/yyyy", locale=LOCALES[check_lang(lang)])


def enum_key(member) -> str:
    """The catalog key of an enum member: ``"<Enum>.<value>"``, e.g. ``"GapClass.none"``."""
    return f"{type(member).__name__}.{member.value}"


def enum_label(member, lang: str = "vi") -> str:
    """What an enum member (of :mod:`geo.vocab` or :mod:`geo.auth`) is called on screen.

    Parameters
    ----------
    member
        An enum member, e.g. ``GapClass.NONE``.
    lang
        ``"vi"`` or ``"en"``.

    Returns
    -------
    str

    Raises
    ------
    KeyError
        The catalog has no label for the member.

    Examples
    --------
    >>> from geo.vocab import UnitSystem
    >>> enum_label(UnitSystem.U2025, "vi")
    'Từ 01/07/2025'
    """
    return t(enum_key(member), lang)


def _timestamp(x) -> pd.Timestamp | None:
    """``x`` (ISO text, datetime, Timestamp) as an aware Timestamp (naive taken as UTC)."""
    if x is None or x is pd.NaT or _missing(x) or (isinstance(x, str) and not x.strip()):
        return None
    try:
        ts = pd.Timestamp(x)
    except (TypeError, ValueError):
        return None
    if ts is pd.NaT:
        return None
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts


def fmt_datetime(x, lang: str = "vi") -> str:
    """A time as dd/mm/yyyy HH:MM in Vietnam's time (:data:`VN_TIME`), in both languages.

    Parameters
    ----------
    x
        ISO text (``"2025-03-04T17:30:00+00:00"``), a datetime or a Timestamp; a naive time is
        taken as UTC (as the stores keep it). None, NaN, NaT or "" give :data:`MISSING`; text
        that is not a time is returned as it is.
    lang
        ``"vi"`` or ``"en"``.

    Examples
    --------
    >>> fmt_datetime("2025-03-04T17:30:00+00:00", "vi")
    '05/03/2025 00:30'
    """
    check_lang(lang)
    ts = _timestamp(x)
    if ts is None:
        return str(x) if isinstance(x, str) and x.strip() else MISSING
    return ts.tz_convert(VN_TIME).strftime("%d/%m/%Y %H:%M")


def local_iso(x) -> str:
    """A time as ISO 8601 in Vietnam's time with its offset, for files that machines read
    (``2025-03-05T00:30:00+07:00``); "" when missing, the text itself when not a time.

    Examples
    --------
    >>> local_iso("2025-03-04T17:30:00+00:00")
    '2025-03-05T00:30:00+07:00'
    """
    ts = _timestamp(x)
    if ts is None:
        return str(x) if isinstance(x, str) and x.strip() else ""
    return ts.tz_convert(VN_TIME).isoformat(timespec="seconds")
