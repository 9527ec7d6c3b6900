"""Rejected forms awaiting a fix: ``salesflow status`` lists them, the weekly mail tells each rep.

A rejected form "awaits a fix" until a submission of the same form, rep and period (for forms
without a period: the same form and rep; for an unreadable file: the same folder and file name)
is accepted after it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from automation.core.outcomes import COUNTED, REJECTED
from automation.ledger import schema as t

_S = t.submissions.c
ROWS = sa.select(
    _S.id, _S.status, _S.form, _S.rep_id, _S.folder, _S.period_key, _S.received_at, _S.original_name,
    _S.archive_path, _S.feedback_path, _S.error_count,
).order_by(_S.id)  # fmt: skip


def awaiting_fix(ledger: Any) -> list[dict[str, Any]]:
    """The ledger's rejected forms awaiting a fix (see the module docstring), oldest first."""
    with ledger.read() as conn:
        return awaiting(conn.execute(ROWS).all())


def awaiting(rows: Sequence[Any]) -> list[dict[str, Any]]:
    """:func:`awaiting_fix` of submission rows read already (with :data:`ROWS`' columns)."""

    def key(r: Any) -> tuple[str, ...]:
        return ("", r.folder, r.original_name) if not r.form else (r.form, r.rep_id, r.period_key)

    last_accepted: dict[tuple[str, ...], int] = {}
    for r in rows:
        if r.status in COUNTED:
            last_accepted[key(r)] = max(last_accepted.get(key(r), 0), r.id)
    out = []
    for r in rows:
        if r.status == REJECTED and last_accepted.get(key(r), 0) < r.id:
            out.append(
                {
                    "submission_id": r.id, "folder": r.folder, "rep_id": r.rep_id, "form": r.form or None,
                    "period_key": r.period_key, "received_at": r.received_at.isoformat(timespec="seconds"),
                    "file": r.original_name, "rejected_path": r.archive_path, "feedback_path": r.feedback_path,
                    "errors": r.error_count,
                }
            )  # fmt: skip
    return out
