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

from automation.core.config import Config
from automation.core.frames import LedgerFrames
from automation.core.outcomes import COUNTED
from automation.core.workcal import Period, WorkCalendar
from automation.score.common import add_ratios, memo, rollup

VERDICTS = ("on_time", "late", "missing")
SUMS = ["report_days", "on_time", "late", "missing"]
RATIOS = {"on_time_rate": ("on_time", "report_days")}


def first_reports(frames: LedgerFrames) -> pd.DataFrame:
    """Earliest accepted (or later superseded) visit report per rep and reported day."""
    s = frames.submissions
    s = s[(s["form"] == "visit_report") & s["status"].isin(COUNTED)]
    s = s.assign(date=pd.to_datetime(s["period_key"], errors="coerce", format="%Y-%m-%d"))
    return s.dropna(subset=["date"]).groupby(["rep_id", "date"], as_index=False)["received_at"].min()


def verdict_matrix(
    frames: LedgerFrames, config: Config, period: Period, cal: WorkCalendar, reps: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(working days, received matrix, verdict codes) for reps x working days of ``start..as_of``.

    Codes: 0 on time, 1 late, 2 missing, -1 not counted (before the rep's go-live). Dense numpy arrays,
    so a year for 200 reps is a few vectorised operations.
    """
    if period.as_of >= period.start:
        days = np.array(cal.days(period.start, period.as_of), dtype="datetime64[D]")
    else:
        days = np.array([], dtype="datetime64[D]")
    first = memo(frames, "timeliness.first_reports", lambda: first_reports(frames))
    rep_pos = pd.Index(reps["rep_id"].astype(object)).get_indexer(first["rep_id"].astype(object))
    day_pos = np.searchsorted(days, first["date"].to_numpy("datetime64[D]"))
    ok = (rep_pos >= 0) & (day_pos < len(days))
    ok[ok] = days[day_pos[ok]] == first["date"].to_numpy("datetime64[D]")[ok]
    received = np.full((len(reps), len(days)), np.datetime64("NaT"), dtype="datetime64[ns]")
    received[rep_pos[ok], day_pos[ok]] = first["received_at"].to_numpy("datetime64[ns]")[ok]
    dl = config.deadlines.visit_report
    deadline = days.astype("datetime64[ns]") + np.timedelta64(
        dl.hour * 3600 + dl.minute * 60 + dl.second, "s"
    )
    codes = np.where(np.isnat(received), 2, np.where(received <= deadline[None, :], 0, 1))
    go = pd.to_datetime(reps["go_live"]).to_numpy("datetime64[D]")
    before = ~np.isnat(go)[:, None] & (days[None, :] < go[:, None])
    codes[before] = -1
    return days, received, codes


def day_verdicts(
    frames: LedgerFrames, config: Config, period: Period, cal: WorkCalendar, reps: pd.DataFrame
) -> pd.DataFrame:
    """One row per (rep, working day): ``rep_id, region, date, received_at, verdict``."""
    days, received, codes = verdict_matrix(frames, config, period, cal, reps)
    r, d = np.nonzero(codes >= 0)
    return pd.DataFrame(
        {
            "rep_id": reps["rep_id"].to_numpy()[r],
            "region": reps["region"].to_numpy()[r],
            "date": days[d].astype("datetime64[ns]"),
            "received_at": received[r, d],
            "verdict": np.asarray(VERDICTS, dtype=object)[codes[r, d]],
        }
    )


def timeliness(
    frames: LedgerFrames, config: Config, period: Period, cal: WorkCalendar, reps: pd.DataFrame
) -> pd.DataFrame:
    """Rows per rep, region and company: report_days, on_time, late, missing, on_time_rate."""
    _, _, codes = verdict_matrix(frames, config, period, cal, reps)
    counts = pd.DataFrame(
        {v: (codes == i).sum(axis=1) for i, v in enumerate(VERDICTS)},
        index=reps["rep_id"].astype(object).to_numpy(),
    )
    counts["report_days"] = counts[list(VERDICTS)].sum(axis=1)
    out = rollup(counts, reps, SUMS)
    return add_ratios(out, RATIOS)
