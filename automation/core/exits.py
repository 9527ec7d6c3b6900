"""The exit codes of every ``salesflow`` command, defined once (the CLI's :mod:`automation.cli.shared`
re-exports them; the library functions that answer "which code?" — a watcher run's summary,
``status`` — use them too, as a monitor or cron job reads the code alone).

- ``0`` done;
- ``1`` done, and something needs a person: a form rejected (``check``, ``ingest``), a message not
  sent (``mail``), files quarantined or left waiting (``watch``), the watcher not running (``status``),
  the demo's numbers do not add up;
- ``2`` bad usage or config, or the ledger cannot be opened (nothing was done); ``watch``: a fatal error;
- ``3`` a fault of ours on a file (``check``, ``ingest``: the file stays, see the log), another
  watcher already runs (``watch``), the watcher is stuck (``status``);
- ``4`` the watcher is alive but waits on its environment (``status``).
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_ATTENTION = 1  # a rejected form, an unsent message, a quarantined file, a watcher not running
EXIT_USAGE = 2
EXIT_FAULT = 3  # a fault of ours on a file; watch: already running; status: stuck
EXIT_WAITING = 4  # status: waiting on the environment
