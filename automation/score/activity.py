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

from automation.core.config import Config
from automation.core.frames import LedgerFrames
from automation.core.workcal import Period
from automation.score.common import add_ratios, joint_codes, memo, ratio, rollup, whole_cents, window

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


def _match(left_rep: np.ndarray, left_cust: np.ndarray, left_day: np.ndarray,
           right_rep: np.ndarray, right_cust: np.ndarray, right_day: np.ndarray) -> np.ndarray:  # fmt: skip
    """For each left row: does the right side hold a row with the same (rep, day, customer)?

    Codes and day numbers are packed into one int64 key, so matching is one vectorised ``isin``.
    A missing customer (code -1) never matches.
    """
    width = int(max(left_cust.max(initial=0), right_cust.max(initial=0))) + 2

    def key(rep: np.ndarray, cust: np.ndarray, day: np.ndarray) -> np.ndarray:
        return (rep * width + cust) * 1_000_000 + (day % 1_000_000)

    right = key(right_rep, right_cust, right_day)[right_cust >= 0]
    return pd.Series(key(left_rep, left_cust, left_day)).isin(right).to_numpy() & (left_cust >= 0)


def _arrays(frames: LedgerFrames, config: Config) -> dict[str, np.ndarray]:
    """Period-independent numpy views of visits and plans (built once per frames, see ``memo``).

    Matching plans and reports is per day, so it can be done once on the whole ledger: a row's
    (rep, day, customer) match does not depend on which period the day falls in.
    """
    v, p = frames.visits, frames.plans
    vrep, prep, reps = joint_codes(v["rep_id"], p["rep_id"])
    vcust, pcust, _ = joint_codes(v["customer_id"], p["customer_id"])
    vday = v["date"].to_numpy("datetime64[D]").astype(np.int64)
    pday = p["date"].to_numpy("datetime64[D]").astype(np.int64)
    values = {
        "visits": np.ones(len(v)),
        "unplanned": (~_match(vrep, vcust, vday, prep, pcust, pday)).astype(float),
        "effective_visits": v["outcome"].isin(config.thresholds.effective_outcomes).to_numpy(dtype=float),
        "transactions": (v["order_amount"].fillna(0) > 0).to_numpy(dtype=float),
        "dm_meetings": v["met_decision_maker"].fillna(False).to_numpy(dtype=float),
        "quotes": v["quoted"].fillna(False).to_numpy(dtype=float),
        "quote_amount": v["quote_amount"].fillna(0).to_numpy(dtype=float),
        "sales": v["order_amount"].fillna(0).to_numpy(dtype=float),
        "gross_margin": v["gross_margin"].fillna(0).to_numpy(dtype=float),
        "collections": v["collection_amount"].fillna(0).to_numpy(dtype=float),
        "expense": v["expense"].fillna(0).to_numpy(dtype=float),
    }
    return {
        "reps": np.asarray(reps, dtype=object),
        "vrep": vrep,
        "vday": vday,
        "prep": prep,
        "pday": pday,
        "p_done": _match(prep, pcust, pday, vrep, vcust, vday).astype(float),
        **{f"v:{k}": a for k, a in values.items()},
    }


def per_rep(frames: LedgerFrames, config: Config, period: Period) -> pd.DataFrame:
    """The summable counts and amounts per rep id for ``period.start..period.as_of``."""
    a = memo(frames, "activity.arrays", lambda: _arrays(frames, config))
    lo = np.datetime64(period.start, "D").astype(np.int64)
    hi = np.datetime64(period.as_of, "D").astype(np.int64)
    n = len(a["reps"])
    vm = (a["vday"] >= lo) & (a["vday"] <= hi) & (a["vrep"] >= 0)
    pm = (a["pday"] >= lo) & (a["pday"] <= hi) & (a["prep"] >= 0)
    cols = {
        k[2:]: np.bincount(a["vrep"][vm], weights=arr[vm], minlength=n)
        for k, arr in a.items()
        if k.startswith("v:")
    }
    cols["planned"] = np.bincount(a["prep"][pm], minlength=n).astype(float)
    cols["planned_done"] = np.bincount(a["prep"][pm], weights=a["p_done"][pm], minlength=n)
    out = pd.DataFrame(cols, index=pd.Index(a["reps"].astype(str), name="rep_id"))
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
        out[col] = whole_cents(out[col])
    return out


def period_columns() -> list[str]:
    """The columns :func:`activity` returns beyond level/owner/region, in display order."""
    return [*SUMS, *RATIOS, "avg_sales_per_rep_week"]
