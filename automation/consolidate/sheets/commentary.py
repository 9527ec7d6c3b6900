"""The supervisors' returned weekly management reports: their commentary, then each rep's targets
and plan for next week (SPEC §2.6), as the supervisors typed them (text, never formulas)."""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from automation.consolidate.book import FIRST_TABLE_ROW, TABLE_NAMES, Book, print_setup, sheet_top
from automation.consolidate.table import Col, write_table
from automation.core.texts.workbooks import say

KEY = "commentary"
FORM = "weekly_report"
GAP = 3  # rows between the two tables (one for the second table's title)


def write(ws: Worksheet, book: Book) -> None:
    lb = book.labels
    regions = book.region_labels()
    h = lambda key: lb.header(key, FORM)  # noqa: E731
    reports = [
        Col("region", "label", lb.header("region"), regions),
        Col("supervisor", "text", lb.header("supervisor")),
        Col("received_at", "datetime", lb.header("received_at")),
        Col("competitor_dynamics", "wrap", h("competitor_dynamics"), width=44),
        Col("abnormal_customers", "wrap", h("abnormal_customers"), width=44),
        Col("issues_measures", "wrap", h("issues_measures"), width=44),
    ]
    targets = [
        Col("region", "label", lb.header("region"), regions),
        Col("rep_id", "id", lb.header("rep_id")),
        Col("name", "text", lb.header("rep")),
        Col("visits", "int", h("visits")),
        Col("sales", "money", h("sales")),
        Col("new_customers", "int", h("new_customers")),
        Col("collections", "money", h("collections")),
        Col("target_sales", "money", h("target_sales")),
        Col("target_visits", "int", h("target_visits")),
        Col("target_new_customers", "int", h("target_new_customers")),
        Col("plan", "wrap", h("plan"), width=44),
    ]
    sheet_top(ws, book, KEY, say("note_commentary", book.lang), len(targets))
    first = write_table(
        ws, book.st, book.result["weekly_reports"], reports, name=TABLE_NAMES["commentary"], top=FIRST_TABLE_ROW,
        yes_no=book.yes_no, set_widths=True,
    )  # fmt: skip
    top = first.last_row + GAP
    ws.merge_range(top - 1, 0, top - 1, 2, "", book.st["block"])
    ws.write_string(top - 1, 0, say("note_commentary_targets", book.lang), book.st["block"])
    second = write_table(
        ws, book.st, book.result["weekly_targets"], targets, name=TABLE_NAMES["commentary_targets"], top=top,
        yes_no=book.yes_no, set_widths=False, freeze=False,
    )  # fmt: skip
    for c, width in second.widths.items():  # the tables share columns: each as wide as the wider needs
        ws.set_column(c, c, max(width, first.widths.get(c, 0.0)))
    print_setup(ws, book, None)
    book.placed[KEY] = first
