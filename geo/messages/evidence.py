"""Words for the kinds of coverage evidence (:class:`geo.vocab.Evidence`)."""

LABELS: dict[str, dict[str, str]] = {
    "Evidence.measured": {"vi": "Đo kiểm thực tế", "en": "Measured"},
    "Evidence.declared": {"vi": "Nhà mạng công bố", "en": "Operator-declared"},
    "Evidence.terrain": {"vi": "Mô hình địa hình", "en": "Terrain model"},
    "Evidence.radius": {"vi": "Mô hình bán kính", "en": "Radius model"},
}
