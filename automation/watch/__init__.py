"""``salesflow watch``: the folder watcher. It notices ready forms; :mod:`automation.pipeline.stages` does
the work. See :mod:`automation.watch.watcher` for the threads and :mod:`automation.core.noise`,
:mod:`automation.watch.settle`, :mod:`automation.watch.quarantine` for the decisions."""

from automation.core.noise import is_noise_name
from automation.watch.state import AlreadyRunning, read_heartbeat
from automation.watch.watcher import RunSummary, Watcher

__all__ = ["AlreadyRunning", "RunSummary", "Watcher", "is_noise_name", "read_heartbeat"]
