"""Whole-table checks: a form with no rows, and rows entered twice. Both are warnings: the form is
still taken in, and the rep is told (a day with nothing to report is possible; two identical
visits are unlikely but not impossible)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from automation.core.formspec import FormSpec
    from automation.core.model import Row, Submission
    from automation.validate.base import Emitter, ValidationContext


def _signature(row: Row) -> tuple[tuple[str, Any], ...]:
    items = []
    for key, cell in sorted(row.cells.items()):
        if cell.blank:
            continue
        value = cell.value if cell.value is not None else str(cell.raw).strip()
        items.append((key, value))
    return tuple(items)


def check(sub: Submission, spec: FormSpec, ctx: ValidationContext, out: Emitter) -> None:
    if not sub.rows:
        on_leave = spec.key == "visit_report" and sub.info_value("attendance") == "leave"
        if not on_leave:
            out.file("no-rows")
        return
    first_seen: dict[tuple[tuple[str, Any], ...], int] = {}
    for row in sub.rows:
        sig = _signature(row)
        if not sig:
            continue
        if sig in first_seen:
            cells = sorted(row.cells.values(), key=lambda c: c.col)
            out.cell(
                "duplicate-row",
                cells[0] if cells else None,
                None,
                row=row.number,
                expected=first_seen[sig],
                value="",
            )
        else:
            first_seen[sig] = row.number
