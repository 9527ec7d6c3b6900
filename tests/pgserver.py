"""A real PostgreSQL for the tests, started by the tests themselves on loopback in a temporary folder.

Debian's server (``apt-get install postgresql``; ``.ci/run`` installs it) in
``/usr/lib/postgresql/<version>/bin``. It refuses to run as root, so when the tests are root it runs
as the ``postgres`` OS user (``runuser -u postgres --``) with a data folder it owns. One server per
test session (per xdist worker), listening on 127.0.0.1 at a free port, its unix socket in the
temporary folder; durability is off (``fsync=off``: the data is thrown away, and a stopped server
still shuts down cleanly). A template database holds the ledger's schema at the newest version, so
each test's fresh database is one ``CREATE DATABASE ... TEMPLATE`` (a file copy, ~30 ms).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

TEMPLATE = "salesflow_template"
USER = "salesflow"
_counter = itertools.count(1)


def bin_dir() -> Path | None:
    """Debian's newest server binaries, or the ones on PATH."""
    root = Path("/usr/lib/postgresql")
    versions = sorted(
        (p for p in root.glob("*/bin") if (p / "initdb").exists()), key=lambda p: int(p.parent.name)
    )
    if versions:
        return versions[-1]
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    """One throw-away PostgreSQL server; :meth:`fresh` hands out empty, migrated databases."""

    def __init__(self) -> None:
        found = bin_dir()
        if found is None:
            raise RuntimeError(
                "PostgreSQL server binaries not found: apt-get install -y postgresql (.ci/run does)"
            )
        self.bin = found
        self.root = Path(tempfile.mkdtemp(prefix="salesflow-pg-"))
        os.chmod(self.root, 0o755)  # the postgres user must reach its folders inside
        self.data = self.root / "data"
        self.sock = self.root / "sock"
        self.log = self.root / "server.log"
        self.port = _free_port()
        self.as_root = os.geteuid() == 0
        self.sock.mkdir()
        self.data.mkdir(mode=0o700)
        if self.as_root:
            shutil.chown(self.data, "postgres", "postgres")
            shutil.chown(self.sock, "postgres", "postgres")
            self.log.touch()
            shutil.chown(self.log, "postgres", "postgres")
        self._run(
            "initdb", "-D", str(self.data), "-U", USER, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"
        )
        self.start()
        self._make_template()

    # ----- the server ------------------------------------------------------------------------------
    def _cmd(self, tool: str, *args: str) -> list[str]:
        cmd = [str(self.bin / tool), *args]
        return ["runuser", "-u", "postgres", "--", *cmd] if self.as_root else cmd

    def _run(self, tool: str, *args: str) -> None:
        res = subprocess.run(self._cmd(tool, *args), capture_output=True, text=True, timeout=120)
        if res.returncode != 0:
            raise RuntimeError(
                f"{tool} failed ({res.returncode}): {res.stdout}\n{res.stderr}\n{self._log_tail()}"
            )

    def _log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return self.log.read_text(errors="replace")[-3000:]
        return ""

    def start(self) -> None:
        opts = (
            f"-p {self.port} -k {self.sock} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
            "-c shared_buffers=32MB -c log_min_messages=warning"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", opts, "-w", "-t", "60", "start")

    def stop(self) -> None:
        """``pg_ctl stop -m fast``: every connection is cut, as a server going down does."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    # ----- databases ------------------------------------------------------------------------------
    def url(self, db: str) -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{db}"

    def admin(self, sql: str) -> None:
        """Run ``sql`` outside a transaction on the ``postgres`` database (CREATE/DROP DATABASE)."""
        import psycopg

        for attempt in range(50):
            try:
                with psycopg.connect(host="127.0.0.1", port=self.port, user=USER, dbname="postgres",
                                     autocommit=True) as conn:  # fmt: skip
                    conn.execute(sql)  # type: ignore[arg-type]
                return
            except psycopg.errors.ObjectInUse:  # a template still being let go of by a pool
                if attempt == 49:
                    raise
                time.sleep(0.1)

    def _make_template(self) -> None:
        from automation.ledger import migrate
        from automation.ledger.store import make_engine

        self.admin(f"CREATE DATABASE {TEMPLATE}")
        engine = make_engine(self.url(TEMPLATE))
        try:
            migrate.upgrade(engine)
        finally:
            engine.dispose()

    def fresh(self, template: str = TEMPLATE) -> str:
        """A new database copied from ``template`` (the migrated empty ledger); returns its URL."""
        name = f"t{os.getpid()}_{next(_counter)}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
        return self.url(name)

    def drop(self, url: str) -> None:
        name = url.rsplit("/", 1)[1]
        with contextlib.suppress(Exception):
            self.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def wait_until_up(server: PgServer, timeout: float = 30) -> None:
    import psycopg

    deadline = time.monotonic() + timeout
    while True:
        try:
            psycopg.connect(host="127.0.0.1", port=server.port, user=USER, dbname="postgres").close()
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
