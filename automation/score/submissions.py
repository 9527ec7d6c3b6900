"""Submissions per person and day: the visit report's verdict, forms accepted, rejections not yet fixed.

A rejected form is *fixed* once a submission of the same form, person and period (for a form that
could not even be told: any form of the same person) is accepted after it — the rule ``salesflow
status`` uses for "awaiting a fix", on submission order. Its day is the form's own day (the
``period_key`` of a day form), else the day it was received. Decision: "not yet fixed" is judged on
everything the ledger holds, not only up to the week's end, so last week's workbook stops listing a
form once its fix arrives (the fix marks that week for rebuilding).

Rows: every (rep, working day) of the week up to ``as_of`` from :mod:`timeliness` (with the visit
report's verdict), plus any other person-day of the week with a rejection still open (a Saturday
market report, a supervisor's weekly report) whose verdict is blank.
"""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pandas as pd

from automation.core.frames import LedgerFrames
from automation.core.outcomes import COUNTED, REJECTED
from automation.core.workcal import Period
from automation.score.common import window

COLUMNS = [
    "date", "rep_id", "name", "region", "verdict", "received_at", "forms_accepted", "rejected_unfixed", "site",
]  # fmt: skip


def _day(s: pd.DataFrame) -> pd.Series:
    day = pd.to_datetime(s["period_key"], errors="coerce", format="%Y-%m-%d")
    return day.fillna(s["received_at"].dt.normalize())


def unfixed(submissions: pd.DataFrame, period: Period | None = None) -> pd.DataFrame:
    """Rejected submissions no later accepted submission fixes, with their ``day``; with ``period``,
    only those whose day lies in ``period.start .. period.as_of`` (a week's take a year's fraction)."""
    rej = submissions[submissions["status"] == REJECTED]
    rej = rej.assign(day=_day(rej))
    if period is not None:
        rej = window(rej, "day", period.start, period.as_of)
    # only the accepted forms of the people with a rejection can fix one
    s = submissions[submissions["rep_id"].isin(rej["rep_id"].unique()) & submissions["status"].isin(COUNTED)]
    ok = s.assign(form=s["form"].fillna(""), period_key=s["period_key"].fillna(""))
    rej_keys = rej.assign(form=rej["form"].fillna(""), period_key=rej["period_key"].fillna(""))
    by_form = ok.groupby(["form", "rep_id", "period_key"])["submission_id"].max()
    by_person = ok.groupby("rep_id")["submission_id"].max()
    known = rej_keys["form"] != ""
    keys = pd.MultiIndex.from_frame(rej_keys[["form", "rep_id", "period_key"]].astype(object))
    later_form = by_form.reindex(keys).to_numpy(dtype=float)
    later_person = by_person.reindex(pd.Index(rej_keys["rep_id"].astype(object))).to_numpy(dtype=float)
    later = np.where(known.to_numpy(), later_form, later_person)
    open_ = ~(later > rej["submission_id"].to_numpy(dtype=float))  # NaN (none later) stays open
    return rej[open_]


def _sites(s: pd.DataFrame, idx: pd.MultiIndex) -> np.ndarray:
    """The site(s) that received each person's forms of the day (issue 18: several branch
    watchers), "" when none; two sites are listed in name order ("a, b")."""
    if s.empty or "site" not in s.columns:
        return np.full(len(idx), "", dtype=object)
    named = s[s["site"].notna()].astype({"site": object})
    sites = named.groupby(["rep_id", "day"])["site"].agg(lambda v: ", ".join(sorted(set(v))))
    return sites.reindex(idx).fillna("").to_numpy(dtype=object)


def submission_days(frames: LedgerFrames, period: Period, verdicts: pd.DataFrame) -> pd.DataFrame:
    """One row per person and day of ``period`` (see the module docstring), by day then person."""
    s = frames.submissions
    days = {
        (period.start + timedelta(days=i)).isoformat() for i in range((period.end - period.start).days + 1)
    }
    s = s[s["period_key"].isin(days) | (s["period_key"].fillna("") == "")]  # the week's day forms, the rest
    s = s.assign(day=_day(s))
    week = window(s, "day", period.start, period.as_of)
    accepted = week[week["status"].isin(COUNTED)].groupby(["rep_id", "day"]).size()
    open_ = unfixed(frames.submissions, period)
    rejected = open_.groupby(["rep_id", "day"]).size()
    grid = verdicts[["rep_id", "region", "date", "received_at", "verdict"]].rename(columns={"date": "day"})
    extra_keys = rejected.index.difference(pd.MultiIndex.from_frame(grid[["rep_id", "day"]].astype(object)))
    if len(extra_keys):
        region = open_.drop_duplicates(["rep_id", "day"]).set_index(["rep_id", "day"])["region"]
        extra = pd.DataFrame(
            {
                "rep_id": extra_keys.get_level_values(0),
                "region": region.reindex(extra_keys).to_numpy(),
                "day": extra_keys.get_level_values(1),
                "received_at": pd.NaT,
                "verdict": "",
            }
        )
        grid = pd.concat([grid, extra], ignore_index=True)
    idx = pd.MultiIndex.from_frame(grid[["rep_id", "day"]].astype(object))
    grid["forms_accepted"] = accepted.reindex(idx).fillna(0).astype(int).to_numpy()
    grid["rejected_unfixed"] = rejected.reindex(idx).fillna(0).astype(int).to_numpy()
    grid["site"] = _sites(pd.concat([week, open_]), idx)
    names = dict(zip(frames.reps["rep_id"], frames.reps["name"], strict=True))
    grid["name"] = grid["rep_id"].map(names).fillna(grid["rep_id"])
    grid = grid.rename(columns={"day": "date"})
    grid = grid.sort_values(["date", "rep_id"], kind="stable", ignore_index=True)
    return grid[COLUMNS]
