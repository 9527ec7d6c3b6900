"""The weekly management report (SPEC §2.6), pre-filled for a region supervisor.

The supervisor's copy of the template (:func:`automation.templates.builder.build_template`: region,
supervisor and the region's reps already in it) gets the week and, per rep, the week's visits,
sales, new customers and collections from the score stage, all locked (the sheet is protected); the
commentary, next week's targets and the plan stay open. The supervisor fills those and drops the
file into their own inbox folder; intake reads it like any form, and the region and company
workbooks show the commentary and next week's targets.

Decision: the figures are those of the week's scorecard (visits, sales, new customers and
collections as ``salesflow figures`` reports them); a rep without a figure (no target, no visit)
gets 0, not a blank, because "nothing" is the figure and a blank would read as "not filled in".
"""

from __future__ import annotations

from typing import Any

from openpyxl import Workbook

from automation.core.config import Config, Supervisor
from automation.core.formspec import FormSet
from automation.templates.builder import _LOCKED, _LOCKED_VALUE_FILL, build_template, layout, put

FIGURES = ("visits", "sales", "new_customers", "collections")
LOCKED_ROW = ("rep_id", "rep_name", *FIGURES)


def weekly_form(config: Config, specs: FormSet, result: dict[str, Any], supervisor: Supervisor) -> Workbook:
    """The pre-filled form for ``supervisor``'s region; ``result`` is that region's view of the week."""
    spec = specs["weekly_report"]
    lay = layout(spec)
    wb = build_template(spec, config, supervisor.language, rep=supervisor)
    ws = wb.worksheets[0]
    _lock(ws, lay.info_rows["week"], 2, lay.value_span["week"])
    put(ws, lay.info_rows["week"], 2, result["week"])
    week = result["scorecards"]["week"]
    figures = week[week["level"] == "rep"].set_index("owner")
    reps = [r for r in config.reps if r.region == supervisor.region]
    for i, rep in enumerate(reps):
        row = lay.first_data_row + i
        if ws.cell(row=row, column=lay.columns["rep_id"]).value != rep.id:  # the template lists them so
            put(ws, row, lay.columns["rep_id"], rep.id)
        have = figures.loc[rep.id] if rep.id in figures.index else None
        for key in FIGURES:
            value = 0.0 if have is None else have[key]
            value = 0.0 if value is None or value != value else float(value)
            put(ws, row, lay.columns[key], int(value) if key in ("visits", "new_customers") else value)
        for key in LOCKED_ROW:
            col = lay.columns[key]
            _lock(ws, row, col, col)
    return wb


def _lock(ws: Any, row: int, first: int, last: int) -> None:
    for col in range(first, last + 1):
        cell = ws.cell(row=row, column=col)
        cell.protection = _LOCKED
        cell.fill = _LOCKED_VALUE_FILL
