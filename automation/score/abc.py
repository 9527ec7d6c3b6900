"""ABC classification and its Pareto table (SPEC §3).

Customers are ranked by trailing-12-month sales, highest first, ties by customer id (ascending).
A customer is A while the cumulative share of the customers *before* it is below the A threshold
(default 80 %, so the customer that crosses 80 % is still A), B likewise for the B threshold
(95 %), C the rest; customers with no sales in the window are C.

The trailing window is the ``thresholds.trailing_days`` (365) days ending on ``as_of``:
``as_of - 365 < date <= as_of``. Shares are compared exactly, on integer cents against the threshold
as a fraction, so a customer sitting exactly on 80 % is decided the same way by every machine.
Grades are company-wide (one customer has one grade); a region's view filters this table.
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import numpy as np
import pandas as pd

from automation.core.config import Config
from automation.core.frames import LedgerFrames
from automation.score.common import lookup, str_index, whole_cents

GRADES = ("A", "B", "C")
COLUMNS = [
    "customer_id",
    "name",
    "owner",
    "region",
    "stage",
    "sales_12m",
    "rank",
    "share",
    "cum_share",
    "grade",
]


def trailing_sales(frames: LedgerFrames, as_of: date, days: int) -> pd.Series:
    """Sales per customer id over ``as_of - days < date <= as_of``."""
    v = frames.visits[["customer_id", "date", "order_amount"]]
    lo, hi = pd.Timestamp(as_of - timedelta(days=days)), pd.Timestamp(as_of)
    v = v[(v["date"] > lo) & (v["date"] <= hi) & v["customer_id"].notna()]
    return str_index(v.groupby("customer_id", observed=True)["order_amount"].sum(min_count=1).fillna(0.0))


def customer_table(frames: LedgerFrames, extra_ids: pd.Index) -> pd.DataFrame:
    """The register, plus customers seen only in visits (no register row), one row per id."""
    c = frames.customers[["customer_id", "name", "owner", "region", "stage", "created"]].drop_duplicates(
        "customer_id"
    )
    c = c.assign(customer_id=c["customer_id"].astype(str))
    missing = extra_ids[~extra_ids.isin(c["customer_id"])]
    if len(missing):
        c = pd.concat([c, pd.DataFrame({"customer_id": missing})], ignore_index=True)
    return c


def classify(sales_cents: np.ndarray, a: float, b: float) -> np.ndarray:
    """Grades for customers already sorted best first; exact integer comparison of shares."""
    cents = np.asarray(sales_cents, dtype=np.int64)
    total = int(cents.sum())
    grade = np.full(len(cents), "C", dtype=object)
    if total <= 0:
        return grade
    before = np.cumsum(cents) - cents
    fa, fb = Fraction(str(a)), Fraction(str(b))
    # before / total < a   <=>   before * den < num * total
    is_a = before * fa.denominator < fa.numerator * total
    is_b = ~is_a & (before * fb.denominator < fb.numerator * total)
    grade[is_a] = "A"
    grade[is_b] = "B"
    grade[cents <= 0] = "C"
    return grade


def abc(frames: LedgerFrames, config: Config, as_of: date) -> pd.DataFrame:
    """Every customer with its trailing sales, rank, share, cumulative share and grade."""
    sales = trailing_sales(frames, as_of, config.thresholds.trailing_days)
    c = customer_table(frames, sales.index)
    c["sales_12m"] = whole_cents(lookup(c["customer_id"], sales).fillna(0.0))
    c = c.sort_values(["sales_12m", "customer_id"], ascending=[False, True], ignore_index=True)
    cents = np.rint(c["sales_12m"].to_numpy() * 100).astype(np.int64)
    total = cents.sum()
    c["rank"] = np.arange(1, len(c) + 1)
    c["share"] = cents / total if total else 0.0
    c["cum_share"] = np.cumsum(cents) / total if total else 0.0
    c["grade"] = classify(cents, config.thresholds.abc.a, config.thresholds.abc.b)
    return c[COLUMNS]


def pareto(table: pd.DataFrame) -> pd.DataFrame:
    """Per grade: customers, share of customers, sales, share of sales (rows A, B, C)."""
    g = (
        table.groupby("grade")["sales_12m"]
        .agg(customers="size", sales="sum")
        .reindex(list(GRADES), fill_value=0)
    )
    n, s = g["customers"].sum(), g["sales"].sum()
    g["customer_share"] = g["customers"] / n if n else 0.0
    g["sales_share"] = g["sales"] / s if s else 0.0
    g["sales"] = whole_cents(g["sales"])
    return g.reset_index()[["grade", "customers", "customer_share", "sales", "sales_share"]]


PARETO_POINTS = 20


def pareto_curve(table: pd.DataFrame, points: int = PARETO_POINTS) -> pd.DataFrame:
    """The Pareto curve: the share of sales held by the best ``k / points`` of the customers.

    Rows ``customer_share`` (0, 1/points, ..., 1) and ``sales_share`` (cumulative, best customers
    first; the customer count at each step is rounded to the nearest whole customer). A chart of
    ``points + 1`` rows shows the curve of a 20,000-customer register; with no sales every share is 0.
    """
    sales = np.sort(table["sales_12m"].to_numpy(dtype=float))[::-1]
    n = len(sales)
    cum = np.concatenate([[0.0], np.cumsum(sales)])
    total = cum[-1]
    steps = np.arange(points + 1) / points
    counts = np.rint(steps * n).astype(int)
    share = cum[counts] / total if total > 0 else np.zeros(points + 1)
    return pd.DataFrame({"customer_share": steps, "sales_share": share})
