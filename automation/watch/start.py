"""``salesflow watch`` as one call: the watcher with the pipeline's hooks, writing the log file."""

from __future__ import annotations

import logging

from automation.core.config import Config
from automation.core.logfile import setup_log_file
from automation.watch.hooks import burst_hook, periodic_hook
from automation.watch.watcher import RunSummary, Watcher


def watch(config: Config, *, poll: bool = False, once: bool = False) -> RunSummary:
    """Run the watcher until stopped (``once``: catch up and return), after each burst the
    pipeline's ``after_burst`` and every minute its ``due`` (:mod:`automation.watch.hooks`); its
    lines go to ``<state>/logs/salesflow.log``. Raises :class:`automation.watch.AlreadyRunning`."""
    handler = setup_log_file(config.state_root)
    try:
        return Watcher(
            config,
            poll=True if poll else None,
            on_batch_done=burst_hook(config),
            on_periodic=periodic_hook(config),
        ).run(once=once)
    finally:
        logging.getLogger("automation").removeHandler(handler)
        handler.close()
