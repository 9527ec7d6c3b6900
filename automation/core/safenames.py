"""File and folder names built from parts a user controls (original names, folder names).

An inbox file may be called ``..\\..\\x.xlsx``, ``CON.xlsx`` or carry control characters; what we
write into ``archive/`` and ``rejected/`` must stay inside those folders and be a name every
Windows/SMB client can open. So names are rebuilt from safe parts, never used as given.
"""

from __future__ import annotations

import re
import unicodedata

_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(1, 10)),
    *(f"lpt{i}" for i in range(1, 10)),
}
_BAD = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]+')
MAX_NAME = 120


def safe_part(text: str, fallback: str = "_") -> str:
    """One path component: no separators, no control or Windows-forbidden characters, no leading dots."""
    text = unicodedata.normalize("NFC", str(text))
    text = _BAD.sub("_", text).strip().strip(".").strip()
    if not text:
        return fallback
    if text.split(".")[0].casefold() in _RESERVED:
        text = "_" + text
    return text[:MAX_NAME]


def safe_name(name: str) -> str:
    """A file name (stem + extension) made safe; the extension is kept when it is a plain one."""
    name = str(name).replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, ext = name.rpartition(".")
    if not dot or not re.fullmatch(r"[A-Za-z0-9]{1,8}", ext):
        return safe_part(name, "file")
    return f"{safe_part(stem, 'file')[: MAX_NAME - len(ext) - 1]}.{ext.lower()}"


def split_name(name: str) -> tuple[str, str]:
    """``('日报', '.xlsx')`` for ``日报.xlsx``."""
    stem, dot, ext = name.rpartition(".")
    return (stem, f".{ext}") if dot and stem else (name, "")
