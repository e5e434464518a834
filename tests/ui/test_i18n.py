"""Every user-visible key the code uses exists in the English catalog, and the catalog is tidy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mlcore.specs import ACTIVATIONS, PRESETS, RUN_STATUSES, SCHEDULES
from ui.i18n import DEFAULT_LANGUAGE, available_languages, catalog, translate
from ui.tables import MEASUREMENTS
from ui.train_form import DATASET_CHOICES

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [ROOT / "app.py", *sorted((ROOT / "app_pages").glob("*.py")), *sorted((ROOT / "ui").glob("*.py"))]
LITERAL = re.compile(r"\b(?:t|tr)\(\s*\"([a-z_]+(?:\.[A-Za-z0-9_\-]+)+)\"")

# Keys built at run time (f-strings): each family with every value it can take.
DYNAMIC = (
    [f"status.{s}" for s in RUN_STATUSES]
    + [f"dataset.{d}" for d in DATASET_CHOICES]
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
