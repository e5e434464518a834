"""Which serving option a measured run binds to a scenario (:func:`chosen_serving`).

USD throughout; one request is one prediction (one sample); latencies in milliseconds. Only
**measured**, priced rows of the **float** model count (its accuracy is the run's), so cost and
accuracy describe the same model. See :mod:`bizmodel.binding` for how the choice is used.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bizmodel.basis import TechnicalBasis
from bizmodel.catalog import Catalog
from bizmodel.production import scale_serving_rows
from bizmodel.reasons import Reason, why
from bizmodel.run_cost import RunCostError
from bizmodel.serving import (
    ServingAssumptions,
    ServingError,
    best_serving,
    capacity_plan,
    run_serving_options,
)

__all__ = ["chosen_serving"]


def _reason_or_text(value: object) -> Reason | str:
    """An option's name or source as a reason parameter (:func:`bizmodel.serving.serving_options`
    gives reasons; a table built by hand may hold text)."""
    return value if isinstance(value, Reason) else str(value)


def chosen_serving(
    basis: TechnicalBasis,
    catalog: Catalog,
    assumptions: ServingAssumptions,
    *,
    requests_per_month: float,
    p95_target_ms: float,
    model_factor: float = 1.0,
) -> tuple[float | None, float | None, Reason]:
    """The serving option :mod:`bizmodel.binding` binds as ``serving_usd_per_1000_predictions``.

    The measured, priced float-model rows of the run's profile, re-stated for a production model
    ``model_factor`` × the run's size, planned for ``requests_per_month`` (requests = predictions):
    the cheapest row meeting ``p95_target_ms`` (ms per request), else the one with the lowest p95.

    Returns
    -------
    tuple
        USD per 1,000 predictions at load and p95 per request (ms), both None when nothing could be
        priced, and a :class:`~bizmodel.reasons.Reason` saying which option that is, or why none.
    """
    run_id = basis.run_id
    if not basis.has_inference:
        return None, None, Reason("no_inference_profile", run_id=run_id)
    try:
        options = run_serving_options(basis, catalog.instances, catalog.accelerators, assumptions)
    except (ServingError, RunCostError) as exc:
        return None, None, Reason("serving_unpriced", run_id=run_id, error=why(exc))
    usd = pd.to_numeric(options["usd_per_1000"], errors="coerce")
    measured = options[
        (options["provenance"] == "measured") & ~options["quantized"].astype(bool) & np.isfinite(usd)
    ]
    if measured.empty:
        return None, None, Reason("serving_no_row", run_id=run_id)
    measured = scale_serving_rows(measured, model_factor)
    try:
        plan = capacity_plan(
            measured,
            requests_per_month=requests_per_month,
            p95_target_ms=p95_target_ms,
            assumptions=assumptions,
        )
    except ServingError as exc:
        return None, None, Reason("serving_unplanned", run_id=run_id, error=why(exc))
    best = best_serving(plan)
    verdict = Reason("verdict_met", target=float(p95_target_ms))
    if best is None:
        best = plan.sort_values(["p95_request_ms", "monthly_usd"], kind="stable").iloc[0]
        verdict = Reason("verdict_unmet", target=float(p95_target_ms))
    value = float(best["usd_per_1000_at_load"])
    p95 = float(best["p95_request_ms"])
    figures = {
        "run_id": run_id,
        "verdict": verdict,
        "option": _reason_or_text(best["option"]),
        "instances": int(best["instances"]),
        "requests": round(requests_per_month),
        "peak": float(best["peak_rps"]),
        "utilisation_fraction": float(assumptions.utilisation),
        "per_second": round(float(best["samples_per_second"])),
        "monthly_usd": float(best["monthly_usd"]),
        "per_1000_usd": value,
        "p95": p95,
        "fill": float(best["fill_ms"]),
        "call": float(best["p95_ms"]),
        "source": _reason_or_text(best["source"]),
    }
    if model_factor != 1.0:
        return value, p95, Reason("serving_detail_production", **figures, factor=float(model_factor))
    return value, p95, Reason("serving_detail", **figures)
