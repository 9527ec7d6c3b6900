"""When each kind of message is due, on the product clock (so a recorded day can be replayed).

- weekly: from ``mail.weekly_weekday`` at ``mail.weekly_time`` (default Monday 08:00), the
  summaries of the week before; a watcher that was down then catches up later that week.
- brief: on working days from ``mail.brief_time`` (default 08:30) until :data:`BRIEF_UNTIL`; a brief
  arriving after the morning meeting is noise, so a later start sends none that day.
- reminder: on working days from the visit-report deadline plus ``mail.reminder_delay_minutes``
  until midnight, for that day (yesterday's reminder is not sent the next morning: the brief
  already shows the missing report to the supervisor).
- escalation, rejection, receipt: at once, after each burst (and swept up within
  :data:`automation.mail.events.EVENT_HORIZON` should a crash have skipped that).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from automation.core.config import Config
from automation.core.workcal import WorkCalendar, week_key

BRIEF_UNTIL = time(12, 0)


@dataclass(frozen=True)
class Due:
    kind: str  # weekly | brief | reminder
    period: str  # ISO week (weekly) or date


def weekly_moment(config: Config, now: datetime) -> datetime:
    """The latest scheduled weekly send at or before ``now``."""
    m = config.mail
    monday = now.date() - timedelta(days=now.isoweekday() - 1)
    moment = datetime.combine(monday + timedelta(days=m.weekly_weekday - 1), m.weekly_time)
    return moment if moment <= now else moment - timedelta(days=7)


def due(config: Config, now: datetime) -> list[Due]:
    """What is due at ``now`` (kinds switched off in ``mail.kinds`` never are)."""
    kinds = set(config.mail.kinds)
    cal = WorkCalendar(config)
    today = now.date()
    out: list[Due] = []
    if "weekly" in kinds:
        moment = weekly_moment(config, now)
        out.append(Due("weekly", week_key(moment.date() - timedelta(days=7))))
    if "brief" in kinds and cal.is_workday(today) and config.mail.brief_time <= now.time() < BRIEF_UNTIL:
        out.append(Due("brief", today.isoformat()))
    if "reminder" in kinds and cal.is_workday(today) and now >= reminder_time(config, today):
        out.append(Due("reminder", today.isoformat()))
    return out


def reminder_time(config: Config, day: date) -> datetime:
    return datetime.combine(day, config.deadlines.visit_report) + timedelta(
        minutes=config.mail.reminder_delay_minutes
    )
