"""The week's visits, one row per visit report row, with what the rep wrote (as text, never a formula)."""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from automation.consolidate.book import Book, list_sheet
from automation.consolidate.table import Col
from automation.core.texts.workbooks import say

KEY = "visits"
FORM = "visit_report"


def write(ws: Worksheet, book: Book) -> None:
    lb = book.labels
    df = book.result["visits"]
    df = df.assign(rep_name=df["rep_id"].map(book.rep_names()).fillna(df["rep_id"]))
    h = lambda key: lb.header(key, FORM)  # noqa: E731 - the form's own labels
    cols = [
        Col("date", "date", lb.header("date")),
        Col("rep_name", "text", lb.header("rep")),
        Col("region", "label", lb.header("region"), book.region_labels()),
        Col("customer_id", "id", lb.header("customer_id")),
        Col("customer", "text", lb.header("customer")),
        Col("purpose", "label", h("purpose"), lb.choices(FORM, "purpose")),
        Col("outcome", "label", h("outcome"), lb.choices(FORM, "outcome")),
        Col("met_decision_maker", "flag", h("met_decision_maker")),
        Col("quoted", "flag", h("quoted")),
        Col("quote_amount", "money", h("quote_amount")),
        Col("order_amount", "money", h("order_amount"), bar=True),
        Col("gross_margin", "money", h("gross_margin")),
        Col("collection_amount", "money", h("collection_amount")),
        Col("expense", "money", h("expense")),
        Col("complaint", "wrap", h("complaint")),
        Col("competitor_info", "wrap", h("competitor_info")),
        Col("feedback", "wrap", h("feedback")),
        Col("next_visit", "date", h("next_visit")),
        Col("next_step", "wrap", h("next_step")),
    ]
    list_sheet(ws, book, KEY, say("note_visits", book.lang), df, cols, freeze_cols=2)
