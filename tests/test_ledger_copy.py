"""``salesflow ledger copy --to URL``: a branch's SQLite ledger into PostgreSQL, verified (issue 18)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from automation.core.formspec import load_specs
from automation.ledger import open_ledger
from automation.pipeline import process
from tests.formfactory import FormFactory, install

DAY = date(2026, 11, 23)


def _salesflow(cfg: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "automation", "--config", str(cfg), *args],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip


def _figures(cfg: Path) -> dict[str, Any]:
    res = _salesflow(cfg, "figures", "--json", "--week", "2026-W48")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    data.pop("generated_at")
    return data


def test_copy_into_postgresql_counts_and_figures_match_and_a_second_copy_is_refused(
    tmp_path: Path, pg_server
) -> None:  # type: ignore[no-untyped-def]
    cfg_path, config = install(tmp_path)  # SQLite: this test makes its own target
    factory = FormFactory(config, load_specs(config))
    with open_ledger(config) as ledger:
        for rep in ("R001", "R005"):
            assert (
                process(factory.register(rep).drop(config.inbox), config, ledger=ledger).status == "accepted"
            )
            for d in range(4):
                f = factory.visit_report(rep, DAY - timedelta(days=d), seed=d)
                assert process(f.drop(config.inbox), config, ledger=ledger).status == "accepted"
    target = pg_server.fresh()
    try:
        res = _salesflow(
            cfg_path, "ledger", "copy", "--to", target.replace("postgresql+psycopg://", "postgresql://")
        )
        assert res.returncode == 0, res.stderr
        assert "submissions" in res.stdout and "figures of" in res.stdout and "equal" in res.stdout
        counts = {line.split()[0]: int(line.split()[1]) for line in res.stdout.splitlines()[:-1]}
        assert counts["submissions"] == 10 and counts["visit_reports"] > 0 and counts["customers"] > 0
        again = _salesflow(cfg_path, "ledger", "copy", "--to", target)
        assert again.returncode == 2 and "not empty" in again.stderr and "Traceback" not in again.stderr
        assert _salesflow(cfg_path, "ledger", "copy", "--to", target, "--replace").returncode == 0
        pg_cfg = tmp_path / "pg.yaml"  # the same installation, pointed at the copy
        data = yaml.safe_load(cfg_path.read_text(encoding="utf-8"))
        pg_cfg.write_text(
            yaml.safe_dump({**data, "ledger_url": target}, allow_unicode=True), encoding="utf-8"
        )
        assert _figures(pg_cfg) == _figures(cfg_path)
        # the copy goes on: a new form recorded into PostgreSQL gets an id past the copied ones
        from automation.core.config import load_config

        pg = load_config(pg_cfg)
        with open_ledger(pg) as ledger:
            out = process(
                factory.visit_report("R001", DAY, seed=77).drop(pg.inbox, "new.xlsx"), pg, ledger=ledger
            )
        assert out.status == "accepted" and out.submission_id == 11
    finally:
        pg_server.drop(target)


def test_a_missing_driver_is_one_line_saying_what_to_install(tmp_path: Path) -> None:
    cfg_path, _ = install(tmp_path)
    data = yaml.safe_load(cfg_path.read_text(encoding="utf-8"))
    data["ledger_url"] = "postgresql+psycopg2://sales@127.0.0.1:1/salesflow"  # psycopg2 is not installed
    cfg_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    for args in (("figures",), ("status",), ("watch", "--once")):
        res = _salesflow(cfg_path, *args)
        assert res.returncode == 2, (args, res.stderr)
        assert "pip install 'salesflow[postgres]'" in res.stderr and "Traceback" not in res.stderr, res.stderr
