"""Where things sit on a template's form sheet, and how a value is put there: shared by the
builder (:mod:`.builder`) and its helper sheets (:mod:`.sheets`), and read back by the tests."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from automation.core.formspec import FieldSpec, FormSpec
from automation.core.texts.forms import TYPE_NAMES, pick

DATA_ROWS = 200
FIRST_INFO_ROW = 3
FORM_SHEET = "_form"
LIST_SHEET = "_lists"
INFO_VALUE_SPAN = 3  # value cells span B:D


@dataclass(frozen=True)
class Layout:
    """Where everything sits on a template's form sheet."""

    info_rows: dict[str, int]
    header_row: int
    columns: dict[str, int]
    value_span: dict[str, int] = field(default_factory=dict)  # info key -> last column of its merged value

    @property
    def first_data_row(self) -> int:
        return self.header_row + 1

    @property
    def last_data_row(self) -> int:
        return self.header_row + DATA_ROWS

    @property
    def last_col(self) -> int:
        return max(self.columns.values())

    def info_cell(self, key: str) -> str:
        """A1 reference of an info value cell (label in A, value in B)."""
        return f"B{self.info_rows[key]}"


def layout(spec: FormSpec) -> Layout:
    """The deterministic position of every label, value and column of ``spec``'s template."""
    columns = {f.key: i + 1 for i, f in enumerate(spec.fields)}
    last = len(spec.fields)
    info_rows = {f.key: FIRST_INFO_ROW + i for i, f in enumerate(spec.info)}
    span = {f.key: max(2, last if f.wide else min(last, 1 + INFO_VALUE_SPAN)) for f in spec.info}
    header = FIRST_INFO_ROW + len(spec.info) + 1 if spec.info else FIRST_INFO_ROW + 1
    return Layout(info_rows=info_rows, header_row=header, columns=columns, value_span=span)


def display_width(text: str) -> int:
    """Width in Excel character units: CJK and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(text))


def put(ws: Worksheet, row: int, col: int, value: Any) -> Any:
    """Write a value; text that starts with "=" stays text (form data is never a formula)."""
    cell = ws.cell(row=row, column=col, value=value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell


def type_name(f: FieldSpec, lang: str) -> str:
    return pick(TYPE_NAMES.get(f.type, (f.type, f.type)), lang)
