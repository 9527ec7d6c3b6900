"""Every SPEC type in the spellings reps use; bad values become cell issues with a code and the cell."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from automation.intake import read_submission
from automation.intake.values import (
    BadValue,
    ValueContext,
    from_serial,
    parse_bool,
    parse_date,
    parse_int,
    parse_money,
    parse_period,
    parse_text,
    parse_week,
)

DATA = Path(__file__).resolve().parent / "data"
CTX = ValueContext(year=2026)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("¥1,234.50", "1234.50"), ("￥1,234.5", "1234.50"), ("１２３４", "1234.00"), ("1 234", "1234.00"),
        ("1234元", "1234.00"), ("RMB 1,234", "1234.00"), ("人民币500元", "500.00"), ("1.2万", "12000.00"),
        (1234.5, "1234.50"), (0.1 + 0.2, "0.30"), (1000, "1000.00"), ("-5", "-5.00"), ("(20)", "-20.00"),
        (" 12.345 ", "12.35"), ("12.344", "12.34"), ("1，234", "1234.00"),
    ],
)  # fmt: skip
def test_money(raw: Any, expected: str) -> None:
    value = parse_money(raw)
    assert value == Decimal(expected) and value.as_tuple().exponent == -2


@pytest.mark.parametrize("raw", ["abc", "1.2.3", "¥", "--5", True, "十元", float("nan")])
def test_money_rejects(raw: Any) -> None:
    with pytest.raises(BadValue) as exc:
        parse_money(raw)
    assert exc.value.code == "invalid-money"


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_money_formatted_as_reps_type_it_reads_back(d: Decimal) -> None:
    for text in (f"¥{d:,}", f"{d}元", f"RMB {d:,}", f"{d:,}".replace(",", " ")):
        assert parse_money(text) == d


@pytest.mark.parametrize(
    ("raw", "expected"), [(12.0, 12), ("1,200", 1200), ("１２", 12), ("12.0", 12), (" 7 ", 7), ("3次", 3)]
)
def test_int(raw: Any, expected: int) -> None:
    assert parse_int(raw) == expected


@pytest.mark.parametrize("raw", [10.5, "十", "1.5", True, "abc"])
def test_int_rejects(raw: Any) -> None:
    with pytest.raises(BadValue, match="invalid-int"):
        parse_int(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (date(2026, 11, 23), date(2026, 11, 23)), (datetime(2026, 11, 23, 9, 30), date(2026, 11, 23)),
        ("2026-11-23", date(2026, 11, 23)), ("2026/11/3", date(2026, 11, 3)), ("2026年11月23日", date(2026, 11, 23)),
        ("2026.11.23", date(2026, 11, 23)), ("２０２６－１１－２３", date(2026, 11, 23)), ("20261123", date(2026, 11, 23)),
        ("2026-11-23 18:30", date(2026, 11, 23)), ("11/23", date(2026, 11, 23)), ("11-23", date(2026, 11, 23)),
        ("11月23日", date(2026, 11, 23)), (46349.0, date(2026, 11, 23)), (20261123, date(2026, 11, 23)),
    ],
)  # fmt: skip
def test_date(raw: Any, expected: date) -> None:
    assert parse_date(raw, CTX) == expected


def test_month_day_takes_the_forms_year() -> None:
    assert parse_date("1/5", ValueContext(year=2027)) == date(2027, 1, 5)


@pytest.mark.parametrize("raw", ["2026-02-30", "13/45", "tomorrow", time(9, 30), True, -1.0, "2026-11"])
def test_date_rejects(raw: Any) -> None:
    with pytest.raises(BadValue, match="invalid-date"):
        parse_date(raw, CTX)


def test_excel_serials_in_both_date_systems() -> None:
    assert from_serial(1) == date(1900, 1, 1)
    assert from_serial(61) == date(1900, 3, 1)  # after Excel's phantom 29 Feb 1900
    assert from_serial(46349) == date(2026, 11, 23)
    assert from_serial(46349 - 1462, date1904=True) == date(2026, 11, 23)


@pytest.mark.parametrize("raw", ["是", "Y", "yes", "TRUE", "√", True, 1.0, " ｙｅｓ "])
def test_bool_true(raw: Any) -> None:
    assert parse_bool(raw) is True


@pytest.mark.parametrize("raw", ["否", "N", "no", "FALSE", "×", False, 0])
def test_bool_false(raw: Any) -> None:
    assert parse_bool(raw) is False


@pytest.mark.parametrize("raw", ["maybe", 2, "是的吧"])
def test_bool_rejects(raw: Any) -> None:
    with pytest.raises(BadValue, match="invalid-bool"):
        parse_bool(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2026-W48", "2026-W48"), ("2026W48", "2026-W48"), ("2026年第48周", "2026-W48"), ("2026-w5", "2026-W05"),
     (date(2026, 11, 23), "2026-W48")],
)  # fmt: skip
def test_week(raw: Any, expected: str) -> None:
    assert parse_week(raw) == expected


@pytest.mark.parametrize("raw", ["2026-W54", "2026-W00", "week 48", "2025-W53"])
def test_week_rejects(raw: str) -> None:
    with pytest.raises(BadValue, match="invalid-week"):
        parse_week(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(2026.0, "2026"), ("2026", "2026"), ("2026年", "2026"), ("2026-Q4", "2026-Q4"), ("2026Q4", "2026-Q4"),
     ("2026年第4季度", "2026-Q4"), ("2026-11", "2026-11"), ("2026年11月", "2026-11"), ("2026/3", "2026-03"),
     (datetime(2026, 11, 1), "2026-11")],
)  # fmt: skip
def test_period(raw: Any, expected: str) -> None:
    assert parse_period(raw) == expected


@pytest.mark.parametrize("raw", ["Q5", "2026-13", "2026-Q5", "next year", 12.5])
def test_period_rejects(raw: Any) -> None:
    with pytest.raises(BadValue, match="invalid-period"):
        parse_period(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(13812345678.0, "13812345678"), (123.0, "123"), ("00123", "00123"), ("\u3000 NA \u3000", "NA"), ("None", "None"),
     (1.5, "1.5"), ("91350100M000100Y43", "91350100M000100Y43")],
)  # fmt: skip
def test_text_keeps_what_was_typed(raw: Any, expected: str) -> None:
    assert parse_text(raw) == expected


# ----- from real files ---------------------------------------------------------------------------------


def test_ids_codes_and_choices_from_a_register(config, specs) -> None:
    sub = read_submission(DATA / "customer_register_ids_and_codes.xlsx", config, specs)
    first, second, third = (r.cells for r in sub.rows)
    assert first["customer_id"].value == "00123"  # typed as text: leading zeros kept
    assert first["phone"].value == "13812345678"  # typed as a number: no ".0"
    assert first["credit_code"].value == "91350100M000100Y43"
    assert first["region"].value == "east" and second["region"].value == "east"  # 华东 and the id
    assert third["region"].value == "north"
    assert first["stage"].value == "prospect" and third["stage"].value == "lost"  # zh label and key
    assert first["size"].value == "50-199" and second["size"].value == "lt50"
    assert second["name"].value == "NA" and second["contact"].value == "None"
    assert second["created"].value == date(2026, 11, 3)
    assert third["potential_value"].value == Decimal("-5.00")  # sign kept: validate says negative-money
    assert third["size"].issue == "invalid-choice" and third["size"].value is None
    (issue,) = sub.issues
    assert (issue.code, issue.sheet, issue.cell, issue.row, issue.field, issue.column, issue.value) == (
        "invalid-choice", "客户", "J5", 5, "size", "规模", "many",
    )  # fmt: skip
    assert issue.params["allowed"]["zh"] == ["<50人", "50-199人", "200-999人", "1000人以上"]
    assert issue.params["allowed"]["en"] == ["<50", "50-199", "200-999", "1000+"]


def test_weekly_report_week_region_and_ints(config, specs) -> None:
    sub = read_submission(DATA / "weekly_report_zh.xlsx", config, specs)
    assert sub.info["region"].value == "east" and sub.info["week"].value == "2026-W48"
    assert sub.rows[0].cells["rep_id"].value == "R001"  # typed r001: the configured id
    assert [(i.code, i.cell, i.value) for i in sub.issues] == [
        ("invalid-int", "C6", "十"),
        ("invalid-int", "E6", "10.5"),
    ]


def test_targets_periods(config, specs) -> None:
    sub = read_submission(DATA / "targets_en.xlsx", config, specs)
    assert [r.value("period") for r in sub.rows] == ["2026", "2026-Q4", "2026-11", "2026-12", None]
    assert [r.value("level") for r in sub.rows] == ["company", "region", "rep", "rep", "rep"]
    assert [(i.code, i.cell) for i in sub.issues] == [("invalid-period", "A6")]


def _visit(
    tmp_path: Path, info: list[list[Any]], rows: list[list[Any]], header: list[str] | None = None
) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "日报"
    for r in info:
        ws.append(r)
    ws.append(header or ["客户", "拜访目的", "洽谈结果", "见到决策人", "订货金额", "下次拜访日期"])
    for r in rows:
        ws.append(r)
    path = tmp_path / "visit.xlsx"
    wb.save(path)
    return path


def test_each_bad_cell_is_an_issue_with_its_cell(tmp_path: Path, config, specs) -> None:
    path = _visit(
        tmp_path,
        [["销售员编号", "R001", "报告日期", "2026-11-23"]],
        [["A", "serve", "成交", "maybe", "lots", "next week"], ["B", "服务", "成交", "是", 10, "11/30"]],
    )
    sub = read_submission(path, config, specs)
    got = [(i.code, i.cell, i.row, i.field, i.column, i.value) for i in sub.issues]
    assert got == [
        ("invalid-choice", "B3", 3, "purpose", "拜访目的", "serve"),
        ("invalid-bool", "D3", 3, "met_decision_maker", "见到决策人", "maybe"),
        ("invalid-money", "E3", 3, "order_amount", "订货金额", "lots"),
        ("invalid-date", "F3", 3, "next_visit", "下次拜访日期", "next week"),
    ]
    assert all(i.severity == "error" and i.sheet == "日报" for i in sub.issues)
    cells = sub.rows[0].cells
    assert [cells[k].issue for k in ("purpose", "met_decision_maker", "order_amount", "next_visit")] == [
        "invalid-choice", "invalid-bool", "invalid-money", "invalid-date",
    ]  # fmt: skip
    assert cells["order_amount"].raw == "lots" and cells["order_amount"].value is None
    assert sub.rows[1].cells["next_visit"].value == date(2026, 11, 30)


def test_choice_issue_lists_allowed_labels_in_the_forms_language(tmp_path: Path, config, specs) -> None:
    path = _visit(tmp_path, [], [["A", "service", "win"]], ["Customer", "Purpose", "Outcome"])
    sub = read_submission(path, config, specs)
    (issue,) = sub.issues
    assert issue.code == "invalid-choice" and issue.column == "Outcome"
    assert issue.params["allowed"]["en"] == ["deal", "interested", "follow-up", "not interested", "not met"]
    from automation.core.problems import render

    assert render(issue, "en")[1].endswith("deal, interested, follow-up, not interested, not met.")
    assert "成交、有意向、需跟进、无意向、未见到" in render(issue, "zh")[1]


def test_month_day_dates_take_the_year_of_the_report_date(tmp_path: Path, config, specs) -> None:
    path = _visit(tmp_path, [["报告日期", "2025/12/30"]], [["A", "服务", "成交", None, None, "1/6"]])
    sub = read_submission(path, config, specs, received_at=datetime(2026, 1, 2, 9))
    assert sub.rows[0].value("next_visit") == date(2025, 1, 6)  # the form's year; validate judges the order


def test_unknown_region_in_the_weekly_info(tmp_path: Path, config, specs) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["区域：西北", "周次：2026-W60"])
    ws.append(["销售员编号", "本周拜访"])
    ws.append(["R001", 3])
    path = tmp_path / "weekly.xlsx"
    wb.save(path)
    sub = read_submission(path, config, specs)
    got = {i.code: i for i in sub.issues}
    assert set(got) == {"unknown-region", "invalid-week"}
    assert got["unknown-region"].params["allowed"]["zh"] == ["华东", "华南", "华北"]
    assert got["unknown-region"].cell == "A1"
    assert got["invalid-week"].value == "2026-W60"


@pytest.mark.parametrize("raw", [1e26, 1e300, "99999999999999999999999999999", "1,000,000,000,000"])
def test_absurd_money_is_invalid_not_a_crash(raw: object) -> None:
    """A stray 1e26 once raised decimal.InvalidOperation out of intake; now it is the rep's typo."""
    from automation.intake.values import BadValue, parse_money

    with pytest.raises(BadValue) as err:
        parse_money(raw)
    assert err.value.code == "invalid-money"


def test_absurd_int_is_invalid() -> None:
    from automation.intake.values import BadValue, parse_int

    with pytest.raises(BadValue):
        parse_int(10**12)
    assert parse_int("1,200") == 1200
