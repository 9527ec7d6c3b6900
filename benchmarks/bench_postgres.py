"""The ledger on PostgreSQL beside SQLite: the flood, the figures, and what the write lock costs (issue 18).

    python benchmarks/bench_postgres.py [--forms 1000]

- flood: ``--forms`` distinct forms through ``salesflow watch --once`` (settle excluded, as
  ``bench_flood.py``), once with the SQLite ledger and once with a PostgreSQL one: forms/s each;
- figures: the same ledger read back (``Ledger.frames``) and every figure of the week
  (``compute_all``), from each engine, best of 3;
- lock: 1,000 one-statement write transactions on PostgreSQL with and without the advisory lock
  every ledger write takes (``automation.ledger.shared.serialise``).

PostgreSQL is a throw-away server started here (``tests/pgserver.py``: loopback, fsync off), so
its figures show the code's cost, not a durable server's disk; SQLite runs with its usual
``synchronous=FULL``. Take the numbers on a quiet machine and say when it was not.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DAY = date(2026, 11, 23)


def flood(root: Path, url: str, forms: list, registers: list) -> tuple[float, object]:
    from benchmarks.bench_flood import ours
    from tests import dbs

    dbs.CURRENT["url"] = url
    try:
        seconds, counts = ours(root, forms, registers)
    finally:
        dbs.CURRENT["url"] = ""
    from automation.core.config import load_config

    return seconds, load_config(root / "config.yaml")


def figures(config: object, repeat: int = 3) -> tuple[float, float]:
    from automation.ledger import open_ledger
    from automation.score import compute_all

    best_read = best_all = float("inf")
    for _ in range(repeat):
        with open_ledger(config) as ledger:  # type: ignore[arg-type]
            t0 = time.perf_counter()
            frames = ledger.frames()
            t1 = time.perf_counter()
        compute_all(frames, config, "2026-W48", as_of=DAY)  # type: ignore[arg-type]
        t2 = time.perf_counter()
        best_read, best_all = min(best_read, t1 - t0), min(best_all, t2 - t0)
    return best_read, best_all


def lock_cost(url: str, n: int = 1000) -> tuple[float, float]:
    import sqlalchemy as sa

    from automation.ledger.shared import serialise
    from automation.ledger.store import make_engine

    engine = make_engine(url)
    out = []
    for locked in (False, True):
        t0 = time.perf_counter()
        for _ in range(n):
            with engine.begin() as conn:
                if locked:
                    serialise(conn)
                conn.execute(sa.text("UPDATE counters SET value = value WHERE name = 'none'"))
        out.append((time.perf_counter() - t0) / n)
    engine.dispose()
    return out[0], out[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--forms", type=int, default=1000)
    args = ap.parse_args()

    from automation.core.config import load_config
    from automation.core.formspec import load_specs
    from tests.formfactory import FormFactory
    from tests.pgserver import PgServer

    config = load_config(ROOT / "config.yaml")
    factory = FormFactory(config, load_specs(config))
    forms = factory.many(args.forms, end=DAY)
    registers = [factory.register(r.id) for r in config.reps]
    tmp = Path(tempfile.mkdtemp(prefix="salesflow-bench-pg-"))
    server = PgServer()
    try:
        url = server.fresh()
        (tmp / "sqlite").mkdir()
        (tmp / "pg").mkdir()
        s_sec, s_cfg = flood(tmp / "sqlite", "", forms, registers)
        p_sec, p_cfg = flood(tmp / "pg", url, forms, registers)
        n = len(forms)
        print(f"flood of {n} forms   SQLite {n / s_sec:7.1f} forms/s ({s_sec:.2f} s)   "
              f"PostgreSQL {n / p_sec:7.1f} forms/s ({p_sec:.2f} s)   PG/SQLite {s_sec / p_sec:.2f}x")  # fmt: skip
        (sr, sa_), (pr, pa) = figures(s_cfg), figures(p_cfg)
        print(f"read the ledger      SQLite {sr:.3f} s   PostgreSQL {pr:.3f} s")
        print(f"read + all figures   SQLite {sa_:.3f} s   PostgreSQL {pa:.3f} s")
        plain, locked = lock_cost(url)
        print(f"write transaction    PostgreSQL {plain * 1e3:.3f} ms, with the advisory lock {locked * 1e3:.3f} ms "
              f"(+{(locked - plain) * 1e3:.3f} ms)")  # fmt: skip
    finally:
        server.close()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
