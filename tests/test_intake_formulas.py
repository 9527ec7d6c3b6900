"""Formulas saved without a value (issue 14): the form is rejected naming each such cell of its table
and info block, in the form's language; a formula whose saved value is real is read as that value.

Fixtures (``tests/data/make_fixtures.py: uncached_formulas``): an openpyxl-written visit report
(amounts and the report date as formulas, plus a total row and a note beside the table, which are
not the form's), and the LibreOffice xlsm and ods fixtures with one amount turned into a formula
without a value.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from automation.core.problems import render
from automation.intake import read_submission
from automation.intake.formulas import MAX_CELLS, UncachedCells, uncached_cells
from automation.pipeline.check import directory_for
from automation.validate import ValidationContext, validate

DATA = Path(__file__).resolve().parent / "data"
CODE = "formula-no-value"


def flagged(sub: Any) -> list[tuple[str, str | None]]:
    return [(i.cell, i.field) for i in sub.issues if i.code == CODE]


def test_a_form_written_by_openpyxl_with_formulas_is_rejected_naming_each_cell(config, specs) -> None:  # type: ignore[no-untyped-def]
    sub = read_submission(DATA / "visit_report_uncached_formulas_openpyxl.xlsx", config, specs)
    assert sub.form == "visit_report" and sub.language == "zh"
    # the two amounts of the first visit and the report date; not the total row (G9) nor the note (Q6)
    assert sorted(flagged(sub)) == [("E2", "report_date"), ("G6", "order_amount"), ("H6", "gross_margin")]


def test_the_rejection_speaks_the_forms_language_and_says_what_to_do(config, specs) -> None:  # type: ignore[no-untyped-def]
    sub = read_submission(DATA / "visit_report_uncached_formulas_openpyxl.xlsx", config, specs)
    issue = next(i for i in sub.issues if i.cell == "G6")
    message, fix = render(issue, sub.language)
    assert message == "「订货金额」（单元格 G6）是公式，但文件里没有保存它的计算结果，读不到数值。"
    assert "Excel 或 WPS" in fix and "直接填写数值" in fix
    message, fix = render(issue, "en")
    assert (
        message == "'订货金额' (cell G6) holds a formula with no saved value, so there is no value to read."
    )
    assert fix.startswith("Open the file in Excel or WPS and save it") and "type the value" in fix


def test_an_english_form_post_processed_by_a_script_is_rejected_in_english(
    tmp_path: Path, config, specs
) -> None:  # type: ignore[no-untyped-def]
    import openpyxl
    from checkforms import visit_info, visit_row, write_form

    path = write_form(tmp_path / "en.xlsx", specs, "visit_report", visit_info(), [visit_row()] * 2, lang="en")
    wb = openpyxl.load_workbook(path)
    ws = wb["Form"]
    header = next(r for r in range(1, 12) if ws.cell(r, 1).value == "Customer")
    col = next(c for c in range(1, 30) if ws.cell(header, c).value == "Order amount")
    ws.cell(header + 2, col, f"={ws.cell(header + 1, col).coordinate}*2")  # a script's running total
    wb.save(path)
    sub = read_submission(path, config, specs)
    assert sub.language == "en"
    [issue] = [i for i in sub.issues if i.code == CODE]
    assert issue.row == header + 2 and issue.column == "Order amount"
    assert render(issue, "en")[0].startswith("'Order amount' (cell ")


def test_validation_rejects_it_once_per_cell_and_not_as_a_missing_value(config, specs) -> None:  # type: ignore[no-untyped-def]
    from datetime import datetime

    sub = read_submission(
        DATA / "visit_report_uncached_formulas_openpyxl.xlsx",
        config,
        specs,
        received_at=datetime(2026, 11, 23, 19),
    )
    ctx = ValidationContext(
        config=config, specs=specs, customers=directory_for(config).customers,
        now=datetime(2026, 11, 23, 21), received_at=datetime(2026, 11, 23, 19),
    )  # fmt: skip
    report = validate(sub, ctx)
    assert not report.valid
    cells = [(i.code, i.cell) for i in report.issues if i.cell in ("E2", "G6", "H6")]
    assert sorted(cells) == [(CODE, "E2"), (CODE, "G6"), (CODE, "H6")]  # no "required" beside them


@pytest.mark.parametrize("name", ["visit_report_uncached_formula.xlsm", "visit_report_uncached_formula.ods"])
def test_xlsm_and_ods_formulas_without_a_value_are_found(name: str, config, specs) -> None:  # type: ignore[no-untyped-def]
    sub = read_submission(DATA / name, config, specs)
    assert sub.form == "visit_report"
    assert flagged(sub) == [("G6", "order_amount")]


def test_a_formula_whose_saved_value_is_the_empty_text_is_read_as_it(tmp_path: Path, config, specs) -> None:  # type: ignore[no-untyped-def]
    """Excel saves ``=IF(F6="","",F6*2)`` with ``t="str"`` and an empty value: a real value."""
    import sys

    sys.path.insert(0, str(DATA))
    import make_fixtures as fx

    src = (DATA / "visit_report_libreoffice.xlsm").read_bytes()
    path = tmp_path / "excel.xlsm"
    path.write_bytes(
        fx.rewrite_part(
            src, "xl/worksheets/sheet1.xml",
            lambda x: x.replace('<c r="G6" s="0" t="n"><v>10000</v></c>', '<c r="G6" t="str"><f>IF(F6="","",F6*2)</f><v></v></c>'),
        )
    )  # fmt: skip
    sub = read_submission(path, config, specs)
    assert sub.form == "visit_report" and flagged(sub) == []
    assert sub.rows[0].cells["order_amount"].value is None


def test_formulas_with_their_saved_values_are_read_as_values(tmp_path: Path, config, specs) -> None:  # type: ignore[no-untyped-def]
    """What Excel, WPS and LibreOffice save: nothing to report."""
    sub = read_submission(DATA / "visit_report_libreoffice_roundtrip.xlsx", config, specs)
    assert flagged(sub) == []
    xml = b'<worksheet><sheetData><row r="1"><c r="A1"><f>1+1</f><v>2</v></c></row></sheetData></worksheet>'
    assert uncached_cells(xml) == []


def test_legacy_xls_formulas_are_read_as_their_stored_result(tmp_path: Path, config, specs) -> None:  # type: ignore[no-untyped-def]
    """Decision (see automation/intake/formulas.py): a BIFF formula always stores a result, and the
    one a script writes is byte for byte Excel's empty text, so an .xls cannot be told apart and is
    read as its stored result (blank)."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("日报")
    for c, label in enumerate(["客户", "拜访目的", "洽谈结果", "订货金额"]):
        ws.write(0, c, label)
    for c, v in enumerate(["华东机械厂", "服务", "成交"]):
        ws.write(1, c, v)
    ws.write(1, 3, xlwt.Formula("2*3"))
    wb.save(str(tmp_path / "f.xls"))
    sub = read_submission(tmp_path / "f.xls", config, specs)
    assert sub.form == "visit_report" and flagged(sub) == []
    assert sub.rows[0].cells["order_amount"].value is None


def test_the_read_ahead_process_hands_the_cells_over_with_the_grids(config, specs) -> None:  # type: ignore[no-untyped-def]
    """The read-ahead process parses a flood's next files into grids: the formula cells travel too."""
    import hashlib
    import pickle

    from automation.pipeline.flood.grids import early_read

    data = (DATA / "visit_report_uncached_formulas_openpyxl.xlsx").read_bytes()
    early = pickle.loads(pickle.dumps(early_read(data, hashlib.sha256(data).hexdigest(), config, specs)))
    sub = early.read(DATA / "visit_report_uncached_formulas_openpyxl.xlsx", config, specs)
    assert sorted(flagged(sub)) == [("E2", "report_date"), ("G6", "order_amount"), ("H6", "gross_margin")]


# ----- the scan itself ------------------------------------------------------------------------------


def _sheet_xml() -> bytes:
    with zipfile.ZipFile(DATA / "visit_report_uncached_formulas_openpyxl.xlsx") as z:
        return z.read("xl/worksheets/sheet1.xml")


@pytest.mark.parametrize("chunk", [1, 7, 64, 1000])
def test_a_streamed_sheet_gives_the_cells_of_a_whole_one(chunk: int) -> None:
    """Large sheets are scanned in chunks (a cell may straddle two): the same cells come out."""
    xml = _sheet_xml()
    scan = UncachedCells()
    for i in range(0, len(xml), chunk):
        scan.feed(xml[i : i + chunk])
    scan.feed(b"", final=True)
    whole = uncached_cells(xml)
    assert scan.cells == whole
    assert sorted(whole) == [(1, 4), (5, 6), (5, 7), (5, 16), (8, 6)]  # E2, G6, H6, Q6, G9


def test_a_namespace_prefix_is_followed() -> None:
    xml = (
        b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
        b'<x:row r="3"><x:c r="B3"><x:f>A3*2</x:f><x:v/></x:c><x:c r="C3"><x:f>1</x:f><x:v>1</x:v></x:c>'
        b"</x:row></x:sheetData></x:worksheet>"
    )
    assert uncached_cells(xml) == [(2, 1)]


def test_a_sheet_full_of_formulas_keeps_a_bounded_list() -> None:
    cells = "".join(f'<c r="A{r}"><f>1</f></c>' for r in range(1, MAX_CELLS + 50))
    xml = f"<worksheet><sheetData><row>{cells}</row></sheetData></worksheet>".encode()
    assert len(uncached_cells(xml)) == MAX_CELLS
