"""Serving economics and the measured run's own cost, on the Compute cost page."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from bizmodel.basis import BasisError, TechnicalBasis
from bizmodel.catalog import Catalog
from bizmodel.run_cost import (
    RunCostError,
    accelerator_for_device,
    closest_instance,
    cpu_arch,
    device_cpu_arch,
    price_run,
)
from bizmodel.serving import (
    ServingAssumptions,
    ServingError,
    best_serving,
    capacity_plan,
    float_vs_int8,
    run_serving_options,
)
from mlcore.specs import RunRecord
from present import explain
from present import format as fmt
from present.figures import TEMPLATE_NAME, chart_config, money_axis
from present.page_registry import page_file
from present.summary import short_id
from present.tables import plain_table
from safetext import for_chart, for_markdown, for_plain
from ui.components.widgets import Provenance, metric
from ui.session.i18n import current_language, t

PLAN_ROWS = 20


def _basis(run: RunRecord) -> TechnicalBasis | None:
    try:
        return TechnicalBasis.from_record(run.to_dict())
    except BasisError as exc:
        st.warning(t("serving.no_basis", reason=for_markdown(str(exc))))
        return None


def option_label(row: pd.Series) -> str:
    """An option's name in the UI language: instance, path and batch size (an estimate says so)."""
    path = (
        t(f"inference.path.{row['path']}") if row["path"] in ("compiled", "predict", "int8") else row["path"]
    )
    key = "serving.option.estimate" if row["provenance"] == "assumed" else "serving.option.measured"
    return t(
        key, instance=row["instance"], accelerator=row["accelerator"], path=path, batch=int(row["batch_size"])
    )


def cost_figure(
    plan: pd.DataFrame,
    *,
    title: str,
    x_title: str,
    hover: str = "{cost} a month · {instances} instances · p95 per request {p95} ms · {provenance}",
) -> go.Figure:
    """Monthly cost of the cheapest options meeting the target, measured and assumed apart (USD,
    drawn in the display currency)."""
    money = money_axis()
    shown = plan[plan["meets_p95_target"]].head(12).iloc[::-1]
    colours = shown["provenance"].map({"measured": "#2e7d32", "assumed": "#ef6c00"}).fillna("#888")
    fig = go.Figure(
        go.Bar(
            x=money.values(shown["monthly_usd"]),
            y=shown["option"].map(lambda o: for_chart(explain.words(o, current_language()))),
            orientation="h",
            marker={"color": list(colours)},
            customdata=shown.assign(provenance_label=shown.get("provenance_label", shown["provenance"]))[
                ["provenance_label", "instances", "p95_request_ms"]
            ].to_numpy(),
            hovertemplate="%{y}<br>"
            + hover.format(
                cost=money.hover("x"),
                instances="%{customdata[1]}",
                p95="%{customdata[2]:.3g}",
                provenance="%{customdata[0]}",
            )
            + "<extra></extra>",
        )
    )
    fig.update_layout(
        template=TEMPLATE_NAME,
        title=title,
        xaxis={"title": x_title, "type": "log", **money.log_ticks()},
        yaxis={"type": "category"},
        height=140 + 28 * len(shown),
        margin={"l": 280},
    )
    return fig


@dataclass(frozen=True)
class ServingInputs:
    """The serving section's typed inputs: volume, p95 target (ms) and the assumptions in percent."""

    requests_per_month: float
    p95_target_ms: float
    utilisation_pct: float
    efficiency_pct: float
    peak_to_average: float

    @property
    def assumptions(self) -> ServingAssumptions:
        """The :class:`~bizmodel.serving.ServingAssumptions` (ServingError when it refuses)."""
        return ServingAssumptions(
            utilisation=self.utilisation_pct / 100,
            efficiency=self.efficiency_pct / 100,
            peak_to_average=self.peak_to_average,
        )


def _serving_inputs() -> ServingInputs:
    """Volume, p95 target, utilisation, efficiency and peak-to-average, as widgets with keys."""
    c1, c2, c3, c4, c5 = st.columns(5)
    requests = c1.number_input(
        t("serving.requests"), 1_000.0, 1e13, 10_000_000.0, 1_000_000.0, key="serving_requests", format="%g"
    )
    target = c2.number_input(t("serving.p95"), 0.01, 60_000.0, 50.0, 5.0, key="serving_p95", format="%g")
    utilisation = c3.slider(t("serving.utilisation"), 5, 100, 50, 5, key="serving_util", format="%d %%")
    efficiency = c4.slider(
        t("serving.efficiency"),
        1,
        50,
        5,
        1,
        key="serving_eff",
        format="%d %%",
        help=t("serving.help.efficiency"),
    )
    peak = c5.number_input(
        t("serving.peak"), 1.0, 100.0, 2.0, 0.5, key="serving_peak", format="%g", help=t("serving.help.peak")
    )
    return ServingInputs(requests, target, utilisation, efficiency, peak)


def _best_metrics(best: pd.Series, run: RunRecord, target: float) -> None:
    """The cheapest option meeting the target: its name, month, $ per 1,000 and instances."""
    prov = Provenance(
        best["provenance"],
        short_id(run.id) if best["provenance"] == "measured" else t("serving.estimate"),
    )
    cols = st.columns(4)
    with cols[0]:
        metric(t("serving.m.best"), for_markdown(explain.words(best["option"], current_language())), prov)
    with cols[1]:
        metric(t("serving.m.monthly"), fmt.fmt_usd(best["monthly_usd"]), prov)
    with cols[2]:
        metric(
            t("serving.m.per_1000_money", **fmt.currency_words()),
            fmt.fmt_usd(best["usd_per_1000_at_load"]),
            prov,
            help=t("serving.help.per_1000"),
        )
    with cols[3]:
        metric(t("serving.m.instances"), fmt.fmt_int(int(best["instances"])), prov)
    st.caption(
        t(
            "serving.best_note",
            fill=f"{best['fill_ms']:.3g}",
            p95=f"{best['p95_ms']:.3g}",
            request=f"{best['p95_request_ms']:.3g}",
            target=f"{target:g}",
        )
    )


def _plan_table(plan: pd.DataFrame, utilisation: float) -> None:
    """The first :data:`PLAN_ROWS` options of the capacity plan, units in the column names."""
    frame = plan.head(PLAN_ROWS)
    lang = current_language()
    words, style = fmt.currency_words(), fmt.current_style()
    per_1000 = t("serving.col.per_1000_money", utilisation=f"{utilisation:g}", **words)
    p95_request = t("serving.col.p95_request")
    st.dataframe(
        pd.DataFrame(
            {
                t("serving.col.option"): frame["option"].map(lambda o: for_plain(explain.words(o, lang))),
                t("serving.col.provenance"): frame["provenance"].map(lambda p: t(f"provenance.{p}")),
                t("serving.col.sps"): frame["samples_per_second"].round(0),
                t("serving.col.p95_call"): frame["p95_ms"].round(3),
                p95_request: frame["p95_request_ms"].round(3),
                per_1000: style.from_usd(frame["usd_per_1000"]),
                t("serving.col.instances"): frame["instances"],
                t("serving.col.monthly_money", **words): style.from_usd(frame["monthly_usd"]).round(2),
                t("serving.col.meets"): frame["meets_p95_target"],
            }
        ),
        hide_index=True,
        column_config={
            per_1000: st.column_config.NumberColumn(format=fmt.money_printf(6)),
            p95_request: st.column_config.NumberColumn(help=t("serving.help.p95_request")),
        },
    )


def _basis_with_profile(run: RunRecord) -> TechnicalBasis | None:
    """The run's basis when it has an inference profile; else None after saying how to get one."""
    basis = _basis(run)
    if basis is None:
        return None
    if not basis.has_inference:
        st.info(t("serving.no_profile"), icon=":material/speed:")
        st.page_link(page_file("inference"), label=t("serving.to_inference"), icon=":material/speed:")
        return None
    return basis


def serving_section(run: RunRecord, catalog: Catalog) -> None:
    """$ per 1,000 predictions per option, the capacity plan for a volume and a p95 target."""
    basis = _basis_with_profile(run)
    if basis is None:
        return
    inputs = _serving_inputs()
    target = inputs.p95_target_ms
    try:
        assumptions = inputs.assumptions
        options = run_serving_options(basis, catalog.instances, catalog.accelerators, assumptions)
        plan = capacity_plan(
            options,
            requests_per_month=inputs.requests_per_month,
            p95_target_ms=target,
            assumptions=assumptions,
        )
    except ServingError as exc:
        st.error(t("serving.refused", reason=for_markdown(str(exc))))
        return
    plan = plan.assign(
        option=plan.apply(option_label, axis=1),
        provenance_label=plan["provenance"].map(lambda p: t(f"provenance.{p}")),
    )
    best = best_serving(plan)
    if best is None:
        st.warning(t("serving.none_meets", target=f"{target:g}"))
    else:
        _best_metrics(best, run, target)
    st.plotly_chart(
        cost_figure(
            plan,
            title=t("serving.chart", target=f"{target:g}"),
            x_title=t("serving.chart_x_money", **fmt.currency_words()),
            hover=t("serving.chart.hover"),
        ),
        key="serving_chart",
        config=chart_config("serving-cost-per-month"),
    )
    st.caption(t("serving.legend"))
    _plan_table(plan, inputs.utilisation_pct)
    comparison = float_vs_int8(options)
    if len(comparison):
        with st.expander(t("serving.int8")):
            st.dataframe(plain_table(int8_table(comparison)), hide_index=True)


#: The float-against-int8 table's other columns, each with a catalog label ``serving.int8.<name>``.
INT8_COLUMNS = ("device", "batch_size", "float_accuracy", "int8_accuracy", "accuracy_change")


def int8_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """:func:`~bizmodel.serving.float_vs_int8` for display: the two costs in the display currency,
    their columns named with it."""
    words, style = fmt.currency_words(), fmt.current_style()
    return comparison.assign(
        float_usd_per_1000=style.from_usd(comparison["float_usd_per_1000"]),
        int8_usd_per_1000=style.from_usd(comparison["int8_usd_per_1000"]),
    ).rename(
        columns={
            "float_usd_per_1000": t("serving.int8.float_per_1000", **words),
            "int8_usd_per_1000": t("serving.int8.int8_per_1000", **words),
            **{c: t(f"serving.int8.{c}") for c in INT8_COLUMNS},
        }
    )


def run_cost_section(run: RunRecord, catalog: Catalog) -> None:
    """The measured run priced on the instance it ran on (or the closest catalog match)."""
    basis = _basis(run)
    if basis is None:
        return
    current = catalog.instances[catalog.instances["status"] == "current"].reset_index(drop=True)
    accelerator = None
    if basis.device_kind == "gpu" and basis.device:
        accelerator = accelerator_for_device(basis.device, list(catalog.accelerator_keys))
    run_arch = device_cpu_arch(basis.device)
    try:
        match = closest_instance(
            current, vcpus=basis.cpu_logical_cores, accelerator=accelerator, arch=run_arch
        )
    except RunCostError as exc:
        st.warning(t("serving.refused", reason=for_markdown(explain.words(exc, current_language()))))
        return
    labels = [f"{r.provider} · {r.instance_type} · {r.region}" for r in current.itertuples()]
    default = next(
        (
            i
            for i, r in enumerate(current.itertuples())
            if r.instance_type == match["instance_type"] and r.region == match["region"]
        ),
        0,
    )
    c1, c2, c3 = st.columns([3, 1, 1])
    chosen = c1.selectbox(
        t("runcost.instance"),
        range(len(labels)),
        index=default,
        format_func=lambda i: for_plain(labels[i]),
        key="runcost_instance",
    )
    kwh = c2.number_input(t("compute.usd_per_kwh"), 0.0, 5.0, 0.12, 0.01, key="runcost_kwh")
    grid = c3.number_input(t("compute.grid"), 0.0, 2000.0, 400.0, 10.0, key="runcost_grid")
    st.caption(
        t(
            "runcost.match",
            instance=for_markdown(labels[default]),
            device=for_markdown(explain.words(basis.device, current_language()) if basis.device else "?"),
            arch=t(f"runcost.arch.{cpu_arch(match['instance_type'], match['provider'])}"),
            run_arch=t(f"runcost.arch.{run_arch}"),
        )
    )
    try:
        cost = price_run(basis, current.iloc[int(chosen)], usd_per_kwh=kwh, grid_g_co2_per_kwh=grid)
    except RunCostError as exc:
        st.warning(t("serving.refused", reason=for_markdown(explain.words(exc, current_language()))))
        return
    fields = (
        "wall_seconds",
        "usd_per_hour",
        "compute_usd",
        "energy_kwh",
        "energy_usd",
        "co2_kg",
        "usd_per_epoch",
        "usd_per_1000_samples",
    )
    short = {
        "measured": short_id(run.id),
        "catalog": catalog.as_of.isoformat(),
        "assumed": t("compute.your_input"),
    }
    cols = st.columns(4)
    for i, (field, item) in enumerate(zip(fields, cost.items, strict=True)):
        with cols[i % 4]:
            value = fmt.MISSING if item.value is None else _value(item.value, item.unit)
            metric(
                t(f"runcost.{field}"),
                value,
                Provenance(item.provenance, short[item.provenance]),
                help=for_markdown(explain.words(item.detail, current_language())),
            )
    st.caption(t("runcost.note"))


def _value(value: float, unit: str) -> str:
    if unit == "USD":
        return fmt.fmt_usd(value)
    if unit == "USD/h":
        return f"{fmt.fmt_usd(value)}/h"
    if unit == "s":
        return fmt.fmt_duration(value)
    return f"{fmt.fmt_number(value)} {unit}"
