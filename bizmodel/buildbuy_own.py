"""Build or buy (a): the run's own model against a per-call API, and what both comparisons share.

Both sides cost a fixed amount a month plus a price per 1,000 requests, so the curves are straight
lines and cross at most once. USD throughout; volumes are requests per month (≥ 0); ties go to the
API. :class:`BuildBuyError` and :class:`BreakEven` are shared with :mod:`bizmodel.buildbuy_llm`
(a self-hosted LLM against paid APIs); :mod:`bizmodel.buildbuy` states the conventions and gathers
both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from bizmodel.reasons import Reason
from bizmodel.scenario import Scenario

__all__ = [
    "MAX_BREAK_EVEN_VOLUME",
    "ApiCosts",
    "BreakEven",
    "BuildBuyError",
    "OwnModelCosts",
    "break_even",
    "break_even_volume",
    "checked_number",
    "checked_volumes",
    "cost_curves",
]

#: A break-even volume above this many requests a month is reported as none (with the reason).
MAX_BREAK_EVEN_VOLUME = 1e15


class BuildBuyError(ValueError):
    """Build-or-buy inputs are invalid, or a price table is broken (the message names line and column)."""


def checked_number(name: str, value: float, *, positive: bool = False) -> float:
    """``value`` as a float when it is a finite number ≥ 0 (> 0 if ``positive``), else BuildBuyError.

    Examples
    --------
    >>> checked_number("fixed_usd_month", 5)
    5.0
    """
    ok_type = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
    number = float(value) if ok_type else math.nan
    if not math.isfinite(number) or number < 0 or (positive and number == 0):
        bound = "> 0" if positive else "≥ 0"
        raise BuildBuyError(f"{name} must be a finite number {bound}, got {value!r}")
    return number


def checked_volumes(volumes: npt.ArrayLike) -> np.ndarray:
    """``volumes`` (requests per month, each finite and ≥ 0) as a 1-D float array, else BuildBuyError.

    Examples
    --------
    >>> checked_volumes(1000).tolist()
    [1000.0]
    """
    array = np.atleast_1d(np.asarray(volumes, dtype=float))
    if array.ndim != 1 or not np.all(np.isfinite(array)) or np.any(array < 0):
        raise BuildBuyError("volumes must be a 1-D list of finite request counts ≥ 0 per month")
    return array


@dataclass(frozen=True)
class OwnModelCosts:
    """Your own model's monthly cost: a fixed part and serving per 1,000 predictions.

    Attributes
    ----------
    fixed_usd_month : float
        Costs that do not grow with volume, e.g. retraining amortised (``retrain_cost_usd ÷
        retrain_every_months``) plus any operations or people cost you type.
    serving_usd_per_1000 : float
        Serving cost per 1,000 predictions (e.g. the run's measured figure).

    Examples
    --------
    >>> OwnModelCosts(fixed_usd_month=500.0, serving_usd_per_1000=0.02).serving_usd_per_1000
    0.02
    """

    fixed_usd_month: float
    serving_usd_per_1000: float

    def __post_init__(self) -> None:
        checked_number("fixed_usd_month", self.fixed_usd_month)
        checked_number("serving_usd_per_1000", self.serving_usd_per_1000)

    @classmethod
    def from_scenario(cls, scenario: Scenario, *, ops_usd_month: float = 0.0) -> OwnModelCosts:
        """The scenario's retraining amortised per month plus ``ops_usd_month``, and its serving cost.

        Parameters
        ----------
        scenario : Scenario
            Supplies ``retrain_cost_usd`` / ``retrain_every_months`` (0 = never: nothing amortised)
            and ``serving_usd_per_1000_predictions``.
        ops_usd_month : float
            Other fixed monthly cost of running your own model (people, monitoring), ≥ 0.

        Returns
        -------
        OwnModelCosts

        Raises
        ------
        BuildBuyError
            If ``ops_usd_month`` is negative or not finite.

        Examples
        --------
        >>> from bizmodel.scenario import base_template
        >>> c = OwnModelCosts.from_scenario(base_template(), ops_usd_month=100.0)
        >>> round(c.fixed_usd_month, 2), c.serving_usd_per_1000
        (166.67, 0.02)
        """
        ops = checked_number("ops_usd_month", ops_usd_month)
        every = scenario.retrain_every_months
        retrain = scenario.retrain_cost_usd / every if every else 0.0
        return cls(
            fixed_usd_month=retrain + ops, serving_usd_per_1000=scenario.serving_usd_per_1000_predictions
        )


@dataclass(frozen=True)
class ApiCosts:
    """A per-call API: a price per 1,000 calls and an optional fixed monthly fee (a plan, a minimum).

    Examples
    --------
    >>> ApiCosts(usd_per_1000_calls=1.5).fixed_usd_month
    0.0
    """

    usd_per_1000_calls: float
    fixed_usd_month: float = 0.0

    def __post_init__(self) -> None:
        checked_number("usd_per_1000_calls", self.usd_per_1000_calls)
        checked_number("fixed_usd_month", self.fixed_usd_month)


@dataclass(frozen=True)
class BreakEven:
    """Where two cost curves cross, or why they never do.

    Attributes
    ----------
    volume_per_month : float or None
        Requests per month at which both cost the same; None when they never cross at a volume ≥ 0.
    cheaper_below, cheaper_above : str or None
        ``"own"``, ``"self_hosted"`` or ``"api"``: which side is cheaper below / above that volume
        (when there is no crossing, ``cheaper_above`` names the side cheaper at every volume, if any).
    reason : Reason or None
        Why there is no break-even volume (a reason code naming the cheaper side, see
        :mod:`bizmodel.reasons`); None when there is one.
    """

    volume_per_month: float | None
    cheaper_below: str | None
    cheaper_above: str | None
    reason: Reason | None


#: Each side of a comparison as a reason parameter (the UI words it).
_SIDES: dict[str, Reason] = {
    "own": Reason("side_own"),
    "api": Reason("side_api"),
}


def cost_curves(own: OwnModelCosts, api: ApiCosts, volumes: npt.ArrayLike) -> pd.DataFrame:
    """Monthly cost of your own model and of the API at each volume.

    ``own_usd_month = fixed + serving_usd_per_1000 × volume / 1000`` and ``api_usd_month = fixed +
    usd_per_1000_calls × volume / 1000``.

    Parameters
    ----------
    own : OwnModelCosts
        Your model's costs.
    api : ApiCosts
        The API's costs.
    volumes : array-like
        Requests per month (≥ 0).

    Returns
    -------
    pandas.DataFrame
        Columns ``volume_per_month``, ``own_usd_month``, ``api_usd_month``, ``cheaper`` (``"own"``
        or ``"api"``; ties go to the API), one row per volume in the given order.

    Raises
    ------
    BuildBuyError
        If a volume is negative or not finite.

    Examples
    --------
    >>> curves = cost_curves(OwnModelCosts(100.0, 0.5), ApiCosts(1.5), [0, 50_000, 200_000])
    >>> curves["cheaper"].tolist(), curves["own_usd_month"].tolist(), curves["api_usd_month"].tolist()
    (['api', 'api', 'own'], [100.0, 125.0, 200.0], [0.0, 75.0, 300.0])
    """
    v = checked_volumes(volumes)
    own_usd = own.fixed_usd_month + own.serving_usd_per_1000 * v / 1000.0
    api_usd = api.fixed_usd_month + api.usd_per_1000_calls * v / 1000.0
    return pd.DataFrame(
        {
            "volume_per_month": v,
            "own_usd_month": own_usd,
            "api_usd_month": api_usd,
            "cheaper": np.where(own_usd < api_usd, "own", "api"),
        }
    )


def _linear_break_even(
    names: tuple[str, str], fixed: tuple[float, float], per_unit: tuple[float, float]
) -> BreakEven:
    """Crossing of ``fixed[i] + per_unit[i] × v`` for v ≥ 0 (names[0] is "ours", names[1] the API)."""
    (ours, theirs), (f_ours, f_theirs), (u_ours, u_theirs) = names, fixed, per_unit
    if u_ours == u_theirs:
        if f_ours == f_theirs:
            return BreakEven(None, None, None, Reason("same_everywhere"))
        cheaper = ours if f_ours < f_theirs else theirs
        return BreakEven(None, None, cheaper, Reason("cheaper_fixed", side=_SIDES[cheaper]))
    volume = (f_ours - f_theirs) / (u_theirs - u_ours)
    low_slope = ours if u_ours < u_theirs else theirs
    if volume < 0:
        return BreakEven(None, None, low_slope, Reason("cheaper_both", side=_SIDES[low_slope]))
    if volume == 0:
        return BreakEven(None, None, low_slope, Reason("cheaper_above_zero", side=_SIDES[low_slope]))
    high_slope = theirs if low_slope == ours else ours
    if not math.isfinite(volume) or volume > MAX_BREAK_EVEN_VOLUME:
        beyond = Reason("cross_beyond", volume=MAX_BREAK_EVEN_VOLUME, side=_SIDES[high_slope])
        return BreakEven(None, None, high_slope, beyond)
    return BreakEven(volume, high_slope, low_slope, None)


def break_even(own: OwnModelCosts, api: ApiCosts) -> BreakEven:
    """The volume at which your own model and the API cost the same, with which is cheaper on each side.

    ``volume = (own fixed − api fixed) × 1000 / (api per 1,000 − own per 1,000)`` when that is > 0.

    Parameters
    ----------
    own : OwnModelCosts
        Your model's costs.
    api : ApiCosts
        The API's costs.

    Returns
    -------
    BreakEven
        ``volume_per_month`` None (with ``reason``) when one side is cheaper at every volume or both
        cost the same everywhere.

    Examples
    --------
    >>> be = break_even(OwnModelCosts(100.0, 0.5), ApiCosts(1.5))
    >>> be.volume_per_month, be.cheaper_below, be.cheaper_above
    (100000.0, 'api', 'own')
    >>> break_even(OwnModelCosts(100.0, 2.0), ApiCosts(1.5)).reason
    Reason('cheaper_both', side=Reason('side_api'))
    """
    return _linear_break_even(
        ("own", "api"),
        (own.fixed_usd_month, api.fixed_usd_month),
        (own.serving_usd_per_1000 / 1000.0, api.usd_per_1000_calls / 1000.0),
    )


def break_even_volume(own: OwnModelCosts, api: ApiCosts) -> float | None:
    """Requests per month at which both cost the same; None when they never do (see :func:`break_even`).

    Parameters
    ----------
    own : OwnModelCosts
        Your model's costs.
    api : ApiCosts
        The API's costs.

    Returns
    -------
    float or None

    Examples
    --------
    >>> break_even_volume(OwnModelCosts(100.0, 0.5), ApiCosts(1.5))
    100000.0
    >>> break_even_volume(OwnModelCosts(0.0, 0.5), ApiCosts(1.5)) is None
    True
    """
    return break_even(own, api).volume_per_month
