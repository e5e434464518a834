"""What the user explored in this session, so the report shows it (pure: no Streamlit).

The Compute cost and Data value pages record the questions they answered — a training plan, a
budget and a deadline, the data purchase priced — as small frozen dataclasses of plain numbers and
strings (JSON round-trip with ``to_dict`` / ``from_dict``). :class:`Explored` holds them;
:func:`present.report_data.build_report` recomputes every answer from these inputs with the same
:mod:`bizmodel` functions the pages call (:meth:`TrainingPlan.work`, :func:`budget_answer`,
:func:`present.report_data.data_value_section`), so the report never copies a number the page showed and
cannot go stale.

Conventions
-----------
* Money in USD, parameters and tokens as plain counts (7e9, not 7), days of wall time, fractions
  0–1; the :class:`bizmodel.compute.Assumptions` a plan was priced under travel with it.
* A session keeps at most :data:`MAX_EXPLORED` plans and as many budgets, newest first; asking the
  same question again moves it to the front (:func:`remember`).
* The session helpers take the session's state as a plain mutable mapping (``st.session_state`` in
  the app, a dict in tests), under keys :data:`PLANS_KEY`, :data:`BUDGETS_KEY` and
  :data:`DATA_VALUE_KEY`, which no widget uses (Streamlit forgets a widget's state when its page is
  left; these survive page changes).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from bizmodel.catalog import Catalog
from bizmodel.compute import Assumptions, cheapest, fastest, training_options
from bizmodel.compute_budget import BudgetAnswer, largest_within
from bizmodel.shapes import DEFAULT_TRAIN_SEQUENCE
from bizmodel.training_work import ComputeError, TrainingWork

#: Plans (and, separately, budgets) a session keeps, newest first.
MAX_EXPLORED = 5
#: Session-state keys (not widget keys: they survive leaving the page).
PLANS_KEY = "explored_plans"
BUDGETS_KEY = "explored_budgets"
DATA_VALUE_KEY = "explored_data_value"

#: The Data value page's defaults, which the report uses until the page is opened.
DEFAULT_LABEL_COST_USD = 0.05
DEFAULT_EXTRA_SAMPLES = 50_000
DEFAULT_VALUE_USD_PER_POINT_PER_YEAR = 20_000.0
DEFAULT_HORIZON_YEARS = 1.0

#: The modes of a training plan (labels ``compute.mode.<mode>``).
MODES = ("pretrain", "finetune_full", "finetune_adapter", "scaled_run")

T = TypeVar("T")


@dataclass(frozen=True, kw_only=True)
class DataValueInputs:
    """The Data value page's assumptions, as the user left them.

    ``value_usd_per_point_per_year``: USD a year per percentage point of accuracy;
    ``label_cost_usd_per_sample``: USD to acquire and label one sample; ``horizon_years``: years the
    gain is counted; ``extra_samples``: labels bought on top of the run's training set;
    ``value_from``: the name of the scenario whose value of accuracy gave the value per point, None
    when it was typed.
    """

    value_usd_per_point_per_year: float = DEFAULT_VALUE_USD_PER_POINT_PER_YEAR
    label_cost_usd_per_sample: float = DEFAULT_LABEL_COST_USD
    horizon_years: float = DEFAULT_HORIZON_YEARS
    extra_samples: int = DEFAULT_EXTRA_SAMPLES
    value_from: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able fields."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DataValueInputs:
        """The inputs from :meth:`to_dict` (missing fields take the page's defaults)."""
        base = cls()
        source = data.get("value_from")
        return cls(
            value_usd_per_point_per_year=float(
                data.get("value_usd_per_point_per_year", base.value_usd_per_point_per_year)
            ),
            label_cost_usd_per_sample=float(
                data.get("label_cost_usd_per_sample", base.label_cost_usd_per_sample)
            ),
            horizon_years=float(data.get("horizon_years", base.horizon_years)),
            extra_samples=int(data.get("extra_samples", base.extra_samples)),
            value_from=None if source is None else str(source),
        )


def _assumptions_from(data: Any) -> Assumptions:
    if not isinstance(data, Mapping):
        return Assumptions()
    known = {f.name for f in dataclasses.fields(Assumptions)}
    values = {k: v for k, v in data.items() if k in known}
    if "max_nodes" in values:
        values["max_nodes"] = int(values["max_nodes"])
    return Assumptions(**values)


@dataclass(frozen=True, kw_only=True)
class RunBasis:
    """What scaling a measured run needs from it: forward FLOPs per sample, training samples,
    epochs and parameters (the run's own, as measured)."""

    run_id: str
    flops_per_sample: float
    samples: float
    epochs: float
    params: float


@dataclass(frozen=True, kw_only=True)
class TrainingPlan:
    """One training plan priced on the Compute cost page.

    ``mode``: one of :data:`MODES`. For ``pretrain`` and the fine-tunings: ``params`` (total N),
    ``active_params`` (per token; None for a dense model), ``tokens`` (D), ``shape`` (a bundled
    shape's key, None: inferred) and ``sequence`` (training context, tokens). For ``scaled_run``:
    ``run`` (the measured run) × ``data_factor`` data × ``model_factor`` model. ``assumptions``:
    MFU, node cap, discount, spot overhead, energy price, grid and scale loss it was priced under.
    """

    mode: str = "pretrain"
    params: float = 7e9
    tokens: float = 140e9
    active_params: float | None = None
    shape: str | None = None
    sequence: float = float(DEFAULT_TRAIN_SEQUENCE)
    run: RunBasis | None = None
    data_factor: float = 1.0
    model_factor: float = 1.0
    assumptions: Assumptions = field(default_factory=Assumptions)

    def work(self) -> TrainingWork:
        """The plan as training work (the FLOPs and memory :func:`training_options` prices).

        Raises
        ------
        ComputeError
            An impossible plan (non-positive counts, more active than total parameters, an
            unknown shape or mode, a scaled run without its run).
        """
        if self.mode == "scaled_run":
            if self.run is None:
                raise ComputeError("a scaled run needs the run it scales")
            return TrainingWork.scaled_run(
                self.run.flops_per_sample,
                self.run.samples,
                self.run.epochs,
                params=self.run.params,
                data_factor=self.data_factor,
                model_factor=self.model_factor,
            )
        shape_args = {"active_params": self.active_params, "shape": self.shape, "sequence": self.sequence}
        if self.mode == "pretrain":
            return TrainingWork.pretrain(self.params, self.tokens, **shape_args)
        if self.mode in ("finetune_full", "finetune_adapter"):
            method = "full" if self.mode == "finetune_full" else "adapter"
            return TrainingWork.finetune(self.params, self.tokens, method=method, **shape_args)
        raise ComputeError(f"unknown training mode {self.mode!r}")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able fields (the run and the assumptions as nested objects)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TrainingPlan:
        """The plan from :meth:`to_dict`."""
        run = data.get("run")
        active = data.get("active_params")
        shape = data.get("shape")
        return cls(
            mode=str(data.get("mode", "pretrain")),
            params=float(data.get("params", 7e9)),
            tokens=float(data.get("tokens", 140e9)),
            active_params=None if active is None else float(active),
            shape=None if shape is None else str(shape),
            sequence=float(data.get("sequence", DEFAULT_TRAIN_SEQUENCE)),
            run=RunBasis(**run) if isinstance(run, Mapping) else None,
            data_factor=float(data.get("data_factor", 1.0)),
            model_factor=float(data.get("model_factor", 1.0)),
            assumptions=_assumptions_from(data.get("assumptions")),
        )


@dataclass(frozen=True, kw_only=True)
class BudgetQuestion:
    """ "What is the largest model I can train for ``budget_usd`` within ``deadline_days``?"

    ``active_share``: active ÷ total parameters (1 for a dense model); ``assumptions`` as for a plan.
    """

    budget_usd: float = 50_000.0
    deadline_days: float = 14.0
    active_share: float = 1.0
    assumptions: Assumptions = field(default_factory=Assumptions)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able fields."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BudgetQuestion:
        """The question from :meth:`to_dict`."""
        return cls(
            budget_usd=float(data.get("budget_usd", 50_000.0)),
            deadline_days=float(data.get("deadline_days", 14.0)),
            active_share=float(data.get("active_share", 1.0)),
            assumptions=_assumptions_from(data.get("assumptions")),
        )


#: The Compute cost page's default plan (7B parameters on 140B tokens) and budget ($50k, 14 days).
DEFAULT_PLAN = TrainingPlan()
DEFAULT_BUDGET = BudgetQuestion()


def budget_answer(question: BudgetQuestion, catalog: Catalog) -> BudgetAnswer:
    """The largest compute-optimal run that fits ``question`` on ``catalog``
    (:func:`bizmodel.compute_budget.largest_within`, the training sequence at its default).

    Raises
    ------
    ComputeError
        Nothing fits, or an impossible question.
    """
    return largest_within(
        question.budget_usd,
        question.deadline_days,
        catalog.instances,
        catalog.accelerators,
        question.assumptions,
        active_share=question.active_share,
    )


@dataclass(frozen=True)
class Explored:
    """Everything the session explored: plans and budgets newest first, the data inputs (None
    until the Data value page priced a purchase)."""

    plans: tuple[TrainingPlan, ...] = ()
    budgets: tuple[BudgetQuestion, ...] = ()
    data_value: DataValueInputs | None = None

    @property
    def compute_explored(self) -> bool:
        """Whether any plan or budget was explored on the Compute cost page."""
        return bool(self.plans or self.budgets)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able fields."""
        return {
            "plans": [p.to_dict() for p in self.plans],
            "budgets": [b.to_dict() for b in self.budgets],
            "data_value": None if self.data_value is None else self.data_value.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Explored:
        """The exploration from :meth:`to_dict`."""
        data_value = data.get("data_value")
        return cls(
            plans=tuple(TrainingPlan.from_dict(p) for p in data.get("plans") or ())[:MAX_EXPLORED],
            budgets=tuple(BudgetQuestion.from_dict(b) for b in data.get("budgets") or ())[:MAX_EXPLORED],
            data_value=DataValueInputs.from_dict(data_value) if isinstance(data_value, Mapping) else None,
        )


# ---------------------------------------------------------------------- the session


def remember(items: tuple[T, ...], item: T, *, limit: int = MAX_EXPLORED) -> tuple[T, ...]:
    """``item`` first, then the others without it, at most ``limit``.

    >>> remember((1, 2, 3), 2)
    (2, 1, 3)
    >>> remember((1, 2, 3), 4, limit=3)
    (4, 1, 2)
    """
    return (item, *(i for i in items if i != item))[:limit]


def record_plan(state: MutableMapping[str, Any], plan: TrainingPlan) -> None:
    """Remember ``plan`` in the session ``state`` (newest first, bounded, no duplicates)."""
    state[PLANS_KEY] = remember(tuple(state.get(PLANS_KEY, ())), plan)


def record_budget(state: MutableMapping[str, Any], question: BudgetQuestion) -> None:
    """Remember ``question`` in the session ``state`` (newest first, bounded, no duplicates)."""
    state[BUDGETS_KEY] = remember(tuple(state.get(BUDGETS_KEY, ())), question)


def record_data_value(state: MutableMapping[str, Any], inputs: DataValueInputs) -> None:
    """Remember the Data value page's inputs (the last priced ones count)."""
    state[DATA_VALUE_KEY] = inputs


def recorded_data_value(state: Mapping[str, Any]) -> DataValueInputs | None:
    """The Data value inputs recorded in ``state``, None before the page priced anything."""
    inputs = state.get(DATA_VALUE_KEY)
    return inputs if isinstance(inputs, DataValueInputs) else None


def explored_in(state: Mapping[str, Any]) -> Explored:
    """What the session ``state`` recorded."""
    return Explored(
        plans=tuple(p for p in state.get(PLANS_KEY, ()) if isinstance(p, TrainingPlan)),
        budgets=tuple(b for b in state.get(BUDGETS_KEY, ()) if isinstance(b, BudgetQuestion)),
        data_value=recorded_data_value(state),
    )


# ---------------------------------------------------------------------- the answers, recomputed


def _row(series: pd.Series | None) -> dict[str, Any] | None:
    if series is None:
        return None
    return {str(k): (v.item() if isinstance(v, np.generic) else v) for k, v in series.items()}


@dataclass(frozen=True)
class PlanOutcome:
    """A plan priced on the catalog: its work, the cheapest and the fastest feasible options
    (rows of :func:`training_options` as dicts; None when nothing is feasible) and how many options
    there were; ``reason`` instead when the plan cannot be priced."""

    plan: TrainingPlan
    work: TrainingWork | None
    cheapest: dict[str, Any] | None
    fastest: dict[str, Any] | None
    options_total: int
    feasible_options: int
    reason: str | None = None


@dataclass(frozen=True)
class BudgetOutcome:
    """A budget question answered on the catalog: the largest model (total and active parameters),
    its tokens, cost (USD), days, what limits it (``budget``, ``deadline``, ``memory``,
    ``node_cap``), the predicted loss and the option (a dict); ``reason`` instead when nothing fits."""

    question: BudgetQuestion
    params: float = math.nan
    active_params: float = math.nan
    tokens: float = math.nan
    cost_usd: float = math.nan
    days: float = math.nan
    limited_by: str = ""
    predicted_loss: float = math.nan
    option: dict[str, Any] | None = None
    reason: str | None = None


def plan_outcome(plan: TrainingPlan, catalog: Catalog) -> PlanOutcome:
    """Price ``plan`` on every option of ``catalog``, as the Compute cost page does."""
    try:
        work = plan.work()
        options = training_options(work, catalog.instances, catalog.accelerators, plan.assumptions)
    except ComputeError as exc:
        return PlanOutcome(plan, None, None, None, 0, 0, reason=str(exc))
    return PlanOutcome(
        plan,
        work,
        _row(cheapest(options)),
        _row(fastest(options)),
        len(options),
        int(options["feasible"].astype(bool).sum()),
    )


def budget_outcome(question: BudgetQuestion, catalog: Catalog) -> BudgetOutcome:
    """Answer ``question`` on ``catalog``, as the Compute cost page does."""
    try:
        answer = budget_answer(question, catalog)
    except ComputeError as exc:
        return BudgetOutcome(question, reason=str(exc))
    return BudgetOutcome(
        question,
        params=answer.params,
        active_params=answer.active_params,
        tokens=answer.tokens,
        cost_usd=answer.cost_usd,
        days=answer.days,
        limited_by=answer.limited_by,
        predicted_loss=answer.predicted_loss,
        option=_row(answer.option),
    )


@dataclass(frozen=True)
class ExploredSection:
    """The report's "what was explored" part: every recorded plan and budget recomputed, or the
    page's defaults (``defaults`` True) when the session explored nothing."""

    plans: tuple[PlanOutcome, ...]
    budgets: tuple[BudgetOutcome, ...]
    defaults: bool


def explored_section(explored: Explored, catalog: Catalog) -> ExploredSection:
    """Recompute what ``explored`` holds on ``catalog`` (the Compute cost page's default plan and
    budget when it holds neither)."""
    defaults = not explored.compute_explored
    plans = (DEFAULT_PLAN,) if defaults else explored.plans
    budgets = (DEFAULT_BUDGET,) if defaults else explored.budgets
    return ExploredSection(
        plans=tuple(plan_outcome(p, catalog) for p in plans),
        budgets=tuple(budget_outcome(b, catalog) for b in budgets),
        defaults=defaults,
    )


__all__ = [
    "BUDGETS_KEY",
    "DATA_VALUE_KEY",
    "DEFAULT_BUDGET",
    "DEFAULT_PLAN",
    "MAX_EXPLORED",
    "PLANS_KEY",
    "BudgetOutcome",
    "BudgetQuestion",
    "DataValueInputs",
    "Explored",
    "ExploredSection",
    "PlanOutcome",
    "RunBasis",
    "TrainingPlan",
    "budget_answer",
    "budget_outcome",
    "explored_in",
    "explored_section",
    "plan_outcome",
    "record_budget",
    "record_data_value",
    "record_plan",
    "recorded_data_value",
    "remember",
]


def option_words(row: Mapping[str, Any], translate: Callable[..., str]) -> dict[str, Any]:
    """The words of a training option row for the report's and the workbook's option sentences
    (``report.compute.option``, ``report.explored.option``): provider, instance, nodes, count,
    accelerator, and the pricing in ``translate``'s language (the code itself when it has no
    words)."""
    code = str(row.get("pricing", ""))
    label = translate(f"compute.pricing.{code}")
    return {
        "provider": row.get("provider", ""),
        "instance": row.get("instance_type", ""),
        "nodes": int(row.get("nodes", 1)),
        "count": int(row.get("count", 0)),
        "accelerator": row.get("accelerator", ""),
        "pricing": code if label.startswith("[") else label,
    }
