"""Sensitivity levers and the tornado table: hand cases, validity at the extremes, directions."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bizmodel import finance
from bizmodel.projection import project
from bizmodel.scenario import TEMPLATES, Scenario, base_template
from bizmodel.sensitivity import (
    KINDS,
    LEVERS,
    TORNADO_COLUMNS,
    Lever,
    SensitivityError,
    tornado,
)

BY_KEY = {lever.key: lever for lever in LEVERS}


def npv_of(scenario: Scenario) -> float:
    flows = project(scenario)["operating_cash_flow_usd"].to_numpy()
    return float(finance.npv(flows, scenario.annual_discount_rate))


def test_levers_technical_and_business() -> None:
    technical = {lever.key for lever in LEVERS if lever.kind == "technical"}
    business = {lever.key for lever in LEVERS if lever.kind == "business"}
    assert technical == {"accuracy", "gpu_price", "mfu", "latency"}
    assert business == {"price", "churn", "cac", "adoption", "market", "team_cost"}
    assert len(BY_KEY) == len(LEVERS)
    for lever in LEVERS:
        assert lever.kind in KINDS
        assert lever.label and lever.description and lever.low_means and lever.high_means


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("accuracy", {"model_accuracy": 1.0 - 0.08 * 0.9}),
        ("gpu_price", {"retrain_cost_usd": 220.0, "serving_usd_per_1000_predictions": 0.022}),
        ("mfu", {"retrain_cost_usd": 200.0 / 1.1}),
        ("latency", {"serving_usd_per_1000_predictions": 0.022, "retrain_cost_usd": 200.0}),
        ("price", {"price_usd_per_user_month": 53.9, "usage_price_usd_per_1000_requests": 0.55}),
        ("churn", {"monthly_churn": 0.033}),
        ("cac", {"cac_usd": 330.0}),
        ("adoption", {"bass_p": 0.0033, "bass_q": 0.055}),
        ("market", {"market_size": 22_000.0}),
        ("team_cost", {"cost_per_head_usd_month": 13_200.0}),
    ],
)
def test_each_lever_by_hand_at_plus_ten_percent(key: str, expected: dict[str, float]) -> None:
    moved = BY_KEY[key].apply(base_template(), 0.10)
    for name, value in expected.items():
        assert getattr(moved, name) == pytest.approx(value, rel=1e-12), name


@pytest.mark.parametrize(
    ("key", "name", "low_value"),
    [
        ("accuracy", "model_accuracy", 1.0 - 0.08 * 1.1),  # low side: more errors
        ("mfu", "retrain_cost_usd", 200.0 / 0.9),  # low side: lower MFU, dearer retraining
        ("churn", "monthly_churn", 0.027),
    ],
)
def test_low_side_is_the_minus_change_move(key: str, name: str, low_value: float) -> None:
    assert getattr(BY_KEY[key].apply(base_template(), -0.10), name) == pytest.approx(low_value)


def _edge_scenarios() -> list[Scenario]:
    base = base_template()
    return [
        *(make() for make in TEMPLATES.values()),
        base.with_values(model_accuracy=1.0),
        base.with_values(model_accuracy=0.0),
        base.with_values(bass_p=0.4, bass_q=0.6, ranges=()),
        base.with_values(monthly_churn=0.95, churn_at_minimum_accuracy_extra=0.05, ranges=()),
        base.with_values(market_size=1e10, ranges=()),
        base.with_values(price_usd_per_user_month=0.0, usage_price_usd_per_1000_requests=0.0, ranges=()),
    ]


@pytest.mark.parametrize("lever", LEVERS, ids=lambda lever: lever.key)
@pytest.mark.parametrize("change", [-0.9, -0.5, -0.1, 0.1, 0.5, 0.9])
def test_every_lever_gives_a_valid_scenario_up_to_ninety_percent(lever: Lever, change: float) -> None:
    for scenario in _edge_scenarios():
        moved = lever.apply(scenario, change)
        assert Scenario.from_dict(moved.to_dict()) == moved  # validated again on the way back
        for r in moved.ranges:
            assert r.low <= getattr(moved, r.field) <= r.high
        assert moved.bass_p + moved.bass_q <= 1.0 + 1e-12
        assert moved.monthly_churn + moved.churn_at_minimum_accuracy_extra <= 1.0 + 1e-12
        assert np.isfinite(project(moved).to_numpy()).all()


def test_apply_drops_a_range_that_no_longer_holds_the_value() -> None:
    base = base_template()  # churn 3 %, range 2–5 %
    assert BY_KEY["churn"].apply(base, 0.5).range_of("monthly_churn") is not None  # 4.5 %
    assert BY_KEY["churn"].apply(base, 0.9).range_of("monthly_churn") is None  # 5.7 %
    assert BY_KEY["churn"].apply(base, 0.9).range_of("cac_usd") == base.range_of("cac_usd")


def test_adoption_keeps_p_plus_q_at_most_one() -> None:
    scenario = base_template().with_values(bass_p=0.2, bass_q=0.7, ranges=())
    moved = BY_KEY["adoption"].apply(scenario, 0.5)
    assert moved.bass_p + moved.bass_q == pytest.approx(1.0)
    assert moved.bass_q / moved.bass_p == pytest.approx(3.5)


@pytest.mark.parametrize("change", [-1.0, -2.0, math.nan, math.inf, True, "0.1", None])
def test_apply_refuses_impossible_changes(change: Any) -> None:
    with pytest.raises(SensitivityError, match="change"):
        BY_KEY["price"].apply(base_template(), change)


@pytest.mark.parametrize("change", [0.0, -0.1, 0.91, 1.5, math.nan, True, "0.1"])
def test_tornado_refuses_a_change_outside_zero_to_ninety_percent(change: Any) -> None:
    with pytest.raises(SensitivityError, match="change"):
        tornado(base_template(), change=change)


def test_a_lever_needs_a_known_kind() -> None:
    with pytest.raises(SensitivityError, match="kind"):
        Lever("x", "X", "financial", "nothing", lambda s, c: {})


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_tornado_frame(kind: str) -> None:
    scenario = TEMPLATES[kind]()
    frame = tornado(scenario, change=0.2)
    assert tuple(frame.columns) == TORNADO_COLUMNS
    assert len(frame) == len(LEVERS) and set(frame["key"]) == set(BY_KEY)
    assert frame.index.tolist() == list(range(len(LEVERS)))
    swings = frame["npv_swing_usd"].to_numpy()
    assert (np.diff(swings) <= 0.0).all()
    assert (frame["low_change"] == -0.2).all() and (frame["high_change"] == 0.2).all()
    np.testing.assert_allclose(swings, (frame["npv_high_usd"] - frame["npv_low_usd"]).abs())
    assert (frame["npv_base_usd"] == npv_of(scenario)).all()
    for row in frame.itertuples():
        lever = BY_KEY[row.key]
        assert row.label == lever.label and row.kind == lever.kind
        assert row.npv_low_usd == pytest.approx(npv_of(lever.apply(scenario, -0.2)), rel=1e-12)
        assert row.npv_high_usd == pytest.approx(npv_of(lever.apply(scenario, 0.2)), rel=1e-12)
        flows = project(lever.apply(scenario, 0.2))["operating_cash_flow_usd"].to_numpy()
        be = finance.break_even_month(flows)
        assert math.isnan(row.break_even_high) if be is None else row.break_even_high == be
    for column in ("break_even_low", "break_even_high", "break_even_base"):
        assert frame[column].dtype == np.float64


def test_tornado_ties_keep_the_levers_order() -> None:
    # Nobody adopts below minimum-viable accuracy: the technical serving levers and the market
    # levers all have zero swing, and keep their order among themselves.
    scenario = base_template().with_values(model_accuracy=0.5)
    frame = tornado(scenario)
    zero = frame[frame["npv_swing_usd"] == 0.0]["key"].tolist()
    assert zero == [lever.key for lever in LEVERS if lever.key in zero]
    assert {"accuracy", "latency", "price", "churn", "adoption", "market"} <= set(zero)


def test_tornado_with_chosen_levers() -> None:
    frame = tornado(base_template(), levers=[BY_KEY["mfu"], BY_KEY["price"]])
    assert frame["key"].tolist() == ["price", "mfu"]
    assert len(tornado(base_template(), levers=[])) == 0


@pytest.mark.parametrize(
    ("accuracy", "zero_swing"),
    [
        (0.97, True),  # 0.967–0.973: above delightful (95 %) on both sides, the link is flat at 1
        (1.0, True),  # no errors to remove or add
        (0.5, True),  # 0.45–0.55: below minimum viable (80 %) on both sides, flat at 0
        (0.875, False),  # the steep middle of the link
        (0.95, False),  # exactly delightful: only the low side (more errors) leaves the flat part
    ],
)
def test_accuracy_lever_is_flat_where_the_link_is(accuracy: float, zero_swing: bool) -> None:
    # Without human review (each error avoided is a review less) accuracy acts through the link alone;
    # without the other per-customer costs the customers it wins pay back within the horizon.
    lean = {
        "review_per_error": 0.0,
        "hosting_usd_per_customer_month": 0.0,
        "support_usd_per_customer_month": 0.0,
        "payment_fee_share": 0.0,
        "payment_fee_usd_per_customer_month": 0.0,
    }
    scenario = base_template().with_values(model_accuracy=accuracy, **lean)
    row = tornado(scenario, change=0.10).set_index("key").loc["accuracy"]
    assert bool(row["npv_swing_usd"] == 0.0) is zero_swing
    if accuracy >= scenario.accuracy_link.delightful_accuracy:
        assert row["npv_high_usd"] == row["npv_base_usd"]  # fewer errors buy nothing above delightful
    if not zero_swing:
        assert row["npv_high_usd"] > row["npv_low_usd"]  # fewer errors: more customers, more NPV


def test_cheaper_compute_never_lowers_npv() -> None:
    frame = tornado(base_template()).set_index("key")
    for key in ("gpu_price", "latency"):
        assert frame.loc[key, "npv_low_usd"] >= frame.loc[key, "npv_high_usd"]
    assert frame.loc["mfu", "npv_high_usd"] >= frame.loc["mfu", "npv_low_usd"]


# ---------------------------------------------------------------------- properties

varied = st.builds(
    lambda market, p, q, price, churn, cac, accuracy, serving, rate: base_template().with_values(
        market_size=market,
        bass_p=p,
        bass_q=q,
        price_usd_per_user_month=price,
        monthly_churn=churn,
        cac_usd=cac,
        model_accuracy=accuracy,
        serving_usd_per_1000_predictions=serving,
        annual_discount_rate=rate,
    ),
    st.floats(0.0, 1e6),
    st.floats(0.0, 0.3),
    st.floats(0.0, 0.5),
    st.floats(0.0, 300.0),
    st.floats(0.0, 0.9),
    st.floats(0.0, 2000.0),
    st.floats(0.0, 1.0),
    st.floats(0.0, 1.0),
    st.floats(-0.5, 1.0),
)


@settings(max_examples=60, deadline=None)
@given(varied, st.floats(0.01, 0.9))
def test_more_churn_never_raises_npv(scenario: Scenario, change: float) -> None:
    # Holds whenever a customer's monthly contribution is non-negative: churn does not change who
    # adopts (acquisition spend is the same), only how long customers keep paying.
    assume(scenario.revenue_usd_per_user_month >= scenario.variable_cost_usd_per_user_month)
    lever = BY_KEY["churn"]
    base, more = npv_of(scenario), npv_of(lever.apply(scenario, change))
    assert more <= base + 1e-9 * max(1.0, abs(base))
    row = tornado(scenario, change=change, levers=[lever]).iloc[0]
    assert row["npv_high_usd"] <= row["npv_low_usd"] + 1e-9 * max(1.0, abs(base))


@settings(max_examples=60, deadline=None)
@given(varied, st.floats(0.01, 0.9))
def test_higher_price_with_adoption_fixed_raises_npv(scenario: Scenario, change: float) -> None:
    dearer = BY_KEY["price"].apply(scenario, change)
    before, after = project(scenario), project(dearer)
    # Price does not move adoption in this model: the same customers pay more.
    np.testing.assert_array_equal(before["active_customers"], after["active_customers"])
    base, higher = npv_of(scenario), npv_of(dearer)
    if before["revenue_usd"].sum() > 1e-6:
        assert higher > base
    else:
        assert higher == pytest.approx(base, abs=1e-6)
