"""Everything a shared report holds, computed once: the page, the HTML report, the workbook and
the command line all read the same :class:`Report`, so their numbers cannot disagree.

Pure (no Streamlit): :func:`build_report` takes a scenario, the run that drives it (or none), the
catalog and :class:`ReportOptions`, and calls the :mod:`bizmodel` models:

* the scenario bound to the run (:func:`bizmodel.binding.bind`), its monthly projection and KPIs;
* a seeded Monte Carlo (cash fan, NPV distribution, P(out of cash), P(break-even));
* the tornado of NPV and break-even month for levers moved ± ``change``;
* the value of one accuracy point and the economic-advantage scorecard against a competitor;
* with a run: its training cost now and at scale on every catalog option
  (:func:`bizmodel.compute.training_options`), its serving capacity plan at the scenario's peak
  monthly requests, and — when it has a learning curve — the value of more data.

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
from bizmodel.basis import BasisError, TechnicalBasis
from bizmodel.binding import (
    DEFAULT_P95_TARGET_MS,
    BindingError,
    RunInputs,
    bind,
    peak_requests_per_month,
    run_inputs,
)
from bizmodel.catalog import Catalog
from bizmodel.compute import (
    ComputeError,
    TrainingWork,
    cheapest,
    fastest,
    one_per_instance,
    training_options,
)
from bizmodel.data_value import (
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
from bizmodel.montecarlo import MonteCarloError, simulate
from bizmodel.projection import Kpis, kpis, project
from bizmodel.run_cost import RunCostError
from bizmodel.scenario import Scenario, ScenarioError
from bizmodel.sensitivity import SensitivityError, tornado
from bizmodel.serving import (
    ServingAssumptions,
    ServingError,
    best_serving,
    capacity_plan,
    run_serving_options,
)
from bizmodel.validation import validation_table
from mlcore.specs import RunRecord

#: Defaults shared with the pages (Compute, Data value, Build vs buy), so a report shows what they show.
DEFAULT_SCALE_DATA_FACTOR = 1000.0
DEFAULT_SCALE_MODEL_FACTOR = 100.0
DEFAULT_COMPETITOR_USD_PER_1000 = 0.05
DEFAULT_COMPETITOR_ACCURACY = 0.90
DEFAULT_LABEL_COST_USD = 0.05
DEFAULT_EXTRA_SAMPLES = 50_000
#: The value of an accuracy point used for Data value when the scenario's own is not positive.
DEFAULT_VALUE_USD_PER_POINT_PER_YEAR = 20_000.0
#: Rows of each option table a report keeps (the ranked best ones).
TOP_ROWS = 10


@dataclass(frozen=True)
class ReportOptions:
    """How the report is computed.

    ``paths``/``seed``: the Monte Carlo (same seed → same numbers); ``change``: the tornado's ± move
    (fraction); ``competitor``: the baseline of the scorecard; ``label_cost_usd`` (per sample),
    ``extra_samples``: the data purchase priced; ``scale_data_factor``/``scale_model_factor``: the
    run's training "at scale" (× samples, × model size).
    """

    paths: int = 10_000
    seed: int = 0
    change: float = 0.10
    competitor: CompetitorBaseline = field(
        default_factory=lambda: CompetitorBaseline(
            usd_per_1000_predictions=DEFAULT_COMPETITOR_USD_PER_1000, accuracy=DEFAULT_COMPETITOR_ACCURACY
        )
    )
    label_cost_usd: float = DEFAULT_LABEL_COST_USD
    extra_samples: int = DEFAULT_EXTRA_SAMPLES
    scale_data_factor: float = DEFAULT_SCALE_DATA_FACTOR
    scale_model_factor: float = DEFAULT_SCALE_MODEL_FACTOR


@dataclass(frozen=True)
class MonteCarloSection:
    """The Monte Carlo digest: ``fan`` (index month; p10/p50/p90 cash, USD), ``npv_usd`` (one per
    path), ``npv`` (p10/p50/p90, USD), the two probabilities (fractions 0–1)."""

    paths: int
    seed: int
    fan: pd.DataFrame
    npv_usd: np.ndarray
    npv: dict[str, float]
    probability_out_of_cash: float
    probability_break_even: float


@dataclass(frozen=True)
class ComputeSection:
    """Training the run's work on every catalog option: ``key`` is ``now`` (the run as trained) or
    ``scale`` (× data, × model); ``options`` the best :data:`TOP_ROWS` rows, ranked, one per
    instance and pricing (its best node count) as on the Compute cost page; ``instances_total``
    how many instances and pricings there are, ``options_total`` how many options (node counts
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
    """The run's serving capacity plan at ``requests_per_month`` and a p95 target (ms)."""

    requests_per_month: float
    p95_target_ms: float
    best: dict[str, Any] | None
    plan: pd.DataFrame


@dataclass(frozen=True)
class DataValueSection:
    """The run's learning-curve fit, the net-value-maximising size and one purchase.

    ``value_provenance`` says where the value of a point comes from: ``scenario`` (its value of
    accuracy) or ``assumed`` (the default, when the scenario's is not positive).
    """

    points: tuple[CurvePointIn, ...]
    fit: CurveFit
    economics: DataEconomics
    value_provenance: str
    optimal: OptimalSize
    purchase: Purchase


@dataclass(frozen=True)
class Report:
    """One scenario's full business case (module docstring). Money in USD, fractions 0–1.

    ``scenario`` is as typed; ``effective`` is the one the numbers come from (bound to ``run``
    when ``inputs`` is not None). ``notes`` maps a section name (``binding``, ``monte_carlo``,
    ``sensitivity``, ``scorecard``, ``compute``, ``serving``, ``data_value``) to why it is missing.
    ``validation`` is the catalog's estimates beside published runs
    (:func:`bizmodel.validation.validation_table`).
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
    notes: dict[str, str]
    validation: pd.DataFrame | None = None

    @property
    def measured_fields(self) -> frozenset[str]:
        """Scenario fields whose value comes from the run (the rest are assumed)."""
        if self.inputs is None:
            return frozenset()
        fields = {"model_accuracy"}
        if self.inputs.retrain_cost_usd is not None:
            fields.add("retrain_cost_usd")
        if self.inputs.serving_usd_per_1000_predictions is not None:
            fields.add("serving_usd_per_1000_predictions")
        return frozenset(fields)


def serving_volume(scenario: Scenario) -> float:
    """Requests a month the run's serving is planned for: the scenario's peak
    (:func:`~bizmodel.binding.peak_requests_per_month`, at its typed accuracy) to 3 significant
    digits — the same volume for the binding, the Serving section and the Scenarios page.

    >>> from bizmodel.scenario import base_template
    >>> serving_volume(base_template()) == float(f"{peak_requests_per_month(base_template()):.3g}")
    True
    """
    return float(f"{peak_requests_per_month(scenario):.3g}")


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
    """The Monte Carlo of ``scenario`` digested for display (no paths × months arrays kept).

    Raises
    ------
    MonteCarloError
        Invalid ``paths`` or ``seed``.
    """
    result = simulate(scenario, paths=paths, seed=seed)
    return MonteCarloSection(
        paths=result.paths,
        seed=result.seed,
        fan=result.fan("cash_usd"),
        npv_usd=np.asarray(result.npv_usd, dtype=np.float64),
        npv=result.npv_percentiles(),
        probability_out_of_cash=result.probability_out_of_cash,
        probability_break_even=result.probability_break_even,
    )


def _compute(basis: TechnicalBasis, catalog: Catalog, options: ReportOptions) -> tuple[ComputeSection, ...]:
    sections = []
    for key, k, m in (("now", 1.0, 1.0), ("scale", options.scale_data_factor, options.scale_model_factor)):
        work = TrainingWork.scaled_run(
            basis.flops_per_sample,
            basis.n_train,
            max(1, basis.epochs_completed),
            params=basis.params,
            data_factor=k,
            model_factor=m,
        )
        table = training_options(work, catalog.instances, catalog.accelerators)
        sections.append(
            ComputeSection(
                key=key,
                work=work,
                data_factor=k,
                model_factor=m,
                options=one_per_instance(table).head(TOP_ROWS).reset_index(drop=True),
                cheapest=_row(cheapest(table)),
                fastest=_row(fastest(table)),
                options_total=len(table),
                feasible_options=int(table["feasible"].astype(bool).sum()),
                instances_total=len(one_per_instance(table)),
            )
        )
    return tuple(sections)


def _serving(basis: TechnicalBasis, catalog: Catalog, requests: float) -> ServingSection:
    assumptions = ServingAssumptions()
    table = run_serving_options(basis, catalog.instances, catalog.accelerators, assumptions)
    plan = capacity_plan(
        table, requests_per_month=requests, p95_target_ms=DEFAULT_P95_TARGET_MS, assumptions=assumptions
    )
    return ServingSection(
        requests_per_month=requests,
        p95_target_ms=DEFAULT_P95_TARGET_MS,
        best=_row(best_serving(plan)),
        plan=plan.head(TOP_ROWS).reset_index(drop=True),
    )


def _data_value(
    record: Mapping[str, Any], n_train: int | None, accuracy_value: ValueOfAccuracy, options: ReportOptions
) -> DataValueSection:
    points = points_from_record(record)
    fit = fit_learning_curve(points)
    per_point = accuracy_value.usd_per_point_year
    provenance = "scenario" if per_point > 0 else "assumed"
    econ = DataEconomics(
        value_usd_per_point_per_year=per_point if per_point > 0 else DEFAULT_VALUE_USD_PER_POINT_PER_YEAR,
        label_cost_usd_per_sample=options.label_cost_usd,
        current_n=current_size(fit, n_train),
    )
    current = econ.current(fit)
    return DataValueSection(
        points=points,
        fit=fit,
        economics=econ,
        value_provenance=provenance,
        optimal=optimal_dataset_size(fit, econ, max_n=100 * current),
        purchase=buy_data(fit, econ, options.extra_samples),
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
    notes: dict[str, str] = {}
    effective, inputs, basis = scenario, None, None
    if run is not None:
        try:
            basis = TechnicalBasis.from_record(run.to_dict())
            inputs = run_inputs(basis, catalog, requests_per_month=serving_volume(scenario))
            effective = bind(scenario, inputs)
        except (BasisError, BindingError, ScenarioError) as exc:
            notes["binding"] = f"run {run.id} cannot drive this scenario: {exc}"
            inputs, effective = None, scenario
    frame = project(effective)
    k = kpis(frame, effective)
    accuracy_value = value_of_accuracy(effective)
    mc = table = None
    try:
        mc = monte_carlo_section(effective, paths=options.paths, seed=options.seed)
    except MonteCarloError as exc:
        notes["monte_carlo"] = str(exc)
    try:
        table = tornado(effective, change=options.change)
    except SensitivityError as exc:
        notes["sensitivity"] = str(exc)
    compute: tuple[ComputeSection, ...] = ()
    serving = data = None
    if basis is not None:
        try:
            compute = _compute(basis, catalog, options)
        except ComputeError as exc:
            notes["compute"] = str(exc)
        if basis.has_inference:
            try:
                serving = _serving(basis, catalog, serving_volume(scenario))
            except (ServingError, RunCostError) as exc:
                notes["serving"] = str(exc)
        else:
            notes["serving"] = f"run {basis.run_id} has no inference profile"
        try:
            data = _data_value(run.to_dict(), run.n_train, accuracy_value, options)  # type: ignore[union-attr]
        except DataValueError as exc:
            notes["data_value"] = str(exc)
    else:
        for section in ("compute", "serving", "data_value"):
            notes[section] = "no run drives this scenario"
    try:
        items = scorecard(
            effective,
            k,
            competitor=options.competitor,
            run=inputs,
            samples_owned=run.n_train if run is not None else None,
            accuracy_gain_points_per_usd_1000=_gain_per_1000(data, options),
        )
    except AdvantageError as exc:
        items = ()
        notes["scorecard"] = str(exc)
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
        accuracy_value=accuracy_value,
        scorecard=items,
        compute=compute,
        serving=serving,
        data_value=data,
        catalog=catalog_info(catalog),
        options=options,
        notes=notes,
        validation=validation_table(catalog),
    )


def scenario_json(scenario: Scenario) -> str:
    """The scenario as the JSON file users export and import (indented, UTF-8, no NaN)."""
    return json.dumps(scenario.to_dict(), indent=2, ensure_ascii=False, allow_nan=False) + "\n"
