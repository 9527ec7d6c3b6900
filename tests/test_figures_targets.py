"""Target splits (automation/figures/targets.py): months, weeks, levels, go-live, cents conserved."""

from __future__ import annotations

from datetime import date

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from automation.figures.targets import build_targets, split_cents
from automation.workcal import mtd_period, qtd_period, week_period
from tests.figures_cases import config, frames


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
    # 100,000 x 5/21 = 23,809.5238 -> 2,380,952 cents + .38; 100,000 x 1/21 = 4,761.9047 -> 476,190 + .90
    # floors sum to 4 x 2,380,952 + 476,190 = 9,999,998 cents: 2 cents left, to the largest remainders:
    # W49 (.90) and then the earliest .38 piece, W45.
    assert _week(book, "2026-W45") == 23_809.53
    assert [_week(book, k) for k in ("2026-W46", "2026-W47", "2026-W48")] == [23_809.52] * 3
    # W49 also takes a share of December (23 working days): pieces 4/23 (W49, Tue 1 - Fri 4), 5/23 x 3, 4/23 (W53).
    # 100,000 x 4/23 = 1,739,130.43 cents, x 5/23 = 2,173,913.04: floors 2 x 1,739,130 + 3 x 2,173,913 = 9,999,999,
    # the cent left goes to the first .43 piece, W49: 17,391.31. So W49 = 4,761.91 (Nov) + 17,391.31 (Dec).
    assert _week(book, "2026-W49") == 22_153.22
    nov = book.pieces[(book.pieces["owner"] == "R001") & (book.pieces["month"] == "2026-11")]
    assert round(nov["sales"].sum(), 2) == 100_000.00  # conserved to the cent


def test_quarter_split_by_monthly_weights() -> None:
    weights = [1.0] * 9 + [10.0, 11.0, 12.0]
    cfg = config(targets={"monthly_weights": weights})
    f = frames(cfg, targets=[_t("2026-Q4", "rep", "R001", sales=3_000.0)])
    m = build_targets(f, cfg).months().set_index(["level", "owner", "month"])["sales"]
    # 3,000 x 10/33 = 909.0909, x 11/33 = 1,000, x 12/33 = 1,090.9090: cents floors 90,909 + 100,000 + 109,090
    # = 299,999; the one cent left goes to December (.909 > .0909)
    assert m[("rep", "R001", "2026-10")] == 909.09
    assert m[("rep", "R001", "2026-11")] == 1_000.00
    assert m[("rep", "R001", "2026-12")] == 1_090.91


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
    assert _week(book, "2026-W53") == 5_000.0
    # 2027-W01 (4-8 Jan): 21,000 x 5/21
    assert _week(book, "2027-W01") == 5_000.0


def test_week_with_holidays_and_a_make_up_workday() -> None:
    cfg = config()
    f = frames(cfg, targets=[_t("2026-10", "rep", "R001", visits=170.0)])
    book = build_targets(f, cfg)
    # October 2026 has 17 working days (holidays 1,2,5-8 Oct; Sat 10 Oct worked): 10 visits a working day.
    # W40 (28 Sep - 4 Oct) holds Oct 1-4: no working day -> 0;  W41 (5-11 Oct): Fri 9 + Sat 10 = 2 -> 20
    assert _week(book, "2026-W40", metric="visits") == 0.0
    assert _week(book, "2026-W41", metric="visits") == 20.0
    assert _week(book, "2026-W42", metric="visits") == 50.0


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
    assert t.loc[("rep", "R001"), "sales"] == 1_000.0
    assert t.loc[("rep", "R003"), "sales"] == 300.0
    assert t.loc[("rep", "R004"), "sales"] == 500.0
    # east has no explicit target: 1,000 + 2,000 + 300 + 500 = 3,800
    assert t.loc[("region", "east"), "sales"] == 3_800.0
    # south's explicit 5,000 wins over its reps' 700; its visits were not set -> the reps' 50
    assert t.loc[("region", "south"), "sales"] == 5_000.0
    assert t.loc[("region", "south"), "visits"] == 50.0
    # company = east 3,800 + south 5,000 (north has none)
    assert t.loc[("company", ""), "sales"] == 8_800.0
    assert ("region", "north") not in t.index or np.isnan(t.loc[("region", "north"), "sales"])
    # December still comes from the year: 120,000 / 12
    dec = book.months().set_index(["level", "owner", "month"])
    assert dec.loc[("rep", "R001", "2026-12"), "sales"] == 10_000.0
    # QTD = whole quarter: Oct 10,000 + Nov 1,000 + Dec 10,000
    assert book.for_period(qtd_period(date(2026, 11, 23))).loc[("rep", "R001"), "sales"] == 21_000.0


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
    assert book.months().set_index(["owner", "month"]).loc[("R002", "2026-11"), "sales"] == 11_000.0
    assert _week(book, "2026-W46", owner="R002") == 0.0
    assert _week(book, "2026-W47", owner="R002") == 5_000.0
    assert _week(book, "2026-W49", owner="R002") == 1_000.0


def test_no_targets_gives_an_empty_book() -> None:
    cfg = config()
    book = build_targets(frames(cfg), cfg)
    assert book.pieces.empty
    assert book.for_period(mtd_period(date(2026, 11, 23))).empty


@settings(max_examples=200, deadline=None)
@given(
    total=st.integers(min_value=0, max_value=10**12),
    weights=st.lists(st.floats(min_value=0, max_value=1e6, allow_nan=False), min_size=1, max_size=60),
)
def test_split_cents_conserves_the_total(total: int, weights: list[float]) -> None:
    parts = split_cents(total, weights)
    assert int(parts.sum()) == total
    assert (parts >= 0).all()
    w = np.asarray(weights)
    if w.sum() > 0:  # every part is within one cent of its exact share
        exact = total * w / w.sum()
        assert np.all(np.abs(parts - exact) < 1.0 + 1e-6 * max(total, 1))


@settings(max_examples=25, deadline=None)
@given(
    cents=st.integers(min_value=0, max_value=10**11),
    period=st.sampled_from(["2026", "2026-Q1", "2026-Q4", "2026-02", "2026-10", "2027", "2026-12"]),
    weights=st.one_of(st.none(), st.lists(st.integers(min_value=0, max_value=50), min_size=12, max_size=12)),
)
def test_target_pieces_conserve_the_total_to_the_cent(
    cents: int, period: str, weights: list[int] | None
) -> None:
    if weights is not None and sum(weights) == 0:
        weights = None
    # R001 goes live 2026-01-01 here so nothing is pro-rated away
    reps = [{"id": "R001", "name": "张伟", "region": "east", "go_live": "2025-01-01"}]
    cfg = config(reps=reps, supervisors=[], managers=[], targets={"monthly_weights": weights})
    amount = cents / 100
    f = frames(cfg, targets=[_t(period, "rep", "R001", sales=amount)])
    book = build_targets(f, cfg)
    rep = book.pieces[book.pieces["level"] == "rep"]
    assert round(rep["sales"].sum() * 100) == cents
    # and each month's week pieces add up to that month's share
    by_month = rep.groupby("month")["sales"].sum()
    assert round(by_month.sum() * 100) == cents
    cents_each = rep["sales"].to_numpy() * 100  # every piece is a whole number of cents
    assert np.all(np.abs(cents_each - np.rint(cents_each)) < 1e-3)


def test_period_spellings() -> None:
    from automation.figures.targets import _parse_period

    assert (
        _parse_period("2026-Q4") == _parse_period("2026q4") == ("quarter", ["2026-10", "2026-11", "2026-12"])
    )
    assert _parse_period("2026-1") == _parse_period("202601") == ("month", ["2026-01"])
    assert _parse_period("2026")[0] == "year"  # type: ignore[index]
    assert _parse_period("2026-13") is None and _parse_period("next year") is None
