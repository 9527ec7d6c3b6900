"""Intake + validate for one file by hand (``salesflow check``), and the customer directory to check against.

The pipeline has its own ledger open and calls :func:`automation.validate.validate` directly; a
manual check needs the same directory without being part of a run. Decision (SPEC is silent): when
there is no ledger yet (a rep's laptop, a fresh install), the directory is empty and *not
authoritative*, so unknown customers, customer ids and complaint ids are reported as warnings that
say they could not be checked, instead of rejecting every form.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from automation.core import clock
from automation.core.model import CustomerDirectory
from automation.core.texts.log import LOG
from automation.validate.base import Report, ValidationContext

log = logging.getLogger("automation.cli.check")  # the name ``salesflow check`` logged under

if TYPE_CHECKING:
    from automation.core.config import Config
    from automation.core.formspec import FormSet


@dataclass
class Directory:
    """The customers to check against and whether a miss is an error (``strict``)."""

    customers: CustomerDirectory
    strict: bool
    source: str  # "ledger" | "none"


def ledger_exists(config: Config) -> bool:
    """True when the configured ledger is there to read (a SQLite file that exists, or any other database)."""
    url = config.database_url
    if not url.startswith("sqlite"):
        return True
    db = sa.make_url(url).database
    return db is not None and db not in ("", ":memory:") and Path(db).exists()


def directory_for(config: Config) -> Directory:
    """The ledger's register when there is a ledger, else an empty, non-authoritative directory."""
    if not ledger_exists(config):
        return Directory(CustomerDirectory(), strict=False, source="none")
    try:
        from automation.ledger import open_ledger
    except ImportError:  # ledger part not installed in this build
        return Directory(CustomerDirectory(), strict=False, source="none")
    ledger = open_ledger(config)
    try:
        return Directory(ledger.directory(), strict=True, source="ledger")
    finally:
        ledger.close()


def check_file(
    path: Path | str,
    config: Config,
    specs: FormSet,
    directory: Directory,
    *,
    folder: str = "",
    received_at: datetime | None = None,
) -> Report:
    """Read and validate one file as the pipeline would, without writing anything."""
    from automation.intake import read_submission
    from automation.validate import validate

    received = received_at or clock.now()
    sub = read_submission(Path(path), config, specs, folder=folder, received_at=received)
    ctx = ValidationContext(
        config=config,
        specs=specs,
        customers=directory.customers,
        now=clock.now(),
        received_at=received,
        strict_references=directory.strict,
    )
    return validate(sub, ctx)


@dataclass
class Checked:
    """One file checked by hand: its report, or the fault of ours that kept it from being checked,
    and the feedback workbook written for it (when asked)."""

    path: Path
    report: Report | None = None
    error: BaseException | None = None
    feedback: Path | None = None


def check_files(
    files: list[Path],
    config: Config,
    *,
    folder: str = "",
    feedback_dir: Path | None = None,
    lang: str | None = None,
    directory: Directory | None = None,
    specs: FormSet | None = None,
) -> list[Checked]:
    """``salesflow check``: read and validate each file as the pipeline would, writing nothing but
    (``feedback_dir``) a feedback workbook for each file with problems, in ``lang`` or the form's.

    A fault of ours on one file (a bug, never the file's: whatever its bytes make a reader raise is
    already a rejection) is logged with its traceback and that file is :attr:`Checked.error`; the
    other files are checked as usual."""
    from automation.core.formspec import load_specs

    specs = specs or load_specs(config)
    directory = directory or directory_for(config)
    out: list[Checked] = []
    for path in files:
        try:
            report = check_file(path, config, specs, directory, folder=folder)
        except Exception as exc:  # a fault of ours, not of the file: say so, check the others
            log.exception(LOG["check-failed"], path)
            out.append(Checked(path, error=exc))
            continue
        written = None
        if feedback_dir is not None and report.issues:
            from automation.feedback import write_feedback

            written = write_feedback(report, feedback_dir, lang=lang or report.language, config=config)
        out.append(Checked(path, report, feedback=written))
    return out


@dataclass
class HandCheck:
    """``salesflow check``'s answer: each file's :class:`Checked`, the directory customers were
    checked against, and the report as the lines or the JSON the command prints."""

    results: list[Checked]
    directory: Directory
    specs: FormSet
    default_lang: str

    @property
    def notice(self) -> str | None:
        """Said once before the reports when customers could not be checked (no ledger yet)."""
        from automation.feedback.text import NO_LEDGER

        return NO_LEDGER if self.directory.source == "none" else None

    @property
    def failed(self) -> bool:
        """Some file could not be checked, a fault of ours."""
        return any(r.report is None for r in self.results)

    @property
    def rejected(self) -> bool:
        return any(r.report is not None and not r.report.valid for r in self.results)

    def lines(self, lang: str | None = None) -> list[str]:
        """Per file its verdict, each problem where and how to fix it, and its feedback workbook;
        in ``lang``, else the form's own language (the configured one for a file not checked)."""
        from automation.feedback import text

        out: list[str] = []
        for r in self.results:
            if r.report is None:
                assert r.error is not None
                out.append(text.failed_line(r.path, lang or self.default_lang, r.error))
                continue
            shown = lang or r.report.language
            out.append(text.verdict_line(r.report, shown, self.specs))
            out.extend(text.issue_lines(r.report, shown))
            if r.feedback:
                out.append(text.feedback_line(r.feedback, shown))
        return out

    def as_json(self, lang: str | None = None) -> list[dict[str, Any]]:
        """One object per file, as ``salesflow check --json`` prints them."""
        from automation.feedback import text

        out: list[dict[str, Any]] = []
        for r in self.results:
            if r.report is None:
                assert r.error is not None
                error = f"{type(r.error).__name__}: {r.error}"
                out.append({"file": str(r.path), "status": "failed", "error": error})
                continue
            entry = text.as_json(r.report, lang or r.report.language)
            entry["feedback"] = str(r.feedback) if r.feedback else None
            entry["customers_checked"] = self.directory.strict
            out.append(entry)
        return out


def check_by_hand(
    files: list[Path],
    config: Config,
    *,
    folder: str = "",
    feedback_dir: Path | None = None,
    lang: str | None = None,
) -> HandCheck:
    """``salesflow check`` as one call: :func:`check_files` against the ledger's directory (or,
    without a ledger, an empty one whose unknown customers are warnings), ready to print."""
    from automation.core.formspec import load_specs

    directory = directory_for(config)
    specs = load_specs(config)
    results = check_files(
        files, config, folder=folder, feedback_dir=feedback_dir, lang=lang, directory=directory, specs=specs
    )
    return HandCheck(results, directory, specs, config.language)
