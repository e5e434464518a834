"""AppTest of the Compute cost page: training at scale, catalog edits and uploads, budget,
serving from an inference profile, and the measured run's cost."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from bizmodel.catalog import load_bundled, to_csv_bytes
from bizmodel.compute import cheapest, training_options
from bizmodel.production import factor_text, production_scale
from bizmodel.scenario import base_template
from bizmodel.training_work import TrainingWork
from store import LOCAL_OWNER, Store
from tests.support.app import make_app, no_errors, profile, seed_runs
from tests.support.inert import markdown_text
from ui.components.catalog import owner_folder

PAGE = "app_pages/compute.py"


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


UNIT_SECONDS = {"µs": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0, "h": 3600.0, "days": 86400.0}


def seconds(text: str) -> float:
    """A duration as written by ``present.format.fmt_duration`` (``3.4 h``, ``2.1 days``), in seconds."""
    match = re.fullmatch(r"([\d.,]+)\s*(µs|ms|s|min|h|days)", text.strip())
    assert match, f"not a duration: {text!r}"
    return float(match.group(1).replace(",", "")) * UNIT_SECONDS[match.group(2)]


@pytest.mark.parametrize(
    ("text", "expected"), [("12.3 s", 12.3), ("4.2 min", 252.0), ("3.4 h", 12240.0), ("2.1 days", 181440.0)]
)
def test_seconds_reads_formatted_durations(text: str, expected: float) -> None:
    assert seconds(text) == pytest.approx(expected)


def options_table(at) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "Mark" in d.value.columns)


def column_badges(at, label: str) -> list[str]:
    """The badges under the metric called ``label`` (the markdown in the same column), as shown."""
    column = next(c for c in at.columns if [m.label for m in c.metric] == [label])
    return [markdown_text(m.value) for m in column.markdown]


def test_without_runs_the_7b_example_is_priced(app_env: Path) -> None:
    at = make_app(PAGE)
    no_errors(at)
    values = metrics(at)
    assert values["Training FLOPs"] == "6.84e21"  # 6 × 7e9 × 140e9 = 5.88e21 plus attention at T = 4,096
    assert values["Cheapest feasible"].startswith("$") and "Fastest feasible" in values
    assert any("catalog ·" in m.value for m in at.markdown), "catalog badge with its date"
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert any("Cost against time" in title for title in titles)
    assert any("Train a run to price it" in c.value for c in at.caption)
    assert any("needs a finished run" in i.value for i in at.info)


def test_more_utilisation_makes_the_fastest_option_faster(app_env: Path) -> None:
    at = make_app(PAGE)
    before = seconds(metrics(at)["Fastest feasible"])
    at.slider(key="compute_mfu").set_value(0.8).run()
    no_errors(at)
    after = seconds(metrics(at)["Fastest feasible"])
    # Twice the utilisation: the same option runs in about half the time.
    assert after < before
    assert after == pytest.approx(before / 2, rel=0.05)
    assert metrics(at)["Utilisation (MFU) used"] == "80 %"


def test_lower_scaling_efficiency_slows_the_fastest_and_is_said(app_env: Path) -> None:
    at = make_app(PAGE)
    before = seconds(metrics(at)["Fastest feasible"])
    at.slider(key="compute_scaling").set_value(0.8).run()
    no_errors(at)
    assert seconds(metrics(at)["Fastest feasible"]) > before
    assert any("0.8 of throughput kept per doubling" in c.value for c in at.caption)


def test_the_options_table_shows_nodes_marks_and_precision(app_env: Path) -> None:
    at = make_app(PAGE)
    table = options_table(at)
    assert {"Nodes", "Accelerators", "Precision", "Mark"} <= set(table.columns)
    first = table.iloc[0]  # ranked by cost: the cheapest option, on one node
    assert "cheapest" in first["Mark"] and first["Nodes"] == 1
    assert set(table["Mark"]) <= {"", "cheapest", "fastest", "cheapest · fastest", "on the frontier"}
    assert (table["Mark"] == "on the frontier").any()
    captions = " ".join(c.value for c in at.caption)
    assert "Energy and CO₂ are blank for" in captions and "no TDP" in captions
    assert "T4" in captions and "no bf16 support" in captions


def test_the_cheapest_badge_carries_its_own_rows_date(app_env: Path) -> None:
    catalog = load_bundled()
    low = cheapest(
        training_options(TrainingWork.pretrain(7e9, 140e9), catalog.instances, catalog.accelerators)
    )
    assert low is not None
    same = (
        (catalog.instances["provider"] == low["provider"])
        & (catalog.instances["region"] == low["region"])
        & (catalog.instances["instance_type"] == low["instance_type"])
    )
    instances = catalog.instances.copy()
    instances.loc[same, "as_of"] = "2025-03-15"  # older than the catalog's newest row
    assert catalog.as_of.isoformat() != "2025-03-15"
    csv, _ = to_csv_bytes(dataclasses.replace(catalog, instances=instances))
    at = make_app(PAGE)
    at.get("file_uploader")[0].set_value(("dated.csv", csv, "text/csv")).run()
    at.button(key="catalog_use_upload").click().run()
    no_errors(at)
    assert column_badges(at, "Cheapest feasible") == [":blue-badge[catalog · 2025-03-15]"]
    fastest_badges = column_badges(at, "Fastest feasible")
    assert fastest_badges and "2025-03-15" not in fastest_badges[0]


def test_compute_optimal_advice_only_for_pre_training(app_env: Path) -> None:
    at = make_app(PAGE)
    assert any("compute-optimal split" in m.value for m in at.markdown)
    at.get("button_group")[0].set_value("finetune_full").run()
    no_errors(at)
    assert not any("compute-optimal split" in m.value for m in at.markdown)
    assert any("applies to pre-training from scratch only" in c.value for c in at.caption)


def test_fine_tuning_with_an_adapter_needs_less_memory(app_env: Path) -> None:
    at = make_app(PAGE)
    full = metrics(at)["Memory needed (weights, gradients, optimizer)"]
    at.get("button_group")[0].set_value("finetune_adapter").run()
    no_errors(at)
    adapter = metrics(at)["Memory needed (weights, gradients, optimizer)"]
    assert full != adapter


def test_the_budget_tab_answers(app_env: Path) -> None:
    at = make_app(PAGE)
    values = metrics(at)
    assert values["Largest model (parameters)"].endswith("B")
    at.number_input(key="compute_budget").set_value(500_000.0).run()
    bigger = metrics(at)["Largest model (parameters)"]
    assert float(bigger[:-1]) > float(values["Largest model (parameters)"][:-1])


def test_a_bad_catalog_upload_is_refused_with_the_reason(app_env: Path) -> None:
    at = make_app(PAGE)
    at.get("file_uploader")[0].set_value(("prices.csv", b"provider,region\naws,x\n", "text/csv")).run()
    at.button(key="catalog_use_upload").click().run()
    no_errors(at)
    assert any("This catalog cannot be used" in e.value for e in at.error)
    assert at.query_params["catalog"] in (load_bundled().version, [load_bundled().version])


def test_an_uploaded_catalog_is_saved_and_named_in_the_link(app_env: Path) -> None:
    instances, _ = to_csv_bytes(load_bundled())
    cheaper = instances.replace(b"55.04", b"27.52")  # AWS p5.48xlarge at half price
    at = make_app(PAGE)
    at.get("file_uploader")[0].set_value(("mine.csv", cheaper, "text/csv")).run()
    at.button(key="catalog_use_upload").click().run()
    no_errors(at)
    version = at.query_params["catalog"]
    version = version[0] if isinstance(version, list) else version
    assert (owner_folder(LOCAL_OWNER) / f"{version}.instances.csv").is_file()  # the local user's folder
    again = make_app(PAGE, catalog=version)
    no_errors(again)
    assert any("your catalog" in m.value for m in again.markdown)


def test_an_unknown_catalog_in_the_link_falls_back(app_env: Path) -> None:
    at = make_app(PAGE, catalog="../../etc")
    no_errors(at)
    assert any("not saved on this server" in w.value for w in at.warning)


def test_serving_and_run_cost_with_a_profiled_run(app_env: Path) -> None:
    store = Store()
    seed_runs(store, 1)
    store.patch_run_record("run-0", inference=profile().to_dict())
    at = make_app(PAGE, run="run-0")
    no_errors(at)
    values = metrics(at)
    assert values["Best option"] and values["$ per 1,000 at your volume"].startswith("$")
    assert values["Wall time"].endswith("s") and values["Compute cost"].lstrip("< ").startswith("$")
    badges = " ".join(m.value for m in at.markdown)
    assert "measured · " in badges and "assumed · your input" in badges


def test_serving_without_a_profile_points_to_inference(app_env: Path) -> None:
    seed_runs(Store(), 1)
    at = make_app(PAGE, run="run-0")
    no_errors(at)
    assert any("no inference profile yet" in i.value for i in at.info)


def test_scaling_the_run(app_env: Path) -> None:
    run = seed_runs(Store(), 1)[0]
    at = make_app(PAGE, run="run-0")
    at.get("button_group")[0].set_value("scaled_run").run()
    no_errors(at)
    # The factors start at the active scenario's production scale (derived from base's data plan).
    scale = production_scale(base_template(), run.n_train or 1, run.params or 1)
    k, m = factor_text(scale.data_factor), factor_text(scale.model_factor)
    assert any(f"scaled by ×{k} data and ×{m} model" in w.value.replace("\\", "") for w in at.markdown)
    at.number_input(key="compute_k").set_value(1000.0).run()
    at.number_input(key="compute_m").set_value(100.0).run()
    no_errors(at)
    assert any("scaled by ×1,000 data and ×100 model" in w.value for w in at.markdown)


def test_the_runs_own_mfu_is_shown_outside_the_assumptions(app_env: Path) -> None:
    seed_runs(Store(), 1)
    at = make_app(PAGE, run="run-0")
    no_errors(at)
    assert any("Your run's own MFU was" in c.value for c in at.caption)
    assert any(m.value.startswith(":") and "measured · " in m.value for m in at.markdown)
    assert metrics(at)["Utilisation (MFU) used"] == "40 %"


def test_a_mixture_of_experts_costs_active_flops_and_holds_the_total(app_env: Path) -> None:
    at = make_app(PAGE)
    at.number_input(key="compute_params").set_value(671.0).run()
    dense = metrics(at)
    at.number_input(key="compute_active").set_value(37.0).run()
    no_errors(at)
    moe = metrics(at)
    assert (
        moe["Memory needed (weights, gradients, optimizer)"]
        == dense["Memory needed (weights, gradients, optimizer)"]
    )
    flops = {
        label: float(value)
        for label, value in (("dense", dense["Training FLOPs"]), ("moe", moe["Training FLOPs"]))
    }
    assert flops["moe"] < flops["dense"] / 10  # 37 of 671 billion parameters per token
    assert any("Mixture-of-Experts model of **671B parameters (37B active)" in m.value for m in at.markdown)


def test_choosing_a_published_model_fills_its_parameters_and_shape(app_env: Path) -> None:
    at = make_app(PAGE)
    at.selectbox(key="compute_shape").set_value("deepseek-v3").run()
    no_errors(at)
    assert at.number_input(key="compute_params").value == pytest.approx(671.0)
    assert at.number_input(key="compute_active").value == pytest.approx(37.0)
    flops_help = next(m.help for m in at.metric if m.label == "Training FLOPs")
    assert "DeepSeek-V3" in flops_help and "attention" in flops_help
    at.number_input(key="compute_sequence").set_value(0).run()
    assert "attention left out" in next(m.help for m in at.metric if m.label == "Training FLOPs")
    assert float(metrics(at)["Training FLOPs"]) == pytest.approx(6 * 37e9 * 140e9, rel=1e-3)


def test_the_interconnect_rule_and_the_node_cap_are_visible(app_env: Path) -> None:
    at = make_app(PAGE)
    assert any("have a cluster interconnect" in c.value for c in at.caption)
    assert at.select_slider(key="compute_nodes").value == 64  # outside the collapsed assumptions
    table = options_table(at)
    assert set(table["Cluster interconnect"]) <= {
        "InfiniBand",
        "EFA",
        "RoCE",
        "GPUDirect-TCPX",
        "none (one node)",
    }
    # PCIe boxes never span nodes.
    assert (table.loc[table["Accelerator"] == "L40S", "Nodes"] == 1).all()
    assert any("uses the node cap (64 nodes)" in i.value for i in at.info)


def test_a_budget_limited_by_the_node_cap_says_so(app_env: Path) -> None:
    at = make_app(PAGE)
    at.select_slider(key="compute_nodes").set_value(2).run()
    at.number_input(key="compute_budget").set_value(1e8).run()
    at.number_input(key="compute_deadline").set_value(30.0).run()
    no_errors(at)
    # $100M in 30 days buys more than two nodes can run: the cap, not the deadline, binds.
    assert any("limited by the node cap (2 nodes)" in c.value for c in at.caption)


def test_how_close_the_estimates_are(app_env: Path) -> None:
    at = make_app(PAGE)
    table = next(d.value for d in at.dataframe if "Published run" in d.value.columns)
    assert len(table) >= 11 and {"Meta", "DeepSeek", "BigScience", "MosaicML"} <= set(table["Organisation"])
    assert table["Ratio"].between(1 / 2.2, 2.2).all()
    assert {"Training runs", "Serving (MLPerf)", "All rows"} <= set(metrics(at))
    zh_app = make_app(PAGE, lang="zh")
    zh = next(d.value for d in zh_app.dataframe if "已公布的训练或结果" in d.value.columns)
    assert "仅预训练" in " ".join(zh["该数字涵盖的范围"])


def _report_from(at, run=None):
    """The report of the base scenario built from what ``at``'s session explored."""
    from bizmodel.scenario import base_template
    from present.explored import explored_in
    from present.report_data import ReportOptions, build_report

    options = ReportOptions(paths=50, explored=explored_in(at.session_state))
    return build_report(base_template(), name="Base", run=run, catalog=load_bundled(), options=options)


def test_the_plans_and_budgets_explored_go_into_the_report_with_the_pages_figures(app_env: Path) -> None:
    from present import format as fmt
    from present.explored import MAX_EXPLORED, BudgetQuestion, TrainingPlan
    from present.report import render_html

    at = make_app(PAGE)
    at.number_input(key="compute_params").set_value(70.0)
    at.number_input(key="compute_tokens").set_value(1400.0).run()
    at.slider(key="compute_mfu").set_value(0.5).run()
    at.number_input(key="compute_params").set_value(7.0)
    at.number_input(key="compute_tokens").set_value(140.0).run()
    at.number_input(key="compute_budget").set_value(50_000.0)
    at.number_input(key="compute_deadline").set_value(14.0).run()
    no_errors(at)
    page = metrics(at)
    report = _report_from(at)
    explored = report.explored
    assert explored is not None and not explored.defaults
    newest = explored.plans[0]
    assert (newest.plan.mode, newest.plan.params, newest.plan.tokens, newest.plan.assumptions.mfu) == (
        "pretrain",
        7e9,
        140e9,
        0.5,
    )
    assert [(o.plan.params, o.plan.assumptions.mfu) for o in explored.plans] == [
        (7e9, 0.5),
        (70e9, 0.5),
        (70e9, 0.4),
        (7e9, 0.4),
    ]
    assert len(explored.plans) <= MAX_EXPLORED
    assert newest.cheapest is not None and newest.fastest is not None and newest.work is not None
    assert page["Training FLOPs"] == fmt.fmt_flops(newest.work.flops).removesuffix(" FLOP")
    assert page["Cheapest feasible"] == fmt.fmt_usd(newest.cheapest["cost_usd"])
    assert page["Fastest feasible"] == fmt.fmt_duration(newest.fastest["days"] * 86400)
    budget = explored.budgets[0]
    assert budget.question == BudgetQuestion(
        budget_usd=50_000.0, deadline_days=14.0, assumptions=newest.plan.assumptions
    )
    assert page["Largest model (parameters)"] == fmt.fmt_count(budget.params)
    assert page["Training tokens"] == fmt.fmt_count(budget.tokens)
    assert page["Cost"] == fmt.fmt_usd(budget.cost_usd)
    assert page["Time"] == fmt.fmt_duration(budget.days * 86400)
    document = render_html(report, fmt.NumberStyle())
    block = document.split('<div class="explored"', 1)[1]
    assert "7B parameters on 140B tokens" in block and "70B parameters on 1.4T tokens" in block
    assert f">{page['Cheapest feasible']}<" in block and f">{page['Largest model (parameters)']}<" in block
    assert isinstance(newest.plan, TrainingPlan)
    assert any("include the plans and budgets priced here" in c.value for c in at.caption)


def test_a_scaled_run_is_recorded_with_the_runs_own_measurements(app_env: Path) -> None:
    from present import format as fmt

    runs = seed_runs(Store(), 1)
    at = make_app(PAGE, run=runs[0].id)
    at.segmented_control(key="compute_mode").set_value("scaled_run").run()
    no_errors(at)
    report = _report_from(at, run=runs[0])
    assert report.explored is not None
    scaled = report.explored.plans[0]
    assert scaled.plan.mode == "scaled_run" and scaled.plan.run is not None
    assert scaled.plan.run.run_id == runs[0].id
    # It starts at the active scenario's production scale: the work of one production retraining.
    assert report.inputs is not None and report.inputs.retraining is not None
    assert scaled.work is not None
    assert scaled.work.flops == pytest.approx(report.inputs.retraining.work.flops, rel=1e-9)
    assert scaled.cheapest is not None
    assert metrics(at)["Cheapest feasible"] == fmt.fmt_usd(scaled.cheapest["cost_usd"])
    at.number_input(key="compute_k").set_value(1000.0).run()
    at.number_input(key="compute_m").set_value(100.0).run()
    no_errors(at)
    latest = _report_from(at, run=runs[0]).explored.plans[0]  # type: ignore[union-attr]
    assert (latest.plan.data_factor, latest.plan.model_factor) == (1000.0, 100.0)
    assert latest.cheapest is not None
    assert metrics(at)["Cheapest feasible"] == fmt.fmt_usd(latest.cheapest["cost_usd"])


def test_the_overviews_report_carries_what_this_session_explored(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The share path: the report behind the Overview and its downloads is built with the
    session's plans, budgets and data inputs."""
    from present.explored import DataValueInputs, TrainingPlan
    from ui.components import exports as share_view

    built = []
    real = share_view.build_report

    def spy(*args, **kwargs):
        report = real(*args, **kwargs)
        built.append(report)
        return report

    monkeypatch.setattr(share_view, "build_report", spy)
    at = make_app(PAGE)
    at.number_input(key="compute_params").set_value(13.0).run()
    at.number_input(key="compute_budget").set_value(80_000.0).run()
    at.session_state["explored_data_value"] = DataValueInputs(label_cost_usd_per_sample=0.3)
    at.switch_page("app_pages/overview.py").run()
    no_errors(at)
    assert built, "the Overview built its report"
    options = built[-1].options
    assert options.explored.plans[0] == TrainingPlan(params=13e9, tokens=140e9)
    assert options.explored.budgets[0].budget_usd == 80_000.0
    assert options.label_cost_usd == 0.3
    explored = built[-1].explored
    assert explored is not None and not explored.defaults
