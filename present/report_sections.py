"""The report's sections about the run and what it costs: the run, compute cost (with what was
explored on the Compute cost page), serving economics and value of data.

Each section computes its labels and formatted numbers here and is laid out by its partial in
``present/templates`` (:mod:`present.report_blocks`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup

from bizmodel.production import factor_text
from present import format as fmt
from present.explored import BudgetOutcome, PlanOutcome, TrainingPlan, option_words
from present.figures import CurveLabels, learning_curves
from present.narrative import curve_rule, fit_quality, purchase_sentence
from present.production_text import figure_text, production_figures, production_lead
from present.report_blocks import Blocks, finite
from present.report_data import ComputeSection, DataValueSection, ServingSection
from present.summary import short_id, summary_items
from present.theme import PROVENANCE_COLOURS


class RunSections(Blocks):
    """The run, compute cost, serving economics and value of data."""

    # -- the run

    def run_section(self) -> Markup:
        run = self.r.run
        if run is None:
            return self.render("_run.html.j2", facts=None)
        classes = ", ".join(run.class_names) if run.class_names else fmt.MISSING
        split = self.t(
            "run.split",
            train=fmt.fmt_int(run.n_train),
            val=fmt.fmt_int(run.n_val),
            test=fmt.fmt_int(run.n_test),
            seed=run.split_seed,
        )
        facts = [
            (self.t("report.run.name"), f"{run.name} ({run.id})"),
            (self.t("col.dataset"), self.dataset(run.dataset)),
            (self.t("col.model"), run.model),
            (self.t("report.run.classes"), classes),
            (self.t("report.run.split"), split),
            (self.t("report.run.created"), run.created_at),
            (self.t("m.device"), self.m(run.device) if run.device else fmt.MISSING),
        ]
        rows = [
            (item.label, item.value, self.badge(item.provenance, item.detail), item.help)
            for item in summary_items(run, self.t)
        ]
        headers = [
            self.t("report.col.measurement"),
            self.t("report.col.value"),
            self.t("report.col.source"),
            "",
        ]
        curves = Markup("")
        if run.history:
            labels = CurveLabels(
                title=self.t("chart.curves"),
                epoch=self.t("chart.epoch"),
                loss=self.t("chart.loss"),
                accuracy=self.t("chart.accuracy"),
                train=self.t("chart.train"),
                validation=self.t("chart.validation"),
                current=self.t("chart.current"),
            )
            curves = self.chart("learning_curves", learning_curves(run.history, labels), height=400)
        profile = run.inference
        return self.render(
            "_run.html.j2",
            facts=self.table([self.t("report.col.item"), self.t("report.col.value")], facts, cls="run-facts"),
            measurements=self.table(headers, rows, numeric=(1,), cls="measurements"),
            curves=curves,
            inference=self.inference_table() if profile is not None and profile.rows else None,
            measured_at=profile.measured_at if profile is not None else "",
            run_badge=self.run_badge,
        )

    def inference_table(self) -> Markup:
        assert self.r.run is not None and self.r.run.inference is not None
        headers = [
            self.t("inference.col.device"),
            self.t("inference.col.path"),
            self.t("inference.col.batch"),
            self.t("report.col.p50_call"),
            self.t("report.col.p95_call"),
            self.t("inference.col.throughput"),
            self.t("inference.col.size"),
            self.t("inference.col.accuracy"),
        ]
        rows = [
            (
                self.m(row.device),
                self.named("inference.path", row.path),
                fmt.fmt_int(row.batch_size),
                fmt.fmt_duration(row.p50_ms / 1000.0),
                fmt.fmt_duration(row.p95_ms / 1000.0),
                fmt.fmt_number(row.samples_per_second),
                fmt.fmt_bytes(row.model_bytes),
                fmt.fmt_pct(row.accuracy, decimals=2),
            )
            for row in self.r.run.inference.rows
        ]
        return self.table(headers, rows, numeric=(2, 3, 4, 5, 6, 7), cls="inference")

    # -- compute

    def option_text(self, row: dict[str, Any] | None) -> str:
        if row is None:
            return self.t("compute.none_feasible")
        return self.t(
            "report.compute.option",
            **option_words(row, self.t),
            cost=fmt.fmt_usd(row.get("cost_usd")),
            time=fmt.fmt_duration(float(row.get("days", math.nan)) * 86400),
        )

    def production_cards(self) -> list[Markup]:
        """This run's cost, one production retraining and $ per 1,000 predictions in production: the
        figures every page shows (:mod:`present.production_text`), each with how it was formed."""
        r = self.r
        return [
            self.card(
                self.t(f"production.{figure.key}"),
                figure_text(figure),
                badges=[self.run_badge if figure.measured else self.assumed_badge()],
                why=self.m(figure.detail),
                key=figure.key,
            )
            for figure in production_figures(r.effective, r.inputs)
        ]

    def compute_block(self, section: ComputeSection) -> dict[str, object]:
        """One production retraining priced on every catalog option: title, cards, the cheapest and
        fastest option, the table and how many options it shows."""
        work = section.work
        factors = f"×{factor_text(section.data_factor)} · ×{factor_text(section.model_factor)}"
        cards = [
            self.card(self.t("compute.m.flops"), fmt.fmt_flops(work.flops), badges=[self.run_badge]),
            self.card(self.t("m.params"), fmt.fmt_count(work.params), badges=[self.run_badge]),
            self.card(self.t("compute.m.memory"), fmt.fmt_bytes(work.memory_bytes), badges=[self.run_badge]),
            self.card(self.t("report.compute.factors"), factors, badges=[self.assumed_badge()]),
        ]
        best = [
            (key, self.option_text(row), self.badge("catalog", str((row or {}).get("as_of", ""))))
            for key, row in (("compute.m.cheapest", section.cheapest), ("compute.m.fastest", section.fastest))
        ]
        rows = [self.option_row(i, row) for i, row in enumerate(section.options.to_dict("records"), start=1)]
        title = self.t(
            "report.compute.production",
            data=factor_text(section.data_factor),
            model=factor_text(section.model_factor),
        )
        note = self.t(
            "compute.table_note",
            shown=len(rows),
            total=fmt.fmt_int(section.instances_total),
            options=fmt.fmt_int(section.options_total),
            infeasible=fmt.fmt_int(section.options_total - section.feasible_options),
        )
        table = self.table(self.option_headers(), rows, numeric=(0, 5, 6, 7, 8), cls=f"compute-{section.key}")
        return {"title": title, "cards": cards, "best": best, "table": table, "note": note}

    def option_headers(self) -> list[str]:
        return [
            "#",
            self.t("compute.col.provider"),
            self.t("compute.col.instance"),
            self.t("report.col.accelerators"),
            self.t("compute.col.pricing"),
            self.t("report.col.usd_per_hour"),
            self.t("compute.col.gpu_hours"),
            self.t("report.col.cost"),
            self.t("report.col.time"),
            self.t("compute.col.feasible"),
            self.t("compute.col.as_of"),
        ]

    def option_row(self, i: int, row: dict[str, Any]) -> tuple[str, ...]:
        """Row ``i`` of a production retraining's options."""
        return (
            str(i),
            row.get("provider", ""),
            f"{row.get('instance_type', '')} · {row.get('region', '')}",
            f"{row.get('accelerator', '')} × {int(row.get('count', 0))}",
            self.named("compute.pricing", str(row.get("pricing", ""))),
            fmt.fmt_usd(row.get("usd_per_hour")),
            fmt.fmt_number(row.get("gpu_hours")),
            fmt.fmt_usd(row.get("cost_usd")),
            fmt.fmt_duration(float(row.get("days", math.nan)) * 86400),
            self.t("report.yes") if bool(row.get("feasible")) else self.t("report.no"),
            str(row.get("as_of", "")),
        )

    def compute(self) -> Markup:
        """The production figures, then (for a production model large enough for an accelerator
        estimate) the production retraining on every catalog option, then the training plans and
        budgets explored on Compute cost."""
        r = self.r
        cat = r.catalog
        return self.render(
            "_compute.html.j2",
            production_lead=production_lead(r.effective, r.inputs, self.t) if r.inputs is not None else "",
            production_cards=self.production_cards() if r.inputs is not None else None,
            catalog_lead=self.t(
                "report.compute.lead", oldest=cat.get("oldest_as_of", ""), newest=cat.get("as_of", "")
            ),
            catalog_badge=self.catalog_badge(),
            blocks=[self.compute_block(s) for s in r.compute],
            note=self.note("compute"),
            explored=self.explored(),
        )

    # -- what was explored on the Compute cost page

    def plan_text(self, plan: TrainingPlan) -> str:
        """The model and data of a plan: ``7B parameters on 140B tokens``."""
        if plan.mode == "scaled_run":
            return self.t(
                "report.explored.plan.scaled",
                run=short_id(plan.run.run_id) if plan.run is not None else "",
                k=factor_text(plan.data_factor),
                m=factor_text(plan.model_factor),
            )
        if plan.active_params is not None and plan.active_params < plan.params * (1 - 1e-9):
            return self.t(
                "report.explored.plan.moe",
                n=fmt.fmt_count(plan.params),
                a=fmt.fmt_count(plan.active_params),
                d=fmt.fmt_count(plan.tokens),
            )
        return self.t(
            "report.explored.plan.dense", n=fmt.fmt_count(plan.params), d=fmt.fmt_count(plan.tokens)
        )

    def priced_under(self, assumptions: Any) -> str:
        """The assumptions a plan or budget was priced under: MFU, node cap, discount when set."""
        text = self.t(
            "report.explored.priced_under",
            mfu=fmt.fmt_pct(assumptions.mfu, decimals=0),
            nodes=int(assumptions.max_nodes),
        )
        if assumptions.discount > 0:
            text += self.t("report.explored.discount", discount=fmt.fmt_pct(assumptions.discount, decimals=0))
        return text

    def option_short(self, row: dict[str, Any] | None) -> str:
        """An option without its cost and time: ``lambda 8xH100 × 4 (32 × H100-SXM, on demand)``."""
        if row is None:
            return self.t("compute.none_feasible")
        return self.t("report.explored.option", **option_words(row, self.t))

    def explored_plans(self, outcomes: Sequence[PlanOutcome]) -> Markup:
        headers = [
            "#",
            self.t("compute.mode"),
            self.t("report.explored.col.plan"),
            self.t("compute.m.flops"),
            self.t("report.explored.col.priced_under"),
            self.t("compute.m.cheapest"),
            self.t("report.col.cost"),
            self.t("report.col.time"),
            self.t("compute.m.fastest"),
            self.t("report.col.cost"),
            self.t("report.col.time"),
        ]
        rows = []
        for i, o in enumerate(outcomes, start=1):
            low, high = o.cheapest, o.fastest
            rows.append(
                (
                    str(i),
                    self.t(f"compute.mode.{o.plan.mode}"),
                    self.plan_text(o.plan),
                    fmt.fmt_flops(o.work.flops) if o.work is not None else fmt.MISSING,
                    self.priced_under(o.plan.assumptions),
                    self.m(o.reason) if o.reason else self.option_short(low),
                    fmt.fmt_usd((low or {}).get("cost_usd")),
                    self.days((low or {}).get("days")),
                    self.option_short(high) if not o.reason else "",
                    fmt.fmt_usd((high or {}).get("cost_usd")),
                    self.days((high or {}).get("days")),
                )
            )
        return self.table(headers, rows, numeric=(0, 3, 6, 7, 9, 10), cls="explored-plans compact")

    def explored_budgets(self, outcomes: Sequence[BudgetOutcome]) -> Markup:
        headers = [
            "#",
            self.t("report.explored.col.budget"),
            self.t("report.explored.col.deadline"),
            self.t("report.explored.col.active_share"),
            self.t("report.explored.col.priced_under"),
            self.t("compute.m.params"),
            self.t("compute.m.tokens"),
            self.t("report.col.cost"),
            self.t("report.col.time"),
            self.t("report.col.option"),
            self.t("report.explored.col.limited"),
        ]
        rows = []
        for i, o in enumerate(outcomes, start=1):
            q = o.question
            nodes = int(q.assumptions.max_nodes)
            if o.reason is None and o.params < o.active_params * (1 + 1e-9):
                model = fmt.fmt_count(o.params)
            elif o.reason is None:
                model = self.t(
                    "report.explored.model_moe", n=fmt.fmt_count(o.params), a=fmt.fmt_count(o.active_params)
                )
            else:
                model = fmt.MISSING
            rows.append(
                (
                    str(i),
                    fmt.fmt_usd(q.budget_usd),
                    fmt.fmt_duration(q.deadline_days * 86400),
                    fmt.fmt_pct(q.active_share, decimals=0),
                    self.priced_under(q.assumptions),
                    model,
                    fmt.fmt_count(o.tokens) if o.reason is None else fmt.MISSING,
                    fmt.fmt_usd(o.cost_usd),
                    self.days(o.days),
                    self.m(o.reason) if o.reason else self.option_short(o.option),
                    self.t(f"compute.limited.{o.limited_by}", nodes=nodes) if o.limited_by else "",
                )
            )
        return self.table(headers, rows, numeric=(0, 1, 2, 3, 5, 6, 7, 8), cls="explored-budgets compact")

    def explored(self) -> Markup:
        """The training plans and budgets explored on the Compute cost page, recomputed (or the
        page's defaults, said so)."""
        e = self.r.explored
        if e is None:
            return Markup("")
        if e.defaults:
            lead = self.t("report.explored.defaults")
        else:
            lead = self.t("report.explored.lead", plans=len(e.plans), budgets=len(e.budgets))
        return self.render(
            "_explored.html.j2",
            defaults=e.defaults,
            lead=lead,
            assumed_badge=self.badge("assumed"),
            catalog_badge=self.catalog_badge(),
            plans=self.explored_plans(e.plans) if e.plans else None,
            budgets=self.explored_budgets(e.budgets) if e.budgets else None,
        )

    # -- serving

    def serving(self) -> Markup:
        s: ServingSection | None = self.r.serving
        if s is None:
            return self.note("serving")
        cards = [
            self.card(
                self.t("serving.requests"),
                fmt.fmt_number(s.requests_per_month),
                badges=[self.assumed_badge()],
            ),
            self.card(
                self.t("report.serving.p95_target"),
                fmt.fmt_duration(s.p95_target_ms / 1000.0),
                badges=[self.badge("assumed")],
            ),
        ]
        best = s.best
        if best is not None:
            run_id = short_id(self.r.run.id) if self.r.run else ""
            badges = [
                self.badge(str(best.get("provenance")), run_id),
                self.badge("catalog", str(best.get("as_of", ""))),
            ]
            cards += [
                self.card(self.t("serving.m.monthly"), fmt.fmt_usd(best.get("monthly_usd")), badges=badges),
                self.card(self.t("report.col.per_1000"), fmt.fmt_usd(best.get("usd_per_1000_at_load"))),
                self.card(self.t("serving.m.instances"), fmt.fmt_int(best.get("instances"))),
            ]
        headers = [
            self.t("serving.col.option"),
            self.t("serving.col.provenance"),
            self.t("report.col.p95_request"),
            self.t("serving.col.sps"),
            self.t("serving.col.instances"),
            self.t("report.col.monthly"),
            self.t("report.col.per_1000"),
            self.t("serving.col.meets"),
        ]
        rows = []
        for row in s.plan.to_dict("records"):
            prov = str(row.get("provenance", ""))
            rows.append(
                (
                    self.m(row.get("option")),
                    self.badge(prov) if prov in PROVENANCE_COLOURS else prov,
                    fmt.fmt_duration(float(row.get("p95_request_ms", math.nan)) / 1000.0),
                    fmt.fmt_number(row.get("samples_per_second")),
                    fmt.fmt_int(row.get("instances")),
                    fmt.fmt_usd(row.get("monthly_usd")),
                    fmt.fmt_usd(row.get("usd_per_1000_at_load")),
                    self.t("report.yes") if bool(row.get("meets_p95_target")) else self.t("report.no"),
                )
            )
        return self.render(
            "_serving.html.j2",
            best=self.m(best.get("option")) if best is not None else None,
            target=f"{s.p95_target_ms:g}",
            cards=cards,
            plan=self.table(headers, rows, numeric=(2, 3, 4, 5, 6), cls="serving-plan"),
        )

    # -- data value

    def purchase_sentence(self, data: DataValueSection) -> str:
        return purchase_sentence(data.purchase, data.economics, self.lang)

    def data_value_source(self, d: DataValueSection) -> str:
        """Where the purchase's inputs come from: the Data value page (typed, or a scenario's value
        of accuracy) or its defaults, and this scenario's own value of a point beside them."""
        inputs, econ = d.inputs, d.economics
        value = fmt.fmt_usd(econ.value_usd_per_point_per_year)
        if d.value_provenance == "scenario":
            line = self.t("report.data.value_from", value=value, name=inputs.value_from or "")
        elif d.value_provenance == "typed":
            line = self.t("report.data.value_typed", value=value)
        else:
            line = self.t("report.data.value_default", value=value)
        line += " " + self.t(
            "report.data.inputs" if d.explored else "report.data.inputs_default",
            cost=fmt.fmt_usd(econ.label_cost_usd_per_sample),
            n=fmt.fmt_int(d.purchase.extra_samples),
            years=fmt.fmt_number(econ.horizon_years),
        )
        own = self.r.accuracy_value.usd_per_point_year
        if finite(own) and own > 0 and not math.isclose(own, econ.value_usd_per_point_per_year, rel_tol=1e-9):
            line += " " + self.t("report.data.scenario_value", value=fmt.fmt_usd(own))
        return line

    def data_value_verdict(self, d: DataValueSection) -> tuple[str, str]:
        """Whether the purchase pays (and when), and the best number of samples to buy."""
        econ, opt, p = d.economics, d.optimal, d.purchase
        years = fmt.fmt_years(econ.horizon_years)
        if p.net_value_usd > 0:
            verdict = self.t(
                "data_value.verdict_pays",
                months=f"{p.payback_months:.1f}",
                net=fmt.fmt_usd(p.net_value_usd),
                years=years,
            )
        else:
            verdict = self.t("data_value.verdict_loses", net=fmt.fmt_usd(p.net_value_usd), years=years)
        if not opt.buy:
            return verdict, self.t("data_value.optimum_current")
        optimum = self.t(
            "data_value.optimum_interior",
            extra=fmt.fmt_int(opt.extra_samples),
            net=fmt.fmt_usd(opt.net_value_usd),
            gain=f"{opt.gain_points:+.2f}",
        )
        return verdict, optimum

    def data_value_cards(self, d: DataValueSection, fit_badge: Markup, optimum: str) -> list[Markup]:
        opt, p = d.optimal, d.purchase
        assumed = self.badge("assumed")
        accuracy = " → ".join(fmt.fmt_pct(a, decimals=2) for a in (p.accuracy_before, p.accuracy_after))
        return [
            self.card(
                self.t("data_value.m.optimum"),
                fmt.fmt_int(opt.n_train),
                badges=[fit_badge, assumed],
                why=optimum,
            ),
            self.card(self.t("data_value.m.after"), accuracy, badges=[fit_badge]),
            self.card(
                self.t("data_value.m.value"), fmt.fmt_usd(p.value_usd_per_year), badges=[fit_badge, assumed]
            ),
            self.card(self.t("data_value.m.cost"), fmt.fmt_usd(p.labelling_cost_usd), badges=[assumed]),
        ]

    def data_value(self) -> Markup:
        d = self.r.data_value
        if d is None:
            return self.note("data_value")
        fit, opt, p = d.fit, d.optimal, d.purchase
        verdict, optimum = self.data_value_verdict(d)
        fit_badge = self.badge(
            "measured", self.t("data_value.prov.fit", run=short_id(self.r.run.id)) if self.r.run else ""
        )
        rows = [
            (
                fmt.fmt_int(pt.n_train),
                fmt.fmt_pct(pt.accuracy_mean, decimals=2),
                f"{100 * pt.accuracy_std:.2f}",
                str(pt.seeds),
            )
            for pt in d.points
        ]
        headers = [
            self.t("report.col.samples"),
            self.t("chart.accuracy"),
            self.t("report.col.std_points"),
            self.t("report.col.seeds"),
        ]
        curve = self.r.run.learning_curve if self.r.run is not None else None
        return self.render(
            "_data_value.html.j2",
            purchase=self.purchase_sentence(d),
            verdict=verdict,
            formula=f"error(n) = {fit.a:.4g} · n^(−{fit.b:.3g}) + {fit.c:.3g}",
            fit_badge=fit_badge,
            quality=fit_quality(fit, self.lang),
            value_line=self.data_value_source(d),
            cards=self.data_value_cards(d, fit_badge, optimum),
            n_max=fmt.fmt_int(fit.n_max) if p.extrapolated or opt.extrapolated else None,
            points=self.table(headers, rows, numeric=(0, 1, 2, 3), cls="curve-points compact"),
            rule=curve_rule(curve, self.lang) if curve is not None else None,
        )
