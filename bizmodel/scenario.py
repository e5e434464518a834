"""The business assumptions of a revenue scenario: validated, frozen, JSON round-trippable.

A :class:`Scenario` holds everything the monthly projection (:mod:`bizmodel.projection`) needs:
market and adoption (the Bass diffusion model), pricing, churn, acquisition cost, the team, fixed
costs, data and retraining, serving, the model's accuracy and how customers respond to it
(:class:`AccuracyLink`), cash and funding, and the discount rate.

Conventions
-----------
* Currency is USD; every money field says ``_usd`` in its name, and per-unit prices name the unit
  (``_per_user_month``, ``_per_1000_requests``, ``_per_sample``).
* Months are numbered 1…``horizon_months``; flows fall at each month's end (see
  :mod:`bizmodel.finance`).
* Rates and accuracies are fractions 0–1, never percents. ``bass_p`` and ``bass_q`` are *monthly*
  coefficients; ``annual_discount_rate`` is annual.
* One request is one prediction: serving cost is priced per 1,000 predictions, usage revenue per
  1,000 requests.
* Every field is checked in ``__post_init__``; all problems are reported together in one
  :class:`ScenarioError`, each naming its field and what to change.
* **Uncertain inputs.** A scenario's own value of a field is its *most likely* value; a
  :class:`Range` on one of :data:`RANGE_FIELDS` adds a low and a high around it for the Monte
  Carlo simulation (:mod:`bizmodel.montecarlo`). Two distributions (:data:`DISTRIBUTIONS`):

  - ``"triangular"``: triangular(low, mode = the value, high); samples lie within [low, high].
  - ``"lognormal"``: median = the value and σ = ln(high / low) / (2 × 1.644854) (1.644854 being
    the standard normal's 95th percentile), so that low and high are the 5th and 95th
    percentiles when the value is their geometric mean √(low × high). Samples are *not* clipped
    to [low, high] (about one in ten falls outside); they are clipped only to the field's own
    valid bounds (:data:`FIELD_BOUNDS`, e.g. churn at most 1). Needs low > 0.

  A range must hold the value (low ≤ value ≤ high, low < high) within the field's bounds, and
  for the pairs that must sum to at most 1 (:data:`JOINT_AT_MOST_ONE`: ``bass_p + bass_q``,
  ``monthly_churn + churn_at_minimum_accuracy_extra``) the highs (the value for a field without a
  range) must too; a log-normal tail beyond its high is handled by the sampler
  (:mod:`bizmodel.montecarlo`).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field, fields
from typing import Any

from bizmodel.accuracy_link import AccuracyLink
from bizmodel.scenario_bounds import (
    BOUNDS,
    FIELD_BOUNDS,
    HORIZON_MAX_MONTHS,
    JOINT_AT_MOST_ONE,
    MAX_CASH_USD,
    MAX_HEADCOUNT,
    RANGE_FIELDS,
    TERMINAL_METHODS,
    ScenarioError,
    check_range,
    fields_of,
    is_finite,
    is_number,
)
from bizmodel.scenario_ranges import Range, range_context_problems, range_name, ranges_from
from safetext import shown


@dataclass(frozen=True)
class FundingRound:
    """Cash raised (USD, > 0 and at most :data:`MAX_CASH_USD`) at the end of month ``month`` (1-based)."""

    month: int
    amount_usd: float

    def __post_init__(self) -> None:
        problems: list[str] = []
        check_range(problems, "funding round month", self.month, 1, HORIZON_MAX_MONTHS, integer=True)
        check_range(problems, "funding round amount_usd", self.amount_usd, 0.0, MAX_CASH_USD, low_open=True)
        if problems:
            raise ScenarioError(problems)

    def to_dict(self) -> dict[str, float]:
        """A JSON-ready dict (see :meth:`from_dict`)."""
        return {"month": self.month, "amount_usd": self.amount_usd}

    @classmethod
    def from_dict(cls, data: Any) -> FundingRound:
        """The round from a dict with ``month`` and ``amount_usd``; raises :class:`ScenarioError`."""
        return cls(**fields_of(cls, data, "funding round"))


@dataclass(frozen=True)
class Scenario:
    """The business assumptions of one scenario (see the module docstring for conventions).

    Fields
    ------
    horizon_months : months projected, 12–120.
    market_size : potential customers (users) in the addressable market, 0–1e10.
    bass_p, bass_q : monthly Bass innovation / imitation coefficients, each 0–1, sum ≤ 1.
    price_usd_per_user_month : subscription price per active customer per month, USD 0–1e6.
    usage_price_usd_per_1000_requests : usage price per 1,000 requests, USD 0–1e6.
    requests_per_user_month : requests (= predictions) one active customer makes per month, 0–1e9.
    monthly_churn : fraction of active customers lost each month at delightful accuracy.
    churn_at_minimum_accuracy_extra : extra monthly churn at minimum-viable accuracy; the
        accuracy link scales it to 0 at delightful accuracy. ``monthly_churn`` + this ≤ 1.
    cac_usd : all acquisition cost per new customer (acquisition spend = CAC × new customers),
        USD 0–1e9.
    headcount_by_month : people employed in months 1, 2, …; the last value holds afterwards;
        each 0–1e6.
    cost_per_head_usd_month : loaded monthly cost of one person, USD 0–1e7.
    other_fixed_usd_month : other fixed operating costs per month (rent, tools, …), USD 0–1e12.
    data_samples_per_month, data_cost_usd_per_sample : data bought each month (0–1e12 samples) and
        its unit price (USD 0–1e6).
    retrain_every_months : retrain at the end of months k, 2k, …; 0 = never.
    retrain_cost_usd : cost of one retraining, USD 0–1e12 (when a run drives the scenario: one
        production retraining, :func:`bizmodel.binding.run_inputs`).
    serving_usd_per_1000_predictions : serving cost per 1,000 predictions, USD 0–1e6 (the run's
        measured cost when a run drives the scenario).
    model_accuracy : the model's test accuracy, fraction 0–1.
    accuracy_link : how adoption and churn respond to ``model_accuracy``.
    starting_cash_usd : cash before month 1, USD 0–1e13.
    funding_rounds : cash raised at month ends within the horizon, each USD above 0 and ≤ 1e13.
    annual_discount_rate : the annual rate NPV discounts at, −0.99…10.
    ranges : uncertain inputs (:class:`Range`), at most one per field of :data:`RANGE_FIELDS`; the
        field's own value is the most likely value. Empty: a deterministic scenario.
    production_data_factor : when a run drives the scenario, production retrains on this many times
        the run's training samples; 0 (the default) derives it from the data plan: the run's
        samples plus a year of ``data_samples_per_month`` (:func:`bizmodel.production.production_scale`).
        0–1e9.
    production_model_factor : the production model's parameters ÷ the run's; 0 (the default)
        derives it: the model grows with its data (samples per parameter kept, as compute-optimal
        scaling does). 0–1e9. The run is the measured proxy; production trains and serves this
        model (:mod:`bizmodel.production`).
    hosting_usd_per_customer_month : hosting and operations beyond model serving (application
        servers, storage, monitoring, tooling), USD per active customer per month; 4 by default.
    support_usd_per_customer_month : customer support and success, USD per active customer per
        month; 4 by default.
    review_per_error : human review: predictions a person reviews per prediction the model gets
        wrong (the low-confidence ones, flagged), each at ``data_cost_usd_per_sample``; 0–100, 0 = no
        human review, 1 by default (reviewing as many predictions as the model errs). So a more
        accurate model needs fewer reviews.
    payment_fee_share, payment_fee_usd_per_customer_month : payment processing, a share of revenue
        (0–0.5) plus a fee per paying customer per month; 2.9 % + $0.30 by default (a card charge).
    terminal_value : the value beyond the horizon beside the horizon NPV: ``"exit_multiple"`` (the
        default: a sale at ending ARR × ``exit_multiple_arr``, how a growing startup is valued),
        ``"gordon"`` (Gordon growth: the last year's operating cash flow growing at
        ``terminal_growth`` forever, for a business already cash-positive) or ``"none"``.
    terminal_growth : the perpetual annual growth of the Gordon terminal value, −0.5…0.5 (it must
        stay below the discount rate for a value to exist); 0.03 by default.
    exit_multiple_arr : the multiple of ending ARR a buyer pays, 0–100; 4 by default (private SaaS
        companies of a few $M ARR trade at about 3–5× ARR; the public SaaS Capital Index median was
        6.4× in Q1 2026).
    use_run_spread : when a run drives the scenario, its seed spread becomes the Monte Carlo range
        of accuracy and serving cost (:func:`bizmodel.binding.bind`); a bool (JSON ``true`` /
        ``false``), False by default.

    The upper bounds (the ``MAX_*`` constants, :data:`FIELD_BOUNDS`) are generous but finite, so
    that no valid scenario overflows a float in the projection, its NPV or its IRR.

    >>> s = base_template()
    >>> Scenario.from_dict(s.to_dict()) == s
    True
    >>> Scenario.from_dict({**s.to_dict(), "monthly_churn": 1.5})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    bizmodel.scenario_bounds.ScenarioError: monthly_churn must be at least 0 and at most 1; got 1.5...
    """

    horizon_months: int
    market_size: float
    bass_p: float
    bass_q: float
    price_usd_per_user_month: float
    usage_price_usd_per_1000_requests: float
    requests_per_user_month: float
    monthly_churn: float
    churn_at_minimum_accuracy_extra: float
    cac_usd: float
    headcount_by_month: tuple[float, ...]
    cost_per_head_usd_month: float
    other_fixed_usd_month: float
    data_samples_per_month: float
    data_cost_usd_per_sample: float
    retrain_every_months: int
    retrain_cost_usd: float
    serving_usd_per_1000_predictions: float
    model_accuracy: float
    accuracy_link: AccuracyLink = field(default_factory=AccuracyLink)
    starting_cash_usd: float = 0.0
    funding_rounds: tuple[FundingRound, ...] = ()
    annual_discount_rate: float = 0.10
    ranges: tuple[Range, ...] = ()
    production_data_factor: float = 0.0
    production_model_factor: float = 0.0
    use_run_spread: bool = False
    hosting_usd_per_customer_month: float = 4.0
    support_usd_per_customer_month: float = 4.0
    review_per_error: float = 1.0
    payment_fee_share: float = 0.029
    payment_fee_usd_per_customer_month: float = 0.30
    terminal_value: str = "exit_multiple"
    terminal_growth: float = 0.03
    exit_multiple_arr: float = 4.0

    def __post_init__(self) -> None:
        # Accept lists (as JSON gives them) and store tuples, so the scenario stays hashable.
        for name in ("headcount_by_month", "funding_rounds", "ranges"):
            if isinstance(getattr(self, name), list):
                object.__setattr__(self, name, tuple(getattr(self, name)))
        problems: list[str] = []
        check = check_range
        check(problems, "horizon_months", self.horizon_months, *BOUNDS["horizon_months"], integer=True)
        for name, (low, high) in FIELD_BOUNDS.items():
            check(problems, name, getattr(self, name), low, high)
        check(problems, "starting_cash_usd", self.starting_cash_usd, *BOUNDS["starting_cash_usd"])
        if is_finite(self.bass_p) and is_finite(self.bass_q) and self.bass_p + self.bass_q > 1.0:
            problems.append("bass_p + bass_q must be at most 1 (monthly); lower one of them")
        if (
            is_finite(self.monthly_churn)
            and is_finite(self.churn_at_minimum_accuracy_extra)
            and self.monthly_churn + self.churn_at_minimum_accuracy_extra > 1.0
        ):
            problems.append(
                "monthly_churn + churn_at_minimum_accuracy_extra must be at most 1; lower one of them"
            )
        self._check_headcount(problems)
        retrain = BOUNDS["retrain_every_months"]
        check(problems, "retrain_every_months", self.retrain_every_months, *retrain, integer=True)
        if not isinstance(self.accuracy_link, AccuracyLink):
            problems.append("accuracy_link must be an AccuracyLink (minimum and delightful accuracy)")
        for name in ("production_data_factor", "production_model_factor"):
            check(problems, name, getattr(self, name), *BOUNDS[name])
        if self.terminal_value not in TERMINAL_METHODS:
            methods = ", ".join(TERMINAL_METHODS)
            problems.append(f"terminal_value must be one of {methods}; got {shown(self.terminal_value)}")
        for name in ("terminal_growth", "exit_multiple_arr"):
            check(problems, name, getattr(self, name), *BOUNDS[name])
        if not isinstance(self.use_run_spread, bool):
            problems.append(f"use_run_spread must be true or false; got {shown(self.use_run_spread)}")
        self._check_funding(problems)
        self._check_ranges(problems)
        if problems:
            raise ScenarioError(problems)

    def _check_headcount(self, problems: list[str]) -> None:
        heads = self.headcount_by_month
        if not isinstance(heads, tuple) or not heads:
            problems.append("headcount_by_month must be a non-empty list of head counts (one per month)")
            return
        for i, h in enumerate(heads, start=1):
            check_range(problems, f"headcount_by_month[month {i}]", h, 0.0, MAX_HEADCOUNT)
        horizon = self.horizon_months
        if is_number(horizon) and len(heads) > horizon:
            problems.append(
                f"headcount_by_month has {len(heads)} months, more than horizon_months ({horizon}); "
                "shorten it (the last value holds for later months)"
            )

    def _check_funding(self, problems: list[str]) -> None:
        rounds = self.funding_rounds
        if not isinstance(rounds, tuple) or not all(isinstance(r, FundingRound) for r in rounds):
            problems.append("funding_rounds must be a list of funding rounds (month, amount_usd)")
            return
        horizon = self.horizon_months
        for r in rounds:
            if is_number(horizon) and r.month > horizon:
                problems.append(
                    f"funding_rounds: a funding round falls in month {r.month}, after horizon_months "
                    f"({horizon}); move it earlier or lengthen the horizon"
                )

    def _check_ranges(self, problems: list[str]) -> None:
        ranges = self.ranges
        if not isinstance(ranges, tuple) or not all(isinstance(r, Range) for r in ranges):
            problems.append("ranges must be a list of ranges (field, low, high, distribution)")
            return
        values = {name: getattr(self, name) for name in RANGE_FIELDS}
        seen: set[str] = set()
        for r in ranges:
            if r.field in seen:
                problems.append(f"{range_name(r)}: the field has two ranges; keep one")
            seen.add(r.field)
            problems.extend(range_context_problems(r, values))
        highs = {r.field: r.high for r in ranges}
        for a, b in JOINT_AT_MOST_ONE:
            if (a in highs or b in highs) and all(is_finite(values[n]) for n in (a, b)):
                top_a, top_b = highs.get(a, values[a]), highs.get(b, values[b])
                if values[a] + values[b] <= 1.0 < top_a + top_b:
                    ranged = " and ".join(f"ranges[{n}]" for n in (a, b) if n in highs)
                    problems.append(
                        f"{ranged}: the highest {a} + {b} ({top_a:g} + {top_b:g}) must be at most 1; "
                        "lower a high"
                    )

    def range_of(self, name: str) -> Range | None:
        """The range on field ``name``, or None when the field is certain.

        >>> base_template().range_of("monthly_churn")
        Range(field='monthly_churn', low=0.02, high=0.05, distribution='triangular')
        >>> base_template().range_of("model_accuracy") is None
        True
        """
        return next((r for r in self.ranges if r.field == name), None)

    def with_values(self, **changes: Any) -> Scenario:
        """A copy with some fields changed, validated again (raises :class:`ScenarioError`).

        A range on a changed field (or on the partner of a changed field in a joint bound such as
        ``bass_p + bass_q ≤ 1``) that no longer fits — its value now outside [low, high], or its
        high now breaking the joint bound — is dropped: the field becomes certain at its new
        value. Passing ``ranges=...`` sets the ranges as given (nothing is dropped).

        >>> s = base_template()
        >>> s.with_values(monthly_churn=0.04).range_of("monthly_churn") is not None
        True
        >>> s.with_values(monthly_churn=0.2).range_of("monthly_churn") is None
        True
        """
        if "ranges" in changes:
            return dataclasses.replace(self, **changes)
        values = {name: changes.get(name, getattr(self, name)) for name in RANGE_FIELDS}
        kept = {
            r.field: r for r in self.ranges if r.field not in changes or not range_context_problems(r, values)
        }
        for a, b in JOINT_AT_MOST_ONE:
            if not ({a, b} & set(changes)) or not all(is_finite(values[n]) for n in (a, b)):
                continue
            # Drop the changed field's range first, then the partner's, until the highs fit.
            for name in sorted((a, b), key=lambda n: n not in changes):
                highs = {n: kept[n].high if n in kept else values[n] for n in (a, b)}
                if highs[a] + highs[b] <= 1.0:
                    break
                kept.pop(name, None)
        order = [r for r in self.ranges if kept.get(r.field) is r]
        return dataclasses.replace(self, **changes, ranges=tuple(order))

    # ------------------------------------------------------------------ derived quantities

    @property
    def accuracy_factor(self) -> float:
        """The accuracy link's factor (0–1) at this scenario's ``model_accuracy``."""
        return float(self.accuracy_link.factor(self.model_accuracy))

    @property
    def effective_monthly_churn(self) -> float:
        """``monthly_churn`` + ``churn_at_minimum_accuracy_extra`` × (1 − accuracy factor)."""
        return self.monthly_churn + self.churn_at_minimum_accuracy_extra * (1.0 - self.accuracy_factor)

    @property
    def revenue_usd_per_user_month(self) -> float:
        """ARPU: subscription plus usage revenue of one active customer per month."""
        usage = self.usage_price_usd_per_1000_requests * self.requests_per_user_month / 1000.0
        return self.price_usd_per_user_month + usage

    @property
    def serving_usd_per_user_month(self) -> float:
        """Serving cost of one active customer's requests per month."""
        return self.serving_usd_per_1000_predictions * self.requests_per_user_month / 1000.0

    @property
    def review_usd_per_user_month(self) -> float:
        """Human review of one active customer's flagged predictions per month: requests × error rate
        × reviews per error × the price of a label."""
        errors = self.requests_per_user_month * (1.0 - self.model_accuracy)
        return errors * self.review_per_error * self.data_cost_usd_per_sample

    @property
    def variable_cost_usd_per_user_month(self) -> float:
        """Every cost of revenue that follows one active customer a month: serving, review, hosting,
        support and payment processing (data and retraining are fixed costs of the business)."""
        arpu = self.revenue_usd_per_user_month
        payment = arpu * self.payment_fee_share + self.payment_fee_usd_per_customer_month
        return (
            self.serving_usd_per_user_month
            + self.review_usd_per_user_month
            + self.hosting_usd_per_customer_month
            + self.support_usd_per_customer_month
            + payment
        )

    # ------------------------------------------------------------------ JSON

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (lists, not tuples); :meth:`from_dict` reads it back unchanged."""
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["headcount_by_month"] = list(self.headcount_by_month)
        out["accuracy_link"] = self.accuracy_link.to_dict()
        out["funding_rounds"] = [r.to_dict() for r in self.funding_rounds]
        out["ranges"] = [r.to_dict() for r in self.ranges]
        return out

    @classmethod
    def from_dict(cls, data: Any) -> Scenario:
        """A scenario from a dict (as :meth:`to_dict` writes, or parsed JSON).

        A document without ``"ranges"`` (written before ranges existed) loads with no ranges; one
        without the later fields loads with their defaults (production factors derived, the
        default cost-of-revenue lines, a Gordon terminal value, ``use_run_spread`` false). A
        document of the earlier form with ``"run_retrain_scale"`` (the cost of one retraining as
        a multiple of the run's) loads it as ``production_data_factor`` with the run's model
        (``production_model_factor`` 1), the same training FLOPs; its default 1 meant "not set"
        and loads as derived.

        Every problem is reported at once, nested objects included: a problem of the accuracy link
        is prefixed ``accuracy_link:``, one of a funding round ``funding_rounds[i]:`` (i = 1 for the
        first round), one of a range ``ranges[field]:`` (or ``ranges:``). To check the rest of the
        document, an invalid accuracy link stands in as the default link and invalid funding rounds
        and ranges are left out; none of them is ever returned.

        Raises
        ------
        ScenarioError
            For unknown or missing keys, and for every invalid field (all listed at once: with keys
            missing, the fields that are present are still checked).

        >>> bad = {**base_template().to_dict(), "cac_usd": "x",
        ...        "accuracy_link": {"minimum_viable_accuracy": 0.9, "delightful_accuracy": 0.8}}
        >>> try:
        ...     Scenario.from_dict(bad)
        ... except ScenarioError as error:
        ...     [p.split(" must")[0] for p in error.problems]
        ['cac_usd', 'accuracy_link: delightful_accuracy']
        """
        data = _migrated(data)
        try:
            values = fields_of(cls, data, "the scenario")
        except ScenarioError as missing:
            raise ScenarioError([*missing.all_problems, *cls._present_field_problems(data)]) from None
        nested: list[str] = []
        if "accuracy_link" in values:
            values["accuracy_link"] = _link_from(values["accuracy_link"], nested)
        if "funding_rounds" in values:
            values["funding_rounds"] = _rounds_from(values["funding_rounds"], nested)
        if isinstance(values.get("headcount_by_month"), list):
            values["headcount_by_month"] = tuple(values["headcount_by_month"])
        if "ranges" in values:
            values["ranges"] = ranges_from(values["ranges"], nested)
        try:
            scenario = cls(**values)
        except ScenarioError as error:
            raise ScenarioError([*error.all_problems, *nested]) from None
        if nested:
            raise ScenarioError(nested)
        return scenario

    @classmethod
    def _present_field_problems(cls, data: Any) -> list[str]:
        """The problems of the fields present in an incomplete document: the missing ones are
        filled from the base template (valid by construction, with no ranges or funding), so
        every problem reported belongs to a field the document has."""
        if not isinstance(data, dict):
            return []
        names = {f.name for f in fields(cls)}
        probe = {**base_template().to_dict(), "ranges": [], "funding_rounds": []}
        probe.update({k: v for k, v in data.items() if k in names})
        try:
            cls.from_dict(probe)
        except ScenarioError as exc:
            present = {k for k in data if k in names}
            return [p for p in exc.all_problems if re.split(r"[\s\[:]", p, maxsplit=1)[0] in present]
        return []


def _migrated(data: Any) -> Any:
    """An earlier document in today's form (see :meth:`Scenario.from_dict`)."""
    if not isinstance(data, dict) or "run_retrain_scale" not in data:
        return data
    out = dict(data)
    scale = out.pop("run_retrain_scale")
    if "production_data_factor" in out or scale == 1:
        return out
    out["production_data_factor"] = scale
    out.setdefault("production_model_factor", 1.0)
    return out


def _link_from(data: Any, problems: list[str]) -> AccuracyLink:
    """The document's accuracy link; when it is invalid, its problems (prefixed ``accuracy_link``)
    are appended and the default link stands in."""
    if isinstance(data, AccuracyLink):
        return data
    try:
        keywords = fields_of(AccuracyLink, data, "accuracy_link")
    except ScenarioError as error:
        problems.extend(error.all_problems)
        return AccuracyLink()
    try:
        return AccuracyLink(**keywords)
    except ScenarioError as error:
        problems.extend(f"accuracy_link: {p}" for p in error.all_problems)
        return AccuracyLink()


def _rounds_from(items: Any, problems: list[str]) -> tuple[FundingRound, ...]:
    """The document's valid funding rounds; each invalid one's problems (prefixed
    ``funding_rounds[i]``, 1-based) are appended and the round left out."""
    if not isinstance(items, list | tuple):
        problems.append("funding_rounds must be a list of {month, amount_usd} objects")
        return ()
    rounds: list[FundingRound] = []
    for i, item in enumerate(items, start=1):
        if isinstance(item, FundingRound):
            rounds.append(item)
            continue
        name = f"funding_rounds[{i}]"
        try:
            rounds.append(FundingRound(**fields_of(FundingRound, item, name)))
        except ScenarioError as error:
            problems.extend(
                p if p.startswith(name) else f"{name}: {p.removeprefix('funding round ')}"
                for p in error.all_problems
            )
    return tuple(rounds)


# ---------------------------------------------------------------------- templates


def base_template() -> Scenario:
    """A plausible B2B ML product: 20,000 potential business customers, $49/month plus usage.

    Adoption: monthly Bass p = 0.3 %, q = 5 % (a slow B2B market: about half of it adopts within
    five years at full accuracy). ARPU ≈ $50 (2,000 requests a month at $0.50 per 1,000). Churn 3 % a
    month, up to 8 % when the model is only minimum-viable. CAC $300. A team growing from 3 to 6 at
    $12,000 loaded per head a month; $3,000 other fixed costs. 5,000 samples a month at $0.05;
    retraining every quarter for $200; serving $0.02 per 1,000 predictions. Accuracy 92 % against a
    link from 80 % (minimum viable) to 95 % (delightful). $1.5 M starting cash, $3 M raised in month
    18; 12 % annual discount rate.

    Cost of revenue beyond serving, data and retraining (the defaults of :class:`Scenario`): one
    human review per model error at the label price (2,000 × 8 % × $0.05 = $8 a customer-month),
    hosting $4 and support $4 a customer-month, card fees 2.9 % + $0.30: a gross margin of about
    64 %, between the 50–60 % a16z found for AI companies and the 60–80 % of SaaS ("The New Business
    of AI", 2020). The value beyond the horizon is an exit at 4× ending ARR.

    Default ranges (the value above is the most likely one): churn triangular 2–5 %, CAC
    triangular $200–$500, Bass q triangular 3–8 %, price triangular $39–$59, and market size
    log-normal with 10,000 and 40,000 as its 5th and 95th percentiles (median 20,000).
    """
    return Scenario(
        horizon_months=60,
        market_size=20_000,
        bass_p=0.003,
        bass_q=0.05,
        price_usd_per_user_month=49.0,
        usage_price_usd_per_1000_requests=0.5,
        requests_per_user_month=2_000,
        monthly_churn=0.03,
        churn_at_minimum_accuracy_extra=0.05,
        cac_usd=300.0,
        headcount_by_month=(3,) * 6 + (4,) * 6 + (5,) * 12 + (6,),
        cost_per_head_usd_month=12_000.0,
        other_fixed_usd_month=3_000.0,
        data_samples_per_month=5_000,
        data_cost_usd_per_sample=0.05,
        retrain_every_months=3,
        retrain_cost_usd=200.0,
        serving_usd_per_1000_predictions=0.02,
        model_accuracy=0.92,
        accuracy_link=AccuracyLink(minimum_viable_accuracy=0.80, delightful_accuracy=0.95),
        starting_cash_usd=1_500_000.0,
        funding_rounds=(FundingRound(month=18, amount_usd=3_000_000.0),),
        annual_discount_rate=0.12,
        ranges=(
            Range("monthly_churn", 0.02, 0.05),
            Range("cac_usd", 200.0, 500.0),
            Range("bass_q", 0.03, 0.08),
            Range("price_usd_per_user_month", 39.0, 59.0),
            Range("market_size", 10_000.0, 40_000.0, "lognormal"),
        ),
    )


def bull_template() -> Scenario:
    """The base case going well: a larger market (30,000), faster word of mouth (q = 8 %), $59 a
    month, churn 2 %, CAC $250 and a better model (94 % accuracy); the rest as :func:`base_template`.

    Default ranges: churn triangular 1.2–3.5 %, CAC triangular $175–$400, Bass q triangular
    5–11 %, price triangular $49–$69, market size log-normal 15,000–60,000 (5th–95th percentiles,
    median 30,000).
    """
    return _variant(
        {
            "market_size": 30_000,
            "bass_p": 0.004,
            "bass_q": 0.08,
            "price_usd_per_user_month": 59.0,
            "monthly_churn": 0.02,
            "cac_usd": 250.0,
            "model_accuracy": 0.94,
        },
        (
            Range("monthly_churn", 0.012, 0.035),
            Range("cac_usd", 175.0, 400.0),
            Range("bass_q", 0.05, 0.11),
            Range("price_usd_per_user_month", 49.0, 69.0),
            Range("market_size", 15_000.0, 60_000.0, "lognormal"),
        ),
    )


def bear_template() -> Scenario:
    """The base case going badly: a smaller market (12,000), slow adoption (p = 0.2 %, q = 3 %), $39
    a month, churn 5 %, CAC $600, an 86 % accurate model and no second funding round; a 15 % rate.

    Default ranges: churn triangular 3.5–8 %, CAC triangular $400–$900, Bass q triangular
    1.5–5 %, price triangular $29–$49, market size log-normal 6,000–24,000 (5th–95th
    percentiles, median 12,000).
    """
    return _variant(
        {
            "market_size": 12_000,
            "bass_p": 0.002,
            "bass_q": 0.03,
            "price_usd_per_user_month": 39.0,
            "monthly_churn": 0.05,
            "cac_usd": 600.0,
            "model_accuracy": 0.86,
            "funding_rounds": [],
            "annual_discount_rate": 0.15,
        },
        (
            Range("monthly_churn", 0.035, 0.08),
            Range("cac_usd", 400.0, 900.0),
            Range("bass_q", 0.015, 0.05),
            Range("price_usd_per_user_month", 29.0, 49.0),
            Range("market_size", 6_000.0, 24_000.0, "lognormal"),
        ),
    )


def _variant(changes: dict[str, Any], ranges: tuple[Range, ...]) -> Scenario:
    """The base template with some fields changed and its own default ranges."""
    return Scenario.from_dict(
        {**base_template().to_dict(), **changes, "ranges": [r.to_dict() for r in ranges]}
    )


TEMPLATES = {"base": base_template, "bull": bull_template, "bear": bear_template}
