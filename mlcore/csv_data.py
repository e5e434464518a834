"""The user's own CSV: decoded, parsed and validated into features and labels, with every refusal
naming the column and the line (:func:`validate_csv`). Limits are in one place here: the uploader,
the command line and the README state the same numbers. :func:`mlcore.datasets.load` turns a
validated table into a :class:`~mlcore.datasets.Dataset` like any other."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mlcore.datasets import Dataset, make_dataset
from mlcore.errors import DatasetError
from safetext import hidden_character, listed, shown
from tablecheck import NumberProblem, csv_problem, numbered, numbers

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
        return make_dataset(
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
