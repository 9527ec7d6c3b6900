"""``salesflow init DIR``: create a ready installation (thin: one call to the installer, then a summary).

Exit codes: 0 done (also when everything was already there); 2 the config.yaml found in DIR is invalid
(printed one line per problem by the CLI group).
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from automation.templates.installer import init_installation


def _rel(path: Path, base: Path) -> str:
    try:
        return os.path.relpath(path, base)
    except ValueError:  # another drive on Windows
        return str(path)


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False), default=".")
def command(directory: str) -> None:
    """初始化安装目录 / Create config.yaml, the shared-folder tree and the templates in DIRECTORY."""
    result = init_installation(directory)
    base = result.target
    new = [p for p in result.created if p != base]
    click.echo(f"安装目录 / installation: {base}")
    state = "新建 / created" if result.config_path in result.created else "保留（未改动）/ kept as it was"
    click.echo(f"配置文件 / config: {result.config_path}  [{state}]")
    click.echo(f"共享文件夹 / shared folder: {result.shared_root}")
    click.echo(f"  收件箱 / inboxes: {result.shared_root / 'inbox'}/<编号 id>/")
    click.echo(f"模板 / templates: {result.templates_dir}/zh/, {result.templates_dir}/en/")
    click.echo(f"新建 / created: {len(new)}; 保留 / kept: {len(result.kept)}")
    for p in new:
        click.echo(f"  + {_rel(p, base)}")
    click.echo(
        "下一步 / next: 编辑 config.yaml 中的销售员与区域，然后运行 / edit the reps and regions, then run:"
    )
    click.echo(f"  salesflow --config {result.config_path} templates --rep <ID>")
