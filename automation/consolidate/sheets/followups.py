"""Follow-ups promised in visit reports that are overdue or due in the coming week, with the rep who
promised each (the one to act; nearly always the customer's owner, whose name the customer sheet has).

Decision: a region's workbook lists both (its supervisor plans the week with the due ones); the
company's lists the overdue ones, the broken promises HQ chases (a large company has thousands due).
"""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from automation.consolidate.book import Book, list_sheet
from automation.consolidate.table import Col
from automation.core.texts.workbooks import say
from automation.score.followups import LOOKBACK_DAYS

KEY = "followups"


def write(ws: Worksheet, book: Book) -> None:
    lb = book.labels
    names = book.rep_names()
    df = book.result["followups"]
    if book.region is None:  # HQ chases broken promises; the week's plan is in each region's workbook
        df = df[df["status"] == "overdue"]
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
    note = say("note_followups", book.lang, days=LOOKBACK_DAYS)
    if book.region is None:
        note += say("note_followups_company", book.lang)
    list_sheet(ws, book, KEY, note, df, cols, freeze_cols=2)
