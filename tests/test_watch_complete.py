"""A file is read only when it is whole (issue 14, Deliver 3).

A copy that pauses longer than the settle time used to be read half-written: a CSV accepted with 4
of its 6 rows. Each evidence the watcher asks for is tested alone (the format's own end, a process
holding the file open for writing, the kernel's write events, a Windows sharing violation, a cloud
placeholder), then all of them in the Must-hold test: a CSV and an .xls copied by another process
with a 5 s pause mid-file, with a settle time of 1 s.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from automation.watch import Watcher
from automation.watch import complete as cp
from automation.watch.observe import InboxObserver
from automation.watch.settle import Settler
from tests.formfactory import FormFactory, as_format, audit, ledger_rows, sha
from tests.test_watcher import Recorder, running, wait_for
from tests.watch_env import seeded

DAY = date(2026, 11, 23)


@pytest.fixture
def inst(tmp_path: Path) -> tuple[Path, Any, FormFactory]:
    return seeded(tmp_path)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_each_format_knows_its_end(inst: tuple[Path, Any, FormFactory], tmp_path: Path) -> None:
    _, _, factory = inst
    form = factory.visit_report("R001", DAY, n_rows=40)
    xls, csv = as_format(form, "xls").data, as_format(form, "csv").data
    assert len(xls) > 4 * 512  # several sectors: cuts at a sector boundary are possible
    p = tmp_path / "f"
    for whole in (form.data, xls, csv, "a;b\r\n1;2\r\n".encode("utf-16"), b"%PDF-1.4 binary\x00\x01"):
        assert cp.incomplete(_write(p, whole), len(whole)) == "", whole[:8]
    for cut in (len(xls) - 512, len(xls) // 2 // 512 * 512, 1024, 700, len(xls) - 1000):
        assert cp.incomplete(_write(p, xls[:cut]), cut), f"xls cut at {cut}"
    assert cp.incomplete(_write(p, form.data[:-30]), len(form.data) - 30)  # zip end record cut
    mid_line = csv.index(b"\r\n", len(csv) // 2) - 3
    assert cp.incomplete(_write(p, csv[:mid_line]), mid_line)
    assert cp.incomplete(_write(p, b""), 0)


def _holder(path: Path, mode: str) -> subprocess.Popen[bytes]:
    """Another process that opens ``path`` (``mode``) and keeps it open until stdin closes."""
    code = f"import sys; f = open({str(path)!r}, {mode!r}); print('open', flush=True); sys.stdin.read()"
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline() == b"open\n"
    return proc


def test_a_process_holding_the_file_open_for_writing_is_seen(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", b"x\r\n")
    other = _write(tmp_path / "b.csv", b"y\r\n")
    writer, reader = _holder(path, "ab"), _holder(other, "rb")
    try:
        found = cp.writers([path, other])
        assert list(found) == [path] and found[path].startswith(f"pid {writer.pid} (python")
    finally:
        for proc in (writer, reader):
            proc.communicate(b"")
    assert cp.writers([path, other]) == {}


def test_the_kernel_reports_writes_not_closed_yet(tmp_path: Path) -> None:
    """The native observer's events (inotify) tell a file written and not closed: this covers
    writers whose processes we may not look into (Samba's smbd when the watcher is not root)."""
    tracker = cp.WriteTracker()
    obs = InboxObserver(tmp_path, queue.SimpleQueue(), poll=False, tracker=tracker)
    obs.start()
    try:
        path = tmp_path / "R001" / "x.csv"
        path.parent.mkdir()
        time.sleep(0.3)  # the new folder is watched
        with open(path, "wb") as fh:
            fh.write(b"a,b\r\n")
            fh.flush()
            wait_for(lambda: tracker.writing(path), 5, "the write event")
        wait_for(lambda: not tracker.writing(path), 5, "the close event")
    finally:
        obs.stop()


def test_a_sharing_violation_and_a_placeholder_wait(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows only (mocked: no Windows here): PermissionError winerror 32 on opening is a file
    still being written; OneDrive's recall-on-data-access attribute is a file not downloaded yet.
    A plain permission error is not "busy" (the pipeline meets it and the watcher waits on it)."""
    path = _write(tmp_path / "x.xlsx", b"PK")
    real_open, real_stat = open, os.stat

    class Violation(PermissionError):
        winerror = 32

    monkeypatch.setattr(cp.os, "name", "nt")
    monkeypatch.setattr("builtins.open", lambda *a, **k: (_ for _ in ()).throw(Violation(13, "used")))
    assert cp.busy(path) == cp.WRITING
    monkeypatch.setattr("builtins.open", lambda *a, **k: (_ for _ in ()).throw(PermissionError(13, "no")))
    assert cp.busy(path) == ""
    monkeypatch.setattr("builtins.open", real_open)

    class Stat:
        def __init__(self, st: os.stat_result) -> None:
            self._st = st
            self.st_file_attributes = cp.FILE_ATTRIBUTE_RECALL_ON_DATA_ACCESS

        def __getattr__(self, name: str) -> Any:
            return getattr(self._st, name)

    monkeypatch.setattr(cp.os, "stat", lambda p, *a, **k: Stat(real_stat(p, *a, **k)))
    assert cp.busy(path) == cp.NOT_DOWNLOADED


def test_a_stable_but_cut_file_waits_for_its_end_then_grace(tmp_path: Path) -> None:
    """No writer to see (the copy closed the file mid-line): the CSV waits; after the grace time
    it is handed over anyway (the pipeline then rejects it, with feedback)."""
    now = [0.0]
    settler = Settler(1.0, clock=lambda: now[0])
    path = _write(tmp_path / "x.csv", b"a,b\r\n1,")
    settler.hint(path)
    for t in (0.0, 2.0, 5.0):
        now[0] = t
        assert settler.ready() == []
    assert settler.waiting()[0][1] == "最后一行不完整 / last line not ended"
    now[0] = 5.0 + settler.grace
    assert settler.ready() == [path]


def _copy_with_pause(
    src: bytes, dest: Path, cut: int, pause: float, close_between: bool
) -> subprocess.Popen[bytes]:
    """Another process copies ``src`` to ``dest``: ``cut`` bytes, a pause, then the rest. With
    ``close_between`` it closes the file during the pause (reopened to append), so no process holds
    it and only the format's end can tell it is not whole."""
    code = textwrap.dedent(
        f"""
        import sys, time
        data = sys.stdin.buffer.read()
        f = open({str(dest)!r}, "wb"); f.write(data[:{cut}]); f.flush()
        if {close_between!r}:
            f.close()
        time.sleep({pause})
        if {close_between!r}:
            f = open({str(dest)!r}, "ab")
        f.write(data[{cut}:]); f.close()
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE)
    assert proc.stdin is not None
    proc.stdin.write(src)
    proc.stdin.close()
    return proc


def _rows_recorded(config: Any, digest: str) -> list[tuple[str, int]]:
    return ledger_rows(config, "SELECT status, row_count FROM submissions WHERE sha256 = ?", digest)


@pytest.mark.slow
def test_csv_and_xls_copied_with_a_5s_pause_are_recorded_once_complete(
    inst: tuple[Path, Any, FormFactory],
) -> None:
    """Must hold: another process copies a CSV and an .xls, each pausing 5 s mid-file (the file
    held open, as a copy over a stalled share does); the settle time is 1 s. Each is recorded once,
    with all its rows, and no shorter version was ever recorded."""
    _, config, factory = inst
    config.watcher.settle_seconds = 1.0
    csv = as_format(factory.visit_report("R002", DAY, seed=11, n_rows=30), "csv")
    xls = as_format(factory.visit_report("R003", DAY, seed=12, n_rows=30), "xls")
    rec = Recorder()
    with running(Watcher(config, process=rec)) as w:
        copies = [
            _copy_with_pause(f.data, config.inbox / f.rep_id / f.name, len(f.data) * 2 // 3, 5.0, False)
            for f in (csv, xls)
        ]
        time.sleep(3.0)  # three settle times into the pause
        waiting = {p.name: why for p, why, _ in w.settler.waiting()}
        for proc in copies:
            assert proc.wait(30) == 0
        wait_for(lambda: w.summary.counts["accepted"] == 2, 30, "both copies")
        time.sleep(1.5)
    assert set(waiting) == {csv.name, xls.name}, waiting  # listed as waiting, with why
    assert all(why.startswith(cp.WRITING) for why in waiting.values()), waiting
    assert sorted(rec.calls) == sorted([(csv.name, sha(csv.data)), (xls.name, sha(xls.data))])
    for f in (csv, xls):
        assert _rows_recorded(config, sha(f.data)) == [("accepted", 30)]
    assert ledger_rows(config, "SELECT count(*) FROM submissions WHERE form = 'visit_report'") == [(2,)]
    result = audit(config, [csv, xls])
    assert result.clean and result.accepted == 2, result


@pytest.mark.parametrize("fmt", ["csv", "xls"])
def test_a_copy_closed_mid_file_waits_for_its_end(inst: tuple[Path, Any, FormFactory], fmt: str) -> None:
    """The format alone: the copying process closes the file during its pause (nobody holds it),
    the cut lies mid-line (CSV) or at a sector boundary (.xls), the pause is 10 settle times."""
    _, config, factory = inst
    config.watcher.settle_seconds = 0.2
    form = as_format(factory.visit_report("R004", DAY, seed=13, n_rows=30), fmt)
    cut = (
        form.data.index(b"\r\n", len(form.data) // 2) - 2
        if fmt == "csv"
        else len(form.data) // 2 // 512 * 512
    )
    rec = Recorder()
    with running(Watcher(config, process=rec)) as w:
        proc = _copy_with_pause(form.data, config.inbox / "R004" / form.name, cut, 2.0, True)
        assert proc.wait(30) == 0
        wait_for(lambda: w.summary.counts["accepted"] == 1, 20, "the completed copy")
    assert rec.calls == [(form.name, sha(form.data))]
    assert _rows_recorded(config, sha(form.data)) == [("accepted", 30)]


def test_a_form_that_changes_after_it_was_recorded_is_kept_as_a_new_version(
    inst: tuple[Path, Any, FormFactory], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy went on after the pipeline had read and recorded the form, before it moved it: the
    recorded bytes are filed (from the content store), the new content stays in the inbox and is
    processed as a new version that supersedes the first. Nothing is lost; nothing counted twice."""
    from automation.ledger import open_ledger
    from automation.pipeline import stages as pipeline

    _, config, factory = inst
    short = factory.visit_report("R005", DAY, seed=14, n_rows=4)
    full = factory.visit_report("R005", DAY, seed=14, n_rows=6)
    path = short.drop(config.inbox, "日报.xlsx")
    real = pipeline.file_away

    def late_write(record: Any, p: Path, *a: Any, **k: Any) -> Any:
        if p == path and record.sha256 == sha(short.data):
            path.write_bytes(full.data)  # the rest of the copy arrives now
        return real(record, p, *a, **k)

    monkeypatch.setattr(pipeline, "file_away", late_write)
    with open_ledger(config) as ledger:
        first = pipeline.process(path, config, ledger=ledger, folder="R005")
        assert first.status == "accepted"
        assert path.read_bytes() == full.data  # left in the inbox
        assert (config.archive / "R005" / "2026-11" / "日报.xlsx").read_bytes() == short.data
        second = pipeline.process(path, config, ledger=ledger, folder="R005")
    assert second.status == "accepted" and not path.exists()
    rows = ledger_rows(
        config,
        "SELECT sha256, status, row_count FROM submissions WHERE rep_id = 'R005' AND form = 'visit_report'",
    )
    assert rows == [(sha(short.data), "superseded", 4), (sha(full.data), "accepted", 6)]
