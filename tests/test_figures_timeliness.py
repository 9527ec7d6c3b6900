"""Report timeliness (automation/figures/timeliness.py) on a hand-made week, 2026-W47 (16-22 Nov)."""

from __future__ import annotations

from datetime import date

from automation.core.workcal import WorkCalendar, week_period
from automation.score.common import rep_universe
from automation.score.timeliness import day_verdicts, timeliness
from tests.figures_cases import config, frames

REPS = [
    {"id": "R001", "name": "张伟", "region": "east", "go_live": "2026-10-01"},
    {"id": "R002", "name": "王芳", "region": "east", "go_live": "2026-11-18"},  # goes live on Wednesday
]


def _sub(
    i: int, rep: str, day: str, at: str, status: str = "accepted", form: str = "visit_report"
) -> dict[str, object]:
    return {"submission_id": i, "rep_id": rep, "region": "east", "form": form, "period_key": day,
            "received_at": f"{at}", "status": status, "optional_filled": 0.5}  # fmt: skip


SUBS = [
    _sub(1, "R001", "2026-11-16", "2026-11-16 19:30"),  # on time
    _sub(2, "R001", "2026-11-17", "2026-11-17 18:00", "rejected"),  # a rejected attempt does not count
    _sub(3, "R001", "2026-11-17", "2026-11-17 20:30"),  # first accepted after 20:00 -> late
    _sub(4, "R001", "2026-11-18", "2026-11-18 19:00", "superseded"),  # on time; the later version
    _sub(5, "R001", "2026-11-18", "2026-11-18 21:00"),  # does not change the day's verdict
    _sub(6, "R001", "2026-11-19", "2026-11-19 19:00", "duplicate"),  # a duplicate is no report
    _sub(7, "R001", "2026-11-19", "2026-11-19 22:00"),  # -> late
    # Fri 20th: nothing -> missing
    _sub(8, "R001", "2026-11-21", "2026-11-21 10:00"),  # Saturday is no working day: ignored
    _sub(9, "R002", "2026-11-18", "2026-11-18 20:00"),  # exactly at the deadline -> on time
    _sub(10, "R002", "2026-11-19", "2026-11-19 12:00", form="visit_plan"),  # a plan is no report
]


def test_timeliness_worked_by_hand() -> None:
    cfg = config(reps=REPS, supervisors=[], managers=[])
    f = frames(cfg, submissions=SUBS)
    period = week_period("2026-W47", date(2026, 11, 23))
    cal = WorkCalendar(cfg)
    days = day_verdicts(f, cfg, period, cal, rep_universe(f))
    r1 = days[days["rep_id"] == "R001"]["verdict"].tolist()
    assert r1 == ["on_time", "late", "on_time", "late", "missing"]
    # R002 counts from go-live Wednesday 18th: 18 on time, 19 and 20 missing
    assert days[days["rep_id"] == "R002"]["verdict"].tolist() == ["on_time", "missing", "missing"]
    out = timeliness(f, cfg, period, cal, rep_universe(f)).set_index(["level", "owner"])
    assert tuple(out.loc[("rep", "R001"), ["report_days", "on_time", "late", "missing"]]) == (5, 2, 2, 1)
    assert out.loc[("rep", "R001"), "on_time_rate"] == 0.4
    assert out.loc[("rep", "R002"), "on_time_rate"] == 1 / 3
    # company: 3 on time of 8 report days
    assert out.loc[("company", ""), "on_time_rate"] == 3 / 8


def test_a_holiday_week_has_fewer_report_days() -> None:
    cfg = config(reps=REPS[:1], supervisors=[], managers=[])
    f = frames(cfg, submissions=[_sub(1, "R001", "2026-10-10", "2026-10-10 17:00")])
    # 2026-W41 (5-11 Oct): holidays Mon-Thu, Fri 9 and the make-up Saturday 10th are working days
    period = week_period("2026-W41", date(2026, 11, 23))
    out = day_verdicts(f, cfg, period, WorkCalendar(cfg), rep_universe(f))
    assert out["date"].dt.day.tolist() == [9, 10]
    assert out["verdict"].tolist() == ["missing", "on_time"]
