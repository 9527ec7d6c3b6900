"""The data frames the ledger hands to the figures (the contract between ``ledger`` and ``figures``).

Figures are pure functions of these frames (SPEC §3), so they can be tested on hand-made frames and
run unchanged on SQLite or PostgreSQL. Only *accepted, current* rows appear (superseded and rejected
submissions are excluded by the ledger). Money is float yuan rounded to cents (the ledger stores
integer cents); dates are ``datetime64[ns]`` normalised to midnight; flags are bool.

:func:`empty` builds a correctly typed empty frame, so a figure never special-cases "no data".
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import pandas as pd

# name -> {column: dtype}
VISITS = {
    "rep_id": "string",
    "region": "string",  # the rep's region (config)
    "date": "datetime64[ns]",  # report_date
    "customer_id": "string",
    "purpose": "string",  # choice key
    "outcome": "string",  # choice key: deal | interested | follow_up | not_interested | not_met
    "met_decision_maker": "boolean",
    "quoted": "boolean",
    "quote_amount": "float64",
    "order_amount": "float64",
    "gross_margin": "float64",
    "collection_amount": "float64",
    "expense": "float64",
    "complaint": "string",
    "competitor_info": "string",
    "feedback": "string",
    "next_visit": "datetime64[ns]",
    "next_step": "string",
}
PLANS = {
    "rep_id": "string",
    "region": "string",
    "date": "datetime64[ns]",  # plan_date
    "customer_id": "string",
    "purpose": "string",
}
CUSTOMERS = {
    "customer_id": "string",
    "name": "string",
    "owner": "string",  # rep id
    "region": "string",
    "stage": "string",  # stage key (current)
    "created": "datetime64[ns]",
    "industry": "string",
    "potential_value": "float64",
}
STAGE_HISTORY = {
    "customer_id": "string",
    "stage": "string",
    "changed_at": "datetime64[ns]",  # received time of the drop that set it (first: created date)
}
COMPLAINTS = {
    "complaint_id": "string",
    "customer_id": "string",
    "rep_id": "string",
    "region": "string",
    "received": "datetime64[ns]",
    "category": "string",
    "severity": "string",  # high | medium | low
    "status": "string",  # open | in_progress | resolved | closed
    "resolved": "datetime64[ns]",
    "satisfied": "boolean",
    "description": "string",  # as the rep typed it (the workbook's complaint sheet)
    "resolution": "string",
}
TARGETS = {
    "period": "string",  # 2026 | 2026-Q4 | 2026-11
    "level": "string",  # rep | region | company
    "owner": "string",  # rep id, region id, or "" for company
    "product": "string",
    "sales": "float64",
    "gross_margin": "float64",
    "new_customers": "float64",
    "collections": "float64",
    "visits": "float64",
}
SUBMISSIONS = {
    "submission_id": "int64",
    "rep_id": "string",  # rep id, or supervisor id for weekly reports, "hq" for targets
    "region": "string",
    "form": "string",
    "period_key": "string",  # 2026-11-23 for day forms, 2026-W48 for weekly, "" otherwise
    "received_at": "datetime64[ns]",
    "status": "string",  # accepted | rejected | duplicate | superseded
    "optional_filled": "float64",  # visit reports: share of optional fields filled (0..1), else NaN
    "site": "string",  # the site (branch watcher) that received it (issue 18)
}
MARKET_REPORTS = {
    "rep_id": "string",
    "region": "string",  # the rep's region (config)
    "date": "datetime64[ns]",  # report_date
    "customer_id": "string",  # blank when the row names no known customer
    "customer_text": "string",  # the customer as typed
    "category": "string",  # choice key
    "competitor": "string",
    "description": "string",
    "severity": "string",  # high | medium | low
    "suggestion": "string",
}
CONFLICTS = {  # register rows claiming another rep's customer, not yet settled by a manager
    "customer_id": "string",
    "owner": "string",  # the rep who owns the customer
    "claimed_by": "string",  # the rep whose register claimed it
    "submission_id": "int64",
    "created_at": "datetime64[ns]",
    "data": "string",  # JSON of the register row as sent
}
WEEKLY_REPORTS = {  # the supervisors' returned weekly management reports (accepted, current)
    "submission_id": "int64",
    "region": "string",
    "week": "string",  # 2026-W48
    "supervisor": "string",
    "received_at": "datetime64[ns]",
    "competitor_dynamics": "string",
    "abnormal_customers": "string",
    "issues_measures": "string",
}
WEEKLY_TARGETS = {  # their per-rep rows: the week's figures as pre-filled, next week's targets and plan
    "submission_id": "int64",
    "region": "string",
    "week": "string",
    "rep_id": "string",
    "visits": "float64",
    "sales": "float64",
    "new_customers": "float64",
    "collections": "float64",
    "target_sales": "float64",
    "target_visits": "float64",
    "target_new_customers": "float64",
    "plan": "string",
}
REPS = {
    "rep_id": "string",
    "name": "string",
    "region": "string",
    "go_live": "datetime64[ns]",
}

SCHEMAS: dict[str, dict[str, str]] = {
    "visits": VISITS,
    "plans": PLANS,
    "customers": CUSTOMERS,
    "stage_history": STAGE_HISTORY,
    "complaints": COMPLAINTS,
    "targets": TARGETS,
    "submissions": SUBMISSIONS,
    "reps": REPS,
    "market_reports": MARKET_REPORTS,
    "conflicts": CONFLICTS,
    "weekly_reports": WEEKLY_REPORTS,
    "weekly_targets": WEEKLY_TARGETS,
}


def empty(name: str) -> pd.DataFrame:
    """A typed, empty frame of one of :data:`SCHEMAS`."""
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in SCHEMAS[name].items()})


def conform(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Add missing columns and cast to the schema's dtypes (extra columns are kept)."""
    out = df.copy()
    for c, t in SCHEMAS[name].items():
        if c not in out.columns:
            out[c] = pd.Series(dtype=t, index=out.index)
        else:
            out[c] = out[c].astype(t)
    return out


@dataclass
class LedgerFrames:
    """Everything the figures read, as one value (the ledger's ``frames()`` returns this)."""

    visits: pd.DataFrame = field(default_factory=lambda: empty("visits"))
    plans: pd.DataFrame = field(default_factory=lambda: empty("plans"))
    customers: pd.DataFrame = field(default_factory=lambda: empty("customers"))
    stage_history: pd.DataFrame = field(default_factory=lambda: empty("stage_history"))
    complaints: pd.DataFrame = field(default_factory=lambda: empty("complaints"))
    targets: pd.DataFrame = field(default_factory=lambda: empty("targets"))
    submissions: pd.DataFrame = field(default_factory=lambda: empty("submissions"))
    reps: pd.DataFrame = field(default_factory=lambda: empty("reps"))
    market_reports: pd.DataFrame = field(default_factory=lambda: empty("market_reports"))
    conflicts: pd.DataFrame = field(default_factory=lambda: empty("conflicts"))
    weekly_reports: pd.DataFrame = field(default_factory=lambda: empty("weekly_reports"))
    weekly_targets: pd.DataFrame = field(default_factory=lambda: empty("weekly_targets"))

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Frames pickled before a frame was added (a benchmark's cache) get it empty."""
        for f in fields(self):
            if f.name not in state:
                state[f.name] = empty(f.name)
        self.__dict__.update(state)
