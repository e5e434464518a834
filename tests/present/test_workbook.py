"""The Excel workbook: the numbers of the report, in numbers, in the display currency, safe to open."""

from __future__ import annotations

import dataclasses
import json
import math
import re
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from bizmodel.catalog import load_bundled
from bizmodel.projection import COLUMNS
from bizmodel.scenario import base_template
from mlcore.specs import RunRecord
from present.explored import BudgetQuestion, Explored, TrainingPlan
from present.field_registry import FIELDS
from present.format import NumberStyle
from present.i18n import catalog, translate
from present.kpi_registry import WORKBOOK, listed_in
from present.report_data import Report, ReportOptions, build_report
from present.workbook import safe_sheet_name, strip_unit, workbook_bytes
from tests.support.economics import CURVE_SIZES, PROFILE, learning_curve

RECORDED = Path(__file__).resolve().parents[1] / "app" / "data" / "recorded_run.json"
USD = NumberStyle()
CNY = NumberStyle(currency="CNY", usd_to_cny=7.0)
SHEETS = [
    "Summary",
    "Assumptions",
    "Monthly",
    "Monte Carlo",
    "Sensitivity",
    "Scorecard",
    "Plans explored",
    "Estimates vs published",
]
RUN_SHEETS = [
    *SHEETS[:-2],
    "Serving",
    "Data value",
    "Plans explored",
    "Estimates vs published",
    "Runs",
]
#: A production model of 8,970 × 20,000 ≈ 1.8e8 parameters: priced on the catalog's accelerators.
LARGE = {"production_model_factor": 20_000.0}
INJECTIONS = ('=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\r=1")


def _record(**changes: Any) -> RunRecord:
    data = json.loads(RECORDED.read_text())["record"]
    data.update(inference=PROFILE, learning_curve=learning_curve(CURVE_SIZES), **changes)
    return RunRecord.from_dict(data)


def _open(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(BytesIO(data))


def _labels(ws: Any) -> dict[str, Any]:
    """Column A label → column B value."""
    return {row[0].value: row[1].value for row in ws.iter_rows(max_col=2) if isinstance(row[0].value, str)}


def _column(ws: Any, header: str) -> tuple[list[Any], list[str]]:
    """The values and number formats below ``header`` (in the first row that holds it)."""
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == header:
                cells = [ws.cell(r, cell.column) for r in range(cell.row + 1, ws.max_row + 1)]
                cells = [c for c in cells if c.value is not None]
                return [c.value for c in cells], [c.number_format for c in cells]
    raise AssertionError(f"no column {header!r}")


@pytest.fixture(scope="module")
def bundled():
    return load_bundled()


@pytest.fixture(scope="module")
def typed(bundled) -> Report:
    return build_report(
        base_template(), name="Base", run=None, catalog=bundled, options=ReportOptions(paths=500)
    )


@pytest.fixture(scope="module")
def measured(bundled) -> Report:
    return build_report(
        base_template(), name="Base", run=_record(), catalog=bundled, options=ReportOptions(paths=500)
    )


@pytest.fixture(scope="module")
def books(typed, measured) -> dict[str, openpyxl.Workbook]:
    return {
        "typed": _open(workbook_bytes(typed, USD)),
        "measured": _open(workbook_bytes(measured, USD)),
        "measured_cny": _open(workbook_bytes(measured, CNY)),
    }


@pytest.fixture(scope="module")
def large(bundled) -> Report:
    scenario = dataclasses.replace(base_template(), **LARGE)
    return build_report(
        scenario, name="Large", run=_record(), catalog=bundled, options=ReportOptions(paths=200)
    )


def test_sheets(books, large) -> None:
    assert books["typed"].sheetnames == SHEETS
    # The recorded run's production model is small: priced on the run's own throughput, no GPU sheet.
    assert books["measured"].sheetnames == RUN_SHEETS
    assert _open(workbook_bytes(large, USD)).sheetnames == [*SHEETS[:-2], "Compute", *RUN_SHEETS[-5:]]


def test_the_validation_sheet_holds_every_published_run(books, typed) -> None:
    sheet = books["typed"]["Estimates vs published"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Published run", "Organisation", "Year"] and "Ratio" in header
    ratio = header.index("Ratio")
    ratios = [row[ratio].value for row in sheet.iter_rows(min_row=2)]
    assert len(ratios) == len(typed.validation) and all(1 / 2.2 <= r <= 2.2 for r in ratios)


def test_no_monte_carlo_sheet_without_a_simulation(typed) -> None:
    book = _open(workbook_bytes(dataclasses.replace(typed, monte_carlo=None), USD))
    assert "Monte Carlo" not in book.sheetnames


@pytest.mark.parametrize("which", ["typed", "measured"])
def test_summary_kpis_equal_the_report(books, typed, measured, which: str) -> None:
    report = typed if which == "typed" else measured
    values = _labels(books[which]["Summary"])
    kpis = report.kpis.to_dict()
    for spec in listed_in(WORKBOOK):
        name, label = spec.key, translate(spec.label)
        expected = kpis[name]
        if expected is None:
            assert values[label] is None, name
        elif spec.cell == "month":
            assert values[label] == expected, name
        else:
            assert values[label] == pytest.approx(expected, rel=1e-12), name
    for name in ("npv_usd", "ending_arr_usd", "gross_margin"):
        assert values[translate(f"kpi.{name}")] is not None
    assert values[translate("scenario.pick")] == "Base"


def test_summary_says_which_run_and_catalog(books, measured) -> None:
    typed_values = _labels(books["typed"]["Summary"])
    assert typed_values[translate("workbook.run")] == translate("workbook.typed_values")
    values = _labels(books["measured"]["Summary"])
    assert measured.run is not None
    assert measured.run.id in values[translate("workbook.run")]
    assert measured.catalog["version"] in values[translate("workbook.catalog")]
    assert values[translate("workbook.prices_newest")].date().isoformat() == measured.catalog["as_of"]
    assert translate("sidebar.rate") not in values
    assert _labels(books["measured_cny"]["Summary"])[translate("sidebar.rate")] == 7.0


def test_cny_is_seven_times_the_dollars(books) -> None:
    usd, cny = _labels(books["measured"]["Summary"]), _labels(books["measured_cny"]["Summary"])
    for spec in listed_in(WORKBOOK):
        name, label = spec.key, translate(spec.label)
        if spec.cell == "money":
            assert cny[label] == pytest.approx(7.0 * usd[label], rel=1e-12), name
        else:
            assert cny[label] == usd[label], name
    cash = strip_unit(translate("scenario.col.cash_usd"))
    usd_cash, usd_formats = _column(books["measured"]["Monthly"], f"{cash} ($)")
    cny_cash, cny_formats = _column(books["measured_cny"]["Monthly"], f"{cash} (¥)")
    assert cny_cash == pytest.approx([7.0 * v for v in usd_cash], rel=1e-12)
    assert all('"$"' in f for f in usd_formats)
    assert all('"¥"' in f for f in cny_formats)


def test_money_formats_carry_the_currency(books) -> None:
    summary = books["measured_cny"]["Summary"]
    npv = next(row[1] for row in summary.iter_rows(max_col=2) if row[0].value == translate("kpi.npv_usd"))
    assert npv.number_format == '"¥"#,##0'
    assumptions = books["measured"]["Assumptions"]
    serving = next(
        row[1]
        for row in assumptions.iter_rows(max_col=2)
        if row[0].value == strip_unit(translate("scenario.f.serving_usd_per_1000_predictions"))
    )
    assert serving.number_format.startswith('"$"')
    assert serving.number_format != '"$"#,##0'  # a small amount keeps its decimals


def test_monthly_is_the_projection(books, measured) -> None:
    ws = books["measured"]["Monthly"]
    frame = measured.frame
    assert ws.max_row == 1 + len(frame) == 1 + measured.effective.horizon_months
    assert ws.freeze_panes == "A2"
    assert all(cell.font.b for cell in ws[1])
    months, formats = _column(ws, translate("scenario.col.month"))
    assert months == list(range(1, len(frame) + 1))
    assert set(formats) == {"0"}
    assert ws.max_column == 1 + len(COLUMNS)
    cash, _ = _column(ws, f"{strip_unit(translate('scenario.col.cash_usd'))} ($)")
    assert cash == pytest.approx(frame["cash_usd"].tolist(), rel=1e-12)


def test_monte_carlo_sheet(books, measured) -> None:
    mc = measured.monte_carlo
    assert mc is not None
    ws = books["measured"]["Monte Carlo"]
    values = _labels(ws)
    assert values[translate("scenario.mc.paths")] == 500
    assert values[translate("workbook.mc.npv_p50", symbol="$")] == pytest.approx(mc.npv["p50"], rel=1e-12)
    assert values[translate("scenario.mc.p_out_of_cash")] == pytest.approx(mc.probability_out_of_cash)
    p90, formats = _column(ws, translate("workbook.mc.cash_p90", symbol="$"))
    assert p90 == pytest.approx(mc.fan["p90"].tolist(), rel=1e-12)
    assert len(p90) == measured.effective.horizon_months
    assert all(f.startswith('"$"') for f in formats)


def test_assumptions_hold_every_field_with_its_provenance(books, measured) -> None:
    labels = {strip_unit(translate(spec.label)) for spec in FIELDS}
    assert labels <= {row[0].value for row in books["measured"]["Assumptions"].iter_rows(max_col=1)}
    assert measured.inputs is not None
    ws = books["measured"]["Assumptions"]
    rows: dict[Any, list[Any]] = {}
    for row in ws.iter_rows(max_col=4):  # the first table: a range further down repeats a label
        rows.setdefault(row[0].value, [c.value for c in row[1:4]])
    value, unit, provenance = rows[strip_unit(translate("scenario.f.model_accuracy"))]
    assert value == pytest.approx(measured.effective.model_accuracy)
    assert unit == "%"
    assert measured.inputs.run_id in provenance
    assert rows[strip_unit(translate("scenario.f.cac_usd"))][2] == translate("provenance.assumed")
    typed = {row[0].value: row[3].value for row in books["typed"]["Assumptions"].iter_rows(max_col=4)}
    assert typed[strip_unit(translate("scenario.f.model_accuracy"))] == translate("provenance.assumed")


def test_sensitivity_and_scorecard(books, measured) -> None:
    assert measured.tornado is not None
    swings, formats = _column(
        books["measured"]["Sensitivity"], translate("workbook.col.npv_swing", symbol="$")
    )
    assert swings == pytest.approx(measured.tornado["npv_swing_usd"].tolist(), rel=1e-12)
    assert all(f.startswith('"$"') for f in formats)
    ws = books["measured"]["Scorecard"]
    assert ws.max_row == 1 + len(measured.scorecard)
    favourable, _ = _column(ws, translate("workbook.col.favourable"))
    assert favourable == [i.favourable for i in measured.scorecard if i.favourable is not None]


def test_compute_serving_and_runs(books, measured, large) -> None:
    book = books["measured"]
    assert large.compute and not measured.compute
    costs, formats = _column(
        _open(workbook_bytes(large, USD))["Compute"], translate("workbook.col.cost", symbol="$")
    )
    assert len(costs) == sum(len(c.options) for c in large.compute)
    assert all(f.startswith('"$"') for f in formats)
    assert measured.serving is not None
    monthly, _ = _column(book["Serving"], translate("workbook.col.monthly", symbol="$"))
    assert monthly == pytest.approx(measured.serving.plan["monthly_usd"].tolist(), rel=1e-12)
    runs = book["Runs"]
    assert runs.max_row == 2
    accuracy, _ = _column(runs, translate("m.test_accuracy"))
    assert accuracy == [pytest.approx(measured.run.test_accuracy)]  # type: ignore[union-attr]


def test_runs_are_listed_once_each(measured) -> None:
    other = _record(id="other", name="second run")
    book = _open(workbook_bytes(measured, USD, runs=[measured.run, other, other]))  # type: ignore[list-item]
    ids, _ = _column(book["Runs"], translate("workbook.col.run_id"))
    assert ids == [measured.run.id, "other"]  # type: ignore[union-attr]


def test_every_cell_is_a_finite_number_text_or_empty(books) -> None:
    for book in books.values():
        for ws in book.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (ws.title, cell.coordinate)
                    if isinstance(cell.value, float):
                        assert math.isfinite(cell.value), (ws.title, cell.coordinate)


def test_user_text_is_never_a_formula(typed, measured) -> None:
    evil = _record(id="evil", name="+1+1", dataset="-2+3")
    report = dataclasses.replace(typed, name=INJECTIONS[0], notes={"binding": "@SUM(A1)", "compute": "\tcmd"})
    data = workbook_bytes(report, USD, runs=[evil])
    with zipfile.ZipFile(BytesIO(data)) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert not any(re.search(r"<f[ >]", xml) for xml in sheets)
    book = _open(data)
    found = {}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                if cell.value in INJECTIONS:
                    found[cell.value] = cell
    assert set(found) == {INJECTIONS[0], "+1+1", "-2+3", "@SUM(A1)", "\tcmd"}
    for cell in found.values():
        assert cell.data_type == "s"
        assert cell.quotePrefix


def test_sheet_names_are_valid(books) -> None:
    for book in books.values():
        for name in book.sheetnames:
            assert len(name) <= 31
            assert not re.search(r"[\[\]:*?/\\]", name)
    assert safe_sheet_name("a" * 40) == "a" * 31
    assert safe_sheet_name("Runs", ["runs", "Runs 2"]) == "Runs 3"
    assert safe_sheet_name("[]") == "Sheet"


def test_chinese_labels(measured) -> None:
    style = NumberStyle(language="zh", currency="CNY", usd_to_cny=7.0)
    book = _open(workbook_bytes(measured, style))
    assert len(book.sheetnames) == len(RUN_SHEETS)
    cjk = re.compile(r"[\u4e00-\u9fff]")
    if "workbook.sheet.summary" in catalog("zh"):
        assert all(cjk.search(name) for name in book.sheetnames)
        headers = [c.value for c in book.worksheets[2][1]]
        assert all(cjk.search(h) for h in headers if "ARR" not in h)
    if "kpi.npv_usd" in catalog("zh"):
        assert translate("kpi.npv_usd", "zh") in _labels(book.worksheets[0])


def test_the_data_value_sheet_holds_the_reports_figures(books, measured) -> None:
    data = measured.data_value
    assert data is not None
    for key, style in (("measured", USD), ("measured_cny", CNY)):
        values = _labels(books[key]["Data value"])
        factor = style.factor
        assert values[strip_unit(translate("data_value.in.value"))] == pytest.approx(
            data.economics.value_usd_per_point_per_year * factor
        )
        assert values[translate("data_value.m.value")] == pytest.approx(
            data.purchase.value_usd_per_year * factor
        )
        assert values[translate("data_value.m.cost")] == pytest.approx(
            data.purchase.labelling_cost_usd * factor
        )
        assert values[translate("data_value.m.optimum")] == data.optimal.n_train
        assert values[translate("data_value.m.gain")] == pytest.approx(data.purchase.gain_points)
    samples, _ = _column(books["measured"]["Data value"], translate("report.col.samples"))
    assert samples == [p.n_train for p in data.points]


def test_the_plans_explored_sheet_recomputes_each_plan_and_budget(bundled) -> None:
    explored = Explored(
        plans=(TrainingPlan(params=70e9, tokens=1.4e12), TrainingPlan()),
        budgets=(BudgetQuestion(budget_usd=1e6, deadline_days=60),),
    )
    report = build_report(
        base_template(),
        name="Base",
        run=None,
        catalog=bundled,
        options=ReportOptions(paths=50, explored=explored),
    )
    assert report.explored is not None and not report.explored.defaults
    book = _open(workbook_bytes(report, CNY))
    ws = book[translate("workbook.sheet.explored")]
    assert ws["A1"].value == translate("report.explored.lead", plans=2, budgets=1)
    cheapest, formats = _column(ws, translate("workbook.col.cheapest_cost", symbol="¥"))
    expected = [o.cheapest["cost_usd"] * CNY.factor for o in report.explored.plans if o.cheapest]
    assert cheapest[: len(expected)] == pytest.approx(expected)
    assert all(f.startswith('"¥"') for f in formats[: len(expected)])
    params, _ = _column(ws, translate("workbook.col.params"))
    assert params[:2] == [70e9, 7e9]
    budget = report.explored.budgets[0]
    costs, _ = _column(ws, translate("workbook.col.cost", symbol="¥"))
    assert costs == [pytest.approx(budget.cost_usd * CNY.factor)]
