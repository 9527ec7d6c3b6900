"""Visit policy: who is due, overdue, or never visited (SPEC §3).

An A customer is due every 7 days, B 14, C 30 (``thresholds.visit_intervals``). Days since the last
visit (any outcome, up to ``as_of``) exceeding the interval -> overdue. Lost customers are excluded.
Decisions: *due* means not overdue but next due (last visit + interval) within the coming 7 days
(``as_of .. as_of + 7``), so the week's follow-ups can be planned; otherwise *ok*. Never-visited
customers (created on or before ``as_of``, no visit) are listed apart, with days counted from their
created date and overdue when those exceed the interval.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from automation.core.config import Config
from automation.core.frames import LedgerFrames
from automation.score.common import lookup, str_index

COLUMNS = [
    "customer_id",
    "name",
    "owner",
    "region",
    "grade",
    "interval",
    "last_visit",
    "days_since",
    "next_due",
    "status",
]
NEVER_COLUMNS = [
    "customer_id",
    "name",
    "owner",
    "region",
    "grade",
    "interval",
    "created",
    "days_since_created",
    "overdue",
]


def visit_policy(
    frames: LedgerFrames, config: Config, as_of: date, grades: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(visited customers with status overdue / due / ok, never-visited customers)."""
    ts = pd.Timestamp(as_of)
    c = frames.customers
    c = c[(c["stage"].astype("string").fillna("") != "lost") & c["customer_id"].notna()]
    c = c[c["created"].isna() | (c["created"] <= ts)]
    c = c.drop_duplicates("customer_id").assign(customer_id=lambda d: d["customer_id"].astype(str))
    grade = c["customer_id"].map(dict(zip(grades["customer_id"], grades["grade"], strict=True))).fillna("C")
    c = c.assign(grade=grade.to_numpy())
    c["interval"] = c["grade"].map(config.thresholds.visit_intervals).astype(int)
    v = frames.visits[["customer_id", "date"]]
    v = v[(v["date"] <= ts) & v["customer_id"].notna()]
    last = str_index(v.groupby("customer_id", observed=True)["date"].max())
    c["last_visit"] = lookup(c["customer_id"], last)
    visited = c[c["last_visit"].notna()].copy()
    visited["days_since"] = (ts - visited["last_visit"]).dt.days
    visited["next_due"] = visited["last_visit"] + pd.to_timedelta(visited["interval"], unit="D")
    overdue = visited["days_since"] > visited["interval"]
    soon = visited["next_due"] <= pd.Timestamp(as_of + timedelta(days=7))
    visited["status"] = np.where(overdue, "overdue", np.where(soon, "due", "ok"))
    visited = visited.sort_values(["days_since", "customer_id"], ascending=[False, True], ignore_index=True)
    never = c[c["last_visit"].isna()].copy()
    never["days_since_created"] = (ts - never["created"]).dt.days
    never["overdue"] = never["days_since_created"] > never["interval"]
    never = never.sort_values(
        ["days_since_created", "customer_id"], ascending=[False, True], ignore_index=True
    )
    return visited[COLUMNS], never[NEVER_COLUMNS]
