"""The import store: the planner's committed layers, per province, in one SQLite file (WAL).

A committed *layer* (the sites of a province, its fibre, its village register …) is the union
of the planner's *imports* of that kind, each kept with its file, sheet, rows, who and when, and
the *mode* it was committed in (:class:`geo.vocab.ImportMode`). The rows of every import are
kept apart (``layer_rows``: one row per import and key), so the layer is recomputed by replaying
the active imports in order (:func:`layer_rows`): ``replace-all`` drops what came before,
``replace-operator`` drops the earlier rows of the operators it holds, ``add`` keeps them, and a
later row replaces an earlier one of the same key. Removing an import (:meth:`Store.remove`)
only marks it removed (who, when); nothing is deleted, and the layer recomputes without it.

The file also holds the planner's name confirmations, remembered column mappings
(:class:`geo.readers.columns.MappingMemory`) and villages placed by hand
(:mod:`geo.placements`). It carries ``PRAGMA application_id`` :data:`APPLICATION_ID` and a
schema version (``user_version``); a file of another program, a newer version or a damaged file
is refused by name and left untouched; a store of the first version (no application id, the
same tables) is migrated in one transaction.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing
from pathlib import Path

import numpy as np
import pandas as pd

from geo.errors import CoverageError, InputError
from geo.store import placements as placements_sql
from geo.vocab import ImportMode, LayerKind

__all__ = [
    "APPLICATION_ID",
    "Connection",
    "ENV_STORE",
    "SCHEMA_VERSION",
    "StoreFileError",
    "default_store_path",
    "layer_rows",
]

log = logging.getLogger(__name__)

ENV_STORE = "COVERAGE_IMPORTS_DB"
#: ``PRAGMA application_id`` of an import store ("VNCI").
APPLICATION_ID = 0x564E4349
#: The schema this code writes; 1 was the first store (no application id, one row per key); 3
#: adds the ``placements`` table (:mod:`geo.store.placements`) to the schema, where 2 made it on
#: first use.
SCHEMA_VERSION = 3
#: Seconds a connection waits for another writer before the store is reported busy.
BUSY_TIMEOUT_S = 30.0
_SQLITE_MAGIC = b"SQLite format 3\x00"
#: Tables a store of this project holds (any other table makes a file foreign).
_OUR_TABLES = frozenset(
    {"imports", "layer_rows", "confirmations", "placements", "column_mappings", "sqlite_sequence"}
)


class StoreFileError(CoverageError, OSError):
    """The store's file cannot be used: foreign, newer, damaged, read-only or busy."""


def default_store_path() -> Path:
    """``$COVERAGE_IMPORTS_DB``, else ``imports.sqlite`` in :func:`geo.paths.data_home`."""
    env = os.environ.get(ENV_STORE)
    if env:
        return Path(env).expanduser()
    from geo.paths import data_home

    return data_home() / "imports.sqlite"


_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS imports (
    import_id INTEGER PRIMARY KEY AUTOINCREMENT,
    province_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    file TEXT NOT NULL,
    sheet TEXT NOT NULL DEFAULT '',
    content_hash TEXT NOT NULL,
    n_rows INTEGER NOT NULL,
    committed_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    summary TEXT NOT NULL DEFAULT '{{}}',
    mode TEXT NOT NULL DEFAULT 'add',
    operators TEXT NOT NULL DEFAULT '[]',
    committed_by TEXT NOT NULL DEFAULT '',
    removed_at TEXT,
    removed_by TEXT
);
CREATE INDEX IF NOT EXISTS imports_scope ON imports (province_code, kind, import_id);
CREATE TABLE IF NOT EXISTS layer_rows (
    import_id INTEGER NOT NULL REFERENCES imports (import_id),
    row_key TEXT NOT NULL,
    province_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    operator TEXT,
    props TEXT NOT NULL,
    wkb BLOB,
    PRIMARY KEY (import_id, kind, row_key)
);
CREATE INDEX IF NOT EXISTS layer_rows_scope ON layer_rows (province_code, kind);
CREATE TABLE IF NOT EXISTS confirmations (
    province_code TEXT NOT NULL,
    level TEXT NOT NULL,
    scope TEXT NOT NULL,
    name_key TEXT NOT NULL,
    target_id TEXT NOT NULL,
    printed TEXT NOT NULL,
    updated TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (province_code, level, scope, name_key)
);
CREATE TABLE IF NOT EXISTS column_mappings (
    signature TEXT NOT NULL,
    kind TEXT NOT NULL,
    mapping TEXT NOT NULL,
    labels TEXT NOT NULL,
    updated TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    PRIMARY KEY (signature, kind)
);
{placements_sql.SCHEMA.strip()}
PRAGMA application_id = {APPLICATION_ID};
PRAGMA user_version = {SCHEMA_VERSION};
"""

#: From version 1 (one row per province, kind and key; imports unique by content) to 2.
_MIGRATE_1_2 = f"""
ALTER TABLE imports RENAME TO imports_v1;
ALTER TABLE layer_rows RENAME TO layer_rows_v1;
DROP INDEX IF EXISTS imports_scope;
{_SCHEMA}
INSERT INTO imports (import_id, province_code, kind, file, sheet, content_hash, n_rows,
                     committed_at, summary, mode)
    SELECT import_id, province_code, kind, file, sheet, content_hash, n_rows, committed_at,
           summary, 'add' FROM imports_v1;
INSERT INTO layer_rows (import_id, row_key, province_code, kind, operator, props, wkb)
    SELECT import_id, row_key, province_code, kind, json_extract(props, '$.operator'), props, wkb
    FROM layer_rows_v1;
DROP TABLE layer_rows_v1;
DROP TABLE imports_v1;
"""

#: From version 2 to 3: the placements table, which version 2 made on first use.
_MIGRATE_2_3 = f"""
{placements_sql.SCHEMA.strip()}
PRAGMA user_version = {SCHEMA_VERSION};
"""


def _file_error(path: Path, en: str, vi: str) -> StoreFileError:
    return StoreFileError(
        f"Import store {path}: {en} The file was not changed. Choose another file with "
        f"${ENV_STORE} (or --store).",
        f"Kho dữ liệu nhập {path}: {vi} Tệp không bị thay đổi. Hãy chọn tệp khác bằng "
        f"${ENV_STORE} (hoặc --store).",
        file=str(path),
    )


def _read_only(path: Path, exc: BaseException | None = None) -> StoreFileError:
    detail = f" ({exc})" if exc else ""
    return StoreFileError(
        f"Import store {path} is read-only{detail}: nothing can be saved there. Choose a "
        f"writable folder with ${ENV_STORE} (or --store), or ask for write access.",
        f"Kho dữ liệu nhập {path} chỉ đọc{detail}: không lưu được gì vào đó. Hãy chọn thư mục "
        f"ghi được bằng ${ENV_STORE} (hoặc --store), hoặc xin quyền ghi.",
        file=str(path),
    )


def inspect(path: Path) -> tuple[str, int]:
    """Look at ``path`` without writing: ("new", 0) or ("ours", schema version).

    Raises
    ------
    StoreFileError
        A folder, not an SQLite file, damaged, another program's database, or a newer store.
    """
    if not path.exists() or (path.is_file() and path.stat().st_size == 0):
        return "new", 0
    if path.is_dir():
        raise _file_error(path, "it is a folder, not a file.", "đó là thư mục, không phải tệp.")
    with path.open("rb") as f:
        head = f.read(len(_SQLITE_MAGIC))
    if head != _SQLITE_MAGIC:
        raise _file_error(
            path,
            "the file is not an import store (not an SQLite database, or damaged).",
            "tệp không phải kho dữ liệu nhập (không phải SQLite, hoặc đã hỏng).",
        )
    try:
        uri = f"{path.resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)) as ro:
            app_id = ro.execute("PRAGMA application_id").fetchone()[0]
            version = ro.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in ro.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            check = [r[0] for r in ro.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.DatabaseError as exc:
        if _is_busy(exc):
            raise _busy(path, exc) from exc
        raise _file_error(path, f"the file is damaged ({exc}).", f"tệp đã hỏng ({exc}).") from exc
    if check != ["ok"]:
        raise _file_error(
            path,
            f"the file is damaged (SQLite check: {'; '.join(check[:3])}).",
            f"tệp đã hỏng (kiểm tra SQLite: {'; '.join(check[:3])}).",
        )
    if app_id == 0 and not tables:
        return "new", 0
    if app_id == 0 and tables <= _OUR_TABLES:
        # The first schema (no application id), or a file where only placements or column
        # mappings were kept so far.
        return "ours", 1
    if app_id != APPLICATION_ID or not tables <= _OUR_TABLES:
        raise _file_error(
            path,
            "the file is an SQLite database of another program, not an import store.",
            "tệp là cơ sở dữ liệu SQLite của chương trình khác, không phải kho dữ liệu nhập.",
        )
    if version > SCHEMA_VERSION:
        raise _file_error(
            path,
            f"the store was written by a newer version of the tool (schema {version}; this one "
            f"reads up to {SCHEMA_VERSION}). Update the tool.",
            f"kho do phiên bản mới hơn của công cụ ghi (lược đồ {version}; phiên bản này đọc "
            f"tối đa {SCHEMA_VERSION}). Hãy cập nhật công cụ.",
        )
    return "ours", int(version)


def _is_read_only(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "readonly" in text or "read-only" in text or "unable to open database" in text


def connect(path: Path) -> sqlite3.Connection:
    """Open (create or migrate) the store at ``path``: WAL, foreign keys, busy timeout,
    autocommit (transactions are explicit). Close it after use (``with closing(...)``).

    Raises
    ------
    StoreFileError
        See :func:`inspect`; also a read-only file or folder ("read-only", with the fix).
    """
    kind, version = inspect(path)
    if kind == "new":
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _read_only(path.parent, exc) from exc
        if not os.access(path.parent, os.W_OK):
            raise _read_only(path.parent)
    elif not os.access(path, os.W_OK):
        raise _read_only(path)
    try:
        con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    except sqlite3.OperationalError as exc:
        raise _read_only(path, exc) from exc
    try:
        con.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA foreign_keys=ON")
        if version < SCHEMA_VERSION:
            _migrate(con, version)
    except sqlite3.OperationalError as exc:
        con.close()
        if _is_busy(exc):
            raise _busy(path, exc) from exc
        if _is_read_only(exc):
            raise _read_only(path, exc) from exc
        raise _file_error(
            path, f"it cannot be written ({exc}).", f"không ghi được ({exc})."
        ) from exc
    except BaseException:
        con.close()
        raise
    return con


def _is_busy(exc: BaseException) -> bool:
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def _busy(path: Path, exc: BaseException) -> StoreFileError:
    return StoreFileError(
        f"Import store {path} is busy: another program holds it locked ({exc}). The planner's "
        "layers cannot be read now, and nothing is shown in their place; try again in a "
        "moment, or close the other program.",
        f"Kho dữ liệu nhập {path} đang bận: chương trình khác đang khóa tệp ({exc}). Không đọc "
        "được các lớp dữ liệu đã nhập, và không có gì được hiển thị thay thế; hãy thử lại sau "
        "ít phút, hoặc đóng chương trình kia.",
        file=str(path),
    )


Connection = sqlite3.Connection
"""A connection to the store, as :func:`opened` and :func:`writing` give it (for type hints
outside :mod:`geo.store`, which never import ``sqlite3``)."""


@contextlib.contextmanager
def opened(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection to the store (:func:`connect`), closed after the block; a busy or damaged
    file met while reading or writing raises :class:`StoreFileError` naming it."""
    con = connect(path)
    try:
        yield con
    except sqlite3.OperationalError as exc:
        if _is_busy(exc):
            raise _busy(path, exc) from exc
        raise
    except sqlite3.DatabaseError as exc:
        if isinstance(exc, sqlite3.IntegrityError):
            raise
        raise _file_error(path, f"the file is damaged ({exc}).", f"tệp đã hỏng ({exc}).") from exc
    finally:
        con.close()


@contextlib.contextmanager
def writing(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection to the store (:func:`opened`) inside one write transaction: ``BEGIN
    IMMEDIATE`` on entry, ``COMMIT`` when the block ends, ``ROLLBACK`` on any error (re-raised),
    so that a failed write leaves the store as it was."""
    with opened(path) as con:
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
            con.execute("COMMIT")
        except BaseException:
            if con.in_transaction:
                con.execute("ROLLBACK")
            raise


def _migrate(con: sqlite3.Connection, version: int) -> None:
    """Create the schema (version 0) or migrate a store of version 1 or 2, in one
    transaction."""
    con.execute("BEGIN IMMEDIATE")
    try:
        # Another process may have done it while this one waited for the lock.
        if con.execute("PRAGMA user_version").fetchone()[0] < SCHEMA_VERSION:
            has_imports = con.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'imports'"
            ).fetchone()
            if version == 1 and has_imports:
                script = _MIGRATE_1_2  # it ends with the whole current schema
            elif version == 2:
                script = _MIGRATE_2_3
            else:
                script = _SCHEMA
            for statement in _statements(script):
                con.execute(statement)
        con.execute("COMMIT")
    except BaseException:
        if con.in_transaction:
            con.execute("ROLLBACK")
        raise
    if version in (1, 2):
        log.info("import store migrated from schema %d to %d", version, SCHEMA_VERSION)


def _statements(script: str) -> list[str]:
    """The statements of a script (``executescript`` would commit the open transaction)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            out.append(buf.strip())
            buf = ""
    return [s for s in out if s]


# ---------------------------------------------------------------------------------------------
# Reads and writes
# ---------------------------------------------------------------------------------------------

_IMPORT_COLUMNS = (
    "import_id, province_code, kind, file, sheet, content_hash, n_rows, committed_at, mode, "
    "operators, committed_by, removed_at, removed_by"
)


def imports_frame(
    con: sqlite3.Connection, province_code: str | None = None, *, removed: bool = True
) -> pd.DataFrame:
    """The imports, newest first, of one province or all (with the removed ones unless
    ``removed`` is False)."""
    sql = f"SELECT {_IMPORT_COLUMNS} FROM imports WHERE 1 = 1"
    params: list = []
    if province_code is not None:
        sql += " AND province_code = ?"
        params.append(province_code)
    if not removed:
        sql += " AND removed_at IS NULL"
    out = pd.read_sql_query(sql + " ORDER BY import_id DESC", con, params=params)
    out["operators"] = out["operators"].map(json.loads)
    return out


def find_active(
    con: sqlite3.Connection, province_code: str, kind: str, content_hash: str, sheet: str | None
) -> int | None:
    """The id of an active (not removed) import of the same content, or None."""
    row = con.execute(
        "SELECT import_id FROM imports WHERE province_code = ? AND kind = ? AND content_hash = ? "
        "AND sheet = ? AND removed_at IS NULL ORDER BY import_id DESC",
        (province_code, kind, content_hash, sheet or ""),
    ).fetchone()
    return None if row is None else int(row[0])


def insert_import(
    con: sqlite3.Connection,
    *,
    province_code: str,
    kind: LayerKind,
    file: str,
    sheet: str | None,
    content_hash: str,
    n_rows: int,
    summary: dict,
    mode: ImportMode,
    operators: Iterable[str],
    committed_by: str,
) -> int:
    """Add an import's record (inside the caller's transaction); its id."""
    cur = con.execute(
        "INSERT INTO imports (province_code, kind, file, sheet, content_hash, n_rows, summary, "
        "mode, operators, committed_by, committed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
        (
            province_code,
            str(kind),
            file,
            sheet or "",
            content_hash,
            int(n_rows),
            json.dumps(summary, ensure_ascii=False, default=str),
            str(mode),
            json.dumps(sorted(set(operators)), ensure_ascii=False),
            committed_by or "",
        ),
    )
    return int(cur.lastrowid)


def insert_rows(con: sqlite3.Connection, records: list[tuple]) -> None:
    """Add layer rows (import_id, row_key, province_code, kind, operator, props, wkb)."""
    con.executemany(
        "INSERT OR REPLACE INTO layer_rows (import_id, row_key, province_code, kind, operator, "
        "props, wkb) VALUES (?, ?, ?, ?, ?, ?, ?)",
        records,
    )


def mark_removed(con: sqlite3.Connection, import_id: int, who: str) -> dict:
    """Mark an import removed (who, when); its record as it was. Raises InputError when there
    is no such active import."""
    row = con.execute(
        f"SELECT {_IMPORT_COLUMNS} FROM imports WHERE import_id = ?", (int(import_id),)
    ).fetchone()
    if row is None:
        raise InputError(
            f"There is no import {import_id} in the store; list them with `python -m geo import "
            "list`.",
            f"Không có lần nhập số {import_id} trong kho; xem danh sách bằng `python -m geo "
            "import list`.",
            field="import_id",
        )
    record = dict(zip([c.strip() for c in _IMPORT_COLUMNS.split(",")], row, strict=True))
    if record["removed_at"] is not None:
        raise InputError(
            f"Import {import_id} ({record['file']}) was already removed on "
            f"{record['removed_at']} by {record['removed_by'] or '?'}.",
            f"Lần nhập {import_id} ({record['file']}) đã được gỡ ngày {record['removed_at']} "
            f"bởi {record['removed_by'] or '?'}.",
            field="import_id",
        )
    con.execute(
        "UPDATE imports SET removed_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), removed_by = ? "
        "WHERE import_id = ?",
        (who or "", int(import_id)),
    )
    return record


def version(con: sqlite3.Connection, province_code: str) -> tuple[int, ...]:
    """What identifies the store's content for a province (for cache keys): imports, last
    import, removed imports, placements and last placement."""
    a = con.execute(
        "SELECT COUNT(*), COALESCE(MAX(import_id), 0), COUNT(removed_at) FROM imports "
        "WHERE province_code = ?",
        (province_code,),
    ).fetchone()
    p = con.execute(
        "SELECT COUNT(*), COALESCE(MAX(placement_id), 0) FROM placements WHERE province_code = ?",
        (province_code,),
    ).fetchone()
    return tuple(int(v) for v in (*a, *p))


def stored_rows(
    con: sqlite3.Connection, province_code: str, kind: str
) -> list[tuple[str, int, str, bytes | None]]:
    """Every row stored for a kind in a province, of every import (removed ones too):
    ``(row_key, import_id, props, wkb)``."""
    return con.execute(
        "SELECT row_key, import_id, props, wkb FROM layer_rows WHERE province_code = ? AND "
        "kind = ?",
        (province_code, kind),
    ).fetchall()


def layer_rows(con: sqlite3.Connection, province_code: str, kind: str) -> pd.DataFrame:
    """The rows of a committed layer: the active imports of ``kind`` replayed in order.

    Each import in turn drops earlier rows as its mode says (``replace-all``: all;
    ``replace-operator``: those of its operators; ``add``: none), then its rows replace earlier
    rows of the same key. Vectorised over rows; a loop over imports only.

    Returns
    -------
    pandas.DataFrame
        ``import_id``, ``row_key``, ``operator``, ``props`` (JSON text), ``wkb``; in the order
        the rows were written. Empty when the province has no active import of the kind.
    """
    # Aliases of an imported register follow the register's imports.
    base_kind = "villages" if kind == "villages_aliases" else kind
    imps = pd.read_sql_query(
        "SELECT import_id, mode, operators FROM imports WHERE province_code = ? AND kind = ? "
        "AND removed_at IS NULL ORDER BY import_id",
        con,
        params=(province_code, base_kind),
    )
    columns = ["import_id", "row_key", "operator", "props", "wkb"]
    if imps.empty:
        return pd.DataFrame(columns=columns)
    rows = pd.read_sql_query(
        "SELECT l.import_id, l.row_key, l.operator, l.props, l.wkb FROM layer_rows l JOIN "
        "imports i ON i.import_id = l.import_id WHERE l.province_code = ? AND l.kind = ? AND "
        "i.removed_at IS NULL ORDER BY l.import_id, l.rowid",
        con,
        params=(province_code, kind),
    )
    ids = rows["import_id"].to_numpy()
    keep = np.ones(len(rows), dtype=bool)
    for imp in imps.itertuples(index=False):
        earlier = ids < imp.import_id
        if imp.mode == ImportMode.REPLACE_ALL:
            keep &= ~earlier
        elif imp.mode == ImportMode.REPLACE_OPERATOR:
            keep &= ~(earlier & rows["operator"].isin(json.loads(imp.operators)).to_numpy())
    rows = rows[keep]
    return rows[~rows["row_key"].duplicated(keep="last")].reset_index(drop=True)[columns]


def remember(
    con: sqlite3.Connection,
    province_code: str,
    level: str,
    scope: str,
    key: str,
    printed: str,
    target_id: str,
) -> None:
    """Remember a confirmed name (one statement: its own transaction)."""
    con.execute(
        "INSERT INTO confirmations (province_code, level, scope, name_key, target_id, printed) "
        "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (province_code, level, scope, name_key) DO UPDATE "
        "SET target_id = excluded.target_id, printed = excluded.printed, updated = "
        "CURRENT_TIMESTAMP",
        (province_code, level, scope or "", key, target_id, printed),
    )


def confirmations(con: sqlite3.Connection, province_code: str, level: str) -> pd.DataFrame:
    """Remembered confirmations: ``scope``, ``name_key``, ``target_id``, ``printed``."""
    return pd.read_sql_query(
        "SELECT scope, name_key, target_id, printed FROM confirmations WHERE province_code = ? "
        "AND level = ?",
        con,
        params=(province_code, level),
    )


def get_mapping(con: sqlite3.Connection, signature: str, kind: str) -> dict[str, str] | None:
    """The column mapping remembered for a file layout and kind, or None."""
    row = con.execute(
        "SELECT mapping FROM column_mappings WHERE signature = ? AND kind = ?", (signature, kind)
    ).fetchone()
    return None if row is None else json.loads(row[0])


def put_mapping(
    con: sqlite3.Connection, signature: str, kind: str, mapping: dict, labels: list
) -> None:
    """Remember a column mapping for a file layout and kind (replacing an older one)."""
    con.execute(
        "INSERT INTO column_mappings (signature, kind, mapping, labels) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (signature, kind) DO UPDATE SET mapping = excluded.mapping, labels = "
        "excluded.labels, updated = CURRENT_TIMESTAMP",
        (
            signature,
            kind,
            json.dumps(mapping, ensure_ascii=False),
            json.dumps(labels, ensure_ascii=False),
        ),
    )
