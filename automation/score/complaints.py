"""Complaints (SPEC §3).

State at ``as_of``: a complaint is resolved when its status is resolved/closed and its resolved date
is on or before ``as_of``; every other complaint received by ``as_of`` is open (待处理 / 处理中).
Working days to resolve are counted after the received day: ``(received, resolved]``, so a complaint
received Monday and resolved Wednesday took 2 working days; an open one is measured to the period's
end (``as_of``). Overdue when those working days exceed the limit for its severity
(``thresholds.complaint_limits``, working days; unknown severity -> the ``low`` limit).
Average days to resolve: calendar days resolved - received, over complaints resolved in the period.
Per rep / region / company (by the complaint's rep): received in the period, open at its end,
overdue (among complaints open at the end, received in the period or resolved in it — an old complaint
closed late before the period is not held against this period), resolved in the period, average days
to resolve and the share of resolved complaints whose customer was satisfied (blank = not asked).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from automation.core.config import Config
from automation.core.frames import LedgerFrames
from automation.core.workcal import Period, WorkCalendar
from automation.score.common import add_ratios, rollup

COLUMNS = [
    "complaint_id", "customer_id", "rep_id", "region", "received", "category", "severity", "status",
    "resolved", "is_open", "working_days", "limit", "overdue", "satisfied",
]  # fmt: skip
SUMS = [
    "complaints_received", "complaints_open", "complaints_overdue", "complaints_resolved",
    "resolve_days_sum", "satisfied", "satisfied_n",
]  # fmt: skip
RATIOS = {
    "avg_days_to_resolve": ("resolve_days_sum", "complaints_resolved"),
    "satisfaction_rate": ("satisfied", "satisfied_n"),
}


def complaint_list(frames: LedgerFrames, config: Config, as_of: date, cal: WorkCalendar) -> pd.DataFrame:
    """Every complaint received by ``as_of`` with its state, working days and overdue flag."""
    c = frames.complaints
    c = c[c["received"] <= pd.Timestamp(as_of)].copy()
    done = (
        c["status"].isin(["resolved", "closed"])
        & c["resolved"].notna()
        & (c["resolved"] <= pd.Timestamp(as_of))
    )
    c["is_open"] = ~done
    stop = c["resolved"].where(done, pd.Timestamp(as_of))
    after = (c["received"] + pd.Timedelta(days=1)).to_numpy("datetime64[D]")
    c["working_days"] = cal.count(after, stop.to_numpy("datetime64[D]")) if len(c) else np.zeros(0, dtype=int)
    limits = config.thresholds.complaint_limits
    c["limit"] = c["severity"].map(limits).fillna(limits["low"]).astype(int)
    c["overdue"] = c["working_days"] > c["limit"]
    return c.sort_values(["received", "complaint_id"], ignore_index=True)[COLUMNS]


def complaints(
    frames: LedgerFrames, config: Config, period: Period, cal: WorkCalendar, reps: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows per rep / region / company, the complaint list as of the period's end)."""
    lst = complaint_list(frames, config, period.as_of, cal)
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.as_of)
    resolved_in = ~lst["is_open"] & (lst["resolved"] >= start) & (lst["resolved"] <= end)
    per = (
        pd.DataFrame(
            {
                "rep_id": lst["rep_id"].to_numpy(),
                "complaints_received": (lst["received"] >= start).to_numpy(dtype=int),
                "complaints_open": lst["is_open"].to_numpy(dtype=int),
                "complaints_overdue": (
                    lst["overdue"] & (lst["is_open"] | resolved_in | (lst["received"] >= start))
                ).to_numpy(dtype=int),
                "complaints_resolved": resolved_in.to_numpy(dtype=int),
                "resolve_days_sum": np.where(resolved_in, (lst["resolved"] - lst["received"]).dt.days, 0),
                "satisfied": (resolved_in & lst["satisfied"].fillna(False)).to_numpy(dtype=int),
                "satisfied_n": (resolved_in & lst["satisfied"].notna()).to_numpy(dtype=int),
            }
        )
        .groupby("rep_id")
        .sum()
    )
    out = add_ratios(rollup(per, reps, SUMS), RATIOS)
    return out, lst
