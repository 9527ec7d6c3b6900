"""An immutable store of every file the product was given, keyed by its SHA-256.

Why (NiFi's content repository): the original in the inbox can change, vanish or be replaced while
we work on it, and the shared folder is not ours to trust. The first thing the pipeline does is
copy the bytes here under their hash; from then on the content a submission was judged on can be
found again (``content/ab/abcdef...``), whatever happens to the file in the share.

Writes are crash-safe and idempotent: bytes go to a temporary file, are fsynced, then renamed into
place; storing the same content twice keeps the first copy. Symbolic links are refused (opened with
``O_NOFOLLOW``): a link in the inbox could point anywhere on the machine.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG

CHUNK = 1 << 20


class SymlinkRefused(OSError):
    """The path is a symbolic link; the product never follows one."""


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    path: Path | None  # None when too large to keep (see put)
    data: bytes | None = field(default=None, repr=False, compare=False)  # the bytes, when read whole


_TMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
# what Path.is_file() takes for "no file there" rather than an error
_ABSENT = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)


def _read_to_end(fd: int, size: int) -> bytes:
    """Everything from ``fd`` to its end, ``size`` bytes expected (as ``read()`` of a file object:
    a file that grew since its size was taken is read to its new end)."""
    first = os.read(fd, max(size, 0) + 1)
    if not first:
        return first
    parts = [first]
    while chunk := os.read(fd, CHUNK):
        parts.append(chunk)
    return first if len(parts) == 1 else b"".join(parts)


def sha256_of(
    source: str | os.PathLike[str] | int | bytes, each: Callable[[bytes], object] | None = None
) -> tuple[str, int]:
    """The SHA-256 hex digest and size of a file: the one file hash of the product (the content
    store's key, the check that a filed original still holds what was recorded, a quarantined
    file's name, a submission's identity). ``source`` is a path or an open descriptor, read a chunk
    at a time from where it stands to its end (never whole in memory), or bytes already read.
    ``each`` sees every chunk as it is hashed (the content store writes it to its temporary file
    in the same pass)."""
    if isinstance(source, bytes):
        return hashlib.sha256(source).hexdigest(), len(source)
    if not isinstance(source, int):
        fd = os.open(source, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            return sha256_of(fd, each)
        finally:
            os.close(fd)
    h = hashlib.sha256()
    size = 0
    while chunk := os.read(source, CHUNK):
        h.update(chunk)
        if each is not None:
            each(chunk)
        size += len(chunk)
    return h.hexdigest(), size


def write_all(fd: int, data: bytes) -> None:
    """All of ``data`` to ``fd`` (``os.write`` may take only part of it)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _regular_size(path: Path) -> int | None:
    """The size of the regular file at ``path``; None when there is none (one ``stat``, where
    ``is_file()`` then ``stat()`` took two; the same errors count as "no file")."""
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno in _ABSENT:
            return None
        raise
    except ValueError:
        return None
    return st.st_size if S_ISREG(st.st_mode) else None


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class ContentStore:
    """``root/ab/abcdef...``; ``root`` is ``state_root/content``."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path_for(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def put(self, source: Path, max_bytes: int | None = None, *, sync: bool = True) -> Stored:
        """Copy ``source`` in; returns its hash, size, stored path and (``max_bytes`` given) its bytes.

        With ``max_bytes`` the file is read whole, once: the bytes are hashed, stored and handed
        back, so intake parses exactly the bytes that were stored without reading the file again.
        A file larger than ``max_bytes`` (intake rejects it unread) is hashed but not copied, so a
        stray video in the inbox cannot fill the state disk; its ``path`` is then None.

        Content already in the store is not written again. ``sync`` False skips the per-file
        fsyncs: a batch (``pipeline_batch``) makes the whole batch durable with one
        :func:`os.sync` before its ledger commit instead, so nothing the ledger refers to can be
        lost in a power cut either.

        The copy of a form is a handful of system calls on plain file descriptors (no file objects,
        one ``stat`` of the destination, no check of the temporary folder before each copy): on a
        flood this runs for every file.
        """
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(source, flags)
        except OSError as exc:
            if Path(source).is_symlink():
                raise SymlinkRefused(f"symbolic link refused: {source}") from exc
            raise
        if max_bytes is None:
            try:
                return self._put_stream(fd, sync)
            finally:
                os.close(fd)
        try:
            size = os.fstat(fd).st_size
            if size > max_bytes:
                return Stored(*sha256_of(fd), None)
            data = _read_to_end(fd, size)
        finally:
            os.close(fd)
        digest = sha256_of(data)[0]
        final = self.path_for(digest)
        if _regular_size(final) != len(data):
            self._write(final, data, sync)
        return Stored(digest, len(data), final, data)

    def _put_stream(self, src: int, sync: bool) -> Stored:
        """A file of any size (an open descriptor), streamed through a temporary file and hashed in
        the same pass (nothing held in memory)."""
        tmp, fd = self._open_tmp()
        try:
            try:
                digest, size = sha256_of(src, lambda chunk: write_all(fd, chunk))
                if sync:
                    os.fsync(fd)
            finally:
                os.close(fd)
            final = self.path_for(digest)
            if _regular_size(final) != size:
                self._place(tmp, final, sync)
            return Stored(digest, size, final)
        finally:
            _remove(tmp)  # gone already when it was placed

    def _write(self, final: Path, data: bytes, sync: bool) -> None:
        tmp, fd = self._open_tmp()
        try:
            try:
                write_all(fd, data)
                if sync:
                    os.fsync(fd)
            finally:
                os.close(fd)
            self._place(tmp, final, sync)
        except BaseException:
            _remove(tmp)
            raise

    def _place(self, tmp: str, final: Path, sync: bool) -> None:
        try:
            os.replace(tmp, final)
        except FileNotFoundError:  # first content under this prefix
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
        if sync:
            _fsync_dir(final.parent)

    def _open_tmp(self) -> tuple[str, int]:
        """A new temporary file in ``root/tmp`` (created on first use): its path and descriptor.

        The folder is not checked before each copy; a missing one shows as FileNotFoundError and
        is created then. The name is random, and ``O_EXCL`` makes sure the file is a new one.
        """
        tmp_dir = os.path.join(self.root, "tmp")
        tmp = os.path.join(tmp_dir, os.urandom(16).hex() + ".part")
        try:
            fd = os.open(tmp, _TMP_FLAGS, 0o666)
        except FileNotFoundError:
            os.makedirs(tmp_dir, exist_ok=True)
            fd = os.open(tmp, _TMP_FLAGS, 0o666)
        return tmp, fd

    def read(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()
