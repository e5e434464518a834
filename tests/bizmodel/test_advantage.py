"""The economic-advantage scorecard and the value of accuracy: hand-checked cases and properties."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bizmodel.accuracy_link import AccuracyLink
from bizmodel.advantage import (
    CATEGORIES,
    AdvantageError,
    CompetitorBaseline,
    ScoreItem,
    scorecard,
    scorecard_frame,
    value_of_accuracy,
)
from bizmodel.binding import RunInputs, bind
from bizmodel.projection import kpis, project
from bizmodel.reasons import Reason
from bizmodel.scenario import Scenario, base_template
from tests.support.economics import batch_run

COMPETITOR = CompetitorBaseline(usd_per_1000_predictions=0.05, accuracy=0.90, p95_latency_ms=40.0)
RUN = RunInputs(
    run_id="run-1",
    run_name="demo",
    model_accuracy=0.93,
    retrain_cost_usd=12.0,
    retrain_detail="run run-1: priced",
    serving_usd_per_1000_predictions=0.004,
    serving_detail="run run-1: measured",
    accuracy_range=None,
    serving_range=None,
    accuracy_detail="run run-1: test accuracy 0.93 (measured)",
    serving_p95_ms=10.0,
)


def with_accuracy(accuracy: float, scenario: Scenario | None = None) -> Scenario:
    return (scenario or base_template()).with_values(model_accuracy=accuracy)


#: The base template without the cost of revenue that follows a customer beyond serving.
LEAN = {
    "review_per_error": 0.0,
    "hosting_usd_per_customer_month": 0.0,
    "support_usd_per_customer_month": 0.0,
    "payment_fee_share": 0.0,
    "payment_fee_usd_per_customer_month": 0.0,
}


def lean(accuracy: float) -> Scenario:
    return with_accuracy(accuracy, base_template().with_values(**LEAN))


def cash(s: Scenario) -> float:
    return float(project(s)["operating_cash_flow_usd"].sum())


@pytest.mark.parametrize("accuracy", [0.82, 0.87, 0.92, 0.94])
def test_value_positive_between_minimum_and_delightful(accuracy: float) -> None:
    s = lean(accuracy)  # link 0.80 … 0.95; a customer's contribution ≈ its ARPU
    v = value_of_accuracy(s)
    assert v.usd_per_point_year > 0 and v.reason is None
    assert v.factor_up > v.factor_base
    expected = (cash(lean(accuracy + 0.01)) - cash(s)) / (s.horizon_months / 12)
    assert v.usd_per_point_year == pytest.approx(expected)


def test_a_negative_value_says_why() -> None:
    # With the base case's cost of revenue a customer contributes $32 a month against a $400 CAC:
    # the customers one more point wins near the start of adoption do not pay back within 60 months.
    v = value_of_accuracy(with_accuracy(0.82))
    assert v.usd_per_point_year < 0
    assert v.reason is not None and v.reason.code == "voa_negative"
    assert v.reason.params["acquisition_usd"] > v.reason.params["margin_usd"]  # type: ignore[operator]
    free = base_template().with_values(price_usd_per_user_month=0.0, cac_usd=0.0, model_accuracy=0.85)
    losing = value_of_accuracy(free)
    assert losing.usd_per_point_year < 0 and losing.reason is not None
    assert losing.reason.code == "voa_customers_lose"
    assert losing.reason.params["cost_usd"] >= losing.reason.params["arpu_usd"]  # type: ignore[operator]


def test_review_makes_accuracy_worth_something_beyond_the_link() -> None:
    # At or above delightful the link is flat, but each error avoided is a review less.
    v = value_of_accuracy(with_accuracy(0.96))
    assert v.usd_per_point_year > 0 and v.reason is None
    assert v.factor_up == v.factor_base == 1.0
    expected = (cash(with_accuracy(0.97)) - cash(with_accuracy(0.96))) / 5
    assert v.usd_per_point_year == pytest.approx(expected)


def test_value_scales_per_point() -> None:
    s = with_accuracy(0.85)
    two = value_of_accuracy(s, points=2.0)
    expected = (cash(with_accuracy(0.87)) - cash(s)) / 5 / 2
    assert two.points == 2.0 and two.usd_per_point_year == pytest.approx(expected)


@pytest.mark.parametrize(
    ("accuracy", "reason"),
    [
        (0.95, "voa_delightful"),
        (0.97, "voa_delightful"),
        (1.0, "voa_full"),
        (0.70, "voa_unviable"),
        (0.79, "voa_unviable"),
    ],
)
def test_value_is_zero_with_a_reason_where_the_link_is_flat(accuracy: float, reason: str) -> None:
    v = value_of_accuracy(lean(accuracy))
    assert v.usd_per_point_year == 0.0
    assert v.reason is not None and v.reason.code == reason


def test_accuracy_is_clipped_at_one() -> None:
    s = with_accuracy(0.995).with_values(
        accuracy_link=AccuracyLink(minimum_viable_accuracy=0.9, delightful_accuracy=1.0)
    )
    v = value_of_accuracy(s, points=1.0)
    assert v.points == pytest.approx(0.5) and v.factor_up == 1.0
    expected = (cash(s.with_values(model_accuracy=1.0)) - cash(s)) / 5 / 0.5
    assert v.usd_per_point_year == pytest.approx(expected)


@pytest.mark.parametrize("points", [0.0, -1.0, math.nan, math.inf])
def test_bad_points(points: float) -> None:
    with pytest.raises(AdvantageError):
        value_of_accuracy(base_template(), points=points)


@st.composite
def paying_scenarios(draw: st.DrawFn) -> Scenario:
    """Scenarios without acquisition cost whose cost of revenue per customer is at most the price
    (each of the five per-customer lines at most a fifth of it, at any accuracy), so that every
    extra customer adds margin."""
    minimum = draw(st.floats(0.0, 0.9))
    price = draw(st.floats(0.0, 500.0))

    def share() -> float:
        return draw(st.floats(0.0, 0.2))

    return Scenario.from_dict(
        {
            **base_template().to_dict(),
            "horizon_months": draw(st.integers(12, 60)),
            "headcount_by_month": [3],
            "funding_rounds": [],
            "model_accuracy": draw(st.floats(0.0, 1.0)),
            "accuracy_link": {
                "minimum_viable_accuracy": minimum,
                "delightful_accuracy": min(1.0, minimum + draw(st.floats(0.01, 0.5))),
            },
            "bass_p": draw(st.floats(0.0, 0.2)),
            "bass_q": draw(st.floats(0.0, 0.5)),
            "monthly_churn": draw(st.floats(0.0, 0.3)),
            "churn_at_minimum_accuracy_extra": draw(st.floats(0.0, 0.3)),
            "price_usd_per_user_month": price,
            "usage_price_usd_per_1000_requests": 0.0,
            "serving_usd_per_1000_predictions": share() * price * 1000.0 / 2000.0,
            "review_per_error": share() * price / (2000.0 * 0.05),  # every request wrong at accuracy 0
            "hosting_usd_per_customer_month": share() * price,
            "support_usd_per_customer_month": share() * price,
            "payment_fee_share": share() / 2,
            "payment_fee_usd_per_customer_month": share() * price / 2,
            "cac_usd": 0.0,
            "ranges": [],
        }
    )


@settings(max_examples=60)
@given(paying_scenarios(), st.floats(0.01, 20.0))
def test_value_of_accuracy_is_never_negative_when_customers_pay_their_way(s: Scenario, points: float) -> None:
    # More accuracy brings more customers, sooner, who stay longer (the adoption factor rises and the
    # extra churn falls); with no acquisition cost each of them adds margin, so the value is ≥ 0.
    v = value_of_accuracy(s, points=points)
    assert v.usd_per_point_year >= -1e-6
    if v.reason is not None:
        assert v.usd_per_point_year == 0.0


# ---------------------------------------------------------------------- the scorecard


def card(scenario: Scenario | None = None, **kwargs: Any) -> dict[str, ScoreItem]:
    s = scenario or base_template()
    items = scorecard(s, kpis(project(s), s), competitor=kwargs.pop("competitor", COMPETITOR), **kwargs)
    return {item.key: item for item in items}


def test_all_four_categories_each_item_with_provenance() -> None:
    items = card(samples_owned=50_000, accuracy_gain_points_per_usd_1000=0.3)
    assert {i.category for i in items.values()} == set(CATEGORIES)
    for item in items.values():
        assert item.provenance in {"measured", "catalog", "assumed"}
        assert item.detail
        if item.value is None or item.favourable is None:
            assert item.reason, item.key
    frame = scorecard_frame(tuple(items.values()))
    assert len(frame) == len(items)
    json.dumps([i.to_dict() for i in items.values()], allow_nan=False)


def test_figures_by_hand() -> None:
    items = card()  # base: $0.02 per 1,000, 92 % accurate; competitor $0.05, 90 %, 40 ms
    assert items["serving_cost_vs_competitor"].value == pytest.approx(0.4)
    assert items["serving_cost_vs_competitor"].favourable is True
    assert items["accuracy_lead_points"].value == pytest.approx(2.0)
    assert items["accuracy_lead_points"].favourable is True
    assert items["serving_cost_vs_competitor"].provenance == "assumed"
    cost = items["serving_cost_vs_competitor"].detail
    assert cost == Reason(
        "cost_vs_competitor", yours_usd=0.02, source=Reason("assumed_in_scenario"), theirs_usd=0.05
    )
    latency = items["p95_latency_vs_competitor"]
    assert (
        latency.value is None and latency.reason is not None and latency.reason == Reason("p95_yours_unknown")
    )
    assert items["value_per_accuracy_point"].value == pytest.approx(
        value_of_accuracy(base_template()).usd_per_point_year
    )


def test_a_bound_run_makes_figures_measured() -> None:
    bound = bind(base_template(), RUN)
    items = card(bound, run=RUN)
    assert items["serving_cost_vs_competitor"].provenance == "measured"
    assert items["serving_cost_vs_competitor"].value == pytest.approx(0.004 / 0.05)
    assert items["accuracy_lead_points"].provenance == "measured"
    assert items["accuracy_lead_points"].value == pytest.approx(3.0)
    latency = items["p95_latency_vs_competitor"]
    assert latency.provenance == "measured" and latency.value == pytest.approx(10 / 40) and latency.favourable
    assert latency.detail.params["origin"] == Reason("p95_origin_measured")
    typed = card(bound, run=RUN, p95_latency_ms=80.0)["p95_latency_vs_competitor"]
    assert typed.provenance == "assumed" and typed.value == pytest.approx(2.0) and typed.favourable is False


def test_latency_compares_the_runs_p95_per_request_not_per_call() -> None:
    # A batch of 1,024 answers a call in 4 ms but takes ~45 minutes to fill at 1e6 requests a month:
    # the run binds batch 1 (0.5 ms per request, no fill), and the scorecard compares that.
    run = batch_run(requests_per_month=1e6)
    assert run.serving_p95_ms == pytest.approx(0.5)
    latency = card(bind(base_template(), run), run=run)["p95_latency_vs_competitor"]
    assert latency.value == pytest.approx(0.5 / 40.0)
    assert latency.provenance == "measured"
    assert latency.detail.code == "p95_vs_competitor" and latency.detail.params["yours"] == pytest.approx(0.5)
    typed = card(bind(base_template(), run), run=run, p95_latency_ms=20.0)["p95_latency_vs_competitor"]
    assert typed.provenance == "assumed" and typed.detail.params["origin"] == Reason("p95_origin_given")


def test_unbound_run_figures_stay_assumed() -> None:
    items = card(base_template(), run=RUN)  # the scenario still holds its own assumptions
    assert items["serving_cost_vs_competitor"].provenance == "assumed"
    assert items["accuracy_lead_points"].provenance == "assumed"


def test_data_items() -> None:
    missing = card()["accuracy_points_per_usd_1000"]
    assert missing.value is None and missing.reason is not None and missing.reason == Reason("no_curve")
    per_point = value_of_accuracy(base_template()).usd_per_point_year
    pays = card(accuracy_gain_points_per_usd_1000=2000.0 / per_point)["accuracy_points_per_usd_1000"]
    assert pays.favourable is True and pays.provenance == "measured"
    costs_more = card(accuracy_gain_points_per_usd_1000=500.0 / per_point)["accuracy_points_per_usd_1000"]
    assert costs_more.favourable is False
    flat = card(lean(0.97), accuracy_gain_points_per_usd_1000=1.0)["accuracy_points_per_usd_1000"]
    assert flat.favourable is False and flat.detail.code == "data_worth_reason"
    assert flat.detail.params["reason"] == Reason(
        "voa_delightful", base_fraction=0.97, delightful_fraction=0.95
    )
    assert card(samples_owned=10)["samples_owned"].value == 10.0


def test_business_model_thresholds() -> None:
    good = card()
    assert good["ltv_to_cac"].favourable is True  # base: LTV/CAC = ($32.21 ÷ 3.52 %) ÷ $300 ≈ 3.05
    assert good["gross_margin"].favourable is True
    dear = base_template().with_values(cac_usd=2000.0)
    bad = card(dear)
    assert bad["ltv_to_cac"].value is not None and bad["ltv_to_cac"].value < 3
    assert bad["ltv_to_cac"].favourable is False
    assert bad["cac_payback_months"].favourable is False
    forever = base_template().with_values(monthly_churn=0.0, churn_at_minimum_accuracy_extra=0.0)
    undefined = card(forever)["ltv_to_cac"]
    assert undefined.value is None and undefined.favourable is None
    assert undefined.reason is not None and undefined.reason == Reason("churn_zero")


@pytest.mark.parametrize(
    "make",
    [
        lambda: CompetitorBaseline(-1.0, 0.9),
        lambda: CompetitorBaseline(0.1, 1.2),
        lambda: CompetitorBaseline(0.1, 0.9, p95_latency_ms=0.0),
        lambda: card(samples_owned=-5),
        lambda: card(run=RUN, p95_latency_ms=-1.0),
        lambda: card(competitor=CompetitorBaseline(0.1, 0.9), p95_latency_ms=math.nan),
    ],
)
def test_invalid_inputs(make: Any) -> None:
    with pytest.raises(AdvantageError):
        make()


def test_free_competitor_has_no_cost_ratio() -> None:
    item = card(competitor=CompetitorBaseline(0.0, 0.9))["serving_cost_vs_competitor"]
    assert item.value is None and item.favourable is None and item.reason is not None
