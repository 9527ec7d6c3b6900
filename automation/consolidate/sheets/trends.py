"""The summary charts' data, as tables a manager can read and restyle charts from: the scope's last 8
weeks (sales against target), the Pareto curve and the ABC grades, and the week's funnel."""

from __future__ import annotations

import pandas as pd
from xlsxwriter.worksheet import Worksheet

from automation.consolidate.book import FIRST_TABLE_ROW, TABLE_NAMES, Book, print_setup, sheet_top
from automation.consolidate.table import Col, write_table
from automation.core.texts.workbooks import say

KEY = "trends"
GAP = 3
FUNNEL_STAGES = ("unqualified", "prospect", "opportunity", "customer", "active_user", "lost")


def scope_rows(book: Book, df: pd.DataFrame) -> pd.DataFrame:
    """The rows of the workbook's own scope: the company row, or the region's row."""
    if book.region is None:
        return df[df["level"] == "company"]
    return df[(df["level"] == "region") & (df["owner"] == book.region)]


def write(ws: Worksheet, book: Book) -> None:
    lb, st = book.labels, book.st
    res = book.result
    trend = scope_rows(book, res["history"]).reset_index(drop=True)
    trend_cols = [
        Col("week", "text", lb.header("week")),
        Col("sales", "money", lb.header("sales")),
        Col("sales_target", "money", lb.header("sales_target")),
        Col("sales_attainment", "pct", lb.header("sales_attainment")),
        Col("sales_status", "status", lb.header("sales_status"), book.status_labels),
        Col("visits", "int", lb.header("visits")),
        Col("visits_target", "number", lb.header("visits_target")),
        Col("gross_margin", "money", lb.header("gross_margin")),
        Col("collections", "money", lb.header("collections")),
        Col("new_customers", "int", lb.header("new_customers")),
        Col("effective_rate", "pct", lb.header("effective_rate")),
    ]
    sheet_top(ws, book, KEY, say("note_trends", book.lang), len(trend_cols))
    placed = {}
    top = FIRST_TABLE_ROW
    for key, title, df, cols in _tables(book, trend, trend_cols):
        ws.write_string(top - 1, 0, title, st["block"])
        placed[key] = write_table(
            ws, st, df, cols, name=TABLE_NAMES[key], top=top, yes_no=book.yes_no,
            status_labels=book.status_labels, set_widths=key == "trend", freeze=False,
        )  # fmt: skip
        top = placed[key].last_row + GAP
    for key, p in placed.items():
        book.placed[key] = p
    print_setup(ws, book, None)


def _tables(
    book: Book, trend: pd.DataFrame, trend_cols: list[Col]
) -> list[tuple[str, str, pd.DataFrame, list[Col]]]:
    lb, res = book.labels, book.result
    curve = res["pareto_curve"].assign(diagonal=res["pareto_curve"]["customer_share"])
    stages = lb.choices("customer_register", "stage")
    funnel = res["funnel"]["week"]
    scope = "" if book.region is None else book.region
    funnel = funnel[funnel["scope"] == scope].reset_index(drop=True)
    return [
        ("trend", say("trend_table", book.lang), trend, trend_cols),
        ("pareto", say("pareto_table", book.lang), curve, [
            Col("customer_share", "pct", lb.header("customer_share")),
            Col("sales_share", "pct", lb.header("sales_share")),
            Col("diagonal", "pct", lb.header("diagonal")),
        ]),
        ("abc", say("abc_table", book.lang), res["pareto"], [
            Col("grade", "text", lb.header("grade")),
            Col("customers", "int", lb.header("customers")),
            Col("customer_share", "pct", lb.header("customers_pct")),
            Col("sales", "money", lb.header("sales")),
            Col("sales_share", "pct", lb.header("sales_pct")),
        ]),
        ("funnel", say("funnel_table", book.lang), funnel, [
            Col("stage", "label", lb.header("stage"), stages),
            Col("at_end", "int", lb.header("at_end")),
            Col("in_period", "int", lb.header("in_period")),
            Col("moved_forward", "int", lb.header("moved_forward")),
            Col("conversion", "pct", lb.header("conversion")),
        ]),
    ]  # fmt: skip
