"""Number formats, colours and cell styles of the consolidated workbooks, named once.

Every sheet asks :class:`Styles` for a style by name (``st["money"]``); the XlsxWriter format is made
the first time it is asked for in a workbook and reused after (XlsxWriter keeps one XF record per
format object, so making one per cell would bloat the file). Status colours are Excel's own
"good / neutral / bad" pairs, so a manager recognises them; they are applied by conditional-format
rules on the status text, never painted on cells, so a restyled or re-sorted sheet keeps them.
"""

from __future__ import annotations

from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook

MONEY = "¥#,##0.00"
MONEY_ROUND = "¥#,##0"  # the summary's big numbers
INT = "#,##0"
DECIMAL = "#,##0.0"
PCT = "0.0%"
PCT_CHANGE = "+0.0%;-0.0%;0.0%"
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm"

NAVY = "#1F4E79"
HEADER_BG = "#1F4E79"
BLOCK_BG = "#DDEBF7"
MUTED = "#595959"
BORDER = "#B4C6E7"
GREEN = ("#C6EFCE", "#006100")  # (fill, font): Excel's "Good"
AMBER = ("#FFEB9C", "#9C5700")  # "Neutral"
RED = ("#FFC7CE", "#9C0006")  # "Bad"
STATUS_COLOURS = {"green": GREEN, "amber": AMBER, "red": RED}
DATA_BAR = "#5B9BD5"
CHART_SERIES = ("#1F4E79", "#ED7D31", "#A5A5A5", "#70AD47", "#5B9BD5")
TABLE_STYLE = "Table Style Light 9"
FONTS = {"zh": "DengXian", "en": "Calibri"}  # Office's defaults; LibreOffice substitutes its own

_SPECS: dict[str, dict[str, Any]] = {
    "text": {"valign": "top"},
    "wrap": {"valign": "top", "text_wrap": True},
    "id": {"valign": "top"},
    "money": {"num_format": MONEY, "valign": "top"},
    "int": {"num_format": INT, "valign": "top"},
    "number": {"num_format": DECIMAL, "valign": "top"},
    "pct": {"num_format": PCT, "valign": "top"},
    "change": {"num_format": PCT_CHANGE, "valign": "top"},
    "date": {"num_format": DATE, "valign": "top", "align": "left"},
    "datetime": {"num_format": DATETIME, "valign": "top", "align": "left"},
    "header": {"bold": True, "font_color": "#FFFFFF", "bg_color": HEADER_BG, "text_wrap": True,
               "valign": "vcenter", "align": "center", "border": 1, "border_color": BORDER},
    "title": {"bold": True, "font_size": 16, "font_color": NAVY, "valign": "vcenter"},
    "subtitle": {"italic": True, "font_color": MUTED, "valign": "vcenter"},
    "note": {"italic": True, "font_color": MUTED, "font_size": 9, "valign": "top", "text_wrap": True},
    "block": {"bold": True, "font_size": 12, "font_color": NAVY, "bg_color": BLOCK_BG, "valign": "vcenter",
              "bottom": 2, "bottom_color": NAVY},
    "block_link": {"font_color": "#0563C1", "underline": 1, "bg_color": BLOCK_BG, "align": "right",
                   "valign": "vcenter", "bottom": 2, "bottom_color": NAVY},
    "link": {"font_color": "#0563C1", "underline": 1, "valign": "vcenter"},
    "cell": {"border": 1, "border_color": BORDER, "valign": "vcenter"},
    "cell_bold": {"border": 1, "border_color": BORDER, "valign": "vcenter", "bold": True},
    "cell_wrap": {"border": 1, "border_color": BORDER, "valign": "top", "text_wrap": True},
    "cell_money": {"border": 1, "border_color": BORDER, "valign": "vcenter", "num_format": MONEY_ROUND},
    "cell_int": {"border": 1, "border_color": BORDER, "valign": "vcenter", "num_format": INT},
    "cell_number": {"border": 1, "border_color": BORDER, "valign": "vcenter", "num_format": DECIMAL},
    "cell_pct": {"border": 1, "border_color": BORDER, "valign": "vcenter", "num_format": PCT},
    "cell_change": {"border": 1, "border_color": BORDER, "valign": "vcenter", "num_format": PCT_CHANGE},
    "cell_date": {"border": 1, "border_color": BORDER, "valign": "vcenter", "num_format": DATE, "align": "left"},
    "cell_status": {"border": 1, "border_color": BORDER, "valign": "vcenter", "align": "center"},
    "col_header": {"bold": True, "font_color": "#FFFFFF", "bg_color": HEADER_BG, "text_wrap": True,
                   "valign": "vcenter", "align": "center", "border": 1, "border_color": BORDER},
}  # fmt: skip
# the summary's cells take the same number formats as the sheets' columns of the same kind
CELL_FOR_KIND = {"money": "cell_money", "int": "cell_int", "number": "cell_number", "pct": "cell_pct",
                 "change": "cell_change", "date": "cell_date", "status": "cell_status"}  # fmt: skip


def default_format(lang: str) -> dict[str, Any]:
    """The workbook's default cell format (XlsxWriter's ``default_format_properties``): the reader's
    font, so plain text cells need no style of their own."""
    return {"font_name": FONTS.get(lang, FONTS["en"]), "font_size": 10}


class Styles:
    """The named formats of one workbook, in the reader's language's font."""

    def __init__(self, wb: Workbook, lang: str) -> None:
        self.wb = wb
        self.font = FONTS.get(lang, FONTS["en"])
        self._made: dict[str, Format] = {}

    def __getitem__(self, name: str) -> Format:
        fmt = self._made.get(name)
        if fmt is None:
            if name.startswith("status_"):  # the conditional formats' fills
                fill, font = STATUS_COLOURS[name.removeprefix("status_")]
                spec: dict[str, Any] = {"bg_color": fill, "font_color": font}
            else:
                spec = {"font_name": self.font, "font_size": 10, **_SPECS[name]}
            fmt = self.wb.add_format(spec)
            self._made[name] = fmt
        return fmt
