"""The week's market reports, high severity first."""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from automation.consolidate.book import Book, list_sheet
from automation.consolidate.table import Col
from automation.core.texts.workbooks import say

KEY = "market"
FORM = "market_report"


def write(ws: Worksheet, book: Book) -> None:
    lb = book.labels
    df = book.result["market"]
    df = df.assign(rep_name=df["rep_id"].map(book.rep_names()).fillna(df["rep_id"]))
    h = lambda key: lb.header(key, FORM)  # noqa: E731
    severity = lb.choices(FORM, "severity")
    cols = [
        Col("date", "date", lb.header("date")),
        Col("rep_name", "text", lb.header("rep")),
        Col("region", "label", lb.header("region"), book.region_labels()),
        Col("customer", "text", lb.header("customer")),
        Col("category", "label", h("category"), lb.choices(FORM, "category")),
        Col("competitor", "text", h("competitor")),
        Col("description", "wrap", h("description")),
        Col("severity", "label", h("severity"), severity,
            rules=(("equal to", severity.get("high", "high"), "red"), ("equal to", severity.get("medium", "medium"), "amber"))),
        Col("suggestion", "wrap", h("suggestion")),
    ]  # fmt: skip
    list_sheet(ws, book, KEY, say("note_market", book.lang), df, cols, freeze_cols=2)
