"""Feedback workbook for a checked form: what is wrong, where, and how to fix it, in the form's language.

The rep gets back a workbook beside the original (``rejected/<folder>/``) named after it
(``<stem>.反馈.xlsx`` / ``<stem>.feedback.xlsx``). Its first sheet lists every problem (sheet, cell,
row, column, value, problem, how to fix) under a short header naming the file it answers and what
to do; each cell reference links to the marked cell. The second sheet is a value copy of the rep's
form sheet with each bad cell filled (red for an error, yellow for a warning) and commented.

Safety: the original is only *read* (cached values; macros never loaded or run), through intake's
own reader (:func:`automation.intake.read_workbook`) with the installation's limits, so the copy
shows the values validation judged and a file gets no more leeway here than at intake: the zip
scan runs again (the rep may have saved over it since; a bomb gets no copy), an xlsx sheet with a
far-away cell is streamed sparsely as at intake, and only the rows and columns the form uses are
copied. Calamine reads error cells (``#DIV/0!``) as blanks, so their text is taken
from the sheet's XML. Text from the form is written as text (xlsxwriter with
``strings_to_formulas`` off and ``write_string``), never as a formula. A file that could not be read
at all (file-level problem) gets only the list sheet.

Speed: the workbook is assembled in memory (``in_memory``): xlsxwriter otherwise writes each XML
part to a temporary file and deletes it, which cost more than building the parts.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xlsxwriter

from automation.core.model import parse_a1
from automation.core.problems import SEVERITY_LABELS, render
from automation.core.texts.feedback import COPY_SUFFIX, HEAD, LIST_SHEET, NO_PROBLEMS, SUFFIX, SUMMARY

if TYPE_CHECKING:
    from automation.core.config import Config
    from automation.core.model import Issue, Submission
    from automation.validate import Report

MAX_STEM = 100
MAX_COPY_COLUMNS = 200  # a form has ~20 columns; nothing a rep typed is further right
EXTRA_ROWS = 5  # rows copied past the last one the form uses, so the rep sees where the table ends

ERROR_FILL = "#FFC7CE"
ERROR_FONT = "#9C0006"
WARNING_FILL = "#FFEB9C"

HEAD_WIDTHS = (6, 14, 8, 6, 16, 22, 46, 46, 10)


def feedback_path(original: Path, out_dir: Path, lang: str) -> Path:
    """``<out_dir>/<original stem>.反馈.xlsx`` (or ``.feedback.xlsx``), the stem made safe for any file system."""
    stem = unicodedata.normalize("NFC", Path(original.name).stem)
    stem = re.sub(r'[<>:"/\\|?*\x00-\x1f\x7f]', "_", stem).strip(" .")[:MAX_STEM] or "form"
    return out_dir / f"{stem}.{SUFFIX.get(lang, SUFFIX['zh'])}.xlsx"


def write_feedback(
    report: Report, out_dir: Path | str, lang: str | None = None, *, config: Config | None = None
) -> Path:
    """Write the feedback workbook for ``report`` into ``out_dir`` and return its path.

    ``lang`` forces the language; by default the form's own, so a rep reads it in the language
    they filled in. ``config``: the installation's, whose intake limits apply to reading the
    rep's sheet again for the marked copy (None: the default limits).
    """
    sub = report.submission
    lang = lang if lang in ("zh", "en") else (report.language if report.language in ("zh", "en") else "zh")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = feedback_path(sub.path, out_dir, lang)
    grid = _source_grid(sub, report.issues, config)
    copy_name = _copy_sheet_name(sub.sheet or "form", lang) if grid is not None else None
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "in_memory": True,  # no temporary file per XML part: a feedback is a few tens of KB
        },
    )
    try:
        fmt = _formats(wb)
        _write_list(wb, fmt, report, lang, copy_name)
        if grid is not None and copy_name is not None:
            _write_copy(wb, fmt, sub, grid, report.issues, lang, copy_name)
    finally:
        wb.close()
    return path


# ----- reading the rep's sheet -----------------------------------------------------------------


def _bounds(sub: Submission, issues: list[Issue]) -> tuple[int, int]:
    """Rows and columns worth copying: everything the form uses and every marked cell, plus a margin."""
    rows = [sub.header_row, *(r.number for r in sub.rows), *(c.row for c in sub.info.values())]
    cols = [*sub.columns.values(), *(c.col for c in sub.info.values())]
    for r in sub.rows:
        cols.extend(c.col for c in r.cells.values())
    for i in issues:
        if i.cell and (i.sheet in (None, sub.sheet)):
            number, col = parse_a1(i.cell)
            rows.append(number)
            cols.append(col)
    max_col = min(max(cols, default=1) + len(sub.extra_columns) + 2, MAX_COPY_COLUMNS)
    return max(rows, default=1) + EXTRA_ROWS, max_col


def _source_grid(sub: Submission, issues: list[Issue], config: Config | None) -> list[list[Any]] | None:
    """The form sheet's values as rows of cells from A1, or None when it cannot be read again.

    Read again through intake's own reader (:func:`automation.intake.read_workbook`) under the
    configured limits (``intake.max_unpacked_mb``; ``config`` None: the defaults): the file is not
    trusted because it passed intake once (the rep may have saved over it since), and the copy
    shows the values validation judged."""
    if not sub.readable or not sub.sheet or not sub.path.exists():
        return None
    max_row, max_col = _bounds(sub, issues)
    try:
        from automation.intake import read_workbook

        data = sub.path.read_bytes()
        book = read_workbook(data, sub.file_format, config)
        sheet = book.sheet(sub.sheet) or (
            book.sheets[0] if sub.file_format == "csv" and book.sheets else None
        )
        if sheet is None:
            return None
        grid = [list(r[:max_col]) for r in sheet.rows[:max_row]]
        if sub.file_format in ("xlsx", "xlsm"):
            _put_errors(grid, _sheet_xml(data, sub.sheet), max_row, max_col)
        return grid
    except Exception:  # the copy is a courtesy: the list sheet still says everything
        return None


def _sheet_xml(data: bytes, name: str) -> bytes:
    """The XML part of sheet ``name`` of an xlsx/xlsm (already through intake's zip scan)."""
    import io
    import zipfile

    from automation.intake.readers import sheet_parts

    part = sheet_parts(data).get(name)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read(part) if part and part in z.NameToInfo else b""


def _put_errors(grid: list[list[Any]], xml: bytes, max_row: int, max_col: int) -> None:
    """Put the text of error cells (``#DIV/0!``, ``#N/A``...), which calamine reads as blanks, into ``grid``.

    The rep sees the error in their sheet, so the copy shows it too (as openpyxl reads it).
    """
    if b't="e"' not in xml:
        return
    from defusedxml.ElementTree import fromstring

    root = fromstring(xml)
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    for c in root.iter(f"{ns}c"):
        if c.get("t") != "e" or not c.get("r"):
            continue
        v = c.find(f"{ns}v")
        if v is None or not v.text:
            continue
        number, col = parse_a1(c.get("r", ""))
        r, col = number - 1, col - 1
        if r >= max_row or col >= max_col:
            continue
        while len(grid) <= r:
            grid.append([])
        row = grid[r]
        if len(row) <= col:
            row.extend([None] * (col + 1 - len(row)))
        row[col] = v.text


# ----- writing ---------------------------------------------------------------------------------


def _formats(wb: xlsxwriter.Workbook) -> dict[str, Any]:
    base = {"font_name": "Microsoft YaHei", "font_size": 10, "valign": "top"}
    return {
        "title": wb.add_format({**base, "bold": True, "font_size": 14}),
        "note": wb.add_format({**base, "text_wrap": True}),
        "head": wb.add_format({**base, "bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}),
        "text": wb.add_format({**base, "border": 1, "text_wrap": True}),
        "link": wb.add_format({**base, "border": 1, "font_color": "#0563C1", "underline": 1}),
        "error": wb.add_format(
            {**base, "border": 1, "bg_color": ERROR_FILL, "font_color": ERROR_FONT, "bold": True}
        ),
        "warning": wb.add_format({**base, "border": 1, "bg_color": WARNING_FILL}),
        "plain": wb.add_format(base),
        "date": wb.add_format({**base, "num_format": "yyyy-mm-dd"}),
        "datetime": wb.add_format({**base, "num_format": "yyyy-mm-dd hh:mm"}),
        "time": wb.add_format({**base, "num_format": "hh:mm"}),
        "error_date": wb.add_format(
            {
                **base,
                "border": 1,
                "bg_color": ERROR_FILL,
                "font_color": ERROR_FONT,
                "bold": True,
                "num_format": "yyyy-mm-dd",
            }
        ),
        "warning_date": wb.add_format(
            {**base, "border": 1, "bg_color": WARNING_FILL, "num_format": "yyyy-mm-dd"}
        ),
    }


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _copy_sheet_name(name: str, lang: str) -> str:
    clean = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'")[:31] or "form"
    if clean == LIST_SHEET[lang]:
        clean = (clean + COPY_SUFFIX[lang])[:31]
    return clean


def _summary(report: Report, lang: str, copy_name: str | None) -> list[str]:
    sub = report.submission
    name = sub.path.name
    n_err, n_warn = len(report.errors), len(report.warnings)
    verdict = SUMMARY["not-passed" if not report.valid else "taken-in"][lang].format(
        n_err=n_err, n_warn=n_warn
    )
    todo = SUMMARY["todo"][lang]
    if copy_name:
        todo += SUMMARY["todo-copy"][lang].format(copy_name=copy_name)
    return [
        SUMMARY["title"][lang].format(name=name),
        SUMMARY["answers"][lang].format(name=name, verdict=verdict),
        todo,
    ]


def _write_list(
    wb: xlsxwriter.Workbook, fmt: dict[str, Any], report: Report, lang: str, copy_name: str | None
) -> None:
    ws = wb.add_worksheet(LIST_SHEET[lang])
    title, verdict, todo = _summary(report, lang, copy_name)
    last_col = len(HEAD[lang]) - 1
    ws.merge_range(0, 0, 0, last_col, "", fmt["title"])
    ws.write_string(0, 0, title, fmt["title"])
    ws.merge_range(1, 0, 1, last_col, "", fmt["note"])
    ws.write_string(1, 0, verdict, fmt["note"])
    ws.merge_range(2, 0, 2, last_col, "", fmt["note"])
    ws.write_string(2, 0, todo, fmt["note"])
    ws.set_row(1, 30)
    ws.set_row(2, 45)
    for c, (label, width) in enumerate(zip(HEAD[lang], HEAD_WIDTHS, strict=True)):
        ws.write_string(4, c, label, fmt["head"])
        ws.set_column(c, c, width)
    for n, issue in enumerate(report.issues, start=1):
        r = 4 + n
        message, fix = render(issue, lang)
        ws.write_number(r, 0, n, fmt["text"])
        ws.write_string(r, 1, issue.sheet or "", fmt["text"])
        if issue.cell and copy_name and issue.sheet in (None, report.submission.sheet):
            ws.write_url(
                r, 2, f"internal:{_quote_sheet(copy_name)}!{issue.cell}", fmt["link"], string=issue.cell
            )
        else:
            ws.write_string(r, 2, issue.cell or "", fmt["text"])
        if issue.row is not None:
            ws.write_number(r, 3, issue.row, fmt["text"])
        else:
            ws.write_string(r, 3, "", fmt["text"])
        ws.write_string(r, 4, issue.column or "", fmt["text"])
        ws.write_string(r, 5, issue.value or "", fmt["text"])
        ws.write_string(r, 6, message, fmt["text"])
        ws.write_string(r, 7, fix, fmt["text"])
        sev = issue.severity if issue.severity in SEVERITY_LABELS else "error"
        ws.write_string(r, 8, SEVERITY_LABELS[sev][lang], fmt["error" if sev == "error" else "warning"])
    if not report.issues:
        ws.write_string(5, 0, NO_PROBLEMS[lang], fmt["plain"])
    ws.freeze_panes(5, 0)
    ws.autofilter(4, 0, 4 + max(len(report.issues), 1), last_col)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(4)
    ws.activate()


def _display_width(value: Any) -> int:
    if isinstance(value, datetime):
        text = value.strftime("%Y-%m-%d" if value.time() == time(0) else "%Y-%m-%d %H:%M")
    elif isinstance(value, (date, time)):
        text = value.isoformat()
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    else:
        text = str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _write_value(ws: Any, r: int, c: int, value: Any, fmt: dict[str, Any], mark: str | None) -> None:
    cell_fmt = fmt[mark] if mark else None
    if value is None or value == "":
        if cell_fmt is not None:
            ws.write_blank(r, c, None, cell_fmt)
        return
    if isinstance(value, bool):
        ws.write_boolean(r, c, value, cell_fmt)
    elif isinstance(value, (int, float, Decimal)):
        ws.write_number(r, c, float(value), cell_fmt)
    elif isinstance(value, (datetime, date, time)):
        if isinstance(value, time):
            dfmt = fmt["time"] if not mark else fmt[f"{mark}_date"]
        elif isinstance(value, datetime) and value.time() != time(0):
            dfmt = fmt["datetime"] if not mark else fmt[f"{mark}_date"]
        else:
            dfmt = fmt["date"] if not mark else fmt[f"{mark}_date"]
        ws.write_datetime(r, c, value, dfmt)
    else:
        ws.write_string(r, c, str(value), cell_fmt)


def _write_copy(
    wb: xlsxwriter.Workbook,
    fmt: dict[str, Any],
    sub: Submission,
    grid: list[list[Any]],
    issues: list[Issue],
    lang: str,
    name: str,
) -> None:
    ws = wb.add_worksheet(name)
    marks: dict[tuple[int, int], list[Issue]] = defaultdict(list)
    for issue in issues:
        if issue.cell and issue.sheet in (None, sub.sheet):
            number, col = parse_a1(issue.cell)
            marks[(number - 1, col - 1)].append(issue)
    widths: dict[int, int] = defaultdict(lambda: 8)
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if value is not None and (r, c) not in marks:
                bold = 0
                if r == sub.header_row - 1 and isinstance(value, str):
                    ws.write_string(r, c, value, fmt["head"])
                    bold = 2  # bold header text is wider
                else:
                    _write_value(ws, r, c, value, fmt, None)
                widths[c] = max(widths[c], min(_display_width(value) + 2 + bold, 50))
    for (r, c), found in marks.items():
        value = grid[r][c] if r < len(grid) and c < len(grid[r]) else None
        mark = "error" if any(i.severity == "error" for i in found) else "warning"
        _write_value(ws, r, c, value, fmt, mark)
        if value is not None:
            widths[c] = max(widths[c], min(_display_width(value) + 2, 50))
        lines = []
        for i in found:
            message, fix = render(i, lang)
            lines.append(f"{message}\n→ {fix}")
        ws.write_comment(
            r,
            c,
            "\n\n".join(lines),
            {
                "author": "Salesflow",
                "x_scale": 2.2,
                "y_scale": 1.4 + 0.8 * (len(found) - 1),
                "font_name": "Microsoft YaHei",
            },
        )
    for c, w in widths.items():
        ws.set_column(c, c, w)
    if sub.header_row:
        ws.freeze_panes(sub.header_row, 0)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
