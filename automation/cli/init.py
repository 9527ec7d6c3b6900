"""``salesflow init DIR``: create a ready installation (thin: one call to the installer, then a summary).

Exit codes: 0 done (also when everything was already there); 2 the config.yaml found in DIR is invalid
(printed one line per problem by the CLI group).
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from automation.core.texts import both
from automation.templates.installer import init_installation


def _rel(path: Path, base: Path) -> str:
    try:
        return os.path.relpath(path, base)
    except ValueError:  # another drive on Windows
        return str(path)


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False), default=".")
def command(directory: str) -> None:
    """初始化安装目录 / A ready installation: commented config.yaml, the shared-folder tree with one
    inbox folder per rep, supervisor and hq, and the templates. Never overwrites a file you already have."""
    result = init_installation(directory)
    base = result.target
    new = [p for p in result.created if p != base]
    click.echo(both("init-installation", path=base))
    state = both("init-created" if result.config_path in result.created else "init-kept-config")
    click.echo(both("init-config", path=result.config_path, state=state))
    click.echo(both("init-shared", path=result.shared_root))
    click.echo("  " + both("init-inboxes", path=result.shared_root / "inbox"))
    click.echo(both("init-templates", path=result.templates_dir))
    click.echo(both("init-counts", new=len(new), kept=len(result.kept)))
    for p in new:
        click.echo(f"  + {_rel(p, base)}")
    click.echo(both("init-next"))
    click.echo(f"  salesflow --config {result.config_path} templates --rep <ID>")
