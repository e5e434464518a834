"""The deterministic monthly projection of a :class:`~bizmodel.scenario.Scenario`, and its KPIs.

Conventions (those of :mod:`bizmodel.finance`)
----------------------------------------------
* Months are numbered 1…H (the frame's index); every flow falls at its month's end. USD throughout.
* **Customers.** Adoption follows the discrete Bass model on the *cumulative adopters* ``N``:
  ``new_t = f × (p + q × N_{t−1} / M) × (M − N_{t−1})`` with ``f`` the accuracy link's factor, so
  below minimum-viable accuracy nobody adopts. Churned customers do not re-enter the market.
  ``churned_t = c × active_{t−1}`` with ``c = monthly_churn + extra × (1 − f)``, and
  ``active_t = active_{t−1} − churned_t + new_t``. Customers are expected values (fractional).
* **Revenue** of month t = ``active_t`` × ARPU (a new customer pays its first month, a churned one
  no longer pays). ``arr_usd`` = 12 × that month's revenue.
* **Cost of revenue** = serving (active × requests × $ per 1,000 predictions ÷ 1,000, one request
  being one prediction) + human review (active × requests × error rate × reviews per error × the
  price of a label) + data bought + retraining (at the end of months k, 2k, …) + hosting and
  operations (active × $ per customer-month) + support (active × $ per customer-month) + payment
  processing (revenue × fee share + active × fee per customer-month); ``gross_margin_usd`` =
  revenue − cost of revenue.
* **Operating cash flow** = gross margin − acquisition (CAC × new customers) − team (headcount ×
  cost per head) − other fixed opex. ``cash_usd`` = starting cash + cumulative operating cash
  flow + cumulative funding.

The Bass and churn recursions run over months (each month depends on the last) but are
vectorised over any leading axes (:func:`customer_flows` takes arrays, e.g. Monte Carlo paths);
every other column is a whole-array expression.

**Paths.** :func:`project_paths` computes the projection of many *paths* at once: each field of
:data:`~bizmodel.scenario.RANGE_FIELDS` may take one value per path (the Monte Carlo inputs), and
every column is an array of shape ``(paths, months)``. The accuracy factor, effective churn, ARPU
and serving cost per customer are derived per path from the per-path values. :func:`project` is
:func:`project_paths` with one path (the scenario's own values), so there is one set of formulas.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bizmodel import finance
from bizmodel.reasons import Reason
from bizmodel.scenario import Scenario
from bizmodel.scenario_bounds import FIELD_BOUNDS, JOINT_AT_MOST_ONE, RANGE_FIELDS, ScenarioError

COLUMNS = (
    "new_customers",
    "churned_customers",
    "active_customers",
    "revenue_usd",
    "arr_usd",
    "serving_cost_usd",
    "review_cost_usd",
    "data_cost_usd",
    "retraining_cost_usd",
    "hosting_cost_usd",
    "support_cost_usd",
    "payment_cost_usd",
    "gross_margin_usd",
    "acquisition_usd",
    "team_usd",
    "other_opex_usd",
    "operating_cash_flow_usd",
    "funding_usd",
    "cash_usd",
)


def customer_flows(
    market_size: float | np.ndarray,
    bass_p: float | np.ndarray,
    bass_q: float | np.ndarray,
    adoption_factor: float | np.ndarray,
    monthly_churn: float | np.ndarray,
    *,
    months: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """New, churned and active customers per month, shape ``(*broadcast shape, months)``.

    See the module docstring for the recursion. The inputs broadcast together (one value, or one
    per Monte Carlo path); the loop runs over months only.

    >>> new, churned, active = customer_flows(1000.0, 0.1, 0.0, 1.0, 0.0, months=3)
    >>> new.round(6).tolist(), active.round(6).tolist()
    ([100.0, 90.0, 81.0], [100.0, 190.0, 271.0])
    """
    values = (market_size, bass_p, bass_q, adoption_factor, monthly_churn)
    arrays = np.broadcast_arrays(*(np.asarray(v, dtype=np.float64) for v in values))
    market, p, q, factor, churn = arrays
    shape = market.shape
    new = np.empty((*shape, months))
    churned = np.empty((*shape, months))
    active = np.empty((*shape, months))
    adopted = np.zeros(shape)
    current = np.zeros(shape)
    for t in range(months):
        share = np.divide(adopted, market, out=np.zeros(shape), where=market > 0)
        new_t = factor * (p + q * share) * np.maximum(market - adopted, 0.0)
        lost_t = churn * current
        current = current - lost_t + new_t
        adopted = adopted + new_t
        new[..., t], churned[..., t], active[..., t] = new_t, lost_t, current
    return new, churned, active


def headcount_series(scenario: Scenario) -> np.ndarray:
    """Headcount in months 1…H: the plan, its last value held for later months."""
    heads = np.asarray(scenario.headcount_by_month, dtype=np.float64)
    index = np.minimum(np.arange(scenario.horizon_months), len(heads) - 1)
    return heads[index]


def path_values(
    scenario: Scenario, values: Mapping[str, Any] | None = None, *, paths: int | None = None
) -> dict[str, np.ndarray]:
    """Every field of ``RANGE_FIELDS`` as an array of shape ``(paths,)``: ``values``' arrays where
    given, the scenario's own value elsewhere.

    The number of paths is the length of ``values``' arrays (all equal), else ``paths``, else 1.
    Raises :class:`~bizmodel.scenario_bounds.ScenarioError` for an unknown field, a wrong shape, and a
    value out of the field's bounds (or a pair breaking ``bass_p + bass_q ≤ 1`` or ``monthly_churn
    + churn_at_minimum_accuracy_extra ≤ 1``), naming the field as ``values[field]``.

    >>> from bizmodel.scenario import base_template
    >>> v = path_values(base_template(), {"cac_usd": np.array([300.0, 500.0])})
    >>> v["cac_usd"].tolist(), v["monthly_churn"].tolist()
    ([300.0, 500.0], [0.03, 0.03])
    """
    given = {} if values is None else dict(values)
    problems = [
        f"values[{k}]: not a field that can vary by path; use one of RANGE_FIELDS"
        for k in given
        if k not in FIELD_BOUNDS
    ]
    arrays = {k: np.asarray(v, dtype=np.float64) for k, v in given.items() if k in FIELD_BOUNDS}
    lengths = {a.shape[0] for a in arrays.values() if a.ndim == 1}
    for name, array in arrays.items():
        if array.ndim != 1:
            problems.append(f"values[{name}]: must be one value per path (shape (paths,)); got {array.shape}")
    if len(lengths) > 1:
        problems.append(f"values: every array must have the same number of paths; got {sorted(lengths)}")
    if paths is not None and lengths and lengths != {paths}:
        problems.append(f"values: the arrays have {sorted(lengths)} paths, not paths={paths}")
    if problems:
        raise ScenarioError(problems)
    n = lengths.pop() if lengths else (1 if paths is None else int(paths))
    if n < 1:
        raise ScenarioError(f"paths must be at least 1; got {n}")
    out = {name: arrays.get(name, np.full(n, float(getattr(scenario, name)))) for name in RANGE_FIELDS}
    for name, array in arrays.items():
        low, high = FIELD_BOUNDS[name]
        inside = np.isfinite(array) & (array >= low) & (array <= high)
        if not inside.all():
            problems.append(f"values[{name}]: every value must be finite and within {low:g}…{high:g}")
    for a, b in JOINT_AT_MOST_ONE:
        if (a in arrays or b in arrays) and np.any(out[a] + out[b] > 1.0 + 1e-12):
            problems.append(f"values[{a}] + values[{b}] must be at most 1 on every path")
    if problems:
        raise ScenarioError(problems)
    return out


def project_paths(
    scenario: Scenario,
    values: Mapping[str, np.ndarray] | None = None,
    *,
    paths: int | None = None,
    columns: Iterable[str] | None = None,
) -> dict[str, np.ndarray]:
    """The monthly projection of many paths at once: each column an array ``(paths, months)``.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario: its structure (horizon, headcount plan, retraining schedule,
        funding, accuracy link, starting cash) and the value of every field not in ``values``.
    values : mapping of field name to array of shape (paths,), optional
        Per-path values of fields of :data:`~bizmodel.scenario.RANGE_FIELDS` (units as the
        scenario's fields), overriding the scenario's value; checked by :func:`path_values`.
    paths : int, optional
        The number of paths when ``values`` is empty (every path then the scenario's own).
    columns : iterable of str, optional
        Only these of :data:`COLUMNS` (default: all); the others are not kept, which saves memory
        with many paths.

    Returns
    -------
    dict of str to numpy.ndarray
        Column name (as :func:`project`) → float64 array ``(paths, months)``, months 1…H along
        axis 1. Path ``i`` equals :func:`project` of the scenario with path ``i``'s values.

    >>> from bizmodel.scenario import base_template
    >>> out = project_paths(base_template(), {"monthly_churn": np.array([0.02, 0.03, 0.05])})
    >>> out["cash_usd"].shape
    (3, 60)
    >>> bool(out["active_customers"][0, -1] > out["active_customers"][2, -1])
    True
    """
    wanted = COLUMNS if columns is None else tuple(columns)
    unknown = [c for c in wanted if c not in COLUMNS]
    if unknown:
        raise ScenarioError(f"columns: unknown {unknown}; use names from COLUMNS")
    s = scenario
    v = path_values(s, values, paths=paths)
    n = len(v["market_size"])
    horizon = s.horizon_months
    months = np.arange(1, horizon + 1)
    col = {name: array[:, None] for name, array in v.items()}  # (paths, 1): broadcasts over months

    factor = np.asarray(s.accuracy_link.factor(v["model_accuracy"]), dtype=np.float64)
    churn = v["monthly_churn"] + v["churn_at_minimum_accuracy_extra"] * (1.0 - factor)
    new, churned, active = customer_flows(
        v["market_size"], v["bass_p"], v["bass_q"], factor, churn, months=horizon
    )
    requests = col["requests_per_user_month"]
    arpu = col["price_usd_per_user_month"] + col["usage_price_usd_per_1000_requests"] * requests / 1000.0
    revenue = active * arpu
    serving, review, data, retraining, hosting, support, payment = _costs_of_revenue(
        s, col, active, revenue, months
    )
    gross_margin = revenue - serving - review - data - retraining - hosting - support - payment
    acquisition = new * col["cac_usd"]
    team = headcount_series(s) * col["cost_per_head_usd_month"]
    other = col["other_fixed_usd_month"]
    operating = gross_margin - acquisition - team - other
    funding = _funding_usd(s)
    cash = s.starting_cash_usd + np.cumsum(operating, axis=-1) + np.cumsum(funding)
    computed = (new, churned, active, revenue, None, serving, review, data, retraining, hosting, support)
    computed += (payment,)
    computed += (gross_margin,)
    computed += (acquisition, team, other, operating, funding, cash)
    arrays = dict(zip(COLUMNS, computed, strict=True))
    shape = (n, horizon)
    out: dict[str, np.ndarray] = {}
    for name in wanted:
        array = 12.0 * revenue if name == "arr_usd" else arrays[name]
        # Whole (paths, months) arrays, each its own memory (no broadcast views shared by columns).
        out[name] = array if array.shape == shape else np.broadcast_to(array, shape).copy()
    return out


def _costs_of_revenue(
    scenario: Scenario,
    col: Mapping[str, np.ndarray],
    active: np.ndarray,
    revenue: np.ndarray,
    months: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """(serving, review, data, retraining, hosting, support, payment fees) in USD a month.

    ``col`` holds each field's per-path values as ``(paths, 1)``; ``active`` customers and
    ``revenue`` (USD) are ``(paths, months)``; ``months`` runs 1…H. Each result broadcasts to
    ``(paths, months)``.
    """
    requests = col["requests_per_user_month"]
    serving_per_user = col["serving_usd_per_1000_predictions"] * requests / 1000.0
    serving = active * serving_per_user
    reviews_per_user = requests * (1.0 - col["model_accuracy"]) * col["review_per_error"]
    review = active * reviews_per_user * col["data_cost_usd_per_sample"]
    data = col["data_samples_per_month"] * col["data_cost_usd_per_sample"]
    every = scenario.retrain_every_months
    retrain_months = (months % every == 0) if every else months < 0
    retraining = np.where(retrain_months, col["retrain_cost_usd"], 0.0)
    hosting = active * col["hosting_usd_per_customer_month"]
    support = active * col["support_usd_per_customer_month"]
    payment = revenue * col["payment_fee_share"] + active * col["payment_fee_usd_per_customer_month"]
    return serving, review, data, retraining, hosting, support, payment


def _funding_usd(scenario: Scenario) -> np.ndarray:
    """Funding received each month (USD), months 1…H: the scenario's rounds, summed per month.

    >>> from bizmodel.scenario import base_template
    >>> s = base_template()
    >>> float(_funding_usd(s).sum()) == sum(r.amount_usd for r in s.funding_rounds)
    True
    """
    funding = np.zeros(scenario.horizon_months)
    for r in scenario.funding_rounds:
        funding[r.month - 1] += r.amount_usd
    return funding


def project(scenario: Scenario) -> pd.DataFrame:
    """The monthly projection of a scenario: one row per month 1…H, the columns of ``COLUMNS``.

    The scenario's own values (its ranges are ignored: see :mod:`bizmodel.montecarlo`); the
    one path of :func:`project_paths`.

    Parameters
    ----------
    scenario : Scenario
        A validated scenario.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``month`` (1…H); units in the column names (``_usd``, customers as counts).

    >>> from bizmodel.scenario import base_template
    >>> frame = project(base_template())
    >>> len(frame), int(frame.index[0]), list(frame.columns[:3])
    (60, 1, ['new_customers', 'churned_customers', 'active_customers'])
    """
    paths = project_paths(scenario)
    months = pd.Index(np.arange(1, scenario.horizon_months + 1), name="month")
    return pd.DataFrame({name: paths[name][0] for name in COLUMNS}, index=months)


@dataclass(frozen=True)
class Kpis:
    """The KPIs of one projection (definitions in :func:`kpis`); None where undefined, with a reason.

    ``reasons`` maps a KPI's name to why it is None (or, for ``irr_annual``, also ``irr_reason``),
    a :class:`~bizmodel.reasons.Reason`.
    """

    break_even_month: int | None
    payback_month: int | None
    runway_months: int | None
    min_cash_usd: float
    npv_usd: float
    irr_annual: float | None
    irr_reason: Reason | None
    ltv_usd: float | None
    cac_usd: float
    ltv_to_cac: float | None
    cac_payback_months: float | None
    gross_margin: float | None
    burn_multiple: float | None
    ending_arr_usd: float
    reasons: dict[str, Reason] = field(default_factory=dict)
    terminal_method: str = "none"
    terminal_value_usd: float | None = None
    npv_with_terminal_usd: float | None = None
    terminal_at_horizon_usd: float | None = None
    terminal_basis_usd: float | None = None

    def all_reasons(self) -> dict[str, Reason]:
        """``reasons`` and, for every number that is not finite, ``kpi_not_finite``.

        >>> from bizmodel.scenario import base_template
        >>> s = base_template().with_values(monthly_churn=0.0, churn_at_minimum_accuracy_extra=0.0)
        >>> kpis(project(s), s).all_reasons()["ltv_usd"]
        Reason('churn_zero')
        """
        reasons = dict(self.reasons)
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, float) and not math.isfinite(value):
                reasons.setdefault(name, Reason("kpi_not_finite", kpi_key=name))
        return reasons

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: every non-finite number becomes None with an entry in ``reasons``
        (each reason as :meth:`~bizmodel.reasons.Reason.to_dict` writes it)."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, float) and not math.isfinite(value):
                value = None
            out[name] = value
        out["irr_reason"] = None if self.irr_reason is None else self.irr_reason.to_dict()
        out["reasons"] = {name: reason.to_dict() for name, reason in self.all_reasons().items()}
        return out


#: Why a terminal value is not counted (finance.TerminalValue.reason → the reason kpis() keeps).
TERMINAL_REASONS = {
    "none": Reason("terminal_none"),
    "negative_cash_flow": Reason("terminal_negative"),
    "growth_at_or_above_rate": Reason("terminal_growth_high"),
    "no_arr": Reason("terminal_no_arr"),
}


def _ratio(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator`` when that is a finite number, else None."""
    if denominator == 0.0:
        return None
    value = numerator / denominator
    return value if math.isfinite(value) else None


def kpis(frame: pd.DataFrame, scenario: Scenario) -> Kpis:
    """The KPIs of a projection made by :func:`project` from ``scenario``.

    Definitions: ``break_even_month``, ``payback_month``, ``runway_months``, ``npv_usd`` (of the
    operating cash flows at ``annual_discount_rate``) and ``irr_annual`` as in
    :mod:`bizmodel.finance`; ``min_cash_usd`` the lowest month-end cash. ``gross_margin``: the
    horizon's gross margin ÷ its revenue, i.e. (revenue − cost of revenue: serving, data and
    retraining) ÷ revenue (None without revenue).

    The unit economics use one customer's monthly **contribution**, USD per customer-month: ARPU
    (``revenue_usd_per_user_month``) − every cost of revenue that follows the customer
    (``variable_cost_usd_per_user_month``: serving, human review, hosting, support, payment
    processing). Data purchases and retraining are fixed costs of the business, not of a customer,
    so they do not enter it. ``ltv_usd``: contribution ÷ effective
    monthly churn (None with zero churn; negative when serving a customer costs more than it
    pays). ``ltv_to_cac``: LTV ÷ CAC (None with CAC 0). ``cac_payback_months``: CAC ÷
    contribution, the months of one customer's contribution that repay its acquisition (None
    when the contribution is not positive). ``burn_multiple``: net burn (−Σ operating cash flow,
    0 when that is negative) ÷ net new ARR (ending ARR, ARR being 0 before month 1); None when ARR
    does not grow. ``terminal_value_usd``: the scenario's terminal value discounted to today
    (:func:`bizmodel.finance.terminal_value`; ``terminal_method`` says which), and
    ``npv_with_terminal_usd`` = ``npv_usd`` + it; both None with the reason when there is no value
    to count. ``terminal_at_horizon_usd`` is that value at the horizon's end (undiscounted) and
    ``terminal_basis_usd`` what it is formed from (ending ARR, or the last year's operating cash
    flow). A ratio that is not a finite number (e.g. a churn so close to 0 that LTV
    overflows) is None, with its reason: no KPI is ever NaN or infinite.

    >>> from bizmodel.scenario import base_template
    >>> s = base_template()
    >>> k = kpis(project(s), s)
    >>> round(s.variable_cost_usd_per_user_month, 2)  # serving .04, review 8, hosting 4, support 4, fees 1.75
    17.79
    >>> round(k.ltv_usd), round(k.cac_payback_months, 2)  # (50 − 17.79) ÷ 3.52 % churn; $300 ÷ 32.21
    (915, 9.31)
    >>> k.terminal_method, k.npv_with_terminal_usd > k.npv_usd   # 4× ending ARR, discounted
    ('exit_multiple', True)
    """
    s = scenario
    operating = frame["operating_cash_flow_usd"].to_numpy()
    cash = frame["cash_usd"].to_numpy()
    reasons: dict[str, Reason] = {}
    irr = finance.irr(operating)
    if irr.annual is None:
        reasons["irr_annual"] = irr.reason or Reason("no_irr")
    revenue_total = float(frame["revenue_usd"].sum())
    gross_margin = _ratio(float(frame["gross_margin_usd"].sum()), revenue_total)
    if gross_margin is None:
        reasons["gross_margin"] = Reason("no_revenue" if revenue_total == 0.0 else "margin_not_finite")
    (ltv, ltv_to_cac, cac_payback), unit_reasons = _unit_economics(s)
    reasons.update(unit_reasons)
    ending_arr = float(frame["arr_usd"].iloc[-1])
    burn_multiple = _burn_multiple(operating, ending_arr)
    if burn_multiple is None:
        reasons["burn_multiple"] = Reason("arr_flat" if ending_arr <= 0.0 else "burn_not_finite")
    npv = float(finance.npv(operating, s.annual_discount_rate))
    tv, terminal_reasons = _terminal(operating, ending_arr, s)
    reasons.update(terminal_reasons)
    months, month_reasons = _horizon_months(operating, cash)
    reasons.update(month_reasons)
    return Kpis(
        **months,
        min_cash_usd=float(cash.min()),
        npv_usd=npv,
        irr_annual=irr.annual,
        irr_reason=irr.reason,
        ltv_usd=ltv,
        cac_usd=float(s.cac_usd),
        ltv_to_cac=ltv_to_cac,
        cac_payback_months=cac_payback,
        gross_margin=gross_margin,
        burn_multiple=burn_multiple,
        ending_arr_usd=ending_arr,
        reasons=reasons,
        terminal_method=s.terminal_value,
        terminal_value_usd=tv.present_usd,
        npv_with_terminal_usd=None if tv.present_usd is None else npv + tv.present_usd,
        terminal_at_horizon_usd=tv.at_horizon_usd,
        terminal_basis_usd=tv.basis_usd,
    )


def _unit_economics(
    scenario: Scenario,
) -> tuple[tuple[float | None, float | None, float | None], dict[str, Reason]]:
    """(LTV USD, LTV ÷ CAC, CAC payback months) of one customer, with reasons for those that are None.

    >>> from bizmodel.scenario import base_template
    >>> (ltv, ratio, payback), why = _unit_economics(base_template())
    >>> round(ltv), round(payback, 2), why
    (915, 9.31, {})
    """
    s = scenario
    reasons: dict[str, Reason] = {}
    churn = s.effective_monthly_churn
    contribution = s.revenue_usd_per_user_month - s.variable_cost_usd_per_user_month
    ltv: float | None = None
    if churn == 0.0:
        reasons["ltv_usd"] = Reason("churn_zero")
    else:
        ltv = _ratio(contribution, churn)
        if ltv is None:
            reasons["ltv_usd"] = Reason("churn_tiny")
    ltv_to_cac = None if ltv is None else _ratio(ltv, s.cac_usd)
    if ltv_to_cac is None:
        reasons["ltv_to_cac"] = reasons.get("ltv_usd", Reason("cac_zero"))
    cac_payback: float | None = None
    if contribution <= 0.0:
        reasons["cac_payback_months"] = Reason("contribution_not_positive")
    else:
        cac_payback = _ratio(s.cac_usd, contribution)
        if cac_payback is None:
            reasons["cac_payback_months"] = Reason("payback_not_finite")
    return (ltv, ltv_to_cac, cac_payback), reasons


def _horizon_months(
    operating: np.ndarray, cash: np.ndarray
) -> tuple[dict[str, int | None], dict[str, Reason]]:
    """Break-even, payback and runway months of monthly flows and cash (USD), with reasons for None.

    >>> _horizon_months(np.array([-5.0, 10.0]), np.array([5.0, 15.0]))[1]
    {'runway_months': Reason('runway_beyond_horizon')}
    """
    months = {
        "break_even_month": finance.break_even_month(operating),
        "payback_month": finance.payback_month(operating),
        "runway_months": finance.runway_months(cash),
    }
    reasons = {
        name: Reason("runway_beyond_horizon" if "runway" in name else "beyond_horizon")
        for name, value in months.items()
        if value is None
    }
    return months, reasons


def _burn_multiple(operating: np.ndarray, ending_arr_usd: float) -> float | None:
    """Net burn (−Σ operating cash flow USD, 0 when negative) ÷ ending ARR; None when ARR ≤ 0.

    >>> _burn_multiple(np.array([-300.0, 100.0]), 100.0)
    2.0
    """
    burn = max(-float(operating.sum()), 0.0)
    return _ratio(burn, ending_arr_usd) if ending_arr_usd > 0.0 else None


def _terminal(
    operating: np.ndarray, ending_arr_usd: float, scenario: Scenario
) -> tuple[finance.TerminalValue, dict[str, Reason]]:
    """The scenario's terminal value (:func:`bizmodel.finance.terminal_value`), with the reasons of
    the three terminal KPIs when there is none.

    >>> from bizmodel.scenario import base_template
    >>> tv, why = _terminal(np.array([-10.0, 5.0]), 1000.0, base_template())
    >>> tv.present_usd > 0, why
    (True, {})
    """
    tv = finance.terminal_value(
        operating,
        ending_arr_usd,
        scenario.annual_discount_rate,
        method=scenario.terminal_value,
        growth=scenario.terminal_growth,
        exit_multiple=scenario.exit_multiple_arr,
    )
    if tv.present_usd is not None:
        return tv, {}
    reason = TERMINAL_REASONS[tv.reason or "none"]
    return tv, {
        name: reason for name in ("terminal_value_usd", "npv_with_terminal_usd", "terminal_at_horizon_usd")
    }
