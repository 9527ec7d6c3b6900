"""Churn risk 流失风险 (SPEC §3).

Customers graded A or B (``thresholds.churn.grades``) are at risk when either
* ``interval``: days since the last order exceed ``interval_multiple`` (2) x their usual interval, the
  mean gap between distinct order days ((last - first) / (distinct days - 1); needs two order days); or
* ``drop``: sales in the last ``window_days`` (90) days, ``as_of - 90 < date <= as_of``, fell by
  ``drop_ratio`` (half) or more against the 90 days before (``as_of - 180 < date <= as_of - 90``),
  i.e. recent <= prior x (1 - drop_ratio) with prior > 0.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from automation.core.config import Config
from automation.core.frames import LedgerFrames
from automation.score.common import lookup, whole_cents

COLUMNS = [
    "customer_id", "name", "owner", "region", "grade", "last_order", "days_since_order",
    "usual_interval", "sales_recent", "sales_prior", "interval_risk", "drop_risk", "reason",
]  # fmt: skip


def churn(frames: LedgerFrames, config: Config, as_of: date, grades: pd.DataFrame) -> pd.DataFrame:
    rules = config.thresholds.churn
    ts = pd.Timestamp(as_of)
    g = grades[grades["grade"].isin(rules.grades)]
    v = frames.visits[["customer_id", "date", "order_amount"]]
    o = v[(v["order_amount"].fillna(0) > 0) & (v["date"] <= ts) & v["customer_id"].notna()]
    o = o.assign(customer_id=o["customer_id"].astype(str))
    o = o[o["customer_id"].isin(g["customer_id"])]
    days = (
        o.drop_duplicates(["customer_id", "date"]).groupby("customer_id")["date"].agg(["min", "max", "size"])
    )
    w = rules.window_days
    mid, lo = pd.Timestamp(as_of - timedelta(days=w)), pd.Timestamp(as_of - timedelta(days=2 * w))
    recent = o[o["date"] > mid].groupby("customer_id")["order_amount"].sum()
    prior = o[(o["date"] > lo) & (o["date"] <= mid)].groupby("customer_id")["order_amount"].sum()
    out = g[["customer_id", "name", "owner", "region", "grade"]].copy()
    out["last_order"] = lookup(out["customer_id"], days["max"])
    out["days_since_order"] = (ts - out["last_order"]).dt.days
    n = lookup(out["customer_id"], days["size"]).fillna(0)
    span = (lookup(out["customer_id"], days["max"]) - lookup(out["customer_id"], days["min"])).dt.days
    out["usual_interval"] = np.where(n >= 2, span / (n - 1).where(n >= 2, 1), np.nan)
    out["sales_recent"] = whole_cents(lookup(out["customer_id"], recent).fillna(0.0))
    out["sales_prior"] = whole_cents(lookup(out["customer_id"], prior).fillna(0.0))
    out["interval_risk"] = (n >= 2) & (
        out["days_since_order"] > rules.interval_multiple * out["usual_interval"]
    )
    out["drop_risk"] = (out["sales_prior"] > 0) & (
        np.rint(out["sales_recent"] * 100) <= np.rint(out["sales_prior"] * 100) * (1 - rules.drop_ratio)
    )
    out = out[out["interval_risk"] | out["drop_risk"]].copy()
    out["reason"] = np.where(
        out["interval_risk"] & out["drop_risk"],
        "interval+drop",
        np.where(out["interval_risk"], "interval", "drop"),
    )
    return out.sort_values(["grade", "customer_id"], ignore_index=True)[COLUMNS]
