"""The scenario model: the accuracy link, validation with named fields, JSON round trip, templates."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bizmodel.scenario import (
    TEMPLATES,
    AccuracyLink,
    FundingRound,
    Scenario,
    ScenarioError,
    base_template,
)

LINK = AccuracyLink(minimum_viable_accuracy=0.8, delightful_accuracy=0.95)


@pytest.mark.parametrize(
    ("accuracy", "expected"),
    [(0.0, 0.0), (0.5, 0.0), (0.8, 0.0), (0.875, 0.5), (0.95, 1.0), (0.99, 1.0), (1.0, 1.0)],
)
def test_accuracy_link_cases(accuracy: float, expected: float) -> None:
    assert LINK.factor(accuracy) == pytest.approx(expected)


@given(st.floats(0.0, 1.0), st.floats(0.0, 1.0))
def test_accuracy_link_is_monotone_and_bounded(a: float, b: float) -> None:
    low, high = sorted((a, b))
    f_low, f_high = LINK.factor(low), LINK.factor(high)
    assert 0.0 <= f_low <= f_high <= 1.0


def test_accuracy_link_vectorised() -> None:
    accuracies = np.linspace(0.0, 1.0, 101)
    factors = LINK.factor(accuracies)
    assert isinstance(factors, np.ndarray)
    assert factors.shape == accuracies.shape
    assert np.all(np.diff(factors) >= 0.0)
    assert factors.tolist() == [LINK.factor(float(a)) for a in accuracies]


@pytest.mark.parametrize(
    ("minimum", "delightful"), [(0.9, 0.9), (0.95, 0.8), (-0.1, 0.9), (0.5, 1.2), ("0.5", 0.9)]
)
def test_accuracy_link_refuses_bad_bounds(minimum: object, delightful: object) -> None:
    with pytest.raises(ScenarioError):
        AccuracyLink(minimum_viable_accuracy=minimum, delightful_accuracy=delightful)  # type: ignore[arg-type]


@pytest.mark.parametrize(("month", "amount"), [(0, 1.0), (1, 0.0), (1.5, 10.0), (121, 10.0), (3, -5.0)])
def test_funding_round_refuses_bad_values(month: object, amount: object) -> None:
    with pytest.raises(ScenarioError):
        FundingRound(month=month, amount_usd=amount)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"horizon_months": 11}, "horizon_months"),
        ({"horizon_months": 121}, "horizon_months"),
        ({"horizon_months": 24.5}, "horizon_months"),
        ({"market_size": -1}, "market_size"),
        ({"market_size": float("nan")}, "market_size"),
        ({"bass_p": -0.01}, "bass_p"),
        ({"bass_p": 0.6, "bass_q": 0.6}, "bass_p + bass_q"),
        ({"price_usd_per_user_month": -1.0}, "price_usd_per_user_month"),
        ({"price_usd_per_user_month": True}, "price_usd_per_user_month"),
        ({"usage_price_usd_per_1000_requests": float("inf")}, "usage_price_usd_per_1000_requests"),
        ({"requests_per_user_month": -5}, "requests_per_user_month"),
        ({"monthly_churn": 1.5}, "monthly_churn"),
        ({"monthly_churn": 0.7, "churn_at_minimum_accuracy_extra": 0.5}, "churn_at_minimum_accuracy_extra"),
        ({"cac_usd": -10}, "cac_usd"),
        ({"headcount_by_month": []}, "headcount_by_month"),
        ({"headcount_by_month": [1, -1]}, "headcount_by_month"),
        ({"headcount_by_month": [1] * 61}, "headcount_by_month"),
        ({"cost_per_head_usd_month": -1}, "cost_per_head_usd_month"),
        ({"data_cost_usd_per_sample": -0.1}, "data_cost_usd_per_sample"),
        ({"retrain_every_months": -1}, "retrain_every_months"),
        ({"retrain_every_months": 2.5}, "retrain_every_months"),
        ({"serving_usd_per_1000_predictions": -0.1}, "serving_usd_per_1000_predictions"),
        ({"model_accuracy": 1.1}, "model_accuracy"),
        ({"starting_cash_usd": -1}, "starting_cash_usd"),
        ({"funding_rounds": [{"month": 61, "amount_usd": 1.0}]}, "funding round"),
        ({"annual_discount_rate": -1.0}, "annual_discount_rate"),
        ({"accuracy_link": {"minimum_viable_accuracy": 0.97}}, "delightful_accuracy"),
        ({"unexpected": 1}, "unexpected"),
    ],
)
def test_bad_inputs_are_refused_naming_the_field(changes: dict[str, object], field: str) -> None:
    data = {**base_template().to_dict(), **changes}
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_dict(data)
    assert field in str(caught.value)


def test_every_problem_is_reported_at_once() -> None:
    data = {**base_template().to_dict(), "monthly_churn": -0.5, "cac_usd": -1, "model_accuracy": 3}
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_dict(data)
    assert len(caught.value.problems) == 3


def test_missing_field_is_named() -> None:
    data = base_template().to_dict()
    del data["cac_usd"]
    with pytest.raises(ScenarioError, match="cac_usd"):
        Scenario.from_dict(data)


def test_from_dict_refuses_a_non_object() -> None:
    with pytest.raises(ScenarioError):
        Scenario.from_dict([1, 2])


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_templates_round_trip_through_json(kind: str) -> None:
    scenario = TEMPLATES[kind]()
    text = json.dumps(scenario.to_dict(), allow_nan=False)
    again = Scenario.from_dict(json.loads(text))
    assert again == scenario
    assert hash(again) == hash(scenario)


def test_templates_order_bear_base_bull() -> None:
    bear, base, bull = (TEMPLATES[k]() for k in ("bear", "base", "bull"))
    assert bear.market_size < base.market_size < bull.market_size
    assert bear.monthly_churn > base.monthly_churn > bull.monthly_churn
    assert bear.accuracy_factor < base.accuracy_factor < bull.accuracy_factor


def test_effective_churn_follows_the_link() -> None:
    base = base_template()
    perfect = Scenario.from_dict({**base.to_dict(), "model_accuracy": 0.99})
    poor = Scenario.from_dict({**base.to_dict(), "model_accuracy": 0.5})
    assert perfect.effective_monthly_churn == pytest.approx(base.monthly_churn)
    assert poor.effective_monthly_churn == pytest.approx(
        base.monthly_churn + base.churn_at_minimum_accuracy_extra
    )
