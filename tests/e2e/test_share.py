"""Sharing in a real browser: copy the share link of an edited scenario, open it in a fresh
browser (another profile, so another session with nothing in common), see the same KPIs, and
download the HTML report and the workbook."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    AppServer,
    Browser,
    assert_clean,
    metric_value,
    open_app,
    wait_idle,
)

pytestmark = [pytest.mark.browser]


def _kpis(page: Any) -> dict[str, str]:
    return {label: metric_value(page, label) for label in ("NPV", "Break-even", "IRR (annual)")}


def test_share_link_opens_the_same_view_in_a_fresh_browser(
    app_server: AppServer, page: Any, browser: Browser, tmp_path: Path
) -> None:
    open_app(page, app_server, "/scenarios?scenario=bull")
    page.get_by_role("heading", name="Revenue scenarios").first.wait_for()
    page.locator("[data-testid='stMetricLabel']", has_text="NPV").first.wait_for()
    wait_idle(page)
    shown = _kpis(page)

    page.get_by_role("button", name="Copy share link").click()
    code = page.locator("[data-testid='stCode'] code", has_text="share=").first
    code.wait_for()
    link = code.inner_text().strip()
    assert link.startswith(app_server.url) and "/scenarios?share=v1." in link

    fresh = browser.pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    try:
        other = fresh.new_context(accept_downloads=True).new_page()
        other.set_default_timeout(30_000)
        errors: list[str] = []
        other.on("pageerror", lambda exc: errors.append(str(exc)))
        other.goto(link)
        other.get_by_role("heading", name="Revenue scenarios").first.wait_for()
        other.locator("[data-testid='stMetricLabel']", has_text="NPV").first.wait_for()
        wait_idle(other)
        assert _kpis(other) == shown
        assert_clean(other)
        assert not errors, errors

        other.get_by_text("Download the report").click()
        with other.expect_download(timeout=120_000) as report:
            other.get_by_role("button", name="HTML report").click()
        html_path = tmp_path / "report.html"
        report.value.save_as(html_path)
        html = html_path.read_text(encoding="utf-8")
        assert html.startswith("<!DOCTYPE html>") and "Plotly" in html
        assert shown["NPV"] in html

        with other.expect_download(timeout=120_000) as workbook:
            other.get_by_role("button", name="Excel workbook").click()
        xlsx_path = tmp_path / "case.xlsx"
        workbook.value.save_as(xlsx_path)
        assert zipfile.is_zipfile(xlsx_path)
    finally:
        fresh.close()
