"""Committing a reviewed import to the store in one transaction, in a mode (add, replace the
file's operators, replace all).
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import auth
from geo.errors import InputError, Problem
from geo.imports.model import Staged
from geo.imports.store import Store
from geo.imports.villages import _link
from geo.store import imports as store_sql
from geo.vocab import ImportMode, LayerKind

log = logging.getLogger(__name__)


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


def _write_rows(con: store_sql.Connection, records: list[tuple]) -> None:
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
    with store_sql.writing(store.path) as con:
        existing = store_sql.find_active(
            con, staged.province_code, kind, staged.content_hash, staged.sheet
        )
        if existing is not None and not replace:
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
        al["source"].astype(str)
        + "|"
        + al["source_id"].astype(str)
        + "|"
        + al["village_id"].astype(str)
    )
    alias_json = al.to_json(orient="records", lines=True, force_ascii=False)
    return [
        (import_id, k, staged.province_code, "villages_aliases", None, p, None)
        for k, p in zip(akeys, alias_json.splitlines(), strict=True)
    ]
