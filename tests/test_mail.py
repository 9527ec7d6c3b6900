"""The mail stage against a real SMTP server on loopback (aiosmtpd), on a small installation whose
forms went through the real pipeline (tests/mailworld.py)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import date, datetime
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from automation import mail
from automation.consolidate import paths
from automation.ledger import open_ledger
from automation.mail import sendlog
from tests import mailworld
from tests.smtpserver import Handler, Server

pytestmark = pytest.mark.usefixtures("db")  # SQLite and PostgreSQL (tests/conftest.py)

MONDAY_9 = datetime(2026, 11, 30, 9, 0)  # the weekly summaries of 2026-W48 are due
REP_NAMES = {"R001": "张伟", "R002": "王芳", "R005": "陈静", "R009": "周杰"}
REGION_OF = {"R001": "east", "R002": "east", "R005": "south", "R009": "north"}
SUPERVISOR = {"east": "S01", "south": "S02", "north": "S03"}


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return mailworld.build(tmp_path_factory.mktemp("mailworld"))


@pytest.fixture
def clock_monday(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SALESFLOW_NOW", MONDAY_9.isoformat())


def _workbooks(config: Any) -> None:
    """Stand-ins for the consolidation stage's outputs at the paths it will use (issue 16)."""
    week = mailworld.WEEK
    targets = [paths.company_workbook(config, week)]
    targets += [paths.region_workbook(config, week, r.id) for r in config.regions if r.id != "north"]
    targets += [paths.weekly_report_form(config, week, s.id) for s in config.supervisors]
    for p in targets:
        p.parent.mkdir(parents=True, exist_ok=True)
        wb = xlsxwriter.Workbook(str(p))
        wb.add_worksheet("Summary").write_string(0, 0, p.stem)
        wb.close()


def _by_key(received: list[Any]) -> dict[str, Any]:
    return {str(r.message["X-Salesflow-Key"]): r for r in received}


def test_weekly_reaches_each_person_with_only_their_scope(
    template: Path, tmp_path: Path, clock_monday: None
) -> None:
    with Server() as server:
        _, config = mailworld.copy(template, tmp_path, **server.settings())
        _workbooks(config)
        with open_ledger(config) as ledger:
            report = mail.mail(config, ledger, week=mailworld.WEEK, send=True, now=MONDAY_9)
        got = _by_key(server.handler.received)
    assert not report.failed and not report.unsure
    # every supervisor, the manager, and every live rep: 3 + 1 + 12
    assert sorted(k.split(":")[2] for k in got) == ["manager"] + ["rep"] * 12 + ["supervisor"] * 3
    assert len(report.sent) == len(got) == 16

    for key, r in got.items():
        _, _, role, who = key.split(":")
        person = config.person(who)
        assert r.rcpt_tos == [person.email], key  # envelope: that person only
        assert r.message["To"].addresses[0].addr_spec == person.email
        assert r.message["Cc"] is None and r.message["Bcc"] is None
        content = r.text() + r.html()
        if role == "supervisor":
            region = person.region
            others = [rep for rep, reg in REGION_OF.items() if reg != region]
            mine = [rep for rep, reg in REGION_OF.items() if reg == region]
        elif role == "rep":
            others = [rep for rep in REGION_OF if rep != who]
            mine = [who] if who in REGION_OF else []
        else:
            others, mine = [], list(REGION_OF)
        for rep in others:  # neither their names nor their customers (names carry the rep id)
            assert REP_NAMES[rep] not in content, (key, rep)
            assert f"{rep}测试客户" not in content, (key, rep)
        for rep in mine if role == "supervisor" else []:  # a manager's list holds only reps behind
            assert REP_NAMES[rep] in content, (key, rep)
    # the east supervisor's figures are the east region's: another region's name never appears
    east = got[f"weekly:{mailworld.WEEK}:supervisor:S01"]
    assert "华南" not in east.text() and "华北" not in east.text()
    assert "华东区域周报 2026-W48" in str(east.message["Subject"])
    # attachments: the region workbook and the pre-filled weekly report, as files on disk
    names = sorted(p.get_filename() for p in east.message.iter_attachments())
    assert names == sorted([paths.region_workbook(config, mailworld.WEEK, "east").name,
                            paths.weekly_report_form(config, mailworld.WEEK, "S01").name])  # fmt: skip
    # a missing workbook is said in plain words, in the reader's language (S03 reads English)
    north = got[f"weekly:{mailworld.WEEK}:supervisor:S03"]
    assert paths.region_workbook(config, mailworld.WEEK, "north").name in north.text()
    assert "was not ready yet" in north.text()
    assert [p.get_filename() for p in north.message.iter_attachments()] == [
        paths.weekly_report_form(config, mailworld.WEEK, "S03").name
    ]
    manager = got[f"weekly:{mailworld.WEEK}:manager:M01"]
    assert [p.get_filename() for p in manager.message.iter_attachments()] == [
        paths.company_workbook(config, mailworld.WEEK).name
    ]
    for region in ("华东", "华南", "华北"):
        assert region in manager.text()
    # a rep's own standing: R001 sees the form sent back and not yet fixed
    r001 = got[f"weekly:{mailworld.WEEK}:rep:R001"]
    assert "日报_R001_重交.xlsx" in r001.text()
    # the .eml in outbox/<week>/ is byte for byte what the server received
    eml = config.outbox / mailworld.WEEK / "weekly-rep R001 张伟.eml"
    assert eml.read_bytes() == r001.data


def test_sending_twice_sends_nothing_new(template: Path, tmp_path: Path, clock_monday: None) -> None:
    with Server() as server:
        _, config = mailworld.copy(template, tmp_path, **server.settings())
        with open_ledger(config) as ledger:
            first = mail.mail(config, ledger, week=mailworld.WEEK, send=True, now=MONDAY_9)
            n = len(server.handler.received)
            again = mail.mail(config, ledger, week=mailworld.WEEK, send=True, now=MONDAY_9)
            assert len(server.handler.received) == n
            third = mail.due(config, ledger, MONDAY_9)  # what the watcher would do: the briefs are new
            fourth = mail.due(config, ledger, MONDAY_9)
        assert n == len(first.sent) == 16
        assert again.sent == [] and again.written == [] and len(again.kept) == 16
        assert sorted(k.split(":")[0] for k in third.sent) == ["brief"] * 3
        assert fourth.sent == [] and fourth.written == []
        assert len(server.handler.received) == n + 3


def test_a_server_that_fails_at_first_is_retried(template: Path, tmp_path: Path, clock_monday: None) -> None:
    with Server(Handler(refuse_first=2)) as server:
        _, config = mailworld.copy(template, tmp_path, **server.settings(retries=3))
        with open_ledger(config) as ledger:
            report = mail.mail(config, ledger, week=mailworld.WEEK, kinds=["weekly"], send=True, now=MONDAY_9)
            first = sorted(report.sent)[0]
            row = sendlog.get(
                ledger,
                next(
                    k
                    for k in report.sent
                    if server.handler.received
                    and k == str(server.handler.received[0].message["X-Salesflow-Key"])
                ),
            )
        assert server.handler.refused == 2
        assert len(server.handler.received) == 16 and not report.failed
        assert row is not None and row.attempts == 3 and row.status == "sent"  # 451, 451, 250
        assert first


def test_a_server_that_keeps_failing_leaves_messages_failed_then_sends_later(
    template: Path, tmp_path: Path, clock_monday: None
) -> None:
    with Server(Handler(refuse_first=10_000)) as server:
        _, config = mailworld.copy(template, tmp_path, **server.settings(retries=1))
        with open_ledger(config) as ledger:
            report = mail.mail(
                config, ledger, day=date(2026, 11, 30), kinds=["brief"], send=True, now=MONDAY_9
            )
            assert len(report.failed) == 3 and not report.sent
            assert {sendlog.get(ledger, k).status for k, _ in report.failed} == {"failed"}  # type: ignore[union-attr]
            server.handler.refuse_first = 0
            later = mail.send_pending(config, ledger)
        assert sorted(later.sent) == sorted(k for k, _ in report.failed)
        assert len(server.handler.received) == 3


def test_no_smtp_host_writes_the_outbox_only(template: Path, tmp_path: Path, clock_monday: None) -> None:
    _, config = mailworld.copy(template, tmp_path)
    with open_ledger(config) as ledger:
        report = mail.due(config, ledger, MONDAY_9)
        with pytest.raises(mail.MailError, match="smtp.host"):
            mail.mail(config, ledger, week=mailworld.WEEK, send=True)
    assert report.sent == []
    weekly = sorted(p.name for p in (config.outbox / mailworld.WEEK).glob("*.eml"))
    assert len(weekly) == 16 and "weekly-manager M01 郭总.eml" in weekly
    assert sorted(p.name for p in (config.outbox / "2026-11-30").glob("brief *.eml")) == [
        "brief S01 马超.eml", "brief S02 朱琳.eml", "brief S03 胡斌.eml"
    ]  # fmt: skip


def test_escalation_rejection_receipt_and_injection(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime(2026, 11, 27, 20, 0)
    monkeypatch.setenv("SALESFLOW_NOW", now.isoformat())
    with Server() as server:
        _, config = mailworld.copy(template, tmp_path, **server.settings())
        with open_ledger(config) as ledger:
            report = mail.mail(
                config, ledger, day=date(2026, 11, 27), kinds=["escalation", "rejection"], send=True, now=now
            )
            receipts = mail.mail(
                config, ledger, day=date(2026, 11, 20), kinds=["receipt"], send=True, now=now
            )
        got = _by_key(server.handler.received)
    assert not report.failed and not receipts.failed
    market = next(
        r for k, r in got.items() if k.startswith("escalation:") and "陈静" in str(r.message["Subject"])
    )
    # to the south supervisor, the manager in copy (high severity); nobody else
    assert market.rcpt_tos == ["zhu.lin@example.com", "guo@example.com"]
    assert str(market.message["To"]).endswith("<zhu.lin@example.com>") and "guo@example.com" in str(
        market.message["Cc"]
    )
    # the rep's "<script>" is text in the HTML, and the CR/LF + "Bcc:" in a field stays in the body
    html = market.html()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert market.message["Bcc"] is None and "evil@attacker.example" not in market.rcpt_tos
    raw_headers = market.data.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert not re.search(r"^Bcc:", raw_headers, re.MULTILINE | re.IGNORECASE)
    assert "小事" not in market.text()  # the low-severity row is not escalated
    complaint = next(
        r for k, r in got.items() if k.startswith("escalation:") and "周杰" in str(r.message["Subject"])
    )
    assert complaint.rcpt_tos == ["hu.bin@example.com"]  # medium: the north supervisor only
    assert "&lt;b&gt;bold&lt;/b&gt;" in complaint.html()
    rejection = next(r for k, r in got.items() if k.startswith("rejection:"))
    assert rejection.rcpt_tos == ["zhang.wei@example.com"]
    assert "谈得很好" in rejection.text()  # what to fix, read from the feedback workbook
    assert [p.get_filename() for p in rejection.message.iter_attachments()][0].endswith(".xlsx")
    rec = [r for r in server.handler.received if str(r.message["X-Salesflow-Key"]).startswith("receipt:")]
    assert sorted(r.rcpt_tos[0] for r in rec) == sorted(config.rep(x).email for x in mailworld.REPS)  # type: ignore[union-attr]
    r001 = next(r for r in rec if r.rcpt_tos == ["zhang.wei@example.com"])
    assert (
        "C0000" in r001.text()
        and "R001测试客户00有限公司" in r001.text()
        and "R002测试客户" not in r001.text()
    )


def test_reminders_copy_the_supervisor_from_the_second_missing_day(
    template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Server() as server:
        _, config = mailworld.copy(template, tmp_path, **server.settings())
        with open_ledger(config) as ledger:
            for day, hour in ((date(2026, 11, 26), 20), (date(2026, 11, 27), 20)):
                at = datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=0)
                monkeypatch.setenv("SALESFLOW_NOW", at.isoformat())
                assert mail.due(config, ledger, at, kinds=["reminder"]).sent == []  # before deadline + 30 min
                late = at.replace(minute=45)
                monkeypatch.setenv("SALESFLOW_NOW", late.isoformat())
                mail.due(config, ledger, late, kinds=["reminder"])
        got = _by_key(server.handler.received)
    first, second = got["reminder:2026-11-26:R002"], got["reminder:2026-11-27:R002"]
    assert first.rcpt_tos == ["wang.fang@example.com"]
    assert second.rcpt_tos == ["wang.fang@example.com", "ma.chao@example.com"]
    assert "2026-11-26, 2026-11-27" in second.text()
    assert not [k for k in got if k.split(":")[-1] in ("R001", "R005", "R009")]  # they reported


def test_header_values_cannot_inject(tmp_path: Path, config: Any) -> None:
    from automation.mail.compose import compose
    from automation.mail.draft import Draft
    from automation.mail.routing import Recipient

    evil = Recipient("R001", "张伟\r\nBcc: evil@attacker.example", "zhang.wei@example.com", "zh", "rep")
    odd = Recipient(
        "R002", 'Wang, "Fang" <x@y.z>\nTo: evil@attacker.example', "wang.fang@example.com", "en", "rep"
    )
    draft = Draft(key="receipt:1", kind="receipt", period="2026-11-23", template="receipt", lang="zh", to=[evil], cc=[odd],
                  subject="新客户\r\nBcc: evil@attacker.example", context={"title": "t\r\nX: y", "intro": "<script>x</script>",
                  "hello": "<b>hi</b>", "ids": [{"id": "C1", "name": "<img src=x onerror=alert(1)>", "row": "4"}], "notes": []})  # fmt: skip
    msg = compose(config, draft, datetime(2026, 11, 23, 21, 0))
    raw = msg.as_bytes()
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert not re.search(r"^(Bcc|X):", head, re.MULTILINE | re.IGNORECASE)
    assert re.findall(r"^To:", head, re.MULTILINE) == ["To:"]
    parsed = message_from_bytes(raw, policy=policy.default)
    assert [a.addr_spec for a in parsed["To"].addresses] == ["zhang.wei@example.com"]
    assert [a.addr_spec for a in parsed["Cc"].addresses] == ["wang.fang@example.com"]
    html = parsed.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert "<script>" not in html and "<img" not in html and "&lt;img src=x" in html


def _count_by_message_id(received: list[Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for r in received:
        mid = str(r.message["Message-ID"])
        out[mid] = out.get(mid, 0) + 1
    return out


@pytest.mark.slow
def test_a_sender_killed_mid_send_and_restarted_sends_nothing_twice(template: Path, tmp_path: Path) -> None:
    """SIGKILL a real ``salesflow mail --send`` while the server holds its first message inside
    DATA; the restarted run sends every other message once and does not re-send that one: it is
    reported for a person to check (status and mail), and --resend sends it with the same id."""
    handler = Handler(stall=True)
    with Server(handler) as server:
        path, config = mailworld.copy(template, tmp_path, **server.settings())
        env = {**os.environ, "SALESFLOW_NOW": MONDAY_9.isoformat(), "SALESFLOW_CONFIG": str(path)}
        cmd = [sys.executable, "-m", "automation", "mail", "--week", mailworld.WEEK, "--send"]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            assert handler.got_one.wait(60), proc.communicate(timeout=5)
            time.sleep(0.2)
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.wait(30)
        killed_key = str(handler.received[0].message["X-Salesflow-Key"])
        handler.stall = False
        again = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
        status = subprocess.run(
            [sys.executable, "-m", "automation", "status", "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        counts = _count_by_message_id(handler.received)
        assert len(counts) == 16 and set(counts.values()) == {1}, counts  # every message once, none twice
        assert again.returncode == 1 and killed_key in again.stderr  # a person must check this one
        data = json.loads(status.stdout)
        assert [m["key"] for m in data["mail"]["needs_a_person"]] == [killed_key]
        resend = subprocess.run(
            [*cmd, "--resend", killed_key],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert resend.returncode == 0, resend.stderr
        counts = _count_by_message_id(handler.received)
        assert sorted(counts.values()) == [1] * 15 + [2]  # the same Message-ID: clients drop the copy
