"""``salesflow templates [--lang zh|en] [--rep ID] [--out DIR]``: write blank templates or per-rep copies.

Thin: parses options, calls :func:`automation.templates.builder.write_templates`, prints where the files
are. Blank templates go to ``OUT/<lang>/``; a rep's (or supervisor's) copies to ``OUT/<ID>/``.
Existing files there are replaced: templates are generated, never edited by hand.
Exit codes: 0 done; 2 config error or an unknown ID.
"""

from __future__ import annotations

from pathlib import Path

import click

from automation.cli.shared import fail
from automation.core.formspec import load_specs
from automation.core.texts import both
from automation.core.texts.cli import command_help
from automation.templates.builder import write_templates
from automation.templates.installer import TEMPLATES_DIR


@click.command("templates", help=command_help("templates"))
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default=None,
    help="Only this language (default: both; a rep's own language for --rep).",
)
@click.option(
    "--rep",
    "rep_ids",
    multiple=True,
    metavar="ID",
    help="Per-rep copy with ID and name filled in and the rep's customers as a dropdown (repeatable; a supervisor ID gives the weekly report).",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Output folder (default: templates/ beside config.yaml).",
)
@click.pass_obj
def command(app, lang: str | None, rep_ids: tuple[str, ...], out_dir: str | None) -> None:  # type: ignore[no-untyped-def]
    config = app.config
    out = Path(out_dir) if out_dir else config.base_dir / TEMPLATES_DIR
    try:
        paths = write_templates(config, load_specs(config), out, lang=lang, rep_ids=list(rep_ids) or None)
    except KeyError as exc:
        fail(both("templates-unknown-id", id=exc.args[0]))
    click.echo(both("templates-written", n=len(paths), out=out.resolve()))
    for p in paths:
        click.echo(f"  {p.resolve()}")
