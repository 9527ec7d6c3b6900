"""Customers: every customer of the reader's scope with its ABC grade (company-wide), RFM segment,
last visit, next due date, visit status and churn risk — the score stage's customer sheet.

Decisions, because a large company's workbook would list 20,000 customers and each cell costs time
to write and to read: the columns SPEC §4 names and no more (the stage is the rep's own register's,
and days since the last visit follow from its date); a region's workbook lists every customer of
the region, the company's the customers HQ acts on — every A and B customer and any other one
overdue or due for a visit or at churn risk (about 60 % of a register; a C customer that needs
nothing is in its region's workbook)."""

from __future__ import annotations

import pandas as pd
from xlsxwriter.worksheet import Worksheet

from automation.consolidate.book import Book, list_sheet
from automation.consolidate.table import Col
from automation.core.texts.workbooks import say

KEY = "customers"
VISIT_STATUSES = ("overdue", "due", "ok", "never_visited", "never_visited_overdue")
CHURN = ("interval", "drop", "interval+drop")


ACT_ON = ("overdue", "due", "never_visited_overdue")


def company_rows(df: pd.DataFrame) -> pd.Series:
    """The company workbook's customers: every A and B customer, and any other one to act on
    (overdue or due for a visit, never visited past its interval, at churn risk)."""
    return (
        df["grade"].isin(["A", "B"]) | df["visit_status"].isin(ACT_ON) | (df["churn_risk"].fillna("") != "")
    )


def write(ws: Worksheet, book: Book) -> None:
    lb = book.labels
    df = book.result["customers"]
    if book.region is None:
        df = df[company_rows(df)]
    df = df.assign(owner_name=df["owner"].map(book.rep_names()).fillna(df["owner"]))
    segment = "segment_zh" if book.lang == "zh" else "segment_en"
    visit = {k: lb.value(k) for k in VISIT_STATUSES}
    cols = [
        Col("customer_id", "id", lb.header("customer_id")),
        Col("name", "text", lb.header("customer")),
        Col("owner_name", "text", lb.header("owner")),
        Col("region", "label", lb.header("region"), book.region_labels()),
        Col("grade", "text", lb.header("grade"), width=7),
        Col("sales_12m", "money", lb.header("sales_12m"), bar=True),
        Col(segment, "text", lb.header("segment")),
        Col("last_visit", "date", lb.header("last_visit")),
        Col("next_due", "date", lb.header("next_due")),
        Col("visit_status", "label", lb.header("visit_status"), visit,
            rules=(("equal to", visit["overdue"], "red"), ("equal to", visit["never_visited_overdue"], "red"),
                   ("equal to", visit["due"], "amber"))),
        Col("churn_risk", "label", lb.header("churn_risk"), {k: lb.value(k) for k in CHURN},
            rules=tuple(("equal to", lb.value(k), "red") for k in CHURN)),
    ]  # fmt: skip
    note = say("note_customers", book.lang, as_of=book.result["as_of"].isoformat())
    if book.region is None:
        note += say("note_customers_company", book.lang)
    list_sheet(ws, book, KEY, note, df, cols, freeze_cols=2)
