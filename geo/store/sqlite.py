"""What every store of the project shares: one SQLite file, looked at before it is written to.

A store is one SQLite file (stdlib :mod:`sqlite3`) marked as the project's by its
``PRAGMA application_id`` and versioned by ``PRAGMA user_version``. This module gives each store
the same few steps, so that each refuses by name what it did not create:

:func:`inspect_file`
    A read-only look at the file: SQLite header, ``application_id``, ``user_version``,
    ``PRAGMA quick_check``. Says whether the file is new or the store's own (and its schema
    version); raises :class:`DatabaseFileError` for a foreign, newer or damaged file and
    :class:`DatabaseReadOnlyError` when its folder cannot be written. Nothing is written.
:func:`connect_wal`
    Inspect, then open in WAL mode (``synchronous=FULL``, foreign keys on, a busy timeout) and
    run the migrations the file lacks, each version in one transaction.
:func:`transaction`
    ``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any error; a lock held past the busy
    timeout becomes :class:`DatabaseBusyError`.
:func:`reference` and :func:`verify_schema`
    A fresh in-memory database of a given schema version, and the differences of a file's
    ``sqlite_master`` from it (extra, missing or altered tables, indexes, triggers, views):
    what a store checks before it trusts a backup.
:func:`integrity_problems`
    ``PRAGMA integrity_check`` (the full check, not the quick one) and ``foreign_key_check``.

Messages name what the store is (``what_en``/``what_vi``, e.g. "the assignment register" /
"sổ phân công") and say how to fix the problem, in Vietnamese and English.

Example
-------
>>> conn = connect_wal(path, application_id=0x564E4153, schema_version=2,
...                    migrations=MIGRATIONS, what_en="the assignment register",
...                    what_vi="sổ phân công", env="COVERAGE_ASSIGNMENTS_DB")
>>> with transaction(conn, what_en="the assignment register", what_vi="sổ phân công"):
...     conn.execute("INSERT INTO …")
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from geo.errors import CoverageError, Problem

__all__ = [
    "BUSY_TIMEOUT_S",
    "SQLITE_MAGIC",
    "DatabaseBusyError",
    "DatabaseFileError",
    "DatabaseReadOnlyError",
    "FileState",
    "busy_error",
    "connect_wal",
    "file_error",
    "inspect_file",
    "integrity_problems",
    "is_busy",
    "migrate",
    "read_only",
    "read_only_error",
    "reference",
    "schema_objects",
    "transaction",
    "verify_schema",
]

SQLITE_MAGIC = b"SQLite format 3\x00"
"""The first 16 bytes of every SQLite database file."""

BUSY_TIMEOUT_S = 5.0
"""Default seconds a writer waits for another writer's lock before :class:`DatabaseBusyError`."""


class DatabaseFileError(CoverageError, OSError):
    """A store's file is damaged, foreign (another program's), newer than this tool, or was
    refused (a tampered backup). The file is left exactly as it was."""


class DatabaseReadOnlyError(DatabaseFileError, PermissionError):
    """A store's file or its folder cannot be written (chỉ đọc). Choose a writable folder, or
    point the store's environment variable at a file in one."""


class DatabaseBusyError(CoverageError, TimeoutError):
    """Another user's write held the store longer than the busy timeout."""


class FileState(NamedTuple):
    """What :func:`inspect_file` found: ``kind`` "new" (absent, empty, or an empty SQLite
    database) or "ours" (the store's own file), and its schema ``version`` (0 when new)."""

    kind: str
    version: int


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def file_error(
    path: str | Path, en: str, vi: str, *, problems: list[Problem] | None = None
) -> DatabaseFileError:
    """A :class:`DatabaseFileError` for ``path``: the problem, then that the file was not
    changed and what to do."""
    return DatabaseFileError(
        f"{en} The file was not changed. Choose another file, or restore a backup into a new file.",
        f"{vi} Tệp không bị thay đổi. Hãy chọn tệp khác, hoặc khôi phục bản sao lưu vào một tệp "
        "mới.",
        file=str(path),
        problems=problems,
    )


def read_only_error(
    path: str | Path, what_en: str, what_vi: str, env: str | None = None, detail: str = ""
) -> DatabaseReadOnlyError:
    """A :class:`DatabaseReadOnlyError`: the folder of ``path`` (or the file) is read-only;
    choose a writable folder or set ``$env``."""
    path = Path(path)
    folder = path.parent
    env_en = f", or set ${env} to a file in a writable folder" if env else ""
    env_vi = (
        f", hoặc đặt biến môi trường ${env} trỏ tới một tệp trong thư mục ghi được" if env else ""
    )
    more = f" ({detail})" if detail else ""
    return DatabaseReadOnlyError(
        f"Cannot write {what_en}: the folder {folder} (or the file) is read-only{more}. "
        f"Choose a writable folder{env_en}. The file was not changed.",
        f"Không ghi được {what_vi}: thư mục {folder} (hoặc tệp) chỉ đọc{more}. Hãy chọn thư mục "
        f"ghi được{env_vi}. Tệp không bị thay đổi.",
        file=str(path),
    )


def busy_error(
    exc: BaseException,
    what_en: str = "the database",
    what_vi: str = "cơ sở dữ liệu",
    path: str | Path | None = None,
) -> DatabaseBusyError:
    """A :class:`DatabaseBusyError`: someone else is saving; try again."""
    return DatabaseBusyError(
        f"{_cap(what_en)} is busy: another user is saving ({exc}). Try again.",
        f"{_cap(what_vi)} đang bận: người khác đang lưu ({exc}). Hãy thử lại.",
        file=None if path is None else str(path),
    )


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` is SQLite's "database is locked" / "busy"."""
    text = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text)


def _nearest_folder(path: Path) -> Path:
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return folder


def read_only(path: str | Path) -> bool:
    """Whether ``path`` cannot be written: the file exists and is not writable, or the folder
    that would hold it (and its ``-wal`` and ``-shm`` files) is not."""
    path = Path(path)
    if path.exists() and not os.access(path, os.W_OK):
        return True
    folder = _nearest_folder(path)
    return not os.access(folder, os.W_OK | os.X_OK)


def _says_read_only(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "readonly" in text or "read-only" in text


# ---------------------------------------------------------------------------------------------
# Looking at a file
# ---------------------------------------------------------------------------------------------


def _open_ro(path: Path, timeout: float = BUSY_TIMEOUT_S) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=timeout)


def inspect_file(
    path: str | Path,
    application_id: int,
    schema_version: int,
    what_en: str,
    what_vi: str,
    *,
    env: str | None = None,
    for_writing: bool = True,
) -> FileState:
    """Look at ``path`` without writing to it: is it new, or this store's file?

    Parameters
    ----------
    path
        The file.
    application_id
        The store's ``PRAGMA application_id``; any other non-zero id is a foreign file.
    schema_version
        The newest schema version this code knows; a higher ``user_version`` is refused.
    what_en, what_vi
        What the store's file is, for messages ("an assignment register", "sổ phân công").
    env
        The environment variable that names the store's file, named in the read-only message.
    for_writing
        Check that the file and its folder can be written (False for a backup being read).

    Returns
    -------
    FileState
        ("new", 0) for a missing or empty file or an empty SQLite database; ("ours", version).

    Raises
    ------
    DatabaseReadOnlyError
        ``for_writing`` and the file or its folder cannot be written.
    DatabaseFileError
        A folder, not an SQLite file, damaged (``quick_check``), another program's database,
        or a newer schema.
    """
    path = Path(path)
    if path.is_dir():
        raise file_error(path, f"{path} is a folder, not a file.", f"{path} là thư mục.")
    if for_writing and read_only(path):
        raise read_only_error(path, what_en, what_vi, env)
    if not path.exists() or path.stat().st_size == 0:
        return FileState("new", 0)
    with path.open("rb") as f:
        head = f.read(len(SQLITE_MAGIC))
    if head != SQLITE_MAGIC:
        raise file_error(
            path,
            f"The file is not {what_en} (not an SQLite database, or damaged).",
            f"Tệp không phải {what_vi} (không phải cơ sở dữ liệu SQLite, hoặc đã hỏng).",
        )
    try:
        ro = _open_ro(path)
    except sqlite3.Error as exc:  # pragma: no cover - depends on the platform
        raise _open_error(path, exc, what_en, what_vi, env) from exc
    try:
        app_id = ro.execute("PRAGMA application_id").fetchone()[0]
        version = ro.execute("PRAGMA user_version").fetchone()[0]
        n_objects = ro.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        check = [r[0] for r in ro.execute("PRAGMA quick_check").fetchall()]
    except sqlite3.OperationalError as exc:
        raise _open_error(path, exc, what_en, what_vi, env) from exc
    except sqlite3.DatabaseError as exc:
        raise file_error(path, f"The file is damaged ({exc}).", f"Tệp đã hỏng ({exc}).") from exc
    finally:
        ro.close()
    if check != ["ok"]:
        raise file_error(
            path,
            f"The file is damaged (SQLite check: {'; '.join(check[:3])}).",
            f"Tệp đã hỏng (kiểm tra SQLite: {'; '.join(check[:3])}).",
        )
    if app_id == 0 and n_objects == 0:
        return FileState("new", 0)
    if app_id != application_id:
        raise file_error(
            path,
            f"The file is an SQLite database of another program, not {what_en}.",
            f"Tệp là cơ sở dữ liệu SQLite của chương trình khác, không phải {what_vi}.",
        )
    if version > schema_version:
        raise file_error(
            path,
            f"The file was written by a newer version of the tool (schema {version}; this one "
            f"reads up to {schema_version}). Update the tool.",
            f"Tệp do phiên bản mới hơn của công cụ ghi (lược đồ {version}; phiên bản này đọc "
            f"tối đa {schema_version}). Hãy cập nhật công cụ.",
        )
    return FileState("ours", int(version))


def _open_error(
    path: Path, exc: sqlite3.Error, what_en: str, what_vi: str, env: str | None
) -> DatabaseFileError:
    """The error of a file SQLite cannot open: read-only when it says so or the folder is,
    else damaged."""
    text = str(exc).lower()
    if _says_read_only(exc) or ("unable to open" in text and read_only(path)):
        return read_only_error(path, what_en, what_vi, env, str(exc))
    if "unable to open" in text:
        return file_error(path, f"Cannot open the file ({exc}).", f"Không mở được tệp ({exc}).")
    return file_error(path, f"The file is damaged ({exc}).", f"Tệp đã hỏng ({exc}).")


# ---------------------------------------------------------------------------------------------
# Opening, transactions, migrations
# ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def transaction(
    conn: sqlite3.Connection, *, what_en: str = "the database", what_vi: str = "cơ sở dữ liệu"
) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``; rolled back on any error.

    The connection must be in autocommit mode (``isolation_level=None``, as
    :func:`connect_wal` gives). A lock held by another writer past the busy timeout raises
    :class:`DatabaseBusyError` naming ``what_en``/``what_vi``; any other error is re-raised
    after the rollback.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if is_busy(exc):
            raise busy_error(exc, what_en, what_vi) from exc
        raise
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException as exc:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        if is_busy(exc):
            raise busy_error(exc, what_en, what_vi) from exc
        raise


def migrate(
    conn: sqlite3.Connection,
    path: str | Path,
    *,
    application_id: int,
    schema_version: int,
    migrations: Mapping[int, Sequence[str]],
    what_en: str = "the database",
    what_vi: str = "cơ sở dữ liệu",
) -> None:
    """Bring ``conn``'s file to ``schema_version`` with ``migrations[v]`` for each missing
    ``v``, in one transaction, and mark it with ``application_id``."""
    if conn.execute("PRAGMA user_version").fetchone()[0] >= schema_version:
        return
    with transaction(conn, what_en=what_en, what_vi=what_vi):
        # Another process may have migrated the file while this one waited for the lock.
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        if app_id not in (0, application_id):  # pragma: no cover - raced by a foreign writer
            raise file_error(path, "The file changed owner while opening.", "Tệp bị thay đổi.")
        for v in range(version + 1, schema_version + 1):
            for statement in migrations[v]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {int(v)}")
        conn.execute(f"PRAGMA application_id = {int(application_id)}")


def connect_wal(
    path: str | Path,
    *,
    application_id: int,
    schema_version: int,
    migrations: Mapping[int, Sequence[str]],
    what_en: str,
    what_vi: str,
    env: str | None = None,
    timeout: float = BUSY_TIMEOUT_S,
    check_same_thread: bool = False,
) -> sqlite3.Connection:
    """Open a store's file, creating or migrating it when needed.

    The file is first looked at read-only (:func:`inspect_file`); then opened in WAL mode with
    ``synchronous=FULL`` (a committed change survives a power cut), foreign keys on and a busy
    timeout, and migrated to ``schema_version``. The folder is created if needed.

    Parameters
    ----------
    path
        The file.
    application_id, schema_version, migrations
        The store's id, newest schema version, and DDL per version (``migrations[v]`` brings
        version ``v - 1`` to ``v``).
    what_en, what_vi, env
        What the store's file is ("an assignment register", "sổ phân công") and the variable
        naming it, for messages.
    timeout
        Seconds a write waits for another writer before :class:`DatabaseBusyError`.
    check_same_thread
        Passed to :func:`sqlite3.connect`.

    Returns
    -------
    sqlite3.Connection
        Autocommit mode (``isolation_level=None``; use :func:`transaction`), rows as
        :class:`sqlite3.Row`.

    Raises
    ------
    DatabaseReadOnlyError, DatabaseFileError, DatabaseBusyError
    """
    path = Path(path)
    state = inspect_file(path, application_id, schema_version, what_en, what_vi, env=env)
    if state.kind == "new":
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except PermissionError as exc:
            raise read_only_error(path, what_en, what_vi, env, str(exc)) from exc
    try:
        conn = sqlite3.connect(
            path, timeout=timeout, isolation_level=None, check_same_thread=check_same_thread
        )
    except sqlite3.OperationalError as exc:
        raise _open_error(path, exc, what_en, what_vi, env) from exc
    try:
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":  # pragma: no cover - e.g. a network file system
            raise file_error(
                path,
                f"The file cannot use the WAL journal (journal mode {mode}).",
                f"Tệp không dùng được nhật ký WAL (chế độ {mode}).",
            )
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(
            conn,
            path,
            application_id=application_id,
            schema_version=schema_version,
            migrations=migrations,
            what_en="the file",
            what_vi="tệp",
        )
    except sqlite3.OperationalError as exc:
        conn.close()
        if is_busy(exc):
            raise busy_error(exc, "the file", "tệp", path) from exc
        if _says_read_only(exc) or "unable to open" in str(exc).lower():
            raise read_only_error(path, what_en, what_vi, env, str(exc)) from exc
        raise file_error(
            path, f"Cannot write the file ({exc}).", f"Không ghi được tệp ({exc})."
        ) from exc
    except BaseException:
        conn.close()
        raise
    return conn


# ---------------------------------------------------------------------------------------------
# Verifying a file against the schema this code creates
# ---------------------------------------------------------------------------------------------


def reference(
    migrations: Mapping[int, Sequence[str]], schema_version: int, application_id: int = 0
) -> sqlite3.Connection:
    """A fresh in-memory database built by ``migrations[1..schema_version]``: the schema a file
    of that version must have."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    for v in range(1, schema_version + 1):
        for statement in migrations[v]:
            conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {int(schema_version)}")
    conn.execute(f"PRAGMA application_id = {int(application_id)}")
    return conn


def _normalise_sql(sql: str | None) -> str | None:
    return None if sql is None else re.sub(r"\s+", " ", sql).strip()


def schema_objects(conn: sqlite3.Connection) -> dict[tuple[str, str], tuple[str, str | None]]:
    """``sqlite_master`` as {(type, name): (tbl_name, normalised sql)}."""
    rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    return {(r[0], r[1]): (r[2], _normalise_sql(r[3])) for r in rows}


_TYPES_VI = {"table": "bảng", "index": "chỉ mục", "trigger": "trigger", "view": "khung nhìn"}


def verify_schema(conn: sqlite3.Connection, expected_conn: sqlite3.Connection) -> list[Problem]:
    """How ``conn``'s schema differs from ``expected_conn``'s (e.g. :func:`reference`).

    Compares every object of ``sqlite_master`` (tables, indexes, triggers, views): type, name,
    the table it belongs to and its SQL (whitespace normalised).

    Returns
    -------
    list of geo.errors.Problem
        One per difference, in English and Vietnamese ("extra trigger x" / "thừa trigger x",
        "trigger x missing" / "thiếu trigger x", "trigger x altered" / "trigger x bị sửa
        đổi"), ``value`` the object's name; empty when the schemas are the same. Missing
        objects first, then altered, then extra.
    """
    have = schema_objects(conn)
    want = schema_objects(expected_conn)
    missing, altered, extra = [], [], []
    for key in sorted(want):
        kind, name = key
        kv = _TYPES_VI.get(kind, kind)
        if key not in have:
            missing.append(Problem(f"thiếu {kv} {name}", f"{kind} {name} missing", value=name))
        elif have[key] != want[key]:
            altered.append(Problem(f"{kv} {name} bị sửa đổi", f"{kind} {name} altered", value=name))
    for key in sorted(set(have) - set(want)):
        kind, name = key
        kv = _TYPES_VI.get(kind, kind)
        extra.append(Problem(f"thừa {kv} {name}", f"extra {kind} {name}", value=name))
    return [*missing, *altered, *extra]


def integrity_problems(conn: sqlite3.Connection) -> list[str]:
    """``PRAGMA integrity_check`` (every page, index and constraint) and
    ``PRAGMA foreign_key_check``; empty when both pass."""
    problems = [r[0] for r in conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
    problems += [f"foreign key: {tuple(r)}" for r in conn.execute("PRAGMA foreign_key_check")]
    return problems
