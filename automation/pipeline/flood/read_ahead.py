"""A flood's next files stored and parsed in a second process, while this one records.

Why a process: on a flood the recording process is busy with validation and the ledger
transaction; copying the next files into the content store and parsing their workbooks is
independent of the ledger, so it can run on the second core. A thread does not help (measured:
no gain, the interpreter lock serialises the parsing); a ``multiprocessing`` pool would re-import
the caller's main module. So this is a plain child process (``python -m automation.pipeline.flood.read_ahead``)
that reads requests from its stdin and answers on its stdout, pickled.

What the child does for a file is stages 1-5a of ``pipeline.process``: look at it (noise, links,
gone), take its size and mtime, copy it into the content store (no fsync: the batch's
``os.sync`` before its commit covers these copies as it covers its own) and parse its workbook
into grids (:func:`automation.pipeline.flood.grids.early_read`). Nothing here touches the ledger, so nothing
here can count a form. Every answer is only a head start that the recording process checks:

- the bytes the grids came from are the stored bytes (same hash), and the file's size and mtime
  are compared after recording exactly as on the plain path (``pipeline.changed``);
- a file the child failed on, or has not reached yet, is simply done in the recording process.

The child also writes rejected forms' feedback workbooks into the staging folder (~8 ms each): the
chunk waits for all of its own before it commits, so a crash finds them staged exactly as on the
plain path, and writes itself any the child could not.

So the outcomes and messages are those of the plain path; the child only saves it time. The
parent never blocks on it: requests wait in an outbox written as the pipe takes them, and while
the child is starting or behind, the parent does the files itself. The child exits when its stdin
closes (the parent ended, even by SIGKILL) and ignores Ctrl-C (the parent decides).
"""

from __future__ import annotations

import atexit
import dataclasses
import logging
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

from automation.core.content_store import write_all
from automation.core.texts.log import LOG

log = logging.getLogger("automation.pipeline")

WINDOW = 16  # files requested ahead of the one being recorded (bounds staleness and memory)
WAIT_SECONDS = 0.05  # how long the recorder waits for an answer already being worked on
OUTBOX_MAX = 8 << 10  # bytes of requests waiting for the pipe beyond which no more are made
FEEDBACK_SECONDS = 60.0  # a feedback workbook not staged by then is written by the recorder


class Early(NamedTuple):
    """What the child found for one file (see the module docstring)."""

    refusal: str  # why it is not a form to process ('' when it is one)
    before: os.stat_result | None
    stored: Any  # content_store.Stored (its ``data`` dropped when the grids came with it)
    parsed: Any  # intake.EarlyRead, or None (the recorder reads the file itself)


def early(path: Path, config: Any, specs: Any) -> Early:
    """Stages 1-5a for ``path``: look, stat, store, parse. Raises what the plain path would meet."""
    from automation.core.content_store import ContentStore
    from automation.pipeline.flood.grids import early_read
    from automation.pipeline.stages import take_in

    refusal, before, stored = take_in(path, config, ContentStore(config.state_root / "content"), sync=False)
    if refusal:
        return Early(refusal, None, None, None)
    parsed = early_read(stored.data, stored.sha256, config, specs) if stored.data is not None else None
    if parsed is not None:  # the grids are what the recorder needs: the bytes need not travel
        stored = dataclasses.replace(stored, data=None)
    return Early("", before, stored, parsed)


# ----- the pipe: length-prefixed pickles -----------------------------------------------------------
_LEN = struct.Struct("<I")


def _frame(msg: Any) -> bytes:
    body = pickle.dumps(msg, protocol=pickle.HIGHEST_PROTOCOL)
    return _LEN.pack(len(body)) + body


def _read_exact(stream: BinaryIO, n: int) -> bytes:
    data = stream.read(n)
    if data is None or len(data) < n:
        raise EOFError
    return data


# ----- the child -----------------------------------------------------------------------------------
def serve(requests: BinaryIO, answers_fd: int) -> None:
    """The child's loop: ``("config", key, (Config, FormSet))`` sets the batch's config;
    ``("read", seq, key, path)`` is answered with ``(seq, Early | None)``, ``("feedback", seq, key,
    report, staging key)`` with ``(seq, True | None)`` once the workbook is staged. Ends at end of input."""
    configs: dict[int, Any] = {}
    while True:
        try:
            (size,) = _LEN.unpack(_read_exact(requests, _LEN.size))
            msg = pickle.loads(_read_exact(requests, size))
        except (EOFError, OSError):
            return
        if msg[0] == "config":
            configs = {msg[1]: msg[2]}  # only the current batch's
            continue
        answer: Any = None
        if msg[0] == "feedback":  # ("feedback", seq, key, report, staging key): True once staged
            _, seq, key, report, staged_as = msg
            try:
                from automation.pipeline.staging import stage_feedback

                stage_feedback(report, staged_as, configs[key][0])
                answer = True
            except Exception:  # the recorder writes it itself
                log.debug("feedback for %s failed in the read-ahead process", staged_as, exc_info=True)
        else:
            _, seq, key, path = msg
            try:
                answer = early(Path(path), *configs[key])
            except Exception:  # the recorder meets the same problem itself and reports it
                answer = None
        try:
            write_all(answers_fd, _frame((seq, answer)))
        except OSError:  # the parent is gone
            return


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent decides
    # The answers get the pipe to themselves: anything a library prints (xlrd writes its warnings
    # to stdout) goes to stderr instead of into the middle of an answer.
    answers_fd = os.dup(sys.stdout.fileno())
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    # Import what the work needs now, while the parent is still busy with its first files (~0.4 s;
    # lazily, the first answers would come that much later and the parent would do them itself).
    import automation.feedback
    import automation.pipeline.flood.grids
    import automation.pipeline.stages
    import automation.validate  # noqa: F401  rejected forms' reports are unpickled into its classes

    serve(sys.stdin.buffer, answers_fd)


# ----- the parent's side -------------------------------------------------------------------------------
class ReadAhead:
    """The recording process's handle on the child: request files ahead, take answers in order.

    No reader thread: answers are read in :meth:`take`, from the pipe, only when wanted (a thread
    unpickling them would fight the recorder for the interpreter lock; measured, it cost more
    than it saved)."""

    def __init__(self) -> None:
        package_root = str(Path(__file__).resolve().parents[3])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "automation.pipeline.flood.read_ahead"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._in = self._proc.stdin.fileno()
        self._out = self._proc.stdout.fileno()
        os.set_blocking(self._out, False)
        os.set_blocking(self._in, False)
        self._buffer = bytearray()  # answers read, not yet whole
        self._outbox = bytearray()  # requests not yet taken by the pipe
        self._config_blob = b""
        self._answers: dict[int, Early | None] = {}
        self._asked: dict[Path, int] = {}
        self._wanted: set[int] = set()  # asked and neither taken nor forgotten
        self._key = 0  # the config the child uses for the next requests (see begin)
        self._seq = 0
        self._alive = True
        self._answered = False  # the child is up (an answer came): waiting for the next one pays

    @property
    def alive(self) -> bool:
        return self._alive

    def _send(self, msg: Any) -> None:
        self._outbox += _frame(msg)
        self._flush()

    def _busy(self) -> bool:
        """The child is behind on its requests (still starting, or on a long file): the recorder
        does its files itself rather than wait, and never blocks on a full pipe."""
        return len(self._outbox) > OUTBOX_MAX

    def _flush(self) -> None:
        """Write what the pipe takes now, without waiting (the rest goes on the next call)."""
        while self._outbox and self._alive:
            try:
                n = os.write(self._in, self._outbox[: 1 << 16])
            except BlockingIOError:
                return
            except OSError:
                self._alive = False
                return
            del self._outbox[:n]

    def _receive(self, timeout: float) -> None:
        """Read what the child has answered (waiting up to ``timeout`` for more), and send it
        what it can take."""
        self._flush()
        ready = select.select([self._out], [self._in] if self._outbox else [], [], timeout)
        if ready[1]:
            self._flush()
        if ready[0]:
            while True:
                try:
                    chunk = os.read(self._out, 1 << 20)
                except BlockingIOError:
                    break
                except OSError:
                    chunk = b""
                if not chunk:  # the child ended
                    self._alive = False
                    break
                self._buffer += chunk
        while len(self._buffer) >= _LEN.size:
            (size,) = _LEN.unpack_from(self._buffer)
            if len(self._buffer) < _LEN.size + size:
                break
            body = bytes(self._buffer[_LEN.size : _LEN.size + size])
            del self._buffer[: _LEN.size + size]
            try:
                seq, answer = pickle.loads(body)
            except Exception:  # a damaged answer: stop trusting the child
                self._alive = False
                return
            self._answered = True
            if seq in self._wanted:
                self._answers[seq] = answer

    def begin(self, config: Any, specs: Any) -> None:
        """A batch starts: the child reads its next files with this config. Sent again only when it
        differs from the last one sent (~50 KB: compared as pickled, so one changed between
        batches is never stale)."""
        blob = pickle.dumps((config, specs), protocol=pickle.HIGHEST_PROTOCOL)
        if blob != self._config_blob:
            self._config_blob = blob
            self._key += 1
            self._send(("config", self._key, (config, specs)))

    def ask(self, paths: list[Path]) -> None:
        """Have the child start on ``paths`` (in this order), unless already asked."""
        if not self._alive:
            return
        self._flush()
        for path in paths:
            if path in self._asked:
                continue
            if self._busy():
                return
            self._seq += 1
            self._asked[path] = self._seq
            self._wanted.add(self._seq)
            self._send(("read", self._seq, self._key, str(path)))

    def feedback(self, report: Any, staged_as: str) -> int | None:
        """Have the child write a rejected form's feedback workbook into the staging folder (it
        costs ~8 ms to write and ~0.2 ms to send); the returned ticket goes to :meth:`staged`."""
        self._receive(0)
        if not self._alive or not self._answered or self._busy():
            return None  # still starting, or behind: the commit would wait for it
        self._seq += 1
        self._wanted.add(self._seq)
        self._send(("feedback", self._seq, self._key, report, staged_as))
        return self._seq if self._alive else None

    def staged(self, tickets: list[int], timeout: float | None = None) -> set[int]:
        """Wait until the child has answered ``tickets``; the ones it staged. The child is ended
        when it takes longer than ``timeout`` (so it cannot write while the recorder does it)."""
        deadline = time.monotonic() + (FEEDBACK_SECONDS if timeout is None else timeout)
        done: set[int] = set()
        try:
            while True:
                self._receive(0)
                for t in tickets:
                    if t in self._answers:
                        if self._answers.pop(t) is True:
                            done.add(t)
                        self._wanted.discard(t)
                left = [t for t in tickets if t in self._wanted]
                if not left or not self._alive:
                    return done
                wait = deadline - time.monotonic()
                if wait <= 0:
                    log.warning(LOG["read-ahead-slow"])
                    self.close()
                    return done
                self._receive(min(wait, 1.0))
        finally:
            for t in tickets:
                self._wanted.discard(t)

    def take(self, path: Path) -> Early | None:
        """The child's answer for ``path`` (None: not asked, failed, or not there in time)."""
        seq = self._asked.pop(path, None)
        if seq is None:
            return None
        if not self._alive:
            self._wanted.discard(seq)
            return None
        try:
            deadline = time.monotonic() + WAIT_SECONDS
            self._receive(0)
            while seq not in self._answers and self._alive and self._answered:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._receive(left)
            return self._answers.pop(seq, None)
        finally:
            self._wanted.discard(seq)

    def forget(self) -> None:
        """Drop every pending request and answer (a batch ended; its files may change before the next)."""
        self._asked.clear()
        self._answers.clear()
        self._wanted.clear()

    def close(self) -> None:
        self._alive = False
        try:
            if self._proc.stdin is not None:
                self._proc.stdin.close()
        except OSError:
            pass
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()


_shared: ReadAhead | None = None
_shared_lock = threading.Lock()


def shared() -> ReadAhead | None:
    """This process's child, started on first use and kept for the next batches (a watcher hands
    a flood over in batches of a few hundred files; starting a child costs ~0.4 s). None when it
    cannot run (then the recorder does everything itself, as before)."""
    global _shared
    with _shared_lock:
        if _shared is not None and not _shared.alive:
            _shared.close()
            _shared = None
        if _shared is None:
            try:
                _shared = ReadAhead()
            except OSError:
                log.warning(LOG["read-ahead-no-start"], exc_info=True)
                return None
            atexit.register(close_shared)
        return _shared


def close_shared() -> None:
    """End the child (the watcher calls this when it stops; also at interpreter exit)."""
    global _shared
    with _shared_lock:
        if _shared is not None:
            _shared.close()
            _shared = None


if __name__ == "__main__":  # run as a module: answer with this module's classes, not __main__'s
    from automation.pipeline.flood.read_ahead import main as _main

    _main()
