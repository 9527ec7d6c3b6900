"""The one clock every "now" comes from.

Deadlines, future-date checks and the current week must all agree, and a recorded day must be
replayable in tests: so nothing calls ``datetime.now()`` directly; it calls :func:`now`, which
honours ``SALESFLOW_NOW`` (ISO 8601, e.g. ``2026-11-23T18:30``).
"""

from __future__ import annotations

import os
from datetime import date, datetime

from automation.core.texts.errors import ERRORS

ENV_VAR = "SALESFLOW_NOW"


class ClockError(ValueError):
    """SALESFLOW_NOW holds something that is not an ISO 8601 date or time."""


def now() -> datetime:
    """Naive local time: the value of ``SALESFLOW_NOW`` if set, else the system clock."""
    raw = os.environ.get(ENV_VAR, "").strip()
    if not raw:
        return datetime.now().replace(microsecond=0)
    try:
        value = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ClockError(ERRORS["clock-not-iso"].format(var=ENV_VAR, raw=raw)) from exc
    if value.tzinfo is not None:
        value = value.astimezone().replace(tzinfo=None)
    return value


def today() -> date:
    """The date part of :func:`now`."""
    return now().date()
