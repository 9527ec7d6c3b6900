"""The sent log (ledger table ``mail_log``): no message is written twice over a sent one, and none
goes out twice, even across a crash.

A message's life, one row keyed by what it is (``weekly:2026-W48:rep:R001``)::

    written  --claim-->  sending  --server said 250-->  sent
       ^                    |  \\--server refused (4xx/5xx) or no connection--> failed --(retry)--> sending
       |                    \\--process died here (SIGKILL, power cut) ... found by the next run: unsure
       \\-- rewritten while not sent (newer figures)

Why this is conservative: ``claim`` commits ``sending`` durably *before* the SMTP ``DATA``
command, and ``sent`` is committed after the server's 250 reply. A crash in between leaves the row
in ``sending``; nobody can tell whether the server got the message, so it is never re-sent blindly:
the next run (of any process) sees a ``sending`` row that no live process owns and marks it
``unsure``; ``salesflow status`` and ``salesflow mail`` list it for a person to check with the
recipient, and ``salesflow mail --resend KEY`` sends it again. Should it then arrive twice, it
carries the same deterministic ``Message-ID``, which mail clients use to drop the copy.

``claim`` is a conditional UPDATE (``WHERE status IN ('written', 'failed')``), so the watcher and a
``salesflow mail --send`` running at the same time never both send one message. Portable Core SQL.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from automation.core import clock
from automation.ledger import schema as t

WRITTEN, SENDING, SENT, FAILED, UNSURE = "written", "sending", "sent", "failed", "unsure"
SENDABLE = (WRITTEN, FAILED)
FINAL = (SENT, SENDING, UNSURE)  # never rewritten nor sent again without a person
MAX_ATTEMPTS = 6  # in all, over every run; then the row stays failed for a person
_L = t.mail_log.c


_TOKEN = secrets.token_hex(4)  # tells this process from an earlier one that had the same pid


def owner_tag() -> str:
    """Which process holds a ``sending`` row: host, pid and a per-process token."""
    return f"{socket.gethostname()}:{os.getpid()}:{_TOKEN}"


@dataclass
class LogRow:
    key: str
    kind: str
    period: str
    recipients: list[str]
    subject: str
    message_id: str
    eml_path: str
    status: str
    attempts: int
    error: str
    owner: str
    sent_at: datetime | None

    @classmethod
    def of(cls, r: Any) -> LogRow:
        return cls(r.key, r.kind, r.period, json.loads(r.recipients or "[]"), r.subject, r.message_id,
                   r.eml_path, r.status, r.attempts, r.error, r.owner, r.sent_at)  # fmt: skip


def statuses(ledger: Any, keys: Iterable[str]) -> dict[str, str]:
    """key -> status for the keys already logged."""
    keys = list(keys)
    out: dict[str, str] = {}
    with ledger.read() as conn:
        for i in range(0, len(keys), 500):
            rows = conn.execute(sa.select(_L.key, _L.status).where(_L.key.in_(keys[i : i + 500]))).all()
            out.update({r.key: r.status for r in rows})
    return out


def get(ledger: Any, key: str) -> LogRow | None:
    with ledger.read() as conn:
        r = conn.execute(sa.select(t.mail_log).where(_L.key == key)).first()
    return LogRow.of(r) if r is not None else None


def record_written(
    ledger: Any, *, key: str, kind: str, period: str, recipients: list[str], subject: str,
    message_id: str, eml_path: str,
) -> bool:  # fmt: skip
    """Log a written .eml (new, or rewritten while not yet sent). False when the row is already
    sent, sending or unsure: then the caller must not have replaced the .eml (see :func:`writable`)."""
    now = clock.now()
    values = {"kind": kind, "period": period, "recipients": json.dumps(recipients, ensure_ascii=False),
              "subject": subject[:500], "message_id": message_id, "eml_path": eml_path, "updated_at": now,
              "site": _site(ledger)}  # fmt: skip
    with ledger.write() as conn:
        row = conn.execute(sa.select(_L.status).where(_L.key == key)).first()
        if row is None:
            conn.execute(sa.insert(t.mail_log).values(key=key, status=WRITTEN, attempts=0, error="", owner="",
                                                      created_at=now, **values))  # fmt: skip
            return True
        if row.status in FINAL:
            return False
        conn.execute(sa.update(t.mail_log).where(_L.key == key, _L.status.in_(SENDABLE)).values(**values))
        return True


def writable(ledger: Any, key: str) -> bool:
    """May the .eml of ``key`` be (re)written? Not once it is being or has been sent."""
    row = get(ledger, key)
    return row is None or row.status not in FINAL


def claim(ledger: Any, key: str) -> bool:
    """Take a written or failed message for sending (durably, before SMTP DATA). False when
    another process took it, it was sent meanwhile, or it failed too often."""
    with ledger.write() as conn:
        res = conn.execute(
            sa.update(t.mail_log)
            .where(_L.key == key, _L.status.in_(SENDABLE), _L.attempts < MAX_ATTEMPTS)
            .values(status=SENDING, attempts=_L.attempts + 1, owner=owner_tag(), updated_at=clock.now())
        )
        return res.rowcount == 1


def mark_sent(ledger: Any, key: str) -> None:
    now = clock.now()
    with ledger.write() as conn:
        conn.execute(
            sa.update(t.mail_log)
            .where(_L.key == key)
            .values(status=SENT, sent_at=now, updated_at=now, error="", owner="")
        )


def mark_failed(ledger: Any, key: str, error: str) -> None:
    """The server refused it, or could not be reached: not delivered, so it may be tried again."""
    with ledger.write() as conn:
        conn.execute(
            sa.update(t.mail_log)
            .where(_L.key == key, _L.status == SENDING)
            .values(status=FAILED, error=error[:2000], updated_at=clock.now(), owner="")
        )


def mark_unsure(ledger: Any, key: str, error: str) -> None:
    """The connection broke during DATA: the server may have the message. A person decides."""
    with ledger.write() as conn:
        conn.execute(
            sa.update(t.mail_log)
            .where(_L.key == key, _L.status == SENDING)
            .values(status=UNSURE, error=error[:2000], updated_at=clock.now())
        )


def _site(ledger: Any) -> str:
    """The site whose outbox/ this process writes (issue 18): only it can send those .eml files."""
    from automation.core.config import DEFAULT_SITE

    config = getattr(ledger, "config", None)
    return getattr(config, "site", DEFAULT_SITE) or DEFAULT_SITE


def pending(ledger: Any) -> list[LogRow]:
    """Written or failed messages of this site that may be sent (oldest first)."""
    with ledger.read() as conn:
        rows = conn.execute(
            sa.select(t.mail_log)
            .where(_L.status.in_(SENDABLE), _L.attempts < MAX_ATTEMPTS, _L.site == _site(ledger))
            .order_by(_L.created_at, _L.key)
        ).all()
    return [LogRow.of(r) for r in rows]


def settle_orphans(ledger: Any, alive: set[str] | None = None) -> list[str]:
    """``sending`` rows whose process is gone (a crash mid-send) become ``unsure``; returns their keys.

    ``alive``: owner tags of processes known to be running (this one is always alive). Rows of
    another live process on this host are left alone (it is sending them right now).
    """
    me = owner_tag()
    host = socket.gethostname()
    out = []
    with ledger.read() as conn:
        # this site's rows only: another site's sender runs on another machine, whose processes
        # cannot be seen from here (its own next run settles them)
        rows = conn.execute(
            sa.select(_L.key, _L.owner).where(_L.status == SENDING, _L.site == _site(ledger))
        ).all()
    for r in rows:
        if r.owner == me or (alive and r.owner in alive):
            continue
        h, pid, _ = (r.owner.split(":") + ["", ""])[:3]
        if h == host and pid.isdigit() and _pid_alive(int(pid)):
            continue
        mark_unsure(ledger, r.key, "the sending process stopped during SMTP DATA; check with the recipient")
        out.append(r.key)
    return out


def _pid_alive(pid: int) -> bool:
    """psutil, not ``os.kill(pid, 0)``: on Windows signal 0 would terminate the process."""
    import psutil

    if pid == os.getpid():
        return False  # this process's own rows here were left by an earlier process with our pid
    return bool(psutil.pid_exists(pid))


def needs_a_person(ledger: Any) -> list[LogRow]:
    """Messages a person must look at: unsure (maybe delivered) and failed for good."""
    with ledger.read() as conn:
        rows = conn.execute(
            sa.select(t.mail_log)
            .where(sa.or_(_L.status == UNSURE, sa.and_(_L.status == FAILED, _L.attempts >= MAX_ATTEMPTS)))
            .order_by(_L.updated_at, _L.key)
        ).all()
    return [LogRow.of(r) for r in rows]


def release(ledger: Any, keys: list[str]) -> list[str]:
    """A person checked: send these (unsure or failed) messages again. Returns the keys released."""
    done = []
    with ledger.write() as conn:
        for key in keys:
            res = conn.execute(
                sa.update(t.mail_log)
                .where(_L.key == key, _L.status.in_((UNSURE, FAILED)))
                .values(status=FAILED, attempts=0, owner="", updated_at=clock.now())
            )
            if res.rowcount == 1:
                done.append(key)
    return done
