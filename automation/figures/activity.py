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

import numpy as np
import pandas as pd

from automation.config import Config
from automation.figures.common import add_ratios, codes, ratio, rollup, str_index, window
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


def _match(left: pd.DataFrame, right: pd.DataFrame) -> np.ndarray:
    """For each ``left`` row: does ``right`` hold a row with the same (rep, day, customer)?

    The three columns are factorised together into one int64 key, so matching is a vectorised ``isin``
    (string keys were 10x slower on a year of visits). A missing customer never matches.
    """
    n = len(left)
    reps = codes(left["rep_id"], right["rep_id"])
    cust = codes(left["customer_id"], right["customer_id"])
    days = (
        pd.concat([left["date"], right["date"]], ignore_index=True).to_numpy("datetime64[D]").astype(np.int64)
    )
    key = (reps.astype(np.int64) * (int(cust.max(initial=0)) + 2) + cust) * 1_000_000 + (days % 1_000_000)
    key = np.where(cust < 0, -1 - np.arange(len(key)), key)  # unique negative keys never match
    return pd.Series(key[:n]).isin(key[n:]).to_numpy()


def per_rep(frames: LedgerFrames, config: Config, period: Period) -> pd.DataFrame:
    """The summable counts and amounts per rep id for ``period.start..period.as_of``."""
    v = window(frames.visits, "date", period.start, period.as_of)
    p = window(frames.plans, "date", period.start, period.as_of)
    v_planned = _match(v, p)
    p_done = _match(p, v)
    vv = pd.DataFrame(
        {
            "rep_id": v["rep_id"].reset_index(drop=True),
            "visits": 1,
            "unplanned": (~v_planned).astype(int),
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
    out = str_index(vv.groupby("rep_id", observed=True).sum())
    pp = (
        pd.DataFrame(
            {
                "rep_id": p["rep_id"].reset_index(drop=True),
                "planned": 1,
                "planned_done": p_done.astype(int),
            }
        )
        .groupby("rep_id", observed=True)
        .sum()
    )
    out = out.join(str_index(pp), how="outer")
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
