"""The Train page as the journey promises it, in a real browser: while the run trains, samples/s,
FLOP utilisation and what the epoch would cost on a rented machine tick beside the curves; when it
ends, its cost on that machine and the links to the next steps (Evaluate, Compute cost) with the run.

Real headless Chromium against ``streamlit run app.py`` with a real training worker on the bundled
8×8 digits, through the journey test's helpers.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.support.browser import AppServer, assert_clean, metric_value, open_app, start_training, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MFU = "FLOP utilisation (MFU)"
EPOCH_COST = "This epoch on a rented machine"
#: An amount of money as present.format writes it: plain decimals with an optional SI suffix ("$0.42",
#: "$0.0012", "$12.3k") or a sub-cent floor ("< $0.01"); never scientific notation.
_MONEY_PLAIN = r"\$\d[\d,]*(?:\.\d+)?[kMB]?"
_MONEY_BELOW = r"<\s?\$0\.0*1"
MONEY = re.compile(rf"^(?:{_MONEY_PLAIN}|{_MONEY_BELOW})$")
PERCENT = re.compile(r"^\d+(?:\.\d+)? %$")


def live_figures(page: Any) -> dict[str, str]:
    """The labels and values of the metrics shown now (empty while the fragment redraws)."""
    try:
        return page.evaluate(
            """() => Object.fromEntries(Array.from(document.querySelectorAll("[data-testid='stMetric']"))
                .map(m => [m.querySelector("[data-testid='stMetricLabel']")?.innerText.trim(),
                           m.querySelector("[data-testid='stMetricValue']")?.innerText.trim()]))"""
        )
    except Exception:  # the fragment replaced the element while it was read
        return {}


def test_live_mfu_and_epoch_cost_then_the_next_steps(app_server: AppServer, page: Any) -> None:
    open_app(page, app_server, "/train")
    page.get_by_role("heading", name="Train").first.wait_for()
    job_id = start_training(page, epochs=30)

    seen: list[dict[str, str]] = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        shown = live_figures(page)
        if "Test accuracy" in shown:
            break
        if shown and (not seen or seen[-1] != shown):
            seen.append(shown)
        time.sleep(0.1)
    else:
        pytest.fail(f"no summary within 180 s; seen: {seen[-3:]}\n{app_server.log()}")
    ticking = [s for s in seen if PERCENT.match(s.get(MFU, "")) and MONEY.match(s.get(EPOCH_COST, ""))]
    assert ticking, f"live MFU and epoch cost never showed together: {seen[-5:]}"
    assert all("Samples/s" in s for s in ticking)
    assert len({(s[MFU], s[EPOCH_COST]) for s in ticking}) >= 2, f"the figures never ticked: {ticking}"

    page.get_by_text("article-mlp on digits completed.").wait_for()
    wait_idle(page)
    assert MONEY.match(metric_value(page, "This run on a rented machine"))
    assert MONEY.match(metric_value(page, "Last epoch on a rented machine"))
    assert PERCENT.match(metric_value(page, MFU))
    assert_clean(page)

    price = page.locator("[data-testid='stPageLink'] a", has_text="Price it at scale on Compute cost")
    evaluate = page.locator("[data-testid='stPageLink'] a", has_text="Next: evaluate this model")
    links = page.locator("[data-testid='stPageLink'] a").all_inner_texts()
    assert price.count() == 1 and evaluate.count() == 1, f"no next-step links at the end: {links}"
    carried = re.search(r"(?:^|/)compute\?(?:.*&)?run=([0-9A-Za-z-]+)", price.get_attribute("href") or "")
    assert carried, price.get_attribute("href")
    run_id = carried.group(1)
    assert f"run={run_id}" in (evaluate.get_attribute("href") or "")
    assert f"job={job_id}" in page.url
    evaluate.click()
    page.wait_for_url(re.compile(rf"/evaluate\?(.*&)?run={run_id}"))
    page.get_by_role("heading", name="Evaluate").first.wait_for()
    wait_idle(page)
    assert_clean(page)
