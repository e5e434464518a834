"""Numbers typed on a command line, checked before any work: finite, normal, and products that fit.

Python's ``float()`` accepts ``nan``, ``inf``, ``1e400`` (which becomes infinity) and subnormal
values such as ``1e-320`` (below float64's smallest normal number, 2.2e-308, where precision
falls apart). None of them is a sensible count, price or fraction, and each one either slips past
a range check (every comparison with NaN is false) or turns into ``inf`` later, far from the
option that caused it. :func:`parse_number` refuses them with the reason; :func:`product` names
the product of several typed values that would overflow (``6 × params × tokens``) instead of
reporting ``inf`` downstream.

A leaf like :mod:`safetext` (no numpy): the command lines of :mod:`mlcore` and :mod:`bizmodel`
share it.

>>> parse_number("1,500.5")
1500.5
>>> parse_number("nan")
Traceback (most recent call last):
...
ValueError: expected a number, got 'nan' (not a number)
>>> parse_number("1e-320")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
ValueError: expected a number, got '1e-320' (below 2.2e-308, too small to compute with; ...)
>>> product("6 × params × tokens", 6.0, 1e308, 1e308)
Traceback (most recent call last):
...
OverflowError: 6 × params × tokens = 6 × 1e+308 × 1e+308 overflows (above 1.8e+308); give smaller values
"""

from __future__ import annotations

import math
import sys

__all__ = ["LARGEST", "SMALLEST_NORMAL", "parse_number", "product"]

#: The smallest positive normal float64 (2.2250738585072014e-308); nonzero values below it are refused.
SMALLEST_NORMAL = sys.float_info.min
#: The largest finite float64 (about 1.8e308).
LARGEST = sys.float_info.max
_LONGEST_TEXT = 40


def parse_number(text: str) -> float:
    """``text`` as a float (``,`` thousands separators allowed); ValueError saying why not.

    Refused: text that is not a number, NaN, infinities, values beyond float range (``1e400``)
    and nonzero values of magnitude below :data:`SMALLEST_NORMAL` (subnormal, ``1e-320``).
    """
    shown = repr(text[:_LONGEST_TEXT] + ("…" if len(text) > _LONGEST_TEXT else ""))
    try:
        value = float(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise ValueError(f"expected a number, got {shown}") from None
    if math.isnan(value):
        raise ValueError(f"expected a number, got {shown} (not a number)")
    if math.isinf(value):
        raise ValueError(f"expected a finite number, got {shown} (beyond ±{LARGEST:.1e})")
    if value != 0.0 and abs(value) < SMALLEST_NORMAL:
        raise ValueError(
            f"expected a number, got {shown} (below {SMALLEST_NORMAL:.1e}, too small to compute "
            "with; use 0 or a larger value)"
        )
    return value


def product(name: str, *factors: float) -> float:
    """The product of ``factors``; OverflowError naming it (``name``, e.g. ``"6 × params ×
    tokens"``) and its factors when it is not finite."""
    value = math.prod(float(f) for f in factors)
    if not math.isfinite(value):
        terms = " × ".join(f"{float(f):g}" for f in factors)
        raise OverflowError(f"{name} = {terms} overflows (above {LARGEST:.1e}); give smaller values")
    return value
