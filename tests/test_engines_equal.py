"""The figures and workbooks from PostgreSQL equal those from SQLite on the same files (issue 18).

The small demo company (seed 7, the clock Mon 2026-11-23 21:00 as everywhere in the tests) is
generated and processed twice, file by file in received order, each run on its own ledger: once
SQLite, once a fresh PostgreSQL database. Then, from each: ``figures --json`` of the last two weeks,
and every workbook the demo's closing rebuild wrote for the weeks its forms touched (as the
watcher does after a burst: the company workbook, every region workbook, every pre-filled weekly
report), compared sheet by sheet and cell by cell. Nothing is
compared against hard-coded results: the two engines must agree with each other, and each run
must have accepted forms and written workbooks, or the comparison would prove nothing.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from automation.cli import cli
from automation.core.config import load_config

pytestmark = [pytest.mark.slow]
NOW = "2026-11-23T21:00:00"
WEEKS = ("2026-W47", "2026-W46")


def _invoke(cfg: Path, *args: str) -> str:
    res = CliRunner().invoke(cli, ["--config", str(cfg), *args])
    assert res.exit_code == 0, res.output
    return res.output


def _run(root: Path, ledger_url: str = "") -> dict[str, Any]:
    """One demo run into ``ledger_url`` (SQLite when empty): its outcomes, figures and workbooks."""
    from automation.demo.run import run_demo

    report = run_demo(root, "small", 7, libreoffice=False, progress=False, ledger_url=ledger_url)
    assert report.ledger.startswith("postgresql" if ledger_url else "sqlite")
    assert report.workbooks  # the closing rebuild wrote the weeks' workbooks
    figures = {}
    for week in WEEKS:
        data = json.loads(_invoke(report.config_path, "figures", "--week", week, "--json"))
        data.pop("generated_at")
        figures[week] = data
    reports = load_config(report.config_path).reports
    books = {p.relative_to(reports).as_posix(): _cells(p) for p in sorted(reports.rglob("*.xlsx"))}
    return {"outcomes": dict(report.outcomes), "figures": figures, "books": books}


def _cells(path: Path) -> dict[str, dict[str, Any]]:
    """Every non-empty cell of every sheet (formulas as their text), by sheet and coordinate."""
    with warnings.catch_warnings():  # openpyxl does not read conditional-format extensions
        warnings.simplefilter("ignore", UserWarning)
        wb = openpyxl.load_workbook(path)
    try:
        return {
            ws.title: {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None}
            for ws in wb.worksheets
        }
    finally:
        wb.close()


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, pg_server: Any) -> Iterator[tuple[dict, dict]]:  # type: ignore[type-arg]
    saved = os.environ.get("SALESFLOW_NOW")
    os.environ["SALESFLOW_NOW"] = NOW
    url = pg_server.fresh()
    try:
        sqlite = _run(tmp_path_factory.mktemp("sqlite"))
        postgres = _run(tmp_path_factory.mktemp("postgres"), url)
        yield sqlite, postgres
    finally:
        pg_server.drop(url)
        if saved is None:
            os.environ.pop("SALESFLOW_NOW", None)
        else:
            os.environ["SALESFLOW_NOW"] = saved


def test_every_file_has_the_same_outcome_on_both_engines(runs: tuple[dict, dict]) -> None:  # type: ignore[type-arg]
    sqlite, postgres = runs
    assert sqlite["outcomes"].get("accepted", 0) > 100 and sqlite["outcomes"].get("rejected", 0) > 0
    assert postgres["outcomes"] == sqlite["outcomes"]


def test_the_figures_are_equal(runs: tuple[dict, dict]) -> None:  # type: ignore[type-arg]
    sqlite, postgres = runs
    for week in WEEKS:
        assert sqlite["figures"][week]["week"] == week
        assert postgres["figures"][week] == sqlite["figures"][week], week


def test_every_workbook_is_equal_cell_by_cell(runs: tuple[dict, dict]) -> None:  # type: ignore[type-arg]
    sqlite, postgres = runs
    books = sqlite["books"]
    weeks = {name.split("/")[0] for name in books}
    assert len(weeks) >= 4 and len(books) >= 12, sorted(books)  # several weeks, each with its workbooks
    assert sorted(postgres["books"]) == sorted(books)
    differ = []
    for name, sheets in books.items():
        other = postgres["books"][name]
        assert list(other) == list(sheets), name  # the same sheets, in the same order
        for sheet, cells in sheets.items():
            theirs = other[sheet]
            for coord in sorted(set(cells) | set(theirs)):
                if cells.get(coord) != theirs.get(coord):
                    differ.append(f"{name} [{sheet}] {coord}: {cells.get(coord)!r} != {theirs.get(coord)!r}")
    assert not differ, f"{len(differ)} cells differ:\n" + "\n".join(differ[:40])
    assert sum(len(c) for s in books.values() for c in s.values()) > 1000  # workbooks with content
