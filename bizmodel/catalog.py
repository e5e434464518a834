"""The dated price catalog: cloud instances and the accelerators inside them.

Conventions
-----------
* Two tables. ``instances``: one row per (provider, region, instance type, status), prices for the
  **whole instance** in USD per hour (``on_demand_usd_per_hour``, ``spot_usd_per_hour``; an empty
  spot price means no spot market). ``count`` is the total number of accelerators in the instance
  (0 for CPU-only, whose ``accelerator`` is empty). ``accelerators``: one row per accelerator key
  with dense (no sparsity) peak TFLOP/s per precision, memory GiB per accelerator, memory bandwidth
  in GB/s and TDP in watts. The ``accelerator`` column is the key shared by both tables.
* ``status`` is ``current`` (used by default), ``superseded`` (an older price kept for reference,
  e.g. AWS rows from before the 2025 price cut) or ``suspect`` (a figure the sources flag as doubtful).
* Every row carries an ISO ``as_of`` date (``YYYY-MM-DD``; the end of the inferred window when only a
  window is known) and a ``source``. Prices go stale, published specs do not, so the catalog's dates
  come from the *instance* rows: :attr:`Catalog.as_of` is the newest of them (any status),
  :attr:`Catalog.oldest_as_of` the oldest ``current`` one and :meth:`Catalog.provider_dates` the newest
  ``current`` date per provider, :meth:`Catalog.provider_oldest_dates` the oldest. Providers are
  priced at different times and a provider's rows too (a few re-checked rows beside many old ones), so
  a provider is stale when any of its current prices is (:func:`stale_providers`, :func:`is_stale`):
  the old row may be the one a ranking picks.
* In the DataFrames numeric columns are ``float64`` with NaN for missing values (``count`` and
  ``vcpus`` hold whole numbers); text columns, ``as_of`` included, are ``str`` with ``""`` for empty.
* :attr:`Catalog.version` is 12 hex digits of a SHA-256 over both tables' canonical CSV (rows sorted
  by key), so it does not depend on row order and survives a download/upload round trip.

Uploads and edits go through :func:`read_catalog` / :func:`validate`, which either return a
:class:`Catalog` or raise :class:`CatalogError` naming the column, the line or row, and what to change.
The header is checked before any row is read (a 100,000-column header is refused at once); values
from the file are quoted short in messages (:func:`safetext.shown`), and text cells may not hold
control characters (tabs and line breaks are allowed in ``source`` and ``notes`` only).
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from safetext import control_character_problem, for_spreadsheet, from_spreadsheet, listed, shown

__all__ = [
    "ACCELERATOR_COLUMNS",
    "CLUSTER_INTERCONNECTS",
    "INSTANCE_COLUMNS",
    "MAX_UPLOAD_BYTES",
    "MAX_UPLOAD_ROWS",
    "STATUSES",
    "Catalog",
    "CatalogError",
    "age_days",
    "is_stale",
    "load_bundled",
    "read_catalog",
    "stale_providers",
    "to_csv_bytes",
    "validate",
]

INSTANCE_COLUMNS: tuple[str, ...] = (
    "provider",
    "region",
    "instance_type",
    "accelerator",
    "count",
    "vcpus",
    "memory_gib",
    "on_demand_usd_per_hour",
    "spot_usd_per_hour",
    "status",
    "as_of",
    "source",
    "cluster_interconnect",
    "notes",
)
ACCELERATOR_COLUMNS: tuple[str, ...] = (
    "accelerator",
    "fp32_tflops",
    "tf32_tflops",
    "bf16_tflops",
    "int8_tops",
    "memory_gib",
    "bandwidth_gbps",
    "tdp_watts",
    "as_of",
    "source",
    "notes",
)
_INSTANCE_NUMERIC = ("count", "vcpus", "memory_gib", "on_demand_usd_per_hour", "spot_usd_per_hour")
_ACCELERATOR_NUMERIC = (
    "fp32_tflops",
    "tf32_tflops",
    "bf16_tflops",
    "int8_tops",
    "memory_gib",
    "bandwidth_gbps",
    "tdp_watts",
)
_INSTANCE_KEY = ("provider", "region", "instance_type", "status")
_OPTIONAL_INSTANCE_COLUMNS = ("cluster_interconnect",)
CLUSTER_INTERCONNECTS: tuple[str, ...] = ("infiniband", "efa", "roce", "tcpx")
"""``cluster_interconnect`` values: the node-to-node fabrics that training clusters are sold with
(InfiniBand, AWS EFA, RDMA over converged Ethernet, Google's GPUDirect-TCPX/TCPXO). Empty: the instance
trains on one node only (PCIe boxes, on-demand instances on ordinary networking)."""
STATUSES: tuple[str, ...] = ("current", "superseded", "suspect")
_MB = 1024 * 1024  # the uploader's megabyte
MAX_UPLOAD_BYTES = 5 * _MB
MAX_UPLOAD_ROWS = 20_000
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATA_DIR = Path(__file__).parent / "data"


class CatalogError(ValueError):
    """A catalog table that cannot be used; the message says which column, which row and what to change."""


@dataclass(frozen=True, eq=False)
class Catalog:
    """A validated pair of tables: instances (prices) and accelerators (specs).

    Build one with :func:`load_bundled`, :func:`read_catalog` or :func:`validate`; treat the
    DataFrames as read-only.

    Examples
    --------
    >>> cat = load_bundled()
    >>> len(cat.version), cat.as_of.isoformat() <= date.today().isoformat()
    (12, True)
    """

    instances: pd.DataFrame
    accelerators: pd.DataFrame
    name: str

    @functools.cached_property
    def version(self) -> str:
        """12 hex digits of a SHA-256 over both tables' canonical (key-sorted) CSV (computed once:
        the tables are read-only)."""
        digest = hashlib.sha256()
        # A catalog that names no cluster interconnect hashes as it did before the column existed,
        # so the links of older catalogs still open them.
        columns = INSTANCE_COLUMNS
        if not (self.instances["cluster_interconnect"] != "").any():
            columns = tuple(c for c in INSTANCE_COLUMNS if c not in _OPTIONAL_INSTANCE_COLUMNS)
        digest.update(_canonical_csv(self.instances, columns, sort_by=_INSTANCE_KEY))
        digest.update(b"\x00")
        digest.update(_canonical_csv(self.accelerators, ACCELERATOR_COLUMNS, sort_by=("accelerator",)))
        return digest.hexdigest()[:12]

    @property
    def as_of(self) -> date:
        """The newest ``as_of`` date among the instance (price) rows, whatever their status.

        Other providers' prices may be much older: see :attr:`oldest_as_of` and :meth:`provider_dates`.
        """
        return date.fromisoformat(max(self.instances["as_of"]))

    @property
    def oldest_as_of(self) -> date:
        """The oldest ``as_of`` date among the ``current`` price rows (among all rows if none is current).

        Together with :attr:`as_of` it gives the date range of the prices the catalog computes with.

        Examples
        --------
        >>> cat = load_bundled()
        >>> cat.oldest_as_of <= cat.as_of
        True
        """
        return date.fromisoformat(min(self._current_rows()["as_of"]))

    def provider_dates(self) -> dict[str, date]:
        """Each provider's newest ``current`` price date, providers sorted by name.

        A provider with no ``current`` row (only superseded or suspect prices) is left out, unless no
        row of the catalog is current: then every row counts.

        Returns
        -------
        dict[str, datetime.date]
            ``{provider: newest current as_of}``.

        Examples
        --------
        >>> dates = load_bundled().provider_dates()
        >>> dates["azure"].isoformat(), dates["aws"].isoformat()
        ('2024-12-31', '2026-08-26')
        """
        newest = self._current_rows().groupby("provider", sort=True)["as_of"].max()
        return {str(provider): date.fromisoformat(str(day)) for provider, day in newest.items()}

    def provider_oldest_dates(self) -> dict[str, date]:
        """Each provider's oldest ``current`` price date, providers sorted by name (as
        :meth:`provider_dates`, with the oldest row instead of the newest).

        Examples
        --------
        >>> load_bundled().provider_oldest_dates()["aws"].isoformat()
        '2025-06-30'
        """
        oldest = self._current_rows().groupby("provider", sort=True)["as_of"].min()
        return {str(provider): date.fromisoformat(str(day)) for provider, day in oldest.items()}

    def _current_rows(self) -> pd.DataFrame:
        current = self.instances[self.instances["status"] == "current"]
        return current if len(current) else self.instances

    @property
    def accelerator_keys(self) -> tuple[str, ...]:
        """The accelerator keys of the spec table, in table order."""
        return tuple(self.accelerators["accelerator"])

    @property
    def providers(self) -> tuple[str, ...]:
        """The distinct providers of the instance table, sorted."""
        return tuple(sorted(set(self.instances["provider"])))

    def priced(self, *, statuses: Sequence[str] = ("current",)) -> pd.DataFrame:
        """Instances with the given statuses, joined with their accelerator's specs.

        Spec columns that clash with instance columns get an ``accelerator_`` prefix
        (``accelerator_memory_gib``, ``accelerator_as_of``, ``accelerator_source``,
        ``accelerator_notes``); CPU-only rows have NaN specs. ``on_demand_usd_per_accelerator_hour``
        is the on-demand price divided by ``count`` (NaN for CPU-only).

        Parameters
        ----------
        statuses:
            Which ``status`` values to keep; by default only ``current`` rows.

        Returns
        -------
        pandas.DataFrame
            One row per kept instance, in catalog order, with a fresh integer index.

        Examples
        --------
        >>> p5 = load_bundled().priced().query("instance_type == 'p5.48xlarge'")
        >>> p5[["on_demand_usd_per_hour", "on_demand_usd_per_accelerator_hour"]].iloc[0].tolist()
        [55.04, 6.88]
        """
        kept = self.instances[self.instances["status"].isin(tuple(statuses))]
        specs = self.accelerators.rename(
            columns={c: f"accelerator_{c}" for c in ("memory_gib", "as_of", "source", "notes")}
        )
        joined = kept.merge(specs, on="accelerator", how="left", validate="many_to_one")
        count = joined["count"].where(joined["count"] > 0)
        joined["on_demand_usd_per_accelerator_hour"] = joined["on_demand_usd_per_hour"] / count
        return joined.reset_index(drop=True)


def load_bundled() -> Catalog:
    """The catalog shipped in ``bizmodel/data`` (a fresh copy each call; the file bytes are cached).

    Returns
    -------
    Catalog
        Named ``"bundled"``.

    Raises
    ------
    CatalogError
        If the bundled files are broken (a packaging error).

    Examples
    --------
    >>> cat = load_bundled()
    >>> cat.name, "H100-SXM" in cat.accelerator_keys
    ('bundled', True)
    """
    instances_csv, accelerators_csv = _bundled_bytes()
    return read_catalog(instances_csv, accelerators_csv, name="bundled")


@functools.cache
def _bundled_bytes() -> tuple[bytes, bytes]:
    return (_DATA_DIR / "instances.csv").read_bytes(), (_DATA_DIR / "accelerators.csv").read_bytes()


def read_catalog(
    instances_csv: bytes,
    accelerators_csv: bytes | None = None,
    *,
    name: str,
    today: date | None = None,
) -> Catalog:
    """Parse and validate uploaded CSV files.

    Parameters
    ----------
    instances_csv:
        The instance table as UTF-8 CSV bytes (header row with the columns of ``INSTANCE_COLUMNS``,
        in any order).
    accelerators_csv:
        The accelerator table as UTF-8 CSV bytes, or None to use the bundled specs.
    name:
        A label for the catalog (e.g. the uploaded file name).
    today:
        The date against which ``as_of`` dates may not be in the future; default ``date.today()``.

    Returns
    -------
    Catalog

    Raises
    ------
    CatalogError
        On an empty, oversized or non-UTF-8 file, a missing or unknown column, or a bad value; the
        message names the file, the column, the line and what to change.

    Examples
    --------
    >>> header = b"provider,region,instance_type,accelerator,count,vcpus,memory_gib,"
    >>> header += b"on_demand_usd_per_hour,spot_usd_per_hour,status,as_of,source,notes\\n"
    >>> row = b"acme,eu,box-1,L4,1,8,32,0.9,,current,2026-01-31,my quote,\\n"
    >>> cat = read_catalog(header + row, name="mine")
    >>> cat.instances["on_demand_usd_per_hour"].tolist(), cat.as_of.isoformat()
    ([0.9], '2026-01-31')
    >>> read_catalog(b"", name="mine")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    bizmodel.catalog.CatalogError: instances file 'mine' is empty: upload a CSV with a header row...
    """
    label = shown(name)
    instance_rows, instance_lines = _parse_csv(instances_csv, what=f"instances file {label}")
    if accelerators_csv is None:
        accelerators = load_bundled().accelerators
    else:
        accel_rows, accel_lines = _parse_csv(accelerators_csv, what=f"accelerators file {label}")
        accelerators = _check_accelerators(
            accel_rows,
            where=_line_namer(f"accelerators file {label}", accel_lines),
            today=today,
        )
    instances = _check_instances(
        instance_rows,
        accelerators=accelerators,
        where=_line_namer(f"instances file {label}", instance_lines),
        today=today,
    )
    return Catalog(instances=instances, accelerators=accelerators, name=name)


def validate(
    instances: pd.DataFrame,
    accelerators: pd.DataFrame,
    *,
    name: str,
    today: date | None = None,
) -> Catalog:
    """Validate user-edited tables (e.g. from a data editor) and build a :class:`Catalog`.

    Cells may be numbers, strings, None or NaN; rows are reported by their 1-based position.

    Parameters
    ----------
    instances, accelerators:
        Tables with exactly the columns ``INSTANCE_COLUMNS`` / ``ACCELERATOR_COLUMNS`` (any order).
    name:
        A label for the resulting catalog.
    today:
        The date against which ``as_of`` dates may not be in the future; default ``date.today()``.

    Returns
    -------
    Catalog
        With columns in schema order, numeric columns as float and empty text as ``""``.

    Raises
    ------
    CatalogError
        Naming the table, the column, the row number and what to change.

    Examples
    --------
    >>> cat = load_bundled()
    >>> edited = cat.instances.copy()
    >>> edited.loc[0, "count"] = -1
    >>> validate(edited, cat.accelerators, name="edited")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    bizmodel.catalog.CatalogError: instances table 'edited', row 1, column 'count': '-1' is not...
    """
    label = shown(name)
    accel_rows = _frame_rows(accelerators, what=f"accelerators table {label}")
    checked_accelerators = _check_accelerators(
        accel_rows, where=_row_namer(f"accelerators table {label}"), today=today
    )
    instance_rows = _frame_rows(instances, what=f"instances table {label}")
    checked_instances = _check_instances(
        instance_rows,
        accelerators=checked_accelerators,
        where=_row_namer(f"instances table {label}"),
        today=today,
    )
    return Catalog(instances=checked_instances, accelerators=checked_accelerators, name=name)


def to_csv_bytes(catalog: Catalog, *, for_download: bool = False) -> tuple[bytes, bytes]:
    """Both tables as UTF-8 CSV bytes (instances, accelerators), readable by :func:`read_catalog`.

    Whole numbers are written without a decimal point, other numbers with the shortest exact
    representation, so a round trip keeps :attr:`Catalog.version`.

    Parameters
    ----------
    catalog:
        The catalog to write.
    for_download:
        Whether the file is for people to open (a download): then a text cell that a spreadsheet
        would evaluate as a formula (``=…``, ``+…``, ``-…``, ``@…``) starts with ``'``
        (:func:`safetext.for_spreadsheet`). :func:`read_catalog` removes that quote again, so a
        downloaded catalog uploaded back keeps its names and its version.

    Returns
    -------
    tuple[bytes, bytes]
        The instances CSV and the accelerators CSV, rows in catalog order.

    Examples
    --------
    >>> cat = load_bundled()
    >>> read_catalog(*to_csv_bytes(cat), name="copy").version == cat.version
    True
    >>> read_catalog(*to_csv_bytes(cat, for_download=True), name="copy").version == cat.version
    True
    """
    return (
        _canonical_csv(catalog.instances, INSTANCE_COLUMNS, sort_by=(), for_download=for_download),
        _canonical_csv(catalog.accelerators, ACCELERATOR_COLUMNS, sort_by=(), for_download=for_download),
    )


def age_days(catalog: Catalog, today: date) -> int:
    """Days from the catalog's *oldest* current price date (:attr:`Catalog.oldest_as_of`) to ``today``.

    Negative if ``today`` is earlier. This is the age of the stalest price the catalog computes with.

    Examples
    --------
    >>> cat = load_bundled()
    >>> age_days(cat, cat.oldest_as_of)
    0
    """
    return (today - catalog.oldest_as_of).days


def stale_providers(catalog: Catalog, today: date, *, max_age_days: int = 180) -> tuple[str, ...]:
    """The providers with a ``current`` price more than ``max_age_days`` days old on ``today``.

    One old row is enough: re-checking a few of a provider's prices says nothing about the others
    (in the bundled catalog AWS's p4d/p5 rows are recent, its g-series rows predate its 2025 price cut);
    see :meth:`Catalog.provider_oldest_dates`.

    Parameters
    ----------
    catalog:
        The catalog to check.
    today:
        The reference date.
    max_age_days:
        The largest age (days) that still counts as fresh.

    Returns
    -------
    tuple[str, ...]
        The stale providers, oldest price first (ties by name); empty when every provider is fresh.

    Examples
    --------
    >>> stale_providers(load_bundled(), date(2026, 11, 29))
    ('azure', 'aws')
    """
    dates = catalog.provider_oldest_dates()
    stale = [p for p, day in dates.items() if (today - day).days > max_age_days]
    return tuple(sorted(stale, key=lambda p: (dates[p], p)))


def is_stale(catalog: Catalog, today: date, *, max_age_days: int = 180) -> bool:
    """Whether any provider's newest current price is more than ``max_age_days`` days old on ``today``.

    The same as ``bool(stale_providers(catalog, today, max_age_days=max_age_days))``: a catalog whose
    newest row is fresh is still stale when one provider's prices are old.

    Parameters
    ----------
    catalog:
        The catalog to check.
    today:
        The reference date.
    max_age_days:
        The largest age (days) that still counts as fresh.

    Returns
    -------
    bool

    Examples
    --------
    >>> cat = load_bundled()
    >>> is_stale(cat, date(2026, 11, 29)), is_stale(cat, date(2025, 1, 1))
    (True, False)
    """
    return bool(stale_providers(catalog, today, max_age_days=max_age_days))


# --- parsing -------------------------------------------------------------------------------------------

_Where = Callable[[int], str]
_Row = dict[str, object]


def _parse_csv(data: bytes, *, what: str) -> tuple[list[_Row], list[int]]:
    """Rows as dicts of stripped strings, plus each row's first line number in the file."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise CatalogError(
            f"{what} is {len(data) / _MB:.1f} MB, over the {MAX_UPLOAD_BYTES // _MB} MB limit "
            "(1 MB = 1,048,576 bytes, as the uploader counts): upload a smaller file."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CatalogError(
            f"{what} is not UTF-8 text (bad byte at position {exc.start}): "
            "save it as CSV UTF-8 and upload again."
        ) from None
    if not text.strip():
        raise CatalogError(f"{what} is empty: upload a CSV with a header row and at least one data row.")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
        _check_columns(header, what=what, expected=_expected_for(what))
        rows: list[_Row] = []
        starts: list[int] = []
        previous_end = reader.line_num
        for fields in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not any(f.strip() for f in fields):
                continue
            if len(rows) >= MAX_UPLOAD_ROWS:
                raise CatalogError(
                    f"{what} has more than {MAX_UPLOAD_ROWS:,} data rows: split it or keep the rows you need."
                )
            if len(fields) != len(header):
                raise CatalogError(
                    f"{what}, line {start}: {len(fields)} fields but the header has {len(header)}; "
                    "quote values that contain commas and give every row one value per column."
                )
            rows.append(dict(zip(header, (from_spreadsheet(f.strip()) for f in fields), strict=True)))
            starts.append(start)
    except csv.Error as exc:
        raise CatalogError(f"{what}, line {reader.line_num}: {_csv_problem(exc)}") from None
    if not rows:
        raise CatalogError(f"{what} has a header but no data rows: add at least one row.")
    return rows, starts


def _frame_rows(frame: pd.DataFrame, *, what: str) -> list[_Row]:
    _check_columns([str(c) for c in frame.columns], what=what, expected=_expected_for(what))
    if len(frame) == 0:
        raise CatalogError(f"{what} has no rows: add at least one row.")
    if len(frame) > MAX_UPLOAD_ROWS:
        raise CatalogError(f"{what} has more than {MAX_UPLOAD_ROWS:,} rows: keep the rows you need.")
    return [{str(k): v for k, v in record.items()} for record in frame.to_dict(orient="records")]


def _expected_for(what: str) -> tuple[str, ...]:
    return INSTANCE_COLUMNS if what.startswith("instances") else ACCELERATOR_COLUMNS


def _csv_problem(exc: csv.Error) -> str:
    """What is wrong with the CSV at the reader's line, and what to change (not Python's wording)."""
    if "field larger than field limit" in str(exc):
        return (
            f"a value is longer than {csv.field_size_limit():,} characters; shorten it "
            "(or close a quote left open)."
        )
    return f"not valid CSV ({shown(str(exc))}); fix the quoting."


def _check_columns(header: Sequence[str], *, what: str, expected: tuple[str, ...]) -> None:
    """Refuse duplicated, missing and unexpected columns (linear in the header's width); the optional
    instance columns may be absent (read as empty)."""
    counts = Counter(header)
    duplicated = [c for c, n in counts.items() if n > 1]
    if duplicated:
        raise CatalogError(f"{what}: column {shown(min(duplicated))} appears more than once; keep one.")
    missing = [c for c in expected if c not in counts and c not in _OPTIONAL_INSTANCE_COLUMNS]
    if missing:
        raise CatalogError(
            f"{what}: missing column(s) {', '.join(repr(c) for c in missing)}; "
            f"the header must be: {','.join(expected)}."
        )
    known = set(expected)
    extra = [c for c in header if c not in known]
    if extra:
        raise CatalogError(
            f"{what}: unexpected column(s) {listed(shown(c, limit=30) for c in extra)}; remove them "
            f"(the columns are: {','.join(expected)})."
        )


def _line_namer(what: str, starts: list[int]) -> _Where:
    return lambda index: f"{what}, line {starts[index]}"


def _row_namer(what: str) -> _Where:
    return lambda index: f"{what}, row {index + 1}"


# --- cell checks ---------------------------------------------------------------------------------------


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == ""


def _text(value: object) -> str:
    return "" if _is_blank(value) else str(value).strip()


def _plain(text: str, *, at: str, column: str, free: bool = False) -> str:
    """``text`` unless it holds a control character (a tab or line break is allowed when ``free``)."""
    problem = control_character_problem(text, at=at, column=column, free_text=free)
    if problem is not None:
        raise CatalogError(problem)
    return text


def _number(value: object, *, at: str, column: str, rule: str, hint: str, required: bool) -> float:
    """A finite float from a cell (NaN when blank and not required), else CatalogError."""
    if _is_blank(value):
        if required:
            raise CatalogError(f"{at}, column {column!r}: empty; {hint}.")
        return math.nan
    try:
        number = float(value) if not isinstance(value, bool) else math.nan  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or not _RULES[rule](number):
        text = _format_number(value) if isinstance(value, float) else _text(value)
        raise CatalogError(f"{at}, column {column!r}: {shown(text)} is not {_RULE_TEXT[rule]}; {hint}.")
    return number


_RULES: dict[str, Callable[[float], bool]] = {
    "positive": lambda x: x > 0,
    "non_negative": lambda x: x >= 0,
    "whole": lambda x: x >= 0 and float(x).is_integer(),
}
_RULE_TEXT = {
    "positive": "a number > 0",
    "non_negative": "a number >= 0",
    "whole": "a whole number >= 0",
}


def _iso_date(value: object, *, at: str, column: str, today: date) -> str:
    text = _text(value)
    hint = "write the date the price or spec was last known to hold, as YYYY-MM-DD (e.g. 2025-12-21)"
    if not text:
        raise CatalogError(f"{at}, column {column!r}: empty; {hint}.")
    try:
        parsed = date.fromisoformat(text) if _ISO_DATE.fullmatch(text) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise CatalogError(f"{at}, column {column!r}: {shown(text)} is not an ISO date; {hint}.")
    if parsed > today:
        raise CatalogError(
            f"{at}, column {column!r}: {text} is in the future (today is {today.isoformat()}); {hint}."
        )
    return text


def _interconnect(value: object, *, at: str) -> str:
    """A known cluster interconnect in lower case, or ``""``."""
    text = _plain(_text(value), at=at, column="cluster_interconnect").lower()
    if text and text not in CLUSTER_INTERCONNECTS:
        raise CatalogError(
            f"{at}, column 'cluster_interconnect': {shown(text)} is not one of "
            f"{', '.join(CLUSTER_INTERCONNECTS)}; name the instance's node-to-node fabric, or leave it "
            "empty for an instance that trains on one node only."
        )
    return text


def _required_text(value: object, *, at: str, column: str, hint: str, free: bool = False) -> str:
    text = _text(value)
    if not text:
        raise CatalogError(f"{at}, column {column!r}: empty; {hint}.")
    return _plain(text, at=at, column=column, free=free)


# --- table checks --------------------------------------------------------------------------------------


def _check_accelerators(rows: list[_Row], *, where: _Where, today: date | None) -> pd.DataFrame:
    today = today or date.today()
    records = []
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        at = where(index)
        key = _required_text(
            row["accelerator"], at=at, column="accelerator", hint="give the accelerator a key"
        )
        if key in seen:
            raise CatalogError(
                f"{at}, column 'accelerator': {shown(key)} is already defined at "
                f"{where(seen[key]).rsplit(', ', 1)[-1]}; "
                "keep one row per accelerator."
            )
        seen[key] = index
        record: dict[str, object] = {"accelerator": key}
        for column in _ACCELERATOR_NUMERIC:
            record[column] = _number(
                row[column],
                at=at,
                column=column,
                rule="non_negative",
                hint="enter a number >= 0 or leave it empty if unknown",
                required=False,
            )
        record["as_of"] = _iso_date(row["as_of"], at=at, column="as_of", today=today)
        record["source"] = _required_text(
            row["source"], at=at, column="source", hint="say where the figures come from", free=True
        )
        record["notes"] = _plain(_text(row["notes"]), at=at, column="notes", free=True)
        records.append(record)
    return _frame(records, ACCELERATOR_COLUMNS, _ACCELERATOR_NUMERIC)


def _check_instances(
    rows: list[_Row], *, accelerators: pd.DataFrame, where: _Where, today: date | None
) -> pd.DataFrame:
    today = today or date.today()
    known = set(accelerators["accelerator"])
    records = []
    seen: dict[tuple[str, ...], int] = {}
    for index, row in enumerate(rows):
        at = where(index)
        record: dict[str, object] = {}
        for column in ("provider", "region", "instance_type"):
            record[column] = _required_text(row[column], at=at, column=column, hint=f"enter the {column}")
        accelerator = _plain(_text(row["accelerator"]), at=at, column="accelerator")
        if accelerator and accelerator not in known:
            raise CatalogError(
                f"{at}, column 'accelerator': unknown key {shown(accelerator)}; use one of "
                f"{listed((shown(k, limit=30)[1:-1] for k in sorted(known)), limit=8)}, "
                "add it to the accelerators table, or leave it empty for CPU-only."
            )
        record["accelerator"] = accelerator
        count = _number(
            row["count"],
            at=at,
            column="count",
            rule="whole",
            hint="enter the total number of accelerators (0 for CPU-only)",
            required=True,
        )
        if (count > 0) != bool(accelerator):
            problem = "no accelerator key" if count > 0 else f"accelerator {shown(accelerator)}"
            raise CatalogError(
                f"{at}, column 'count': {count:g} with {problem}; give an accelerator key with a count >= 1, "
                "or leave the accelerator empty with count 0 for CPU-only."
            )
        record["count"] = count
        record["vcpus"] = _number(
            row["vcpus"],
            at=at,
            column="vcpus",
            rule="whole",
            hint="enter the vCPU count or leave it empty",
            required=False,
        )
        record["memory_gib"] = _number(
            row["memory_gib"],
            at=at,
            column="memory_gib",
            rule="non_negative",
            hint="enter the host RAM in GiB or leave it empty",
            required=False,
        )
        record["on_demand_usd_per_hour"] = _number(
            row["on_demand_usd_per_hour"],
            at=at,
            column="on_demand_usd_per_hour",
            rule="positive",
            hint="enter the whole instance's on-demand price in USD per hour, e.g. 12.5",
            required=True,
        )
        record["spot_usd_per_hour"] = _number(
            row["spot_usd_per_hour"],
            at=at,
            column="spot_usd_per_hour",
            rule="positive",
            hint="enter the whole instance's spot price in USD per hour, "
            "or leave it empty if there is no spot market",
            required=False,
        )
        status = _text(row["status"])
        if status not in STATUSES:
            raise CatalogError(
                f"{at}, column 'status': {shown(status)} is not one of {', '.join(STATUSES)}; "
                "use current unless the price is outdated (superseded) or doubtful (suspect)."
            )
        record["status"] = status
        record["as_of"] = _iso_date(row["as_of"], at=at, column="as_of", today=today)
        record["source"] = _required_text(
            row["source"], at=at, column="source", hint="say where the price comes from", free=True
        )
        record["notes"] = _plain(_text(row["notes"]), at=at, column="notes", free=True)
        record["cluster_interconnect"] = _interconnect(row.get("cluster_interconnect"), at=at)
        key = tuple(str(record[c]) for c in _INSTANCE_KEY)
        if key in seen:
            raise CatalogError(
                f"{at}: duplicate of {where(seen[key]).rsplit(', ', 1)[-1]} (same provider, region, "
                "instance_type and status); delete one or give it another status."
            )
        seen[key] = index
        records.append(record)
    return _frame(records, INSTANCE_COLUMNS, _INSTANCE_NUMERIC)


def _frame(
    records: list[dict[str, object]], columns: tuple[str, ...], numeric: tuple[str, ...]
) -> pd.DataFrame:
    frame = pd.DataFrame.from_records(records, columns=list(columns))
    for column in columns:
        frame[column] = frame[column].astype("float64" if column in numeric else str)
    return frame


# --- writing -------------------------------------------------------------------------------------------


def _format_number(value: float) -> str:
    if math.isnan(value):
        return ""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _canonical_csv(
    frame: pd.DataFrame, columns: tuple[str, ...], *, sort_by: tuple[str, ...], for_download: bool = False
) -> bytes:
    table = frame.loc[:, list(columns)].copy()
    for column in columns:
        if pd.api.types.is_float_dtype(table[column]):
            table[column] = [_format_number(float(v)) for v in table[column]]
    if sort_by:
        table = table.sort_values(list(sort_by), kind="stable")
    if for_download:
        table = table.map(for_spreadsheet)
    return table.to_csv(index=False, lineterminator="\n").encode("utf-8")
