"""The ``salesflow`` command: thin wrappers that parse options, call one library function and turn
the library's own exceptions into a one-line message and an exit code (STYLE: sqlite-utils).

Each command lives in its own module under ``automation/cli/`` and is registered in :data:`COMMANDS`.
"""

from __future__ import annotations

import contextlib
import importlib
import sys

import click

from automation import __version__
from automation.cli.shared import EXIT_USAGE, AppContext, config_option, fail
from automation.core.config import ConfigError
from automation.core.texts import both
from automation.core.texts.cli import group_help
from automation.core.texts.errors import ERRORS

# Modules under automation.cli, each exposing ``command``; order = order in --help.
COMMANDS: list[str] = [
    "init",
    "templates",
    "check",
    "ingest",
    "watch",
    "status",
    "service",
    "figures",
    "consolidate",
    "mail",
    "ledger",
    "demo",
]


class SalesflowGroup(click.Group):
    """Turns the errors every command can meet (a bad config, a ledger that cannot be opened) into
    one line each on stderr and exit code 2, never a traceback; a command turns its own."""

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            click.echo(both("config-error", path=exc.path), err=True)
            for line in exc.lines:
                click.echo(f"  - {line}", err=True)
            sys.exit(EXIT_USAGE)
        except Exception as exc:
            problem = _ledger_problem(exc)
            if problem is None:
                raise
            fail(problem)


def _ledger_problem(exc: BaseException) -> str | None:
    """One line for a ledger that cannot be used as configured (a missing driver, a database
    newer than this program) or cannot be reached (a PostgreSQL server down); None otherwise."""
    from automation.ledger import LedgerError
    from automation.ledger.migrate import MigrationError

    if isinstance(exc, (LedgerError, MigrationError)):
        return str(exc)
    if type(exc).__module__.startswith("sqlalchemy") and type(exc).__name__ in (
        "OperationalError",
        "InterfaceError",
    ):
        first = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or [""])[0]
        return ERRORS["ledger-unreachable"].format(problem=first)
    return None


@click.group(cls=SalesflowGroup, help=group_help(), context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="salesflow")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    ctx.obj = AppContext(config_path)


cli.params.insert(0, config_option(on_group=True))


def _register() -> None:
    for name in COMMANDS:
        command = importlib.import_module(f"automation.cli.{name}").command
        for cmd in [command, *getattr(command, "commands", {}).values()]:  # a group's commands too
            if not any(p.name == "config_path" for p in cmd.params):
                cmd.params.append(config_option())
        cli.add_command(command)


_register()


def main() -> None:
    """Entry point of the ``salesflow`` script and ``python -m automation``."""
    _never_fail_on_encoding()
    cli(prog_name="salesflow")


def _never_fail_on_encoding() -> None:
    """Output redirected to a file or a pipe on Chinese Windows is encoded in GBK (cp936), on
    Western Windows in cp1252: a character they lack (a rep's name in cp1252, a symbol in GBK)
    raised UnicodeEncodeError, a traceback instead of the report. It is replaced instead; the
    console itself, and every UTF-8 terminal, shows everything."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if (
            callable(reconfigure)
            and (getattr(stream, "encoding", "") or "").lower().replace("-", "") != "utf8"
        ):
            with contextlib.suppress(Exception):
                reconfigure(errors="replace")
