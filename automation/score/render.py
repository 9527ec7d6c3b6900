"""The figures as a compact table per period for a terminal (``salesflow figures``); the JSON shape
is :mod:`automation.score.export`'s. Numbers are rounded here, where they are shown, never before."""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from automation.core.texts import both, say
from automation.core.workcal import WorkCalendar

_TABLE = [  # (column, header key in the catalog, width)
    ("level", "figures-col-level", 7),
    ("owner", "figures-col-owner", 7),
    ("name", "figures-col-name", 22),
    ("visits", "figures-col-visits", 11),
    ("effective_rate", "figures-col-effective", 9),
    ("sales", "figures-col-sales", 13),
    ("sales_target", "figures-col-target", 13),
    ("sales_attainment", "figures-col-attainment", 9),
    ("sales_status", "figures-col-status", 7),
    ("new_customers", "figures-col-new", 8),
    ("on_time_rate", "figures-col-on-time", 12),
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


def _header(key: str) -> str:
    """``visits 拜访``: the English word first, as a column header reads in a terminal."""
    en, zh = say(key, "en"), say(key, "zh")
    return f"{en} {zh}" if zh and zh != en else en


def render(result: dict[str, Any], cal: WorkCalendar) -> list[str]:
    """A compact human table per period (both languages in the headers)."""
    lines: list[str] = []
    for kind, period in result["periods"].items():
        p = period.as_dict(cal)
        lines.append(
            f"{both('figures-period-' + kind)} {p['key']} ({p['start']}..{p['as_of']}, "
            f"{p['elapsed_working_days']}/{p['working_days']} {say('figures-working-days', 'zh')} "
            f"{say('figures-working-days', 'en')})"
        )
        lines.append("  ".join(_pad(_header(h), w) for _, h, w in _TABLE).rstrip())
        for row in result["scorecards"][kind].to_dict("records"):
            lines.append("  ".join(_pad(_cell(c, row.get(c)), w) for c, _, w in _TABLE).rstrip())
        lines.append("")
    grades = result["pareto"].set_index("grade")
    lines.append(
        f"{both('figures-abc')}: "
        + ", ".join(f"{g} {int(grades.loc[g, 'customers'])}" for g in grades.index)
        + f" | {both('figures-overdue')} {int((result['policy']['status'] == 'overdue').sum())}"
        + f" | {both('figures-never-visited')} {len(result['never_visited'])}"
        + f" | {both('figures-churn')} {len(result['churn'])}"
    )
    return lines
