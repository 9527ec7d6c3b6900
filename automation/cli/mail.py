"""``salesflow mail [--week W | --date D] [--kind K ...] [--send] [--resend KEY ...]``.

Thin: parses options, calls :func:`automation.pipeline.send_mail` (the mail stage, with the
workbooks a weekly summary attaches built first when missing), prints what was written and sent and
where (the lines: :func:`automation.pipeline.said.mail_lines`). With neither ``--week`` nor ``--date`` it does what the watcher would do now (whatever is
due on the product clock). Exit codes: 0 done; 1 some message failed or is unsure (a person must
look: see the list printed); 2 config error, bad option, or the ledger cannot be opened.
"""

from __future__ import annotations

import sys
from datetime import date

import click

from automation.cli.shared import EXIT_ATTENTION, EXIT_USAGE, fail
from automation.core.config import MAIL_KINDS
from automation.core.texts import both
from automation.core.texts.cli import command_help
from automation.core.workcal import WeekError, parse_week, week_key
from automation.mail import MailError
from automation.mail.render import TemplatesMissing
from automation.pipeline import send_mail
from automation.pipeline.said import mail_lines


@click.command("mail", help=command_help("mail"))
@click.option("--week", help="The weekly summaries of this ISO week, e.g. 2026-W48.")
@click.option("--date", "day", help="The morning brief, reminders and notices of this day, e.g. 2026-11-23.")
@click.option(
    "--kind", "kinds", multiple=True, type=click.Choice(MAIL_KINDS), help="Only these kinds (repeatable)."
)
@click.option(
    "--send", is_flag=True, help="Also send every written, unsent message over SMTP (smtp.* in config)."
)
@click.option("--resend", "resend", multiple=True, metavar="KEY",
              help="After checking with the recipient: send this unsure or failed message again (repeatable).")  # fmt: skip
@click.pass_obj
def command(
    app, week: str | None, day: str | None, kinds: tuple[str, ...], send: bool, resend: tuple[str, ...]
) -> None:  # type: ignore[no-untyped-def]
    config = app.config
    if week and day:
        fail(both("mail-week-or-date"))
    try:
        week = week_key(parse_week(week)[0]) if week else None
        the_day = date.fromisoformat(day) if day else None
    except WeekError as exc:
        fail(str(exc))
    except ValueError:
        fail(both("mail-bad-date", day=day))
    try:
        run = send_mail(config, week=week, day=the_day, kinds=list(kinds) or None, send=send, resend=resend)
    except (MailError, TemplatesMissing) as exc:
        fail(str(exc))
    for line, to_stderr in mail_lines(run, config, asked=bool(week or the_day), resend=resend):
        click.echo(line, err=to_stderr)
    report = run.report
    if report is None:  # a resend was asked and nothing could be released
        sys.exit(EXIT_USAGE)
    if report.failed or report.unsure or report.attention:
        sys.exit(EXIT_ATTENTION)
