"""When is a dropped file ready? When it has stopped changing for a while and it opens.

A copy over SMB, a sync client or a slow USB stick writes a file in pieces; Excel saves through a
temp file and a rename. Reading too early rejects a half-written form and blames the rep. So a
file is *ready* when its signature (inode, size, mtime, ctime) stayed the same for the settle time
(``watcher.settle_seconds``), it opens for reading, and, for zip-based workbooks, its last bytes
hold the zip end record (a half-copied .xlsx does not). The inode and ctime in the signature catch
Excel's rename-over, which can leave size and mtime unchanged.

A file that stays stable but never looks complete or never opens is handed over anyway after
:data:`GRACE_FACTOR` settle times (at least :data:`MIN_GRACE_SECONDS`): the pipeline then rejects it
as corrupt with feedback (or fails and the watcher retries and quarantines it) instead of it
waiting silently in the inbox for ever.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

Signature = tuple[int, int, int, int]

GRACE_FACTOR = 10
MIN_GRACE_SECONDS = 30.0
_ZIP_MAGIC = b"PK\x03\x04"
_ZIP_END = b"PK\x05\x06"
_ZIP_TAIL = 65_535 + 22  # the end record sits within the last 64 KiB + its own 22 bytes


def signature(path: Path) -> Signature | None:
    """What must stay the same while a file settles; None when it is gone or not a regular file."""
    try:
        st = os.stat(path, follow_symlinks=False)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def opens_complete(path: Path, size: int) -> bool:
    """The file opens for reading and, if it is a zip (xlsx/xlsm/ods), its end record is there."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(4)
            if head != _ZIP_MAGIC:
                return True
            fh.seek(max(0, size - _ZIP_TAIL))
            return _ZIP_END in fh.read()
    except OSError:
        return False


@dataclass
class _Candidate:
    sig: Signature | None
    since: float
    not_before: float = 0.0


class Settler:
    """Tracks candidate files until each is ready; thread-confined to the watcher's control loop."""

    def __init__(self, settle_seconds: float, clock: Callable[[], float] = time.monotonic):
        self.settle = max(0.0, float(settle_seconds))
        self.grace = max(MIN_GRACE_SECONDS, GRACE_FACTOR * self.settle)
        self._clock = clock
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
        """Paths that settled since the last call, oldest first; they are no longer tracked."""
        now = self._clock()
        out: list[tuple[int, Path]] = []
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
            if opens_complete(path, sig[1]) or stable_for >= self.grace:
                del self._candidates[path]
                out.append((sig[2], path))
        # Oldest first: when a rep drops two versions of a form, the later one must supersede.
        return [path for _, path in sorted(out)]

    def pending(self) -> list[Path]:
        return list(self._candidates)
