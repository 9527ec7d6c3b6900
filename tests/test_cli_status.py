"""``salesflow status``: the documented JSON (schema 1) from a real installation, ledger and lock."""

from __future__ import annotations

import json
import os
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from automation.cli import cli
from automation.core.formspec import load_specs
from automation.ledger import open_ledger
from automation.pipeline import process
from automation.watch.state import InstallationLock, heartbeat_payload, write_json_atomic
from tests.formfactory import FormFactory, install

pytestmark = pytest.mark.usefixtures("db")  # SQLite and PostgreSQL (tests/conftest.py)

DAY = date(2026, 11, 23)
KEYS = {
    "schema",
    "generated_at",
    "today",
    "watcher",
    "backlog",
    "counts",
    "awaiting_fix",
    "missing_today",
    "mail",  # added by issue 17 (keys are only ever added within schema 1)
    "conflicts",
    "conflict_copies",
    "reports",  # added by the consolidated workbooks (keys are only ever added within schema 1)
    "site",  # added by issue 18: this installation's site, and every site's heartbeat from the ledger
    "sites",
}


@pytest.fixture
def env(tmp_path: Path):  # type: ignore[no-untyped-def]
    cfg_path, config = install(tmp_path)
    factory = FormFactory(config, load_specs(config))
    with open_ledger(config) as ledger:
        for rep in ("R001", "R002"):
            assert (
                process(factory.register(rep).drop(config.inbox), config, ledger=ledger).status == "accepted"
            )
    return cfg_path, config, factory


def status(cfg_path: Path) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(cli, ["--config", str(cfg_path), "status", "--json"])
    assert result.exit_code in (0, 1, 3, 4), result.output
    return result.exit_code, json.loads(result.output)


def drop(config: Any, form: Any, name: str | None = None, at: datetime = datetime(2026, 11, 23, 18)) -> Path:
    path = form.drop(config.inbox, name)
    os.utime(path, (at.timestamp(),) * 2)
    return path


def test_json_shape_is_stable_and_counts_by_terminal_state(env) -> None:  # type: ignore[no-untyped-def]
    cfg_path, config, factory = env
    with open_ledger(config) as ledger:
        process(drop(config, factory.visit_report("R001", DAY)), config, ledger=ledger)
        process(drop(config, factory.visit_report("R001", DAY), "copy.xlsx"), config, ledger=ledger)
        process(
            drop(config, factory.visit_report("R001", DAY, seed=1), "v2.xlsx", datetime(2026, 11, 23, 19)),
            config,
            ledger=ledger,
        )
        process(
            drop(
                config,
                factory.visit_plan("R001", DATE_OLD := date(2026, 11, 20)),
                at=datetime(2026, 11, 20, 9),
            ),
            config,
            ledger=ledger,
        )
    code, data = status(cfg_path)
    assert set(data) == KEYS and data["schema"] == 1
    assert code == 1 and data["watcher"]["alive"] is False  # no watcher running
    assert data["today"] == "2026-11-23" and data["generated_at"] == "2026-11-23T21:00:00"
    assert data["counts"]["total"] == {"accepted": 4, "rejected": 0, "duplicate": 1, "superseded": 1}
    # today: the two registers of the fixture (received now), v2, the duplicate and the superseded v1
    assert data["counts"]["today"] == {"accepted": 3, "rejected": 0, "duplicate": 1, "superseded": 1}
    assert DATE_OLD.isoformat() not in json.dumps(data["counts"])


def test_rejected_forms_await_a_fix_until_a_later_version_is_accepted(env) -> None:  # type: ignore[no-untyped-def]
    cfg_path, config, factory = env
    wrong = config.inbox / "R001" / "日报.xlsx"
    wrong.write_bytes(
        factory.visit_report("R003", DAY).data
    )  # R003's form in R001's folder, unknown customers
    with open_ledger(config) as ledger:
        rejected = process(wrong, config, ledger=ledger)
        assert rejected.status == "rejected"
        _, data = status(cfg_path)
        assert [a["submission_id"] for a in data["awaiting_fix"]] == [rejected.submission_id]
        entry = data["awaiting_fix"][0]
        assert entry["feedback_path"] == "rejected/R001/日报.反馈.xlsx" and entry["errors"] >= 1
        fixed = process(drop(config, factory.visit_report("R001", DAY)), config, ledger=ledger)
        assert fixed.status == "accepted"
    _, data = status(cfg_path)
    assert [a for a in data["awaiting_fix"] if a["rep_id"] == "R001"] == []


def test_backlog_counts_forms_waiting_but_not_noise(env) -> None:  # type: ignore[no-untyped-def]
    cfg_path, config, factory = env
    factory.visit_report("R001", DAY).drop(config.inbox)
    factory.visit_plan("R002", DAY).drop(config.inbox)
    (config.inbox / "R002" / "~$计划.xlsx").write_bytes(b"x")
    (config.inbox / "R002" / "desktop.ini").write_bytes(b"x")
    _, data = status(cfg_path)
    assert data["backlog"]["files"] == 2 and data["backlog"]["by_folder"] == {"R001": 1, "R002": 1}


def test_reps_missing_todays_visit_report(env, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    cfg_path, config, factory = env
    with open_ledger(config) as ledger:
        process(drop(config, factory.visit_report("R001", DAY)), config, ledger=ledger)
    _, data = status(cfg_path)
    missing = [r["rep_id"] for r in data["missing_today"]["reps"]]
    assert "R001" not in missing and "R002" in missing and len(missing) == len(config.reps) - 1
    assert data["missing_today"]["working_day"] is True and data["missing_today"]["deadline_passed"] is True
    monkeypatch.setenv("SALESFLOW_NOW", "2026-11-28T10:00:00")  # a Saturday
    _, data = status(cfg_path)
    assert data["missing_today"] == {
        "working_day": False,
        "deadline": "20:00",
        "deadline_passed": False,
        "reps": [],
    }
    monkeypatch.setenv("SALESFLOW_NOW", "2026-10-10T10:00:00")  # a make-up Saturday in config.yaml
    _, data = status(cfg_path)
    assert (
        data["missing_today"]["working_day"] is True and len(data["missing_today"]["reps"]) == 11
    )  # R008 not live


def _beat(config: Any, epoch_shift: float = 0.0) -> None:
    beat = heartbeat_payload(state="running", started="2026-11-23T08:00:00", observer="native", counts={}, backlog=0,
                             current=None, quarantined=["R001/bad.xlsx"], observer_restarts=0, last_scan=None)  # fmt: skip
    beat["epoch"] = time.time() + epoch_shift
    write_json_atomic(config.state_root / "heartbeat.json", beat)


def test_watcher_alive_needs_the_lock_and_a_fresh_heartbeat(env) -> None:  # type: ignore[no-untyped-def]
    cfg_path, config, _factory = env
    _beat(config)
    code, data = status(cfg_path)
    assert code == 1 and data["watcher"]["lock_held"] is False and data["watcher"]["alive"] is False
    with InstallationLock(config.state_root):
        code, data = status(cfg_path)
        assert code == 0 and data["watcher"]["alive"] is True and data["watcher"]["pid"] == os.getpid()
        assert data["watcher"]["quarantined"] == ["R001/bad.xlsx"]
        _beat(config, epoch_shift=-120)
        code, data = status(cfg_path)
        assert (  # a process holds the lock but does not beat: stuck (3), not dead (1)
            code == 3 and data["watcher"]["lock_held"] is True and data["watcher"]["heartbeat_fresh"] is False
        )
        assert data["watcher"]["stuck"] is True


def test_text_view_answers_each_question(env) -> None:  # type: ignore[no-untyped-def]
    cfg_path, _config, _factory = env
    result = CliRunner().invoke(cli, ["--config", str(cfg_path), "status"])
    assert result.exit_code == 1
    for words in (
        "watcher NOT running",
        "backlog: 0",
        "total: accepted 2",
        "awaiting a fix: 0",
        "no visit report today",
    ):
        assert words in result.output


def test_ownership_conflicts_are_listed_for_the_manager(env) -> None:  # type: ignore[no-untyped-def]
    cfg_path, config, factory = env
    claim = factory.register("R001", n=1)  # R001's first customer ...
    path = config.inbox / "R002" / "claim.xlsx"
    path.write_bytes(_register_as(factory, "R002", claim))  # ... registered again by R002
    with open_ledger(config) as ledger:
        out = process(path, config, ledger=ledger)
    assert out.status == "accepted", out.messages
    _, data = status(cfg_path)
    assert [(c["customer_id"], c["owner"], c["claimed_by"]) for c in data["conflicts"]] == [
        ("C000001", "R001", "R002")
    ]
    text = CliRunner().invoke(cli, ["--config", str(cfg_path), "status"]).output
    assert "客户 C000001 属于 R001，R002 也申报了 / C000001: owner R001, claimed by R002 (#" in text


def _register_as(factory: Any, rep_id: str, form: Any) -> bytes:
    """The same customer rows, in a register submitted by ``rep_id``."""
    from tests.formfactory import write_xlsx

    return write_xlsx(factory.specs["customer_register"], {"rep_id": rep_id}, form.rows)


def test_a_waiting_watcher_says_why_and_exits_4(env) -> None:  # type: ignore[no-untyped-def]
    """Alive, but held up by its environment: the problem first, the files it holds up, the files
    not whole yet; exit 4 (0 alive and well, 1 dead, 3 stuck)."""
    cfg_path, config, _factory = env
    problem = {"resource": "ledger", "kind": "locked", "message": "台账 / the ledger (x): 被其他程序锁定 / locked by another program",
               "detail": "database is locked", "since": "2026-11-23T20:58:01", "seconds": 42.0,
               "files": ["R001/日报.xlsx"], "file_count": 1}  # fmt: skip
    also = {"resource": "disk", "kind": "full", "message": "磁盘 / the disk (y): 已满 / full", "detail": "",
            "since": "2026-11-23T20:59:00", "seconds": 10.0, "files": [], "file_count": 0}  # fmt: skip
    beat = heartbeat_payload(state="running", started="2026-11-23T08:00:00", observer="native", counts={}, backlog=2,
                             current=None, quarantined=[], observer_restarts=0, last_scan=None, problems=[problem, also],
                             waiting=[{"file": "R002/周报.csv", "why": "正在写入 / still being written: pid 7 (smbd)",
                                       "seconds": 12.0}])  # fmt: skip
    write_json_atomic(config.state_root / "heartbeat.json", beat)
    with InstallationLock(config.state_root):
        code, data = status(cfg_path)
        assert code == 4 and data["watcher"]["alive"] and data["watcher"]["problem"] == problem["message"]
        assert data["watcher"]["waiting_on"][0]["file"] == "R002/周报.csv"
        text = CliRunner().invoke(cli, ["--config", str(cfg_path), "status"])
    assert text.exit_code == 4
    assert "WAITING, resumes by itself once fixed: 台账 / the ledger (x)" in text.output
    assert (
        "1 个文件自 2026-11-23T20:58:01 起未处理 / 1 file(s) held up since 2026-11-23T20:58:01: R001/日报.xlsx"
        in text.output
    )
    # the second problem, both languages
    assert "另外 / also: 磁盘 / the disk (y): 已满 / full" in text.output
    assert "waiting: R002/周报.csv: 正在写入 / still being written: pid 7 (smbd)" in text.output


@pytest.mark.sqlite_only
def test_status_answers_while_the_watcher_moves_files_out_of_the_inbox(env) -> None:  # type: ignore[no-untyped-def]
    """A watcher files forms away while ``status`` counts them (a form listed, then gone before its
    mtime is read; a folder emptied): status answers every time, never a traceback."""
    import threading

    from automation.watch.status import collect

    _cfg_path, config, _factory = env
    folder = config.inbox / "R001"
    stop = threading.Event()

    def churn() -> None:  # what a flood looks like from outside: files come and go at once
        i = 0
        while not stop.is_set():
            p = folder / f"f{i % 40}.xlsx"
            p.write_bytes(b"x")
            p.unlink(missing_ok=True)
            i += 1

    worker = threading.Thread(target=churn, daemon=True)
    worker.start()
    try:
        counts = [collect(config)["backlog"]["files"] for _ in range(150)]
    finally:
        stop.set()
        worker.join()
    assert all(0 <= n <= 40 for n in counts)


@pytest.mark.sqlite_only
def test_status_answers_json_when_the_ledger_cannot_be_read(env) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    cfg_path, config, _factory = env
    (config.inbox / "R001" / "waiting.xlsx").write_bytes(b"x")
    ledger = config.state_root / "ledger.sqlite"
    for extra in config.state_root.glob("ledger.sqlite-*"):
        extra.unlink()
    ledger.write_bytes(b"not a database " * 500)  # a damaged file
    res = subprocess.run(
        [sys.executable, "-m", "automation", "--config", str(cfg_path), "status", "--json"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "Traceback" not in res.stderr, res.stderr
    data = json.loads(res.stdout)
    assert res.returncode == 1  # the watcher is not running: still the status's own exit code
    assert (
        set(data) >= KEYS
        and "cannot be read" in data["ledger_problem"]
        and "DatabaseError" in data["ledger_problem"]
    )
    assert data["backlog"]["files"] == 1 and data["counts"]["total"]["accepted"] == 0
    text = subprocess.run(
        [sys.executable, "-m", "automation", "--config", str(cfg_path), "status"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert "Traceback" not in text.stderr and "LEDGER UNREACHABLE" in text.stdout, text.stdout + text.stderr
