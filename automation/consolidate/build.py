"""One week's outputs from one computation: the company workbook, each region's, and each region
supervisor's pre-filled weekly report (:func:`build_week`), each written atomically (:func:`output.save`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from automation.consolidate import output, paths
from automation.consolidate.weekly_form import weekly_form
from automation.consolidate.workbook import build
from automation.core import clock
from automation.core.config import Config
from automation.core.formspec import FormSet, load_specs
from automation.core.frames import LedgerFrames
from automation.score import for_region
from automation.score.week import compute_week


@dataclass
class Written:
    """One output: where it was meant to go and where it went (beside it when the target was open)."""

    kind: str  # company | region | weekly_report
    week: str
    target: Path
    path: Path

    @property
    def beside(self) -> bool:
        return self.path != self.target


def build_week(
    config: Config,
    frames: LedgerFrames,
    week: str,
    *,
    as_of: date,
    regions: Iterable[str],
    company: bool = True,
    forms: bool = True,
    specs: FormSet | None = None,
    now: datetime | None = None,
) -> list[Written]:
    """Compute ``week`` once and write the company workbook (``company``), each of ``regions``'
    workbook, and (``forms``) each of their supervisors' pre-filled weekly report."""
    specs = specs or load_specs(config)
    now = now or clock.now()
    result = compute_week(frames, config, week, as_of=as_of)
    key = result["week"]
    out: list[Written] = []

    def save(kind: str, target: Path, write: Any) -> None:
        out.append(Written(kind, key, target, output.save(target, write, config.state_root)))

    for region in regions:  # first: a supervisor waiting for a dropped form's region workbook
        view = for_region(result, region)
        lang = paths.region_language(config, region)
        save("region", paths.region_workbook(config, key, region),
             lambda p, v=view, lg=lang: build(p, v, config, specs, lg, now))  # fmt: skip
        sup = config.supervisor_of(region)
        if forms and sup is not None:
            save("weekly_report", paths.weekly_report_form(config, key, sup.id),
                 lambda p, v=view, s=sup: weekly_form(config, specs, v, s).save(p))  # fmt: skip
    if company:
        save("company", paths.company_workbook(config, key),
             lambda p: build(p, result, config, specs, config.language, now))  # fmt: skip
    return out
