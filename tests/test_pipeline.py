"""``pipeline.process`` on real files, a real ledger and a real content store (issue 4, deliverables 3 and 6)."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from automation.core.content_store import ContentStore
from automation.core.formspec import load_specs
from automation.ledger import open_ledger
from automation.pipeline import filing, paths, process
from automation.pipeline import stages as pipeline
from tests.formfactory import FormFactory, install, ledger_rows, sha

DAY = date(2026, 11, 23)
pytestmark = pytest.mark.usefixtures("db")  # SQLite and PostgreSQL (tests/conftest.py)


@pytest.fixture
def env(tmp_path: Path):  # type: ignore[no-untyped-def]
    """An installation whose reps R001 and R002 have registered their customers."""
    _cfg_path, config = install(tmp_path)
    factory = FormFactory(config, load_specs(config))
    with open_ledger(config) as ledger:
        for rep in ("R001", "R002"):
            out = process(factory.register(rep).drop(config.inbox), config, ledger=ledger)
            assert out.status == "accepted", out.reason
        yield config, factory, ledger


def rows(config: Any, sql: str) -> list[tuple[Any, ...]]:
    return ledger_rows(config, sql)


def crash_before_filing(path: Path, config: Any, ledger: Any) -> Any:
    """``process`` with a crash between the ledger commit and moving the original (stage 8)."""
    real = pipeline.file_away
    pipeline.file_away = lambda *a, **k: (_ for _ in ()).throw(OSError("crash"))  # type: ignore[assignment]
    try:
        return process(path, config, ledger=ledger)
    finally:
        pipeline.file_away = real  # type: ignore[assignment]


def test_accepted_form_is_archived_byte_for_byte_and_counted(env) -> None:  # type: ignore[no-untyped-def]
    config, factory, ledger = env
    form = factory.visit_report("R001", DAY)
    path = form.drop(config.inbox)
    os.utime(path, (datetime(2026, 11, 23, 17, 45).timestamp(),) * 2)
    out = process(path, config, ledger=ledger)
    assert out.status == "accepted", out.reason
    assert not path.exists()
    assert out.archived_to == config.archive / "R001" / "2026-11" / form.name
    assert out.archived_to.read_bytes() == form.data
    assert ContentStore(config.state_root / "content").read(sha(form.data)) == form.data
    rec = ledger.submission(out.submission_id)
    assert rec.received_at == datetime(2026, 11, 23, 17, 45)  # the mtime: earlier than first seen
    assert rec.filed_at is not None and rec.period_key == "2026-11-23"
    assert len(ledger.frames().visits) == len(form.rows)
    assert ("east", "2026-W48") in ledger.dirty_weeks()


def test_rejected_form_goes_to_rejected_with_its_feedback(env) -> None:  # type: ignore[no-untyped-def]
    config, factory, ledger = env
    form = factory.visit_report("R002", DAY)  # R002's report dropped into R001's folder: wrong folder
    path = config.inbox / "R001" / "wrong.xlsx"
    path.write_bytes(form.data)
    out = process(path, config, ledger=ledger)
    assert out.status == "rejected"
    assert out.archived_to == config.rejected / "R001" / "wrong.xlsx"
    assert out.archived_to.read_bytes() == form.data and not path.exists()
    assert out.feedback is not None and out.feedback.parent == out.archived_to.parent
    wb = openpyxl.load_workbook(out.feedback)
    assert len(wb.sheetnames) >= 1
    assert ledger.frames().visits.empty
    assert not any((config.state_root / "staging").glob(f"{sha(form.data)}*"))  # staged, then filed


def test_unreadable_file_is_rejected_with_feedback_not_failed(env) -> None:  # type: ignore[no-untyped-def]
    config, _factory, ledger = env
    path = config.inbox / "R001" / "notes.xlsx"
    path.write_text("this is not a workbook", encoding="utf-8")
    out = process(path, config, ledger=ledger)
    assert out.status == "rejected" and out.feedback is not None and out.feedback.exists()


def test_same_content_under_another_name_is_a_duplicate(env) -> None:  # type: ignore[no-untyped-def]
    config, factory, ledger = env
    form = factory.visit_report("R001", DAY)
    first = process(form.drop(config.inbox), config, ledger=ledger)
    second = process(form.drop(config.inbox, "日报 副本.xlsx"), config, ledger=ledger)
    assert (first.status, second.status) == ("accepted", "duplicate")
    assert ledger.submission(second.submission_id).duplicate_of == first.submission_id
    assert second.archived_to.read_bytes() == form.data and first.archived_to.exists()
    assert any("not counted twice" in m for m in second.messages)
    assert len(ledger.frames().visits) == len(form.rows)
    # dropped again under the very same name: still a duplicate, archived beside the first
    third = process(form.drop(config.inbox), config, ledger=ledger)
    assert third.status == "duplicate" and third.archived_to != first.archived_to
    assert third.archived_to.name == f"{Path(form.name).stem}_{third.submission_id}.xlsx"


def test_a_corrected_version_supersedes_the_first(env) -> None:  # type: ignore[no-untyped-def]
    config, factory, ledger = env
    v1, v2 = factory.visit_report("R001", DAY, seed=0), factory.visit_report("R001", DAY, seed=1, n_rows=2)
    p1 = v1.drop(config.inbox, "v1.xlsx")
    os.utime(p1, (datetime(2026, 11, 23, 17).timestamp(),) * 2)
    o1 = process(p1, config, ledger=ledger)
    p2 = v2.drop(config.inbox, "v2.xlsx")
    os.utime(p2, (datetime(2026, 11, 23, 18).timestamp(),) * 2)
    o2 = process(p2, config, ledger=ledger)
    assert (o1.status, o2.status) == ("accepted", "accepted")
    assert ledger.submission(o1.submission_id).superseded_by == o2.submission_id
    assert len(ledger.frames().visits) == 2
    assert any("replaces" in m for m in o2.messages)


# ----- crash anywhere, finished by the next run --------------------------------------------------
def _count(config: Any) -> list[tuple[Any, ...]]:
    return rows(
        config, "SELECT status, count(*) FROM submissions WHERE form = 'visit_report' GROUP BY status"
    )


def test_crash_after_the_transaction_is_finished_by_filing(env) -> None:  # type: ignore[no-untyped-def]
    config, factory, ledger = env
    form = factory.visit_report("R001", DAY)
    path = form.drop(config.inbox)
    # run stages 2-7 by hand and "crash" before stage 8
    stored = ContentStore(config.state_root / "content").put(path)
    source = paths.source_key(path, config)
    seen = ledger.sighting(stored.sha256, source, datetime(2026, 11, 23, 19))
    sub = pipeline.read(path, config, ledger.specs, "R001", seen)
    report = pipeline.check(sub, config, ledger.specs, ledger.directory(), seen)
    ledger.record(sub, valid=report.valid, error_count=0, warning_count=0, sha256=stored.sha256, source=source,
                  folder="R001", name=path.name, size=stored.size, first_seen=seen, received_at=seen)  # fmt: skip
    assert path.exists()
    out = process(path, config, ledger=ledger)
    assert out.status == "accepted" and not path.exists() and out.archived_to.read_bytes() == form.data
    assert _count(config) == [("accepted", 1)]
    assert len(ledger.frames().visits) == len(form.rows)


def test_crash_between_link_and_unlink_leaves_one_copy(env) -> None:  # type: ignore[no-untyped-def]
    config, factory, ledger = env
    form = factory.visit_report("R001", DAY)
    path = form.drop(config.inbox)
    calls: list[Path] = []
    real_place = filing.place

    def crashing_place(src: Path, target: Path, digest: str, *, keep_source: bool) -> Path:
        calls.append(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(src, target)  # the link is made ...
        raise OSError("power cut")  # ... and the machine dies before the unlink

    filing.place = crashing_place  # type: ignore[assignment]
    try:
        crashed = process(path, config, ledger=ledger)
    finally:
        filing.place = real_place  # type: ignore[assignment]
    assert crashed.status == "failed" and path.exists() and calls
    out = process(path, config, ledger=ledger)
    assert out.status == "accepted" and not path.exists()
    assert out.archived_to == calls[0] and out.archived_to.read_bytes() == form.data
    assert _count(config) == [("accepted", 1)]
    assert list((config.archive / "R001").rglob("日报*")) == [out.archived_to]


def test_crash_before_the_transaction_keeps_the_first_seen_time(env, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    config, factory, ledger = env
    form = factory.visit_report("R001", DAY)
    path = form.drop(config.inbox)
    os.utime(path, (datetime(2026, 11, 24, 9).timestamp(),) * 2)  # a clock-skewed share: mtime in the future
    monkeypatch.setenv("SALESFLOW_NOW", "2026-11-23T19:30:00")

    def boom(*a: Any, **k: Any) -> Any:
        raise RuntimeError("bug in validate")

    monkeypatch.setattr(pipeline, "check", boom)
    failed = process(path, config, ledger=ledger)
    assert failed.status == "failed" and "bug in validate" in failed.reason and path.exists()
    assert _count(config) == []
    monkeypatch.undo()
    monkeypatch.setenv("SALESFLOW_NOW", "2026-11-23T21:00:00")
    out = process(path, config, ledger=ledger)
    assert out.status == "accepted"
    assert ledger.submission(out.submission_id).received_at == datetime(2026, 11, 23, 19, 30)


def test_crash_after_a_rejection_still_delivers_the_feedback(env) -> None:  # type: ignore[no-untyped-def]
    config, factory, ledger = env
    path = config.inbox / "R001" / "bad.xlsx"
    path.write_bytes(factory.visit_report("R002", DAY).data)
    assert crash_before_filing(path, config, ledger).status == "failed"
    out = process(path, config, ledger=ledger)
    assert out.status == "rejected" and out.feedback is not None and out.feedback.exists()
    assert rows(config, "SELECT count(*) FROM submissions WHERE source = 'R001/bad.xlsx'") == [(1,)]


def test_crash_then_the_rep_saves_over_the_file_files_both_versions(env) -> None:  # type: ignore[no-untyped-def]
    config, factory, ledger = env
    v1, v2 = factory.visit_report("R001", DAY, seed=0), factory.visit_report("R001", DAY, seed=5)
    path = v1.drop(config.inbox, "日报.xlsx")
    assert crash_before_filing(path, config, ledger).status == "failed"
    path.write_bytes(v2.data)  # the rep corrects the form before the watcher comes back
    out = process(path, config, ledger=ledger)
    assert out.status == "accepted" and out.archived_to.read_bytes() == v2.data
    archived = {p.read_bytes() for p in (config.archive / "R001").rglob("日报*")}
    assert archived == {v1.data, v2.data}
    assert _count(config) == [("accepted", 1), ("superseded", 1)]
    assert all(r.filed_at is not None for r in ledger.submissions())


# ----- paths ------------------------------------------------------------------------------------
def test_symlink_in_the_inbox_is_refused(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config, factory, ledger = env
    secret = tmp_path / "outside.xlsx"
    secret.write_bytes(factory.visit_report("R001", DAY).data)
    link = config.inbox / "R001" / "link.xlsx"
    link.symlink_to(secret)
    out = process(link, config, ledger=ledger)
    assert out.status == "ignored" and "symbolic link" in out.reason
    assert link.is_symlink() and secret.exists()
    assert _count(config) == []
    with pytest.raises(OSError):
        ContentStore(config.state_root / "content").put(link)


def test_a_linked_inbox_folder_is_not_followed(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config, factory, ledger = env
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "日报.xlsx").write_bytes(factory.visit_report("R001", DAY).data)
    (config.inbox / "R009").rmdir()
    (config.inbox / "R009").symlink_to(elsewhere, target_is_directory=True)
    out = process(config.inbox / "R009" / "日报.xlsx", config, ledger=ledger)
    assert out.status == "ignored" and "link" in out.reason
    assert (elsewhere / "日报.xlsx").exists() and _count(config) == []


def test_names_are_sanitised_and_stay_inside_the_archive(env) -> None:  # type: ignore[no-untyped-def]
    config, factory, ledger = env
    path = config.inbox / "R001" / "CON:日报<1>?.XLSX"
    path.write_bytes(factory.visit_report("R001", DAY).data)
    out = process(path, config, ledger=ledger)
    assert out.status == "accepted"
    assert out.archived_to.name == "CON_日报_1_.xlsx"
    assert out.archived_to.parent == config.archive / "R001" / "2026-11"


def test_file_outside_the_inbox_is_copied_not_moved(env, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config, factory, ledger = env
    outside = tmp_path / "old" / "日报.xlsx"
    outside.parent.mkdir()
    form = factory.visit_report("R001", DAY)
    outside.write_bytes(form.data)
    out = process(outside, config, ledger=ledger, folder="R001")
    assert out.status == "accepted" and outside.read_bytes() == form.data
    assert out.archived_to.read_bytes() == form.data
    assert process(outside, config, ledger=ledger, folder="R001").status == "duplicate"


def test_a_file_changing_while_read_is_left_for_later(env, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    config, factory, ledger = env
    form = factory.visit_report("R001", DAY)
    path = form.drop(config.inbox)
    real_read = pipeline.read

    def read_while_written(p: Path, *a: Any) -> Any:
        sub = real_read(p, *a)
        with p.open("ab") as fh:
            fh.write(b"more")
        return sub

    monkeypatch.setattr(pipeline, "read", read_while_written)
    out = process(path, config, ledger=ledger)
    assert out.status == "ignored" and path.exists() and _count(config) == []
    path.write_bytes(form.data)
    monkeypatch.undo()
    assert process(path, config, ledger=ledger).status == "accepted"


def test_process_opens_its_own_ledger_when_none_is_given(env) -> None:  # type: ignore[no-untyped-def]
    config, factory, _ledger = env
    out = process(factory.visit_plan("R001", DAY).drop(config.inbox), config)
    assert out.status == "accepted" and out.form == "visit_plan" and out.rep_id == "R001"


def test_content_store_is_idempotent_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    store = ContentStore(tmp_path / "content")
    src = tmp_path / "a.xlsx"
    src.write_bytes(b"PK\x03\x04 some bytes")
    first = store.put(src)
    second = store.put(src)
    assert first == second and first.path == tmp_path / "content" / first.sha256[:2] / first.sha256
    assert first.path.read_bytes() == src.read_bytes() and first.sha256 == sha(src.read_bytes())
    assert list((tmp_path / "content" / "tmp").iterdir()) == []


def test_a_file_too_large_for_intake_is_rejected_without_filling_the_state_folder(env) -> None:  # type: ignore[no-untyped-def]
    config, _factory, ledger = env
    config.intake.max_file_mb = 0.01  # 10 KB for the test
    path = config.inbox / "R001" / "video.xlsx"
    path.write_bytes(b"\0" * 50_000)
    out = process(path, config, ledger=ledger)
    assert out.status == "rejected" and out.archived_to.stat().st_size == 50_000
    assert not ContentStore(config.state_root / "content").has(sha(b"\0" * 50_000))


def test_the_watcher_files_at_start_what_a_crash_left_recorded_but_not_filed(env) -> None:  # type: ignore[no-untyped-def]
    """Two leftovers of a crash whose inbox path is empty now: a form recorded but never moved
    (the rep then removed it from the inbox) and a form moved whose "filed" mark was lost. The
    watcher's start files the first from the content store and marks both; nothing is duplicated."""
    from automation.watch import Watcher

    config, factory, ledger = env
    report = factory.visit_report("R001", DAY)
    unmoved = report.drop(config.inbox)
    first = crash_before_filing(unmoved, config, ledger)
    assert first.status == "failed" and unmoved.exists()
    unmoved.unlink()  # the rep took it away meanwhile
    moved = factory.visit_report("R002", DAY).drop(config.inbox)
    second = process(moved, config, ledger=ledger)
    assert second.status == "accepted" and second.archived_to is not None
    ledger._filed.clear()  # the mark was still pending when the process died
    ledger.close()
    assert rows(config, "SELECT count(*) FROM submissions WHERE filed_at IS NULL") == [(2,)]

    summary = Watcher(config).run(once=True, install_signals=False)
    assert summary.fatal is None
    assert rows(config, "SELECT count(*) FROM submissions WHERE filed_at IS NULL") == [(0,)]
    archived = config.archive / "R001" / "2026-11" / unmoved.name
    assert archived.read_bytes() == report.data  # (a form made again differs: xlsxwriter stamps the second)
    again = [p.name for p in (config.archive / "R002" / "2026-11").iterdir() if p.name.startswith(moved.stem)]
    assert again == [moved.name]  # once: not copied a second time
    assert rows(config, "SELECT count(*) FROM submissions") == [(4,)]  # 2 registers + 2 reports
