"""The engine a worker process loads once: devices and their measured peaks, the latest built-in
dataset, and the models the quick lane predicts with. Importing this module is cheap; creating
an :class:`Engine` imports TensorFlow (through :mod:`mlcore.engine`)."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlcore.specs import RunRecord, SpecError, TrainRequest

if TYPE_CHECKING:  # the engine imports Keras: never at import time of this module
    from mlcore.datasets import Dataset
    from mlcore.engine.experiments import FitRunner

log = logging.getLogger("moatlab.worker")


def release_engine_memory() -> None:
    """Drop Keras' global state between jobs: a long-lived worker builds a model per job."""
    keras = sys.modules.get("keras")
    if keras is not None:
        keras.backend.clear_session(free_memory=True)


class Engine:
    """The loaded engine of one worker: device choice and peak probes, measured once; the
    latest built-in dataset; the models the quick lane predicts with (a few, newest kept)."""

    MODEL_CACHE = 4

    def __init__(self, home: Path, *, fan_out: FitRunner | None = None) -> None:
        # Imported here: this is the moment the worker process takes on TensorFlow.
        from mlcore.engine import devices

        self.home = home
        #: How a sweep or a repeat runs its trainings: None = one after another in this process;
        #: the Ray executor sets a runner that fans them out as Ray tasks.
        self.fan_out = fan_out
        self._devices = devices
        self._peaks: dict[str, Any] = {}
        self._datasets: dict[str, Dataset] = {}
        self._models: dict[tuple[str, float], Any] = {}
        self._models_lock = threading.Lock()
        #: Held by quick-lane predictions and while Keras' global state is cleared between long
        #: jobs, so a prediction never runs while the session is being reset.
        self.session_lock = threading.Lock()

    def model_path(self, run: RunRecord) -> Path:
        """The run's model file; only a file directly under ``home/models`` is accepted."""
        from mlcore.runs import model_file

        if not run.model_path:
            raise SpecError("this run has no saved model (it did not finish); train it again")
        path = model_file(self.home, run)
        if path is None:
            raise SpecError("this run's model path is not a Moatlab model file")
        return path

    def load_model(self, run: RunRecord, *, cached: bool = False) -> Any:
        """The run's model, loaded in Keras' safe mode; ``cached`` shares one copy (quick lane)."""
        from mlcore.engine.inference import load_model

        path = self.model_path(run)
        if not cached:
            return load_model(path)
        key = (str(path), path.stat().st_mtime if path.exists() else 0.0)
        with self._models_lock:
            model = self._models.pop(key, None)
            if model is None:
                model = load_model(path)
            self._models[key] = model  # most recently used last
            while len(self._models) > self.MODEL_CACHE:
                self._models.pop(next(iter(self._models)))
            return model

    def devices(self) -> list[Any]:
        """Every device to measure: the CPU, then the first GPU when one is visible."""
        cpu = self._devices.choose_device(force_cpu=True)
        gpu = self._devices.choose_device(force_cpu=False)
        return [cpu] + ([gpu] if gpu.kind == "gpu" else [])

    def train_device(self, *, force_cpu: bool) -> Any:
        return self._devices.choose_device(force_cpu=force_cpu)

    def dataset(self, request: TrainRequest) -> Dataset:
        """Load the request's data; built-in datasets are loaded once per worker and reused
        (``mnist-5k`` takes about 1.5 s to parse, tens of ms from the parsed copy kept in
        ``home/cache``). Uploaded CSVs are read every time."""
        from mlcore.datasets import load

        if request.dataset == "csv":
            return load("csv", csv_path=request.csv_path, label_column=request.label_column)
        return self.builtin_dataset(request.dataset)

    def builtin_dataset(self, name: str) -> Dataset:
        """A built-in dataset, kept in memory (the latest one only) and parsed once per home."""
        from mlcore.datasets import load

        if name not in self._datasets:
            self._datasets = {name: load(name, cache_dir=self.home / "cache")}  # keep only the latest
        return self._datasets[name]

    def has_peak(self, *, force_cpu: bool, mixed_precision: bool) -> bool:
        """Whether the peak a request would be measured against has been probed already."""
        device = self._devices.choose_device(force_cpu=force_cpu)
        dtype = self._devices.compute_dtype(device, mixed_precision=mixed_precision)
        return f"{device.name}/{dtype}" in self._peaks

    def warm_up_steps(self) -> list[tuple[str, Callable[[], object]]]:
        """What a new worker does while no job waits, one step at a time, so that the first job
        of the Train form's defaults starts training at once: probe the default device's peak
        (GPU when present, mixed precision as the form proposes) and read the default dataset
        (``TrainRequest().dataset``). Each step is what that job would otherwise do first."""
        default = TrainRequest()
        return [
            (
                "peak FLOP/s",
                lambda: self.device_and_peak(
                    force_cpu=default.force_cpu, mixed_precision=default.mixed_precision
                ),
            ),
            (f"dataset {default.dataset}", lambda: self.builtin_dataset(default.dataset)),
        ]

    def device_and_peak(self, *, force_cpu: bool, mixed_precision: bool) -> tuple[Any, Any]:
        """The device a request trains on and its peak, probed once per (device, compute dtype):
        a mixed-precision GPU run is measured against the 16-bit peak it actually computes in."""
        device = self._devices.choose_device(force_cpu=force_cpu)
        dtype = self._devices.compute_dtype(device, mixed_precision=mixed_precision)
        key = f"{device.name}/{dtype}"
        if key not in self._peaks:
            try:
                self._peaks[key] = self._devices.probe_peak(device, dtype=dtype)
            except Exception as exc:  # a failed probe leaves MFU unknown, not the run failed
                log.warning("peak probe failed on %s (%s): %s", device.name, dtype, exc)
                self._peaks[key] = None
        return device, self._peaks[key]
