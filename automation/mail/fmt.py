"""How numbers, dates and bars look in a message (named once, used by every context builder).

Charts are bars built from table cells, not images: Outlook's Word engine renders a ``<td>`` with
a pixel width and a background colour exactly, images are blocked by default in Outlook and most
webmail until the reader clicks, and no font has to be installed for Chinese labels, which stay
real text beside the bar. The plain-text part draws the same bars with block characters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

COLORS = {"green": "#15803d", "amber": "#b45309", "red": "#b91c1c", "none": "#6b7280"}
BAR_COLORS = {"green": "#22c55e", "amber": "#f59e0b", "red": "#ef4444", "none": "#93c5fd"}
TRACK = "#e5e7eb"
PACE = "#374151"
BAR_WIDTH = 160  # pixels of a full bar (100 %)
TEXT_BAR = 12  # characters of a full bar in the plain-text part


def missing(v: Any) -> bool:
    if v is None:
        return True
    try:
        return bool(isinstance(v, float) and math.isnan(v)) or v != v  # NaN, pd.NA
    except TypeError:  # pd.NA in a boolean context
        return True


def number(v: Any) -> float | None:
    if missing(v):
        return None
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def money(v: Any) -> str:
    """Whole yuan with thousands separators (the workbook has the cents): ``¥12,346``."""
    n = number(v)
    return "–" if n is None else f"¥{n:,.0f}"


def count(v: Any) -> str:
    n = number(v)
    return "–" if n is None else f"{n:,.0f}"


def pct(v: Any) -> str:
    n = number(v)
    return "–" if n is None else f"{n:.0%}"


def day(v: Any) -> str:
    if missing(v):
        return "–"
    if isinstance(v, datetime):
        v = v.date()
    if hasattr(v, "date") and not isinstance(v, date):
        v = v.date()  # pandas Timestamp
    return v.isoformat() if isinstance(v, date) else str(v)


def status_key(v: Any) -> str:
    return v if isinstance(v, str) and v in COLORS else "none"


@dataclass(frozen=True)
class Bar:
    """A horizontal bar: ``fill`` pixels of ``color`` then the grey track; optional pace mark."""

    fill: int
    rest: int
    color: str
    pace: int | None  # pixels to the pace mark, drawn as a thin second bar
    text: str  # the plain-text version, e.g. ``██████░░░░░░``


def bar(fraction: Any, status: str = "none", pace: Any = None, width: int = BAR_WIDTH) -> Bar:
    """A bar for a fraction (1.0 = full width; more is drawn full, the label says how much)."""
    f = number(fraction)
    f = 0.0 if f is None else max(0.0, min(f, 1.0))
    fill = round(f * width)
    p = number(pace)
    pace_px = None if p is None else round(max(0.0, min(p, 1.0)) * width)
    chars = round(f * TEXT_BAR)
    return Bar(
        fill, width - fill, BAR_COLORS[status_key(status)], pace_px, "█" * chars + "░" * (TEXT_BAR - chars)
    )


def scaled(values: list[Any], width: int = BAR_WIDTH) -> list[Bar]:
    """Bars for several amounts on one scale (the largest fills the width): the week's trend."""
    nums = [number(v) or 0.0 for v in values]
    top = max(nums, default=0.0)
    return [bar(n / top if top > 0 else 0.0, "none", None, width) for n in nums]
