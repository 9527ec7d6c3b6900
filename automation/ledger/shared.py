"""One ledger, several writers: how the ledger stays right when branch watchers share PostgreSQL.

SQLite has one writer at a time (``BEGIN IMMEDIATE``), and every decision the ledger makes reads
before it writes: is this content already counted? does this version supersede an earlier one?
which customer does this register row match? is this region-week marked already? may this
message be claimed? Under PostgreSQL's READ COMMITTED two sites could both read "no" and both
write "new". So every ledger write transaction on PostgreSQL starts by taking one
transaction-scoped advisory lock (:func:`serialise`): writers queue exactly as on SQLite, and each
one's reads see everything committed before it (PostgreSQL makes a transaction visible before it
releases its locks). Reads never take it. Behind it, unique constraints are the second line: a
decision that slipped past the lock fails with an integrity error (the form is retried, then found
to be a duplicate) instead of being counted twice; the statements that may meet an existing row
are ``INSERT ... ON CONFLICT`` (:func:`upsert_counter`, :func:`mark`, :func:`insert_ignore`).

Why one lock and not finer ones: a form's transaction touches submissions, customers, counters and
marks together; finer locks would need a lock order across all of them for no gain at this
volume (a form's transaction is ~1-3 ms; ``benchmarks/bench_flood.py --db`` measures the cost).

Consolidation and mail take session-level advisory locks of their own (:func:`exclusive`): one
process at a time builds workbooks or writes and sends mail, whichever site it runs at; the
connection holding one is closed if its process dies, which frees the lock.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from automation.core.content_store import sha256_of


def _key(name: str) -> int:
    """A stable signed 64-bit advisory lock key for ``name`` (per database: two ledgers on one
    server never share a lock)."""
    return int.from_bytes(bytes.fromhex(sha256_of(f"salesflow:{name}".encode())[0][:16]), "big", signed=True)


WRITE = _key("ledger-write")
MIGRATE = _key("migrate")
CONSOLIDATE = _key("consolidate")
MAIL = _key("mail")


def is_postgres(bind: sa.Engine | sa.Connection) -> bool:
    return bind.dialect.name == "postgresql"


def serialise(conn: sa.Connection, key: int = WRITE) -> None:
    """Queue behind every other ledger writer (PostgreSQL; SQLite's ``BEGIN IMMEDIATE`` already
    does). Held until this transaction ends."""
    if is_postgres(conn):
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({int(key)})")


_HELD = threading.local()  # the (database, key) locks this thread holds already


@contextlib.contextmanager
def exclusive(engine: sa.Engine | None, key: int) -> Iterator[None]:
    """Hold a session-level advisory lock for a while (consolidation, mail): other processes, at
    any site, wait. A no-op on SQLite, whose ledger one machine uses (and without an engine).

    Re-entrant within a thread: ``salesflow mail`` holds the mail lock and asks for what is due,
    which takes it too; a second session asking for a lock its own process holds would wait for
    itself forever."""
    if engine is None or engine.dialect.name != "postgresql":
        yield
        return
    held: set[tuple[str, int]] = _HELD.__dict__.setdefault("locks", set())
    mine = (engine.url.render_as_string(hide_password=True), key)
    if mine in held:
        yield
        return
    held.add(mine)
    try:
        with _locked(engine, key):
            yield
    finally:
        held.discard(mine)


@contextlib.contextmanager
def _locked(engine: sa.Engine, key: int) -> Iterator[None]:
    with engine.connect() as conn:
        conn.exec_driver_sql(f"SELECT pg_advisory_lock({int(key)})")
        conn.commit()
        try:
            yield
        finally:
            with contextlib.suppress(Exception):  # a lost connection has freed the lock already
                conn.exec_driver_sql(f"SELECT pg_advisory_unlock({int(key)})")
                conn.commit()


def insert(table: sa.Table, conn: sa.Connection) -> Any:
    """``INSERT`` in the connection's dialect, with ``on_conflict_*`` available (both dialects)."""
    if is_postgres(conn):
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(table)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table)


def insert_ignore(conn: sa.Connection, table: sa.Table, values: dict[str, Any]) -> bool:
    """Insert a row unless one with its key is there; True when this call inserted it."""
    stmt = insert(table, conn).values(**values).on_conflict_do_nothing()
    return bool(conn.execute(stmt).rowcount)


def server_epoch(conn: sa.Connection) -> sa.ColumnElement[float]:
    """The database server's clock in seconds since 1970 (heartbeats: every site's age is measured
    on one clock, whatever the branch machines' clocks say)."""
    if is_postgres(conn):
        return sa.cast(sa.func.extract("epoch", sa.func.clock_timestamp()), sa.Float)
    return (sa.func.julianday("now") - 2440587.5) * 86400.0


def upsert_counter(conn: sa.Connection, table: sa.Table, name: str) -> int:
    """Add one to counter ``name`` (made at 1 the first time) and return it, in one statement: two
    writers can never be handed the same value, even without :func:`serialise`."""
    c = table.c
    stmt = (
        insert(table, conn)
        .values(name=name, value=1)
        .on_conflict_do_update(index_elements=[c.name], set_={"value": c.value + 1})
        .returning(c.value)
    )
    return int(conn.execute(stmt).scalar_one())
