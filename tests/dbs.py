"""Which ledger the current test runs on: SQLite (the default) or a fresh PostgreSQL database.

The ``db`` fixture (``tests/conftest.py``) is a pytest parameter of the DB-facing test modules
(``pytestmark = pytest.mark.usefixtures("db")``): each of their tests runs twice, once per
engine. While a PostgreSQL run is on, :data:`CURRENT` holds its database's URL and the test
installations (``tests.formfactory.install``, ``tests.ledger_helpers.make_config``) put it in
their config as ``ledger_url``, so everything the test starts, subprocesses included, uses it.
"""

from __future__ import annotations

from typing import Any

CURRENT: dict[str, str] = {"url": ""}


def ledger_url() -> str:
    """The PostgreSQL URL of the running test, or "" for SQLite."""
    return CURRENT["url"]


def with_ledger(data: dict[str, Any]) -> dict[str, Any]:
    """A config mapping with the current test's ledger (unchanged on SQLite)."""
    if CURRENT["url"] and "ledger_url" not in data:
        data["ledger_url"] = CURRENT["url"]
    return data


def rows(config: Any, query: str, *args: Any) -> list[tuple[Any, ...]]:
    """Read the ledger directly with the database's own driver (SQLite read-only), so a check does
    not trust the code it checks. ``query`` uses ``?`` placeholders."""
    url = config.database_url
    if url.startswith("postgresql"):
        import psycopg
        import sqlalchemy as sa

        u = sa.make_url(url)
        with psycopg.connect(host=u.host, port=u.port, user=u.username, dbname=u.database) as conn:
            return [tuple(r) for r in conn.execute(query.replace("?", "%s"), args).fetchall()]  # type: ignore[arg-type]
    import sqlite3

    db = config.state_root / "ledger.sqlite"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return con.execute(query, args).fetchall()
    finally:
        con.close()
