"""The README's command table, generated from the commands' own ``--help`` so the two cannot drift.

``python -m automation.cli.readme_table`` prints the table; ``--write`` puts it into README.md
between the :data:`BEGIN` and :data:`END` markers (``tests/test_readme_commands.py`` fails when the
README's table differs from what this generates). One row per command in ``--help`` order (a
group such as ``salesflow ledger``: one row per subcommand, ``salesflow ledger copy``, as the group
itself only names them and takes no option of its own): the usage line, the Chinese and English halves of the command's help (``中文 / English``, see
:mod:`automation.core.texts.cli`), and each option with its help. ``--config`` and ``--help``,
which every command takes, are described once under the table instead.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from automation.cli import COMMANDS, cli
from automation.core.texts.cli import README_HEAD

BEGIN = "<!-- commands:begin (generated from --help: python -m automation.cli.readme_table --write) -->"
END = "<!-- commands:end -->"
README = Path(__file__).resolve().parents[2] / "README.md"
SHARED = {"--config", "--help"}  # options every command takes, described under the table


def _cell(text: str, *, code: bool = False) -> str:
    """Markdown-table safe: one line, pipes escaped, and outside code ``<`` escaped so that
    ``inbox/<id>/`` is not taken for an HTML tag."""
    text = " ".join(text.split()).replace("|", "\\|")
    return text if code else text.replace("<", "&lt;")


def _rows(name: str, command: click.Command, parent: click.Context) -> list[str]:
    """The command's row, or a group's subcommands' rows (in the group's order)."""
    if not isinstance(command, click.Group):
        return [_row(name, command, parent)]
    ctx = click.Context(command, info_name=name, parent=parent)
    return [row for sub in command.list_commands(ctx) for row in _rows(sub, command.commands[sub], ctx)]


def _row(name: str, command: click.Command, parent: click.Context) -> str:
    ctx = click.Context(command, info_name=name, parent=parent)
    args = [p.make_metavar(ctx) for p in command.params if isinstance(p, click.Argument)]
    usage = " ".join([*ctx.command_path.split(), *args])
    zh, _, en = (command.help or "").partition(" / ")
    options = []
    for param in command.get_params(ctx):
        if not isinstance(param, click.Option) or SHARED & set(param.opts):
            continue
        record = param.get_help_record(ctx)
        if record is not None:
            options.append(f"`{_cell(record[0], code=True)}` {_cell(record[1])}")
    return f"| `{_cell(usage, code=True)}` | {_cell(zh)} | {_cell(en)} | {'<br>'.join(options)} |"


def table() -> str:
    """The Markdown table of every command, as the README carries it (without the markers)."""
    parent = click.Context(cli, info_name="salesflow")
    rows = [row for name in COMMANDS for row in _rows(name, cli.commands[name], parent)]
    head = [README_HEAD, "|---|---|---|---|"]
    return "\n".join(head + rows)


def with_table(readme: str) -> str:
    """``readme`` with the text between the markers replaced by :func:`table`.
    Raises ValueError when the markers are missing."""
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    return readme[:start] + "\n" + table() + "\n" + readme[end:]


def main(argv: list[str]) -> int:
    if argv[:1] == ["--write"]:
        path = Path(argv[1]) if len(argv) > 1 else README
        text = path.read_text(encoding="utf-8")
        updated = with_table(text)
        if updated != text:
            path.write_text(updated, encoding="utf-8")
        print(f"{path}: {'updated' if updated != text else 'already up to date'}")
        return 0
    print(table())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
