"""Timings of planners' imports: a 10,000-row site list and a 5,000-row village list.

Run from the repository root::

    python benchmarks/bench_imports.py            # all
    python benchmarks/bench_imports.py sites      # one: sites, villages

The files are made here (in memory), as planners send them: the site list as a VN-2000 CSV
(X northing, decimal comma, Windows-1258) and as an .xlsx in degrees; the village list as an
.xlsx whose names are the register's in other spellings (no diacritics, "B." for "Bản"),
communes written with and without prefixes, a third without coordinates. Each line gives the
best of a few :func:`geo.imports.stage` calls (read, map columns, convert coordinates, match
names, build the report; the province is loaded once beforehand) in rows per second, and the
:func:`geo.imports.commit` time. Not a test: no timing is asserted anywhere in the test suite.
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer
from unidecode import unidecode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from geo import imports, province
from tests.test_readers import to_cp1258

N_SITES = 10_000
N_VILLAGES = 5_000


def _best(fn, repeat: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def _site_table(data: province.ProvinceData, n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    area = gpd.GeoSeries([data.communes.union_all()], crs="EPSG:4326")
    points = area.sample_points(n, rng=seed).explode(index_parts=False)
    lon, lat = points.x.to_numpy()[:n], points.y.to_numpy()[:n]
    return pd.DataFrame(
        {
            "Mã trạm": [f"DBN{i:05d}" for i in range(n)],
            "Nhà mạng": rng.choice(["Viettel", "Vinaphone", "MobiFone", "Vietnamobile"], n),
            "Công nghệ": rng.choice(["2G", "3G", "4G", "LTE", "2G/3G/4G", "5G NR"], n),
            "lon": lon,
            "lat": lat,
            "Ngày phát sóng": pd.to_datetime(
                rng.integers(2005, 2025, n).astype(str), format="%Y"
            ).strftime("%d/%m/%Y"),
        }
    )


def bench_sites() -> None:
    data = province.load_province("Điện Biên")
    t = _site_table(data, N_SITES)
    e, n = Transformer.from_crs(4326, 9205, always_xy=True).transform(t["lon"], t["lat"])
    csv = t.drop(columns=["lon", "lat"]).assign(
        **{
            "Tọa độ X": [f"{v:.2f}".replace(".", ",") for v in n],
            "Tọa độ Y": [f"{v:.2f}".replace(".", ",") for v in e],
        }
    )
    raw = to_cp1258(csv.to_csv(sep=";", index=False))
    secs, staged = _best(lambda: imports.stage(raw, "tram_bts.csv", "sites", data, crs="EPSG:9205"))
    print(
        f"sites: {N_SITES:,}-row VN-2000 CSV (cp1258, ';', X northing) → {len(staged.frame):,} "
        f"records: {secs:.2f} s, {N_SITES / secs:,.0f} rows/s "
        f"({staged.summary()['review']} rows to review)"
    )
    buf = io.BytesIO()
    t.rename(columns={"lon": "Kinh độ", "lat": "Vĩ độ"}).to_excel(buf, index=False)
    xlsx = buf.getvalue()
    secs, staged = _best(lambda: imports.stage(xlsx, "tram_bts.xlsx", "sites", data))
    print(f"sites: {N_SITES:,}-row .xlsx in degrees: {secs:.2f} s, {N_SITES / secs:,.0f} rows/s")
    with tempfile.TemporaryDirectory() as tmp:
        store = imports.Store(Path(tmp) / "s.sqlite")
        t0 = time.perf_counter()
        imports.commit(staged, store, allow_partial=True)
        commit = time.perf_counter() - t0
        t0 = time.perf_counter()
        layers = imports.load_layers(store, data.province_code)
        load = time.perf_counter() - t0
    print(
        f"sites: commit {len(staged.frame):,} records {commit:.2f} s; load_layers "
        f"{len(layers.sites):,} {load:.2f} s"
    )


def _village_table(data: province.ProvinceData, n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    reg = data.villages
    base = reg.iloc[rng.integers(0, len(reg), n)].reset_index(drop=True)
    name = base["village"].astype(str)
    # Half the register's names as written, a quarter without diacritics, a quarter new.
    kind = rng.integers(0, 4, n)
    name = name.where(kind != 1, name.map(unidecode))
    name = name.where(kind != 2, name.str.replace("Bản ", "B. ", regex=False))
    name = name.where(kind != 3, pd.Series([f"Bản Mới {i}" for i in range(n)]))
    commune = base["commune"].astype(str)
    commune = commune.where(rng.random(n) < 0.5, commune.str.replace("Xã ", "", regex=False))
    lon = base.geometry.x + rng.normal(0, 0.002, n)
    lat = base.geometry.y + rng.normal(0, 0.002, n)
    no_pos = rng.random(n) < 0.33
    return pd.DataFrame(
        {
            "Mã thôn": [f"T{i:05d}" for i in range(n)],
            "Tên thôn/bản": name,
            "Xã": commune,
            "Huyện": base["district"].astype(str),
            "Kinh độ": np.where(no_pos, np.nan, lon.round(6)),
            "Vĩ độ": np.where(no_pos, np.nan, lat.round(6)),
        }
    )


def bench_villages() -> None:
    data = province.load_province("Điện Biên")
    t = _village_table(data, N_VILLAGES)
    buf = io.BytesIO()
    t.to_excel(buf, index=False)
    xlsx = buf.getvalue()
    secs, staged = _best(lambda: imports.stage(xlsx, "danh_muc_thon.xlsx", "villages", data))
    s = staged.summary()
    print(
        f"villages: {N_VILLAGES:,}-row register .xlsx, names matched and linked to the "
        f"{len(data.villages):,}-village register: {secs:.2f} s, {N_VILLAGES / secs:,.0f} rows/s "
        f"(linked by name {staged.link.linked_by_name:,}, new {staged.link.new:,}, "
        f"{s['review']:,} to review)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        store = imports.Store(Path(tmp) / "s.sqlite")
        t0 = time.perf_counter()
        imports.commit(staged, store, allow_partial=True)
        print(f"villages: commit {time.perf_counter() - t0:.2f} s")


BENCHES = {"sites": bench_sites, "villages": bench_villages}

if __name__ == "__main__":
    for name in sys.argv[1:] or list(BENCHES):
        BENCHES[name]()
