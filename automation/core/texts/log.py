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
    # ----- after a burst (automation.watch.hooks) -------------------------------------------------
    "batch-done": "batch done / 本批完成: %s; %s",
    "mail-failed": "mail (%s) failed; the next run retries / 邮件失败，稍后重试",
    "mail-done": "mail / 邮件: written %d, sent %d, failed %d, unsure %d (outbox: %s)",
    "weeks-rebuilt": "workbooks rebuilt / 已重建工作簿: {shown}{more} ({files} file(s) in {reports})",
    "no-weeks-to-rebuild": "no region-week to rebuild / 无待重建的区域周",
    "weeks-to-rebuild": "{n} region-week(s) to rebuild / 待重建的区域周: {shown}{more}",
    # ----- consolidation (automation.consolidate) -------------------------------------------------
    "consolidate-no-ledger": "汇总失败 / could not read the ledger to consolidate; retried after the next form",
    "consolidate-failed": "汇总失败 / consolidating %s failed; it stays marked and is retried after the next form",
    "consolidated": "汇总 / consolidated %s: %s",
    "workbook-open": "%s 正被打开，无法替换，已另存为 %s / is open (held by another program): written beside it as %s",
}
