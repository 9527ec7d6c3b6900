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
The history is prepared once (:func:`history`) and reused for every period; counting is done on
integer codes so a year's register history costs milliseconds per period.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from automation.core.frames import LedgerFrames
from automation.core.workcal import Period
from automation.score.common import lookup, memo, str_index

STAGES = ("unqualified", "prospect", "opportunity", "customer", "active_user", "lost")
FORWARD = {s: i for i, s in enumerate(STAGES[:-1])}
COLUMNS = ["scope", "stage", "at_end", "in_period", "moved_forward", "conversion"]


def history(frames: LedgerFrames) -> pd.DataFrame:
    """Stage history sorted by customer and time, with the previous stage of each change.

    Customers without any history row are taken as in their current stage since their created date.
    """
    h = frames.stage_history[["customer_id", "stage", "changed_at"]]
    c = frames.customers
    missing = c[~c["customer_id"].isin(h["customer_id"])]
    synth = pd.DataFrame(
        {"customer_id": missing["customer_id"], "stage": missing["stage"], "changed_at": missing["created"]}
    )
    h = pd.concat([h, synth], ignore_index=True) if len(synth) else h
    h = h.dropna(subset=["customer_id", "changed_at"]).reset_index(drop=True)
    h["customer_id"] = h["customer_id"].astype(str)
    h["stage_code"] = h["stage"].map({s: i for i, s in enumerate(STAGES)}).fillna(-1).astype(int)
    # changes recorded at the same instant are ordered along the funnel (lost last), never by row order
    h = h.sort_values(["customer_id", "changed_at", "stage_code"], ignore_index=True)
    h["cust"] = pd.factorize(h["customer_id"])[0]
    same = np.r_[False, h["cust"].to_numpy()[1:] == h["cust"].to_numpy()[:-1]]
    h["prev_code"] = np.where(same, np.r_[-1, h["stage_code"].to_numpy()[:-1]], -1)
    return h


def _scope_map(frames: LedgerFrames, by: str | None) -> pd.Series:
    c = frames.customers.drop_duplicates("customer_id")
    ids = c["customer_id"].astype(str).to_numpy()
    if by is None:
        return pd.Series("", index=ids)
    return pd.Series(c[by].astype("string").fillna("").to_numpy(), index=ids)


def _count(scope_codes: np.ndarray, stage_codes: np.ndarray, n_scopes: int) -> np.ndarray:
    """Counts per (scope, stage) as an array of shape (n_scopes, len(STAGES))."""
    scope_codes, stage_codes = scope_codes.astype(np.int64), stage_codes.astype(np.int64)
    ok = stage_codes >= 0
    flat = scope_codes[ok] * len(STAGES) + stage_codes[ok]
    return np.bincount(flat, minlength=n_scopes * len(STAGES)).reshape(n_scopes, len(STAGES))


def _scoped(frames: LedgerFrames, h: pd.DataFrame, by: str | None) -> tuple[list[str], pd.DataFrame]:
    """The scopes and the history rows with their scope code (rows outside every scope dropped)."""
    scope_of = _scope_map(frames, by)
    scopes = sorted(set(scope_of.to_numpy()) | ({""} if by is None else set()))
    scope_codes = pd.Index(scopes).get_indexer(lookup(h["customer_id"], scope_of).fillna("").to_numpy())
    h = h[["cust", "changed_at", "stage_code", "prev_code"]].assign(scope=scope_codes)
    return scopes, h[h["scope"] >= 0]


def _last_per_customer(h: pd.DataFrame, mask: np.ndarray) -> pd.DataFrame:
    sub = h[mask]
    return sub[~sub["cust"].duplicated(keep="last")]


def funnel(
    frames: LedgerFrames, period: Period, by: str | None = None, hist: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per scope and stage: at_end, in_period (denominator), moved_forward, conversion."""
    h = memo(frames, "funnel.history", lambda: history(frames)) if hist is None else hist
    start, end = pd.Timestamp(period.start), pd.Timestamp(period.as_of + timedelta(days=1))
    scopes, h = memo(frames, f"funnel.scoped.{by}.{id(h)}", lambda: _scoped(frames, h, by))
    t = h["changed_at"]
    at_end = _last_per_customer(h, (t < end).to_numpy())
    before = _last_per_customer(h, (t < start).to_numpy())
    during = h[((t >= start) & (t < end)).to_numpy()]
    n = len(scopes)
    # customers in a stage at the start or entering it during the period (each customer once per stage)
    entered = pd.concat([before[["cust", "stage_code", "scope"]], during[["cust", "stage_code", "scope"]]])
    entered = entered.drop_duplicates(["cust", "stage_code"])
    lost = STAGES.index("lost")
    fwd = during[(during["prev_code"] >= 0) & (during["prev_code"] != lost) & (during["stage_code"] != lost)]
    fwd = fwd[fwd["stage_code"] > fwd["prev_code"]].drop_duplicates(["cust", "prev_code"])
    counts = {
        "at_end": _count(at_end["scope"].to_numpy(), at_end["stage_code"].to_numpy(), n),
        "in_period": _count(entered["scope"].to_numpy(), entered["stage_code"].to_numpy(), n),
        "moved_forward": _count(fwd["scope"].to_numpy(), fwd["prev_code"].to_numpy(), n),
    }
    out = pd.DataFrame(
        {
            "scope": np.repeat(scopes, len(STAGES)),
            "stage": np.tile(STAGES, n),
            **{k: v.ravel() for k, v in counts.items()},
        }
    )
    out["conversion"] = np.where(
        out["in_period"] > 0, out["moved_forward"] / out["in_period"].where(out["in_period"] > 0, 1), np.nan
    )
    out.loc[out["stage"] == "lost", "conversion"] = np.nan
    return out[COLUMNS]


def _first_orders(frames: LedgerFrames, hist: pd.DataFrame) -> pd.DataFrame:
    """Every customer's first order day and its origin (first prospect record, else created)."""
    v = frames.visits[["customer_id", "date", "order_amount"]]
    o = v[(v["order_amount"].fillna(0) > 0) & v["customer_id"].notna()]
    first = str_index(o.groupby("customer_id", observed=True)["date"].min())
    prospect = hist[hist["stage"] == "prospect"].groupby("customer_id")["changed_at"].min().dt.normalize()
    created = frames.customers.drop_duplicates("customer_id")
    created = pd.Series(created["created"].to_numpy(), index=created["customer_id"].astype(str).to_numpy())
    ids = first.index.to_series()
    origin = lookup(ids, prospect).fillna(lookup(ids, created))
    return pd.DataFrame(
        {
            "customer_id": ids.to_numpy(),
            "first": first.to_numpy(),
            "days": (first - origin).dt.days.to_numpy(dtype=float),
        }
    )


def days_to_first_order(
    frames: LedgerFrames, period: Period, by: str | None = None, hist: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Per scope: customers with their first order in the period and the mean days to it."""
    h = memo(frames, "funnel.history", lambda: history(frames)) if hist is None else hist
    fo = memo(frames, "funnel.first_orders", lambda: _first_orders(frames, h))
    fo = fo[(fo["first"] >= pd.Timestamp(period.start)) & (fo["first"] <= pd.Timestamp(period.as_of))]
    scope = lookup(fo["customer_id"], _scope_map(frames, by)).fillna("")
    df = pd.DataFrame({"scope": scope.to_numpy(), "days": fo["days"].to_numpy(dtype=float)})
    return (
        df.groupby("scope")
        .agg(first_orders=("days", "size"), avg_days_to_first_order=("days", "mean"))
        .reset_index()
    )
