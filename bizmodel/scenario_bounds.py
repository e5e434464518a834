"""The valid bounds of every number a scenario holds, the error that names what to change, and the checks.

One home for the bounds (:data:`BOUNDS`, :data:`FIELD_BOUNDS`): :class:`bizmodel.scenario.Scenario`,
:class:`bizmodel.accuracy_link.AccuracyLink`, :class:`bizmodel.scenario_ranges.Range`, every editor,
table and test read them here. Money is USD, rates and accuracies are fractions 0–1, months whole.
"""

from __future__ import annotations

import math
from dataclasses import MISSING, fields
from typing import Any

import numpy as np

from safetext import capped, joined, listed, shown

HORIZON_MIN_MONTHS = 12
HORIZON_MAX_MONTHS = 120

# Upper bounds (generous, finite). With them no valid scenario can overflow float64 in the
# projection, its NPV or its IRR: revenue and every cost of a month stay below ~1e22 USD (at most
# 1e10 customers × 1e12 USD of usage each), 120 months of them below ~1e25, and discounting at the
# lowest rate (−99 % a year) multiplies a flow by at most 100^10 = 1e20, far from float64's 1.8e308.

#: Money per month (other fixed costs, one retraining), USD.
MAX_USD_PER_MONTH = 1e12
#: Prices and costs per unit (per user-month, per 1,000 requests or predictions, per sample), USD.
MAX_USD_PER_UNIT = 1e6
#: Acquisition cost of one customer, USD.
MAX_CAC_USD = 1e9
#: Loaded monthly cost of one person, USD.
MAX_COST_PER_HEAD_USD_MONTH = 1e7
#: Starting cash and one funding round, USD.
MAX_CASH_USD = 1e13
#: Potential customers in the market.
MAX_MARKET_SIZE = 1e10
#: Requests one customer makes per month.
MAX_REQUESTS_PER_USER_MONTH = 1e9
#: Data samples bought per month.
MAX_SAMPLES_PER_MONTH = 1e12
#: People in one month of the hiring plan.
MAX_HEADCOUNT = 1e6
#: The largest production data or model factor (× the run's training samples or parameters).
MAX_PRODUCTION_FACTOR = 1e9
#: The largest exit multiple of ending ARR (:attr:`Scenario.exit_multiple_arr`).
MAX_EXIT_MULTIPLE = 100.0
#: How the value beyond the horizon is counted (:attr:`Scenario.terminal_value`).
TERMINAL_METHODS = ("gordon", "exit_multiple", "none")

#: The valid bounds (inclusive, all finite) of the scenario's float fields that may carry a
#: :class:`Range`; ``Scenario.__post_init__`` checks the fields against the same bounds.
FIELD_BOUNDS: dict[str, tuple[float, float]] = {
    "market_size": (0.0, MAX_MARKET_SIZE),
    "bass_p": (0.0, 1.0),
    "bass_q": (0.0, 1.0),
    "price_usd_per_user_month": (0.0, MAX_USD_PER_UNIT),
    "usage_price_usd_per_1000_requests": (0.0, MAX_USD_PER_UNIT),
    "requests_per_user_month": (0.0, MAX_REQUESTS_PER_USER_MONTH),
    "monthly_churn": (0.0, 1.0),
    "churn_at_minimum_accuracy_extra": (0.0, 1.0),
    "cac_usd": (0.0, MAX_CAC_USD),
    "cost_per_head_usd_month": (0.0, MAX_COST_PER_HEAD_USD_MONTH),
    "other_fixed_usd_month": (0.0, MAX_USD_PER_MONTH),
    "data_samples_per_month": (0.0, MAX_SAMPLES_PER_MONTH),
    "data_cost_usd_per_sample": (0.0, MAX_USD_PER_UNIT),
    "retrain_cost_usd": (0.0, MAX_USD_PER_MONTH),
    "serving_usd_per_1000_predictions": (0.0, MAX_USD_PER_UNIT),
    "model_accuracy": (0.0, 1.0),
    "annual_discount_rate": (-0.99, 10.0),
    "hosting_usd_per_customer_month": (0.0, MAX_USD_PER_UNIT),
    "support_usd_per_customer_month": (0.0, MAX_USD_PER_UNIT),
    "payment_fee_share": (0.0, 0.5),
    "payment_fee_usd_per_customer_month": (0.0, MAX_USD_PER_UNIT),
    "review_per_error": (0.0, 100.0),
}

#: The float fields of :class:`Scenario` that may carry a :class:`Range` (an uncertain input).
RANGE_FIELDS: tuple[str, ...] = tuple(FIELD_BOUNDS)

#: The valid bounds (inclusive) of every scalar number the model checks: :data:`FIELD_BOUNDS` and
#: the fields that cannot carry a range, the accuracy link's two accuracies included. The checks of
#: :class:`Scenario` and :class:`AccuracyLink` read them here, and so does every editor, table and
#: test (through :mod:`present.field_registry`): one copy.
BOUNDS: dict[str, tuple[float, float]] = {
    **FIELD_BOUNDS,
    "horizon_months": (HORIZON_MIN_MONTHS, HORIZON_MAX_MONTHS),
    "retrain_every_months": (0, HORIZON_MAX_MONTHS),
    "starting_cash_usd": (0.0, MAX_CASH_USD),
    "production_data_factor": (0.0, MAX_PRODUCTION_FACTOR),
    "production_model_factor": (0.0, MAX_PRODUCTION_FACTOR),
    "terminal_growth": (-0.5, 0.5),
    "exit_multiple_arr": (0.0, MAX_EXIT_MULTIPLE),
    "minimum_viable_accuracy": (0.0, 1.0),
    "delightful_accuracy": (0.0, 1.0),
}
#: The fields the model checks as whole numbers (months).
INTEGER_FIELDS: tuple[str, ...] = ("horizon_months", "retrain_every_months")

#: Pairs of fields whose sum must stay at most 1 (monthly rates).
JOINT_AT_MOST_ONE: tuple[tuple[str, str], ...] = (
    ("bass_p", "bass_q"),
    ("monthly_churn", "churn_at_minimum_accuracy_extra"),
)

#: The distributions a :class:`Range` may follow (see the module docstring).
DISTRIBUTIONS = ("triangular", "lognormal")


#: The most problems :attr:`ScenarioError.problems` lists (then "… and N more problems"); a
#: scenario has 26 fields, so a document with one mistake per field still has each one listed.
MAX_PROBLEMS = 30


class ScenarioError(ValueError):
    """A scenario (or part of one) is invalid; ``problems`` lists each field and what to change.

    Bounded for documents with thousands of mistakes (a headcount list of 100,000 bad months):
    ``problems`` holds at most :data:`MAX_PROBLEMS` problems and then one last entry "… and N
    more problems", the message (``str(error)``) the first few of them (:func:`safetext.joined`);
    ``all_problems`` keeps every one. User values are quoted short (:func:`safetext.shown`).
    """

    def __init__(self, problems: list[str] | tuple[str, ...] | str) -> None:
        self.all_problems: tuple[str, ...] = (problems,) if isinstance(problems, str) else tuple(problems)
        self.problems: tuple[str, ...] = tuple(capped(self.all_problems, limit=MAX_PROBLEMS))
        super().__init__(joined(self.all_problems))


def is_number(value: Any) -> bool:
    """An int, float or numpy number, not a bool.

    >>> is_number(3), is_number(np.float32(0.5)), is_number(True), is_number("3")
    (True, True, False, False)
    """
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def is_finite(value: Any) -> bool:
    """A number that converts to a finite float (an integer beyond float range does not).

    >>> is_finite(1.5), is_finite(float("nan")), is_finite(10**400)
    (True, False, False)
    """
    if not is_number(value):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an int beyond float range, e.g. 10**400 from JSON
        return False


def check_range(
    problems: list[str],
    name: str,
    value: Any,
    low: float | None,
    high: float | None,
    *,
    integer: bool = False,
    low_open: bool = False,
) -> None:
    """Append a problem unless ``value`` is a finite number (an integer if asked) within bounds.

    An integer beyond float range (JSON allows ``1e400`` written out as digits) is compared as an
    integer, so it is reported as out of bounds rather than raising ``OverflowError``.
    """
    kind = "a whole number" if integer else "a number"
    is_int = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    if not is_int and not is_finite(value):
        problems.append(f"{name} must be {kind}, got {shown(value)}")
        return
    if integer and not is_int and not float(value).is_integer():
        problems.append(f"{name} must be a whole number, got {shown(value)}")
        return
    v = int(value) if is_int else float(value)
    too_low = low is not None and (v <= low if low_open else v < low)
    if too_low or (high is not None and v > high):
        low_text = "" if low is None else f"{'above' if low_open else 'at least'} {low:g}"
        high_text = "" if high is None else f"at most {high:g}"
        bounds = " and ".join(t for t in (low_text, high_text) if t)
        problems.append(f"{name} must be {bounds}; got {shown(value)}")


def fields_of(cls: type, data: Any, what: str) -> dict[str, Any]:
    """The constructor keywords of ``cls`` from ``data``, refusing unknown or missing keys."""
    if not isinstance(data, dict):
        raise ScenarioError(f"{what} must be a JSON object, got {type(data).__name__}")
    names = [f.name for f in fields(cls)]
    required = [f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING]
    unknown = [shown(k, limit=40) for k in data if k not in names]
    problems = (
        [f"{what} has an unknown field {unknown[0]}; remove it"]
        if len(unknown) == 1
        else [f"{what} has unknown fields {listed(unknown)}; remove them"]
        if unknown
        else []
    )
    problems += [f"{what} lacks {k!r}; add it" for k in required if k not in data]
    if problems:
        raise ScenarioError(problems)
    return {k: data[k] for k in names if k in data}
