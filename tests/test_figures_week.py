"""The score stage's additions for the weekly workbooks, each on a small case worked out by hand.

Week 2026-W47 is Mon 16 - Sun 22 Nov 2026; the reference day is Mon 23 Nov (as in the other figure
tests). R001 and R002 are in east, R005 in south.
"""

from __future__ import annotations

import json
import math
from datetime import date

import pandas as pd
import pytest

from automation.core.frames import conform
from automation.core.workcal import WorkCalendar, week_period
from automation.score import compute_all, for_region
from automation.score.abc import pareto_curve
from automation.score.attention import attention
from automation.score.common import rep_universe
from automation.score.conflicts import open_conflicts
from automation.score.followups import followups
from automation.score.history import changes, week_history, weeks_back
from automation.score.submissions import submission_days, unfixed
from automation.score.targets import build_targets
from automation.score.week import compute_week
from automation.score.weeklists import complaint_sheet, week_market, week_visits, weekly_reports
from benchmarks.bench_figures import synthetic_config, synthetic_frames
from tests.figures_cases import config, customer, frames, visit

AS_OF = date(2026, 11, 23)
W47 = week_period("2026-W47", AS_OF)


def test_weeks_back_crosses_the_year_end() -> None:
    assert weeks_back("2027-W01", 3) == ["2026-W52", "2026-W53", "2027-W01"]
    assert weeks_back("2026-W47", 1) == ["2026-W47"]


def _two_weeks():  # type: ignore[no-untyped-def]
    cfg = config()
    visits = [
        visit("R001", "2026-11-10", "C1", "deal", order_amount=1000.0),  # W46
        visit("R001", "2026-11-17", "C1", "deal", order_amount=1500.0),  # W47
        visit("R001", "2026-11-18", "C2", "interested"),  # W47
        visit("R005", "2026-11-19", "C9", "deal", order_amount=200.0),  # W47, south, nothing in W46
    ]
    return cfg, frames(cfg, visits=visits, customers=[customer("C1"), customer("C2"), customer("C9", "R005")])


def test_week_history_and_change_against_last_week() -> None:
    cfg, f = _two_weeks()
    cal = WorkCalendar(cfg)
    reps = rep_universe(f)
    hist = week_history(f, cfg, "2026-W47", AS_OF, cal, reps, build_targets(f, cfg, cal), n=2)
    company = hist[hist["level"] == "company"].set_index("week")
    # W46: one deal of 1,000; W47: 1,500 + 200 from three visits
    assert company.loc["2026-W46", "sales"] == 1000.0 and company.loc["2026-W46", "visits"] == 1
    assert company.loc["2026-W47", "sales"] == 1700.0 and company.loc["2026-W47", "visits"] == 3
    ch = changes(hist, "2026-W47", "2026-W46").set_index(["level", "owner"])
    assert ch.loc[("company", ""), "sales_last"] == 1000.0
    assert ch.loc[("company", ""), "sales_change"] == pytest.approx(0.7)  # (1,700 - 1,000) / 1,000
    assert ch.loc[("company", ""), "visits_change"] == pytest.approx(2.0)  # (3 - 1) / 1
    assert ch.loc[("rep", "R005"), "sales_last"] == 0.0
    assert math.isnan(ch.loc[("rep", "R005"), "sales_change"])  # nothing last week: no change figure
    # weeks that ended before the first go-live (the case config's reps: 2026-11-02 the latest,
    # 2026-10-01 the earliest) are not part of the trend: W39 ended on 27 Sep
    early = week_history(f, cfg, "2026-W41", AS_OF, cal, reps, build_targets(f, cfg, cal), n=3)
    assert sorted(set(early["week"])) == ["2026-W40", "2026-W41"]
    # last week's row is what the week's own scorecard says (salesflow figures --week 2026-W46)
    own = compute_all(f, cfg, "2026-W46", as_of=AS_OF)["scorecards"]["week"].set_index(["level", "owner"])
    mine = hist[hist["week"] == "2026-W46"].set_index(["level", "owner"])
    for col in ("sales", "visits", "effective_rate", "pace"):
        pd.testing.assert_series_equal(mine[col], own.loc[mine.index, col], check_names=False)


def test_pareto_curve_steps_through_the_best_customers_first() -> None:
    table = pd.DataFrame({"sales_12m": [15.0, 50.0, 0.0, 5.0, 30.0]})
    curve = pareto_curve(table, points=5)
    # best first: 50, 30, 15, 5, 0 of 100 -> after 0..5 customers: 0, 50, 80, 95, 100, 100 %
    assert curve["customer_share"].tolist() == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    assert curve["sales_share"].tolist() == pytest.approx([0.0, 0.5, 0.8, 0.95, 1.0, 1.0])
    assert pareto_curve(pd.DataFrame({"sales_12m": []}), points=2)["sales_share"].tolist() == [0.0, 0.0, 0.0]


def test_followups_overdue_and_due() -> None:
    cfg = config()
    visits = [
        visit("R001", "2026-11-10", "C1", next_visit="2026-11-17"),  # replaced by the later visit
        visit("R001", "2026-11-18", "C1", next_visit="2026-11-25", next_step="送样品"),  # due in 2 days
        visit("R001", "2026-11-12", "C2", next_visit="2026-11-19"),  # overdue 4 days
        visit("R002", "2026-11-02", "C3", next_visit="2026-11-09"),  # overdue 14 days
        visit("R001", "2026-10-01", "C4", next_visit="2026-10-08"),  # 46 days: too old to chase
        visit("R001", "2026-11-20", "C5", next_visit="2026-12-10"),  # beyond the coming week
        visit("R001", "2026-11-19", "C6"),  # no promise
    ]
    f = frames(cfg, visits=visits, customers=[customer(c) for c in ("C1", "C2", "C3", "C4", "C5", "C6")])
    out = followups(f, AS_OF)
    assert out["customer_id"].tolist() == ["C3", "C2", "C1"]
    assert out["status"].tolist() == ["overdue", "overdue", "due"]
    assert out["days_overdue"].tolist()[:2] == [14, 4] and math.isnan(out["days_overdue"].iloc[2])
    assert out.loc[2, "next_step"] == "送样品" and out.loc[0, "rep_id"] == "R002"
    assert out.loc[0, "owner"] == "R001"  # the register's owner, not the rep who promised


def _subs(*rows: tuple[int, str, str, str, str, str]) -> pd.DataFrame:
    return conform(
        "submissions",
        pd.DataFrame(
            [
                {
                    "submission_id": i,
                    "rep_id": rep,
                    "region": "east",
                    "form": form,
                    "period_key": period,
                    "received_at": pd.Timestamp(at),
                    "status": status,
                }
                for i, rep, form, period, at, status in rows
            ]  # fmt: skip
        ),
    )


def test_rejections_are_fixed_only_by_a_later_accepted_version() -> None:
    subs = _subs(
        (1, "R001", "visit_report", "2026-11-17", "2026-11-17 19:00", "rejected"),
        (2, "R001", "visit_report", "2026-11-17", "2026-11-17 19:30", "accepted"),  # fixes 1
        (3, "R001", "visit_plan", "2026-11-18", "2026-11-18 09:00", "rejected"),  # never fixed
        (4, "R002", "", "", "2026-11-19 10:00", "rejected"),  # unreadable: any later accepted form fixes it
        (5, "R002", "market_report", "2026-11-20", "2026-11-20 18:00", "accepted"),
        (6, "R002", "visit_plan", "2026-11-21", "2026-11-21 08:00", "accepted"),
        (7, "R002", "visit_plan", "2026-11-21", "2026-11-21 09:00", "rejected"),  # accepted only before it
    )
    open_ = unfixed(subs)
    assert open_["submission_id"].tolist() == [3, 7]
    assert open_["day"].dt.date.tolist() == [date(2026, 11, 18), date(2026, 11, 21)]
    cfg = config()
    f = frames(cfg)
    f.submissions = subs
    verdicts = pd.DataFrame(
        {"rep_id": ["R001", "R001"], "region": ["east", "east"],
         "date": pd.to_datetime(["2026-11-17", "2026-11-18"]),
         "received_at": pd.to_datetime(["2026-11-17 19:00", None]), "verdict": ["on_time", "missing"]}
    )  # fmt: skip
    days = submission_days(f, W47, verdicts)
    by = days.set_index(["rep_id", "date"])
    assert by.loc[("R001", pd.Timestamp("2026-11-17")), "forms_accepted"] == 1
    assert by.loc[("R001", pd.Timestamp("2026-11-17")), "rejected_unfixed"] == 0
    assert by.loc[("R001", pd.Timestamp("2026-11-18")), "rejected_unfixed"] == 1
    # Saturday: not a report day, listed because a rejection is still open; no verdict
    sat = by.loc[("R002", pd.Timestamp("2026-11-21"))]
    assert sat["verdict"] == "" and sat["rejected_unfixed"] == 1 and sat["forms_accepted"] == 1
    assert len(days) == 3 and days.loc[days["rep_id"] == "R001", "name"].iloc[0] == "张伟"


def test_conflicts_name_owner_claimer_and_what_was_sent() -> None:
    cfg = config()
    f = frames(cfg, customers=[customer("C1", "R001", name="上海华联")])
    f.conflicts = conform(
        "conflicts",
        pd.DataFrame(
            [
                {
                    "customer_id": "C1",
                    "owner": "R001",
                    "claimed_by": "R005",
                    "submission_id": 9,
                    "created_at": pd.Timestamp("2026-11-20 10:00"),
                    "data": json.dumps({"name": "上海华联超市", "phone": "13812345678", "stage": "customer"}),
                }
            ]
        ),  # fmt: skip
    )
    row = open_conflicts(f).iloc[0]
    assert (row["customer"], row["owner_name"], row["region"]) == ("上海华联", "张伟", "east")
    assert (row["claimed_name"], row["claimed_region"]) == ("陈静", "south")
    assert (row["sent_name"], row["sent_phone"], row["sent_stage"]) == (
        "上海华联超市",
        "13812345678",
        "customer",
    )
    assert row["sent_contact"] is None


def test_attention_lists_complaints_then_overdue_a_b_then_churn() -> None:
    grades = pd.DataFrame(
        {"customer_id": ["C1", "C2", "C3", "C4"], "name": ["甲", "乙", "丙", "丁"],
         "owner": ["R001"] * 4, "region": ["east"] * 4, "grade": ["A", "B", "C", "A"]}
    )  # fmt: skip
    policy = pd.DataFrame(
        {"customer_id": ["C2", "C1", "C3"], "name": ["乙", "甲", "丙"], "owner": ["R001"] * 3,
         "region": ["east"] * 3, "grade": ["B", "A", "C"], "interval": [14, 7, 30],
         "days_since": [30, 20, 45], "status": ["overdue", "overdue", "overdue"]}
    )  # fmt: skip
    churn = pd.DataFrame(
        {"customer_id": ["C4"], "name": ["丁"], "owner": ["R001"], "region": ["east"], "grade": ["A"],
         "days_since_order": [100.0], "reason": ["interval"]}
    )  # fmt: skip
    complaints = pd.DataFrame(
        {"complaint_id": ["K1", "K2"], "customer_id": ["C3", "C1"], "rep_id": ["R001", "R001"],
         "region": ["east", "east"], "is_open": [True, True], "overdue": [True, False],
         "working_days": [5, 1], "limit": [2, 2]}
    )  # fmt: skip
    out = attention(grades, policy, churn, complaints)
    assert out["kind"].tolist() == ["complaint", "overdue", "overdue", "churn"]
    assert out["customer_id"].tolist() == ["C3", "C1", "C2", "C4"]  # A before B; C never "overdue" here
    assert out["days"].tolist() == [3.0, 13.0, 16.0, 100.0]  # 5-2 working days, 20-7, 30-14, since order
    assert out.loc[0, "reason"] == "K1" and out.loc[0, "grade"] == "C"


def test_week_lists_and_complaint_sheet() -> None:
    cfg = config()
    f = frames(
        cfg,
        visits=[
            visit("R001", "2026-11-15", "C1"),
            visit("R002", "2026-11-17", "C2", feedback="=1+1"),
            visit("R001", "2026-11-17", "C1"),
        ],  # fmt: skip
        customers=[customer("C1", name="上海华联"), customer("C2", "R002", name="杭州新华")],
        complaints=[
            {
                "complaint_id": "K1",
                "customer_id": "C1",
                "rep_id": "R001",
                "received": "2026-10-01",
                "severity": "low",
                "status": "closed",
                "resolved": "2026-10-05",
                "description": "旧的",
            },
            {
                "complaint_id": "K2",
                "customer_id": "C2",
                "rep_id": "R002",
                "received": "2026-11-02",
                "severity": "high",
                "status": "open",
                "description": "送货晚了",
            },
            {
                "complaint_id": "K3",
                "customer_id": "C1",
                "rep_id": "R001",
                "received": "2026-11-10",
                "severity": "low",
                "status": "resolved",
                "resolved": "2026-11-18",
                "resolution": "已换货",
            },
        ],  # fmt: skip
    )
    v = week_visits(f, W47)
    assert v["customer"].tolist() == ["上海华联", "杭州新华"]  # Sunday the 15th is W46; by day then rep
    assert v.loc[1, "feedback"] == "=1+1"  # text passes through as it was typed
    f.market_reports = conform(
        "market_reports",
        pd.DataFrame(
            [
                {
                    "rep_id": "R001",
                    "region": "east",
                    "date": pd.Timestamp("2026-11-16"),
                    "customer_text": "路人甲",
                    "severity": "low",
                    "description": "a",
                },
                {
                    "rep_id": "R002",
                    "region": "east",
                    "date": pd.Timestamp("2026-11-18"),
                    "customer_id": "C2",
                    "severity": "high",
                    "description": "b",
                },
                {
                    "rep_id": "R002",
                    "region": "east",
                    "date": pd.Timestamp("2026-11-09"),
                    "severity": "high",
                    "description": "last week",
                },
            ]
        ),  # fmt: skip
    )
    m = week_market(f, W47)
    assert m["description"].tolist() == ["b", "a"] and m["customer"].tolist() == ["杭州新华", "路人甲"]
    listed = compute_all(f, cfg, "2026-W47", as_of=AS_OF)["complaints"]
    sheet = complaint_sheet(listed, f, W47)
    # K2 open (high: 2 working days, now 15: overdue) first; K3 resolved in the week; K1 closed long ago: out
    assert sheet["complaint_id"].tolist() == ["K2", "K3"]
    assert sheet["description"].tolist()[0] == "送货晚了" and sheet["resolution"].tolist()[1] == "已换货"


def test_weekly_reports_of_the_week_with_rep_names() -> None:
    cfg = config()
    f = frames(cfg)
    f.weekly_reports = conform(
        "weekly_reports",
        pd.DataFrame(
            [
                {"submission_id": 5, "region": "east", "week": "2026-W47", "issues_measures": "加强培训"},
                {"submission_id": 6, "region": "east", "week": "2026-W46"},
            ]
        ),  # fmt: skip
    )
    f.weekly_targets = conform(
        "weekly_targets",
        pd.DataFrame(
            [
                {
                    "submission_id": 5,
                    "region": "east",
                    "week": "2026-W47",
                    "rep_id": "R002",
                    "target_sales": 80000.0,
                },
                {"submission_id": 6, "region": "east", "week": "2026-W46", "rep_id": "R001"},
            ]
        ),  # fmt: skip
    )
    reports, targets = weekly_reports(f, "2026-W47")
    assert reports["issues_measures"].tolist() == ["加强培训"]
    assert targets[["rep_id", "name", "target_sales"]].values.tolist() == [["R002", "王芳", 80000.0]]


def test_one_computation_split_by_region_keeps_exactly_that_regions_rows() -> None:
    """for_region (what compute_all does with a region, once per region workbook) against the plain
    definition: each list's rows whose region is the region, the region's reps and region row, the
    funnel counted by region."""
    from automation.score.funnel import days_to_first_order, funnel

    cfg = synthetic_config(6, n_regions=2)
    base = synthetic_frames(6, 80, 900, seed=3, n_regions=2)
    company = compute_week(base, cfg, "2026-W47", as_of=AS_OF)
    for region in ("g0", "g1"):
        split = for_region(company, region)
        for kind in ("week", "mtd", "qtd", "ytd"):
            sc = company["scorecards"][kind]
            want = sc[(sc["region"] == region) & (sc["level"] != "company")].reset_index(drop=True)
            pd.testing.assert_frame_equal(split["scorecards"][kind], want)
            period = company["periods"][kind]
            by_region = funnel(base, period, "region")
            pd.testing.assert_frame_equal(
                split["funnel"][kind], by_region[by_region["scope"] == region].reset_index(drop=True)
            )
            first = days_to_first_order(base, period, "region")
            pd.testing.assert_frame_equal(
                split["days_to_first_order"][kind], first[first["scope"] == region].reset_index(drop=True)
            )
        for key in ("abc", "rfm", "policy", "never_visited", "churn", "complaints", "timeliness", "customers",
                    "visits", "followups", "submission_days", "attention"):  # fmt: skip
            df = company[key]
            pd.testing.assert_frame_equal(
                split[key], df[df["region"] == region].reset_index(drop=True), obj=key
            )
        assert len(split["visits"]) > 0 and set(split["customers"]["region"]) == {region}
        assert split["region"] == region and company["region"] is None  # the company result stays whole
    assert compute_all(base, cfg, "2026-W47", "Region 1", as_of=AS_OF)["region"] == "g1"
    with pytest.raises(ValueError):
        for_region(for_region(company, "g0"), "g1")


def test_compute_week_splits_its_additions_and_runs_on_an_empty_ledger() -> None:
    cfg = synthetic_config(6, n_regions=2)
    base = synthetic_frames(6, 80, 900, seed=3, n_regions=2)
    week = compute_week(base, cfg, "2026-W47", as_of=AS_OF)
    g1 = for_region(week, "g1")
    assert len(week["visits"]) > len(g1["visits"]) > 0 and set(g1["visits"]["region"]) == {"g1"}
    assert set(g1["history"]["level"]) == {"rep", "region"} and set(g1["history"]["region"]) == {"g1"}
    assert g1["pareto_curve"]["sales_share"].iloc[-1] == pytest.approx(1.0)
    assert week["history"]["week"].nunique() == 8 and week["last_week"] == "2026-W46"
    empty = compute_week(frames(config()), config(), "2026-W47", as_of=AS_OF)
    for key in (
        "visits",
        "market",
        "followups",
        "conflicts",
        "weekly_reports",
        "weekly_targets",
        "attention",
    ):
        assert empty[key].empty, key
    assert len(empty["submission_days"]) == 12 * 5  # 12 reps x Mon-Fri, every report missing
    assert set(empty["submission_days"]["verdict"]) == {"missing"}
