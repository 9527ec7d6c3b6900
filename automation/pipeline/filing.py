"""Stage 8's moves: the original into ``archive/`` or ``rejected/`` (its feedback beside it), never
overwriting another file, each step safe to repeat after a crash."""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import shutil
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automation.core.config import Config
from automation.core.content_store import ContentStore, sha256_of
from automation.core.names import shown
from automation.core.outcomes import REJECTED
from automation.core.safenames import split_name
from automation.core.texts.log import LOG
from automation.pipeline.paths import in_inbox, there_unlinked
from automation.pipeline.staging import staged_feedback

if TYPE_CHECKING:
    from automation.ledger import SubmissionRecord

log = logging.getLogger("automation.pipeline")


def _inside(path: Path, folder: Path) -> bool:
    return _resolved(folder) in path.resolve().parents


@functools.lru_cache(maxsize=64)
def _resolved(folder: Path) -> Path:
    """A configured folder, resolved once: were it later swapped for a symlink, paths through it
    would resolve elsewhere and be refused, so caching only makes :func:`_inside` stricter."""
    return folder.resolve()


def place(
    src: Path, target: Path, sha256: str, *, keep_source: bool, sync_dir: bool = True, made: bool = False
) -> Path:
    """Put ``src`` at ``target`` without ever overwriting another file; idempotent.

    A hard link then unlink is atomic and refuses an existing target (a crash in between leaves two
    names of one file, which the next run resolves). Where links are not supported (some SMB
    mounts) it copies to a temporary name, fsyncs and renames. If the target already holds the
    same content (a crash after placing), only the source is removed. ``made``: the target's
    folder is known to exist (a batch placed a file there already).
    """
    if not made:
        target.parent.mkdir(parents=True, exist_ok=True)
    if target.exists():
        if sha256_of(target)[0] != sha256:
            raise FileExistsError(f"{target} exists with other content")
    elif keep_source:
        tmp = target.with_name(f".{target.name}.part")
        shutil.copyfile(src, tmp)
        with tmp.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    else:
        try:
            os.link(src, target, follow_symlinks=False)
        except FileExistsError:
            return place(src, target, sha256, keep_source=keep_source, sync_dir=sync_dir, made=True)
        except OSError:
            tmp = target.with_name(f".{target.name}.part")
            shutil.copyfile(src, tmp)
            with tmp.open("rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, target)
    if not keep_source and there_unlinked(src):  # one lstat: there, and not a symlink
        src.unlink(missing_ok=True)  # another process may have finished the same file
    if sync_dir:
        fsync_dir(target.parent)
    return target


def _still_holds(path: Path, sha256: str, before: os.stat_result | None) -> bool:
    """The file at ``path`` still has the content ``sha256`` (see :func:`put_in_place`)."""
    if before is not None:
        try:
            now = path.stat()
        except OSError:
            return True  # gone: place() finds nothing to move either
        if (now.st_size, now.st_mtime_ns, now.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino):
            return True
    try:
        return sha256_of(path)[0] == sha256
    except OSError:
        return True


def fsync_dir(folder: Path) -> None:
    """Make a folder's entries (a file moved in) durable; best effort where folders cannot be opened."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@dataclass(frozen=True)
class Placed:
    """Where :func:`put_in_place` put a record's original and feedback."""

    target: Path
    feedback: Path | None
    folders: tuple[Path, ...]  # the folders it wrote into (a flood fsyncs them once, at its end)
    checked: tuple[Path, Path] | None  # (target folder, archive or rejected): resolved inside, and made


def put_in_place(
    record: SubmissionRecord,
    path: Path,
    config: Config,
    ledger: Any,
    *,
    before: os.stat_result | None = None,
    sync_dir: bool = True,
    checked: Collection[tuple[Path, Path]] = (),
) -> Placed:
    """Feedback first, then the original (each step safe to repeat); the submission is not marked.

    The original in the inbox must still hold the bytes that were recorded: a copy that paused
    and went on after the form was read (or a rep who saved again) has changed it. Then the
    recorded version is filed from the content store and the file is left where it is, to be
    processed as a new version (the watcher sees its new signature), so neither is lost.
    ``before``: the file's stat when it was read; an unchanged size and mtime spare the re-hash.

    ``sync_dir`` False (a flood): the target folder is not fsynced here (the caller fsyncs each of
    :attr:`Placed.folders` once). ``checked``: pairs of :attr:`Placed.checked` from earlier files
    of the same flood; a file going into such a folder has only its own name checked (not a
    symlink), not the whole path resolved again (a dozen system calls a form).
    """
    root = config.shared_root
    if not record.archive_path:
        raise RuntimeError(f"submission #{record.id} has no planned place")
    target = root / record.archive_path
    top = config.rejected if record.status == REJECTED else config.archive
    known = (target.parent, top) in checked and not os.path.islink(target)
    if not known and not _inside(target, top):
        raise RuntimeError(f"refusing to write outside {top}: {target}")
    feedback = None
    if record.feedback_path:
        feedback = root / record.feedback_path
        staged = staged_feedback(config, record)
        if staged.exists() and not _inside(feedback, config.rejected):
            raise RuntimeError(f"refusing to write outside {config.rejected}: {feedback}")
        if staged.exists() and not feedback.exists():
            feedback.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(staged), str(feedback))
    keep = not in_inbox(path, config)
    src = path  # what is moved (or copied) into place
    if not keep and there_unlinked(path) and not _still_holds(path, record.sha256, before):
        store = ContentStore(config.state_root / "content")
        if store.has(record.sha256):
            log.warning(
                LOG["changed-after-read"],
                shown(path),
                record.id,
            )
            src, keep = store.path_for(record.sha256), True
    how: dict[str, Any] = {}  # place()'s defaults unless a flood says otherwise
    if not sync_dir:
        how["sync_dir"] = False
    if known:
        how["made"] = True
    resolved = None
    if there_unlinked(src):
        try:
            place(src, target, record.sha256, keep_source=keep, **how)
        except FileExistsError:
            stem, ext = split_name(target.name)
            alt = target.with_name(f"{stem}_{record.id}{ext}")
            place(src, alt, record.sha256, keep_source=keep, **how)
            record.archive_path = alt.relative_to(root).as_posix()
            ledger.set_archive_path(record.id, record.archive_path)
            target = alt
        resolved = (target.parent, top)  # resolved inside ``top`` above (or earlier), and made
    folders = (target.parent,) if feedback is None else (target.parent, feedback.parent)
    return Placed(target, feedback, folders, resolved)
