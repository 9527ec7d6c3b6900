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
from automation.config import ConfigError, load_config

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


class AppContext:
    """Carries the global options; loads config lazily so ``init`` works without one."""

    def __init__(self, config_path: str | None):
        self.config_path = config_path
        self._config = None

    def use(self, config_path: str) -> None:
        """``--config`` given after the command: it wins over one given before (the nearer says more)."""
        self.config_path = config_path
        self._config = None

    @property
    def config(self):  # type: ignore[no-untyped-def]
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config


class SalesflowGroup(click.Group):
    """Turns known exceptions into one line on stderr and exit code 2, never a traceback."""

    def invoke(self, ctx: click.Context):  # type: ignore[no-untyped-def]
        try:
            return super().invoke(ctx)
        except ConfigError as exc:
            click.echo(f"配置错误 / config error in {exc.path}:", err=True)
            for line in exc.lines:
                click.echo(f"  - {line}", err=True)
            sys.exit(2)
        except Exception as exc:
            problem = _ledger_problem(exc)
            if problem is None:
                raise
            click.echo(problem, err=True)
            sys.exit(2)


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
        return f"台账无法访问 / the ledger cannot be reached: {first}"
    return None


CONFIG_HELP = "config.yaml to use (default ./config.yaml, or $SALESFLOW_CONFIG)."


def _config_given(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(AppContext).use(value)


def config_option(*, on_group: bool = False) -> click.Option:
    """``--config PATH``, defined once: the group takes it before the command (with
    ``$SALESFLOW_CONFIG`` as its default), and :func:`_register` gives every command the same
    option, so ``salesflow figures --config X`` works as ``salesflow --config X figures`` does."""
    if on_group:
        return click.Option(
            ["--config", "config_path"], envvar="SALESFLOW_CONFIG", type=click.Path(dir_okay=False),
            default=None, help=CONFIG_HELP,
        )  # fmt: skip
    return click.Option(
        ["--config", "config_path"], type=click.Path(dir_okay=False), default=None, help=CONFIG_HELP,
        expose_value=False, callback=_config_given,
    )  # fmt: skip


@click.group(cls=SalesflowGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="salesflow")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """Salesflow 销售表单自动化: reps' Excel forms in, ledger, figures and reports out."""
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
