"""The README's command table is what the commands' own ``--help`` says (issue 15): regenerated
here from the click commands and compared with the README, so a changed option or help text
cannot leave the README behind."""

from __future__ import annotations

from automation.cli import COMMANDS
from automation.cli.readme_table import BEGIN, END, table, with_table
from tests.conftest import ROOT

UPDATE = "python -m automation.cli.readme_table --write"


def test_the_readme_command_table_is_generated_from_help() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert BEGIN in readme and END in readme, (
        f"README.md lost its command-table markers; put them back and run `{UPDATE}`"
    )
    assert with_table(readme) == readme, f"README.md's command table differs from --help; run `{UPDATE}`"


def test_the_table_has_one_row_per_command_in_both_languages() -> None:
    rows = table().splitlines()[2:]
    assert [r.split("`")[1].split()[1] for r in rows] == COMMANDS
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split(" | ")]
        assert cells[1] and all("\u4e00" <= ch <= "\u9fff" for ch in cells[1]), row  # the Chinese name
        assert cells[2][:1].isupper() and not any("\u4e00" <= ch <= "\u9fff" for ch in cells[2]), row


def test_a_stale_table_is_replaced() -> None:
    """What the first test relies on: an edited row does not survive regeneration."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    stale = readme.replace("| `salesflow watch` |", "| `salesflow watch [--old]` |", 1)
    assert stale != readme and with_table(stale) == readme
