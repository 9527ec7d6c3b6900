"""``salesflow watch`` as one call: the watcher with the pipeline's hooks, writing the log file."""

from __future__ import annotations

import logging
from typing import TextIO

from automation.core.config import Config
from automation.core.logfile import setup_log_file
from automation.watch.hooks import burst_hook, periodic_hook
from automation.watch.watcher import RunSummary, Watcher


def watch(
    config: Config, *, poll: bool = False, once: bool = False, console: TextIO | None = None
) -> RunSummary:
    """Run the watcher until stopped (``once``: catch up and return), after each burst the
    pipeline's ``after_burst`` and every minute its ``due`` (:mod:`automation.watch.hooks`); its
    lines go to ``<state>/logs/salesflow.log``, and the watcher's own (``automation.watch``) to
    ``console`` too, with the time (``salesflow watch``: stdout). Raises
    :class:`automation.watch.AlreadyRunning`."""
    handler = setup_log_file(config.state_root)
    shown = logging.getLogger("automation.watch")
    echo = None
    if console is not None:
        echo = logging.StreamHandler(console)
        echo.setFormatter(logging.Formatter("%(asctime)s %(message)s", datefmt="%H:%M:%S"))
        shown.addHandler(echo)
    try:
        return Watcher(
            config,
            poll=True if poll else None,
            on_batch_done=burst_hook(config),
            on_periodic=periodic_hook(config),
        ).run(once=once)
    finally:
        if echo is not None:
            shown.removeHandler(echo)
        logging.getLogger("automation").removeHandler(handler)
        handler.close()
