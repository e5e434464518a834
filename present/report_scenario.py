"""The report's sections about the scenario: the projection, Monte Carlo, sensitivity, the value
of accuracy and the advantage scorecard, then every assumption behind them.

Each section computes its labels and formatted numbers here and is laid out by its partial in
``present/templates`` (:mod:`present.report_blocks`).
"""

from __future__ import annotations

from markupsafe import Markup

from bizmodel.advantage import CATEGORIES, ScoreItem
from bizmodel.production import factor_text
from bizmodel.sensitivity import LEVERS as SENSITIVITY_LEVERS
from bizmodel.validation import BAND, summarise
from present import format as fmt
from present.field_registry import NUMERIC_FIELDS, WORDED_FIELDS, ScenarioField, find
from present.median_gap_text import field_label, median_gap_sentence, signed_usd, value_text
from present.report_blocks import CHART_HEIGHT, Blocks, bare_label, macros
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
from present.score_format import format_score_item, score_words
from present.summary import short_id

#: Sections a note in ``Report.notes`` can be about (labels ``report.note.<key>``).
NOTE_SECTIONS = ("binding", "monte_carlo", "sensitivity", "scorecard", "compute", "serving", "data_value")
#: Levers of the tornado (labels ``lever.<key>``).
LEVERS = tuple(lever.key for lever in SENSITIVITY_LEVERS)
#: A verdict's class, mark and label key, by ``ScoreItem.favourable``.
VERDICTS = {
    True: ("good", "▲", "report.verdict.favourable"),
    False: ("bad", "▼", "report.verdict.unfavourable"),
    None: ("info", "●", "report.verdict.informational"),
}


class ScenarioSections(Blocks):
    """The scenario and its assumptions."""

    def scenario(self) -> Markup:
        r = self.r
        mc = r.monte_carlo
        return self.render(
            "_scenario.html.j2",
            **self.projection(),
            mc=self.monte_carlo(mc) if mc is not None else None,
            mc_note=self.note("monte_carlo"),
            tornado=self.sensitivity() if r.tornado is not None and len(r.tornado) else None,
            tornado_note=self.note("sensitivity"),
            value=self.value_of_accuracy(),
            scorecard=self.scorecard() if r.scorecard else None,
            scorecard_note=self.note("scorecard"),
        )

    # -- projection

    def lever(self, key: str) -> str:
        label = self.t(f"lever.{key}")
        return key if label == f"[lever.{key}]" else label

    def yearly_table(self) -> Markup:
        frame = self.r.frame
        years = (frame.index.to_numpy() - 1) // 12 + 1
        rows = []
        for year, part in frame.groupby(years):
            last = part.iloc[-1]
            rows.append(
                (
                    str(int(year)),
                    fmt.fmt_number(float(last["active_customers"])),
                    fmt.fmt_usd(float(part["revenue_usd"].sum())),
                    fmt.fmt_usd(float(part["gross_margin_usd"].sum())),
                    fmt.fmt_usd(float(part["operating_cash_flow_usd"].sum())),
                    fmt.fmt_usd(float(part["funding_usd"].sum())),
                    fmt.fmt_usd(float(last["cash_usd"])),
                    fmt.fmt_usd(float(last["arr_usd"])),
                )
            )
        headers = [
            self.t("report.col.year"),
            bare_label(self.t("scenario.col.active_customers")),
            bare_label(self.t("scenario.col.revenue_usd")),
            bare_label(self.t("scenario.col.gross_margin_usd")),
            bare_label(self.t("scenario.col.operating_cash_flow_usd")),
            bare_label(self.t("scenario.col.funding_usd")),
            bare_label(self.t("report.col.cash_end")),
            bare_label(self.t("report.col.arr_end")),
        ]
        return self.table(headers, rows, numeric=range(8), cls="yearly")

    def projection(self) -> dict[str, object]:
        """The projection chart, the yearly table and the accuracy link with its explanation."""
        r = self.r
        labels = ProjectionLabels(
            title=self.t("scenario.chart.projection"),
            month=self.t("scenario.axis.month"),
            usd=self.style.currency,
            cash=self.t("scenario.series.cash"),
            revenue=self.t("scenario.series.revenue"),
            operating=self.t("scenario.series.operating"),
        )
        s = r.effective
        link = LinkLabels(
            title=self.t("scenario.chart.link"),
            accuracy=self.t("scenario.axis.accuracy"),
            factor=self.t("scenario.series.factor"),
            churn=self.t("scenario.series.churn"),
            minimum=bare_label(self.t("scenario.f.minimum_viable_accuracy")),
            delightful=bare_label(self.t("scenario.f.delightful_accuracy")),
            current=self.t("scenario.series.model"),
        )
        link_fig = accuracy_link_figure(
            s.accuracy_link,
            accuracy=s.model_accuracy,
            monthly_churn=s.monthly_churn,
            churn_extra=s.churn_at_minimum_accuracy_extra,
            labels=link,
        )
        return {
            "projection_chart": self.chart("projection", projection_figure(r.frame, labels)),
            "yearly": self.yearly_table(),
            "link_chart": self.chart("accuracy_link", link_fig),
            "link_explain": self.t(
                "scenario.link_explain",
                factor=fmt.fmt_pct(s.accuracy_factor),
                churn=fmt.fmt_pct(s.effective_monthly_churn, decimals=2),
            ),
        }

    # -- Monte Carlo

    def monte_carlo(self, mc: MonteCarloSection) -> dict[str, object]:
        """The caption's numbers, the probability cards, the percentiles, the median gap, the charts."""
        hist_labels = HistogramLabels(
            title=self.t("scenario.chart.npv_hist"),
            npv=self.t("kpi.npv_usd"),
            paths=self.t("scenario.axis.paths"),
            median="P50",
        )
        last = mc.fan.iloc[-1]
        rows = [
            (self.t("kpi.npv_usd"), *(fmt.fmt_usd(mc.npv.get(q)) for q in ("p10", "p50", "p90"))),
            (
                self.t("report.mc.cash_end", month=int(mc.fan.index[-1])),
                *(fmt.fmt_usd(float(last[q])) for q in ("p10", "p50", "p90")),
            ),
        ]
        cards = [
            self.card(self.t(f"scenario.mc.{key}"), fmt.fmt_pct(value), why=self.t(f"scenario.mc.{key}_help"))
            for key, value in (
                ("p_out_of_cash", mc.probability_out_of_cash),
                ("p_break_even", mc.probability_break_even),
            )
        ]
        fan = fan_figure(
            mc.fan, FanLabels.of_cash(self.t, self.style.currency), deterministic=self.r.frame["cash_usd"]
        )
        return {
            "paths": fmt.fmt_int(mc.paths),
            "seed": mc.seed,
            "ranges": bool(self.r.effective.ranges),
            "cards": cards,
            "percentiles": self.table(
                ["", "P10", "P50", "P90"], rows, numeric=(1, 2, 3), cls="mc-percentiles compact"
            ),
            "gap": self.median_gap(mc),
            "fan": self.chart("fan", fan),
            "histogram": self.chart("npv_histogram", npv_histogram(mc.npv_usd, hist_labels)),
        }

    def median_gap(self, mc: MonteCarloSection) -> dict[str, object] | None:
        """Why the median NPV differs from the plan's: the sentence, each range's median and NPV
        effect, the ranges acting together; nothing when the gap is not material."""
        gap = mc.median_gap
        sentence = median_gap_sentence(gap, self.lang)
        if gap is None or sentence is None:
            return None
        rows: list[tuple[str, ...]] = []
        for d in gap.drivers:
            low, high, value, median = value_text(d.field, [d.low, d.high, d.point_value, d.median_value])
            rows.append(
                (
                    field_label(d.field, self.lang),
                    f"{low} … {high} ({self.distribution(d.distribution)})",
                    value,
                    median,
                    signed_usd(d.npv_effect_usd),
                )
            )
        rows.append((self.t("median_gap.row.together"), "", "", "", signed_usd(gap.interaction_usd)))
        rows.append((self.t("median_gap.row.gap"), "", "", "", signed_usd(gap.gap_usd)))
        headers = [
            self.t("report.col.field"),
            self.t("report.col.range"),
            self.t("median_gap.col.plan"),
            self.t("median_gap.col.median"),
            self.t("median_gap.col.effect"),
        ]
        return {
            "sentence": sentence,
            "table": self.table(headers, rows, numeric=(2, 3, 4), cls="median-gap compact"),
        }

    # -- sensitivity

    def sensitivity(self) -> dict[str, object]:
        """The biggest lever, the two tornado charts and the table of every lever."""
        frame = self.r.tornado
        assert frame is not None
        change = f"{100 * self.r.change:g}"
        npv_fig, be_fig = tornado_figures(
            frame,
            horizon=self.r.effective.horizon_months,
            change_pct=100 * self.r.change,
            translate=self.t,
            lever_names={k: self.lever(k) for k in LEVERS},
        )
        top = frame.iloc[0]
        rows = [
            (
                self.lever(str(row["key"])),
                self.t(f"scenario.tornado.{row['kind']}")
                if row["kind"] in ("technical", "business")
                else row["kind"],
                fmt.fmt_usd(row["npv_low_usd"]),
                fmt.fmt_usd(row["npv_high_usd"]),
                fmt.fmt_usd(row["npv_swing_usd"]),
                self.month(row["break_even_low"]),
                self.month(row["break_even_high"]),
                self.t(f"lever.{row['key']}.help")
                if f"[lever.{row['key']}.help]" != self.t(f"lever.{row['key']}.help")
                else "",
            )
            for row in frame.to_dict("records")
        ]
        headers = [
            self.t("report.col.lever"),
            self.t("report.col.kind"),
            self.t("report.col.npv_low", change=change),
            self.t("report.col.npv_high", change=change),
            self.t("report.col.swing"),
            self.t("report.col.break_even_low", change=change),
            self.t("report.col.break_even_high", change=change),
            self.t("report.col.meaning"),
        ]
        height = max(CHART_HEIGHT, 46 * len(frame) + 140)
        return {
            "top": self.t(
                "scenario.tornado.top",
                lever=self.lever(str(top["key"])),
                swing=fmt.fmt_usd(float(top["npv_swing_usd"])),
                change=change,
            ),
            "npv_chart": self.chart("tornado_npv", npv_fig, height=height),
            "break_even_chart": self.chart("tornado_break_even", be_fig, height=height),
            "table": self.table(headers, rows, numeric=(2, 3, 4), cls="tornado"),
        }

    # -- value of accuracy and the scorecard

    def value_of_accuracy(self) -> dict[str, object]:
        v = self.r.accuracy_value
        badges = [self.assumed_badge()] + ([self.run_badge] if self.r.inputs is not None else [])
        card = self.card(
            self.t("scenario.value_of_accuracy"),
            fmt.fmt_usd(v.usd_per_point_year),
            badges=badges,
            key="value_of_accuracy",
        )
        return {"card": card, "detail": self.m(v.detail), "reason": self.m(v.reason) if v.reason else ""}

    def verdict(self, item: ScoreItem) -> Markup:
        if item.value is None:
            return Markup("")
        cls, mark, key = VERDICTS.get(item.favourable, VERDICTS[None])
        return Markup(macros().verdict(cls, mark, self.t(key)))

    def score_row(self, item: ScoreItem) -> tuple[object, ...]:
        """An item of the scorecard: category, label, value, verdict, source, detail."""
        label = self.t(f"advantage.item.{item.key}", **score_words())
        if label.startswith("[advantage.item."):
            label = item.label
        category = self.t(f"advantage.category.{item.category}")
        if category.startswith("[advantage.category."):
            category = item.category
        if item.provenance == "measured" and self.r.run is not None:
            source = self.badge("measured", short_id(self.r.run.id))
        else:
            source = self.badge(item.provenance)
        detail = self.m(item.detail) + (f" — {self.m(item.reason)}" if item.reason else "")
        return (category, label, format_score_item(item, self.lang), self.verdict(item), source, detail)

    def scorecard(self) -> dict[str, object]:
        items = self.r.scorecard
        order = {c: i for i, c in enumerate(CATEGORIES)}
        rows = [
            self.score_row(item) for item in sorted(items, key=lambda i: order.get(i.category, len(order)))
        ]
        headers = [
            self.t("report.col.category"),
            self.t("report.col.item"),
            self.t("report.col.value"),
            self.t("report.col.verdict"),
            self.t("report.col.source"),
            self.t("report.col.detail"),
        ]
        competitor = self.r.options.competitor
        return {
            "favourable": sum(1 for i in items if i.favourable is True),
            "judged": sum(1 for i in items if i.favourable is not None),
            "competitor": self.t(
                "report.scorecard.competitor",
                cost=fmt.fmt_usd(competitor.usd_per_1000_predictions),
                accuracy=fmt.fmt_pct(competitor.accuracy),
            ),
            "badge": self.badge("assumed"),
            "table": self.table(headers, rows, numeric=(2,), cls="scorecard"),
        }

    # -- assumptions

    def factor_value(self, name: str, value: float) -> str:
        """A production factor: ``×18.1`` as typed, or ``derived: ×18.1`` when 0 (from the plan)."""
        scale = self.r.inputs.scale if self.r.inputs is not None else None
        if value > 0:
            return f"×{factor_text(value)}"
        if scale is None:
            return self.t("report.factor_derived_no_run")
        factor = scale.data_factor if name == "production_data_factor" else scale.model_factor
        return self.t("report.factor_derived", factor=factor_text(factor))

    def field_value(self, kind: str, value: float) -> str:
        if kind == "pct":
            return fmt.fmt_pct(value, decimals=2)
        if kind == "usd":
            return fmt.fmt_usd(value)
        if kind == "int":
            return fmt.fmt_int(int(value))
        return fmt.fmt_number(value)

    def worded(self, spec: ScenarioField) -> str:
        """A choice or a true/false field of the scenario in words."""
        value = spec.of(self.r.effective)
        if spec.kind == "bool":
            return self.t("report.yes") if value else self.t("report.no")
        return self.t(f"{spec.options_key}.{value}")

    def distribution(self, name: str) -> str:
        return self.named("report.distribution", name)

    def field_rows(self) -> list[tuple[object, ...]]:
        """Every field of the scenario: label, value, unit, source, range."""
        s = self.r.effective
        measured = self.r.measured_fields
        ranges = {rg.field: rg for rg in s.ranges}
        currency = self.style.currency
        rows: list[tuple[object, ...]] = []
        for spec in NUMERIC_FIELDS:
            value = spec.of(s)
            rg = ranges.get(spec.name)
            kind = spec.kind
            range_text = (
                f"{self.field_value(kind, rg.low)} … {self.field_value(kind, rg.high)} "
                f"({self.distribution(rg.distribution)})"
                if rg is not None
                else ""
            )
            prov = self.run_badge if spec.name in measured else self.assumed_badge()
            shown = self.factor_value(spec.name, value) if kind == "factor" else self.field_value(kind, value)
            unit = self.t(spec.units.report_key, currency=currency)
            rows.append((bare_label(self.t(spec.label)), shown, unit, prov, range_text))
        for rg in s.ranges:  # ranges on fields the table does not list (none today)
            if find(rg.field) is None:
                range_text = f"{rg.low:g} … {rg.high:g} ({self.distribution(rg.distribution)})"
                rows.append((rg.field, "", "", self.assumed_badge(), range_text))
        money = self.t("report.unit.money", currency=currency)
        rows += [
            (
                self.t("scenario.headcount"),
                self.headcount_text(),
                self.t("report.unit.people"),
                self.assumed_badge(),
                "",
            ),
            (self.t("scenario.funding"), self.funding_text(), money, self.assumed_badge(), ""),
        ]
        rows += [
            (self.t(spec.label), self.worded(spec), "", self.assumed_badge(), "") for spec in WORDED_FIELDS
        ]
        return rows

    def measured_details(self) -> Markup | None:
        """How each measured figure was formed (none without a run)."""
        inputs = self.r.inputs
        if inputs is None:
            return None
        details = [
            (self.t("scenario.f.model_accuracy"), self.m(inputs.accuracy_detail)),
            (self.t("production.run_cost_usd"), self.m(inputs.run_cost_detail)),
            (self.t("scenario.f.retrain_cost_usd"), self.m(inputs.retrain_detail)),
            (self.t("scenario.f.serving_usd_per_1000_predictions"), self.m(inputs.serving_detail)),
        ]
        return self.table(
            [self.t("report.col.field"), self.t("report.col.detail")],
            [(bare_label(a), b) for a, b in details if b],
            cls="measured-details",
        )

    def assumptions(self) -> Markup:
        r = self.r
        headers = [
            self.t("report.col.field"),
            self.t("report.col.value"),
            self.t("report.col.unit"),
            self.t("report.col.source"),
            self.t("report.col.range"),
        ]
        notes = [self.note(key) for key in NOTE_SECTIONS if key in r.notes]
        notes += [self.note(key) for key in r.notes if key not in NOTE_SECTIONS]
        return self.render(
            "_assumptions.html.j2",
            fields=self.table(headers, self.field_rows(), numeric=(1,), cls="assumptions"),
            measured=self.measured_details(),
            options=self.options_table(),
            validation=self.validation(),
            notes=notes,
        )

    def validation(self) -> dict[str, object] | None:
        """How close the estimates are: the summary and every published run beside its estimate."""
        table = self.r.validation
        if table is None or table.empty:
            return None
        lines = [
            self.t(
                "report.validation.summary",
                kind=self.t(f"compute.validation.m.{s.kind}"),
                rows=s.rows,
                median=f"{s.median_ratio:.2f}",
                worst=s.worst,
                worst_ratio=f"{s.worst_ratio:.2f}",
            )
            for s in summarise(table)
        ]
        scope = table["scope_zh"] if self.lang == "zh" else table["scope"]
        rows = [
            (
                r["name"],
                r["hardware"],
                self.t(f"compute.validation.unit.{r['unit']}"),
                fmt.fmt_validation(r["published"], r["unit"]),
                fmt.fmt_validation(r["estimate"], r["unit"]),
                f"{r['ratio']:.2f}",
                sc,
                r["source"],
            )
            for (_, r), sc in zip(table.iterrows(), scope, strict=True)
        ]
        headers = [
            self.t(f"compute.validation.col.{key}")
            for key in ("name", "hardware", "unit", "published", "estimate", "ratio", "scope", "source")
        ]
        return {
            "lines": lines,
            "table": self.table(headers, rows, numeric=(3, 4, 5), cls="validation"),
            "band": self.t("compute.validation.band", low=f"{BAND[0]:.2f}", high=f"{BAND[1]:.1f}"),
        }

    def headcount_text(self) -> str:
        steps: list[str] = []
        previous = None
        for month, heads in enumerate(self.r.effective.headcount_by_month, start=1):
            if heads != previous:
                steps.append(self.t("report.headcount_step", month=month, people=f"{heads:g}"))
                previous = heads
        return " · ".join(steps) or fmt.MISSING

    def funding_text(self) -> str:
        rounds = self.r.effective.funding_rounds
        if not rounds:
            return fmt.MISSING
        return " · ".join(
            self.t("report.funding_round", month=fr.month, amount=fmt.fmt_usd(fr.amount_usd)) for fr in rounds
        )

    def options_table(self) -> Markup:
        o = self.r.options
        c = o.competitor
        currency = self.style.currency
        p95 = (
            fmt.fmt_duration(c.p95_latency_ms / 1000.0)
            if c.p95_latency_ms is not None
            else self.t("advantage.in.unknown")
        )
        rows = [
            (self.t("scenario.mc.paths"), fmt.fmt_int(o.paths), ""),
            (self.t("scenario.mc.seed"), str(o.seed), ""),
            (self.t("scenario.tornado.change"), f"± {100 * o.change:g}", self.t("report.unit.pct")),
            (
                bare_label(self.t("advantage.in.competitor_usd")),
                fmt.fmt_usd(c.usd_per_1000_predictions),
                self.t("report.unit.money_per_1000_predictions", currency=currency),
            ),
            (bare_label(self.t("advantage.in.competitor_accuracy")), fmt.fmt_pct(c.accuracy), ""),
            (bare_label(self.t("advantage.in.competitor_p95")), p95, ""),
            (
                bare_label(self.t("advantage.in.label_cost")),
                fmt.fmt_usd(o.label_cost_usd),
                self.t("report.unit.money_per_sample", currency=currency),
            ),
            (self.t("report.option.extra_samples"), fmt.fmt_int(o.extra_samples), ""),
        ]
        headers = [self.t("report.col.option"), self.t("report.col.value"), self.t("report.col.unit")]
        return self.table(headers, rows, numeric=(1,), cls="options compact")
