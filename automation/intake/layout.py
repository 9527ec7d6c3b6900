"""Find a form in a workbook by its header labels, never by fixed cell positions.

Reps add title rows, blank rows, extra columns, reorder or delete optional columns, rename the
sheet, or rebuild the form by hand without the hidden ``_form`` sheet. So:

- the header row is the row (in the first :data:`HEADER_SCAN_ROWS` rows and :data:`HEADER_SCAN_COLS`
  columns of any sheet) whose cells match the most field labels of one form, in either language
  (after :func:`formspec.fold`, with a trailing ``*``, colon or unit in brackets ignored, and
  bilingual "客户 / Customer" cells split); the ``_form`` sheet, when present, fixes which form to
  look for;
- the info block is read above the table (and below it, for sign-off lines), as a label cell with
  its value in the next non-empty cell to the right, or one cell ``label：value``; several pairs may
  share a row;
- the table runs from the header to the first run of :data:`BLANK_RUN_END` empty rows, a total row
  (合计/Total) or an info label; single blank rows inside the table are skipped (decision: a rep who
  leaves a gap still means the rows below it), and so are copies of the header row (pasted blocks).

What the header search costs (issue 14: a sheet of 24,509-character SQL texts kept it busy for
minutes): it reads at most :data:`HEADER_SCAN_ROWS` x :data:`HEADER_SCAN_COLS` cells of a sheet, and
each cell in bounded time. A text longer than :data:`MAX_LABEL_CHARS` is never a label, so it is
not folded, split or matched at all; the suffix stripping of a label is a backward scan (the regex
it replaces backtracked: quadratic in a run of "(a)(b)...", exponential in "(元)(元)..."). So the
search is linear in the cells it reads, and those are the top of each sheet.

Why these bounds: every template's header is within its first 10 rows (the weekly report, with the
longest info block, has it on row 10), the demo's variants add a title and a blank row at most, and
a rep who adds a logo, a few title lines or a note above the form stays far inside 60 rows. 256
columns is a whole legacy .xls sheet, ten times the widest form. The longest label of any form, in
both languages with a unit and "(必填)" around it ("下周新客户目标 / Next week's new customers
target (required)*"), is about 60 characters: 120 leaves room for a company's own field labels.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from automation.core.formspec import FieldSpec, FormSet, FormSpec, fold
from automation.intake import budget
from automation.intake.readers import SheetGrid, Workbook

HEADER_SCAN_ROWS = 60
HEADER_SCAN_COLS = 256
MAX_LABEL_CHARS = 120
MIN_HEADER_MATCHES = 2
BLANK_RUN_END = 2
BLANK_RUN_EMPTY_TABLE = 20  # an empty table: stop looking for its first row
INFO_SCAN_BELOW = 40
FORM_SHEET = "_form"
TOTAL_LABELS = {"合计", "总计", "小计", "total", "subtotal", "sum", "totals"}
_COLON = re.compile(r"[:：]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def label_key(text: Any) -> str:
    """A header or info label folded for matching: "订货金额（元）*" -> "订货金额"; "" for what
    cannot be a label (not text, or longer than :data:`MAX_LABEL_CHARS`)."""
    if not isinstance(text, str) or len(text) > MAX_LABEL_CHARS:
        return ""
    return _label_key(text)


@lru_cache(maxsize=8192)
def _label_key(text: str) -> str:
    return strip_suffixes(fold(text)).strip("*:")


SUFFIX_GROUP_MAX = 12  # characters inside a trailing bracket that is a unit or a note: "(元)", "(yyyy-mm-dd)"


def strip_suffixes(f: str) -> str:
    r"""``f`` without its trailing run of ``*``, ``:`` and short bracketed notes ("(必填)", "(元)",
    "(yyyy-mm-dd)": any bracket of up to :data:`SUFFIX_GROUP_MAX` characters without brackets inside).

    One backward scan: a trailing run of such pieces splits only one way read from the end (a ")"
    closes at the nearest "("), so this is what the regex ``(\*+|:|\([^()]{0,12}\))+$`` removed,
    applied until nothing changes, without its backtracking (tests compare both).
    """
    end = len(f)
    while end:
        ch = f[end - 1]
        if ch == "*" or ch == ":":
            end -= 1
            continue
        if ch != ")":
            break
        start = f.rfind("(", max(0, end - 2 - SUFFIX_GROUP_MAX), end - 1)
        if start < 0 or f.find(")", start + 1, end - 1) >= 0:
            break
        end = start
    return f[:end]


def _variants(text: Any) -> tuple[str, ...]:
    """The folded label and, for a bilingual cell ("客户\nCustomer", "客户/Customer"), each part;
    none for what cannot be a label (not text, or longer than :data:`MAX_LABEL_CHARS`)."""
    if not isinstance(text, str) or len(text) > MAX_LABEL_CHARS:
        return ()
    return _variants_of(text)


@lru_cache(maxsize=8192)
def _variants_of(text: str) -> tuple[str, ...]:
    out = [label_key(text)]
    parts = re.split(r"[\n/|]+", text)
    if len(parts) > 1:
        out += [label_key(p) for p in parts]
    m = re.match(r"^\s*([\u4e00-\u9fff（）()]+)\s*([A-Za-z].*)$", text)  # "客户 Customer"
    if m:
        out += [label_key(m.group(1)), label_key(m.group(2))]
    return tuple(o for o in out if o)


@dataclass
class FormLabels:
    """Folded labels of one form: table fields and info-block fields."""

    form: FormSpec
    fields: dict[str, tuple[FieldSpec, str]]  # folded label -> (field, "zh"|"en"|"alias")
    info: dict[str, FieldSpec]


def _form_labels(spec: FormSpec) -> FormLabels:
    fields: dict[str, tuple[FieldSpec, str]] = {}
    for f in spec.fields:
        for lang, text in (("zh", f.zh), ("en", f.en), *(("alias", a) for a in f.aliases)):
            fields.setdefault(label_key(text), (f, lang))
    info: dict[str, FieldSpec] = {}
    for f in spec.info:
        for text in f.labels():
            info.setdefault(label_key(text), f)
    return FormLabels(spec, fields, info)


_LABEL_CACHE: dict[int, dict[str, FormLabels]] = {}


def labels_for(specs: FormSet) -> dict[str, FormLabels]:
    key = id(specs)
    hit = _LABEL_CACHE.get(key)
    if hit is None or hit.keys() != specs.forms.keys():
        hit = {s.key: _form_labels(s) for s in specs}
        _LABEL_CACHE.clear()
        _LABEL_CACHE[key] = hit
    return hit


@dataclass
class Layout:
    """Where a form stands in a workbook; rows and columns are 0-based here."""

    form: FormSpec
    sheet: SheetGrid
    header_row: int
    columns: dict[str, int]  # field key -> 0-based column
    headers: dict[str, str]  # field key -> header text as the form shows it
    extra_columns: list[str]
    language: str
    missing: list[FieldSpec] = field(default_factory=list)  # required fields without a column

    @property
    def header_texts(self) -> frozenset[str]:
        texts = self.__dict__.get("_texts")
        if texts is None:
            texts = self.__dict__["_texts"] = frozenset(self.headers.values())
        return texts


@dataclass
class FormSheetInfo:
    form: str | None = None
    version: str | None = None
    language: str | None = None


def read_form_sheet(wb: Workbook) -> FormSheetInfo:
    """The hidden ``_form`` sheet: form key in B1, template version in B2, language in B3."""
    sheet = next((s for s in wb.sheets if s.name.strip().lower() == FORM_SHEET), None)
    if sheet is None:
        return FormSheetInfo()

    def val(r: int) -> str | None:
        v = sheet.cell(r, 1)
        if v is None:
            return None
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return str(v).strip() or None

    lang = (val(2) or "").lower()
    return FormSheetInfo(val(0), val(1), lang if lang in ("zh", "en") else None)


def _match_row(row: list[Any], labels: FormLabels) -> tuple[dict[str, int], dict[str, str], int, int]:
    cols: dict[str, int] = {}
    shown: dict[str, str] = {}
    zh = en = 0
    for c, v in enumerate(row):
        for variant in _variants(v):
            hit = labels.fields.get(variant)
            if hit is None:
                continue
            f, lang = hit
            if f.key in cols:
                break
            cols[f.key] = c
            shown[f.key] = str(v).strip()
            zh += lang == "zh"
            en += lang == "en"
            break
    return cols, shown, zh, en


# folded label -> ((candidate index, field, "zh"|"en"|"alias"), ...) over every form of one labels_for table
LabelIndex = dict[str, tuple[tuple[int, FieldSpec, str], ...]]
_INDEX: list[tuple[dict[str, FormLabels], LabelIndex]] = []


def _label_index(table: dict[str, FormLabels]) -> LabelIndex:
    """All forms' header labels in one map, so a candidate header row is matched in one pass.

    Built once per :func:`labels_for` table (compared by identity: a new table means new specs).
    """
    if _INDEX and _INDEX[0][0] is table:
        return _INDEX[0][1]
    index: dict[str, list[tuple[int, FieldSpec, str]]] = {}
    for i, labels in enumerate(table.values()):
        for key, (f, lang) in labels.fields.items():
            index.setdefault(key, []).append((i, f, lang))
    frozen = {k: tuple(v) for k, v in index.items()}
    _INDEX[:] = [(table, frozen)]
    return frozen


def _match_all(
    row: list[Any], index: LabelIndex, n: int
) -> list[tuple[dict[str, int], dict[str, str], int, int]]:
    """:func:`_match_row` for each of ``n`` candidate forms at once (same answers, one pass).

    Per form, a cell counts for the first of its variants that names a field of that form, and only
    when that field has no column yet: exactly the rule of :func:`_match_row`.
    """
    cols: list[dict[str, int]] = [{} for _ in range(n)]
    shown: list[dict[str, str]] = [{} for _ in range(n)]
    zh = [0] * n
    en = [0] * n
    for c, v in enumerate(row):
        seen = 0  # bit i: form i has taken its decision on this cell
        for variant in _variants(v):
            hits = index.get(variant)
            if hits is None:
                continue
            for i, f, lang in hits:
                bit = 1 << i
                if seen & bit:
                    continue
                seen |= bit
                form_cols = cols[i]
                if f.key in form_cols:
                    continue
                form_cols[f.key] = c
                shown[i][f.key] = str(v).strip()
                zh[i] += lang == "zh"
                en[i] += lang == "en"
    return list(zip(cols, shown, zh, en, strict=True))


_KNOWN: dict[int, tuple[FormSet, frozenset[str], dict[str, bool]]] = {}


def _label_test(specs: FormSet) -> Callable[[Any], bool]:
    """A memoised test "could this cell be a header label of some form?" (most cells are data)."""
    hit = _KNOWN.get(id(specs))
    if hit is None or hit[0] is not specs:
        known = frozenset(k for fl in labels_for(specs).values() for k in fl.fields)
        hit = (specs, known, {})
        _KNOWN.clear()
        _KNOWN[id(specs)] = hit
    _, known, memo = hit

    def test(v: Any) -> bool:
        if v.__class__ is not str or len(v) > MAX_LABEL_CHARS:
            return False
        seen = memo.get(v)
        if seen is None:
            seen = any(x in known for x in _variants_of(v))
            if len(memo) < 20000:
                memo[v] = seen
        return seen

    return test


def locate(wb: Workbook, specs: FormSet, prefer: str | None = None) -> Layout | None:
    """The best-matching (form, sheet, header row), or None when no row names two fields of any form.

    The form matching the most header labels wins; ``prefer`` (the ``_form`` sheet's form) wins ties,
    so a template's own form is kept, but a report pasted into a plan template is read as a report.
    """
    table = labels_for(specs)
    candidates = list(table.values())
    index = _label_index(table)
    is_label = _label_test(specs)
    sheets = [s for s in wb.sheets if s.name.strip().lower() != FORM_SHEET]
    sheets.sort(key=lambda s: s.hidden)  # visible sheets first
    best: tuple[tuple[int, bool, float, int], Layout] | None = None
    for sheet in sheets:
        if best is not None and not best[1].missing:
            break  # a complete header already (visible sheets come first): instructions and lists stay unparsed
        budget.check(budget.HEADER)
        for r in range(min(sheet.height, HEADER_SCAN_ROWS)):
            if best is not None and not best[1].missing and best[1].sheet is sheet:
                break  # rows below a complete header are its data
            budget.check(budget.HEADER)
            row = sheet.rows[r]
            if len(row) > HEADER_SCAN_COLS:
                row = row[:HEADER_SCAN_COLS]
            # most rows are data: skip them unless two cells look like some form's labels
            if sum(map(is_label, row)) < MIN_HEADER_MATCHES:
                continue
            for labels, (cols, shown, zh, en) in zip(
                candidates, _match_all(row, index, len(candidates)), strict=True
            ):
                n = len(cols)
                if n < MIN_HEADER_MATCHES:
                    continue
                score = (n, labels.form.key == prefer, n / len(labels.form.fields), -sheet.hidden)
                if best is None or score > best[0]:
                    matched = set(cols.values())
                    extra = [str(v).strip() for c, v in enumerate(row) if c not in matched and not _blank(v)]
                    lang = (
                        "zh"
                        if zh > en or (zh == en and any(_CJK.search(s) for s in shown.values()))
                        else "en"
                    )
                    missing = [f for f in labels.form.required_fields if f.key not in cols]
                    best = (score, Layout(labels.form, sheet, r, cols, shown, extra, lang, missing))
    return best[1] if best else None


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


InfoLabel = tuple[FieldSpec | None, Any, bool]
_INFO_MEMO: list[tuple[dict[str, FieldSpec], dict[str, InfoLabel]]] = []


def _info_label(v: Any, info: dict[str, FieldSpec]) -> InfoLabel:
    """(field, inline value, had_colon) when ``v`` is an info label or a ``label：value`` cell.

    Asked for the first cell of every table row and every cell of the info block: the answer for
    a text is kept per ``info`` table (one per form of a :func:`labels_for` table, never changed).
    """
    if v.__class__ is not str or len(v) > MAX_LABEL_CHARS:  # a long text is not kept (memory)
        return _info_label_of(v, info) if isinstance(v, str) else (None, None, False)
    memo = _info_memo(info)
    hit = memo.get(v)
    if hit is None:
        hit = _info_label_of(v, info)
        if len(memo) >= 20000:
            memo.clear()
        memo[v] = hit
    return hit


def _info_memo(info: dict[str, FieldSpec]) -> dict[str, InfoLabel]:
    for table, memo in _INFO_MEMO:
        if table is info:
            return memo
    if len(_INFO_MEMO) >= 16:
        _INFO_MEMO.clear()
    _INFO_MEMO.append((info, {}))
    return _INFO_MEMO[-1][1]


def _info_label_of(v: str, info: dict[str, FieldSpec]) -> InfoLabel:
    # a label before the colon is at most MAX_LABEL_CHARS long: a colon further on cannot end one
    m = _COLON.search(v, 0, MAX_LABEL_CHARS + 1)
    if m:
        f = info.get(label_key(v[: m.start()]))
        if f is not None:
            rest = v[m.end() :].strip()
            return f, (rest or None), True
    return info.get(label_key(v)), None, False


def _next_value(
    row: list[Any], c: int, info: dict[str, FieldSpec], own: FieldSpec | None = None
) -> int | None:
    """The column of the value right of a label; None when the next text is another field's label.

    A value may spell its own label ("出勤 | 出勤": attendance is present), so only another field's
    label ends the search.
    """
    for j in range(c + 1, len(row)):
        v = row[j]
        if _blank(v):
            continue
        other = _info_label(v, info)[0]
        if other is not None and other is not own:
            return None
        return j
    return None


def read_info_rows(
    sheet: SheetGrid, rows: range, info: dict[str, FieldSpec], found: dict[str, tuple[Any, int, int]]
) -> None:
    """Collect ``label value`` pairs from ``rows`` into ``found`` (key -> (raw, row, col), 0-based)."""
    grid = sheet.rows
    height = len(grid)
    for r in rows:
        row = grid[r] if r < height else []
        c = 0
        width = len(row)
        while c < width:
            v = row[c]
            if not isinstance(v, str):  # numbers, dates and blanks are never labels
                c += 1
                continue
            f, inline, colon = _info_label(v, info)
            if f is None:
                c += 1
                continue
            if inline is not None:
                found.setdefault(f.key, (inline, r, c))
                c += 1
                continue
            j = _next_value(row, c, info, f)
            if j is None:
                found.setdefault(f.key, (None, r, c + 1))
                c += 1
            else:
                found.setdefault(f.key, (row[j], r, j))
                c = j + 1


def table_rows(layout: Layout, info: dict[str, FieldSpec]) -> tuple[list[int], int]:
    """0-based sheet rows of the table's data, and the row after the table (where info may follow)."""
    sheet = layout.sheet
    grid = sheet.rows
    height = len(grid)
    cols = list(layout.columns.values())
    texts = layout.header_texts
    out: list[int] = []
    blank_run = 0
    r = layout.header_row + 1
    while r < height:
        if not r & budget.MASK:
            budget.check(budget.TABLE)
        row = grid[r]
        width = len(row)
        for c in cols:  # a row is blank when every table column is (other cells may hold notes)
            if c < width:
                v = row[c]
                if v is not None and not (isinstance(v, str) and not v.strip()):
                    break
        else:
            blank_run += 1
            if (blank_run >= BLANK_RUN_END and out) or blank_run >= BLANK_RUN_EMPTY_TABLE:
                break
            r += 1
            continue
        if _ends_table(row, info):
            break
        blank_run = 0
        # a copy of the header row (pasted blocks, print titles) is not data; the usual data row
        # has no cell that spells a header label, so the full comparison is rarely needed. The
        # test runs in C: the same as any(v.strip() in texts for v in row if isinstance(v, str)).
        if texts.isdisjoint(map(str.strip, filter(_is_str, row))) or not _repeats_header(row, layout):
            out.append(r)
        r += 1
    return out, r


_is_str: Callable[[Any], bool] = str.__instancecheck__  # isinstance(v, str), callable from C


def _ends_table(row: list[Any], info: dict[str, FieldSpec]) -> bool:
    """A total row (合计, total ...) or an info row (a sign-off label below the table), judged by the
    first non-empty cell."""
    for i, v in enumerate(row):
        if v is None or (isinstance(v, str) and not v.strip()):
            continue
        if isinstance(v, str) and label_key(v) in TOTAL_LABELS:
            return True
        f, inline, colon = _info_label(v, info)
        return f is not None and (colon or _next_value(row, i, info, f) is not None)
    return False


def _repeats_header(row: list[Any], layout: Layout) -> bool:
    """A copy of the header row inside the table (pasted blocks, print titles): not data."""
    if not any(isinstance(v, str) and v.strip() in layout.header_texts for v in row):
        return False  # the usual data row: no cell spells a header label
    same = sum(
        1
        for k, c in layout.columns.items()
        if c < len(row) and isinstance(row[c], str) and row[c].strip() == layout.headers[k]
    )
    return same >= max(MIN_HEADER_MATCHES, len(layout.columns) // 2 + 1)


def expected_labels(specs: FormSet) -> dict[str, str]:
    """For ``unknown-form``: each form's title and its required column labels, in both languages."""
    out = {}
    for lang, sep in (("zh", "、"), ("en", ", ")):
        out[lang] = "; ".join(
            f"{s.title(lang)}: {sep.join(f.label(lang) for f in s.required_fields)}" for s in specs
        )
    return out


def guess_language(wb: Workbook) -> str:
    """ "zh" when any text in the top of a sheet (the header search's bounds) holds Chinese."""
    for s in wb.sheets:
        budget.check(budget.HEADER)
        for row in s.rows[:HEADER_SCAN_ROWS]:
            for v in row[:HEADER_SCAN_COLS]:
                if isinstance(v, str) and _CJK.search(v, 0, MAX_LABEL_CHARS):
                    return "zh"
    return "en"
