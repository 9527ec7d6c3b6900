"""One table: Salesflow's speed on the large demo company, each figure beside a hand-written pandas baseline.

    python benchmarks/run.py [--quick] [--seed 7]

The large company (20 regions, 200 reps, ~20,000 customers, 12 months, ~300,000 visits) is built once
and cached under ``benchmarks/.cache/`` (its config, its ledger frames, the first forms it drops and
a master workbook of its visits). Then, in the same run:

- **per-form ingest latency** (p50, p95): ``automation.pipeline.process`` on each form of a sample,
  in a fresh installation, against a back office merging the same form by hand: ``pandas.read_excel``
  (openpyxl; ``read_csv`` for CSV), ``concat`` onto the master, ``to_excel`` (openpyxl) of the master
  (which starts empty and grows with the sample only);
- **flood**: the watcher (settle time 0, so the deliberate wait is excluded) takes the forms from the
  inbox into the ledger and archive, against read_excel + concat + one ``to_excel`` (openpyxl) of the
  same files; forms/s;
- **figures**: every figure (``automation.score.compute_all``) on the large ledger's frames, against
  what a back office does with its master workbook: read_excel (openpyxl) of all visits, a pivot per
  region, rep and week, and to_excel;
- **peak RSS** of the figures step and of its baseline, each measured in its own process;
- **company workbook**: the week's figures and the consolidated company workbook
  (``benchmarks/bench_consolidate.py``), against pandas writing the week's visits, a pivot and the
  customer register to one workbook (openpyxl).

The baseline does less than Salesflow (no validation, no ledger, no archive), so the ratios favour it.
``--quick`` uses a 500-form flood, a 100-form latency sample and, for the figures baseline, the
master workbook's latest 13 weeks scaled linearly to the whole year (said so in the table);
the full run uses 2,000 forms, 400 and every row.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CACHE = ROOT / "benchmarks" / ".cache"
END = date(2026, 11, 23)  # fixed, so the cache and the numbers do not drift with the machine's clock
SAMPLE_FORMS = 2600  # registers first, then a flood's worth of daily forms
QUICK_WEEKS = 13  # --quick: the figures baseline reads a master workbook of the latest 13 weeks


_SCRATCH: list[Path] = []  # the run's one temporary folder, removed when the run ends


def _workdir(name: str) -> Path:
    """A fresh folder for one measurement, kept until the whole run ends.

    Why not a temporary folder per measurement: deleting thousands of files makes this VM's ext4
    (no journal) skip over the freed inodes for a few minutes whenever a file is created, which
    made each measurement pay for the clean-up of the one before (a content-store copy went from
    ~0.1 ms to ~0.5 ms right after an rmtree). A watcher in production frees almost no inodes:
    originals are hard-linked into the archive and the content store renames its copies.
    """
    if not _SCRATCH:
        _SCRATCH.append(Path(tempfile.mkdtemp(prefix="salesflow-bench-")))
    out = _SCRATCH[0] / name
    out.mkdir(parents=True)
    return out


def _peak_rss() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    import psutil

    return int(psutil.Process().memory_info().rss)


# ----- the cached company -------------------------------------------------------------------------
def prepare(seed: int) -> Path:
    """Build (once; each part only when missing) the large company: config, frames, the first forms
    it drops, master workbooks, and an installation whose ledger holds the first day's registers."""
    import pandas as pd

    from automation.core.config import load_config
    from automation.demo.frames_mode import frames_of
    from automation.demo.generator import build_world, generate

    cache = CACHE / f"large-{seed}-{END:%Y%m%d}-{_generator_version()}"
    if (cache / "done").exists():
        return cache
    cache.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    if not (cache / "frames.pkl").exists():
        built = build_world("large", seed, END)
        res = generate(cache, "large", seed, END, limit=SAMPLE_FORMS, built=built)
        frames = frames_of(built[1], load_config(res.config_path), seed)
        with (cache / "frames.pkl").open("wb") as fh:
            pickle.dump(frames, fh, protocol=pickle.HIGHEST_PROTOCOL)
    with (cache / "frames.pkl").open("rb") as fh:
        visits = pickle.load(fh).visits
    if not (cache / "master_visits.xlsx").exists():
        _write_master(visits, cache / "master_visits.xlsx")
    if not (cache / "master_recent.xlsx").exists():
        recent = visits[visits["date"] > pd.Timestamp(END) - pd.Timedelta(weeks=QUICK_WEEKS)]
        _write_master(recent, cache / "master_recent.xlsx")
    if not (cache / "installation").exists():
        setup, _ = _sample(cache)
        config = _install(cache, cache / "installation")
        _setup_ledger(cache, config, setup)
    (cache / "done").write_text(f"{time.perf_counter() - t0:.0f} s", encoding="utf-8")
    return cache


def _generator_version() -> str:
    """A digest of the demo generator's code: a changed generator builds a new cache."""
    from automation.core.content_store import sha256_of

    names = ("company", "world", "office", "mistakes", "writers", "generator", "frames_mode")
    files = [ROOT / "automation" / "demo" / f"{name}.py" for name in names]
    return sha256_of("".join(sha256_of(f)[0] for f in files).encode())[0][:8]


def _write_master(visits: Any, path: Path) -> None:
    """The back office's master workbook: one row per visit (xlsxwriter, so building it is quick)."""
    df = visits.copy()
    for c in df.columns:
        if str(df[c].dtype).startswith("datetime"):
            df[c] = df[c].dt.strftime("%Y-%m-%d")
    df = df.astype(object).where(df.notna(), None)
    df.to_excel(path, index=False, engine="xlsxwriter", engine_kwargs={"options": {"constant_memory": True}})


def _sample(cache: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(initial registers and targets, the daily forms after them) from the cached manifest."""
    from automation.demo.generator import read_manifest

    entries = [e for e in read_manifest(cache / "manifest.jsonl") if e["expected"] != "ignored"]
    first_day = entries[0]["received"][:10]
    setup = [
        e
        for e in entries
        if e["form"] in ("customer_register", "targets") and e["received"][:10] == first_day
    ]
    rest = [e for e in entries if e not in setup]
    return setup, rest


def _install(cache: Path, root: Path) -> Any:
    """A fresh installation with the large company's config (settle 0: the wait is not work)."""
    import yaml

    from automation.core.config import load_config
    from automation.demo.run import make_installation

    root.mkdir(parents=True)
    data = yaml.safe_load((cache / "config.yaml").read_text(encoding="utf-8"))
    data["watcher"] = {"settle_seconds": 0, "reconcile_seconds": 3600}
    (root / "config.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    make_installation(root)
    return load_config(root / "config.yaml")


def _fresh(cache: Path, tmp: Path) -> Any:
    """A copy of the cached installation whose ledger already holds the first day's registers,
    brought to the current schema (a migration happens once per installation: not ingest work)."""
    from automation.core.config import load_config
    from automation.ledger import open_ledger

    shutil.copytree(cache / "installation", tmp / "inst")
    config = load_config(tmp / "inst" / "config.yaml")
    open_ledger(config).close()
    return config


def _drop(cache: Path, config: Any, entries: list[dict[str, Any]]) -> list[Path]:
    out = []
    for e in entries:
        dst = config.inbox / e["path"]
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(cache / "_drops" / e["path"], dst)
        out.append(dst)
    return out


def _setup_ledger(cache: Path, config: Any, setup: list[dict[str, Any]]) -> None:
    from automation.pipeline import process

    for e, path in zip(setup, _drop(cache, config, setup), strict=True):
        process(path, config, folder=e["folder"])


# ----- measurements ---------------------------------------------------------------------------------
def _read_baseline(path: Path) -> Any:
    import warnings

    import pandas as pd

    warnings.simplefilter("ignore")  # xlrd's deprecation notice, once per .xls file

    ext = path.suffix.lower()
    if ext == ".csv":
        raw = path.read_bytes()
        enc = "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "gb18030"
        return pd.read_csv(
            path, header=None, dtype=object, encoding=enc, on_bad_lines="skip", engine="python"
        )
    engine = {".xls": "xlrd", ".ods": "odf"}.get(ext, "openpyxl")
    return pd.read_excel(path, sheet_name=0, header=None, dtype=object, engine=engine)


def ingest_latency(cache: Path, n: int) -> dict[str, Any]:
    from automation.ledger import open_ledger
    from automation.pipeline import process

    _, rest = _sample(cache)
    sample = rest[:n]
    config = _fresh(cache, _workdir("latency-ours"))
    paths = _drop(cache, config, sample)
    ours: list[float] = []
    statuses: dict[str, int] = {}
    ledger = open_ledger(config)
    try:
        for e, p in zip(sample, paths, strict=True):
            t0 = time.perf_counter()
            out = process(p, config, ledger=ledger, folder=e["folder"], specs=ledger.specs)
            ours.append(time.perf_counter() - t0)
            statuses[out.status] = statuses.get(out.status, 0) + 1
    finally:
        ledger.close()
    import pandas as pd

    base: list[float] = []
    master = pd.DataFrame()
    master_path = _workdir("latency-base") / "master.xlsx"
    for e in sample:  # a back office merging one form: read it, concat, write the master back
        t0 = time.perf_counter()
        master = pd.concat([master, _read_baseline(cache / "_drops" / e["path"])], ignore_index=True)
        master.to_excel(master_path, index=False, engine="openpyxl")
        base.append(time.perf_counter() - t0)
    return {"ours": _pcts(ours), "base": _pcts(base), "n": len(sample), "statuses": statuses}


def _pcts(xs: list[float]) -> dict[str, float]:
    xs = sorted(xs)
    return {"p50": statistics.median(xs), "p95": xs[min(len(xs) - 1, int(0.95 * len(xs)))]}


def flood(cache: Path, n: int) -> dict[str, Any]:
    import automation.pipeline.flood.batch  # noqa: F401  imports are not timed, as pandas' are not below
    from automation.watch import Watcher

    _, rest = _sample(cache)
    sample = rest[:n]
    work = _workdir("flood")
    config = _fresh(cache, work)
    _drop(cache, config, sample)
    t0 = time.perf_counter()
    summary = Watcher(config).run(once=True, install_signals=False)
    ours = time.perf_counter() - t0
    import pandas as pd

    t0 = time.perf_counter()
    frames = [_read_baseline(cache / "_drops" / e["path"]) for e in sample]
    pd.concat(frames, ignore_index=True).to_excel(work / "baseline.xlsx", index=False, engine="openpyxl")
    base = time.perf_counter() - t0
    return {"ours_s": ours, "base_s": base, "n": len(sample), "counts": dict(summary.counts)}


def figures_ours(cache: Path, repeat: int) -> dict[str, Any]:
    from automation.core.config import load_config
    from automation.demo.run import latest_full_week
    from automation.score import compute_all

    config = load_config(cache / "config.yaml")
    with (cache / "frames.pkl").open("rb") as fh:
        frames = pickle.load(fh)
    week, sunday = latest_full_week(END)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        compute_all(frames, config, week, as_of=sunday)
        best = min(best, time.perf_counter() - t0)
    return {"s": best, "rss": _peak_rss(), "visits": len(frames.visits), "customers": len(frames.customers)}


def figures_base(cache: Path, weeks: int | None) -> dict[str, Any]:
    """read_excel (openpyxl) of the master workbook + pivot per region, rep and week + to_excel."""
    import openpyxl
    import pandas as pd

    src = cache / "master_visits.xlsx"
    total = openpyxl.load_workbook(src, read_only=True).active.max_row - 1
    rows = total
    if weeks is not None:  # quick: a master workbook of the latest weeks only, scaled by rows
        src = cache / "master_recent.xlsx"
        rows = openpyxl.load_workbook(src, read_only=True).active.max_row - 1
    t0 = time.perf_counter()
    df = pd.read_excel(src, engine="openpyxl")
    df["week"] = pd.to_datetime(df["date"]).dt.strftime("%G-W%V")
    df["effective"] = df["outcome"].isin(["deal", "interested", "follow_up"])
    pivot = df.groupby(["region", "rep_id", "week"]).agg(
        visits=("customer_id", "size"), effective=("effective", "mean"), sales=("order_amount", "sum"),
        margin=("gross_margin", "sum"), collections=("collection_amount", "sum"),
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        pivot.to_excel(Path(tmp) / "figures.xlsx", engine="openpyxl")
    s = time.perf_counter() - t0
    return {"s": s * total / rows, "measured_rows": rows, "rows": total, "rss": _peak_rss()}


def workbook_ours(cache: Path, repeat: int) -> dict[str, Any]:
    """The week's figures and the company workbook (benchmarks/bench_consolidate.py) on the cached frames."""
    from automation.core.config import load_config
    from benchmarks.bench_consolidate import company_workbook

    with (cache / "frames.pkl").open("rb") as fh:
        frames = pickle.load(fh)
    return company_workbook(load_config(cache / "config.yaml"), frames, repeat)


def workbook_base(cache: Path) -> dict[str, Any]:
    from benchmarks.bench_consolidate import company_baseline

    with (cache / "frames.pkl").open("rb") as fh:
        frames = pickle.load(fh)
    return company_baseline(frames)


def _in_subprocess(part: str, *args: str) -> dict[str, Any]:
    """Run one measurement in its own process, so its peak RSS is its own."""
    out = subprocess.run(
        [sys.executable, __file__, "--part", part, *args], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# ----- the table --------------------------------------------------------------------------------------
def table(
    lat: dict[str, Any],
    fl: dict[str, Any],
    fo: dict[str, Any],
    fb: dict[str, Any],
    quick: bool,
    wo: dict[str, Any] | None = None,
    wbase: dict[str, Any] | None = None,
) -> str:
    def row(what: str, ours: str, base: str, ratio: float, target: str) -> str:
        return f"| {what} | {ours} | {base} | {ratio:.1f}x | {target} |"

    scaled = (
        f" (measured on {fb['measured_rows']:,} rows, scaled)" if fb["measured_rows"] != fb["rows"] else ""
    )
    flood_ours, flood_base = fl["n"] / fl["ours_s"], fl["n"] / fl["base_s"]
    done = sum(fl["counts"].get(k, 0) for k in ("accepted", "rejected", "duplicate", "ignored"))
    flood_note = "" if done == fl["n"] else f" — INVALID: only {done} of {fl['n']} forms finished"
    lines = [
        f"Large company: {fo['visits']:,} visits, {fo['customers']:,} customers · "
        f"{'quick' if quick else 'full'} run · {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.system()} {platform.release()}",
        "",
        "| measure | Salesflow | pandas baseline | ratio | target |",
        "|---|---|---|---|---|",
        row(
            "ingest latency p50 per form",
            f"{lat['ours']['p50'] * 1000:.0f} ms",
            f"{lat['base']['p50'] * 1000:.0f} ms",
            lat["base"]["p50"] / lat["ours"]["p50"],
            ">= 10x",
        ),  # fmt: skip
        row(
            "ingest latency p95 per form",
            f"{lat['ours']['p95'] * 1000:.0f} ms",
            f"{lat['base']['p95'] * 1000:.0f} ms",
            lat["base"]["p95"] / lat["ours"]["p95"],
            ">= 10x",
        ),  # fmt: skip
        row(
            f"flood of {fl['n']:,} forms (settle excluded){flood_note}",
            f"{flood_ours:.1f} forms/s",
            f"{flood_base:.1f} forms/s",
            flood_ours / flood_base,
            ">= 10x",
        ),  # fmt: skip
        row(
            "all figures, large ledger",
            f"{fo['s']:.2f} s",
            f"{fb['s']:.1f} s{scaled}",
            fb["s"] / fo["s"],
            "< 2 s",
        ),
        row(
            "peak RSS, figures",
            f"{fo['rss'] / 2**20:.0f} MiB",
            f"{fb['rss'] / 2**20:.0f} MiB",
            fb["rss"] / fo["rss"],
            "< 1 GiB",
        ),  # fmt: skip
    ]
    if wo is not None and wbase is not None:
        lines.append(
            row(
                "company workbook, one week (figures + 11 sheets)",
                f"{wo['wall']:.2f} s",
                f"{wbase['wall']:.1f} s (3 plain sheets)",
                wbase["wall"] / wo["wall"],
                "< 3 s",
            )
        )
    lines += ["", f"ingest sample: {lat['n']} forms {lat['statuses']}; flood: {fl['counts']}"]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="about two minutes: smaller samples")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--part", help=argparse.SUPPRESS)
    ap.add_argument("--arg", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--cache", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.part:  # a measurement in its own process: the cache is ready, nothing else may add to its RSS
        cache = Path(args.cache)
        fn = {"figures-ours": lambda: figures_ours(cache, args.arg or 1),
              "figures-base": lambda: figures_base(cache, args.arg),
              "workbook-ours": lambda: workbook_ours(cache, args.arg or 1),
              "workbook-base": lambda: workbook_base(cache)}[args.part]  # fmt: skip
        print(json.dumps(fn()))
        return 0
    try:
        return _run(args)
    finally:
        for folder in _SCRATCH:
            shutil.rmtree(folder, ignore_errors=True)


def _run(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    cache = prepare(args.seed)
    print(f"company ready in {time.perf_counter() - t0:.0f} s ({cache})", file=sys.stderr)
    lat = ingest_latency(cache, 100 if args.quick else 400)
    print(f"latency done at {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    fl = flood(cache, 500 if args.quick else 2000)
    print(f"flood done at {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    fo = _in_subprocess("figures-ours", "--cache", str(cache), "--arg", "1" if args.quick else "3")
    fb = _in_subprocess(
        "figures-base", "--cache", str(cache), *(["--arg", str(QUICK_WEEKS)] if args.quick else [])
    )
    wo = _in_subprocess("workbook-ours", "--cache", str(cache), "--arg", "1" if args.quick else "3")
    wbase = _in_subprocess("workbook-base", "--cache", str(cache))
    print(table(lat, fl, fo, fb, args.quick, wo, wbase))
    print(f"(total {time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
