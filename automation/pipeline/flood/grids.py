"""A form's bytes parsed into grids in one process, finished into a Submission in another.

The read-ahead process (:mod:`automation.pipeline.flood.read_ahead`) runs the byte-level stages of intake
(size cap, sniff, zip safety scan, calamine) for the next files of a flood; the recording process
then only finds the form in the grids (:func:`automation.intake.read_parsed`). Grids are lists
of plain values, so they cross the pipe cheaply (~0.05 ms a form; a whole Submission of Cell
objects costs ~1 ms to unpickle, as much as reading it).

Only the sheets the form's own reading touched travel as grids (a template's hidden customer list
can be large and is rarely needed); any other sheet is parsed on demand from the bytes the content
store keeps under the file's hash, exactly as :func:`automation.intake.read_workbook` would. A file that cannot be
read, or holds no known form, is not parsed early at all (``early_read`` returns None), so every
message about it comes from the one plain path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automation.core.content_store import ContentStore
from automation.intake import budget, read_parsed, read_workbook
from automation.intake import layout as lay
from automation.intake.readers import Merge, ReadError, SheetGrid, Workbook
from automation.intake.safety import too_large
from automation.intake.sniff import sniff

if TYPE_CHECKING:
    from automation.core.config import Config
    from automation.core.formspec import FormSet
    from automation.core.model import Submission


@dataclass
class EarlyRead:
    """The grids of one file's bytes (``sha256``, ``size``), as the read-ahead process parsed them."""

    sha256: str
    size: int
    kind: str  # the sniffed format: xlsx, xlsm, xls, ods, csv
    date1904: bool
    # (name, hidden, rows or None when not parsed, merged ranges, formula cells without a value),
    # in the workbook's order
    sheets: list[tuple[str, bool, list[list[Any]] | None, list[Merge], frozenset[tuple[int, int]]]]

    def read(
        self,
        path: Path,
        config: Config,
        specs: FormSet,
        *,
        folder: str = "",
        received_at: datetime | None = None,
    ) -> Submission:
        """The Submission :func:`automation.intake.read_submission` would make of these bytes: only
        the form is found in the grids (:func:`automation.intake.read_parsed`)."""
        return read_parsed(
            path, self.workbook(config), config, specs, folder=folder, received_at=received_at,
            size=self.size, sha256=self.sha256, kind=self.kind,
        )  # fmt: skip

    def workbook(self, config: Config) -> Workbook:
        """The Workbook :func:`automation.intake.read_workbook` would return for these bytes."""
        full: list[Workbook] = []

        def parsed_now(name: str) -> Any:
            def load() -> tuple[list[list[Any]], list[Merge]]:
                if not full:  # the very bytes, from the content store (they are kept by hash)
                    data = ContentStore(config.state_root / "content").read(self.sha256)
                    full.append(read_workbook(data, self.kind, config))
                sheet = full[0].sheet(name)
                if sheet is None:  # cannot happen for the same bytes; a damaged file says so
                    raise ReadError("file-corrupt", f"sheet {name!r} vanished")
                return sheet.rows, sheet.merged

            return load

        sheets = [
            SheetGrid(name, rows=rows, hidden=hidden, merged=merged, uncached=uncached)
            if rows is not None
            else SheetGrid(name, hidden=hidden, load=parsed_now(name), uncached=uncached)
            for name, hidden, rows, merged, uncached in self.sheets
        ]
        return Workbook(sheets, self.date1904)


def early_read(data: bytes, sha256: str, config: Config, specs: FormSet) -> EarlyRead | None:
    """Parse ``data`` as intake would, keeping the grids its form reading needs; None when the
    file has a file-level problem (too large, not a workbook, corrupt, locked...), which the
    recording process then finds and reports itself."""
    if too_large(len(data), config.intake.max_file_mb):
        return None
    sniffed = sniff(data)
    if not sniffed.ok:
        return None
    try:
        with budget.limited(config.intake.time_budget_seconds):
            wb = read_workbook(data, sniffed.kind, config, sniffed.archive)
            # Finding the form is what loads sheets (fill_submission then reads only the sheet
            # found): the probe stops there, at a third of a whole fill's cost.
            meta = lay.read_form_sheet(wb)
            found = lay.locate(wb, specs, prefer=meta.form if meta.form in specs.forms else None)
    except ReadError:  # damaged, or over its time budget: the recording process says so
        return None
    if found is None:
        return None  # not a known form: a file-level issue, which the plain path words
    sheets = [
        (s.name, s.hidden, s.loaded_rows, s.merged if s.loaded_rows is not None else [], s.uncached)
        for s in wb.sheets
    ]
    return EarlyRead(sha256, len(data), sniffed.kind, wb.date1904, sheets)
