"""The cost of the measured run: its wall time priced on a catalog instance, its energy and CO₂.

Conventions
-----------
* The run's **wall seconds** (the whole job; its training seconds where no wall time was
  recorded) are billed at the instance's on-demand $/hour, per second, with no minimum.
  ``compute_usd`` = wall hours × $/hour. The instance is the one the user says the run ran on,
  or the closest catalog match (:func:`closest_instance`).
* **Energy** is the run's own estimate (kWh, with the method it used); ``energy_usd`` = kWh ×
  an assumed $/kWh and ``co2_kg`` = kWh × an assumed grid intensity (g CO₂ per kWh) ÷ 1000.
  A cloud $/hour already includes the provider's electricity, so ``energy_usd`` is shown
  beside ``compute_usd`` (what the same run costs in electricity on your own machine) and is not
  added to it.
* Every item carries its provenance: **measured** (from the run, with its id), **catalog** (a
  bundled price, with its as-of date) or **assumed** (typed by the user or a default).
* Per-unit costs: ``usd_per_epoch`` = compute $ ÷ epochs completed; ``usd_per_1000_samples`` =
  compute $ ÷ (training samples × epochs ÷ 1000).
* **Any stretch of a run** (one epoch while it trains, the whole run when it ends) is priced by
  :func:`rent_usd`: its measured wall seconds ÷ 3600 × the on-demand $/hour of the instance
  :func:`instance_for_device` picks for the run's device, the same instance
  :mod:`bizmodel.binding` prices a retraining on. The instance is assumed to run as fast as the
  machine the run measured (the Train page says so).
* **CPU family.** A run is matched to instances of its own CPU family (:func:`cpu_arch` reads an
  instance's family from the providers' naming conventions; :func:`device_cpu_arch` reads the
  run's from its device description: x86 unless it names ARM, aarch64, Graviton or Neoverse).
  Speed measured on one family says little about the other, so an ARM instance is not the
  "closest match" for an x86 run even when it is cheaper.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from bizmodel.basis import TechnicalBasis, device_logical_cores
from bizmodel.reasons import Reason, ReasonedError

Provenance = Literal["measured", "catalog", "assumed"]
CpuArch = Literal["arm", "x86"]


#: The label of an instance row without provider, region or instance type.
CUSTOM_INSTANCE = "custom instance"


class RunCostError(ReasonedError):
    """No catalog instance fits, or a price or policy is out of range."""


@dataclass(frozen=True)
class CostItem:
    """One number of a cost breakdown with its unit and where it comes from.

    ``value`` is None when the run did not measure it (e.g. no energy estimate).
    """

    name: str
    value: float | None
    unit: str
    provenance: Provenance
    detail: Reason


@dataclass(frozen=True)
class RunCost:
    """The measured run's cost on one instance; each field a :class:`CostItem`."""

    instance: str
    wall_seconds: CostItem
    usd_per_hour: CostItem
    compute_usd: CostItem
    energy_kwh: CostItem
    energy_usd: CostItem
    co2_kg: CostItem
    usd_per_epoch: CostItem
    usd_per_1000_samples: CostItem

    @property
    def items(self) -> tuple[CostItem, ...]:
        """All items in display order."""
        return (
            self.wall_seconds,
            self.usd_per_hour,
            self.compute_usd,
            self.energy_kwh,
            self.energy_usd,
            self.co2_kg,
            self.usd_per_epoch,
            self.usd_per_1000_samples,
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per item: name, value, unit, provenance, detail."""
        return pd.DataFrame([vars(i) for i in self.items])


# ---------------------------------------------------------------------- choosing an instance


def _current(instances: pd.DataFrame) -> pd.DataFrame:
    if "status" not in instances.columns:
        return instances
    return instances[instances["status"].fillna("current") == "current"]


def _is_cpu_only(instances: pd.DataFrame) -> pd.Series:
    acc = instances["accelerator"].fillna("").astype(str).str.strip()
    count = pd.to_numeric(instances["count"], errors="coerce").fillna(0)
    return (acc == "") & (count == 0)


# AWS: family letters, generation digits, attribute letters ("m7gd", "c6gn", "g4dn", "p5en").
_AWS_RE = re.compile(r"^([a-z]+)(\d+)([a-z]*)")
# Azure: after "Standard_", family letters, vCPUs (optionally "-constrained"), additive letters.
_AZURE_RE = re.compile(r"^([a-z]+)(\d+)(?:-\d+)?([a-z]*)", re.IGNORECASE)
# GCP: the machine family is the first dash-separated part ("t2a-standard-4" → "t2a").
_GCP_ARM_RE = re.compile(r"^[a-z]+\d+a$")
_GCP_ARM_FAMILIES = frozenset({"a4x"})  # GB200 machines: Grace (Neoverse) hosts
# Any provider: names that say the host is ARM (e.g. Lambda "gpu_1x_gh200").
_ARM_WORD_RE = re.compile(
    r"(?:^|[^a-z0-9])(gh200|gb200|gb300|grace|graviton\d*|arm64|aarch64|arm)(?:$|[^a-z0-9])"
)
_DEVICE_ARM_RE = re.compile(r"\b(?:arm|aarch64|graviton|neoverse)", re.IGNORECASE)


def cpu_arch(instance_type: str, provider: str) -> CpuArch:
    """The CPU family of a catalog instance, read from the provider's naming conventions.

    A heuristic, x86 unless the name says ARM:

    * **aws**: the letters after the generation digit hold ``g`` for Graviton (``m7g``, ``c7gn``,
      ``r7gd``, ``t4g``, ``im4gn``, ``g5g``); the ``a1`` family (Graviton 1) and ``mac2``-and-later
      (Apple silicon) are ARM too. ``g4dn``/``g6e``: the ``g`` is the family, not an attribute.
    * **azure**: a ``p`` among the additive letters after the vCPU count (``Standard_D2ps_v5``,
      ``Standard_E8pds_v6``: Ampere Altra, Cobalt).
    * **gcp**: families ending in ``a`` after the generation digit (``t2a``: Ampere Altra,
      ``c4a``/``n4a``: Axion) and ``a4x`` (Grace).
    * **any provider**: a name with the word ``gh200``, ``gb200``, ``gb300``, ``grace``,
      ``graviton``, ``arm``, ``arm64`` or ``aarch64`` (e.g. Lambda ``gpu_1x_gh200``).

    Parameters
    ----------
    instance_type : str
        The catalog's ``instance_type``.
    provider : str
        The catalog's ``provider`` (aws, gcp, azure, lambda, runpod; others use the generic rule).

    Returns
    -------
    str
        ``"arm"`` or ``"x86"``.

    >>> [cpu_arch(t, "aws") for t in ("m7g.xlarge", "c7gn.large", "g4dn.xlarge", "m7i.large")]
    ['arm', 'arm', 'x86', 'x86']
    >>> cpu_arch("Standard_D2ps_v5", "azure"), cpu_arch("Standard_E8s_v5", "azure")
    ('arm', 'x86')
    >>> cpu_arch("c4a-standard-8", "gcp"), cpu_arch("t2d-standard-4", "gcp")
    ('arm', 'x86')
    """
    name = str(instance_type or "").strip().lower()
    provider = str(provider or "").strip().lower()
    if _ARM_WORD_RE.search(name):
        return "arm"
    if provider == "aws":
        match = _AWS_RE.match(name)
        if match:
            family, generation, attributes = match.group(1), int(match.group(2)), match.group(3)
            if "g" in attributes or (family, generation) == ("a", 1) or (family == "mac" and generation >= 2):
                return "arm"
    elif provider == "azure":
        match = _AZURE_RE.match(name.removeprefix("standard_"))
        if match and "p" in match.group(3):
            return "arm"
    elif provider == "gcp":
        family = name.split("-", 1)[0]
        if _GCP_ARM_RE.fullmatch(family) or family in _GCP_ARM_FAMILIES:
            return "arm"
    return "x86"


def device_cpu_arch(device: str) -> CpuArch:
    """The CPU family of a run's machine from its device description (``basis.device``).

    ARM when the description names ARM (``ARM``, ``ARMv8``, ``arm64``), ``aarch64``, Graviton or
    Neoverse; x86 otherwise (also when it says nothing about the CPU, e.g. a GPU name).

    >>> device_cpu_arch("CPU (Intel(R) Xeon(R) Processor, 2 logical cores)")
    'x86'
    >>> device_cpu_arch("CPU (Neoverse-V1, 4 logical cores)")
    'arm'
    >>> device_cpu_arch("CPU (aarch64, 2 logical cores)")
    'arm'
    """
    return "arm" if _DEVICE_ARM_RE.search(device or "") else "x86"


def _prefer_arch(pool: pd.DataFrame, arch: CpuArch) -> pd.DataFrame:
    """The rows of ``pool`` of CPU family ``arch``; all of ``pool`` when none is."""
    types = pool["instance_type"] if "instance_type" in pool else pd.Series("", index=pool.index)
    providers = pool["provider"] if "provider" in pool else pd.Series("", index=pool.index)
    same = np.array([cpu_arch(t, p) == arch for t, p in zip(types, providers, strict=True)], dtype=bool)
    return pool[same] if same.any() else pool


def closest_instance(
    instances_df: pd.DataFrame,
    *,
    vcpus: int | None,
    accelerator: str | None,
    arch: CpuArch = "x86",
) -> pd.Series:
    """The catalog instance a run is priced on when the user names none.

    Only rows with status ``current`` are considered, and among those only instances of the
    run's CPU family ``arch`` (:func:`cpu_arch`) unless none of the candidates is of that family.
    A CPU-only run (``accelerator`` None or empty) gets the cheapest CPU-only instance with at
    least ``vcpus`` vCPUs; if none is that large, the one with the most vCPUs (the closest); with
    ``vcpus`` None, the cheapest CPU-only instance. A GPU run gets the cheapest instance carrying
    ``accelerator`` (on-demand $/hour of the whole instance; ties go to fewer accelerators).

    Parameters
    ----------
    instances_df : DataFrame
        The catalog's instances table.
    vcpus : int or None
        The logical cores the run used.
    accelerator : str or None
        The catalog accelerator key of the run's GPU.
    arch : {"x86", "arm"}
        The run's CPU family (:func:`device_cpu_arch` of its device); x86 by default.

    Returns
    -------
    Series
        One row of ``instances_df`` (its index label kept as ``name``); check its family with
        :func:`cpu_arch` (it differs from ``arch`` only when no candidate had that family).

    Raises
    ------
    RunCostError
        If no current instance matches.

    >>> df = pd.DataFrame({"provider": ["aws"] * 4,
    ...     "instance_type": ["m7g.large", "c.large", "c.xlarge", "g.xl"],
    ...     "accelerator": [None, None, None, "L4"], "count": [0, 0, 0, 1], "vcpus": [4, 2, 4, 4],
    ...     "on_demand_usd_per_hour": [0.05, 0.1, 0.2, 0.8], "status": ["current"] * 4})
    >>> closest_instance(df, vcpus=3, accelerator=None)["instance_type"]
    'c.xlarge'
    >>> closest_instance(df, vcpus=3, accelerator=None, arch="arm")["instance_type"]
    'm7g.large'
    >>> closest_instance(df, vcpus=None, accelerator="L4")["instance_type"]
    'g.xl'
    """
    current = _current(instances_df)
    price = pd.to_numeric(current["on_demand_usd_per_hour"], errors="coerce")
    current = current[price.notna() & (price > 0)]
    if accelerator:
        pool = current[current["accelerator"].fillna("").astype(str) == accelerator]
        if pool.empty:
            missing = Reason("no_accelerator_instance", accelerator=str(accelerator))
            raise RunCostError(Reason("clauses", parts=(missing, Reason("choose_instance"))))
        pool = _prefer_arch(pool, arch)
        return pool.sort_values(["on_demand_usd_per_hour", "count"], kind="stable").iloc[0]
    pool = current[_is_cpu_only(current)]
    if pool.empty:
        raise RunCostError(Reason("clauses", parts=(Reason("no_cpu_instance"), Reason("choose_instance"))))
    pool = _prefer_arch(pool, arch)
    if vcpus is not None:
        big_enough = pool[pd.to_numeric(pool["vcpus"], errors="coerce") >= vcpus]
        if big_enough.empty:
            return pool.sort_values(["vcpus", "on_demand_usd_per_hour"], ascending=[False, True]).iloc[0]
        pool = big_enough
    return pool.sort_values(["on_demand_usd_per_hour", "vcpus"], kind="stable").iloc[0]


def run_cpu_instance(basis: TechnicalBasis, instances: pd.DataFrame) -> pd.Series | None:
    """The catalog CPU instance that prices what the run measured on its CPU: the closest
    current CPU-only instance of the same family (x86 or ARM) with at least its logical cores,
    or None when none fits (measured CPU rows then stay unpriced)."""
    try:
        return _cpu_instance(instances, basis.device)
    except RunCostError:
        return None


def _cpu_instance(instances: pd.DataFrame, device: str) -> pd.Series:
    return closest_instance(
        instances, vcpus=device_logical_cores(device), accelerator=None, arch=device_cpu_arch(device)
    )


_MEMORY_RE = re.compile(r"\d+GB")


def _tokens(text: str) -> list[str]:
    return re.findall(r"[A-Z0-9]+", text.upper())


def accelerator_for_device(device: str, accelerator_keys: list[str] | pd.Series) -> str | None:
    """The catalog accelerator key that names the GPU in a run's device description, if any.

    A key matches when its first token (the model, e.g. ``H100``) is a whole word of the
    description; further tokens (``SXM``, ``40GB``) break ties when the description starts with
    them, and a key naming a different memory size (``80GB`` for a ``40GB`` card) loses. Among
    equal matches the first key in the table wins.

    >>> accelerator_for_device("NVIDIA A100-SXM4-40GB", ["A100-80GB-PCIe", "A100-40GB", "L4"])
    'A100-40GB'
    >>> accelerator_for_device("NVIDIA L40S", ["L4"]) is None
    True
    """
    words = _tokens(device)
    best, best_score = None, 0
    for key in list(accelerator_keys):
        parts = _tokens(str(key))
        if not parts or parts[0] not in words:
            continue
        score = 1
        for part in parts[1:]:
            if any(w.startswith(part) for w in words):
                score += 1
            elif _MEMORY_RE.fullmatch(part) and any(_MEMORY_RE.fullmatch(w) for w in words):
                score -= 2  # the description names a different memory size
        if score > best_score:
            best, best_score = str(key), score
    return best


def instance_for_device(
    instances: pd.DataFrame, accelerator_keys: list[str] | pd.Series, *, device: str, device_kind: str
) -> pd.Series:
    """The catalog instance a run on ``device`` is priced on: for a CPU run
    (``device_kind`` ``cpu``) the closest current CPU-only instance of its family with at least
    its logical cores (:func:`run_cpu_instance`), for a GPU run the cheapest current instance
    carrying the catalog accelerator its device names (:func:`accelerator_for_device`,
    :func:`closest_instance`), as :mod:`bizmodel.binding` prices a retraining.

    Raises
    ------
    RunCostError
        No catalog accelerator matches the GPU, or no current instance fits.

    >>> df = pd.DataFrame({"provider": ["aws"] * 3, "instance_type": ["c.large", "c.xlarge", "g.xl"],
    ...     "accelerator": [None, None, "L4"], "count": [0, 0, 1], "vcpus": [2, 4, 8],
    ...     "on_demand_usd_per_hour": [0.1, 0.2, 0.8], "status": ["current"] * 3})
    >>> cpu = "CPU (Intel(R) Xeon(R) Processor, 4 logical cores)"
    >>> instance_for_device(df, ["L4"], device=cpu, device_kind="cpu")["instance_type"]
    'c.xlarge'
    >>> instance_for_device(df, ["L4"], device="NVIDIA L4", device_kind="gpu")["instance_type"]
    'g.xl'
    """
    if device_kind == "cpu":
        return _cpu_instance(instances, device)
    key = accelerator_for_device(device, accelerator_keys)
    if key is None:
        missing = Reason("no_device_accelerator", device=str(device))
        raise RunCostError(Reason("clauses", parts=(missing, Reason("choose_instance"))))
    return closest_instance(instances, vcpus=None, accelerator=key)


# ---------------------------------------------------------------------- pricing the run


def instance_usd_per_hour(instance_row: pd.Series) -> float:
    """The instance's on-demand USD per hour. Raises :class:`RunCostError` when it is not a
    positive number."""
    usd_per_hour = float(pd.to_numeric(instance_row.get("on_demand_usd_per_hour"), errors="coerce"))
    if not (np.isfinite(usd_per_hour) and usd_per_hour > 0):
        raise RunCostError(Reason("clauses", parts=(Reason("no_price"), Reason("pick_another"))))
    return usd_per_hour


def rent_usd(seconds: float, instance_row: pd.Series) -> float:
    """What ``seconds`` of measured wall time cost on ``instance_row`` rented on demand, billed per
    second with no minimum: ``seconds ÷ 3600 × $/hour``, in USD. The live cost of an epoch on the
    Train page and :func:`price_run`'s compute cost are both this.

    Raises
    ------
    RunCostError
        ``seconds`` is negative or not finite, or the instance has no positive price.

    >>> rent_usd(36.0, pd.Series({"on_demand_usd_per_hour": 0.5}))
    0.005
    """
    if not (math.isfinite(seconds) and seconds >= 0):
        raise RunCostError(f"a duration to price must be a finite number of seconds ≥ 0, not {seconds!r}")
    return seconds / 3600.0 * instance_usd_per_hour(instance_row)


def _label(row: pd.Series) -> str:
    parts = [str(row.get(k)) for k in ("provider", "region", "instance_type") if _present(row.get(k))]
    return " ".join(parts) or CUSTOM_INSTANCE


def _present(value: object) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value)) and value != ""


def price_run(
    basis: TechnicalBasis,
    instance_row: pd.Series,
    *,
    usd_per_kwh: float,
    grid_g_co2_per_kwh: float,
) -> RunCost:
    """Price the measured run on one instance (see the module docstring for the conventions).

    Parameters
    ----------
    basis : TechnicalBasis
        The finished run.
    instance_row : Series
        A catalog instance row (``on_demand_usd_per_hour``; ``as_of``, ``provider``,
        ``instance_type`` for the labels), e.g. from :func:`closest_instance`.
    usd_per_kwh : float
        Assumed electricity price, ≥ 0.
    grid_g_co2_per_kwh : float
        Assumed grid carbon intensity, g CO₂ per kWh, ≥ 0.

    Returns
    -------
    RunCost

    Raises
    ------
    RunCostError
        If the instance has no positive price or an assumption is negative.

    >>> b = TechnicalBasis.from_record({"id": "r1", "status": "completed", "params": 1,
    ...     "flops_per_sample": 1, "n_train": 1000, "epochs_completed": 2, "train_seconds": 3000,
    ...     "wall_seconds": 3600, "energy_kwh": 0.5, "device_kind": "cpu", "test_accuracy": 0.9})
    >>> row = pd.Series({"instance_type": "c.large", "on_demand_usd_per_hour": 3.6, "as_of": "2025-12-01"})
    >>> cost = price_run(b, row, usd_per_kwh=0.2, grid_g_co2_per_kwh=400)
    >>> cost.compute_usd.value, cost.energy_usd.value, cost.co2_kg.value, cost.usd_per_epoch.value
    (3.6, 0.1, 0.2, 1.8)
    """
    usd_per_hour = instance_usd_per_hour(instance_row)
    if not (usd_per_kwh >= 0 and grid_g_co2_per_kwh >= 0):
        raise RunCostError(Reason("negative_energy"))
    seconds = basis.billed_seconds
    priced: Provenance = "catalog" if _present(instance_row.get("as_of")) else "assumed"
    compute_usd = rent_usd(seconds, instance_row)
    compute = Reason("compute_formula", seconds=float(seconds), hourly_usd=usd_per_hour)
    energy_kwh, energy_usd, co2_kg = _energy_items(basis, usd_per_kwh, grid_g_co2_per_kwh)
    usd_per_epoch, usd_per_1000_samples = _per_unit_items(basis, compute_usd, priced)
    return RunCost(
        instance=_label(instance_row),
        wall_seconds=_wall_item(basis),
        usd_per_hour=_price_item(instance_row, usd_per_hour, priced),
        compute_usd=CostItem("compute cost", compute_usd, "USD", priced, compute),
        energy_kwh=energy_kwh,
        energy_usd=energy_usd,
        co2_kg=co2_kg,
        usd_per_epoch=usd_per_epoch,
        usd_per_1000_samples=usd_per_1000_samples,
    )


def _wall_item(basis: TechnicalBasis) -> CostItem:
    """The billed seconds (measured): the run's wall time, else its training time.

    >>> b = TechnicalBasis.from_record({"id": "r1", "status": "completed", "params": 1,
    ...     "flops_per_sample": 1, "n_train": 1, "epochs_completed": 1, "train_seconds": 30,
    ...     "device_kind": "cpu", "test_accuracy": 0.9})
    >>> _wall_item(b).value, _wall_item(b).detail
    (30.0, Reason('train_time_of', run_id='r1'))
    """
    which = "wall_time_of" if basis.wall_seconds is not None else "train_time_of"
    return CostItem("wall time", basis.billed_seconds, "s", "measured", Reason(which, run_id=basis.run_id))


def _price_item(instance_row: pd.Series, usd_per_hour: float, priced: Provenance) -> CostItem:
    """The instance's on-demand USD per hour, dated by the catalog or typed by the user.

    >>> row = pd.Series({"instance_type": "c.large", "as_of": "2025-12-01"})
    >>> _price_item(row, 3.6, "catalog").detail
    Reason('on_demand_dated', instance='c.large', as_of='2025-12-01')
    >>> _price_item(pd.Series(dtype=object), 0.5, "assumed").detail
    Reason('on_demand_typed', instance=Reason('custom_instance'))
    """
    as_of = instance_row.get("as_of")
    name = _label(instance_row)
    instance: Reason | str = name if name != CUSTOM_INSTANCE else Reason("custom_instance")
    detail = (
        Reason("on_demand_dated", instance=instance, as_of=str(as_of))
        if _present(as_of)
        else Reason("on_demand_typed", instance=instance)
    )
    return CostItem("instance price", usd_per_hour, "USD/h", priced, detail)


def _energy_items(
    basis: TechnicalBasis, usd_per_kwh: float, grid_g_co2_per_kwh: float
) -> tuple[CostItem, CostItem, CostItem]:
    """The run's energy (kWh, measured), its cost at ``usd_per_kwh`` and its CO₂ at
    ``grid_g_co2_per_kwh`` (both assumed); values None when the run has no energy estimate.

    >>> b = TechnicalBasis.from_record({"id": "r1", "status": "completed", "params": 1,
    ...     "flops_per_sample": 1, "n_train": 1, "epochs_completed": 1, "train_seconds": 30,
    ...     "energy_kwh": 0.5, "device_kind": "cpu", "test_accuracy": 0.9})
    >>> [item.value for item in _energy_items(b, 0.2, 400.0)]
    [0.5, 0.1, 0.2]
    """
    kwh = basis.energy_kwh
    no_energy = Reason("no_energy")
    method: Reason | str = basis.energy_method or Reason("method_not_recorded")
    energy_usd = None if kwh is None else kwh * usd_per_kwh
    co2_kg = None if kwh is None else kwh * grid_g_co2_per_kwh / 1000.0
    energy_cost = no_energy if kwh is None else Reason("energy_cost", kwh_price_usd=float(usd_per_kwh))
    co2 = no_energy if kwh is None else Reason("co2", grid=float(grid_g_co2_per_kwh))
    return (
        CostItem("energy", kwh, "kWh", "measured", Reason("run_any", run_id=basis.run_id, text_msg=method)),
        CostItem("energy cost", energy_usd, "USD", "assumed", energy_cost),
        CostItem("CO₂", co2_kg, "kg", "assumed", co2),
    )


def _per_unit_items(
    basis: TechnicalBasis, compute_usd: float, priced: Provenance
) -> tuple[CostItem, CostItem]:
    """Compute USD per epoch completed and per 1,000 training samples processed.

    >>> b = TechnicalBasis.from_record({"id": "r1", "status": "completed", "params": 1,
    ...     "flops_per_sample": 1, "n_train": 1000, "epochs_completed": 2, "train_seconds": 30,
    ...     "device_kind": "cpu", "test_accuracy": 0.9})
    >>> [item.value for item in _per_unit_items(b, 3.6, "catalog")]
    [1.8, 1.8]
    """
    epochs = int(basis.epochs_completed)
    per_samples = Reason(
        "per_samples", samples=int(basis.training_samples), n_train=int(basis.n_train), epochs=epochs
    )
    return (
        CostItem(
            "cost per epoch",
            compute_usd / basis.epochs_completed,
            "USD",
            priced,
            Reason("per_epoch", epochs=epochs),
        ),
        CostItem(
            "cost per 1,000 training samples",
            compute_usd / basis.training_samples * 1000.0,
            "USD",
            priced,
            per_samples,
        ),
    )
