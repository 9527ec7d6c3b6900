"""Many files in one write transaction: what a flood asks the ledger, inside that transaction.

:meth:`automation.ledger.Ledger.batch` opens the transaction and yields a :class:`LedgerBatch`. It
answers the pipeline's look-ups (first sighting, conflict-copy original, the customer directory)
and records each file, with the same methods and arguments a :class:`~automation.ledger.Ledger`
offers the one-file path, so the pipeline's stages take either. What may wait until the end of
the transaction (audit entries, the region-weeks to consolidate) is collected and written once by
:meth:`LedgerBatch.flush`, before the commit; the transaction is all or nothing either way.

A fault while recording leaves the transaction half-written: the flood rolls the whole chunk back
and does it again without the faulty file (:mod:`automation.pipeline.flood.batch`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from automation.core.outcomes import ACCEPTED, COUNTED
from automation.ledger.recording import DIRECTORY_FORMS, SAME_CONTENT, Deferred, SubmissionRecord

if TYPE_CHECKING:
    import sqlalchemy as sa

    from automation.core.config import Config
    from automation.core.model import CustomerDirectory, Submission


class _Ledger(Protocol):
    """What a batch needs of :class:`automation.ledger.store.Ledger` (its in-transaction halves)."""

    config: Config

    def _sighting(self, conn: sa.Connection, sha256: str, source: str, now: datetime) -> datetime: ...

    def _has_source(self, conn: sa.Connection, source: str) -> bool: ...

    def _directory_in(self, conn: sa.Connection) -> CustomerDirectory: ...

    def _generation(self, conn: sa.Connection) -> int: ...

    @property
    def _record(self) -> Callable[..., SubmissionRecord]: ...  # (conn, sub, deferred, **Ledger.record's)

    def flush(self, conn: sa.Connection, deferred: Deferred) -> None: ...


class LedgerBatch:
    """One open write transaction of a flood (see the module docstring)."""

    def __init__(self, ledger: _Ledger, conn: sa.Connection) -> None:
        self._ledger = ledger
        self._conn = conn
        self._deferred = Deferred()
        self._same: dict[tuple[str, str], list[Any]] = {}
        self._directory: CustomerDirectory | None = None

    def sighting(self, sha256: str, source: str, now: datetime) -> datetime:
        """:meth:`Ledger.sighting`, in this transaction (a second writer would wait for ourselves)."""
        return self._ledger._sighting(self._conn, sha256, source, now)

    def has_source(self, source: str) -> bool:
        """:meth:`Ledger.has_source`, in this transaction."""
        return self._ledger._has_source(self._conn, source)

    def directory(self) -> CustomerDirectory:
        """The customer directory as this transaction sees it: with what the batch registered so far.
        We hold the write lock, so only our own records change it: it is read again, through this
        transaction, only after a record that did (an accepted register or complaint)."""
        if self._directory is None:
            self._directory = self._ledger._directory_in(self._conn)
        return self._directory

    def generation(self) -> int:
        """The customer directory's generation as this transaction sees it (see
        :meth:`Ledger.prior`): a form validated before the transaction against an older generation
        is validated again inside it (another process registered customers meanwhile)."""
        return self._ledger._generation(self._conn)

    def counted(self, sha256: str, source: str) -> bool:
        """Whether a counted submission (accepted, or superseded since) has this content; then the
        file is a duplicate and need not be read. One look-up answers this and, for :meth:`record`,
        whether this very file was recorded meanwhile by a racing process (it is kept for it)."""
        same = SAME_CONTENT(
            self._conn, {"sha": sha256, "src": source, "site": self._ledger.config.site}
        ).all()  # type: ignore[arg-type]
        self._same[(sha256, source)] = same
        return any(r.status in COUNTED for r in same)

    def record(self, sub: Submission | None, **facts: Any) -> SubmissionRecord:
        """:meth:`Ledger.record` (same arguments), in this transaction; the writes that can wait are
        written by :meth:`flush`."""
        same = self._same.pop((facts["sha256"], facts["source"]), None)
        out = self._ledger._record(
            self._conn, sub, self._deferred, new_content=sub is not None, same=same, **facts
        )
        if out.status == ACCEPTED and out.form in DIRECTORY_FORMS:
            self._directory = None  # the next files see the new register
        return out

    def flush(self) -> None:
        """Write what the records deferred (audit entries, region-weeks to consolidate), before the commit."""
        self._ledger.flush(self._conn, self._deferred)
