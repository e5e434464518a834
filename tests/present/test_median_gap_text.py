"""The Monte Carlo median against the plan, in words: the sentence, the report's table, the workbook."""

from __future__ import annotations

import dataclasses
import html
import re
from io import BytesIO

import openpyxl
import pytest

from bizmodel.catalog import load_bundled
from bizmodel.median_gap import GapDriver, MedianGap
from bizmodel.scenario import base_template, bear_template
from bizmodel.scenario_bounds import RANGE_FIELDS
from present import format as fmt
from present.field_registry import field
from present.i18n import translate
from present.median_gap_text import field_kind, field_label, median_gap_sentence, signed_usd, value_text
from present.report import bare_label, render_html
from present.report_data import Report, ReportOptions, build_report, monte_carlo_section
from present.workbook import workbook_bytes

ZH_CNY = fmt.NumberStyle(language="zh", currency="CNY", usd_to_cny=7.0)
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def base_gap() -> MedianGap:
    gap = monte_carlo_section(base_template(), paths=10_000, seed=0).median_gap
    assert gap is not None and gap.material
    return gap


@pytest.fixture(scope="module")
def report() -> Report:
    return build_report(
        base_template(), name="Base", run=None, catalog=load_bundled(), options=ReportOptions(paths=4_000)
    )


# ------------------------------------------------------------------------------ declarations agree


@pytest.mark.parametrize("name", RANGE_FIELDS)
def test_field_kind_agrees_with_the_report_and_the_workbook(name: str) -> None:
    declared = field(name)
    assert field_kind(name) == declared.kind
    kinds = {"pct": ("pct", "pct2"), "usd": ("money",), "number": ("number",), "count": ("count",)}
    assert declared.units.cell in kinds[field_kind(name)]


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("name", RANGE_FIELDS)
def test_field_label_is_the_reports(name: str, lang: str) -> None:
    assert field_label(name, lang) == bare_label(translate(f"scenario.f.{name}", lang))


# ------------------------------------------------------------------------------ the sentence


def test_sentence_names_the_drivers_their_medians_and_the_rest(base_gap: MedianGap) -> None:
    text = median_gap_sentence(base_gap, "en")
    assert text is not None
    assert text.startswith(f"The Monte Carlo median NPV ({fmt.fmt_usd(base_gap.median_npv_usd)}) is ")
    assert (
        f"{fmt.fmt_usd(-base_gap.gap_usd)} below the plan's ({fmt.fmt_usd(base_gap.point_npv_usd)})" in text
    )
    assert "CAC ranges $200 … $500 around $300 but centres on $327 (" in text
    assert (
        "monthly churn at delightful accuracy ranges 2.0 % … 5.0 % around 3.0 % but centres on 3.3 %" in text
    )
    for d in base_gap.drivers[:3]:
        assert f"({signed_usd(d.npv_effect_usd)})" in text
    assert f"the rest ({signed_usd(base_gap.interaction_usd)}) comes from the ranges acting together." in text
    assert "price" not in text.lower() and "market" not in text.lower()  # they centre on the plan


def test_sentence_in_chinese_and_yuan(base_gap: MedianGap) -> None:
    with fmt.number_style(ZH_CNY):
        text = median_gap_sentence(base_gap, "zh")
    assert text is not None and CJK.search(text)
    assert "$" not in text and "¥" in text
    assert not re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", text.replace("CAC", ""))
    assert translate("scenario.f.cac_usd", "zh").split("（")[0] in text


def test_more_drivers_than_named_are_summed(base_gap: MedianGap) -> None:
    text = median_gap_sentence(base_gap, "en", named=1)
    assert text is not None
    others = base_gap.drivers[1].npv_effect_usd + base_gap.drivers[2].npv_effect_usd
    assert f"2 more ranges off their most likely value ({signed_usd(others)})" in text
    assert "monthly churn" not in text


def test_a_gap_from_the_ranges_together_only() -> None:
    flat = GapDriver("price_usd_per_user_month", "triangular", 39.0, 59.0, 49.0, 49.0, 0.0)
    gap = MedianGap(-2e6, -2.5e6, -5e5, (flat,), -5e5, (-2.6e6, -2.4e6), 3e6, 1.5e5, "material")
    text = median_gap_sentence(gap, "en")
    assert text is not None and "every range centres on its most likely value" in text
    above = dataclasses.replace(gap, median_npv_usd=-1.5e6, gap_usd=5e5, interaction_usd=5e5)
    assert "$500k above the plan's" in (median_gap_sentence(above, "en") or "")


@pytest.mark.parametrize("verdict", ["small", "within_noise", "no_ranges"])
def test_nothing_to_say_unless_material(base_gap: MedianGap, verdict: str) -> None:
    assert median_gap_sentence(dataclasses.replace(base_gap, verdict=verdict), "en") is None
    assert median_gap_sentence(None, "en") is None


def test_bear_template_says_nothing() -> None:
    gap = monte_carlo_section(bear_template(), paths=2_000, seed=0).median_gap
    assert gap is not None and median_gap_sentence(gap, "en") is None


def test_values_read_differently_when_they_differ() -> None:
    assert value_text("bass_q", [0.03, 0.08, 0.05, 0.0526]) == ["3.0 %", "8.0 %", "5.0 %", "5.3 %"]
    assert value_text("monthly_churn", [0.0300, 0.0302]) == ["3.00 %", "3.02 %"]
    assert value_text("market_size", [10_000.0, 40_000.0, 20_000.0, 20_000.0]) == ["10k", "40k", "20k", "20k"]
    with fmt.number_style(ZH_CNY):
        assert value_text("cac_usd", [400.0]) == ["¥2,800"]


# ------------------------------------------------------------------------------ report and workbook


def test_report_explains_the_median(report: Report) -> None:
    mc = report.monte_carlo
    assert mc is not None and mc.median_gap is not None and mc.median_gap.material
    page = html.unescape(render_html(report, fmt.NumberStyle()))
    assert translate("median_gap.title") in page
    with fmt.number_style(fmt.NumberStyle()):
        sentence = median_gap_sentence(mc.median_gap, "en")
    assert sentence is not None and sentence in page
    table = page[page.index('<table class="median-gap compact">') :].split("</table>")[0]
    assert table.count("<tr>") == 1 + len(mc.median_gap.drivers) + 2  # header, drivers, together, gap
    assert "$200 … $500 (triangular)" in table and "10k … 40k (log-normal)" in table
    assert translate("median_gap.row.together") in table


def test_report_in_chinese_and_yuan(report: Report) -> None:
    page = html.unescape(render_html(report, ZH_CNY))
    assert translate("median_gap.title", "zh") in page and translate("median_gap.why", "zh") in page
    table = page[page.index('<table class="median-gap compact">') :].split("</table>")[0]
    assert "¥" in table and "$" not in table


def test_report_without_a_material_gap_has_no_explanation(report: Report) -> None:
    mc = report.monte_carlo
    assert mc is not None and mc.median_gap is not None
    quiet = dataclasses.replace(
        report,
        monte_carlo=dataclasses.replace(mc, median_gap=dataclasses.replace(mc.median_gap, verdict="small")),
    )
    page = render_html(quiet, fmt.NumberStyle())
    assert "median-gap" not in page and html.escape(translate("median_gap.title")) not in page


def test_workbook_holds_the_gap_in_numbers(report: Report) -> None:
    mc = report.monte_carlo
    assert mc is not None and mc.median_gap is not None
    gap = mc.median_gap
    ws = openpyxl.load_workbook(BytesIO(workbook_bytes(report, ZH_CNY)))[
        translate("workbook.sheet.monte_carlo", "zh")
    ]
    labels = {r[0].value: r[1].value for r in ws.iter_rows(max_col=2) if isinstance(r[0].value, str)}
    assert labels[translate("workbook.mc.plan_npv", "zh", symbol="¥")] == pytest.approx(
        7.0 * gap.point_npv_usd
    )
    assert labels[translate("workbook.mc.gap", "zh", symbol="¥")] == pytest.approx(7.0 * gap.gap_usd)
    assert labels[translate("workbook.mc.together", "zh", symbol="¥")] == pytest.approx(
        7.0 * gap.interaction_usd
    )
    rows = {r[0].value: [c.value for c in r[1:7]] for r in ws.iter_rows(max_col=7)}
    churn = rows[field_label("monthly_churn", "zh")]
    assert churn[0] == translate("report.distribution.triangular", "zh")
    assert churn[1:5] == pytest.approx([0.02, 0.05, 0.03, 0.0326795], rel=1e-5)
    by_field = {d.field: d for d in gap.drivers}
    cac = rows[field_label("cac_usd", "zh")]
    assert cac[1:5] == pytest.approx(
        [7.0 * 200, 7.0 * 500, 7.0 * 300, 7.0 * by_field["cac_usd"].median_value]
    )
    assert cac[5] == pytest.approx(7.0 * by_field["cac_usd"].npv_effect_usd)
