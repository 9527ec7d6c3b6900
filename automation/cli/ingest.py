"""``salesflow ingest PATH... [--folder NAME] [--json]``: process forms once, without the watcher.

The same pipeline the watcher runs (:func:`automation.pipeline.stages.process_batch`: one durable
ledger commit per chunk of files, same guarantees as ``process``), over files and folders given on the
command line (a backlog copied from a laptop, a re-run after an outage). The inbox folder — whose
form it is — comes from the path when it lies in ``inbox/<id>/``; for files elsewhere ``--folder``
must say it. Files outside the inbox are copied into archive/rejected, never moved or changed.

Files are processed in received order (:mod:`automation.pipeline.order`: received time, ties by
inbox path), not in the order given or found: the same files give the same ledger whether they
are ingested together, one by one or in several runs in that order.

Folders are walked without following symbolic links; noise (Office lock and temp files, hidden
files) is skipped; inside the inbox only files directly in ``inbox/<id>/`` count, as for the watcher.

Exit codes: 0 every file accepted or a duplicate; 1 some file rejected (the rep must fix it);
2 bad usage or config; 3 some file failed (a fault of ours: see the log; it stays for a retry).
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click
from tqdm import tqdm

from automation.core.noise import inbox_folder, is_noise_name
from automation.ledger import LedgerError, open_ledger
from automation.pipeline.order import in_received_order
from automation.pipeline.stages import Outcome, inbox_folder_of, process, process_batch

INGEST_BATCH = 200  # files per process_batch call (the tqdm bar moves per chunk)
EXIT_REJECTED = 1
EXIT_USAGE = 2
EXIT_FAILED = 3
STATUSES = ("accepted", "rejected", "duplicate", "ignored", "failed")
LABELS = {
    "accepted": "通过 accepted",
    "rejected": "退回 rejected",
    "duplicate": "重复 duplicates",
    "ignored": "跳过 ignored",
    "failed": "失败 failed",
}


def collect(paths: list[Path], config: Any) -> tuple[list[Path], list[Path]]:
    """Files to process, and symbolic links / noise met on the way (reported, never followed)."""
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
            raise click.BadParameter(f"找不到 / not found: {p}", param_hint="PATH")
    return files, skipped


def summary(outcomes: list[Outcome], config: Any) -> dict[str, Any]:
    """What happened, as the JSON ``--json`` prints (keys: counts, files, new_ids; the command adds
    ``reports``: the workbooks and weekly reports rebuilt for the region-weeks the forms touched)."""
    counts = Counter(o.status for o in outcomes)
    root = config.shared_root

    def rel(p: Path | None) -> str | None:
        if p is None:
            return None
        try:
            return p.relative_to(root).as_posix()
        except ValueError:
            return str(p)

    return {
        "counts": {s: counts.get(s, 0) for s in STATUSES},
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
            for o in outcomes
        ],  # fmt: skip
        "new_ids": [a | {"file": str(o.path)} for o in outcomes for a in o.assigned_ids],
    }


def print_summary(data: dict[str, Any], config: Any) -> None:
    c = data["counts"]
    click.echo("  ".join(f"{LABELS[s]}: {c[s]}" for s in STATUSES))
    for f in data["files"]:
        if f["status"] in ("accepted", "duplicate", "rejected"):
            click.echo(
                f"  {f['status']:9} {f['path']} -> {f['to']}"
                + (f"  (反馈 feedback: {f['feedback']})" if f["feedback"] else "")
            )
        elif f["status"] in ("failed", "ignored"):
            click.echo(f"  {f['status']:9} {f['path']}: {f['reason']}")
        for m in f["messages"]:
            click.echo(f"      {m}")
    if c["failed"]:
        click.echo(
            f"失败的文件留在原处，将重试；详见日志 / failed files stay where they are for a retry; see {config.state_root / 'logs'}"
        )
    if data.get("reports"):
        folders = sorted({str(Path(p).parent) for p in data["reports"]})
        click.echo(f"汇总 / reports: {len(data['reports'])} file(s) in {', '.join(folders)}")


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--folder", default=None, help="Inbox folder (rep/supervisor id or hq) for files outside inbox/<id>/."
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_obj
def command(app, paths: tuple[Path, ...], folder: str | None, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    """一次性处理表单 / Process forms once with the same pipeline as the watcher."""
    config = app.config
    if folder is not None and folder not in config.folder_names():
        raise click.BadParameter(
            f"{folder!r} 不是收件箱文件夹 / is not an inbox folder; one of: {', '.join(config.folder_names())}",
            param_hint="--folder",
        )
    files, skipped = collect(list(paths), config)
    files = in_received_order(files, config.inbox)  # the chunks below go in received order too
    homeless = [f for f in files if inbox_folder_of(f, config) is None and folder is None]
    if homeless:
        click.echo(
            f"不知道这些文件属于谁，请用 --folder 指定 / whose forms are these? give --folder: {homeless[0]}"
            + (f" (+{len(homeless) - 1})" if len(homeless) > 1 else ""),
            err=True,
        )
        sys.exit(EXIT_USAGE)
    from automation.consolidate import rebuild_dirty
    from automation.watch.state import setup_log_file

    setup_log_file(config.state_root)
    try:
        ledger = open_ledger(config)
    except LedgerError as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_USAGE)
    outcomes: list[Outcome] = []
    with ledger, tqdm(total=len(files), unit="form", disable=None, file=sys.stderr, desc="ingest") as bar:
        for start in range(0, len(files), INGEST_BATCH):  # one durable ledger commit per chunk
            chunk = files[start : start + INGEST_BATCH]
            items = [(f, inbox_folder_of(f, config) or folder) for f in chunk]
            outcomes += (
                process_batch(items, config, ledger=ledger)
                if len(chunk) > 1
                else [process(chunk[0], config, ledger=ledger, folder=items[0][1])]
            )
            bar.update(len(chunk))
        reports = rebuild_dirty(config, ledger)  # the workbooks of the region-weeks these forms touched
    outcomes += [Outcome("ignored", p, reason="symbolic link or noise: not processed") for p in skipped]
    data = summary(outcomes, config)
    data["reports"] = [str(p) for p in reports]
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        print_summary(data, config)
    if data["counts"]["failed"]:
        sys.exit(EXIT_FAILED)
    if data["counts"]["rejected"]:
        sys.exit(EXIT_REJECTED)
