"""``automation.core.filelock``: the watcher's locks on POSIX, and on Windows' ``msvcrt`` (a stand-in here).

Windows cannot exist on this machine, so its one primitive, ``msvcrt.locking`` (a byte-range lock
taken at the file's current position), is played by a small stand-in built on POSIX record locks,
in child processes that cannot import ``fcntl`` at all, as on Windows.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from automation.core import filelock
from automation.core.content_store import ContentStore
from automation.core.formspec import load_specs
from automation.ledger import open_ledger
from automation.pipeline import process_batch
from automation.pipeline.flood import batch as pipeline_batch
from automation.watch.state import AlreadyRunning, InstallationLock
from automation.watch.status import lock_held
from tests.formfactory import FormFactory, install

ROOT = Path(__file__).resolve().parents[1]

# A Windows-like interpreter: no fcntl, and an msvcrt whose locking() locks bytes from the
# current position (as the real one does) through POSIX record locks, which conflict between
# processes the way msvcrt's locks do.
WINDOWS = textwrap.dedent(
    """
    import os, sys, types
    import fcntl as _posix
    # stdlib modules that test for msvcrt to decide they are on Windows are loaded first, as here
    import asyncio, multiprocessing, subprocess  # noqa
    sys.modules["fcntl"] = None  # import fcntl -> ImportError, as on Windows
    msvcrt = types.ModuleType("msvcrt")
    msvcrt.LK_UNLCK, msvcrt.LK_LOCK, msvcrt.LK_NBLCK = 0, 1, 2
    def locking(fd, mode, nbytes):
        pos = os.lseek(fd, 0, os.SEEK_CUR)
        if mode == msvcrt.LK_UNLCK:
            _posix.lockf(fd, _posix.LOCK_UN, nbytes, pos, os.SEEK_SET)
        else:  # POSIX record locks need a writable descriptor to be exclusive; Windows' do not
            writable = _posix.fcntl(fd, _posix.F_GETFL) & os.O_ACCMODE != os.O_RDONLY
            mode = _posix.LOCK_EX if writable else _posix.LOCK_SH
            _posix.lockf(fd, mode | _posix.LOCK_NB, nbytes, pos, os.SEEK_SET)
    msvcrt.locking = locking
    sys.modules["msvcrt"] = msvcrt
    sys.path.insert(0, {root!r})
    """
)


def _python(code: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WINDOWS.format(root=str(ROOT)) + textwrap.dedent(code), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


HOLD = """
    import sys
    from pathlib import Path
    from automation.core import filelock
    assert filelock.fcntl is None, "the Windows branch must be the one under test"
    from automation.watch.state import InstallationLock
    lock = InstallationLock(Path(sys.argv[1])).acquire()
    print("HELD", flush=True)
    sys.stdin.readline()  # hold until told
    lock.release()
    print("RELEASED", flush=True)
    sys.stdin.readline()
"""

PROBE = """
    import sys
    from pathlib import Path
    from automation.watch.status import lock_held
    from automation.watch.state import AlreadyRunning, InstallationLock
    print("held" if lock_held(Path(sys.argv[1])) else "free")
    try:
        InstallationLock(Path(sys.argv[1])).acquire().release()
        print("acquired")
    except AlreadyRunning as exc:
        print(f"refused pid={exc.pid}")
"""


def _probe(state: Path) -> list[str]:
    proc = _python(PROBE, str(state))
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return out.split()


def test_the_modules_that_lock_import_without_fcntl() -> None:
    """``salesflow watch`` and ``status`` used to import fcntl at the top: ImportError on Windows."""
    proc = _python(
        """
        import automation.cli, automation.watch.status, automation.watch.state, automation.pipeline.flood.batch
        from automation.core import filelock
        print("fcntl" if filelock.fcntl is not None else "no fcntl")
        """
    )
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out.strip() == "no fcntl"


def test_one_watcher_per_installation_on_windows(tmp_path: Path) -> None:
    holder = _python(HOLD, str(tmp_path))
    try:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "HELD", holder.stderr.read() if holder.stderr else ""
        assert _probe(tmp_path) == ["held", "refused", f"pid={holder.pid}"]
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "RELEASED"
        assert _probe(tmp_path) == ["free", "acquired"]
    finally:
        holder.kill()
        holder.wait()


def test_a_killed_watchers_lock_is_free_on_windows(tmp_path: Path) -> None:
    holder = _python(HOLD, str(tmp_path))
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "HELD"
    holder.kill()
    holder.wait()
    assert _probe(tmp_path) == ["free", "acquired"]


def test_posix_lock_excludes_another_descriptor_and_the_probe_sees_it(tmp_path: Path) -> None:
    lock = InstallationLock(tmp_path).acquire()
    try:
        assert lock_held(tmp_path)
        fd = os.open(lock.path, os.O_RDWR)
        try:
            with pytest.raises(BlockingIOError):
                filelock.lock(fd, blocking=False)
        finally:
            os.close(fd)
        with pytest.raises(AlreadyRunning) as caught:
            InstallationLock(tmp_path).acquire()
        assert caught.value.pid == os.getpid()
    finally:
        lock.release()
    assert not lock_held(tmp_path)


def test_a_batch_without_os_sync_fsyncs_each_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows has no ``os.sync``: a flood there stores each copy durably instead of failing
    every chunk on the missing call."""
    _, config = install(tmp_path)
    factory = FormFactory(config, load_specs(config))
    monkeypatch.setattr(pipeline_batch, "SYNC_ALL", False)
    monkeypatch.delattr(os, "sync")
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd))[1])
    forms = [factory.register("R001")] + [
        factory.visit_report("R001", date(2026, 11, 23), seed=s) for s in range(30)
    ]
    with open_ledger(config) as ledger:
        outs = process_batch(
            [(f.drop(config.inbox, f"f{i}.xlsx"), None) for i, f in enumerate(forms)], config, ledger=ledger
        )
    assert [o.status for o in outs] == ["accepted"] * len(forms), [o.reason for o in outs]
    store = ContentStore(config.state_root / "content")
    assert all(store.path_for(hashlib.sha256(f.data).hexdigest()).read_bytes() == f.data for f in forms)
    assert len(synced) >= 2 * len(forms)  # each copy: its file and its folder
