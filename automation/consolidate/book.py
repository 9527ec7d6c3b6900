"""What every sheet writer is handed: the week's figures for its reader, and the workbook's tools.

A :class:`Book` is one workbook being written: the score stage's result (company-wide, or one
region's :func:`automation.score.for_region` view), the reader's language, the named styles and
labels, the sheets' names, and where each sheet's table landed (the summary links to them and its
charts read their ranges). :func:`sheet_top` and :func:`print_setup` give every list sheet the same
title row, note, link back to the summary and print set-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from xlsxwriter.worksheet import Worksheet

from automation.consolidate.style import Styles
from automation.consolidate.table import Col, Placed, write_table
from automation.core.config import Config
from automation.core.texts.workbooks import Labels, say
from automation.core.workcal import WorkCalendar

FIRST_TABLE_ROW = 3  # row 0 title + link back, row 1 note, row 2 blank, row 3 the table's header


@dataclass
class Book:
    """One workbook in the writing (see module docstring)."""

    config: Config
    result: dict[str, Any]
    lang: str
    st: Styles
    labels: Labels
    names: dict[str, str]  # sheet key -> sheet name
    generated: datetime
    placed: dict[str, Placed] = field(default_factory=dict)
    anchors: dict[str, Any] = field(default_factory=dict)  # e.g. the scorecard rows a chart reads
    cache: dict[str, Any] = field(default_factory=dict)  # made once per workbook (calendar, records)

    @property
    def cal(self) -> WorkCalendar:
        cal = self.cache.get("cal")
        if cal is None:
            cal = self.cache["cal"] = WorkCalendar(self.config)
        return cal

    @property
    def region(self) -> str | None:
        return self.result["region"]

    @property
    def yes_no(self) -> tuple[str, str]:
        return self.labels.yes_no()

    @property
    def status_labels(self) -> dict[str, str]:
        return {s: self.labels.value(s) for s in ("green", "amber", "red")}

    def records(self, kind: str) -> list[dict[str, Any]]:
        """A period's scorecard rows as dicts (made once: the summary reads them block by block)."""
        key = f"records.{kind}"
        got = self.cache.get(key)
        if got is None:
            got = self.cache[key] = self.result["scorecards"][kind].to_dict("records")
        return got

    def scope_record(self, kind: str) -> dict[str, Any]:
        """The scorecard row of the workbook's scope (the company, or the region) for a period."""
        level, owner = ("company", "") if self.region is None else ("region", self.region)
        return next((r for r in self.records(kind) if r["level"] == level and r["owner"] == owner), {})

    def region_label(self, region_id: str | None) -> str:
        if not region_id:
            return ""
        r = self.config.region(region_id)
        return r.label(self.lang) if r is not None else region_id

    def region_labels(self) -> dict[str, str]:
        return {r.id: r.label(self.lang) for r in self.config.regions}

    def rep_names(self) -> dict[str, str]:
        return {r.id: r.name for r in self.config.reps}

    def title(self) -> str:
        week = self.result["week"]
        if self.region is None:
            return say("company_title", self.lang, company=self.config.company, week=week)
        return say(
            "region_title",
            self.lang,
            company=self.config.company,
            region=self.region_label(self.region),
            week=week,
        )

    def link(self, key: str) -> str:
        """An internal hyperlink target to a sheet's top-left cell."""
        return f"internal:'{self.names[key]}'!A1"


def sheet_top(ws: Worksheet, book: Book, key: str, note: str, width: int) -> None:
    """Row 0: the sheet's title and a link back to the summary; row 1: what the sheet holds."""
    st = book.st
    ws.set_row(0, 24)
    ws.write_string(0, 0, f"{book.names[key]} · {book.title()}", st["title"])
    ws.write_url(0, max(width - 1, 1), book.link("summary"), st["link"], string=say("back", book.lang))
    ws.set_row(1, 30)
    ws.merge_range(1, 0, 1, max(width - 1, 1), note, st["note"])


def _header_text(text: str) -> str:
    """Text for a page header/footer: '&' starts a control code there, so it is doubled."""
    return text.replace("&", "&&")


def print_setup(ws: Worksheet, book: Book, repeat_row: int | None, *, fit_height: int = 0) -> None:
    """Landscape A4, fit to the page width, the table's header repeated on every page, and a page
    header with the company, the region and the week (footer: page n of m)."""
    ws.set_landscape()
    ws.set_paper(9)
    ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.5)
    ws.fit_to_pages(1, fit_height)
    if repeat_row is not None:
        ws.repeat_rows(repeat_row)
    region = book.region_label(book.region) or say("company_row", book.lang)
    ws.set_header(
        f"&L{_header_text(book.config.company)}&C{_header_text(region)}&R{_header_text(book.result['week'])}",
        {"margin": 0.25},
    )
    ws.set_footer("&L&A&R&P / &N", {"margin": 0.25})


def list_sheet(
    ws: Worksheet, book: Book, key: str, note: str, df: Any, cols: list[Col], *, freeze_cols: int = 0
) -> Placed:
    """A sheet holding one table: title, note, the table from row 3, header frozen, print set-up."""
    sheet_top(ws, book, key, note, len(cols))
    placed = write_table(
        ws, book.st, df, cols, name=TABLE_NAMES[key], top=FIRST_TABLE_ROW, yes_no=book.yes_no,
        status_labels=book.status_labels, freeze_cols=freeze_cols,
    )  # fmt: skip
    print_setup(ws, book, FIRST_TABLE_ROW)
    book.placed[key] = placed
    return placed


# Excel table names: unique in the workbook, letters and underscores only (the sheet names vary by language)
TABLE_NAMES = {
    "scorecard": "Scorecard", "customers": "Customers", "visits": "Visits", "followups": "Followups",
    "complaints": "Complaints", "market": "Market", "submissions": "Submissions", "commentary": "Commentary",
    "commentary_targets": "NextWeekTargets", "conflicts": "Conflicts", "trend": "Trend", "pareto": "Pareto",
    "abc": "AbcGrades", "funnel": "Funnel",
}  # fmt: skip
