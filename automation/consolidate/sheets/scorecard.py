"""Rep scorecard: every rep, region and the company for the week, MTD, QTD and YTD (one table,
filtered by period), targets against actuals with status colours. The figures are the score stage's
scorecards as they are, so they equal ``salesflow figures --json`` cell for cell."""

from __future__ import annotations

import pandas as pd
from xlsxwriter.worksheet import Worksheet

from automation.consolidate.book import Book, list_sheet
from automation.consolidate.table import Col
from automation.core.texts.workbooks import say

KEY = "scorecard"
PERIODS = ("week", "mtd", "qtd", "ytd")
# (scorecard column, kind); money, rates and statuses take the formats named in style.py
FIGURES: list[tuple[str, str]] = [
    ("visits", "int"), ("planned", "int"), ("plan_completion", "pct"), ("effective_rate", "pct"),
    ("transaction_rate", "pct"), ("sales", "money"), ("sales_target", "money"), ("sales_attainment", "pct"),
    ("pace", "pct"), ("sales_status", "status"), ("sales_forecast", "money"), ("gross_margin", "money"),
    ("gross_margin_target", "money"), ("gross_margin_attainment", "pct"), ("gross_margin_status", "status"),
    ("collections", "money"), ("collections_target", "money"), ("collections_attainment", "pct"),
    ("collections_status", "status"), ("visits_target", "number"), ("visits_attainment", "pct"),
    ("visits_status", "status"), ("new_customers", "int"), ("new_customers_target", "number"),
    ("new_customers_attainment", "pct"), ("new_customers_status", "status"), ("expense", "money"),
    ("expense_per_visit", "money"), ("avg_sales_per_rep_week", "money"), ("on_time_rate", "pct"),
    ("first_time_rate", "pct"), ("complaints_open", "int"), ("complaints_overdue", "int"),
    ("customers_overdue", "int"), ("customers_at_risk", "int"),
]  # fmt: skip


def rows(book: Book) -> pd.DataFrame:
    """The four periods' scorecards stacked, with the period and a display name per row."""
    reps, regions = book.rep_names(), book.region_labels()
    parts = []
    for kind in PERIODS:
        sc = book.result["scorecards"][kind]
        key = book.result["periods"][kind].key
        name = [
            reps.get(o, o) if lv == "rep" else regions.get(o, o) if lv == "region" else book.config.company
            for lv, o in zip(sc["level"], sc["owner"], strict=True)
        ]
        parts.append(sc.assign(period=say(f"period_{kind}", book.lang, period=key), display=name, kind=kind))
    return pd.concat(parts, ignore_index=True)


def columns(book: Book) -> list[Col]:
    lb = book.labels
    status = {s: lb.value(s) for s in ("green", "amber", "red")}
    head = [
        Col("period", "text", lb.header("period")),
        Col("level", "label", lb.header("level"), {k: lb.value(k) for k in ("rep", "region", "company")}),
        Col("owner", "id", lb.header("id")),
        Col("display", "text", lb.header("name")),
        Col("region", "label", lb.header("region"), book.region_labels()),
    ]
    figures = [Col(k, kind, lb.header(k), status if kind == "status" else None) for k, kind in FIGURES]
    return head + figures


def write(ws: Worksheet, book: Book) -> None:
    df = rows(book)
    note = say("note_scorecard", book.lang, amber=book.config.thresholds.amber_ratio)
    placed = list_sheet(ws, book, KEY, note, df, columns(book), freeze_cols=4)
    # the summary's chart of sales against target reads the week's rep rows (region workbook) or
    # region rows (company workbook): contiguous, since each scorecard lists reps, regions, company
    level = "region" if book.region is None else "rep"
    at = df.index[(df["kind"] == "week") & (df["level"] == level)]
    if len(at):
        book.anchors["chart_rows"] = (placed.header_row + 1 + int(at[0]), placed.header_row + 1 + int(at[-1]))
