"""The shared business case as one self-contained HTML file (pure: a report and a style in, text out).

:func:`render_html` writes a :class:`present.report_data.Report` as a complete HTML document that a
founder can e-mail and an investor can open offline in any browser:

* **Self-contained.** plotly.js is inlined once in the head; every chart is a ``<div>`` with a
  stable id (``plot-<name>``) drawn by that one copy. Nothing is fetched: no CDN, no web font, no
  stylesheet link (the styles are inline, the fonts are the reader's own).
* **Live charts.** Hover and zoom work; the modebar downloads a PNG and the buttons under each
  chart a PNG or an SVG.
* **The app's numbers.** Every number is written with :mod:`present.format` inside
  ``number_style(style)``, so it reads exactly as the app shows it (money given in USD, shown in
  the style's currency; 万/亿 in Chinese). Every figure that matters carries a provenance badge in
  the app's three colours (:data:`present.theme.PROVENANCE_COLOURS`).
* **Safe.** The page is laid out by Jinja2 templates with autoescape (``present/templates``,
  :mod:`present.report_blocks`): every text a person typed (scenario, run and dataset names, class
  names) or a model generated (notes, details) is HTML-escaped, translations too; only plotly's
  own HTML is passed through as markup.
* **Printable.** ``@media print`` hides buttons and modebars, keeps cards, tables and charts whole
  and starts each major section on a new page.

Sections, in order: header, executive summary, the run, compute cost, serving economics, data
value, the scenario, assumptions (:data:`SECTIONS`; the run's and its costs' in
:mod:`present.report_sections`, the scenario's in :mod:`present.report_scenario`). Compute cost
ends with the training plans and budgets explored on the Compute cost page (or that page's
defaults, said so); value of data is priced with the Data value page's inputs and says where its
value per point comes from.
"""

from __future__ import annotations

from datetime import UTC

from markupsafe import Markup
from plotly.offline import get_plotlyjs

from present import format as fmt
from present.kpi_registry import SUMMARY, KpiWords, kpi_texts
from present.narrative import narrative, terminal_help
from present.production_text import production_lead
from present.report_blocks import bare_label
from present.report_data import Report
from present.report_scenario import ScenarioSections
from present.report_sections import RunSections

#: The report's sections after the header, in order (headings ``report.section.<key>``, ids
#: ``section-<key>``).
SECTIONS = ("summary", "run", "compute", "serving", "data_value", "scenario", "assumptions")
#: Sections that start on a new printed page.
MAJOR_SECTIONS = frozenset(SECTIONS) - {"summary"}
#: HTML ``lang`` of each UI language.
HTML_LANG = {"en": "en", "zh": "zh-CN"}


class _Page(RunSections, ScenarioSections):
    """Renders one report: the header, the executive summary and the document around every section."""

    def header(self) -> Markup:
        r = self.r
        when = r.generated_at if r.generated_at.tzinfo else r.generated_at.replace(tzinfo=UTC)
        if r.run is not None:
            driven = self.t("report.driven_by_run", name=r.run.name, id=r.run.id)
        else:
            driven = self.t("report.driven_by_typed")
        cat = r.catalog
        catalog = self.t(
            "report.catalog",
            name=self.m(str(cat.get("name", ""))),
            version=cat.get("version", ""),
            oldest=cat.get("oldest_as_of", ""),
            newest=cat.get("as_of", ""),
        )
        if self.style.currency == "CNY":
            currency = self.t(
                "report.currency_cny", symbol=self.style.symbol, rate=f"{self.style.usd_to_cny:g}"
            )
        else:
            currency = self.t("report.currency_usd")
        return self.render(
            "_header.html.j2",
            name=r.name,
            stamp=f"{when.astimezone(UTC):%Y-%m-%d %H:%M} UTC",
            driven=driven,
            catalog=catalog,
            currency=currency,
            sections=SECTIONS,
        )

    def kpi_cards(self) -> list[Markup]:
        r, k = self.r, self.r.kpis
        reasons = k.all_reasons()
        badges = [self.assumed_badge()]
        if r.inputs is not None:
            badges.append(self.run_badge)
        words = KpiWords(self.month, self.t("scenario.runway_full"), self.months)
        cards = []
        for spec, value in kpi_texts(k, SUMMARY, words):
            if spec.explained_by == "terminal":
                why = terminal_help(k, r.effective, self.lang)
            else:
                why = self.m(reasons.get(spec.key, ""))
            cards.append(self.card(self.t(spec.label), value, badges=badges, why=why, key=spec.key))
        mc = r.monte_carlo
        ranged = [self.badge("assumed", self.t("report.badge.ranges")), *badges[1:]]
        for key, name in (
            ("p_out_of_cash", "probability_out_of_cash"),
            ("p_break_even", "probability_break_even"),
        ):
            value = fmt.fmt_pct(getattr(mc, name)) if mc is not None else fmt.MISSING
            label, why = self.t(f"scenario.mc.{key}"), self.t(f"scenario.mc.{key}_help")
            cards.append(self.card(label, value, badges=ranged, why=why, key=key))
        return cards

    def summary(self) -> Markup:
        """The shared sentences (:func:`present.narrative.narrative`, as on the Overview page), then
        what production trains and serves, and what more data would cost and bring; the KPI cards
        and the provenance legend."""
        r = self.r
        lines = narrative(r, self.lang)
        if r.inputs is not None:
            lines.append(production_lead(r.effective, r.inputs, self.t))
        if r.data_value is not None:
            lines.append(self.purchase_sentence(r.data_value))
        return self.render(
            "_summary.html.j2",
            lines=lines,
            binding_note=self.note("binding"),
            cards=self.kpi_cards(),
            legend=[(kind, self.badge(kind)) for kind in ("measured", "catalog", "assumed")],
            monte_carlo_note=self.note("monte_carlo"),
        )

    def has_content(self, key: str) -> bool:
        """Whether a section holds more than a note (only those start a new printed page)."""
        r = self.r
        return {
            "run": r.run is not None,
            "compute": bool(r.compute) or r.inputs is not None or r.explored is not None,
            "serving": r.serving is not None,
            "data_value": r.data_value is not None,
        }.get(key, True)

    def document(self) -> str:
        bodies = {
            "summary": self.summary,
            "run": self.run_section,
            "compute": self.compute,
            "serving": self.serving,
            "data_value": self.data_value,
            "scenario": self.scenario,
            "assumptions": self.assumptions,
        }
        sections = [
            (key, "major" if key in MAJOR_SECTIONS and self.has_content(key) else "minor", bodies[key]())
            for key in SECTIONS
        ]
        return str(
            self.render(
                "report.html.j2",
                lang=HTML_LANG.get(self.lang, self.lang),
                title=self.t("report.title", name=self.r.name),
                plotly_js=Markup(get_plotlyjs()),  # plotly's own script, inlined once
                header=self.header(),
                sections=sections,
            )
        )


# ---------------------------------------------------------------------- public helpers


def render_html(report: Report, style: fmt.NumberStyle) -> str:
    """The report as one self-contained HTML document (module docstring), numbers written in ``style``.

    Figures are built inside ``number_style(style)`` too, so their money axes use its currency.
    """
    with fmt.number_style(style):
        return _Page(report, style).document()


def chart_names(report: Report) -> list[str]:
    """The names of the charts :func:`render_html` draws for ``report`` (ids ``plot-<name>``), in order."""
    names = []
    if report.run is not None and report.run.history:
        names.append("learning_curves")
    names += ["projection", "accuracy_link"]
    if report.monte_carlo is not None:
        names += ["fan", "npv_histogram"]
    if report.tornado is not None and len(report.tornado):
        names += ["tornado_npv", "tornado_break_even"]
    return names


__all__ = ["SECTIONS", "bare_label", "chart_names", "render_html"]
