"""``salesflow check``: exact verdict lines, problem lines, exit codes, JSON, and that it writes nothing
unless ``--feedback DIR``."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from checkforms import visit_info, visit_row, write_form
from click.testing import CliRunner

from automation.cli import cli
from automation.feedback.text import NO_LEDGER

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A config in its own folder, so the ledger (state folder) is local to the test."""
    shutil.copy(ROOT / "config.yaml", tmp_path / "config.yaml")
    return tmp_path


def run(site: Path, *args: str) -> Any:
    return CliRunner().invoke(cli, ["--config", str(site / "config.yaml"), "check", *args])


def files_under(path: Path) -> set[Path]:
    return {p for p in path.rglob("*") if p.is_file()}


def test_accepted_form_exits_0_and_says_customers_could_not_be_checked(site: Path, specs: Any) -> None:
    path = write_form(site / "ok.xlsx", specs, "visit_report", visit_info(), [visit_row()])
    before = files_under(site)
    result = run(site, str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"√ 通过 {path}（每日销售报告表）：1 个提醒",
        "  提醒 表单!A8：客户「C0001」无法核对：系统中还没有客户登记数据。",
        "      改法：确保该客户已在客户登记表中提交；正式入库时会再次核对。",
    ]
    assert result.stderr.strip() == NO_LEDGER
    assert files_under(site) == before  # writes nothing


def test_rejected_form_exits_1_with_each_problem(site: Path, specs: Any) -> None:
    path = write_form(
        site / "bad.xlsx",
        specs,
        "visit_report",
        visit_info(),
        [visit_row(purpose="喝茶", order_amount=-1, gross_margin=None)],
    )
    result = run(site, str(path), "--folder", "R002")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"× 退回 {path}（每日销售报告表）：3 个错误，1 个提醒"
    assert "  错误 表单!B3：表上的销售员编号是 R001，但文件放在了「R002」文件夹。" in lines
    assert "  错误 表单!B8：「拜访目的」填的是「喝茶」，不在可选项中。" in lines
    assert "      改法：请从下拉框选择：开发新客户、市场调研、收款、服务、客诉处理、订货、其他。" in lines
    assert "  错误 表单!G8：「订货金额」填的是 -1，金额不能为负数。" in lines


def test_lang_forces_english(site: Path, specs: Any) -> None:
    path = write_form(site / "bad.xlsx", specs, "visit_report", visit_info(), [visit_row(quoted="也许")])
    result = run(site, str(path), "--lang", "en")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[:3] == [
        f"× rejected {path} (Daily visit report): 1 error(s), 1 warning(s)",
        "  warning 表单!A8: The customer 'C0001' could not be checked: there is no customer register yet.",
        "      fix: Make sure the customer is in your register; it is checked again when the form is taken in.",
    ]
    assert "  error 表单!E8: 'Quoted' holds '也许'; it must be Y or N." in result.stdout.splitlines()


def test_several_files_exit_1_when_any_is_rejected_and_json(site: Path, specs: Any) -> None:
    ok = write_form(site / "ok.xlsx", specs, "visit_report", visit_info(), [visit_row()])
    empty = site / "empty.xlsx"
    empty.write_bytes(b"")
    result = run(site, str(ok), str(empty), "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [d["status"] for d in data] == ["accepted", "rejected"]
    assert data[1]["issues"] == [
        {
            "code": "file-empty",
            "severity": "error",
            "sheet": None,
            "cell": None,
            "row": None,
            "field": None,
            "column": None,
            "value": None,
            "message": "文件「empty.xlsx」是空的，没有任何内容。",
            "fix": "请打开原表，确认已填写并保存后再放入文件夹。",
        }
    ]
    assert data[0]["form"] == "visit_report" and data[0]["feedback"] is None
    assert data[0]["customers_checked"] is False  # no ledger here
    assert result.stderr == ""


def test_feedback_dir_gets_a_workbook_per_file_with_problems(site: Path, specs: Any) -> None:
    bad = write_form(
        site / "bad.xlsx", specs, "visit_report", visit_info(report_date=date(2026, 12, 1)), [visit_row()]
    )
    result = run(site, str(bad), "--feedback", str(site / "fb"))
    assert result.exit_code == 1
    out = site / "fb" / "bad.反馈.xlsx"
    assert out.exists()
    assert result.stdout.splitlines()[-1] == f"  反馈：{out}"


def test_with_a_ledger_unknown_customers_reject(site: Path, specs: Any) -> None:
    from automation.core.config import load_config
    from automation.ledger import open_ledger

    open_ledger(load_config(site / "config.yaml")).close()  # an empty ledger: the register is authoritative
    path = write_form(site / "ok.xlsx", specs, "visit_report", visit_info(), [visit_row()])
    result = run(site, str(path))
    assert result.exit_code == 1
    assert result.stderr == ""
    assert "  错误 表单!A8：客户「C0001」不在客户登记表中。" in result.stdout.splitlines()


def test_usage_errors_exit_2(site: Path, specs: Any) -> None:
    path = write_form(site / "ok.xlsx", specs, "visit_report", visit_info(), [visit_row()])
    result = run(site, str(path), "--folder", "nobody")
    assert result.exit_code == 2
    assert result.stderr.startswith("未知文件夹 / unknown folder 'nobody'; allowed: R001, R002")
    missing = run(site, str(site / "missing.xlsx"))
    assert missing.exit_code == 2 and "does not exist" in missing.stderr


@pytest.mark.parametrize("encoding", ["gbk", "cp1252"])
def test_output_redirected_in_a_windows_encoding_is_never_a_traceback(
    site: Path, specs: Any, encoding: str
) -> None:
    """Redirected output on Chinese (GBK) or Western (cp1252) Windows: characters the encoding
    lacks are replaced; the report and the exit code are the same."""
    import os
    import subprocess
    import sys

    path = write_form(site / "坏表.xlsx", specs, "visit_report", visit_info(), [visit_row(purpose="喝茶")])
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    proc = subprocess.run(
        [sys.executable, "-m", "automation", "--config", str(site / "config.yaml"), "check", str(path)],
        capture_output=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr.decode(encoding, "replace")
    assert b"Traceback" not in proc.stderr
    out = proc.stdout.decode(encoding)
    first = out.splitlines()[0]
    if encoding == "gbk":  # everything a Chinese rep reads survives, symbol included
        assert first.startswith("× 退回 ") and "坏表.xlsx" in first and "喝茶" in out
    else:
        assert first.startswith("× ") and "?" in first  # the Chinese text replaced, not a crash


def test_a_fault_of_ours_on_one_file_is_said_and_the_others_are_checked(
    site: Path, specs: Any, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """A bug of ours (made here: validation raises for one file) is not the rep's fault and does not
    stop the command: that file's line says so, the others are judged, exit 3."""
    import automation.validate

    real = automation.validate.validate

    def buggy(sub: Any, ctx: Any) -> Any:
        if sub.path.name == "boom.xlsx":
            raise ZeroDivisionError("a bug")
        return real(sub, ctx)

    monkeypatch.setattr(automation.validate, "validate", buggy)
    ok = write_form(site / "ok.xlsx", specs, "visit_report", visit_info(), [visit_row()])
    boom = write_form(site / "boom.xlsx", specs, "visit_report", visit_info(), [visit_row()])
    result = run(site, str(boom), str(ok))
    assert result.exit_code == 3
    lines = result.stdout.splitlines()
    assert (
        lines[0]
        == f"! 未能检查 {boom}：系统内部错误（ZeroDivisionError: a bug），不是表单的问题；请把文件交给后台。"
    )
    assert lines[1].startswith(f"√ 通过 {ok}")
    result = run(site, str(boom), str(ok), "--json")
    assert result.exit_code == 3
    entries = json.loads(result.stdout)
    assert entries[0] == {"file": str(boom), "status": "failed", "error": "ZeroDivisionError: a bug"}
    assert entries[1]["status"] == "accepted"
