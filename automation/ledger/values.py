"""Small conversions between form values and ledger columns (money as integer cents, keys for matching).

Kept apart so the writers and the frame extraction agree on one rule each: money is stored as
integer cents (no float drift when sums are compared with what a rep typed), names are matched after
:func:`automation.core.formspec.fold`, phones by their digits.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from automation.core.formspec import fold


def cents(value: Any) -> int | None:
    """Decimal/float/int yuan -> integer cents (half up); None for blank or unreadable."""
    if value is None or value == "":
        return None
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value))
        return int((d * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    except (InvalidOperation, ValueError):
        return None


def as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def as_int(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def as_bool(value: Any) -> bool | None:
    if value is None or value == "":
        return None
    return bool(value)


def name_key(name: Any) -> str:
    """How register names are compared (SPEC §2.1: normalised name)."""
    return fold(name or "")


def phone_key(phone: Any) -> str:
    """Digits only: '021-6234 5678' and '02162345678' are the same phone."""
    return re.sub(r"\D", "", str(phone or ""))


def iso_week(d: date) -> str:
    y, w, _ = d.isocalendar()
    return f"{y}-W{w:02d}"


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def say(code: str, **params: Any) -> str:
    """A ledger note for the rep from the one problem catalog, in both languages (``zh / en``)."""
    from automation.core.model import Issue
    from automation.core.problems import SEVERITY, render

    issue = Issue(code=code, severity=SEVERITY.get(code, "note"), params=params)
    return f"{render(issue, 'zh')[0]} / {render(issue, 'en')[0]}"
