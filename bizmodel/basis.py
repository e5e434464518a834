"""The technical basis of the economics: what one finished run measured, read from its stored JSON.

Every economic number in :mod:`bizmodel` starts from a :class:`TechnicalBasis`. It is built from
the run record that ``mlcore`` stores (``RunRecord.to_dict()``), parsed here by key so that
``bizmodel`` never imports ``mlcore``. Older records that lack the later keys (``inference``,
``learning_curve``, ``repeat``) still load: those parts are empty or ``None``.

Conventions (the same as the run record's)
------------------------------------------
* ``flops_per_sample`` is one forward pass of one sample; a multiply-add counts as 2 FLOPs.
  Training one sample costs 3 × forward (forward + backward ≈ 2 × forward).
* Times are seconds; ``wall_seconds`` is the whole job, ``train_seconds`` the wall time of ``fit``.
* ``samples_per_second`` (training) = training samples × epochs run ÷ ``train_seconds``.
* ``mfu`` is measured against the peak FLOP/s of the machine the run used, never another one.
* Energy is kWh, with the method the run used to estimate it.
* Accuracies are fractions 0–1. One prediction is one sample; inference latencies are
  milliseconds per call, one call being one batch of ``batch_size`` samples.
* Everything on a basis is **measured** (on the run with id ``run_id``).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from measurements import InferenceRow

#: The newest run-record schema this module understands.
SCHEMA_VERSION = 1
#: Run statuses that can carry a usable test accuracy.
USABLE_STATUSES: frozenset[str] = frozenset({"completed", "stopped"})
_CORES_RE = re.compile(r"(\d+)\s+logical\s+cores?", re.IGNORECASE)


def device_logical_cores(device: str) -> int | None:
    """Logical cores named in a run's device description (``..., 2 logical cores``), else None.

    >>> device_logical_cores("CPU (Intel(R) Xeon(R) Processor, 2 logical cores)"), device_logical_cores("gpu")
    (2, None)
    """
    match = _CORES_RE.search(device or "")
    return int(match.group(1)) if match else None


class BasisError(ValueError):
    """A run record cannot serve as an economic basis; the message says what to do."""


@dataclass(frozen=True)
class LearningCurvePoint:
    """Test accuracy at one training-set size: mean and sample standard deviation over seeds."""

    n_train: int
    accuracy_mean: float
    accuracy_std: float


@dataclass(frozen=True)
class RepeatSpread:
    """The spread over seeds of test accuracy (fraction) and training throughput (samples/s).

    Standard deviations are sample standard deviations (n − 1), 0 for a single seed.
    """

    seeds: int
    accuracy_mean: float
    accuracy_std: float
    throughput_mean: float
    throughput_std: float


@dataclass(frozen=True)
class TechnicalBasis:
    """What one finished run measured: the inputs of every economic model.

    Build it with :meth:`from_record` (a stored record dict) or :meth:`from_json`.
    """

    run_id: str
    name: str
    dataset: str
    status: str
    params: int
    flops_per_sample: int
    n_train: int
    n_test: int | None
    epochs_completed: int
    train_seconds: float
    wall_seconds: float | None
    samples_per_second: float | None
    achieved_flops_per_second: float | None
    peak_flops_per_second: float | None
    mfu: float | None
    device: str
    device_kind: str
    energy_kwh: float | None
    energy_method: str | None
    test_accuracy: float
    n_classes: int | None
    inference: tuple[InferenceRow, ...] = ()
    inference_measured_at: str | None = None
    float_accuracy: float | None = None
    int8_accuracy: float | None = None
    learning_curve: tuple[LearningCurvePoint, ...] = ()
    repeat: RepeatSpread | None = None
    finished_at: str | None = None

    # ------------------------------------------------------------------ derived quantities

    @property
    def training_flops(self) -> float:
        """FLOPs the run spent training: 3 × ``flops_per_sample`` × ``n_train`` × epochs."""
        return 3.0 * self.flops_per_sample * self.n_train * self.epochs_completed

    @property
    def training_samples(self) -> int:
        """Samples processed in training: ``n_train`` × epochs completed."""
        return self.n_train * self.epochs_completed

    @property
    def billed_seconds(self) -> float:
        """The time a cloud bill would charge: the wall time, else the training time."""
        return self.wall_seconds if self.wall_seconds is not None else self.train_seconds

    @property
    def cpu_logical_cores(self) -> int | None:
        """Logical cores named in a CPU device description (``..., 2 logical cores``), else None."""
        return device_logical_cores(self.device)

    @property
    def has_inference(self) -> bool:
        """Whether the run carries an inference profile."""
        return bool(self.inference)

    @property
    def has_int8(self) -> bool:
        """Whether the inference profile measured the quantised (int8) model."""
        return any(m.quantized for m in self.inference)

    # ------------------------------------------------------------------ constructors

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> TechnicalBasis:
        """The basis of a stored run record (the dict of ``RunRecord.to_dict()``).

        Parameters
        ----------
        record : dict
            The run record; keys added after the first schema may be absent.

        Returns
        -------
        TechnicalBasis

        Raises
        ------
        BasisError
            If the record is not a dict, is newer than this module, is not a finished run with a
            test accuracy, or lacks the model size / data size / timing the economics need.

        >>> rec = {"id": "r1", "status": "completed", "params": 100, "flops_per_sample": 200,
        ...        "n_train": 1000, "epochs_completed": 2, "train_seconds": 4.0,
        ...        "device": "CPU (x, 2 logical cores)", "device_kind": "cpu", "test_accuracy": 0.9}
        >>> b = TechnicalBasis.from_record(rec)
        >>> b.training_flops, b.cpu_logical_cores, b.inference
        (1200000.0, 2, ())
        """
        run_id, status, label = _finished_run(record)
        test_accuracy, sizes = _required_measurements(record, label)
        inference, measured_at, float_acc, int8_acc = _parse_inference(record.get("inference"))
        optional = _optional_measurements(record)
        return cls(
            run_id=run_id,
            name=str(record.get("name") or run_id),
            dataset=str(record.get("dataset") or ""),
            status=status,
            **sizes,
            **optional,
            device=str(record.get("device") or ""),
            device_kind=str(record.get("device_kind") or "cpu"),
            energy_method=record.get("energy_method"),
            test_accuracy=test_accuracy,
            n_classes=len(record.get("class_names") or ()) or None,
            inference=inference,
            inference_measured_at=measured_at,
            float_accuracy=float_acc,
            int8_accuracy=int8_acc,
            learning_curve=_parse_curve(record.get("learning_curve")),
            repeat=_parse_repeat(record.get("repeat")),
            finished_at=record.get("finished_at"),
        )

    @classmethod
    def from_json(cls, text: str) -> TechnicalBasis:
        """The basis of a run record as JSON text (see :meth:`from_record`).

        Raises
        ------
        BasisError
            If the text is not JSON, or for the reasons :meth:`from_record` gives.

        >>> TechnicalBasis.from_json('{"id": "q", "status": "queued"}')  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        bizmodel.basis.BasisError: run 'q' is queued, not finished; wait for it to complete ...
        """
        try:
            data = json.loads(text)
        except (TypeError, json.JSONDecodeError) as exc:
            raise BasisError(f"the run record is not valid JSON ({exc}); export the run again") from exc
        return cls.from_record(data)


# ---------------------------------------------------------------------- parsing helpers


def _finished_run(record: Any) -> tuple[str, str, str]:
    """(run id, status, how messages name the run) of a finished record of a schema this module reads."""
    if not isinstance(record, dict):
        raise BasisError("a run record must be a JSON object; load the run from the store again")
    version = _int(record.get("schema_version", SCHEMA_VERSION), "schema_version")
    if version is not None and version > SCHEMA_VERSION:
        raise BasisError(
            f"run record schema {version} is newer than this Moatlab understands ({SCHEMA_VERSION}); "
            "update Moatlab"
        )
    run_id = str(record.get("id") or "")
    status = str(record.get("status") or "")
    label = f"run {run_id!r}" if run_id else "this run"
    if status not in USABLE_STATUSES:
        raise BasisError(
            f"{label} is {status or 'of unknown status'}, not finished; wait for it to complete "
            "(or train a new run) before pricing it"
        )
    return run_id, status, label


def _required_measurements(record: dict[str, Any], label: str) -> tuple[float, dict[str, Any]]:
    """The test accuracy (fraction) and the sizes every economic model needs: ``params``,
    ``flops_per_sample``, ``n_train``, ``train_seconds`` (s), ``epochs_completed``."""
    test_accuracy = _float(record.get("test_accuracy"), "test_accuracy")
    if test_accuracy is None:
        raise BasisError(
            f"{label} has no test accuracy (stopped before evaluation?); train it to completion first"
        )
    required = {
        "params": _int(record.get("params"), "params"),
        "flops_per_sample": _int(record.get("flops_per_sample"), "flops_per_sample"),
        "n_train": _int(record.get("n_train"), "n_train"),
        "train_seconds": _float(record.get("train_seconds"), "train_seconds"),
    }
    missing = [k for k, v in required.items() if v is None or v <= 0]
    if missing:
        raise BasisError(f"{label} lacks {', '.join(missing)}; re-run it with this version of Moatlab")
    epochs = _int(record.get("epochs_completed"), "epochs_completed") or 0
    if epochs < 1:
        raise BasisError(f"{label} completed no epoch; train at least one epoch")
    return test_accuracy, {**required, "epochs_completed": epochs}


_OPTIONAL_FLOATS = (
    "wall_seconds",
    "samples_per_second",
    "achieved_flops_per_second",
    "peak_flops_per_second",
    "mfu",
    "energy_kwh",
)


def _optional_measurements(record: dict[str, Any]) -> dict[str, Any]:
    """The measurements a record may lack (None when absent or not finite): ``n_test`` and the
    times (s), rates (samples/s, FLOP/s), MFU (fraction) and energy (kWh) of :data:`_OPTIONAL_FLOATS`."""
    return {
        "n_test": _int(record.get("n_test"), "n_test"),
        **{key: _float(record.get(key), key) for key in _OPTIONAL_FLOATS},
    }


def _float(value: Any, key: str) -> float | None:
    if value is None:
        return None
    try:
        out = float(value)
    except (TypeError, ValueError) as exc:
        raise BasisError(f"{key} must be a number, got {value!r}") from exc
    if not math.isfinite(out):
        return None
    return out


def _int(value: Any, key: str) -> int | None:
    out = _float(value, key)
    return None if out is None else int(out)


_ROW_FLOATS = ("p50_ms", "p95_ms", "p99_ms", "mean_ms", "samples_per_second")


def _parse_row(raw: Any, i: int) -> InferenceRow:
    if not isinstance(raw, dict):
        raise BasisError(f"inference row {i} is not an object; re-run the inference benchmark")
    where = f"inference row {i}"
    values: dict[str, float] = {}
    for key in _ROW_FLOATS:
        v = _float(raw.get(key), f"{where} {key}")
        if v is None or v < 0:
            raise BasisError(f"{where} lacks a valid {key}; re-run the inference benchmark")
        values[key] = v
    batch = _int(raw.get("batch_size"), f"{where} batch_size")
    if batch is None or batch < 1 or values["samples_per_second"] <= 0:
        raise BasisError(f"{where} needs a batch size ≥ 1 and a positive throughput; re-run the benchmark")
    path = str(raw.get("path") or "")
    return InferenceRow(
        device=str(raw.get("device") or ""),
        device_kind=str(raw.get("device_kind") or "cpu"),
        path=path,
        batch_size=batch,
        calls=_int(raw.get("calls"), f"{where} calls") or 0,
        model_bytes=_int(raw.get("model_bytes"), f"{where} model_bytes") or 0,
        quantized=bool(raw.get("quantized", path == "int8")),
        accuracy=_float(raw.get("accuracy"), f"{where} accuracy"),
        **values,
    )


def _parse_inference(
    raw: Any,
) -> tuple[tuple[InferenceRow, ...], str | None, float | None, float | None]:
    if not isinstance(raw, dict):
        return (), None, None, None
    rows = tuple(_parse_row(r, i) for i, r in enumerate(raw.get("rows") or ()))
    return (
        rows,
        raw.get("measured_at"),
        _float(raw.get("float_accuracy"), "float_accuracy"),
        _float(raw.get("int8_accuracy"), "int8_accuracy"),
    )


def _parse_curve(raw: Any) -> tuple[LearningCurvePoint, ...]:
    if not isinstance(raw, dict):
        return ()
    points = []
    for p in raw.get("points") or ():
        if not isinstance(p, dict):
            continue
        n = _int(p.get("n_train"), "learning-curve n_train")
        mean = _float(p.get("accuracy_mean"), "learning-curve accuracy_mean")
        if n is None or mean is None:
            continue
        std = _float(p.get("accuracy_std"), "learning-curve accuracy_std") or 0.0
        points.append(LearningCurvePoint(n_train=n, accuracy_mean=mean, accuracy_std=std))
    return tuple(sorted(points, key=lambda p: p.n_train))


def _mean_std(values: list[float]) -> tuple[float, float]:
    n = len(values)
    mean = sum(values) / n
    if n < 2:
        return mean, 0.0
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))


def _parse_repeat(raw: Any) -> RepeatSpread | None:
    if not isinstance(raw, dict):
        return None
    accs = [float(a) for a in raw.get("accuracies") or ()]
    sps = [float(s) for s in raw.get("samples_per_second") or ()]
    if accs and sps:
        acc_mean, acc_std = _mean_std(accs)
        thr_mean, thr_std = _mean_std(sps)
        return RepeatSpread(len(accs), acc_mean, acc_std, thr_mean, thr_std)
    stored = [
        _float(raw.get(k), k) for k in ("accuracy_mean", "accuracy_std", "throughput_mean", "throughput_std")
    ]
    if any(v is None for v in stored):
        return None
    a_m, a_s, t_m, t_s = (float(v) for v in stored)  # type: ignore[arg-type]
    return RepeatSpread(len(raw.get("seeds") or ()), a_m, a_s, t_m, t_s)
