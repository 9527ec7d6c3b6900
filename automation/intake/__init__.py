"""Intake: turn a dropped file into a :class:`automation.core.model.Submission`.

The stages, in order (each its own module):
1. :mod:`.safety` size cap on the file, before reading it;
2. :mod:`.sniff` the format from the bytes;
3. :mod:`.safety` zip caps, DTD/entity scan and sheet extents (zip-based formats);
4. :mod:`.readers` cells into grids with exact coordinates (calamine for xlsx/xlsm/ods, xlrd for xls,
   the csv module for CSV; sheets parsed on demand);
5. :mod:`.layout` the form, its header row, columns and info block, by labels;
6. :mod:`.values` each value normalised to its SPEC type.

A user's file never makes this raise: what cannot be read becomes a Submission with ``form`` None
and one file-level issue. Only the specific errors of the parsing libraries are mapped to
``file-corrupt``; any other exception is a bug of ours and propagates.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automation.core import clock
from automation.core.config import DEFAULT_MAX_UNPACKED_MB
from automation.core.content_store import sha256_of
from automation.core.formspec import FieldSpec, FormSpec, fold
from automation.core.model import Cell, Issue, Row, Submission, a1
from automation.core.problems import SEVERITY
from automation.core.texts.log import LOG
from automation.intake import budget
from automation.intake import layout as lay
from automation.intake.formulas import report_uncached
from automation.intake.readers import (
    ReadError,
    Workbook,
    parsing,
    read_calamine,
    read_csv,
    read_sparse_xlsx,
    read_xls,
    sheet_parts,
)
from automation.intake.safety import (
    MAX_DENSE_CELLS,
    scan_zip,
    too_large,
)
from automation.intake.sniff import sniff
from automation.intake.values import (
    BLANKS,
    BadValue,
    ValueContext,
    converter,
    is_blank,
    normalise,
    parse_text,
)
from automation.intake.zipdir import ZipLike, open_zip

if TYPE_CHECKING:
    from automation.core.config import Config
    from automation.core.formspec import FormSet

# fill_submission makes each table Cell without calling the dataclass __init__ (the call was a fifth
# of its hot loop), setting these fields in this order as __init__ does; checked here, at import
# (not an assert: it must hold under python -O too)
_CELL_FIELDS = ("raw", "value", "sheet", "row", "col", "issue", "resolved")
if (
    tuple(f.name for f in dataclasses.fields(Cell)) != _CELL_FIELDS
    or hasattr(Cell, "__post_init__")
    or hasattr(Cell, "__slots__")
):
    raise ImportError("automation.core.model.Cell changed: update the Cell making in intake.fill_submission")

__all__ = ["read_parsed", "read_submission", "read_workbook"]

log = logging.getLogger("automation.intake")


def _file_issue(sub: Submission, code: str, **params: Any) -> Submission:
    """One whole-file issue; ``file`` is the name the rep knows, ``value`` what was found (catalog params)."""
    sub.issues.append(
        Issue(code=code, severity=SEVERITY.get(code, "error"), params={"file": sub.path.name, **params})
    )
    return sub


def _mb(n: float) -> str:
    return f"{n:.1f} MB" if n < 10 else f"{n:.0f} MB"


def read_workbook(data: bytes, fmt: str, config: Config | None, archive: ZipLike | None = None) -> Workbook:
    """Grids of every sheet after the safety scan; raises :class:`ReadError` with a file-level code.

    Whatever the parsing raises on the bytes is the file's (see :func:`readers.parsing`); sheets
    are parsed on first use, under the same rule. ``config`` None: the default limits.
    """
    budget.check(budget.SCANNING)
    if fmt == "csv":
        return read_csv(data)
    if fmt in ("xlsx", "xlsm", "ods"):
        with parsing("zip"), archive or open_zip(data) as z:
            scan = scan_zip(z, config.intake.max_unpacked_mb if config else DEFAULT_MAX_UNPACKED_MB, data)
        if scan.problem:
            raise ReadError(scan.problem, scan.detail)
        sparse: list[str] = []
        if not scan.dense_ok and fmt == "ods":
            cells = max(r * c for r, c in scan.extents.values())
            raise ReadError("file-too-large", f"{cells:,} cells", f"{MAX_DENSE_CELLS:,} cells")
        parts: dict[str, str] = {}
        if not scan.dense_ok or (scan.uncached and fmt != "ods"):
            parts = sheet_parts(data)  # sheet name -> part; raises ReadError for a damaged workbook.xml
        if not scan.dense_ok:
            big = {p for p, (r, c) in scan.extents.items() if r * c > MAX_DENSE_CELLS}
            sparse = [name for name, part in parts.items() if part in big]
        wb = read_calamine(data, scan.date1904, frozenset(sparse))
        if sparse:
            wb.sheets += read_sparse_xlsx(data, sparse)  # raises ReadError for what openpyxl cannot parse
        if scan.uncached:
            _mark_uncached(wb, scan.uncached, parts, fmt)
        return wb
    if fmt == "xls":
        return read_xls(data)
    return read_calamine(data)


def _mark_uncached(
    wb: Workbook, uncached: dict[str, list[tuple[int, int]]], parts: dict[str, str], fmt: str
) -> None:
    """Hand each sheet the formula cells its part holds without a value (see :mod:`.formulas`)."""
    for sheet in wb.sheets:
        key = f"content.xml#{sheet.name}" if fmt == "ods" else parts.get(sheet.name, "")
        cells = uncached.get(key)
        if cells:
            sheet.uncached = frozenset(cells)


def read_submission(
    path: str | Path,
    config: Config,
    specs: FormSet,
    *,
    folder: str = "",
    received_at: datetime | None = None,
    data: bytes | None = None,
    sha256: str | None = None,
) -> Submission:
    """Read one dropped file into a Submission; never raises for what the file contains.

    ``data``: the file's bytes when the caller already holds them (the pipeline copies each drop
    into the content store first), so the file is not read a second time; ``path`` then only names
    the file. ``sha256``: their hex digest when the caller computed it too (else hashed here).
    """
    path = path if isinstance(path, Path) else Path(path)  # a Path is immutable: no copy needed
    sub = Submission(path=path, folder=folder, received_at=received_at, language=_PENDING)
    with _reading(sub, config):
        return _read(sub, path, config, specs, data, sha256)


def read_parsed(
    path: Path,
    workbook: Workbook,
    config: Config,
    specs: FormSet,
    *,
    folder: str = "",
    received_at: datetime | None = None,
    size: int,
    sha256: str,
    kind: str,
) -> Submission:
    """:func:`read_submission` of bytes already parsed into ``workbook`` (a flood's read-ahead
    process parses the next files while this one records): only the form is found in the grids,
    under the same time budget and with the same messages. ``size``, ``sha256`` and ``kind``
    (the sniffed format) are those of the bytes the grids came from."""
    sub = Submission(path=path, folder=folder, received_at=received_at, language=_PENDING)
    with _reading(sub, config):
        sub.size, sub.sha256, sub.file_format = size, sha256, kind
        return _fill(sub, workbook, config, specs)


@contextlib.contextmanager
def _reading(sub: Submission, config: Config) -> Iterator[None]:
    """The file's time budget; and until the form tells its language, a rejection speaks the
    language of the person whose folder it is (a readable form sets its own, so the folder's
    person is only looked up for a rejection)."""
    try:
        with budget.limited(config.intake.time_budget_seconds):
            yield
    finally:
        if sub.language is _PENDING:
            person = config.person(sub.folder) if sub.folder else None
            sub.language = person.language if person is not None else config.language


# Submission.language until the form or the folder's person decides it (compared by identity)
_PENDING = "\x00pending"


def _read(
    sub: Submission, path: Path, config: Config, specs: FormSet, data: bytes | None, sha256: str | None
) -> Submission:
    size = len(data) if data is not None else path.stat().st_size
    sub.size = size
    if too_large(size, config.intake.max_file_mb):
        if sha256 is None:  # the bytes when read whole, else the file in chunks
            sha256 = sha256_of(data if data is not None else path)[0]
        sub.sha256 = sha256
        return _file_issue(
            sub, "file-too-large", value=_mb(size / 1048576), limit=_mb(config.intake.max_file_mb)
        )
    if data is None:
        data = path.read_bytes()
    sub.sha256 = sha256 or sha256_of(data)[0]
    try:
        with parsing("sniff"):
            sniffed = sniff(data)
    except ReadError as exc:
        return _read_error(sub, exc, config)
    if not sniffed.ok:
        return _file_issue(sub, sniffed.kind, value=sniffed.detail or None)
    sub.file_format = sniffed.kind
    try:
        wb = read_workbook(data, sniffed.kind, config, sniffed.archive)
    except ReadError as exc:
        return _read_error(sub, exc, config)
    return _fill(sub, wb, config, specs)


def _fill(sub: Submission, wb: Workbook, config: Config, specs: FormSet) -> Submission:
    try:
        return fill_submission(sub, wb, config, specs)
    except ReadError as exc:  # a sheet parsed on demand turned out damaged, or the budget ran out
        sub.form, sub.version, sub.sheet, sub.header_row = None, None, "", 0
        sub.columns, sub.extra_columns, sub.info, sub.rows = {}, [], {}, []
        sub.issues = [i for i in sub.issues if i.cell is None and i.code not in _FILL_CODES]
        return _read_error(sub, exc, config)


# file-level issues fill_submission adds, dropped with its rows when the file turns out unreadable
_FILL_CODES = frozenset({"missing-column", "too-many-rows"})


def _read_error(sub: Submission, exc: ReadError, config: Config) -> Submission:
    """The file-level issue for a file that could not be read, and a log line for the back office
    (the rep's message says what to do; the log says what the reader met)."""
    if isinstance(exc, budget.OverBudget):
        log.warning(
            LOG["over-budget"],
            sub.path.name, exc.seconds, exc.detail, exc.code,
        )  # fmt: skip
        return _file_issue(sub, exc.code, value=exc.stage, limit=f"{exc.seconds:g} s")
    if exc.code == "file-too-large":
        limit = exc.limit or _mb(config.intake.max_unpacked_mb) + " unpacked"
        return _file_issue(sub, exc.code, value=exc.detail, limit=limit)
    if exc.code == "file-corrupt":
        log.info(LOG["unreadable"], sub.path.name, exc.detail, exc.code)
    return _file_issue(sub, exc.code, value=exc.detail or None)


def fill_submission(sub: Submission, wb: Workbook, config: Config, specs: FormSet) -> Submission:
    """Find the form in the grids and fill the submission's info, rows and cell issues."""
    meta = lay.read_form_sheet(wb)
    hint = meta.form if meta.form in specs.forms else None
    found = lay.locate(wb, specs, prefer=hint)
    if found is None:
        lang = meta.language or lay.guess_language(wb)
        sub.language = lang
        return _file_issue(sub, "unknown-form", expected=lay.expected_labels(specs))
    spec = found.form
    sub.form = spec.key
    sub.version = meta.version if meta.form == spec.key else None
    sub.language = meta.language if (meta.language and meta.form == spec.key) else found.language
    sheet = found.sheet
    sub.sheet = sheet.name
    sub.header_row = found.header_row + 1
    sub.columns = {k: c + 1 for k, c in found.columns.items()}
    sub.extra_columns = found.extra_columns
    for f in found.missing:
        sub.issues.append(
            Issue(
                code="missing-column",
                severity=SEVERITY["missing-column"],
                sheet=sheet.name,
                cell=a1(sub.header_row, 1),
                row=sub.header_row,
                field=f.key,
                column=f.label(sub.language),
                params={"expected": f.label(sub.language), "labels": " / ".join(f.labels()[:2])},
            )
        )

    info_labels = lay.labels_for(specs)[spec.key].info
    rows, after = lay.table_rows(found, info_labels)
    info_raw: dict[str, tuple[Any, int, int]] = {}
    lay.read_info_rows(sheet, range(found.header_row), info_labels, info_raw)
    lay.read_info_rows(
        sheet, range(after, min(sheet.height, after + lay.INFO_SCAN_BELOW)), info_labels, info_raw
    )

    ctx = ValueContext(
        year=(sub.received_at or clock.now()).year,
        lang=sub.language,
        date1904=wb.date1904,
        config=config,
        rep_ids=folded_rep_ids(config),
    )
    # the form's year comes from its period date, so "11/23" means that year's November
    if spec.period_field in info_raw and spec.period_field in {f.key for f in spec.info}:
        pf = spec.field(spec.period_field)
        if pf.type == "date":
            raw = info_raw[spec.period_field][0]
            try:
                d = normalise(pf, raw, ctx)
            except BadValue:
                d = None
            if d is not None:
                ctx.year = d.year
    for f in spec.info:
        if f.key in info_raw:
            raw, r, c = info_raw[f.key]
            sub.info[f.key] = _cell(sub, f, raw, r, c, ctx, f.label(sub.language))

    max_rows = config.intake.max_rows
    if len(rows) > max_rows:
        _file_issue(sub, "too-many-rows", value=len(rows), limit=max_rows)
        rows = rows[:max_rows]
    # the hot loop (rows x columns): converters chosen once per column, blanks and text columns
    # short-cut, the conversion inlined rather than a helper call per cell, and each Cell made as
    # its dataclass __init__ would make it, without the call (see _CELL_FIELDS)
    by_key = _fields_by_key(spec)
    fields = []
    for k, c in found.columns.items():
        f = by_key[k] if k in by_key else spec.field(k)
        fields.append((k, f, c, c + 1, found.headers[k], converter(f, ctx)))
    name = sheet.name
    grid = sheet.rows
    issues = sub.issues
    out = sub.rows
    merged_from = _vertical_merges(sheet, rows, found.columns.values())
    new = object.__new__
    mask, check, stage = budget.MASK, budget.check, budget.TABLE
    for r in rows:
        if not r & mask:
            check(stage)
        grid_row = grid[r]
        width = len(grid_row)
        number = r + 1
        cells: dict[str, Cell] = {}
        for key, f, c, col, shown, conv in fields:
            raw = grid_row[c] if c < width else None
            if raw is None and merged_from and (r, c) in merged_from:
                top, left = merged_from[(r, c)]
                raw = grid[top][left]
            if raw is None or (raw.__class__ is str and not (text := raw.strip(BLANKS))):
                value = None  # blank
            elif conv is parse_text and raw.__class__ is str:
                value = text  # a text column: the value is the stripped text itself
            else:
                try:
                    value = conv(raw)
                except BadValue as exc:
                    cells[key] = cell = Cell(raw, None, name, number, col, exc.code)
                    issues.append(_value_issue(sub, f, cell, raw, shown, exc))
                    continue
            cells[key] = cell = new(Cell)  # == Cell(raw, value, name, number, col)
            cell.raw = raw
            cell.value = value
            cell.sheet = name
            cell.row = number
            cell.col = col
            cell.issue = None
            cell.resolved = None
        out.append(Row(number, cells))
    if sheet.uncached:
        report_uncached(sub, sheet.uncached, found)
    return sub


_BY_KEY: dict[int, tuple[FormSpec, dict[str, FieldSpec]]] = {}


def _fields_by_key(spec: FormSpec) -> dict[str, FieldSpec]:
    """Table field key -> field, the first of a key winning as in ``FormSpec.field``; built once a
    spec (specs are frozen). Shared: read it, never change it."""
    hit = _BY_KEY.get(id(spec))
    if hit is None or hit[0] is not spec:
        if len(_BY_KEY) >= 64:
            _BY_KEY.clear()
        hit = _BY_KEY[id(spec)] = (spec, {f.key: f for f in reversed(spec.fields)})
    return hit[1]


_REP_IDS: tuple[list[Any], dict[str, str]] | None = None


def folded_rep_ids(config: Config) -> dict[str, str]:
    """Folded rep id -> id as configured, rebuilt only when the list of reps changes.

    Folding the ids (200 in a large company) for every form cost more than reading its rows, and
    even reading every id again to compare costs ~50 us a form (200 objects out of the CPU cache).
    So the map is kept with a copy of the list: comparing lists compares the Rep objects by
    identity first, without reading them. A reloaded config, ``model_copy``, a rep added, removed
    or replaced all rebuild it; not noticed is a Rep whose ``id`` is reassigned in place (nothing
    does that: configs are loaded, not edited). The map is shared: read it, never change it.
    """
    global _REP_IDS
    reps = config.reps
    hit = _REP_IDS
    if hit is None or hit[0] != reps:
        hit = _REP_IDS = (list(reps), {fold(r.id): r.id for r in reps})
    return hit[1]


def _vertical_merges(
    sheet: lay.SheetGrid, rows: list[int], cols: Any
) -> dict[tuple[int, int], tuple[int, int]]:
    """Table cells covered by a merge spanning several rows -> the merge's top-left cell.

    Reps merge the customer cell over the visits to one customer (合并单元格); every row of the
    merge means that value, not a blank. Decision: the cell keeps its own coordinates.
    """
    if not sheet.merged or not rows:
        return {}
    first, last, wanted = rows[0], rows[-1], set(cols)
    out: dict[tuple[int, int], tuple[int, int]] = {}
    for (r0, c0), (r1, c1) in sheet.merged:
        if r1 <= r0 or r1 < first or r0 > last:
            continue
        for c in range(c0, c1 + 1):
            if c in wanted:
                for r in range(max(r0, first), r1 + 1):
                    if (r, c) != (r0, c0):
                        out[(r, c)] = (r0, c0)
    return out


def _cell(
    sub: Submission,
    f: FieldSpec,
    raw: Any,
    r: int,
    c: int,
    ctx: ValueContext,
    shown: str,
    conv: Callable[[Any], Any] | None = None,
) -> Cell:
    cell = Cell(raw, None, sub.sheet, r + 1, c + 1)
    if conv is None and is_blank(raw):  # with a converter the caller has ruled blanks out
        return cell
    try:
        cell.value = conv(raw) if conv is not None else normalise(f, raw, ctx)
    except BadValue as exc:
        cell.issue = exc.code
        sub.issues.append(_value_issue(sub, f, cell, raw, shown, exc))
    return cell


def _value_issue(sub: Submission, f: FieldSpec, cell: Cell, raw: Any, shown: str, exc: BadValue) -> Issue:
    return Issue(
        code=exc.code,
        severity=SEVERITY.get(exc.code, "error"),
        sheet=sub.sheet,
        cell=cell.ref,
        row=cell.row,
        field=f.key,
        column=shown,
        value=_shown(raw),
        params=dict(exc.params),
    )


def _shown(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw)
