"""File names as the file system gives them, and as people read them.

A name in the inbox is whatever bytes the rep's machine wrote. Two kinds surprise Python:

- **bytes that are not UTF-8**: an old Windows PC or a Samba share without ``unix charset``
  writes GBK. Python hands such a name over as a ``str`` with *surrogate escapes*
  (``'\\udcce\\udcf5...'``); it opens the file fine, but cannot encode it as UTF-8, so every
  log line, JSON note, ledger row and workbook that contains it fails;
- **NFD names** (a Mac, or a sync client, decomposes ``é`` into ``e`` + an accent): valid text that
  looks like the NFC name but is other bytes.

Decisions:

- The *path* is always the name exactly as the file system has it: it is how the file is opened,
  moved and found again. The ledger's ``source`` (the file's identity at its inbox path) keeps NFD
  as it is (``R001/Cafe\\u0301.xlsx`` and ``R001/Café.xlsx`` are two files on Linux, so they are two
  sources); for a name that is not valid UTF-8 the source is its readable form (below), since a
  database column holds text, and :func:`automation.pipeline.stages.inbox_file` finds the file again by
  comparing each name's readable form, never by decoding back.
- What people read (log, status, feedback workbook, the ledger's ``original_name``, the archive
  name) is :func:`readable`: NFC, and for bytes that are not UTF-8 the GB18030 reading of them (a
  superset of GBK, which is what such names almost always are here), else ``\\xNN`` escapes. A
  rep's ``王伟.xlsx`` written in GBK is archived and reported as ``王伟.xlsx``.
"""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path
from typing import Any


def encodable(text: str) -> bool:
    """True when ``text`` is valid Unicode (no surrogate escapes of undecodable bytes)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def readable(text: str) -> str:
    """The name (or path) as a person should read it: valid Unicode, NFC; see the module docstring."""
    if not encodable(text):
        raw = os.fsencode(text)
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            text = raw.decode("utf-8", "backslashreplace")
    return unicodedata.normalize("NFC", text)


def shown(path: Path | str) -> str:
    """``str(path)`` made readable, for a log line or a message."""
    return readable(str(path))


def is_plain(name: str) -> bool:
    """The name is already what people read (valid UTF-8 and NFC): nothing to translate."""
    return encodable(name) and unicodedata.is_normalized("NFC", name)


class ShownPath(type(Path())):  # type: ignore[misc]
    """A path that opens the real file but whose ``name`` (and so ``stem``, ``suffix``) is the
    readable one: intake and validation put ``path.name`` into every message to the rep, and the
    feedback workbook reads the original again through the same object."""

    _shown_name: str | None = None

    @property
    def name(self) -> str:
        real = super().name
        return self._shown_name if self._shown_name is not None and real == self._real_name else real

    @classmethod
    def of(cls, path: Path) -> Path:
        """``path`` itself when its name is plain, else a ShownPath for it."""
        if is_plain(path.name):
            return path
        out: Any = cls(path)
        out._real_name = path.name
        out._shown_name = readable(path.name)
        return out  # type: ignore[no-any-return]

    _real_name: str = ""


__all__ = ["ShownPath", "encodable", "is_plain", "readable", "shown"]
