"""Where a dropped file is: its identity in the ledger, its inbox folder, and the lock that keeps two
processes off it (the watcher and ``salesflow ingest`` may meet on the same file)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from automation.core import filelock
from automation.core.config import Config
from automation.core.names import encodable, readable

LOCK_STRIPES = 64


@contextlib.contextmanager
def path_lock(config: Config, source: str) -> Iterator[None]:
    """Hold one of :data:`LOCK_STRIPES` lock files for this path while it is processed.

    The watcher and a one-shot ``ingest`` may meet on the same file; without this the second could
    record a duplicate of a file the first just filed. Held, the second waits (milliseconds), then
    finds the file gone. Striped so the state folder does not fill with one lock file per name;
    the lock (:mod:`automation.core.filelock`) is released when a process dies, so a crash leaves no stale lock.
    """
    with filelock.held(lock_file(config, source)):
        yield


def lock_file(config: Config, source: str) -> Path:
    """The stripe lock file that guards ``source`` (see :func:`path_lock`)."""
    folder = config.state_root / "locks"
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
    # surrogateescape: a source is readable text (``source_key``), but a lock must never be what fails
    stripe = int(hashlib.sha1(source.encode("utf-8", "surrogateescape")).hexdigest(), 16) % LOCK_STRIPES
    return folder / f"path-{stripe:02d}.lock"


def inbox_folder_of(path: Path, config: Config) -> str | None:
    """``R001`` for ``inbox/R001/x.xlsx``; None outside the inbox."""
    try:
        rel = path.absolute().relative_to(config.inbox.absolute())
    except ValueError:
        return None
    return rel.parts[0] if len(rel.parts) >= 2 else None


def in_inbox(path: Path, config: Config) -> bool:
    return inbox_folder_of(path, config) is not None


def source_key(path: Path, config: Config) -> str:
    """The file's identity in the ledger: its inbox-relative path, else its absolute path.

    As the file system spells it (an NFD name stays NFD), except that a name whose bytes are not
    UTF-8 becomes its readable form (:mod:`automation.core.names`): a ledger holds text."""
    try:
        key = path.absolute().relative_to(config.inbox.absolute()).as_posix()
    except ValueError:
        key = path.absolute().as_posix()
    return key if encodable(key) else readable(key)


def inbox_file(config: Config, source: str) -> Path | None:
    """The file in the inbox whose source key is ``source``, or None when there is none.

    The key of a name that is not UTF-8 is its readable form, which is not the name on disk: such
    a file is found by comparing the keys of the files in its folder, never by decoding back."""
    direct = config.inbox / source
    if there_unlinked(direct) and source_key(direct, config) == source:
        return direct
    folder = direct.parent
    if folder == config.inbox or config.inbox not in folder.parents:
        return None
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return None
    for entry in entries:
        if not encodable(entry.name) and source_key(Path(entry.path), config) == source:
            return Path(entry.path)
    return None


def there_unlinked(path: Path) -> bool:
    """``path.exists() and not path.is_symlink()`` (there, and not a symbolic link) in one ``lstat``."""
    try:
        return not stat.S_ISLNK(os.lstat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return False
