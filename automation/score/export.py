"""The stable JSON shape of ``salesflow figures --json`` (schema ``salesflow.figures/1``).

A BI tool reads this, so keys only ever get added within a schema version; a removal or rename bumps
the version. Values: dates are ISO strings (``2026-11-23``, times ``2026-11-23T19:30:00``), a figure
that does not exist (a ratio over zero, no target) is ``null``, a whole number is an integer, money
is yuan, rates and shares are fractions (0.25 = 25 %). Every number is the value the figures
computed, **unrounded**: written with 15 significant digits (all a double holds reliably, so only
binary noise is cut: a target made of exact shares that add up to 1,000 is written ``1000``, not
``999.9999999999999``), a weekly target of 10/21 new customers is ``0.476190476190476``, not
``0.48``. Sums of money are whole
cents (``895722.36``), since the ledger stores cents; targets, forecasts, averages and rates carry
their full precision. Round where you show a number, as ``salesflow figures`` and the workbooks do.

Why this did not bump the schema (issue 13): until then targets were rounded to the cent and rates
to 6 decimals here. The keys, their types (JSON numbers) and their units are unchanged; each value
moved by less than the rounding it lost (half a cent, or 5e-7), except attainment, status and
forecast, which moved because their target did: they now say what the exact target says. A reader
of schema 1 reads the new values as before; only one that compared them with its own rounded copy
sees the difference, and that difference is the error the rounding made.

Top level::

    {
      "schema": "salesflow.figures/1",
      "generated_at": "2026-11-23T21:00:00",      # the product clock
      "as_of": "2026-11-23",                      # last day whose activity counts
      "week": "2026-W48", "region": null | "east",
      "periods": {"week"|"mtd"|"qtd"|"ytd": {kind, key, start, end, as_of, working_days,
                                             elapsed_working_days, calendar_days}},
      "scorecard_columns": [...],                 # the column order of every scorecard row
      "labels": {key: {"zh": ..., "en": ...}},    # every column and status / grade / verdict value
      "scorecards": {"week"|"mtd"|"qtd"|"ytd": [row, ...]},   # rep rows, then region rows, then company
      "funnel": {"week"|...: [{scope, stage, at_end, in_period, moved_forward, conversion}]},
      "days_to_first_order": {"week"|...: [{scope, first_orders, avg_days_to_first_order}]},
      "abc": [{customer_id, name, owner, region, stage, sales_12m, rank, share, cum_share, grade}],
      "pareto": [{grade, customers, customer_share, sales, sales_share}],
      "rfm": [{customer_id, last_order, recency, frequency, monetary, r, f, m, segment, segment_zh,
               segment_en, name, owner, region, grade}],
      "overdue": [...], "due": [...],             # visit policy rows: customer_id, name, owner, region,
                                                  # grade, interval, last_visit, days_since, next_due, status
      "never_visited": [{customer_id, name, owner, region, grade, interval, created,
                         days_since_created, overdue}],
      "churn": [{customer_id, name, owner, region, grade, last_order, days_since_order, usual_interval,
                 sales_recent, sales_prior, interval_risk, drop_risk, reason}],
      "complaints": [{complaint_id, customer_id, rep_id, region, received, category, severity, status,
                      resolved, is_open, working_days, limit, overdue, satisfied}],
      "timeliness": [{rep_id, region, date, received_at, verdict}],   # the week's report days
      "targets": [{level, owner, month, sales, gross_margin, collections, visits, new_customers}]
    }

A scorecard row holds ``level`` (rep | region | company), ``owner`` (rep id, region id, "" for the
company), ``name``, ``region`` and every figure; see :func:`automation.score.scorecard.columns`.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import numpy as np
import pandas as pd

from automation.core.texts.figures import COLUMN_LABELS, VALUE_LABELS
from automation.core.workcal import WorkCalendar
from automation.score.scorecard import columns as scorecard_columns

# Digits written of every number: all a double holds reliably (15 significant decimal digits). Only
# binary noise goes: a sum of exact shares, 1000 x 5/21 x 4 + 1000 x 1/21, is 999.9999999999999 as
# a double and is written 1000; 10/21 is written 0.476190476190476. No figure is rounded here.
SIGNIFICANT = 15

LISTS = ("abc", "pareto", "rfm", "never_visited", "churn", "complaints", "timeliness", "targets")


def _value(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp | datetime):
        if v.hour == v.minute == v.second == 0 and v.microsecond == 0:
            return v.date().isoformat()
        return v.isoformat(timespec="seconds")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, np.bool_ | bool):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, float | np.floating):
        f = float(v)
        if math.isnan(f) or math.isinf(f):
            return None
        f = float(f"{f:.{SIGNIFICANT}g}")  # binary noise off: 999.9999999999999 is 1000
        if f.is_integer() and abs(f) < 2**53:
            return int(f)
        return f  # otherwise unrounded: rounding is for whoever shows it (see the module docstring)
    return v


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts (column order kept)."""
    cols = list(df.columns)
    return [
        {c: _value(v) for c, v in zip(cols, row, strict=True)}
        for row in df.itertuples(index=False, name=None)
    ]


def to_json(result: dict[str, Any], cal: WorkCalendar, generated_at: datetime) -> dict[str, Any]:
    """:func:`automation.score.compute_all`'s result in the documented shape."""
    policy = result["policy"]
    out: dict[str, Any] = {
        "schema": result["schema"],
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "as_of": result["as_of"].isoformat(),
        "week": result["week"],
        "region": result["region"],
        "periods": {k: p.as_dict(cal) for k, p in result["periods"].items()},
        "scorecard_columns": scorecard_columns(),
        "labels": {k: {"zh": zh, "en": en} for k, (zh, en) in {**COLUMN_LABELS, **VALUE_LABELS}.items()},
        "scorecards": {k: records(df) for k, df in result["scorecards"].items()},
        "funnel": {k: records(df) for k, df in result["funnel"].items()},
        "days_to_first_order": {k: records(df) for k, df in result["days_to_first_order"].items()},
        "overdue": records(policy[policy["status"] == "overdue"]),
        "due": records(policy[policy["status"] == "due"]),
    }
    for k in LISTS:
        out[k] = records(result[k])
    return out
