"""Rules between fields of one row (SPEC §2.3, §2.5): a quote needs its amount, an order needs a
deal, the margin fits in the order, the next visit comes after the report, a resolved complaint
has a resolved date that is not before it was received.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from automation.core.model import Cell
from automation.validate.fields import as_date

if TYPE_CHECKING:
    from automation.core.formspec import FormSpec
    from automation.core.model import Row, Submission
    from automation.validate.base import Emitter, ValidationContext

RESOLVED_STATUSES = ("resolved", "closed")


def _amount(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value))
    return None


def _ok(row: Row, key: str) -> bool:
    """The cell exists and intake could read it: a rule on a value intake rejected would only repeat it."""
    cell = row.cells.get(key)
    return cell is None or cell.issue is None


def _cell_or_placeholder(sub: Submission, row: Row, key: str, fallback: str) -> tuple[Cell | None, str]:
    """The cell to point at: the field's own, else (column absent) the cell of ``fallback``."""
    cell = row.cells.get(key)
    if cell is not None:
        return cell, key
    if key in sub.columns:
        return Cell(raw=None, value=None, sheet=sub.sheet, row=row.number, col=sub.columns[key]), key
    return row.cells.get(fallback), key


def check_visit_report(sub: Submission, spec: FormSpec, ctx: ValidationContext, out: Emitter) -> None:
    report_date = as_date(sub.info_value("report_date"))
    for row in sub.rows:
        if row.value("quoted") is True and _ok(row, "quote_amount") and row.value("quote_amount") is None:
            cell, key = _cell_or_placeholder(sub, row, "quote_amount", "quoted")
            out.cell("quote-amount-required", cell, key, row=row.number)
        order = _amount(row.value("order_amount"))
        outcome = row.value("outcome")
        if (
            order is not None
            and order > 0
            and outcome is not None
            and outcome != "deal"
            and _ok(row, "outcome")
        ):
            out.cell("order-without-deal", row.cells.get("order_amount"), "order_amount", row=row.number)
        margin = _amount(row.value("gross_margin"))
        if (
            margin is not None
            and margin > 0
            and margin > (order or Decimal(0)) >= 0
            and _ok(row, "order_amount")
        ):
            out.cell(
                "margin-exceeds-order",
                row.cells.get("gross_margin"),
                "gross_margin",
                row=row.number,
                limit=f"{order or Decimal(0):,.2f}",
            )
        next_visit = as_date(row.value("next_visit"))
        if next_visit is not None and report_date is not None and next_visit <= report_date:
            out.cell(
                "next-visit-not-after-report",
                row.cells.get("next_visit"),
                "next_visit",
                row=row.number,
                expected=report_date.isoformat(),
                limit=(report_date.fromordinal(report_date.toordinal() + 7)).isoformat(),
            )


def check_complaint(sub: Submission, spec: FormSpec, ctx: ValidationContext, out: Emitter) -> None:
    for row in sub.rows:
        status = row.value("status")
        resolved = as_date(row.value("resolved"))
        if status in RESOLVED_STATUSES and resolved is None and _ok(row, "resolved"):
            cell, key = _cell_or_placeholder(sub, row, "resolved", "status")
            choice = spec.field("status").choice_for(status) if status else None
            out.cell(
                "resolved-date-required",
                cell,
                key,
                row=row.number,
                value={"zh": choice.zh, "en": choice.en} if choice else status,
            )
        received = as_date(row.value("received"))
        if resolved is not None and received is not None and resolved < received:
            out.cell(
                "resolved-before-received",
                row.cells.get("resolved"),
                "resolved",
                row=row.number,
                expected=received.isoformat(),
            )


CHECKS = {"visit_report": check_visit_report, "complaint": check_complaint}


def check(sub: Submission, spec: FormSpec, ctx: ValidationContext, out: Emitter) -> None:
    rule = CHECKS.get(spec.key)
    if rule is not None:
        rule(sub, spec, ctx, out)
