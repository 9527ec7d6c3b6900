"""``salesflow ingest``: real files through the real pipeline, exact exit codes and summaries."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from automation.cli import cli
from automation.core.formspec import load_specs
from tests.formfactory import FormFactory, install

DAY = date(2026, 11, 23)


@pytest.fixture
def env(tmp_path: Path):  # type: ignore[no-untyped-def]
    cfg_path, config = install(tmp_path)
    factory = FormFactory(config, load_specs(config))
    return cfg_path, config, factory


def ingest(cfg_path: Path, *args: str) -> Any:
    return CliRunner().invoke(cli, ["--config", str(cfg_path), "ingest", *args])


def test_ingest_the_inbox_processes_every_form_and_reports_new_ids(env) -> None:  # type: ignore[no-untyped-def]
    cfg_path, config, factory = env
    for rep in ("R001", "R002"):
        factory.register(rep).drop(config.inbox)
    (config.inbox / "R001" / "~$客户登记表_R001.xlsx").write_bytes(b"owner file")  # Excel's lock file: noise
    result = ingest(cfg_path, "--json", str(config.inbox))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{") :])
    assert data["counts"]["accepted"] == 2 and data["counts"]["failed"] == 0
    assert [f["to"] for f in data["files"] if f["status"] == "accepted"] == [
        "archive/R001/2026-11/客户登记表_R001.xlsx",
        "archive/R002/2026-11/客户登记表_R002.xlsx",
    ]
    assert [n["id"] for n in data["new_ids"]][:2] == ["C000001", "C000002"] and len(data["new_ids"]) == 12
    assert (config.inbox / "R001" / "~$客户登记表_R001.xlsx").exists()  # noise is never touched
    assert not (config.inbox / "R001" / "客户登记表_R001.xlsx").exists()


def test_rejected_form_exits_1_and_names_its_feedback(env) -> None:  # type: ignore[no-untyped-def]
    cfg_path, config, factory = env
    bad = config.inbox / "R001" / "日报.xlsx"
    bad.write_bytes(factory.visit_report("R001", DAY).data)  # no register yet: unknown customers
    result = ingest(cfg_path, str(bad))
    assert result.exit_code == 1, result.output
    assert "退回 rejected: 1" in result.output
    assert "rejected/R001/日报.xlsx" in result.output and "rejected/R001/日报.反馈.xlsx" in result.output
    assert (config.rejected / "R001" / "日报.反馈.xlsx").exists()


def test_file_outside_the_inbox_needs_folder_and_is_copied(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cfg_path, config, factory = env
    outside = tmp_path / "laptop" / "register.xlsx"
    outside.parent.mkdir()
    outside.write_bytes(factory.register("R003").data)
    result = ingest(cfg_path, str(outside.parent))
    assert result.exit_code == 2 and "--folder" in result.output
    result = ingest(cfg_path, "--folder", "R003", str(outside.parent))
    assert result.exit_code == 0, result.output
    assert (
        outside.exists()
        and (config.archive / "R003" / "2026-11" / "register.xlsx").read_bytes() == outside.read_bytes()
    )
    again = ingest(cfg_path, "--folder", "R003", "--json", str(outside))
    assert json.loads(again.output[again.output.index("{") :])["counts"]["duplicate"] == 1


def test_unknown_folder_is_a_usage_error(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cfg_path, _config, _factory = env
    result = ingest(cfg_path, "--folder", "R999", str(tmp_path))
    assert result.exit_code == 2 and "R999" in result.output


def test_symlinks_are_not_followed(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cfg_path, config, factory = env
    target = tmp_path / "elsewhere.xlsx"
    target.write_bytes(factory.register("R001").data)
    (config.inbox / "R001" / "link.xlsx").symlink_to(target)
    result = ingest(cfg_path, "--json", str(config.inbox))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{") :])
    assert data["counts"]["accepted"] == 0 and data["counts"]["ignored"] == 1
    assert (config.inbox / "R001" / "link.xlsx").is_symlink() and target.exists()


def test_a_fault_of_ours_exits_3_and_leaves_the_file(env, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    cfg_path, config, factory = env
    path = factory.register("R001").drop(config.inbox)
    from automation.pipeline import stages as pipeline

    def broken(*a: Any, **k: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(pipeline, "check", broken)
    result = ingest(cfg_path, str(path))
    assert result.exit_code == 3
    assert "disk on fire" in result.output and path.exists()
    assert (config.state_root / "logs" / "salesflow.log").read_text(encoding="utf-8").count(
        "disk on fire"
    ) >= 1


@pytest.mark.slow
def test_two_ingests_racing_over_one_inbox_count_each_form_once(env) -> None:  # type: ignore[no-untyped-def]
    """The watcher and a one-shot ingest may meet on the same files: 0 lost, 0 double."""
    import subprocess
    import sys

    from tests.formfactory import audit

    cfg_path, config, factory = env
    registers = [factory.register(r) for r in ("R001", "R002", "R003")]
    for f in registers:
        f.drop(config.inbox)
    assert ingest(cfg_path, str(config.inbox)).exit_code == 0
    forms = [f for f in factory.many(60, end=DAY) if f.rep_id in ("R001", "R002", "R003")]
    for f in forms:
        f.drop(config.inbox)
    cmd = [
        sys.executable,
        "-m",
        "automation",
        "--config",
        str(cfg_path),
        "ingest",
        "--json",
        str(config.inbox),
    ]
    env_vars = {**os.environ, "SALESFLOW_NOW": "2026-11-23T21:00:00"}
    procs = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env_vars) for _ in range(2)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (_out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err.decode(errors="replace")[-2000:]
    result = audit(config, registers + forms)
    assert result.clean, result
    assert result.accepted == len(registers) + len(forms)
