"""The KPI registry against the model and every reader: each KPI of the projection is declared
once, written in both languages and both currencies, listed by the tables marked for it, and
explained by the reason the model gives."""

from __future__ import annotations

import dataclasses

import pytest

from bizmodel.projection import Kpis, kpis, project
from bizmodel.scenario import base_template, bear_template
from present import format as fmt
from present.i18n import translate
from present.kpi_registry import (
    COMPARE,
    HEADLINE,
    KPIS,
    PANEL,
    SUMMARY,
    WORKBOOK,
    KpiSpec,
    KpiWords,
    kpi_text,
    listed_in,
)
from ui.views.compare import format_kpi_table, kpi_table

#: Fields of :class:`Kpis` that are details of a KPI, not KPIs of their own.
DETAILS = {"irr_reason", "reasons", "terminal_method", "terminal_at_horizon_usd", "terminal_basis_usd"}
LANGS = ("en", "zh")
STYLES = [fmt.NumberStyle(language=lang, currency=c) for lang in LANGS for c in ("USD", "CNY")]
IDS = [k.key for k in KPIS]
KINDS = {"usd", "pct", "month", "runway", "months", "ratio"}


def _kpis(template=base_template) -> Kpis:
    s = template()
    return kpis(project(s), s)


def _words(lang: str) -> KpiWords:
    return KpiWords(
        month=lambda v: translate("scenario.month_n", lang, month=v) if v is not None else "beyond",
        runway_full=translate("scenario.runway_full", lang),
        months=lambda v: (
            fmt.MISSING if v is None else translate("report.months_short", lang, value=f"{v:.1f}")
        ),
    )


def test_every_kpi_of_the_projection_is_declared_once() -> None:
    keys = [k.key for k in KPIS]
    assert len(keys) == len(set(keys))
    assert set(keys) == {f.name for f in dataclasses.fields(Kpis)} - DETAILS
    assert {k.kind for k in KPIS} <= KINDS
    assert all(isinstance(k.higher_is_better, bool) for k in KPIS)
    assert {k.explained_by for k in KPIS} <= {"reason", "terminal"}


def test_curated_lists_name_declared_kpis_and_tables_list_the_rest() -> None:
    keys = {k.key for k in KPIS}
    assert set(SUMMARY) <= keys and set(HEADLINE) <= keys
    assert listed_in(WORKBOOK) == KPIS
    assert set(listed_in(PANEL)) | set(listed_in(COMPARE)) == set(KPIS) - {
        k for k in KPIS if k.key == "cac_usd"
    }


@pytest.mark.parametrize("style", STYLES, ids=lambda s: f"{s.language}-{s.currency}")
@pytest.mark.parametrize("spec", KPIS, ids=IDS)
def test_every_kpi_is_written_in_both_languages_and_currencies(spec: KpiSpec, style: fmt.NumberStyle) -> None:
    assert not translate(spec.label, style.language).startswith("[")
    assert not translate(spec.help, style.language).startswith("[") or spec.tables == {WORKBOOK}
    assert not translate(spec.unit_key, style.language, currency=style.currency).startswith("[")
    words = _words(style.language)
    with fmt.number_style(style):
        for value in (getattr(_kpis(), spec.key), getattr(_kpis(bear_template), spec.key), None):
            text = kpi_text(spec, value, words)
            assert text and "[" not in text, (value, text)
            if spec.kind == "usd" and value is not None:
                assert style.symbol in text, text


@pytest.mark.parametrize("spec", KPIS, ids=IDS)
def test_an_undefined_kpi_has_its_explanation(spec: KpiSpec) -> None:
    for template in (base_template, bear_template):
        k = _kpis(template)
        if getattr(k, spec.key) is None and spec.explained_by == "reason":
            assert k.to_dict()["reasons"].get(spec.key), spec.key


def test_compare_lists_its_kpis_in_order_and_writes_each() -> None:
    table = kpi_table([("A", _kpis()), ("B", _kpis(bear_template))])
    assert list(table.index) == [k.key for k in listed_in(COMPARE)]
    text = format_kpi_table(table, {"A": 60, "B": 60})
    assert not text.isna().any().any()
