"""Realistic demo companies and the files their people drop, deterministic for a seed.

:func:`generate` writes a company's ``config.yaml`` and every form its reps, supervisors and HQ would
drop, into ``<dir>/_drops/<folder>/``, each with its received time as modification time, plus
``manifest.jsonl`` (time order) saying what the product is expected to do with each file. The
mistakes real people make are part of it: rejected forms later corrected, late reports, missing
days, the same file dropped twice, and the lock and temp files Excel and LibreOffice leave behind.

Sizes: ``small`` is the repo's own company (3 regions, 12 reps, ~600 customers, 4 weeks); ``large``
is 20 regions, 200 reps, ~20,000 customers and 12 months (~300,000 visits). Writing 60,000 large
workbooks is rarely what a caller wants, so :func:`large_frames` builds the large ledger's
:class:`~automation.core.frames.LedgerFrames` straight from the simulation, and ``limit`` writes only the
first N forms in time order (the ingest benchmark's sample).

Determinism: every random choice comes from a ``random.Random`` seeded from the seed and a stable
name; dates are anchored to ``end`` (default: :func:`automation.core.clock.today`); files carry fixed
internal timestamps. LibreOffice-saved files are the one exception (LibreOffice stamps its own
times), so they are only made when ``libreoffice=True``.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from automation.core import clock
from automation.core.config import Config, load_config
from automation.core.formspec import load_specs
from automation.core.outcomes import FAILED, OUTCOMES
from automation.demo import company as co
from automation.demo import office
from automation.demo import writers as wr
from automation.demo.mistakes import Drop, plan_drops
from automation.demo.world import World

SIZES: dict[str, dict[str, float]] = {
    # customers_per_rep: the register a rep starts with is ``initial`` of it; new ones come at
    # ``new_per_day`` per working day; visits_per_day is the mean of a normal draw per day.
    "small": {
        "weeks": 4,
        "customers_per_rep": 56,
        "initial": 0.85,
        "new_per_day": 0.12,
        "visits_per_day": 5.5,
    },
    "large": {
        "weeks": 52,
        "customers_per_rep": 100,
        "initial": 0.8,
        "new_per_day": 0.08,
        "visits_per_day": 6.7,
    },
}
MANIFEST = "manifest.jsonl"
DROPS = "_drops"


@dataclass
class Result:
    """What :func:`generate` made: the config, the staging folder and the manifest entries."""

    config_path: Path
    drops: Path
    manifest_path: Path
    entries: list[dict[str, Any]] = field(default_factory=list)
    world: World | None = None


def window(size: str, end: date) -> tuple[date, date]:
    """The simulated days: ``weeks`` whole weeks ending on ``end`` (inclusive)."""
    return end - timedelta(days=7 * int(SIZES[size]["weeks"]) - 1), end


def build_world(size: str = "small", seed: int = 7, end: date | None = None) -> tuple[dict[str, Any], World]:
    """The company config (as a mapping) and its simulated activity, without writing any file."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}, got {size!r}")
    end = end or clock.today()
    start, end = window(size, end)
    cfg = (
        co.small_company(start)
        if size == "small"
        else co.large_company(random.Random(f"{seed}:company"), start)
    )
    world = World(cfg, seed, start, end, **SIZES[size])
    office.run(world)
    return cfg, world


def generate(
    out_dir: str | os.PathLike[str],
    size: str = "small",
    seed: int = 7,
    end: date | None = None,
    *,
    libreoffice: bool = False,
    limit: int | None = None,
    built: tuple[dict[str, Any], World] | None = None,
) -> Result:
    """Write the company's config.yaml, its dropped files and the manifest under ``out_dir``.

    ``built`` is a :func:`build_world` result to reuse (the benchmarks build the large world once
    for both the files and the frames)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    cfg_map, world = built or build_world(size, seed, end)
    cfg_path = out / "config.yaml"
    co.dump_config(cfg_map, cfg_path)
    config = load_config(cfg_path)
    lo = libreoffice and shutil.which("soffice") is not None
    drops = plan_drops(world, config, seed, lo_allowed=lo, xls_allowed=wr.have_xlwt())
    if limit is not None:
        drops = drops[:limit]
    staging = out / DROPS
    if staging.exists():
        shutil.rmtree(staging)
    _write_all(drops, config, staging)
    if lo:
        _convert_with_libreoffice(drops, staging)
    entries = [d.entry() for d in drops]  # after conversion: LibreOffice may change the extension
    for d in drops:  # mtime = received time, after any conversion
        ts = d.received.timestamp()
        os.utime(staging / d.relpath, (ts, ts))
    manifest = out / MANIFEST
    manifest.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries), encoding="utf-8")
    return Result(cfg_path, staging, manifest, entries, world)


def _write_all(drops: list[Drop], config: Config, staging: Path) -> None:
    specs = load_specs(config)
    names = {p.id: p.name for p in [*config.reps, *config.supervisors]} | {"hq": "总部"}
    taken: set[str] = set()
    cache: dict[int, bytes] = {}
    written: dict[int, str] = {}
    for d in drops:
        folder = staging / d.folder
        folder.mkdir(parents=True, exist_ok=True)
        if d.copy_of is not None:  # same bytes dropped again under another name
            stem, _, ext = written[d.copy_of].rpartition(".")
            copy_name = f"{stem} - 副本.{ext}" if d.form and d.form.lang == "zh" else f"{stem} (1).{ext}"
            name = _unique(taken, d.folder, copy_name)
            (folder / name).write_bytes(cache[d.copy_of])
        elif d.noise is not None:
            beside = written.get(d.beside or -1, "Book1.xlsx")
            name = _unique(taken, d.folder, d.name_hint.replace("{name}", beside))
            (folder / name).write_bytes(d.noise)
        else:
            assert d.form is not None and d.style is not None
            spec = specs[d.form.form]
            rng = random.Random(f"{d.seq}:render")
            stem = d.name_hint or wr.file_stem(d.form, spec, d.style, names.get(d.form.person, d.form.person))
            ext = ".xlsx" if d.style.fmt.startswith("lo-") else wr.EXT[d.style.fmt]
            name = _unique(taken, d.folder, stem + ext)
            grid = wr.build_grid(
                d.form, spec, d.style, rng, extra_note="见附件" if d.form.lang == "zh" else "see notes"
            )
            wr.write(folder / name, grid, d.form, spec, d.style)
            cache[d.seq] = (folder / name).read_bytes()
            written[d.seq] = name
        d.relpath = f"{d.folder}/{name}"


def _unique(taken: set[str], folder: str, name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    cand, n = name, 1
    while f"{folder}/{cand}".casefold() in taken:
        n += 1
        cand = f"{stem} ({n}).{ext}" if ext else f"{stem} ({n})"
    taken.add(f"{folder}/{cand}".casefold())
    return cand


def _convert_with_libreoffice(drops: list[Drop], staging: Path) -> None:
    """Re-save the forms whose owner uses LibreOffice: one soffice call per target format, run in
    parallel (each with its own fresh profile, as two soffice processes cannot share one)."""
    jobs = []
    with tempfile.TemporaryDirectory(prefix="salesflow-lo-") as tmp:
        for fmt, target in (("lo-xlsx", "xlsx"), ("lo-ods", "ods")):
            batch = [
                d
                for d in drops
                if d.style is not None and d.style.fmt == fmt and d.copy_of is None and d.noise is None
            ]
            if not batch:
                continue
            src, dst = Path(tmp) / f"in-{target}", Path(tmp) / f"out-{target}"
            src.mkdir()
            for i, d in enumerate(batch):
                shutil.copyfile(staging / d.relpath, src / f"f{i:05d}.xlsx")
            profile = Path(tmp) / f"profile-{target}"
            cmd = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", target,
                   "--outdir", str(dst), *sorted(str(p) for p in src.iterdir())]  # fmt: skip
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            jobs.append((proc, batch, dst, target))
        for proc, batch, dst, target in jobs:
            try:
                proc.wait(timeout=600)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            for i, d in enumerate(batch):
                made = dst / f"f{i:05d}.{target}"
                if not made.exists():
                    continue  # LibreOffice failed on it: the xlsxwriter original stays
                old = staging / d.relpath
                new = old.with_suffix("." + target)
                old.unlink()
                shutil.move(str(made), new)
                d.relpath = new.relative_to(staging).as_posix()
    _refresh_copies(drops, staging)


def _refresh_copies(drops: list[Drop], staging: Path) -> None:
    """Duplicates of a converted file must still be the same bytes as what was converted."""
    by_seq = {d.seq: d for d in drops}
    for d in drops:
        if d.copy_of is not None and d.copy_of in by_seq:
            orig = by_seq[d.copy_of]
            shutil.copyfile(staging / orig.relpath, staging / d.relpath)


def read_manifest(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The manifest entries, in time order."""
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]


def counts(entries: list[dict[str, Any]]) -> dict[str, int]:
    """Expected outcomes tallied: accepted, rejected, duplicate, ignored."""
    out = {k: 0 for k in OUTCOMES if k != FAILED}
    for e in entries:
        out[e["expected"]] = out.get(e["expected"], 0) + 1
    return out


def main(argv: list[str] | None = None) -> int:
    """``python -m automation.demo.generator OUT [--size] [--seed] [--limit N] [--libreoffice]``."""
    import argparse

    ap = argparse.ArgumentParser(description="Write a demo company's dropped forms and manifest into OUT.")
    ap.add_argument("out")
    ap.add_argument("--size", choices=sorted(SIZES), default="small")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--end", type=date.fromisoformat, default=None, help="last simulated day (default: today)"
    )
    ap.add_argument("--limit", type=int, default=None, help="only the first N files in time order")
    ap.add_argument("--libreoffice", action="store_true", help="save some forms through LibreOffice")
    args = ap.parse_args(argv)
    res = generate(args.out, args.size, args.seed, args.end, libreoffice=args.libreoffice, limit=args.limit)
    print(f"{len(res.entries)} files in {res.drops}; manifest {res.manifest_path}; {counts(res.entries)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


__all__ = ["SIZES", "Result", "build_world", "counts", "generate", "read_manifest", "window"]
