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
"""

from __future__ import annotations

import math
from dataclasses import MISSING, dataclass, field, fields
from typing import Any

import numpy as np

HORIZON_MIN_MONTHS = 12
HORIZON_MAX_MONTHS = 120


class ScenarioError(ValueError):
    """A scenario (or part of one) is invalid; ``problems`` lists each field and what to change."""

    def __init__(self, problems: list[str] | tuple[str, ...] | str) -> None:
        self.problems: tuple[str, ...] = (problems,) if isinstance(problems, str) else tuple(problems)
        super().__init__("; ".join(self.problems))


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


def _check_range(
    problems: list[str],
    name: str,
    value: Any,
    low: float | None,
    high: float | None,
    *,
    integer: bool = False,
    low_open: bool = False,
) -> None:
    """Append a problem unless ``value`` is a finite number (an integer if asked) within bounds."""
    kind = "a whole number" if integer else "a number"
    if not _is_number(value) or not math.isfinite(float(value)):
        problems.append(f"{name} must be {kind}, got {value!r}")
        return
    if integer and float(value) != int(value):
        problems.append(f"{name} must be a whole number, got {value!r}")
        return
    v = float(value)
    too_low = low is not None and (v <= low if low_open else v < low)
    if too_low or (high is not None and v > high):
        low_text = "" if low is None else f"{'above' if low_open else 'at least'} {low:g}"
        high_text = "" if high is None else f"at most {high:g}"
        bounds = " and ".join(t for t in (low_text, high_text) if t)
        problems.append(f"{name} must be {bounds}; got {value!r}")


@dataclass(frozen=True)
class AccuracyLink:
    """How customers respond to the model's accuracy: a factor 0–1 on adoption (and on churn).

    The factor is 0 at or below ``minimum_viable_accuracy`` (nobody adopts a model that bad), 1 at
    or above ``delightful_accuracy``, and rises smoothly between (smoothstep ``3x² − 2x³`` of the
    position ``x`` between the two), so it is continuous, monotone and flat at both ends.

    >>> link = AccuracyLink(minimum_viable_accuracy=0.5, delightful_accuracy=1.0)
    >>> link.factor(0.4), link.factor(0.75), link.factor(1.0)
    (0.0, 0.5, 1.0)
    >>> link.factor(np.array([0.5, 1.0])).tolist()
    [0.0, 1.0]
    """

    minimum_viable_accuracy: float = 0.80
    delightful_accuracy: float = 0.95

    def __post_init__(self) -> None:
        problems: list[str] = []
        _check_range(problems, "minimum_viable_accuracy", self.minimum_viable_accuracy, 0.0, 1.0)
        _check_range(problems, "delightful_accuracy", self.delightful_accuracy, 0.0, 1.0)
        if not problems and self.delightful_accuracy <= self.minimum_viable_accuracy:
            problems.append(
                "delightful_accuracy must be above minimum_viable_accuracy "
                f"(got {self.delightful_accuracy!r} ≤ {self.minimum_viable_accuracy!r}); raise it or lower "
                "the minimum"
            )
        if problems:
            raise ScenarioError(problems)

    def factor(self, accuracy: float | np.ndarray) -> float | np.ndarray:
        """The adoption factor (0–1) at an accuracy (fraction); element-wise for an array."""
        span = self.delightful_accuracy - self.minimum_viable_accuracy
        x = np.clip((np.asarray(accuracy, dtype=np.float64) - self.minimum_viable_accuracy) / span, 0.0, 1.0)
        value = x * x * (3.0 - 2.0 * x)
        return float(value) if np.ndim(value) == 0 else value

    def to_dict(self) -> dict[str, float]:
        """A JSON-ready dict (see :meth:`from_dict`)."""
        return {
            "minimum_viable_accuracy": self.minimum_viable_accuracy,
            "delightful_accuracy": self.delightful_accuracy,
        }

    @classmethod
    def from_dict(cls, data: Any) -> AccuracyLink:
        """The link from a dict with the two accuracies; raises :class:`ScenarioError`."""
        return cls(**_fields_of(cls, data, "accuracy_link"))


@dataclass(frozen=True)
class FundingRound:
    """Cash raised (USD, > 0) at the end of month ``month`` (1-based)."""

    month: int
    amount_usd: float

    def __post_init__(self) -> None:
        problems: list[str] = []
        _check_range(problems, "funding round month", self.month, 1, HORIZON_MAX_MONTHS, integer=True)
        _check_range(problems, "funding round amount_usd", self.amount_usd, 0.0, None, low_open=True)
        if problems:
            raise ScenarioError(problems)

    def to_dict(self) -> dict[str, float]:
        """A JSON-ready dict (see :meth:`from_dict`)."""
        return {"month": self.month, "amount_usd": self.amount_usd}

    @classmethod
    def from_dict(cls, data: Any) -> FundingRound:
        """The round from a dict with ``month`` and ``amount_usd``; raises :class:`ScenarioError`."""
        return cls(**_fields_of(cls, data, "funding round"))


def _fields_of(cls: type, data: Any, what: str) -> dict[str, Any]:
    """The constructor keywords of ``cls`` from ``data``, refusing unknown or missing keys."""
    if not isinstance(data, dict):
        raise ScenarioError(f"{what} must be a JSON object, got {type(data).__name__}")
    names = [f.name for f in fields(cls)]
    required = [f.name for f in fields(cls) if f.default is MISSING and f.default_factory is MISSING]
    problems = [f"{what} has an unknown field {k!r}; remove it" for k in data if k not in names]
    problems += [f"{what} lacks {k!r}; add it" for k in required if k not in data]
    if problems:
        raise ScenarioError(problems)
    return {k: data[k] for k in names if k in data}


@dataclass(frozen=True)
class Scenario:
    """The business assumptions of one scenario (see the module docstring for conventions).

    Fields
    ------
    horizon_months : months projected, 12–120.
    market_size : potential customers (users) in the addressable market, ≥ 0.
    bass_p, bass_q : monthly Bass innovation / imitation coefficients, each 0–1, sum ≤ 1.
    price_usd_per_user_month : subscription price per active customer per month.
    usage_price_usd_per_1000_requests : usage price per 1,000 requests.
    requests_per_user_month : requests (= predictions) one active customer makes per month.
    monthly_churn : fraction of active customers lost each month at delightful accuracy.
    churn_at_minimum_accuracy_extra : extra monthly churn at minimum-viable accuracy; the
        accuracy link scales it to 0 at delightful accuracy. ``monthly_churn`` + this ≤ 1.
    cac_usd : all acquisition cost per new customer (acquisition spend = CAC × new customers).
    headcount_by_month : people employed in months 1, 2, …; the last value holds afterwards.
    cost_per_head_usd_month : loaded monthly cost of one person.
    other_fixed_usd_month : other fixed operating costs per month (rent, tools, …).
    data_samples_per_month, data_cost_usd_per_sample : data bought each month and its unit price.
    retrain_every_months : retrain at the end of months k, 2k, …; 0 = never.
    retrain_cost_usd : cost of one retraining (the run's training cost, or a scaled one).
    serving_usd_per_1000_predictions : serving cost (the run's measured $ per 1,000 predictions).
    model_accuracy : the model's test accuracy, fraction 0–1.
    accuracy_link : how adoption and churn respond to ``model_accuracy``.
    starting_cash_usd : cash before month 1, ≥ 0.
    funding_rounds : cash raised at month ends within the horizon.
    annual_discount_rate : the annual rate NPV discounts at, −0.99…10.

    >>> s = base_template()
    >>> Scenario.from_dict(s.to_dict()) == s
    True
    >>> Scenario.from_dict({**s.to_dict(), "monthly_churn": 1.5})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    bizmodel.scenario.ScenarioError: monthly_churn must be at least 0 and at most 1; got 1.5...
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

    def __post_init__(self) -> None:
        # Accept lists (as JSON gives them) and store tuples, so the scenario stays hashable.
        if isinstance(self.headcount_by_month, list):
            object.__setattr__(self, "headcount_by_month", tuple(self.headcount_by_month))
        if isinstance(self.funding_rounds, list):
            object.__setattr__(self, "funding_rounds", tuple(self.funding_rounds))
        problems: list[str] = []
        check = _check_range
        horizon_bounds = (HORIZON_MIN_MONTHS, HORIZON_MAX_MONTHS)
        check(problems, "horizon_months", self.horizon_months, *horizon_bounds, integer=True)
        check(problems, "market_size", self.market_size, 0.0, 1e10)
        check(problems, "bass_p", self.bass_p, 0.0, 1.0)
        check(problems, "bass_q", self.bass_q, 0.0, 1.0)
        if _is_number(self.bass_p) and _is_number(self.bass_q) and self.bass_p + self.bass_q > 1.0:
            problems.append("bass_p + bass_q must be at most 1 (monthly); lower one of them")
        for name in (
            "price_usd_per_user_month",
            "usage_price_usd_per_1000_requests",
            "requests_per_user_month",
            "cac_usd",
            "cost_per_head_usd_month",
            "other_fixed_usd_month",
            "data_samples_per_month",
            "data_cost_usd_per_sample",
            "retrain_cost_usd",
            "serving_usd_per_1000_predictions",
            "starting_cash_usd",
        ):
            check(problems, name, getattr(self, name), 0.0, None)
        check(problems, "monthly_churn", self.monthly_churn, 0.0, 1.0)
        check(problems, "churn_at_minimum_accuracy_extra", self.churn_at_minimum_accuracy_extra, 0.0, 1.0)
        if (
            _is_number(self.monthly_churn)
            and _is_number(self.churn_at_minimum_accuracy_extra)
            and self.monthly_churn + self.churn_at_minimum_accuracy_extra > 1.0
        ):
            problems.append(
                "monthly_churn + churn_at_minimum_accuracy_extra must be at most 1; lower one of them"
            )
        self._check_headcount(problems)
        check(
            problems, "retrain_every_months", self.retrain_every_months, 0, HORIZON_MAX_MONTHS, integer=True
        )
        check(problems, "model_accuracy", self.model_accuracy, 0.0, 1.0)
        if not isinstance(self.accuracy_link, AccuracyLink):
            problems.append("accuracy_link must be an AccuracyLink (minimum and delightful accuracy)")
        self._check_funding(problems)
        check(problems, "annual_discount_rate", self.annual_discount_rate, -0.99, 10.0)
        if problems:
            raise ScenarioError(problems)

    def _check_headcount(self, problems: list[str]) -> None:
        heads = self.headcount_by_month
        if not isinstance(heads, tuple) or not heads:
            problems.append("headcount_by_month must be a non-empty list of head counts (one per month)")
            return
        for i, h in enumerate(heads, start=1):
            _check_range(problems, f"headcount_by_month[month {i}]", h, 0.0, 1e6)
        horizon = self.horizon_months
        if _is_number(horizon) and len(heads) > horizon:
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
            if _is_number(horizon) and r.month > horizon:
                problems.append(
                    f"a funding round falls in month {r.month}, after horizon_months ({horizon}); "
                    "move it earlier or lengthen the horizon"
                )

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

    # ------------------------------------------------------------------ JSON

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (lists, not tuples); :meth:`from_dict` reads it back unchanged."""
        out: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        out["headcount_by_month"] = list(self.headcount_by_month)
        out["accuracy_link"] = self.accuracy_link.to_dict()
        out["funding_rounds"] = [r.to_dict() for r in self.funding_rounds]
        return out

    @classmethod
    def from_dict(cls, data: Any) -> Scenario:
        """A scenario from a dict (as :meth:`to_dict` writes, or parsed JSON).

        Raises
        ------
        ScenarioError
            For unknown or missing keys, and for every invalid field (all listed at once).
        """
        values = _fields_of(cls, data, "the scenario")
        if "accuracy_link" in values:
            values["accuracy_link"] = AccuracyLink.from_dict(values["accuracy_link"])
        if "funding_rounds" in values:
            rounds = values["funding_rounds"]
            if not isinstance(rounds, list | tuple):
                raise ScenarioError("funding_rounds must be a list of {month, amount_usd} objects")
            values["funding_rounds"] = tuple(FundingRound.from_dict(r) for r in rounds)
        if isinstance(values.get("headcount_by_month"), list):
            values["headcount_by_month"] = tuple(values["headcount_by_month"])
        return cls(**values)


# ---------------------------------------------------------------------- templates


def base_template() -> Scenario:
    """A plausible B2B ML product: 20,000 potential business customers, $49/month plus usage.

    Adoption: monthly Bass p = 0.3 %, q = 5 % (a slow B2B market: about half of it adopts within
    five years at full accuracy). ARPU ≈ $50 (2,000 requests a month at $0.50 per 1,000). Churn 3 % a
    month, up to 8 % when the model is only minimum-viable. CAC $400. A team growing from 3 to 6 at
    $12,000 loaded per head a month; $3,000 other fixed costs. 5,000 samples a month at $0.05;
    retraining every quarter for $200; serving $0.02 per 1,000 predictions. Accuracy 92 % against a
    link from 80 % (minimum viable) to 95 % (delightful). $1.5 M starting cash, $2 M raised in month
    18; 12 % annual discount rate.
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
        cac_usd=400.0,
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
        funding_rounds=(FundingRound(month=18, amount_usd=2_000_000.0),),
        annual_discount_rate=0.12,
    )


def bull_template() -> Scenario:
    """The base case going well: a larger market (30,000), faster word of mouth (q = 8 %), $59 a
    month, churn 2 %, CAC $300 and a better model (94 % accuracy); the rest as :func:`base_template`.
    """
    base = base_template()
    return Scenario.from_dict(
        {
            **base.to_dict(),
            "market_size": 30_000,
            "bass_p": 0.004,
            "bass_q": 0.08,
            "price_usd_per_user_month": 59.0,
            "monthly_churn": 0.02,
            "cac_usd": 300.0,
            "model_accuracy": 0.94,
        }
    )


def bear_template() -> Scenario:
    """The base case going badly: a smaller market (12,000), slow adoption (p = 0.2 %, q = 3 %), $39
    a month, churn 5 %, CAC $600, an 86 % accurate model and no second funding round; a 15 % rate.
    """
    base = base_template()
    return Scenario.from_dict(
        {
            **base.to_dict(),
            "market_size": 12_000,
            "bass_p": 0.002,
            "bass_q": 0.03,
            "price_usd_per_user_month": 39.0,
            "monthly_churn": 0.05,
            "cac_usd": 600.0,
            "model_accuracy": 0.86,
            "funding_rounds": [],
            "annual_discount_rate": 0.15,
        }
    )


TEMPLATES = {"base": base_template, "bull": bull_template, "bear": bear_template}
