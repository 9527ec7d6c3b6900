"""``salesflow watch [--poll] [--once]``: run the folder watcher (thin: options in, one call, exit code).

Exit codes: 0 done (``--once``) or stopped cleanly by SIGTERM/SIGINT; 1 some files were quarantined
(``--once``: cron notices); 2 config error or the ledger could not be opened; 3 another watcher
already runs for this installation.
"""

from __future__ import annotations

import logging
import sys

import click

from automation.watch import AlreadyRunning, Watcher
from automation.watch.state import setup_log_file

EXIT_ALREADY_RUNNING = 3
log = logging.getLogger("automation.watch")


def _batch_done(config):  # type: ignore[no-untyped-def]
    """After each burst: say what it changed and rebuild the workbooks of the region-weeks the
    pipeline marked dirty in the ledger (in the same transaction as the rows), so nothing is lost
    if the watcher dies before this runs: the marks stay until a consolidation clears them."""

    def hook(outcomes: list) -> None:  # type: ignore[type-arg]
        from collections import Counter

        from automation.consolidate import rebuild_dirty
        from automation.ledger import open_ledger

        counts = Counter(getattr(o, "status", "?") for o in outcomes)
        with open_ledger(config) as ledger:
            dirty = ledger.dirty_weeks()
            rebuild_dirty(config, ledger)  # the region and company workbooks of what the burst touched
        log.info(
            "batch done / 本批完成: %s; %d region-week(s) marked for consolidation / 待汇总",
            ", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
            len(dirty),
        )

    return hook


@click.command("watch")
@click.option(
    "--poll", is_flag=True, help="Poll the inbox instead of OS file events (network shares / SMB, NFS)."
)
@click.option(
    "--once", is_flag=True, help="Catch up the forms already in the inbox, then exit (cron, tests)."
)
@click.pass_obj
def command(app, poll: bool, once: bool) -> None:  # type: ignore[no-untyped-def]
    """监视收件箱 / Watch the inbox and process every form dropped into inbox/<id>/."""
    config = app.config
    console = logging.StreamHandler(sys.stdout)
    console.setFormatter(logging.Formatter("%(asctime)s %(message)s", datefmt="%H:%M:%S"))
    watch_log = logging.getLogger("automation.watch")
    watch_log.addHandler(console)
    file_handler = setup_log_file(config.state_root)
    try:
        summary = Watcher(config, poll=True if poll else None, on_batch_done=_batch_done(config)).run(
            once=once
        )
    except AlreadyRunning as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_ALREADY_RUNNING)
    finally:
        watch_log.removeHandler(console)
        logging.getLogger("automation").removeHandler(file_handler)
        file_handler.close()
    counts = ", ".join(f"{k} {v}" for k, v in sorted(summary.counts.items())) or "nothing to do / 无新表单"
    click.echo(f"完成 / done: {counts}")
    if summary.quarantined:
        click.echo(
            f"隔离 / quarantined ({len(summary.quarantined)}): " + ", ".join(summary.quarantined), err=True
        )
    if summary.fatal:
        click.echo(f"错误 / error: {summary.fatal}", err=True)
    sys.exit(summary.exit_code)
