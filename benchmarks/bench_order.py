"""What received order costs a flood: sorting a 2,000-file backlog against the flood's own time.

Every batch is processed in received order (``automation/received_order.py``, SPEC §2 Order): the
watcher sorts the files that became ready together before it hands them over, and
``process_batch`` sorts each batch again (ingest and direct callers rely on it). Both sorts cost one
``lstat`` and a key per file. This script builds the 2,000-form flood of ``bench_flood.py`` in an
inbox (random modification times over a day, names in no particular order), times the two sorts as
the watcher pays them (the whole backlog once, then 10 batches of 200), and the flood itself through
``Watcher(config).run(once=True)``, and prints the share. Target: under 5 % of the flood's time.

A pandas baseline is beside the point here (no baseline sorts anything); the flood's forms/s
against pandas is ``bench_flood.py``'s. Run: ``python benchmarks/bench_order.py [--forms 2000]``.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SALESFLOW_NOW", "2026-11-23T21:00:00")

TARGET_SHARE = 0.05
DAY = date(2026, 11, 23)
BATCH = 200  # the watcher's MAX_BATCH: files per process_batch call
REPEAT = 5  # the sort is timed this many times; the median is kept


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=2000)
    args = parser.parse_args()

    from automation.core.config import load_config
    from automation.core.formspec import load_specs
    from automation.pipeline import process
    from automation.pipeline.order import in_received_order
    from automation.watch import Watcher
    from tests.formfactory import FormFactory, install

    base = load_config(ROOT / "config.yaml")
    factory = FormFactory(base, load_specs(base))
    forms = factory.many(args.forms, end=DAY)
    registers = [factory.register(r.id) for r in base.reps]
    rng = random.Random(13)
    tmp = Path(tempfile.mkdtemp(prefix="salesflow-order-"))
    try:
        _, config = install(tmp, settle_seconds=0.0, reconcile_seconds=3600)
        for f in registers:
            assert process(f.drop(config.inbox), config, folder=f.rep_id).status == "accepted"
        paths = []
        day = datetime(2026, 11, 23, 7).timestamp()
        for i, f in enumerate(forms):
            p = f.drop(config.inbox, f"{rng.randrange(10**6):06d}_{i}_{f.name}")
            when = day + rng.randrange(13 * 3600)
            os.utime(p, (when, when))
            paths.append(p)
        rng.shuffle(paths)

        def sort_as_the_watcher_does() -> float:
            start = time.perf_counter()
            ordered = in_received_order(paths, config.inbox)  # the ready files, once
            for i in range(0, len(ordered), BATCH):  # then each batch in process_batch
                in_received_order(ordered[i : i + BATCH], config.inbox)
            return time.perf_counter() - start

        sort_s = sorted(sort_as_the_watcher_does() for _ in range(REPEAT))[REPEAT // 2]
        start = time.perf_counter()
        summary = Watcher(config).run(once=True, install_signals=False)
        flood_s = time.perf_counter() - start
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    n = len(forms)
    share = sort_s / flood_s
    print(
        f"received order    : {n} files sorted twice (whole backlog + {BATCH}-file batches) in {sort_s * 1000:7.1f} ms"
    )
    print(
        f"flood (watcher)   : {n} forms in {flood_s:7.2f}s = {n / flood_s:8.1f} forms/s  {dict(summary.counts)}"
    )
    print(
        f"share             : {share:.2%} of the flood (target < {TARGET_SHARE:.0%}) -> {'MET' if share < TARGET_SHARE else 'NOT MET'}"
    )
    return 0 if share < TARGET_SHARE and summary.counts.get("accepted", 0) == n else 1


if __name__ == "__main__":
    sys.exit(main())
