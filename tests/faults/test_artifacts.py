"""The shared artifact folder: where files go, how stored names resolve, atomic writes.

No TensorFlow: model files here are plain bytes written through the same atomic writer.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import numpy as np
import pytest

from mlcore.artifacts import ArtifactError, artifact_dir, artifact_name, resolve_artifact, write_atomically
from mlcore.evaluation import build_evaluation, evaluation_path, load_evaluation, save_evaluation
from mlcore.runs import delete_run, get_run, model_file, queued_record, run_row
from mlcore.specs import TrainRequest
from store import Store


def _finished_run(store: Store, model_path: str | None) -> str:
    record = queued_record(TrainRequest()).replace(status="completed", model_path=model_path)
    store.insert_run(run_row(record))
    return record.id


def test_the_folder_is_home_models_unless_configured(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MOATLAB_ARTIFACT_DIR", raising=False)
    assert artifact_dir(home) == home / "models"
    assert artifact_dir() == home / "models"  # MOATLAB_HOME by default
    monkeypatch.setenv("MOATLAB_ARTIFACT_DIR", "/mnt/shared/moatlab")
    assert artifact_dir(home) == Path("/mnt/shared/moatlab")
    assert evaluation_path(home, "r1") == Path("/mnt/shared/moatlab/r1.eval.npz")


def test_an_old_record_resolves_into_the_configured_folder(home: Path, shared: Path) -> None:
    store = Store()
    run_id = _finished_run(store, "models/old-run.keras")  # as every database stores it
    run = get_run(store, run_id)
    assert model_file(home, run) == (shared / "old-run.keras").resolve()
    assert artifact_name(shared / "old-run.keras") == "models/old-run.keras"


@pytest.mark.parametrize(
    "tampered",
    [
        "../moatlab.db",
        "/etc/passwd",
        "models/../moatlab.db",
        "models/x.txt",
        "models/sub/x.keras",
        "elsewhere/x.keras",
        "models/..",
        "",
    ],
)
def test_a_tampered_name_never_leaves_the_folder(home: Path, shared: Path, tampered: str) -> None:
    assert resolve_artifact(home, tampered, ".keras") is None


def test_a_symlink_out_of_the_folder_is_refused(home: Path, shared: Path, tmp_path: Path) -> None:
    shared.mkdir()
    outside = tmp_path / "secret.keras"
    outside.write_bytes(b"not yours")
    (shared / "escape.keras").symlink_to(outside)
    (shared / "inside.keras").write_bytes(b"model")
    assert resolve_artifact(home, "models/escape.keras", ".keras") is None
    assert resolve_artifact(home, "models/inside.keras", ".keras") == (shared / "inside.keras").resolve()


def test_a_failed_write_leaves_the_old_file_and_no_partial_one(home: Path, shared: Path) -> None:
    target = shared / "run.keras"
    write_atomically(target, lambda tmp: tmp.write_bytes(b"first"))
    assert target.read_bytes() == b"first"

    def full(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(ArtifactError) as info:
        write_atomically(target, full)
    assert str(info.value) == f"no space left in {shared} while saving the model: free space and train again"
    assert isinstance(info.value.__cause__, OSError) and info.value.__cause__.errno == errno.ENOSPC
    assert sorted(p.name for p in shared.iterdir()) == ["run.keras"]
    assert target.read_bytes() == b"first"

    def crash(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise RuntimeError("serialiser bug")

    with pytest.raises(RuntimeError, match="serialiser bug"):  # not an OSError: passed on as is
        write_atomically(target, crash)
    assert sorted(p.name for p in shared.iterdir()) == ["run.keras"]


def test_an_unwritable_folder_says_so(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv("MOATLAB_ARTIFACT_DIR", str(blocker / "models"))
    with pytest.raises(ArtifactError, match=r"could not save the model in .*a-file/models"):
        write_atomically(artifact_dir(home) / "r.keras", lambda tmp: tmp.write_bytes(b"m"))


def test_evaluations_live_in_the_folder_and_delete_removes_both(home: Path, shared: Path) -> None:
    store = Store()
    run_id = _finished_run(store, None)
    store.patch_run_record(run_id, model_path=f"models/{run_id}.keras")
    write_atomically(shared / f"{run_id}.keras", lambda tmp: tmp.write_bytes(b"model"))
    ev = build_evaluation(
        run_id,
        ("a", "b"),
        np.array([0, 1]),
        np.array([[0.9, 0.1], [0.2, 0.8]]),
        np.zeros((2, 3)),
        pixel_max=None,
    )
    save_evaluation(evaluation_path(home, run_id), ev)
    assert load_evaluation(shared / f"{run_id}.eval.npz", run_id=run_id).n_classes == 2
    assert not (home / "models").exists()
    assert delete_run(store, run_id, home=home)
    assert list(shared.iterdir()) == []


def test_a_full_disk_while_saving_an_evaluation_says_compute_it_again(
    home: Path, shared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(np, "savez_compressed", no_space)
    ev = build_evaluation(
        "r", ("a", "b"), np.array([0]), np.array([[0.6, 0.4]]), np.zeros((1, 1)), pixel_max=None
    )
    with pytest.raises(ArtifactError, match="while saving the evaluation: free space and compute it again"):
        save_evaluation(evaluation_path(home, "r"), ev)
    assert list(shared.iterdir()) == []
