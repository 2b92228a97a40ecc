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
    # The page Đo kiểm (ui/pages/do_kiem.py).
    "evidence.page_title": {"vi": "Đo kiểm", "en": "Measurements"},
    "evidence.page_intro": {
        "vi": "Nhập kết quả đo kiểm (đo lái xe hoặc ứng dụng đo tốc độ: G-NetTrack, Speedtest, "
        "nPerf; .csv hoặc .xlsx). Thôn/bản có đủ điểm đo lấy trạng thái từ kết quả đo, mạnh hơn "
        "vùng phủ nhà mạng công bố, mô hình địa hình và mô hình bán kính.",
        "en": "Import measurements (drive tests or speed-test apps: G-NetTrack, Speedtest, "
        "nPerf; .csv or .xlsx). A village with enough points takes its status from them, "
        "above the operators' declared coverage, the terrain model and the radius model.",
    },
    "evidence.upload": {"vi": "Tệp kết quả đo kiểm", "en": "Measurement file"},
    "evidence.operator_option": {
        "vi": "Nhà mạng (khi tệp không ghi)",
        "en": "Operator (when the file does not say)",
    },
    "evidence.technology_option": {
        "vi": "Công nghệ (khi tệp không ghi)",
        "en": "Technology (when the file does not say)",
    },
    "evidence.from_file": {"vi": "Theo tệp", "en": "From the file"},
    "evidence.pick_province": {
        "vi": "Tỉnh (trước 01/07/2025) của các điểm đo",
        "en": "Province (before 01/07/2025) of the points",
    },
    "evidence.read_summary": {
        "vi": "{file}: {usable} điểm đo dùng được, {review} dòng cần xem lại, {wifi} dòng Wi-Fi "
        "bỏ qua.",
        "en": "{file}: {usable} usable points, {review} rows to review, {wifi} Wi-Fi rows left "
        "out.",
    },
    "evidence.problems_header": {"vi": "Các dòng cần xem lại", "en": "Rows to review"},
    "evidence.skip_bad_rows": {
        "vi": "Lưu các dòng dùng được, bỏ qua các dòng cần xem lại",
        "en": "Save the usable rows, leaving out the rows to review",
    },
    "evidence.commit": {"vi": "Lưu kết quả đo", "en": "Save the measurements"},
    "evidence.committed": {
        "vi": "Đã lưu {n} điểm đo (lần nhập {id}).",
        "en": "Saved {n} points (import {id}).",
    },
    "evidence.already": {
        "vi": "Tệp này đã được nhập trước đó (lần nhập {id}).",
        "en": "This file was already imported (import {id}).",
    },
    "evidence.imports_header": {"vi": "Các lần nhập kết quả đo", "en": "Measurement imports"},
    "evidence.no_imports": {
        "vi": "Chưa có kết quả đo kiểm nào cho tỉnh này.",
        "en": "No measurements for this province yet.",
    },
    "evidence.import_id": {"vi": "Lần nhập", "en": "Import"},
    "evidence.file": {"vi": "Tệp", "en": "File"},
    "evidence.rows": {"vi": "Số dòng", "en": "Rows"},
    "evidence.committed_by": {"vi": "Người nhập", "en": "By"},
    "evidence.committed_at": {"vi": "Thời điểm nhập", "en": "When"},
    "evidence.remove": {"vi": "Gỡ lần nhập này", "en": "Remove this import"},
    "evidence.removed": {"vi": "Đã gỡ lần nhập {id}.", "en": "Removed import {id}."},
    "evidence.villages_header": {
        "vi": "Kết quả đo theo thôn/bản",
        "en": "Measurements per village",
    },
    "evidence.none_measured": {
        "vi": "Chưa có điểm đo nào trong phạm vi {distance} m của một thôn/bản.",
        "en": "No point lies within {distance} m of a village yet.",
    },
    "evidence.row": {"vi": "Dòng", "en": "Row"},
    "evidence.field": {"vi": "Cột", "en": "Field"},
    "evidence.value": {"vi": "Giá trị", "en": "Value"},
    "evidence.fix": {"vi": "Cách sửa", "en": "How to fix"},
}
