"""The scenario field registry against the model and every reader: each field of the model is
declared once, its bounds are the ones the model enforces, its labels and units exist in both
languages, and the editor, the report, the workbook, Compare and share links all carry it."""

from __future__ import annotations

import dataclasses
import html
import re
from io import BytesIO

import openpyxl
import pytest

from bizmodel.accuracy_link import AccuracyLink
from bizmodel.binding import RunInputs
from bizmodel.catalog import load_bundled
from bizmodel.scenario import Scenario, base_template, bull_template
from bizmodel.scenario_bounds import RANGE_FIELDS, TERMINAL_METHODS, ScenarioError
from present import format as fmt
from present.field_registry import FIELDS, NUMERIC_FIELDS, UNITS, ScenarioField, field, form_sections
from present.i18n import translate
from present.report import bare_label, render_html
from present.report_data import Report, ReportOptions, build_report
from present.sharelink import SharedView, decode, encode
from present.workbook import strip_unit, workbook_bytes
from ui.components.scenario_editor import SECTIONS
from ui.views.compare import assumption_texts

#: The scenario's lists (tables of their own) and the sub-object holding nested fields.
LISTS = {"headcount_by_month", "funding_rounds", "ranges", "accuracy_link"}
LANGS = ("en", "zh")
IDS = [f.name for f in FIELDS]


@pytest.fixture(scope="module")
def report() -> Report:
    return build_report(
        base_template(), name="Base", run=None, catalog=load_bundled(), options=ReportOptions(paths=500)
    )


def test_every_field_of_the_model_is_declared_once() -> None:
    names = [f.name for f in FIELDS]
    assert len(names) == len(set(names))
    model = {f.name for f in dataclasses.fields(Scenario)} - LISTS
    nested = {f.name for f in dataclasses.fields(AccuracyLink)}
    assert set(names) == model | nested
    assert {f.name for f in FIELDS if f.nested} == nested
    assert {f.name for f in FIELDS if f.rangeable} == set(RANGE_FIELDS)


def _document(spec: ScenarioField, value: object) -> dict:
    document = base_template().to_dict()
    holder = document[spec.nested] if spec.nested else document
    holder[spec.name] = value
    return document


def _bound_problems(spec: ScenarioField, value: object) -> list[str]:
    """The problems that say ``value`` is outside the field's bounds (or not a valid number)."""
    try:
        Scenario.from_dict(_document(spec, value))
    except ScenarioError as error:
        pattern = rf"^(accuracy_link: )?{spec.name} must be (at least|at most|a number|a whole number)"
        return [p for p in error.all_problems if re.search(pattern, p)]
    return []


@pytest.mark.parametrize("spec", [f for f in FIELDS if f.bounds is not None], ids=lambda f: f.name)
def test_bounds_are_the_ones_the_model_enforces(spec: ScenarioField) -> None:
    low, high = spec.bounds  # type: ignore[misc]
    cast = int if spec.integer else float
    assert _bound_problems(spec, cast(low)) == []
    assert _bound_problems(spec, cast(high)) == []
    step = 1 if spec.integer else max(abs(high), abs(low), 1.0) * 1e-6
    assert _bound_problems(spec, cast(high + step)), "above the high bound is accepted"
    assert _bound_problems(spec, cast(low - step)), "below the low bound is accepted"
    if spec.integer:
        assert _bound_problems(spec, low + 0.5)


def test_choices_are_the_models_and_the_rest_have_no_bounds() -> None:
    assert field("terminal_value").options is TERMINAL_METHODS
    assert {f.name for f in FIELDS if f.bounds is None} == {f.name for f in FIELDS if not f.numeric}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("spec", FIELDS, ids=IDS)
def test_labels_units_and_options_exist_in_both_languages(spec: ScenarioField, lang: str) -> None:
    keys = [spec.label, spec.units.workbook_key]
    keys += [spec.help] if spec.in_form else []
    keys += [spec.units.report_key] if spec.units.report_key else []
    keys += [f"{spec.options_key}.{option}" for option in spec.options]
    for key in keys:
        assert not translate(key, lang, currency="USD").startswith("["), key


def test_units_are_used_and_run_fields_are_run_inputs() -> None:
    assert {f.unit for f in FIELDS} == set(UNITS)
    inputs = {f.name for f in dataclasses.fields(RunInputs)}
    assert {f.name for f in FIELDS if f.run_bound} <= inputs


def test_every_form_field_is_in_an_editor_section() -> None:
    in_sections = [f for _, specs in SECTIONS for f in specs]
    assert in_sections == [f for f in FIELDS if f.in_form]
    assert list(dict(SECTIONS)) == list(form_sections())
    for spec in in_sections:
        assert spec.step > 0 or not spec.numeric, spec.name


@pytest.mark.parametrize("lang", LANGS)
def test_every_field_is_in_the_report(report: Report, lang: str) -> None:
    document = render_html(report, fmt.NumberStyle(language=lang))
    table = document.split('class="assumptions"')[1].split("</table>", maxsplit=1)[0]
    cells = re.findall(r"<td>(.*?)</td>", table)
    labels = [html.escape(bare_label(translate(f.label, lang))) for f in NUMERIC_FIELDS]
    assert [c for c in cells if c in labels] == labels  # every numeric field, in order
    for spec in FIELDS:
        if not spec.numeric:
            assert html.escape(translate(spec.label, lang)) in cells, spec.name


@pytest.mark.parametrize("lang", LANGS)
def test_every_field_is_on_the_workbook_assumptions_sheet(report: Report, lang: str) -> None:
    book = openpyxl.load_workbook(BytesIO(workbook_bytes(report, fmt.NumberStyle(language=lang))))
    sheet = book.worksheets[1]
    column = [row[0].value for row in sheet.iter_rows(max_col=1)]
    labels = [strip_unit(translate(f.label, lang)) for f in FIELDS]
    assert column[1 : 1 + len(FIELDS)] == labels


def test_every_field_is_in_compare() -> None:
    texts = assumption_texts(bull_template().to_dict())
    labels = [bare_label(label) for label in texts]
    for spec in FIELDS:
        assert bare_label(translate(spec.label)) in labels, spec.name


@pytest.mark.parametrize("spec", FIELDS, ids=IDS)
def test_every_field_travels_in_a_share_link(spec: ScenarioField) -> None:
    scenario = bull_template().with_values(use_run_spread=True, terminal_value="gordon")
    back = decode(encode(SharedView(scenario, run_id=None, page="scenarios", language="en")))
    assert spec.of(back.scenario) == spec.of(scenario)
