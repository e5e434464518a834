"""The large-model estimates in a real browser: Mixture-of-Experts inputs, the interconnect rule,
the LLM serving model's chosen batch and the validation table, in English and Chinese."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.browser import AppServer, assert_clean, body_text, grid_cells, open_app, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        (
            "en",
            (
                "Active parameters per token (billions)",
                "Model shape (layers and attention)",
                "have a cluster interconnect",
                "Node cap",
                "How close are these estimates?",
            ),
        ),
        (
            "zh",
            (
                "每个 token 的激活参数（十亿）",
                "模型结构（层数与注意力）",
                "配有集群互联",
                "节点上限",
                "这些估算有多准？",
            ),
        ),
    ],
)
def test_compute_cost_shows_moe_inputs_the_interconnect_rule_and_the_validation(
    app_server: AppServer, page: Any, lang: str, texts: tuple[str, ...]
) -> None:
    open_app(page, app_server, f"/compute?lang={lang}")
    page.locator(".st-key-compute_params").wait_for()
    wait_idle(page)
    assert_clean(page)
    text = body_text(page)
    for expected in texts:
        assert expected in text, expected
    page.get_by_text(texts[-1]).click()  # open the validation expander
    cells = grid_cells(page, "compute_validation_box")
    for cell in ("GPT-3 175B", "Llama 2 70B", "3.14e23", "1.72M" if lang == "en" else "172万"):
        assert cell in cells, (cell, cells[:60])


@pytest.mark.parametrize(
    ("lang", "column", "reason"),
    [("en", "Batch · set by", "compute saturated"), ("zh", "批次 · 由何决定", "算力已饱和")],
)
def test_build_vs_buy_shows_the_batch_the_serving_model_chose(
    app_server: AppServer, page: Any, lang: str, column: str, reason: str
) -> None:
    open_app(page, app_server, f"/build-vs-buy?lang={lang}")
    page.get_by_role("tab", name="Open LLM vs API" if lang == "en" else "开源 LLM vs API").click()
    page.locator(".st-key-bb_llm_model").wait_for()
    wait_idle(page, timeout=60_000)
    assert_clean(page)
    cells = grid_cells(page, "bb_options_box")
    assert any(reason in c for c in cells), cells[:40]
    headers = page.locator(".st-key-bb_options_box [role='columnheader']").all_text_contents()
    assert any(column in h for h in headers), headers
