"""Issue 20: "one Stop click once had no effect" — the Stop path, and the window where it cannot.

The path: the page's Stop button → ``JobManager.stop`` → ``Store.request_stop`` (a queued job
stops at once; a running one gets ``stop_requested``) → the worker's monitor reads the flag with
its heartbeat (every 0.3 s) and sets the job's stop event → the progress callback stops training
at the next batch end or epoch end (validation included) → the run ends ``stopped`` with its
finished epochs. A queued job claimed at the same moment is guarded (the update only applies to a
job still queued; otherwise the flag is set on the running job).

The window: a Stop that reaches the worker after the last epoch has ended (the last fraction of a
second of training, then the test evaluation and the model file) cannot stop anything any more —
the run completes, whole, while its job says a stop was asked. That is the click "with no effect".
Nothing is lost; the page now says so instead of showing the summary as if nobody had clicked.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from store import Store
from tests.support.app import ReplayWorker, make_app, no_errors


def _start(replay: ReplayWorker) -> Any:
    at = make_app("app_pages/train.py")
    at.selectbox(key="dataset").set_value("digits").run()
    at.button(key="start").click().run()
    replay.claim()
    return at


def test_a_stop_after_the_last_epoch_is_explained_not_silent(replay: ReplayWorker) -> None:
    at = _start(replay)
    while replay.advance(3):  # every epoch trained; the worker is evaluating and saving
        at.run()
    at.button(key="stop_job").click().run()  # the click comes now
    assert Store().get_job(replay.job["id"])["stop_requested"]
    replay.finish("completed")  # nothing was left to stop: the run completes
    at.run()
    at.run()
    no_errors(at)
    assert any("after its last epoch had finished" in i.value for i in at.info)
    assert any("completed" in s.value for s in at.success)


def test_a_completed_run_nobody_stopped_has_no_such_note(replay: ReplayWorker) -> None:
    at = _start(replay)
    while replay.advance(3):
        at.run()
    replay.finish("completed")
    at.run()
    at.run()
    no_errors(at)
    assert not any("after its last epoch" in i.value for i in at.info)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("moment", "status"), [("last validation", "stopped"), ("after training", "completed")]
)
def test_where_a_stop_still_stops_the_run(tmp_path: Path, moment: str, status: str) -> None:
    """The engine honours a stop up to the end of the last epoch (its validation included); after
    that the run completes. Real training of the article MLP on digits, 2 epochs."""
    import keras

    from mlcore.datasets import load
    from mlcore.engine.devices import choose_device
    from mlcore.engine.train import TrainContext, train
    from mlcore.specs import TrainRequest, preset_spec

    stop = threading.Event()

    class Clicks(keras.callbacks.Callback):
        """Sets the stop event at ``moment`` (callbacks given to train run after its own)."""

        epoch = 0

        def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
            self.epoch = epoch

        def on_test_begin(self, logs: dict | None = None) -> None:
            if moment == "last validation" and self.epoch == 1:
                stop.set()

        def on_train_end(self, logs: dict | None = None) -> None:
            if moment == "after training":
                stop.set()

    request = TrainRequest(spec=preset_spec("article-mlp", epochs=2), dataset="digits")
    context = TrainContext("run-stop", "2026-01-01T00:00:00Z", tmp_path, choose_device(force_cpu=True), None)
    record = train(request, load("digits"), context, stop_event=stop, callbacks=[Clicks()])
    assert stop.is_set()
    assert record.status == status
    assert record.epochs_completed == 2  # either way both epochs were trained and kept


def test_a_sweep_that_finished_before_its_stop_says_so(app_env: Path) -> None:
    from tests.support.app import seed_runs

    store = Store()
    seed_runs(store, 1)
    store.submit_job({"id": "sweep-1", "run_id": "run-0", "kind": "sweep", "request": "{}"})
    store.claim_job("worker:1")
    store.request_stop("sweep-1")  # the click comes as the last training ends
    store.finish_task("sweep-1", status="completed", result="{}")
    at = make_app("app_pages/evaluate.py", run="run-0")
    no_errors(at)
    assert any("before your Stop reached it" in i.value for i in at.info)
