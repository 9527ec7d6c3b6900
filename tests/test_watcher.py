"""The folder watcher with real files, a real ledger and real processes (SPEC: issue 4 "Must hold").

In-process tests run a :class:`Watcher` in a thread with the real pipeline; where a test needs a
fault or a slow file, the ``process`` it injects wraps the real ``pipeline.process``. Process-level
tests run ``python -m automation --config ... watch`` and send it signals.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from automation.core.formspec import load_specs
from automation.core.noise import inbox_folder
from automation.watch import AlreadyRunning, Watcher, is_noise_name
from automation.watch.state import read_heartbeat
from tests.formfactory import FormFactory, audit, install, ledger_rows, sha

# SQLite only: what this module checks does not depend on the ledger's engine; PostgreSQL runs
# the ledger, pipeline, mail, status and figures modules, real watchers (tests/test_multisite.py)
# and the workbooks cell by cell (tests/test_engines_equal.py). Keeps CI under 10 minutes.

DAY = date(2026, 11, 23)
NOISE_NAMES = [
    "~$日报.xlsx",
    ".~lock.日报.xlsx#",
    "~WRL0001.tmp",
    "lu12345abc.tmp",
    ".hidden.xlsx",
    ".DS_Store",
    "desktop.ini",
    "Desktop.ini",
    "Thumbs.db",
    "A1B2C3D4",
    "0f3e9a7c",
    "报表.xlsx.crdownload",
]


def wait_for(pred: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Recorder:
    """A ``process`` that records each call and hands it to the real pipeline (optionally failing
    or slowing down for chosen files)."""

    def __init__(self, fail: Callable[[Path], bool] = lambda p: False, delay: float = 0.0):
        from automation.pipeline import process

        self._process = process
        self.calls: list[tuple[str, str]] = []
        self.fail = fail
        self.delay = delay
        self.lock = threading.Lock()

    def __call__(self, path: Path, config: Any, **kw: Any) -> Any:
        with self.lock:
            self.calls.append((path.name, sha(path.read_bytes()) if path.exists() else ""))
        if self.fail(path):
            raise RuntimeError(f"injected failure for {path.name}")
        time.sleep(self.delay)
        return self._process(path, config, **kw)


@contextmanager
def running(watcher: Watcher) -> Iterator[Watcher]:
    """Run the watcher in a thread; always stop it and fail if its threads do not end."""
    errors: list[BaseException] = []

    def target() -> None:
        try:
            watcher.run(install_signals=False)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target, name="test-watcher")
    thread.start()
    try:
        wait_for(lambda: watcher._state == "running" or errors, 20, "the watcher to start")
        yield watcher
    finally:
        watcher.stop()
        thread.join(30)
        assert not thread.is_alive(), "watcher thread leaked"
        if errors:
            raise errors[0]
    names = {t.name for t in threading.enumerate()}
    assert "salesflow-worker" not in names, "worker thread leaked"


@pytest.fixture
def inst(tmp_path: Path) -> tuple[Path, Any, FormFactory]:
    """A fresh installation whose reps' customers are in the ledger (registers processed)."""
    from automation.ledger import open_ledger
    from automation.pipeline import process

    cfg_path, config = install(tmp_path)
    factory = FormFactory(config, load_specs(config))
    with open_ledger(config) as ledger:
        for rep in config.reps:
            path = factory.register(rep.id).drop(config.inbox)
            outcome = process(path, config, ledger=ledger, folder=rep.id)
            assert outcome.status == "accepted", (rep.id, outcome.messages)
    return cfg_path, config, factory


def submissions(config: Any) -> list[tuple[str, str]]:
    return [
        (s, st)
        for s, st in ledger_rows(
            config, "SELECT sha256, status FROM submissions WHERE form != 'customer_register'"
        )
    ]


# ----- noise ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", NOISE_NAMES)
def test_noise_names(name: str) -> None:
    assert is_noise_name(name)


@pytest.mark.parametrize(
    "name", ["日报_R001_20261123.xlsx", "plan.XLSX", "report.csv", "A1B2C3D4.xlsx", "ABCDEFGH", "report"]
)
def test_form_names_are_not_noise(name: str) -> None:
    assert not is_noise_name(name)


def test_only_files_directly_in_a_folder_are_forms(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    assert inbox_folder(inbox / "R001" / "a.xlsx", inbox) == "R001"
    assert inbox_folder(inbox / "a.xlsx", inbox) is None
    assert inbox_folder(inbox / "R001" / "drafts" / "a.xlsx", inbox) is None
    assert inbox_folder(inbox / ".sync" / "a.xlsx", inbox) is None
    assert inbox_folder(tmp_path / "elsewhere" / "R001" / "a.xlsx", inbox) is None


def test_every_noise_file_is_ignored(inst: tuple[Path, Any, FormFactory], tmp_path: Path) -> None:
    cfg_path, config, factory = inst
    real = factory.visit_report("R001", DAY, seed=1)
    real.drop(config.inbox)
    folder = config.inbox / "R001"
    # Noise with a valid form's bytes, so only the name keeps it from being processed.
    noise = [folder / n for n in NOISE_NAMES]
    noise += [folder / "drafts" / "draft.xlsx", config.inbox / "misplaced.xlsx"]
    for i, p in enumerate(noise):
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(factory.visit_report("R002", DAY, seed=100 + i).data)
    outside = tmp_path / "outside.xlsx"
    outside.write_bytes(factory.visit_report("R003", DAY, seed=200).data)
    (folder / "link.xlsx").symlink_to(outside)
    before = {p: p.read_bytes() for p in noise}

    rec = Recorder()
    summary = Watcher(config, process=rec).run(once=True, install_signals=False)

    assert [c[0] for c in rec.calls] == [real.name]
    assert summary.counts["accepted"] == 1
    assert [s for s, _ in submissions(config)] == [sha(real.data)]
    assert {p: p.read_bytes() for p in noise} == before, "noise must be left exactly as it was"
    assert (folder / "link.xlsx").is_symlink() and outside.exists()


# ----- readiness ---------------------------------------------------------------------------------


def test_slow_write_is_read_once_complete(inst: tuple[Path, Any, FormFactory]) -> None:
    _, config, factory = inst
    config.watcher.settle_seconds = 1.0
    form = factory.visit_report("R004", DAY, seed=7, n_rows=40)
    rec = Recorder()
    path = config.inbox / "R004" / form.name
    chunks = 20
    step = len(form.data) // chunks + 1
    with running(Watcher(config, process=rec)) as w:
        start = time.monotonic()
        with open(path, "wb") as fh:
            for i in range(chunks):
                fh.write(form.data[i * step : (i + 1) * step])
                fh.flush()
                time.sleep(0.26)  # 20 pauses of 0.26 s: over 5 s, each shorter than the settle time
        assert time.monotonic() - start >= 5
        wait_for(lambda: w.summary.counts["accepted"] == 1, 20, "the slow file to be accepted")
        time.sleep(1.5)
    assert rec.calls == [(form.name, sha(form.data))], "read once, and only when complete"
    result = audit(config, [form])
    assert result.clean and result.accepted == 1, result


def test_stalled_copy_of_a_workbook_waits_for_its_end(inst: tuple[Path, Any, FormFactory]) -> None:
    """A copy that stalls longer than the settle time (SMB hiccup): a half .xlsx lacks the zip end
    record, so it is not handed over until the rest arrives."""
    _, config, factory = inst
    config.watcher.settle_seconds = 0.2
    form = factory.visit_report("R007", DAY, seed=21, n_rows=30)
    rec = Recorder()
    path = config.inbox / "R007" / form.name
    with running(Watcher(config, process=rec)) as w:
        with open(path, "wb") as fh:
            fh.write(form.data[: len(form.data) // 2])
            fh.flush()
            time.sleep(1.5)  # 7 settle times without a change
            assert rec.calls == []
            fh.write(form.data[len(form.data) // 2 :])
        wait_for(lambda: w.summary.counts["accepted"] == 1, 20, "the completed copy")
    assert rec.calls == [(form.name, sha(form.data))]


@pytest.mark.parametrize("variant", ["wrl-temp", "hex-temp"])
def test_excel_save_sequence_yields_one_submission(inst: tuple[Path, Any, FormFactory], variant: str) -> None:
    _, config, factory = inst
    config.watcher.settle_seconds = 1.0
    first = factory.visit_report("R005", DAY, seed=11)
    saved = factory.visit_report("R005", DAY, seed=12)  # the version Excel ends up saving
    folder = config.inbox / "R005"
    target = folder / first.name
    rec = Recorder()
    with running(Watcher(config, process=rec)) as w:
        target.write_bytes(first.data)
        time.sleep(0.3)
        if variant == "wrl-temp":  # as described for Word/Excel: temp, delete original, rename
            (folder / "~WRL0001.tmp").write_bytes(saved.data)
            time.sleep(0.3)
            target.unlink()
            time.sleep(0.2)
            (folder / "~WRL0001.tmp").rename(target)
        else:  # Excel on Windows: 8-hex temp, original -> ~WRL backup, temp -> original, drop backup
            (folder / "5E3F1A2B").write_bytes(saved.data)
            time.sleep(0.3)
            target.rename(folder / "~WRL0003.tmp")
            (folder / "5E3F1A2B").rename(target)
            time.sleep(0.2)
            (folder / "~WRL0003.tmp").unlink()
        wait_for(lambda: w.summary.counts["accepted"] >= 1, 20, "the saved form")
        time.sleep(1.5)
    assert rec.calls == [(first.name, sha(saved.data))]
    assert submissions(config) == [(sha(saved.data), "accepted")]
    assert not any(folder.iterdir()), "inbox folder empty: temp files gone, form archived"


# ----- faults --------------------------------------------------------------------------------------


def test_injected_failure_leaves_the_rest_processed(inst: tuple[Path, Any, FormFactory]) -> None:
    _, config, factory = inst
    forms = factory.many(12, end=DAY)
    bad = forms[5]
    rec = Recorder(fail=lambda p: p.name == bad.name and p.parent.name == bad.rep_id)
    for f in forms:
        f.drop(config.inbox)
    watcher = Watcher(config, process=rec, retry_backoff=0.05)
    summary = watcher.run(once=True, install_signals=False)

    assert summary.counts["accepted"] == 11
    assert summary.quarantined == [f"{bad.rep_id}/{bad.name}"]
    assert summary.exit_code == 1
    assert Counter(c[0] for c in rec.calls)[bad.name] == 1 + config.watcher.retries
    result = audit(config, [f for f in forms if f is not bad])
    assert result.clean and result.accepted == 11, result
    # The user's file is kept safe: untouched in the inbox, and copied with a reason.
    assert (config.inbox / bad.rep_id / bad.name).read_bytes() == bad.data
    qdir = config.state_root / "quarantine"
    copies = [p for p in qdir.iterdir() if p.suffix != ".json"]
    assert [p.read_bytes() for p in copies] == [bad.data]
    reason = json.loads(next(qdir.glob("*.json")).read_text(encoding="utf-8"))
    assert "injected failure" in reason["reason"] and reason["attempts"] == 1 + config.watcher.retries
    assert read_heartbeat(config.state_root)["quarantined"] == summary.quarantined


def test_dead_observer_is_restarted(inst: tuple[Path, Any, FormFactory]) -> None:
    _, config, factory = inst
    config.watcher.reconcile_seconds = 3600  # only events (or the restart's rescan) can find the file
    form = factory.visit_plan("R006", DAY, seed=3)
    with running(Watcher(config, process=Recorder())) as w:
        w.observer._observer.stop()  # the observer thread dies
        wait_for(lambda: w.observer.restarts == 1 and w.observer.alive(), 10, "the observer restart")
        form.drop(config.inbox)
        wait_for(lambda: w.summary.counts["accepted"] == 1, 20, "the form seen by the new observer")
    assert read_heartbeat(config.state_root)["observer_restarts"] == 1


def test_burst_is_one_batch(inst: tuple[Path, Any, FormFactory]) -> None:
    _, config, factory = inst
    batches: list[int] = []
    forms = factory.many(15, end=DAY)
    with running(Watcher(config, process=Recorder(), on_batch_done=lambda b: batches.append(len(b)))) as w:
        for f in forms:
            f.drop(config.inbox)
        wait_for(lambda: batches, 30, "the batch hook")
        time.sleep(1.5)
        assert w.summary.counts["accepted"] == 15
    assert batches == [15]


# ----- one process, signals, CLI ---------------------------------------------------------------------


def _watch(cfg_path: Path, *args: str, script: Path | None = None) -> subprocess.Popen[str]:
    cmd = (
        [sys.executable, str(script), str(cfg_path)]
        if script
        else [sys.executable, "-m", "automation", "--config", str(cfg_path), "watch", *args]
    )
    return subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ}
    )


def _heartbeat(config: Any, pid: int, state: str = "running") -> dict[str, Any] | None:
    hb = read_heartbeat(config.state_root)
    return hb if hb and hb["pid"] == pid and hb["state"] == state else None


def test_lock_refuses_a_second_watcher(inst: tuple[Path, Any, FormFactory]) -> None:
    cfg_path, config, _ = inst
    first = _watch(cfg_path)
    try:
        wait_for(lambda: _heartbeat(config, first.pid), 30, "the first watcher")
        second = subprocess.run(
            [sys.executable, "-m", "automation", "--config", str(cfg_path), "watch", "--once"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert second.returncode == 3
        assert "already running" in second.stderr and f"pid {first.pid}" in second.stderr
        with pytest.raises(AlreadyRunning):
            Watcher(config).run(once=True, install_signals=False)
    finally:
        first.send_signal(signal.SIGTERM)
        out, err = first.communicate(timeout=30)
    assert first.returncode == 0, err
    assert _heartbeat(config, first.pid, "stopped")


def test_sigterm_finishes_the_current_file(inst: tuple[Path, Any, FormFactory], tmp_path: Path) -> None:
    cfg_path, config, factory = inst
    script = tmp_path / "slow_watch.py"
    script.write_text(
        "import sys, time\n"
        "from automation.core.config import load_config\n"
        "from automation.pipeline import process\n"
        "from automation.watch import Watcher\n"
        "def slow(path, config, **kw):\n"
        "    print('START', path.parent.name + '/' + path.name, flush=True)\n"
        "    time.sleep(1.5)\n"
        "    outcome = process(path, config, **kw)\n"
        "    print('END', path.parent.name + '/' + path.name, outcome.status, flush=True)\n"
        "    return outcome\n"
        "sys.exit(Watcher(load_config(sys.argv[1]), process=slow).run().exit_code)\n",
        encoding="utf-8",
    )
    forms = factory.many(4, end=DAY)
    proc = _watch(cfg_path, script=script)
    try:
        wait_for(lambda: _heartbeat(config, proc.pid), 30, "the watcher")
        for f in forms:
            f.drop(config.inbox)
        assert proc.stdout is not None
        first = proc.stdout.readline().split()
        assert first[0] == "START", first
        proc.send_signal(signal.SIGTERM)  # while the first file sleeps in "processing"
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    lines = [line.split() for line in out.splitlines()]
    assert lines == [["END", first[1], "accepted"]], "the current file finished, and nothing else started"
    done = [f for f in forms if f"{f.rep_id}/{f.name}" == first[1]]
    result = audit(config, done)
    assert len(done) == 1 and result.clean and result.accepted == 1, result
    assert len(submissions(config)) == 1
    for f in forms:
        if f not in done:
            assert (config.inbox / f.rep_id / f.name).read_bytes() == f.data
    assert _heartbeat(config, proc.pid, "stopped")


def test_watch_once_catches_up_and_logs(inst: tuple[Path, Any, FormFactory]) -> None:
    cfg_path, config, factory = inst
    forms = factory.many(6, end=DAY)
    for f in forms:
        f.drop(config.inbox)
    res = subprocess.run(
        [sys.executable, "-m", "automation", "--config", str(cfg_path), "watch", "--once"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    assert "accepted 6" in res.stdout
    assert res.stdout.count("accepted R0") == 6
    assert res.stdout.count("batch done") == 1, "one consolidation mark for the whole backlog"
    result = audit(config, forms)
    assert result.clean and result.accepted == 6, result
    log = (config.state_root / "logs" / "salesflow.log").read_text(encoding="utf-8")
    assert log.count("accepted R0") == 6
    hb = read_heartbeat(config.state_root)
    assert hb["state"] == "stopped" and hb["counts"]["accepted"] == 6 and hb["backlog"] == 0


def test_audit_catches_lost_double_and_leftover(inst: tuple[Path, Any, FormFactory]) -> None:
    """The crash and flood tests trust :func:`audit`; it must see each kind of failure."""
    _, config, factory = inst
    kept, never_dropped = factory.many(2, end=DAY)
    kept.drop(config.inbox)
    assert Watcher(config, process=Recorder()).run(once=True, install_signals=False).counts["accepted"] == 1
    assert audit(config, [kept]).clean
    lost = audit(config, [kept, never_dropped])
    assert len(lost.lost) == 2 and not lost.clean  # neither on disk nor in the ledger
    kept.drop(config.inbox)  # the same file again in the inbox: two places, and left over
    again = audit(config, [kept])
    assert again.in_inbox and again.double and not again.clean
