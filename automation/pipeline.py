"""What happens to one dropped file, start to finish. Read :func:`process` first.

The stages, in order (each a function below, each safe to run again):

0. **lock** — one process per file at a time (:func:`path_lock`): the watcher and ``ingest`` may meet.
1. **look** — a regular file, not a symbolic link nor under a linked folder, not noise; else ``ignored``.
2. **store** — copy the bytes into the immutable content store under their SHA-256; note
   size and mtime (the watcher waits for a file to settle; here we check it did not change
   while we read it).
3. **resume?** — if this very file (same content, same inbox path) already has a terminal state
   in the ledger, a crash came between recording and filing: just finish filing (step 8). If an
   *older* content recorded at this path was never filed (a crash, then the rep saved over it),
   that version is filed from the content store first, so it is not lost either.
4. **first seen** — recorded before any work (when it can matter, see :func:`first_sight`), so the
   received time (``min(mtime, first seen)``, SPEC §2) does not move when a crash makes us start over.
5. **intake** — read the form (skipped when the content is a known duplicate).
6. **validate** — against the ledger's customer directory; a rejected form's feedback workbook
   is written to a staging folder *before* the transaction, so it exists once the state does.
7. **record** — ONE ledger transaction: terminal state (accepted | rejected | duplicate), the rows,
   superseding an older version, new ids, the audit log, and the region-weeks to consolidate
   (marked dirty here, in the same transaction, so no crash can lose the mark).
8. **file** — move the original to ``archive/<folder>/<yyyy-mm>/<name>`` (accepted, duplicate) or
   ``rejected/<folder>/<name>`` with the feedback beside it, then mark the submission filed (a
   mark that rides on the ledger's next write: see ``Ledger.mark_filed``; :func:`repair_unfiled`
   finishes what a crash left recorded but not filed).

Faults of ours (any exception) give ``failed``, are logged with the reason and leave the file in
the inbox to be tried again; they are never blamed on the rep. Files given from outside the inbox
(``salesflow ingest D:/old-forms``) are *copied* into archive/rejected, never moved: nothing is
written outside the shared folder and the state folder.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import shutil
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automation import clock, filelock
from automation.config import Config
from automation.content_store import ContentStore, SymlinkRefused
from automation.formspec import FormSet
from automation.model import CustomerDirectory
from automation.safenames import safe_name, split_name
from automation.watch.names import ShownPath, encodable, readable, shown

if TYPE_CHECKING:  # the ledger (SQLAlchemy) is imported when first used: the read-ahead process,
    # which runs this module's intake stages, never uses it and starts ~0.2 s sooner without it
    from automation.ledger import Ledger, SubmissionRecord

log = logging.getLogger("automation.pipeline")  # under "automation": the watcher's log file gets it

ACCEPTED, REJECTED, DUPLICATE, IGNORED, FAILED = "accepted", "rejected", "duplicate", "ignored", "failed"


@dataclass
class Outcome:
    """What became of one file; ``messages`` are for the rep (bilingual), ``reason`` for the log."""

    status: str  # accepted | rejected | duplicate | ignored | failed
    path: Path
    submission_id: int | None = None
    archived_to: Path | None = None
    feedback: Path | None = None
    messages: list[str] = field(default_factory=list)
    form: str | None = None
    rep_id: str | None = None
    assigned_ids: list[dict[str, Any]] = field(default_factory=list)
    reason: str = ""
    # a failure's exception: the watcher tells a fault of the environment (a full disk, a locked
    # ledger: wait, do not count it against the file) from one of ours (retry, then set aside)
    error: BaseException | None = field(default=None, repr=False, compare=False)


def process(
    path: str | os.PathLike[str],
    config: Config,
    *,
    ledger: Ledger | None = None,
    folder: str | None = None,
    specs: FormSet | None = None,
) -> Outcome:
    """Take one file from the inbox to its terminal state. Safe to call again on the same file."""
    path = Path(path)
    own = ledger is None
    try:
        if ledger is None:
            from automation.ledger import open_ledger

            ledger = open_ledger(config)
    except Exception as exc:  # no ledger, no work: the file stays for the next run
        log_failure(config, exc, "cannot open the ledger for %s", shown(path))
        return Outcome(FAILED, path, reason=f"ledger: {exc}", error=exc)
    try:
        source = source_key(path, config)
        with path_lock(config, source):  # 0
            store = ContentStore(config.state_root / "content")
            refusal, before, stored = take_in(path, config, store)  # 1, 2
            if refusal:
                return Outcome(IGNORED, path, reason=refusal)
            folder = folder or inbox_folder_of(path, config) or ""
            pending = None
            unfiled, counted, generation = ledger.prior(source, stored.sha256)
            for earlier in unfiled:  # 3
                if earlier.sha256 == stored.sha256:
                    pending = earlier
                elif store.has(earlier.sha256):  # a crash, then the rep saved over the file:
                    file_away(earlier, store.path_for(earlier.sha256), config, ledger)  # file the old version
            if pending is not None:
                log.info("resuming %s: #%s already %s, filing it", source, pending.id, pending.status)
                return file_away(pending, path, config, ledger, before=before)
            first_seen = first_sight(ledger, stored.sha256, source, before)  # 4
            received = min(mtime_of(before), first_seen)
            record = read_and_record(  # 5, 6, 7
                path,
                before,
                stored,
                config=config,
                specs=specs or ledger.specs,
                ledger=ledger,
                customers=lambda: ledger.directory(generation),
                folder=folder,
                source=source,
                first_seen=first_seen,
                received=received,
                new_content=not counted,
            )
            if isinstance(record, Outcome):
                return record
            return file_away(record, path, config, ledger, before=before)  # 8
    except Exception as exc:
        log_failure(config, exc, "failed on %s; left in place for a retry", shown(path))
        return Outcome(FAILED, path, reason=f"{type(exc).__name__}: {exc}", error=exc)
    finally:
        if own and ledger is not None:
            ledger.close()


def environmental(exc: BaseException, config: Config) -> bool:
    """The environment caused ``exc`` (see :mod:`automation.watch.faults`)."""
    from automation.watch.faults import classify

    return classify(exc, config) is not None


def log_failure(config: Config, exc: BaseException, msg: str, *args: Any) -> None:
    """A failure in the log: with its traceback when it is ours; in one line when the environment
    caused it (a full disk, a locked ledger: :mod:`automation.watch.faults`), since the watcher
    waits on those and logs the problem itself, and a flood would repeat the traceback per file."""
    from automation.watch.faults import classify

    fault = classify(exc, config)
    if fault is None:
        log.error(msg, *args, exc_info=exc)
    else:
        log.warning(msg + " (%s)", *args, fault.message)


# ----- the stages ------------------------------------------------------------------------------
LOCK_STRIPES = 64


@contextlib.contextmanager
def path_lock(config: Config, source: str) -> Iterator[None]:
    """Hold one of :data:`LOCK_STRIPES` lock files for this path while it is processed.

    The watcher and a one-shot ``ingest`` may meet on the same file; without this the second could
    record a duplicate of a file the first just filed. Held, the second waits (milliseconds), then
    finds the file gone. Striped so the state folder does not fill with one lock file per name;
    the lock (:mod:`automation.filelock`) is released when a process dies, so a crash leaves no stale lock.
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


def max_bytes(config: Config) -> int:
    """The largest file intake reads (``intake.max_file_mb``); a larger one is hashed, not copied."""
    return int(config.intake.max_file_mb * 1024 * 1024)


def take_in(path: Path, config: Config, store: ContentStore, *, sync: bool = True) -> tuple[str, Any, Any]:
    """Stages 1-2: ``(refusal, before, stored)``: why the file is not a form to process (then
    nothing else), else '' with its size and mtime as first seen and its copy in the content store.

    Shared by :func:`process`, the batch (``sync`` False: one ``os.sync`` before its commit) and
    the read-ahead process."""
    refusal = look(path) or linked_folder(path, config)
    if refusal:
        return refusal, None, None
    before = path.stat()
    return "", before, store.put(path, max_bytes=max_bytes(config), sync=sync)


def look(path: Path) -> str:
    """Why this path is not a form to process ('' when it is one)."""
    from automation.watch.noise import is_noise_name

    if path.is_symlink():
        return "symbolic link: never followed"
    if not path.exists():
        return "gone: moved or deleted before it was processed"
    if not path.is_file():
        return "not a regular file"
    if is_noise_name(path.name):
        return "noise: a temporary or system file, not a form"
    return ""


def mtime_of(st: os.stat_result) -> datetime:
    return datetime.fromtimestamp(st.st_mtime).replace(microsecond=0)


def first_sight(ledger: Ledger, sha256: str, source: str, st: os.stat_result, conn: Any = None) -> datetime:
    """When the product first saw this content here. Persisted (one durable commit) only when it can
    matter: received = min(mtime, first seen) is the mtime whenever the mtime is not in the future,
    whatever run computes it, so only a future mtime (a share with a skewed clock) needs the record
    that makes a retry after a crash agree with the first attempt."""
    now = clock.now()
    if mtime_of(st) <= now:
        return now
    return ledger.sighting(sha256, source, now, conn)


def linked_folder(path: Path, config: Config) -> str:
    """A folder between the inbox and the file that is a symbolic link ('' when none): never followed."""
    inbox = config.inbox.absolute()
    for parent in path.absolute().parents:
        if parent == inbox or inbox not in parent.parents:
            break
        if parent.is_symlink():
            return f"symbolic link: folder {parent.name} is a link, never followed"
    return ""


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
    UTF-8 becomes its readable form (:mod:`automation.watch.names`): a ledger holds text."""
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
    if _there_unlinked(direct) and source_key(direct, config) == source:
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


def changed(path: Path, before: os.stat_result) -> bool:
    """Size or mtime moved since we started: someone is still writing it."""
    try:
        now = path.stat()
    except FileNotFoundError:
        return True
    return (now.st_size, now.st_mtime_ns) != (before.st_size, before.st_mtime_ns)


def read(
    path: Path,
    config: Config,
    specs: FormSet,
    folder: str,
    received: datetime,
    stored: Any = None,
    early: Any = None,
) -> Any:
    """Intake. Given what the content store kept (``stored``), the very bytes that were stored
    are parsed, without reading the file again (a change meanwhile shows in its size or mtime).
    ``early``: those bytes already parsed into grids by the read-ahead process."""
    from automation.intake import read_submission

    data = getattr(stored, "data", None) if early is None else None
    return read_submission(
        ShownPath.of(path), config, specs, folder=folder, received_at=received, data=data,
        sha256=stored.sha256 if data is not None else None, early=early,
    )  # fmt: skip


def check(sub: Any, config: Config, specs: FormSet, customers: CustomerDirectory, received: datetime) -> Any:
    from automation.validate import ValidationContext, validate

    ctx = ValidationContext(
        config=config, specs=specs, customers=customers, now=clock.now(), received_at=received
    )
    return validate(sub, ctx)


def read_and_record(
    path: Path,
    before: os.stat_result,
    stored: Any,
    *,
    config: Config,
    specs: FormSet,
    ledger: Ledger,
    customers: Callable[[], CustomerDirectory],
    folder: str,
    source: str,
    first_seen: datetime,
    received: datetime,
    new_content: bool,
    conn: Any = None,
    deferred: Any = None,
    same: Any = None,
    early: Any = None,
    stage: Callable[[Any, str], None] | None = None,
) -> SubmissionRecord | Outcome:
    """Stages 5-7: read and validate new content (known content is not read again), then record.

    Shared by :func:`process` and the batch path; the batch passes its transaction as ``conn``,
    its chunk's directory and its ``deferred`` writes (see ``Recording.record``), and ``early``
    when its read-ahead process already parsed the stored bytes, and ``stage``, which writes a
    rejected form's feedback workbook into the staging folder for it. Returns an ``ignored`` Outcome when the file changed while it was read.
    """
    sub, report, seen = None, None, None
    staging: Callable[[Any, str], Any] = stage or (lambda r, key: stage_feedback(r, key, config))
    if new_content:
        sub = read(path, config, specs, folder, received, stored, early)  # 5
        if sub.sha256 and sub.sha256 != stored.sha256 or changed(path, before):
            return Outcome(IGNORED, path, reason="file changed while it was read; will be read again")
        directory = customers()
        seen = getattr(directory, "generation", None)
        report = check(sub, config, specs, directory, received)  # 6
        if not report.valid:
            staging(report, staging_key(stored.sha256, source))
    elif changed(path, before):
        return Outcome(IGNORED, path, reason="file changed while it was read; will be read again")
    if conn is None and sub is not None and seen is not None:
        # Alone, the form was validated against the register as it was before this transaction;
        # another process (a second site's watcher, an ``ingest``) may have registered customers
        # since. Checked again inside the write: the form is validated again when it did.
        with ledger.write() as own:
            ledger.flush_filed(own)
            if ledger.generation(own) != seen:
                report = check(sub, config, specs, ledger.directory(conn=own), received)
                if not report.valid:
                    staging(report, staging_key(stored.sha256, source))
            return _record(ledger, path, sub, report, stored, config, folder, source, first_seen, received,
                           {"conn": own})  # fmt: skip
    # In a batch, "new content" was decided inside the same transaction; alone, record decides.
    batch = {"conn": conn, "new_content": sub is not None, "deferred": deferred, "same": same} if conn is not None else {}  # fmt: skip
    return _record(ledger, path, sub, report, stored, config, folder, source, first_seen, received, batch)


def _record(
    ledger: Ledger, path: Path, sub: Any, report: Any, stored: Any, config: Config, folder: str, source: str,
    first_seen: datetime, received: datetime, batch: dict[str, Any],
) -> SubmissionRecord:  # fmt: skip
    """Stage 7: :meth:`Ledger.record` (``batch``: the transaction and its deferred writes)."""
    conn = batch.get("conn")
    return ledger.record(  # 7
        sub,
        conflict_copy_of=copied_from(path, source, ledger, conn),
        valid=bool(report and report.valid),
        error_count=len(report.errors) if report else 0,
        warning_count=len(report.warnings) if report else 0,
        sha256=stored.sha256,
        source=source,
        folder=folder,
        name=safe_name(readable(path.name)),
        size=stored.size,
        first_seen=first_seen,
        received_at=received,
        language=sub.language if sub is not None else config.language,
        **batch,
    )


def staging_key(sha256: str, source: str) -> str:
    """Where one file's feedback waits to be filed: by content *and* inbox path. Keyed by content
    alone, two byte-identical rejected files in one batch shared a folder: the second's workbook
    (its own file name inside) replaced the first's, and the second file got none (issue 13: the
    demo's drops in random batches)."""
    return f"{sha256}-{hashlib.sha1(source.encode('utf-8')).hexdigest()[:12]}"


def copied_from(path: Path, source: str, ledger: Ledger, conn: Any = None) -> str | None:
    """The inbox path of the file ``path`` may be a sync client's conflict copy of (``日报 (1).xlsx``
    of ``日报.xlsx``): one that lies beside it or was submitted from the same folder; None for an
    ordinary name (see :mod:`automation.watch.synccopy`)."""
    from automation.watch.synccopy import originals

    candidates = originals(readable(path.name))
    if not candidates:
        return None
    folder = source.rpartition("/")[0]
    for name, _client in candidates:
        orig = f"{folder}/{name}" if folder else name
        if (path.parent / name).is_file() or ledger.has_source(orig, conn):
            return orig
    return None


def staging_dir(config: Config, key: str) -> Path:
    """The staging folder of :func:`staging_key` ``key`` (a bare sha256: one staged before that key)."""
    return config.state_root / "staging" / key


def staged_feedback(config: Config, record: SubmissionRecord) -> Path:
    """The record's staged feedback workbook (or where it would be)."""
    keyed = staging_dir(config, staging_key(record.sha256, record.source)) / "feedback.xlsx"
    older = staging_dir(config, record.sha256) / "feedback.xlsx"  # staged by an earlier version
    return keyed if keyed.exists() or not older.exists() else older


def stage_feedback(report: Any, key: str, config: Config) -> Path:
    """Write the feedback workbook into the state folder; :func:`file_away` moves it beside the original."""
    from automation.feedback import write_feedback

    out = staging_dir(config, key)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    written = write_feedback(report, out)
    final = out / "feedback.xlsx"
    os.replace(written, final)
    return final


def _sha_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


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
        if _sha_of(target) != sha256:
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
    if not keep_source and _there_unlinked(src):  # one lstat: there, and not a symlink
        src.unlink(missing_ok=True)  # another process may have finished the same file
    if sync_dir:
        fsync_dir(target.parent)
    return target


def _still_holds(path: Path, sha256: str, before: os.stat_result | None) -> bool:
    """The file at ``path`` still has the content ``sha256`` (see :func:`file_away`)."""
    if before is not None:
        try:
            now = path.stat()
        except OSError:
            return True  # gone: place() finds nothing to move either
        if (now.st_size, now.st_mtime_ns, now.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino):
            return True
    try:
        return _sha_of(path) == sha256
    except OSError:
        return True


def _there_unlinked(path: Path) -> bool:
    """``path.exists() and not path.is_symlink()`` (there, and not a symbolic link) in one ``lstat``."""
    try:
        return not stat.S_ISLNK(os.lstat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return False


def fsync_dir(folder: Path) -> None:
    """Make a folder's entries (a file moved in) durable; best effort where folders cannot be opened."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def file_away(
    record: SubmissionRecord,
    path: Path,
    config: Config,
    ledger: Ledger,
    *,
    synced: set[Path] | None = None,
    checked: set[tuple[Path, Path]] | None = None,
    before: os.stat_result | None = None,
) -> Outcome:
    """Stage 8: feedback first, then the original, then mark filed (each step safe to repeat).

    ``synced`` (a batch): the target folders are collected there instead of fsynced one file at a
    time, and the submission is *not* marked filed; the caller fsyncs each folder once, then marks
    the batch filed in one transaction (:func:`automation.pipeline_batch.process_batch`).
    ``checked`` (a batch): archive folders this batch already resolved inside the archive and made;
    a file going there has only its own name checked (not a symlink), not the whole path resolved
    again (a dozen system calls a form).

    The original in the inbox must still hold the bytes that were recorded: a copy that paused
    and went on after the form was read (or a rep who saved again) has changed it. Then the
    recorded version is filed from the content store and the file is left where it is, to be
    processed as a new version (the watcher sees its new signature), so neither is lost.
    ``before``: the file's stat when it was read; an unchanged size and mtime spare the re-hash.
    """
    how: dict[str, Any] = {"sync_dir": False} if synced is not None else {}
    root = config.shared_root
    if not record.archive_path:
        raise RuntimeError(f"submission #{record.id} has no planned place")
    target = root / record.archive_path
    top = config.rejected if record.status == REJECTED else config.archive
    known = checked is not None and (target.parent, top) in checked and not os.path.islink(target)
    if not known and not _inside(target, top):
        raise RuntimeError(f"refusing to write outside {top}: {target}")
    if known:
        how["made"] = True
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
    if not keep and _there_unlinked(path) and not _still_holds(path, record.sha256, before):
        store = ContentStore(config.state_root / "content")
        if store.has(record.sha256):
            log.warning(
                "%s changed after it was read: #%s is filed from the content store, the new content "
                "stays in the inbox and is processed as a new version",
                shown(path),
                record.id,
            )
            src, keep = store.path_for(record.sha256), True
    if _there_unlinked(src):
        try:
            place(src, target, record.sha256, keep_source=keep, **how)
        except FileExistsError:
            stem, ext = split_name(target.name)
            alt = target.with_name(f"{stem}_{record.id}{ext}")
            place(src, alt, record.sha256, keep_source=keep, **how)
            record.archive_path = alt.relative_to(root).as_posix()
            ledger.set_archive_path(record.id, record.archive_path)
            target = alt
        if checked is not None:
            checked.add((target.parent, top))  # resolved inside ``top`` above (or earlier), and made
    if synced is not None:
        synced.add(target.parent)
        if feedback is not None:
            synced.add(feedback.parent)
    else:
        ledger.mark_filed(record.id)
        shutil.rmtree(staged_feedback(config, record).parent, ignore_errors=True)
    log.info("submission #%s %s: %s -> %s", record.id, record.status, record.source, record.archive_path)
    return Outcome(
        record.status,
        path,
        submission_id=record.id,
        archived_to=target,
        feedback=feedback if feedback is not None and feedback.exists() else None,
        messages=list(record.messages),
        form=record.form or None,
        rep_id=record.rep_id or None,
        assigned_ids=list(record.assigned_ids),
    )


def repair_unfiled(config: Config, ledger: Ledger) -> int:
    """File what a crash left recorded but not filed, when its inbox path is empty now.

    A crash between a commit and the move (or a lost "filed" mark) leaves a submission without
    ``filed_at``. While a file lies at its inbox path the pipeline finishes it when it meets that
    file; when the path is empty (the original was moved, or the rep removed it), nothing would:
    so at start-up each such submission is filed from the content store (a no-op when the
    original is already in place) and marked. Returns how many were repaired.
    """
    store = ContentStore(config.state_root / "content")
    repaired = 0
    for record in ledger.unfiled_records():
        if not record.archive_path or inbox_file(config, record.source) is not None:
            continue  # the pipeline finishes it when it meets the file
        if not store.has(record.sha256):
            log.warning("submission #%s is not filed and its content is gone", record.id)
            continue
        try:
            file_away(record, store.path_for(record.sha256), config, ledger)
            repaired += 1
        except Exception:
            log.exception("could not file submission #%s", record.id)
    if repaired:
        ledger.flush_filed()
        log.info("filed %d submission(s) a crash had left recorded but not filed", repaired)
    return repaired


def process_batch(
    items: list[tuple[Path, str | None]],
    config: Config,
    *,
    ledger: Ledger,
    specs: FormSet | None = None,
) -> list[Outcome]:
    """Many files at once with one ledger commit; see :mod:`automation.pipeline_batch`."""
    from automation.pipeline_batch import process_batch as run

    return run(items, config, ledger=ledger, specs=specs)


__all__ = ["Outcome", "process", "process_batch", "repair_unfiled", "SymlinkRefused"]
