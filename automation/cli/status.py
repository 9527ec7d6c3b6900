"""``salesflow status [--json]``: is the watcher alive, what waits, what was counted, who must act.

Thin: :func:`automation.status.collect` builds the answer; this prints it. ``--json`` prints the
stable, documented shape (see :mod:`automation.status`; top-level keys ``schema`` (= 1),
``generated_at``, ``today``, ``watcher``, ``backlog``, ``counts``, ``awaiting_fix``,
``missing_today``, ``conflicts``, ``reports``) for the back office's monitoring.

Exit codes: 0 the watcher is alive; 1 it is not (so a cron job or monitor can alert); 2 config error
or the ledger cannot be opened.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from automation.ledger import LedgerError
from automation.status import collect

EXIT_NOT_ALIVE = 1
EXIT_ERROR = 2


def render(data: dict[str, Any]) -> list[str]:
    """The human view: one block per question, both languages."""
    w = data["watcher"]
    if w["alive"]:
        alive = (
            f"监视程序运行中 / watcher running (pid {w['pid']}, heartbeat {w['heartbeat_age_seconds']}s ago)"
        )
    elif w["lock_held"]:
        alive = "监视程序无心跳 / watcher holds the lock but its heartbeat is stale"
    else:
        alive = "监视程序未运行 / watcher NOT running"
    b = data["backlog"]
    lines = [alive, f"待处理 / backlog: {b['files']} file(s)" + (f" {b['by_folder']}" if b["files"] else "")]
    if w["quarantined"]:
        lines.append(f"隔离 / quarantined: {', '.join(w['quarantined'])}")
    for when, zh in (("today", "今日"), ("total", "累计")):
        c = data["counts"][when]
        lines.append(
            f"{zh} / {when}: accepted {c['accepted']}, rejected {c['rejected']}, duplicate {c['duplicate']}, "
            f"superseded {c['superseded']}"
        )
    fix = data["awaiting_fix"]
    lines.append(f"待修改后重交 / rejected, awaiting a fix: {len(fix)}")
    for f in fix:
        lines.append(
            f"  #{f['submission_id']} {f['folder']} {f['form'] or '?'} {f['period_key']} {f['file']} -> {f['feedback_path']}"
        )
    m = data["missing_today"]
    if not m["working_day"]:
        lines.append(f"{data['today']} 非工作日 / not a working day")
    else:
        late = "已过截止时间 / past the deadline" if m["deadline_passed"] else "截止 / deadline"
        ids = ", ".join(f"{r['rep_id']} {r['name']}" for r in m["reps"]) or "-"
        lines.append(f"今日未交日报 / no visit report today ({late} {m['deadline']}): {ids}")
    if data["conflicts"]:
        lines.append(
            f"客户归属冲突，待经理处理 / customer ownership conflicts for the manager: {len(data['conflicts'])}"
        )
        for c in data["conflicts"]:
            lines.append(
                f"  {c['customer_id']}: owner {c['owner']}, claimed by {c['claimed_by']} (#{c['submission_id']})"
            )
    reports = data.get("reports") or {}
    if reports.get("pending"):
        weeks = sorted({p["week"] for p in reports["pending"]})
        lines.append(
            f"待汇总 / workbooks to rebuild: {len(reports['pending'])} region-week(s) ({', '.join(weeks)})"
        )
    for h in reports.get("held_open") or []:
        lines.append(
            f"汇总工作簿被打开，新版已另存 / workbook open elsewhere, written beside it: {h['target']} -> {h['written']} ({h['at']})"
        )
    return lines


@click.command("status")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the stable JSON shape (schema 1) for monitoring."
)
@click.pass_obj
def command(app, as_json: bool) -> None:  # type: ignore[no-untyped-def]
    """运行状态 / Watcher health, backlog, counts, forms awaiting a fix, missing reports."""
    try:
        data = collect(app.config)
    except LedgerError as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_ERROR)
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for line in render(data):
            click.echo(line)
    if not data["watcher"]["alive"]:
        sys.exit(EXIT_NOT_ALIVE)
