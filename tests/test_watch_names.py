"""File names as file systems give them: raw GBK bytes, NFD (issue 14, Deliver 2).

A name that is not UTF-8 reaches Python as a str with surrogate escapes; every log line, JSON note,
ledger row and workbook that held it failed, and the path lock failed for the whole batch. Each
test here makes such names for real (``os.open`` with the name's bytes) on the real file system.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import unicodedata
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from automation.core.formspec import load_specs
from automation.core.names import ShownPath, readable
from automation.ledger import open_ledger
from automation.watch import Watcher
from automation.watch.state import read_heartbeat
from tests.formfactory import FormFactory, audit, install, ledger_rows, sha
from tests.test_watcher import Recorder, running, wait_for
from tests.test_watcher_crash import _drain_and_stop, _running, _seed_customers, _wait, _watch
from tests.watch_env import seeded

DAY = date(2026, 11, 23)
GBK_NAME = "王伟日报.xlsx"
GBK_JUNK = "损坏的表.xlsx"


def drop_raw(folder: Path, name_bytes: bytes, data: bytes) -> Path:
    """Write ``data`` under a name given as raw bytes (what an old Windows PC writes to a share)."""
    raw = os.path.join(os.fsencode(folder), name_bytes)
    fd = os.open(raw, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
    return Path(os.fsdecode(raw))


@pytest.fixture
def inst(tmp_path: Path) -> tuple[Path, Any, FormFactory]:
    return seeded(tmp_path)


def test_readable_names() -> None:
    gbk = os.fsdecode(GBK_NAME.encode("gbk"))
    assert gbk != GBK_NAME and readable(gbk) == GBK_NAME  # surrogate-escaped GBK reads as GBK
    nfd = unicodedata.normalize("NFD", "Café.xlsx")
    assert nfd != "Café.xlsx" and readable(nfd) == "Café.xlsx"
    junk = os.fsdecode(b"\xff\xfe\x80.xlsx")  # not UTF-8, not GB18030 either
    assert readable(junk) == "\\xff\\xfe\\x80.xlsx"
    shown = ShownPath.of(Path("/in") / gbk)
    assert shown.name == GBK_NAME and str(shown) == f"/in/{gbk}" and shown.suffix == ".xlsx"
    assert ShownPath.of(Path("/in/plain.xlsx")) == Path("/in/plain.xlsx")


def test_gbk_and_nfd_names_are_processed_with_readable_names(inst: tuple[Path, Any, FormFactory]) -> None:
    """In one watcher batch: a valid form under a GBK name, a damaged file under another, an NFD
    name and plain forms. Each is judged alone; every name people read is readable; the NFD file
    keeps its own name as its source (its identity on disk) and is archived under the NFC name."""
    _, config, factory = inst
    good = factory.visit_report("R001", DAY, seed=1)
    nfd_form = factory.visit_report("R002", DAY, seed=2)
    plain = [factory.visit_report(r, DAY, seed=3 + i) for i, r in enumerate(("R003", "R004"))]
    nfd_name = unicodedata.normalize("NFD", "Café 日报.xlsx")
    with running(Watcher(config)) as w:
        drop_raw(config.inbox / "R001", GBK_NAME.encode("gbk"), good.data)
        drop_raw(config.inbox / "R001", GBK_JUNK.encode("gbk"), b"not a workbook at all\r\n")
        nfd_form.drop(config.inbox, nfd_name)
        for f in plain:
            f.drop(config.inbox)
        wait_for(lambda: sum(w.summary.counts.values()) >= 5, 30, "five outcomes")
        hb = read_heartbeat(config.state_root)
    assert w.summary.counts["accepted"] == 4 and w.summary.counts["rejected"] == 1, w.summary.counts
    assert not w.summary.quarantined
    assert hb is not None and json.dumps(hb, ensure_ascii=False)  # the heartbeat was written
    rows = {
        r[0]: r[1:]
        for r in ledger_rows(
            config, "SELECT sha256, original_name, source, status, archive_path FROM submissions"
        )
    }
    assert rows[sha(good.data)] == (
        GBK_NAME,
        f"R001/{GBK_NAME}",
        "accepted",
        f"archive/R001/2026-11/{GBK_NAME}",
    )
    junk = [r for r in rows.values() if r[2] == "rejected"]
    assert [r[:2] for r in junk] == [(GBK_JUNK, f"R001/{GBK_JUNK}")]
    assert (config.shared_root / junk[0][3]).is_file()
    beside = sorted(p.name for p in (config.rejected / "R001").iterdir())
    assert len(beside) == 2 and beside[1] == GBK_JUNK and beside[0].startswith("损坏的表.")  # + feedback
    assert rows[sha(nfd_form.data)][1] == f"R002/{nfd_name}"  # the identity keeps the disk's NFD
    assert rows[sha(nfd_form.data)][0] == "Café 日报.xlsx"  # what people read is NFC
    assert (config.archive / "R002" / "2026-11" / "Café 日报.xlsx").is_file()
    assert not list(config.inbox.glob("*/*"))  # nothing left behind, nothing processed twice
    import openpyxl

    book = openpyxl.load_workbook(config.rejected / "R001" / beside[0], read_only=True)
    texts = [str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v]
    assert any(GBK_JUNK in t for t in texts), texts[:20]  # the feedback names the file as the rep knows it


def test_a_crash_before_filing_a_gbk_named_form_is_finished_once(inst: tuple[Path, Any, FormFactory]) -> None:
    """Recorded, then the process died before moving the file: at the next start the repair must
    find the file by its (readable) source although the name on disk is other bytes, and leave it
    for the pipeline, which files it: one submission, one file in the archive."""
    from automation.pipeline import stages as pipeline

    _, config, factory = inst
    form = factory.visit_report("R005", DAY, seed=9)
    path = drop_raw(config.inbox / "R005", GBK_NAME.encode("gbk"), form.data)

    def crash(*a: Any, **k: Any) -> Any:
        raise KeyboardInterrupt("killed between the commit and the move")

    with open_ledger(config) as ledger:
        real = pipeline.file_away
        pipeline.file_away = crash  # type: ignore[assignment]
        try:
            with pytest.raises(KeyboardInterrupt):
                pipeline.process(path, config, ledger=ledger, folder="R005")
        finally:
            pipeline.file_away = real  # type: ignore[assignment]
        assert pipeline.inbox_file(config, f"R005/{GBK_NAME}") == path
        assert pipeline.repair_unfiled(config, ledger) == 0  # the file is there: not from the store
        out = pipeline.process(path, config, ledger=ledger, folder="R005")
    assert out.status == "accepted"
    result = audit(config, [form])
    assert result.clean and result.accepted == 1, result


def test_quarantine_of_a_gbk_named_file_writes_a_readable_note(inst: tuple[Path, Any, FormFactory]) -> None:
    _, config, factory = inst
    form = factory.visit_report("R006", DAY, seed=4)
    rec = Recorder(fail=lambda p: True)
    with running(Watcher(config, process=rec, retry_backoff=0.05)) as w:
        drop_raw(config.inbox / "R006", GBK_NAME.encode("gbk"), form.data)
        wait_for(lambda: w.summary.quarantined, 20, "the quarantine")
    assert w.summary.quarantined == [f"R006/{GBK_NAME}"]
    notes = list((config.state_root / "quarantine").glob("*.json"))
    assert len(notes) == 1
    note = json.loads(notes[0].read_text(encoding="utf-8"))
    assert note["original"].endswith(f"R006/{GBK_NAME}")
    assert bytes.fromhex(note["original_bytes_hex"]).endswith(GBK_NAME.encode("gbk"))
    assert note["copy"] and Path(note["copy"]).read_bytes() == form.data


@pytest.mark.slow
def test_a_gbk_name_among_50_forms_is_judged_alone_and_the_watcher_stays_up(tmp_path: Path) -> None:
    """Must hold: 50 good forms and, among them, a form and a damaged file named in raw GBK bytes,
    dropped into a running watcher (a real process): the 50 and the GBK form accepted, the damaged
    one rejected with readable feedback, the watcher alive (its heartbeat fresh) throughout."""
    cfg_path, config = install(tmp_path, settle_seconds=0.2, reconcile_seconds=2.0)
    factory = FormFactory(config, load_specs(config))
    registers = _seed_customers(cfg_path, config, factory)
    forms = factory.many(50, end=DAY)
    odd = factory.visit_report("R001", DAY - timedelta(days=9), seed=77)
    proc = _watch(cfg_path)
    try:
        _wait(lambda: _running(config, proc.pid), 30, "the watcher")
        for i, f in enumerate(forms):
            f.drop(config.inbox)
            if i == 25:
                drop_raw(config.inbox / "R001", GBK_NAME.encode("gbk"), odd.data)
                drop_raw(config.inbox / "R002", GBK_JUNK.encode("gbk"), b"\xd0\xcf\x11\xe0 damaged\n")
        deadline = time.monotonic() + 60
        while list(config.inbox.glob("*/*")) and time.monotonic() < deadline:
            hb = read_heartbeat(config.state_root)
            assert proc.poll() is None, "the watcher died"
            assert hb and hb["pid"] == proc.pid and time.time() - hb["epoch"] < 10, hb
            time.sleep(0.2)
    except BaseException:
        proc.kill()
        raise
    _drain_and_stop(proc, config, len(forms) + 2, 60)
    result = audit(config, registers + forms + [odd])
    assert result.clean and result.accepted == len(registers) + 51, result
    status = dict(ledger_rows(config, "SELECT original_name, status FROM submissions"))
    assert status[GBK_NAME] == "accepted" and status[GBK_JUNK] == "rejected"
    assert (config.rejected / "R002" / GBK_JUNK).is_file()
    assert len(list((config.rejected / "R002").glob("损坏的表*.xlsx"))) == 2  # and its feedback
    log = (config.state_root / "logs" / "salesflow.log").read_text(encoding="utf-8")
    assert f"R001/{GBK_NAME}" in log and "Logging error" not in log and "quarantined" not in log
    assert proc.stderr is not None


def test_watch_once_handles_a_gbk_name_in_a_child_process(inst: tuple[Path, Any, FormFactory]) -> None:
    """The same through ``salesflow watch --once``: exit 0, no traceback nor logging error on
    stderr, the form accepted."""
    cfg_path, config, factory = inst
    form = factory.visit_report("R003", DAY, seed=5)
    drop_raw(config.inbox / "R003", GBK_NAME.encode("gbk"), form.data)
    res = subprocess.run(
        [sys.executable, "-m", "automation", "--config", str(cfg_path), "watch", "--once"],
        capture_output=True,
        timeout=120,
    )
    assert res.returncode == 0, res.stderr.decode(errors="replace")
    assert b"Traceback" not in res.stderr and b"Logging error" not in res.stderr
    assert audit(config, [form]).accepted == 1
    assert ledger_rows(config, "SELECT original_name FROM submissions WHERE sha256 = ?", sha(form.data)) == [
        (GBK_NAME,)
    ]
