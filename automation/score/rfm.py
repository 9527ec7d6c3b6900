"""RFM scores and segments (SPEC §3).

Over customers with at least one order (a visit with order_amount > 0) up to ``as_of``:
recency = days from the last order to ``as_of``; frequency = orders (order rows) in the trailing
12 months; monetary = sales in the trailing 12 months (window as in :mod:`abc`).
Each score = ceil(5 x position / n), position 1..n counted from worst to best: recency from the most
days to the fewest, frequency and monetary from lowest to highest; ties by customer id (ascending,
so among equal values the lower id gets the lower position).
A score is high when >= ``thresholds.rfm_high_score`` (3). Segments by which of R, F, M are high.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from automation.core.config import Config
from automation.core.frames import LedgerFrames
from automation.core.texts.figures import SEGMENT_NAMES
from automation.score.common import str_index, whole_cents

# (R high, F high, M high) -> (key, zh, en); the names: automation.core.texts.figures
SEGMENTS: dict[tuple[bool, bool, bool], tuple[str, str, str]] = {
    highs: (key, *SEGMENT_NAMES[key])
    for highs, key in {
        (True, True, True): "champion",
        (True, False, True): "promising",
        (False, True, True): "at_risk_loyal",
        (False, False, True): "hibernating_big",
        (True, True, False): "loyal_small",
        (True, False, False): "new_small",
        (False, True, False): "fading",
        (False, False, False): "lost_small",
    }.items()
}
COLUMNS = [
    "customer_id",
    "last_order",
    "recency",
    "frequency",
    "monetary",
    "r",
    "f",
    "m",
    "segment",
    "segment_zh",
    "segment_en",
]


def score(values: np.ndarray, ids: np.ndarray, worst_first_desc: bool) -> np.ndarray:
    """ceil(5 x position / n), position from worst to best, ties by id ascending."""
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    key = -values if worst_first_desc else values
    order = np.lexsort((ids, key))  # primary: key, secondary: id
    pos = np.empty(n, dtype=np.int64)
    pos[order] = np.arange(1, n + 1)
    return (5 * pos + n - 1) // n


def rfm(frames: LedgerFrames, config: Config, as_of: date) -> pd.DataFrame:
    v = frames.visits[["customer_id", "date", "order_amount"]]
    orders = v[
        (v["order_amount"].fillna(0) > 0) & (v["date"] <= pd.Timestamp(as_of)) & v["customer_id"].notna()
    ]
    if orders.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COLUMNS})
    last = str_index(orders.groupby("customer_id", observed=True)["date"].max())
    lo = pd.Timestamp(as_of - timedelta(days=config.thresholds.trailing_days))
    recent = orders[orders["date"] > lo]
    by = recent.groupby("customer_id", observed=True)
    freq = str_index(by.size()).reindex(last.index, fill_value=0)
    mon = whole_cents(str_index(by["order_amount"].sum()).reindex(last.index, fill_value=0.0))
    out = pd.DataFrame({"customer_id": last.index.to_numpy(), "last_order": last.to_numpy()})
    out["recency"] = (pd.Timestamp(as_of) - out["last_order"]).dt.days.to_numpy()
    out["frequency"] = freq.to_numpy()
    out["monetary"] = mon.to_numpy()
    ids = out["customer_id"].to_numpy().astype(str)
    out["r"] = score(out["recency"].to_numpy(dtype=float), ids, worst_first_desc=True)
    out["f"] = score(out["frequency"].to_numpy(dtype=float), ids, worst_first_desc=False)
    out["m"] = score(np.rint(out["monetary"].to_numpy() * 100), ids, worst_first_desc=False)
    hi = config.thresholds.rfm_high_score
    seg = [
        SEGMENTS[(r >= hi, f >= hi, m >= hi)] for r, f, m in zip(out["r"], out["f"], out["m"], strict=True)
    ]
    out["segment"] = [s[0] for s in seg]
    out["segment_zh"] = [s[1] for s in seg]
    out["segment_en"] = [s[2] for s in seg]
    return out.sort_values("customer_id", ignore_index=True)[COLUMNS]
