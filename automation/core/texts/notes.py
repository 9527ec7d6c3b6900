"""What the ledger notes about a form for the rep and the back office (the lines ``salesflow
ingest``/``check`` and the log show beside a file), and the watcher's reasons for waiting on a
file that is not complete yet (see :mod:`automation.core.texts`).

Each entry is one ``中文 / English`` line as shown, with ``str.format`` placeholders (a row number
or an id sits in both halves, read by either reader from the same line).
"""

from __future__ import annotations

NOTES: dict[str, str] = {
    # ----- the ledger's notes on an accepted or rejected form (automation.ledger) -------------------
    "new-customer-id": (
        "第{row}行 新客户「{name}」编号 {id}，请填入客户编号栏 / "
        "row {row}: new customer '{name}' got id {id}; put it in the Customer ID column"
    ),
    "row": "第{row}行 / row {row}: ",
    "imported-ids": "已按贵公司原有编号建档 {n} 个客户 / {n} customer(s) taken in under the company's own IDs",
    "new-complaint-id": (
        "第{row}行 新投诉编号 {id}，请填入投诉编号栏 / row {row}: new complaint got id "
        "{id}; put it in the Complaint ID column"
    ),
    "sent-back": (
        "有 {n} 处错误，请按反馈表修改后重新提交 / {n} problem(s): fix them as the feedback workbook "
        "shows and drop the form again"
    ),
    "later-version": (
        "已有更晚收到的版本 #{id}「{name}」，本文件仅存档 / a later version #{id} "
        "'{name}' is already in; this file is kept but not counted"
    ),
}

# ----- why the watcher waits on a file (automation.watch.complete) ----------------------------------
INCOMPLETE: dict[str, str] = {
    "writing": "正在写入 / still being written",
    "not-downloaded": "云端文件尚未下载 / cloud placeholder, not downloaded yet",
    "empty": "空文件 / empty so far",
    "zip-end": "zip 结尾缺失 / zip end record missing",
    "last-line": "最后一行不完整 / last line not ended",
    "xls-header": "xls 文件头不完整 / xls header cut short",
    "xls-fat": "xls 分配表在文件末尾之外 / xls allocation table past the end",
    "xls-sectors": "xls 内容不完整 / xls sectors missing at the end",
}

# ----- why a file was set aside or not processed (automation.pipeline, automation.mail) -------------
SET_ASIDE: dict[str, str] = {
    "symlink": "符号链接，不跟随 / symbolic link: never followed",
    "symlink-folder": "文件夹 {folder} 是符号链接，不跟随 / symbolic link: folder {folder} is a link, never followed",
    "gone": "处理前已被移走或删除 / gone: moved or deleted before it was processed",
    "changed-while-read": "读取时文件被修改，将重新读取 / file changed while it was read; will be read again",
    "not-processed": "未处理 / not processed",
    "skipped": "符号链接或临时文件，未处理 / symbolic link or noise: not processed",
    "eml-unreadable": "无法读取 .eml 文件 / the .eml cannot be read: {error}",
}
