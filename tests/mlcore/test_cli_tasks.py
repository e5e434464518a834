"""``python -m mlcore bench-inference | sweep | predict``: real subprocesses on real data."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import numpy as np
import pytest

from mlcore.datasets import load
from mlcore.runs import get_run
from store import Store
from tests.support.cli import mlcore_process as run_cli

pytestmark = pytest.mark.slow

ROW_KEYS = {"device", "path", "batch_size", "p50_ms", "p95_ms", "p99_ms", "samples_per_second"}
POINT_KEYS = {"n_train", "accuracy_mean", "accuracy_std", "train_seconds", "steps", "epochs_run", "capped"}


@pytest.fixture(scope="module")
def digits_run(cli_home: Path) -> str:
    out = run_cli(cli_home, "train", "--dataset", "digits", "--epochs", "12", "--json")
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)["id"]


@pytest.fixture(scope="module")
def csv_run(cli_home: Path) -> tuple[str, Path]:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 3))
    label = np.where(x[:, 0] + x[:, 1] > 0, "yes", "no")
    path = cli_home / "table.csv"
    lines = ["f1,f2,f3,label"] + [
        f"{a:.4f},{b:.4f},{c:.4f},{y}" for (a, b, c), y in zip(x, label, strict=True)
    ]
    path.write_text("\n".join(lines) + "\n")
    out = run_cli(cli_home, "train", "--csv", str(path), "--label", "label", "--epochs", "20", "--json")
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout)["id"], path


def test_bench_inference_prints_and_stores_the_profile(cli_home: Path, digits_run: str) -> None:
    out = run_cli(
        cli_home, "bench-inference", "--run", digits_run, "--batch-sizes", "1,64",
        "--min-calls", "5", "--min-seconds", "0.05", "--json",
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    rows = json.loads(out.stdout)
    assert rows and all(ROW_KEYS <= set(r) for r in rows)
    assert {r["path"] for r in rows} == {"compiled", "predict", "int8"}
    assert {r["batch_size"] for r in rows} == {1, 64}
    home_store = Store(f"sqlite:///{cli_home / 'moatlab.db'}")
    assert len(get_run(home_store, digits_run).inference.rows) == len(rows)


def test_sweep_prints_and_stores_the_points(cli_home: Path, digits_run: str) -> None:
    out = run_cli(
        cli_home,
        "sweep",
        "--run",
        digits_run,
        "--fractions",
        "0.1,1",
        "--seeds",
        "2",
        "--max-epochs",
        "5",
        "--json",
    )
    assert out.returncode == 0, out.stderr[-2000:]
    points = json.loads(out.stdout)
    assert [p["fraction"] for p in points] == [0.1, 1.0]
    assert all(POINT_KEYS <= set(p) for p in points)
    assert points[1]["accuracy_mean"] > points[0]["accuracy_mean"]
    # Each fraction trained to convergence: the small one took more than 10 % of the run's steps.
    assert points[0]["steps"] > 0.1 * 12 * math.ceil(points[1]["n_train"] / 32)
    text = run_cli(
        cli_home, "sweep", "--run", digits_run, "--fractions", "0.2,1", "--seeds", "2", "--max-epochs", "3"
    )
    assert text.returncode == 0 and "n_train" in text.stdout and "steps" in text.stdout
    assert "rule: early-stopping: each training until its validation loss" in text.stdout
    assert "at most 3 epochs" in text.stdout


def test_predict_an_image_file(cli_home: Path, digits_run: str) -> None:
    from PIL import Image

    data = load("digits")
    picture = (np.kron(data.x[0], np.ones((30, 30))) / 16 * 255).astype(np.uint8)  # a 240×240 "0"
    path = cli_home / "zero.png"
    buf = io.BytesIO()
    Image.fromarray(picture).save(buf, format="PNG")
    path.write_bytes(buf.getvalue())
    out = run_cli(cli_home, "predict", "--run", digits_run, "--image", str(path), "--json")
    assert out.returncode == 0, out.stderr[-2000:]
    (answer,) = json.loads(out.stdout)
    assert answer["input"] == "zero.png" and answer["class"] == "0"
    assert len(answer["top"]) == 3 and answer["probability"] == answer["top"][0]["probability"]
    text = run_cli(cli_home, "predict", "--run", digits_run, "--image", str(path))
    assert text.returncode == 0 and text.stdout.startswith("zero.png: 0 (")


def test_predict_csv_rows(cli_home: Path, csv_run: tuple[str, Path]) -> None:
    run_id, _ = csv_run
    rows = cli_home / "rows.csv"
    rows.write_text("f3,f1,f2\n0,3,3\n0,-3,-3\n")  # any column order; the label is not needed
    out = run_cli(cli_home, "predict", "--run", run_id, "--csv", str(rows), "--json")
    assert out.returncode == 0, out.stderr[-2000:]
    answers = json.loads(out.stdout)
    assert [a["class"] for a in answers] == ["yes", "no"]
    assert [a["input"] for a in answers] == ["row 1", "row 2"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sweep", "--run", "nope"], "does not exist"),
        (["sweep", "--run", "{run}", "--fractions", "0.5"], "at least 2 distinct fractions"),
        (["sweep", "--run", "{run}", "--fractions", "a,b"], "expected numbers"),
        (["sweep", "--run", "{run}", "--max-epochs", "0"], "1 to 500"),
        (["bench-inference", "--run", "{run}", "--batch-sizes", "0"], "between 1 and 4096"),
        (["predict", "--run", "{run}", "--csv", "rows.csv"], "trained on images"),
        (["predict", "--run", "{run}", "--image", "missing.png"], "does not exist"),
        (["predict", "--run", "{run}", "--image", "not-an-image.png"], "not an image"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    cli_home: Path, digits_run: str, args: list[str], message: str
) -> None:
    (cli_home / "not-an-image.png").write_text("hello")
    args = [a.replace("{run}", digits_run) for a in args]
    args = [str(cli_home / a) if a.endswith((".png", ".csv")) else a for a in args]
    out = run_cli(cli_home, *args, timeout=60)
    assert out.returncode == 2, out.stdout + out.stderr
    assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert "Traceback" not in out.stderr
