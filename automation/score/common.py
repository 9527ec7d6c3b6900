"""Helpers every figure shares: the rep universe, date windows, safe ratios and the rep -> region ->
company roll-up.

Rates are never averaged: a region's effective-visit rate is the region's effective visits / the
region's visits, so :func:`rollup` sums the counts per level first and computes ratios afterwards.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import TypeVar

import numpy as np
import pandas as pd

from automation.core.frames import LedgerFrames

T = TypeVar("T")

KEY = ["level", "owner"]


def ts(d: date) -> pd.Timestamp:
    return pd.Timestamp(d)


def window(df: pd.DataFrame, col: str, start: date, end: date) -> pd.DataFrame:
    """Rows whose ``col`` date lies in ``start..end`` inclusive (datetimes: any time that day)."""
    s = df[col]
    return df[(s >= ts(start)) & (s < ts(end + timedelta(days=1)))]


def ratio(num: pd.Series | np.ndarray, den: pd.Series | np.ndarray) -> np.ndarray:
    """``num / den`` with NaN (no figure) where the denominator is 0 or missing."""
    n = np.asarray(num, dtype=float)
    d = np.asarray(den, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((d != 0) & ~np.isnan(d), n / np.where(d == 0, 1, d), np.nan)


def rep_universe(frames: LedgerFrames) -> pd.DataFrame:
    """Every rep in config plus any rep id seen in visits or plans (kept with its row's region)."""
    reps = frames.reps[["rep_id", "name", "region", "go_live"]].drop_duplicates("rep_id")
    seen = pd.concat([frames.visits[["rep_id", "region"]], frames.plans[["rep_id", "region"]]])
    extra = seen[~seen["rep_id"].isin(reps["rep_id"]) & seen["rep_id"].notna()].drop_duplicates("rep_id")
    if not extra.empty:
        extra = extra.assign(name=extra["rep_id"], go_live=pd.NaT)
        reps = pd.concat([reps, extra[reps.columns]], ignore_index=True)
    reps = reps.astype({"rep_id": "string", "name": "string", "region": "string"})
    return reps.sort_values("rep_id", ignore_index=True)


def rollup(per_rep: pd.DataFrame, reps: pd.DataFrame, sums: list[str]) -> pd.DataFrame:
    """Rows for every rep, every region and the company: ``sums`` summed (NaN-free, 0 for none).

    ``per_rep`` is indexed by rep id; reps without rows get zeros. Returns a frame with columns
    ``level``, ``owner`` (rep id / region id / ""), ``region`` and the sums. Done on one numpy matrix:
    it runs some 20 times per ``compute_all``.
    """
    rep_ids = reps["rep_id"].astype(object).to_numpy()
    regions = reps["region"].astype(object).fillna("").to_numpy()
    cols = [c for c in sums if c in per_rep.columns]
    data = np.zeros((len(rep_ids), len(sums)))
    if len(per_rep) and cols:
        found = per_rep.reindex(pd.Index(rep_ids))[cols].to_numpy(dtype=float)
        data[:, [sums.index(c) for c in cols]] = np.nan_to_num(found)
    codes, names = pd.factorize(regions, sort=True)
    reg = np.zeros((len(names), len(sums)))
    np.add.at(reg, codes, data)
    values = np.vstack([data, reg, data.sum(axis=0, keepdims=True)])
    n_rep, n_reg = len(rep_ids), len(names)
    out = pd.DataFrame(values, columns=sums)
    names_arr = np.asarray(names, dtype=object)
    out.insert(0, "level", ["rep"] * n_rep + ["region"] * n_reg + ["company"])
    out.insert(1, "owner", np.concatenate([rep_ids, names_arr, [""]]))
    out.insert(2, "region", np.concatenate([regions, names_arr, [""]]))
    return out


def whole_cents(values: pd.Series) -> pd.Series:
    """Sums of money amounts, each a whole number of cents (the ledger stores integer cents), back
    on their cent: summing floats leaves binary noise (0.1 + 0.2 = 0.30000000000000004). This moves
    no figure (the true sum *is* a whole number of cents); every derived figure (targets, ratios,
    forecasts, averages) stays unrounded until it is shown or written (issue 13)."""
    return values.round(2)


def add_ratios(df: pd.DataFrame, ratios: Mapping[str, tuple[str, str]]) -> pd.DataFrame:
    for name, (num, den) in ratios.items():
        df[name] = ratio(df[num], df[den])
    return df


def str_index(obj: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame:
    """Plain string index after a groupby on a (possibly categorical) id column."""
    obj.index = pd.Index(obj.index.astype(str), name=obj.index.name)
    return obj


def joint_codes(left: pd.Series, right: pd.Series) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Integer codes of two id columns over one shared vocabulary (-1 for missing), and the vocabulary.

    Categorical columns sharing categories (see :func:`prepare`) reuse their codes; anything else is
    factorised once.
    """
    if (
        isinstance(left.dtype, pd.CategoricalDtype)
        and isinstance(right.dtype, pd.CategoricalDtype)
        and left.cat.categories.equals(right.cat.categories)
    ):
        return (
            left.cat.codes.to_numpy().astype(np.int64),
            right.cat.codes.to_numpy().astype(np.int64),
            left.cat.categories,
        )
    both = pd.concat([left.astype(object), right.astype(object)], ignore_index=True)
    code, labels = pd.factorize(both.to_numpy(dtype=object, na_value=None))
    code = code.astype(np.int64)
    return code[: len(left)], code[len(left) :], pd.Index(labels)


VISIT_COLUMNS = [
    "rep_id", "region", "date", "customer_id", "outcome", "met_decision_maker", "quoted", "quote_amount",
    "order_amount", "gross_margin", "collection_amount", "expense",
]  # fmt: skip


def prepare(frames: LedgerFrames) -> LedgerFrames:
    """Id columns of the big frames as categoricals with shared categories (same values, faster).

    Grouping a year of visits by string ids re-hashes 300,000 strings per figure; categorical codes
    are hashed once here. Figures give the same results on prepared and plain frames.
    """
    # only the columns figures read: every row filter then copies 12 numeric-ish columns, not 18 with text
    v = frames.visits[[c for c in VISIT_COLUMNS if c in frames.visits.columns]].copy()
    p = frames.plans[["rep_id", "region", "date", "customer_id"]].copy()
    for col in ("rep_id", "customer_id"):
        both = pd.concat([v[col], p[col]], ignore_index=True).to_numpy(dtype=object, na_value=None)
        code, cats = pd.factorize(both)  # one hash pass over both frames; missing -> -1
        v[col] = pd.Categorical.from_codes(code[: len(v)], categories=cats)
        p[col] = pd.Categorical.from_codes(code[len(v) :], categories=cats)
    return dataclasses.replace(frames, visits=v, plans=p)


def prepared(frames: LedgerFrames) -> LedgerFrames:
    """:func:`prepare`, done once per frames value: every week built from one ledger read (a
    workbook per region, ``consolidate --all-weeks``) shares the prepared frames and so their
    period-independent intermediates (:func:`memo`). The cache is keyed by the identity of each
    frame, so assigning a new frame to an attribute prepares afresh."""
    key = tuple(id(getattr(frames, f.name)) for f in dataclasses.fields(frames))
    cache = frames.__dict__.get("_prepared")
    if cache is None or cache[0] != key:
        cache = (key, prepare(frames))
        frames.__dict__["_prepared"] = cache
    return cache[1]


def memo(frames: LedgerFrames, key: str, fn: Callable[[], T]) -> T:
    """Compute a period-independent intermediate once per frames object (week/MTD/QTD/YTD share it).

    Frames are treated as immutable values by every figure, so caching on the object is safe; a new
    ``frames()`` call from the ledger gives a new object and a fresh cache.
    """
    cache = frames.__dict__.setdefault("_figure_cache", {})
    if key not in cache:
        cache[key] = fn()
    return cache[key]


def memo_by(frames: LedgerFrames, key: str, anchors: tuple[object, ...], fn: Callable[[], T]) -> T:
    """:func:`memo` for an intermediate that also depends on other objects (the config, a target
    book): keyed by their identities, and they are kept alive with the value, so no id can be
    reused by another object while the entry exists."""
    ids = ".".join(str(id(a)) for a in anchors)
    pair = memo(frames, f"{key}@{ids}", lambda: (anchors, fn()))
    return pair[1]


def lookup(keys: pd.Series, table: pd.Series) -> pd.Series:
    """``keys`` looked up in ``table`` (missing -> NaN / NaT), aligned to ``keys``' index.

    Unlike ``Series.map`` this keeps datetimes datetimes when either side is empty (``map`` tries to
    cast an empty mapping to float and fails), so an empty ledger goes through every figure.
    """
    values = table.reindex(pd.Index(keys.astype(object).to_numpy())).to_numpy()
    return pd.Series(values, index=keys.index)
