"""Issue 20, D14: a 20,000-row catalog (the upload limit) is ranked in bounded work.

Profiled on the unfixed pages (``bench/catalog_pages.py`` has the figures): Compute spent most
of its 8.9 s marking ~100,000 options one ``.at`` at a time and drawing every one of them, Build
vs buy most of its 10.5 s pricing 15,000 instance rows one ``iterrows`` at a time for the LLM
table and listing ~14,000 of them in a picker, and both re-hashed the whole catalog for its
version at every use. The tests check the bounds and that nothing the pages show changes — not
the time (that is the bench's job).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bench.catalog_pages import large_catalog_csv
from bizmodel import catalog as catalog_mod
from bizmodel.buildbuy import LlmWorkload, self_hosted_options
from bizmodel.catalog import Catalog, load_bundled, read_catalog
from bizmodel.compute import cheapest, fastest, training_options
from bizmodel.training_work import TrainingWork
from present.compute_figures import MAX_CHART_POINTS, chart_points
from tests.support.app import make_app, no_errors
from ui.components import catalog as catalog_view
from ui.session.i18n import t
from ui.views.build_buy_llm import LLM_MAX_ROWS, llm_candidates
from ui.views.compute import option_marks


@pytest.fixture(scope="module")
def big() -> Catalog:
    instances, accelerators = large_catalog_csv(20_000)
    return read_catalog(instances, accelerators, name="big", today=date(2026, 12, 1))


@pytest.fixture(scope="module")
def options(big: Catalog) -> pd.DataFrame:
    return training_options(TrainingWork.pretrain(7e9, 140e9), big.instances, big.accelerators)


def _marks_one_by_one(options: pd.DataFrame) -> pd.Series:
    """The page's marks as the unfixed code made them: a loop over every option."""
    low, high = cheapest(options), fastest(options)
    marks = pd.Series("", index=options.index, dtype=object)
    for index in options.index:
        found = []
        if low is not None and index == low.name:
            found.append(t("compute.mark.cheapest"))
        if high is not None and index == high.name:
            found.append(t("compute.mark.fastest"))
        if not found and bool(options.at[index, "pareto"]):
            found.append(t("compute.mark.frontier"))
        marks.at[index] = " · ".join(found)
    return marks


def test_the_marks_are_the_same_as_one_by_one(options: pd.DataFrame) -> None:
    sample = options.iloc[np.r_[0:300, -300:0]]  # a frontier and both ends, in page order
    pd.testing.assert_series_equal(option_marks(sample), _marks_one_by_one(sample))
    bundled = load_bundled()
    small = training_options(TrainingWork.pretrain(1e9, 2e10), bundled.instances, bundled.accelerators)
    pd.testing.assert_series_equal(option_marks(small), _marks_one_by_one(small))


def test_the_chart_draws_a_bounded_sample_that_keeps_what_matters(options: pd.DataFrame) -> None:
    feasible = options[options["feasible"]]
    assert len(feasible) > MAX_CHART_POINTS  # the case this bounds
    points = chart_points(options)
    assert len(points) <= MAX_CHART_POINTS and points.index.is_unique
    frontier = feasible[feasible["pareto"]]
    drawn = set(zip(points["days"], points["cost_usd"], strict=True))
    distinct = set(zip(frontier["days"], frontier["cost_usd"], strict=True))
    assert len(distinct) <= MAX_CHART_POINTS // 2 and distinct <= drawn  # every point of the frontier
    assert {cheapest(options).name, fastest(options).name} <= set(points.index)
    assert points["days"].min() == feasible["days"].min() and points["days"].max() == feasible["days"].max()
    pd.testing.assert_frame_equal(points, options.loc[points.index])  # options drawn as they are
    few = options.head(50)
    pd.testing.assert_frame_equal(chart_points(few), few[few["feasible"]])


@pytest.mark.parametrize("params", [8e9, 70e9, 400e9])
def test_the_llm_table_prices_a_bounded_set_with_the_same_best_option(big: Catalog, params: float) -> None:
    instances, accelerators = large_catalog_csv(2_000)  # above the bound, small enough to price whole
    mid = read_catalog(instances, accelerators, name="mid", today=date(2026, 12, 1))
    workload = LlmWorkload(params, 1000, 300)
    for catalog in (mid, big):
        kept = llm_candidates(catalog)
        assert len(kept.instances) <= LLM_MAX_ROWS
    everything = self_hosted_options(workload, mid)
    bounded = self_hosted_options(workload, llm_candidates(mid))
    fits_all, fits_kept = everything[everything["fits_in_memory"]], bounded[bounded["fits_in_memory"]]
    assert len(fits_kept) > 0
    best_all, best_kept = fits_all.iloc[0], fits_kept.iloc[0]
    assert best_kept["usd_per_request"] == best_all["usd_per_request"]
    bundled = load_bundled()
    assert llm_candidates(bundled) is bundled  # a catalog of a few hundred rows is used whole


def test_the_catalog_version_is_hashed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    real = catalog_mod._canonical_csv

    def counted(*args: object, **kwargs: object) -> bytes:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(catalog_mod, "_canonical_csv", counted)
    catalog = load_bundled()
    versions = {catalog.version for _ in range(5)}
    assert len(versions) == 1 and len(calls) == 2  # one canonical CSV per table, once


def test_both_pages_render_a_20000_row_catalog_within_their_bounds(app_env: Path, big: Catalog) -> None:
    version = catalog_view.save_catalog(big)
    at = make_app("app_pages/compute.py", catalog=version)
    no_errors(at)
    chart = next(
        c for c in at.get("plotly_chart") if "pareto" in str(c.proto.id) or "Cost against" in c.proto.spec
    )
    import json

    figure = json.loads(chart.proto.spec)
    drawn = sum(len(trace.get("x") or []) for trace in figure["data"] if trace.get("mode") == "markers")
    assert drawn <= MAX_CHART_POINTS + 2  # the sample, plus the cheapest and fastest rings
    assert any("even sample" in c.value for c in at.caption)
    bb = make_app("app_pages/build_buy.py", catalog=version)
    no_errors(bb)
    picker = bb.selectbox(key="bb_llm_option")
    assert 0 < len(picker.options) <= LLM_MAX_ROWS
