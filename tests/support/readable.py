"""Readability rules (no money in scientific notation, no cut text, no English in the Chinese UI)
and the page scripts that collect what Chromium drew; shared by the browser tests of every page
and of the default journey."""

from __future__ import annotations

import re
from typing import Any

from tests.support import english

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


def page_script(body: str) -> str:
    """A page function with :data:`HELPERS` in scope."""
    return "() => {" + HELPERS + "return (" + body + ")();}"


def chinese_problems(texts: dict[str, Any], user_data: list[str]) -> list[str]:
    """English in the Chinese UI: runs of English words anywhere, English words in short texts,
    and a dollar sign (every amount in yuan)."""
    english.USER_DATA[:] = sorted(user_data, key=len, reverse=True)
    out = []
    for paragraph in texts["paragraphs"]:
        out += [
            f"English run: {run!r} in {paragraph[:120]!r}"
            for run in english.english_runs(english.scrub(paragraph))
        ]
    for kind, text in texts["short"]:
        words = english.untranslated_words(text)
        if words:
            out.append(f"English in a {kind}: {text[:100]!r} {words}")
    body = texts["body"]
    out += [
        f"a dollar amount: …{body[max(0, m.start() - 40) : m.end() + 20]!r}…"
        for m in re.finditer(r"\$\s?[\d<]", body)
    ]
    return out
