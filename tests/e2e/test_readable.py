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
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bizmodel.scenario import base_template
from present import page_registry
from store import Store
from tests.app import test_i18n_walk as walk
from tests.app.conftest import seed_runs
from tests.bizmodel.test_cli import CURVE_SIZES, PROFILE, _curve
from tests.e2e.conftest import start_server
from tests.e2e.harness import AppServer, Browser
from tests.e2e.test_journey import assert_clean, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTHS = (1280, 1920)
STYLES = (("en", "USD"), ("zh", "CNY"))
PAGES = tuple(page.key for page in page_registry.PAGES)  # every page's link path
#: Pages whose tabs hold charts: each tab is opened once (at the first width) so its charts draw.
TABBED = ("scenarios", "build-vs-buy")
SCENARIO_NAME = "种子计划"  # user data: a Chinese name, so the English UI shows CJK only there

# ------------------------------------------------------------------------------------ the rules

#: Money or a time in scientific notation.
MONEY_SCIENTIFIC = re.compile(r"[$¥]\s?[-−]?\d[\d,]*(?:\.\d+)?[eE][-+−]?\d+")
TIME_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?[eE][-+−]?\d+\s?(?:µs|ms|s|min|h|days|天|小时|秒)\b")
ZERO_PADDED = re.compile(r"[$¥]0\.0{4,}(?!\d*[1-9])")
#: SI prefixes below one on money (``$10m`` is a cent) and billions as G.
MONEY_SI = re.compile(r"[$¥]\d[\d.,]*[mµunpG](?![A-Za-z])")
PLURAL_HACK = re.compile(r"\w\(s\)")
ZERO_ETA = re.compile(r"\b0 µs\b|ETA 0\b")
UNGROUPED_PERCENT = re.compile(r"(?<![\d,.])\d{4,}(?:\.\d+)? ?%")
#: A Markdown escape that leaked: a backslash before the punctuation Markdown escapes.
ESCAPE = re.compile(r"\\[-\\`*_{}\[\]()#+.!|<>~$:&=]")


def findings(text: str) -> list[str]:
    """What breaks the readability rules in ``text`` (any language)."""
    out = []
    for name, pattern in (
        ("money in scientific notation", MONEY_SCIENTIFIC),
        ("a time in scientific notation", TIME_SCIENTIFIC),
        ("zero-padded money", ZERO_PADDED),
        ("money with a milli/micro/giga prefix", MONEY_SI),
        ("a (s) plural", PLURAL_HACK),
        ("a zero time left", ZERO_ETA),
        ("a percentage without a thousands separator", UNGROUPED_PERCENT),
        ("a Markdown escape", ESCAPE),
    ):
        out += [
            f"{name}: {m.group(0)!r} in …{text[max(0, m.start() - 40) : m.end() + 20]!r}…"
            for m in pattern.finditer(text)
        ]
    return out


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

#: Every element cut with an ellipsis (or a metric clipped), visible, with what it holds.
CUT = """() => {
  const out = [];
  const root = document.querySelectorAll("[data-testid='stMain'], [data-testid='stSidebar']");
  for (const top of root) for (const el of top.querySelectorAll('*')) {
    if (!el.getClientRects().length || el.closest('.js-plotly-plot, [data-testid=stDataFrame]')) continue;
    const style = getComputedStyle(el);
    const metric = el.matches("[data-testid='stMetricValue'] *, [data-testid='stMetricLabel'] *");
    if (style.textOverflow !== 'ellipsis' && !(metric && style.overflow === 'hidden')) continue;
    if (el.scrollWidth > el.clientWidth + 1 && el.innerText.trim()) {
      const owner = el.closest('[data-testid]');
      out.push((owner ? owner.dataset.testid + ': ' : '') + el.innerText.trim().slice(0, 80));
    }
  }
  return out;
}"""
#: Shared by the scripts below: what is not text (icon ligatures, maths, charts' SVG, code).
HELPERS = """
const SKIP = '.katex, script, style, noscript, [data-testid=stSkipLink], [data-testid=stIconMaterial]';
const isIcon = (el) => getComputedStyle(el).fontFamily.includes('Material');
const texts = (root, extraSkip) => {
  const out = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const parent = walker.currentNode.parentElement;
    if (!parent || parent.closest(SKIP + (extraSkip || '')) || isIcon(parent)) continue;
    out.push(walker.currentNode.nodeValue);
  }
  return out;
};
"""
#: Latin words (letters, digits, money) drawn over two lines: broken mid-word.
BROKEN = """() => {
  const out = [];
  const main = document.querySelector("[data-testid='stMain']");
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    if (!parent || parent.closest(SKIP + ', svg, code, pre') || isIcon(parent)) continue;
    for (const m of node.nodeValue.matchAll(/[A-Za-z0-9$¥%.,×']{3,}/g)) {
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set(Array.from(range.getClientRects()).filter(r => r.width > 0)
        .map(r => Math.round(r.top)));
      if (tops.size > 1) out.push(m[0]);
    }
  }
  return out;
}"""
#: The page's text, hidden tabs included, without icon ligatures, maths and Streamlit's own
#: "skip to content" link; and the short texts that must be translated one by one (without code:
#: a command such as ``python -m mlcore sweep`` reads the same in every language).
TEXTS = """() => {
  const text = (el) => texts(el, ', code').join(' ').replace(/\\s+/g, ' ');  // a command is no UI text
  const main = document.querySelector("[data-testid='stMain']");
  const side = document.querySelector("[data-testid='stSidebar']");
  const short = [];
  const kinds = {
    heading: 'h1, h2, h3, h4',
    label: "[data-testid=stMetricLabel], [data-testid=stWidgetLabel], [role=tab], summary",
    value: "[data-testid=stMetricValue], [role=columnheader]",
    chart: '.js-plotly-plot .gtitle, .js-plotly-plot .xtitle, .js-plotly-plot .ytitle, '
      + '.js-plotly-plot .legendtext, .js-plotly-plot .xtick text, .js-plotly-plot .ytick text, '
      + '.js-plotly-plot .annotation-text',
  };
  for (const [kind, selector] of Object.entries(kinds))
    for (const el of main.querySelectorAll(selector)) short.push([kind, text(el).trim()]);
  const paragraphs = Array.from(main.querySelectorAll('p, li, td, th, [role=gridcell], text, button, a'))
    .map(text);
  const body = [...texts(main), ...(side ? texts(side) : [])].join('\\n');
  return {body, paragraphs, short};
}"""


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
        store.patch_run_record(run.id, inference=PROFILE, learning_curve=_curve(CURVE_SIZES))
        scenario_id = store.save_scenario(SCENARIO_NAME, json.dumps(base_template().to_dict()), run_id=run.id)
        user_data = walk.seeded_user_data(store)
        store.dispose()
    server = start_server(home)
    try:
        yield Seeded(server, scenario_id, [*user_data, SCENARIO_NAME])
    finally:
        server.stop()


def _script(body: str) -> str:
    """A page function with :data:`HELPERS` in scope."""
    return "() => {" + HELPERS + "return (" + body + ")();}"


def _url(seeded: Seeded, page: str, lang: str, currency: str) -> str:
    compare = f"&compare=base,{seeded.scenario_id}" if page == "compare" else ""
    return f"{seeded.server.url}/{page}?lang={lang}&cur={currency}&scenario={seeded.scenario_id}{compare}"


def _settle(page: Any) -> None:
    wait_idle(page, timeout=60_000)
    page.wait_for_timeout(600)  # plotly draws after the script run
    wait_idle(page, timeout=60_000)


def _chinese_problems(texts: dict[str, Any], user_data: list[str]) -> list[str]:
    """English in the Chinese UI: runs of English words anywhere, English words in short texts,
    and a dollar sign (every amount in yuan)."""
    walk.USER_DATA[:] = sorted(user_data, key=len, reverse=True)
    out = []
    for paragraph in texts["paragraphs"]:
        out += [
            f"English run: {run!r} in {paragraph[:120]!r}" for run in walk.english_runs(walk.scrub(paragraph))
        ]
    for kind, text in texts["short"]:
        words = walk.untranslated_words(text)
        if words:
            out.append(f"English in a {kind}: {text[:100]!r} {words}")
    body = texts["body"]
    out += [
        f"a dollar amount: …{body[max(0, m.start() - 40) : m.end() + 20]!r}…"
        for m in re.finditer(r"\$\s?[\d<]", body)
    ]
    return out


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
                    texts = tab.evaluate(_script(TEXTS))
                    problems += [f"{where}: {p}" for p in findings(texts["body"])]
                    problems += [f"{where}: cut: {c!r}" for c in tab.evaluate(CUT)]
                    problems += [f"{where}: broken mid-word: {w!r}" for w in tab.evaluate(_script(BROKEN))]
                    if lang == "zh":
                        problems += [f"{where}: {p}" for p in _chinese_problems(texts, seeded.user_data)]
            assert not errors, errors
        finally:
            tab.close()
    unique = sorted(set(problems))
    assert not unique, f"{len(unique)} problems:\n  " + "\n  ".join(unique)
