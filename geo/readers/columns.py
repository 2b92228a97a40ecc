"""Column headers: which column of a planner's file holds which field, and the remembered maps.

Headers are recognised from Vietnamese and English words with or without diacritics ("Tên
thôn/bản", "Thon ban", "Xã/Phường/Thị trấn", "Kinh độ (Longitude)", "Nhà mạng", "Doanh
nghiệp", "Mã trạm", "X (m)" …). :func:`propose_mapping` scores every header against every
field the kind of import uses and returns a :class:`ColumnProposal` with a confidence per
field; when a required field is missing or a score is low the proposal says so
(:attr:`ColumnProposal.needs_mapping`), so the app can ask the planner to map the columns.
The planner's mapping is remembered per file layout (:class:`MappingMemory`, keyed by
:func:`header_signature`), so the next file with the same header is read without asking.

Scores
------
1.0 the header is one of the field's names; 0.95 it is one once a part in brackets is set
aside ("Kinh độ (Longitude)", "X (m)"); 0.85 it starts with one ("Tên thôn, bản, tổ dân phố
thuộc xã"); 0.7 it contains one; a close spelling (rapidfuzz ratio ≥ 88) scores 0.75 of that;
generic names ("Mã", "ID", "Name", "N", "E") score at most 0.6. A field is *sure* at 0.8 and
above.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from rapidfuzz import fuzz
from unidecode import unidecode

from geo.errors import InputError
from geo.operators import canonical_operator
from geo.store import imports as store_sql

__all__ = [
    "FIELDS",
    "KIND_FIELDS",
    "REQUIRED",
    "SURE",
    "ColumnMappingError",
    "ColumnProposal",
    "MappingMemory",
    "header_signature",
    "label_key",
    "label_score",
    "propose_mapping",
    "technologies_in",
    "technology_of",
]

SURE = 0.8
"""A field mapped with at least this confidence needs no confirmation."""

#: Each field: (Vietnamese label, English label, names as :func:`label_key` writes them).
FIELDS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "stt": ("Số thứ tự", "Row number", ("stt", "tt", "so tt", "so thu tu", "thu tu", "no")),
    "village": (
        "Thôn/bản",
        "Village",
        (
            "thon", "ban", "thon ban", "ten thon", "ten ban", "ten thon ban", "thon ban to dan pho",
            "ten thon ban to dan pho", "thon xom", "ten thon xom", "xom", "ap", "lang", "ban lang",
            "to dan pho", "tdp", "thon ban tdp", "ten thon ban tdp", "thon to dan pho",
            "ten thon to dan pho", "village", "village name", "villages", "diem dan cu",
            "ten diem dan cu", "thon ban lang", "ten thon ban lang", "ten thon lang", "hamlet",
        ),
    ),
    "commune": (
        "Xã/Phường/Thị trấn",
        "Commune",
        (
            "xa", "ten xa", "xa phuong", "xa phuong thi tran", "xa phuong tt", "xa thi tran",
            "phuong xa", "ten xa phuong", "ten xa phuong thi tran", "don vi cap xa",
            "don vi hanh chinh cap xa", "dvhc cap xa", "cap xa", "commune", "commune ward",
            "ward", "ward commune", "xa phuong dac khu", "thuoc xa", "dia ban xa",
            "xa phuong thi tran thuoc", "phuong",
        ),
    ),
    "district": (
        "Huyện/Thị xã/Thành phố",
        "District",
        (
            "huyen", "ten huyen", "huyen thi xa", "huyen thi xa thanh pho", "huyen thanh pho",
            "quan huyen", "huyen tx tp", "huyen tp", "huyen thi", "don vi cap huyen",
            "don vi hanh chinh cap huyen", "cap huyen", "district", "thuoc huyen",
            "dia ban huyen", "ten huyen thi xa thanh pho", "huyen thi xa tp",
        ),
    ),
    "province": (
        "Tỉnh",
        "Province",
        ("tinh", "ten tinh", "tinh thanh pho", "tinh tp", "tinh thanh", "province"),
    ),
    "operator": (
        "Nhà mạng / Doanh nghiệp",
        "Operator",
        (
            "nha mang", "doanh nghiep", "dn", "doanh nghiep vien thong", "dnvt",
            "doanh nghiep thuc hien", "doanh nghiep duoc giao", "doanh nghiep phu trach",
            "doanh nghiep chiu trach nhiem", "doanh nghiep trien khai", "doanh nghiep dau tu",
            "ten doanh nghiep", "don vi thuc hien", "don vi trien khai", "don vi chu tri",
            "operator", "carrier", "mobile operator", "nha cung cap", "nha cung cap dich vu",
            "provider", "mang di dong", "nha mang di dong", "doanh nghiep cung cap",
        ),
    ),
    "technology": (
        "Công nghệ",
        "Technology",
        (
            "cong nghe", "technology", "tech", "loai tram", "cong nghe tram", "loai cong nghe",
            "he thong", "rat", "2g 3g 4g", "2g 3g 4g 5g", "cong nghe 2g 3g 4g",
            "cong nghe 2g 3g 4g 5g", "mang 2g 3g 4g", "cong nghe mang",
        ),
    ),
    "site_id": (
        "Mã trạm",
        "Site id",
        (
            "ma tram", "ma tram bts", "site id", "siteid", "site code", "ma vi tri",
            "ma vi tri tram", "id tram", "ma so tram", "site", "bts id", "ma bts", "ma cell",
        ),
    ),
    "site_name": (
        "Tên trạm",
        "Site name",
        ("ten tram", "site name", "ten tram bts", "ten vi tri", "ten vi tri tram"),
    ),
    "lon": (
        "Kinh độ",
        "Longitude",
        (
            "kinh do", "longitude", "lon", "long", "lng", "kd", "toa do kinh do",
            "kinh do do", "kinh do e", "kinh do dong", "x kinh do", "kinh do x",
        ),
    ),
    "lat": (
        "Vĩ độ",
        "Latitude",
        (
            "vi do", "latitude", "lat", "vd", "toa do vi do", "vi do do", "vi do n",
            "vi do bac", "y vi do", "vi do y",
        ),
    ),
    "x": (
        "Tọa độ X",
        "X",
        ("x", "toa do x", "x m", "x vn2000", "x vn 2000", "toa do x vn2000", "toa do vn2000 x"),
    ),
    "y": (
        "Tọa độ Y",
        "Y",
        ("y", "toa do y", "y m", "y vn2000", "y vn 2000", "toa do y vn2000", "toa do vn2000 y"),
    ),
    "northing": ("Tọa độ Bắc (N)", "Northing", ("northing", "toa do bac", "north")),
    "easting": ("Tọa độ Đông (E)", "Easting", ("easting", "toa do dong", "east")),
    "coords": (
        "Tọa độ",
        "Coordinates",
        (
            "toa do", "vi tri", "coordinates", "coordinate", "lat long", "lat lon", "latlong",
            "toa do gps", "gps", "vi do kinh do", "toa do vi do kinh do", "toa do dia ly",
        ),
    ),
    "on_air_date": (
        "Ngày phát sóng",
        "On-air date",
        (
            "ngay phat song", "ngay hoat dong", "ngay dua vao hoat dong", "ngay dua vao su dung",
            "thoi gian phat song", "thoi diem phat song", "on air date", "on air", "onair",
            "onair date", "ngay on air", "nam phat song", "nam hoat dong", "date on air",
            "ngay lap dat", "nam dua vao hoat dong",
        ),
    ),
    "source_id": (
        "Mã thôn",
        "Village code",
        ("ma thon", "ma ban", "ma thon ban", "village id", "village code", "id thon", "ma diem"),
    ),
    "fibre": (
        "Cáp quang (FTTH)",
        "FTTH fibre",
        (
            "ftth", "cap quang", "co cap quang", "fibre", "fiber", "co ftth", "cap quang ftth",
            "ha tang cap quang", "da co cap quang", "fttx", "bang rong co dinh",
        ),
    ),
    "households": ("Số hộ", "Households", ("so ho", "households", "so ho dan", "ho dan")),
    "population": (
        "Dân số",
        "Population",
        ("dan so", "so dan", "so nhan khau", "nhan khau", "population", "so khau"),
    ),
    "antenna_height": (
        "Độ cao anten (m)",
        "Antenna height (m)",
        (
            "do cao anten", "chieu cao anten", "do cao cot", "chieu cao cot", "antenna height",
            "height", "do cao anten m", "chieu cao anten m", "cao do anten", "agl",
        ),
    ),
    "address": ("Địa chỉ", "Address", ("dia chi", "dia chi tram", "address", "vi tri dat tram")),
    "name": ("Tên", "Name", ("ten", "name", "ten vung", "ten khu vuc")),
    "note": ("Ghi chú", "Note", ("ghi chu", "note", "notes", "remark", "remarks", "ghi chu khac")),
}  # fmt: skip

# Names too generic to be sure of.
_WEAK: dict[str, tuple[str, ...]] = {
    "site_id": ("ma", "id", "code", "ma so"),
    "source_id": ("ma", "id", "code", "ma so"),
    "site_name": ("ten", "name"),
    "village": ("ten", "name"),
    "northing": ("n",),
    "easting": ("e",),
    "operator": ("mang",),
}

# Fields only shown, never used to match or model: a doubtful guess there needs no review.
_DESCRIPTIVE = frozenset(
    {"stt", "site_name", "name", "note", "households", "population", "address", "antenna_height"}
)
_LOCATION = ("lon", "lat", "x", "y", "northing", "easting", "coords")
#: Fields each kind of import reads.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "sites": (
        "stt", "site_id", "site_name", "operator", "technology", *_LOCATION, "on_air_date",
        "antenna_height", "address", "commune", "district", "province", "note",
    ),
    "villages": (
        "stt", "village", "source_id", "commune", "district", "province", *_LOCATION,
        "households", "population", "note",
    ),
    "fibre": (
        "stt", "village", "commune", "district", "province", "operator", "fibre", *_LOCATION,
        "note",
    ),
    "unserved": ("stt", "village", "commune", "district", "province", "operator", "note"),
    "coverage": ("operator", "technology", "name", "note"),
}  # fmt: skip

#: Required fields per kind: each entry is a tuple of alternatives, one of which must be
#: mapped. ``"location"`` means a pair of coordinate columns (or one combined column);
#: ``"operator"`` may also be columns named after the operators ("Viettel", "VNPT" …).
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "sites": (("operator",), ("technology",), ("location",)),
    "villages": (("village",), ("commune", "location")),
    "fibre": (("village", "location"), ("commune", "location"), ("operator",)),
    "unserved": (("village",), ("commune",)),
    "coverage": (),
}

_TECH_HEADERS = {
    "2g": "2G", "gsm": "2G", "3g": "3G", "umts": "3G", "wcdma": "3G", "4g": "4G",
    "lte": "4G", "4g lte": "4G", "5g": "5G", "nr": "5G", "5g nr": "5G",
}  # fmt: skip
_TECH_TOKENS = {
    "2g": "2G", "gsm": "2G", "edge": "2G", "gprs": "2G", "3g": "3G", "umts": "3G",
    "wcdma": "3G", "hspa": "3G", "hsdpa": "3G", "hspa+": "3G", "4g": "4G", "lte": "4G",
    "lte-a": "4G", "4g+": "4G", "5g": "5G", "nr": "5G", "5gnr": "5G", "4glte": "4G",
    "5g nr": "5G", "4g lte": "4G",
}  # fmt: skip


def label_key(label: object) -> str:
    """A header as compared: ASCII, lower case, words separated by single spaces.

    ``label_key("Tên thôn/bản") == "ten thon ban"``; ``label_key("X (m)") == "x m"``.
    """
    if label is None:
        return ""
    text = unicodedata.normalize("NFC", str(label))
    text = unidecode(text).lower()
    return " ".join(re.findall(r"[a-z0-9+]+", text))


def _variants(label: object) -> tuple[str, list[str]]:
    """The header's key, and its keys with bracketed parts set aside and on their own."""
    text = "" if label is None else str(label)
    key = label_key(text)
    inner = re.findall(r"[(\[]([^)\]]*)[)\]]", text)
    outer = re.sub(r"[(\[][^)\]]*[)\]]", " ", text)
    parts = [label_key(outer), *(label_key(i) for i in inner)]
    return key, [p for p in parts if p and p != key]


def label_score(label: object, fields: Iterable[str] | None = None) -> dict[str, float]:
    """How well a header names each field (0–1), for the fields given (all by default)."""
    key, variants = _variants(label)
    if not key:
        return {}
    out: dict[str, float] = {}
    for name in fields if fields is not None else FIELDS:
        names = FIELDS[name][2]
        weak = _WEAK.get(name, ())
        best = 0.0
        if key in names:
            best = 1.0
        elif key in weak:
            best = 0.6
        elif any(v in names for v in variants):
            best = 0.95
        else:
            padded = f" {key} "
            for n in names:
                if len(n) < 2:
                    continue
                if key.startswith(n + " "):
                    best = max(best, 0.85)
                elif f" {n} " in padded and len(n) >= 3:
                    best = max(best, 0.7)
            if best < 0.7 and len(key) >= 4:
                ratio = max(fuzz.ratio(key, n) for n in names)
                if ratio >= 88:
                    best = max(best, 0.75 * ratio / 100)
        if best > 0:
            out[name] = best
    return out


def technology_of(label: object) -> str | None:
    """The technology a header or a layer name names ("4G", "LTE" → "4G"), or None."""
    key = label_key(label)
    return _TECH_HEADERS.get(key)


def _wide_operator(label: object) -> str | None:
    key = label_key(label)
    if not key or len(key.split()) > 3:
        return None
    return canonical_operator(str(label))


def header_signature(labels: Iterable[object]) -> str:
    """A short hash of a header row's normalised labels: files with the same layout share it."""
    joined = "\x1f".join(label_key(v) for v in labels)
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()[:16]


@dataclass
class ColumnProposal:
    """Which column holds which field, how sure, and what is missing.

    Attributes
    ----------
    kind
        The kind of import.
    labels
        The file's headers, in order.
    mapping
        Field → header. Operators written as one column each ("Viettel", "VNPT" …) are
        ``"operator:Viettel"`` → header; technologies likewise (``"technology:4G"``).
    confidence
        Field → score (1.0 for a remembered or planner's mapping).
    source
        ``recognised``, ``remembered`` or ``planner``.
    signature
        :func:`header_signature` of ``labels``.
    conflicts
        Field → headers that scored as well as the chosen one.
    """

    kind: str
    labels: list[str]
    mapping: dict[str, str] = field(default_factory=dict)
    confidence: dict[str, float] = field(default_factory=dict)
    source: str = "recognised"
    signature: str = ""
    conflicts: dict[str, list[str]] = field(default_factory=dict)
    geometry: bool = False
    provided: tuple[str, ...] = ()

    @property
    def missing(self) -> list[str]:
        """Required fields (alternatives joined by "|") that no column holds (a vector file's
        geometry is the location; ``provided`` fields come from the planner's options)."""
        have = set(self.mapping) | set(self.provided)
        if self.has_location:
            have.add("location")
        if any(k.startswith("operator:") for k in self.mapping):
            have.add("operator")
        if any(k.startswith("technology:") for k in self.mapping):
            have.add("technology")
        return ["|".join(alts) for alts in REQUIRED.get(self.kind, ()) if not set(alts) & have]

    @property
    def has_location(self) -> bool:
        m = self.mapping
        return (
            self.geometry
            or {"lon", "lat"} <= set(m)
            or {"x", "y"} <= set(m)
            or {"northing", "easting"} <= set(m)
            or "coords" in m
        )

    @property
    def unsure(self) -> list[str]:
        """Mapped fields whose confidence is below :data:`SURE`, or that had a rival column."""
        return sorted(f for f, c in self.confidence.items() if c < SURE or f in self.conflicts)

    @property
    def unmapped(self) -> list[str]:
        """Headers no field uses (kept as extra columns in nothing; shown to the planner)."""
        used = set(self.mapping.values())
        return [label for label in self.labels if label not in used and label]

    @property
    def needs_mapping(self) -> bool:
        """True when the planner should look at the mapping before the rows are read."""
        return bool(self.missing or self.unsure)

    def to_frame(self) -> pd.DataFrame:
        """One row per header: ``column``, ``field``, ``field_vi``, ``field_en``,
        ``confidence``, ``sure`` — the table the app shows for mapping."""
        by_label = {label: f for f, label in self.mapping.items()}
        rows = []
        for label in self.labels:
            f = by_label.get(label)
            base = f.split(":")[0] if f else None
            vi, en = (FIELDS[base][0], FIELDS[base][1]) if base in FIELDS else ("", "")
            if f and ":" in f:
                vi, en = f"{vi}: {f.split(':', 1)[1]}", f"{en}: {f.split(':', 1)[1]}"
            conf = self.confidence.get(f, 0.0) if f else 0.0
            rows.append(
                {
                    "column": label,
                    "field": f or "",
                    "field_vi": vi,
                    "field_en": en,
                    "confidence": round(conf, 2),
                    "sure": bool(f) and conf >= SURE and f not in self.conflicts,
                }
            )
        return pd.DataFrame(rows)


class ColumnMappingError(InputError):
    """The columns of a file could not be mapped to the fields an import needs.

    ``proposal`` holds the best guess, for the app to show and the planner to correct.
    """

    def __init__(self, message_en, message_vi=None, *, proposal: ColumnProposal, **kw) -> None:
        super().__init__(message_en, message_vi, **kw)
        self.proposal = proposal


def propose_mapping(
    labels: list[str],
    kind: str,
    *,
    memory: MappingMemory | None = None,
    given: dict[str, str] | None = None,
) -> ColumnProposal:
    """Map a header row to the fields of an import.

    Parameters
    ----------
    labels
        The headers, in order (unique; see :func:`geo.readers.tables.unique_labels`).
    kind
        One of :data:`KIND_FIELDS`.
    memory
        Remembered mappings: one saved for the same layout is used as it is.
    given
        The planner's mapping, field → header; it wins over everything.

    Returns
    -------
    ColumnProposal

    Raises
    ------
    InputError
        If ``kind`` is unknown, or ``given`` names a header the file does not have or a
        field the kind does not use.
    """
    if kind not in KIND_FIELDS:
        raise InputError(
            f"Unknown kind of import {kind!r}; use one of {', '.join(KIND_FIELDS)}.",
            f"Loại dữ liệu {kind!r} không hợp lệ; hãy dùng một trong {', '.join(KIND_FIELDS)}.",
            field="kind",
        )
    labels = [str(v) for v in labels]
    signature = header_signature(labels)
    if given:
        _check_given(given, labels, kind)
        mapping = {f: c for f, c in given.items() if c}
        return ColumnProposal(
            kind, labels, mapping, dict.fromkeys(mapping, 1.0), "planner", signature
        )
    if memory is not None:
        saved = memory.get(signature, kind)
        if saved and all(c in labels for c in saved.values()):
            return ColumnProposal(
                kind, labels, dict(saved), dict.fromkeys(saved, 1.0), "remembered", signature
            )

    fields = KIND_FIELDS[kind]
    pairs: list[tuple[float, int, str, str]] = []
    for i, label in enumerate(labels):
        for f, s in label_score(label, fields).items():
            pairs.append((s, -i, f, label))
    pairs.sort(reverse=True)
    mapping: dict[str, str] = {}
    confidence: dict[str, float] = {}
    conflicts: dict[str, list[str]] = {}
    used: set[str] = set()
    for s, _, f, label in pairs:
        if label in used:
            continue
        if f in mapping:
            if s >= confidence[f] and s >= 0.7:
                conflicts.setdefault(f, []).append(label)
            continue
        mapping[f] = label
        confidence[f] = s
        used.add(label)
    # Operators or technologies written as one column each.
    if "operator" in fields and "operator" not in mapping:
        for label in labels:
            op = _wide_operator(label)
            if op and label not in used and f"operator:{op}" not in mapping:
                mapping[f"operator:{op}"] = label
                confidence[f"operator:{op}"] = 0.9
                used.add(label)
    if "technology" in fields and "technology" not in mapping:
        for label in labels:
            tech = technology_of(label)
            if tech and label not in used and f"technology:{tech}" not in mapping:
                mapping[f"technology:{tech}"] = label
                confidence[f"technology:{tech}"] = 0.9
                used.add(label)
    # An X/Y pair and a lon/lat pair are alternatives; keep whichever is complete.
    if {"lon", "lat"} <= set(mapping):
        for f in ("x", "y", "northing", "easting", "coords"):
            _drop(mapping, confidence, f)
    elif {"x", "y"} <= set(mapping) or {"northing", "easting"} <= set(mapping):
        for f in ("lon", "lat", "coords"):
            _drop(mapping, confidence, f)
    return ColumnProposal(kind, labels, mapping, confidence, "recognised", signature, conflicts)


def _drop(mapping: dict, confidence: dict, f: str) -> None:
    mapping.pop(f, None)
    confidence.pop(f, None)


def _check_given(given: dict[str, str], labels: list[str], kind: str) -> None:
    bad = []
    for f, c in given.items():
        base = f.split(":")[0]
        if base not in KIND_FIELDS[kind]:
            bad.append(
                (
                    f"field {f!r} is not used by a {kind} import; fields: "
                    f"{', '.join(KIND_FIELDS[kind])}",
                    f"trường {f!r} không dùng cho loại {kind}; các trường: "
                    f"{', '.join(KIND_FIELDS[kind])}",
                    f,
                )
            )
        elif c and c not in labels:
            bad.append(
                (
                    f"the file has no column {c!r}; its columns: {', '.join(labels)}",
                    f"tệp không có cột {c!r}; các cột: {', '.join(labels)}",
                    f,
                )
            )
    if bad:
        from geo.errors import Problem

        raise InputError(
            "The column mapping does not fit the file",
            "Cách gán cột không khớp với tệp",
            field="mapping",
            problems=[Problem(vi, en, field=f) for en, vi, f in bad],
        )


class MappingMemory:
    """Column mappings the planner made, per file layout, in a SQLite table.

    Parameters
    ----------
    path
        The SQLite file (created if missing; the import store's file is the natural place).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        with store_sql.opened(self.path):  # the store's file, created or checked
            pass

    def get(self, signature: str, kind: str) -> dict[str, str] | None:
        """The mapping saved for this layout and kind, or None."""
        with store_sql.opened(self.path) as con:
            return store_sql.get_mapping(con, signature, kind)

    def put(self, proposal: ColumnProposal) -> None:
        """Remember ``proposal.mapping`` for its layout and kind (replacing an older one)."""
        with store_sql.opened(self.path) as con:
            store_sql.put_mapping(
                con, proposal.signature, proposal.kind, proposal.mapping, proposal.labels
            )


def technologies_in(values: pd.Series) -> pd.Series:
    """The technologies each cell names, as lists ("2G/3G/4G" → ["2G", "3G", "4G"], "LTE" →
    ["4G"], "4G LTE" → ["4G"]); an unrecognised non-empty cell gives None."""
    text = values.astype("string").str.strip()
    codes, uniques = pd.factorize(text)
    lookup = np.empty(len(uniques) + 1, dtype=object)
    for i, value in enumerate(uniques):
        lookup[i] = _parse_tech(str(value))
    lookup[-1] = None
    return pd.Series(lookup[codes], index=values.index, dtype=object)


def _parse_tech(text: str) -> list[str] | None:
    key = unidecode(text).lower().strip()
    if not key:
        return []
    whole = " ".join(re.findall(r"[a-z0-9+\-]+", key))
    if whole in _TECH_TOKENS:
        return [_TECH_TOKENS[whole]]
    found: list[str] = []
    for token in re.split(r"[\s,;/&+|]+|\bva\b|\band\b", key):
        token = token.strip(" .-")
        if not token:
            continue
        tech = _TECH_TOKENS.get(token) or _TECH_TOKENS.get(token.replace(" ", ""))
        if tech is None:
            return None
        if tech not in found:
            found.append(tech)
    return found or None
