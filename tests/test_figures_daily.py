"""Day-level figures for the morning brief and reminders (automation/figures/daily.py), worked by hand."""

from __future__ import annotations

from datetime import date

import pandas as pd

from automation.core.workcal import WorkCalendar
from automation.score.common import rep_universe
from automation.score.daily import by_day, missing_streak, plans_on, previous_working_day
from tests.figures_cases import config, customer, frames, visit

REPS = [
    {"id": "R001", "name": "张伟", "region": "east", "go_live": "2026-10-01"},
    {"id": "R002", "name": "王芳", "region": "east", "go_live": "2026-10-01"},
    {"id": "R005", "name": "陈静", "region": "south", "go_live": "2026-11-19"},  # live from Thursday
]


def _sub(i: int, rep: str, day: str, at: str, status: str = "accepted") -> dict[str, object]:
    return {"submission_id": i, "rep_id": rep, "region": "", "form": "visit_report", "period_key": day,
            "received_at": at, "status": status, "optional_filled": 0.5}  # fmt: skip


def test_by_day_worked_by_hand() -> None:
    cfg = config(reps=REPS, supervisors=[], managers=[])
    f = frames(
        cfg,
        visits=[
            visit("R001", "2026-11-19", "C1", "deal", order_amount=1000.0, collection_amount=200.0),
            visit("R001", "2026-11-19", "C2", "not_met"),
            visit("R001", "2026-11-19", "C3", "follow_up", collection_amount=50.5),
            visit("R002", "2026-11-19", "C4", "interested"),
            visit("R005", "2026-11-19", "C5", "deal", order_amount=300.0),
            visit("R001", "2026-11-20", "C1", "not_interested"),  # another day
        ],
    )
    out = by_day(f, cfg, date(2026, 11, 19), date(2026, 11, 19), rep_universe(f)).set_index(
        ["level", "owner"]
    )
    r1 = out.loc[("rep", "R001")]
    # 3 visits; effective = deal + follow-up = 2; one order of 1000; collections 200 + 50.5
    assert (r1["visits"], r1["effective_visits"], r1["transactions"], r1["sales"], r1["collections"]) == (
        3,
        2,
        1,
        1000,
        250.5,
    )
    assert (r1["outcome_deal"], r1["outcome_not_met"], r1["outcome_follow_up"], r1["outcome_interested"]) == (
        1,
        1,
        1,
        0,
    )
    east = out.loc[("region", "east")]
    assert (east["visits"], east["effective_visits"], east["sales"]) == (4, 3, 1000)  # R001 + R002
    assert (out.loc[("company", ""), "visits"], out.loc[("company", ""), "sales"]) == (5, 1300)
    two = by_day(f, cfg, date(2026, 11, 19), date(2026, 11, 20), rep_universe(f))
    r1_20 = two[(two["owner"] == "R001") & (two["date"] == pd.Timestamp("2026-11-20"))].iloc[0]
    assert (r1_20["visits"], r1_20["effective_visits"], r1_20["outcome_not_interested"]) == (1, 0, 1)


def test_missing_streak_worked_by_hand() -> None:
    cfg = config(reps=REPS, supervisors=[], managers=[])
    subs = [
        _sub(1, "R001", "2026-11-16", "2026-11-16 19:00"),
        _sub(2, "R001", "2026-11-17", "2026-11-17 23:00"),  # late still counts as a report
        # R001: nothing on Wed 18, Thu 19, Fri 20 -> 3 in a row by Friday
        _sub(3, "R002", "2026-11-20", "2026-11-20 19:00"),  # R002 reported Friday -> 0
        _sub(4, "R002", "2026-11-19", "2026-11-19 19:00", "rejected"),  # a rejected report is none
    ]
    f = frames(cfg, submissions=subs)
    cal = WorkCalendar(cfg)
    out = missing_streak(f, cfg, date(2026, 11, 20), cal, rep_universe(f)).set_index("rep_id")
    assert out.loc["R001", "streak"] == 3
    assert out.loc["R001", "missing_days"] == [date(2026, 11, 18), date(2026, 11, 19), date(2026, 11, 20)]
    assert out.loc["R002", "streak"] == 0
    assert out.loc["R005", "streak"] == 2  # live from Thursday: Thu and Fri, not before
    # the weekend is no working day: no streak on Saturday, and Monday's counts on from Friday
    assert (
        missing_streak(f, cfg, date(2026, 11, 21), cal, rep_universe(f))
        .set_index("rep_id")
        .loc["R001", "streak"]
        == 0
    )
    monday = missing_streak(f, cfg, date(2026, 11, 23), cal, rep_universe(f)).set_index("rep_id")
    assert monday.loc["R001", "streak"] == 4 and monday.loc["R002", "streak"] == 1


def test_previous_working_day_and_plans() -> None:
    cfg = config(reps=REPS, supervisors=[], managers=[], calendar={"holidays": ["2026-10-01", "2026-10-02"]})
    cal = WorkCalendar(cfg)
    assert previous_working_day(cal, date(2026, 11, 23)) == date(2026, 11, 20)  # Monday -> Friday
    assert previous_working_day(cal, date(2026, 10, 5)) == date(2026, 9, 30)  # over a weekend and a holiday
    f = frames(
        cfg,
        customers=[customer("C1", "R001"), customer("C2", "R002")],
        plans=[
            {"rep_id": "R002", "date": "2026-11-23", "customer_id": "C2", "purpose": "service"},
            {"rep_id": "R001", "date": "2026-11-23", "customer_id": "C1", "purpose": "order"},
            {"rep_id": "R001", "date": "2026-11-24", "customer_id": "C1", "purpose": "order"},
        ],
    )
    p = plans_on(f, date(2026, 11, 23))
    assert p[["rep_id", "customer", "purpose"]].values.tolist() == [
        ["R001", "客户C1", "order"],
        ["R002", "客户C2", "service"],
    ]
