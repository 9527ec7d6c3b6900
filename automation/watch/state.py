"""The watcher's files in the state folder: the installation lock, the heartbeat and the log.

- ``watcher.lock``: one watcher per installation. Two watchers over one inbox would race for the
  same files and the SQLite ledger; an exclusive ``flock`` is released by the kernel when the
  process dies, even by SIGKILL, so a crash never leaves a stale lock behind. The file holds the
  owner's pid for the message a second watcher prints.
- ``heartbeat.json``: rewritten atomically every :data:`HEARTBEAT_SECONDS` by a running watcher;
  ``salesflow status`` and the back office's monitoring read it. Stable keys (documented in
  :func:`heartbeat_payload`). Its times come from the system clock on purpose, not from
  :func:`automation.clock.now`: liveness is judged against the machine's real time, even when
  ``SALESFLOW_NOW`` replays a recorded business day.
- ``logs/salesflow.log``: rotating, so a watcher that runs for months never fills the disk.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from automation import filelock

LOCK_NAME = "watcher.lock"
HEARTBEAT_NAME = "heartbeat.json"
LOG_DIR = "logs"
LOG_NAME = "salesflow.log"
HEARTBEAT_SECONDS = 2.0
LOG_MAX_BYTES = 5 * 1024 * 1024
LOG_BACKUPS = 5
HEARTBEAT_VERSION = 1


class AlreadyRunning(RuntimeError):
    """Another watcher holds the installation lock."""

    def __init__(self, lock_path: Path, pid: int | None):
        self.lock_path = lock_path
        self.pid = pid
        who = f"pid {pid}" if pid else "another process"
        super().__init__(
            f"另一个监视程序正在运行 / another watcher is already running ({who}, lock {lock_path}); "
            "stop it first or use `salesflow status`"
        )


class InstallationLock:
    """Exclusive, non-blocking lock (:mod:`automation.filelock`) on ``state_root/watcher.lock``;
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
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
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
) -> dict[str, Any]:
    """The heartbeat's stable schema (version 1).

    ``pid`` int; ``state`` starting | running | stopping | stopped; ``time`` and ``epoch`` when it was
    written (system clock); ``started``; ``observer`` native | polling | none (``--once``);
    ``counts`` processed since start by outcome status (accepted, rejected, duplicate, ignored,
    failed) plus ``retried`` and ``quarantined``; ``backlog`` files seen in the inbox and not yet
    handled (settling + queued + in progress); ``current`` the file in progress (inbox-relative) or
    null; ``quarantined`` inbox-relative paths given up on; ``observer_restarts``; ``last_scan``
    time of the last reconciliation scan.
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
    }


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Write to a temp file and rename, so a reader never sees half a heartbeat."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def read_heartbeat(state_root: Path) -> dict[str, Any] | None:
    """The last heartbeat, or None when there is none or it cannot be read."""
    try:
        return json.loads((state_root / HEARTBEAT_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def setup_log_file(state_root: Path, logger_name: str = "automation") -> logging.Handler:
    """Attach a rotating file handler to the ``automation`` logger (every stage logs under it)."""
    log_dir = state_root / LOG_DIR
    log_dir.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        log_dir / LOG_NAME, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"))
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)
    return handler
