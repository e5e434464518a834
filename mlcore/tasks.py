"""Jobs on a finished run besides training, and what they measure (client side, no TensorFlow).

Kinds (the ``jobs.kind`` column):

* ``evaluate``: write the run's test-set evaluation file (see :mod:`mlcore.evaluation`).
* ``bench``: the **inference profile**: latency percentiles and throughput per device, batch
  size and path; stored with the run (``RunRecord.inference``); the economics read it.
* ``sweep``: the **learning curve**: the same spec trained on fractions of the training split
  with several seeds; stored as ``RunRecord.learning_curve``. Every fraction trains to
  convergence (:data:`CURVE_RULE`, see :func:`curve_budget`), so the curve measures data, not
  training time.
* ``repeat``: the run's spec re-trained with N seeds: the spread of accuracy and throughput
  (``RunRecord.repeat``), the measured uncertainty later used in Monte Carlo.
* ``predict``: class probabilities for a few inputs (a drawn digit); served in the worker's quick
  lane so it never waits behind a training run; its result lives only in the job row.

Conventions: latencies are milliseconds of wall time per call (one call = one batch);
``samples_per_second`` = batch size ÷ mean call latency; model sizes are bytes; accuracies are
fractions 0–1; ``train_seconds`` is the wall time of ``fit``; ``steps`` are optimizer steps
(batches). Every parameter and result is a frozen dataclass that round-trips through JSON.

How a sweep trains each fraction (:data:`CURVE_RULE`, ``"early-stopping"``): until the loss on the
run's validation split has not fallen by more than :data:`CURVE_MIN_DELTA` for
:data:`CURVE_PATIENCE_EPOCHS` epochs, the best weights restored, at most :data:`CURVE_MAX_EPOCHS`
epochs (or the run's own epochs when more), epochs counted in passes of the whole training split
so that patience and cap mean the same optimizer steps for every fraction (an epoch of a fraction
repeats its subset; see :func:`curve_budget` and :class:`FitBudget`). Curves stored before the
rule was recorded have no ``rule`` field and read as :data:`LEGACY_CURVE_RULE`
(``"run-epochs"``): every fraction trained for the run's epochs, so a fraction *f* got *f* of the
run's optimizer steps and its accuracy measured training time as much as data (on ``digits``,
10 % of the data after a 5-epoch run: 47 % instead of about 90 %).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from typing import Any

from measurements import InferenceRow
from mlcore.errors import SpecError

TASK_KINDS: tuple[str, ...] = ("evaluate", "bench", "sweep", "repeat", "predict")
#: Inference paths: Keras' compiled predict step called directly, ``model.predict`` per call,
#: and the full-integer TFLite model.
PATHS: tuple[str, ...] = ("compiled", "predict", "int8")
DEFAULT_BATCH_SIZES: tuple[int, ...] = (1, 8, 32, 128, 1024)
DEFAULT_FRACTIONS: tuple[float, ...] = (0.1, 0.2, 0.4, 0.7, 1.0)
MAX_PREDICT_INPUTS = 64
#: The rule a sweep trains its fractions by (``LearningCurve.rule``): early stopping on the
#: validation split's loss (see the module docstring and :func:`curve_budget`).
CURVE_RULE = "early-stopping"
#: The rule of curves stored without one: every fraction trained for the run's epochs.
LEGACY_CURVE_RULE = "run-epochs"
#: Epochs (each about one pass of the whole training split) without a lower validation loss
#: before a sweep's training stops.
CURVE_PATIENCE_EPOCHS = 5
#: The least fall in validation loss (nats) that counts as an improvement for a sweep's early
#: stopping: slower creeping no longer extends a training that has converged.
CURVE_MIN_DELTA = 0.001
#: The most epochs a sweep's training runs by default (the run's own epochs when more).
CURVE_MAX_EPOCHS = 60
#: The highest cap a sweep may be given (``SweepParams.max_epochs``), as for a run's epochs.
MAX_CURVE_EPOCHS = 500
#: Largest magnitude a 32-bit float holds: inputs beyond it would become infinite in the model.
FLOAT32_MAX = 3.4028234663852886e38


def _from(cls: type, data: dict[str, Any]) -> Any:
    known = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: v for k, v in (data or {}).items() if k in known})


@dataclass(frozen=True)
class TaskProgress:
    """Live progress of a task: ``step`` of ``steps`` done, what runs now, time so far and left."""

    step: int
    steps: int
    message: str
    elapsed_seconds: float
    eta_seconds: float | None = None

    @property
    def fraction(self) -> float:
        return min(1.0, self.step / self.steps) if self.steps > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TaskProgress:
        return _from(cls, data)


# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True)
class BenchParams:
    """What to benchmark: batch sizes (1–4096), whether to include ``model.predict`` and int8,
    and the minimum measured calls and seconds per (device, path, batch) cell."""

    batch_sizes: tuple[int, ...] = DEFAULT_BATCH_SIZES
    include_predict: bool = True
    include_int8: bool = True
    min_calls: int = 20
    min_seconds: float = 0.4

    def __post_init__(self) -> None:
        sizes = tuple(sorted({int(b) for b in self.batch_sizes}))
        object.__setattr__(self, "batch_sizes", sizes)
        if not sizes or sizes[0] < 1 or sizes[-1] > 4096:
            raise SpecError("batch sizes must be between 1 and 4096")
        if not 3 <= self.min_calls <= 10_000:
            raise SpecError("calls per measurement must be 3 to 10,000")
        if not 0.0 <= self.min_seconds <= 60.0:
            raise SpecError("seconds per measurement must be 0 to 60")

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["batch_sizes"] = list(self.batch_sizes)
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BenchParams:
        return _from(cls, data)


@dataclass(frozen=True)
class SweepParams:
    """Fractions of the training split (0 < f ≤ 1), seeds per fraction (2–10) and the most epochs
    one training may run (1–500; None: :data:`CURVE_MAX_EPOCHS`, or the run's epochs when more).
    A lower cap makes a quicker sweep; a point whose trainings reach it before the validation loss
    stops improving says so (``CurvePoint.capped``)."""

    fractions: tuple[float, ...] = DEFAULT_FRACTIONS
    seeds: int = 2
    max_epochs: int | None = None

    def __post_init__(self) -> None:
        given = tuple(float(f) for f in self.fractions)
        if not all(math.isfinite(f) and 0.0 < f <= 1.0 for f in given):  # NaN fails every comparison
            raise SpecError("fractions must be numbers in (0, 1], e.g. 0.1,0.25,0.5,1")
        fr = tuple(sorted({round(f, 6) for f in given}))
        object.__setattr__(self, "fractions", fr)
        if len(fr) < 2 or fr[0] <= 0.0 or fr[-1] > 1.0:
            raise SpecError("give at least 2 distinct fractions in (0, 1], e.g. 0.1,0.25,0.5,1")
        if len(fr) > 12:
            raise SpecError("at most 12 fractions")
        if not 2 <= int(self.seeds) <= 10:
            raise SpecError("seeds per fraction must be 2 to 10 (a spread needs at least 2)")
        if self.max_epochs is not None and (
            isinstance(self.max_epochs, bool) or not 1 <= int(self.max_epochs) <= MAX_CURVE_EPOCHS
        ):
            raise SpecError(f"the most epochs per training must be 1 to {MAX_CURVE_EPOCHS}")

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["fractions"] = list(self.fractions)
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SweepParams:
        return _from(cls, data)


@dataclass(frozen=True)
class RepeatParams:
    """How many seeds to re-train the run's spec with (2–20)."""

    seeds: int = 3

    def __post_init__(self) -> None:
        if not 2 <= int(self.seeds) <= 20:
            raise SpecError("repeat with 2 to 20 seeds")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RepeatParams:
        return _from(cls, data)


@dataclass(frozen=True)
class PredictParams:
    """Raw inputs to classify: a list of samples, each a flat list of feature values as stored
    (pixels 0–255 for MNIST, 0–16 for digits, the CSV's numbers), and how many classes to return."""

    inputs: tuple[tuple[float, ...], ...]
    top_k: int = 3

    def __post_init__(self) -> None:
        rows = tuple(tuple(float(v) for v in row) for row in self.inputs)
        object.__setattr__(self, "inputs", rows)
        if not rows or len(rows) > MAX_PREDICT_INPUTS:
            raise SpecError(f"give 1 to {MAX_PREDICT_INPUTS} inputs")
        if len({len(r) for r in rows}) != 1:
            raise SpecError("every input needs the same number of values")
        if not rows[0]:
            raise SpecError("an input needs at least one value")
        if not all(math.isfinite(v) and abs(v) <= FLOAT32_MAX for r in rows for v in r):
            raise SpecError("inputs must be finite numbers within ±3.4e38 (32-bit floats)")
        if not 1 <= self.top_k <= 100:
            raise SpecError("top-k must be 1 to 100")

    def to_dict(self) -> dict[str, Any]:
        return {"inputs": [list(r) for r in self.inputs], "top_k": self.top_k}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PredictParams:
        return _from(cls, data)


@dataclass(frozen=True)
class FitBudget:
    """How long one training of an experiment may run.

    ``epochs``: the most Keras epochs. ``repeats``: copies of the training subset in one epoch
    (shuffled together), so that an epoch of a small fraction takes about as many optimizer steps
    as an epoch of the whole training split. ``patience``: stop after that many epochs without a
    loss on the validation split lower by more than ``min_delta`` (nats) and restore the best
    weights (0: off, run every epoch).

    >>> FitBudget(epochs=10, repeats=4, patience=5).steps_per_epoch(126, batch_size=32)
    16
    """

    epochs: int
    repeats: int = 1
    patience: int = 0
    min_delta: float = 0.0

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.repeats < 1 or self.patience < 0 or not self.min_delta >= 0:
            raise SpecError("a training budget needs epochs ≥ 1, repeats ≥ 1, patience ≥ 0, min_delta ≥ 0")

    def steps_per_epoch(self, n_train: int, batch_size: int) -> int:
        """Optimizer steps of one epoch on ``n_train`` distinct samples (the last batch partial)."""
        return math.ceil(self.repeats * n_train / batch_size)

    def max_steps(self, n_train: int, batch_size: int) -> int:
        """Optimizer steps when every epoch runs (no early stop)."""
        return self.epochs * self.steps_per_epoch(n_train, batch_size)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FitBudget:
        return _from(cls, data)


def run_budget(*, epochs: int, patience: int) -> FitBudget:
    """The run's own recipe: its epochs over its data once per epoch, its own early stopping
    (``patience`` 0: off). A seed repeat trains by it.

    >>> run_budget(epochs=10, patience=0)
    FitBudget(epochs=10, repeats=1, patience=0, min_delta=0.0)
    """
    return FitBudget(epochs=epochs, repeats=1, patience=patience)


def curve_limits(*, epochs: int, patience: int, max_epochs: int | None = None) -> tuple[int, int]:
    """A sweep's epoch cap and early-stopping patience for a run of ``epochs`` with its own
    ``patience`` (0: none): the cap is ``max_epochs`` when given, else :data:`CURVE_MAX_EPOCHS`
    or the run's epochs when more; the patience :data:`CURVE_PATIENCE_EPOCHS` or the run's when
    more.

    >>> curve_limits(epochs=10, patience=0)
    (60, 5)
    >>> curve_limits(epochs=10, patience=8, max_epochs=3)
    (3, 8)
    """
    cap = max(CURVE_MAX_EPOCHS, epochs) if max_epochs is None else max_epochs
    return cap, max(CURVE_PATIENCE_EPOCHS, patience)


def curve_budget(
    *, epochs: int, patience: int, n_full: int, n_subset: int, max_epochs: int | None = None
) -> FitBudget:
    """How a sweep trains a subset of ``n_subset`` of the run's ``n_full`` training samples
    (:data:`CURVE_RULE`): to convergence, by early stopping on the validation split.

    Patience and cap are counted in passes of the whole training split, so they mean the same
    optimizer steps for every fraction: :data:`CURVE_PATIENCE_EPOCHS` (or the run's ``patience``
    when more) without a validation loss lower by more than :data:`CURVE_MIN_DELTA` stops the
    training, the best weights kept, and
    ``max_epochs`` (default :data:`CURVE_MAX_EPOCHS`, or the run's ``epochs`` when more; see
    :func:`curve_limits`) is the most. One epoch repeats the subset ``round(n_full / n_subset)``
    times (at least once), about one such pass; patience and cap in these epochs are scaled by
    the rest (``n_full`` ÷ the samples of one epoch, 0.75–1.5).

    Why not the run's epochs: a fraction *f* would then get *f* of the run's optimizer steps, and
    small fractions score low for lack of training, not of data. Why not exactly the run's
    optimizer steps either: a run that stopped before convergence would then cap every fraction
    at its own training time, and the top of the curve, where the value of more data is read,
    would come out flat.

    >>> curve_budget(epochs=10, patience=0, n_full=1259, n_subset=126)
    FitBudget(epochs=60, repeats=10, patience=5, min_delta=0.001)
    >>> curve_budget(epochs=10, patience=0, n_full=1259, n_subset=883)  # 0.7 of a pass per epoch
    FitBudget(epochs=86, repeats=1, patience=7, min_delta=0.001)
    >>> curve_budget(epochs=200, patience=8, n_full=1259, n_subset=1259)
    FitBudget(epochs=200, repeats=1, patience=8, min_delta=0.001)
    """
    if n_full < 1 or not 1 <= n_subset <= n_full:
        raise SpecError(f"a subset of {n_subset} samples out of {n_full} cannot be trained on")
    cap, curve_patience = curve_limits(epochs=epochs, patience=patience, max_epochs=max_epochs)
    repeats = max(1, round(n_full / n_subset))
    passes_per_epoch = repeats * n_subset / n_full
    return FitBudget(
        epochs=max(1, round(cap / passes_per_epoch)),
        repeats=repeats,
        patience=max(1, round(curve_patience / passes_per_epoch)),
        min_delta=CURVE_MIN_DELTA,
    )


PARAMS: dict[str, type] = {
    "evaluate": type(None),
    "bench": BenchParams,
    "sweep": SweepParams,
    "repeat": RepeatParams,
    "predict": PredictParams,
}


def parse_params(kind: str, data: dict[str, Any] | None) -> Any:
    """The parameters object of a task kind from its JSON (None for ``evaluate``).

    >>> parse_params("sweep", {"fractions": [1, 0.5], "seeds": 2}).fractions
    (0.5, 1.0)
    """
    if kind not in PARAMS:
        raise SpecError(f"unknown task {kind!r}; choose one of {', '.join(TASK_KINDS)}")
    cls = PARAMS[kind]
    if cls is type(None):
        return None
    try:
        return cls.from_dict(data or {})
    except (TypeError, ValueError) as exc:
        if isinstance(exc, SpecError):
            raise
        raise SpecError(f"bad {kind} parameters: {exc}") from exc


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class InferenceProfile:
    """Every measured cell, when and how; ``notes`` say what was skipped and why."""

    measured_at: str
    rows: tuple[InferenceRow, ...]
    backend: str
    notes: tuple[str, ...] = ()
    float_accuracy: float | None = None
    int8_accuracy: float | None = None

    def best(self, *, path: str | None = None, device_kind: str | None = None) -> InferenceRow | None:
        """The row with the highest throughput among those matching ``path`` / ``device_kind``."""
        rows = [
            r
            for r in self.rows
            if (path is None or r.path == path) and (device_kind is None or r.device_kind == device_kind)
        ]
        return max(rows, key=lambda r: r.samples_per_second) if rows else None

    def row(self, *, path: str, batch_size: int, device_kind: str = "cpu") -> InferenceRow | None:
        for r in self.rows:
            if r.path == path and r.batch_size == batch_size and r.device_kind == device_kind:
                return r
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "measured_at": self.measured_at,
            "rows": [r.to_dict() for r in self.rows],
            "backend": self.backend,
            "notes": list(self.notes),
            "float_accuracy": self.float_accuracy,
            "int8_accuracy": self.int8_accuracy,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InferenceProfile:
        values = dict(data)
        values["rows"] = tuple(InferenceRow.from_dict(r) for r in data.get("rows") or ())
        values["notes"] = tuple(str(n) for n in data.get("notes") or ())
        return _from(cls, values)


@dataclass(frozen=True)
class CurvePoint:
    """Accuracy at one training-set size: mean and sample standard deviation over seeds.

    How the point was trained (None in curves stored before it was recorded): ``steps``, the
    optimizer steps of one training (mean over seeds, rounded); ``epochs_run``, the passes over
    the point's own ``n_train`` samples (mean over seeds); ``capped``, how many seeds reached the
    epoch cap before the validation loss stopped improving (0: every seed converged).
    """

    fraction: float
    n_train: int
    accuracy_mean: float
    accuracy_std: float
    train_seconds: float
    seeds: int
    accuracies: tuple[float, ...] = ()
    steps: int | None = None
    epochs_run: float | None = None
    capped: int | None = None

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["accuracies"] = list(self.accuracies)
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CurvePoint:
        values = dict(data)
        values["accuracies"] = tuple(float(a) for a in data.get("accuracies") or ())
        return _from(cls, values)


@dataclass(frozen=True)
class LearningCurve:
    """Sweep result: one point per fraction, smallest first; ``complete`` is False when stopped.

    ``epochs`` are the run's epochs. ``rule`` says how every fraction was trained
    (:data:`CURVE_RULE`; a curve stored without one reads as :data:`LEGACY_CURVE_RULE`), with
    its early-stopping ``patience`` and epoch cap ``max_epochs`` (None under the old rule).
    """

    measured_at: str
    points: tuple[CurvePoint, ...]
    epochs: int
    complete: bool = True
    rule: str = LEGACY_CURVE_RULE
    patience: int | None = None
    max_epochs: int | None = None

    @property
    def legacy(self) -> bool:
        """True for a curve trained by the old rule (every fraction for the run's epochs)."""
        return self.rule == LEGACY_CURVE_RULE

    @property
    def trainings(self) -> int:
        """Trainings behind the points (fractions × seeds)."""
        return sum(p.seeds for p in self.points)

    @property
    def capped(self) -> int:
        """Trainings that reached the epoch cap before their validation loss stopped improving."""
        return sum(p.capped or 0 for p in self.points)

    def to_dict(self) -> dict[str, Any]:
        return {
            "measured_at": self.measured_at,
            "points": [p.to_dict() for p in self.points],
            "epochs": self.epochs,
            "complete": self.complete,
            "rule": self.rule,
            "patience": self.patience,
            "max_epochs": self.max_epochs,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LearningCurve:
        values = dict(data)
        values["points"] = tuple(CurvePoint.from_dict(p) for p in data.get("points") or ())
        return _from(cls, values)


def curve_rule_line(curve: LearningCurve) -> str:
    """How a stored curve's points were trained, in one English line for the command lines
    (``python -m mlcore sweep``, ``python -m bizmodel data-value``); the app words it in the
    user's language."""
    if curve.legacy:
        return (
            f"rule: {curve.rule} (the old rule: every fraction trained for the run's {curve.epochs} "
            "epochs, so small fractions read low); sweep again"
        )
    return (
        f"rule: {curve.rule}: each training until its validation loss stopped improving for "
        f"{curve.patience} epochs, at most {curve.max_epochs} epochs (each about one pass of the "
        f"training split); {curve.capped} of {curve.trainings} trainings reached the cap first"
    )


@dataclass(frozen=True)
class RepeatResult:
    """Spread over seeds of test accuracy and training throughput (samples/s)."""

    measured_at: str
    seeds: tuple[int, ...]
    accuracies: tuple[float, ...]
    samples_per_second: tuple[float, ...]

    @property
    def accuracy_mean(self) -> float:
        return _mean(self.accuracies)

    @property
    def accuracy_std(self) -> float:
        return sample_std(self.accuracies)

    @property
    def throughput_mean(self) -> float:
        return _mean(self.samples_per_second)

    @property
    def throughput_std(self) -> float:
        return sample_std(self.samples_per_second)

    def to_dict(self) -> dict[str, Any]:
        return {
            "measured_at": self.measured_at,
            "seeds": list(self.seeds),
            "accuracies": list(self.accuracies),
            "samples_per_second": list(self.samples_per_second),
            "accuracy_mean": self.accuracy_mean,
            "accuracy_std": self.accuracy_std,
            "throughput_mean": self.throughput_mean,
            "throughput_std": self.throughput_std,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RepeatResult:
        return cls(
            measured_at=str(data.get("measured_at", "")),
            seeds=tuple(int(s) for s in data.get("seeds") or ()),
            accuracies=tuple(float(a) for a in data.get("accuracies") or ()),
            samples_per_second=tuple(float(a) for a in data.get("samples_per_second") or ()),
        )


@dataclass(frozen=True)
class Prediction:
    """Top-k classes of one input: indices into the run's classes and their probabilities."""

    classes: tuple[int, ...]
    probabilities: tuple[float, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"classes": list(self.classes), "probabilities": list(self.probabilities)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Prediction:
        return cls(
            tuple(int(c) for c in data.get("classes") or ()),
            tuple(float(p) for p in data.get("probabilities") or ()),
        )


def _mean(values: tuple[float, ...]) -> float:
    return sum(values) / len(values) if values else float("nan")


def sample_std(values: tuple[float, ...] | list[float]) -> float:
    """Sample standard deviation (n − 1 in the denominator); 0 for fewer than 2 values.

    >>> round(sample_std([1.0, 2.0, 3.0]), 6)
    1.0
    """
    n = len(values)
    if n < 2:
        return 0.0
    m = sum(values) / n
    return math.sqrt(sum((v - m) ** 2 for v in values) / (n - 1))
