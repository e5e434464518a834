"""AppTest of the active scenario: chosen in the sidebar on every page, kept in the link, used by
every page that needs a scenario; saving, duplicating and renaming never switch it."""

from __future__ import annotations

from pathlib import Path

from tests.app.conftest import make_app
from tests.app.test_pages import _no_errors

SCENARIOS = "app_pages/scenarios.py"
OVERVIEW = "app_pages/overview.py"


def metric(at, label: str) -> str:
    values = [m.value for m in at.metric if m.label == label]
    assert values, [m.label for m in at.metric]
    return values[0]


def field(at, name: str):
    found = [w for w in at.number_input if w.key and w.key.endswith(f"_{name}")]
    assert found, name
    return found[0]


def name_box(at):
    return at.text_input(key=next(w.key for w in at.text_input if w.key.startswith("scn_name_")))


def go(at, page: str) -> None:
    """Follow a sidebar link: Streamlit drops the link's query parameters."""
    at.query_params.clear()
    at.switch_page(page).run()
    _no_errors(at)


def case_line(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("Scenario **")).split(" · ")[0]


def test_saving_a_bear_copy_of_base_keeps_base_active(app_env: Path) -> None:
    """Issue 15: open base, save a Bear copy, go to Overview: the Overview showed the Bear copy."""
    at = make_app(OVERVIEW)
    base_npv = metric(at, "NPV")
    assert case_line(at) == "Scenario **Base case**"
    go(at, SCENARIOS)
    field(at, "monthly_churn").set_value(9.0)
    next(b for b in at.button if b.key and b.key.endswith("_apply")).click().run()
    name_box(at).set_value("Bear")
    at.button(key="scn_save_new").click().run()
    _no_errors(at)
    go(at, OVERVIEW)
    assert case_line(at) == "Scenario **Base case**"
    assert metric(at, "NPV") == base_npv
