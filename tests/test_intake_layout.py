"""The form is found by its labels: title rows, reordered/extra/missing columns, info blocks in any layout."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from automation.intake import read_submission

DATA = Path(__file__).resolve().parent / "data"


def _book(tmp_path: Path, rows: list[list[Any]], name: str = "form.xlsx", title: str = "Sheet") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    path = tmp_path / name
    wb.save(path)
    return path


def test_hand_rebuilt_form_with_title_rows_and_reordered_columns(config, specs) -> None:
    sub = read_submission(DATA / "visit_report_title_rows_reordered.xlsx", config, specs)
    assert sub.form == "visit_report" and sub.version is None  # no _form sheet: inferred from labels
    assert sub.sheet == "Sheet1" and sub.header_row == 8
    assert sub.columns == {
        "outcome": 3, "customer": 4, "order_amount": 5, "purpose": 6, "quoted": 7, "quote_amount": 8, "next_visit": 9,
    }  # fmt: skip
    assert sub.extra_columns == ["备注"]
    assert sub.issues == []
    # a blank row inside the table is skipped, the total row and the styled empty rows end it
    assert [r.number for r in sub.rows] == [9, 10, 12]
    first = sub.rows[0].cells
    assert first["order_amount"].value == Decimal("10000.00") and first["order_amount"].ref == "E9"
    assert first["quote_amount"].value == Decimal("12000.00")  # full-width digits
    assert first["next_visit"].value == date(2026, 11, 30)
    assert sub.rows[2].cells["next_visit"].value == date(2026, 12, 2)  # 12月2日
    assert "met_decision_maker" not in first  # a missing optional column is simply absent
    assert sub.info["rep_id"].value == "R001" and sub.info["rep_id"].ref == "B5"
    assert sub.info["report_date"].value == date(2026, 11, 23) and sub.info["report_date"].ref == "E5"


def test_missing_required_column(config, specs) -> None:
    sub = read_submission(DATA / "visit_report_missing_outcome_column.xlsx", config, specs)
    assert sub.form == "visit_report"
    assert [(i.code, i.field, i.column, i.row) for i in sub.issues] == [
        ("missing-column", "outcome", "洽谈结果", 2)
    ]
    assert len(sub.rows) == 1


def test_unknown_form_lists_expected_labels_in_the_sheets_language(tmp_path: Path, config, specs) -> None:
    path = _book(tmp_path, [["Name", "Age"], ["Ann", 3]])
    sub = read_submission(path, config, specs)
    assert [i.code for i in sub.issues] == ["unknown-form"]
    assert sub.language == "en"
    expected = sub.issues[0].params["expected"]
    assert "Daily visit report: Customer, Purpose, Outcome" in expected["en"]
    assert "每日销售报告表: 客户、拜访目的、洽谈结果" in expected["zh"]
    assert read_submission(DATA / "unknown_form.xlsx", config, specs).language == "zh"


def test_form_sheet_gives_type_version_and_language(tmp_path: Path, config, specs) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "我的计划"
    ws.append(["Customer", "Purpose"])  # both visit_plan and visit_report have these two
    ws.append(["上海精工", "服务"])
    meta = wb.create_sheet("_form")
    meta.append(["form", "visit_plan"])
    meta.append(["version", 2])
    meta.append(["language", "zh"])
    meta.sheet_state = "hidden"
    path = tmp_path / "plan.xlsx"
    wb.save(path)
    sub = read_submission(path, config, specs)
    assert (sub.form, sub.version, sub.language) == ("visit_plan", "2", "zh")
    wb.remove(meta)
    wb.save(path)
    # without the _form sheet the same two labels tie: the form with fewer fields wins (plan: 2 of 5)
    assert read_submission(path, config, specs).form == "visit_plan"


def test_report_pasted_into_plan_template_is_read_as_report(tmp_path: Path, config, specs) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["客户", "拜访目的", "洽谈结果", "订货金额"])
    ws.append(["上海精工", "服务", "成交", 100])
    meta = wb.create_sheet("_form")
    meta.append(["form", "visit_plan"])
    path = tmp_path / "x.xlsx"
    wb.save(path)
    sub = read_submission(path, config, specs)
    assert sub.form == "visit_report" and sub.version is None


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # label cell, value in the next non-empty cell (a gap, e.g. a merged label)
        (
            [["销售员编号", None, "R001"], ["报告日期", date(2026, 11, 23)]],
            ("R001", "C1", date(2026, 11, 23), "B2"),
        ),
        # one cell label：value (full-width colon) and label:value (ASCII), two pairs on one row
        ([["销售员编号：R001", None, "报告日期: 2026-11-23"]], ("R001", "A1", date(2026, 11, 23), "C1")),
        # label with a colon, value in the next cell; both pairs in one row
        (
            [["销售员编号：", "R001", "报告日期：", "2026年11月23日"]],
            ("R001", "B1", date(2026, 11, 23), "D1"),
        ),
        # English labels, case and spacing ignored
        ([["REP ID", "r001", "report date", "2026/11/23"]], ("R001", "B1", date(2026, 11, 23), "D1")),
    ],
)
def test_info_block_layouts(tmp_path: Path, config, specs, rows: list[list[Any]], expected: tuple) -> None:
    path = _book(tmp_path, [*rows, [], ["客户", "拜访目的", "洽谈结果"], ["上海精工", "服务", "成交"]])
    sub = read_submission(path, config, specs)
    rep, rep_ref, day, day_ref = expected
    assert sub.info["rep_id"].value == rep and sub.info["rep_id"].ref == rep_ref
    assert sub.info["report_date"].value == day and sub.info["report_date"].ref == day_ref
    assert len(sub.rows) == 1


def test_info_label_without_value_is_blank_not_the_next_label(tmp_path: Path, config, specs) -> None:
    path = _book(
        tmp_path,
        [
            ["销售员编号", None, "报告日期", "2026-11-23"],
            ["客户", "拜访目的", "洽谈结果"],
            ["A", "服务", "成交"],
        ],
    )
    sub = read_submission(path, config, specs)
    assert sub.info["rep_id"].value is None and sub.info["rep_id"].ref == "B1"
    assert sub.info["report_date"].value == date(2026, 11, 23)


def test_info_below_the_table_is_read_and_ends_the_table(tmp_path: Path, config, specs) -> None:
    path = _book(
        tmp_path,
        [
            ["销售员编号", "R001", "报告日期", "2026-11-23"],
            ["客户", "拜访目的", "洽谈结果"],
            ["A公司", "服务", "成交"],
            ["今日心得：客户很满意", None, None],
            ["主管签核", "马超"],
        ],
    )
    sub = read_submission(path, config, specs)
    assert [r.number for r in sub.rows] == [3]
    assert sub.info["reflection"].value == "客户很满意" and sub.info["reflection"].ref == "A4"


def test_bilingual_and_decorated_header_labels(tmp_path: Path, config, specs) -> None:
    path = _book(
        tmp_path,
        [
            ["客户\nCustomer", "拜访目的 Purpose", "洽谈结果*", "订货金额（元）", "Quoted (Y/N)"],
            ["A", "服务", "成交", "1,000", "Y"],
        ],
    )
    sub = read_submission(path, config, specs)
    assert set(sub.columns) == {"customer", "purpose", "outcome", "order_amount", "quoted"}
    assert sub.rows[0].value("quoted") is True


def test_language_detected_from_header_labels(tmp_path: Path, config, specs) -> None:
    en = _book(tmp_path, [["Customer", "Purpose", "Outcome"], ["A", "service", "deal"]], "en.xlsx")
    zh = _book(tmp_path, [["客户", "拜访目的", "洽谈结果"], ["A", "服务", "成交"]], "zh.xlsx")
    assert read_submission(en, config, specs).language == "en"
    assert read_submission(zh, config, specs).language == "zh"


def test_header_found_on_a_later_sheet(tmp_path: Path, config, specs) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active["A1"] = "请在第二个工作表填写"
    ws = wb.create_sheet("报告")
    ws.append(["客户", "拜访目的", "洽谈结果"])
    ws.append(["A", "服务", "成交"])
    path = tmp_path / "two.xlsx"
    wb.save(path)
    sub = read_submission(path, config, specs)
    assert sub.sheet == "报告" and sub.rows[0].cells["customer"].sheet == "报告"


@pytest.mark.parametrize(
    ("form", "header", "row"),
    [
        ("customer_register", ["客户名称", "区域", "联系人", "电话", "客户阶段", "建档日期"],
         ["A公司", "华东", "王", "13812345678", "潜在客户", "2026-11-01"]),
        ("visit_plan", ["客户", "区域", "计划时间", "拜访目的", "具体目标"], ["A", "浦东", "9:30", "服务", "续约"]),
        ("market_report", ["Category", "Description", "Severity"], ["price change", "down 5%", "high"]),
        ("complaint", ["投诉编号", "客户", "受理日期", "投诉内容", "状态"], [None, "A", "2026-11-20", "漏发", "处理中"]),
        ("weekly_report", ["销售员编号", "姓名", "本周拜访", "下周计划"], ["R001", "张伟", 10, "x"]),
        ("targets", ["期间", "层级", "对象", "销售额目标"], ["2026-Q4", "区域", "east", 1000000]),
    ],
)  # fmt: skip
def test_every_form_is_inferred_from_its_labels(tmp_path: Path, config, specs, form, header, row) -> None:
    sub = read_submission(_book(tmp_path, [header, row]), config, specs)
    assert sub.form == form
    assert len(sub.rows) == 1
    assert sub.issues == []


def test_trailing_empty_styled_rows_and_two_blank_rows_end_the_table(tmp_path: Path, config, specs) -> None:
    path = _book(
        tmp_path,
        [
            ["客户", "拜访目的", "洽谈结果"],
            ["A", "服务", "成交"],
            [],
            [],
            ["备注：此行之后不是数据", None, None],
            ["B", "服务", "成交"],
        ],
    )
    sub = read_submission(path, config, specs)
    assert [r.number for r in sub.rows] == [2]


def test_a_pasted_copy_of_the_header_is_not_a_row(tmp_path: Path, config, specs) -> None:
    rows = [
        ["客户", "拜访目的", "洽谈结果"],
        ["A", "服务", "成交"],
        ["客户", "拜访目的", "洽谈结果"],
        ["B", "收款", "需跟进"],
    ]
    sub = read_submission(_book(tmp_path, rows), config, specs)
    assert [r.number for r in sub.rows] == [2, 4] and sub.issues == []


def test_empty_table_has_no_rows(tmp_path: Path, config, specs) -> None:
    sub = read_submission(
        _book(tmp_path, [["销售员编号", "R001"], ["客户", "拜访目的", "洽谈结果"]]), config, specs
    )
    assert sub.form == "visit_report" and sub.rows == [] and sub.issues == []


def test_customer_merged_over_several_visits_means_that_customer(tmp_path: Path, config, specs) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["客户", "拜访目的", "洽谈结果"])
    ws.append(["华东机械厂", "服务", "成交"])
    ws.append([None, "收款", "需跟进"])
    ws.append(["上海精工", "服务", "有意向"])
    ws.merge_cells("A2:A3")
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    sub = read_submission(path, config, specs)
    assert [r.value("customer") for r in sub.rows] == ["华东机械厂", "华东机械厂", "上海精工"]
    assert sub.rows[1].cells["customer"].ref == "A3"


def test_a_filled_product_template_is_read(tmp_path: Path, config, specs) -> None:
    """The templates the product hands out (template_builder) come back filled and are read whole."""
    from automation.templates.builder import build_template

    for lang, purpose, outcome in (("zh", "服务", "成交"), ("en", "service", "deal")):
        wb = build_template(specs["visit_report"], config, lang, rep="R001", customers=["华东机械厂"])
        ws = wb.worksheets[0]
        header = next(r for r in range(1, 30) if ws.cell(r, 1).value in ("客户", "Customer"))
        date_row = next(r for r in range(1, header) if ws.cell(r, 1).value in ("报告日期", "Report date"))
        ws.cell(date_row, 2).value = date(2026, 11, 23)
        ws.cell(header + 1, 1).value = "华东机械厂"
        ws.cell(header + 1, 2).value = purpose
        ws.cell(header + 1, 3).value = outcome
        ws.cell(header + 1, 7).value = 1000
        path = tmp_path / f"template_{lang}.xlsx"
        wb.save(path)
        sub = read_submission(path, config, specs, folder="R001")
        assert (sub.form, sub.version, sub.language) == ("visit_report", specs["visit_report"].version, lang)
        assert sub.header_row == header and sub.issues == []
        assert sub.info["rep_id"].value == "R001" and sub.info["report_date"].value == date(2026, 11, 23)
        assert [(r.value("customer"), r.value("purpose"), r.value("outcome")) for r in sub.rows] == [
            ("华东机械厂", "service", "deal")
        ]
        assert sub.rows[0].value("order_amount") == Decimal("1000.00")


_ALL = ["客户", "拜访目的", "洽谈结果", "见到决策人", "订货金额", "下次拜访日期"]
_ROW = ["上海精工", "服务", "成交", "是", 1500, date(2026, 11, 30)]
_EXPECT = {"customer": "上海精工", "purpose": "service", "outcome": "deal", "met_decision_maker": True,
           "order_amount": Decimal("1500.00"), "next_visit": date(2026, 11, 30)}  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    order=st.permutations(range(len(_ALL))),
    keep_optional=st.lists(st.booleans(), min_size=3, max_size=3),
    title_rows=st.integers(0, 4),
    first_col=st.integers(0, 3),
    extra=st.booleans(),
)
def test_any_column_order_offset_and_title_rows_read_the_same(
    tmp_path_factory, config, specs, order, keep_optional, title_rows, first_col, extra
) -> None:
    cols = [i for i in order if i < 3 or keep_optional[i - 3]]
    header = [_ALL[i] for i in cols] + (["备注"] if extra else [])
    row = [_ROW[i] for i in cols] + (["x"] if extra else [])
    wb = openpyxl.Workbook()
    ws = wb.active
    for t in range(title_rows):
        ws.cell(t + 1, 1, "每日销售报告表" if t == 0 else None)
    for c, (h, v) in enumerate(zip(header, row, strict=True), start=first_col + 1):
        ws.cell(title_rows + 1, c, h)
        ws.cell(title_rows + 2, c, v)
    path = tmp_path_factory.mktemp("perm") / "form.xlsx"
    wb.save(path)
    sub = read_submission(path, config, specs)
    assert sub.form == "visit_report" and sub.header_row == title_rows + 1
    keys = [list(_EXPECT)[i] for i in cols]
    assert {k: sub.rows[0].value(k) for k in keys} == {k: _EXPECT[k] for k in keys}
    assert sub.extra_columns == (["备注"] if extra else [])
    for k, i in zip(keys, range(len(cols)), strict=True):
        assert sub.rows[0].cells[k].col == first_col + 1 + i
