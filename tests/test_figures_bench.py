"""The figures benchmark runs at full size and stays under 1 GB (time is printed, not asserted:
a shared CI machine's wall clock says more about its neighbours than about the code)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT


@pytest.mark.slow
def test_benchmark_full_size_under_a_gigabyte() -> None:
    res = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench_figures.py"), "--repeat", "1"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    assert "300,000 visits, 20,000 customers" in res.stdout
    cpu = float(re.search(r"([\d.]+) s CPU", res.stdout).group(1))  # type: ignore[union-attr]
    peak = int(re.search(r"peak RSS: (\d+) MiB", res.stdout).group(1))  # type: ignore[union-attr]
    assert peak < 1024
    assert cpu < 30  # generous: catches an accidental per-row Python loop (minutes), not a busy machine
    assert "scorecard rows: 206" in res.stdout  # 200 reps + 5 regions + the company
