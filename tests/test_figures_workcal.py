"""Working-day calendar, ISO weeks and periods (automation/workcal.py)."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pytest

from automation.core.workcal import (
    WeekError,
    WorkCalendar,
    default_as_of,
    mtd_period,
    parse_week,
    periods_for_week,
    qtd_period,
    week_key,
    week_keys,
    week_period,
    weeks_in_year,
    ytd_period,
)


@pytest.fixture
def oct_config(config):  # type: ignore[no-untyped-def]
    """The hand-worked cases below use their own October calendar, independent of config.yaml."""
    from automation.core.config import Calendar

    cal = Calendar(
        holidays=[date(2026, 10, d) for d in (1, 2, 5, 6, 7, 8)],
        workdays=[date(2026, 9, 27), date(2026, 10, 10)],
    )
    return config.model_copy(update={"calendar": cal})


def test_iso_weeks_2026_has_53() -> None:
    assert weeks_in_year(2026) == 53 and weeks_in_year(2027) == 52
    assert parse_week("2026-W48") == (date(2026, 11, 23), date(2026, 11, 29))
    # the year-end week: Monday 28 Dec 2026 .. Sunday 3 Jan 2027
    assert parse_week("2026-W53") == (date(2026, 12, 28), date(2027, 1, 3))
    assert parse_week("2027-W01") == (date(2027, 1, 4), date(2027, 1, 10))
    assert week_key(date(2027, 1, 1)) == "2026-W53"
    assert week_key(date(2027, 1, 4)) == "2027-W01"
    assert parse_week("2026w5") == (date(2026, 1, 26), date(2026, 2, 1))


@pytest.mark.parametrize("bad", ["2027-W53", "2026-W00", "W48", "2026-48", ""])
def test_bad_week_keys(bad: str) -> None:
    with pytest.raises(WeekError):
        parse_week(bad)


def test_week_keys_vectorised_matches_scalar() -> None:
    days = np.arange(np.datetime64("2020-12-20"), np.datetime64("2027-01-10"), 37)
    expected = [week_key(x.astype(date)) for x in days]
    assert list(week_keys(days)) == expected


def test_holidays_and_make_up_workdays(oct_config) -> None:  # type: ignore[no-untyped-def]
    cal = WorkCalendar(oct_config)
    # calendar: holidays 1,2,5,6,7,8 Oct 2026; make-up workdays Sun 27 Sep and Sat 10 Oct
    assert cal.is_workday(date(2026, 9, 27)) and cal.is_workday(date(2026, 10, 10))
    assert not cal.is_workday(date(2026, 10, 1)) and not cal.is_workday(date(2026, 10, 3))
    # W39 (21-27 Sep): Mon-Fri 5 + make-up Sunday 27 Sep = 6
    assert cal.count(date(2026, 9, 21), date(2026, 9, 27)) == 6
    # W40 (28 Sep - 4 Oct): Mon 28, Tue 29, Wed 30 work; Thu 1 / Fri 2 holidays; weekend = 3
    assert cal.count(date(2026, 9, 28), date(2026, 10, 4)) == 3
    # W41 (5-11 Oct): Mon-Thu holidays; Fri 9 works; Sat 10 make-up = 2
    assert cal.count(date(2026, 10, 5), date(2026, 10, 11)) == 2
    # October 2026: 22 weekdays - 6 holidays + 1 make-up Saturday = 17
    assert cal.count(date(2026, 10, 1), date(2026, 10, 31)) == 17
    assert cal.count(date(2026, 11, 1), date(2026, 11, 30)) == 21
    assert cal.count(date(2026, 11, 5), date(2026, 11, 4)) == 0  # end before start
    # vectorised counts agree with scalar ones
    starts = np.array(["2026-09-21", "2026-09-28", "2026-10-05"], dtype="datetime64[D]")
    ends = starts + np.timedelta64(6, "D")
    assert list(cal.count(starts, ends)) == [6, 3, 2]


def test_calendar_far_years_grow_on_demand(config) -> None:  # type: ignore[no-untyped-def]
    cal = WorkCalendar(config)
    # 2040-01-02 is a Monday; one week has 5 working days
    assert cal.count(date(2040, 1, 2), date(2040, 1, 8)) == 5
    assert cal.count(date(2015, 6, 1), date(2015, 6, 7)) == 5


def test_periods_and_elapsed_working_days(oct_config) -> None:  # type: ignore[no-untyped-def]
    cal = WorkCalendar(oct_config)
    as_of = date(2026, 11, 23)  # Monday
    wk = week_period("2026-W48", as_of)
    assert (wk.start, wk.end, wk.as_of) == (date(2026, 11, 23), date(2026, 11, 29), as_of)
    assert wk.elapsed_working_days(cal) == 1 and wk.working_days(cal) == 5  # as_of counts
    assert wk.calendar_days == 1
    m = mtd_period(as_of)
    # Nov 1..23: 16 working days of 21
    assert (m.key, m.elapsed_working_days(cal), m.working_days(cal)) == ("2026-11", 16, 21)
    q = qtd_period(as_of)
    # Oct 17 + Nov 16 = 33 of Oct 17 + Nov 21 + Dec 23 = 61
    assert (q.key, q.elapsed_working_days(cal), q.working_days(cal)) == ("2026-Q4", 33, 61)
    y = ytd_period(as_of)
    assert y.key == "2026" and y.start == date(2026, 1, 1) and y.end == date(2026, 12, 31)
    past = week_period("2026-W47", as_of)
    assert past.as_of == date(2026, 11, 22) and past.calendar_days == 7
    assert past.elapsed_working_days(cal) == past.working_days(cal) == 5
    future = week_period("2026-W50", as_of)
    assert future.elapsed_working_days(cal) == 0 and future.calendar_days == 0


def test_periods_for_a_week_spanning_the_year_end(config) -> None:  # type: ignore[no-untyped-def]
    p = periods_for_week("2026-W53", date(2027, 2, 1))
    assert p["week"].as_of == date(2027, 1, 3)
    # the finished week's reference date is its Sunday, in January 2027
    assert (p["mtd"].key, p["qtd"].key, p["ytd"].key) == ("2027-01", "2027-Q1", "2027")
    assert p["week"].months() == ["2026-12", "2027-01"]


def test_default_as_of_counts_today_only_after_the_deadline(config) -> None:  # type: ignore[no-untyped-def]
    assert default_as_of(datetime(2026, 11, 23, 21, 0), config) == date(2026, 11, 23)
    assert default_as_of(datetime(2026, 11, 23, 20, 0), config) == date(2026, 11, 23)
    assert default_as_of(datetime(2026, 11, 23, 9, 0), config) == date(2026, 11, 22)
