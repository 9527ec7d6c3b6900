"""What a PostgreSQL ledger needs beyond SQLAlchemy's defaults: engine options, and one line for a
missing driver.

The driver is psycopg 3 (``pip install 'salesflow[postgres]'``): a plain ``postgresql://`` URL is
read as ``postgresql+psycopg://`` (:attr:`automation.core.config.Config.database_url`). Without it,
SQLAlchemy's import error was a 49-line traceback from every command; :func:`missing_driver` is
the one line said instead (exit 2, as any configuration problem).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from automation.core.texts.errors import ERRORS

INSTALL = "pip install 'salesflow[postgres]'"
CONNECT_TIMEOUT = 10  # seconds: an unreachable server is a fault the watcher waits on, not a hang
# A server that vanished (a cable, a failover) is noticed by the keepalives within about
# idle + interval * count seconds instead of the operating system's two hours.
KEEPALIVES = {"keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 3}


def engine_options(url: str) -> dict[str, Any]:
    """``create_engine`` options for ``url`` (a non-SQLite URL)."""
    if sa.make_url(url).get_backend_name() != "postgresql":
        return {"pool_pre_ping": True}
    return {
        "pool_pre_ping": True,  # a connection the server closed (a restart) is replaced, not used
        "pool_size": 2,
        "max_overflow": 4,
        "connect_args": {"connect_timeout": CONNECT_TIMEOUT, "application_name": "salesflow", **KEEPALIVES},
    }


def missing_driver(url: str, exc: BaseException) -> str:
    """One line: the ledger URL's driver is not installed, and what to install."""
    try:
        parsed = sa.make_url(url)
        backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    except sa.exc.ArgumentError:
        backend, driver = url.split(":", 1)[0], ""
    if backend == "postgresql":
        return ERRORS["ledger-no-postgres-driver"].format(driver=driver or "psycopg", install=INSTALL)
    return ERRORS["ledger-no-driver"].format(
        driver=backend + ("+" + driver if driver else ""), error=exc, install=INSTALL
    )
