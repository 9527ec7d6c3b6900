"""VALIDATE: every problem code triggered from a real file (written with openpyxl or xlsxwriter, or one of
intake's fixtures in tests/data), run through intake and validate, checking the code, the cell and the
message the rep reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from checkforms import TODAY, visit_info, visit_row, write_form
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from automation.core import problems
from automation.core.model import CustomerDirectory, CustomerRef, Issue
from automation.intake import read_submission
from automation.validate import Report, ValidationContext, validate
from automation.validate.fields import credit_code_problem, valid_email, valid_phone

DATA = Path(__file__).resolve().parent / "data"
RECEIVED = datetime(2026, 11, 23, 21, 0)
VALID_CODE = "91350100M000100Y43"


def directory() -> CustomerDirectory:
    return CustomerDirectory(
        [
            CustomerRef("C0001", "上海华联商厦有限公司", "R001", "east"),
            CustomerRef("C0002", "华联", "R001", "east"),
            CustomerRef("C0003", "华联", "R002", "east"),
            CustomerRef("C000007", "星河科技有限公司", "R001", "east", phone="13812345678", assigned=True),
        ],
        complaint_ids={"K0001"},
    )


def check(path: Path, config: Any, specs: Any, *, folder: str = "", strict: bool = True) -> Report:
    sub = read_submission(path, config, specs, folder=folder, received_at=RECEIVED)
    ctx = ValidationContext(config, specs, directory(), RECEIVED, RECEIVED, strict_references=strict)
    return validate(sub, ctx)


def only(report: Report, code: str) -> Issue:
    found = [i for i in report.issues if i.code == code]
    assert len(found) == 1, [(i.code, i.cell) for i in report.issues]
    return found[0]


def register_row(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name": "杭州新客户有限公司",
        "credit_code": VALID_CODE,
        "region": "华东",
        "contact": "李经理",
        "phone": "0571-87654321",
        "email": "li@example.com",
        "stage": "潜在客户",
        "created": date(2026, 11, 20),
    }
    row.update(overrides)
    return row


def complaint_row(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "customer": "C0001",
        "received": date(2026, 11, 10),
        "category": "质量",
        "description": "包装破损",
        "severity": "中",
        "status": "处理中",
    }
    row.update(overrides)
    return row


def target_row(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "period": "2026-12",
        "level": "销售员",
        "owner": "R001",
        "sales": 100000,
        "visits": 60,
    }
    row.update(overrides)
    return row


def weekly_info(**overrides: Any) -> dict[str, Any]:
    info: dict[str, Any] = {"region": "华东", "week": "2026-W48", "supervisor": "马超"}
    info.update(overrides)
    return info


@dataclass
class Case:
    """One problem from one real file: the form written, where the problem is, what the rep reads."""

    code: str
    form: str
    info: dict[str, Any]
    rows: list[dict[str, Any]]
    cell: str | None
    message: str
    folder: str = ""
    strict: bool = True
    severity: str = "error"
    omit: tuple[str, ...] = ()
    engine: str = "openpyxl"
    lang: str = "zh"
    extra: dict[str, Any] = field(default_factory=dict)


# visit report layout (checkforms): info B3 rep, B4 date, B5 attendance; header row 7; data from row 8.
CASES = [
    Case(
        "missing-info",
        "visit_report",
        {"rep_id": "R001"},
        [visit_row()],
        None,
        "表格上方的「报告日期」没有填写。",
    ),
    Case(
        "required",
        "visit_report",
        visit_info(),
        [visit_row(customer=None)],
        "A8",
        "第 8 行的「客户」是必填项，但没有填写。",
    ),
    Case(
        "invalid-int",
        "targets",
        {},
        [target_row(visits="很多")],
        "I5",
        "「拜访目标」填的是「很多」，不是整数。",
        folder="hq",
    ),
    Case(
        "invalid-money",
        "visit_report",
        visit_info(),
        [visit_row(gross_margin="一千二")],
        "H8",
        "「毛利」填的是「一千二」，不是金额。",
    ),
    Case(
        "negative-money", "visit_report", visit_info(), [visit_row(order_amount=-3)], "G8", "金额不能为负数。"
    ),
    Case(
        "invalid-date",
        "visit_report",
        visit_info(),
        [visit_row(next_visit="下周")],
        "N8",
        "「下次拜访日期」填的是「下周」，不是日期。",
    ),
    Case(
        "invalid-bool",
        "visit_report",
        visit_info(),
        [visit_row(quoted="也许")],
        "E8",
        "「已报价」填的是「也许」，应为“是”或“否”。",
    ),
    Case(
        "invalid-choice",
        "visit_report",
        visit_info(),
        [visit_row(purpose="喝茶")],
        "B8",
        "「拜访目的」填的是「喝茶」，不在可选项中。",
    ),
    Case(
        "invalid-week",
        "weekly_report",
        weekly_info(week="下周"),
        [{"rep_id": "R001"}],
        "B4",
        "「周次」填的是「下周」，不是周次。",
    ),
    Case(
        "invalid-period",
        "targets",
        {},
        [target_row(period="明年")],
        "A5",
        "「期间」填的是「明年」，不是期间。",
        folder="hq",
    ),
    Case(
        "unknown-rep",
        "visit_report",
        visit_info(rep_id="R999"),
        [visit_row()],
        "B3",
        "销售员编号「R999」不存在。",
    ),
    Case(
        "unknown-region",
        "weekly_report",
        weekly_info(region="火星"),
        [{"rep_id": "R001"}],
        "B3",
        "区域「火星」不存在。",
        folder="S01",
    ),
    Case(
        "unknown-customer",
        "visit_report",
        visit_info(),
        [visit_row(customer="不存在公司")],
        "A8",
        "客户「不存在公司」不在客户登记表中。",
    ),
    Case(
        "unknown-customer-id",
        "customer_register",
        {"rep_id": "R001"},
        [register_row(customer_id="C9999")],
        "A6",
        "客户编号「C9999」不存在。",
    ),
    Case(  # HQ loads a list whose own code is one the product already gave another customer
        "customer-id-taken",
        "customer_register",
        {"rep_id": "R001"},
        [register_row(customer_id="C000007")],
        "A6",
        "客户编号「C000007」已由系统分配给客户「星河科技有限公司 (C000007)」，本行写的是另一家客户。",
        folder="hq",
    ),
    Case(
        "unknown-complaint-id",
        "complaint",
        {"rep_id": "R001"},
        [complaint_row(complaint_id="K9999")],
        "A6",
        "投诉编号「K9999」不存在。",
    ),
    Case(
        "invalid-credit-code",
        "customer_register",
        {"rep_id": "R001"},
        [register_row(credit_code="91350100M000100Y44")],
        "C6",
        "统一社会信用代码「91350100M000100Y44」有误：校验位不对（可能有字符抄错）。",
    ),
    Case(
        "invalid-phone",
        "customer_register",
        {"rep_id": "R001"},
        [register_row(phone="12345")],
        "J6",
        "电话「12345」不是有效的手机号或座机号。",
    ),
    Case(
        "invalid-email",
        "customer_register",
        {"rep_id": "R001"},
        [register_row(email="li@example")],
        "K6",
        "邮箱「li@example」不是有效的邮箱地址。",
    ),
    Case(
        "date-in-future",
        "visit_report",
        visit_info(report_date=date(2026, 11, 25)),
        [visit_row()],
        "B4",
        "「报告日期」是 2026-11-25，晚于收到表格的日期 2026-11-23。",
    ),
    Case(
        "date-too-old",
        "visit_report",
        visit_info(report_date=date(2025, 11, 23)),
        [visit_row()],
        "B4",
        "「报告日期」是 2025-11-23，早于允许的最早日期 2026-09-22（62 天以内）。",
    ),
    Case(
        "quote-amount-required",
        "visit_report",
        visit_info(),
        [visit_row(quoted="是")],
        "F8",
        "第 8 行已报价，但「报价金额」没有填写。",
    ),
    Case(
        "order-without-deal",
        "visit_report",
        visit_info(),
        [visit_row(outcome="有意向", gross_margin=None)],
        "G8",
        "第 8 行订货金额为 5000，但洽谈结果不是“成交”。",
    ),
    Case(
        "margin-exceeds-order",
        "visit_report",
        visit_info(),
        [visit_row(gross_margin=6000)],
        "H8",
        "第 8 行毛利 6000 大于订货金额 5,000.00。",
    ),
    Case(
        "next-visit-not-after-report",
        "visit_report",
        visit_info(),
        [visit_row(next_visit=TODAY)],
        "N8",
        "下次拜访日期 2026-11-23 不在报告日期 2026-11-23 之后。",
    ),
    Case(
        "resolved-date-required",
        "complaint",
        {"rep_id": "R001"},
        [complaint_row(status="已解决")],
        "I6",
        "第 6 行状态为“已解决”，但「解决日期」没有填写。",
    ),
    Case(
        "resolved-before-received",
        "complaint",
        {"rep_id": "R001"},
        [complaint_row(status="已关闭", resolved=date(2026, 11, 1))],
        "I6",
        "解决日期 2026-11-01 早于受理日期 2026-11-10。",
    ),
    Case(
        "invalid-target-owner",
        "targets",
        {},
        [target_row(owner="华东")],
        "C5",
        "第 5 行层级为“销售员”，但对象「华东」不是有效的销售员。",
        folder="hq",
    ),
    Case(
        "duplicate-row",
        "visit_report",
        visit_info(),
        [visit_row(), visit_row()],
        "A9",
        "第 9 行与第 8 行完全相同。",
        severity="warning",
    ),
    Case(
        "formula-text",
        "visit_report",
        visit_info(),
        [visit_row(feedback="=价格太高")],
        "M8",
        "「客户意见」的内容以“=”开头，将按文字保存，不会当作公式计算。",
        severity="warning",
    ),
    Case("no-rows", "visit_report", visit_info(), [], None, "表格中没有填写任何数据行。", severity="warning"),
    Case(
        "wrong-folder",
        "visit_report",
        visit_info(),
        [visit_row()],
        "B3",
        "表上的销售员编号是 R001，但文件放在了「R002」文件夹。",
        folder="R002",
    ),
    Case(
        "not-region-supervisor",
        "weekly_report",
        weekly_info(),
        [{"rep_id": "R001", "plan": "拜访重点客户"}],
        "B3",
        "华东区域的周报只能由该区域主管（S01）提交，文件却放在「S02」文件夹。",
        folder="S02",
    ),
    Case(
        "targets-not-from-hq",
        "targets",
        {},
        [target_row()],
        None,
        "销售目标表只能放在 hq 文件夹，文件却放在「R001」文件夹。",
        folder="R001",
    ),
    Case(
        "missing-column",
        "visit_report",
        visit_info(),
        [visit_row()],
        "A7",
        "表头中缺少必填列「洽谈结果」。",
        omit=("outcome",),
        engine="xlsxwriter",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.code for c in CASES])
def test_problem_from_a_real_file(case: Case, tmp_path: Path, config: Any, specs: Any) -> None:
    path = write_form(
        tmp_path / f"{case.code}.xlsx",
        specs,
        case.form,
        case.info,
        case.rows,
        lang=case.lang,
        engine=case.engine,
        omit=case.omit,
    )
    report = check(path, config, specs, folder=case.folder, strict=case.strict)
    issue = only(report, case.code)
    assert issue.cell == case.cell
    assert issue.severity == case.severity
    message, fix = problems.render(issue, "zh")
    assert message == case.message or (case.message in message and case.code == "negative-money")
    assert fix and "?" not in fix
    en_message, _ = problems.render(issue, "en")
    assert en_message and "?" not in en_message.replace("'?'", "")
    assert report.valid == (case.severity != "error")


def test_every_code_is_triggered_from_a_file() -> None:
    """One test per problem code (ledger notes are the ledger's: they need earlier submissions, and
    tests/test_ledger.py makes them); each code listed here is produced from a real file by
    test_cell_problem, test_whole_file_problem or test_limit_problem."""
    covered = {c.code for c in CASES} | set(FILE_CASES) | set(LIMIT_CASES)
    assert covered == set(problems.SEVERITY) - set(problems.LEDGER_CODES)


# ----- whole-file problems (intake's fixtures in tests/data, read-only) ------------------------------

FILE_CASES = {
    "file-empty": ("empty.xlsx", "文件「empty.xlsx」是空的，没有任何内容。"),
    "file-corrupt": (
        "truncated.xlsx",
        "文件「truncated.xlsx」已损坏、不完整，或含有系统读不了的内容，无法打开。",
    ),
    "not-a-spreadsheet": (
        "photo_renamed.xlsx",
        "文件「photo_renamed.xlsx」不是 Excel 表格（.xlsx/.xls/.ods/.csv）。",
    ),
    "password-protected": (
        "password_protected.xlsx",
        "文件「password_protected.xlsx」设有打开密码，系统无法读取。",
    ),
    "unknown-form": (
        "unknown_form.xlsx",
        "认不出文件「unknown_form.xlsx」是哪张表：找不到表头。应有的表头例如：",
    ),
    "unsafe-content": (
        "xxe.xlsx",
        "文件「xxe.xlsx」含有不安全的内容（如外部链接或嵌入的定义），系统没有打开它。",
    ),
}


@pytest.mark.parametrize("code", sorted(FILE_CASES))
def test_whole_file_problem(code: str, config: Any, specs: Any) -> None:
    name, expected = FILE_CASES[code]
    report = check(DATA / name, config, specs)
    issue = only(report, code)
    assert issue.cell is None and not report.valid
    assert report.submission.form is None
    message, fix = problems.render(issue, "zh")
    assert message.startswith(expected)
    assert fix
    assert len(report.issues) == 1  # nothing else is made up about a file that could not be read


def test_unknown_form_lists_the_expected_labels(config: Any, specs: Any) -> None:
    message, _ = problems.render(only(check(DATA / "unknown_form.xlsx", config, specs), "unknown-form"), "zh")
    assert "每日销售报告表: 客户、拜访目的、洽谈结果" in message


def test_billion_laughs_is_unsafe(config: Any, specs: Any) -> None:
    assert only(check(DATA / "billion_laughs.xlsx", config, specs), "unsafe-content").severity == "error"


def test_file_too_large(tmp_path: Path, config: Any, specs: Any) -> None:
    small = config.model_copy(deep=True)
    small.intake.max_file_mb = 0.001  # about 1 KB; a real form is several KB
    path = write_form(tmp_path / "big.xlsx", specs, "visit_report", visit_info(), [visit_row()])
    issue = only(check(path, small, specs), "file-too-large")
    message, _ = problems.render(issue, "zh")
    assert message.startswith("文件「big.xlsx」太大（") and "上限为 0.0 MB" in message


def test_too_many_rows(tmp_path: Path, config: Any, specs: Any) -> None:
    small = config.model_copy(deep=True)
    small.intake.max_rows = 2
    path = write_form(
        tmp_path / "many.xlsx",
        specs,
        "visit_report",
        visit_info(),
        [visit_row(customer=f"C000{i}") for i in (1, 2, 1)],
    )
    issue = only(check(path, small, specs), "too-many-rows")
    assert problems.render(issue, "zh")[0] == "表中有 3 行，超过上限 2 行。"


def test_csv_encoding(tmp_path: Path, config: Any, specs: Any) -> None:
    """Text that decodes at the start (so it is a CSV) but not further on: no encoding fits."""
    head = "客户,拜访目的,洽谈结果\n".encode()
    path = tmp_path / "broken.csv"
    path.write_bytes(head + b"C0001,x,y\n" * 8000 + b"\xff\xfe\xff\n")
    issue = only(check(path, config, specs), "csv-encoding")
    assert problems.render(issue, "zh")[0] == "CSV 文件「broken.csv」的文字编码无法识别。"


def _too_large(tmp_path: Path, config: Any, specs: Any) -> Report:
    small = config.model_copy(deep=True)
    small.intake.max_file_mb = 0.001  # about 1 KB; a real form is several KB
    path = write_form(tmp_path / "big.xlsx", specs, "visit_report", visit_info(), [visit_row()])
    return check(path, small, specs)


def _too_many_rows(tmp_path: Path, config: Any, specs: Any) -> Report:
    small = config.model_copy(deep=True)
    small.intake.max_rows = 2
    rows = [visit_row(customer=f"C000{i}") for i in (1, 2, 1)]
    return check(write_form(tmp_path / "many.xlsx", specs, "visit_report", visit_info(), rows), small, specs)


def _csv_encoding(tmp_path: Path, config: Any, specs: Any) -> Report:
    path = tmp_path / "broken.csv"
    path.write_bytes("客户,拜访目的,洽谈结果\n".encode() + b"C0001,x,y\n" * 8000 + b"\xff\xfe\xff\n")
    return check(path, config, specs)


def _formula_no_value(tmp_path: Path, config: Any, specs: Any) -> Report:
    # openpyxl saves a formula without its value: there is nothing to read in that cell
    import openpyxl

    path = write_form(tmp_path / "formula.xlsx", specs, "visit_report", visit_info(), [visit_row()])
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    cell = next(c for row in ws.iter_rows() for c in row if isinstance(c.value, (int, float)) and c.row > 5)
    cell.value = "=1+1"
    wb.save(path)
    return check(path, config, specs)


def _too_complex(tmp_path: Path, config: Any, specs: Any) -> Report:
    # a CSV too long to read within the shortest allowed time budget (CPU time: a loaded machine
    # does not spend it); rows are allowed, so the budget is what stops it
    slow = config.model_copy(deep=True)
    slow.intake.time_budget_seconds = 0.5
    slow.intake.max_rows = 1_048_576
    slow.intake.max_file_mb = 1024
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write("销售员编号,R001\n报告日期,2026-11-23\n客户,拜访目的,洽谈结果,订货金额\n")
        for start in range(0, 400_000, 10_000):
            fh.write("".join(f"客户{i},服务,成交,{i}\n" for i in range(start, start + 10_000)))
    return check(path, slow, specs)


# codes a file produces only past a limit (lowered here), or from how it was saved
LIMIT_CASES = {
    "file-too-large": _too_large,
    "too-many-rows": _too_many_rows,
    "csv-encoding": _csv_encoding,
    "formula-no-value": _formula_no_value,
    "file-too-complex": _too_complex,
}


@pytest.mark.parametrize("code", sorted(LIMIT_CASES))
def test_limit_problem(code: str, tmp_path: Path, config: Any, specs: Any) -> None:
    report = LIMIT_CASES[code](tmp_path, config, specs)
    issue = only(report, code)
    assert issue.severity == problems.SEVERITY[code] == "error" and not report.valid
    for lang in problems.LANGS:
        message, fix = problems.render(issue, lang)
        assert message and fix and "{" not in message + fix


# ----- variants, severities and decisions ---------------------------------------------------------


def test_ambiguous_customer_name_asks_for_the_id(tmp_path: Path, config: Any, specs: Any) -> None:
    path = write_form(tmp_path / "a.xlsx", specs, "visit_report", visit_info(), [visit_row(customer="华联")])
    issue = only(check(path, config, specs), "unknown-customer")
    message, fix = problems.render(issue, "zh")
    assert message == "客户名称「华联」在客户登记表中有 2 个同名客户（C0002、C0003）。"
    assert fix == "请改填客户编号，例如 C0002。"


def test_without_a_register_unknown_customers_are_warnings(tmp_path: Path, config: Any, specs: Any) -> None:
    path = write_form(
        tmp_path / "w.xlsx", specs, "visit_report", visit_info(), [visit_row(customer="新公司")]
    )
    report = check(path, config, specs, strict=False)
    issue = only(report, "unknown-customer")
    assert issue.severity == "warning" and report.valid
    assert problems.render(issue, "zh")[0] == "客户「新公司」无法核对：系统中还没有客户登记数据。"


def test_weekly_report_lists_only_the_regions_reps(tmp_path: Path, config: Any, specs: Any) -> None:
    rows = [{"rep_id": "R001"}, {"rep_id": "R005"}]
    path = write_form(tmp_path / "wk.xlsx", specs, "weekly_report", weekly_info(), rows)
    issue = only(check(path, config, specs, folder="S01"), "unknown-rep")
    assert issue.cell == "A9"
    assert problems.render(issue, "zh") == (
        "销售员「R005」不属于华东区域。",
        "周报只填写本区域的销售员，请核对销售员编号。",
    )


def test_valid_form_resolves_references(tmp_path: Path, config: Any, specs: Any) -> None:
    rows = [
        visit_row(),
        visit_row(
            customer="上海华联商厦有限公司",
            purpose="收款",
            outcome="需跟进",
            order_amount=None,
            gross_margin=None,
            next_visit=date(2026, 11, 30),
        ),
    ]
    path = write_form(tmp_path / "ok.xlsx", specs, "visit_report", visit_info(rep_id="r001"), rows)
    report = check(path, config, specs, folder="R001")
    assert report.issues == [] and report.valid and report.status == "accepted"
    sub = report.submission
    assert [r.value("customer") for r in sub.rows] == ["C0001", "C0001"]
    assert sub.info_value("rep_id") == "R001"


def test_leave_day_without_rows_is_fine(tmp_path: Path, config: Any, specs: Any) -> None:
    path = write_form(tmp_path / "leave.xlsx", specs, "visit_report", visit_info(attendance="请假"), [])
    assert check(path, config, specs).issues == []


def test_plan_for_tomorrow_is_not_in_the_future(tmp_path: Path, config: Any, specs: Any) -> None:
    row = {"customer": "C0001", "purpose": "订货"}
    ok = write_form(
        tmp_path / "p1.xlsx", specs, "visit_plan", {"rep_id": "R001", "plan_date": date(2026, 11, 24)}, [row]
    )
    assert check(ok, config, specs).issues == []
    far = write_form(
        tmp_path / "p2.xlsx", specs, "visit_plan", {"rep_id": "R001", "plan_date": date(2026, 12, 10)}, [row]
    )
    assert only(check(far, config, specs), "date-in-future").cell == "B4"


@pytest.mark.parametrize(
    ("week", "code"), [("2026-W48", None), ("2026-W49", "date-in-future"), ("2026-W30", "date-too-old")]
)
def test_weekly_report_week_is_plausible(
    week: str, code: str | None, tmp_path: Path, config: Any, specs: Any
) -> None:
    path = write_form(
        tmp_path / "wk.xlsx", specs, "weekly_report", weekly_info(week=week), [{"rep_id": "R001"}]
    )
    report = check(path, config, specs, folder="S01")
    assert [(i.code, i.cell) for i in report.issues] == ([(code, "B4")] if code else [])


def test_old_register_dates_are_history_not_errors(tmp_path: Path, config: Any, specs: Any) -> None:
    path = write_form(
        tmp_path / "reg.xlsx",
        specs,
        "customer_register",
        {"rep_id": "R001"},
        [register_row(created=date(2019, 5, 6))],
    )
    assert check(path, config, specs, folder="R001").issues == []
    future = write_form(
        tmp_path / "reg2.xlsx",
        specs,
        "customer_register",
        {"rep_id": "R001"},
        [register_row(created=date(2027, 1, 1))],
    )
    assert only(check(future, config, specs), "date-in-future").cell == "T6"


def test_english_form_gets_english_column_labels(tmp_path: Path, config: Any, specs: Any) -> None:
    info = {"rep_id": "R004", "report_date": TODAY}
    row = {"customer": "C0001", "purpose": "order", "outcome": "interested", "order_amount": 100}
    path = write_form(
        tmp_path / "en.xlsx", specs, "visit_report", info, [row], lang="en", engine="xlsxwriter"
    )
    report = check(path, config, specs, folder="R004")
    issue = only(report, "order-without-deal")
    assert report.submission.language == "en" and issue.column == "Order amount" and issue.cell == "G7"
    assert problems.render(issue, "en")[0] == "Row 7 has an order of 100, but the outcome is not 'deal'."


def test_weekly_report_from_the_region_supervisor_and_targets_from_hq(
    tmp_path: Path, config: Any, specs: Any
) -> None:
    weekly = write_form(
        tmp_path / "wk.xlsx", specs, "weekly_report", weekly_info(), [{"rep_id": "R001", "plan": "x"}]
    )
    assert check(weekly, config, specs, folder="S01").issues == []
    targets = write_form(
        tmp_path / "t.xlsx", specs, "targets", {}, [target_row(), target_row(level="区域", owner="East")]
    )
    report = check(targets, config, specs, folder="hq")
    assert report.issues == []
    assert [r.value("owner") for r in report.submission.rows] == ["R001", "east"]


@pytest.mark.parametrize(
    "name",
    [
        "visit_report_libreoffice.xls",
        "visit_report_libreoffice.ods",
        "visit_report_libreoffice_roundtrip.xlsx",
        "visit_report_gbk.csv",
        "visit_report_xlsxwriter_en.xlsx",
    ],
)
def test_real_spreadsheet_program_files_validate(name: str, config: Any, specs: Any) -> None:
    """Files LibreOffice (and Excel-on-Chinese-Windows CSV) produced: no error beyond references we cannot know."""
    report = check(DATA / name, config, specs, strict=False)
    assert report.submission.form == "visit_report"
    assert [i.code for i in report.errors] == []


def test_rules_in_isolation() -> None:
    assert credit_code_problem(VALID_CODE) is None
    assert credit_code_problem("91350100M000100Y4")["en"] == "it must be 18 characters, not 17"  # type: ignore[index]
    assert "I" in credit_code_problem("91350100M000100YI3")["zh"]  # type: ignore[index]
    for ok in (
        "13812345678",
        "010-12345678",
        "0755-1234567",
        "0755-12345678-801",
        "+86 138 1234 5678",
        "（021）62345678",
        "139-1234-5678",  # dashes that only group the digits, as business cards print them
        "0512-8363-1070",
    ):
        assert valid_phone(ok), ok
    for bad in (
        "12345",
        "1381234567",
        "23812345678",
        "0755-0123456",
        "138-1234-567a",
        "400-820-8820",
        "139-1234-567",
    ):
        assert not valid_phone(bad), bad
    assert (
        valid_email("zhang.wei@example.com.cn") and not valid_email("zhang@") and not valid_email("a b@c.com")
    )


# ----- never raises for what a rep typed ----------------------------------------------------------

_ANY_VALUE = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.sampled_from(
        [
            "=1+1",
            "是",
            "否",
            "成交",
            "有意向",
            "C0001",
            "华联",
            "2026-11-31",
            "11/23",
            "-5",
            "1,000.5",
            "NA",
            "R001",
        ]
    ),
    st.integers(min_value=-(10**12), max_value=10**12),
    # beyond 1e15 intake's parse_money raises decimal.InvalidOperation (reported to the intake part)
    st.floats(min_value=-1e15, max_value=1e15),
    st.sampled_from([float("nan"), float("inf")]),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    st.booleans(),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    form=st.sampled_from(["visit_report", "customer_register", "complaint", "targets", "weekly_report"]),
    data=st.data(),
)
def test_validate_never_raises_and_every_issue_renders(form: str, data: Any, config: Any, specs: Any) -> None:
    """Whatever the cells hold, intake + validate return a report whose every issue has a message in both languages."""
    from checkforms import layout

    from automation.core.model import Submission
    from automation.intake import fill_submission
    from automation.intake.readers import SheetGrid, Workbook

    spec = specs[form]
    info = {f.key: data.draw(_ANY_VALUE) for f in spec.info}
    rows = [{f.key: data.draw(_ANY_VALUE) for f in spec.fields} for _ in range(data.draw(st.integers(0, 3)))]
    for row in rows:  # keep the first column filled so the table does not end early
        row[spec.fields[0].key] = row[spec.fields[0].key] or "x"
    grid, _ = layout(specs, form, {k: v for k, v in info.items() if v is not None}, rows, "zh")
    sub = Submission(
        path=Path("random.xlsx"),
        file_format="xlsx",
        received_at=RECEIVED,
        folder=data.draw(st.sampled_from(["", "R001", "S01", "hq"])),
    )
    fill_submission(sub, Workbook([SheetGrid("表单", grid)]), config, specs)
    report = validate(sub, ValidationContext(config, specs, directory(), RECEIVED, RECEIVED))
    for issue in report.issues:
        assert issue.code in problems.SEVERITY
        for lang in ("zh", "en"):
            message, fix = problems.render(issue, lang)
            assert message and fix


def test_ids_typed_in_lower_case_resolve_to_the_ledgers_ids(tmp_path: Path, config: Any, specs: Any) -> None:
    """A rep who types c0001 / k0001 means C0001 / K0001: the row is accepted and carries the
    ledger's spelling, so the register update or complaint update hits the known record."""
    visit = write_form(
        tmp_path / "v.xlsx", specs, "visit_report", visit_info(), [visit_row(customer=" c0001 ")]
    )
    report = check(visit, config, specs, folder="R001")
    assert report.valid, [(i.code, i.cell) for i in report.issues]
    assert report.submission.rows[0].value("customer") == "C0001"
    report = _register_report(tmp_path, config, specs, customer_id="c0001")
    assert "unknown-customer-id" not in [i.code for i in report.issues]
    assert report.submission.rows[0].value("customer_id") == "C0001"
    complaint = write_form(
        tmp_path / "k.xlsx", specs, "complaint", {"rep_id": "R001"}, [complaint_row(complaint_id="k0001")]
    )
    report = check(complaint, config, specs, folder="R001")
    assert report.valid, [(i.code, i.cell) for i in report.issues]
    assert report.submission.rows[0].value("complaint_id") == "K0001"


def test_a_choice_typed_with_an_en_dash_is_the_hyphenated_choice(
    tmp_path: Path, config: Any, specs: Any
) -> None:
    report = _register_report(tmp_path, config, specs, size="50\u2013199")
    assert report.valid, [(i.code, i.cell) for i in report.issues]
    assert report.submission.rows[0].value("size") == "50-199"


def _register_report(tmp_path: Path, config: Any, specs: Any, **row: Any) -> Report:
    """R001's register of one row (``register_row(**row)``), checked."""
    path = write_form(
        tmp_path / "r.xlsx", specs, "customer_register", {"rep_id": "R001"}, [register_row(**row)]
    )
    return check(path, config, specs, folder="R001")
