"""Received order: the one order in which every batch of dropped files is processed (SPEC §2 Order).

A backlog (``salesflow ingest`` of a folder, the watcher's start-up and reconciliation scans, a
flood) used to be processed in path or directory order. What a file does depends on what came
before it — a visit report needs the register that created its customer, a later version
supersedes an earlier one, the first of two byte-identical files is the original — so the ledger
depended on how the drops happened to be batched. Now every batch is sorted by :func:`order_key`
before it is processed, and the same drops give the same ledger however they were batched.

The key, and why:

1. **received time**, as the ledger records it: ``min(mtime, first seen)`` to the second
   (:func:`automation.pipeline.stages.mtime_of`). A file not yet seen is first seen *now*, so a file whose
   modification time lies in the future (a share with a skewed clock) is received now and sorts
   after every file with a past mtime, as it will be recorded. A batch that has already committed
   such a file's first sighting passes it in ``first_seen``.
2. **ties, by inbox path** (the source key ``R001/日报.xlsx``), compared folder by folder and then
   by file name in *natural* order with the stem before the extension, as Explorer lists them:
   ``日报.xlsx`` before ``日报 (1).xlsx`` (a plain string comparison puts " (1)" first, because a
   space sorts before the dot) and ``(2)`` before ``(10)``. So of an original and its copy made with
   the same modification time (Explorer keeps it), the original is processed first and stays the
   original; the copy is its duplicate. The exact source key breaks any tie left (``007`` vs ``7``).

Sorting costs one ``lstat`` and a key per file, about 20 us (``benchmarks/bench_order.py``: a
2,000-file flood pays it twice, in the watcher and in each batch, about 1 % of the flood's time); a
file gone meanwhile sorts last and is reported gone by the pipeline.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from automation.core import clock

T = TypeVar("T")
_DIGITS = re.compile(r"(\d+)")
NameKey = tuple[tuple[object, ...], tuple[object, ...]]


@lru_cache(maxsize=4096)
def natural(text: str) -> tuple[object, ...]:
    """``"日报 (10)"`` -> ``("日报 (", 10, ")")``: digit runs compare as numbers, the rest as text.
    ``re.split`` with a group alternates text and digits, so equal positions hold equal types."""
    return tuple(int(tok) if i % 2 else tok.casefold() for i, tok in enumerate(_DIGITS.split(text)))


def name_key(name: str) -> NameKey:
    """A file name's place among names received at the same second: stem first, then extension."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        stem, ext = name, ""
    return natural(stem), natural(ext)


def tie_key(source: str) -> tuple[object, ...]:
    """The inbox path's order (folders, then the name; see the module docstring)."""
    *folders, name = source.split("/")
    return (tuple(natural(f) for f in folders), name_key(name), source)


def source_of(path: str, inbox: str) -> str:
    """The inbox-relative path (``R001/x.xlsx``), else the absolute path: the ledger's source key
    (:func:`automation.pipeline.stages.source_key`), in string operations: pathlib cost half the sort."""
    full = os.path.abspath(path)
    root = _root(inbox)
    rel = full[len(root) :] if full.startswith(root) else full
    return rel.replace(os.sep, "/")


@lru_cache(maxsize=16)
def _root(inbox: str) -> str:
    """The inbox as an absolute folder with a trailing separator (asked once per file otherwise)."""
    return os.path.join(os.path.abspath(inbox), "")


def received(path: str, now: float, first_seen: float | None = None) -> int:
    """``min(mtime, first seen)`` in whole seconds since the epoch (as the ledger's received time,
    to the second); first seen is ``now`` for a file not seen yet."""
    seen = now if first_seen is None else min(first_seen, now)
    try:
        mtime = os.lstat(path).st_mtime
    except (OSError, ValueError):  # gone: last
        return math.floor(seen)
    return math.floor(min(mtime, seen))


def order_key(
    path: str | os.PathLike[str], inbox: str | os.PathLike[str], now: float, first_seen: Mapping[str, float]
) -> tuple[int, tuple[object, ...]]:
    """``(received, tie)`` of one file; ``now`` and ``first_seen`` (sightings already recorded, by
    source key) in seconds since the epoch."""
    p = os.fspath(path)
    source = source_of(p, os.fspath(inbox))
    return received(p, now, first_seen.get(source)), tie_key(source)


def in_received_order(
    items: Iterable[T],
    inbox: Path,
    path_of: Callable[[T], Path | str] = lambda item: item,  # type: ignore[assignment,return-value]
    *,
    first_seen: Mapping[str, datetime] | None = None,
    now: datetime | None = None,
) -> list[T]:
    """``items`` sorted into received order; ``path_of`` finds each item's path. Stable."""
    at = (now or clock.now()).timestamp()
    seen = {k: v.timestamp() for k, v in (first_seen or {}).items()}
    keyed = [(order_key(path_of(item), inbox, at, seen), i, item) for i, item in enumerate(items)]
    keyed.sort(key=lambda k: (k[0], k[1]))
    return [item for _, _, item in keyed]
