"""What a page makes of user text: oracles for Markdown, plotly and tables, and hostile names.

Streamlit renders labels and messages as Markdown (micromark: CommonMark, GFM, directives) and
plotly renders chart strings through its own HTML subset. These helpers judge the text the app
hands them the way those renderers would:

* :func:`markdown_problems` renders Markdown source with markdown-it (CommonMark, as micromark)
  and reports links and images to an outside host, raw HTML, and what the renderer's later text
  passes would still turn into a link or an image (GFM autolinks of bare ``https://``, ``www.`` and
  ``user@host``; Streamlit's ``:streamlit:`` logo), plus bidirectional controls;
* :func:`chart_problems` reports plotly strings with a link or image tag, a bidi control or an
  entity plotly does not decode (``&quot;`` shows as it is); :func:`chart_text` is what plotly
  shows for a string;
* :func:`page_problems` walks every element of an AppTest run and applies the right oracle:
  Markdown for bodies, labels, options and help, plain text for select boxes, code and tables,
  plotly for charts;
* :func:`markdown_text` is the text a Markdown source shows (escapes and references resolved,
  word joiners dropped), for assertions on what a page says.
"""

from __future__ import annotations

import base64
import html.parser
import json
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
from markdown_it import MarkdownIt

from bizmodel.buildbuy import load_api_prices
from bizmodel.catalog import Catalog, load_bundled, read_catalog, to_csv_bytes
from bizmodel.scenario import base_template, bull_template
from present.sharelink import SharedView, encode
from store import Store

#: A name with everything that became live somewhere: links, an image fetched from outside, bare
#: URLs, an email address, HTML, Streamlit directives and the logo shortcode, a template field,
#: quotes (shown once, not as ``&quot;``).
HOSTILE = (
    "[x](https://evil.example/a) ![i](https://evil.example/i.png) https://evil.example/b "
    'www.evil.example a@evil.example <img src="//evil.example/h.png"> :red[R] :streamlit: %{x} "q"'
)
#: A right-to-left override: ``"\u202eFDP.exe"`` reads "exe.PDF".
RLO_NAME = "\u202eFDP.exe"
WORD_JOINER = "\u2060"
BIDI = frozenset(
    "\u061c\u200e\u200f" + "".join(map(chr, range(0x202A, 0x202F))) + "".join(map(chr, range(0x2066, 0x206A)))
)

_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])|&#(\d+);|&#[xX]([0-9a-fA-F]+);")
# mdast-util-gfm-autolink-literal's patterns (JavaScript \w is ASCII), run on the rendered text.
_AUTOLINKS = (
    re.compile(r"(?i)(?:https?://|www(?=\.))[-.A-Za-z0-9_]+"),
    re.compile(r"[-.A-Za-z0-9_+]+@[-A-Za-z0-9_]+(?:\.[-A-Za-z0-9_]+)+"),
    re.compile(r":streamlit:"),
)
# Streamlit's own passes on the rendered text: arrows and dashes, and remark-emoji's shortcodes.
_TRANSFORMS = (
    re.compile(r"(?:^|\s)(?:<->|->|<-|--|>=|<=|~=)(?=\s|$)"),
    re.compile(r":\+1:|:-1:|:[A-Za-z0-9_-]+:"),
)
_MARKDOWN = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
_MARKDOWN_HTML = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
_CHART_LINK = re.compile(r"<\s*(a|img)\b", re.IGNORECASE)
_CHART_ENTITY = re.compile(r"&(#\d+|#x[\da-fA-F]+|[a-z]+);")
_CHART_NAMED = {
    "mu": "μ",
    "amp": "&",
    "lt": "<",
    "gt": ">",
    "nbsp": "\xa0",
    "times": "×",
    "plusmn": "±",
    "deg": "°",
}
_CHART_RAW_ENTITY = re.compile(r"&(quot|apos|#39|#x27);", re.IGNORECASE)
# Fields of element protos that hold no text for people (ids, addresses, formats, data).
_NOT_TEXT = frozenset(
    {
        "id",
        "form_id",
        "url",
        "page",
        "icon",
        "type",
        "color",
        "key",
        "theme",
        "format",
        "spec",
        "data",
        "element_id",
        "page_script_hash",
        "url_path",
        "file_name",
        "mime",
        "selection_mode",
        "width",
    }
)
_PLAIN_ELEMENTS = frozenset({"Selectbox", "MultiSelect", "Code", "Json", "Text", "TextInput", "TextArea"})
#: Their fields shown as plain text (labels and help stay Markdown).
_PLAIN_FIELDS = frozenset({"options", "default", "raw_value", "raw_values", "placeholder", "value", "body"})


def markdown_text(source: str) -> str:
    """The text Markdown shows for ``source`` written by the app: backslash escapes and numeric
    character references resolved, word joiners dropped (not a parser: syntax stays as it is)."""

    def one(match: re.Match[str]) -> str:
        escaped, decimal, hexadecimal = match.groups()
        if escaped is not None:
            return escaped
        return chr(int(decimal) if decimal is not None else int(hexadecimal, 16))

    return _UNESCAPE.sub(one, source).replace(WORD_JOINER, "")


class _Html(html.parser.HTMLParser):
    """Links, images and text of rendered HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.images: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a":
            self.links.append(values.get("href") or "")
        elif tag == "img":
            self.images.append(values.get("src") or "")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def outside(address: str) -> bool:
    """Whether a link or image address leaves the app (a scheme or a host of its own)."""
    parts = urlsplit(address.strip())
    return bool(parts.scheme or parts.netloc)


def markdown_problems(source: str, *, allow_html: bool = False, strict: bool = False) -> list[str]:
    """What ``source`` would make live in Streamlit's Markdown; empty when it is inert.

    ``allow_html`` is the element's own setting (the app's chain picture): its raw HTML is then
    rendered, and only links and images to an outside host count. ``strict`` also reports what
    would not show as written: Streamlit's arrows, dashes, emoji and icon shortcodes (for a source
    that holds nothing but user text: the app's own text uses some of them on purpose).
    """
    parser = _Html()
    parser.feed((_MARKDOWN_HTML if allow_html else _MARKDOWN).render(source))
    problems = [f"link to {href!r}" for href in parser.links if outside(href)]
    problems += [f"image from {src!r}" for src in parser.images if outside(src)]
    text = "".join(parser.text)
    for pattern in _AUTOLINKS:
        problems += [f"autolink {m.group(0)!r}" for m in pattern.finditer(text)]
    problems += [f"bidi control {c!r}" for c in text if c in BIDI]
    if strict:
        for pattern in _TRANSFORMS:
            problems += [f"rewritten {m.group(0)!r}" for m in pattern.finditer(text)]
        if ":material/" in source:
            problems.append("an icon shortcode")
    return problems


def chart_text(text: str) -> str:
    """What plotly shows for a string without tags: its entities decoded as plotly decodes them
    (numeric ones and only ``mu amp lt gt nbsp times plusmn deg`` by name)."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("#"):
            return chr(int(name[2:], 16) if name[1] in "xX" else int(name[1:]))
        return _CHART_NAMED.get(name, match.group(0))

    return _CHART_ENTITY.sub(one, text)


def chart_problems(text: str) -> list[str]:
    """What a plotly string would make live (a link or an image) or show wrongly (an entity plotly
    does not decode, a bidi control); empty when it is inert. The app's own ``<br>`` and
    ``<extra>`` are fine."""
    problems = [f"tag {m.group(0)!r}" for m in _CHART_LINK.finditer(text)]
    problems += [f"undecoded entity {m.group(0)!r}" for m in _CHART_RAW_ENTITY.finditer(text)]
    problems += [f"bidi control {c!r}" for c in text if c in BIDI]
    return problems


def plain_problems(text: str) -> list[str]:
    """What a plain-text place would show wrongly: bidi controls."""
    return [f"bidi control {c!r}" for c in text if c in BIDI]


def _strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string in a JSON value or a protobuf message, with where it is."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _strings(item, f"{path}[{i}]")
    elif hasattr(value, "ListFields"):
        for field, item in value.ListFields():
            if field.name in _NOT_TEXT:
                continue
            if field.is_repeated:
                for i, one in enumerate(item):
                    yield from _strings(one, f"{path}.{field.name}[{i}]")
            else:
                yield from _strings(item, f"{path}.{field.name}")


def _walk(node: Any) -> Iterator[Any]:
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def page_problems(at: Any) -> list[str]:
    """Every place of an AppTest run where user text would be live or shown wrongly."""
    problems: list[str] = []
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        kind = type(proto).__name__
        if kind == "PlotlyChart":
            for where, text in _strings(json.loads(proto.spec)):
                problems += [f"chart{where}: {p}" for p in chart_problems(text)]
            continue
        if kind == "Arrow":
            frame = node.value
            cells = [*map(str, frame.columns), *map(str, frame.index)]
            cells += [v for v in frame.to_numpy().ravel() if isinstance(v, str)]
            problems += [f"table: {p}" for c in cells for p in plain_problems(c)]
            continue
        allow_html = bool(getattr(proto, "allow_html", False))
        for where, text in _strings(proto, kind):
            field = where.rsplit(".", 1)[-1].split("[")[0]
            plain = kind in _PLAIN_ELEMENTS and field in _PLAIN_FIELDS
            found = plain_problems(text) if plain else markdown_problems(text, allow_html=allow_html)
            problems += [f"{where}: {p}" for p in found]
    return problems


# ---------------------------------------------------------------------- hostile names everywhere


@dataclass(frozen=True)
class Hostile:
    """What :func:`seed_hostile` put in a Moatlab home, and the uploads to give the pages."""

    run_id: str
    csv_run_id: str
    legacy_run_id: str
    scenario_id: str
    other_scenario_id: str
    catalog: str
    share: str
    train_csv: bytes
    price_list: bytes


def hostile_catalog() -> Catalog:
    """The bundled catalog with every provider, instance type and accelerator renamed hostile
    (each starting with a spreadsheet formula character, and still unique)."""
    catalog = load_bundled()
    instances, accelerators = catalog.instances.copy(), catalog.accelerators.copy()
    instances["provider"] = "@SUM(1) " + HOSTILE + " " + instances["provider"]
    instances["instance_type"] = (
        '=HYPERLINK("https://evil.example") ' + HOSTILE + " " + instances["instance_type"]
    )
    for table in (instances, accelerators):
        named = table["accelerator"] != ""  # empty: a CPU-only instance
        table.loc[named, "accelerator"] = "-1+2 " + HOSTILE + " " + table.loc[named, "accelerator"]
    return read_catalog(
        *to_csv_bytes(replace(catalog, instances=instances, accelerators=accelerators)), name="evil"
    )


def hostile_price_list() -> bytes:
    """The bundled API price list with hostile provider and model names, as an upload."""
    prices = load_api_prices()
    prices["provider"] = "=" + HOSTILE + " " + prices["provider"]
    prices["model"] = "@" + HOSTILE + " " + prices["model"]
    return prices.to_csv(index=False).encode("utf-8")


def hostile_train_csv(rows: int = 60) -> bytes:
    """A Train CSV whose column names and label values are hostile."""
    header = ["=A1 " + HOSTILE, "www.evil.example/b", "label"]
    labels = ["+1 " + HOSTILE, '"quoted" class', "-x"]
    lines = [",".join(f'"{h.replace(chr(34), chr(34) * 2)}"' for h in header)]
    for i in range(rows):
        label = labels[i % 3].replace('"', '""')
        lines.append(f'{i % 7},{(i * 3) % 5},"{label}"')
    return ("\n".join(lines) + "\n").encode("utf-8")


def seed_hostile(store: Store, home: Path) -> Hostile:
    """Hostile names from every entry point, in ``home`` (which must be ``MOATLAB_HOME``): a run
    with a hostile name and an inference profile, one trained on a CSV with hostile headers and
    labels (and its evaluation), one whose name holds a right-to-left override (saved before such
    names were refused), two saved scenarios (one bound to the run), a saved catalog, a share link."""
    from mlcore.evaluation import build_evaluation, evaluation_path, save_evaluation
    from mlcore.runs import run_row
    from tests.support.app import curve, profile, recorded, seed_runs
    from ui.components.catalog import save_catalog

    runs = seed_runs(store, 2)
    store.rename_run(runs[0].id, HOSTILE)
    store.patch_run_record(runs[0].id, inference=profile().to_dict(), learning_curve=curve().to_dict())
    store.rename_run(runs[1].id, RLO_NAME)  # the store keeps what an older version accepted
    _, final = recorded()
    classes = ("+1 " + HOSTILE, '"quoted" class', "-x")
    features = ("=A1 " + HOSTILE, "www.evil.example/b", "plain")
    csv_run = final.replace(
        id="run-csv",
        name="=csv " + HOSTILE,  # a formula to a spreadsheet
        dataset="csv",
        class_names=classes,
        feature_names=features,
        input_shape=(3,),
        created_at="2026-11-27T10:00:00Z",
    )
    store.insert_run(run_row(csv_run))
    rng = np.random.default_rng(5)
    y_true = rng.integers(0, 3, 60)
    probs = rng.dirichlet(np.ones(3), size=60)
    x = rng.integers(0, 7, (60, 3)).astype(np.float32)
    save_evaluation(
        evaluation_path(home, csv_run.id),
        build_evaluation(csv_run.id, classes, y_true, probs, x, pixel_max=None),
    )
    scenario_id = store.save_scenario(
        "Plan " + HOSTILE, json.dumps(base_template().to_dict()), run_id=runs[0].id
    )
    other = store.save_scenario("-Plan B " + HOSTILE, json.dumps(bull_template().to_dict()))
    catalog = save_catalog(hostile_catalog())
    share = encode(SharedView(base_template(), page="overview", name="Shared " + HOSTILE))
    return Hostile(
        run_id=runs[0].id,
        csv_run_id=csv_run.id,
        legacy_run_id=runs[1].id,
        scenario_id=scenario_id,
        other_scenario_id=other,
        catalog=catalog,
        share=share,
        train_csv=hostile_train_csv(),
        price_list=hostile_price_list(),
    )


def share_token(payload: dict[str, Any]) -> str:
    raw = json.dumps(payload).encode()
    return "v1." + base64.urlsafe_b64encode(zlib.compress(raw, 9)).rstrip(b"=").decode()


def share_link(scenario: dict[str, Any], *, name: str = "") -> str:
    return share_token({"s": scenario, "r": None, "p": "scenarios", "l": "en", "n": name})
