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

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import pandas as pd

from safetext import for_spreadsheet, listed, shown
from tablecheck import Column, Rows, Table, format_number

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

CLUSTER_INTERCONNECTS: tuple[str, ...] = ("infiniband", "efa", "roce", "tcpx")
"""``cluster_interconnect`` values: the node-to-node fabrics that training clusters are sold with
(InfiniBand, AWS EFA, RDMA over converged Ethernet, Google's GPUDirect-TCPX/TCPXO). Empty: the instance
trains on one node only (PCIe boxes, on-demand instances on ordinary networking)."""
STATUSES: tuple[str, ...] = ("current", "superseded", "suspect")
_MB = 1024 * 1024  # the uploader's megabyte
MAX_UPLOAD_BYTES = 5 * _MB
MAX_UPLOAD_ROWS = 20_000
_AS_OF_HINT = "write the date the price or spec was last known to hold, as YYYY-MM-DD (e.g. 2025-12-21)"


class CatalogError(ValueError):
    """A catalog table that cannot be used; the message says which column, which row and what to change."""


_INSTANCES = Table(
    columns=(
        Column("provider", hint="enter the provider"),
        Column("region", hint="enter the region"),
        Column("instance_type", hint="enter the instance_type"),
        Column("accelerator", required=False),  # a key of the accelerators table (checked across tables)
        Column(
            "count",
            "number",
            minimum=0,
            whole=True,
            hint="enter the total number of accelerators (0 for CPU-only)",
        ),
        Column(
            "vcpus",
            "number",
            required=False,
            minimum=0,
            whole=True,
            hint="enter the vCPU count or leave it empty",
        ),
        Column(
            "memory_gib",
            "number",
            required=False,
            minimum=0,
            hint="enter the host RAM in GiB or leave it empty",
        ),
        Column(
            "on_demand_usd_per_hour",
            "number",
            minimum=0,
            exclusive=True,
            hint="enter the whole instance's on-demand price in USD per hour, e.g. 12.5",
        ),
        Column(
            "spot_usd_per_hour",
            "number",
            required=False,
            minimum=0,
            exclusive=True,
            hint="enter the whole instance's spot price in USD per hour, "
            "or leave it empty if there is no spot market",
        ),
        Column(
            "status",
            "choice",
            choices=STATUSES,
            plain=False,
            hint="use current unless the price is outdated (superseded) or doubtful (suspect)",
        ),
        Column("as_of", "date", hint=_AS_OF_HINT),
        Column("source", free_text=True, hint="say where the price comes from"),
        Column(
            "cluster_interconnect",
            "choice",
            required=False,
            choices=CLUSTER_INTERCONNECTS,
            lower=True,
            absent_ok=True,
            hint="name the instance's node-to-node fabric, or leave it empty for an instance that trains "
            "on one node only",
        ),
        Column("notes", required=False, free_text=True),
    ),
    key=("provider", "region", "instance_type", "status"),
    duplicate=lambda _record, at, first: (
        f"{at}: duplicate of {first} (same provider, region, instance_type and status); delete one or "
        "give it another status."
    ),
    error=CatalogError,
    max_bytes=MAX_UPLOAD_BYTES,
    max_rows=MAX_UPLOAD_ROWS,
    unquote=True,
)
_ACCELERATORS = replace(  # the same file rules as the instances, other columns and key
    _INSTANCES,
    columns=(
        Column("accelerator", hint="give the accelerator a key"),
        *(
            Column(
                name,
                "number",
                required=False,
                minimum=0,
                hint="enter a number >= 0 or leave it empty if unknown",
            )
            for name in (
                "fp32_tflops",
                "tf32_tflops",
                "bf16_tflops",
                "int8_tops",
                "memory_gib",
                "bandwidth_gbps",
                "tdp_watts",
            )
        ),
        Column("as_of", "date", hint=_AS_OF_HINT),
        Column("source", free_text=True, hint="say where the figures come from"),
        Column("notes", required=False, free_text=True),
    ),
    key=("accelerator",),
    duplicate=lambda record, at, first: (
        f"{at}, column 'accelerator': {shown(str(record['accelerator']))} is already defined at {first}; "
        "keep one row per accelerator."
    ),
)
INSTANCE_COLUMNS: tuple[str, ...] = _INSTANCES.names
ACCELERATOR_COLUMNS: tuple[str, ...] = _ACCELERATORS.names
_INSTANCE_KEY = _INSTANCES.key
_OPTIONAL_INSTANCE_COLUMNS = tuple(c.name for c in _INSTANCES.columns if c.absent_ok)
_DATA_DIR = Path(__file__).parent / "data"


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
    instance_rows = _INSTANCES.read_csv(instances_csv, what=f"instances file {label}")
    if accelerators_csv is None:
        accelerators = load_bundled().accelerators
    else:
        accel_rows = _ACCELERATORS.read_csv(accelerators_csv, what=f"accelerators file {label}")
        accelerators = _ACCELERATORS.check_rows(accel_rows, today=today)
    instances = _check_instances(instance_rows, accelerators=accelerators, today=today)
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
    accel_rows = _frame_rows(accelerators, _ACCELERATORS, what=f"accelerators table {label}")
    checked_accelerators = _ACCELERATORS.check_rows(accel_rows, today=today)
    instance_rows = _frame_rows(instances, _INSTANCES, what=f"instances table {label}")
    checked_instances = _check_instances(instance_rows, accelerators=checked_accelerators, today=today)
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


# --- checking -----------------------------------------------------------------------------------------


def _frame_rows(frame: pd.DataFrame, table: Table, *, what: str) -> Rows:
    """An edited table's records, its header checked and its size within the upload limits."""
    table.check_header([str(c) for c in frame.columns], at=what)
    if len(frame) == 0:
        raise CatalogError(f"{what} has no rows: add at least one row.")
    if len(frame) > MAX_UPLOAD_ROWS:
        raise CatalogError(f"{what} has more than {MAX_UPLOAD_ROWS:,} rows: keep the rows you need.")
    return Rows(what, [{str(k): v for k, v in record.items()} for record in frame.to_dict(orient="records")])


def _check_instances(rows: Rows, *, accelerators: pd.DataFrame, today: date | None) -> pd.DataFrame:
    """The instance rows checked cell by cell, each accelerator key known and matching the count."""
    known = set(accelerators["accelerator"])

    def known_key(record: dict[str, object], at: str) -> None:
        accelerator = str(record["accelerator"])
        if accelerator and accelerator not in known:
            raise CatalogError(
                f"{at}, column 'accelerator': unknown key {shown(accelerator)}; use one of "
                f"{listed((shown(k, limit=30)[1:-1] for k in sorted(known)), limit=8)}, "
                "add it to the accelerators table, or leave it empty for CPU-only."
            )

    def count_matches(record: dict[str, object], at: str) -> None:
        accelerator, count = str(record["accelerator"]), float(record["count"])  # type: ignore[arg-type]
        if (count > 0) != bool(accelerator):
            problem = "no accelerator key" if count > 0 else f"accelerator {shown(accelerator)}"
            raise CatalogError(
                f"{at}, column 'count': {count:g} with {problem}; give an accelerator key with a count >= 1, "
                "or leave the accelerator empty with count 0 for CPU-only."
            )

    return _INSTANCES.check_rows(rows, today=today, after={"accelerator": known_key, "count": count_matches})


# --- writing -------------------------------------------------------------------------------------------


def _canonical_csv(
    frame: pd.DataFrame, columns: tuple[str, ...], *, sort_by: tuple[str, ...], for_download: bool = False
) -> bytes:
    table = frame.loc[:, list(columns)].copy()
    for column in columns:
        if pd.api.types.is_float_dtype(table[column]):
            table[column] = [format_number(float(v)) for v in table[column]]
    if sort_by:
        table = table.sort_values(list(sort_by), kind="stable")
    if for_download:
        table = table.map(for_spreadsheet)
    return table.to_csv(index=False, lineterminator="\n").encode("utf-8")
