"""What happens to one dropped file, start to finish. Read :func:`process` first.

The stages, in order (each a function below, each safe to run again):

0. **lock** — one process per file at a time (:func:`~automation.pipeline.paths.path_lock`): the
   watcher and ``ingest`` may meet.
1. **look** — a regular file, not a symbolic link nor under a linked folder, not noise; else ``ignored``.
2. **store** — copy the bytes into the immutable content store under their SHA-256; note
   size and mtime (the watcher waits for a file to settle; here we check it did not change
   while we read it).
3. **resume?** — if this very file (same content, same inbox path) already has a terminal state
   in the ledger, a crash came between recording and filing: just finish filing (step 8). If an
   *older* content recorded at this path was never filed (a crash, then the rep saved over it),
   that version is filed from the content store first, so it is not lost either.
4. **first seen** — recorded before any work (when it can matter, see :func:`first_sight`), so the
   received time (``min(mtime, first seen)``, SPEC §2) does not move when a crash makes us start over.
5. **intake** (:func:`read`) — read the form (skipped when the content is a known duplicate).
6. **validate** (:func:`check`) — against the ledger's customer directory; a rejected form's
   feedback workbook is written to a staging folder *before* the transaction, so it exists once
   the state does.
7. **record** (:func:`record`) — ONE ledger transaction: terminal state (accepted | rejected |
   duplicate), the rows, superseding an older version, new ids, the audit log, and the region-weeks
   to consolidate (marked dirty here, in the same transaction, so no crash can lose the mark).
8. **file** (:func:`file_away`) — move the original to ``archive/<folder>/<yyyy-mm>/<name>``
   (accepted, duplicate) or ``rejected/<folder>/<name>`` with the feedback beside it, then mark the
   submission filed (a mark that rides on the ledger's next write: see ``Ledger.mark_filed``;
   :func:`repair_unfiled` finishes what a crash left recorded but not filed).

The stages take a plain ``ledger``: the one-file path passes the :class:`~automation.ledger.Ledger`,
a flood (:mod:`automation.pipeline.flood`) passes its open batch, which answers the same look-ups
and records with the same arguments inside its one transaction.

Faults of ours (any exception) give ``failed``, are logged with the reason and leave the file in
the inbox to be tried again; they are never blamed on the rep. Files given from outside the inbox
(``salesflow ingest D:/old-forms``) are *copied* into archive/rejected, never moved: nothing is
written outside the shared folder and the state folder.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automation.core import clock
from automation.core.config import Config
from automation.core.content_store import ContentStore, Stored, SymlinkRefused
from automation.core.faults import classify
from automation.core.formspec import FormSet
from automation.core.model import CustomerDirectory, Submission
from automation.core.names import ShownPath, readable, shown
from automation.core.noise import is_noise_name
from automation.core.outcomes import ACCEPTED, DUPLICATE, FAILED, IGNORED, REJECTED
from automation.core.safenames import safe_name
from automation.core.synccopy import originals
from automation.core.texts.log import LOG
from automation.core.texts.notes import SET_ASIDE
from automation.pipeline.filing import Placed, put_in_place
from automation.pipeline.paths import inbox_file, inbox_folder_of, path_lock, source_key
from automation.pipeline.staging import stage_feedback, staged_feedback, staging_key

if TYPE_CHECKING:  # the ledger (SQLAlchemy) is imported when first used: the read-ahead process,
    # which runs this module's intake stages, never uses it and starts ~0.2 s sooner without it
    from automation.ledger import Ledger, SubmissionRecord
    from automation.validate import Report

log = logging.getLogger("automation.pipeline")  # under "automation": the watcher's log file gets it

__all__ = ["ACCEPTED", "DUPLICATE", "FAILED", "IGNORED", "REJECTED", "Outcome", "process", "SymlinkRefused"]


@dataclass
class Outcome:
    """What became of one file; ``messages`` are for the rep (bilingual), ``reason`` for the log."""

    status: str  # accepted | rejected | duplicate | ignored | failed (automation.core.outcomes)
    path: Path
    submission_id: int | None = None
    archived_to: Path | None = None
    feedback: Path | None = None
    messages: list[str] = field(default_factory=list)
    form: str | None = None
    rep_id: str | None = None
    assigned_ids: list[dict[str, Any]] = field(default_factory=list)
    reason: str = ""
    # a failure's exception: the watcher tells a fault of the environment (a full disk, a locked
    # ledger: wait, do not count it against the file) from one of ours (retry, then set aside)
    error: BaseException | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Arrival:
    """A file taken in (stages 1-4): what the later stages know of it."""

    path: Path
    before: os.stat_result  # size and mtime when it was taken in
    stored: Stored  # its copy in the content store (the bytes, when they were small enough to hold)
    folder: str  # the inbox folder: whose form it is
    source: str  # its identity in the ledger (:func:`~automation.pipeline.paths.source_key`)
    first_seen: datetime
    received: datetime  # min(mtime, first seen), SPEC §2


def process(
    path: str | os.PathLike[str],
    config: Config,
    *,
    ledger: Ledger | None = None,
    folder: str | None = None,
    specs: FormSet | None = None,
) -> Outcome:
    """Take one file from the inbox to its terminal state. Safe to call again on the same file."""
    path = Path(path)
    own = ledger is None
    try:
        if ledger is None:
            from automation.ledger import open_ledger

            ledger = open_ledger(config)
    except Exception as exc:  # no ledger, no work: the file stays for the next run
        log_failure(config, exc, "cannot open the ledger for %s", shown(path))
        return Outcome(FAILED, path, reason=f"ledger: {exc}", error=exc)
    try:
        source = source_key(path, config)
        with path_lock(config, source):  # 0
            store = ContentStore(config.state_root / "content")
            refusal, before, stored = take_in(path, config, store)  # 1, 2
            if refusal:
                return Outcome(IGNORED, path, reason=refusal)
            folder = folder or inbox_folder_of(path, config) or ""
            pending = None
            unfiled, counted, generation = ledger.prior(source, stored.sha256)
            for earlier in unfiled:  # 3
                if earlier.sha256 == stored.sha256:
                    pending = earlier
                elif store.has(earlier.sha256):  # a crash, then the rep saved over the file:
                    file_away(earlier, store.path_for(earlier.sha256), config, ledger)  # file the old version
            if pending is not None:
                log.info(LOG["resuming"], source, pending.id, pending.status)
                return file_away(pending, path, config, ledger, before=before)
            first_seen = first_sight(ledger, stored.sha256, source, before)  # 4
            arrival = Arrival(
                path, before, stored, folder, source, first_seen, min(mtime_of(before), first_seen)
            )
            record = read_and_record(  # 5, 6, 7
                arrival,
                config=config,
                specs=specs or ledger.specs,
                ledger=ledger,
                customers=lambda: ledger.directory(generation),
                new_content=not counted,
            )
            if isinstance(record, Outcome):
                return record
            return file_away(record, path, config, ledger, before=before)  # 8
    except Exception as exc:
        log_failure(config, exc, "failed on %s; left in place for a retry", shown(path))
        return Outcome(FAILED, path, reason=f"{type(exc).__name__}: {exc}", error=exc)
    finally:
        if own and ledger is not None:
            ledger.close()


def environmental(exc: BaseException, config: Config) -> bool:
    """The environment caused ``exc`` (see :mod:`automation.core.faults`)."""
    return classify(exc, config) is not None


def log_failure(config: Config, exc: BaseException, msg: str, *args: Any) -> None:
    """A failure in the log: with its traceback when it is ours; in one line when the environment
    caused it (a full disk, a locked ledger: :mod:`automation.core.faults`), since the watcher
    waits on those and logs the problem itself, and a flood would repeat the traceback per file."""
    fault = classify(exc, config)
    if fault is None:
        log.error(msg, *args, exc_info=exc)
    else:
        log.warning(msg + " (%s)", *args, fault.message)


# ----- the stages ------------------------------------------------------------------------------
def max_bytes(config: Config) -> int:
    """The largest file intake reads (``intake.max_file_mb``); a larger one is hashed, not copied."""
    return int(config.intake.max_file_mb * 1024 * 1024)


def take_in(path: Path, config: Config, store: ContentStore, *, sync: bool = True) -> tuple[str, Any, Any]:
    """Stages 1-2: ``(refusal, before, stored)``: why the file is not a form to process (then
    nothing else), else '' with its size and mtime as first seen and its copy in the content store.

    ``sync`` False: the copy is not fsynced (a flood makes its copies durable with one ``os.sync``
    before its commit)."""
    refusal = look(path) or linked_folder(path, config)
    if refusal:
        return refusal, None, None
    before = path.stat()
    return "", before, store.put(path, max_bytes=max_bytes(config), sync=sync)


def look(path: Path) -> str:
    """Why this path is not a form to process ('' when it is one)."""
    if path.is_symlink():
        return SET_ASIDE["symlink"]
    if not path.exists():
        return SET_ASIDE["gone"]
    if not path.is_file():
        return "not a regular file"
    if is_noise_name(path.name):
        return "noise: a temporary or system file, not a form"
    return ""


def mtime_of(st: os.stat_result) -> datetime:
    return datetime.fromtimestamp(st.st_mtime).replace(microsecond=0)


def first_sight(ledger: Any, sha256: str, source: str, st: os.stat_result) -> datetime:
    """When the product first saw this content here. Persisted (one durable commit) only when it can
    matter: received = min(mtime, first seen) is the mtime whenever the mtime is not in the future,
    whatever run computes it, so only a future mtime (a share with a skewed clock) needs the record
    that makes a retry after a crash agree with the first attempt."""
    now = clock.now()
    if mtime_of(st) <= now:
        return now
    return ledger.sighting(sha256, source, now)


def linked_folder(path: Path, config: Config) -> str:
    """A folder between the inbox and the file that is a symbolic link ('' when none): never followed."""
    inbox = config.inbox.absolute()
    for parent in path.absolute().parents:
        if parent == inbox or inbox not in parent.parents:
            break
        if parent.is_symlink():
            return SET_ASIDE["symlink-folder"].format(folder=parent.name)
    return ""


def changed(path: Path, before: os.stat_result) -> bool:
    """Size or mtime moved since we started: someone is still writing it."""
    try:
        now = path.stat()
    except FileNotFoundError:
        return True
    return (now.st_size, now.st_mtime_ns) != (before.st_size, before.st_mtime_ns)


def read(
    path: Path, config: Config, specs: FormSet, folder: str, received: datetime, stored: Any = None
) -> Submission:
    """Stage 5, intake. Given what the content store kept (``stored``), the very bytes that were
    stored are parsed, without reading the file again (a change meanwhile shows in its size or mtime)."""
    from automation.intake import read_submission

    data = getattr(stored, "data", None)
    return read_submission(
        ShownPath.of(path), config, specs, folder=folder, received_at=received, data=data,
        sha256=stored.sha256 if data is not None else None,
    )  # fmt: skip


def check(
    sub: Submission, config: Config, specs: FormSet, customers: CustomerDirectory, received: datetime
) -> Report:
    """Stage 6, validate, against the customer directory the ledger holds."""
    from automation.validate import ValidationContext, validate

    ctx = ValidationContext(
        config=config, specs=specs, customers=customers, now=clock.now(), received_at=received
    )
    return validate(sub, ctx)


def read_and_record(
    arrival: Arrival,
    *,
    config: Config,
    specs: FormSet,
    ledger: Any,
    customers: Callable[[], CustomerDirectory],
    new_content: bool,
) -> SubmissionRecord | Outcome:
    """Stages 5-7: read and validate new content (known content is not read again), stage a
    rejected form's feedback workbook, then record. An ``ignored`` Outcome when the file changed
    while it was read.

    Validated outside the write (the one-file path), a form is validated again inside it when the
    customer directory's generation moved meanwhile: another process (a second site's watcher, an
    ``ingest``) registered customers the first check did not see (issue 18)."""
    sub, report, seen = None, None, None
    if new_content:
        sub = read(arrival.path, config, specs, arrival.folder, arrival.received, arrival.stored)  # 5
        if changed_while_read(sub, arrival):
            return Outcome(IGNORED, arrival.path, reason=CHANGED_WHILE_READ)
        directory = customers()
        seen = getattr(directory, "generation", None)
        report = check(sub, config, specs, directory, arrival.received)  # 6
        if not report.valid:
            stage_feedback(report, staging_key(arrival.stored.sha256, arrival.source), config)
    elif changed(arrival.path, arrival.before):
        return Outcome(IGNORED, arrival.path, reason=CHANGED_WHILE_READ)
    if sub is not None and seen is not None and hasattr(ledger, "batch"):  # the Ledger itself
        with ledger.batch() as batch:
            if batch.generation() != seen:
                report = check(sub, config, specs, batch.directory(), arrival.received)
                if not report.valid:
                    stage_feedback(report, staging_key(arrival.stored.sha256, arrival.source), config)
            batch.counted(arrival.stored.sha256, arrival.source)  # record's full duplicate check, in here
            out = record(arrival, sub, report, config, batch)  # 7
            batch.flush()
            return out
    return record(arrival, sub, report, config, ledger)  # 7


CHANGED_WHILE_READ = SET_ASIDE["changed-while-read"]


def changed_while_read(sub: Submission, arrival: Arrival) -> bool:
    """The form read is not the content stored, or the file moved on while it was read."""
    return bool(sub.sha256 and sub.sha256 != arrival.stored.sha256) or changed(arrival.path, arrival.before)


def record(
    arrival: Arrival, sub: Submission | None, report: Report | None, config: Config, ledger: Any
) -> SubmissionRecord:
    """Stage 7: the file's terminal state and rows in one transaction (``sub`` None: known content,
    a duplicate). ``ledger``: the Ledger, or a flood's open batch."""
    return ledger.record(  # type: ignore[no-any-return]
        sub,
        conflict_copy_of=copied_from(arrival.path, arrival.source, ledger),
        valid=bool(report and report.valid),
        error_count=len(report.errors) if report else 0,
        warning_count=len(report.warnings) if report else 0,
        sha256=arrival.stored.sha256,
        source=arrival.source,
        folder=arrival.folder,
        name=safe_name(readable(arrival.path.name)),
        size=arrival.stored.size,
        first_seen=arrival.first_seen,
        received_at=arrival.received,
        language=sub.language if sub is not None else config.language,
    )


def copied_from(path: Path, source: str, ledger: Any) -> str | None:
    """The inbox path of the file ``path`` may be a sync client's conflict copy of (``日报 (1).xlsx``
    of ``日报.xlsx``): one that lies beside it or was submitted from the same folder; None for an
    ordinary name (see :mod:`automation.core.synccopy`)."""
    candidates = originals(readable(path.name))
    if not candidates:
        return None
    folder = source.rpartition("/")[0]
    for name, _client in candidates:
        orig = f"{folder}/{name}" if folder else name
        if (path.parent / name).is_file() or ledger.has_source(orig):
            return orig
    return None


def file_away(
    record: SubmissionRecord, path: Path, config: Config, ledger: Any, *, before: os.stat_result | None = None
) -> Outcome:
    """Stage 8: feedback first, then the original (:func:`~automation.pipeline.filing.put_in_place`),
    then mark filed; each step safe to repeat. ``before``: the file's stat when it was read."""
    placed = put_in_place(record, path, config, ledger, before=before)
    ledger.mark_filed(record.id)
    shutil.rmtree(staged_feedback(config, record).parent, ignore_errors=True)
    return filed(record, path, placed)


def filed(record: SubmissionRecord, path: Path, placed: Placed) -> Outcome:
    """The Outcome of a file put in place (logged)."""
    log.info(LOG["filed"], record.id, record.status, record.source, record.archive_path)
    feedback = placed.feedback
    return Outcome(
        record.status,
        path,
        submission_id=record.id,
        archived_to=placed.target,
        feedback=feedback if feedback is not None and feedback.exists() else None,
        messages=list(record.messages),
        form=record.form or None,
        rep_id=record.rep_id or None,
        assigned_ids=list(record.assigned_ids),
    )


def repair_unfiled(config: Config, ledger: Ledger) -> int:
    """File what a crash left recorded but not filed, when its inbox path is empty now.

    A crash between a commit and the move (or a lost "filed" mark) leaves a submission without
    ``filed_at``. While a file lies at its inbox path the pipeline finishes it when it meets that
    file; when the path is empty (the original was moved, or the rep removed it), nothing would:
    so at start-up each such submission is filed from the content store (a no-op when the
    original is already in place) and marked. Returns how many were repaired.
    """
    store = ContentStore(config.state_root / "content")
    repaired = 0
    for unfiled in ledger.unfiled_records():
        if not unfiled.archive_path or inbox_file(config, unfiled.source) is not None:
            continue  # the pipeline finishes it when it meets the file
        if not store.has(unfiled.sha256):
            log.warning(LOG["unfiled-gone"], unfiled.id)
            continue
        try:
            file_away(unfiled, store.path_for(unfiled.sha256), config, ledger)
            repaired += 1
        except Exception:
            log.exception(LOG["file-failed"], unfiled.id)
    if repaired:
        ledger.flush_filed()
        log.info(LOG["repaired"], repaired)
    return repaired
