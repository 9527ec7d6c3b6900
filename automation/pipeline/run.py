"""Many ready files at once: in received order, each chunk through one file's path or the flood's.

:func:`run` is what the watcher and ``salesflow ingest`` hand their ready files to: it sorts them
into received order (:mod:`automation.pipeline.order`: the same drops give the same ledger however
they arrive), cuts them into chunks of :data:`CHUNK_FILES`, and takes a lone file through
:func:`automation.pipeline.stages.process` and several through the flood
(:mod:`automation.pipeline.flood`: same stages, same guarantees, one durable commit per chunk of
its own, the next files read ahead in a second process). The only module that picks the flood.

:func:`ingest` is ``salesflow ingest``: the files and folders given, walked (no links followed,
noise skipped), through :func:`run`, then :func:`automation.pipeline.after.after_burst`.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automation.core.config import Config
from automation.core.formspec import FormSet
from automation.core.logfile import setup_log_file
from automation.core.noise import inbox_folder, is_noise_name
from automation.core.outcomes import IGNORED, OUTCOMES
from automation.core.texts.errors import ERRORS
from automation.core.texts.log import LOG
from automation.core.texts.notes import SET_ASIDE
from automation.pipeline.after import Burst, after_burst
from automation.pipeline.order import in_received_order
from automation.pipeline.paths import inbox_folder_of
from automation.pipeline.stages import Outcome, process

if TYPE_CHECKING:
    from automation.ledger import Ledger

log = logging.getLogger("automation.pipeline")

CHUNK_FILES = 200  # files handed to the flood at once (the watcher's and ingest's progress moves per chunk)


def run(
    items: Sequence[tuple[Path, str | None]],
    config: Config,
    *,
    ledger: Ledger,
    specs: FormSet | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Outcome]:
    """``[(path, inbox folder or None)]`` -> one Outcome per file, in received order (the order
    they were processed). ``progress``: told how many files each chunk took, as it ends."""
    from automation.pipeline.flood.batch import run_batch

    ordered = in_received_order(items, config.inbox, lambda item: item[0])
    outcomes: list[Outcome] = []
    for start in range(0, len(ordered), CHUNK_FILES):
        chunk = ordered[start : start + CHUNK_FILES]
        if len(chunk) == 1:
            path, folder = chunk[0]
            outcomes.append(process(path, config, ledger=ledger, folder=folder, specs=specs))
        else:
            outcomes += run_batch(chunk, config, ledger=ledger, specs=specs, ordered=True)
        if progress is not None:
            progress(len(chunk))
    return outcomes


def process_batch(
    items: list[tuple[Path, str | None]], config: Config, *, ledger: Ledger, specs: FormSet | None = None
) -> list[Outcome]:
    """Many files with one durable ledger commit per chunk, outcomes in the caller's order (the
    flood itself: :func:`automation.pipeline.flood.batch.process_batch`)."""
    from automation.pipeline.flood.batch import process_batch as flood

    return flood(items, config, ledger=ledger, specs=specs)


def warm_up() -> None:
    """Start the flood's read-ahead process now (the watcher, while it opens the ledger and scans
    the inbox: a flood then finds it ready; started by the first large batch instead, it took
    ~0.5 s to come up, and the recorder did those files alone meanwhile). Idle, it waits on its
    pipe and costs only memory; it is not started where it cannot run."""
    from automation.pipeline.flood import batch, read_ahead

    if batch.read_ahead_on():
        read_ahead.shared()


class IngestError(ValueError):
    """``salesflow ingest`` cannot start: a path that does not exist (``param`` names the option),
    or files outside the inbox without a folder to file them under."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.param = param


@dataclass
class Ingested:
    """What :func:`ingest` did: every file's outcome (received order, then what was skipped) and
    the workbooks rebuilt for the region-weeks the forms touched."""

    outcomes: list[Outcome] = field(default_factory=list)
    burst: Burst = field(default_factory=Burst)

    def summary(self, config: Config) -> dict[str, Any]:
        """What happened, as the JSON ``ingest --json`` prints (keys: counts, files, new_ids, and
        reports: the workbooks and weekly reports rebuilt for the region-weeks the forms touched)."""
        counts = Counter(o.status for o in self.outcomes)
        root = config.shared_root

        def rel(p: Path | None) -> str | None:
            if p is None:
                return None
            try:
                return p.relative_to(root).as_posix()
            except ValueError:
                return str(p)

        return {
            "counts": {s: counts.get(s, 0) for s in OUTCOMES},
            "files": [
                {
                    "path": str(o.path),
                    "status": o.status,
                    "submission_id": o.submission_id,
                    "form": o.form,
                    "rep_id": o.rep_id,
                    "to": rel(o.archived_to),
                    "feedback": rel(o.feedback),
                    "messages": o.messages,
                    "reason": o.reason,
                }
                for o in self.outcomes
            ],  # fmt: skip
            "new_ids": [a | {"file": str(o.path)} for o in self.outcomes for a in o.assigned_ids],
            "reports": [str(p) for p in self.burst.written],
        }


def collect(paths: Sequence[Path], config: Config) -> tuple[list[Path], list[Path]]:
    """Files to process, and symbolic links / noise met on the way (reported, never followed).

    Folders are walked without following links; inside the inbox only files directly in
    ``inbox/<id>/`` count, as for the watcher. Raises :class:`IngestError` for a path that is not there."""
    files: list[Path] = []
    skipped: list[Path] = []
    for p in paths:
        if p.is_symlink():
            skipped.append(p)
        elif p.is_dir():
            for root, dirs, names in os.walk(p, followlinks=False):
                dirs[:] = sorted(
                    d for d in dirs if not d.startswith(".") and not (Path(root) / d).is_symlink()
                )
                for name in sorted(names):
                    f = Path(root) / name
                    if f.is_symlink() or is_noise_name(name):
                        skipped.append(f)
                    elif inbox_folder_of(f, config) is None or inbox_folder(
                        f.absolute(), config.inbox.absolute()
                    ):
                        files.append(f)
        elif p.exists():
            files.append(p)
        else:
            raise IngestError(ERRORS["ingest-not-found"].format(path=p), param="PATH")
    return files, skipped


def ingest(
    paths: Sequence[Path],
    config: Config,
    *,
    folder: str | None = None,
    progress: Callable[[int], None] | None = None,
    total: Callable[[int], None] | None = None,
) -> Ingested:
    """``salesflow ingest``: the files and folders given, in received order, through the pipeline
    the watcher runs, then :func:`after_burst` (their weeks' workbooks and mail).

    ``folder``: the inbox folder of the files outside the inbox (whose forms they are). ``total``
    is told how many files there are before any is processed, ``progress`` as chunks end.
    Raises :class:`IngestError` and the ledger's :class:`~automation.ledger.LedgerError`."""
    from automation.ledger import open_ledger

    if folder is not None and folder not in config.folder_names():
        raise IngestError(
            ERRORS["ingest-not-inbox"].format(folder=folder, allowed=", ".join(config.folder_names())),
            param="--folder",
        )
    files, skipped = collect(paths, config)
    homeless = [f for f in files if inbox_folder_of(f, config) is None and folder is None]
    if homeless:
        raise IngestError(
            ERRORS["ingest-homeless"].format(first=homeless[0])
            + (f" (+{len(homeless) - 1})" if len(homeless) > 1 else "")
        )
    done = Ingested()
    handler = setup_log_file(config.state_root)  # the back office reads the same log as the watcher's
    try:
        with open_ledger(config) as ledger:
            if total is not None:
                total(len(files))
            items = [(f, inbox_folder_of(f, config) or folder) for f in files]
            done.outcomes = run(items, config, ledger=ledger, progress=progress)
            done.burst = after_burst(config, done.outcomes, ledger=ledger)
        if done.burst.mail_error is not None:
            log.error(LOG["ingest-mail-failed"], exc_info=done.burst.mail_error)
    finally:
        logging.getLogger("automation").removeHandler(handler)
        handler.close()
    done.outcomes += [Outcome(IGNORED, p, reason=SET_ASIDE["skipped"]) for p in skipped]
    return done
