"""The monthly projection and its KPIs: hand-computed cases and properties."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bizmodel import finance
from bizmodel.accuracy_link import AccuracyLink
from bizmodel.montecarlo import simulate
from bizmodel.projection import COLUMNS, customer_flows, kpis, path_values, project, project_paths
from bizmodel.reasons import Reason
from bizmodel.scenario import TEMPLATES, FundingRound, Scenario, base_template
from bizmodel.scenario_bounds import (
    FIELD_BOUNDS,
    HORIZON_MAX_MONTHS,
    JOINT_AT_MOST_ONE,
    MAX_CASH_USD,
    MAX_HEADCOUNT,
    RANGE_FIELDS,
    ScenarioError,
)
from bizmodel.scenario_ranges import Range


def tiny(**changes: Any) -> Scenario:
    """12 months, 1,000 potential customers, Bass p = 10 % only, $10 a month, no churn, no costs."""
    values: dict[str, Any] = {
        "horizon_months": 12,
        "market_size": 1000.0,
        "bass_p": 0.1,
        "bass_q": 0.0,
        "price_usd_per_user_month": 10.0,
        "usage_price_usd_per_1000_requests": 0.0,
        "requests_per_user_month": 0.0,
        "monthly_churn": 0.0,
        "churn_at_minimum_accuracy_extra": 0.0,
        "cac_usd": 0.0,
        "headcount_by_month": (0,),
        "cost_per_head_usd_month": 0.0,
        "other_fixed_usd_month": 0.0,
        "data_samples_per_month": 0.0,
        "data_cost_usd_per_sample": 0.0,
        "retrain_every_months": 0,
        "retrain_cost_usd": 0.0,
        "serving_usd_per_1000_predictions": 0.0,
        "model_accuracy": 1.0,
        "accuracy_link": AccuracyLink(minimum_viable_accuracy=0.5, delightful_accuracy=0.9),
        "starting_cash_usd": 100.0,
        "funding_rounds": (),
        "annual_discount_rate": 0.0,
        "hosting_usd_per_customer_month": 0.0,
        "support_usd_per_customer_month": 0.0,
        "review_per_error": 0.0,
        "payment_fee_share": 0.0,
        "payment_fee_usd_per_customer_month": 0.0,
    }
    values.update(changes)
    return Scenario(**values)


def test_columns_and_index() -> None:
    frame = project(tiny())
    assert tuple(frame.columns) == COLUMNS
    assert frame.index.tolist() == list(range(1, 13))
    assert frame.index.name == "month"


@pytest.mark.parametrize(
    ("month", "new", "active", "revenue", "cash"),
    [
        (1, 100.0, 100.0, 1000.0, 1100.0),
        (2, 90.0, 190.0, 1900.0, 3000.0),
        (3, 81.0, 271.0, 2710.0, 5710.0),
        (12, 100.0 * 0.9**11, 1000.0 * (1 - 0.9**12), 10_000.0 * (1 - 0.9**12), None),
    ],
)
def test_tiny_scenario_by_hand(
    month: int, new: float, active: float, revenue: float, cash: float | None
) -> None:
    row = project(tiny()).loc[month]
    assert row["new_customers"] == pytest.approx(new)
    assert row["churned_customers"] == 0.0
    assert row["active_customers"] == pytest.approx(active)
    assert row["revenue_usd"] == pytest.approx(revenue)
    assert row["arr_usd"] == pytest.approx(12 * revenue)
    if cash is not None:
        assert row["cash_usd"] == pytest.approx(cash)


def test_tiny_scenario_with_costs_and_funding_by_hand() -> None:
    scenario = tiny(
        cac_usd=5.0,
        headcount_by_month=(1,),
        cost_per_head_usd_month=1000.0,
    )
    scenario = Scenario.from_dict(
        {**scenario.to_dict(), "funding_rounds": [{"month": 2, "amount_usd": 500.0}]}
    )
    frame = project(scenario)
    # OCF = revenue − 5 × new − 1000: month 1: 1000 − 500 − 1000; 2: 1900 − 450 − 1000; 3: 2710 − 405 − 1000.
    assert frame["operating_cash_flow_usd"].iloc[:3].tolist() == pytest.approx([-500.0, 450.0, 1305.0])
    assert frame["funding_usd"].iloc[:3].tolist() == [0.0, 500.0, 0.0]
    assert frame["cash_usd"].iloc[:3].tolist() == pytest.approx([-400.0, 550.0, 1855.0])
    k = kpis(frame, scenario)
    assert (k.break_even_month, k.payback_month, k.runway_months) == (2, 3, 0)
    assert k.min_cash_usd == pytest.approx(-400.0)


def test_churn_by_hand() -> None:
    frame = project(tiny(monthly_churn=0.1))
    assert frame["churned_customers"].iloc[:3].tolist() == pytest.approx([0.0, 10.0, 18.0])
    assert frame["active_customers"].iloc[:3].tolist() == pytest.approx([100.0, 180.0, 243.0])


def test_costs_by_hand() -> None:
    scenario = tiny(
        requests_per_user_month=2000.0,
        usage_price_usd_per_1000_requests=1.0,
        serving_usd_per_1000_predictions=0.5,
        data_samples_per_month=100.0,
        data_cost_usd_per_sample=0.2,
        retrain_every_months=3,
        retrain_cost_usd=50.0,
        headcount_by_month=(1, 2, 3),
        cost_per_head_usd_month=10.0,
        other_fixed_usd_month=7.0,
    )
    frame = project(scenario)
    assert frame["revenue_usd"].iloc[0] == pytest.approx(100 * (10 + 2))
    assert frame["serving_cost_usd"].iloc[0] == pytest.approx(100 * 1.0)
    assert (frame["data_cost_usd"] == 20.0).all()
    assert frame.index[frame["retraining_cost_usd"] > 0].tolist() == [3, 6, 9, 12]
    assert frame["team_usd"].tolist() == [10.0, 20.0] + [30.0] * 10
    assert (frame["other_opex_usd"] == 7.0).all()
    expected_gm = frame["revenue_usd"] - frame["serving_cost_usd"] - 20.0 - frame["retraining_cost_usd"]
    assert np.allclose(frame["gross_margin_usd"], expected_gm)


def test_cost_of_revenue_lines_by_hand() -> None:
    # 100 customers in month 1; each makes 1,000 requests at 90 % accuracy: 100 errors, 2 reviews
    # per error at $0.10 = $20; hosting $3, support $2; payment 3 % of $11 + $0.25 = $0.58.
    scenario = tiny(
        requests_per_user_month=1000.0,
        usage_price_usd_per_1000_requests=1.0,
        model_accuracy=0.9,
        accuracy_link=AccuracyLink(minimum_viable_accuracy=0.5, delightful_accuracy=0.9),
        review_per_error=2.0,
        data_cost_usd_per_sample=0.1,
        hosting_usd_per_customer_month=3.0,
        support_usd_per_customer_month=2.0,
        payment_fee_share=0.03,
        payment_fee_usd_per_customer_month=0.25,
    )
    row = project(scenario).iloc[0]
    assert row["active_customers"] == pytest.approx(100.0)
    assert row["review_cost_usd"] == pytest.approx(100 * 20.0)
    assert row["hosting_cost_usd"] == pytest.approx(100 * 3.0)
    assert row["support_cost_usd"] == pytest.approx(100 * 2.0)
    assert row["payment_cost_usd"] == pytest.approx(100 * (0.03 * 11.0 + 0.25))
    revenue = 100 * 11.0
    assert row["gross_margin_usd"] == pytest.approx(revenue - 2000.0 - 300.0 - 200.0 - 100 * 0.58)
    assert scenario.variable_cost_usd_per_user_month == pytest.approx(20.0 + 3.0 + 2.0 + 0.58)


def test_a_more_accurate_model_needs_fewer_reviews() -> None:
    costs = [
        project(
            tiny(
                requests_per_user_month=1e3,
                model_accuracy=a,
                review_per_error=1.0,
                data_cost_usd_per_sample=0.1,
            )
        ).iloc[0]["review_cost_usd"]
        for a in (0.8, 0.9, 1.0)
    ]
    assert costs[0] > costs[1] > costs[2] == 0.0


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("exit_multiple", "arr"),  # 4× ending ARR at month 12, discounted at 0 %
        ("none", None),
    ],
)
def test_terminal_value_by_hand(method: str, expected: str | None) -> None:
    scenario = tiny(terminal_value=method, exit_multiple_arr=4.0)
    frame = project(scenario)
    k = kpis(frame, scenario)
    assert k.terminal_method == method
    if expected is None:
        assert k.terminal_value_usd is None and k.npv_with_terminal_usd is None
        assert k.reasons["terminal_value_usd"] == Reason("terminal_none")
        return
    arr = 12 * frame["revenue_usd"].iloc[-1]
    assert k.terminal_basis_usd == pytest.approx(arr)
    assert k.terminal_at_horizon_usd == pytest.approx(4 * arr)
    assert k.terminal_value_usd == pytest.approx(4 * arr)  # a 0 % discount rate
    assert k.npv_with_terminal_usd == pytest.approx(k.npv_usd + 4 * arr)


def test_gordon_terminal_value_by_hand() -> None:
    # Operating cash flow $100 a month ($1,200 the last year), 10 % discount, 2 % growth:
    # 1,200 × 1.02 ÷ 0.08 = $15,300 at month 12, ÷ 1.10 today.
    tv = finance.terminal_value(np.full(12, 100.0), 0.0, 0.10, method="gordon", growth=0.02)
    assert tv.at_horizon_usd == pytest.approx(15_300.0)
    assert tv.present_usd == pytest.approx(15_300.0 / 1.10)
    scenario = tiny(bass_p=0.0, terminal_value="gordon")  # nobody adopts: no cash flow to grow
    k = kpis(project(scenario), scenario)
    assert k.terminal_value_usd is None and k.reasons["terminal_value_usd"] == Reason("terminal_negative")


def test_gordon_needs_growth_below_the_discount_rate() -> None:
    tv = finance.terminal_value([100.0] * 12, 0.0, 0.05, method="gordon", growth=0.05)
    assert tv.present_usd is None and tv.reason == "growth_at_or_above_rate"
    assert finance.terminal_value([100.0] * 12, 0.0, 0.05, method="exit_multiple").reason == "no_arr"


def test_below_minimum_accuracy_nobody_adopts() -> None:
    frame = project(tiny(model_accuracy=0.4))
    assert (frame["new_customers"] == 0.0).all()
    assert (frame["revenue_usd"] == 0.0).all()


def test_bass_imitation_by_hand() -> None:
    new, _, _ = customer_flows(100.0, 0.1, 0.5, 1.0, 0.0, months=2)
    # month 1: 0.1 × 100 = 10; month 2: (0.1 + 0.5 × 10/100) × 90 = 13.5
    assert new.tolist() == pytest.approx([10.0, 13.5])


def test_customer_flows_vectorised_over_paths() -> None:
    p = np.array([0.01, 0.05, 0.1])
    new, churned, active = customer_flows(1000.0, p, 0.2, 1.0, 0.03, months=24)
    assert new.shape == churned.shape == active.shape == (3, 24)
    for i, p_i in enumerate(p):
        single, _, _ = customer_flows(1000.0, float(p_i), 0.2, 1.0, 0.03, months=24)
        assert np.allclose(new[i], single)


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_templates_project_without_nan(kind: str) -> None:
    scenario = TEMPLATES[kind]()
    frame = project(scenario)
    assert len(frame) == scenario.horizon_months
    assert np.isfinite(frame.to_numpy()).all()
    out = kpis(frame, scenario).to_dict()
    json.dumps(out, allow_nan=False)
    for name, value in out.items():
        if value is None and name != "irr_reason":
            assert name in out["reasons"]


def test_zero_churn_ltv_is_none_with_reason() -> None:
    scenario = tiny()
    k = kpis(project(scenario), scenario)
    assert k.ltv_usd is None and "ltv_usd" in k.reasons
    out = k.to_dict()
    assert out["ltv_usd"] is None and out["ltv_to_cac"] is None
    json.dumps(out, allow_nan=False)


def test_ltv_and_cac_payback_by_hand() -> None:
    scenario = tiny(monthly_churn=0.1, cac_usd=20.0)
    k = kpis(project(scenario), scenario)
    assert k.gross_margin == pytest.approx(1.0)
    assert k.ltv_usd == pytest.approx(10.0 / 0.1)
    assert k.ltv_to_cac == pytest.approx(5.0)
    assert k.cac_payback_months == pytest.approx(2.0)


def test_burn_multiple_by_hand() -> None:
    scenario = tiny(headcount_by_month=(1,), cost_per_head_usd_month=10_000.0)
    frame = project(scenario)
    k = kpis(frame, scenario)
    burn = -frame["operating_cash_flow_usd"].sum()
    assert burn > 0
    assert k.burn_multiple == pytest.approx(burn / frame["arr_usd"].iloc[-1])
    assert k.ending_arr_usd == pytest.approx(frame["arr_usd"].iloc[-1])


def test_zero_market_kpis_are_json_safe() -> None:
    scenario = tiny(market_size=0.0, headcount_by_month=(1,), cost_per_head_usd_month=10.0)
    k = kpis(project(scenario), scenario)
    out = k.to_dict()
    json.dumps(out, allow_nan=False)
    for name in ("gross_margin", "ltv_usd", "burn_multiple", "irr_annual"):
        assert out[name] is None and name in out["reasons"]
    # Unit economics are per customer: a customer would pay $10 a month and cost nothing to acquire.
    assert out["cac_payback_months"] == 0.0


def test_data_and_retraining_do_not_change_ltv_or_cac_payback() -> None:
    base = base_template()
    # $1 M of data a month and a $1 M retraining every month: fixed costs, no customer's.
    heavy = base.with_values(data_samples_per_month=2e7, retrain_every_months=1, retrain_cost_usd=1e6)
    k_base, k_heavy = (kpis(project(s), s) for s in (base, heavy))
    assert k_heavy.gross_margin is not None and k_heavy.gross_margin < 0  # the horizon's margin suffers
    assert k_heavy.ltv_usd == pytest.approx(k_base.ltv_usd) and k_heavy.ltv_usd > 0
    assert k_heavy.cac_payback_months == pytest.approx(k_base.cac_payback_months)
    assert k_heavy.ltv_to_cac == pytest.approx(k_base.ltv_to_cac)


def test_ltv_and_cac_payback_use_the_contribution_per_customer() -> None:
    # ARPU $10 + 1,000 requests × $1 per 1,000 = $11; serving 1,000 × $3 per 1,000 = $3: contribution $8.
    scenario = tiny(
        monthly_churn=0.1,
        cac_usd=20.0,
        requests_per_user_month=1000.0,
        usage_price_usd_per_1000_requests=1.0,
        serving_usd_per_1000_predictions=3.0,
        data_samples_per_month=1000.0,
        data_cost_usd_per_sample=5.0,
    )
    k = kpis(project(scenario), scenario)
    assert k.ltv_usd == pytest.approx(8.0 / 0.1)
    assert k.cac_payback_months == pytest.approx(20.0 / 8.0)
    assert k.ltv_to_cac == pytest.approx(80.0 / 20.0)


def test_a_customer_who_costs_more_than_it_pays_never_repays_cac() -> None:
    scenario = tiny(
        monthly_churn=0.1, cac_usd=20.0, requests_per_user_month=1000.0, serving_usd_per_1000_predictions=15.0
    )
    k = kpis(project(scenario), scenario)
    assert k.ltv_usd == pytest.approx((10.0 - 15.0) / 0.1)
    assert k.cac_payback_months is None
    assert k.reasons["cac_payback_months"] == Reason("contribution_not_positive")


# ---------------------------------------------------------------------- properties

scenarios = st.builds(
    lambda horizon, market, p, q, price, churn, cac, heads, accuracy, cash, rate: tiny(
        horizon_months=horizon,
        market_size=market,
        bass_p=p,
        bass_q=q,
        price_usd_per_user_month=price,
        monthly_churn=churn,
        churn_at_minimum_accuracy_extra=0.05,
        cac_usd=cac,
        headcount_by_month=(heads,),
        cost_per_head_usd_month=5000.0,
        requests_per_user_month=1000.0,
        serving_usd_per_1000_predictions=0.01,
        model_accuracy=accuracy,
        starting_cash_usd=cash,
        annual_discount_rate=rate,
    ),
    st.integers(12, 60),
    st.floats(0.0, 1e5),
    st.floats(0.0, 0.5),
    st.floats(0.0, 0.5),
    st.floats(0.01, 500.0),
    st.floats(0.0, 0.9),
    st.floats(0.0, 1000.0),
    st.integers(0, 10),
    st.floats(0.0, 1.0),
    st.floats(0.0, 1e7),
    st.floats(0.0, 0.5),
)


def _with(scenario: Scenario, **changes: Any) -> Scenario:
    return Scenario.from_dict({**scenario.to_dict(), **changes})


@settings(max_examples=60, deadline=None)
@given(scenarios, st.floats(0.0, 0.05))
def test_more_churn_never_raises_npv(scenario: Scenario, extra: float) -> None:
    # Holds whenever a customer's monthly gross margin is non-negative (price ≥ serving here).
    assert scenario.revenue_usd_per_user_month >= scenario.serving_usd_per_user_month
    higher = _with(scenario, monthly_churn=scenario.monthly_churn + extra)
    low, high = (kpis(project(s), s).npv_usd for s in (scenario, higher))
    assert high <= low + 1e-9 * max(1.0, abs(low))


@settings(max_examples=60, deadline=None)
@given(scenarios, st.floats(0.0, 100.0))
def test_higher_price_never_lowers_revenue(scenario: Scenario, increase: float) -> None:
    dearer = _with(scenario, price_usd_per_user_month=scenario.price_usd_per_user_month + increase)
    before, after = project(scenario)["revenue_usd"], project(dearer)["revenue_usd"]
    assert (after.to_numpy() >= before.to_numpy() - 1e-9).all()


@settings(max_examples=30, deadline=None)
@given(scenarios)
def test_zero_market_means_zero_revenue(scenario: Scenario) -> None:
    frame = project(_with(scenario, market_size=0.0))
    assert (frame["revenue_usd"] == 0.0).all()
    assert (frame["active_customers"] == 0.0).all()


@settings(max_examples=60, deadline=None)
@given(scenarios, st.integers(1, 12), st.floats(1.0, 1e6))
def test_cash_is_start_plus_operating_plus_funding(scenario: Scenario, month: int, amount: float) -> None:
    funded = _with(scenario, funding_rounds=[{"month": month, "amount_usd": amount}])
    frame = project(funded)
    expected = (
        funded.starting_cash_usd + frame["operating_cash_flow_usd"].cumsum() + frame["funding_usd"].cumsum()
    )
    assert np.allclose(frame["cash_usd"], expected, rtol=1e-12, atol=1e-6)
    assert frame["funding_usd"].sum() == pytest.approx(amount)


@settings(max_examples=60, deadline=None)
@given(scenarios)
def test_npv_at_rate_zero_is_the_sum_of_operating_cash_flows(scenario: Scenario) -> None:
    at_zero = _with(scenario, annual_discount_rate=0.0)
    frame = project(at_zero)
    total = float(frame["operating_cash_flow_usd"].sum())
    assert kpis(frame, at_zero).npv_usd == pytest.approx(total, rel=1e-9, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(scenarios)
def test_kpis_are_json_safe_and_consistent_with_finance(scenario: Scenario) -> None:
    frame = project(scenario)
    assert np.isfinite(frame.to_numpy()).all()
    k = kpis(frame, scenario)
    out = k.to_dict()
    json.dumps(out, allow_nan=False)
    flows = frame["operating_cash_flow_usd"].to_numpy()
    assert k.npv_usd == pytest.approx(finance.npv(flows, scenario.annual_discount_rate))
    assert k.break_even_month == finance.break_even_month(flows)
    assert all(v is None or not isinstance(v, float) or math.isfinite(v) for v in out.values())


def test_base_template_kpis_are_plausible() -> None:
    scenario = base_template()
    k = kpis(project(scenario), scenario)
    assert 0.0 < k.gross_margin < 1.0
    assert k.ltv_to_cac is not None and k.ltv_to_cac > 1.0


# ---------------------------------------------------------------------- many paths at once


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_project_paths_with_constant_arrays_equals_project(kind: str) -> None:
    scenario = TEMPLATES[kind]()
    values = {name: np.full(7, float(getattr(scenario, name))) for name in RANGE_FIELDS}
    paths = project_paths(scenario, values)
    frame = project(scenario)
    assert set(paths) == set(COLUMNS)
    for name in COLUMNS:
        assert paths[name].shape == (7, scenario.horizon_months)
        for row in paths[name]:
            np.testing.assert_array_equal(row, frame[name].to_numpy(), err_msg=name)


def test_project_paths_without_values_is_one_path_or_as_many_as_asked() -> None:
    scenario = base_template()
    assert project_paths(scenario)["cash_usd"].shape == (1, 60)
    out = project_paths(scenario, paths=4, columns=["cash_usd", "revenue_usd"])
    assert set(out) == {"cash_usd", "revenue_usd"}
    assert out["cash_usd"].shape == (4, 60)
    np.testing.assert_array_equal(out["cash_usd"][3], project(scenario)["cash_usd"].to_numpy())


def test_each_path_equals_project_of_its_own_values() -> None:
    scenario = base_template()
    values = {
        "model_accuracy": np.array([0.5, 0.85, 0.92, 0.99]),  # below minimum, steep, base, delightful
        "monthly_churn": np.array([0.01, 0.03, 0.05, 0.2]),
        "churn_at_minimum_accuracy_extra": np.array([0.0, 0.05, 0.1, 0.3]),
        "price_usd_per_user_month": np.array([19.0, 49.0, 99.0, 10.0]),
        "requests_per_user_month": np.array([0.0, 2000.0, 10_000.0, 500.0]),
        "serving_usd_per_1000_predictions": np.array([0.0, 0.02, 1.0, 5.0]),
        "market_size": np.array([0.0, 20_000.0, 1e6, 500.0]),
        "bass_p": np.array([0.003, 0.01, 0.2, 0.5]),
        "bass_q": np.array([0.05, 0.0, 0.3, 0.5]),
        "retrain_cost_usd": np.array([0.0, 200.0, 5000.0, 1.0]),
        "other_fixed_usd_month": np.array([0.0, 3000.0, 10.0, 1e5]),
    }
    paths = project_paths(scenario, values)
    for i in range(4):
        single = scenario.with_values(**{name: float(v[i]) for name, v in values.items()})
        frame = project(single)
        for name in COLUMNS:
            np.testing.assert_allclose(paths[name][i], frame[name].to_numpy(), rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"horizon_months": np.array([12.0])}, "values[horizon_months]"),
        ({"cac_usd": np.array([[1.0, 2.0]])}, "values[cac_usd]: must be one value per path"),
        ({"cac_usd": np.array([1.0, 2.0]), "monthly_churn": np.array([0.1])}, "the same number of paths"),
        ({"cac_usd": np.array([1.0, -2.0])}, "values[cac_usd]: every value must be finite"),
        ({"monthly_churn": np.array([0.1, np.nan])}, "values[monthly_churn]"),
        ({"model_accuracy": np.array([1.2])}, "values[model_accuracy]"),
        ({"bass_p": np.array([0.6]), "bass_q": np.array([0.6])}, "values[bass_p] + values[bass_q]"),
        (
            {"monthly_churn": np.array([0.99])},
            "values[monthly_churn] + values[churn_at_minimum_accuracy_extra]",
        ),
    ],
)
def test_path_values_refuse_bad_input_naming_the_field(values: dict[str, np.ndarray], expected: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        path_values(base_template(), values)
    assert expected in str(caught.value)


def test_project_paths_refuses_unknown_columns() -> None:
    with pytest.raises(ScenarioError, match="unknown"):
        project_paths(base_template(), columns=["cash"])


@settings(max_examples=40, deadline=None)
@given(scenarios, st.lists(st.floats(0.0, 0.9), min_size=1, max_size=5), st.floats(0.0, 1.0))
def test_project_paths_matches_project_per_path(
    scenario: Scenario, churns: list[float], accuracy: float
) -> None:
    values = {"monthly_churn": np.array(churns), "model_accuracy": np.full(len(churns), accuracy)}
    cash = project_paths(scenario, values)["cash_usd"]
    for i, churn in enumerate(churns):
        single = scenario.with_values(monthly_churn=churn, model_accuracy=accuracy)
        np.testing.assert_allclose(cash[i], project(single)["cash_usd"].to_numpy(), rtol=1e-12, atol=1e-6)


def test_npv_agrees_with_numpy_financial() -> None:
    npf = pytest.importorskip("numpy_financial")
    scenario = base_template()
    flows = project(scenario)["operating_cash_flow_usd"].to_numpy()
    monthly = finance.monthly_rate(scenario.annual_discount_rate)
    # numpy_financial.npv discounts its first value at t = 0; our flows fall at month ends 1…H.
    expected = npf.npv(monthly, [0.0, *flows])
    assert finance.npv(flows, scenario.annual_discount_rate) == pytest.approx(expected, rel=1e-12)
    assert kpis(project(scenario), scenario).npv_usd == pytest.approx(expected, rel=1e-12)


# ---------------------------------------------------------------------- the bounds keep numbers finite

TINY = 5e-324  # the smallest positive float: churn, CAC or revenue this small make ratios overflow


@st.composite
def extreme_scenarios(draw: st.DrawFn) -> Scenario:
    """Scenarios whose fields sit at their bounds (or just above 0), with ranges spanning the bounds."""

    def extreme(name: str) -> float:
        low, high = FIELD_BOUNDS[name]
        choices = [low, high, low + (high - low) * draw(st.floats(0.0, 1.0))]
        if low == 0.0:
            choices.append(TINY)
        return draw(st.sampled_from(choices))

    values = {name: extreme(name) for name in RANGE_FIELDS}
    for a, b in JOINT_AT_MOST_ONE:
        values[b] = min(values[b], 1.0 - values[a])
    ranged = draw(st.lists(st.sampled_from(RANGE_FIELDS), unique=True, max_size=6))
    joint = {name for pair in JOINT_AT_MOST_ONE for name in pair}
    ranges = []
    for name in ranged:
        low, high = FIELD_BOUNDS[name]
        value = values[name]
        if name in joint or not low < high or value == high:
            continue
        if draw(st.booleans()) and value > 0.0:
            ranges.append(Range(name, min(value, max(TINY, value * 1e-6)), high, "lognormal"))
        else:
            ranges.append(Range(name, low, high, "triangular"))
    heads = draw(st.sampled_from([0.0, 1.0, MAX_HEADCOUNT]))
    horizon = draw(st.sampled_from([12, HORIZON_MAX_MONTHS]))
    most = (FundingRound(1, MAX_CASH_USD), FundingRound(horizon, MAX_CASH_USD))
    funding = draw(st.sampled_from([(), most]))
    return Scenario(
        horizon_months=horizon,
        headcount_by_month=(heads, MAX_HEADCOUNT - heads),
        retrain_every_months=draw(st.sampled_from([0, 1, HORIZON_MAX_MONTHS])),
        accuracy_link=AccuracyLink(minimum_viable_accuracy=0.5, delightful_accuracy=0.9),
        starting_cash_usd=draw(st.sampled_from([0.0, MAX_CASH_USD])),
        funding_rounds=funding,
        ranges=tuple(ranges),
        **values,
    )


def _finite_or_none(value: object) -> bool:
    return value is None or not isinstance(value, float) or math.isfinite(value)


@settings(max_examples=150, deadline=None)
@given(extreme_scenarios())
@np.errstate(over="raise", invalid="raise")
def test_no_valid_scenario_overflows(scenario: Scenario) -> None:
    frame = project(scenario)
    assert np.isfinite(frame.to_numpy()).all()
    k = kpis(frame, scenario)  # never raises
    for name in k.__dataclass_fields__:
        assert _finite_or_none(getattr(k, name)), (name, getattr(k, name))
    out = k.to_dict()
    json.dumps(out, allow_nan=False)
    for name, value in out.items():
        if value is None and name != "irr_reason":
            assert name in out["reasons"]
    result = simulate(scenario, paths=64, seed=1)
    for array in (result.npv_usd, result.cash_usd, result.revenue_usd, result.min_cash_usd):
        assert np.isfinite(array).all()
    json.dumps(result.summary(), allow_nan=False)


@pytest.mark.parametrize("rate", [-0.99, 10.0])
def test_the_largest_scenario_stays_finite(rate: float) -> None:
    top = {name: FIELD_BOUNDS[name][1] for name in RANGE_FIELDS}
    top.update(bass_q=0.0, churn_at_minimum_accuracy_extra=0.0, monthly_churn=TINY, annual_discount_rate=rate)
    scenario = Scenario(
        horizon_months=HORIZON_MAX_MONTHS,
        headcount_by_month=(MAX_HEADCOUNT,),
        retrain_every_months=1,
        starting_cash_usd=MAX_CASH_USD,
        funding_rounds=(FundingRound(HORIZON_MAX_MONTHS, MAX_CASH_USD),),
        **top,
    )
    frame = project(scenario)
    assert np.isfinite(frame.to_numpy()).all()
    k = kpis(frame, scenario)
    assert math.isfinite(k.npv_usd) and k.ltv_usd is None and k.reasons["ltv_usd"] == Reason("churn_tiny")
    json.dumps(k.to_dict(), allow_nan=False)
