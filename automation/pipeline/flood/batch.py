"""Many dropped files, one durable ledger commit: the flood path of the watcher and ``ingest``.

:func:`process_batch` runs the stages of :func:`automation.pipeline.stages.process` over a list of files
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

Order: the files are processed in received order (:mod:`automation.pipeline.order`), whatever
order the caller gave them in (outcomes still come back in the caller's order): a register received
at 11:00 is recorded before the 18:00 report that names its customer, an original before its copy.

The flood's state (its open ledger batch, the directory it validates against, the read-ahead
process and the feedback it is writing, the folders to flush) travels as one object, :class:`Flood`;
it composes the pipeline's own stages (:mod:`automation.pipeline.stages`), whose signatures stay
those of the one-file path: it passes its :class:`~automation.ledger.batch.LedgerBatch` where the
one-file path passes the ledger.

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
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automation.core import clock, filelock
from automation.core.config import Config, switched_off
from automation.core.content_store import ContentStore
from automation.core.formspec import FormSet
from automation.core.names import ShownPath, shown
from automation.core.outcomes import FAILED, IGNORED
from automation.core.texts.log import LOG
from automation.core.texts.notes import SET_ASIDE
from automation.pipeline import stages
from automation.pipeline.filing import fsync_dir, put_in_place
from automation.pipeline.flood import read_ahead
from automation.pipeline.order import in_received_order
from automation.pipeline.paths import inbox_folder_of, lock_file, source_key
from automation.pipeline.stages import Arrival, Outcome, environmental, log_failure
from automation.pipeline.staging import stage_feedback, staged_feedback, staging_key

if TYPE_CHECKING:
    from automation.core.model import Submission
    from automation.ledger import Ledger, SubmissionRecord
    from automation.ledger.batch import LedgerBatch

log = logging.getLogger("automation.pipeline")

READ_AHEAD_MIN = 24  # a batch this large has its next files read in a second process (read_ahead)
CHUNK = 100  # files per ledger commit: bounds the work a crash repeats and the write-lock hold
# Above this many target folders one os.sync() is cheaper than an fsync per folder (~1 ms each
# here; a 200-rep flood files into ~one archive folder per form).
FSYNC_DIRS_MAX = 8
# One os.sync() per chunk makes its content-store copies durable. Windows has no os.sync: there
# each copy is fsynced as it is stored (the single-file path's durability, file by file).
SYNC_ALL = hasattr(os, "sync")

Item = tuple[int, Path, str, str]  # (index in the caller's list, path, inbox folder, source key)


class _Spoiled(Exception):
    """A file failed inside the chunk's transaction: roll the chunk back (see :meth:`Flood.chunk`)."""


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
    return run_batch(items, config, ledger=ledger, specs=specs, ordered=False)


def run_batch(
    items: list[tuple[Path, str | None]],
    config: Config,
    *,
    ledger: Ledger,
    specs: FormSet | None = None,
    ordered: bool = False,
) -> list[Outcome]:
    """:func:`process_batch`; ``ordered``: the caller gave the items in received order already
    (``pipeline.run`` sorts before it picks the flood), so they are sorted again only when this
    batch recorded a first sighting that moves a file (a future mtime)."""
    specs = specs or ledger.specs
    outcomes: list[Outcome | None] = [None] * len(items)
    todo: list[Item] = []
    try:
        pending = ledger.unfiled_sources()
    except Exception as exc:
        log_failure(config, exc, "cannot read the ledger; the batch is left for a retry")
        return [Outcome(FAILED, Path(p), reason=f"ledger: {exc}", error=exc) for p, _ in items]
    for i, (raw, folder) in enumerate(items):
        path = Path(raw)
        source = source_key(path, config)
        if source in pending:  # a crash came between recording and filing: the careful single path
            outcomes[i] = stages.process(path, config, ledger=ledger, folder=folder, specs=specs)
        else:
            todo.append((i, path, folder or inbox_folder_of(path, config) or "", source))
    late: list[Item] = []
    with stripe_locks(config, [s for *_, s in todo]):
        again = ledger.unfiled_sources()  # another process may have recorded one meanwhile
        late = [x for x in todo if x[3] in again]
        todo = [x for x in todo if x[3] not in again]
        seen = _sight_future(todo, config, ledger)
        if seen or not ordered:
            todo = in_received_order(todo, config.inbox, lambda x: x[1], first_seen=seen)
        ahead = read_ahead.shared() if len(todo) >= READ_AHEAD_MIN and read_ahead_on() else None
        if ahead is not None:
            ahead.begin(config, specs)
        flood = Flood(config, ledger, specs, ahead)
        try:
            while todo:
                todo = flood.chunk(todo, outcomes)
        finally:
            if ahead is not None:
                ahead.forget()
    for i, path, folder, _ in late:  # outside our locks: process takes its own
        outcomes[i] = stages.process(path, config, ledger=ledger, folder=folder, specs=specs)
    return [o if o is not None else Outcome(FAILED, Path(items[i][0]), reason=SET_ASIDE["not-processed"]) for i, o in enumerate(outcomes)]  # fmt: skip


def read_ahead_on() -> bool:
    """``SALESFLOW_READ_AHEAD=0`` keeps a batch in one process (troubleshooting; the tests of both
    paths). Not on Windows, where pipes cannot be waited on with ``select``."""
    if os.name == "nt" or not SYNC_ALL:  # the child's copies are made durable by os.sync
        return False
    return not switched_off("SALESFLOW_READ_AHEAD")


def _sight_future(todo: list[Item], config: Config, ledger: Ledger) -> dict[str, datetime]:
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
            if stages.mtime_of(before) <= now or stages.look(path):
                continue
            stored = store.put(path, max_bytes=stages.max_bytes(config))
            seen[source] = stages.first_sight(ledger, stored.sha256, source, before)
        except Exception:  # the batch meets the file again and reports what is wrong with it
            log.debug("no early sighting for %s", path, exc_info=True)
    return seen


class Flood:
    """The state of one flood, in one object: the ledger batch of the chunk being recorded, the
    directory it validates against, the read-ahead process and the feedback it is writing, each
    file's stat as read, and what filing collected (folders to flush once, folders resolved)."""

    def __init__(self, config: Config, ledger: Ledger, specs: FormSet, ahead: read_ahead.ReadAhead | None):
        self.config, self.ledger, self.specs, self.ahead = config, ledger, specs, ahead
        self.store = ContentStore(config.state_root / "content")
        self._new_chunk()

    def _new_chunk(self) -> None:
        self.tickets: list[tuple[int, Any, str]] = []  # feedback the read-ahead process is writing
        self.seen: dict[Path, os.stat_result] = {}  # each file's size and mtime when it was read
        self.folders: set[Path] = set()  # folders filed into: fsynced once, after the chunk
        self.checked: set[tuple[Path, Path]] = set()  # target folders resolved inside archive/rejected

    def chunk(self, todo: list[Item], outcomes: list[Outcome | None]) -> list[Item]:
        """Record up to :data:`CHUNK` files in one transaction, then file them; returns what is left."""
        self._new_chunk()
        recorded: list[tuple[int, Path, SubmissionRecord]] = []
        taken: list[Item] = []  # the items recorded so far, as they came
        rest = list(todo)
        ahead = self.ahead
        spoiled: tuple[int, Path, Exception] | None = None
        try:
            with self.ledger.batch() as batch:
                while rest and len(recorded) < CHUNK:
                    item = rest.pop(0)
                    i, path, folder, source = item
                    early = None
                    if ahead is not None:
                        ahead.ask([p for _, p, _, _ in rest[: read_ahead.WINDOW]])
                        early = ahead.take(path)
                    try:
                        result = self.one(path, folder, source, batch, early)
                    except Exception as exc:  # the transaction may be half-written: undo the chunk
                        spoiled = (i, path, exc)
                        raise _Spoiled from exc
                    if isinstance(result, Outcome):
                        outcomes[i] = result
                        continue
                    recorded.append((i, path, result))
                    taken.append(item)
                self._staged()  # every feedback is staged before the commit, as on the plain path
                batch.flush()
                if recorded and SYNC_ALL:
                    os.sync()  # the content store copies are durable before the ledger names them
        except _Spoiled:
            assert spoiled is not None
            self.ledger.forget_directory()  # it may hold customers of the rolled-back chunk
            i, path, fault = spoiled
            log_failure(self.config, fault, "failed on %s; left in place for a retry", shown(path))
            outcomes[i] = Outcome(FAILED, path, reason=f"{type(fault).__name__}: {fault}", error=fault)
            if environmental(fault, self.config):  # a full disk, a locked ledger: the next files meet it too
                for j, other, _, _ in taken + rest:
                    outcomes[j] = Outcome(
                        FAILED, other, reason=f"{type(fault).__name__}: {fault}", error=fault
                    )
                return []
            return taken + rest  # rolled back: the files recorded before it go again, without it
        except Exception as exc:  # no transaction or no commit: nothing of this chunk is recorded
            self.ledger.forget_directory()
            log_failure(
                self.config,
                exc,
                "ledger transaction failed; %d file(s) left in place for a retry",
                len(recorded) + len(rest),
            )
            pending = [(i, p) for i, p, _ in recorded] + [(i, p) for i, p, _, _ in rest]
            for i, path in pending:  # the rest too: the ledger is not usable right now
                outcomes[i] = Outcome(FAILED, path, reason=f"{type(exc).__name__}: {exc}", error=exc)
            return []
        self._file(recorded, outcomes)
        return rest

    def one(
        self,
        path: Path,
        folder: str,
        source: str,
        batch: LedgerBatch,
        early: read_ahead.Early | None = None,
    ) -> Outcome | SubmissionRecord:
        """Stages 1-7 of ``process`` for one file, recording into the chunk's transaction.

        ``early``: stages 1-5a as the read-ahead process did them a moment ago (see its checks there)."""
        if early is not None and early.refusal:
            return Outcome(IGNORED, path, reason=early.refusal)
        if early is not None and early.before is not None:
            before, stored = early.before, early.stored
        else:
            refusal, before, stored = stages.take_in(path, self.config, self.store, sync=not SYNC_ALL)
            if refusal:
                return Outcome(IGNORED, path, reason=refusal)
        self.seen[path] = before
        first_seen = stages.first_sight(batch, stored.sha256, source, before)
        arrival = Arrival(
            path, before, stored, folder, source, first_seen, min(stages.mtime_of(before), first_seen)
        )
        # One look-up, inside the transaction, answers both "is this content counted already" (then
        # it is a duplicate and not read) and "is this very file recorded but unfiled" (a racing process).
        sub, report = None, None
        if not batch.counted(stored.sha256, source):
            # parsed for received = mtime: valid unless the received time is a (future) first sighting
            parsed = (
                early.parsed if early is not None and arrival.received == stages.mtime_of(before) else None
            )
            sub = self._read(arrival, parsed)
            if stages.changed_while_read(sub, arrival):
                return Outcome(IGNORED, path, reason=stages.CHANGED_WHILE_READ)
            report = stages.check(sub, self.config, self.specs, batch.directory(), arrival.received)
            if not report.valid:
                self._stage(report, staging_key(stored.sha256, source))
        elif stages.changed(path, before):
            return Outcome(IGNORED, path, reason=stages.CHANGED_WHILE_READ)
        return stages.record(arrival, sub, report, self.config, batch)

    def _read(self, arrival: Arrival, parsed: Any) -> Submission:
        """Stage 5: the grids the read-ahead process parsed from the stored bytes, else the plain read."""
        if parsed is None:
            return stages.read(
                arrival.path, self.config, self.specs, arrival.folder, arrival.received, arrival.stored
            )
        return parsed.read(  # type: ignore[no-any-return]
            ShownPath.of(arrival.path),
            self.config,
            self.specs,
            folder=arrival.folder,
            received_at=arrival.received,
        )

    def _stage(self, report: Any, key: str) -> None:
        """A rejected form's feedback workbook: written by the read-ahead process when it can take it."""
        ticket = self.ahead.feedback(report, key) if self.ahead is not None else None
        if ticket is None:
            stage_feedback(report, key, self.config)
        else:
            self.tickets.append((ticket, report, key))

    def _staged(self) -> None:
        """Wait for the feedback the read-ahead process is writing; write here what it did not."""
        if not self.tickets:
            return
        assert self.ahead is not None
        staged = self.ahead.staged([t for t, _, _ in self.tickets])
        for ticket, report, key in self.tickets:
            if ticket not in staged:
                stage_feedback(report, key, self.config)

    def _file(
        self, recorded: list[tuple[int, Path, SubmissionRecord]], outcomes: list[Outcome | None]
    ) -> None:
        """Stage 8 for the committed chunk: every original in place, each folder flushed once, then
        the whole chunk marked filed in one write."""
        filed: list[tuple[int, Path, SubmissionRecord]] = []
        for i, path, record in recorded:
            try:
                outcomes[i] = file_away(record, path, self)
                filed.append((i, path, record))
            except Exception as exc:  # recorded: the next run files it (resume path)
                log_failure(
                    self.config, exc, "filing %s failed; recorded as #%s, filed later", shown(path), record.id
                )
                outcomes[i] = Outcome(
                    FAILED, path, submission_id=record.id, reason=f"{type(exc).__name__}: {exc}", error=exc
                )
        if (
            len(self.folders) > FSYNC_DIRS_MAX and SYNC_ALL
        ):  # a flood fans out over reps and months: one flush
            os.sync()
        else:
            for synced_dir in sorted(self.folders):
                fsync_dir(synced_dir)
        try:
            self.ledger.mark_filed_many([r.id for _, _, r in filed])
        except Exception:  # the files are in place; the next sight of the path finds nothing to do
            log.exception(LOG["marking-filed-failed"], len(filed))
        for _, _, record in filed:
            shutil.rmtree(staged_feedback(self.config, record).parent, ignore_errors=True)


def file_away(record: SubmissionRecord, path: Path, flood: Flood) -> Outcome:
    """Stage 8 of one file of a flood: put in place without its own fsync or "filed" mark (the
    chunk flushes its folders and marks the chunk filed at once)."""
    placed = put_in_place(
        record, path, flood.config, flood.ledger, before=flood.seen.get(path), sync_dir=False,
        checked=flood.checked,
    )  # fmt: skip
    if placed.checked is not None:
        flood.checked.add(placed.checked)
    flood.folders.update(placed.folders)
    return stages.filed(record, path, placed)
