"""``python -m bizmodel``: the economics command line on stored runs, through ``main(argv)`` in this
process (a few cases run ``python -m bizmodel`` as a real process: exit codes and the entry point).

Runs are inserted into a fresh SQLite store directly (the recorded digits run, with an inference
profile and a learning curve added where a case needs them), so no TensorFlow is involved.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bizmodel.catalog import CatalogError, load_bundled, read_catalog
from tests.support.app import RECORDED
from tests.support.cli import bizmodel_process, ok_json, one_line_error
from tests.support.cli import run_bizmodel as run_cli
from tests.support.economics import CURVE_SIZES, PROFILE

OPTION_KEYS = {
    "provider",
    "instance_type",
    "accelerator",
    "count",
    "pricing",
    "gpu_hours",
    "cost_usd",
    "days",
    "feasible",
}
HEADER = (
    "provider,region,instance_type,accelerator,count,vcpus,memory_gib,"
    "on_demand_usd_per_hour,spot_usd_per_hour,status,as_of,source,notes\n"
)


# --------------------------------------------------------------------------- cost


def test_cost_json_contract_7b_140b(cli_home: Path) -> None:
    out = ok_json(run_cli(cli_home, "cost", "--params", "7e9", "--tokens", "140e9", "--json"))
    assert {"catalog", "work", "assumptions", "cheapest", "fastest", "options"} <= out.keys()
    bundled = load_bundled()
    assert out["catalog"]["name"] == "bundled"
    assert out["catalog"]["version"] == bundled.version
    assert out["catalog"]["as_of"] == bundled.as_of.isoformat()
    work = out["work"]
    assert work["dense_flops"] == pytest.approx(6 * 7e9 * 140e9)
    assert work["flops"] == pytest.approx(work["dense_flops"] + work["attention_flops"])
    assert work["shape"] == "inferred" and work["sequence"] == 4096 and work["attention_flops"] > 0
    assert work["params"] == work["active_params"] == 7e9 and work["tokens"] == 140e9
    assert work["method"] == "pretrain" and work["moe"] is False
    assert work["memory_bytes_per_param"] == 16
    assert out["assumptions"]["mfu"] == 0.4

    options = out["options"]
    assert len(options) == 20  # the default --top
    assert out["options_total"] > 20
    for option in options:
        assert OPTION_KEYS <= option.keys()
        assert option["pricing"] in ("on_demand", "spot")
        assert isinstance(option["feasible"], bool)
    feasible = [o for o in options if o["feasible"]]
    assert feasible, "a 7B model fits on some catalog option"
    costs = [o["cost_usd"] for o in feasible]
    assert costs == sorted(costs)
    first_infeasible = next((i for i, o in enumerate(options) if not o["feasible"]), len(options))
    assert all(not o["feasible"] for o in options[first_infeasible:])  # feasible options first

    everything = ok_json(
        run_cli(cli_home, "cost", "--params", "7e9", "--tokens", "140e9", "--top", "0", "--json")
    )
    assert len(everything["options"]) == everything["options_total"] == out["options_total"]
    all_feasible = [o for o in everything["options"] if o["feasible"]]
    assert out["cheapest"]["cost_usd"] <= min(o["cost_usd"] for o in all_feasible) * (1 + 1e-9)
    assert out["fastest"]["days"] <= min(o["days"] for o in all_feasible) * (1 + 1e-9)
    assert out["cheapest"]["feasible"] and out["fastest"]["feasible"]


def test_cost_mixture_of_experts_prices_active_flops_and_total_memory(cli_home: Path) -> None:
    args = ("cost", "--params", "671e9", "--active-params", "37e9", "--tokens", "14.8e12")
    out = ok_json(run_cli(cli_home, *args, "--sequence", "0", "--json"))
    assert out["work"]["flops"] == pytest.approx(6 * 37e9 * 14.8e12)
    assert out["work"]["memory_bytes"] == pytest.approx(16 * 671e9)
    assert out["work"]["moe"] is True
    # 10.7 TB of training state: no single 8-GPU node holds it.
    assert all(o["nodes"] > 1 for o in out["options"] if o["feasible"])
    shaped = ok_json(run_cli(cli_home, *args, "--model", "deepseek-v3", "--json"))
    assert shaped["work"]["shape"] == "deepseek-v3"
    assert shaped["work"]["attention_flops"] == pytest.approx(12 * 61 * 128 * 160 * 4096 * 14.8e12)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--params", "37e9", "--active-params", "671e9"), "cannot exceed --params"),
        (("--params", "7e9", "--active-params", "-1"), "--active-params"),
        (("--params", "7e9", "--active-params", "nan"), "--active-params"),
        (("--params", "7e9", "--model", "gpt-17"), "unknown model"),
        (("--params", "7e9", "--sequence", "-5"), "--sequence"),
    ],
)
def test_cost_moe_and_shape_refusals_exit_2(cli_home: Path, args: tuple[str, ...], message: str) -> None:
    done = run_cli(cli_home, "cost", "--tokens", "1e12", *args)
    assert done.returncode == 2 and message in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_cost_finetune_adapter_uses_4nd(cli_home: Path) -> None:
    out = ok_json(
        run_cli(
            cli_home, "cost", "--params", "7e9", "--tokens", "1e9", "--method", "finetune-adapter",
            "--mfu", "0.3", "--top", "3", "--json",
        )
    )  # fmt: skip
    assert out["work"]["method"] == "finetune-adapter"
    assert out["work"]["dense_flops"] == pytest.approx(4 * 7e9 * 1e9)
    assert out["assumptions"]["mfu"] == 0.3
    assert len(out["options"]) == 3


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["--params", "-1", "--tokens", "1e9"], "argument --params: expected a positive number"),
        (["--params", "seven", "--tokens", "1e9"], "argument --params: expected a number"),
        (["--params", "7e9", "--tokens", "0"], "argument --tokens: expected a positive number"),
        (
            ["--params", "7e9", "--tokens", "nan"],
            "argument --tokens: expected a number, got 'nan' (not a number)",
        ),
        (
            ["--params", "7e9", "--tokens", "1e9", "--mfu", "0"],
            "argument --mfu: expected a fraction in (0, 1]",
        ),
        (["--params", "7e9", "--tokens", "1e9", "--mfu", "1.5"], "argument --mfu"),
        (["--params", "7e9", "--tokens", "1e9", "--discount", "1"], "argument --discount"),
        (["--params", "7e9", "--tokens", "1e9", "--spot-overhead", "-0.1"], "argument --spot-overhead"),
        (["--params", "7e9", "--tokens", "1e9", "--max-nodes", "0"], "argument --max-nodes"),
        (["--params", "7e9", "--tokens", "1e9", "--max-nodes", "2.5"], "argument --max-nodes"),
        (["--params", "7e9", "--tokens", "1e9", "--top", "-1"], "argument --top"),
        (["--params", "7e9", "--tokens", "1e9", "--method", "distill"], "argument --method"),
        (["--tokens", "1e9"], "give --params"),
        ([], "give --params and --tokens"),
        (["--params", "7e9", "--tokens", "1e9", "--data-factor", "2"], "--data-factor and --model-factor"),
        (["--run", "plain", "--method", "pretrain"], "--method applies to --params/--tokens"),
        (["--catalog-accelerators", "acc.csv", "--params", "1e9", "--tokens", "1e9"], "--catalog-instances"),
    ],
)
def test_cost_bad_arguments_are_one_line_exit_2(cli_home: Path, args: list[str], reason: str) -> None:
    assert reason in one_line_error(run_cli(cli_home, "cost", *args, "--json"))


def test_cost_unknown_run_names_the_run_and_the_runs_command(cli_home: Path) -> None:
    reason = one_line_error(run_cli(cli_home, "cost", "--run", "no-such-run", "--json"))
    assert "no-such-run" in reason and "python -m mlcore runs" in reason


def test_cost_unfinished_run_is_refused(cli_home: Path) -> None:
    assert "not finished" in one_line_error(run_cli(cli_home, "cost", "--run", "queued", "--json"))


def test_cost_scales_a_saved_run(cli_home: Path) -> None:
    record = json.loads(RECORDED.read_text())["record"]
    out = ok_json(
        run_cli(cli_home, "cost", "--run", "plain", "--data-factor", "10", "--model-factor", "2", "--json")
    )
    fps, n, epochs = record["flops_per_sample"], record["n_train"], record["epochs_completed"]
    assert out["run_id"] == "plain"
    assert out["work"]["method"] == "scaled-run"
    assert out["work"]["flops"] == pytest.approx(3 * fps * n * epochs * 10 * 2)
    assert out["work"]["params"] == pytest.approx(record["params"] * 2)
    assert out["work"]["tokens"] == pytest.approx(n * epochs * 10)
    assert out["work"]["scaled_from"] == {
        "run_id": "plain",
        "flops_per_sample": fps,
        "n_train": n,
        "epochs_completed": epochs,
        "params": record["params"],
        "data_factor": 10.0,
        "model_factor": 2.0,
    }
    assert out["cheapest"] is not None and out["cheapest"]["feasible"]
    unscaled = ok_json(run_cli(cli_home, "cost", "--run", "plain", "--top", "1", "--json"))
    assert unscaled["work"]["flops"] == pytest.approx(out["work"]["flops"] / 20)


@pytest.mark.slow  # starts a process
def test_cost_human_output_shows_the_catalog_date(cli_home: Path) -> None:
    """A real process: ``python -m bizmodel`` hands over to :func:`cli.economics.main`."""
    proc = bizmodel_process(cli_home, "cost", "--params", "1e9", "--tokens", "20e9", "--top", "5")
    assert proc.returncode == 0, proc.stderr
    assert load_bundled().as_of.isoformat() in proc.stdout
    assert "cheapest" in proc.stdout and "fastest" in proc.stdout
    assert proc.stderr == ""


# --------------------------------------------------------------------------- uploaded catalogs


def test_bad_catalog_upload_is_refused_with_the_catalogs_reason(cli_home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "prices.csv"
    bad.write_text(HEADER + "acme,eu,box-1,L4,-1,8,32,0.9,,current,2026-01-31,my quote,\n")
    with pytest.raises(CatalogError) as expected:
        read_catalog(bad.read_bytes(), name="prices.csv")
    reason = one_line_error(
        run_cli(cli_home, "cost", "--params", "1e9", "--tokens", "1e9", "--catalog-instances", str(bad))
    )
    assert reason == str(expected.value)
    assert "prices.csv" in reason and "count" in reason


def test_missing_catalog_file_is_exit_2(cli_home: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    reason = one_line_error(
        run_cli(cli_home, "cost", "--params", "1e9", "--tokens", "1e9", "--catalog-instances", str(missing))
    )
    assert str(missing) in reason


def test_uploaded_catalog_is_used_and_a_stale_one_warned_about(cli_home: Path, tmp_path: Path) -> None:
    old = tmp_path / "old-quote.csv"
    old.write_text(HEADER + "acme,eu,box-8,H100-SXM,8,96,1024,20.0,,current,2024-01-31,my quote,\n")
    out = ok_json(
        run_cli(
            cli_home, "cost", "--params", "1e9", "--tokens", "20e9", "--max-nodes", "1",
            "--catalog-instances", str(old), "--json",
        )
    )  # fmt: skip
    assert out["catalog"]["name"] == "old-quote.csv"
    assert out["catalog"]["as_of"] == "2024-01-31"
    assert out["catalog"]["stale"] is True
    assert out["catalog"]["age_days"] == (date.today() - date(2024, 1, 31)).days
    assert [(o["provider"], o["instance_type"], o["count"]) for o in out["options"]] == [("acme", "box-8", 8)]
    assert out["options"][0]["usd_per_hour"] == 20.0

    human = run_cli(cli_home, "cost", "--params", "1e9", "--tokens", "20e9", "--catalog-instances", str(old))
    assert human.returncode == 0, human.stderr
    assert "2024-01-31" in human.stdout and "warning:" in human.stdout


# --------------------------------------------------------------------------- serving


def test_serving_without_a_profile_says_how_to_measure_one(cli_home: Path) -> None:
    reason = one_line_error(
        run_cli(cli_home, "serving", "--run", "plain", "--requests-per-month", "1e6", "--p95-ms", "50")
    )
    assert reason == (
        "run plain has no inference profile: measure it with  python -m mlcore bench-inference --run plain"
    )


def test_serving_plans_capacity_from_the_profile(cli_home: Path) -> None:
    out = ok_json(
        run_cli(
            cli_home, "serving", "--run", "measured", "--requests-per-month", "5e6", "--p95-ms", "1",
            "--utilisation", "0.6", "--json",
        )
    )  # fmt: skip
    assert {"catalog", "run_id", "assumptions", "best", "plan"} <= out.keys()
    assert out["run_id"] == "measured"
    assert out["assumptions"]["utilisation"] == 0.6 and out["assumptions"]["efficiency"] == 0.05
    assert out["cpu_instance"]["vcpus"] >= 2  # the run's 2 logical cores
    best = out["best"]
    assert best is not None
    assert best["meets_p95_target"] is True and best["p95_ms"] <= 1.0
    assert best["monthly_usd"] > 0 and best["instances"] >= 1
    plan = out["plan"]
    measured = [r for r in plan if r["provenance"] == "measured"]
    assert len(measured) == len(PROFILE["rows"])
    meeting = [r for r in plan if r["meets_p95_target"] and r["monthly_usd"] is not None]
    assert best["monthly_usd"] == pytest.approx(min(r["monthly_usd"] for r in meeting))
    first_miss = next((i for i, r in enumerate(plan) if not r["meets_p95_target"]), len(plan))
    assert all(not r["meets_p95_target"] for r in plan[first_miss:])  # target-meeting rows first


def test_serving_human_output(cli_home: Path) -> None:
    proc = run_cli(cli_home, "serving", "--run", "measured", "--requests-per-month", "1e6", "--p95-ms", "5")
    assert proc.returncode == 0, proc.stderr
    assert "best:" in proc.stdout and load_bundled().as_of.isoformat() in proc.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["--requests-per-month", "0", "--p95-ms", "5"],
        ["--requests-per-month", "1e6", "--p95-ms", "-5"],
        ["--requests-per-month", "1e6", "--p95-ms", "5", "--utilisation", "0"],
        ["--requests-per-month", "1e6", "--p95-ms", "5", "--efficiency", "2"],
        ["--requests-per-month", "1e6"],
    ],
)
def test_serving_bad_numbers(cli_home: Path, args: list[str]) -> None:
    assert "argument" in one_line_error(run_cli(cli_home, "serving", "--run", "measured", *args))


# --------------------------------------------------------------------------- data value


def test_data_value_fits_the_curve_and_prices_a_purchase(cli_home: Path) -> None:
    out = ok_json(
        run_cli(
            cli_home, "data-value", "--run", "measured", "--label-cost-usd", "0.05",
            "--value-per-point-usd", "10000", "--horizon-years", "2", "--buy", "5000", "--json",
        )
    )  # fmt: skip
    assert {"run_id", "fit", "optimal", "purchase", "curve"} <= out.keys()
    assert out["run_id"] == "measured"
    fit = out["fit"]
    assert {"a", "b", "c", "rmse_points", "n_min", "n_max", "interval_level"} <= fit.keys()
    assert fit["b"] == pytest.approx(0.6, abs=0.05) and fit["c"] == pytest.approx(0.02, abs=0.01)
    assert (fit["n_min"], fit["n_max"]) == (CURVE_SIZES[0], CURVE_SIZES[-1])
    econ = out["economics"]
    assert econ["current_n"] == 1259 and econ["max_n"] == 100 * 1259 and econ["horizon_years"] == 2.0
    optimal = out["optimal"]
    assert optimal["bound"] in ("current", "interior", "max_n")
    assert optimal["n_train"] == 1259 + optimal["extra_samples"]
    purchase = out["purchase"]
    assert purchase["extra_samples"] == 5000 and purchase["n_after"] == 1259 + 5000
    assert purchase["labelling_cost_usd"] == pytest.approx(250.0)
    assert purchase["gain_points_low"] <= purchase["gain_points"] <= purchase["gain_points_high"]
    assert purchase["summary"].startswith("buying 5,000 more labels")
    sizes = [row["n_train"] for row in out["curve"]]
    assert sizes == sorted(sizes) and sizes[0] == CURVE_SIZES[0] and sizes[-1] == 100 * 1259
    assert {1259, optimal["n_train"], 1259 + 5000} <= set(sizes)
    net = {row["n_train"]: row["net_value_usd"] for row in out["curve"]}
    assert max(net.values()) <= optimal["net_value_usd"] + 1e-6  # nothing on the grid beats the optimum


def test_data_value_without_buy_has_no_purchase(cli_home: Path) -> None:
    out = ok_json(
        run_cli(
            cli_home, "data-value", "--run", "measured", "--label-cost-usd", "1", "--value-per-point-usd",
            "10", "--max-n", "5000", "--json",
        )
    )  # fmt: skip
    assert out["purchase"] is None
    assert out["economics"]["max_n"] == 5000 and out["curve"][-1]["n_train"] == 5000


def test_data_value_human_output(cli_home: Path) -> None:
    proc = run_cli(
        cli_home, "data-value", "--run", "measured", "--label-cost-usd", "0.05",
        "--value-per-point-usd", "10000", "--buy", "1000",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "optimal:" in proc.stdout and "purchase: buying 1,000 more labels" in proc.stdout
    # A curve stored without a rule was trained by the old one, and the output says so.
    assert "learning curve rule: run-epochs (the old rule" in proc.stdout


def test_data_value_says_how_the_curve_was_trained(cli_home: Path) -> None:
    args = ("data-value", "--label-cost-usd", "0.05", "--value-per-point-usd", "10000", "--json")
    old = ok_json(run_cli(cli_home, *args, "--run", "measured"))["curve_rule"]
    assert old == {
        "rule": "run-epochs",
        "patience": None,
        "max_epochs": None,
        "run_epochs": 3,
        "trainings": 8,
        "capped": 0,
    }
    new = ok_json(run_cli(cli_home, *args, "--run", "converged"))
    assert new["curve_rule"] == {
        "rule": "early-stopping",
        "patience": 5,
        "max_epochs": 60,
        "run_epochs": 3,
        "trainings": 8,
        "capped": 1,
    }
    text = run_cli(cli_home, *args[:-1], "--run", "converged")
    assert text.returncode == 0, text.stderr
    assert "learning curve rule: early-stopping: each training until its validation loss" in text.stdout
    assert "1 of 8 trainings reached the cap first" in text.stdout


@pytest.mark.parametrize(
    ("run_id", "reason"),
    [
        ("short-curve", "at least 4"),
        ("plain", "has no learning curve"),
        ("no-such-run", "python -m mlcore runs"),
    ],
)
def test_data_value_refuses_without_a_usable_curve(cli_home: Path, run_id: str, reason: str) -> None:
    proc = run_cli(
        cli_home, "data-value", "--run", run_id, "--label-cost-usd", "0.05", "--value-per-point-usd", "100"
    )
    assert reason in one_line_error(proc)


@pytest.mark.parametrize(
    "args",
    [
        ["--label-cost-usd", "-1", "--value-per-point-usd", "100"],
        ["--label-cost-usd", "1", "--value-per-point-usd", "inf"],
        ["--label-cost-usd", "1", "--value-per-point-usd", "100", "--horizon-years", "0"],
        ["--label-cost-usd", "1", "--value-per-point-usd", "100", "--buy", "-5"],
        ["--label-cost-usd", "1", "--value-per-point-usd", "100", "--buy", "1.5"],
        ["--value-per-point-usd", "100"],
    ],
)
def test_data_value_bad_numbers(cli_home: Path, args: list[str]) -> None:
    assert "argument" in one_line_error(run_cli(cli_home, "data-value", "--run", "measured", *args))


def test_max_n_below_the_current_set_is_exit_2(cli_home: Path) -> None:
    proc = run_cli(
        cli_home, "data-value", "--run", "measured", "--label-cost-usd", "1", "--value-per-point-usd",
        "10", "--max-n", "100",
    )  # fmt: skip
    assert "below the current training set" in one_line_error(proc)


# --------------------------------------------------------------------------- the store


@pytest.mark.slow  # starts a process
def test_unusable_store_is_exit_1(cli_home: Path) -> None:
    """A real process: ``python -m bizmodel`` exits with ``main``'s status."""
    proc = bizmodel_process(
        cli_home,
        "serving", "--run", "measured", "--requests-per-month", "1e6", "--p95-ms", "5",
        env={"DATABASE_URL": "sqlite:////dev/null/not-a-dir/moatlab.db"},
    )  # fmt: skip
    one_line_error(proc, status=1)
