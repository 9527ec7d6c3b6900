"""The watcher's files in the state folder: the installation lock, the heartbeat and the log.

- ``watcher.lock``: one watcher per installation. Two watchers over one inbox would race for the
  same files and the SQLite ledger; an exclusive ``flock`` is released by the kernel when the
  process dies, even by SIGKILL, so a crash never leaves a stale lock behind. The file holds the
  owner's pid for the message a second watcher prints.
- ``heartbeat.json``: rewritten atomically every :data:`HEARTBEAT_SECONDS` by a running watcher;
  ``salesflow status`` and the back office's monitoring read it. Stable keys (documented in
  :func:`heartbeat_payload`). Its times come from the system clock on purpose, not from
  :func:`automation.core.clock.now`: liveness is judged against the machine's real time, even when
  ``SALESFLOW_NOW`` replays a recorded business day.
- ``logs/salesflow.log``: rotating, so a watcher that runs for months never fills the disk.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from automation.core import filelock
from automation.core.texts.errors import ERRORS

LOCK_NAME = "watcher.lock"
HEARTBEAT_NAME = "heartbeat.json"
HEARTBEAT_SECONDS = 2.0
HEARTBEAT_VERSION = 1


class AlreadyRunning(RuntimeError):
    """Another watcher holds the installation lock."""

    def __init__(self, lock_path: Path, pid: int | None):
        self.lock_path = lock_path
        self.pid = pid
        who = f"pid {pid}" if pid else "another process"
        super().__init__(ERRORS["watcher-running"].format(who=who, lock=lock_path))


class InstallationLock:
    """Exclusive, non-blocking lock (:mod:`automation.core.filelock`) on ``state_root/watcher.lock``;
    a context manager."""

    def __init__(self, state_root: Path):
        self.path = state_root / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> InstallationLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            filelock.lock(fd, blocking=False)
        except BlockingIOError:
            pid = _read_pid(fd)
            os.close(fd)
            raise AlreadyRunning(self.path, pid) from None
        try:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n".encode())
        except OSError:  # a full state disk: the lock is what matters, the pid is for a message
            pass
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            filelock.unlock(self._fd)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> InstallationLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_pid(fd: int) -> int | None:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        return int(os.read(fd, 32).decode().strip() or 0) or None
    except (OSError, ValueError):
        return None


def system_time() -> str:
    """Wall-clock time for liveness (see module docstring), ISO 8601 to the second."""
    return datetime.fromtimestamp(time.time()).isoformat(timespec="seconds")


def heartbeat_payload(
    *,
    state: str,
    started: str,
    observer: str,
    counts: dict[str, int],
    backlog: int,
    current: str | None,
    quarantined: list[str],
    observer_restarts: int,
    last_scan: str | None,
    problems: list[dict[str, Any]] | None = None,
    waiting: list[dict[str, Any]] | None = None,
    site: str = "",
) -> dict[str, Any]:
    """The heartbeat's stable schema (version 1; keys are only ever added).

    ``pid`` int; ``state`` starting | running | stopping | stopped; ``time`` and ``epoch`` when it was
    written (system clock); ``started``; ``observer`` native | polling | none (``--once``);
    ``counts`` processed since start by outcome status (accepted, rejected, duplicate, ignored,
    failed) plus ``retried`` and ``quarantined``; ``backlog`` files seen in the inbox and not yet
    handled (settling + queued + in progress); ``current`` the file in progress (inbox-relative) or
    null; ``quarantined`` inbox-relative paths given up on; ``observer_restarts``; ``last_scan``
    time of the last reconciliation scan.

    Added keys: ``problem`` the oldest fault of the environment the watcher waits on, one line for
    people (null when none); ``problems`` each such fault: ``resource`` (ledger | state | archive |
    rejected | inbox | shared | file | disk), ``kind`` (full | read-only | denied | unreachable |
    missing | locked | busy), ``message``, ``detail`` (the system's words), ``since``, ``seconds``,
    ``files`` (up to 20, inbox-relative) and ``file_count`` held up by it (see
    :mod:`automation.watch.waits`); ``waiting`` files that settled but are not handed over yet:
    ``file``, ``why`` (still being written, not downloaded, incomplete end), ``seconds``;
    ``site`` the site (branch) this watcher serves (issue 18; the ledger keeps every site's copy).
    """
    return {
        "version": HEARTBEAT_VERSION,
        "pid": os.getpid(),
        "state": state,
        "time": system_time(),
        "epoch": round(time.time(), 3),
        "started": started,
        "observer": observer,
        "counts": dict(counts),
        "backlog": backlog,
        "current": current,
        "quarantined": list(quarantined),
        "observer_restarts": observer_restarts,
        "last_scan": last_scan,
        "problem": problems[0]["message"] if problems else None,
        "problems": list(problems or []),
        "waiting": list(waiting or []),
        "site": site,
    }


HEARTBEAT_RESERVE = 16 * 1024  # bytes a heartbeat file keeps, to be rewritten in place on a full disk


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Write to a temp file and rename, so a reader never sees half a heartbeat.

    On a full disk (the one moment the heartbeat matters most: ``status`` must say the disk is
    full) a new file cannot be written; the heartbeat is then rewritten *in place*, in the space
    the file already has: every heartbeat is padded with spaces (valid JSON) to
    :data:`HEARTBEAT_RESERVE` bytes for that, and the lists in it are shortened to fit. A reader may
    then meet a torn write: :func:`read_heartbeat` reads again."""
    text = json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(text.ljust(HEARTBEAT_RESERVE))
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if not _rewrite_in_place(path, data):
            raise exc from None


def _rewrite_in_place(path: Path, data: dict[str, Any]) -> bool:
    try:
        room = path.stat().st_size
    except OSError:
        return False
    slim = dict(data)
    text = json.dumps(slim, ensure_ascii=False).encode("utf-8")
    for key in ("waiting", "quarantined", "problems"):  # the longest first; the headline stays
        if len(text) <= room:
            break
        slim[key] = slim[key][:1] if isinstance(slim.get(key), list) else slim.get(key)
        text = json.dumps(slim, ensure_ascii=False).encode("utf-8")
    if len(text) > room:
        return False
    try:
        fd = os.open(path, os.O_WRONLY)
    except OSError:
        return False
    try:
        os.write(fd, text.ljust(room))  # from offset 0, over blocks the file already has
    except OSError:
        return False
    finally:
        os.close(fd)
    return True


def read_heartbeat(state_root: Path) -> dict[str, Any] | None:
    """The last heartbeat, or None when there is none or it cannot be read (read again after a
    torn in-place write: see :func:`write_json_atomic`)."""
    for attempt in range(3):
        try:
            return json.loads((state_root / HEARTBEAT_NAME).read_text(encoding="utf-8"))
        except OSError:
            return None
        except ValueError:
            if attempt < 2:
                time.sleep(0.05)
    return None
