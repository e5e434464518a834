"""AppTest of the Evaluate page's learning-curve and variance tab (sweep and repeat jobs)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from mlcore.tasks import CURVE_MAX_EPOCHS, CURVE_RULE, CurvePoint, LearningCurve, RepeatResult
from store import Store
from tests.support.app import make_app, no_errors, seed_runs
from ui.components.sweep import estimate_seconds

PAGE = "app_pages/evaluate.py"


def curve() -> LearningCurve:
    """A curve as stored before sweeps recorded their rule (the old rule: the run's epochs)."""
    points = tuple(
        CurvePoint(f, int(1000 * f), acc, std, 0.5 + f, 2, (acc - std / 2, acc + std / 2))
        for f, acc, std in ((0.1, 0.70, 0.04), (0.5, 0.85, 0.02), (1.0, 0.90, 0.01))
    )
    return LearningCurve("2026-11-29T10:00:00Z", points, epochs=10)


def converged_curve(*, capped: int = 0) -> LearningCurve:
    """A curve whose points trained to convergence (early stopping), with steps per point."""
    points = tuple(
        dataclasses.replace(p, steps=steps, epochs_run=40.0, capped=capped if i == 2 else 0)
        for i, (p, steps) in enumerate(zip(curve().points, (580, 1320, 1900), strict=True))
    )
    return LearningCurve(
        "2026-11-29T10:00:00Z", points, epochs=10, rule=CURVE_RULE, patience=5, max_epochs=CURVE_MAX_EPOCHS
    )


def test_without_results_the_jobs_can_be_started(app_env: Path) -> None:
    seed_runs(Store(), 1)
    at = make_app(PAGE, run="run-0")
    no_errors(at)
    assert any("No learning curve yet" in i.value for i in at.info)
    assert any("Not repeated yet" in i.value for i in at.info)
    at.multiselect(key="sweep_fractions").set_value([1.0, 0.25])
    at.number_input(key="sweep_seeds").set_value(3)
    at.button(key="sweep_start").click().run()
    no_errors(at)
    job = Store().job_for_run("run-0", kind="sweep")
    # No cap chosen on the page: the sweep's default (CURVE_MAX_EPOCHS, or the run's epochs).
    expected = {"fractions": [0.25, 1.0], "seeds": 3, "max_epochs": None}
    assert job is not None and json.loads(job["request"]) == expected
    assert at.button(key="sweep_stop") is not None, "a running sweep can be stopped"


def test_one_fraction_is_not_enough(app_env: Path) -> None:
    seed_runs(Store(), 1)
    at = make_app(PAGE, run="run-0")
    at.multiselect(key="sweep_fractions").set_value([0.5]).run()
    no_errors(at)
    assert any("at least two fractions" in w.value for w in at.warning)
    assert not [b for b in at.button if b.key == "sweep_start"]


def test_stored_curve_and_spread_are_shown(app_env: Path) -> None:
    store = Store()
    seed_runs(store, 1)
    rep = RepeatResult("2026-11-29T10:00:00Z", (42, 43, 44), (0.90, 0.92, 0.91), (1000.0, 1100.0, 1050.0))
    store.patch_run_record("run-0", learning_curve=curve().to_dict(), repeat=rep.to_dict())
    at = make_app(PAGE, run="run-0")
    no_errors(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Gain from more data"] == "+20.0 pts"
    assert metrics["Test accuracy (mean ± std)"] == "91.0 % ± 1.00 pts"
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    sweep = [s for s in specs if "training samples" in json.dumps(s["layout"]["xaxis"])]
    assert sweep and sweep[0]["data"][0]["error_y"]["array"] == [4.0, 2.0, 1.0]


def test_an_old_curve_says_it_was_trained_by_the_old_rule(app_env: Path) -> None:
    store = Store()
    seed_runs(store, 1)
    store.patch_run_record("run-0", learning_curve=curve().to_dict())
    at = make_app(PAGE, run="run-0")
    no_errors(at)
    assert any(
        w.value.startswith("Old rule: every fraction trained only for the run's 10 epochs")
        for w in at.warning
    )
    assert not any("validation loss stopped improving" in c.value for c in at.caption)


def test_a_converged_curve_says_how_its_points_were_trained(app_env: Path) -> None:
    store = Store()
    seed_runs(store, 1)
    store.patch_run_record("run-0", learning_curve=converged_curve(capped=1).to_dict())
    at = make_app(PAGE, run="run-0")
    no_errors(at)
    rule = [c.value for c in at.caption if "validation loss stopped improving" in c.value]
    assert rule and f"at most {CURVE_MAX_EPOCHS} epochs" in rule[0]
    assert "1 of 6 trainings reached the 60-epoch cap first" in rule[0]
    assert not any("Old rule" in w.value for w in at.warning)
    table = at.dataframe[0].value
    assert list(table["Steps per training"]) == [580, 1320, 1900]
    zh = make_app(PAGE, run="run-0", lang="zh")
    no_errors(zh)
    assert any("验证损失不再下降" in c.value for c in zh.caption)


def test_a_stopped_sweep_says_the_curve_is_partial(app_env: Path) -> None:
    store = Store()
    seed_runs(store, 1)
    partial = LearningCurve("2026-11-29T10:00:00Z", curve().points[:2], epochs=10, complete=False)
    store.patch_run_record("run-0", learning_curve=partial.to_dict())
    at = make_app(PAGE, run="run-0")
    no_errors(at)
    assert any("stopped early" in w.value for w in at.warning)


def test_estimate_is_every_training_running_to_the_cap() -> None:
    from tests.support.app import recorded

    _, run = recorded()
    per_epoch = run.train_seconds / run.epochs_completed
    # Every fraction's epoch is about one of the run's: the bound is trainings × cap × epoch time.
    assert estimate_seconds(run, [1.0], 1) == pytest.approx(per_epoch * CURVE_MAX_EPOCHS)
    assert estimate_seconds(run, [0.1, 1.0], 2) == pytest.approx(per_epoch * CURVE_MAX_EPOCHS * 4)
    assert estimate_seconds(run.replace(train_seconds=None), [1.0], 2) is None
