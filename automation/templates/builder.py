"""The Excel forms reps fill: one workbook per form (SPEC §2), built from the form spec.

Layout of the form sheet (rows are 1-based; :func:`layout` computes them so other parts — the demo
generator, the weekly report writer, tests — can fill a template without guessing):

* row 1: title (company + form title), row 2: a legend line (no colon, so it never reads as info);
* one info pair per row from row 3: label in column A, value in column B (merged B:D, or across the
  table for the weekly report's commentary). One pair per row, because intake reads a label's value
  as the next non-empty cell to its right: two pairs on one row would turn an empty value into the
  next label;
* a blank row, the header row with the field labels exactly as the spec spells them (required
  columns are marked by colour, not by a ``*`` that would change the label), then 200 data rows.

Decisions where the spec is silent: text columns are formatted ``@`` so Excel keeps phone numbers and
18-digit credit codes as text; dates must lie in 2020..2099; choice lists whose inline form would pass
Excel's 255-character limit, or whose labels hold a comma or quote, go to the hidden ``_lists`` sheet;
a blank template has no customer dropdown (there are no customers to list); rep IDs get a dropdown
of the reps in config; columns marked ``prefilled`` (weekly report figures) are shaded but editable.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from automation.core import clock
from automation.core.formspec import BOOL_LABELS, FieldSpec, FormSet, FormSpec
from automation.core.texts.forms import (
    MAX_TITLE,
    allowed_text,
    clip,
    notes_text,
    t,
)
from automation.templates.grid import (
    LIST_SHEET,
    Layout,
    display_width,
    layout,
    put,
)
from automation.templates.sheets import add_form_sheet, add_instructions

if TYPE_CHECKING:
    from automation.core.config import Config, Person

LANGUAGES = ("zh", "en")
INLINE_LIST_LIMIT = 255
DATE_SERIAL_MIN = 43831  # 2020-01-01
DATE_SERIAL_MAX = 73050  # 2099-12-31
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
TEXT_FORMAT = "@"
INFO_ROW_HEIGHT = 20
DATA_ROW_HEIGHT = 18

_THIN = Side(style="thin", color="8EA0B8")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
_REQUIRED_FILL = PatternFill("solid", fgColor="C55A11")
_LABEL_FILL = PatternFill("solid", fgColor="DDEBF7")
_INPUT_FILL = PatternFill("solid", fgColor="FFF9E5")
_PREFILLED_FILL = PatternFill("solid", fgColor="F2F2F2")
_LOCKED_VALUE_FILL = PatternFill("solid", fgColor="E7E6E6")
_UNLOCKED = Protection(locked=False)
_LOCKED = Protection(locked=True)


def template_filename(spec: FormSpec, lang: str, person_id: str | None = None) -> str:
    """The file name a rep recognises: the form's title in its language (plus the rep's ID on copies)."""
    base = spec.title(lang)
    return f"{base}_{person_id}.xlsx" if person_id else f"{base}.xlsx"


class _Lists:
    """The hidden ``_lists`` sheet: one column per long list, referenced by range from validations."""

    def __init__(self, wb: Workbook):
        self.wb = wb
        self.ws: Worksheet | None = None
        self.next_col = 1

    def add(self, name: str, values: Sequence[str]) -> str:
        if self.ws is None:
            self.ws = self.wb.create_sheet(LIST_SHEET)
            self.ws.sheet_state = "hidden"
        col = self.next_col
        self.next_col += 1
        put(self.ws, 1, col, name)
        for i, v in enumerate(values, start=2):
            put(self.ws, i, col, v)
        letter = get_column_letter(col)
        last = max(2, len(values) + 1)
        return f"{quote_sheetname(LIST_SHEET)}!${letter}$2:${letter}${last}"


def _inline_ok(values: Sequence[str]) -> bool:
    joined = ",".join(values)
    return len(joined) <= INLINE_LIST_LIMIT and not any("," in v or '"' in v for v in values)


def _list_source(lists: _Lists, name: str, values: Sequence[str], force_sheet: bool = False) -> str:
    if not force_sheet and values and _inline_ok(values):
        return '"' + ",".join(values) + '"'
    return lists.add(name, values)


def _field_values(f: FieldSpec, lang: str, config: Config) -> list[str]:
    if f.type == "bool":
        return list(BOOL_LABELS[lang])
    if f.type == "rep":
        return [r.id for r in config.reps]
    return [c.label(lang) for c in f.choices]


def _validation(
    f: FieldSpec, lang: str, config: Config, lists: _Lists, customers: Sequence[str] | None
) -> DataValidation | None:
    """The data validation for one field, or None when its type allows free text."""
    title = clip(f.label(lang), MAX_TITLE)
    notes = notes_text(f, lang)
    dv: DataValidation | None = None
    if f.type in ("choice", "region", "bool", "rep"):
        values = _field_values(f, lang, config)
        if not values:
            return None
        source = _list_source(lists, f.key, values)
        dv = DataValidation(type="list", formula1=source, allow_blank=True)
        prompt = t("rep_prompt", lang) if f.type == "rep" else t("choice_prompt", lang)
        dv.prompt = clip(
            "；".join(p for p in (prompt, notes) if p)
            if lang == "zh"
            else ". ".join(p for p in (prompt, notes) if p)
        )
        dv.error = clip(
            t("choice_error", lang, allowed=allowed_text(f, lang) if f.type != "rep" else ", ".join(values))
        )
    elif f.type == "customer":
        if not customers:
            return _prompt_only(f, lang)
        source = lists.add("customer", list(customers))
        dv = DataValidation(type="list", formula1=source, allow_blank=True, errorStyle="warning")
        dv.prompt = clip(t("customer_prompt", lang))
        dv.error = clip(t("customer_warning", lang, value=""))
    elif f.type == "date":
        dv = DataValidation(
            type="date",
            operator="between",
            formula1=str(DATE_SERIAL_MIN),
            formula2=str(DATE_SERIAL_MAX),
            allow_blank=True,
        )
        dv.prompt = clip(" ".join(p for p in (t("date_prompt", lang), notes) if p))
        dv.error = clip(t("date_error", lang))
    elif f.type == "money":
        dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        dv.prompt = clip(" ".join(p for p in (t("money_prompt", lang), notes) if p))
        dv.error = clip(t("money_error", lang))
    elif f.type == "int":
        dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True)
        dv.prompt = clip(" ".join(p for p in (t("int_prompt", lang), notes) if p))
        dv.error = clip(t("int_error", lang))
    else:
        return _prompt_only(f, lang)
    dv.promptTitle = title
    dv.errorTitle = title
    dv.showInputMessage = True
    dv.showErrorMessage = True
    return dv


def _prompt_only(f: FieldSpec, lang: str) -> DataValidation | None:
    """Free-text fields with help get an input message only (validation type "any")."""
    extra = {"week": "week_prompt", "period": "period_prompt"}.get(f.type)
    text = " ".join(p for p in (t(extra, lang) if extra else "", notes_text(f, lang)) if p)
    if f.wide:
        text = " ".join(p for p in (text, t("wide_prompt", lang)) if p)
    if not text:
        return None
    dv = DataValidation(allow_blank=True)
    dv.promptTitle = clip(f.label(lang), MAX_TITLE)
    dv.prompt = clip(text)
    dv.showInputMessage = True
    return dv


def _number_format(f: FieldSpec) -> str:
    return {"money": MONEY_FORMAT, "date": DATE_FORMAT, "int": "0"}.get(f.type, TEXT_FORMAT)


def _column_width(f: FieldSpec, lang: str, config: Config) -> float:
    """Wide enough for the label (on at most two lines), the spec's hint and the longest choice."""
    label = display_width(f.label(lang))
    need = label + 3 if label <= 16 else max(16, (label + 1) // 2 + 4)
    minimum = {"date": 12, "money": 14, "int": 9, "bool": 9}.get(f.type, 10)
    choices = max((display_width(v) for v in _field_values(f, lang, config)), default=0) + 4
    if f.type not in ("choice", "region", "bool"):
        choices = 0
    return float(min(48, max(f.width, need, minimum, choices)))


def _font(lang: str, **kw: Any) -> Font:
    return Font(name="DengXian" if lang == "zh" else "Calibri", **kw)


def _resolve_person(config: Config, rep: str | Person | None) -> Person | None:
    if rep is None:
        return None
    if isinstance(rep, str):
        person = config.person(rep)
        if person is None:
            raise KeyError(rep)
        return person
    return rep


def build_template(
    spec: FormSpec,
    config: Config,
    lang: str,
    rep: str | Person | None = None,
    customers: Iterable[str] | None = None,
) -> Workbook:
    """One form's template; with ``rep``, that person's copy (ID and name filled and locked).

    ``customers`` feeds the customer dropdown of a rep's copy; it sits on the hidden ``_lists``
    sheet so it is not capped at Excel's 255-character inline list, and its alert only warns so a
    rep can still type a new customer's name.
    """
    if lang not in LANGUAGES:
        raise ValueError(f"language must be zh or en, not {lang!r}")
    person = _resolve_person(config, rep)
    names = sorted(dict.fromkeys(c.strip() for c in customers or () if c and c.strip())) if person else []
    lay = layout(spec)
    wb = Workbook()
    wb.properties.creator = "Salesflow"
    wb.properties.created = clock.now()
    ws = wb.active
    ws.title = spec.title(lang)[:31]
    lists = _Lists(wb)

    _title_rows(ws, spec, config, lang, lay)
    _info_block(ws, spec, config, lang, lay, lists, person)
    _table(ws, spec, config, lang, lay, lists, names)
    if person is not None and spec.key == "weekly_report":
        _prefill_region_reps(ws, config, lay, person)
    _print_setup(ws, lay)
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # False = allowed (OOXML stores "is protected")
    ws.protection.formatRows = False
    ws.protection.selectLockedCells = False
    ws.protection.selectUnlockedCells = False
    ws.sheet_view.zoomScale = 100

    add_instructions(wb, spec, config, lang, lay)
    if lists.ws is not None:
        wb.move_sheet(lists.ws, offset=len(wb.sheetnames))
    add_form_sheet(wb, spec, lang, person.id if person else None)
    wb.active = 0
    return wb


def _title_rows(ws: Worksheet, spec: FormSpec, config: Config, lang: str, lay: Layout) -> None:
    last = get_column_letter(lay.last_col)
    put(ws, 1, 1, f"{config.company}  {spec.title(lang)}")
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = _font(lang, bold=True, size=16, color="1F4E79")
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    put(ws, 2, 1, t("legend", lang))
    ws.merge_cells(f"A2:{last}2")
    ws["A2"].font = _font(lang, italic=True, size=9, color="7F7F7F")
    ws["A2"].alignment = Alignment(horizontal="center")


def _info_block(
    ws: Worksheet,
    spec: FormSpec,
    config: Config,
    lang: str,
    lay: Layout,
    lists: _Lists,
    person: Person | None,
) -> None:
    for f in spec.info:
        row = lay.info_rows[f.key]
        label = put(ws, row, 1, f.label(lang))
        label.font = _font(lang, bold=True, color="FFFFFF" if f.required else "1F4E79")
        label.fill = _REQUIRED_FILL if f.required else _LABEL_FILL
        label.border = _BORDER
        label.alignment = Alignment(
            horizontal="right", vertical="top" if f.wide else "center", wrap_text=True, indent=1
        )
        ws.row_dimensions[row].height = 60 if f.wide else INFO_ROW_HEIGHT
        end = lay.value_span[f.key]
        for col in range(2, end + 1):
            c = ws.cell(row=row, column=col)
            c.border = _BORDER
            c.fill = _INPUT_FILL
            c.protection = _UNLOCKED
        if end > 2:
            ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=end)
        value = ws.cell(row=row, column=2)
        value.number_format = _number_format(f)
        value.alignment = Alignment(
            horizontal="left", vertical="top" if f.wide else "center", wrap_text=f.wide, indent=1
        )
        value.font = _font(lang)
        prefill = _info_prefill(f, config, lang, person)
        if prefill is not None:
            put(ws, row, 2, prefill)
            for col in range(2, end + 1):
                ws.cell(row=row, column=col).protection = _LOCKED
                ws.cell(row=row, column=col).fill = _LOCKED_VALUE_FILL
            if f.key == "rep_id" and person is not None:
                put(ws, row, end + 1, person.name).font = _font(lang, bold=True)
            continue
        dv = _validation(f, lang, config, lists, None)
        if dv is not None:
            ws.add_data_validation(dv)
            dv.add(f"B{row}")


def _info_prefill(f: FieldSpec, config: Config, lang: str, person: Person | None) -> str | None:
    """What a person's copy fills in: their rep ID; a supervisor's region and name."""
    if person is None:
        return None
    region_id = getattr(person, "region", None)
    if f.key == "rep_id":
        return person.id
    region = config.region(region_id) if region_id else None
    supervisor = config.supervisor_of(region_id) if region_id else None
    if f.key == "region" and region is not None and supervisor is not None and supervisor.id == person.id:
        return region.label(lang)
    if f.key == "supervisor" and supervisor is not None and supervisor.id == person.id:
        return supervisor.name
    return None


def _table(
    ws: Worksheet,
    spec: FormSpec,
    config: Config,
    lang: str,
    lay: Layout,
    lists: _Lists,
    customers: Sequence[str],
) -> None:
    hr, first, last = lay.header_row, lay.first_data_row, lay.last_data_row
    ws.row_dimensions[hr].height = 36
    for f in spec.fields:
        col = lay.columns[f.key]
        letter = get_column_letter(col)
        head = put(ws, hr, col, f.label(lang))
        head.font = _font(lang, bold=True, color="FFFFFF")
        head.fill = _REQUIRED_FILL if f.required else _HEADER_FILL
        head.border = _BORDER
        head.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[letter].width = _column_width(f, lang, config)
        fmt = _number_format(f)
        fill = _PREFILLED_FILL if f.prefilled else None
        align = Alignment(vertical="center", wrap_text=f.type == "text" and f.width >= 20)
        font = _font(lang)
        for row in range(first, last + 1):
            c = ws.cell(row=row, column=col)
            c.border = _BORDER
            c.number_format = fmt
            c.protection = _UNLOCKED
            c.alignment = align
            c.font = font
            if fill is not None:
                c.fill = fill
        dv = _validation(f, lang, config, lists, customers)
        if dv is not None:
            ws.add_data_validation(dv)
            dv.add(f"{letter}{first}:{letter}{last}")
    for row in range(first, last + 1):
        ws.row_dimensions[row].height = DATA_ROW_HEIGHT
    # the info labels live in column A: keep it wide enough for them
    label_need = max((display_width(f.label(lang)) + 4 for f in spec.info), default=0)
    a = ws.column_dimensions["A"]
    a.width = max(a.width or 0, label_need)
    ws.freeze_panes = f"A{first}"


def _prefill_region_reps(ws: Worksheet, config: Config, lay: Layout, person: Person) -> None:
    """A supervisor's weekly report lists the region's reps, one row each (IDs and names)."""
    region = getattr(person, "region", None)
    if "rep_id" not in lay.columns:
        return
    for i, r in enumerate(x for x in config.reps if x.region == region):
        put(ws, lay.first_data_row + i, lay.columns["rep_id"], r.id)
        if "rep_name" in lay.columns:
            put(ws, lay.first_data_row + i, lay.columns["rep_name"], r.name)


def _print_setup(ws: Worksheet, lay: Layout) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_title_rows = f"{lay.header_row}:{lay.header_row}"
    ws.print_area = f"A1:{get_column_letter(lay.last_col)}{lay.last_data_row}"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5


# ----- writing files ---------------------------------------------------------------------------


def rep_forms(specs: FormSet) -> list[FormSpec]:
    """The forms a rep fills (those whose info block names the rep)."""
    return [s for s in specs if s.submitter == "rep" and any(f.key == "rep_id" for f in s.info)]


def customers_of(config: Config, rep_id: str) -> list[str]:
    """A rep's customer names from the ledger when it exists and can be read, else an empty list.

    The ledger is only opened when its database is there, so building templates on a fresh
    installation never creates one.
    """
    if not config.ledger_url and not (config.state_root / "ledger.sqlite").exists():
        return []
    from automation.ledger import open_ledger

    ledger = open_ledger(config)
    try:
        return [c.name for c in ledger.directory().customers(owner=rep_id)]
    finally:
        ledger.close()


def write_templates(
    config: Config,
    specs: FormSet,
    out_dir: str | Path,
    lang: str | None = None,
    rep_ids: Sequence[str] | None = None,
    customers: dict[str, list[str]] | None = None,
) -> list[Path]:
    """Write blank templates into ``out_dir/<lang>/``, or per-person copies into ``out_dir/<id>/``.

    Blank: every form, in ``lang`` or both languages. Per rep: the rep's forms in ``lang`` or the
    rep's own language, with the customer dropdown from ``customers[rep_id]`` (default: the ledger).
    Per supervisor: the weekly report with region, name and the region's reps filled in.
    """
    out = Path(out_dir)
    written: list[Path] = []
    if not rep_ids:
        for lg in [lang] if lang else LANGUAGES:
            folder = out / lg
            folder.mkdir(parents=True, exist_ok=True)
            for spec in specs:
                path = folder / template_filename(spec, lg)
                build_template(spec, config, lg).save(path)
                written.append(path)
        return written
    for pid in rep_ids:
        person = config.person(pid)
        if person is None or (config.rep(pid) is None and all(s.id != pid for s in config.supervisors)):
            known = ", ".join([*(r.id for r in config.reps), *(s.id for s in config.supervisors)])
            raise KeyError(f"{pid!r} is not a rep or supervisor in config; known: {known}")
        lg = lang or person.language
        folder = out / pid
        folder.mkdir(parents=True, exist_ok=True)
        if config.rep(pid) is not None:
            names = (customers or {}).get(pid)
            if names is None:
                names = customers_of(config, pid)
            forms = rep_forms(specs)
        else:
            names, forms = [], [specs["weekly_report"]]
        for spec in forms:
            path = folder / template_filename(spec, lg, pid)
            build_template(spec, config, lg, rep=person, customers=names).save(path)
            written.append(path)
    return written
