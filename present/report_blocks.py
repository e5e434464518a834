"""The report's HTML machinery: the Jinja2 templates and the blocks every section of it uses.

The templates live in ``present/templates`` and are rendered with autoescape on: every value a
template writes is escaped unless it is :class:`markupsafe.Markup`, and only two kinds of value
are: what a template (a partial, a macro) wrote itself, and the pre-built fragments plotly writes
(a chart's ``<div>``, plotly.js itself), wrapped where they are made (:meth:`Blocks.chart`,
:func:`present.report.render_html`). Before escaping, a value's bidi and other control
characters are shown as escapes (:func:`safetext.neutral`: a name saved before they were refused
cannot reorder the page), and the escaping is :func:`html.escape`'s (``&quot;``, ``&#x27;``), as
the report has always written it.

Partials (templates whose names start with ``_``) are laid out on several indented lines for
reading; each line loses its indentation and line break when loaded, so the report keeps writing
no whitespace between tags. The document (``report.html.j2``) is written as it stands.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import plotly.graph_objects as go
from markupsafe import Markup

from bizmodel.reasons import Reason
from present import format as fmt
from present.explain import words
from present.i18n import translate
from present.report_data import Report
from present.summary import short_id
from present.theme import PROVENANCE_COLOURS
from safetext import neutral

#: The templates' folder (shipped inside the package).
TEMPLATES = Path(__file__).parent / "templates"
#: Chart heights in pixels.
CHART_HEIGHT = 440
#: Sections that need a run.
RUN_SECTIONS = ("compute", "serving", "data_value")
_UNIT_SUFFIX = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")


def bare_label(label: str) -> str:
    """A field label without its trailing unit in brackets (the report gives units their own column).

    >>> bare_label("Cost per head ($ per month)"), bare_label("Horizon")
    ('Cost per head', 'Horizon')
    """
    return _UNIT_SUFFIX.sub("", label) or label


def finite(value: object) -> bool:
    """Whether ``value`` is a finite number (not a bool)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# ---------------------------------------------------------------------- templates


class _Loader(jinja2.FileSystemLoader):
    """Loads the templates; a partial (``_*.j2``) loses each line's indentation and line break."""

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        if Path(template).name.startswith("_"):
            source = "".join(line.strip() for line in source.splitlines())
        return source, filename, uptodate


def _finalize(value: object) -> object:
    """A value a template writes: markup as is; anything else neutralised and escaped.

    >>> _finalize('<b dir="\\u202e">'), _finalize(Markup("<b>"))
    (Markup('&lt;b dir=&quot;\\\\u202e&quot;&gt;'), Markup('<b>'))
    """
    if hasattr(value, "__html__"):
        return value
    return Markup(html.escape(neutral(str(value))))  # escaped here, so autoescape leaves it alone


@cache
def environment() -> jinja2.Environment:
    """The report's Jinja2 environment: the package's templates, autoescaped, strict about names."""
    return jinja2.Environment(
        loader=_Loader(TEMPLATES),
        autoescape=True,
        finalize=_finalize,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def render(template: str, /, **context: object) -> Markup:
    """The template ``template`` rendered with ``context`` (markup: the template escaped what it wrote)."""
    return Markup(environment().get_template(template).render(**context))


def macros() -> Any:
    """The macros of ``_macros.html.j2`` (badge, card, table, note, chart), callable from Python."""
    return environment().get_template("_macros.html.j2").module


# ---------------------------------------------------------------------- the blocks


class Blocks:
    """One report's translation, formatting and the blocks its sections are made of."""

    def __init__(self, report: Report, style: fmt.NumberStyle) -> None:
        self.r = report
        self.style = style
        self.lang = style.language
        run = report.run
        self.run_badge = self.badge("measured", short_id(run.id)) if run is not None else Markup("")

    # -- text

    def t(self, key: str, **values: object) -> str:
        """The translation of ``key`` (plain text)."""
        return translate(key, self.lang, **values)

    def m(self, reason: Reason | str | None) -> str:
        """An explanation of ``bizmodel`` (a detail, a reason), in the report's language."""
        return words(reason, self.lang) if reason else ""

    def render(self, template: str, /, **context: object) -> Markup:
        """A template rendered with ``context`` and this report's translation as ``t``."""
        return render(template, t=self.t, **context)

    def month(self, value: float | None) -> str:
        """``month 43`` or, beyond the horizon, ``> month 60``."""
        if not finite(value):
            return self.t("scenario.beyond", horizon=self.r.effective.horizon_months)
        return self.t("scenario.month_n", month=int(value))  # type: ignore[arg-type]

    def months(self, value: float | None) -> str:
        """A duration in months: ``8.00 mo``."""
        return self.t("report.months_short", value=f"{value:,.2f}") if finite(value) else fmt.MISSING

    def days(self, value: object) -> str:
        """A duration given in days, or the missing mark."""
        return fmt.fmt_duration(float(value) * 86400) if finite(value) else fmt.MISSING  # type: ignore[arg-type]

    def named(self, prefix: str, key: str) -> str:
        """The translation of ``<prefix>.<key>``, or ``key`` itself when there is none."""
        label = self.t(f"{prefix}.{key}")
        return key if label.startswith("[") else label

    def dataset(self, key: str) -> str:
        label = self.t(f"dataset.{key}")
        return key if label == f"[dataset.{key}]" else label

    # -- blocks

    def badge(self, kind: str, detail: str = "") -> Markup:
        """A provenance pill in the app's colour: ``measured · 827970``."""
        colour = PROVENANCE_COLOURS.get(kind, "#6b7280")
        label = self.t(f"provenance.{kind}")
        if label == f"[provenance.{kind}]":
            label = kind
        text = f"{label} · {detail}" if detail else label
        return Markup(macros().badge(kind, colour, text))

    def assumed_badge(self) -> Markup:
        return self.badge("assumed", self.r.name)

    def catalog_badge(self) -> Markup:
        return self.badge("catalog", self.r.catalog.get("as_of", ""))

    def table(
        self,
        headers: Sequence[str],
        rows: Iterable[Sequence[object]],
        *,
        numeric: Iterable[int] = (),
        cls: str = "",
    ) -> Markup:
        """A bordered table; ``numeric`` columns are right-aligned. Cells are escaped unless markup."""
        return Markup(macros().table(list(headers), list(rows), set(numeric), cls))

    def card(
        self, label: str, value: str, *, badges: Sequence[Markup] = (), why: str = "", key: str = ""
    ) -> Markup:
        """A KPI card: label, value, why it is what it is, and its provenance badges."""
        return Markup(macros().card(label, value, list(badges), why, key))

    def note(self, section: str) -> Markup:
        """Why ``section`` is missing (empty when it is not)."""
        reason = self.r.notes.get(section)
        if reason is None:
            return Markup("")
        if self.r.run is None and section in RUN_SECTIONS:
            text = self.t("report.note.no_run")
        else:
            text = self.m(reason)
        return Markup(macros().note(section, self.t(f"report.note.{section}"), text))

    def chart(self, name: str, fig: go.Figure, *, height: int = CHART_HEIGHT) -> Markup:
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
        titles = {kind: self.t("report.download_chart", format=kind.upper()) for kind in ("png", "svg")}
        return Markup(macros().chart(name, Markup(body), filename, titles))  # plotly's own HTML
