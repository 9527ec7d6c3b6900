"""Complaints with their SLA state: every open one and the week's, working days against the limit."""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from automation.consolidate.book import Book, list_sheet
from automation.consolidate.table import Col
from automation.core.texts.workbooks import say

KEY = "complaints"
FORM = "complaint"


def write(ws: Worksheet, book: Book) -> None:
    lb = book.labels
    df = book.result["complaint_sheet"]
    df = df.assign(rep_name=df["rep_id"].map(book.rep_names()).fillna(df["rep_id"]))
    h = lambda key: lb.header(key, FORM)  # noqa: E731
    yes = book.yes_no[0]
    cols = [
        Col("complaint_id", "id", h("complaint_id")),
        Col("received", "date", h("received")),
        Col("customer_id", "id", lb.header("customer_id")),
        Col("customer", "text", lb.header("customer")),
        Col("rep_name", "text", lb.header("rep")),
        Col("region", "label", lb.header("region"), book.region_labels()),
        Col("category", "label", h("category"), lb.choices(FORM, "category")),
        Col("severity", "label", h("severity"), lb.choices(FORM, "severity")),
        Col("status", "label", h("status"), lb.choices(FORM, "status")),
        Col("description", "wrap", h("description")),
        Col("resolution", "wrap", h("resolution")),
        Col("resolved", "date", h("resolved")),
        Col("working_days", "int", lb.header("working_days")),
        Col("limit", "int", lb.header("limit")),
        Col("overdue", "flag", lb.header("overdue"), rules=(("equal to", yes, "red"),)),
        Col("satisfied", "bool", h("satisfied")),
    ]
    note = say("note_complaints", book.lang, as_of=book.result["as_of"].isoformat())
    list_sheet(ws, book, KEY, note, df, cols, freeze_cols=1)
