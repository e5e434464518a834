"""The Compute cost page's content: what to train, the assumptions, every catalog option ranked,
the Pareto frontier, compute-optimal advice and inverse budgeting. Figure builders are pure.

What to train is a :class:`present.explored.TrainingPlan` and a budget a
:class:`present.explored.BudgetQuestion`: each one priced is recorded in the session
(:func:`present.explored.record_plan`, :func:`present.explored.record_budget`), and the report recomputes
them from those inputs with the same functions.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from bizmodel.basis import BasisError, TechnicalBasis
from bizmodel.catalog import CLUSTER_INTERCONNECTS, Catalog
from bizmodel.compute import Assumptions, cheapest, fastest, one_per_instance, training_options
from bizmodel.production import factor_text, production_scale
from bizmodel.scaling_law import EPOCH_2024, compute_optimal, loss
from bizmodel.shapes import DEFAULT_TRAIN_SEQUENCE, INFERRED_KEY, bundled_shapes, shape_for
from bizmodel.training_work import ComputeError, TrainingWork
from bizmodel.validation import BAND, summarise, validation_table
from mlcore.specs import RunRecord
from present import format as fmt
from present.compute_figures import ParetoLabels, chart_points, pareto_figure
from present.explored import (
    DEFAULT_BUDGET,
    DEFAULT_PLAN,
    MODES,
    BudgetQuestion,
    RunBasis,
    TrainingPlan,
    budget_answer,
    record_budget,
    record_plan,
)
from present.figures import chart_config
from present.summary import short_id
from safetext import for_markdown, for_plain
from store import Store
from ui.components.production import production_caption, production_metrics
from ui.components.scenario_compute import bound_scenario
from ui.components.scenario_editor import validate
from ui.components.scenario_work import current_work
from ui.components.widgets import Provenance, badge, metric
from ui.session.i18n import current_language, t

TABLE_ROWS = 25
INFERRED = INFERRED_KEY
"""The model-shape choice that infers the layers from the parameters."""


def option_marks(options: pd.DataFrame) -> pd.Series:
    """Translated marks per option: cheapest, fastest, on the frontier (joined), empty otherwise.

    Whole-column operations: a catalog of 20,000 instances gives about 100,000 options."""
    low, high = cheapest(options), fastest(options)
    marks = pd.Series("", index=options.index, dtype=object)
    marks[options["pareto"].astype(bool).to_numpy()] = t("compute.mark.frontier")
    ends = [(low, t("compute.mark.cheapest")), (high, t("compute.mark.fastest"))]
    for index in {row.name for row, _ in ends if row is not None}:
        marks.at[index] = " · ".join(word for row, word in ends if row is not None and row.name == index)
    return marks


def options_frame(options: pd.DataFrame, marks: pd.Series) -> pd.DataFrame:
    """The ranked options for display, units in the column names, money in the display currency;
    ``marks`` from :func:`option_marks`."""
    shown = options.head(TABLE_ROWS)
    words, style = fmt.currency_words(), fmt.current_style()
    return pd.DataFrame(
        {
            t("compute.col.mark"): marks.reindex(shown.index).fillna(""),
            t("compute.col.provider"): shown["provider"].map(for_plain),
            t("compute.col.instance"): (shown["instance_type"] + " · " + shown["region"]).map(for_plain),
            t("compute.col.accelerator"): shown["accelerator"].map(for_plain),
            t("compute.col.nodes"): shown["nodes"].astype(int),
            t("compute.col.count"): shown["count"].astype(int),
            t("compute.col.interconnect"): shown["cluster_interconnect"].map(
                lambda f: t(f"compute.fabric.{f}") if f else t("compute.fabric.none")
            ),
            t("compute.col.precision"): shown["precision_note"].map(for_plain),
            t("compute.col.pricing"): shown["pricing"].map(lambda p: t(f"compute.pricing.{p}")),
            t("compute.col.days"): shown["days"].round(2),
            t("compute.col.gpu_hours"): shown["gpu_hours"].round(0),
            t("compute.col.cost_money", **words): style.from_usd(shown["cost_usd"]).round(0),
            t("compute.col.per_gpu_hour_money", **words): style.from_usd(shown["usd_per_gpu_hour"]).round(3),
            t("compute.col.feasible"): shown["feasible"],
            t("compute.col.energy"): shown["energy_kwh"].round(0),
            t("compute.col.co2"): shown["co2_kg"].round(0),
            t("compute.col.as_of"): shown["as_of"].map(for_plain),
        }
    )


def _basis(run: RunRecord | None) -> TechnicalBasis | None:
    if run is None:
        return None
    try:
        return TechnicalBasis.from_record(run.to_dict())
    except BasisError:
        return None


def work_form(
    run: RunRecord | None, factors: tuple[float, float] = (1.0, 1.0)
) -> tuple[TrainingPlan | None, str]:
    """What to train: N and D for an LLM-style run, or this run scaled (by default by ``factors``,
    the active scenario's production data and model factors). Returns the plan (priced under the
    default assumptions until :meth:`dataclasses.replace` sets the page's) and a label; no plan,
    after saying why, when it is impossible."""
    basis = _basis(run)
    modes = MODES if basis is not None else MODES[:3]
    mode = st.segmented_control(
        t("compute.mode"),
        modes,
        default="pretrain",
        format_func=lambda m: t(f"compute.mode.{m}"),
        key="compute_mode",
    )
    mode = mode or "pretrain"
    try:
        if mode == "scaled_run" and basis is not None:
            c1, c2 = st.columns(2)
            k = c1.number_input(
                t("compute.data_factor"),
                1.0,
                1e7,
                float(min(max(factors[0], 1.0), 1e7)),
                key="compute_k",
                format="%g",
                help=t("compute.factor_default_help"),
            )
            m = c2.number_input(
                t("compute.model_factor"),
                1.0,
                1e7,
                float(min(max(factors[1], 1.0), 1e7)),
                key="compute_m",
                format="%g",
                help=t("compute.factor_default_help"),
            )
            plan = TrainingPlan(
                mode="scaled_run",
                params=float(basis.params),
                tokens=float(basis.n_train),
                run=RunBasis(
                    run_id=basis.run_id,
                    flops_per_sample=float(basis.flops_per_sample),
                    samples=float(basis.n_train),
                    epochs=float(max(1, basis.epochs_completed)),
                    params=float(basis.params),
                ),
                data_factor=float(k),
                model_factor=float(m),
            )
            plan.work()
            name = for_markdown(run.name if run else "")
            return plan, t("compute.work.scaled", name=name, k=factor_text(k), m=factor_text(m))
        n, active, d, shape, sequence = _model_inputs()
        plan = TrainingPlan(
            mode=mode, params=n, tokens=d, active_params=active, shape=shape, sequence=sequence
        )
        work = plan.work()
        key = f"compute.work.{mode}_moe" if work.is_moe else f"compute.work.{mode}"
        return plan, t(key, n=fmt.fmt_count(n), a=fmt.fmt_count(work.active_params), d=fmt.fmt_count(d))
    except ComputeError as exc:
        st.error(t("compute.refused", reason=for_markdown(str(exc))))
        return None, ""


def _apply_shape() -> None:
    """When a bundled model is chosen, fill its parameter counts in (billions)."""
    key = st.session_state.get("compute_shape")
    if key and key != INFERRED:
        shape = shape_for(key)
        st.session_state["compute_params"] = shape.total_params / 1e9
        st.session_state["compute_active"] = shape.active_params / 1e9


def _model_inputs() -> tuple[float, float | None, float, str | None, float]:
    """Total and active parameters, tokens, the model shape (a bundled key or None: inferred) and the
    training sequence length, as widgets."""
    keys = [INFERRED, *(s.key for s in bundled_shapes())]
    names = {s.key: s.name for s in bundled_shapes()}
    c1, c2, c3 = st.columns(3)
    params_b = c1.number_input(
        t("compute.params_b"), 0.001, 100_000.0, DEFAULT_PLAN.params / 1e9, key="compute_params", format="%g"
    )
    active_b = c2.number_input(
        t("compute.active_b"),
        0.001,
        100_000.0,
        None,
        key="compute_active",
        format="%g",
        placeholder=t("compute.active_placeholder"),
        help=t("compute.help.active"),
    )
    tokens_b = c3.number_input(
        t("compute.tokens_b"),
        0.001,
        1_000_000.0,
        DEFAULT_PLAN.tokens / 1e9,
        key="compute_tokens",
        format="%g",
    )
    c4, c5 = st.columns([2, 1])
    shape = c4.selectbox(
        t("compute.shape"),
        keys,
        format_func=lambda k: t("compute.shape.inferred") if k == INFERRED else names[k],
        key="compute_shape",
        on_change=_apply_shape,
        help=t("compute.help.shape"),
    )
    sequence = c5.number_input(
        t("compute.sequence"),
        0,
        1_048_576,
        DEFAULT_TRAIN_SEQUENCE,
        256,
        key="compute_sequence",
        help=t("compute.help.sequence"),
    )
    active = None if active_b is None else active_b * 1e9
    return params_b * 1e9, active, tokens_b * 1e9, None if shape == INFERRED else shape, float(sequence)


def assumptions_form(run: RunRecord | None) -> Assumptions | None:
    """MFU and the node cap (shown), discount, spot overhead, energy price, grid and a scale loss (in a
    collapsed expander), all assumed. The run's own measured MFU is shown beside them, for reference."""
    c1, c2 = st.columns([3, 2])
    mfu = c1.slider(t("compute.mfu"), 0.05, 0.80, 0.40, 0.01, key="compute_mfu", help=t("compute.help.mfu"))
    nodes = c2.select_slider(
        t("compute.max_nodes"),
        [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048],
        64,
        key="compute_nodes",
        help=t("compute.help.max_nodes"),
    )
    with st.expander(t("compute.assumptions"), expanded=False):
        c3, c4 = st.columns(2)
        discount = c3.slider(t("compute.discount"), 0, 90, 0, 5, key="compute_discount", format="%d %%")
        overhead = c4.slider(
            t("compute.spot_overhead"), 0, 100, 10, 5, key="compute_overhead", format="%d %%"
        )
        c5, c6, c7 = st.columns(3)
        kwh = c5.number_input(t("compute.usd_per_kwh"), 0.0, 5.0, 0.12, 0.01, key="compute_kwh")
        grid = c6.number_input(t("compute.grid"), 0.0, 2000.0, 400.0, 10.0, key="compute_grid")
        scaling = c7.slider(
            t("compute.scaling"),
            0.55,
            1.0,
            1.0,
            0.01,
            key="compute_scaling",
            help=t("compute.help.scaling"),
        )
    if run is not None and run.mfu is not None:
        st.caption(t("compute.run_mfu", mfu=fmt.fmt_pct(run.mfu, decimals=2), id=short_id(run.id)))
        badge(Provenance("measured", short_id(run.id)))
    try:
        return Assumptions(
            mfu=mfu,
            discount=discount / 100,
            spot_overhead=overhead / 100,
            usd_per_kwh=kwh,
            grid_g_co2_per_kwh=grid,
            max_nodes=int(nodes),
            scaling_efficiency=float(scaling),
        )
    except ComputeError as exc:
        st.error(t("compute.refused", reason=for_markdown(str(exc))))
        return None


@st.cache_data(max_entries=16, show_spinner=False)
def _options(work: TrainingWork, version: str, _catalog: Catalog, assumptions: Assumptions) -> pd.DataFrame:
    return training_options(work, _catalog.instances, _catalog.accelerators, assumptions)


def render_options(plan: TrainingPlan, label: str, catalog: Catalog) -> None:
    """Cheapest and fastest, the Pareto chart, and the ranked table of ``plan`` (priced under its
    assumptions); the plan is recorded for the report."""
    assumptions = plan.assumptions
    try:
        work = plan.work()
        options = _options(work, catalog.version, catalog, assumptions)
    except ComputeError as exc:
        st.error(t("compute.refused", reason=for_markdown(str(exc))))
        return
    record_plan(st.session_state, plan)
    st.markdown(label)
    if not _headline(work, assumptions, options, catalog):
        return
    _pareto_chart(options)
    _ranked_table(options)


def _headline(work: TrainingWork, assumptions: Assumptions, options: pd.DataFrame, catalog: Catalog) -> bool:
    """The five headline metrics (FLOPs, memory, MFU, cheapest, fastest) and their notes; False
    when no option can run the work (then said so)."""
    low, high = cheapest(options), fastest(options)
    cols = st.columns(5)
    yours = Provenance("assumed", t("compute.your_input"))
    with cols[0]:
        metric(
            t("compute.m.flops"),
            fmt.fmt_flops(work.flops).removesuffix(" FLOP"),
            yours,
            help=_flops_help(work),
        )
    with cols[1]:
        per_param = t(
            "compute.help.memory_per_param",
            per_param=f"{work.memory_bytes / work.params:.3g}",
            params=fmt.fmt_count(work.params),
        )
        metric(t("compute.m.memory"), fmt.fmt_bytes(work.memory_bytes), yours, help=per_param)
    with cols[2]:
        metric(
            t("compute.m.mfu"), fmt.fmt_pct(assumptions.mfu, decimals=0), yours, help=t("compute.help.mfu")
        )
        st.caption(_scale_note(assumptions))
    if low is None:
        st.error(t("compute.none_feasible"), icon=":material/memory:")
        return False
    with cols[3]:
        metric(t("compute.m.cheapest"), fmt.fmt_usd(low["cost_usd"]), row_provenance(low))
        st.caption(_describe(low))
    with cols[4]:
        metric(t("compute.m.fastest"), fmt.fmt_duration(high["days"] * 86400), row_provenance(high))
        st.caption(_describe(high))
    st.caption(
        t(
            "compute.provenance_note",
            date=catalog.as_of.isoformat(),
            mfu=fmt.fmt_pct(assumptions.mfu, decimals=0),
        )
    )
    st.caption(_interconnect_note(options, catalog))
    if bool(high.get("at_node_cap", False)):
        st.info(t("compute.node_cap_binds", nodes=int(assumptions.max_nodes)), icon=":material/lan:")
    return True


def _pareto_chart(options: pd.DataFrame) -> None:
    """Days against dollars for every feasible option (sampled when there are too many)."""
    labels = ParetoLabels(
        title=t("compute.chart.title"),
        days=t("compute.chart.days"),
        cost=t("compute.chart.cost_money", **fmt.currency_words()),
        frontier=t("compute.chart.frontier"),
        cheapest=t("compute.m.cheapest"),
        fastest=t("compute.m.fastest"),
        hover_option=t("compute.chart.hover_option"),
        hover_marker=t("compute.chart.hover_marker"),
    )
    points = chart_points(options)
    st.plotly_chart(
        pareto_figure(points, labels), key="pareto_chart", config=chart_config("training-cost-vs-days")
    )
    feasible = int(options["feasible"].astype(bool).sum())
    if len(points) < feasible:
        st.caption(t("compute.chart_sampled", shown=f"{len(points):,}", total=f"{feasible:,}"))


def _ranked_table(options: pd.DataFrame) -> None:
    """One row per instance, ranked by cost or by days (the user's choice), with its notes."""
    order = st.segmented_control(
        t("compute.sort"),
        ["cost", "days"],
        default="cost",
        format_func=lambda k: t(f"compute.sort.{k}"),
        key="compute_sort",
    )
    ranked = options.sort_values(
        ["feasible", "days" if order == "days" else "cost_usd"], ascending=[False, True]
    )
    distinct = one_per_instance(ranked)
    infeasible = int((~options["feasible"]).sum())
    st.caption(
        t(
            "compute.table_note",
            shown=min(TABLE_ROWS, len(distinct)),
            total=len(distinct),
            options=len(options),
            infeasible=infeasible,
        )
    )
    st.dataframe(options_frame(distinct, option_marks(options)), hide_index=True)
    no_tdp = sorted(options.loc[options["energy_kwh"].isna(), "accelerator"].astype(str).unique())
    if no_tdp:
        st.caption(t("compute.energy_blank", accelerators=for_markdown(", ".join(no_tdp))))
    fp16 = sorted(options.loc[options["precision_note"] != "", "accelerator"].astype(str).unique())
    if fp16:
        st.caption(t("compute.fp16_note", accelerators=for_markdown(", ".join(fp16))))


def row_provenance(row: pd.Series) -> Provenance:
    """The badge for a number priced from one catalog row: that row's own as-of date."""
    return Provenance("catalog", str(row["as_of"]))


def _flops_help(work: TrainingWork) -> str:
    """How the FLOPs were counted: dense part, attention part and the shape they came from."""
    if work.method == "scaled_run":
        return t("compute.help.flops_dense", dense=fmt.fmt_flops(work.dense_flops))
    if work.attention_flops <= 0:
        return t("compute.help.flops_no_attention", dense=fmt.fmt_flops(work.dense_flops))
    shape = t("compute.shape.inferred") if work.shape_key == INFERRED else shape_for(work.shape_key).name
    return t(
        "compute.help.flops",
        dense=fmt.fmt_flops(work.dense_flops),
        attention=fmt.fmt_flops(work.attention_flops),
        sequence=fmt.fmt_int(work.sequence),
        shape=shape,
    )


def _scale_note(assumptions: Assumptions) -> str:
    """The MFU's meaning, and the scale loss when one is set."""
    if assumptions.scaling_efficiency >= 1.0:
        return t("compute.m.mfu_note")
    efficiency = f"{assumptions.scaling_efficiency:.2f}".rstrip("0").rstrip(".")
    return t("compute.m.mfu_note_loss", efficiency=efficiency)


def _interconnect_note(options: pd.DataFrame, catalog: Catalog) -> str:
    """The multi-node rule, with how many of this catalog's accelerator instances it lets span nodes."""
    instances = catalog.instances[
        (catalog.instances["count"] > 0) & (catalog.instances["status"] == "current")
    ]
    fabric = instances.get("cluster_interconnect", pd.Series("", index=instances.index))
    clustered = int(fabric.isin(CLUSTER_INTERCONNECTS).sum())
    return t("compute.interconnect_note", clustered=clustered, total=len(instances))


def _describe(row: pd.Series) -> str:
    return t(
        "compute.option",
        provider=for_markdown(row["provider"]),
        instance=for_markdown(row["instance_type"]),
        nodes=int(row["nodes"]),
        count=int(row["count"]),
        accelerator=for_markdown(row["accelerator"]),
        pricing=t(f"compute.pricing.{row['pricing']}"),
        days=f"{row['days']:.3g}",
        gpu_hours=fmt.fmt_number(row["gpu_hours"]),
    )


def render_advice(work: TrainingWork) -> None:
    """Compute-optimal N and D for this many FLOPs (Epoch AI refit of Chinchilla).

    Only for pre-training: the law describes training from scratch, not fine-tuning an existing model
    or scaling a measured run; for those a one-line caption says so."""
    if work.method != "pretrain":
        st.caption(t("compute.advice_pretrain_only"))
        return
    n_opt, d_opt = compute_optimal(EPOCH_2024, work.flops)
    st.markdown(
        t(
            "compute.advice",
            flops=fmt.fmt_flops(work.flops),
            n=fmt.fmt_count(float(n_opt)),
            d=fmt.fmt_count(float(d_opt)),
            ratio=f"{float(d_opt) / float(n_opt):.1f}",
        )
    )
    if work.tokens:
        ratio = work.tokens / work.params
        yours = float(loss(EPOCH_2024, work.params, work.tokens))
        best = float(loss(EPOCH_2024, n_opt, d_opt))
        st.caption(t("compute.advice_yours", ratio=f"{ratio:.1f}", loss=f"{yours:.3f}", best=f"{best:.3f}"))
    st.latex(r"L(N, D) = E + \frac{A}{N^{\alpha}} + \frac{B}{D^{\beta}}")
    st.caption(t("compute.law_source", source=EPOCH_2024.source))


def render_budget(catalog: Catalog, assumptions: Assumptions) -> None:
    """Inverse budgeting: the largest compute-optimal model that fits a budget and a deadline."""
    c1, c2, c3 = st.columns(3)
    budget = c1.number_input(
        t("compute.budget"), 100.0, 1e10, DEFAULT_BUDGET.budget_usd, 1000.0, key="compute_budget", format="%g"
    )
    deadline = c2.number_input(
        t("compute.deadline"),
        0.1,
        3650.0,
        DEFAULT_BUDGET.deadline_days,
        1.0,
        key="compute_deadline",
        format="%g",
    )
    share = c3.number_input(
        t("compute.active_share"),
        0.01,
        1.0,
        DEFAULT_BUDGET.active_share,
        0.01,
        key="compute_active_share",
        format="%.2f",
        help=t("compute.help.active_share"),
    )
    question = BudgetQuestion(
        budget_usd=float(budget),
        deadline_days=float(deadline),
        active_share=float(share),
        assumptions=assumptions,
    )
    record_budget(st.session_state, question)
    try:
        answer = budget_answer(question, catalog)
    except ComputeError as exc:
        st.warning(t("compute.budget_none", reason=for_markdown(str(exc))))
        return
    prov = row_provenance(answer.option)
    cols = st.columns(4)
    with cols[0]:
        metric(t("compute.m.params"), fmt.fmt_count(answer.params), prov)
        if answer.active_params < answer.params * (1 - 1e-9):
            st.caption(t("compute.m.active_of", active=fmt.fmt_count(answer.active_params)))
    with cols[1]:
        metric(t("compute.m.tokens"), fmt.fmt_count(answer.tokens), prov)
    with cols[2]:
        metric(t("compute.m.cost"), fmt.fmt_usd(answer.cost_usd), prov)
    with cols[3]:
        metric(t("compute.m.days"), fmt.fmt_duration(answer.days * 86400), prov)
    st.caption(
        t(
            "compute.budget_answer",
            option=_describe(answer.option),
            limited=t(f"compute.limited.{answer.limited_by}", nodes=int(assumptions.max_nodes)),
            loss=f"{answer.predicted_loss:.3f}",
        )
    )


@st.cache_data(max_entries=4, show_spinner=False)
def _validation(version: str, _catalog: Catalog) -> pd.DataFrame:
    """The validation table on a catalog (cached by its version)."""
    del version  # cache key only
    return validation_table(_catalog)


def validation_frame(table: pd.DataFrame, language: str) -> pd.DataFrame:
    """The validation rows for display: units translated, the scope in the reader's language."""
    scope = table["scope_zh"] if language == "zh" and "scope_zh" in table else table["scope"]
    return pd.DataFrame(
        {
            t("compute.validation.col.name"): table["name"],
            t("compute.validation.col.organisation"): table["organisation"],
            t("compute.validation.col.year"): table["year"].astype(str),
            t("compute.validation.col.hardware"): table["hardware"],
            t("compute.validation.col.unit"): table["unit"].map(lambda u: t(f"compute.validation.unit.{u}")),
            t("compute.validation.col.published"): [
                fmt.fmt_validation(v, u) for v, u in zip(table["published"], table["unit"], strict=True)
            ],
            t("compute.validation.col.estimate"): [
                fmt.fmt_validation(v, u) for v, u in zip(table["estimate"], table["unit"], strict=True)
            ],
            t("compute.validation.col.ratio"): table["ratio"].round(2),
            t("compute.validation.col.scope"): scope,
            t("compute.validation.col.source"): table["source"],
        }
    )


def render_validation(catalog: Catalog) -> None:
    """Moatlab's estimates beside published training runs and MLPerf results, with the summary."""
    table = _validation(catalog.version, catalog)
    st.caption(t("compute.validation.lead"))
    summaries = {s.kind: s for s in summarise(table)}
    cols = st.columns(3)
    for col, kind in zip(cols, ("training", "serving", "all"), strict=True):
        s = summaries.get(kind)
        if s is None:
            continue
        with col:
            metric(
                t(f"compute.validation.m.{kind}"),
                t("compute.validation.median", ratio=f"{s.median_ratio:.2f}"),
                Provenance("catalog", t("compute.validation.published")),
                help=t("compute.validation.worst", name=s.worst, ratio=f"{s.worst_ratio:.2f}", rows=s.rows),
            )
    st.container(key="compute_validation_box").dataframe(
        validation_frame(table, current_language()),
        hide_index=True,
        height=36 * (len(table) + 1) + 3,  # every row shown: the table is the evidence
        key="compute_validation",
        column_config={
            t("compute.validation.col.ratio"): st.column_config.NumberColumn(
                format="%.2f", help=t("compute.validation.help.ratio")
            )
        },
    )
    st.caption(t("compute.validation.band", low=f"{BAND[0]:.2f}", high=f"{BAND[1]:.1f}"))


def production_panel(store: Store, run: RunRecord | None) -> tuple[float, float]:
    """The active scenario's production figures (as on every page), and the production data and
    model factors of the page's run under that scenario (the scaled-run defaults; 1, 1 without)."""
    work = current_work(store)
    scenario, _ = validate(work.document)
    if scenario is None:
        return 1.0, 1.0
    effective = bound_scenario(store, scenario, work.run_id)
    run_prov = Provenance("measured", short_id(effective.run.id)) if effective.run is not None else None
    with st.container(border=True):
        st.markdown(
            f"**{t('production.title')}** · {t('compute.production_for', name=for_markdown(work.name))}"
        )
        production_caption(effective.scenario, effective.inputs)
        production_metrics(
            effective.scenario,
            effective.inputs,
            run_prov=run_prov,
            typed_prov=Provenance("assumed", work.name),
        )
    if run is None:
        return 1.0, 1.0
    scale = production_scale(scenario, run.n_train or 1, run.params or 1)
    return scale.data_factor, scale.model_factor
