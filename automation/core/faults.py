"""Which failures are the environment's, and what to tell the back office about them.

A form can fail for three kinds of reasons, and each needs another answer:

- the **rep's** (a bad form): not a failure at all, the pipeline *rejects* it with feedback;
- **ours** (a bug meeting this content): retried ``watcher.retries`` times, then set aside in
  quarantine, so one poisonous file cannot hold up the rest;
- the **environment's** (a full disk, a locked ledger, a read-only or vanished folder, a network
  share that went away, a file another program still writes): nothing is wrong with the file and
  nothing is wrong with us, so retrying it a few times and giving up would be wrong. The watcher
  waits, retries with back-off, says what is wrong in ``salesflow status`` and the log, and resumes
  by itself (:mod:`automation.watch.waits`). Such a failure never counts against the file's retries.

:func:`classify` tells the environment's faults apart by the exception alone (walking its causes:
SQLAlchemy wraps the driver's error, the pipeline wraps nothing), and names the folder concerned
from the error's file name, or, when the system call gave none (``write`` on a full disk), by
asking the file systems which one is full or read-only.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from automation.core.config import Config
from automation.core.names import shown
from automation.core.texts.errors import FAULT_WHAT, FAULT_WHERE

# Windows: ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION: another program has the file open
SHARING_VIOLATIONS = (32, 33)
_FULL = {errno.ENOSPC, errno.EDQUOT}
_READ_ONLY = {errno.EROFS}
_DENIED = {errno.EACCES, errno.EPERM}
_BUSY = {errno.EBUSY, errno.ETXTBSY}
_MISSING = {errno.ENOENT, errno.ENOTDIR}
_UNREACHABLE = {
    errno.EIO, errno.ESTALE, errno.ENOTCONN, errno.EHOSTDOWN, errno.EHOSTUNREACH, errno.ENETDOWN,
    errno.ENETUNREACH, errno.ETIMEDOUT, errno.ECONNRESET, errno.ECONNABORTED, errno.ECONNREFUSED,
    errno.ENODEV, errno.ENXIO, getattr(errno, "ENOMEDIUM", -1), getattr(errno, "EREMOTEIO", -1),
}  # fmt: skip

WHERE = FAULT_WHERE  # resource -> its name for people
WHAT = FAULT_WHAT  # kind -> what is wrong, for people


@dataclass(frozen=True)
class Fault:
    """An environment fault: ``resource`` (a key of :data:`WHERE`), ``kind`` (a key of
    :data:`WHAT`), ``place`` (the folder or file concerned) and ``detail`` (the system's words)."""

    resource: str
    kind: str
    place: str = ""
    detail: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return self.resource, self.kind

    @property
    def message(self) -> str:
        where = WHERE.get(self.resource, self.resource)
        place = f" ({self.place})" if self.place else ""
        return f"{where}{place}: {WHAT.get(self.kind, self.kind)}"


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        e = todo.pop(0)
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        todo.extend([getattr(e, "orig", None), e.__cause__, e.__context__])


def classify(exc: BaseException, config: Config) -> Fault | None:
    """The environment fault ``exc`` reports, or None when it is a fault of ours (or of the file)."""
    for e in _chain(exc):
        fault = _os_fault(e, config) if isinstance(e, OSError) else _db_fault(e, config)
        if fault is not None:
            return fault
    return None


def _db_fault(e: BaseException, config: Config) -> Fault | None:
    """SQLite's operational errors, and any database's (DB-API: "errors related to the database's
    operation and not necessarily under the control of the programmer": a lost connection)."""
    name = type(e).__name__
    server = not config.database_url.startswith("sqlite")
    if server:  # a database server (PostgreSQL) went away, refused us or is shutting down
        lost = bool(getattr(e, "connection_invalidated", False))  # SQLAlchemy's word for it
        if name not in _DB_DOWN and not lost:
            return None
        text = str(e).splitlines()[0] if str(e) else name
        return Fault("ledger", "unreachable", _ledger_place(config), text)
    if not isinstance(e, sqlite3.OperationalError) and name != "OperationalError":
        return None
    text = str(e).splitlines()[0] if str(e) else name
    low = text.lower()
    place = _ledger_place(config)
    if "locked" in low or "busy" in low:
        return Fault("ledger", "locked", place, text)
    folder = str(Path(place).parent) if place else ""
    # a full disk also shows as "disk I/O error" or "unable to open" (the -shm or -wal file
    # cannot be made): the disk's free space tells
    if "full" in low or (folder and free_bytes(Path(folder)) == 0):
        return Fault("state", "full", folder, text)
    if "readonly" in low or "read-only" in low:
        return Fault("ledger", "read-only", place, text)
    return Fault("ledger", "unreachable", place, text)


# DB-API errors "related to the database's operation": a lost connection, a server shutting down
# (psycopg's AdminShutdown and friends are OperationalErrors; a connection already closed is an
# InterfaceError in psycopg and in SQLAlchemy's wrapper)
_DB_DOWN = {"OperationalError", "AdminShutdown", "CannotConnectNow", "ConnectionFailure", "InterfaceError"}


def _ledger_place(config: Config) -> str:
    url = config.database_url
    if url.startswith("sqlite:///"):
        return url[len("sqlite:///") :]
    return url.split("@")[-1] if "@" in url else url.split("://")[-1]  # never the user:password


def _os_fault(e: OSError, config: Config) -> Fault | None:
    code = e.errno
    detail = f"{e.strerror or e}"
    filename = e.filename if isinstance(e.filename, str) else None
    if getattr(e, "winerror", None) in SHARING_VIOLATIONS or code in _BUSY:
        return Fault("file", "busy", shown(filename or ""), detail)
    kind = (
        "full" if code in _FULL
        else "read-only" if code in _READ_ONLY
        else "denied" if code in _DENIED
        else "unreachable" if code in _UNREACHABLE
        else "missing" if code in _MISSING
        else ""
    )  # fmt: skip
    if not kind:
        return None
    resource, root = _where(filename, config) if filename else _probe(kind, config)
    if kind == "missing":
        # a file that is gone was moved or deleted (not a fault); a folder of ours that is gone
        # is one: the share was disconnected, or someone removed it
        if root is None or root.exists():
            return None
        return Fault(resource, "missing", shown(root), detail)
    if resource == "inbox" and kind == "denied":
        return Fault("inbox", "denied", shown(filename or root or ""), detail)
    return Fault(resource, kind, shown(root or filename or ""), detail)


def _roots(config: Config) -> list[tuple[str, Path]]:
    """Our folders, the most specific first (the state folder may sit anywhere)."""
    return [
        ("state", config.state_root),
        ("archive", config.archive),
        ("rejected", config.rejected),
        ("inbox", config.inbox),
        ("shared", config.shared_root),
    ]


def _where(filename: str, config: Config) -> tuple[str, Path | None]:
    path = Path(os.path.abspath(filename))
    for resource, root in _roots(config):
        if path == root or root in path.parents:
            return resource, root
    return "disk", None


def _probe(kind: str, config: Config) -> tuple[str, Path | None]:
    """No file name in the error: the folder whose file system is full (or read-only) now."""
    for resource, root in _roots(config):
        if kind == "full" and free_bytes(root) == 0:
            return resource, root
        if kind == "read-only" and read_only(root):
            return resource, root
    return "disk", None


def free_bytes(folder: Path) -> int | None:
    """Bytes free for us on ``folder``'s file system (None when it cannot be told)."""
    try:
        st = os.statvfs(nearest(folder))
    except (OSError, AttributeError):  # no statvfs on Windows
        return None
    return st.f_bavail * st.f_frsize


def read_only(folder: Path) -> bool:
    """``folder``'s file system is mounted read-only (a permission bit does not stop root; this does)."""
    try:
        st = os.statvfs(nearest(folder))
    except (OSError, AttributeError):
        return False
    return bool(st.f_flag & getattr(os, "ST_RDONLY", 1))


def nearest(folder: Path) -> Path:
    """``folder`` or its nearest existing parent."""
    for p in (folder, *folder.parents):
        if p.exists():
            return p
    return folder


__all__ = ["Fault", "classify", "free_bytes", "read_only"]
