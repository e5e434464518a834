"""What the machine is and what a job used: CPU name, peak resident memory, energy.

Energy method, in order of preference:

1. **RAPL** counters (``/sys/class/powercap/intel-rapl:*/energy_uj``) when readable: the
   package energy measured over the job (all processes on the package, so an upper bound for
   the job on a busy machine).
2. **TDP share**: the job's process CPU seconds ÷ logical cores × the package TDP. The TDP is
   ``MOATLAB_CPU_TDP_W`` when set, else assumed at 10 W per logical core. GPU energy is not
   included by this method (the method string says so).

Energy is returned in kWh (1 kWh = 3.6 × 10⁶ J).
"""

from __future__ import annotations

import glob
import os
import platform
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

import settings

JOULES_PER_KWH = 3.6e6
ASSUMED_WATTS_PER_CORE = 10.0


def cpu_name() -> str:
    """The processor's model name, e.g. ``Intel(R) Xeon(R) Processor``."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "CPU"


def cpu_description() -> str:
    """``<model name>, <n> logical cores``."""
    return f"{cpu_name()}, {os.cpu_count() or 1} logical cores"


def _rapl_files() -> list[Path]:
    files = []
    for path in glob.glob("/sys/class/powercap/intel-rapl:*/energy_uj"):
        p = Path(path)
        # Package domains only (intel-rapl:0, not intel-rapl:0:0 sub-domains).
        if p.parent.name.count(":") == 1 and os.access(p, os.R_OK):
            files.append(p)
    return files


def _read_uj(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


@dataclass(frozen=True)
class EnergyEstimate:
    """Energy of a job in kWh and how it was obtained."""

    kwh: float
    method: str


class EnergyMeter:
    """Measure a job's energy between :meth:`start` and :meth:`stop`."""

    def __init__(self) -> None:
        self._rapl = _rapl_files()
        self._rapl_start: dict[Path, int] = {}
        self._cpu_start = 0.0
        self._t0 = 0.0

    def start(self) -> None:
        self._t0 = time.perf_counter()
        times = psutil.Process().cpu_times()
        self._cpu_start = times.user + times.system
        self._rapl_start = {p: v for p in self._rapl if (v := _read_uj(p)) is not None}

    def stop(self) -> EnergyEstimate:
        wall = time.perf_counter() - self._t0
        if self._rapl_start:
            total_uj = 0
            for path, start in self._rapl_start.items():
                end = _read_uj(path)
                if end is None:
                    break
                if end < start:  # the counter wrapped
                    max_path = path.parent / "max_energy_range_uj"
                    wrap = _read_uj(max_path) or 0
                    end += wrap
                total_uj += end - start
            else:
                return EnergyEstimate(
                    kwh=total_uj / 1e6 / JOULES_PER_KWH,
                    method=f"RAPL package counters over {wall:.1f} s (whole CPU package)",
                )
        times = psutil.Process().cpu_times()
        cpu_seconds = max(0.0, times.user + times.system - self._cpu_start)
        cores = os.cpu_count() or 1
        try:
            configured = settings.read("MOATLAB_CPU_TDP_W")
        except settings.SettingError:
            configured = None  # a bad value is ignored: the estimate says it assumed
        tdp = configured if configured is not None else ASSUMED_WATTS_PER_CORE * cores
        source = (
            "MOATLAB_CPU_TDP_W"
            if configured is not None
            else f"assumed {ASSUMED_WATTS_PER_CORE:.0f} W per core"
        )
        joules = tdp * cpu_seconds / cores
        return EnergyEstimate(
            kwh=joules / JOULES_PER_KWH,
            method=(
                f"TDP share: {cpu_seconds:.1f} CPU-seconds of {cores} logical cores × "
                f"{tdp:.0f} W package TDP ({source}); RAPL not readable; GPU not included"
            ),
        )


_STATUS = Path("/proc/self/status")
_CLEAR_REFS = Path("/proc/self/clear_refs")


def _kernel_peak_rss() -> int | None:
    """The kernel's record of this process's peak resident memory (``VmHWM``), in bytes."""
    try:
        for line in _STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def _reset_kernel_peak_rss() -> bool:
    """Reset ``VmHWM`` to the current resident size (Linux ≥ 4.0); False where not possible."""
    try:
        _CLEAR_REFS.write_text("5")  # "5" resets the peak RSS only (see proc(5), clear_refs)
    except OSError:
        return False
    return _kernel_peak_rss() is not None


class MemorySampler:
    """Peak resident memory of this process between :meth:`start` and :meth:`stop` (bytes).

    On Linux the kernel keeps the peak itself: ``start`` resets it (``/proc/self/clear_refs``)
    and ``stop`` reads it (``VmHWM``), exact and with no thread beside the training. Elsewhere a
    background thread samples the resident size every ``interval_seconds``.
    """

    def __init__(self, interval_seconds: float = 0.1) -> None:
        self._interval = interval_seconds
        self._proc = psutil.Process()
        self._peak = 0
        self._kernel = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sample(self) -> int:
        rss = int(self._proc.memory_info().rss)
        self._peak = max(self._peak, rss)
        return rss

    def start(self) -> None:
        self._peak = 0
        self._kernel = _reset_kernel_peak_rss()
        self.sample()
        if self._kernel:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="memory-sampler", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            self.sample()

    def stop(self) -> int:
        """Stop measuring (idempotent); the peak resident bytes seen."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        self.sample()
        if self._kernel:
            self._peak = max(self._peak, _kernel_peak_rss() or 0)
        return self._peak

    @property
    def peak_bytes(self) -> int:
        return self._peak
