"""Revenue scenarios in a real browser: edit an assumption and see the KPIs move, save the
scenario, reopen it by its link in a fresh tab, and compare it with a template; save a second
scenario, make it active in the sidebar, see the Overview and Build vs buy follow, reload and keep it."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.browser import AppServer, Browser, assert_clean, metric_value, open_app, wait_idle

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


def npv_changes(page: Any, before: str) -> None:
    """Wait until the NPV metric shows something other than ``before``."""
    page.wait_for_function(
        """(before) => {
            const box = Array.from(document.querySelectorAll("[data-testid='stMetric']"))
                .find(m => m.querySelector("[data-testid='stMetricLabel']")?.innerText.trim() === "NPV");
            return box && box.querySelector("[data-testid='stMetricValue']").innerText.trim() !== before;
        }""",
        arg=before,
        timeout=30_000,
    )


def test_the_active_scenario_is_chosen_in_the_sidebar_and_kept_on_reload(
    app_server: AppServer, page: Any
) -> None:
    open_app(page, app_server, "/scenarios?scenario=base")
    page.locator("[data-testid='stMetricLabel']", has_text="NPV").first.wait_for()
    wait_idle(page)
    base_npv = metric_value(page, "NPV")
    page.get_by_text("Edit assumptions").click()
    page.get_by_role("tab", name="Churn & acquisition").click()
    churn = keyed(page, "_monthly_churn").locator("input")
    churn.fill("6")
    churn.press("Tab")
    keyed(page, "_apply").locator("button").click()
    npv_changes(page, base_npv)
    wait_idle(page)
    second_npv = metric_value(page, "NPV")
    name = keyed(page, "name_").locator("input")
    name.fill("Second plan")
    name.press("Tab")
    page.locator(".st-key-scn_save_new button").click()
    page.get_by_text("Saved a copy, “Second plan”").wait_for()
    wait_idle(page)
    assert "scenario=base" in page.url  # saving a copy never switches the active scenario
    assert metric_value(page, "NPV") == base_npv  # the active one is back to the template

    nav = page.locator("[data-testid='stSidebarNav']")
    nav.get_by_role("link", name="Overview").click()
    page.get_by_text("Scenario Base case").first.wait_for()
    page.locator("[data-testid='stMetricLabel']", has_text="NPV").first.wait_for()
    wait_idle(page)
    assert metric_value(page, "NPV") == base_npv

    picker = page.locator(".st-key-active_scenario").get_by_role("combobox")
    assert picker.input_value() == "Template: Base case"
    picker.click()
    page.get_by_role("option", name="Second plan").click()
    page.wait_for_url(re.compile(r"[?&]scenario=[0-9a-f]{32}"), timeout=30_000)
    page.get_by_text("Scenario Second plan").first.wait_for()
    npv_changes(page, base_npv)
    wait_idle(page)
    assert metric_value(page, "NPV") == second_npv
    assert_clean(page)

    nav.get_by_role("link", name="Build vs buy").click()
    page.get_by_text("Scenario: Second plan, the active one").wait_for()
    wait_idle(page)
    assert_clean(page)
    page.reload(wait_until="domcontentloaded")
    page.get_by_text("Scenario: Second plan, the active one").wait_for()
    wait_idle(page)
    assert page.locator(".st-key-active_scenario").get_by_role("combobox").input_value() == "Second plan"
    nav.get_by_role("link", name="Overview").click()
    page.get_by_text("Scenario Second plan").first.wait_for()
    page.locator("[data-testid='stMetricLabel']", has_text="NPV").first.wait_for()
    wait_idle(page)
    assert metric_value(page, "NPV") == second_npv
    assert_clean(page)
