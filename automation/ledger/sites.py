"""Every site's watcher heartbeat, in the ledger (issue 18): ``salesflow status`` on any site shows them all.

Each watcher keeps writing its heartbeat file in its own state folder (the local truth, written
every 2 s even when the ledger is down); a thread of its own (:class:`LedgerBeat`) copies the
latest one into ``site_heartbeats`` every :data:`BEAT_SECONDS`, stamped with the *database server's*
clock, so ages are measured on one clock whatever the branch machines' clocks say. It has its own
connection and never holds up the watcher: a ledger that cannot be reached just skips beats (the
local heartbeat and ``status`` say why).

A second watcher claiming a site that another live watcher (another host, or another shared
folder) already serves is a configuration mistake that would mix two inboxes' identities: it is
refused at start (:func:`claim`), with the other one named.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
from typing import Any

import sqlalchemy as sa

from automation.core.config import Config
from automation.core.texts.errors import ERRORS
from automation.core.texts.log import LOG
from automation.ledger import schema as t
from automation.ledger.shared import insert, server_epoch

log = logging.getLogger("automation.watch")
BEAT_SECONDS = 5.0
STALE_AFTER_SECONDS = 30.0  # as automation.watch.status: a site whose last beat is older is not alive
_H = t.site_heartbeats.c


class SiteTaken(RuntimeError):
    """Another live watcher already serves this site from another machine or shared folder."""


def _row(config: Config, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "site": config.site,
        "host": socket.gethostname()[:255],
        "pid": int(payload.get("pid") or os.getpid()),
        "shared_folder": str(config.shared_root)[:1000],
        "state": str(payload.get("state") or "")[:20],
        "payload": json.dumps(payload, ensure_ascii=False),
    }


def beat(conn: sa.Connection, config: Config, payload: dict[str, Any]) -> None:
    """Upsert this site's heartbeat (one statement; no read, so no lock needed)."""
    values = _row(config, payload) | {"beat_epoch": server_epoch(conn)}
    stmt = insert(t.site_heartbeats, conn).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[_H.site], set_={k: stmt.excluded[k] for k in values if k != "site"}
    )
    conn.execute(stmt)


def heartbeats(conn: sa.Connection) -> list[dict[str, Any]]:
    """Every site's last heartbeat, with its age on the server's clock (oldest site name first)."""
    rows = conn.execute(
        sa.select(t.site_heartbeats, (server_epoch(conn) - _H.beat_epoch).label("age")).order_by(_H.site)
    ).all()
    out = []
    for r in rows:
        try:
            payload = json.loads(r.payload or "{}")
        except ValueError:
            payload = {}
        age = round(max(0.0, float(r.age or 0.0)), 1)
        out.append({
            "site": r.site, "host": r.host, "pid": r.pid, "shared_folder": r.shared_folder, "state": r.state,
            "heartbeat_age_seconds": age,
            "alive": age <= STALE_AFTER_SECONDS and r.state not in ("stopped", ""),
            "backlog": payload.get("backlog"), "problem": payload.get("problem"),
            "counts": payload.get("counts") or {}, "started": payload.get("started"),
        })  # fmt: skip
    return out


def claim(engine: sa.Engine, config: Config) -> None:
    """Refuse to start when another live watcher serves this site from elsewhere (see module)."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("site_heartbeats"):
            return
        mine = [h for h in heartbeats(conn) if h["site"] == config.site]
    for h in mine:
        same_place = h["host"] == socket.gethostname() and h["shared_folder"] == str(config.shared_root)
        if h["alive"] and not same_place:
            raise SiteTaken(
                ERRORS["site-taken"].format(
                    site=config.site, host=h["host"], pid=h["pid"], folder=h["shared_folder"],
                    age=h["heartbeat_age_seconds"],
                )
            )  # fmt: skip


class LedgerBeat(threading.Thread):
    """Copies the watcher's latest heartbeat into the ledger every :data:`BEAT_SECONDS` (and at once
    when told its state changed), on a connection of its own. Never raises."""

    def __init__(self, config: Config, seconds: float = BEAT_SECONDS) -> None:
        super().__init__(name="salesflow-beat", daemon=True)
        self.config, self.seconds = config, seconds
        self._payload: dict[str, Any] | None = None
        self._wake = threading.Event()
        self._halt = threading.Event()
        self._lock = threading.Lock()
        self._engine: sa.Engine | None = None
        self.failures = 0

    def offer(self, payload: dict[str, Any], *, now: bool = False) -> None:
        with self._lock:
            first, self._payload = self._payload is None, payload
        if now or first:
            self._wake.set()

    def finish(self, payload: dict[str, Any]) -> None:
        """The last beat (state stopped), written before returning; then the thread ends.

        The last write is always this one, made here after the thread ended: a write the thread had
        in flight when told to halt may carry the payload before this one (it read it first), and the
        thread then returns without another, which left a stopped watcher's site "running"."""
        self.offer(payload)
        self._halt.set()
        self._wake.set()
        if self.is_alive():
            self.join(timeout=10)
        self._write()
        if self._engine is not None:
            self._engine.dispose()

    def run(self) -> None:
        while True:
            self._write()
            if self._halt.is_set():
                return
            self._wake.wait(self.seconds)
            self._wake.clear()
            if self._halt.is_set():
                self._write()
                return

    def _write(self) -> None:
        with self._lock:
            payload = self._payload
        if payload is None:
            return
        try:
            if self._engine is None:
                from automation.ledger.store import make_engine

                self._engine = make_engine(self.config.database_url)
            with self._engine.begin() as conn:
                beat(conn, self.config, payload)
            self.failures = 0
        except Exception as exc:  # the ledger is down or not migrated yet: the local heartbeat says so
            self.failures += 1
            if self.failures == 1:
                log.info(LOG["heartbeat-ledger-failed"], type(exc).__name__)
