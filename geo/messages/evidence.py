"""Words for the kinds of coverage evidence (:class:`geo.vocab.Evidence`) and for measurements."""

LABELS: dict[str, dict[str, str]] = {
    "Evidence.measured": {"vi": "Đo kiểm thực tế", "en": "Measured"},
    "Evidence.declared": {"vi": "Nhà mạng công bố", "en": "Operator-declared"},
    "Evidence.terrain": {"vi": "Mô hình địa hình", "en": "Terrain model"},
    "Evidence.radius": {"vi": "Mô hình bán kính", "en": "Radius model"},
    # The status columns and the popup (geo.evidence.describe).
    "evidence.column": {"vi": "Căn cứ xác định", "en": "Evidence"},
    "evidence.column_operator": {
        "vi": "Căn cứ xác định ({operator})",
        "en": "Evidence ({operator})",
    },
    "evidence.covered": {"vi": "có sóng", "en": "covered"},
    "evidence.not_covered": {"vi": "không có sóng", "en": "not covered"},
    "evidence.points": {"vi": "{n} điểm đo", "en": "{n} points"},
    "evidence.share_above": {"vi": "{share} đạt ngưỡng", "en": "{share} above threshold"},
    "evidence.counts": {
        "vi": "Số thôn/bản theo căn cứ xác định",
        "en": "Villages by the evidence their status rests on",
    },
    # Measurements (geo.measurements): the columns of the per-village table.
    "evidence.measurement": {"vi": "Kết quả đo kiểm", "en": "Measurement"},
    "evidence.measurement_synthetic": {
        "vi": "Kết quả đo kiểm mô phỏng (minh họa, không phải dữ liệu thật)",
        "en": "Synthetic measurements (demo, not real data)",
    },
    "evidence.count": {"vi": "Số điểm đo", "en": "Points"},
    "evidence.median_signal": {
        "vi": "Cường độ tín hiệu trung vị (dBm)",
        "en": "Median signal (dBm)",
    },
    "evidence.median_download": {
        "vi": "Tốc độ tải xuống trung vị (Mb/s)",
        "en": "Median download (Mb/s)",
    },
    "evidence.share_above_column": {"vi": "Tỷ lệ đạt ngưỡng", "en": "Share above threshold"},
    "evidence.last_measured": {"vi": "Ngày đo gần nhất", "en": "Last measured"},
    "evidence.within": {
        "vi": "Tính các điểm đo trong vòng {distance} m quanh thôn/bản",
        "en": "Points within {distance} m of the village count",
    },
    "evidence.min_count": {
        "vi": "Số điểm đo tối thiểu để xác định trạng thái: {n}",
        "en": "Points needed to decide the status: {n}",
    },
}
