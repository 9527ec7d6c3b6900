"""Many dropped files, one durable ledger commit: the flood path of the watcher and ``ingest``.

:func:`process_batch` runs the stages of :func:`automation.pipeline.process` over a list of files
with the same guarantees, but pays the durable costs once per batch instead of once per file:

- **lock** — the stripe locks of every file, taken once, in stripe order (two batches cannot
  deadlock; a single ``process`` holds one stripe and takes the write lock after it, as we do).
- **store** — into the content store *without* a per-file fsync; one :func:`os.sync` makes the
  whole batch durable right before the ledger commit, so whatever the ledger refers to survives a
  power cut just as before.
- **record** — every file into ONE write transaction, committed every :data:`CHUNK` files, its
  audit entries and consolidation marks written once at the end. A fault on one file rolls the
  chunk back; the chunk goes again without that file (failed, left in the inbox for a retry),
  so a fault costs the redo of at most a chunk and never a half-recorded file. Validation reads
  the customer directory through the batch's own transaction, refreshed right after an accepted
  register or complaint: a visit report later in the same batch sees the customers registered
  before it.
- **file** — each original moved, each target folder fsynced once (or one :func:`os.sync` when
  there are many), then the whole batch marked filed in one transaction.

Order: the files are processed in received order (:mod:`automation.received_order`), whatever
order the caller gave them in (outcomes still come back in the caller's order): a register received
at 11:00 is recorded before the 18:00 report that names its customer, an original before its copy.

Crash safety is the single-file story: SIGKILL before a commit leaves nothing of that chunk in the
ledger and the files in the inbox (done again, same received time: see ``first_sight``); after it,
the next run finds the terminal state and only files the original (the resume path of
``process``). Files with such a pending record are handed to ``process`` itself, before the batch.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from automation import clock, filelock, read_ahead
from automation.config import Config, switched_off
from automation.content_store import ContentStore
from automation.formspec import FormSet
from automation.ledger import Ledger, SubmissionRecord, schema
from automation.ledger.recording import DIRECTORY_FORMS, SAME_CONTENT, Deferred
from automation.model import CustomerDirectory
from automation.pipeline import (
    ACCEPTED,
    FAILED,
    IGNORED,
    Outcome,
    environmental,
    file_away,
    first_sight,
    fsync_dir,
    inbox_folder_of,
    lock_file,
    log_failure,
    look,
    max_bytes,
    mtime_of,
    process,
    read_and_record,
    source_key,
    stage_feedback,
    staged_feedback,
    take_in,
)
from automation.received_order import in_received_order
from automation.watch.names import shown

log = logging.getLogger("automation.pipeline")

READ_AHEAD_MIN = 24  # a batch this large has its next files read in a second process (read_ahead)
CHUNK = 100  # files per ledger commit: bounds the work a crash repeats and the write-lock hold
# Above this many target folders one os.sync() is cheaper than an fsync per folder (~1 ms each
# here; a 200-rep flood files into ~one archive folder per form).
FSYNC_DIRS_MAX = 8
# One os.sync() per chunk makes its content-store copies durable. Windows has no os.sync: there
# each copy is fsynced as it is stored (the single-file path's durability, file by file).
SYNC_ALL = hasattr(os, "sync")


class _Spoiled(Exception):
    """A file failed inside the chunk's transaction: roll the chunk back (see :func:`_chunk`)."""


@contextlib.contextmanager
def stripe_locks(config: Config, sources: list[str]) -> Iterator[None]:
    """Hold the stripe locks of all ``sources`` (each stripe once, in order; see ``path_lock``)."""
    with contextlib.ExitStack() as stack:
        for lock in sorted({lock_file(config, s) for s in sources}):
            stack.enter_context(filelock.held(lock))
        yield


def process_batch(
    items: list[tuple[Path, str | None]],
    config: Config,
    *,
    ledger: Ledger,
    specs: FormSet | None = None,
) -> list[Outcome]:
    """``[(path, folder)]`` -> one :class:`Outcome` per item, in order. Safe to call again."""
    specs = specs or ledger.specs
    outcomes: list[Outcome | None] = [None] * len(items)
    todo: list[tuple[int, Path, str, str]] = []
    try:
        pending = ledger.unfiled_sources()
    except Exception as exc:
        log_failure(config, exc, "cannot read the ledger; the batch is left for a retry")
        return [Outcome(FAILED, Path(p), reason=f"ledger: {exc}", error=exc) for p, _ in items]
    for i, (raw, folder) in enumerate(items):
        path = Path(raw)
        source = source_key(path, config)
        if source in pending:  # a crash came between recording and filing: the careful single path
            outcomes[i] = process(path, config, ledger=ledger, folder=folder, specs=specs)
        else:
            todo.append((i, path, folder or inbox_folder_of(path, config) or "", source))
    late: list[tuple[int, Path, str, str]] = []
    with stripe_locks(config, [s for *_, s in todo]):
        again = ledger.unfiled_sources()  # another process may have recorded one meanwhile
        late = [x for x in todo if x[3] in again]
        todo = [x for x in todo if x[3] not in again]
        seen = _sight_future(todo, config, ledger)
        todo = in_received_order(todo, config.inbox, lambda x: x[1], first_seen=seen)
        ahead = read_ahead.shared() if len(todo) >= READ_AHEAD_MIN and read_ahead_on() else None
        if ahead is not None:
            ahead.begin(config, specs)
        try:
            while todo:
                todo = _chunk(todo, outcomes, config, ledger, specs, ahead)
        finally:
            if ahead is not None:
                ahead.forget()
    for i, path, folder, _ in late:  # outside our locks: process takes its own
        outcomes[i] = process(path, config, ledger=ledger, folder=folder, specs=specs)
    return [o if o is not None else Outcome(FAILED, Path(items[i][0]), reason="not processed") for i, o in enumerate(outcomes)]  # fmt: skip


def read_ahead_on() -> bool:
    """``SALESFLOW_READ_AHEAD=0`` keeps a batch in one process (troubleshooting; the tests of both
    paths). Not on Windows, where pipes cannot be waited on with ``select``."""
    if os.name == "nt" or not SYNC_ALL:  # the child's copies are made durable by os.sync
        return False
    return not switched_off("SALESFLOW_READ_AHEAD")


def _sight_future(
    todo: list[tuple[int, Path, str, str]], config: Config, ledger: Ledger
) -> dict[str, datetime]:
    """Commit the first sighting of files with a future mtime *before* the batch transaction;
    returns those sightings by source key (their received time, for the batch's order).

    Their received time is the first sighting (``first_sight``); inside the batch transaction a
    crash would roll it back and the retry would see them later. Rare (a share with a skewed
    clock), so each costs its own durable commit, as in ``process``.
    """
    seen: dict[str, datetime] = {}
    now = clock.now()
    store = ContentStore(config.state_root / "content")
    for _, path, _, source in todo:
        try:
            before = path.stat()
            if mtime_of(before) <= now or look(path):
                continue
            stored = store.put(path, max_bytes=max_bytes(config))
            seen[source] = first_sight(ledger, stored.sha256, source, before)
        except Exception:  # the batch meets the file again and reports what is wrong with it
            log.debug("no early sighting for %s", path, exc_info=True)
    return seen


def _chunk(
    todo: list[tuple[int, Path, str, str]],
    outcomes: list[Outcome | None],
    config: Config,
    ledger: Ledger,
    specs: FormSet,
    ahead: read_ahead.ReadAhead | None = None,
) -> list[tuple[int, Path, str, str]]:
    """Record up to :data:`CHUNK` files in one transaction, then file them; returns what is left.

    ``ahead``: a read-ahead process that stores and parses the next files meanwhile."""
    store = ContentStore(config.state_root / "content")
    recorded: list[tuple[int, Path, SubmissionRecord]] = []
    taken: list[tuple[int, Path, str, str]] = []  # the items recorded so far, as they came
    rest = list(todo)
    deferred = Deferred()
    tickets: list[tuple[int, Any, str]] = []  # feedback the read-ahead process is writing
    seen: dict[Path, os.stat_result] = {}  # each file's size and mtime when it was read (file_away)

    def stage(report: Any, key: str) -> None:  # key: pipeline.staging_key (content and path)
        ticket = ahead.feedback(report, key) if ahead is not None else None
        if ticket is None:
            stage_feedback(report, key, config)
        else:
            tickets.append((ticket, report, key))

    spoiled: tuple[int, Path, Exception] | None = None
    try:
        with ledger.batch() as conn:
            # We hold the write lock, so only our own records change the directory: it is read
            # again, through our transaction, only right after one that did.
            directory = ledger.directory(conn=conn)
            while rest and len(recorded) < CHUNK:
                item = rest.pop(0)
                i, path, folder, source = item
                early = None
                if ahead is not None:
                    ahead.ask([p for _, p, _, _ in rest[: read_ahead.WINDOW]])
                    early = ahead.take(path)
                try:
                    result = _one(
                        path,
                        folder,
                        source,
                        conn,
                        config,
                        ledger,
                        specs,
                        store,
                        directory,
                        deferred,
                        early,
                        stage,
                        seen,
                    )
                except Exception as exc:  # the transaction may be half-written: undo the chunk
                    spoiled = (i, path, exc)
                    raise _Spoiled from exc
                if isinstance(result, Outcome):
                    outcomes[i] = result
                    continue
                recorded.append((i, path, result))
                taken.append(item)
                if result.status == ACCEPTED and result.form in DIRECTORY_FORMS:
                    directory = ledger.directory(conn=conn)  # the next files see the new register
            if tickets:  # every feedback is staged before the commit, as on the plain path
                assert ahead is not None
                staged = ahead.staged([t for t, _, _ in tickets])
                for ticket, report, key in tickets:
                    if ticket not in staged:
                        stage_feedback(report, key, config)
            ledger.flush(conn, deferred)
            if recorded and SYNC_ALL:
                os.sync()  # the content store copies are durable before the ledger names them
    except _Spoiled:
        assert spoiled is not None
        ledger.forget_directory()  # it may hold customers of the rolled-back chunk
        i, path, fault = spoiled
        log_failure(config, fault, "failed on %s; left in place for a retry", shown(path))
        outcomes[i] = Outcome(FAILED, path, reason=f"{type(fault).__name__}: {fault}", error=fault)
        if environmental(fault, config):  # a full disk, a locked ledger: the next files meet it too
            for j, other, _, _ in taken + rest:
                outcomes[j] = Outcome(FAILED, other, reason=f"{type(fault).__name__}: {fault}", error=fault)
            return []
        return taken + rest  # rolled back: the files recorded before it go again, without it
    except Exception as exc:  # no transaction or no commit: nothing of this chunk is recorded
        ledger.forget_directory()
        log_failure(
            config,
            exc,
            "ledger transaction failed; %d file(s) left in place for a retry",
            len(recorded) + len(rest),
        )
        pending = [(i, p) for i, p, _ in recorded] + [(i, p) for i, p, _, _ in rest]
        for i, path in pending:  # the rest too: the ledger is not usable right now
            outcomes[i] = Outcome(FAILED, path, reason=f"{type(exc).__name__}: {exc}", error=exc)
        return []
    folders: set[Path] = set()
    checked: set[tuple[Path, Path]] = set()
    filed: list[tuple[int, Path, SubmissionRecord]] = []
    for i, path, record in recorded:
        try:
            outcomes[i] = file_away(
                record, path, config, ledger, synced=folders, checked=checked, before=seen.get(path)
            )
            filed.append((i, path, record))
        except Exception as exc:  # recorded: the next run files it (resume path)
            log_failure(config, exc, "filing %s failed; recorded as #%s, filed later", shown(path), record.id)
            outcomes[i] = Outcome(
                FAILED, path, submission_id=record.id, reason=f"{type(exc).__name__}: {exc}", error=exc
            )
    if len(folders) > FSYNC_DIRS_MAX and SYNC_ALL:  # a flood fans out over reps and months: one flush
        os.sync()
    else:
        for synced_dir in sorted(folders):
            fsync_dir(synced_dir)
    try:
        ledger.mark_filed_many([r.id for _, _, r in filed])
    except Exception:  # the files are in place; the next sight of the path finds nothing to do
        log.exception("marking %d submission(s) filed failed", len(filed))
    for _, _, record in filed:
        shutil.rmtree(staged_feedback(config, record).parent, ignore_errors=True)
    return rest


def _one(
    path: Path,
    folder: str,
    source: str,
    conn: object,
    config: Config,
    ledger: Ledger,
    specs: FormSet,
    store: ContentStore,
    directory: CustomerDirectory,
    deferred: Deferred,
    early: read_ahead.Early | None = None,
    stage: Callable[[Any, str], None] | None = None,
    seen: dict[Path, os.stat_result] | None = None,
) -> Outcome | SubmissionRecord:
    """Stages 1-7 of ``process`` for one file, recording into the batch's transaction.

    ``early``: stages 1-5a as the read-ahead process did them a moment ago (see its checks there).
    ``seen``: gets the file's size and mtime as read, for ``file_away``'s check before the move."""
    if early is not None and early.refusal:
        return Outcome(IGNORED, path, reason=early.refusal)
    if early is not None and early.before is not None:
        before, stored = early.before, early.stored
    else:
        refusal, before, stored = take_in(path, config, store, sync=not SYNC_ALL)
        if refusal:
            return Outcome(IGNORED, path, reason=refusal)
    if seen is not None:
        seen[path] = before
    first_seen = first_sight(ledger, stored.sha256, source, before, conn)
    received = min(mtime_of(before), first_seen)
    # One look-up, inside the transaction, answers both "is this content counted already" (then it
    # is a duplicate and not read) and "is this very file recorded but unfiled" (a racing process).
    same = SAME_CONTENT(conn, {"sha": stored.sha256, "src": source, "site": config.site}).all()  # type: ignore[arg-type]
    counted = any(r.status in (schema.ACCEPTED, schema.SUPERSEDED) for r in same)
    return read_and_record(
        path,
        before,
        stored,
        config=config,
        specs=specs,
        ledger=ledger,
        customers=lambda: directory,
        folder=folder,
        source=source,
        first_seen=first_seen,
        received=received,
        new_content=not counted,
        conn=conn,
        deferred=deferred,
        same=same,
        # parsed for received = mtime: valid unless the received time is a (future) first sighting
        early=early.parsed if early is not None and received == mtime_of(before) else None,
        stage=stage,
    )
