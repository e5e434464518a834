"""AppTest of the Build vs buy page: a template renders all three tabs; the API price moves the
break-even; a saved scenario bound to a run shows the serving cost as measured (or assumed, with the
reason, without an inference profile); the LLM tab prices options against an API and explains a
broken price list; the scorecard shows the four kinds of advantage with badges; absurd inputs and
broken links give messages, never tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bizmodel.buildbuy import ApiCosts, OwnModelCosts, break_even
from bizmodel.scenario import base_template
from present import format as fmt
from present.summary import short_id
from store import Store
from tests.support.app import curve, make_app, no_errors, profile, seed_runs

PAGE = "app_pages/build_buy.py"
HEADER = "provider,model,input_usd_per_1m_tokens,output_usd_per_1m_tokens,source,as_of,notes\n"


def metrics(at, label: str) -> list[str]:
    return [m.value for m in at.metric if m.label == label]


def badges(at) -> list[str]:
    """st.badge renders as Markdown."""
    return [m.value for m in at.markdown if "-badge[" in m.value]


def own_break_even(usd_per_1000: float) -> str:
    volume = break_even(OwnModelCosts.from_scenario(base_template()), ApiCosts(usd_per_1000)).volume_per_month
    return fmt.fmt_number(volume)


def bound_scenario(*, profiled: bool) -> str:
    """A saved base scenario bound to a seeded run (with an inference profile and a curve, or bare)."""
    store = Store()
    seed_runs(store, 1)
    if profiled:
        store.patch_run_record("run-0", inference=profile().to_dict(), learning_curve=curve().to_dict())
    return store.save_scenario("Bound plan", json.dumps(base_template().to_dict()), run_id="run-0")


def test_a_template_renders_every_tab(app_env: Path) -> None:
    at = make_app(PAGE)
    no_errors(at)
    assert not at.error and not at.warning
    qp = at.query_params["scenario"]
    assert (qp[0] if isinstance(qp, list) else qp) == "base"
    own, llm = metrics(at, "Break-even (requests/month)")
    assert own == own_break_even(1.5)
    text = " ".join(m.value for m in at.markdown)
    assert f"Below {own.split()[0]} requests a month the API is cheaper; above it, your own model." in text
    assert len(at.get("plotly_chart")) == 2
    assert ":orange-badge[assumed · scenario]" in badges(at)  # serving cost: typed in the template
    assert ":orange-badge[assumed · your input]" in badges(at)  # the API price
    assert llm[0].isdigit() or llm == "none"


def test_the_api_price_moves_the_break_even(app_env: Path) -> None:
    at = make_app(PAGE)
    before = metrics(at, "Break-even (requests/month)")[0]
    at.number_input(key="bb_api_per_1000").set_value(3.0).run()
    no_errors(at)
    after = metrics(at, "Break-even (requests/month)")[0]
    assert after != before and after == own_break_even(3.0)
    # an API cheaper per call than serving yourself: no break-even, and the reason
    at.number_input(key="bb_api_per_1000").set_value(0.01).run()
    no_errors(at)
    assert metrics(at, "Break-even (requests/month)")[0] == "none"
    assert any("At every volume, the API is cheaper." in m.value for m in at.markdown)


def test_absurd_inputs_say_what_to_change(app_env: Path) -> None:
    at = make_app(PAGE)
    at.number_input(key="bb_api_per_1000").set_value(-1.0).run()
    no_errors(at)
    assert any("API price must be a number ≥ 0" in e.value for e in at.error)
    assert len(at.get("plotly_chart")) == 1  # only the LLM chart is left
    at.number_input(key="bb_api_per_1000").set_value(1.5)
    at.number_input(key="bb_llm_params_b").set_value(0.0).run()
    no_errors(at)
    errors = [e.value for e in at.error]
    assert errors == ["Parameters must be more than 0 billion: type the model's size, e.g. 8."]
    at.number_input(key="bb_llm_params_b").set_value(8.0)
    at.number_input(key="bb_label_cost").set_value(0.0).run()
    no_errors(at)
    assert any("label cost must be more than" in e.value for e in at.error)


def test_a_bound_run_with_a_profile_measures_serving_and_data(app_env: Path) -> None:
    sid = bound_scenario(profiled=True)
    at = make_app(PAGE, scenario=sid)
    no_errors(at)
    assert at.selectbox(key="active_scenario").value == f"saved:{sid}"
    assert any("Bound to run **Run 0**" in c.value for c in at.caption)
    measured = f":green-badge[measured · {short_id('run-0')}]"
    assert measured in badges(at)
    assert metrics(at, "Your serving ($ per 1,000)")[0].startswith("$")
    # Production's retraining (not the demo run's sub-cent one) is amortised: the lines cross at a
    # real volume, not "below one request a month".
    volume = metrics(at, "Break-even (requests/month)")[0]
    assert float(volume) >= 1.0
    assert any(f"Below {volume} requests a month the API is cheaper" in m.value for m in at.markdown)
    assert any(c.value.startswith("Production trains a ") for c in at.caption)
    # the scorecard: samples default to the run's training set, the curve prices data
    assert at.number_input(key="bb_samples_run-0").value == 1259
    assert metrics(at, "Labelled samples owned") == ["1,259 samples"]
    data = metrics(at, "Accuracy per $1,000 of data")[0]
    assert data.endswith("points per $1,000") and data != fmt.MISSING
    assert any("on run 0's fitted learning curve" in c.value for c in at.caption)


def test_a_bound_run_without_a_profile_keeps_serving_assumed(app_env: Path) -> None:
    sid = bound_scenario(profiled=False)
    at = make_app(PAGE, scenario=sid)
    no_errors(at)
    text = " ".join(c.value for c in at.caption)
    assert "has no inference profile" in text
    serving_badge = badges(at)[0]
    assert serving_badge == ":orange-badge[assumed · scenario]"
    # accuracy is still measured from the run, in the scorecard
    assert f":green-badge[measured · {short_id('run-0')}]" in badges(at)
    assert metrics(at, "Accuracy per $1,000 of data") == [fmt.MISSING]
    assert "has no learning curve" in text or "no learning curve" in text


def test_the_llm_tab_lists_prices_and_options(app_env: Path) -> None:
    at = make_app(PAGE)
    no_errors(at)
    frames = [d.value for d in at.dataframe]
    assert len(frames) == 2
    prices, options = frames
    assert "gpt-4o-mini" in set(prices["Model"]) and "$ per 1M output tokens" in prices.columns
    assert bool(options["Fits"].iloc[0]) and "$ per 1,000 requests" in options.columns
    assert at.selectbox(key="bb_api_model").value == "openai · gpt-4o-mini"
    llm = metrics(at, "Break-even (requests/month)")[1]
    assert llm[0].isdigit() or llm == "none"
    assert any("every sequence's KV cache" in c.value for c in at.caption)
    assert any(b.startswith(":blue-badge[catalog · ") for b in badges(at))
    assert ":orange-badge[assumed · serving model]" in badges(at)
    # the chosen batch and why, per option
    assert (
        options["Batch · set by"].str.contains("compute saturated|KV cache fills memory|latency target").any()
    )
    on_target = ~options["Batch · set by"].str.contains("target out of reach|does not fit")
    assert (options.loc[on_target, "ms per output token"] <= 50.0).all()
    assert options.loc[~options["Fits"], "ms per output token"].isna().all()
    # a filter narrows the list; a model too large for any instance is explained
    at.text_input(key="bb_api_filter").set_value("anthropic").run()
    no_errors(at)
    assert set(at.dataframe[0].value["Provider"]) == {"anthropic"}
    at.number_input(key="bb_llm_params_b").set_value(5000.0).run()
    no_errors(at)
    assert any("fits on no catalog instance" in w.value for w in at.warning)


def test_a_bad_price_list_names_line_and_column(app_env: Path) -> None:
    at = make_app(PAGE)
    bad = HEADER + "acme,m1,0.5,1.5,quote,2026-01-31,\nacme,m2,cheap,1.5,quote,2026-01-31,\n"
    at.file_uploader(key="bb_prices_upload").set_value(("mine.csv", bad.encode(), "text/csv")).run()
    no_errors(at)
    errors = " ".join(e.value for e in at.error)
    assert "line 3" in errors and "input\\_usd\\_per\\_1m\\_tokens" in errors
    assert "gpt-4o-mini" in set(at.dataframe[0].value["Model"])  # the bundled list stays
    good = HEADER + "acme,m1,0.5,1.5,quote,2026-01-31,\n"
    at.file_uploader(key="bb_prices_upload").set_value(("mine.csv", good.encode(), "text/csv")).run()
    no_errors(at)
    assert not at.error
    assert at.selectbox(key="bb_api_model").value == "acme · m1"
    assert ":orange-badge[assumed · your price list]" in badges(at)


def test_the_scorecard_shows_four_kinds_of_advantage(app_env: Path) -> None:
    at = make_app(PAGE)
    no_errors(at)
    assert [s.value for s in at.subheader][-4:] == ["Cost", "Technology", "Data", "Business model"]
    assert metrics(at, "Serving cost vs competitor") == ["0.4× competitor"]
    assert metrics(at, "Accuracy lead") == ["+2.00 points"]
    text = " ".join(m.value for m in at.markdown)
    assert ":green[:material/thumb_up: advantage]" in text
    assert any("of 5" in m.value and "in your favour" in m.value for m in at.markdown)
    # a slower competitor: the latency comparison appears, with the typed value
    at.number_input(key="bb_your_p95").set_value(10.0)
    at.number_input(key="bb_comp_p95").set_value(40.0).run()
    no_errors(at)
    assert metrics(at, "p95 latency vs competitor") == ["0.25× competitor"]
    # a more accurate competitor is a drawback
    at.number_input(key="bb_comp_acc").set_value(99.0).run()
    no_errors(at)
    assert metrics(at, "Accuracy lead") == ["-7.00 points"]
    assert ":red[:material/thumb_down: drawback]" in " ".join(m.value for m in at.markdown)


def test_the_active_scenario_chosen_in_the_sidebar_is_kept_in_the_link(app_env: Path) -> None:
    at = make_app(PAGE)
    assert any(m.value.startswith("Scenario: **Base case**") for m in at.markdown)
    at.selectbox(key="active_scenario").set_value("template:bull").run()
    no_errors(at)
    qp = at.query_params["scenario"]
    assert (qp[0] if isinstance(qp, list) else qp) == "bull"
    assert any(m.value.startswith("Scenario: **Bull case**") for m in at.markdown)


def test_broken_links_and_invalid_saved_scenarios(app_env: Path) -> None:
    at = make_app(PAGE, scenario="no-such-id")
    no_errors(at)
    assert any("no longer exists" in w.value for w in at.warning)
    assert metrics(at, "Break-even (requests/month)")[0] == own_break_even(1.5)
    store = Store()
    sid = store.save_scenario("Broken", json.dumps({**base_template().to_dict(), "monthly_churn": 3.0}))
    at = make_app(PAGE, scenario=sid)  # said above the page; the base template is active instead
    no_errors(at)
    assert any("not valid any more" in w.value and "monthly\\_churn" in w.value for w in at.warning)
    assert metrics(at, "Break-even (requests/month)")[0] == own_break_even(1.5)
    assert store.get_scenario(sid) is not None


def test_the_bundled_price_list_can_be_downloaded_to_edit(app_env: Path) -> None:
    at = make_app(PAGE)
    no_errors(at)
    assert at.get("download_button"), "a download of the bundled price list"
    from bizmodel.buildbuy import load_api_prices, read_api_prices

    text = load_api_prices().to_csv(index=False).encode("utf-8")
    assert len(read_api_prices(text)) == len(load_api_prices())  # what is downloaded uploads again


def test_the_llm_tab_serves_a_mixture_of_experts_and_says_why_the_batch(app_env: Path) -> None:
    at = make_app(PAGE)
    at.selectbox(key="bb_llm_model").set_value("deepseek-v3").run()
    no_errors(at)
    assert at.number_input(key="bb_llm_params_b").value == pytest.approx(671.0)
    assert at.number_input(key="bb_llm_active_b").value == pytest.approx(37.0)
    at.selectbox(key="bb_llm_bytes").set_value(1).run()
    no_errors(at)
    options = at.dataframe[1].value
    fitting = options[options["Fits"]]
    # 671 GB of 8-bit weights need 8 × 141 GB (H200) or 8 × 192 GB (MI300X); not 8 × 80 GB.
    assert not fitting.empty and not fitting["Accelerators"].str.contains("H100-SXM").any()
    detail = next(m.help for m in at.metric if m.label.startswith("Self-hosted (")).replace("\\", "")
    assert "DeepSeek-V3: 61 layers" in detail and "batch " in detail and "ms per output token" in detail
    at.number_input(key="bb_llm_active_b").set_value(900.0).run()
    assert any("cannot exceed the total" in e.value for e in [*at.error, *at.warning])


def test_a_tight_latency_target_shrinks_the_batch(app_env: Path) -> None:
    at = make_app(PAGE)
    loose = at.dataframe[1].value
    at.number_input(key="bb_llm_tpot").set_value(5.0).run()
    no_errors(at)
    tight = at.dataframe[1].value
    assert tight["Batch · set by"].str.contains("latency target|target out of reach").any()
    merged = loose.merge(tight, on="Instance", suffixes=("_loose", "_tight"))
    assert (
        merged["Output tokens/s_tight"].fillna(0) <= merged["Output tokens/s_loose"].fillna(0) + 1e-6
    ).all()
