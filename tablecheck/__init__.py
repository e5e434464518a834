"""Tables declared once: the columns of an uploaded CSV or an edited table, checked cell by cell.

A leaf package (it imports numpy, pandas and :mod:`safetext`, nothing else of the project), so
:mod:`bizmodel` (the price catalog, the LLM API price list) and :mod:`mlcore` (the user's CSV
dataset) check tables with the same rules and word refusals the same way.

Conventions
-----------
* A :class:`Column` says once what a cell may hold: its ``kind`` (``text``, ``number``, ``date``,
  ``choice``), whether it is ``required``, a number's bounds (``minimum``, ``exclusive``,
  ``whole``), a choice's allowed values, whether text may span lines (``free_text``), and the
  ``hint`` that ends every refusal of the column with what to change.
* A :class:`Table` holds the columns in file order, the key that may appear once, the exception
  class its owner raises (``CatalogError``, ``BuildBuyError``, …), its size limits and the
  owner's wording of file-level refusals (:class:`CsvWords`).
* Every refusal names where: ``"<what>, line 7, column 'as_of': …"``. Lines are the file's (the
  header is line 1; a quoted line break counts, so a row's line is its *first* line); rows of an
  edited table are numbered from 1. Values from the file are quoted short (:func:`safetext.shown`).
* Blank cells (empty or only spaces, ``None``, NaN) are empty. Numbers become ``float64`` (NaN
  when an optional cell is empty) and must be finite; text is stripped; a date is ISO
  ``YYYY-MM-DD`` and not after ``today``.

>>> prices = Table(
...     columns=(
...         Column("model", hint="enter the model"),
...         Column("usd", "number", minimum=0.0, hint="enter a price in USD"),
...         Column("as_of", "date", hint="write the date as YYYY-MM-DD"),
...     ),
...     error=ValueError,
...     key=("model",),
... )
>>> rows = prices.read_csv(b"model,usd,as_of\\nm1,0.5,2026-01-31\\n", what="list 'a.csv'")
>>> prices.check_rows(rows, today=date(2026, 2, 1)).to_dict("list")
{'model': ['m1'], 'usd': [0.5], 'as_of': ['2026-01-31']}
>>> rows = prices.read_csv(b"model,usd,as_of\\nm1,free,2026-01-31\\n", what="list 'a.csv'")
>>> prices.check_rows(rows, today=date(2026, 2, 1))
Traceback (most recent call last):
...
ValueError: list 'a.csv', line 2, column 'usd': 'free' is not a number >= 0; enter a price in USD.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, Protocol

import numpy as np
import pandas as pd

from safetext import control_character_problem, from_spreadsheet, listed, shown

__all__ = [
    "Column",
    "CsvWords",
    "NumberProblem",
    "Rows",
    "Table",
    "cell_text",
    "csv_problem",
    "format_number",
    "is_blank",
    "iso_date",
    "numbered",
    "numbers",
]

Kind = Literal["text", "number", "date", "choice"]
#: One row of cells by column name, as read (strings from a file; anything from an edited table).
Row = dict[str, object]
#: A checked row under construction; a hook (see :meth:`Table.check_rows`) reads it and may refuse it.
Record = dict[str, object]
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_MB = 1024 * 1024  # the uploader's megabyte


def is_blank(value: object) -> bool:
    """Whether a cell is empty: ``None``, NaN, or text of only spaces.

    >>> is_blank(None), is_blank(float("nan")), is_blank("  "), is_blank(0)
    (True, True, True, False)
    """
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == ""


def cell_text(value: object) -> str:
    """A cell as stripped text, ``""`` when blank.

    >>> cell_text("  a "), cell_text(None)
    ('a', '')
    """
    return "" if is_blank(value) else str(value).strip()


def format_number(value: float) -> str:
    """A float as written back: ``""`` for NaN, whole numbers without a decimal point, others exact.

    >>> format_number(3.0), format_number(0.1), format_number(float("nan"))
    ('3', '0.1', '')
    """
    if math.isnan(value):
        return ""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def iso_date(text: str, *, at: str, column: str, hint: str, today: date) -> str | None:
    """The refusal of a date cell (empty, not ``YYYY-MM-DD``, after ``today``), or None when fine.

    >>> print(iso_date("2026-13-01", at="line 2", column="as_of", hint="fix it", today=date(2026, 1, 1)))
    line 2, column 'as_of': '2026-13-01' is not an ISO date; fix it.
    >>> iso_date("2025-12-31", at="line 2", column="as_of", hint="fix it", today=date(2026, 1, 1)) is None
    True
    """
    if not text:
        return f"{at}, column {column!r}: empty; {hint}."
    try:
        parsed = date.fromisoformat(text) if _ISO_DATE.fullmatch(text) else None
    except ValueError:
        parsed = None
    if parsed is None:
        return f"{at}, column {column!r}: {shown(text)} is not an ISO date; {hint}."
    if parsed > today:
        return f"{at}, column {column!r}: {text} is in the future (today is {today.isoformat()}); {hint}."
    return None


def csv_problem(
    exc: csv.Error,
    *,
    long_hint: str = "shorten it (or close a quote left open)",
    invalid: str = "not valid CSV ({error}); fix the quoting",
) -> str:
    """Python's CSV error in words a person can act on (no final full stop).

    ``long_hint`` ends the refusal of a value over :func:`csv.field_size_limit`; ``invalid``
    words any other error, ``{error}`` standing for Python's message, quoted short.

    >>> csv_problem(csv.Error("unexpected end of data"))
    "not valid CSV ('unexpected end of data'); fix the quoting"
    """
    if "field larger than field limit" in str(exc):
        return f"a value is longer than {csv.field_size_limit():,} characters; {long_hint}"
    return invalid.format(error=shown(str(exc)))


class LineReader(Protocol):
    """What :func:`numbered` needs of a reader: :func:`csv.reader`'s records and line count."""

    line_num: int

    def __iter__(self) -> Iterator[list[str]]: ...


def numbered(reader: LineReader) -> Iterator[tuple[int, list[str]]]:
    """Each record of a :func:`csv.reader` after the ones already read, with its first line in the
    file (a quoted line break makes a record span lines; the reader counts them).

    >>> reader = csv.reader(io.StringIO('a,b\\n1,"x\\ny"\\n2,z\\n'))
    >>> header = next(reader)
    >>> [(line, fields[0]) for line, fields in numbered(reader)]
    [(2, '1'), (4, '2')]
    """
    previous_end = reader.line_num
    for fields in reader:
        start, previous_end = previous_end + 1, reader.line_num
        yield start, fields


NumberReason = Literal["missing", "not_a_number", "infinite", "too_large"]


@dataclass(frozen=True)
class NumberProblem:
    """Why a column of numbers cannot be used: a reason code, the first cell's 0-based position and
    its text (the caller words the refusal and turns the position into a line)."""

    reason: NumberReason
    position: int
    text: str


def numbers(
    cells: pd.Series, *, missing: Collection[str] = ("",), max_abs: float = math.inf
) -> tuple[np.ndarray, NumberProblem | None]:
    """A text column (stripped cells) as float64, and its first problem, or None.

    Checked in this order, each over the whole column: a missing cell (its lower-case text in
    ``missing``), a cell that is not a number (:func:`pandas.to_numeric`), an infinite one, one
    with ``|x| > max_abs`` (3e38 for 32-bit floats).

    >>> values, problem = numbers(pd.Series(["1", "2.5", "x", ""]), missing=("", "nan"))
    >>> problem
    NumberProblem(reason='missing', position=3, text='')
    >>> numbers(pd.Series(["1", "inf"]))[1].reason, numbers(pd.Series(["1", "2"]))[0].tolist()
    ('infinite', [1.0, 2.0])
    """
    values = pd.to_numeric(cells, errors="coerce").to_numpy(dtype=np.float64)
    checks: tuple[tuple[NumberReason, np.ndarray], ...] = (
        ("missing", cells.str.lower().isin(list(missing)).to_numpy()),
        ("not_a_number", np.isnan(values)),
        ("infinite", np.isinf(values)),
        ("too_large", np.abs(values) > max_abs),
    )
    for reason, bad in checks:
        where = np.flatnonzero(bad)
        if len(where):
            position = int(where[0])
            return values, NumberProblem(reason, position, str(cells.iloc[position]))
    return values, None


@dataclass(frozen=True)
class Column:
    """One declared column and what its cells may hold.

    Attributes
    ----------
    name : str
        The header name.
    kind : {"text", "number", "date", "choice"}
        Text (stripped), a finite number (``float64``), an ISO date (kept as text) or one of
        ``choices``.
    required : bool
        Whether a cell may be empty (an empty optional number is NaN, empty text ``""``).
    hint : str
        What to change, the end of every refusal of this column.
    minimum, exclusive, whole : float or None, bool, bool
        A number's bound: ``>= minimum`` (``> minimum`` when ``exclusive``), a whole number when
        ``whole``.
    expect : str
        The wording of the bound in a refusal, when not the default (``"a number >= 0"``).
    choices : tuple[str, ...]
        The allowed values of a ``choice`` column (an empty optional cell is allowed too).
    lower : bool
        Whether a choice is compared (and kept) in lower case.
    free_text : bool
        Whether text may hold tabs and line breaks (notes, sources); other control and invisible
        characters are refused in every text and choice cell (:func:`safetext.hidden_character`).
    plain : bool
        Whether control characters are checked at all (False: a choice outside ``choices`` is
        refused as such).
    absent_ok : bool
        Whether the header may lack the column (its cells are then empty).
    """

    name: str
    kind: Kind = "text"
    required: bool = True
    hint: str = ""
    minimum: float | None = None
    exclusive: bool = False
    whole: bool = False
    expect: str = ""
    choices: tuple[str, ...] = ()
    lower: bool = False
    free_text: bool = False
    plain: bool = True
    absent_ok: bool = False

    @property
    def bound(self) -> str:
        """How a refusal words what a number must be, e.g. ``"a whole number >= 0"``."""
        if self.expect:
            return self.expect
        noun = "a whole number" if self.whole else "a number"
        if self.minimum is None:
            return noun
        return f"{noun} {'>' if self.exclusive else '>='} {self.minimum:g}"

    def _fits(self, number: float) -> bool:
        if not math.isfinite(number) or (self.whole and not number.is_integer()):
            return False
        if self.minimum is None:
            return True
        return number > self.minimum if self.exclusive else number >= self.minimum

    def check(self, value: object, *, at: str, today: date, error: type[ValueError]) -> str | float:
        """The cell's value (a float for numbers, stripped text otherwise), else ``error`` naming
        the row (``at``), the column and what to change."""
        if self.kind == "number":
            return self._number(value, at=at, error=error)
        text = cell_text(value)
        problem = None
        if self.kind == "date":
            problem = iso_date(text, at=at, column=self.name, hint=self.hint, today=today)
        elif self.plain:
            problem = control_character_problem(text, at=at, column=self.name, free_text=self.free_text)
        if problem is None and self.kind == "choice":
            text = text.lower() if self.lower else text
            if text not in self.choices and (text or self.required):
                problem = (
                    f"{at}, column {self.name!r}: {shown(text)} is not one of {', '.join(self.choices)}; "
                    f"{self.hint}."
                )
        elif problem is None and not text and self.required:
            problem = f"{at}, column {self.name!r}: empty; {self.hint}."
        if problem is not None:
            raise error(problem)
        return text

    def _number(self, value: object, *, at: str, error: type[ValueError]) -> float:
        if is_blank(value):
            if self.required:
                raise error(f"{at}, column {self.name!r}: empty; {self.hint}.")
            return math.nan
        try:
            number = math.nan if isinstance(value, bool) else float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            number = math.nan
        if not self._fits(number):
            text = format_number(value) if isinstance(value, float) else cell_text(value)
            raise error(f"{at}, column {self.name!r}: {shown(text)} is not {self.bound}; {self.hint}.")
        return number


@dataclass(frozen=True)
class CsvWords:
    """How a table's owner words the refusals of a whole file (placeholders in braces).

    ``{what}`` is the file (``"price list 'mine.csv'"``); ``{mb}`` its size in the uploader's
    megabytes (1,048,576 bytes), ``{decimal_mb}`` in millions of bytes; ``{limit_mb}`` and
    ``{limit_kib}`` the limit; ``{limit}`` the most rows. The defaults are the catalog's.
    """

    too_big: str = (
        "{what} is {mb:.1f} MB, over the {limit_mb} MB limit (1 MB = 1,048,576 bytes, as the "
        "uploader counts): upload a smaller file."
    )
    not_utf8: str = "save it as CSV UTF-8 and upload again"
    empty: str = "upload a CSV with a header row and at least one data row"
    header_at: str = "{what}"
    too_many_rows: str = "{what} has more than {limit:,} data rows: split it or keep the rows you need."
    ragged: str = "quote values that contain commas and give every row one value per column"
    long_value: str = "shorten it (or close a quote left open)"
    no_rows: str = "{what} has a header but no data rows: add at least one row."


@dataclass(frozen=True)
class Rows:
    """Rows read from a file or a table, and how to name each in a refusal.

    ``lines`` holds each row's first line in the file; without lines rows are named by their
    1-based position (``"row 3"``).
    """

    what: str
    rows: list[Row]
    lines: tuple[int, ...] | None = None

    def place(self, index: int) -> str:
        """``"line 7"`` or ``"row 3"`` for the row at ``index``."""
        return f"line {self.lines[index]}" if self.lines is not None else f"row {index + 1}"

    def at(self, index: int) -> str:
        """The prefix of a refusal about the row at ``index``: ``"<what>, line 7"``."""
        return f"{self.what}, {self.place(index)}"


@dataclass(frozen=True)
class Table:
    """A declared table: its columns, key, limits and the exception its owner raises.

    Attributes
    ----------
    columns : tuple[Column, ...]
        In file order (the header a download writes).
    error : type[ValueError]
        Raised with the refusal (e.g. ``CatalogError``).
    key : tuple[str, ...]
        Columns whose values together may appear on one row only; checked after a row's cells.
    duplicate : callable or None
        ``(record, at, first) -> refusal`` for a repeated key, ``first`` naming the earlier row
        (``"line 2"``); a generic refusal when None.
    max_bytes, max_rows : int
        The largest file (bytes) and the most data rows.
    unquote : bool
        Whether a cell written safe for spreadsheets (a leading ``'``) is read back without it
        (:func:`safetext.from_spreadsheet`).
    words : CsvWords
        The wording of refusals of the whole file.
    """

    columns: tuple[Column, ...]
    error: type[ValueError]
    key: tuple[str, ...] = ()
    duplicate: Callable[[Record, str, str], str] | None = None
    max_bytes: int = 5 * _MB
    max_rows: int = 20_000
    unquote: bool = False
    words: CsvWords = field(default_factory=CsvWords)

    @property
    def names(self) -> tuple[str, ...]:
        """The column names in file order."""
        return tuple(c.name for c in self.columns)

    @property
    def numeric(self) -> tuple[str, ...]:
        """The names of the number columns."""
        return tuple(c.name for c in self.columns if c.kind == "number")

    def check_header(self, header: Sequence[str], *, at: str) -> None:
        """Refuse duplicated, missing and unexpected columns (linear in the header's width).

        >>> Table((Column("a"), Column("b")), error=ValueError).check_header(["a", "c"], at="file 'x'")
        Traceback (most recent call last):
        ...
        ValueError: file 'x': missing column(s) 'b'; the header must be: a,b.
        """
        counts = Counter(header)
        duplicated = [c for c, n in counts.items() if n > 1]
        if duplicated:
            raise self.error(f"{at}: column {shown(min(duplicated))} appears more than once; keep one.")
        expected = self.names
        missing = [c.name for c in self.columns if c.name not in counts and not c.absent_ok]
        if missing:
            raise self.error(
                f"{at}: missing column(s) {', '.join(repr(c) for c in missing)}; "
                f"the header must be: {','.join(expected)}."
            )
        known = set(expected)
        extra = [c for c in header if c not in known]
        if extra:
            raise self.error(
                f"{at}: unexpected column(s) {listed(shown(c, limit=30) for c in extra)}; remove them "
                f"(the columns are: {','.join(expected)})."
            )

    def read_csv(self, data: bytes, *, what: str) -> Rows:
        """The data rows of a UTF-8 CSV file as stripped strings, with each row's first line.

        The header is checked (:meth:`check_header`) before any row is read; blank lines are
        skipped. Refuses (raising :attr:`error`) a file over :attr:`max_bytes`, not UTF-8, empty,
        with more than :attr:`max_rows` rows, a row with another number of fields than the
        header, or invalid CSV.
        """
        words = self.words
        if len(data) > self.max_bytes:
            raise self.error(
                words.too_big.format(
                    what=what,
                    mb=len(data) / _MB,
                    decimal_mb=len(data) / 1e6,
                    limit_mb=self.max_bytes // _MB,
                    limit_kib=self.max_bytes // 1024,
                )
            )
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise self.error(
                f"{what} is not UTF-8 text (bad byte at position {exc.start}): {words.not_utf8}."
            ) from None
        if not text.strip():
            raise self.error(f"{what} is empty: {words.empty}.")
        reader = csv.reader(io.StringIO(text, newline=""))
        rows: list[Row] = []
        lines: list[int] = []
        try:
            header = [h.strip() for h in next(reader)]
            self.check_header(header, at=words.header_at.format(what=what))
            for start, cells in numbered(reader):
                if not any(c.strip() for c in cells):
                    continue
                if len(rows) >= self.max_rows:
                    raise self.error(words.too_many_rows.format(what=what, limit=self.max_rows))
                if len(cells) != len(header):
                    raise self.error(
                        f"{what}, line {start}: {len(cells)} fields but the header has {len(header)}; "
                        f"{words.ragged}."
                    )
                stripped = (c.strip() for c in cells)
                values = (from_spreadsheet(c) for c in stripped) if self.unquote else stripped
                rows.append(dict(zip(header, values, strict=True)))
                lines.append(start)
        except csv.Error as exc:
            problem = csv_problem(exc, long_hint=words.long_value)
            raise self.error(f"{what}, line {reader.line_num}: {problem}.") from None
        if not rows:
            raise self.error(words.no_rows.format(what=what))
        return Rows(what, rows, tuple(lines))

    def check_rows(
        self,
        rows: Rows,
        *,
        today: date | None = None,
        after: Mapping[str, Callable[[Record, str], None]] | None = None,
    ) -> pd.DataFrame:
        """Check every cell, row by row and in file column order (the first refusal wins), and
        return the table.

        Parameters
        ----------
        rows : Rows
            From :meth:`read_csv`, or an edited table's records (:func:`pandas.DataFrame.to_dict`).
        today : datetime.date or None
            The latest allowed date; ``date.today()`` when None.
        after : mapping of column name to callable, optional
            Checks across columns: ``after[name](record, at)`` runs once the row's cells up to
            ``name`` are checked, and raises to refuse the row.

        Returns
        -------
        pandas.DataFrame
            Number columns ``float64`` (NaN for empty optional cells), the others ``str``.

        Raises
        ------
        ValueError
            :attr:`error`, naming the row, the column and what to change.
        """
        today = today or date.today()
        hooks = after or {}
        seen: dict[tuple[str, ...], int] = {}
        records = []
        for index, row in enumerate(rows.rows):
            at = rows.at(index)
            record: Record = {}
            for column in self.columns:
                record[column.name] = column.check(row.get(column.name), at=at, today=today, error=self.error)
                if column.name in hooks:
                    hooks[column.name](record, at)
            if self.key:
                key = tuple(str(record[c]) for c in self.key)
                if key in seen:
                    first = rows.place(seen[key])
                    raise self.error(
                        self.duplicate(record, at, first)
                        if self.duplicate
                        else f"{at}: the same {', '.join(self.key)} as {first}; keep one."
                    )
                seen[key] = index
            records.append(record)
        return self.frame(records)

    def frame(self, records: list[Record]) -> pd.DataFrame:
        """Checked records as a DataFrame in file column order: numbers ``float64``, the rest ``str``."""
        frame = pd.DataFrame.from_records(records, columns=list(self.names))
        numeric = set(self.numeric)
        for column in self.names:
            frame[column] = frame[column].astype("float64" if column in numeric else str)
        return frame
