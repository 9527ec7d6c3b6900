"""Real form files for the validate, feedback and check tests, written with openpyxl or xlsxwriter.

A form is written the way SPEC §2 lays out a template: a title row, the info block as
``label | value`` rows, a blank row, the header row with the spec's labels in the chosen language,
then the data rows exactly as given (text, numbers, dates: what a rep's Excel would hold), and the
hidden ``_form`` sheet. Labels come from the specs, so a renamed label breaks these tests.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import xlsxwriter

from automation.core.formspec import FormSet

SHEET = {"zh": "表单", "en": "Form"}


def layout(
    specs: FormSet,
    form: str,
    info: dict[str, Any],
    rows: list[dict[str, Any]],
    lang: str,
    omit: tuple[str, ...] = (),
) -> tuple[list[list[Any]], int]:
    """The sheet as rows of values, and the 1-based header row."""
    spec = specs[form]
    grid: list[list[Any]] = [[spec.title(lang)], []]
    for f in spec.info:
        if f.key in info:
            grid.append([f.label(lang), info[f.key]])
    grid.append([])
    fields = [f for f in spec.fields if f.key not in omit]
    grid.append([f.label(lang) for f in fields])
    header_row = len(grid)
    for row in rows:
        grid.append([row.get(f.key) for f in fields])
    return grid, header_row


def write_form(
    path: Path,
    specs: FormSet,
    form: str,
    info: dict[str, Any],
    rows: list[dict[str, Any]],
    *,
    lang: str = "zh",
    engine: str = "openpyxl",
    omit: tuple[str, ...] = (),
) -> Path:
    """Write one filled form to ``path`` (xlsx) with a real writer library."""
    grid, _ = layout(specs, form, info, rows, lang, omit)
    spec = specs[form]
    meta = (("form", form), ("version", spec.version), ("language", lang))
    if engine == "xlsxwriter":
        wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
        ws = wb.add_worksheet(SHEET[lang])
        datefmt = wb.add_format({"num_format": "yyyy-mm-dd"})
        for r, values in enumerate(grid):
            for c, v in enumerate(values):
                if v is None:
                    continue
                if isinstance(v, (date, datetime)):
                    ws.write_datetime(r, c, v, datefmt)
                elif isinstance(v, (int, float, Decimal)) and not isinstance(v, bool):
                    ws.write_number(r, c, float(v))
                else:
                    ws.write_string(r, c, str(v))
        m = wb.add_worksheet("_form")
        for r, (k, v) in enumerate(meta):
            m.write_string(r, 0, k)
            m.write_string(r, 1, v)
        m.hide()
        wb.close()
        return path
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = SHEET[lang]
    for r, values in enumerate(grid, start=1):
        for c, v in enumerate(values, start=1):
            if v is None:
                continue
            cell = ws.cell(r, c, float(v) if isinstance(v, Decimal) else v)
            if isinstance(v, str) and v.startswith("="):
                cell.data_type = "s"
            if isinstance(v, (date, datetime)):
                cell.number_format = "yyyy-mm-dd"
    m = wb.create_sheet("_form")
    for r, (k, v) in enumerate(meta, start=1):
        m.cell(r, 1, k)
        m.cell(r, 2, v)
    m.sheet_state = "hidden"
    wb.save(path)
    return path


TODAY = date(2026, 11, 23)


def visit_row(**overrides: Any) -> dict[str, Any]:
    """A valid zh visit-report row for customer C0001; ``overrides`` break one thing."""
    row: dict[str, Any] = {
        "customer": "C0001",
        "purpose": "订货",
        "outcome": "成交",
        "quoted": "否",
        "order_amount": 5000,
        "gross_margin": 1200,
    }
    row.update(overrides)
    return row


def visit_info(**overrides: Any) -> dict[str, Any]:
    info: dict[str, Any] = {"rep_id": "R001", "report_date": TODAY, "attendance": "出勤"}
    info.update(overrides)
    return info
