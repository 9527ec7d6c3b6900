"""``salesflow init`` and ``salesflow templates``: real folders in tmp dirs, run through the click CLI."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import yaml
from click.testing import CliRunner

from automation.cli import cli
from automation.core.config import load_config
from automation.core.formspec import FORM_KEYS, load_specs
from automation.templates.installer import default_config_text, init_installation
from tests.conftest import ROOT


def test_packaged_config_is_the_repo_config() -> None:
    assert default_config_text() == (ROOT / "config.yaml").read_text(encoding="utf-8"), (
        "automation/data/config.yaml must stay a copy of the top-level config.yaml: cp config.yaml automation/data/"
    )


def test_init_creates_tree_and_templates_and_prints_where(tmp_path: Path) -> None:
    target = tmp_path / "office"
    result = CliRunner().invoke(cli, ["init", str(target)])
    assert result.exit_code == 0, result.output
    config = load_config(target / "config.yaml")
    inbox = target / "workbooks" / "inbox"
    for name in [*(r.id for r in config.reps), *(s.id for s in config.supervisors), "hq"]:
        assert (inbox / name).is_dir(), name
    for sub in ("archive", "rejected", "reports", "outbox"):
        assert (target / "workbooks" / sub).is_dir()
    for lang in ("zh", "en"):
        files = sorted((target / "templates" / lang).glob("*.xlsx"))
        assert len(files) == len(FORM_KEYS)
        wb = openpyxl.load_workbook(files[0])
        assert wb["_form"]["B3"].value == lang
    assert not (target / ".salesflow").exists(), "init must not create the ledger"
    assert str(target.resolve() / "config.yaml") in result.output
    assert str(target.resolve() / "templates") in result.output
    assert str(target.resolve() / "workbooks") in result.output


def test_rerun_keeps_user_files_and_adds_new_rep_folder(tmp_path: Path) -> None:
    first = init_installation(tmp_path)
    cfg = tmp_path / "config.yaml"
    data = yaml.safe_load(cfg.read_text(encoding="utf-8"))
    data["company"] = "我的公司"
    data["reps"].append({"id": "R099", "name": "新人", "region": "east"})
    edited = "# my own notes\n" + yaml.safe_dump(data, allow_unicode=True)
    cfg.write_text(edited, encoding="utf-8")
    template = tmp_path / "templates" / "zh" / "每日销售报告表.xlsx"
    template.write_bytes(b"user's own file")

    result = CliRunner().invoke(cli, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert cfg.read_text(encoding="utf-8") == edited
    assert template.read_bytes() == b"user's own file"
    assert (tmp_path / "workbooks" / "inbox" / "R099").is_dir()
    assert "kept as it was" in result.output
    again = init_installation(tmp_path)
    assert again.created == []
    assert set(first.created) - {tmp_path.resolve()} <= set(again.kept)


def test_init_with_bad_config_says_which_key(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text(
        "company: x\nregions: []\nreps: []\nlanguage: fr\n", encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["init", str(tmp_path)])
    assert result.exit_code == 2
    assert "language" in result.output and "'fr'" in result.output
    assert not (tmp_path / "workbooks").exists()


def test_templates_command_lang_rep_and_unknown_id(tmp_path: Path) -> None:
    init_installation(tmp_path)
    cfg = str(tmp_path / "config.yaml")
    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(cli, ["--config", cfg, "templates", "--lang", "en", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (out / "en").iterdir())[0] == "Complaint report.xlsx"
    assert not (out / "zh").exists()
    assert str((out / "en" / "Targets.xlsx").resolve()) in result.output

    result = runner.invoke(cli, ["--config", cfg, "templates", "--rep", "R002"])
    assert result.exit_code == 0, result.output
    copy = tmp_path / "templates" / "R002" / "每日拜访计划表_R002.xlsx"
    assert copy.exists()
    assert openpyxl.load_workbook(copy).worksheets[0]["B3"].value == "R002"

    result = runner.invoke(cli, ["--config", cfg, "templates", "--rep", "NOPE"])
    assert result.exit_code == 2
    assert "NOPE" in result.output and "R001" in result.output


def test_rep_copy_lists_the_reps_customers_from_the_ledger(tmp_path: Path) -> None:
    """End to end: a register accepted into the ledger feeds the rep's customer dropdown."""
    from datetime import date

    from automation.pipeline import process
    from automation.templates.builder import layout

    init_installation(tmp_path)
    config = load_config(tmp_path / "config.yaml")
    spec = load_specs(config)["customer_register"]
    lay = layout(spec)
    wb = openpyxl.load_workbook(tmp_path / "templates" / "zh" / "客户登记表.xlsx")
    ws = wb.worksheets[0]
    ws[lay.info_cell("rep_id")] = "R001"
    names = [f"宁波第{i:02d}号精密五金制品有限公司" for i in range(20)]
    for i, name in enumerate(names):
        row = lay.first_data_row + i
        for key, value in {
            "name": name,
            "region": "华东",
            "contact": "王经理",
            "phone": f"1380000{i:04d}",
            "stage": "潜在客户",
            "created": date(2026, 11, 20),
        }.items():
            ws.cell(row=row, column=lay.columns[key], value=value)
    drop = tmp_path / "workbooks" / "inbox" / "R001" / "客户登记表.xlsx"
    wb.save(drop)
    outcome = process(drop, config)
    assert outcome.status == "accepted", outcome.messages

    result = CliRunner().invoke(
        cli, ["--config", str(tmp_path / "config.yaml"), "templates", "--rep", "R001"]
    )
    assert result.exit_code == 0, result.output
    copy = openpyxl.load_workbook(tmp_path / "templates" / "R001" / "每日销售报告表_R001.xlsx")
    offered = [c.value for row in copy["_lists"].iter_rows(min_row=2) for c in row if c.value]
    assert offered == sorted(names)
    assert len(",".join(names)) > 255
