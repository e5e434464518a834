"""The self-contained HTML report: one document that opens offline (plotly.js inlined once, nothing
fetched), every section and chart present, numbers written exactly as the app writes them, user
text escaped, and the Chinese / CNY style applied throughout."""

from __future__ import annotations

import dataclasses
import html
import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

import pytest
from plotly.offline import get_plotlyjs

from bizmodel.catalog import Catalog, load_bundled
from bizmodel.scenario import base_template
from mlcore.specs import RunRecord
from mlcore.tasks import CURVE_RULE, LearningCurve
from tests.bizmodel.test_cli import CURVE_SIZES, PROFILE, RECORDED, _curve
from ui import format as fmt
from ui.i18n import translate
from ui.narrative import narrative
from ui.report import SCENARIO_FIELDS, SECTIONS, bare_label, chart_names, render_html
from ui.report_data import Report, ReportOptions, build_report
from ui.summary import short_id

EVIL = "<script>alert(1)</script>"
NOW = datetime(2026, 11, 29, 12, 30, tzinfo=UTC)
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


def full_run(**changes: object) -> RunRecord:
    """The recorded digits run with an inference profile and a learning curve (every section)."""
    record = json.loads(RECORDED.read_text())["record"]
    record.update(inference=PROFILE, learning_curve=_curve(CURVE_SIZES))
    return dataclasses.replace(RunRecord.from_dict(record), **changes)


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
def catalog() -> Catalog:
    return load_bundled()


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
        r'data-kpi="([a-z_]+)"><div class="label">.*?<div class="kpi-value">(.*?)</div>', document
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
        }
    assert len(set(values) - {"value_of_accuracy"}) == 12  # the executive summary's cards
    for key, text in expected.items():
        assert values[key] == text, key
    with fmt.number_style(style):
        assert html.escape(fmt.fmt_usd(mc.npv["p50"])) in document  # the narrative and the P-table
        assert html.escape(fmt.fmt_usd(with_run.accuracy_value.usd_per_point_year)) in document


def test_measured_figures_carry_the_run_and_the_rest_are_assumed(with_run: Report, english: str) -> None:
    assert with_run.run is not None
    run_badge = f"measured · {short_id(with_run.run.id)}"
    table = english.split('class="assumptions"')[1].split("</table>", maxsplit=1)[0]
    assert table.count("<tr>") > len(SCENARIO_FIELDS)  # and headcount, funding, run options
    for name, _, _ in SCENARIO_FIELDS:
        label = html.escape(bare_label(translate(f"scenario.f.{name}")))
        row = table.split(f"<td>{label}</td>")[1].split("</tr>")[0]
        assert (run_badge in row) == (name in with_run.measured_fields), name
    for colour in ("#059669", "#2563eb", "#d97706"):  # ui.theme.PROVENANCE_COLOURS
        assert f"background:{colour}" in english


def test_every_section_has_its_content_with_a_run(with_run: Report, english: str) -> None:
    assert not with_run.notes
    assert 'data-note="' not in english
    assert 'class="compute-now"' in english and 'class="compute-scale"' in english
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
        {**_curve(CURVE_SIZES), "rule": CURVE_RULE, "patience": 5, "max_epochs": 60}
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


def test_chinese_report_has_no_english_left(with_run: Report, chinese: str) -> None:
    """The Chinese report reads Chinese throughout: no run of four or more English words (the
    Chinese UI's rule, :func:`tests.app.test_i18n_walk.english_runs`), no placeholder left unfilled,
    no untranslated catalog name or measurement method. The published sources the validation table
    cites are quoted as published (bibliographic data, like the catalogs' own rows)."""
    from tests.app.test_i18n_walk import english_runs, scrub

    cited = {str(s) for s in with_run.validation["source"]} if "source" in with_run.validation else set()
    text = [t for t in Page(chinese.replace(get_plotlyjs(), "")).text if t.strip() not in cited]
    runs = [(run, t[:80]) for t in text for run in english_runs(scrub(t))]
    assert not runs, runs
    visible = " ".join(text)
    assert not re.search(r"\{[a-z_]+\}", visible), re.search(r"\{[a-z_]+\}", visible)
    for leftover in ("bundled", "logical cores", "TDP share", "best of", "compiled", "· batch"):
        assert leftover not in visible, leftover
