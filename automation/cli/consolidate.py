"""``salesflow consolidate [--week 2026-W48] [--region ID] [--all-weeks]``: the weekly workbooks.

Thin: parses the options, calls :func:`automation.consolidate.consolidate` and prints what was
written where (:func:`automation.consolidate.said.written_lines`; a file written beside its target because the target was open is flagged).
The default week is the week of the last day whose activity counts (today after the visit-report
deadline, else yesterday): on a Monday morning, last week's. ``--region`` (id, Chinese or English name)
builds only that region's workbook and weekly report; ``--all-weeks`` every week from the first form
on. Exit codes: 0 written; 2 a bad week or region, a config error, or the ledger cannot be opened.
"""

from __future__ import annotations

import click

from automation.cli.shared import fail
from automation.core.texts import both
from automation.core.texts.cli import REGION_OPTION, command_help


@click.command("consolidate", help=command_help("consolidate"))
@click.option(
    "--week", default=None, help="ISO week, e.g. 2026-W48 (default: the latest week with activity)."
)
@click.option("--region", default=None, help=REGION_OPTION)
@click.option("--all-weeks", is_flag=True, help="Every week from the first form on.")
@click.pass_obj
def command(app, week: str | None, region: str | None, all_weeks: bool) -> None:  # type: ignore[no-untyped-def]
    from automation.consolidate import ConsolidateError, consolidate
    from automation.consolidate.said import written_lines

    config = app.config
    if week and all_weeks:
        fail(both("consolidate-week-or-all"))
    try:
        report = consolidate(config, week, region, all_weeks=all_weeks)
    except ConsolidateError as exc:
        fail(str(exc))
    for line in written_lines(report, config.shared_root):
        click.echo(line)
