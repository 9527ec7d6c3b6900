"""Copies a sync client (or a hurried rep) made: ``日报 (1).xlsx`` beside ``日报.xlsx``.

When two computers change one file before they sync, the sync client keeps both and renames one;
Windows and browsers number a second copy. Such a copy that holds *other* content than the
original is processed like any file: a new version of the form, which supersedes the original
when it is the same form, rep and period (the later received wins, SPEC §2). But which of the two
the rep meant is a guess, so the submission is marked in the ledger (``submissions.conflict_copy_of``
= the original's inbox path) and ``salesflow status`` lists it, for the back office to check with
the rep. A byte-identical copy is a duplicate as always (counted once).

A name only *looks* like a copy; it is taken for one when the original it names was submitted
from the same folder (it is in the ledger) or lies beside it in the inbox. ``拜访-R001.xlsx`` is
not a OneDrive copy unless a ``拜访.xlsx`` came from that folder.

The patterns (stem only, the extension must match the original's), from each client's documentation:

============================  =============================================================
``name (1)``, ``name(2)``     Windows Explorer, OneDrive, Google Drive, browsers, 百度网盘
``name - 副本``, ``name - Copy``  Windows Explorer's copy (Chinese / English Windows)
``name-DESKTOP-AB12CD``       OneDrive: ``-`` and the computer name (upper case, ≤ 15 characters)
``name (… conflict …)``       Dropbox ("X's conflicted copy 2024-01-02"), 坚果云 and Dropbox in
                              Chinese (``冲突副本``), Nextcloud/ownCloud ("conflicted copy …"),
                              Seafile ("SFConflict …")
``name_<client>_<time>_…Conflict[_n]``  Synology Drive (``a_Andy-PC_Jan-03-0901-2013_CaseConflict_1``)
``name_Conflict``             Synology Cloud Station
``name.sync-conflict-…``      Syncthing (``.sync-conflict-20240102-030405-ABCDEFG``)
``name.Conflict[n]``          Resilio Sync
============================  =============================================================

Left out on purpose: macOS/iCloud's ``name 2`` (too many real names end in a number).
"""

from __future__ import annotations

import re

from automation.core.safenames import split_name

# each: (client, pattern); group "orig" is the original's stem
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("numbered copy", re.compile(r"^(?P<orig>.+?) ?[(（]\d{1,3}[)）]$")),
    (
        "Windows copy",
        re.compile(r"^(?P<orig>.+?) - (?:副本|复制|Copy)(?: ?[(（]\d{1,3}[)）])?$", re.IGNORECASE),
    ),
    (
        "sync conflict",
        re.compile(r"^(?P<orig>.+?) ?[(（][^()（）]*(?:冲突|conflict)[^()（）]*[)）]$", re.IGNORECASE),
    ),
    (
        "Synology Drive",
        re.compile(r"^(?P<orig>.+?)_[^_]+_[A-Za-z]{3}-\d{2}-\d{4}-\d{4}_\w*Conflict(?:_\d+)?$"),
    ),
    ("Synology", re.compile(r"^(?P<orig>.+?)_Conflict(?:_\d+)?$", re.IGNORECASE)),
    ("Syncthing", re.compile(r"^(?P<orig>.+?)\.sync-conflict-\d{8}-\d{6}(?:-[A-Z0-9]{7})?$")),
    ("Resilio Sync", re.compile(r"^(?P<orig>.+?)\.Conflict\d*$")),
    ("OneDrive", re.compile(r"^(?P<orig>.+?)-(?P<host>[A-Z0-9][A-Z0-9-]{0,14})$")),
]


def originals(name: str) -> list[tuple[str, str]]:
    """The names ``name`` may be a copy of, each with the client that names copies so:
    ``[("日报.xlsx", "numbered copy")]`` for ``日报 (1).xlsx``; [] for a plain name."""
    stem, ext = split_name(name)
    out: list[tuple[str, str]] = []
    for client, pattern in _PATTERNS:
        m = pattern.match(stem)
        if not m:
            continue
        orig = m.group("orig").rstrip()
        if client == "OneDrive" and not any(c.isalpha() for c in m.group("host")):
            continue  # "-2026", "-01": a date or a number, not a computer name
        if orig and (f"{orig}{ext}", client) not in out:
            out.append((f"{orig}{ext}", client))
    return out


__all__ = ["originals"]
