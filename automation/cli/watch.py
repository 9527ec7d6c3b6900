"""``salesflow watch [--poll] [--once]``: run the folder watcher (thin: options in, one call, exit code).

:func:`automation.watch.watch` runs the watcher with the pipeline's hooks (after each burst the
touched weeks' workbooks and their mail; every minute the scheduled mail); its lines go to the
console as well as the log file.

Exit codes: 0 done (``--once``) or stopped cleanly by SIGTERM/SIGINT; 1 some files were quarantined,
or (``--once``) left in the inbox because of a fault of the environment (a full disk, a locked
ledger: the next run takes them; cron notices); 2 config error, a ledger refused by configuration
(inside the shared folder, on a network share), or (``--once``) a ledger that could not be opened;
3 another watcher already runs for this installation. Without ``--once`` the watcher never exits
because of its environment: it waits, and ``salesflow status`` says on what.
"""

from __future__ import annotations

import logging
import sys

import click

from automation.cli.shared import EXIT_FAULT, fail
from automation.core.texts import both
from automation.watch import AlreadyRunning, watch


@click.command("watch")
@click.option(
    "--poll", is_flag=True, help="Poll the inbox instead of OS file events (network shares / SMB, NFS)."
)
@click.option(
    "--once", is_flag=True, help="Catch up the forms already in the inbox, then exit (cron, tests)."
)
@click.pass_obj
def command(app, poll: bool, once: bool) -> None:  # type: ignore[no-untyped-def]
    """监视收件箱 / The folder watcher (the service): every form dropped into inbox/<id>/ through the
    pipeline; --poll for network shares; --once catches up and exits."""
    config = app.config
    console = logging.StreamHandler(sys.stdout)
    console.setFormatter(logging.Formatter("%(asctime)s %(message)s", datefmt="%H:%M:%S"))
    watch_log = logging.getLogger("automation.watch")
    watch_log.addHandler(console)
    try:
        summary = watch(config, poll=poll, once=once)
    except AlreadyRunning as exc:
        fail(str(exc), EXIT_FAULT)
    finally:
        watch_log.removeHandler(console)
    counts = ", ".join(f"{k} {v}" for k, v in sorted(summary.counts.items())) or both("watch-nothing")
    click.echo(both("watch-done", counts=counts))
    if summary.quarantined:
        click.echo(
            both("watch-quarantined", n=len(summary.quarantined), files=", ".join(summary.quarantined)),
            err=True,
        )
    if summary.waiting:
        click.echo(both("watch-waiting", n=len(summary.waiting), files="; ".join(summary.waiting)), err=True)
    if summary.fatal:
        click.echo(both("watch-error", error=summary.fatal), err=True)
    sys.exit(summary.exit_code)
