"""The read-ahead process only saves time: a flood gives the same outcomes, rows and files with it
as without it, a file changed after it was read ahead is not recorded stale, and a read-ahead
process that dies (or whose parent dies) costs nothing."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from automation.demo.generator import generate, read_manifest
from automation.ledger import open_ledger
from automation.pipeline import process_batch
from automation.pipeline.flood import read_ahead
from tests.formfactory import install, ledger_rows

END = date(2026, 11, 23)
TABLES = {
    "submissions": "SELECT sha256, source, status, form, rep_id, period_key, error_count, messages, "
    "archive_path, feedback_path, received_at FROM submissions ORDER BY id",
    "visit_reports": "SELECT * FROM visit_reports ORDER BY id",
    "visit_plans": "SELECT * FROM visit_plans ORDER BY id",
    "market_reports": "SELECT * FROM market_reports ORDER BY id",
    "customers": "SELECT * FROM customers ORDER BY customer_id",
    "complaints": "SELECT * FROM complaints ORDER BY complaint_id",
}


@pytest.fixture(scope="module")
def company(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[dict[str, Any]]]:
    """The small demo company's drops (every format and language, rejected, duplicate, noise)."""
    out = tmp_path_factory.mktemp("company")
    res = generate(out, "small", seed=7, end=END)
    return res.drops, read_manifest(res.manifest_path)


def _dropped(root: Path, drops: Path, entries: list[dict[str, Any]]) -> tuple[Any, list[tuple[Path, str]]]:
    """A fresh installation under ``root`` with ``entries`` in its inbox, as (path, folder) items."""
    _, config = install(root)
    items = []
    for e in entries:
        dst = config.inbox / e["path"]
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(drops / e["path"], dst)  # keeps the mtime: the received time
        items.append((dst, e["folder"]))
    return config, items


def _flood(root: Path, drops: Path, entries: list[dict[str, Any]], *, ahead: bool, monkeypatch: Any) -> Any:
    monkeypatch.setenv("SALESFLOW_READ_AHEAD", "1" if ahead else "0")
    root.mkdir()
    config, items = _dropped(root, drops, entries)
    with open_ledger(config) as ledger:
        outs = process_batch(items, config, ledger=ledger)
    return config, outs


def _used(monkeypatch: Any) -> dict[str, int]:
    """Count the answers the batch took from the read-ahead process, and the feedback workbooks it
    staged (a spy, not a stand-in)."""
    seen = {"parsed": 0, "plain": 0, "feedback": 0}
    take = read_ahead.ReadAhead.take
    staged = read_ahead.ReadAhead.staged

    def counting_staged(self: read_ahead.ReadAhead, tickets: list[int], *args: Any) -> set[int]:
        done = staged(self, tickets, *args)
        seen["feedback"] += len(done)
        return done

    def counting(self: read_ahead.ReadAhead, path: Path) -> Any:
        answer = take(self, path)
        seen["parsed" if answer is not None and answer.parsed is not None else "plain"] += 1
        return answer

    monkeypatch.setattr(read_ahead.ReadAhead, "take", counting)
    monkeypatch.setattr(read_ahead.ReadAhead, "staged", counting_staged)
    return seen


@pytest.mark.slow
def test_a_flood_read_ahead_gives_the_outcomes_rows_and_files_of_the_plain_path(
    company: tuple[Path, list[dict[str, Any]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drops, entries = company
    seen = _used(monkeypatch)
    plain_cfg, plain = _flood(tmp_path / "plain", drops, entries, ahead=False, monkeypatch=monkeypatch)
    assert seen["parsed"] == 0
    fast_cfg, fast = _flood(tmp_path / "ahead", drops, entries, ahead=True, monkeypatch=monkeypatch)
    assert seen["parsed"] > len(entries) // 2, seen  # the second process really did the reading

    def view(outs: list[Any], config: Any) -> list[tuple[Any, ...]]:
        return [
            (o.status, o.reason, o.messages, o.archived_to and o.archived_to.relative_to(config.shared_root))
            for o in outs
        ]

    assert view(fast, fast_cfg) == view(plain, plain_cfg)
    assert {o.status for o in fast} >= {"accepted", "rejected", "duplicate", "ignored"}
    for name, query in TABLES.items():
        assert ledger_rows(fast_cfg, query) == ledger_rows(plain_cfg, query), name

    def files(config: Any) -> list[str]:
        return sorted(
            p.relative_to(config.shared_root).as_posix() for p in config.shared_root.rglob("*") if p.is_file()
        )

    assert files(fast_cfg) == files(plain_cfg)
    feedback = [f for f in files(plain_cfg) if f.endswith((".反馈.xlsx", ".feedback.xlsx"))]
    assert feedback, "no rejected form in the sample: feedback written ahead was not tested"
    for name in feedback:  # written by the read-ahead process, the same workbook
        assert _cells(fast_cfg.shared_root / name) == _cells(plain_cfg.shared_root / name), name
    # most by the child; the ones while it was starting or behind by the recorder (timing-dependent)
    assert 0 < seen["feedback"] <= len(feedback)


def _cells(path: Path) -> list[Any]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    return [(name, wb.get_sheet_by_name(name).to_python()) for name in wb.sheet_names]


def test_a_file_changed_after_it_was_read_ahead_is_read_again_not_recorded_stale(
    company: tuple[Path, list[dict[str, Any]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drops, entries = company
    forms = entries[:60]  # the first registers, then a day's forms
    monkeypatch.setenv("SALESFLOW_READ_AHEAD", "1")
    config, items = _dropped(tmp_path, drops, forms)
    at = next(i for i, e in enumerate(forms) if i >= 30 and e["expected"] == "accepted")
    victim = items[at][0]
    take = read_ahead.ReadAhead.take
    stale: list[Any] = []

    def edit_after_reading(self: read_ahead.ReadAhead, path: Path) -> Any:
        answer = take(self, path)
        if path == victim and answer is not None:  # the rep saves again after our read
            stale.append(answer)
            path.write_bytes(path.read_bytes() + b"\0")
        return answer

    monkeypatch.setattr(read_ahead.ReadAhead, "take", edit_after_reading)
    with open_ledger(config) as ledger:
        outs = process_batch(items, config, ledger=ledger)
    assert stale, "the edited file was not read ahead: the test did not test anything"
    out = outs[at]
    assert out.status == "ignored" and "changed" in out.reason
    assert victim.exists()  # left for the next look
    recorded = {s for (s,) in ledger_rows(config, "SELECT sha256 FROM submissions")}
    assert stale[0].stored.sha256 not in recorded  # the bytes read ahead were never counted
    expected = [e["expected"] for e in forms]
    assert [o.status for i, o in enumerate(outs) if i != at] == expected[:at] + expected[at + 1 :]


def test_the_batch_finishes_alone_when_the_read_ahead_process_dies(
    company: tuple[Path, list[dict[str, Any]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drops, entries = company
    forms = entries[:60]
    monkeypatch.setenv("SALESFLOW_READ_AHEAD", "1")
    config, items = _dropped(tmp_path, drops, forms)
    take = read_ahead.ReadAhead.take
    calls = {"n": 0}

    def kill_midway(self: read_ahead.ReadAhead, path: Path) -> Any:
        calls["n"] += 1
        if calls["n"] == 10:
            self._proc.kill()
            self._proc.wait()
        return take(self, path)

    monkeypatch.setattr(read_ahead.ReadAhead, "take", kill_midway)
    with open_ledger(config) as ledger:
        outs = process_batch(items, config, ledger=ledger)
    assert calls["n"] >= 10
    assert [o.status for o in outs] == [e["expected"] for e in forms]
    counted = sum(e["expected"] != "ignored" for e in forms)
    assert ledger_rows(config, "SELECT count(*) FROM submissions") == [(counted,)]
    assert read_ahead.shared() is not None  # the next batch starts a new one


@pytest.mark.slow
def test_a_hung_read_ahead_process_costs_bounded_time_and_nothing_else(
    company: tuple[Path, list[dict[str, Any]]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGSTOP the child mid-batch: the recorder never blocks on the pipe, takes over the files,
    and writes the feedback it was waiting for itself once the (shortened) wait is over."""
    drops, entries = company
    forms = entries[:80]
    assert any(e["expected"] == "rejected" for e in forms[20:])
    monkeypatch.setenv("SALESFLOW_READ_AHEAD", "1")
    monkeypatch.setattr(read_ahead, "FEEDBACK_SECONDS", 2.0)
    config, items = _dropped(tmp_path, drops, forms)
    take = read_ahead.ReadAhead.take
    calls = {"n": 0, "pid": 0}

    def stop_midway(self: read_ahead.ReadAhead, path: Path) -> Any:
        calls["n"] += 1
        if calls["n"] == 15:
            calls["pid"] = self._proc.pid
            os.kill(self._proc.pid, signal.SIGSTOP)
        return take(self, path)

    monkeypatch.setattr(read_ahead.ReadAhead, "take", stop_midway)
    t0 = time.monotonic()
    try:
        with open_ledger(config) as ledger:
            outs = process_batch(items, config, ledger=ledger)
    finally:
        if calls["pid"]:
            with contextlib.suppress(ProcessLookupError):  # ended by the recorder meanwhile
                os.kill(calls["pid"], signal.SIGCONT)
        read_ahead.close_shared()
    assert calls["pid"], "the child was never stopped: the test did not test anything"
    assert time.monotonic() - t0 < 40  # 65 files x 50 ms of waiting at most, plus the feedback wait
    assert [o.status for o in outs] == [e["expected"] for e in forms]
    rejected = [o for o in outs if o.status == "rejected"]
    assert rejected and all(o.feedback is not None and o.feedback.exists() for o in rejected)


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting for whoever adopted it to reap it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
@pytest.mark.slow
def test_the_read_ahead_process_ends_when_its_parent_is_killed(tmp_path: Path) -> None:
    script = (
        "import sys, time\n"
        "from automation.pipeline.flood import read_ahead\n"
        "ra = read_ahead.shared()\n"
        "print(ra._proc.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    root = Path(__file__).resolve().parents[1]
    parent = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        cwd=root,
        text=True,
        env=os.environ | {"PYTHONPATH": str(root)},
    )
    assert parent.stdout is not None
    child = int(parent.stdout.readline())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if not _running(child):
            break
        time.sleep(0.05)
    else:
        os.kill(child, signal.SIGKILL)
        pytest.fail("the read-ahead process outlived its parent by 10 s")
