"""VALIDATE stage: judge a :class:`~automation.core.model.Submission` against SPEC §2 and return a
:class:`Report`; never raise for what a rep typed (STYLE 2).

The checks run in the order listed in :data:`CHECKS`; each is a small module with one
``check(sub, spec, ctx, out)`` function. Intake's issues (file-level and cells it could not read)
come first in the report, then validate's, file-level before cell-level, cells in reading order.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from automation.core.model import parse_a1
from automation.core.problems import SEVERITY
from automation.validate import crossfield, dates, fields, permissions, references, table
from automation.validate.base import Emitter, Report, ValidationContext, labels

if TYPE_CHECKING:
    from automation.core.formspec import FormSpec
    from automation.core.model import Issue, Submission

Check = Callable[["Submission", "FormSpec", ValidationContext, Emitter], None]

CHECKS: list[tuple[str, Check]] = [
    ("info block", fields.check_info),
    ("field rules", fields.check_rows),
    ("who may submit", permissions.check),
    ("references", references.check),
    ("cross-field rules", crossfield.check),
    ("plausible dates", dates.check),
    ("table", table.check),
]

__all__ = ["CHECKS", "Report", "ValidationContext", "validate"]


def _intake_issues(sub: Submission, spec: FormSpec | None, lang: str) -> list[Issue]:
    """Intake's issues with the catalog's severity and the column label filled in, plus an issue
    for every cell intake marked (``cell.issue``) but did not list, so nothing is lost."""
    out = list(sub.issues)
    for issue in out:
        if issue.code in SEVERITY and issue.severity != SEVERITY[issue.code] and issue.severity == "error":
            issue.severity = SEVERITY[issue.code]
        if spec is not None and issue.field and "column" not in issue.params:
            try:
                lab = labels(spec.field(issue.field))
            except KeyError:
                continue
            issue.params["column"] = lab
            issue.column = issue.column or lab[lang]
    seen = {(i.code, i.sheet, i.cell) for i in out}
    marked = [(None, k, c) for k, c in sub.info.items()] + [
        (r.number, k, c) for r in sub.rows for k, c in r.cells.items()
    ]
    extra = Emitter(sub, spec, ValidationContext(config=None, specs=None))  # type: ignore[arg-type]
    for row, key, cell in marked:
        if (
            cell.issue
            and (cell.issue, cell.sheet, cell.ref) not in seen
            and (cell.issue, cell.sheet or None, cell.ref) not in seen
        ):
            params: dict[str, Any] = {}
            if cell.issue == "invalid-choice" and spec is not None:
                with contextlib.suppress(KeyError):
                    params["allowed"] = fields.allowed_choices(spec.field(key))
            extra.cell(cell.issue, cell, key, row=row, **params)
    return out + extra.issues


def _order(issue: Issue) -> tuple[int, int, int, str]:
    if issue.cell is None:
        return (0 if issue.row is None else 1, issue.row or 0, 0, issue.code)
    number, col = parse_a1(issue.cell)
    return (1, number, col, issue.code)


def validate(sub: Submission, ctx: ValidationContext) -> Report:
    """Every problem of ``sub``: an error rejects it, a warning accepts it with a note.

    Customer cells get the resolved customer id in ``cell.resolved``; rep and region cells get the
    configured id (a rep typing ``r001`` means ``R001``).
    """
    if ctx.received_at is None and sub.received_at is not None:
        ctx = ValidationContext(
            ctx.config, ctx.specs, ctx.customers, ctx.now, sub.received_at, ctx.strict_references
        )
    spec = ctx.specs.get(sub.form) if sub.form else None
    lang = sub.language if sub.language in ("zh", "en") else "zh"
    issues = _intake_issues(sub, spec, lang)
    if spec is None:
        if not any(i.severity == "error" for i in issues):  # intake could not read it but said nothing
            issues.append(Emitter(sub, None, ctx).file("unknown-form", expected=[]))
        return Report(sub, issues)
    if any(i.severity == "error" and i.cell is None and i.code in _WHOLE_FILE for i in issues):
        return Report(sub, issues)  # the file itself is unusable: cell checks would only add noise
    out = Emitter(sub, spec, ctx)
    for _name, check in CHECKS:
        check(sub, spec, ctx, out)
    known = {(i.code, i.sheet, i.cell, i.row) for i in issues}
    issues.extend(i for i in out.issues if (i.code, i.sheet, i.cell, i.row) not in known)
    issues.sort(key=_order)
    return Report(sub, issues)


_WHOLE_FILE = {
    "file-empty",
    "file-corrupt",
    "not-a-spreadsheet",
    "password-protected",
    "unknown-form",
    "file-too-large",
    "unsafe-content",
    "csv-encoding",
    "too-many-rows",
}
