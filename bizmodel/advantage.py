"""An economic-advantage scorecard: cost, technology, data and business-model advantage, each with provenance.

The four headings follow the usual account of a start-up's economic advantage in AI: a **cost**
advantage (serving predictions for less), a **technology** advantage (a better or faster model), a
**data** advantage (owning data, and data that buys accuracy cheaply) and a **business-model**
advantage (margins and unit economics that compound). :func:`scorecard` turns a scenario, its KPIs,
an optional measured run and a competitor baseline into one :class:`ScoreItem` per figure;
:func:`value_of_accuracy` prices accuracy through the scenario's accuracy link.

Conventions
-----------
* Currency is USD; units are in the names and in each item's ``unit``. Accuracies and margins are
  fractions 0–1; an accuracy **point** is one percentage point (0.01).
* ``provenance`` is that of **your** figure: ``measured`` when it is the run's measured number (the
  scenario was bound to the run, :func:`bizmodel.binding.bind`), ``assumed`` when it is typed or
  projected from the scenario's assumptions, ``catalog`` for a catalog price. The competitor's
  figures (:class:`CompetitorBaseline`) are **always assumed**, typed by the user; every comparison's
  ``detail`` says so.
* ``favourable`` is True when the figure is an advantage, False when it is a drawback, None when
  it is undefined or informational (``reason`` then says why). The thresholds are rules of thumb,
  named constants here: LTV/CAC ≥ :data:`LTV_TO_CAC_GOOD` (3), gross margin ≥
  :data:`GROSS_MARGIN_GOOD` (0.5, a common bar for AI products whose inference is a real cost), CAC
  payback ≤ :data:`CAC_PAYBACK_GOOD_MONTHS` (12 months). Data pays when one year of the accuracy
  it buys is worth at least what the data costs.
* :func:`value_of_accuracy` sums **undiscounted** operating cash flow over the horizon (see
  :mod:`bizmodel.projection`) and divides by the horizon in years.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from bizmodel.accuracy_link import AccuracyLink
from bizmodel.binding import RunInputs
from bizmodel.projection import Kpis, project
from bizmodel.reasons import Reason
from bizmodel.scenario import Scenario

__all__ = [
    "CAC_PAYBACK_GOOD_MONTHS",
    "CATEGORIES",
    "GROSS_MARGIN_GOOD",
    "LTV_TO_CAC_GOOD",
    "AdvantageError",
    "CompetitorBaseline",
    "ScoreItem",
    "ValueOfAccuracy",
    "scorecard",
    "scorecard_frame",
    "value_of_accuracy",
]

Category = Literal["cost", "technology", "data", "business_model"]
Provenance = Literal["measured", "catalog", "assumed"]
CATEGORIES: tuple[str, ...] = ("cost", "technology", "data", "business_model")
LTV_TO_CAC_GOOD = 3.0
"""LTV ÷ CAC at or above which unit economics count as favourable (a common venture rule of thumb)."""
GROSS_MARGIN_GOOD = 0.5
"""Gross margin (fraction) at or above which it counts as favourable for an AI product (rule of thumb)."""
CAC_PAYBACK_GOOD_MONTHS = 12.0
"""Months of one customer's contribution (revenue − serving cost) to repay CAC at or below which it counts
as favourable (rule of thumb)."""


class AdvantageError(ValueError):
    """Scorecard inputs are out of range (a negative cost, an accuracy outside 0–1, …)."""


@dataclass(frozen=True)
class ScoreItem:
    """One figure of the scorecard.

    Attributes
    ----------
    category : str
        ``cost``, ``technology``, ``data`` or ``business_model``.
    key, label : str
        A stable identifier and a label for people.
    value : float or None
        The figure in ``unit``; None when it cannot be computed (``reason`` says why).
    unit : str
        Its unit, e.g. ``"× competitor"``, ``"points"``, ``"fraction"``.
    provenance : str
        ``measured``, ``catalog`` or ``assumed`` (of your figure; see the module docstring).
    detail : Reason
        The inputs and how the figure was formed.
    favourable : bool or None
        Whether it is an advantage; None when undefined or informational.
    reason : Reason or None
        Why ``value`` or ``favourable`` is None.
    """

    category: Category
    key: str
    label: str
    value: float | None
    unit: str
    provenance: Provenance
    detail: Reason
    favourable: bool | None
    reason: Reason | None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (a non-finite value becomes None, a reason its ``to_dict``).

        Examples
        --------
        >>> item = ScoreItem("cost", "k", "K", float("nan"), "x", "assumed", Reason("as_given"), None, None)
        >>> item.to_dict()["value"] is None, item.to_dict()["detail"]
        (True, {'code': 'as_given', 'params': {}})
        """
        out = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        if isinstance(self.value, float) and not math.isfinite(self.value):
            out["value"] = None
        out["detail"] = self.detail.to_dict()
        out["reason"] = None if self.reason is None else self.reason.to_dict()
        return out


@dataclass(frozen=True)
class CompetitorBaseline:
    """What the best alternative offers; every figure is assumed (typed by the user).

    Attributes
    ----------
    usd_per_1000_predictions : float
        Its cost (or price to you) per 1,000 predictions, ≥ 0.
    accuracy : float
        Its accuracy on the same task, fraction 0–1.
    p95_latency_ms : float or None
        Its p95 latency per request in milliseconds (> 0), if known.

    Examples
    --------
    >>> CompetitorBaseline(usd_per_1000_predictions=0.5, accuracy=0.9).p95_latency_ms is None
    True
    """

    usd_per_1000_predictions: float
    accuracy: float
    p95_latency_ms: float | None = None

    def __post_init__(self) -> None:
        problems = []
        if not (_finite(self.usd_per_1000_predictions) and self.usd_per_1000_predictions >= 0):
            problems.append(f"usd_per_1000_predictions must be ≥ 0, got {self.usd_per_1000_predictions!r}")
        if not (_finite(self.accuracy) and 0.0 <= self.accuracy <= 1.0):
            problems.append(f"accuracy must be a fraction 0–1, got {self.accuracy!r}")
        if self.p95_latency_ms is not None and not (_finite(self.p95_latency_ms) and self.p95_latency_ms > 0):
            problems.append(f"p95_latency_ms must be > 0 or None, got {self.p95_latency_ms!r}")
        if problems:
            raise AdvantageError("competitor baseline: " + "; ".join(problems))


def _finite(value: object) -> bool:
    number = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
    return number and math.isfinite(float(value))  # type: ignore[arg-type]


@dataclass(frozen=True)
class ValueOfAccuracy:
    """What ``points`` more accuracy points are worth a year through the scenario's accuracy link.

    Attributes
    ----------
    usd_per_point_year : float
        USD per accuracy point per year: (Σ operating cash flow at the higher accuracy − Σ at the
        base) ÷ (horizon in years) ÷ ``points``. Accuracy acts through the accuracy link (adoption
        and churn) and through human review (fewer errors to review). 0 when neither moves it.
        Negative only when the extra customers cost more to acquire than they return within the
        horizon; ``reason`` then says so with the figures.
    base_accuracy : float
        The scenario's ``model_accuracy``.
    points : float
        Points actually added (the request, less any part above 100 %).
    factor_base, factor_up : float
        The accuracy link's adoption factor at the base and at the higher accuracy.
    detail : Reason
        The figures used.
    reason : Reason or None
        Why the value is 0 (flat link and no review, or already 100 % accurate) or negative (the
        horizon ends before the extra customers pay back); None otherwise.
    """

    usd_per_point_year: float
    base_accuracy: float
    points: float
    factor_base: float
    factor_up: float
    detail: Reason
    reason: Reason | None


def value_of_accuracy(scenario: Scenario, *, points: float = 1.0) -> ValueOfAccuracy:
    """USD per year that ``points`` more accuracy points are worth, per point, through the accuracy link.

    The scenario is projected twice, at ``model_accuracy`` and at ``model_accuracy + points / 100``
    (clipped at 1.0); the difference of the summed operating cash flows, divided by the horizon in
    years and by the points actually added, is the value. Accuracy acts through the link's factor
    (adoption, and churn above the delightful level) and through human review (each error the model
    no longer makes is a review less, :attr:`~bizmodel.scenario.Scenario.review_per_error`). The
    value is 0 where the link is flat (at or above delightful accuracy, or when even the higher
    accuracy is at or below the minimum viable one) and nothing is reviewed; it is negative only
    when the customers that accuracy wins cost more to acquire than they return within the horizon,
    and ``reason`` then gives the figures.

    Parameters
    ----------
    scenario : Scenario
        The scenario (its ``accuracy_link`` and ``horizon_months`` matter).
    points : float
        Accuracy points to add (> 0); 1.0 = one percentage point.

    Returns
    -------
    ValueOfAccuracy

    Raises
    ------
    AdvantageError
        If ``points`` is not a positive finite number.

    Examples
    --------
    >>> from bizmodel.scenario import base_template
    >>> v = value_of_accuracy(base_template())
    >>> v.usd_per_point_year > 0, v.reason is None, v.base_accuracy
    (True, True, 0.92)
    >>> flat = value_of_accuracy(base_template().with_values(model_accuracy=0.97, review_per_error=0.0))
    >>> flat.usd_per_point_year, flat.reason
    (0.0, Reason('voa_delightful', base_fraction=0.97, delightful_fraction=0.95))
    >>> value_of_accuracy(base_template().with_values(model_accuracy=0.97)).usd_per_point_year > 0  # reviews
    True
    """
    if not (_finite(points) and points > 0):
        raise AdvantageError(f"points must be a positive number, got {points!r}")
    link = scenario.accuracy_link
    base = float(scenario.model_accuracy)
    up = min(1.0, base + points / 100.0)
    applied = float(points) if up < 1.0 else (1.0 - base) * 100.0
    factor_base = float(link.factor(base))
    factor_up = float(link.factor(up))
    years = scenario.horizon_months / 12.0
    figures = {
        "base_fraction": base,
        "up_fraction": up,
        "factor_base": factor_base,
        "factor_up": factor_up,
        "minimum_fraction": float(link.minimum_viable_accuracy),
        "delightful_fraction": float(link.delightful_accuracy),
        "months": int(scenario.horizon_months),
    }
    if applied <= 0:
        detail = Reason("voa_detail", **figures)
        return ValueOfAccuracy(0.0, base, 0.0, factor_base, factor_up, detail, Reason("voa_full"))
    base_frame = project(scenario)
    up_frame = project(scenario.with_values(model_accuracy=up))
    base_cash = float(base_frame["operating_cash_flow_usd"].sum())
    up_cash = float(up_frame["operating_cash_flow_usd"].sum())
    value = (up_cash - base_cash) / years / applied
    detail = Reason(
        "voa_detail_valued", **figures, base_cash_usd=base_cash, up_cash_usd=up_cash, value_usd=value
    )
    reason: Reason | None = None
    if value == 0.0 and factor_up == factor_base:
        reason = _flat_reason(link, base, up)
    elif value < 0.0:
        reason = _negative_reason(scenario, base_frame, up_frame)
    return ValueOfAccuracy(value, base, applied, factor_base, factor_up, detail, reason)


def _flat_reason(link: AccuracyLink, base: float, up: float) -> Reason:
    """Why accuracy from ``base`` to ``up`` (fractions) is worth nothing: the link is flat there,
    at or above delightful accuracy or with even ``up`` not viable.

    >>> link = AccuracyLink()
    >>> _flat_reason(link, 0.97, 0.98).code, _flat_reason(link, 0.5, 0.51).code
    ('voa_delightful', 'voa_unviable')
    """
    if base >= link.delightful_accuracy:
        return Reason(
            "voa_delightful", base_fraction=base, delightful_fraction=float(link.delightful_accuracy)
        )
    return Reason("voa_unviable", up_fraction=up, minimum_fraction=float(link.minimum_viable_accuracy))


def _negative_reason(scenario: Scenario, base_frame: pd.DataFrame, up_frame: pd.DataFrame) -> Reason:
    """Why more accuracy loses money over the horizon, from the projections at the base
    (``base_frame``) and the higher accuracy (``up_frame``): every customer costs more to serve
    than it pays (``voa_customers_lose``), or the extra customers cost more to acquire than they
    return within the horizon (``voa_negative``, with the customers, acquisition and margin)."""
    customers = float(up_frame["new_customers"].sum() - base_frame["new_customers"].sum())
    arpu = scenario.revenue_usd_per_user_month
    cost = scenario.variable_cost_usd_per_user_month
    if cost >= arpu:
        return Reason(
            "voa_customers_lose", arpu_usd=float(arpu), cost_usd=float(cost), customers=round(customers)
        )
    margin = float(up_frame["gross_margin_usd"].sum() - base_frame["gross_margin_usd"].sum())
    acquisition = float(up_frame["acquisition_usd"].sum() - base_frame["acquisition_usd"].sum())
    return Reason(
        "voa_negative",
        customers=round(customers),
        acquisition_usd=acquisition,
        margin_usd=margin,
        months=int(scenario.horizon_months),
    )


# ---------------------------------------------------------------------- the scorecard


def _is_run_value(scenario_value: float, run_value: float | None) -> bool:
    return run_value is not None and math.isclose(scenario_value, run_value, rel_tol=1e-9, abs_tol=1e-15)


def _cost_items(scenario: Scenario, competitor: CompetitorBaseline, run: RunInputs | None) -> list[ScoreItem]:
    yours = scenario.serving_usd_per_1000_predictions
    measured = run is not None and _is_run_value(yours, run.serving_usd_per_1000_predictions)
    source = run.serving_detail if measured and run is not None else Reason("assumed_in_scenario")
    theirs = competitor.usd_per_1000_predictions
    detail = Reason("cost_vs_competitor", yours_usd=float(yours), source=source, theirs_usd=float(theirs))
    reason: Reason | None
    if theirs == 0:
        value, favourable, reason = None, None, Reason("competitor_cost_zero")
    else:
        value = yours / theirs
        favourable, reason = value < 1.0, None
    return [
        ScoreItem(
            "cost",
            "serving_cost_vs_competitor",
            "Serving cost per 1,000 predictions vs competitor",
            value,
            "× competitor",
            "measured" if measured else "assumed",
            detail,
            favourable,
            reason,
        )
    ]


def _technology_items(
    scenario: Scenario,
    competitor: CompetitorBaseline,
    run: RunInputs | None,
    p95_latency_ms: float | None,
    accuracy_value: ValueOfAccuracy,
) -> list[ScoreItem]:
    accuracy = scenario.model_accuracy
    measured = run is not None and _is_run_value(accuracy, run.model_accuracy)
    source: Reason | str = Reason("assumed")
    if measured and run is not None:
        source = run.accuracy_detail or Reason("run_ref", run_id=run.run_id)
    lead = (accuracy - competitor.accuracy) * 100.0
    items = [
        ScoreItem(
            "technology",
            "accuracy_lead_points",
            "Accuracy lead over competitor",
            lead,
            "points",
            "measured" if measured else "assumed",
            Reason(
                "accuracy_vs_competitor",
                yours_fraction=float(accuracy),
                source=source,
                theirs_fraction=float(competitor.accuracy),
            ),
            lead > 0,
            None,
        )
    ]
    items.append(_p95_item(competitor, run, p95_latency_ms))
    items.append(
        ScoreItem(
            "technology",
            "value_per_accuracy_point",
            "What one more accuracy point is worth",
            accuracy_value.usd_per_point_year,
            "USD per point per year",
            "assumed",
            accuracy_value.detail,
            None,
            accuracy_value.reason or Reason("accuracy_point_informational"),
        )
    )
    return items


def _p95_item(
    competitor: CompetitorBaseline, run: RunInputs | None, p95_latency_ms: float | None
) -> ScoreItem:
    """Your p95 latency per request ÷ the competitor's (favourable below 1): yours as given, else
    the run's ``serving_p95_ms``; None with the reason when either side is unknown.

    >>> _p95_item(CompetitorBaseline(0.5, 0.9, p95_latency_ms=40.0), None, 20.0).value
    0.5
    >>> _p95_item(CompetitorBaseline(0.5, 0.9), None, 20.0).reason
    Reason('p95_theirs_unknown')
    """
    run_p95 = run.serving_p95_ms if run is not None else None
    yours_p95 = p95_latency_ms if p95_latency_ms is not None else run_p95
    p95_measured = yours_p95 is not None and _is_run_value(yours_p95, run_p95)
    theirs_p95 = competitor.p95_latency_ms
    ratio: float | None = None
    favourable: bool | None = None
    reason: Reason | None = None
    if yours_p95 is None or theirs_p95 is None:
        detail = Reason("p95_ratio")
        reason = Reason("p95_yours_unknown" if yours_p95 is None else "p95_theirs_unknown")
    else:
        ratio = yours_p95 / theirs_p95
        favourable = ratio < 1.0
        origin = Reason("p95_origin_measured" if p95_measured else "p95_origin_given")
        detail = Reason("p95_vs_competitor", yours=float(yours_p95), origin=origin, theirs=float(theirs_p95))
    return ScoreItem(
        "technology",
        "p95_latency_vs_competitor",
        "p95 latency vs competitor",
        ratio,
        "× competitor",
        "measured" if p95_measured else "assumed",
        detail,
        favourable,
        reason,
    )


def _data_items(
    samples_owned: int | None,
    points_per_usd_1000: float | None,
    accuracy_value: ValueOfAccuracy,
) -> list[ScoreItem]:
    if samples_owned is not None and not (_finite(samples_owned) and samples_owned >= 0):
        raise AdvantageError(f"samples_owned must be ≥ 0, got {samples_owned!r}")
    items = [
        ScoreItem(
            "data",
            "samples_owned",
            "Labelled samples you own",
            None if samples_owned is None else float(samples_owned),
            "samples",
            "assumed",
            Reason("as_given" if samples_owned is not None else "not_given"),
            None,
            Reason("samples_not_given" if samples_owned is None else "samples_informational"),
        )
    ]
    if points_per_usd_1000 is None:
        items.append(
            ScoreItem(
                "data",
                "accuracy_points_per_usd_1000",
                "Accuracy points per $1,000 of data",
                None,
                "points per $1,000",
                "measured",
                Reason("from_curve"),
                None,
                Reason("no_curve"),
            )
        )
        return items
    if not _finite(points_per_usd_1000):
        raise AdvantageError(
            f"accuracy_gain_points_per_usd_1000 must be a number, got {points_per_usd_1000!r}"
        )
    worth = points_per_usd_1000 * accuracy_value.usd_per_point_year
    figures = {
        "points": float(points_per_usd_1000),
        "thousand_usd": 1000.0,
        "per_point_usd": float(accuracy_value.usd_per_point_year),
        "worth_usd": float(worth),
    }
    detail = (
        Reason("data_worth_reason", **figures, reason=accuracy_value.reason)
        if accuracy_value.reason
        else Reason("data_worth", **figures)
    )
    items.append(
        ScoreItem(
            "data",
            "accuracy_points_per_usd_1000",
            "Accuracy points per $1,000 of data",
            float(points_per_usd_1000),
            "points per $1,000",
            "measured",
            detail,
            worth >= 1000.0,
            None,
        )
    )
    return items


def _business_items(kpis: Kpis, scenario: Scenario, run: RunInputs | None) -> list[ScoreItem]:
    based = Reason("projected") if run is None else Reason("projected_bound", run_id=run.run_id)
    reasons = kpis.reasons
    margin = kpis.gross_margin
    ltv_cac = kpis.ltv_to_cac
    payback = kpis.cac_payback_months
    cac = float(scenario.cac_usd)
    ltv = (
        Reason("ltv_undefined", cac_usd=cac)
        if kpis.ltv_usd is None
        else Reason("ltv_over_cac", ltv_usd=kpis.ltv_usd, cac_usd=cac)
    )
    not_defined = Reason("not_defined")
    return [
        ScoreItem(
            "business_model",
            "gross_margin",
            "Gross margin over the horizon",
            margin,
            "fraction",
            "assumed",
            Reason(
                "clauses",
                parts=(based, Reason("favourable_at_least_fraction", threshold_fraction=GROSS_MARGIN_GOOD)),
            ),
            None if margin is None else margin >= GROSS_MARGIN_GOOD,
            reasons.get("gross_margin") if margin is None else None,
        ),
        ScoreItem(
            "business_model",
            "ltv_to_cac",
            "Lifetime value ÷ acquisition cost",
            ltv_cac,
            "ratio",
            "assumed",
            Reason("clauses", parts=(based, ltv, Reason("favourable_at_least", threshold=LTV_TO_CAC_GOOD))),
            None if ltv_cac is None else ltv_cac >= LTV_TO_CAC_GOOD,
            reasons.get("ltv_to_cac", not_defined) if ltv_cac is None else None,
        ),
        ScoreItem(
            "business_model",
            "cac_payback_months",
            "Months to repay acquisition cost",
            payback,
            "months",
            "assumed",
            Reason("clauses", parts=(based, Reason("favourable_months", months=CAC_PAYBACK_GOOD_MONTHS))),
            None if payback is None else payback <= CAC_PAYBACK_GOOD_MONTHS,
            reasons.get("cac_payback_months", not_defined) if payback is None else None,
        ),
    ]


def scorecard(
    scenario: Scenario,
    kpis: Kpis,
    *,
    competitor: CompetitorBaseline,
    run: RunInputs | None = None,
    p95_latency_ms: float | None = None,
    samples_owned: int | None = None,
    accuracy_gain_points_per_usd_1000: float | None = None,
) -> tuple[ScoreItem, ...]:
    """The economic-advantage scorecard of a scenario against a competitor (module docstring).

    Items, in this order:

    * cost — ``serving_cost_vs_competitor``: your $ per 1,000 predictions ÷ the competitor's
      (favourable below 1).
    * technology — ``accuracy_lead_points`` (yours − competitor's, in points; favourable above 0),
      ``p95_latency_vs_competitor`` (yours ÷ theirs; favourable below 1) and
      ``value_per_accuracy_point`` (:func:`value_of_accuracy`; informational).
    * data — ``samples_owned`` (informational) and ``accuracy_points_per_usd_1000`` (from the run's
      learning curve; favourable when a year of the accuracy $1,000 of data buys is worth ≥ $1,000).
    * business_model — ``gross_margin`` (≥ 0.5), ``ltv_to_cac`` (≥ 3), ``cac_payback_months`` (≤ 12).

    Parameters
    ----------
    scenario : Scenario
        The scenario (bound to the run or not).
    kpis : Kpis
        ``kpis(project(scenario), scenario)``.
    competitor : CompetitorBaseline
        The best alternative's assumed figures.
    run : RunInputs or None
        The run the scenario was bound to; figures equal to the run's count as measured.
    p95_latency_ms : float or None
        Your p95 latency per request; when None, the run's ``serving_p95_ms`` (p95 per request
        at the volume serving was planned for: batch fill + measured p95 per call).
    samples_owned : int or None
        Labelled samples you own.
    accuracy_gain_points_per_usd_1000 : float or None
        Accuracy points $1,000 more data buys, from the run's learning curve
        (:mod:`bizmodel.data_value`); None without a learning curve.

    Returns
    -------
    tuple of ScoreItem

    Raises
    ------
    AdvantageError
        If a latency or a sample count is out of range.

    Examples
    --------
    >>> from bizmodel.projection import kpis as compute_kpis
    >>> from bizmodel.scenario import base_template
    >>> s = base_template()
    >>> items = scorecard(s, compute_kpis(project(s), s),
    ...     competitor=CompetitorBaseline(usd_per_1000_predictions=0.05, accuracy=0.9))
    >>> sorted({i.category for i in items}) == sorted(CATEGORIES), round(items[0].value, 6)
    (True, 0.4)
    """
    if p95_latency_ms is not None and not (_finite(p95_latency_ms) and p95_latency_ms > 0):
        raise AdvantageError(f"p95_latency_ms must be > 0 or None, got {p95_latency_ms!r}")
    accuracy_value = value_of_accuracy(scenario)
    return tuple(
        _cost_items(scenario, competitor, run)
        + _technology_items(scenario, competitor, run, p95_latency_ms, accuracy_value)
        + _data_items(samples_owned, accuracy_gain_points_per_usd_1000, accuracy_value)
        + _business_items(kpis, scenario, run)
    )


def scorecard_frame(items: tuple[ScoreItem, ...] | list[ScoreItem]) -> pd.DataFrame:
    """The scorecard as a table: one row per item, the columns of :class:`ScoreItem`.

    Parameters
    ----------
    items : sequence of ScoreItem
        From :func:`scorecard`.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> item = ScoreItem("cost", "k", "K", 1.0, "x", "assumed", Reason("as_given"), True, None)
    >>> list(scorecard_frame([item]).columns[:3])
    ['category', 'key', 'label']
    """
    columns = [f.name for f in dataclasses.fields(ScoreItem)]
    return pd.DataFrame([{name: getattr(item, name) for name in columns} for item in items], columns=columns)
