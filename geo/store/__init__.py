"""The stores: the only SQL of the tool, one module per SQLite file.

:mod:`geo.store.sqlite`
    What every store shares: a read-only look at a file before it is written
    (:func:`~geo.store.sqlite.inspect_file`), WAL connections with migrations
    (:func:`~geo.store.sqlite.connect_wal`), ``BEGIN IMMEDIATE`` transactions
    (:func:`~geo.store.sqlite.transaction`), schema verification
    (:func:`~geo.store.sqlite.verify_schema`) and the errors
    (:class:`~geo.store.sqlite.DatabaseFileError`,
    :class:`~geo.store.sqlite.DatabaseReadOnlyError`,
    :class:`~geo.store.sqlite.DatabaseBusyError`).
:mod:`geo.store.assignments`
    The assignment register (sổ phân công).

Import the module you need (``from geo.store import sqlite``); this package imports nothing.
"""
