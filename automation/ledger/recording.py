"""The one transaction of a submission: its terminal state, its rows and everything that follows from them.

:meth:`Recording.record` decides accepted / rejected / duplicate, supersedes the previous version of
the same form, rep and period, applies the rows (:mod:`automation.ledger.writers`), writes the audit
log, marks the region-weeks to consolidate and plans where the original file goes — all inside one
write transaction, so a crash leaves either nothing or everything. The pipeline then files the
original; whatever a crash interrupts after the commit is finished by the next run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from automation.core import clock
from automation.core.model import Submission
from automation.core.safenames import safe_part, split_name
from automation.core.texts.feedback import SUFFIX
from automation.core.texts.notes import NOTES
from automation.ledger import customers, writers
from automation.ledger import schema as t
from automation.ledger.fast import Fast
from automation.ledger.values import as_date, as_text, iso_week, say, to_json
from automation.ledger.writers import Apply

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from automation.core.config import Config
    from automation.core.formspec import FormSet

APPLY = {
    "visit_report": writers.apply_visit_report,
    "visit_plan": writers.apply_visit_plan,
    "market_report": writers.apply_market_report,
    "weekly_report": writers.apply_weekly_report,
    "targets": writers.apply_targets,
    "customer_register": customers.apply_customer_register,
    "complaint": customers.apply_complaint,
}
DIRECTORY_FORMS = frozenset({"customer_register", "complaint"})  # accepted, they change what validation sees
COMPANY_MARK = "*"  # a dirty mark for the company workbook of a week (several sites only)
FEEDBACK_SUFFIX = {lang: f".{word}.xlsx" for lang, word in SUFFIX.items()}  # as automation.feedback names it


# Statements built once (bound parameters) and run through :mod:`automation.ledger.fast`: building,
# cache-keying and executing a fresh Core statement per call cost more than SQLite's own work in a
# flood (issue 4: throughput).
_S = t.submissions.c
COUNTED_STATUS = sa.or_(_S.status == t.ACCEPTED, _S.status == t.SUPERSEDED)  # not IN: a fixed statement
_HERE = _S.site == sa.bindparam("site")  # (site, source) is a file's identity (issue 18)
UNFILED_SAME = Fast(
    sa.select(t.submissions).where(
        _S.sha256 == sa.bindparam("sha"), _S.source == sa.bindparam("src"), _HERE, _S.filed_at.is_(None)
    )
)
SAME_CONTENT = Fast(  # UNFILED_SAME, and the counted original (store.COUNTED's row), in one statement
    sa.select(t.submissions)
    .where(
        _S.sha256 == sa.bindparam("sha"),
        sa.or_(sa.and_(_S.source == sa.bindparam("src"), _HERE, _S.filed_at.is_(None)), COUNTED_STATUS),
    )
    .order_by(_S.id)
)
# archive paths are relative to the site's own shared folder
PATH_TAKEN = Fast(sa.select(_S.id).where(_S.archive_path == sa.bindparam("rel"), _HERE).limit(1))
INSERT_SUBMISSION = Fast(sa.insert(t.submissions))
UPDATE_SUBMISSION = Fast(sa.update(t.submissions).where(_S.id == sa.bindparam("sid")))
SUPERSEDE = Fast(
    sa.update(t.submissions)
    .where(_S.id == sa.bindparam("sid"))
    .values(status=t.SUPERSEDED, superseded_by=sa.bindparam("winner"))
)
INSERT_AUDIT = Fast(sa.insert(t.audit_log))
INSERT_DIRTY = Fast(sa.insert(t.dirty_weeks))


def _record_of(
    sid: int, values: dict[str, Any], messages: list[str], assigned: list[dict[str, Any]]
) -> SubmissionRecord:
    """The record just written, from what was written (reading it back cost a statement per file)."""
    return SubmissionRecord(
        id=sid, sha256=values["sha256"], status=values["status"], original_name=values["original_name"],
        source=values["source"], folder=values["folder"], rep_id=values.get("rep_id") or "",
        region=values.get("region") or "", form=values.get("form") or "",
        period_key=values.get("period_key") or "", received_at=values["received_at"],
        first_seen_at=values["first_seen_at"], archive_path=values.get("archive_path"),
        feedback_path=values.get("feedback_path"), filed_at=None,
        duplicate_of=values.get("duplicate_of"), superseded_by=values.get("superseded_by"),
        error_count=values.get("error_count") or 0, messages=messages, assigned_ids=assigned,
    )  # fmt: skip


def _current_versions(who: sa.ColumnElement[bool]) -> sa.Select[Any]:
    return sa.select(_S.id, _S.original_name, _S.received_at).where(
        _S.form == sa.bindparam("form"), who, _S.period_key == sa.bindparam("period"),
        _S.status == t.ACCEPTED, _S.id != sa.bindparam("sid"),
    )  # fmt: skip


CURRENT_BY_REP = Fast(_current_versions(_S.rep_id == sa.bindparam("who")))
CURRENT_BY_REGION = Fast(_current_versions(_S.region == sa.bindparam("who")))
BUMP_DIRTY = Fast(
    sa.update(t.dirty_weeks)
    .where(t.dirty_weeks.c.region == sa.bindparam("r"), t.dirty_weeks.c.week == sa.bindparam("w"))
    .values(seq=t.dirty_weeks.c.seq + 1, marked_at=sa.bindparam("at"))
)


@dataclass
class Deferred:
    """Writes of a record that may wait until the end of its transaction: audit entries and the
    region-weeks to consolidate. A batch (``pipeline_batch``) writes its whole chunk's in two
    statements instead of two or three per file; the transaction is all or nothing either way."""

    audit: list[dict[str, Any]] = field(default_factory=list)
    dirty: set[tuple[str, str]] = field(default_factory=set)

    def note(
        self, at: datetime, sid: int, action: str, entity_id: str, detail: dict[str, Any] | None = None
    ) -> None:
        self.audit.append({
            "at": at, "submission_id": sid, "action": action, "entity": "submission", "entity_id": entity_id,
            "detail": to_json(detail) if detail else "{}",
        })  # fmt: skip


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


class Recording:
    """The recording half of :class:`automation.ledger.store.Ledger` (kept apart to stay readable)."""

    config: Config
    specs: FormSet

    def write(self) -> AbstractContextManager[sa.Connection]:  # provided by Ledger
        raise NotImplementedError

    def flush_filed(self, conn: sa.Connection | None = None) -> None:  # provided by Ledger
        raise NotImplementedError

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
        conflict_copy_of: str | None = None,
    ) -> SubmissionRecord:
        """Record a processed file: its terminal state and, when accepted, its rows — atomically,
        in one write transaction of its own (a flood records many in one: :class:`LedgerBatch`).

        ``sub`` None means the caller already knows the content is a duplicate (no intake needed).
        The duplicate check is repeated inside the transaction, so two processes racing on the
        same content still count it once. ``name`` is the sanitised original name.
        ``conflict_copy_of``: the inbox path this file may be a sync client's copy of
        (``automation.core.synccopy``), stored with it.
        """
        with self.write() as conn:
            self.flush_filed(conn)  # the previous files' "filed" marks ride on this commit
            later = Deferred()
            out = self._record(
                conn, sub, later, valid=valid, error_count=error_count, warning_count=warning_count,
                sha256=sha256, source=source, folder=folder, name=name, size=size, first_seen=first_seen,
                received_at=received_at, language=language, conflict_copy_of=conflict_copy_of,
            )  # fmt: skip
            self.flush(conn, later)  # nobody writes them later: now, in this transaction
            return out

    def _record(
        self,
        conn: sa.Connection,
        sub: Submission | None,
        deferred: Deferred,
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
        conflict_copy_of: str | None = None,
        new_content: bool = False,
        same: list[Any] | None = None,
    ) -> SubmissionRecord:
        """:meth:`record` inside ``conn``, its audit entries and consolidation marks into ``deferred``.

        A batch (:class:`automation.ledger.batch.LedgerBatch`) passes ``new_content``: it saw, *in that
        same transaction*, that no counted submission has this content (skips a repeated look-up),
        and ``same``: the rows of :data:`SAME_CONTENT` it read there (not asked again here).
        """
        base = {
            "sha256": sha256, "original_name": name, "source": source, "folder": folder, "size": size,
            "received_at": received_at, "first_seen_at": first_seen, "language": language,
            "site": self.config.site,
        }  # fmt: skip
        if conflict_copy_of:  # only then: the hot statement keeps its one set of columns
            base["conflict_copy_of"] = conflict_copy_of
        counts = (valid, error_count, warning_count)
        return self._record_in(conn, sub, counts, base, new_content, deferred, same)

    def flush(self, conn: sa.Connection, deferred: Deferred) -> None:
        """Write what :meth:`record` deferred (in the same transaction, before its commit)."""
        if deferred.audit:
            INSERT_AUDIT.many(conn, deferred.audit)
        self._mark_dirty(conn, deferred.dirty, clock.now())
        deferred.audit, deferred.dirty = [], set()

    def _record_in(
        self,
        conn: sa.Connection,
        sub: Submission | None,
        counts: tuple[bool, int, int],
        base: dict[str, Any],
        new_content: bool,
        deferred: Deferred,
        same: list[Any] | None = None,
    ) -> SubmissionRecord:
        now = clock.now()
        sha256, source = base["sha256"], base["source"]
        if new_content and sub is not None and same is None:  # a batch: only a race remains
            existing = UNFILED_SAME(conn, {"sha": sha256, "src": source, "site": base["site"]}).first()
            original = None
        else:  # one look-up for both questions
            rows = list(
                same
                if same is not None
                else SAME_CONTENT(conn, {"sha": sha256, "src": source, "site": base["site"]})
            )
            existing = next(
                (
                    r
                    for r in reversed(rows)
                    if r.source == source and r.site == base["site"] and r.filed_at is None
                ),
                None,
            )
            counted = next((r for r in rows if r.status in (t.ACCEPTED, t.SUPERSEDED)), None)
            original = SubmissionRecord.from_row(counted) if counted is not None else None
        if existing is not None:  # another process recorded this very file meanwhile
            return SubmissionRecord.from_row(existing)
        base = base | {"created_at": now}
        if original is not None:
            return self._record_duplicate(conn, base, original, now, deferred)
        if sub is None:
            raise ValueError("record() needs the submission unless the content is a known duplicate")
        return self._record_read(conn, base, sub, counts, now, deferred)

    def _insert(self, conn: sa.Connection, values: dict[str, Any]) -> int:
        key = INSERT_SUBMISSION(conn, values).inserted_primary_key
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
        taken = PATH_TAKEN(conn, {"rel": rel, "site": self.config.site}).first()
        if taken is not None or (self.config.shared_root / rel).exists():
            stem, ext = split_name(name)
            rel = f"{base}/{stem}_{sid}{ext}"
        out: dict[str, Any] = {"archive_path": rel}
        if status == t.REJECTED:
            out["feedback_path"] = f"{split_name(rel)[0]}{FEEDBACK_SUFFIX.get(lang, FEEDBACK_SUFFIX['zh'])}"
        return out

    def _record_duplicate(
        self,
        conn: sa.Connection,
        base: dict[str, Any],
        original: SubmissionRecord,
        now: datetime,
        deferred: Deferred,
    ) -> SubmissionRecord:
        msg = say(
            "duplicate-submission",
            file=f"{original.original_name} #{original.id}, {original.received_at:%Y-%m-%d %H:%M}",
        )
        values = base | {
            "status": t.DUPLICATE, "duplicate_of": original.id, "rep_id": original.rep_id, "region": original.region,
            "form": original.form, "period_key": original.period_key, "messages": to_json([msg]),
        }  # fmt: skip
        sid = self._insert(conn, values)
        plan = self._plan(conn, sid, t.DUPLICATE, base["folder"], base["received_at"], base["original_name"])
        UPDATE_SUBMISSION(conn, {"sid": sid, **plan})
        deferred.note(now, sid, "submission.duplicate", str(original.id))
        return _record_of(sid, values | plan, [msg], [])

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
        counts: tuple[bool, int, int],
        now: datetime,
        deferred: Deferred,
    ) -> SubmissionRecord:
        valid, errors, warnings = counts
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
            messages.append(NOTES["sent-back"].format(n=errors))
            if region:
                dirty.add((region, period_key if sub.form == "weekly_report" and period_key else week_of))
        else:
            spec = self.specs[sub.form or ""]
            messages += self._supersede(
                values,
                conn,
                sid,
                sub.form or "",
                rep_id,
                region,
                period_key,
                base["received_at"],
                spec.period,
                deferred,
            )
            a = Apply(conn, self.config, spec, sub, sid, rep_id, region, base["received_at"], now)
            APPLY[spec.key](a)
            deferred.audit += a.audits
            messages += a.messages
            assigned = a.assigned
            dirty |= {(r, w) for r, w in a.dirty if r and w}
            if a.warnings:
                values["warning_count"] = warnings + len(a.warnings)
            if a.directory_changed:
                writers.bump_counter(conn, "directory")
        plan = self._plan(
            conn, sid, status, base["folder"], base["received_at"], base["original_name"], sub.language
        )
        UPDATE_SUBMISSION(
            conn,
            {"sid": sid, "messages": to_json(messages), "assigned_ids": to_json(assigned),
             "warning_count": values["warning_count"], **plan},
        )  # fmt: skip
        deferred.dirty |= dirty
        deferred.note(now, sid, f"submission.{status}", str(sid),
                      {"form": sub.form, "rep_id": rep_id, "period": period_key, "errors": errors})  # fmt: skip
        return _record_of(sid, values | plan, messages, assigned)

    def _optional_filled(self, sub: Submission) -> float | None:
        if sub.form != "visit_report" or not sub.rows:
            return None
        optional = [f.key for f in self.specs["visit_report"].fields if not f.required]
        filled = sum(1 for row in sub.rows for k in optional if k in row.cells and not row.cells[k].blank)
        return filled / (len(sub.rows) * len(optional)) if optional else None

    def _supersede(
        self,
        values: dict[str, Any],
        conn: sa.Connection,
        sid: int,
        form: str,
        rep_id: str,
        region: str,
        period_key: str,
        received: datetime,
        period: str,
        deferred: Deferred,
    ) -> list[str]:
        """The latest received version of (form, rep or region, period) is current; the others are superseded.

        Ordered by received time (then by id), not by processing order: two versions processed in
        the "wrong" order (a backlog, a retry) still leave the later one current. When ours loses,
        ``values`` (the new submission's row as inserted) says so too.
        """
        if period not in ("day", "week") or not period_key:
            return []
        stmt, who = (CURRENT_BY_REGION, region) if form == "weekly_report" else (CURRENT_BY_REP, rep_id)
        current = stmt(conn, {"form": form, "who": who, "period": period_key, "sid": sid}).all()
        messages = []
        for old in current:
            if (old.received_at, old.id) > (
                received,
                sid,
            ):  # the one already there is newer: ours is the old one
                loser, winner, text = (
                    sid,
                    old.id,
                    (NOTES["later-version"].format(id=old.id, name=old.original_name)),
                )
            else:
                loser, winner, text = (
                    old.id,
                    sid,
                    say("superseded", file=f"{old.original_name} #{old.id}"),
                )
            SUPERSEDE(conn, {"sid": loser, "winner": winner})
            if loser == sid:
                values |= {"status": t.SUPERSEDED, "superseded_by": winner}
            deferred.note(clock.now(), loser, "submission.superseded", str(winner))
            messages.append(text)
        return messages

    def _mark_dirty(self, conn: sa.Connection, dirty: set[tuple[str, str]], now: datetime) -> None:
        """Mark region-weeks for consolidation; a mark already there is counted up (``seq``), so a
        consolidation that read the old count leaves it in place (see ``Ledger.clear_dirty``).

        Several sites (``config.multi_site``): each week touched is also marked for the company
        workbook (region :data:`COMPANY_MARK`), which HQ clears, since each region's own mark is
        cleared by the site that serves the region (see ``automation.consolidate.sites``)."""
        if dirty and self.config.multi_site:
            dirty = dirty | {(COMPANY_MARK, w) for _, w in dirty}
        for region, week in sorted(dirty):
            if not BUMP_DIRTY(conn, {"r": region, "w": week, "at": now}).rowcount:
                INSERT_DIRTY(conn, {"region": region, "week": week, "marked_at": now, "seq": 0})
