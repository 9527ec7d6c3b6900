"""The words for what became of a dropped file, defined once.

The ledger stores a submission's state (:data:`RECORDED`), the pipeline returns what became of a
file (:data:`OUTCOMES`: a file may also be ignored, or fail and stay for a retry), and ``status``,
``ingest`` and the demo count them. Their labels for people are in :mod:`automation.core.texts`.
"""

from __future__ import annotations

ACCEPTED = "accepted"
REJECTED = "rejected"
DUPLICATE = "duplicate"
SUPERSEDED = "superseded"  # accepted, then replaced by a later version of the same form and period
IGNORED = "ignored"  # not a form to process (noise, a link, gone, changed while read)
FAILED = "failed"  # a fault of ours or of the environment: left in place for a retry

RECORDED = (ACCEPTED, REJECTED, DUPLICATE, SUPERSEDED)  # a submission's states in the ledger
COUNTED = (ACCEPTED, SUPERSEDED)  # its rows counted once (a later version replaced them since)
OUTCOMES = (ACCEPTED, REJECTED, DUPLICATE, IGNORED, FAILED)  # what the pipeline returns for a file
