"""The state of an installation at a glance: what ``salesflow status`` prints and the back office monitors.

The JSON shape is stable (``schema`` is bumped only on an incompatible change; keys are only ever
added). Version 1::

    {
      "schema": 1,
      "generated_at": "2026-11-23T21:00:00",        # the product clock (SALESFLOW_NOW honoured)
      "today": "2026-11-23",
      "watcher": {
        "alive": true,                  # lock held AND heartbeat fresh
        "lock_held": true,              # some process holds state_root/watcher.lock
        "heartbeat_fresh": true,        # heartbeat.json written less than `stale_after_seconds` ago (system clock)
        "heartbeat_age_seconds": 1.2,   # null when there is no heartbeat
        "stale_after_seconds": 30,
        "pid": 1234, "state": "running", # from the heartbeat, null when none
        "quarantined": ["R001/x.xlsx"], # from the heartbeat
        "stuck": false,                 # lock held but heartbeat stale: the process hangs (not dead)
        "problem": "台账 / the ledger (/srv/.salesflow/ledger.sqlite): 被其他程序锁定 / locked by another program",
                                        # what the watcher waits on, one line (null when nothing)
        "problems": [{"resource": "ledger", "kind": "locked", "message": "...", "detail": "database is locked",
                      "since": "2026-11-23T20:58:01", "seconds": 42.0, "files": ["R001/x.xlsx"], "file_count": 1}],
        "waiting_on": [{"file": "R002/日报.csv", "why": "正在写入 / still being written: pid 811 (smbd)",
                        "seconds": 12.5}],  # files that settled but are not whole yet, and why
        "disks": {"state": {"path": "...", "free_bytes": 0, "read_only": false},
                  "shared": {"path": "...", "free_bytes": 123456789, "read_only": false}}
      },
      "backlog": {"files": 3, "by_folder": {"R001": 2, "hq": 1}, "oldest_mtime": "2026-11-23T20:58:01"},
      "counts": {
        "today": {"accepted": 10, "rejected": 2, "duplicate": 1, "superseded": 1},   # by received day
        "total": {"accepted": 900, "rejected": 40, "duplicate": 12, "superseded": 30}
      },
      "awaiting_fix": [                 # rejected, and no later accepted version of the same form/rep/period
        {"submission_id": 41, "folder": "R001", "rep_id": "R001", "form": "visit_report",
         "period_key": "2026-11-23", "received_at": "2026-11-23T18:02:11", "file": "日报.xlsx",
         "rejected_path": "rejected/R001/日报.xlsx", "feedback_path": "rejected/R001/日报.反馈.xlsx",
         "errors": 3}
      ],
      "missing_today": {                # reps live and working today without a visit report for today
        "working_day": true, "deadline": "20:00", "deadline_passed": true,
        "reps": [{"rep_id": "R004", "name": "刘洋", "region": "east"}]
      },
      "mail": {                         # the sent log (issue 17): key added within schema 1
        "pending": 2,                   # written (or failed, to retry), not sent yet
        "needs_a_person": [             # maybe delivered (a crash mid-send) or failed for good: check, then
          {"key": "weekly:2026-W48:rep:R001", "status": "unsure",        #   `salesflow mail --resend KEY`
           "recipients": ["zhang.wei@example.com"], "subject": "...", "error": "..."}
        ]
      },
      "conflicts": [                    # register rows claiming another rep's customer, for the manager
        {"customer_id": "C000012", "owner": "R001", "claimed_by": "R002", "submission_id": 57,
         "at": "2026-11-23T18:30:00"}
      ],
      "conflict_copies": [              # counted files that look like a sync client's conflict copy
        {"submission_id": 60, "file": "日报 (1).xlsx", "copy_of": "R001/日报.xlsx", "status": "accepted",
         "received_at": "2026-11-23T18:40:00", "folder": "R001"}   # received in the last 14 days
      ],
      "site": "main",                   # the site (branch) this installation serves (issue 18)
      "sites": [                        # every site's watcher, from the heartbeats in the ledger (issue 18)
        {"site": "shanghai", "host": "sh-fs01", "pid": 811, "shared_folder": "/srv/sales/workbooks",
         "state": "running", "heartbeat_age_seconds": 3.2,   # on the database server's clock
         "alive": true, "backlog": 0, "problem": null, "counts": {"accepted": 12}, "started": "..."}
      ],
      "ledger_problem": "...",          # only when the ledger cannot be reached: then the ledger's parts are empty
      "reports": {                      # the consolidated workbooks (reports/<week>/)
        "pending": [{"region": "east", "week": "2026-W48"}],   # marked by forms, not yet rebuilt
        "held_open": [                  # last written beside the target, which was open (Windows)
          {"target": ".../华东 区域周报 2026-W48.xlsx", "written": ".../华东 区域周报 2026-W48 (2).xlsx",
           "at": "2026-11-23T21:00:05"}
        ]
      }
    }

``watcher.problem`` is the heartbeat's, or, when the heartbeat names none, what ``status`` sees
itself: a state or shared folder on a full or read-only disk. The exit code of ``salesflow status``
(:mod:`automation.cli.status`) follows: 0 alive and well, 1 not running, 3 stuck, 4 alive but
waiting on its environment.

A rejected form "awaits a fix" until a submission of the same form, rep and period (for forms
without a period: the same form and rep; for an unreadable file: the same folder and file name)
is accepted after it. "Today" counts go by the received day (SPEC §2 received time).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from automation.consolidate.output import held_open
from automation.core import clock, filelock
from automation.core.config import Config
from automation.core.outcomes import COUNTED, RECORDED
from automation.core.texts import both
from automation.ledger import awaiting
from automation.ledger import schema as t
from automation.ledger.recording import COMPANY_MARK

SCHEMA_VERSION = 1
STALE_AFTER_SECONDS = 30.0
TERMINAL = RECORDED
CONFLICT_COPY_DAYS = 14  # conflict copies received this recently are listed


def lock_held(state_root: Path) -> bool:
    """True when a process holds the watcher's lock (probed with a shared, non-blocking lock; see
    :mod:`automation.core.filelock`)."""
    path = state_root / "watcher.lock"
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # none (never started), or unreadable: nobody we can see holds it
        return False
    try:
        filelock.lock(fd, shared=True, blocking=False)
    except BlockingIOError:
        return True
    else:
        filelock.unlock(fd)
        return False
    finally:
        os.close(fd)


def watcher_state(config: Config) -> dict[str, Any]:
    from automation.watch.state import read_heartbeat

    beat = read_heartbeat(config.state_root) or {}
    epoch = beat.get("epoch")
    if epoch is None:
        with contextlib.suppress(OSError):  # none, or replaced right now by the watcher
            epoch = (config.state_root / "heartbeat.json").stat().st_mtime
    age = round(max(0.0, time.time() - float(epoch)), 1) if epoch is not None else None
    fresh = age is not None and age <= STALE_AFTER_SECONDS and beat.get("state") not in ("stopped",)
    held = lock_held(config.state_root)
    disks = disk_state(config)
    problem = beat.get("problem") if fresh else None
    if not problem:
        problem = _disk_problem(disks)
    return {
        "alive": bool(held and fresh),
        "lock_held": held,
        "heartbeat_fresh": bool(fresh),
        "heartbeat_age_seconds": age,
        "stale_after_seconds": STALE_AFTER_SECONDS,
        "pid": beat.get("pid"),
        "state": beat.get("state"),
        "quarantined": list(beat.get("quarantined") or []),
        "stuck": bool(held and not fresh),
        "problem": problem,
        "problems": list(beat.get("problems") or []) if fresh else [],
        "waiting_on": list(beat.get("waiting") or []) if fresh else [],
        "disks": disks,
    }


def disk_state(config: Config) -> dict[str, dict[str, Any]]:
    """Free space and read-only flag of the state and shared folders' file systems, seen by ``status``
    itself: a watcher whose state disk is full may not get its heartbeat written."""
    from automation.core.faults import free_bytes, read_only

    return {
        name: {"path": str(folder), "free_bytes": free_bytes(folder), "read_only": read_only(folder)}
        for name, folder in (("state", config.state_root), ("shared", config.shared_root))
    }


def _disk_problem(disks: dict[str, dict[str, Any]]) -> str | None:
    from automation.core.faults import WHAT, WHERE

    for name, d in disks.items():
        kind = "full" if d["free_bytes"] == 0 else "read-only" if d["read_only"] else ""
        if kind:
            return f"{WHERE[name]} ({d['path']}): {WHAT[kind]}"
    return None


def backlog(config: Config) -> dict[str, Any]:
    """Forms waiting in ``inbox/<id>/`` (what the watcher would pick up; noise and links not counted)."""
    from automation.core.noise import inbox_folder

    by_folder: Counter[str] = Counter()
    oldest: float | None = None
    inbox = config.inbox
    for sub in sorted(_entries(inbox)):
        if not sub.is_dir() or sub.is_symlink():
            continue
        for f in _entries(sub):
            if not f.is_file() or inbox_folder(f, inbox) is None:
                continue
            try:  # the watcher files it away meanwhile: it is no longer waiting
                m = f.stat().st_mtime
            except OSError:
                continue
            by_folder[sub.name] += 1
            oldest = m if oldest is None else min(oldest, m)
    return {
        "files": sum(by_folder.values()),
        "by_folder": dict(sorted(by_folder.items())),
        "oldest_mtime": datetime.fromtimestamp(oldest).isoformat(timespec="seconds") if oldest else None,
    }


def _entries(folder: Path) -> list[Path]:
    """A folder's entries; none when it is missing or goes away while it is listed (a running
    watcher moves files out of the inbox while ``status`` counts them: it must answer anyway)."""
    try:
        return list(folder.iterdir())
    except OSError:
        return []


def is_working_day(config: Config, day: date) -> bool:
    cal = config.calendar
    if day in cal.workdays:
        return True
    return day.isoweekday() in cal.weekdays and day not in cal.holidays


def _counts(rows: Sequence[Any], today: date) -> dict[str, dict[str, int]]:
    total: Counter[str] = Counter()
    day: Counter[str] = Counter()
    for r in rows:
        total[r.status] += 1
        if r.received_at.date() == today:
            day[r.status] += 1
    return {"today": {s: day.get(s, 0) for s in TERMINAL}, "total": {s: total.get(s, 0) for s in TERMINAL}}


def _missing(config: Config, rows: Sequence[Any], today: date) -> dict[str, Any]:
    now = clock.now()
    deadline = config.deadlines.visit_report
    working = is_working_day(config, today)
    have = {
        r.rep_id
        for r in rows
        if r.form == "visit_report" and r.period_key == today.isoformat() and r.status in COUNTED
    }
    reps = [
        {"rep_id": rep.id, "name": rep.name, "region": rep.region}
        for rep in config.reps
        if working and rep.go_live <= today and rep.id not in have
    ]
    return {
        "working_day": working,
        "deadline": deadline.strftime("%H:%M"),
        "deadline_passed": now.time() >= deadline,
        "reps": reps,
    }


def _mail_rows(conn: Any) -> list[Any]:
    m = t.mail_log.c
    return list(conn.execute(sa.select(m.key, m.status, m.attempts, m.recipients, m.subject, m.error)
                             .where(m.status.in_(("written", "failed", "unsure")))).all())  # fmt: skip


def _mail(rows: list[Any]) -> dict[str, Any]:
    from automation.mail.sendlog import MAX_ATTEMPTS

    person = [
        r for r in rows if r.status == "unsure" or (r.status == "failed" and r.attempts >= MAX_ATTEMPTS)
    ]
    return {
        "pending": sum(1 for r in rows if r not in person),
        "needs_a_person": [
            {"key": r.key, "status": r.status, "recipients": json.loads(r.recipients or "[]"),
             "subject": r.subject, "error": r.error}
            for r in sorted(person, key=lambda r: r.key)
        ],
    }  # fmt: skip


def collect(config: Config, ledger: Any | None = None) -> dict[str, Any]:
    """The whole status as the stable dict above (opens the ledger when none is given).

    ``status`` always answers, whatever the watcher is doing meanwhile: a ledger that cannot be
    reached (a PostgreSQL server down, a locked or full disk: an environment fault, see
    ``automation.core.faults``) or cannot be read at all (a damaged file) still gives the
    watcher's own state, the backlog and ``ledger_problem`` (what to fix); what only the ledger
    knows is empty then. Files the watcher moves while they are counted are simply not counted.
    A ledger configured wrongly (a missing driver, a network share, a newer schema) is the one
    exception: the same for every call, it is the command's one line and exit code 2."""
    from automation.ledger import LedgerError
    from automation.ledger.migrate import MigrationError

    try:
        return _collect(config, ledger)
    except (LedgerError, MigrationError):  # configured wrongly: one line, exit 2 (automation.cli)
        raise
    except Exception as exc:
        from automation.core.faults import classify

        fault = classify(exc, config)
        if fault is not None:
            problem = fault.message
        else:
            first = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [""])[0]
            problem = both("status-ledger-unreadable", what=f"{type(exc).__name__}: {first}")
        now = clock.now()
        return {
            "schema": SCHEMA_VERSION, "generated_at": now.isoformat(timespec="seconds"),
            "today": now.date().isoformat(), "site": config.site, "watcher": watcher_state(config),
            "backlog": backlog(config), "ledger_problem": problem,
            "counts": {w: dict.fromkeys(TERMINAL, 0) for w in ("today", "total")}, "awaiting_fix": [],
            "missing_today": _missing(config, [], now.date()), "mail": {"pending": 0, "needs_a_person": []},
            "conflicts": [], "conflict_copies": [], "reports": {"pending": [], "held_open": held_open(config.state_root)},
            "sites": [],
        }  # fmt: skip


def _collect(config: Config, ledger: Any | None) -> dict[str, Any]:
    from automation.ledger import open_ledger
    from automation.ledger.sites import heartbeats

    own = ledger is None
    ledger = ledger or open_ledger(config)
    try:
        c = t.submissions.c
        with ledger.read() as conn:
            sites = heartbeats(conn)
            rows = conn.execute(awaiting.ROWS).all()
            copies = conn.execute(
                sa.select(c.id, c.original_name, c.conflict_copy_of, c.status, c.received_at, c.folder)
                .where(c.conflict_copy_of.is_not(None), c.status != "duplicate")
                .order_by(c.id)
            ).all()
            k = t.conflicts.c
            ledger_state = _mail_rows(conn)
            conflicts = conn.execute(
                sa.select(k.customer_id, k.owner, k.claimed_by, k.submission_id, k.created_at)
                .where(k.resolved_at.is_(None))
                .order_by(k.id)
            ).all()
        pending = ledger.dirty_weeks()
        company = [w for r, w in pending if r == COMPANY_MARK]
    finally:
        if own:
            ledger.close()
    now = clock.now()
    today = now.date()
    return {
        "schema": SCHEMA_VERSION,
        "generated_at": now.isoformat(timespec="seconds"),
        "today": today.isoformat(),
        "site": config.site,
        "watcher": watcher_state(config),
        "backlog": backlog(config),
        "counts": _counts(rows, today),
        "awaiting_fix": awaiting.awaiting(rows),
        "missing_today": _missing(config, rows, today),
        "mail": _mail(ledger_state),
        "conflicts": [
            {
                "customer_id": r.customer_id,
                "owner": r.owner,
                "claimed_by": r.claimed_by,
                "submission_id": r.submission_id,
                "at": r.created_at.isoformat(timespec="seconds"),
            }
            for r in conflicts
        ],  # fmt: skip
        "conflict_copies": [
            {
                "submission_id": r.id,
                "file": r.original_name,
                "copy_of": r.conflict_copy_of,
                "status": r.status,
                "received_at": r.received_at.isoformat(timespec="seconds"),
                "folder": r.folder,
            }
            for r in copies
            if (today - r.received_at.date()).days <= CONFLICT_COPY_DAYS
        ],  # fmt: skip
        "reports": {
            "pending": [{"region": r, "week": w} for r, w in pending if r != COMPANY_MARK],
            "company_pending": company,  # several sites: weeks whose company workbook HQ must rebuild
            "held_open": held_open(config.state_root),
        },
        "sites": sites,
    }
