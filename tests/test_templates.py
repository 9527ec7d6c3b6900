"""Templates: every form, both languages, read back with openpyxl; per-rep copies; LibreOffice opens them all."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import yaml
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from automation.core.config import load_config
from automation.core.formspec import BOOL_LABELS, FORM_KEYS, load_specs
from automation.core.texts.forms import MAX_MESSAGE, MAX_TITLE
from automation.templates.builder import MONEY_FORMAT, build_template, template_filename, write_templates
from automation.templates.grid import DATA_ROWS, FORM_SHEET, LIST_SHEET, layout
from tests.conftest import ROOT

CASES = [(key, lang) for key in FORM_KEYS for lang in ("zh", "en")]
LIST_TYPES = ("choice", "region", "bool", "rep")


def _reload(wb: Workbook, tmp_path: Path, name: str = "t.xlsx") -> Workbook:
    path = tmp_path / name
    wb.save(path)
    return openpyxl.load_workbook(path)


def _dv_at(ws: Worksheet, ref: str) -> DataValidation | None:
    hits = [dv for dv in ws.data_validations.dataValidation if ref in dv.sqref]
    assert len(hits) <= 1, f"{ref} has {len(hits)} validations"
    return hits[0] if hits else None


def _list_values(wb: Workbook, dv: DataValidation) -> list[str]:
    """The values a list validation offers, inline or from a range on the hidden list sheet."""
    f = dv.formula1
    if f.startswith('"'):
        return f.strip('"').split(",")
    sheet, rng = f.split("!")
    ws = wb[sheet.strip("'")]
    return [c.value for row in ws[rng.replace("$", "")] for c in row]


@pytest.mark.parametrize(("key", "lang"), CASES)
def test_template_structure(key: str, lang: str, config, specs, tmp_path: Path) -> None:
    spec = specs[key]
    lay = layout(spec)
    wb = _reload(build_template(spec, config, lang), tmp_path)
    ws = wb.worksheets[0]
    assert ws.title == spec.title(lang)
    assert config.company in ws["A1"].value and spec.title(lang) in ws["A1"].value
    first, last = lay.first_data_row, lay.last_data_row
    assert last - first + 1 == DATA_ROWS

    # info block: label in A, editable value in B, with its validation
    for f in spec.info:
        row = lay.info_rows[f.key]
        assert ws.cell(row=row, column=1).value == f.label(lang)
        assert ws.cell(row=row, column=2).protection.locked is False
        assert ws.cell(row=row, column=1).protection.locked is True
        if f.type in LIST_TYPES:
            assert _dv_at(ws, f"B{row}") is not None and _dv_at(ws, f"B{row}").type == "list"
        if f.type == "date":
            assert _dv_at(ws, f"B{row}").type == "date"

    # header and data rows
    for f in spec.fields:
        col = lay.columns[f.key]
        letter = get_column_letter(col)
        head = ws.cell(row=lay.header_row, column=col)
        assert head.value == f.label(lang)
        assert head.protection.locked is True
        assert ws.column_dimensions[letter].width >= min(len(f.label(lang)), 12)
        top, bottom = ws.cell(row=first, column=col), ws.cell(row=last, column=col)
        assert top.protection.locked is False and bottom.protection.locked is False
        dv_top, dv_bottom = _dv_at(ws, f"{letter}{first}"), _dv_at(ws, f"{letter}{last}")
        assert dv_top is dv_bottom, f"{f.key}: one validation over all data rows"
        assert _dv_at(ws, f"{letter}{last + 1}") is None
        if f.type in LIST_TYPES:
            assert dv_top is not None and dv_top.type == "list", f.key
            offered = _list_values(wb, dv_top)
            if f.type == "bool":
                assert offered == list(BOOL_LABELS[lang])
            elif f.type == "rep":
                assert offered == [r.id for r in config.reps]
            else:
                assert offered == [c.label(lang) for c in f.choices]
            assert dv_top.errorStyle in (None, "stop")
        elif f.type == "date":
            assert dv_top is not None and dv_top.type == "date" and dv_top.operator == "between"
            assert int(dv_top.formula1) < int(dv_top.formula2)
            assert top.number_format == "yyyy-mm-dd"
        elif f.type == "money":
            assert dv_top is not None and dv_top.type == "decimal"
            assert (dv_top.operator, dv_top.formula1) == ("greaterThanOrEqual", "0")
            assert top.number_format == MONEY_FORMAT
        elif f.type == "int":
            assert dv_top is not None and dv_top.type == "whole" and dv_top.formula1 == "0"
        elif f.type == "text":
            assert top.number_format == "@", "text stays text (phones, credit codes)"
        if dv_top is not None and dv_top.type is not None:
            assert dv_top.showErrorMessage and dv_top.error and dv_top.errorTitle
            assert dv_top.showInputMessage and dv_top.prompt
        for dv in ws.data_validations.dataValidation:
            assert len(dv.prompt or "") <= MAX_MESSAGE and len(dv.error or "") <= MAX_MESSAGE
            assert len(dv.promptTitle or "") <= MAX_TITLE and len(dv.errorTitle or "") <= MAX_TITLE

    # frozen header, protection without password, print setup
    assert ws.freeze_panes == f"A{first}"
    assert ws.protection.sheet and not ws.protection.password
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert str(lay.header_row) in ws.print_title_rows

    # _form sheet (SPEC §2) and instructions generated from the spec
    form = wb[FORM_SHEET]
    assert form.sheet_state == "hidden"
    assert [[c.value for c in r] for r in form["A1:B3"]] == [
        ["form", key],
        ["version", spec.version],
        ["language", lang],
    ]
    instructions = wb.worksheets[1]
    assert instructions.title == ("填写说明" if lang == "zh" else "Instructions")
    text = {c.value for row in instructions.iter_rows() for c in row if c.value}
    for f in (*spec.info, *spec.fields):
        assert f.label(lang) in text
        if f.type == "choice":
            assert any(f.choices[-1].label(lang) in str(v) for v in text)


def test_long_choice_list_goes_to_hidden_list_sheet(config_path: Path, tmp_path: Path) -> None:
    data = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    data["industries"] = [
        {"key": f"i{i}", "zh": f"行业分类第{i}号", "en": f"Industry number {i}"} for i in range(40)
    ]
    p = tmp_path / "config.yaml"
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    config = load_config(p)
    spec = load_specs(config)["customer_register"]
    lay = layout(spec)
    wb = _reload(build_template(spec, config, "en"), tmp_path)
    ws = wb.worksheets[0]
    letter = get_column_letter(lay.columns["industry"])
    dv = _dv_at(ws, f"{letter}{lay.first_data_row}")
    assert dv.formula1.startswith(f"'{LIST_SHEET}'!")
    assert _list_values(wb, dv) == [f"Industry number {i}" for i in range(40)]
    assert wb[LIST_SHEET].sheet_state == "hidden"


def test_rep_copy_fills_and_locks_rep_and_lists_customers(config, specs, tmp_path: Path) -> None:
    names = [f"上海第{i}号精密机械制造有限公司" for i in range(30)] + ['=HYPERLINK("http://x")']
    assert len(",".join(names)) > 255
    spec = specs["visit_report"]
    lay = layout(spec)
    wb = _reload(build_template(spec, config, "zh", rep="R001", customers=names), tmp_path)
    ws = wb.worksheets[0]
    rep_cell = ws[lay.info_cell("rep_id")]
    assert rep_cell.value == "R001" and rep_cell.protection.locked is True
    row = lay.info_rows["rep_id"]
    assert "张伟" in [ws.cell(row=row, column=c).value for c in range(3, 8)]
    assert ws[lay.info_cell("report_date")].protection.locked is False
    letter = get_column_letter(lay.columns["customer"])
    dv = _dv_at(ws, f"{letter}{lay.first_data_row}")
    assert dv is not None and dv.type == "list" and dv.errorStyle == "warning"
    assert dv is _dv_at(ws, f"{letter}{lay.last_data_row}")
    assert dv.formula1.startswith(f"'{LIST_SHEET}'!")
    offered = _list_values(wb, dv)
    assert sorted(offered) == sorted(names)
    lists = wb[LIST_SHEET]
    assert lists.sheet_state == "hidden"
    formula_like = next(c for row in lists.iter_rows() for c in row if c.value == names[-1])
    assert formula_like.data_type == "s", "a customer name starting with '=' stays text"
    assert wb[FORM_SHEET]["B1"].value == "visit_report"


def test_write_templates_per_rep_and_supervisor(config, specs, tmp_path: Path) -> None:
    paths = write_templates(config, specs, tmp_path, rep_ids=["R004", "S02"], customers={"R004": ["Acme"]})
    names = sorted(p.relative_to(tmp_path).as_posix() for p in paths)
    assert "R004/Daily visit report_R004.xlsx" in names  # R004 works in English (config)
    assert not any("Weekly" in n or "Targets" in n for n in names if n.startswith("R004/"))
    assert names[-1] == "S02/周销售管理报告书_S02.xlsx"
    weekly = openpyxl.load_workbook(tmp_path / names[-1]).worksheets[0]
    lay = layout(specs["weekly_report"])
    assert weekly[lay.info_cell("region")].value == "华南"
    south = [r.id for r in config.reps if r.region == "south"]
    col = lay.columns["rep_id"]
    assert [weekly.cell(row=lay.first_data_row + i, column=col).value for i in range(len(south))] == south
    with pytest.raises(KeyError, match="X9"):
        write_templates(config, specs, tmp_path, rep_ids=["X9"])


def _snapshot(wb: Workbook) -> dict[str, Any]:
    """What a template means, without bytes that always differ (timestamps, zip order)."""
    out: dict[str, Any] = {}
    for ws in wb.worksheets:
        out[ws.title] = {
            "state": ws.sheet_state,
            "cells": {c.coordinate: c.value for row in ws.iter_rows() for c in row if c.value is not None},
            "merged": sorted(str(m) for m in ws.merged_cells.ranges),
            "validations": sorted(
                (
                    str(dv.sqref),
                    dv.type or "",
                    dv.formula1 or "",
                    dv.formula2 or "",
                    dv.errorStyle or "",
                    dv.prompt or "",
                    dv.error or "",
                )
                for dv in ws.data_validations.dataValidation
            ),
            "freeze": ws.freeze_panes,
        }
    return out


@pytest.mark.parametrize(("key", "lang"), CASES)
def test_repo_templates_are_up_to_date(key: str, lang: str, config, specs, tmp_path: Path) -> None:
    spec = specs[key]
    committed = ROOT / "templates" / lang / template_filename(spec, lang)
    assert committed.exists(), (
        f"{committed} missing: run `salesflow templates` in the repo root and commit templates/"
    )
    fresh = _reload(build_template(spec, config, lang), tmp_path)
    assert _snapshot(openpyxl.load_workbook(committed)) == _snapshot(fresh), (
        f"{committed.name} is stale: run `salesflow templates` in the repo root and commit templates/"
    )


@pytest.mark.engine
def test_every_template_opens_in_libreoffice(config, specs, tools: Path, tmp_path: Path) -> None:
    """Every blank template (zh and en) plus the two kinds of personal copy (hidden customer list; weekly)."""
    paths = write_templates(config, specs, tmp_path / "blank")
    assert len(paths) == 2 * len(FORM_KEYS)
    names = [f"客户{i:03d}有限公司" for i in range(40)]
    for pid, spec in (("R001", specs["visit_report"]), ("S01", specs["weekly_report"])):
        path = tmp_path / f"{spec.key}_{pid}.xlsx"
        build_template(spec, config, "zh", rep=pid, customers=names).save(path)
        paths.append(path)

    def recalc(path: Path) -> tuple[Path, int, str]:
        out = path.with_suffix(".json")
        proc = subprocess.run(
            [sys.executable, str(tools / "recalc.py"), str(path), str(out)],
            capture_output=True,
            text=True,
            timeout=180,
        )
        if proc.returncode == 0:
            sheets = json.loads(out.read_text(encoding="utf-8"))["sheets"]
            assert FORM_SHEET in sheets, f"{path.name}: LibreOffice lost the _form sheet"
        return path, proc.returncode, proc.stderr[-500:]

    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        results = list(pool.map(recalc, paths))
    failed = [(p.name, rc, err) for p, rc, err in results if rc != 0]
    assert not failed, failed


def test_text_starting_with_equals_is_not_a_formula(config, specs, tmp_path: Path) -> None:
    data = {**config.model_dump(), "company": "=SUM(1,2)"}
    cfg = type(config).model_validate(data)
    wb = _reload(build_template(specs["targets"], cfg, "en"), tmp_path)
    assert wb.worksheets[0]["A1"].data_type == "s"
    assert wb.worksheets[0]["A1"].value.startswith("=SUM(1,2)")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_instructions_say_only_what_is_true_of_the_workbook_and_say_it_once(
    lang: str, config, specs, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Issue 13: the targets template asked for 「表头信息（-）」 it does not have and gave the period
    hint twice, and every blank template warned about a ``_lists`` sheet most of them lack."""
    for spec in specs:
        wb = _reload(build_template(spec, config, lang), tmp_path)
        ws = wb[next(n for n in wb.sheetnames if n not in (spec.title(lang)[:31], "_form", "_lists"))]
        text = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
        steps = [t for t in text if t[:2] in {f"{i}." for i in range(1, 10)}]
        assert steps and not any("（-）" in t or "(-)" in t or "()" in t for t in steps), (spec.key, steps)
        if not spec.info:
            assert not any("表头信息" in t or "details at the top" in t for t in steps), steps
        hidden = [n for n in ("_form", "_lists") if n in wb.sheetnames]
        last = steps[-1]
        assert all(n in last for n in hidden) and all(
            n in hidden for n in ("_form", "_lists") if n in last
        ), (spec.key, wb.sheetnames, last)
        rows = [[c.value for c in row] for row in ws.iter_rows()]
        for r in rows:  # the field table: label, where, type, required, allowed, notes
            allowed, notes = (str(v or "") for v in (r[4:6] if len(r) >= 6 else ("", "")))
            squash = lambda x: re.sub(r"[\s,，、;；。.]|or|或|e\.g|如", "", x)  # noqa: E731
            assert not (allowed and notes and squash(allowed) in squash(notes)), (
                spec.key,
                r[0],
                allowed,
                notes,
            )
        for dv in wb[spec.title(lang)[:31]].data_validations.dataValidation:
            said = re.sub(r"[\s,，、;；。.或如]|or|e\.g", "", dv.prompt or "")
            twice = {said[i : i + 12] for i in range(len(said) - 11) if said.count(said[i : i + 12]) > 1}
            assert not twice, (spec.key, dv.prompt)  # the same hint given twice
