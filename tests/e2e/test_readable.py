"""Every page reads clean in a real browser, in English with dollars and in Chinese with yuan, at
1280 and 1920 px wide (issue 15, items 5 and 7).

The server's home holds the recorded training of the article MLP on the 8×8 digits (a real run,
with an inference profile and a learning curve) and a saved scenario bound to it, so every page
shows measured figures. Each page is opened in each style and width; then, on what Chromium drew:

* no money or time in scientific notation (``$1.5e-05``, ``2e-6 s``), no ``$0.000000``, no ``µ`` or
  ``m`` money or count tick (``$10m`` for a cent), no ``(s)`` plural, no ``ETA 0 µs``, no
  percentage of four digits without a separator;
* no metric value or label, badge, page link or widget label cut with an ellipsis (its
  ``scrollWidth`` beyond its ``clientWidth``), and no word broken across two lines;
* no Markdown escape in the text (a backslash before punctuation, as in ``run\\-0``);
* in Chinese: no run of English words and no English word in a heading, label, metric, column or
  chart text (the rules of :mod:`tests.app.test_i18n_walk`), and no dollar sign: every amount is
  in yuan.

Hidden tabs are read too (their text is in the page); their charts are drawn by opening the tab.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bizmodel.scenario import base_template
from present import page_registry
from store import Store
from tests.support import english
from tests.support.app import seed_runs
from tests.support.browser import AppServer, Browser, assert_clean, start_server, wait_idle
from tests.support.economics import CURVE_SIZES, PROFILE, learning_curve
from tests.support.readable import BROKEN, CUT, TEXTS, chinese_problems, findings, page_script

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTHS = (1280, 1920)
STYLES = (("en", "USD"), ("zh", "CNY"))
PAGES = tuple(page.key for page in page_registry.PAGES)  # every page's link path
#: Pages whose tabs hold charts: each tab is opened once (at the first width) so its charts draw.
TABBED = ("scenarios", "build-vs-buy")
SCENARIO_NAME = "种子计划"  # user data: a Chinese name, so the English UI shows CJK only there

# ------------------------------------------------------------------------------------ the rules


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Training cost now $8.5e-09", ["money in scientific notation"]),
        ("¥5.7e-08 and $2.0e-06", ["money in scientific notation"] * 2),
        ("took 7.75e-8 s", ["a time in scientific notation"]),
        ("cost $0.000000", ["zero-padded money"]),
        ("axis $10m $100µ $1.2G", ["money with a milli/micro/giga prefix"] * 3),
        ("over 1 year(s)", ["a (s) plural"]),
        ("ETA 0 µs", ["a zero time left"]),
        ("return 1047 %", ["a percentage without a thousands separator"]),
        ("driven by run 20261207\\-155", ["a Markdown escape"]),
        ("$0.0127 · < $0.01 · $1.5M · ¥2,001万 · 1,047 % · 3.14e23 FLOPs · 1 year · $0.00015", []),
    ],
)
def test_the_rules_find_what_they_should(text: str, found: list[str]) -> None:
    assert [f.split(":")[0] for f in findings(text)] == found


# ------------------------------------------------------------------------------- in the browser


@dataclass(frozen=True)
class Seeded:
    """The served app and what its home holds."""

    server: AppServer
    scenario_id: str
    user_data: list[str]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    """The app served from a home with the recorded run (inference profile, learning curve) and a
    saved scenario bound to it."""
    home = tmp_path_factory.mktemp("readable") / "moatlab-home"
    home.mkdir(parents=True)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MOATLAB_HOME", str(home))
        env.delenv("DATABASE_URL", raising=False)
        store = Store()
        (run,) = seed_runs(store, 1)
        store.patch_run_record(run.id, inference=PROFILE, learning_curve=learning_curve(CURVE_SIZES))
        scenario_id = store.save_scenario(SCENARIO_NAME, json.dumps(base_template().to_dict()), run_id=run.id)
        user_data = english.seeded_user_data(store)
        store.dispose()
    server = start_server(home)
    try:
        yield Seeded(server, scenario_id, [*user_data, SCENARIO_NAME])
    finally:
        server.stop()


def _url(seeded: Seeded, page: str, lang: str, currency: str) -> str:
    compare = f"&compare=base,{seeded.scenario_id}" if page == "compare" else ""
    return f"{seeded.server.url}/{page}?lang={lang}&cur={currency}&scenario={seeded.scenario_id}{compare}"


def _settle(page: Any) -> None:
    wait_idle(page, timeout=60_000)
    page.wait_for_timeout(600)  # plotly draws after the script run
    wait_idle(page, timeout=60_000)


def test_every_page_reads_clean(seeded: Seeded, browser: Browser, tmp_path: Path) -> None:
    # The session's browser (a second Playwright in one process would refuse to start), one tab per
    # width.
    problems: list[str] = []
    for width in WIDTHS:
        tab = browser.new_page()
        try:
            tab.set_viewport_size({"width": width, "height": 1000})
            tab.set_default_timeout(60_000)
            errors: list[str] = []
            tab.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
            for lang, currency in STYLES:
                for name in PAGES:
                    where = f"{name} · {lang}/{currency} · {width} px"
                    tab.goto(_url(seeded, name, lang, currency), wait_until="domcontentloaded")
                    tab.locator("[data-testid='stSidebarNav']").wait_for()
                    _settle(tab)
                    assert_clean(tab)
                    if width == WIDTHS[0] and name in TABBED:
                        tabs = tab.locator("[data-testid='stMain'] [role=tab]:visible")
                        for i in range(1, tabs.count()):  # the first is open
                            tabs.nth(i).click()
                            _settle(tab)
                    texts = tab.evaluate(page_script(TEXTS))
                    problems += [f"{where}: {p}" for p in findings(texts["body"])]
                    problems += [f"{where}: cut: {c!r}" for c in tab.evaluate(CUT)]
                    problems += [
                        f"{where}: broken mid-word: {w!r}" for w in tab.evaluate(page_script(BROKEN))
                    ]
                    if lang == "zh":
                        problems += [f"{where}: {p}" for p in chinese_problems(texts, seeded.user_data)]
            assert not errors, errors
        finally:
            tab.close()
    unique = sorted(set(problems))
    assert not unique, f"{len(unique)} problems:\n  " + "\n  ".join(unique)
