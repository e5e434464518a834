"""AppTest of the Value-of-data page: empty state, no curve (offers the sweep), a fitted curve
(metrics with badges, both charts, inputs that move the numbers), too few sizes, bad inputs."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from mlcore.tasks import CURVE_RULE
from store import Store
from tests.support.app import curve, make_app, no_errors, seed_runs, with_curve

PAGE = "app_pages/data_value.py"


def chart_titles(at) -> list[str]:
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return [s["layout"]["title"]["text"] for s in specs]


def badges(at) -> list[str]:
    """st.badge renders as Markdown."""
    return [m.value for m in at.markdown]


def test_no_runs_shows_the_empty_state(app_env: Path) -> None:
    at = make_app(PAGE)
    no_errors(at)
    assert any("No finished run" in i.value for i in at.info)
    assert not at.metric


def test_without_a_curve_the_sweep_is_offered(app_env: Path) -> None:
    seed_runs(Store(), 1)
    at = make_app(PAGE, run="run-0")
    no_errors(at)
    assert any("it has no learning curve" in i.value for i in at.info)
    assert at.button(key="sweep_start") is not None
    assert not at.metric and not at.get("plotly_chart"), "no curve is fabricated"
    at.button(key="sweep_start").click().run()
    no_errors(at)
    assert Store().job_for_run("run-0", kind="sweep") is not None


def test_three_sizes_are_not_enough(app_env: Path) -> None:
    with_curve(curve((0.25, 0.5, 1.0)))
    at = make_app(PAGE, run="run-0")
    no_errors(at)
    assert any("at least 4" in w.value for w in at.warning)
    assert at.button(key="sweep_start") is not None
    assert "Accuracy gain" not in [m.label for m in at.metric], "the sweep's own figures only"


def test_a_fitted_curve_is_priced(app_env: Path) -> None:
    with_curve(curve())
    at = make_app(PAGE, run="run-0")
    no_errors(at)
    metrics = {m.label: m.value for m in at.metric}
    for label in (
        "Accuracy gain",
        "Value per year",
        "Labelling cost",
        "Net value over 1 year",
        "Return on the labels",
        "Payback",
        "Best training-set size",
    ):
        assert label in metrics, label
    assert metrics["Labelling cost"] == "$2.5k"  # 50,000 × $0.05
    assert metrics["Accuracy gain"].startswith("+") and metrics["Accuracy gain"].endswith(" pts")
    marks = " ".join(badges(at))
    assert "measured · fit of run 0" in marks and "assumed · your label cost" in marks
    assert any("Buying 50,000 more labels" in m.value for m in at.markdown)
    titles = chart_titles(at)
    assert any(title.startswith("Learning curve: measured points and fitted") for title in titles)
    assert any(title.startswith("Marginal value of one more sample") for title in titles)
    assert at.get("latex"), "the formula is shown"

    roi_before = metrics["Return on the labels"]
    at.number_input(key="data_value_label_cost").set_value(1.0).run()
    no_errors(at)
    after = {m.label: m.value for m in at.metric}
    assert after["Labelling cost"] == "$50k"
    assert after["Return on the labels"] != roi_before


def test_the_page_says_how_the_curve_was_trained(app_env: Path) -> None:
    with_curve(curve())  # stored without a rule: the old one
    at = make_app(PAGE, run="run-0")
    no_errors(at)
    assert any(w.value.startswith("Old rule: every fraction trained only") for w in at.warning)
    converged = dataclasses.replace(curve(), rule=CURVE_RULE, patience=5, max_epochs=60)
    Store().patch_run_record("run-0", learning_curve=converged.to_dict())
    at = make_app(PAGE, run="run-0")
    no_errors(at)
    assert not any("Old rule" in w.value for w in at.warning)
    assert any(c.value.startswith("Each point trained until its validation loss") for c in at.caption)
    assert {m.label for m in at.metric} >= {"Accuracy gain", "Value per year"}, "the curve is still priced"


def test_curve_chart_separates_measured_and_extrapolated(app_env: Path) -> None:
    lc = curve()
    with_curve(lc)
    at = make_app(PAGE, run="run-0")
    spec = next(
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if json.loads(c.proto.spec)["layout"]["title"]["text"].startswith("Learning curve: measured")
    )
    traces = {d.get("name"): d for d in spec["data"]}
    measured = traces["measured (mean ± 1 std over seeds)"]
    assert measured["x"] == [p.n_train for p in lc.points]
    assert measured["error_y"]["array"] == [1.0] * len(lc.points)
    assert traces["fitted curve (extrapolated)"]["line"]["dash"] == "dash"
    assert "after buying: 51,259" in traces
    assert spec["layout"]["xaxis"]["type"] == "log"


def test_bad_inputs_say_what_to_change(app_env: Path) -> None:
    with_curve(curve())
    at = make_app(PAGE, run="run-0")
    at.number_input(key="data_value_label_cost").set_value(-0.05).run()
    no_errors(at)
    assert any("cannot be negative" in e.value for e in at.error)
    assert not at.metric and not at.get("plotly_chart")

    at.number_input(key="data_value_label_cost").set_value(0.05)
    at.number_input(key="data_value_value_per_point").set_value(0.0)
    at.number_input(key="data_value_samples").set_value(0).run()
    no_errors(at)
    errors = " ".join(e.value for e in at.error)
    assert "value per accuracy point must be above" in errors and "at least 1" in errors


def _report_of(at, **explored_changes: object):
    """The report of the base scenario driven by run-0, built from what ``at``'s session explored."""
    from bizmodel.catalog import load_bundled
    from bizmodel.scenario import base_template
    from mlcore.runs import get_run
    from present.explored import explored_in
    from present.report_data import ReportOptions, build_report

    explored = dataclasses.replace(explored_in(at.session_state), **explored_changes)
    run = get_run(Store(), "run-0")
    options = ReportOptions(paths=50, explored=explored)
    return build_report(base_template(), name="Base", run=run, catalog=load_bundled(), options=options)


def _report_figures(report) -> dict[str, str]:
    """The report's data-value figures written as the page writes them (labels of the page)."""
    from present import format as fmt
    from present.i18n import translate

    d = report.data_value
    assert d is not None
    return {
        "Accuracy gain": translate("data_value.points", value=f"{d.purchase.gain_points:+.2f}"),
        "Value per year": fmt.fmt_usd(d.purchase.value_usd_per_year),
        "Labelling cost": fmt.fmt_usd(d.purchase.labelling_cost_usd),
        translate("data_value.m.net", years=fmt.fmt_years(d.economics.horizon_years)): fmt.fmt_usd(
            d.purchase.net_value_usd
        ),
        "Best training-set size": fmt.fmt_int(d.optimal.n_train),
    }


def test_the_report_shows_the_pages_figures(app_env: Path) -> None:
    """The page and the report price the same purchase with the same computation: by default and
    after the user changes every input."""
    import html

    from present import format as fmt
    from present.explored import DataValueInputs
    from present.report import render_html

    with_curve(curve())
    at = make_app(PAGE, run="run-0")
    no_errors(at)
    page = {m.label: m.value for m in at.metric}
    report = _report_of(at)
    figures = _report_figures(report)
    assert {k: page[k] for k in figures} == figures
    # A report made without opening the page prices the page's defaults: the same figures.
    assert _report_figures(_report_of(at, data_value=None)) == figures

    at.number_input(key="data_value_value_per_point").set_value(30_000.0)
    at.number_input(key="data_value_label_cost").set_value(0.2)
    at.number_input(key="data_value_horizon").set_value(2.0)
    at.number_input(key="data_value_samples").set_value(20_000).run()
    no_errors(at)
    page = {m.label: m.value for m in at.metric}
    report = _report_of(at)
    assert report.data_value is not None and report.data_value.inputs == DataValueInputs(
        value_usd_per_point_per_year=30_000.0,
        label_cost_usd_per_sample=0.2,
        horizon_years=2.0,
        extra_samples=20_000,
    )
    figures = _report_figures(report)
    assert {k: page[k] for k in figures} == figures
    assert page["Labelling cost"] == "$4k"  # 20,000 × $0.20
    document = render_html(report, fmt.NumberStyle())
    section = document.split('id="section-data_value"', 1)[1].split("</section>", 1)[0]
    for label in ("Value per year", "Labelling cost", "Best training-set size"):
        assert f'<div class="kpi-value">{html.escape(figures[label])}</div>' in section, label


def test_coming_back_to_the_page_keeps_its_inputs(app_env: Path) -> None:
    with_curve(curve())
    at = make_app(PAGE, run="run-0")
    at.number_input(key="data_value_label_cost").set_value(0.2).run()
    priced = {m.label: m.value for m in at.metric}
    at.switch_page("app_pages/overview.py").run()
    no_errors(at)
    at.switch_page(PAGE).run()
    no_errors(at)
    assert at.number_input(key="data_value_label_cost").value == 0.2
    assert {m.label: m.value for m in at.metric} == priced
    assert any("The report and the workbook price more data" in c.value for c in at.caption)


def test_a_value_taken_from_a_scenario_is_named_in_the_report(app_env: Path) -> None:
    with_curve(curve())
    at = make_app(PAGE, run="run-0", scenario="bull", value_from="active")  # the active scenario: Bull
    no_errors(at)
    report = _report_of(at)
    assert report.data_value is not None
    assert report.data_value.value_provenance == "scenario"
    assert report.data_value.inputs.value_from == "Bull case"
    page = {m.label: m.value for m in at.metric}
    figures = _report_figures(report)
    assert {k: page[k] for k in figures} == figures
