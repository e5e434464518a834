"""The measured summary of a run as a list of labelled, formatted, sourced items (pure)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from mlcore.specs import RunRecord
from present import format as fmt
from present.explain import words

Translate = Callable[..., str]


@dataclass(frozen=True)
class SummaryItem:
    """One number of the run summary: translated label, formatted value, provenance, help."""

    key: str
    label: str
    value: str
    provenance: str  # "measured" | "catalog" | "assumed"
    detail: str
    help: str


def short_id(run_id: str) -> str:
    """The last segment of a run id (its random part), enough to tell runs apart on a badge.

    >>> short_id("20261129-051746-827970")
    '827970'
    """
    return run_id.rsplit("-", 1)[-1]


def summary_items(run: RunRecord, tr: Translate) -> list[SummaryItem]:
    """Every headline measurement of ``run`` in display order.

    Counts derived from the model (parameters, FLOPs) are measured facts of this run; the
    energy estimate is ``assumed`` when it comes from a TDP share rather than RAPL counters.
    """
    rid = short_id(run.id)
    lang = fmt.current_style().language

    def said(text: str | None) -> str:
        """A measurement method mlcore wrote (English), in the language of the current style."""
        return words(text, lang) if text else ""

    energy_prov = "measured" if (run.energy_method or "").startswith("RAPL") else "assumed"

    def item(
        key: str, value: str, prov: str = "measured", detail: str = rid, help_text: str = ""
    ) -> SummaryItem:
        return SummaryItem(key, tr(f"m.{key}"), value, prov, detail, help_text or tr(f"help.{key}"))

    return [
        item("test_accuracy", fmt.fmt_pct(run.test_accuracy)),
        item("precision", fmt.fmt_score(run.test_precision_macro)),
        item("recall", fmt.fmt_score(run.test_recall_macro)),
        item("f1", fmt.fmt_score(run.test_f1_macro)),
        item("wall_time", fmt.fmt_duration(run.wall_seconds)),
        item("samples_per_second", fmt.fmt_number(run.samples_per_second)),
        item("params", fmt.fmt_int(run.params)),
        item("flops_per_sample", fmt.fmt_flops(run.flops_per_sample)),
        item("achieved_flops", fmt.fmt_flops(run.achieved_flops_per_second, per_second=True)),
        item(
            "peak_flops",
            fmt.fmt_flops(run.peak_flops_per_second, per_second=True),
            help_text=tr("help.peak_flops")
            + (f" ({said(run.peak_flops_method)})" if run.peak_flops_method else ""),
        ),
        item("mfu", fmt.fmt_pct(run.mfu, decimals=2)),
        item("peak_memory", fmt.fmt_bytes(run.peak_memory_bytes)),
        item(
            "device",
            (run.device_kind.upper() if run.device_kind else fmt.MISSING)
            + (f" × {run.distribution.replicas}" if run.distribution else ""),
            help_text=(said(run.device) or tr("help.device"))
            + (f" — {run.distribution.strategy}" if run.distribution else ""),
        ),
        item(
            "energy",
            fmt.fmt_energy_kwh(run.energy_kwh),
            energy_prov,
            rid if energy_prov == "measured" else tr("provenance.tdp_share"),
            help_text=tr("help.energy") + (f" — {said(run.energy_method)}" if run.energy_method else ""),
        ),
    ]
