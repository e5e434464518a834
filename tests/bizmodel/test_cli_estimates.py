"""``python -m bizmodel llm``, ``optimal`` and ``validate``, run in process through ``main(argv)``.

These commands read no store, so nothing here needs a process boundary: each case calls
:func:`cli.economics.main` and reads what it printed.
"""

from __future__ import annotations

import json
import math

import pytest

from bizmodel.scaling_law import EPOCH_2024, compute_optimal
from bizmodel.validation import BAND, validation_table
from cli.economics import main

ERROR = "python -m bizmodel: error: "


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    code, out, err = run(capsys, *argv, "--json")
    assert code == 0, err
    return json.loads(out)


LLM_KEYS = {
    "batch",
    "batch_reason",
    "output_tokens_per_second",
    "input_tokens_per_second",
    "usd_per_1m_output_tokens",
    "usd_per_1m_input_tokens",
    "instance_type",
}


def test_llm_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(
        capsys,
        "llm",
        "--params",
        "70e9",
        "--model",
        "llama-2-70b",
        "--accelerator",
        "H100-SXM",
        "--count",
        "8",
    )
    assert LLM_KEYS <= out.keys()
    assert out["instance_type"] == "gpu_8x_h100_sxm5"  # the cheapest current 8 × H100 on demand
    assert out["batch"] >= 1 and out["batch_reason"] in {"compute", "memory", "latency"}
    assert out["tpot_ms"] <= 50.0 and out["fits"] is True
    assert out["model"]["shape"] == "llama-2-70b" and out["model"]["layers"] == 80
    per_request = (1000 * out["usd_per_1m_input_tokens"] + 300 * out["usd_per_1m_output_tokens"]) / 1e6
    assert per_request * 1000 == pytest.approx(out["usd_per_1000_requests"])


def test_llm_reproduces_mlperf_order_of_magnitude(capsys: pytest.CaptureFixture[str]) -> None:
    # MLPerf Inference v4.0: Llama 2 70B Offline on 8 × H100-SXM in FP8, 21,806 output tokens/s.
    out = run_json(
        capsys,
        *(
            "llm",
            "--params",
            "68.977e9",
            "--model",
            "llama-2-70b",
            "--accelerator",
            "H100-SXM",
            "--count",
            "8",
        ),
        *("--bytes", "1", "--input-tokens", "294", "--output-tokens", "292", "--no-latency-target"),
    )
    assert out["output_tokens_per_second"] / 21_805.8 == pytest.approx(1.0, abs=0.15)


def test_llm_mixture_of_experts(capsys: pytest.CaptureFixture[str]) -> None:
    common = ("llm", "--accelerator", "H200-SXM", "--count", "8", "--bytes", "1", "--no-latency-target")
    moe = run_json(capsys, *common, "--params", "671e9", "--active-params", "37e9", "--model", "deepseek-v3")
    dense = run_json(capsys, *common, "--params", "671e9")
    assert moe["model"]["active_params"] == 37e9 and moe["fits"] and dense["fits"]
    # The same memory, a sixth of the FLOPs per token: several times the throughput.
    assert moe["prefill_tokens_per_second"] > 5 * dense["prefill_tokens_per_second"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--params", "-1"), "--params"),
        (("--params", "nan"), "--params"),
        (("--params", "7e9", "--active-params", "9e9"), "cannot exceed"),
        (("--params", "7e9", "--model", "gpt-17"), "unknown model"),
        (("--params", "7e9", "--accelerator", "NOPE"), "unknown accelerator"),
        (("--params", "7e9", "--count", "3"), "no current catalog instance has 3 × H100-SXM"),
        (("--params", "7e9", "--input-tokens", "0", "--output-tokens", "0"), "input or output tokens"),
        (("--params", "7e9", "--tpot-ms", "0"), "--tpot-ms"),
    ],
)
def test_llm_refusals_exit_2_with_one_line(capsys: pytest.CaptureFixture[str], args, message: str) -> None:
    base = {"--accelerator": "H100-SXM", "--count": "1"}
    given = dict(zip(args[::2], args[1::2], strict=True))
    argv = ["llm", *args] + [x for k, v in base.items() if k not in given for x in (k, v)]
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.startswith(ERROR) and message in err and len(err.strip().splitlines()) == 1


def test_llm_text_says_the_batch_and_why(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "llm", "--params", "8e9", "--accelerator", "L4", "--count", "1")
    assert code == 0 and "batch " in out and "per 1M output tokens" in out
    code, out, _err = run(capsys, "llm", "--params", "70e9", "--accelerator", "L4", "--count", "1")
    assert code == 0 and "does not fit" in out


def test_optimal_json(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(capsys, "optimal", "--flops", "5.76e23")
    params, tokens = compute_optimal(EPOCH_2024, 5.76e23)
    assert out["params"] == pytest.approx(params) and out["tokens"] == pytest.approx(tokens)
    assert out["tokens_per_param"] == pytest.approx(tokens / params)
    assert 6 * out["params"] * out["tokens"] == pytest.approx(5.76e23)
    # Chinchilla itself: 70B parameters on 1.4T tokens at this budget.
    assert out["params"] == pytest.approx(70e9, rel=0.05) and 1.9 < out["loss"] < 2.1
    assert "arXiv:2404.10102" in out["law"]["source"]
    rounded = run_json(capsys, "optimal", "--flops", "5.76e23", "--law", "hoffmann")
    assert rounded["tokens_per_param"] > 40  # the rounded constants over-weight data


@pytest.mark.parametrize("flops", ["0", "-5", "nan", "inf", "lots"])
def test_optimal_refuses_bad_budgets(capsys: pytest.CaptureFixture[str], flops: str) -> None:
    code, _out, err = run(capsys, "optimal", "--flops", flops)
    assert code == 2 and err.startswith(ERROR) and "--flops" in err


def test_validate_json_rows(capsys: pytest.CaptureFixture[str]) -> None:
    out = run_json(capsys, "validate")
    rows = out["rows"]
    assert len(rows) == len(validation_table())
    for row in rows:
        assert {"name", "published", "estimate", "ratio", "unit", "source"} <= row.keys()
        assert row["ratio"] == pytest.approx(row["estimate"] / row["published"])
        assert BAND[0] <= row["ratio"] <= BAND[1]
    assert {s["kind"] for s in out["summary"]} == {"training", "serving", "all"}
    assert math.isclose(out["band"]["high"], BAND[1])


def test_validate_text_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(capsys, "validate")
    assert code == 0 and "Llama 2 70B" in out and "median |log ratio|" in out
