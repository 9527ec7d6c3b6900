"""The recent weeks' headline figures: last week (the summary's "change") and the 8-week trend.

Each week is computed exactly as the week's own scorecard computes it (:mod:`activity`, then
:mod:`attainment` against the week's share of the targets), with activity up to ``as_of`` clipped
into that week: a finished week counts to its Sunday. So last week's row here equals what
``salesflow figures --week <last week>`` reports for it.

Only the figures a trend or a comparison needs are kept (:data:`COLUMNS`). Each week is memoised on
the frames, so ``consolidate --all-weeks`` computes every week once, not once per week it
appears in.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from automation.core.config import Config
from automation.core.frames import LedgerFrames
from automation.core.workcal import WorkCalendar, parse_week, week_key, week_period
from automation.score import activity as act
from automation.score import attainment as att
from automation.score.common import memo_by, ratio
from automation.score.targets import METRICS, TargetBook

TREND_WEEKS = 8
COLUMNS = [
    "week", "level", "owner", "region", *METRICS, "effective_rate", "transaction_rate", "pace",
    *(f"{m}_target" for m in METRICS), *(f"{m}_attainment" for m in METRICS), *(f"{m}_status" for m in METRICS),
]  # fmt: skip


def weeks_back(week: str, n: int) -> list[str]:
    """The ``n`` ISO weeks ending with ``week``, oldest first (across year ends: 2027-W01 follows 2026-W53)."""
    monday = parse_week(week)[0]
    return [week_key(monday - timedelta(weeks=i)) for i in range(n - 1, -1, -1)]


def one_week(
    frames: LedgerFrames,
    config: Config,
    week: str,
    as_of: date,
    cal: WorkCalendar,
    reps: pd.DataFrame,
    book: TargetBook,
) -> pd.DataFrame:
    """Rows per rep, region and company for one week (actuals to ``as_of`` clipped into it)."""
    period = week_period(week, as_of)

    def compute() -> pd.DataFrame:
        rows = act.activity(frames, config, period, reps)
        rows = att.attainment(rows, book.for_period(period), period, cal, reps, config)
        return rows.assign(week=period.key)[COLUMNS]

    return memo_by(frames, f"history.{period.key}.{period.as_of}", (config, book, reps), compute)


def week_history(
    frames: LedgerFrames,
    config: Config,
    week: str,
    as_of: date,
    cal: WorkCalendar,
    reps: pd.DataFrame,
    book: TargetBook,
    n: int = TREND_WEEKS,
    current: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The ``n`` weeks ending with ``week``, oldest first, each as :func:`one_week` computes it;
    ``current`` is the week's own scorecard when the caller has it (the same figures, not made twice).

    Weeks that ended before the first rep went live are left out: nobody used the forms then, so
    their zeros would read as a collapse in the trend (the week itself is always kept).
    """
    go_live = pd.to_datetime(reps["go_live"]).min()
    keys = weeks_back(week, n)
    if pd.notna(go_live):
        keys = [k for k in keys if k == week or parse_week(k)[1] >= go_live.date()]
    parts = [
        current.assign(week=w)[COLUMNS] if w == week and current is not None
        else one_week(frames, config, w, as_of, cal, reps, book)
        for w in keys
    ]  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def changes(history: pd.DataFrame, week: str, last_week: str) -> pd.DataFrame:
    """Per rep, region and company: each metric last week (``<m>_last``) and this week's change
    against it (``<m>_change`` = (this - last) / last; NaN when last week had none)."""
    key = ["level", "owner", "region"]
    this = history[history["week"] == week].set_index(key)[list(METRICS)]
    last = history[history["week"] == last_week].set_index(key)[list(METRICS)].reindex(this.index)
    out = pd.DataFrame(index=this.index)
    for m in METRICS:
        t, lw = this[m].to_numpy(dtype=float), last[m].to_numpy(dtype=float)
        out[f"{m}_last"] = lw
        out[f"{m}_change"] = ratio(t - lw, lw)
    return out.reset_index()
