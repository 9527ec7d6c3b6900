"""``salesflow watch``: the folder watcher. It notices ready forms and hands them to the pipeline
(:func:`automation.pipeline.run`), which does the work. See :mod:`automation.watch.watcher` for the
threads, :mod:`automation.watch.hooks` for what runs between files, :mod:`automation.watch.settle`
and :mod:`automation.watch.complete` for when a file is ready, :mod:`automation.watch.quarantine`
for what keeps failing, and :mod:`automation.watch.status` for the installation at a glance."""

from automation.core.noise import is_noise_name
from automation.watch.start import watch
from automation.watch.state import AlreadyRunning, read_heartbeat
from automation.watch.watcher import RunSummary, Watcher

__all__ = ["AlreadyRunning", "RunSummary", "Watcher", "is_noise_name", "read_heartbeat", "watch"]
