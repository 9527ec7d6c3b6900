"""The emitter side of the watcher: a watchdog observer that only turns file events into hints.

Events are hints, never facts: they are lost on SMB shares, when the kernel's event queue
overflows, and while an observer thread is dead. So an event only says "look at this path soon";
the reconciliation scan (:func:`scan_inbox`) finds whatever the events missed, and
:meth:`InboxObserver.check` restarts an observer whose threads died.
"""

from __future__ import annotations

import errno
import logging
import os
import queue
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from automation.core.texts.log import LOG
from automation.watch.complete import WriteTracker

log = logging.getLogger("automation.watch")


class _HintHandler(FileSystemEventHandler):
    """Puts every created / modified / moved-to / closed path on the hint queue (never blocks), and
    tells the write tracker which files were written and not closed yet (``complete.WriteTracker``)."""

    def __init__(self, hints: queue.SimpleQueue[str], tracker: WriteTracker | None = None):
        self._hints = hints
        self._tracker = tracker

    def on_any_event(self, event: FileSystemEvent) -> None:
        if self._tracker is not None and not event.is_directory:
            self._tracker.event(
                event.event_type,
                os.fsdecode(event.src_path),
                os.fsdecode(getattr(event, "dest_path", "") or ""),
            )
        if event.event_type in ("deleted", "opened", "closed_no_write", "attrib"):
            return
        if event.is_directory and event.event_type not in ("created", "moved"):
            return  # every write in a folder also "modifies" the folder: that says nothing new
        dest = getattr(event, "dest_path", "")
        path = dest or event.src_path
        self._hints.put(os.fsdecode(path))

    def on_events_lost(self, event: FileSystemEvent) -> None:
        """The kernel's queue overflowed: which files are open for writing is unknown now (the
        reconciliation scan finds the files themselves)."""
        if self._tracker is not None:
            self._tracker.clear()


class InboxObserver:
    """A restartable watchdog observer over the inbox (recursive), native or polling."""

    def __init__(
        self,
        inbox: Path,
        hints: queue.SimpleQueue[str],
        *,
        poll: bool,
        poll_interval: float = 1.0,
        tracker: WriteTracker | None = None,
    ):
        self.inbox = inbox
        self.hints = hints
        self.tracker = tracker
        self.poll = poll
        self.poll_interval = poll_interval
        self.restarts = 0
        self._observer: BaseObserver | None = None

    @property
    def kind(self) -> str:
        return "polling" if self.poll else "native"

    def start(self) -> None:
        """Start observing; a native observer that cannot start (e.g. the inotify watch limit is
        reached) falls back to polling, because a slower watcher beats none. A missing inbox is
        not such a reason (the share is away): that raises, and the watcher starts it again when
        the inbox is back."""
        if self.tracker is not None:
            self.tracker.clear()  # what a dead observer saw is not known to be true any more
        if not self.inbox.is_dir():
            raise FileNotFoundError(errno.ENOENT, "inbox missing", str(self.inbox))
        try:
            self._observer = self._new(self.poll)
            self._observer.start()
        except OSError as exc:
            if self.poll:
                raise
            log.warning(LOG["polling"], exc)
            self.poll = True
            self._observer = self._new(True)
            self._observer.start()

    def _new(self, poll: bool) -> BaseObserver:
        observer: BaseObserver = PollingObserver(timeout=self.poll_interval) if poll else Observer()
        observer.schedule(_HintHandler(self.hints, self.tracker), str(self.inbox), recursive=True)
        observer.daemon = True
        return observer

    def alive(self) -> bool:
        """The dispatcher thread and every emitter thread are running."""
        obs = self._observer
        return obs is not None and obs.is_alive() and all(e.is_alive() for e in list(obs.emitters))

    def check(self) -> bool:
        """Restart a dead observer; True when a restart happened (the caller then rescans)."""
        if self._observer is None or self.alive():
            return False
        log.warning(LOG["observer-stopped"])
        self._shutdown(self._observer)
        self.restarts += 1
        try:
            self.start()
        except OSError as exc:
            log.error(LOG["observer-lost"], exc)
            self._observer = None
        return True

    def restart(self) -> None:
        """Stop and start again (the inbox came back: a watch on its old folder sees nothing)."""
        self.stop()
        self.restarts += 1
        try:
            self.start()
        except OSError as exc:
            log.error(LOG["observer-lost"], exc)
            self._observer = None

    @property
    def running(self) -> bool:
        return self._observer is not None

    def stop(self) -> None:
        if self._observer is not None:
            self._shutdown(self._observer)
            self._observer = None

    @staticmethod
    def _shutdown(observer: BaseObserver) -> None:
        try:
            observer.stop()
            if observer.is_alive():
                observer.join(timeout=5)
        except Exception as exc:  # a half-dead observer may fail to stop; it is abandoned either way
            log.debug("observer stop failed: %s", exc)


def files_in(folder: Path) -> list[Path]:
    """The regular files directly in ``folder`` (a folder moved into the inbox in one piece)."""
    try:
        return [Path(f.path) for f in os.scandir(folder) if f.is_file(follow_symlinks=False)]
    except OSError:
        return []


def scan_inbox(inbox: Path) -> tuple[list[Path], list[Path]]:
    """Every regular file directly in ``inbox/<folder>/`` (candidates) and every regular file lying
    directly in ``inbox/`` (misplaced). Symlinked and hidden folders are not entered."""
    candidates: list[Path] = []
    misplaced: list[Path] = []
    try:
        top = list(os.scandir(inbox))
    except OSError:
        return candidates, misplaced
    for entry in top:
        if entry.name.startswith("."):
            continue
        if entry.is_file(follow_symlinks=False):
            misplaced.append(Path(entry.path))
        elif entry.is_dir(follow_symlinks=False):
            try:
                candidates.extend(
                    Path(f.path) for f in os.scandir(entry.path) if f.is_file(follow_symlinks=False)
                )
            except OSError:
                continue
    return candidates, misplaced
