"""The ledger heartbeat of a stopping watcher: its last word is "stopped", whatever was in flight.

Seen once under load (tests/test_multisite.py): a watcher stopped cleanly and its site still read
"running", because the beat thread had read the running payload just before it was told to stop,
wrote it, and returned without another write.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from automation.ledger import open_ledger, sites
from tests.formfactory import install


def test_a_write_in_flight_when_told_to_stop_does_not_have_the_last_word(
    tmp_path: Path, monkeypatch: Any
) -> None:
    _, config = install(tmp_path)
    with open_ledger(config):
        pass  # migrated: the site_heartbeats table exists
    real_beat = sites.beat
    reading = threading.Event()  # the thread has read the running payload and is writing it
    gate = threading.Event()  # ... and finishes that write only after finish() was called

    def slow_beat(conn: sa.Connection, config: Any, payload: dict[str, Any]) -> None:
        if payload["state"] == "running" and not gate.is_set():
            reading.set()
            assert gate.wait(10)
        real_beat(conn, config, payload)

    monkeypatch.setattr(sites, "beat", slow_beat)
    beat = sites.LedgerBeat(config, seconds=60)
    beat.offer({"state": "running", "pid": 1}, now=True)
    beat.start()
    assert reading.wait(10)
    threading.Timer(0.3, gate.set).start()  # the in-flight write lands after finish() offered "stopped"
    beat.finish({"state": "stopped", "pid": 1})
    assert not beat.is_alive()
    engine = sa.create_engine(config.database_url)
    try:
        with engine.connect() as conn:
            states = {h["site"]: h["state"] for h in sites.heartbeats(conn)}
    finally:
        engine.dispose()
    assert states == {config.site: "stopped"}
