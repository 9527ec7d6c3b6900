"""Opening the ledger, and the look-ups around the one transaction of a submission.

Durability first: SQLite in WAL mode with ``synchronous=FULL`` (a committed submission survives a
power cut), a busy timeout (the watcher and a one-shot ``ingest`` may run at once), and write
transactions that start with ``BEGIN IMMEDIATE`` so two writers queue instead of deadlocking. The
database must sit on a local disk: SQLite's locking is unreliable over SMB/NFS, so :func:`open_ledger`
refuses a database inside the shared folder or on any network share (:mod:`automation.ledger.netpath`). The URL comes from ``config.database_url`` and the SQL
is portable Core, so PostgreSQL can plug in later.

:meth:`Ledger.record` (in :mod:`automation.ledger.recording`) is the single transaction of a
submission. Whatever crashes after it commits is finished by the next run (see ``pipeline``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from automation.core import clock
from automation.core.config import Config
from automation.core.formspec import FormSet, load_specs
from automation.core.model import CustomerDirectory, CustomerRef
from automation.core.texts.errors import ERRORS
from automation.core.texts.log import LOG
from automation.ledger import migrate
from automation.ledger import schema as t
from automation.ledger.batch import LedgerBatch
from automation.ledger.fast import Fast
from automation.ledger.netpath import network_location
from automation.ledger.recording import COUNTED_STATUS, INSERT_AUDIT, Recording, SubmissionRecord
from automation.ledger.shared import serialise

BUSY_TIMEOUT_MS = 30_000
MAX_UNWRITTEN_MARKS = 200  # "filed" marks held before a write of their own (see Ledger.mark_filed)
_S = t.submissions.c
# A file's identity is (site, source): each site's inbox paths are its own (issue 18).
_HERE = _S.site == sa.bindparam("site")
UNFILED = sa.select(t.submissions).where(_S.filed_at.is_(None), _HERE).order_by(_S.id)
UNFILED_AT = UNFILED.where(_S.source == sa.bindparam("src"))
GENERATION = sa.select(t.counters.c.value).where(t.counters.c.name == "directory")
GENERATION_NOW = Fast(GENERATION)
_CU, _CO = t.customers.c, t.complaints.c
_DIRECTORY = sa.select(  # the directory's columns, last the stamp (see Ledger._directory_in)
    _CU.customer_id,
    _CU.name,
    _CU.owner,
    _CU.region,
    _CU.stage,
    _CU.credit_code,
    _CU.phone,
    _CU.id_assigned,
    _CU.last_submission_id,
)
CUSTOMERS_ALL = Fast(_DIRECTORY)
CUSTOMERS_SINCE = Fast(_DIRECTORY.where(_CU.last_submission_id > sa.bindparam("seen")))
COMPLAINTS_ALL = Fast(sa.select(_CO.complaint_id, _CO.last_submission_id))
COMPLAINTS_SINCE = Fast(
    sa.select(_CO.complaint_id, _CO.last_submission_id).where(_CO.last_submission_id > sa.bindparam("seen_k"))
)
COUNTED = (  # not IN: a fixed statement, so PRIOR can be a fast one
    sa.select(sa.literal(1)).where(_S.sha256 == sa.bindparam("sha"), COUNTED_STATUS).limit(1)
)
# Ledger.prior's three questions in one statement: the directory's generation and whether the
# content is counted (one row of scalars), joined to every unfiled submission at the path (a
# statement costs more than SQLite's work here: this is on every single file's way).
_FACTS = sa.select(
    GENERATION.scalar_subquery().label("generation"),
    sa.exists(COUNTED).label("counted"),
).subquery("facts")
_UNFILED_HERE = (
    sa.select(t.submissions)
    .where(_S.source == sa.bindparam("src"), _HERE, _S.filed_at.is_(None))
    .subquery("u")
)
PRIOR = Fast(
    sa.select(_FACTS.c.generation, _FACTS.c.counted, _UNFILED_HERE)
    .select_from(_FACTS.outerjoin(_UNFILED_HERE, sa.true()))
    .order_by(_UNFILED_HERE.c.id)
)
_SI = t.sightings.c
SIGHTED = Fast(
    sa.select(_SI.first_seen).where(
        _SI.sha256 == sa.bindparam("sha"), _SI.source == sa.bindparam("src"), _SI.site == sa.bindparam("site")
    )
)
INSERT_SIGHTING = Fast(sa.insert(t.sightings))
FILED = Fast(
    sa.update(t.submissions)
    .where(_S.id == sa.bindparam("sid"), _S.filed_at.is_(None))
    .values(filed_at=sa.bindparam("at"))
)


class LedgerError(RuntimeError):
    """The ledger cannot be opened as configured (e.g. it would live inside the shared folder)."""


class LedgerDirectory(CustomerDirectory):
    """The register as validation sees it, read from the ledger (customers and complaint ids)."""

    def __init__(
        self,
        customers: list[CustomerRef],
        complaint_ids: set[str],
        generation: int,
        seen: int = 0,
        seen_complaints: int = 0,
    ):
        super().__init__(customers, complaint_ids)
        self.generation = generation
        self.seen = seen  # the highest customers.last_submission_id this directory holds
        self.seen_complaints = seen_complaints  # the same of complaints


def _is_inside(path: Path, folder: Path) -> bool:
    path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents


def make_engine(url: str) -> sa.Engine:
    """An engine with the durability settings above (SQLite), or for PostgreSQL: a checked pool
    (a connection the server dropped is replaced, not used), a connect timeout and TCP keepalives
    (a server that vanished is noticed in seconds, and the watcher waits for it: see
    ``automation.core.faults``). A URL whose driver is not installed is one line saying what to
    install (:class:`LedgerError`), not the import's traceback."""
    if not url.startswith("sqlite"):
        from automation.ledger.postgres import engine_options, missing_driver

        try:
            return sa.create_engine(url, **engine_options(url))
        except (ImportError, sa.exc.NoSuchModuleError) as exc:
            raise LedgerError(missing_driver(url, exc)) from None
        except sa.exc.ArgumentError as exc:
            raise LedgerError(ERRORS["ledger-bad-url"].format(error=exc)) from None
    engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (below)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: sa.Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        # straight to the driver: a statement through SQLAlchemy costs more than SQLite's BEGIN
        conn.connection.driver_connection.execute(f"BEGIN {mode}")  # type: ignore[union-attr]

    return engine


def open_ledger(config: Config) -> Ledger:
    """Open (creating and migrating as needed) the ledger the config names."""
    url = config.database_url
    if url.startswith("sqlite"):
        db = sa.make_url(url).database
        if db and db != ":memory:":
            if network_location(db):
                raise LedgerError(ERRORS["ledger-on-network"].format(db=db, where=network_location(db)))
            path = Path(db)
            if _is_inside(path, config.shared_root):
                raise LedgerError(ERRORS["ledger-in-share"].format(path=path, shared=config.shared_root))
            path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    if migrate.pending(engine):
        migrate.upgrade(engine)
    return Ledger(engine, config)


class Ledger(Recording):
    """The ledger of one installation. Cheap to keep open; one per process."""

    def __init__(self, engine: sa.Engine, config: Config, specs: FormSet | None = None):
        self.engine = engine
        self.config = config
        self.specs = specs or load_specs(config)
        self._directory: LedgerDirectory | None = None
        # "filed" marks not written yet: they ride on this ledger's next write (see mark_filed)
        self._filed: dict[int, datetime] = {}

    def close(self) -> None:
        try:
            self.flush_filed()
        except Exception:  # only "filed" marks: the next run repairs them (see mark_filed)
            logging.getLogger("automation.pipeline").warning(LOG["filed-marks-failed"], exc_info=True)
        finally:
            self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self, *, durable: bool = True) -> Iterator[sa.Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` on SQLite: writers queue, never deadlock).

        ``durable`` False: the commit does not wait for the disk (SQLite ``synchronous=NORMAL``,
        PostgreSQL ``synchronous_commit=off``). Still atomic and ordered — a power cut can only
        lose the newest such commits, never tear one — and made durable by the next durable
        commit. Only for writes whose loss the pipeline repairs by itself (marking a submission
        filed: see :meth:`mark_filed`).
        """
        with self.engine.connect() as conn:
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
            sqlite = self.engine.dialect.name == "sqlite"
            raw = conn.connection.driver_connection if sqlite and not durable else None
            if raw is not None:  # outside any transaction (the pragma is refused inside one)
                raw.execute("PRAGMA synchronous=NORMAL")
            try:
                with conn.begin():
                    if not sqlite:  # writers queue, as on SQLite (automation.ledger.shared)
                        serialise(conn)
                        if not durable:
                            conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
                    yield conn
            finally:
                if raw is not None:
                    raw.execute("PRAGMA synchronous=FULL")

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """One read transaction: a consistent snapshot (WAL readers never block the writer; on
        PostgreSQL, REPEATABLE READ: every statement sees the same moment, as SQLite's do)."""
        with self.engine.connect() as conn:
            if self.engine.dialect.name == "postgresql":
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    # ----- look-ups the pipeline needs ---------------------------------------------------------
    @contextmanager
    def batch(self) -> Iterator[LedgerBatch]:
        """One write transaction for many files (the flood: :mod:`automation.pipeline.flood`): one
        durable commit instead of one per file. Same guarantees: all or nothing. The batch answers
        the pipeline's look-ups and records inside that transaction (:class:`LedgerBatch`)."""
        with self.write() as conn:
            self.flush_filed(conn)
            yield LedgerBatch(self, conn)

    def sighting(self, sha256: str, source: str, now: datetime) -> datetime:
        """When this content at this inbox path was first seen; records ``now`` the first time."""
        with self.write() as own:
            return self._sighting(own, sha256, source, now)

    def _sighting(self, conn: sa.Connection, sha256: str, source: str, now: datetime) -> datetime:
        hit = SIGHTED(conn, {"sha": sha256, "src": source, "site": self.config.site}).scalar()
        if hit is not None:
            return hit
        INSERT_SIGHTING(
            conn, {"sha256": sha256, "source": source, "first_seen": now, "site": self.config.site}
        )
        return now

    def unfiled_at(self, source: str) -> list[SubmissionRecord]:
        """Every recorded but not yet filed submission dropped at this inbox path (any content)."""
        with self.read() as conn:
            rows = conn.execute(UNFILED_AT, {"src": source, "site": self.config.site}).all()
        return [SubmissionRecord.from_row(r) for r in rows if r.id not in self._filed]

    def prior(self, source: str, sha256: str) -> tuple[list[SubmissionRecord], bool, int]:
        """In one read: :meth:`unfiled_at` ``source``, whether a counted submission (accepted, or
        superseded since) has ``sha256``, and the
        directory's generation (for :meth:`directory`, saving it a transaction)."""
        with self.read() as conn:
            rows = PRIOR(conn, {"src": source, "sha": sha256, "site": self.config.site}).all()
        unfiled = [SubmissionRecord.from_row(r) for r in rows if r.id is not None and r.id not in self._filed]
        return unfiled, bool(rows[0].counted), int(rows[0].generation or 0)

    def _generation(self, conn: sa.Connection) -> int:
        """The directory's generation: bumped by every accepted register or complaint drop."""
        return int(GENERATION_NOW(conn).scalar() or 0)

    def unfiled_records(self) -> list[SubmissionRecord]:
        """Every recorded but not yet filed submission (a crash came in between)."""
        self.flush_filed()
        with self.read() as conn:
            rows = conn.execute(UNFILED, {"site": self.config.site}).all()
        return [SubmissionRecord.from_row(r) for r in rows]

    def unfiled_sources(self) -> set[str]:
        """Inbox paths with a recorded but not yet filed submission (a crash came in between)."""
        self.flush_filed()
        c = t.submissions.c
        with self.read() as conn:
            return set(
                conn.execute(
                    sa.select(c.source).where(c.filed_at.is_(None), c.site == self.config.site).distinct()
                ).scalars()
            )

    def has_source(self, source: str) -> bool:
        """Whether any submission came from this inbox path (the original of a conflict copy)."""
        with self.read() as own:
            return self._has_source(own, source)

    def _has_source(self, conn: sa.Connection, source: str) -> bool:
        c = t.submissions.c
        query = sa.select(sa.literal(1)).where(c.source == source, c.site == self.config.site).limit(1)
        return conn.execute(query).first() is not None

    def submission(self, submission_id: int) -> SubmissionRecord:
        self.flush_filed()
        with self.read() as conn:
            r = conn.execute(sa.select(t.submissions).where(t.submissions.c.id == submission_id)).one()
        return SubmissionRecord.from_row(r)

    def submissions(self) -> list[SubmissionRecord]:
        self.flush_filed()
        with self.read() as conn:
            rows = conn.execute(sa.select(t.submissions).order_by(t.submissions.c.id)).all()
        return [SubmissionRecord.from_row(r) for r in rows]

    def mark_filed(self, submission_id: int) -> None:
        """The original is in its final place: the submission's life cycle is complete.

        The mark is not written at once: it rides on this ledger's next write transaction (the
        next file's record, a batch, :meth:`flush_filed`, :meth:`close`), which saves a
        transaction per form; this ledger's own look-ups already treat it as filed. Losing marks
        (a crash, a power cut: they are never durable commits) loses nothing: the file is in its
        place, and the next sight of that inbox path files it again as a no-op (``place`` finds
        the same content there) and marks it then.
        """
        self._filed.setdefault(submission_id, clock.now())
        if len(self._filed) >= MAX_UNWRITTEN_MARKS:
            self.flush_filed()

    def mark_filed_many(self, submission_ids: list[int]) -> None:
        """:meth:`mark_filed` for a whole batch, written at once (one non-durable commit)."""
        now = clock.now()
        for sid in submission_ids:
            self._filed.setdefault(sid, now)
        self.flush_filed()

    def flush_filed(self, conn: sa.Connection | None = None) -> None:
        """Write the pending "filed" marks: in ``conn`` (an open write transaction), else in a
        write of their own that does not wait for the disk (see :meth:`write`)."""
        if not self._filed:
            return
        if conn is None:
            with self.write(durable=False) as own:
                self._write_filed(own)
        else:
            self._write_filed(conn)

    def _write_filed(self, conn: sa.Connection) -> None:
        marks, self._filed = self._filed, {}
        latest = max(marks.values())
        try:
            done = FILED.many(conn, [{"at": latest, "sid": sid} for sid in marks])
            if done:  # 0: another process filed them all meanwhile (some: an extra audit line)
                INSERT_AUDIT.many(
                    conn,
                    [{"at": at, "submission_id": sid, "action": "submission.filed", "detail": "{}"}
                     for sid, at in marks.items()],
                )  # fmt: skip
        except Exception:
            self._filed = marks | self._filed  # not written: keep them for the next write
            raise

    def set_archive_path(self, submission_id: int, archive_path: str) -> None:
        """The planned place was taken by a foreign file meanwhile; the original went next to it."""
        with self.write() as conn:
            conn.execute(
                sa.update(t.submissions)
                .where(t.submissions.c.id == submission_id)
                .values(archive_path=archive_path)
            )

    # ----- consolidation hand-off --------------------------------------------------------------
    def dirty_weeks(self) -> list[tuple[str, str]]:
        """(region, ISO week) pairs whose consolidated outputs are out of date."""
        with self.read() as conn:
            rows = conn.execute(
                sa.select(t.dirty_weeks.c.region, t.dirty_weeks.c.week).order_by("region", "week")
            ).all()
        return [(r.region, r.week) for r in rows]

    def dirty_marks(self) -> dict[tuple[str, str], int]:
        """(region, ISO week) -> its mark count: what :meth:`clear_dirty` needs to clear exactly the
        marks a consolidation read, and no mark set again while it was building."""
        d = t.dirty_weeks.c
        with self.read() as conn:
            rows = conn.execute(sa.select(d.region, d.week, d.seq).order_by(d.region, d.week)).all()
        return {(r.region, r.week): int(r.seq or 0) for r in rows}

    def clear_dirty(
        self,
        pairs: list[tuple[str, str]],
        *,
        marked_before: datetime | None = None,
        seen: Mapping[tuple[str, str], int] | None = None,
    ) -> None:
        """Called by consolidation once the outputs are rebuilt. With ``seen`` (from
        :meth:`dirty_marks`, read before building), a pair is cleared only if nothing marked it
        since; with ``marked_before``, only marks not newer than that time are cleared."""
        d = t.dirty_weeks.c
        with self.write() as conn:
            for region, week in pairs:
                q = sa.delete(t.dirty_weeks).where(d.region == region, d.week == week)
                if marked_before is not None:
                    q = q.where(d.marked_at <= marked_before)
                if seen is not None:
                    if (region, week) not in seen:
                        continue
                    q = q.where(d.seq == seen[(region, week)])
                conn.execute(q)

    # ----- readers ---------------------------------------------------------------------------------
    def directory(self, generation: int | None = None) -> LedgerDirectory:
        """The register for validation; cached until a register or complaint drop changes it.

        ``generation``: what :meth:`prior` read for this very form; when the cached directory is of
        that generation no further read is needed (both are snapshots taken before the form's own
        transaction, as this one would be). A batch reads it through its own transaction
        (:meth:`LedgerBatch.directory`), so it includes what the batch registered so far; should
        that transaction roll back, the batch calls :meth:`forget_directory`.
        """
        d = self._directory
        if generation is not None and d is not None and d.generation == generation:
            return d
        with self.read() as own:
            return self._directory_in(own)

    def forget_directory(self) -> None:
        """Drop the cached directory (it may hold writes of a transaction that was rolled back)."""
        self._directory = None

    def _directory_in(self, conn: sa.Connection) -> LedgerDirectory:
        gen = self._generation(conn)
        d = self._directory
        if d is not None and d.generation == gen:
            return d
        # Every write to a customer or complaint stamps it with the submission's id. On SQLite
        # writers are serialised, so ids grow in commit order and rows stamped after the cached
        # directory's newest stamp are exactly what changed: refresh only those (a register drop
        # into a 20,000-customer ledger would otherwise rebuild the whole directory, ~0.2 s each
        # time). Complaints are never deleted, so their ids only grow too. On PostgreSQL writers are
        # serialised by the ledger's advisory lock (automation.ledger.shared), and the ids are
        # drawn inside it: the same holds.
        if d is not None:  # incremental
            seen, seen_k = d.seen, d.seen_complaints
            rows = CUSTOMERS_SINCE(conn, {"seen": seen}).all()
            complaints = COMPLAINTS_SINCE(conn, {"seen_k": seen_k}).all()
        else:
            d, seen, seen_k = None, 0, 0
            rows, complaints = CUSTOMERS_ALL(conn).all(), COMPLAINTS_ALL(conn).all()
        refs = [
            CustomerRef(cid, name, owner, region or "", stage or "", code or "", phone or "", bool(assigned))
            for cid, name, owner, region, stage, code, phone, assigned, _ in rows
        ]
        seen = max([seen, *(r[-1] or 0 for r in rows)])
        seen_k = max([seen_k, *(r[-1] or 0 for r in complaints)])
        ids = {r[0] for r in complaints}
        if d is not None:
            for ref in refs:
                d.put(ref)
            d.add_complaints(ids)
            d.generation, d.seen, d.seen_complaints = gen, seen, seen_k
            return d
        self._directory = LedgerDirectory(refs, ids, gen, seen, seen_k)
        return self._directory

    def frames(self):  # type: ignore[no-untyped-def]
        """Everything the figures read (accepted, current rows only), as typed data frames."""
        from automation.ledger.extract import frames  # pandas: only for those who read figures

        with self.read() as conn:
            return frames(self.config, conn)


__all__ = ["Ledger", "LedgerDirectory", "LedgerError", "SubmissionRecord", "make_engine", "open_ledger"]
