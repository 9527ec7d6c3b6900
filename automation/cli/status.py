"""``salesflow status [--json]``: is the watcher alive, what waits, what was counted, who must act.

Thin: :func:`automation.status.collect` builds the answer; this prints it. ``--json`` prints the
stable, documented shape (see :mod:`automation.status`; top-level keys ``schema`` (= 1),
``generated_at``, ``today``, ``watcher``, ``backlog``, ``counts``, ``awaiting_fix``,
``missing_today``, ``conflicts``, ``conflict_copies``, ``reports``) for the back office's monitoring.

Exit codes (a monitor can alert on any non-zero code alone):

- 0 the watcher is alive and nothing holds it up;
- 1 it is not running (dead: no process holds its lock);
- 2 config error, or the ledger cannot be read;
- 3 it is stuck: a process holds the lock, but its heartbeat is older than 30 s (hung; see its log);
- 4 it is alive but waiting on its environment (a full disk, a locked ledger, a read-only folder,
  a vanished share: ``watcher.problem`` says which; it resumes by itself when that is fixed).
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
EXIT_STUCK = 3
EXIT_WAITING = 4


def render(data: dict[str, Any]) -> list[str]:
    """The human view: one block per question, both languages."""
    w = data["watcher"]
    if w["alive"]:
        alive = (
            f"监视程序运行中 / watcher running (pid {w['pid']}, heartbeat {w['heartbeat_age_seconds']}s ago)"
        )
    elif w["lock_held"]:
        alive = (
            f"监视程序卡住了 / watcher STUCK: a process holds its lock but its heartbeat is "
            f"{w['heartbeat_age_seconds']}s old (hung, not dead: see its log, then restart it)"
        )
    else:
        alive = "监视程序未运行 / watcher NOT running"
    b = data["backlog"]
    site = data.get("site")
    lines = [alive + (f" · 站点 / site {site}" if site else "")]
    if data.get("ledger_problem"):
        lines.append(
            f"台账无法访问，表单留在收件箱 / LEDGER UNREACHABLE, forms stay in the inbox until it is back: {data['ledger_problem']}"
        )
    if w.get("problem"):
        lines.append(f"正在等待，修复后自动恢复 / WAITING, resumes by itself once fixed: {w['problem']}")
        for p in w.get("problems", [])[1:]:
            lines.append(f"  also: {p['message']}")
        for p in w.get("problems", []):
            if p.get("file_count"):
                lines.append(
                    f"  {p['file_count']} file(s) held up since {p['since']}: {', '.join(p['files'][:5])}"
                )
    lines.append(f"待处理 / backlog: {b['files']} file(s)" + (f" {b['by_folder']}" if b["files"] else ""))
    for f in w.get("waiting_on", [])[:10]:
        lines.append(f"  等待中 / waiting: {f['file']}: {f['why']} ({f['seconds']:.0f}s)")
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
    mail = data.get("mail") or {}
    if mail.get("pending"):
        lines.append(f"待发邮件 / mail waiting to be sent: {mail['pending']}")
    for m in mail.get("needs_a_person") or []:
        lines.append(
            f"邮件需人工确认 / mail needs a person ({m['status']}): {m['key']} -> {', '.join(m['recipients'])}; "
            "check with the recipient, then `salesflow mail --resend KEY`"
        )
    if data["conflicts"]:
        lines.append(
            f"客户归属冲突，待经理处理 / customer ownership conflicts for the manager: {len(data['conflicts'])}"
        )
        for c in data["conflicts"]:
            lines.append(
                f"  {c['customer_id']}: owner {c['owner']}, claimed by {c['claimed_by']} (#{c['submission_id']})"
            )
    copies = data.get("conflict_copies", [])
    if copies:
        lines.append(
            f"可能是同步冲突副本，请与业务员核对 / possible sync-client conflict copies, check with the rep: {len(copies)}"
        )
        for c in copies:
            lines.append(
                f"  #{c['submission_id']} {c['folder']}/{c['file']} ({c['status']}), a copy of {c['copy_of']}?"
            )
    others = data.get("sites") or []
    if len(others) > 1 or (others and others[0]["site"] != site):
        lines.append(f"各站点 / sites sharing this ledger: {len(others)}")
        for o in others:
            state = "alive" if o["alive"] else f"NOT alive ({o['state'] or '?'})"
            extra = f", waiting: {o['problem']}" if o.get("problem") else ""
            lines.append(
                f"  {o['site']}: {state}, {o['host']} pid {o['pid']}, heartbeat {o['heartbeat_age_seconds']}s ago, "
                f"backlog {o.get('backlog')}{extra}"
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


def exit_code(data: dict[str, Any]) -> int:
    """See the module docstring."""
    w = data["watcher"]
    if w["alive"]:
        return EXIT_WAITING if w.get("problem") or data.get("ledger_problem") else 0
    return EXIT_STUCK if w.get("stuck") else EXIT_NOT_ALIVE


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
    code = exit_code(data)
    if code:
        sys.exit(code)
