"""``salesflow watch``: what its log says after a burst (issue 13)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

from automation.core.formspec import load_specs
from tests.formfactory import FormFactory, install


def test_the_log_names_the_region_weeks_waiting_to_be_rebuilt_and_claims_nothing_more(tmp_path: Path) -> None:
    """The line said "marked for consolidation" before anything consolidated. It names the
    region-weeks the new rows changed and says what became of them: rebuilt (issue 16), or still
    waiting when a rebuild failed."""
    cfg_path, config = install(tmp_path)
    factory = FormFactory(config, load_specs(config))
    factory.register("R001").drop(config.inbox)
    factory.visit_report("R005", date(2026, 11, 16)).drop(config.inbox)  # no register: rejected, south
    res = subprocess.run(
        [sys.executable, "-m", "automation", "watch", "--once", "--config", str(cfg_path)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    line = next(x for x in res.stdout.splitlines() if "batch done" in x)
    assert "batch done / 本批完成: accepted 1, rejected 1; " in line, line
    assert "workbooks rebuilt / 已重建工作簿: east 2026-W48, south 2026-W47 (" in line, line
    assert "to rebuild" not in line, line
    assert "consolidation" not in res.stdout and "汇总" not in res.stdout
