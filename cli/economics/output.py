"""What ``python -m bizmodel`` prints: one JSON document (``--json``) or short tables for people.

JSON has numpy and pandas scalars as Python numbers, NaN and infinities as ``null``, dates as ISO
text and reasons in English words. Amounts for people read ``$1,234``, ``$12.35`` or ``$0.0012``;
a missing number is ``–``.
"""

from __future__ import annotations

import json
import math
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from bizmodel.reasons import Reason
from cli._table import fixed_width_table as table
from present.explain import words

__all__ = ["dump", "num", "records", "signed_usd", "table", "to_jsonable", "usd"]


def to_jsonable(value: Any) -> Any:
    """``value`` with numpy/pandas scalars as Python ones, NaN/NA/infinity as None, dates as ISO text,
    a :class:`~bizmodel.reasons.Reason` as its English words.

    >>> to_jsonable({"a": np.float64("nan"), "b": [np.int64(3), pd.NA], "c": date(2026, 1, 2)})
    {'a': None, 'b': [3, None], 'c': '2026-01-02'}
    """
    if value is None or isinstance(value, str):
        return value
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, Reason):
        return words(value, "en")
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, pd.Series):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [to_jsonable(v) for v in value]
    return str(value)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Each row of ``frame`` as a JSON-ready dict of its columns."""
    return [to_jsonable(dict(zip(frame.columns, row, strict=True))) for row in frame.itertuples(index=False)]


def dump(document: dict[str, Any]) -> None:
    """Print ``document`` as the one indented JSON document on stdout (never NaN)."""
    print(json.dumps(to_jsonable(document), indent=2, ensure_ascii=False, allow_nan=False))


def _amount(v: float) -> str:
    """A readable magnitude: whole numbers from 100, two decimals from 0.01, else 2 significant digits."""
    if v == 0 or abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{v:,.2f}" if abs(v) >= 0.01 else f"{v:.2g}"


def usd(value: Any) -> str:
    v = to_jsonable(value)
    if v is None:
        return "–"
    return f"-${_amount(-v)}" if v < 0 else f"${_amount(v)}"


def signed_usd(value: Any) -> str:
    """``usd`` with a ``+`` on a positive amount."""
    text = usd(value)
    return f"+{text}" if text.startswith("$") and text != "$0" else text


def num(value: Any, fmt: str | None = None) -> str:
    v = to_jsonable(value)
    if v is None:
        return "–"
    return _amount(v) if fmt is None else format(v, fmt)
