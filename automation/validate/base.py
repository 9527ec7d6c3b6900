"""What every check shares: the context, the report, and :class:`Emitter`, which turns a finding
into an :class:`~automation.core.model.Issue` with sheet, cell, row, column label (in the form's
language) and the value as the rep typed it.

A check is a plain function ``check(sub, spec, ctx, out)`` (see :mod:`automation.validate`); it
reads the Submission and calls ``out.cell(...)`` / ``out.file(...)``; it never raises for what a
rep typed. Keeping the Issue-building here lets each check stay a few dozen lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from automation.core.model import Cell, CustomerDirectory, Issue, Submission
from automation.core.outcomes import ACCEPTED, REJECTED
from automation.core.problems import SEVERITY

if TYPE_CHECKING:
    from automation.core.config import Config
    from automation.core.formspec import FieldSpec, FormSet, FormSpec


@dataclass
class ValidationContext:
    """Everything validate needs besides the Submission.

    ``customers`` is the register as the ledger knows it. ``strict_references`` is False when that
    directory is not authoritative (no ledger yet, e.g. a rep running ``salesflow check`` on a
    laptop): then a customer, customer id or complaint id that is not found is a *warning* saying
    it could not be checked, instead of an error that would reject every form.
    """

    config: Config
    specs: FormSet
    customers: CustomerDirectory = field(default_factory=CustomerDirectory)
    now: datetime | None = None
    received_at: datetime | None = None
    strict_references: bool = True

    @property
    def received(self) -> datetime:
        """The received time dates are judged against: the submission's, else ``now``, else the clock."""
        if self.received_at is not None:
            return self.received_at
        if self.now is not None:
            return self.now
        from automation.core import clock

        return clock.now()


@dataclass
class Report:
    """The verdict on one Submission: every issue (intake's and validate's), errors reject it."""

    submission: Submission
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def notes(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "note"]

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def status(self) -> str:
        """``accepted`` or ``rejected``: the words the pipeline and ``check`` use."""
        return ACCEPTED if self.valid else REJECTED

    @property
    def language(self) -> str:
        return self.submission.language or "zh"


def show(value: Any) -> str | None:
    """A value as the rep would recognise it in a message: dates as 2026-11-23, 3.0 as 3."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal):
        return f"{value:,.2f}" if value == value.quantize(Decimal("0.01")) else str(value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    return str(value).strip()


def labels(spec_field: FieldSpec | None, fallback: str = "") -> dict[str, str]:
    """A field's label in both languages, so a message can be rendered in either."""
    if spec_field is None:
        return {"zh": fallback, "en": fallback}
    return {"zh": spec_field.zh, "en": spec_field.en}


class Emitter:
    """Collects the issues of one validation run, filling in where and what from the cell."""

    def __init__(self, sub: Submission, spec: FormSpec | None, ctx: ValidationContext):
        self.sub = sub
        self.spec = spec
        self.ctx = ctx
        self.lang = sub.language if sub.language in ("zh", "en") else "zh"
        self.issues: list[Issue] = []

    def _field(self, key: str | None) -> FieldSpec | None:
        if self.spec is None or not key:
            return None
        try:
            return self.spec.field(key)
        except KeyError:
            return None

    def cell(
        self,
        code: str,
        cell: Cell | None,
        key: str | None,
        *,
        row: int | None = None,
        value: Any = None,
        severity: str | None = None,
        **params: Any,
    ) -> Issue:
        """An issue at one cell (``cell`` None when the cell does not exist, e.g. a missing info value)."""
        spec_field = self._field(key)
        lab = labels(spec_field, key or "")
        if isinstance(value, dict):  # a value with a label in each language (e.g. a choice)
            params = {"value": value, **params}
            value = value.get(self.lang)
        shown = show(value if value is not None else (cell.raw if cell is not None else None))
        issue = Issue(
            code=code,
            severity=severity or SEVERITY.get(code, "error"),
            sheet=(cell.sheet if cell is not None else self.sub.sheet) or None,
            cell=cell.ref if cell is not None else None,
            row=row if row is not None else (cell.row if cell is not None else None),
            field=key,
            column=lab[self.lang] or None,
            value=shown,
            params={"column": lab, **params},
        )
        self.issues.append(issue)
        return issue

    def file(self, code: str, *, severity: str | None = None, **params: Any) -> Issue:
        """An issue about the whole file or form (no cell to point at)."""
        issue = Issue(
            code=code,
            severity=severity or SEVERITY.get(code, "error"),
            sheet=self.sub.sheet or None,
            params={"file": self.sub.path.name, **params},
        )
        self.issues.append(issue)
        return issue
