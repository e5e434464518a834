"""Uncertain inputs of a scenario: a low and a high around a field's own (most likely) value.

The distributions and how a range must sit within its field's bounds are in the conventions of
:mod:`bizmodel.scenario`; the bounds are :data:`bizmodel.scenario_bounds.FIELD_BOUNDS`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from bizmodel.scenario_bounds import (
    DISTRIBUTIONS,
    FIELD_BOUNDS,
    RANGE_FIELDS,
    ScenarioError,
    fields_of,
    is_finite,
)
from safetext import listed, shown


@dataclass(frozen=True)
class Range:
    """An uncertain input: low / high around the scenario's own value (the most likely value).

    ``field`` is one of :data:`RANGE_FIELDS`, ``low`` and ``high`` are in that field's units, and
    ``distribution`` one of :data:`DISTRIBUTIONS` (conventions in the module docstring). On its
    own a range checks what it can without the scenario (a known field and distribution, finite
    numbers, low < high, low > 0 for a log-normal); :class:`Scenario` checks the rest (the value
    lies within, the field's bounds, no field twice).

    >>> r = Range("monthly_churn", 0.02, 0.05)
    >>> r.to_dict()
    {'field': 'monthly_churn', 'low': 0.02, 'high': 0.05, 'distribution': 'triangular'}
    >>> Range.from_dict(r.to_dict()) == r
    True
    >>> Range("market_size", 0.0, 10.0, "lognormal")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    bizmodel.scenario_bounds.ScenarioError: ranges[market_size]: a lognormal range needs low above 0...
    """

    field: str
    low: float
    high: float
    distribution: str = "triangular"

    def __post_init__(self) -> None:
        problems = range_own_problems(self)
        if problems:
            raise ScenarioError(problems)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (see :meth:`from_dict`)."""
        return {"field": self.field, "low": self.low, "high": self.high, "distribution": self.distribution}

    @classmethod
    def from_dict(cls, data: Any) -> Range:
        """The range from a dict with ``field``, ``low``, ``high`` (and optionally ``distribution``,
        default ``"triangular"``); raises :class:`ScenarioError`."""
        return cls(**fields_of(cls, data, "a range"))


def range_name(r: Any) -> str:
    """How problems name a range: ``ranges[field]``, the field quoted short when it is not plain text.

    >>> range_name(Range("cac_usd", 200.0, 500.0))
    'ranges[cac_usd]'
    """
    name = getattr(r, "field", None)
    plain = isinstance(name, str) and len(name) <= 40 and name.isprintable()
    return f"ranges[{name}]" if plain else f"ranges[{shown(name, limit=40)}]"


def range_own_problems(r: Range) -> list[str]:
    """What is wrong with a range on its own (without the scenario's value)."""
    name = range_name(r)
    problems: list[str] = []
    if not isinstance(r.field, str) or r.field not in FIELD_BOUNDS:
        close = difflib.get_close_matches(r.field, RANGE_FIELDS, n=3) if isinstance(r.field, str) else []
        problems.append(
            f"{name}: {shown(r.field, limit=40)} cannot carry a range; "
            + (
                f"did you mean {', '.join(close)}?"
                if close
                else f"ranges go on {listed(RANGE_FIELDS, limit=8)} (bizmodel.scenario.RANGE_FIELDS)"
            )
        )
    if r.distribution not in DISTRIBUTIONS:
        problems.append(
            f"{name}: distribution must be one of {', '.join(DISTRIBUTIONS)}; got {shown(r.distribution)}"
        )
    finite = True
    for side in ("low", "high"):
        value = getattr(r, side)
        if not is_finite(value):
            problems.append(f"{name}: {side} must be a number, got {shown(value)}")
            finite = False
    if finite:
        if not r.low < r.high:
            problems.append(f"{name}: low must be below high; got low {shown(r.low)}, high {shown(r.high)}")
        if r.distribution == "lognormal" and not r.low > 0.0:
            problems.append(f"{name}: a lognormal range needs low above 0; got {shown(r.low)}")
    return problems


def range_context_problems(r: Range, values: dict[str, Any]) -> list[str]:
    """What is wrong with a (self-consistent) range given the scenario's field values."""
    name = range_name(r)
    value = values.get(r.field)
    low_bound, high_bound = FIELD_BOUNDS[r.field]
    if not is_finite(value) or not low_bound <= value <= high_bound:
        return []  # the field's own check reports the value
    problems: list[str] = []
    if r.low < low_bound:
        problems.append(f"{name}: low must be at least {low_bound:g} (the field's bound); got {shown(r.low)}")
    if r.high > high_bound:
        problems.append(
            f"{name}: high must be at most {high_bound:g} (the field's bound); got {shown(r.high)}"
        )
    if r.low > value:
        problems.append(f"{name}: low must be at most the value {shown(value)}; got {shown(r.low)}")
    if r.high < value:
        problems.append(f"{name}: high must be at least the value {shown(value)}; got {shown(r.high)}")
    return problems


def ranges_from(items: Any, problems: list[str]) -> tuple[Range, ...]:
    """The document's self-consistent ranges; each invalid one's problems (named
    ``ranges[field]``, or ``ranges:`` when the range has no usable field) are appended and the
    range left out. The scenario checks the rest (the value within, the field's bounds)."""
    if not isinstance(items, list | tuple):
        problems.append("ranges must be a list of {field, low, high, distribution} objects")
        return ()
    ranges: list[Range] = []
    for item in items:
        try:
            ranges.append(item if isinstance(item, Range) else Range.from_dict(item))
        except ScenarioError as error:
            problems.extend(p if p.startswith("ranges") else f"ranges: {p}" for p in error.all_problems)
    return tuple(ranges)
