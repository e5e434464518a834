"""Debian's headless Chromium for the browser benches, warmed up before anything is timed."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from tests.support.browser import Browser


@contextlib.contextmanager
def warmed_browser() -> Iterator[Browser]:
    """A headless Chromium already started once on a blank page (Chromium's own first start is
    not the app's), closed when the block ends."""
    browser = Browser()
    try:
        warm = browser.new_page()
        warm.goto("about:blank")
        warm.close()
        yield browser
    finally:
        browser.close()
