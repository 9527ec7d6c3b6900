"""What follows the files: after each burst, the weeks they touched scored, consolidated and mailed;
and the mail that is due, or asked for, with the workbooks it attaches built first.

* :func:`after_burst` — score → consolidate → mail, once per burst of processed files: the
  watcher's hook after each burst, and the end of ``salesflow ingest``. The region-weeks the
  forms touched were marked in the ledger in the forms' own transactions, so a crash before this
  runs loses nothing: the marks stay until a consolidation clears them.
* :func:`due` — the watcher's periodic hook: the scheduled mail due now (weekly summaries, the
  morning brief, reminders) and any event a crash kept from being mailed.
* :func:`send_mail` — ``salesflow mail``: the messages of a week or a day, or what is due now.

A weekly summary attaches its week's workbooks. Before one is written, the mail stage calls back
here (:func:`_week_builder`): when forms were recorded for that week since its workbooks were last
built (the week is marked in the ledger: the demo mails before its last rebuild, a watcher
catching up mails before its first burst, a consolidation failed), the week is consolidated
first, so the mail attaches current workbooks instead of saying "attachment missing", and the
mail stage never reaches for a later stage. A week with no form recorded has nothing to build:
a region without a form that week has no workbook (the watcher rebuilds only the region-weeks
forms touched), and its supervisor's summary says so.
"""

from __future__ import annotations

import contextlib
import logging
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automation.core.config import Config
from automation.core.texts.log import LOG

if TYPE_CHECKING:
    from automation.ledger import Ledger
    from automation.mail import MailReport

log = logging.getLogger("automation.pipeline")


@dataclass
class Burst:
    """What :func:`after_burst` did (the watcher logs it, ``ingest`` prints the workbooks)."""

    counts: Counter[str] = field(default_factory=Counter)  # the burst's files by outcome
    written: list[Path] = field(default_factory=list)  # the workbooks and weekly reports rebuilt
    rebuilt: list[tuple[str, str]] = field(default_factory=list)  # (region, week) rebuilt
    left: list[tuple[str, str]] = field(
        default_factory=list
    )  # still to rebuild (failed, or marked meanwhile)
    mail: MailReport | None = None
    mail_error: BaseException | None = None  # the mail stage failed (logged by the caller; retried)


@dataclass
class MailRun:
    """What :func:`send_mail` did: the messages released for a resend, and the mail stage's report
    (None when a resend was asked and nothing could be released: nothing else was done)."""

    released: list[str] = field(default_factory=list)
    report: MailReport | None = None


@contextlib.contextmanager
def _opened(config: Config, ledger: Ledger | None) -> Iterator[Ledger]:
    """``ledger``, or one opened (and closed) here."""
    if ledger is not None:
        yield ledger
        return
    from automation.ledger import open_ledger

    with open_ledger(config) as own:
        yield own


def after_burst(config: Config, outcomes: Sequence[Any], *, ledger: Ledger | None = None) -> Burst:
    """After a burst of processed files: score and rebuild the workbooks of the region-weeks they
    touched (one computation per week), then mail their events (escalations, rejection notices,
    register receipts: after the rebuild, so the mail attaches the new workbooks). A consolidation
    fault is logged and its weeks stay marked; a mail fault is returned in :attr:`Burst.mail_error`;
    the forms are safe in the ledger either way, and the next burst retries."""
    from automation.consolidate import rebuild_dirty

    burst = Burst(counts=Counter(getattr(o, "status", "?") for o in outcomes))
    with _opened(config, ledger) as led:
        before = led.dirty_weeks()
        burst.written = rebuild_dirty(config, led)  # score + consolidate, week by week
        burst.left = led.dirty_weeks()  # a week that failed, or forms recorded meanwhile
        burst.rebuilt = sorted(set(before) - set(burst.left))
    burst.mail, burst.mail_error = _mail_safely(config, ledger, "after_burst", list(outcomes))
    return burst


def due(config: Config, *, ledger: Ledger | None = None) -> tuple[MailReport | None, BaseException | None]:
    """The watcher's periodic hook: ``(report, None)``, or ``(None, the exception)`` when the mail
    stage failed (the watcher logs it; the next minute retries)."""
    return _mail_safely(config, ledger, "due")


def send_mail(
    config: Config,
    *,
    week: str | None = None,
    day: date | None = None,
    kinds: list[str] | None = None,
    send: bool = False,
    resend: Sequence[str] = (),
    now: datetime | None = None,
    ledger: Ledger | None = None,
) -> MailRun:
    """``salesflow mail`` (see :func:`automation.mail.mail`), the weekly summaries' workbooks built
    first when missing. ``resend``: keys of unsure or failed messages a person checked, released to
    be sent again first. Raises what the mail stage raises for a request it cannot carry out."""
    from automation import mail
    from automation.mail import sendlog

    run = MailRun()
    with _opened(config, ledger) as led:
        if resend:
            run.released = sendlog.release(led, list(resend))
            if not run.released:
                return run
        run.report = mail.mail(
            config,
            led,
            week=week,
            day=day,
            kinds=kinds,
            send=send,
            now=now,
            prepare=_week_builder(config, led),
        )
    return run


def _mail_safely(
    config: Config, ledger: Ledger | None, step: str, *args: Any
) -> tuple[MailReport | None, BaseException | None]:
    from automation import mail

    try:
        with _opened(config, ledger) as led:
            return getattr(mail, step)(config, led, *args, prepare=_week_builder(config, led)), None
    except Exception as exc:
        return None, exc


def _week_builder(config: Config, ledger: Ledger) -> Callable[[str], None]:
    """The mail stage's ``prepare``: bring a week's workbooks up to date before its weekly summaries
    are written, when forms were recorded for it since they were last built (see the module
    docstring). A failure is logged; the mail still goes, naming what is missing."""

    def build(week: str) -> None:
        from automation.consolidate import consolidate

        try:
            if not any(w == week for _, w in ledger.dirty_weeks()):
                return
            written = consolidate(config, week, ledger=ledger).written
        except Exception:
            log.exception(LOG["weekly-mail-workbooks-failed"], week)
            return
        log.info(LOG["weekly-mail-workbooks"], week, len(written))

    return build
