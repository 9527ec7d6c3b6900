"""``salesflow figures [--week 2026-W48] [--region NAME] [--json]``: every figure of SPEC §3.

Thin: :func:`automation.score.run.figures` reads the ledger and computes the week, MTD, QTD and
YTD; this prints either a compact table per period (:mod:`automation.score.render`) or, with
``--json``, the stable shape documented in :mod:`automation.score.export` (schema
``salesflow.figures/1``). Exit codes: 0 printed; 2 a bad week or region, a config error, or the
ledger cannot be opened.
"""

from __future__ import annotations

import json

import click

from automation.cli.shared import fail, json_option
from automation.core.texts.cli import REGION_OPTION, command_help
from automation.core.workcal import WeekError
from automation.score import RegionError
from automation.score.export import to_json
from automation.score.render import render
from automation.score.run import figures


@click.command("figures", help=command_help("figures"))
@click.option("--week", "week", default=None, help="ISO week, e.g. 2026-W48 (default: the current week).")
@click.option("--region", "region", default=None, help=REGION_OPTION)
@json_option("Print the stable JSON shape (schema salesflow.figures/1).")
@click.pass_obj
def command(app, week: str | None, region: str | None, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    try:
        out = figures(app.config, week, region)
    except (WeekError, RegionError) as exc:
        fail(str(exc))
    if as_json:
        click.echo(json.dumps(to_json(out.result, out.calendar, out.now), ensure_ascii=False, indent=1))
    else:
        for line in render(out.result, out.calendar):
            click.echo(line)
