"""Coordinates in planners' files: numbers, degrees-minutes-seconds, VN-2000 and axis order.

Vietnamese files give positions in three ways, often without saying which:

* decimal degrees on WGS 84 ("Kinh độ 103,0125", "Vĩ độ 21,3875"), sometimes with a decimal
  comma, sometimes with the two columns swapped;
* degrees, minutes and seconds as text (``21°23'15"N``, ``103°1'2" E``, ``21 23 15``,
  ``103°01’02” Đ``);
* VN-2000 plane coordinates in metres: the TM-3 zone of the province's central meridian
  (kinh tuyến trục, EPSG:9205–9218 and 5896–5899) or UTM (EPSG:3405/3406), with **X the
  northing and Y the easting** (the Vietnamese survey convention, the reverse of GIS).

:func:`parse_degrees` and :func:`parse_numbers` read the values (vectorised over a Series);
:func:`locate` decides which column is which by magnitude, chooses the CRS (the file's .prj,
the planner's choice, a note in the file's title, or a proposal from the province's meridian,
checked against the province) and converts to EPSG:4326.

Datum shift
-----------
Every conversion goes through :func:`to_wgs84`, which asks PROJ for the transformation EPSG
registers between VN-2000 and WGS 84 (``VN-2000 to WGS 84 (2)``, a 7-parameter Helmert shift
of about 200 m) and refuses a ballpark one. No ``+towgs84`` string is ever built here, and
:func:`parse_crs` rejects one given by a user.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError, ProjError

from geo.errors import InputError

__all__ = [
    "PROVINCE_MERIDIANS",
    "VN2000_CODES",
    "VN2000_TM3",
    "WGS84",
    "CrsChoice",
    "Located",
    "crs_hint",
    "format_dms",
    "locate",
    "parse_crs",
    "parse_degrees",
    "parse_numbers",
    "proposed_crs",
    "split_pair",
    "to_wgs84",
]

WGS84 = 4326

#: VN-2000 TM-3 projections (scale 0.9999, false easting 500 km) by central meridian, in
#: degrees. All are EPSG codes PROJ ships with the registered VN-2000 → WGS 84 shift.
VN2000_TM3: dict[float, int] = {
    102.0: 5896,
    103.0: 9205,
    104.0: 9206,
    104.5: 9207,
    104.75: 9208,
    105.0: 5897,
    105.5: 9209,
    105.75: 9210,
    106.0: 9211,
    106.25: 9212,
    106.5: 9213,
    107.0: 9214,
    107.25: 9215,
    107.5: 9216,
    107.75: 5899,
    108.0: 5898,
    108.25: 9217,
    108.5: 9218,
}
VN2000_UTM: dict[int, int] = {48: 3405, 49: 3406}
VN2000_GEOGRAPHIC = 4756
#: Every VN-2000 EPSG code this module accepts or proposes.
VN2000_CODES: frozenset[int] = frozenset(
    [*VN2000_TM3.values(), *VN2000_UTM.values(), VN2000_GEOGRAPHIC]
)

#: Central meridian (kinh tuyến trục) of each pre-2025 province for VN-2000 TM-3, by GSO code,
#: after Thông tư 973/2001/TT-TCĐC (every value agrees with the area of use EPSG gives the
#: zone). Used only to *propose* a CRS, which the planner confirms.
PROVINCE_MERIDIANS: dict[str, float] = {
    "01": 105.0, "02": 105.5, "04": 105.75, "06": 106.5, "08": 106.0, "10": 104.75,
    "11": 103.0, "12": 103.0, "14": 104.0, "15": 104.75, "17": 106.0, "19": 106.5,
    "20": 107.25, "22": 107.75, "24": 107.0, "25": 104.75, "26": 105.0, "27": 105.5,
    "30": 105.5, "31": 105.75, "33": 105.5, "34": 105.5, "35": 105.0, "36": 105.5,
    "37": 105.0, "38": 105.0, "40": 104.75, "42": 105.5, "44": 106.0, "45": 106.25,
    "46": 107.0, "48": 107.75, "49": 107.75, "51": 108.0, "52": 108.25, "54": 108.5,
    "56": 108.25, "58": 108.25, "60": 108.5, "62": 107.5, "64": 108.5, "66": 108.5,
    "67": 108.5, "68": 107.75, "70": 106.25, "72": 105.5, "74": 105.75, "75": 107.75,
    "77": 107.75, "79": 105.75, "80": 105.75, "82": 105.75, "83": 105.75, "84": 105.5,
    "86": 105.5, "87": 105.0, "89": 104.75, "91": 104.5, "92": 105.0, "93": 105.0,
    "94": 105.5, "95": 105.0, "96": 104.5,
}  # fmt: skip

# Viet Nam's extent, to tell longitudes from latitudes and metres from degrees.
_LON_RANGE = (100.0, 112.0)
_LAT_RANGE = (7.0, 24.5)
_NORTHING_MIN = 800_000.0  # 7.2° N; every VN-2000 northing of the mainland is larger
_EASTING_RANGE = (100_000.0, 900_000.0)


# ---------------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------------

_SPACES_RE = r"[\s\u00a0\u202f\u2009']"
# Thousands written with spaces or apostrophes ("2 360 123,45"); "21 23 15" is not one.
_GROUPED_RE = r"-?\d{1,3}(?:[\s\u00a0\u202f\u2009']\d{3})+(?:[.,]\d+)?"


def parse_numbers(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Read numbers written in Vietnamese or English style.

    Parameters
    ----------
    values
        Numbers, or text such as "21,3875" (decimal comma), "21.3875", "2.360.123,45" or
        "2 360 123,45" (Vietnamese thousands), "2,360,123.45" (English thousands). A lone
        comma is a decimal comma; several commas, or a comma before a dot, are thousands
        separators.

    Returns
    -------
    values, bad
        Float array (NaN where missing or unreadable) and a bool array, True where a
        non-empty value could not be read.
    """
    s = pd.Series(values, copy=False)
    direct = np.array(pd.to_numeric(s, errors="coerce"), dtype=float)
    text = s.astype("string").str.strip()
    empty = (s.isna() | text.isna() | (text == "")).to_numpy()
    need = np.isnan(direct) & ~empty
    if need.any():
        t = text[need]
        grouped = t.str.fullmatch(_GROUPED_RE).fillna(False)
        t = t.where(~grouped, t.str.replace(_SPACES_RE, "", regex=True))
        n_dot = t.str.count(r"\.")
        n_comma = t.str.count(",")
        last_dot = t.str.rfind(".")
        last_comma = t.str.rfind(",")
        comma_decimal = ((n_comma == 1) & ((n_dot == 0) | (last_comma > last_dot))) | (
            (n_comma == 1) & (n_dot >= 2)
        )
        dots_thousands = (n_dot >= 2) | ((n_dot >= 1) & comma_decimal)
        t = t.where(~dots_thousands, t.str.replace(".", "", regex=False))
        t = t.where(~comma_decimal, t.str.replace(",", ".", regex=False)).str.replace(
            ",", "", regex=False
        )
        direct[need] = pd.to_numeric(t, errors="coerce").to_numpy(dtype=float)
    bad = np.isnan(direct) & ~empty
    return direct, bad


# ---------------------------------------------------------------------------------------------
# Degrees, minutes, seconds
# ---------------------------------------------------------------------------------------------

_HEMI = {"N": 1, "B": 1, "S": -1, "E": 1, "Đ": 1, "D": 1, "W": -1, "T": -1}
_HEMI_AXIS = {"N": "lat", "B": "lat", "S": "lat", "E": "lon", "Đ": "lon", "D": "lon"}
_HEMI_AXIS |= {"W": "lon", "T": "lon"}
_NUM = r"\d+(?:\.\d+)?"
_DMS_RE = re.compile(
    rf"""^\s*(?P<h1>[NSEWBĐDT])?\s*(?P<sign>[-+−])?\s*
    (?P<deg>{_NUM})\s*(?:°|d(?=[\s\d])|:|\s)?\s*
    (?:(?P<min>{_NUM})\s*(?:'|m(?=[\s\d]|$)|:|\s)?\s*)?
    (?:(?P<sec>{_NUM})\s*(?:"|s(?=\s|$))?\s*)?
    (?P<h2>[NSEWBĐDT])?\s*$""",
    re.VERBOSE,
)
_DMS_TRANSLATE = str.maketrans(
    {
        "º": "°", "˚": "°", "⁰": "°", "′": "'", "’": "'", "‘": "'", "´": "'", "`": "'",
        "″": '"', "”": '"', "“": '"', "−": "-", "\u00a0": " ", "\u202f": " ",
    }
)  # fmt: skip


def _prepare_dms(text: pd.Series) -> pd.Series:
    t = text.map(lambda v: unicodedata.normalize("NFC", v), na_action="ignore")
    t = t.str.translate(_DMS_TRANSLATE)
    t = t.str.replace(r"(?i)\bđộ\b|\bdo\b", "°", regex=True)
    t = t.str.replace(r"(?i)\bphút\b|\bphut\b", "'", regex=True)
    t = t.str.replace(r"(?i)\bgiây\b|\bgiay\b", '"', regex=True)
    t = t.str.replace("''", '"', regex=False)
    t = t.str.replace(r"(?<=\d),(?=\d)", ".", regex=True)  # decimal comma
    t = t.str.replace(r"(?i)\b(bắc|nam|đông|tây)\b", lambda m: m.group(1)[0].upper(), regex=True)
    return t


def parse_degrees(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Read angles in decimal degrees or degrees-minutes-seconds.

    Parameters
    ----------
    values
        Numbers, or text: "21.3875", "21,3875", ``21°23'15"N``, ``103°1'2" E``,
        ``N 21°23'15.5"``, "21 23 15", "21:23:15", ``21°23.25'``, "21d23m15s",
        ``103°01’02” Đ``, "21 độ 23 phút 15 giây". Hemisphere letters: N and B (Bắc) north,
        S south, E and Đ/D (Đông) east, W and T (Tây) west, before or after the number.

    Returns
    -------
    degrees, bad, axis
        Float array (NaN where missing or unreadable; south and west negative), a bool array
        True where a non-empty value could not be read (minutes or seconds of 60 or more, two
        hemispheres, text), and an object array with "lat" or "lon" where a hemisphere letter
        says which axis the value belongs to, else "".
    """
    s = pd.Series(values, copy=False)
    out, bad = parse_numbers(s)
    axis = np.full(len(s), "", dtype=object)
    todo = bad.copy()
    if not todo.any():
        return out, bad, axis
    text = _prepare_dms(s[todo].astype("string"))
    parts = text.str.extract(_DMS_RE)
    deg = pd.to_numeric(parts["deg"], errors="coerce").to_numpy(dtype=float)
    mins = pd.to_numeric(parts["min"], errors="coerce").to_numpy(dtype=float)
    secs = pd.to_numeric(parts["sec"], errors="coerce").to_numpy(dtype=float)
    has_min = ~np.isnan(mins)
    has_sec = ~np.isnan(secs)
    deg_frac = parts["deg"].str.contains(".", regex=False).fillna(False).to_numpy(dtype=bool)
    min_frac = parts["min"].str.contains(".", regex=False).fillna(False).to_numpy(dtype=bool)
    h1 = parts["h1"].fillna("").to_numpy(dtype=object)
    h2 = parts["h2"].fillna("").to_numpy(dtype=object)
    hemi = np.where(h1 != "", h1, h2)
    valid = (
        ~np.isnan(deg)
        & ~((h1 != "") & (h2 != ""))
        & np.where(has_min, mins < 60, True)
        & np.where(has_sec, secs < 60, True)
        & ~(deg_frac & has_min)
        & ~(min_frac & has_sec)
        & ~(has_sec & ~has_min)
    )
    value = deg + np.nan_to_num(mins) / 60 + np.nan_to_num(secs) / 3600
    sign = np.where(parts["sign"].isin(["-", "−"]).to_numpy(), -1.0, 1.0)
    hemi_sign = np.array([_HEMI.get(h, 1) for h in hemi], dtype=float)
    value = value * sign * hemi_sign
    value[~valid] = np.nan
    out[todo] = value
    bad[todo] = ~valid
    axis[todo] = np.where(valid, [_HEMI_AXIS.get(h, "") for h in hemi], "")
    return out, bad, axis


def format_dms(value: float, axis: str = "lat", precision: int = 2) -> str:
    """Write an angle as degrees, minutes and seconds with its hemisphere.

    Parameters
    ----------
    value
        Decimal degrees; negative is south or west.
    axis
        "lat" (N/S) or "lon" (E/W).
    precision
        Decimals of the seconds.

    Returns
    -------
    str
        E.g. ``format_dms(21.3875) == '21°23\\'15.00"N'``.
    """
    hemi = ("N", "S") if axis == "lat" else ("E", "W")
    h = hemi[0] if value >= 0 else hemi[1]
    total = round(abs(value) * 3600, precision)
    d, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{int(d)}°{int(m)}'{s:.{precision}f}\"{h}"


_PAIR_SPLITS = (
    re.compile(r"^\s*\(?\s*(?P<a>[^;]+?)\s*;\s*(?P<b>[^;]+?)\s*\)?\s*$"),
    re.compile(r"^\s*\(?\s*(?P<a>[^,]+?)\s*,\s*(?P<b>[^,]+?)\s*\)?\s*$"),
    re.compile(r"^\s*\(?\s*(?P<a>-?\d+,\d+)\s*,\s+(?P<b>-?\d+,\d+)\s*\)?\s*$"),
    re.compile(r"^\s*(?P<a>.+?[NSBnsb])\s*[,;]?\s*(?P<b>.+?[EWĐTDewđ])\s*$"),
    re.compile(r"^\s*(?P<a>\S+)\s+(?P<b>\S+)\s*$"),
)


def split_pair(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Split cells that hold both coordinates ("21.3875, 103.0125", "21,38; 103,01",
    ``21°23'15"N 103°1'2"E``) into two Series of text, in the order written.

    Cells that cannot be split give missing values on both sides.
    """
    text = pd.Series(values, copy=False).astype("string")
    a = pd.Series(pd.NA, index=text.index, dtype="string")
    b = pd.Series(pd.NA, index=text.index, dtype="string")
    for pattern in _PAIR_SPLITS:
        todo = a.isna() & text.notna()
        if not todo.any():
            break
        parts = text[todo].str.extract(pattern)
        ok = parts["a"].notna() & parts["b"].notna()
        a[ok[ok].index] = parts.loc[ok, "a"]
        b[ok[ok].index] = parts.loc[ok, "b"]
    return a, b


# ---------------------------------------------------------------------------------------------
# CRS
# ---------------------------------------------------------------------------------------------


def _epsg_name(epsg: int) -> str:
    try:
        return CRS.from_epsg(epsg).name
    except CRSError:  # pragma: no cover - only codes PROJ knows reach here
        return f"EPSG:{epsg}"


def parse_crs(text: str | int | None) -> int | None:
    """Read a CRS the planner gives: an EPSG code or a VN-2000 central meridian.

    Parameters
    ----------
    text
        "9205", "EPSG:9205", 9205, "4326", "WGS84", "VN-2000 103", "103°00'", "103-00",
        "KTT 105.75", "105°45'", "UTM 48", or None.

    Returns
    -------
    int or None
        The EPSG code (None for None or "").

    Raises
    ------
    InputError
        For a PROJ string (a ``+towgs84`` string bypasses the datum shift PROJ registers), an
        unknown code, or a meridian with no VN-2000 TM-3 zone.
    """
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if isinstance(text, int):
        return _known_epsg(text, str(text))
    raw = unicodedata.normalize("NFC", str(text)).strip()
    low = raw.lower()
    if "+proj" in low or "towgs84" in low:
        raise InputError(
            f"Give the CRS as an EPSG code (e.g. EPSG:9205), not a PROJ string ({raw!r}): a "
            "+towgs84 string replaces the VN-2000 datum shift PROJ registers.",
            f"Hãy nhập hệ tọa độ bằng mã EPSG (ví dụ EPSG:9205), không dùng chuỗi PROJ "
            f"({raw!r}): chuỗi +towgs84 thay thế phép chuyển đổi VN-2000 chuẩn của PROJ.",
            field="crs",
            problems=None,
        )
    if low in ("wgs84", "wgs 84", "wgs-84"):
        return WGS84
    m = re.fullmatch(r"(?:epsg\s*[: ]\s*)?(\d{4,5})", low)
    if m:
        return _known_epsg(int(m.group(1)), raw)
    m = re.fullmatch(r"(?:vn-?2000\s*)?utm\s*(?:zone\s*)?(48|49)\s*n?", low)
    if m:
        return VN2000_UTM[int(m.group(1))]
    m = re.fullmatch(
        r"(?:vn-?\s?2000\s*)?(?:tm-?3\s*)?(?:ktt|kinh tuyến trục|kinh tuyen truc)?\s*"
        r"(\d{3})(?:(?:\s*[°o-]\s*|\s+)(\d{1,2})\s*'?|\.(\d+))?\s*°?",
        low,
    )
    if m:
        meridian = float(m.group(1))
        if m.group(2):
            meridian += int(m.group(2)) / 60
        elif m.group(3):
            meridian = float(f"{m.group(1)}.{m.group(3)}")
        if meridian in VN2000_TM3:
            return VN2000_TM3[meridian]
        zones = ", ".join(_meridian_text(k) for k in VN2000_TM3)
        raise InputError(
            f"No VN-2000 TM-3 zone has central meridian {_meridian_text(meridian)}; known: "
            f"{zones}.",
            f"Không có múi VN-2000 TM-3 nào có kinh tuyến trục {_meridian_text(meridian)}; "
            f"các kinh tuyến trục: {zones}.",
            field="crs",
        )
    raise InputError(
        f"Cannot read the CRS {raw!r}: give an EPSG code such as 9205 or EPSG:9205 (VN-2000 "
        "TM-3 103°00'), 4326 (WGS 84), or a central meridian such as 103°00'.",
        f"Không đọc được hệ tọa độ {raw!r}: hãy nhập mã EPSG như 9205 hoặc EPSG:9205 (VN-2000 "
        "TM-3 103°00'), 4326 (WGS 84), hoặc kinh tuyến trục như 103°00'.",
        field="crs",
    )


def _known_epsg(code: int, raw: str) -> int:
    try:
        CRS.from_epsg(code)
    except CRSError:
        raise InputError(
            f"EPSG:{code} is not a CRS PROJ knows ({raw!r}); VN-2000 TM-3 zones are EPSG:9205–"
            "9218 and 5896–5899, VN-2000 UTM 48N/49N EPSG:3405/3406, WGS 84 EPSG:4326.",
            f"PROJ không có hệ tọa độ EPSG:{code} ({raw!r}); các múi VN-2000 TM-3 là EPSG:9205–"
            "9218 và 5896–5899, VN-2000 UTM 48N/49N là EPSG:3405/3406, WGS 84 là EPSG:4326.",
            field="crs",
        ) from None
    return code


def _meridian_text(meridian: float) -> str:
    d = int(meridian)
    return f"{d}°{round((meridian - d) * 60):02d}'"


def proposed_crs(province_code: str | None) -> int | None:
    """The VN-2000 TM-3 zone of a province's central meridian (``"11"`` → 9205), or None."""
    meridian = PROVINCE_MERIDIANS.get(province_code or "")
    return None if meridian is None else VN2000_TM3[meridian]


_HINT_VN2000_RE = re.compile(r"vn\s*-?\s*2000", re.IGNORECASE)
_HINT_MERIDIAN_RE = re.compile(
    r"(?:ktt|kinh\s*tuy[eế]n\s*tr[uụ]c|central\s*meridian)\s*:?\s*(\d{3})\s*"
    r"(?:[°o]\s*(\d{1,2})\s*['’′]?|[.,](\d+)|-(\d{2}))?",
    re.IGNORECASE,
)
_HINT_UTM_RE = re.compile(r"utm\s*(?:zone\s*)?(48|49)", re.IGNORECASE)


def crs_hint(texts: list[str]) -> int | None:
    """The VN-2000 CRS a file names in its title block or headers, or None.

    "Hệ tọa độ VN-2000, kinh tuyến trục 103°00', múi chiếu 3°" → 9205; "VN2000 KTT 105°45'"
    → 9210; "VN-2000 UTM 48" → 3405. Text that does not name VN-2000 gives None.
    """
    text = unicodedata.normalize("NFC", " ".join(t for t in texts if t))
    if not _HINT_VN2000_RE.search(text):
        return None
    m = _HINT_MERIDIAN_RE.search(text)
    if m:
        meridian = float(m.group(1))
        if m.group(2):
            meridian += int(m.group(2)) / 60
        elif m.group(3):
            meridian = float(f"{m.group(1)}.{m.group(3)}")
        elif m.group(4):
            meridian += int(m.group(4)) / 60
        return VN2000_TM3.get(meridian)
    m = _HINT_UTM_RE.search(text)
    return VN2000_UTM[int(m.group(1))] if m else None


@lru_cache(maxsize=64)
def _transformer(epsg: int) -> Transformer:
    return Transformer.from_crs(
        CRS.from_epsg(epsg), CRS.from_epsg(WGS84), always_xy=True, allow_ballpark=False
    )


def to_wgs84(x: np.ndarray, y: np.ndarray, epsg: int) -> tuple[np.ndarray, np.ndarray]:
    """Convert easting/northing (or lon/lat) in ``epsg`` to WGS 84 longitude and latitude.

    PROJ applies the transformation EPSG registers for the datum (for VN-2000, the Helmert
    shift "VN-2000 to WGS 84"); a ballpark transformation is refused.

    Parameters
    ----------
    x, y
        Easting and northing in metres (or longitude and latitude for a geographic CRS).
    epsg
        The source CRS.

    Returns
    -------
    lon, lat
        Float arrays; NaN where the input is NaN.

    Raises
    ------
    InputError
        If PROJ has no registered transformation to WGS 84 for ``epsg``.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if epsg == WGS84:
        return x.copy(), y.copy()
    try:
        lon, lat = _transformer(epsg).transform(x, y, errcheck=False)
    except ProjError as exc:
        raise InputError(
            f"PROJ has no registered transformation from EPSG:{epsg} to WGS 84 ({exc}).",
            f"PROJ không có phép chuyển đổi chuẩn từ EPSG:{epsg} sang WGS 84 ({exc}).",
            field="crs",
        ) from None
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    bad = ~np.isfinite(lon) | ~np.isfinite(lat)
    lon[bad] = np.nan
    lat[bad] = np.nan
    return lon, lat


@dataclass(frozen=True)
class CrsChoice:
    """How a file's coordinates were read.

    Attributes
    ----------
    epsg
        The CRS the values are in (4326 for degrees).
    source
        ``degrees`` (values are degrees, read as WGS 84), ``prj`` (the file's .prj or CRS),
        ``planner`` (given by the planner), ``file`` (named in the file's title or headers),
        ``proposed`` (from the province's central meridian, or the VN-2000 zone that puts
        most points in the province: the planner must confirm it).
    axis
        ``lonlat`` or ``latlon`` (degrees: the column order found), ``x_northing`` (X is the
        northing, the Vietnamese survey convention) or ``x_easting``.
    inside_share
        Share of the located points inside the province (None when not checked).
    note_en, note_vi
        What was decided, to show the planner.
    """

    epsg: int
    source: str
    axis: str
    inside_share: float | None = None
    note_en: str = ""
    note_vi: str = ""

    @property
    def name(self) -> str:
        return _epsg_name(self.epsg)

    @property
    def needs_confirmation(self) -> bool:
        """True when the CRS is a proposal the planner has to confirm."""
        return self.source == "proposed"


@dataclass
class Located:
    """The result of :func:`locate`: WGS 84 coordinates and what was decided.

    ``lon``/``lat`` are NaN where a row has no position; ``bad_a``/``bad_b`` mark values that
    could not be read (first and second input column); ``swapped_rows`` marks rows whose two
    values were exchanged because they looked swapped against the rest of the file.
    """

    lon: np.ndarray
    lat: np.ndarray
    crs: CrsChoice | None
    bad_a: np.ndarray
    bad_b: np.ndarray
    missing_one: np.ndarray
    swapped_rows: np.ndarray
    notes: list[tuple[str, str]] = field(default_factory=list)


def _in(v: np.ndarray, lo_hi: tuple[float, float]) -> np.ndarray:
    return (v >= lo_hi[0]) & (v <= lo_hi[1])


def locate(
    a: pd.Series,
    b: pd.Series,
    *,
    labels: tuple[str, str] = ("x", "y"),
    prj_epsg: int | None = None,
    planner_epsg: int | None = None,
    hint_epsg: int | None = None,
    province_code: str | None = None,
    inside=None,
) -> Located:
    """Read two coordinate columns and convert them to WGS 84.

    Parameters
    ----------
    a, b
        The two columns as the file gives them (numbers or text).
    labels
        What the header says they are: ``("lon", "lat")``, ``("easting", "northing")`` or
        ``("x", "y")`` (unknown order: decided by magnitude).
    prj_epsg, planner_epsg, hint_epsg
        The CRS from the file's .prj, from the planner, from the file's title; the planner's
        wins, then the .prj, then the title.
    province_code
        GSO code of the province, to propose its VN-2000 zone when nothing names one.
    inside
        ``inside(lon, lat) -> bool array``: whether points lie in the province; used to
        check and choose the proposed zone, and for ``inside_share``.

    Returns
    -------
    Located

    Notes
    -----
    Degrees or metres is decided by magnitude: values up to 180 are degrees. In degrees, the
    column whose values lie in Viet Nam's longitudes (100–112) is the longitude, whatever the
    header says (the swap is reported); rows whose two values look swapped against the rest
    are swapped back and listed. In metres, the column with values above 800 000 is the
    northing (the Vietnamese survey convention writes it as X), reported either way.
    """
    va, bad_a, axis_a = parse_degrees(a)
    vb, bad_b, axis_b = parse_degrees(b)
    n = len(va)
    has_a = ~np.isnan(va)
    has_b = ~np.isnan(vb)
    both = has_a & has_b
    missing_one = (has_a ^ has_b) & ~bad_a & ~bad_b
    swapped = np.zeros(n, dtype=bool)
    notes: list[tuple[str, str]] = []
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    if not both.any():
        return Located(lon, lat, None, bad_a, bad_b, missing_one, swapped, notes)
    mag = np.nanmedian(np.abs(np.concatenate([va[both], vb[both]])))
    epsg_given = planner_epsg or prj_epsg or hint_epsg
    given_is_geographic = epsg_given is not None and CRS.from_epsg(epsg_given).is_geographic
    if mag <= 180 and (epsg_given is None or given_is_geographic):
        lon_a = _in(va, _LON_RANGE) & _in(vb, _LAT_RANGE)
        lon_b = _in(vb, _LON_RANGE) & _in(va, _LAT_RANGE)
        hemi_says_a_lon = (axis_a == "lon") | (axis_b == "lat")
        hemi_says_b_lon = (axis_b == "lon") | (axis_a == "lat")
        lon_a |= hemi_says_a_lon & ~lon_b
        lon_b |= hemi_says_b_lon & ~lon_a
        votes_a, votes_b = int((lon_a & both).sum()), int((lon_b & both).sum())
        # A tie (no row in Viet Nam's range) leaves the header's word.
        a_is_lon = labels[0] in ("lon", "x", "easting") if votes_a == votes_b else votes_a > votes_b
        axis = "lonlat" if a_is_lon else "latlon"
        lon = np.where(a_is_lon, va, vb)
        lat = np.where(a_is_lon, vb, va)
        swapped = both & (lon_b if a_is_lon else lon_a)
        lon, lat = np.where(swapped, lat, lon), np.where(swapped, lon, lat)
        said_a_lon = labels[0] in ("lon", "easting")
        said_b_lon = labels[1] in ("lon", "easting")
        if (said_a_lon and not a_is_lon) or (said_b_lon and a_is_lon):
            notes.append(
                (
                    "The longitude and latitude columns are swapped in the header; the values "
                    "were read by their magnitude (longitude 100–112, latitude 7–24).",
                    "Tiêu đề cột kinh độ và vĩ độ bị đảo; giá trị được đọc theo độ lớn (kinh độ "
                    "100–112, vĩ độ 7–24).",
                )
            )
        epsg = epsg_given or WGS84
        lon, lat = to_wgs84(lon, lat, epsg)
        source = (
            "planner" if planner_epsg else "prj" if prj_epsg else "file" if hint_epsg else "degrees"
        )
        choice = CrsChoice(
            epsg,
            source,
            axis,
            _share(inside, lon, lat),
            "Decimal degrees on WGS 84." if epsg == WGS84 else f"Degrees on {_epsg_name(epsg)}.",
            "Độ thập phân, WGS 84." if epsg == WGS84 else f"Độ, hệ {_epsg_name(epsg)}.",
        )
        return Located(lon, lat, choice, bad_a, bad_b, missing_one, swapped, notes)

    # Metres: the northing is the larger value.
    a_big = va >= _NORTHING_MIN
    b_big = vb >= _NORTHING_MIN
    votes_a, votes_b = int((a_big & ~b_big & both).sum()), int((b_big & ~a_big & both).sum())
    a_is_northing = labels[0] in ("x", "northing") if votes_a == votes_b else votes_a > votes_b
    east = np.where(a_is_northing, vb, va)
    north = np.where(a_is_northing, va, vb)
    swapped = both & (b_big & ~a_big if a_is_northing else a_big & ~b_big)
    east, north = np.where(swapped, north, east), np.where(swapped, east, north)
    x_label = labels[0] if labels[0] in ("x", "y") else None
    if x_label == "x":
        axis = "x_northing" if a_is_northing else "x_easting"
    else:
        axis = "x_easting" if labels[0] == "easting" or not a_is_northing else "x_northing"
    if axis == "x_northing":
        notes.append(
            (
                "X was read as the northing and Y as the easting (the Vietnamese survey "
                "convention), by their magnitude.",
                "X được đọc là tọa độ Bắc và Y là tọa độ Đông (quy ước trắc địa Việt Nam), theo "
                "độ lớn của giá trị.",
            )
        )
    else:
        notes.append(
            (
                "The first coordinate column was read as the easting and the second as the "
                "northing, by their magnitude.",
                "Cột tọa độ thứ nhất được đọc là tọa độ Đông, cột thứ hai là tọa độ Bắc, theo độ "
                "lớn của giá trị.",
            )
        )
    if epsg_given is not None:
        epsg = epsg_given
        source = "planner" if planner_epsg else "prj" if prj_epsg else "file"
        lon, lat = to_wgs84(east, north, epsg)
        share = _share(inside, lon, lat)
        note = (f"Read as {_epsg_name(epsg)}.", f"Đọc theo hệ {_epsg_name(epsg)}.")
    else:
        epsg, share = _propose(east, north, both & ~swapped, province_code, inside)
        source = "proposed"
        lon, lat = to_wgs84(east, north, epsg)
        note = (
            f"The file does not say its CRS: {_epsg_name(epsg)} (EPSG:{epsg}) is proposed"
            + ("" if share is None else f", which puts {share:.0%} of the points in the province")
            + "; confirm it or choose another.",
            f"Tệp không ghi hệ tọa độ: đề xuất {_epsg_name(epsg)} (EPSG:{epsg})"
            + ("" if share is None else f", với {share:.0%} số điểm nằm trong tỉnh")
            + "; hãy xác nhận hoặc chọn hệ khác.",
        )
    choice = CrsChoice(epsg, source, axis, share, *note)
    return Located(lon, lat, choice, bad_a, bad_b, missing_one, swapped, notes)


def _share(inside, lon: np.ndarray, lat: np.ndarray) -> float | None:
    if inside is None:
        return None
    ok = ~np.isnan(lon) & ~np.isnan(lat)
    if not ok.any():
        return None
    return float(np.mean(inside(lon[ok], lat[ok])))


def _propose(
    east: np.ndarray,
    north: np.ndarray,
    usable: np.ndarray,
    province_code: str | None,
    inside,
) -> tuple[int, float | None]:
    """The province's zone if it puts at least 90 % of the points inside the province, else
    the VN-2000 zone that puts the most (the province's zone wins ties)."""
    first = proposed_crs(province_code) or VN2000_UTM[48]
    if inside is None:
        return first, None
    idx = np.flatnonzero(usable)
    if len(idx) > 2000:
        idx = idx[np.linspace(0, len(idx) - 1, 2000).astype(int)]
    x, y = east[idx], north[idx]

    def share(epsg: int) -> float:
        lo, la = to_wgs84(x, y, epsg)
        ok = ~np.isnan(lo)
        return float(np.mean(inside(lo[ok], la[ok]))) if ok.any() else 0.0

    best, best_share = first, share(first)
    if best_share >= 0.9:
        return best, best_share
    for epsg in sorted(VN2000_CODES - {VN2000_GEOGRAPHIC, first}):
        s = share(epsg)
        if s > best_share + 1e-9:
            best, best_share = epsg, s
    return best, best_share


def metres_between(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Great-circle distance in metres (haversine, mean Earth radius)."""
    lon1, lat1, lon2, lat2 = (
        np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2)
    )
    h = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * np.arcsin(np.sqrt(h))
