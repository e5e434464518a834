"""AppTest: the Evaluate page's error analysis from a saved evaluation, and the calculator."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import numpy as np

from mlcore.evaluation import build_evaluation, evaluation_path, save_evaluation
from store import Store
from tests.support.app import make_app, seed_runs

PAGE = "app_pages/evaluate.py"
N_TEST = 120


def _no_errors(at) -> None:
    assert not at.exception, [e.value for e in at.exception]
    texts = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert "Traceback" not in texts
    assert "[evaluate." not in texts  # no untranslated catalog key shown


def _probs(y_true: np.ndarray, n_classes: int, rng: np.random.Generator) -> np.ndarray:
    """Probabilities that favour the true class about 80 % of the time."""
    probs = rng.dirichlet(np.ones(n_classes), size=len(y_true))
    right = rng.random(len(y_true)) < 0.8
    probs[right, y_true[right]] += 2.0
    return probs / probs.sum(axis=1, keepdims=True)


def _save_digits_evaluation(home: Path, run_id: str = "run-0", n: int = N_TEST) -> np.ndarray:
    """An evaluation shaped like the seeded runs' (8×8 digits, pixels 0–16); returns y_true."""
    rng = np.random.default_rng(3)
    y_true = rng.integers(0, 10, n)
    x = rng.integers(0, 17, (n, 8, 8)).astype(np.float32)
    ev = build_evaluation(
        run_id, tuple(str(i) for i in range(10)), y_true, _probs(y_true, 10, rng), x, pixel_max=16.0
    )
    save_evaluation(evaluation_path(home, run_id), ev)
    return y_true


def _array(value: object) -> np.ndarray:
    """A figure array from plotly's JSON: a plain list, or a typed array (``bdata``)."""
    if isinstance(value, dict):
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        return flat.reshape([int(n) for n in str(value.get("shape", len(flat))).split(",")])
    return np.array(value)


def _calc_values(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_renders_without_runs_and_the_calculator_still_works(app_env: Path) -> None:
    at = make_app(PAGE)
    _no_errors(at)
    assert at.info, "the empty state should point to Train"
    values = _calc_values(at)
    assert values["Accuracy"] == "0.833"
    assert values["Recall"] == "0.889"
    at.number_input(key="calc_fp").set_value(0).run()
    _no_errors(at)
    assert _calc_values(at)["Precision"] == "1.000"


def test_calculator_opens_on_the_article_example_with_the_correct_values(app_env: Path) -> None:
    seed_runs(Store(), 1)
    _save_digits_evaluation(app_env)
    at = make_app(PAGE, run="run-0")
    _no_errors(at)
    assert [at.number_input(key=f"calc_{k}").value for k in ("tp", "fp", "tn", "fn")] == [40, 10, 35, 5]
    values = _calc_values(at)
    assert values["Accuracy"] == "0.833"
    assert values["Precision"] == "0.800"
    assert values["Recall"] == "0.889"
    assert values["Specificity"] == "0.778"
    assert values["F1"] == "0.842"
    latex = " ".join(x.value for x in at.latex)
    assert r"\frac{75}{90} = 0.833" in latex and r"\frac{40}{45} = 0.889" in latex
    note = " ".join(i.value for i in at.info)
    assert "0.84" in note and "0.8 " in note and "75/90 = 0.833" in note


def test_calculator_edits_change_the_results_and_hide_the_article_note(app_env: Path) -> None:
    at = make_app(PAGE)
    at.number_input(key="calc_tp").set_value(90)
    at.number_input(key="calc_fn").set_value(10).run()
    _no_errors(at)
    values = _calc_values(at)
    assert values["Recall"] == "0.900"
    assert values["Accuracy"] == f"{125 / 145:.3f}"
    assert not any("article" in i.value for i in at.info)
    at.button(key="calc_reset").click().run()
    assert at.number_input(key="calc_tp").value == 40
    assert _calc_values(at)["Recall"] == "0.889"


def test_zero_denominators_show_undefined_with_the_reason(app_env: Path) -> None:
    at = make_app(PAGE)
    for key in ("tp", "fp"):
        at.number_input(key=f"calc_{key}").set_value(0)
    at.run()
    _no_errors(at)
    values = _calc_values(at)
    assert values["Precision"] == "undefined"
    assert values["Recall"] == "0.000" and values["F1"] == "0.000"
    captions = " ".join(c.value for c in at.caption)
    assert "undefined — no positive predictions" in captions
    for key in ("tn", "fn"):
        at.number_input(key=f"calc_{key}").set_value(0)
    at.run()
    _no_errors(at)
    assert set(_calc_values(at).values()) == {"undefined"}


def test_analysis_of_a_saved_evaluation(app_env: Path) -> None:
    seed_runs(Store(), 2)
    y_true = _save_digits_evaluation(app_env)
    at = make_app(PAGE, run="run-0")
    _no_errors(at)

    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    heatmap = next(s for s in specs if s["data"][0]["type"] == "heatmap")
    counts = _array(heatmap["data"][0]["text"])
    assert (
        counts.sum() == N_TEST and counts.sum(axis=1).tolist() == np.bincount(y_true, minlength=10).tolist()
    )
    assert heatmap["layout"]["xaxis"]["title"]["text"] == "predicted class"
    assert heatmap["layout"]["yaxis"]["title"]["text"] == "true class"
    assert heatmap["data"][0]["x"] == [str(i) for i in range(10)]
    pr = next(s for s in specs if s["data"][0]["type"] == "scatter")
    assert len(pr["data"]) == 10 and all("AP" in trace["name"] for trace in pr["data"])
    assert all(0 <= _array(trace["y"]).min() and _array(trace["y"]).max() <= 1 for trace in pr["data"])

    table = at.dataframe[0].value
    assert len(table) == 12
    assert table["support"].iloc[:10].tolist() == np.bincount(y_true, minlength=10).tolist()

    labels = {m.label for m in at.metric}
    assert {"Test accuracy", "Macro F1", "Weighted F1"} <= labels
    badges = " ".join(m.value for m in at.markdown)
    assert "measured · 0" in badges

    images = at.image[0]
    assert 0 < len(images.proto.imgs) <= 24
    caption = images.proto.imgs[0].caption
    assert caption.startswith("true ") and "→ predicted " in caption and caption.endswith("\u00a0%")

    at.number_input(key="gallery_count").set_value(3).run()
    _no_errors(at)
    assert len(at.image[0].proto.imgs) == 3

    # Another run with fewer kept errors clamps the count instead of failing.
    _save_digits_evaluation(app_env, "run-1", n=12)
    at.number_input(key="gallery_count").set_value(16).run()
    at.selectbox(key="run_picker").set_value("run-1").run()
    _no_errors(at)
    count = at.number_input(key="gallery_count").value
    assert 1 <= count < 16 and len(at.image[0].proto.imgs) == count


def test_table_dataset_lists_misclassified_rows_instead_of_pictures(app_env: Path) -> None:
    seed_runs(Store(), 1)
    rng = np.random.default_rng(5)
    y_true = rng.integers(0, 3, 60)
    x = rng.normal(size=(60, 4)).astype(np.float32)
    ev = build_evaluation(
        "run-0",
        ("setosa", "versicolor", "virginica"),
        y_true,
        _probs(y_true, 3, rng),
        x,
        pixel_max=None,
        feature_names=("sepal_length", "sepal_width", "petal_length", "petal_width"),
    )
    save_evaluation(evaluation_path(app_env, "run-0"), ev)
    at = make_app(PAGE, run="run-0")
    _no_errors(at)
    assert not at.image
    rows = at.dataframe[1].value
    assert "petal_width" in rows.columns
    assert (rows["__true"] != rows["__predicted"]).all()


def test_missing_evaluation_offers_to_compute_it(app_env: Path) -> None:
    seed_runs(Store(), 1)
    at = make_app(PAGE, run="run-0")
    _no_errors(at)
    assert any("has not been computed yet" in i.value for i in at.info)
    at.button(key="evaluate_task_start").click().run()
    _no_errors(at)
    job = Store().job_for_run("run-0", kind="evaluate")
    assert job is not None and job["status"] == "queued"


def test_damaged_evaluation_file_shows_a_clear_message(app_env: Path) -> None:
    seed_runs(Store(), 1)
    path = evaluation_path(app_env, "run-0")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a numpy archive")
    at = make_app(PAGE, run="run-0")
    _no_errors(at)
    assert any("cannot be read" in i.value for i in at.info)
    assert at.number_input(key="calc_tp").value == 40
