"""The watcher under crashes and floods, as real processes (issue 4 "Must hold").

- crash: forms keep arriving while ``python -m automation --config ... watch`` is SIGKILLed at
  random moments (at least :data:`KILLS` times) and restarted; afterwards every file lies in exactly
  one terminal place (archive or rejected, none left in the inbox) and the ledger holds exactly
  what the files hold: 0 lost, 0 double.
- flood: 2,000 forms dropped at once, with the native and with the polling observer.

The random generator is seeded, so a failure can be replayed; the seed is in the assertion message.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from automation.core.config import load_config
from automation.core.formspec import load_specs
from automation.watch.state import read_heartbeat
from tests.formfactory import Form, FormFactory, audit, install

DAY = date(2026, 11, 23)
CRASH_FORMS = 320
KILLS = 20
FLOOD = 2000
SEED = int(os.environ.get("SALESFLOW_CRASH_SEED", "20261123"))


def _watch(cfg_path: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "automation", "--config", str(cfg_path), "watch", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _running(config: Any, pid: int) -> dict[str, Any] | None:
    hb = read_heartbeat(config.state_root)
    return hb if hb and hb["pid"] == pid and hb["state"] == "running" else None


def _wait(pred: Any, timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = pred()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def _forms_in_inbox(config: Any) -> list[Path]:
    return [p for p in config.inbox.glob("*/*") if p.is_file() and not p.name.startswith(("~", "."))]


def _seed_customers(cfg_path: Path, config: Any, factory: FormFactory) -> list[Form]:
    """Each rep's customer register, processed by a ``watch --once`` run, so visit reports resolve."""
    registers = [factory.register(r.id) for r in config.reps]
    for f in registers:
        f.drop(config.inbox)
    res = subprocess.run(
        [sys.executable, "-m", "automation", "--config", str(cfg_path), "watch", "--once"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr
    return registers


def _finish(cfg_path: Path, config: Any, total: int, *args: str, timeout: float = 180) -> None:
    """Run a watcher until the inbox is empty and it has nothing left, then stop it with SIGTERM."""
    _drain_and_stop(_watch(cfg_path, *args), config, total, timeout)


def _drain_and_stop(proc: Any, config: Any, total: int, timeout: float) -> None:
    """Wait until ``proc``'s watcher has emptied the inbox and its backlog, then SIGTERM it (exit 0)."""
    try:
        _wait(
            lambda: not _forms_in_inbox(config) and (hb := _running(config, proc.pid)) and hb["backlog"] == 0,
            timeout,
            f"the inbox to drain ({len(_forms_in_inbox(config))} of {total} left)",
        )
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err.decode(errors="replace")


@pytest.fixture(scope="module")
def flood_forms() -> list[Form]:
    """2,000 distinct valid forms (bytes in memory), built once for both observers."""
    config = load_config(Path(__file__).resolve().parents[1] / "config.yaml")
    forms = FormFactory(config, load_specs(config)).many(FLOOD, end=DAY)
    assert len({f.data for f in forms}) == FLOOD
    return forms


@dataclass
class CrashRun:
    """What :func:`crash_run` did: its kills, how many found forms waiting, and the audit."""

    kills: int
    busy_kills: int
    forms: int
    seconds: float
    result: Any


def crash_run(root: Path, *, kills: int = KILLS, n_forms: int = CRASH_FORMS, seed: int = SEED) -> CrashRun:
    """Forms keep arriving while a watcher process is SIGKILLed at random moments ``kills`` times
    and started again; then a last watcher drains the inbox and the audit compares files and ledger.
    Shared by the CI test (20 kills) and ``benchmarks/bench_kill.py`` (200)."""
    rng = random.Random(seed)
    started = time.monotonic()
    cfg_path, config = install(root, settle_seconds=0.2, reconcile_seconds=1.0)
    factory = FormFactory(config, load_specs(config))
    registers = _seed_customers(cfg_path, config, factory)
    forms = factory.many(n_forms, end=DAY)

    done = busy_kills = 0
    stop = threading.Event()  # the kill loop failed: the dropper must not wait for kills that never come
    batch = 4
    per_kill = max(1, len(forms) // batch // kills)  # batches let in per kill

    def drop_all() -> None:
        """Forms keep arriving until the last kill, not only for its first seconds: a watcher that
        catches up quickly would otherwise be killed idle for most of the run."""
        for n, i in enumerate(range(0, len(forms), batch)):
            while done < n // per_kill - 1 and not stop.is_set():
                time.sleep(0.02)
            if stop.is_set():
                return
            for f in forms[i : i + batch]:
                f.drop(config.inbox)
            time.sleep(rng.uniform(0.05, 0.25))

    dropper = threading.Thread(target=drop_all, name="dropper")
    dropper.start()
    try:
        while done < kills or dropper.is_alive():
            proc = _watch(cfg_path)
            if done % 2:  # half the kills land at any moment after start (imports, catch-up, lock)
                time.sleep(rng.uniform(0.0, 1.2))
            else:  # half while it is running and has work
                _wait(
                    lambda p=proc: _running(config, p.pid) or p.poll() is not None, 30, "a watcher to start"
                )
                time.sleep(rng.uniform(0.05, 0.6))
            busy_kills += bool(_forms_in_inbox(config))
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
            assert proc.returncode == -signal.SIGKILL, (
                f"seed {seed}: watcher ended on its own: {proc.stderr.read()!r}"
            )
            done += 1
    except BaseException:
        stop.set()
        raise
    finally:
        dropper.join()
    _finish(cfg_path, config, len(forms))
    result = audit(config, registers + forms)
    return CrashRun(done, busy_kills, len(registers) + len(forms), time.monotonic() - started, result)


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing_and_counts_nothing_twice(tmp_path: Path) -> None:
    run = crash_run(tmp_path)
    assert run.kills >= KILLS and run.busy_kills >= KILLS // 2, run
    assert run.result.clean, f"seed {SEED}: {run.result}"
    assert not run.result.rejected, f"seed {SEED}: valid forms rejected: {run.result.rejected[:5]}"
    assert run.result.accepted == run.forms


@pytest.mark.slow
@pytest.mark.parametrize("observer", ["native", "polling"])
def test_flood_of_2000_forms(tmp_path: Path, flood_forms: list[Form], observer: str) -> None:
    cfg_path, config = install(tmp_path, settle_seconds=0.2, reconcile_seconds=30, poll_interval=0.5)
    factory = FormFactory(config, load_specs(config))
    registers = _seed_customers(cfg_path, config, factory)
    args = ("--poll",) if observer == "polling" else ()
    proc = _watch(cfg_path, *args)
    try:
        hb = _wait(lambda: _running(config, proc.pid), 30, "the watcher")
        assert hb["observer"] == observer
        for f in flood_forms:
            f.drop(config.inbox)
    except BaseException:
        proc.kill()
        raise
    _drain_and_stop(proc, config, len(flood_forms), 240)
    result = audit(config, registers + flood_forms)
    assert result.clean, result
    assert not result.rejected, result.rejected[:5]
    assert result.accepted == len(registers) + FLOOD
    hb = read_heartbeat(config.state_root)
    assert hb["counts"]["accepted"] == FLOOD and hb["state"] == "stopped"
