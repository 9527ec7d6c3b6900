"""Process and result figures, attainment, pace, forecast and status on one hand-made week.

The week is 2026-W47 (Mon 16 - Sun 22 Nov 2026), finished on the reference day Mon 23 Nov.
R001 and R002 are in east, R005 in south and visits nobody (a rep with no visits).
"""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from automation.core.workcal import WorkCalendar, mtd_period, week_period
from automation.score.activity import activity
from automation.score.attainment import status
from automation.score.common import rep_universe
from automation.score.scorecard import scorecard
from automation.score.targets import build_targets
from tests.figures_cases import config, customer, frames, visit

AS_OF = date(2026, 11, 23)

VISITS = [
    visit("R001", "2026-11-16", "C1", "deal", order_amount=1000.0, gross_margin=250.0, collection_amount=500.0,
          expense=100.0, met_decision_maker=True, quoted=True, quote_amount=1200.0),
    visit("R001", "2026-11-16", "C2", "interested", expense=50.0),
    visit("R001", "2026-11-17", "C3", "not_met", expense=30.0),
    visit("R001", "2026-11-18", "C1", "follow_up", collection_amount=200.0, met_decision_maker=True),
    visit("R002", "2026-11-17", "C4", "deal", order_amount=3000.0, gross_margin=600.0, expense=200.0,
          quoted=True, quote_amount=3000.0),
    visit("R002", "2026-11-23", "C4", "deal", order_amount=500.0),  # after the week, inside November
]  # fmt: skip
PLANS = [
    {"rep_id": "R001", "date": "2026-11-16", "customer_id": "C1", "purpose": "order"},  # done
    {
        "rep_id": "R001",
        "date": "2026-11-16",
        "customer_id": "C3",
        "purpose": "order",
    },  # visited a day later: not done
    {"rep_id": "R001", "date": "2026-11-17", "customer_id": "C3", "purpose": "order"},  # done
    {"rep_id": "R001", "date": "2026-11-19", "customer_id": "C5", "purpose": "order"},  # not done
    {"rep_id": "R002", "date": "2026-11-17", "customer_id": "C4", "purpose": "order"},  # done
]
CUSTOMERS = [
    customer("C1", "R001", "2026-01-05"),
    customer("C4", "R002", "2026-11-17"),
    customer("C5", "R001", "2026-11-20"),
    customer("C9", "X99", "2026-11-18", region="south"),  # owner is no rep: counts for south only
]


def _case():  # type: ignore[no-untyped-def]
    cfg = config()
    return cfg, frames(cfg, visits=VISITS, plans=PLANS, customers=CUSTOMERS)


def _row(df: pd.DataFrame, level: str, owner: str) -> pd.Series:
    return df[(df["level"] == level) & (df["owner"] == owner)].iloc[0]


def test_week_activity_worked_by_hand() -> None:
    cfg, f = _case()
    out = activity(f, cfg, week_period("2026-W47", AS_OF), rep_universe(f))
    r1 = _row(out, "rep", "R001")
    # R001: 4 visits; 4 planned of which 2 done (16th C1, 17th C3) -> 0.5; unplanned: 16th C2, 18th C1 -> 2
    assert (r1.visits, r1.planned, r1.planned_done, r1.unplanned) == (4, 4, 2, 2)
    assert r1.plan_completion == 0.5
    # effective: deal + interested + follow_up = 3 of 4; transactions: 1 order of 4
    assert (r1.effective_rate, r1.transaction_rate) == (0.75, 0.25)
    assert (r1.dm_meetings, r1.quotes, r1.quote_amount) == (2, 1, 1200.0)
    assert (r1.sales, r1.gross_margin, r1.collections, r1.expense) == (1000.0, 250.0, 700.0, 180.0)
    assert r1.expense_per_visit == 45.0  # 180 / 4
    assert r1.sales_per_expense == pytest.approx(1000 / 180)
    assert r1.avg_sales_per_rep_week == 1000.0  # 1000 / 1 rep / (7 days / 7)
    assert r1.new_customers == 1  # C5 created on the 20th
    r2 = _row(out, "rep", "R002")
    assert (r2.visits, r2.plan_completion, r2.unplanned, r2.sales, r2.new_customers) == (1, 1.0, 0, 3000.0, 1)
    assert (r2.expense_per_visit, r2.sales_per_expense) == (200.0, 15.0)
    # the rep with no visits: zero counts, no rates (NaN, not 0)
    r5 = _row(out, "rep", "R005")
    assert r5.visits == 0 and r5.sales == 0 and r5.active_reps == 0
    assert all(
        math.isnan(r5[c])
        for c in ("effective_rate", "transaction_rate", "expense_per_visit", "avg_sales_per_rep_week")
    )
    # east = R001 + R002: rates from the sums, not averaged
    east = _row(out, "region", "east")
    assert (east.visits, east.planned, east.planned_done) == (5, 5, 3)
    assert east.plan_completion == 0.6 and east.effective_rate == 0.8 and east.transaction_rate == 0.4
    # average sales per rep per week: 4000 / 2 reps with a visit / 1 week
    assert east.avg_sales_per_rep_week == 2000.0
    assert east.new_customers == 2
    south = _row(out, "region", "south")
    assert south.visits == 0 and south.new_customers == 1  # C9, owner unknown, region south
    company = _row(out, "company", "")
    assert (company.visits, company.sales, company.new_customers, company.active_reps) == (5, 4000.0, 3, 2)


def test_month_to_date_average_uses_the_calendar_days_covered() -> None:
    cfg, f = _case()
    out = activity(f, cfg, mtd_period(AS_OF), rep_universe(f))
    r2 = _row(out, "rep", "R002")
    # Nov 1..23 = 23 calendar days: 3500 / 1 / (23 / 7)
    assert r2.sales == 3500.0
    assert r2.avg_sales_per_rep_week == pytest.approx(3500 * 7 / 23)


def _targets() -> list[dict[str, object]]:
    return [
        {
            "period": "2026-11",
            "level": "rep",
            "owner": "R001",
            "product": "",
            "sales": 21000.0,
            "collections": 3150.0,
        },
        {"period": "2026-11", "level": "rep", "owner": "R002", "product": "", "sales": 4200.0},
    ]


def test_attainment_pace_forecast_and_status() -> None:
    cfg = config()
    f = frames(cfg, visits=VISITS, plans=PLANS, customers=CUSTOMERS, targets=_targets())
    cal = WorkCalendar(cfg)
    reps = rep_universe(f)
    book = build_targets(f, cfg, cal)
    week = scorecard(f, cfg, week_period("2026-W47", AS_OF), cal, reps, book)
    r1, r2 = _row(week, "rep", "R001"), _row(week, "rep", "R002")
    # a finished week: pace 5/5 = 1. R001 week target 21,000 x 5/21 = 5,000; 1,000 / 5,000 = 0.2 -> red
    assert (r1.pace, r1.sales_target, r1.sales_attainment, r1.sales_status) == (1.0, 5000.0, 0.2, "red")
    assert r1.sales_forecast == 1000.0  # 1000 / 5 elapsed x 5
    # collections: target 3,150 x 5/21 = 750; 700 / 750 = 0.9333 >= 0.9 x 1 -> amber
    assert r1.collections_target == 750.0
    assert r1.collections_attainment == pytest.approx(700 / 750) and r1.collections_status == "amber"
    # R002: 4,200 x 5/21 = 1,000; 3,000 / 1,000 = 3 -> green
    assert (r2.sales_target, r2.sales_attainment, r2.sales_status) == (1000.0, 3.0, "green")
    # no target set: no attainment, no status
    assert math.isnan(r1.new_customers_target) and r1.new_customers_status is None
    east = _row(week, "region", "east")
    assert east.sales_target == 6000.0 and east.sales_attainment == pytest.approx(4000 / 6000)
    mtd = scorecard(f, cfg, mtd_period(AS_OF), cal, reps, book)
    m1, m2 = _row(mtd, "rep", "R001"), _row(mtd, "rep", "R002")
    # MTD: whole-month target, pace = 16 elapsed / 21 working days
    assert (m1.elapsed_working_days, m1.working_days) == (16, 21)
    assert m1.pace == pytest.approx(16 / 21)
    assert m1.sales_target == 21000.0 and m1.sales_attainment == pytest.approx(1000 / 21000)
    assert m1.sales_forecast == 1312.5  # 1000 / 16 x 21
    assert m1.sales_status == "red"
    assert m2.sales_attainment == pytest.approx(3500 / 4200) and m2.sales_status == "green"  # .833 >= .762


def test_status_boundaries() -> None:
    pace = np.array([0.5, 0.5, 0.5, 0.5, 0.0])
    att = np.array([0.5, 0.46, 0.44, np.nan, 0.0])
    # >= pace green; >= 0.9 x 0.5 = 0.45 amber; below red; no attainment -> None; nothing due yet -> green
    assert list(status(att, pace, 0.9)) == ["green", "amber", "red", None, "green"]


def test_rep_going_live_mid_month_is_paced_from_go_live() -> None:
    reps = [
        {"id": "R001", "name": "张伟", "region": "east", "go_live": "2026-10-01"},
        {"id": "R002", "name": "王芳", "region": "east", "go_live": "2026-11-16"},
    ]
    cfg = config(reps=reps, supervisors=[], managers=[])
    f = frames(cfg, visits=VISITS[4:5], targets=_targets())
    cal = WorkCalendar(cfg)
    book = build_targets(f, cfg, cal)
    mtd = scorecard(f, cfg, mtd_period(AS_OF), cal, rep_universe(f), book)
    r2 = _row(mtd, "rep", "R002")
    # target 4,200 x 11/21 = 2,200; elapsed 16..23 Nov = 6 of 11 working days from go-live
    assert (r2.sales_target, r2.elapsed_working_days, r2.working_days) == (2200.0, 6, 11)
    assert r2.sales_forecast == 5500.0  # 3000 / 6 x 11
    assert r2.sales_status == "green"  # 3000 / 2200 = 1.36 >= 6/11


def test_no_data_at_all_gives_zero_rows_not_errors() -> None:
    cfg = config()
    f = frames(cfg)
    cal = WorkCalendar(cfg)
    sc = scorecard(f, cfg, week_period("2026-W47", AS_OF), cal, rep_universe(f), build_targets(f, cfg, cal))
    assert len(sc) == len(cfg.reps) + len(cfg.regions) + 1
    assert sc["visits"].sum() == 0 and sc["sales_status"].isna().all()
