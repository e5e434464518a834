"""Cash-flow KPIs: hand cases, definitions at the boundaries, and properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bizmodel.finance import (
    FinanceError,
    break_even_month,
    break_even_month_paths,
    irr,
    monthly_rate,
    npv,
    payback_month,
    probability_out_of_cash,
    runway_months,
    runway_months_paths,
    sign_changes,
)
from bizmodel.reasons import Reason

flows_st = st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=60)


@pytest.mark.parametrize(
    ("flows", "rate", "expected"),
    [
        ([100.0], 0.0, 100.0),
        ([0.0] * 11 + [110.0], 0.10, 100.0),  # one year at 10 %/year
        ([-100.0, 50.0, 50.0], 0.0, 0.0),
        ([12.0] * 12, (1.01**12) - 1, sum(12.0 / 1.01**t for t in range(1, 13))),
    ],
)
def test_npv_hand_cases(flows: list[float], rate: float, expected: float) -> None:
    assert npv(flows, rate) == pytest.approx(expected)


@given(flows_st)
def test_npv_at_rate_zero_is_the_sum(flows: list[float]) -> None:
    assert npv(flows, 0.0) == pytest.approx(math.fsum(flows), abs=1e-6)


@given(st.lists(st.floats(0.0, 1e6), min_size=1, max_size=30), st.floats(0.0, 1.0))
def test_npv_of_income_falls_as_the_rate_rises(income: list[float], r: float) -> None:
    assert npv(income, r + 0.05) <= npv(income, r) + 1e-9


def test_npv_is_vectorised_over_paths() -> None:
    paths = np.array([[100.0, 100.0], [-50.0, 10.0]])
    np.testing.assert_allclose(npv(paths, 0.0), [200.0, -40.0])


@pytest.mark.parametrize(
    ("flows", "monthly"),
    [([-100.0, 110.0], 0.10), ([-100.0, 0.0, 121.0], 0.10), ([-1000.0] + [100.0] * 12, None)],
)
def test_irr_zeroes_the_npv(flows: list[float], monthly: float | None) -> None:
    result = irr(flows)
    assert result.reason is None and result.monthly is not None
    if monthly is not None:
        assert result.monthly == pytest.approx(monthly, abs=1e-9)
    assert npv(flows, result.annual) == pytest.approx(0.0, abs=1e-6)
    assert result.annual == pytest.approx((1 + result.monthly) ** 12 - 1)


@pytest.mark.parametrize(
    ("flows", "reason"),
    [
        ([10.0, 20.0], Reason("irr_no_sign_change")),
        ([-1.0, -2.0], Reason("irr_no_sign_change")),
        ([-1.0, 3.0, -1.0], Reason("irr_not_unique", changes=2)),
    ],
)
def test_irr_undefined_says_why(flows: list[float], reason: Reason) -> None:
    result = irr(flows)
    assert result.annual is None and result.monthly is None and result.reason == reason


@given(st.floats(1.0, 1e5), st.lists(st.floats(0.01, 1e5), min_size=1, max_size=36))
def test_irr_of_one_sign_change_is_a_root(cost: float, returns: list[float]) -> None:
    flows = [-cost, *returns]
    result = irr(flows)
    assert result.monthly is not None
    # Checked at the monthly rate (a deeply negative IRR's annual form rounds to −100 %), on the
    # NPV scaled by (1 + r)^H, relative to the size of its terms.
    growth = [(1 + result.monthly) ** (len(flows) - t) for t in range(1, len(flows) + 1)]
    scaled = sum(cf * g for cf, g in zip(flows, growth, strict=True))
    assert abs(scaled) <= 1e-6 * sum(abs(cf) * g for cf, g in zip(flows, growth, strict=True))


@pytest.mark.parametrize(
    ("flows", "break_even", "payback"),
    [
        ([-5.0, -1.0, 0.0, 3.0], 3, None),
        ([-10.0, 4.0, 4.0, 4.0], 2, 4),
        ([1.0, -1.0], 1, 1),
        ([-1.0, -1.0], None, None),
    ],
)
def test_break_even_and_payback(flows: list[float], break_even: int | None, payback: int | None) -> None:
    assert break_even_month(flows) == break_even
    assert payback_month(flows) == payback


@pytest.mark.parametrize(
    ("cash", "runway"),
    [([50.0, 20.0, -5.0], 2), ([-1.0, 5.0], 0), ([0.0, 1.0], None), ([3.0, -1.0, 4.0], 1)],
)
def test_runway(cash: list[float], runway: int | None) -> None:
    assert runway_months(cash) == runway


def test_path_variants_mark_missing_with_nan() -> None:
    cash = np.array([[5.0, -1.0], [5.0, 6.0]])
    out = runway_months_paths(cash)
    assert out[0] == 1.0 and np.isnan(out[1])
    be = break_even_month_paths(np.array([[-1.0, 1.0], [-1.0, -1.0]]))
    assert be[0] == 2.0 and np.isnan(be[1])
    assert probability_out_of_cash(cash) == 0.5


@pytest.mark.parametrize("bad", [[], [float("nan")], [float("inf"), 1.0], [[[1.0]]]])
def test_bad_flows_are_refused(bad: list) -> None:
    with pytest.raises(FinanceError):
        npv(bad, 0.1)


def test_rates_and_sign_changes() -> None:
    assert monthly_rate(0.0) == 0.0
    assert (1 + monthly_rate(0.2)) ** 12 == pytest.approx(1.2)
    with pytest.raises(FinanceError):
        monthly_rate(-1.0)
    assert sign_changes([0.0, -1.0, 0.0, 2.0, 3.0]) == 1


def test_irr_over_a_long_horizon_stays_finite_and_quiet() -> None:
    """120 months of flows: the bisection's large probe rates must not overflow."""
    flows = [-1e6] + [2e4] * 119
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is harmless
        result = irr(flows)
    assert result.monthly is not None and npv(flows, result.annual) == pytest.approx(0.0, abs=1e-3)
