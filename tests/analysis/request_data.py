"""Requests with fields (`attrs`) and clients, with a known truth, for the inputs and clients tests.

Builds on `http_data.requests` (four routes, six hours from T0, background 500s) and adds
request parameters and user agents the way the loaders store them: `attrs` entries such as
`params.quantity` and `user_agent`.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from tests.analysis.http_data import INCIDENT, T0, context, requests, store
from warroom.analysis.context import AnalysisContext

ONSET = T0 + timedelta(hours=5, minutes=10)
ITEMS = "POST /api/orders/{id}/items"
WHOLE = np.array(["1", "2", "3", "4", "6", "10", "12"])
DECIMALS = np.array(["0.5", "1.5", "2,5"])
PAYMENTS = np.array(["card", "paypal", "sepa", "klarna", "apple_pay"])
SAFARI_17 = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.4.1 Safari/605.1.15"
)
AGENTS = np.array(
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/134.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:136.0) Gecko/20100101 Firefox/136.0",
        SAFARI_17,
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/18.3 Safari/605.1.15",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    ]
)


def on_route(frame: pd.DataFrame, method: str, fragment: str) -> pd.Series:
    return (frame["method"] == method) & frame["path"].str.contains(fragment, regex=False)


def after(frame: pd.DataFrame, at: datetime) -> pd.Series:
    return frame["ts"] >= at.replace(tzinfo=None)


def failing(frame: pd.DataFrame, mask: pd.Series) -> pd.DataFrame:
    frame = frame.copy()
    frame.loc[mask, "status"] = 500
    frame.loc[mask, "level"] = "error"
    frame.loc[mask, "message"] = "internal error"
    return frame


def with_attrs(frame: pd.DataFrame, columns: dict[str, pd.Series]) -> pd.DataFrame:
    """`attrs` dicts from columns of strings (None: the request lacks that field)."""
    rows = pd.DataFrame(columns, index=frame.index)
    frame = frame.copy()
    frame["attrs"] = [
        {k: v for k, v in zip(rows.columns, values, strict=True) if v is not None}
        for values in rows.itertuples(index=False)
    ]
    return frame


def cart_requests(
    *, seed: int, decimal_share: float = 0.0, error_share: float = 0.003
) -> pd.DataFrame:
    """Item requests carry a quantity and a unique sku; after ONSET a share of them sends a
    decimal quantity, and every such request fails."""
    rng = np.random.default_rng(seed + 1000)  # not the stream `requests` drew from
    frame = requests(seed=seed, error_share=error_share)
    items = on_route(frame, "POST", "/items")
    quantity = pd.Series(rng.choice(WHOLE, size=len(frame)), index=frame.index, dtype=object)
    decimal = items & after(frame, ONSET) & (rng.uniform(size=len(frame)) < decimal_share)
    quantity[decimal] = rng.choice(DECIMALS, size=int(decimal.sum()))
    sku = pd.Series([f"SKU-{i}" for i in range(len(frame))], index=frame.index, dtype=object)
    frame = failing(frame, decimal)
    return with_attrs(
        frame,
        {"params.quantity": quantity.where(items, None), "params.sku": sku.where(items, None)},
    )


def is_decimal(value: object) -> bool:
    return (
        isinstance(value, str)
        and re.fullmatch(r"[+-]?([0-9]*\.[0-9]+|[0-9]+,[0-9]+)", value) is not None
    )


def incident_rows(frame: pd.DataFrame, since: datetime = ONSET) -> pd.DataFrame:
    start, end = (t.replace(tzinfo=None) for t in (since, INCIDENT[1]))
    return frame[(frame["ts"] >= start) & (frame["ts"] < end)]


def analysed(frame: pd.DataFrame, onset: datetime | None = ONSET) -> AnalysisContext:
    """A context over the frame with the onset fact set, as the onset analyzer would."""
    ctx = context(store(frame))
    ctx.facts["onset"] = {"at": onset}
    return ctx


__all__ = ["AGENTS", "INCIDENT", "ITEMS", "ONSET", "PAYMENTS", "SAFARI_17", "T0"]
