"""The mail stage, in order: decide what is due -> build drafts -> write .eml + log -> send pending.

Three entry points, one path:

- :func:`mail` — ``salesflow mail``: the messages of a week (``week``), of a day (``day``: brief,
  reminders, and the events of forms received that day), or, with neither, whatever is due now;
  explicit requests rewrite messages not yet sent (fresh figures), ``send`` sends what is pending.
- :func:`after_burst` — the watcher, after each burst of processed forms: escalations, rejection
  notices and register receipts for those forms, written and (when SMTP is configured) sent.
- :func:`due` — the watcher, periodically: scheduled messages due now and not yet in the sent log,
  plus any event a crash kept :func:`after_burst` from mailing; then sends what is pending.

Nothing here computes a figure: drafts are built from the score stage by :mod:`weekly`,
:mod:`daily` and :mod:`events`, scoped by :mod:`routing`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from automation.core import clock
from automation.core.config import MAIL_KINDS, Config
from automation.core.texts.errors import ERRORS
from automation.core.texts.log import LOG
from automation.core.texts.notes import SET_ASIDE
from automation.ledger.shared import MAIL, exclusive
from automation.mail import daily, events, outbox, schedule, sendlog, weekly
from automation.mail.compose import compose, sender
from automation.mail.draft import Draft
from automation.mail.transport import Transport, Undelivered, Unsure

log = logging.getLogger("automation.mail")
EVENT_KINDS = ("escalation", "rejection", "receipt")


class MailError(RuntimeError):
    """A request mail cannot carry out (e.g. --send without smtp.host); the CLI prints it."""


@dataclass
class MailReport:
    """What one run did; the CLI prints it, the watcher logs it."""

    written: list[Path] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # already sent (or being sent): not rewritten
    sent: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    unsure: list[str] = field(default_factory=list)
    attention: list[sendlog.LogRow] = field(default_factory=list)  # unsure / failed for good

    def merge(self, other: MailReport) -> MailReport:
        for f in ("written", "kept", "sent", "failed", "unsure"):
            getattr(self, f).extend(getattr(other, f))
        self.attention = other.attention or self.attention
        return self

    @property
    def empty(self) -> bool:
        return not (self.written or self.sent or self.failed or self.unsure)


# ----- writing --------------------------------------------------------------------------------


Prepare = Callable[[str], None]  # makes the outputs of an ISO week (the pipeline's consolidation)


def write(
    config: Config,
    ledger: Any,
    drafts: list[Draft],
    *,
    rewrite: bool,
    now: datetime | None = None,
    prepare: Prepare | None = None,
) -> MailReport:
    """Write each draft's .eml and log it; never touch one already sent, sending or unsure.

    ``rewrite`` False (the watcher): a message already written is left as it is. ``prepare``: called
    with the week of the weekly summaries about to be written, before they are (the pipeline
    brings that week's workbooks up to date: this stage never reaches for a later one); an
    attachment still missing then is named in the message."""
    now = now or clock.now()
    report = MailReport()
    drafts = [d for d in drafts if ours(config, d)]
    known = sendlog.statuses(ledger, [d.key for d in drafts])
    todo = []
    for d in drafts:
        st = known.get(d.key)
        if st in sendlog.FINAL or (st is not None and not rewrite):
            report.kept.append(d.key)
        else:
            todo.append(d)
    if prepare is not None:
        for week in sorted({d.period for d in todo if d.kind == "weekly"}):
            prepare(week)
    for d in todo:
        msg = compose(config, d, now)
        path = outbox.path_for(config, d)
        if not sendlog.writable(ledger, d.key):  # sent meanwhile by another process
            report.kept.append(d.key)
            continue
        path = outbox.write(config, d, msg)
        sendlog.record_written(ledger, key=d.key, kind=d.kind, period=d.period, recipients=d.addresses,
                               subject=str(msg["Subject"]), message_id=str(msg["Message-ID"]),
                               eml_path=outbox.relative(config, path))  # fmt: skip
        report.written.append(path)
    return report


# ----- sending --------------------------------------------------------------------------------


def send_pending(config: Config, ledger: Any, *, sleep: Any = time.sleep) -> MailReport:
    """Send every written or failed message, each its own claimed SMTP transaction, retried with
    back-off (``smtp.retries``, ``smtp.retry_backoff`` doubling) while the failure is transient."""
    report = MailReport()
    orphans = sendlog.settle_orphans(ledger)
    if orphans:
        log.warning(LOG["mail-orphans"],
                    ", ".join(orphans))  # fmt: skip
    rows = sendlog.pending(ledger)
    if rows:
        with Transport(config.smtp) as transport:
            for row in rows:
                _send_one(config, ledger, transport, row, report, sleep)
    report.attention = sendlog.needs_a_person(ledger)
    return report


def _send_one(
    config: Config, ledger: Any, transport: Transport, row: sendlog.LogRow, report: MailReport, sleep: Any
) -> None:
    path = outbox.resolve(config, row.eml_path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        unreadable = SET_ASIDE["eml-unreadable"].format(error=exc)
        if sendlog.claim(ledger, row.key):
            sendlog.mark_failed(ledger, row.key, unreadable)
        report.failed.append((row.key, unreadable))
        return
    delay = config.smtp.retry_backoff
    for attempt in range(config.smtp.retries + 1):
        if not sendlog.claim(ledger, row.key):
            return  # another process has it, or it was sent meanwhile
        try:
            transport.deliver(sender(config).addr_spec, row.recipients, data)
        except Undelivered as exc:
            sendlog.mark_failed(ledger, row.key, str(exc))
            if exc.transient and attempt < config.smtp.retries:
                log.info(LOG["mail-retry"], row.key, exc, delay)
                sleep(delay)
                delay *= 2
                continue
            log.warning(LOG["mail-not-sent"], row.key, exc)
            report.failed.append((row.key, str(exc)))
            return
        except Unsure as exc:
            sendlog.mark_unsure(ledger, row.key, str(exc))
            log.error(LOG["mail-unsure"], row.key, exc)
            report.unsure.append(row.key)
            return
        sendlog.mark_sent(ledger, row.key)
        report.sent.append(row.key)
        return


# ----- entry points ----------------------------------------------------------------------------


def check_request(config: Config, *, send: bool) -> None:
    """Raise :class:`MailError` for a request that cannot be carried out (``send`` without a server)."""
    if send and not config.smtp.configured:
        raise MailError(ERRORS["mail-no-smtp"])


def mail(
    config: Config,
    ledger: Any,
    *,
    week: str | None = None,
    day: date | None = None,
    kinds: list[str] | None = None,
    send: bool = False,
    now: datetime | None = None,
    prepare: Prepare | None = None,
) -> MailReport:
    """``salesflow mail``: see the module docstring. ``prepare``: see :func:`write`."""
    with exclusive(getattr(ledger, "engine", None), MAIL):
        return _mail(config, ledger, week=week, day=day, kinds=kinds, send=send, now=now, prepare=prepare)


def _mail(
    config: Config, ledger: Any, *, week: str | None, day: date | None, kinds: list[str] | None, send: bool,
    now: datetime | None, prepare: Prepare | None,
) -> MailReport:  # fmt: skip
    now = now or clock.now()
    check_request(config, send=send)
    wanted = [k for k in (kinds or MAIL_KINDS) if k in MAIL_KINDS]
    if week is None and day is None:
        report = due(config, ledger, now, send=False, kinds=wanted, prepare=prepare)
    else:
        drafts: list[Draft] = []
        frames = ledger.frames()
        if week is not None and "weekly" in wanted:
            drafts += _weekly(config, ledger, frames, week, now)
        if day is not None:
            if "brief" in wanted:
                drafts += daily.briefs(config, daily.day_figures(config, frames, day))
            if "reminder" in wanted:
                drafts += daily.reminders(config, frames, day)
            ev = [k for k in EVENT_KINDS if k in wanted]
            if ev:
                drafts += [
                    d for d in events.drafts(config, ledger, _received_on(ledger, day)) if d.kind in ev
                ]
        report = write(config, ledger, drafts, rewrite=True, now=now, prepare=prepare)
    if send:
        report.merge(send_pending(config, ledger))
    else:
        report.attention = sendlog.needs_a_person(ledger)
    return report


def after_burst(
    config: Config, ledger: Any, outcomes: list[Any], *, prepare: Prepare | None = None
) -> MailReport:
    """After a burst of processed forms: their event messages, written and sent if configured."""
    with exclusive(getattr(ledger, "engine", None), MAIL):
        return _after_burst(config, ledger, outcomes, prepare)


def _after_burst(config: Config, ledger: Any, outcomes: list[Any], prepare: Prepare | None) -> MailReport:
    ids = [o.submission_id for o in outcomes if getattr(o, "submission_id", None) is not None]
    drafts = events.drafts(config, ledger, sorted(set(ids)))
    report = write(config, ledger, drafts, rewrite=False, prepare=prepare)
    if config.smtp.configured:
        report.merge(send_pending(config, ledger))
    return report


_DONE: set[tuple[str, str, str]] = set()  # (installation, kind, period) fully written this process


def due(config: Config, ledger: Any, now: datetime | None = None, *, send: bool | None = None,
        kinds: list[str] | None = None, prepare: Prepare | None = None) -> MailReport:  # fmt: skip
    """Whatever is due at ``now`` and not yet in the sent log: scheduled messages and missed
    events; then pending messages are sent (when SMTP is configured, or as ``send`` says).

    Cheap when nothing is due: scheduled work done once in this process is remembered, event
    keys are checked against the log before anything is built, and figures are only computed
    when a message needs them."""
    with exclusive(getattr(ledger, "engine", None), MAIL):
        return _due(config, ledger, now, send=send, kinds=kinds, prepare=prepare)


def _due(config: Config, ledger: Any, now: datetime | None, *, send: bool | None,
         kinds: list[str] | None, prepare: Prepare | None) -> MailReport:  # fmt: skip
    now = now or clock.now()
    wanted = set(kinds or config.mail.kinds) & set(config.mail.kinds)
    inst = str(config.state_root)
    drafts: list[Draft] = []
    frames = None
    for item in schedule.due(config, now):
        if item.kind not in wanted or (inst, item.kind, item.period) in _DONE:
            continue
        frames = frames if frames is not None else ledger.frames()
        if item.kind == "weekly":
            drafts += _weekly(config, ledger, frames, item.period, now)
        elif item.kind == "brief":
            drafts += daily.briefs(config, daily.day_figures(config, frames, date.fromisoformat(item.period)))
        elif item.kind == "reminder":
            drafts += daily.reminders(config, frames, date.fromisoformat(item.period))
    ev = [k for k in EVENT_KINDS if k in wanted]
    if ev:
        ids = events.recent_ids(ledger, now)
        logged = sendlog.statuses(ledger, [f"{k}:{i}" for i in ids for k in ev])
        todo = [i for i in ids if not any(f"{k}:{i}" in logged for k in ev)]
        drafts += [d for d in events.drafts(config, ledger, todo) if d.kind in ev]
    report = write(config, ledger, drafts, rewrite=False, now=now, prepare=prepare)
    for item in schedule.due(config, now):
        if item.kind in wanted:
            _DONE.add((inst, item.kind, item.period))
    if send if send is not None else config.smtp.configured:
        report.merge(send_pending(config, ledger))
    return report


def _weekly(config: Config, ledger: Any, frames: Any, week: str, now: datetime) -> list[Draft]:
    from automation.ledger.awaiting import awaiting_fix

    figs = weekly.week_figures(config, frames, week, now)
    return weekly.drafts(config, figs, ledger, awaiting_fix(ledger))


def ours(config: Config, draft: Draft) -> bool:
    """Whether this site writes and sends ``draft`` (issue 18). Each site mails about the forms it
    received (escalations, rejection notices, receipts: their attachments are in its shared
    folder) and, on schedule, the people of the regions it serves (their region workbook is in its
    ``reports/``); HQ mails the managers (the company workbook is HQ's). One site alone mails all."""
    if not config.multi_site or draft.kind in EVENT_KINDS:
        return True
    person = config.person(draft.key.rsplit(":", 1)[-1])
    region = getattr(person, "region", None)
    return config.owns_region(region) if region else config.is_hq


def _received_on(ledger: Any, day: date) -> list[int]:
    """Submissions received on ``day`` (``salesflow mail --date D`` mails their events)."""
    import sqlalchemy as sa

    from automation.ledger import schema as t

    s = t.submissions.c
    start = datetime.combine(day, datetime.min.time())
    with ledger.read() as conn:
        rows = conn.execute(
            sa.select(s.id)
            .where(
                s.received_at >= start,
                s.received_at < start + timedelta(days=1),
                s.site == ledger.config.site,
            )
            .order_by(s.id)
        ).all()
    return [r.id for r in rows]
