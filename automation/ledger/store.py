"""Opening the ledger and recording submissions: the one place that writes it.

Durability first: SQLite in WAL mode with ``synchronous=FULL`` (a committed submission survives a
power cut), a busy timeout (the watcher and a one-shot ``ingest`` may run at once), and write
transactions that start with ``BEGIN IMMEDIATE`` so two writers queue instead of deadlocking. The
database must sit on a local disk: SQLite's locking is unreliable over SMB/NFS, so :func:`open_ledger`
refuses a database inside the shared folder. The URL comes from ``config.database_url`` and the SQL
is portable Core, so PostgreSQL can plug in later.

:meth:`Ledger.record` is the single transaction of a submission: its terminal state, its rows,
superseding the previous version, the audit log, the weeks to consolidate, and where the original
file will go. Whatever crashes after it commits is finished by the next run (see ``pipeline``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from automation import clock
from automation.config import Config
from automation.formspec import FormSet, load_specs
from automation.ledger import migrate
from automation.ledger import schema as t
from automation.ledger.values import as_date, as_text, iso_week, to_json
from automation.ledger.writers import APPLY, Apply
from automation.model import CustomerDirectory, CustomerRef, Submission
from automation.safenames import safe_part, split_name

BUSY_TIMEOUT_MS = 30_000
FEEDBACK_SUFFIX = {"zh": ".反馈.xlsx", "en": ".feedback.xlsx"}  # as automation.feedback names it


class LedgerError(RuntimeError):
    """The ledger cannot be opened as configured (e.g. it would live inside the shared folder)."""


@dataclass
class SubmissionRecord:
    """A submission as the ledger holds it (what the pipeline and ``status`` need)."""

    id: int
    sha256: str
    status: str
    original_name: str
    source: str
    folder: str
    rep_id: str
    region: str
    form: str
    period_key: str
    received_at: datetime
    first_seen_at: datetime
    archive_path: str | None
    feedback_path: str | None
    filed_at: datetime | None
    duplicate_of: int | None
    superseded_by: int | None
    error_count: int
    messages: list[str] = field(default_factory=list)
    assigned_ids: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_row(cls, r: sa.Row) -> SubmissionRecord:
        return cls(
            id=r.id, sha256=r.sha256, status=r.status, original_name=r.original_name, source=r.source, folder=r.folder,
            rep_id=r.rep_id, region=r.region, form=r.form, period_key=r.period_key, received_at=r.received_at,
            first_seen_at=r.first_seen_at, archive_path=r.archive_path, feedback_path=r.feedback_path,
            filed_at=r.filed_at, duplicate_of=r.duplicate_of, superseded_by=r.superseded_by,
            error_count=r.error_count, messages=json.loads(r.messages or "[]"),
            assigned_ids=json.loads(r.assigned_ids or "[]"),
        )  # fmt: skip


class LedgerDirectory(CustomerDirectory):
    """The register as validation sees it, read from the ledger (customers and complaint ids)."""

    def __init__(self, customers: list[CustomerRef], complaint_ids: set[str], generation: int):
        super().__init__(customers, complaint_ids)
        self.generation = generation


def _is_inside(path: Path, folder: Path) -> bool:
    path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents


def make_engine(url: str) -> sa.Engine:
    """An engine with the durability settings above (SQLite) or plain defaults (other databases)."""
    if not url.startswith("sqlite"):
        return sa.create_engine(url, pool_pre_ping=True)
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
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def open_ledger(config: Config) -> Ledger:
    """Open (creating and migrating as needed) the ledger the config names."""
    url = config.database_url
    if url.startswith("sqlite"):
        db = sa.make_url(url).database
        if db and db != ":memory:":
            path = Path(db)
            if _is_inside(path, config.shared_root):
                raise LedgerError(
                    f"账本不能放在共享文件夹内 / the ledger {path} is inside the shared folder {config.shared_root}; "
                    "SQLite is not safe on a network share. Set state_folder to a local folder (e.g. .salesflow)"
                )
            path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(url)
    migrate.upgrade(engine)
    return Ledger(engine, config)


class Ledger:
    """The ledger of one installation. Cheap to keep open; one per process."""

    def __init__(self, engine: sa.Engine, config: Config, specs: FormSet | None = None):
        self.engine = engine
        self.config = config
        self.specs = specs or load_specs(config)
        self._directory: LedgerDirectory | None = None

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[sa.Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` on SQLite: writers queue, never deadlock)."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(sqlite_begin="IMMEDIATE")
            with conn.begin():
                yield conn

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """One read transaction: a consistent snapshot (WAL readers never block the writer)."""
        with self.engine.connect() as conn, conn.begin():
            yield conn

    # ----- look-ups the pipeline needs ---------------------------------------------------------
    def sighting(self, sha256: str, source: str, now: datetime) -> datetime:
        """When this content at this inbox path was first seen; records ``now`` the first time."""
        s = t.sightings.c
        with self.write() as conn:
            hit = conn.execute(sa.select(s.first_seen).where(s.sha256 == sha256, s.source == source)).scalar()
            if hit is not None:
                return hit
            conn.execute(sa.insert(t.sightings).values(sha256=sha256, source=source, first_seen=now))
            return now

    def unfiled(self, sha256: str, source: str) -> SubmissionRecord | None:
        """A terminal record of this very file whose original was not moved yet (a crash in between)."""
        c = t.submissions.c
        with self.read() as conn:
            r = conn.execute(
                sa.select(t.submissions)
                .where(c.sha256 == sha256, c.source == source, c.filed_at.is_(None))
                .order_by(c.id.desc())
            ).first()
        return SubmissionRecord.from_row(r) if r else None

    def unfiled_at(self, source: str) -> list[SubmissionRecord]:
        """Every recorded but not yet filed submission dropped at this inbox path (any content)."""
        c = t.submissions.c
        with self.read() as conn:
            rows = conn.execute(
                sa.select(t.submissions).where(c.source == source, c.filed_at.is_(None)).order_by(c.id)
            ).all()
        return [SubmissionRecord.from_row(r) for r in rows]

    def original_of(self, sha256: str, conn: sa.Connection | None = None) -> SubmissionRecord | None:
        """The counted submission (accepted or later superseded) with this exact content, if any."""
        c = t.submissions.c
        q = (
            sa.select(t.submissions)
            .where(c.sha256 == sha256, c.status.in_([t.ACCEPTED, t.SUPERSEDED]))
            .order_by(c.id)
        )
        if conn is not None:
            r = conn.execute(q).first()
        else:
            with self.read() as rc:
                r = rc.execute(q).first()
        return SubmissionRecord.from_row(r) if r else None

    def submission(self, submission_id: int) -> SubmissionRecord:
        with self.read() as conn:
            r = conn.execute(sa.select(t.submissions).where(t.submissions.c.id == submission_id)).one()
        return SubmissionRecord.from_row(r)

    def submissions(self) -> list[SubmissionRecord]:
        with self.read() as conn:
            rows = conn.execute(sa.select(t.submissions).order_by(t.submissions.c.id)).all()
        return [SubmissionRecord.from_row(r) for r in rows]

    def mark_filed(self, submission_id: int) -> None:
        """The original is in its final place: the submission's life cycle is complete."""
        now = clock.now()
        with self.write() as conn:
            res = conn.execute(
                sa.update(t.submissions)
                .where(t.submissions.c.id == submission_id, t.submissions.c.filed_at.is_(None))
                .values(filed_at=now)
            )
            if res.rowcount:
                conn.execute(
                    sa.insert(t.audit_log).values(
                        at=now, submission_id=submission_id, action="submission.filed", detail="{}"
                    )
                )

    def set_archive_path(self, submission_id: int, archive_path: str) -> None:
        """The planned place was taken by a foreign file meanwhile; the original went next to it."""
        with self.write() as conn:
            conn.execute(
                sa.update(t.submissions)
                .where(t.submissions.c.id == submission_id)
                .values(archive_path=archive_path)
            )

    # ----- the one transaction of a submission -------------------------------------------------
    def record(
        self,
        sub: Submission | None,
        *,
        valid: bool,
        error_count: int,
        warning_count: int,
        sha256: str,
        source: str,
        folder: str,
        name: str,
        size: int,
        first_seen: datetime,
        received_at: datetime,
        language: str = "zh",
    ) -> SubmissionRecord:
        """Record a processed file: its terminal state and, when accepted, its rows — atomically.

        ``sub`` None means the caller already knows the content is a duplicate (no intake needed).
        The duplicate check is repeated inside the transaction, so two processes racing on the
        same content still count it once. ``name`` is the sanitised original name.
        """
        now = clock.now()
        with self.write() as conn:
            existing = conn.execute(
                sa.select(t.submissions).where(
                    t.submissions.c.sha256 == sha256,
                    t.submissions.c.source == source,
                    t.submissions.c.filed_at.is_(None),
                )
            ).first()
            if existing is not None:  # another process recorded this very file meanwhile
                return SubmissionRecord.from_row(existing)
            original = self.original_of(sha256, conn)
            base = {
                "sha256": sha256, "original_name": name, "source": source, "folder": folder, "size": size,
                "received_at": received_at, "first_seen_at": first_seen, "created_at": now,
                "language": language,
            }  # fmt: skip
            if original is not None:
                return self._record_duplicate(conn, base, original, now)
            if sub is None:
                raise ValueError("record() needs the submission unless the content is a known duplicate")
            return self._record_read(conn, base, sub, valid, error_count, warning_count, now)

    def _insert(self, conn: sa.Connection, values: dict[str, Any]) -> int:
        key = conn.execute(sa.insert(t.submissions).values(**values)).inserted_primary_key
        assert key is not None
        return int(key[0])

    def _plan(
        self,
        conn: sa.Connection,
        sid: int,
        status: str,
        folder: str,
        received: datetime,
        name: str,
        lang: str = "zh",
    ) -> dict[str, Any]:
        """Where the original (and feedback) will go: sanitised parts, never overwriting another file."""
        part = safe_part(folder, "_unsorted")
        base = f"archive/{part}/{received:%Y-%m}" if status != t.REJECTED else f"rejected/{part}"
        rel = f"{base}/{name}"
        taken = conn.execute(sa.select(t.submissions.c.id).where(t.submissions.c.archive_path == rel)).first()
        if taken is not None or (self.config.shared_root / rel).exists():
            stem, ext = split_name(name)
            rel = f"{base}/{stem}_{sid}{ext}"
        out: dict[str, Any] = {"archive_path": rel}
        if status == t.REJECTED:
            out["feedback_path"] = f"{split_name(rel)[0]}{FEEDBACK_SUFFIX.get(lang, FEEDBACK_SUFFIX['zh'])}"
        return out

    def _record_duplicate(
        self, conn: sa.Connection, base: dict[str, Any], original: SubmissionRecord, now: datetime
    ) -> SubmissionRecord:
        msg = (
            f"与已收到的 #{original.id}「{original.original_name}」({original.received_at:%Y-%m-%d %H:%M}) 内容完全相同，不重复计入 / "
            f"identical to #{original.id} '{original.original_name}' received {original.received_at:%Y-%m-%d %H:%M}; not counted again"
        )
        sid = self._insert(
            conn,
            base | {
                "status": t.DUPLICATE, "duplicate_of": original.id, "rep_id": original.rep_id, "region": original.region,
                "form": original.form, "period_key": original.period_key, "messages": to_json([msg]),
            },
        )  # fmt: skip
        conn.execute(
            sa.update(t.submissions)
            .where(t.submissions.c.id == sid)
            .values(
                **self._plan(
                    conn, sid, t.DUPLICATE, base["folder"], base["received_at"], base["original_name"]
                )
            )
        )
        conn.execute(
            sa.insert(t.audit_log).values(
                at=now,
                submission_id=sid,
                action="submission.duplicate",
                entity="submission",
                entity_id=str(original.id),
                detail="{}",
            )
        )
        return SubmissionRecord.from_row(
            conn.execute(sa.select(t.submissions).where(t.submissions.c.id == sid)).one()
        )

    def _who(self, sub: Submission, folder: str) -> tuple[str, str]:
        """(rep_id, region) the submission belongs to: the rep, the weekly report's supervisor, or hq."""
        if sub.form == "targets":
            return "hq", ""
        if sub.form == "weekly_report":
            region = as_text(sub.info_value("region")) or ""
            sup = self.config.supervisor_of(region)
            return (folder or (sup.id if sup else "")), region
        rep = self.config.rep(as_text(sub.info_value("rep_id")) or "") or self.config.rep(folder)
        if rep is not None:
            return rep.id, rep.region
        sup = next((s for s in self.config.supervisors if s.id == folder), None)
        return folder, (sup.region if sup else "")

    def _period(self, sub: Submission) -> tuple[str, date | None]:
        spec = self.specs.get(sub.form or "")
        if spec is None or not spec.period_field:
            return "", None
        value = sub.info_value(spec.period_field)
        if spec.period == "day":
            d = as_date(value)
            return (d.isoformat() if d else ""), d
        return as_text(value) or "", None

    def _record_read(
        self,
        conn: sa.Connection,
        base: dict[str, Any],
        sub: Submission,
        valid: bool,
        errors: int,
        warnings: int,
        now: datetime,
    ) -> SubmissionRecord:
        rep_id, region = self._who(sub, base["folder"])
        period_key, day = self._period(sub)
        status = t.ACCEPTED if valid and sub.form is not None else t.REJECTED
        info = {k: as_text(sub.info_value(k)) for k in sub.info}
        values = base | {
            "status": status, "rep_id": rep_id, "region": region, "form": sub.form or "", "language": sub.language,
            "period_key": period_key, "file_format": sub.file_format, "error_count": errors, "warning_count": warnings,
            "row_count": len(sub.rows), "info": to_json(info), "optional_filled": self._optional_filled(sub),
        }  # fmt: skip
        sid = self._insert(conn, values)
        messages: list[str] = []
        assigned: list[dict[str, Any]] = []
        dirty: set[tuple[str, str]] = set()
        week_of = iso_week(day or base["received_at"].date())
        if status == t.REJECTED:
            messages.append(
                f"有 {errors} 处错误，请按反馈表修改后重新提交 / {errors} problem(s): fix them as the feedback workbook shows and drop the form again"
            )
            if region:
                dirty.add((region, period_key if sub.form == "weekly_report" and period_key else week_of))
        else:
            spec = self.specs[sub.form or ""]
            messages += self._supersede(
                conn, sid, sub.form or "", rep_id, region, period_key, base["received_at"], spec.period
            )
            a = Apply(conn, self.config, spec, sub, sid, rep_id, region, base["received_at"], now)
            APPLY[spec.key](a)
            messages += a.messages
            assigned = a.assigned
            dirty |= {(r, w) for r, w in a.dirty if r and w}
            if a.warnings:
                values["warning_count"] = warnings + len(a.warnings)
            if a.directory_changed:
                self._bump(conn, "directory")
        conn.execute(
            sa.update(t.submissions)
            .where(t.submissions.c.id == sid)
            .values(
                messages=to_json(messages), assigned_ids=to_json(assigned), warning_count=values["warning_count"],
                **self._plan(conn, sid, status, base["folder"], base["received_at"], base["original_name"], sub.language),
            )
        )  # fmt: skip
        self._mark_dirty(conn, dirty, now)
        conn.execute(
            sa.insert(t.audit_log).values(
                at=now, submission_id=sid, action=f"submission.{status}", entity="submission", entity_id=str(sid),
                detail=to_json({"form": sub.form, "rep_id": rep_id, "period": period_key, "errors": errors}),
            )
        )  # fmt: skip
        return SubmissionRecord.from_row(
            conn.execute(sa.select(t.submissions).where(t.submissions.c.id == sid)).one()
        )

    def _optional_filled(self, sub: Submission) -> float | None:
        if sub.form != "visit_report" or not sub.rows:
            return None
        optional = [f.key for f in self.specs["visit_report"].fields if not f.required]
        filled = sum(1 for row in sub.rows for k in optional if k in row.cells and not row.cells[k].blank)
        return filled / (len(sub.rows) * len(optional)) if optional else None

    def _supersede(
        self,
        conn: sa.Connection,
        sid: int,
        form: str,
        rep_id: str,
        region: str,
        period_key: str,
        received: datetime,
        period: str,
    ) -> list[str]:
        """The latest received version of (form, rep or region, period) is current; the others are superseded.

        Ordered by received time (then by id), not by processing order: two versions processed in
        the "wrong" order (a backlog, a retry) still leave the later one current.
        """
        c = t.submissions.c
        if period not in ("day", "week") or not period_key:
            return []
        who = c.region == region if form == "weekly_report" else c.rep_id == rep_id
        current = conn.execute(
            sa.select(c.id, c.original_name, c.received_at).where(
                c.form == form, who, c.period_key == period_key, c.status == t.ACCEPTED, c.id != sid
            )
        ).all()
        messages = []
        for old in current:
            if (old.received_at, old.id) > (
                received,
                sid,
            ):  # the one already there is newer: ours is the old one
                loser, winner, text = (
                    sid,
                    old.id,
                    (
                        f"已有更晚收到的版本 #{old.id}「{old.original_name}」，本文件仅存档 / a later version #{old.id} "
                        f"'{old.original_name}' is already in; this file is kept but not counted"
                    ),
                )
            else:
                loser, winner, text = (
                    old.id,
                    sid,
                    (
                        f"取代了之前的版本 #{old.id}「{old.original_name}」/ replaces the earlier version #{old.id} '{old.original_name}'"
                    ),
                )
            conn.execute(
                sa.update(t.submissions)
                .where(c.id == loser)
                .values(status=t.SUPERSEDED, superseded_by=winner)
            )
            conn.execute(
                sa.insert(t.audit_log).values(
                    at=clock.now(), submission_id=loser, action="submission.superseded", entity="submission",
                    entity_id=str(winner), detail="{}",
                )
            )  # fmt: skip
            messages.append(text)
        return messages

    def _bump(self, conn: sa.Connection, name: str) -> None:
        c = t.counters.c
        if conn.execute(sa.update(t.counters).where(c.name == name).values(value=c.value + 1)).rowcount == 0:
            conn.execute(sa.insert(t.counters).values(name=name, value=1))

    def _mark_dirty(self, conn: sa.Connection, dirty: set[tuple[str, str]], now: datetime) -> None:
        d = t.dirty_weeks.c
        for region, week in sorted(dirty):
            if conn.execute(sa.select(d.week).where(d.region == region, d.week == week)).first() is None:
                conn.execute(sa.insert(t.dirty_weeks).values(region=region, week=week, marked_at=now))

    # ----- consolidation hand-off --------------------------------------------------------------
    def dirty_weeks(self) -> list[tuple[str, str]]:
        """(region, ISO week) pairs whose consolidated outputs are out of date."""
        with self.read() as conn:
            rows = conn.execute(
                sa.select(t.dirty_weeks.c.region, t.dirty_weeks.c.week).order_by("region", "week")
            ).all()
        return [(r.region, r.week) for r in rows]

    def clear_dirty(self, pairs: list[tuple[str, str]], *, marked_before: datetime | None = None) -> None:
        """Called by consolidation once the outputs are rebuilt; marks newer than it started are kept."""
        d = t.dirty_weeks.c
        with self.write() as conn:
            for region, week in pairs:
                q = sa.delete(t.dirty_weeks).where(d.region == region, d.week == week)
                if marked_before is not None:
                    q = q.where(d.marked_at <= marked_before)
                conn.execute(q)

    # ----- readers ---------------------------------------------------------------------------------
    def directory(self) -> LedgerDirectory:
        """The register for validation; cached until a register or complaint drop changes it."""
        with self.read() as conn:
            gen = (
                conn.execute(sa.select(t.counters.c.value).where(t.counters.c.name == "directory")).scalar()
                or 0
            )
            if self._directory is not None and self._directory.generation == gen:
                return self._directory
            c = t.customers.c
            refs = [
                CustomerRef(
                    r.customer_id,
                    r.name,
                    r.owner,
                    r.region or "",
                    r.stage or "",
                    r.credit_code or "",
                    r.phone or "",
                )
                for r in conn.execute(
                    sa.select(c.customer_id, c.name, c.owner, c.region, c.stage, c.credit_code, c.phone)
                )
            ]
            ids = {r[0] for r in conn.execute(sa.select(t.complaints.c.complaint_id))}
        self._directory = LedgerDirectory(refs, ids, gen)
        return self._directory

    def frames(self):  # type: ignore[no-untyped-def]
        """Everything the figures read (accepted, current rows only), as typed data frames."""
        from automation.ledger.extract import frames

        return frames(self)
