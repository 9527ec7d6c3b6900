"""What the product says when it cannot do its job, for the back office and the person at the
command line: a wrong config, a folder or disk at fault, a ledger it cannot use, a wrong argument
(see :mod:`automation.core.texts`).

Each entry is one ``中文 / English`` line as it is shown, with ``str.format`` placeholders: these
lines name a path or a value between the two halves, and a reader of either language reads the
same line (the log and the terminal are shared), so they stay whole rather than as a :class:`Text`.
"""

from __future__ import annotations

# ----- config.yaml (automation.core.config) --------------------------------------------------------
CONFIG_TYPES = {  # pydantic's error type -> its Chinese name
    "missing": "缺少必填项",
    "extra_forbidden": "未知的键",
    "literal_error": "取值不在允许范围内",
    "date_from_datetime_parsing": "不是日期",
    "date_parsing": "不是日期",
    "time_parsing": "不是时间",
    "int_parsing": "不是整数",
    "float_parsing": "不是数字",
    "bool_parsing": "不是布尔值",
    "list_type": "应为列表",
    "dict_type": "应为映射",
    "string_type": "应为文本",
    "value_error": "取值无效",
}
CONFIG_TYPE_OTHER = "取值无效"

ERRORS: dict[str, str] = {
    # ----- config.yaml ------------------------------------------------------------------------------
    "config-out-of-range": "{loc}: 超出允许范围 / {input!r} is out of range; {msg}",
    "config-missing": "{loc}: {zh} / required key is missing",
    "config-unknown-key": "{loc}: {zh} / unknown key (check the spelling; see README 'Config reference')",
    "config-invalid": "{loc}: {zh} / {input!r} — {msg}",
    "config-not-mapping": "(top level): 应为映射 / the file must be a YAML mapping of keys to values",
    "config-state-in-share": (
        "state_folder: {state!r} 位于共享文件夹内 / is inside the shared folder {shared!r}; "
        "the ledger must live in a local folder outside the share (e.g. '.salesflow')"
    ),
    "config-not-found": (
        "找不到配置文件 / config file not found: {path} — run `salesflow init DIR` or pass --config PATH"
    ),
    "config-bad-yaml": "YAML 格式错误 / not valid YAML{where}: {problem}",
    # ----- the clock, the calendar ----------------------------------------------------------------
    "clock-not-iso": "{var}={raw!r} 不是 ISO 8601 时间 / is not an ISO 8601 time (e.g. 2026-11-23T18:30)",
    "week-format": "周次格式应为 2026-W48 / week must look like 2026-W48, got {key!r}",
    "week-not-in-year": "{year} 年没有第 {week} 周 / {year} has no week {week} (it has {weeks})",
    # ----- the ledger -----------------------------------------------------------------------------
    "ledger-newer": (
        "账本版本 {have} 比程序新 / the ledger is at schema version {have}, newer than this "
        "Salesflow ({latest}); upgrade Salesflow"
    ),
    "ledger-on-network": (
        "账本不能放在网络共享上 / the ledger {db} is on a network share ({where}); "
        "SQLite is not safe over SMB/NFS. Put it on a local disk: set state_folder to a local "
        "folder (e.g. .salesflow) and leave ledger_url empty, or use a PostgreSQL ledger_url"
    ),
    "ledger-in-share": (
        "账本不能放在共享文件夹内 / the ledger {path} is inside the shared folder {shared}; "
        "SQLite is not safe on a network share. Set state_folder to a local folder (e.g. .salesflow)"
    ),
    "ledger-unreachable": "台账无法访问 / the ledger cannot be reached: {problem}",
    "ledger-bad-url": "ledger_url 无效 / ledger_url is not a database URL: {error}",
    "ledger-no-postgres-driver": (
        "缺少 PostgreSQL 驱动 / the ledger_url is PostgreSQL but its driver ({driver}) is not "
        "installed: run {install} (and use a postgresql:// or postgresql+psycopg:// URL)"
    ),
    "ledger-no-driver": (
        "缺少数据库驱动 / the ledger_url's database driver is not installed ({driver}: {error}); "
        "Salesflow supports SQLite and PostgreSQL ({install})"
    ),
    "site-taken": (
        "站点「{site}」已由另一监视程序使用 / site {site!r} is already served by the watcher "
        "on {host} (pid {pid}, {folder}, heartbeat {age}s ago); "
        "give each branch its own `site` in config.yaml"
    ),
    # ----- salesflow ledger copy ------------------------------------------------------------------
    "copy-same-ledger": "源与目标相同 / the target is the ledger itself",
    "copy-target-not-empty": (
        "目标账本非空 / the target ledger is not empty ({busy}); "
        "copy into an empty database, or give --replace to delete its rows first"
    ),
    "copy-counts-differ": "行数不一致 / row counts differ after the copy (source, target): {diff}",
    "copy-figures-differ": "指标不一致 / the figures of {week} differ between the two ledgers",
    # ----- salesflow ingest, figures, mail, watch -------------------------------------------------
    "ingest-not-found": "找不到 / not found: {path}",
    "ingest-not-inbox": "{folder!r} 不是收件箱文件夹 / is not an inbox folder; one of: {allowed}",
    "ingest-homeless": "不知道这些文件属于谁，请用 --folder 指定 / whose forms are these? give --folder: {first}",
    "no-region": "没有这个区域 / no region {region!r}; allowed: {allowed}",
    "mail-templates-missing": "找不到邮件模板 / email templates not found; looked in: ",
    "mail-no-smtp": (
        "未配置邮件服务器 / smtp.host is empty in config.yaml: set it to send (messages are written to "
        "outbox/ either way)"
    ),
    "watcher-running": (
        "另一个监视程序正在运行 / another watcher is already running ({who}, lock {lock}); "
        "stop it first or use `salesflow status`"
    ),
}

# ----- a folder or disk at fault (automation.core.faults) -------------------------------------------
FAULT_WHERE = {  # resource -> its name for people
    "ledger": "台账 / the ledger",
    "state": "状态文件夹 / the state folder",
    "archive": "归档文件夹 / the archive folder",
    "rejected": "退回文件夹 / the rejected folder",
    "inbox": "收件箱 / the inbox",
    "shared": "共享文件夹 / the shared folder",
    "file": "文件 / a file",
    "disk": "磁盘 / a disk",
}
FAULT_WHAT = {  # kind -> what is wrong, for people
    "full": "磁盘已满 / disk full",
    "read-only": "只读，无法写入 / read-only",
    "denied": "没有权限 / permission denied",
    "unreachable": "无法访问（网络共享或磁盘故障）/ unreachable (network share or disk failure)",
    "missing": "不存在（共享是否已断开？）/ missing (is the share disconnected?)",
    "locked": "被其他程序锁定 / locked by another program",
    "busy": "正被其他程序打开写入 / open in another program that is writing it",
}
