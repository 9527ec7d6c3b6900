"""The score stage's entry point for a person: every figure of SPEC §3 for a week, from the ledger.

:func:`figures` reads the ledger's frames once and computes the week, MTD, QTD and YTD
(:func:`automation.score.compute_all`): what ``salesflow figures`` prints (:mod:`.render`) or
writes as JSON (:mod:`.export`). :func:`same_figures` compares them between two ledgers
(``salesflow ledger copy`` verifies a copy with it). Everything else in this package is pure:
frames in, frames out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from automation.core import clock
from automation.core.config import Config
from automation.core.workcal import WorkCalendar, default_as_of, parse_week, week_key
from automation.score import compute_all


@dataclass
class Figures:
    """One run's figures, with the calendar and the moment they were computed for."""

    result: dict[str, Any]
    calendar: WorkCalendar
    now: datetime


def figures(config: Config, week: str | None = None, region: str | None = None) -> Figures:
    """The figures of ``week`` (default: the current ISO week of the product clock), for the
    company or one ``region`` (id, 中文名 or English name). Activity counts up to today once today's
    visit-report deadline has passed, else up to yesterday (:func:`automation.core.workcal.default_as_of`).
    Raises :class:`~automation.core.workcal.WeekError`, :class:`~automation.score.RegionError` and
    the ledger's :class:`~automation.ledger.LedgerError`."""
    from automation.ledger import open_ledger

    now = clock.now()
    key = week_key(parse_week(week)[0]) if week else week_key(now.date())
    with open_ledger(config) as ledger:
        frames = ledger.frames()
    result = compute_all(frames, config, key, region, as_of=default_as_of(now, config))
    return Figures(result, WorkCalendar(config), now)


def same_figures(config: Config, target_url: str) -> tuple[str, bool]:
    """``figures --json`` of the latest week from the ledger ``config`` names and from
    ``target_url``, compared (``generated_at`` aside): ``(week, equal)``."""
    from automation.ledger import open_ledger
    from automation.score.export import to_json

    now = clock.now()
    as_of = default_as_of(now, config)
    week = week_key(as_of)
    out = []
    for cfg in (config, config.model_copy(update={"ledger_url": target_url})):
        with open_ledger(cfg) as ledger:
            frames = ledger.frames()
        data = to_json(compute_all(frames, cfg, week, None, as_of=as_of), WorkCalendar(cfg), now)
        data.pop("generated_at", None)
        out.append(json.dumps(data, sort_keys=True, ensure_ascii=False))
    return week, out[0] == out[1]
