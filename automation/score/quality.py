"""Data quality (SPEC §3): first-time-right forms and optional fields filled.

* first-time-right: a rep's forms are grouped per form type and day (the day the form reports on —
  ``period_key`` — or, for forms without one such as the customer register and complaints, the day
  it was received; weekly reports group per week). A group is right first time when its earliest
  attempt (duplicates ignored) was accepted — i.e. no rejected attempt came before. Share = groups
  right first time / groups, for groups whose day lies in the period.
* optional fields filled: the mean of the ledger's per-submission ``optional_filled`` share over the
  rep's current (accepted) visit reports of the period.
"""

from __future__ import annotations

import pandas as pd

from automation.core.frames import LedgerFrames
from automation.core.outcomes import ACCEPTED, COUNTED, DUPLICATE
from automation.core.workcal import Period
from automation.score.common import add_ratios, memo, rollup

SUMS = ["form_groups", "first_time_right", "optional_filled_sum", "optional_filled_n"]
RATIOS = {
    "first_time_rate": ("first_time_right", "form_groups"),
    "optional_filled": ("optional_filled_sum", "optional_filled_n"),
}


def form_groups(frames: LedgerFrames, period: Period) -> pd.DataFrame:
    """One row per (rep, form, day-or-week) group with ``day`` and ``first_time_right``."""
    first = memo(frames, "quality.first_attempts", lambda: _first_attempts(frames))
    first = first[(first["day"] >= pd.Timestamp(period.start)) & (first["day"] <= pd.Timestamp(period.as_of))]
    return first.rename(columns={"ok": "first_time_right"})


def _first_attempts(frames: LedgerFrames) -> pd.DataFrame:
    s = frames.submissions
    s = s[s["status"] != DUPLICATE]
    key = s["period_key"].astype("string").fillna("")
    received_day = s["received_at"].dt.normalize()
    parsed = pd.to_datetime(key, errors="coerce", format="%Y-%m-%d")
    g = pd.DataFrame(
        {
            "rep_id": s["rep_id"].to_numpy(),
            "form": s["form"].to_numpy(),
            "group": key.where(key != "", received_day.dt.strftime("%Y-%m-%d")).to_numpy(),
            "received_at": s["received_at"].to_numpy(),
            "submission_id": s["submission_id"].to_numpy(),
            "ok": s["status"].isin(COUNTED).to_numpy(),
            "day": parsed.fillna(received_day).to_numpy(),
        }
    )
    g = g.sort_values(["received_at", "submission_id"], kind="stable")
    return g.groupby(["rep_id", "form", "group"], as_index=False).first()


def _current_visit_reports(frames: LedgerFrames) -> pd.DataFrame:
    s = frames.submissions
    vr = s[(s["form"] == "visit_report") & (s["status"] == ACCEPTED) & s["optional_filled"].notna()]
    day = pd.to_datetime(vr["period_key"], errors="coerce", format="%Y-%m-%d")
    return vr.assign(day=day.fillna(vr["received_at"].dt.normalize()))[["rep_id", "day", "optional_filled"]]


def quality(frames: LedgerFrames, period: Period, reps: pd.DataFrame) -> pd.DataFrame:
    """Rows per rep, region and company: form_groups, first_time_right, first_time_rate, optional_filled."""
    groups = form_groups(frames, period)
    per = groups.groupby("rep_id").agg(
        form_groups=("form", "size"), first_time_right=("first_time_right", "sum")
    )
    vr = memo(frames, "quality.visit_reports", lambda: _current_visit_reports(frames))
    vr = vr[(vr["day"] >= pd.Timestamp(period.start)) & (vr["day"] <= pd.Timestamp(period.as_of))]
    opt = vr.groupby("rep_id")["optional_filled"].agg(optional_filled_sum="sum", optional_filled_n="size")
    per = per.join(opt, how="outer").fillna(0.0)
    out = rollup(per, reps, SUMS)
    return add_ratios(out, RATIOS)
