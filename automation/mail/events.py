"""Messages that follow a processed form: escalations, rejection notices, register receipts.

They are built from the ledger's record of each submission (not from the watcher's in-memory
outcomes), so a crash between recording a form and mailing about it loses nothing: the periodic
:func:`automation.mail.due` looks again at the submissions recorded in the last
:data:`EVENT_HORIZON` and builds whatever has no sent-log row yet.

- escalation: an accepted market report with a high-severity row, or an accepted complaint report
  that opened new complaints; to the rep's supervisor, and for high severity the region's
  managers too. The message shows that report's rows only (the rep's own scope).
- rejection: to the rep, with what to fix (read from the feedback workbook the pipeline wrote,
  whose first sheet lists every problem) and the workbook attached.
- receipt: an accepted customer register that created customers: to the rep, with the new ids.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from automation.core.config import Config
from automation.core.outcomes import COUNTED, REJECTED
from automation.core.texts.log import LOG
from automation.core.texts.mail import FORM_NAMES, labels
from automation.ledger import schema as t
from automation.mail import blocks, routing
from automation.mail.draft import Attachment, Draft

log = logging.getLogger("automation.mail")
EVENT_HORIZON = timedelta(hours=36)  # how far back the periodic sweep looks for unmailed events
MAX_PROBLEMS = 30  # problems listed in a rejection notice; the workbook has them all
_S = t.submissions.c


def recent_ids(ledger: Any, now: datetime) -> list[int]:
    """Submissions recorded since ``now - EVENT_HORIZON`` that could need a message."""
    with ledger.read() as conn:
        rows = conn.execute(
            sa.select(_S.id).where(
                _S.created_at >= now - EVENT_HORIZON,
                _S.created_at <= now,
                _S.site == ledger.config.site,  # the forms this site received (issue 18)
                sa.or_(_S.status == REJECTED,
                       sa.and_(_S.status.in_(COUNTED),
                               _S.form.in_(("market_report", "complaint", "customer_register")))),
            ).order_by(_S.id)
        ).all()  # fmt: skip
    return [r.id for r in rows]


def drafts(config: Config, ledger: Any, submission_ids: list[int]) -> list[Draft]:
    """Every event message the given submissions call for."""
    out: list[Draft] = []
    if not submission_ids:
        return out
    with ledger.read() as conn:
        subs = conn.execute(sa.select(t.submissions).where(_S.id.in_(submission_ids)).order_by(_S.id)).all()
        for s in subs:
            kind = "rejection" if s.status == REJECTED else {
                "market_report": "escalation", "complaint": "escalation", "customer_register": "receipt"
            }.get(s.form)  # fmt: skip
            if kind is None or kind not in config.mail.kinds:
                continue
            try:
                if kind == "rejection":
                    d = rejection(config, s)
                elif kind == "receipt":
                    d = receipt(config, s)
                elif s.form == "market_report":
                    d = market_escalation(config, conn, s)
                else:
                    d = complaint_escalation(config, conn, s)
            except Exception:  # one bad record must not stop the others' mail
                log.exception(LOG["mail-build-failed"], kind, s.id)
                continue
            if d is not None and d.addresses:
                out.append(d)
    return out


def _customers(conn: sa.Connection, ids: list[str]) -> dict[str, str]:
    ids = [i for i in ids if i]
    if not ids:
        return {}
    c = t.customers.c
    return {
        r.customer_id: r.name
        for r in conn.execute(sa.select(c.customer_id, c.name).where(c.customer_id.in_(ids)))
    }


def _base(config: Config, who: routing.Recipient, title: str, intro: str) -> dict[str, Any]:
    tx = labels(who.language)
    return {"lang": who.language, "t": tx, "company": config.company, "title": title, "intro": intro,
            "hello": tx["hello"].format(name=who.name), "notes": []}  # fmt: skip


def _escalation_draft(
    s: Any,
    day: str,
    name: str,
    who: routing.Recipient,
    to: list[Any],
    cc: list[Any],
    title: str,
    ctx: dict[str, Any],
) -> Draft:
    """The escalation of a submission (a market report's or a complaint's: one key, never two messages)."""
    return Draft(
        key=f"escalation:{s.id}", kind="escalation", period=day, template="escalation", lang=who.language,
        to=to, cc=[c for c in cc if c.email], subject=title, context=ctx, stem=f"escalation #{s.id} {s.rep_id} {name}",
    )  # fmt: skip


def market_escalation(config: Config, conn: sa.Connection, s: Any) -> Draft | None:
    m = t.market_reports.c
    rows = conn.execute(
        sa.select(t.market_reports)
        .where(m.submission_id == s.id, m.severity == "high")
        .order_by(m.row_number)
    ).all()
    if not rows:
        return None
    to, cc = routing.escalation(config, s.rep_id, high=True)
    if not to:
        return None
    who = to[0]
    tx = labels(who.language)
    rep = config.rep(s.rep_id)
    name = rep.name if rep else s.rep_id
    day = s.period_key or s.received_at.date().isoformat()
    names = _customers(conn, [r.customer_id for r in rows if r.customer_id])
    title = tx["subj_escalation_market"].format(name=name, day=day)
    ctx = _base(config, who, title, tx["intro_escalation_market"].format(name=name, rep_id=s.rep_id, day=day))
    ctx["items"] = [
        {"customer": names.get(r.customer_id or "", r.customer_text or "–"), "category": blocks.choice_label(config, "market_report", "category", r.category, who.language),
         "competitor": r.competitor or "", "description": r.description or "", "severity": tx["high"],
         "suggestion": r.suggestion or ""}
        for r in rows
    ]  # fmt: skip
    ctx["kind"] = "market"
    return _escalation_draft(s, day, name, who, to, cc, title, ctx)


def complaint_escalation(config: Config, conn: sa.Connection, s: Any) -> Draft | None:
    k = t.complaints.c
    rows = conn.execute(
        sa.select(t.complaints).where(k.first_submission_id == s.id).order_by(k.complaint_id)
    ).all()
    if not rows:
        return None
    high = any(r.severity == "high" for r in rows)
    to, cc = routing.escalation(config, s.rep_id, high=high)
    if not to:
        return None
    who = to[0]
    tx = labels(who.language)
    rep = config.rep(s.rep_id)
    name = rep.name if rep else s.rep_id
    day = s.received_at.date().isoformat()
    names = _customers(conn, [r.customer_id for r in rows if r.customer_id])
    title = tx["subj_escalation_complaint_high" if high else "subj_escalation_complaint"].format(
        name=name, day=day
    )
    ctx = _base(
        config, who, title, tx["intro_escalation_complaint"].format(name=name, rep_id=s.rep_id, day=day)
    )
    limits = config.thresholds.complaint_limits
    ctx["items"] = [
        {"id": r.complaint_id, "customer": names.get(r.customer_id or "", r.customer_text or "–"),
         "category": blocks.choice_label(config, "complaint", "category", r.category, who.language), "description": r.description or "",
         "severity": tx.get(r.severity or "", r.severity or "–"), "received": r.received.isoformat() if r.received else "–",
         "limit": str(limits.get(r.severity or "", "–"))}
        for r in rows
    ]  # fmt: skip
    ctx["kind"] = "complaint"
    return _escalation_draft(s, day, name, who, to, cc, title, ctx)


def rejection(config: Config, s: Any) -> Draft | None:
    who = routing.rep(config, s.rep_id or s.folder)
    if who is None or not who.email:
        return None  # a supervisor's or HQ's form: the back office sees it in `salesflow status`
    tx = labels(who.language)
    form = FORM_NAMES["en" if who.language == "en" else "zh"].get(s.form or "", s.form or "")
    title = tx["subj_rejection"].format(file=s.original_name)
    ctx = _base(config, who, title, tx["intro_rejection"].format(file=s.original_name, form=form))
    messages = json.loads(s.messages or "[]")
    ctx["messages"] = [str(m) for m in messages][:5]
    attach: list[Attachment] = []
    feedback = config.shared_root / s.feedback_path if s.feedback_path else None
    problems: list[dict[str, str]] = []
    if feedback is not None:
        attach.append(Attachment(feedback))
        problems = read_problems(feedback)
    ctx["problems"] = problems[:MAX_PROBLEMS]
    ctx["problems_more"] = (
        tx["more"].format(n=len(problems) - MAX_PROBLEMS) if len(problems) > MAX_PROBLEMS else ""
    )
    day = s.received_at.date().isoformat()
    return Draft(
        key=f"rejection:{s.id}", kind="rejection", period=day, template="rejection", lang=who.language,
        to=[who], subject=title, context=ctx, attachments=attach, stem=f"rejection #{s.id} {who.id} {who.name}",
    )  # fmt: skip


def receipt(config: Config, s: Any) -> Draft | None:
    ids = [a for a in json.loads(s.assigned_ids or "[]") if a.get("kind") == "customer"]
    who = routing.rep(config, s.rep_id)
    if not ids or who is None or not who.email:
        return None
    tx = labels(who.language)
    title = tx["subj_receipt"].format(n=len(ids))
    ctx = _base(config, who, title, tx["intro_receipt"])
    ctx["ids"] = [
        {"id": str(a.get("id", "")), "name": str(a.get("name", "")), "row": str(a.get("row", ""))}
        for a in ids
    ]
    day = s.received_at.date().isoformat()
    return Draft(
        key=f"receipt:{s.id}", kind="receipt", period=day, template="receipt", lang=who.language,
        to=[who], subject=title, context=ctx, stem=f"receipt #{s.id} {who.id} {who.name}",
    )  # fmt: skip


def read_problems(path: Path) -> list[dict[str, str]]:
    """The problem list of a feedback workbook (:mod:`automation.feedback`): its first sheet holds
    a header row, then one row per problem whose first cell is its number (No., sheet, cell, row,
    column, value, problem, how to fix, severity). [] when the file cannot be read."""
    try:
        from python_calamine import CalamineWorkbook

        grid = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    except Exception:
        log.warning(LOG["mail-no-feedback"], path)
        return []
    out = []
    for row in grid:
        if len(row) >= 8 and isinstance(row[0], (int, float)) and not isinstance(row[0], bool):
            cells = ["" if c is None else str(c) for c in row]
            out.append(
                {
                    "cell": cells[2],
                    "column": cells[4],
                    "value": cells[5],
                    "problem": cells[6],
                    "fix": cells[7],
                }
            )
    return out
