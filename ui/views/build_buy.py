"""The Build vs buy page: your model against a per-call API and the economic-advantage scorecard
(the self-hosted open LLM tab is :mod:`ui.views.build_buy_llm`).

The economics are :mod:`bizmodel.buildbuy` and :mod:`bizmodel.advantage` (pure). This module takes
the active scenario (chosen in the sidebar, ``?scenario=``; with this session's unsaved edits, bound
to its run), reads the typed assumptions, validates them, makes the calls and renders the results with
their provenance. The chart is built by :func:`present.build_buy_figures.own_vs_api_figure` (pure:
data and translated labels in, a plotly figure out).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from bizmodel.advantage import (
    CATEGORIES,
    AdvantageError,
    CompetitorBaseline,
    ScoreItem,
    scorecard,
)
from bizmodel.buildbuy import (
    ApiCosts,
    BreakEven,
    BuildBuyError,
    OwnModelCosts,
    break_even,
    cost_curves,
)
from bizmodel.data_value import DataEconomics, DataValueError, buy_data, current_size
from bizmodel.projection import Kpis
from bizmodel.scenario import Scenario
from bizmodel.scenario_bounds import ScenarioError
from mlcore.specs import RunRecord
from present import format as fmt
from present.build_buy_figures import CostChartLabels, own_vs_api_figure, volume_grid
from present.explain import words
from present.explored import DEFAULT_LABEL_COST_USD
from present.figures import chart_config
from present.page_registry import page_file
from present.report_data import DEFAULT_COMPETITOR_ACCURACY, DEFAULT_COMPETITOR_USD_PER_1000
from present.score_format import format_score_item, score_words
from present.summary import short_id
from safetext import for_markdown
from store import Store
from ui.components.cost_compare import (
    bad,
    break_even_block,
    break_even_point,
    refused,
    show_problems,
    usd_md,
)
from ui.components.learning_curve import load_fit
from ui.components.production import production_caption
from ui.components.scenario_compute import Effective, bound_scenario, projection_of
from ui.components.scenario_work import current_work, param_from_source
from ui.components.widgets import Provenance, badge
from ui.session.i18n import current_language, t

#: Volume axis of the own-model chart, requests per month (log-spaced).
OWN_VOLUMES = (1e3, 1e9)
OWN_GRID_POINTS = 121
DEFAULT_API_USD_PER_1000 = 1.5
DEFAULT_COMPETITOR_ACCURACY_PCT = DEFAULT_COMPETITOR_ACCURACY * 100  # typed in percent


# ---------------------------------------------------------------------- the scenario


@dataclass(frozen=True)
class Chosen:
    """The scenario the page computes with: its name, the effective (bound) scenario, its projection."""

    source: str
    name: str
    effective: Effective
    frame: pd.DataFrame
    kpis: Kpis

    @property
    def scenario(self) -> Scenario:
        """The effective scenario (the run's measurements in place when bound)."""
        return self.effective.scenario

    @property
    def month_volume(self) -> float:
        """Requests in the horizon's last month: active customers × requests per customer."""
        active = float(self.frame["active_customers"].iloc[-1]) if len(self.frame) else 0.0
        return max(active, 0.0) * self.scenario.requests_per_user_month


def active_chosen(store: Store) -> Chosen | None:
    """The active scenario (chosen in the sidebar), with its unsaved edits and bound to its run,
    named above the tabs.

    Returns None after an error when its document does not validate.
    """
    work = current_work(store)
    st.markdown(t("buildbuy.scenario_active", name=for_markdown(work.name)))
    try:
        scenario = Scenario.from_dict(work.document)
    except ScenarioError as exc:
        st.error(t("scenario.invalid") + "\n\n" + "\n".join(f"- {for_markdown(p)}" for p in exc.problems))
        return None
    if work.dirty:
        st.caption(t("buildbuy.draft_used"))
    effective = bound_scenario(store, scenario, work.run_id)
    frame, k = projection_of(effective.document)
    chosen = Chosen(work.source, work.name, effective, frame, k)
    _binding_caption(chosen)
    return chosen


def _binding_caption(chosen: Chosen) -> None:
    """Say whether the run's measurements drive the scenario, with a link to bind one when not."""
    run = chosen.effective.run
    if run is not None and chosen.effective.inputs is not None:
        st.caption(t("buildbuy.bound", name=for_markdown(run.name), id=short_id(run.id)))
    else:
        st.caption(t("buildbuy.unbound"))
        st.page_link(
            page_file("scenarios"),
            label=t("buildbuy.to_scenarios"),
            icon=":material/query_stats:",
            query_params={"scenario": param_from_source(chosen.source)},
        )


# ---------------------------------------------------------------------- tab 1: own model vs API


def _side(side: str | None) -> str:
    """The translated name of a side (``own``, ``api``, ``self_hosted``) of a comparison."""
    return t(f"buildbuy.side.{side}") if side in ("own", "api", "self_hosted") else fmt.MISSING


def own_inputs() -> tuple[float, float, float]:
    """(API $ per 1,000 calls, API fixed $ per month, your operations $ per month), as typed."""
    c1, c2, c3 = st.columns(3)
    price = c1.number_input(
        t("buildbuy.own.api_price"),
        value=DEFAULT_API_USD_PER_1000,
        step=0.1,
        format="%g",
        key="bb_api_per_1000",
        help=t("buildbuy.own.api_price_help"),
    )
    fee = c2.number_input(
        t("buildbuy.own.api_fee"),
        value=0.0,
        step=50.0,
        format="%g",
        key="bb_api_fixed",
        help=t("buildbuy.own.api_fee_help"),
    )
    ops = c3.number_input(
        t("buildbuy.own.ops"),
        value=0.0,
        step=100.0,
        format="%g",
        key="bb_ops",
        help=t("buildbuy.own.ops_help"),
    )
    return float(price), float(fee), float(ops)


def own_problems(price: float, fee: float, ops: float) -> list[str]:
    """What to change in the own-model inputs (translated); empty when they can be priced."""
    problems = []
    if bad(price):
        problems.append(t("buildbuy.bad.api_price"))
    if bad(fee):
        problems.append(t("buildbuy.bad.api_fee"))
    if bad(ops):
        problems.append(t("buildbuy.bad.ops"))
    return problems


def _serving_provenance(chosen: Chosen) -> tuple[Provenance, str]:
    """Measured (run id) when the bound run has a measured serving cost, else assumed, with why."""
    inputs, run = chosen.effective.inputs, chosen.effective.run
    if inputs is not None and run is not None and inputs.serving_usd_per_1000_predictions is not None:
        return Provenance("measured", short_id(run.id)), words(inputs.serving_detail, current_language())
    if inputs is not None:
        return Provenance("assumed", t("buildbuy.prov.scenario")), words(
            inputs.serving_detail, current_language()
        )
    return Provenance("assumed", t("buildbuy.prov.scenario")), t("buildbuy.own.serving_typed")


@dataclass(frozen=True)
class OwnCosts:
    """Both sides priced for the own-model tab: the costs, the break-even, the curves to draw, and
    the costs at the scenario's volume and at the break-even (None where there is none)."""

    own: OwnModelCosts
    api: ApiCosts
    break_even: BreakEven
    curves: pd.DataFrame
    at_volume: pd.Series | None
    at_break_even: pd.Series | None


def _own_costs(chosen: Chosen, price: float, fee: float, ops: float) -> OwnCosts:
    """Price both sides on the chart's volumes (BuildBuyError when the model refuses)."""
    volume = chosen.month_volume
    own = OwnModelCosts.from_scenario(chosen.scenario, ops_usd_month=ops)
    api = ApiCosts(usd_per_1000_calls=price, fixed_usd_month=fee)
    be = break_even(own, api)
    curves = cost_curves(own, api, volume_grid(*OWN_VOLUMES, OWN_GRID_POINTS, volume, be.volume_per_month))
    at_volume = cost_curves(own, api, [volume]).iloc[0] if volume > 0 else None
    at_be = cost_curves(own, api, [be.volume_per_month]).iloc[0] if be.volume_per_month else None
    return OwnCosts(own, api, be, curves, at_volume, at_be)


def _own_metrics(chosen: Chosen, costs: OwnCosts, ops: float) -> None:
    """The break-even, your serving and fixed costs, and the API's price, each with its badge."""
    serving_prov, serving_detail = _serving_provenance(chosen)
    own, api = costs.own, costs.api
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        break_even_block(costs.break_even, ours=t("buildbuy.side.own"), api=t("buildbuy.side.api"))
    with c2:
        st.metric(
            t("buildbuy.own.serving_money", **fmt.currency_words()),
            t("buildbuy.per_1000", value=fmt.fmt_usd(own.serving_usd_per_1000)),
            help=for_markdown(serving_detail),
        )
        badge(serving_prov)
        if serving_prov.kind == "assumed":
            st.caption(for_markdown(serving_detail))
    with c3:
        st.metric(
            t("buildbuy.own.fixed_money", **fmt.currency_words()),
            t("buildbuy.per_month", value=fmt.fmt_usd(own.fixed_usd_month)),
            help=t(
                "buildbuy.own.fixed_help",
                retrain=usd_md(chosen.scenario.retrain_cost_usd),
                every=chosen.scenario.retrain_every_months,
                ops=usd_md(ops),
            ),
        )
        badge(Provenance("assumed", t("buildbuy.prov.scenario")))
    with c4:
        st.metric(
            t("buildbuy.own.api_money", **fmt.currency_words()),
            t("buildbuy.per_1000", value=fmt.fmt_usd(api.usd_per_1000_calls)),
            help=t("buildbuy.own.api_metric_help", fee=usd_md(api.fixed_usd_month)),
        )
        badge(Provenance("assumed", t("buildbuy.prov.typed")))


def _at_volume(chosen: Chosen, costs: OwnCosts) -> tuple[float, float, float] | None:
    """Say what each side costs at the scenario's volume; the chart's marker there (None without)."""
    month = chosen.scenario.horizon_months
    if costs.at_volume is None:
        st.caption(t("buildbuy.own.no_volume", month=month))
        return None
    volume = chosen.month_volume
    marker = (volume, float(costs.at_volume["own_usd_month"]), float(costs.at_volume["api_usd_month"]))
    st.markdown(
        t(
            "buildbuy.own.at_volume",
            volume=fmt.fmt_number(volume),
            month=month,
            own=usd_md(marker[1]),
            api=usd_md(marker[2]),
            cheaper=_side(str(costs.at_volume["cheaper"])),
        )
    )
    return marker


def own_vs_api_tab(chosen: Chosen) -> None:
    """Your model's monthly cost against a per-call API's, the break-even volume and the chart."""
    st.caption(t("buildbuy.own.lead"))
    price, fee, ops = own_inputs()
    if show_problems(own_problems(price, fee, ops)):
        return
    try:
        costs = _own_costs(chosen, price, fee, ops)
    except BuildBuyError as exc:
        refused(exc)
        return
    production_caption(chosen.scenario, chosen.effective.inputs)
    _own_metrics(chosen, costs, ops)
    marker = _at_volume(chosen, costs)
    labels = CostChartLabels(
        title=t("buildbuy.own.chart"),
        volume=t("buildbuy.axis.volume"),
        cost=t("buildbuy.axis.cost_money", **fmt.currency_words()),
        ours=t("buildbuy.side.own"),
        api=t("buildbuy.side.api"),
        break_even=t("buildbuy.break_even"),
        marker=t("buildbuy.own.marker", month=chosen.scenario.horizon_months),
    )
    point = break_even_point(costs.break_even, costs.at_break_even)
    st.plotly_chart(
        own_vs_api_figure(costs.curves, labels, break_even=point, marker=marker),
        key="bb_own_chart",
        config=chart_config("own-model-vs-api"),
    )
    st.caption(t("buildbuy.own.note"))


# ---------------------------------------------------------------------- tab 3: advantage scorecard


@dataclass(frozen=True)
class AdvantageInputs:
    """The scorecard tab's typed inputs (None: not given)."""

    competitor_usd_per_1000: float
    competitor_accuracy_pct: float
    competitor_p95_ms: float | None
    your_p95_ms: float | None
    samples_owned: float | None
    label_cost_usd: float


def advantage_inputs(run: RunRecord | None) -> AdvantageInputs:
    """The competitor baseline, your p95, the samples you own and the label cost, as widgets."""
    st.markdown(t("advantage.competitor"))
    c1, c2, c3 = st.columns(3)
    usd = c1.number_input(
        t("advantage.in.competitor_usd"),
        value=DEFAULT_COMPETITOR_USD_PER_1000,
        step=0.01,
        format="%g",
        key="bb_comp_usd",
        help=t("advantage.in.competitor_usd_help"),
    )
    accuracy = c2.number_input(
        t("advantage.in.competitor_accuracy"),
        value=DEFAULT_COMPETITOR_ACCURACY_PCT,
        step=0.5,
        format="%g",
        key="bb_comp_acc",
    )
    p95 = c3.number_input(
        t("advantage.in.competitor_p95"),
        value=None,
        step=5.0,
        format="%g",
        key="bb_comp_p95",
        placeholder=t("advantage.in.unknown"),
        help=t("advantage.in.competitor_p95_help"),
    )
    badge(Provenance("assumed", t("buildbuy.prov.typed")))
    st.markdown(t("advantage.yours"))
    d1, d2, d3 = st.columns(3)
    your_p95 = d1.number_input(
        t("advantage.in.your_p95"),
        value=None,
        step=1.0,
        format="%g",
        key="bb_your_p95",
        placeholder=t("advantage.in.from_run"),
        help=t("advantage.in.your_p95_help"),
    )
    samples = d2.number_input(
        t("advantage.in.samples"),
        value=run.n_train if run is not None and run.n_train else None,
        step=1000,
        key=f"bb_samples_{run.id if run is not None else 'none'}",
        placeholder=t("advantage.in.unknown"),
        help=t("advantage.in.samples_help"),
    )
    label_cost = d3.number_input(
        t("advantage.in.label_cost"),
        value=DEFAULT_LABEL_COST_USD,
        step=0.01,
        format="%g",
        key="bb_label_cost",
        help=t("advantage.in.label_cost_help"),
    )
    return AdvantageInputs(
        float(usd),
        float(accuracy),
        None if p95 is None else float(p95),
        None if your_p95 is None else float(your_p95),
        None if samples is None else float(samples),
        float(label_cost),
    )


def advantage_problems(inputs: AdvantageInputs) -> list[str]:
    """What to change in the scorecard inputs (translated); empty when they can be scored."""
    problems = []
    if bad(inputs.competitor_usd_per_1000):
        problems.append(t("advantage.bad.competitor_usd"))
    if bad(inputs.competitor_accuracy_pct) or inputs.competitor_accuracy_pct > 100:
        problems.append(t("advantage.bad.competitor_accuracy"))
    for value, key in ((inputs.competitor_p95_ms, "competitor_p95"), (inputs.your_p95_ms, "your_p95")):
        if value is not None and bad(value, positive=True):
            problems.append(t(f"advantage.bad.{key}"))
    if inputs.samples_owned is not None and (
        bad(inputs.samples_owned) or not float(inputs.samples_owned).is_integer()
    ):
        problems.append(t("advantage.bad.samples"))
    if bad(inputs.label_cost_usd, positive=True):
        problems.append(t("advantage.bad.label_cost"))
    return problems


def accuracy_gain_per_1000(run: RunRecord | None, label_cost_usd: float) -> tuple[float | None, str]:
    """Accuracy points that $1,000 of labels buys on the run's learning-curve fit, and how (or why not).

    $1,000 buys ``1000 / label_cost_usd`` samples on top of the run's training set
    (:func:`bizmodel.data_value.buy_data`).
    """
    amount = for_markdown(score_words()["amount"])  # $1,000 in the display currency
    if run is None:
        return None, t("advantage.gain.no_run", amount=amount)
    try:
        _, fit = load_fit(run)
        current = current_size(fit, run.n_train)
        econ = DataEconomics(
            value_usd_per_point_per_year=1.0, label_cost_usd_per_sample=label_cost_usd, current_n=current
        )
        purchase = buy_data(fit, econ, int(1000.0 / label_cost_usd))
    except DataValueError as exc:
        reason = for_markdown(words(exc, current_language()))
        return None, t("advantage.gain.no_fit", amount=amount, reason=reason)
    return purchase.gain_points, t(
        "advantage.gain.from_fit",
        amount=amount,
        samples=fmt.fmt_int(purchase.extra_samples),
        cost=usd_md(label_cost_usd),
        current=fmt.fmt_int(current),
        gain=f"{purchase.gain_points:.3g}",
        id=short_id(run.id),
    )


def format_item(item: ScoreItem) -> str:
    """The item's value with its unit (translated), or the missing mark."""
    return format_score_item(item, current_language())


def _indicator(item: ScoreItem) -> str | None:
    """Advantage / drawback / informational, as coloured Markdown; None when there is no value."""
    if item.value is None:
        return None
    if item.favourable is True:
        return t("advantage.favourable")
    if item.favourable is False:
        return t("advantage.unfavourable")
    return t("advantage.informational")


def _item_provenance(item: ScoreItem, chosen: Chosen) -> Provenance:
    """The badge of a scorecard figure: the run for measured ones, the scenario or your input else."""
    run = chosen.effective.run
    if item.provenance == "measured":
        return Provenance("measured", short_id(run.id) if run is not None else "")
    if item.key == "samples_owned":
        return Provenance(item.provenance, t("buildbuy.prov.typed"))
    return Provenance(item.provenance, t("buildbuy.prov.scenario"))


def score_item(item: ScoreItem, chosen: Chosen) -> None:
    """One figure: metric with unit and detail as help, the indicator, its badge, and why when undefined."""
    key = f"advantage.item.{item.key}"
    label = t(key, **score_words())
    if label == f"[{key}]":  # an item this page has no translation for yet
        label = item.label
    lang = current_language()
    st.metric(label, format_item(item), help=for_markdown(words(item.detail, lang)))
    indicator = _indicator(item)
    if indicator is not None:
        st.markdown(indicator)
        badge(_item_provenance(item, chosen))
    if item.reason:
        st.caption(for_markdown(words(item.reason, lang)))


def advantage_tab(chosen: Chosen) -> None:
    """The four kinds of economic advantage against a competitor, each figure with its provenance."""
    st.caption(t("advantage.lead"))
    run = chosen.effective.run
    inputs = advantage_inputs(run)
    if show_problems(advantage_problems(inputs)):
        return
    gain, gain_line = accuracy_gain_per_1000(run, inputs.label_cost_usd)
    try:
        competitor = CompetitorBaseline(
            usd_per_1000_predictions=inputs.competitor_usd_per_1000,
            accuracy=inputs.competitor_accuracy_pct / 100.0,
            p95_latency_ms=inputs.competitor_p95_ms,
        )
        items = scorecard(
            chosen.scenario,
            chosen.kpis,
            competitor=competitor,
            run=chosen.effective.inputs,
            p95_latency_ms=inputs.your_p95_ms,
            samples_owned=None if inputs.samples_owned is None else int(inputs.samples_owned),
            accuracy_gain_points_per_usd_1000=gain,
        )
    except AdvantageError as exc:
        refused(exc)
        return
    favourable = sum(1 for i in items if i.favourable is True)
    judged = sum(1 for i in items if i.favourable is not None)
    st.markdown(t("advantage.tally", favourable=favourable, judged=judged))
    columns = st.columns(len(CATEGORIES))
    for column, category in zip(columns, CATEGORIES, strict=True):
        with column, st.container(border=True):
            st.subheader(t(f"advantage.category.{category}"))
            st.caption(t(f"advantage.category.{category}.about"))
            for item in (i for i in items if i.category == category):
                score_item(item, chosen)
            if category == "data":
                st.caption(gain_line)
