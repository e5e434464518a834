"""AppTest of the Scenarios, Compare and Data value pages' scenario paths: templates render
with KPIs and every chart; an edit moves the KPIs; save, reopen by link, rename, duplicate,
delete; bad edits, tampered links and invalid saved documents give messages, never tracebacks;
a bound run drives the technical inputs; Compare shows differences; Data value takes a
scenario's value of accuracy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bizmodel.projection import kpis, project
from bizmodel.scenario import base_template, bull_template
from present import format as fmt
from present.field_registry import FIELDS
from present.i18n import translate
from present.kpi_registry import PANEL, listed_in
from present.summary import short_id
from store import Store
from tests.support.app import apply_button, field, make_app, metric, no_errors, seed_runs

PAGE = "app_pages/scenarios.py"
COMPARE = "app_pages/compare.py"


def test_base_template_renders_kpis_and_charts(app_env: Path) -> None:
    at = make_app(PAGE)
    no_errors(at)
    s = base_template()
    k = kpis(project(s), s)
    assert metric(at, "NPV") == fmt.fmt_usd(k.npv_usd)
    assert metric(at, "Break-even") == f"month {k.break_even_month}"
    assert at.query_params["scenario"] == ["base"] or at.query_params["scenario"] == "base"
    # projection, accuracy link, fan, histogram, two tornados
    assert len(at.get("plotly_chart")) == 6
    assert any("P(out of cash)" == m.label for m in at.metric)


def test_an_edit_moves_the_kpis_and_bad_edits_are_explained(app_env: Path) -> None:
    at = make_app(PAGE)
    before = metric(at, "NPV")
    field(at, "monthly_churn").set_value(4.5)
    apply_button(at).click().run()
    no_errors(at)
    after = metric(at, "NPV")
    assert after != before
    s = base_template().with_values(monthly_churn=0.045)
    assert after == fmt.fmt_usd(kpis(project(s), s).npv_usd)
    assert any("Unsaved" in c.value for c in at.caption)
    # an impossible link: delightful below minimum viable accuracy
    field(at, "delightful_accuracy").set_value(50.0)
    apply_button(at).click().run()
    no_errors(at)
    assert any("delightful\\_accuracy" in e.value for e in at.error)
    assert metric(at, "NPV") == after  # the last valid scenario still shows


def test_save_reopen_rename_duplicate_delete(app_env: Path) -> None:
    at = make_app(PAGE, scenario="bull")
    at.text_input(key=next(w.key for w in at.text_input if w.key.startswith("scn_name_"))).set_value("Plan A")
    at.button(key="scn_save").click().run()
    no_errors(at)
    store = Store()
    rows = store.list_scenarios()
    assert [r["name"] for r in rows] == ["Plan A"]
    sid = rows[0]["id"]
    assert json.loads(rows[0]["document"]) == bull_template().to_dict()
    npv = metric(at, "NPV")
    # reopened by link in a fresh session: the same numbers
    again = make_app(PAGE, scenario=sid)
    no_errors(again)
    assert metric(again, "NPV") == npv
    name_key = next(w.key for w in again.text_input if w.key.startswith("scn_name_"))
    again.text_input(key=name_key).set_value("Plan B")
    again.button(key="scn_rename").click().run()
    assert store.get_scenario(sid)["name"] == "Plan B"
    again.button(key="scn_duplicate").click().run()
    no_errors(again)
    names = sorted(r["name"] for r in store.list_scenarios())
    assert names == ["Plan B", "Plan B (copy)"]
    assert again.query_params["scenario"] in (sid, [sid])  # duplicating never switches
    # deleting the active scenario makes the base template active, and says so
    again.button(key="scn_delete").click().run()
    no_errors(again)
    assert [r["name"] for r in store.list_scenarios()] == ["Plan B (copy)"]
    assert again.query_params["scenario"] in ("base", ["base"])
    assert any("The active scenario is now the template “Base case”" in s.value for s in again.success)


def test_tampered_link_and_invalid_saved_document(app_env: Path) -> None:
    at = make_app(PAGE, scenario="../../etc/passwd")
    no_errors(at)
    assert any("no longer exists" in w.value for w in at.warning)
    assert metric(at, "NPV") == fmt.fmt_usd(kpis(project(base_template()), base_template()).npv_usd)
    store = Store()
    bad = {**base_template().to_dict(), "monthly_churn": 3.0}
    sid = store.save_scenario("Broken", json.dumps(bad))
    at = make_app(PAGE, scenario=sid)
    no_errors(at)
    text = " ".join(w.value for w in at.warning)
    assert "not valid any more" in text and "monthly\\_churn" in text
    assert store.get_scenario(sid) is not None  # nothing saved is lost


def test_a_bound_run_drives_the_accuracy(app_env: Path) -> None:
    runs = seed_runs(Store(), 2)
    at = make_app(PAGE)
    key = next(w.key for w in at.selectbox if w.key and w.key.startswith("scn_run_"))
    at.selectbox(key=key).set_value(runs[1].id).run()
    no_errors(at)
    assert metric(at, "Model accuracy (%)") == fmt.fmt_pct(runs[1].test_accuracy)
    badges = [m.value for m in at.markdown if "-badge[" in m.value]
    assert f":green-badge[measured · {short_id(runs[1].id)}]" in badges
    assert ":orange-badge[assumed · typed]" in badges  # no inference profile: serving stays typed
    # saved with the scenario
    name_key = next(w.key for w in at.text_input if w.key.startswith("scn_name_"))
    at.text_input(key=name_key).set_value("Run-driven")
    at.button(key="scn_save").click().run()
    row = Store().list_scenarios()[0]
    assert row["run_id"] == runs[1].id


def test_compare_shows_differences(app_env: Path) -> None:
    at = make_app(COMPARE)
    no_errors(at)
    assert len(at.get("plotly_chart")) == 2
    frames = [d.value for d in at.dataframe]
    kpi = frames[0]
    assert "Δ Template: Bull case" in kpi.columns
    diff = frames[1]
    assert "Market size (customers)" in diff.index and "Horizon (months)" not in diff.index
    assert not [name for name in diff.index if "_" in name]  # labels, never field names
    at = make_app(COMPARE, compare="base")
    no_errors(at)
    assert any("at least two" in i.value for i in at.info)


def test_data_value_takes_a_scenarios_value_of_accuracy(app_env: Path) -> None:
    from tests.support.app import curve, with_curve

    with_curve(curve())
    at = make_app("app_pages/data_value.py", value_from="base")
    no_errors(at)
    value = [w for w in at.number_input if w.key and w.key.startswith("data_value_value_scn_")]
    assert value and value[0].disabled
    assert any("Base case" in c.value and "accuracy point" in c.value for c in at.caption)


def test_leaving_and_coming_back_keeps_the_scenario_and_its_edits(app_env: Path) -> None:
    store = Store()
    sid = store.save_scenario("Plan A", json.dumps(base_template().to_dict()))
    at = make_app(PAGE, scenario=sid)
    field(at, "monthly_churn").set_value(4.5)
    apply_button(at).click().run()
    edited = metric(at, "NPV")
    # a click in the sidebar drops the link's parameters
    at.query_params.clear()
    at.switch_page(COMPARE).run()
    no_errors(at)
    active = at.selectbox(key="active_scenario")
    assert active.options[active.index] == "Plan A • unsaved edits"  # the sidebar marks the draft
    at.query_params.clear()
    at.switch_page(PAGE).run()
    no_errors(at)
    assert metric(at, "NPV") == edited
    assert at.query_params["scenario"] in (sid, [sid])
    # switching away in the sidebar and back keeps the draft
    at.selectbox(key="active_scenario").set_value("template:bull").run()
    assert metric(at, "NPV") != edited
    at.selectbox(key="active_scenario").set_value(f"saved:{sid}").run()
    assert metric(at, "NPV") == edited


def test_duplicate_copies_the_edits_on_screen(app_env: Path) -> None:
    store = Store()
    sid = store.save_scenario("Plan A", json.dumps(base_template().to_dict()))
    at = make_app(PAGE, scenario=sid)
    field(at, "monthly_churn").set_value(4.5)
    apply_button(at).click().run()
    at.button(key="scn_duplicate").click().run()
    no_errors(at)
    rows = {r["name"]: json.loads(r["document"]) for r in store.list_scenarios()}
    assert rows["Plan A (copy)"]["monthly_churn"] == 0.045
    assert rows["Plan A"]["monthly_churn"] == 0.03  # the original keeps its saved version


def test_a_missing_scenario_is_explained_once(app_env: Path) -> None:
    at = make_app(PAGE, scenario="deadbeef")
    assert any("no longer exists" in w.value for w in at.warning)
    name_key = next(w.key for w in at.text_input if w.key.startswith("scn_name_"))
    at.text_input(key=name_key).set_value("Plan Z")
    at.button(key="scn_save").click().run()
    no_errors(at)
    assert not any("no longer exists" in w.value for w in at.warning)


def test_production_scale_and_spread_are_saved_with_the_scenario(app_env: Path) -> None:
    runs = seed_runs(Store(), 1)
    at = make_app(PAGE)
    key = next(w.key for w in at.selectbox if w.key and w.key.startswith("scn_run_"))
    at.selectbox(key=key).set_value(runs[0].id).run()
    label = "One production retraining"
    before = metric(at, label)
    assert field(at, "production_model_factor").value == 0.0  # derived from the data plan
    field(at, "production_model_factor").set_value(1000.0)
    apply_button(at).click().run()
    no_errors(at)
    assert metric(at, label) != before
    helps = [m.help for m in at.metric if m.label == label]
    assert helps and "1,000× its 8,970 parameters" in helps[0].replace("\\", "")
    spread = next(w for w in at.toggle if w.key and w.key.startswith("scn_spread_"))
    spread.set_value(True).run()
    name_key = next(w.key for w in at.text_input if w.key.startswith("scn_name_"))
    at.text_input(key=name_key).set_value("Scaled")
    at.button(key="scn_save").click().run()
    saved = json.loads(Store().list_scenarios()[0]["document"])
    assert saved["production_model_factor"] == 1000.0 and saved["use_run_spread"] is True
    assert "run_retrain_scale" not in saved


def test_compare_names_the_inputs_and_months_beyond_the_horizon(app_env: Path) -> None:
    at = make_app(COMPARE, compare="base,bear")
    no_errors(at)
    kpi = at.dataframe[0].value
    assert kpi.iloc[0].tolist()[:2] == ["assumed · typed", "assumed · typed"]
    assert "whole horizon" in kpi.loc["Runway"].tolist()


def test_data_value_refuses_a_scenario_where_accuracy_does_not_pay(app_env: Path) -> None:
    from tests.support.app import curve, with_curve

    with_curve(curve())
    at = make_app("app_pages/data_value.py", scenario="bear", value_from="active")
    no_errors(at)
    assert any("does not pay" in w.value for w in at.warning)
    typed = [w for w in at.number_input if w.key == "data_value_value_per_point"]
    assert typed and not typed[0].disabled


@pytest.mark.parametrize(("lang", "none_label"), [("en", "None"), ("zh", None)])
def test_the_terminal_value_method_is_chosen_in_the_editor(
    app_env: Path, lang: str, none_label: str | None
) -> None:
    from present.i18n import translate

    at = make_app(PAGE, lang=lang)
    label = translate("kpi.npv_with_terminal_usd", lang)
    s = base_template()
    k = kpis(project(s), s)
    assert k.terminal_method == "exit_multiple" and k.npv_with_terminal_usd is not None
    box = next(w for w in at.selectbox if w.key and w.key.endswith("_terminal_value"))
    assert box.value == translate("scenario.terminal.exit_multiple", lang)
    box.set_value(none_label or translate("scenario.terminal.none", lang))
    apply_button(at).click().run()
    no_errors(at)
    # Without a terminal value there is no NPV with it: the card says so, not a number.
    assert metric(at, label) == fmt.MISSING
    helps = [m.help for m in at.metric if m.label == label]
    assert helps and {"en": "no terminal value is counted", "zh": "不计终值"}[lang] in helps[0]


def test_the_form_and_the_kpi_panel_follow_the_registries(app_env: Path) -> None:
    at = make_app(PAGE)
    no_errors(at)
    for spec in FIELDS:
        if spec.in_form and spec.numeric:
            assert field(at, spec.name).label == translate(spec.label), spec.name
    choices = [w.key for w in at.selectbox if w.key]
    assert all(any(k.endswith(f"_{s.name}") for k in choices) for s in FIELDS if s.kind == "choice")
    labels = [m.label for m in at.metric]
    panel = [translate(spec.label) for spec in listed_in(PANEL)]
    assert [label for label in labels if label in panel] == panel
