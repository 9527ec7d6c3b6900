"""Size and content caps checked before any parser sees a file.

A shared folder is an attack surface: anyone with write access can drop a zip bomb, an XML entity
bomb ("billion laughs"), an XXE payload, or a tiny sheet with one value in cell XFD1048576 — which
makes calamine allocate rows x columns cells (512 GB) and abort the whole process. So, before reading:

- the file size is compared with ``config.intake.max_file_mb``;
- for zip-based files, the declared uncompressed sizes are summed (``max_unpacked_mb``) and each
  member's compression ratio is checked (a real workbook compresses 5-20x; a bomb 1000x);
- every XML part's prologue goes through defusedxml with DTDs forbidden: entity bombs and external
  entities need a DTD, and a DTD can only stand before the root element, so the prologue suffices;
- worksheet parts are scanned (streamed, never held whole) for the largest row and column referenced by
  a cell; a sheet whose cell area exceeds :data:`MAX_DENSE_CELLS` is read by the sparse reader;
- an ODS ``content.xml`` is walked for runs of repeated *value* cells (LibreOffice's 16384-wide runs
  of empty cells are harmless; 20000 x 1000 copies of one value would cost calamine 2.4 GB).

The ``<dimension>`` tag is ignored by calamine (it computes the extent from the cells), so a silly
dimension tag needs no special treatment; a far-away *value* does. Legacy xls never reaches calamine
(see :func:`automation.intake.readers.read_xls`).
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from operator import itemgetter
from typing import IO
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from automation.intake import budget
from automation.intake.formulas import MAX_CELLS, Cells, UncachedCells, uncached_cells
from automation.intake.zipdir import ZipEntry, ZipLike, open_member

MAX_RATIO = 200  # uncompressed / compressed; real xlsx parts stay far below 100
RATIO_MIN_BYTES = 2 * 1024 * 1024  # small parts may compress well without being a bomb
MAX_MEMBERS = 5000
MAX_DENSE_CELLS = 2_000_000  # calamine holds 32 bytes a cell: ~64 MB
FITS = (999, 702)  # the extent recorded for a sheet with no reference beyond row 999 or column ZZ
assert FITS[0] * FITS[1] <= MAX_DENSE_CELLS
PROLOGUE_BYTES = 16 * 1024
CHUNK = 1024 * 1024
SMALL_PART = 4 * 1024 * 1024  # parts up to this size are inflated in one call
# a cell's r="B7" or a row's r="7" (letters empty). Writers put one space before an attribute, and a
# literal prefix keeps the regex fast; XML allows any blank there, so other blanks take the slow regex.
_REF = re.compile(rb' r="([A-Z]{0,3})([0-9]{1,7})"')
_REF_ANY_BLANK = re.compile(rb'[ \t\r\n]r="([A-Z]{0,3})([0-9]{1,7})"')
_ODD_BLANKS = (b'\nr="', b'\tr="', b'\rr="')
# a reference beyond row 999 or column ZZ (or something like it: a false hit only costs the exact scan)
_BEYOND = re.compile(rb' r="(?:[A-Z]{3}|[A-Z]{0,3}[0-9]{4})')
_DATE1904 = re.compile(rb'date1904="(1|true)"')
_WORKSHEET = re.compile(r"xl/worksheets/[^/]+\.xml")
# Forms made from one template share most parts byte for byte (styles, theme, rels...): the
# inflated prologue of a deflated part is kept by its compressed bytes, which determine it. Bounded:
# parts up to _MEMO_RAW compressed bytes, at most _MEMO_ENTRIES entries (then the memo starts over).
_MEMO_RAW = 8 * 1024
_MEMO_ENTRIES = 256
_HEADS: dict[tuple[int, bytes], bytes] = {}
_PLAIN: dict[bytes, bool] = {}
_SHEETS: dict[tuple[int, bytes], tuple[tuple[int, int], str | None, Cells]] = {}


@dataclass
class ZipScan:
    """What the pre-parse scan of a zip-based workbook found."""

    problem: str | None = None  # a file-level problem code, or None when safe to parse
    detail: str = ""
    date1904: bool = False
    # part -> (max row, max col) its cells reference, 1-based; for a sheet with no reference beyond
    # row 999 or column ZZ that bound, FITS (all that matters is whether it fits a dense grid)
    extents: dict[str, tuple[int, int]] = field(default_factory=dict)
    # part (ods: "content.xml#<table>") -> 0-based (row, col) of formula cells saved without a value
    # (see :mod:`.formulas`); parts without any are left out
    uncached: dict[str, Cells] = field(default_factory=dict)

    @property
    def dense_ok(self) -> bool:
        """True when every sheet can be read as a dense grid within the memory bound."""
        return all(r * c <= MAX_DENSE_CELLS for r, c in self.extents.values())


def too_large(size: int, max_mb: float) -> bool:
    return size > max_mb * 1024 * 1024


def _col_number(letters: bytes) -> int:
    """Column letters to a 1-based number; b"" (a row reference) is 0."""
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


class _RootReached(Exception):
    """Raised by the parser target at the root element: everything a DTD can do happens before it."""


class _FirstElement:
    """Parser target that stops the parse at the root element, so only the prologue is parsed."""

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        raise _RootReached

    def end(self, tag: str) -> None:
        pass

    def data(self, data: str) -> None:
        pass

    def close(self) -> None:
        return None


def _plain_prologue(head: bytes) -> bool:
    """True when ``head`` provably reaches its root element with no DOCTYPE: UTF-8/ASCII text whose
    prologue is only an XML declaration, comments, processing instructions and blanks.

    A fast path for the common case; anything else (a DOCTYPE, UTF-16, a prologue longer than the
    sample) goes through defusedxml.
    """
    i, n = 0, len(head)
    if head.startswith(b"\xef\xbb\xbf"):
        i = 3
    while i < n:
        c = head[i]
        if c in b" \t\r\n":
            i += 1
        elif head.startswith(b"<?", i):
            j = head.find(b"?>", i)
            if j < 0:
                return False
            i = j + 2
        elif head.startswith(b"<!--", i):
            j = head.find(b"-->", i)
            if j < 0:
                return False
            i = j + 3
        else:  # the root element (no DTD came before it), or something defusedxml must judge
            return c == 0x3C and i + 1 < n and (head[i + 1] == 0x5F or chr(head[i + 1]).isalpha())
    return False


def check_xml_prologue(fh: IO[bytes], first: bytes = b"") -> str | None:
    """``unsafe-content`` detail when the XML declares a DTD, entities or external references.

    The part is fed to defusedxml (DTDs, entities and external references forbidden) chunk by chunk
    until the root element starts, however long a comment an attacker puts before a DOCTYPE.
    """
    chunk = first or fh.read(PROLOGUE_BYTES)
    if _plain_prologue(chunk[:PROLOGUE_BYTES]):
        return None
    parser = DefusedXMLParser(
        target=_FirstElement(), forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    try:
        while chunk:
            parser.feed(chunk)
            chunk = fh.read(PROLOGUE_BYTES)
    except _RootReached:
        return None
    except DefusedXmlException as exc:
        return f"{type(exc).__name__}: {exc}"
    except ParseError:
        return None  # broken XML: the reader reports the file as corrupt
    return None


SheetScan = tuple[tuple[int, int], str | None, Cells]


def _scan_sheet(z: ZipLike, info: ZipEntry, data: bytes | None = None) -> SheetScan:
    """Stream one worksheet part: the extent of the cells it references (see :class:`ZipScan`), a
    prologue problem if any, and its formula cells saved without a value (:mod:`.formulas`).

    A small part (a form) is inflated in one C call straight from the archive bytes; a large one is
    streamed in chunks so memory stays bounded. The answer for a small part is kept by its
    compressed bytes, which determine it: the ``_form`` sheet of every form made from one template
    is the same part, scanned once.
    """
    member = _member(data, info) if data is not None and info.file_size <= SMALL_PART else None
    if member is None:
        with open_member(z, info) as fh:
            return _scan_stream(fh)
    if len(member[1]) > _MEMO_RAW:
        return _scan_whole(_inflate(member, SMALL_PART))
    hit = _SHEETS.get(member)
    if hit is None:
        hit = _scan_whole(_inflate(member, SMALL_PART))
        if len(_SHEETS) >= _MEMO_ENTRIES:
            _SHEETS.clear()
        _SHEETS[member] = hit
    return hit


def _scan_whole(xml: bytes) -> SheetScan:
    """:func:`_scan_stream` of a part held in memory, with a shortcut for the usual form.

    Collecting every reference costs ~1 us a cell. When one search finds no reference beyond row
    999 or column ZZ (and no reference after a blank other than a space, which the exact scan
    treats separately), the sheet fits a dense grid whatever its exact extent, and that bound is
    its extent. Only ``dense_ok`` and the sheets over :data:`MAX_DENSE_CELLS` depend on extents,
    and both come out as the exact extents give them.
    """
    if b'\nr="' not in xml and b'\tr="' not in xml and b'\rr="' not in xml and _BEYOND.search(xml) is None:
        problem = check_xml_prologue(io.BytesIO(xml[CHUNK:]), xml[:CHUNK])  # as _scan_stream reads it
        if problem:
            return (0, 0), problem, []
        return (FITS if _REF.search(xml) else (0, 0)), None, uncached_cells(xml)
    return _scan_stream(io.BytesIO(xml))


def _scan_stream(fh: IO[bytes]) -> SheetScan:
    """The largest (row, col) a cell reference of the part names and its formula cells without a
    value, or the prologue's problem."""
    max_row = max_col = 0
    tail = b""
    chunk = fh.read(CHUNK)
    problem = check_xml_prologue(fh, chunk)
    if problem:
        return (0, 0), problem, []
    formulas = UncachedCells()
    while chunk:
        budget.check(budget.SCANNING)
        formulas.feed(chunk)
        buf = tail + chunk
        # the searches and int() conversions run in C; only distinct column names reach Python
        odd = any(b in buf for b in _ODD_BLANKS)
        refs = (_REF_ANY_BLANK if odd else _REF).findall(buf)
        if refs:
            max_col = max(max_col, *(_col_number(c) for c in set(map(itemgetter(0), refs))))
            max_row = max(max_row, *map(int, map(itemgetter(1), refs)))
        tail = buf[-64:]
        chunk = fh.read(CHUNK)
    formulas.feed(b"", final=True)
    return (max_row, max_col), None, formulas.cells


def _member(data: bytes, info: ZipEntry) -> tuple[int, bytes] | None:
    """(compression method, compressed bytes) of a plain stored/deflated member, straight from the
    archive bytes; None for anything else (then the caller takes the zipfile path)."""
    off = info.header_offset
    if data[off : off + 4] != b"PK\x03\x04" or info.flag_bits & 1:
        return None
    name_len, extra_len = struct.unpack_from("<HH", data, off + 26)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    start = off + 30 + name_len + extra_len
    return info.compress_type, data[start : start + info.compress_size]


def _inflate(member: tuple[int, bytes], n: int) -> bytes:
    """The first ``n`` bytes of a :func:`_member`'s content."""
    method, raw = member
    if method == zipfile.ZIP_STORED:
        return raw[:n]
    return zlib.decompressobj(-15).decompress(raw, n)


def _peek(data: bytes, info: ZipEntry, n: int = PROLOGUE_BYTES) -> bytes | None:
    """The first ``n`` bytes of a member straight from the archive bytes (no ZipExtFile), or None
    when the member is not a plain stored/deflated entry (then the caller takes the zipfile path)."""
    member = _member(data, info)
    if member is None:
        return None
    method, raw = member
    if method == zipfile.ZIP_STORED or n > PROLOGUE_BYTES or len(raw) > _MEMO_RAW:
        return _inflate(member, n)  # stored, a whole sheet, or a big part: not kept
    key = (n, raw)
    head = _HEADS.get(key)
    if head is None:
        head = _inflate(member, n)
        if len(_HEADS) >= _MEMO_ENTRIES:
            _HEADS.clear()
        _HEADS[key] = head
    return head


def _plain_head(head: bytes) -> bool:
    """:func:`_plain_prologue`, remembered for the heads :func:`_peek` hands out again."""
    plain = _PLAIN.get(head)
    if plain is None:
        plain = _plain_prologue(head)
        if len(_PLAIN) >= _MEMO_ENTRIES:
            _PLAIN.clear()
        _PLAIN[head] = plain
    return plain


def scan_zip(z: ZipLike, max_unpacked_mb: float, data: bytes | None = None) -> ZipScan:
    """Check a workbook zip before parsing: sizes, ratios, DTDs, sheet extents, the 1904 date flag.

    Raises whatever zipfile, zlib or the XML parser raise for a corrupt archive; the caller reads
    it inside :func:`automation.intake.readers.parsing`, which makes that ``file-corrupt``.
    """
    infos = z.infolist()
    if len(infos) > MAX_MEMBERS:
        return ZipScan("unsafe-content", f"{len(infos)} members in the archive")
    total = sum(i.file_size for i in infos)
    if too_large(total, max_unpacked_mb):
        return ZipScan("file-too-large", f"{total / 1048576:.0f} MB when unpacked")
    for i in infos:
        if i.file_size > RATIO_MIN_BYTES and i.file_size > MAX_RATIO * max(i.compress_size, 1):
            return ZipScan(
                "unsafe-content", f"{i.filename} expands {i.file_size // max(i.compress_size, 1)}x"
            )
    scan = ZipScan()
    for i in infos:
        name = i.filename
        lower = name.lower()
        if not lower.endswith((".xml", ".rels", ".vml")):
            continue
        if _WORKSHEET.fullmatch(lower):
            budget.check(budget.SCANNING)
            extent, problem, uncached = _scan_sheet(z, i, data)
            if problem:
                return ZipScan("unsafe-content", f"{name}: {problem}")
            scan.extents[name] = extent
            if uncached:
                scan.uncached[name] = uncached
            continue
        if lower == "content.xml":
            extents, refused, ods_uncached = _scan_ods_content(z, i)
            if refused:
                return ZipScan(*refused)
            scan.extents.update(extents)
            scan.uncached.update(ods_uncached)
            continue
        # the prologue of a part is in its first few hundred bytes; workbook.xml also holds date1904
        head = (
            _peek(data, i, PROLOGUE_BYTES if lower == "xl/workbook.xml" else 1024)
            if data is not None
            else None
        )
        if head is None or not _plain_head(head):  # the common case needs no zipfile stream
            with open_member(z, i) as fh:
                head = fh.read(PROLOGUE_BYTES)
                problem = check_xml_prologue(fh, head)
        else:
            problem = None
        if problem:
            return ZipScan("unsafe-content", f"{name}: {problem}")
        if lower == "xl/workbook.xml":
            scan.date1904 = bool(_DATE1904.search(head))
    return scan


_T = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_O = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


class _OdsExtent:
    """Parser target walking an ODS content.xml: the extent of the cells holding values, per table.

    ODS compresses runs with ``number-rows-repeated``/``number-columns-repeated``; LibreOffice writes
    16384-wide runs of *empty* cells, which cost nothing, but a run of a *value* is expanded by the
    reader into that many cells (calamine allows 100 million: 3 GB).
    """

    def __init__(self) -> None:
        self.extents: dict[str, tuple[int, int]] = {}
        self.table = ""
        self.row = self.col = 0
        self.row_rep = 1
        self.max_row = self.max_col = 0
        self.uncached: dict[str, Cells] = {}  # table -> formula cells without a value (see .formulas)

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if tag == _T + "table":
            self.table = attrib.get(_T + "name", f"table{len(self.extents) + 1}")
            self.row = self.max_row = self.max_col = 0
        elif tag == _T + "table-row":
            self.row_rep = _int(attrib.get(_T + "number-rows-repeated"))
            self.col = 0
        elif tag in (_T + "table-cell", _T + "covered-table-cell"):
            rep = _int(attrib.get(_T + "number-columns-repeated"))
            if _O + "value-type" in attrib:
                self.max_col = max(self.max_col, self.col + rep)
                self.max_row = max(self.max_row, self.row + self.row_rep)
            elif _T + "formula" in attrib and tag == _T + "table-cell":
                self._formula(rep)
            self.col += rep

    def _formula(self, rep: int) -> None:
        """A formula cell with no value type: saved without its value (LibreOffice always writes one)."""
        cells = self.uncached.setdefault(self.table, [])
        for r in range(self.row, self.row + self.row_rep):
            for c in range(self.col, self.col + rep):
                if len(cells) >= MAX_CELLS:
                    return
                cells.append((r, c))

    def end(self, tag: str) -> None:
        if tag == _T + "table-row":
            self.row += self.row_rep
        elif tag == _T + "table":
            self.extents[self.table] = (self.max_row, self.max_col)

    def data(self, data: str) -> None:
        pass

    def close(self) -> None:
        return None


def _int(v: str | None) -> int:
    try:
        return max(1, int(v)) if v else 1
    except ValueError:
        return 1


def _scan_ods_content(
    z: ZipLike, info: ZipEntry
) -> tuple[dict[str, tuple[int, int]], tuple[str, str] | None, dict[str, Cells]]:
    """Walk an ODS content.xml: extents and formula cells per table, or (problem code, detail).

    Content that is not well-formed XML is ``file-corrupt`` here, not left to the reader: the walk
    has parsed it all anyway, and calamine's ODS reader never returns from some damaged content
    (a broken ``</table:table>`` found by fuzzing: an endless loop in Rust that nothing can stop).
    """
    target = _OdsExtent()
    parser = DefusedXMLParser(target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    try:
        with open_member(z, info) as fh:
            while chunk := fh.read(CHUNK):
                budget.check(budget.SCANNING)
                parser.feed(chunk)
        parser.close()
    except DefusedXmlException as exc:
        return {}, ("unsafe-content", f"{info.filename}: {type(exc).__name__}: {exc}"), {}
    except ParseError as exc:
        return {}, ("file-corrupt", f"{info.filename}: ParseError: {exc}"), {}
    extents = {f"content.xml#{k}": v for k, v in target.extents.items()}
    return extents, None, {f"content.xml#{k}": v for k, v in target.uncached.items() if v}
