"""AppTest of the active scenario (issue 15, item 4): chosen in the sidebar on every page, kept in
the link, used by every page that needs a scenario (Overview, Scenarios, Compare's default, Build vs
buy, Data value's value of accuracy, the share link); Save keeps the scenario being edited active,
Save as new, Duplicate and Rename never switch it, deleting it falls back to base with a message,
and a share link activates its scenario for its viewer only."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1.element_tree import Selectbox

from bizmodel.projection import kpis, project
from bizmodel.scenario import base_template, bull_template
from present import format as fmt
from present.sharelink import SharedView, decode, encode
from store import Store
from tests.support.app import PAGES, apply_button, field, make_app, metric, no_errors

SCENARIOS = "app_pages/scenarios.py"
OVERVIEW = "app_pages/overview.py"
BUILD_BUY = "app_pages/build_buy.py"
COMPARE = "app_pages/compare.py"
DATA_VALUE = "app_pages/data_value.py"


def name_box(at):
    return at.text_input(key=next(w.key for w in at.text_input if w.key.startswith("scn_name_")))


def edit_churn(at, percent: float) -> None:
    """On the Scenarios page: type a monthly churn and apply it (an unsaved edit)."""
    field(at, "monthly_churn").set_value(percent)
    apply_button(at).click().run()
    no_errors(at)


def go(at, page: str) -> None:
    """Follow a link in the sidebar's navigation: Streamlit drops the link's query parameters."""
    at.query_params.clear()
    at.switch_page(page).run()
    no_errors(at)


def param(at, name: str) -> str | None:
    value = at.query_params.get(name)
    return (value[0] if value else None) if isinstance(value, list) else value


def active(at) -> str:
    """What the sidebar's select box shows as the active scenario."""
    box = at.sidebar.selectbox(key="active_scenario")
    return box.options[box.index]


def plain(markdown: str) -> str:
    """Markdown with its escapes undone (names are shown through ``safetext.for_markdown``)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def successes(at) -> list[str]:
    return [plain(s.value) for s in at.success]


def case_name(at) -> str:
    """The scenario the Overview's business case is about."""
    line = next(m.value for m in at.markdown if m.value.startswith("Scenario **"))
    return plain(line.split("**")[1])


def npv_of(scenario) -> str:
    return fmt.fmt_usd(kpis(project(scenario), scenario).npv_usd)


def only_saved(store: Store, name: str) -> str:
    return next(r["id"] for r in store.list_scenarios() if r["name"] == name)


# ------------------------------------------------------------------ saving never switches


def test_saving_a_bear_copy_of_base_keeps_base_active(app_env: Path) -> None:
    """Issue 15: open base, save a Bear copy, go to the Overview: it showed the Bear copy (and the
    sidebar could not switch back). Now base stays active until the user makes the copy active."""
    at = make_app(OVERVIEW)
    base_npv = metric(at, "NPV")
    assert case_name(at) == "Base case"
    go(at, SCENARIOS)
    edit_churn(at, 9.0)
    name_box(at).set_value("Bear")
    at.button(key="scn_save_new").click().run()
    no_errors(at)
    messages = successes(at)
    go(at, OVERVIEW)
    assert case_name(at) == "Base case"  # before: "Bear"
    assert metric(at, "NPV") == base_npv
    assert param(at, "scenario") == "base"
    assert active(at) == "Template: Base case"  # its edits went into the copy
    assert any("The active scenario is still “Base case”" in m for m in messages)  # said so
    # the copy holds the edits, and making it active is one click away, when asked
    bear = base_template().with_values(monthly_churn=0.09)
    sid = only_saved(Store(), "Bear")
    go(at, SCENARIOS)
    assert not [b for b in at.button if b.key == "scn_activate_copy"]  # offered once, with the message
    name_box(at).set_value("Bear")
    at.button(key="scn_save_new").click().run()
    copy_id = only_saved(Store(), "Bear (2)")
    at.button(key="scn_activate_copy").click().run()
    no_errors(at)
    assert param(at, "scenario") == copy_id and active(at) == "Bear (2)"
    go(at, OVERVIEW)
    assert case_name(at) == "Bear (2)" and metric(at, "NPV") == base_npv  # base, as saved
    at.sidebar.selectbox(key="active_scenario").set_value(f"saved:{sid}").run()
    assert case_name(at) == "Bear" and metric(at, "NPV") == npv_of(bear)
    at.sidebar.selectbox(key="active_scenario").set_value("template:base").run()  # and back
    assert case_name(at) == "Base case" and metric(at, "NPV") == base_npv


def test_save_keeps_the_scenario_being_edited_active_under_its_saved_name(app_env: Path) -> None:
    at = make_app(SCENARIOS)
    edit_churn(at, 4.5)
    edited = metric(at, "NPV")
    name_box(at).set_value("Plan A")
    at.button(key="scn_save").click().run()
    no_errors(at)
    sid = only_saved(Store(), "Plan A")
    assert param(at, "scenario") == sid and active(at) == "Plan A"
    assert any("Saved “Plan A”; it stays the active scenario." in s for s in successes(at))
    assert metric(at, "NPV") == edited  # nothing changed but the name
    go(at, OVERVIEW)
    assert case_name(at) == "Plan A" and metric(at, "NPV") == edited
    # the template is unchanged
    at.sidebar.selectbox(key="active_scenario").set_value("template:base").run()
    assert metric(at, "NPV") == npv_of(base_template())


def test_rename_and_duplicate_keep_the_active_scenario(app_env: Path) -> None:
    store = Store()
    sid = store.save_scenario("Plan A", json.dumps(bull_template().to_dict()))
    at = make_app(SCENARIOS, scenario=sid)
    name_box(at).set_value("Plan B")
    at.button(key="scn_rename").click().run()
    no_errors(at)
    assert param(at, "scenario") == sid and active(at) == "Plan B"
    edit_churn(at, 6.0)
    at.button(key="scn_duplicate").click().run()
    no_errors(at)
    assert param(at, "scenario") == sid and active(at) == "Plan B"
    assert any("Saved a copy, “Plan B (copy)”" in s for s in successes(at))
    assert [b for b in at.button if b.key == "scn_activate_copy"]
    copy = json.loads(store.get_scenario(only_saved(store, "Plan B (copy)"))["document"])
    assert copy["monthly_churn"] == 0.06  # the copy holds the edits
    assert metric(at, "NPV") == npv_of(bull_template())  # the active one is back to its saved version


def test_deleting_the_active_scenario_falls_back_to_base_with_a_message(app_env: Path) -> None:
    sid = Store().save_scenario("Plan A", json.dumps(bull_template().to_dict()))
    at = make_app(SCENARIOS, scenario=sid)
    at.button(key="scn_delete").click().run()
    no_errors(at)
    assert any(
        s.value == "Deleted “Plan A”. The active scenario is now the template “Base case”."
        for s in at.success
    )
    assert param(at, "scenario") == "base" and active(at) == "Template: Base case"
    assert f"saved:{sid}" not in at.sidebar.selectbox(key="active_scenario").options
    go(at, BUILD_BUY)
    assert any(m.value.startswith("Scenario: **Base case**") for m in at.markdown)


def test_a_scenario_deleted_elsewhere_falls_back_to_base_on_any_page(app_env: Path) -> None:
    store = Store()
    sid = store.save_scenario("Plan A", json.dumps(bull_template().to_dict()))
    store.delete_scenario(sid)
    at = make_app(BUILD_BUY, scenario=sid)
    no_errors(at)
    assert any("no longer exists" in w.value for w in at.warning)
    assert param(at, "scenario") == "base" and active(at) == "Template: Base case"


# ------------------------------------------------------------------ the sidebar on every page


@pytest.mark.parametrize("page", PAGES)
def test_every_page_shows_and_switches_the_active_scenario(app_env: Path, page: str) -> None:
    store = Store()
    sid = store.save_scenario("Plan A", json.dumps(bull_template().to_dict()))
    at = make_app(page)
    no_errors(at)
    box = at.sidebar.selectbox(key="active_scenario")
    assert box.label == "Active scenario" and box.value == "template:base"
    assert box.options == ["Template: Base case", "Template: Bull case", "Template: Bear case", "Plan A"]
    box.set_value(f"saved:{sid}").run()
    no_errors(at)
    assert param(at, "scenario") == sid and active(at) == "Plan A"
    go(at, OVERVIEW)  # every page follows
    assert case_name(at) == "Plan A" and metric(at, "NPV") == npv_of(bull_template())


def test_a_reload_keeps_the_active_scenario(app_env: Path) -> None:
    at = make_app(OVERVIEW)
    at.sidebar.selectbox(key="active_scenario").set_value("template:bear").run()
    link = param(at, "scenario")
    assert link == "bear"
    reloaded = make_app(BUILD_BUY, scenario=link)  # a reload: a new session from the same link
    no_errors(reloaded)
    assert active(reloaded) == "Template: Bear case"
    assert any(m.value.startswith("Scenario: **Bear case**") for m in reloaded.markdown)


def test_the_chinese_sidebar_names_the_templates_in_chinese(app_env: Path) -> None:
    at = make_app(OVERVIEW, lang="zh")
    box = at.sidebar.selectbox(key="active_scenario")
    assert box.label == "当前情景"
    assert box.options == ["模板：基准情景", "模板：乐观情景", "模板：悲观情景"]


# ------------------------------------------------------------------ each page uses it


def test_each_page_uses_the_active_scenario(app_env: Path) -> None:
    from tests.support.app import curve, with_curve

    with_curve(curve())
    store = Store()
    store.save_scenario("Other plan", json.dumps(base_template().to_dict()))
    at = make_app(OVERVIEW)
    at.sidebar.selectbox(key="active_scenario").set_value("template:bull").run()
    bull = npv_of(bull_template())
    assert case_name(at) == "Bull case" and metric(at, "NPV") == bull
    share = decode(
        parse_qs(urlsplit(next(c.value for c in at.code if "share=" in c.value)).query)["share"][0]
    )
    assert share.scenario == bull_template() and share.name == "Bull case"  # the share link and report
    go(at, SCENARIOS)
    assert metric(at, "NPV") == bull
    assert any(m.value.startswith("Editing the active scenario, **Bull case**") for m in at.markdown)
    go(at, BUILD_BUY)
    assert any(m.value.startswith("Scenario: **Bull case**") for m in at.markdown)
    go(at, COMPARE)  # the active scenario first; the other saved one beside it
    assert list(at.dataframe[0].value.columns)[:2] == ["Template: Bull case", "Other plan"]
    go(at, DATA_VALUE)
    at.selectbox(key="data_value_value_from").set_value("active").run()
    no_errors(at)
    assert param(at, "value_from") == "active"
    assert any("“Bull case” values one accuracy point" in c.value for c in at.caption)


def test_pages_use_the_active_scenario_with_its_unsaved_edits(app_env: Path) -> None:
    at = make_app(SCENARIOS)
    edit_churn(at, 4.5)
    edited = metric(at, "NPV")
    go(at, OVERVIEW)
    assert metric(at, "NPV") == edited
    assert active(at) == "Template: Base case • unsaved edits"
    go(at, BUILD_BUY)
    assert any("unsaved edits" in c.value for c in at.caption)
    go(at, COMPARE)
    kpi = at.dataframe[0].value
    assert kpi.columns[0] == "Template: Base case • unsaved edits"
    assert kpi.loc["NPV"].iloc[0].replace("−", "-") == edited.replace("−", "-")


# ------------------------------------------------------------------ share links


def test_a_share_link_activates_its_scenario_for_its_viewer_only(app_env: Path) -> None:
    shared = base_template().with_values(monthly_churn=0.05)
    token = encode(SharedView(shared, page="overview", language="en", name="Board deck"))
    owner = make_app(OVERVIEW)
    viewer = make_app(share=token)
    no_errors(viewer)
    assert case_name(viewer) == "Board deck" and active(viewer) == "Board deck (shared copy, unsaved)"
    link = param(viewer, "scenario") or ""
    assert link.startswith("shared-")
    owner.run()  # another session: its active scenario is untouched, nothing was saved
    assert case_name(owner) == "Base case" and Store().list_scenarios() == []
    # the viewer can switch away in the sidebar, and back to the copy
    viewer.sidebar.selectbox(key="active_scenario").set_value("template:bull").run()
    assert case_name(viewer) == "Bull case" and param(viewer, "share") is None
    viewer.sidebar.selectbox(key="active_scenario").set_value("shared:" + link.removeprefix("shared-")).run()
    no_errors(viewer)
    assert case_name(viewer) == "Board deck" and metric(viewer, "NPV") == npv_of(shared)


def test_a_stale_label_from_the_browser_is_no_choice(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The browser names the sidebar's choice by its label; after a save the "• unsaved edits"
    label is gone, and the stale text the browser still holds must not become the active
    scenario (it did: the link read ``?scenario=+Base+case`` and the Overview said it no longer
    existed)."""
    at = make_app(SCENARIOS)
    edit_churn(at, 4.5)
    assert active(at) == "Template: Base case • unsaved edits"
    at.button(key="scn_save").click().run()
    no_errors(at)
    saved = param(at, "scenario")
    assert saved is not None and re.fullmatch(r"[0-9a-f]{32}", saved)
    # What the browser sends back: the label it drew before the save (no longer an option).
    box_id = at.sidebar.selectbox(key="active_scenario").id
    drawn = Selectbox._widget_state

    def stale(self: Selectbox) -> WidgetState:
        if self.id != box_id:
            return drawn.fget(self)  # type: ignore[attr-defined]
        return WidgetState(id=self.id, string_value="Template: Base case • unsaved edits")

    monkeypatch.setattr(Selectbox, "_widget_state", property(stale))
    at.run()
    no_errors(at)
    assert param(at, "scenario") == saved
    assert not at.warning, [w.value for w in at.warning]
