"""What a session explored: the recording (bounded, newest first, no duplicates, JSON round trip),
the answers recomputed with the pages' own functions, the Data value computation shared by the page
and the report, and the report built from what was explored."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bizmodel.catalog import Catalog
from bizmodel.compute import Assumptions, cheapest, fastest, training_options
from bizmodel.compute_budget import largest_within
from bizmodel.data_value import (
    MAX_N_FACTOR,
    DataEconomics,
    buy_data,
    fit_learning_curve,
    optimal_dataset_size,
)
from bizmodel.learning_curve import example_points
from bizmodel.scenario import base_template
from bizmodel.training_work import TrainingWork
from present.explored import (
    BUDGETS_KEY,
    DEFAULT_BUDGET,
    DEFAULT_PLAN,
    MAX_EXPLORED,
    PLANS_KEY,
    BudgetQuestion,
    DataValueInputs,
    Explored,
    RunBasis,
    TrainingPlan,
    budget_outcome,
    explored_in,
    explored_section,
    plan_outcome,
    record_budget,
    record_data_value,
    record_plan,
    remember,
)
from present.report_data import ReportOptions, build_report, data_value_section
from tests.support.economics import full_run

MOE = TrainingPlan(
    mode="finetune_adapter",
    params=671e9,
    tokens=1e9,
    active_params=37e9,
    shape="deepseek-v3",
    sequence=2048.0,
    assumptions=Assumptions(mfu=0.35, max_nodes=16, discount=0.2),
)
SCALED = TrainingPlan(
    mode="scaled_run",
    params=1e5,
    tokens=1259.0,
    run=RunBasis(run_id="run-0", flops_per_sample=2e5, samples=1259.0, epochs=3.0, params=1e5),
    data_factor=1000.0,
    model_factor=100.0,
)


# ---------------------------------------------------------------------- recording


@given(st.lists(st.integers(0, 9), max_size=30), st.integers(0, 9), st.integers(1, 6))
def test_remember_puts_the_newest_first_once_within_the_limit(
    history: list[int], item: int, limit: int
) -> None:
    items = tuple(dict.fromkeys(history))[:limit]
    kept = remember(items, item, limit=limit)
    assert kept[0] == item
    assert len(kept) == len(set(kept)) <= limit
    assert [i for i in kept[1:]] == [i for i in items if i != item][: limit - 1]


def test_a_session_keeps_the_last_five_plans_newest_first_without_duplicates() -> None:
    state: dict[str, object] = {}
    plans = [TrainingPlan(params=n * 1e9, tokens=20 * n * 1e9) for n in range(1, 8)]
    for plan in plans:
        record_plan(state, plan)
    assert explored_in(state).plans == tuple(reversed(plans))[:MAX_EXPLORED]
    record_plan(state, plans[3])  # asked again: moves to the front, not added twice
    kept = explored_in(state).plans
    assert kept[0] == plans[3] and len(kept) == MAX_EXPLORED and kept.count(plans[3]) == 1
    for budget in (1e4, 5e4, 1e4):
        record_budget(state, BudgetQuestion(budget_usd=budget))
    assert [b.budget_usd for b in explored_in(state).budgets] == [1e4, 5e4]
    assert explored_in(state).data_value is None
    record_data_value(state, DataValueInputs(label_cost_usd_per_sample=0.2))
    assert explored_in(state).data_value == DataValueInputs(label_cost_usd_per_sample=0.2)


def test_foreign_values_under_the_keys_are_ignored() -> None:
    state = {PLANS_KEY: ("not a plan", DEFAULT_PLAN), BUDGETS_KEY: [None]}
    assert explored_in(state) == Explored(plans=(DEFAULT_PLAN,))


def test_what_was_explored_round_trips_through_json() -> None:
    explored = Explored(
        plans=(MOE, SCALED, DEFAULT_PLAN),
        budgets=(BudgetQuestion(budget_usd=2e6, deadline_days=30, active_share=0.1),),
        data_value=DataValueInputs(
            value_usd_per_point_per_year=1234.5, value_from="Bull 🐂", extra_samples=7
        ),
    )
    again = Explored.from_dict(json.loads(json.dumps(explored.to_dict())))
    assert again == explored
    assert isinstance(again.plans[0].assumptions.max_nodes, int)


# ------------------------------------------------------------- the answers, as the pages compute them


def test_a_plan_is_the_pages_training_work() -> None:
    assert DEFAULT_PLAN.work() == TrainingWork.pretrain(7e9, 140e9)
    assert MOE.work() == TrainingWork.finetune(
        671e9, 1e9, method="adapter", active_params=37e9, shape="deepseek-v3", sequence=2048.0
    )
    assert SCALED.work() == TrainingWork.scaled_run(
        2e5, 1259.0, 3.0, params=1e5, data_factor=1000, model_factor=100
    )


@pytest.mark.parametrize("plan", [DEFAULT_PLAN, MOE, SCALED], ids=["7B", "moe-adapter", "scaled"])
def test_a_plan_outcome_is_the_pages_cheapest_and_fastest(plan: TrainingPlan, catalog: Catalog) -> None:
    options = training_options(plan.work(), catalog.instances, catalog.accelerators, plan.assumptions)
    outcome = plan_outcome(plan, catalog)
    assert outcome.reason is None
    low, high = cheapest(options), fastest(options)
    assert low is not None and high is not None
    assert outcome.cheapest is not None and outcome.fastest is not None
    assert outcome.cheapest["cost_usd"] == low["cost_usd"] and outcome.cheapest["days"] == low["days"]
    assert (
        outcome.fastest["instance_type"] == high["instance_type"] and outcome.fastest["days"] == high["days"]
    )
    assert outcome.options_total == len(options)


def test_an_impossible_plan_says_why(catalog: Catalog) -> None:
    outcome = plan_outcome(TrainingPlan(params=1e9, active_params=2e9), catalog)
    assert outcome.work is None and outcome.cheapest is None
    assert outcome.reason is not None and "cannot exceed total parameters" in outcome.reason


def test_a_budget_outcome_is_the_pages_answer(catalog: Catalog) -> None:
    question = BudgetQuestion(budget_usd=50_000, deadline_days=14, assumptions=Assumptions(max_nodes=8))
    answer = largest_within(50_000, 14, catalog.instances, catalog.accelerators, Assumptions(max_nodes=8))
    outcome = budget_outcome(question, catalog)
    assert (outcome.params, outcome.tokens, outcome.cost_usd, outcome.days, outcome.limited_by) == (
        answer.params,
        answer.tokens,
        answer.cost_usd,
        answer.days,
        answer.limited_by,
    )
    assert outcome.option is not None and outcome.option["instance_type"] == answer.option["instance_type"]


def test_nothing_explored_shows_the_pages_defaults(catalog: Catalog) -> None:
    section = explored_section(Explored(), catalog)
    assert section.defaults
    assert [o.plan for o in section.plans] == [DEFAULT_PLAN]
    assert [o.question for o in section.budgets] == [DEFAULT_BUDGET]
    explored = explored_section(Explored(plans=(MOE,)), catalog)
    assert not explored.defaults and [o.plan for o in explored.plans] == [MOE] and explored.budgets == ()


# ---------------------------------------------------------------------- data value: one computation


def test_the_data_value_section_is_the_bizmodel_computation() -> None:
    points = example_points()
    fit = fit_learning_curve(points)
    inputs = DataValueInputs(
        value_usd_per_point_per_year=15_000,
        label_cost_usd_per_sample=0.02,
        horizon_years=2,
        extra_samples=30_000,
    )
    section = data_value_section(points, fit, 8000, inputs)
    econ = DataEconomics(
        value_usd_per_point_per_year=15_000, label_cost_usd_per_sample=0.02, horizon_years=2, current_n=8000
    )
    assert section.economics == econ
    assert section.purchase == buy_data(fit, econ, 30_000)
    assert section.max_n == MAX_N_FACTOR * 8000
    assert section.optimal == optimal_dataset_size(fit, econ, max_n=MAX_N_FACTOR * 8000)
    assert section.value_provenance == "typed" and section.inputs == inputs
    huge = data_value_section(points, fit, 8000, DataValueInputs(extra_samples=10_000_000))
    assert huge.max_n == 8000 + 10_000_000, "the optimum is searched at least up to the purchase"
    assert (
        data_value_section(points, fit, 8000, DataValueInputs(), explored=False).value_provenance == "default"
    )
    assert (
        data_value_section(points, fit, 8000, DataValueInputs(value_from="Bull")).value_provenance
        == "scenario"
    )


def test_the_report_prices_data_with_what_was_explored(catalog: Catalog) -> None:
    inputs = DataValueInputs(
        value_usd_per_point_per_year=30_000, label_cost_usd_per_sample=0.2, extra_samples=20_000
    )
    run = full_run()
    default = build_report(
        base_template(), name="Base", run=run, catalog=catalog, options=ReportOptions(paths=50)
    )
    explored = build_report(
        base_template(),
        name="Base",
        run=run,
        catalog=catalog,
        options=ReportOptions(paths=50, explored=Explored(plans=(MOE,), data_value=inputs)),
    )
    assert default.data_value is not None and explored.data_value is not None
    assert default.data_value.inputs == DataValueInputs() and not default.data_value.explored
    assert default.data_value.value_provenance == "default"
    assert explored.data_value.inputs == inputs and explored.data_value.explored
    assert explored.data_value.purchase.labelling_cost_usd == pytest.approx(0.2 * 20_000)
    assert explored.options.label_cost_usd == 0.2 and explored.options.extra_samples == 20_000
    assert explored.explored is not None and [o.plan for o in explored.explored.plans] == [MOE]
    assert default.explored is not None and default.explored.defaults
    # The scorecard's accuracy per $1,000 of data uses the same label cost.
    key = "accuracy_points_per_usd_1000"
    dear = next(i.value for i in explored.scorecard if i.key == key)
    cheap = next(i.value for i in default.scorecard if i.key == key)
    assert dear is not None and cheap is not None and math.isfinite(dear)
    assert dear < cheap  # labels four times dearer buy fewer points per $1,000
