"""The kill test at 200 kills (issue 14 "Must hold"): 0 lost, 0 double.

``tests/test_watcher_crash.py`` SIGKILLs a watcher process 20 times in CI while forms keep arriving;
this runs the same harness (:func:`tests.test_watcher_crash.crash_run`) with 200 kills and 800
forms, then prints the figures the README quotes: kills, kills that found forms waiting, forms,
accepted, lost, double, left in the inbox, row mismatches, and the wall time. It takes several
minutes of one core and is not part of ``benchmarks/run.py`` (nor of CI).

Run: ``python benchmarks/bench_kill.py [--kills 200] [--forms 800] [--seed N]``. Exit 1 unless clean.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SALESFLOW_NOW", "2026-11-23T21:00:00")


def main() -> int:
    from tests.test_watcher_crash import SEED, crash_run

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=200)
    ap.add_argument("--forms", type=int, default=800)
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="salesflow-kill-") as tmp:
        run = crash_run(Path(tmp), kills=args.kills, n_forms=args.forms, seed=args.seed)
    r = run.result
    print(f"kills                   {run.kills} ({run.busy_kills} with forms waiting in the inbox)")
    print(f"forms (with registers)  {run.forms}")
    print(f"accepted                {r.accepted}")
    print(f"lost                    {len(r.lost)}")
    print(f"double                  {len(r.double)}")
    print(f"left in the inbox       {len(r.in_inbox)}")
    print(f"rows not as in the file {len(r.row_mismatch)}")
    print(f"rejected (none expected) {len(r.rejected)}")
    print(f"wall time               {run.seconds:.0f} s (seed {args.seed})")
    return 0 if r.clean and r.accepted == run.forms and not r.rejected else 1


if __name__ == "__main__":
    sys.exit(main())
