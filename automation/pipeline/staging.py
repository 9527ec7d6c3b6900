"""A rejected form's feedback workbook, written into the state folder *before* the form's ledger
transaction, so it exists once the rejection does; filing moves it beside the original."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from automation.core.config import Config

if TYPE_CHECKING:
    from automation.ledger import SubmissionRecord


def staging_key(sha256: str, source: str) -> str:
    """Where one file's feedback waits to be filed: by content *and* inbox path. Keyed by content
    alone, two byte-identical rejected files in one batch shared a folder: the second's workbook
    (its own file name inside) replaced the first's, and the second file got none (issue 13: the
    demo's drops in random batches)."""
    return f"{sha256}-{hashlib.sha1(source.encode('utf-8')).hexdigest()[:12]}"


def staging_dir(config: Config, key: str) -> Path:
    """The staging folder of :func:`staging_key` ``key`` (a bare sha256: one staged before that key)."""
    return config.state_root / "staging" / key


def staged_feedback(config: Config, record: SubmissionRecord) -> Path:
    """The record's staged feedback workbook (or where it would be)."""
    keyed = staging_dir(config, staging_key(record.sha256, record.source)) / "feedback.xlsx"
    older = staging_dir(config, record.sha256) / "feedback.xlsx"  # staged by an earlier version
    return keyed if keyed.exists() or not older.exists() else older


def stage_feedback(report: Any, key: str, config: Config) -> Path:
    """Write the feedback workbook into the state folder; filing moves it beside the original."""
    from automation.feedback import write_feedback

    out = staging_dir(config, key)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    written = write_feedback(report, out, config=config)
    final = out / "feedback.xlsx"
    os.replace(written, final)
    return final
