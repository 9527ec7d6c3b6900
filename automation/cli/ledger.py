"""``salesflow ledger copy --to URL [--replace]``: move this installation's ledger into another database.

Thin: :func:`automation.ledger.copy.copy_ledger` copies and verifies (every table's row count, and
``figures --json`` of the latest week from both sides: :func:`automation.score.run.same_figures`);
this prints the counts. The usual use: a
branch that ran on SQLite joins the company's PostgreSQL ledger (README "Several branches, one
ledger"); afterwards set ``ledger_url`` to the URL in config.yaml. Exit codes: 0 copied and
verified; 2 refused (a target that already holds forms, without ``--replace``), did not verify, or
a ledger cannot be opened.
"""

from __future__ import annotations

import click

from automation.cli.shared import fail
from automation.core.texts import both
from automation.core.texts.cli import command_help


@click.group("ledger", help=command_help("ledger"))
def command() -> None:
    """The ``ledger`` group: its subcommands (one so far: ``copy``)."""


@command.command("copy", help=command_help("ledger copy"))
@click.option(
    "--to",
    "target",
    required=True,
    metavar="URL",
    help="The target's URL, e.g. postgresql://sales@db.example.com/salesflow",
)
@click.option(
    "--replace", is_flag=True, help="Delete what the target holds first (default: refuse a non-empty target)."
)
@click.pass_obj
def copy(app, target: str, replace: bool) -> None:  # type: ignore[no-untyped-def]
    from automation.ledger import LedgerError
    from automation.ledger.copy import CopyError, copy_ledger
    from automation.score.run import same_figures

    config = app.config
    url = config.model_copy(update={"ledger_url": target}).database_url  # postgresql:// -> psycopg 3
    try:
        report = copy_ledger(config, url, replace=replace, verify=same_figures)
    except (CopyError, LedgerError) as exc:
        fail(str(exc))
    for name, n in report.counts.items():
        click.echo(f"{name:20} {n}")
    click.echo(both("ledger-copied", rows=sum(report.counts.values()), week=report.week))
