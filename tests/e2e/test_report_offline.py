"""The HTML report in a real browser with the network cut: opened from a file, it asks for nothing
but itself, every chart draws (an SVG per chart), no script fails, and the SVG button downloads
an SVG. Needs only the browser, not the app server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bizmodel.catalog import load_bundled
from bizmodel.scenario import base_template
from present.format import NumberStyle
from present.report import chart_names, render_html
from present.report_data import ReportOptions, build_report
from tests.support.browser import Browser
from tests.support.economics import NOW, full_run

pytestmark = [pytest.mark.browser]


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """A full report (a run with every measurement) in Chinese and yuan, and its chart names."""
    report = build_report(
        base_template(),
        name="Offline <check>",
        run=full_run(),
        catalog=load_bundled(),
        options=ReportOptions(paths=300),
        now=NOW,
    )
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(render_html(report, NumberStyle(language="zh", currency="CNY", usd_to_cny=7.1)), "utf-8")
    return path, chart_names(report)


@pytest.fixture
def offline(browser: Browser, page: Any, report_file: tuple[Path, list[str]]) -> Iterator[list[str]]:
    """Every request other than the report file is aborted and recorded (returned list)."""
    url = report_file[0].as_uri()
    attempted: list[str] = []

    def handle(route: Any) -> None:
        if route.request.url == url:
            route.continue_()
        else:
            attempted.append(route.request.url)
            route.abort()

    def seen(request: Any) -> None:  # also what routing does not see (file:, data:, blob:)
        if request.url != url and not request.url.startswith(("data:", "blob:")):
            attempted.append(request.url)

    browser.context.route("**/*", handle)
    page.on("request", seen)
    try:
        yield attempted
    finally:
        browser.context.unroute("**/*", handle)


def test_the_report_opens_offline_with_every_chart_drawn(
    page: Any, offline: list[str], report_file: tuple[Path, list[str]]
) -> None:
    path, names = report_file
    page.goto(path.as_uri())
    page.wait_for_function(
        """(ids) => ids.every((id) => {
            const gd = document.getElementById(id);
            return gd && gd.querySelector(".main-svg");
        })""",
        arg=[f"plot-{n}" for n in names],
        timeout=30_000,
    )
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.locator("h1").inner_text() == "Offline <check>"
    drawn = page.evaluate(
        """() => Array.from(document.querySelectorAll(".plotly-graph-div"))
            .filter((gd) => gd.querySelector(".main-svg") && gd._fullLayout).map((gd) => gd.id)"""
    )
    assert drawn == [f"plot-{n}" for n in names]
    with page.expect_download() as download:
        page.locator("button[data-plot='plot-projection'][data-format='svg']").click()
    assert download.value.suggested_filename == "moatlab-projection.svg"
    assert offline == []
    assert page.moatlab_errors == []
