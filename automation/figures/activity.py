"""Process and result figures per rep, region and company for one period (SPEC §3).

* visits = visit-report rows; planned = visit-plan rows; plan completion = planned rows whose
  (rep, day, customer) appears in that rep's report that day / planned; unplanned = reported rows whose
  (rep, day, customer) was not planned.
* effective visit rate = visits with an outcome in ``thresholds.effective_outcomes`` / visits;
  transaction rate = visits with order_amount > 0 / visits; decision-maker meetings and quotes count
  the flags (a blank flag is "no").
* sales, gross margin, collections, expense: sums. expense per visit = expense / visits; sales per unit
  of expense = sales / expense.
* average sales per rep per week = sales / reps with at least one visit in the period /
  (calendar days of the period / 7). Decision: the calendar days are the days the actuals cover,
  ``start..as_of`` (7 for a finished week, 23 for November-to-date on the 23rd).
* new customers = register rows whose created date lies in the period, counted for the owner (and the
  owner's region; a customer whose owner is not a known rep counts for the customer's region).

Ratios with a zero denominator are NaN ("no figure"), never 0.
"""

from __future__ import annotations

import pandas as pd

from automation.config import Config
from automation.figures.common import add_ratios, ratio, rollup, window
from automation.frames import LedgerFrames
from automation.workcal import Period

SUMS = [
    "visits",
    "planned",
    "planned_done",
    "unplanned",
    "effective_visits",
    "transactions",
    "dm_meetings",
    "quotes",
    "quote_amount",
    "sales",
    "gross_margin",
    "collections",
    "expense",
    "new_customers",
    "active_reps",
]
RATIOS = {
    "plan_completion": ("planned_done", "planned"),
    "effective_rate": ("effective_visits", "visits"),
    "transaction_rate": ("transactions", "visits"),
    "expense_per_visit": ("expense", "visits"),
    "sales_per_expense": ("sales", "expense"),
}
_VKEY = ["rep_id", "date", "customer_id"]


def _keys(df: pd.DataFrame) -> pd.Series:
    """(rep, day, customer) as one hashable string, so matching is a vectorised ``isin``."""
    return (
        df["rep_id"].astype("string").fillna("")
        + "|"
        + df["date"].dt.strftime("%Y-%m-%d").fillna("")
        + "|"
        + df["customer_id"].astype("string").fillna("")
    )


def per_rep(frames: LedgerFrames, config: Config, period: Period) -> pd.DataFrame:
    """The summable counts and amounts per rep id for ``period.start..period.as_of``."""
    v = window(frames.visits, "date", period.start, period.as_of)
    p = window(frames.plans, "date", period.start, period.as_of)
    vkeys, pkeys = _keys(v), _keys(p)
    planned_cust = p["customer_id"].notna()
    reported_cust = v["customer_id"].notna()
    vv = pd.DataFrame(
        {
            "rep_id": v["rep_id"].to_numpy(),
            "visits": 1,
            "unplanned": (~vkeys.isin(pkeys) | ~reported_cust).to_numpy(dtype=int),
            "effective_visits": v["outcome"].isin(config.thresholds.effective_outcomes).to_numpy(dtype=int),
            "transactions": (v["order_amount"].fillna(0) > 0).to_numpy(dtype=int),
            "dm_meetings": v["met_decision_maker"].fillna(False).to_numpy(dtype=int),
            "quotes": v["quoted"].fillna(False).to_numpy(dtype=int),
            "quote_amount": v["quote_amount"].fillna(0).to_numpy(),
            "sales": v["order_amount"].fillna(0).to_numpy(),
            "gross_margin": v["gross_margin"].fillna(0).to_numpy(),
            "collections": v["collection_amount"].fillna(0).to_numpy(),
            "expense": v["expense"].fillna(0).to_numpy(),
        }
    )
    out = vv.groupby("rep_id").sum()
    pp = (
        pd.DataFrame(
            {
                "rep_id": p["rep_id"].to_numpy(),
                "planned": 1,
                "planned_done": (pkeys.isin(vkeys) & planned_cust).to_numpy(dtype=int),
            }
        )
        .groupby("rep_id")
        .sum()
    )
    out = out.join(pp, how="outer")
    c = window(frames.customers, "created", period.start, period.as_of)
    nc = c.groupby(c["owner"].astype("string").fillna("")).size().rename("new_customers")
    out = out.join(nc, how="outer").fillna(0.0)
    out["active_reps"] = (out["visits"] > 0).astype(int)
    return out


def new_customers_by_region(frames: LedgerFrames, reps: pd.DataFrame, period: Period) -> pd.Series:
    """New customers per region: by the owner's region, else the customer's own region."""
    c = window(frames.customers, "created", period.start, period.as_of)
    owner_region = c["owner"].map(dict(zip(reps["rep_id"], reps["region"], strict=True)))
    region = owner_region.fillna(c["region"]).astype("string").fillna("")
    return region.value_counts()


def activity(frames: LedgerFrames, config: Config, period: Period, reps: pd.DataFrame) -> pd.DataFrame:
    """One row per rep, region and the company with every activity figure of the period."""
    data = per_rep(frames, config, period)
    out = rollup(data, reps, SUMS)
    # new customers whose owner is no known rep still count for their region and the company
    by_region = new_customers_by_region(frames, reps, period)
    is_reg = out["level"] == "region"
    out.loc[is_reg, "new_customers"] = out.loc[is_reg, "owner"].map(by_region).fillna(0).to_numpy()
    extra_regions = by_region[~by_region.index.isin(out.loc[is_reg, "owner"])]
    is_comp = out["level"] == "company"
    out.loc[is_comp, "new_customers"] = float(by_region.sum()) if len(by_region) else 0.0
    if len(extra_regions):  # a region with new customers but no rep rows
        extra = pd.DataFrame({"level": "region", "owner": extra_regions.index, "region": extra_regions.index})
        extra = extra.assign(**{c: 0.0 for c in SUMS})
        extra["new_customers"] = extra_regions.to_numpy(dtype=float)
        out = pd.concat([out, extra[out.columns]], ignore_index=True)
    add_ratios(out, RATIOS)
    weeks = period.calendar_days / 7
    out["avg_sales_per_rep_week"] = ratio(out["sales"], out["active_reps"] * weeks)
    for col in ("quote_amount", "sales", "gross_margin", "collections", "expense"):
        out[col] = out[col].round(2)
    return out


def period_columns() -> list[str]:
    """The columns :func:`activity` returns beyond level/owner/region, in display order."""
    return [*SUMS, *RATIOS, "avg_sales_per_rep_week"]


