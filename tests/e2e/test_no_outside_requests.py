"""Issue 20: the app makes no outside request — the favicon is bundled.

The page icon was a Material symbol (``:material/insights:``), which Streamlit's front end turns
into a favicon fetched from an outside font host, although the app claims to work offline. A real
Chromium opens pages of the app and records every request (``page.on("request")``): each one goes
to the app's own server, the favicon included.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.browser import AppServer

pytestmark = [pytest.mark.slow, pytest.mark.browser]
LOCAL = ("data:", "blob:")


@pytest.mark.parametrize("path", ["", "scenarios", "compute", "train"])
def test_every_request_stays_on_the_apps_own_server(app_server: AppServer, page: Any, path: str) -> None:
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    page.goto(f"{app_server.url}/{path}")
    page.locator("[data-testid='stSidebarNav']").wait_for()
    page.locator("[data-testid='stMainBlockContainer'] h1").first.wait_for()
    page.wait_for_function(  # the page's own icon is set (Streamlit's default is /favicon.png)
        "() => Array.from(document.querySelectorAll('link[rel*=icon]'))"
        ".some(l => !l.href.endsWith('/favicon.png'))"
    )
    page.wait_for_load_state("networkidle")
    outside = [url for url in seen if not url.startswith((app_server.url, *LOCAL))]
    assert outside == [], outside
    icons = page.evaluate("Array.from(document.querySelectorAll('link[rel*=icon]')).map(l => l.href)")
    assert icons and all(href.startswith(app_server.url) for href in icons), icons
