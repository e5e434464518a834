"""Disk full while saving a model: the run fails with a clear message, keeps its history,
records no model and leaves no partial file; the next run saves into the artifact folder.

Trains real (tiny) models in this process through the command line's path
(:func:`mlcore.worker.run_foreground`, the worker's own code), with the artifact folder set by
``MOATLAB_ARTIFACT_DIR`` to a folder outside ``MOATLAB_HOME``.
"""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from mlcore import worker
from mlcore.artifacts import artifact_dir
from mlcore.evaluation import evaluation_path, load_evaluation
from mlcore.runs import get_run, model_file
from mlcore.specs import TrainRequest, preset_spec
from store import Store

pytestmark = pytest.mark.slow


def test_a_full_disk_fails_the_run_cleanly_and_the_next_run_works(
    home: Path, shared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mlcore.engine import train as train_mod

    store = Store()
    engine = worker.Engine(home)
    request = TrainRequest(spec=preset_spec("article-mlp", epochs=2), dataset="digits")
    real_write = train_mod._write_model
    attempts: list[Path] = []

    def full_disk(model: object, path: Path) -> None:
        attempts.append(path)
        path.write_bytes(b"PK\x03\x04 half a zip")  # what a save cut short leaves behind
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(train_mod, "_write_model", full_disk)
    failed = worker.run_foreground(store, request, home, engine=engine)

    assert artifact_dir(home) == shared
    assert attempts and attempts[0].parent == shared  # the save went to the shared folder
    assert failed.status == "failed"
    assert failed.error == (f"no space left in {shared} while saving the model: free space and train again")
    stored = get_run(store, failed.id)
    assert stored is not None and stored.status == "failed" and stored.error == failed.error
    assert len(stored.history) == 2 and stored.epochs_completed == 2  # every finished epoch kept
    assert stored.model_path is None and model_file(home, stored) is None
    assert sorted(p.name for p in shared.iterdir()) == []  # no partial .keras, no evaluation
    assert not (home / "models").exists()

    monkeypatch.setattr(train_mod, "_write_model", real_write)
    ok = worker.run_foreground(store, request, home, engine=engine)
    assert ok.status == "completed" and ok.error is None
    assert ok.model_path == f"models/{ok.id}.keras"  # the portable name old databases use
    saved = model_file(home, ok)
    assert saved is not None and saved.parent == shared.resolve() and saved.is_file()
    assert load_evaluation(evaluation_path(home, ok.id), run_id=ok.id).run_id == ok.id
    assert sorted(p.name for p in shared.iterdir()) == [f"{ok.id}.eval.npz", f"{ok.id}.keras"]
    assert not (home / "models").exists()
