"""Compare 2–4 scenarios side by side: KPIs with differences, overlaid charts, what differs.

Scenarios are templates or saved ones (``?compare=base,<id>,…`` keeps the choice in the link; without
it, the active scenario comes first). Each is projected as the Scenarios page would: bound to its
saved run when it has one, with this session's unsaved edits when it has some. The pure
helpers (:func:`kpi_table`, :func:`differing_assumptions`, :func:`flatten`) are tested without
Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from bizmodel.production import factor_text
from bizmodel.projection import Kpis
from bizmodel.scenario import TEMPLATES
from bizmodel.scenario_bounds import ScenarioError
from present import format as fmt
from present.field_registry import DOCUMENT_KEYS, NUMERIC_FIELDS, WORDED_FIELDS, ScenarioField, find
from present.figures import chart_config
from present.kpi_registry import COMPARE, kpi, listed_in
from present.report import bare_label
from present.scenario_figures import OverlayLabels, overlay_figure
from present.summary import short_id
from present.tables import plain_table
from safetext import for_markdown, for_plain
from store import Store
from ui.components.scenario_compute import bound_scenario, projection_of
from ui.components.scenario_work import (
    as_seen,
    current_work,
    drafts,
    param_from_source,
    scenario_choices,
    source_from_param,
)
from ui.session.i18n import t

MIN_SCENARIOS = 2
MAX_SCENARIOS = 4


@dataclass(frozen=True)
class Compared:
    """One scenario in the comparison: its display name, document, projection and KPIs."""

    key: str
    name: str
    document: dict[str, Any]
    frame: pd.DataFrame
    kpis: Kpis
    driven_by: str = ""


def flatten(document: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Every value of a document as ``path → text`` (lists summarised, numbers with ``g``): the
    fallback for a field :func:`assumption_texts` has no declaration for.

    >>> flatten({"a": 1.5, "link": {"x": 0.8}, "heads": [3, 3, 4]})
    {'a': '1.5', 'link.x': '0.8', 'heads': '3, 3, 4'}
    """
    out: dict[str, str] = {}
    for key, value in document.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            out.update(flatten(value, prefix=f"{path}."))
        elif isinstance(value, list | tuple):
            if value and all(isinstance(v, Mapping) for v in value):
                out[path] = "; ".join(", ".join(f"{k}={_text(v)}" for k, v in item.items()) for item in value)
            else:
                out[path] = ", ".join(_text(v) for v in value)
        else:
            out[path] = _text(value)
    return out


def _text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


#: The document keys :func:`assumption_texts` words itself (the rest fall back to :func:`flatten`).
_WORDED = DOCUMENT_KEYS | {"headcount_by_month", "funding_rounds", "ranges"}


def assumption_value(kind: str, value: Any) -> str:
    """One assumption written in its unit, in the current number style: percentages as typed
    (``3 %``), money in the display currency (``$12k``), counts and months whole.

    >>> assumption_value("pct", 0.03), assumption_value("usd", 12_000.0), assumption_value("count", 20000)
    ('3 %', '$12k', '20,000')
    """
    if not isinstance(value, int | float) or isinstance(value, bool):
        return fmt.MISSING if value is None else for_plain(value)
    if kind == "pct":
        return fmt.fmt_pct_typed(value)
    if kind == "usd":
        return fmt.fmt_usd(value)
    if kind == "factor":  # a production scale: 0 means derived from the scenario's data plan
        return t("compare.factor_derived") if value == 0 else f"×{factor_text(float(value))}"
    if kind in ("int", "count") and float(value).is_integer():
        return fmt.fmt_int(int(value))
    return fmt.fmt_number(value)


def _label(name: str, unit_key: str | None = None) -> str:
    """A field's label as the scenario editor names it, its unit in the display currency."""
    declared = find(name)
    label = t(declared.label) if declared is not None else f"[{name}]"
    if label.startswith("["):
        return name
    if unit_key is None:
        return label
    return f"{bare_label(label)} ({t(unit_key, currency=fmt.current_style().currency)})"


def _worded(spec: ScenarioField, document: Mapping[str, Any]) -> str:
    """A choice or a true/false field of a document in words (a choice the catalog does not know
    keeps its value as written)."""
    value = spec.in_document(document)
    if spec.kind == "bool":
        return t("report.yes") if value else t("report.no")
    text = "" if value is None else str(value)
    label = t(f"{spec.options_key}.{text}")
    return for_plain(text) if label.startswith("[") else label


def assumption_texts(document: Mapping[str, Any]) -> dict[str, str]:
    """Every assumption of a scenario document by its human label (the scenario editor's, with the
    unit in the display currency) → its value in that unit: the headcount plan as steps, funding
    rounds with their month, each Monte Carlo range as ``2 % – 5 % (triangular)`` on its own row.
    A field without a declaration keeps its name and value as written."""
    out: dict[str, str] = {}
    for spec in NUMERIC_FIELDS:
        out[_label(spec.name, spec.units.report_key)] = assumption_value(
            spec.kind, spec.in_document(document)
        )
    heads = document.get("headcount_by_month") or []
    steps = [
        t("report.headcount_step", month=month, people=fmt.fmt_number(h))
        for month, h in enumerate(heads, start=1)
        if month == 1 or h != heads[month - 2]
    ]
    out[t("scenario.headcount")] = " · ".join(steps) or fmt.MISSING
    rounds = document.get("funding_rounds") or []
    out[t("scenario.funding")] = (
        " · ".join(
            t("report.funding_round", month=r.get("month"), amount=fmt.fmt_usd(r.get("amount_usd")))
            for r in rounds
        )
        or fmt.MISSING
    )
    for spec in WORDED_FIELDS:
        out[t(spec.label)] = _worded(spec, document)
    for rg in document.get("ranges") or []:
        field_name = str(rg.get("field", ""))
        declared = find(field_name)
        kind = declared.kind if declared is not None and declared.numeric else "number"
        distribution = t(f"report.distribution.{rg.get('distribution', 'triangular')}")
        label = t("compare.range", field=bare_label(_label(field_name)))
        out[label] = (
            f"{assumption_value(kind, rg.get('low'))} – {assumption_value(kind, rg.get('high'))} "
            f"({distribution})"
        )
    for path, text in flatten({k: v for k, v in document.items() if k not in _WORDED}).items():
        out[for_plain(path)] = text
    return out


def differing_assumptions(named: Sequence[tuple[str, Mapping[str, Any]]]) -> pd.DataFrame:
    """Assumptions whose values differ between the documents: one row per assumption (its human
    label and unit, :func:`assumption_texts`), one column per scenario. Empty when all agree; a
    range one scenario lacks reads as a dash.

    >>> differing_assumptions([("A", {"market_size": 20000}), ("B", {"market_size": 30000})]).iloc[0].tolist()
    ['20,000', '30,000']
    """
    texts = [(name, assumption_texts(doc)) for name, doc in named]
    keys: list[str] = []
    for _, text in texts:
        keys.extend(k for k in text if k not in keys)
    rows = {}
    for k in keys:
        values = [text.get(k, fmt.MISSING) for _, text in texts]
        if len(set(values)) > 1:
            rows[k] = dict(zip([n for n, _ in texts], values, strict=True))
    return pd.DataFrame.from_dict(rows, orient="index", columns=[n for n, _ in texts])


def kpi_table(named: Sequence[tuple[str, Kpis]]) -> pd.DataFrame:
    """KPIs (rows) of each scenario (columns) and, for the 2nd… scenarios, the difference from
    the first (``Δ <name>``). Undefined KPIs (no break-even within the horizon, no IRR) are NaN.
    """
    data: dict[str, list[float]] = {}
    for name, k in named:
        values = k.to_dict()
        data[name] = [_float(values.get(spec.key)) for spec in listed_in(COMPARE)]
    frame = pd.DataFrame(data, index=[spec.key for spec in listed_in(COMPARE)])
    first = named[0][0]
    for name, _ in named[1:]:
        frame[f"Δ {name}"] = frame[name] - frame[first]
    return frame


def format_kpi(kind: str, value: float, *, delta: bool = False) -> str:
    """One KPI (or, with ``delta``, a difference) as text with its unit; NaN is an en dash.

    >>> format_kpi("usd", 1.28e7, delta=True), format_kpi("pct", 0.0235, delta=True)
    ('+$12.8M', '+2.35 pts')
    >>> format_kpi("month", 43.0), format_kpi("month", -28.0, delta=True), format_kpi("ratio", float("nan"))
    ('43', '−28', '–')
    """
    if value is None or not math.isfinite(value):
        return fmt.MISSING
    sign = ("+" if value > 0 else "−" if value < 0 else "±") if delta else ("−" if value < 0 else "")
    size = abs(value)
    if kind == "usd":
        return f"{sign}{fmt.fmt_usd(size)}"
    if kind == "pct":
        return (
            sign + t("data_value.points", value=f"{size * 100:.3g}") if delta else f"{sign}{size * 100:.1f} %"
        )
    if kind in ("month", "runway"):
        return f"{sign}{size:.0f}"
    if kind == "months":
        return sign + t("report.months_short", value=f"{size:.1f}")
    return f"{sign}{size:,.2f}×"


def format_kpi_table(table: pd.DataFrame, horizons: Mapping[str, int] | None = None) -> pd.DataFrame:
    """:func:`kpi_table` as text: each row in its KPI's unit, Δ columns signed.

    With ``horizons`` (months by scenario column), a month that does not happen reads
    ``> month H`` (runway: ``whole horizon``: cash never runs out) instead of a dash.

    >>> table = pd.DataFrame({"A": [float("nan")] * 2}, index=["break_even_month", "runway_months"])
    >>> format_kpi_table(table, {"A": 60})["A"].tolist()
    ['> month 60', 'whole horizon']
    """
    out = pd.DataFrame(index=table.index, columns=table.columns, dtype=object)
    for key in table.index:
        kind = kpi(str(key)).kind
        for column in table.columns:
            value = float(table.loc[key, column])
            delta = column.startswith("Δ ")
            text = format_kpi(kind, value, delta=delta)
            never = kind in ("month", "runway") and not delta and not math.isfinite(value)
            if never and horizons and column in horizons:
                beyond = t("scenario.beyond", horizon=horizons[column])
                text = t("scenario.runway_full") if kind == "runway" else beyond
            out.loc[key, column] = text
    return out


def _float(value: Any) -> float:
    if value is None:
        return math.nan
    return float(value)


def unique_names(names: Sequence[str]) -> list[str]:
    """Names made distinct for table columns by numbering repeats: ["A", "A"] → ["A", "A (2)"]."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


# ---------------------------------------------------------------------- Streamlit


def _options(store: Store) -> tuple[list[str], dict[str, str], dict[str, dict[str, Any]]]:
    """Link values, their labels (those with unsaved edits in this session marked) and saved rows."""
    labels, saved = scenario_choices(store)
    for key, label in labels.items():
        draft = drafts().get(source_from_param(key))
        if draft is not None and draft.dirty:
            labels[key] = t("scenario.option.unsaved", name=label)
    return list(labels), labels, saved


def _chosen(options: list[str], active: str) -> list[str]:
    """The link's ``?compare=`` choice; else the active scenario first, then the saved scenarios
    (newest first) when there are enough to compare, else the templates."""
    wanted = [k for k in (st.query_params.get("compare") or "").split(",") if k]
    picked = [k for k in wanted if k in options][:MAX_SCENARIOS]
    if not picked:
        saved = [k for k in options if k not in TEMPLATES]
        others = saved if len(saved) + (active not in saved) >= MIN_SCENARIOS else list(TEMPLATES)
        first = [active] if active in options else []
        picked = (first + [k for k in others if k != active])[:MAX_SCENARIOS]
    return picked


def _load(
    store: Store, key: str, labels: Mapping[str, str], saved: Mapping[str, dict[str, Any]]
) -> Compared | None:
    try:
        scenario, run_id, _ = as_seen(key, dict(saved))
    except ScenarioError as exc:
        st.warning(t("compare.invalid", name=for_markdown(saved[key]["name"]), reason=for_markdown(str(exc))))
        return None
    effective = bound_scenario(store, scenario, run_id)
    frame, k = projection_of(effective.document)
    if effective.run is not None and effective.inputs is not None:
        driven = t("compare.driven_measured", run=short_id(effective.run.id), name=effective.run.name)
    else:
        driven = t("compare.driven_typed")
    return Compared(key, labels[key], effective.scenario.to_dict(), frame, k, driven)


def render(store: Store) -> None:
    """The picker, the KPI table, the overlaid charts and the differing assumptions."""
    options, labels, saved = _options(store)
    work = current_work(store)
    default = _chosen(options, param_from_source(work.source))
    key = "compare_pick"

    def _remember() -> None:
        st.query_params["compare"] = ",".join(st.session_state[key])

    if st.session_state.get(key) is None or any(k not in options for k in st.session_state[key]):
        st.session_state[key] = default
    picked = st.multiselect(
        t("compare.pick"),
        options,
        format_func=lambda k: for_plain(labels.get(k, k)),
        max_selections=MAX_SCENARIOS,
        key=key,
        on_change=_remember,
        help=t("compare.pick_help"),
    )
    st.caption(t("compare.active_note", name=for_markdown(work.name)))
    if len(picked) < MIN_SCENARIOS:
        st.info(t("compare.need_two"))
        return
    st.query_params["compare"] = ",".join(picked)
    loaded = [c for c in (_load(store, k, labels, saved) for k in picked) if c is not None]
    if len(loaded) < MIN_SCENARIOS:
        st.info(t("compare.need_two"))
        return
    names = unique_names([c.name for c in loaded])
    numbers = kpi_table(list(zip(names, [c.kpis for c in loaded], strict=True)))
    horizons = {n: int(c.document["horizon_months"]) for n, c in zip(names, loaded, strict=True)}
    table = format_kpi_table(numbers, horizons)
    table.index = [t(kpi(k).label) for k in table.index]
    driven = pd.DataFrame(
        [[c.driven_by for c in loaded] + [""] * (len(table.columns) - len(loaded))],
        columns=table.columns,
        index=[t("compare.driven_by")],
    )
    table = pd.concat([driven, table])
    st.subheader(t("compare.kpis"))
    st.dataframe(plain_table(table), width="stretch", height=35 * (len(table) + 1) + 3, key="compare_kpis")
    st.caption(t("compare.kpis_note"))
    c1, c2 = st.columns(2)
    for col, column, title in (
        (c1, "cash_usd", "compare.chart.cash"),
        (c2, "revenue_usd", "compare.chart.revenue"),
    ):
        with col:
            labels_ = OverlayLabels(
                title=t(title),
                month=t("scenario.axis.month"),
                usd=t("scenario.axis.money", **fmt.currency_words()),
            )
            series = [(n, c.frame[column]) for n, c in zip(names, loaded, strict=True)]
            st.plotly_chart(
                overlay_figure(series, labels_),
                width="stretch",
                key=f"compare_{column}",
                config=chart_config(f"compare-{column.removesuffix('_usd')}-by-month"),
            )
    st.subheader(t("compare.differences"))
    diff = differing_assumptions(list(zip(names, [c.document for c in loaded], strict=True)))
    if diff.empty:
        st.caption(t("compare.no_differences"))
    else:
        st.dataframe(plain_table(diff), width="stretch")
