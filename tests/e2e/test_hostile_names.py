"""Hostile names from every entry point, on every page, in a real browser: nothing links out.

The server's home holds a run named with links, an image, bare addresses, HTML and directives
(with an inference profile), a run trained on a CSV whose headers and labels are hostile (and its
evaluation), a run whose name holds a right-to-left override, a saved scenario and a saved catalog
with hostile names (:func:`tests.hostile.inert.seed_hostile`); the browser opens a share link with a
hostile name, uploads a hostile Train CSV and a hostile API price list, visits every page, and
downloads the CSV files. Real headless Chromium renders what Streamlit and plotly make of it all:

* no ``<a>`` to an outside host and no ``<img>`` (or SVG image) from one, anywhere in the page;
* no request to a host other than the app's own (loopback);
* no bidirectional control in the text;
* every CSV download opens as data in a spreadsheet: no cell starts with ``= + - @``, a tab or a
  carriage return unless it is a number (findings D1–D6, D15, D16 of the outside attack pass).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from present import page_registry
from store import Store
from tests.support.browser import AppServer, assert_clean, start_server, wait_idle
from tests.support.inert import BIDI, HOSTILE, Hostile, seed_hostile

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")
#: The app's page icon, a Material symbol that Streamlit itself fetches from Google's font host
#: (not user text; bundling the icon is a change of its own). Nothing else may leave the machine.
PAGE_ICON = (
    "https://fonts.gstatic.com/s/i/short-term/release/materialsymbolsrounded/insights/default/24px.svg"
)
#: Every ``<a>`` and ``<img>`` (HTML or SVG, plotly's links included) and where it points.
LINKS = """() => Array.from(document.querySelectorAll('a, img, image, iframe')).map(e => [
    e.tagName.toLowerCase(),
    e.getAttribute('href') || e.getAttribute('xlink:href') || e.getAttribute('src') || ''])"""
PAGES = tuple(page.key for page in page_registry.PAGES)  # every page's link path


def _outside(address: str) -> bool:
    parts = urlsplit(address.strip())
    if parts.scheme in ("", "data", "blob", "about", "javascript") and not parts.netloc:
        return parts.scheme == "javascript"
    return (parts.hostname or "") not in LOOPBACK


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[AppServer, Hostile]]:
    """The app served from a home full of hostile names."""
    home = tmp_path_factory.mktemp("hostile") / "moatlab-home"
    home.mkdir(parents=True)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MOATLAB_HOME", str(home))
        env.delenv("DATABASE_URL", raising=False)
        hostile = seed_hostile(Store(), home)
    server = start_server(home)
    try:
        yield server, hostile
    finally:
        server.stop()


class Visit:
    """One tab through the pages, keeping every request it makes and what each page links to."""

    def __init__(self, page: Any, server: AppServer) -> None:
        self.page, self.server = page, server
        self.requests: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))

    def open(self, path: str) -> None:
        self.page.goto(self.server.url + path, wait_until="domcontentloaded")
        self.page.locator("[data-testid='stSidebarNav']").wait_for()
        self.settle()

    def settle(self) -> None:
        wait_idle(self.page, timeout=60_000)
        self.page.wait_for_timeout(800)  # plotly draws after the script run
        wait_idle(self.page, timeout=60_000)

    def check(self, where: str) -> None:
        assert_clean(self.page)
        live = [(tag, to) for tag, to in self.page.evaluate(LINKS) if _outside(to)]
        assert not live, f"{where}: {live}"
        text = self.page.locator("body").inner_text()
        assert not BIDI & set(text), f"{where}: a bidi control in the text"
        outside = [url for url in self.requests if _outside(url) and url != PAGE_ICON]
        assert not outside, f"{where}: requests to {outside}"
        assert not [url for url in self.requests if "evil.example" in url], where

    def download(self, key: str, folder: Path) -> list[list[str]]:
        with self.page.expect_download() as event:
            self.page.locator(f".st-key-{key} button").click()
        path = folder / f"{key}.csv"
        event.value.save_as(path)
        return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def _safe_cells(rows: list[list[str]], what: str) -> None:
    """No cell a spreadsheet would evaluate: formula characters only in front of plain numbers."""
    number = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
    bad = [c for row in rows for c in row if c and c[0] in "=+-@\t\r" and not number.fullmatch(c)]
    assert not bad, f"{what}: formula cells {bad[:3]}"


def test_hostile_names_from_every_entry_point_stay_text(
    hostile_server: tuple[AppServer, Hostile], page: Any, tmp_path: Path
) -> None:
    server, hostile = hostile_server
    visit = Visit(page, server)
    link = (
        f"catalog={hostile.catalog}&scenario={hostile.scenario_id}&value_from={hostile.scenario_id}"
        f"&compare={hostile.scenario_id},{hostile.other_scenario_id}"
    )

    visit.open(f"/?share={hostile.share}")  # a share link with a hostile name: opens the Overview
    page.get_by_text("Shared [x](https", exact=False).first.wait_for()
    visit.check("share link")

    for path in PAGES:
        visit.open(f"/{path}?run={hostile.run_id}&{link}")
        visit.check(path)
    for path in ("evaluate", "inference", "runs", "compare"):
        visit.open(f"/{path}?run={hostile.csv_run_id}&{link}")
        visit.check(f"{path} (CSV run)")
    visit.open(f"/overview?run={hostile.legacy_run_id}&{link}")
    assert "\\u202eFDP.exe" in page.locator("[data-testid='stSidebar']").inner_text()
    visit.check("overview (right-to-left override)")

    # uploads: a Train CSV with hostile headers and labels, an API price list with hostile names
    visit.open("/train")
    page.locator(".st-key-dataset").get_by_role("combobox").click()
    page.get_by_role("option", name="Your CSV file").click()
    visit.settle()
    page.locator(".st-key-csv_file input[type='file']").set_input_files(
        files=[{"name": "evil.csv", "mimeType": "text/csv", "buffer": hostile.train_csv}]
    )
    page.get_by_text("+1 [x](https", exact=False).first.wait_for()
    visit.settle()
    visit.check("train CSV upload")

    visit.open(f"/build-vs-buy?{link}")
    page.get_by_role("tab", name="Open LLM vs API").click()
    page.locator(".st-key-bb_prices_upload input[type='file']").set_input_files(
        files=[{"name": "prices.csv", "mimeType": "text/csv", "buffer": hostile.price_list}]
    )
    page.get_by_text("=[x](https", exact=False).first.wait_for()
    visit.settle()
    visit.check("price list upload")

    # downloads: the Runs table, the monthly P&L, the catalog (D6)
    visit.open("/runs")
    page.locator(".st-key-runs_table").hover()  # the table's toolbar: no raw CSV export of its own
    page.locator("[data-testid='stElementToolbarButton']").first.wait_for()
    assert page.get_by_role("button", name="Download as CSV").count() == 0
    rows = visit.download("download_runs_csv", tmp_path)
    assert any(HOSTILE in cell for row in rows for cell in row)
    _safe_cells(rows, "runs")
    visit.open(f"/scenarios?{link}")
    rows = visit.download("scn_projection_csv", tmp_path)
    assert len(rows) > 12 and all(re.fullmatch(r"-?[\d.e+-]+", c) for c in rows[1][1:] if c), rows[1]
    _safe_cells(rows, "monthly P&L")
    visit.open(f"/compute?{link}")
    page.get_by_text("Edit, upload or download the price catalog").click()
    for key in ("catalog_download_instances", "catalog_download_accelerators"):
        rows = visit.download(key, tmp_path)
        assert any(HOSTILE in cell for row in rows for cell in row)
        _safe_cells(rows, key)
    visit.check("downloads")
