"""``salesflow ingest PATH... [--folder NAME] [--json]``: process forms once, without the watcher.

Thin: :func:`automation.pipeline.ingest` walks the files and folders given (no links followed,
noise skipped; inside the inbox only files directly in ``inbox/<id>/`` count, as for the watcher),
runs them through the pipeline the watcher runs (:func:`automation.pipeline.run`: received order,
one durable commit per chunk of a flood, same guarantees as ``process``), then
:func:`automation.pipeline.after_burst` (the touched weeks' workbooks and their mail). The inbox
folder — whose form it is — comes from the path when it lies in ``inbox/<id>/``; for files
elsewhere ``--folder`` must say it. Files outside the inbox are copied into archive/rejected, never
moved or changed.

Exit codes: 0 every file accepted or a duplicate; 1 some file rejected (the rep must fix it);
2 bad usage or config; 3 some file failed (a fault of ours: see the log; it stays for a retry).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
from tqdm import tqdm

from automation.cli.shared import EXIT_ATTENTION, EXIT_FAULT, fail, folder_option, json_option
from automation.core.outcomes import ACCEPTED, DUPLICATE, FAILED, IGNORED, OUTCOMES, REJECTED
from automation.core.texts import both, say
from automation.pipeline import IngestError, ingest


def print_summary(data: dict[str, Any], config: Any) -> None:
    c = data["counts"]
    click.echo(
        "  ".join(f"{say('outcome-' + s, 'zh')} {say('outcome-' + s, 'en')}: {c[s]}" for s in OUTCOMES)
    )
    for f in data["files"]:
        if f["status"] in (ACCEPTED, DUPLICATE, REJECTED):
            click.echo(
                f"  {f['status']:9} {f['path']} -> {f['to']}"
                + (
                    f"  ({say('ingest-feedback', 'zh')} {say('ingest-feedback', 'en')}: {f['feedback']})"
                    if f["feedback"]
                    else ""
                )
            )
        elif f["status"] in (FAILED, IGNORED):
            click.echo(f"  {f['status']:9} {f['path']}: {f['reason']}")
        for m in f["messages"]:
            click.echo(f"      {m}")
    if c[FAILED]:
        click.echo(both("ingest-failed", logs=config.state_root / "logs"))
    if data.get("reports"):
        folders = sorted({str(Path(p).parent) for p in data["reports"]})
        click.echo(both("ingest-reports", n=len(data["reports"]), folders=", ".join(folders)))


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@folder_option("Inbox folder (rep/supervisor id or hq) for files outside inbox/<id>/.")
@json_option("Print the summary as JSON.")
@click.pass_obj
def command(app, paths: tuple[Path, ...], folder: str | None, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    """一次性处理表单 / One-shot: files or folders through the watcher's pipeline in received order,
    with a progress bar, then the touched weeks' workbooks and their mail."""
    config = app.config
    bars: list[tqdm[Any]] = []  # shown once the files are known, as they are processed

    def total(n: int) -> None:
        bars.append(tqdm(total=n, unit="form", disable=None, file=sys.stderr, desc="ingest"))

    try:
        done = ingest(list(paths), config, folder=folder, progress=lambda n: bars[0].update(n), total=total)
    except IngestError as exc:
        if exc.param is not None:
            raise click.BadParameter(str(exc), param_hint=exc.param) from None
        fail(str(exc))
    finally:
        for bar in bars:
            bar.close()
    data = done.summary(config)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        print_summary(data, config)
    if data["counts"][FAILED]:
        sys.exit(EXIT_FAULT)
    if data["counts"][REJECTED]:
        sys.exit(EXIT_ATTENTION)
