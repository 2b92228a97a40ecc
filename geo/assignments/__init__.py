"""The assignment register: which operator must serve each unserved village, and how far it got.

An *assignment* (phân công) names the operator (doanh nghiệp viễn thông) that must bring mobile
broadband to a village, the target year (năm mục tiêu), the decision that orders it (văn bản:
number and date, e.g. 4638/KH-UBND, 15/12/2020) and a note. It moves through the statuses of
:data:`STATUSES`, each change dated::

    assigned → under_construction → on_air → verified
         └──────────┴──────────────────┴──→ cancelled

The register lives in one SQLite file (stdlib :mod:`sqlite3`; WAL journal, ``synchronous=FULL``,
a busy timeout), found by :func:`default_path` unless a path is given. Its schema has a version
(``PRAGMA user_version``) and migrations (:data:`MIGRATIONS`); its ``application_id`` marks it as
this tool's file, so that a damaged or foreign file is refused (:class:`DatabaseFileError`) and
never written to.

Assignments are keyed by the village's ``village_id`` and carry its commune codes before and
after 01/07/2025 (``commune_code``, ``commune_2025_code``), its district and province and a copy
of its names and point: a new village register (which keeps ids, see
:func:`geo.villages.link_register`) or the reorganisation of units orphans none of them, and
the views and exports need no other file.

Every write runs in one ``BEGIN IMMEDIATE`` transaction that checks the row's ``version``
(optimistic locking: the second writer of a stale row gets :class:`StaleWriteError` with the
current value, nothing is overwritten), writes the row and appends one row to the append-only
``history`` table (who, when, old value, new value). :func:`undo_last` reverts a village's last
change, itself recorded as a change. Who: the account of the session (:func:`open_session` takes a
:class:`geo.auth.Account`; its name is recorded with each change, its role and scope in the
``session`` table). Every write checks the account with :func:`geo.auth.authorize` first
(province, district, operator of the village) and refuses with
:class:`geo.auth.PermissionDeniedError`, writing nothing; an operator reports progress with
:func:`report_progress`. Backup and restore are an admin's (or the single-user demo's).

The tool proposes an operator for each unserved village (:func:`propose`), shows how the
register and the coverage data agree (:func:`served_status`), and gives the planner's views
(:func:`by_operator`, :func:`by_district`, :func:`overdue`, :func:`progress`). The Phụ lục 2
spreadsheet is written and read by :mod:`layers.assignments_xlsx`.

The package's modules, by topic: :mod:`~geo.assignments.rules` (statuses, moves, errors),
:mod:`~geo.assignments.fields` (checked values), :mod:`~geo.assignments.register` (sessions and
the write path), :mod:`~geo.assignments.reading`, :mod:`~geo.assignments.bulk`
(:func:`assign_many`), :mod:`~geo.assignments.plan_table` (a plan's Phụ lục 2),
:mod:`~geo.assignments.proposals`, :mod:`~geo.assignments.views`. The SQL, the schema
(version, migrations) and backup/restore are in :mod:`geo.store.assignments`; everything public
is re-exported here, so ``from geo import assignments as asg; asg.connect(...)`` works.
"""

from geo.assignments.bulk import ImportReport, assign_many
from geo.assignments.plan_table import PLAN_END_SOURCE_VI, import_table, plan_end_year
from geo.assignments.proposals import disagreements, propose, propose_for_model, served_status
from geo.assignments.reading import current, get, history, to_geodataframe
from geo.assignments.register import (
    AccountSession,
    assign,
    edit,
    open_session,
    report_progress,
    session_account,
    set_status,
    undo_last,
)
from geo.assignments.rules import (
    DISAGREEMENTS,
    EDITABLE,
    FINAL_STATUSES,
    OWED_STATUSES,
    STATUS_LABELS,
    TRANSITIONS,
    VN_TIME,
    AssignmentNotFoundError,
    NothingToUndoError,
    RegisterRestoredError,
    StaleWriteError,
    StatusTransitionError,
    check_transition,
)
from geo.assignments.views import by_district, by_operator, is_overdue, overdue, progress
from geo.store.assignments import (
    APPLICATION_ID,
    BUSY_TIMEOUT_S,
    DB_ENV,
    FIELDS,
    MIGRATIONS,
    PROTECTED_TRIGGERS,
    SCHEMA_VERSION,
    STATUS_DATE_FIELDS,
    STATUSES,
    Session,
    backup,
    backup_bytes,
    connect,
    default_path,
    restore,
    verify,
    verify_backup,
)
from geo.store.sqlite import DatabaseBusyError, DatabaseFileError, DatabaseReadOnlyError

__all__ = [
    "BUSY_TIMEOUT_S",
    "EDITABLE",
    "FIELDS",
    "PROTECTED_TRIGGERS",
    "STATUS_DATE_FIELDS",
    "APPLICATION_ID",
    "DB_ENV",
    "DISAGREEMENTS",
    "FINAL_STATUSES",
    "MIGRATIONS",
    "OWED_STATUSES",
    "PLAN_END_SOURCE_VI",
    "SCHEMA_VERSION",
    "STATUSES",
    "STATUS_LABELS",
    "TRANSITIONS",
    "AccountSession",
    "AssignmentNotFoundError",
    "DatabaseBusyError",
    "DatabaseFileError",
    "DatabaseReadOnlyError",
    "ImportReport",
    "NothingToUndoError",
    "RegisterRestoredError",
    "Session",
    "StaleWriteError",
    "StatusTransitionError",
    "VN_TIME",
    "assign",
    "assign_many",
    "backup",
    "backup_bytes",
    "by_district",
    "by_operator",
    "check_transition",
    "connect",
    "current",
    "default_path",
    "disagreements",
    "edit",
    "get",
    "history",
    "import_table",
    "is_overdue",
    "open_session",
    "overdue",
    "plan_end_year",
    "progress",
    "propose",
    "propose_for_model",
    "report_progress",
    "restore",
    "served_status",
    "session_account",
    "set_status",
    "to_geodataframe",
    "undo_last",
    "verify",
    "verify_backup",
]
