"""AppTest of sharing: a share link reopens the same scenario, run, page and language with the
same numbers; bad links explain themselves and fall back to the defaults; the Overview dashboard
shows the active scenario's case with badges; JSON import validates; user text stays text."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from bizmodel.catalog import load_bundled
from bizmodel.scenario import base_template
from present import format as fmt
from present.i18n import translate
from present.report_data import build_report
from present.sharelink import SharedView, decode, encode
from present.summary import short_id
from store import Store
from tests.support.app import make_app, no_errors, seed_runs
from tests.support.inert import markdown_problems, markdown_text

SCENARIOS = "app_pages/scenarios.py"


def metric(at, label: str) -> str:
    values = [m.value for m in at.metric if m.label == label]
    assert values, [m.label for m in at.metric]
    return values[0]


def _param(at, name: str) -> str | None:
    value = at.query_params.get(name)
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _link_in(at) -> str:
    codes = [c.value for c in at.code if "share=" in c.value]
    assert codes, "the share popover shows the link"
    return codes[0]


def test_a_share_link_reopens_the_same_view_in_a_new_session(app_env: Path) -> None:
    runs = seed_runs(Store(), 2)
    scenario = base_template().with_values(monthly_churn=0.031, price_usd_per_user_month=79.0)
    token = encode(
        SharedView(scenario, run_id=runs[1].id, page="scenarios", language="en", name="Seed round")
    )
    at = make_app(SCENARIOS, share=token)
    no_errors(at)
    report = build_report(scenario, name="Seed round", run=runs[1], catalog=load_bundled())
    assert metric(at, "NPV") == fmt.fmt_usd(report.kpis.npv_usd)
    assert metric(at, "Model accuracy (%)") == fmt.fmt_pct(runs[1].test_accuracy)
    assert _param(at, "run") == runs[1].id
    assert (_param(at, "scenario") or "").startswith("shared-")
    active = at.selectbox(key="active_scenario")  # the sidebar names it, active for this viewer
    assert active.options[active.index] == "Seed round (shared copy, unsaved)"
    # The page's own share link holds the same view.
    link = _link_in(at)
    again = decode(parse_qs(urlsplit(link).query)["share"][0])
    assert again.scenario == scenario and again.run_id == runs[1].id and again.name == "Seed round"


def test_a_link_opened_on_another_page_switches_to_its_page_and_language(app_env: Path) -> None:
    token = encode(SharedView(base_template(), page="scenarios", language="zh", name="种子轮"))
    at = make_app(share=token)  # arrives at the root (Overview)
    no_errors(at)
    assert _param(at, "lang") == "zh"
    zh_npv = translate("kpi.npv_usd", "zh")
    assert zh_npv != "NPV" and any(m.label == zh_npv for m in at.metric)  # Scenarios, in Chinese
    assert any(w.label == translate("scenario.name", "zh") for w in at.text_input)
    assert at.selectbox(key="active_scenario").label == translate("sidebar.active_scenario", "zh")
    assert any("种子轮" in m.value for m in at.markdown)


@pytest.mark.parametrize(
    "token",
    [
        "v1.not-really",
        "v9." + "A" * 40,
        "garbage",
        "v1." + "A" * 7000,
        encode(SharedView(base_template()))[:-6],
    ],
    ids=["damaged", "newer version", "no version", "oversized", "truncated"],
)
def test_a_bad_link_says_so_and_shows_the_defaults(app_env: Path, token: str) -> None:
    at = make_app(share=token)  # the Overview: the message shows on the run that opens the link
    no_errors(at)
    assert any("This share link" in e.value and "defaults" in e.value for e in at.error), [
        e.value for e in at.error
    ]
    assert _param(at, "share") is None
    assert _param(at, "scenario") == "base"
    at.run()
    assert not at.error  # said once
    s = base_template()
    report = build_report(s, name="Base", run=None, catalog=load_bundled())
    assert metric(at, "NPV") == fmt.fmt_usd(report.kpis.npv_usd)


def test_overview_shows_the_active_case_with_badges(app_env: Path) -> None:
    runs = seed_runs(Store(), 2)
    scenario = base_template()
    token = encode(SharedView(scenario, run_id=runs[0].id, page="overview", name="Board deck"))
    at = make_app(share=token)
    no_errors(at)
    report = build_report(scenario, name="Board deck", run=runs[0], catalog=load_bundled())
    assert metric(at, "NPV") == fmt.fmt_usd(report.kpis.npv_usd)
    assert metric(at, "Test accuracy") == fmt.fmt_pct(runs[0].test_accuracy)
    badges = " ".join(m.value for m in at.markdown if "-badge[" in m.value)
    assert f"measured · {short_id(runs[0].id)}" in badges
    assert "catalog ·" in badges
    text = " ".join(m.value for m in at.markdown)
    assert "Monte Carlo" in text and "10,000 paths" in text  # the narrative
    assert len(at.get("plotly_chart")) == 1  # the cash fan


def test_overview_without_runs_guides_to_train(app_env: Path) -> None:
    at = make_app()
    no_errors(at)
    assert any("No run has finished yet" in i.value for i in at.info)
    assert any(m.label == "NPV" for m in at.metric)  # the base case is still shown


def test_currency_and_rate_in_the_link_apply_everywhere(app_env: Path) -> None:
    at = make_app(SCENARIOS, cur="CNY", fx="7")
    no_errors(at)
    s = base_template()
    report = build_report(s, name="Base", run=None, catalog=load_bundled())
    with fmt.number_style(fmt.NumberStyle(currency="CNY", usd_to_cny=7.0)):
        expected = fmt.fmt_usd(report.kpis.npv_usd)
    assert expected.startswith("-¥")
    assert metric(at, "NPV") == expected
    bad = make_app(SCENARIOS, cur="EUR", fx="-3")
    no_errors(bad)
    assert any("currency or exchange rate" in w.value for w in bad.warning)
    assert metric(bad, "NPV") == fmt.fmt_usd(report.kpis.npv_usd)


def test_json_import_validates_and_opens_an_unsaved_copy(app_env: Path) -> None:
    at = make_app(SCENARIOS)
    bad = {**base_template().to_dict(), "monthly_churn": 2, "cac_usd": "cheap"}
    at.file_uploader(key="share_import").set_value(("bad.json", json.dumps(bad).encode(), "application/json"))
    at.run()
    no_errors(at)
    errors = " ".join(e.value for e in at.error)
    assert "monthly\\_churn" in errors and "cac\\_usd" in errors
    good = base_template().with_values(monthly_churn=0.05)
    at.file_uploader(key="share_import").set_value(
        ("Plan B.json", json.dumps(good.to_dict()).encode(), "application/json")
    )
    at.run()
    at.run()
    no_errors(at)
    assert (_param(at, "scenario") or "").startswith("shared-")
    from bizmodel.projection import kpis, project

    assert metric(at, "NPV") == fmt.fmt_usd(kpis(project(good), good).npv_usd)
    assert Store().list_scenarios() == []  # nothing saved until the user saves


def test_user_text_is_shown_as_text(app_env: Path) -> None:
    name = "<script>alert(1)</script>"
    token = encode(SharedView(base_template(), page="overview", name=name))
    at = make_app(share=token)
    no_errors(at)
    sources = [m.value for m in at.markdown]
    assert not [p for s in sources for p in markdown_problems(s)]
    assert "<script>" not in " ".join(sources)
    assert "<script>alert(1)</script>" in " ".join(markdown_text(s) for s in sources)


def test_charts_save_png_or_svg_as_chosen(app_env: Path) -> None:
    at = make_app(SCENARIOS, img="svg")
    no_errors(at)
    charts = at.get("plotly_chart")
    assert charts and all('"format": "svg"' in c.proto.config for c in charts)
    at = make_app(SCENARIOS)
    assert all('"format": "png"' in c.proto.config for c in at.get("plotly_chart"))


def test_a_deeply_nested_import_is_refused_with_a_message(app_env: Path) -> None:
    at = make_app(SCENARIOS)
    deep = b"[" * 100_000 + b"]" * 100_000
    at.file_uploader(key="share_import").set_value(("deep.json", deep, "application/json"))
    at.run()
    no_errors(at)
    assert any("nested too deeply" in e.value for e in at.error)


def test_the_link_carries_the_analysis_settings_and_the_catalog(app_env: Path) -> None:
    at = make_app(SCENARIOS, scenario="bull")
    at.number_input(key="scn_mc_paths").set_value(500)
    at.number_input(key="scn_mc_seed").set_value(42).run()
    no_errors(at)
    shown = metric(at, "NPV, median")
    link = _link_in(at)
    query = parse_qs(urlsplit(link).query)
    assert query["catalog"] == [load_bundled().version]
    view = decode(query["share"][0])
    assert (view.paths, view.seed) == (500, 42)
    fresh = make_app(SCENARIOS, share=query["share"][0])
    no_errors(fresh)
    assert metric(fresh, "NPV, median") == shown
    assert not fresh.warning
