"""``pipeline.process_batch``: many files, one ledger commit per chunk, the guarantees of ``process``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from automation.core.formspec import load_specs
from automation.ledger import open_ledger
from automation.pipeline import process, process_batch
from automation.pipeline.flood import batch as pipeline_batch
from tests.formfactory import FormFactory, audit, install, ledger_rows

DAY = date(2026, 11, 23)
pytestmark = pytest.mark.usefixtures("db")  # SQLite and PostgreSQL (tests/conftest.py)


@pytest.fixture
def env(tmp_path: Path):  # type: ignore[no-untyped-def]
    """An installation where only R001 has registered its customers."""
    cfg_path, config = install(tmp_path)
    factory = FormFactory(config, load_specs(config))
    with open_ledger(config) as ledger:
        out = process(factory.register("R001").drop(config.inbox), config, ledger=ledger)
        assert out.status == "accepted", out.reason
        yield cfg_path, config, factory, ledger


def test_a_register_then_visit_reports_for_its_new_customers_in_one_batch_are_all_accepted(env) -> None:  # type: ignore[no-untyped-def]
    _, config, factory, ledger = env
    forms = [factory.register("R002")] + [
        factory.visit_report("R002", DAY - timedelta(days=d), seed=d) for d in range(3)
    ]
    forms += [factory.visit_report("R001", DAY, seed=9)]
    outs = process_batch([(f.drop(config.inbox), None) for f in forms], config, ledger=ledger)
    assert [o.status for o in outs] == ["accepted"] * len(forms), [o.messages for o in outs]
    assert all(
        not o.path.exists() and o.archived_to.read_bytes() == f.data for o, f in zip(outs, forms, strict=True)
    )
    assert len(ledger.frames().visits) == sum(len(f.rows) for f in forms[1:])
    assert all(r.filed_at is not None for r in ledger.submissions())
    assert not any((config.state_root / "staging").glob("*"))


def test_a_visit_report_received_before_the_register_does_not_see_it(env) -> None:  # type: ignore[no-untyped-def]
    """The control for the test above: validation sees what was received *earlier*, not later,
    whatever order the batch was given in (SPEC §2 Order)."""
    _, config, factory, ledger = env
    forms = [factory.register("R003"), factory.visit_report("R003", DAY)]
    paths = [f.drop(config.inbox) for f in forms]
    for path, hour in zip(paths, (18, 17), strict=True):  # the report came an hour before the register
        os.utime(path, (datetime(2026, 11, 23, hour).timestamp(),) * 2)
    outs = process_batch([(p, None) for p in paths], config, ledger=ledger)
    assert [o.status for o in outs] == ["accepted", "rejected"]  # in the order given
    assert outs[1].feedback is not None and outs[1].feedback.exists()
    assert outs[1].submission_id < outs[0].submission_id  # recorded first: received first


def test_duplicates_and_versions_inside_one_batch_behave_as_one_by_one(env) -> None:  # type: ignore[no-untyped-def]
    _, config, factory, ledger = env
    v1, v2 = factory.visit_report("R001", DAY, seed=0), factory.visit_report("R001", DAY, seed=1, n_rows=2)
    p2 = v2.drop(config.inbox, "v2.xlsx")  # the later version comes first in the batch
    os.utime(p2, (datetime(2026, 11, 23, 18).timestamp(),) * 2)
    p1 = v1.drop(config.inbox, "v1.xlsx")
    os.utime(p1, (datetime(2026, 11, 23, 17).timestamp(),) * 2)
    copy = v2.drop(config.inbox, "v2 副本.xlsx")  # copied in Explorer: the same modification time
    os.utime(copy, (datetime(2026, 11, 23, 18).timestamp(),) * 2)
    outs = process_batch([(copy, None), (p2, None), (p1, None)], config, ledger=ledger)
    outs = [outs[1], outs[2], outs[0]]  # v2, v1, the copy
    assert [o.status for o in outs] == [
        "accepted",
        "accepted",
        "duplicate",
    ]  # as process() says it, in received order
    assert ledger.submission(outs[1].submission_id).status == "superseded"
    assert ledger.submission(outs[1].submission_id).superseded_by == outs[0].submission_id  # by received time
    assert ledger.submission(outs[2].submission_id).duplicate_of == outs[0].submission_id
    assert len(ledger.frames().visits) == 2


def test_byte_identical_rejected_files_in_one_batch_each_get_their_own_feedback(env) -> None:  # type: ignore[no-untyped-def]
    """Staged by content alone, the second's workbook replaced the first's and the second got none
    (found by the demo company's drops in random batches, issue 13)."""
    _, config, factory, ledger = env
    data = factory.visit_report("R003", DAY).data  # R003 has no register: rejected
    paths = [config.inbox / "R003" / name for name in ("日报.xlsx", "日报 (1).xlsx")]
    for p in paths:
        p.write_bytes(data)
    outs = process_batch([(p, None) for p in paths], config, ledger=ledger)
    assert [o.status for o in outs] == ["rejected", "rejected"]
    for out, path in zip(outs, paths, strict=True):
        assert out.feedback is not None and out.feedback.exists(), out
        first = load_workbook(out.feedback, read_only=True).worksheets[0]
        assert path.name in str(next(first.iter_rows(max_row=1, values_only=True))[0])  # its own name
    assert not any((config.state_root / "staging").glob("*"))


def test_a_fault_on_one_file_fails_that_file_only(env, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _, config, factory, ledger = env
    forms = [factory.visit_report("R001", DAY - timedelta(days=d), seed=d) for d in range(3)]
    paths = [f.drop(config.inbox) for f in forms]
    from automation.pipeline import stages as pipeline  # stage 6 lives there, shared by both paths

    real = pipeline.check

    def flaky(sub: Any, *a: Any) -> Any:
        if sub.path and Path(sub.path).name == paths[1].name:
            raise RuntimeError("bug in validate")
        return real(sub, *a)

    monkeypatch.setattr(pipeline, "check", flaky)
    outs = process_batch([(p, None) for p in paths], config, ledger=ledger)
    assert [o.status for o in outs] == ["accepted", "failed", "accepted"]
    assert paths[1].exists() and "bug in validate" in outs[1].reason
    monkeypatch.undo()
    assert process_batch([(paths[1], None)], config, ledger=ledger)[0].status == "accepted"
    assert len(ledger.frames().visits) == sum(len(f.rows) for f in forms)


def test_a_fault_halfway_through_a_files_ledger_writes_undoes_that_file_and_nothing_else(
    env, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The batch has no per-file savepoint: a fault after some of a file's rows are written rolls
    the chunk back and does it again without that file. Nothing half-written, nothing counted twice."""
    _, config, factory, ledger = env
    forms = [factory.visit_report("R001", DAY - timedelta(days=d), seed=d) for d in range(4)]
    paths = [f.drop(config.inbox) for f in forms]
    from automation.ledger import recording, writers

    real = writers.apply_visit_report

    def half(a: Any) -> None:
        real(a)  # the rows are in the transaction...
        if a.sub.path and Path(a.sub.path).name == paths[2].name:
            raise RuntimeError("disk hiccup")  # ...then it fails

    monkeypatch.setitem(recording.APPLY, "visit_report", half)
    outs = process_batch([(p, None) for p in paths], config, ledger=ledger)
    assert [o.status for o in outs] == ["accepted", "accepted", "failed", "accepted"]
    assert paths[2].exists() and "disk hiccup" in outs[2].reason
    assert not any(p.exists() for i, p in enumerate(paths) if i != 2)
    expected = sum(len(f.rows) for i, f in enumerate(forms) if i != 2)
    assert len(ledger.frames().visits) == expected
    assert ledger_rows(config, "SELECT count(*) FROM visit_reports")[0][0] == expected  # no orphan rows
    monkeypatch.undo()
    assert process_batch([(paths[2], None)], config, ledger=ledger)[0].status == "accepted"
    assert len(ledger.frames().visits) == sum(len(f.rows) for f in forms)


def test_a_chunk_that_never_commits_leaves_no_customers_behind_in_the_directory(env, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The batch validates against its own uncommitted register; if the chunk never commits, the
    cached directory must not keep those customers, or a later visit report would be accepted
    for customers the ledger does not have."""
    _, config, factory, ledger = env
    register = factory.register("R002")
    reg_path = register.drop(config.inbox)
    fillers = [
        factory.visit_report("R001", DAY - timedelta(days=d), seed=d).drop(config.inbox) for d in range(2)
    ]

    def power_cut() -> None:
        raise OSError("power cut")

    monkeypatch.setattr(pipeline_batch.os, "sync", power_cut)
    outs = process_batch([(p, None) for p in [reg_path, *fillers]], config, ledger=ledger)
    assert {o.status for o in outs} == {"failed"} and reg_path.exists()
    monkeypatch.undo()
    report = factory.visit_report("R002", DAY, seed=5).drop(config.inbox)
    assert process(report, config, ledger=ledger).status == "rejected"  # R002 has no customers yet
    assert process_batch([(reg_path, None)], config, ledger=ledger)[0].status == "accepted"


def test_a_recorded_but_unfiled_file_is_finished_by_the_batch(env, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _, config, factory, ledger = env
    forms = [factory.visit_report("R001", DAY - timedelta(days=d), seed=d) for d in range(2)]
    paths = [f.drop(config.inbox) for f in forms]
    monkeypatch.setattr(pipeline_batch, "file_away", lambda *a, **k: (_ for _ in ()).throw(OSError("crash")))
    assert [o.status for o in process_batch([(p, None) for p in paths], config, ledger=ledger)] == [
        "failed"
    ] * 2
    monkeypatch.undo()
    assert all(p.exists() for p in paths)
    outs = process_batch([(p, None) for p in paths], config, ledger=ledger)
    assert [o.status for o in outs] == ["accepted", "accepted"] and not any(p.exists() for p in paths)
    assert ledger_rows(config, "SELECT count(*) FROM submissions WHERE form = 'visit_report'") == [(2,)]


def _stored(config: Any) -> int:
    return sum(1 for p in (config.state_root / "content").glob("??/*") if p.is_file())


def _archived(config: Any) -> int:
    return sum(1 for p in config.archive.rglob("*") if p.is_file()) if config.archive.exists() else 0


@pytest.mark.slow
def test_sigkill_mid_batch_then_a_rerun_loses_nothing_and_counts_nothing_twice(env) -> None:  # type: ignore[no-untyped-def]
    """``ingest`` (the batch path) killed before a chunk's commit, then while filing after it."""
    cfg_path, config, factory, _ledger = env
    registers = [factory.register(r.id) for r in config.reps if r.id != "R001"]
    forms = registers + factory.many(150, end=DAY)
    for f in forms:
        f.drop(config.inbox)
    cmd = [sys.executable, "-m", "automation", "--config", str(cfg_path), "ingest", str(config.inbox)]
    env_vars = {**os.environ, "SALESFLOW_NOW": "2026-11-23T21:00:00"}
    mark = {"stored": _stored(config), "archived": _archived(config)}
    windows = (  # (kill when, what the ledger must show then)
        (lambda: _stored(config) >= mark["stored"] + 40, lambda n, filed: n < _stored(config)),  # uncommitted
        (
            lambda: _archived(config) > mark["archived"],
            lambda n, filed: filed < n,
        ),  # committed, not all filed
    )
    for when, hit in windows:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env_vars)
        deadline = time.monotonic() + 120
        while not when() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL, "ingest finished before it could be killed"
        mark["archived"] = _archived(config)
        recorded, filed = ledger_rows(config, "SELECT count(*), count(filed_at) FROM submissions")[0]
        assert hit(recorded, filed), (_stored(config), recorded, filed)  # the kill came inside the batch
    assert any(config.inbox.glob("*/*.xlsx")), "nothing left for the rerun: the kills came too late"
    res = subprocess.run(cmd, capture_output=True, env=env_vars, timeout=300)
    assert res.returncode == 0, res.stderr.decode(errors="replace")[-2000:]
    result = audit(config, forms)
    assert result.clean, result
    assert result.accepted == len(forms) and not result.rejected


def test_a_ledger_that_cannot_write_fails_the_batch_and_keeps_every_file(env, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    _, config, factory, ledger = env
    forms = [factory.visit_report("R001", DAY - timedelta(days=d), seed=d) for d in range(3)]
    paths = [f.drop(config.inbox) for f in forms]

    def locked() -> Any:
        raise RuntimeError("database is locked")

    monkeypatch.setattr(ledger, "batch", locked)
    outs = process_batch([(p, None) for p in paths], config, ledger=ledger)
    assert [o.status for o in outs] == ["failed"] * 3 and all(p.exists() for p in paths)
    assert all("database is locked" in o.reason for o in outs)
    monkeypatch.undo()
    assert [o.status for o in process_batch([(p, None) for p in paths], config, ledger=ledger)] == [
        "accepted"
    ] * 3


def test_a_crash_before_the_commit_keeps_the_first_seen_time_of_a_future_mtime(env, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A share with a skewed clock: received = first sighting, which a rolled-back batch must not lose."""
    _, config, factory, ledger = env
    forms = [factory.visit_report("R001", DAY - timedelta(days=d), seed=d) for d in range(2)]
    paths = [f.drop(config.inbox) for f in forms]
    for p in paths:
        os.utime(p, (datetime(2026, 11, 24, 9).timestamp(),) * 2)  # mtime in the future
    monkeypatch.setenv("SALESFLOW_NOW", "2026-11-23T19:30:00")

    def power_cut() -> None:
        raise OSError("killed before the commit")

    monkeypatch.setattr(pipeline_batch.os, "sync", power_cut)
    assert [o.status for o in process_batch([(p, None) for p in paths], config, ledger=ledger)] == [
        "failed"
    ] * 2
    assert ledger_rows(config, "SELECT count(*) FROM submissions WHERE form = 'visit_report'") == [(0,)]
    monkeypatch.undo()
    monkeypatch.setenv("SALESFLOW_NOW", "2026-11-23T21:00:00")
    outs = process_batch([(p, None) for p in paths], config, ledger=ledger)
    assert [o.status for o in outs] == ["accepted"] * 2
    assert {ledger.submission(o.submission_id).received_at for o in outs} == {datetime(2026, 11, 23, 19, 30)}


def test_an_archive_folder_that_is_a_symlink_out_of_the_archive_is_never_written_through(
    env, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """The batch resolves each archive folder once and then trusts it for the chunk: a folder that
    is a symlink pointing elsewhere is refused for every file going there, not only the first."""
    _, config, factory, ledger = env
    day = date(2026, 10, 20)  # a month nothing else was filed in yet
    forms = [factory.visit_report("R001", day, seed=d) for d in range(3)]
    paths = [f.drop(config.inbox, f"r{d}.xlsx") for d, f in enumerate(forms)]
    stamp = datetime(2026, 10, 20, 19, 0).timestamp()
    for p in paths:
        os.utime(p, (stamp, stamp))  # received that evening: all three go to archive/R001/2026-10
    outside = tmp_path / "outside"
    outside.mkdir()
    (config.archive / "R001").mkdir(parents=True, exist_ok=True)
    (config.archive / "R001" / "2026-10").symlink_to(outside, target_is_directory=True)
    outs = process_batch([(p, None) for p in paths], config, ledger=ledger)
    assert [o.status for o in outs] == ["failed"] * 3, [o.reason for o in outs]
    assert all("refusing to write outside" in o.reason for o in outs)
    assert list(outside.iterdir()) == []  # nothing written through the link
    assert all(p.exists() for p in paths)  # the originals wait in the inbox (recorded, not filed)
