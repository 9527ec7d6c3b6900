"""Where the watcher puts a file it gave up on: a copy and a reason, never the original.

Decision: a file that fails ``1 + watcher.retries`` times (a fault of ours or of the system, never
the rep's: a bad form is *rejected* by the pipeline, not failed) stays where the rep dropped it,
untouched, so nothing a rep sent can be lost or blamed on them. The watcher copies it byte for
byte to ``state_root/quarantine/<sha256[:12]>-<folder>-<name>`` with a ``.json`` beside it (reason,
traceback, attempts, original path, times), logs an error, lists it in the heartbeat, and stops
retrying it while it stays unchanged. Saving a new version, or restarting the watcher after the
fault is fixed, retries it. The copy keeps the evidence even if the rep later deletes the file.

Faults of the environment (a full disk, a locked ledger, a read-only folder: see
:mod:`automation.core.faults`) never count towards those attempts: the watcher waits for them.
A note that cannot be written (the state disk is full) is logged instead, never a crash.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
from pathlib import Path
from typing import Any

from automation.core.content_store import sha256_of
from automation.core.names import encodable, readable, shown
from automation.core.texts.log import LOG
from automation.watch.state import system_time

log = logging.getLogger("automation.watch")

QUARANTINE_DIR = "quarantine"
_UNSAFE = re.compile(r"[^\w.\-]+", re.UNICODE)


def _safe(part: str) -> str:
    return _UNSAFE.sub("_", part).strip("._")[:80] or "file"


def quarantine(path: Path, folder: str, state_root: Path, *, reason: str, attempts: int) -> Path | None:
    """Copy ``path`` into the quarantine folder with a reason file; returns the reason file, or
    None when it could not be written (a full or read-only state disk): the caller logs the reason
    itself and goes on, since a note that cannot be written must not stop the watcher."""
    try:
        return _quarantine(path, folder, state_root, reason=reason, attempts=attempts)
    except (OSError, ValueError) as exc:  # ValueError: UnicodeError included
        log.error(LOG["quarantine-note-failed"], shown(path), exc)
        return None


def _quarantine(path: Path, folder: str, state_root: Path, *, reason: str, attempts: int) -> Path:
    qdir = state_root / QUARANTINE_DIR
    qdir.mkdir(parents=True, exist_ok=True)
    digest = ""
    with contextlib.suppress(OSError):
        digest = sha256_of(path)[0]
    stem = f"{digest[:12] or 'unreadable'}-{_safe(folder)}-{_safe(readable(path.name))}"
    copy = qdir / stem
    if digest and not copy.exists():
        tmp = copy.with_name(copy.name + ".part")
        try:
            shutil.copyfile(path, tmp)
            tmp.replace(copy)
        except OSError as exc:
            log.warning(LOG["quarantine-copy-failed"], shown(path), exc)
            tmp.unlink(missing_ok=True)
    info: dict[str, Any] = {
        "original": shown(path),
        # the name's bytes, when they are not what "original" shows (not UTF-8: see watch.names)
        "original_bytes_hex": None if encodable(str(path)) else os.fsencode(path).hex(),
        "folder": folder,
        "sha256": digest,
        "copy": str(copy) if copy.exists() else None,
        "attempts": attempts,
        "reason": readable(reason),
        "time": system_time(),
    }
    note = qdir / f"{stem}.json"
    tmp_note = note.with_name(note.name + ".part")
    tmp_note.write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp_note.replace(note)
    return note
