"""Words of the map page's finding tools: search, filters, the summary table, the popups'
nearest sites and stacked villages (topic ``map``)."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    # Search
    "map.search": {"vi": "Tìm thôn/bản (tên, không cần dấu, hoặc mã xã)",
                   "en": "Find a village (name, accents optional, or commune code)"},
    "map.search_help": {
        "vi": "Gõ tên không dấu (\"na hy\"), một phần tên, hoặc mã xã của Tổng cục Thống kê "
              "(5 chữ số). Chọn một kết quả để đưa bản đồ đến thôn/bản đó.",
        "en": "Type a name without accents (\"na hy\"), part of a name, or the GSO commune code "
              "(5 digits). Pick a result to move the map to that village.",
    },
    "map.search_none": {"vi": "Không tìm thấy thôn/bản nào khớp với “{query}”.",
                        "en": "No village matches “{query}”."},
    "map.search_pick": {"vi": "Kết quả ({n})", "en": "Results ({n})"},
    "map.match.exact": {"vi": "trùng tên", "en": "exact name"},
    "map.match.part": {"vi": "một phần tên", "en": "part of the name"},
    "map.match.fuzzy": {"vi": "tên gần giống", "en": "similar name"},
    "map.match.commune": {"vi": "thuộc xã cùng tên", "en": "in the commune of that name"},
    "map.match.code": {"vi": "mã xã", "en": "commune code"},
    # Filters
    "map.filters": {"vi": "Lọc bản đồ và bảng", "en": "Filter the map and the tables"},
    "map.filter_operator": {"vi": "Doanh nghiệp", "en": "Operator"},
    "map.filter_technology": {"vi": "Công nghệ (trạm)", "en": "Technology (sites)"},
    "map.filter_gap": {"vi": "Nhóm phủ sóng", "en": "Gap class"},
    "map.filter_status": {"vi": "Trạng thái phân công", "en": "Assignment status"},
    "map.filter_help": {
        "vi": "Để trống là không lọc. Doanh nghiệp: trạm của doanh nghiệp đó và thôn/bản được "
              "doanh nghiệp đó phủ sóng hoặc được giao; công nghệ: chỉ lọc trạm; trạng thái: "
              "chỉ thôn/bản đã có phân công ở trạng thái đó.",
        "en": "Empty means no filter. Operator: its sites and the villages it covers or is "
              "assigned; technology: sites only; status: only villages with an assignment in "
              "that status.",
    },
    "map.filtered_note": {
        "vi": "Đang lọc: bản đồ và bảng hiển thị {shown} / {total} thôn/bản, {sites} / "
              "{sites_total} trạm ({what}). Các chỉ tiêu bên dưới tính trên toàn bộ phạm vi.",
        "en": "Filtered: the map and the tables show {shown} of {total} villages, {sites} of "
              "{sites_total} sites ({what}). The indicators below are for the whole scope.",
    },
    # Summary table
    "map.summary_header": {"vi": "Thống kê theo huyện", "en": "Summary by district"},
    "map.summary_header_2025": {"vi": "Thống kê theo xã (từ 01/07/2025)",
                                "en": "Summary by commune (from 1 July 2025)"},
    "map.summary.district": {"vi": "Huyện", "en": "District"},
    "map.summary.commune_2025": {"vi": "Xã (từ 01/07/2025)", "en": "Commune (from 1 July 2025)"},
    "map.summary.villages": {"vi": "Số thôn/bản", "en": "Villages"},
    "map.summary.covered": {"vi": "Có băng rộng di động", "en": "Mobile broadband"},
    "map.summary.covered_share": {"vi": "Tỷ lệ có băng rộng di động",
                                  "en": "Share with mobile broadband"},
    "map.summary.total_not_spots": {"vi": "Lõm sóng hoàn toàn", "en": "Total not-spots"},
    "map.summary.partial_not_spots": {"vi": "Phủ sóng một phần nhà mạng",
                                      "en": "Partial not-spots"},
    "map.summary.fibre": {"vi": "Có cáp quang FTTH", "en": "FTTH fibre"},
    "map.summary.operator": {"vi": "Phủ sóng: {operator}", "en": "Covered: {operator}"},
    "map.summary.total": {"vi": "Tổng cộng", "en": "Total"},
    "map.summary.synthetic": {
        "vi": "Số trạm, phủ sóng và cáp quang tính từ dữ liệu mô phỏng.",
        "en": "Sites, coverage and fibre come from synthetic data.",
    },
    # Popups
    "map.nearest_site": {"vi": "Trạm gần nhất", "en": "Nearest site"},
    "map.km": {"vi": "{value} km", "en": "{value} km"},
    "map.stacked_title": {"vi": "{n} thôn/bản cùng một điểm (vị trí theo xã)",
                          "en": "{n} villages at one point (located by commune)"},
}
