"""``salesflow check FILE... [--folder NAME] [--lang zh|en] [--json] [--feedback DIR]``: check forms by hand.

Thin: :func:`automation.pipeline.check.check_files` reads and validates each file exactly as the
pipeline would (customers against the ledger when there is one; without a ledger they cannot be,
and unknown customers are shown as warnings: see :mod:`automation.pipeline.check`); the lines and
JSON come from :mod:`automation.feedback.text`. Writes nothing unless ``--feedback DIR``.
``--folder`` names the inbox folder the file would be dropped into, to check who may submit it;
without it folder rules are skipped.
Exit codes: 0 every file accepted; 1 any file rejected; 2 bad usage or config; 3 a file could not
be checked because of a fault of ours (its line says so, the traceback goes to stderr; the other
files are checked as usual: whatever a file's bytes make a reader raise is already a rejection).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from automation.cli.shared import (
    EXIT_ATTENTION,
    EXIT_FAULT,
    EXIT_OK,
    checked_folder,
    folder_option,
    json_option,
)
from automation.core.formspec import load_specs
from automation.feedback import text
from automation.pipeline.check import check_files, directory_for


@click.command("check")
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
    """检查表单 / Check filled forms by hand and show what to fix, in each form's language; writes
    nothing unless --feedback (exit 1 if any is rejected, 3 if one could not be checked)."""
    config = app.config
    checked_folder(config, folder)
    directory = directory_for(config)
    if directory.source == "none" and not as_json:
        click.echo(text.NO_LEDGER, err=True)
    specs = load_specs(config)
    results = check_files(
        list(files),
        config,
        folder=folder,
        feedback_dir=feedback_dir,
        lang=lang,
        directory=directory,
        specs=specs,
    )
    out: list[dict[str, Any]] = []
    for r in results:
        if r.report is None:
            assert r.error is not None
            if as_json:
                out.append(
                    {"file": str(r.path), "status": "failed", "error": f"{type(r.error).__name__}: {r.error}"}
                )
            else:
                click.echo(text.failed_line(r.path, lang or config.language, r.error))
            continue
        shown = lang or r.report.language
        if as_json:
            entry = text.as_json(r.report, shown)
            entry["feedback"] = str(r.feedback) if r.feedback else None
            entry["customers_checked"] = directory.strict
            out.append(entry)
            continue
        click.echo(text.verdict_line(r.report, shown, specs))
        for line in text.issue_lines(r.report, shown):
            click.echo(line)
        if r.feedback:
            click.echo(text.feedback_line(r.feedback, shown))
    if as_json:
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    failed = any(r.report is None for r in results)
    rejected = any(r.report is not None and not r.report.valid for r in results)
    raise SystemExit(EXIT_FAULT if failed else EXIT_ATTENTION if rejected else EXIT_OK)
