"""``python -m bizmodel template`` and ``project``: complete templates, projections with KPIs and
the monthly table, Monte Carlo reproducible byte for byte, a run overriding the typed technical
inputs, and invalid scenario files refused with every problem named (exit 2)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from bizmodel.binding import peak_requests_per_month, serving_volume
from bizmodel.finance import npv
from bizmodel.projection import kpis, project
from bizmodel.scenario import TEMPLATES, Scenario
from store import Store
from tests.support.cli import PROG_ERROR
from tests.support.cli import run_bizmodel as run_cli
from tests.support.economics import FOUR_MISTAKES, PROFILE, insert_run

KPI_KEYS = {
    "npv_usd",
    "irr_annual",
    "break_even_month",
    "payback_month",
    "min_cash_usd",
    "runway_months",
    "ltv_usd",
    "cac_usd",
    "ltv_to_cac",
    "gross_margin",
}


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_template_prints_a_complete_valid_scenario(cli_home: Path, kind: str) -> None:
    out = run_cli(cli_home, "template", "--kind", kind, "--json")
    assert out.returncode == 0, out.stderr
    assert Scenario.from_dict(json.loads(out.stdout)) == TEMPLATES[kind]()


def test_project_json_has_kpis_and_every_month(cli_home: Path, scenario_file: Path) -> None:
    out = run_cli(cli_home, "project", str(scenario_file), "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert KPI_KEYS <= set(doc["kpis"])
    assert doc["run"] is None and doc["monte_carlo"] is None
    s = TEMPLATES["base"]()
    assert [m["month"] for m in doc["monthly"]] == list(range(1, s.horizon_months + 1))
    flows = [m["operating_cash_flow_usd"] for m in doc["monthly"]]
    assert doc["kpis"]["npv_usd"] == pytest.approx(npv(flows, s.annual_discount_rate), rel=1e-12)
    expected = kpis(project(s), s)
    assert doc["kpis"]["break_even_month"] == expected.break_even_month
    assert "NaN" not in out.stdout and "Infinity" not in out.stdout


def test_monte_carlo_is_byte_identical_for_a_seed(cli_home: Path, scenario_file: Path) -> None:
    args = ("project", str(scenario_file), "--paths", "2000", "--seed", "7", "--json")
    first, second = run_cli(cli_home, *args), run_cli(cli_home, *args)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    other = run_cli(cli_home, "project", str(scenario_file), "--paths", "2000", "--seed", "8", "--json")
    mc, mc_other = json.loads(first.stdout)["monte_carlo"], json.loads(other.stdout)["monte_carlo"]
    assert mc["paths"] == 2000 and mc["seed"] == 7
    assert 0.0 <= mc["probability_out_of_cash"] <= 1.0
    assert mc["npv_usd"]["p10"] <= mc["npv_usd"]["p50"] <= mc["npv_usd"]["p90"]
    assert mc["npv_usd"] != mc_other["npv_usd"]


def test_a_run_overrides_the_typed_technical_inputs(cli_home: Path, scenario_file: Path) -> None:
    out = run_cli(cli_home, "project", str(scenario_file), "--run", "measured", "--json")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    run = doc["run"]
    assert run["run_id"] == "measured"
    assert doc["scenario"]["model_accuracy"] == pytest.approx(run["model_accuracy"])
    assert doc["scenario"]["model_accuracy"] != TEMPLATES["base"]().model_accuracy
    assert doc["scenario"]["serving_usd_per_1000_predictions"] == pytest.approx(
        run["serving_usd_per_1000_predictions"]
    )
    assert doc["scenario"]["retrain_cost_usd"] == pytest.approx(run["retrain_cost_usd"])
    text = run_cli(cli_home, "project", str(scenario_file), "--run", "measured")
    assert text.returncode == 0 and "driven by run measured" in text.stdout
    missing = run_cli(cli_home, "project", str(scenario_file), "--run", "nope")
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    # Serving is planned for the scenario's peak monthly requests, and the p95 bound is per request.
    peak = serving_volume(TEMPLATES["base"]())
    assert peak == pytest.approx(peak_requests_per_month(TEMPLATES["base"]()), rel=1e-3)
    assert f"{peak:,.0f} requests a month" in run["serving_detail"]
    assert "p95 per request" in run["serving_detail"]
    assert run["requests_per_month"] == peak
    # This run's cost and the production model it stands for are both in the answer.
    assert 0 < run["run_cost_usd"] < run["retrain_cost_usd"]
    assert run["scale"]["data_derived"] and run["scale"]["model_derived"]


@pytest.fixture
def seeded_run(cli_home: Path) -> str:
    """A measured run repeated over three seeds (so it has a spread)."""
    store = Store(f"sqlite:///{cli_home / 'moatlab.db'}")
    if store.get_run("seeded") is None:
        repeat = {
            "seeds": [0, 1, 2],
            "accuracies": [0.85, 0.86, 0.87],
            "samples_per_second": [900, 1000, 1100],
        }
        insert_run(store, "seeded", inference=PROFILE, repeat=repeat)
    store.dispose()
    return "seeded"


def test_the_scenario_sets_the_production_scale_and_chooses_the_spread(
    cli_home: Path,
    tmp_path: Path,
    seeded_run: str,
) -> None:
    base = TEMPLATES["base"]().to_dict()
    plain, scaled = tmp_path / "plain.json", tmp_path / "scaled.json"
    plain.write_text(json.dumps(base))
    typed = {"production_data_factor": 1000.0, "production_model_factor": 100.0}
    scaled.write_text(json.dumps({**base, **typed, "use_run_spread": True}))
    args = ("--run", seeded_run, "--json")
    one = json.loads(run_cli(cli_home, "project", str(plain), *args).stdout)
    many = json.loads(run_cli(cli_home, "project", str(scaled), *args).stdout)
    asked = json.loads(run_cli(cli_home, "project", str(plain), "--spread", *args).stdout)
    assert one["scenario"]["retrain_cost_usd"] == pytest.approx(one["run"]["retrain_cost_usd"])
    assert one["scenario"]["production_data_factor"] == 0.0  # derived from the data plan
    scale = many["run"]["scale"]
    assert (scale["data_factor"], scale["model_factor"]) == (1000.0, 100.0)
    assert not scale["data_derived"] and not scale["model_derived"]
    assert scale["production_params"] == pytest.approx(100.0 * scale["run_params"])
    # Training FLOPs grow with data × model: the retraining costs more than the derived one's.
    flops = (many["run"]["retraining"]["flops"], one["run"]["retraining"]["flops"])
    derived = one["run"]["scale"]
    assert flops[0] / flops[1] == pytest.approx(
        (1000.0 * 100.0) / (derived["data_factor"] * derived["model_factor"]), rel=1e-6
    )
    assert many["scenario"]["retrain_cost_usd"] > one["scenario"]["retrain_cost_usd"]
    fields = [{r["field"] for r in doc["scenario"]["ranges"]} for doc in (one, many, asked)]
    assert "model_accuracy" not in fields[0]  # use_run_spread false, no --spread
    assert "model_accuracy" in fields[1]  # the scenario's use_run_spread
    assert "model_accuracy" in fields[2]  # --spread


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", ["not valid JSON"]),
        ("[1, 2]", ["must be a JSON object"]),
        ('{"horizon_months": 60}', ["lacks 'market_size'", "lacks 'cac_usd'"]),
        (None, ["monthly_churn", "horizon_months", "cac_usd"]),
        ("NaN-file", ["not a number JSON allows"]),
        (
            json.dumps(FOUR_MISTAKES),
            [
                "(6 problem(s))",
                "monthly_churn must be at least 0",
                "cac_usd must be a number",
                "accuracy_link: delightful_accuracy must be above",
                "funding_rounds[1]: month must be at least 1",
                "funding_rounds[1]: amount_usd must be above 0",
            ],
        ),
    ],
)
def test_invalid_scenario_files_exit_2_naming_every_field(
    cli_home: Path,
    tmp_path: Path,
    content: str | None,
    expected: list[str],
) -> None:
    path = tmp_path / "bad.json"
    if content is None:
        doc = TEMPLATES["base"]().to_dict() | {"monthly_churn": 1.5, "horizon_months": 7, "cac_usd": -3}
        doc["ranges"] = []
        content = json.dumps(doc)
    elif content == "NaN-file":
        content = json.dumps(TEMPLATES["base"]().to_dict() | {"cac_usd": math.nan})  # writes NaN
    path.write_text(content)
    out = run_cli(cli_home, "project", str(path), "--json")
    assert out.returncode == 2
    assert out.stdout == ""
    assert out.stderr.startswith(PROG_ERROR)
    for text in expected:
        assert text in out.stderr


def test_unreadable_paths_and_flags(cli_home: Path, tmp_path: Path, scenario_file: Path) -> None:
    assert run_cli(cli_home, "project", str(tmp_path / "missing.json")).returncode == 2
    assert run_cli(cli_home, "project", str(tmp_path)).returncode == 2
    spread = run_cli(cli_home, "project", str(scenario_file), "--spread")
    assert spread.returncode == 2 and "--spread needs --run" in spread.stderr
    assert run_cli(cli_home, "project", str(scenario_file), "--paths", "0").returncode == 2
    assert run_cli(cli_home, "project", str(scenario_file), "--paths", "999999999").returncode == 2


def test_text_output_names_the_kpis(cli_home: Path, scenario_file: Path) -> None:
    out = run_cli(cli_home, "project", str(scenario_file), "--paths", "500")
    assert out.returncode == 0, out.stderr
    for word in ("NPV", "break-even", "runway", "Monte Carlo, 500 paths", "P(out of cash)"):
        assert word in out.stdout
