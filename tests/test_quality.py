"""One command runs every check (STYLE 11): the test suite also runs ruff and mypy on the code."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_lint_and_format_are_clean() -> None:
    ruff = shutil.which("ruff") or pytest.fail("ruff is not installed: pip install -e '.[test]'")
    lint = _run(ruff, "check", ".")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    fmt = _run(ruff, "format", "--check", ".")
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


@pytest.mark.slow
def test_mypy_is_clean() -> None:
    result = _run(sys.executable, "-m", "mypy", "automation")
    assert result.returncode == 0, result.stdout + result.stderr
