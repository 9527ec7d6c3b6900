"""A filled template reads back through the form spec with the same values (SPEC §2 types).

Rows are filled the way a rep fills them in Excel: into the template's own data rows, with real
dates, numbers, dropdown labels in the template's language and Chinese text; then the file goes
through :func:`automation.intake.read_submission`. Hypothesis draws the values.
"""

from __future__ import annotations

import tempfile
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from automation.core.config import Config, load_config
from automation.core.formspec import BOOL_LABELS, FORM_KEYS, FieldSpec, FormSet, FormSpec, fold, load_specs
from automation.intake import read_submission
from automation.templates.builder import build_template
from automation.templates.grid import DATA_ROWS, layout
from tests.conftest import ROOT

CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
ASCII = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_#&()")
PUNCT = st.sampled_from("，。、（）《》：；！？·—")
SPACE = st.just(" ")
# Text as reps type it: mostly Chinese, some Latin and digits, full-width punctuation, inner spaces.
TEXT = st.text(st.one_of(CJK, CJK, ASCII, PUNCT, SPACE), min_size=1, max_size=40).map(str.strip).filter(bool)
DATES = st.dates(min_value=date(2020, 1, 1), max_value=date(2099, 12, 31))
MONEY = st.decimals(
    min_value=0, max_value=Decimal("999999999.99"), places=2, allow_nan=False, allow_infinity=False
)
INTS = st.integers(min_value=0, max_value=1_000_000)


@lru_cache(maxsize=1)
def _setup() -> tuple[Config, FormSet]:
    config = load_config(ROOT / "config.yaml")
    return config, load_specs(config)


@cache
def _template_bytes(key: str, lang: str) -> bytes:
    config, specs = _setup()
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "t.xlsx"
        build_template(specs[key], config, lang).save(path)
        return path.read_bytes()


def _reserved(spec: FormSpec) -> set[str]:
    """Texts that would end a table if typed as a row's first value (totals, info labels)."""
    return {fold(t) for f in spec.info for t in f.labels()} | {
        "合计",
        "总计",
        "小计",
        "total",
        "subtotal",
        "sum",
        "totals",
    }


def _value(f: FieldSpec, lang: str, config: Config) -> st.SearchStrategy[tuple[Any, Any]]:
    """(what the rep puts in the cell, what intake must read back)."""
    if f.type == "date":
        return DATES.map(lambda d: (d, d))
    if f.type == "money":
        return MONEY.map(lambda m: (float(m), m))
    if f.type == "int":
        return INTS.map(lambda n: (n, n))
    if f.type == "bool":
        yes, no = BOOL_LABELS[lang]
        return st.sampled_from([(yes, True), (no, False)])
    if f.type in ("choice", "region"):
        return st.sampled_from([(c.label(lang), c.key) for c in f.choices])
    if f.type == "rep":
        return st.sampled_from([(r.id, r.id) for r in config.reps])
    if f.type == "week":
        return st.tuples(st.integers(2020, 2030), st.integers(1, 52)).map(
            lambda t: (f"{t[0]}-W{t[1]:02d}",) * 2
        )
    if f.type == "period":
        return st.sampled_from([("2026", "2026"), ("2026-Q4", "2026-Q4"), ("2026-11", "2026-11")])
    return TEXT.map(lambda s: (s, s))


@st.composite
def filled(
    draw: st.DrawFn, spec: FormSpec, lang: str, max_rows: int
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Info values and rows: each row has its required fields and a random subset of the others."""
    config, _ = _setup()
    reserved = _reserved(spec)
    info = {f.key: draw(_value(f, lang, config)) for f in spec.info}
    rows = []
    for _ in range(draw(st.integers(1, max_rows))):
        row = {}
        for f in spec.fields:
            if f.required or draw(st.booleans()):
                row[f.key] = draw(_value(f, lang, config))
        if not row:
            row[spec.fields[0].key] = draw(_value(spec.fields[0], lang, config))
        first = next(k for k in (f.key for f in spec.fields) if k in row)
        if isinstance(row[first][0], str) and fold(row[first][0]) in reserved:
            row[first] = ("X" + row[first][0], "X" + row[first][0])
        rows.append(row)
    return info, rows


def _fill_and_read(spec: FormSpec, lang: str, info: dict[str, Any], rows: list[dict[str, Any]]) -> Any:
    config, specs = _setup()
    lay = layout(spec)
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "template.xlsx"
        src.write_bytes(_template_bytes(spec.key, lang))
        wb = openpyxl.load_workbook(src)
        ws = wb.worksheets[0]
        for key, (typed, _) in info.items():
            cell = ws[lay.info_cell(key)]
            cell.value = typed
            if isinstance(typed, str) and typed.startswith("="):
                cell.data_type = "s"
        for i, row in enumerate(rows):
            for key, (typed, _) in row.items():
                cell = ws.cell(row=lay.first_data_row + i, column=lay.columns[key], value=typed)
                if isinstance(typed, str) and typed.startswith("="):
                    cell.data_type = "s"
        out = Path(d) / "filled.xlsx"
        wb.save(out)
        return read_submission(out, config, specs, folder=info.get("rep_id", ("",))[0])


def _check(spec: FormSpec, lang: str, info: dict[str, Any], rows: list[dict[str, Any]]) -> None:
    sub = _fill_and_read(spec, lang, info, rows)
    assert sub.form == spec.key
    assert sub.language == lang
    assert [i for i in sub.issues if i.severity == "error"] == []
    assert sub.header_row == layout(spec).header_row
    for key, (_, expected) in info.items():
        assert sub.info_value(key) == expected, key
    assert len(sub.rows) == len(rows)
    for got, want in zip(sub.rows, rows, strict=True):
        for key, (_, expected) in want.items():
            assert got.cells[key].value == expected, (key, got.cells[key].raw)
        for key, cell in got.cells.items():
            if key not in want:
                assert cell.value is None, key


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("key", FORM_KEYS)
@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(data=st.data())
def test_every_form_round_trips(key: str, lang: str, data: st.DataObject) -> None:
    spec = _setup()[1][key]
    info, rows = data.draw(filled(spec, lang, max_rows=6))
    _check(spec, lang, info, rows)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(
    dates=st.lists(DATES, min_size=1, max_size=30),
    money=st.lists(MONEY, min_size=1, max_size=30),
    names=st.lists(TEXT, min_size=1, max_size=30),
)
def test_dates_money_and_chinese_text_round_trip(
    dates: list[date], money: list[Decimal], names: list[str]
) -> None:
    """Many values of the three types most likely to drift (float money, serial dates, CJK text)."""
    spec = _setup()[1]["visit_report"]
    n = max(len(dates), len(money), len(names))
    reserved = _reserved(spec)
    rows = []
    for i in range(n):
        name = names[i % len(names)]
        name = "X" + name if fold(name) in reserved else name
        rows.append(
            {
                "customer": (name, name),
                "purpose": ("收款", "collection"),
                "outcome": ("成交", "deal"),
                "order_amount": (float(money[i % len(money)]), money[i % len(money)]),
                "next_visit": (dates[i % len(dates)], dates[i % len(dates)]),
                "feedback": ("=" + name, "=" + name),  # text that looks like a formula stays text
            }
        )
    info = {"rep_id": ("R001", "R001"), "report_date": (date(2026, 11, 23), date(2026, 11, 23))}
    _check(spec, "zh", info, rows)


def test_last_template_row_is_read(config, specs) -> None:
    """A rep who fills all 200 rows gets all 200 back."""
    spec = specs["visit_plan"]
    rows = [{"customer": (f"客户{i}", f"客户{i}"), "purpose": ("服务", "service")} for i in range(DATA_ROWS)]
    _check(
        spec, "zh", {"rep_id": ("R002", "R002"), "plan_date": (date(2026, 11, 24), date(2026, 11, 24))}, rows
    )
