"""``salesflow demo``: exits 0, its numbers add up, and the same seed gives the same figures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from automation.cli import cli
from automation.demo.generator import counts, read_manifest


def test_demo_refuses_a_folder_that_is_not_a_demo(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(cli, ["demo", "--dir", str(tmp_path), "--quiet"])
    assert result.exit_code == 2
    assert "not empty" in result.output
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_latest_full_week() -> None:
    from datetime import date

    from automation.demo.run import latest_full_week

    assert latest_full_week(date(2026, 11, 23)) == ("2026-W47", date(2026, 11, 22))
    assert latest_full_week(date(2026, 11, 22)) == ("2026-W47", date(2026, 11, 22))


@pytest.mark.slow
@pytest.mark.engine
def test_demo_adds_up_and_is_reproducible(tmp_path: Path) -> None:
    from automation.demo.run import format_report, run_demo

    result = CliRunner().invoke(cli, ["demo", "--dir", str(tmp_path / "a"), "--seed", "7", "--quiet"])
    assert result.exit_code == 0, result.output
    m = re.search(
        r"files dropped: (\d+) = 接受 accepted (\d+) \+ 退回 rejected (\d+) \+ 重复 duplicates (\d+) \+ 忽略 ignored (\d+)",
        result.output,
    )
    assert m, result.output
    dropped, acc, rej, dup, ign = map(int, m.groups())
    assert dropped == acc + rej + dup + ign
    entries = read_manifest(tmp_path / "a" / "manifest.jsonl")
    expected = counts(entries)
    # LibreOffice is installed here (engine tests need it): some forms were saved through it
    assert any(e["path"].endswith(".ods") for e in entries)
    assert any(e["format"] == "lo-xlsx" for e in entries)
    assert dropped == sum(expected.values())
    assert rej >= 10 and dup >= 2 and ign >= 5
    assert "2026-W47" in result.output
    # the demo ends with the workbooks built, and says where
    assert "汇总工作簿 / workbooks:" in result.output and "公司周报 2026-W47.xlsx" in result.output
    assert list((tmp_path / "a" / "workbooks" / "reports" / "2026-W47").glob("*.xlsx"))
    assert list((tmp_path / "a" / "workbooks" / "archive").rglob("*.*"))
    assert list((tmp_path / "a" / "workbooks" / "rejected").rglob("*.*"))

    # the same seed again, through the library and without LibreOffice's re-saved files: same figures
    again = run_demo(tmp_path / "b", "small", 7, libreoffice=False, progress=False)
    assert again.adds_up
    assert [h["level"] for h in again.headline] == ["company", "region", "region", "region"]
    assert again.headline[0]["visits"] > 0 and again.headline[0]["sales"] > 0
    table = format_report(again).split("最近一周")[1].split("账本")[0]
    assert table in result.output

    # frames mode (what the benchmarks use) builds exactly the ledger the pipeline built from the files
    from automation.core.config import load_config
    from automation.demo.frames_mode import company_frames
    from automation.ledger import open_ledger

    config, built = company_frames("small", 7)
    ledger = open_ledger(load_config(again.config_path))
    try:
        real = ledger.frames()
    finally:
        ledger.close()
    for name in ("visits", "plans", "customers", "stage_history", "complaints", "targets", "submissions",
                 "market_reports", "weekly_reports", "weekly_targets"):  # fmt: skip
        assert len(getattr(built, name)) == len(getattr(real, name)), name
    assert built.visits["order_amount"].sum() == pytest.approx(real.visits["order_amount"].sum())
    assert sorted(built.customers["name"]) == sorted(real.customers["name"])
