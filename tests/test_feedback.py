"""Feedback workbooks: the problem list first, then the rep's sheet with each bad cell filled and commented;
read back with openpyxl and opened by LibreOffice."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from checkforms import visit_info, visit_row, write_form

from automation.core.model import CustomerDirectory, CustomerRef
from automation.core.problems import render
from automation.feedback import ERROR_FILL, WARNING_FILL, feedback_path, write_feedback
from automation.intake import read_submission
from automation.validate import Report, ValidationContext, validate

DATA = Path(__file__).resolve().parent / "data"
RECEIVED = datetime(2026, 11, 23, 21, 0)


def check(path: Path, config: Any, specs: Any, folder: str = "") -> Report:
    sub = read_submission(path, config, specs, folder=folder, received_at=RECEIVED)
    customers = CustomerDirectory([CustomerRef("C0001", "上海华联商厦有限公司", "R001")])
    return validate(sub, ValidationContext(config, specs, customers, RECEIVED, RECEIVED))


def fill(cell: Any) -> str:
    return str(cell.fill.fgColor.rgb)[-6:].upper()


@pytest.fixture
def rejected(tmp_path: Path, config: Any, specs: Any) -> tuple[Report, Path]:
    rows = [
        visit_row(),
        visit_row(customer="不存在公司", order_amount=-3, gross_margin=None),
        visit_row(quoted="是", feedback='=HYPERLINK("http://x")'),
        visit_row(purpose="喝茶", next_visit=date(2026, 11, 1)),
    ]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = write_form(inbox / "R001 日报 11-23.xlsx", specs, "visit_report", visit_info(), rows)
    report = check(path, config, specs, folder="R002")
    return report, write_feedback(report, tmp_path / "rejected" / "R002")


def test_list_sheet_first_with_every_problem(rejected: tuple[Report, Path]) -> None:
    report, out = rejected
    assert out.name == "R001 日报 11-23.反馈.xlsx" and out.parent.name == "R002"
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["问题清单", "表单"]
    ws = wb["问题清单"]
    assert ws["A1"].value == "表格检查反馈：R001 日报 11-23.xlsx"
    assert "未通过检查" in ws["A2"].value and "重新放入您的文件夹" in ws["A3"].value
    assert [c.value for c in ws[5]] == [
        "序号",
        "工作表",
        "单元格",
        "行",
        "列",
        "填写的值",
        "问题",
        "修改方法",
        "级别",
    ]
    listed = [[c.value for c in row] for row in ws.iter_rows(min_row=6, max_row=5 + len(report.issues))]
    assert len(report.issues) >= 7 and ws.cell(6 + len(report.issues), 1).value is None
    for issue, row in zip(report.issues, listed, strict=True):
        message, fix = render(issue, "zh")
        assert row[2] == (issue.cell or "") and row[6] == message and row[7] == fix
    codes = {i.code for i in report.issues}
    assert {
        "wrong-folder",
        "unknown-customer",
        "negative-money",
        "quote-amount-required",
        "formula-text",
        "invalid-choice",
    } <= codes
    # each cell address links to the marked cell on the copy
    b3 = next(r for r in ws.iter_rows(min_row=6) if r[2].value == "B3")[2]
    assert b3.hyperlink is not None and b3.hyperlink.location == "'表单'!B3"


def test_copy_marks_every_bad_cell_red_with_a_comment(rejected: tuple[Report, Path]) -> None:
    report, out = rejected
    ws = openpyxl.load_workbook(out)["表单"]
    marked = {i.cell for i in report.issues if i.cell}
    for issue in report.issues:
        if not issue.cell:
            continue
        cell = ws[issue.cell]
        assert fill(cell) == (ERROR_FILL if issue.severity == "error" else WARNING_FILL)[1:], issue.cell
        assert cell.comment is not None and render(issue, "zh")[0] in cell.comment.text
    # the values are the rep's, cells without a problem are left plain
    assert ws["A9"].value == "不存在公司" and ws["G9"].value == -3 and ws["B11"].value == "喝茶"
    assert ws["A8"].value == "C0001" and ws["A8"].comment is None and "A8" not in marked
    assert ws["A7"].value == "客户" and ws["B4"].value.date() == date(2026, 11, 23)
    # text that looks like a formula stays text
    assert ws["M10"].value == '=HYPERLINK("http://x")' and ws["M10"].data_type == "s"
    assert fill(ws["M10"]) == WARNING_FILL[1:]
    assert ws.freeze_panes == "A8"


def test_unreadable_file_gets_only_the_list(tmp_path: Path, config: Any, specs: Any) -> None:
    report = check(DATA / "password_protected.xlsx", config, specs)
    out = write_feedback(report, tmp_path)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["问题清单"]
    assert wb["问题清单"]["G6"].value == "文件「password_protected.xlsx」设有打开密码，系统无法读取。"
    assert "去掉密码" in wb["问题清单"]["H6"].value


def test_english_form_gets_english_feedback(tmp_path: Path, config: Any, specs: Any) -> None:
    info = {"rep_id": "R004", "report_date": date(2026, 11, 23)}
    path = write_form(
        tmp_path / "visit.xlsx",
        specs,
        "visit_report",
        info,
        [{"customer": "Nobody Ltd", "purpose": "order"}],
        lang="en",
    )
    report = check(path, config, specs)
    out = write_feedback(report, tmp_path / "fb")
    assert out.name == "visit.feedback.xlsx"
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Problems", "Form"]
    problems_ws = wb["Problems"]
    assert problems_ws["A1"].value == "Form check feedback: visit.xlsx"
    texts = [problems_ws.cell(r, 7).value for r in range(6, 6 + len(report.issues))]
    assert "'Outcome' in row 7 is required but empty." in texts
    assert fill(wb["Form"]["C7"]) == ERROR_FILL[1:]


def test_csv_and_ods_originals_are_copied_from_their_grid(tmp_path: Path, config: Any, specs: Any) -> None:
    for name in ("visit_report_libreoffice.ods", "visit_report_gbk.csv"):
        report = check(DATA / name, config, specs)
        assert not report.valid  # its customers are not in this test's register
        out = write_feedback(report, tmp_path)
        wb = openpyxl.load_workbook(out)
        assert len(wb.sheetnames) == 2
        copy = wb[wb.sheetnames[1]]
        sub = report.submission
        first = sub.rows[0].cells["customer"]
        assert copy[first.ref].value == first.raw
        assert fill(copy[first.ref]) == ERROR_FILL[1:] and copy[first.ref].comment is not None


def _rewrite_member(path: Path, member: str, edit: Any) -> None:
    """Rewrite one part of a zip (xlsx) in place with ``edit(bytes) -> bytes``."""
    with zipfile.ZipFile(path) as z:
        parts = [(i, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in parts:
            z.writestr(info, edit(data) if info.filename == member else data)


def test_copy_keeps_digits_error_text_and_chinese_builtin_dates(
    tmp_path: Path, config: Any, specs: Any
) -> None:
    rows = [
        visit_row(customer="不存在公司", feedback=13812345678),
        visit_row(feedback="913100001234567890"),
        visit_row(gross_margin=None),
    ]
    path = write_form(tmp_path / "R001 日报.xlsx", specs, "visit_report", visit_info(), rows)
    wb = openpyxl.load_workbook(path)
    wb["表单"]["F10"] = "#DIV/0!"  # openpyxl stores a known error code as an error cell (t="e")
    wb.save(path)
    # Excel in Chinese writes its built-in date formats (id 31: yyyy"年"m"月"d"日") without a definition
    _rewrite_member(path, "xl/styles.xml", lambda x: re.sub(rb'<xf numFmtId="164"', b'<xf numFmtId="31"', x))
    with zipfile.ZipFile(path) as z:
        assert b't="e"' in z.read("xl/worksheets/sheet1.xml")
    report = check(path, config, specs, folder="R001")
    assert not report.valid
    ws = openpyxl.load_workbook(write_feedback(report, tmp_path / "fb"))["表单"]
    # a phone typed as a number stays that number (not 13812345678.0 nor 1.38E+10); a code typed as text stays text
    assert ws["M8"].value == 13812345678 and ws["M8"].data_type == "n" and ws["M8"].number_format == "General"
    assert ws["M9"].value == "913100001234567890" and ws["M9"].data_type == "s"
    # the rep's sheet shows #DIV/0! there, so the copy does too
    assert ws["F10"].value == "#DIV/0!"
    # the date shows as the date the rep sees (and intake read), not as its serial number
    assert isinstance(ws["B4"].value, datetime) and ws["B4"].value.date() == date(2026, 11, 23)
    assert ws["A8"].value == "不存在公司" and fill(ws["A8"]) == ERROR_FILL[1:]


_FAR_CHILD = """
import json, sys
from datetime import datetime
import openpyxl
from automation.core.config import load_config
from automation.feedback import write_feedback
from automation.core.formspec import load_specs
from automation.intake import read_submission
from automation.core.model import CustomerDirectory
from automation.validate import ValidationContext, validate
cfg = load_config(sys.argv[2]); specs = load_specs(cfg); now = datetime(2026, 11, 23, 21, 0)
sub = read_submission(sys.argv[1], cfg, specs, received_at=now)
report = validate(sub, ValidationContext(cfg, specs, CustomerDirectory(), now, now))
wb = openpyxl.load_workbook(write_feedback(report, sys.argv[3]))
ws = wb[wb.sheetnames[-1]]
print(json.dumps({"valid": report.valid, "sheets": wb.sheetnames, "H6": ws["H6"].value,
                  "max_row": ws.max_row, "max_col": ws.max_column}))
"""


def test_far_away_cell_does_not_abort_the_copy(tmp_path: Path, config_path: Path) -> None:
    # calamine would allocate 1048576 x 16384 cells for this sheet and abort: the copy streams it instead
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            _FAR_CHILD,
            str(DATA / "visit_report_far_value.xlsx"),
            str(config_path),
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        timeout=120,
    )
    assert out.returncode == 0, f"feedback process died (exit {out.returncode}): {out.stderr[-2000:]}"
    res = json.loads(out.stdout.strip().splitlines()[-1])
    assert not res["valid"] and len(res["sheets"]) == 2
    assert res["H6"] == 2500.5 and res["max_row"] < 20 and res["max_col"] < 30


def test_feedback_name_is_safe() -> None:
    assert feedback_path(Path('a:b*"c?.xlsx'), Path("/x"), "zh").name == "a_b__c_.反馈.xlsx"
    assert feedback_path(Path("...xlsx"), Path("/x"), "en").name == "form.feedback.xlsx"
    assert len(feedback_path(Path("长" * 300 + ".xlsx"), Path("/x"), "zh").stem) < 120


@pytest.mark.engine
def test_libreoffice_opens_the_feedback(rejected: tuple[Report, Path], tools: Path, tmp_path: Path) -> None:
    _, out = rejected
    result = subprocess.run(
        [sys.executable, str(tools / "recalc.py"), str(out), str(tmp_path / "recalc.json")],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    result_json = json.loads((tmp_path / "recalc.json").read_text(encoding="utf-8"))
    assert result_json["opened_by_libreoffice"] and not result_json["structural_errors"]
    sheets = result_json["sheets"]
    assert list(sheets) == ["问题清单", "表单"]
    assert sheets["问题清单"]["cells"]["A1"] == "表格检查反馈：R001 日报 11-23.xlsx"
    # after LibreOffice recalculated, the rep's '=' text is still that text, not a computed result
    assert sheets["表单"]["cells"]["M10"] == '=HYPERLINK("http://x")'
    assert result_json["formula_errors"] == []


def test_copy_is_read_under_the_configured_unpacked_limit(
    rejected: tuple[Report, Path], tmp_path: Path, config: Any
) -> None:
    # the copy reads the original again through intake's reader: a limit the file now exceeds
    # (an installation that lowered intake.max_unpacked_mb) leaves only the problem list
    report, with_copy = rejected
    assert openpyxl.load_workbook(with_copy).sheetnames == ["问题清单", "表单"]
    strict = config.model_copy(deep=True)
    strict.intake.max_unpacked_mb = 0.001  # 1 kB: less than any workbook's unpacked parts
    out = write_feedback(report, tmp_path / "strict", config=strict)
    assert openpyxl.load_workbook(out).sheetnames == ["问题清单"]
    roomy = write_feedback(report, tmp_path / "roomy", config=config)
    assert openpyxl.load_workbook(roomy).sheetnames == ["问题清单", "表单"]
