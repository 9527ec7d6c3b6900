"""``salesflow watch [--poll] [--once]``: run the folder watcher (thin: options in, one call, exit code).

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

from automation.watch import AlreadyRunning, Watcher
from automation.watch.state import setup_log_file

EXIT_ALREADY_RUNNING = 3
log = logging.getLogger("automation.watch")


SHOWN_WEEKS = 6  # region-weeks named in the log line; the rest are counted


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
            before = ledger.dirty_weeks()
            written = rebuild_dirty(config, ledger)  # the region and company workbooks the burst touched
            left = ledger.dirty_weeks()  # a week that failed, or forms recorded meanwhile
        log.info(
            "batch done / 本批完成: %s; %s",
            ", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
            "; ".join(
                part
                for part in (
                    weeks_rebuilt(sorted(set(before) - set(left)), len(written), config),
                    left and weeks_to_rebuild(left),
                )
                if part
            )
            or weeks_to_rebuild([]),
        )
        _mail(config, "after_burst", outcomes)  # after the rebuild: the mail attaches those workbooks

    return hook


def weeks_rebuilt(done: list[tuple[str, str]], files: int, config) -> str:  # type: ignore[no-untyped-def]
    """``workbooks rebuilt / 已重建工作簿: east 2026-W48 (3 file(s) in .../reports)``; '' for none."""
    if not done:
        return ""
    shown = ", ".join(f"{region} {week}" for region, week in done[:SHOWN_WEEKS])
    more = f" (+{len(done) - SHOWN_WEEKS})" if len(done) > SHOWN_WEEKS else ""
    return f"workbooks rebuilt / 已重建工作簿: {shown}{more} ({files} file(s) in {config.reports})"


def weeks_to_rebuild(dirty: list[tuple[str, str]]) -> str:
    """``2 region-week(s) to rebuild / 待重建的区域周: east 2026-W48, south 2026-W48``."""
    if not dirty:
        return "no region-week to rebuild / 无待重建的区域周"
    shown = ", ".join(f"{region} {week}" for region, week in sorted(dirty)[:SHOWN_WEEKS])
    more = f" (+{len(dirty) - SHOWN_WEEKS})" if len(dirty) > SHOWN_WEEKS else ""
    return f"{len(dirty)} region-week(s) to rebuild / 待重建的区域周: {shown}{more}"


def _mail(config, step: str, *args) -> None:  # type: ignore[no-untyped-def]
    """Escalations, notices and receipts after a burst; scheduled mail periodically (the sent
    log makes both safe to repeat). A mail fault is logged, never stops the watcher."""
    from automation import mail
    from automation.ledger import open_ledger

    try:
        with open_ledger(config) as ledger:
            report = getattr(mail, step)(config, ledger, *args)
    except Exception:
        log.exception("mail (%s) failed; the next run retries / 邮件失败，稍后重试", step)
        return
    if not report.empty:
        log.info("mail / 邮件: written %d, sent %d, failed %d, unsure %d (outbox: %s)", len(report.written),
                 len(report.sent), len(report.failed), len(report.unsure), config.outbox)  # fmt: skip


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
        summary = Watcher(
            config, poll=True if poll else None, on_batch_done=_batch_done(config),
            on_periodic=lambda: _mail(config, "due"),
        ).run(once=once)  # fmt: skip
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
    if summary.waiting:
        click.echo(
            f"留待下次 / left for the next run ({len(summary.waiting)}): " + "; ".join(summary.waiting),
            err=True,
        )
    if summary.fatal:
        click.echo(f"错误 / error: {summary.fatal}", err=True)
    sys.exit(summary.exit_code)
