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
* **Safe.** Every text a person typed (scenario, run and dataset names, class names) or a model
  generated (notes, details) is HTML-escaped; translations are escaped too.
* **Printable.** ``@media print`` hides buttons and modebars, keeps cards, tables and charts whole
  and starts each major section on a new page.

Sections, in order: header, executive summary, the run, compute cost, serving economics, data
value, the scenario, assumptions (:data:`SECTIONS`). Compute cost ends with the training plans and
budgets explored on the Compute cost page (or that page's defaults, said so); value of data is
priced with the Data value page's inputs and says where its value per point comes from.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterable, Sequence
from datetime import UTC
from typing import Any

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from bizmodel.advantage import CATEGORIES, ScoreItem
from bizmodel.production import factor_text
from bizmodel.reasons import Reason
from bizmodel.sensitivity import LEVERS as SENSITIVITY_LEVERS
from bizmodel.validation import BAND, summarise
from present import format as fmt
from present.explain import words
from present.explored import BudgetOutcome, PlanOutcome, TrainingPlan, option_words
from present.field_registry import NUMERIC_FIELDS, WORDED_FIELDS, ScenarioField, find
from present.figures import CurveLabels, learning_curves
from present.i18n import translate
from present.kpi_registry import SUMMARY, KpiWords, kpi_texts
from present.median_gap_text import field_label, median_gap_sentence, signed_usd, value_text
from present.narrative import curve_rule, fit_quality, narrative, purchase_sentence, terminal_help
from present.production_text import figure_text, production_figures, production_lead
from present.report_data import ComputeSection, DataValueSection, MonteCarloSection, Report, ServingSection
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
from present.summary import short_id, summary_items
from present.theme import PROVENANCE_COLOURS
from safetext import neutral

#: The report's sections after the header, in order (headings ``report.section.<key>``, ids
#: ``section-<key>``).
SECTIONS = ("summary", "run", "compute", "serving", "data_value", "scenario", "assumptions")
#: Sections that start on a new printed page.
MAJOR_SECTIONS = frozenset(SECTIONS) - {"summary"}
#: HTML ``lang`` of each UI language.
HTML_LANG = {"en": "en", "zh": "zh-CN"}
#: Chart heights in pixels.
CHART_HEIGHT = 440
#: Sections a note in ``Report.notes`` can be about (labels ``report.note.<key>``).
NOTE_SECTIONS = ("binding", "monte_carlo", "sensitivity", "scorecard", "compute", "serving", "data_value")
#: Sections that need a run.
RUN_SECTIONS = ("compute", "serving", "data_value")
#: Levers of the tornado (labels ``lever.<key>``).
LEVERS = tuple(lever.key for lever in SENSITIVITY_LEVERS)
_UNIT_SUFFIX = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")


class Safe(str):
    """Text that is already HTML (escaped or built here); everything else is escaped on output."""

    __slots__ = ()


def _esc(value: object) -> Safe:
    """``value`` as HTML: already-safe markup as is, anything else escaped, its bidi and other
    control characters shown as escapes (:func:`safetext.neutral`: a name saved before they were
    refused cannot reorder the page)."""
    return value if isinstance(value, Safe) else Safe(html.escape(neutral(str(value))))


def _join(parts: Iterable[object], sep: str = "") -> Safe:
    return Safe(sep.join(_esc(p) for p in parts))


def bare_label(label: str) -> str:
    """A field label without its trailing unit in brackets (the report gives units their own column).

    >>> bare_label("Cost per head ($ per month)"), bare_label("Horizon")
    ('Cost per head', 'Horizon')
    """
    return _UNIT_SUFFIX.sub("", label) or label


def _finite(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# ---------------------------------------------------------------------- styles and scripts

_CSS = """
:root { --ink: #111827; --muted: #4b5563; --line: #d1d5db; --soft: #f3f4f6; --accent: #2563eb; }
* { box-sizing: border-box; }
html { background: #ffffff; }
body { margin: 0 auto; max-width: 1120px; padding: 24px 28px 48px; color: var(--ink); background: #ffffff;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans",
  "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", sans-serif; font-size: 15px; line-height: 1.5; }
h1 { font-size: 28px; margin: 4px 0 8px; }
h2 { font-size: 22px; margin: 36px 0 12px; padding-bottom: 4px; border-bottom: 2px solid var(--ink); }
h3 { font-size: 17px; margin: 24px 0 8px; }
p { margin: 6px 0; }
.kicker { text-transform: uppercase; letter-spacing: .08em; color: var(--muted); font-size: 12px; margin: 0; }
.meta { color: var(--muted); margin: 2px 0; }
.muted, .detail { color: var(--muted); font-size: 13px; }
nav.toc { margin: 12px 0 0; font-size: 14px; }
nav.toc a { color: var(--accent); text-decoration: none; margin-right: 14px; white-space: nowrap; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(200px, 1fr)); gap: 10px;
  margin: 12px 0; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; background: #ffffff;
  break-inside: avoid; page-break-inside: avoid; }
.card .label { color: var(--muted); font-size: 13px; }
.card .kpi-value { font-size: 22px; font-weight: 650; margin: 2px 0 4px; font-variant-numeric: tabular-nums; }
.card .why { color: var(--muted); font-size: 12px; }
.badge { display: inline-block; color: #ffffff; border-radius: 999px; padding: 1px 8px; font-size: 11.5px;
  margin: 1px 3px 1px 0; white-space: nowrap; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.narrative { border-left: 4px solid var(--accent); background: var(--soft); padding: 10px 14px;
  margin: 12px 0; break-inside: avoid; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.note { border-left: 4px solid #d97706; background: #fffbeb; padding: 8px 12px; margin: 10px 0;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.formula { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; background: var(--soft);
  padding: 2px 6px; border-radius: 4px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 14px; font-size: 13.5px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: var(--soft); font-weight: 600;
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr { break-inside: avoid; page-break-inside: avoid; }
table.compact { width: auto; min-width: 50%; }
table.serving-plan td:first-child { min-width: 14em; }
th.num { white-space: normal; }
.good { color: #047857; font-weight: 600; }
.bad { color: #b91c1c; font-weight: 600; }
.info { color: var(--muted); }
figure.chart { margin: 12px 0 18px; break-inside: avoid; page-break-inside: avoid; }
.chart-tools { text-align: right; margin-top: 2px; }
.chart-tools button { font: inherit; font-size: 12px; padding: 2px 10px; margin-left: 6px; cursor: pointer;
  border: 1px solid var(--line); border-radius: 6px; background: #ffffff; color: var(--ink); }
.chart-tools button:hover { border-color: var(--accent); color: var(--accent); }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line);
  padding-top: 8px; }
@media (max-width: 760px) { .two { grid-template-columns: 1fr; } body { padding: 12px; } }
@page { margin: 14mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  .no-print, .chart-tools, .modebar, .modebar-container, button, nav.toc { display: none !important; }
  section.major { break-before: page; page-break-before: always; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  .card, figure.chart, .narrative, .note, table { break-inside: avoid; page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""

_SCRIPT = """
(function () {
  function plotOf(button) { return document.getElementById(button.getAttribute("data-plot")); }
  document.querySelectorAll("button[data-format]").forEach(function (button) {
    button.addEventListener("click", function () {
      var gd = plotOf(button);
      if (!gd || !window.Plotly) { return; }
      var size = gd._fullLayout || {};
      Plotly.downloadImage(gd, {
        format: button.getAttribute("data-format"),
        filename: button.getAttribute("data-filename"),
        width: size.width || 960,
        height: size.height || 440
      });
    });
  });
  function resizeAll() {
    if (!window.Plotly) { return; }
    document.querySelectorAll(".plotly-graph-div").forEach(function (gd) { Plotly.Plots.resize(gd); });
  }
  window.addEventListener("beforeprint", resizeAll);
  window.addEventListener("afterprint", resizeAll);
})();
"""


# ---------------------------------------------------------------------- the page


class _Page:
    """Renders one report: translation, formatting, badges, tables and charts."""

    def __init__(self, report: Report, style: fmt.NumberStyle) -> None:
        self.r = report
        self.style = style
        self.lang = style.language
        run = report.run
        self.run_badge = self.badge("measured", short_id(run.id)) if run is not None else Safe("")

    # -- text

    def t(self, key: str, **values: object) -> str:
        """The translation of ``key`` (plain text)."""
        return translate(key, self.lang, **values)

    def m(self, reason: Reason | str | None) -> str:
        """An explanation of ``bizmodel`` (a detail, a reason), in the report's language."""
        return words(reason, self.lang) if reason else ""

    def x(self, key: str, **values: object) -> Safe:
        """The translation of ``key``, escaped for HTML."""
        return _esc(self.t(key, **values))

    def month(self, value: float | None) -> str:
        """``month 43`` or, beyond the horizon, ``> month 60``."""
        if not _finite(value):
            return self.t("scenario.beyond", horizon=self.r.effective.horizon_months)
        return self.t("scenario.month_n", month=int(value))  # type: ignore[arg-type]

    def months(self, value: float | None) -> str:
        """A duration in months: ``8.00 mo``."""
        return self.t("report.months_short", value=f"{value:,.2f}") if _finite(value) else fmt.MISSING

    def dataset(self, key: str) -> str:
        label = self.t(f"dataset.{key}")
        return key if label == f"[dataset.{key}]" else label

    def badge(self, kind: str, detail: str = "") -> Safe:
        """A provenance pill in the app's colour: ``measured · 827970``."""
        colour = PROVENANCE_COLOURS.get(kind, "#6b7280")
        label = self.t(f"provenance.{kind}")
        if label == f"[provenance.{kind}]":
            label = kind
        text = f"{label} · {detail}" if detail else label
        return Safe(f'<span class="badge badge-{_esc(kind)}" style="background:{colour}">{_esc(text)}</span>')

    def assumed_badge(self) -> Safe:
        return self.badge("assumed", self.r.name)

    def catalog_badge(self) -> Safe:
        return self.badge("catalog", self.r.catalog.get("as_of", ""))

    # -- blocks

    def table(
        self,
        headers: Sequence[str],
        rows: Iterable[Sequence[object]],
        *,
        numeric: Iterable[int] = (),
        cls: str = "",
    ) -> Safe:
        """A bordered table; ``numeric`` columns are right-aligned. Cells are escaped unless :class:`Safe`."""
        right = set(numeric)
        head = "".join(
            f'<th{" class=num" if i in right else ""} scope="col">{_esc(h)}</th>'
            for i, h in enumerate(headers)
        )
        body = "".join(
            "<tr>"
            + "".join(f"<td{' class=num' if i in right else ''}>{_esc(c)}</td>" for i, c in enumerate(row))
            + "</tr>"
            for row in rows
        )
        klass = f' class="{_esc(cls)}"' if cls else ""
        return Safe(f"<table{klass}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")

    def card(
        self, label: str, value: str, *, badges: Sequence[Safe] = (), why: str = "", key: str = ""
    ) -> Safe:
        data = f' data-kpi="{_esc(key)}"' if key else ""
        why_html = f'<div class="why">{_esc(why)}</div>' if why else ""
        return Safe(
            f'<div class="card"{data}><div class="label">{_esc(label)}</div>'
            f'<div class="kpi-value">{_esc(value)}</div>{why_html}<div>{_join(badges)}</div></div>'
        )

    def note(self, section: str) -> Safe:
        """Why ``section`` is missing (empty when it is not)."""
        reason = self.r.notes.get(section)
        if reason is None:
            return Safe("")
        if self.r.run is None and section in RUN_SECTIONS:
            text = self.t("report.note.no_run")
        else:
            text = self.m(reason)
        label = self.x(f"report.note.{section}")
        return Safe(
            f'<div class="note" data-note="{_esc(section)}"><strong>{label}</strong>: {_esc(text)}</div>'
        )

    def chart(self, name: str, fig: go.Figure, *, height: int = CHART_HEIGHT) -> Safe:
        """A live chart drawn by the inlined plotly.js, with PNG and SVG buttons beneath."""
        filename = f"moatlab-{name}"
        config = {
            "displaylogo": False,
            "responsive": True,
            "toImageButtonOptions": {"format": "png", "filename": filename, "scale": 2},
        }
        body = fig.to_html(
            full_html=False,
            include_plotlyjs=False,
            include_mathjax=False,
            div_id=f"plot-{name}",
            config=config,
            default_width="100%",
            default_height=f"{height}px",
        )
        buttons = "".join(
            f'<button type="button" data-plot="plot-{name}" data-format="{kind}" data-filename="{filename}"'
            f' title="{self.x("report.download_chart", format=kind.upper())}">{kind.upper()}</button>'
            for kind in ("png", "svg")
        )
        return Safe(
            f'<figure class="chart" id="chart-{name}">{body}'
            f'<figcaption class="chart-tools no-print">{buttons}</figcaption></figure>'
        )

    # -- header

    def header(self) -> Safe:
        r = self.r
        when = r.generated_at if r.generated_at.tzinfo else r.generated_at.replace(tzinfo=UTC)
        stamp = f"{when.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
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
        toc = "".join(f'<a href="#section-{key}">{self.x(f"report.section.{key}")}</a>' for key in SECTIONS)
        return Safe(
            '<header id="section-header">'
            f'<p class="kicker">{self.x("report.kicker")}</p>'
            f"<h1>{_esc(r.name)}</h1>"
            f'<p class="meta">{self.x("report.generated", when=stamp)}</p>'
            f'<p class="meta">{_esc(driven)}</p>'
            f'<p class="meta">{_esc(catalog)}</p>'
            f'<p class="meta">{_esc(currency)}</p>'
            f'<nav class="toc no-print">{toc}</nav>'
            "</header>"
        )

    # -- executive summary

    def kpi_cards(self) -> Safe:
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
        return Safe(f'<div class="cards">{"".join(cards)}</div>')

    def narrative(self) -> Safe:
        """The shared sentences (:func:`present.narrative.narrative`, as on the Overview page), then
        what production trains and serves, and what more data would cost and bring."""
        r = self.r
        lines = narrative(r, self.lang)
        if r.inputs is not None:
            lines.append(production_lead(r.effective, r.inputs, self.t))
        if r.data_value is not None:
            lines.append(self.purchase_sentence(r.data_value))
        return Safe(f'<div class="narrative">{"".join(f"<p>{_esc(line)}</p>" for line in lines)}</div>')

    def legend(self) -> Safe:
        parts = [
            f"{self.badge(kind)} {self.x(f'report.legend.{kind}')}"
            for kind in ("measured", "catalog", "assumed")
        ]
        return Safe(f'<p class="muted">{" · ".join(parts)}</p>')

    def summary(self) -> Safe:
        return Safe(
            self.narrative()
            + self.note("binding")
            + self.kpi_cards()
            + self.legend()
            + self.note("monte_carlo")
        )

    # -- the run

    def run_section(self) -> Safe:
        run = self.r.run
        if run is None:
            return Safe(f'<div class="note" data-note="run">{self.x("report.note.no_run_section")}</div>')
        classes = ", ".join(run.class_names) if run.class_names else fmt.MISSING
        facts = [
            (self.t("report.run.name"), f"{run.name} ({run.id})"),
            (self.t("col.dataset"), self.dataset(run.dataset)),
            (self.t("col.model"), run.model),
            (self.t("report.run.classes"), classes),
            (
                self.t("report.run.split"),
                self.t(
                    "run.split",
                    train=fmt.fmt_int(run.n_train),
                    val=fmt.fmt_int(run.n_val),
                    test=fmt.fmt_int(run.n_test),
                    seed=run.split_seed,
                ),
            ),
            (self.t("report.run.created"), run.created_at),
            (self.t("m.device"), self.m(run.device) if run.device else fmt.MISSING),
        ]
        out = [self.table([self.t("report.col.item"), self.t("report.col.value")], facts, cls="run-facts")]
        items = summary_items(run, self.t)
        rows = [
            (item.label, item.value, self.badge(item.provenance, item.detail), item.help) for item in items
        ]
        out.append(f"<h3>{self.x('report.run.measurements')}</h3>")
        out.append(
            self.table(
                [
                    self.t("report.col.measurement"),
                    self.t("report.col.value"),
                    self.t("report.col.source"),
                    "",
                ],
                rows,
                numeric=(1,),
                cls="measurements",
            )
        )
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
            out.append(self.chart("learning_curves", learning_curves(run.history, labels), height=400))
        out.append(self.inference_table())
        return Safe("".join(out))  # every part was built (and escaped) here

    def inference_table(self) -> Safe:
        run = self.r.run
        profile = run.inference if run is not None else None
        if profile is None or not profile.rows:
            return Safe(f'<p class="muted">{self.x("report.run.no_inference")}</p>')
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
                self.path_name(row.path),
                fmt.fmt_int(row.batch_size),
                fmt.fmt_duration(row.p50_ms / 1000.0),
                fmt.fmt_duration(row.p95_ms / 1000.0),
                fmt.fmt_number(row.samples_per_second),
                fmt.fmt_bytes(row.model_bytes),
                fmt.fmt_pct(row.accuracy, decimals=2),
            )
            for row in profile.rows
        ]
        return Safe(
            f"<h3>{self.x('report.run.inference')}</h3>"
            f'<p class="muted">{self.x("report.run.inference_when", when=profile.measured_at)} '
            f"{self.run_badge}</p>" + self.table(headers, rows, numeric=(2, 3, 4, 5, 6, 7), cls="inference")
        )

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

    def pricing(self, key: str) -> str:
        label = self.t(f"compute.pricing.{key}")
        return key if label.startswith("[") else label

    def production(self) -> Safe:
        """This run's cost, one production retraining and $ per 1,000 predictions in production: the
        figures every page shows (:mod:`present.production_text`), each with how it was formed."""
        r = self.r
        cards = [
            self.card(
                self.t(f"production.{figure.key}"),
                figure_text(figure),
                badges=[self.run_badge if figure.measured else self.assumed_badge()],
                why=self.m(figure.detail),
                key=figure.key,
            )
            for figure in production_figures(r.effective, r.inputs)
        ]
        lead = production_lead(r.effective, r.inputs, self.t)
        return Safe(f'<p class="production-lead">{_esc(lead)}</p><div class="cards">{"".join(cards)}</div>')

    def compute_block(self, section: ComputeSection) -> Safe:
        title = self.t(
            "report.compute.production",
            data=factor_text(section.data_factor),
            model=factor_text(section.model_factor),
        )
        work = section.work
        cards = [
            self.card(self.t("compute.m.flops"), fmt.fmt_flops(work.flops), badges=[self.run_badge]),
            self.card(self.t("m.params"), fmt.fmt_count(work.params), badges=[self.run_badge]),
            self.card(self.t("compute.m.memory"), fmt.fmt_bytes(work.memory_bytes), badges=[self.run_badge]),
            self.card(
                self.t("report.compute.factors"),
                f"×{factor_text(section.data_factor)} · ×{factor_text(section.model_factor)}",
                badges=[self.assumed_badge()],
            ),
        ]
        best = (
            f"<p><strong>{self.x('compute.m.cheapest')}</strong>: {_esc(self.option_text(section.cheapest))} "
            f"{self.badge('catalog', str((section.cheapest or {}).get('as_of', '')))}</p>"
            f"<p><strong>{self.x('compute.m.fastest')}</strong>: {_esc(self.option_text(section.fastest))} "
            f"{self.badge('catalog', str((section.fastest or {}).get('as_of', '')))}</p>"
        )
        headers = [
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
        rows = []
        for i, row in enumerate(section.options.to_dict("records"), start=1):
            count = int(row.get("count", 0))
            rows.append(
                (
                    str(i),
                    row.get("provider", ""),
                    f"{row.get('instance_type', '')} · {row.get('region', '')}",
                    f"{row.get('accelerator', '')} × {count}",
                    self.pricing(str(row.get("pricing", ""))),
                    fmt.fmt_usd(row.get("usd_per_hour")),
                    fmt.fmt_number(row.get("gpu_hours")),
                    fmt.fmt_usd(row.get("cost_usd")),
                    fmt.fmt_duration(float(row.get("days", math.nan)) * 86400),
                    self.t("report.yes") if bool(row.get("feasible")) else self.t("report.no"),
                    str(row.get("as_of", "")),
                )
            )
        note = self.t(
            "compute.table_note",
            shown=len(rows),
            total=fmt.fmt_int(section.instances_total),
            options=fmt.fmt_int(section.options_total),
            infeasible=fmt.fmt_int(section.options_total - section.feasible_options),
        )
        return Safe(
            f"<h3>{_esc(title)}</h3>"
            f'<div class="cards">{"".join(cards)}</div>{best}'
            + self.table(headers, rows, numeric=(0, 5, 6, 7, 8), cls=f"compute-{section.key}")
            + f'<p class="muted">{_esc(note)}</p>'
        )

    def compute(self) -> Safe:
        """The production figures, then (for a production model large enough for an accelerator
        estimate) the production retraining on every catalog option, then the training plans and
        budgets explored on Compute cost."""
        out = self.production() if self.r.inputs is not None else Safe("")
        if self.r.compute:
            cat = self.r.catalog
            lead = self.t(
                "report.compute.lead", oldest=cat.get("oldest_as_of", ""), newest=cat.get("as_of", "")
            )
            out = Safe(
                out
                + f"<p>{_esc(lead)} {self.catalog_badge()}</p>"
                + _join(self.compute_block(s) for s in self.r.compute)
            )
        return Safe(out + self.note("compute") + self.explored())

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

    def _days(self, value: object) -> str:
        return fmt.fmt_duration(float(value) * 86400) if _finite(value) else fmt.MISSING  # type: ignore[arg-type]

    def explored_plans(self, outcomes: Sequence[PlanOutcome]) -> Safe:
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
                    self._days((low or {}).get("days")),
                    self.option_short(high) if not o.reason else "",
                    fmt.fmt_usd((high or {}).get("cost_usd")),
                    self._days((high or {}).get("days")),
                )
            )
        return self.table(headers, rows, numeric=(0, 3, 6, 7, 9, 10), cls="explored-plans compact")

    def explored_budgets(self, outcomes: Sequence[BudgetOutcome]) -> Safe:
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
                    self._days(o.days),
                    self.m(o.reason) if o.reason else self.option_short(o.option),
                    self.t(f"compute.limited.{o.limited_by}", nodes=nodes) if o.limited_by else "",
                )
            )
        return self.table(headers, rows, numeric=(0, 1, 2, 3, 5, 6, 7, 8), cls="explored-budgets compact")

    def explored(self) -> Safe:
        """The training plans and budgets explored on the Compute cost page, recomputed (or the
        page's defaults, said so)."""
        e = self.r.explored
        if e is None:
            return Safe("")
        if e.defaults:
            lead = self.t("report.explored.defaults")
        else:
            lead = self.t("report.explored.lead", plans=len(e.plans), budgets=len(e.budgets))
        plans = self.explored_plans(e.plans) if e.plans else self.x("report.explored.no_plans")
        budgets = self.explored_budgets(e.budgets) if e.budgets else self.x("report.explored.no_budgets")
        return Safe(
            f'<div class="explored" data-explored="{"defaults" if e.defaults else "session"}">'
            f"<h3>{self.x('report.explored.title')}</h3>"
            f"<p>{_esc(lead)} {self.badge('assumed')} {self.catalog_badge()}</p>"
            f"<h4>{self.x('report.explored.plans')}</h4>{plans}"
            f"<h4>{self.x('report.explored.budgets')}</h4>{budgets}"
            "</div>"
        )

    # -- serving

    def serving(self) -> Safe:
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
            cards += [
                self.card(
                    self.t("serving.m.monthly"),
                    fmt.fmt_usd(best.get("monthly_usd")),
                    badges=[
                        self.badge(
                            str(best.get("provenance")), short_id(self.r.run.id) if self.r.run else ""
                        ),
                        self.badge("catalog", str(best.get("as_of", ""))),
                    ],
                ),
                self.card(self.t("report.col.per_1000"), fmt.fmt_usd(best.get("usd_per_1000_at_load"))),
                self.card(self.t("serving.m.instances"), fmt.fmt_int(best.get("instances"))),
            ]
            option = self.m(str(best.get("option", "")))
            head = f"<p><strong>{self.x('serving.m.best')}</strong>: {_esc(option)}</p>"
        else:
            head = f'<p class="note">{self.x("serving.none_meets", target=f"{s.p95_target_ms:g}")}</p>'
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
                    self.m(str(row.get("option", ""))),
                    self.badge(prov) if prov in PROVENANCE_COLOURS else prov,
                    fmt.fmt_duration(float(row.get("p95_request_ms", math.nan)) / 1000.0),
                    fmt.fmt_number(row.get("samples_per_second")),
                    fmt.fmt_int(row.get("instances")),
                    fmt.fmt_usd(row.get("monthly_usd")),
                    fmt.fmt_usd(row.get("usd_per_1000_at_load")),
                    self.t("report.yes") if bool(row.get("meets_p95_target")) else self.t("report.no"),
                )
            )
        return Safe(
            head
            + f'<div class="cards">{"".join(cards)}</div>'
            + self.table(headers, rows, numeric=(2, 3, 4, 5, 6), cls="serving-plan")
            + f'<p class="muted">{self.x("serving.legend")}</p>'
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
        if (
            _finite(own)
            and own > 0
            and not math.isclose(own, econ.value_usd_per_point_per_year, rel_tol=1e-9)
        ):
            line += " " + self.t("report.data.scenario_value", value=fmt.fmt_usd(own))
        return line

    def data_value(self) -> Safe:
        d = self.r.data_value
        if d is None:
            return self.note("data_value")
        fit, econ, opt, p = d.fit, d.economics, d.optimal, d.purchase
        formula = f"error(n) = {fit.a:.4g} · n^(−{fit.b:.3g}) + {fit.c:.3g}"
        quality = fit_quality(fit, self.lang)
        value_line = self.data_value_source(d)
        if p.net_value_usd > 0:
            verdict = self.t(
                "data_value.verdict_pays",
                months=f"{p.payback_months:.1f}",
                net=fmt.fmt_usd(p.net_value_usd),
                years=fmt.fmt_years(econ.horizon_years),
            )
        else:
            verdict = self.t(
                "data_value.verdict_loses",
                net=fmt.fmt_usd(p.net_value_usd),
                years=fmt.fmt_years(econ.horizon_years),
            )
        if not opt.buy:
            optimum = self.t("data_value.optimum_current")
        else:
            optimum = self.t(
                "data_value.optimum_interior",
                extra=fmt.fmt_int(opt.extra_samples),
                net=fmt.fmt_usd(opt.net_value_usd),
                gain=f"{opt.gain_points:+.2f}",
            )
        fit_badge = self.badge(
            "measured", self.t("data_value.prov.fit", run=short_id(self.r.run.id)) if self.r.run else ""
        )
        cards = [
            self.card(
                self.t("data_value.m.optimum"),
                fmt.fmt_int(opt.n_train),
                badges=[fit_badge, self.badge("assumed")],
                why=optimum,
            ),
            self.card(
                self.t("data_value.m.after"),
                " → ".join(fmt.fmt_pct(a, decimals=2) for a in (p.accuracy_before, p.accuracy_after)),
                badges=[fit_badge],
            ),
            self.card(
                self.t("data_value.m.value"),
                fmt.fmt_usd(p.value_usd_per_year),
                badges=[fit_badge, self.badge("assumed")],
            ),
            self.card(
                self.t("data_value.m.cost"), fmt.fmt_usd(p.labelling_cost_usd), badges=[self.badge("assumed")]
            ),
        ]
        rows = [
            (
                fmt.fmt_int(pt.n_train),
                fmt.fmt_pct(pt.accuracy_mean, decimals=2),
                f"{100 * pt.accuracy_std:.2f}",
                str(pt.seeds),
            )
            for pt in d.points
        ]
        points = self.table(
            [
                self.t("report.col.samples"),
                self.t("chart.accuracy"),
                self.t("report.col.std_points"),
                self.t("report.col.seeds"),
            ],
            rows,
            numeric=(0, 1, 2, 3),
            cls="curve-points compact",
        )
        extrapolated = (
            f'<p class="muted">{self.x("report.data.extrapolated", n_max=fmt.fmt_int(fit.n_max))}</p>'
            if p.extrapolated or opt.extrapolated
            else ""
        )
        curve = self.r.run.learning_curve if self.r.run is not None else None
        rule = (
            f'<p class="muted curve-rule">{_esc(curve_rule(curve, self.lang))}</p>'
            if curve is not None
            else ""
        )
        return Safe(
            f'<div class="narrative"><p><strong>{_esc(self.purchase_sentence(d))}</strong></p>'
            f"<p>{_esc(verdict)}</p></div>"
            f'<p>{self.x("report.data.fit")}: <span class="formula">{_esc(formula)}</span> {fit_badge}</p>'
            f'<p class="muted">{_esc(quality)}</p>'
            f"<p>{_esc(value_line)}</p>"
            f'<div class="cards">{"".join(cards)}</div>{extrapolated}'
            f"<h3>{self.x('report.data.points')}</h3>{points}{rule}"
        )

    # -- scenario

    def lever(self, key: str) -> str:
        label = self.t(f"lever.{key}")
        return key if label == f"[lever.{key}]" else label

    def yearly_table(self) -> Safe:
        frame = self.r.frame
        years = (frame.index.to_numpy() - 1) // 12 + 1
        grouped = frame.groupby(years)
        rows = []
        for year, part in grouped:
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

    def projection(self) -> Safe:
        r = self.r
        labels = ProjectionLabels(
            title=self.t("scenario.chart.projection"),
            month=self.t("scenario.axis.month"),
            usd=self.money_axis(),
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
        explain = self.t(
            "scenario.link_explain",
            factor=fmt.fmt_pct(s.accuracy_factor),
            churn=fmt.fmt_pct(s.effective_monthly_churn, decimals=2),
        )
        return Safe(
            f"<h3>{self.x('scenario.tab.projection')}</h3>"
            + self.chart("projection", projection_figure(r.frame, labels))
            + f"<h3>{self.x('report.scenario.yearly')}</h3>"
            + self.yearly_table()
            + f"<h3>{self.x('scenario.tab.link')}</h3>"
            + self.chart("accuracy_link", link_fig)
            + f'<p class="muted">{_esc(explain)}</p>'
        )

    def money_axis(self) -> str:
        return self.style.currency

    def monte_carlo(self) -> Safe:
        mc: MonteCarloSection | None = self.r.monte_carlo
        head = f"<h3>{self.x('scenario.tab.monte_carlo')}</h3>"
        if mc is None:
            return Safe(head + self.note("monte_carlo"))
        fan_labels = FanLabels.of_cash(self.t, self.money_axis())
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
            self.card(
                self.t("scenario.mc.p_out_of_cash"),
                fmt.fmt_pct(mc.probability_out_of_cash),
                why=self.t("scenario.mc.p_out_of_cash_help"),
            ),
            self.card(
                self.t("scenario.mc.p_break_even"),
                fmt.fmt_pct(mc.probability_break_even),
                why=self.t("scenario.mc.p_break_even_help"),
            ),
        ]
        no_ranges = "" if self.r.effective.ranges else f'<p class="note">{self.x("report.mc.no_ranges")}</p>'
        return Safe(
            head
            + f'<p class="muted">{self.x("scenario.mc.caption", paths=fmt.fmt_int(mc.paths), seed=mc.seed)}'
            + "</p>"
            + no_ranges
            + f'<div class="cards">{"".join(cards)}</div>'
            + self.table(["", "P10", "P50", "P90"], rows, numeric=(1, 2, 3), cls="mc-percentiles compact")
            + self.median_gap(mc)
            + self.chart("fan", fan_figure(mc.fan, fan_labels, deterministic=self.r.frame["cash_usd"]))
            + self.chart("npv_histogram", npv_histogram(mc.npv_usd, hist_labels))
        )

    def median_gap(self, mc: MonteCarloSection) -> Safe:
        """Why the median NPV differs from the plan's: the sentence, each range's median and NPV
        effect, the ranges acting together; nothing when the gap is not material."""
        gap = mc.median_gap
        sentence = median_gap_sentence(gap, self.lang)
        if gap is None or sentence is None:
            return Safe("")
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
        return Safe(
            f'<h4>{self.x("median_gap.title")}</h4><p class="median-gap">{_esc(sentence)}</p>'
            + self.table(headers, rows, numeric=(2, 3, 4), cls="median-gap compact")
            + f'<p class="muted">{self.x("median_gap.why")}</p>'
        )

    def sensitivity(self) -> Safe:
        frame = self.r.tornado
        head = f"<h3>{self.x('scenario.tab.sensitivity')}</h3>"
        if frame is None or not len(frame):
            return Safe(head + self.note("sensitivity"))
        change = f"{100 * self.r.change:g}"
        names = {k: self.lever(k) for k in LEVERS}
        npv_fig, be_fig = tornado_figures(
            frame,
            horizon=self.r.effective.horizon_months,
            change_pct=100 * self.r.change,
            translate=self.t,
            lever_names=names,
        )
        top = frame.iloc[0]
        top_line = self.t(
            "scenario.tornado.top",
            lever=self.lever(str(top["key"])),
            swing=fmt.fmt_usd(float(top["npv_swing_usd"])),
            change=change,
        )
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
        return Safe(
            head
            + f"<p>{_esc(top_line)}</p>"
            + self.chart("tornado_npv", npv_fig, height=max(CHART_HEIGHT, 46 * len(frame) + 140))
            + self.chart("tornado_break_even", be_fig, height=max(CHART_HEIGHT, 46 * len(frame) + 140))
            + self.table(headers, rows, numeric=(2, 3, 4), cls="tornado")
        )

    def value_of_accuracy(self) -> Safe:
        v = self.r.accuracy_value
        badges = [self.assumed_badge()] + ([self.run_badge] if self.r.inputs is not None else [])
        card = self.card(
            self.t("scenario.value_of_accuracy"),
            fmt.fmt_usd(v.usd_per_point_year),
            badges=badges,
            key="value_of_accuracy",
        )
        reason = f'<p class="muted">{_esc(self.m(v.reason))}</p>' if v.reason else ""
        return Safe(
            f"<h3>{self.x('report.scenario.value_of_accuracy')}</h3>"
            + f'<div class="cards">{card}</div>'
            + f'<p class="muted">{_esc(self.m(v.detail))}</p>{reason}'
            + f'<p class="muted">{self.x("report.scenario.value_of_accuracy_note")}</p>'
        )

    def score_value(self, item: ScoreItem) -> str:
        return format_score_item(item, self.lang)

    def verdict(self, item: ScoreItem) -> Safe:
        if item.value is None:
            return Safe("")
        if item.favourable is True:
            return Safe(f'<span class="good">▲ {self.x("report.verdict.favourable")}</span>')
        if item.favourable is False:
            return Safe(f'<span class="bad">▼ {self.x("report.verdict.unfavourable")}</span>')
        return Safe(f'<span class="info">● {self.x("report.verdict.informational")}</span>')

    def scorecard(self) -> Safe:
        items = self.r.scorecard
        head = f"<h3>{self.x('report.scenario.scorecard')}</h3>"
        if not items:
            return Safe(head + self.note("scorecard"))
        favourable = sum(1 for i in items if i.favourable is True)
        judged = sum(1 for i in items if i.favourable is not None)
        order = {c: i for i, c in enumerate(CATEGORIES)}
        rows = []
        for item in sorted(items, key=lambda i: order.get(i.category, len(order))):
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
            rows.append((category, label, self.score_value(item), self.verdict(item), source, detail))
        headers = [
            self.t("report.col.category"),
            self.t("report.col.item"),
            self.t("report.col.value"),
            self.t("report.col.verdict"),
            self.t("report.col.source"),
            self.t("report.col.detail"),
        ]
        competitor = self.r.options.competitor
        return Safe(
            head
            + f"<p>{self.x('report.scorecard.tally', favourable=favourable, judged=judged)} "
            + _esc(
                self.t(
                    "report.scorecard.competitor",
                    cost=fmt.fmt_usd(competitor.usd_per_1000_predictions),
                    accuracy=fmt.fmt_pct(competitor.accuracy),
                )
            )
            + f" {self.badge('assumed')}</p>"
            + self.table(headers, rows, numeric=(2,), cls="scorecard")
        )

    def scenario(self) -> Safe:
        return Safe(
            self.projection()
            + self.monte_carlo()
            + self.sensitivity()
            + self.value_of_accuracy()
            + self.scorecard()
        )

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

    def assumptions(self) -> Safe:
        r = self.r
        s = r.effective
        measured = r.measured_fields
        ranges = {rg.field: rg for rg in s.ranges}
        currency = self.style.currency
        rows = []
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
                rows.append(
                    (
                        rg.field,
                        "",
                        "",
                        self.assumed_badge(),
                        f"{rg.low:g} … {rg.high:g} ({self.distribution(rg.distribution)})",
                    )
                )
        rows += [
            (
                self.t("scenario.headcount"),
                self.headcount_text(),
                self.t("report.unit.people"),
                self.assumed_badge(),
                "",
            ),
            (
                self.t("scenario.funding"),
                self.funding_text(),
                self.t("report.unit.money", currency=currency),
                self.assumed_badge(),
                "",
            ),
        ]
        rows += [
            (self.t(spec.label), self.worded(spec), "", self.assumed_badge(), "") for spec in WORDED_FIELDS
        ]
        headers = [
            self.t("report.col.field"),
            self.t("report.col.value"),
            self.t("report.col.unit"),
            self.t("report.col.source"),
            self.t("report.col.range"),
        ]
        out = [
            f'<p class="muted">{self.x("report.assumptions.lead")}</p>',
            self.table(headers, rows, numeric=(1,), cls="assumptions"),
        ]
        if r.inputs is not None:
            details = [
                (self.t("scenario.f.model_accuracy"), self.m(r.inputs.accuracy_detail)),
                (self.t("production.run_cost_usd"), self.m(r.inputs.run_cost_detail)),
                (self.t("scenario.f.retrain_cost_usd"), self.m(r.inputs.retrain_detail)),
                (self.t("scenario.f.serving_usd_per_1000_predictions"), self.m(r.inputs.serving_detail)),
            ]
            out.append(f"<h3>{self.x('report.assumptions.measured')}</h3>")
            out.append(
                self.table(
                    [self.t("report.col.field"), self.t("report.col.detail")],
                    [(bare_label(a), b) for a, b in details if b],
                    cls="measured-details",
                )
            )
        out.append(f"<h3>{self.x('report.assumptions.options')}</h3>")
        out.append(self.options_table())
        out.append(self.validation())
        out.append(f"<h3>{self.x('report.assumptions.notes')}</h3>")
        notes = [self.note(key) for key in NOTE_SECTIONS if key in r.notes]
        notes += [self.note(key) for key in r.notes if key not in NOTE_SECTIONS]
        out.append(_join(notes) if notes else f'<p class="muted">{self.x("report.assumptions.no_notes")}</p>')
        return Safe("".join(out))  # every part was built (and escaped) here

    def validation(self) -> str:
        """How close the estimates are: the summary and every published run beside its estimate."""
        table = self.r.validation
        if table is None or table.empty:
            return ""
        lines = []
        for s in summarise(table):
            lines.append(
                self.t(
                    "report.validation.summary",
                    kind=self.t(f"compute.validation.m.{s.kind}"),
                    rows=s.rows,
                    median=f"{s.median_ratio:.2f}",
                    worst=s.worst,
                    worst_ratio=f"{s.worst_ratio:.2f}",
                )
            )
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
            self.t("compute.validation.col.name"),
            self.t("compute.validation.col.hardware"),
            self.t("compute.validation.col.unit"),
            self.t("compute.validation.col.published"),
            self.t("compute.validation.col.estimate"),
            self.t("compute.validation.col.ratio"),
            self.t("compute.validation.col.scope"),
            self.t("compute.validation.col.source"),
        ]
        band = self.x("compute.validation.band", low=f"{BAND[0]:.2f}", high=f"{BAND[1]:.1f}")
        return (
            f"<h3>{self.x('compute.validation.title')}</h3>"
            f'<p class="muted">{self.x("compute.validation.lead")}</p>'
            + "".join(f"<p>{_esc(line)}</p>" for line in lines)
            + self.table(headers, rows, numeric=(3, 4, 5), cls="validation")
            + f'<p class="muted">{band}</p>'
        )

    def path_name(self, path: str) -> str:
        """An inference path (``compiled``, ``predict``, ``int8``) in the report's language."""
        label = self.t(f"inference.path.{path}")
        return path if label.startswith("[") else label

    def distribution(self, name: str) -> str:
        label = self.t(f"report.distribution.{name}")
        return name if label.startswith("[") else label

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

    def options_table(self) -> Safe:
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

    # -- the document

    def has_content(self, key: str) -> bool:
        """Whether a section holds more than a note (only those start a new printed page)."""
        r = self.r
        return {
            "run": r.run is not None,
            "compute": bool(r.compute) or r.inputs is not None or r.explored is not None,
            "serving": r.serving is not None,
            "data_value": r.data_value is not None,
        }.get(key, True)

    def section(self, key: str, body: str) -> str:
        klass = "major" if key in MAJOR_SECTIONS and self.has_content(key) else "minor"
        heading = self.x(f"report.section.{key}")
        return f'<section id="section-{key}" class="{klass}"><h2>{heading}</h2>{body}</section>'

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
        sections = "".join(self.section(key, bodies[key]()) for key in SECTIONS)
        title = self.t("report.title", name=self.r.name)
        lang = HTML_LANG.get(self.lang, self.lang)
        return (
            "<!DOCTYPE html>\n"
            f'<html lang="{_esc(lang)}">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            '<meta name="generator" content="Moatlab">\n'
            f"<title>{_esc(title)}</title>\n<style>{_CSS}</style>\n"
            f'<script type="text/javascript">{get_plotlyjs()}</script>\n'
            "</head>\n<body>\n"
            f"{self.header()}\n{sections}\n"
            f"<footer>{self.x('report.footer')}</footer>\n"
            f"<script>{_SCRIPT}</script>\n</body>\n</html>\n"
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
