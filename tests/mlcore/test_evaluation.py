"""Evaluation files: build, save atomically, load; damaged or foreign files are refused."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from mlcore.evaluation import EvaluationError, build_evaluation, load_evaluation, save_evaluation


def sample(run_id: str = "r1") -> object:
    y = np.array([0, 1, 2, 1, 0, 2])
    probs = np.eye(3)[[0, 2, 2, 1, 1, 2]] * 0.8 + 0.2 / 3
    x = np.arange(6 * 4, dtype=np.float32).reshape(6, 2, 2)
    return build_evaluation(run_id, ("a", "b", "c"), y, probs, x, pixel_max=255.0, keep_first=2)


def test_round_trip_keeps_every_array(tmp_path: Path) -> None:
    ev = sample()
    path = tmp_path / "r1.eval.npz"
    save_evaluation(path, ev)
    back = load_evaluation(path, run_id="r1")
    assert back.class_names == ("a", "b", "c") and back.pixel_max == 255.0
    np.testing.assert_array_equal(back.y_true, ev.y_true)
    np.testing.assert_allclose(back.probs, ev.probs)
    assert back.kept.tolist() == [0, 1, 4]  # the first two, then the errors (positions 1 and 4)
    np.testing.assert_array_equal(back.features_of(4), ev.x_kept[2])
    assert back.features_of(3) is None
    assert not list(tmp_path.glob("*.partial*")), "no temporary file is left behind"


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) // 2],  # truncated zip
        lambda b: b[:40] + bytes(200) + b[240:],  # zeroed bytes inside the compressed data
        lambda b: b"not a zip at all",
        lambda b: b"",
    ],
)
def test_a_damaged_file_is_refused_with_a_reason(tmp_path: Path, damage: object) -> None:
    path = tmp_path / "r1.eval.npz"
    save_evaluation(path, sample())
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    with pytest.raises(EvaluationError, match="compute it again"):
        load_evaluation(path, run_id="r1")


def test_another_runs_file_or_inconsistent_arrays_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "r1.eval.npz"
    save_evaluation(path, sample("other"))
    with pytest.raises(EvaluationError, match="another run"):
        load_evaluation(path, run_id="r1")
    bad = sample()
    object.__setattr__(bad, "y_true", np.array([0, 1, 2, 1, 0, 7]))
    save_evaluation(path, bad)
    with pytest.raises(EvaluationError, match="outside the classes"):
        load_evaluation(path)
    with pytest.raises(EvaluationError, match="no saved evaluation"):
        load_evaluation(tmp_path / "missing.eval.npz")
