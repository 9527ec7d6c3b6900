"""Plausible dates: nothing after the form was received, and the day a form reports on not older
than ``config.intake.date_window_days`` before receipt (a typo in the year is the usual cause).

Decisions where SPEC is silent:
- ``next_visit`` is naturally in the future and is exempt from the future check.
- A visit plan is made ahead: ``plan_date`` may be up to :data:`PLAN_AHEAD_DAYS` after receipt.
- A weekly report's ``week`` must have begun by receipt and must not have ended before the window.
- The age window applies to the form's own date (``report_date`` / ``plan_date``), the one that
  decides which day the form counts for. Row dates that record history (a customer's ``created``
  date, a complaint's ``received`` and ``resolved`` dates) may be older: a first register or an old
  complaint brought up to date are normal. They are still never in the future.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import TYPE_CHECKING

from automation.validate.fields import as_date

if TYPE_CHECKING:
    from automation.core.formspec import FieldSpec, FormSpec
    from automation.core.model import Cell, Submission
    from automation.validate.base import Emitter, ValidationContext

PLAN_AHEAD_DAYS = 7
FUTURE_EXEMPT = {"next_visit"}


def _check(
    cell: Cell | None,
    spec_field: FieldSpec,
    spec: FormSpec,
    ctx: ValidationContext,
    out: Emitter,
    row: int | None,
) -> None:
    if cell is None or cell.issue:
        return
    day = as_date(cell.value)
    if day is None or spec_field.key in FUTURE_EXEMPT:
        return
    received = ctx.received.date()
    latest = received + timedelta(days=PLAN_AHEAD_DAYS) if spec_field.key == "plan_date" else received
    if day > latest:
        out.cell("date-in-future", cell, spec_field.key, row=row, value=day, limit=received.isoformat())
        return
    if row is None and spec_field.key == spec.period_field:
        window = ctx.config.intake.date_window_days
        earliest: date = received - timedelta(days=window)
        if day < earliest:
            out.cell(
                "date-too-old",
                cell,
                spec_field.key,
                row=row,
                value=day,
                limit=earliest.isoformat(),
                expected=window,
            )


def week_days(text: str) -> tuple[date, date] | None:
    """Monday and Sunday of an ISO week written ``2026-W48`` (intake's normal form), or None."""
    m = re.fullmatch(r"(\d{4})-W(\d{2})", str(text).strip())
    if not m:
        return None
    try:
        monday = date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        return None
    return monday, monday + timedelta(days=6)


def _check_week(cell: Cell | None, spec_field: FieldSpec, ctx: ValidationContext, out: Emitter) -> None:
    """A weekly report is about a week that has begun, and not one older than the window."""
    if cell is None or cell.issue or cell.value is None:
        return
    days = week_days(cell.value)
    if days is None:
        return
    received = ctx.received.date()
    window = ctx.config.intake.date_window_days
    if days[0] > received:
        out.cell("date-in-future", cell, spec_field.key, limit=received.isoformat())
    elif days[1] < received - timedelta(days=window):
        earliest = received - timedelta(days=window)
        out.cell("date-too-old", cell, spec_field.key, limit=earliest.isoformat(), expected=window)


def check(sub: Submission, spec: FormSpec, ctx: ValidationContext, out: Emitter) -> None:
    for spec_field in spec.info:
        if spec_field.type == "date":
            _check(sub.info.get(spec_field.key), spec_field, spec, ctx, out, row=None)
        elif spec_field.type == "week" and spec_field.key == spec.period_field:
            _check_week(sub.info.get(spec_field.key), spec_field, ctx, out)
    date_fields = [f for f in spec.fields if f.type == "date"]
    for row in sub.rows:
        for spec_field in date_fields:
            _check(row.cells.get(spec_field.key), spec_field, spec, ctx, out, row=row.number)
