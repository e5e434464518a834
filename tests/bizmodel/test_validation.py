"""Moatlab's estimates against published runs: every ratio within the band the docs justify."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bizmodel.compute import Assumptions
from bizmodel.validation import (
    BAND,
    MEDIAN_BAND,
    VALIDATION_COLUMNS,
    published_inference,
    published_training,
    summarise,
    validation_table,
)

TABLE = validation_table()


def test_the_tables_cover_what_a_reader_needs() -> None:
    training = TABLE[TABLE["kind"] == "training"]
    runs = training[training["unit"] == "gpu_hours"]
    assert len(runs) >= 8 and runs["organisation"].nunique() >= 4
    assert set(training["architecture"]) == {"dense", "moe"}
    assert training["year"].min() == 2020 and training["year"].max() == 2025
    assert (TABLE["kind"] == "serving").sum() >= 3
    assert tuple(TABLE.columns) == VALIDATION_COLUMNS
    assert (TABLE["source"].str.len() > 10).all() and (TABLE["scope"].str.len() > 5).all()
    assert len(published_training()) + len(published_inference()) == len(TABLE)


@pytest.mark.parametrize("name", TABLE["name"].tolist())
def test_every_estimate_is_within_the_band(name: str) -> None:
    row = TABLE.set_index("name").loc[name]
    assert BAND[0] <= row["ratio"] <= BAND[1], (
        f"{name}: estimate {row['estimate']:.4g} vs {row['published']:.4g}"
    )


def test_the_typical_row_is_close() -> None:
    summary = {s.kind: s for s in summarise(TABLE)}
    assert summary["all"].median_abs_log <= MEDIAN_BAND
    assert summary["training"].median_abs_log <= MEDIAN_BAND
    assert summary["all"].within_band == summary["all"].rows == len(TABLE)


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [
        # The article's own subject, pinned tighter: dense runs of known shape on known hardware.
        ("Llama 2 70B", 0.95, 1.3),
        ("Llama 3.1 405B", 0.8, 1.1),
        ("DeepSeek-V3", 0.9, 1.25),
        ("GPT-3 175B", 0.98, 1.02),
        ("Chinchilla 70B (N_opt)", 0.95, 1.1),
        ("MLPerf v4.0 Llama 2 70B Offline · 8 × H100-SXM", 0.85, 1.2),
    ],
)
def test_anchor_rows(name: str, low: float, high: float) -> None:
    ratio = float(TABLE.set_index("name").loc[name, "ratio"])
    assert low <= ratio <= high


def test_a_double_counted_scale_loss_would_fail_the_median_band() -> None:
    # The defect this table guards against: a scale loss on top of an MFU already measured at scale
    # (0.4 × 0.95^log2(256 nodes) = 0.27) makes every run about 1.5× too expensive.
    worse = validation_table(assumptions=Assumptions(mfu=0.4 * 0.95**8))
    assert summarise(worse)[-1].median_abs_log > MEDIAN_BAND


def test_ratios_are_estimate_over_published() -> None:
    assert np.allclose(TABLE["ratio"] * TABLE["published"], TABLE["estimate"], rtol=1e-12)
    assert all(
        math.isclose(math.log(r), lr) for r, lr in zip(TABLE["ratio"], TABLE["log_ratio"], strict=True)
    )


def test_a_catalog_without_the_published_accelerators_falls_back_to_the_bundled_specs() -> None:
    from bizmodel.catalog import load_bundled, validate

    bundled = load_bundled()
    only_l4 = bundled.accelerators[bundled.accelerators["accelerator"] == "L4"]
    instances = bundled.instances[bundled.instances["accelerator"].isin(["L4", ""])]
    small = validate(instances, only_l4, name="small")
    assert validation_table(small)["ratio"].tolist() == pytest.approx(TABLE["ratio"].tolist())
