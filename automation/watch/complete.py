"""Is a settled file really whole? Its own end, its writers, and where it lives.

A signature that stopped changing (:mod:`automation.watch.settle`) only says nobody wrote for a
while; a copy over a slow share or a sync client can pause longer than any settle time. Reading
then keeps half a form: a CSV with 4 of its 6 rows reads as a valid, shorter report. So, before a
stable file is handed over, two kinds of evidence are asked for, cheapest first:

**Is someone still writing it?** (then it waits, for as long as that lasts: handing it over could
only record half of it or fail)

- *open for writing* by a process this machine can see: one pass over ``/proc/*/fd`` per round
  of ready files compares each descriptor's target (device, inode) with the candidates' and reads
  the access mode of the matches from ``/proc/<pid>/fdinfo``. That sees a local ``cp``, a sync
  client, and Samba's ``smbd`` serving a rep's copy, as far as the watcher may look at those
  processes (root sees all; another user sees their own); cost: one ``stat`` per open descriptor
  on the machine, a few milliseconds, paid once per round and not per file. Windows has no /proc:
  there the open itself answers (below);
- *modified and not closed since*, from the native observer's events (inotify ``IN_MODIFY`` and
  ``IN_CLOSE_WRITE``: :class:`WriteTracker`). The kernel reports these for every local writer, the
  other users' too, so this covers what ``/proc`` may not show. A mark expires
  :data:`WRITE_MARK_SECONDS` after the last write (a close can be lost with an overflowing event
  queue, and then the other checks still stand);
- a Windows *sharing violation* (``PermissionError`` with winerror 32/33) or ``EBUSY`` on opening;
- a OneDrive *placeholder* (Windows attributes offline / recall on open / recall on data access):
  the file is not on this disk yet. Reading it would make OneDrive download it while our worker
  waits; instead it waits here until it is downloaded (the README says to mark the inbox "Always
  keep on this device"). On Linux no sync client leaves such placeholders with an attribute we
  could read; a zero-size file is taken as "not yet written" below.

**Does its content end where its format says?** (then it waits up to the grace time, after which
it is handed over anyway and rejected as damaged, with feedback, rather than wait unseen)

- zip workbooks (.xlsx/.xlsm/.ods): the end-of-central-directory record is in the last 64 KiB;
- legacy .xls (an OLE2 compound file): the sectors its allocation table uses lie inside the file
  (a copy cut short, even at a sector boundary, leaves the table naming sectors past the end);
- text (CSV): the last byte is a line break, as every spreadsheet program writes a CSV (a cut
  falls mid-line nearly always). A CSV without one is taken after the grace time;
- an empty file is never complete.

What still gets through: a writer on *another* machine (a NAS served by something else, an SMB
mount of a Windows server) that pauses longer than the settle time and whose cut lands exactly on
a line break of a CSV. Two later checks stop that half form from being the one that counts: the
pipeline compares the file's size and mtime after parsing with those before (a copy that resumed
meanwhile is read again), and, before it moves the original away, that the file still holds the
bytes it recorded (``pipeline.file_away``: a copy that resumed after recording stays in the inbox
and is processed as a new version, which supersedes the half one).
"""

from __future__ import annotations

import os
import stat
import struct
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from automation.core.faults import SHARING_VIOLATIONS
from automation.core.texts.notes import INCOMPLETE

ZIP_MAGIC = b"PK\x03\x04"
ZIP_END = b"PK\x05\x06"
ZIP_TAIL = 65_535 + 22  # the end record sits within the last 64 KiB + its own 22 bytes
CFB_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
CFB_FREE, CFB_MAX_REGULAR = 0xFFFFFFFF, 0xFFFFFFFA
WRITE_MARK_SECONDS = 600.0
# Windows file attributes of a cloud file that is not (wholly) on this disk
FILE_ATTRIBUTE_OFFLINE = 0x1000
FILE_ATTRIBUTE_RECALL_ON_OPEN = 0x40000
FILE_ATTRIBUTE_RECALL_ON_DATA_ACCESS = 0x400000
_PLACEHOLDER = FILE_ATTRIBUTE_OFFLINE | FILE_ATTRIBUTE_RECALL_ON_OPEN | FILE_ATTRIBUTE_RECALL_ON_DATA_ACCESS
_WRITE_MODES = (os.O_WRONLY, os.O_RDWR)

# what a waiting file is waiting for (status and the log show these)
WRITING = INCOMPLETE["writing"]
NOT_DOWNLOADED = INCOMPLETE["not-downloaded"]


def incomplete(path: Path, size: int) -> str:
    """Why the content does not end where its format says ('' when it does, or cannot be told)."""
    if size == 0:
        return INCOMPLETE["empty"]
    try:
        with open(path, "rb") as fh:
            head = fh.read(512)
            if head[:4] == ZIP_MAGIC:
                fh.seek(max(0, size - ZIP_TAIL))
                return "" if ZIP_END in fh.read() else INCOMPLETE["zip-end"]
            if head[:8] == CFB_MAGIC:
                return _cfb_short(fh, head, size)
            fh.seek(max(0, size - 2))
            tail = fh.read(2)
    except OSError:
        return ""  # the open is judged by busy(); the pipeline reports anything else
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ""  # binary and not a format we know the end of: the pipeline judges it
    if tail.endswith((b"\n", b"\r", b"\n\x00", b"\r\x00", b"\x00\n", b"\x00\r")):
        return ""
    return INCOMPLETE["last-line"]


def _cfb_short(fh: BinaryIO, head: bytes, size: int) -> str:
    """An OLE2 file's allocation: its FAT sectors, and every sector they mark used, within ``size``."""
    if len(head) < 512:
        return INCOMPLETE["xls-header"]
    shift = struct.unpack_from("<H", head, 30)[0]
    if shift not in (9, 12):
        return ""  # not a layout we know: intake judges it
    sector = 1 << shift
    n_fat = struct.unpack_from("<I", head, 44)[0]
    difat = [s for s in struct.unpack_from("<109I", head, 76) if s <= CFB_MAX_REGULAR][:n_fat]
    next_difat = struct.unpack_from("<I", head, 68)[0]
    per = sector // 4
    hops = 0
    while len(difat) < n_fat and next_difat <= CFB_MAX_REGULAR and hops < 1 << 16:
        block = _sector(fh, next_difat, sector, size)
        if block is None:
            return INCOMPLETE["xls-fat"]
        ids = struct.unpack(f"<{per}I", block)
        difat.extend(s for s in ids[:-1] if s <= CFB_MAX_REGULAR)
        next_difat, hops = ids[-1], hops + 1
    highest = -1
    for k, n in enumerate(difat[:n_fat]):  # the k-th FAT sector maps sectors k*per .. k*per+per-1
        block = _sector(fh, n, sector, size)
        if block is None:
            return INCOMPLETE["xls-fat"]
        ids = struct.unpack(f"<{per}I", block)
        for i in range(per - 1, -1, -1):
            if ids[i] != CFB_FREE:
                highest = max(highest, k * per + i)
                break
    if highest >= 0 and size <= (highest + 1) * sector:
        return INCOMPLETE["xls-sectors"]
    return ""


def _sector(fh: BinaryIO, n: int, sector: int, size: int) -> bytes | None:
    at = (n + 1) * sector
    if at + sector > size:
        return None
    fh.seek(at)
    return fh.read(sector)


def busy(path: Path) -> str:
    """Why the file cannot be taken now whatever its content ('' when it can): a placeholder, or
    (Windows) a sharing violation on opening it."""
    try:
        st = os.stat(path)
    except OSError:
        return ""
    if getattr(st, "st_file_attributes", 0) & _PLACEHOLDER:
        return NOT_DOWNLOADED
    if os.name != "nt":  # POSIX opens do not fail on another's open; an EBUSY read fails in the
        return ""  # pipeline, which waits on it like this (faults.classify: "busy")
    try:
        with open(path, "rb"):
            pass
    except PermissionError as exc:
        if getattr(exc, "winerror", None) in SHARING_VIOLATIONS:
            return WRITING
        return ""  # a plain permission problem: the pipeline meets it and the watcher waits on it
    except OSError as exc:
        import errno

        return WRITING if exc.errno in (errno.EBUSY, errno.ETXTBSY) else ""
    return ""


def writers(paths: Iterable[Path], proc: Path = Path("/proc")) -> dict[Path, str]:
    """The paths some visible process holds open for writing, each with "pid N (name)"; {} where
    there is no ``/proc``. One pass over every open descriptor (see the module docstring)."""
    wanted: dict[tuple[int, int], Path] = {}
    for p in paths:
        try:
            st = os.stat(p)
        except OSError:
            continue
        if stat.S_ISREG(st.st_mode):
            wanted[(st.st_dev, st.st_ino)] = p
    if not wanted or not proc.is_dir():
        return {}
    found: dict[Path, str] = {}
    try:
        pids = [d for d in os.listdir(proc) if d.isdigit()]
    except OSError:
        return {}
    for pid in pids:
        fd_dir = f"{proc}/{pid}/fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:  # gone, or another user's process we may not look into
            continue
        for fd in fds:
            try:
                st = os.stat(f"{fd_dir}/{fd}")
            except OSError:
                continue
            hit = wanted.get((st.st_dev, st.st_ino))
            if hit is None or hit in found:
                continue
            if _writing(f"{proc}/{pid}/fdinfo/{fd}"):
                found[hit] = f"pid {pid} ({_comm(proc, pid)})"
    return found


def _writing(fdinfo: str) -> bool:
    try:
        with open(fdinfo, encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("flags:"):
                    return (int(line.split()[1], 8) & os.O_ACCMODE) in _WRITE_MODES
    except (OSError, ValueError, IndexError):
        return False
    return False


def _comm(proc: Path, pid: str) -> str:
    try:
        return (proc / pid / "comm").read_text(errors="replace").strip()
    except OSError:
        return "?"


class WriteTracker:
    """Which paths the native observer saw written and not yet closed (see the module docstring).

    Fed by the observer's thread (:meth:`event`), asked by the control loop (:meth:`writing`)."""

    def __init__(self, clock: object = time.monotonic):
        self._clock = clock
        self._open: dict[str, float] = {}
        self._lock = threading.Lock()

    def event(self, kind: str, path: str, dest: str = "") -> None:
        now = self._clock()  # type: ignore[operator]
        with self._lock:
            if kind == "modified":
                self._open[path] = now
            elif kind in ("closed", "deleted"):
                self._open.pop(path, None)
            elif kind == "moved":
                when = self._open.pop(path, None)
                if when is not None and dest:
                    self._open[dest] = when  # the writer's descriptor follows the file
            elif kind == "events_lost":
                self._open.clear()

    def writing(self, path: Path) -> bool:
        with self._lock:
            when = self._open.get(str(path))
            if when is None:
                return False
            if self._clock() - when > WRITE_MARK_SECONDS:  # type: ignore[operator]
                del self._open[str(path)]
                return False
            return True

    def clear(self) -> None:
        with self._lock:
            self._open.clear()


__all__ = ["WriteTracker", "busy", "incomplete", "writers"]
