"""A measured run drives a scenario: its accuracy, retraining cost and serving cost replace assumptions.

:func:`run_inputs` reads what one finished run (a :class:`~bizmodel.basis.TechnicalBasis`) contributes
to a revenue :class:`~bizmodel.scenario.Scenario`, each number with a line of provenance;
:func:`bind` writes those numbers into a scenario.

Conventions
-----------
* Currency is USD; units are in the names (``retrain_cost_usd``, ``serving_usd_per_1000_predictions``,
  ``serving_p95_ms``). Accuracies are fractions 0–1. One prediction is one request (one sample).
* ``model_accuracy`` is the run's test accuracy (measured).
* ``run_cost_usd`` is what **this run** cost on a cloud bill: its billed wall time priced on the
  closest current catalog instance (:func:`bizmodel.run_cost.closest_instance` for the run's CPU
  family and core count, or the cheapest instance carrying the run's GPU), i.e.
  :func:`bizmodel.run_cost.price_run`'s ``compute_usd``. Energy is **not** added: a cloud $/hour
  already includes the provider's electricity (the energy figure at ``usd_per_kwh`` is quoted in the
  detail for comparison only). None when no catalog instance fits.
* ``retrain_cost_usd`` is **one production retraining**: the production model on the production data
  (:class:`bizmodel.production.ProductionScale`, from the scenario by :func:`inputs_for`), priced
  by :func:`bizmodel.production.production_retraining` (the measured throughput scaled, or the
  cheapest accelerator option for a large production model). With no scale given, production is
  the run itself (factors 1): the run's training plus one job's overhead.
* ``serving_usd_per_1000_predictions`` is what serving the **production model** costs at the
  scenario's volume. The **measured**, priced rows of :func:`bizmodel.serving.serving_options` for
  the **float** model (the one whose accuracy is ``model_accuracy``; int8 rows are left out so that
  cost and accuracy describe the same model; measured CPU rows are priced on the catalog CPU
  instance closest to the run's machine), re-stated for the production model
  (:func:`bizmodel.production.scale_serving_rows`: throughput ÷ the model factor, latency × it),
  go through :func:`bizmodel.serving.capacity_plan` for ``requests_per_month``
  (by default :data:`DEFAULT_REQUESTS_PER_MONTH`; callers pass the scenario's peak,
  :func:`peak_requests_per_month`) and a p95 target per request (:data:`DEFAULT_P95_TARGET_MS`).
  The cheapest row that meets the target (:func:`bizmodel.serving.best_serving`: by monthly cost,
  then request latency) is bound: its ``usd_per_1000_at_load`` (the whole instances its peak
  needs, billed all month, per 1,000 requests served) and its ``p95_request_ms`` as
  ``serving_p95_ms`` (batch fill + measured p95 per call: what a request sees). So a large batch
  that the volume cannot fill within the target is not chosen however cheap its full-load cost. If
  no measured row meets the target, the one with the lowest p95 per request is bound and
  ``serving_detail`` says so. None without an inference profile or without a priced measured row.
  The projection then treats this cost per 1,000 as variable; at volumes below the peak the real
  cost per request is higher (instances are whole).
* **Ranges from repeated seeds** (``basis.repeat``, at least 2 seeds):

  - ``accuracy_range`` = mean ± 2 sample standard deviations of the seeds' test accuracies, clipped
    to [0, 1]; None with fewer than 2 seeds or a zero spread.
  - ``serving_range``: serving cost scales with 1 / throughput, so with the seeds' (training)
    throughput mean ``m`` and sample standard deviation ``s`` the cost ranges from
    ``value × m / (m + 2s)`` to ``value × m / (m − 2s)``. When ``m − 2s`` is below ``m /``
    :data:`SERVING_RANGE_MAX_FACTOR` (or ≤ 0) the upper end is capped at ``value ×``
    :data:`SERVING_RANGE_MAX_FACTOR`. The seeds measure *training* throughput; its spread stands in
    for the run-to-run spread of serving throughput on the same machine (an assumption), and the cost
    is taken as proportional to 1 / throughput although a capacity plan's instances are whole (a
    planned volume that one instance serves costs the same at any throughput). None without a
    serving cost, with fewer than 2 seeds or a zero spread.

* :func:`bind` replaces ``model_accuracy`` always and the two costs when they are not None, through
  :meth:`bizmodel.scenario.Scenario.with_values` (an assumed range that no longer holds a bound value
  is dropped). With ranges (``with_ranges=True``, or by default the scenario's ``use_run_spread``)
  the two ranges above become triangular :class:`~bizmodel.scenario_ranges.Range` entries around the
  bound values (widened to hold them), for the Monte Carlo simulation.
* Provenance: everything taken from the run is **measured**; prices come from the **catalog** (with
  its as-of date); the detail strings say which is which.

Example
-------
A CPU run without an inference profile: its accuracy and both costs are priced, serving is not.

>>> from bizmodel.catalog import load_bundled
>>> rec = {"id": "r1", "status": "completed", "params": 100, "flops_per_sample": 200,
...        "n_train": 1000, "epochs_completed": 2, "train_seconds": 30.0, "wall_seconds": 36.0,
...        "device": "CPU (Intel Xeon, 2 logical cores)", "device_kind": "cpu", "test_accuracy": 0.9}
>>> inputs = run_inputs(TechnicalBasis.from_record(rec), load_bundled())
>>> inputs.model_accuracy, inputs.retrain_cost_usd > inputs.run_cost_usd > 0
(0.9, True)
>>> inputs.serving_usd_per_1000_predictions is None, inputs.retraining.method
(True, 'measured_scaled')
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd

from bizmodel.basis import BasisError, TechnicalBasis
from bizmodel.catalog import Catalog
from bizmodel.production import (
    ProductionRetraining,
    ProductionScale,
    production_retraining,
    production_scale,
    run_instance,
)
from bizmodel.projection import project_paths
from bizmodel.reasons import Reason, ReasonedError, why
from bizmodel.run_cost import RunCostError, price_run
from bizmodel.scenario import Scenario
from bizmodel.scenario_bounds import ScenarioError
from bizmodel.scenario_ranges import Range
from bizmodel.serving import ServingAssumptions
from bizmodel.serving_choice import chosen_serving

__all__ = [
    "DEFAULT_P95_TARGET_MS",
    "DEFAULT_REQUESTS_PER_MONTH",
    "SERVING_RANGE_MAX_FACTOR",
    "BindingError",
    "BoundRun",
    "InputsOf",
    "RunInputs",
    "RunUnusable",
    "bind",
    "bind_run",
    "inputs_for",
    "peak_requests_per_month",
    "run_inputs",
    "serving_volume",
]

#: The p95 latency target per request (ms) a bound serving option must meet.
DEFAULT_P95_TARGET_MS = 100.0

#: The monthly request volume serving is planned for when the caller gives none (requests = predictions).
DEFAULT_REQUESTS_PER_MONTH = 1e6

#: The upper end of ``serving_range`` is at most this many times the serving cost (see the module doc).
SERVING_RANGE_MAX_FACTOR = 10.0


class BindingError(ReasonedError):
    """A run's inputs cannot be priced or written into a scenario; the reason says what to change."""


@dataclass(frozen=True)
class RunInputs:
    """What a measured run contributes to a scenario, each number with its provenance text.

    Attributes
    ----------
    run_id, run_name : str
        The run's id and display name.
    model_accuracy : float
        The run's test accuracy, fraction 0–1 (measured).
    retrain_cost_usd : float or None
        One production retraining (:func:`bizmodel.production.production_retraining`, compute only,
        what a cloud bill charges); None when nothing could be priced.
    retrain_detail : Reason or str
        How ``retrain_cost_usd`` was computed, or why it is None.
    serving_usd_per_1000_predictions : float or None
        USD per 1,000 predictions of the cheapest measured, priced float-model option that meets
        the p95 target at the planned volume (its capacity plan's cost at load); None without an
        inference profile.
    serving_detail : Reason or str
        Which option that is (batch size, instances, volume, p95 per request) and where its price
        comes from, or why it is None.
    accuracy_range : tuple of float or None
        (low, high): mean ± 2 sample std of the repeated seeds' accuracies, clipped to [0, 1].
    serving_range : tuple of float or None
        (low, high) serving cost from the seeds' throughput spread (module docstring).
    accuracy_detail : Reason or str
        Where ``model_accuracy`` comes from.
    range_detail : Reason or str
        How the ranges were formed, or why they are None.
    serving_p95_ms : float or None
        p95 latency per request (ms) of the chosen serving option at the planned volume: the time
        its batch takes to fill plus its measured p95 per call.
    run_cost_usd : float or None
        This run's cost: its billed wall time priced on the closest catalog instance; None when
        no instance fits.
    run_cost_detail : Reason or str
        How ``run_cost_usd`` was computed, or why it is None.
    scale : ProductionScale or None
        What production trains and serves relative to the run (None: the run itself).
    retraining : ProductionRetraining or None
        The priced production retraining behind ``retrain_cost_usd``.
    requests_per_month : float or None
        The monthly volume serving was planned for.
    """

    run_id: str
    run_name: str
    model_accuracy: float
    retrain_cost_usd: float | None
    retrain_detail: Reason | str
    serving_usd_per_1000_predictions: float | None
    serving_detail: Reason | str
    accuracy_range: tuple[float, float] | None
    serving_range: tuple[float, float] | None
    accuracy_detail: Reason | str = ""
    range_detail: Reason | str = ""
    serving_p95_ms: float | None = None
    run_cost_usd: float | None = None
    run_cost_detail: Reason | str = ""
    scale: ProductionScale | None = None
    retraining: ProductionRetraining | None = None
    requests_per_month: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: ranges become two-element lists, non-finite numbers None, reasons
        their :meth:`~bizmodel.reasons.Reason.to_dict`.

        Returns
        -------
        dict
            One key per attribute.

        Examples
        --------
        >>> r = RunInputs("r1", "demo", 0.9, None, "no instance", 0.01, "measured", (0.88, 0.92), None)
        >>> d = r.to_dict()
        >>> d["accuracy_range"], d["retrain_cost_usd"], d["serving_range"]
        ([0.88, 0.92], None, None)
        """
        out: dict[str, Any] = {}
        for key in (f.name for f in fields(self)):
            value = getattr(self, key)
            if isinstance(value, ProductionScale | ProductionRetraining):
                nested = value.to_dict().items()
                out[key] = {k: _finite_or_none(v) if isinstance(v, float) else v for k, v in nested}
            elif isinstance(value, Reason):
                out[key] = value.to_dict()
            elif isinstance(value, tuple):
                out[key] = [_finite_or_none(v) for v in value]
            elif isinstance(value, float):
                out[key] = _finite_or_none(value)
            else:
                out[key] = value
        return out


def _is_real(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def _finite_or_none(value: float | None) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _label(row: pd.Series) -> Reason | str:
    parts = [str(row.get(k)) for k in ("provider", "region", "instance_type") if _present(row.get(k))]
    return " ".join(parts) or Reason("a_custom_instance")


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value)) and value != ""


def _run_cost(
    basis: TechnicalBasis, catalog: Catalog, usd_per_kwh: float, grid_g_co2_per_kwh: float
) -> tuple[float | None, Reason | str]:
    instance, refused = run_instance(basis, catalog)
    if instance is None:
        return None, refused or Reason("nothing_to_price")
    try:
        cost = price_run(basis, instance, usd_per_kwh=usd_per_kwh, grid_g_co2_per_kwh=grid_g_co2_per_kwh)
    except RunCostError as exc:
        return None, Reason("run_any", run_id=basis.run_id, text_msg=why(exc))
    usd = float(cost.compute_usd.value or 0.0)
    as_of = instance.get("as_of")
    figures = {
        "run_id": basis.run_id,
        "seconds": float(basis.billed_seconds),
        "instance": _label(instance),
        "hourly_usd": float(cost.usd_per_hour.value or 0.0),
        "dated": Reason("catalog_dated", as_of=str(as_of)) if _present(as_of) else Reason("price_typed"),
        "run_usd": usd,
    }
    energy = cost.energy_usd.value
    if energy is None or basis.energy_kwh is None:
        return usd, Reason("retrain_priced", **figures)
    energy_figures = {
        "kwh": float(basis.energy_kwh),
        "energy_usd": energy,
        "kwh_price_usd": float(usd_per_kwh),
    }
    return usd, Reason("retrain_priced_energy", **figures, **energy_figures)


def peak_requests_per_month(scenario: Scenario) -> float:
    """The highest monthly request volume of the scenario's projection (requests = predictions).

    The most active customers in any month × ``requests_per_user_month``, at least 1; what
    :func:`run_inputs` should plan serving for. The scenario's own values are used (its ranges
    are ignored).

    Parameters
    ----------
    scenario : Scenario
        The scenario, before or after binding.

    Returns
    -------
    float
        Requests per month, ≥ 1.

    Examples
    --------
    >>> from bizmodel.scenario import base_template
    >>> s = base_template()
    >>> peak = peak_requests_per_month(s)
    >>> peak > 1e6, peak_requests_per_month(s.with_values(requests_per_user_month=0.0))
    (True, 1.0)
    """
    active = project_paths(scenario, columns=["active_customers"])["active_customers"]
    peak = float(active.max()) * float(scenario.requests_per_user_month)
    return max(peak, 1.0) if math.isfinite(peak) else 1.0


def _ranges(
    basis: TechnicalBasis, serving: float | None
) -> tuple[tuple[float, float] | None, tuple[float, float] | None, Reason]:
    spread = basis.repeat
    if spread is None or spread.seeds < 2:
        return None, None, Reason("no_ranges")
    notes: list[Reason] = []
    accuracy_range: tuple[float, float] | None = None
    if spread.accuracy_std > 0:
        low = min(1.0, max(0.0, spread.accuracy_mean - 2.0 * spread.accuracy_std))
        high = min(1.0, max(0.0, spread.accuracy_mean + 2.0 * spread.accuracy_std))
        accuracy_range = (low, high)
        notes.append(
            Reason(
                "accuracy_spread",
                mean_fraction=float(spread.accuracy_mean),
                std_fraction=float(spread.accuracy_std),
                seeds=int(spread.seeds),
            )
        )
    else:
        notes.append(Reason("no_accuracy_range", seeds=int(spread.seeds)))
    serving_range: tuple[float, float] | None = None
    mean, std = spread.throughput_mean, spread.throughput_std
    if serving is None:
        notes.append(Reason("no_serving_range_cost"))
    elif not (mean > 0 and std > 0):
        notes.append(Reason("no_serving_range_spread"))
    else:
        floor = mean / SERVING_RANGE_MAX_FACTOR
        slow = mean - 2.0 * std
        capped = slow < floor
        serving_range = (serving * mean / (mean + 2.0 * std), serving * mean / max(slow, floor))
        notes.append(Reason("serving_spread", mean=float(mean), std=float(std)))
        if capped:
            notes.append(Reason("range_capped", factor=float(SERVING_RANGE_MAX_FACTOR)))
    return accuracy_range, serving_range, Reason("clauses", parts=tuple(notes))


def run_inputs(
    basis: TechnicalBasis,
    catalog: Catalog,
    *,
    requests_per_month: float | None = None,
    p95_target_ms: float = DEFAULT_P95_TARGET_MS,
    serving_assumptions: ServingAssumptions | None = None,
    usd_per_kwh: float = 0.12,
    grid_g_co2_per_kwh: float = 400.0,
    scale: ProductionScale | None = None,
) -> RunInputs:
    """What a finished run contributes to a scenario (see the module docstring for each number).

    Callers with a scenario use :func:`inputs_for`, which passes the scenario's production scale
    and serving volume.

    Parameters
    ----------
    basis : TechnicalBasis
        The finished run.
    catalog : Catalog
        Prices for retraining and serving (e.g. :func:`bizmodel.catalog.load_bundled`).
    requests_per_month : float or None
        The monthly request volume to plan serving for (> 0; one request = one prediction),
        normally :func:`peak_requests_per_month` of the scenario; :data:`DEFAULT_REQUESTS_PER_MONTH`
        (1e6) when None.
    p95_target_ms : float
        The p95 latency target per request in ms (> 0), batch fill included;
        :data:`DEFAULT_P95_TARGET_MS` (100 ms) by default.
    serving_assumptions : ServingAssumptions or None
        Utilisation, peak-to-average ratio and hours per month for
        :func:`bizmodel.serving.serving_options` and :func:`bizmodel.serving.capacity_plan`; the
        defaults (50 % utilisation at peak, peak 2× average, 730 hours) when None.
    usd_per_kwh : float
        Assumed electricity price, only for the energy comparison in ``retrain_detail`` (≥ 0;
        0.12 as on the Compute page).
    grid_g_co2_per_kwh : float
        Assumed grid intensity passed to :func:`bizmodel.run_cost.price_run` (≥ 0; 400 as on the
        Compute page).
    scale : ProductionScale or None
        What production trains and serves (:func:`bizmodel.production.production_scale`); None:
        the run itself (both factors 1).

    Returns
    -------
    RunInputs

    Raises
    ------
    BindingError
        If the electricity price or grid intensity is negative or not finite, or the request
        volume or p95 target is not a positive number.

    Examples
    --------
    The module docstring's example binds a CPU run priced on the bundled catalog.
    """
    volume = _checked_volume(usd_per_kwh, grid_g_co2_per_kwh, requests_per_month, p95_target_ms)
    assumptions = serving_assumptions or ServingAssumptions()
    scale = scale or ProductionScale(1.0, 1.0, False, False, max(1, basis.n_train), max(1, basis.params))
    run_cost = _run_cost(basis, catalog, usd_per_kwh, grid_g_co2_per_kwh)
    retraining = production_retraining(basis, catalog, scale)
    serving = chosen_serving(
        basis,
        catalog,
        assumptions,
        requests_per_month=volume,
        p95_target_ms=float(p95_target_ms),
        model_factor=scale.model_factor,
    )
    return _assembled(
        basis, scale=scale, volume=volume, run_cost=run_cost, retraining=retraining, serving=serving
    )


def _assembled(
    basis: TechnicalBasis,
    *,
    scale: ProductionScale,
    volume: float,
    run_cost: tuple[float | None, Reason | str],
    retraining: ProductionRetraining,
    serving: tuple[float | None, float | None, Reason | str],
) -> RunInputs:
    """:func:`run_inputs`' last step: the priced figures, the seeds' ranges and the provenance of
    each, as one :class:`RunInputs`. ``run_cost`` is :func:`_run_cost`'s (USD, detail), ``serving``
    :func:`bizmodel.serving_choice.chosen_serving`'s (USD per 1,000, p95 ms, detail)."""
    run_cost_usd, run_cost_detail = run_cost
    serving_usd, p95, serving_detail = serving
    accuracy_range, serving_range, range_detail = _ranges(basis, serving_usd)
    return RunInputs(
        run_id=basis.run_id,
        run_name=basis.name,
        model_accuracy=float(basis.test_accuracy),
        retrain_cost_usd=retraining.cost_usd,
        retrain_detail=_retrain_detail(basis, retraining),
        serving_usd_per_1000_predictions=serving_usd,
        serving_detail=serving_detail,
        accuracy_range=accuracy_range,
        serving_range=serving_range,
        accuracy_detail=_accuracy_detail(basis),
        range_detail=range_detail,
        serving_p95_ms=p95,
        run_cost_usd=run_cost_usd,
        run_cost_detail=run_cost_detail,
        scale=scale,
        retraining=retraining,
        requests_per_month=volume,
    )


def _checked_volume(
    usd_per_kwh: float, grid_g_co2_per_kwh: float, requests_per_month: float | None, p95_target_ms: float
) -> float:
    """The monthly request volume to plan for (:data:`DEFAULT_REQUESTS_PER_MONTH` when None), after
    checking :func:`run_inputs`' policies; raises :class:`BindingError` as it documents."""
    if not (math.isfinite(usd_per_kwh) and usd_per_kwh >= 0):
        raise BindingError(f"usd_per_kwh must be a number ≥ 0, got {usd_per_kwh!r}")
    if not (math.isfinite(grid_g_co2_per_kwh) and grid_g_co2_per_kwh >= 0):
        raise BindingError(f"grid_g_co2_per_kwh must be a number ≥ 0, got {grid_g_co2_per_kwh!r}")
    volume = DEFAULT_REQUESTS_PER_MONTH if requests_per_month is None else requests_per_month
    if not (_is_real(volume) and math.isfinite(volume) and volume > 0):
        raise BindingError(f"requests_per_month must be a positive number, got {requests_per_month!r}")
    if not (_is_real(p95_target_ms) and math.isfinite(p95_target_ms) and p95_target_ms > 0):
        raise BindingError(f"p95_target_ms must be a positive number of milliseconds, got {p95_target_ms!r}")
    return float(volume)


def _retrain_detail(basis: TechnicalBasis, retraining: ProductionRetraining) -> Reason | str:
    """How one production retraining was priced (naming the run), or why it could not be."""
    if retraining.cost_usd is None:
        return retraining.detail
    return Reason("run_any", run_id=basis.run_id, text_msg=retraining.detail)


def _accuracy_detail(basis: TechnicalBasis) -> Reason:
    """Where ``model_accuracy`` comes from: the run's test accuracy (on how many samples, if known)."""
    accuracy = {"run_id": basis.run_id, "accuracy_fraction": float(basis.test_accuracy)}
    if basis.n_test:
        return Reason("accuracy_measured_on", **accuracy, n_test=int(basis.n_test))
    return Reason("accuracy_measured", **accuracy)


def serving_volume(scenario: Scenario) -> float:
    """Requests a month the run's serving is planned for: the scenario's peak
    (:func:`peak_requests_per_month`, at its typed accuracy) to 3 significant digits — the same
    volume for the binding, the Serving section, the Scenarios page and the command line.

    >>> from bizmodel.scenario import base_template
    >>> serving_volume(base_template()) == float(f"{peak_requests_per_month(base_template()):.3g}")
    True
    """
    return float(f"{peak_requests_per_month(scenario):.3g}")


def inputs_for(scenario: Scenario, basis: TechnicalBasis, catalog: Catalog) -> RunInputs:
    """What ``basis`` contributes to ``scenario``: :func:`run_inputs` with the scenario's production
    scale (:func:`bizmodel.production.production_scale`) and serving volume (:func:`serving_volume`).

    The one way every page, the report, the workbook and the command line price a scenario's
    production, so they show the same "this run", "one production retraining" and "$ per 1,000
    predictions".

    Raises
    ------
    BindingError
        As :func:`run_inputs`.
    """
    scale = production_scale(scenario, basis.n_train, basis.params)
    return run_inputs(basis, catalog, requests_per_month=serving_volume(scenario), scale=scale)


def _run_ranges(scenario: Scenario, inputs: RunInputs) -> dict[str, Range]:
    """Triangular ranges from the run's spread, widened where needed to hold the bound value."""
    spreads = {
        "model_accuracy": inputs.accuracy_range,
        "serving_usd_per_1000_predictions": inputs.serving_range,
    }
    out: dict[str, Range] = {}
    for name, spread in spreads.items():
        if spread is None:
            continue
        value = float(getattr(scenario, name))
        low, high = min(spread[0], value), max(spread[1], value)
        if low < high:
            out[name] = Range(name, low, high, "triangular")
    return out


def bind(scenario: Scenario, inputs: RunInputs, *, with_ranges: bool | None = None) -> Scenario:
    """The scenario with the run's measured numbers in place of the assumed ones.

    ``model_accuracy`` is always replaced; ``retrain_cost_usd`` and
    ``serving_usd_per_1000_predictions`` only when the run priced them (not None): one production
    retraining and production serving, as :func:`inputs_for` priced them for the scenario. Every
    other field is kept. A range the scenario had on a
    replaced field is kept while it still holds the new value and dropped otherwise
    (:meth:`bizmodel.scenario.Scenario.with_values`).

    With ranges, the run's spread over seeds becomes the range of ``model_accuracy``
    (``accuracy_range``) and of ``serving_usd_per_1000_predictions`` (``serving_range``):
    triangular, with the bound value as the most likely value, and widened to hold that value when
    it lies outside the seeds' spread (a run's own accuracy need not lie within its seeds' mean ± 2
    std). Such a range replaces any range the scenario had on that field; a field without a spread
    keeps its range.

    Parameters
    ----------
    scenario : Scenario
        The scenario to update (it is not changed; a new one is returned).
    inputs : RunInputs
        From :func:`run_inputs`.
    with_ranges : bool or None
        Whether to add ranges from the run's repeated seeds; None (the default) follows the
        scenario's ``use_run_spread``.

    Returns
    -------
    Scenario

    Raises
    ------
    BindingError
        If a bound value makes the scenario invalid (e.g. an accuracy outside 0–1, or a scaled
        retraining cost above the field's bound).

    Examples
    --------
    >>> from bizmodel.scenario import base_template
    >>> r = RunInputs("r1", "demo", 0.93, None, "no instance", 0.004, "measured", (0.91, 0.95), None)
    >>> s = bind(base_template(), r)
    >>> s.model_accuracy, s.retrain_cost_usd, s.serving_usd_per_1000_predictions
    (0.93, 200.0, 0.004)
    >>> bind(base_template(), r, with_ranges=True).range_of("model_accuracy")
    Range(field='model_accuracy', low=0.91, high=0.95, distribution='triangular')
    >>> spread = base_template().with_values(use_run_spread=True)
    >>> bind(spread, r).range_of("model_accuracy") is not None, bind(spread, r, with_ranges=False).range_of(
    ...     "model_accuracy")
    (True, None)
    >>> priced = RunInputs("r1", "demo", 0.93, 3.6, "one retraining", None, "no profile", None, None)
    >>> bind(base_template(), priced).retrain_cost_usd
    3.6
    """
    if with_ranges is None:
        with_ranges = bool(scenario.use_run_spread)
    changes: dict[str, Any] = {"model_accuracy": inputs.model_accuracy}
    if inputs.retrain_cost_usd is not None:
        changes["retrain_cost_usd"] = inputs.retrain_cost_usd
    if inputs.serving_usd_per_1000_predictions is not None:
        changes["serving_usd_per_1000_predictions"] = inputs.serving_usd_per_1000_predictions
    try:
        bound = scenario.with_values(**changes)
        if with_ranges:
            added = _run_ranges(bound, inputs)
            if added:
                kept = tuple(r for r in bound.ranges if r.field not in added)
                bound = bound.with_values(ranges=kept + tuple(added.values()))
    except ScenarioError as exc:
        raise BindingError(Reason("bind_refused", run_id=inputs.run_id, error=why(exc))) from exc
    return bound


#: How :func:`bind_run` prices a run for a scenario: :func:`inputs_for`, or a cached equivalent.
InputsOf = Callable[[Scenario, TechnicalBasis, Catalog], RunInputs]


class RunUnusable(BindingError):
    """A run cannot drive a scenario (:func:`bind_run`): ``reason`` (or the message) says why, as
    the first failure said it; ``basis`` is the run's basis when its record could be read (None when
    the record itself is unusable)."""

    def __init__(self, why: Reason | str, *, basis: TechnicalBasis | None = None) -> None:
        super().__init__(why)
        self.basis = basis


@dataclass(frozen=True)
class BoundRun:
    """A scenario driven by a run: ``scenario`` (bound, :func:`bind`), the run's ``inputs``
    (:func:`inputs_for`) and its ``basis`` (:meth:`~bizmodel.basis.TechnicalBasis.from_record`)."""

    scenario: Scenario
    inputs: RunInputs
    basis: TechnicalBasis


def bind_run(
    scenario: Scenario,
    record: Mapping[str, Any],
    catalog: Catalog,
    *,
    inputs_of: InputsOf = inputs_for,
) -> BoundRun:
    """``scenario`` driven by the run ``record``: its basis, what it contributes (priced for the
    scenario) and the scenario bound to it — the one sequence the pages and the report follow.

    Parameters
    ----------
    scenario : Scenario
        The scenario as typed (not changed).
    record : mapping
        The run's stored record (``RunRecord.to_dict()``).
    catalog : Catalog
        Prices for retraining and serving.
    inputs_of : callable
        ``(scenario, basis, catalog) -> RunInputs``; :func:`inputs_for` by default (the pages pass
        a cached one).

    Returns
    -------
    BoundRun

    Raises
    ------
    RunUnusable
        When the record is no basis (:class:`~bizmodel.basis.BasisError`), the run cannot be priced
        or bound (:class:`BindingError`) or the bound scenario is invalid
        (:class:`~bizmodel.scenario_bounds.ScenarioError`); it carries that error's reason or
        message, and the basis when there is one.

    Examples
    --------
    >>> from bizmodel.catalog import load_bundled
    >>> from bizmodel.scenario import base_template
    >>> rec = {"id": "r1", "status": "completed", "params": 100, "flops_per_sample": 200,
    ...        "n_train": 1000, "epochs_completed": 2, "train_seconds": 30.0, "wall_seconds": 36.0,
    ...        "device": "CPU (Intel Xeon, 2 logical cores)", "device_kind": "cpu", "test_accuracy": 0.9}
    >>> bound = bind_run(base_template(), rec, load_bundled())
    >>> bound.scenario.model_accuracy, bound.inputs.run_id, bound.basis.run_id
    (0.9, 'r1', 'r1')
    >>> try:
    ...     bind_run(base_template(), {**rec, "test_accuracy": 1.5}, load_bundled())
    ... except RunUnusable as exc:
    ...     exc.basis is not None
    True
    """
    try:
        basis = TechnicalBasis.from_record(dict(record))
    except BasisError as exc:
        raise RunUnusable(why(exc)) from exc
    try:
        inputs = inputs_of(scenario, basis, catalog)
        bound = bind(scenario, inputs)
    except (BindingError, ScenarioError) as exc:
        raise RunUnusable(why(exc), basis=basis) from exc
    return BoundRun(bound, inputs, basis)
