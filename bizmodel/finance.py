"""Cash-flow KPIs of a monthly projection: NPV, IRR, break-even, payback and runway.

Conventions (the scenario model's, see the revenue-scenarios issue):

* Months are numbered 1…H; a month's cash flow falls at its end, so month ``t`` is discounted by
  ``(1 + r_m)^t``.
* Rates are fractions. An annual rate ``r`` becomes the monthly ``r_m = (1 + r)^(1/12) − 1``;
  a monthly IRR becomes annual as ``(1 + irr_m)^12 − 1``.
* Cash flows are USD, positive into the company. *Operating* cash flows exclude starting cash
  and funding; *cash* is the balance at each month's end.
* ``break_even_month``: the first month with operating cash flow ≥ 0. ``payback_month``: the
  first month whose cumulative operating cash flow is ≥ 0. ``runway_months``: the last month
  before cash < 0 (0 when the first month already ends below zero). Each is 1-based, or None
  when it does not happen within the horizon.

Every function takes one projection (shape ``(months,)``) or many Monte Carlo paths (shape
``(paths, months)``) and works along the last axis; the ``*_paths`` variants return arrays with
NaN where the scalar function returns None.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bizmodel.reasons import Reason

MONTHS_PER_YEAR = 12


class FinanceError(ValueError):
    """Cash flows or rates that cannot be evaluated; the message says what to change."""


def monthly_rate(annual_rate: float) -> float:
    """The monthly rate equivalent to an annual rate (compounded monthly).

    >>> round(monthly_rate(0.12), 6)
    0.009489
    """
    if not annual_rate > -1.0:
        raise FinanceError("an annual rate must be above −100 %")
    return float((1.0 + annual_rate) ** (1.0 / MONTHS_PER_YEAR) - 1.0)


def _flows(cash_flows: np.ndarray | list[float]) -> np.ndarray:
    flows = np.asarray(cash_flows, dtype=np.float64)
    if flows.ndim not in (1, 2) or flows.shape[-1] == 0:
        raise FinanceError("cash flows must be a non-empty series of months (or paths × months)")
    if not np.isfinite(flows).all():
        raise FinanceError("cash flows must be finite numbers")
    return flows


def npv(cash_flows: np.ndarray | list[float], annual_rate: float) -> float | np.ndarray:
    """Net present value of month-end cash flows at an annual discount rate.

    ``Σ_t CF_t / (1 + r_m)^t`` for t = 1…H. One value per path for a 2-D input.

    >>> npv([100.0, 100.0], 0.0)
    200.0
    >>> round(npv([0.0] * 11 + [112.0], 0.12), 6)
    100.0
    """
    flows = _flows(cash_flows)
    months = np.arange(1, flows.shape[-1] + 1, dtype=np.float64)
    factors = (1.0 + monthly_rate(annual_rate)) ** -months
    value = flows @ factors
    return float(value) if np.ndim(value) == 0 else value


@dataclass(frozen=True)
class TerminalValue:
    """The value of the business beyond the horizon, at the horizon's end and discounted to today.

    ``method`` is ``gordon``, ``exit_multiple`` or ``none``; ``at_horizon_usd`` and
    ``present_usd`` are None when there is no value to count, with ``reason`` a code saying why
    (``none``: not counted; ``negative_cash_flow``: the last year's operating cash flow is not
    positive, so a Gordon value would be negative or zero; ``growth_at_or_above_rate``: growth ≥
    the discount rate, so the Gordon sum diverges; ``no_arr``: no ARR to multiply). ``basis_usd``
    is what the method starts from (the last 12 months' operating cash flow, or ending ARR).
    """

    method: str
    at_horizon_usd: float | None
    present_usd: float | None
    basis_usd: float
    reason: str | None = None


def terminal_value(
    operating_cash_flows: np.ndarray | list[float],
    ending_arr_usd: float,
    annual_rate: float,
    *,
    method: str,
    growth: float = 0.03,
    exit_multiple: float = 4.0,
) -> TerminalValue:
    """The terminal value of a projection (month-end flows 1…H), counted at the end of month H.

    * ``gordon``: the last 12 months' operating cash flow ``C`` grows at ``growth`` a year forever:
      ``C × (1 + g) / (r − g)`` at month H (annual flows, the first a year after the horizon).
    * ``exit_multiple``: a sale at ``exit_multiple`` × ending ARR at month H.
    * ``none``: nothing.

    Discounted to today like a month-H flow of :func:`npv`: ÷ ``(1 + r_m)^H``.

    >>> flows = [100.0] * 24
    >>> tv = terminal_value(flows, 0.0, 0.10, method="gordon", growth=0.0)
    >>> round(tv.at_horizon_usd), round(tv.present_usd)
    (12000, 9917)
    >>> terminal_value(flows, 5_000.0, 0.10, method="exit_multiple", exit_multiple=4.0).at_horizon_usd
    20000.0
    >>> terminal_value([-1.0] * 12, 0.0, 0.10, method="gordon").reason
    'negative_cash_flow'
    """
    flows = _flows(operating_cash_flows)
    if flows.ndim != 1:
        raise FinanceError("a terminal value is counted for one series")
    horizon = flows.shape[-1]
    basis = float(flows[-12:].sum())
    discount = (1.0 + monthly_rate(annual_rate)) ** -horizon
    if method == "none":
        return TerminalValue(method, None, None, basis, "none")
    if method == "exit_multiple":
        arr = float(ending_arr_usd)
        if not arr > 0.0:
            return TerminalValue(method, None, None, arr, "no_arr")
        value = arr * float(exit_multiple)
        return TerminalValue(method, value, value * discount, arr)
    if method != "gordon":
        raise FinanceError(f"method must be gordon, exit_multiple or none; got {method!r}")
    if not basis > 0.0:
        return TerminalValue(method, None, None, basis, "negative_cash_flow")
    if growth >= annual_rate:
        return TerminalValue(method, None, None, basis, "growth_at_or_above_rate")
    value = basis * (1.0 + growth) / (annual_rate - growth)
    return TerminalValue(method, value, value * discount, basis)


def sign_changes(cash_flows: np.ndarray | list[float]) -> int:
    """How many times a single series changes sign (zeros are skipped).

    >>> sign_changes([-100, 0, 50, 60]), sign_changes([-1, 2, -3])
    (1, 2)
    """
    flows = _flows(cash_flows)
    if flows.ndim != 1:
        raise FinanceError("sign changes are counted for one series")
    signs = np.sign(flows[flows != 0])
    return int(np.count_nonzero(signs[1:] != signs[:-1]))


@dataclass(frozen=True)
class Irr:
    """An internal rate of return, or why there is none (``annual`` None, ``reason`` set)."""

    annual: float | None
    monthly: float | None
    reason: Reason | None = None


def irr(cash_flows: np.ndarray | list[float], *, tolerance: float = 1e-14) -> Irr:
    """The rate at which the flows' NPV is zero, when the flows change sign exactly once.

    With exactly one sign change the root is unique (Descartes' rule of signs); otherwise the
    IRR is undefined (none, or several) and ``reason`` says which. Found by bisection on
    ``ln(1 + r_m)`` (monthly rates from just above −100 % to 1.2 × 10⁸ %).

    >>> result = irr([-100.0, 110.0])
    >>> round(result.monthly, 9), round(result.annual, 6)
    (0.1, 2.138428)
    >>> irr([100.0, 50.0]).reason
    Reason('irr_no_sign_change')
    >>> irr([-1.0, 2.0, -1.0, 2.0]).reason
    Reason('irr_not_unique', changes=3)
    """
    flows = _flows(cash_flows)
    changes = sign_changes(flows)
    if changes == 0:
        return Irr(None, None, Reason("irr_no_sign_change"))
    if changes > 1:
        return Irr(None, None, Reason("irr_not_unique", changes=changes))
    months = np.arange(1, len(flows) + 1, dtype=np.float64)

    def value(log_growth: float) -> float:
        # NPV × (1 + r)^H / e^m with 1 + r = e^x and m the largest exponent: the sign of the NPV,
        # with every term at most 1 in size (no overflow at any rate or horizon) and full precision
        # near −100 %.
        exponents = log_growth * (len(flows) - months)
        return float(flows @ np.exp(exponents - exponents.max()))

    low, high = -40.0, 14.0  # 1 + r from 4e-18 to 1.2e6 per month
    f_low, f_high = value(low), value(high)
    if np.sign(f_low) == np.sign(f_high) or f_low == 0.0 or f_high == 0.0:
        return Irr(None, None, Reason("irr_no_root"))
    for _ in range(200):
        mid = (low + high) / 2.0
        f_mid = value(mid)
        if f_mid == 0.0 or high - low <= tolerance:
            return _irr_of(float(np.expm1(mid)))
        if np.sign(f_mid) == np.sign(f_low):
            low, f_low = mid, f_mid
        else:
            high = mid
    return _irr_of(float(np.expm1((low + high) / 2.0)))


def _irr_of(monthly: float) -> Irr:
    return Irr(float((1.0 + monthly) ** MONTHS_PER_YEAR - 1.0), float(monthly))


def _first_month(mask: np.ndarray) -> np.ndarray:
    """1-based index of the first True along the last axis, NaN where there is none."""
    hit = mask.any(axis=-1)
    first = mask.argmax(axis=-1).astype(np.float64) + 1.0
    return np.where(hit, first, np.nan)


def _scalar(value: np.ndarray) -> int | None:
    return None if np.isnan(value) else int(value)


def break_even_month_paths(operating_cash_flows: np.ndarray) -> np.ndarray:
    """First month with operating cash flow ≥ 0, per path (NaN: not within the horizon)."""
    return _first_month(_flows(operating_cash_flows) >= 0.0)


def break_even_month(operating_cash_flows: np.ndarray | list[float]) -> int | None:
    """First month (1-based) whose operating cash flow is ≥ 0, or None.

    >>> break_even_month([-5.0, -1.0, 0.0, 3.0]), break_even_month([-1.0, -2.0])
    (3, None)
    """
    return _scalar(break_even_month_paths(np.asarray(operating_cash_flows, dtype=np.float64)))


def payback_month_paths(operating_cash_flows: np.ndarray) -> np.ndarray:
    """First month whose cumulative operating cash flow is ≥ 0, per path (NaN: not reached)."""
    return _first_month(np.cumsum(_flows(operating_cash_flows), axis=-1) >= 0.0)


def payback_month(operating_cash_flows: np.ndarray | list[float]) -> int | None:
    """First month (1-based) in which cumulative operating cash flow is ≥ 0, or None.

    >>> payback_month([-10.0, 4.0, 4.0, 4.0]), payback_month([-10.0, 4.0])
    (4, None)
    """
    return _scalar(payback_month_paths(np.asarray(operating_cash_flows, dtype=np.float64)))


def runway_months_paths(cash: np.ndarray) -> np.ndarray:
    """The last month before cash < 0, per path (0: the first month ends below zero; NaN: cash
    never goes below zero within the horizon)."""
    first_negative = _first_month(_flows(cash) < 0.0)
    return first_negative - 1.0


def runway_months(cash: np.ndarray | list[float]) -> int | None:
    """The last month (1-based) before the cash balance goes below zero, or None if it never does.

    >>> runway_months([50.0, 20.0, -5.0]), runway_months([-1.0]), runway_months([1.0, 2.0])
    (2, 0, None)
    """
    return _scalar(runway_months_paths(np.asarray(cash, dtype=np.float64)))


def probability_out_of_cash(cash_paths: np.ndarray) -> float:
    """Share of paths (0–1) whose cash goes below zero at some month within the horizon.

    >>> probability_out_of_cash(np.array([[1.0, -1.0], [1.0, 2.0]]))
    0.5
    """
    cash = _flows(cash_paths)
    return float(np.mean((cash < 0.0).any(axis=-1)))
