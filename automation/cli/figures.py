"""``salesflow figures [--week 2026-W48] [--region NAME] [--json]``: every figure of SPEC §3.

Thin: reads the ledger's frames, calls :func:`automation.score.compute_all` for the week, MTD, QTD
and YTD, and prints either a compact table per period or, with ``--json``, the stable shape
documented in :mod:`automation.score.export` (schema ``salesflow.figures/1``).

The default week is the current ISO week of the product clock (``SALESFLOW_NOW``); activity counts up
to today once today's visit-report deadline has passed, else up to yesterday
(:func:`automation.core.workcal.default_as_of`). ``--region`` takes a region id or its Chinese / English
name. Exit codes: 0 printed; 2 a bad week or region, a config error, or the ledger cannot be opened.
"""

from __future__ import annotations

import json
import math
import sys
import unicodedata
from typing import Any

import click

from automation.core import clock
from automation.core.workcal import WeekError, WorkCalendar, default_as_of, parse_week, week_key
from automation.score import RegionError, compute_all
from automation.score.export import to_json

EXIT_ERROR = 2
_TABLE = [
    ("level", "level", 7),
    ("owner", "id", 7),
    ("name", "name 名称", 22),
    ("visits", "visits 拜访", 11),
    ("effective_rate", "eff% 有效", 9),
    ("sales", "sales 销售额", 13),
    ("sales_target", "target 目标", 13),
    ("sales_attainment", "att% 达成", 9),
    ("sales_status", "status", 7),
    ("new_customers", "new 新客", 8),
    ("on_time_rate", "on-time 准时", 12),
]


def _pad(text: str, width: int) -> str:
    """Left-align by display width: a Chinese character takes two columns in a terminal."""
    shown = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - shown, 0)


def _cell(col: str, v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if col.endswith(("_rate", "_attainment")):
        return f"{100 * float(v):.0f}%"
    if col in ("sales", "sales_target"):
        return f"{float(v):,.2f}"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def render(result: dict[str, Any], cal: WorkCalendar) -> list[str]:
    """A compact human table per period (both languages in the headers)."""
    lines: list[str] = []
    names = {
        "week": "本周 / week",
        "mtd": "本月至今 / month to date",
        "qtd": "本季至今 / quarter to date",
        "ytd": "本年至今 / year to date",
    }
    for kind, period in result["periods"].items():
        p = period.as_dict(cal)
        lines.append(
            f"{names[kind]} {p['key']} ({p['start']}..{p['as_of']}, "
            f"{p['elapsed_working_days']}/{p['working_days']} 工作日 working days)"
        )
        lines.append("  ".join(_pad(h, w) for _, h, w in _TABLE).rstrip())
        for row in result["scorecards"][kind].to_dict("records"):
            lines.append("  ".join(_pad(_cell(c, row.get(c)), w) for c, _, w in _TABLE).rstrip())
        lines.append("")
    grades = result["pareto"].set_index("grade")
    lines.append(
        "ABC: "
        + ", ".join(f"{g} {int(grades.loc[g, 'customers'])}" for g in grades.index)
        + f" | 逾期未访 / overdue {int((result['policy']['status'] == 'overdue').sum())}"
        + f" | 从未拜访 / never visited {len(result['never_visited'])}"
        + f" | 流失风险 / churn risk {len(result['churn'])}"
    )
    return lines


@click.command("figures")
@click.option("--week", "week", default=None, help="ISO week, e.g. 2026-W48 (default: the current week).")
@click.option("--region", "region", default=None, help="Only this region (id, 中文名 or English name).")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the stable JSON shape (schema salesflow.figures/1)."
)
@click.pass_obj
def command(app, week: str | None, region: str | None, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    """指标 / Every figure for a week, MTD, QTD and YTD, per rep, region and company."""
    from automation.ledger import LedgerError, open_ledger

    config = app.config
    now = clock.now()
    try:
        key = week_key(parse_week(week)[0]) if week else week_key(now.date())
        with open_ledger(config) as ledger:
            frames = ledger.frames()
        result = compute_all(frames, config, key, region, as_of=default_as_of(now, config))
    except (WeekError, RegionError, LedgerError) as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_ERROR)
    cal = WorkCalendar(config)
    if as_json:
        click.echo(json.dumps(to_json(result, cal, now), ensure_ascii=False, indent=1))
    else:
        for line in render(result, cal):
            click.echo(line)
