"""Sales funnel from the register's stage history (SPEC §3).

* customers per stage at the period's end: each customer's latest stage recorded on or before
  ``as_of`` (end of day).
* conversion from a stage = customers who moved *forward* from it during the period / customers who
  were in it at the start or entered it during the period. Forward means to a later stage in
  ``unqualified < prospect < opportunity < customer < active_user``; moving to ``lost`` or back is not
  forward. A customer who skips a stage (prospect -> customer) converts from the stage it left only.
* average days from the first time a customer was recorded as prospect (else its created date) to its
  first order (first visit with order_amount > 0), over customers whose first order falls in the period.

Customers without any history row are taken as in their current stage since their created date.
Scopes: ``by=None`` (company), ``"region"`` (customer's region) or ``"owner"`` (rep).
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from automation.frames import LedgerFrames
from automation.workcal import Period

STAGES = ("unqualified", "prospect", "opportunity", "customer", "active_user", "lost")
FORWARD = {s: i for i, s in enumerate(STAGES[:-1])}
COLUMNS = ["scope", "stage", "at_end", "in_period", "moved_forward", "conversion"]


def history(frames: LedgerFrames) -> pd.DataFrame:
    """Stage history with customers lacking history synthesised from the register."""
    h = frames.stage_history[["customer_id", "stage", "changed_at"]]
    c = frames.customers
    missing = c[~c["customer_id"].isin(h["customer_id"])]
    synth = pd.DataFrame(
        {"customer_id": missing["customer_id"], "stage": missing["stage"], "changed_at": missing["created"]}
    )
    h = pd.concat([h, synth], ignore_index=True) if len(synth) else h
    h = h.dropna(subset=["customer_id", "changed_at"]).assign(
        customer_id=lambda d: d["customer_id"].astype(str)
    )
    h = h.reset_index(drop=True)
    h["seq"] = np.arange(len(h))
    return h.sort_values(["customer_id", "changed_at", "seq"], ignore_index=True)


def _scope_map(frames: LedgerFrames, by: str | None) -> pd.Series:
    c = frames.customers.drop_duplicates("customer_id")
    if by is None:
        return pd.Series("", index=c["customer_id"].astype(str).to_numpy())
    return pd.Series(
        c[by].astype("string").fillna("").to_numpy(), index=c["customer_id"].astype(str).to_numpy()
    )


def funnel(frames: LedgerFrames, period: Period, by: str | None = None) -> pd.DataFrame:
    """One row per scope and stage: at_end, in_period (denominator), moved_forward, conversion."""
    h = history(frames)
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.as_of + timedelta(days=1))
    scope = _scope_map(frames, by)
    h["scope"] = h["customer_id"].map(scope).fillna("")
    h["prev"] = h.groupby("customer_id")["stage"].shift()
    before_end = h[h["changed_at"] < end]
    at_end = before_end.groupby("customer_id").tail(1)
    before_start = (
        h[h["changed_at"] < start].groupby("customer_id").tail(1)[["customer_id", "stage", "scope"]]
    )
    during = h[(h["changed_at"] >= start) & (h["changed_at"] < end)]
    in_s = pd.concat([before_start, during[["customer_id", "stage", "scope"]]]).drop_duplicates()
    fwd = during[during["prev"].isin(list(FORWARD)) & during["stage"].isin(list(FORWARD))]
    fwd = fwd[fwd["stage"].map(FORWARD) > fwd["prev"].map(FORWARD)]
    moved = fwd[["customer_id", "prev", "scope"]].drop_duplicates().rename(columns={"prev": "stage"})
    idx = pd.MultiIndex.from_product(
        [sorted(set(scope.to_numpy()) | set(h["scope"])) or [""], list(STAGES)], names=["scope", "stage"]
    )
    out = pd.DataFrame(index=idx)
    out["at_end"] = at_end.groupby(["scope", "stage"]).size()
    out["in_period"] = in_s.groupby(["scope", "stage"]).size()
    out["moved_forward"] = moved.groupby(["scope", "stage"]).size()
    out = out.fillna(0).astype(int).reset_index()
    out["conversion"] = np.where(
        out["in_period"] > 0, out["moved_forward"] / out["in_period"].where(out["in_period"] > 0, 1), np.nan
    )
    out.loc[out["stage"] == "lost", ["moved_forward", "conversion"]] = [0, np.nan]
    return out[COLUMNS]


def days_to_first_order(frames: LedgerFrames, period: Period, by: str | None = None) -> pd.DataFrame:
    """Per scope: customers with their first order in the period and the mean days to it."""
    v = frames.visits
    o = v[(v["order_amount"].fillna(0) > 0) & v["customer_id"].notna()]
    first = o.groupby(o["customer_id"].astype(str))["date"].min()
    first = first[(first >= pd.Timestamp(period.start)) & (first <= pd.Timestamp(period.as_of))]
    h = history(frames)
    prospect = h[h["stage"] == "prospect"].groupby("customer_id")["changed_at"].min().dt.normalize()
    created = frames.customers.drop_duplicates("customer_id")
    created = pd.Series(created["created"].to_numpy(), index=created["customer_id"].astype(str).to_numpy())
    origin = first.index.to_series().map(prospect).fillna(first.index.to_series().map(created))
    days = (first - origin).dt.days
    scope = first.index.to_series().map(_scope_map(frames, by)).fillna("")
    df = pd.DataFrame({"scope": scope.to_numpy(), "days": days.to_numpy(dtype=float)})
    return (
        df.groupby("scope")
        .agg(first_orders=("days", "size"), avg_days_to_first_order=("days", "mean"))
        .reset_index()
    )
