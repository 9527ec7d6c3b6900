"""The consolidation stage's entry points: build a week's outputs, and rebuild what forms touched.

One computation per week (:func:`automation.score.week.compute_week`) serves the company workbook,
every region workbook (:func:`automation.score.for_region` of it) and every pre-filled weekly
report. Each file is written atomically (:func:`output.save`).

* :func:`rebuild_dirty` — after a burst of accepted forms (the watcher's hook, the end of
  ``salesflow ingest``): the region-weeks the ledger marked (``Ledger.dirty_marks``) are rebuilt —
  each marked region's workbook and weekly report, and the company workbook of each marked week —
  then exactly the marks it read are cleared: a form recorded while it was building marks its
  region-week again and so stays dirty for the next burst.
* :func:`consolidate` — ``salesflow consolidate``: one week (default: the week of the last day whose
  activity counts, so on a Monday morning last week's), one region or all, or every week from the
  first form on (``--all-weeks``).

Decisions: the company workbook is in the config's language and a region's in its supervisor's
(:mod:`paths`). Pre-filled weekly reports are made for every week built, except that
``--all-weeks`` makes them only for its latest two weeks (older ones can no longer be returned in
time; ``--week`` makes them for that week on request). A late form for an earlier week rebuilds that
week's outputs; a later week's month-to-date columns take it in at that week's next rebuild.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from automation.consolidate import sites
from automation.consolidate.build import Written, build_week
from automation.consolidate.weeks import build_weeks
from automation.core import clock
from automation.core.config import Config
from automation.core.formspec import load_specs
from automation.core.frames import LedgerFrames
from automation.core.texts.log import LOG
from automation.core.workcal import WeekError, default_as_of, parse_week, week_key
from automation.ledger.shared import CONSOLIDATE, exclusive
from automation.score import RegionError, resolve_region

log = logging.getLogger("automation.consolidate")

FORM_WEEKS = 2  # --all-weeks: pre-filled weekly reports for this many latest weeks


class ConsolidateError(ValueError):
    """A week or region that does not exist (the message names it and what is allowed)."""


@dataclass
class Report:
    """What one consolidation wrote."""

    weeks: list[str] = field(default_factory=list)
    written: list[Written] = field(default_factory=list)

    @property
    def paths(self) -> list[Path]:
        return [w.path for w in self.written]


def rebuild_dirty(config: Config, ledger: Any) -> list[Path]:
    """Rebuild the outputs of every region-week forms marked, then clear those marks (see module
    docstring). A week that fails is logged and stays marked for the next burst; returns the paths
    written. Never raises: its callers (the watcher, ``ingest``, the demo) have recorded their
    forms already, and a fault here is ours, logged, and retried after the next form."""
    try:
        with exclusive(getattr(ledger, "engine", None), CONSOLIDATE):
            return _rebuild_dirty(config, ledger)
    except Exception:
        log.exception(LOG["consolidate-no-ledger"])
        return []


def _rebuild_dirty(config: Config, ledger: Any) -> list[Path]:
    all_marks = ledger.dirty_marks()
    marks = {k: v for k, v in all_marks.items() if sites.mine(config, k)}  # several sites: its own only
    if not marks:
        return []
    frames = ledger.frames()
    specs = getattr(ledger, "specs", None) or load_specs(config)
    now = clock.now()
    as_of = default_as_of(now, config)
    weeks: dict[str, set[str]] = {}
    for region, week in marks:
        weeks.setdefault(week, set()).add(region)
    written: list[Path] = []
    for week, regions in sorted(weeks.items()):
        pairs = [(r, week) for r in sorted(regions)]
        company = sites.builds_company(config, regions)
        try:
            parse_week(week)
        except WeekError:
            log.warning(LOG["consolidate-stale-mark"], week)
            ledger.clear_dirty(pairs, seen=marks)
            continue
        known = sorted(r for r in regions if config.region(r) is not None)
        try:
            done = build_week(
                config, frames, week, as_of=as_of, regions=known, company=company, specs=specs, now=now
            )
        except Exception:
            log.exception(LOG["consolidate-failed"], week)
            continue
        written += [w.path for w in done]
        try:
            ledger.clear_dirty(pairs, seen=marks)
        except Exception:  # built, but marked still: the next burst builds it again, harmlessly
            log.exception(LOG["consolidate-mark-failed"], week)
        log.info(LOG["consolidated"], week, ", ".join(w.path.name for w in done))
    return written


def consolidate(
    config: Config,
    week: str | None = None,
    region: str | None = None,
    *,
    all_weeks: bool = False,
    ledger: Any | None = None,
) -> Report:
    """``salesflow consolidate``: one week (or every week), the company and every region, or one
    region. Raises :class:`ConsolidateError` for a bad week or region."""
    try:
        region_id = resolve_region(config, region)
        key = week_key(parse_week(week)[0]) if week else None
    except (WeekError, RegionError) as exc:
        raise ConsolidateError(str(exc)) from exc
    from automation.ledger import open_ledger

    own = ledger is None
    ledger = ledger or open_ledger(config)
    try:
        with exclusive(getattr(ledger, "engine", None), CONSOLIDATE):
            return _consolidate(config, ledger, region_id, key, week, all_weeks)
    finally:
        if own:
            ledger.close()


def _consolidate(
    config: Config, ledger: Any, region_id: str | None, key: str | None, week: str | None, all_weeks: bool
) -> Report:
    marks = ledger.dirty_marks()
    frames = ledger.frames()
    now = clock.now()
    as_of = default_as_of(now, config)
    weeks = _all_weeks(frames, as_of) if all_weeks else [key or week_key(as_of)]
    regions = [region_id] if region_id else sites.own_regions(config)
    company = region_id is None and config.is_hq
    specs = getattr(ledger, "specs", None) or load_specs(config)
    forms = frozenset(weeks[-FORM_WEEKS:] if all_weeks else weeks)
    written = build_weeks(
        config, frames, weeks, as_of=as_of, regions=regions, company=company, form_weeks=forms,
        now=now, specs=specs,
    )  # fmt: skip
    built = {(r, w) for w in weeks for r in regions}
    if company:  # the company workbook covers every mark of its week that is this site's
        built |= {(r, w) for r, w in marks if w in weeks and sites.mine(config, (r, w))}
    ledger.clear_dirty(sorted(built), seen=marks)
    return Report(weeks=weeks, written=written)


def _all_weeks(frames: LedgerFrames, as_of: date) -> list[str]:
    """Every ISO week from the first form received (or visit reported) to the week of ``as_of``."""
    firsts = [
        pd.to_datetime(frames.submissions["received_at"]).min(),
        pd.to_datetime(frames.visits["date"]).min(),
    ]
    first = min((d for d in firsts if pd.notna(d)), default=pd.Timestamp(as_of)).date()
    first = min(first, as_of)
    monday = first - timedelta(days=first.isoweekday() - 1)
    out = []
    while monday <= as_of:
        out.append(week_key(monday))
        monday += timedelta(days=7)
    return out
