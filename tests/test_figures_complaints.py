"""Complaints (automation/figures/complaints.py): open, overdue in working days, time to resolve."""

from __future__ import annotations

from datetime import date

from automation.core.workcal import WorkCalendar, week_period
from automation.score.common import rep_universe
from automation.score.complaints import complaints
from tests.figures_cases import config, frames


def _k(cid: str, rep: str, received: str, severity: str, status: str, resolved: str | None = None,
       satisfied: bool | None = None) -> dict[str, object]:  # fmt: skip
    return {"complaint_id": cid, "customer_id": "C1", "rep_id": rep, "received": received, "category": "quality",
            "severity": severity, "status": status, "resolved": resolved, "satisfied": satisfied}  # fmt: skip


ROWS = [
    # Mon 16 -> Wed 18 Nov: working days after receipt 17, 18 = 2 <= 2 (high): on time; 2 calendar days
    _k("K1", "R001", "2026-11-16", "high", "resolved", "2026-11-18", True),
    # Fri 13, open: 16..20 Nov = 5 working days to Sun 22 > 2 -> overdue
    _k("K2", "R002", "2026-11-13", "high", "open"),
    # Mon 2 -> Thu 12 Nov: 3,4,5,6,9,10,11,12 = 8 > 5 (medium): overdue, but done before the week
    _k("K3", "R001", "2026-11-02", "medium", "resolved", "2026-11-12"),
    # Thu 19, closed on the 24th (after the week's end): still open on the 22nd; 1 working day (20th)
    _k("K4", "R001", "2026-11-19", "low", "closed", "2026-11-24"),
    # Wed 30 Sep -> Sat 10 Oct: holidays 1,2,5-8 Oct; Fri 9 and the make-up Saturday 10th = 2 <= 5
    _k("K5", "R001", "2026-09-30", "medium", "resolved", "2026-10-10"),
]


def test_complaints_worked_by_hand() -> None:
    cfg = config()
    f = frames(cfg, complaints=ROWS)
    period = week_period("2026-W47", date(2026, 11, 23))
    rows, lst = complaints(f, cfg, period, WorkCalendar(cfg), rep_universe(f))
    by_id = lst.set_index("complaint_id")
    assert by_id["working_days"].to_dict() == {"K1": 2, "K2": 5, "K3": 8, "K4": 1, "K5": 2}
    assert by_id["overdue"].to_dict() == {"K1": False, "K2": True, "K3": True, "K4": False, "K5": False}
    assert by_id["is_open"].to_dict() == {"K1": False, "K2": True, "K3": False, "K4": True, "K5": False}
    out = rows.set_index(["level", "owner"])
    r1 = out.loc[("rep", "R001")]
    # received in the week: K1, K4; open at the end: K4; overdue among those open, received or resolved
    # in the week: none (K3 was overdue but closed before the week); resolved in the week: K1 in 2 days
    assert (r1.complaints_received, r1.complaints_open, r1.complaints_overdue, r1.complaints_resolved) == (
        2,
        1,
        0,
        1,
    )
    assert (r1.avg_days_to_resolve, r1.satisfaction_rate) == (2.0, 1.0)
    r2 = out.loc[("rep", "R002")]
    assert (r2.complaints_received, r2.complaints_open, r2.complaints_overdue) == (0, 1, 1)
    c = out.loc[("company", "")]
    assert (c.complaints_open, c.complaints_overdue, c.complaints_resolved, c.avg_days_to_resolve) == (
        2,
        1,
        1,
        2.0,
    )
