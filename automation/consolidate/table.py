"""A data frame written as an Excel table: typed cells, number formats, widths, status colours, data bars.

Every list sheet is one of these (STYLE "For the outputs": XlsxWriter's ``tables.py`` and
``conditional_format.py``). Cells are written column by column with the typed writer of their kind
(a whole column at once on a :class:`FastWorksheet`), never the generic ``write()``: text from forms
is always a text cell, ``write_string`` (so ``=HYPERLINK(...)``
typed by a rep stays text, whatever the workbook's options), numbers ``write_number`` (NaN and
blanks are left empty), dates as Excel serial numbers with a date format (one vectorised
conversion instead of a ``datetime`` per cell). Status colours and data bars are conditional-format
rules over the column, so they follow a sort or a filter.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from xlsxwriter.worksheet import Worksheet

from automation.consolidate.fastsheet import FastWorksheet
from automation.consolidate.style import DATA_BAR, TABLE_STYLE, Styles

EXCEL_EPOCH = pd.Timestamp("1899-12-30")
TEXT_KINDS = ("text", "wrap", "id", "label", "status", "bool", "flag")
PLAIN_KINDS = ("text", "id", "label", "status", "bool", "flag")
NUMBER_KINDS = ("money", "int", "number", "pct", "change")
DATE_KINDS = ("date", "datetime")
MIN_WIDTH, MAX_WIDTH, WRAP_WIDTH = 6.0, 40.0, 36.0
WIDTH_SAMPLE = 200  # rows looked at to size a column
HEADER_HEIGHT = 32


@dataclass(frozen=True)
class Col:
    """One column: the frame's ``key``, how to write it, and its header."""

    key: str
    # text | wrap (long text, wrapped) | id | label (a value shown by its label) | status (green / amber
    # / red, coloured) | bool (yes / no) | flag (only the yeses) | money | int | number | pct | change
    # | date | datetime
    kind: str = "text"
    header: str = ""
    values: Mapping[Any, str] | None = None  # label per value (choices, statuses, grades)
    width: float | None = None
    bar: bool = False  # a data bar over the column
    # colour rules: (criteria, value, status) e.g. ("equal to", "逾期", "red"), ("greater than", 0, "red");
    # a text value is compared as text. Status columns get one rule per status label on their own.
    rules: tuple[tuple[str, Any, str], ...] = ()


@dataclass
class Placed:
    """Where a table landed: its sheet, header row, last row and each column's index."""

    sheet: str
    header_row: int
    last_row: int
    cols: dict[str, int] = field(default_factory=dict)
    rows: int = 0
    widths: dict[int, float] = field(default_factory=dict)  # column index -> width it wanted

    def ref(self, key: str, first: int | None = None, last: int | None = None) -> list[Any]:
        """A chart range ``[sheet, first_row, col, last_row, col]`` over one column's data rows."""
        c = self.cols[key]
        return [
            self.sheet,
            self.header_row + 1 if first is None else first,
            c,
            self.last_row if last is None else last,
            c,
        ]


def display_width(text: str) -> int:
    """Width in Excel character units, about: Chinese and full-width characters take two.

    Counted from the UTF-8 length (a CJK character is 3 bytes, ASCII 1): ``(bytes + chars) // 2`` is
    2 per CJK character and 1 per ASCII one, ten times faster than asking ``unicodedata`` per
    character, and a column width needs no more precision.
    """
    return (len(text.encode("utf-8")) + len(text)) // 2


_NA = pd.NA


def _missing(v: Any) -> bool:
    return v is None or v is _NA or (type(v) is float and v != v)


def _strings(s: pd.Series, values: Mapping[Any, str] | None) -> list[str | None]:
    out = s.tolist()
    if values is not None:
        get = values.get
        out = [None if _missing(v) else get(v, v) for v in out]
    return [None if _missing(v) or v == "" else v if type(v) is str else str(v) for v in out]


def _bools(s: pd.Series, yes_no: tuple[str, str], flag: bool = False) -> list[str | None]:
    """Yes / no labels; a ``flag`` column shows only its yeses (a blank reads as no)."""
    no = None if flag else yes_no[1]
    return [None if v is None or v is pd.NA else (yes_no[0] if bool(v) else no) for v in s.astype(object)]


def _numbers(s: pd.Series) -> list[float | None]:
    arr = pd.to_numeric(s, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return [None if math.isnan(v) or math.isinf(v) else v for v in arr.tolist()]


def _serials(s: pd.Series) -> list[float | None]:
    """Dates and times as Excel serial numbers (the 1900 date system)."""
    ts = pd.to_datetime(s, errors="coerce")
    days = ((ts - EXCEL_EPOCH) / pd.Timedelta(days=1)).to_numpy(dtype=float, na_value=np.nan)
    return [None if math.isnan(v) else v for v in days.tolist()]


def column_values(df: pd.DataFrame, col: Col, yes_no: tuple[str, str]) -> list[Any]:
    """The column's cells as plain Python values (None = leave the cell empty)."""
    s = df[col.key] if col.key in df.columns else pd.Series([None] * len(df), index=df.index, dtype=object)
    if col.kind in ("bool", "flag"):
        return _bools(s, yes_no, flag=col.kind == "flag")
    if col.kind in TEXT_KINDS:
        return _strings(s, col.values)
    if col.kind in DATE_KINDS:
        return _serials(s)
    return _numbers(s)


def _width(col: Col, header: str, cells: Sequence[Any]) -> float:
    if col.width is not None:
        return col.width
    head = display_width(header)
    need = head + 2 if head <= 14 else max(12, (head + 1) // 2 + 3)  # long headers wrap on two lines
    if col.kind in ("money",):
        need = max(need, 14)
    elif col.kind in ("pct", "change", "int", "number"):
        need = max(need, 9)
    elif col.kind == "date":
        need = max(need, 11)
    elif col.kind == "datetime":
        need = max(need, 16)
    else:
        seen = [display_width(v) for v in cells[:WIDTH_SAMPLE] if isinstance(v, str)]
        if seen:
            need = max(need, max(seen) + 2)
    if col.kind == "wrap":
        return WRAP_WIDTH
    return float(min(MAX_WIDTH, max(MIN_WIDTH, need)))


def write_table(
    ws: Worksheet,
    st: Styles,
    df: pd.DataFrame,
    cols: Sequence[Col],
    *,
    name: str,
    top: int,
    yes_no: tuple[str, str],
    status_labels: Mapping[str, str] | None = None,
    freeze_cols: int = 0,
    left: int = 0,
    set_widths: bool = True,
    freeze: bool = True,
) -> Placed:
    """Write ``df`` as the Excel table ``name`` with its header on row ``top``; returns where it is.

    ``status_labels`` maps ``green`` / ``amber`` / ``red`` to the labels the status columns show,
    for their colour rules. An empty frame still makes a table (one blank row), so filters and
    headers are there when rows arrive next week.
    """
    n = len(df)
    last = top + max(n, 1)
    placed = Placed(ws.name, top, last, rows=n)
    # a column at a time (FastWorksheet: the same cells as write_string / write_number per value)
    fast = isinstance(ws, FastWorksheet)
    for j, col in enumerate(cols):
        c = left + j
        placed.cols[col.key] = c
        cells = column_values(df, col, yes_no)
        # plain text takes the workbook's default format (the reader's font, style.default_format):
        # a cell without a style of its own is a tenth cheaper to write, and most cells are text
        fmt = None if col.kind in PLAIN_KINDS else st[col.kind]
        if fast:
            (ws.write_strings if col.kind in TEXT_KINDS else ws.write_numbers)(top + 1, c, cells, fmt)
        elif col.kind in TEXT_KINDS:
            for i, v in enumerate(cells):
                if v is not None:
                    ws.write_string(top + 1 + i, c, v, fmt)
        else:
            for i, v in enumerate(cells):
                if v is not None:
                    ws.write_number(top + 1 + i, c, v, fmt)
        placed.widths[c] = _width(col, col.header, cells)
        if set_widths:
            ws.set_column(c, c, placed.widths[c])
        rules = list(col.rules)
        if col.kind == "status" and status_labels:
            rules += [("equal to", label, status) for status, label in status_labels.items()]
        if n:
            colour_rules(ws, st, top + 1, c, last, c, rules)
        if col.bar and n:
            ws.conditional_format(
                top + 1, c, last, c, {"type": "data_bar", "bar_color": DATA_BAR, "bar_solid": True}
            )
    ws.add_table(top, left, last, left + len(cols) - 1, {
        "name": name, "style": TABLE_STYLE, "autofilter": True,
        "columns": [{"header": col.header, "header_format": st["col_header"]} for col in cols],
    })  # fmt: skip
    ws.set_row(top, HEADER_HEIGHT)
    if freeze:
        ws.freeze_panes(top + 1, freeze_cols)
    return placed


def colour_rules(
    ws: Worksheet, st: Styles, r1: int, c1: int, r2: int, c2: int, rules: Sequence[tuple[str, Any, str]]
) -> None:
    """Status colours over a range as conditional-format rules (text values compared as text)."""
    for criteria, value, status in rules:
        ws.conditional_format(r1, c1, r2, c2, {
            "type": "cell", "criteria": criteria, "value": _quoted(value) if isinstance(value, str) else value,
            "format": st[f"status_{status}"],
        })  # fmt: skip


def _quoted(text: str) -> str:
    """A text constant in a conditional-format rule (Excel doubles embedded quotes)."""
    return '"' + text.replace('"', '""') + '"'
