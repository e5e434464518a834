"""The LLM API price list: the bundled ``bizmodel/data/llm_api_prices.csv`` or an upload.

Each row prices one (provider, model) in USD per 1 million input and output tokens, with its source
and the ISO date (``as_of``) it was last known to hold. Upload limits: :data:`MAX_PRICE_UPLOAD_BYTES`
and :data:`MAX_PRICE_UPLOAD_ROWS`; a broken file raises :class:`bizmodel.buildbuy_own.BuildBuyError`
naming its line and column.
"""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path

import pandas as pd

from bizmodel.buildbuy_own import BuildBuyError
from safetext import shown
from tablecheck import Column, CsvWords, Table

__all__ = [
    "API_PRICE_COLUMNS",
    "MAX_PRICE_UPLOAD_BYTES",
    "MAX_PRICE_UPLOAD_ROWS",
    "load_api_prices",
    "read_api_prices",
]

MAX_PRICE_UPLOAD_BYTES = 1024 * 1024
MAX_PRICE_UPLOAD_ROWS = 5_000
_DATA_DIR = Path(__file__).parent / "data"


_PRICE_HINT = "enter the USD price per 1 million tokens, e.g. 0.6 (0 for free)"
_API_PRICES = Table(
    columns=(
        Column("provider", hint="enter the provider"),
        Column("model", hint="enter the model"),
        Column("input_usd_per_1m_tokens", "number", minimum=0, expect="a number ≥ 0", hint=_PRICE_HINT),
        Column("output_usd_per_1m_tokens", "number", minimum=0, expect="a number ≥ 0", hint=_PRICE_HINT),
        Column("source", free_text=True, hint="say where the price comes from"),
        Column(
            "as_of",
            "date",
            hint="write the date the price was last known to hold, as YYYY-MM-DD (e.g. 2026-07-30)",
        ),
        Column("notes", required=False, free_text=True),
    ),
    key=("provider", "model"),
    duplicate=lambda record, at, first: (
        f"{at}, column 'model': {shown(str(record['model']))} of {shown(str(record['provider']))} is "
        f"already priced on {first}; keep one row per provider and model."
    ),
    error=BuildBuyError,
    max_bytes=MAX_PRICE_UPLOAD_BYTES,
    max_rows=MAX_PRICE_UPLOAD_ROWS,
    words=CsvWords(
        too_big="{what} is {decimal_mb:.1f} MB, over the {limit_kib} KiB limit: keep the models you compare.",
        not_utf8="save it as CSV UTF-8",
        empty="upload a CSV with a header row and at least one price",
        header_at="{what}, line 1",
        too_many_rows="{what} has more than {limit:,} rows: keep the models you compare.",
        ragged="quote values that contain commas",
        long_value="shorten it",
        no_rows="{what} has a header but no prices: add at least one row.",
    ),
)
API_PRICE_COLUMNS: tuple[str, ...] = _API_PRICES.names


@functools.cache
def bundled_price_bytes() -> bytes:
    """The bytes of the bundled API price list (`bizmodel/data/llm_api_prices.csv`)."""
    return (_DATA_DIR / "llm_api_prices.csv").read_bytes()


def load_api_prices(path: Path | None = None) -> pd.DataFrame:
    """The LLM API price list: the bundled one (``bizmodel/data/llm_api_prices.csv``) or a file.

    Parameters
    ----------
    path : pathlib.Path or None
        A CSV with the columns of :data:`API_PRICE_COLUMNS`; the bundled list when None.

    Returns
    -------
    pandas.DataFrame
        As :func:`read_api_prices`.

    Raises
    ------
    BuildBuyError
        If the file is invalid (naming line and column) or cannot be read.

    Examples
    --------
    >>> prices = load_api_prices()
    >>> list(prices.columns) == list(API_PRICE_COLUMNS), bool(prices["as_of"].str.len().eq(10).all())
    (True, True)
    """
    if path is None:
        return read_api_prices(bundled_price_bytes(), name="llm_api_prices.csv")
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise BuildBuyError(f"cannot read the price list {str(path)!r}: {exc.strerror}") from exc
    return read_api_prices(data, name=Path(path).name)


def read_api_prices(data: bytes, *, name: str = "upload", today: date | None = None) -> pd.DataFrame:
    """Parse and validate an LLM API price list (UTF-8 CSV bytes, e.g. an upload).

    The header must have exactly the columns of :data:`API_PRICE_COLUMNS` (any order). Every row
    needs a provider, a model, prices ≥ 0 per 1M input and output tokens, a source and an ISO
    ``as_of`` date not in the future; ``notes`` may be empty. A (provider, model) pair appears once.

    Parameters
    ----------
    data : bytes
        The file's bytes (at most :data:`MAX_PRICE_UPLOAD_BYTES`, :data:`MAX_PRICE_UPLOAD_ROWS` rows).
    name : str
        The file name for messages.
    today : datetime.date or None
        The date ``as_of`` may not be after; ``date.today()`` when None.

    Returns
    -------
    pandas.DataFrame
        Columns in :data:`API_PRICE_COLUMNS` order; prices ``float64``, the rest ``str``.

    Raises
    ------
    BuildBuyError
        Naming the file, the line, the column and what to change.

    Examples
    --------
    >>> header = b"provider,model,input_usd_per_1m_tokens,output_usd_per_1m_tokens,source,as_of,notes\\n"
    >>> read_api_prices(header + b"acme,m1,0.5,1.5,quote,2026-01-31,\\n")["output_usd_per_1m_tokens"].tolist()
    [1.5]
    >>> read_api_prices(header + b"acme,m1,cheap,1.5,quote,2026-01-31,\\n", name="mine.csv")
    Traceback (most recent call last):
    ...
    bizmodel.buildbuy_own.BuildBuyError: price list 'mine.csv', line 2, column 'input_usd_per_1m_tokens': 'cheap' is not a number ≥ 0; enter the USD price per 1 million tokens, e.g. 0.6 (0 for free).
    """  # noqa: E501
    rows = _API_PRICES.read_csv(data, what=f"price list {shown(name)}")
    return _API_PRICES.check_rows(rows, today=today)
