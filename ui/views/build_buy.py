"""The Build vs buy page: your model against a per-call API, a self-hosted open LLM against paid LLM
APIs, and the economic-advantage scorecard.

The economics are :mod:`bizmodel.buildbuy` and :mod:`bizmodel.advantage` (pure). This module takes
the active scenario (chosen in the sidebar, ``?scenario=``; with this session's unsaved edits, bound
to its run), reads the typed assumptions, validates them, makes the calls and renders the results with
their provenance. The figure builders (:func:`own_vs_api_figure`, :func:`llm_figure`) are pure: data
and translated labels in, a plotly figure out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
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
    LlmWorkload,
    OwnModelCosts,
    break_even,
    cost_curves,
    fine_tune_cost_usd,
    llm_break_even,
    llm_cost_curves,
    load_api_prices,
    read_api_prices,
    self_hosted_options,
)
from bizmodel.catalog import Catalog
from bizmodel.data_value import DataEconomics, DataValueError, buy_data, current_size
from bizmodel.llm_serving import DEFAULT_TPOT_MS
from bizmodel.projection import Kpis
from bizmodel.scenario import Scenario
from bizmodel.scenario_bounds import ScenarioError
from bizmodel.shapes import INFERRED_KEY, bundled_shapes, shape_for
from mlcore.specs import RunRecord
from present import format as fmt
from present.explain import words
from present.explored import DEFAULT_LABEL_COST_USD
from present.figures import TEMPLATE_NAME, chart_config, count_log_ticks, money_axis
from present.page_registry import page_file
from present.report_data import DEFAULT_COMPETITOR_ACCURACY, DEFAULT_COMPETITOR_USD_PER_1000
from present.score_format import format_score_item, score_words
from present.summary import short_id
from present.tables import csv_bytes, plain_table
from present.theme import PALETTE
from safetext import for_chart, for_markdown, for_plain
from store import Store
from ui.components.catalog import catalog_provenance
from ui.components.learning_curve import load_fit
from ui.components.production import production_caption
from ui.components.scenario_compute import Effective, bound_scenario, projection_of
from ui.components.scenario_work import current_work, param_from_source
from ui.components.widgets import Provenance, badge
from ui.session.i18n import current_language, t

#: Volume axis of the own-model chart, requests per month (log-spaced).
OWN_VOLUMES = (1e3, 1e9)
#: Volume axis of the LLM chart, requests per month (log-spaced; dense, the self-hosted side steps).
LLM_VOLUMES = (1e3, 1e10)
OWN_GRID_POINTS = 121
LLM_GRID_POINTS = 481
INFERRED = INFERRED_KEY
"""The model-shape choice that infers the layers from the parameters."""
DEFAULT_API_USD_PER_1000 = 1.5
DEFAULT_API_MODEL = ("openai", "gpt-4o-mini")
DEFAULT_COMPETITOR_ACCURACY_PCT = DEFAULT_COMPETITOR_ACCURACY * 100  # typed in percent


# ---------------------------------------------------------------------- pure figure builders


@dataclass(frozen=True)
class CostChartLabels:
    """Translated texts of a monthly-cost-against-volume chart."""

    title: str
    volume: str
    cost: str
    ours: str
    api: str
    break_even: str
    marker: str = ""


def volume_grid(low: float, high: float, points: int, *extra: float | None) -> np.ndarray:
    """Log-spaced volumes from ``low`` to ``high`` (widened to 3 × the largest ``extra``), with every
    positive ``extra`` volume included, sorted and unique.

    >>> volume_grid(1e3, 1e5, 3, 5e3, None).tolist()
    [1000.0, 5000.0, 10000.0, 100000.0]
    >>> float(volume_grid(1e3, 1e5, 3, 1e6).max())
    3000000.0
    """
    marks = [float(v) for v in extra if v is not None and math.isfinite(v) and v > 0]
    top = max([high, *(3.0 * v for v in marks)])
    return np.unique(np.concatenate([np.geomspace(low, top, points), marks]))


def _positive(values: Sequence[float] | np.ndarray) -> bool:
    """Whether every value is finite and above 0 (a log axis can show them all)."""
    array = np.asarray(values, dtype=float)
    return bool(array.size and np.all(np.isfinite(array)) and np.all(array > 0))


def _cost_figure(
    curves: pd.DataFrame,
    ours_column: str,
    labels: CostChartLabels,
    *,
    step: bool,
    break_even: tuple[float, float] | None,
    marker: tuple[float, float, float] | None,
) -> go.Figure:
    money = money_axis()
    volume = curves["volume_per_month"].to_numpy(dtype=float)
    ours = money.values(curves[ours_column])
    api = money.values(curves["api_usd_month"])
    fig = go.Figure()
    for ys, name, colour, shape in (
        (ours, labels.ours, PALETTE[0], "hv" if step else "linear"),
        (api, labels.api, PALETTE[1], "linear"),
    ):
        fig.add_trace(
            go.Scatter(
                x=volume,
                y=ys,
                mode="lines",
                name=for_chart(name),
                line={"color": colour, "width": 2.5, "shape": shape},
                hovertemplate=money.hover("y"),
            )
        )
    plotted = [ours, api]
    if marker is not None:
        x, ours_usd, api_usd = marker
        ys = money.values([ours_usd, api_usd])
        fig.add_trace(
            go.Scatter(
                x=[x, x],
                y=ys,
                mode="lines+markers",
                name=for_chart(labels.marker),
                line={"color": PALETTE[2], "dash": "dot"},
                marker={"size": 9, "symbol": "line-ew-open"},
                hovertemplate=money.hover("y"),
            )
        )
        plotted.append(ys)
    if break_even is not None:
        x, usd = break_even
        fig.add_trace(
            go.Scatter(
                x=[x],
                y=money.values([usd]),
                mode="markers",
                name=for_chart(labels.break_even),
                marker={"color": PALETTE[3], "size": 13, "symbol": "diamond"},
                hovertemplate=money.hover("y"),
            )
        )
    log_y = _positive(np.concatenate(plotted))
    fig.update_layout(
        template=TEMPLATE_NAME,
        title=for_chart(labels.title),
        xaxis={
            "title": for_chart(labels.volume),
            "type": "log",
            "hoverformat": ",.3~r",
            **count_log_ticks(volume),
        },
        yaxis={
            "title": for_chart(labels.cost),
            "type": "log" if log_y else "linear",
            **(money.log_ticks() if log_y else money.ticks),
        },
        height=440,
    )
    if not log_y:
        fig.update_yaxes(rangemode="tozero")
    return fig


def own_vs_api_figure(
    curves: pd.DataFrame,
    labels: CostChartLabels,
    *,
    break_even: tuple[float, float] | None = None,
    marker: tuple[float, float, float] | None = None,
) -> go.Figure:
    """Monthly cost of your own model and of the API against volume (log x; log y when every cost is
    positive), the break-even point as a diamond and, when given, your volume as a segment between
    the two costs there. Costs are given in USD and drawn in the display currency.

    Parameters
    ----------
    curves : pandas.DataFrame
        From :func:`bizmodel.buildbuy.cost_curves` (``volume_per_month``, ``own_usd_month``,
        ``api_usd_month``).
    labels : CostChartLabels
        Translated texts (escaped here: they may hold names typed by users).
    break_even : tuple of float or None
        (volume per month, $ per month) where the curves cross.
    marker : tuple of float or None
        (volume per month, own $ per month, API $ per month) at the scenario's volume.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    return _cost_figure(curves, "own_usd_month", labels, step=False, break_even=break_even, marker=marker)


def llm_figure(
    curves: pd.DataFrame, labels: CostChartLabels, *, break_even: tuple[float, float] | None = None
) -> go.Figure:
    """Monthly cost of self-hosting (a step per instance added) against the API's line (log x), given
    in USD and drawn in the display currency.

    Parameters
    ----------
    curves : pandas.DataFrame
        From :func:`bizmodel.buildbuy.llm_cost_curves` (``volume_per_month``,
        ``self_hosted_usd_month``, ``api_usd_month``).
    labels : CostChartLabels
        Translated texts (escaped here: instance and model names may come from uploads).
    break_even : tuple of float or None
        (volume per month, $ per month) from which self-hosting first costs no more.

    Returns
    -------
    plotly.graph_objects.Figure
    """
    return _cost_figure(
        curves, "self_hosted_usd_month", labels, step=True, break_even=break_even, marker=None
    )


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


# ---------------------------------------------------------------------- shared helpers


def _bad(value: float | None, *, positive: bool = False) -> bool:
    """True when ``value`` is missing, not finite, negative, or (``positive``) zero."""
    if value is None or not math.isfinite(float(value)):
        return True
    return value < 0 or (positive and value == 0)


def _show_problems(problems: list[str]) -> bool:
    """Show each problem as an error; True when there were any."""
    for problem in problems:
        st.error(problem, icon=":material/error:")
    return bool(problems)


def _side(side: str | None) -> str:
    """The translated name of a side (``own``, ``api``, ``self_hosted``) of a comparison."""
    return t(f"buildbuy.side.{side}") if side in ("own", "api", "self_hosted") else fmt.MISSING


def _usd_md(value: float | None) -> str:
    """Dollars for Markdown text (escaped, so two amounts never read as a LaTeX formula)."""
    return for_markdown(fmt.fmt_usd(value))


def _requests(volume: float | None) -> str:
    """A monthly volume with its unit, e.g. ``2.3M requests/month``."""
    return t("buildbuy.requests_month", volume=fmt.fmt_number(volume))


def _break_even_block(be: BreakEven, *, ours: str, api: str) -> None:
    """The break-even metric and the sentence that says which side is cheaper where (or why none)."""
    if be.volume_per_month is not None and be.volume_per_month < 1.0:
        st.metric(t("buildbuy.break_even"), t("buildbuy.below_one"), help=t("buildbuy.break_even_help"))
        side = ours if be.cheaper_above != "api" else api
        st.markdown(t("buildbuy.below_one_sentence", side=side, volume=fmt.fmt_number(be.volume_per_month)))
        return
    if be.volume_per_month is not None:
        st.metric(
            t("buildbuy.break_even"), _requests(be.volume_per_month), help=t("buildbuy.break_even_help")
        )
        st.markdown(
            t(
                "buildbuy.sentence",
                volume=fmt.fmt_number(be.volume_per_month),
                below=api if be.cheaper_below == "api" else ours,
                above=ours if be.cheaper_above != "api" else api,
            )
        )
        return
    st.metric(t("buildbuy.break_even"), t("buildbuy.none"), help=t("buildbuy.break_even_help"))
    if be.cheaper_above is None:
        st.markdown(t("buildbuy.same_everywhere"))
    else:
        st.markdown(t("buildbuy.always_cheaper", side=api if be.cheaper_above == "api" else ours))
    if be.reason:
        st.caption(t("buildbuy.reason", reason=for_markdown(words(be.reason, current_language()))))


# ---------------------------------------------------------------------- tab 1: own model vs API


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
    if _bad(price):
        problems.append(t("buildbuy.bad.api_price"))
    if _bad(fee):
        problems.append(t("buildbuy.bad.api_fee"))
    if _bad(ops):
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


def own_vs_api_tab(chosen: Chosen) -> None:
    """Your model's monthly cost against a per-call API's, the break-even volume and the chart."""
    st.caption(t("buildbuy.own.lead"))
    price, fee, ops = own_inputs()
    if _show_problems(own_problems(price, fee, ops)):
        return
    volume = chosen.month_volume
    try:
        own = OwnModelCosts.from_scenario(chosen.scenario, ops_usd_month=ops)
        api = ApiCosts(usd_per_1000_calls=price, fixed_usd_month=fee)
        be = break_even(own, api)
        curves = cost_curves(
            own, api, volume_grid(*OWN_VOLUMES, OWN_GRID_POINTS, volume, be.volume_per_month)
        )
        at_volume = cost_curves(own, api, [volume]).iloc[0] if volume > 0 else None
        at_be = cost_curves(own, api, [be.volume_per_month]).iloc[0] if be.volume_per_month else None
    except BuildBuyError as exc:
        st.error(t("buildbuy.refused", reason=for_markdown(str(exc))), icon=":material/error:")
        return
    serving_prov, serving_detail = _serving_provenance(chosen)
    production_caption(chosen.scenario, chosen.effective.inputs)
    typed = Provenance("assumed", t("buildbuy.prov.typed"))
    ours, theirs = t("buildbuy.side.own"), t("buildbuy.side.api")
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        _break_even_block(be, ours=ours, api=theirs)
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
                retrain=_usd_md(chosen.scenario.retrain_cost_usd),
                every=chosen.scenario.retrain_every_months,
                ops=_usd_md(ops),
            ),
        )
        badge(Provenance("assumed", t("buildbuy.prov.scenario")))
    with c4:
        st.metric(
            t("buildbuy.own.api_money", **fmt.currency_words()),
            t("buildbuy.per_1000", value=fmt.fmt_usd(api.usd_per_1000_calls)),
            help=t("buildbuy.own.api_metric_help", fee=_usd_md(api.fixed_usd_month)),
        )
        badge(typed)
    marker = None
    if at_volume is not None:
        marker = (volume, float(at_volume["own_usd_month"]), float(at_volume["api_usd_month"]))
        st.markdown(
            t(
                "buildbuy.own.at_volume",
                volume=fmt.fmt_number(volume),
                month=chosen.scenario.horizon_months,
                own=_usd_md(marker[1]),
                api=_usd_md(marker[2]),
                cheaper=_side(str(at_volume["cheaper"])),
            )
        )
    else:
        st.caption(t("buildbuy.own.no_volume", month=chosen.scenario.horizon_months))
    labels = CostChartLabels(
        title=t("buildbuy.own.chart"),
        volume=t("buildbuy.axis.volume"),
        cost=t("buildbuy.axis.cost_money", **fmt.currency_words()),
        ours=ours,
        api=theirs,
        break_even=t("buildbuy.break_even"),
        marker=t("buildbuy.own.marker", month=chosen.scenario.horizon_months),
    )
    point = None if at_be is None else (float(be.volume_per_month or 0), float(at_be["api_usd_month"]))
    st.plotly_chart(
        own_vs_api_figure(curves, labels, break_even=point, marker=marker),
        key="bb_own_chart",
        config=chart_config("own-model-vs-api"),
    )
    st.caption(t("buildbuy.own.note"))


# ---------------------------------------------------------------------- tab 2: open LLM vs API


@dataclass(frozen=True)
class LlmInputs:
    """The LLM tab's typed inputs, as entered (validated by :func:`llm_problems`).

    ``active_billions`` is None for a dense model; ``model`` a bundled shape's key or None (inferred);
    ``tpot_target_ms`` the time per output token target.
    """

    params_billions: float
    input_tokens: float
    output_tokens: float
    bytes_per_param: float
    tpot_target_ms: float
    mfu_pct: float
    bandwidth_pct: float
    utilisation_pct: float
    fine_tune_tokens_millions: float
    method: str
    amortise_months: float
    active_billions: float | None = None
    model: str | None = None


def _apply_llm_shape() -> None:
    """When a bundled model is chosen, fill its parameter counts in (billions)."""
    key = st.session_state.get("bb_llm_model")
    if key and key != INFERRED:
        shape = shape_for(key)
        st.session_state["bb_llm_params_b"] = shape.total_params / 1e9
        st.session_state["bb_llm_active_b"] = shape.active_params / 1e9


def llm_inputs() -> LlmInputs:
    """The model, request size, serving assumptions and fine-tuning, as widgets with keys."""
    names = {s.key: s.name for s in bundled_shapes()}
    m1, m2, m3 = st.columns([2, 1, 1])
    model = m1.selectbox(
        t("buildbuy.llm.model"),
        [INFERRED, *names],
        format_func=lambda k: t("compute.shape.inferred") if k == INFERRED else names[k],
        key="bb_llm_model",
        on_change=_apply_llm_shape,
        help=t("buildbuy.llm.model_help"),
    )
    params = m2.number_input(
        t("buildbuy.llm.params"), value=8.0, step=1.0, format="%g", key="bb_llm_params_b"
    )
    active = m3.number_input(
        t("buildbuy.llm.active"),
        value=None,
        step=1.0,
        format="%g",
        key="bb_llm_active_b",
        placeholder=t("compute.active_placeholder"),
        help=t("compute.help.active"),
    )
    c1, c2, c3, c4 = st.columns(4)
    tokens_in = c1.number_input(
        t("buildbuy.llm.input"), value=1000.0, step=100.0, format="%g", key="bb_llm_in"
    )
    tokens_out = c2.number_input(
        t("buildbuy.llm.output"), value=300.0, step=50.0, format="%g", key="bb_llm_out"
    )
    width = c3.selectbox(
        t("buildbuy.llm.bytes"),
        (2, 1),
        format_func=lambda b: t(f"buildbuy.llm.bytes_{b}"),
        key="bb_llm_bytes",
        help=t("buildbuy.llm.bytes_help"),
    )
    tpot = c4.number_input(
        t("buildbuy.llm.tpot"),
        value=DEFAULT_TPOT_MS,
        step=10.0,
        format="%g",
        key="bb_llm_tpot",
        help=t("buildbuy.llm.tpot_help"),
    )
    with st.expander(t("buildbuy.llm.assumptions"), icon=":material/tune:"):
        e1, e2, e3 = st.columns(3)
        mfu = e1.slider(
            t("buildbuy.llm.mfu"),
            1,
            100,
            40,
            key="bb_llm_mfu",
            format="%d %%",
            help=t("buildbuy.llm.mfu_help"),
        )
        bandwidth = e2.slider(
            t("buildbuy.llm.bandwidth"),
            1,
            100,
            60,
            key="bb_llm_bw",
            format="%d %%",
            help=t("buildbuy.llm.bandwidth_help"),
        )
        utilisation = e3.slider(
            t("buildbuy.llm.utilisation"),
            1,
            100,
            50,
            key="bb_llm_util",
            format="%d %%",
            help=t("buildbuy.llm.utilisation_help"),
        )
        f1, f2, f3 = st.columns(3)
        ft_tokens = f1.number_input(
            t("buildbuy.llm.ft_tokens"),
            value=50.0,
            step=10.0,
            format="%g",
            key="bb_ft_tokens_m",
            help=t("buildbuy.llm.ft_tokens_help"),
        )
        method = f2.selectbox(
            t("buildbuy.llm.ft_method"),
            ("adapter", "full"),
            format_func=lambda m: t(f"buildbuy.llm.ft_{m}"),
            key="bb_ft_method",
        )
        months = f3.number_input(t("buildbuy.llm.ft_months"), value=12, step=1, key="bb_ft_months")
    return LlmInputs(
        float(params),
        float(tokens_in),
        float(tokens_out),
        float(width),
        float(tpot),
        float(mfu),
        float(bandwidth),
        float(utilisation),
        float(ft_tokens),
        str(method),
        float(months),
        None if active is None else float(active),
        None if model == INFERRED else str(model),
    )


def llm_problems(inputs: LlmInputs) -> list[str]:
    """What to change in the LLM inputs (translated); empty when they can be priced."""
    problems = []
    if _bad(inputs.params_billions, positive=True):
        problems.append(t("buildbuy.bad.params"))
    if _bad(inputs.input_tokens) or _bad(inputs.output_tokens):
        problems.append(t("buildbuy.bad.tokens"))
    elif inputs.input_tokens + inputs.output_tokens == 0:
        problems.append(t("buildbuy.bad.tokens_zero"))
    if inputs.active_billions is not None and _bad(inputs.active_billions, positive=True):
        problems.append(t("buildbuy.bad.active"))
    elif inputs.active_billions is not None and inputs.active_billions > inputs.params_billions:
        problems.append(t("buildbuy.bad.active_above_total"))
    if _bad(inputs.tpot_target_ms, positive=True):
        problems.append(t("buildbuy.bad.tpot"))
    if _bad(inputs.fine_tune_tokens_millions):
        problems.append(t("buildbuy.bad.ft_tokens"))
    if _bad(inputs.amortise_months, positive=True) or not float(inputs.amortise_months).is_integer():
        problems.append(t("buildbuy.bad.ft_months"))
    return problems


def workload_of(inputs: LlmInputs) -> LlmWorkload:
    """The :class:`~bizmodel.buildbuy.LlmWorkload` of valid inputs (BuildBuyError when it refuses)."""
    return LlmWorkload(
        params=inputs.params_billions * 1e9,
        input_tokens_per_request=inputs.input_tokens,
        output_tokens_per_request=inputs.output_tokens,
        bytes_per_param=int(inputs.bytes_per_param),
        mfu=inputs.mfu_pct / 100.0,
        bandwidth_efficiency=inputs.bandwidth_pct / 100.0,
        utilisation=inputs.utilisation_pct / 100.0,
        active_params=None if inputs.active_billions is None else inputs.active_billions * 1e9,
        model=inputs.model,
        tpot_target_ms=inputs.tpot_target_ms,
    )


@st.cache_data(max_entries=1, show_spinner=False)
def _bundled_prices() -> pd.DataFrame:
    """The bundled LLM API price list (parsed once per process)."""
    return load_api_prices()


#: Instance rows kept per hardware configuration (accelerator × count) for the self-hosted table:
#: the cheapest ones (the others cost more for the same throughput).
LLM_ROWS_PER_CONFIG = 3
#: The most instance rows the self-hosted table prices (a user catalog may hold 20,000).
LLM_MAX_ROWS = 400


def llm_candidates(catalog: Catalog) -> Catalog:
    """``catalog`` itself when it has at most :data:`LLM_MAX_ROWS` current rows with an
    accelerator; else a copy with the instance rows that can make the self-hosted table: the
    :data:`LLM_ROWS_PER_CONFIG` cheapest (on-demand) of each accelerator × count, and of those at
    most :data:`LLM_MAX_ROWS` — the cheapest per GiB of accelerator memory an hour, so the rows
    that fit a large model stay. The same throughput at a higher price is never the better
    option, so the cheapest option of every configuration is kept, and the ranking costs the same
    on a 20,000-row catalog as on one of a few hundred rows."""
    rows = catalog.instances
    current = rows[(rows["status"] == "current") & rows["accelerator"].astype(str).str.len().gt(0)]
    if len(current) <= LLM_MAX_ROWS:
        return catalog
    price = pd.to_numeric(current["on_demand_usd_per_hour"], errors="coerce")
    current = current.assign(_price=price)[price.notna()]
    by_price = current.sort_values("_price", kind="stable")
    per_config = by_price.groupby(["accelerator", "count"], sort=False).head(LLM_ROWS_PER_CONFIG)
    if len(per_config) > LLM_MAX_ROWS:
        memory = catalog.accelerators.set_index("accelerator")["memory_gib"]
        gib = per_config["accelerator"].map(memory).astype(float) * per_config["count"].astype(float)
        per_gib = per_config["_price"] / gib.where(gib > 0)
        ranked = per_config.assign(_per_gib=per_gib).sort_values(
            "_per_gib", kind="stable", na_position="last"
        )
        per_config = ranked.head(LLM_MAX_ROWS).drop(columns="_per_gib")
    kept = per_config.drop(columns="_price").sort_index()
    return Catalog(instances=kept, accelerators=catalog.accelerators, name=catalog.name)


@st.cache_data(max_entries=32, show_spinner=False)
def _options_of(workload: tuple[Any, ...], catalog_version: str, _catalog: Catalog) -> pd.DataFrame:
    """Self-hosted options of a workload (its field values) on a catalog (cached by version),
    priced on :func:`llm_candidates`."""
    del catalog_version  # cache key only
    return self_hosted_options(LlmWorkload(*workload), llm_candidates(_catalog))


@st.cache_data(max_entries=32, show_spinner=False)
def _fine_tune(
    params: float,
    tokens: float,
    method: str,
    *,
    active: float | None,
    model: str | None,
    catalog_version: str,
    _catalog: Catalog,
) -> float:
    """USD of the cheapest feasible fine-tuning on a catalog (cached by version); BuildBuyError if none."""
    del catalog_version  # cache key only
    return fine_tune_cost_usd(
        params,
        tokens,
        _catalog,
        method="full" if method == "full" else "adapter",
        active_params=active,
        model=model,
    )


def price_list() -> tuple[pd.DataFrame, bool]:
    """The API price list: an uploaded CSV when one is given and valid, else the bundled one.

    Returns the list and whether it is the user's upload. A broken upload is explained (file, line,
    column) with an error, and the bundled list is used.
    """
    upload = st.file_uploader(
        t("buildbuy.llm.upload"), type=["csv"], key="bb_prices_upload", help=t("buildbuy.llm.upload_help")
    )
    st.download_button(
        t("buildbuy.llm.download"),
        data=lambda: csv_bytes(_bundled_prices(), index=False),
        file_name="llm_api_prices.csv",
        mime="text/csv",
        on_click="ignore",
        key="bb_prices_download",
        help=t("buildbuy.llm.download_help"),
    )
    if upload is not None:
        try:
            return read_api_prices(upload.getvalue(), name=upload.name), True
        except BuildBuyError as exc:
            st.error(t("buildbuy.llm.bad_upload", reason=for_markdown(str(exc))), icon=":material/error:")
    return _bundled_prices(), False


def _api_key(row: pd.Series) -> str:
    """A price row's name: ``provider · model`` (unique in a validated list)."""
    return f"{row['provider']} · {row['model']}"


def _per_1000_requests(prices: pd.DataFrame | pd.Series, workload: LlmWorkload) -> Any:
    """API $ per 1,000 requests of ``workload`` (a column for a price list, a number for one row)."""
    return (
        workload.input_tokens_per_request * prices["input_usd_per_1m_tokens"]
        + workload.output_tokens_per_request * prices["output_usd_per_1m_tokens"]
    ) / 1000.0


def pick_api(prices: pd.DataFrame, workload: LlmWorkload) -> pd.Series | None:
    """Filter the price list, show it, and pick one model (gpt-4o-mini by default)."""
    query = st.text_input(
        t("buildbuy.llm.filter"), key="bb_api_filter", placeholder=t("buildbuy.llm.filter_placeholder")
    )
    shown = prices
    if query.strip():
        needle = query.strip().lower()
        mask = prices["provider"].str.lower().str.contains(needle, regex=False) | prices[
            "model"
        ].str.lower().str.contains(needle, regex=False)
        shown = prices[mask]
    if shown.empty:
        st.info(t("buildbuy.llm.no_match", query=for_markdown(query)))
        return None
    words = fmt.currency_words()
    per_1m_in, per_1m_out = (
        t("buildbuy.col.per_1m_in_money", **words),
        t("buildbuy.col.per_1m_out_money", **words),
    )
    per_request = t("buildbuy.col.per_1000_requests_money", **words)
    style = fmt.current_style()
    st.dataframe(
        plain_table(
            pd.DataFrame(
                {
                    t("buildbuy.col.provider"): shown["provider"],
                    t("buildbuy.col.model"): shown["model"],
                    per_1m_in: style.from_usd(shown["input_usd_per_1m_tokens"]),
                    per_1m_out: style.from_usd(shown["output_usd_per_1m_tokens"]),
                    per_request: style.from_usd(_per_1000_requests(shown, workload)),
                    t("buildbuy.col.as_of"): shown["as_of"],
                    t("buildbuy.col.source"): shown["source"],
                }
            )
        ),
        hide_index=True,
        height=240,
        column_config={
            per_1m_in: st.column_config.NumberColumn(format=fmt.money_printf(3)),
            per_1m_out: st.column_config.NumberColumn(format=fmt.money_printf(3)),
            per_request: st.column_config.NumberColumn(format=fmt.money_printf(4)),
        },
        key="bb_api_table",
    )
    rows = {_api_key(row): row for _, row in shown.iterrows()}
    default = " · ".join(DEFAULT_API_MODEL)
    key = "bb_api_model"
    if st.session_state.get(key) not in rows:
        st.session_state[key] = default if default in rows else next(iter(rows))
    choice = st.selectbox(t("buildbuy.llm.api_model"), list(rows), format_func=for_plain, key=key)
    return rows[choice]


def _option_key(row: pd.Series) -> str:
    """A self-hosted option's identity in the catalog: provider, instance type and region."""
    return f"{row['provider']}|{row['instance_type']}|{row['region']}"


def options_table(options: pd.DataFrame) -> pd.DataFrame:
    """The self-hosted options for display, units in the column names (fits first, as given); money
    in the display currency."""
    words, style = fmt.currency_words(), fmt.current_style()
    fits = options["fits_in_memory"].astype(bool)
    return pd.DataFrame(
        {
            t("buildbuy.col.instance"): options["instance"] + " · " + options["region"],
            t("buildbuy.col.accelerator"): options["count"].astype(str) + " × " + options["accelerator"],
            t("buildbuy.col.per_hour_money", **words): style.from_usd(options["usd_per_hour"]),
            t("buildbuy.col.batch"): [
                f"{int(b)} · {t(f'buildbuy.batch_reason.{r}')}" if b else t("buildbuy.batch_reason.no_fit")
                for b, r in zip(options["batch"], options["batch_reason"], strict=True)
            ],
            t("buildbuy.col.output_rate"): options["output_tokens_per_second"].where(fits).round(0),
            t("buildbuy.col.input_rate"): options["input_tokens_per_second"].where(fits).round(0),
            t("buildbuy.col.tpot"): options["tpot_ms"].where(fits).round(1),
            t("buildbuy.col.per_1m_in_money", **words): style.from_usd(options["usd_per_1m_input_tokens"]),
            t("buildbuy.col.per_1m_out_money", **words): style.from_usd(options["usd_per_1m_output_tokens"]),
            t("buildbuy.col.per_1000_requests_money", **words): style.from_usd(
                options["usd_per_request"] * 1000.0
            ),
            t("buildbuy.col.memory"): [
                f"{need:,.1f} / {have:,.0f}"
                for need, have in zip(
                    options["memory_needed_gib"], options["memory_available_gib"], strict=True
                )
            ],
            t("buildbuy.col.fits"): options["fits_in_memory"],
            t("buildbuy.col.as_of"): options["as_of"],
        }
    )


def pick_option(options: pd.DataFrame, catalog: Catalog) -> pd.Series | None:
    """Show the self-hosted options (fits first) and pick one that fits (the cheapest by default)."""
    money = {
        t(f"buildbuy.col.{c}_money", **fmt.currency_words()): st.column_config.NumberColumn(
            format=fmt.money_printf(decimals)
        )
        for c, decimals in (("per_hour", 2), ("per_1m_in", 4), ("per_1m_out", 4), ("per_1000_requests", 4))
    }
    st.container(key="bb_options_box").dataframe(
        plain_table(options_table(options)),
        hide_index=True,
        height=300,
        column_config=money,
        key="bb_options",
    )
    b1, b2, _ = st.columns([1, 1, 3])
    with b1:
        badge(catalog_provenance(catalog))
    with b2:
        badge(Provenance("assumed", t("buildbuy.llm.serving_model")))
    fitting = options[options["fits_in_memory"]]
    if fitting.empty:
        needed = float(options["memory_needed_gib"].iloc[0]) if len(options) else math.nan
        st.warning(t("buildbuy.llm.none_fits", needed=fmt.fmt_number(needed)), icon=":material/memory:")
        return None
    rows = {_option_key(row): row for _, row in fitting.iterrows()}
    key = "bb_llm_option"
    if st.session_state.get(key) not in rows:
        st.session_state[key] = next(iter(rows))

    def _label(k: str) -> str:
        row = rows[k]
        return for_plain(
            t(
                "buildbuy.llm.option",
                instance=row["instance"],
                region=row["region"],
                count=int(row["count"]),
                accelerator=row["accelerator"],
                hour=fmt.fmt_usd(float(row["usd_per_hour"])),
                per_1000=fmt.fmt_usd(float(row["usd_per_request"]) * 1000.0),
            )
        )

    choice = st.selectbox(
        t("buildbuy.llm.option_pick"),
        list(rows),
        format_func=_label,
        key=key,
        help=t("buildbuy.llm.option_help"),
    )
    return rows[choice]


def serving_detail(option: pd.Series, workload: LlmWorkload) -> str:
    """How the self-hosted figures were formed: the serving model's inputs and the batch it chose."""
    shape = workload.shape
    model = t("compute.shape.inferred") if shape.inferred else shape.name
    return t(
        "buildbuy.llm.serving_detail",
        count=int(option["count"]),
        accelerator=for_markdown(str(option["accelerator"])),
        precision=t(f"buildbuy.precision.{option['precision']}"),
        tflops=fmt.fmt_int(float(option["peak_tflops"])),
        mfu=fmt.fmt_pct(workload.mfu, decimals=0),
        bandwidth_efficiency=fmt.fmt_pct(workload.bandwidth_efficiency, decimals=0),
        model=for_markdown(model),
        layers=shape.layers,
        kv=fmt.fmt_bytes(shape.kv_bytes_per_token(workload.serving.kv_value_bytes)),
        batch=int(option["batch"]),
        reason=t(f"buildbuy.batch_reason.{option['batch_reason']}"),
        tpot=fmt.fmt_number(float(option["tpot_ms"])),
        utilisation=fmt.fmt_pct(workload.utilisation, decimals=0),
        instance=for_markdown(str(option["instance"])),
        hour=fmt.fmt_usd(float(option["usd_per_hour"])),
        as_of=for_markdown(str(option["as_of"])),
    )


def _fine_tune_cost(inputs: LlmInputs, catalog: Catalog) -> tuple[float, str]:
    """USD of fine-tuning (0 when no tokens), and a line saying what it is or why it is not counted."""
    tokens = inputs.fine_tune_tokens_millions * 1e6
    if tokens == 0:
        return 0.0, t("buildbuy.llm.ft_none")
    params = inputs.params_billions * 1e9
    active = None if inputs.active_billions is None else inputs.active_billions * 1e9
    try:
        cost = _fine_tune(
            params,
            tokens,
            inputs.method,
            active=active,
            model=inputs.model,
            catalog_version=catalog.version,
            _catalog=catalog,
        )
    except BuildBuyError as exc:
        st.warning(t("buildbuy.llm.ft_refused", reason=for_markdown(str(exc))), icon=":material/warning:")
        return 0.0, t("buildbuy.llm.ft_not_counted")
    return cost, t(
        "buildbuy.llm.ft_line",
        cost=_usd_md(cost),
        tokens=fmt.fmt_count(tokens),
        method=t(f"buildbuy.llm.ft_{inputs.method}"),
        months=int(inputs.amortise_months),
        monthly=_usd_md(cost / inputs.amortise_months),
    )


def llm_tab(catalog: Catalog) -> None:
    """A self-hosted open LLM against a paid API: prices, options, break-even and the chart."""
    st.caption(t("buildbuy.llm.lead"))
    inputs = llm_inputs()
    if _show_problems(llm_problems(inputs)):
        return
    try:
        workload = workload_of(inputs)
    except BuildBuyError as exc:
        st.error(t("buildbuy.refused", reason=for_markdown(str(exc))), icon=":material/error:")
        return
    st.subheader(t("buildbuy.llm.prices"))
    prices, uploaded = price_list()
    api_row = pick_api(prices, workload)
    st.subheader(t("buildbuy.llm.self_hosted"))
    options = _options_of(tuple(asdict(workload).values()), catalog.version, catalog)
    if options.empty:
        st.warning(t("buildbuy.llm.no_options"))
        return
    option = pick_option(options, catalog)
    st.caption(t("buildbuy.llm.serving_note"))
    if option is None or api_row is None:
        return
    fine_tune, ft_line = _fine_tune_cost(inputs, catalog)
    months = int(inputs.amortise_months)
    try:
        be = llm_break_even(option, api_row, workload, fine_tune_usd=fine_tune, amortise_months=months)
        volumes = volume_grid(*LLM_VOLUMES, LLM_GRID_POINTS, be.volume_per_month)
        curves = llm_cost_curves(
            option, api_row, workload, volumes, fine_tune_usd=fine_tune, amortise_months=months
        )
        at_be = None
        if be.volume_per_month is not None:
            at_be = llm_cost_curves(
                option,
                api_row,
                workload,
                [be.volume_per_month],
                fine_tune_usd=fine_tune,
                amortise_months=months,
            ).iloc[0]
    except BuildBuyError as exc:
        st.error(t("buildbuy.refused", reason=for_markdown(str(exc))), icon=":material/error:")
        return
    api_name = _api_key(api_row)
    ours = t("buildbuy.llm.self_hosted_on", instance=option["instance"])
    api_prov = (
        Provenance("assumed", t("buildbuy.prov.upload"))
        if uploaded
        else Provenance("catalog", str(api_row["as_of"]))
    )
    roofline = Provenance("assumed", t("buildbuy.llm.serving_model"))
    api_per_1000 = float(_per_1000_requests(api_row, workload))
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        _break_even_block(be, ours=t("buildbuy.side.self_hosted"), api=for_markdown(api_name))
    with c2:
        st.metric(
            t("buildbuy.llm.self_per_1000_money", **fmt.currency_words()),
            t("buildbuy.per_1000_requests", value=fmt.fmt_usd(float(option["usd_per_request"]) * 1000.0)),
            help=serving_detail(option, workload),
        )
        badge(roofline)
        badge(catalog_provenance(catalog))
    with c3:
        st.metric(
            t("buildbuy.llm.api_per_1000_money", **fmt.currency_words()),
            t("buildbuy.per_1000_requests", value=fmt.fmt_usd(api_per_1000)),
            help=t(
                "buildbuy.llm.api_help",
                input=_usd_md(float(api_row["input_usd_per_1m_tokens"])),
                output=_usd_md(float(api_row["output_usd_per_1m_tokens"])),
                source=for_markdown(str(api_row["source"])),
            ),
        )
        badge(api_prov)
    with c4:
        st.metric(
            t("buildbuy.llm.instance_month_money", **fmt.currency_words()),
            t("buildbuy.per_month", value=fmt.fmt_usd(float(option["usd_per_hour"]) * 730.0)),
            help=t("buildbuy.llm.instance_month_help"),
        )
        badge(catalog_provenance(catalog))
    st.caption(ft_line)
    labels = CostChartLabels(
        title=t("buildbuy.llm.chart", model=api_name),
        volume=t("buildbuy.axis.volume"),
        cost=t("buildbuy.axis.cost_money", **fmt.currency_words()),
        ours=ours,
        api=api_name,
        break_even=t("buildbuy.break_even"),
    )
    point = None if at_be is None else (float(be.volume_per_month or 0), float(at_be["api_usd_month"]))
    st.plotly_chart(
        llm_figure(curves, labels, break_even=point),
        key="bb_llm_chart",
        config=chart_config("llm-self-hosted-vs-api"),
    )
    with st.expander(t("buildbuy.llm.detail")):
        st.caption(serving_detail(option, workload))
        if str(api_row["notes"]).strip():
            st.caption(for_markdown(words(str(api_row["notes"]), current_language())))


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
    if _bad(inputs.competitor_usd_per_1000):
        problems.append(t("advantage.bad.competitor_usd"))
    if _bad(inputs.competitor_accuracy_pct) or inputs.competitor_accuracy_pct > 100:
        problems.append(t("advantage.bad.competitor_accuracy"))
    for value, key in ((inputs.competitor_p95_ms, "competitor_p95"), (inputs.your_p95_ms, "your_p95")):
        if value is not None and _bad(value, positive=True):
            problems.append(t(f"advantage.bad.{key}"))
    if inputs.samples_owned is not None and (
        _bad(inputs.samples_owned) or not float(inputs.samples_owned).is_integer()
    ):
        problems.append(t("advantage.bad.samples"))
    if _bad(inputs.label_cost_usd, positive=True):
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
        cost=_usd_md(label_cost_usd),
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
    if _show_problems(advantage_problems(inputs)):
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
        st.error(t("buildbuy.refused", reason=for_markdown(str(exc))), icon=":material/error:")
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
