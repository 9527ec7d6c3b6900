"""``salesflow service [--for linux|windows|both] [--user NAME] [--write DIR]``: the watcher as a
service (thin: :mod:`automation.watch.service` writes the files; this prints or saves them).

Exit codes: 0 printed or written; 2 config error (by the CLI group).
"""

from __future__ import annotations

from pathlib import Path

import click

from automation.core.config import find_config_path
from automation.core.texts import both
from automation.core.texts.cli import command_help
from automation.watch import service as svc_files


@click.command("service", help=command_help("service"))
@click.option(
    "--for",
    "kind",
    type=click.Choice(["linux", "windows", "both"]),
    default=None,
    help="Which system to write for (default: this one).",
)
@click.option(
    "--user", default=None, help="The account the watcher runs as (default: the config file's owner)."
)
@click.option(
    "--write",
    "out_dir",
    type=click.Path(file_okay=False),
    default=None,
    help="Write the file(s) into this folder instead of printing them.",
)
@click.pass_obj
def command(app, kind: str | None, user: str | None, out_dir: str | None) -> None:  # type: ignore[no-untyped-def]
    config = app.config  # a broken config fails here, as for every command, not inside the service
    kind = kind or svc_files.this_system()
    svc = svc_files.find_service(find_config_path(app.config_path), user)
    if out_dir:
        for path in svc_files.write(svc, Path(out_dir), kind, config.company):
            click.echo(both("service-written", path=path))
        click.echo(both("service-how"))
        return
    for text in svc_files.texts(svc, kind, config.company):
        click.echo(text)
