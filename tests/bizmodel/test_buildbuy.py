"""Build or buy: self-hosted LLM options, break-even volumes, the bundled LLM price list and uploads."""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bizmodel.buildbuy import (
    API_PRICE_COLUMNS,
    MAX_PRICE_UPLOAD_BYTES,
    SELF_HOSTED_COLUMNS,
    ApiCosts,
    BuildBuyError,
    LlmWorkload,
    OwnModelCosts,
    break_even,
    break_even_volume,
    cost_curves,
    fine_tune_cost_usd,
    llm_break_even,
    llm_break_even_volume,
    llm_cost_curves,
    load_api_prices,
    read_api_prices,
    self_hosted_option,
    self_hosted_options,
)
from bizmodel.catalog import load_bundled, read_catalog
from bizmodel.compute import cheapest, training_options
from bizmodel.llm_serving import plan_replica
from bizmodel.reasons import Reason
from bizmodel.scenario import base_template
from bizmodel.training_work import TrainingWork

# H100 SXM as the bundled catalog has it: dense bf16 989 TFLOP/s (8-bit 1,979), 3,350 GB/s, 80 GiB.
H100 = pd.Series(
    {
        "accelerator": "H100-SXM",
        "bf16_tflops": 989.0,
        "int8_tops": 1979.0,
        "bandwidth_gbps": 3350.0,
        "memory_gib": 80.0,
    }
)


def test_bundled_h100_has_the_figures_used_here() -> None:
    row = load_bundled().accelerators.set_index("accelerator").loc["H100-SXM"]
    assert (row["bf16_tflops"], row["bandwidth_gbps"], row["memory_gib"]) == (989.0, 3350.0, 80.0)


def _instance(count: int, price: float = 4.0) -> pd.Series:
    return pd.Series(
        {
            "provider": "x",
            "instance_type": "h",
            "count": count,
            "on_demand_usd_per_hour": price,
            "as_of": "2026-01-01",
        }
    )


@pytest.mark.parametrize(("count", "fits"), [(1, False), (2, True)])
def test_memory_feasibility(count: int, fits: bool) -> None:
    # 70e9 × 2 B = 140e9 B of weights, plus one sequence's KV cache, at 90 % of memory: more than one
    # H100 (80 GiB), less than two.
    work = LlmWorkload(70e9, 500, 200)
    option = self_hosted_option(work, _instance(count), H100)
    assert option.fits_in_memory is fits
    kv = 600 * work.shape.kv_bytes_per_token(2)
    assert option.memory_needed_gib == pytest.approx((140e9 + kv) / 0.9 / 2**30)
    assert option.memory_available_gib == 80.0 * count


def test_option_carries_the_serving_plan() -> None:
    work = LlmWorkload(70e9, 294, 294, bytes_per_param=1, model="llama-2-70b", tpot_target_ms=None)
    option = self_hosted_option(work, _instance(8, 55.04), H100)
    plan = plan_replica(work.serving, H100, 8)
    assert (option.batch, option.batch_reason, option.precision) == (plan.batch, "compute", "8-bit")
    assert option.output_tokens_per_second == pytest.approx(plan.output_tokens_per_second)
    assert option.peak_tflops == 1979.0 and option.tpot_ms == pytest.approx(plan.tpot_ms)
    # Llama-2-70B in 8-bit on 8 × H100: about 23k output tokens/s (MLPerf v4.0 measured 21.8k).
    assert 20_000 < option.output_tokens_per_second < 26_000


def test_price_per_token_by_hand() -> None:
    work = LlmWorkload(7e9, 500, 200, utilisation=0.5)
    option = self_hosted_option(work, _instance(1, 3.6), H100)
    plan = plan_replica(work.serving, H100, 1)
    per_second = 3.6 / 3600 / 0.5
    assert option.usd_per_1m_input_tokens == pytest.approx(per_second / plan.prefill_tokens_per_second * 1e6)
    assert option.usd_per_request == pytest.approx(per_second / plan.requests_per_second)
    blended = (500 * option.usd_per_1m_input_tokens + 200 * option.usd_per_1m_output_tokens) / 1e6
    assert option.usd_per_request == pytest.approx(blended)
    assert option.provenance == "assumed"


def test_moe_serving_counts_active_flops_and_total_memory() -> None:
    dense = LlmWorkload(37e9, 1000, 300, bytes_per_param=1, tpot_target_ms=None)
    moe = LlmWorkload(
        671e9, 1000, 300, bytes_per_param=1, active_params=37e9, model="deepseek-v3", tpot_target_ms=None
    )
    assert moe.shape.total_params == 671e9 and moe.shape.active_params == 37e9
    # 671 GB of 8-bit weights need more than 8 × 80 GiB × 0.9: not on one 8 × H100 node.
    assert not self_hosted_option(moe, _instance(8), H100).fits_in_memory
    big = H100.copy()
    big["memory_gib"] = 141.0
    moe_option = self_hosted_option(moe, _instance(8), big)
    dense_option = self_hosted_option(dense, _instance(8), big)
    assert moe_option.fits_in_memory and dense_option.fits_in_memory
    # Compute-bound rates follow the active parameters (within attention's share).
    assert moe_option.prefill_tokens_per_second == pytest.approx(
        dense_option.prefill_tokens_per_second, rel=0.3
    )


def test_serving_refuses_missing_specs() -> None:
    with pytest.raises(BuildBuyError, match="bandwidth"):
        self_hosted_option(
            LlmWorkload(7e9, 1, 1), _instance(1), pd.Series({"accelerator": "X", "bf16_tflops": 100.0})
        )
    with pytest.raises(BuildBuyError, match="accelerators"):
        self_hosted_option(LlmWorkload(7e9, 1, 1), _instance(0), H100)


def test_self_hosted_options_on_the_bundled_catalog() -> None:
    options = self_hosted_options(LlmWorkload(70e9, 1000, 300), load_bundled())
    assert tuple(options.columns) == SELF_HOSTED_COLUMNS
    assert len(options) > 10
    fits = options["fits_in_memory"].to_numpy()
    assert fits[0] and not np.any(np.diff(fits.astype(int)) > 0)  # fitting options first
    fitting = options[options["fits_in_memory"]]
    assert fitting["usd_per_request"].is_monotonic_increasing
    assert set(options["provenance"]) == {"assumed"}
    assert options["as_of"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    assert (options["source"] != "").all()
    assert "CPU" not in set(options["accelerator"])


def test_self_hosted_options_skip_accelerators_without_specs() -> None:
    header = (
        "provider,region,instance_type,accelerator,count,vcpus,memory_gib,"
        "on_demand_usd_per_hour,spot_usd_per_hour,status,as_of,source,notes\n"
    )
    rows = "a,r,h1,H100-SXM,1,8,64,3,,current,2026-01-01,q,\na,r,x1,NOBW,1,8,64,1,,current,2026-01-01,q,\n"
    accelerators = (
        "accelerator,fp32_tflops,tf32_tflops,bf16_tflops,int8_tops,memory_gib,bandwidth_gbps,tdp_watts,"
        "as_of,source,notes\n"
        "H100-SXM,67,494.5,989,1979,80,3350,700,2026-01-01,spec,\n"
        "NOBW,10,,100,,40,,300,2026-01-01,spec,\n"
    )
    cat = read_catalog((header + rows).encode(), accelerators.encode(), name="t")
    options = self_hosted_options(LlmWorkload(7e9, 100, 100), cat)
    assert options["accelerator"].tolist() == ["H100-SXM"]


# ---------------------------------------------------------------------- (a) own model vs API


@pytest.mark.parametrize(
    ("own", "api", "volume", "below", "above"),
    [
        (OwnModelCosts(100.0, 0.5), ApiCosts(1.5), 100_000.0, "api", "own"),
        (OwnModelCosts(1_000.0, 0.02), ApiCosts(0.5, fixed_usd_month=40.0), 2_000_000.0, "api", "own"),
        (OwnModelCosts(0.0, 2.0), ApiCosts(1.0, fixed_usd_month=50.0), 50_000.0, "own", "api"),
    ],
)
def test_break_even_where_the_curves_cross(
    own: OwnModelCosts, api: ApiCosts, volume: float, below: str, above: str
) -> None:
    be = break_even(own, api)
    assert be.volume_per_month == pytest.approx(volume)
    assert (be.cheaper_below, be.cheaper_above, be.reason) == (below, above, None)
    at = cost_curves(own, api, [volume]).iloc[0]
    assert at["own_usd_month"] == pytest.approx(at["api_usd_month"])
    around = cost_curves(own, api, [volume / 2, volume * 2])
    assert around["cheaper"].tolist() == [below, above]


@pytest.mark.parametrize(
    ("own", "api", "cheaper", "reason"),
    [
        (OwnModelCosts(100.0, 2.0), ApiCosts(1.5), "api", "cheaper_both"),
        (
            OwnModelCosts(0.0, 0.1),
            ApiCosts(1.0, fixed_usd_month=10.0),
            "own",
            "cheaper_both",
        ),
        (OwnModelCosts(50.0, 1.0), ApiCosts(1.0), "api", "cheaper_fixed"),
        (OwnModelCosts(0.0, 0.5), ApiCosts(1.5), "own", "cheaper_above_zero"),
        (OwnModelCosts(10.0, 1.0), ApiCosts(1.0, fixed_usd_month=10.0), None, "same_everywhere"),
    ],
)
def test_never_cheaper_gives_none(
    own: OwnModelCosts, api: ApiCosts, cheaper: str | None, reason: str
) -> None:
    be = break_even(own, api)
    assert be.volume_per_month is None and break_even_volume(own, api) is None
    assert be.cheaper_above == cheaper
    assert be.reason is not None and be.reason.code == reason
    if cheaper is not None:  # the reason names the cheaper side
        assert be.reason.params["side"] == Reason(f"side_{cheaper}")


@settings(max_examples=80)
@given(
    st.floats(0, 1e5),
    st.floats(0, 10),
    st.floats(0, 1e5),
    st.floats(0, 10),
)
def test_break_even_property(own_fixed: float, own_unit: float, api_fixed: float, api_unit: float) -> None:
    own, api = OwnModelCosts(own_fixed, own_unit), ApiCosts(api_unit, fixed_usd_month=api_fixed)
    volume = break_even_volume(own, api)
    if volume is None:
        return
    assert volume > 0
    at = cost_curves(own, api, [volume]).iloc[0]
    assert at["own_usd_month"] == pytest.approx(at["api_usd_month"], rel=1e-6, abs=1e-6)


def test_own_costs_from_a_scenario() -> None:
    s = base_template()  # $200 every 3 months, $0.02 per 1,000
    costs = OwnModelCosts.from_scenario(s, ops_usd_month=1000.0)
    assert costs.fixed_usd_month == pytest.approx(200 / 3 + 1000)
    assert costs.serving_usd_per_1000 == 0.02
    never = OwnModelCosts.from_scenario(
        type(s).from_dict({**s.to_dict(), "retrain_every_months": 0}), ops_usd_month=0.0
    )
    assert never.fixed_usd_month == 0.0


@pytest.mark.parametrize(
    "make",
    [
        lambda: OwnModelCosts(-1.0, 0.1),
        lambda: OwnModelCosts(1.0, math.nan),
        lambda: ApiCosts(-0.1),
        lambda: cost_curves(OwnModelCosts(1, 1), ApiCosts(1), [-5]),
        lambda: LlmWorkload(0, 100, 100),
        lambda: LlmWorkload(7e9, 0, 0),
        lambda: LlmWorkload(7e9, 100, 100, tpot_target_ms=0),
        lambda: LlmWorkload(7e9, 100, 100, bytes_per_param=4),
        lambda: LlmWorkload(37e9, 100, 100, active_params=70e9),
        lambda: LlmWorkload(7e9, 100, 100, model="gpt-17"),
        lambda: LlmWorkload(7e9, 100, 100, utilisation=1.5),
        lambda: LlmWorkload(7e9, 100, 100, mfu=0.0),
    ],
)
def test_invalid_inputs(make: Any) -> None:
    with pytest.raises(BuildBuyError):
        make()


# ---------------------------------------------------------------------- (b) self-hosted LLM vs API

OPTION = pd.Series(
    {"instance": "x h", "requests_per_second": 5.0, "usd_per_hour": 2.0, "fits_in_memory": True}
)
API = pd.Series({"input_usd_per_1m_tokens": 1.0, "output_usd_per_1m_tokens": 4.0})
# 1,000 in + 100 out: 0.2 instance-seconds per request; at full use one instance serves
# 3,600 × 730 / 0.2 = 13.14 M requests a month for 2 × 730 = $1,460. The API charges $0.0014 a request.
WORK = LlmWorkload(7e9, 1000, 100, utilisation=1.0)


def test_llm_cost_curves_by_hand() -> None:
    curves = llm_cost_curves(OPTION, API, WORK, [0, 1e6, 13.14e6, 13.2e6, 30e6])
    assert curves["instances"].tolist() == [1, 1, 1, 2, 3]
    assert curves["self_hosted_usd_month"].tolist() == pytest.approx([1460, 1460, 1460, 2920, 4380])
    assert curves["api_usd_month"].tolist() == pytest.approx([0, 1400, 18396, 18480, 42000])
    assert curves["cheaper"].tolist() == ["api", "api", "self_hosted", "self_hosted", "self_hosted"]


@pytest.mark.parametrize(
    ("fine_tune_usd", "months", "instances"),
    [(0.0, 12, 1), (12_000.0, 12, 1), (600_000.0, 12, 3)],
)
def test_llm_break_even_where_the_curves_meet(fine_tune_usd: float, months: int, instances: int) -> None:
    be = llm_break_even(OPTION, API, WORK, fine_tune_usd=fine_tune_usd, amortise_months=months)
    volume = be.volume_per_month
    assert volume is not None and (be.cheaper_below, be.cheaper_above) == ("api", "self_hosted")
    fixed = fine_tune_usd / months
    at = llm_cost_curves(OPTION, API, WORK, [volume], fine_tune_usd=fine_tune_usd, amortise_months=months)
    assert int(at["instances"].iloc[0]) == instances
    assert at["self_hosted_usd_month"].iloc[0] == pytest.approx(at["api_usd_month"].iloc[0])
    assert volume == pytest.approx((instances * 1460 + fixed) / 0.0014)
    below = llm_cost_curves(
        OPTION, API, WORK, np.linspace(0, volume * 0.999, 200), fine_tune_usd=fine_tune_usd
    )
    assert set(below["cheaper"]) == {"api"}


@pytest.mark.parametrize(
    ("api", "reason"),
    [
        (pd.Series({"input_usd_per_1m_tokens": 0.01, "output_usd_per_1m_tokens": 0.01}), "never_cheaper"),
        (pd.Series({"input_usd_per_1m_tokens": 0.0, "output_usd_per_1m_tokens": 0.0}), "api_free"),
    ],
)
def test_llm_never_cheaper_gives_none(api: pd.Series, reason: str) -> None:
    be = llm_break_even(OPTION, api, WORK)
    assert be.volume_per_month is None and llm_break_even_volume(OPTION, api, WORK) is None
    assert be.reason is not None and be.reason.code == reason
    curves = llm_cost_curves(OPTION, api, WORK, np.geomspace(1, 1e10, 60))
    assert set(curves["cheaper"]) == {"api"}


def test_llm_curves_refuse_a_model_that_does_not_fit() -> None:
    too_small = OPTION.copy()
    too_small["fits_in_memory"] = False
    with pytest.raises(BuildBuyError, match="cannot hold"):
        llm_cost_curves(too_small, API, WORK, [1])


def test_self_hosted_option_dataclass_is_accepted() -> None:
    instance = pd.Series(
        {
            "provider": "x",
            "instance_type": "h",
            "count": 1,
            "on_demand_usd_per_hour": 3.6,
            "as_of": "2026-01-01",
        }
    )
    option = self_hosted_option(LlmWorkload(7e9, 500, 200), instance, H100)
    prices = load_api_prices()
    curves = llm_cost_curves(option, prices.iloc[0], LlmWorkload(7e9, 500, 200), [1e3, 1e7])
    assert list(curves.columns) == [
        "volume_per_month",
        "self_hosted_usd_month",
        "api_usd_month",
        "instances",
        "cheaper",
    ]


def test_fine_tune_reuses_the_training_model() -> None:
    cat = load_bundled()
    direct = cheapest(
        training_options(TrainingWork.finetune(8e9, 50e6, method="adapter"), cat.instances, cat.accelerators)
    )
    assert direct is not None
    assert fine_tune_cost_usd(8e9, 50e6, cat) == pytest.approx(float(direct["cost_usd"]))
    assert fine_tune_cost_usd(8e9, 50e6, cat, method="full") > fine_tune_cost_usd(8e9, 50e6, cat)
    with pytest.raises(BuildBuyError):
        fine_tune_cost_usd(-1, 50e6, cat)


# ---------------------------------------------------------------------- the LLM API price list


def test_bundled_price_list() -> None:
    prices = load_api_prices()
    assert tuple(prices.columns) == API_PRICE_COLUMNS
    assert len(prices) == 30
    assert "deepseek-chat" not in set(prices["model"])  # the stale V3 price of 2025-02 is gone
    flash = prices.set_index("model").loc["deepseek-flash"]
    assert (flash["input_usd_per_1m_tokens"], flash["output_usd_per_1m_tokens"]) == (0.3, 1.2)
    for day in prices["as_of"]:
        assert date.fromisoformat(day) <= date.today()
    assert (prices["source"] != "").all()
    assert not prices.duplicated(["provider", "model"]).any()
    assert (prices[["input_usd_per_1m_tokens", "output_usd_per_1m_tokens"]] > 0).all().all()
    gpt4o = prices.set_index("model").loc["gpt-4o"]
    assert (gpt4o["input_usd_per_1m_tokens"], gpt4o["output_usd_per_1m_tokens"], gpt4o["as_of"]) == (
        2.5,
        10.0,
        "2026-07-30",
    )


HEAD = ",".join(API_PRICE_COLUMNS) + "\n"
GOOD = "acme,m1,0.5,1.5,quote,2026-01-31,\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            HEAD + GOOD + "acme,m2,-1,1.5,quote,2026-01-31,\n",
            "line 3, column 'input_usd_per_1m_tokens': '-1'",
        ),
        (HEAD + "acme,m1,0.5,lots,quote,2026-01-31,\n", "line 2, column 'output_usd_per_1m_tokens': 'lots'"),
        (HEAD + "acme,m1,0.5,,quote,2026-01-31,\n", "line 2, column 'output_usd_per_1m_tokens': empty"),
        (
            HEAD + "acme,m1,0.5,1.5,quote,2026/01/31,\n",
            "line 2, column 'as_of': '2026/01/31' is not an ISO date",
        ),
        (
            HEAD + "acme,m1,0.5,1.5,quote,2026-02-30,\n",
            "line 2, column 'as_of': '2026-02-30' is not an ISO date",
        ),
        (HEAD + "acme,m1,0.5,1.5,quote,2099-01-01,\n", "line 2, column 'as_of': 2099-01-01 is in the future"),
        (HEAD + ",m1,0.5,1.5,quote,2026-01-31,\n", "line 2, column 'provider': empty"),
        (HEAD + "acme,m1,0.5,1.5,,2026-01-31,\n", "line 2, column 'source': empty"),
        (HEAD + GOOD + "\n" + GOOD, "line 4, column 'model': 'm1' of 'acme' is already priced on line 2"),
        (HEAD + "acme,m1,0.5,1.5,quote\n", "line 2: 5 fields but the header has 7"),
        (HEAD.replace("notes", "remarks") + GOOD, "line 1: missing column(s) 'notes'"),
        (HEAD.strip() + ",extra\n" + GOOD.strip() + ",x\n", "line 1: unexpected column(s) 'extra'"),
        (HEAD, "has a header but no prices"),
        ("", "is empty"),
        ('provider,model\n"unclosed\n', "missing column(s)"),
    ],
)
def test_bad_price_uploads_name_line_and_column(text: str, message: str) -> None:
    with pytest.raises(BuildBuyError) as info:
        read_api_prices(text.encode(), name="mine.csv", today=date(2026, 11, 29))
    assert "price list 'mine.csv'" in str(info.value)
    assert message in str(info.value)


def test_price_upload_limits_and_encoding() -> None:
    with pytest.raises(BuildBuyError, match="not UTF-8"):
        read_api_prices(HEAD.encode() + b"acme,m\xff,1,1,q,2026-01-01,\n")
    with pytest.raises(BuildBuyError, match="limit"):
        read_api_prices(b"x" * (MAX_PRICE_UPLOAD_BYTES + 1))


def test_price_upload_round_trip(tmp_path: Any) -> None:
    text = HEAD + GOOD + 'other,"m, with comma",0,0.25,"a, b",2025-12-01,free input\n'
    prices = read_api_prices(("\ufeff" + text).encode(), today=date(2026, 11, 29))
    assert prices["model"].tolist() == ["m1", "m, with comma"]
    assert prices["input_usd_per_1m_tokens"].dtype == np.float64
    path = tmp_path / "prices.csv"
    path.write_text(text, encoding="utf-8")
    assert load_api_prices(path).equals(prices)
    with pytest.raises(BuildBuyError, match="cannot read"):
        load_api_prices(tmp_path / "missing.csv")


def test_a_crossing_beyond_any_real_volume_is_no_break_even() -> None:
    # unit costs 2e-308 apart: the lines meet past 1e300 requests a month (once an overflow to inf)
    be = break_even(OwnModelCosts(1.0, 0.0), ApiCosts(2.2250738585072014e-308))
    assert (
        be.volume_per_month is None and break_even_volume(OwnModelCosts(1.0, 0.0), ApiCosts(2.2e-308)) is None
    )
    assert be.cheaper_above == "api" and be.reason is not None and be.reason.code == "cross_beyond"
