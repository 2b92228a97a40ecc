"""Words of the national map (all Vietnam, light) and its page (Toàn quốc)."""

LABELS: dict[str, dict[str, str]] = {
    # geo.vocab.DataOrigin (geo.i18n.enum_label)
    "DataOrigin.planner": {"vi": "Đã có dữ liệu thật", "en": "Real data loaded"},
    "DataOrigin.synthetic": {
        "vi": "Dữ liệu mô phỏng (không phải dữ liệu thật)",
        "en": "Synthetic data (not real)",
    },
    "DataOrigin.none": {"vi": "Chưa có dữ liệu", "en": "No data yet"},
    "national.page": {"vi": "Toàn quốc", "en": "All Vietnam"},
    "national.title": {
        "vi": "Phủ sóng thôn bản toàn quốc",
        "en": "Village coverage, all Vietnam",
    },
    "national.units_2025": {
        "vi": "34 tỉnh, thành phố và 3.321 xã, phường, đặc khu (từ 01/07/2025)",
        "en": "34 provinces and 3,321 communes (from 1 July 2025)",
    },
    "national.units_pre2025": {
        "vi": "63 tỉnh, thành phố và các huyện (trước 01/07/2025)",
        "en": "63 provinces and their districts (before 1 July 2025)",
    },
    "national.provinces_layer": {"vi": "Tỉnh, thành phố", "en": "Provinces"},
    "national.communes_layer": {"vi": "Xã, phường, đặc khu", "en": "Communes"},
    "national.districts_layer": {"vi": "Huyện, quận, thị xã", "en": "Districts"},
    "national.imported": {"vi": "Đã nhập", "en": "Imported"},
    "national.villages": {"vi": "Số thôn, bản", "en": "Villages"},
    "national.share": {
        "vi": "Thôn, bản có sóng di động băng rộng",
        "en": "Villages with mobile broadband",
    },
    "national.total_not_spots": {"vi": "Vùng lõm sóng", "en": "Total not-spots"},
    "national.partial_not_spots": {
        "vi": "Phủ sóng một phần nhà mạng",
        "en": "Partial not-spots",
    },
    "national.open_province": {"vi": "Mở bản đồ tỉnh", "en": "Open the province map"},
    "national.open_command": {
        "vi": "Bản đồ tỉnh: python -m geo map --province {code} --units {units} --output F.html",
        "en": "Province map: python -m geo map --province {code} --units {units} --output F.html",
    },
    "national.legend_title": {
        "vi": "Tỷ lệ thôn, bản có sóng",
        "en": "Share of villages covered",
    },
    "national.approximate": {
        "vi": "Ranh giới gần đúng (xã cũ bị chia tách)",
        "en": "Approximate boundary (an old commune was split)",
    },
    "national.synthetic_banner": {
        "vi": "DỮ LIỆU MÔ PHỎNG: trạm và cáp quang của {names} là dữ liệu mô phỏng (minh họa, "
        "không phải dữ liệu thật).",
        "en": "SYNTHETIC DATA: the sites and fibre of {names} are synthetic (demo, not real).",
    },
    "national.simplified_note": {
        "vi": "Ranh giới đã đơn giản hóa để xem toàn quốc (GADM 4.1); chọn một tỉnh để xem chi "
        "tiết.",
        "en": "Boundaries simplified for the national view (GADM 4.1); pick a province for "
        "details.",
    },
    "national.pick_province": {"vi": "Chọn tỉnh để mở", "en": "Province to open"},
    "national.building": {
        "vi": "Đang chuẩn bị bản đồ toàn quốc…",
        "en": "Preparing the national map…",
    },
    "national.table_header": {"vi": "Các tỉnh", "en": "Provinces"},
    "national.province": {"vi": "Tỉnh, thành phố", "en": "Province"},
    "national.origin": {"vi": "Dữ liệu", "en": "Data"},
    "national.villages_served": {
        "vi": "Thôn, bản được phục vụ (đã nghiệm thu hoặc có sóng theo dữ liệu): {n}/{total} "
        "({share})",
        "en": "Villages served (verified, or covered by the data): {n}/{total} ({share})",
    },
}
