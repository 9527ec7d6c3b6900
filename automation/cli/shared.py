"""What the commands share, defined once: the ``--config``, ``--json`` and ``--folder`` options,
the exit codes (from :mod:`automation.core.exits`, where each is described; each command's
docstring says which it uses, and when), and the one way a library error becomes a message and an
exit code (STYLE: sqlite-utils)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, NoReturn, TypeVar

import click

from automation.core.config import Config, load_config
from automation.core.exits import EXIT_ATTENTION, EXIT_FAULT, EXIT_OK, EXIT_USAGE, EXIT_WAITING
from automation.core.texts import both

__all__ = [
    "EXIT_ATTENTION",
    "EXIT_FAULT",
    "EXIT_OK",
    "EXIT_USAGE",
    "EXIT_WAITING",
    "AppContext",
    "checked_folder",
    "config_option",
    "fail",
    "folder_option",
    "json_option",
]


class AppContext:
    """Carries the global options; loads config lazily so ``init`` works without one."""

    def __init__(self, config_path: str | None):
        self.config_path = config_path
        self._config: Config | None = None

    def use(self, config_path: str) -> None:
        """``--config`` given after the command: it wins over one given before (the nearer says more)."""
        self.config_path = config_path
        self._config = None

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config


CONFIG_HELP = "config.yaml to use (default ./config.yaml, or $SALESFLOW_CONFIG)."

F = TypeVar("F", bound=Callable[..., Any])


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """The one way a command stops on an error: one line on stderr, an exit code, no traceback."""
    click.echo(message, err=True)
    sys.exit(code)


def json_option(help: str = "Print the result as JSON.") -> Callable[[F], F]:  # noqa: A002 (click's name)
    """``--json``: machine-readable output instead of text (the parameter is ``as_json``)."""
    return click.option("--json", "as_json", is_flag=True, help=help)


def folder_option(help: str, default: str | None = None) -> Callable[[F], F]:  # noqa: A002
    """``--folder NAME``: the inbox folder a file is filed under (a rep's or supervisor's id, or hq)."""
    return click.option("--folder", default=default, metavar="NAME", help=help)


def checked_folder(config: Config, folder: str | None) -> str | None:
    """``folder`` when it names an inbox folder (or is empty), else :func:`fail` naming the allowed ones."""
    if folder and folder not in config.folder_names():
        fail(both("unknown-folder", folder=folder, allowed=", ".join(config.folder_names())))
    return folder


def _config_given(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.ensure_object(AppContext).use(value)


def config_option(*, on_group: bool = False) -> click.Option:
    """``--config PATH``, defined once: the group takes it before the command (with
    ``$SALESFLOW_CONFIG`` as its default), and every command the same option after its name, so
    ``salesflow figures --config X`` works as ``salesflow --config X figures`` does (the nearer wins).
    Eager: read before the command's other options, which may need the config."""
    if on_group:
        return click.Option(
            ["--config", "config_path"], envvar="SALESFLOW_CONFIG", type=click.Path(dir_okay=False),
            default=None, help=CONFIG_HELP,
        )  # fmt: skip
    return click.Option(
        ["--config", "config_path"], type=click.Path(dir_okay=False), default=None, help=CONFIG_HELP,
        expose_value=False, callback=_config_given, is_eager=True,
    )  # fmt: skip
