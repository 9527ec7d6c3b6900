"""Every file's time budget: reading one file may cost at most ``intake.time_budget_seconds``.

Why CPU time of the reading thread (``time.thread_time``), not the wall clock: intake works on
bytes already in memory (the content store copied them), so its time is pure computation, and the
CPU a thread spent on one file does not grow when the machine is loaded by other processes or by
the watcher's other threads. A file over budget is therefore over budget because of what it holds
(an absurd sheet, thousands of sheets, a pathological text), on any machine, on every retry:
it is the file's doing, and it is rejected with feedback like any other file the rep can fix
(``file-too-complex``), instead of being quarantined for the back office or retried for ever.

Why cooperative checks and not a thread or process that is interrupted: Python threads cannot be
interrupted, and a process per file would cost ~0.4 s of start-up (and a pickle of the grids) for
every form of a flood. So the loops of intake (sheets, rows, header search, table, cells) call
:func:`check` every few hundred steps; the calls of a parsing library between two checks (calamine
parsing one sheet, xlrd parsing the workbook's globals) cannot be cut short, but each is linear in
the file's bytes, which the size caps bound (``max_file_mb``, ``max_unpacked_mb``), so a file's
overrun is bounded too. The read-ahead process runs the same code under the same budget.

The budget is per thread (a thread-local), set by :func:`limited` around one file's reading;
outside it :func:`check` costs one attribute look-up and does nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from automation.core.texts.checks import HEADER as HEADER  # what intake is doing, for OverBudget's message
from automation.core.texts.checks import READING as READING
from automation.core.texts.checks import SCANNING as SCANNING
from automation.core.texts.checks import TABLE as TABLE
from automation.intake.errors import ReadError

CHECK_EVERY = 256  # loops over rows call check() once this many steps
MASK = CHECK_EVERY - 1  # `if not i & MASK: check(...)`: a power of two, so a test costs one AND

_local = threading.local()


class OverBudget(ReadError):
    """Reading the file took more than its budget; ``stage`` says what intake was doing then."""

    def __init__(self, stage: dict[str, str], seconds: float, spent: float) -> None:
        super().__init__("file-too-complex", f"{spent:.1f} s of CPU, stopped while {stage['en']}")
        self.stage = stage
        self.seconds = seconds
        self.spent = spent


class _Budget:
    __slots__ = ("seconds", "start", "until")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.start = time.thread_time()
        self.until = self.start + seconds


@contextmanager
def limited(seconds: float) -> Iterator[None]:
    """Run the body under a budget of ``seconds`` of this thread's CPU time (nested: the outer one
    keeps counting, the tighter of the two applies)."""
    outer = getattr(_local, "budget", None)
    budget = _Budget(seconds)
    if outer is not None and outer.until < budget.until:
        budget = outer
    _local.budget = budget
    try:
        yield
    finally:
        _local.budget = outer


def check(stage: dict[str, str]) -> None:
    """Raise :class:`OverBudget` when this thread's file has used up its budget.

    ``stage``: what intake is doing, in both languages ({"zh": "查找表头", "en": "finding the
    header"}), for the rep's message and the back office's log.
    """
    budget = getattr(_local, "budget", None)
    if budget is not None:
        now = time.thread_time()
        if now > budget.until:
            raise OverBudget(stage, budget.seconds, now - budget.start)
