"""A checked form's report as text and JSON (``salesflow check``), in the form's language: the
verdict, then each problem where it is and how to fix it, from the problem catalog."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from automation.core.formspec import FormSet
from automation.core.problems import SEVERITY_LABELS, render
from automation.core.texts import both, say
from automation.validate import Report

NO_LEDGER = both("check-no-ledger")


def verdict_line(report: Report, lang: str, specs: FormSet) -> str:
    """One line: accepted or rejected, the file, the form, the counts."""
    sub = report.submission
    spec = specs.get(sub.form) if sub.form else None
    form = spec.title(lang) if spec else say("check-unreadable-file", lang)
    n_err, n_warn = len(report.errors), len(report.warnings)
    if report.valid:
        line = say("check-accepted", lang, path=sub.path, form=form)
        return line + (say("check-warnings", lang, n=n_warn) if n_warn else "")
    return say("check-rejected", lang, path=sub.path, form=form, errors=n_err, warnings=n_warn)


def issue_lines(report: Report, lang: str) -> list[str]:
    """Two lines per problem: where (sheet and cell, or the file) and what; then how to fix it."""
    lines = []
    for issue in report.issues:
        message, fix = render(issue, lang)
        where = f"{issue.sheet}!{issue.cell}" if issue.cell else say("check-the-file", lang)
        sev = SEVERITY_LABELS.get(issue.severity, SEVERITY_LABELS["error"])[lang]
        lines.append(say("check-issue", lang, severity=sev, where=where, message=message))
        lines.append(say("check-fix", lang, fix=fix))
    return lines


def feedback_line(path: Path, lang: str) -> str:
    """Where the feedback workbook was written."""
    return say("check-feedback", lang, path=path)


def failed_line(path: Path, lang: str, exc: BaseException) -> str:
    """The verdict line of a file the checker itself failed on (never the rep's fault)."""
    return say("check-failed", lang, path=path, what=f"{type(exc).__name__}: {exc}")


def as_json(report: Report, lang: str) -> dict[str, Any]:
    """The report as the JSON ``salesflow check --json`` prints (one object per file)."""
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
