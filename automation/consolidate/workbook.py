"""One consolidated workbook: :func:`build` lists its sheets in the order a manager meets them.

As XlsxWriter's ``close()`` runs named preparation steps, :func:`build` adds every sheet in order,
then has each module write its own (each a function from the score stage's result to a sheet). The
summary is written last: it links to the other sheets and its charts read their ranges.

Writer: XlsxWriter, for speed and features (README, design notes). It writes every cell once from
memory and is about 1.3x faster than openpyxl's write-only mode here, with native charts, Excel
tables and conditional formats; its ``constant_memory`` mode would cut memory further but cannot
make tables, so it is off. ``strings_to_formulas``, ``strings_to_urls`` and ``strings_to_numbers`` are
off as well, and every text cell is a text cell (``write_string``, or :class:`FastWorksheet`'s
``write_strings`` with the same cell records): text from forms stays text. The sheets are
:class:`FastWorksheet`, XlsxWriter's worksheet with faster column writers, table bookkeeping and
row serialising, which writes the same bytes (fastsheet.py), and the garbage collector is paused
while a workbook is written (:func:`gc_paused`).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from automation.consolidate.book import Book
from automation.consolidate.fastsheet import FastWorksheet
from automation.consolidate.sheets import (
    commentary,
    complaints,
    conflicts,
    customers,
    followups,
    market,
    scorecard,
    submissions,
    summary,
    trends,
    visits,
)
from automation.consolidate.style import Styles, default_format
from automation.core.config import Config
from automation.core.formspec import FormSet
from automation.core.texts.workbooks import Labels, sheet_name

# The sheets, in order (the summary first: the workbook opens on it).
SHEETS = (summary, scorecard, customers, visits, followups, complaints, market, submissions, commentary,
          conflicts, trends)  # fmt: skip
# XlsxWriter's worksheet, faster for large tables and byte for byte the same file (fastsheet.py;
# tests/test_consolidate_fastsheet.py writes a workbook with both and compares them). It leans on
# XlsxWriter's private cell records, so it is used only with the release series it was checked
# against; any other XlsxWriter gets its own worksheet: slower, the same workbook.
FAST_FOR_XLSXWRITER = ("3.3.",)
WORKSHEET: type[Worksheet] = (
    FastWorksheet if xlsxwriter.__version__.startswith(FAST_FOR_XLSXWRITER) else Worksheet
)
OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": False,
    "in_memory": True,  # no temporary files per sheet: faster, and nothing left behind on a crash
}


def build(
    path: Path, result: dict[str, Any], config: Config, specs: FormSet, lang: str, generated: datetime
) -> Path:
    """Write ``result`` (the company's, or :func:`automation.score.for_region`'s view) to ``path``."""
    with gc_paused():
        return _build(path, result, config, specs, lang, generated)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a workbook is written.

    Writing the large company's workbook makes ~300,000 cell records and ~30,000 rows' strings, none
    of them in a reference cycle; each of them counts towards the collector's next pass, and each
    pass walks every live object, the ledger frames and the cells written so far included. That was
    a third of the writing time (0.4 s of 1.2 s CPU, ``benchmarks/bench_consolidate.py``). Nothing
    is lost: reference counting still frees everything at once, cycles wait for the collector,
    which is switched back on (if it was on) when the workbook is closed, or on an error."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _build(
    path: Path, result: dict[str, Any], config: Config, specs: FormSet, lang: str, generated: datetime
) -> Path:
    wb = xlsxwriter.Workbook(str(path), {**OPTIONS, "default_format_properties": default_format(lang)})
    wb.set_properties({"title": _title(result, config), "author": "Salesflow", "company": config.company,
                       "created": generated})  # fmt: skip
    wb.set_calc_mode("auto")
    book = Book(config, result, lang, Styles(wb, lang), Labels(specs, lang),
                {m.KEY: sheet_name(m.KEY, lang) for m in SHEETS}, generated)  # fmt: skip
    sheets = {m.KEY: wb.add_worksheet(book.names[m.KEY], WORKSHEET) for m in SHEETS}
    for m in reversed(SHEETS):  # the summary last: it links to and charts the others
        m.write(sheets[m.KEY], book)
    wb.close()
    return path


def _title(result: dict[str, Any], config: Config) -> str:
    scope = result["region"] or config.company
    return f"{scope} {result['week']}"
