"""The fast worksheet (automation/consolidate/fastsheet.py) writes the same file as XlsxWriter's own.

A workbook is written twice, once with the stock ``Worksheet`` and once with ``FastWorksheet``, and
every part of the two files is compared byte for byte: a synthetic table with the awkward values
(formula-looking text, control characters, an over-long string, NaN, NaT, 18-digit codes) beside
every other kind of cell and row, and a real consolidated workbook built from ingested forms. The
written cells are read back with openpyxl: text stays text, dates stay dates, numbers stay numbers.
"""

from __future__ import annotations

import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from xlsxwriter.exceptions import OverlappingRange
from xlsxwriter.worksheet import Worksheet

from automation.consolidate import workbook
from automation.consolidate.fastsheet import FastWorksheet
from automation.consolidate.style import Styles, default_format
from automation.consolidate.table import Col, write_table
from automation.core.formspec import load_specs
from automation.ledger import open_ledger
from automation.pipeline import process
from automation.score.week import compute_week
from tests.formfactory import FormFactory, install

PLANTED = ('=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3")
LONG = "长" * 40_000  # over Excel's 32,767 characters: truncated, as XlsxWriter's write_string does
CODE = "440301199001011234"  # an 18-digit code: text, never a float
COLS = [
    Col("text", "text", "文本"), Col("wrap", "wrap", "说明"), Col("code", "id", "编号"),
    Col("money", "money", "金额", bar=True), Col("count", "int", "次数"), Col("pct", "pct", "比率"),
    Col("day", "date", "日期"), Col("at", "datetime", "时间"), Col("ok", "bool", "是否"),
    Col("flag", "flag", "标记"), Col("state", "status", "状态", values={"red": "逾期", "green": "正常"}),
]  # fmt: skip
FRAME = pd.DataFrame({
    "text": [*PLANTED, " padded ", "换行\n文本", "控制\x01字符", "", None, "华东"],
    "wrap": ["长文本 " * 30, LONG, None, "a&b<c>", "'quoted'", "x", "y", "z", "w", "v"],
    "code": [CODE, "0012", None, "R001", "S01", "=1+1", "", "C1", "C2", "C3"],
    "money": [1234.5, float("nan"), 0.0, -3.25, 1e12, None, 2.0, 3.0, 4.0, 0.1 + 0.2],
    "count": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    "pct": [0.5, 1.25, None, 0.0, -0.1, 0.333333333333, 1.0, 0.2, 0.3, 0.4],
    "day": pd.to_datetime(["2026-11-16", None, "2026-11-20", "1999-12-31", "2026-11-16", "2026-01-01",
                           "2026-02-28", "2026-03-01", "2026-11-23", "2026-11-22"]),
    "at": pd.to_datetime(["2026-11-16 09:30", None, "2026-11-20 17:05", None, None, None, None, None, None,
                          "2026-11-22 00:00"]),
    "ok": [True, False, None, True, False, True, True, False, True, False],
    "flag": [True, False, None, True, False, False, False, False, False, True],
    "state": ["red", "green", None, "red", "green", "red", "green", "red", "green", "red"],
})  # fmt: skip


def _write(path: Path, cls: type[Worksheet]) -> None:
    wb = xlsxwriter.Workbook(
        str(path), {**workbook.OPTIONS, "default_format_properties": default_format("zh")}
    )
    st = Styles(wb, "zh")
    ws = wb.add_worksheet("表", cls)
    ws.merge_range(1, 0, 1, 4, "说明", st["note"])
    write_table(ws, st, FRAME, COLS, name="Big", top=3, yes_no=("是", "否"),
                status_labels={"red": "逾期", "green": "正常"})  # fmt: skip
    write_table(ws, st, FRAME.iloc[:0], COLS[:3], name="Empty", top=20, yes_no=("是", "否"))
    write_table(ws, st, FRAME.iloc[:1], COLS[:3], name="One", top=24, yes_no=("是", "否"))
    ws.add_table("A30:C33", {"name": "ByRef", "columns": [{"header": h} for h in ("a", "b", "c")]})
    ws.set_row(31, 20, st["money"])  # a row format under cells without their own
    ws.set_column(5, 5, 12, st["pct"])  # a column format
    ws.write_string(31, 0, "row-styled")
    ws.write_number(32, 5, 7)
    ws.write_formula(36, 0, "=SUM(F33:F33)", None, 7)
    ws.write_url(36, 1, "internal:'表'!A1", st["link"], string="回到顶部")
    ws.write_blank(36, 2, None, st["money"])
    ws.write_boolean(36, 3, True)
    ws.write_comment(40, 0, "只有批注的一行")
    ws.set_row(42, 30)  # a row with a height only
    ws.write_number(70, 30, 1.5)  # far away: other row spans
    wb.close()


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_the_fast_worksheet_writes_the_same_bytes_and_types(tmp_path: Path) -> None:
    _write(tmp_path / "stock.xlsx", Worksheet)
    _write(tmp_path / "fast.xlsx", FastWorksheet)
    stock, fast = _parts(tmp_path / "stock.xlsx"), _parts(tmp_path / "fast.xlsx")
    assert list(fast) == list(stock)
    for name in stock:
        assert fast[name] == stock[name], name
    assert b'ref="A4:K14"' in fast["xl/tables/table1.xml"]  # the big table's full range
    ws = openpyxl.load_workbook(tmp_path / "fast.xlsx")["表"]
    header = [c.value for c in ws[4]]
    assert header[:3] == ["文本", "说明", "编号"]
    for i, text in enumerate(PLANTED):
        cell = ws.cell(5 + i, 1)
        assert (cell.value, cell.data_type) == (text, "s")  # text a rep typed stays text
    assert ws.cell(5, 3).value == CODE and ws.cell(10, 3).value == "=1+1" and ws.cell(10, 3).data_type == "s"
    assert ws.cell(6, 2).value == LONG[:32767]
    assert ws.cell(5, 4).value == 1234.5 and ws.cell(6, 4).value is None  # NaN left empty
    assert ws.cell(5, 4).number_format == "¥#,##0.00" and ws.cell(5, 6).number_format == "0.0%"
    assert ws.cell(5, 5).value == 1 and ws.cell(5, 5).data_type == "n"
    assert ws.cell(5, 7).is_date and ws.cell(5, 7).value == datetime(2026, 11, 16)
    assert ws.cell(7, 8).value == datetime(2026, 11, 20, 17, 5) and ws.cell(6, 7).value is None
    assert [ws.cell(5 + i, 9).value for i in range(3)] == ["是", "否", None]
    assert [ws.cell(5 + i, 10).value for i in range(3)] == ["是", None, None]
    assert ws.cell(5, 11).value == "逾期"
    assert ws.cell(37, 1).data_type == "f" and ws.cell(37, 1).value == "=SUM(F33:F33)"  # ours, not a rep's


def test_tables_and_merged_ranges_may_not_overlap(tmp_path: Path) -> None:
    wb = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"))
    ws = wb.add_worksheet("s", FastWorksheet)
    ws.merge_range(0, 0, 0, 3, "merged")
    assert ws.add_table(2, 0, 10, 3, {"name": "First"}) == 0
    with pytest.raises(OverlappingRange):
        ws.add_table(10, 3, 20, 5, {"name": "Second"})  # its corner is the first table's
    with pytest.raises(OverlappingRange):
        ws.add_table(0, 2, 5, 6, {"name": "Third"})  # over the merged range
    with pytest.raises(OverlappingRange):
        ws.merge_range(5, 2, 5, 4, "over the first table")
    with pytest.raises(OverlappingRange):  # XlsxWriter's own add_table (a total row), over its 6th row
        ws.add_table(7, 3, 9, 4, {"name": "Totals", "total_row": True})
    assert ws.add_table(11, 0, 20, 3, {"name": "Fourth"}) == 0  # right below the first table
    wb.close()


def test_a_consolidated_workbook_is_the_same_file_with_either_worksheet(
    tmp_path: Path, monkeypatch: Any
) -> None:
    _, config = install(tmp_path)
    specs = load_specs(config)
    factory = FormFactory(config, specs)
    with open_ledger(config) as ledger:
        for rep in ("R001", "R002"):
            process(factory.register(rep).drop(config.inbox), config, ledger=ledger)
            for i, day in enumerate(date(2026, 11, d) for d in (16, 17, 18, 19, 20)):
                process(factory.visit_report(rep, day, seed=i).drop(config.inbox), config, ledger=ledger)
        result = compute_week(ledger.frames(), config, "2026-W47", as_of=date(2026, 11, 23))
    now = datetime(2026, 11, 23, 21, 0)
    workbook.build(tmp_path / "fast.xlsx", result, config, specs, "zh", now)
    monkeypatch.setattr(workbook, "WORKSHEET", Worksheet)
    workbook.build(tmp_path / "stock.xlsx", result, config, specs, "zh", now)
    stock, fast = _parts(tmp_path / "stock.xlsx"), _parts(tmp_path / "fast.xlsx")
    assert list(fast) == list(stock) and len(stock) > 20
    assert [n for n in stock if fast[n] != stock[n]] == []
    assert sum(n.startswith("xl/tables/") for n in stock) >= 10
