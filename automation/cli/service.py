"""``salesflow service [--for linux|windows|both] [--user NAME] [--write DIR]``: the watcher as a
service (thin: :mod:`automation.watch.service` writes the files; this prints or saves them).

Exit codes: 0 printed or written; 2 config error (by the CLI group).
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from automation.core.config import find_config_path
from automation.core.texts import both
from automation.watch import service as svc_files


@click.command("service")
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
    """作为系统服务运行 / The watcher as a service: a systemd unit, or a Windows scheduled task (see
    "Running the watcher for real")."""
    config = app.config  # a broken config fails here, as for every command, not inside the service
    kind = kind or ("windows" if os.name == "nt" else "linux")
    svc = svc_files.find_service(find_config_path(app.config_path), user)
    if out_dir:
        for path in svc_files.write(svc, Path(out_dir), kind, config.company):
            click.echo(both("service-written", path=path))
        click.echo(both("service-how"))
        return
    if kind in ("linux", "both"):
        click.echo(svc_files.systemd_unit(svc, config.company))
    if kind in ("windows", "both"):
        click.echo(svc_files.windows_task(svc, config.company))
