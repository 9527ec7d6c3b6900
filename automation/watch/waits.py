"""What the watcher is waiting on: faults of its environment, since when, and the files held up.

One :class:`Waits` board per watcher (thread-confined to the control loop, except :meth:`set` and
:meth:`clear`, which the worker calls while it cannot open the ledger). A fault
(:class:`automation.core.faults.Fault`) is keyed by (resource, kind): a full state disk is one
problem however many files meet it. Each problem remembers the files it holds up; it is resolved
when none is held up any more (each succeeded, or failed for a reason of its own) or, for a
problem without files (the ledger cannot be opened, the inbox is gone), when the watcher clears
it. The log gets one line when a problem starts, a reminder every :data:`REMIND_SECONDS`, and one
line when it is resolved; the heartbeat carries :meth:`snapshot` for ``salesflow status``.

Back-off: the files of a problem are retried after ``base`` seconds, doubling per failure up to
``cap``; a resolved problem starts again from ``base``. Files waiting on the environment never use
up their retries (those are for faults of ours: see :mod:`automation.watch.quarantine`).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from automation.core.faults import Fault
from automation.core.names import shown
from automation.core.texts.log import LOG

log = logging.getLogger("automation.watch")

ENV_BACKOFF_START = 1.0
ENV_BACKOFF_MAX = 10.0  # a fixed cause is noticed within this long
REMIND_SECONDS = 60.0


@dataclass
class Problem:
    fault: Fault
    since: float  # wall clock, for people
    started: float  # monotonic
    failures: int = 0
    files: set[Path] = field(default_factory=set)
    reminded: float = 0.0
    standing: bool = False  # set by the watcher, cleared by it (no files)


class Waits:
    def __init__(
        self, base: float = ENV_BACKOFF_START, cap: float = ENV_BACKOFF_MAX, clock: Any = time.monotonic
    ):
        self.base = base
        self.cap = max(base, cap)
        self._clock = clock
        self._problems: dict[tuple[str, str], Problem] = {}
        self._lock = threading.Lock()

    def __bool__(self) -> bool:
        return bool(self._problems)

    # ----- files held up ---------------------------------------------------------------------------
    def fail(self, fault: Fault, path: Path | None = None) -> float:
        """``path`` (or the watcher itself) met ``fault``; returns the seconds to wait before trying again."""
        with self._lock:
            problem = self._problem(fault)
            problem.failures += 1
            if path is not None:
                for other in self._problems.values():  # a file waits on one thing at a time
                    if other is not problem:
                        other.files.discard(path)
                problem.files.add(path)
            delay = min(self.cap, self.base * 2 ** (problem.failures - 1))
            self._remind(problem, f", {len(problem.files)} file(s) held up, next try in {delay:.0f}s")
        return delay

    def done(self, path: Path) -> bool:
        """``path`` no longer waits on the environment (it went through, failed on its own, or is
        gone); True when that resolved a problem."""
        resolved = False
        with self._lock:
            for key, problem in list(self._problems.items()):
                problem.files.discard(path)
                if not problem.files and not problem.standing:
                    self._resolve(key)
                    resolved = True
        return resolved

    def files(self) -> set[Path]:
        """Every file held up by a problem."""
        with self._lock:
            return set().union(*(p.files for p in self._problems.values())) if self._problems else set()

    def holds(self, path: Path) -> bool:
        return any(path in p.files for p in self._problems.values())

    # ----- problems without files -------------------------------------------------------------------
    def set(self, fault: Fault) -> float:
        """A standing problem (the ledger cannot be opened, the inbox is gone); returns the back-off."""
        with self._lock:
            problem = self._problem(fault)
            problem.standing = True
            problem.failures += 1
            self._remind(problem, "")
            return min(self.cap, self.base * 2 ** (problem.failures - 1))

    def clear(self, resource: str, kind: str | None = None) -> bool:
        """Resolve the standing problems of ``resource`` (of that ``kind``); True when there were any."""
        with self._lock:
            keys = [
                k
                for k, p in self._problems.items()
                if k[0] == resource and (kind is None or k[1] == kind) and p.standing
            ]
            for key in keys:
                self._problems[key].standing = False
                if not self._problems[key].files:
                    self._resolve(key)
            return bool(keys)

    # ----- views ------------------------------------------------------------------------------------
    def headline(self) -> str | None:
        """The oldest problem in one line (what ``status`` prints first), or None."""
        with self._lock:
            if not self._problems:
                return None
            p = min(self._problems.values(), key=lambda p: p.started)
            return p.fault.message

    def snapshot(self, rel: Any = shown) -> list[dict[str, Any]]:
        """The problems for the heartbeat (stable keys; see ``state.heartbeat_payload``)."""
        now = self._clock()
        with self._lock:
            return [
                {
                    "resource": p.fault.resource,
                    "kind": p.fault.kind,
                    "message": p.fault.message,
                    "detail": p.fault.detail,
                    "since": _iso(p.since),
                    "seconds": round(now - p.started, 1),
                    "files": sorted(str(rel(f)) for f in p.files)[:20],
                    "file_count": len(p.files),
                }
                for p in sorted(self._problems.values(), key=lambda p: p.started)
            ]

    # ----- inside ------------------------------------------------------------------------------------
    def _problem(self, fault: Fault) -> Problem:
        problem = self._problems.get(fault.key)
        if problem is None:
            now = self._clock()
            problem = self._problems[fault.key] = Problem(fault, time.time(), now, reminded=now)
            log.error(LOG["waiting"], fault.message, _detail(fault))
        return problem

    def _remind(self, problem: Problem, more: str) -> None:
        now = self._clock()
        if problem.failures > 1 and now - problem.reminded >= REMIND_SECONDS:
            problem.reminded = now
            log.warning(
                LOG["still-waiting"],
                problem.fault.message, _clock_time(problem.since), more, _detail(problem.fault),
            )  # fmt: skip

    def _resolve(self, key: tuple[str, str]) -> None:
        problem = self._problems.pop(key)
        log.info(LOG["resolved"], problem.fault.message, self._clock() - problem.started)


def _detail(fault: Fault) -> str:
    return f" [{fault.detail}]" if fault.detail else ""


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch).isoformat(timespec="seconds")


def _clock_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch).strftime("%H:%M:%S")


__all__ = ["ENV_BACKOFF_MAX", "ENV_BACKOFF_START", "Problem", "Waits"]
