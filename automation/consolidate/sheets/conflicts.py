"""Register conflicts for the manager to settle: who owns the customer, who claimed it, what they sent."""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from automation.consolidate.book import Book, list_sheet
from automation.consolidate.table import Col
from automation.core.texts.workbooks import say

KEY = "conflicts"


def write(ws: Worksheet, book: Book) -> None:
    lb = book.labels
    regions = book.region_labels()
    cols = [
        Col("created_at", "datetime", lb.header("created_at")),
        Col("customer_id", "id", lb.header("customer_id")),
        Col("customer", "text", lb.header("customer")),
        Col("owner_name", "text", lb.header("owner")),
        Col("owner", "id", lb.header("owner_id")),
        Col("region", "label", lb.header("region"), regions),
        Col("claimed_name", "text", lb.header("claimed_name")),
        Col("claimed_by", "id", lb.header("claimed_by")),
        Col("claimed_region", "label", lb.header("claimed_region"), regions),
        Col("sent_name", "text", lb.header("sent_name")),
        Col("sent_contact", "text", lb.header("sent_contact")),
        Col("sent_phone", "id", lb.header("sent_phone")),
        Col("sent_stage", "label", lb.header("sent_stage"), lb.choices("customer_register", "stage")),
    ]
    list_sheet(ws, book, KEY, say("note_conflicts", book.lang), book.result["conflicts"], cols, freeze_cols=3)
