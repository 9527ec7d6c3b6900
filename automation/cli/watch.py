"""``salesflow watch [--poll] [--once]``: run the folder watcher (thin: options in, one call, exit code).

:func:`automation.watch.watch` runs the watcher with the pipeline's hooks (after each burst the
touched weeks' workbooks and their mail; every minute the scheduled mail); its lines go to the
console as well as the log file; :func:`automation.watch.said.summary_lines` says how it ended.

Exit codes: 0 done (``--once``) or stopped cleanly by SIGTERM/SIGINT; 1 some files were quarantined,
or (``--once``) left in the inbox because of a fault of the environment (a full disk, a locked
ledger: the next run takes them; cron notices); 2 config error, a ledger refused by configuration
(inside the shared folder, on a network share), or (``--once``) a ledger that could not be opened;
3 another watcher already runs for this installation. Without ``--once`` the watcher never exits
because of its environment: it waits, and ``salesflow status`` says on what.
"""

from __future__ import annotations

import sys

import click

from automation.cli.shared import EXIT_FAULT, fail
from automation.core.texts.cli import command_help
from automation.watch import AlreadyRunning, watch
from automation.watch.said import summary_lines


@click.command("watch", help=command_help("watch"))
@click.option(
    "--poll", is_flag=True, help="Poll the inbox instead of OS file events (network shares / SMB, NFS)."
)
@click.option(
    "--once", is_flag=True, help="Catch up the forms already in the inbox, then exit (cron, tests)."
)
@click.pass_obj
def command(app, poll: bool, once: bool) -> None:  # type: ignore[no-untyped-def]
    try:
        summary = watch(app.config, poll=poll, once=once, console=sys.stdout)
    except AlreadyRunning as exc:
        fail(str(exc), EXIT_FAULT)
    for line, to_stderr in summary_lines(summary):
        click.echo(line, err=to_stderr)
    sys.exit(summary.exit_code)
