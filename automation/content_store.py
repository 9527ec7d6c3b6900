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

import hashlib
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHUNK = 1 << 20


class SymlinkRefused(OSError):
    """The path is a symbolic link; the product never follows one."""


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    path: Path | None  # None when too large to keep (see put)
    data: bytes | None = field(default=None, repr=False, compare=False)  # the bytes, when read whole


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
        """
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
        try:
            fd = os.open(source, flags)
        except OSError as exc:
            if Path(source).is_symlink():
                raise SymlinkRefused(f"symbolic link refused: {source}") from exc
            raise
        with os.fdopen(fd, "rb") as src:
            if max_bytes is None:
                return self._put_stream(src, sync)
            if os.fstat(src.fileno()).st_size > max_bytes:
                h = hashlib.sha256()
                size = 0
                for chunk in iter(lambda: src.read(CHUNK), b""):
                    h.update(chunk)
                    size += len(chunk)
                return Stored(h.hexdigest(), size, None)
            data = src.read()
        digest = hashlib.sha256(data).hexdigest()
        final = self.path_for(digest)
        if not (final.is_file() and final.stat().st_size == len(data)):
            self._write(final, [data], sync)
        return Stored(digest, len(data), final, data)

    def _put_stream(self, src: Any, sync: bool) -> Stored:
        """A file of any size, streamed through a temporary file (nothing held in memory)."""
        tmp = self._tmp()
        h = hashlib.sha256()
        size = 0
        try:
            with open(tmp, "wb") as dst:
                for chunk in iter(lambda: src.read(CHUNK), b""):
                    h.update(chunk)
                    dst.write(chunk)
                    size += len(chunk)
                dst.flush()
                if sync:
                    os.fsync(dst.fileno())
            final = self.path_for(h.hexdigest())
            if not (final.is_file() and final.stat().st_size == size):
                self._place(tmp, final, sync)
            return Stored(h.hexdigest(), size, final)
        finally:
            if tmp.exists():
                tmp.unlink()

    def _write(self, final: Path, chunks: list[bytes], sync: bool) -> None:
        tmp = self._tmp()
        try:
            with open(tmp, "wb") as dst:
                for chunk in chunks:
                    dst.write(chunk)
                dst.flush()
                if sync:
                    os.fsync(dst.fileno())
            self._place(tmp, final, sync)
        finally:
            if tmp.exists():
                tmp.unlink()

    def _place(self, tmp: Path, final: Path, sync: bool) -> None:
        try:
            os.replace(tmp, final)
        except FileNotFoundError:  # first content under this prefix
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
        if sync:
            _fsync_dir(final.parent)

    def _tmp(self) -> Path:
        tmp_dir = self.root / "tmp"
        if not tmp_dir.is_dir():
            tmp_dir.mkdir(parents=True, exist_ok=True)
        return tmp_dir / f"{uuid.uuid4().hex}.part"

    def read(self, sha256: str) -> bytes:
        return self.path_for(sha256).read_bytes()
