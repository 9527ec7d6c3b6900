"""Shared fixtures: real files in tmp dirs, the repo's config, and the LibreOffice harness."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOOLS = Path(os.environ.get("SALESFLOW_TOOLS", ROOT.parent / "shared" / "tools"))
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(autouse=True)
def _fixed_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs on a recorded day unless it sets its own: Monday 2026-11-23, 21:00."""
    if "SALESFLOW_NOW" not in os.environ:
        monkeypatch.setenv("SALESFLOW_NOW", "2026-11-23T21:00:00")


@pytest.fixture
def config_path() -> Path:
    return ROOT / "config.yaml"


@pytest.fixture
def config(config_path: Path):  # type: ignore[no-untyped-def]
    from automation.core.config import load_config

    return load_config(config_path)


@pytest.fixture
def specs(config):  # type: ignore[no-untyped-def]
    from automation.core.formspec import load_specs

    return load_specs(config)


@pytest.fixture(scope="session")
def tools() -> Path:
    """The ../shared/tools harness; engine tests fail (never skip) when it or LibreOffice is missing."""
    if not (TOOLS / "recalc.py").exists():
        pytest.fail(
            f"harness not found at {TOOLS}; set SALESFLOW_TOOLS or run from a checkout beside shared/"
        )
    if not shutil.which("soffice"):
        pytest.fail("LibreOffice (soffice) not installed: run ../shared/tools/install.sh")
    return TOOLS


# ----- the ledger's two engines (issue 18) ----------------------------------------------------------
@pytest.fixture(scope="session")
def pg_server():  # type: ignore[no-untyped-def]
    """One real PostgreSQL per test session (per xdist worker), started here (tests/pgserver.py);
    a failure to start fails the PostgreSQL tests (never a skip)."""
    from tests.pgserver import PgServer

    server = PgServer()
    yield server
    server.close()


ENGINES = ("sqlite", "postgres")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Each test of a DB-facing module (``pytestmark = pytest.mark.usefixtures("db")``) runs once
    per engine, except those marked ``sqlite_only`` (what only SQLite has: its file, its pragmas,
    the fast path), which run once, on SQLite."""
    if "db" in metafunc.fixturenames:
        engines = ["sqlite"] if metafunc.definition.get_closest_marker("sqlite_only") else list(ENGINES)
        metafunc.parametrize("db", engines, indirect=True)


@pytest.fixture
def db(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """The ledger engine of a DB-facing test (see :func:`pytest_generate_tests`): SQLite, or a
    fresh PostgreSQL database that the installations the test makes use (tests/dbs.py)."""
    from tests import dbs

    if getattr(request, "param", "sqlite") == "sqlite":
        yield "sqlite"
        return
    server = request.getfixturevalue("pg_server")
    url = server.fresh()
    dbs.CURRENT["url"] = url
    try:
        yield "postgres"
    finally:
        dbs.CURRENT["url"] = ""
        server.drop(url)
