"""The log's lines for the back office (``salesflow.log``, the watcher's console): each one as it
is written, both languages on the line (see :mod:`automation.core.texts`).

Log lines keep ``%`` placeholders (``logging`` fills them only when the line is written); the few
lines a function returns as a string (:mod:`automation.watch.hooks`) use ``str.format``.
"""

from __future__ import annotations

LOG: dict[str, str] = {
    # ----- the watcher (automation.watch) ---------------------------------------------------------
    "watching": "watching %s (%s, settle %.1fs) / 开始监视",
    "stopped": "stopped / 已停止: %s",
    "misplaced": "not processed: %s is not directly in inbox/<your id>/ / 文件位置不对，未处理",
    "inbox-back": "inbox is back / 收件箱已恢复: %s",
    "no-ledger": "cannot open the ledger / 无法打开台账",
    "cannot-start": "cannot start processing / 无法开始处理",
    "signal": "signal %d: finishing the current file, then stopping / 收到停止信号",
    "polling": "native file events unavailable (%s); falling back to polling / 改用轮询",
    "observer-stopped": "file observer stopped unexpectedly; restarting / 文件监视线程已停止，正在重启",
    "observer-lost": "file observer could not restart (%s); relying on scans / 仅依靠定期扫描",
    "waiting": "waiting / 等待: %s; will retry by itself%s",
    "still-waiting": "still waiting / 仍在等待: %s (since %s%s)%s",
    "resolved": "resolved / 已恢复: %s (after %.0fs)",
    "retrying": "处理失败，稍后重试 / failed %s (attempt %d, retry in %.1fs): %s",
    "failed-gone": "处理失败，文件已不在收件箱 / failed %s, and it is gone from the inbox: %s",
    "quarantined": "已隔离，文件留在收件箱 / quarantined %s after %d attempts (file left in the inbox; see %s): %s",
    "quarantine-note-failed": "无法写入隔离说明 / could not write the quarantine note for %s: %s",
    "quarantine-copy-failed": "无法复制到隔离区 / could not copy %s into quarantine: %s",
    "heartbeat-failed": "心跳未写入 / heartbeat not written: %s",
    "heartbeat-ledger-failed": "心跳未写入台账，本地心跳已写 / heartbeat not written into the ledger (%s); the local one is",
    "repair-failed": "无法补完上次中断的归档，下次启动再试 / could not repair unfiled submissions",
    "filed-marks-pending": "归档标记暂未写入，下次写入时补上 / could not write the filed marks yet",
    "filed-marks-failed": "归档标记未写入，下次运行补上 / filed marks not written",
    "periodic-failed": "定时任务失败（表单已安全存入台账） / on_periodic failed (forms are safe in the ledger)",
    "batch-hook-failed": "批后任务失败（表单已安全存入台账） / on_batch_done failed (forms are safe in the ledger)",
    # ----- a form through the pipeline (automation.pipeline, automation.intake) -------------------
    "resuming": "继续上次中断的处理 / resuming %s: #%s already %s, filing it",
    "filed": "已归档 / submission #%s %s: %s -> %s",
    "unfiled-gone": "未归档且内容已丢失 / submission #%s is not filed and its content is gone",
    "file-failed": "归档失败 / could not file submission #%s",
    "repaired": "已补完中断的归档 / filed %d submission(s) a crash had left recorded but not filed",
    "changed-after-read": "文件读取后被改动，按读取时的内容归档，新内容作为新版本处理 / %s changed after it was read: "
    "#%s is filed from the content store, the new content stays in the inbox and is processed as a new version",
    "marking-filed-failed": "归档标记写入失败 / marking %d submission(s) filed failed",
    "read-ahead-slow": "预读进程过慢，改在本进程写反馈 / read-ahead process too slow on feedback; ended, writing it here",
    "read-ahead-no-start": "预读进程无法启动，改在本进程读取 / read-ahead process could not start; reading in this process",
    "check-failed": "无法检查 / could not check %s",
    "over-budget": "读取超时，已退回 / %s set aside: reading it took more than its budget of %g s (%s); rejected as %s",
    "unreadable": "无法读取，已退回 / %s cannot be read (%s); rejected as %s",
    # ----- after a burst (automation.watch.hooks) -------------------------------------------------
    "batch-done": "batch done / 本批完成: %s; %s",
    "mail-failed": "mail (%s) failed; the next run retries / 邮件失败，稍后重试",
    "mail-done": "mail / 邮件: written %d, sent %d, failed %d, unsure %d (outbox: %s)",
    "ingest-mail-failed": "导入后发邮件失败，监视程序会重试 / mail after ingest failed; the watcher retries",
    # ----- mail (automation.mail) -----------------------------------------------------------------
    "mail-orphans": "发送中断的邮件未重发，请核实后重发 / messages left mid-send by a stopped process, NOT re-sent "
    "(check, then `salesflow mail --resend KEY`): %s",
    "mail-retry": "邮件未发出，稍后重试 / mail %s not sent (%s); again in %.1fs",
    "mail-not-sent": "邮件未发出 / mail %s not sent: %s",
    "mail-unsure": "邮件未重发，需人工确认 / mail %s: %s — not re-sent; a person must check",
    "mail-no-attachment": "邮件附件缺失 / attachment missing for %s: %s",
    "mail-build-failed": "无法生成邮件 / could not build the %s message for submission #%s",
    "mail-no-feedback": "无法读取反馈工作簿，退回通知不附问题 / feedback workbook %s could not be read for the rejection notice",
    "weeks-rebuilt": "workbooks rebuilt / 已重建工作簿: {shown}{more} ({files} file(s) in {reports})",
    "no-weeks-to-rebuild": "no region-week to rebuild / 无待重建的区域周",
    "weeks-to-rebuild": "{n} region-week(s) to rebuild / 待重建的区域周: {shown}{more}",
    # ----- consolidation (automation.consolidate) -------------------------------------------------
    "consolidate-no-ledger": "汇总失败 / could not read the ledger to consolidate; retried after the next form",
    "consolidate-failed": "汇总失败 / consolidating %s failed; it stays marked and is retried after the next form",
    "consolidated": "汇总 / consolidated %s: %s",
    "consolidate-stale-mark": "待汇总标记所指的周不存在，已清除 / dirty mark for a week that does not exist: %r; cleared",
    "consolidate-mark-failed": "无法清除汇总标记 / could not clear the consolidated marks of %s",
    "weekly-mail-workbooks": "周报邮件所需工作簿已生成 / consolidated %s for its weekly mail: %d file(s)",
    "weekly-mail-workbooks-failed": "无法生成周报邮件所需工作簿 / could not build the workbooks of %s for its weekly mail",
    "workbook-open": "%s 正被打开，无法替换，已另存为 %s / is open (held by another program): written beside it as %s",
}
