"""The folder watcher: notices ready forms and hands them to the pipeline (:func:`automation.pipeline.run`).

The watcher never does the work (STYLE: watchdog). Three kinds of threads, each with one job:

- emitters (:mod:`automation.watch.observe`) turn file events into *hints* on a queue;
- the control loop (:meth:`Watcher.run`, the main thread) turns hints and periodic reconciliation
  scans into candidates, waits until each settles (:mod:`automation.watch.settle`), queues ready
  paths once each, retries failures with backoff, quarantines what keeps failing, restarts a dead
  observer, debounces bursts into one ``on_batch_done`` call, and writes the heartbeat;
- one worker thread hands the files that are ready, up to :data:`MAX_BATCH` at once, to
  :func:`automation.pipeline.run` (the SQLite ledger has one writer), which takes a lone file
  through ``process`` and a flood through the batch path (same guarantees, one durable commit per
  chunk), and reports each outcome back; an injected ``process`` (tests) is called one file at a
  time. The burst and periodic hooks (:mod:`automation.watch.hooks`: the pipeline's
  ``after_burst`` and ``due``) run on the same thread, between files.

Everything the watcher knows lives in memory: after a crash, the start-up catch-up scan finds every
file still in the inbox, and the pipeline's idempotent stages finish whatever a crash interrupted.

The watcher outlives its environment: a failure the environment caused (a full disk, a locked or
unreachable ledger, a read-only folder, a share that went away: :mod:`automation.core.faults`)
holds the file back with back-off, without using up its retries, and is reported in the heartbeat
and the log until it is gone (:mod:`automation.watch.waits`); the ledger is opened again and again
until it opens; a vanished inbox is waited for and watched again when it is back.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import signal
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from automation.core.config import Config
from automation.core.exits import EXIT_ATTENTION, EXIT_OK, EXIT_USAGE
from automation.core.faults import Fault, classify
from automation.core.names import readable, shown
from automation.core.noise import inbox_folder, misplaced
from automation.core.outcomes import FAILED
from automation.core.texts.log import LOG
from automation.pipeline.order import in_received_order
from automation.watch.complete import WriteTracker
from automation.watch.observe import InboxObserver, files_in, scan_inbox
from automation.watch.quarantine import quarantine
from automation.watch.settle import Settler, signature
from automation.watch.state import (
    HEARTBEAT_NAME,
    HEARTBEAT_SECONDS,
    InstallationLock,
    heartbeat_payload,
    system_time,
    write_json_atomic,
)
from automation.watch.waits import ENV_BACKOFF_MAX, ENV_BACKOFF_START, Waits

log = logging.getLogger("automation.watch")

ProcessFn = Callable[..., Any]  # process(path, config, *, ledger=None, folder=None) -> Outcome
BatchHook = Callable[[list[Any]], None]

DEFAULT_RETRY_BACKOFF = 2.0  # seconds before the first retry; doubles per attempt
MAX_RETRY_BACKOFF = 300.0
MAX_BATCH = 200  # files handed to pipeline.run at once (the flood commits every 100)
BATCH_QUIET_SECONDS = 1.0  # a burst ends when nothing was handled or waiting for this long
PERIODIC_SECONDS = 60.0  # how often ``on_periodic`` (scheduled mail) runs on the worker thread
WAITED = "waited"  # counts: attempts held back by a fault of the environment (see faults)
_STOP = object()
_REPAIR = object()  # file what a fault held up once it is gone (pipeline.repair_unfiled)
_PERIODIC = object()


@dataclass
class _Batch:
    outcomes: list[Any]


@dataclass
class _Result:
    path: Path
    folder: str
    sig: Any = None  # the file's signature when it was queued
    outcome: Any = None
    error: str | None = None
    exc: BaseException | None = None


@dataclass
class RunSummary:
    """What a run did; ``exit_code`` is 0, 1 when files were quarantined (or, ``--once``, left
    waiting on the environment), 2 on a fatal error."""

    counts: Counter[str] = field(default_factory=Counter)
    quarantined: list[str] = field(default_factory=list)
    fatal: str | None = None
    waiting: list[str] = field(default_factory=list)  # --once: left for the next run, and why

    @property
    def exit_code(self) -> int:
        if self.fatal:
            return EXIT_USAGE
        return EXIT_ATTENTION if self.quarantined or self.waiting else EXIT_OK


def _warm_read_ahead() -> None:
    """Start the flood's read-ahead process with the watcher, while it opens the ledger and scans
    the inbox (:func:`automation.pipeline.run.warm_up`)."""
    from automation.pipeline.run import warm_up

    warm_up()


def _repair(config: Config, ledger: Any) -> None:
    """Before the catch-up: file what an earlier crash left recorded but not filed."""
    from automation.pipeline.stages import repair_unfiled

    try:
        repair_unfiled(config, ledger)
    except Exception:  # a repair that cannot run now runs at the next start
        log.exception(LOG["repair-failed"])


def _default_ledger(config: Config) -> Any:
    from automation.ledger import open_ledger
    from automation.ledger.sites import claim

    probe_ledger(config)
    ledger = open_ledger(config)
    try:
        claim(ledger.engine, config)  # one watcher per site, whatever machine it runs on
    except BaseException:
        ledger.close()
        raise
    return ledger


LEDGER_PROBE_SECONDS = 0.5


def probe_ledger(config: Config) -> None:
    """Raise the driver's "database is locked" at once when another program holds the SQLite
    ledger's write lock, instead of after the 30 s busy timeout of opening it: the watcher says
    so in its heartbeat and tries again (a database that does not exist yet is left to open)."""
    import sqlite3

    url = config.database_url
    if not url.startswith("sqlite:///"):
        return
    path = Path(url[len("sqlite:///") :])
    if not path.is_file():
        return
    con = sqlite3.connect(path, timeout=LEDGER_PROBE_SECONDS, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute("ROLLBACK")
    finally:
        con.close()


def _fatal(exc: BaseException) -> bool:
    """The ledger will not open however long we wait: refused by configuration (inside the shared
    folder, on a network share), newer than this program, or a fault of ours."""
    from automation.ledger import LedgerError
    from automation.ledger.migrate import MigrationError
    from automation.ledger.sites import SiteTaken

    return isinstance(exc, (LedgerError, MigrationError, SiteTaken))


class Watcher:
    """Watches ``config.inbox``; see the module docstring. Construct, then :meth:`run`."""

    def __init__(
        self,
        config: Config,
        *,
        poll: bool | None = None,
        process: ProcessFn | None = None,
        ledger_factory: Callable[[Config], Any] | None = _default_ledger,
        on_batch_done: BatchHook | None = None,
        on_periodic: Callable[[], None] | None = None,
        retry_backoff: float = DEFAULT_RETRY_BACKOFF,
        tick: float | None = None,
        env_backoff: tuple[float, float] = (ENV_BACKOFF_START, ENV_BACKOFF_MAX),
    ):
        self.config = config
        ws = config.watcher
        self.inbox = config.inbox
        self.state_root = config.state_root
        self.poll = ws.poll if poll is None else poll
        self.process = process
        self.ledger_factory = ledger_factory
        self.on_batch_done = on_batch_done
        self.on_periodic, self._periodic_pending = on_periodic, False  # run by the worker, between files
        self.retries = max(0, ws.retries)
        self.retry_backoff = retry_backoff
        self.reconcile_seconds = max(0.5, ws.reconcile_seconds)
        self.tick = tick if tick is not None else min(0.25, max(0.02, ws.settle_seconds / 4))
        self.quiet = max(BATCH_QUIET_SECONDS, ws.settle_seconds)
        self.writes = WriteTracker()
        self.settler = Settler(ws.settle_seconds, tracker=self.writes)
        self.waits = Waits(*env_backoff)
        self.hints: queue.SimpleQueue[str] = queue.SimpleQueue()
        self.observer = InboxObserver(
            self.inbox, self.hints, poll=self.poll, poll_interval=ws.poll_interval, tracker=self.writes
        )
        self.summary = RunSummary()
        self._work: queue.Queue[Any] = queue.Queue()
        self._results: queue.SimpleQueue[_Result] = queue.SimpleQueue()
        self._queued: set[Path] = set()
        self._attempts: Counter[Path] = Counter()
        self._batch: list[Any] = []
        self._batch_pending = False
        self._last_activity = time.monotonic()
        self._stop = threading.Event()
        self._current: Path | None = None
        self._warned: set[Path] = set()
        self._last_scan: str | None = None
        self._started = system_time()
        self._state = "starting"
        self._observing = False
        self._inbox_gone = False
        self._once = False
        self._beat: Any = None  # the heartbeat's copy in the ledger (automation.ledger.sites)

    # ----- public ------------------------------------------------------------------------------
    def stop(self) -> None:
        """Ask the watcher to finish the file in progress and stop (thread- and signal-safe)."""
        self._stop.set()

    @property
    def backlog(self) -> int:
        return len(self.settler) + len(self._queued)

    def run(self, *, once: bool = False, install_signals: bool = True) -> RunSummary:
        """Take the installation lock, catch up the backlog, then watch until stopped.

        ``once``: catch up what is in the inbox now, without an observer, and return (cron, tests).
        Raises :class:`automation.watch.state.AlreadyRunning` when another watcher holds the lock.
        """
        self._once = once
        with InstallationLock(self.state_root), self._signals(install_signals):
            if self.process is None and self.ledger_factory is not None:
                _warm_read_ahead()
                from automation.ledger.sites import LedgerBeat

                self._beat = LedgerBeat(self.config)
                self._beat.start()
            worker = threading.Thread(target=self._work_loop, name="salesflow-worker", daemon=True)
            worker.start()
            if not once:
                self._observing = True
                if self._inbox_there(create=True):
                    self.observer.start()
            log.info(
                LOG["watching"],
                self.inbox,
                self.observer.kind if not once else "catch-up only",
                self.settler.settle,
            )
            self._state = "running"
            try:
                self._loop(once)
            finally:
                self._state = "stopping"
                self._heartbeat()
                self.observer.stop()
                self._work.put(_STOP)
                worker.join()
                self._drain_results()
                self._state = "stopped"
                payload = self._heartbeat()
                if self._beat is not None and payload is not None:
                    self._beat.finish(payload)
                log.info(LOG["stopped"], dict(self.summary.counts))
        return self.summary

    # ----- control loop ------------------------------------------------------------------------
    def _loop(self, once: bool) -> None:
        next_scan = next_beat = next_periodic = 0.0
        beaten: str | None = None  # the problem the last heartbeat told
        while not self._stop.is_set():
            now = time.monotonic()
            if self.on_periodic is not None and now >= next_periodic and not self._periodic_pending:
                self._periodic_pending, next_periodic = True, now + PERIODIC_SECONDS
                self._work.put(_PERIODIC)
            self._drain_hints()
            if now >= next_scan and not (once and next_scan):
                wait = self._scan()
                next_scan = now + (
                    self.reconcile_seconds if wait is None else min(wait, self.reconcile_seconds)
                )
            if self._observing and self.observer.check():
                next_scan = 0.0
                continue
            self._enqueue_all(self.settler.ready())
            self._drain_results()
            self._maybe_batch(force=once)
            headline = self.waits.headline()
            if now >= next_beat or headline != beaten:  # a problem starts or ends: say so at once
                self._heartbeat()
                next_beat, beaten = now + HEARTBEAT_SECONDS, headline
            if once and not self.settler and not self._queued and not self._batch_pending and not self._batch:
                return
            self._stop.wait(self.tick)

    def _drain_hints(self) -> None:
        while True:
            try:
                raw = self.hints.get_nowait()
            except queue.Empty:
                return
            self._hint(Path(raw))

    def _hint(self, path: Path) -> None:
        if path in self._queued:
            return
        if inbox_folder(path, self.inbox) is not None:
            self.settler.hint(path)
        elif path.parent == self.inbox and path.is_dir() and not path.is_symlink():
            for f in files_in(path):  # a whole folder created or moved in: look inside
                self._hint(f)
        elif misplaced(path, self.inbox) and path.is_file() and path not in self._warned:
            self._warned.add(path)
            log.warning(
                LOG["misplaced"],
                self._rel(path),
            )

    def _scan(self) -> float | None:
        """Reconciliation: every file in the inbox is a candidate again (events are only hints).
        Returns the seconds to the next look when the inbox is not there (None when it is)."""
        if not self._inbox_there():
            return self.waits.set(self._inbox_fault())
        candidates, stray = scan_inbox(self.inbox)
        for path in candidates:
            self._hint(path)
        for path in stray:
            self._hint(path)
        self.settler.prune_held(candidates)
        present = set(candidates)
        for path in self.waits.files() - present:  # gone while it waited (moved, deleted)
            if signature(path) is None and self.waits.done(path):
                self._work.put(_REPAIR)
        self._last_scan = system_time()
        return None

    def _inbox_there(self, create: bool = False) -> bool:
        """The inbox is a folder we can list. When it is back after it was gone, the observer is
        started again (its watch on the old folder sees nothing). ``create``: at start-up, make a
        missing inbox when its shared folder is there (a fresh installation), never when the
        shared folder itself is missing: that is a share not mounted yet, and creating folders at
        its mount point would hide the real ones."""
        try:
            os.listdir(self.inbox)
        except FileNotFoundError:
            if not (create and self.config.shared_root.is_dir()):
                self._inbox_gone = True
                return False
            self.inbox.mkdir(parents=True, exist_ok=True)
        except OSError:
            self._inbox_gone = True
            return False
        if self._inbox_gone:
            self._inbox_gone = False
            self.waits.clear("inbox")
            log.info(LOG["inbox-back"], shown(self.inbox))
            if self._observing:
                self.observer.restart()
        elif self._observing and not self.observer.running and not create:
            self.observer.restart()
        return True

    def _inbox_fault(self) -> Fault:
        try:
            os.listdir(self.inbox)
        except FileNotFoundError as exc:
            return Fault("inbox", "missing", shown(self.inbox), exc.strerror or "")
        except OSError as exc:
            return classify(exc, self.config) or Fault("inbox", "unreachable", shown(self.inbox), str(exc))
        return Fault("inbox", "unreachable", shown(self.inbox))

    def _enqueue_all(self, paths: Iterable[Path]) -> None:
        """Hand the files that became ready together to the worker in one queue item: put one by
        one, the worker woke at the first and did it alone, on the slower single-file path,
        before it saw the rest of a backlog. In received order (SPEC §2 Order), as every batch."""
        items = []
        for path in in_received_order(paths, self.inbox):
            if path in self._queued:
                continue
            folder = inbox_folder(path, self.inbox)
            if folder is None:
                continue
            self._queued.add(path)
            items.append((path, folder, signature(path)))
        if len(items) == 1:
            self._work.put(items[0])
        elif items:
            self._work.put(items)

    def _drain_results(self) -> None:
        while True:
            try:
                res = self._results.get_nowait()
            except queue.Empty:
                return
            self._queued.discard(res.path)
            self._last_activity = time.monotonic()
            self._handle(res)

    def _handle(self, res: _Result) -> None:
        rel = self._rel(res.path)
        status = getattr(res.outcome, "status", None) if res.error is None else FAILED
        if status == FAILED and self._wait_on_environment(res):
            return
        if self.waits.done(res.path):
            self._work.put(_REPAIR)
        if status != FAILED and status is not None:
            self.summary.counts[status] += 1
            self._attempts.pop(res.path, None)
            self._batch.append(res.outcome)
            where = getattr(res.outcome, "archived_to", None)
            why = getattr(res.outcome, "reason", "")
            log.info("%s %s%s%s", status, rel, f" -> {where}" if where else "", f" ({why})" if why else "")
            now_sig = signature(res.path)
            if now_sig is not None and now_sig != res.sig:
                self.settler.hint(res.path)  # changed while processed, or a new file of that name: again
            else:
                self.settler.hold(res.path, now_sig)  # still there unchanged (ignored): leave it be
            return
        reason = readable(  # an error's text may carry an undecodable name: the log is UTF-8
            res.error
            or getattr(res.outcome, "reason", "")
            or "; ".join(map(str, getattr(res.outcome, "messages", []) or []))
            or "failed"
        )
        self._attempts[res.path] += 1
        attempts = self._attempts[res.path]
        if attempts <= self.retries and signature(res.path) is not None:
            delay = min(MAX_RETRY_BACKOFF, self.retry_backoff * 2 ** (attempts - 1))
            self.summary.counts["retried"] += 1
            log.warning(LOG["retrying"], rel, attempts, delay, reason.splitlines()[-1])
            self.settler.defer(res.path, delay)
            return
        if signature(res.path) is None:  # gone meanwhile (moved by a half-finished run): nothing to keep
            self._attempts.pop(res.path, None)
            self.summary.counts[FAILED] += 1
            log.warning(LOG["failed-gone"], rel, reason.splitlines()[-1])
            return
        written = quarantine(res.path, res.folder, self.state_root, reason=reason, attempts=attempts)
        note = str(written) if written else "this log (the note could not be written)"
        self._attempts.pop(res.path, None)
        self.summary.counts["quarantined"] += 1
        self.summary.quarantined.append(str(rel))
        self.settler.hold(res.path, signature(res.path))
        log.error(
            LOG["quarantined"],
            rel,
            attempts,
            note,
            reason,
        )

    def _wait_on_environment(self, res: _Result) -> bool:
        """A failure the environment caused: hold the file back with the problem's back-off,
        without counting an attempt (see :mod:`automation.core.faults`). False when it is ours."""
        exc = res.exc if res.exc is not None else getattr(res.outcome, "error", None)
        fault = classify(exc, self.config) if exc is not None else None
        if fault is None:
            return False
        delay = self.waits.fail(fault, res.path)
        self.summary.counts[WAITED] += 1
        if self._once:  # a catch-up run does not wait: the file is there for the next run
            self.settler.forget(res.path)
            self.summary.waiting.append(f"{self._rel(res.path)}: {fault.message}")
            return True
        log.debug("%s waits %.0fs on: %s", self._rel(res.path), delay, fault.message)
        self.settler.defer(res.path, delay)
        return True

    def _maybe_batch(self, *, force: bool) -> None:
        """One ``on_batch_done`` per burst: after a quiet spell with nothing settling or queued."""
        if not self._batch or self._batch_pending or self.settler or self._queued:
            return
        if not force and time.monotonic() - self._last_activity < self.quiet:
            return
        batch, self._batch = self._batch, []
        if self.on_batch_done is not None:
            self._batch_pending = True
            self._work.put(_Batch(batch))

    def _heartbeat(self) -> dict[str, Any] | None:
        current = self._current
        payload = None
        try:
            payload = heartbeat_payload(
                state=self._state,
                site=self.config.site,
                started=self._started,
                observer=self.observer.kind if self._observing else "none",
                counts=dict(self.summary.counts),
                backlog=self.backlog,
                current=self._rel(current) if current else None,
                quarantined=self.summary.quarantined,
                observer_restarts=self.observer.restarts,
                last_scan=self._last_scan,
                problems=self.waits.snapshot(self._rel),
                waiting=[
                    {"file": self._rel(p), "why": why, "seconds": round(sec, 1)}
                    for p, why, sec in self.settler.waiting()[:50]
                ],
            )
            if self._beat is not None:
                self._beat.offer(payload, now=self._state != "running")
            write_json_atomic(self.state_root / HEARTBEAT_NAME, payload)
        except OSError as exc:
            log.warning(LOG["heartbeat-failed"], exc)
        return payload

    # ----- worker thread -----------------------------------------------------------------------
    def _open_ledger(self) -> Any:
        """The ledger, opened as soon as it can be: a locked, full or unreachable one is waited
        for with back-off (the heartbeat says why); one refused by configuration ends the run."""
        if self.ledger_factory is None:
            return None
        while not self._stop.is_set():
            try:
                ledger = self.ledger_factory(self.config)
            except Exception as exc:
                fault = None if _fatal(exc) else classify(exc, self.config)
                if fault is None:
                    self.summary.fatal = f"cannot start processing: {exc}"
                    if _fatal(exc):  # refused as configured: the one line says why and what to do
                        log.error(LOG["no-ledger"] + ": %s", exc)
                    else:
                        log.exception(LOG["no-ledger"])
                    self._stop.set()
                    return None
                delay = self.waits.set(fault)
                if self._once:  # a catch-up run does not wait: it says why and ends
                    self.summary.fatal = f"waiting on: {fault.message}"
                    self._stop.set()
                    return None
                self._stop.wait(delay)
                continue
            self.waits.clear("ledger")
            self.waits.clear("state")
            return ledger
        return None

    def _work_loop(self) -> None:
        try:
            ledger = self._open_ledger()
        except Exception as exc:
            self.summary.fatal = f"cannot start processing: {exc}"
            log.exception(LOG["cannot-start"])
            self._stop.set()
            return
        if self._stop.is_set():  # stopped while it waited for the ledger
            if ledger is not None:
                with contextlib.suppress(Exception):
                    ledger.close()
            return
        batch = self.process is None and ledger is not None  # ready files go to pipeline.run together
        if batch:
            _repair(self.config, ledger)
        carry: list[Any] = []
        try:
            while True:
                item = carry.pop(0) if carry else self._work.get()
                if isinstance(item, list):  # files that became ready together (_enqueue_all)
                    carry[:0] = item[1:]
                    item = item[0]
                if item is _STOP or self._stop.is_set():
                    return
                if item is _REPAIR:
                    if batch:
                        _repair(self.config, ledger)
                    continue
                if isinstance(item, _Batch):
                    self._run_batch_hook(item.outcomes)
                    continue
                if item is _PERIODIC:
                    self._run_periodic()
                    continue
                files = [item]
                while batch and len(files) < MAX_BATCH:
                    if carry:
                        if not isinstance(carry[0], tuple):
                            break  # a hook, a repair or the stop: after these files
                        files.append(carry.pop(0))
                        continue
                    try:
                        more = self._work.get_nowait()
                    except queue.Empty:
                        break
                    if isinstance(more, list):
                        carry.extend(more)
                    elif isinstance(more, tuple):
                        files.append(more)
                    else:
                        carry.append(more)  # a hook or the stop: after these files
                        break
                if batch:
                    self._run(files, ledger)
                    if self._work.empty():
                        self._settle_ledger(ledger)
                    continue
                assert self.process is not None
                path, folder, sig = item
                self._current = path
                try:
                    outcome = self.process(path, self.config, ledger=ledger, folder=folder)
                    self._results.put(_Result(path, folder, sig, outcome=outcome))
                except Exception as exc:
                    self._results.put(
                        _Result(path, folder, sig, error=traceback.format_exc(limit=8), exc=exc)
                    )
                finally:
                    self._current = None
                if self._work.empty():
                    self._settle_ledger(ledger)
        finally:
            close = getattr(ledger, "close", None)
            if callable(close):
                with contextlib.suppress(Exception):
                    close()

    @staticmethod
    def _settle_ledger(ledger: Any) -> None:
        """Nothing queued: write what the ledger holds back (the files' "filed" marks ride on the
        next form's transaction while forms keep coming; see ``Ledger.mark_filed``)."""
        flush = getattr(ledger, "flush_filed", None)
        if callable(flush):
            try:
                flush()
            except Exception:  # the marks stay pending; the next write takes them
                log.warning(LOG["filed-marks-pending"], exc_info=True)

    def _run(self, files: list[tuple[Path, str, Any]], ledger: Any) -> None:
        """Hand the ready files to the pipeline (:func:`automation.pipeline.run`: one file's path,
        or the flood's with one durable commit per chunk); outcomes reported per file."""
        from automation.pipeline.run import run

        self._current = files[0][0]
        try:
            outcomes = run([(p, f) for p, f, _ in files], self.config, ledger=ledger)
            by_path = {o.path: o for o in outcomes}
            for path, folder, sig in files:
                self._results.put(_Result(path, folder, sig, outcome=by_path[Path(path)]))
        except Exception as exc:
            error = traceback.format_exc(limit=8)
            for path, folder, sig in files:
                self._results.put(_Result(path, folder, sig, error=error, exc=exc))
        finally:
            self._current = None

    def _run_periodic(self) -> None:
        try:
            assert self.on_periodic is not None
            self.on_periodic()
        except Exception:
            log.exception(LOG["periodic-failed"])
        finally:
            self._periodic_pending = False

    def _run_batch_hook(self, outcomes: list[Any]) -> None:
        try:
            assert self.on_batch_done is not None
            self.on_batch_done(outcomes)
        except Exception:
            log.exception(LOG["batch-hook-failed"])
        finally:
            self._batch_pending = False

    # ----- helpers -----------------------------------------------------------------------------
    def _rel(self, path: Path) -> str:
        """The inbox-relative path as people read it (:mod:`automation.core.names`)."""
        try:
            return shown(path.relative_to(self.inbox))
        except ValueError:
            return shown(path)

    @contextlib.contextmanager
    def _signals(self, install: bool) -> Any:
        """SIGTERM / SIGINT: finish the current file, then stop (only from the main thread)."""
        if not install or threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

        def handler(signum: int, frame: Any) -> None:
            log.info(LOG["signal"], signum)
            self._stop.set()

        for sig in previous:
            signal.signal(sig, handler)
        try:
            yield
        finally:
            for sig, old in previous.items():
                signal.signal(sig, old)
