"""Customers: every customer of the reader's scope with its ABC grade (company-wide), RFM segment,
last visit, next due date, visit status and churn risk — the score stage's customer sheet."""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from automation.consolidate.book import Book, list_sheet
from automation.consolidate.table import Col
from automation.consolidate.texts import say

KEY = "customers"
VISIT_STATUSES = ("overdue", "due", "ok", "never_visited", "never_visited_overdue")
CHURN = ("interval", "drop", "interval+drop")


def write(ws: Worksheet, book: Book) -> None:
    lb = book.labels
    df = book.result["customers"]
    df = df.assign(owner_name=df["owner"].map(book.rep_names()).fillna(df["owner"]))
    segment = "segment_zh" if book.lang == "zh" else "segment_en"
    visit = {k: lb.value(k) for k in VISIT_STATUSES}
    cols = [
        Col("customer_id", "id", lb.header("customer_id")),
        Col("name", "text", lb.header("customer")),
        Col("owner_name", "text", lb.header("owner")),
        Col("region", "label", lb.header("region"), book.region_labels()),
        Col("stage", "label", lb.header("stage"), lb.choices("customer_register", "stage")),
        Col("grade", "text", lb.header("grade"), width=7),
        Col("sales_12m", "money", lb.header("sales_12m"), bar=True),
        Col(segment, "text", lb.header("segment")),
        Col("last_visit", "date", lb.header("last_visit")),
        Col("days_since", "int", lb.header("days_since")),
        Col("next_due", "date", lb.header("next_due")),
        Col("visit_status", "label", lb.header("visit_status"), visit,
            rules=(("equal to", visit["overdue"], "red"), ("equal to", visit["never_visited_overdue"], "red"),
                   ("equal to", visit["due"], "amber"))),
        Col("churn_risk", "label", lb.header("churn_risk"), {k: lb.value(k) for k in CHURN},
            rules=tuple(("equal to", lb.value(k), "red") for k in CHURN)),
    ]  # fmt: skip
    note = say("note_customers", book.lang, as_of=book.result["as_of"].isoformat())
    list_sheet(ws, book, KEY, note, df, cols, freeze_cols=2)
