"""The summary: what a manager asks on Monday, top to bottom (SPEC §4), on two landscape pages.

Page 1: are we on target (the five headline figures: actual, target, attainment against pace, status,
last week, change, month to date) and four native charts fed from the workbook's own ranges (sales
against target per rep — per region in the company workbook — the 8-week trend, the ABC Pareto curve,
the funnel). Page 2: who is behind, are reps working well, which customers need attention, what the
market is saying, and the supervisors' reports. Each block links to the sheet with its rows.

Every number is read from the score stage's result; nothing is computed here but the order of rows
and which of them fit. Printing: a manual page break before "who is behind" and a print scale worked
out from the columns' widths and rows' heights, so both pages fit A4 landscape in Excel and
LibreOffice alike (Excel ignores manual breaks under "fit to pages").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
from xlsxwriter.worksheet import Worksheet

from automation.consolidate import charts
from automation.consolidate.book import Book, print_setup
from automation.consolidate.style import CELL_FOR_KIND
from automation.consolidate.table import colour_rules
from automation.core.texts.workbooks import say
from automation.score.targets import METRICS

KEY = "summary"
NCOLS = 12
WIDTHS = [22.0] + [11.5] * (NCOLS - 1)
DEFAULT_ROW = 15.0  # points
CHART_ROWS = 15  # each chart spans at least this many default rows, at most MAX_CHART_ROWS
MAX_CHART_ROWS = 24
MAX_BEHIND = 8
MAX_UNITS = 20
MAX_ATTENTION = 6
MAX_MARKET = 4
# row heights in points: compact, so page 2 keeps close to the landscape page's proportions and the
# print scale (set by the taller page) stays near 80 %
ROW, HEAD_ROW, BLOCK_ROW, NOTE_ROW, GAP_ROW, WRAP_ROW = 15.0, 24.0, 20.0, 13.0, 8.0, 26.0
KIND = {
    "sales": "money",
    "gross_margin": "money",
    "collections": "money",
    "visits": "int",
    "new_customers": "int",
}
TARGET_KIND = {"visits": "number", "new_customers": "number"}  # targets split by working days: fractions
STATUS_ORDER = {"red": 0, "amber": 1, "green": 2}
# printable A4 landscape at the margins of book.print_setup, in points
PAGE_WIDTH_PT = (11.69 - 0.8) * 72
PAGE_HEIGHT_PT = (8.27 - 1.1) * 72 - 12  # less a little for the header and footer lines


class _Sheet:
    """Writes row by row, remembering each row's height for the print scale."""

    def __init__(self, ws: Worksheet, book: Book) -> None:
        self.ws, self.book, self.st = ws, book, book.st
        self.row = 0
        self.heights: dict[int, float] = {}

    def height(self, h: float) -> None:
        self.ws.set_row(self.row, h)
        self.heights[self.row] = h

    def skip(self, n: int = 1, h: float | None = None) -> None:
        for _ in range(n):
            if h is not None:
                self.height(h)
            self.row += 1

    def pt(self, first: int, last: int) -> float:
        return sum(self.heights.get(r, DEFAULT_ROW) for r in range(first, last))

    def text(self, col: int, value: str | None, style: str, last_col: int | None = None) -> None:
        """Text (never a formula), merged across ``col..last_col`` when given."""
        fmt = self.st[style]
        if last_col is not None and last_col > col:
            self.ws.merge_range(self.row, col, self.row, last_col, "", fmt)
        value = _str(value)
        if value:
            self.ws.write_string(self.row, col, value, fmt)  # over the merged range's first cell
        elif last_col is None or last_col <= col:
            self.ws.write_blank(self.row, col, None, fmt)

    def number(self, col: int, value: Any, kind: str) -> None:
        fmt = self.st[CELL_FOR_KIND[kind]]
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
            self.ws.write_blank(self.row, col, None, fmt)
        else:
            self.ws.write_number(self.row, col, float(value), fmt)

    def block(self, title: str, sheet_key: str | None) -> None:
        """A question's title bar, with a link to the sheet holding its rows."""
        self.height(BLOCK_ROW)
        link_from = NCOLS - 3
        self.ws.merge_range(self.row, 0, self.row, link_from - 1, title, self.st["block"])
        if sheet_key is None:
            self.ws.merge_range(self.row, link_from, self.row, NCOLS - 1, "", self.st["block_link"])
        else:
            self.ws.merge_range(self.row, link_from, self.row, NCOLS - 1, "", self.st["block_link"])
            self.ws.write_url(
                self.row, link_from, self.book.link(sheet_key), self.st["block_link"],
                string=say("see", self.book.lang, sheet=self.book.names[sheet_key]),
            )  # fmt: skip
        self.row += 1

    def headers(self, labels: Sequence[str | tuple[str, int]]) -> None:
        """A header row; ``(label, span)`` merges the label over ``span`` columns."""
        self.height(HEAD_ROW)
        c = 0
        for item in labels:
            label, span = item if isinstance(item, tuple) else (item, 1)
            if span > 1:
                self.ws.merge_range(self.row, c, self.row, c + span - 1, "", self.st["col_header"])
            self.ws.write_string(self.row, c, label, self.st["col_header"])
            c += span
        self.row += 1

    def status_rules(self, first: int, last: int, cols: list[int]) -> None:
        labels = self.book.status_labels
        for c in cols:
            colour_rules(
                self.ws, self.st, first, c, last, c, [("equal to", lb, s) for s, lb in labels.items()]
            )


def _str(v: Any) -> str | None:
    """A text cell's value: None for missing (None, NA, NaN) or empty."""
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    return str(v) or None


def _scope_row(book: Book, df: pd.DataFrame) -> dict[str, Any]:
    level = "company" if book.region is None else "region"
    owner = "" if book.region is None else book.region
    rows = df[(df["level"] == level) & (df["owner"] == owner)]
    return rows.iloc[0].to_dict() if len(rows) else {}


class _Null:
    """A worksheet that writes nothing: page 2 is laid out once on it to learn its height."""

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


def _page2(s: _Sheet) -> None:
    """Who is behind, are reps working well, customers, market, supervisors' reports."""
    for block in (_behind, _working, _attention, _market, _commentary):
        block(s)
        s.skip(1, GAP_ROW)


def write(ws: Worksheet, book: Book) -> None:
    s = _Sheet(ws, book)
    for c, w in enumerate(WIDTHS):
        ws.set_column(c, c, w)
    _title(s)
    _on_target(s)
    s.skip(1, GAP_ROW)
    chart_top = s.row
    # the charts take what page 2 leaves: both pages then print at one scale, neither half empty
    dry = _Sheet(_Null(), book)  # type: ignore[arg-type]
    _page2(dry)
    rows = int((dry.pt(0, dry.row) - s.pt(0, chart_top)) // (2 * DEFAULT_ROW))
    chart_rows = min(MAX_CHART_ROWS, max(CHART_ROWS, rows))
    charts.add_summary_charts(ws, book, chart_top, chart_rows, WIDTHS)
    s.row = chart_top + 2 * chart_rows + 1
    page2 = s.row
    _page2(s)
    end = s.row - 1
    ws.set_h_pagebreaks([page2])
    print_setup(ws, book, None)
    ws.fit_to_pages(0, 0)  # undo print_setup's fit-to-width: the scale below keeps the manual break
    width_pt = sum(w * 7 + 5 for w in WIDTHS) * 0.75
    tallest = max(s.pt(0, page2), s.pt(page2, end))
    scale = min(100.0, PAGE_WIDTH_PT / width_pt * 100, PAGE_HEIGHT_PT / tallest * 100)
    ws.set_print_scale(max(10, int(scale)))
    ws.print_area(0, 0, end - 1, NCOLS - 1)
    ws.hide_gridlines(2)
    ws.activate()


def _title(s: _Sheet) -> None:
    book = s.book
    p = book.result["periods"]["week"]
    s.height(30)
    s.text(0, book.title(), "title", NCOLS - 1)
    s.row += 1
    sub = say(
        "subtitle", book.lang, start=p.start.isoformat(), end=p.end.isoformat(), as_of=book.result["as_of"].isoformat(),
        elapsed=p.elapsed_working_days(book.cal), working=p.working_days(book.cal),
        generated=book.generated.strftime("%Y-%m-%d %H:%M"),
    )  # fmt: skip
    s.height(ROW)
    s.text(0, sub, "subtitle", NCOLS - 1)
    s.row += 1
    _contents(s)
    s.skip(1, GAP_ROW)


CONTENTS = ("scorecard", "customers", "visits", "followups", "complaints", "market", "submissions", "commentary",
            "conflicts", "trends")  # fmt: skip


def _contents(s: _Sheet) -> None:
    """A row of links, one to every other sheet (each block below links to its own as well)."""
    book = s.book
    s.height(ROW)
    for c, key in enumerate(CONTENTS):
        s.ws.write_url(s.row, c, book.link(key), s.st["link"], string=book.names[key])
    s.row += 1


def _on_target(s: _Sheet) -> None:
    book, lb = s.book, s.book.labels
    res = book.result
    week, mtd = book.scope_record("week"), book.scope_record("mtd")
    change = _scope_row(book, res["changes"])
    s.block(say("q_target", book.lang), "scorecard")
    s.headers([say(k, book.lang) for k in (
        "metric", "this_week", "target", "attainment", "pace", "status", "last_week", "change", "mtd", "mtd_target",
        "mtd_attainment", "mtd_status",
    )])  # fmt: skip
    first = s.row
    for m in METRICS:
        kind, tkind = KIND[m], TARGET_KIND.get(m, KIND[m])
        s.height(ROW)
        s.text(0, lb.header(m), "cell_bold")
        s.number(1, week.get(m), kind)
        s.number(2, week.get(f"{m}_target"), tkind)
        s.number(3, week.get(f"{m}_attainment"), "pct")
        s.number(4, week.get("pace"), "pct")
        s.text(5, lb.value(week.get(f"{m}_status")) if week.get(f"{m}_status") else None, "cell_status")
        s.number(6, change.get(f"{m}_last"), kind)
        s.number(7, change.get(f"{m}_change"), "change")
        s.number(8, mtd.get(m), kind)
        s.number(9, mtd.get(f"{m}_target"), tkind)
        s.number(10, mtd.get(f"{m}_attainment"), "pct")
        s.text(11, lb.value(mtd.get(f"{m}_status")) if mtd.get(f"{m}_status") else None, "cell_status")
        s.row += 1
    s.status_rules(first, s.row - 1, [5, 11])


def behind_order(week: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Reps, red first, then amber, green and those without a target; lowest attainment first within
    (no attainment last), then by rep id."""

    def key(r: dict[str, Any]) -> tuple[int, float, str]:
        att = r["sales_attainment"]
        missing = att is None or att != att
        return STATUS_ORDER.get(r["sales_status"], 3), math.inf if missing else att, str(r["owner"])

    return sorted((r for r in week if r["level"] == "rep"), key=key)


def _behind(s: _Sheet) -> None:
    book, lb = s.book, s.book.labels
    mtd = {r["owner"]: r for r in book.records("mtd") if r["level"] == "rep"}
    reps = behind_order(book.records("week"))
    names, regions = book.rep_names(), book.region_labels()
    s.block(say("q_behind", book.lang), "scorecard")
    s.headers([
        lb.header("rep"), lb.header("region"), lb.header("sales"), lb.header("sales_target"),
        lb.header("sales_attainment"), lb.header("sales_status"), say("mtd", book.lang), say("mtd_attainment", book.lang),
        say("mtd_status", book.lang), lb.header("visits"), lb.header("effective_rate"), lb.header("on_time_rate"),
    ])  # fmt: skip
    first = s.row
    for r in reps[:MAX_BEHIND]:
        m = mtd.get(r["owner"], {})
        s.height(ROW)
        s.text(0, names.get(r["owner"], r["owner"]), "cell")
        s.text(1, regions.get(r["region"], r["region"]), "cell")
        s.number(2, r["sales"], "money")
        s.number(3, r["sales_target"], "money")
        s.number(4, r["sales_attainment"], "pct")
        s.text(5, lb.value(r["sales_status"]) if r["sales_status"] else None, "cell_status")
        s.number(6, m.get("sales"), "money")
        s.number(7, m.get("sales_attainment"), "pct")
        s.text(8, lb.value(m.get("sales_status")) if m.get("sales_status") else None, "cell_status")
        s.number(9, r["visits"], "int")
        s.number(10, r["effective_rate"], "pct")
        s.number(11, r["on_time_rate"], "pct")
        s.row += 1
    if s.row > first:
        s.status_rules(first, s.row - 1, [5, 8])
    s.height(NOTE_ROW)
    s.text(0, say("behind_note", book.lang, n=len(reps), sheet=book.names["scorecard"]), "note", NCOLS - 1)
    s.row += 1


WORKING = ("visits", "plan_completion", "effective_rate", "transaction_rate", "expense_per_visit",
           "sales_per_expense", "on_time_rate", "first_time_rate", "dm_meetings", "quotes", "new_customers")  # fmt: skip
WORKING_KIND = {"visits": "int", "expense_per_visit": "money", "sales_per_expense": "number", "dm_meetings": "int",
                "quotes": "int", "new_customers": "int"}  # fmt: skip


def _working(s: _Sheet) -> None:
    book, lb = s.book, s.book.labels
    level = "region" if book.region is None else "rep"
    units = [r for r in book.records("week") if r["level"] == level][:MAX_UNITS]
    total = book.scope_record("week")
    names = book.region_labels() if book.region is None else book.rep_names()
    s.block(say("q_working", book.lang), "scorecard")
    s.headers([lb.header("rep" if level == "rep" else "region")] + [lb.header(k) for k in WORKING])
    rows = [(names.get(r["owner"], r["owner"]), r, "cell") for r in units]
    if total:
        label = book.config.company if book.region is None else book.region_label(book.region)
        rows.append((label, total, "cell_bold"))
    for label, r, style in rows:
        s.height(ROW)
        s.text(0, label, style)
        for c, k in enumerate(WORKING, start=1):
            s.number(c, r.get(k), WORKING_KIND.get(k, "pct"))
        s.row += 1
    s.height(NOTE_ROW)
    s.text(0, say("working_note", book.lang), "note", NCOLS - 1)
    s.row += 1


def _attention(s: _Sheet) -> None:
    book, lb = s.book, s.book.labels
    res = book.result
    att = res["attention"]
    overdue_follow = int((res["followups"]["status"] == "overdue").sum())
    counts = {k: int((att["kind"] == k).sum()) for k in ("complaint", "overdue", "churn")}
    s.block(say("q_customers", book.lang), "customers")
    s.height(ROW)
    s.text(0, say("attention_counts", book.lang, overdue=counts["overdue"], churn=counts["churn"],
                  complaints=counts["complaint"], followups=overdue_follow), "cell_bold", NCOLS - 1)  # fmt: skip
    s.row += 1
    if att.empty:
        return
    names = book.rep_names()
    s.headers([lb.header("customer"), lb.header("customer_id"), lb.header("grade"), lb.header("owner"),
               lb.header("region"), (say("reason", book.lang), 3), say("detail", book.lang)])  # fmt: skip
    for r in att.head(MAX_ATTENTION).to_dict("records"):
        reason = say(f"kind_{r['kind']}", book.lang)
        if r["kind"] == "churn":
            reason = f"{reason}: {lb.value(r['reason'])}"
        elif r["kind"] == "complaint":
            reason = f"{reason} {r['reason']}"
        s.height(ROW)
        s.text(0, r["customer"], "cell")
        s.text(1, r["customer_id"], "cell")
        s.text(2, r["grade"], "cell_status")
        s.text(3, names.get(r["owner"], r["owner"]), "cell")
        s.text(4, book.region_label(r["region"]), "cell")
        s.text(5, reason, "cell", 7)
        s.number(8, r["days"], "int")
        s.row += 1


def _market(s: _Sheet) -> None:
    book, lb = s.book, s.book.labels
    m = book.result["market"]
    high = m[m["severity"] == "high"]
    s.block(say("q_market", book.lang), "market")
    s.height(ROW)
    if high.empty:
        s.text(0, say("market_none", book.lang) if m.empty else say("market_count", book.lang, n=len(m), high=0),
               "cell", NCOLS - 1)  # fmt: skip
        s.row += 1
        return
    s.text(0, say("market_count", book.lang, n=len(m), high=len(high)), "cell_bold", NCOLS - 1)
    s.row += 1
    form = "market_report"
    s.headers([lb.header("date"), lb.header("rep"), (lb.header("customer"), 2), lb.header("category", form),
               (lb.header("description", form), NCOLS - 5)])  # fmt: skip
    names, cats = book.rep_names(), lb.choices(form, "category")
    for r in high.head(MAX_MARKET).to_dict("records"):
        s.height(WRAP_ROW)
        s.ws.write_string(s.row, 0, pd.Timestamp(r["date"]).date().isoformat(), s.st["cell"])
        s.text(1, names.get(r["rep_id"], r["rep_id"]), "cell")
        s.text(2, r["customer"], "cell_wrap", 3)
        s.text(4, cats.get(r["category"], r["category"]), "cell_wrap")
        s.text(5, r["description"], "cell_wrap", NCOLS - 1)
        s.row += 1


def _commentary(s: _Sheet) -> None:
    book = s.book
    sups = book.config.supervisors
    expected = len([x for x in sups if book.region is None or x.region == book.region])
    returned = len(book.result["weekly_reports"])
    s.block(say("q_commentary", book.lang), "commentary")
    s.height(ROW)
    s.text(0, say("commentary_count", book.lang, returned=returned, expected=expected), "cell", NCOLS - 1)
    s.row += 1
