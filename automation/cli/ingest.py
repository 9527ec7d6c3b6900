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
from automation.core.outcomes import FAILED, REJECTED
from automation.core.texts.cli import command_help
from automation.pipeline import IngestError, ingest
from automation.pipeline.said import ingest_lines


@click.command("ingest", help=command_help("ingest"))
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@folder_option("Inbox folder (rep/supervisor id or hq) for files outside inbox/<id>/.")
@json_option("Print the summary as JSON.")
@click.pass_obj
def command(app, paths: tuple[Path, ...], folder: str | None, as_json: bool) -> None:  # type: ignore[no-untyped-def]
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
        for line in ingest_lines(data, config):
            click.echo(line)
    if data["counts"][FAILED]:
        sys.exit(EXIT_FAULT)
    if data["counts"][REJECTED]:
        sys.exit(EXIT_ATTENTION)
