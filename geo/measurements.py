"""Drive-test and crowd measurements: read them, check them, and aggregate them per village.

A planner gets measurements as the apps and the operators export them: G-NetTrack
(``Timestamp, Longitude, Latitude, Operatorname, NetworkTech, Level, DL_bitrate`` …), Speedtest
(``Date, ConnType, Lat, Lon, Download`` …), nPerf, NetMetr-style open data (``time, lat, long,
network_name, cat_technology, download_kbit, lte_rsrp``) or a Department's own sheet in
Vietnamese (``Thời gian, Kinh độ, Vĩ độ, Nhà mạng, Công nghệ, RSRP (dBm), Tốc độ tải xuống
(Mb/s)``). :func:`read` finds the columns (:data:`FIELDS`), normalises operators to
:class:`~geo.vocab.Operator` (names, brands, or the MCC-MNC code 452-xx) and technologies to
:class:`~geo.vocab.Technology`, converts speeds to Mb/s and reports every bad row with its file,
sheet, row and field.

:func:`aggregate` attaches each point to the nearest village within ``Rules.within_m`` metres
(a k-d tree in the UTM zone of :func:`geo.sites.metric_crs`; villages located only by their
commune take none) and summarises per village, operator and technology: count, median signal,
median download, share of points above the technology's threshold, last date.
:func:`village_status` turns that into a status per village and operator where there are at
least ``Rules.min_count`` points: covered when, for one of the broadband technologies, the share
above threshold is at least ``Rules.min_share``.

Default thresholds (assumed, editable in :class:`Rules`): signal RSSI −95 dBm (2G), RSCP −100 dBm
(3G), RSRP −110 dBm (4G, 5G); download 5 Mb/s (4G) and 7 Mb/s (5G), the FCC Broadband Data
Collection's minimum speeds for 4G LTE and 5G-NR, 1 Mb/s (3G), 0,1 Mb/s (2G). A point counts
above threshold by its signal when it has one, else by its download speed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer
from scipy.spatial import cKDTree

from geo.errors import InputError
from geo.extent import inside_vietnam
from geo.operators import canonical_operator
from geo.readers import limits, tables
from geo.readers.columns import label_key
from geo.sites import metric_crs
from geo.vocab import Operator, Technology

__all__ = [
    "FIELDS",
    "MAX_ROWS",
    "PROBLEM_COLUMNS",
    "Read",
    "Rules",
    "aggregate",
    "above_threshold",
    "check_province",
    "check_size",
    "commit",
    "remove",
    "store_version",
    "nearest_village",
    "problem_rows",
    "read",
    "read_file",
    "load_points",
    "village_status",
]

MAX_ROWS = 200_000
"""Most data rows one file (or sheet) may hold; split a longer drive test."""

#: Each field and the headers that name it, as :func:`geo.readers.columns.label_key` writes
#: them, best first. A header's bracketed part (a unit, "(dBm)", "(Mb/s)") is set aside.
FIELDS: dict[str, tuple[str, ...]] = {
    "measured_at": (
        "timestamp", "time", "datetime", "date time", "date", "thoi gian", "thoi diem",
        "ngay gio", "ngay do", "thoi gian do", "ngay", "test time", "testtime", "time utc",
        "utc time", "measurement time", "date utc", "start time",
    ),
    "lat": ("latitude", "lat", "vi do", "client latitude", "gps latitude", "y vi do"),
    "lon": (
        "longitude", "lon", "long", "lng", "kinh do", "client longitude", "gps longitude",
        "x kinh do",
    ),
    "operator": (
        "operatorname", "operator name", "network name", "nha mang", "operator", "carrier",
        "network operator", "provider", "isp", "sim operator", "nha mang di dong",
        "doanh nghiep", "mang", "network",
    ),
    # G-NetTrack writes the name in Operatorname and the code (45204) in Operator.
    "mcc_mnc": ("mcc mnc", "mccmnc", "network mcc mnc", "plmn", "mcc mnc code", "operator"),
    "technology": (
        "networktech", "network tech", "technology", "cong nghe", "conntype", "conn type",
        "connection type", "cat technology", "network type", "networktype", "rat", "tech",
        "network mode", "networkmode", "loai mang", "cong nghe mang",
    ),
    "rsrp": ("rsrp", "lte rsrp", "ss rsrp", "nr rsrp", "ssrsrp", "rsrp dbm"),
    "rscp": ("rscp", "rscp dbm", "wcdma rscp", "umts rscp"),
    "rssi": ("rssi", "gsm rssi", "rssi dbm", "rxlev dbm"),
    "signal": (
        "level", "signal", "signal strength", "signal dbm", "signal level", "cuong do tin hieu",
        "muc tin hieu", "tin hieu", "cuong do song", "dbm",
    ),
    "download": (
        "download", "dl bitrate", "download kbit", "download speed", "download mbps",
        "download kbps", "avg d kbps", "toc do tai xuong", "toc do download", "tai xuong",
        "dl", "dl throughput", "downlink", "download rate", "toc do tai",
    ),
}  # fmt: skip

_LABELS = {
    "measured_at": ("Thời gian", "Time"),
    "lat": ("Vĩ độ", "Latitude"),
    "lon": ("Kinh độ", "Longitude"),
    "operator": ("Nhà mạng", "Operator"),
    "technology": ("Công nghệ", "Technology"),
    "signal": ("Cường độ tín hiệu (RSRP/RSCP/RSSI)", "Signal (RSRP/RSCP/RSSI)"),
    "download": ("Tốc độ tải xuống", "Download speed"),
}

#: Download headers whose name gives the unit (Mb/s per unit of the column).
_DOWNLOAD_UNIT = {"dl bitrate": 1e-3, "download kbit": 1e-3, "download kbps": 1e-3,
                  "avg d kbps": 1e-3, "download mbps": 1.0}  # fmt: skip

#: Vietnam's mobile network codes (MCC 452): 01 MobiFone, 02 Vinaphone (VNPT), 04 Viettel,
#: 05 Vietnamobile, 07 Gmobile. 452-08 is I-Telecom, not Vietnamobile.
MNC: dict[str, str] = {
    "01": Operator.MOBIFONE,
    "02": Operator.VNPT,
    "04": Operator.VIETTEL,
    "05": Operator.VIETNAMOBILE,
    "07": Operator.GMOBILE,
}

_TECH_WORDS: dict[str, str] = {
    "2g": "2G", "gsm": "2G", "edge": "2G", "gprs": "2G", "3g": "3G", "umts": "3G",
    "wcdma": "3G", "hspa": "3G", "hsdpa": "3G", "hsupa": "3G", "hspa+": "3G", "hspap": "3G",
    "4g": "4G", "lte": "4G", "lte-a": "4G", "lte+": "4G", "4g+": "4G", "lteca": "4G",
    "5g": "5G", "nr": "5G", "5gnr": "5G", "nr-nsa": "5G", "nr-sa": "5G", "nsa": "5G",
}  # fmt: skip
_NOT_MOBILE = ("wifi", "wi-fi", "wlan", "ethernet", "lan")

PROBLEM_COLUMNS = ["file", "sheet", "row", "field", "value", "message_en", "message_vi"]
"""Columns of :attr:`Read.problems` (rows to review) and :attr:`Read.skipped`."""


@dataclasses.dataclass(frozen=True)
class Rules:
    """How measurements become a village's status (every number editable by the planner).

    Attributes
    ----------
    within_m
        A point counts for the nearest village within this distance (metres).
    min_count
        Points of one technology a village needs before its status comes from them.
    min_share
        Covered when at least this share (0–1) of the points is above threshold.
    signal_dbm, download_mbps
        The threshold per technology, as sorted (technology, value) pairs.
    """

    within_m: float = 500.0
    min_count: int = 5
    min_share: float = 0.5
    signal_dbm: tuple[tuple[str, float], ...] = (
        ("2G", -95.0), ("3G", -100.0), ("4G", -110.0), ("5G", -110.0),
    )  # fmt: skip
    download_mbps: tuple[tuple[str, float], ...] = (
        ("2G", 0.1), ("3G", 1.0), ("4G", 5.0), ("5G", 7.0),
    )  # fmt: skip

    @classmethod
    def make(
        cls,
        within_m: float = 500.0,
        min_count: int = 5,
        min_share: float = 0.5,
        signal_dbm: Mapping[str, float] | None = None,
        download_mbps: Mapping[str, float] | None = None,
    ) -> Rules:
        """Rules from mappings of thresholds (the defaults for technologies not given).

        Raises
        ------
        InputError
            A distance or count below 1, a share outside 0–1, or an unknown technology.
        """
        base = cls()
        sig = dict(base.signal_dbm) | {str(k): float(v) for k, v in (signal_dbm or {}).items()}
        spd = dict(base.download_mbps) | {
            str(k): float(v) for k, v in (download_mbps or {}).items()
        }
        bad = sorted((set(sig) | set(spd)) - {t.value for t in Technology})
        problems = [
            ("within_m", within_m < 1, "must be at least 1 m", "phải từ 1 m trở lên"),
            ("min_count", min_count < 1, "must be at least 1", "phải từ 1 trở lên"),
            ("min_share", not 0 <= min_share <= 1, "must be between 0 and 1", "phải từ 0 đến 1"),
            ("technology", bool(bad), f"unknown technology {bad}", f"công nghệ không rõ {bad}"),
        ]
        for name, wrong, en, vi in problems:
            if wrong:
                raise InputError(
                    f"The measurement rule {name} {en}.",
                    f"Quy tắc đo kiểm {name} {vi}.",
                    field=name,
                )
        return cls(
            float(within_m), int(min_count), float(min_share),
            tuple(sorted(sig.items())), tuple(sorted(spd.items())),
        )  # fmt: skip


@dataclasses.dataclass
class Read:
    """A file's measurements once read and checked.

    Attributes
    ----------
    file, sheet
        Where they come from.
    rows
        The good rows: ``source_row, measured_at, lon, lat, operator, technology, signal_dbm,
        signal_kind, download_mbps``.
    problems
        Rows to review (:data:`PROBLEM_COLUMNS`), one line per bad cell.
    skipped
        Rows left out as not mobile measurements (Wi-Fi, no service), same columns.
    mapping
        Field → header used.
    notes
        (English, Vietnamese) notes on how the file was read (units, encoding).
    content_hash
        SHA-256 of the file's bytes.
    """

    file: str
    sheet: str | None
    rows: pd.DataFrame
    problems: pd.DataFrame
    skipped: pd.DataFrame
    mapping: dict[str, str]
    notes: list[tuple[str, str]]
    content_hash: str

    @property
    def needs_review(self) -> bool:
        """Some rows have a problem (listed in :attr:`problems`)."""
        return bool(len(self.problems))


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------


def _map_columns(labels: list[str]) -> dict[str, str]:
    """Field → header: for each field, the first of its names (best first) a header has, the
    header's bracketed part set aside; a header serves one field."""
    keys = {}
    for label in labels:
        outer = label_key(re.sub(r"[(\[][^)\]]*[)\]]", " ", label))
        keys[label] = {label_key(label), outer} - {""}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for field, names in FIELDS.items():
        for name in names:
            hit = next((lb for lb in labels if lb not in used and name in keys[lb]), None)
            if hit is not None:
                mapping[field] = hit
                used.add(hit)
                break
    return mapping


def problem_rows(
    file: str, sheet: str | None, rows: np.ndarray, field: str, values, en: str, vi: str
) -> pd.DataFrame:
    """One problem line per row of ``rows``, in :data:`PROBLEM_COLUMNS`."""
    values = np.asarray(values, dtype=object)
    return pd.DataFrame(
        {
            "file": file,
            "sheet": sheet,
            "row": np.asarray(rows, dtype=np.int64),
            "field": field,
            "value": [None if v is None or v != v else str(v) for v in values],
            "message_en": en,
            "message_vi": vi,
        },
        columns=PROBLEM_COLUMNS,
    )


def _number(values: pd.Series) -> pd.Series:
    """Numbers as written: 21.38, "21,38" (Vietnamese decimal comma), " -97 dBm"."""
    as_num = pd.to_numeric(values, errors="coerce")
    text = values.astype("string").str.strip()
    text = text.str.replace(r"(?i)\s*(dbm|mbps|mb/s|kbps|kb/s)$", "", regex=True)
    text = text.where(~text.str.fullmatch(r"-?\d+,\d+", na=False), text.str.replace(",", "."))
    return as_num.astype(float).fillna(pd.to_numeric(text, errors="coerce").astype(float))


def _times(values: pd.Series) -> pd.Series:
    """Times as the apps write them: ISO 8601, dd/mm/yyyy hh:mm[:ss] (Vietnamese),
    yyyy.mm.dd_hh.mm.ss (G-NetTrack), Excel dates, Unix seconds or milliseconds."""
    out = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in ("datetime", "datetime64", "date"):  # a workbook's date cells
        is_time = values.notna()
    elif kind.startswith("mixed"):
        is_time = values.map(lambda v: hasattr(v, "year"))
    else:
        is_time = pd.Series(False, index=values.index)
    if is_time.any():
        out[is_time] = pd.to_datetime(values[is_time].astype(object), errors="coerce")
    num = pd.to_numeric(values.where(~is_time), errors="coerce")
    for unit, low in (("ms", 1e11), ("s", 1e8)):
        pick = out.isna() & (num >= low)
        if pick.any():
            out[pick] = pd.to_datetime(num[pick], unit=unit, errors="coerce")
    text = values.where(~is_time).astype("string").str.strip()
    for fmt in ("ISO8601", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y.%m.%d_%H.%M.%S",
                "%d-%m-%Y %H:%M:%S", "%d.%m.%Y %H:%M:%S"):  # fmt: skip
        pick = out.isna() & text.notna()
        if not pick.any():
            break
        parsed = pd.to_datetime(text[pick], format=fmt, errors="coerce")
        if getattr(parsed.dt, "tz", None) is not None:
            parsed = parsed.dt.tz_convert("Asia/Ho_Chi_Minh").dt.tz_localize(None)
        out[pick] = parsed
    return out


def _operators(values: pd.Series) -> pd.Series:
    """Operator names, brands or MCC-MNC codes ("45204", "452-04") as :class:`Operator`."""
    text = values.astype("string").str.strip()
    uniq = pd.Series(text.dropna().unique())
    digits = uniq.str.replace(r"[\s\-_/]", "", regex=True)
    code = digits.str.extract(r"^452(\d{2,3})$")[0].str[-2:]
    by_code = code.map(MNC)
    by_name = uniq.map(canonical_operator)
    table = pd.Series(by_code.fillna(by_name).to_numpy(), index=uniq.to_numpy())
    return text.map(table).astype(object)


def _technologies(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(technology as :class:`Technology` value, whether the row is not mobile: Wi-Fi …)."""
    text = values.astype("string").str.strip().str.lower()
    words = text.str.replace(r"[\s_/()]+", " ", regex=True).str.strip()
    exact = words.map(_TECH_WORDS.get, na_action="ignore")
    patterns = (
        (r"\b(?:5g|nr)\b", "5G"), (r"\b(?:4g|lte)", "4G"),
        (r"\b(?:3g|umts|wcdma|hs[dup]?pa)", "3G"), (r"\b(?:2g|gsm|edge|gprs)\b", "2G"),
    )  # fmt: skip
    found = np.select(
        [words.str.contains(p, na=False).to_numpy(dtype=bool) for p, _ in patterns],
        [v for _, v in patterns],
        default=None,
    )
    tech = exact.where(exact.notna(), pd.Series(found, index=values.index, dtype=object))
    not_mobile = text.str.contains(r"wi-?fi|wlan|ethernet", na=False)
    return tech.astype(object), not_mobile.astype(bool)


def _missing_columns(mapping: dict[str, str], file: str, sheet, options: dict) -> None:
    need = []
    for field in ("measured_at", "lat", "lon"):
        if field not in mapping:
            need.append(field)
    if "operator" not in mapping and "mcc_mnc" not in mapping and not options.get("operator"):
        need.append("operator")
    if "technology" not in mapping and not options.get("technology"):
        need.append("technology")
    if not {"rsrp", "rscp", "rssi", "signal", "download"} & set(mapping):
        need.append("signal")
        need.append("download")
    if not need:
        return
    names_en = ", ".join(_LABELS[f][1] for f in need)
    names_vi = ", ".join(_LABELS[f][0] for f in need)
    raise InputError(
        f"{file} has no column for {names_en}. Name the columns as the app exports them "
        "(e.g. Timestamp, Latitude, Longitude, Operatorname, NetworkTech, Level, DL_bitrate) or "
        "in Vietnamese (Thời gian, Vĩ độ, Kinh độ, Nhà mạng, Công nghệ, RSRP, Tốc độ tải xuống); "
        "an operator or technology the file does not give can be set with --operator / "
        "--technology.",
        f"{file} không có cột {names_vi}. Hãy đặt tên cột như ứng dụng xuất ra (ví dụ "
        "Timestamp, Latitude, Longitude, Operatorname, NetworkTech, Level, DL_bitrate) hoặc "
        "tiếng Việt (Thời gian, Vĩ độ, Kinh độ, Nhà mạng, Công nghệ, RSRP, Tốc độ tải xuống); "
        "nhà mạng hoặc công nghệ mà tệp không ghi thì chọn bằng --operator / --technology.",
        file=file,
        sheet=sheet,
        field=need[0],
    )


def _download(raw: pd.DataFrame, mapping: dict[str, str], notes: list) -> pd.Series:
    """Download speed in Mb/s; the unit from the header ("(kbps)", "DL_bitrate" is kbit/s),
    else Mb/s unless the column's median passes 1.000, which only kbit/s can be."""
    if "download" not in mapping:
        return pd.Series(np.nan, index=raw.index)
    label = mapping["download"]
    values = _number(raw[label])
    key = label_key(label)
    factor = next((f for name, f in _DOWNLOAD_UNIT.items() if key == name), None)
    if factor is None:
        if re.search(r"\bk(b|bit|bps)\b|kbps|kb s", key):
            factor = 1e-3
        elif re.search(r"\bm(b|bit|bps)\b|mbps|mb s", key):
            factor = 1.0
        elif values.median() > 1000:
            factor = 1e-3
            notes.append(
                (
                    f"Column {label!r} names no unit and its values are large: read as kbit/s.",
                    f"Cột {label!r} không ghi đơn vị và giá trị lớn: đọc theo kbit/s.",
                )
            )
        else:
            factor = 1.0
    return values * factor


def read(
    data: bytes,
    file: str,
    *,
    sheet: str | None = None,
    operator: str | None = None,
    technology: str | None = None,
) -> Read:
    """Read one measurement file (.csv, .xlsx …) and check every row.

    Parameters
    ----------
    data, file
        The bytes and the (sanitised) file name; its extension chooses the reader.
    sheet
        The sheet of a workbook (the first visible one when None).
    operator, technology
        The operator and technology of every row, when the file does not say.

    Returns
    -------
    Read
        The good rows, the rows to review and the rows left out (Wi-Fi).

    Raises
    ------
    InputError
        The file is too large, cannot be read as a table, or lacks a needed column (the
        message names the file, sheet and field, and the headers it accepts).
    """
    check_size(len(data), file)
    raw = tables.read_table(data, file, sheet=sheet, fields=("lat", "lon"), max_rows=MAX_ROWS)
    options = {"operator": operator, "technology": technology}
    mapping = _map_columns(raw.labels)
    _missing_columns(mapping, file, raw.sheet, options)
    d = raw.data
    rownum = d.index.to_numpy(dtype=np.int64)
    notes: list[tuple[str, str]] = []
    if raw.encoding:
        notes.append(
            (
                f"Read as {raw.encoding} text, separated by {raw.delimiter!r}.",
                f"Đọc theo bảng mã {raw.encoding}, phân cách bằng {raw.delimiter!r}.",
            )
        )
    out = pd.DataFrame({"source_row": rownum}, index=d.index)
    out["measured_at"] = _times(d[mapping["measured_at"]])
    out["lon"] = _number(d[mapping["lon"]])
    out["lat"] = _number(d[mapping["lat"]])
    op = pd.Series(None, index=d.index, dtype=object)
    for field in ("operator", "mcc_mnc"):
        if field in mapping:
            op = op.where(op.notna(), _operators(d[mapping[field]]))
    if operator:
        given = canonical_operator(operator)
        if given is None:
            raise InputError(
                f"--operator {operator!r} is not an operator; use one of {', '.join(Operator)}.",
                f"--operator {operator!r} không phải nhà mạng; hãy dùng một trong "
                f"{', '.join(Operator)}.",
                field="--operator",
            )
        op = op.where(op.notna(), given)
    out["operator"] = op
    if "technology" in mapping:
        tech, not_mobile = _technologies(d[mapping["technology"]])
    else:
        tech = pd.Series(None, index=d.index, dtype=object)
        not_mobile = pd.Series(False, index=d.index)
    if technology:
        given_t, _ = _technologies(pd.Series([technology]))
        if given_t.iloc[0] is None or given_t.isna().iloc[0]:
            raise InputError(
                f"--technology {technology!r} is not 2G, 3G, 4G or 5G.",
                f"--technology {technology!r} không phải 2G, 3G, 4G hay 5G.",
                field="--technology",
            )
        tech = tech.where(tech.notna(), given_t.iloc[0])
    out["technology"] = tech
    sig = pd.Series(np.nan, index=d.index)
    kind = pd.Series(None, index=d.index, dtype=object)
    by_tech = {"rsrp": ("4G", "5G"), "rscp": ("3G",), "rssi": ("2G",)}
    for field, techs in by_tech.items():
        if field in mapping:
            v = _number(d[mapping[field]])
            pick = sig.isna() & tech.isin(techs) & v.notna()
            sig, kind = sig.where(~pick, v), kind.where(~pick, field.upper())
    if "signal" in mapping:
        v = _number(d[mapping["signal"]])
        names = tech.map({"2G": "RSSI", "3G": "RSCP", "4G": "RSRP", "5G": "RSRP"})
        pick = sig.isna() & v.notna()
        sig, kind = sig.where(~pick, v), kind.where(~pick, names)
    # A sheet with one level column named for one technology ("RSRP") often holds every
    # row's level: a row it does not name takes it, marked with the column's kind.
    for field in by_tech:
        if field in mapping:
            v = _number(d[mapping[field]])
            pick = sig.isna() & v.notna()
            sig, kind = sig.where(~pick, v), kind.where(~pick, field.upper())
    out["signal_dbm"], out["signal_kind"] = sig, kind
    out["download_mbps"] = _download(d, mapping, notes)
    return _checked(out, not_mobile, raw, mapping, notes, data)


def _checked(out, not_mobile, raw, mapping, notes, data) -> Read:
    """Split the rows into good ones, rows to review (one line per bad cell) and Wi-Fi rows."""
    file, sheet, d = raw.file, raw.sheet, raw.data
    rows = out["source_row"].to_numpy()
    nm = not_mobile.to_numpy(dtype=bool)

    def label(*fields: str) -> str | None:
        return next((mapping[f] for f in fields if f in mapping), None)

    position = f"{label('lat') or 'lat'}/{label('lon') or 'lon'}"
    where_vn = inside_vietnam(out["lon"].to_numpy(), out["lat"].to_numpy())
    no_value = out["signal_dbm"].isna() & out["download_mbps"].isna()
    # (bad rows, field named in the report, column whose cell is quoted, English, Vietnamese)
    checks = [
        (out["measured_at"].isna(), label("measured_at"), label("measured_at"),
         "the time cannot be read: write it as dd/mm/yyyy hh:mm:ss or yyyy-mm-dd hh:mm:ss",
         "không đọc được thời gian: hãy ghi dạng dd/mm/yyyy hh:mm:ss hoặc yyyy-mm-dd hh:mm:ss"),
        (out["lat"].isna() | out["lon"].isna() | ~where_vn, position, label("lat"),
         "the position is missing or outside Viet Nam (no GPS fix, or latitude and longitude "
         "swapped): check the coordinates in decimal degrees",
         "vị trí bị trống hoặc nằm ngoài Việt Nam (chưa bắt được GPS, hoặc đảo vĩ độ và kinh "
         "độ): hãy kiểm tra tọa độ dạng độ thập phân"),
        (out["operator"].isna(), label("operator", "mcc_mnc") or "operator",
         label("operator", "mcc_mnc"),
         f"unknown operator: write one of {', '.join(Operator)} (or the code 452-xx)",
         f"nhà mạng không rõ: hãy ghi một trong {', '.join(Operator)} (hoặc mã 452-xx)"),
        (out["technology"].isna(), label("technology") or "technology", label("technology"),
         "unknown technology: write 2G, 3G, 4G (LTE) or 5G (NR)",
         "công nghệ không rõ: hãy ghi 2G, 3G, 4G (LTE) hoặc 5G (NR)"),
        (out["signal_dbm"].notna() & ~out["signal_dbm"].between(-150, -20),
         label("rsrp", "rscp", "rssi", "signal"), label("rsrp", "rscp", "rssi", "signal"),
         "the signal must be in dBm between -150 and -20 (e.g. -97)",
         "cường độ tín hiệu phải tính bằng dBm, từ -150 đến -20 (ví dụ -97)"),
        (out["download_mbps"].notna() & ~out["download_mbps"].between(0, 10_000),
         label("download"), label("download"),
         "the download speed must be a number of Mb/s between 0 and 10.000",
         "tốc độ tải xuống phải là số Mb/s từ 0 đến 10.000"),
        (no_value, label("rsrp", "rscp", "rssi", "signal", "download"),
         label("rsrp", "rscp", "rssi", "signal", "download"),
         "the row has neither a signal level nor a download speed",
         "dòng không có cường độ tín hiệu lẫn tốc độ tải xuống"),
    ]  # fmt: skip
    parts, bad = [], np.zeros(len(out), dtype=bool)
    for mask, field, column, en, vi in checks:
        m = mask.to_numpy(dtype=bool) & ~nm
        if m.any():
            cells = d[column].to_numpy(dtype=object)[m] if column else np.full(m.sum(), None)
            parts.append(problem_rows(file, sheet, rows[m], field, cells, en, vi))
            bad |= m
    problems = (
        pd.concat(parts, ignore_index=True).sort_values(["row", "field"], kind="stable")
        if parts
        else pd.DataFrame(columns=PROBLEM_COLUMNS)
    )
    tech_col = label("technology")
    skipped = problem_rows(
        file, sheet, rows[nm], tech_col or "technology",
        d[tech_col].to_numpy(dtype=object)[nm] if tech_col else np.full(nm.sum(), None),
        "not a mobile measurement (Wi-Fi): left out", "không phải đo mạng di động (Wi-Fi): bỏ qua",
    )  # fmt: skip
    good = out[~bad & ~nm].reset_index(drop=True)
    return Read(file, sheet, good, problems.reset_index(drop=True), skipped, mapping, notes,
                hashlib.sha256(data).hexdigest())  # fmt: skip


def check_province(read: Read, province_code: str, margin_deg: float = 0.01) -> Read:
    """Move the rows lying farther than ``margin_deg`` (about 1 km) from the province's
    communes to the rows to review (a spatial index query, not a loop); returns ``read``."""
    import shapely

    from geo import units

    communes = units.read_communes([province_code])
    rows = read.rows
    if not len(rows) or not len(communes):
        return read
    name = str(communes["province"].iloc[0])
    tree = shapely.STRtree(communes.geometry.to_numpy())
    points = shapely.points(rows["lon"].to_numpy(), rows["lat"].to_numpy())
    hit, _ = tree.query(points, predicate="dwithin", distance=margin_deg)
    far = np.ones(len(rows), dtype=bool)
    far[hit] = False
    if far.any():
        bad = rows[far]
        extra = problem_rows(
            read.file, read.sheet, bad["source_row"].to_numpy(),
            f"{read.mapping['lat']}/{read.mapping['lon']}",
            [f"{y:.5f}, {x:.5f}" for x, y in zip(bad["lon"], bad["lat"], strict=True)],
            f"the point lies outside {name}: check the coordinates, or import it with its "
            "own province",
            f"điểm đo nằm ngoài {name}: hãy kiểm tra tọa độ, hoặc nhập vào đúng tỉnh",
        )  # fmt: skip
        read.problems = pd.concat([read.problems, extra], ignore_index=True)
        read.rows = rows[~far].reset_index(drop=True)
    return read


def check_size(n_bytes: int, file: str) -> None:
    """Refuse a file larger than :data:`geo.readers.limits.MAX_UPLOAD_BYTES` (before reading it).

    Raises
    ------
    InputError
        Naming the file, its size and the limit, and saying to split it.
    """
    if n_bytes > limits.MAX_UPLOAD_BYTES:
        raise InputError(
            f"{file} is {n_bytes / 1e6:,.0f} MB; the limit is {limits.MAX_UPLOAD_MB} MB. "
            "Split the drive test into several files.",
            f"{file} nặng {n_bytes / 1e6:,.0f} MB; giới hạn là {limits.MAX_UPLOAD_MB} MB. Hãy "
            "chia kết quả đo thành nhiều tệp.",
            file=file,
        )


def read_file(path: str | Path, **options) -> Read:
    """:func:`read` of a file on disk (its size checked before it is read)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"File {path} does not exist.", f"Không có tệp {path}.", file=str(path))
    check_size(path.stat().st_size, path.name)
    return read(path.read_bytes(), path.name, **options)


# ---------------------------------------------------------------------------------------------
# Aggregation
# ---------------------------------------------------------------------------------------------


def above_threshold(points: pd.DataFrame, rules: Rules = Rules()) -> pd.Series:
    """Whether each point is above its technology's threshold: its signal when it has one,
    else its download speed (a point with neither is not).

    Returns
    -------
    pandas.Series
        Bool, named ``above_threshold``, aligned to ``points``.
    """
    tech = pd.Categorical(points["technology"].astype(object))  # one lookup per technology
    cats = [str(c) for c in tech.categories]
    sig_c = np.append([dict(rules.signal_dbm).get(c, np.nan) for c in cats], np.nan)
    spd_c = np.append([dict(rules.download_mbps).get(c, np.nan) for c in cats], np.nan)
    sig_t, spd_t = sig_c[tech.codes], spd_c[tech.codes]  # code -1 (missing) takes the NaN
    sig = points["signal_dbm"].to_numpy(dtype=float)
    spd = points["download_mbps"].to_numpy(dtype=float)
    ok = np.where(np.isnan(sig), spd >= spd_t, sig >= sig_t)
    return pd.Series(ok, index=points.index, name="above_threshold")


def nearest_village(
    lon: np.ndarray, lat: np.ndarray, villages: gpd.GeoDataFrame, within_m: float
) -> np.ndarray:
    """The position (0-based row of ``villages``) of each point's nearest village within
    ``within_m`` metres, −1 where none is.

    Villages without a point, or located only by their commune (``location_precision`` ==
    "commune": a commune's centre is no place to measure), take no point. Distances are
    measured in the UTM zone of :func:`geo.sites.metric_crs` with a k-d tree
    (:class:`scipy.spatial.cKDTree`), so the cost is O(n log m) for n points and m villages.
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    out = np.full(len(lon), -1, dtype=np.int64)
    geom = villages.geometry
    usable = ~(geom.isna() | geom.is_empty).to_numpy()
    if "location_precision" in villages:
        usable &= (villages["location_precision"] != "commune").to_numpy()
    if not usable.any() or not len(lon):
        return out
    crs = metric_crs(villages)
    to_m = Transformer.from_crs(4326, crs, always_xy=True)
    chosen = np.flatnonzero(usable)
    vx, vy = to_m.transform(geom.x.to_numpy()[chosen], geom.y.to_numpy()[chosen])
    px, py = to_m.transform(lon, lat)
    tree = cKDTree(np.column_stack([vx, vy]))
    dist, idx = tree.query(np.column_stack([px, py]), k=1, distance_upper_bound=within_m)
    hit = np.isfinite(dist)
    out[hit] = chosen[idx[hit]]
    return out


AGGREGATE_COLUMNS = [
    "village_id", "operator", "technology", "count", "above", "share_above",
    "median_signal_dbm", "median_download_mbps", "last_measured", "files",
]  # fmt: skip
"""Columns of :func:`aggregate`."""


def aggregate(
    points: pd.DataFrame, villages: gpd.GeoDataFrame, rules: Rules = Rules()
) -> pd.DataFrame:
    """Measurements per village, operator and technology.

    Parameters
    ----------
    points
        ``lon, lat, operator, technology, signal_dbm, download_mbps, measured_at`` (and
        optionally ``file``), as :attr:`Read.rows` or :func:`geo.store.measurements.points`.
    villages
        The villages (``village_id``, Point geometry, EPSG:4326).
    rules
        Distance and thresholds.

    Returns
    -------
    pandas.DataFrame
        :data:`AGGREGATE_COLUMNS`: ``count`` points within ``rules.within_m`` of the village
        (each point counts for its nearest village only), ``above`` and ``share_above`` (0–1)
        above the technology's threshold, the medians (NaN when no point has the value),
        ``last_measured`` and ``files`` (the files, ";"-joined).
    """
    if not len(points):
        return pd.DataFrame(columns=AGGREGATE_COLUMNS)
    pos = nearest_village(points["lon"], points["lat"], villages, rules.within_m)
    keep = pos >= 0
    p = points.loc[keep, ["operator", "technology", "signal_dbm", "download_mbps",
                          "measured_at"]].copy()  # fmt: skip
    p["village_id"] = villages["village_id"].to_numpy()[pos[keep]]
    p["above"] = above_threshold(p, rules).to_numpy()
    p["file"] = points.loc[keep, "file"].to_numpy() if "file" in points else ""
    g = p.groupby(["village_id", "operator", "technology"], sort=True, observed=True)
    out = g.agg(
        count=("above", "size"),
        above=("above", "sum"),
        median_signal_dbm=("signal_dbm", "median"),
        median_download_mbps=("download_mbps", "median"),
        last_measured=("measured_at", "max"),
    )
    out["files"] = _files(g.ngroup().to_numpy(), p["file"], len(out))
    out["share_above"] = out["above"] / out["count"]
    return out.reset_index()[AGGREGATE_COLUMNS]


def _files(group: np.ndarray, file: pd.Series, n_groups: int) -> np.ndarray:
    """The files of each group, sorted and ";"-joined: a groups × files boolean table, then
    one string per distinct row of it (a handful), not one per group."""
    codes, names = pd.factorize(file.astype(str), sort=True)
    table = np.zeros((n_groups, len(names)), dtype=bool)
    table[group, codes] = True
    patterns, inverse = np.unique(table, axis=0, return_inverse=True)
    text = np.array([";".join(names[row]) for row in patterns], dtype=object)
    return text[inverse.ravel()]


STATUS_COLUMNS = [
    "village_id", "operator", "covered", "technology", "count", "share_above",
    "last_measured", "files",
]  # fmt: skip
"""Columns of :func:`village_status`."""


def village_status(aggregates: pd.DataFrame, rules: Rules = Rules()) -> pd.DataFrame:
    """The measured mobile-broadband status per village and operator, where measured enough.

    A (village, operator) is decided by measurements when one of its broadband technologies
    (3G, 4G, 5G) has at least ``rules.min_count`` points; it is covered when one of those
    technologies has at least ``rules.min_share`` of its points above threshold.

    Returns
    -------
    pandas.DataFrame
        :data:`STATUS_COLUMNS`, one row per decided (village, operator): ``technology`` is the
        one the decision rests on (the best covered, else the most measured), ``count`` and
        ``share_above`` its figures, ``last_measured`` the last date of any of them.
    """
    broadband = [t.value for t in Technology if t.broadband]
    a = aggregates[
        aggregates["technology"].isin(broadband) & (aggregates["count"] >= rules.min_count)
    ].copy()
    if not len(a):
        return pd.DataFrame(columns=STATUS_COLUMNS)
    a["covered"] = a["share_above"] >= rules.min_share
    a = a.sort_values(["covered", "share_above", "count"], ascending=False, kind="stable")
    best = a.drop_duplicates(["village_id", "operator"]).set_index(["village_id", "operator"])
    last = a.groupby(["village_id", "operator"])["last_measured"].max()
    best["last_measured"] = last.reindex(best.index)
    return best.reset_index()[STATUS_COLUMNS].sort_values(["village_id", "operator"],
                                                          ignore_index=True)  # fmt: skip


def load_points(path: str | Path | None, province_codes: tuple[str, ...]) -> pd.DataFrame | None:
    """The stored measurements of the provinces (:func:`geo.store.measurements.points`), or
    None when the store does not exist or holds none."""
    if path is None or not Path(path).is_file():
        return None
    from geo.store import measurements as store

    conn = store.connect(path)
    try:
        points = store.points(conn, list(province_codes))
    finally:
        conn.close()
    return points if len(points) else None


def store_version(path: str | Path | None, province_codes: tuple[str, ...]) -> tuple:
    """What identifies the provinces' stored measurements (a cache key); () without a store."""
    if path is None or not Path(path).is_file():
        return ()
    from geo.store import measurements as store

    conn = store.connect(path)
    try:
        return store.version(conn, list(province_codes))
    finally:
        conn.close()


def commit(read: Read, path: str | Path, *, province_code: str, account=None, who: str = ""):
    """Store a file's good rows as one import, if ``account`` may import in the province.

    Parameters
    ----------
    read
        From :func:`read` (only its good rows are stored; the caller decides whether rows to
        review may be left out).
    path
        The measurement store.
    province_code
        The province (pre-2025 GSO code).
    account
        The acting account (:data:`geo.auth.CONSOLE`, the command line's, when None); it must
        be allowed :attr:`geo.auth.Action.IMPORT_COMMIT` in the province.
    who
        The command line's ``--user`` (a signed-in account is recorded by its own name).

    Returns
    -------
    (import_id, already)
        As :func:`geo.store.measurements.add_import`.

    Raises
    ------
    geo.auth.PermissionDeniedError
        The account may not import in this province; nothing is written.
    InputError
        No good row to store.
    """
    from geo import auth
    from geo.store import measurements as store

    account = auth.CONSOLE if account is None else account
    auth.authorize(account, auth.Action.IMPORT_COMMIT, province_code=province_code)
    if not len(read.rows):
        raise InputError(
            f"{read.file} has no usable measurement to save.",
            f"{read.file} không có kết quả đo dùng được để lưu.",
            file=read.file,
            sheet=read.sheet,
        )
    conn = store.connect(path)
    try:
        return store.add_import(
            conn, read.rows, province_code=province_code, file=read.file, sheet=read.sheet,
            content_hash=read.content_hash, user=auth.recorded_name(account, who),
        )  # fmt: skip
    finally:
        conn.close()


def remove(path: str | Path, import_id: int, *, account=None, who: str = "") -> dict:
    """Take one measurement import back, if ``account`` may remove imports in its province.

    Raises
    ------
    geo.auth.PermissionDeniedError
        The account may not; nothing is written.
    InputError
        No such import, or already removed.
    """
    from geo import auth
    from geo.store import measurements as store

    account = auth.CONSOLE if account is None else account
    conn = store.connect(path)
    try:
        record = store.import_record(conn, import_id)
        province_code = None if record is None else record["province_code"]
        if record is not None:
            auth.authorize(account, auth.Action.IMPORT_REMOVE, province_code=province_code)
        return store.remove(conn, import_id, user=auth.recorded_name(account, who))
    finally:
        conn.close()
