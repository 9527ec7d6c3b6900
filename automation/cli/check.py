"""``salesflow check FILE... [--folder NAME] [--lang zh|en] [--json] [--feedback DIR]``: check forms by hand.

Thin: :func:`automation.pipeline.check.check_by_hand` reads and validates each file exactly as the
pipeline would (customers against the ledger when there is one; without a ledger they cannot be,
and unknown customers are shown as warnings: see :mod:`automation.pipeline.check`) and gives the
lines or the JSON to print. Writes nothing unless ``--feedback DIR``.
``--folder`` names the inbox folder the file would be dropped into, to check who may submit it;
without it folder rules are skipped.
Exit codes: 0 every file accepted; 1 any file rejected; 2 bad usage or config; 3 a file could not
be checked because of a fault of ours (its line says so, the traceback goes to stderr; the other
files are checked as usual: whatever a file's bytes make a reader raise is already a rejection).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from automation.cli.shared import (
    EXIT_ATTENTION,
    EXIT_FAULT,
    EXIT_OK,
    checked_folder,
    folder_option,
    json_option,
)
from automation.core.texts.cli import command_help
from automation.pipeline.check import check_by_hand


@click.command("check", help=command_help("check"))
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@folder_option(
    "Inbox folder the file comes from (rep id, supervisor id or hq); checks who may submit it.", ""
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default=None,
    help="Language of the messages (default: each form's own).",
)
@json_option("Print a JSON list of reports instead of text.")
@click.option(
    "--feedback",
    "feedback_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="DIR",
    help="Write a feedback workbook for each file with problems into DIR.",
)
@click.pass_obj
def command(
    app, files: tuple[Path, ...], folder: str, lang: str | None, as_json: bool, feedback_dir: Path | None
) -> None:  # type: ignore[no-untyped-def]
    config = app.config
    checked_folder(config, folder)
    done = check_by_hand(list(files), config, folder=folder, feedback_dir=feedback_dir, lang=lang)
    if done.notice and not as_json:
        click.echo(done.notice, err=True)
    if as_json:
        click.echo(json.dumps(done.as_json(lang), ensure_ascii=False, indent=2))
    else:
        for line in done.lines(lang):
            click.echo(line)
    raise SystemExit(EXIT_FAULT if done.failed else EXIT_ATTENTION if done.rejected else EXIT_OK)
