"""The data that flows between stages: a :class:`Submission` read from a file and the :class:`Issue` list.

Intake produces a Submission (never raises for a user's file); validate adds issues and resolves
references; the ledger stores it. Every value keeps the sheet and cell it came from, so feedback
can point at the exact cell the rep typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as _field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any


@cache
def column_letter(col: int) -> str:
    """1-based column to its letters (1 -> A, 28 -> AB), as openpyxl's ``get_column_letter``
    (which this module no longer imports: it pulled openpyxl and numpy into every process that
    reads forms, a quarter of a second at each start of the read-ahead process)."""
    if not 1 <= col <= 18278:
        raise ValueError(f"Invalid column index {col}")
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def a1(row: int, col: int) -> str:
    """1-based row and column to an A1 reference."""
    return f"{column_letter(col)}{row}"


_A1 = re.compile(r"^\$?([A-Za-z]{1,3})\$?([1-9][0-9]*)$")


def parse_a1(ref: str) -> tuple[int, int]:
    """``"B12"`` -> (12, 2), 1-based, as openpyxl's ``coordinate_from_string`` and
    ``column_index_from_string`` read it (``$`` allowed, at most three letters); ValueError else."""
    m = _A1.match(ref)
    if m is None:
        raise ValueError(f"not a cell reference: {ref!r}")
    col = 0
    for ch in m.group(1).upper():
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)), col


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
    cells: dict[str, Cell] = _field(default_factory=dict)

    def value(self, key: str) -> Any:
        c = self.cells.get(key)
        if c is None:
            return None
        return c.resolved if c.resolved is not None else c.value


@dataclass
class Issue:
    """One occurrence of a problem from the catalog (:mod:`automation.core.problems`).

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
    params: dict[str, Any] = _field(default_factory=dict)


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
    columns: dict[str, int] = _field(default_factory=dict)  # field key -> 1-based column
    extra_columns: list[str] = _field(default_factory=list)
    info: dict[str, Cell] = _field(default_factory=dict)
    rows: list[Row] = _field(default_factory=list)
    issues: list[Issue] = _field(default_factory=list)
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


@dataclass(frozen=True)
class CustomerRef:
    """What validation needs to know of a customer already in the register."""

    customer_id: str
    name: str
    owner: str  # rep id
    region: str = ""
    stage: str = ""
    credit_code: str = ""
    phone: str = ""
    assigned: bool = False  # the product assigned the id (C000123), not the company's own register


class CustomerDirectory:
    """Look-ups of the register for validation; the ledger provides a subclass backed by the database.

    This in-memory base class serves tests and a first run with an empty ledger. Names are matched
    after :func:`automation.core.formspec.fold` (case, width and spaces ignored).
    """

    def __init__(self, customers: list[CustomerRef] | None = None, complaint_ids: set[str] | None = None):
        from automation.core.formspec import fold

        self._fold = fold
        self._by_id = {c.customer_id: c for c in customers or []}
        self._by_name: dict[str, list[CustomerRef]] = {}
        self._by_code: dict[str, CustomerRef] = {}
        for c in customers or []:
            self._by_name.setdefault(fold(c.name), []).append(c)
            if c.credit_code:
                self._by_code[c.credit_code.upper()] = c
        self._complaints = set(complaint_ids or ())

    def put(self, ref: CustomerRef) -> None:
        """Add a customer or replace what is known of it (the ledger refreshes changed rows only)."""
        old = self._by_id.get(ref.customer_id)
        if old is not None:
            key = self._fold(old.name)
            rest = [c for c in self._by_name.get(key, []) if c.customer_id != ref.customer_id]
            if rest:
                self._by_name[key] = rest
            else:
                self._by_name.pop(key, None)
            if old.credit_code and self._by_code.get(old.credit_code.upper()) is old:
                del self._by_code[old.credit_code.upper()]
        self._by_id[ref.customer_id] = ref
        self._by_name.setdefault(self._fold(ref.name), []).append(ref)
        if ref.credit_code:
            self._by_code[ref.credit_code.upper()] = ref

    def add_complaints(self, complaint_ids: set[str]) -> None:
        """New complaint ids (complaints are never deleted: the ledger refreshes new ones only)."""
        self._complaints |= complaint_ids

    def by_id(self, customer_id: str) -> CustomerRef | None:
        """The customer with this id; a rep who types ``c000001`` means ``C000001`` (the product
        assigns ids in capitals), so an exact miss is tried again in capitals."""
        key = str(customer_id).strip()
        hit = self._by_id.get(key)
        return hit if hit is not None or key.isupper() else self._by_id.get(key.upper())

    def by_name(self, name: str) -> list[CustomerRef]:
        return list(self._by_name.get(self._fold(name), []))

    def by_credit_code(self, code: str) -> CustomerRef | None:
        return self._by_code.get(str(code).strip().upper())

    def find(self, text: str) -> list[CustomerRef]:
        """An id first, else every customer with that name (several means ambiguous)."""
        hit = self.by_id(text)
        return [hit] if hit else self.by_name(text)

    def complaint_exists(self, complaint_id: str) -> bool:
        return self.complaint_id(complaint_id) is not None

    def complaint_id(self, complaint_id: str) -> str | None:
        """The complaint id as the ledger holds it (``k000001`` typed for ``K000001``), or None."""
        key = str(complaint_id).strip()
        if key in self._complaints:
            return key
        return key.upper() if key.upper() in self._complaints else None

    def customers(self, owner: str | None = None) -> list[CustomerRef]:
        """Every known customer (of one rep when ``owner`` is given), by name: feeds a rep's dropdown."""
        found = [c for c in self._by_id.values() if owner is None or c.owner == owner]
        return sorted(found, key=lambda c: (c.name, c.customer_id))
