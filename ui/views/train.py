"""How a run looks: live progress while it trains (what the job does before its first batch,
then the curves with samples/s, MFU and what the epoch would cost on a rented machine), the
measured summary when it ends, with its cost on that machine and the next steps."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from bizmodel.catalog import Catalog
from bizmodel.run_cost import RunCostError, instance_for_device
from mlcore.jobs import JobView
from mlcore.specs import RunRecord
from present import format as fmt
from present.explain import words
from present.figures import CurveLabels, chart_config, learning_curves
from present.live_figures import live_figures, run_rent
from present.page_registry import page_file
from present.summary import summary_items
from safetext import for_markdown
from store.schema import JobStatus
from ui.components.catalog import active_catalog
from ui.components.run_files import download_run_button
from ui.components.widgets import Provenance, metric
from ui.session.i18n import current_language, t
from ui.session.state import OwnerJobs

#: URL parameters a link to the next step keeps: language, currency, chart images, price catalog.
_KEPT_PARAMS = ("lang", "cur", "fx", "img", "catalog")


def curve_labels() -> CurveLabels:
    return CurveLabels(
        title=t("chart.curves"),
        epoch=t("chart.epoch"),
        loss=t("chart.loss"),
        accuracy=t("chart.accuracy"),
        train=t("chart.train"),
        validation=t("chart.validation"),
        current=t("chart.current"),
    )


def status_banner(run: RunRecord) -> None:
    """One line that says how the run ended (and why, when it did not complete)."""
    name = for_markdown(run.name)
    if run.status == JobStatus.COMPLETED:
        st.success(t("run.completed", name=name), icon=":material/check_circle:")
    elif run.status == JobStatus.STOPPED:
        st.warning(t("run.stopped", name=name, epochs=run.epochs_completed), icon=":material/stop_circle:")
    elif run.status == JobStatus.FAILED:
        st.error(t("run.failed", name=name, error=for_markdown(run.error or "?")), icon=":material/error:")
    elif run.status == JobStatus.INTERRUPTED:
        st.error(
            t("run.interrupted", name=name, error=for_markdown(run.error or "")), icon=":material/warning:"
        )


def render_summary(run: RunRecord) -> None:
    """The measured summary: status, headline numbers with badges, curves, details, download."""
    status_banner(run)
    if run.test_accuracy is not None:
        items = summary_items(run, t)
        for start in range(0, len(items), 4):
            cols = st.columns(4)
            for col, item in zip(cols, items[start : start + 4], strict=False):
                with col:
                    metric(item.label, item.value, Provenance(item.provenance, item.detail), help=item.help)
    if run.history:
        st.plotly_chart(
            learning_curves(run.history, curve_labels()),
            key=f"curves_{run.id}",
            config=chart_config(f"learning-curves-{run.id[-6:]}"),
        )
    with st.expander(t("run.details")):
        spec = run.request.spec
        split = t(
            "run.split", train=run.n_train or 0, val=run.n_val or 0, test=run.n_test or 0, seed=run.split_seed
        )
        training = (
            f"{t('form.optimizer')} {spec.optimizer} · {t('form.lr')} {spec.learning_rate:g} "
            f"({spec.lr_schedule}) · {t('form.batch')} {spec.batch_size}"
        )
        lang = current_language()
        device = for_markdown(words(run.device, lang) if run.device else fmt.MISSING) + (
            f" · {t('run.mixed_precision')}" if run.mixed_precision else ""
        )
        lines = [
            f"- **{t('col.dataset')}**: {for_markdown(run.dataset)} ({split})",
            f"- **{t('col.model')}**: {for_markdown(run.model)} · {training}",
            f"- **{t('col.device')}**: {device}",
            *_distribution_lines(run),
            f"- **{t('m.peak_flops')}**: {_method(run.peak_flops_method, lang)}",
            f"- **{t('m.energy')}**: {_method(run.energy_method, lang)}",
            f"- **{t('run.fingerprint')}**: `{run.dataset_fingerprint or fmt.MISSING}`",
            f"- **{t('run.model_file')}**: `{run.model_path or fmt.MISSING}`",
        ]
        st.markdown("\n".join(lines))
    render_rent(run)
    download_run_button(run, key=f"download_{run.id}")


def _distribution_lines(run: RunRecord) -> list[str]:
    """The details line of a run mirrored across devices (none for a one-device run)."""
    d = run.distribution
    if d is None:
        return []
    text = t(
        "run.distribution",
        strategy=d.strategy,
        replicas=d.replicas,
        devices=", ".join(d.devices),
        global_batch=d.global_batch_size,
        per_replica=d.per_replica_batch_size,
    )
    return [f"- **{t('run.distribution_label')}**: {for_markdown(text + (f'; {d.note}' if d.note else ''))}"]


def live_progress(view: JobView, jobs: OwnerJobs) -> None:
    """The running training job as the Train page polls it."""
    render_progress(view, worker_problem=jobs.worker_problem, worker_starting=jobs.worker_starting)


def render_progress(
    view: JobView, *, worker_problem: str | None = None, worker_starting: bool = False
) -> None:
    """Queue position, what the job does before its first batch, progress bar with epoch / ETA /
    samples per second, live curves, and the measured figures beside them.

    ``worker_problem`` (the job manager's sentence when the worker keeps failing to start) is
    shown to waiting users instead of letting them wait in silence; ``worker_starting`` (the
    worker is still loading TensorFlow) turns "waiting in the queue" into what it is.
    """
    run = view.run
    if worker_problem and view.status == JobStatus.QUEUED:
        st.error(t("live.worker_problem", problem=for_markdown(worker_problem)), icon=":material/error:")
    if view.status == JobStatus.QUEUED:
        if worker_starting and (view.queue_position or 1) == 1:
            st.progress(0.0, text=t("live.engine_starting"))
        else:
            st.info(t("live.queued", position=view.queue_position or 1), icon=":material/schedule:")
            st.progress(0.0, text=t("live.waiting"))
        return
    p = view.progress
    if p is None and view.stage is not None:
        st.progress(
            0.0,
            text=t(f"live.stage.{view.stage.stage}", elapsed=fmt.fmt_duration(view.stage.elapsed_seconds)),
        )
    elif p is None:
        st.progress(0.0, text=t("live.starting"))
    instance = _rented_instance(run) if run is not None else None
    figures = live_figures(p, run, instance) if p is not None else None
    if p is not None and figures is not None:
        # The first half epoch includes graph compilation: its rate and ETA would mislead.
        text = t(
            "live.progress",
            epoch=p.epoch,
            epochs=p.epochs,
            batch=p.batch,
            batches=p.batches,
            eta=fmt.fmt_duration(p.eta_seconds) if figures.settled else t("live.estimating"),
            rate=fmt.fmt_number(p.samples_per_second) if figures.settled else t("live.estimating"),
        )
        st.progress(p.fraction, text=text)
    if view.stop_requested:
        st.caption(t("live.stopping"))
    history = run.history if run else ()
    st.plotly_chart(
        learning_curves(history, curve_labels(), live=p),
        key="live_curves",
        config=chart_config("learning-curves-live"),
    )
    if p is not None and figures is not None and run is not None and run.flops_per_sample:
        estimating = t("live.estimating")
        cols = st.columns(4)
        cols[0].metric(
            t("m.samples_per_second"),
            fmt.fmt_number(p.samples_per_second) if figures.settled else estimating,
            help=t("help.live_samples_per_second"),
        )
        cols[1].metric(
            t("m.mfu"),
            fmt.fmt_pct(figures.mfu, decimals=2) if figures.settled else estimating,
            help=_mfu_help(run, figures.achieved_flops_per_second),
        )
        cols[2].metric(
            t("live.epoch_cost"),
            fmt.fmt_usd(figures.epoch_usd) if figures.settled else estimating,
            help=_epoch_cost_help(run, instance, figures.epoch_seconds),
        )
        cols[3].metric(t("live.elapsed"), fmt.fmt_duration(p.elapsed_seconds))


@st.cache_data(max_entries=16, show_spinner=False)
def _instance_for(device: str, device_kind: str, version: str, _catalog: Catalog) -> pd.Series | None:
    """The catalog row a run on ``device`` is priced on (cached per catalog ``version``)."""
    try:
        return instance_for_device(
            _catalog.instances, list(_catalog.accelerator_keys), device=device, device_kind=device_kind
        )
    except RunCostError:
        return None


def _rented_instance(run: RunRecord) -> pd.Series | None:
    """The catalog instance closest to the machine ``run`` trains on (None: unknown device, or
    no instance fits): where its epochs and the whole run are priced."""
    if not run.device or not run.device_kind:
        return None
    catalog = active_catalog()
    return _instance_for(run.device, run.device_kind, catalog.version, catalog)


def _instance_words(instance: pd.Series) -> dict[str, str]:
    """How the help texts name a catalog instance: which, its price and the catalog's date."""
    name = " ".join(
        str(instance.get(k)) for k in ("provider", "region", "instance_type") if pd.notna(instance.get(k))
    )
    return {
        "instance": for_markdown(name),
        "price": fmt.fmt_usd(float(instance["on_demand_usd_per_hour"])),
        "as_of": for_markdown(str(instance.get("as_of") or fmt.MISSING)),
    }


def _mfu_help(run: RunRecord, achieved: float | None) -> str:
    return t(
        "help.live_mfu",
        achieved=fmt.fmt_flops(achieved, per_second=True),
        peak=fmt.fmt_flops(run.peak_flops_per_second, per_second=True),
        method=_method(run.peak_flops_method, current_language()),
    )


def _epoch_cost_help(run: RunRecord, instance: pd.Series | None, seconds: float | None) -> str:
    if instance is None:
        return t("help.live_epoch_cost_none", device=for_markdown(run.device or fmt.MISSING))
    return t("help.live_epoch_cost", seconds=fmt.fmt_duration(seconds), **_instance_words(instance))


def render_rent(run: RunRecord) -> None:
    """The finished run on a rented machine: the whole job and its last epoch, priced as the live
    figure was (the catalog instance closest to its machine, on demand), with the catalog badge."""
    instance = _rented_instance(run)
    rent = run_rent(run, instance) if instance is not None else None
    if rent is None:
        return
    words = _instance_words(instance)
    cols = st.columns(4)
    with cols[0]:
        metric(
            t("m.run_rent"),
            fmt.fmt_usd(rent.run_usd),
            Provenance("catalog", words["as_of"]),
            help=t("help.run_rent", seconds=fmt.fmt_duration(rent.run_seconds), **words),
        )
    if rent.last_epoch_usd is not None:
        with cols[1]:
            metric(
                t("m.last_epoch_rent"),
                fmt.fmt_usd(rent.last_epoch_usd),
                Provenance("catalog", words["as_of"]),
                help=t("help.last_epoch_rent", seconds=fmt.fmt_duration(rent.last_epoch_seconds), **words),
            )
    st.caption(t("run.rent_note", **words))


def next_steps(run: RunRecord) -> None:
    """The journey's next steps for a run that has a model: evaluate it, price it at scale."""
    if run.test_accuracy is None or not run.model_path:
        return
    params = {k: v for k in _KEPT_PARAMS if (v := st.query_params.get(k))} | {"run": run.id}
    c1, c2 = st.columns(2)
    with c1:
        st.page_link(
            page_file("evaluate"),
            label=t("train.next_evaluate"),
            icon=":material/fact_check:",
            query_params=params,
        )
    with c2:
        st.page_link(
            page_file("compute"),
            label=t("train.next_price"),
            icon=":material/payments:",
            query_params=params,
        )


def _method(text: str | None, lang: str) -> str:
    """How a measurement was made (mlcore writes it in English), in ``lang``, as Markdown."""
    return for_markdown(words(text, lang)) if text else fmt.MISSING
