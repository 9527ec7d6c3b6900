"""``salesflow check FILE... [--folder NAME] [--lang zh|en] [--json] [--feedback DIR]``: check forms by hand.

For a rep or the back office: reads and validates each file exactly as the pipeline would, prints
the verdict and each problem in the form's language (``--lang`` forces one), and writes nothing
unless ``--feedback DIR`` asks for feedback workbooks. ``--folder`` names the inbox folder the file
would be dropped into, to check who may submit it; without it folder rules are skipped.
Customers are checked against the ledger when there is one; without a ledger they cannot be, and
unknown customers are shown as warnings (see :mod:`automation.pipeline.check`).
Exit codes: 0 every file accepted; 1 any file rejected; 2 bad usage or config; 3 a file could not
be checked because of a fault of ours (its line says so, the traceback goes to stderr; the other
files are checked as usual: whatever a file's bytes make a reader raise is already a rejection).
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

from automation.core.formspec import load_specs
from automation.core.problems import SEVERITY_LABELS, render
from automation.pipeline.check import check_file, directory_for
from automation.validate import Report

log = logging.getLogger("automation.cli.check")
EXIT_FAILED = 3

NO_LEDGER = (
    "注意：尚无客户台账，客户编号和名称无法核对，只作提醒。/ "
    "Note: no ledger yet, so customers cannot be checked; unknown ones are shown as warnings."
)


def verdict_line(report: Report, lang: str, specs: Any) -> str:
    """One line: accepted or rejected, the file, the form, the counts."""
    sub = report.submission
    spec = specs.get(sub.form) if sub.form else None
    form = spec.title(lang) if spec else ("无法识别的文件" if lang == "zh" else "unreadable file")
    n_err, n_warn = len(report.errors), len(report.warnings)
    if lang == "zh":
        counts = f"{n_err} 个错误，{n_warn} 个提醒"
        return (
            f"√ 通过 {sub.path}（{form}）" + (f"：{n_warn} 个提醒" if n_warn else "")
            if report.valid
            else f"× 退回 {sub.path}（{form}）：{counts}"
        )
    counts = f"{n_err} error(s), {n_warn} warning(s)"
    return (
        f"√ accepted {sub.path} ({form})" + (f": {n_warn} warning(s)" if n_warn else "")
        if report.valid
        else f"× rejected {sub.path} ({form}): {counts}"
    )


def issue_lines(report: Report, lang: str) -> list[str]:
    lines = []
    fix_word = "改法：" if lang == "zh" else "fix: "
    for issue in report.issues:
        message, fix = render(issue, lang)
        where = f"{issue.sheet}!{issue.cell}" if issue.cell else ("文件" if lang == "zh" else "file")
        sev = SEVERITY_LABELS.get(issue.severity, SEVERITY_LABELS["error"])[lang]
        colon = "：" if lang == "zh" else ": "
        lines.append(f"  {sev} {where}{colon}{message}")
        lines.append(f"      {fix_word}{fix}")
    return lines


def as_json(report: Report, lang: str) -> dict[str, Any]:
    sub = report.submission
    issues = []
    for i in report.issues:
        message, fix = render(i, lang)
        issues.append(
            {
                "code": i.code,
                "severity": i.severity,
                "sheet": i.sheet,
                "cell": i.cell,
                "row": i.row,
                "field": i.field,
                "column": i.column,
                "value": i.value,
                "message": message,
                "fix": fix,
            }
        )
    return {
        "file": str(sub.path),
        "form": sub.form,
        "language": sub.language,
        "status": report.status,
        "valid": report.valid,
        "errors": len(report.errors),
        "warnings": len(report.warnings),
        "issues": issues,
    }


@click.command("check")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--folder",
    default="",
    metavar="NAME",
    help="Inbox folder the file comes from (rep id, supervisor id or hq); checks who may submit it.",
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default=None,
    help="Language of the messages (default: each form's own).",
)
@click.option("--json", "as_json_flag", is_flag=True, help="Print a JSON list of reports instead of text.")
@click.option(
    "--feedback",
    "feedback_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    metavar="DIR",
    help="Write a feedback workbook for each file with problems into DIR.",
)
@click.pass_obj
def command(
    app, files: tuple[Path, ...], folder: str, lang: str | None, as_json_flag: bool, feedback_dir: Path | None
) -> None:  # type: ignore[no-untyped-def]
    """检查表单 / Check filled forms and show what to fix (exit 1 if any is rejected)."""
    config = app.config
    if folder and folder not in config.folder_names():
        click.echo(
            f"未知文件夹 / unknown folder {folder!r}; allowed: {', '.join(config.folder_names())}", err=True
        )
        sys.exit(2)
    specs = load_specs(config)
    directory = directory_for(config)
    if directory.source == "none" and not as_json_flag:
        click.echo(NO_LEDGER, err=True)
    reports: list[Report] = []
    out: list[dict[str, Any]] = []
    failed = False
    for path in files:
        try:
            report = check_file(path, config, specs, directory, folder=folder)
        except Exception as exc:  # a fault of ours, not of the file: say so, check the others
            log.exception("could not check %s", path)
            failed = True
            if as_json_flag:
                out.append({"file": str(path), "status": "failed", "error": f"{type(exc).__name__}: {exc}"})
            else:
                click.echo(failed_line(path, lang or config.language, exc))
            continue
        reports.append(report)
        shown = lang or report.language
        written = None
        if feedback_dir is not None and report.issues:
            from automation.feedback import write_feedback

            written = write_feedback(report, feedback_dir, lang=shown)
        if as_json_flag:
            entry = as_json(report, shown)
            entry["feedback"] = str(written) if written else None
            entry["customers_checked"] = directory.strict
            out.append(entry)
            continue
        click.echo(verdict_line(report, shown, specs))
        for line in issue_lines(report, shown):
            click.echo(line)
        if written:
            click.echo(("  反馈：" if shown == "zh" else "  feedback: ") + str(written))
    if as_json_flag:
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
    sys.exit(EXIT_FAILED if failed else 0 if all(r.valid for r in reports) else 1)


def failed_line(path: Path, lang: str, exc: Exception) -> str:
    """The verdict line of a file the checker itself failed on (never the rep's fault)."""
    what = f"{type(exc).__name__}: {exc}"
    if lang == "zh":
        return f"! 未能检查 {path}：系统内部错误（{what}），不是表单的问题；请把文件交给后台。"
    return f"! not checked {path}: an internal error ({what}), not a problem of the form; hand the file to the back office."
