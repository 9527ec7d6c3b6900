"""Follow-ups promised in visit reports that are overdue or due in the coming week, with the rep who
promised each (the one to act; nearly always the customer's owner, whose name the customer sheet has)."""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from automation.consolidate.book import Book, list_sheet
from automation.consolidate.table import Col
from automation.consolidate.texts import say
from automation.figures.followups import LOOKBACK_DAYS

KEY = "followups"


def write(ws: Worksheet, book: Book) -> None:
    lb = book.labels
    names = book.rep_names()
    df = book.result["followups"]
    df = df.assign(rep_name=df["rep_id"].map(names).fillna(df["rep_id"]))
    status = {k: lb.value(k) for k in ("overdue", "due")}
    cols = [
        Col("customer_id", "id", lb.header("customer_id")),
        Col("customer", "text", lb.header("customer")),
        Col("rep_name", "text", lb.header("promised_by")),
        Col("region", "label", lb.header("region"), book.region_labels()),
        Col("last_visit", "date", lb.header("last_visit")),
        Col("next_visit", "date", lb.header("next_visit", "visit_report")),
        Col("next_step", "wrap", lb.header("next_step", "visit_report")),
        Col("status", "label", lb.header("status"), status,
            rules=(("equal to", status["overdue"], "red"), ("equal to", status["due"], "amber"))),
        Col("days_overdue", "int", lb.header("days_overdue")),
    ]  # fmt: skip
    list_sheet(ws, book, KEY, say("note_followups", book.lang, days=LOOKBACK_DAYS), df, cols, freeze_cols=2)
