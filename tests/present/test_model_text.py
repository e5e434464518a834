"""present.model_text: bizmodel's English explanations in the UI language.

Each case calls the ``bizmodel`` function that writes the message (a few rare ones are formatted
from the same f-string parts by hand, marked), so a changed f-string breaks the case: its message
no longer matches its template.
"""

from __future__ import annotations

import json
import re
import string
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bizmodel.basis import TechnicalBasis
from bizmodel.binding import RunInputs, run_inputs
from bizmodel.buildbuy import (
    load_api_prices,
)
from bizmodel.catalog import load_bundled
from bizmodel.data_value import DataValueError, points_from_record
from bizmodel.production import ProductionScale
from mlcore.hardware import EnergyMeter
from present import format as fmt
from present.i18n import catalog as locale
from present.model_text import TEMPLATES, localize, match
from tests.support.app import RECORDED
from tests.support.economics import catalog, profile_row, record
from tests.support.english import REASON_WORD, english_words
from ui.components import catalog as catalog_view

H100 = pd.Series(
    {"accelerator": "H100-SXM", "bf16_tflops": 989.0, "bandwidth_gbps": 3350.0, "memory_gib": 80.0}
)
INSTANCE = pd.Series(
    {"provider": "lambda", "instance_type": "gpu_1x_h100", "accelerator": "H100-SXM", "count": 1,
     "on_demand_usd_per_hour": 3.6, "as_of": "2026-11-28", "source": "list"}
)  # fmt: skip


# ---------------------------------------------------------------------- real messages


def inputs(**overrides: object) -> RunInputs:
    return run_inputs(TechnicalBasis.from_record(record(**overrides)), catalog())


def part(text: str, index: int) -> str:
    """One clause of a message ``bizmodel`` joins with "; "."""
    return text.split("; ")[index]


def note(provider: str, model: str) -> str:
    prices = load_api_prices()
    row = prices[(prices["provider"] == provider) & (prices["model"] == model)]
    return str(row["notes"].iloc[0])


def no_curve(run_id: str | None) -> str:
    with pytest.raises(DataValueError) as info:
        points_from_record({"id": run_id} if run_id else {})
    return str(info.value)


PRICES = {"usd_per_kwh": 0.12, "grid_g_co2_per_kwh": 400.0}
PROFILED = {"measured_at": "2026-11-01T00:00:00Z", "rows": [profile_row(batch_size=1)]}

#: template name → a real message of that form.
CASES: dict[str, Callable[[], str]] = {
    # bizmodel.advantage
    # bizmodel.projection, bizmodel.finance
    # bizmodel.binding
    # bizmodel.production
    # bizmodel.run_cost
    # notes of bizmodel/data/llm_api_prices.csv
    "note_name": lambda: part(note("openai", "gpt-4o-mini"), 0),
    "note_cached": lambda: part(note("openai", "gpt-4o-mini"), 1),
    "note_commit_date": lambda: part(note("openai", "gpt-4o-mini"), 2),
    "note_litellm_match": lambda: part(note("openai", "gpt-4o"), 2),
    "note_short_context": lambda: part(note("xai", "grok-4"), 2),
    "note_official": lambda: part(note("deepseek", "deepseek-flash"), 0),
    "note_peak": lambda: part(note("deepseek", "deepseek-flash"), 2),
    "note_off_peak": lambda: part(note("deepseek", "deepseek-flash"), 3),
    "note_replaces": lambda: part(note("deepseek", "deepseek-flash"), 5),
    "note_hosted_open": lambda: part(note("openrouter (open weights)", "openai/gpt-oss-120b"), 0),
    "note_anchor": lambda: part(note("openrouter (open weights)", "openai/gpt-oss-120b"), 1),
    "note_litellm_key": lambda: part(note("openrouter (open weights)", "openai/gpt-oss-120b"), 2),
    "note_snapshot_date": lambda: part(note("openrouter (open weights)", "openai/gpt-oss-120b"), 3),
    "note_hosted": lambda: part(note("openrouter (open weights)", "deepseek/deepseek-v3.2"), 0),
    "note_cache_hit": lambda: part(note("openrouter (open weights)", "deepseek/deepseek-v3.2"), 1),
    # bizmodel.data_value (fit notes by hand from its f-strings: a fit that trips them is slow to build)
    # price catalogs' names: the bundled one's, and those the Compute cost page gives the user's
    "catalog_bundled": lambda: load_bundled().name,
    "catalog_saved": lambda: catalog_view.SAVED_NAME.format(version="3f2a9c01d4e5"),
    "catalog_edited": lambda: catalog_view.EDITED_NAME,
    "catalog_upload": lambda: catalog_view.UPLOAD_NAME.format(file="prices.csv"),
    # mlcore's measurement methods, as the recorded run's engine wrote them (and RAPL, measured)
    "device_cpu": lambda: recorded_run()["device"],
    "peak_probe": lambda: recorded_run()["peak_flops_method"],
    "energy_tdp": lambda: recorded_run()["energy_method"],
    "tdp_assumed": lambda: re.search(r"\((assumed [^)]*)\)", recorded_run()["energy_method"]).group(1),
    "energy_rapl": lambda: rapl_method(),  # noqa: PLW0108 (defined below the table)
}


def production(
    inference: dict[str, object] | None = None, *, data: float = 1.0, model: float = 1.0
) -> RunInputs:
    """The run of :func:`record` under a production scale of ``data`` × samples and ``model`` × parameters."""
    rec = record(inference=inference) if inference is not None else record()
    scale = ProductionScale(data, model, False, False, 1000, 1000)
    return run_inputs(TechnicalBasis.from_record(rec), catalog(), scale=scale)


def retraining(*, model: float = 1.0) -> str:
    job = production(model=model).retraining
    assert job is not None
    return job.detail


def how(first: str) -> str:
    """The "how" of "one production retraining: {how} = ${usd}"."""
    found = re.fullmatch(r"one production retraining: (.*) = \$[^ ]+", first)
    assert found is not None, first
    return found.group(1)


@cache
def recorded_run() -> dict[str, Any]:
    """The record of a real training run (tests/app/data/recorded_run.json)."""
    return json.loads(RECORDED.read_text())["record"]


def rapl_method() -> str:
    """What mlcore's energy meter writes when the RAPL counters are readable (a counter file here)."""
    with tempfile.TemporaryDirectory() as folder:
        counter = Path(folder) / "energy_uj"
        counter.write_text("1000000")
        meter = EnergyMeter()
        meter._rapl = [counter]
        meter.start()
        counter.write_text("4000000")
        return meter.stop().method


# ---------------------------------------------------------------------- the tests


def test_every_template_has_a_case() -> None:
    names = [t.name for t in TEMPLATES]
    assert len(names) == len(set(names))
    assert set(CASES) == set(names), set(CASES) ^ set(names)


def test_catalogs_hold_each_form() -> None:
    en, zh = locale("en"), locale("zh")
    for template in TEMPLATES:
        assert en[template.key] == template.english, template.name
        assert template.key in zh, template.name
    model_keys = {key for key in en if key.startswith("model.")}
    assert {t.key for t in TEMPLATES} <= model_keys  # the others are reason codes (test_explain)


@cache
def message(name: str) -> str:
    return CASES[name]()


def data_values(text: str) -> list[str]:
    """The values a message interpolates (its plain fields, nested messages' ones included), but
    amounts of money, which are written again in the display currency."""
    found = match(text)
    if found is None:
        clauses = text.split("; ")
        return [v for c in clauses for v in data_values(c)] if len(clauses) > 1 else []
    template, fields = found
    out = []
    for name, value in fields.items():
        if name in template.money:
            continue
        known = name.endswith("_msg") and localize(value, "zh") != value
        out += data_values(value) if known else [value]  # an unknown nested text stays as it is
    return out


def money_values(text: str) -> list[float]:
    """The amounts (USD) a message writes after ``$``, nested messages' ones included."""
    found = match(text)
    if found is None:
        clauses = text.split("; ")
        return [v for c in clauses for v in money_values(c)] if len(clauses) > 1 else []
    template, fields = found
    out = []
    for name, value in fields.items():
        if name in template.money:
            out.append(float(value.replace(",", "")))
        elif name.endswith("_msg"):
            out += money_values(value)
    return out


@pytest.mark.parametrize("name", sorted(CASES))
def test_real_message_matches_its_template(name: str) -> None:
    text = message(name)
    found = match(text)
    assert found is not None, f"no template matches {text!r}"
    template, fields = found
    assert template.name == name, (text, template.name)
    assert string.Formatter().format(template.english, **fields) == text  # the form is the message


@pytest.mark.parametrize("name", sorted(CASES))
def test_chinese_has_no_english_words(name: str) -> None:
    text = message(name)
    zh = localize(text, "zh")
    assert zh != text or not english_words(text, data_values(text))  # "LTV $915 ÷ CAC $300" has none
    assert not english_words(zh, data_values(text)), zh
    for value in data_values(text):  # numbers and names as bizmodel wrote them
        assert value in zh, (value, zh)


@pytest.mark.parametrize(
    "text",
    [
        note("deepseek", "deepseek-flash"),  # six clauses
    ],
)
def test_composed_messages_are_chinese_throughout(text: str) -> None:
    zh = localize(text, "zh")
    assert not english_words(zh, data_values(text)), zh


def test_a_language_without_the_messages_gets_them_unchanged() -> None:
    text = message("note_name")
    assert localize(text, "fr") == text


MONEY = re.compile(r"-?[$¥]-?[\d,.]+(?:e-?\d+)?|[<>] -?[$¥]0\.01")


@pytest.mark.parametrize("name", sorted(CASES))
def test_english_keeps_its_words_and_writes_amounts_by_the_money_rule(name: str) -> None:
    """English keeps every word; each amount is written again by :func:`present.format.fmt_money_detail`
    (``$2,628.00`` → ``$2,628``, ``$1.096e-04`` → ``< $0.01``), and in yuan when CNY is chosen."""
    text = message(name)
    english = localize(text, "en")
    assert MONEY.sub("$N", english) == MONEY.sub("$N", text)
    amounts = money_values(text)
    for amount in amounts:
        assert fmt.fmt_money_detail(amount) in english
    with fmt.number_style(fmt.NumberStyle(currency="CNY", usd_to_cny=7.0)):
        yuan = localize(text, "en")
        for amount in amounts:
            assert fmt.fmt_money_detail(amount) in yuan
    assert not re.search(r"\$\s?-?\d", yuan), yuan  # ("$/hour" names the catalog's USD column)
    assert not re.search(r"[$¥]-?\d[\d,.]*e-?\d", english + yuan)  # never an exponent


@pytest.mark.parametrize(
    "text",
    [
        "",
        "the quick brown fox",
        "run run-1 jumped over the lazy dog: twice",  # a run's prefix, then unknown: prefix only
        "a; b; c",
        "accuracy 92.0% → 93.0%: something bizmodel never wrote",
    ],
)
def test_unknown_text_keeps_its_information(text: str) -> None:
    zh = localize(text, "zh")
    for word in REASON_WORD.findall(text.split(": ", 1)[-1]):
        assert word in zh


def test_unknown_text_is_unchanged() -> None:
    for text in ("the quick brown fox", "a; b; c", "no ranges; nothing else"):
        assert localize(text, "zh") == text


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300), st.sampled_from(["en", "zh", "xx"]))
def test_localize_never_raises(text: str, lang: str) -> None:
    assert isinstance(localize(text, lang), str)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(sorted(CASES)), min_size=1, max_size=4), st.text(max_size=20))
def test_localize_never_raises_on_mixed_messages(names: list[str], noise: str) -> None:
    text = "; ".join(message(n) for n in names) + noise
    assert isinstance(localize(text, "zh"), str)
