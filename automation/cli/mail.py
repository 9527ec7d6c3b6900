"""``salesflow mail [--week W | --date D] [--kind K ...] [--send] [--resend KEY ...]``.

Thin: parses options, calls :func:`automation.mail.mail`, prints what was written and sent and
where. With neither ``--week`` nor ``--date`` it does what the watcher would do now (whatever is
due on the product clock). Exit codes: 0 done; 1 some message failed or is unsure (a person must
look: see the list printed); 2 config error, bad option, or the ledger cannot be opened.
"""

from __future__ import annotations

import sys
from datetime import date

import click

from automation.core.config import MAIL_KINDS
from automation.core.workcal import WeekError, parse_week
from automation.ledger import LedgerError
from automation.mail import MailError, mail
from automation.mail.render import TemplatesMissing

EXIT_ATTENTION = 1
EXIT_ERROR = 2


@click.command("mail")
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
    """邮件 / Write email summaries, briefs, reminders and notices into outbox/ and send them."""
    config = app.config
    if week and day:
        _fail("--week 和 --date 只能选一个 / use either --week or --date, not both")
    try:
        if week:
            start, _ = parse_week(week)
            week = f"{start.isocalendar()[0]}-W{start.isocalendar()[1]:02d}"
        the_day = date.fromisoformat(day) if day else None
    except WeekError as exc:
        _fail(str(exc))
    except ValueError:
        _fail(f"日期格式应为 2026-11-23 / --date must look like 2026-11-23, got {day!r}")
    from automation.ledger import open_ledger
    from automation.mail import sendlog

    try:
        with open_ledger(config) as ledger:
            if resend:
                released = sendlog.release(ledger, list(resend))
                for key in resend:
                    ok = key in released
                    click.echo(
                        f"{'将重发 / will resend' if ok else '无此待查邮件 / not unsure or failed'}: {key}"
                    )
                if not released:
                    sys.exit(EXIT_ERROR)
            report = mail(config, ledger, week=week, day=the_day, kinds=list(kinds) or None, send=send)
    except (MailError, LedgerError, TemplatesMissing) as exc:
        _fail(str(exc))
    for path in report.written:
        click.echo(f"写入 / written: {path}")
    if report.kept:
        click.echo(
            f"已写入或已发送，保持不变 / already written or sent, left as they are: {len(report.kept)}"
        )
    for key in report.sent:
        click.echo(f"已发送 / sent: {key}")
    for key, why in report.failed:
        click.echo(f"发送失败 / NOT sent: {key}: {why}", err=True)
    if not (report.written or report.sent or report.failed):
        click.echo(
            "没有需要写的邮件 / nothing to write" + ("" if week or the_day else " (nothing is due now)")
        )
    click.echo(f"发件箱 / outbox: {config.outbox}")
    if report.attention:
        click.echo(
            "需要人工确认 / needs a person (check with the recipient, then `salesflow mail --resend KEY`):",
            err=True,
        )
        for row in report.attention:
            click.echo(f"  {row.status} {row.key} -> {', '.join(row.recipients)}: {row.error}", err=True)
    if report.failed or report.unsure or report.attention:
        sys.exit(EXIT_ATTENTION)


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(EXIT_ERROR)
