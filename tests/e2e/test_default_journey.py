"""The journey after training the default run, in a real browser (issue 15's "done when").

A fresh server home; on the Train page the default choices (the dataset and model preset the page
opens with; fewer epochs, to keep the test short) are trained by pressing Start, as a new user
would. The Overview then asks for a run to drive the case: its link leads to Scenarios, where the
run is bound and the scenario saved. Then every page of the journey, each of its tabs opened
(Scenarios' Monte Carlo and Sensitivity among them), and the HTML report downloaded from the
Overview and opened, in English with dollars and in Chinese with yuan, at 1280 and 1920 px, are
read by the rules of :mod:`tests.e2e.test_readable`: no money in scientific notation, no truncated
metric, no escape characters, no English in the Chinese UI.

The Overview's three production figures (this run's cost, one production retraining, per 1,000
predictions in production) must be there as readable money, and its gross margin believable
(below 90 %: a tiny measured run once made it 99.6 %).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from store import Store
from tests.support import english
from tests.support.browser import (
    AppServer,
    Browser,
    assert_clean,
    metric_value,
    open_app,
    start_server,
    wait_idle,
)
from tests.support.readable import BROKEN, CUT, TEXTS, chinese_problems, findings, page_script

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LOCALES = Path(__file__).resolve().parents[2] / "present" / "locales"
EN = json.loads((LOCALES / "en.json").read_text(encoding="utf-8"))
ZH = json.loads((LOCALES / "zh.json").read_text(encoding="utf-8"))
#: Fewer epochs than the preset's default; the dataset and the model stay the page's defaults.
EPOCHS = 3
WIDTHS = (1280, 1920)
STYLES = (("en", "USD", EN), ("zh", "CNY", ZH))
JOURNEY = ("overview", "evaluate", "compute", "data-value", "scenarios", "compare", "build-vs-buy")
PRODUCTION = (
    "production.run_cost_usd",
    "production.retrain_cost_usd",
    "production.serving_usd_per_1000_predictions",
)
#: A readable amount as the money rule writes it: ``$0.0127``, ``< $0.01``, ``$1.5M``, ``¥2,001万``,
#: or a rate quoted per a larger count (``$0.015 / 1M``).
SCALE = r"(?:[kMBT]|万亿|亿|万)"
MONEY = re.compile(rf"(?:< )?-?[$¥]\d{{1,3}}(?:,\d{{3}})*(?:\.\d+)?{SCALE}?(?: / [\d.,]+{SCALE}?)?")
#: Every chart of the report drawn.
DRAWN = """() => Array.from(document.querySelectorAll('.plotly-graph-div'))
    .every(g => g.querySelector('.main-svg'))"""
PERCENT = re.compile(r"(-?\d[\d,]*(?:\.\d+)?) ?%")


@dataclass(frozen=True)
class Trained:
    """The served app after the default run was trained and bound to a saved scenario."""

    server: AppServer
    run_id: str
    scenario_id: str
    user_data: list[str]
    train_seconds: float


def _settle(page: Any) -> None:
    wait_idle(page, timeout=90_000)
    page.wait_for_timeout(600)  # plotly draws after the script run
    wait_idle(page, timeout=90_000)


def _train_default(page: Any, server: AppServer) -> str:
    """Train the Train page's default dataset and model; returns the run's id."""
    open_app(page, server, "/train")
    page.get_by_role("heading", name=EN["train.title"]).first.wait_for()
    combo = page.locator(".st-key-dataset").get_by_role("combobox")
    combo.wait_for()
    assert combo.input_value() == EN["dataset.mnist-5k"], "the Train page no longer opens on MNIST 5k"
    preset = page.locator(".st-key-preset label:has(input:checked)").inner_text().strip()
    assert preset == EN["preset.article-mlp"], (
        f"the Train page no longer opens on the article's MLP: {preset}"
    )
    epochs = page.locator(".st-key-epochs_article-mlp input")
    epochs.fill(str(EPOCHS))
    epochs.press("Tab")  # commit without Enter (Enter submits the form)
    assert epochs.input_value() == str(EPOCHS)
    page.locator(".st-key-start button").click()
    page.wait_for_url(re.compile(r"[?&]job=[0-9a-zA-Z]+"), timeout=60_000)
    page.locator("[class*='st-key-download_']").first.wait_for(timeout=300_000)
    wait_idle(page, timeout=60_000)
    assert_clean(page)
    found = re.search(
        r"st-key-download_(\S+)",
        page.locator("[class*='st-key-download_']").first.get_attribute("class") or "",
    )
    assert found, "no run id on the summary"
    return found.group(1)


def _bind_and_save(page: Any, server: AppServer, run_id: str) -> str:
    """From the Overview, follow its link to Scenarios, bind the run, save; returns the scenario id."""
    open_app(page, server, "/")
    page.get_by_role("link", name=EN["overview.bind_run"]).click()
    page.wait_for_url(re.compile(r"/scenarios(\?|$)"))
    page.get_by_role("heading", name=EN["scenario.title"]).first.wait_for()
    _settle(page)
    page.locator("[class*='st-key-scn_run_'] [role='combobox']").click()
    page.get_by_role("option").filter(has_text=run_id.rsplit("-", 1)[-1]).click()
    _settle(page)
    page.locator(".st-key-scn_save button").click()
    page.wait_for_url(re.compile(r"[?&]scenario=(?!base\b)[^&]+"), timeout=60_000)
    _settle(page)
    assert_clean(page)
    found = re.search(r"[?&]scenario=([^&]+)", page.url)
    assert found
    # The saved scenario's id, not its name: the sidebar's picker must not take a label that
    # changed with the save ("• unsaved edits" gone) for a choice.
    assert re.fullmatch(r"[0-9a-f]{32}", found.group(1)), page.url
    return found.group(1)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory, browser: Browser) -> Iterator[Trained]:
    # The session's browser: a second Playwright in one process refuses to start.
    home = tmp_path_factory.mktemp("default-journey") / "moatlab-home"
    server = start_server(home)
    try:
        page = browser.new_page()
        try:
            page.set_viewport_size({"width": 1280, "height": 1000})
            page.set_default_timeout(60_000)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            t0 = time.monotonic()
            run_id = _train_default(page, server)
            seconds = time.monotonic() - t0
            scenario_id = _bind_and_save(page, server, run_id)
            assert not errors, errors
        finally:
            page.close()
        with pytest.MonkeyPatch.context() as env:
            env.setenv("MOATLAB_HOME", str(home))
            env.delenv("DATABASE_URL", raising=False)
            store = Store()
            user_data = english.seeded_user_data(store)
            user_data += [row["name"] for row in store.list_scenarios()]
            store.dispose()
        yield Trained(server, run_id, scenario_id, user_data, seconds)
    finally:
        server.stop()


def _url(trained: Trained, page: str, lang: str, currency: str) -> str:
    style = "lang=zh&cur=CNY&fx=7.1" if lang == "zh" else f"lang={lang}&cur={currency}"
    extra = f"&compare=base,{trained.scenario_id}" if page == "compare" else ""
    path = "" if page == "overview" else page  # the Overview is the app's root
    return f"{trained.server.url}/{path}?{style}&scenario={trained.scenario_id}&run={trained.run_id}{extra}"


def _overview_problems(page: Any, catalog: dict[str, str]) -> list[str]:
    """The three production figures as readable money; the gross margin believable."""
    out = []
    for key in PRODUCTION:
        try:
            value = metric_value(page, catalog[key])
        except Exception as exc:  # no such metric
            out.append(f"no {catalog[key]!r} metric ({type(exc).__name__})")
            continue
        if not MONEY.fullmatch(value):
            out.append(f"{catalog[key]!r} is not readable money: {value!r}")
    prefix = catalog["narrative.margin"].partition("{margin}")[0]
    body = page.locator("[data-testid='stMain']").inner_text()
    start = body.find(prefix)
    margin = PERCENT.match(body[start + len(prefix) :]) if start >= 0 else None
    if margin is None:
        out.append(f"no gross margin sentence ({prefix!r}…)")
    elif float(margin.group(1).replace(",", "")) >= 90:
        out.append(f"an unbelievable gross margin: {margin.group(0)!r}")
    return out


def _read(tab: Any, where: str, lang: str, trained: Trained) -> list[str]:
    """What breaks the rules on the page as drawn now."""
    texts = tab.evaluate(page_script(TEXTS))
    out = [f"{where}: {p}" for p in findings(texts["body"])]
    out += [f"{where}: cut: {c!r}" for c in tab.evaluate(CUT)]
    out += [f"{where}: broken mid-word: {w!r}" for w in tab.evaluate(page_script(BROKEN))]
    if lang == "zh":
        out += [f"{where}: {p}" for p in chinese_problems(texts, trained.user_data)]
    return out


def _report_problems(tab: Any, where: str, lang: str, tmp_path: Path) -> list[str]:
    """Download the Overview's HTML report, open it, read it by the money and escape rules."""
    with tab.expect_download(timeout=180_000) as download:
        tab.locator(".st-key-share_report button").click()
    path = tmp_path / f"{where.replace(' ', '').replace('·', '-').replace('/', '-')}.html"
    download.value.save_as(path)
    tab.goto(path.as_uri())
    tab.wait_for_function(DRAWN, timeout=60_000)
    text = tab.locator("body").inner_text()
    out = [f"{where}: report: {p}" for p in findings(text)]
    if lang == "zh":
        out += [f"{where}: report: a dollar amount {m.group(0)!r}" for m in re.finditer(r"\$\s?[\d<]", text)]
    return out


def test_the_journey_after_the_default_run_reads_clean(
    trained: Trained, browser: Browser, tmp_path: Path
) -> None:
    assert trained.train_seconds < 300
    problems: list[str] = []
    opened: set[tuple[str, str, str]] = set()  # (page, language, tab) read
    for width in WIDTHS:
        tab = browser.new_page()
        try:
            tab.set_viewport_size({"width": width, "height": 1000})
            tab.set_default_timeout(90_000)
            tab.context.set_default_timeout(90_000)
            errors: list[str] = []
            tab.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
            for lang, currency, catalog in STYLES:
                for name in JOURNEY:
                    where = f"{name} · {lang}/{currency} · {width} px"
                    tab.goto(_url(trained, name, lang, currency), wait_until="domcontentloaded")
                    tab.locator("[data-testid='stSidebarNav']").wait_for()
                    _settle(tab)
                    assert_clean(tab)
                    if name == "overview":
                        problems += [f"{where}: {p}" for p in _overview_problems(tab, catalog)]
                    problems += _read(tab, where, lang, trained)
                    tabs = tab.locator("[data-testid='stMain'] [role=tab]:visible")
                    for i in range(1, tabs.count()):  # the first is open
                        label = (tabs.nth(i).text_content() or "").strip()
                        tabs.nth(i).click()
                        _settle(tab)
                        assert_clean(tab)
                        problems += _read(tab, f"{where} · tab {label}", lang, trained)
                        opened.add((name, lang, label))
                    if name == "overview" and width == WIDTHS[0]:
                        problems += _report_problems(tab, where, lang, tmp_path)
            assert not errors, errors
        finally:
            tab.close()
    for _, _, catalog in STYLES:  # the Monte Carlo and the sensitivity were drawn and read
        for key in ("scenario.tab.monte_carlo", "scenario.tab.sensitivity"):
            assert any(p == "scenarios" and t == catalog[key] for p, _, t in opened), (key, sorted(opened))
    unique = sorted(set(problems))
    assert not unique, f"{len(unique)} problems:\n  " + "\n  ".join(unique)
