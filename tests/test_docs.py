"""The README stays in step with the code: every config key and every command is documented."""

from __future__ import annotations

import re

from pydantic import BaseModel

from automation.cli import COMMANDS, cli
from automation.core.config import Config
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    out = []
    for name, info in model.model_fields.items():
        if info.exclude:
            continue
        out.append(prefix + name)
        ann = info.annotation
        if isinstance(ann, type) and issubclass(ann, BaseModel) and ann.__name__ not in {"FormExtension"}:
            out.extend(_keys(ann, prefix + name + "."))
    return out


def _documented_keys() -> set[str]:
    """The keys the README's config reference table names, spelt in full in its first column."""
    section = README.split("## Config reference", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {key for row in rows for key in re.findall(r"`([^`]+)`", row.split("|")[1])}


def test_every_config_key_is_in_the_readme() -> None:
    # each key in full (`thresholds.abc.a`, not a bare `a` anywhere in the README); a key whose
    # children are documented is documented (`thresholds.churn`, `forms` through `forms.<form>...`)
    documented = _documented_keys()
    missing = [
        k for k in _keys(Config) if k not in documented and not any(d.startswith(k + ".") for d in documented)
    ]
    assert missing == []


def test_every_command_is_registered_and_documented() -> None:
    assert sorted(cli.commands) == sorted(COMMANDS)
    for name in COMMANDS:
        assert f"salesflow {name}" in README, name


def test_readme_starts_with_the_two_commands() -> None:
    block = README.split("```bash", 1)[1].split("```", 1)[0].strip().splitlines()
    assert block[0].endswith("salesflow demo")
    assert "pytest" in block[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert block[1] in ci
