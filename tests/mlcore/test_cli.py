"""``python -m mlcore``: the scripting contract on real data: training as a real process (signals,
the entry point); refusals and listings through ``main(argv)`` in this process."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli.training import build_parser, prepare, request_from_args
from tests.support import ROOT
from tests.support.cli import mlcore_env as cli_env
from tests.support.cli import mlcore_process as run_cli
from tests.support.cli import run_mlcore

RECORD_KEYS = {
    "id",
    "status",
    "dataset",
    "n_train",
    "n_test",
    "params",
    "flops_per_sample",
    "wall_seconds",
    "samples_per_second",
    "achieved_flops_per_second",
    "peak_flops_per_second",
    "mfu",
    "device",
    "test_accuracy",
    "test_precision_macro",
    "test_recall_macro",
    "test_f1_macro",
    "confusion_matrix",
    "history",
}
EPOCH_KEYS = {"loss", "accuracy", "val_loss", "val_accuracy", "seconds"}
ONE_CLASS_CSV = "a,b,label\n" + "1,2,x\n" * 30


@pytest.fixture(scope="module")
def trained(cli_home: Path) -> dict:
    proc = run_cli(
        cli_home, "train", "--dataset", "digits", "--preset", "article-mlp", "--epochs", "2", "--json"
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)  # stdout is exactly one JSON document


@pytest.mark.slow
def test_train_json_prints_the_whole_record(trained: dict, cli_home: Path) -> None:
    assert RECORD_KEYS <= trained.keys()
    assert trained["status"] == "completed" and trained["error"] is None
    assert trained["dataset"] == "digits"
    assert trained["n_train"] + trained["n_val"] + trained["n_test"] == 1797
    assert len(trained["history"]) == 2
    assert all(EPOCH_KEYS <= epoch.keys() for epoch in trained["history"])
    assert sum(map(sum, trained["confusion_matrix"])) == trained["n_test"]
    assert 0 < trained["mfu"] <= 1 and trained["samples_per_second"] > 0
    assert trained["test_accuracy"] > 0.3
    assert (cli_home / trained["model_path"]).is_file()


@pytest.mark.slow
def test_runs_lists_the_saved_run(trained: dict, cli_home: Path) -> None:
    proc = run_mlcore(cli_home, "runs", "--json")
    assert proc.returncode == 0, proc.stderr
    runs = json.loads(proc.stdout)
    assert [r["id"] for r in runs] == [trained["id"]]
    assert runs[0]["status"] == "completed" and runs[0]["history"] == trained["history"]
    table = run_mlcore(cli_home, "runs")
    assert table.returncode == 0 and trained["id"] in table.stdout and "completed" in table.stdout


@pytest.mark.slow
def test_runs_on_an_empty_home_lists_nothing_without_loading_tensorflow(tmp_path: Path) -> None:
    proc = run_mlcore(tmp_path, "runs", "--json")
    assert proc.returncode == 0 and json.loads(proc.stdout) == []
    probe = (
        "import sys; from cli.training import main; code = main(['runs']); "
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'TF loaded'; sys.exit(code)"
    )
    listed = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env=cli_env(tmp_path),
        capture_output=True,
        text=True,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    assert "no runs yet" in listed.stdout


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        pytest.param(["--epochs", "0"], "epochs must be 1 to 500", id="epochs 0"),
        pytest.param(["--dataset", "nope"], "invalid choice: 'nope'", id="unknown dataset"),
        pytest.param(["--hidden", "64,x"], "expected whole numbers", id="bad hidden"),
        pytest.param(["--lr", "100"], "learning rate", id="learning rate"),
        pytest.param(["--val-fraction", "0.7"], "validation fraction", id="val fraction"),
        pytest.param(["--csv", "missing.csv", "--label", "y"], "cannot read missing.csv", id="missing csv"),
        pytest.param(["--csv", "{bad}", "--label", "label"], "single class", id="bad csv"),
        pytest.param(["--csv", "{bad}"], "--csv needs --label", id="csv without label"),
        pytest.param(
            ["--csv", "{bad}", "--label", "label", "--dataset", "digits"], "exclude", id="two datasets"
        ),
        pytest.param(["--dataset", "mnist"], "not available offline", id="mnist offline"),
        pytest.param(
            ["--filters", "8,8,8,8", "--dataset", "digits"], "use fewer convolution layers", id="cnn too deep"
        ),
        pytest.param(
            ["--preset", "small-cnn", "--csv", "{good}", "--label", "y"], "needs image data", id="cnn csv"
        ),
    ],
)
def test_bad_arguments_or_data_exit_2_with_one_line(tmp_path: Path, args: list[str], reason: str) -> None:
    (tmp_path / "bad.csv").write_text(ONE_CLASS_CSV)
    (tmp_path / "good.csv").write_text("a,b,y\n" + "1,2,x\n3,4,z\n" * 15)
    args = [a.format(bad=tmp_path / "bad.csv", good=tmp_path / "good.csv") for a in args]
    started = time.monotonic()
    proc = run_mlcore(tmp_path, "train", *args)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("python -m mlcore: error: ")
    assert reason in lines[0]
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert time.monotonic() - started < 30  # refused before TensorFlow is loaded
    assert (
        not (tmp_path / "moatlab.db").exists()
        or json.loads(run_mlcore(tmp_path, "runs", "--json").stdout) == []
    )


def test_options_map_onto_the_spec() -> None:
    parse = build_parser().parse_args
    article = request_from_args(parse(["train", "--epochs", "3", "--batch-size", "64", "--lr", "0.01"]))
    assert article.spec.preset == "article-mlp" and article.spec.hidden_units == (64, 64)
    assert (article.spec.epochs, article.spec.batch_size, article.spec.learning_rate) == (3, 64, 0.01)
    assert article.dataset == "mnist-5k" and article.mixed_precision and not article.force_cpu

    custom = request_from_args(
        parse(
            [
                "train",
                "--hidden",
                "128,64",
                "--activation",
                "gelu",
                "--dropout",
                "0.2",
                "--l2",
                "0.001",
                "--optimizer",
                "sgd",
                "--momentum",
                "0.8",
                "--schedule",
                "cosine",
                "--patience",
                "3",
                "--seed",
                "7",
                "--split-seed",
                "5",
                "--val-fraction",
                "0.15",
                "--test-fraction",
                "0.25",
                "--force-cpu",
                "--no-mixed-precision",
                "--name",
                "wide",
            ]
        )
    )
    spec = custom.spec
    assert spec.preset == "custom" and spec.hidden_units == (128, 64) and spec.activation == "gelu"
    assert (spec.dropout, spec.l2, spec.optimizer, spec.momentum) == (0.2, 0.001, "sgd", 0.8)
    assert (spec.lr_schedule, spec.early_stopping_patience, spec.seed) == ("cosine", 3, 7)
    assert (custom.split_seed, custom.val_fraction, custom.test_fraction) == (5, 0.15, 0.25)
    assert custom.force_cpu and not custom.mixed_precision and custom.name == "wide"

    cnn = request_from_args(parse(["train", "--filters", "8,16", "--hidden", "32"]))
    assert cnn.spec.architecture == "cnn" and cnn.spec.conv_filters == (8, 16) and cnn.spec.preset == "custom"
    small = request_from_args(parse(["train", "--preset", "small-cnn", "--epochs", "1"]))
    assert small.spec.preset == "small-cnn" and small.spec.conv_filters == (16, 32)


def test_a_csv_is_copied_into_uploads_by_content(tmp_path: Path) -> None:
    source = tmp_path / "elsewhere" / "My Data.csv"
    source.parent.mkdir()
    source.write_text("f1,f2,y\n" + "1,2,a\n3,4,b\n" * 15)
    home = tmp_path / "home"
    args = build_parser().parse_args(["train", "--csv", str(source), "--label", "y"])
    request, data = prepare(args, home)
    saved = Path(request.csv_path)
    assert saved.parent == home / "uploads" and saved.suffix == ".csv"
    assert "My Data" not in saved.name and saved.read_bytes() == source.read_bytes()
    assert request.dataset == "csv" and request.csv_name == "My Data.csv" and request.label_column == "y"
    assert data.x.shape == (30, 2) and data.class_names == ("a", "b")
    again, _ = prepare(build_parser().parse_args(["train", "--csv", str(source), "--label", "y"]), home)
    assert again.csv_path == request.csv_path and len(list((home / "uploads").iterdir())) == 1


@pytest.mark.slow
def test_ctrl_c_stops_the_run_and_keeps_it(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "mlcore", "train", "--dataset", "digits", "--epochs", "300", "--name", "long"],
        cwd=ROOT,
        env=cli_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 180
        for line in proc.stderr:  # progress lines, one per finished epoch
            if line.startswith("epoch 2/300") or time.monotonic() > deadline:
                break
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr[-2000:]
    assert "Traceback" not in stderr
    assert "stopped" in stdout and "'long'" in stdout  # the human summary
    runs = json.loads(run_mlcore(tmp_path, "runs", "--json").stdout)
    assert len(runs) == 1 and runs[0]["status"] == "stopped" and runs[0]["name"] == "long"
    assert 2 <= len(runs[0]["history"]) < 300 and runs[0]["test_accuracy"] is not None
