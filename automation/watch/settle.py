"""When is a dropped file ready? When it has stopped changing for a while and it is whole.

A copy over SMB, a sync client or a slow USB stick writes a file in pieces; Excel saves through a
temp file and a rename. Reading too early rejects a half-written form and blames the rep, or worse,
keeps half of it. So a file is *ready* when its signature (inode, size, mtime, ctime) stayed the
same for the settle time (``watcher.settle_seconds``), nobody is writing it, and its content ends
where its format says (:mod:`automation.watch.complete`: the zip end record of a workbook, the
allocation of an .xls, the last line break of a CSV). The inode and ctime in the signature catch
Excel's rename-over, which can leave size and mtime unchanged.

A file someone is writing (open for writing, a Windows sharing violation, a cloud placeholder not
downloaded yet) waits for as long as that lasts; :meth:`Settler.waiting` lists it with the reason
for ``salesflow status``. A file that stays stable but never looks complete is handed over anyway
after :data:`GRACE_FACTOR` settle times (at least :data:`MIN_GRACE_SECONDS`): the pipeline then
rejects it as damaged with feedback instead of it waiting silently in the inbox for ever.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from automation.watch.complete import WRITING, WriteTracker, busy, incomplete, writers

Signature = tuple[int, int, int, int]

GRACE_FACTOR = 10
MIN_GRACE_SECONDS = 30.0
RECHECK_SECONDS = 1.0  # a stable file that waits (a writer, an incomplete end) is looked at again this often


def signature(path: Path) -> Signature | None:
    """What must stay the same while a file settles; None when it is gone or not a regular file."""
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


@dataclass
class _Candidate:
    sig: Signature | None
    since: float
    not_before: float = 0.0
    waiting: str = ""  # why a stable file is not handed over yet (see ready)
    waiting_since: float = 0.0
    checked: float = 0.0


class Settler:
    """Tracks candidate files until each is ready; thread-confined to the watcher's control loop."""

    def __init__(
        self,
        settle_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        tracker: WriteTracker | None = None,
    ):
        self.settle = max(0.0, float(settle_seconds))
        self.grace = max(MIN_GRACE_SECONDS, GRACE_FACTOR * self.settle)
        self._clock = clock
        self.tracker = tracker or WriteTracker(clock)
        self._candidates: dict[Path, _Candidate] = {}
        self._held: dict[Path, Signature] = {}

    def __len__(self) -> int:
        return len(self._candidates)

    def __contains__(self, path: object) -> bool:
        return path in self._candidates

    def hint(self, path: Path) -> None:
        """Something may have happened to ``path``: watch it (again) from now on."""
        if path in self._candidates:
            return
        held = self._held.get(path)
        if held is not None:
            if signature(path) == held:
                return
            del self._held[path]
        self._candidates[path] = _Candidate(sig=None, since=self._clock())

    def defer(self, path: Path, seconds: float) -> None:
        """Watch ``path`` again but do not hand it over before ``seconds`` from now (retry backoff)."""
        now = self._clock()
        self._held.pop(path, None)
        self._candidates[path] = _Candidate(sig=None, since=now, not_before=now + seconds)

    def hold(self, path: Path, sig: Signature | None) -> None:
        """Ignore ``path`` while it keeps signature ``sig`` (handled already, or quarantined)."""
        self._candidates.pop(path, None)
        if sig is not None:
            self._held[path] = sig

    def forget(self, path: Path) -> None:
        self._candidates.pop(path, None)
        self._held.pop(path, None)

    def prune_held(self, existing: Iterable[Path]) -> None:
        """Drop memories of files that are gone, so the map does not grow for ever."""
        keep = set(existing)
        for path in [p for p in self._held if p not in keep]:
            del self._held[path]

    def ready(self) -> list[Path]:
        """Paths that settled and are whole since the last call, oldest first; they are no longer
        tracked. Who writes what is asked once for all the stable ones (one pass over /proc)."""
        now = self._clock()
        stable: list[tuple[Path, _Candidate, Signature, float]] = []
        for path, cand in list(self._candidates.items()):
            sig = signature(path)
            if sig is None:
                del self._candidates[path]
                continue
            if sig != cand.sig:
                cand.sig, cand.since = sig, now
                continue
            stable_for = now - cand.since
            if stable_for < self.settle or now < cand.not_before:
                continue
            if cand.waiting and now - cand.checked < RECHECK_SECONDS:
                continue
            cand.checked = now
            stable.append((path, cand, sig, stable_for))
        held = writers([p for p, *_ in stable]) if stable else {}
        out: list[tuple[int, Path]] = []
        for path, cand, sig, stable_for in stable:
            why = self._why_wait(path, sig, stable_for, held)
            if why:
                if why != cand.waiting:
                    cand.waiting, cand.waiting_since = why, now
                continue
            del self._candidates[path]
            out.append((sig[2], path))
        # Oldest first: when a rep drops two versions of a form, the later one must supersede.
        return [path for _, path in sorted(out)]

    def _why_wait(self, path: Path, sig: Signature, stable_for: float, held: dict[Path, str]) -> str:
        """'' when the stable file at ``path`` can go; else why it waits (see the module docstring)."""
        if path in held:
            return f"{WRITING}: {held[path]}"
        if self.tracker.writing(path):
            return WRITING
        why = busy(path)
        if why:
            return why
        short = incomplete(path, sig[1])
        if short and stable_for < self.grace:
            return short
        return ""

    def waiting(self) -> list[tuple[Path, str, float]]:
        """Stable files not handed over yet: ``(path, why, seconds waiting)``, longest first."""
        now = self._clock()
        rows = [(p, c.waiting, now - c.waiting_since) for p, c in self._candidates.items() if c.waiting]
        return sorted(rows, key=lambda r: -r[2])

    def pending(self) -> list[Path]:
        return list(self._candidates)
