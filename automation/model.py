"""The data that flows between stages: a :class:`Submission` read from a file and the :class:`Issue` list.

Intake produces a Submission (never raises for a user's file); validate adds issues and resolves
references; the ledger stores it. Every value keeps the sheet and cell it came from, so feedback
can point at the exact cell the rep typed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter


def a1(row: int, col: int) -> str:
    """1-based row and column to an A1 reference."""
    return f"{get_column_letter(col)}{row}"


@dataclass
class Cell:
    """One value as read: ``raw`` as the file held it, ``value`` normalised to the field's type.

    ``value`` is None when the cell is blank or could not be normalised (then ``issue`` holds the
    problem code). For choice fields ``value`` is the choice key; for money a ``Decimal`` with two
    places; for dates a ``date``; for customer fields the typed text, and validate puts the
    customer id it resolved into ``resolved``.
    """

    raw: Any
    value: Any
    sheet: str
    row: int  # 1-based, as the rep sees it (CSV: line number)
    col: int  # 1-based
    issue: str | None = None
    resolved: Any = None

    @property
    def ref(self) -> str:
        return a1(self.row, self.col)

    @property
    def blank(self) -> bool:
        return self.raw is None or (isinstance(self.raw, str) and not self.raw.strip())


@dataclass
class Row:
    """One data row of a form's table; ``cells`` maps field keys to cells (missing optional columns absent)."""

    number: int  # 1-based sheet row
    cells: dict[str, Cell] = field(default_factory=dict)

    def value(self, key: str) -> Any:
        c = self.cells.get(key)
        if c is None:
            return None
        return c.resolved if c.resolved is not None else c.value


@dataclass
class Issue:
    """One occurrence of a problem from the catalog (:mod:`automation.problems`).

    ``params`` fill the message template (e.g. ``allowed``, ``expected``, ``limit``). ``sheet``/``cell``
    are None for whole-file problems.
    """

    code: str
    severity: str = "error"  # error | warning | note
    sheet: str | None = None
    cell: str | None = None
    row: int | None = None
    field: str | None = None  # field key
    column: str | None = None  # header label as the form shows it
    value: str | None = None
    params: dict[str, Any] = field(default_factory=dict)


@dataclass
class Submission:
    """Everything read from one dropped file. Built by intake; a file that cannot be read is a
    Submission too, with ``form`` None and a file-level issue."""

    path: Path
    sha256: str = ""
    size: int = 0
    file_format: str = ""  # xlsx | xlsm | xls | ods | csv
    form: str | None = None
    version: str | None = None
    language: str = "zh"  # the form's language: messages back to the rep use it
    sheet: str = ""
    header_row: int = 0
    columns: dict[str, int] = field(default_factory=dict)  # field key -> 1-based column
    extra_columns: list[str] = field(default_factory=list)
    info: dict[str, Cell] = field(default_factory=dict)
    rows: list[Row] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    folder: str = ""  # inbox sub-folder it came from (rep id, supervisor id, or "hq")
    received_at: datetime | None = None

    def info_value(self, key: str) -> Any:
        c = self.info.get(key)
        if c is None:
            return None
        return c.resolved if c.resolved is not None else c.value

    @property
    def readable(self) -> bool:
        return self.form is not None
