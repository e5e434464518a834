"""AppTest of the Evaluate page's learning-curve and variance tab (sweep and repeat jobs)."""

from __future__ import annotations

import json
from pathlib import Path

from mlcore.tasks import CurvePoint, LearningCurve, RepeatResult
from store import Store
from tests.app.conftest import make_app, seed_runs
from tests.app.test_pages import _no_errors
from ui.experiments_view import estimate_seconds

PAGE = "app_pages/evaluate.py"


def curve() -> LearningCurve:
    points = tuple(
        CurvePoint(f, int(1000 * f), acc, std, 0.5 + f, 2, (acc - std / 2, acc + std / 2))
        for f, acc, std in ((0.1, 0.70, 0.04), (0.5, 0.85, 0.02), (1.0, 0.90, 0.01))
    )
    return LearningCurve("2026-11-29T10:00:00Z", points, epochs=10)


def test_without_results_the_jobs_can_be_started(app_env: Path) -> None:
    seed_runs(Store(), 1)
    at = make_app(PAGE, run="run-0")
    _no_errors(at)
    assert any("No learning curve yet" in i.value for i in at.info)
    assert any("Not repeated yet" in i.value for i in at.info)
    at.multiselect(key="sweep_fractions").set_value([1.0, 0.25])
    at.number_input(key="sweep_seeds").set_value(3)
    at.button(key="sweep_start").click().run()
    _no_errors(at)
    job = Store().job_for_run("run-0", kind="sweep")
    assert job is not None and json.loads(job["request"]) == {"fractions": [0.25, 1.0], "seeds": 3}
    assert at.button(key="sweep_stop") is not None, "a running sweep can be stopped"


def test_one_fraction_is_not_enough(app_env: Path) -> None:
    seed_runs(Store(), 1)
    at = make_app(PAGE, run="run-0")
    at.multiselect(key="sweep_fractions").set_value([0.5]).run()
    _no_errors(at)
    assert any("at least two fractions" in w.value for w in at.warning)
    assert not [b for b in at.button if b.key == "sweep_start"]


def test_stored_curve_and_spread_are_shown(app_env: Path) -> None:
    store = Store()
    seed_runs(store, 1)
    rep = RepeatResult("2026-11-29T10:00:00Z", (42, 43, 44), (0.90, 0.92, 0.91), (1000.0, 1100.0, 1050.0))
    store.patch_run_record("run-0", learning_curve=curve().to_dict(), repeat=rep.to_dict())
    at = make_app(PAGE, run="run-0")
    _no_errors(at)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Gain from more data"] == "+20.0 pts"
    assert metrics["Test accuracy (mean ± std)"] == "91.0 % ± 1.00 pts"
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    sweep = [s for s in specs if "training samples" in json.dumps(s["layout"]["xaxis"])]
    assert sweep and sweep[0]["data"][0]["error_y"]["array"] == [4.0, 2.0, 1.0]


def test_a_stopped_sweep_says_the_curve_is_partial(app_env: Path) -> None:
    store = Store()
    seed_runs(store, 1)
    partial = LearningCurve("2026-11-29T10:00:00Z", curve().points[:2], epochs=10, complete=False)
    store.patch_run_record("run-0", learning_curve=partial.to_dict())
    at = make_app(PAGE, run="run-0")
    _no_errors(at)
    assert any("stopped early" in w.value for w in at.warning)


def test_estimate_scales_with_data_and_seeds() -> None:
    from tests.app.conftest import recorded

    _, run = recorded()
    one = estimate_seconds(run, [1.0], 1)
    assert one == run.train_seconds
    assert estimate_seconds(run, [0.5, 1.0], 2) == run.train_seconds * 3
    assert estimate_seconds(run.replace(train_seconds=None), [1.0], 2) is None
