"""The customers a manager should act on this week, with why (the summary's fourth question).

Three kinds, most urgent first (SPEC §4): open complaints past their resolution limit, A and B
customers overdue for a visit, customers at churn risk. ``days`` says how far past: working days
over the complaint's limit, calendar days over the visit interval, days since the last order. A
customer can appear once per kind. Each row carries its ``region`` (the complaint's rep's, else the
customer's), so a region's view filters it.
"""

from __future__ import annotations

import pandas as pd

from automation.score.common import lookup

KINDS = ("complaint", "overdue", "churn")
COLUMNS = ["kind", "customer_id", "customer", "grade", "owner", "region", "days", "reason"]


def attention(
    grades: pd.DataFrame, policy: pd.DataFrame, churn: pd.DataFrame, complaints: pd.DataFrame
) -> pd.DataFrame:
    """Rows of :data:`COLUMNS`: kinds in :data:`KINDS` order, A before B before C within a kind,
    then by ``days`` descending (the longest past first)."""
    g = grades.drop_duplicates("customer_id").set_index("customer_id")
    k = complaints[complaints["is_open"] & complaints["overdue"]]
    parts = [
        pd.DataFrame(
            {
                "kind": "complaint",
                "customer_id": k["customer_id"].to_numpy(),
                "customer": lookup(k["customer_id"], g["name"]).to_numpy(),
                "grade": lookup(k["customer_id"], g["grade"]).to_numpy(),
                "owner": k["rep_id"].to_numpy(),
                "region": k["region"].fillna(lookup(k["customer_id"], g["region"])).to_numpy(),
                "days": (k["working_days"] - k["limit"]).to_numpy(dtype=float),
                "reason": k["complaint_id"].to_numpy(),
            }
        )
    ]
    o = policy[(policy["status"] == "overdue") & policy["grade"].isin(["A", "B"])]
    parts.append(
        pd.DataFrame(
            {
                "kind": "overdue",
                "customer_id": o["customer_id"].to_numpy(),
                "customer": o["name"].to_numpy(),
                "grade": o["grade"].to_numpy(),
                "owner": o["owner"].to_numpy(),
                "region": o["region"].to_numpy(),
                "days": (o["days_since"] - o["interval"]).to_numpy(dtype=float),
                "reason": "overdue",
            }
        )
    )
    parts.append(
        pd.DataFrame(
            {
                "kind": "churn",
                "customer_id": churn["customer_id"].to_numpy(),
                "customer": churn["name"].to_numpy(),
                "grade": churn["grade"].to_numpy(),
                "owner": churn["owner"].to_numpy(),
                "region": churn["region"].to_numpy(),
                "days": churn["days_since_order"].to_numpy(dtype=float),
                "reason": churn["reason"].to_numpy(),
            }
        )
    )
    out = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(len(p) for p in parts) else None
    if out is None:
        return pd.DataFrame({c: pd.Series(dtype=object if c != "days" else float) for c in COLUMNS})
    out["_k"] = out["kind"].map({k: i for i, k in enumerate(KINDS)})
    out["_g"] = out["grade"].map({"A": 0, "B": 1}).fillna(2)
    out = out.sort_values(
        ["_k", "_g", "days", "customer_id"],
        ascending=[True, True, False, True],
        kind="stable",
        ignore_index=True,
    )
    return out[COLUMNS]
