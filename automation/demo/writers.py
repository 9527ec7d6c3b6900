"""Turn a simulated :class:`~automation.demo.world.Form` into the file a real person would drop.

People differ in habits, so each person has a :class:`Style` (file format, layout, how they type
dates, money and yes/no) drawn once from the seed, with an occasional deviation per form. Every
variant here is one SPEC §2 allows: title rows or not, info block as label + value cells or one
``label：value`` cell, reordered / extra / missing optional columns, renamed sheets, dates as real
dates or text, money as numbers or ``¥1,234.00``, bools as 是/否, Y/N or √/×; .xlsx by xlsxwriter or
openpyxl, .xls by xlwt, CSV in UTF-8 with BOM or GBK. Output bytes are deterministic (fixed document
times, fixed zip entry times) so the same seed gives the same files.
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from automation.core.formspec import FieldSpec, FormSpec
from automation.demo.world import Form

FORMATS = ("xlsx", "xlsx-openpyxl", "xls", "csv-utf8", "csv-gbk")
EXT = {"xlsx": ".xlsx", "xlsx-openpyxl": ".xlsx", "xls": ".xls", "csv-utf8": ".csv", "csv-gbk": ".csv",
       "lo-xlsx": ".xlsx", "lo-ods": ".ods"}  # fmt: skip
_FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


class Raw(str):
    """A value written exactly as typed (used for mistakes: a misspelt choice, an impossible date)."""


@dataclass(frozen=True)
class Style:
    """One person's habits when filling a form."""

    fmt: str
    title_row: bool
    joined_info: bool
    date_style: str  # date | iso | slash | cn | md
    money_style: str  # number | yuan
    bool_style: str  # zh | yn | check
    columns: str  # template | reordered | extra | minimal
    form_sheet: bool  # keeps the template's hidden _form sheet
    sheet_name: str  # title | sheet1 | date
    naming: int


def draw_style(rng: random.Random, lo_allowed: bool) -> Style:
    """A person's habits; most people use xlsx from the template as it is."""
    # the same draws whether LibreOffice is allowed or not, so the rest of the company stays the same
    fmts = ["xlsx"] * 14 + ["xlsx-openpyxl"] * 2 + ["xls"] * 2 + ["csv-utf8", "csv-gbk", "lo-xlsx", "lo-ods"]
    fmt = rng.choice(fmts)
    return Style(
        fmt=fmt if lo_allowed or not fmt.startswith("lo-") else "xlsx",
        title_row=rng.random() < 0.75,
        joined_info=rng.random() < 0.3,
        date_style=rng.choice(("date", "date", "date", "iso", "slash", "cn", "md")),
        money_style=rng.choice(("number", "number", "number", "yuan")),
        bool_style=rng.choice(("zh", "zh", "yn", "check")),
        columns=rng.choice(("template", "template", "template", "reordered", "extra", "minimal")),
        form_sheet=rng.random() < 0.85,
        sheet_name=rng.choice(("title", "title", "sheet1", "date")),
        naming=rng.randrange(4),
    )


def vary(style: Style, rng: random.Random, lo_allowed: bool) -> Style:
    """The style of one form: usually the person's habit, sometimes something else that day."""
    if rng.random() < 0.85:
        return style
    other = draw_style(rng, lo_allowed)
    return Style(
        **{**style.__dict__, "fmt": other.fmt, "date_style": other.date_style, "columns": other.columns}
    )


_SHORT = {"zh": {"customer_register": "客户登记表", "visit_plan": "拜访计划", "visit_report": "日报",
                 "market_report": "市场反映", "complaint": "投诉处理", "weekly_report": "周报", "targets": "销售目标"},
          "en": {"customer_register": "customers", "visit_plan": "plan", "visit_report": "report",
                 "market_report": "market", "complaint": "complaints", "weekly_report": "weekly", "targets": "targets"}}  # fmt: skip


def file_stem(form: Form, spec: FormSpec, style: Style, person_name: str) -> str:
    """A file name as people really name their files (their own habit, in their language)."""
    d = form.received.date()
    short = _SHORT[form.lang][form.form]
    title = spec.title(form.lang)
    return [
        f"{title}_{person_name}_{d:%Y%m%d}",
        f"{short}{d:%m%d}",
        f"{form.person}_{short}_{d:%Y-%m-%d}",
        f"{short} {d.month}.{d.day}" if form.lang == "zh" else f"{short} {d:%d-%m}",
    ][style.naming]


# ----- values --------------------------------------------------------------------------------------
def fmt_date(d: date, style: str) -> Any:
    if style == "date":
        return d
    if style == "iso":
        return d.isoformat()
    if style == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    if style == "cn":
        return f"{d.year}年{d.month}月{d.day}日"
    return f"{d.month}月{d.day}日"


def fmt_money(v: float, style: str, gbk: bool = False) -> Any:
    if style == "number":
        return v
    return ("￥" if gbk else "¥") + f"{v:,.2f}"


_BOOL = {"zh": ("是", "否"), "yn": ("Y", "N"), "check": ("√", "×")}


def render_value(f: FieldSpec, v: Any, lang: str, style: Style, rng: random.Random, gbk: bool) -> Any:
    """A Python value and choice key as the person would have typed it."""
    if v is None or isinstance(v, Raw):
        return None if v is None else str(v)
    if f.type in ("choice", "region") and f.choices:
        ch = next((c for c in f.choices if c.key == v), None)
        if ch is None:
            return str(v)
        return ch.label("en" if lang == "zh" else "zh") if rng.random() < 0.03 else ch.label(lang)
    if f.type == "bool":
        pair = _BOOL["yn" if lang == "en" and style.bool_style == "zh" else style.bool_style]
        return pair[0] if v else pair[1]
    if f.type == "date" and isinstance(v, date):
        return fmt_date(v, style.date_style)
    if f.type == "money":
        return fmt_money(float(v), style.money_style, gbk)
    if f.type == "int":
        return int(v)
    return str(v)


# ----- the grid ------------------------------------------------------------------------------------
@dataclass
class Grid:
    sheet: str
    cells: list[list[Any]]
    header_row: int  # 0-based
    widths: list[int]


def build_grid(form: Form, spec: FormSpec, style: Style, rng: random.Random, extra_note: str) -> Grid:
    """Lay out title, info block and table the way this person does."""
    gbk = style.fmt == "csv-gbk"
    csv_like = style.fmt.startswith("csv")
    if csv_like and style.date_style == "date":
        style = Style(**{**style.__dict__, "date_style": "slash"})  # Excel writes dates as 2026/11/23 in CSV
    lang = form.lang
    rows: list[list[Any]] = []
    if style.title_row and not csv_like:
        rows.append([spec.title(lang)])
        rows.append([])
    info_items = [(i, form.info.get(i.key)) for i in spec.info if i.key in form.info]
    wide = [(i, v) for i, v in info_items if i.wide]
    narrow = [(i, v) for i, v in info_items if not i.wide]
    per_row = 1 if csv_like else 2
    for k in range(0, len(narrow), per_row):
        line: list[Any] = []
        for i, v in narrow[k : k + per_row]:
            val = render_value(i, v, lang, style, rng, gbk)
            if style.joined_info and not csv_like:
                text = val.isoformat() if isinstance(val, date) else ("" if val is None else val)
                line += [f"{i.label(lang)}{'：' if lang == 'zh' else ': '}{text}", None]
            else:
                line += [i.label(lang), val, None]
        rows.append(line)
    for i, v in wide:
        rows.append([i.label(lang), render_value(i, v, lang, style, rng, gbk)])
    if narrow or wide:
        rows.append([])
    fields = [f for f in spec.fields if not f.prefilled or form.form == "weekly_report"]
    if style.columns == "minimal":
        fields = [f for f in fields if f.required or any(r.get(f.key) is not None for r in form.rows)]
    elif style.columns == "reordered" and len(fields) > 3:
        head, tail = fields[:2], fields[2:]
        rng.shuffle(tail)
        fields = head + tail
    header: list[Any] = [f.label(lang) for f in fields]
    extra = style.columns == "extra"
    if extra:
        header.append("备注" if lang == "zh" else "Notes")
    header_row = len(rows)
    rows.append(header)
    for r in form.rows:
        line = [render_value(f, r.get(f.key), lang, style, rng, gbk) for f in fields]
        if extra:
            line.append(extra_note if rng.random() < 0.3 else None)
        rows.append(line)
    sheet = {"title": spec.title(lang)[:31], "sheet1": "Sheet1" if lang == "en" else "工作表1",
             "date": f"{form.received:%m%d}"}[style.sheet_name]  # fmt: skip
    widths = [max(10, min(40, f.width or 12)) for f in fields] + ([12] if extra else [])
    return Grid(sheet, rows, header_row, widths)


# ----- backends ---------------------------------------------------------------------------------------
def write(path: Path, grid: Grid, form: Form, spec: FormSpec, style: Style) -> None:
    """Write ``grid`` in the person's file format (LibreOffice formats are written as xlsx first)."""
    if style.fmt in ("xlsx", "lo-xlsx", "lo-ods"):
        _xlsxwriter(path, grid, form, spec, style)
    elif style.fmt == "xlsx-openpyxl":
        _openpyxl(path, grid, form, spec, style)
    elif style.fmt == "xls":
        _xlwt(path, grid, form, spec, style)
    else:
        _csv(path, grid, gbk=style.fmt == "csv-gbk")


def _form_meta(form: Form, spec: FormSpec) -> list[tuple[str, str]]:
    return [("form", spec.key), ("version", spec.version), ("language", form.lang)]


def _xlsxwriter(path: Path, grid: Grid, form: Form, spec: FormSpec, style: Style) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False,
                                         "strings_to_urls": False, "in_memory": True})  # fmt: skip
    wb.set_properties({"created": form.received, "author": form.person})
    ws = wb.add_worksheet(grid.sheet)
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    title = wb.add_format({"bold": True, "font_size": 14})
    dfmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for r, line in enumerate(grid.cells):
        for c, v in enumerate(line):
            if v is None:
                continue
            if isinstance(v, date):
                ws.write_datetime(r, c, datetime.combine(v, datetime.min.time()), dfmt)
            elif isinstance(v, bool | int | float):
                ws.write_number(r, c, v)
            elif r == grid.header_row:
                ws.write_string(r, c, v, bold)
            elif r == 0 and style.title_row:
                ws.write_string(r, c, v, title)
            else:
                ws.write_string(r, c, v)
    for c, w in enumerate(grid.widths):
        ws.set_column(c, c, w)
    ws.freeze_panes(grid.header_row + 1, 0)
    if style.form_sheet:
        meta = wb.add_worksheet("_form")
        for r, (k, v) in enumerate(_form_meta(form, spec)):
            meta.write_string(r, 0, k)
            meta.write_string(r, 1, v)
        meta.hide()
    wb.close()


def _openpyxl(path: Path, grid: Grid, form: Form, spec: FormSpec, style: Style) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = grid.sheet
    for r, line in enumerate(grid.cells, start=1):
        for c, v in enumerate(line, start=1):
            if v is None:
                continue
            cell = ws.cell(row=r, column=c, value=v)
            if isinstance(v, str) and v.startswith("="):
                cell.data_type = "s"
            if isinstance(v, date):
                cell.number_format = "yyyy/m/d"
            if r == grid.header_row + 1:
                cell.font = Font(bold=True)
    if style.form_sheet:
        meta = wb.create_sheet("_form")
        for k, v in _form_meta(form, spec):
            meta.append([k, v])
        meta.sheet_state = "hidden"
    wb.properties.creator = form.person
    wb.properties.created = form.received
    wb.properties.modified = form.received
    wb.save(path)
    _fix_zip_times(path)


def _fix_zip_times(path: Path) -> None:
    """openpyxl stamps zip entries (and docProps) with the wall clock; pin both for reproducible bytes."""
    with zipfile.ZipFile(path) as z:
        items = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in items:
            if name == "docProps/core.xml":
                data = _pin_core_times(data)
            out.writestr(zipfile.ZipInfo(name, _FIXED_ZIP_TIME), data, compress_type=zipfile.ZIP_DEFLATED)
    path.write_bytes(buf.getvalue())


def _pin_core_times(data: bytes) -> bytes:
    import re

    return re.sub(
        rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", rb"\g<1>2026-01-01T00:00:00Z\g<2>", data
    )


def _xlwt(path: Path, grid: Grid, form: Form, spec: FormSpec, style: Style) -> None:
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet(grid.sheet)
    dstyle = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    bold = xlwt.easyxf("font: bold on")
    for r, line in enumerate(grid.cells):
        for c, v in enumerate(line):
            if v is None:
                continue
            if isinstance(v, date):
                ws.write(r, c, v, dstyle)
            elif r == grid.header_row:
                ws.write(r, c, v, bold)
            else:
                ws.write(r, c, v)
    if style.form_sheet:
        meta = wb.add_sheet("_form")
        for r, (k, v) in enumerate(_form_meta(form, spec)):
            meta.write(r, 0, k)
            meta.write(r, 1, v)
        meta.visibility = 1
    wb.save(str(path))


def _csv(path: Path, grid: Grid, gbk: bool) -> None:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    width = max(len(line) for line in grid.cells)
    for line in grid.cells:
        out = ["" if v is None else _csv_text(v) for v in line]
        w.writerow(out + [""] * (width - len(out)))
    text = buf.getvalue()
    path.write_bytes(text.encode("gb18030") if gbk else b"\xef\xbb\xbf" + text.encode("utf-8"))


def _csv_text(v: Any) -> str:
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else f"{v:.2f}"
    return str(v)


def have_xlwt() -> bool:
    try:
        import xlwt  # noqa: F401
    except ImportError:
        return False
    return True
