"""Many weeks at once (``salesflow consolidate --all-weeks``), on two processes when there are several.

Each week is one computation and some twenty workbooks; almost all of the time is XlsxWriter
turning cells into XML, which one process cannot do faster. So the weeks are dealt out round-robin:
this process builds its share while a second one, started with ``spawn`` (the same on Windows and
POSIX, and safe: it shares nothing with this process), reads the ledger itself and builds the rest.
Both write different files, and every file is written atomically, so nothing can interleave. A
second process costs a second or two to start and read the ledger, so it is used from
:data:`MIN_PARALLEL_WEEKS` weeks on, and only where there are two CPUs.

The frames come from ``loader(config)`` in the second process (default: the ledger); the benchmark
passes one that reads its cached frames instead.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime

from automation.consolidate.build import Written, build_week
from automation.core.config import Config
from automation.core.formspec import FormSet, load_specs
from automation.core.frames import LedgerFrames

MIN_PARALLEL_WEEKS = 4
MAX_PROCESSES = 2


def ledger_frames(config: Config) -> LedgerFrames:
    """The ledger's frames (what a second process reads for itself)."""
    from automation.ledger import open_ledger

    with open_ledger(config) as ledger:
        return ledger.frames()


def processes_for(weeks: int) -> int:
    """How many processes build ``weeks`` weeks: two from :data:`MIN_PARALLEL_WEEKS` on, if two CPUs."""
    return min(MAX_PROCESSES, os.cpu_count() or 1) if weeks >= MIN_PARALLEL_WEEKS else 1


def build_weeks(
    config: Config,
    frames: LedgerFrames,
    weeks: Sequence[str],
    *,
    as_of: date,
    regions: Sequence[str],
    company: bool,
    form_weeks: frozenset[str],
    now: datetime,
    specs: FormSet | None = None,
    processes: int | None = None,
    loader: Callable[[Config], LedgerFrames] = ledger_frames,
) -> list[Written]:
    """Every output of ``weeks`` (pre-filled weekly reports for ``form_weeks`` only), in week order."""
    processes = processes_for(len(weeks)) if processes is None else processes
    if processes <= 1 or len(weeks) < 2:
        return _weeks(config, frames, list(weeks), as_of, list(regions), company, form_weeks, now, specs)
    shares = [list(weeks[i::processes]) for i in range(processes)]
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=processes - 1, mp_context=ctx) as pool:
        others = [
            pool.submit(_in_child, config, loader, share, as_of, list(regions), company, form_weeks, now)
            for share in shares[1:]
        ]
        written = _weeks(config, frames, shares[0], as_of, list(regions), company, form_weeks, now, specs)
        for future in others:
            written += future.result()
    order = {w: i for i, w in enumerate(weeks)}
    return sorted(written, key=lambda w: order.get(w.week, len(order)))


def _weeks(
    config: Config,
    frames: LedgerFrames,
    weeks: list[str],
    as_of: date,
    regions: list[str],
    company: bool,
    form_weeks: frozenset[str],
    now: datetime,
    specs: FormSet | None,
) -> list[Written]:
    specs = specs or load_specs(config)
    out: list[Written] = []
    for week in weeks:
        out += build_week(
            config, frames, week, as_of=as_of, regions=regions, company=company, forms=week in form_weeks,
            specs=specs, now=now,
        )  # fmt: skip
    return out


def _in_child(
    config: Config,
    loader: Callable[[Config], LedgerFrames],
    weeks: list[str],
    as_of: date,
    regions: list[str],
    company: bool,
    form_weeks: frozenset[str],
    now: datetime,
) -> list[Written]:
    return _weeks(config, loader(config), weeks, as_of, regions, company, form_weeks, now, None)
