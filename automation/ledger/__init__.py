"""The ledger: every submission, its terminal state and its rows (SQLAlchemy Core; SQLite by default).

Open it with :func:`open_ledger`; the pipeline records through :meth:`Ledger.record`; validation
reads :meth:`Ledger.directory`; the figures read :meth:`Ledger.frames`.
"""

from automation.ledger.store import Ledger, LedgerDirectory, LedgerError, SubmissionRecord, open_ledger

__all__ = ["Ledger", "LedgerDirectory", "LedgerError", "SubmissionRecord", "open_ledger"]
