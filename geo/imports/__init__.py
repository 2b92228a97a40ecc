"""Planners' own files: read, match, review, then commit to a store of imported layers.

An import goes through four steps; nothing is stored until the last:

1. :func:`stage` reads a file (Excel, CSV, zipped Shapefile, KML/KMZ, GeoJSON, GeoPackage,
   GeoTIFF for declared coverage; a table's header row is found, or given as ``header_row``),
   maps its columns (:mod:`geo.readers.columns`), reads its
   coordinates (:mod:`geo.readers.coords`), matches every row's names to the administrative
   units and the village register, and returns a :class:`Staged` import: the rows in the
   layer's schema (``frame``), one report row per file row (``report``), every problem
   (``problems``) and whether the planner must look at it (``needs_review``). A file that
   cannot be read raises :class:`~geo.errors.InputError` listing *every* bad row.
2. The planner reviews: :func:`confirm` sets or accepts a row's commune or village (and
   remembers it for the next file); :func:`confirm_file` confirms the column mapping and the
   CRS (the mapping is remembered for files of the same layout).
3. :func:`commit` writes the rows to the :class:`Store` in one transaction. A failed or
   abandoned import leaves the store as it was; the same file committed twice adds nothing
   (content hash), and rows are keyed (a site by operator, site id and technology; fibre and
   unserved rows by village and operator) so that a new version of a file updates them. Two
   rows of one file with the same key are reported when staging (the later one in review,
   naming the earlier); the counts committed are those the store holds. A column mapping or
   CRS that is only proposed must be confirmed before any commit, even a partial one.
4. :func:`load_layers` gives the pipeline the planner's layers; :func:`apply_layers` puts the
   imported village register and unserved list into a :class:`~geo.province.ProvinceData`,
   with the villages placed by hand (:mod:`geo.placements`) moved in both.

Kinds
-----
``sites``
    Station records: operator, technology (2G/3G/4G/5G; LTE → 4G, NR → 5G; "2G/3G/4G" gives
    one record per technology), site id, position, on-air date.
``villages``
    A full village register. It replaces the current one through the village aliases
    (:func:`geo.villages.link_register`): ids are kept, nothing attached to a village is
    dropped, and old villages the new register lacks are listed (``Staged.unlinked``).
``fibre``
    Villages with FTTH, per operator: by name (village, commune, district) or as areas
    (polygons: the register's villages inside get fibre).
``unserved``
    A list of villages without service and the operator assigned to each (as Phụ lục 2).
``coverage``
    An operator's declared coverage per technology: KML/GeoJSON/Shapefile polygons or a
    GeoTIFF (cells above 0 are covered).

The store
---------
One SQLite file (stdlib ``sqlite3``, WAL mode) at ``$COVERAGE_IMPORTS_DB`` if set, else
``$XDG_DATA_HOME/vn-coverage/imports.sqlite`` (``~/.local/share/vn-coverage/imports.sqlite``);
or give the path to :class:`Store`. Tables: ``imports`` (one row per committed file),
``layer_rows`` (the rows, keyed per province, kind and row key; attributes as JSON, geometry
as WKB), ``confirmations`` (names the planner matched by hand) and ``column_mappings``.

Safety
------
Files are limited in size (:data:`MAX_BYTES`) and rows (:data:`MAX_ROWS`); the uploaded name
is only shown (:func:`safe_name`), never used to write; strings are kept exactly as written
(a ``<script>`` in a name stays in the data: the app escapes what it shows).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import logging
import os
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePath

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from unidecode import unidecode

from geo import auth, names, units
from geo import villages as villages_mod
from geo.errors import InputError, Problem
from geo.operators import OPERATORS, canonical_operator
from geo.readers import columns as cols
from geo.readers import coords, tables, vector
from geo.readers.columns import ColumnMappingError, ColumnProposal, MappingMemory
from geo.readers.coords import CrsChoice
from geo.store import imports as store_sql
from geo.store.imports import ENV_STORE, StoreFileError, default_store_path
from geo.unserved import EXPORT_COLUMNS
from geo.vocab import ImportMode, LayerKind

log = logging.getLogger(__name__)

__all__ = [
    "KINDS",
    "MAX_BYTES",
    "MAX_ROWS",
    "REPORT_COLUMNS",
    "CommitResult",
    "Inspection",
    "Layers",
    "Staged",
    "Store",
    "StoreFileError",
    "apply_layers",
    "commit",
    "confirm",
    "confirm_file",
    "DEFAULT_MODES",
    "ENV_STORE",
    "default_store_path",
    "export_frame",
    "inspect",
    "load_layers",
    "safe_name",
    "stage",
]

KINDS = ("sites", "villages", "fibre", "unserved", "coverage")
from geo.readers.limits import MAX_UPLOAD_BYTES as MAX_BYTES  # noqa: E402, I001
"""Largest file accepted (50 MB); zip files may unzip to ten times as much."""
MAX_ROWS = 200_000
"""Most data rows (or features) accepted in one file."""
SOURCE = "planner"
ACCEPTED = ("exact", "normalised", "fuzzy")
TECHNOLOGIES = ("2G", "3G", "4G", "5G")

#: Columns of :attr:`Staged.report`, one row per row of the file.
REPORT_COLUMNS = [
    "row",
    "sheet",
    "status",
    "match_status",
    "match_score",
    "village_match_status",
    "village",
    "commune",
    "district",
    "operator",
    "technology",
    "site_id",
    "commune_code",
    "commune_gso",
    "district_code",
    "village_id",
    "register_name",
    "candidates",
    "candidate_names",
    "location_precision",
    "lon",
    "lat",
    "message_en",
    "message_vi",
]
STATUSES = ("ok", "confirmed", "review", "error", "skipped")
"""Values of ``report.status``: resolved; resolved by the planner; needs the planner; a cell
could not be read (only with ``on_error="skip"``); not a data row (total, footer, section)."""

_TRUE_MARKS = {"x", "co", "yes", "y", "1", "true", "ok", "v", "da co", "co ftth", "+"}
_FALSE_MARKS = {"", "0", "khong", "no", "n", "false", "chua", "chua co", "-", "khong co"}


# ---------------------------------------------------------------------------------------------
# Names, files, limits
# ---------------------------------------------------------------------------------------------


def safe_name(filename: str | os.PathLike | None, default: str = "upload") -> str:
    """The name of an uploaded file, fit to show: its last path part only (``/`` and ``\\``),
    without control characters, at most 120 characters. It is never used to write a file.

    >>> safe_name("../../etc/passwd")
    'passwd'
    >>> safe_name("C:\\\\Users\\\\An\\\\Phụ lục 2.xlsx")
    'Phụ lục 2.xlsx'
    """
    text = "" if filename is None else str(filename)
    text = re.split(r"[\\/]", text)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    text = unicodedata.normalize("NFC", text).strip().strip(".")
    if len(text) > 120:
        stem, dot, ext = text.rpartition(".")
        text = (stem[:110] + "…" + dot + ext) if dot and len(ext) <= 8 else text[:120]
    return text or default


def _extension(file: str) -> str:
    return PurePath(file).suffix.lower()


def _read_source(
    source: str | os.PathLike | bytes | io.IOBase, filename: str | None, max_bytes: int
) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        name = filename
    elif hasattr(source, "read"):
        data = source.read(max_bytes + 1)
        name = filename or getattr(source, "name", None)
    else:
        path = Path(source)
        name = filename or path.name
        if not path.is_file():
            raise InputError(
                f"File {safe_name(name)} does not exist.",
                f"Không có tệp {safe_name(name)}.",
                file=safe_name(name),
            )
        size = path.stat().st_size
        if size > max_bytes:
            raise _too_big(safe_name(name), size, max_bytes)
        data = path.read_bytes()
    file = safe_name(name)
    if len(data) > max_bytes:
        raise _too_big(file, len(data), max_bytes)
    if not data:
        raise InputError(
            f"{file} is empty (0 bytes): there is nothing to import.",
            f"{file} trống (0 byte): không có gì để nhập.",
            file=file,
        )
    return data, file


def _check_header_row(header_row, file: str, ext: str) -> None:
    """A header row is only given for tables (its value is checked when the table is read)."""
    if header_row is None:
        return
    if ext not in (*tables.SPREADSHEET_EXTS, *tables.TEXT_EXTS):
        raise InputError(
            f"{file}: a header row can only be given for a table (.xlsx, .xls, .ods, .csv); "
            "the columns of a vector file are its attributes.",
            f"{file}: chỉ chọn được dòng tiêu đề cho bảng (.xlsx, .xls, .ods, .csv); các cột của "
            "tệp bản đồ là thuộc tính của nó.",
            file=file,
            field="header_row",
        )


def _too_big(file: str, size: int, limit: int) -> InputError:
    return InputError(
        f"{file} is {size / 1e6:.1f} MB; the limit is {limit / 1e6:.0f} MB. Split it (by "
        "district, say) or keep only the columns needed.",
        f"{file} có dung lượng {size / 1e6:.1f} MB; giới hạn là {limit / 1e6:.0f} MB. Hãy chia "
        "tệp (theo huyện chẳng hạn) hoặc chỉ giữ các cột cần thiết.",
        file=file,
    )


_SUPPORTED = {
    "sites": (*tables.SPREADSHEET_EXTS, *tables.TEXT_EXTS, *vector.VECTOR_EXTS),
    "villages": (*tables.SPREADSHEET_EXTS, *tables.TEXT_EXTS, *vector.VECTOR_EXTS),
    "fibre": (*tables.SPREADSHEET_EXTS, *tables.TEXT_EXTS, *vector.VECTOR_EXTS),
    "unserved": (*tables.SPREADSHEET_EXTS, *tables.TEXT_EXTS),
    "coverage": (*vector.VECTOR_EXTS, *vector.RASTER_EXTS),
}


def _check_type(data: bytes, file: str, kind: str) -> str:
    """The file's extension, checked against the kind and against the bytes."""
    if kind not in KINDS:
        raise InputError(
            f"Unknown kind of import {kind!r}; use one of {', '.join(KINDS)}.",
            f"Loại dữ liệu {kind!r} không hợp lệ; hãy dùng một trong {', '.join(KINDS)}.",
            field="kind",
        )
    ext = _extension(file)
    allowed = _SUPPORTED[kind]
    if ext not in allowed:
        raise InputError(
            f"{file}: a {kind} file must be one of {', '.join(allowed)} (this one is "
            f"{ext or 'without extension'}).",
            f"{file}: tệp {kind} phải là một trong {', '.join(allowed)} (tệp này là "
            f"{ext or 'không có đuôi'}).",
            file=file,
        )
    is_zip = data[:4] == b"PK\x03\x04"
    zipped = (".xlsx", ".xlsm", ".ods", ".zip", ".kmz")
    if ext in zipped and not is_zip:
        raise InputError(
            f"{file} is not a {ext} file (its content is not what the extension says); save it "
            f"again as {ext} and upload it.",
            f"{file} không phải tệp {ext} (nội dung không khớp với đuôi tệp); hãy lưu lại thành "
            f"{ext} rồi tải lên.",
            file=file,
        )
    if ext in (*tables.TEXT_EXTS, ".kml", ".geojson", ".json") and (
        is_zip or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    ):
        raise InputError(
            f"{file} is a spreadsheet or zip file named {ext}; upload it with its real "
            "extension (.xlsx, .xls or .zip).",
            f"{file} là bảng tính hoặc tệp zip nhưng mang đuôi {ext}; hãy tải lên với đúng đuôi "
            "(.xlsx, .xls hoặc .zip).",
            file=file,
        )
    return ext


# ---------------------------------------------------------------------------------------------
# The store
# ---------------------------------------------------------------------------------------------


class Store:
    """The planner's imported layers, per province, in one SQLite file (WAL mode); the SQL is
    in :mod:`geo.store.imports`.

    Parameters
    ----------
    path
        The SQLite file; :func:`default_store_path` when None. Created with its tables if
        missing; a store of the first schema is migrated; another program's SQLite file, a
        newer or damaged store, or a read-only place raises :class:`StoreFileError` (by name,
        the file untouched).
    """

    def __init__(self, path: str | os.PathLike | None = None) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        with store_sql.opened(self.path):
            pass
        self.mappings = MappingMemory(self.path)

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r})"

    def connect(self) -> sqlite3.Connection:
        """A connection in WAL mode with foreign keys on, in autocommit mode (transactions are
        explicit); close it after use: ``with closing(store.connect()) as con``."""
        return store_sql.connect(self.path)

    def imports(self, province_code: str | None = None, *, removed: bool = False) -> pd.DataFrame:
        """The committed imports (newest first), of one province or all: ``import_id``,
        ``province_code``, ``kind``, ``file``, ``sheet``, ``n_rows``, ``committed_at``,
        ``committed_by``, ``mode``, ``operators`` (list), and with ``removed=True`` the removed
        ones too (``removed_at``, ``removed_by`` set)."""
        with store_sql.opened(self.path) as con:
            return store_sql.imports_frame(con, province_code, removed=removed)

    def find_import(self, province_code: str, kind: str, content_hash: str, sheet: str | None):
        """The id of an active import of the same content, or None."""
        with store_sql.opened(self.path) as con:
            return store_sql.find_active(con, province_code, kind, content_hash, sheet)

    def count_rows(self, province_code: str, kind: str) -> int:
        """How many rows the committed layer of a kind holds for a province."""
        with store_sql.opened(self.path) as con:
            return len(store_sql.layer_rows(con, province_code, kind))

    def version(self, province_code: str) -> tuple[int, ...]:
        """What identifies the store's content for a province (for cache keys)."""
        with store_sql.opened(self.path) as con:
            return store_sql.version(con, province_code)

    def remove(
        self, import_id: int, who: str = "", *, account: auth.Account = auth.CONSOLE
    ) -> dict:
        """Take an import back: mark it removed (who, when; nothing is deleted) so that its
        layer is recomputed from the other imports. Returns the import's record.

        ``account`` must be allowed :attr:`geo.auth.Action.IMPORT_REMOVE` in the import's
        province; it is recorded by name (:func:`geo.auth.recorded_name`: ``who`` is only the
        display name of the command line's :data:`geo.auth.CONSOLE`, the default).

        Raises
        ------
        InputError
            No such import, or it was removed already.
        PermissionDeniedError
            The account may not remove it; nothing is changed.
        """
        who = auth.recorded_name(account, who)
        with store_sql.opened(self.path) as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                found = store_sql.imports_frame(con, None, removed=True)
                found = found[found["import_id"] == int(import_id)]
                if len(found):  # an unknown id is named by mark_removed
                    auth.authorize(
                        account,
                        auth.Action.IMPORT_REMOVE,
                        province_code=str(found["province_code"].iloc[0]),
                    )
                record = store_sql.mark_removed(con, import_id, who)
                con.execute("COMMIT")
            except BaseException:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                raise
        log.info("import %d (%s) removed by %s", import_id, record["file"], who)
        return record

    def remember(
        self, province_code: str, level: str, scope: str, printed: str, target_id: str
    ) -> None:
        """Remember that ``printed`` (a commune within district ``scope``, or a village within
        commune ``scope``) is ``target_id``."""
        key = names.name_key(printed, level=level)
        with store_sql.opened(self.path) as con:
            store_sql.remember(con, province_code, level, scope, key, printed, target_id)

    def confirmations(self, province_code: str, level: str) -> pd.DataFrame:
        """Remembered confirmations: ``scope``, ``name_key``, ``target_id``, ``printed``."""
        with store_sql.opened(self.path) as con:
            return store_sql.confirmations(con, province_code, level)


# ---------------------------------------------------------------------------------------------
# Staged imports
# ---------------------------------------------------------------------------------------------


@dataclass
class _Context:
    data: object  # geo.province.ProvinceData
    store: Store | None
    area: object = None  # the province, buffered, prepared

    @property
    def province_code(self) -> str:
        return self.data.province_code

    @property
    def communes(self) -> gpd.GeoDataFrame:
        return self.data.communes

    @property
    def register(self) -> villages_mod.Register:
        return self.data.register

    def inside(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        if self.area is None:
            area = shapely.union_all(np.asarray(self.communes.geometry.array, dtype=object))
            self.area = area.buffer(0.01)
            shapely.prepare(self.area)
        return shapely.contains_xy(self.area, lon, lat)


@dataclass
class _Parsed:
    """Rows read from a file, fields named, coordinates in WGS 84 (before any matching)."""

    kind: str
    file: str
    sheet: str | None
    sheets: list[str]
    rows: pd.DataFrame  # source_row, sheet, fields…, lon, lat, geometry
    labels: dict[str, str]  # field → header in the file
    issues: list[pd.DataFrame]
    skipped: pd.DataFrame
    proposal: ColumnProposal | None
    crs: CrsChoice | None
    notes: list[tuple[str, str]]
    content_hash: str
    header_rows: list[int] | None = None


@dataclass
class Staged:
    """An import read and matched, waiting for review and :func:`commit`.

    Attributes
    ----------
    kind, file, sheet
        What is imported, from which file (its sanitised name) and sheet or layer.
    sheets
        Every sheet (or layer) of the file, to offer the planner.
    province_code, province
        The province the rows are matched in.
    content_hash
        sha256 of the file's bytes.
    frame
        The rows in the layer's schema (EPSG:4326), with ``source_row`` and ``status``.
    report
        One row per file row (:data:`REPORT_COLUMNS`), skipped rows included.
    problems
        Every problem, with file, sheet, row, field and vi/en messages.
    columns
        The column mapping used (None for rasters).
    crs
        How coordinates were read (None when the file has none).
    notes
        (en, vi) notes on how the file was read.
    header_rows
        The row numbers of the header of a table (two for a two-row header; found, or the
        planner's ``header_row``); None for vector files and rasters.
    already_imported
        The store already holds this file (same content): committing adds nothing.
    register, link, unlinked
        For ``villages``: the register after linking, the link counts, and the current
        register's villages the new one does not hold (kept, flagged ``in_register=False``).
    """

    kind: str
    file: str
    sheet: str | None
    sheets: list[str]
    province_code: str
    province: str
    content_hash: str
    frame: gpd.GeoDataFrame
    report: pd.DataFrame
    problems: list[Problem]
    columns: ColumnProposal | None
    crs: CrsChoice | None
    notes: list[tuple[str, str]] = field(default_factory=list)
    header_rows: list[int] | None = None
    already_imported: bool = False
    register: villages_mod.Register | None = None
    link: villages_mod.LinkReport | None = None
    unlinked: pd.DataFrame | None = None
    _parsed: _Parsed | None = field(default=None, repr=False)
    _ctx: _Context | None = field(default=None, repr=False)
    _overrides: dict = field(default_factory=dict, repr=False)
    _options: dict = field(default_factory=dict, repr=False)

    @property
    def needs_review(self) -> bool:
        """True when a row, the column mapping or the CRS waits for the planner."""
        return bool(
            self.report["status"].isin(["review", "error"]).any()
            or (self.columns is not None and self.columns.needs_mapping)
            or (self.crs is not None and self.crs.needs_confirmation)
        )

    @property
    def review_rows(self) -> pd.DataFrame:
        """The report rows that need the planner (status review or error)."""
        return self.report[self.report["status"].isin(["review", "error"])]

    def summary(self) -> dict:
        """Counts per status and what else needs confirming, for the app and the CLI."""
        counts = self.report["status"].value_counts()
        return {
            "file": self.file,
            "sheet": self.sheet,
            "kind": self.kind,
            "province_code": self.province_code,
            "rows": int(len(self.frame)),
            **{s: int(counts.get(s, 0)) for s in STATUSES},
            "columns_to_confirm": []
            if self.columns is None
            else self.columns.unsure + self.columns.missing,
            "crs": None if self.crs is None else f"EPSG:{self.crs.epsg}",
            "crs_source": None if self.crs is None else self.crs.source,
            "crs_to_confirm": bool(self.crs is not None and self.crs.needs_confirmation),
            "header_rows": self.header_rows,
            "already_imported": self.already_imported,
            "needs_review": self.needs_review,
        }


def _load_context(province, store: Store | None) -> _Context:
    from geo import province as province_mod

    if isinstance(province, province_mod.ProvinceData):
        data = province
    else:
        data = province_mod.load_province(str(province))
    if store is not None:
        layers = load_layers(store, data.province_code)
        if layers.villages is not None or layers.placed is not None:
            data = apply_layers(data, layers, unserved=False)
    return _Context(data, store)


# ---------------------------------------------------------------------------------------------
# Reading: tables and vector files into _Parsed
# ---------------------------------------------------------------------------------------------


def _issue(
    rows: pd.DataFrame,
    mask: np.ndarray | pd.Series,
    severity: str,
    field_label: str | None,
    en: str | pd.Series,
    vi: str | pd.Series,
    values: pd.Series | None = None,
) -> pd.DataFrame:
    """Issues for the rows under ``mask`` (positions in ``rows``), as a frame."""
    mask = np.asarray(mask, dtype=bool)
    idx = np.flatnonzero(mask)
    if not len(idx):
        return pd.DataFrame(columns=["idx", "severity", "field", "en", "vi", "value"])

    def pick(v):
        if isinstance(v, pd.Series):
            return v.to_numpy(dtype=object)[idx]
        return v

    return pd.DataFrame(
        {
            "idx": idx,
            "severity": severity,
            "field": field_label,
            "en": pick(en),
            "vi": pick(vi),
            "value": None
            if values is None
            else pd.Series(values).astype("string").to_numpy(dtype=object)[idx],
        }
    )


def _text(values: pd.Series) -> pd.Series:
    """Cells as stripped text; numbers without a trailing ".0"; missing and blank as <NA>."""
    t = pd.Series(values, copy=False).astype("string").str.strip()
    t = t.str.replace(r"^(-?\d+)\.0$", r"\1", regex=True)
    return t.mask(t == "")


def _marks(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Yes/no marks ("x", "có", "1" / "", "không", "0"): (true, unreadable)."""
    text = _text(values).fillna("")
    key = _map_unique(
        text,
        lambda v: " ".join(
            re.findall(r"[a-z0-9+\-]+", unidecode(re.sub("[✓✔☑√]", "x", v)).lower())
        ),
    )
    true = key.isin(_TRUE_MARKS).to_numpy()
    false = key.isin(_FALSE_MARKS).to_numpy()
    return true, ~true & ~false


def _map_unique(text: pd.Series, func) -> pd.Series:
    """``func`` of each distinct value, spread back to every row (object values kept as they
    are: lists stay lists); missing values give None."""
    codes, uniques = pd.factorize(text)
    lookup = np.empty(len(uniques) + 1, dtype=object)
    for i, v in enumerate(uniques):
        lookup[i] = func(str(v))
    lookup[-1] = None
    return pd.Series(lookup[codes], index=text.index, dtype=object)


def _split_operators(v: str) -> list[str] | None:
    one = canonical_operator(v)
    if one:
        return [one]
    parts = [p for p in re.split(r"\s*(?:[,;/&+|]|\bvà\b|\bva\b|\band\b)\s*", v) if p]
    found = [canonical_operator(p) for p in parts]
    return list(dict.fromkeys(found)) if parts and all(found) else None


def _operators(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Canonical operators per cell, as lists ("Viettel, VNPT" → ["Viettel", "VNPT"]); and a
    mask of non-empty cells naming an unknown operator."""
    text = _text(values)
    mapped = _map_unique(text, _split_operators)
    bad = (text.notna() & mapped.isna()).to_numpy()
    return mapped, bad


def _wide_lists(rows: pd.DataFrame, prefix: str) -> tuple[pd.Series | None, list[pd.DataFrame]]:
    """Lists of the operators (or technologies) marked in one-column-per-value layouts."""
    wide = [c for c in rows.columns if c.startswith(prefix + ":")]
    if not wide:
        return None, []
    out = pd.Series([[] for _ in range(len(rows))], index=rows.index, dtype=object)
    issues = []
    for c in wide:
        true, bad = _marks(rows[c])
        name = c.split(":", 1)[1]
        out = out.where(~true, out.map(lambda lst, n=name: [*lst, n]))
        issues.append((c, bad))
    return out, issues


def _mark_issues(
    rows: pd.DataFrame, labels: dict[str, str], wide_issues: list[tuple[str, np.ndarray]]
) -> list[pd.DataFrame]:
    """Issues for the unreadable marks of :func:`_wide_lists`' columns."""
    return [
        _issue(
            rows,
            bad,
            "error",
            labels[c],
            "write x (or leave empty)",
            "hãy ghi x (hoặc để trống)",
            rows[c],
        )
        for c, bad in wide_issues
    ]


def _operator_column(
    rows: pd.DataFrame, labels: dict[str, str], en: str, vi: str
) -> tuple[pd.Series, pd.DataFrame]:
    """The operators of the ``operator`` column (see :func:`_operators`) and the issue
    (``en``/``vi``) for its cells naming an unknown operator."""
    ops, bad = _operators(rows["operator"])
    return ops, _issue(rows, bad, "error", labels["operator"], en, vi, rows["operator"])


def _village_names(rows: pd.DataFrame, labels: dict[str, str]) -> tuple[pd.Series, pd.DataFrame]:
    """The ``village`` column as text (see :func:`_text`) and the issue for empty names."""
    village = _text(rows["village"])
    return village, _issue(
        rows,
        village.isna().to_numpy(),
        "error",
        labels["village"],
        "the village name is empty",
        "tên thôn/bản bị trống",
    )


def _ambiguous_villages(
    rows: pd.DataFrame, vm: pd.DataFrame, label: str, mask: np.ndarray | bool = True
) -> pd.DataFrame:
    """The issue for rows (under ``mask``) whose village name fits several villages of the
    commune (``vm`` from :func:`_village_matches`)."""
    return _issue(
        rows,
        (vm["village_match_status"] == "ambiguous").to_numpy() & mask,
        "review",
        label,
        "the village name fits several villages of the commune ("
        + vm["village_candidate_names"].astype(str).str.replace("|", ", ")
        + "): choose one",
        "tên thôn khớp với nhiều thôn của xã ("
        + vm["village_candidate_names"].astype(str).str.replace("|", ", ")
        + "): hãy chọn một",
        rows["village"],
    )


def _locate_fields(
    rows: pd.DataFrame,
    labels: dict[str, str],
    ctx: _Context,
    planner_epsg: int | None,
    hint_epsg: int | None,
) -> tuple[np.ndarray, np.ndarray, CrsChoice | None, list, list[pd.DataFrame]]:
    n = len(rows)
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    if {"lon", "lat"} <= set(rows):
        pair, names_ = (rows["lon"], rows["lat"]), ("lon", "lat")
    elif {"easting", "northing"} <= set(rows):
        pair, names_ = (rows["easting"], rows["northing"]), ("easting", "northing")
    elif {"x", "y"} <= set(rows):
        pair, names_ = (rows["x"], rows["y"]), ("x", "y")
    elif "coords" in rows:
        a, b = coords.split_pair(rows["coords"])
        unsplit = (rows["coords"].notna() & a.isna()).to_numpy()
        pair, names_ = (a, b), ("lat", "lon")
    else:
        return lon, lat, None, [], []
    located = coords.locate(
        pair[0],
        pair[1],
        labels=names_,
        planner_epsg=planner_epsg,
        hint_epsg=hint_epsg,
        province_code=ctx.province_code,
        inside=ctx.inside,
    )
    issues = []
    if names_ == ("lat", "lon"):
        f_a = f_b = labels.get("coords", "coords")
        issues.append(
            _issue(
                rows,
                unsplit,
                "error",
                f_a,
                "the cell does not hold two coordinates (write e.g. 21.3875, 103.0125)",
                "ô không chứa đủ hai tọa độ (ví dụ 21,3875; 103,0125)",
                rows["coords"],
            )
        )
    else:
        f_a, f_b = labels.get(names_[0], names_[0]), labels.get(names_[1], names_[1])
    issues.append(
        _issue(
            rows,
            located.bad_a,
            "error",
            f_a,
            "not a coordinate (write decimal degrees such as 21.3875 or 21°23'15\"N, or metres)",
            "không phải tọa độ (hãy ghi độ thập phân như 21,3875 hoặc 21°23'15\"N, hoặc mét)",
            pair[0],
        )
    )
    issues.append(
        _issue(
            rows,
            located.bad_b,
            "error",
            f_b,
            "not a coordinate (write decimal degrees such as 103.0125 or 103°0'45\"E, or metres)",
            "không phải tọa độ (hãy ghi độ thập phân như 103,0125 hoặc 103°0'45\"E, hoặc mét)",
            pair[1],
        )
    )
    issues.append(
        _issue(
            rows,
            located.missing_one,
            "error",
            f_b,
            "only one of the two coordinates is given",
            "chỉ có một trong hai tọa độ",
        )
    )
    issues.append(
        _issue(
            rows,
            located.swapped_rows,
            "review",
            f_a,
            "the two coordinates of this row look swapped against the rest of the file; they "
            "were exchanged",
            "hai tọa độ của dòng này có vẻ bị đảo so với các dòng khác; đã đổi chỗ",
        )
    )
    return located.lon, located.lat, located.crs, located.notes, issues


def _read(
    data: bytes,
    file: str,
    ext: str,
    kind: str,
    ctx: _Context,
    opts: dict,
) -> _Parsed:
    content_hash = hashlib.sha256(data).hexdigest()
    memory = ctx.store.mappings if ctx.store is not None else None
    planner_epsg = coords.parse_crs(opts.get("crs"))
    if ext in vector.RASTER_EXTS:
        return _read_raster(data, file, kind, content_hash, opts)
    if ext in vector.VECTOR_EXTS:
        return _read_vector(data, file, kind, ctx, opts, memory, planner_epsg, content_hash)
    sheets = tables.sheet_names(data, file) if ext in tables.SPREADSHEET_EXTS else []
    sheet = opts.get("sheet")
    if sheets and sheet is None:
        sheet = _best_sheet(data, file, sheets, kind, opts)
    raw = tables.read_table(
        data,
        file,
        sheet=sheet,
        fields=cols.KIND_FIELDS[kind],
        max_rows=opts["max_rows"],
        header_row=opts.get("header_row"),
    )
    proposal = cols.propose_mapping(raw.labels, kind, memory=memory, given=opts.get("mapping"))
    proposal.provided = _provided(opts)
    _require_columns(proposal, file, raw.sheet)
    if proposal.source == "planner" and memory is not None:
        memory.put(proposal)
    d = raw.data
    rows = pd.DataFrame(index=pd.RangeIndex(len(d)))
    rows["source_row"] = d.index.to_numpy(dtype=np.int64)
    rows["sheet"] = raw.sheet
    labels = dict(proposal.mapping)
    for f, label in labels.items():
        rows[f] = d[label].to_numpy(dtype=object)
    # Units written once per block ("I. Huyện Điện Biên") fill the rows below them.
    if raw.sections is not None:
        for level in ("district", "commune"):
            sec = raw.sections[level].to_numpy(dtype=object)
            if pd.notna(sec).any():
                if level in rows:
                    blank = _text(rows[level]).isna().to_numpy()
                    rows[level] = np.where(blank, sec, rows[level].to_numpy(dtype=object))
                else:
                    rows[level] = sec
                    labels[level] = level
    issues: list[pd.DataFrame] = []
    if raw.formula_cells:
        where = {r: i for i, r in enumerate(rows["source_row"].tolist())}
        fc = pd.DataFrame(raw.formula_cells, columns=["row", "label", "formula"])
        fc = fc[fc["row"].isin(where)]
        for label, group in fc.groupby("label", sort=False):
            mask = np.zeros(len(rows), dtype=bool)
            mask[[where[r] for r in group["row"]]] = True
            values = pd.Series(None, index=rows.index, dtype=object)
            values[mask] = group["formula"].to_numpy()
            issues.append(
                _issue(
                    rows,
                    mask,
                    "error",
                    label,
                    "the cell holds a formula whose result is not saved in the file: open the "
                    "file in Excel or LibreOffice, save it, and import it again",
                    "ô chứa công thức nhưng tệp không lưu kết quả: hãy mở tệp bằng Excel hoặc "
                    "LibreOffice, lưu lại rồi nhập lại",
                    values,
                )
            )
    hint = coords.crs_hint([*raw.title, *raw.labels])
    lon, lat, crs, notes, loc_issues = _locate_fields(rows, labels, ctx, planner_epsg, hint)
    rows["lon"], rows["lat"] = lon, lat
    rows["geometry"] = None
    if raw.encoding:
        notes = [
            *notes,
            (
                f"Read as {raw.encoding} text, separated by {raw.delimiter!r}.",
                f"Đọc theo bảng mã {raw.encoding}, phân cách bằng {raw.delimiter!r}.",
            ),
        ]
    return _Parsed(
        kind,
        file,
        raw.sheet,
        sheets,
        rows,
        labels,
        issues + loc_issues,
        raw.skipped,
        proposal,
        crs,
        notes,
        content_hash,
        raw.header_rows,
    )


def _provided(opts: dict) -> tuple[str, ...]:
    return tuple(f for f in ("operator", "technology") if opts.get(f))


def _best_sheet(data: bytes, file: str, sheets: list[str], kind: str, opts: dict) -> str:
    """The first sheet whose header has every required field (else the first sheet)."""
    if len(sheets) == 1:
        return sheets[0]
    for s in sheets:
        try:
            raw = tables.read_table(
                data,
                file,
                sheet=s,
                fields=cols.KIND_FIELDS[kind],
                max_rows=opts["max_rows"],
                header_row=opts.get("header_row"),
            )
        except InputError:
            continue
        if not cols.propose_mapping(raw.labels, kind).missing:
            return s
    return sheets[0]


def _require_columns(proposal: ColumnProposal, file: str, sheet: str | None) -> None:
    missing = proposal.missing
    if not missing:
        return
    labels_vi = {
        "location": "tọa độ (Kinh độ và Vĩ độ, hoặc X và Y)",
        **{f: spec[0] for f, spec in cols.FIELDS.items()},
    }
    labels_en = {
        "location": "coordinates (longitude and latitude, or X and Y)",
        **{f: spec[1] for f, spec in cols.FIELDS.items()},
    }
    problems = [
        Problem(
            "không tìm thấy cột " + " hoặc ".join(labels_vi[a] for a in m.split("|")),
            "no column for " + " or ".join(labels_en[a] for a in m.split("|")),
            file,
            sheet,
            None,
            m,
        )
        for m in missing
    ]
    shown = ", ".join(proposal.labels) or "none"
    raise ColumnMappingError(
        f"The columns of {file} could not all be recognised (its columns: {shown}). Map them "
        "in the app, or rename the headers (e.g. 'Tên thôn', 'Xã', 'Nhà mạng', 'Kinh độ').",
        f"Không nhận ra đủ các cột của {file} (các cột: {shown}). Hãy gán cột trong ứng dụng "
        "hoặc đổi tên tiêu đề (ví dụ 'Tên thôn', 'Xã', 'Nhà mạng', 'Kinh độ').",
        file=file,
        sheet=sheet,
        problems=problems,
        proposal=proposal,
    )


def _read_vector(
    data: bytes,
    file: str,
    kind: str,
    ctx: _Context,
    opts: dict,
    memory: MappingMemory | None,
    planner_epsg: int | None,
    content_hash: str,
) -> _Parsed:
    vt = vector.read_vector(
        data,
        file,
        layer=opts.get("sheet"),
        max_rows=opts["max_rows"],
        max_unzipped=opts["max_bytes"] * 10,
    )
    f = vt.frame
    attr_labels = [
        c for c in f.columns if c not in ("_layer", "_row", "geometry") and f[c].notna().any()
    ]
    proposal = cols.propose_mapping(attr_labels, kind, memory=memory, given=opts.get("mapping"))
    if proposal.source == "recognised":
        # A KML placemark's label names the village (or the site, or the area).
        target = {"sites": "site_name", "coverage": "name"}.get(kind, "village")
        for label in attr_labels:
            if (
                label.lower() == "name"
                and target in cols.KIND_FIELDS[kind]
                and proposal.mapping.get(target) in (None, label)
            ):
                proposal.mapping[target] = label
                proposal.confidence[target] = 0.85
    proposal.geometry = True
    proposal.provided = _provided(opts)
    _require_columns(proposal, file, None if len(vt.layers) > 1 else vt.layers[0])
    if proposal.source == "planner" and memory is not None:
        memory.put(proposal)
    rows = pd.DataFrame(index=pd.RangeIndex(len(f)))
    rows["source_row"] = f["_row"].to_numpy(dtype=np.int64)
    rows["sheet"] = f["_layer"].to_numpy(dtype=object) if len(vt.layers) > 1 else None
    rows["layer"] = f["_layer"].to_numpy(dtype=object)
    labels = dict(proposal.mapping)
    for fld, label in labels.items():
        rows[fld] = f[label].to_numpy(dtype=object)
    geoms = np.asarray(f.geometry.array, dtype=object)
    type_id = shapely.get_type_id(geoms)
    empty = (type_id < 0) | shapely.is_empty(geoms)
    is_point = ~empty & (type_id == shapely.GeometryType.POINT)
    rep = geoms.copy()
    has_geom = ~empty
    rep[has_geom & ~is_point] = shapely.point_on_surface(geoms[has_geom & ~is_point])
    x = np.full(len(f), np.nan)
    y = np.full(len(f), np.nan)
    x[has_geom] = shapely.get_x(rep[has_geom])
    y[has_geom] = shapely.get_y(rep[has_geom])
    epsg_given = planner_epsg or vt.epsg
    labels_xy = ("lon", "lat") if epsg_given == coords.WGS84 else ("easting", "northing")
    notes = list(vt.notes)
    issues: list[pd.DataFrame] = []
    crs = None
    lon = np.full(len(f), np.nan)
    lat = np.full(len(f), np.nan)
    if has_geom.any():
        located = coords.locate(
            pd.Series(x),
            pd.Series(y),
            labels=labels_xy,
            prj_epsg=vt.epsg,
            planner_epsg=planner_epsg,
            province_code=ctx.province_code,
            inside=ctx.inside,
        )
        crs = located.crs
        lon, lat = located.lon, located.lat
        swap_file = crs is not None and crs.axis in ("latlon", "x_northing")
        notes += located.notes
        if (vt.epsg is None and not planner_epsg) or swap_file:
            pass
        # Non-point geometries: transform the whole shapes the same way.
        shapes = has_geom & ~is_point
        geometry = np.full(len(f), None, dtype=object)
        if shapes.any() and crs is not None:
            if crs.epsg == coords.WGS84 and not swap_file:
                geometry[shapes] = geoms[shapes]
            else:
                geometry[shapes] = vector.geometry_to_wgs84(geoms[shapes], crs.epsg, swap=swap_file)
        issues.append(
            _issue(
                rows,
                located.swapped_rows,
                "review",
                "geometry",
                "the two coordinates of this feature look swapped against the rest; they were "
                "exchanged",
                "hai tọa độ của đối tượng này có vẻ bị đảo so với các đối tượng khác; đã đổi chỗ",
            )
        )
    else:
        geometry = np.full(len(f), None, dtype=object)
    rows["lon"], rows["lat"] = lon, lat
    rows["geometry"] = geometry
    rows["geom_type"] = np.where(empty, "", shapely.get_type_id(geoms).astype(str))
    rows["is_point"] = is_point
    rows["has_geom"] = has_geom
    return _Parsed(
        kind,
        file,
        None if len(vt.layers) > 1 else vt.layers[0],
        vt.layers,
        rows,
        labels,
        issues,
        pd.DataFrame(columns=["row", "reason", "text"]),
        proposal,
        crs,
        notes,
        content_hash,
    )


def _read_raster(data: bytes, file: str, kind: str, content_hash: str, opts: dict) -> _Parsed:
    g = vector.read_raster(data, file)
    rows = pd.DataFrame(
        {
            "source_row": [1],
            "sheet": [None],
            "layer": g["_layer"].to_numpy(dtype=object),
            "lon": [np.nan],
            "lat": [np.nan],
            "geometry": g.geometry.to_numpy(dtype=object),
            "is_point": [False],
            "has_geom": [not g.geometry.iloc[0].is_empty],
        }
    )
    return _Parsed(
        kind,
        file,
        None,
        [],
        rows,
        {},
        [],
        pd.DataFrame(columns=["row", "reason", "text"]),
        None,
        None,
        [],
        content_hash,
    )


# ---------------------------------------------------------------------------------------------
# Matching
# ---------------------------------------------------------------------------------------------


def _point_communes(lon: np.ndarray, lat: np.ndarray, communes: gpd.GeoDataFrame) -> pd.DataFrame:
    """For each position: the commune it lies in (``point_commune_code``, ``join_method``)."""
    out = pd.DataFrame(
        {
            "point_commune_code": pd.array([None] * len(lon), dtype="string"),
            "join_method": pd.Series([None] * len(lon), dtype=object),
        }
    )
    ok = ~np.isnan(lon) & ~np.isnan(lat)
    if not ok.any():
        return out
    pts = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(lon[ok], lat[ok]), crs="EPSG:4326", index=np.flatnonzero(ok)
    )
    c = communes.reset_index(drop=True)
    placed = villages_mod.place_in_communes(pts, c)
    idx = placed["commune_index"]
    hit = idx.notna()
    codes = pd.Series(pd.NA, index=placed.index, dtype="string")
    codes[hit] = c["commune_code"].to_numpy(dtype=object)[idx[hit].astype(int).to_numpy()]
    out.loc[placed.index, "point_commune_code"] = codes.to_numpy()
    out.loc[placed.index, "join_method"] = placed["join_method"].to_numpy(dtype=object)
    return out


def _commune_info(communes: gpd.GeoDataFrame) -> pd.DataFrame:
    return (
        communes.dropna(subset=["commune_code"])
        .drop_duplicates("commune_code")
        .set_index("commune_code")
    )


def _resolve_units(rows: pd.DataFrame, ctx: _Context, overrides: dict) -> pd.DataFrame:
    """Each row's commune: by its names (within its district), by its position, by the
    planner's confirmation (now or remembered); with how it was found and why not."""
    n = len(rows)
    out = pd.DataFrame(index=rows.index)
    has_names = "commune" in rows
    if has_names:
        q = pd.DataFrame(
            {
                "commune": _text(rows["commune"]).fillna("").to_numpy(dtype=object),
                "district": (
                    _text(rows["district"]).fillna("").to_numpy(dtype=object)
                    if "district" in rows
                    else ""
                ),
            },
            index=rows.index,
        )
        res = units.resolve_communes(
            q,
            ctx.province_code,
            ctx.communes,
            district_col="district" if "district" in rows else None,
        )
        out["commune_code"] = res["commune_code"].astype("string")
        out["match_status"] = res["match_status"].astype(object)
        out["match_score"] = res["match_score"].astype(float)
        out["candidates"] = res["match_candidates"].astype(object)
        out["district_code"] = res["district_code"].astype("string")
        out["district_match_status"] = res["district_match_status"].astype(object)
        # A district written but not found: the commune was searched in the whole province.
        out.loc[q["commune"] == "", "match_status"] = "none"
    else:
        out["commune_code"] = pd.array([None] * n, dtype="string")
        out["match_status"] = "none"
        out["match_score"] = 0.0
        out["candidates"] = ""
        out["district_code"] = pd.array([None] * n, dtype="string")
        out["district_match_status"] = "none"
    out["commune_source"] = np.where(out["commune_code"].notna(), "name", None)

    # Remembered confirmations: the same printed name in the same district.
    if ctx.store is not None and has_names:
        conf = ctx.store.confirmations(ctx.province_code, "commune")
        if len(conf):
            key = names.name_keys(_text(rows["commune"]).fillna(""), level="commune")
            scope = out["district_code"].fillna("").astype(object)
            lookup = conf.set_index(["scope", "name_key"])["target_id"]
            lookup = lookup[~lookup.index.duplicated()]
            idx = pd.MultiIndex.from_arrays([scope.to_numpy(), key.to_numpy()])
            hit = pd.Series(lookup.reindex(idx).to_numpy(), index=rows.index)
            # A confirmation made without a district applies in any district.
            anyd = conf[conf["scope"] == ""].drop_duplicates("name_key").set_index("name_key")
            anywhere = key.map(anyd["target_id"]).astype(object)
            hit = hit.astype(object).where(hit.notna(), anywhere)
            use = hit.notna() & ~out["match_status"].isin(["exact", "normalised"])
            out.loc[use, "commune_code"] = hit[use].astype(str)
            out.loc[use, "match_status"] = "confirmed"
            out.loc[use, "commune_source"] = "remembered"

    # Positions.
    pc = _point_communes(rows["lon"].to_numpy(), rows["lat"].to_numpy(), ctx.communes)
    pc.index = rows.index
    out["point_commune_code"] = pc["point_commune_code"]
    out["join_method"] = pc["join_method"]
    use_point = out["commune_code"].isna() & out["point_commune_code"].notna()
    out.loc[use_point, "commune_code"] = out.loc[use_point, "point_commune_code"]
    out.loc[use_point, "commune_source"] = "point"

    # The planner's confirmations in this review.
    for i, o in overrides.items():
        if i not in out.index:
            continue
        if o.get("commune_code"):
            out.loc[i, "commune_code"] = o["commune_code"]
            out.loc[i, "match_status"] = "confirmed"
            out.loc[i, "commune_source"] = "confirmed"

    info = _commune_info(ctx.communes)
    gso = units.gso_units().drop_duplicates("commune_code").set_index("commune_code")
    code = out["commune_code"]
    out["commune_gso"] = code.map(info["commune"]).fillna(code.map(gso["commune"]))
    dcode = code.map(info["district_code"]).fillna(code.map(gso["district_code"]))
    out["district_code"] = dcode.where(dcode.notna(), out["district_code"]).astype("string")
    dnames = (
        ctx.communes.dropna(subset=["district_code"])
        .drop_duplicates("district_code")
        .set_index("district_code")["district"]
    )
    out["district_gso"] = out["district_code"].map(dnames)
    out["province_gso"] = code.map(info["province"]).fillna(ctx.data.province)
    out["gid_3"] = code.map(info["gid_3"])
    out["commune_2025_code"] = code.map(info["commune_2025_code"])
    # The candidates' names, for the review table.
    names_by_code = pd.concat([gso["commune"], info["commune"]])
    names_by_code = names_by_code[~names_by_code.index.duplicated()]
    out["candidate_names"] = _candidate_names(out["candidates"], names_by_code)
    return out


def _candidate_names(candidates: pd.Series, table: pd.Series) -> pd.Series:
    c = candidates.fillna("").astype(str)
    out = pd.Series("", index=c.index, dtype=object)
    several = c != ""
    if several.any():
        exploded = c[several].str.split("|").explode()
        named = exploded.map(table).fillna(exploded)
        out[several] = named.groupby(level=0).agg("|".join)
    return out


def _village_matches(
    rows: pd.DataFrame, units_: pd.DataFrame, ctx: _Context, overrides: dict
) -> pd.DataFrame:
    """Each row's village in the register (within its commune), remembered and confirmed
    choices applied."""
    q = pd.DataFrame(
        {
            "village": _text(rows["village"]).fillna("").to_numpy(dtype=object),
            "commune_code": units_["commune_code"].fillna("").to_numpy(dtype=object),
        },
        index=rows.index,
    )
    reg = ctx.register.villages
    vm = villages_mod.match_villages(q, reg)
    vm["village_source"] = np.where(vm["village_id"].notna(), "name", None)
    if ctx.store is not None:
        conf = ctx.store.confirmations(ctx.province_code, "village")
        if len(conf):
            key = names.name_keys(q["village"], level="village")
            lookup = conf.set_index(["scope", "name_key"])["target_id"]
            lookup = lookup[~lookup.index.duplicated()]
            idx = pd.MultiIndex.from_arrays([q["commune_code"].to_numpy(), key.to_numpy()])
            hit = pd.Series(lookup.reindex(idx).to_numpy(), index=rows.index)
            use = hit.notna() & ~vm["village_match_status"].isin(["exact", "normalised"])
            vm.loc[use, "village_id"] = hit[use]
            vm.loc[use, "village_match_status"] = "confirmed"
            vm.loc[use, "village_source"] = "remembered"
    for i, o in overrides.items():
        if i in vm.index and o.get("village_id"):
            vm.loc[i, "village_id"] = o["village_id"]
            vm.loc[i, "village_match_status"] = "confirmed"
            vm.loc[i, "village_source"] = "confirmed"
    by_id = reg.drop_duplicates("village_id").set_index("village_id")
    vm["register_name"] = vm["village_id"].map(by_id["village"])
    vm["village_candidate_names"] = _candidate_names(
        vm["village_match_candidates"], by_id["village"]
    )
    return vm


# ---------------------------------------------------------------------------------------------
# Kinds
# ---------------------------------------------------------------------------------------------


def _province_rows(rows: pd.DataFrame, ctx: _Context, label: str) -> pd.DataFrame:
    """Issues for rows that name another province."""
    if "province" not in rows:
        return _issue(rows, np.zeros(len(rows), bool), "review", label, "", "")
    text = _text(rows["province"])
    other = np.zeros(len(rows), dtype=bool)
    for value in pd.unique(text.dropna()):
        try:
            code, _ = units.resolve_province(str(value))
        except InputError:
            continue
        if code != ctx.province_code:
            other |= (text == value).fillna(False).to_numpy()
    return _issue(
        rows,
        other,
        "review",
        label,
        f"the row names another province than {ctx.data.province}",
        f"dòng ghi tỉnh khác với {ctx.data.province}",
        rows["province"],
    )


def _unit_issues(
    rows: pd.DataFrame, u: pd.DataFrame, labels: dict, *, need_commune: bool
) -> list[pd.DataFrame]:
    issues = []
    c_label = labels.get("commune", "commune")
    status = u["match_status"]
    code = u["commune_code"]
    if "commune" in rows:
        written = _text(rows["commune"]).notna()
        amb = (status == "ambiguous") & code.isna()
        issues.append(
            _issue(
                rows,
                amb,
                "review",
                c_label,
                "the commune name fits several communes ("
                + u["candidate_names"].astype(str).str.replace("|", ", ")
                + "): choose one",
                "tên xã khớp với nhiều xã ("
                + u["candidate_names"].astype(str).str.replace("|", ", ")
                + "): hãy chọn một",
                rows["commune"],
            )
        )
        none = (status == "none") & code.isna() & written
        issues.append(
            _issue(
                rows,
                none,
                "review",
                c_label,
                "no commune of the province has this name (checked without diacritics and "
                "prefixes): correct it or choose the commune",
                "không có xã nào của tỉnh mang tên này (đã so cả khi bỏ dấu và tiền tố): hãy sửa "
                "hoặc chọn xã",
                rows["commune"],
            )
        )
        empty = ~written & code.isna()
        issues.append(
            _issue(
                rows,
                empty & need_commune,
                "review",
                c_label,
                "the commune is empty",
                "ô xã bị trống",
            )
        )
        # The position and the name disagree.
        conflict = (
            u["point_commune_code"].notna()
            & code.notna()
            & (u["commune_source"] == "name")
            & (u["point_commune_code"] != code)
        ).fillna(False)
        info_name = u["commune_gso"].astype(str)
        issues.append(
            _issue(
                rows,
                conflict,
                "review",
                c_label,
                "the position lies in another commune than "
                + info_name
                + " (code "
                + u["point_commune_code"].astype(str)
                + "): check the name or the coordinates",
                "tọa độ nằm ở xã khác với "
                + info_name
                + " (mã "
                + u["point_commune_code"].astype(str)
                + "): hãy kiểm tra tên hoặc tọa độ",
            )
        )
    elif need_commune:
        issues.append(
            _issue(
                rows,
                code.isna().to_numpy(),
                "review",
                "commune",
                "the row has no commune and its position is not in the province",
                "dòng không có xã và tọa độ không nằm trong tỉnh",
            )
        )
    return issues


def _outside(rows: pd.DataFrame, u: pd.DataFrame, ctx: _Context, label: str) -> pd.DataFrame:
    located = rows["lon"].notna().to_numpy()
    out = located & u["point_commune_code"].isna().to_numpy()
    text = pd.Series(
        np.char.add(
            np.char.add(np.round(rows["lat"].to_numpy(), 6).astype(str), ", "),
            np.round(rows["lon"].to_numpy(), 6).astype(str),
        ),
        index=rows.index,
    )
    return _issue(
        rows,
        out,
        "review",
        label,
        f"the position lies outside {ctx.data.province} (more than 1 km from its communes): "
        "check the coordinates and the CRS",
        f"tọa độ nằm ngoài {ctx.data.province} (cách các xã của tỉnh hơn 1 km): hãy kiểm tra "
        "tọa độ và hệ tọa độ",
        text,
    )


def _loc_label(labels: dict) -> str:
    for f in ("lat", "y", "northing", "coords", "lon", "x", "easting"):
        if f in labels:
            return labels[f]
    return "geometry"


def _kind_sites(p: _Parsed, ctx: _Context, ov: dict) -> tuple[pd.DataFrame, list, dict]:
    rows = p.rows.copy()
    labels = p.labels
    issues: list[pd.DataFrame] = []
    # Operator.
    if "operator" in rows:
        ops, bad_op = _operators(rows["operator"])
        issues.append(
            _issue(
                rows,
                bad_op,
                "error",
                labels["operator"],
                "unknown operator; write Viettel, VNPT (Vinaphone), MobiFone, Vietnamobile or "
                "Gmobile",
                "nhà mạng không rõ; hãy ghi Viettel, VNPT (Vinaphone), MobiFone, Vietnamobile hoặc "
                "Gmobile",
                rows["operator"],
            )
        )
        several = ops.map(lambda v: isinstance(v, list) and len(v) > 1, na_action="ignore")
        several = several.fillna(False).astype(bool).to_numpy()
        issues.append(
            _issue(
                rows,
                several,
                "error",
                labels["operator"],
                "a site record belongs to one operator; write one row per operator",
                "mỗi bản ghi trạm thuộc một nhà mạng; hãy ghi mỗi nhà mạng một dòng",
                rows["operator"],
            )
        )
        operator = ops.map(lambda v: v[0] if isinstance(v, list) and v else None)
    else:
        operator = pd.Series(ov.get("_operator"), index=rows.index, dtype=object)
    missing_op = operator.isna().to_numpy() & ~(
        bad_op if "operator" in rows else np.zeros(len(rows), bool)
    )
    issues.append(
        _issue(
            rows,
            missing_op,
            "error",
            labels.get("operator", "operator"),
            "the operator is empty",
            "ô nhà mạng bị trống",
        )
    )
    # Technology: one column, or one column per technology.
    if "technology" in rows:
        techs = cols.technologies_in(rows["technology"])
        bad_tech = (_text(rows["technology"]).notna() & techs.isna()).to_numpy()
        issues.append(
            _issue(
                rows,
                bad_tech,
                "error",
                labels["technology"],
                "unknown technology; write 2G, 3G, 4G or 5G (LTE, NR, 2G/3G/4G are understood)",
                "công nghệ không rõ; hãy ghi 2G, 3G, 4G hoặc 5G (LTE, NR, 2G/3G/4G cũng được)",
                rows["technology"],
            )
        )
    else:
        techs, wide_issues = _wide_lists(rows, "technology")
        bad_tech = np.zeros(len(rows), bool)
        issues += _mark_issues(rows, labels, wide_issues)
        if techs is None:
            techs = pd.Series(
                [[ov["_technology"]] if ov.get("_technology") else None] * len(rows),
                index=rows.index,
                dtype=object,
            )
    empty_tech = techs.map(lambda v: not v, na_action="ignore").fillna(True).astype(bool)
    issues.append(
        _issue(
            rows,
            empty_tech.to_numpy() & ~bad_tech,
            "error",
            labels.get("technology", "technology"),
            "no technology is given",
            "không ghi công nghệ",
        )
    )
    # Position.
    no_pos = rows["lon"].isna().to_numpy()
    loc_label = _loc_label(labels)
    already = np.zeros(len(rows), dtype=bool)
    for frame in p.issues:
        if len(frame):
            already[frame.loc[frame["severity"] == "error", "idx"].to_numpy(dtype=int)] = True
    issues.append(
        _issue(
            rows,
            no_pos & ~already,
            "error",
            loc_label,
            "the site has no position",
            "trạm không có tọa độ",
        )
    )
    # On-air date.
    if "on_air_date" in rows:
        raw = rows["on_air_date"]
        dates = pd.to_datetime(_text(raw), format="mixed", dayfirst=True, errors="coerce")
        bad_date = (dates.isna() & _text(raw).notna()).to_numpy()
        issues.append(
            _issue(
                rows,
                bad_date,
                "error",
                labels["on_air_date"],
                "not a date (write dd/mm/yyyy)",
                "không phải ngày (hãy ghi ngày/tháng/năm)",
                raw,
            )
        )
    else:
        dates = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[ns]")
    # Site id.
    if "site_id" in rows:
        site_id = _text(rows["site_id"])
    else:
        site_id = pd.Series(pd.NA, index=rows.index, dtype="string")
    no_id = site_id.isna()
    if no_id.any():
        # Ids for records without one, from operator and position (stable across imports).
        key = (
            operator[no_id].astype("string").fillna("")
            + ":"
            + rows.loc[no_id, "lon"].round(6).astype("string").fillna("")
            + ":"
            + rows.loc[no_id, "lat"].round(6).astype("string").fillna("")
        )
        site_id = site_id.astype(object)
        site_id[no_id] = key.map(lambda k: "S" + hashlib.sha1(k.encode()).hexdigest()[:10].upper())
    # Two rows of one site (operator, site id and technology) would be one record; the keys
    # are those of the store (a row of several technologies gives one record per technology,
    # all with the row's site id: see _assemble).
    site_keys = pd.Series(
        [
            [f"{op}|{sid}|{t}" for t in ts]
            if isinstance(op, str) and isinstance(ts, list) and pd.notna(sid)
            else None
            for op, sid, ts in zip(operator, site_id, techs, strict=True)
        ],
        index=rows.index,
        dtype=object,
    )
    minted = no_id.to_numpy()
    for which, label, en, vi in (
        (
            ~minted,
            labels.get("site_id", "site_id"),
            "the same site (operator, site id and technology)",
            "trùng trạm (nhà mạng, mã trạm và công nghệ)",
        ),
        (
            minted,
            loc_label,
            "the same site (operator, position and technology; the file has no site id)",
            "trùng trạm (nhà mạng, tọa độ và công nghệ; tệp không có mã trạm)",
        ),
    ):
        if which.any():
            issues.append(
                _repeated(
                    rows,
                    site_keys.where(which, None),
                    label,
                    en,
                    vi,
                    site_id.astype(object),
                )
            )
    u = _resolve_units(rows, ctx, ov)
    issues.append(_outside(rows, u, ctx, loc_label))
    issues.append(_province_rows(rows, ctx, labels.get("province", "province")))
    out = pd.DataFrame(
        {
            "site_id": site_id.astype(object),
            "operator": operator.astype(object),
            "technology": techs.astype(object),
            "on_air_date": dates.to_numpy(),
            "site_name": _text(rows["site_name"]).astype(object) if "site_name" in rows else None,
            "address": _text(rows["address"]).astype(object) if "address" in rows else None,
            "antenna_height_m": _antenna_height(rows),
            "site_id_minted": no_id.to_numpy(),
            "commune_code": u["commune_code"].astype(object),
            "commune": u["commune_gso"].astype(object),
            "district_code": u["district_code"].astype(object),
            "district": u["district_gso"].astype(object),
            "province_code": ctx.province_code,
            "match_status": np.where(u["point_commune_code"].notna(), "point", "none"),
            "lon": rows["lon"].to_numpy(),
            "lat": rows["lat"].to_numpy(),
        },
        index=rows.index,
    )
    extra = {"units": u}
    if no_id.all() and len(rows):
        extra["notes"] = [
            (
                "The file has no site id column: ids were made from operator and position.",
                "Tệp không có cột mã trạm: mã được tạo từ nhà mạng và tọa độ.",
            )
        ]
    return out, issues, extra


def _antenna_height(rows: pd.DataFrame) -> np.ndarray:
    """The antenna height in metres (float, NaN where empty or not a number); decimal commas
    are read ("32,5")."""
    if "antenna_height" not in rows:
        return np.full(len(rows), np.nan)
    text = _text(rows["antenna_height"]).str.replace(",", ".", regex=False)
    text = text.str.replace(r"\s*m$", "", regex=True)
    return pd.to_numeric(text, errors="coerce").to_numpy(dtype=float)


def _duplicates(
    out: pd.DataFrame, key: pd.Series, rows: pd.DataFrame, label: str, en: str, vi: str
) -> pd.DataFrame:
    dup = key.duplicated(keep="first") & key.notna()
    first = rows["source_row"].groupby(key.to_numpy()).transform("min")
    return _issue(
        rows,
        dup.to_numpy(),
        "error",
        label,
        en + " (row " + first.astype(str) + ")",
        vi + " (dòng " + first.astype(str) + ")",
        key,
    )


def _repeated(
    rows: pd.DataFrame,
    keys: pd.Series,
    field_label: str,
    what_en: str,
    what_vi: str,
    values: pd.Series | None = None,
    severity: str = "review",
    fix: tuple[str, str] | None = None,
) -> pd.DataFrame:
    """Issues for rows that repeat an earlier row of the file: ``keys`` holds, per row, the
    key (or list of keys) it is stored under (None when it has none). Each later row is put in
    review naming the earlier one, since the store keeps one record per key; accepted, the
    later row replaces it. ``fix`` is (en, vi) what to do instead, when accepting is not a
    way out (``severity="error"``)."""
    listed = keys.map(
        lambda v: (
            [k for k in v if k is not None]
            if isinstance(v, list)
            else ([] if v is None or v is pd.NA or (isinstance(v, float) and v != v) else [v])
        )
    )
    pairs = listed.explode().dropna()
    if not len(pairs):
        return _issue(rows, np.zeros(len(rows), dtype=bool), severity, field_label, "", "")
    frame = pd.DataFrame({"pos": pairs.index.to_numpy(dtype=int), "key": pairs.to_numpy()})
    frame = frame.drop_duplicates()
    frame["first"] = frame.groupby("key")["pos"].transform("min")
    later = frame[frame["pos"] != frame["first"]]
    earliest = later.groupby("pos")["first"].min()
    mask = np.zeros(len(rows), dtype=bool)
    mask[earliest.index.to_numpy(dtype=int)] = True
    first_row = pd.Series("", index=rows.index, dtype=object)
    src = rows["source_row"].to_numpy()
    first_row.iloc[earliest.index.to_numpy(dtype=int)] = [
        str(int(src[i])) for i in earliest.to_numpy(dtype=int)
    ]
    if fix is None:
        fix_en = "Correct the file, or accept this row to store it in place of row " + first_row
        fix_vi = "Hãy sửa tệp, hoặc chấp nhận để lưu dòng này thay cho dòng " + first_row
    else:
        fix_en, fix_vi = fix
    return _issue(
        rows,
        mask,
        severity,
        field_label,
        what_en + " as row " + first_row + ": the store keeps one record of them. " + fix_en,
        what_vi + " với dòng " + first_row + ": kho dữ liệu chỉ giữ một bản ghi. " + fix_vi,
        values,
    )


def _kind_villages(p: _Parsed, ctx: _Context, ov: dict):
    rows = p.rows
    labels = p.labels
    issues: list[pd.DataFrame] = []
    village, issue = _village_names(rows, labels)
    issues.append(issue)
    u = _resolve_units(rows, ctx, ov)
    issues += _unit_issues(rows, u, labels, need_commune=True)
    issues.append(_outside(rows, u, ctx, _loc_label(labels)))
    issues.append(_province_rows(rows, ctx, labels.get("province", "province")))
    code = u["commune_code"]
    key = names.name_keys(village.fillna(""), level="village")
    if "source_id" in rows:
        source_id = _text(rows["source_id"])
    else:
        source_id = pd.Series(pd.NA, index=rows.index, dtype="string")
    source_id = source_id.fillna(code.fillna("") + ":" + key.astype("string"))
    point = ~rows["lon"].isna()
    geometry = gpd.GeoSeries(
        gpd.points_from_xy(rows["lon"], rows["lat"]), index=rows.index, crs="EPSG:4326"
    )
    at_commune = villages_mod.locate_at_commune(
        pd.DataFrame({"commune_code": code.astype(object)}, index=rows.index), ctx.communes
    )
    geometry = geometry.where(point, at_commune)
    info = _commune_info(ctx.communes)
    out = pd.DataFrame(
        {
            "village_id": None,
            "village": village.astype(object),
            "commune_code": code.astype(object),
            "commune": u["commune_gso"].astype(object),
            "district_code": u["district_code"].astype(object),
            "district": u["district_gso"].astype(object),
            "province_code": ctx.province_code,
            "province": u["province_gso"].astype(object),
            "commune_2025_code": code.map(info["commune_2025_code"]).astype(object),
            "gid_3": u["gid_3"].astype(object),
            "location_precision": np.where(point, "point", "commune"),
            "source": SOURCE,
            "source_id": source_id.astype(object),
            "join_method": np.where(point, u["join_method"].fillna("within"), "commune"),
            "match_status": u["match_status"].astype(object),
            "match_score": u["match_score"],
            "lon": rows["lon"].to_numpy(),
            "lat": rows["lat"].to_numpy(),
        },
        index=rows.index,
    )
    for extra in ("households", "population"):
        if extra in rows:
            out[extra] = pd.to_numeric(_text(rows[extra]), errors="coerce")
    dup_key = pd.Series(
        np.where(
            code.notna() & village.notna(),
            code.fillna("").astype(str) + "|" + key.astype(str),
            None,
        ),
        index=rows.index,
    )
    if "source_id" in rows:
        issues.append(
            _duplicates(
                out,
                _text(rows["source_id"]),
                rows,
                labels["source_id"],
                "the village code repeats",
                "mã thôn bị trùng",
            )
        )
    else:
        dup = dup_key.duplicated(keep="first") & dup_key.notna()
        first = rows["source_row"].groupby(dup_key.fillna("").to_numpy()).transform("min")
        issues.append(
            _issue(
                rows,
                dup.to_numpy(),
                "review",
                labels["village"],
                "the same village name appears twice in this commune (row "
                + first.astype(str)
                + "); give each a village code (Mã thôn) if both are real",
                "tên thôn lặp lại trong cùng xã (dòng "
                + first.astype(str)
                + "); nếu cả hai đều đúng, hãy thêm cột mã thôn",
                village,
            )
        )
    # Link to the current register: ids kept through the aliases, or by name in the commune.
    linkable = (code.notna() & village.notna()).to_numpy()
    extra: dict = {"units": u, "geometry": geometry}
    if linkable.any():
        forced = {
            i: o["village_id"]
            for i, o in ov.items()
            if not isinstance(i, str) and o.get("village_id")
        }
        frame = gpd.GeoDataFrame(out, geometry=geometry.to_numpy(), crs="EPSG:4326")
        register, link, ids = _link(frame, linkable, ctx, forced)
        out.loc[linkable, "village_id"] = ids
        extra.update(register=register, link=link, forced=forced)
        # Two rows linked to one register village (by hand) would be one record.
        same = _repeated(
            rows,
            out["village_id"].where(out["village_id"].notna(), None),
            labels["village"],
            "linked to the same register village",
            "được gắn với cùng một thôn/bản của danh mục",
            village,
            severity="error",
            fix=(
                "Choose another village for one of them (or stage the file again).",
                "Hãy chọn thôn/bản khác cho một trong hai dòng (hoặc nhập lại tệp).",
            ),
        )
        if "source_id" in rows:  # a repeated village code is reported already
            sid = _text(rows["source_id"])
            code_dup = (sid.duplicated(keep="first") & sid.notna()).to_numpy()
            same = same[~code_dup[same["idx"].to_numpy(dtype=int)]]
        issues.append(same)
        review = link.review
        if len(review):
            old_names = ctx.register.villages.drop_duplicates("village_id").set_index("village_id")[
                "village"
            ]
            amb = np.zeros(len(rows), dtype=bool)
            amb[review.index.to_numpy(dtype=int)] = True
            cand = pd.Series("", index=rows.index, dtype=object)
            cand[review.index] = (
                _candidate_names(review["village_match_candidates"], old_names)
                .str.replace("|", ", ")
                .to_numpy()
            )
            issues.append(
                _issue(
                    rows,
                    amb & ~np.isin(np.arange(len(rows)), list(forced)),
                    "review",
                    labels["village"],
                    "the name fits several villages of the current register ("
                    + cand
                    + "); it was given a new id: choose one of them, or confirm it is new",
                    "tên khớp với nhiều thôn của danh mục hiện có ("
                    + cand
                    + "); đã cấp mã mới: hãy chọn một thôn, hoặc xác nhận là thôn mới",
                    village,
                )
            )
    return out, issues, extra


def _link(
    frame: gpd.GeoDataFrame, mask: np.ndarray, ctx: _Context, forced: Mapping[int, str]
) -> tuple[villages_mod.Register, villages_mod.LinkReport, np.ndarray]:
    """Link the rows under ``mask`` to the current register (ids kept through aliases and
    names); ``forced`` maps a row position to the register village the planner chose.

    Returns the new register, the link report and the ids given to the rows under ``mask``.
    """
    new = frame.loc[mask, [*villages_mod.VILLAGE_COLUMNS]].drop(columns=["village_id"])
    new = gpd.GeoDataFrame(new, geometry="geometry", crs="EPSG:4326")
    register, report = villages_mod.link_register(new, ctx.register, source=SOURCE)
    v = register.villages
    n_new = int(mask.sum())
    ids = v["village_id"].to_numpy(dtype=object)[:n_new].copy()
    positions = np.flatnonzero(mask)
    chosen = {j: forced[p] for j, p in enumerate(positions) if p in forced}
    if chosen:
        ids[list(chosen)] = list(chosen.values())
        keep_old = ~(
            v["village_id"].isin(chosen.values()).to_numpy() & ~v["in_register"].to_numpy()
        )
        keep_old[:n_new] = True
        v = v.assign(village_id=np.concatenate([ids, v["village_id"].to_numpy()[n_new:]]))
        v = v[keep_old].reset_index(drop=True)
        aliases = pd.concat(
            [register.aliases, villages_mod.aliases_for(v.iloc[list(chosen)])], ignore_index=True
        ).drop_duplicates(["source", "source_id", "village_id"])
        register = villages_mod.Register(
            gpd.GeoDataFrame(v, geometry="geometry", crs="EPSG:4326"),
            aliases,
            register.note_vi,
            register.note_en,
        )
        report = dataclasses.replace(
            report,
            kept_unlinked=report.kept_unlinked[
                ~report.kept_unlinked["village_id"].isin(chosen.values())
            ],
        )
    return register, report, ids


def _kind_fibre(p: _Parsed, ctx: _Context, ov: dict):
    rows = p.rows
    labels = p.labels
    issues: list[pd.DataFrame] = []
    if "operator" in rows:
        ops, issue = _operator_column(
            rows,
            labels,
            "unknown operator; write Viettel, VNPT, MobiFone, Vietnamobile or Gmobile",
            "nhà mạng không rõ; hãy ghi Viettel, VNPT, MobiFone, Vietnamobile hoặc Gmobile",
        )
        issues.append(issue)
    else:
        ops, wide_issues = _wide_lists(rows, "operator")
        issues += _mark_issues(rows, labels, wide_issues)
        if ops is None:
            ops = pd.Series(
                [[ov["_operator"]] if ov.get("_operator") else None] * len(rows), index=rows.index
            )
    no_op = ops.map(lambda v: not v, na_action="ignore").fillna(True).astype(bool).to_numpy()
    flag_false = np.zeros(len(rows), dtype=bool)
    if "fibre" in rows:
        true, unreadable = _marks(rows["fibre"])
        flag_false = ~true & ~unreadable
        issues.append(
            _issue(
                rows,
                unreadable,
                "error",
                labels["fibre"],
                "write x or có (or leave empty)",
                "hãy ghi x hoặc có (hoặc để trống)",
                rows["fibre"],
            )
        )
    issues.append(
        _issue(
            rows,
            no_op & ~flag_false & ("operator" in rows),
            "error",
            labels.get("operator", "operator"),
            "no operator is given",
            "không ghi nhà mạng",
        )
    )
    polygons = rows.get("has_geom", pd.Series(False, index=rows.index)).to_numpy(
        dtype=bool
    ) & ~rows.get("is_point", pd.Series(True, index=rows.index)).to_numpy(dtype=bool)
    has_name = "village" in rows
    u = _resolve_units(rows, ctx, ov)
    reg = ctx.register.villages
    if has_name:
        vm = _village_matches(rows, u, ctx, ov)
    else:
        vm = pd.DataFrame(
            {
                "village_id": pd.Series(None, index=rows.index, dtype=object),
                "village_match_status": "none",
                "village_match_score": 0.0,
                "village_match_candidates": "",
                "register_name": None,
                "village_candidate_names": "",
                "village_source": None,
            },
            index=rows.index,
        )
    # Points without a name: the nearest register village of the same commune, within 1 km.
    pts = ~polygons & rows["lon"].notna().to_numpy() & vm["village_id"].isna().to_numpy()
    if pts.any() and not has_name:
        near = _nearest_villages(rows.loc[pts], reg)
        vm.loc[near.index, "village_id"] = near["village_id"]
        vm.loc[near.index, "village_match_status"] = near["status"]
        vm.loc[near.index, "register_name"] = near["village"]
    # Areas: every register village inside.
    area_rows = []
    if polygons.any():
        shapes = gpd.GeoDataFrame(
            {"_i": np.flatnonzero(polygons)},
            geometry=list(rows["geometry"].to_numpy(dtype=object)[polygons]),
            crs="EPSG:4326",
        )
        inside = gpd.sjoin(reg[["village_id", "geometry"]], shapes, predicate="within")
        counts = inside.groupby("_i").size()
        for i in np.flatnonzero(polygons):
            vm.loc[rows.index[i], "village_match_status"] = "area" if counts.get(i, 0) else "none"
        area_rows = inside[["_i", "village_id"]]
        issues.append(
            _issue(
                rows,
                polygons & ~np.isin(np.arange(len(rows)), counts.index.to_numpy()),
                "review",
                "geometry",
                "no village of the register lies in this area",
                "không có thôn nào của danh mục nằm trong vùng này",
            )
        )
    village_missing = (
        ~polygons
        & ~flag_false
        & vm["village_id"].isna().to_numpy()
        & (vm["village_match_status"] != "ambiguous").to_numpy()
    )
    if has_name:
        has_location = p.proposal is not None and p.proposal.has_location
        issues += _unit_issues(rows, u, labels, need_commune=not has_location)
        v_label = labels["village"]
        issues.append(_ambiguous_villages(rows, vm, v_label, ~flag_false))
        issues.append(
            _issue(
                rows,
                village_missing & u["commune_code"].notna().to_numpy(),
                "review",
                v_label,
                "the village is not in the register of its commune: choose it, or import the "
                "full village register first",
                "thôn không có trong danh mục thôn của xã: hãy chọn thôn, hoặc nhập danh mục thôn "
                "đầy đủ trước",
                rows["village"],
            )
        )
    elif pts.any():
        issues.append(
            _issue(
                rows,
                village_missing & pts,
                "review",
                _loc_label(labels),
                "no village of the register within 1 km of this point",
                "không có thôn nào của danh mục trong bán kính 1 km",
            )
        )
    if has_name:
        # Two rows naming one village for one operator would be one record.
        keyed = (~polygons & ~flag_false & vm["village_id"].notna().to_numpy()).tolist()
        issues.append(
            _repeated(
                rows,
                pd.Series(
                    [
                        [f"{v}|{op}" for op in ops_] if k and isinstance(ops_, list) else None
                        for v, ops_, k in zip(vm["village_id"], ops, keyed, strict=True)
                    ],
                    index=rows.index,
                    dtype=object,
                ),
                labels["village"],
                "the same village and operator",
                "trùng thôn/bản và nhà mạng",
                rows["village"],
            )
        )
    by_id = reg.drop_duplicates("village_id").set_index("village_id")
    out = pd.DataFrame(
        {
            "village_id": vm["village_id"].astype(object),
            "operators": ops.astype(object),
            "village": vm["register_name"].astype(object),
            "village_printed": _text(rows["village"]).astype(object) if has_name else None,
            "commune_code": vm["village_id"]
            .map(by_id["commune_code"])
            .fillna(u["commune_code"])
            .astype(object),
            "match_status": u["match_status"].astype(object),
            "match_score": u["match_score"],
            "village_match_status": vm["village_match_status"].astype(object),
            "fibre_flag": ~flag_false,
            "is_area": polygons,
        },
        index=rows.index,
    )
    return out, issues, {"units": u, "villages": vm, "areas": area_rows}


def _nearest_villages(rows: pd.DataFrame, reg: gpd.GeoDataFrame) -> pd.DataFrame:
    pts = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(rows["lon"], rows["lat"]), index=rows.index, crs="EPSG:4326"
    )
    metric = "EPSG:32648"
    near = gpd.sjoin_nearest(
        pts.to_crs(metric),
        reg[["village_id", "village", "geometry"]].to_crs(metric),
        how="inner",
        max_distance=1000.0,
    )
    near = near[~near.index.duplicated()]
    return pd.DataFrame(
        {"village_id": near["village_id"], "village": near["village"], "status": "nearest"},
        index=near.index,
    )


def _kind_unserved(p: _Parsed, ctx: _Context, ov: dict, document: str):
    rows = p.rows
    labels = p.labels
    issues: list[pd.DataFrame] = []
    village, issue = _village_names(rows, labels)
    issues.append(issue)
    if "operator" in rows:
        ops, issue = _operator_column(
            rows,
            labels,
            "unknown operator; write Viettel, VNPT (Vinaphone), MobiFone, Vietnamobile or Gmobile",
            "doanh nghiệp không rõ; hãy ghi Viettel, VNPT (Vinaphone), MobiFone, "
            "Vietnamobile hoặc Gmobile",
        )
        issues.append(issue)
    else:
        ops, wide_issues = _wide_lists(rows, "operator")
        issues += _mark_issues(rows, labels, wide_issues)
        if ops is None:
            ops = pd.Series([[]] * len(rows), index=rows.index, dtype=object)
    u = _resolve_units(rows, ctx, ov)
    issues += _unit_issues(rows, u, labels, need_commune=True)
    issues.append(_province_rows(rows, ctx, labels.get("province", "province")))
    vm = _village_matches(rows, u, ctx, ov)
    issues.append(_ambiguous_villages(rows, vm, labels["village"]))
    code = u["commune_code"]
    key = names.name_keys(village.fillna(""), level="village")
    matched = vm["village_id"].notna()
    minted = villages_mod.mint_ids(
        pd.Series(f"{SOURCE}:{ctx.province_code}", index=rows.index),
        code.fillna("").astype(str) + ":" + key.astype(str),
    )
    village_id = vm["village_id"].where(matched, minted)
    # Two rows of one village and operator would be one record.
    keyed = (village.notna() & (matched | code.notna())).to_numpy()
    issues.append(
        _repeated(
            rows,
            pd.Series(
                [
                    ([f"{v}|{op}" for op in ops_] or [f"{v}|"])
                    if k and isinstance(ops_, list)
                    else None
                    for v, ops_, k in zip(village_id, ops, keyed, strict=True)
                ],
                index=rows.index,
                dtype=object,
            ),
            labels["village"],
            "the same village and operator",
            "trùng thôn/bản và doanh nghiệp",
            rows["village"],
        )
    )
    reg = ctx.register.villages.drop_duplicates("village_id").set_index("village_id")
    at_point = gpd.GeoSeries(village_id.map(reg.geometry), index=rows.index, crs="EPSG:4326")
    at_commune = villages_mod.locate_at_commune(
        pd.DataFrame({"commune_code": code.astype(object)}, index=rows.index), ctx.communes
    )
    geometry = at_point.where(matched, at_commune)
    precision = np.where(
        matched & (village_id.map(reg["location_precision"]) == "point"), "point", "commune"
    )
    out = pd.DataFrame(
        {
            "village_id": village_id.astype(object),
            "village": village.astype(object),
            "commune": u["commune_gso"].astype(object),
            "commune_code": code.astype(object),
            "district": u["district_gso"].astype(object),
            "district_code": u["district_code"].astype(object),
            "province": u["province_gso"].astype(object),
            "province_code": ctx.province_code,
            "operators": ops.astype(object),
            "location_precision": precision,
            "match_status": u["match_status"].astype(object),
            "source": document,
            "register_name": vm["register_name"].astype(object),
            "village_match_status": vm["village_match_status"].astype(object),
            "match_score": u["match_score"],
            "match_candidates": u["candidates"].astype(object),
            "commune_printed": _text(rows["commune"]).astype(object),
            "district_printed": (
                _text(rows["district"]).astype(object) if "district" in rows else None
            ),
            "operator_printed": (
                _text(rows["operator"]).astype(object) if "operator" in rows else None
            ),
            "document": document,
            "document_date": None,
            "source_row": rows["source_row"].to_numpy(),
            "commune_2025_code": u["commune_2025_code"].astype(object),
            "gid_3": u["gid_3"].astype(object),
        },
        index=rows.index,
    )
    return out, issues, {"units": u, "villages": vm, "geometry": geometry}


def _kind_coverage(p: _Parsed, ctx: _Context, ov: dict):
    rows = p.rows
    labels = p.labels
    issues: list[pd.DataFrame] = []
    n = len(rows)
    layer = rows.get("layer", pd.Series(None, index=rows.index, dtype=object)).astype("string")
    name = (
        _text(rows["name"])
        if "name" in rows
        else pd.Series(pd.NA, index=rows.index, dtype="string")
    )
    # Operator: the column, else the layer's (folder's) name, else the feature's name, else
    # the planner's choice.
    operator = pd.Series(ov.get("_operator"), index=rows.index, dtype=object)
    found_op = pd.Series(None, index=rows.index, dtype=object)
    for source in (
        rows.get("operator"),
        layer,
        name,
        pd.Series(p.file, index=rows.index),
    ):
        if source is None:
            continue
        ops, _ = _operators(source)
        one = ops.map(
            lambda v: v[0] if isinstance(v, list) and len(v) == 1 else None, na_action="ignore"
        )
        found_op = found_op.where(found_op.notna(), one)
    if "operator" in rows:
        ops, issue = _operator_column(rows, labels, "unknown operator", "nhà mạng không rõ")
        issues.append(issue)
    operator = operator.where(operator.notna(), found_op)
    technology = pd.Series(ov.get("_technology"), index=rows.index, dtype=object)
    found_tech = pd.Series(None, index=rows.index, dtype=object)
    for source in (
        rows.get("technology"),
        layer,
        name,
        pd.Series(re.sub(r"[_\-.]", " ", p.file), index=rows.index),
    ):
        if source is None:
            continue
        t = _text(source).fillna("")
        tech = t.str.extract(r"(?i)\b(2G|3G|4G|5G|LTE|NR|GSM|UMTS|WCDMA)\b")[0]
        tech = (
            tech.str.upper()
            .map({"LTE": "4G", "NR": "5G", "GSM": "2G", "UMTS": "3G", "WCDMA": "3G"})
            .fillna(tech.str.upper())
        )
        found_tech = found_tech.where(found_tech.notna(), tech)
    technology = technology.where(technology.notna(), found_tech)
    issues.append(
        _issue(
            rows,
            operator.isna().to_numpy(),
            "error",
            labels.get("operator", "operator"),
            "the operator is not named by a column, the layer (folder) name or the file "
            "name: give it (--operator in the command line)",
            "không xác định được nhà mạng từ cột, tên lớp (thư mục) hay tên tệp: hãy chọn "
            "nhà mạng (--operator khi chạy lệnh)",
        )
    )
    issues.append(
        _issue(
            rows,
            technology.isna().to_numpy(),
            "error",
            labels.get("technology", "technology"),
            "the technology is not named by a column, the layer name or the file name: give "
            "it (--technology in the command line)",
            "không xác định được công nghệ từ cột, tên lớp hay tên tệp: hãy chọn công nghệ "
            "(--technology khi chạy lệnh)",
        )
    )
    has_geom = rows["has_geom"].to_numpy(dtype=bool)
    is_point = rows["is_point"].to_numpy(dtype=bool)
    geoms = rows["geometry"].to_numpy(dtype=object)
    polygonal = np.zeros(n, dtype=bool)
    ok_geom = np.array([g is not None for g in geoms])
    if ok_geom.any():
        tid = shapely.get_type_id(geoms[ok_geom])
        polygonal[ok_geom] = np.isin(
            tid, [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON]
        )
    issues.append(
        _issue(
            rows,
            has_geom & (is_point | ~polygonal),
            "error",
            "geometry",
            "declared coverage must be polygons (areas), not points or lines",
            "vùng phủ sóng phải là vùng (đa giác), không phải điểm hay đường",
        )
    )
    issues.append(
        _issue(
            rows,
            ~has_geom,
            "error",
            "geometry",
            "the feature has no geometry",
            "đối tượng không có hình học",
        )
    )
    outside = np.zeros(n, dtype=bool)
    if polygonal.any():
        if ctx.area is None:
            ctx.inside(np.array([0.0]), np.array([0.0]))
        outside[polygonal] = ~shapely.intersects(geoms[polygonal], ctx.area)
    issues.append(
        _issue(
            rows,
            outside,
            "review",
            "geometry",
            f"the area does not reach {ctx.data.province}: check the CRS",
            f"vùng không chạm tới {ctx.data.province}: hãy kiểm tra hệ tọa độ",
        )
    )
    out = pd.DataFrame(
        {
            "operator": operator.astype(object),
            "technology": technology.astype(object),
            "name": name.astype(object),
            "layer": layer.astype(object),
            "polygonal": polygonal,
            "match_status": np.where(outside, "none", "area"),
        },
        index=rows.index,
    )
    return out, issues, {"geometry": geoms}


# ---------------------------------------------------------------------------------------------
# Staging
# ---------------------------------------------------------------------------------------------


def _resolve(parsed: _Parsed, ctx: _Context, overrides: dict, options: dict) -> Staged:
    kind = parsed.kind
    rows = parsed.rows
    ov_rows = {k: v for k, v in overrides.items() if isinstance(k, int | np.integer)}
    globals_ = {"_operator": options.get("operator"), "_technology": options.get("technology")}
    ov = {**ov_rows, **globals_}
    # Integer keys are row positions; strings are the options passed through.
    row_ov = {k: v for k, v in ov.items() if not isinstance(k, str)}
    if kind == "sites":
        out, issues, extra = _kind_sites(parsed, ctx, ov)
    elif kind == "villages":
        out, issues, extra = _kind_villages(parsed, ctx, ov)
    elif kind == "fibre":
        out, issues, extra = _kind_fibre(parsed, ctx, ov)
    elif kind == "unserved":
        out, issues, extra = _kind_unserved(parsed, ctx, ov, options["document"])
    else:
        out, issues, extra = _kind_coverage(parsed, ctx, ov)
    all_issues = [i for i in (*parsed.issues, *issues) if len(i)]
    iss = (
        pd.concat(all_issues, ignore_index=True)
        if all_issues
        else pd.DataFrame(columns=["idx", "severity", "field", "en", "vi", "value"])
    )
    iss["idx"] = iss["idx"].astype(int)
    # One message per cell: the first (from reading the file) is the most specific.
    iss = iss.drop_duplicates(["idx", "field"], keep="first")
    # Rows the planner accepted as they are: their review issues are settled.
    accepted = [
        k
        for k, v in row_ov.items()
        if v.get("accept") or v.get("commune_code") or v.get("village_id")
    ]
    if accepted:
        settle = iss["idx"].isin(accepted) & (iss["severity"] == "review")
        iss = iss[~settle]
    severity = pd.Series("ok", index=rows.index, dtype=object)
    if len(iss):
        worst = (
            iss.assign(rank=iss["severity"].map({"error": 2, "review": 1}))
            .groupby("idx")["rank"]
            .max()
        )
        severity.iloc[worst.index.to_numpy()] = worst.map({2: "error", 1: "review"}).to_numpy()
    confirmed = np.isin(np.arange(len(rows)), accepted) & (severity == "ok").to_numpy()
    severity[confirmed] = "confirmed"
    problems = _problems(iss, rows, parsed.file)
    if options["on_error"] == "raise" and (iss["severity"] == "error").any():
        errors = [p for p, s in zip(problems, iss["severity"], strict=True) if s == "error"]
        n = len(errors)
        raise InputError(
            f"{parsed.file} has {n} cell{'s' if n > 1 else ''} that cannot be read; nothing was "
            "imported. Correct them and import the file again.",
            f"{parsed.file} có {n} ô không đọc được; chưa nhập gì. Hãy sửa rồi nhập lại tệp.",
            file=parsed.file,
            sheet=parsed.sheet,
            problems=errors,
        )
    messages = (
        iss.groupby("idx").agg(en=("en", "; ".join), vi=("vi", "; ".join))
        if len(iss)
        else pd.DataFrame(columns=["en", "vi"])
    )
    frame, report = _assemble(kind, parsed, ctx, out, extra, severity, messages, options)
    notes = list(parsed.notes) + extra.get("notes", [])
    staged = Staged(
        kind=kind,
        file=parsed.file,
        sheet=parsed.sheet,
        sheets=parsed.sheets,
        province_code=ctx.province_code,
        province=ctx.data.province,
        content_hash=parsed.content_hash,
        frame=frame,
        report=report,
        problems=problems,
        columns=parsed.proposal,
        crs=parsed.crs,
        notes=notes,
        header_rows=parsed.header_rows,
        _parsed=parsed,
        _ctx=ctx,
        _overrides=dict(overrides),
        _options=dict(options),
    )
    if kind == "villages" and "register" in extra:
        staged.register = extra["register"]
        staged.link = extra["link"]
        staged.unlinked = extra["link"].kept_unlinked
    report = report.drop(columns="_pos")
    staged.report = report
    if ctx.store is not None:
        staged.already_imported = (
            ctx.store.find_import(ctx.province_code, kind, parsed.content_hash, parsed.sheet)
            is not None
        )
    return staged


def _problems(iss: pd.DataFrame, rows: pd.DataFrame, file: str) -> list[Problem]:
    if not len(iss):
        return []
    src = rows["source_row"].to_numpy()[iss["idx"].to_numpy()]
    sheet = rows["sheet"].to_numpy(dtype=object)[iss["idx"].to_numpy()]
    return [
        Problem(vi, en, file, sh, int(r), f, None if v is None or v is pd.NA else str(v))
        for vi, en, sh, r, f, v in zip(
            iss["vi"], iss["en"], sheet, src, iss["field"], iss["value"], strict=True
        )
    ]


def _operator_list(values: pd.Series) -> pd.Series:
    return values.map(
        lambda v: (
            list(v)
            if isinstance(v, list | tuple | np.ndarray)
            else ([] if v is None or v is pd.NA or v != v else [v])
        )
    )


def _assemble(
    kind: str,
    parsed: _Parsed,
    ctx: _Context,
    out: pd.DataFrame,
    extra: dict,
    severity: pd.Series,
    messages: pd.DataFrame,
    options: dict,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    rows = parsed.rows
    pos = np.arange(len(rows))
    u = extra.get("units")
    vm = extra.get("villages")
    rep = pd.DataFrame(
        {
            "_pos": pos,
            "row": rows["source_row"].to_numpy(),
            "sheet": rows["sheet"].to_numpy(dtype=object),
            "status": severity.to_numpy(dtype=object),
        }
    )
    msg_en = pd.Series("", index=rows.index, dtype=object)
    msg_vi = pd.Series("", index=rows.index, dtype=object)
    if len(messages):
        msg_en.iloc[messages.index.to_numpy()] = messages["en"].to_numpy()
        msg_vi.iloc[messages.index.to_numpy()] = messages["vi"].to_numpy()

    def col(name):
        return _text(rows[name]).to_numpy(dtype=object) if name in rows else None

    rep["match_status"] = out["match_status"].to_numpy(dtype=object)
    rep["match_score"] = out["match_score"].to_numpy() if "match_score" in out else np.nan
    rep["village_match_status"] = (
        vm["village_match_status"].to_numpy(dtype=object) if vm is not None else None
    )
    rep["village"] = col("village")
    rep["commune"] = col("commune")
    rep["district"] = col("district")
    rep["operator"] = col("operator")
    rep["technology"] = col("technology")
    rep["site_id"] = out["site_id"].to_numpy(dtype=object) if "site_id" in out else None
    rep["commune_code"] = u["commune_code"].to_numpy(dtype=object) if u is not None else None
    rep["commune_gso"] = u["commune_gso"].to_numpy(dtype=object) if u is not None else None
    rep["district_code"] = u["district_code"].to_numpy(dtype=object) if u is not None else None
    rep["village_id"] = out["village_id"].to_numpy(dtype=object) if "village_id" in out else None
    rep["register_name"] = vm["register_name"].to_numpy(dtype=object) if vm is not None else None
    cand = u["candidates"].astype(str) if u is not None else pd.Series("", index=rows.index)
    cand_names = (
        u["candidate_names"].astype(str) if u is not None else pd.Series("", index=rows.index)
    )
    if vm is not None:
        vcand = vm["village_match_candidates"].fillna("").astype(str)
        use_v = vcand != ""
        cand = cand.where(~use_v, vcand)
        cand_names = cand_names.where(~use_v, vm["village_candidate_names"].astype(str))
    rep["candidates"] = cand.to_numpy(dtype=object)
    rep["candidate_names"] = cand_names.to_numpy(dtype=object)
    rep["location_precision"] = (
        out["location_precision"].to_numpy(dtype=object) if "location_precision" in out else None
    )
    rep["lon"] = rows["lon"].to_numpy()
    rep["lat"] = rows["lat"].to_numpy()
    rep["message_en"] = msg_en.to_numpy()
    rep["message_vi"] = msg_vi.to_numpy()
    # Skipped rows of tables (totals, footers, sections, numbering).
    if len(parsed.skipped):
        sk = parsed.skipped
        reasons_en = {
            "total": "total row, skipped",
            "footer": "footer (signature, date or note), skipped",
            "section": "section heading, skipped (its unit fills the rows below)",
            "numbering": "row of column numbers, skipped",
        }
        reasons_vi = {
            "total": "dòng tổng, đã bỏ qua",
            "footer": "phần cuối (chữ ký, ngày tháng, ghi chú), đã bỏ qua",
            "section": "dòng tiêu đề nhóm, đã bỏ qua (đơn vị được điền cho các dòng dưới)",
            "numbering": "dòng đánh số cột, đã bỏ qua",
        }
        skipped = pd.DataFrame(
            {
                "_pos": -1,
                "row": sk["row"].to_numpy(),
                "sheet": parsed.sheet,
                "status": "skipped",
                "message_en": sk["reason"].map(reasons_en) + ": " + sk["text"].astype(str),
                "message_vi": sk["reason"].map(reasons_vi) + ": " + sk["text"].astype(str),
            }
        )
        rep = pd.concat([rep, skipped], ignore_index=True).sort_values(
            ["sheet", "row"], na_position="first", kind="stable"
        )
    rep = rep.reindex(columns=["_pos", *REPORT_COLUMNS]).reset_index(drop=True)

    # The frame, in the layer's schema.
    status = severity.to_numpy(dtype=object)
    if kind == "sites":
        f = out.assign(status=status, source_row=rows["source_row"].to_numpy())
        f = f.explode("technology")
        f = f[f["technology"].notna()]
        geometry = gpd.points_from_xy(f["lon"], f["lat"])
        frame = gpd.GeoDataFrame(
            f.drop(columns=["lon", "lat"]), geometry=geometry, crs="EPSG:4326"
        ).reset_index(drop=True)
        frame["on_air_date"] = pd.to_datetime(frame["on_air_date"])
    elif kind == "villages":
        f = out.assign(status=status, source_row=rows["source_row"].to_numpy())
        frame = gpd.GeoDataFrame(
            f.drop(columns=["lon", "lat"]), geometry=extra["geometry"].to_numpy(), crs="EPSG:4326"
        )
    elif kind == "unserved":
        f = out.assign(status=status)
        f["operator"] = _operator_list(f.pop("operators"))
        f = f.explode("operator")
        f["operator"] = f["operator"].fillna("")
        geometry = extra["geometry"].reindex(f.index)
        frame = gpd.GeoDataFrame(f, geometry=geometry.to_numpy(), crs="EPSG:4326")
        frame = frame.reset_index(drop=True)
    elif kind == "fibre":
        f = out.assign(status=status, source_row=rows["source_row"].to_numpy())
        f = f[f["fibre_flag"]]
        f["operator"] = _operator_list(f.pop("operators"))
        # A village named twice for one operator: the later row (accepted to replace the
        # earlier) is kept; areas add the villages no row names.
        named = f[~f["is_area"]].explode("operator")
        named = named[named["operator"].notna() & named["village_id"].notna()]
        parts = [named.drop_duplicates(["village_id", "operator"], keep="last")]
        areas = extra.get("areas")
        if areas is not None and len(areas):
            # rows has a RangeIndex: a label is the row's position.
            area_f = f[f["is_area"]].drop(columns=["village_id"])
            area_f = area_f.assign(_i=area_f.index.to_numpy())
            parts.append(areas.merge(area_f, on="_i", how="inner").drop(columns="_i"))
        f = pd.concat(parts, ignore_index=True).explode("operator")
        f = f[f["operator"].notna() & f["village_id"].notna()]
        f = f.drop_duplicates(["village_id", "operator"]).reset_index(drop=True)
        reg = ctx.register.villages.drop_duplicates("village_id").set_index("village_id")
        for c in ("village", "commune_code", "commune", "district_code", "district"):
            f[c] = f["village_id"].map(reg[c])
        f["province_code"] = ctx.province_code
        f["source"] = parsed.file
        frame = gpd.GeoDataFrame(
            f.drop(columns=["fibre_flag", "is_area"]),
            geometry=f["village_id"].map(reg.geometry).to_numpy(),
            crs="EPSG:4326",
        )
    else:  # coverage
        f = out.assign(status=status, source_row=rows["source_row"].to_numpy())
        g = gpd.GeoDataFrame(f, geometry=list(extra["geometry"]), crs="EPSG:4326")
        g = g[g["polygonal"] & g["operator"].notna() & g["technology"].notna()]
        if len(g):
            g["geometry"] = shapely.make_valid(np.asarray(g.geometry.array, dtype=object))
            agg = g.dissolve(
                by=["operator", "technology"],
                aggfunc={
                    "name": lambda s: "; ".join(dict.fromkeys(str(v) for v in s.dropna())),
                    "layer": lambda s: "; ".join(dict.fromkeys(str(v) for v in s.dropna())),
                    "status": lambda s: "review" if (s == "review").any() else "ok",
                    "match_status": "first",
                    "source_row": "min",
                },
            ).reset_index()
        else:
            agg = gpd.GeoDataFrame(
                columns=[
                    "operator",
                    "technology",
                    "name",
                    "layer",
                    "status",
                    "match_status",
                    "source_row",
                    "geometry",
                ],
                geometry="geometry",
                crs="EPSG:4326",
            )
        agg["source"] = parsed.file
        metric = agg.to_crs("EPSG:32648") if len(agg) else agg
        agg["area_km2"] = (metric.geometry.area / 1e6).round(3) if len(agg) else []
        frame = agg
    frame = frame.reset_index(drop=True) if kind != "villages" else frame.reset_index(drop=True)
    return frame, rep


def stage(
    source: str | os.PathLike | bytes | io.IOBase,
    filename: str | None = None,
    kind: str = "sites",
    province=None,
    *,
    sheet: str | None = None,
    header_row: int | None = None,
    mapping: Mapping[str, str] | None = None,
    crs: str | int | None = None,
    operator: str | None = None,
    technology: str | None = None,
    document: str | None = None,
    store: Store | None = None,
    on_error: str = "raise",
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
) -> Staged:
    """Read a planner's file and match it, without storing anything.

    Parameters
    ----------
    source
        A path, the file's bytes, or a file-like object (e.g. Streamlit's upload).
    filename
        The uploaded file's name (sanitised with :func:`safe_name`; only its extension and
        its text for messages are used). Taken from ``source`` when it is a path.
    kind
        One of :data:`KINDS`.
    province
        Name in any spelling, GSO code, or a loaded :class:`~geo.province.ProvinceData`.
    sheet
        The sheet (workbooks) or layer (vector files); the first sheet whose columns fit,
        or every layer, when None.
    header_row
        Tables only: the header's row number (1-based, as Excel shows it) when the one found
        is wrong (a title read as the header, or a data row); see ``Staged.header_rows``.
    mapping
        The planner's column mapping, field → header (see :func:`inspect`); remembered in
        ``store`` for files with the same header.
    crs
        The planner's CRS for the coordinates ("9205", "EPSG:9205", "103°00'"); it wins over
        the file's .prj.
    operator, technology
        For files that do not name them (declared coverage, a single operator's list).
    document
        For unserved lists: the document the list comes from (default: the file's name).
    store
        The import store: its village register and remembered confirmations and mappings are
        used, and it says whether the file was already imported.
    on_error
        ``"raise"``: a cell that cannot be read raises :class:`~geo.errors.InputError` listing
        every one; ``"skip"``: such rows get status ``error`` and are not committed.
    max_bytes, max_rows
        Limits (:data:`MAX_BYTES`, :data:`MAX_ROWS`).

    Returns
    -------
    Staged

    Raises
    ------
    InputError
        The file is too big, empty, of the wrong type, cannot be opened, has too many rows,
        or (``on_error="raise"``) has cells that cannot be read: every bad cell is listed
        with its file, sheet, row and field.
    ColumnMappingError
        A required column could not be recognised; ``.proposal`` holds the best guess.
    """
    if on_error not in ("raise", "skip"):
        raise InputError(
            "on_error must be 'raise' or 'skip'.",
            "on_error phải là 'raise' hoặc 'skip'.",
            field="on_error",
        )
    data, file = _read_source(source, filename, max_bytes)
    ext = _check_type(data, file, kind)
    _check_header_row(header_row, file, ext)
    if province is None:
        raise InputError(
            "Give the province (name or GSO code).",
            "Hãy nhập tỉnh (tên hoặc mã).",
            field="province",
        )
    if operator is not None and canonical_operator(operator) is None:
        raise InputError(
            f"Unknown operator {operator!r}; use one of {', '.join(OPERATORS)}.",
            f"Nhà mạng {operator!r} không rõ; hãy dùng một trong {', '.join(OPERATORS)}.",
            field="operator",
        )
    tech = None
    if technology is not None:
        parsed_tech = cols.technologies_in(pd.Series([technology])).iloc[0]
        if not isinstance(parsed_tech, list) or len(parsed_tech) != 1:
            raise InputError(
                f"Unknown technology {technology!r}; use 2G, 3G, 4G or 5G (LTE, NR).",
                f"Công nghệ {technology!r} không rõ; hãy dùng 2G, 3G, 4G hoặc 5G (LTE, NR).",
                field="technology",
            )
        tech = parsed_tech[0]
    options = {
        "sheet": sheet,
        "header_row": header_row,
        "mapping": dict(mapping) if mapping else None,
        "crs": crs,
        "operator": canonical_operator(operator) if operator else None,
        "technology": tech,
        "document": document or file,
        "on_error": on_error,
        "max_bytes": max_bytes,
        "max_rows": max_rows,
    }
    coords.parse_crs(crs)  # a wrong CRS is reported before the file is read
    ctx = _load_context(province, store)
    parsed = _read(data, file, ext, kind, ctx, options)
    staged = _resolve(parsed, ctx, {}, options)
    staged._options["data"] = data
    log.info("staged %s (%s): %s", file, kind, staged.summary())
    return staged


# ---------------------------------------------------------------------------------------------
# Review
# ---------------------------------------------------------------------------------------------


def _positions(staged: Staged, rows: int | Iterable[int], sheet: str | None) -> list[int]:
    wanted = [rows] if isinstance(rows, int | np.integer) else list(rows)
    src = staged._parsed.rows
    out = []
    for r in wanted:
        hit = src.index[
            (src["source_row"] == r) & ((src["sheet"] == sheet) if sheet is not None else True)
        ]
        if not len(hit):
            raise InputError(
                f"Row {r} is not a data row of {staged.file}.",
                f"Dòng {r} không phải dòng dữ liệu của {staged.file}.",
                file=staged.file,
                sheet=sheet,
                row=int(r),
            )
        out.extend(int(i) for i in hit)
    return out


def confirm(
    staged: Staged,
    rows: int | Iterable[int],
    *,
    commune_code: str | None = None,
    village_id: str | None = None,
    sheet: str | None = None,
    store: Store | None = None,
) -> Staged:
    """Confirm or correct rows in review, and remember the choice.

    Parameters
    ----------
    staged
        The staged import.
    rows
        File row number(s), as in ``staged.report["row"]``.
    commune_code
        The commune these rows are in (a GSO code of the province); their villages are then
        matched within it.
    village_id
        The register village these rows are (its commune is taken from the register).
    sheet
        The sheet or layer of the rows, when the import has several.
    store
        Remember the choice there: the next file that writes the same name (in the same
        district, or commune for a village) is resolved without asking (status ``confirmed``).

    With neither ``commune_code`` nor ``village_id``, the rows are accepted as they are (a
    fuzzy match, a position outside the province).

    Returns
    -------
    Staged
        A new staged import with the rows re-matched (``status`` ``confirmed``).

    Raises
    ------
    InputError
        A row is not a data row, the commune is not in the province, or the village is not
        in the register.
    """
    ctx = staged._ctx
    positions = _positions(staged, rows, sheet)
    if commune_code is not None:
        codes = set(units.commune_candidates(ctx.province_code, ctx.communes)["commune_code"])
        if commune_code not in codes:
            raise InputError(
                f"Commune {commune_code!r} is not a commune of {staged.province}.",
                f"Mã xã {commune_code!r} không thuộc {staged.province}.",
                field="commune_code",
            )
    if village_id is not None:
        reg = ctx.register.villages
        hit = reg[reg["village_id"] == village_id]
        if not len(hit):
            raise InputError(
                f"Village {village_id!r} is not in the register of {staged.province}.",
                f"Thôn {village_id!r} không có trong danh mục thôn của {staged.province}.",
                field="village_id",
            )
        commune_code = commune_code or hit["commune_code"].iloc[0]
    overrides = dict(staged._overrides)
    for i in positions:
        o = dict(overrides.get(i, {}))
        o["accept"] = True
        if commune_code:
            o["commune_code"] = commune_code
        if village_id:
            o["village_id"] = village_id
        overrides[i] = o
    options = dict(staged._options)
    new = _resolve(staged._parsed, ctx, overrides, options)
    new._options["data"] = options.get("data")
    if store is not None:
        src = staged._parsed.rows
        for i in positions:
            # The scope is the district as written (resolved before this confirmation), the
            # one the next file's row will be looked up in.
            before = staged.report
            district = before.loc[
                (before["row"] == src.loc[i, "source_row"])
                & (before["status"] != "skipped")
                & ((before["sheet"] == sheet) if sheet is not None else True)
            ]
            dcode = district["district_code"].iloc[0] if len(district) else None
            if commune_code and "commune" in src and pd.notna(src.loc[i, "commune"]):
                store.remember(
                    ctx.province_code,
                    "commune",
                    "" if pd.isna(dcode) else str(dcode),
                    str(src.loc[i, "commune"]),
                    commune_code,
                )
            if village_id and "village" in src and pd.notna(src.loc[i, "village"]):
                store.remember(
                    ctx.province_code,
                    "village",
                    commune_code,
                    str(src.loc[i, "village"]),
                    village_id,
                )
    return new


def confirm_file(
    staged: Staged,
    *,
    mapping: Mapping[str, str] | None = None,
    crs: str | int | None = None,
    store: Store | None = None,
) -> Staged:
    """Confirm (or change) the column mapping and the CRS, and read the file again.

    Parameters
    ----------
    mapping
        Field → header; the current proposal when None.
    crs
        The CRS; the current one (proposed or read) when None.
    store
        Remember the mapping for files of the same layout.

    Returns
    -------
    Staged
        Re-read with the planner's mapping and CRS; row confirmations made so far are kept.
    """
    data = staged._options.get("data")
    if data is None:
        raise InputError(
            "This staged import no longer holds its file; stage it again.",
            "Lần nhập này không còn giữ tệp; hãy nhập lại.",
        )
    options = dict(staged._options)
    if staged.columns is not None:
        options["mapping"] = dict(mapping or staged.columns.mapping)
    if crs is not None:
        options["crs"] = crs
    elif staged.crs is not None and staged.crs.source not in ("degrees",):
        options["crs"] = staged.crs.epsg
    ctx = staged._ctx
    if store is not None and ctx.store is None:
        ctx = dataclasses.replace(ctx, store=store)
    parsed = _read(data, staged.file, _extension(staged.file), staged.kind, ctx, options)
    new = _resolve(parsed, ctx, staged._overrides, options)
    new._options["data"] = data
    return new


# ---------------------------------------------------------------------------------------------
# Commit and load
# ---------------------------------------------------------------------------------------------


@dataclass
class CommitResult:
    """What :func:`commit` did."""

    import_id: int
    rows_written: int
    rows_left_out: pd.DataFrame
    already_imported: bool = False
    replaced_in_file: int = 0
    """Records of the file that a later row with the same key replaced (rows the planner
    accepted as repeats): ``rows_written`` counts each key once, as the store holds it."""


def _row_keys(kind: str, frame: pd.DataFrame) -> pd.Series:
    if kind == "sites":
        return (
            frame["operator"].astype(str)
            + "|"
            + frame["site_id"].astype(str)
            + "|"
            + frame["technology"].astype(str)
        )
    if kind in ("fibre", "unserved"):
        return frame["village_id"].astype(str) + "|" + frame["operator"].astype(str)
    if kind == "coverage":
        return frame["operator"].astype(str) + "|" + frame["technology"].astype(str)
    return frame["village_id"].astype(str)


def _serialise(frame: gpd.GeoDataFrame) -> tuple[list[str], list[bytes | None]]:
    props = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    for c in props.columns:
        if pd.api.types.is_datetime64_any_dtype(props[c]):
            props[c] = props[c].dt.strftime("%Y-%m-%d").astype(object)
        elif props[c].dtype == object:
            props[c] = props[c].map(
                lambda v: (
                    None
                    if v is None or v is pd.NA or (isinstance(v, float) and v != v)
                    else v.isoformat()
                    if hasattr(v, "isoformat")
                    else v
                )
            )
    text = props.to_json(orient="records", lines=True, force_ascii=False, date_format="iso")
    lines = text.splitlines() if len(props) else []
    wkb = shapely.to_wkb(np.asarray(frame.geometry.array, dtype=object))
    return lines, list(wkb)


def _write_rows(con: sqlite3.Connection, records: list[tuple]) -> None:
    """Insert layer rows (one statement per batch; replaced in tests)."""
    store_sql.insert_rows(con, records)


#: The mode an import of each kind is committed in when none is given: an operator's new list
#: replaces that operator's old one; a register or an unserved list replaces the previous one.
DEFAULT_MODES: dict[str, ImportMode] = {
    "sites": ImportMode.REPLACE_OPERATOR,
    "fibre": ImportMode.REPLACE_OPERATOR,
    "coverage": ImportMode.REPLACE_OPERATOR,
    "unserved": ImportMode.REPLACE_ALL,
    "villages": ImportMode.REPLACE_ALL,
}


def _require_confirmed(staged: Staged) -> None:
    """Refuse a commit while the column mapping or the CRS is only proposed: every row read
    depends on them, so even a partial commit needs them confirmed."""
    problems = []
    what_en, what_vi = [], []
    if staged.columns is not None and staged.columns.needs_mapping:
        fields = staged.columns.unsure + staged.columns.missing
        shown = ", ".join(f"{f} ← {staged.columns.mapping.get(f, '?')}" for f in fields)
        problems.append(
            Problem(
                "cách gán cột chưa được xác nhận: " + shown,
                "the column mapping is not confirmed: " + shown,
                staged.file,
                staged.sheet,
                None,
                "columns",
            )
        )
        what_en.append("the column mapping (confirm_file(mapping=…))")
        what_vi.append("cách gán cột")
    if staged.crs is not None and staged.crs.needs_confirmation:
        problems.append(
            Problem(staged.crs.note_vi, staged.crs.note_en, staged.file, staged.sheet, None, "crs")
        )
        what_en.append(f"the CRS (proposed EPSG:{staged.crs.epsg}; confirm_file(crs=…))")
        what_vi.append(f"hệ tọa độ (đề xuất EPSG:{staged.crs.epsg})")
    if problems:
        raise InputError(
            f"{staged.file} cannot be committed, not even in part: confirm "
            f"{' and '.join(what_en)} first (every row is read with "
            f"{'it' if len(problems) == 1 else 'them'}).",
            f"{staged.file} chưa thể lưu, kể cả chỉ lưu một phần: hãy xác nhận "
            f"{' và '.join(what_vi)} trước (mọi dòng đều được đọc theo đó).",
            file=staged.file,
            sheet=staged.sheet,
            field=problems[0].field if len(problems) == 1 else None,
            problems=problems,
        )


def commit(
    staged: Staged,
    store: Store,
    *,
    allow_partial: bool = False,
    replace: bool = False,
    mode: ImportMode | str | None = None,
    who: str = "",
    account: auth.Account = auth.CONSOLE,
) -> CommitResult:
    """Write a staged import to the store, in one transaction.

    Parameters
    ----------
    staged
        The reviewed import.
    store
        The :class:`Store`.
    allow_partial
        Commit the resolved rows and leave out those still in review or in error (listed in
        ``rows_left_out``). When False, any such row stops the commit. A column mapping or a
        CRS that is only proposed stops it either way (confirm them with
        :func:`confirm_file`).
    replace
        Shorthand for ``mode=ImportMode.REPLACE_ALL`` (a full new list of the kind), committed
        even when the same file is already in the store (otherwise the same content is not
        imported twice: ``already_imported``).
    mode
        How the import combines with the province's earlier imports of the kind
        (:class:`geo.vocab.ImportMode`): ``add``, ``replace-operator`` (the operators of this
        file replace their earlier rows; other operators stay) or ``replace-all``. Default
        :data:`DEFAULT_MODES` (replace-operator for sites, fibre and declared coverage). A
        village register always replaces the previous one (linked through the aliases).
    who
        The display name of the command line's :data:`geo.auth.CONSOLE`; a signed-in
        ``account`` is kept with the import by its own name (:func:`geo.auth.recorded_name`).
    account
        The acting account; it must be allowed :attr:`geo.auth.Action.IMPORT_COMMIT` in the
        import's province. The default :data:`geo.auth.CONSOLE` is the command line's.

    Returns
    -------
    CommitResult

    Raises
    ------
    InputError
        The column mapping or the CRS is only proposed (whatever ``allow_partial`` says), rows
        need review (listed) and ``allow_partial`` is False, or there is nothing to write.
        The store is left as it was.
    PermissionDeniedError
        The account may not import in this province; the store is left as it was.
    """
    auth.authorize(account, auth.Action.IMPORT_COMMIT, province_code=staged.province_code)
    who = auth.recorded_name(account, who)
    kind = staged.kind
    mode = _mode(kind, ImportMode.REPLACE_ALL if replace else mode)
    left = staged.review_rows
    _require_confirmed(staged)
    if not allow_partial:
        _refuse_unreviewed(staged, left)
    frame, keys, repeated, staged = _rows_to_write(staged)
    props, wkb = _serialise(frame)
    operators = (
        frame["operator"].dropna().astype(str).tolist() if "operator" in frame.columns else []
    )
    row_ops = (
        frame["operator"].astype(object).where(frame["operator"].notna(), None).tolist()
        if "operator" in frame.columns
        else [None] * len(frame)
    )
    with store_sql.opened(store.path) as con:
        con.execute("BEGIN IMMEDIATE")
        try:
            existing = store_sql.find_active(
                con, staged.province_code, kind, staged.content_hash, staged.sheet
            )
            if existing is not None and not replace:
                con.execute("ROLLBACK")
                return CommitResult(existing, 0, left, already_imported=True)
            import_id = store_sql.insert_import(
                con,
                province_code=staged.province_code,
                kind=LayerKind(kind),
                file=staged.file,
                sheet=staged.sheet,
                content_hash=staged.content_hash,
                n_rows=len(frame),
                summary=staged.summary(),
                mode=mode,
                operators=operators,
                committed_by=who,
            )
            records = [
                (import_id, k, staged.province_code, kind, op, p, w)
                for k, op, p, w in zip(keys.to_numpy(), row_ops, props, wkb, strict=True)
            ]
            if kind == "villages":
                records += _alias_records(staged, import_id)
            _write_rows(con, records)
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise
    log.info(
        "committed %s (%s, %s): %d rows, import %d", staged.file, kind, mode, len(frame), import_id
    )
    return CommitResult(import_id, int(len(frame)), left, replaced_in_file=int(repeated.sum()))


def _mode(kind: str, mode: ImportMode | str | None) -> ImportMode:
    """The import mode to use (a register always replaces the previous one)."""
    if kind == "villages":
        return ImportMode.REPLACE_ALL
    if mode is None:
        return DEFAULT_MODES[kind]
    try:
        return ImportMode(mode)
    except ValueError:
        choices = ", ".join(m.value for m in ImportMode)
        raise InputError(
            f"Unknown import mode {mode!r}: use one of {choices}.",
            f"Cách nhập {mode!r} không có: hãy dùng một trong {choices}.",
            field="mode",
        ) from None


def _refuse_unreviewed(staged: Staged, left: pd.DataFrame) -> None:
    problems = [
        Problem(vi, en, staged.file, sh, int(r), None)
        for r, sh, en, vi in zip(
            left["row"], left["sheet"], left["message_en"], left["message_vi"], strict=True
        )
    ]
    if problems:
        raise InputError(
            f"{staged.file} is not ready to commit: {len(problems)} item(s) need review. "
            "Confirm or correct them, or commit the resolved rows only (allow_partial).",
            f"{staged.file} chưa thể lưu: {len(problems)} mục cần xem lại. Hãy xác nhận "
            "hoặc sửa, hoặc chỉ lưu các dòng đã khớp (allow_partial).",
            file=staged.file,
            sheet=staged.sheet,
            problems=problems,
        )


def _rows_to_write(staged: Staged) -> tuple[gpd.GeoDataFrame, pd.Series, np.ndarray, Staged]:
    """The resolved rows of a staged import in the store's schema, their keys (one record per
    key: a repeated key keeps the later row), which rows were repeats, and the staged import
    (a register relinked to the rows kept)."""
    kind = staged.kind
    good = staged.frame["status"].isin(["ok", "confirmed"])
    frame = staged.frame[good]
    if kind == "villages" and staged.register is not None and not good.all():
        forced = {
            i: o["village_id"]
            for i, o in staged._overrides.items()
            if not isinstance(i, str) and o.get("village_id")
        }
        register, _, _ = _link(staged.frame, good.to_numpy(), staged._ctx, forced)
        staged = dataclasses.replace(staged, register=register)
    if kind == "villages":
        if staged.register is None or not good.any():
            raise InputError(
                f"{staged.file}: no village could be placed in a commune; nothing to commit.",
                f"{staged.file}: không thôn nào xác định được xã; không có gì để lưu.",
                file=staged.file,
            )
        frame = staged.register.villages
    if not len(frame):
        raise InputError(
            f"{staged.file}: no resolved row to commit.",
            f"{staged.file}: không có dòng nào đã khớp để lưu.",
            file=staged.file,
        )
    keys = _row_keys(kind, frame)
    repeated = keys.duplicated(keep="last").to_numpy()
    if repeated.any():
        frame, keys = frame[~repeated], keys[~repeated]
    return frame, keys, repeated, staged


def _alias_records(staged: Staged, import_id: int) -> list[tuple]:
    """The alias rows of an imported register (kind ``villages_aliases``)."""
    al = staged.register.aliases
    akeys = (
        al["source"].astype(str) + "|" + al["source_id"].astype(str) + "|"
        + al["village_id"].astype(str)
    )
    alias_json = al.to_json(orient="records", lines=True, force_ascii=False)
    return [
        (import_id, k, staged.province_code, "villages_aliases", None, p, None)
        for k, p in zip(akeys, alias_json.splitlines(), strict=True)
    ]


@dataclass
class Layers:
    """The planner's imported layers of one province (None where nothing was imported).

    ``sites`` and ``fibre`` go to :func:`geo.pipeline.build` (:meth:`build_kwargs`);
    ``villages`` (a :class:`~geo.villages.Register`) and ``unserved`` go into the province's
    data (:func:`apply_layers`); ``coverage`` holds declared coverage polygons (operator,
    technology, geometry); ``placed`` the villages placed by hand
    (:func:`geo.placements.placements`, the latest per village), which :func:`apply_layers`
    moves in the register and in the declared unserved list alike.
    """

    province_code: str
    sites: gpd.GeoDataFrame | None = None
    fibre: pd.DataFrame | None = None
    villages: villages_mod.Register | None = None
    unserved: gpd.GeoDataFrame | None = None
    coverage: gpd.GeoDataFrame | None = None
    imports: pd.DataFrame | None = None
    placed: pd.DataFrame | None = None

    def build_kwargs(self) -> dict:
        """``sites=`` and ``fibre=`` for :func:`geo.pipeline.build` (only those imported)."""
        out = {}
        if self.sites is not None:
            out["sites"] = self.sites
        if self.fibre is not None:
            out["fibre"] = self.fibre
        return out


def _load_kind(con: sqlite3.Connection, province_code: str, kind: str) -> gpd.GeoDataFrame | None:
    rows = store_sql.layer_rows(con, province_code, kind)
    if rows.empty:
        return None
    props = pd.read_json(io.StringIO("\n".join(rows["props"])), lines=True, dtype=False)
    wkb = rows["wkb"].tolist()
    if wkb[0] is None:
        return props
    return gpd.GeoDataFrame(props, geometry=shapely.from_wkb(wkb), crs="EPSG:4326")


def load_layers(store: Store, province_code: str) -> Layers:
    """The planner's committed layers of a province, ready for the pipeline.

    Returns
    -------
    Layers
        ``sites`` validated as :func:`geo.sites.validate_sites` expects (EPSG:4326,
        ``on_air_date`` as dates); ``fibre`` with ``village_id``, ``operator``, ``source``;
        ``villages`` as a Register (``in_register`` False for old villages the planner's
        register lacks); ``unserved`` in the schema of the declared list; ``placed`` the
        villages placed by hand (None when there are none), applied by :func:`apply_layers`.
    """
    from geo import placements as placements_mod
    from geo import sites as sites_mod

    with store_sql.opened(store.path) as con:
        sites = _load_kind(con, province_code, "sites")
        fibre = _load_kind(con, province_code, "fibre")
        vill = _load_kind(con, province_code, "villages")
        aliases = _load_kind(con, province_code, "villages_aliases")
        unserved = _load_kind(con, province_code, "unserved")
        coverage = _load_kind(con, province_code, "coverage")
    if sites is not None:
        sites["on_air_date"] = pd.to_datetime(sites["on_air_date"], errors="coerce")
        sites = sites_mod.validate_sites(sites, file=f"store:{province_code}:sites")
    if fibre is not None:
        fibre = pd.DataFrame(fibre[["village_id", "operator", "source"]])
    register = None
    if vill is not None:
        if "in_register" in vill:
            vill["in_register"] = vill["in_register"].astype("boolean").fillna(True).astype(bool)
        for c in ("commune_code", "district_code", "province_code", "source_id"):
            if c in vill:
                vill[c] = vill[c].astype("string").astype(object)
        al = pd.DataFrame(aliases) if aliases is not None else villages_mod.aliases_for(vill)
        register = villages_mod.Register(
            vill,
            al,
            note_vi="Danh mục thôn/bản do người lập quy hoạch nhập.",
            note_en="Village register imported by the planner.",
        )
    if unserved is not None and "document_date" in unserved:
        unserved["document_date"] = pd.to_datetime(unserved["document_date"], errors="coerce")
    placed = placements_mod.placements(store.path, province_code)
    return Layers(
        province_code,
        sites,
        fibre,
        register,
        unserved,
        coverage,
        store.imports(province_code),
        placed if len(placed) else None,
    )


def apply_layers(data, layers: Layers, *, unserved: bool = True):
    """The province's data with the planner's village register and unserved list, and the
    villages placed by hand moved to their point.

    Parameters
    ----------
    data
        A :class:`~geo.province.ProvinceData`.
    layers
        From :func:`load_layers`.
    unserved
        Replace the plan's declared unserved list by the imported one (when there is one).

    Returns
    -------
    ProvinceData
        A copy; ``data`` is not changed. A placed village (``layers.placed``) is moved both in
        the register and in the declared list (the imported one or the plan's), wherever it
        has the same ``village_id``: ``location_precision`` "point", ``join_method``
        "placed" (:func:`geo.placements.apply_placements`).
    """
    out = dataclasses.replace(data)
    if layers.villages is not None:
        out.register = layers.villages
    if unserved and layers.unserved is not None:
        out.declared = layers.unserved
    placed = layers.placed
    if placed is not None and len(placed):
        from geo import placements as placements_mod

        out.register = dataclasses.replace(
            out.register, villages=placements_mod.apply_placements(out.register.villages, placed)
        )
        if out.declared is not None:
            out.declared = placements_mod.apply_placements(out.declared, placed)
    return out


# ---------------------------------------------------------------------------------------------
# Inspection and export
# ---------------------------------------------------------------------------------------------


@dataclass
class Inspection:
    """What a file holds, before staging: for the app to offer sheets and map columns.

    ``sheets`` lists, per sheet or layer: ``name``, ``rows``, ``header_row`` (tables: the
    header's first row number), ``header_rows`` (all of them) and ``header_given`` (True when
    the planner gave it, see :func:`inspect`), ``columns`` (the headers), ``proposal`` (a
    :class:`ColumnProposal`), ``preview`` (the first rows) and ``kind_guess`` (the kind whose
    required columns are all there). A sheet that cannot be read has ``error_en`` and
    ``error_vi`` instead.
    """

    file: str
    kind: str
    sheets: list[dict]


def inspect(
    source: str | os.PathLike | bytes | io.IOBase,
    filename: str | None = None,
    kind: str = "sites",
    *,
    store: Store | None = None,
    max_bytes: int = MAX_BYTES,
    preview_rows: int = 5,
    header_row: int | Mapping[str | None, int] | None = None,
) -> Inspection:
    """List a file's sheets (or layers) with their headers and proposed column mapping.

    Nothing is matched and nothing is stored; the province is not needed.

    Parameters
    ----------
    header_row
        Tables only: the header's row number (1-based, as Excel shows it) when the one found
        is wrong; one number for every sheet, or sheet name → number (the key None for a
        CSV file). A sheet whose given row is not a row of it lists the error.
    """
    data, file = _read_source(source, filename, max_bytes)
    ext = _check_type(data, file, kind)
    _check_header_row(header_row, file, ext)
    memory = store.mappings if store is not None else None
    out = []
    if ext in vector.RASTER_EXTS:
        return Inspection(file, kind, [{"name": PurePath(file).stem, "rows": 1, "columns": []}])
    if ext in vector.VECTOR_EXTS:
        vt = vector.read_vector(data, file, max_rows=MAX_ROWS, max_unzipped=max_bytes * 10)
        for layer, part in vt.frame.groupby("_layer", sort=False):
            labels = [
                c
                for c in part.columns
                if c not in ("_layer", "_row", "geometry") and part[c].notna().any()
            ]
            proposal = cols.propose_mapping(labels, kind, memory=memory)
            out.append(
                {
                    "name": layer,
                    "rows": len(part),
                    "header_row": None,
                    "columns": labels,
                    "proposal": proposal,
                    "preview": pd.DataFrame(part[labels].head(preview_rows)),
                    "kind_guess": _guess_kind(labels),
                }
            )
        return Inspection(file, kind, out)
    sheets = tables.sheet_names(data, file) if ext in tables.SPREADSHEET_EXTS else [None]
    for s in sheets:
        given = header_row.get(s) if isinstance(header_row, Mapping) else header_row
        try:
            raw = tables.read_table(
                data, file, sheet=s, fields=cols.KIND_FIELDS[kind], header_row=given
            )
        except InputError as exc:
            out.append(
                {"name": s, "rows": 0, "error_en": exc.message("en"), "error_vi": exc.message("vi")}
            )
            continue
        proposal = cols.propose_mapping(raw.labels, kind, memory=memory)
        out.append(
            {
                "name": s,
                "rows": len(raw.data),
                "header_row": raw.header_rows[0],
                "header_rows": raw.header_rows,
                "header_given": given is not None,
                "columns": raw.labels,
                "proposal": proposal,
                "preview": raw.data.head(preview_rows),
                "kind_guess": _guess_kind(raw.labels),
                "skipped": raw.skipped,
            }
        )
    return Inspection(file, kind, out)


def _guess_kind(labels: list[str]) -> str | None:
    best = None
    for kind in ("sites", "unserved", "fibre", "villages"):
        p = cols.propose_mapping(labels, kind)
        if not p.missing and not p.unsure:
            score = len(p.mapping)
            if best is None or score > best[0]:
                best = (score, kind)
    return None if best is None else best[1]


def export_frame(staged: Staged) -> gpd.GeoDataFrame:
    """The staged rows in the schema ``python -m geo export`` writes for that layer.

    The columns that need the coverage model (``modelled_mobile_broadband``, the village
    status columns) are left out; the import's ``match_status``, ``status`` and
    ``source_row`` follow the layer's own columns. Rows whose cells could not be read are
    left out (they are in the report).
    """
    from geo import sites as sites_mod

    f = staged.frame
    f = f[f["status"] != "error"] if "status" in f else f
    kind = staged.kind
    if kind == "sites":
        out = f[["site_id", "operator", "technology", "on_air_date", "geometry"]].copy()
        out["physical_site_id"] = (
            sites_mod.physical_sites(out, 30.0) if len(out) else pd.Series(dtype=str)
        )
        out["lon"] = out.geometry.x
        out["lat"] = out.geometry.y
        out["synthetic"] = False
        for c in (
            "site_name",
            "commune_code",
            "commune",
            "district_code",
            "district",
            "match_status",
            "status",
            "source_row",
        ):
            out[c] = f[c].to_numpy()
        return out
    if kind == "villages":
        out = f[villages_mod.EXPORT_COLUMNS].copy()
        out["register_note"] = "Village register imported by the planner."
        for c in ("match_status", "match_score", "status", "source_row"):
            out[c] = f[c].to_numpy()
        return gpd.GeoDataFrame(out, geometry=f.geometry.to_numpy(), crs="EPSG:4326")
    if kind == "unserved":
        out = f[[*EXPORT_COLUMNS, "register_name", "document", "source_row"]].copy()
        for c in ("village_match_status", "match_score", "status"):
            out[c] = f[c].to_numpy()
        return gpd.GeoDataFrame(out, geometry=f.geometry.to_numpy(), crs="EPSG:4326")
    if kind == "fibre":
        g = f.groupby("village_id", sort=False)
        first = g.first()
        out = pd.DataFrame(
            {
                "village_id": first.index.to_numpy(),
                "village": first["village"].to_numpy(),
                "commune": first["commune"].to_numpy(),
                "commune_code": first["commune_code"].to_numpy(),
                "district": first["district"].to_numpy(),
                "district_code": first["district_code"].to_numpy(),
                "province_code": first["province_code"].to_numpy(),
                "fibre_operators": g["operator"]
                .agg(lambda s: ";".join(op for op in OPERATORS if op in set(s)))
                .to_numpy(),
                "synthetic": False,
                "match_status": first["match_status"].to_numpy(),
                "village_match_status": first["village_match_status"].to_numpy(),
                "status": first["status"].to_numpy(),
                "source_row": first["source_row"].to_numpy(),
            }
        )
        geometry = gpd.GeoSeries(f.geometry.to_numpy(), index=f["village_id"].to_numpy())
        geometry = geometry[~geometry.index.duplicated()]
        return gpd.GeoDataFrame(
            out, geometry=geometry.reindex(out["village_id"]).to_numpy(), crs="EPSG:4326"
        )
    return f[
        [
            "operator",
            "technology",
            "name",
            "layer",
            "source",
            "area_km2",
            "match_status",
            "status",
            "source_row",
            "geometry",
        ]
    ].copy()
