"""The Overview dashboard: the active scenario's business case at a glance, ready to share.

One cached :class:`~present.report_data.Report` feeds everything here (and the downloads), so the
dashboard, the HTML report and the workbook show the same numbers: the KPIs beside the run that
drives them (accuracy, this run's cost, one production retraining, $ per 1,000 predictions), the generated
narrative, the cash fan chart and the economic-advantage scorecard, each number with its badge.
"""

from __future__ import annotations

import streamlit as st

from bizmodel.advantage import CATEGORIES
from present import format as fmt
from present.explain import words
from present.figures import chart_config
from present.kpi_registry import HEADLINE, KpiWords, kpi_texts
from present.median_gap_text import median_gap_sentence
from present.narrative import narrative, terminal_help
from present.page_registry import page_file
from present.production_text import production_lead
from present.report_data import Report
from present.scenario_figures import FanLabels, fan_figure
from present.score_format import format_score_item, score_words
from present.summary import short_id
from safetext import for_markdown
from store import Store
from ui.components.exports import export_buttons, report_of, share_button
from ui.components.production import production_metrics
from ui.components.scenario_compute import month_text
from ui.components.scenario_work import Work
from ui.components.widgets import Provenance, badge, card_row, empty_state, metric
from ui.session.i18n import current_language, t


def _catalog_prov(report: Report) -> Provenance:
    return Provenance("catalog", report.catalog["as_of"])


def _run_prov(report: Report) -> Provenance | None:
    return Provenance("measured", short_id(report.run.id)) if report.run is not None else None


def business_kpis(report: Report) -> None:
    """NPV, break-even, runway and the Monte Carlo's P(break-even), badged by what drives them."""
    k, horizon = report.kpis, report.effective.horizon_months
    # Projections of the assumptions; when a run drives them, its measurements are inputs too.
    provs = [Provenance("assumed", report.name)]
    run_prov = _run_prov(report)
    if report.inputs is not None and run_prov is not None:
        provs.append(run_prov)
    mc = report.monte_carlo
    terminal = for_markdown(terminal_help(k, report.effective, current_language()))
    words = KpiWords(lambda v: month_text(v, horizon), t("scenario.runway_full"))
    items = [
        (t(spec.label), text, t(spec.help) + (f"\n\n{terminal}" if spec.explained_by == "terminal" else ""))
        for spec, text in kpi_texts(k, HEADLINE, words)
    ]
    items.append(
        (
            t("scenario.mc.p_break_even"),
            fmt.fmt_pct(mc.probability_break_even) if mc is not None else fmt.MISSING,
            t("scenario.mc.p_break_even_help"),
        )
    )
    for col, (label, value, help_text) in zip(st.columns(len(items)), items, strict=True):
        with col:
            metric(label, value, help=help_text)
            for prov in provs:
                badge(prov)


def technical_kpis(report: Report) -> None:
    """The run behind the case: accuracy, then this run's cost, one production retraining and
    $ per 1,000 predictions in production (the figures every page shows, :mod:`present.production_text`)."""
    run_prov = _run_prov(report)
    inputs = report.inputs
    st.caption(production_lead(report.effective, inputs, t))
    cols = st.columns(4)
    with cols[0]:
        if inputs is not None:
            metric(t("m.test_accuracy"), fmt.fmt_pct(inputs.model_accuracy), run_prov)
        else:
            metric(
                t("m.test_accuracy"),
                fmt.fmt_pct(report.effective.model_accuracy),
                Provenance("assumed", report.name),
            )
    production_metrics(
        report.effective,
        inputs,
        run_prov=run_prov,
        typed_prov=Provenance("assumed", report.name),
        columns=cols[1:],
    )


def scorecard_summary(report: Report) -> None:
    """The four kinds of economic advantage, one card each (a row of cards that wraps rather than
    squeeze a word), favourable items marked."""
    if not report.scorecard:
        st.info(for_markdown(report.notes.get("scorecard", "")))
        return
    judged = [i for i in report.scorecard if i.favourable is not None]
    st.markdown(t("advantage.tally", favourable=sum(1 for i in judged if i.favourable), judged=len(judged)))
    row = card_row("overview_scorecard")
    for category in CATEGORIES:
        with row, st.container(border=True):
            st.markdown(f"**{t(f'advantage.category.{category}')}**")
            for item in (i for i in report.scorecard if i.category == category):
                mark = {True: "✅", False: "⚠️", None: "ℹ️"}[item.favourable]
                label = t(f"advantage.item.{item.key}", **score_words())
                st.markdown(
                    f"{mark} {label}: **{format_score_item(item, current_language())}**",
                    help=for_markdown(words(item.detail, current_language())),
                )
    st.page_link(page_file("build-vs-buy"), label=t("overview.to_scorecard"), icon=":material/balance:")


def fan_chart(report: Report) -> None:
    """The Monte Carlo cash fan with the deterministic plan."""
    mc = report.monte_carlo
    if mc is None:
        st.info(for_markdown(report.notes.get("monte_carlo", "")))
        return
    labels = FanLabels.of_cash(t, t("scenario.axis.money", **fmt.currency_words()))
    st.plotly_chart(
        fan_figure(mc.fan, labels, deterministic=report.frame["cash_usd"]),
        width="stretch",
        key="overview_fan",
        config=chart_config("cash-fan"),
    )
    sentence = median_gap_sentence(mc.median_gap, current_language())
    if sentence:  # the median path is not the plan: say why
        st.caption(for_markdown(sentence), help=t("median_gap.why"))


def dashboard(store: Store, work: Work) -> None:
    """The whole business-case block of the Overview."""
    head, actions = st.columns([3, 2], vertical_alignment="bottom")
    with head:
        run_text = (
            t("overview.case_run", run=for_markdown(work.run_id)) if work.run_id else t("overview.case_typed")
        )
        st.markdown(t("overview.case", name=for_markdown(work.name)) + " · " + run_text)
    with actions:
        share_button(work, "overview")
    report = report_of(store, work)
    if report is None:
        return
    for note in ("binding",):
        if note in report.notes:
            st.warning(for_markdown(words(report.notes[note], current_language())))
    business_kpis(report)
    st.markdown(" ".join(for_markdown(s) for s in narrative(report, current_language())))
    technical_kpis(report)
    if report.run is None:
        empty_state(
            t("overview.no_bound_run"), page=page_file("scenarios"), link_label=t("overview.bind_run")
        )
    fan_chart(report)
    scorecard_summary(report)
    st.subheader(t("share.title"))
    st.caption(t("share.lead"))
    export_buttons(store, work)
    badge(
        Provenance(
            "catalog",
            t(
                "overview.catalog_dates",
                newest=report.catalog["as_of"],
                oldest=report.catalog["oldest_as_of"],
            ),
        )
    )
