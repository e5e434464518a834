"""Pure UI builders: tables of runs, comparison differences, figures and summaries."""

from __future__ import annotations

import json
from pathlib import Path

import plotly.io as pio
import pytest

from mlcore.specs import EpochReport, RunRecord
from present.chain import ChainNode, chain_html
from present.figures import (
    TEMPLATE_NAME,
    CurveLabels,
    compare_curves,
    hyperparameter_parallel,
    learning_curves,
)
from present.i18n import translate
from present.summary import summary_items
from present.tables import compare_frame, filter_runs, runs_frame

DATA = json.loads((Path(__file__).resolve().parents[1] / "app" / "data" / "recorded_run.json").read_text())
RUN = RunRecord.from_dict(DATA["record"])
REPORTS = [EpochReport.from_dict(r) for r in DATA["reports"]]


def tr(key: str, **kw: object) -> str:
    return translate(key, "en", **kw)


LABELS = CurveLabels("Curves", "Epoch", "Loss", "Accuracy", "train", "validation", "now")


def test_template_registered() -> None:
    assert TEMPLATE_NAME in pio.templates


def test_learning_curves_has_train_and_validation_on_both_panels() -> None:
    fig = learning_curves(RUN.history, LABELS)
    assert len(fig.data) == 4
    assert fig.data[0].y == tuple(h.loss for h in RUN.history)
    assert fig.data[1].line.dash == "dash"


def test_live_point_is_appended_mid_epoch() -> None:
    live = next(r for r in REPORTS if r.finished_epoch is None and r.epoch == 2)
    fig = learning_curves(RUN.history[:1], LABELS, live=live)
    xs = fig.data[0].x
    assert len(xs) == 2 and 1 < xs[-1] < 2


def test_compare_and_parallel() -> None:
    other = RUN.replace(id="b", name="B", test_accuracy=0.5)
    fig = compare_curves(
        [RUN, other],
        metric="accuracy",
        title="t",
        epoch_label="e",
        y_label="y",
        train_label="train",
        val_label="val",
    )
    assert len(fig.data) == 4
    par = hyperparameter_parallel(
        [RUN, other], title="p", dimension_labels={"learning_rate": "LR", "test_accuracy": "Acc"}
    )
    assert par.data[0].type == "parcoords"
    assert list(par.data[0].dimensions[1].values) == [RUN.test_accuracy, 0.5]


def test_chain_picture_links_every_step_and_escapes() -> None:
    nodes = [
        ChainNode("AI", "a", "train"),
        ChainNode("<script>", "b", "train"),
        ChainNode("Startup", "c", "runs"),
    ]
    out = chain_html(nodes, title="chain")
    assert out.count("<a ") == 3 and out.count("→") == 2
    assert "<script>" not in out and "&lt;script&gt;" in out


def test_runs_frame_and_filter() -> None:
    runs = [RUN, RUN.replace(id="x2", name="other", dataset="mnist-5k", status="failed")]
    frame = runs_frame(runs, tr)
    assert list(frame.index) == [RUN.id, "x2"]
    assert frame.loc["x2", "Status"] == "failed"
    assert filter_runs(runs, text="OTHER") == [runs[1]]
    assert filter_runs(runs, datasets=["digits"]) == [RUN]
    assert filter_runs(runs, statuses=["failed"]) == [runs[1]]
    assert runs_frame([], tr).empty


def test_compare_frame_differences() -> None:
    other = RUN.replace(id="b", name="B", test_accuracy=RUN.test_accuracy - 0.1, params=None)
    frame = compare_frame([RUN, other], tr)
    assert frame.loc["Test accuracy", "Δ 2 − 1"] == pytest.approx(-0.1)
    assert frame.loc["Parameters"].isna()["Δ 2 − 1"]


def test_summary_items_complete_and_sourced() -> None:
    items = {i.key: i for i in summary_items(RUN, tr)}
    assert items["test_accuracy"].value.endswith("%")
    assert items["energy"].provenance == "assumed"  # TDP share on this machine
    assert items["mfu"].provenance == "measured" and items["mfu"].detail == RUN.id.rsplit("-", 1)[-1]
    assert all(not i.label.startswith("[") for i in items.values())


def test_compare_legend_escapes_run_names() -> None:
    evil = RUN.replace(id="x-abcdef", name='<a href="https://evil.example">click</a>')
    fig = compare_curves(
        [evil], metric="loss", title="t", epoch_label="e", y_label="y", train_label="tr", val_label="va"
    )
    assert "<a " not in fig.data[0].name and "&lt;a href" in fig.data[0].name
