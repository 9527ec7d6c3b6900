"""Day-level figures for the morning brief (早会), the reminders and the week's trend (SPEC §4).

The daily sales meeting starts from the last working day's results and today's plans; reminders
go to reps whose visit report is missing. These are figures like the others: pure functions of
the ledger frames, so the mail stage only formats what they return.

* :func:`by_day` — per rep, region and company and per day of ``start..end``: visits, effective
  visits, transactions (orders), sales, collections, and the visits of each outcome
  (``outcome_deal`` ...). The rollup is the scorecard's (:func:`automation.score.common.rollup`).
* :func:`plans_on` — the visit-plan rows of one day, with the customer's name.
* :func:`missing_streak` — per rep, the working days in a row up to ``day`` without an accepted
  visit report (SPEC §3 timeliness "missing"; 0 when that day's report arrived or the rep was not live).
* :func:`previous_working_day` — "yesterday" of the morning brief: Monday's brief covers Friday
  (or a make-up Saturday), a day after a holiday covers the day before the holiday.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from automation.core.config import Config
from automation.core.frames import LedgerFrames
from automation.core.workcal import Period, WorkCalendar
from automation.score import timeliness as tml
from automation.score.common import rollup

OUTCOMES = ("deal", "interested", "follow_up", "not_interested", "not_met")
DAY_SUMS = ["visits", "effective_visits", "transactions", "sales", "collections",
            *(f"outcome_{o}" for o in OUTCOMES)]  # fmt: skip
STREAK_LOOKBACK_DAYS = 62  # a streak longer than this is reported as this (intake refuses older dates anyway)


def by_day(frames: LedgerFrames, config: Config, start: date, end: date, reps: pd.DataFrame) -> pd.DataFrame:
    """Rows ``date, level, owner, region`` + :data:`DAY_SUMS` for each calendar day of ``start..end``."""
    v = frames.visits
    lo, hi = pd.Timestamp(start), pd.Timestamp(end)
    v = v[(v["date"] >= lo) & (v["date"] <= hi) & v["rep_id"].notna()]
    outcome = v["outcome"].astype("string").fillna("")
    order = v["order_amount"].fillna(0).astype(float)
    cols = pd.DataFrame(
        {
            "rep_id": v["rep_id"].astype(str).to_numpy(),
            "date": v["date"].to_numpy(),
            "visits": 1.0,
            "effective_visits": outcome.isin(config.thresholds.effective_outcomes).to_numpy(dtype=float),
            "transactions": (order > 0).to_numpy(dtype=float),
            "sales": order.to_numpy(),
            "collections": v["collection_amount"].fillna(0).astype(float).to_numpy(),
            **{f"outcome_{o}": (outcome == o).to_numpy(dtype=float) for o in OUTCOMES},
        }
    )
    parts = []
    for day in pd.date_range(lo, hi, freq="D"):
        per_rep = cols[cols["date"] == day].drop(columns="date").groupby("rep_id").sum()
        part = rollup(per_rep, reps, DAY_SUMS)
        part.insert(0, "date", day)
        parts.append(part)
    if not parts:
        return pd.DataFrame(columns=["date", "level", "owner", "region", *DAY_SUMS])
    out = pd.concat(parts, ignore_index=True)
    out[["sales", "collections"]] = out[["sales", "collections"]].round(2)
    return out


def plans_on(frames: LedgerFrames, day: date) -> pd.DataFrame:
    """The visit-plan rows of ``day``: ``rep_id, region, customer_id, customer, purpose`` (sorted by rep)."""
    p = frames.plans
    p = p[p["date"] == pd.Timestamp(day)]
    names = frames.customers.drop_duplicates("customer_id").set_index("customer_id")["name"]
    cid = p["customer_id"].astype("string")
    out = pd.DataFrame(
        {
            "rep_id": p["rep_id"].astype("string").to_numpy(),
            "region": p["region"].astype("string").to_numpy(),
            "customer_id": cid.to_numpy(),
            "customer": cid.map(names).astype("string").fillna(cid).to_numpy(),
            "purpose": p["purpose"].astype("string").to_numpy(),
        }
    )
    return out.sort_values(["rep_id", "customer_id"], kind="stable", ignore_index=True)


def missing_streak(
    frames: LedgerFrames, config: Config, day: date, cal: WorkCalendar, reps: pd.DataFrame
) -> pd.DataFrame:
    """Per rep: ``rep_id, region, streak, missing_days`` (the dates, oldest first).

    ``streak`` counts the working days ending at ``day`` whose verdict is "missing"; it stops at the
    first day with a report (on time or late) or before the rep's go-live. 0 on a day that is not a
    working day. Same verdicts as the timeliness figure, so a reminder never disagrees with it.
    """
    period = Period("week", "", day - timedelta(days=STREAK_LOOKBACK_DAYS), day, day)
    days, _, codes = tml.verdict_matrix(frames, config, period, cal, reps)
    streak = np.zeros(len(reps), dtype=int)
    missing: list[list[date]] = [[] for _ in range(len(reps))]
    if len(days) and days[-1] == np.datetime64(day, "D"):
        for i in range(len(reps)):
            j = len(days) - 1
            while j >= 0 and codes[i, j] == 2:
                missing[i].insert(0, days[j].astype(date))
                j -= 1
            streak[i] = len(missing[i])
    return pd.DataFrame(
        {
            "rep_id": reps["rep_id"].astype(str).to_numpy(),
            "region": reps["region"].astype(str).to_numpy(),
            "streak": streak,
            "missing_days": missing,
        }
    )


def previous_working_day(cal: WorkCalendar, day: date) -> date:
    """The last working day before ``day`` (looks back up to a month of holidays)."""
    for back in range(1, 32):
        d = day - timedelta(days=back)
        if cal.is_workday(d):
            return d
    return day - timedelta(days=1)
