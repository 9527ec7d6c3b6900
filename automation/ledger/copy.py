"""Moving a ledger into another database: a branch's SQLite ledger into the company's PostgreSQL.

:func:`copy_ledger` brings both ledgers to the newest schema, copies every table's rows in key
order (in chunks, one transaction on the target: all or nothing), moves PostgreSQL's id sequences
past the copied ids, then verifies: the row count of every table, and (``verify``, given by the
caller since figures are a later stage: :func:`automation.score.run.same_figures`) the figures
(``figures --json`` for the latest week, every period) computed from each side must be equal. A target that
already holds forms is refused unless ``replace`` (its rows are deleted first, in the same
transaction): two ledgers are never merged, since their ids would collide.

``schema_version`` is not copied (each side has its own migrations applied); ``site_heartbeats``
is not either (liveness, not history).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from automation.core.texts.errors import ERRORS
from automation.ledger import migrate
from automation.ledger import schema as t
from automation.ledger.shared import serialise

CHUNK = 5000
SKIPPED = ("schema_version", "site_heartbeats")


class CopyError(RuntimeError):
    """The copy was refused (a non-empty target) or did not verify; the message says which."""


@dataclass
class CopyReport:
    counts: dict[str, int] = field(default_factory=dict)  # table -> rows copied (= rows in the target)
    figures_equal: bool = False
    week: str = ""


def tables() -> list[sa.Table]:
    return [tbl for tbl in t.metadata.sorted_tables if tbl.name not in SKIPPED]


def counts(conn: sa.Connection) -> dict[str, int]:
    return {
        tbl.name: int(conn.execute(sa.select(sa.func.count()).select_from(tbl)).scalar() or 0)
        for tbl in tables()
    }


def copy_ledger(
    config: Any,
    target_url: str,
    *,
    replace: bool = False,
    verify: Callable[[Any, str], tuple[str, bool]] | None = None,
) -> CopyReport:
    """Copy the ledger ``config`` names into ``target_url`` and verify it (see the module).
    ``verify(config, target_url)``: ``(week, equal)`` of the figures from both ledgers."""
    from automation.ledger.store import make_engine

    source_url = config.database_url
    if sa.make_url(source_url) == sa.make_url(target_url):
        raise CopyError(ERRORS["copy-same-ledger"])
    src, dst = make_engine(source_url), make_engine(target_url)
    try:
        migrate.upgrade(src)
        migrate.upgrade(dst)
        with src.connect() as sconn, dst.connect() as dconn:
            with dconn.begin():
                serialise(dconn)  # no watcher writes into the target meanwhile
                have = counts(dconn)
                if any(have.values()):
                    if not replace:
                        busy = ", ".join(f"{k} {v}" for k, v in have.items() if v)
                        raise CopyError(ERRORS["copy-target-not-empty"].format(busy=busy))
                    for tbl in reversed(tables()):
                        dconn.execute(sa.delete(tbl))
                for tbl in tables():
                    _copy_table(sconn, dconn, tbl)
                _move_sequences(dconn)
            report = CopyReport(counts=counts(dconn))
            expected = counts(sconn)
        if report.counts != expected:
            diff = {
                k: (expected[k], report.counts.get(k))
                for k in expected
                if expected[k] != report.counts.get(k)
            }
            raise CopyError(ERRORS["copy-counts-differ"].format(diff=diff))
        if verify is None:
            return report
        report.week, report.figures_equal = verify(config, target_url)
        if not report.figures_equal:
            raise CopyError(ERRORS["copy-figures-differ"].format(week=report.week))
        return report
    finally:
        src.dispose()
        dst.dispose()


def _copy_table(sconn: sa.Connection, dconn: sa.Connection, tbl: sa.Table) -> None:
    order = list(tbl.primary_key.columns) or list(tbl.columns)
    result = sconn.execution_options(stream_results=True).execute(sa.select(tbl).order_by(*order))
    while rows := result.fetchmany(CHUNK):
        dconn.execute(tbl.insert(), [dict(r._mapping) for r in rows])


def _move_sequences(dconn: sa.Connection) -> None:
    """PostgreSQL: the next id of each table is past the copied ones (SQLite needs nothing)."""
    if dconn.dialect.name != "postgresql":
        return
    for tbl in tables():
        col = tbl.c.get("id")
        if col is None or not col.autoincrement or not isinstance(col.type, sa.Integer):
            continue
        dconn.exec_driver_sql(
            f"SELECT setval(pg_get_serial_sequence('{tbl.name}', 'id'), "
            f"COALESCE((SELECT max(id) FROM {tbl.name}), 0) + 1, false)"
        )
