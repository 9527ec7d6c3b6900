"""Report timeliness 报表呈交 (SPEC §3).

Per rep and working day, from the rep's go-live date (config) or the period start, whichever is later,
to ``as_of``: the first accepted visit report for that day is *on time* when received by the deadline
(``deadlines.visit_report``, default 20:00 the same day), *late* when received after it, and the day
is *missing* when no accepted report exists. A superseding version does not change the day's verdict,
so the ledger's ``superseded`` rows count as accepted attempts: the verdict comes from the earliest
accepted-or-superseded submission. Rejected and duplicate submissions never count.
On-time rate = on-time days / working days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from automation.config import Config
from automation.figures.common import add_ratios, memo, rollup
from automation.frames import LedgerFrames
from automation.workcal import Period, WorkCalendar

VERDICTS = ("on_time", "late", "missing")
SUMS = ["report_days", "on_time", "late", "missing"]
RATIOS = {"on_time_rate": ("on_time", "report_days")}
ACCEPTED = ("accepted", "superseded")


def first_reports(frames: LedgerFrames) -> pd.DataFrame:
    """Earliest accepted (or later superseded) visit report per rep and reported day."""
    s = frames.submissions
    s = s[(s["form"] == "visit_report") & s["status"].isin(ACCEPTED)]
    s = s.assign(date=pd.to_datetime(s["period_key"], errors="coerce", format="%Y-%m-%d"))
    return s.dropna(subset=["date"]).groupby(["rep_id", "date"], as_index=False)["received_at"].min()


def day_verdicts(
    frames: LedgerFrames, config: Config, period: Period, cal: WorkCalendar, reps: pd.DataFrame
) -> pd.DataFrame:
    """One row per (rep, working day): ``rep_id, region, date, received_at, verdict``."""
    days = (
        np.array(cal.days(period.start, period.as_of), dtype="datetime64[D]")
        if period.as_of >= period.start
        else np.array([], dtype="datetime64[D]")
    )
    go = pd.to_datetime(reps["go_live"]).to_numpy("datetime64[D]")
    rep_idx, day_idx = np.meshgrid(np.arange(len(reps)), np.arange(len(days)), indexing="ij")
    rep_idx, day_idx = rep_idx.ravel(), day_idx.ravel()
    d = days[day_idx]
    g = go[rep_idx]
    keep = np.isnat(g) | (d >= g)
    grid = pd.DataFrame(
        {
            "rep_id": reps["rep_id"].to_numpy()[rep_idx[keep]],
            "region": reps["region"].to_numpy()[rep_idx[keep]],
            "date": d[keep].astype("datetime64[ns]"),
        }
    )
    first = memo(frames, "timeliness.first_reports", lambda: first_reports(frames))
    grid = grid.merge(first, on=["rep_id", "date"], how="left")
    dl = config.deadlines.visit_report
    deadline = grid["date"] + pd.Timedelta(hours=dl.hour, minutes=dl.minute, seconds=dl.second)
    grid["verdict"] = np.where(
        grid["received_at"].isna(), "missing", np.where(grid["received_at"] <= deadline, "on_time", "late")
    )
    return grid.sort_values(["rep_id", "date"], ignore_index=True)


def timeliness(
    frames: LedgerFrames, config: Config, period: Period, cal: WorkCalendar, reps: pd.DataFrame
) -> pd.DataFrame:
    """Rows per rep, region and company: report_days, on_time, late, missing, on_time_rate."""
    grid = day_verdicts(frames, config, period, cal, reps)
    counts = pd.crosstab(grid["rep_id"], grid["verdict"]).reindex(columns=list(VERDICTS), fill_value=0)
    counts["report_days"] = counts.sum(axis=1)
    out = rollup(counts, reps, SUMS)
    return add_ratios(out, RATIOS)
