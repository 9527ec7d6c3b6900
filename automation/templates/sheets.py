"""The two helper sheets of every template: the instructions (填写说明) and the hidden ``_form`` sheet.

Both are generated from the form spec, so the instructions can never disagree with the dropdowns,
and ``_form`` lets intake recognise the form even when a rep renamed every sheet (SPEC §2).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.worksheet.properties import PageSetupProperties

from automation.core.formspec import FormSpec
from automation.core.texts.forms import allowed_text, notes_text, pick, steps, t
from automation.templates.grid import DATA_ROWS, FORM_SHEET, LIST_SHEET, Layout, display_width, put, type_name

if TYPE_CHECKING:
    from automation.core.config import Config

_THIN = Side(style="thin", color="8EA0B8")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="1F4E79")
_SECTION_FILL = PatternFill("solid", fgColor="DDEBF7")
_WIDTHS = (26, 14, 14, 10, 46, 46)


def add_instructions(wb: Workbook, spec: FormSpec, config: Config, lang: str, lay: Layout) -> None:
    """The instructions sheet: numbered steps, then one line per info value and per column."""
    font = "DengXian" if lang == "zh" else "Calibri"
    ws = wb.create_sheet(t("instructions_sheet", lang))
    put(ws, 1, 1, f"{spec.title(lang)} · {t('instructions_sheet', lang)}")
    ws.merge_cells("A1:F1")
    ws["A1"].font = Font(name=font, bold=True, size=14, color="1F4E79")
    ws.row_dimensions[1].height = 26
    sep = "、" if lang == "zh" else ", "
    info_names = sep.join(f.label(lang) for f in spec.info)
    hidden = [FORM_SHEET, *(n for n in wb.sheetnames if n == LIST_SHEET)]
    row = 3
    for i, pair in enumerate(steps(bool(spec.info), hidden), start=1):
        text = pick(pair, lang).format(
            sheet=spec.title(lang), info=info_names, first=lay.first_data_row, rows=DATA_ROWS,
            hidden=("、" if lang == "zh" else ", ").join(hidden),
        )  # fmt: skip
        put(ws, row, 1, f"{i}. {text}")
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=6)
        ws.cell(row=row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(row=row, column=1).font = Font(name=font)
        lines = max(1, -(-display_width(text) // int(sum(_WIDTHS) * 1.05)))
        ws.row_dimensions[row].height = 16 * lines + 2
        row += 1
    row += 1
    heads = ("col_field", "col_where", "col_type", "col_required", "col_allowed", "col_notes")
    for col, key in enumerate(heads, start=1):
        c = put(ws, row, col, t(key, lang))
        c.font = Font(name=font, bold=True, color="FFFFFF")
        c.fill = _HEAD_FILL
        c.border = _BORDER
        c.alignment = Alignment(horizontal="center", vertical="center")
    header_row = row
    row += 1
    sections = ((t("info_section", lang), spec.info), (t("table_section", lang), spec.fields))
    for where, fields in sections:
        for f in fields:
            allowed = allowed_text(f, lang)
            notes = notes_text(f, lang)
            values = (
                f.label(lang),
                where,
                type_name(f, lang),
                t("yes", lang) if f.required else "",
                allowed,
                notes,
            )
            for col, v in enumerate(values, start=1):
                c = put(ws, row, col, v)
                c.border = _BORDER
                c.font = Font(name=font, bold=col == 1, color="C55A11" if col == 4 else None)
                c.alignment = Alignment(wrap_text=True, vertical="top")
                if where == t("info_section", lang):
                    c.fill = _SECTION_FILL
            lines = max(-(-display_width(str(v)) // (w - 2)) for v, w in zip(values, _WIDTHS, strict=True))
            ws.row_dimensions[row].height = 16 * max(1, lines) + 2
            row += 1
    row += 1
    put(ws, row, 1, f"{t('version', lang)} {spec.version} · {spec.key}").font = Font(
        name=font, size=9, color="7F7F7F"
    )
    for i, w in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[chr(64 + i)].width = w
    ws.freeze_panes = f"A{header_row + 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.protection.sheet = True


def add_form_sheet(wb: Workbook, spec: FormSpec, lang: str, person_id: str | None = None) -> None:
    """The hidden ``_form`` sheet of SPEC §2: form key, template version, language (and the owner on copies)."""
    ws = wb.create_sheet(FORM_SHEET)
    rows = [("form", spec.key), ("version", spec.version), ("language", lang)]
    if person_id:
        rows.append(("owner", person_id))
    for i, (k, v) in enumerate(rows, start=1):
        put(ws, i, 1, k)
        put(ws, i, 2, v)
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
