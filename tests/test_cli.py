"""The ``salesflow`` group: options every command shares (issue 13: ``--config`` after the command)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from automation.cli import COMMANDS, cli
from tests.formfactory import install


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_takes_config_after_its_name(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0 and "--config FILE" in result.output, result.output


def test_figures_with_config_after_the_command_as_the_readme_says(tmp_path: Path) -> None:
    """The new user's exact command, in a real process: it said "No such option: --config"."""
    cfg_path, _ = install(tmp_path)
    res = subprocess.run(
        [sys.executable, "-m", "automation", "figures", "--json", "--config", str(cfg_path)],
        capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["schema"] == "salesflow.figures/1"


def test_the_config_after_the_command_wins_over_the_one_before(tmp_path: Path) -> None:
    cfg_path, _ = install(tmp_path)
    missing = tmp_path / "nowhere.yaml"
    after = CliRunner().invoke(cli, ["--config", str(missing), "status", "--json", "--config", str(cfg_path)])
    assert "nowhere.yaml" not in after.output and json.loads(after.output[after.output.index("{") :])
    before = CliRunner().invoke(cli, ["--config", str(cfg_path), "status", "--config", str(missing)])
    assert before.exit_code == 2 and "nowhere.yaml" in before.output
