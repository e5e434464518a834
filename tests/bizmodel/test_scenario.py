"""The scenario model: the accuracy link, validation with named fields, JSON round trip, templates."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bizmodel.accuracy_link import AccuracyLink
from bizmodel.scenario import TEMPLATES, FundingRound, Scenario, base_template
from bizmodel.scenario_bounds import DISTRIBUTIONS, FIELD_BOUNDS, MAX_CASH_USD, RANGE_FIELDS, ScenarioError
from bizmodel.scenario_ranges import Range
from tests.support.economics import FOUR_MISTAKES

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


# ---------------------------------------------------------------------- ranges


def test_range_fields_are_float_fields_with_bounds() -> None:
    assert set(RANGE_FIELDS) == set(FIELD_BOUNDS)
    assert DISTRIBUTIONS == ("triangular", "lognormal")
    s = base_template()
    for name in RANGE_FIELDS:
        assert isinstance(getattr(s, name), int | float)


def _with_ranges(*ranges: object, **changes: object) -> dict[str, object]:
    return {**base_template().to_dict(), **changes, "ranges": list(ranges)}


def _r(name: str, low: object, high: object, distribution: str = "triangular") -> dict[str, object]:
    return {"field": name, "low": low, "high": high, "distribution": distribution}


NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize(
    ("ranges", "expected"),
    [
        (
            [_r("monthly_churn", 0.05, 0.08)],
            "ranges[monthly_churn]: low must be at most the value 0.03; got 0.05",
        ),
        ([_r("monthly_churn", 0.01, 0.02)], "ranges[monthly_churn]: high must be at least the value 0.03"),
        ([_r("monthly_churn", -0.01, 0.05)], "ranges[monthly_churn]: low must be at least 0"),
        ([_r("monthly_churn", 0.01, 1.5)], "ranges[monthly_churn]: high must be at most 1"),
        ([_r("model_accuracy", 0.9, 1.01)], "ranges[model_accuracy]: high must be at most 1"),
        ([_r("bass_q", 0.01, 1.2)], "ranges[bass_q]: high must be at most 1"),
        ([_r("bass_q", 0.01, 0.999)], "ranges[bass_q]: the highest bass_p + bass_q"),
        ([_r("cac_usd", -5.0, 500.0)], "ranges[cac_usd]: low must be at least 0"),
        ([_r("annual_discount_rate", -1.5, 0.2)], "ranges[annual_discount_rate]: low must be at least -0.99"),
        ([_r("annual_discount_rate", 0.1, 11.0)], "ranges[annual_discount_rate]: high must be at most 10"),
        ([_r("cac_usd", 500.0, 300.0)], "ranges[cac_usd]: low must be below high"),
        ([_r("cac_usd", 400.0, 400.0)], "ranges[cac_usd]: low must be below high"),
        ([_r("cac_usd", NAN, 500.0)], "ranges[cac_usd]: low must be a number"),
        ([_r("cac_usd", 100.0, INF)], "ranges[cac_usd]: high must be a number"),
        ([_r("cac_usd", "100", 500.0)], "ranges[cac_usd]: low must be a number"),
        ([_r("cac_usd", 0.0, 500.0, "lognormal")], "ranges[cac_usd]: a lognormal range needs low above 0"),
        ([_r("cac_usd", 100.0, 500.0, "uniform")], "ranges[cac_usd]: distribution must be one of"),
        (
            [_r("horizon_months", 12, 60)],
            "ranges[horizon_months]: 'horizon_months' cannot carry a range; ranges go on market_size",
        ),
        ([_r("nonsense", 1.0, 2.0)], "ranges[nonsense]: 'nonsense' cannot carry a range"),
        (
            [_r("cac_usdd", 1.0, 2.0)],
            "ranges[cac_usdd]: 'cac_usdd' cannot carry a range; did you mean cac_usd?",
        ),
        ([_r("cac_usd", 300.0, 500.0), _r("cac_usd", 350.0, 450.0)], "ranges[cac_usd]: the field has two"),
        ([{"field": "cac_usd", "low": 300.0}], "a range lacks 'high'"),
        ([{**_r("cac_usd", 300.0, 500.0), "mode": 400.0}], "a range has an unknown field 'mode'"),
        ("cac", "ranges must be a list"),
    ],
)
def test_bad_ranges_are_refused_naming_the_field(ranges: object, expected: str) -> None:
    data = {**base_template().to_dict(), "ranges": ranges}
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_dict(data)
    assert expected in str(caught.value)


def test_every_range_problem_and_field_problem_is_reported_at_once() -> None:
    data = _with_ranges(
        {"field": "cac_usd", "low": 500.0, "high": 300.0},
        {"field": "bass_q", "low": 0.01, "high": 0.02},
        {"field": "market_size", "low": 0.0, "high": 5.0, "distribution": "lognormal"},
        monthly_churn=-1.0,
    )
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_dict(data)
    text = str(caught.value)
    for name in ("ranges[cac_usd]", "ranges[bass_q]", "ranges[market_size]", "monthly_churn"):
        assert name in text


def test_range_round_trip_and_defaults() -> None:
    r = Range.from_dict({"field": "cac_usd", "low": 100.0, "high": 500.0})
    assert r.distribution == "triangular"
    assert Range.from_dict(r.to_dict()) == r
    assert Range.from_dict({**r.to_dict(), "distribution": "lognormal"}).distribution == "lognormal"


def test_old_documents_without_ranges_still_load() -> None:
    data = base_template().to_dict()
    del data["ranges"]
    scenario = Scenario.from_dict(data)
    assert scenario.ranges == ()
    assert scenario == base_template().with_values(ranges=())


def test_ranges_accept_a_list_and_store_a_tuple() -> None:
    scenario = base_template().with_values(ranges=[Range("cac_usd", 100.0, 500.0)])
    assert scenario.ranges == (Range("cac_usd", 100.0, 500.0),)
    hash(scenario)


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_templates_carry_valid_default_ranges(kind: str) -> None:
    scenario = TEMPLATES[kind]()
    fields = {r.field: r for r in scenario.ranges}
    assert {"monthly_churn", "cac_usd", "bass_q", "price_usd_per_user_month", "market_size"} <= set(fields)
    assert fields["market_size"].distribution == "lognormal"
    market = fields["market_size"]
    assert np.sqrt(market.low * market.high) == pytest.approx(scenario.market_size)
    for r in scenario.ranges:
        assert r.low <= getattr(scenario, r.field) <= r.high


@pytest.mark.parametrize(
    ("changes", "kept"),
    [
        ({"monthly_churn": 0.04}, True),  # inside 2–5 %: the range stays
        ({"monthly_churn": 0.02}, True),  # on the edge: stays
        ({"monthly_churn": 0.06}, False),  # outside: dropped
        ({"cac_usd": 100.0}, True),  # another field: the churn range is untouched
    ],
)
def test_with_values_drops_only_ranges_that_no_longer_hold(changes: dict[str, float], kept: bool) -> None:
    base = base_template()
    changed = base.with_values(**changes)
    for name, value in changes.items():
        assert getattr(changed, name) == value
    assert (changed.range_of("monthly_churn") is not None) is kept
    assert len(changed.ranges) == len(base.ranges) - (not kept) - (
        "cac_usd" in changes and base.range_of("cac_usd") is not None
    )


def test_with_values_revalidates() -> None:
    with pytest.raises(ScenarioError, match="monthly_churn"):
        base_template().with_values(monthly_churn=1.5)
    with pytest.raises(ScenarioError, match=r"ranges\[cac_usd\]: low must be at most the value 300"):
        base_template().with_values(ranges=[Range("cac_usd", 500.0, 900.0)])  # given ranges are kept


def test_with_values_drops_a_partner_range_that_breaks_the_joint_bound() -> None:
    scenario = base_template().with_values(ranges=[Range("bass_q", 0.03, 0.6)])
    moved = scenario.with_values(bass_p=0.45)  # 0.45 + 0.6 > 1: the q range can no longer hold
    assert moved.bass_p == 0.45
    assert moved.range_of("bass_q") is None


@given(st.sampled_from(RANGE_FIELDS), st.floats(0.0, 1.0))
def test_with_values_inside_the_bounds_always_gives_a_valid_scenario(name: str, a: float) -> None:
    base = base_template()
    low, high = FIELD_BOUNDS[name]
    value = low + a * (high - low)
    if name in ("bass_p", "bass_q"):
        value = min(value, 1.0 - getattr(base, "bass_q" if name == "bass_p" else "bass_p"))
    if name in ("monthly_churn", "churn_at_minimum_accuracy_extra"):
        other = "churn_at_minimum_accuracy_extra" if name == "monthly_churn" else "monthly_churn"
        value = min(value, 1.0 - getattr(base, other))
    changed = base.with_values(**{name: value})
    assert getattr(changed, name) == value
    for r in changed.ranges:
        assert r.low <= getattr(changed, r.field) <= r.high


def test_an_incomplete_document_still_names_its_invalid_fields() -> None:
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_dict({"horizon_months": 5, "monthly_churn": 2, "foo": 1})
    problems = caught.value.problems
    assert any("unknown field 'foo'" in p for p in problems)
    assert any(p.startswith("horizon_months must be") for p in problems)
    assert any(p.startswith("monthly_churn must be") for p in problems)
    assert any("lacks 'market_size'" in p for p in problems)
    assert not any(p.startswith("headcount_by_month") for p in problems)  # not in the document


# ---------------------------------------------------------------------- every problem, nested ones too


def test_nested_problems_are_reported_with_every_other_problem() -> None:
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_dict(json.loads(json.dumps(FOUR_MISTAKES)))
    problems = caught.value.problems
    expected = [
        "monthly_churn must be at least 0 and at most 1; got 2",
        "cac_usd must be a number, got 'x'",
        "accuracy_link: delightful_accuracy must be above minimum_viable_accuracy",
        "funding_rounds[1]: month must be at least 1",
        "funding_rounds[1]: amount_usd must be above 0",
    ]
    for text in expected:
        assert sum(p.startswith(text) for p in problems) == 1, (text, problems)
    assert len(problems) >= 5


def test_nested_problems_name_the_item() -> None:
    rounds = [
        {"month": 3, "amount_usd": 10.0},
        {"month": 4},
        "soon",
        {"month": 5, "amount_usd": 1.0, "currency": "EUR"},
        {"month": 70, "amount_usd": 1.0},
    ]
    data = {**base_template().to_dict(), "funding_rounds": rounds, "accuracy_link": [0.8, 0.95]}
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_dict(data)
    text = "\n".join(caught.value.problems)
    assert "funding_rounds[1]" not in text  # the valid round
    assert "funding_rounds[2] lacks 'amount_usd'" in text
    assert "funding_rounds[3] must be a JSON object" in text
    assert "funding_rounds[4] has an unknown field 'currency'" in text
    assert "funding_rounds: a funding round falls in month 70, after horizon_months (60)" in text
    assert "accuracy_link must be a JSON object" in text


def test_an_incomplete_document_names_its_nested_problems() -> None:
    link = {"minimum_viable_accuracy": 0.95, "delightful_accuracy": 0.8}
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_dict({"accuracy_link": link, "funding_rounds": [{"month": 0, "amount_usd": 1.0}]})
    problems = caught.value.problems
    assert any(p.startswith("accuracy_link: delightful_accuracy") for p in problems)
    assert any(p.startswith("funding_rounds[1]: month") for p in problems)
    assert any("lacks 'market_size'" in p for p in problems)


def test_bad_ranges_and_nested_problems_come_together() -> None:
    data = {
        **FOUR_MISTAKES,
        "ranges": [{"field": "cac_usd", "low": 1.0}, {"field": "bass_q", "low": 0.5, "high": 0.9}],
    }
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_dict(data)
    text = "\n".join(caught.value.problems)
    for name in ("ranges: a range lacks 'high'", "ranges[bass_q]: low must be at most", "accuracy_link:"):
        assert name in text
    assert "funding_rounds[1]:" in text and "cac_usd must be a number" in text


# ---------------------------------------------------------------------- production, cost of revenue, terminal

LATER_FIELDS = {
    "production_data_factor": 0.0,
    "production_model_factor": 0.0,
    "use_run_spread": False,
    "hosting_usd_per_customer_month": 4.0,
    "support_usd_per_customer_month": 4.0,
    "review_per_error": 1.0,
    "payment_fee_share": 0.029,
    "payment_fee_usd_per_customer_month": 0.30,
    "terminal_value": "exit_multiple",
    "terminal_growth": 0.03,
    "exit_multiple_arr": 4.0,
}


def test_later_fields_default_round_trip_and_old_documents_load() -> None:
    base = base_template()
    data = base.to_dict()
    for name, default in LATER_FIELDS.items():
        assert getattr(base, name) == default and data[name] == default, name
    changed = base.with_values(
        production_data_factor=1000.0, use_run_spread=True, terminal_value="gordon", review_per_error=0.5
    )
    text = json.dumps(changed.to_dict(), allow_nan=False)
    assert '"use_run_spread": true' in text and '"terminal_value": "gordon"' in text
    assert Scenario.from_dict(json.loads(text)) == changed
    old = base.to_dict()
    for name in LATER_FIELDS:
        del old[name]
    assert Scenario.from_dict(old) == base
    for kind in TEMPLATES:
        for name, default in LATER_FIELDS.items():
            assert getattr(TEMPLATES[kind](), name) == default, (kind, name)


@pytest.mark.parametrize(
    ("scale", "data_factor", "model_factor"),
    [
        (1.0, 0.0, 0.0),  # 1 meant "not set": derived
        (1000.0, 1000.0, 1.0),  # the same training FLOPs: 1,000× the samples on the run's model
        (0.5, 0.5, 1.0),
    ],
)
def test_a_document_with_the_earlier_retraining_scale_loads(
    scale: float, data_factor: float, model_factor: float
) -> None:
    old = {k: v for k, v in base_template().to_dict().items() if k not in LATER_FIELDS}
    loaded = Scenario.from_dict({**old, "run_retrain_scale": scale})
    assert (loaded.production_data_factor, loaded.production_model_factor) == (data_factor, model_factor)
    assert "run_retrain_scale" not in loaded.to_dict()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"production_data_factor": -2.0}, "production_data_factor must be"),
        ({"production_data_factor": 2e9}, "production_data_factor must be"),
        ({"production_model_factor": "10"}, "production_model_factor must be a number"),
        ({"production_model_factor": True}, "production_model_factor must be a number"),
        ({"use_run_spread": 1}, "use_run_spread must be true or false"),
        ({"use_run_spread": "true"}, "use_run_spread must be true or false"),
        ({"use_run_spread": None}, "use_run_spread must be true or false"),
        ({"use_run_spread": np.bool_(True)}, "use_run_spread must be true or false"),
        ({"hosting_usd_per_customer_month": -1.0}, "hosting_usd_per_customer_month must be"),
        ({"support_usd_per_customer_month": float("nan")}, "support_usd_per_customer_month must be"),
        ({"payment_fee_share": 0.6}, "payment_fee_share must be"),
        ({"payment_fee_usd_per_customer_month": 1e300}, "payment_fee_usd_per_customer_month must be"),
        ({"review_per_error": 101.0}, "review_per_error must be"),
        ({"terminal_value": "dcf"}, "terminal_value must be one of gordon, exit_multiple, none"),
        ({"terminal_value": 3}, "terminal_value must be one of"),
        ({"terminal_growth": 0.9}, "terminal_growth must be"),
        ({"exit_multiple_arr": -1.0}, "exit_multiple_arr must be"),
        ({"exit_multiple_arr": 1e4}, "exit_multiple_arr must be"),
    ],
)
def test_later_fields_are_checked(changes: dict[str, object], expected: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        Scenario.from_dict({**base_template().to_dict(), **changes})
    assert expected in str(caught.value)


def test_variable_cost_per_customer_adds_every_line() -> None:
    s = base_template()
    arpu = 49.0 + 2_000 * 0.5 / 1000
    review = 2_000 * (1 - 0.92) * 1.0 * 0.05
    payment = arpu * 0.029 + 0.30
    expected = 2_000 * 0.02 / 1000 + review + 4.0 + 4.0 + payment
    assert s.review_usd_per_user_month == pytest.approx(review)
    assert s.variable_cost_usd_per_user_month == pytest.approx(expected)
    free = s.with_values(
        review_per_error=0.0,
        hosting_usd_per_customer_month=0.0,
        support_usd_per_customer_month=0.0,
        payment_fee_share=0.0,
        payment_fee_usd_per_customer_month=0.0,
    )
    assert free.variable_cost_usd_per_user_month == pytest.approx(s.serving_usd_per_user_month)


# ---------------------------------------------------------------------- finite bounds


def test_every_bound_is_finite() -> None:
    for name, (low, high) in FIELD_BOUNDS.items():
        assert high is not None and np.isfinite(high) and low < high, name


@pytest.mark.parametrize(
    "changes",
    [
        {"price_usd_per_user_month": 1e306},
        {"usage_price_usd_per_1000_requests": 1e7},
        {"requests_per_user_month": 2e9},
        {"cac_usd": 1e306},
        {"cost_per_head_usd_month": 1e8},
        {"other_fixed_usd_month": 1e13},
        {"data_samples_per_month": 1e13},
        {"data_cost_usd_per_sample": 1e7},
        {"retrain_cost_usd": 1e13},
        {"serving_usd_per_1000_predictions": 1e7},
        {"market_size": 1e11},
        {"starting_cash_usd": 1e306},
        {"headcount_by_month": [1, 2e6]},
    ],
)
def test_huge_values_are_refused(changes: dict[str, object]) -> None:
    name = next(iter(changes))
    with pytest.raises(ScenarioError, match=f"{name}.*at most"):
        Scenario.from_dict({**base_template().to_dict(), **changes})


def test_a_huge_funding_round_is_refused() -> None:
    data = {**base_template().to_dict(), "funding_rounds": [{"month": 2, "amount_usd": 10 * MAX_CASH_USD}]}
    with pytest.raises(ScenarioError, match=r"funding_rounds\[1\]: amount_usd must be above 0 and at most"):
        Scenario.from_dict(data)
    with pytest.raises(ScenarioError, match=r"ranges\[cac_usd\]: high must be at most"):
        base_template().with_values(ranges=[Range("cac_usd", 100.0, 1e306)])
