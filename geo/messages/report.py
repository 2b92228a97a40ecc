"""Words of the yearly report, the plan-against-actual charts and the snapshots (Báo cáo page)."""

LABELS: dict[str, dict[str, str]] = {
    # Chart data kinds and axes
    "report.kind_target": {"vi": "Mục tiêu kế hoạch", "en": "Plan target"},
    "report.kind_base": {"vi": "Thực hiện năm gốc (kế hoạch)", "en": "Base-year actual (plan)"},
    "report.kind_reported": {"vi": "Cán bộ nhập", "en": "Entered by the planner"},
    "report.kind_snapshot": {"vi": "Số liệu chốt kỳ", "en": "Snapshot"},
    "report.kind_measured": {"vi": "Thực hiện năm {year}", "en": "Actual {year}"},
    "report.axis_year": {"vi": "Năm", "en": "Year"},
    "report.axis_value": {"vi": "Giá trị ({unit})", "en": "Value ({unit})"},
    "report.series": {"vi": "Số liệu", "en": "Series"},
    "report.value": {"vi": "Giá trị", "en": "Value"},
    "report.label": {"vi": "Nhãn", "en": "Label"},
    # The gap to this year's target, in words
    "report.gap_villages": {
        "vi": "còn thiếu {n} thôn, bản để đạt {target} (năm {year})",
        "en": "{n} more villages needed to reach {target} ({year})",
    },
    "report.gap_points": {
        "vi": "còn thiếu {n} điểm phần trăm để đạt {target} (năm {year})",
        "en": "{n} percentage points short of {target} ({year})",
    },
    "report.gap_units": {
        "vi": "còn thiếu {n} {unit} để đạt {target} (năm {year})",
        "en": "{n} {unit} short of {target} ({year})",
    },
    "report.gap_over": {
        "vi": "vượt {n} {unit} so với mức tối đa {target} (năm {year})",
        "en": "{n} {unit} over the maximum of {target} ({year})",
    },
    "report.gap_met": {
        "vi": "đã đạt mục tiêu {target} (năm {year})",
        "en": "target {target} met ({year})",
    },
    "report.gap_no_target": {
        "vi": "kế hoạch không có mục tiêu từ năm {year}",
        "en": "the plan has no target from {year} on",
    },
    "report.gap_no_data": {
        "vi": "chưa có số liệu thực hiện năm {year}",
        "en": "no actual figure for {year} yet",
    },
    # The Word / Excel report
    "report.national_motto": {
        "vi": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "en": "SOCIALIST REPUBLIC OF VIET NAM",
    },
    "report.motto": {
        "vi": "Độc lập - Tự do - Hạnh phúc",
        "en": "Independence - Freedom - Happiness",
    },
    "report.number_line": {"vi": "Số: …/BC-…", "en": "No.: …/BC-…"},
    "report.date_line": {
        "vi": "{place}, ngày … tháng … năm {year}",
        "en": "{place}, … / … / {year}",
    },
    "report.kind": {"vi": "BÁO CÁO", "en": "REPORT"},
    "report.title": {
        "vi": "Kết quả thực hiện Kế hoạch {document} ngày {date} của {issuer} năm {year}",
        "en": "Results of plan {document} of {date} ({issuer}) in {year}",
    },
    "report.default_agency": {
        "vi": "Sở Khoa học và Công nghệ {province}",
        "en": "Department of Science and Technology, {province}",
    },
    "report.verdict_met": {"vi": "Đạt", "en": "Met"},
    "report.verdict_not_met": {"vi": "Chưa đạt", "en": "Not met"},
    "report.verdict_no_data": {"vi": "Chưa có số liệu", "en": "No data yet"},
    "report.verdict_no_target": {
        "vi": "Không có mục tiêu năm {year}",
        "en": "No target for {year}",
    },
    "report.agency_parent": {"vi": "UBND {province}", "en": "People's Committee, {province}"},
    "report.intro": {
        "vi": "Thực hiện Kế hoạch {document} ngày {date} của {issuer}, {agency} báo cáo kết quả "
        "thực hiện các chỉ tiêu phát triển hạ tầng viễn thông năm {year} trên địa bàn {place} "
        "như sau:",
        "en": "Under plan {document} of {date} ({issuer}), {agency} reports the results of the "
        "telecom infrastructure indicators in {year} in {place} as follows:",
    },
    "report.h_results": {"vi": "I. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU", "en": "I. INDICATORS"},
    "report.h_phu_luc_1": {
        "vi": "1. Các chỉ tiêu của kế hoạch (Phụ lục 1)",
        "en": "1. The plan's indicators (Appendix 1)",
    },
    "report.h_charts": {
        "vi": "2. Kế hoạch và thực hiện qua các năm",
        "en": "2. Plan against actual over the years",
    },
    "report.h_summary": {
        "vi": "3. Kết quả theo từng {unit}",
        "en": "3. Summary by {unit}",
    },
    "report.h_follow_up": {
        "vi": "II. THEO DÕI THÔN, BẢN CHƯA CÓ DỊCH VỤ (PHỤ LỤC 2)",
        "en": "II. FOLLOW-UP OF UNSERVED VILLAGES (APPENDIX 2)",
    },
    "report.h_map": {"vi": "III. BẢN ĐỒ PHỦ SÓNG", "en": "III. COVERAGE MAP"},
    "report.h_sources": {"vi": "IV. NGUỒN SỐ LIỆU", "en": "IV. DATA SOURCES"},
    "report.h_gaps": {
        "vi": "Khoảng cách tới mục tiêu năm {year}:",
        "en": "Gap to the {year} targets:",
    },
    "report.follow_up_none": {
        "vi": "Sổ phân công chưa có thôn, bản nào của địa bàn.",
        "en": "The assignment register holds no village of the area yet.",
    },
    "report.follow_up_counts": {
        "vi": "{total} thôn, bản có trong sổ phân công, {on_air} thôn, bản đã phát sóng hoặc đã "
        "nghiệm thu; {missing} thôn, bản của kế hoạch chưa có trong sổ phân công.",
        "en": "{total} villages in the register, {on_air} on air or verified; {missing} of the "
        "plan's villages not in the register yet.",
    },
    "report.not_in_register": {
        "vi": "Chưa có trong sổ phân công",
        "en": "Not in the register yet",
    },
    "report.status_on": {
        "vi": "Trạng thái tính đến hết ngày {date}, theo ngày ghi trong sổ phân công.",
        "en": "Status at the end of {date}, by the dates recorded in the register.",
    },
    "report.map_caption": {
        "vi": "Bản đồ phủ sóng di động băng rộng của {place} (mô hình bán kính, tham khảo).",
        "en": "Mobile broadband coverage of {place} (radius model, indicative).",
    },
    "report.no_map": {
        "vi": "Không vẽ được bản đồ: {why}",
        "en": "The map could not be drawn: {why}",
    },
    "report.layer_villages": {"vi": "Thôn, bản", "en": "Villages"},
    "report.layer_sites": {"vi": "Trạm BTS", "en": "BTS sites"},
    "report.layer_fibre": {"vi": "Cáp quang FTTH", "en": "FTTH fibre"},
    "report.layer_population": {"vi": "Dân số", "en": "Population"},
    "report.layer_boundaries": {"vi": "Ranh giới hành chính", "en": "Administrative boundaries"},
    "report.layer_plan": {"vi": "Kế hoạch", "en": "Plan"},
    "report.col_indicator": {"vi": "Các chỉ tiêu", "en": "Indicator"},
    "report.col_uom": {"vi": "Đơn vị tính", "en": "Unit"},
    "report.col_base": {"vi": "Thực hiện năm {year}", "en": "Actual {year}"},
    "report.col_target": {"vi": "Mục tiêu năm {year}", "en": "Target {year}"},
    "report.col_actual": {"vi": "Thực hiện năm {year}", "en": "Actual {year}"},
    "report.col_verdict": {"vi": "Đánh giá", "en": "Assessment"},
    "report.col_source": {"vi": "Nguồn số liệu", "en": "Source"},
    "report.col_gap": {"vi": "Khoảng cách tới mục tiêu", "en": "Gap to the target"},
    "report.sheet_phu_luc_2": {"vi": "Theo dõi Phụ lục 2", "en": "Appendix 2 follow-up"},
    "report.sheet_summary": {"vi": "Kết quả theo đơn vị", "en": "By unit"},
    "report.sheet_charts": {"vi": "Số liệu biểu đồ", "en": "Chart data"},
    "report.sheet_sources": {"vi": "Nguồn số liệu", "en": "Data sources"},
    "report.source_line": {"vi": "{layer}: {source}", "en": "{layer}: {source}"},
    "report.source_synthetic": {
        "vi": "{layer}: DỮ LIỆU MÔ PHỎNG (minh họa, không phải dữ liệu thật) — {source}",
        "en": "{layer}: SYNTHETIC DATA (demo, not real data) — {source}",
    },
    "report.synthetic_warning": {
        "vi": "⚠ Báo cáo dùng dữ liệu mô phỏng ({layers}): số liệu công cụ tính chỉ để minh họa.",
        "en": "⚠ The report uses synthetic data ({layers}): the tool's figures are for "
        "illustration only.",
    },
    "report.recipients": {"vi": "Nơi nhận:", "en": "To:"},
    "report.recipients_list": {
        "vi": "- UBND tỉnh (b/c);\n- Bộ Khoa học và Công nghệ (b/c);\n- Lưu: VT.",
        "en": "- Provincial People's Committee;\n- Ministry of Science and Technology;\n- Files.",
    },
    "report.signer": {"vi": "GIÁM ĐỐC", "en": "DIRECTOR"},
    "report.col_unit": {"vi": "Đơn vị", "en": "Unit"},
    "report.col_villages": {"vi": "Số thôn, bản", "en": "Villages"},
    "report.col_mobile": {"vi": "Có sóng 3G/4G/5G", "en": "With 3G/4G/5G"},
    "report.col_mobile_share": {"vi": "Tỷ lệ có sóng", "en": "Share covered"},
    "report.col_fibre": {"vi": "Có cáp quang", "en": "With fibre"},
    "report.col_not_spots": {"vi": "Vùng lõm sóng", "en": "Total not-spots"},
    "report.col_total": {"vi": "Tổng cộng", "en": "Total"},
    "report.col_stt": {"vi": "Stt", "en": "No."},
    "report.col_village": {"vi": "Thôn, bản", "en": "Village"},
    "report.col_commune": {"vi": "Xã", "en": "Commune"},
    "report.col_district": {"vi": "Huyện", "en": "District"},
    "report.col_operator": {"vi": "Doanh nghiệp", "en": "Operator"},
    "report.col_status": {"vi": "Trạng thái", "en": "Status"},
    "report.col_on_air": {"vi": "Ngày phát sóng", "en": "On air"},
    "report.col_target_year": {"vi": "Năm mục tiêu", "en": "Target year"},
    "report.unit_district": {"vi": "huyện", "en": "district"},
    "report.unit_commune": {"vi": "xã", "en": "commune"},
    "report.no_plan": {
        "vi": "Tỉnh chưa có kế hoạch có bảng chỉ tiêu (Phụ lục 1) trong công cụ.",
        "en": "The province has no plan with an indicator table (Appendix 1) in the tool.",
    },
    # The Báo cáo page
    "report.page_title": {"vi": "Báo cáo", "en": "Report"},
    "report.snapshots_header": {"vi": "Số liệu chốt kỳ", "en": "Snapshots"},
    "report.snapshots_none": {
        "vi": "Chưa có kỳ chốt số liệu nào cho địa bàn này.",
        "en": "No snapshot of this area yet.",
    },
    "report.snapshot_label": {"vi": "Nhãn kỳ (ví dụ Quý 4/2026)", "en": "Label (e.g. Q4/2026)"},
    "report.snapshot_as_of": {"vi": "Ngày chốt", "en": "As of"},
    "report.snapshot_save": {"vi": "Chốt số liệu", "en": "Save snapshot"},
    "report.snapshot_saved": {
        "vi": "Đã chốt số liệu #{id} «{label}».",
        "en": "Snapshot #{id} '{label}' saved.",
    },
    "report.snapshot_superseded": {
        "vi": "Kỳ này thay cho kỳ #{id} cùng nhãn (kỳ cũ vẫn được lưu).",
        "en": "It supersedes #{id} with the same label (the earlier one is kept).",
    },
    "report.col_snapshot": {"vi": "Mã", "en": "Id"},
    "report.col_created": {"vi": "Người chốt, lúc", "en": "Saved by, at"},
    "report.col_superseded": {"vi": "Đã được thay bằng", "en": "Superseded by"},
    "report.compare_header": {"vi": "So sánh các kỳ chốt", "en": "Compare snapshots"},
    "report.compare_first": {"vi": "Kỳ thứ nhất", "en": "First"},
    "report.compare_second": {"vi": "So với", "en": "Against"},
    "report.compare_now": {"vi": "Số liệu hiện tại", "en": "Figures now"},
    "report.compare_change": {"vi": "Thay đổi", "en": "Change"},
    "report.charts_header": {"vi": "Kế hoạch và thực hiện", "en": "Plan against actual"},
    "report.pick_indicator": {"vi": "Chỉ tiêu", "en": "Indicator"},
    "report.year_pick": {"vi": "Năm báo cáo", "en": "Year of the report"},
    "report.download_header": {"vi": "Tải báo cáo năm", "en": "Download the yearly report"},
    "report.download_docx": {"vi": "Tải báo cáo (.docx)", "en": "Download the report (.docx)"},
    "report.download_xlsx": {"vi": "Tải bảng số liệu (.xlsx)", "en": "Download the tables (.xlsx)"},
    "report.make": {"vi": "Lập báo cáo", "en": "Make the report"},
    "report.units_2025_note": {
        "vi": "Bảng Phụ lục 1 theo đơn vị hành chính trước 01/07/2025 (địa bàn của kế hoạch); "
        "phần kết quả theo từng xã mới.",
        "en": "Appendix 1 is in the units before 01/07/2025 (the plan's area); the summary is "
        "by new commune.",
    },
}
