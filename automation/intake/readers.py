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
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import time
from typing import Any

from automation.intake import budget
from automation.intake.errors import ReadError

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
        uncached: frozenset[tuple[int, int]] = frozenset(),
    ) -> None:
        self.name = name
        self.hidden = hidden
        self._rows = rows
        self._merged = merged or []
        self._load = load
        # 0-based (row, col) of formula cells saved without a value: blank in ``rows``, yet not
        # blank in the file (see :mod:`automation.intake.formulas`)
        self.uncached = uncached

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


@contextmanager
def parsing(what: str, code: str = "file-corrupt") -> Iterator[None]:
    """The boundary between a file's bytes and the code that parses them: whatever a parsing library
    (calamine, xlrd, openpyxl, zipfile, csv...) or our own byte-level parsing raises in the body
    becomes :class:`ReadError` ``code`` (``file-corrupt``: "damaged or unsupported file").

    Why every exception: a reader meeting bytes it does not expect may raise anything (fuzzing and
    a corpus of 778 odd spreadsheets found xlrd's FormulaError, AttributeError, TypeError, ...),
    and each is a fact about the file, never about our state; listing the kinds let the next new
    one crash a command and take the files after it along. Not converted: MemoryError (the
    machine's state as much as the file's: it stays a fault that is retried, then quarantined),
    and KeyboardInterrupt/SystemExit. A Rust panic inside calamine surfaces as pyo3's
    ``PanicException``, a BaseException: that is the file too. The body must hold parsing only
    (bytes already in memory, no disk, no ledger), so an exception there cannot be a system fault.
    """
    try:
        yield
    except (ReadError, MemoryError):
        raise
    except Exception as exc:
        raise ReadError(code, _fault(what, exc)) from exc
    except BaseException as exc:
        if type(exc).__name__ != "PanicException":
            raise
        raise ReadError(code, _fault(what, exc)) from exc


def _fault(what: str, exc: BaseException) -> str:
    """A one-line detail for the back office: where, which exception, its message (shortened)."""
    text = " ".join(str(exc).split())
    return f"{what}: {type(exc).__name__}: {text[:200]}" if what else f"{type(exc).__name__}: {text[:200]}"


def _clean(rows: list[list[Any]]) -> list[list[Any]]:
    return [[None if v == "" else v for v in row] for row in rows]


def read_calamine(
    data: bytes, date1904: bool = False, sparse_sheets: frozenset[str] = frozenset()
) -> Workbook:
    """Every sheet of an xlsx/xlsm/xls/ods through python-calamine (sheets in ``sparse_sheets`` skipped).

    Sheets are parsed on first use (see :class:`SheetGrid`); a damaged sheet then raises
    :class:`ReadError` at that moment.
    """
    from python_calamine import CalamineWorkbook, PasswordError, SheetVisibleEnum

    try:
        with parsing("calamine"):
            wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
            metas = wb.sheets_metadata
    except ReadError as exc:
        if isinstance(exc.__cause__, PasswordError):
            raise ReadError("password-protected", str(exc.__cause__)) from None
        raise

    def loader(name: str) -> Callable[[], tuple[list[list[Any]], list[Merge]]]:
        def load() -> tuple[list[list[Any]], list[Merge]]:
            budget.check(budget.READING)
            try:
                with parsing(f"calamine, sheet {name!r}"):
                    sh = wb.get_sheet_by_name(name)
                    return _clean(sh.to_python(skip_empty_area=False)), list(sh.merged_cell_ranges or [])
            except ReadError as exc:
                if isinstance(exc.__cause__, PasswordError):
                    raise ReadError("password-protected", str(exc.__cause__)) from None
                raise

        return load

    sheets = [
        SheetGrid(m.name, hidden=m.visible != SheetVisibleEnum.Visible, load=loader(m.name))
        for m in metas
        if m.name not in sparse_sheets
    ]
    return Workbook(sheets, date1904)


def read_sparse_xlsx(data: bytes, names: list[str]) -> list[SheetGrid]:
    """The named sheets streamed by openpyxl (read-only): only cells near the data are kept."""
    import openpyxl

    with parsing("openpyxl"):
        return _sparse_xlsx(openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True), names)


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
    abort the whole process (found by fuzzing), which no ``except`` can catch; xlrd raises instead
    (anything: fuzzing found AttributeError and TypeError on damaged records, a corpus of odd files
    xlrd's own FormulaError for a defined name it cannot evaluate; see :func:`parsing`).
    The same limits as :func:`read_sparse_xlsx` apply (rows stop after a long empty run, columns
    after :data:`MAX_COLUMNS`); dates are converted in the workbook's own date system (1900/1904).
    """
    import xlrd

    with parsing("olefile"):
        stream = workbook_stream(data)
    try:
        with parsing("xlrd"):
            book = xlrd.open_workbook(
                file_contents=stream, ragged_rows=True, on_demand=True, logfile=io.StringIO()
            )
    except ReadError as exc:
        if "encrypt" in str(exc.__cause__).lower():
            raise ReadError("password-protected", exc.detail) from None
        raise
    sheets: list[SheetGrid] = []
    with parsing("xlrd"):
        try:
            for idx in range(book.nsheets):
                budget.check(budget.READING)
                sh = book.sheet_by_index(idx)
                sheets.append(SheetGrid(sh.name, _xlrd_rows(sh, book.datemode), hidden=sh.visibility != 0))
                book.unload_sheet(idx)
        finally:
            book.release_resources()
    return Workbook(sheets, book.datemode == 1)


def workbook_stream(data: bytes) -> bytes:
    """The BIFF stream of a legacy xls, taken out of its OLE2 container by olefile; xlrd reads it.

    Why not let xlrd open the container: its compound-document reader follows a short stream's
    sector chain without a guard, so a damaged file whose chain loops keeps it appending to a list
    for ever (fuzzing found one: an hour of CPU and all the memory, uninterruptible, for a 6 KB
    file). olefile walks every chain in a loop bounded by the stream's declared size, checked
    against the allocation table, precisely against such files. xlrd reads a bare BIFF stream as it
    reads the one it would have found itself.
    """
    import olefile

    ole = olefile.OleFileIO(io.BytesIO(data))  # bytes themselves would be taken for a file name
    try:
        name = next((n for n in ("Workbook", "Book") if ole.exists(n)), None)
        if name is None:
            raise ReadError("file-corrupt", "olefile: no Workbook stream in the OLE2 file")
        stream: bytes = ole.openstream(name).read()
    finally:
        ole.close()
    if not stream:  # (xlrd would take empty contents for "no contents" and look for a file name)
        raise ReadError("file-corrupt", "olefile: the Workbook stream is empty")
    if stream[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # a container inside the stream: not BIFF
        raise ReadError("file-corrupt", "olefile: the Workbook stream is itself an OLE2 file")
    return stream


def _grid(rows_of_values: Iterable[dict[int, Any]]) -> list[list[Any]]:
    """Rows of ``{0-based column: value}`` (blanks left out) -> a grid, stopping after a long
    run of empty rows (a sheet claiming a million rows) and without trailing empty rows."""
    rows: list[list[Any]] = []
    empty_run = 0
    for i, values in enumerate(rows_of_values):
        if not i & budget.MASK:
            budget.check(budget.READING)
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

    with parsing("workbook.xml"):
        return _sheet_parts(zipfile.ZipFile(io.BytesIO(data)), fromstring)


def _sheet_parts(z: Any, fromstring: Callable[[bytes], Any]) -> dict[str, str]:
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
    with parsing("CSV"):
        sample = text[:8192]
        try:
            dialect: Any = _Sniffer().sniff(sample, delimiters=",\t;")
        except csv.Error:
            counts = {d: sample.count(d) for d in (",", "\t", ";")}
            best = max(counts, key=lambda d: counts[d])
            dialect = type("D", (csv.excel,), {"delimiter": best if counts[best] else ","})
        rows = []
        for i, row in enumerate(csv.reader(io.StringIO(text, newline=""), dialect)):
            if not i & budget.MASK:
                budget.check(budget.READING)
            rows.append([None if not v.strip() else v for v in row])
    return Workbook([SheetGrid("csv", rows)])
