"""The Scenarios page: edit a revenue scenario bound to a run, and see what it is worth.

The economics are :mod:`bizmodel` (pure): :func:`~bizmodel.projection.project` and
:func:`~bizmodel.projection.kpis`, :func:`~bizmodel.montecarlo.simulate`,
:func:`~bizmodel.sensitivity.tornado`, :func:`~bizmodel.binding.inputs_for` /
:func:`~bizmodel.binding.bind` and :func:`~bizmodel.advantage.value_of_accuracy`. This module
caches them by the scenario's canonical JSON and renders: KPIs with provenance, the monthly P&L,
the accuracy link, the Monte Carlo fan and NPV histogram, and the tornado.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from bizmodel.montecarlo import DEFAULT_PATHS, MonteCarloError
from bizmodel.projection import COLUMNS, Kpis
from bizmodel.scenario import Scenario
from bizmodel.sensitivity import LEVERS, SensitivityError
from mlcore.runs import finished_runs
from present import format as fmt
from present.explain import words
from present.figures import chart_config
from present.kpi_registry import PANEL, KpiSpec, KpiWords, kpi_text, listed_in
from present.median_gap_text import median_gap_sentence
from present.narrative import terminal_help
from present.page_registry import page_file
from present.report_data import MonteCarloSection
from present.scenario_figures import (
    FanLabels,
    HistogramLabels,
    LinkLabels,
    ProjectionLabels,
    accuracy_link_figure,
    fan_figure,
    npv_histogram,
    projection_figure,
    tornado_figures,
)
from present.summary import short_id
from present.tables import csv_bytes
from safetext import for_markdown, for_plain
from store import Store
from ui.components.production import production_caption, production_metrics
from ui.components.scenario_compute import (
    CHANGE_KEY,
    PATHS_KEY,
    SEED_KEY,
    UI_MAX_PATHS,
    VALUE_FROM_ACTIVE,
    Effective,
    effective_scenario,
    monte_carlo_of,
    month_text,
    projection_of,
    tornado_of,
    value_of_accuracy_of,
)
from ui.components.scenario_editor import editor_form, validate
from ui.components.scenario_work import Work, param_from_source
from ui.components.widgets import Provenance, badge
from ui.session.admission import Busy, TooLarge
from ui.session.capacity import show_refusal
from ui.session.i18n import current_language, t
from ui.session.state import store_guard

# ---------------------------------------------------------------------- the run that drives it


def run_binding(store: Store, work: Work) -> None:
    """Choose the run that drives the scenario's technical inputs (or none: typed values)."""
    with store_guard():
        runs = finished_runs(store)
    by_id = {r.id: r for r in runs}
    options: list[str | None] = [None, *by_id]
    if work.run_id and work.run_id not in by_id:
        options.append(work.run_id)

    def _label(rid: str | None) -> str:
        if rid is None:
            return t("scenario.no_run")
        run = by_id.get(rid)
        if run is None:
            return t("scenario.run_missing_option", id=short_id(rid))
        return for_plain(
            t(
                "picker.option",
                name=run.name,
                id=short_id(rid),
                accuracy=f"{(run.test_accuracy or 0) * 100:.1f}",
            )
        )

    key = f"scn_run_{work.generation}"

    def _changed() -> None:
        work.run_id = st.session_state[key]
        work.dirty = True

    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    c1.selectbox(
        t("scenario.bound_run"),
        options,
        index=options.index(work.run_id),
        format_func=_label,
        key=key,
        on_change=_changed,
        help=t("scenario.bound_run_help"),
    )
    spread_key = f"scn_spread_{work.generation}"

    def _set_spread() -> None:
        work.document = {**work.document, "use_run_spread": bool(st.session_state[spread_key])}
        work.dirty = True

    with c2:
        st.toggle(
            t("scenario.use_spread"),
            value=bool(work.document.get("use_run_spread", False)),
            key=spread_key,
            on_change=_set_spread,
            disabled=work.run_id is None,
            help=t("scenario.use_spread_help"),
        )


def _show_inputs(effective: Effective) -> None:
    """The technical inputs with their provenance: the run's accuracy, and the production figures
    (this run's cost, one production retraining, $ per 1,000 predictions) every page shows."""
    s = effective.scenario
    run_prov = Provenance("measured", short_id(effective.run.id)) if effective.run else None
    typed = Provenance("assumed", t("scenario.typed"))
    st.markdown(f"**{t('production.title')}**")
    production_caption(s, effective.inputs)
    cols = st.columns(4)
    with cols[0]:
        st.metric(t("scenario.f.model_accuracy"), fmt.fmt_pct(s.model_accuracy))
        badge(run_prov if effective.inputs is not None and run_prov else typed)
    production_metrics(s, effective.inputs, run_prov=run_prov, typed_prov=typed, columns=cols[1:])


# ---------------------------------------------------------------------- KPIs


def _months(value: float | None) -> str:
    """A duration in months, e.g. ``8.0 mo`` (translated)."""
    if value is None or not math.isfinite(value):
        return fmt.MISSING
    return t("report.months_short", value=f"{value:,.1f}")


def kpi_panel(k: Kpis, effective: Effective, name: str) -> None:
    """The KPIs as metrics, each with its reason when undefined, and the scenario's badge."""
    reasons = k.all_reasons()
    horizon = effective.scenario.horizon_months

    def help_for(spec: KpiSpec) -> str:
        base = t(spec.help)
        if spec.explained_by == "terminal":
            return f"{base}\n\n{for_markdown(terminal_help(k, effective.scenario, current_language()))}"
        if spec.key not in reasons:
            return base
        return f"{base}\n\n{for_markdown(words(reasons[spec.key], current_language()))}"

    kpi_words = KpiWords(lambda v: month_text(v, horizon), t("scenario.runway_full"), _months)
    items = [(spec, kpi_text(spec, getattr(k, spec.key), kpi_words)) for spec in listed_in(PANEL)]
    for start in range(0, len(items), 4):
        cols = st.columns(4)
        for col, (spec, value) in zip(cols, items[start : start + 4], strict=False):
            col.metric(t(spec.label), value, help=help_for(spec))
    provs = [Provenance("assumed", name)]
    if effective.inputs is not None and effective.run is not None:
        provs.append(Provenance("measured", short_id(effective.run.id)))
    cols = st.columns(len(provs) + 4)
    for col, prov in zip(cols, provs, strict=False):
        with col:
            badge(prov)


# ---------------------------------------------------------------------- tabs


def projection_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The monthly projection for display: money columns (``*_usd``) in the display currency, every
    column and the month index named in the UI language (money ones with the currency's symbol)."""
    currency, style = fmt.currency_words(), fmt.current_style()
    money = [c for c in COLUMNS if c.endswith("_usd")]
    shown = frame.assign(**{c: style.from_usd(frame[c]) for c in money})
    names = {
        c: t(f"scenario.col.money.{c}", **currency) if c in money else t(f"scenario.col.{c}") for c in COLUMNS
    }
    return shown.rename(columns=names).rename_axis(t("scenario.col.month"))


def _projection_tab(frame: pd.DataFrame, effective: Effective, source_key: str) -> None:
    labels = ProjectionLabels(
        title=t("scenario.chart.projection"),
        month=t("scenario.axis.month"),
        usd=t("scenario.axis.money", **fmt.currency_words()),
        cash=t("scenario.series.cash"),
        revenue=t("scenario.series.revenue"),
        operating=t("scenario.series.operating"),
    )
    st.plotly_chart(
        projection_figure(frame, labels),
        width="stretch",
        key="scn_projection_chart",
        config=chart_config("revenue-and-cash-by-month"),
    )
    st.dataframe(projection_table(frame).style.format("{:,.0f}"), width="stretch", height=360)
    st.download_button(
        t("scenario.download_csv"),
        data=csv_bytes(frame),
        file_name="projection.csv",
        mime="text/csv",
        on_click="ignore",
        key="scn_projection_csv",
    )
    voa = value_of_accuracy_of(effective.document)
    c1, c2 = st.columns([2, 3], vertical_alignment="center")
    lang = current_language()
    c1.metric(
        t("scenario.value_of_accuracy"), fmt.fmt_usd(voa.usd_per_point_year), help=words(voa.detail, lang)
    )
    with c2:
        if voa.reason:
            st.caption(for_markdown(words(voa.reason, lang)))
        st.caption(t("scenario.value_of_accuracy_note"))
        st.page_link(
            page_file("data-value"),
            label=t("scenario.to_data_value"),
            icon=":material/database:",
            query_params={"value_from": VALUE_FROM_ACTIVE, "scenario": source_key},
        )


def _link_tab(scenario: Scenario) -> None:
    labels = LinkLabels(
        title=t("scenario.chart.link"),
        accuracy=t("scenario.axis.accuracy"),
        factor=t("scenario.series.factor"),
        churn=t("scenario.series.churn"),
        minimum=t("scenario.f.minimum_viable_accuracy"),
        delightful=t("scenario.f.delightful_accuracy"),
        current=t("scenario.series.model"),
    )
    fig = accuracy_link_figure(
        scenario.accuracy_link,
        accuracy=scenario.model_accuracy,
        monthly_churn=scenario.monthly_churn,
        churn_extra=scenario.churn_at_minimum_accuracy_extra,
        labels=labels,
    )
    st.plotly_chart(fig, width="stretch", key="scn_link_chart", config=chart_config("accuracy-link"))
    st.caption(
        t(
            "scenario.link_explain",
            factor=fmt.fmt_pct(scenario.accuracy_factor),
            churn=fmt.fmt_pct(scenario.effective_monthly_churn, decimals=2),
        )
    )


def _monte_carlo_tab(effective: Effective, frame: pd.DataFrame) -> None:
    c1, c2, c3 = st.columns(3)
    # Initialised here rather than through ``value=``: a share link may have set them already.
    st.session_state.setdefault(PATHS_KEY, DEFAULT_PATHS)
    st.session_state.setdefault(SEED_KEY, 0)
    paths = int(
        c1.number_input(
            t("scenario.mc.paths"), min_value=100, max_value=UI_MAX_PATHS, step=1000, key=PATHS_KEY
        )
    )
    seed = int(c2.number_input(t("scenario.mc.seed"), min_value=0, max_value=2**31 - 1, step=1, key=SEED_KEY))
    if not effective.scenario.ranges:
        st.info(t("scenario.mc.no_ranges"))
    try:
        with st.spinner(t("scenario.mc.running")):
            result = monte_carlo_of(effective.document, paths, seed)
    except MonteCarloError as exc:
        st.error(for_markdown(str(exc)))
        return
    except (Busy, TooLarge) as exc:
        show_refusal(exc, key="scn_mc_retry")
        return
    npv = result.npv
    m1, m2, m3, m4 = st.columns(4)
    m1.metric(
        t("scenario.mc.p_out_of_cash"),
        fmt.fmt_pct(result.probability_out_of_cash),
        help=t("scenario.mc.p_out_of_cash_help"),
    )
    m2.metric(
        t("scenario.mc.p_break_even"),
        fmt.fmt_pct(result.probability_break_even),
        help=t("scenario.mc.p_break_even_help"),
    )
    m3.metric(t("scenario.mc.npv_p50"), fmt.fmt_usd(npv.get("p50")), help=t("median_gap.why"))
    m4.metric(t("scenario.mc.npv_p10_p90"), f"{fmt.fmt_usd(npv.get('p10'))} … {fmt.fmt_usd(npv.get('p90'))}")
    median_gap_note(result)
    c3.caption(t("scenario.mc.caption", paths=f"{result.paths:,}", seed=result.seed))
    fan_labels = FanLabels.of_cash(t, t("scenario.axis.money", **fmt.currency_words()))
    st.plotly_chart(
        fan_figure(result.fan, fan_labels, deterministic=frame["cash_usd"]),
        width="stretch",
        key="scn_fan_chart",
        config=chart_config("cash-fan-chart"),
    )
    hist_labels = HistogramLabels(
        title=t("scenario.chart.npv_hist"), npv=t("kpi.npv_usd"), paths=t("scenario.axis.paths"), median="P50"
    )
    st.plotly_chart(
        npv_histogram(result.npv_usd, hist_labels),
        width="stretch",
        key="scn_npv_hist",
        config=chart_config("npv-histogram"),
    )


def median_gap_note(result: MonteCarloSection) -> None:
    """Why the Monte Carlo median NPV differs from the plan's, when it differs materially."""
    sentence = median_gap_sentence(result.median_gap, current_language())
    if sentence:
        st.info(for_markdown(sentence), icon=":material/insights:")


def lever_names() -> dict[str, str]:
    """Translated lever names by key."""
    return {lever.key: t(f"lever.{lever.key}") for lever in LEVERS}


def _sensitivity_tab(effective: Effective) -> None:
    st.session_state.setdefault(CHANGE_KEY, 10)  # a share link may have set it already
    change_pct = st.slider(t("scenario.tornado.change"), 5, 50, step=5, key=CHANGE_KEY, format="± %d %%")
    try:
        frame = tornado_of(effective.document, change_pct / 100.0)
    except SensitivityError as exc:
        st.error(for_markdown(str(exc)))
        return
    names = lever_names()
    npv_fig, be_fig = tornado_figures(
        frame,
        horizon=effective.scenario.horizon_months,
        change_pct=change_pct,
        translate=t,
        lever_names=names,
    )
    st.plotly_chart(npv_fig, width="stretch", key="scn_tornado_npv", config=chart_config("tornado-npv"))
    top = frame.iloc[0]
    st.caption(
        t(
            "scenario.tornado.top",
            lever=names.get(str(top["key"]), str(top["key"])),
            swing=fmt.fmt_usd(float(top["npv_swing_usd"])),
            change=change_pct,
        )
    )
    st.plotly_chart(
        be_fig, width="stretch", key="scn_tornado_break_even", config=chart_config("tornado-break-even")
    )
    with st.expander(t("scenario.tornado.levers")):
        st.markdown("\n".join(f"- **{names.get(k, k)}**: {t(f'lever.{k}.help')}" for k in frame["key"]))


def results(store: Store, work: Work) -> None:
    """Validate the working copy, bind the run, and show KPIs and the four result tabs."""
    scenario, problems = validate(work.document)
    if scenario is None:
        st.error(t("scenario.invalid") + "\n\n" + "\n".join(f"- {for_markdown(p)}" for p in problems))
        return
    effective = effective_scenario(store, work, scenario)
    _show_inputs(effective)
    frame, k = projection_of(effective.document)
    kpi_panel(k, effective, work.name)
    tabs = st.tabs(
        [
            t("scenario.tab.projection"),
            t("scenario.tab.link"),
            t("scenario.tab.monte_carlo"),
            t("scenario.tab.sensitivity"),
        ]
    )
    with tabs[0]:
        _projection_tab(frame, effective, param_from_source(work.source))
    with tabs[1]:
        _link_tab(effective.scenario)
    with tabs[2]:
        _monte_carlo_tab(effective, frame)
    with tabs[3]:
        _sensitivity_tab(effective)


def editor(work: Work) -> None:
    """The form; an applied edit that validates becomes the working copy (unsaved)."""
    for note in st.session_state.pop("scn_notes", None) or []:
        st.info(for_markdown(note), icon=":material/info:")
    new = editor_form(work.document, generation=work.generation, run_fields=work.run_id is not None)
    if new is None:
        return
    scenario, problems = validate(new)
    if scenario is None:
        st.error(t("scenario.invalid") + "\n\n" + "\n".join(f"- {for_markdown(p)}" for p in problems))
        return
    work.document = scenario.to_dict()
    work.dirty = True
    st.rerun()
