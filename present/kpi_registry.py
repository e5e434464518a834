"""The projection's KPIs, declared once: kind (how the value is written), unit, whether higher is
better, what explains an undefined value, label and help keys, and which tables list it.

Pure (no Streamlit). The Scenarios page's KPI panel (:mod:`ui.views.scenarios`), Compare
(:mod:`ui.views.compare`), the Overview (:mod:`ui.views.overview`), the HTML report's executive
summary (:mod:`present.report`) and the workbook's Summary sheet (:mod:`present.workbook`) read
:data:`KPIS` and write each value with :func:`kpi_text`; each surface passes the words it uses
for months (:class:`KpiWords`). A KPI is a field of :class:`bizmodel.projection.Kpis`; why one is
undefined is the reason under its name in ``Kpis.reasons`` (or, for the terminal value, the
method's explanation, :func:`present.narrative.terminal_help`).

Adding a KPI: compute it in :func:`bizmodel.projection.kpis` (a field of ``Kpis``, a reason when
it is None), one :class:`KpiSpec` here, and its label and help (``kpi.<key>``,
``kpi.<key>.help``) in both locales (``docs/ADDING_A_FIELD.md``).

Kinds: ``usd`` (money, in the display currency), ``pct`` (a fraction in %), ``month`` (a 1-based
month; undefined: beyond the horizon), ``runway`` (a month; undefined: cash lasts the whole
horizon), ``months`` (a duration) and ``ratio`` (``2.50×``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from present import format as fmt

#: The tables that list every KPI marked for them (in :data:`KPIS` order).
PANEL, COMPARE, WORKBOOK = "panel", "compare", "workbook"
_EVERYWHERE = frozenset({PANEL, COMPARE, WORKBOOK})


@dataclass(frozen=True)
class KpiSpec:
    """One KPI (module docstring): ``key`` names the field of :class:`bizmodel.projection.Kpis`,
    ``kind`` how it is written, ``unit_key`` its unit in the workbook, ``higher_is_better`` its
    direction, ``explained_by`` ``"reason"`` (``Kpis.reasons[key]``) or ``"terminal"`` (the
    terminal value's method), ``tables`` the tables that list it, ``label_key`` when the label is
    not ``kpi.<key>``."""

    key: str
    kind: str
    unit_key: str
    higher_is_better: bool
    explained_by: str = "reason"
    tables: frozenset[str] = _EVERYWHERE
    label_key: str = ""

    @property
    def label(self) -> str:
        """The catalog key of the KPI's label."""
        return self.label_key or f"kpi.{self.key}"

    @property
    def help(self) -> str:
        """The catalog key of what the KPI means."""
        return f"kpi.{self.key}.help"

    @property
    def cell(self) -> str:
        """The workbook's number format of the value."""
        return {"usd": "money", "pct": "pct", "month": "month", "runway": "month"}.get(self.kind, "number")


_MONEY, _TIMES, _MONTHS = "workbook.unit.money", "workbook.unit.times", "workbook.unit.months"
_MONTH = "workbook.unit.month_number"
_NO_COMPARE = frozenset({PANEL, WORKBOOK})

#: Every KPI, in the order the panel and the tables list them.
KPIS: tuple[KpiSpec, ...] = (
    KpiSpec("npv_usd", "usd", _MONEY, True),
    KpiSpec("npv_with_terminal_usd", "usd", _MONEY, True, "terminal", _NO_COMPARE),
    KpiSpec("irr_annual", "pct", "workbook.unit.pct_per_year", True),
    KpiSpec("break_even_month", "month", _MONTH, False),
    KpiSpec("payback_month", "month", _MONTH, False),
    KpiSpec("runway_months", "runway", _MONTHS, True),
    KpiSpec("min_cash_usd", "usd", _MONEY, True),
    KpiSpec("ending_arr_usd", "usd", "workbook.unit.per_year", True),
    KpiSpec("gross_margin", "pct", "workbook.unit.percent", True),
    KpiSpec("ltv_usd", "usd", "workbook.unit.per_customer", True),
    KpiSpec(
        "cac_usd", "usd", "workbook.unit.per_new_customer", False, tables=frozenset({WORKBOOK}),
        label_key="workbook.kpi.cac_usd",
    ),
    KpiSpec("ltv_to_cac", "ratio", _TIMES, True),
    KpiSpec("cac_payback_months", "months", _MONTHS, False),
    KpiSpec("burn_multiple", "ratio", _TIMES, False),
    KpiSpec("terminal_value_usd", "usd", _MONEY, True, "terminal", _NO_COMPARE),
)  # fmt: skip

#: The report's executive summary, in its order (with the Monte Carlo's two probabilities after).
SUMMARY: tuple[str, ...] = (
    "npv_usd",
    "npv_with_terminal_usd",
    "irr_annual",
    "break_even_month",
    "runway_months",
    "payback_month",
    "ltv_to_cac",
    "cac_payback_months",
    "gross_margin",
    "burn_multiple",
    "ending_arr_usd",
)
#: The Overview's business figures, in its order (with the Monte Carlo's P(break-even) after).
HEADLINE: tuple[str, ...] = ("npv_usd", "npv_with_terminal_usd", "break_even_month", "runway_months")

_BY_KEY = {k.key: k for k in KPIS}


def kpi(key: str) -> KpiSpec:
    """The declaration of KPI ``key`` (``KeyError`` for an undeclared one).

    >>> kpi("break_even_month").higher_is_better, kpi("cac_usd").label
    (False, 'workbook.kpi.cac_usd')
    """
    return _BY_KEY[key]


def listed_in(table: str) -> tuple[KpiSpec, ...]:
    """The KPIs ``table`` (:data:`PANEL`, :data:`COMPARE`, :data:`WORKBOOK`) lists, in order.

    >>> [k.key for k in listed_in(COMPARE)][:3]
    ['npv_usd', 'irr_annual', 'break_even_month']
    """
    return tuple(k for k in KPIS if table in k.tables)


@dataclass(frozen=True)
class KpiWords:
    """How a surface writes months: ``month`` a 1-based month (or, for None, beyond the
    horizon), ``runway_full`` a runway that lasts the whole horizon, ``months`` a duration (a
    plain number unless the surface lists a duration)."""

    month: Callable[[float | None], str]
    runway_full: str
    months: Callable[[float | None], str] = fmt.fmt_number


def ratio_text(value: float | None) -> str:
    """A ratio as ``2.50×``; an en dash when undefined.

    >>> ratio_text(2.5), ratio_text(None)
    ('2.50×', '–')
    """
    finite = isinstance(value, int | float) and math.isfinite(value)
    return f"{value:,.2f}×" if finite else fmt.MISSING


def kpi_text(spec: KpiSpec, value: Any, words: KpiWords) -> str:
    """KPI ``spec``'s ``value`` written in the current number style, months in ``words``."""
    if spec.kind == "usd":
        return fmt.fmt_usd(value)
    if spec.kind == "pct":
        return fmt.fmt_pct(value) if value is not None else fmt.MISSING
    if spec.kind == "month":
        return words.month(value)
    if spec.kind == "runway":
        return words.month(value) if value is not None else words.runway_full
    if spec.kind == "months":
        return words.months(value)
    return ratio_text(value)


def kpi_texts(kpis: Any, keys: tuple[str, ...], words: KpiWords) -> list[tuple[KpiSpec, str]]:
    """The KPIs ``keys`` of a :class:`bizmodel.projection.Kpis`, each with its text."""
    return [(kpi(key), kpi_text(kpi(key), getattr(kpis, key), words)) for key in keys]


__all__ = [
    "COMPARE",
    "HEADLINE",
    "KPIS",
    "PANEL",
    "SUMMARY",
    "WORKBOOK",
    "KpiSpec",
    "KpiWords",
    "kpi",
    "kpi_text",
    "kpi_texts",
    "listed_in",
    "ratio_text",
]
