"""The command line's own words: what each ``salesflow`` command is, in Chinese and English, as
``--help`` and the README's command table show it (see :mod:`automation.core.texts`).

What the commands *print* is in :mod:`.messages` (``say``/``both``); this module holds the words
that describe them. Decision: a command's help is one :class:`Text` — a short Chinese name and
the English description — shown as ``中文 / English`` (click has one help text per command, and a
rep who reads Chinese finds the command by its name); the README's table takes the two halves
apart (:mod:`automation.cli.readme_table`). Option help stays English, next to the option, as
every option name is English; the one option whose help names a Chinese word is here.
"""

from __future__ import annotations

from automation.core.texts.base import Text

GROUP = Text("销售表单自动化", "reps' Excel forms in, ledger, figures and reports out.")

COMMANDS: dict[str, Text] = {
    "init": Text(
        "初始化安装目录",
        "A ready installation: commented config.yaml, the shared-folder tree with one inbox folder "
        "per rep, supervisor and hq, and the templates. Never overwrites a file you already have.",
    ),
    "templates": Text(
        "生成表单模板",
        "Blank templates for every form, or per-rep copies with the rep's id and customer list filled in.",
    ),
    "check": Text(
        "检查表单",
        "Check filled forms by hand and show what to fix, in each form's language; writes nothing "
        "unless --feedback (exit 1 if any is rejected, 3 if one could not be checked).",
    ),
    "ingest": Text(
        "一次性处理表单",
        "One-shot: files or folders through the watcher's pipeline in received order, with a "
        "progress bar, then the touched weeks' workbooks and their mail.",
    ),
    "watch": Text(
        "监视收件箱",
        "The folder watcher (the service): every form dropped into inbox/<id>/ through the "
        "pipeline; --poll for network shares; --once catches up and exits.",
    ),
    "status": Text(
        "运行状态",
        "Watcher alive, stuck or dead, what it waits on (a full disk, a locked ledger), backlog, "
        "counts, rejected forms awaiting a fix, reps missing today's report, possible sync-client "
        "conflict copies, workbooks awaiting a rebuild or written beside an open one.",
    ),
    "service": Text(
        "作为系统服务运行",
        'The watcher as a service: a systemd unit, or a Windows scheduled task (see "Running the '
        'watcher for real").',
    ),
    "figures": Text(
        "指标",
        "Every figure of SPEC §3 for the week, MTD, QTD and YTD, per rep, region and company.",
    ),
    "consolidate": Text(
        "汇总周报",
        "The week's region and company workbooks and the pre-filled weekly reports, written into "
        "reports/<week>/ (default: the week of the last day whose activity counts — on a Monday "
        "morning, last week); prints each file written.",
    ),
    "mail": Text(
        "邮件",
        "Writes the week's summaries (--week), a day's brief, reminders and notices (--date), or "
        "whatever is due now (neither) as .eml into outbox/; --send sends what is unsent over SMTP; "
        "--resend after a person checked an unsure message. Exit 1 when a message failed or needs "
        "a person.",
    ),
    "ledger": Text("台账", "The ledger: copy it into another database (SQLite -> PostgreSQL)."),
    "ledger copy": Text(
        "复制台账", "Copy every row into the database at --to URL, then verify row counts and figures."
    ),
    "demo": Text(
        "演示",
        "A realistic company's forms (both languages, real mistakes) through the real pipeline: "
        "what was accepted, rejected and why, the latest week's figures, and where everything is.",
    ),
}

REGION_OPTION = "Only this region (id, 中文名 or English name)."


def group_help() -> str:
    """The ``salesflow --help`` line."""
    return f"Salesflow {GROUP.zh}: {GROUP.en}"


def command_help(name: str) -> str:
    """A command's ``--help`` text: ``中文 / English``."""
    text = COMMANDS[name]
    return f"{text.zh} / {text.en}"


README_HEAD = "| command | 命令 | what it does | options |"  # the README command table's header row
