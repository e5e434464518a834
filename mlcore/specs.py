"""Specifications and records that cross the process boundary and go into the store.

Everything here is a frozen dataclass that round-trips through JSON (``to_dict`` /
``from_dict``): training requests travel from the web process to the worker through the
``jobs`` table, run records travel back through the ``runs`` table.

Conventions
-----------
* Times are seconds (``*_seconds``), FLOPs are floating-point operations (a multiply-add
  counts as 2), rates are per second, memory is bytes, energy is kWh.
* ``flops_per_sample`` is one forward pass of one sample; training costs 3 × forward
  (forward + backward ≈ 2 × forward).
* ``samples_per_second`` = training samples × epochs run ÷ ``train_seconds``.
* ``mfu`` (model FLOP utilisation) = achieved training FLOP/s ÷ measured peak FLOP/s of the
  device the run used (of all its GPUs for a run mirrored across several; see
  :class:`Distribution`).
* ``batch_size`` is the global batch: with ``distribute="mirrored"`` Keras splits every batch
  evenly across the replicas (per-replica batch = ``batch_size`` ÷ replicas).
* ``confusion_matrix[i][j]`` counts samples of true class ``i`` predicted as class ``j``
  (the scikit-learn convention).
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from typing import Any

from mlcore.errors import SpecError
from mlcore.tasks import InferenceProfile, LearningCurve, RepeatResult
from safetext import name_problem
from store.schema import ACTIVE_STATUSES, JobStatus

SCHEMA_VERSION = 1

#: Every status a run (and its job) can have, in lifecycle order: the store's :class:`JobStatus`.
RUN_STATUSES: tuple[str, ...] = tuple(JobStatus)
#: Statuses of a run that has ended.
FINAL_STATUSES: frozenset[str] = frozenset(JobStatus) - frozenset(ACTIVE_STATUSES)

ARCHITECTURES: tuple[str, ...] = ("mlp", "cnn")
ACTIVATIONS: tuple[str, ...] = ("relu", "gelu", "tanh", "sigmoid", "elu")
OPTIMIZERS: tuple[str, ...] = ("adam", "sgd", "rmsprop")
SCHEDULES: tuple[str, ...] = ("constant", "cosine", "step")
PRESETS: tuple[str, ...] = ("article-mlp", "small-cnn", "custom")
DISTRIBUTE_MODES: tuple[str, ...] = ("none", "mirrored")

_MAX_LAYERS = 8
_MAX_UNITS = 4096
_MAX_EPOCHS = 500
_MAX_BATCH = 8192


@dataclass(frozen=True)
class ModelSpec:
    """What to build and how to train it.

    ``hidden_units`` are the Dense widths of an MLP, or the Dense head after the
    convolutions of a CNN. ``conv_filters`` (CNN only) are 3×3 Conv2D layers, each followed by
    2×2 max pooling. ``l2`` is the kernel-regulariser factor; ``dropout`` a fraction in [0, 1).
    ``early_stopping_patience`` 0 means off; otherwise training stops after that many epochs
    without a lower validation loss and the best weights are kept.
    """

    preset: str = "article-mlp"
    architecture: str = "mlp"
    hidden_units: tuple[int, ...] = (64, 64)
    conv_filters: tuple[int, ...] = ()
    activation: str = "relu"
    dropout: float = 0.0
    l2: float = 0.0
    optimizer: str = "adam"
    learning_rate: float = 0.001
    momentum: float = 0.9
    lr_schedule: str = "constant"
    batch_size: int = 32
    epochs: int = 10
    early_stopping_patience: int = 0
    seed: int = 42

    def __post_init__(self) -> None:
        object.__setattr__(self, "hidden_units", tuple(int(u) for u in self.hidden_units))
        object.__setattr__(self, "conv_filters", tuple(int(u) for u in self.conv_filters))
        self.validate()

    def validate(self) -> None:
        """Raise :class:`SpecError` naming the first field that is out of bounds."""
        checks: list[tuple[bool, str]] = [
            (self.preset in PRESETS, f"preset must be one of {', '.join(PRESETS)}"),
            (
                self.architecture in ARCHITECTURES,
                f"architecture must be one of {', '.join(ARCHITECTURES)}",
            ),
            (
                1 <= len(self.hidden_units) <= _MAX_LAYERS or self.architecture == "cnn",
                f"an MLP needs 1 to {_MAX_LAYERS} hidden layers",
            ),
            (len(self.hidden_units) <= _MAX_LAYERS, f"at most {_MAX_LAYERS} dense layers"),
            (
                all(1 <= u <= _MAX_UNITS for u in self.hidden_units),
                f"hidden units must be between 1 and {_MAX_UNITS}",
            ),
            (
                self.architecture != "cnn" or 1 <= len(self.conv_filters) <= 4,
                "a CNN needs 1 to 4 convolution layers",
            ),
            (all(1 <= f <= 512 for f in self.conv_filters), "filters must be between 1 and 512"),
            (self.activation in ACTIVATIONS, f"activation must be one of {', '.join(ACTIVATIONS)}"),
            (0.0 <= self.dropout < 0.95, "dropout must be in [0, 0.95)"),
            (0.0 <= self.l2 <= 1.0, "L2 factor must be in [0, 1]"),
            (self.optimizer in OPTIMIZERS, f"optimizer must be one of {', '.join(OPTIMIZERS)}"),
            (1e-6 <= self.learning_rate <= 10.0, "learning rate must be in [1e-6, 10]"),
            (0.0 <= self.momentum < 1.0, "momentum must be in [0, 1)"),
            (self.lr_schedule in SCHEDULES, f"schedule must be one of {', '.join(SCHEDULES)}"),
            (1 <= self.batch_size <= _MAX_BATCH, f"batch size must be 1 to {_MAX_BATCH}"),
            (1 <= self.epochs <= _MAX_EPOCHS, f"epochs must be 1 to {_MAX_EPOCHS}"),
            (0 <= self.early_stopping_patience <= 100, "patience must be 0 (off) to 100"),
            (0 <= self.seed < 2**31, "seed must be in [0, 2^31)"),
        ]
        for ok, message in checks:
            if not ok:
                raise SpecError(message)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["hidden_units"] = list(self.hidden_units)
        d["conv_filters"] = list(self.conv_filters)
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelSpec:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


def preset_spec(name: str, **overrides: Any) -> ModelSpec:
    """Return the preset ``name`` with ``overrides`` applied.

    * ``article-mlp``: the seed article's network — Dense 64 relu → 64 relu → softmax,
      Adam 0.001, batch 32, 10 epochs — with its bugs fixed (images are flattened and
      scaled inside the model; integer labels with sparse categorical cross-entropy).
    * ``small-cnn``: two 3×3 convolutions (16, 32 filters) with max pooling and a Dense 64
      head, for image datasets.
    * ``custom``: starts from the article MLP; every field is editable.

    >>> preset_spec("article-mlp").hidden_units
    (64, 64)
    >>> preset_spec("small-cnn", epochs=2).epochs
    2
    """
    if name in ("article-mlp", "custom"):
        base = ModelSpec(preset=name)
    elif name == "small-cnn":
        base = ModelSpec(
            preset=name,
            architecture="cnn",
            conv_filters=(16, 32),
            hidden_units=(64,),
            batch_size=64,
            epochs=5,
        )
    else:
        raise SpecError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    return dataclasses.replace(base, **overrides) if overrides else base


_NAME_RE = re.compile(r"[\x00-\x1f\x7f]")


def clean_name(name: str, *, max_len: int = 80) -> str:
    """A run name as stored: control characters removed, whitespace trimmed, length capped."""
    return _NAME_RE.sub("", name).strip()[:max_len]


def check_run_name(name: str) -> str:
    r"""``name`` as a person typed it for a run, refused when it holds a control or invisible
    character (:func:`safetext.name_problem`: a right-to-left override would make it read
    backwards); returns it unchanged otherwise.

    Runs stored before this rule keep their names (:func:`clean_name` still applies when a record
    is read); only new names (the Train form, a rename, ``--name``) are checked.

    Raises
    ------
    SpecError
        Saying which character to remove.

    >>> check_run_name("baseline")
    'baseline'
    >>> check_run_name("\u202eFDP.exe")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mlcore.errors.SpecError: the run name '\u202eFDP.exe' holds a control or invisible character ...
    """
    problem = name_problem(name, what="run name")
    if problem is not None:
        raise SpecError(problem)
    return name


@dataclass(frozen=True)
class TrainRequest:
    """One training job: which data, which model, where to run.

    ``dataset`` is a built-in name (see :mod:`mlcore.datasets`) or ``"csv"``; for CSV data
    ``csv_path`` is the canonical copy under ``MOATLAB_HOME/uploads`` (written by the app, never
    a user-typed path) and ``label_column`` the target column. ``val_fraction`` and
    ``test_fraction`` are fractions of all samples; the split is stratified and deterministic
    in ``split_seed``.

    ``distribute`` is ``"none"`` (one device) or ``"mirrored"``: one run data-parallel across the
    visible GPUs, or across the logical CPU devices of a worker started with
    ``MOATLAB_CPU_DEVICES=N`` (TensorFlow backend only; ``tf.distribute.MirroredStrategy``).
    ``spec.batch_size`` is then the global batch, split evenly across the replicas.
    """

    spec: ModelSpec = field(default_factory=ModelSpec)
    dataset: str = "mnist-5k"
    name: str = ""
    csv_path: str | None = None
    csv_name: str | None = None
    label_column: str | None = None
    val_fraction: float = 0.1
    test_fraction: float = 0.2
    split_seed: int = 0
    force_cpu: bool = False
    mixed_precision: bool = True
    distribute: str = "none"

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", clean_name(self.name))
        if self.distribute not in DISTRIBUTE_MODES:
            raise SpecError(
                f"distribute must be one of {', '.join(DISTRIBUTE_MODES)} (got {self.distribute!r})"
            )
        if not 0.0 < self.val_fraction < 0.5:
            raise SpecError("validation fraction must be in (0, 0.5)")
        if not 0.0 < self.test_fraction < 0.5:
            raise SpecError("test fraction must be in (0, 0.5)")
        if self.val_fraction + self.test_fraction >= 0.8:
            raise SpecError("validation + test fractions must leave at least 20% for training")
        if self.dataset == "csv" and (not self.csv_path or not self.label_column):
            raise SpecError("CSV data needs a file and a label column")
        if not 0 <= self.split_seed < 2**31:
            raise SpecError("split seed must be in [0, 2^31)")

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["spec"] = self.spec.to_dict()
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainRequest:
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["spec"] = ModelSpec.from_dict(data.get("spec", {}))
        return cls(**values)


@dataclass(frozen=True)
class EpochRecord:
    """One finished epoch: losses and accuracies (fractions) and its wall seconds.

    A value that was not finite (a diverged loss) is ``None``: JSON never holds NaN.
    """

    epoch: int
    loss: float | None
    accuracy: float | None
    val_loss: float | None
    val_accuracy: float | None
    seconds: float
    learning_rate: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EpochRecord:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class EpochReport:
    """Live progress handed from the training callback to whoever watches.

    ``batch`` counts finished batches within ``epoch`` (1-based epochs); ``samples_per_second``
    is measured over the run so far; ``eta_seconds`` is the estimated time to the last epoch.
    ``epoch_seconds`` is the wall time of this epoch so far (None in reports recorded before it
    was kept). ``finished_epoch`` is set when this report closes an epoch.
    """

    epoch: int
    epochs: int
    batch: int
    batches: int
    loss: float | None
    accuracy: float | None
    samples_per_second: float
    elapsed_seconds: float
    eta_seconds: float | None
    finished_epoch: EpochRecord | None = None
    epoch_seconds: float | None = None

    @property
    def fraction(self) -> float:
        """Share of the planned batches done, 0–1."""
        total = max(self.epochs * self.batches, 1)
        return min(1.0, ((self.epoch - 1) * self.batches + self.batch) / total)

    @property
    def projected_epoch_seconds(self) -> float | None:
        """Wall seconds this epoch takes: measured when it has finished, else its time so far
        scaled to all its batches (None before its first batch or without ``epoch_seconds``).

        >>> EpochReport(1, 2, 25, 100, None, None, 0.0, 0.5, None, epoch_seconds=0.5).projected_epoch_seconds
        2.0
        """
        if self.finished_epoch is not None:
            return self.finished_epoch.seconds
        if self.epoch_seconds is None or self.batch <= 0:
            return None
        return self.epoch_seconds * self.batches / min(self.batch, self.batches)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["finished_epoch"] = self.finished_epoch.to_dict() if self.finished_epoch else None
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EpochReport:
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        fe = data.get("finished_epoch")
        values["finished_epoch"] = EpochRecord.from_dict(fe) if fe else None
        return cls(**values)


#: What a training job does before its first batch, in order (:attr:`StageReport.stage`): read the
#: data, measure the device's peak FLOP/s (once per worker), build the model, run the first batch
#: (which traces and compiles the training step).
TRAIN_STAGES: tuple[str, ...] = ("loading_data", "measuring_peak", "building_model", "first_batch")


@dataclass(frozen=True)
class StageReport:
    """What a training job is doing before its first :class:`EpochReport`: a stage code of
    :data:`TRAIN_STAGES` (the page words it) and the seconds since the job started.

    >>> StageReport.from_dict(StageReport("loading_data", 0.25).to_dict())
    StageReport(stage='loading_data', elapsed_seconds=0.25)
    """

    stage: str
    elapsed_seconds: float

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StageReport:
        stage = str(data["stage"])
        if stage not in TRAIN_STAGES:
            raise ValueError(f"unknown training stage {stage!r}")
        return cls(stage=stage, elapsed_seconds=float(data.get("elapsed_seconds") or 0.0))


@dataclass(frozen=True)
class Distribution:
    """How one run was spread over devices (``TrainRequest.distribute="mirrored"``).

    ``strategy`` is the ``tf.distribute`` class name, ``replicas`` the number of devices kept in
    sync, ``devices`` their names (``/gpu:0``, ``/cpu:1``: logical CPU devices share the same
    physical cores). ``global_batch_size`` is the request's batch size, the samples of one step
    over all replicas; ``per_replica_batch_size`` = global ÷ replicas. ``note`` is a sentence
    for people (e.g. that a single device was mirrored, so nothing was split).
    """

    strategy: str
    replicas: int
    devices: tuple[str, ...]
    global_batch_size: int
    per_replica_batch_size: int
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["devices"] = list(self.devices)
        return d

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Distribution:
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["devices"] = tuple(str(d) for d in data.get("devices") or ())
        return cls(**values)


@dataclass(frozen=True)
class RunRecord:
    """Everything measured about one training run (see the module docstring for units).

    Fields that are not known yet (a queued run, a failed one) are ``None``.
    """

    id: str
    name: str
    created_at: str
    status: str
    request: TrainRequest
    schema_version: int = SCHEMA_VERSION
    error: str | None = None
    started_at: str | None = None
    finished_at: str | None = None
    # data
    dataset: str = ""
    dataset_fingerprint: str | None = None
    split_seed: int = 0
    class_names: tuple[str, ...] = ()
    feature_names: tuple[str, ...] = ()
    input_shape: tuple[int, ...] = ()
    pixel_max: float | None = None
    n_train: int | None = None
    n_val: int | None = None
    n_test: int | None = None
    # model
    params: int | None = None
    flops_per_sample: int | None = None
    # measurements
    epochs_completed: int = 0
    train_seconds: float | None = None
    wall_seconds: float | None = None
    samples_per_second: float | None = None
    achieved_flops_per_second: float | None = None
    peak_flops_per_second: float | None = None
    peak_flops_method: str | None = None
    mfu: float | None = None
    device: str | None = None
    device_kind: str | None = None
    mixed_precision: bool = False
    distribution: Distribution | None = None
    peak_memory_bytes: int | None = None
    energy_kwh: float | None = None
    energy_method: str | None = None
    test_loss: float | None = None
    test_accuracy: float | None = None
    test_precision_macro: float | None = None
    test_recall_macro: float | None = None
    test_f1_macro: float | None = None
    confusion_matrix: tuple[tuple[int, ...], ...] | None = None
    history: tuple[EpochRecord, ...] = ()
    model_path: str | None = None
    versions: dict[str, str] = field(default_factory=dict)
    # measured after training, by jobs on the finished run (see mlcore.tasks)
    inference: InferenceProfile | None = None
    learning_curve: LearningCurve | None = None
    repeat: RepeatResult | None = None

    @property
    def model(self) -> str:
        """Short model label, e.g. ``article-mlp`` or ``custom (mlp 128-64)``."""
        spec = self.request.spec
        if spec.preset == "custom":
            dims = "-".join(str(u) for u in (*spec.conv_filters, *spec.hidden_units))
            return f"custom ({spec.architecture} {dims})"
        return spec.preset

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["request"] = self.request.to_dict()
        d["class_names"] = list(self.class_names)
        d["feature_names"] = list(self.feature_names)
        d["input_shape"] = list(self.input_shape)
        d["confusion_matrix"] = (
            [list(row) for row in self.confusion_matrix] if self.confusion_matrix else None
        )
        d["history"] = [h.to_dict() for h in self.history]
        for name in ("distribution", "inference", "learning_curve", "repeat"):
            value = getattr(self, name)
            d[name] = value.to_dict() if value is not None else None
        return d

    def to_json(self, *, indent: int | None = None) -> str:
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False, ensure_ascii=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunRecord:
        version = int(data.get("schema_version", SCHEMA_VERSION))
        if version > SCHEMA_VERSION:
            raise SpecError(f"run record schema {version} is newer than this Moatlab ({SCHEMA_VERSION})")
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["request"] = TrainRequest.from_dict(data.get("request", {}))
        values["class_names"] = tuple(str(c) for c in data.get("class_names") or ())
        values["feature_names"] = tuple(str(c) for c in data.get("feature_names") or ())
        values["input_shape"] = tuple(int(s) for s in data.get("input_shape") or ())
        cm = data.get("confusion_matrix")
        values["confusion_matrix"] = tuple(tuple(int(v) for v in r) for r in cm) if cm else None
        values["history"] = tuple(EpochRecord.from_dict(h) for h in data.get("history") or ())
        values["versions"] = dict(data.get("versions") or {})
        for name, kind in (
            ("distribution", Distribution),
            ("inference", InferenceProfile),
            ("learning_curve", LearningCurve),
            ("repeat", RepeatResult),
        ):
            raw = data.get(name)
            values[name] = kind.from_dict(raw) if isinstance(raw, dict) else None
        return cls(**values)

    @classmethod
    def from_json(cls, text: str) -> RunRecord:
        return cls.from_dict(json.loads(text))

    def replace(self, **changes: Any) -> RunRecord:
        return dataclasses.replace(self, **changes)
