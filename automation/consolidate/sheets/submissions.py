"""Submissions per rep and working day: the visit report on time, late or missing, forms accepted,
rejected forms not yet fixed."""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from automation.consolidate.book import Book, list_sheet
from automation.consolidate.table import Col
from automation.core.texts.workbooks import say

KEY = "submissions"


def write(ws: Worksheet, book: Book) -> None:
    lb = book.labels
    df = book.result["submission_days"]
    verdict = {k: lb.value(k) for k in ("on_time", "late", "missing")}
    cols = [
        Col("date", "date", lb.header("date")),
        Col("rep_id", "id", lb.header("rep_id")),
        Col("name", "text", lb.header("rep")),
        Col("region", "label", lb.header("region"), book.region_labels()),
        Col("verdict", "label", lb.header("verdict"), verdict,
            rules=(("equal to", verdict["on_time"], "green"), ("equal to", verdict["late"], "amber"),
                   ("equal to", verdict["missing"], "red"))),
        Col("received_at", "datetime", lb.header("received_at")),
        Col("forms_accepted", "int", lb.header("forms_accepted")),
        Col("rejected_unfixed", "int", lb.header("rejected_unfixed"), rules=(("greater than", 0, "red"),)),
        Col("site", "text", lb.header("site")),  # issue 18: the branch whose watcher received the forms
    ]  # fmt: skip
    deadline = book.config.deadlines.visit_report.strftime("%H:%M")
    list_sheet(ws, book, KEY, say("note_submissions", book.lang, deadline=deadline), df, cols, freeze_cols=3)
