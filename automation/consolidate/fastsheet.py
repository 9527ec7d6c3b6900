"""An XlsxWriter worksheet that writes the large list tables faster, byte for byte the same file.

The company workbook of a large company holds ~300,000 cells in a dozen Excel tables. Profiled
(``benchmarks/bench_consolidate.py``), three places in XlsxWriter spent about half of the writing
time, none of it needed for our tables:

- ``add_table`` records every cell of the table in a dict to detect overlapping tables and merged
  ranges: 300,000 dict writes for a check that two rectangles answer. :meth:`FastWorksheet.add_table`
  compares rectangles, then has XlsxWriter make the table over its header and first row and widens
  the table's ranges to the real last row (what XlsxWriter would have stored).
- every cell went through ``_write_string`` / ``_write_number``: bounds, dimensions and
  constant-memory checks per cell. :meth:`~FastWorksheet.write_strings` and
  :meth:`~FastWorksheet.write_numbers` store a column's cells at once, each with the same cell
  record, in the same order (so shared strings get the same indices), checking the bounds and
  dimensions once per column.
- ``close()`` serialises each cell through four method calls (``_write_cell``, the cell reference,
  the attribute escaping, the element writer). :meth:`~FastWorksheet._write_rows` writes a row's text
  and number cells as one string with the same XML; any other cell (formula, blank, URL, rich text,
  boolean) and every row element go through XlsxWriter's own methods.

The result is the same file: ``tests/test_consolidate_fastsheet.py`` writes one workbook with the
stock ``Worksheet`` and one with this class and compares every part's bytes, so an XlsxWriter
release that changes its internals fails that test rather than a manager's workbook. In
constant-memory mode (unused here) every method falls back to XlsxWriter's own.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from xlsxwriter.exceptions import OverlappingRange
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name, xl_range
from xlsxwriter.worksheet import CellNumberTuple, CellStringTuple, Worksheet, convert_range_args

Box = tuple[int, int, int, int]  # first_row, first_col, last_row, last_col


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


class FastWorksheet(Worksheet):
    """XlsxWriter's ``Worksheet`` with column writers, a rectangle overlap check for tables, and a
    row serialiser for text and number cells (see the module docstring)."""

    def __init__(self) -> None:
        super().__init__()
        self._table_boxes: list[Box] = []

    # ---- cells, a column at a time ------------------------------------------------------------

    def _column_fits(self, first_row: int, col: int, n: int) -> bool:
        return (
            not self.constant_memory
            and first_row >= 0
            and 0 <= col < self.xls_colmax
            and first_row + n <= self.xls_rowmax
        )

    def write_strings(
        self, first_row: int, col: int, values: Sequence[str | None], cell_format: Format | None = None
    ) -> None:
        """``values[i]`` as a text cell at ``(first_row + i, col)``; ``None`` leaves the cell empty.

        The same cells as ``write_string`` per value: text stays text whatever it begins with."""
        rows = [(first_row + i, v) for i, v in enumerate(values) if v is not None]
        if not rows:
            return
        # a string shorter than half Excel's limit cannot exceed it (XlsxWriter's own shortcut)
        if (
            not self._column_fits(first_row, col, len(values))
            or max(len(v) for _, v in rows) > self.xls_strmax // 2
        ):
            for row, v in rows:
                self._write_string(row, col, v, cell_format)  # truncated to the limit as before
            return
        table, index, new = self.table, self.str_table._get_shared_string_index, tuple.__new__
        for row, v in rows:
            table[row][col] = new(CellStringTuple, (index(v), cell_format))
        self._check_dimensions(rows[0][0], col)
        self._check_dimensions(rows[-1][0], col)

    def write_numbers(
        self, first_row: int, col: int, values: Sequence[float | None], cell_format: Format | None = None
    ) -> None:
        """``values[i]`` as a number cell at ``(first_row + i, col)``; ``None`` leaves it empty."""
        rows = [(first_row + i, v) for i, v in enumerate(values) if v is not None]
        if not rows:
            return
        finite = math.isfinite
        if not self._column_fits(first_row, col, len(values)) or not all(finite(v) for _, v in rows):
            for row, v in rows:
                self._write_number(row, col, v, cell_format)  # XlsxWriter's own error for NaN / inf
            return
        table, new = self.table, tuple.__new__
        for row, v in rows:
            table[row][col] = new(CellNumberTuple, (v, cell_format))
        self._check_dimensions(rows[0][0], col)
        self._check_dimensions(rows[-1][0], col)

    # ---- tables and merged ranges ---------------------------------------------------------------

    def _check_overlap(self, box: Box, what: str) -> None:
        for other in self._table_boxes:
            if _overlaps(box, other):
                raise OverlappingRange(f"{what} range '{xl_range(*box)}' overlaps previous table range "
                                       f"'{xl_range(*other)}'.")  # fmt: skip
        for merged in self.merge:
            if _overlaps(box, (merged[0], merged[1], merged[2], merged[3])):
                raise OverlappingRange(f"{what} range '{xl_range(*box)}' overlaps previous merge range "
                                       f"'{xl_range(*merged)}'.")  # fmt: skip

    @convert_range_args
    def add_table(  # type: ignore[override]
        self,
        first_row: int,
        first_col: int,
        last_row: int,
        last_col: int,
        options: dict[str, Any] | None = None,
    ) -> int:
        """XlsxWriter's ``add_table`` without its per-cell bookkeeping (module docstring)."""
        opts = options or {}
        simple = (
            not self.constant_memory
            and first_row <= last_row - 2  # more than a header and one row: else nothing to save
            and first_col <= last_col
            and opts.get("header_row", True)
            and not opts.get("total_row")
            and "data" not in opts
            and not any(
                c.get("formula") or c.get("total_function") or c.get("total_string")
                for c in opts.get("columns", [])
                if c
            )
        )
        box = (min(first_row, last_row), min(first_col, last_col), max(first_row, last_row),
               max(first_col, last_col))  # fmt: skip
        if not simple:  # XlsxWriter's own, after the check against the tables made below
            self._check_overlap(box, "Table")
            got: int = super().add_table(first_row, first_col, last_row, last_col, options)
            if got == 0:
                self._table_boxes.append(box)
            return got
        if self._check_dimensions(last_row, last_col, True, True):
            return -1
        self._check_overlap(box, "Table")
        count = len(self.tables)
        got = super().add_table(first_row, first_col, first_row + 1, last_col, options)
        if got != 0 or len(self.tables) != count + 1:
            return got
        table = self.tables[-1]
        full = xl_range(*box)
        table["range"] = table["a_range"] = full
        if table.get("autofilter"):
            table["autofilter"] = full
        for col in range(first_col, last_col + 1):
            if self.filter_cells.get((first_row, col), ("",))[0] == "table":
                self.filter_cells[(first_row, col)] = ("table", full)
        self._table_boxes.append(box)
        return 0

    @convert_range_args
    def merge_range(  # type: ignore[override]
        self,
        first_row: int,
        first_col: int,
        last_row: int,
        last_col: int,
        data: Any,
        cell_format: Format | None = None,
    ) -> int:
        """XlsxWriter's ``merge_range``, also refused over a table made by :meth:`add_table`."""
        box = (min(first_row, last_row), min(first_col, last_col), max(first_row, last_row),
               max(first_col, last_col))  # fmt: skip
        for other in self._table_boxes:
            if _overlaps(box, other):
                raise OverlappingRange(f"Merge range '{xl_range(*box)}' overlaps previous table range "
                                       f"'{xl_range(*other)}'.")  # fmt: skip
        got: int = super().merge_range(first_row, first_col, last_row, last_col, data, cell_format)
        return got

    # ---- the sheet's XML --------------------------------------------------------------------------

    def _calculate_spans(self) -> None:
        """XlsxWriter's ``_calculate_spans`` (each block of 16 rows' first and last used column, an
        optional hint in ``<row spans="...">``) from each row's keys instead of a scan of every column."""
        if self.dim_rowmin is None or self.dim_colmin is None:
            super()._calculate_spans()
            return
        table, comments = self.table, self.comments
        colmin, colmax, rowmax = self.dim_colmin, self.dim_colmax, self.dim_rowmax
        spans: dict[int, str] = {}
        lo = hi = -1
        for row_num in range(self.dim_rowmin, rowmax + 1):
            used = [c for c in table.get(row_num, ()) if colmin <= c <= colmax]
            if row_num in comments:
                used += [c for c in comments[row_num] if colmin <= c <= colmax]
            if used:
                a, b = min(used), max(used)
                lo, hi = (a, b) if lo < 0 else (min(lo, a), max(hi, b))
            if (row_num + 1) % 16 == 0 or row_num == rowmax:
                if lo >= 0:
                    spans[row_num // 16] = f"{lo + 1}:{hi + 1}"
                lo = hi = -1
        self.row_spans = spans

    def _write_rows(self) -> None:
        """XlsxWriter's ``_write_rows`` with text and number cells serialised inline (same bytes)."""
        if self.constant_memory or self.dim_rowmin is None or self.dim_colmin is None:
            super()._write_rows()
            return
        self._calculate_spans()
        table, row_info, comments, spans = self.table, self.row_info, self.comments, self.row_spans
        # '<c r="B' per column; ' s="7"' per format (the cell's own, else its row's, else its column's)
        opening = {c: f'<c r="{xl_col_to_name(c)}' for c in range(self.dim_colmin, self.dim_colmax + 1)}
        col_style = {
            c: f' s="{info.column_format._get_xf_index()}"'
            for c, info in self.col_info.items()
            if info.column_format is not None
        }
        styles: dict[int, str] = {}
        write, string_cell, number_cell = self.fh.write, CellStringTuple, CellNumberTuple
        for row_num in range(self.dim_rowmin, self.dim_rowmax + 1):
            cells = table[row_num]
            if not (cells or row_num in row_info or row_num in comments):
                continue
            span = spans.get(row_num // 16)
            info = row_info.get(row_num)
            if not cells:
                self._write_empty_row(row_num, span, info)
                continue
            if info is None:
                self._write_row(row_num, span)
            else:
                self._write_row(row_num, span, info)
            row_format = info.row_format if info is not None else None
            row_style = f' s="{row_format._get_xf_index()}"' if row_format else None
            r = str(row_num + 1)
            parts: list[str] = []
            for col_num in sorted(cells):
                cell = cells[col_num]
                kind = type(cell)
                if kind is not string_cell and kind is not number_cell:
                    if parts:
                        write("".join(parts))
                        parts = []
                    self._write_cell(row_num, col_num, cell)
                    continue
                fmt = cell[1]
                if fmt:
                    style = styles.get(id(fmt))
                    if style is None:
                        style = styles[id(fmt)] = f' s="{fmt._get_xf_index()}"'
                elif row_style is not None:
                    style = row_style
                else:
                    style = col_style.get(col_num, "")
                if kind is string_cell:
                    parts.append(f'{opening[col_num]}{r}"{style} t="s"><v>{cell[0]}</v></c>')
                else:
                    parts.append(f'{opening[col_num]}{r}"{style}><v>{cell[0]:.16G}</v></c>')
            parts.append("</row>")
            write("".join(parts))
