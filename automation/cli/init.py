"""``salesflow init DIR``: create a ready installation (thin: one call to the installer, then
its summary, :func:`automation.templates.said.init_lines`).

Exit codes: 0 done (also when everything was already there); 2 the config.yaml found in DIR is invalid
(printed one line per problem by the CLI group).
"""

from __future__ import annotations

import click

from automation.core.texts.cli import command_help
from automation.templates.installer import init_installation
from automation.templates.said import init_lines


@click.command("init", help=command_help("init"))
@click.argument("directory", type=click.Path(file_okay=False), default=".")
def command(directory: str) -> None:
    for line in init_lines(init_installation(directory)):
        click.echo(line)
