"""Measurement rows a run record stores, defined once for the side that measures and the side that prices.

A leaf package (it imports nothing of the project): :mod:`mlcore` writes these rows into the run
record (``RunRecord.inference``, through :class:`mlcore.tasks.InferenceProfile`) and
:mod:`bizmodel` reads them back from the stored JSON (:class:`bizmodel.basis.TechnicalBasis`),
which may not import each other. The JSON keys are the field names; changing one would orphan
the records already stored.

Conventions: latencies are milliseconds of wall time per call, one call being one batch of
``batch_size`` samples; ``samples_per_second`` = batch size ÷ mean call latency; model sizes are
bytes; accuracies are fractions 0–1.

>>> row = InferenceRow("CPU", "cpu", "compiled", 32, 1.0, 1.5, 2.0, 1.1, 29090.9, 200, 4000, False, 0.97)
>>> InferenceRow.from_dict({**row.to_dict(), "added_later": 1}) == row
True
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

__all__ = ["InferenceRow"]


@dataclass(frozen=True)
class InferenceRow:
    """One measured cell of a run's inference profile (device × path × batch size).

    ``path`` is ``compiled`` (the compiled predict step called directly), ``predict``
    (``model.predict`` per call) or ``int8`` (the full-integer quantised model). ``model_bytes``:
    for ``compiled``/``predict`` the float weights in memory (parameters × bytes per value); for
    ``int8`` the TFLite flatbuffer on disk. ``accuracy`` is the test accuracy of the model this
    path runs (the same for both float paths), None when not measured.
    """

    device: str
    device_kind: str
    path: str
    batch_size: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    samples_per_second: float
    calls: int
    model_bytes: int
    quantized: bool
    accuracy: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The row as stored in the run record's JSON (its field names as keys)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InferenceRow:
        """A row from stored JSON as written by :meth:`to_dict`; keys it does not know are ignored.

        Values are taken as stored; :mod:`bizmodel.basis` checks them when it prices a run.
        """
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in (data or {}).items() if k in known})
