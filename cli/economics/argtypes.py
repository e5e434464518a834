"""The argument types of ``python -m bizmodel``: numbers checked while the arguments are read.

Every type reads a finite, normal number (:func:`cli._args.finite_number`: NaN, infinities,
``1e400`` and subnormals such as ``1e-320`` are refused) and then checks its range, saying
``expected <what>, got '<text>'`` otherwise. Whole numbers stop at :data:`MAX_WHOLE`.
:func:`fits` checks, after reading, that a product of typed values does not overflow a float.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from bizmodel.montecarlo import MAX_PATHS
from cli._args import finite_number
from cli.economics.errors import fail, why
from safetext.cli_numbers import product

#: The largest whole number an option takes unless it says otherwise: every integer up to it is
#: exact in a float, and it fits the machine integers numpy and pandas compute with.
MAX_WHOLE = 2**53

MAX_REQUEST_TOKENS = 1e9
"""The most tokens one request may carry in or out."""
MAX_SEQUENCE = 10_000_000
"""The longest training sequence ``cost`` takes (tokens)."""


def _checked(text: str, ok: Callable[[float], bool], expected: str) -> float:
    """The number in ``text`` when ``ok`` accepts it, else an argparse error ``expected <expected>``.

    >>> _checked("3", lambda v: v > 0, "a positive number")
    3.0
    >>> _checked("-3", lambda v: v > 0, "a positive number")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: expected a positive number, got '-3'
    """
    value = finite_number(text)
    if not ok(value):
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
    return value


def positive(text: str) -> float:
    """A number above 0."""
    return _checked(text, lambda v: v > 0, "a positive number")


def non_negative(text: str) -> float:
    """A number from 0."""
    return _checked(text, lambda v: v >= 0, "a number ≥ 0")


def fraction(text: str) -> float:
    """A fraction in (0, 1]: 0.4 means 40 %."""
    return _checked(text, lambda v: 0 < v <= 1, "a fraction in (0, 1] such as 0.4")


def discount(text: str) -> float:
    """A fraction off a price, in [0, 1)."""
    return _checked(text, lambda v: 0 <= v < 1, "a fraction in [0, 1) such as 0.2")


def _whole(text: str, *, minimum: int, maximum: int = MAX_WHOLE) -> int:
    """A whole number from ``minimum`` to ``maximum``."""
    value = _checked(
        text,
        lambda v: v.is_integer() and minimum <= v <= maximum,
        f"a whole number from {minimum} to {maximum:,}",
    )
    return int(value)


def count_from_0(text: str) -> int:
    """A whole number from 0 to :data:`MAX_WHOLE`."""
    return _whole(text, minimum=0)


def count_from_1(text: str) -> int:
    """A whole number from 1 to :data:`MAX_WHOLE`."""
    return _whole(text, minimum=1)


def paths(text: str) -> int:
    """Monte Carlo paths, 1 to :data:`bizmodel.montecarlo.MAX_PATHS`."""
    return _whole(text, minimum=1, maximum=MAX_PATHS)


def request_tokens(text: str) -> float:
    """Tokens per request, 0 to :data:`MAX_REQUEST_TOKENS`."""
    return _checked(
        text,
        lambda v: 0 <= v <= MAX_REQUEST_TOKENS,
        f"tokens per request from 0 to {MAX_REQUEST_TOKENS:,.0f}",
    )


def sequence(text: str) -> float:
    """A training sequence length, 0 (no attention term) to :data:`MAX_SEQUENCE` tokens."""
    return _checked(
        text, lambda v: 0 <= v <= MAX_SEQUENCE, f"a sequence length from 0 to {MAX_SEQUENCE:,} tokens"
    )


def scaling_efficiency(text: str) -> float:
    """Throughput kept per doubling of nodes, in (0.5, 1]."""
    return _checked(text, lambda v: 0.5 < v <= 1.0, "a fraction in (0.5, 1] such as 0.95")


def cny_rate(text: str) -> float:
    """CNY per USD within the app's bounds (:data:`present.format.USD_TO_CNY_BOUNDS`)."""
    from present.format import USD_TO_CNY_BOUNDS

    low, high = USD_TO_CNY_BOUNDS
    return _checked(text, lambda v: low <= v <= high, f"CNY per USD from {low:g} to {high:g}")


def fits(*products: tuple[Any, ...]) -> None:
    """Exit 2 naming the first product (its name, then its factors) that overflows a float."""
    for name, *factors in products:
        try:
            product(name, *(float(f) for f in factors))
        except OverflowError as exc:
            fail(why(exc))
