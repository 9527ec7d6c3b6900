"""Formula cells saved without a value: where they are, so a form that holds them is rejected.

A workbook stores a formula and, beside it, the value the spreadsheet program computed when it
saved the file. Excel, WPS and LibreOffice always save that value; a script does not (openpyxl
writes ``<f>B5*C5</f><v />``, a hand-written ODS ``table:formula`` with no ``office:value``). The
readers return the stored value, so such a cell reads as blank and an order amount silently
counts as nothing. Intake finds these cells in the sheet's XML, during the safety scan that reads
it anyway, and the form reports each one (``formula-no-value``) when it lies in the form's table
or info block.

Which formats can have it:

- xlsx/xlsm: a ``<c>`` with an ``<f>`` and no ``<v>``, or an empty ``<v>`` when the cell is not a
  text result (Excel saves a formula whose result is the empty text, ``=IF(A1="","",A1)``, as
  ``t="str"`` with an empty ``<v>``: a real value, the empty text, not flagged);
- ods: a ``table:table-cell`` with ``table:formula`` and no ``office:value-type`` (LibreOffice
  always writes the type, also for an empty text result);
- xls: not detectable. A BIFF FORMULA record always carries a result, and the one a script
  (xlwt) writes, "empty text", is byte for byte the one Excel saves for ``=IF(A1="","",A1)``:
  flagging it would reject good forms, so xls formulas are read as their stored result;
- csv holds no formulas.

Cells are located by their ``r`` attribute (every writer sets it); a formula cell without one is
not reported. At most :data:`MAX_CELLS` are kept per sheet (a whole sheet of formulas is already
more than a rep can be shown, and the form is rejected by the first one in its table).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from automation.core.model import Cell, Submission
    from automation.intake.layout import Layout

MAX_CELLS = 10_000
Cells = list[tuple[int, int]]  # 0-based (row, col)

_ROOT = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet[\s>/]")
_REF = re.compile(rb'\sr="([A-Z]{1,3})([0-9]{1,7})"')
_TYPE = re.compile(rb'\st="([A-Za-z]+)"')
_TAG_END = b" \t\r\n>/"
_CARRY_MAX = 1 << 20  # bytes of an unfinished cell carried to the next chunk, at most


def _col(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


class UncachedCells:
    """Feed a worksheet part's XML in chunks (or whole); ``cells`` collects the formula cells that
    have no saved value. Work is proportional to the number of formula cells plus a substring
    search of the bytes, so a sheet without formulas costs one ``find``."""

    def __init__(self) -> None:
        self.cells: Cells = []
        self.prefix: bytes | None = None  # the SpreadsheetML namespace prefix (b"" when default)
        self._tail = b""

    def feed(self, chunk: bytes, final: bool = False) -> None:
        buf = self._tail + chunk if self._tail else chunk
        if self.prefix is None:
            m = _ROOT.search(buf, 0, 1 << 16)
            if m is None:
                self._tail = buf if len(buf) < _CARRY_MAX and not final else b""
                return
            self.prefix = m.group(1) or b""
        start_tag = b"<" + self.prefix + b"c "
        if final:
            end = len(buf)
            self._tail = b""
        else:  # cells do not nest: every cell that starts before the last start ends before it
            end = buf.rfind(start_tag)
            if end < 0:
                self._tail = buf if len(buf) < _CARRY_MAX else b""
                return
            self._tail = buf[end:]
        if len(self.cells) < MAX_CELLS:
            self._scan(buf, end, start_tag)

    def _scan(self, buf: bytes, end: int, start_tag: bytes) -> None:
        p = self.prefix or b""
        f_tag = b"<" + p + b"f"
        close = b"</" + p + b"c>"
        v_open = re.compile(rb"<" + re.escape(p) + rb"v(?:\s[^>]*)?(/?)>")
        pos = buf.find(f_tag, 0, end)
        while pos >= 0 and len(self.cells) < MAX_CELLS:
            after = pos + len(f_tag)
            if after < len(buf) and buf[after] in _TAG_END:
                start = buf.rfind(start_tag, 0, pos)
                stop = buf.find(close, pos, end)
                # the <c found holds this <f> only when no cell closed between them
                if start >= 0 and stop > pos and buf.rfind(close, start, pos) < 0:
                    self._cell(buf, start, stop, v_open)
                    pos = stop
            pos = buf.find(f_tag, pos + 1, end)

    def _cell(self, buf: bytes, start: int, stop: int, v_open: re.Pattern[bytes]) -> None:
        head_end = buf.find(b">", start, stop)
        if head_end < 0 or buf[head_end - 1] == 0x2F:  # "<c .../>": an empty cell, not this <f>'s
            return
        head = buf[start:head_end]
        ref = _REF.search(head)
        if ref is None:
            return
        kind = _TYPE.search(head)
        body = buf[head_end + 1 : stop]
        v = v_open.search(body)
        if v is None:
            missing = True
        elif v.group(1):  # <v/>
            missing = kind is None or kind.group(1) != b"str"
        else:
            text_end = body.find(b"<", v.end())
            empty = not body[v.end() : text_end if text_end >= 0 else len(body)].strip()
            missing = empty and (kind is None or kind.group(1) != b"str")
        if missing:
            self.cells.append((int(ref.group(2)) - 1, _col(ref.group(1)) - 1))


def uncached_cells(xml: bytes) -> Cells:
    """The formula cells without a saved value of a worksheet part held whole."""
    scan = UncachedCells()
    scan.feed(xml, final=True)
    return scan.cells


CODE = "formula-no-value"


def report_uncached(sub: Submission, uncached: frozenset[tuple[int, int]], found: Layout) -> None:
    """``formula-no-value`` on each table or info cell of the form that holds a formula saved
    without its value (read as blank, it would count as nothing). Other cells of the sheet (a total
    row, notes beside the table) are not the form's and are not reported."""
    spec = found.form
    by_col = {c: k for k, c in found.columns.items()}
    rows = {row.number - 1: row for row in sub.rows}
    for r, c in sorted(uncached):
        row = rows.get(r)
        key = by_col.get(c)
        if row is not None and key is not None and key in row.cells:
            cell = row.cells[key]
            if cell.raw is None:
                _issue(sub, cell, found.headers[key], key)
    for f in spec.info:
        info = sub.info.get(f.key)
        if info is not None and info.raw is None and (info.row - 1, info.col - 1) in uncached:
            _issue(sub, info, f.label(sub.language), f.key)


def _issue(sub: Submission, cell: Cell, shown: str, key: str) -> None:
    from automation.core.model import Issue
    from automation.core.problems import SEVERITY

    cell.issue = CODE  # validate then reports no "required" for it too
    sub.issues.append(
        Issue(
            code=CODE,
            severity=SEVERITY[CODE],
            sheet=sub.sheet,
            cell=cell.ref,
            row=cell.row,
            field=key,
            column=shown,
        )
    )
