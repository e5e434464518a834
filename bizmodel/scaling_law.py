"""Compute-optimal scaling: the Chinchilla parametric loss and how a FLOP budget splits into N and D.

Conventions
-----------
- **Compute-optimal advice** uses the Chinchilla parametric loss ``L(N, D) = E + A/N^α + B/D^β`` with the
  Epoch AI refit (Besiroglu et al. 2024), which gives ≈ 20 tokens per parameter; the law is stated in
  ``C = 6·N·D`` (its own convention, attention excluded). The rounded constants published by Hoffmann et
  al. 2022 are kept for comparison; they give 50–98 tokens per parameter.
- ``N`` is the parameters a token passes through (the active parameters of a Mixture-of-Experts
  model), ``D`` the training tokens, ``C`` the training FLOPs of the law (``6·N·D``); the loss is in
  nats per token.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bizmodel.training_work import ComputeError


@dataclass(frozen=True)
class ScalingLaw:
    """Parametric loss ``L(N, D) = E + A/N^alpha + B/D^beta`` (N parameters, D tokens).

    Examples
    --------
    >>> EPOCH_2024.alpha
    0.3478
    """

    E: float
    A: float
    B: float
    alpha: float
    beta: float
    name: str
    source: str = field(compare=False)


EPOCH_2024 = ScalingLaw(
    E=1.8172,
    A=482.01,
    B=2085.43,
    alpha=0.3478,
    beta=0.3658,
    name="Epoch AI refit (2024)",
    source="Besiroglu et al. 2024, 'Chinchilla Scaling: A replication attempt', arXiv:2404.10102",
)
HOFFMANN_2022 = ScalingLaw(
    E=1.69,
    A=406.4,
    B=410.7,
    alpha=0.34,
    beta=0.28,
    name="Chinchilla, rounded published constants (2022)",
    source="Hoffmann et al. 2022, arXiv:2203.15556, Approach 3 (Appendix D.2); gives 50–98 tokens/param",
)


def loss(law: ScalingLaw, params: float | np.ndarray, tokens: float | np.ndarray) -> float | np.ndarray:
    """Predicted pre-training loss ``E + A/N^α + B/D^β`` (nats per token).

    Examples
    --------
    >>> round(float(loss(EPOCH_2024, 70e9, 1.4e12)), 3)
    1.974
    """
    n = np.asarray(params, dtype=float)
    d = np.asarray(tokens, dtype=float)
    if np.any(n <= 0) or np.any(d <= 0):
        raise ComputeError("params and tokens must be positive")
    result = law.E + law.A / n**law.alpha + law.B / d**law.beta
    return float(result) if np.ndim(result) == 0 else result


def _law_g(law: ScalingLaw) -> float:
    return (law.alpha * law.A / (law.beta * law.B)) ** (1.0 / (law.alpha + law.beta))


def compute_optimal(
    law: ScalingLaw, flops: float | np.ndarray
) -> tuple[float | np.ndarray, float | np.ndarray]:
    """Loss-minimising parameters and tokens for a FLOP budget C under C = 6·N·D.

    ``G = (αA/(βB))^(1/(α+β))``, ``N_opt = G·(C/6)^(β/(α+β))``, ``D_opt = C/(6·N_opt)``.

    Parameters
    ----------
    law : ScalingLaw
        Constants; use :data:`EPOCH_2024`.
    flops : float or array
        Training compute C.

    Returns
    -------
    (params, tokens)

    Raises
    ------
    ComputeError
        If C is not positive.

    Examples
    --------
    >>> n, d = compute_optimal(EPOCH_2024, 1e23)
    >>> round(d / n, 1)
    19.2
    """
    c = np.asarray(flops, dtype=float)
    if np.any(c <= 0):
        raise ComputeError("flops must be positive")
    n = _law_g(law) * (c / 6.0) ** (law.beta / (law.alpha + law.beta))
    d = c / (6.0 * n)
    if np.ndim(c) == 0:
        return float(n), float(d)
    return n, d


def flops_for_params(law: ScalingLaw, params: np.ndarray, tokens_per_param: float | None) -> np.ndarray:
    """Inverse of :func:`allocate`: the FLOPs ``C`` at which the chosen N equals ``params``.

    Parameters
    ----------
    law : ScalingLaw
        The law whose compute-optimal rule chooses N (used when ``tokens_per_param`` is None).
    params : numpy.ndarray
        Parameters N (per token).
    tokens_per_param : float or None
        A fixed D/N ratio instead of the law's rule.

    Returns
    -------
    numpy.ndarray
        FLOPs ``C = 6·N·D``.

    Examples
    --------
    >>> flops_for_params(EPOCH_2024, np.array([1e9]), 20.0).tolist()
    [1.2e+20]
    """
    if tokens_per_param is not None:
        return 6.0 * tokens_per_param * params**2
    a = law.beta / (law.alpha + law.beta)
    return 6.0 * (params / _law_g(law)) ** (1.0 / a)


def allocate(
    law: ScalingLaw, flops: np.ndarray, tokens_per_param: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """Split FLOPs ``C = 6·N·D`` into (N, D): by the law's compute-optimal rule, or at a fixed D/N ratio.

    Examples
    --------
    >>> n, d = allocate(EPOCH_2024, np.array([1.2e20]), 20.0)
    >>> n.tolist(), d.tolist()
    ([1000000000.0], [20000000000.0])
    """
    if tokens_per_param is None:
        n, d = compute_optimal(law, flops)
        return np.asarray(n), np.asarray(d)
    n = np.sqrt(flops / (6.0 * tokens_per_param))
    return n, tokens_per_param * n
