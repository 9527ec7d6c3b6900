"""``salesflow consolidate [--week 2026-W48] [--region ID] [--all-weeks]``: the weekly workbooks.

Thin: parses the options, calls :func:`automation.consolidate.consolidate` and prints what was
written where (a file written beside its target because the target was open is flagged).

The default week is the week of the last day whose activity counts (today after the visit-report
deadline, else yesterday): on a Monday morning, last week's. ``--region`` (id, 中文名 or English name)
builds only that region's workbook and weekly report; ``--all-weeks`` every week from the first form
on. Exit codes: 0 written; 2 a bad week or region, a config error, or the ledger cannot be opened.
"""

from __future__ import annotations

import sys

import click

EXIT_ERROR = 2


@click.command("consolidate")
@click.option(
    "--week", default=None, help="ISO week, e.g. 2026-W48 (default: the latest week with activity)."
)
@click.option("--region", default=None, help="Only this region (id, 中文名 or English name).")
@click.option("--all-weeks", is_flag=True, help="Every week from the first form on.")
@click.pass_obj
def command(app, week: str | None, region: str | None, all_weeks: bool) -> None:  # type: ignore[no-untyped-def]
    """汇总周报 / Build the week's region and company workbooks and the pre-filled weekly reports."""
    from automation.consolidate import ConsolidateError, consolidate
    from automation.ledger import LedgerError

    config = app.config
    if week and all_weeks:
        click.echo("--week 与 --all-weeks 只能选一个 / give --week or --all-weeks, not both", err=True)
        sys.exit(EXIT_ERROR)
    try:
        report = consolidate(config, week, region, all_weeks=all_weeks)
    except (ConsolidateError, LedgerError) as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_ERROR)
    root = config.shared_root
    for w in report.written:
        shown = w.path.relative_to(root) if w.path.is_relative_to(root) else w.path
        line = f"{w.week}  {w.kind:13}  {shown}"
        if w.beside:
            line += f"   (原文件正被打开，已另存 / {w.target.name} is open: written beside it)"
        click.echo(line)
    folders = sorted({w.path.parent for w in report.written})
    click.echo(
        f"已写入 {len(report.written)} 个文件 / {len(report.written)} file(s) written in "
        + ", ".join(map(str, folders))
    )
