"""Revenue scenarios in a real browser: edit an assumption and see the KPIs move, save the
scenario, reopen it by its link in a fresh tab, and compare it with a template."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.harness import AppServer, Browser
from tests.e2e.test_journey import assert_clean, metric_value, open_app, wait_idle

pytestmark = [pytest.mark.browser]


def keyed(page: Any, suffix: str) -> Any:
    """The element whose Streamlit key starts with ``scn_`` and ends with ``suffix`` (the editor's
    keys carry a generation number)."""
    return page.locator(f"[class*='st-key-scn_'][class*='{suffix}']").first


def test_edit_save_reopen_and_compare(app_server: AppServer, page: Any, browser: Browser) -> None:
    open_app(page, app_server, "/scenarios?scenario=base")
    page.get_by_role("heading", name="Revenue scenarios").first.wait_for()
    page.locator("[data-testid='stMetricLabel']", has_text="NPV").first.wait_for()
    wait_idle(page)
    assert_clean(page)
    before = metric_value(page, "NPV")
    break_even_before = metric_value(page, "Break-even")

    page.get_by_text("Edit assumptions").click()
    page.get_by_role("tab", name="Churn & acquisition").click()
    churn = keyed(page, "_monthly_churn").locator("input")
    churn.fill("4.5")
    churn.press("Tab")
    keyed(page, "_apply").locator("button").click()
    page.wait_for_function(
        """(before) => {
            const box = Array.from(document.querySelectorAll("[data-testid='stMetric']"))
                .find(m => m.querySelector("[data-testid='stMetricLabel']")?.innerText.trim() === "NPV");
            return box && box.querySelector("[data-testid='stMetricValue']").innerText.trim() !== before;
        }""",
        arg=before,
        timeout=30_000,
    )
    wait_idle(page)
    after = metric_value(page, "NPV")
    assert after != before
    assert metric_value(page, "Break-even") != break_even_before  # more churn: later break-even
    assert_clean(page)

    # Leaving by the sidebar (which drops the link's parameters) and coming back keeps the edit.
    nav = page.locator("[data-testid='stSidebarNav']")
    nav.get_by_role("link", name="Compare").click()
    page.get_by_role("heading", name="Compare scenarios").first.wait_for()
    nav.get_by_role("link", name="Scenarios").click()
    page.get_by_role("heading", name="Revenue scenarios").first.wait_for()
    page.locator("[data-testid='stMetricLabel']", has_text="NPV").first.wait_for()
    wait_idle(page)
    assert metric_value(page, "NPV") == after
    assert "scenario=base" in page.url

    name = keyed(page, "name_").locator("input")
    name.fill("Browser plan")
    name.press("Tab")
    page.locator(".st-key-scn_save button").click()
    page.wait_for_url(re.compile(r"[?&]scenario=[0-9a-f]{32}"), timeout=30_000)
    page.get_by_text("Saved “Browser plan”").wait_for()
    link = page.url

    fresh = browser.new_page()
    try:
        fresh.goto(link, wait_until="domcontentloaded")
        fresh.locator("[data-testid='stMetricLabel']", has_text="NPV").first.wait_for()
        wait_idle(fresh)
        assert metric_value(fresh, "NPV") == after
        assert_clean(fresh)
        sid = re.search(r"scenario=([0-9a-f]{32})", link).group(1)  # type: ignore[union-attr]
        fresh.goto(f"{app_server.url}/compare?compare=base,{sid}", wait_until="domcontentloaded")
        fresh.get_by_role("heading", name="Compare scenarios").first.wait_for()
        fresh.get_by_role("heading", name="Assumptions that differ").wait_for()
        wait_idle(fresh)
        assert fresh.locator(".js-plotly-plot").count() == 2
        assert_clean(fresh)
    finally:
        fresh.close()
