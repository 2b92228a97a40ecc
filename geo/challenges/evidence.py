"""The evidence a step brings: a photo checked by its magic bytes, a measurement summary,
a note (:class:`Proof`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path

from geo.challenges.base import MAX_PHOTO_BYTES, MAX_TEXT, _error
from geo.errors import InputError
from geo.i18n import MISSING, fmt_date, fmt_number, t

# ---------------------------------------------------------------------------------------------
# Evidence: photo, measurements, note
# ---------------------------------------------------------------------------------------------


_JPEG = b"\xff\xd8\xff"
_PNG = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Photo:
    """A checked photo: its bytes, ``image/jpeg`` or ``image/png``, the file's name."""

    data: bytes
    media_type: str
    name: str = ""

    @property
    def sha256(self) -> str:
        """The SHA-256 of the bytes (hex): the photo's key in the store."""
        return hashlib.sha256(self.data).hexdigest()


def check_photo_size(size: int, name: str = "", *, field: str = "photo") -> None:
    """Refuse an empty photo or one above :data:`MAX_PHOTO_BYTES` (before reading it).

    Raises
    ------
    InputError
        Naming ``field``, the file and the limit.
    """
    if size <= 0:
        raise _error(InputError, "challenges.err_photo_empty", field=field, name=name)
    if size > MAX_PHOTO_BYTES:
        raise _error(
            InputError,
            "challenges.err_photo_size",
            field=field,
            name=name,
            size=size,
            max=MAX_PHOTO_BYTES,
        )


def check_photo(data: bytes, name: str = "", *, field: str = "photo") -> Photo:
    """A :class:`Photo` when ``data`` is a JPEG or PNG image of at most :data:`MAX_PHOTO_BYTES`.

    The type is told by the magic bytes (JPEG ``FF D8 FF``; PNG's 8-byte signature followed by
    its ``IHDR`` chunk), never by the name.

    Raises
    ------
    InputError
        Empty, too large, or not a JPEG/PNG image; the message names ``field`` and the file.
    """
    check_photo_size(len(data), name, field=field)
    if data.startswith(_JPEG):
        return Photo(bytes(data), "image/jpeg", name)
    if data.startswith(_PNG) and data[12:16] == b"IHDR":
        return Photo(bytes(data), "image/png", name)
    raise _error(InputError, "challenges.err_photo_type", field=field, name=name)


def read_photo(path: str | Path, *, field: str = "photo") -> Photo:
    """Read and check a photo file; its size is checked before it is read."""
    path = Path(path)
    if not path.is_file():
        raise _error(InputError, "challenges.err_photo_missing", field=field, name=str(path))
    check_photo_size(path.stat().st_size, path.name, field=field)
    with path.open("rb") as f:
        data = f.read(MAX_PHOTO_BYTES + 1)
    return check_photo(data, path.name, field=field)


@dataclass(frozen=True)
class MeasurementSummary:
    """Measurements of the village as a summary (from a drive test or a speed-test app).

    Attributes
    ----------
    count
        How many measurements (at least 1).
    median_dbm
        Their median signal level (RSRP/RSCP/RSSI) in dBm, between -150 and -20.
    share_above
        The share (0–1) above the technology's threshold.
    last_date
        The date of the last one (not in the future).
    source
        Where they come from, e.g. "đo kiểm Sở TT&TT 11/2026".
    """

    count: int
    median_dbm: float | None = None
    share_above: float | None = None
    last_date: dt.date | None = None
    source: str = ""

    def to_json(self) -> str:
        """The summary as stored (JSON)."""
        return json.dumps(
            {
                "count": self.count,
                "median_dbm": self.median_dbm,
                "share_above": self.share_above,
                "last_date": self.last_date.isoformat() if self.last_date else None,
                "source": self.source,
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str | None) -> MeasurementSummary | None:
        """The summary stored as ``text`` (None when there is none)."""
        if not isinstance(text, str) or not text:
            return None
        d = json.loads(text)
        last = dt.date.fromisoformat(d["last_date"]) if d.get("last_date") else None
        return cls(d["count"], d.get("median_dbm"), d.get("share_above"), last, d.get("source", ""))

    def describe(self, lang: str = "vi") -> str:
        """One line, e.g. "12 lần đo, trung vị -109 dBm, 25,0 % trên ngưỡng, lần cuối …"."""
        from geo.i18n import fmt_percent

        text = t(
            "challenges.measurements_summary",
            lang,
            count=fmt_number(self.count, lang),
            median=fmt_number(self.median_dbm, lang, 1) if self.median_dbm is not None else MISSING,
            share=fmt_percent(self.share_above, lang) if self.share_above is not None else MISSING,
            last=fmt_date(self.last_date, lang),
        )
        return f"{text} ({self.source})" if self.source else text


def _check_measurements(m: MeasurementSummary, today: dt.date, field: str) -> None:
    def bad(why: str) -> InputError:
        return _error(InputError, "challenges.err_measurements", field=field, why=why)

    if not isinstance(m.count, int) or isinstance(m.count, bool) or m.count < 1:
        raise bad("count ≥ 1")
    if m.median_dbm is not None and not (
        math.isfinite(m.median_dbm) and -150 <= m.median_dbm <= -20
    ):
        raise bad("-150 ≤ median_dbm ≤ -20")
    if m.share_above is not None and not (math.isfinite(m.share_above) and 0 <= m.share_above <= 1):
        raise bad("0 ≤ share_above ≤ 1")
    if m.last_date is not None and m.last_date > today:
        raise bad(f"last_date {m.last_date:%d/%m/%Y} > {today:%d/%m/%Y}")
    if len(m.source) > 200:
        raise bad("len(source) ≤ 200")


@dataclass(frozen=True)
class Proof:
    """The evidence a step brings: a note, a measurement summary, a photo (each optional)."""

    note: str = ""
    measurements: MeasurementSummary | None = None
    photo: Photo | None = None

    @property
    def empty(self) -> bool:
        """Whether it brings nothing."""
        return not (self.note or "").strip() and self.measurements is None and self.photo is None


def _text(value: str | None, field: str, *, required: bool, key: str) -> str:
    text = (value or "").strip()
    if required and not text:
        raise _error(InputError, key, field=field, max=MAX_TEXT)
    if len(text) > MAX_TEXT:
        raise _error(InputError, "challenges.err_text_long", field=field, max=MAX_TEXT)
    return text


def _check_proof(proof: Proof, today: dt.date, *, required: bool) -> str:
    """The proof's note, checked; refuse an empty proof when ``required``."""
    if required and proof.empty:
        raise _error(InputError, "challenges.err_evidence", field="evidence")
    note = _text(proof.note, "note", required=False, key="challenges.err_note")
    if proof.measurements is not None:
        _check_measurements(proof.measurements, today, "measurements")
    if proof.photo is not None:
        check_photo(proof.photo.data, proof.photo.name)
    return note


NO_PROOF = Proof()
"""A step that brings no evidence."""
