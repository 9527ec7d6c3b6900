"""Tell a file's format from its bytes, never from its extension.

Reps rename files, e-mail clients append ``.xls`` to HTML, and WPS saves ``.et`` files that are really
xlsx. So the reader is chosen from the content: a zip with a spreadsheet content type (xlsx/xlsm) or
an ODF ``mimetype`` (ods); an OLE2 compound file holding a ``Workbook`` stream (xls) or an encrypted
OOXML package (``EncryptionInfo``: Excel's "protect with password" always produces one); text that
decodes as UTF-8/UTF-16/GB18030 (csv). Anything else is not a spreadsheet.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass, field

from automation.intake.zipdir import ZipEntry, ZipLike, open_zip

ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSX_TEMPLATE_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml"
XLSM_MAIN = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
XLTM_MAIN = "application/vnd.ms-excel.template.macroEnabled.main+xml"
TEXT_SAMPLE = 64 * 1024
_MAX_CONTENT_TYPES = 1024 * 1024  # a real [Content_Types].xml is a few KB


@dataclass(frozen=True)
class Sniffed:
    """What the bytes are: ``kind`` is a format (xlsx, xlsm, xls, ods, csv) or a file-level problem code."""

    kind: str
    detail: str = ""
    archive: ZipLike | None = field(default=None, compare=False, repr=False)  # zip formats: opened once

    @property
    def ok(self) -> bool:
        return self.kind in ("xlsx", "xlsm", "xls", "ods", "csv")


def _utf16(name: str) -> bytes:
    return name.encode("utf-16-le")


def sniff_cfb(data: bytes) -> Sniffed:
    """An OLE2 compound file: legacy xls, or an Office-encrypted OOXML package.

    Directory entry names are stored in UTF-16LE; looking for them in the bytes avoids a CFB parser
    (and its failure modes) for a yes/no answer.
    """
    if _utf16("EncryptionInfo") in data and _utf16("EncryptedPackage") in data:
        return Sniffed("password-protected", "encrypted OOXML package")
    if _utf16("Workbook") in data or _utf16("Book\x00") in data:
        return Sniffed("xls")
    return Sniffed("not-a-spreadsheet", "OLE2 file without a workbook (Word or other Office document?)")


def sniff_zip(data: bytes, zf: ZipLike | None = None) -> Sniffed:
    """A zip: xlsx/xlsm by the main part's content type, ods by the ``mimetype`` member."""
    try:
        z = zf or open_zip(data)
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as exc:
        return Sniffed("file-corrupt", f"broken zip: {exc}")
    names = z.NameToInfo  # every member name (as in namelist()), without building a set
    if any(m.flag_bits & 0x1 for m in z.infolist()):  # zip encryption: zipfile cannot read a member
        return Sniffed("password-protected", "zip archive with encrypted members")
    try:
        if "mimetype" in names:
            info = z.getinfo("mimetype")
            if info.file_size <= 200:
                mime = z.read("mimetype").decode("ascii", "replace").strip()
                if mime == ODS_MIME or mime == ODS_MIME + "-template":
                    return Sniffed("ods", archive=z)
                return Sniffed("not-a-spreadsheet", mime)
        if "[Content_Types].xml" in names:
            info = z.getinfo("[Content_Types].xml")
            if info.file_size > _MAX_CONTENT_TYPES:
                return Sniffed("unsafe-content", "oversized [Content_Types].xml")
            kind, detail = _office_kind(z, info, data)
            return Sniffed(kind, detail, archive=z if not detail else None)
    except (zipfile.BadZipFile, OSError, EOFError, KeyError, ValueError, NotImplementedError) as exc:
        return Sniffed("file-corrupt", f"broken zip member: {exc}")
    except Exception as exc:  # zlib.error lives in a C module; keep it specific by name
        if type(exc).__name__ == "error" and type(exc).__module__ == "zlib":
            return Sniffed("file-corrupt", f"broken zip member: {exc}")
        raise
    return Sniffed("not-a-spreadsheet", "zip archive without a workbook")


def _office_kind(z: ZipLike, info: ZipEntry, data: bytes) -> tuple[str, str]:
    """(kind, detail) by the content types of an Office package; detail is empty for a workbook.

    Forms made from one template carry the same ``[Content_Types].xml`` byte for byte, so the
    answer is kept by the part's compressed bytes; it is used only when this file's directory
    entry, local header and CRC say ``z.read`` would return the very bytes the answer came from.
    """
    raw = _plain_deflated(info, data)
    if raw is not None:
        hit = _CT_KINDS.get(raw)
        if hit is None:
            inflater = zlib.decompressobj(-15)
            try:
                content = inflater.decompress(raw)
                whole = inflater.eof and not inflater.unused_data
            except zlib.error:  # damaged: zipfile says how, below
                content, whole = b"", False
            hit = (zlib.crc32(content), len(content) if whole else -1, _kind_of(content))
            if len(_CT_KINDS) >= 256:
                _CT_KINDS.clear()
            _CT_KINDS[raw] = hit
        crc, size, kind = hit
        if size == info.file_size and crc == info.CRC:
            return kind
    return _kind_of(z.read("[Content_Types].xml"))


def _kind_of(content_types: bytes) -> tuple[str, str]:
    ct = content_types.decode("utf-8", "replace")
    if XLSM_MAIN in ct or XLTM_MAIN in ct:
        return "xlsm", ""
    if XLSX_MAIN in ct or XLSX_TEMPLATE_MAIN in ct:
        return "xlsx", ""
    if "sheet.binary" in ct:
        return "not-a-spreadsheet", "xlsb (binary workbook): save it as .xlsx"
    return "not-a-spreadsheet", "Office document that is not a workbook"


_CT_KINDS: dict[bytes, tuple[int, int, tuple[str, str]]] = {}
_MAX_MEMO_RAW = 8 * 1024


def _plain_deflated(info: ZipEntry, data: bytes) -> bytes | None:
    """The compressed bytes of a small deflated member when ``ZipFile.open`` would accept its local
    header as is (same name, no encryption or other flag it refuses); None otherwise."""
    if (
        info.compress_type != zipfile.ZIP_DEFLATED
        or info.flag_bits & 0x61
        or info.compress_size > _MAX_MEMO_RAW
    ):
        return None  # 0x61: encrypted, compressed patch, strong encryption
    off = info.header_offset
    if off < 0:
        return None
    header = data[off : off + 30]
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        return None
    flags, name_len, extra_len = struct.unpack_from("<H18xHH", header, 6)
    name = data[off + 30 : off + 30 + name_len]
    try:
        shown = name.decode("utf-8" if flags & 0x800 else "cp437")
    except UnicodeDecodeError:
        return None
    if shown != info.orig_filename:
        return None
    start = off + 30 + name_len + extra_len
    raw = data[start : start + info.compress_size]
    return raw if len(raw) == info.compress_size else None


def _looks_like_text(sample: bytes) -> str | None:
    """The encoding a text sample decodes with, or None: UTF-16 (BOM), UTF-8 (BOM or not), GB18030."""
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if b"\x00" in sample:
        return None
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    for enc in ("utf-8", "gb18030"):
        try:
            sample.decode(enc)
            return enc
        except UnicodeDecodeError as exc:
            # a multi-byte character cut by the end of the sample is not a decoding failure
            if len(sample) >= TEXT_SAMPLE and exc.start >= len(sample) - 4:
                return enc
    return None


def _plain_text(sample: bytes) -> bool:
    """No NUL and almost no control characters: text, whatever its encoding."""
    if b"\x00" in sample:
        return False
    controls = sum(1 for b in sample if b < 0x20 and b not in (9, 10, 13))
    return controls <= len(sample) // 200


def sniff(data: bytes) -> Sniffed:
    """The format of a file's bytes, or the file-level problem code that rejects it."""
    if not data:
        return Sniffed("file-empty")
    if data.startswith(ZIP_MAGIC):
        return sniff_zip(data)
    if data.startswith(EMPTY_ZIP_MAGIC):
        return Sniffed("file-corrupt", "empty zip archive")
    if data.startswith(CFB_MAGIC):
        return sniff_cfb(data)
    if not data.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        return Sniffed("file-empty", "only blank space")
    sample = data[:TEXT_SAMPLE]
    enc = _looks_like_text(sample)
    if enc is None and _plain_text(sample):
        # text in an encoding we do not read (Latin-1, Big5 ...): the CSV reader reports csv-encoding
        return Sniffed("csv", "unknown")
    if enc is None:
        return Sniffed("not-a-spreadsheet", "binary file of unknown type")
    head = sample.decode(enc, "replace").lstrip("\ufeff \t\r\n").lower()
    if head.startswith(("<", "{", "%pdf")):
        return Sniffed("not-a-spreadsheet", "HTML/XML/JSON text, not a workbook or CSV")
    return Sniffed("csv", enc)
