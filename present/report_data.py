"""Everything a shared report holds, computed once: the page, the HTML report, the workbook and
the command line all read the same :class:`Report`, so their numbers cannot disagree.

Pure (no Streamlit): :func:`build_report` takes a scenario, the run that drives it (or none), the
catalog and :class:`ReportOptions`, and calls the :mod:`bizmodel` models:

* the scenario bound to the run (:func:`bizmodel.binding.bind`), its monthly projection and KPIs;
* a seeded Monte Carlo (cash fan, NPV distribution, P(out of cash), P(break-even)) and why its
  median NPV differs from the plan's (:func:`bizmodel.median_gap.median_gap`);
* the tornado of NPV and break-even month for levers moved ± ``change``;
* the value of one accuracy point and the economic-advantage scorecard against a competitor;
* with a run: the bridge to production (:func:`bizmodel.binding.inputs_for`: this run's cost, one
  production retraining, $ per 1,000 predictions of the production model — the figures every page
  shows), the production retraining on every catalog accelerator option when the production model
  is large enough for that estimate (:data:`bizmodel.production.GPU_ESTIMATE_MIN_PARAMS`), the
  production model's serving capacity plan at the scenario's peak monthly requests, and — when the
  run has a learning curve — the value of more data, priced with the Data value page's inputs
  (:func:`data_value_section`, the one computation behind that page too);
* the training plans and budgets explored on the Compute cost page, recomputed from their inputs
  (:func:`present.explored.explored_section`; the page's defaults when nothing was explored).

What the user explored travels in :attr:`ReportOptions.explored` (:class:`present.explored.Explored`).

Money is USD throughout (the renderers convert for display). A section that cannot be computed is
None, with the reason in :attr:`Report.notes` (keyed by section), never a silent gap.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from bizmodel.advantage import (
    AdvantageError,
    CompetitorBaseline,
    ScoreItem,
    ValueOfAccuracy,
    scorecard,
    value_of_accuracy,
)
from bizmodel.basis import TechnicalBasis
from bizmodel.binding import (
    DEFAULT_P95_TARGET_MS,
    RunInputs,
    RunUnusable,
    bind_run,
    serving_volume,
)
from bizmodel.catalog import Catalog
from bizmodel.compute import cheapest, fastest, one_per_instance, training_options
from bizmodel.data_value import (
    MAX_N_FACTOR,
    CurveFit,
    CurvePointIn,
    DataEconomics,
    DataValueError,
    OptimalSize,
    Purchase,
    buy_data,
    current_size,
    fit_learning_curve,
    optimal_dataset_size,
    points_from_record,
)
from bizmodel.median_gap import MedianGap, MedianGapError, median_gap
from bizmodel.montecarlo import MonteCarloError, simulate
from bizmodel.production import GPU_ESTIMATE_MIN_PARAMS, scale_serving_rows
from bizmodel.projection import Kpis, kpis, project
from bizmodel.reasons import Reason, why
from bizmodel.run_cost import RunCostError
from bizmodel.scenario import Scenario
from bizmodel.scenario_bounds import ScenarioError
from bizmodel.sensitivity import SensitivityError, tornado
from bizmodel.serving import (
    ServingAssumptions,
    ServingError,
    best_serving,
    capacity_plan,
    run_serving_options,
)
from bizmodel.training_work import ComputeError, TrainingWork
from bizmodel.validation import validation_table
from mlcore.specs import RunRecord
from present.explored import DataValueInputs, Explored, ExploredSection, explored_section
from present.field_registry import RUN_FIELDS

__all__ = ["serving_volume"]  # re-exported: the pages import the report's volume from here

#: Defaults shared with the pages (Data value, Build vs buy), so a report shows what they show.
DEFAULT_COMPETITOR_USD_PER_1000 = 0.05
DEFAULT_COMPETITOR_ACCURACY = 0.90
#: Rows of each option table a report keeps (the ranked best ones).
TOP_ROWS = 10


@dataclass(frozen=True)
class ReportOptions:
    """How the report is computed.

    ``paths``/``seed``: the Monte Carlo (same seed → same numbers); ``change``: the tornado's ± move
    (fraction); ``competitor``: the baseline of the scorecard; ``explored``: what the session
    explored on the Compute cost and Data value pages (the data purchase priced is
    :attr:`data_value`: the Data value page's inputs, or its defaults). What production trains (×
    the run's samples and parameters) is the scenario's, not an option of the report.
    """

    paths: int = 10_000
    seed: int = 0
    change: float = 0.10
    competitor: CompetitorBaseline = field(
        default_factory=lambda: CompetitorBaseline(
            usd_per_1000_predictions=DEFAULT_COMPETITOR_USD_PER_1000, accuracy=DEFAULT_COMPETITOR_ACCURACY
        )
    )
    explored: Explored = field(default_factory=Explored)

    @property
    def data_value(self) -> DataValueInputs:
        """The data purchase priced: the Data value page's inputs, or its defaults."""
        return self.explored.data_value or DataValueInputs()

    @property
    def label_cost_usd(self) -> float:
        """USD per labelled sample (:attr:`data_value`)."""
        return self.data_value.label_cost_usd_per_sample

    @property
    def extra_samples(self) -> int:
        """Labels bought on top of the run's training set (:attr:`data_value`)."""
        return self.data_value.extra_samples


@dataclass(frozen=True)
class MonteCarloSection:
    """The Monte Carlo digest: ``fan`` (index month; p10/p50/p90 cash, USD), ``npv_usd`` (one per
    path), ``npv`` (p10/p50/p90, USD), the two probabilities (fractions 0–1), and ``median_gap``:
    the P50 of the NPV against the plan's, input by input (None when it cannot be computed)."""

    paths: int
    seed: int
    fan: pd.DataFrame
    npv_usd: np.ndarray
    npv: dict[str, float]
    probability_out_of_cash: float
    probability_break_even: float
    median_gap: MedianGap | None = None


@dataclass(frozen=True)
class ComputeSection:
    """One production retraining on every catalog accelerator option (``key`` ``production``; its
    factors × the run's data and model); ``options`` the best :data:`TOP_ROWS` rows, ranked, one per
    instance and pricing (its best node count) as on the Compute cost page; ``instances_total`` how
    many instances and pricings there are, ``options_total`` how many options (node counts
    included)."""

    key: str
    work: TrainingWork
    data_factor: float
    model_factor: float
    options: pd.DataFrame
    cheapest: dict[str, Any] | None
    fastest: dict[str, Any] | None
    options_total: int
    feasible_options: int
    instances_total: int


@dataclass(frozen=True)
class ServingSection:
    """The production model's serving capacity plan at ``requests_per_month`` and a p95 target (ms):
    every option of the run's profile re-stated for a model ``model_factor`` × the run's size."""

    requests_per_month: float
    p95_target_ms: float
    best: dict[str, Any] | None
    plan: pd.DataFrame
    model_factor: float = 1.0


@dataclass(frozen=True)
class DataValueSection:
    """The run's learning-curve fit, the net-value-maximising size (searched up to ``max_n``
    samples) and one purchase, priced with ``inputs``.

    ``value_provenance`` says where the value of a point comes from: ``scenario`` (a scenario's
    value of accuracy, named in ``inputs.value_from``), ``typed`` (typed on the Data value page) or
    ``default`` (the page's default: ``explored`` is False when the page priced nothing this
    session).
    """

    points: tuple[CurvePointIn, ...]
    fit: CurveFit
    economics: DataEconomics
    value_provenance: str
    optimal: OptimalSize
    purchase: Purchase
    inputs: DataValueInputs = field(default_factory=DataValueInputs)
    max_n: int = 0
    explored: bool = True


@dataclass(frozen=True)
class Report:
    """One scenario's full business case (module docstring). Money in USD, fractions 0–1.

    ``scenario`` is as typed; ``effective`` is the one the numbers come from (bound to ``run``
    when ``inputs`` is not None). ``notes`` maps a section name (``binding``, ``monte_carlo``,
    ``sensitivity``, ``scorecard``, ``compute``, ``serving``, ``data_value``) to why it is missing.
    ``validation`` is the catalog's estimates beside published runs
    (:func:`bizmodel.validation.validation_table`); ``explored`` the training plans and budgets
    explored on the Compute cost page, recomputed (:func:`present.explored.explored_section`).
    """

    name: str
    generated_at: datetime
    scenario: Scenario
    effective: Scenario
    run: RunRecord | None
    inputs: RunInputs | None
    frame: pd.DataFrame
    kpis: Kpis
    monte_carlo: MonteCarloSection | None
    tornado: pd.DataFrame | None
    change: float
    accuracy_value: ValueOfAccuracy
    scorecard: tuple[ScoreItem, ...]
    compute: tuple[ComputeSection, ...]
    serving: ServingSection | None
    data_value: DataValueSection | None
    catalog: dict[str, str]
    options: ReportOptions
    notes: dict[str, Reason | str]
    validation: pd.DataFrame | None = None
    explored: ExploredSection | None = None

    @property
    def measured_fields(self) -> frozenset[str]:
        """Scenario fields whose value comes from the run (the rest are assumed): the run-bound
        fields (:data:`present.field_registry.RUN_FIELDS`) the run's inputs give a value."""
        if self.inputs is None:
            return frozenset()
        return frozenset(name for name in RUN_FIELDS if getattr(self.inputs, name) is not None)


def _row(series: pd.Series | None) -> dict[str, Any] | None:
    if series is None:
        return None
    return {str(k): (v.item() if isinstance(v, np.generic) else v) for k, v in series.items()}


def catalog_info(catalog: Catalog) -> dict[str, str]:
    """The catalog's name, version and price dates (ISO) for a report's provenance line."""
    return {
        "name": catalog.name,
        "version": catalog.version,
        "as_of": catalog.as_of.isoformat(),
        "oldest_as_of": catalog.oldest_as_of.isoformat(),
    }


def monte_carlo_section(scenario: Scenario, *, paths: int, seed: int) -> MonteCarloSection:
    """The Monte Carlo of ``scenario`` digested for display (no paths × months arrays kept), with
    the explanation of its median NPV against the plan's (one projection per range more).

    Raises
    ------
    MonteCarloError
        Invalid ``paths`` or ``seed``.
    """
    result = simulate(scenario, paths=paths, seed=seed)
    try:
        gap: MedianGap | None = median_gap(scenario, result.npv_usd)
    except (MedianGapError, ScenarioError):
        gap = None
    return MonteCarloSection(
        paths=result.paths,
        seed=result.seed,
        fan=result.fan("cash_usd"),
        npv_usd=np.asarray(result.npv_usd, dtype=np.float64),
        npv=result.npv_percentiles(),
        probability_out_of_cash=result.probability_out_of_cash,
        probability_break_even=result.probability_break_even,
        median_gap=gap,
    )


def _compute(inputs: RunInputs, catalog: Catalog) -> tuple[ComputeSection, ...]:
    """The production retraining on every accelerator option, for a production model large enough
    for that estimate (:mod:`bizmodel.production`); none for a smaller one (it is priced on the
    run's measured throughput: the production figures say how)."""
    scale, retraining = inputs.scale, inputs.retraining
    if scale is None or retraining is None or scale.production_params < GPU_ESTIMATE_MIN_PARAMS:
        return ()
    work = retraining.work
    table = training_options(work, catalog.instances, catalog.accelerators)
    per_instance = one_per_instance(table)
    return (
        ComputeSection(
            key="production",
            work=work,
            data_factor=scale.data_factor,
            model_factor=scale.model_factor,
            options=per_instance.head(TOP_ROWS).reset_index(drop=True),
            cheapest=_row(cheapest(table)),
            fastest=_row(fastest(table)),
            options_total=len(table),
            feasible_options=int(table["feasible"].astype(bool).sum()),
            instances_total=len(per_instance),
        ),
    )


def _serving(basis: TechnicalBasis, catalog: Catalog, requests: float, model_factor: float) -> ServingSection:
    assumptions = ServingAssumptions()
    table = run_serving_options(basis, catalog.instances, catalog.accelerators, assumptions)
    table = scale_serving_rows(table, model_factor)
    plan = capacity_plan(
        table, requests_per_month=requests, p95_target_ms=DEFAULT_P95_TARGET_MS, assumptions=assumptions
    )
    return ServingSection(
        requests_per_month=requests,
        p95_target_ms=DEFAULT_P95_TARGET_MS,
        best=_row(best_serving(plan)),
        plan=plan.head(TOP_ROWS).reset_index(drop=True),
        model_factor=model_factor,
    )


def data_value_cap(current_n: int, n_after: int) -> int:
    """The largest training set the optimum is searched up to: :data:`MAX_N_FACTOR` × the current
    one, or the purchase's size when that is larger."""
    return max(MAX_N_FACTOR * current_n, n_after)


def data_value_section(
    points: tuple[CurvePointIn, ...],
    fit: CurveFit,
    n_train: int | None,
    inputs: DataValueInputs,
    *,
    explored: bool = True,
) -> DataValueSection:
    """The value of more data for a run: the one computation behind the Data value page, the
    report and the workbook, so their figures are the same.

    Parameters
    ----------
    points, fit : the run's learning-curve points and their fit (:func:`fit_learning_curve`).
    n_train : the run's training samples (None: the fit's largest size), see :func:`current_size`.
    inputs : value per accuracy point (USD a year), label cost (USD per sample), horizon (years)
        and labels to buy.
    explored : False when ``inputs`` are the page's defaults, not what the user set.

    Raises
    ------
    DataValueError
        Inputs the economics refuse (negative, non-finite, a zero horizon).

    >>> from bizmodel.learning_curve import example_points as _example_points
    >>> pts = _example_points()
    >>> d = data_value_section(pts, fit_learning_curve(pts, n_bootstrap=0), 8000, DataValueInputs())
    >>> d.purchase.labelling_cost_usd, d.max_n, d.value_provenance
    (2500.0, 800000, 'typed')
    """
    current = current_size(fit, n_train)
    econ = DataEconomics(
        value_usd_per_point_per_year=inputs.value_usd_per_point_per_year,
        label_cost_usd_per_sample=inputs.label_cost_usd_per_sample,
        horizon_years=inputs.horizon_years,
        current_n=current,
    )
    purchase = buy_data(fit, econ, inputs.extra_samples)
    cap = data_value_cap(current, purchase.n_after)
    if inputs.value_from is not None:
        provenance = "scenario"
    else:
        provenance = "typed" if explored else "default"
    return DataValueSection(
        points=tuple(points),
        fit=fit,
        economics=econ,
        value_provenance=provenance,
        optimal=optimal_dataset_size(fit, econ, max_n=cap),
        purchase=purchase,
        inputs=inputs,
        max_n=cap,
        explored=explored,
    )


def _data_value(record: Mapping[str, Any], n_train: int | None, options: ReportOptions) -> DataValueSection:
    points = points_from_record(record)
    return data_value_section(
        points,
        fit_learning_curve(points),
        n_train,
        options.data_value,
        explored=options.explored.data_value is not None,
    )


def _gain_per_1000(data: DataValueSection | None, options: ReportOptions) -> float | None:
    if data is None:
        return None
    try:
        return buy_data(data.fit, data.economics, int(1000.0 / options.label_cost_usd)).gain_points
    except DataValueError:
        return None


def build_report(
    scenario: Scenario,
    *,
    name: str,
    run: RunRecord | None,
    catalog: Catalog,
    options: ReportOptions | None = None,
    now: datetime | None = None,
) -> Report:
    """The whole business case of ``scenario`` driven by ``run`` (module docstring).

    Raises
    ------
    ScenarioError
        Only if the scenario itself is invalid; every other failure becomes a note.
    """
    options = options or ReportOptions()
    notes: dict[str, Reason | str] = {}
    effective, inputs, basis = _bound(scenario, run, catalog, notes)
    frame = project(effective)
    k = kpis(frame, effective)
    mc, table = _risk(effective, options, notes)
    compute, serving, data = _run_sections(
        scenario, run, basis=basis, inputs=inputs, catalog=catalog, options=options, notes=notes
    )
    return Report(
        name=name,
        generated_at=(now or datetime.now(UTC)).replace(microsecond=0),
        scenario=scenario,
        effective=effective,
        run=run,
        inputs=inputs,
        frame=frame,
        kpis=k,
        monte_carlo=mc,
        tornado=table,
        change=options.change,
        accuracy_value=value_of_accuracy(effective),
        scorecard=_scorecard(effective, k, run=run, inputs=inputs, data=data, options=options, notes=notes),
        compute=compute,
        serving=serving,
        data_value=data,
        catalog=catalog_info(catalog),
        options=options,
        notes=notes,
        validation=validation_table(catalog),
        explored=explored_section(options.explored, catalog),
    )


def _bound(
    scenario: Scenario, run: RunRecord | None, catalog: Catalog, notes: dict[str, Reason | str]
) -> tuple[Scenario, RunInputs | None, TechnicalBasis | None]:
    """The scenario driven by ``run`` (:func:`bizmodel.binding.bind_run`), its inputs and basis; the
    typed scenario and no inputs when there is no run or it cannot drive it (``notes["binding"]``
    says why; the basis is kept when the record could be read)."""
    if run is None:
        return scenario, None, None
    try:
        bound = bind_run(scenario, run.to_dict(), catalog)
    except RunUnusable as exc:
        found = why(exc)
        notes["binding"] = (
            found if isinstance(found, Reason) else f"run {run.id} cannot drive this scenario: {exc}"
        )
        return scenario, None, exc.basis
    return bound.scenario, bound.inputs, bound.basis


def _risk(
    effective: Scenario, options: ReportOptions, notes: dict[str, Reason | str]
) -> tuple[MonteCarloSection | None, pd.DataFrame | None]:
    """The Monte Carlo and the tornado of ``effective``; a failure becomes a note."""
    mc = table = None
    try:
        mc = monte_carlo_section(effective, paths=options.paths, seed=options.seed)
    except MonteCarloError as exc:
        notes["monte_carlo"] = str(exc)
    try:
        table = tornado(effective, change=options.change)
    except SensitivityError as exc:
        notes["sensitivity"] = str(exc)
    return mc, table


def _run_sections(
    scenario: Scenario,
    run: RunRecord | None,
    *,
    basis: TechnicalBasis | None,
    inputs: RunInputs | None,
    catalog: Catalog,
    options: ReportOptions,
    notes: dict[str, Reason | str],
) -> tuple[tuple[ComputeSection, ...], ServingSection | None, DataValueSection | None]:
    """The sections only a run gives (compute, serving, data value); each missing one a note."""
    compute: tuple[ComputeSection, ...] = ()
    serving = data = None
    if basis is not None and inputs is not None:
        compute, serving = _production(scenario, basis, inputs, catalog, notes)
    elif basis is not None:
        notes["compute"] = notes["serving"] = notes["binding"]
    if basis is not None and run is not None:
        try:
            data = _data_value(run.to_dict(), run.n_train, options)
        except DataValueError as exc:
            notes["data_value"] = exc.reason or str(exc)
    else:
        for section in ("compute", "serving", "data_value"):
            notes.setdefault(section, "no run drives this scenario")
    return compute, serving, data


def _production(
    scenario: Scenario,
    basis: TechnicalBasis,
    inputs: RunInputs,
    catalog: Catalog,
    notes: dict[str, Reason | str],
) -> tuple[tuple[ComputeSection, ...], ServingSection | None]:
    """The production retraining options and serving plan of a bound run; a failure a note."""
    compute: tuple[ComputeSection, ...] = ()
    serving = None
    try:
        compute = _compute(inputs, catalog)
    except ComputeError as exc:
        notes["compute"] = str(exc)
    factor = inputs.scale.model_factor if inputs.scale is not None else 1.0
    if basis.has_inference:
        try:
            serving = _serving(basis, catalog, serving_volume(scenario), factor)
        except (ServingError, RunCostError) as exc:
            notes["serving"] = why(exc)
    else:
        notes["serving"] = f"run {basis.run_id} has no inference profile"
    return compute, serving


def _scorecard(
    effective: Scenario,
    k: Kpis,
    *,
    run: RunRecord | None,
    inputs: RunInputs | None,
    data: DataValueSection | None,
    options: ReportOptions,
    notes: dict[str, Reason | str],
) -> tuple[ScoreItem, ...]:
    """The economic-advantage scorecard against the competitor; empty, with a note, if refused."""
    try:
        return scorecard(
            effective,
            k,
            competitor=options.competitor,
            run=inputs,
            samples_owned=run.n_train if run is not None else None,
            accuracy_gain_points_per_usd_1000=_gain_per_1000(data, options),
        )
    except AdvantageError as exc:
        notes["scorecard"] = str(exc)
        return ()


def scenario_json(scenario: Scenario) -> str:
    """The scenario as the JSON file users export and import (indented, UTF-8, no NaN)."""
    return json.dumps(scenario.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
