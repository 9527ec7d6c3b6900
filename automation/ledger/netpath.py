"""Is a path on a network share? SQLite's locking is not safe over SMB or NFS, so a ledger file
there could be corrupted by two writers (the watcher and an ``ingest``) or lose a committed form.

Recognised: UNC paths (``\\\\server\\share\\x``, ``//server/share/x``); on Linux a path whose
nearest mount in ``/proc/mounts`` is a network file system (:data:`NETWORK_FS`); on Windows a drive
letter Windows reports as remote (a mapped network drive). Elsewhere (macOS) only UNC paths.
"""

from __future__ import annotations

import os
from pathlib import Path

NETWORK_FS = {
    "cifs", "smb3", "smbfs", "nfs", "nfs4", "ncpfs", "afs", "coda", "9p", "ceph", "glusterfs", "lustre",
    "gpfs", "davfs", "fuse.sshfs", "fuse.rclone", "fuse.davfs2", "fuse.glusterfs", "fuse.cephfs",
    "fuse.s3fs", "fuse.gcsfuse", "fuse.smbnetfs",
}  # fmt: skip
MOUNTS = Path("/proc/mounts")
_DRIVE_REMOTE = 4  # GetDriveTypeW


def network_location(path: str | os.PathLike[str], mounts: Path | None = None) -> str:
    """What makes ``path`` a network location ("UNC path", "cifs //nas/share on /mnt/s"), '' when
    local. ``mounts``: the mount table to read (default :data:`MOUNTS`)."""
    text = os.fspath(path)
    if text.startswith(("\\\\", "//")) and not text.startswith("///"):
        return "UNC path"
    if os.name == "nt":
        return _windows_remote(text)
    try:
        lines = (mounts or MOUNTS).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    target = _nearest(Path(os.path.abspath(text)))
    best: tuple[int, str] = (-1, "")
    for line in lines:
        parts = line.split()
        if len(parts) < 3:
            continue
        source, point, fstype = _unescape(parts[0]), Path(_unescape(parts[1])), parts[2]
        if (target == point or point in target.parents) and len(point.parts) > best[0]:
            best = (len(point.parts), f"{fstype} {source} on {point}" if fstype in NETWORK_FS else "")
    return best[1]


def _unescape(field: str) -> str:
    """/proc/mounts writes space, tab, newline and backslash as octal escapes (``\\040``)."""
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and field[i + 1 : i + 4].isdigit():
            out.append(chr(int(field[i + 1 : i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def _nearest(path: Path) -> Path:
    """``path`` resolved through its nearest existing parent (a ledger not created yet)."""
    for p in (path, *path.parents):
        if p.exists():
            return p.resolve() / path.relative_to(p)
    return path


def _windows_remote(text: str) -> str:
    drive = os.path.splitdrive(os.path.abspath(text))[0]
    if not drive or not drive.endswith(":"):
        return ""
    try:
        import ctypes

        kind = ctypes.windll.kernel32.GetDriveTypeW(f"{drive}\\")  # type: ignore[attr-defined]
    except Exception:
        return ""
    return f"network drive {drive}" if kind == _DRIVE_REMOTE else ""


__all__ = ["NETWORK_FS", "network_location"]
