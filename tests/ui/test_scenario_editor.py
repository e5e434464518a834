"""The scenario editor's pure helpers: headcount steps, display units, documents from the form,
and the comparison tables (no Streamlit session needed)."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bizmodel.projection import kpis, project
from bizmodel.scenario import Scenario, base_template, bear_template, bull_template
from present.field_registry import ScenarioField, field
from present.format import NumberStyle, number_style
from ui.components.scenario_editor import (
    SECTIONS,
    document_from_inputs,
    field_value,
    from_display,
    headcount_from_steps,
    headcount_steps,
    to_display,
    validate,
)
from ui.views.compare import (
    differing_assumptions,
    flatten,
    format_kpi,
    format_kpi_table,
    kpi_table,
    unique_names,
)


def steps(*rows: tuple[object, object]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=["from_month", "headcount"])


@given(st.lists(st.integers(0, 50), min_size=1, max_size=60))
def test_headcount_steps_round_trip(heads: list[int]) -> None:
    plan, problems = headcount_from_steps(headcount_steps(heads), horizon_months=120)
    assert problems == []
    # The plan stops at the last change; the last value holds afterwards, so it is a prefix.
    assert plan == [float(h) for h in heads[: len(plan)]]
    assert all(float(h) == plan[-1] for h in heads[len(plan) :])


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        ((), "empty"),
        (((2, 3),), "start in month 1"),
        (((1, 3), (1, 4)), "appears twice"),
        (((1, 3), (0, 4)), "whole month from 1"),
        (((1, 3), (2.5, 4)), "whole month from 1"),
        (((1, 3), (200, 4)), "whole month from 1 to 60"),
        (((1, -2),), "must be a number ≥ 0"),
        (((1, 3), (None, 4)), "both a month and a headcount"),
    ],
)
def test_bad_headcount_steps_say_what_to_change(rows: tuple, problem: str) -> None:
    plan, problems = headcount_from_steps(steps(*rows), horizon_months=60)
    assert plan == []
    assert any(problem in p for p in problems), problems


def test_blank_rows_are_ignored() -> None:
    plan, problems = headcount_from_steps(steps((1, 2), (None, None), (4, 3)), horizon_months=12)
    assert (plan, problems) == ([2.0, 2.0, 2.0, 3.0], [])


@pytest.mark.parametrize(
    ("spec", "stored", "shown"),
    [
        (field("monthly_churn"), 0.03, 3.0),
        (field("cac_usd"), 400.0, 400.0),
        (field("horizon_months"), 60, 60.0),
    ],
)
def test_display_units_round_trip(spec: ScenarioField, stored: float, shown: float) -> None:
    assert to_display(spec, stored) == pytest.approx(shown)
    assert from_display(spec, shown) == pytest.approx(stored)


def _typed(document: dict) -> dict[str, float]:
    numbers = [s for _, specs in SECTIONS for s in specs if s.numeric]
    return {s.name: to_display(s, field_value(document, s.name)) for s in numbers}


def _tables(document: dict) -> dict[str, pd.DataFrame]:
    from ui.components.scenario_editor import funding_frame, ranges_frame

    return {
        "headcount": headcount_steps(document["headcount_by_month"]),
        "funding": funding_frame(document),
        "ranges": ranges_frame(document),
    }


@pytest.mark.parametrize("template", [base_template, bull_template, bear_template])
def test_an_untouched_form_gives_back_the_same_scenario(template) -> None:
    document = template().to_dict()
    new, problems = document_from_inputs(document, _typed(document), **_tables(document))
    assert problems == []
    scenario, errors = validate(new)
    assert errors == []
    assert scenario is not None
    assert project(scenario).equals(project(template()))


def test_typed_percentages_are_stored_as_fractions() -> None:
    document = base_template().to_dict()
    typed = _typed(document) | {"monthly_churn": 5.0, "delightful_accuracy": 97.0, "horizon_months": 36}
    new, problems = document_from_inputs(document, typed, **_tables(document))
    assert problems == []
    assert new["monthly_churn"] == pytest.approx(0.05)
    assert new["accuracy_link"]["delightful_accuracy"] == pytest.approx(0.97)
    assert new["horizon_months"] == 36


def test_invalid_values_are_reported_by_field() -> None:
    document = base_template().to_dict()
    typed = _typed(document) | {"monthly_churn": 150.0, "cac_usd": -1.0}
    new, problems = document_from_inputs(document, typed, **_tables(document))
    assert problems == []
    scenario, errors = validate(new)
    assert scenario is None
    assert any("monthly_churn" in e for e in errors) and any("cac_usd" in e for e in errors)


def test_incomplete_table_rows_are_problems() -> None:
    document = base_template().to_dict()
    tables = _tables(document)
    tables["funding"] = pd.DataFrame({"month": [6, None], "amount_usd": [1e6, 5e5]})
    tables["ranges"] = pd.DataFrame(
        {"field": ["cac_usd"], "low": [None], "high": [500.0], "distribution": [None]}
    )
    _, problems = document_from_inputs(document, _typed(document), **tables)
    assert len(problems) == 2


def test_flatten_and_differences() -> None:
    a, b = base_template().to_dict(), bull_template().to_dict()
    flat = flatten(a)
    assert flat["accuracy_link.minimum_viable_accuracy"] == "0.8"
    diff = differing_assumptions([("A", a), ("B", b)])
    assert "Market size (customers)" in diff.index and "CAC (USD per new customer)" in diff.index
    assert not any("horizon" in label.lower() for label in diff.index)
    assert differing_assumptions([("A", a), ("A2", a)]).empty


def test_differences_by_human_label_and_unit() -> None:
    """Compare lists no field names and no raw floats: ``serving_usd_per_1000_predictions``
    0.383091 is "Serving (USD per 1,000 predictions)" $0.383; a Monte Carlo range is a row of its
    own, "2 % – 5 % (triangular)"; amounts follow the display currency."""
    a = base_template().to_dict()
    b = bear_template().to_dict() | {"serving_usd_per_1000_predictions": 0.383091}
    diff = differing_assumptions([("A", a), ("B", b)])
    assert not any("_" in label for label in diff.index), list(diff.index)
    serving = next(label for label in diff.index if label.startswith("Serving"))
    assert serving.endswith("(USD per 1,000 predictions)") and diff.loc[serving, "B"] == "$0.383"
    churn = next(label for label in diff.index if label.startswith("Monte Carlo range: Monthly churn"))
    assert diff.loc[churn, "A"] == "2 % – 5 % (triangular)"
    assert not any(re.search(r"\d\.\d{4,}|field=|low=", text) for text in diff.to_numpy().ravel())
    with number_style(NumberStyle(language="zh", currency="CNY", usd_to_cny=7.0)):
        texts = differing_assumptions([("A", a), ("B", b)]).to_numpy().ravel()
    assert not any("$" in text for text in texts) and any("¥" in text for text in texts)


def test_kpi_table_differences_from_the_first() -> None:
    named = []
    for name, template in (("base", base_template), ("bull", bull_template), ("bear", bear_template)):
        s: Scenario = template()
        named.append((name, kpis(project(s), s)))
    table = kpi_table(named)
    assert list(table.columns) == ["base", "bull", "bear", "Δ bull", "Δ bear"]
    assert table.loc["npv_usd", "Δ bull"] == pytest.approx(named[1][1].npv_usd - named[0][1].npv_usd)
    assert table.loc["npv_usd", "bull"] > table.loc["npv_usd", "base"]
    for name, k in named:  # an undefined KPI is NaN, a defined one its value
        for key in ("irr_annual", "break_even_month", "runway_months"):
            value = getattr(k, key)
            cell = table.loc[key, name]
            assert math.isnan(cell) if value is None else cell == pytest.approx(value)
    text = format_kpi_table(table, {"base": 60, "bull": 60, "bear": 60})
    assert text.loc["npv_usd", "Δ bull"].startswith("+$")
    assert text.loc["runway_months", "base"] == "whole horizon"  # cash never below 0
    if named[2][1].break_even_month is None:
        assert text.loc["break_even_month", "bear"] == "> month 60"
        assert text.loc["break_even_month", "Δ bear"] == "–"


@pytest.mark.parametrize(
    ("kind", "value", "delta", "text"),
    [
        ("usd", -1.11e6, False, "−$1.11M"),
        ("usd", 0.0, True, "±$0"),
        ("pct", 0.239, False, "23.9 %"),
        ("pct", -0.071, True, "−7.1 pts"),
        ("month", 15.0, False, "15"),
        ("months", 8.03, False, "8.0 mo"),
        ("ratio", 3.5412, False, "3.54×"),
        ("ratio", float("nan"), True, "–"),
    ],
)
def test_format_kpi(kind: str, value: float, delta: bool, text: str) -> None:
    assert format_kpi(kind, value, delta=delta) == text


def test_untouched_ranges_widen_to_a_moved_value() -> None:
    document = base_template().to_dict()
    typed = _typed(document) | {"monthly_churn": 6.0}  # the base range is 2 %–5 %
    notes: list[str] = []
    new, problems = document_from_inputs(document, typed, **_tables(document), notes=notes)
    assert problems == []
    churn = next(r for r in new["ranges"] if r["field"] == "monthly_churn")
    assert (churn["low"], churn["high"]) == (0.02, pytest.approx(0.06))
    assert notes and "monthly_churn" in notes[0]
    scenario, errors = validate(new)
    assert errors == [] and scenario is not None
    # a range the user edited is kept as typed, and validated
    tables = _tables(document)
    tables["ranges"].loc[tables["ranges"]["field"] == "monthly_churn", "high"] = 0.055
    new, _ = document_from_inputs(document, typed, **tables, notes=[])
    assert validate(new)[0] is None


def test_unique_names() -> None:
    assert unique_names(["A", "B", "A", "A"]) == ["A", "B", "A (2)", "A (3)"]
