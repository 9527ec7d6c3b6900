"""Everything a week's consolidated workbooks show, computed once for the company.

:func:`compute_week` is :func:`automation.score.compute_all` plus what the workbooks read beyond
the figures: the recent weeks (last week for "change", the 8-week trend), the Pareto curve, the
week's visits and market reports, follow-ups due and overdue, submissions per person and day,
register conflicts and the supervisors' returned weekly reports. Each region's view is
:func:`automation.score.for_region` of the one result, so N region workbooks of a week cost one
computation. Kept apart from ``compute_all`` so ``salesflow figures`` stays as fast as it was.

Added keys (frames; each has a ``region`` column, so the region split filters them):
``history`` (:mod:`history`: rows per rep, region and company for the 8 weeks ending with the week),
``last_week`` (the week before's key), ``changes`` (each metric last week and the change, per rep,
region and company), ``attention`` (:mod:`attention`: the customers to act on, with why),
``complaint_sheet`` (open complaints and the week's, with their text), ``pareto_curve`` (:func:`abc.pareto_curve`), ``visits`` and
``market`` (:mod:`weeklists`), ``followups`` (:mod:`followups`), ``submission_days``
(:mod:`submissions`), ``conflicts`` (:mod:`conflicts`), ``weekly_reports`` and ``weekly_targets``
(the week's returned weekly management reports and their per-rep next-week targets).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from automation.core.config import Config
from automation.core.frames import LedgerFrames
from automation.core.workcal import WorkCalendar
from automation.score import abc as abc_mod
from automation.score import compute_all
from automation.score.attention import attention
from automation.score.common import memo_by, prepared
from automation.score.conflicts import open_conflicts
from automation.score.followups import followups
from automation.score.history import TREND_WEEKS, changes, week_history, weeks_back
from automation.score.submissions import submission_days
from automation.score.targets import build_targets
from automation.score.weeklists import complaint_sheet, week_market, week_visits, weekly_reports


def compute_week(frames: LedgerFrames, config: Config, week: str, *, as_of: date) -> dict[str, Any]:
    """The company-wide result for ``week`` with the workbook's additions (module docstring).

    ``as_of`` is the last day whose activity counts (clipped into the week, as for ``compute_all``).
    """
    out = compute_all(frames, config, week, as_of=as_of)
    p = prepared(frames)
    cal = WorkCalendar(config)
    book = memo_by(p, "targets.book", (config,), lambda: build_targets(p, config, cal))
    period = out["periods"]["week"]
    week_sc = out["scorecards"]["week"]
    out["history"] = week_history(p, config, out["week"], as_of, cal, out["reps"], book, TREND_WEEKS, week_sc)
    out["last_week"] = weeks_back(out["week"], 2)[0]
    out["changes"] = changes(out["history"], out["week"], out["last_week"])
    out["pareto_curve"] = abc_mod.pareto_curve(out["abc"])
    out["visits"] = week_visits(frames, period)
    out["market"] = week_market(frames, period)
    out["followups"] = followups(frames, out["as_of"])
    out["complaint_sheet"] = complaint_sheet(out["complaints"], frames, period)
    out["attention"] = attention(out["abc"], out["policy"], out["churn"], out["complaints"])
    out["submission_days"] = submission_days(frames, period, out["timeliness"])
    out["conflicts"] = open_conflicts(frames)
    out["weekly_reports"], out["weekly_targets"] = weekly_reports(frames, out["week"])
    return out


__all__ = ["compute_week"]
