"""The measured figures beside the live curves on the Train page, and the run's cost on a rented
machine when it ends (pure: no Streamlit).

Definitions (the page's help texts say the same):

* **samples/s**: training samples processed since ``fit`` began ÷ the seconds since then
  (:class:`~mlcore.specs.EpochReport.samples_per_second`), as the run's final figure.
* **MFU**: :func:`mlcore.flops.utilisation` of that rate against the peak FLOP/s the worker
  measured on this machine (the record's ``peak_flops_per_second``): the same formula and peak as
  the run's final MFU, so the live figure ends where the summary starts.
* **This epoch on a rented machine**: the epoch's wall seconds (measured once it closes; before,
  its time so far scaled to all its batches, :attr:`~mlcore.specs.EpochReport.projected_epoch_seconds`)
  priced by :func:`bizmodel.run_cost.rent_usd` on the catalog instance closest to this machine
  (:func:`bizmodel.run_cost.instance_for_device`), on demand, billed per second, assuming it runs
  as fast as this machine: the same instance and price a retraining of this run is charged.
* During the first half of the first epoch the rate includes tracing and compiling the training
  step, so rate, MFU and cost are ``settled`` only from the second half on (the page shows
  "estimating…" before).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from bizmodel.run_cost import RunCostError, rent_usd
from mlcore.flops import utilisation
from mlcore.specs import EpochReport, RunRecord


@dataclass(frozen=True)
class LiveFigures:
    """What the Train page shows beside the curves; None where it cannot be known yet.

    ``achieved_flops_per_second`` in FLOP/s, ``mfu`` a fraction, ``epoch_seconds`` the epoch's
    (projected) wall seconds, ``epoch_usd`` its rent in USD.
    """

    settled: bool
    samples_per_second: float
    achieved_flops_per_second: float | None
    mfu: float | None
    epoch_seconds: float | None
    epoch_usd: float | None


def settled(report: EpochReport) -> bool:
    """Whether the rate has left the first half epoch (tracing and compiling) behind.

    >>> settled(EpochReport(1, 5, 10, 100, None, None, 900.0, 1.0, None))
    False
    >>> settled(EpochReport(1, 5, 50, 100, None, None, 900.0, 1.0, None))
    True
    """
    return report.epoch > 1 or report.finished_epoch is not None or report.batch >= report.batches / 2


def live_figures(report: EpochReport, run: RunRecord | None, instance: pd.Series | None) -> LiveFigures:
    """The live figures of ``report`` for ``run`` (its FLOPs per sample and peak), the epoch priced
    on ``instance`` (a catalog row; None: no instance fits, no cost).

    >>> from mlcore.specs import EpochRecord, TrainRequest
    >>> run = RunRecord("r", "r", "", "running", TrainRequest(), flops_per_sample=100_000,
    ...     peak_flops_per_second=2e11)
    >>> closing = EpochReport(2, 5, 100, 100, 0.3, 0.9, 20_000.0, 3.6, 5.0,
    ...     EpochRecord(2, 0.3, 0.9, 0.3, 0.9, 1.8), epoch_seconds=1.8)
    >>> f = live_figures(closing, run, pd.Series({"on_demand_usd_per_hour": 0.5}))
    >>> f.mfu, f.epoch_seconds, f.epoch_usd
    (0.03, 1.8, 0.00025)
    """
    used = (
        utilisation(run.flops_per_sample, report.samples_per_second, run.peak_flops_per_second)
        if run is not None and run.flops_per_sample
        else None
    )
    seconds = report.projected_epoch_seconds
    usd = None
    if instance is not None and seconds is not None:
        try:
            usd = rent_usd(seconds, instance)
        except RunCostError:
            usd = None
    return LiveFigures(
        settled=settled(report),
        samples_per_second=report.samples_per_second,
        achieved_flops_per_second=used.achieved_flops_per_second if used is not None else None,
        mfu=used.mfu if used is not None else None,
        epoch_seconds=seconds,
        epoch_usd=usd,
    )


@dataclass(frozen=True)
class RunRent:
    """A finished run on a rented machine: the whole job's wall seconds and its last epoch's,
    each priced by :func:`bizmodel.run_cost.rent_usd` (USD)."""

    run_seconds: float
    run_usd: float
    last_epoch_seconds: float | None
    last_epoch_usd: float | None


def run_rent(run: RunRecord, instance: pd.Series) -> RunRent | None:
    """What ``run`` cost on ``instance``: its wall seconds (the training time where no wall time
    was recorded, as :attr:`bizmodel.basis.TechnicalBasis.billed_seconds`) and its last epoch,
    the epoch the live figure showed last. None when the run has no time or the instance no price.

    >>> from mlcore.specs import EpochRecord, TrainRequest
    >>> run = RunRecord("r", "r", "", "completed", TrainRequest(), wall_seconds=7.2,
    ...     history=(EpochRecord(1, 0.5, 0.8, 0.5, 0.8, 1.8),))
    >>> run_rent(run, pd.Series({"on_demand_usd_per_hour": 0.5}))
    RunRent(run_seconds=7.2, run_usd=0.001, last_epoch_seconds=1.8, last_epoch_usd=0.00025)
    """
    seconds = run.wall_seconds if run.wall_seconds is not None else run.train_seconds
    if seconds is None:
        return None
    last = run.history[-1].seconds if run.history else None
    try:
        return RunRent(
            run_seconds=seconds,
            run_usd=rent_usd(seconds, instance),
            last_epoch_seconds=last,
            last_epoch_usd=rent_usd(last, instance) if last is not None else None,
        )
    except RunCostError:
        return None
