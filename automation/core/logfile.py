"""The installation's log file, ``<state>/logs/salesflow.log``: every stage logs under the ``automation``
logger, and the watcher and ``salesflow ingest`` write it there (rotated at 5 MB, five kept)."""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import sys
import time
from pathlib import Path

LOG_DIR = "logs"
LOG_NAME = "salesflow.log"
LOG_MAX_BYTES = 5 * 1024 * 1024
LOG_BACKUPS = 5


class QuietRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A log file that says once a minute, in one line on stderr, that it cannot be written (a full
    state disk), instead of a traceback for every record; the console and the journal still get them."""

    _told = 0.0

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        now = time.monotonic()
        if now - self._told < 60:
            return
        self._told = now
        with contextlib.suppress(Exception):
            exc = sys.exc_info()[1]
            sys.stderr.write(f"salesflow: log file {self.baseFilename} not written: {exc}\n")


def setup_log_file(state_root: Path, logger_name: str = "automation") -> logging.Handler:
    """Attach a rotating file handler to the ``automation`` logger (every stage logs under it)."""
    log_dir = state_root / LOG_DIR
    log_dir.mkdir(parents=True, exist_ok=True)
    handler = QuietRotatingFileHandler(
        log_dir / LOG_NAME, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"))
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    if logger.level == logging.NOTSET or logger.level > logging.INFO:
        logger.setLevel(logging.INFO)
    return handler
