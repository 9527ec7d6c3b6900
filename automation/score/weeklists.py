"""The week's rows a manager reads one by one: visits, market reports, the supervisors' weekly reports.

Lists, not figures: each is the accepted, current rows of a period with the customer's name joined
from the register, in a stable order, so the workbook writes them as they come. Text the reps typed
is passed through untouched (the writer stores it as text, never as a formula).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from automation.core.frames import LedgerFrames
from automation.core.workcal import Period
from automation.score.common import lookup, window

VISIT_COLUMNS = [
    "date", "rep_id", "region", "customer_id", "customer", "purpose", "outcome", "met_decision_maker", "quoted",
    "quote_amount", "order_amount", "gross_margin", "collection_amount", "expense", "complaint",
    "competitor_info", "feedback", "next_visit", "next_step",
]  # fmt: skip
MARKET_COLUMNS = [
    "date", "rep_id", "region", "customer_id", "customer", "category", "competitor", "description", "severity",
    "suggestion",
]  # fmt: skip
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def customer_names(frames: LedgerFrames) -> pd.Series:
    """Customer id -> name from the register (one name per id)."""
    c = frames.customers.drop_duplicates("customer_id")
    return pd.Series(c["name"].to_numpy(), index=c["customer_id"].astype(str).to_numpy())


def week_visits(frames: LedgerFrames, period: Period) -> pd.DataFrame:
    """Every visit reported for ``period.start .. period.as_of``, by day, rep and customer id."""
    v = window(frames.visits, "date", period.start, period.as_of)
    v = v.assign(customer=lookup(v["customer_id"], customer_names(frames)).to_numpy())
    v = v.sort_values(["date", "rep_id", "customer_id"], kind="stable", ignore_index=True)
    return v[VISIT_COLUMNS]


def week_market(frames: LedgerFrames, period: Period) -> pd.DataFrame:
    """The period's market reports, high severity first, then by day and rep.

    ``customer`` is the register's name for a known customer, else what the rep typed.
    """
    m = window(frames.market_reports, "date", period.start, period.as_of)
    named = lookup(m["customer_id"], customer_names(frames))
    m = m.assign(
        customer=named.fillna(m["customer_text"]).to_numpy(),
        _sev=m["severity"].map(SEVERITY_ORDER).fillna(3).to_numpy(),
    )
    m = m.sort_values(["_sev", "date", "rep_id"], kind="stable", ignore_index=True)
    return m[MARKET_COLUMNS]


COMPLAINT_COLUMNS = [
    "complaint_id", "received", "customer_id", "customer", "rep_id", "region", "category", "severity", "status",
    "description", "resolution", "resolved", "working_days", "limit", "overdue", "is_open", "satisfied",
]  # fmt: skip


def complaint_sheet(listed: pd.DataFrame, frames: LedgerFrames, period: Period) -> pd.DataFrame:
    """The complaints a week's reader acts on: every one still open, and those received or
    resolved in the period; with what the rep wrote (description, resolution) and the customer's
    name. ``listed`` is :func:`complaints.complaint_list` at the period's reference date. Overdue
    open ones first, then open by received day, then the closed ones."""
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.as_of)
    touched = listed["received"].between(start, end) | listed["resolved"].between(start, end)
    c = listed[listed["is_open"] | touched]
    text = frames.complaints.drop_duplicates("complaint_id").set_index("complaint_id")
    c = c.assign(
        customer=lookup(c["customer_id"], customer_names(frames)).to_numpy(),
        description=lookup(c["complaint_id"], text["description"]).to_numpy(),
        resolution=lookup(c["complaint_id"], text["resolution"]).to_numpy(),
        _o=np.where(c["is_open"] & c["overdue"], 0, np.where(c["is_open"], 1, 2)),
    )
    c = c.sort_values(["_o", "received", "complaint_id"], kind="stable", ignore_index=True)
    return c[COMPLAINT_COLUMNS]


REPORT_COLUMNS = [
    "region", "week", "supervisor", "received_at", "competitor_dynamics", "abnormal_customers", "issues_measures",
]  # fmt: skip
TARGET_COLUMNS = [
    "region", "week", "rep_id", "name", "visits", "sales", "new_customers", "collections", "target_sales",
    "target_visits", "target_new_customers", "plan",
]  # fmt: skip


def weekly_reports(frames: LedgerFrames, week: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The supervisors' returned reports for ``week`` (one per region: the current version) and
    their per-rep rows with next week's targets and plan, by region and in the form's row order."""
    r = frames.weekly_reports
    r = r[r["week"] == week].sort_values("region", kind="stable", ignore_index=True)
    t = frames.weekly_targets
    t = t[(t["week"] == week) & t["submission_id"].isin(r["submission_id"])]
    names = dict(zip(frames.reps["rep_id"], frames.reps["name"], strict=True))
    t = t.assign(name=t["rep_id"].map(names).fillna(t["rep_id"]).to_numpy())
    t = t.sort_values("region", kind="stable", ignore_index=True)
    return r[REPORT_COLUMNS], t[TARGET_COLUMNS]
