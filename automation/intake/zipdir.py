"""A workbook zip's member list read straight from its bytes, for the archives forms come in.

``zipfile.ZipFile`` builds a ``ZipInfo`` of twenty attributes for every member: ~50 us for the ten
members of a form, more than intake's whole look at the zip. :func:`open_zip` reads the central
directory with one ``struct`` call a member into :class:`Member` (the fields intake uses), for the
plain archives every spreadsheet program writes: no archive comment, no zip64, no extra fields,
no odd names. For anything else it returns ``zipfile.ZipFile`` itself, so every damaged or unusual
archive meets zipfile's own checks and messages. Reading a member's content, when the caller needs
zipfile for it, goes through a ``ZipFile`` opened on first use (:meth:`Archive.open`).

The members listed are exactly zipfile's, in the same order, with the same values for the fields
kept (tests compare both on damaged archives); the conditions below are those under which
``ZipFile.__init__`` reads the same directory without raising.
"""

from __future__ import annotations

import io
import os
import struct
import zipfile
from types import TracebackType
from typing import IO

_END = struct.Struct("<4s4H2LH")  # end of central directory record (zipfile.structEndArchive)
_ENTRY = struct.Struct("<4s4B4HL2L5H2L")  # central directory entry (zipfile.structCentralDir)
_MAX_EXTRACT_VERSION = 63  # zipfile refuses members that need a later version


class Member:
    """The fields of a ``zipfile.ZipInfo`` that intake reads, and the member's place in the list."""

    __slots__ = (
        "filename",
        "orig_filename",
        "file_size",
        "compress_size",
        "header_offset",
        "flag_bits",
        "compress_type",
        "CRC",
        "index",
    )

    def __init__(
        self,
        filename: str,
        file_size: int,
        compress_size: int,
        header_offset: int,
        flag_bits: int,
        compress_type: int,
        crc: int,
        index: int,
    ) -> None:
        self.filename = self.orig_filename = filename
        self.file_size = file_size
        self.compress_size = compress_size
        self.header_offset = header_offset
        self.flag_bits = flag_bits
        self.compress_type = compress_type
        self.CRC = crc
        self.index = index


class Archive:
    """The part of the ``zipfile.ZipFile`` interface intake uses, over a directory read by
    :func:`open_zip`; member contents are read through a ``ZipFile`` opened on first use."""

    def __init__(self, data: bytes, members: list[Member]) -> None:
        self._data = data
        self.filelist = members
        self.NameToInfo = {m.filename: m for m in members}  # the last of a name wins, as in zipfile
        self._zip: zipfile.ZipFile | None = None

    def infolist(self) -> list[Member]:
        return self.filelist

    def namelist(self) -> list[str]:
        return [m.filename for m in self.filelist]

    def getinfo(self, name: str) -> Member:
        try:
            return self.NameToInfo[name]
        except KeyError:
            raise KeyError(f"There is no item named {name!r} in the archive") from None

    def zipfile(self) -> zipfile.ZipFile:
        """The same archive opened by zipfile (once), for reading members."""
        if self._zip is None:
            self._zip = zipfile.ZipFile(io.BytesIO(self._data))
        return self._zip

    def read(self, name: str) -> bytes:
        return self.zipfile().read(name)

    def open(self, member: Member) -> IO[bytes]:
        z = self.zipfile()
        return z.open(z.filelist[member.index])

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


ZipLike = Archive | zipfile.ZipFile  # what open_zip returns
ZipEntry = Member | zipfile.ZipInfo  # a member of either


def open_member(z: ZipLike, info: ZipEntry) -> IO[bytes]:
    """``z.open(info)`` for a member of ``z`` (an :class:`Archive` or a ``zipfile.ZipFile``)."""
    if isinstance(z, Archive) and isinstance(info, Member):
        return z.open(info)
    if isinstance(z, zipfile.ZipFile) and isinstance(info, zipfile.ZipInfo):
        return z.open(info)
    raise TypeError("a member is opened in the archive that listed it")


def open_zip(data: bytes) -> Archive | zipfile.ZipFile:
    """The archive's members: an :class:`Archive` for a plain archive, else ``zipfile.ZipFile``
    (which raises for a damaged one, as it always did)."""
    members = _members(data)
    if members is None:
        return zipfile.ZipFile(io.BytesIO(data))
    return Archive(data, members)


def _members(data: bytes) -> list[Member] | None:
    """The central directory as ``ZipFile`` reads it, or None for anything but a plain archive."""
    size = len(data)
    if size < 42:
        return None
    end = _END.unpack_from(data, size - 22)
    if end[0] != b"PK\x05\x06" or end[7] != 0:  # an archive comment: zipfile searches for the record
        return None
    if data[size - 42 : size - 38] == b"PK\x06\x07":  # a zip64 locator
        return None
    size_cd, offset_cd = end[5], end[6]
    start = size - 22 - size_cd  # zipfile's start_dir (offset_cd + concat)
    if start < 0:
        return None
    concat = start - offset_cd
    members: list[Member] = []
    pos, stop = start, size - 22
    while pos < stop:
        if pos + 46 > stop:
            return None
        entry = _ENTRY.unpack_from(data, pos)
        name_len, extra_len, comment_len = entry[12], entry[13], entry[14]
        after = pos + 46 + name_len + extra_len + comment_len
        if entry[0] != b"PK\x01\x02" or after > stop or extra_len or entry[3] > _MAX_EXTRACT_VERSION:
            return None
        flags = entry[5]
        try:
            name = data[pos + 46 : pos + 46 + name_len].decode("utf-8" if flags & 0x800 else "cp437")
        except UnicodeDecodeError:
            return None
        if "\x00" in name or (os.sep != "/" and os.sep in name):  # names zipfile would change
            return None
        members.append(
            Member(name, entry[11], entry[10], entry[18] + concat, flags, entry[6], entry[9], len(members))
        )
        pos = after
    return members
