"""How a run looks: live progress while it trains, the measured summary when it ends."""

from __future__ import annotations

import streamlit as st

from mlcore.jobs import JobView
from mlcore.runs import run_json
from mlcore.specs import RunRecord
from safetext import for_markdown
from ui import format as fmt
from ui.figures import CurveLabels, chart_config, learning_curves
from ui.i18n import current_language, t
from ui.model_text import localize
from ui.summary import summary_items
from ui.widgets import Provenance, metric


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
    if run.status == "completed":
        st.success(t("run.completed", name=name), icon=":material/check_circle:")
    elif run.status == "stopped":
        st.warning(t("run.stopped", name=name, epochs=run.epochs_completed), icon=":material/stop_circle:")
    elif run.status == "failed":
        st.error(t("run.failed", name=name, error=for_markdown(run.error or "?")), icon=":material/error:")
    elif run.status == "interrupted":
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
        device = for_markdown(localize(run.device, lang) if run.device else fmt.MISSING) + (
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


def download_run_button(run: RunRecord, *, key: str) -> None:
    """Download one run's record as JSON (built only on click)."""
    st.download_button(
        t("run.download_json"),
        data=lambda: run_json(run),
        file_name=f"moatlab-run-{run.id}.json",
        mime="application/json",
        on_click="ignore",
        key=key,
        icon=":material/download:",
    )


def render_progress(view: JobView, *, worker_problem: str | None = None) -> None:
    """Queue position, progress bar with epoch / ETA / samples per second, live curves.

    ``worker_problem`` (the job manager's sentence when the worker keeps failing to start) is
    shown to waiting users instead of letting them wait in silence.
    """
    run = view.run
    if worker_problem and view.status == "queued":
        st.error(t("live.worker_problem", problem=for_markdown(worker_problem)), icon=":material/error:")
    if view.status == "queued":
        st.info(t("live.queued", position=view.queue_position or 1), icon=":material/schedule:")
        st.progress(0.0, text=t("live.waiting"))
        return
    p = view.progress
    if p is None:
        st.progress(0.0, text=t("live.starting"))
    else:
        # The first half epoch includes graph compilation: its rate and ETA would mislead.
        settled = p.epoch > 1 or p.finished_epoch is not None or p.batch >= p.batches / 2
        text = t(
            "live.progress",
            epoch=p.epoch,
            epochs=p.epochs,
            batch=p.batch,
            batches=p.batches,
            eta=fmt.fmt_duration(p.eta_seconds) if settled else t("live.estimating"),
            rate=fmt.fmt_number(p.samples_per_second) if settled else t("live.estimating"),
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
    if p is not None and run is not None and run.flops_per_sample:
        achieved = 3 * run.flops_per_sample * p.samples_per_second
        cols = st.columns(3)
        cols[0].metric(t("m.samples_per_second"), fmt.fmt_number(p.samples_per_second))
        cols[1].metric(t("m.achieved_flops"), fmt.fmt_flops(achieved, per_second=True))
        cols[2].metric(t("live.elapsed"), fmt.fmt_duration(p.elapsed_seconds))


def _method(text: str | None, lang: str) -> str:
    """How a measurement was made (mlcore writes it in English), in ``lang``, as Markdown."""
    return for_markdown(localize(text, lang)) if text else fmt.MISSING
