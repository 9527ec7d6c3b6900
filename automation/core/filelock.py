"""Advisory locks on an open file, the same on POSIX and on Windows.

Why a module of its own: the installation lock (one watcher per installation), the status probe
("is a watcher alive?") and the per-path stripe locks (the watcher and ``ingest`` meeting on one
file) all need a lock that the operating system drops when its process dies, even when it is
killed, so a crash never leaves a stale lock. POSIX has ``flock``; Windows, where many back
offices run the watcher as a service, has no ``fcntl`` at all, only ``msvcrt.locking`` (byte-range
locks, exclusive only). Importing ``fcntl`` at the top of a module made ``salesflow watch`` and
``salesflow status`` fail on Windows before printing anything.

On Windows the lock covers one byte far past the end of the file (:data:`WINDOWS_LOCK_OFFSET`):
a locked range cannot be read by other processes there, and the installation lock's file holds
the owner's pid for the message a second watcher prints. A shared lock is an exclusive one on
Windows; the status probe takes it for an instant only.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

WINDOWS_LOCK_OFFSET = 1 << 30  # where the Windows lock byte lies (past any content of a lock file)
WINDOWS_RETRY_SECONDS = 0.01  # a blocking lock on Windows polls this often (msvcrt cannot wait forever)


def lock(fd: int, *, shared: bool = False, blocking: bool = True) -> None:
    """Lock the open file ``fd``; raises :class:`BlockingIOError` when ``blocking`` is False and
    another process holds it (another descriptor in the same process too, on POSIX)."""
    if fcntl is not None:
        mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        fcntl.flock(fd, mode if blocking else mode | fcntl.LOCK_NB)
        return
    import msvcrt  # type: ignore[import-not-found,unused-ignore]

    where = os.lseek(fd, 0, os.SEEK_CUR)  # put back after: the caller may write its pid next
    try:
        while True:
            os.lseek(fd, WINDOWS_LOCK_OFFSET, os.SEEK_SET)
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined,unused-ignore]
                return
            except OSError as exc:  # held by another process
                if not blocking:
                    raise BlockingIOError(*exc.args) from None
            time.sleep(WINDOWS_RETRY_SECONDS)
    finally:
        os.lseek(fd, where, os.SEEK_SET)


@contextlib.contextmanager
def held(path: Path | str) -> Iterator[None]:
    """Hold an exclusive lock on the file at ``path`` (created if missing), waiting for it.

    Released explicitly before the file is closed: Windows frees a closed file's locks only
    "eventually", and the next file of a flood may want the same lock at once."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        lock(fd)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                unlock(fd)
    finally:
        os.close(fd)


def unlock(fd: int) -> None:
    """Release what :func:`lock` took on ``fd`` (closing ``fd`` releases it too)."""
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return
    import msvcrt  # type: ignore[import-not-found,unused-ignore]

    where = os.lseek(fd, 0, os.SEEK_CUR)
    os.lseek(fd, WINDOWS_LOCK_OFFSET, os.SEEK_SET)
    try:
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)  # type: ignore[attr-defined,unused-ignore]
    finally:
        os.lseek(fd, where, os.SEEK_SET)
