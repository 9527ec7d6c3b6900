"""``salesflow status`` for a person: one block per question, both languages; and its exit code.

The data is :func:`automation.watch.status.collect`'s (the stable JSON shape); the words are the
catalog's (:mod:`automation.core.texts`).
"""

from __future__ import annotations

from typing import Any

from automation.core.exits import EXIT_ATTENTION, EXIT_FAULT, EXIT_OK, EXIT_WAITING
from automation.core.texts import both

EXIT_NOT_ALIVE = EXIT_ATTENTION
EXIT_STUCK = EXIT_FAULT


def render(data: dict[str, Any]) -> list[str]:
    """The human view: one block per question, both languages."""
    w = data["watcher"]
    if w["alive"]:
        alive = both("status-running", pid=w["pid"], age=w["heartbeat_age_seconds"])
    elif w["lock_held"]:
        alive = both("status-stuck", age=w["heartbeat_age_seconds"])
    else:
        alive = both("status-not-running")
    b = data["backlog"]
    site = data.get("site")
    lines = [alive + (" · " + both("status-site", site=site) if site else "")]
    if data.get("ledger_problem"):
        lines.append(both("status-ledger-problem", problem=data["ledger_problem"]))
    if w.get("problem"):
        lines.append(both("status-waiting", problem=w["problem"]))
        for p in w.get("problems", [])[1:]:
            lines.append("  " + both("status-also", message=p["message"]))
        for p in w.get("problems", []):
            if p.get("file_count"):
                shown = ", ".join(p["files"][:5])
                lines.append("  " + both("status-held-up", n=p["file_count"], since=p["since"], files=shown))
    lines.append(both("status-backlog", files=b["files"]) + (f" {b['by_folder']}" if b["files"] else ""))
    for f in w.get("waiting_on", [])[:10]:
        lines.append(
            "  " + both("status-waiting-on", file=f["file"], why=f["why"], seconds=f"{f['seconds']:.0f}")
        )
    if w["quarantined"]:
        lines.append(both("status-quarantined", files=", ".join(w["quarantined"])))
    for when in ("today", "total"):
        c = data["counts"][when]
        lines.append(
            both(f"status-counts-{when}", accepted=c["accepted"], rejected=c["rejected"],
                 duplicate=c["duplicate"], superseded=c["superseded"])
        )  # fmt: skip
    fix = data["awaiting_fix"]
    lines.append(both("status-awaiting", n=len(fix)))
    for f in fix:
        lines.append(
            f"  #{f['submission_id']} {f['folder']} {f['form'] or '?'} {f['period_key']} {f['file']} -> {f['feedback_path']}"
        )
    m = data["missing_today"]
    if not m["working_day"]:
        lines.append(both("status-not-working-day", today=data["today"]))
    else:
        late = both("status-past-deadline" if m["deadline_passed"] else "status-deadline")
        ids = ", ".join(f"{r['rep_id']} {r['name']}" for r in m["reps"]) or "-"
        lines.append(both("status-missing", late=late, deadline=m["deadline"], ids=ids))
    mail = data.get("mail") or {}
    if mail.get("pending"):
        lines.append(both("status-mail-pending", n=mail["pending"]))
    for m in mail.get("needs_a_person") or []:
        lines.append(
            both("status-mail-person", status=m["status"], key=m["key"], to=", ".join(m["recipients"]))
        )
    if data["conflicts"]:
        lines.append(both("status-conflicts", n=len(data["conflicts"])))
        for c in data["conflicts"]:
            lines.append(
                "  " + both("status-conflict", customer=c["customer_id"], owner=c["owner"],
                            claimed_by=c["claimed_by"], submission=c["submission_id"])
            )  # fmt: skip
    copies = data.get("conflict_copies", [])
    if copies:
        lines.append(both("status-copies", n=len(copies)))
        for c in copies:
            lines.append(
                "  " + both("status-copy", submission=c["submission_id"], folder=c["folder"], file=c["file"],
                            status=c["status"], copy_of=c["copy_of"])
            )  # fmt: skip
    others = data.get("sites") or []
    if len(others) > 1 or (others and others[0]["site"] != site):
        lines.append(both("status-sites", n=len(others)))
        for o in others:
            key = "status-site-alive" if o["alive"] else "status-site-down"
            lines.append(
                "  " + both(key, site=o["site"], state=o["state"] or "?", host=o["host"], pid=o["pid"],
                            age=o["heartbeat_age_seconds"], backlog=o.get("backlog"))
            )  # fmt: skip
            if o.get("problem"):  # what that site's watcher waits on (a full disk, its ledger down)
                lines.append("    " + both("status-site-waiting", problem=o["problem"]))
    reports = data.get("reports") or {}
    if reports.get("pending"):
        weeks = sorted({p["week"] for p in reports["pending"]})
        lines.append(both("status-reports-pending", n=len(reports["pending"]), weeks=", ".join(weeks)))
    for h in reports.get("held_open") or []:
        lines.append(both("status-held-open", target=h["target"], written=h["written"], at=h["at"]))
    return lines


def exit_code(data: dict[str, Any]) -> int:
    """0 alive and well, 1 not running, 3 stuck, 4 alive but waiting on its environment."""
    w = data["watcher"]
    if w["alive"]:
        return EXIT_WAITING if w.get("problem") or data.get("ledger_problem") else EXIT_OK
    return EXIT_STUCK if w.get("stuck") else EXIT_NOT_ALIVE
