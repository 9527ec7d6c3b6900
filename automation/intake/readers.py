"""Read a workbook's sheets into grids of raw cell values with exact coordinates.

python-calamine reads a form ~15x faster than openpyxl, so it reads xlsx, xlsm and ods; legacy xls
goes through xlrd (see :func:`read_xls` for why).
Coordinates: ``to_python()`` starts at the sheet's first *used* cell (and ``iter_rows()`` starts at
row 1 but at the first used column), so we call ``to_python(skip_empty_area=False)``, which starts at
A1: ``grid.rows[r][c]`` is sheet row ``r + 1``, column ``c + 1``, whatever the file's first used cell.
Calamine returns every number as float and blanks as ``""``; blanks become ``None`` here.

calamine aborts the process (Rust out-of-memory) for a sheet with a value far away (XFD1048576),
because it allocates the whole rectangle. :mod:`.safety` measures each xlsx sheet's extent first; a
sheet too large for a dense grid is read by :func:`read_sparse_xlsx` (openpyxl, streaming), which
keeps only cells near the data: it stops after :data:`EMPTY_RUN_STOP` empty rows and ignores columns
after :data:`MAX_COLUMNS`. A form's table ends at the first empty run anyway, so nothing a form holds
is lost.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

EMPTY_RUN_STOP = 1000
Merge = tuple[tuple[int, int], tuple[int, int]]
MAX_COLUMNS = 1024


class SheetGrid:
    """One sheet as read: ``rows[r][c]`` is the raw value at 1-based (r + 1, c + 1); None when blank.

    ``rows`` may be loaded lazily (``load``): a template also holds an instructions sheet and a
    hidden list of customers, which need not be parsed once the form's own sheet is found.
    """

    def __init__(
        self,
        name: str,
        rows: list[list[Any]] | None = None,
        hidden: bool = False,
        load: Callable[[], tuple[list[list[Any]], list[Merge]]] | None = None,
        merged: list[Merge] | None = None,
    ) -> None:
        self.name = name
        self.hidden = hidden
        self._rows = rows
        self._merged = merged or []
        self._load = load

    @property
    def rows(self) -> list[list[Any]]:
        if self._rows is None:
            if self._load is not None:
                self._rows, self._merged = self._load()
            else:
                self._rows = []
            self._load = None
        return self._rows

    @property
    def loaded_rows(self) -> list[list[Any]] | None:
        """The rows when already parsed, else None (asking parses nothing)."""
        return self._rows

    @property
    def merged(self) -> list[Merge]:
        """Merged ranges as 0-based ((first row, first col), (last row, last col)); none for ods/csv."""
        _ = self.rows
        return self._merged

    def cell(self, r: int, c: int) -> Any:
        """The raw value at 0-based (r, c), None outside the grid."""
        rows = self.rows
        if 0 <= r < len(rows):
            row = rows[r]
            if 0 <= c < len(row):
                return row[c]
        return None

    @property
    def height(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        return f"SheetGrid({self.name!r}, hidden={self.hidden})"


@dataclass
class Workbook:
    sheets: list[SheetGrid]
    date1904: bool = False

    def sheet(self, name: str) -> SheetGrid | None:
        return next((s for s in self.sheets if s.name == name), None)


class ReadError(Exception):
    """The file could not be read; ``code`` is the file-level problem code (file-corrupt, password-protected...)."""

    def __init__(self, code: str, detail: str = "", limit: str = "") -> None:
        super().__init__(detail or code)
        self.code = code
        self.detail = detail
        self.limit = limit  # for file-too-large: the cap that was exceeded, as shown to the rep


def _clean(rows: list[list[Any]]) -> list[list[Any]]:
    return [[None if v == "" else v for v in row] for row in rows]


def read_calamine(
    data: bytes, date1904: bool = False, sparse_sheets: frozenset[str] = frozenset()
) -> Workbook:
    """Every sheet of an xlsx/xlsm/xls/ods through python-calamine (sheets in ``sparse_sheets`` skipped).

    Sheets are parsed on first use (see :class:`SheetGrid`); a damaged sheet then raises
    :class:`ReadError` at that moment.
    """
    from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetVisibleEnum

    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        metas = wb.sheets_metadata
    except PasswordError as exc:
        raise ReadError("password-protected", str(exc)) from None
    except CalamineError as exc:
        raise ReadError("file-corrupt", f"{type(exc).__name__}: {exc}") from None

    def loader(name: str) -> Callable[[], tuple[list[list[Any]], list[Merge]]]:
        def load() -> tuple[list[list[Any]], list[Merge]]:
            try:
                sh = wb.get_sheet_by_name(name)
                return _clean(sh.to_python(skip_empty_area=False)), list(sh.merged_cell_ranges or [])
            except PasswordError as exc:
                raise ReadError("password-protected", str(exc)) from None
            except CalamineError as exc:
                raise ReadError("file-corrupt", f"{type(exc).__name__}: {exc}") from None

        return load

    sheets = [
        SheetGrid(m.name, hidden=m.visible != SheetVisibleEnum.Visible, load=loader(m.name))
        for m in metas
        if m.name not in sparse_sheets
    ]
    return Workbook(sheets, date1904)


def read_sparse_xlsx(data: bytes, names: list[str]) -> list[SheetGrid]:
    """The named sheets streamed by openpyxl (read-only): only cells near the data are kept."""
    import zipfile
    import zlib
    from xml.etree.ElementTree import ParseError

    import openpyxl

    # what openpyxl raises for parts it cannot parse; the try holds openpyxl's calls and our loop
    # over its cells, which does nothing that could raise these itself
    broken = (
        zipfile.BadZipFile,
        zlib.error,
        ParseError,
        KeyError,
        ValueError,
        TypeError,
        IndexError,
        EOFError,
    )
    try:
        return _sparse_xlsx(openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True), names)
    except broken as exc:
        raise ReadError("file-corrupt", f"{type(exc).__name__}: {exc}") from None


def _sparse_xlsx(wb: Any, names: list[str]) -> list[SheetGrid]:
    out: list[SheetGrid] = []
    try:
        for name in names:
            ws = wb[name]
            ws.reset_dimensions()  # ignore the <dimension> tag: it may claim A1:XFD1048576
            rows = _grid(_openpyxl_values(row) for row in ws.iter_rows())
            out.append(SheetGrid(name, rows, hidden=ws.sheet_state != "visible"))
    finally:
        wb.close()
    return out


def read_xls(data: bytes) -> Workbook:
    """A legacy xls through xlrd (pure Python), with ragged rows.

    Not calamine: a damaged xls can make calamine allocate terabytes from a corrupt count field and
    abort the whole process (found by fuzzing), which no ``except`` can catch; xlrd raises instead.
    The same limits as :func:`read_sparse_xlsx` apply (rows stop after a long empty run, columns
    after :data:`MAX_COLUMNS`); dates are converted in the workbook's own date system (1900/1904).
    """
    import struct

    import xlrd
    from xlrd.compdoc import CompDocError

    # what xlrd raises for bytes it cannot parse (fuzzing found AttributeError/TypeError on damaged
    # records too); the try blocks below hold xlrd's parsing calls only, none of our code
    broken = (xlrd.XLRDError, CompDocError, struct.error, IndexError, KeyError, ValueError, AssertionError,
              UnicodeDecodeError, EOFError, AttributeError, TypeError, OverflowError)  # fmt: skip
    try:
        book = xlrd.open_workbook(file_contents=data, ragged_rows=True, on_demand=True, logfile=io.StringIO())
    except broken as exc:
        code = "password-protected" if "encrypt" in str(exc).lower() else "file-corrupt"
        raise ReadError(code, f"{type(exc).__name__}: {exc}") from None
    sheets: list[SheetGrid] = []
    try:
        for idx in range(book.nsheets):
            try:
                sh = book.sheet_by_index(idx)
            except broken as exc:
                raise ReadError("file-corrupt", f"{type(exc).__name__}: {exc}") from None
            sheets.append(SheetGrid(sh.name, _xlrd_rows(sh, book.datemode), hidden=sh.visibility != 0))
            book.unload_sheet(idx)
    finally:
        book.release_resources()
    return Workbook(sheets, book.datemode == 1)


def _grid(rows_of_values: Iterable[dict[int, Any]]) -> list[list[Any]]:
    """Rows of ``{0-based column: value}`` (blanks left out) -> a grid, stopping after a long
    run of empty rows (a sheet claiming a million rows) and without trailing empty rows."""
    rows: list[list[Any]] = []
    empty_run = 0
    for values in rows_of_values:
        if values:
            empty_run = 0
            rows.append([values.get(i) for i in range(max(values) + 1)])
        else:
            empty_run += 1
            if empty_run > EMPTY_RUN_STOP:
                break
            rows.append([])
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _openpyxl_values(row: Any) -> dict[int, Any]:
    values: dict[int, Any] = {}
    for c in row:
        col = getattr(c, "column", None)  # gaps are EmptyCell objects without a column
        if col is None:
            continue
        if col > MAX_COLUMNS:
            break
        v = c.value
        if v is not None and v != "":
            values[col - 1] = v
    return values


def _xlrd_rows(sh: Any, datemode: int) -> list[list[Any]]:
    return _grid(_xlrd_values(sh, r, datemode) for r in range(sh.nrows))


def _xlrd_values(sh: Any, r: int, datemode: int) -> dict[int, Any]:
    import xlrd

    values: dict[int, Any] = {}
    types, cells = sh.row_types(r), sh.row_values(r)
    for c in range(min(len(cells), MAX_COLUMNS)):
        ctype, v = types[c], cells[c]
        if ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR) or v == "":
            continue
        if ctype == xlrd.XL_CELL_DATE:
            try:
                v = xlrd.xldate.xldate_as_datetime(v, datemode)
            except (xlrd.xldate.XLDateError, OverflowError, ValueError):
                pass  # an out-of-range date stays a number: the value check reports it
            else:
                v = v.date() if v.time() == time(0) else v
        elif ctype == xlrd.XL_CELL_BOOLEAN:
            v = bool(v)
        values[c] = v
    return values


def sheet_parts(data: bytes) -> dict[str, str]:
    """xlsx sheet name -> worksheet part path, from workbook.xml and its relationships (defusedxml)."""
    import zipfile

    from defusedxml.ElementTree import fromstring

    z = zipfile.ZipFile(io.BytesIO(data))
    rels = fromstring(z.read("xl/_rels/workbook.xml.rels"))
    targets = {}
    for rel in rels:
        target = rel.get("Target", "")
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[rel.get("Id")] = target
    book = fromstring(z.read("xl/workbook.xml"))
    out = {}
    rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    for el in book.iter():
        if el.tag.endswith("}sheet"):
            out[el.get("name", "")] = targets.get(el.get(rid), "")
    return out


# ----- CSV ------------------------------------------------------------------------------------------------


def decode_text(data: bytes, hint: str = "") -> tuple[str, str]:
    """The text and the encoding used: BOMs first, then strict UTF-8, then GB18030 (a superset of GBK)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = data.decode("gb18030")
    # a lone 0x80 decodes to U+0080, and Big5 and others land in the private use area: not GBK text
    if "\x80" in text or "\ufffd" in text or re.search("[\ue000-\uf8ff]", text):
        raise UnicodeDecodeError("gb18030", data, 0, 1, "not GBK/GB18030 text")
    return text, "gb18030"


class _Sniffer(csv.Sniffer):
    """``csv.Sniffer`` whose delimiter guess tallies only the candidate delimiters.

    The standard ``_guess_delimiter`` counts all 127 ASCII characters on every line, in Python, then
    keeps only the candidates: half the time of reading a CSV form. Characters that are not
    candidates never reach its result, so tallying the candidates alone (in the same order) gives
    the same answer; this is that method with its character list filtered, nothing else changed.
    """

    def _guess_delimiter(self, data: str, delimiters: str | None) -> tuple[str, bool | int]:  # type: ignore[override]
        if delimiters is None or any(ord(d) >= 127 for d in delimiters):
            return super()._guess_delimiter(data, delimiters)  # type: ignore[misc, no-any-return]
        lines = list(filter(None, data.split("\n")))
        chars = [chr(c) for c in range(127) if chr(c) in delimiters]
        chunk_length = min(10, len(lines))
        iteration = 0
        char_frequency: dict[str, dict[int, int]] = {}
        modes: dict[str, tuple[int, int]] = {}
        delims: dict[str, tuple[int, int]] = {}
        start, end = 0, chunk_length
        while start < len(lines):
            iteration += 1
            for line in lines[start:end]:
                for char in chars:
                    meta = char_frequency.get(char, {})
                    freq = line.count(char)  # counted even when 0
                    meta[freq] = meta.get(freq, 0) + 1
                    char_frequency[char] = meta
            for char in char_frequency:
                items = list(char_frequency[char].items())
                if len(items) == 1 and items[0][0] == 0:
                    continue
                if len(items) > 1:  # the mode, less the sum of the other frequencies
                    modes[char] = max(items, key=lambda x: x[1])
                    items.remove(modes[char])
                    modes[char] = (modes[char][0], modes[char][1] - sum(item[1] for item in items))
                else:
                    modes[char] = items[0]
            mode_list = modes.items()
            total = float(min(chunk_length * iteration, len(lines)))
            consistency = 1.0
            threshold = 0.9
            while len(delims) == 0 and consistency >= threshold:
                for k, v in mode_list:
                    if v[0] > 0 and v[1] > 0 and v[1] / total >= consistency and k in delimiters:
                        delims[k] = v
                consistency -= 0.01
            if len(delims) == 1:
                delim = next(iter(delims))
                return delim, _spaced(lines[0], delim)
            start = end
            end += chunk_length
        if not delims:
            return "", 0
        if len(delims) > 1:
            for d in self.preferred:
                if d in delims:
                    return d, _spaced(lines[0], d)
        ranked = sorted((v, k) for (k, v) in delims.items())
        delim = ranked[-1][1]
        return delim, _spaced(lines[0], delim)


def _spaced(line: str, delim: str) -> bool:
    """Every delimiter of the line is followed by a space (the dialect's ``skipinitialspace``)."""
    return line.count(delim) == line.count(delim + " ")


def read_csv(data: bytes) -> Workbook:
    """A CSV as one sheet named "csv"; the delimiter (comma, tab, semicolon) is sniffed from the text.

    Excel on Chinese Windows saves CSV as GBK; "Unicode text" is UTF-16 with tabs. Values stay text:
    the value normaliser turns them into numbers and dates per field type, so ids keep leading zeros.
    Row numbers count records, which is the line number unless a quoted value spans several lines.
    Raises :class:`ReadError` ``csv-encoding`` when no supported encoding decodes the bytes.
    """
    try:
        text, _enc = decode_text(data)
    except UnicodeDecodeError as exc:
        raise ReadError("csv-encoding", str(exc)) from None
    sample = text[:8192]
    try:
        dialect: Any = _Sniffer().sniff(sample, delimiters=",\t;")
    except csv.Error:
        counts = {d: sample.count(d) for d in (",", "\t", ";")}
        best = max(counts, key=lambda d: counts[d])
        dialect = type("D", (csv.excel,), {"delimiter": best if counts[best] else ","})
    try:
        rows = [
            [None if not v.strip() else v for v in row]
            for row in csv.reader(io.StringIO(text, newline=""), dialect)
        ]
    except csv.Error as exc:
        raise ReadError("file-corrupt", f"CSV: {exc}") from None
    return Workbook([SheetGrid("csv", rows)])


def is_temporal(v: Any) -> bool:
    return isinstance(v, (date, datetime, time))
