"""The ledger's hot statements, compiled once by SQLAlchemy and run straight on the SQLite driver.

Why: a form in a flood costs about eight statements, and SQLAlchemy's execution machinery (an
execution context, parameter construction, a result object) added 30-90 µs to each, more than
SQLite's own work: a quarter of the recording process's time (issue 4). A :class:`Fast` statement
keeps SQLAlchemy for what it is good at — writing the SQL for the dialect, and its type
conversions (the exact text a date or time is stored as) — and skips the rest:

- the statement is compiled once per set of parameter names (an INSERT or UPDATE writes the
  columns it is given, as ``conn.execute(stmt, params)`` does);
- each call binds the parameters in the compiled order through SQLAlchemy's own bind processors
  and runs on the connection's SQLite cursor, inside the caller's transaction;
- rows come back as light named tuples through SQLAlchemy's result processors.

Anything else goes through ``conn.execute`` unchanged: another dialect (PostgreSQL keeps the
portable path), a statement this cannot bind exactly (a Python-callable default, an expanding IN
list), so the two paths always write the same bytes. ``tests/test_ledger_fast.py`` holds them to
that; ``SALESFLOW_FAST_SQL=0`` in the environment (read once) or :data:`ENABLED` False sends
everything through SQLAlchemy (troubleshooting, that test).
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from automation.core.config import switched_off

_MISSING = object()
# read once: os.environ.get on every statement cost 4 % of a flood's recording process
ENABLED = not switched_off("SALESFLOW_FAST_SQL")


class Row(tuple):  # type: ignore[type-arg]
    """A result row: a tuple with attribute access and ``_mapping``, like SQLAlchemy's ``Row``."""

    __slots__ = ()
    _fields: tuple[str, ...] = ()

    @property
    def _mapping(self) -> dict[str, Any]:
        return dict(zip(self._fields, self, strict=True))


def _row_class(fields: Sequence[str]) -> type[Row]:
    base = collections.namedtuple("_Base", fields, rename=True)  # type: ignore[misc]
    return type("Row", (base, Row), {"__slots__": (), "_fields": tuple(fields)})


class Result:
    """What the callers of a :class:`Fast` statement use of a result (SQLAlchemy's names)."""

    __slots__ = ("_rows", "rowcount", "lastrowid")

    def __init__(self, rows: list[Any], rowcount: int, lastrowid: int | None) -> None:
        self._rows, self.rowcount, self.lastrowid = rows, rowcount, lastrowid

    def all(self) -> list[Any]:
        return self._rows

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        if len(self._rows) != 1:
            raise (
                sa.exc.NoResultFound("expected exactly one row")
                if not self._rows
                else sa.exc.MultipleResultsFound("more than one row")
            )
        return self._rows[0][0]

    @property
    def inserted_primary_key(self) -> tuple[int | None]:
        return (self.lastrowid,)

    def __iter__(self) -> Any:
        return iter(self._rows)


class _Plan:
    """One compiled form of a statement: SQL text, where each positional value comes from, how
    it is converted, and how result columns are converted back."""

    __slots__ = ("sql", "slots", "row", "procs")

    def __init__(
        self,
        sql: str,
        slots: list[tuple[str | None, Any, Callable[[Any], Any] | None]],
        row: type[Row] | None,
        procs: list[Callable[[Any], Any] | None] | None,
    ) -> None:
        self.sql, self.slots, self.row, self.procs = sql, slots, row, procs

    def bind(self, params: Mapping[str, Any]) -> tuple[Any, ...]:
        out = []
        for key, const, proc in self.slots:
            v = params[key] if key is not None else const
            out.append(proc(v) if proc is not None and v is not None else v)
        return tuple(out)

    def rows(self, raw: list[tuple[Any, ...]]) -> list[Any]:
        if self.row is None:
            return []
        procs = self.procs
        if procs and any(procs):
            raw = [tuple(p(v) if p is not None else v for p, v in zip(procs, r, strict=True)) for r in raw]
        new, cls = tuple.__new__, self.row
        return [new(cls, r) for r in raw]


def _compile(stmt: sa.Executable, dialect: Any, keys: tuple[str, ...]) -> _Plan | None:
    """The plan for ``stmt`` with parameters ``keys``, or None if it cannot be bound exactly here."""
    is_dml = isinstance(stmt, (sa.Insert, sa.Update, sa.Delete))
    compiled: Any = stmt.compile(dialect=dialect, column_keys=list(keys) if is_dml else None)  # type: ignore[attr-defined]
    if compiled.positiontup is None or "POSTCOMPILE" in compiled.string:
        return None  # not a positional dialect, or an expanding IN list
    if getattr(compiled, "update_prefetch", None) or getattr(compiled, "returning", None):
        return None
    prefetch = {c.key: c for c in getattr(compiled, "insert_prefetch", None) or []}
    processors = compiled._bind_processors
    slots: list[tuple[str | None, Any, Callable[[Any], Any] | None]] = []
    for name in compiled.positiontup:
        bind = compiled.binds[name]
        if bind.callable is not None or bind.expanding:
            return None
        proc = processors.get(name)
        if bind.key in keys:
            slots.append((bind.key, None, proc))
        elif bind.key in prefetch:
            default = prefetch[bind.key].default
            if default is None or not default.is_scalar:
                return None
            slots.append((None, default.arg, proc))
        elif bind.value is not None or not bind.required:
            slots.append((None, bind.effective_value, proc))
        else:
            return None  # a required parameter nobody gave: let SQLAlchemy say so
    row: type[Row] | None = None
    procs: list[Callable[[Any], Any] | None] | None = None
    if getattr(compiled, "_result_columns", None):
        cols = compiled._result_columns
        row = _row_class([c[0] for c in cols])
        procs = [c[3].dialect_impl(dialect).result_processor(dialect, None) for c in cols]
    return _Plan(compiled.string, slots, row, procs)


class Fast:
    """A statement built once, at import (its identity keys the compiled plans).

    ``fast(conn, params)`` runs it like ``conn.execute(stmt, params)``; ``fast.many(conn, rows)``
    like ``conn.execute(stmt, rows)`` (one ``executemany``; every row with the same keys).
    """

    __slots__ = ("stmt", "_plans")

    def __init__(self, stmt: sa.Executable) -> None:
        self.stmt = stmt
        self._plans: dict[tuple[Any, ...], _Plan | None] = {}

    def _plan(self, conn: sa.Connection, keys: tuple[str, ...]) -> _Plan | None:
        dialect = conn.dialect
        if not ENABLED or dialect.name != "sqlite" or not conn.in_transaction():
            return None  # outside a transaction SQLAlchemy would begin one: let it
        # what the compiled text depends on (not the dialect object: every engine has its own)
        k = (type(dialect), dialect.paramstyle, dialect.server_version_info, keys)
        plan = self._plans.get(k, _MISSING)
        if plan is _MISSING:
            plan = self._plans[k] = _compile(self.stmt, dialect, keys)
        return plan  # type: ignore[return-value]

    def __call__(self, conn: sa.Connection, params: Mapping[str, Any] | None = None) -> Any:
        params = params or {}
        plan = self._plan(conn, tuple(params))
        if plan is None:
            return conn.execute(self.stmt, dict(params))
        cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cur.execute(plan.sql, plan.bind(params))
            rows = plan.rows(cur.fetchall()) if plan.row is not None else []
            return Result(rows, cur.rowcount, cur.lastrowid)
        finally:
            cur.close()

    def many(self, conn: sa.Connection, rows: Iterable[Mapping[str, Any]]) -> int:
        """Returns the rows changed (an UPDATE's matches summed over ``rows``)."""
        rows = list(rows)
        if not rows:
            return 0
        plan = self._plan(conn, tuple(rows[0]))
        if plan is None or any(tuple(r) != tuple(rows[0]) for r in rows):
            return int(conn.execute(self.stmt, [dict(r) for r in rows]).rowcount)
        cur = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cur.executemany(plan.sql, [plan.bind(r) for r in rows])
            return int(cur.rowcount)
        finally:
            cur.close()
