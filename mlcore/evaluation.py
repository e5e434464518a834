"""A run's test-set evaluation, kept beside its model: what the Evaluate page analyses.

The worker writes it when a training run ends (and on request for older runs) as
``<artifact folder>/<run_id>.eval.npz`` (``MOATLAB_ARTIFACT_DIR``, else ``MOATLAB_HOME/models``;
see :mod:`mlcore.artifacts`): the true labels and the predicted class
probabilities of every test sample, plus the raw features of a few test samples (the
misclassified ones the gallery shows, and the first test samples "pick an image" offers).
The file is plain numpy arrays read with ``allow_pickle=False``: nothing in it is ever unpickled.

Conventions: ``probs[i, j]`` is the probability the model gave class ``j`` for test sample
``i`` (rows sum to 1); ``kept`` are positions in the test split (0-based) whose raw features
are in ``x_kept`` (the values as stored: pixels 0–255 for MNIST, 0–16 for the 8×8 digits,
the CSV's numbers for tables).

Client side: numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mlcore.artifacts import artifact_dir, write_atomically

#: How many misclassified test samples keep their features (the most confident errors first).
KEEP_ERRORS = 200
#: How many of the first test samples keep their features (to try the model on).
KEEP_FIRST = 60


class EvaluationError(ValueError):
    """An evaluation file is missing or unreadable; the message says what to do."""


@dataclass(frozen=True, eq=False)
class Evaluation:
    """Test-set predictions of one run (see the module docstring for conventions)."""

    run_id: str
    class_names: tuple[str, ...]
    y_true: np.ndarray
    probs: np.ndarray
    kept: np.ndarray
    x_kept: np.ndarray
    pixel_max: float | None
    feature_names: tuple[str, ...] = ()

    @property
    def y_pred(self) -> np.ndarray:
        """Predicted class of each test sample (argmax of ``probs``)."""
        return self.probs.argmax(axis=1)

    @property
    def confidence(self) -> np.ndarray:
        """Probability of the predicted class, per test sample (0–1)."""
        return self.probs.max(axis=1)

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def is_image(self) -> bool:
        return self.pixel_max is not None

    def features_of(self, position: int) -> np.ndarray | None:
        """Raw features of test sample ``position`` when kept, else None."""
        hits = np.flatnonzero(self.kept == position)
        return self.x_kept[int(hits[0])] if len(hits) else None


def evaluation_path(home: Path, run_id: str) -> Path:
    """Where the evaluation of ``run_id`` lives: in the artifact folder of ``home``
    (``MOATLAB_ARTIFACT_DIR``, else ``home/models``)."""
    return artifact_dir(Path(home)) / f"{run_id}.eval.npz"


def build_evaluation(
    run_id: str,
    class_names: tuple[str, ...],
    y_true: np.ndarray,
    probs: np.ndarray,
    x_test: np.ndarray,
    *,
    pixel_max: float | None,
    feature_names: tuple[str, ...] = (),
    keep_errors: int = KEEP_ERRORS,
    keep_first: int = KEEP_FIRST,
) -> Evaluation:
    """Assemble an :class:`Evaluation`, keeping the features of the most confident errors
    and of the first test samples.

    >>> ev = build_evaluation("r", ("a", "b"), np.array([0, 1, 1]),
    ...     np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7]]), np.zeros((3, 2)), pixel_max=None,
    ...     keep_first=1)
    >>> ev.kept.tolist(), ev.y_pred.tolist()
    ([0, 1], [0, 0, 1])
    """
    y_true = np.asarray(y_true, dtype=np.int64)
    probs = np.asarray(probs, dtype=np.float32)
    if probs.ndim != 2 or len(probs) != len(y_true) or len(x_test) != len(y_true):
        raise EvaluationError("labels, probabilities and features must cover the same test samples")
    wrong = np.flatnonzero(probs.argmax(axis=1) != y_true)
    wrong = wrong[np.argsort(-probs[wrong].max(axis=1), kind="stable")][:keep_errors]
    kept = np.unique(np.concatenate([np.arange(min(keep_first, len(y_true))), wrong])).astype(np.int64)
    return Evaluation(
        run_id=run_id,
        class_names=tuple(class_names),
        y_true=y_true,
        probs=probs,
        kept=kept,
        x_kept=np.asarray(x_test, dtype=np.float32)[kept],
        pixel_max=pixel_max,
        feature_names=tuple(feature_names),
    )


def save_evaluation(path: Path, ev: Evaluation, *, then: str = "compute it again") -> None:
    """Write ``ev`` to ``path`` atomically (a partial file never replaces a good one).

    Raises :class:`~mlcore.artifacts.ArtifactError` when the file cannot be written (a full
    disk: "no space left in <folder> while saving the evaluation: free space and <then>").
    """

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as fh:
            np.savez_compressed(
                fh,
                run_id=np.array(ev.run_id),
                class_names=np.array(ev.class_names, dtype=str),
                y_true=ev.y_true,
                probs=ev.probs,
                kept=ev.kept,
                x_kept=ev.x_kept,
                pixel_max=np.array(np.nan if ev.pixel_max is None else ev.pixel_max),
                feature_names=np.array(ev.feature_names, dtype=str),
            )

    write_atomically(path, write, what="evaluation", then=then)


def load_evaluation(path: Path, *, run_id: str | None = None) -> Evaluation:
    """Read an evaluation file (of run ``run_id`` when given).

    Raises :class:`EvaluationError` when it is missing, damaged, inconsistent or another run's.
    """
    if not Path(path).is_file():
        raise EvaluationError("this run has no saved evaluation yet")
    try:
        with np.load(path, allow_pickle=False) as data:
            pixel_max = float(data["pixel_max"])
            ev = Evaluation(
                run_id=str(data["run_id"]),
                class_names=tuple(str(c) for c in data["class_names"]),
                y_true=data["y_true"].astype(np.int64),
                probs=data["probs"].astype(np.float32),
                kept=data["kept"].astype(np.int64),
                x_kept=data["x_kept"].astype(np.float32),
                pixel_max=None if np.isnan(pixel_max) else pixel_max,
                feature_names=tuple(str(c) for c in data["feature_names"]),
            )
    except Exception as exc:  # a damaged zip or array raises many types (BadZipFile, zlib.error, …)
        raise EvaluationError(
            f"the saved evaluation cannot be read ({type(exc).__name__}); compute it again"
        ) from exc
    _check_consistent(ev, run_id)
    return ev


def _check_consistent(ev: Evaluation, run_id: str | None) -> None:
    """Refuse an evaluation whose arrays disagree with each other or with its run."""
    n, k = len(ev.y_true), len(ev.class_names)
    problems = [
        (run_id is not None and ev.run_id != run_id, "it belongs to another run"),
        (ev.probs.ndim != 2 or ev.probs.shape != (n, k), "its probabilities do not match its labels"),
        (n > 0 and (ev.y_true.min() < 0 or ev.y_true.max() >= k), "a label is outside the classes"),
        (len(ev.kept) != len(ev.x_kept), "its kept samples do not match their features"),
        (
            len(ev.kept) > 0 and (ev.kept.min() < 0 or ev.kept.max() >= n),
            "a kept sample is outside the test split",
        ),
        (not np.isfinite(ev.probs).all(), "it holds non-finite probabilities"),
    ]
    for bad, why in problems:
        if bad:
            raise EvaluationError(f"the saved evaluation does not fit this run ({why}); compute it again")
