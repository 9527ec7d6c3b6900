"""ABC grades and the Pareto table (automation/figures/abc.py), by hand and as properties."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from automation.score.abc import abc, classify, pareto
from tests.figures_cases import config, customer, frames, visit

AS_OF = date(2026, 11, 23)


def _orders(sales: dict[str, float], day: str = "2026-06-01") -> list[dict[str, object]]:
    return [
        visit("R001", day, cid, "deal", order_amount=amount) for cid, amount in sales.items() if amount > 0
    ]


def test_abc_worked_by_hand() -> None:
    cfg = config()
    visits = _orders({"C1": 500, "C2": 300, "C3": 150, "C4": 50})
    visits.append(visit("R001", "2026-06-01", "C5", "interested"))  # visited, no order
    visits.append(visit("R001", "2025-11-20", "C7", "deal", order_amount=999.0))  # before the 12 months
    custs = [customer(c) for c in ("C1", "C2", "C3", "C4", "C5", "C6", "C7")]
    table = abc(frames(cfg, visits=visits, customers=custs), cfg, AS_OF)
    # total 1,000; share of the customers before: C1 0, C2 .50, C3 .80, C4 .95
    # A while that is below .80 -> C1, C2; B while below .95 -> C3; C4 and everyone without sales -> C
    assert dict(zip(table["customer_id"], table["grade"], strict=True)) == {
        "C1": "A", "C2": "A", "C3": "B", "C4": "C", "C5": "C", "C6": "C", "C7": "C",
    }  # fmt: skip
    assert table["rank"].tolist() == list(range(1, 8))
    assert table["customer_id"].tolist()[:4] == ["C1", "C2", "C3", "C4"]
    assert table["cum_share"].tolist()[:4] == [0.5, 0.8, 0.95, 1.0]
    p = pareto(table).set_index("grade")
    assert p.loc["A", "customers"] == 2 and p.loc["A", "sales"] == 800.0 and p.loc["A", "sales_share"] == 0.8
    assert p.loc["B", "sales"] == 150.0 and p.loc["C", "customers"] == 4
    assert p.loc["C", "customer_share"] == 4 / 7


def test_ties_are_broken_by_customer_id() -> None:
    cfg = config()
    visits = _orders({"X3": 20, "X1": 60, "X2": 20})
    table = abc(frames(cfg, visits=visits), cfg, AS_OF)
    # X1 60 (before 0) A; X2 and X3 tie at 20: X2 first, before .60 -> A; X3 before .80 -> not below .80 -> B
    assert table["customer_id"].tolist() == ["X1", "X2", "X3"]
    assert table["grade"].tolist() == ["A", "A", "B"]


def test_no_sales_at_all_makes_everyone_c() -> None:
    cfg = config()
    table = abc(frames(cfg, customers=[customer("C1"), customer("C2")]), cfg, AS_OF)
    assert table["grade"].tolist() == ["C", "C"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=80))
def test_classes_partition_and_a_is_the_shortest_prefix_crossing_80(cents: list[int]) -> None:
    ordered = np.array(sorted(cents, reverse=True), dtype=np.int64)
    grades = classify(ordered, 0.80, 0.95)
    assert len(grades) == len(ordered) and set(grades) <= {"A", "B", "C"}
    total = int(ordered.sum())
    n_a = int((grades == "A").sum())
    if total == 0:
        assert n_a == 0
        return
    cum = np.cumsum(ordered)
    # the shortest prefix whose cumulative share reaches 80 %
    k = next(i + 1 for i in range(len(cum)) if Fraction(int(cum[i]), total) >= Fraction(4, 5))
    assert n_a == k
    assert list(grades[:n_a]) == ["A"] * n_a  # A is a prefix, then B, then C
    order = {"A": 0, "B": 1, "C": 2}
    ranks = [order[g] for g in grades]
    assert ranks == sorted(ranks)
    kb = next(i + 1 for i in range(len(cum)) if Fraction(int(cum[i]), total) >= Fraction(19, 20))
    assert int((grades != "C").sum()) == kb - int(ordered[:kb].tolist().count(0))
    assert all(g == "C" for g, c in zip(grades, ordered, strict=True) if c == 0)


@settings(max_examples=30, deadline=None)
@given(st.dictionaries(st.sampled_from([f"C{i:02d}" for i in range(30)]), st.integers(1, 10**6), min_size=1))
def test_abc_on_frames_ranks_by_sales_then_id(sales: dict[str, int]) -> None:
    cfg = config()
    table = abc(frames(cfg, visits=_orders({k: v / 100 for k, v in sales.items()})), cfg, AS_OF)
    expected = sorted(sales, key=lambda c: (-sales[c], c))
    assert table["customer_id"].tolist() == expected
