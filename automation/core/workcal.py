"""Working-day calendar, ISO weeks and reporting periods (SPEC §3).

Chinese companies move weekends around public holidays (调休): a Saturday can be a working day and a
Tuesday a holiday. So a working day is a configured weekday that is not a holiday, or any make-up
workday (``calendar.workdays``); make-up workdays win over holidays if a date is listed in both.

Counting is vectorised: the calendar keeps a cumulative count of working days over a span of years
(grown on demand), so the working days between two dates are one subtraction, for scalars or arrays.

Periods. A :class:`Period` has ``start`` and ``end`` (the whole week / month / quarter / year) and an
``as_of`` date: actuals run from ``start`` to ``as_of`` inclusive, targets cover ``start..end``.

Decision — does "today" count as elapsed?  :func:`default_as_of` answers: today counts once the
day's visit-report deadline (config, default 20:00) has passed, because only then is the day's work
reported; before the deadline ``as_of`` is yesterday. Within a period, elapsed working days are the
working days from ``start`` to ``as_of`` inclusive (``as_of`` clipped to the period; a period that
has not started yet has 0 elapsed days).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

import numpy as np

from automation.core.config import Calendar, Config
from automation.core.texts.errors import ERRORS

PeriodKind = Literal["week", "mtd", "qtd", "ytd"]
PERIOD_KINDS: tuple[PeriodKind, ...] = ("week", "mtd", "qtd", "ytd")
_WEEK_RE = re.compile(r"^\s*(\d{4})\s*-?\s*W\s*(\d{1,2})\s*$", re.IGNORECASE)
_DAY = np.timedelta64(1, "D")


class WeekError(ValueError):
    """A week key that is not ``YYYY-Www`` or names a week the year does not have."""


def parse_week(key: str) -> tuple[date, date]:
    """``"2026-W48"`` -> (Monday, Sunday). 2026 has 53 ISO weeks; 2027 has 52."""
    m = _WEEK_RE.match(key or "")
    if not m:
        raise WeekError(ERRORS["week-format"].format(key=key))
    year, week = int(m.group(1)), int(m.group(2))
    if not 1 <= week <= weeks_in_year(year):
        raise WeekError(ERRORS["week-not-in-year"].format(year=year, week=week, weeks=weeks_in_year(year)))
    monday = date.fromisocalendar(year, week, 1)
    return monday, monday + timedelta(days=6)


def weeks_in_year(year: int) -> int:
    """52 or 53: 28 December always lies in the last ISO week."""
    return date(year, 12, 28).isocalendar()[1]


def week_key(d: date) -> str:
    """The ISO week of a date, e.g. 2027-01-01 -> ``"2026-W53"``."""
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def week_keys(days: np.ndarray) -> np.ndarray:
    """Vectorised :func:`week_key` over ``datetime64[D]`` values."""
    d = days.astype("datetime64[D]")
    # ISO week: the Thursday of the same week decides the year.
    dow = (d.astype("int64") - 4) % 7  # 1970-01-05 was a Monday -> 0 for Mondays
    thursday = d - dow.astype("timedelta64[D]") + np.timedelta64(3, "D")
    years = thursday.astype("datetime64[Y]")
    week = (thursday - years.astype("datetime64[D]")).astype("int64") // 7 + 1
    ys = years.astype("int64") + 1970
    return np.array([f"{y}-W{w:02d}" for y, w in zip(ys, week, strict=True)], dtype=object)


def month_end(d: date) -> date:
    nxt = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


class WorkCalendar:
    """Working days from ``config.calendar``; counts are inclusive of both ends."""

    def __init__(self, calendar: Calendar | Config):
        cal = calendar.calendar if isinstance(calendar, Config) else calendar
        self.weekdays = frozenset(cal.weekdays)
        self.holidays = frozenset(cal.holidays)
        self.workdays = frozenset(cal.workdays)
        years = [d.year for d in (*self.holidays, *self.workdays)] or [2026]
        self._build(min(min(years), 2020) - 1, max(max(years), 2030) + 1)

    def _build(self, first_year: int, last_year: int) -> None:
        self._base = np.datetime64(f"{first_year}-01-01", "D")
        stop = np.datetime64(f"{last_year + 1}-01-01", "D")
        days = np.arange(self._base, stop, _DAY)
        iso_dow = (days.astype("int64") - 4) % 7 + 1  # 1 = Monday
        flags = np.isin(iso_dow, list(self.weekdays))
        for h in self.holidays:
            i = (np.datetime64(h, "D") - self._base).astype("int64")
            if 0 <= i < len(flags):
                flags[i] = False
        for w in self.workdays:
            i = (np.datetime64(w, "D") - self._base).astype("int64")
            if 0 <= i < len(flags):
                flags[i] = True
        self._flags = flags
        # _cum[i] = working days strictly before base + i
        self._cum = np.concatenate([[0], np.cumsum(flags, dtype=np.int64)])
        self._years = (first_year, last_year)

    def _ensure(self, lo: np.datetime64, hi: np.datetime64) -> None:
        y0 = int(lo.astype("datetime64[Y]").astype("int64")) + 1970
        y1 = int(hi.astype("datetime64[Y]").astype("int64")) + 1970
        if y0 < self._years[0] or y1 > self._years[1]:
            self._build(min(y0, self._years[0]) - 1, max(y1, self._years[1]) + 1)

    def is_workday(self, d: date) -> bool:
        if d in self.workdays:
            return True
        return d.isoweekday() in self.weekdays and d not in self.holidays

    def workday_flags(self, days: np.ndarray) -> np.ndarray:
        """Vectorised :meth:`is_workday` over ``datetime64`` values."""
        d = np.asarray(days).astype("datetime64[D]")
        if d.size == 0:
            return np.zeros(0, dtype=bool)
        self._ensure(d.min(), d.max())
        return self._flags[(d - self._base).astype("int64")]

    def count(self, start: date | np.ndarray, end: date | np.ndarray) -> int | np.ndarray:
        """Working days in ``start..end`` inclusive (0 when end < start); arrays broadcast."""
        s = np.asarray(start, dtype="datetime64[D]")
        e = np.asarray(end, dtype="datetime64[D]")
        if s.size == 0 or e.size == 0:
            return np.zeros(np.broadcast(s, e).shape, dtype=np.int64)
        valid_s, valid_e = s[~np.isnat(s)], e[~np.isnat(e)]
        if valid_s.size and valid_e.size:
            self._ensure(min(valid_s.min(), valid_e.min()), max(valid_s.max(), valid_e.max()) + _DAY)
        si = np.where(np.isnat(s), 0, (s - self._base).astype("int64"))
        ei = np.where(np.isnat(e), 0, (e - self._base).astype("int64") + 1)
        out = np.maximum(self._cum[ei] - self._cum[si], 0)
        if out.ndim == 0:
            return int(out)
        return out

    def days(self, start: date, end: date) -> list[date]:
        """The working days in ``start..end`` inclusive, in order."""
        span = np.arange(np.datetime64(start, "D"), np.datetime64(end, "D") + _DAY, _DAY)
        return [d.astype(date) for d in span[self.workday_flags(span)]]


@dataclass(frozen=True)
class Period:
    """A reporting period: targets cover ``start..end``, actuals ``start..as_of``."""

    kind: PeriodKind
    key: str  # 2026-W48 | 2026-11 | 2026-Q4 | 2026
    start: date
    end: date
    as_of: date  # clipped into start-1 .. end

    @property
    def calendar_days(self) -> int:
        """Calendar days the actuals cover (start..as_of inclusive); 7 for a finished week."""
        return max((self.as_of - self.start).days + 1, 0)

    def working_days(self, cal: WorkCalendar) -> int:
        return int(cal.count(self.start, self.end))

    def elapsed_working_days(self, cal: WorkCalendar) -> int:
        return int(cal.count(self.start, self.as_of))

    def months(self) -> list[str]:
        """The ``YYYY-MM`` months the period's target is made of."""
        out, d = [], date(self.start.year, self.start.month, 1)
        while d <= self.end:
            out.append(f"{d.year}-{d.month:02d}")
            d = month_end(d) + timedelta(days=1)
        return out

    def as_dict(self, cal: WorkCalendar) -> dict[str, object]:
        return {
            "kind": self.kind,
            "key": self.key,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "as_of": self.as_of.isoformat(),
            "working_days": self.working_days(cal),
            "elapsed_working_days": self.elapsed_working_days(cal),
            "calendar_days": self.calendar_days,
        }


def _clip(as_of: date, start: date, end: date) -> date:
    return min(max(as_of, start - timedelta(days=1)), end)


def week_period(key: str, as_of: date) -> Period:
    start, end = parse_week(key)
    return Period(
        "week",
        f"{start.isocalendar()[0]}-W{start.isocalendar()[1]:02d}",
        start,
        end,
        _clip(as_of, start, end),
    )


def mtd_period(as_of: date) -> Period:
    start = date(as_of.year, as_of.month, 1)
    return Period("mtd", f"{as_of.year}-{as_of.month:02d}", start, month_end(start), as_of)


def qtd_period(as_of: date) -> Period:
    q = (as_of.month - 1) // 3
    start = date(as_of.year, 3 * q + 1, 1)
    end = month_end(date(as_of.year, 3 * q + 3, 1))
    return Period("qtd", f"{as_of.year}-Q{q + 1}", start, end, as_of)


def ytd_period(as_of: date) -> Period:
    return Period("ytd", str(as_of.year), date(as_of.year, 1, 1), date(as_of.year, 12, 31), as_of)


def periods_for_week(key: str, as_of: date) -> dict[PeriodKind, Period]:
    """The week, and month/quarter/year-to-date at the week's reference date.

    The reference date is ``as_of`` clipped into the week: for a finished week it is the Sunday, for the
    current week it is ``as_of``. MTD/QTD/YTD run to that date (a week spanning two months or years
    reports the MTD of the month/year its reference date falls in).
    """
    week = week_period(key, as_of)
    ref = max(week.as_of, week.start)
    if as_of < week.start:  # a future week: to-date periods stop at as_of
        ref = as_of
    return {"week": week, "mtd": mtd_period(ref), "qtd": qtd_period(ref), "ytd": ytd_period(ref)}


def default_as_of(now: datetime, config: Config) -> date:
    """Today once today's visit-report deadline has passed, else yesterday (see module docstring)."""
    today = now.date()
    return today if now.time() >= config.deadlines.visit_report else today - timedelta(days=1)
