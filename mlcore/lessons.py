"""The article's sections 3–4 as small numeric experiments (pure numpy, no TensorFlow).

Three lessons, each a handful of typed functions the Learn page plots:

1. **Loss functions** of one binary example with target ``y ∈ {0, 1}`` as functions of the
   predicted probability ``p`` of class 1:

   * mean squared error ``(y − p)²`` with ``dL/dp = −2 (y − p)``;
   * cross-entropy ``−[y log p + (1 − y) log(1 − p)]`` (natural log, so in nats) with
     ``dL/dp = (p − y) / (p (1 − p))``.

   ``p`` is clipped to ``[eps, 1 − eps]`` (``eps = 1e-7`` by default, the value Keras uses)
   before either is evaluated, so ``log 0`` and division by zero never happen; at the clip the
   cross-entropy is ``−log(eps) ≈ 16.1`` nats.

2. **Gradient descent** ``θ ← θ + Δθ`` with ``Δθ = −α ∇J(θ)`` on a 2-D loss surface ``J``.
   ``θ`` is a point ``(θ1, θ2)`` (dimensionless), ``α`` the learning rate, ``J`` the loss.
   On the quadratic bowl ``J(θ) = ½ (a θ1² + b θ2²)`` each coordinate evolves independently,
   ``θi ← (1 − α λi) θi`` with curvatures ``λ = (a, b)``, so the behaviour is exact in terms of
   ``λmax = max(a, b)``:

   * ``0 < α ≤ 1/λmax``: every factor is in ``[0, 1)``; each coordinate shrinks without changing
     sign — **converges** (at ``α = 1/λmax`` exactly, the stiffest coordinate reaches 0 in one
     step);
   * ``1/λmax < α < 2/λmax``: the stiffest factor is in ``(−1, 0)``; that coordinate flips sign
     every step while shrinking — **oscillates** (and still converges);
   * ``α = 2/λmax``: the stiffest factor is ``−1``; that coordinate flips sign forever with
     constant amplitude — **oscillates** (bounded, never converges);
   * ``α > 2/λmax``: the stiffest factor is below ``−1``; the amplitude grows geometrically —
     **diverges**.

   (This assumes the start point has a component along the stiffest axis; started exactly on
   the other axis, that direction is never excited.) The loss itself never increases for
   ``α ≤ 2/λmax``: each term is multiplied by ``(1 − α λi)² ≤ 1``.

   The Rosenbrock valley is the non-quadratic example: its curvature changes from place to
   place, so ``1/λmax`` and ``2/λmax`` computed at the minimum are only local guides, and the
   behaviour of a path is read off the path itself (:func:`classify_path`).

   A path stops early, and is reported as diverged, as soon as a coordinate leaves
   ``[−bound, bound]`` or the loss stops being finite: no overflow, no ``inf``/``NaN`` warning.

3. **Forward and backward pass** of a network the app builds: per layer its output shape,
   parameters, forward FLOPs and backward FLOPs. The backward pass computes gradients with
   respect to the layer's inputs and its weights, each about as costly as the forward
   multiply-adds, so backward = 2 × forward and a training step costs
   ``3 ×`` forward (:data:`mlcore.flops.TRAINING_FLOPS_MULTIPLIER`). FLOPs follow
   :mod:`mlcore.flops` (a multiply-add counts as 2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np

from mlcore.flops import TRAINING_FLOPS_MULTIPLIER, layer_table, training_flops
from mlcore.specs import ModelSpec

Behaviour = Literal["converges", "oscillates", "diverges"]
BEHAVIOURS: tuple[Behaviour, ...] = ("converges", "oscillates", "diverges")

#: Probabilities are clipped to ``[PROB_EPS, 1 − PROB_EPS]`` before a loss is evaluated.
PROB_EPS = 1e-7
#: A descent path stops once a coordinate's magnitude exceeds this.
DEFAULT_BOUND = 1e6
#: Backward FLOPs per forward FLOP (gradients w.r.t. inputs and w.r.t. weights).
BACKWARD_FLOPS_MULTIPLIER = TRAINING_FLOPS_MULTIPLIER - 1


class LessonError(ValueError):
    """A lesson was asked for something meaningless (a non-positive rate, a target not 0/1)."""


# --- 1. loss functions ---------------------------------------------------------------------


def _check_target(y: int) -> None:
    if y not in (0, 1):
        raise LessonError(f"the target must be 0 or 1, not {y!r}")


def clip_probability(p: np.ndarray | float, *, eps: float = PROB_EPS) -> np.ndarray:
    """``p`` clipped to ``[eps, 1 − eps]`` as a float array.

    >>> clip_probability(np.array([0.0, 0.5, 1.0]), eps=0.01).tolist()
    [0.01, 0.5, 0.99]
    """
    if not 0.0 < eps < 0.5:
        raise LessonError("eps must be in (0, 0.5)")
    return np.clip(np.asarray(p, dtype=float), eps, 1.0 - eps)


def mse(y: int, p: np.ndarray | float, *, eps: float = PROB_EPS) -> np.ndarray:
    """Squared error ``(y − p)²`` of one example (``p`` clipped like every loss here).

    >>> mse(1, np.array([1.0, 0.5, 0.0])).round(6).tolist()
    [0.0, 0.25, 1.0]
    """
    _check_target(y)
    return (y - clip_probability(p, eps=eps)) ** 2


def mse_gradient(y: int, p: np.ndarray | float, *, eps: float = PROB_EPS) -> np.ndarray:
    """``dL/dp = −2 (y − p)`` of the squared error; bounded by 2 in magnitude.

    >>> mse_gradient(1, np.array([0.5, 0.9])).round(6).tolist()
    [-1.0, -0.2]
    """
    _check_target(y)
    return -2.0 * (y - clip_probability(p, eps=eps))


def cross_entropy(y: int, p: np.ndarray | float, *, eps: float = PROB_EPS) -> np.ndarray:
    """Binary cross-entropy ``−[y log p + (1 − y) log(1 − p)]`` in nats; ``≥ 0``, zero only at ``p = y``
    (up to the clip).

    >>> cross_entropy(1, np.array([0.5, 0.9])).round(4).tolist()
    [0.6931, 0.1054]
    >>> round(float(cross_entropy(1, 0.0)), 2)  # clipped at 1e-7: −log(1e-7)
    16.12
    """
    _check_target(y)
    q = clip_probability(p, eps=eps)
    return -(y * np.log(q) + (1 - y) * np.log1p(-q))


def cross_entropy_gradient(y: int, p: np.ndarray | float, *, eps: float = PROB_EPS) -> np.ndarray:
    """``dL/dp = (p − y) / (p (1 − p))``: ``−1/p`` for ``y = 1``, ``1/(1 − p)`` for ``y = 0``.

    Unbounded as a confident prediction gets it wrong (about ``1/eps`` at the clip).

    >>> cross_entropy_gradient(1, np.array([0.5, 0.1])).round(6).tolist()
    [-2.0, -10.0]
    """
    _check_target(y)
    q = clip_probability(p, eps=eps)
    return (q - y) / (q * (1.0 - q))


@dataclass(frozen=True, eq=False)
class LossCurves:
    """Both losses and their slopes on a grid of predicted probabilities, for one target."""

    target: int
    p: np.ndarray
    mse: np.ndarray
    mse_gradient: np.ndarray
    cross_entropy: np.ndarray
    cross_entropy_gradient: np.ndarray


def loss_curves(target: int, *, points: int = 199, p_min: float = 0.005) -> LossCurves:
    """MSE and cross-entropy with their derivatives on ``points`` values of ``p`` evenly
    spaced in ``[p_min, 1 − p_min]``.

    >>> c = loss_curves(1, points=3, p_min=0.1)
    >>> c.p.tolist(), c.mse.round(2).tolist()
    ([0.1, 0.5, 0.9], [0.81, 0.25, 0.01])
    """
    _check_target(target)
    if points < 2 or not 0.0 < p_min < 0.5:
        raise LessonError("need at least 2 points and p_min in (0, 0.5)")
    p = np.linspace(p_min, 1.0 - p_min, points)
    return LossCurves(
        target=target,
        p=p,
        mse=mse(target, p),
        mse_gradient=mse_gradient(target, p),
        cross_entropy=cross_entropy(target, p),
        cross_entropy_gradient=cross_entropy_gradient(target, p),
    )


# --- 2. gradient descent on a 2-D surface --------------------------------------------------


class Surface(Protocol):
    """A 2-D loss surface. ``theta`` arrays have shape ``(..., 2)``."""

    @property
    def minimum(self) -> tuple[float, float]: ...

    @property
    def extent(self) -> tuple[tuple[float, float], tuple[float, float]]: ...

    @property
    def start(self) -> tuple[float, float]: ...

    def loss(self, theta: np.ndarray) -> np.ndarray: ...

    def gradient(self, theta: np.ndarray) -> np.ndarray: ...

    def curvatures(self) -> tuple[float, float]: ...


@dataclass(frozen=True)
class QuadraticSurface:
    """``J(θ) = ½ (a θ1² + b θ2²)``: an elongated bowl with its minimum 0 at the origin.

    ``a`` and ``b`` are the curvatures (the Hessian's eigenvalues), both positive. The default
    ``a = 1, b = 10`` makes θ2 ten times stiffer than θ1: ``1/λmax = 0.1``, ``2/λmax = 0.2``.
    ``extent`` is the default view ``((θ1 min, θ1 max), (θ2 min, θ2 max))``, ``start`` the
    default starting point.
    """

    a: float = 1.0
    b: float = 10.0
    extent: tuple[tuple[float, float], tuple[float, float]] = ((-3.0, 3.0), (-2.0, 2.0))
    start: tuple[float, float] = (-2.5, 1.5)

    def __post_init__(self) -> None:
        if not (self.a > 0 and self.b > 0 and math.isfinite(self.a) and math.isfinite(self.b)):
            raise LessonError("curvatures a and b must be positive and finite")

    @property
    def minimum(self) -> tuple[float, float]:
        return (0.0, 0.0)

    def loss(self, theta: np.ndarray) -> np.ndarray:
        """``J`` at each point.

        >>> QuadraticSurface().loss(np.array([[1.0, 1.0], [0.0, 0.0]])).tolist()
        [5.5, 0.0]
        """
        t = np.asarray(theta, dtype=float)
        return 0.5 * (self.a * t[..., 0] ** 2 + self.b * t[..., 1] ** 2)

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        """``∇J = (a θ1, b θ2)``.

        >>> QuadraticSurface().gradient(np.array([1.0, 1.0])).tolist()
        [1.0, 10.0]
        """
        t = np.asarray(theta, dtype=float)
        return t * np.array([self.a, self.b])

    def curvatures(self) -> tuple[float, float]:
        """Hessian eigenvalues, smallest first (the same everywhere on a quadratic).

        >>> QuadraticSurface(a=3, b=2).curvatures()
        (2.0, 3.0)
        """
        lo, hi = sorted((float(self.a), float(self.b)))
        return (lo, hi)


@dataclass(frozen=True)
class RosenbrockSurface:
    """``J(θ) = (1 − θ1)² + s (θ2 − θ1²)²``: a curved valley with its minimum 0 at ``(1, 1)``.

    ``s`` (``steepness``) sets how steep the valley walls are (the classic test uses 100; 10
    keeps plain gradient descent watchable). Its curvature varies from place to place.
    """

    steepness: float = 10.0
    extent: tuple[tuple[float, float], tuple[float, float]] = ((-2.0, 2.0), (-1.0, 3.0))
    start: tuple[float, float] = (-1.5, 2.0)

    def __post_init__(self) -> None:
        if not (self.steepness > 0 and math.isfinite(self.steepness)):
            raise LessonError("steepness must be positive and finite")

    @property
    def minimum(self) -> tuple[float, float]:
        return (1.0, 1.0)

    def loss(self, theta: np.ndarray) -> np.ndarray:
        """``J`` at each point.

        >>> RosenbrockSurface().loss(np.array([[1.0, 1.0], [0.0, 0.0]])).tolist()
        [0.0, 1.0]
        """
        t = np.asarray(theta, dtype=float)
        x, y = t[..., 0], t[..., 1]
        return (1.0 - x) ** 2 + self.steepness * (y - x**2) ** 2

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        """``∇J = (−2 (1 − θ1) − 4 s θ1 (θ2 − θ1²), 2 s (θ2 − θ1²))``.

        >>> RosenbrockSurface().gradient(np.array([0.0, 0.0])).tolist()
        [-2.0, 0.0]
        """
        t = np.asarray(theta, dtype=float)
        x, y = t[..., 0], t[..., 1]
        r = y - x**2
        return np.stack([-2.0 * (1.0 - x) - 4.0 * self.steepness * x * r, 2.0 * self.steepness * r], axis=-1)

    def curvatures(self) -> tuple[float, float]:
        """Hessian eigenvalues at the minimum, smallest first: ``[[2 + 8s, −4s], [−4s, 2s]]``.

        >>> [round(v, 3) for v in RosenbrockSurface().curvatures()]
        [0.394, 101.606]
        """
        s = self.steepness
        hessian = np.array([[2.0 + 8.0 * s, -4.0 * s], [-4.0 * s, 2.0 * s]])
        lo, hi = np.linalg.eigvalsh(hessian)
        return (float(lo), float(hi))


@dataclass(frozen=True)
class CriticalRates:
    """The learning rates where a quadratic's behaviour changes: ``1/λmax`` and ``2/λmax``.

    For a non-quadratic surface they are computed from the curvature at the minimum and hold
    only near it.
    """

    lambda_max: float
    monotone_below: float
    stable_below: float


def critical_rates(surface: Surface) -> CriticalRates:
    """``1/λmax`` (monotone up to here) and ``2/λmax`` (diverges beyond) of ``surface``.

    >>> critical_rates(QuadraticSurface(a=1, b=10))
    CriticalRates(lambda_max=10.0, monotone_below=0.1, stable_below=0.2)
    """
    lam = surface.curvatures()[1]
    return CriticalRates(lambda_max=lam, monotone_below=1.0 / lam, stable_below=2.0 / lam)


def _check_rate(learning_rate: float) -> float:
    rate = float(learning_rate)
    if not (rate > 0 and math.isfinite(rate)):
        raise LessonError(f"the learning rate must be positive and finite, not {learning_rate!r}")
    return rate


def classify_rate(surface: QuadraticSurface, learning_rate: float) -> Behaviour:
    """The exact behaviour of gradient descent on a quadratic at rate ``α`` (see the module
    docstring for the boundary cases: ``α = 1/λmax`` converges, ``α = 2/λmax`` oscillates).

    >>> [classify_rate(QuadraticSurface(), r) for r in (0.05, 0.1, 0.15, 0.2, 0.25)]
    ['converges', 'converges', 'oscillates', 'oscillates', 'diverges']
    """
    rate = _check_rate(learning_rate)
    lam = surface.curvatures()[1]
    factor = 1.0 - rate * lam  # the stiffest coordinate's multiplier per step
    if factor >= 0.0:
        return "converges"
    if factor >= -1.0:
        return "oscillates"
    return "diverges"


@dataclass(frozen=True, eq=False)
class DescentPath:
    """The points gradient descent visited, starting point first.

    ``thetas`` has shape ``(n + 1, 2)`` and ``losses`` shape ``(n + 1,)`` for ``n`` steps taken;
    ``n`` is smaller than ``steps_requested`` when the path was stopped because it left the
    bound (``diverged`` is then True). All values are finite.
    """

    thetas: np.ndarray
    losses: np.ndarray
    learning_rate: float
    steps_requested: int
    diverged: bool

    @property
    def steps_taken(self) -> int:
        return len(self.losses) - 1


def _truncate(thetas: np.ndarray, losses: np.ndarray, bound: float) -> tuple[np.ndarray, np.ndarray, bool]:
    """Keep points up to and including the first one that leaves the bound (if finite)."""
    finite = np.isfinite(losses) & np.all(np.isfinite(thetas), axis=-1)
    inside = finite & np.all(np.abs(thetas) <= bound, axis=-1)
    if inside.all():
        return thetas, losses, False
    first_out = int(np.argmin(inside))
    end = first_out + 1 if finite[first_out] else first_out
    return thetas[:end], losses[:end], True


def gradient_descent(
    surface: Surface,
    theta0: tuple[float, float] | np.ndarray,
    *,
    learning_rate: float,
    steps: int,
    bound: float = DEFAULT_BOUND,
) -> DescentPath:
    """Run ``steps`` updates ``θ ← θ − α ∇J(θ)`` from ``theta0``.

    On a :class:`QuadraticSurface` the whole path is computed at once from the closed form
    ``θk = (1 − α λ)^k θ0``; other surfaces are stepped one update at a time. Either way the
    path stops at the first point outside ``[−bound, bound]²`` (kept, so the escape shows) and
    ``diverged`` is set; no floating-point warning is raised.

    >>> path = gradient_descent(QuadraticSurface(), (1.0, 1.0), learning_rate=0.1, steps=2)
    >>> path.thetas.round(3).tolist(), path.losses.round(3).tolist(), path.diverged
    ([[1.0, 1.0], [0.9, 0.0], [0.81, 0.0]], [5.5, 0.405, 0.328], False)
    >>> gradient_descent(QuadraticSurface(), (1.0, 1.0), learning_rate=1.0, steps=100).diverged
    True
    """
    rate = _check_rate(learning_rate)
    if steps < 0:
        raise LessonError("steps must be 0 or more")
    if not bound > 0:
        raise LessonError("bound must be positive")
    start = np.asarray(theta0, dtype=float).reshape(2)
    if not np.all(np.isfinite(start)):
        raise LessonError("the start point must be finite")
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        if isinstance(surface, QuadraticSurface):
            factors = 1.0 - rate * np.array([surface.a, surface.b])
            k = np.arange(steps + 1, dtype=float)[:, None]
            thetas = start * factors**k
            losses = surface.loss(thetas)
        else:
            thetas = np.empty((steps + 1, 2))
            thetas[0] = start
            taken = 0
            for i in range(steps):
                thetas[i + 1] = thetas[i] - rate * surface.gradient(thetas[i])
                taken = i + 1
                if not np.all(np.abs(thetas[i + 1]) <= bound):  # also catches NaN
                    break
            thetas = thetas[: taken + 1]
            losses = surface.loss(thetas)
        thetas, losses, diverged = _truncate(thetas, losses, bound)
    return DescentPath(
        thetas=thetas, losses=losses, learning_rate=rate, steps_requested=steps, diverged=diverged
    )


def classify_path(path: DescentPath, *, rtol: float = 1e-9) -> Behaviour:
    """The behaviour a path shows, for any surface.

    * ``diverges``: the path was stopped at the bound, or its last loss exceeds its first;
    * ``oscillates``: otherwise, if two consecutive steps point in opposing directions
      (``Δθk · Δθk+1 < 0``, a zig-zag across the valley); steps shorter than ``rtol`` × the
      longest step are ignored as rounding noise;
    * ``converges``: otherwise (each step turns by less than 90° from the previous one).

    >>> surface = QuadraticSurface()
    >>> [classify_path(gradient_descent(surface, (-2.5, 1.5), learning_rate=r, steps=60))
    ...  for r in (0.05, 0.15, 0.3)]
    ['converges', 'oscillates', 'diverges']
    """
    if path.diverged or (len(path.losses) > 1 and path.losses[-1] > path.losses[0]):
        return "diverges"
    deltas = np.diff(path.thetas, axis=0)
    if len(deltas) < 2:
        return "converges"
    lengths = np.linalg.norm(deltas, axis=1)
    longest = float(lengths.max())
    if longest == 0.0:
        return "converges"
    significant = lengths > rtol * longest
    turns = np.einsum("ij,ij->i", deltas[1:], deltas[:-1])
    reversals = (turns < 0) & significant[1:] & significant[:-1]
    return "oscillates" if bool(reversals.any()) else "converges"


def rate_choices(surface: Surface) -> tuple[float, ...]:
    """Learning rates worth trying on ``surface``: multiples of ``1/λmax`` from 0.02 to 3,
    rounded to 3 significant digits, including ``1/λmax`` and ``2/λmax``; sorted, distinct.

    >>> rate_choices(QuadraticSurface())[:5]
    (0.002, 0.005, 0.01, 0.02, 0.05)
    >>> 0.1 in rate_choices(QuadraticSurface()) and 0.2 in rate_choices(QuadraticSurface())
    True
    """
    unit = critical_rates(surface).monotone_below
    multiples = (0.02, 0.05, 0.1, 0.2, 0.5, 0.8, 1.0, 1.2, 1.5, 1.8, 1.9, 2.0, 2.1, 2.5, 3.0)
    values = {float(f"{m * unit:.3g}") for m in multiples}
    return tuple(sorted(values))


@dataclass(frozen=True, eq=False)
class SurfaceGrid:
    """``loss[i, j] = J(theta1[j], theta2[i])`` on a regular grid (rows follow θ2)."""

    theta1: np.ndarray
    theta2: np.ndarray
    loss: np.ndarray


def surface_grid(surface: Surface, *, points: int = 121) -> SurfaceGrid:
    """``J`` on a ``points × points`` grid over ``surface.extent`` (for contour plots).

    >>> g = surface_grid(QuadraticSurface(), points=3)
    >>> g.theta1.tolist(), g.loss.shape, float(g.loss[1, 1])
    ([-3.0, 0.0, 3.0], (3, 3), 0.0)
    """
    if points < 2:
        raise LessonError("a grid needs at least 2 points per axis")
    (x0, x1), (y0, y1) = surface.extent
    xs = np.linspace(x0, x1, points)
    ys = np.linspace(y0, y1, points)
    mesh = np.stack(np.meshgrid(xs, ys), axis=-1)
    return SurfaceGrid(theta1=xs, theta2=ys, loss=surface.loss(mesh))


# --- 3. forward and backward pass ----------------------------------------------------------


@dataclass(frozen=True)
class PassRow:
    """One layer of a network for one sample.

    ``activations`` is the number of values the layer outputs (kept in memory for the backward
    pass); FLOPs follow :mod:`mlcore.flops`; ``backward_flops`` = 2 × ``forward_flops``.
    """

    name: str
    kind: str
    output_shape: tuple[int, ...]
    activations: int
    params: int
    forward_flops: int
    backward_flops: int

    @property
    def training_flops(self) -> int:
        return self.forward_flops + self.backward_flops


@dataclass(frozen=True)
class PassTable:
    """Every layer of a network, input to output, with per-sample totals."""

    rows: tuple[PassRow, ...] = field(default_factory=tuple)

    @property
    def params(self) -> int:
        return sum(r.params for r in self.rows)

    @property
    def forward_flops(self) -> int:
        return sum(r.forward_flops for r in self.rows)

    @property
    def backward_flops(self) -> int:
        return sum(r.backward_flops for r in self.rows)

    @property
    def training_flops_per_sample(self) -> int:
        """Forward + backward FLOPs of one training sample (= 3 × forward)."""
        return self.forward_flops + self.backward_flops

    def epoch_flops(self, n_train: int) -> float:
        """Training FLOPs of one epoch over ``n_train`` samples."""
        if n_train < 0:
            raise LessonError("n_train must be 0 or more")
        return training_flops(self.forward_flops, n_train, 1)


def pass_table(spec: ModelSpec, input_shape: tuple[int, ...], n_classes: int) -> PassTable:
    """The forward/backward table of the network ``spec`` builds for this data.

    ``input_shape`` excludes the batch (``(28, 28)`` for MNIST). Totals agree with
    :func:`mlcore.flops.flops_per_sample` and the 3 × training multiplier.

    >>> from mlcore.specs import preset_spec
    >>> table = pass_table(preset_spec("article-mlp"), (28, 28), 10)
    >>> [(r.name, r.output_shape, r.params) for r in table.rows][:2]
    [('flatten', (784,), 0), ('dense1', (64,), 50240)]
    >>> table.forward_flops, table.backward_flops, table.training_flops_per_sample
    (109962, 219924, 329886)
    """
    rows = []
    for layer in layer_table(spec, input_shape, n_classes):
        rows.append(
            PassRow(
                name=layer.name,
                kind=layer.kind,
                output_shape=layer.output_shape,
                activations=math.prod(layer.output_shape),
                params=layer.params,
                forward_flops=layer.flops,
                backward_flops=BACKWARD_FLOPS_MULTIPLIER * layer.flops,
            )
        )
    return PassTable(rows=tuple(rows))
