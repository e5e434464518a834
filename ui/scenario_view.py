"""The Scenarios page: edit a revenue scenario bound to a run, and see what it is worth.

The economics are :mod:`bizmodel` (pure): :func:`~bizmodel.projection.project` and
:func:`~bizmodel.projection.kpis`, :func:`~bizmodel.montecarlo.simulate`,
:func:`~bizmodel.sensitivity.tornado`, :func:`~bizmodel.binding.inputs_for` /
:func:`~bizmodel.binding.bind` and :func:`~bizmodel.advantage.value_of_accuracy`. This module
caches them by the scenario's canonical JSON and renders: KPIs with provenance, the monthly P&L,
the accuracy link, the Monte Carlo fan and NPV histogram, and the tornado.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from bizmodel.advantage import ValueOfAccuracy, value_of_accuracy
from bizmodel.basis import BasisError, TechnicalBasis
from bizmodel.binding import BindingError, RunInputs, bind, inputs_for
from bizmodel.catalog import Catalog
from bizmodel.montecarlo import DEFAULT_PATHS, MonteCarloError, working_bytes
from bizmodel.production import production_scale
from bizmodel.projection import COLUMNS, Kpis, kpis, project
from bizmodel.scenario import Scenario, ScenarioError
from bizmodel.sensitivity import LEVERS, SensitivityError, tornado
from mlcore.runs import finished_runs, get_run
from mlcore.specs import RunRecord
from safetext import for_markdown, for_plain
from store import Store
from ui import format as fmt
from ui.admission import Busy, TooLarge
from ui.capacity import heavy, show_refusal
from ui.catalog_view import active_catalog
from ui.figures import chart_config
from ui.i18n import current_language, t
from ui.median_gap_text import median_gap_sentence
from ui.model_text import localize
from ui.narrative import terminal_help
from ui.page_registry import page_file
from ui.production_view import production_caption, production_metrics
from ui.report_data import MonteCarloSection, monte_carlo_section, serving_volume
from ui.scenario_editor import editor_form, validate
from ui.scenario_figures import (
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
from ui.scenario_work import Work, current_work, document_json, param_from_source
from ui.state import store_guard, store_or_error
from ui.summary import short_id
from ui.tables import csv_bytes
from ui.widgets import Provenance, badge

#: ``?value_from=`` of a Data value page that takes its value per accuracy point from the active scenario.
VALUE_FROM_ACTIVE = "active"

# ---------------------------------------------------------------------- cached computations


@st.cache_data(max_entries=64, show_spinner=False)
def projection_of(document: str) -> tuple[pd.DataFrame, Kpis]:
    """The monthly projection and KPIs of a scenario given as canonical JSON."""
    scenario = Scenario.from_dict(json.loads(document))
    frame = project(scenario)
    return frame, kpis(frame, scenario)


#: The most paths the page simulates (the command line goes to bizmodel.montecarlo.MAX_PATHS).
UI_MAX_PATHS = 50_000


@st.cache_data(max_entries=8, show_spinner=False)
def monte_carlo_of(document: str, paths: int, seed: int) -> MonteCarloSection:
    """The Monte Carlo of a scenario (canonical JSON), ``paths`` paths from ``seed``, digested
    (small enough to cache: no paths × months arrays). Runs within the replica's work budget
    (:func:`ui.capacity.heavy`): raises :class:`~ui.admission.Busy` when it has no room."""
    scenario = Scenario.from_dict(json.loads(document))
    with heavy(working_bytes(paths, scenario.horizon_months, len(scenario.ranges))):
        return monte_carlo_section(scenario, paths=paths, seed=seed)


@st.cache_data(max_entries=32, show_spinner=False)
def tornado_of(document: str, change: float) -> pd.DataFrame:
    """The tornado table of a scenario (canonical JSON) for levers moved ± ``change``."""
    return tornado(Scenario.from_dict(json.loads(document)), change=change)


@st.cache_data(max_entries=32, show_spinner=False)
def value_of_accuracy_of(document: str) -> ValueOfAccuracy:
    """What one accuracy point is worth a year in this scenario (canonical JSON)."""
    return value_of_accuracy(Scenario.from_dict(json.loads(document)))


@st.cache_data(max_entries=32, show_spinner=False)
def _run_inputs(
    run_id: str,
    record: str,
    catalog_version: str,
    requests_per_month: float,
    factors: tuple[float, float],
    _scenario: Scenario,
    _catalog: Catalog,
) -> RunInputs:
    """:func:`bizmodel.binding.inputs_for`, cached by what decides its result: the run, the catalog,
    the serving volume and the production factors of the scenario."""
    del run_id, catalog_version, requests_per_month, factors  # cache key only
    basis = TechnicalBasis.from_record(json.loads(record))
    return inputs_for(_scenario, basis, _catalog)


def inputs_of_run(run: RunRecord, catalog: Catalog, scenario: Scenario) -> RunInputs | None:
    """What the run contributes to ``scenario`` (production priced at the scenario's scale and peak
    monthly requests, as everywhere), or None after saying why it cannot."""
    volume = serving_volume(scenario)  # the report's volume too, and a stable cache key
    try:
        record = json.dumps(run.to_dict(), sort_keys=True)
        scale = production_scale(scenario, run.n_train or 1, run.params or 1)
        factors = (scale.data_factor, scale.model_factor)
        return _run_inputs(run.id, record, catalog.version, volume, factors, scenario, catalog)
    except (BasisError, BindingError) as exc:
        st.warning(t("scenario.run_unusable", run=short_id(run.id), reason=for_markdown(str(exc))))
        return None


# ---------------------------------------------------------------------- effective scenario


@dataclass(frozen=True)
class Effective:
    """The scenario the numbers are computed from: typed values, or bound to a run."""

    scenario: Scenario
    document: str
    run: RunRecord | None
    inputs: RunInputs | None


def effective_scenario(store: Store, work: Work, scenario: Scenario) -> Effective:
    """``scenario`` with the bound run's measurements in place of the typed technical inputs."""
    return bound_scenario(store, scenario, work.run_id)


def bound_scenario(store: Store, scenario: Scenario, run_id: str | None) -> Effective:
    """``scenario`` driven by run ``run_id`` (None: the typed values); a warning says when the run
    cannot drive it (gone, or unusable), and the typed values are used."""
    if not run_id:
        return Effective(scenario, document_json(scenario.to_dict()), None, None)
    with store_guard():
        run = get_run(store, run_id)
    if run is None or run.test_accuracy is None:
        st.warning(t("scenario.run_gone", run=for_markdown(run_id[:40])))
        return Effective(scenario, document_json(scenario.to_dict()), None, None)
    inputs = inputs_of_run(run, active_catalog(), scenario)
    if inputs is None:
        return Effective(scenario, document_json(scenario.to_dict()), run, None)
    try:  # the scenario's own use_run_spread decides whether ranges come too
        bound = bind(scenario, inputs)
    except (BindingError, ScenarioError) as exc:
        st.warning(t("scenario.run_unusable", run=short_id(run.id), reason=for_markdown(str(exc))))
        return Effective(scenario, document_json(scenario.to_dict()), run, None)
    return Effective(bound, document_json(bound.to_dict()), run, inputs)


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


def month_text(value: int | float | None, horizon: int) -> str:
    """A 1-based month as ``month 43``, or ``> month 60`` when it falls beyond the horizon."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return t("scenario.beyond", horizon=horizon)
    return t("scenario.month_n", month=int(value))


def _ratio(value: float | None, suffix: str = "×") -> str:
    return fmt.MISSING if value is None or not math.isfinite(value) else f"{value:,.2f}{suffix}"


def _months(value: float | None) -> str:
    """A duration in months, e.g. ``8.0 mo`` (translated)."""
    if value is None or not math.isfinite(value):
        return fmt.MISSING
    return t("report.months_short", value=f"{value:,.1f}")


def kpi_panel(k: Kpis, effective: Effective, name: str) -> None:
    """The KPIs as metrics, each with its reason when undefined, and the scenario's badge."""
    reasons = k.to_dict()["reasons"]
    horizon = effective.scenario.horizon_months

    def help_for(key: str) -> str:
        base = t(f"kpi.{key}.help")
        if key in ("npv_with_terminal_usd", "terminal_value_usd"):
            return f"{base}\n\n{for_markdown(terminal_help(k, effective.scenario, current_language()))}"
        return (
            f"{base}\n\n{for_markdown(localize(reasons[key], current_language()))}"
            if key in reasons
            else base
        )

    items = (
        ("npv_usd", fmt.fmt_usd(k.npv_usd)),
        ("npv_with_terminal_usd", fmt.fmt_usd(k.npv_with_terminal_usd)),
        ("irr_annual", fmt.fmt_pct(k.irr_annual) if k.irr_annual is not None else fmt.MISSING),
        ("break_even_month", month_text(k.break_even_month, horizon)),
        ("payback_month", month_text(k.payback_month, horizon)),
        (
            "runway_months",
            month_text(k.runway_months, horizon)
            if k.runway_months is not None
            else t("scenario.runway_full"),
        ),
        ("min_cash_usd", fmt.fmt_usd(k.min_cash_usd)),
        ("ending_arr_usd", fmt.fmt_usd(k.ending_arr_usd)),
        ("gross_margin", fmt.fmt_pct(k.gross_margin)),
        ("ltv_usd", fmt.fmt_usd(k.ltv_usd)),
        ("ltv_to_cac", _ratio(k.ltv_to_cac)),
        ("cac_payback_months", _months(k.cac_payback_months)),
        ("burn_multiple", _ratio(k.burn_multiple)),
        ("terminal_value_usd", fmt.fmt_usd(k.terminal_value_usd)),
    )
    for start in range(0, len(items), 4):
        cols = st.columns(4)
        for col, (key, value) in zip(cols, items[start : start + 4], strict=False):
            col.metric(t(f"kpi.{key}"), value, help=help_for(key))
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
    words, style = fmt.currency_words(), fmt.current_style()
    money = [c for c in COLUMNS if c.endswith("_usd")]
    shown = frame.assign(**{c: style.from_usd(frame[c]) for c in money})
    names = {
        c: t(f"scenario.col.money.{c}", **words) if c in money else t(f"scenario.col.{c}") for c in COLUMNS
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
        t("scenario.value_of_accuracy"), fmt.fmt_usd(voa.usd_per_point_year), help=localize(voa.detail, lang)
    )
    with c2:
        if voa.reason:
            st.caption(for_markdown(localize(voa.reason, lang)))
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
    st.session_state.setdefault("scn_mc_paths", DEFAULT_PATHS)
    st.session_state.setdefault("scn_mc_seed", 0)
    paths = int(
        c1.number_input(
            t("scenario.mc.paths"), min_value=100, max_value=UI_MAX_PATHS, step=1000, key="scn_mc_paths"
        )
    )
    seed = int(
        c2.number_input(t("scenario.mc.seed"), min_value=0, max_value=2**31 - 1, step=1, key="scn_mc_seed")
    )
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
    st.session_state.setdefault("scn_tornado_change", 10)  # a share link may have set it already
    change_pct = st.slider(
        t("scenario.tornado.change"), 5, 50, step=5, key="scn_tornado_change", format="± %d %%"
    )
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


def scenario_value_choice(*, key: str) -> tuple[float, str] | None:
    """Where the Data value page's "value per accuracy point" comes from: typed (None), or the
    active scenario's value of accuracy (USD per point per year, and the scenario's name), with its
    unsaved edits and bound to its run, as the other pages use it.

    The choice is kept in the link (``?value_from=active``; any other value, from older links that
    named a scenario, means the same), so the Scenarios page can link straight to it.
    """
    store = store_or_error()
    if store is None:
        return None
    work = current_work(store)
    labels = {
        "": t("data_value.value_typed"),
        VALUE_FROM_ACTIVE: t("data_value.value_active", name=work.name),
    }
    param = st.query_params.get("value_from")
    if param is not None:
        wanted = VALUE_FROM_ACTIVE if param else ""
    else:  # a click in the sidebar drops the link's parameters: keep this session's choice then
        wanted = str(st.session_state.get(key) or "")
    if wanted not in labels:
        wanted = ""
    if wanted and param != wanted:
        st.query_params["value_from"] = wanted
    if st.session_state.get(key) != wanted:
        st.session_state[key] = wanted

    def _remember() -> None:
        if st.session_state[key]:
            st.query_params["value_from"] = st.session_state[key]
        elif "value_from" in st.query_params:
            del st.query_params["value_from"]

    choice = st.selectbox(
        t("data_value.in.value_from"),
        list(labels),
        format_func=lambda k: for_plain(labels.get(k, k)),
        key=key,
        on_change=_remember,
        help=t("data_value.in.value_from_choice_help"),
    )
    if not choice:
        st.caption(t("data_value.value_typed_note", name=for_markdown(work.name)))
        return None
    try:
        scenario = Scenario.from_dict(work.document)
    except ScenarioError as exc:
        st.warning(t("scenario.invalid") + "\n\n" + "\n".join(f"- {for_markdown(p)}" for p in exc.problems))
        return None
    effective = bound_scenario(store, scenario, work.run_id)
    voa = value_of_accuracy_of(effective.document)
    st.caption(
        t(
            "data_value.value_from_caption",
            value=fmt.fmt_usd(voa.usd_per_point_year),
            name=for_markdown(work.name),
        )
    )
    if voa.usd_per_point_year <= 0:
        st.warning(
            t("data_value.value_from_nonpositive", name=for_markdown(work.name))
            + (f"\n\n{for_markdown(localize(voa.reason, current_language()))}" if voa.reason else "")
        )
        return None
    if voa.reason:
        st.caption(for_markdown(localize(voa.reason, current_language())))
    return float(voa.usd_per_point_year), work.name
