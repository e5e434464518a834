"""English in the Chinese UI: runs of English words in a text, and English words in a short one
(a label, value, column or chart text), after user data, links, code and markup are taken out.

Shared by the AppTest walk over every page (``tests/app/test_i18n_walk.py``) and the browser
checks of the served app (``tests/e2e``). :data:`USER_DATA` holds the texts a test put in the store
itself (names, ids, paths): the test that seeds them fills it, longest first.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from functools import cache

from store import Store
from tests.support import ROOT
from tests.support.app import recorded
from tests.support.economics import PROFILE

SCENARIO_NAMES = ("Bound plan", "Bare plan")


LINK_TARGET = re.compile(r"\]\([^)\s]*\)")


URL = re.compile(r"<?\bhttps?://[^\s)>]+>?")


CODE_SPAN = re.compile(r"`[^`]*`")


DIRECTIVE = re.compile(r":material/[a-z0-9_]+:|:[a-z]+(?:-[a-z]+)*(?=\[)")


HTML_TAG = re.compile(r"<[^>]+>")


PLOTLY_FIELD = re.compile(r"%\{[^}]*\}")


MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~$:])")


WORD = re.compile(r"[A-Za-z]+(?:['’\-][A-Za-z]+)*")


EDGE_PUNCT = "\"'“”‘’()[]{}<>.,;:!?*_/|«»…—–-·•" + "，。；：！？、（）【】《》「」『』"


CLAUSE_START = "(（"


CLAUSE_END = ".;:!?)。；：！？）"


BREAK = " ¦ "  # stands in for removed text: an English run never spans it


MIN_RUN = 4


# Technical phrases that stay English in a Chinese UI; each is removed before English runs are
# counted. None is needed today (code is in `code spans`, units are short): add one only with its
# reason, e.g. ("model.predict",  # the Keras call the Inference page compares against).
TECHNICAL_PHRASES: tuple[str, ...] = ()


# Single English words that may stand in a Chinese label, value, column or chart text (words with
# a capital inside, such as kWh, GiB, FLOPs, LoRA, MFU, are units or acronyms and always may).
PROPER_NAMES = frozenset(
    {
        "Moatlab",  # the product
        "English",  # the language switch names each language in its own script
        "Excel",  # the workbook download
        "Digits",  # the dataset's name (sklearn's "Digits 8×8")
        "Keras",  # the library
    }
)


KEPT_TERMS = frozenset({"ms", "kg", "epoch", "token", "nats", "vs"})  # the zh catalog keeps them


LAYER_NAMES = frozenset({"output"})  # mlcore.flops names the last layer "output" (like dense1, dense2)


BUNDLED = ROOT / "bizmodel" / "data"


@cache
def bundled_rows() -> tuple[dict[str, str], ...]:
    """The rows of the price and accelerator catalogs that ship with ``bizmodel``."""
    rows: list[dict[str, str]] = []
    for path in sorted(BUNDLED.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            rows += csv.DictReader(f)
    return tuple(rows)


@cache
def vendor_names() -> frozenset[str]:
    """Cloud and API vendors of the bundled catalogs (proper nouns, not English words)."""
    return frozenset(w.lower() for row in bundled_rows() for w in WORD.findall(row.get("provider") or ""))


@cache
def catalog_data_words() -> frozenset[str]:
    """Words of the bundled catalogs' names: vendors, regions, instance types, accelerators, models
    and the published models' names (``eastus``, ``mistral-small-latest``, ``Mixtral 8x7B``): data
    shown as it is, in either language."""
    columns = ("provider", "region", "instance_type", "accelerator", "model", "name")
    return frozenset(
        w.lower() for row in bundled_rows() for c in columns for w in WORD.findall(row.get(c) or "")
    )


USER_DATA: list[str] = []  # filled by the fixture: longest first


#: The processor's own name inside a device mlcore describes ("CPU (<name>, 2 logical cores)"): the
#: rest of the description, and of the measurement methods, is shown in the UI language.
CPU_NAME = re.compile(r"CPU \((.+), \d+ logical cores\)")


def seeded_user_data(store: Store) -> list[str]:
    """Texts the test itself put in the store (names, ids, model paths, the processor's name)."""
    _, final = recorded()
    data: set[str] = set(SCENARIO_NAMES)
    devices = {r["device"] for r in PROFILE["rows"]}
    for row in store.list_runs():
        record = json.loads(row["record"]) if isinstance(row.get("record"), str) else {}
        data |= {row["id"], row["name"]}
        for key in ("dataset", "model_path"):
            if isinstance(record.get(key), str):
                data.add(record[key])
        devices |= {record[k] for k in ("device", "peak_flops_method") if isinstance(record.get(k), str)}
    for key in ("model_path", "dataset"):
        value = getattr(final, key, None)
        if isinstance(value, str):
            data.add(value)
    devices |= {v for v in (final.device, final.peak_flops_method) if isinstance(v, str)}
    data |= {m.group(1) for d in devices for m in CPU_NAME.finditer(d)}
    return sorted((d for d in data if d and len(d) > 1), key=len, reverse=True)


def scrub(text: str) -> str:
    """The text without user data, link targets, URLs, code spans, markup and technical phrases."""
    text = LINK_TARGET.sub("]", text)
    text = URL.sub(BREAK, text)
    text = CODE_SPAN.sub(BREAK, text)
    text = DIRECTIVE.sub(" ", text)
    text = HTML_TAG.sub(BREAK, text)
    text = PLOTLY_FIELD.sub(BREAK, text)
    text = MD_ESCAPE.sub(r"\1", text)
    for item in (*USER_DATA, *TECHNICAL_PHRASES):
        text = text.replace(item, BREAK)
    return text


def tokens(text: str) -> Iterator[str | None]:
    """Each whitespace-separated token as an English word, or None where a run must break: at a
    token that is not a word (a number, CJK, an id), a vendor name, and at clause punctuation
    (. ; : ! ? and parentheses), so a run is one clause of one sentence."""
    for raw in text.split():
        if raw[0] in CLAUSE_START:
            yield None
        token = raw.strip(EDGE_PUNCT)
        if token and WORD.fullmatch(token) and token.lower() not in vendor_names():
            yield token
        else:
            yield None
        if raw.rstrip("\"'”’*_")[-1:] in CLAUSE_END:
            yield None


def english_runs(text: str) -> list[str]:
    """Runs of ``MIN_RUN`` or more consecutive English words (words of two letters or more count;
    a one-letter word such as "a" neither counts nor breaks the run)."""
    runs: list[str] = []
    current: list[str] = []

    def close() -> None:
        if sum(len(w) >= 2 for w in current) >= MIN_RUN:
            runs.append(" ".join(current))
        current.clear()

    for token in tokens(text):
        if token is None:
            close()
        else:
            current.append(token)
    close()
    return runs


def untranslated_words(text: str) -> list[str]:
    """English words of a short text (a label, value, column or chart text) that a Chinese UI
    should not show: not a unit or acronym, a kept term, a proper name, or catalog and user data."""
    out = []
    for word in tokens(scrub(text).replace("_", " ")):  # a snake_case column name is English too
        if word is None or len(word) < 2 or any(c.isupper() for c in word[1:]):
            continue
        if word in PROPER_NAMES or word in KEPT_TERMS or word in LAYER_NAMES:
            continue
        if word.lower() in catalog_data_words():
            continue
        out.append(word)
    return out


# ---- the words of a model explanation (present.explain, present.model_text)

#: Lower-case words that stay as they are in the Chinese texts: names of tools, a formula's terms,
#: a kept term of the Chinese catalog, and the parts of a command line.
REASON_KEPT = frozenset(
    {"roofline", "litellm", "openrouter", "bootstrap", "mean", "std", "as_of", "git", "token", "bf", "ms"}
    | {"keras", "ops", "predict"}  # Keras' API: keras.ops, model.predict
    | {"int", "run"}  # int8, a number format; run ids ("run-1")
)
REASON_WORD = re.compile(r"[A-Za-z]+(?:[-'_][A-Za-z]+)*")
REASON_COMMAND = re.compile(r"`[^`]*`|python -m mlcore bench-inference --run")


def english_words(text: str, tokens: list[str]) -> list[str]:
    """The lower-case English words of ``text`` once ``tokens`` (data written as it is) are out."""
    for value in sorted(tokens, key=len, reverse=True):
        text = text.replace(value, " ")
    text = REASON_COMMAND.sub(" ", text)
    return [w for w in REASON_WORD.findall(text) if len(w) >= 2 and w == w.lower() and w not in REASON_KEPT]
