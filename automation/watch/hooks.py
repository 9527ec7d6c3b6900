"""What the watcher runs between files: after each burst, :func:`automation.pipeline.after_burst`
(score → consolidate → mail for the region-weeks the burst touched), and every minute
:func:`automation.pipeline.due` (the scheduled mail); and the lines it logs about them.

Neither can stop the watcher: the forms are safe in the ledger before either runs, a region-week
stays marked until a consolidation clears it, and the sent log makes mail safe to repeat.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from automation.core.config import Config
from automation.core.texts.log import LOG

log = logging.getLogger("automation.watch")

SHOWN_WEEKS = 6  # region-weeks named in the log line; the rest are counted


def burst_hook(config: Config) -> Callable[[list[Any]], None]:
    """The watcher's ``on_batch_done``: after each burst, the pipeline's :func:`after_burst`, then
    one log line saying what the burst changed."""

    def hook(outcomes: list[Any]) -> None:
        from automation.pipeline import after_burst

        burst = after_burst(config, outcomes)
        log.info(
            LOG["batch-done"],
            ", ".join(f"{k} {v}" for k, v in sorted(burst.counts.items())),
            "; ".join(
                part
                for part in (
                    weeks_rebuilt(burst.rebuilt, len(burst.written), config),
                    burst.left and weeks_to_rebuild(burst.left),
                )
                if part
            )
            or weeks_to_rebuild([]),
        )
        log_mail(config, "after_burst", burst.mail, burst.mail_error)

    return hook


def periodic_hook(config: Config) -> Callable[[], None]:
    """The watcher's ``on_periodic``: the pipeline's :func:`due` (scheduled mail, its workbooks first)."""

    def hook() -> None:
        from automation.pipeline import due

        report, error = due(config)
        log_mail(config, "due", report, error)

    return hook


def log_mail(config: Config, step: str, report: Any, error: BaseException | None) -> None:
    """A mail fault is logged, never stops the watcher; what was mailed, in one line."""
    if error is not None:
        log.error(LOG["mail-failed"], step, exc_info=error)
        return
    if report is not None and not report.empty:
        log.info(LOG["mail-done"], len(report.written),
                 len(report.sent), len(report.failed), len(report.unsure), config.outbox)  # fmt: skip


def weeks_rebuilt(done: list[tuple[str, str]], files: int, config: Config) -> str:
    """``workbooks rebuilt / 已重建工作簿: east 2026-W48 (3 file(s) in .../reports)``; '' for none."""
    if not done:
        return ""
    shown = ", ".join(f"{region} {week}" for region, week in done[:SHOWN_WEEKS])
    more = f" (+{len(done) - SHOWN_WEEKS})" if len(done) > SHOWN_WEEKS else ""
    return LOG["weeks-rebuilt"].format(shown=shown, more=more, files=files, reports=config.reports)


def weeks_to_rebuild(dirty: list[tuple[str, str]]) -> str:
    """``2 region-week(s) to rebuild / 待重建的区域周: east 2026-W48, south 2026-W48``."""
    if not dirty:
        return LOG["no-weeks-to-rebuild"]
    shown = ", ".join(f"{region} {week}" for region, week in sorted(dirty)[:SHOWN_WEEKS])
    more = f" (+{len(dirty) - SHOWN_WEEKS})" if len(dirty) > SHOWN_WEEKS else ""
    return LOG["weeks-to-rebuild"].format(n=len(dirty), shown=shown, more=more)
