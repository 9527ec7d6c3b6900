"""Target splits (automation/figures/targets.py): months, weeks, levels, go-live; exact, never rounded."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from automation.core.workcal import WorkCalendar, mtd_period, qtd_period, week_period
from automation.score import compute_all
from automation.score.export import to_json
from automation.score.targets import build_targets, split_exact
from tests.figures_cases import config, customer, frames


def _t(period: str, level: str, owner: str, product: str = "", **metrics: float) -> dict[str, object]:
    return {"period": period, "level": level, "owner": owner, "product": product, **metrics}


def _week(book, key: str, level: str = "rep", owner: str = "R001", metric: str = "sales") -> float:  # type: ignore[no-untyped-def]
    t = book.for_period(week_period(key, date(2027, 6, 1)))
    return float(t.loc[(level, owner), metric])


def test_year_split_evenly_then_into_weeks_by_working_days() -> None:
    cfg = config()
    f = frames(cfg, targets=[_t("2026", "rep", "R001", sales=1_200_000.0)])
    book = build_targets(f, cfg)
    months = book.months().set_index(["level", "owner", "month"])
    # 1,200,000 / 12 = 100,000 a month; R001 goes live 2026-10-01 so Jan..Sep are dropped
    assert months.loc[("rep", "R001", "2026-11"), "sales"] == 100_000.0
    assert months.loc[("rep", "R001", "2026-09"), "sales"] == 0.0
    # November has 21 working days. W45..W48 hold 5 each, W49 holds Mon 30 Nov only (1), W44 holds Sun 1 Nov (0).
    # Exact shares, never rounded to the cent: 100,000 x 5/21 = 23,809.5238...
    assert _week(book, "2026-W45") == pytest.approx(100_000 * 5 / 21, rel=1e-12)
    assert [_week(book, k) for k in ("2026-W46", "2026-W47", "2026-W48")] == pytest.approx(
        [100_000 * 5 / 21] * 3
    )
    assert _week(book, "2026-W45") != round(_week(book, "2026-W45"), 2)  # not on a cent
    # W49 also takes a share of December (23 working days): 4 of them (Tue 1 - Fri 4)
    assert _week(book, "2026-W49") == pytest.approx(100_000 / 21 + 100_000 * 4 / 23, rel=1e-12)
    nov = book.pieces[(book.pieces["owner"] == "R001") & (book.pieces["month"] == "2026-11")]
    assert nov["sales"].sum() == pytest.approx(100_000, rel=1e-12)  # conserved


def test_quarter_split_by_monthly_weights() -> None:
    weights = [1.0] * 9 + [10.0, 11.0, 12.0]
    cfg = config(targets={"monthly_weights": weights})
    f = frames(cfg, targets=[_t("2026-Q4", "rep", "R001", sales=3_000.0)])
    m = build_targets(f, cfg).months().set_index(["level", "owner", "month"])["sales"]
    # 3,000 x 10/33 = 909.0909..., x 11/33 = 1,000, x 12/33 = 1,090.9090...
    assert m[("rep", "R001", "2026-10")] == pytest.approx(3_000 * 10 / 33, rel=1e-12)
    assert m[("rep", "R001", "2026-11")] == pytest.approx(1_000.0, rel=1e-12)
    assert m[("rep", "R001", "2026-12")] == pytest.approx(3_000 * 12 / 33, rel=1e-12)


def test_a_week_across_two_months_and_the_year_end() -> None:
    cfg = config()
    f = frames(
        cfg,
        targets=[_t("2026-12", "rep", "R001", sales=23_000.0), _t("2027-01", "rep", "R001", sales=21_000.0)],
    )
    book = build_targets(f, cfg)
    # December 2026 has 23 working days, January 2027 21.
    # 2026-W53 = Mon 28 - Thu 31 Dec (4 working days) + Fri 1 Jan (1; Sat 2 / Sun 3 are weekend)
    # = 23,000 x 4/23 + 21,000 x 1/21 = 4,000 + 1,000
    assert _week(book, "2026-W53") == pytest.approx(5_000.0)
    # 2027-W01 (4-8 Jan): 21,000 x 5/21
    assert _week(book, "2027-W01") == pytest.approx(5_000.0)


def test_week_with_holidays_and_a_make_up_workday() -> None:
    cfg = config()
    f = frames(cfg, targets=[_t("2026-10", "rep", "R001", visits=170.0)])
    book = build_targets(f, cfg)
    # October 2026 has 17 working days (holidays 1,2,5-8 Oct; Sat 10 Oct worked): 10 visits a working day.
    # W40 (28 Sep - 4 Oct) holds Oct 1-4: no working day -> 0;  W41 (5-11 Oct): Fri 9 + Sat 10 = 2 -> 20
    assert _week(book, "2026-W40", metric="visits") == pytest.approx(0.0)
    assert _week(book, "2026-W41", metric="visits") == pytest.approx(20.0)
    assert _week(book, "2026-W42", metric="visits") == pytest.approx(50.0)


def test_levels_products_and_most_specific_period() -> None:
    cfg = config()
    f = frames(
        cfg,
        targets=[
            _t("2026", "rep", "R001", sales=120_000.0),
            _t("2026-11", "rep", "R001", sales=1_000.0),  # the month wins over the year for November
            _t("2026-11", "rep", "R002", sales=2_000.0),
            _t("2026-11", "rep", "R003", product="A", sales=100.0),  # products summed: 300
            _t("2026-11", "rep", "R003", product="B", sales=200.0),
            _t("2026-11", "rep", "R004", sales=500.0),  # a total row: product rows ignored
            _t("2026-11", "rep", "R004", product="A", sales=100.0),
            _t("2026-11", "region", "华南", sales=5_000.0),  # explicit region (by its Chinese label)
            _t("2026-11", "rep", "R005", sales=700.0, visits=50.0),
        ],
    )
    book = build_targets(f, cfg)
    t = book.for_period(mtd_period(date(2026, 11, 23)))
    assert t.loc[("rep", "R001"), "sales"] == pytest.approx(1_000.0)
    assert t.loc[("rep", "R003"), "sales"] == pytest.approx(300.0)
    assert t.loc[("rep", "R004"), "sales"] == pytest.approx(500.0)
    # east has no explicit target: 1,000 + 2,000 + 300 + 500 = 3,800
    assert t.loc[("region", "east"), "sales"] == pytest.approx(3_800.0)
    # south's explicit 5,000 wins over its reps' 700; its visits were not set -> the reps' 50
    assert t.loc[("region", "south"), "sales"] == pytest.approx(5_000.0)
    assert t.loc[("region", "south"), "visits"] == pytest.approx(50.0)
    # company = east 3,800 + south 5,000 (north has none)
    assert t.loc[("company", ""), "sales"] == pytest.approx(8_800.0)
    assert ("region", "north") not in t.index or np.isnan(t.loc[("region", "north"), "sales"])
    # December still comes from the year: 120,000 / 12
    dec = book.months().set_index(["level", "owner", "month"])
    assert dec.loc[("rep", "R001", "2026-12"), "sales"] == pytest.approx(10_000.0)
    # QTD = whole quarter: Oct 10,000 + Nov 1,000 + Dec 10,000
    assert book.for_period(qtd_period(date(2026, 11, 23))).loc[("rep", "R001"), "sales"] == pytest.approx(
        21_000.0
    )


def test_rep_going_live_mid_month_is_pro_rated() -> None:
    reps = [
        {"id": "R001", "name": "张伟", "region": "east", "go_live": "2026-10-01"},
        {"id": "R002", "name": "王芳", "region": "east", "go_live": "2026-11-16"},
    ]
    cfg = config(reps=reps, supervisors=[], managers=[])
    f = frames(cfg, targets=[_t("2026-11", "rep", "R002", sales=21_000.0)])
    book = build_targets(f, cfg)
    # working days from Mon 16 Nov: 16-20 (5) + 23-27 (5) + 30 (1) = 11 of November's 21
    # -> 21,000 x 11/21 = 11,000, split 5,000 / 5,000 / 1,000 over W47 / W48 / W49; nothing before
    assert book.months().set_index(["owner", "month"]).loc[("R002", "2026-11"), "sales"] == pytest.approx(
        11_000.0
    )
    assert _week(book, "2026-W46", owner="R002") == 0.0
    assert _week(book, "2026-W47", owner="R002") == pytest.approx(5_000.0)
    assert _week(book, "2026-W49", owner="R002") == pytest.approx(1_000.0)


def test_no_targets_gives_an_empty_book() -> None:
    cfg = config()
    book = build_targets(frames(cfg), cfg)
    assert book.pieces.empty
    assert book.for_period(mtd_period(date(2026, 11, 23))).empty


@settings(max_examples=200, deadline=None)
@given(
    total=st.floats(min_value=0, max_value=1e10, allow_nan=False),
    weights=st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=60),
)
def test_an_exact_split_conserves_the_total_and_keeps_each_share(total: float, weights: list[float]) -> None:
    parts = split_exact(total, weights)
    assert parts.sum() == pytest.approx(total, rel=1e-9, abs=1e-9)
    assert (parts >= 0).all()
    w = np.asarray(weights)
    if w.sum() > 0:
        # each share first: ``total * w`` would round a subnormal weight's product (5e-324 * 1.5)
        assert parts == pytest.approx(total * (w / w.sum()), rel=1e-12, abs=1e-12)


@settings(max_examples=25, deadline=None)
@given(
    cents=st.integers(min_value=0, max_value=10**11),
    period=st.sampled_from(["2026", "2026-Q1", "2026-Q4", "2026-02", "2026-10", "2027", "2026-12"]),
    weights=st.one_of(st.none(), st.lists(st.integers(min_value=0, max_value=50), min_size=12, max_size=12)),
)
def test_target_pieces_conserve_the_total(cents: int, period: str, weights: list[int] | None) -> None:
    if weights is not None and sum(weights) == 0:
        weights = None
    # R001 goes live 2025-01-01 here so nothing is pro-rated away
    reps = [{"id": "R001", "name": "张伟", "region": "east", "go_live": "2025-01-01"}]
    cfg = config(reps=reps, supervisors=[], managers=[], targets={"monthly_weights": weights})
    amount = cents / 100
    f = frames(cfg, targets=[_t(period, "rep", "R001", sales=amount)])
    book = build_targets(f, cfg)
    rep = book.pieces[book.pieces["level"] == "rep"]
    assert rep["sales"].sum() == pytest.approx(amount, rel=1e-12, abs=1e-9)
    by_month = rep.groupby("month")["sales"].sum()  # each month's week pieces add up to its share
    assert by_month.sum() == pytest.approx(amount, rel=1e-12, abs=1e-9)


def test_a_weekly_target_of_0_476_new_customers_is_not_rounded_before_attainment() -> None:
    """Issue 13: 2 new customers a month is 2 x 5/21 = 0.476 for a five-day week of November's 21
    working days; one new customer is 210 % of that. Rounded to the cent first (0.48 or 0.47), the
    attainment was 208 % or 213 %."""
    cfg = config()
    f = frames(
        cfg,
        targets=[_t("2026-11", "rep", "R001", new_customers=2.0)],
        customers=[customer("C1", "R001", created="2026-11-17")],
    )
    out = compute_all(f, cfg, "2026-W47", as_of=date(2026, 11, 22))
    row = out["scorecards"]["week"].set_index(["level", "owner"]).loc[("rep", "R001")]
    assert row["new_customers"] == 1
    assert row["new_customers_target"] == 2 * 5 / 21
    assert row["new_customers_attainment"] == 1 / (2 * 5 / 21)
    assert f"{row['new_customers_attainment']:.2f}" == "2.10"
    shown = to_json(out, WorkCalendar(cfg), datetime(2026, 11, 22, 21))  # what `figures --json` prints
    card = next(r for r in shown["scorecards"]["week"] if r["owner"] == "R001")
    assert card["new_customers_target"] == 0.476190476190476  # every digit a double holds reliably
    assert card["new_customers_attainment"] == 2.1
    month = next(r for r in shown["scorecards"]["mtd"] if r["owner"] == "R001")
    assert (
        month["new_customers_target"] == 2
    )  # exact shares adding up to 2 are written 2, not 1.9999999999999998


def test_period_spellings() -> None:
    from automation.score.targets import _parse_period

    assert (
        _parse_period("2026-Q4") == _parse_period("2026q4") == ("quarter", ["2026-10", "2026-11", "2026-12"])
    )
    assert _parse_period("2026-1") == _parse_period("202601") == ("month", ["2026-01"])
    assert _parse_period("2026")[0] == "year"  # type: ignore[index]
    assert _parse_period("2026-13") is None and _parse_period("next year") is None
