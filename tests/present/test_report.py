"""The self-contained HTML report: one document that opens offline (plotly.js inlined once, nothing
fetched), every section and chart present, numbers written exactly as the app writes them, user
text escaped, and the Chinese / CNY style applied throughout."""

from __future__ import annotations

import dataclasses
import html
import re
from html.parser import HTMLParser

import pytest
from plotly.offline import get_plotlyjs

from bizmodel.catalog import Catalog
from bizmodel.compute import Assumptions
from bizmodel.scenario import base_template
from mlcore.tasks import CURVE_RULE, LearningCurve
from present import format as fmt
from present.explored import BudgetQuestion, DataValueInputs, Explored, TrainingPlan
from present.field_registry import NUMERIC_FIELDS
from present.i18n import translate
from present.narrative import narrative
from present.production_text import FIGURES, figure_text, production_figures
from present.report import SECTIONS, bare_label, chart_names, render_html
from present.report_data import Report, ReportOptions, build_report
from present.summary import short_id
from tests.support.economics import CURVE_SIZES, NOW, full_run, learning_curve

EVIL = "<script>alert(1)</script>"
ZH_CNY = fmt.NumberStyle(language="zh", currency="CNY", usd_to_cny=7.1)
#: Attributes that load or link to something.
URL_ATTRIBUTES = {
    "src",
    "href",
    "action",
    "formaction",
    "data",
    "poster",
    "srcset",
    "background",
    "xlink:href",
}
MISSING_KEY = re.compile(r"\[[a-z_]+(?:\.[a-z0-9_]+)+\]")


class Page(HTMLParser):
    """Every tag with its attributes, the text outside scripts and styles, and the style sheets."""

    def __init__(self, document: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.styles: list[str] = []
        self.scripts: list[str] = []
        self._in: str | None = None
        self.feed(document)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag in ("script", "style"):
            self._in = tag

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            self.styles.append(data)
        elif self._in == "script":
            self.scripts.append(data)
        else:
            self.text.append(data)

    def ids(self, prefix: str) -> list[str]:
        return [a["id"] for _, a in self.tags if a.get("id", "").startswith(prefix)]

    def visible(self) -> str:
        return " ".join(self.text)


@pytest.fixture(scope="module")
def with_run(catalog: Catalog) -> Report:
    return build_report(
        base_template(),
        name="Base",
        run=full_run(),
        catalog=catalog,
        options=ReportOptions(paths=500),
        now=NOW,
    )


@pytest.fixture(scope="module")
def without_run(catalog: Catalog) -> Report:
    return build_report(
        base_template(), name="Base", run=None, catalog=catalog, options=ReportOptions(paths=500), now=NOW
    )


@pytest.fixture(scope="module")
def english(with_run: Report) -> str:
    return render_html(with_run, fmt.NumberStyle())


@pytest.fixture(scope="module")
def chinese(with_run: Report) -> str:
    return render_html(with_run, ZH_CNY)


@pytest.fixture(scope="module")
def no_run_doc(without_run: Report) -> str:
    return render_html(without_run, fmt.NumberStyle())


def kpi_values(page: Page, document: str) -> dict[str, str]:
    """The value text of every executive-summary card, by KPI key."""
    found = re.findall(
        r'data-kpi="([a-z0-9_]+)"><div class="label">.*?<div class="kpi-value">(.*?)</div>', document
    )
    return {key: html.unescape(value) for key, value in found}


def test_a_complete_document_with_plotly_inlined_once(english: str) -> None:
    assert english.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in english
    assert '<meta charset="utf-8">' in english
    assert english.count(get_plotlyjs()) == 1
    head = english[: english.index("</head>")]
    assert get_plotlyjs() in head
    assert english.rstrip().endswith("</html>")


@pytest.mark.parametrize("doc", ["english", "chinese", "no_run_doc"])
def test_nothing_is_fetched(doc: str, request: pytest.FixtureRequest) -> None:
    page = Page(request.getfixturevalue(doc))
    for tag, attrs in page.tags:
        assert tag not in ("link", "iframe", "img", "object", "embed", "base"), tag
        for name, value in attrs.items():
            if name in URL_ATTRIBUTES:
                assert not re.match(r"\s*(https?:)?//", value, re.IGNORECASE), (tag, name, value)
                assert tag == "a" and value.startswith("#"), (tag, name, value)  # only in-page links
    assert not any(tag == "script" and "src" in attrs for tag, attrs in page.tags)
    for sheet in page.styles:
        assert "@import" not in sheet and "url(" not in sheet and "@font-face" not in sheet


def test_one_live_chart_per_figure_each_with_png_and_svg(with_run: Report, english: str) -> None:
    page = Page(english)
    expected = chart_names(with_run)
    assert expected == [
        "learning_curves",
        "projection",
        "accuracy_link",
        "fan",
        "npv_histogram",
        "tornado_npv",
        "tornado_break_even",
    ]
    assert page.ids("plot-") == [f"plot-{n}" for n in expected]
    assert page.ids("chart-") == [f"chart-{n}" for n in expected]
    assert sum(1 for s in page.scripts if "Plotly.newPlot" in s) == len(expected)
    buttons = [a for tag, a in page.tags if tag == "button"]
    for name in expected:
        formats = {b["data-format"] for b in buttons if b.get("data-plot") == f"plot-{name}"}
        assert formats == {"png", "svg"}
    assert '"displaylogo": false' in english
    assert "Plotly.downloadImage" in english


def test_every_section_in_order_with_its_heading(english: str, no_run_doc: str) -> None:
    for doc in (english, no_run_doc):
        positions = [doc.index(f'<section id="section-{key}"') for key in SECTIONS]
        assert positions == sorted(positions)
        assert doc.index('<header id="section-header">') < positions[0]
        for key in SECTIONS:
            assert f"<h2>{html.escape(translate(f'report.section.{key}'))}</h2>" in doc


def test_the_header_names_scenario_run_catalog_and_currency(
    with_run: Report, english: str, chinese: str
) -> None:
    text = Page(english).visible()
    assert "2026-11-29 12:30 UTC" in text
    assert with_run.run is not None and with_run.run.id in text
    assert with_run.catalog["as_of"] in text and with_run.catalog["oldest_as_of"] in text
    assert translate("report.currency_usd") in text
    assert "7.1" in Page(chinese).visible() and "¥" in Page(chinese).visible()


@pytest.mark.parametrize(("doc", "style"), [("english", fmt.NumberStyle()), ("chinese", ZH_CNY)])
def test_kpis_read_as_the_app_writes_them(
    with_run: Report, doc: str, style: fmt.NumberStyle, request: pytest.FixtureRequest
) -> None:
    document = request.getfixturevalue(doc)
    values = kpi_values(Page(document), document)
    k, mc = with_run.kpis, with_run.monte_carlo
    assert mc is not None
    with fmt.number_style(style):
        expected = {
            "npv_usd": fmt.fmt_usd(k.npv_usd),
            "ending_arr_usd": fmt.fmt_usd(k.ending_arr_usd),
            "gross_margin": fmt.fmt_pct(k.gross_margin),
            "ltv_to_cac": f"{k.ltv_to_cac:,.2f}×",
            "burn_multiple": f"{k.burn_multiple:,.2f}×",
            "p_out_of_cash": fmt.fmt_pct(mc.probability_out_of_cash),
            "p_break_even": fmt.fmt_pct(mc.probability_break_even),
            "irr_annual": fmt.MISSING if k.irr_annual is None else fmt.fmt_pct(k.irr_annual),
            "npv_with_terminal_usd": fmt.fmt_usd(k.npv_with_terminal_usd),
        }
        production = {f.key: figure_text(f) for f in production_figures(with_run.effective, with_run.inputs)}
    # The executive summary's 13 cards, then the compute section's three production figures.
    assert len(set(values) - {"value_of_accuracy"} - set(FIGURES)) == 13
    for key, text in {**expected, **production}.items():
        assert values[key] == text, key
    with fmt.number_style(style):
        assert html.escape(fmt.fmt_usd(mc.npv["p50"])) in document  # the narrative and the P-table
        assert html.escape(fmt.fmt_usd(with_run.accuracy_value.usd_per_point_year)) in document


def test_measured_figures_carry_the_run_and_the_rest_are_assumed(with_run: Report, english: str) -> None:
    assert with_run.run is not None
    run_badge = f"measured · {short_id(with_run.run.id)}"
    table = english.split('class="assumptions"')[1].split("</table>", maxsplit=1)[0]
    assert table.count("<tr>") > len(NUMERIC_FIELDS)  # and headcount, funding, run options
    for name in (spec.name for spec in NUMERIC_FIELDS):
        label = html.escape(bare_label(translate(f"scenario.f.{name}")))
        row = table.split(f"<td>{label}</td>")[1].split("</tr>")[0]
        assert (run_badge in row) == (name in with_run.measured_fields), name
    for colour in ("#059669", "#2563eb", "#d97706"):  # present.theme.PROVENANCE_COLOURS
        assert f"background:{colour}" in english


def test_every_section_has_its_content_with_a_run(with_run: Report, english: str) -> None:
    assert not with_run.notes
    assert 'data-note="' not in english
    assert 'class="production-lead"' in english
    assert all(f'data-kpi="{key}"' in english for key in FIGURES)
    # The default run's production model is far below an accelerator's size: no GPU table.
    assert 'class="compute-production"' not in english
    assert 'class="serving-plan"' in english and 'class="inference"' in english
    assert "error(n) = " in english and 'class="scorecard"' in english
    assert with_run.data_value is not None
    with fmt.number_style(fmt.NumberStyle()):
        assert html.escape(fmt.fmt_int(with_run.data_value.optimal.n_train)) in english
    # The recorded run's curve was stored without a rule: the report says it is the old one.
    old_rule = translate("sweep.rule.legacy", epochs=3)
    assert f'<p class="muted curve-rule">{html.escape(old_rule)}</p>' in english


def test_the_data_value_section_says_how_the_curve_was_trained(catalog: Catalog) -> None:
    curve = LearningCurve.from_dict(
        {**learning_curve(CURVE_SIZES), "rule": CURVE_RULE, "patience": 5, "max_epochs": 60}
    )
    report = build_report(
        base_template(),
        name="converged",
        run=full_run(learning_curve=curve),
        catalog=catalog,
        options=ReportOptions(paths=100),
        now=NOW,
    )
    for lang, fragment in (("en", "validation loss stopped improving"), ("zh", "验证损失不再下降")):
        document = render_html(report, fmt.NumberStyle(language=lang))
        rule = document.split('<p class="muted curve-rule">')[1].split("</p>")[0]
        assert fragment in rule and "60" in rule
        assert "Old rule" not in rule


def test_user_text_is_escaped(catalog: Catalog) -> None:
    run = full_run(name=EVIL, class_names=(EVIL, "b"), dataset=EVIL, device=EVIL)
    report = build_report(
        base_template(), name=EVIL, run=run, catalog=catalog, options=ReportOptions(paths=100), now=NOW
    )
    document = render_html(report, fmt.NumberStyle())
    outside_plotly = document.replace(get_plotlyjs(), "")
    assert EVIL not in outside_plotly
    assert html.escape(EVIL) in outside_plotly
    assert not any("alert(1)" in s for s in Page(outside_plotly).scripts)


def test_chinese_and_yuan_throughout(with_run: Report, chinese: str) -> None:
    page = Page(chinese)
    assert '<html lang="zh-CN">' in chinese
    values = kpi_values(page, chinese)
    assert values["npv_usd"].startswith(("¥", "-¥")) and "$" not in values["npv_usd"]
    assert values["ending_arr_usd"].startswith("¥")
    assert "万" in values["npv_usd"] or "亿" in values["npv_usd"]
    text = page.visible()
    assert not MISSING_KEY.search(text), MISSING_KEY.search(text)
    assert "[report." not in chinese
    assert "CNY" in text


def test_notes_stand_in_for_what_needs_a_run(without_run: Report, no_run_doc: str) -> None:
    assert set(without_run.notes) == {"compute", "serving", "data_value"}
    for section in ("compute", "serving", "data_value", "run"):
        assert f'data-note="{section}"' in no_run_doc
    assert html.escape(translate("report.note.no_run")) in no_run_doc
    assert html.escape(translate("report.driven_by_typed")) in no_run_doc
    assert chart_names(without_run) == [
        "projection",
        "accuracy_link",
        "fan",
        "npv_histogram",
        "tornado_npv",
        "tornado_break_even",
    ]
    assert Page(no_run_doc).ids("plot-") == [f"plot-{n}" for n in chart_names(without_run)]
    assert not MISSING_KEY.search(Page(no_run_doc).visible())


def test_print_friendly(english: str) -> None:
    sheet = " ".join(Page(english).styles)
    assert "@media print" in sheet
    print_rules = sheet.split("@media print")[1]
    assert ".modebar" in print_rules and "button" in print_rules and "display: none" in print_rules
    assert "break-before: page" in print_rules and "break-inside: avoid" in print_rules
    assert english.count('class="major"') >= 5


def test_the_summary_tells_the_shared_story(with_run: Report, english: str) -> None:
    """The Overview page's sentences, then what scale and more data would cost and bring."""
    with fmt.number_style(fmt.NumberStyle()):
        lines = narrative(with_run, "en")
    box = english.split('<div class="narrative">', 1)[1].split("</div>", 1)[0]
    for line in lines:
        assert f"<p>{html.escape(line)}</p>" in box
    assert box.count("<p>") == len(lines) + 2  # + training at scale, + the data purchase


def test_the_assumptions_show_how_close_the_estimates_are(
    with_run: Report, english: str, chinese: str
) -> None:
    assert "How close are these estimates?" in english and 'class="validation"' in english
    for name in ("Llama 2 70B", "DeepSeek-V3", "MLPerf v4.0 Llama 2 70B Offline · 8 × H100-SXM"):
        assert name in english
    assert "median ratio" in english and "pre-training only" in english
    assert "这些估算有多准？" in chinese and "仅预训练" in chinese
    assert len(with_run.validation) >= 20


def test_a_legacy_name_with_a_bidi_override_cannot_reorder_the_report(catalog: Catalog) -> None:
    report = build_report(base_template(), name="\u202eFDP.exe", run=None, catalog=catalog)
    html_doc = render_html(report, fmt.NumberStyle())
    assert "\u202e" not in html_doc and "\\u202eFDP.exe" in html_doc


# ---------------------------------------------------------------------- what the session explored


def _explored_block(document: str) -> str:
    return document.split('<div class="explored"', 1)[1].split("</div>", 1)[0]


def _cells(block: str, cls: str) -> list[list[str]]:
    """The body rows of the table of class ``cls`` in ``block``, as unescaped cell texts."""
    table = block.split(f'<table class="{cls}">', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [
        [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body)
    ]


EXPLORED = Explored(
    plans=(
        TrainingPlan(
            params=70e9, tokens=1.4e12, assumptions=Assumptions(mfu=0.5, max_nodes=16, discount=0.1)
        ),
        TrainingPlan(),
    ),
    budgets=(
        BudgetQuestion(budget_usd=50_000, deadline_days=14),
        BudgetQuestion(budget_usd=1e6, deadline_days=60),
    ),
    data_value=DataValueInputs(
        value_usd_per_point_per_year=30_000, label_cost_usd_per_sample=0.1, extra_samples=20_000
    ),
)


@pytest.fixture(scope="module")
def explored_report(catalog: Catalog) -> Report:
    return build_report(
        base_template(),
        name="Base",
        run=full_run(),
        catalog=catalog,
        options=ReportOptions(paths=100, explored=EXPLORED),
        now=NOW,
    )


@pytest.mark.parametrize("style", [fmt.NumberStyle(), ZH_CNY], ids=["en-usd", "zh-cny"])
def test_the_plans_and_budgets_explored_are_in_the_report(explored_report: Report, style) -> None:
    document = render_html(explored_report, style)
    block = _explored_block(document)
    assert 'data-explored="session"' in document
    lead = translate("report.explored.lead", style.language, plans=2, budgets=2)
    assert html.escape(lead) in block
    plans, budgets = _cells(block, "explored-plans compact"), _cells(block, "explored-budgets compact")
    assert explored_report.explored is not None
    with fmt.number_style(style):
        for row, outcome in zip(plans, explored_report.explored.plans, strict=True):
            assert outcome.cheapest is not None and outcome.fastest is not None
            assert row[2] == translate(
                "report.explored.plan.dense",
                style.language,
                n=fmt.fmt_count(outcome.plan.params),
                d=fmt.fmt_count(outcome.plan.tokens),
            )
            assert row[6] == fmt.fmt_usd(outcome.cheapest["cost_usd"])
            assert row[9] == fmt.fmt_usd(outcome.fastest["cost_usd"])
        assert plans[0][4].endswith(
            translate("report.explored.discount", style.language, discount=fmt.fmt_pct(0.1, decimals=0))
        )
        for row, outcome in zip(budgets, explored_report.explored.budgets, strict=True):
            assert row[1] == fmt.fmt_usd(outcome.question.budget_usd)
            assert row[5] == fmt.fmt_count(outcome.params) and row[7] == fmt.fmt_usd(outcome.cost_usd)
            assert row[10] == translate(f"compute.limited.{outcome.limited_by}", style.language, nodes=64)
    assert not MISSING_KEY.search(Page(document).visible())


def test_without_exploring_the_report_shows_the_compute_pages_defaults_and_says_so(
    with_run: Report, english: str, no_run_doc: str
) -> None:
    for document in (english, no_run_doc):
        block = _explored_block(document)
        assert 'data-explored="defaults"' in document
        assert html.escape(translate("report.explored.defaults")) in block
        plans = _cells(block, "explored-plans compact")
        assert len(plans) == 1 and plans[0][2] == "7B parameters on 140B tokens"
        budgets = _cells(block, "explored-budgets compact")
        assert len(budgets) == 1 and budgets[0][1] == "$50k" and budgets[0][2] == "14 days"
    # Without a run the compute section still holds the plans, after saying the run's part is missing.
    section = no_run_doc.split('id="section-compute"', 1)[1].split("</section>", 1)[0]
    assert 'data-note="compute"' in section and 'class="explored"' in section


def test_the_data_value_section_says_whose_inputs_priced_it(
    explored_report: Report, with_run: Report, english: str
) -> None:
    dv = with_run.data_value
    assert dv is not None and dv.value_provenance == "default"
    with fmt.number_style(fmt.NumberStyle()):
        default_line = translate("report.data.value_default", value=fmt.fmt_usd(20_000))
        inputs_line = translate("report.data.inputs_default", cost=fmt.fmt_usd(0.05), n="50,000", years="1")
        own = translate(
            "report.data.scenario_value", value=fmt.fmt_usd(with_run.accuracy_value.usd_per_point_year)
        )
    section = english.split('id="section-data_value"', 1)[1]
    assert html.escape(f"{default_line} {inputs_line}") in section
    assert html.escape(own) in section, "this scenario's own value of a point stands beside the page's"
    explored = render_html(explored_report, fmt.NumberStyle())
    with fmt.number_style(fmt.NumberStyle()):
        typed = translate("report.data.value_typed", value="$30k")
        inputs = translate("report.data.inputs", cost=fmt.fmt_usd(0.1), n="20,000", years="1")
    assert html.escape(f"{typed} {inputs}") in explored
    scenario = dataclasses.replace(
        explored_report.data_value,  # type: ignore[type-var]
        value_provenance="scenario",
        inputs=dataclasses.replace(EXPLORED.data_value, value_from=EVIL),  # type: ignore[type-var]
    )
    from_scenario = render_html(dataclasses.replace(explored_report, data_value=scenario), fmt.NumberStyle())
    assert html.escape(translate("report.data.value_from", value="$30k", name=EVIL)) in from_scenario
    assert EVIL not in from_scenario.replace(get_plotlyjs(), "")


def test_chinese_report_has_no_english_left(with_run: Report, chinese: str) -> None:
    """The Chinese report reads Chinese throughout: no run of four or more English words (the
    Chinese UI's rule, :func:`tests.app.test_i18n_walk.english_runs`), no placeholder left unfilled,
    no untranslated catalog name or measurement method. The published sources the validation table
    cites are quoted as published (bibliographic data, like the catalogs' own rows)."""
    from tests.support.english import english_runs, scrub

    cited = {str(s) for s in with_run.validation["source"]} if "source" in with_run.validation else set()
    text = [t for t in Page(chinese.replace(get_plotlyjs(), "")).text if t.strip() not in cited]
    runs = [(run, t[:80]) for t in text for run in english_runs(scrub(t))]
    assert not runs, runs
    visible = " ".join(text)
    assert not re.search(r"\{[a-z_]+\}", visible), re.search(r"\{[a-z_]+\}", visible)
    for leftover in ("bundled", "logical cores", "TDP share", "best of", "compiled", "· batch"):
        assert leftover not in visible, leftover
