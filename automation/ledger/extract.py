"""The ledger as :class:`automation.core.frames.LedgerFrames`: what the figures read.

Only accepted, current rows of the versioned forms (visits, plans, market reports, weekly reports)
appear; the register, complaints, targets and unsettled register conflicts are current state; ``submissions`` lists every submission with its status
(timeliness and data quality need the rejected and superseded ones too). Money leaves the ledger as
float yuan rounded to cents, dates as ``datetime64[ns]`` at midnight.

Speed matters (a year of a big team is ~300,000 visits): queries are plain SQL text so the driver
hands back raw values without per-cell type processing, frames are built column-wise, and dates are
parsed by pandas in one vectorised call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd
import sqlalchemy as sa

from automation.core.frames import SCHEMAS, LedgerFrames, conform

if TYPE_CHECKING:
    from automation.core.config import Config

MONEY = {
    "quote_amount",
    "order_amount",
    "gross_margin",
    "collection_amount",
    "expense",
    "potential_value",
    "sales",
    "collections",
    "target_sales",
}
BOOLS = {"met_decision_maker", "quoted", "satisfied"}

_VISITS = """
SELECT v.rep_id, v.date, v.customer_id, v.purpose, v.outcome, v.met_decision_maker, v.quoted, v.quote_amount,
       v.order_amount, v.gross_margin, v.collection_amount, v.expense, v.complaint, v.competitor_info, v.feedback,
       v.next_visit, v.next_step
FROM visit_reports v JOIN submissions s ON s.id = v.submission_id
WHERE s.status = 'accepted'
"""
_PLANS = """
SELECT p.rep_id, p.date, p.customer_id, p.purpose
FROM visit_plans p JOIN submissions s ON s.id = p.submission_id
WHERE s.status = 'accepted'
"""
_CUSTOMERS = """
SELECT customer_id, name, owner, region, stage, created, industry, potential_value FROM customers ORDER BY customer_id
"""
_STAGES = "SELECT customer_id, stage, changed_at FROM customer_history ORDER BY customer_id, changed_at, id"
_COMPLAINTS = """
SELECT complaint_id, customer_id, rep_id, received, category, severity, status, resolved, satisfied,
       description, resolution
FROM complaints ORDER BY complaint_id
"""
_TARGETS = """
SELECT period, level, owner, product, sales, gross_margin, new_customers, collections, visits
FROM targets ORDER BY period, level, owner, product
"""
_MARKET = """
SELECT m.rep_id, m.date, m.customer_id, m.customer_text, m.category, m.competitor, m.description, m.severity,
       m.suggestion
FROM market_reports m JOIN submissions s ON s.id = m.submission_id
WHERE s.status = 'accepted' ORDER BY m.date, m.rep_id, m.id
"""
_CONFLICTS = """
SELECT customer_id, owner, claimed_by, submission_id, created_at, data
FROM conflicts WHERE resolved_at IS NULL ORDER BY id
"""
_WEEKLY = """
SELECT w.submission_id, w.region, w.week, w.supervisor, s.received_at, w.competitor_dynamics,
       w.abnormal_customers, w.issues_measures
FROM weekly_reports w JOIN submissions s ON s.id = w.submission_id
WHERE s.status = 'accepted' ORDER BY w.week, w.region
"""
_WEEKLY_TARGETS = """
SELECT t.submission_id, t.region, t.week, t.rep_id, t.visits, t.sales, t.new_customers, t.collections,
       t.target_sales, t.target_visits, t.target_new_customers, t.plan
FROM weekly_targets t JOIN submissions s ON s.id = t.submission_id
WHERE s.status = 'accepted' ORDER BY t.week, t.region, t.row_number
"""
_SUBMISSIONS = """
SELECT id AS submission_id, rep_id, region, form, period_key, received_at, status, optional_filled, site
FROM submissions ORDER BY id
"""


def _query(conn: sa.Connection, sql: str) -> pd.DataFrame:
    cur = conn.connection.cursor()  # the raw driver cursor, inside this transaction: no per-row wrapping
    try:
        cur.execute(sql)
        cols = [d[0] for d in cur.description]
        rows = cur.fetchall()
    finally:
        cur.close()
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    return pd.DataFrame.from_records(rows, columns=cols, coerce_float=False)


def _typed(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Raw driver values -> the dtypes of :mod:`automation.core.frames` (money cents -> yuan)."""
    schema = SCHEMAS[name]
    for col in df.columns:
        dtype = schema.get(col)
        if dtype is None:
            continue
        s = df[col]
        if dtype.startswith("datetime64"):
            df[col] = pd.to_datetime(s, format="ISO8601", errors="coerce").astype("datetime64[ns]")
            if col in ("date", "created", "received", "resolved", "next_visit"):  # days, not times
                df[col] = df[col].dt.normalize()
        elif dtype == "float64":
            num = pd.to_numeric(s, errors="coerce").astype("float64")
            df[col] = (num / 100).round(2) if col in MONEY else num
        elif dtype == "boolean":
            df[col] = pd.to_numeric(s, errors="coerce").astype("float64").astype("boolean")
        elif dtype == "int64":
            df[col] = pd.to_numeric(s).astype("int64")
        else:
            df[col] = s.astype("string")
    return conform(name, df)[list(schema)]


def frames(config: Config, conn: sa.Connection) -> LedgerFrames:
    """One consistent snapshot of the ledger as typed frames, read in ``conn`` (one read transaction:
    :meth:`automation.ledger.Ledger.frames`)."""
    region_of = {r.id: r.region for r in config.reps}
    raw = {
        "visits": _query(conn, _VISITS),
        "plans": _query(conn, _PLANS),
        "customers": _query(conn, _CUSTOMERS),
        "stage_history": _query(conn, _STAGES),
        "complaints": _query(conn, _COMPLAINTS),
        "targets": _query(conn, _TARGETS),
        "submissions": _query(conn, _SUBMISSIONS),
        "market_reports": _query(conn, _MARKET),
        "conflicts": _query(conn, _CONFLICTS),
        "weekly_reports": _query(conn, _WEEKLY),
        "weekly_targets": _query(conn, _WEEKLY_TARGETS),
    }
    for name in ("visits", "plans", "complaints", "market_reports"):
        raw[name]["region"] = raw[name]["rep_id"].map(region_of)
    reps = pd.DataFrame(
        {
            "rep_id": [r.id for r in config.reps],
            "name": [r.name for r in config.reps],
            "region": [r.region for r in config.reps],
            "go_live": [pd.Timestamp(r.go_live) for r in config.reps],
        }
    )
    out = {name: _typed(name, df) for name, df in raw.items()}
    for name in ("visits", "plans"):  # sorted here: SQLite would sort 300,000 rows slower than pandas
        out[name] = out[name].sort_values(["date", "rep_id"], kind="stable").reset_index(drop=True)
    return LedgerFrames(**out, reps=conform("reps", reps)[list(SCHEMAS["reps"])])
