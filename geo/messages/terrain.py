"""Words of the terrain model: its raster overlays, their legends, the DEM import."""

LABELS: dict[str, dict[str, str]] = {
    "terrain.loss_title": {
        "vi": "Suy hao đường truyền (dB) — mô hình địa hình",
        "en": "Path loss (dB) — terrain model",
    },
    "terrain.covered_title": {
        "vi": "Vùng phủ sóng theo mô hình địa hình",
        "en": "Coverage by the terrain model",
    },
    "terrain.server_title": {
        "vi": "Trạm phục vụ tốt nhất",
        "en": "Best server",
    },
    "terrain.covered": {"vi": "Có sóng", "en": "Covered"},
    "terrain.not_covered": {"vi": "Lõm sóng (sau núi)", "en": "Coverage hole (behind terrain)"},
    "terrain.server_note": {
        "vi": "Mỗi màu là một trạm ({count} trạm)",
        "en": "Each colour is one site ({count} sites)",
    },
    "terrain.threshold": {
        "vi": "Ngưỡng có sóng: suy hao ≤ {value} dB",
        "en": "Covered when the loss is ≤ {value} dB",
    },
    "terrain.model_note": {
        "vi": "Tầm nhìn thẳng (k = 4/3) và nhiễu xạ Bullington (ITU-R P.526) trên DEM",
        "en": "Line of sight (k = 4/3) and Bullington diffraction (ITU-R P.526) on the DEM",
    },
    "terrain.synthetic_note": {
        "vi": "Dữ liệu mô phỏng (minh họa, không phải dữ liệu thật)",
        "en": "Synthetic (demo, not real data)",
    },
    "terrain.overlay_name": {
        "vi": "{title}: {operator} {technology}",
        "en": "{title}: {operator} {technology}",
    },
}
