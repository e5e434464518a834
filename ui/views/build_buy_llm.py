"""The Build vs buy page's second tab: a self-hosted open LLM against a paid LLM API.

The economics are :mod:`bizmodel.buildbuy` (pure): the self-hosted options come from its serving
model on the instance catalog, the API's cost from a price list (bundled or uploaded). This module
reads the typed workload, validates it, makes the calls and renders the prices, the options, the
break-even and the chart (:func:`present.build_buy_figures.llm_figure`) with their provenance.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd
import streamlit as st

from bizmodel.buildbuy import (
    BreakEven,
    BuildBuyError,
    LlmWorkload,
    fine_tune_cost_usd,
    llm_break_even,
    llm_cost_curves,
    self_hosted_options,
)
from bizmodel.catalog import Catalog
from bizmodel.llm_serving import DEFAULT_TPOT_MS
from bizmodel.shapes import INFERRED_KEY, bundled_shapes, shape_for
from present import format as fmt
from present.build_buy_figures import CostChartLabels, llm_figure, volume_grid
from present.explain import words
from present.figures import chart_config
from present.tables import plain_table
from safetext import for_markdown, for_plain
from ui.components.catalog import catalog_provenance
from ui.components.cost_compare import (
    bad,
    break_even_block,
    break_even_point,
    refused,
    show_problems,
    usd_md,
)
from ui.components.llm_prices import api_key, per_1000_requests, pick_api, price_list
from ui.components.widgets import Provenance, badge
from ui.session.i18n import current_language, t

#: Volume axis of the LLM chart, requests per month (log-spaced; dense, the self-hosted side steps).
LLM_VOLUMES = (1e3, 1e10)
LLM_GRID_POINTS = 481
INFERRED = INFERRED_KEY
"""The model-shape choice that infers the layers from the parameters."""


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


def _model_inputs() -> tuple[str, float, float | None]:
    """The model (a bundled shape's key or :data:`INFERRED`), its total and active parameters
    (billions; active None for a dense model)."""
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
    return str(model), float(params), None if active is None else float(active)


def _request_inputs() -> tuple[float, float, float, float]:
    """(input tokens, output tokens, bytes per parameter, time per output token target in ms)."""
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
    return float(tokens_in), float(tokens_out), float(width), float(tpot)


def _pct_slider(column: Any, name: str, default: int, key: str) -> float:
    """A 1–100 % slider labelled ``buildbuy.llm.<name>``, with its help text."""
    value = column.slider(
        t(f"buildbuy.llm.{name}"),
        1,
        100,
        default,
        key=key,
        format="%d %%",
        help=t(f"buildbuy.llm.{name}_help"),
    )
    return float(value)


def _serving_assumptions() -> tuple[float, float, float]:
    """(MFU, bandwidth efficiency, utilisation), in percent."""
    e1, e2, e3 = st.columns(3)
    return (
        _pct_slider(e1, "mfu", 40, "bb_llm_mfu"),
        _pct_slider(e2, "bandwidth", 60, "bb_llm_bw"),
        _pct_slider(e3, "utilisation", 50, "bb_llm_util"),
    )


def _fine_tune_inputs() -> tuple[float, str, float]:
    """(fine-tuning tokens in millions, method, months to amortise over)."""
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
    return float(ft_tokens), str(method), float(months)


def llm_inputs() -> LlmInputs:
    """The model, request size, serving assumptions and fine-tuning, as widgets with keys."""
    model, params, active = _model_inputs()
    tokens_in, tokens_out, width, tpot = _request_inputs()
    with st.expander(t("buildbuy.llm.assumptions"), icon=":material/tune:"):
        mfu, bandwidth, utilisation = _serving_assumptions()
        ft_tokens, method, months = _fine_tune_inputs()
    return LlmInputs(
        params,
        tokens_in,
        tokens_out,
        width,
        tpot,
        mfu,
        bandwidth,
        utilisation,
        ft_tokens,
        method,
        months,
        active,
        None if model == INFERRED else model,
    )


def llm_problems(inputs: LlmInputs) -> list[str]:
    """What to change in the LLM inputs (translated); empty when they can be priced."""
    problems = []
    if bad(inputs.params_billions, positive=True):
        problems.append(t("buildbuy.bad.params"))
    if bad(inputs.input_tokens) or bad(inputs.output_tokens):
        problems.append(t("buildbuy.bad.tokens"))
    elif inputs.input_tokens + inputs.output_tokens == 0:
        problems.append(t("buildbuy.bad.tokens_zero"))
    if inputs.active_billions is not None and bad(inputs.active_billions, positive=True):
        problems.append(t("buildbuy.bad.active"))
    elif inputs.active_billions is not None and inputs.active_billions > inputs.params_billions:
        problems.append(t("buildbuy.bad.active_above_total"))
    if bad(inputs.tpot_target_ms, positive=True):
        problems.append(t("buildbuy.bad.tpot"))
    if bad(inputs.fine_tune_tokens_millions):
        problems.append(t("buildbuy.bad.ft_tokens"))
    if bad(inputs.amortise_months, positive=True) or not float(inputs.amortise_months).is_integer():
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
        cost=usd_md(cost),
        tokens=fmt.fmt_count(tokens),
        method=t(f"buildbuy.llm.ft_{inputs.method}"),
        months=int(inputs.amortise_months),
        monthly=usd_md(cost / inputs.amortise_months),
    )


@dataclass(frozen=True)
class LlmCosts:
    """The two sides priced: the break-even, the curves to draw and the costs at the break-even."""

    break_even: BreakEven
    curves: pd.DataFrame
    at_break_even: pd.Series | None


def _workload() -> tuple[LlmInputs, LlmWorkload] | None:
    """The typed inputs and their workload; None after saying what to change or why it was refused."""
    inputs = llm_inputs()
    if show_problems(llm_problems(inputs)):
        return None
    try:
        return inputs, workload_of(inputs)
    except BuildBuyError as exc:
        refused(exc)
        return None


def _llm_costs(
    option: pd.Series, api_row: pd.Series, workload: LlmWorkload, *, fine_tune: float, months: int
) -> LlmCosts:
    """Both sides' monthly costs on the chart's volumes and at the break-even (BuildBuyError when
    the model refuses)."""

    def costs_at(volumes: Any) -> pd.DataFrame:
        return llm_cost_curves(
            option, api_row, workload, volumes, fine_tune_usd=fine_tune, amortise_months=months
        )

    be = llm_break_even(option, api_row, workload, fine_tune_usd=fine_tune, amortise_months=months)
    curves = costs_at(volume_grid(*LLM_VOLUMES, LLM_GRID_POINTS, be.volume_per_month))
    at_be = None if be.volume_per_month is None else costs_at([be.volume_per_month]).iloc[0]
    return LlmCosts(be, curves, at_be)


def _llm_metrics(
    costs: LlmCosts,
    option: pd.Series,
    api_row: pd.Series,
    workload: LlmWorkload,
    catalog: Catalog,
    *,
    uploaded: bool,
) -> None:
    """The break-even, both sides' cost per 1,000 requests and the instance's month, with badges."""
    api_prov = (
        Provenance("assumed", t("buildbuy.prov.upload"))
        if uploaded
        else Provenance("catalog", str(api_row["as_of"]))
    )
    api_per_1000 = float(per_1000_requests(api_row, workload))
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        break_even_block(
            costs.break_even, ours=t("buildbuy.side.self_hosted"), api=for_markdown(api_key(api_row))
        )
    with c2:
        st.metric(
            t("buildbuy.llm.self_per_1000_money", **fmt.currency_words()),
            t("buildbuy.per_1000_requests", value=fmt.fmt_usd(float(option["usd_per_request"]) * 1000.0)),
            help=serving_detail(option, workload),
        )
        badge(Provenance("assumed", t("buildbuy.llm.serving_model")))
        badge(catalog_provenance(catalog))
    with c3:
        st.metric(
            t("buildbuy.llm.api_per_1000_money", **fmt.currency_words()),
            t("buildbuy.per_1000_requests", value=fmt.fmt_usd(api_per_1000)),
            help=t(
                "buildbuy.llm.api_help",
                input=usd_md(float(api_row["input_usd_per_1m_tokens"])),
                output=usd_md(float(api_row["output_usd_per_1m_tokens"])),
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


def _llm_chart(costs: LlmCosts, option: pd.Series, api_row: pd.Series) -> None:
    """Self-hosting's steps against the API's line, the break-even marked."""
    api_name = api_key(api_row)
    labels = CostChartLabels(
        title=t("buildbuy.llm.chart", model=api_name),
        volume=t("buildbuy.axis.volume"),
        cost=t("buildbuy.axis.cost_money", **fmt.currency_words()),
        ours=t("buildbuy.llm.self_hosted_on", instance=option["instance"]),
        api=api_name,
        break_even=t("buildbuy.break_even"),
    )
    st.plotly_chart(
        llm_figure(costs.curves, labels, break_even=break_even_point(costs.break_even, costs.at_break_even)),
        key="bb_llm_chart",
        config=chart_config("llm-self-hosted-vs-api"),
    )


def _pick_sides(catalog: Catalog, workload: LlmWorkload) -> tuple[pd.Series, pd.Series, bool] | None:
    """The API price row, the self-hosted option and whether the price list is an upload; None when
    either side has nothing to pick."""
    st.subheader(t("buildbuy.llm.prices"))
    prices, uploaded = price_list()
    api_row = pick_api(prices, workload)
    st.subheader(t("buildbuy.llm.self_hosted"))
    options = _options_of(tuple(asdict(workload).values()), catalog.version, catalog)
    if options.empty:
        st.warning(t("buildbuy.llm.no_options"))
        return None
    option = pick_option(options, catalog)
    st.caption(t("buildbuy.llm.serving_note"))
    if option is None or api_row is None:
        return None
    return api_row, option, uploaded


def llm_tab(catalog: Catalog) -> None:
    """A self-hosted open LLM against a paid API: prices, options, break-even and the chart."""
    st.caption(t("buildbuy.llm.lead"))
    typed = _workload()
    if typed is None:
        return
    inputs, workload = typed
    sides = _pick_sides(catalog, workload)
    if sides is None:
        return
    api_row, option, uploaded = sides
    fine_tune, ft_line = _fine_tune_cost(inputs, catalog)
    try:
        costs = _llm_costs(option, api_row, workload, fine_tune=fine_tune, months=int(inputs.amortise_months))
    except BuildBuyError as exc:
        refused(exc)
        return
    _llm_metrics(costs, option, api_row, workload, catalog, uploaded=uploaded)
    st.caption(ft_line)
    _llm_chart(costs, option, api_row)
    with st.expander(t("buildbuy.llm.detail")):
        st.caption(serving_detail(option, workload))
        if str(api_row["notes"]).strip():
            st.caption(for_markdown(words(str(api_row["notes"]), current_language())))
