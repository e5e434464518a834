"""Every user-visible key the code uses exists in the English catalog, and the catalog is tidy."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from mlcore.datasets import BUILTIN
from mlcore.specs import ACTIVATIONS, PRESETS, RUN_STATUSES, SCHEDULES
from present.i18n import DEFAULT_LANGUAGE, available_languages, catalog, translate
from present.tables import MEASUREMENTS
from ui.components.train_form import DATASET_CHOICES

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [
    ROOT / "app.py",
    *sorted((ROOT / "app_pages").glob("*.py")),
    *sorted((ROOT / "ui").rglob("*.py")),
    *sorted((ROOT / "present").rglob("*.py")),
]
LITERAL = re.compile(r"\b(?:t|tr)\(\s*\"([a-z_]+(?:\.[A-Za-z0-9_\-]+)+)\"")

# Keys built at run time (f-strings): each family with every value it can take.
DYNAMIC = (
    [f"status.{s}" for s in RUN_STATUSES]
    + [f"dataset.{d}" for d in DATASET_CHOICES]
    + [f"dataset.source.{d}" for d in BUILTIN]
    + [f"dataset.status.{s}" for s in ("bundled", "cached", "download", "offline")]
    + [f"preset.{p}" for p in PRESETS]
    + [f"preset.{p}.about" for p in PRESETS]
    + [f"schedule.{s}" for s in SCHEDULES]
    + [f"provenance.{p}" for p in ("measured", "catalog", "assumed")]
    + [
        f"chain.{k}{suffix}"
        for k in ("ai", "model", "startup", "advantage")
        for suffix in ("", ".caption", ".link", ".about")
    ]
    + [f"chart.{m}" for m in ("loss", "accuracy", "compare_loss", "compare_accuracy")]
    + [
        f"hp.{k}"
        for k in ("learning_rate", "batch_size", "epochs", "layers", "dropout", "params", "test_accuracy")
    ]
    + [key for _, key, _ in MEASUREMENTS]
)
SUMMARY_KEYS = (
    "test_accuracy",
    "precision",
    "recall",
    "f1",
    "wall_time",
    "samples_per_second",
    "params",
    "flops_per_sample",
    "achieved_flops",
    "peak_flops",
    "mfu",
    "peak_memory",
    "device",
    "energy",
)


def used_literal_keys() -> set[str]:
    keys: set[str] = set()
    for path in SOURCES:
        keys |= set(LITERAL.findall(path.read_text(encoding="utf-8")))
    return keys


def test_scanner_finds_keys() -> None:
    assert len(used_literal_keys()) > 80


@pytest.mark.parametrize(
    "key",
    sorted(
        used_literal_keys()
        | set(DYNAMIC)
        | {f"m.{k}" for k in SUMMARY_KEYS}
        | {f"help.{k}" for k in SUMMARY_KEYS}
    ),
)
def test_key_in_english_catalog(key: str) -> None:
    assert key in catalog(DEFAULT_LANGUAGE), f"missing English text for {key}"


def test_activations_are_plain_words() -> None:
    assert all(a.isalpha() for a in ACTIVATIONS)


def test_catalog_placeholders_format() -> None:
    for key, text in catalog("en").items():
        names = re.findall(r"{(\w+)}", text)
        out = translate(key, "en", **{n: "X" for n in names})
        assert "{" not in out, key


def test_other_languages_only_known_keys() -> None:
    english = set(catalog("en"))
    for lang in available_languages():
        assert set(catalog(lang)) <= english, lang


def test_unknown_key_is_visible_not_a_crash() -> None:
    assert translate("nope.key") == "[nope.key]"
    assert translate("run.failed", "en") == catalog("en")["run.failed"]  # missing values: raw text


# ------------------------------------------------------------------ the Chinese catalog is complete

ZH = "zh"
CJK = re.compile(
    r"[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]"
)

# Keys whose Chinese text is the English one, on purpose. Keep this short: a key belongs here only
# when its text has no word to translate.
ZH_SAME_AS_ENGLISH = frozenset(
    {
        # names: the product, and code the page compares against
        "app.title",
        "overview.title",
        "inference.with_predict",  # model.predict
        # metric names, acronyms and architecture names used as they are in Chinese too
        "evaluate.col.f1",
        "evaluate.calc.f1",
        "evaluate.pr_legend",  # {name} · AP {ap}
        "kpi.ltv_to_cac",
        "advantage.item.ltv_to_cac",
        "model.ltv_over_cac",  # LTV {ltv_usd} ÷ CAC {cac_usd}
        "model.clauses",  # {parts}: clauses, each worded in its language
        "scenario.col.arr_usd",
        "scenario.col.money.arr_usd",
        "runcost.arch.arm",
        "runcost.arch.x86",
        "buildbuy.precision.bf16",
        # product names: network fabrics and the product's own name as a column
        "compute.fabric.efa",
        "compute.fabric.infiniband",
        "compute.fabric.roce",
        "compute.fabric.tcpx",
        "compute.validation.col.estimate",  # Moatlab
        "workbook.col.quantized",  # int8
        "workbook.unit.true_false",  # Excel's TRUE / FALSE
        # formulas
        "learn.loss.target_0",  # y = 0
        "learn.loss.target_1",
        "learn.gd.log_loss",  # log₁₀(1 + J)
        # a number and its unit symbol only
        "buildbuy.requests_month",
        "buildbuy.per_1000",
        "buildbuy.per_1000_requests",
        "buildbuy.per_month",
        "advantage.unit.fraction",
        "advantage.unit.ratio",
        "workbook.unit.money",
        "workbook.unit.percent",
        "workbook.unit.times",
        "report.unit.pct",
        "report.unit.money",
    }
)


def format_fields(text: str) -> set[str]:
    """The ``str.format`` field names of ``text`` (``{name}``, ``{value:.1f}`` → name, value)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_every_english_key_has_a_chinese_text() -> None:
    missing = sorted(set(catalog("en")) - set(catalog(ZH)))
    assert not missing, f"{len(missing)} keys have no Chinese text: {missing}"


def test_every_chinese_key_is_an_english_key() -> None:
    extra = sorted(set(catalog(ZH)) - set(catalog("en")))
    assert not extra, f"{len(extra)} Chinese keys are not in the English catalog: {extra}"


def test_chinese_placeholders_match_english() -> None:
    en, zh = catalog("en"), catalog(ZH)
    bad = []
    for key in sorted(set(en) & set(zh)):
        try:
            want, got = format_fields(en[key]), format_fields(zh[key])
        except ValueError as exc:  # an unbalanced brace: str.format would raise on it
            bad.append(f"{key}: {exc}")
            continue
        if want != got:
            bad.append(f"{key}: English {sorted(want)}, Chinese {sorted(got)}")
    assert not bad, "\n".join(bad)


def test_chinese_texts_are_chinese() -> None:
    """A Chinese text that differs from the English one contains Chinese."""
    en, zh = catalog("en"), catalog(ZH)
    bad = [f"{k}: {v!r}" for k, v in sorted(zh.items()) if v != en.get(k) and not CJK.search(v)]
    assert not bad, "\n".join(bad)


def test_chinese_same_as_english_only_where_allowed() -> None:
    en, zh = catalog("en"), catalog(ZH)
    same = {k for k, v in zh.items() if en.get(k) == v}
    assert not same - ZH_SAME_AS_ENGLISH, f"untranslated: {sorted(same - ZH_SAME_AS_ENGLISH)}"
    stale = ZH_SAME_AS_ENGLISH - same
    assert not stale, f"translated now (or gone): take them off ZH_SAME_AS_ENGLISH: {sorted(stale)}"


@pytest.mark.parametrize("lang", ["en", ZH])
def test_markdown_bold_is_balanced(lang: str) -> None:
    bad = [f"{k}: {v!r}" for k, v in sorted(catalog(lang).items()) if v.count("**") % 2]
    assert not bad, "\n".join(bad)
