"""The demo company's workbooks: every figure on the summary and the scorecard equals what
``salesflow figures --json`` says for the same ledger and week, and LibreOffice opens every output
with every sheet recalculated without an error.

One demo run (the small company, no LibreOffice re-saves) serves the module; the week is 2026-W47
(16-22 Nov), the clock Mon 2026-11-23 21:00 (conftest), as in the README's picture.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from automation.cli import cli
from automation.consolidate import paths
from automation.consolidate.sheets.scorecard import FIGURES, PERIODS
from automation.core.config import Config, load_config
from automation.core.formspec import load_specs
from automation.core.texts.figures import VALUE_LABELS
from automation.core.texts.workbooks import Labels, say, sheet_name

pytestmark = [pytest.mark.slow]
WEEK, LAST = "2026-W47", "2026-W46"


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Path, Config, dict[str, Any], dict[str, Any]]]:
    import os

    from automation.demo.run import run_demo

    saved = os.environ.get("SALESFLOW_NOW")
    os.environ["SALESFLOW_NOW"] = "2026-11-23T21:00:00"
    try:
        root = tmp_path_factory.mktemp("demo")
        report = run_demo(root, "small", 7, libreoffice=False, progress=False)
        assert report.adds_up and report.workbooks  # the demo ends with the workbooks built
        cfg = report.config_path
        res = CliRunner().invoke(cli, ["--config", str(cfg), "consolidate", "--week", WEEK])
        assert res.exit_code == 0, res.output
        figures = {}
        for week in (WEEK, LAST):
            out = CliRunner().invoke(cli, ["--config", str(cfg), "figures", "--week", week, "--json"])
            assert out.exit_code == 0, out.output
            figures[week] = json.loads(out.output)
        yield cfg, load_config(cfg), figures[WEEK], figures[LAST]
    finally:
        if saved is None:
            os.environ.pop("SALESFLOW_NOW", None)
        else:
            os.environ["SALESFLOW_NOW"] = saved


def _same(cell: Any, value: Any, where: str) -> None:
    """A cell against the JSON value: numbers to the JSON's 6 decimals, a missing figure is an empty cell."""
    if value is None:
        assert cell is None, where
    elif isinstance(value, str):
        assert cell == value, where
    else:
        assert cell == pytest.approx(value, rel=1e-9, abs=1e-6), where


def _rows(path: Path, sheet: str) -> list[list[Any]]:
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return [list(r) for r in wb[sheet].iter_rows(values_only=True)]
    finally:
        wb.close()


def _label(value: Any, lang: str) -> Any:
    if isinstance(value, str) and value in VALUE_LABELS:
        return VALUE_LABELS[value][0 if lang == "zh" else 1]
    return value


@pytest.mark.parametrize("scope", [None, "north"])  # the company (zh) and a region whose supervisor reads en
def test_scorecard_equals_figures_json(demo, scope: str | None) -> None:  # type: ignore[no-untyped-def]
    cfg_path, config, figures, _ = demo
    lang = paths.region_language(config, scope) if scope else config.language
    book = paths.region_workbook(config, WEEK, scope) if scope else paths.company_workbook(config, WEEK)
    labels = Labels(load_specs(config), lang)
    rows = _rows(book, sheet_name("scorecard", lang))
    header = rows[3]
    col = {k: header.index(labels.header(k)) for k, _ in FIGURES}
    period_of = {say(f"period_{k}", lang, period=figures["periods"][k]["key"]): k for k in PERIODS}
    level_of = {_label(k, lang): k for k in ("rep", "region", "company")}
    sheet = {(period_of[r[0]], level_of[r[1]], r[2] or ""): r for r in rows[4:] if r[0]}
    checked = 0
    for kind in PERIODS:
        for row in figures["scorecards"][kind]:
            if scope is not None and (row["region"] != scope or row["level"] == "company"):
                continue
            cells = sheet.pop((kind, row["level"], row["owner"]))
            for key, _ in FIGURES:
                _same(cells[col[key]], _label(row[key], lang), f"{kind} {row['level']} {row['owner']} {key}")
                checked += 1
    assert sheet == {} and checked > 500  # every row of the sheet is a row of the JSON, and back


@pytest.mark.parametrize("scope", [None, "north"])
def test_summary_equals_figures_json(demo, scope: str | None) -> None:  # type: ignore[no-untyped-def]
    cfg_path, config, figures, last = demo
    lang = paths.region_language(config, scope) if scope else config.language
    book = paths.region_workbook(config, WEEK, scope) if scope else paths.company_workbook(config, WEEK)
    labels = Labels(load_specs(config), lang)
    rows = _rows(book, sheet_name("summary", lang))

    def scope_row(data: dict[str, Any], kind: str) -> dict[str, Any]:
        level, owner = ("company", "") if scope is None else ("region", scope)
        return next(r for r in data["scorecards"][kind] if (r["level"], r["owner"]) == (level, owner))

    week, mtd, before = scope_row(figures, "week"), scope_row(figures, "mtd"), scope_row(last, "week")
    for m in ("sales", "gross_margin", "collections", "visits", "new_customers"):
        r = next(x for x in rows if x[0] == labels.header(m))
        _same(r[1], week[m], m)
        _same(r[2], week[f"{m}_target"], m)
        _same(r[3], week[f"{m}_attainment"], m)
        _same(r[4], week["pace"], m)
        _same(r[5], _label(week[f"{m}_status"], lang), m)
        _same(r[6], before[m], f"{m} last week")
        change = None if not before[m] else (week[m] - before[m]) / before[m]
        _same(r[7], change, f"{m} change")
        _same(r[8], mtd[m], m)
        _same(r[9], mtd[f"{m}_target"], m)
        _same(r[10], mtd[f"{m}_attainment"], m)
        _same(r[11], _label(mtd[f"{m}_status"], lang), m)
    # who is behind: each listed rep's figures, red first then by attainment
    names = {r.id: r.name for r in config.reps}
    reps = {names[r["owner"]]: r for r in figures["scorecards"]["week"] if r["level"] == "rep"}
    reps_mtd = {names[r["owner"]]: r for r in figures["scorecards"]["mtd"] if r["level"] == "rep"}
    start = next(i for i, x in enumerate(rows) if x[0] == say("q_behind", lang)) + 2
    listed = []
    for x in rows[start:]:
        if x[0] not in reps:  # the block's note ends it
            break
        listed.append(x)
    assert listed, "no rep listed under 'who is behind'"
    order = {"red": 0, "amber": 1, "green": 2, None: 3}
    keys = []
    for x in listed:
        r, rm = reps[x[0]], reps_mtd[x[0]]
        for c, key in ((2, "sales"), (3, "sales_target"), (4, "sales_attainment"), (9, "visits"),
                       (10, "effective_rate"), (11, "on_time_rate")):  # fmt: skip
            _same(x[c], r[key], f"{x[0]} {key}")
        _same(x[5], _label(r["sales_status"], lang), x[0])
        _same(x[6], rm["sales"], x[0])
        keys.append(
            (
                order[r["sales_status"]],
                r["sales_attainment"] if r["sales_attainment"] is not None else math.inf,
            )
        )
    assert keys == sorted(keys)
    # are reps working well: every unit's rates
    start = next(i for i, x in enumerate(rows) if x[0] == say("q_working", lang)) + 2
    units = {r["name"]: r for r in figures["scorecards"]["week"]}
    for x in rows[start:]:
        if x[0] is None or x[1] is None:
            break
        name = x[0]
        match = next((r for r in figures["scorecards"]["week"]
                      if names.get(r["owner"]) == name or _region_label(config, r["owner"], lang) == name
                      or (r["level"] == "company" and name == config.company)), None)  # fmt: skip
        assert match is not None, name
        _same(x[1], match["visits"], name)
        _same(x[3], match["effective_rate"], name)
        _same(x[7], match["on_time_rate"], name)
    assert units


def _region_label(config: Config, region_id: str, lang: str) -> str | None:
    r = config.region(region_id)
    return None if r is None else r.label(lang)


@pytest.mark.engine
def test_libreoffice_opens_every_output_without_an_error(demo, tools: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cfg_path, config, _, _ = demo
    outputs = [
        paths.company_workbook(config, WEEK),
        paths.region_workbook(config, WEEK, "north"),  # English
        paths.weekly_report_form(config, WEEK, "S01"),
    ]
    for i, out in enumerate(outputs):
        dump = tmp_path / f"{i}.json"
        res = subprocess.run(
            [sys.executable, str(tools / "recalc.py"), str(out), str(dump), "--fail-on-errors"],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert res.returncode == 0, (out.name, res.stdout, res.stderr)
        data = json.loads(dump.read_text(encoding="utf-8"))
        assert data["formula_errors"] == [] and data["structural_errors"] == []
        want = openpyxl.load_workbook(out, read_only=True).sheetnames
        assert list(data["sheets"]) == want  # every sheet loaded
        if out.name.endswith(f"{WEEK}.xlsx") and i < 2:
            summary = data["sheets"][want[0]]["cells"]
            assert any(isinstance(v, (int, float)) and v > 0 for v in summary.values())  # figures, not blanks
