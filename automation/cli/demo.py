"""``salesflow demo``: a realistic company through the real pipeline (thin: one call to the demo runner).

Exit codes: 0 the demo ran and its numbers add up; 1 they do not (a file failed); 2 the folder cannot
be used (it holds something that is not an earlier demo).
"""

from __future__ import annotations

import sys

import click

from automation.cli.shared import EXIT_ATTENTION, fail
from automation.core.texts.cli import command_help
from automation.demo.run import DemoError, format_report, run_demo


@click.command("demo", help=command_help("demo"))
@click.option("--dir", "directory", type=click.Path(file_okay=False), default=None,
              help="Folder for the demo installation (default ./salesflow-demo-<seed>).")  # fmt: skip
@click.option("--size", type=click.Choice(["small", "large"]), default="small", show_default=True,
              help="small: 3 regions, 12 reps, 4 weeks; large: 20 regions, 200 reps, 12 months (slow).")  # fmt: skip
@click.option("--seed", type=int, default=7, show_default=True, help="Same seed, same company, same figures.")
@click.option("--libreoffice/--no-libreoffice", default=True, show_default=True,
              help="Save some forms through LibreOffice when it is installed, as some reps do.")  # fmt: skip
@click.option("--quiet", is_flag=True, help="No progress bar.")
def command(directory: str | None, size: str, seed: int, libreoffice: bool, quiet: bool) -> None:
    try:
        report = run_demo(directory, size, seed, libreoffice=libreoffice, progress=not quiet)
    except DemoError as exc:
        fail(str(exc))
    click.echo(format_report(report))
    if not report.adds_up:
        sys.exit(EXIT_ATTENTION)
