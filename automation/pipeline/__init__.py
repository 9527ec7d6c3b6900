"""The pipeline: what happens to dropped files, start to finish. A newcomer reads this first.

The stages, in the order data flows, each a folder of its own::

    intake -> validate -> feedback -> ledger -> score -> consolidate -> mail

- :func:`process` (:mod:`.stages`) — one file: look, store, intake, validate (a rejected form's
  feedback staged), record in one ledger transaction, file the original. Each step is safe to
  repeat after a crash.
- :func:`run` (:mod:`.run`) — many ready files (the watcher's, ``ingest``'s): sorted into received
  order, then a lone file through :func:`process` and several through the flood
  (:mod:`.flood`: the same stages, one durable commit per chunk, the next files read ahead).
- :func:`after_burst` (:mod:`.after`) — after each burst of files: score → consolidate → mail
  for the region-weeks they touched (the watcher after each burst, ``ingest`` at its end).
- :func:`due` (:mod:`.after`) — the watcher's periodic hook: the scheduled mail (a weekly summary's
  workbooks built first when they are missing).

The watcher (:mod:`automation.watch`) only notices files and hands the ready ones to :func:`run`.
"""

from automation.pipeline.after import Burst, MailRun, after_burst, due, send_mail
from automation.pipeline.run import Ingested, IngestError, ingest, process_batch, run
from automation.pipeline.stages import Outcome, SymlinkRefused, process, repair_unfiled

__all__ = [
    "Burst",
    "IngestError",
    "Ingested",
    "MailRun",
    "Outcome",
    "SymlinkRefused",
    "after_burst",
    "due",
    "ingest",
    "process",
    "process_batch",
    "repair_unfiled",
    "run",
    "send_mail",
]
