"""Schema versions and ordered migrations, from day one.

A ledger outlives the code that wrote it: the back office upgrades Salesflow in place, and the
multi-site setup will run the same ledger on PostgreSQL. So the schema carries a version table and
:func:`upgrade` applies every pending step, in order, each in its own transaction, when the ledger
opens. To change the schema: append ``(n + 1, "what changes", step)`` to :data:`MIGRATIONS` where
``step(conn)`` runs portable DDL (``op``-style ``ALTER TABLE ... ADD COLUMN`` or
``Table.create``); never edit a step that has shipped.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import sqlalchemy as sa

from automation.core import clock
from automation.core.outcomes import COUNTED
from automation.core.texts.errors import ERRORS
from automation.ledger import schema, shared


class MigrationError(RuntimeError):
    """The database is newer than this code (a downgrade), or a migration step failed."""


def _v1_initial(conn: sa.Connection) -> None:
    """Every table of the first release (schema.metadata at version 1)."""
    tables = [t for t in schema.metadata.sorted_tables if t.name != "schema_version"]
    schema.metadata.create_all(conn, tables=tables)


def _v2_lookup_indexes(conn: sa.Connection) -> None:
    """Indexes for the per-form look-ups that were full scans: the planned archive place, the
    unfiled submissions, and the customers changed since the directory was read."""
    wanted = {"ix_submissions_archive_path", "ix_submissions_unfiled", "ix_customers_last_submission"}
    for table in (schema.submissions, schema.customers):
        for index in table.indexes:
            if index.name in wanted:  # a fresh ledger got them at version 1
                conn.execute(sa.schema.CreateIndex(index, if_not_exists=True))


def _v3_credit_code_index(conn: sa.Connection) -> None:
    """An index on upper(credit_code): register drops match only the customers they could be."""
    for index in schema.customers.indexes:
        if index.name == "ix_customers_credit_code_upper":  # an expression: not reflected, so
            conn.execute(sa.schema.CreateIndex(index, if_not_exists=True))  # no checkfirst


def _v4_assigned_ids(conn: sa.Connection) -> None:
    """``customers.id_assigned``: which ids the product assigned (they were reported to the rep in
    the creating submission's ``assigned_ids``), so an imported register cannot take one over."""
    column = schema.customers.c.id_assigned
    if "id_assigned" not in {c["name"] for c in sa.inspect(conn).get_columns("customers")}:
        kind = column.type.compile(dialect=conn.dialect)
        conn.execute(sa.text(f"ALTER TABLE customers ADD COLUMN id_assigned {kind} NOT NULL DEFAULT false"))
    s = schema.submissions.c
    assigned: set[str] = set()
    for (text,) in conn.execute(sa.select(s.assigned_ids).where(s.assigned_ids != "[]")):
        assigned |= {a["id"] for a in json.loads(text or "[]") if a.get("kind") == "customer"}
    ids = sorted(assigned)
    for i in range(0, len(ids), 500):
        conn.execute(
            sa.update(schema.customers)
            .where(schema.customers.c.customer_id.in_(ids[i : i + 500]))
            .values(id_assigned=True)
        )


def _v5_conflict_copies(conn: sa.Connection) -> None:
    """``submissions.conflict_copy_of``: the inbox path a sync client's conflict copy (``日报 (1).xlsx``)
    was copied from, for status and the submissions sheet. A ledger created at version 1 by this
    code has the column already (create_all writes the current schema)."""
    have = {c["name"] for c in sa.inspect(conn).get_columns("submissions")}
    if "conflict_copy_of" not in have:
        conn.execute(sa.text("ALTER TABLE submissions ADD COLUMN conflict_copy_of VARCHAR(1000)"))


def pending(engine: sa.Engine) -> bool:
    """Whether :func:`upgrade` has anything to do: a read, so opening an up-to-date ledger does not
    wait for its write lock (``salesflow status`` while another program holds it)."""
    with engine.connect() as conn:
        return current_version(conn) != LATEST


def _v6_mail_log(conn: sa.Connection) -> None:
    """The sent log, so no message goes out twice (a fresh ledger got it at version 1)."""
    schema.mail_log.create(conn, checkfirst=True)


def _v7_dirty_week_seq(conn: sa.Connection) -> None:
    """A counter on each dirty region-week, so consolidation can tell a mark set again while it built
    the workbooks from the one it read (timestamps cannot: the clock may be pinned)."""
    columns = {c["name"] for c in sa.inspect(conn).get_columns("dirty_weeks")}
    if "seq" not in columns:  # a fresh ledger got it at version 1
        conn.execute(sa.text("ALTER TABLE dirty_weeks ADD COLUMN seq INTEGER NOT NULL DEFAULT 0"))


def _v8_sites(conn: sa.Connection) -> None:
    """Several branch watchers on one ledger (issue 18): which site received each submission
    (``submissions.site``; a file's identity is (site, inbox path)), sightings keyed by site too,
    which site's outbox holds each message (``mail_log.site``), every site's heartbeat, and the
    unique index that keeps one content from being counted twice whatever raced. Rows from before
    were received by the only site there was, the default one (``main``)."""
    from automation.core.config import DEFAULT_SITE

    inspector = sa.inspect(conn)
    site_type = sa.String(schema.SITE_WIDTH).compile(dialect=conn.dialect)
    for table in ("submissions", "mail_log"):
        if "site" not in {c["name"] for c in inspector.get_columns(table)}:
            conn.execute(
                sa.text(f"ALTER TABLE {table} ADD COLUMN site {site_type} NOT NULL DEFAULT '{DEFAULT_SITE}'")
            )
    if "site" not in {c["name"] for c in inspector.get_columns("sightings")}:
        # the key changes (a primary key cannot be altered in SQLite): the table is made again;
        # sightings are few (only files with a future mtime are recorded)
        old = [
            dict(r._mapping)
            for r in conn.execute(sa.text("SELECT sha256, source, first_seen FROM sightings"))
        ]
        conn.execute(sa.text("DROP TABLE sightings"))
        schema.sightings.create(conn)
        if old:
            conn.execute(schema.sightings.insert(), [r | {"site": DEFAULT_SITE} for r in old])
    schema.site_heartbeats.create(conn, checkfirst=True)
    for index in schema.submissions.indexes:
        if index.name == "ux_submissions_counted_sha":
            twice = conn.execute(
                sa.select(schema.submissions.c.sha256)
                .where(schema.submissions.c.status.in_(COUNTED))
                .group_by(schema.submissions.c.sha256)
                .having(sa.func.count() > 1)
                .limit(1)
            ).first()
            if twice is None:  # a ledger an old race left with a content counted twice keeps working
                conn.execute(sa.schema.CreateIndex(index, if_not_exists=True))


Step = Callable[[sa.Connection], None]
MIGRATIONS: list[tuple[int, str, Step]] = [
    (1, "initial tables", _v1_initial),
    (2, "look-up indexes", _v2_lookup_indexes),
    (3, "credit code index", _v3_credit_code_index),
    (4, "customer ids the product assigned", _v4_assigned_ids),
    (5, "conflict copies", _v5_conflict_copies),
    (6, "mail sent log", _v6_mail_log),
    (7, "dirty week counter", _v7_dirty_week_seq),
    (8, "sites", _v8_sites),
]
LATEST = MIGRATIONS[-1][0]


def current_version(conn: sa.Connection) -> int:
    """0 for an empty database."""
    if not sa.inspect(conn).has_table("schema_version"):
        return 0
    value = conn.execute(sa.select(sa.func.max(schema.schema_version.c.version))).scalar()
    return int(value or 0)


def upgrade(engine: sa.Engine) -> list[int]:
    """Apply the pending migrations; returns the versions applied (empty when up to date).

    Each step runs with the version check inside its own write transaction, so two processes
    opening a fresh ledger at once apply each step exactly once.
    """
    applied: list[int] = []
    with engine.connect() as conn:
        conn = conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            shared.serialise(
                conn, shared.MIGRATE
            )  # PostgreSQL: two sites upgrading queue (DDL is transactional)
            schema.schema_version.create(conn, checkfirst=True)
        for version, name, step in MIGRATIONS:
            with conn.begin():
                shared.serialise(conn, shared.MIGRATE)
                have = current_version(conn)
                if have > LATEST:
                    raise MigrationError(ERRORS["ledger-newer"].format(have=have, latest=LATEST))
                if have >= version:
                    continue
                step(conn)
                conn.execute(
                    schema.schema_version.insert().values(version=version, name=name, applied_at=clock.now())
                )
                applied.append(version)
    return applied
