"""Register conflicts for the manager to settle: a rep's register row claiming another rep's customer.

The ledger keeps the customer with its owner and stores the claiming row as sent (SPEC §2.1). The
manager sees who owns it, who claimed it, when, and what the claiming row said (name, contact,
phone, stage). ``region`` is the owner's region (the owner's manager settles it; a customer whose
owner is not a known rep falls back to the customer's region); ``claimed_region`` the claimer's.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from automation.core.frames import LedgerFrames
from automation.score.common import lookup

SENT = ("name", "contact", "phone", "stage")
COLUMNS = [
    "created_at", "customer_id", "customer", "owner", "owner_name", "region", "claimed_by", "claimed_name",
    "claimed_region", *(f"sent_{k}" for k in SENT),
]  # fmt: skip


def _sent(text: Any) -> dict[str, Any]:
    try:
        data = json.loads(text) if isinstance(text, str) else {}
    except ValueError:
        data = {}
    return {f"sent_{k}": (None if data.get(k) is None else str(data.get(k))) for k in SENT}


def open_conflicts(frames: LedgerFrames) -> pd.DataFrame:
    """Every unsettled conflict, oldest first."""
    k = frames.conflicts.sort_values(["created_at"], kind="stable", ignore_index=True)
    reps = frames.reps.drop_duplicates("rep_id")
    rep_name = pd.Series(reps["name"].to_numpy(), index=reps["rep_id"].astype(str).to_numpy())
    rep_region = pd.Series(reps["region"].to_numpy(), index=reps["rep_id"].astype(str).to_numpy())
    c = frames.customers.drop_duplicates("customer_id")
    ids = c["customer_id"].astype(str).to_numpy()
    out = k[["created_at", "customer_id", "owner", "claimed_by"]].copy()
    out["customer"] = lookup(k["customer_id"], pd.Series(c["name"].to_numpy(), index=ids)).to_numpy()
    out["owner_name"] = lookup(k["owner"], rep_name).fillna(k["owner"]).to_numpy()
    cust_region = lookup(k["customer_id"], pd.Series(c["region"].to_numpy(), index=ids))
    out["region"] = lookup(k["owner"], rep_region).fillna(cust_region).to_numpy()
    out["claimed_name"] = lookup(k["claimed_by"], rep_name).fillna(k["claimed_by"]).to_numpy()
    out["claimed_region"] = lookup(k["claimed_by"], rep_region).to_numpy()
    sent = pd.DataFrame([_sent(x) for x in k["data"]], columns=[f"sent_{s}" for s in SENT], index=k.index)
    return pd.concat([out, sent], axis=1)[COLUMNS]
