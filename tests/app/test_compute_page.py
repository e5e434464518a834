"""AppTest of the Compute cost page: training at scale, catalog edits and uploads, budget,
serving from an inference profile, and the measured run's cost."""

from __future__ import annotations

import json
from pathlib import Path

from bizmodel.catalog import load_bundled, to_csv_bytes
from store import Store
from tests.app.conftest import make_app, seed_runs
from tests.app.test_inference_page import profile
from tests.app.test_pages import _no_errors

PAGE = "app_pages/compute.py"


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_without_runs_the_7b_example_is_priced(app_env: Path) -> None:
    at = make_app(PAGE)
    _no_errors(at)
    values = metrics(at)
    assert values["Training FLOPs"] == "5.88e21 FLOP"  # 6 × 7e9 × 140e9
    assert values["Cheapest feasible"].startswith("$") and "Fastest feasible" in values
    assert any("catalog ·" in m.value for m in at.markdown), "catalog badge with its date"
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert any("Cost against time" in title for title in titles)
    assert any("Train a run to price it" in c.value for c in at.caption)
    assert any("needs a finished run" in i.value for i in at.info)


def test_more_utilisation_makes_the_fastest_option_faster(app_env: Path) -> None:
    at = make_app(PAGE)
    before = metrics(at)["Fastest feasible"]
    at.slider(key="compute_mfu").set_value(0.8).run()
    _no_errors(at)
    after = metrics(at)["Fastest feasible"]
    assert before != after


def test_fine_tuning_with_an_adapter_needs_less_memory(app_env: Path) -> None:
    at = make_app(PAGE)
    full = metrics(at)["Memory needed (weights, gradients, optimizer)"]
    at.get("button_group")[0].set_value("finetune_adapter").run()
    _no_errors(at)
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
    _no_errors(at)
    assert any("This catalog cannot be used" in e.value for e in at.error)
    assert "catalog" not in at.query_params


def test_an_uploaded_catalog_is_saved_and_named_in_the_link(app_env: Path) -> None:
    instances, _ = to_csv_bytes(load_bundled())
    cheaper = instances.replace(b"55.04", b"27.52")  # AWS p5.48xlarge at half price
    at = make_app(PAGE)
    at.get("file_uploader")[0].set_value(("mine.csv", cheaper, "text/csv")).run()
    at.button(key="catalog_use_upload").click().run()
    _no_errors(at)
    version = at.query_params["catalog"]
    version = version[0] if isinstance(version, list) else version
    assert (app_env / "catalogs" / f"{version}.instances.csv").is_file()
    again = make_app(PAGE, catalog=version)
    _no_errors(again)
    assert any("your catalog" in m.value for m in again.markdown)


def test_an_unknown_catalog_in_the_link_falls_back(app_env: Path) -> None:
    at = make_app(PAGE, catalog="../../etc")
    _no_errors(at)
    assert any("not saved on this server" in w.value for w in at.warning)


def test_serving_and_run_cost_with_a_profiled_run(app_env: Path) -> None:
    store = Store()
    seed_runs(store, 1)
    store.patch_run_record("run-0", inference=profile().to_dict())
    at = make_app(PAGE, run="run-0")
    _no_errors(at)
    values = metrics(at)
    assert values["Best option"] and values["$ per 1,000 predictions"].startswith("$")
    assert values["Wall time"].endswith("s") and values["Compute cost"].startswith("$")
    badges = " ".join(m.value for m in at.markdown)
    assert "measured · " in badges and "assumed · your input" in badges


def test_serving_without_a_profile_points_to_inference(app_env: Path) -> None:
    seed_runs(Store(), 1)
    at = make_app(PAGE, run="run-0")
    _no_errors(at)
    assert any("no inference profile yet" in i.value for i in at.info)


def test_scaling_the_run(app_env: Path) -> None:
    seed_runs(Store(), 1)
    at = make_app(PAGE, run="run-0")
    at.get("button_group")[0].set_value("scaled_run").run()
    _no_errors(at)
    assert any("scaled by ×1000 data and ×100 model" in m.value for m in at.markdown)
