"""``salesflow consolidate [--week 2026-W48] [--region ID] [--all-weeks]``: the weekly workbooks.

Thin: parses the options, calls :func:`automation.consolidate.consolidate` and prints what was
written where (a file written beside its target because the target was open is flagged).
The default week is the week of the last day whose activity counts (today after the visit-report
deadline, else yesterday): on a Monday morning, last week's. ``--region`` (id, 中文名 or English name)
builds only that region's workbook and weekly report; ``--all-weeks`` every week from the first form
on. Exit codes: 0 written; 2 a bad week or region, a config error, or the ledger cannot be opened.
"""

from __future__ import annotations

import click

from automation.cli.shared import fail
from automation.core.texts import both


@click.command("consolidate")
@click.option(
    "--week", default=None, help="ISO week, e.g. 2026-W48 (default: the latest week with activity)."
)
@click.option("--region", default=None, help="Only this region (id, 中文名 or English name).")
@click.option("--all-weeks", is_flag=True, help="Every week from the first form on.")
@click.pass_obj
def command(app, week: str | None, region: str | None, all_weeks: bool) -> None:  # type: ignore[no-untyped-def]
    """汇总周报 / The week's region and company workbooks and the pre-filled weekly reports, written
    into reports/<week>/ (default: the week of the last day whose activity counts — on a Monday
    morning, last week); prints each file written."""
    from automation.consolidate import ConsolidateError, consolidate

    config = app.config
    if week and all_weeks:
        fail(both("consolidate-week-or-all"))
    try:
        report = consolidate(config, week, region, all_weeks=all_weeks)
    except ConsolidateError as exc:
        fail(str(exc))
    root = config.shared_root
    for w in report.written:
        shown = w.path.relative_to(root) if w.path.is_relative_to(root) else w.path
        line = f"{w.week}  {w.kind:13}  {shown}"
        if w.beside:
            line += "   (" + both("consolidate-beside", name=w.target.name) + ")"
        click.echo(line)
    folders = sorted({w.path.parent for w in report.written})
    click.echo(both("consolidate-written", n=len(report.written), folders=", ".join(map(str, folders))))
