"""Follow-ups promised in visit reports (``next_visit``) that are due or overdue.

A customer's open follow-up is the ``next_visit`` of its latest visit up to ``as_of`` (any rep; when
several rows share that day, the latest date promised): a later visit to the customer replaces the
promise by its own. Decisions, in line with the visit policy (:mod:`policy`):

* **overdue** when the promised day is on or before ``as_of`` (the day passed without a visit;
  ``days_overdue`` = ``as_of`` - promised day), for promises of the last :data:`LOOKBACK_DAYS`:
  an older broken promise is no longer a follow-up to chase but a customer neglected, which the
  visit policy (overdue customers) already shows;
* **due** when it falls in the coming seven days (``as_of + 1 .. as_of + 7``), so the week's
  visits can be planned;
* later promises and visits without one are not listed.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from automation.core.frames import LedgerFrames
from automation.score.common import lookup
from automation.score.weeklists import customer_names

DUE_DAYS = 7
LOOKBACK_DAYS = 28
COLUMNS = [
    "customer_id", "customer", "owner", "rep_id", "region", "last_visit", "next_visit", "next_step", "status",
    "days_overdue",
]  # fmt: skip


def followups(frames: LedgerFrames, as_of: date) -> pd.DataFrame:
    """Open follow-ups at ``as_of``: overdue first (longest overdue first), then due by day."""
    ts = pd.Timestamp(as_of)
    v = frames.visits[["customer_id", "rep_id", "region", "date", "next_visit", "next_step"]]
    v = v[(v["date"] <= ts) & v["customer_id"].notna()]
    # by day (numbers: fast), a day's latest promise last; then each customer's last row
    v = v.sort_values(["date", "next_visit"], kind="stable", na_position="first")
    last = v.drop_duplicates("customer_id", keep="last")
    promised = last["next_visit"]
    horizon = ts + pd.Timedelta(days=DUE_DAYS)
    oldest = ts - pd.Timedelta(days=LOOKBACK_DAYS)
    last = last[promised.notna() & (promised <= horizon) & (promised >= oldest)].copy()
    last["status"] = (last["next_visit"] <= ts).map({True: "overdue", False: "due"})
    last["days_overdue"] = (ts - last["next_visit"]).dt.days.where(last["status"] == "overdue")
    last = last.rename(columns={"date": "last_visit"})
    owners = frames.customers.drop_duplicates("customer_id")
    owner_of = pd.Series(owners["owner"].to_numpy(), index=owners["customer_id"].astype(str).to_numpy())
    last["customer"] = lookup(last["customer_id"], customer_names(frames)).to_numpy()
    last["owner"] = lookup(last["customer_id"], owner_of).fillna(last["rep_id"]).to_numpy()
    last["_o"] = (last["status"] == "due").astype(int)
    last = last.sort_values(
        ["_o", "days_overdue", "next_visit", "customer_id"],
        ascending=[True, False, True, True],
        kind="stable",
        ignore_index=True,
    )
    return last[COLUMNS]
