"""Staging and review: :func:`stage` reads and matches a file without storing anything;
:func:`confirm` settles rows in review; :func:`confirm_file` confirms the column mapping and the
CRS.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import os
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from geo import units
from geo.errors import InputError
from geo.imports.files import (
    MAX_BYTES,
    MAX_ROWS,
    _check_header_row,
    _check_type,
    _extension,
    _read_source,
)
from geo.imports.model import Staged, _load_context
from geo.imports.reading import _read
from geo.imports.review import _resolve
from geo.imports.store import Store
from geo.operators import OPERATORS, canonical_operator
from geo.readers import columns as cols
from geo.readers import coords

log = logging.getLogger(__name__)


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
        _remember(staged, positions, sheet, store, commune_code, village_id)
    return new


def _remember(
    staged: Staged,
    positions: list[int],
    sheet: str | None,
    store: Store,
    commune_code: str | None,
    village_id: str | None,
) -> None:
    """Remember the planner's choice for the names these rows write: the commune within the
    district as written, the village within its commune."""
    ctx = staged._ctx
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
