"""RFM scores and segments (automation/figures/rfm.py) by hand."""

from __future__ import annotations

from datetime import date

import numpy as np

from automation.score.rfm import SEGMENTS, rfm, score
from tests.figures_cases import config, frames, visit

AS_OF = date(2026, 11, 23)


def _o(cid: str, day: str, amount: float) -> dict[str, object]:
    return visit("R001", day, cid, "deal", order_amount=amount)


ORDERS = [
    _o("C1", "2026-11-20", 1000), _o("C1", "2026-10-01", 500), _o("C1", "2026-06-01", 500),
    _o("C2", "2026-11-01", 3000),
    _o("C3", "2026-09-01", 100), _o("C3", "2026-09-15", 100),
    _o("C4", "2025-10-01", 5000),  # ordered once, more than 12 months ago
    _o("C5", "2026-11-20", 100),
]  # fmt: skip


def test_rfm_worked_by_hand() -> None:
    cfg = config()
    visits = [*ORDERS, visit("R001", "2026-11-21", "C6", "interested")]  # C6 never ordered: not scored
    out = rfm(frames(cfg, visits=visits), cfg, AS_OF).set_index("customer_id")
    assert list(out.index) == ["C1", "C2", "C3", "C4", "C5"]
    # recency (days): C1 3, C2 22, C3 69, C4 418, C5 3; frequency: 3, 1, 2, 0, 1; monetary: 2000, 3000, 200, 0, 100
    assert out["recency"].tolist() == [3, 22, 69, 418, 3]
    assert out["frequency"].tolist() == [3, 1, 2, 0, 1]
    assert out["monetary"].tolist() == [2000.0, 3000.0, 200.0, 0.0, 100.0]
    # n = 5, so score = ceil(5 x position / 5) = position, counted from worst to best, ties by id:
    # R: C4(418) 1, C3(69) 2, C2(22) 3, C1(3) 4, C5(3) 5
    # F: C4(0) 1, C2(1) 2, C5(1) 3, C3(2) 4, C1(3) 5
    # M: C4(0) 1, C5(100) 2, C3(200) 3, C1(2000) 4, C2(3000) 5
    assert out["r"].tolist() == [4, 3, 2, 1, 5]
    assert out["f"].tolist() == [5, 2, 4, 1, 3]
    assert out["m"].tolist() == [4, 5, 3, 1, 2]
    # high = score >= 3: C1 RFM champion; C2 R,M promising; C3 F,M at-risk loyal; C4 none lost small; C5 R,F loyal small
    assert out["segment"].tolist() == ["champion", "promising", "at_risk_loyal", "lost_small", "loyal_small"]
    assert out.loc["C2", "segment_zh"] == "重要发展客户"


def test_score_formula_with_three_customers() -> None:
    # ceil(5 x 1/3) = 2, ceil(5 x 2/3) = 4, ceil(5 x 3/3) = 5
    ids = np.array(["a", "b", "c"])
    assert score(np.array([10.0, 20.0, 30.0]), ids, worst_first_desc=False).tolist() == [2, 4, 5]
    assert score(np.array([10.0, 20.0, 30.0]), ids, worst_first_desc=True).tolist() == [5, 4, 2]


def test_every_segment_has_both_labels() -> None:
    assert len(SEGMENTS) == 8
    assert SEGMENTS[(False, False, True)] == ("hibernating_big", "重要挽留客户", "hibernating big")
    assert SEGMENTS[(True, False, False)][1] == "一般发展客户"
    assert SEGMENTS[(False, True, False)][1] == "一般保持客户"


def test_no_orders_gives_an_empty_table() -> None:
    cfg = config()
    assert rfm(frames(cfg, visits=[visit("R001", "2026-11-02", "C1")]), cfg, AS_OF).empty
