"""UI words in Vietnamese and English, and numbers, percentages and dates in each language.

Labels follow the project glossary (``shared/design/glossary.md``): one word per thing,
Vietnamese first. Numbers are written the Vietnamese way in ``vi`` (1.234,5 and 97,3 %) and
the English way in ``en`` (1,234.5 and 97.3%); dates are dd/mm/yyyy in both.
"""

from __future__ import annotations

import datetime as dt
import math
from numbers import Real

import numpy as np
import pandas as pd
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

LANGS: tuple[str, ...] = ("vi", "en")
"""The UI languages, Vietnamese first (the default)."""

LOCALES: dict[str, str] = {"vi": "vi_VN", "en": "en_GB"}
"""The babel locale of each UI language."""

MISSING = "—"
"""What a missing value (None, NaN) is written as."""

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
        "vi": "Dữ liệu tổng hợp (minh họa, không phải dữ liệu thật)",
        "en": "Synthetic (demo, not real data)",
    },
    "synthetic_short": {"vi": "tổng hợp", "en": "synthetic"},
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
    "synthetic_col": {"vi": "Dữ liệu tổng hợp?", "en": "Synthetic?"},
    "generated": {"vi": "Ngày lập", "en": "Generated"},
    "disagreement_kind": {"vi": "Loại chênh lệch", "en": "Kind"},
    "layer_population": {"vi": "Dân số", "en": "Population"},
    # Pages
    "page_map": {"vi": "Bản đồ", "en": "Map"},
    "page_imports": {"vi": "Nhập dữ liệu", "en": "Import data"},
    "page_assignments": {"vi": "Phân công", "en": "Assignments"},
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
    "planner_help": {
        "vi": "Tên được ghi vào lịch sử của mọi thay đổi phân công trong phiên này.",
        "en": "Recorded in the history of every assignment change of this session.",
    },
    "planner_needed": {
        "vi": "Nhập họ tên ở thanh bên (Người thực hiện) để bắt đầu phiên làm việc và sửa "
        "phân công.",
        "en": "Give your name in the sidebar (Your name) to start a session and change "
        "assignments.",
    },
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
}
"""UI labels keyed by a short key, each ``{"vi": …, "en": …}``; some hold ``{placeholders}``."""

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
