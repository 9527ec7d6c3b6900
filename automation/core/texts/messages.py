"""What the product says to people outside the forms: the commands' lines, the watcher's log for
the back office, ``status``, and what the ledger tells a rep about a file (see :mod:`automation.core.texts`)."""

from __future__ import annotations

from automation.core.texts.base import Text

MESSAGES: dict[str, Text] = {
    # ----- every command ------------------------------------------------------------------------
    "config-error": Text("配置错误", "config error in {path}:"),
    "unknown-folder": Text("未知文件夹", "unknown folder {folder!r}; allowed: {allowed}"),
    # ----- salesflow check ----------------------------------------------------------------------
    "check-no-ledger": Text(
        "注意：尚无客户台账，客户编号和名称无法核对，只作提醒。",
        "Note: no ledger yet, so customers cannot be checked; unknown ones are shown as warnings.",
    ),
    "check-unreadable-file": Text("无法识别的文件", "unreadable file"),
    "check-accepted": Text("√ 通过 {path}（{form}）", "√ accepted {path} ({form})"),
    "check-warnings": Text("：{n} 个提醒", ": {n} warning(s)"),
    "check-rejected": Text(
        "× 退回 {path}（{form}）：{errors} 个错误，{warnings} 个提醒",
        "× rejected {path} ({form}): {errors} error(s), {warnings} warning(s)",
    ),
    "check-the-file": Text("文件", "file"),
    "check-issue": Text("  {severity} {where}：{message}", "  {severity} {where}: {message}"),
    "check-fix": Text("      改法：{fix}", "      fix: {fix}"),
    "check-feedback": Text("  反馈：{path}", "  feedback: {path}"),
    "check-failed": Text(
        "! 未能检查 {path}：系统内部错误（{what}），不是表单的问题；请把文件交给后台。",
        "! not checked {path}: an internal error ({what}), not a problem of the form; hand the file to the back office.",
    ),
    # ----- what became of a file (the words: automation.core.outcomes) -----------------------------
    "outcome-accepted": Text("通过", "accepted"),
    "outcome-rejected": Text("退回", "rejected"),
    "outcome-duplicate": Text("重复", "duplicates"),
    "outcome-ignored": Text("跳过", "ignored"),
    "outcome-failed": Text("失败", "failed"),
    # ----- salesflow ingest ---------------------------------------------------------------------
    "ingest-feedback": Text("反馈", "feedback"),
    "ingest-failed": Text(
        "失败的文件留在原处，将重试；详见日志", "failed files stay where they are for a retry; see {logs}"
    ),
    "ingest-reports": Text("汇总", "reports: {n} file(s) in {folders}"),
    # ----- salesflow watch ----------------------------------------------------------------------
    "watch-nothing": Text("无新表单", "nothing to do"),
    "watch-done": Text("完成", "done: {counts}"),
    "watch-quarantined": Text("隔离", "quarantined ({n}): {files}"),
    "watch-waiting": Text("留待下次", "left for the next run ({n}): {files}"),
    "watch-error": Text("错误", "error: {error}"),
    # ----- salesflow status ---------------------------------------------------------------------
    "status-running": Text("监视程序运行中", "watcher running (pid {pid}, heartbeat {age}s ago)"),
    "status-stuck": Text(
        "监视程序卡住了",
        "watcher STUCK: a process holds its lock but its heartbeat is {age}s old (hung, not dead: see its log, then restart it)",
    ),
    "status-not-running": Text("监视程序未运行", "watcher NOT running"),
    "status-site": Text("站点 {site}", "site {site}"),
    "status-ledger-problem": Text(
        "台账无法访问，表单留在收件箱",
        "LEDGER UNREACHABLE, forms stay in the inbox until it is back: {problem}",
    ),
    "status-ledger-unreadable": Text(
        "台账无法读取，请把此信息交给后台",
        "the ledger cannot be read ({what}); hand this message to the back office",
    ),
    "status-sites": Text("各站点", "sites sharing this ledger: {n}"),
    "status-site-alive": Text(
        "站点 {site} 运行中",
        "{site}: alive, {host} pid {pid}, heartbeat {age}s ago, backlog {backlog}",
    ),
    "status-site-down": Text(
        "站点 {site} 未运行",
        "{site}: NOT alive ({state}), {host} pid {pid}, heartbeat {age}s ago, backlog {backlog}",
    ),
    "status-site-waiting": Text("该站点正在等待", "waiting: {problem}"),
    "status-waiting": Text("正在等待，修复后自动恢复", "WAITING, resumes by itself once fixed: {problem}"),
    "status-also": Text("另外", "also: {message}"),
    "status-held-up": Text("{n} 个文件自 {since} 起未处理", "{n} file(s) held up since {since}: {files}"),
    "status-backlog": Text("待处理", "backlog: {files} file(s)"),
    "status-waiting-on": Text("等待中", "waiting: {file}: {why} ({seconds}s)"),
    "status-quarantined": Text("隔离", "quarantined: {files}"),
    "status-counts-today": Text(
        "今日",
        "today: accepted {accepted}, rejected {rejected}, duplicate {duplicate}, superseded {superseded}",
    ),
    "status-counts-total": Text(
        "累计",
        "total: accepted {accepted}, rejected {rejected}, duplicate {duplicate}, superseded {superseded}",
    ),
    "status-awaiting": Text("待修改后重交", "rejected, awaiting a fix: {n}"),
    "status-not-working-day": Text("{today} 非工作日", "not a working day"),
    "status-past-deadline": Text("已过截止时间", "past the deadline"),
    "status-deadline": Text("截止", "deadline"),
    "status-missing": Text("今日未交日报", "no visit report today ({late} {deadline}): {ids}"),
    "status-mail-pending": Text("待发邮件", "mail waiting to be sent: {n}"),
    "status-mail-person": Text(
        "邮件需人工确认",
        "mail needs a person ({status}): {key} -> {to}; check with the recipient, then `salesflow mail --resend KEY`",
    ),
    "status-conflicts": Text("客户归属冲突，待经理处理", "customer ownership conflicts for the manager: {n}"),
    "status-conflict": Text(
        "客户 {customer} 属于 {owner}，{claimed_by} 也申报了",
        "{customer}: owner {owner}, claimed by {claimed_by} (#{submission})",
    ),
    "status-copies": Text(
        "可能是同步冲突副本，请与业务员核对", "possible sync-client conflict copies, check with the rep: {n}"
    ),
    "status-copy": Text(
        "{folder}/{file} 可能是 {copy_of} 的副本",
        "#{submission} {folder}/{file} ({status}), a copy of {copy_of}?",
    ),
    "status-reports-pending": Text("待汇总", "workbooks to rebuild: {n} region-week(s) ({weeks})"),
    "status-held-open": Text(
        "汇总工作簿被打开，新版已另存",
        "workbook open elsewhere, written beside it: {target} -> {written} ({at})",
    ),
    # ----- salesflow figures (terminal table; the workbooks' and the mail's words: .workbooks, .mail)
    "figures-period-week": Text("本周", "week"),
    "figures-period-mtd": Text("本月至今", "month to date"),
    "figures-period-qtd": Text("本季至今", "quarter to date"),
    "figures-period-ytd": Text("本年至今", "year to date"),
    "figures-working-days": Text("工作日", "working days"),
    "figures-col-level": Text("level", "level"),  # a terminal's narrow headers: the key words as they are
    "figures-col-owner": Text("id", "id"),
    "figures-col-name": Text("名称", "name"),
    "figures-col-visits": Text("拜访", "visits"),
    "figures-col-effective": Text("有效", "eff%"),
    "figures-col-sales": Text("销售额", "sales"),
    "figures-col-target": Text("目标", "target"),
    "figures-col-attainment": Text("达成", "att%"),
    "figures-col-status": Text("status", "status"),
    "figures-col-new": Text("新客", "new"),
    "figures-col-on-time": Text("准时", "on-time"),
    "figures-abc": Text("ABC 分级", "ABC"),
    "figures-overdue": Text("逾期未访", "overdue"),
    "figures-never-visited": Text("从未拜访", "never visited"),
    "figures-churn": Text("流失风险", "churn risk"),
    # ----- salesflow consolidate ----------------------------------------------------------------
    "consolidate-week-or-all": Text(
        "--week 与 --all-weeks 只能选一个", "give --week or --all-weeks, not both"
    ),
    "consolidate-beside": Text("原文件正被打开，已另存", "{name} is open: written beside it"),
    "consolidate-written": Text("已写入 {n} 个文件", "{n} file(s) written in {folders}"),
    # ----- salesflow mail -----------------------------------------------------------------------
    "mail-week-or-date": Text("--week 和 --date 只能选一个", "use either --week or --date, not both"),
    "mail-bad-date": Text("日期格式应为 2026-11-23", "--date must look like 2026-11-23, got {day!r}"),
    "mail-resend": Text("将重发", "will resend: {key}"),
    "mail-not-resendable": Text("无此待查邮件", "not unsure or failed: {key}"),
    "mail-written": Text("写入", "written: {path}"),
    "mail-kept": Text("已写入或已发送，保持不变", "already written or sent, left as they are: {n}"),
    "mail-sent": Text("已发送", "sent: {key}"),
    "mail-not-sent": Text("发送失败", "NOT sent: {key}: {why}"),
    "mail-nothing": Text("没有需要写的邮件", "nothing to write"),
    "mail-nothing-now": Text("没有需要写的邮件", "nothing to write (nothing is due now)"),
    "mail-outbox": Text("发件箱", "outbox: {outbox}"),
    "mail-attention": Text(
        "需要人工确认", "needs a person (check with the recipient, then `salesflow mail --resend KEY`):"
    ),
    # ----- salesflow ledger copy ----------------------------------------------------------------
    "ledger-copied": Text(
        "已复制并核对",
        "copied and verified: {rows} rows, row counts equal, figures of {week} equal. "
        "Now set ledger_url in config.yaml to the target.",
    ),
    # ----- salesflow init, templates, service ----------------------------------------------------
    "init-installation": Text("安装目录", "installation: {path}"),
    "init-config": Text("配置文件", "config: {path}  [{state}]"),
    "init-created": Text("新建", "created"),
    "init-kept-config": Text("保留（未改动）", "kept as it was"),
    "init-shared": Text("共享文件夹", "shared folder: {path}"),
    "init-inboxes": Text("收件箱", "inboxes: {path}/<id>/"),
    "init-templates": Text("模板", "templates: {path}/zh/, {path}/en/"),
    "init-counts": Text("新建 {new} 个，保留 {kept} 个", "created: {new}; kept: {kept}"),
    "init-next": Text(
        "下一步：编辑 config.yaml 中的销售员与区域，然后运行", "next: edit the reps and regions, then run:"
    ),
    "templates-unknown-id": Text("未知编号", "unknown ID: {id}"),
    "templates-written": Text("已生成 {n} 个模板", "wrote {n} template(s) into {out}:"),
    "service-written": Text("写入", "written: {path}"),
    "service-how": Text(
        "安装方法见文件开头的注释和 README「让监视程序一直运行」",
        "how to install: see the comment at the top of each file and the README's section on running the watcher for real",
    ),
}
