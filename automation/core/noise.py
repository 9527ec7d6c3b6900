"""Which paths in the inbox are forms to process, and which are noise to leave alone.

Office, LibreOffice, sync clients and file managers leave temporary and bookkeeping files beside
the forms a rep saves; processing them would reject "forms" the rep never sent and fill their
rejected folder with nonsense. Noise is never processed, never moved and never deleted (deleting
Excel's ``~$`` owner file would break the rep's open session); the watcher simply does not see it.

Decisions (where SPEC is silent):

- Only files directly in ``inbox/<folder>/`` are forms. A file lying in ``inbox/`` itself has no
  sender, so it is left alone (and logged once as misplaced); files in deeper sub-folders
  (``inbox/R001/drafts/x.xlsx``) are left alone too, because reps keep drafts and done forms in
  sub-folders of their own and would not expect those to be submitted.
- Symbolic links (to files or folders) are never followed: a link could point outside the shared
  folder, and the pipeline must only read what a rep actually dropped.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

# Glob patterns (matched case-insensitively against the file name) that are never forms.
NOISE_PATTERNS: tuple[str, ...] = (
    "~$*",  # Office owner/lock file while a workbook is open
    ".~lock.*#",  # LibreOffice lock file
    "~wrl*.tmp",  # Word/Excel save temp file
    "*.tmp",  # any temp file (Excel, LibreOffice lu*.tmp, sync clients)
    ".*",  # hidden files: .DS_Store, ._x (macOS), .sync, editors' swap files
    "desktop.ini",
    "thumbs.db",
    "*.part",  # browsers' and sync clients' partial downloads
    "*.partial",
    "*.crdownload",
    "*.download",
    "*.swp",
)
# Excel saves into an extension-less temp file named with 8 hex digits, then renames it.
_EXCEL_SAVE_TEMP = re.compile(r"^[0-9A-Fa-f]{8}$")


# The patterns as one compiled expression: a flood asks this of thousands of names.
_NOISE = re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in NOISE_PATTERNS), re.DOTALL)


def is_noise_name(name: str) -> bool:
    """True for a file name that office software, sync clients or the OS create on their own."""
    if not name or _EXCEL_SAVE_TEMP.fullmatch(name):
        return True
    return _NOISE.match(name.lower()) is not None


def inbox_folder(path: Path, inbox: Path) -> str | None:
    """The inbox sub-folder (sender id) a form belongs to, or None when it is not a form to process.

    None for noise names, for anything not directly in ``inbox/<folder>/``, for hidden folders and
    for symbolic links. Does not touch the disk except for the symlink checks.
    """
    try:
        rel = path.relative_to(inbox)
    except ValueError:
        return None
    parts = rel.parts
    if len(parts) != 2:
        return None
    folder, name = parts
    if folder.startswith(".") or is_noise_name(name):
        return None
    if path.is_symlink() or (inbox / folder).is_symlink():
        return None
    return folder


def misplaced(path: Path, inbox: Path) -> bool:
    """A non-noise file the watcher will not process because it is not in ``inbox/<folder>/``.

    Worth one log line so the back office can tell a rep where to put it.
    """
    try:
        rel = path.relative_to(inbox)
    except ValueError:
        return False
    return (
        len(rel.parts) != 2 and not is_noise_name(rel.name) and not any(p.startswith(".") for p in rel.parts)
    )
