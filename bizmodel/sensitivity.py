"""One-at-a-time sensitivity of a scenario's NPV and break-even to technical and business levers.

Conventions
-----------
* A :class:`Lever` moves one or a few scenario fields by a signed *relative* change ``c`` (a
  fraction: ``+0.10`` is 10 % more of what the lever names). ``-c`` is the lever's **low** side,
  ``+c`` its **high** side; each lever says in ``low_means`` / ``high_means`` what they are. The
  low side is not always the pessimistic one (a lower GPU price is good news).
* Moved values are clipped to the field's valid bounds (:data:`bizmodel.scenario_bounds.FIELD_BOUNDS`)
  and to the joint bounds (``bass_p + bass_q ≤ 1``: both moved fields scaled down in proportion;
  ``monthly_churn + churn_at_minimum_accuracy_extra ≤ 1``: churn lowered to 1 minus the extra).
  The new scenario comes from :meth:`~bizmodel.scenario.Scenario.with_values`, so a range that no
  longer holds its field's value is dropped and the scenario stays valid.
* :func:`tornado` projects the scenario deterministically (its ranges play no part) at the low
  and high side of every lever, one lever at a time: NPV of the operating cash flows at the
  scenario's discount rate (USD) and the break-even month (first month with operating cash flow
  ≥ 0; float, NaN when not within the horizon), as in :mod:`bizmodel.finance`.

The technical levers translate what an ML engineer can change into the scenario's money:

* ``accuracy`` — the model's error rate ``1 − model_accuracy`` × (1 − c): +c means *fewer*
  errors (higher accuracy), acting through the accuracy link on adoption and churn.
* ``gpu_price`` — retraining and serving both × (1 + c): both are rented accelerator hours.
* ``mfu`` — training's model FLOPs utilisation × (1 + c): the same training FLOPs in fewer hours,
  so retraining ÷ (1 + c).
* ``latency`` — serving cost per prediction × (1 + c): at a fixed batch size and instance price
  an instance serves 1 / latency batches an hour, so the cost per prediction is proportional to
  latency; latency and $ per prediction are one lever.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bizmodel import finance
from bizmodel.projection import project_paths
from bizmodel.scenario import Scenario
from bizmodel.scenario_bounds import FIELD_BOUNDS, JOINT_AT_MOST_ONE

KINDS = ("technical", "business")

#: The columns of :func:`tornado`'s frame, in order.
TORNADO_COLUMNS = (
    "key",
    "label",
    "kind",
    "low_change",
    "high_change",
    "npv_low_usd",
    "npv_high_usd",
    "npv_base_usd",
    "npv_swing_usd",
    "break_even_low",
    "break_even_high",
    "break_even_base",
)

MAX_CHANGE = 0.9


class SensitivityError(ValueError):
    """Invalid sensitivity settings; the message says what to change."""


Move = Callable[[Scenario, float], dict[str, float]]


@dataclass(frozen=True)
class Lever:
    """A named move of scenario fields by a signed relative change (see the module docstring).

    ``key`` identifies the lever, ``label`` names it for people, ``kind`` is ``"technical"`` or
    ``"business"``, ``description`` says in words what moving it changes, and ``low_means`` /
    ``high_means`` what its ``-change`` and ``+change`` sides are. ``move`` gives the new field
    values (before clipping) for a scenario and a change.
    """

    key: str
    label: str
    kind: str
    description: str
    move: Move = field(repr=False, compare=False)
    low_means: str = ""
    high_means: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise SensitivityError(
                f"lever {self.key!r}: kind must be one of {', '.join(KINDS)}; got {self.kind!r}"
            )

    def apply(self, scenario: Scenario, change: float) -> Scenario:
        """The scenario with this lever moved by ``change`` (signed fraction, e.g. ``+0.1``).

        ``change`` must be a finite number above −1. Values are clipped to the fields' bounds and
        joint bounds; ranges that no longer hold their value are dropped.

        >>> from bizmodel.scenario import base_template
        >>> lever = next(lever for lever in LEVERS if lever.key == "churn")
        >>> round(lever.apply(base_template(), 0.5).monthly_churn, 6)
        0.045
        """
        _check_change(change, low=-1.0, high=math.inf, low_open=True, what="change")
        values = self.move(scenario, float(change))
        return scenario.with_values(**_fit_bounds(scenario, values))


def _check_change(change: object, *, low: float, high: float, low_open: bool, what: str) -> None:
    ok = isinstance(change, numbers.Real) and not isinstance(change, bool) and math.isfinite(float(change))
    if ok:
        value = float(change)
        ok = (value > low if low_open else value >= low) and value <= high
    if not ok:
        high_text = "" if math.isinf(high) else f" and at most {high:g}"
        low_text = f"above {low:g}" if low_open else f"at least {low:g}"
        raise SensitivityError(f"{what} must be a number {low_text}{high_text} (a fraction); got {change!r}")


def _fit_bounds(scenario: Scenario, values: dict[str, float]) -> dict[str, float]:
    """Fit moved values to the joint and the fields' bounds (see the module docstring).

    A pair moved together is scaled down in proportion first (so its ratio stays), then every
    value is clipped to its field's bounds, then a field moved alone is capped at 1 minus its
    partner.
    """
    out = {name: float(value) for name, value in values.items()}
    for a, b in JOINT_AT_MOST_ONE:
        if a in out and b in out and out[a] + out[b] > 1.0:
            total = out[a] + out[b]
            out[a] = out[a] / total
            out[b] = min(out[b] / total, 1.0 - out[a])  # the two quotients may round above 1
    for name, value in out.items():
        low, high = FIELD_BOUNDS[name]
        out[name] = min(max(value, low), math.inf if high is None else high)
    for a, b in JOINT_AT_MOST_ONE:
        if (a in out) != (b in out):
            moved, other = (a, b) if a in out else (b, a)
            out[moved] = min(out[moved], 1.0 - float(getattr(scenario, other)))
    return out


def _scale(*names: str) -> Move:
    """Every named field × (1 + change)."""
    return lambda s, c: {name: getattr(s, name) * (1.0 + c) for name in names}


def _error_rate(s: Scenario, c: float) -> dict[str, float]:
    return {"model_accuracy": 1.0 - (1.0 - s.model_accuracy) * (1.0 - c)}


def _mfu(s: Scenario, c: float) -> dict[str, float]:
    return {"retrain_cost_usd": s.retrain_cost_usd / (1.0 + c)}


LEVERS: tuple[Lever, ...] = (
    Lever(
        "accuracy",
        "Model error rate",
        "technical",
        "Moves the model's error rate (1 − accuracy) by the change in the opposite direction: +c "
        "means c fewer errors in relative terms, so higher accuracy, which raises adoption and "
        "lowers churn through the accuracy link (no effect where the link is flat).",
        _error_rate,
        low_means="more errors (error rate × (1 + c)): lower accuracy",
        high_means="fewer errors (error rate × (1 − c)): higher accuracy",
    ),
    Lever(
        "gpu_price",
        "$ per GPU-hour",
        "technical",
        "Scales the price of rented accelerator hours: retraining cost and serving cost per "
        "1,000 predictions both × (1 + c).",
        _scale("retrain_cost_usd", "serving_usd_per_1000_predictions"),
        low_means="cheaper GPU-hours",
        high_means="dearer GPU-hours",
    ),
    Lever(
        "mfu",
        "Training MFU",
        "technical",
        "Scales the training's model FLOPs utilisation by (1 + c): the same FLOPs take fewer "
        "hours, so each retraining costs ÷ (1 + c).",
        _mfu,
        low_means="lower utilisation: dearer retraining",
        high_means="higher utilisation: cheaper retraining",
    ),
    Lever(
        "latency",
        "Serving latency → $ per prediction",
        "technical",
        "Scales serving latency by (1 + c); at a fixed batch size and instance price the cost per "
        "prediction is proportional to latency, so serving $ per 1,000 predictions × (1 + c).",
        _scale("serving_usd_per_1000_predictions"),
        low_means="faster serving: cheaper predictions",
        high_means="slower serving: dearer predictions",
    ),
    Lever(
        "price",
        "Price",
        "business",
        "Subscription price and usage price per 1,000 requests both × (1 + c); adoption does not "
        "depend on price in this model.",
        _scale("price_usd_per_user_month", "usage_price_usd_per_1000_requests"),
        low_means="cheaper prices",
        high_means="dearer prices",
    ),
    Lever(
        "churn",
        "Monthly churn",
        "business",
        "Monthly churn at delightful accuracy × (1 + c).",
        _scale("monthly_churn"),
        low_means="fewer customers lost",
        high_means="more customers lost",
    ),
    Lever(
        "cac",
        "Customer acquisition cost",
        "business",
        "Acquisition cost per new customer × (1 + c).",
        _scale("cac_usd"),
        low_means="cheaper acquisition",
        high_means="dearer acquisition",
    ),
    Lever(
        "adoption",
        "Adoption speed",
        "business",
        "Bass innovation and imitation coefficients p and q both × (1 + c), scaled down together "
        "if their sum would pass 1.",
        _scale("bass_p", "bass_q"),
        low_means="slower adoption",
        high_means="faster adoption",
    ),
    Lever(
        "market",
        "Market size",
        "business",
        "Potential customers × (1 + c).",
        _scale("market_size"),
        low_means="smaller market",
        high_means="larger market",
    ),
    Lever(
        "team_cost",
        "Cost per head",
        "business",
        "Loaded monthly cost of one person × (1 + c).",
        _scale("cost_per_head_usd_month"),
        low_means="cheaper team",
        high_means="dearer team",
    ),
)


def _npv_and_break_even(scenario: Scenario) -> tuple[float, float]:
    flows = project_paths(scenario, columns=("operating_cash_flow_usd",))["operating_cash_flow_usd"][0]
    npv = float(finance.npv(flows, scenario.annual_discount_rate))
    return npv, float(finance.break_even_month_paths(flows))


def tornado(scenario: Scenario, *, change: float = 0.10, levers: Sequence[Lever] = LEVERS) -> pd.DataFrame:
    """NPV and break-even month with each lever moved by ``-change`` and ``+change``, one at a time.

    Parameters
    ----------
    scenario : Scenario
        The base case (projected deterministically; its ranges play no part).
    change : float
        The relative move, in (0, 0.9] (0.10 = ±10 %).
    levers : sequence of Lever
        The levers to move (default :data:`LEVERS`).

    Returns
    -------
    pandas.DataFrame
        One row per lever with the columns of :data:`TORNADO_COLUMNS`: ``low_change`` = −change,
        ``high_change`` = +change; NPVs in USD (``npv_swing_usd`` = |high − low|); break-even
        months as floats (NaN: not within the horizon). Sorted by ``npv_swing_usd``, largest
        first (stable: ties keep the levers' order); index 0…n−1.

    >>> from bizmodel.scenario import base_template
    >>> frame = tornado(base_template())
    >>> len(frame) == len(LEVERS), bool(frame["npv_swing_usd"].is_monotonic_decreasing)
    (True, True)
    """
    _check_change(change, low=0.0, high=MAX_CHANGE, low_open=True, what="change")
    c = float(change)
    npv_base, break_even_base = _npv_and_break_even(scenario)
    rows = []
    for lever in levers:
        npv_low, break_even_low = _npv_and_break_even(lever.apply(scenario, -c))
        npv_high, break_even_high = _npv_and_break_even(lever.apply(scenario, c))
        rows.append(
            (
                lever.key,
                lever.label,
                lever.kind,
                -c,
                c,
                npv_low,
                npv_high,
                npv_base,
                abs(npv_high - npv_low),
                break_even_low,
                break_even_high,
                break_even_base,
            )
        )
    frame = pd.DataFrame(rows, columns=list(TORNADO_COLUMNS))
    numeric = list(TORNADO_COLUMNS[3:])
    frame[numeric] = frame[numeric].astype(np.float64)
    return frame.sort_values("npv_swing_usd", ascending=False, kind="stable").reset_index(drop=True)
