"""Model demos in a real browser: draw a digit and watch the model answer, pick a test image,
see where the model errs. Real Chromium, the real app, a real worker (8×8 digits)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.support.browser import RUN_NAME, AppServer, assert_clean, open_app, start_training, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def run_id(app_server: AppServer, browser: Any) -> str:
    """One finished run of the article MLP on the 8×8 digits, trained through the UI."""
    page = browser.new_page()
    page.set_default_timeout(30_000)
    try:
        open_app(page, app_server, "/train")
        page.get_by_role("heading", name="Train").first.wait_for()
        start_training(page, epochs=15)
        page.get_by_text(f"{RUN_NAME} completed.").wait_for(timeout=120_000)
        return _newest_run(page, app_server)
    finally:
        page.close()


def _newest_run(page: Any, server: AppServer) -> str:
    """The run the Inference page picks by itself (the newest finished one), from its URL."""
    open_app(page, server, "/inference")
    page.locator(".st-key-run_picker").wait_for()
    wait_idle(page)
    match = re.search(r"[?&]run=([0-9a-f-]+)", page.url)
    assert match, page.url
    return match.group(1)


def draw_stroke(page: Any, points: list[tuple[float, float]]) -> None:
    """Drag the mouse through ``points`` (fractions of the canvas) with the button held."""
    canvas = page.locator(".st-key-digit_canvas canvas.upper-canvas")  # the layer that takes input
    canvas.wait_for(timeout=30_000)
    canvas.scroll_into_view_if_needed()  # mouse events only land inside the viewport
    box = canvas.bounding_box()
    assert box and box["width"] > 100, box
    xs = [(box["x"] + fx * box["width"], box["y"] + fy * box["height"]) for fx, fy in points]
    page.mouse.move(*xs[0])
    page.mouse.down()
    for x, y in xs[1:]:
        page.mouse.move(x, y, steps=8)
    page.mouse.up()


def test_draw_a_digit_and_see_the_answer(app_server: AppServer, page: Any, run_id: str) -> None:
    open_app(page, app_server, f"/inference?run={run_id}")
    page.get_by_role("heading", name="Try it").wait_for()
    page.get_by_text("Draw a digit on the canvas").wait_for()
    wait_idle(page)
    draw_stroke(page, [(0.5, 0.15), (0.5, 0.5), (0.5, 0.85)])  # a vertical bar: a "1"
    page.get_by_text("What the model sees: 8×8").wait_for(timeout=30_000)
    answer = page.get_by_text(re.compile(r"The model says \d"))
    answer.wait_for(timeout=60_000)
    assert re.search(r"The model says \d \(\d+\.\d %\)", answer.inner_text())
    assert page.locator("[data-testid='stImage'] img").count() >= 1, "the 8×8 input is shown"
    wait_idle(page)
    assert_clean(page)
    assert not page.moatlab_errors, page.moatlab_errors


def test_pick_a_test_image_then_the_evaluate_page(app_server: AppServer, page: Any, run_id: str) -> None:
    open_app(page, app_server, f"/inference?run={run_id}")
    page.get_by_role("heading", name="Try it").wait_for()
    page.get_by_text("Pick a test image", exact=True).click()
    page.get_by_text(re.compile(r"The model says \d")).wait_for(timeout=60_000)
    wait_idle(page)
    assert_clean(page)
    open_app(page, app_server, f"/evaluate?run={run_id}")
    page.get_by_role("heading", name="Evaluate").first.wait_for()
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    wait_idle(page)
    assert_clean(page)
    assert not page.moatlab_errors, page.moatlab_errors
