"""AppTest: walk every page in English and in 简体中文 and find text that escaped translation.

Each page is rendered with seeded runs (two finished runs, the newest with an inference profile and
a learning curve, so the economics pages show measured figures) and two saved scenarios bound to
them; the economics pages are rendered again bound to the bare run (the "assumed, because …" paths).
Every visible text is collected: headings, Markdown, captions, alerts, metric labels/values/help,
widget labels, options, placeholders and help, tab/expander/popover labels, dataframe column names
(and column-config labels/help), and the titles, axis titles, trace names, annotations and hover
templates of every Plotly figure.

Then, per language:

* no ``[some.key]`` marker of a missing catalog entry;
* English: no CJK character (other than the language switch's own endonym, "中文");
* Chinese: no English catalog sentence whose Chinese translation differs, and no run of four or more
  English words, once user data, link targets, code spans and a short list of technical phrases are
  taken out. English that comes from the economics model's explanation strings (``bizmodel`` detail /
  reason sentences, :func:`is_bizmodel_explanation`) is reported on its own: the pages word the
  model's reasons (and its sentences not converted yet) through :func:`present.explain.words`,
  so none may remain English anywhere.

The walk renders 11 pages × 2 languages plus the economics pages twice more, once per language,
shared by every test in this module (about 30 s on 2 cores).
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from bizmodel.scenario import base_template, bear_template
from present.i18n import LANGUAGE_NAMES, catalog
from store import Store
from tests.support import english
from tests.support.app import PAGES, make_app, seed_runs
from tests.support.economics import CURVE_SIZES, PROFILE, learning_curve
from tests.support.english import (
    BREAK,
    KEPT_TERMS,
    MD_ESCAPE,
    SCENARIO_NAMES,
    USER_DATA,
    bundled_rows,
    english_runs,
    scrub,
    seeded_user_data,
    tokens,
    untranslated_words,
)

ROOT = Path(__file__).resolve().parents[2]
LANGS = ("en", "zh")
ECONOMICS = (
    "app_pages/compute.py",
    "app_pages/data_value.py",
    "app_pages/scenarios.py",
    "app_pages/compare.py",
    "app_pages/build_buy.py",
)
PROFILED_RUN, BARE_RUN = "run-1", "run-0"  # run-1 is the newest: the active run by default

# ------------------------------------------------------------------------------- text patterns

CJK = re.compile(
    r"[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]"
)
MISSING_KEY = re.compile(r"\[[a-z_]+(?:\.[A-Za-z0-9_\-]+)+\](?!\()")


LABEL_SUFFIXES = (".label", ".option", ".placeholder", "metric.value", "metric.delta", "dataframe.column")
LABEL_KINDS = frozenset({"title", "header", "subheader"})
CHART_KINDS = ("chart.",)


# --------------------------------------------------------------------------------- collection


@dataclass(frozen=True)
class Seen:
    """One visible text: where it was (language, page, seeded state, element kind) and what it said."""

    lang: str
    page: str
    state: str
    kind: str
    text: str

    def where(self) -> str:
        return f"{self.lang} {Path(self.page).stem} {self.kind}: {self.text!r}"


BODY_KINDS = {
    "title",
    "header",
    "subheader",
    "markdown",
    "caption",
    "text",
    "info",
    "warning",
    "error",
    "success",
    "toast",
}
SKIPPED_KINDS = {"code", "latex", "json", "divider", "exception", "space", "progress"}
OPTION_KINDS = {"selectbox", "multiselect", "radio", "select_slider"}


def _proto_strings(proto: Any, fields: Iterable[str]) -> Iterator[tuple[str, str]]:
    names = proto.DESCRIPTOR.fields_by_name
    for name in fields:
        if name in names and names[name].type == names[name].TYPE_STRING:
            value = getattr(proto, name)
            if isinstance(value, str):
                yield name, value
            else:  # repeated string
                for item in value:
                    yield name, item


def _chart_texts(spec: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Titles, axis titles, legend title, annotations, trace names and hover templates."""

    def title(obj: Any) -> str:
        if isinstance(obj, dict):
            obj = obj.get("text")
        return obj if isinstance(obj, str) else ""

    layout = spec.get("layout", {})
    yield "chart.title", title(layout.get("title"))
    yield "chart.legend", title(layout.get("legend", {}).get("title"))
    for key, axis in layout.items():
        if re.fullmatch(r"[xy]axis\d*|coloraxis", key) and isinstance(axis, dict):
            yield "chart.axis", title(axis.get("title"))
            yield "chart.axis", title(axis.get("colorbar", {}).get("title"))
    for note in layout.get("annotations", []) or []:
        yield "chart.annotation", note.get("text", "")
    for trace in spec.get("data", []):
        yield "chart.trace", trace.get("name", "") if isinstance(trace.get("name"), str) else ""
        for key in ("hovertemplate", "texttemplate"):
            value = trace.get(key)
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str):
                    yield "chart.hover", item
        for dim in trace.get("dimensions", []) or []:  # parcoords / splom
            yield "chart.axis", dim.get("label", "")
        yield "chart.axis", title(trace.get("colorbar", {}).get("title"))
        for axis in ("x", "y"):  # categorical axes: their ticks are labels (tornado levers, …)
            values = trace.get(axis)
            if isinstance(values, list) and values and all(isinstance(v, str) for v in values):
                for value in values:
                    yield "chart.category", value


def visible_texts(at: Any) -> Iterator[tuple[str, str]]:
    """(kind, text) for every visible text of a rendered app, main area and sidebar."""
    for node in at._tree:
        kind = getattr(node, "type", "")
        proto = getattr(node, "proto", None)
        if proto is None or kind in SKIPPED_KINDS:
            continue
        if kind in BODY_KINDS:
            yield kind, node.value
        if kind == "metric":
            yield "metric.value", proto.body
            yield "metric.delta", proto.delta
        if kind == "plotly_chart":
            yield from _chart_texts(json.loads(proto.spec))
            continue
        if kind == "dataframe":
            configs = json.loads(proto.columns or "{}")
            for column in node.value.columns:  # the header shown: the column config's label, if any
                config = configs.get(str(column), {})
                if not config.get("hidden"):
                    yield "dataframe.column", config.get("label") or str(column)
            for config in configs.values():
                if isinstance(config.get("help"), str):
                    yield "dataframe.help", config["help"]
            continue
        if kind == "button_group":
            for option in proto.options:
                yield "button_group.option", option.content
        if kind in OPTION_KINDS:
            for _, option in _proto_strings(proto, ["options"]):
                yield f"{kind}.option", option
        sub = proto
        if hasattr(proto, "WhichOneof") and "type" in {o.name for o in proto.DESCRIPTOR.oneofs}:
            inner = proto.WhichOneof("type")  # a Block: popover, expandable, tab, …
            if inner:
                sub = getattr(proto, inner)
        for field, value in _proto_strings(sub, ("label", "help", "placeholder", "caption")):
            yield f"{kind}.{field}", value


def render_all(lang: str, scenario_ids: dict[str, str]) -> list[Seen]:
    """Every visible text of every page in ``lang``, in each seeded state."""
    states: list[tuple[str, tuple[str, ...], dict[str, str]]] = [
        ("default", PAGES, {}),
        (
            "bound",
            ECONOMICS,
            {"run": PROFILED_RUN, "scenario": scenario_ids[PROFILED_RUN], "compare": "base,bull,bear"},
        ),
        ("bare", ECONOMICS, {"run": BARE_RUN, "scenario": scenario_ids[BARE_RUN]}),
    ]
    out: list[Seen] = []
    for state, pages, params in states:
        for page in pages:
            at = make_app(page, lang=lang, **params)
            assert not at.exception, (lang, page, state, [e.value for e in at.exception])
            out += [Seen(lang, page, state, kind, text) for kind, text in visible_texts(at) if text.strip()]
    return out


def seed(store: Store) -> dict[str, str]:
    """Two finished runs (the newest with an inference profile and a learning curve) and a saved
    scenario bound to each; returns the scenario id of each run."""
    seed_runs(store, 2)
    store.patch_run_record(PROFILED_RUN, inference=PROFILE, learning_curve=learning_curve(CURVE_SIZES))
    return {
        PROFILED_RUN: store.save_scenario(
            SCENARIO_NAMES[0], json.dumps(base_template().to_dict()), run_id=PROFILED_RUN
        ),
        BARE_RUN: store.save_scenario(
            SCENARIO_NAMES[1], json.dumps(bear_template().to_dict()), run_id=BARE_RUN
        ),
    }


@pytest.fixture(scope="module")
def walked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Seen]]:
    """Seed one store and render every page in both languages (shared by the tests below)."""
    import streamlit as st

    home = tmp_path_factory.mktemp("i18n-walk-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MOATLAB_HOME", str(home))
        mp.delenv("DATABASE_URL", raising=False)
        mp.setenv("KERAS_HOME", str(tmp_path_factory.mktemp("keras-home")))
        mp.setenv("MOATLAB_START_WORKER", "0")
        st.cache_resource.clear()
        st.cache_data.clear()
        try:
            store = Store()
            scenario_ids = seed(store)
            user_data = seeded_user_data(store)
            result = {lang: render_all(lang, scenario_ids) for lang in LANGS}
            store.dispose()
        finally:
            st.cache_resource.clear()
            st.cache_data.clear()
    USER_DATA[:] = user_data
    return result


# ------------------------------------------------------------------------------ user data


# ------------------------------------------------------------------------------ English runs


def _literals(path: Path) -> Iterator[str]:
    """The string literals of a module (f-string parts included), without its docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.value


def _bizmodel_texts() -> list[str]:
    """The economics model's own prose: the English texts of its reasons (``model.*`` of the
    English catalog, each ``{field}`` a break), the string literals (not docstrings) of
    ``bizmodel/*.py`` that are still sentences, and the notes of the catalogs bundled in
    ``bizmodel/data``."""
    reasons = [
        re.sub(r"\{[^}]*\}", " | ", text) for key, text in catalog("en").items() if key.startswith("model.")
    ]
    texts = [text for path in sorted((ROOT / "bizmodel").glob("*.py")) for text in _literals(path)]
    return reasons + texts + [row.get("notes") or "" for row in bundled_rows()]


def _word_runs(text: str) -> Iterator[tuple[str, ...]]:
    """The maximal runs of English words of ``text`` (any length), lower case."""
    current: list[str] = []
    for token in [*tokens(text), None]:
        if token is None:
            if current:
                yield tuple(w.lower() for w in current)
            current = []
        else:
            current.append(token)


@cache
def bizmodel_pieces() -> frozenset[tuple[str, ...]]:
    """Word sequences a ``bizmodel`` text can contribute to a page: every stretch of two words or
    more of a literal's word run, and every whole word run (however short: " of ", "run ")."""
    pieces: set[tuple[str, ...]] = set()
    for text in _bizmodel_texts():
        for run in _word_runs(text):
            pieces.add(run)
            pieces |= {run[i:j] for i in range(len(run)) for j in range(i + 2, len(run) + 1)}
    return frozenset(pieces)


@cache
def bizmodel_fragments() -> tuple[str, ...]:
    """The economics model's literal fragments of two words or more, longest first."""
    texts = {t.strip() for t in _bizmodel_texts()}
    keep = {t for t in texts if sum(len(w) >= 2 for w in tokens(t) if w) >= 2}
    return tuple(sorted(keep, key=len, reverse=True))


def is_bizmodel_explanation(run: str) -> bool:
    """True when an English run is the economics model's own prose: it splits into pieces that
    ``bizmodel`` writes itself (:func:`bizmodel_pieces`): its sentences are assembled from
    literals and interpolated values, so a run may cross from one literal into the next."""
    words = tuple(w.lower() for w in tokens(run) if w)
    pieces = bizmodel_pieces()
    reachable = [True] + [False] * len(words)
    for end in range(1, len(words) + 1):
        reachable[end] = any(reachable[i] and words[i:end] in pieces for i in range(end))
    return bool(words) and reachable[-1]


@dataclass(frozen=True)
class Finding:
    seen: Seen
    run: str

    def __str__(self) -> str:
        return f"{self.seen.where()}\n      English: {self.run!r}"


def without_bizmodel_prose(text: str) -> str:
    """``text`` without the economics model's prose (it is judged on its own): when ``text`` shows
    a ``bizmodel`` explanation, every literal fragment of ``bizmodel`` is taken out of it."""
    if not any(is_bizmodel_explanation(run) for run in english_runs(scrub(text))):
        return text
    for fragment in bizmodel_fragments():
        text = text.replace(fragment, BREAK)
    return text


def zh_english(walked: dict[str, list[Seen]]) -> tuple[list[Finding], list[Finding]]:
    """(English runs in the Chinese UI, those of them that are ``bizmodel`` explanations)."""
    plain: list[Finding] = []
    explanations: list[Finding] = []
    for seen in walked["zh"]:
        for run in english_runs(scrub(seen.text)):
            (explanations if is_bizmodel_explanation(run) else plain).append(Finding(seen, run))
    return plain, explanations


def _report(title: str, items: Iterable[object]) -> str:
    lines = sorted({str(i) for i in items})
    return f"{title} ({len(lines)}):\n  " + "\n  ".join(lines)


# ----------------------------------------------------------------------------------- the tests


def test_walk_covers_every_page(walked: dict[str, list[Seen]]) -> None:
    for lang in LANGS:
        pages = {s.page for s in walked[lang]}
        assert pages == set(PAGES), (lang, set(PAGES) - pages)
        kinds = {s.kind for s in walked[lang]}
        for kind in ("title", "markdown", "caption", "metric.label", "tab.label", "chart.title"):
            assert kind in kinds, (lang, kind)


@pytest.mark.parametrize("lang", LANGS)
def test_no_missing_catalog_key(walked: dict[str, list[Seen]], lang: str) -> None:
    bad = [s.where() for s in walked[lang] if MISSING_KEY.search(s.text)]
    assert not bad, _report(f"missing catalog keys shown ({lang})", bad)


def test_english_has_no_cjk(walked: dict[str, list[Seen]]) -> None:
    allowed = [*LANGUAGE_NAMES.values(), *USER_DATA]

    def without_allowed(text: str) -> str:
        for item in allowed:
            text = text.replace(item, BREAK)
        return text

    bad = [s.where() for s in walked["en"] if CJK.search(without_allowed(s.text))]
    assert not bad, _report("CJK text in the English UI", bad)


def english_sentences() -> list[tuple[str, str]]:
    """(key, fragment) of English catalog values that must not appear in the Chinese UI: values
    (or the literal parts between their placeholders) of two words or more and 12 characters or
    more, whose Chinese value differs, and which no Chinese value contains itself."""
    en, zh = catalog("en"), catalog("zh")
    zh_text = "\n".join(zh.values())
    out = []
    for key, value in en.items():
        if zh.get(key, value) == value:
            continue
        for part in re.split(r"\{[^{}]*\}", value):
            fragment = part.strip(" .,:;·—–-()")
            words = [w for w in tokens(fragment) if w and len(w) >= 2]
            if len(fragment) >= 12 and len(words) >= 2 and fragment not in zh_text:
                out.append((key, fragment))
    return out


def test_zh_shows_no_english_catalog_text(walked: dict[str, list[Seen]]) -> None:
    sentences = english_sentences()
    assert len(sentences) > 200  # the scan found the catalog
    bad = []
    for seen in walked["zh"]:
        text = without_bizmodel_prose(MD_ESCAPE.sub(r"\1", seen.text))
        bad += [f"{seen.where()}\n      en[{key}]: {frag!r}" for key, frag in sentences if frag in text]
    assert not bad, _report("English catalog text in the Chinese UI", bad)


def test_zh_has_no_english_runs(walked: dict[str, list[Seen]]) -> None:
    plain, _ = zh_english(walked)
    assert not plain, _report("runs of 4+ English words in the Chinese UI", plain)


def test_zh_has_no_bizmodel_english(walked: dict[str, list[Seen]]) -> None:
    """The economics model gives reason codes (and, where not converted yet, English sentences);
    the pages word its details, reasons and notes through :func:`present.explain.words`, in help
    tooltips and captions alike. One left in English means a reason without a Chinese text, a
    sentence :data:`present.model_text.TEMPLATES` lacks, or a page that shows it unworded."""
    _, explanations = zh_english(walked)
    assert not explanations, _report("bizmodel explanations in English in the Chinese UI", explanations)


def test_allowed_words_are_the_chinese_catalogs_own() -> None:
    zh_words = {w for v in catalog("zh").values() for w in tokens(v) if w}
    assert zh_words >= KEPT_TERMS, KEPT_TERMS - zh_words


def test_zh_labels_have_no_english_words(walked: dict[str, list[Seen]]) -> None:
    """Labels, options, placeholders, metric values, column names and headings: no English word
    (a unit suffix such as " mo" or " pts" included)."""
    bad = [
        f"{seen.where()}\n      English: {untranslated_words(seen.text)}"
        for seen in walked["zh"]
        if (seen.kind in LABEL_KINDS or seen.kind.endswith(LABEL_SUFFIXES)) and untranslated_words(seen.text)
    ]
    assert not bad, _report("English words in Chinese labels and values", bad)


def test_zh_chart_texts_are_translated(walked: dict[str, list[Seen]]) -> None:
    """Figure titles, axis titles, legend titles, trace names, category ticks, annotations and
    hover templates: no English word."""
    bad = [
        f"{seen.where()}\n      English: {untranslated_words(seen.text)}"
        for seen in walked["zh"]
        if seen.kind.startswith(CHART_KINDS) and untranslated_words(seen.text)
    ]
    assert not bad, _report("English words in Chinese figures", bad)


# ----------------------------------------------------------------------- the scanner's own tests


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        ("每月请求数低于 4.5万 时，API 方案更便宜", []),
        ("成本 per month of the plan", ["per month of the plan"]),
        ("Below 45k requests a month the API is cheaper", ["requests a month the API is cheaper"]),
        ("见 [the full guide here](https://example.com/a-b-c-d)", ["the full guide here"]),
        ("使用 `model.predict on a batch` 测量", []),
        ("三个 words only here。然后", []),
    ],
)
def test_english_runs(text: str, runs: list[str]) -> None:
    assert english_runs(scrub(text)) == runs


def test_bizmodel_predicate_knows_its_own_prose() -> None:
    assert len(bizmodel_pieces()) > 1000
    assert is_bizmodel_explanation("wall time of run")  # model.wall_time_of
    assert is_bizmodel_explanation("projected from the scenario's assumptions with run")
    assert not is_bizmodel_explanation("the quick brown fox jumps over the lazy dog")
    assert not is_bizmodel_explanation("Download the report")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("8.00 mo", ["mo"]),
        ("+33.1 pts", ["pts"]),
        ("104 GiB · 6.6e-06 kWh · 每轮次 (epoch) 成本", []),
        ("azure · Standard_NC24ads_A100_v4 · eastus", []),
        ("instance_type", ["instance", "type"]),
        ("Run 1 · 85.0 %", []),  # a seeded run's name is user data
    ],
)
def test_untranslated_words(monkeypatch: pytest.MonkeyPatch, text: str, words: list[str]) -> None:
    monkeypatch.setattr(english, "USER_DATA", ["Run 1"])
    assert untranslated_words(text) == words
