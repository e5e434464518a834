"""What the commands read besides their arguments: the price catalog (bundled or uploaded CSV
files) and a saved run from the store (``store.Store()``: the SQLite file under ``MOATLAB_HOME``,
or ``DATABASE_URL``). Each loader exits 2 with one line when its input is unusable (1 when the
store or the bundled catalog is)."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from bizmodel.basis import BasisError, TechnicalBasis
from bizmodel.catalog import (
    MAX_UPLOAD_BYTES,
    Catalog,
    CatalogError,
    age_days,
    is_stale,
    load_bundled,
    stale_providers,
)
from bizmodel.catalog import read_catalog as read_catalog_csv
from cli.economics.errors import EXIT_FAILED, fail, why
from store import Store, StoreError

STALE_AFTER_DAYS = 180
"""A catalog price older than this many days is flagged: it may have changed."""


def _read_upload(path: Path) -> bytes:
    """The bytes of an uploaded catalog CSV file, at most the app's upload limit."""
    try:
        size = path.stat().st_size
        if size > MAX_UPLOAD_BYTES:
            fail(f"{path} is {size / 1e6:.1f} MB, over the {MAX_UPLOAD_BYTES // 2**20} MiB catalog limit")
        return path.read_bytes()
    except IsADirectoryError:
        fail(f"cannot read {path}: it is a directory")
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror or exc}")


def load_catalog(args: argparse.Namespace) -> Catalog:
    """The bundled catalog, or the uploaded CSV files validated by :func:`bizmodel.catalog.read_catalog`."""
    if args.catalog_instances is None:
        if args.catalog_accelerators is not None:
            fail("--catalog-accelerators needs --catalog-instances (the prices) too")
        try:
            return load_bundled()
        except CatalogError as exc:
            fail(f"the bundled catalog is broken ({exc}); reinstall Moatlab", EXIT_FAILED)
    instances = _read_upload(args.catalog_instances)
    accelerators = None if args.catalog_accelerators is None else _read_upload(args.catalog_accelerators)
    try:
        return read_catalog_csv(instances, accelerators, name=args.catalog_instances.name)
    except CatalogError as exc:
        fail(why(exc))


def catalog_json(catalog: Catalog, today: date) -> dict[str, Any]:
    """The catalog's name, version and price dates as ``--json`` prints them."""
    return {
        "name": catalog.name,
        "version": catalog.version,
        "as_of": catalog.as_of.isoformat(),
        "oldest_as_of": catalog.oldest_as_of.isoformat(),
        "age_days": age_days(catalog, today),
        "stale": is_stale(catalog, today, max_age_days=STALE_AFTER_DAYS),
        "stale_providers": list(stale_providers(catalog, today, max_age_days=STALE_AFTER_DAYS)),
    }


def catalog_lines(catalog: Catalog, today: date) -> list[str]:
    """The catalog's dates in one line, and a warning naming the providers whose prices are stale."""
    lines = [
        f"catalog {catalog.name} (version {catalog.version}): current prices as of "
        f"{catalog.oldest_as_of.isoformat()} … {catalog.as_of.isoformat()}"
    ]
    stale = stale_providers(catalog, today, max_age_days=STALE_AFTER_DAYS)
    if stale:
        dates = catalog.provider_oldest_dates()
        named = ", ".join(f"{p} ({dates[p].isoformat()})" for p in stale)
        lines.append(
            f"warning: prices older than {STALE_AFTER_DAYS} days for {named}: they may have changed; "
            "give current ones with --catalog-instances FILE"
        )
    return lines


def load_record(run_id: str) -> dict[str, Any]:
    """The stored record of run ``run_id`` as a dict (its status as the store has it)."""
    try:
        store = Store().scoped(None)  # the command line acts as the local user
        row = store.get_run(run_id)
    except StoreError as exc:
        fail(why(exc), EXIT_FAILED)
    except OSError as exc:  # e.g. MOATLAB_HOME cannot be created
        fail(f"the store is not usable: {exc}", EXIT_FAILED)
    if row is None:
        fail(f"run {run_id!r} does not exist (list runs with: python -m mlcore runs)")
    try:
        record = json.loads(row["record"])
    except (TypeError, ValueError):
        record = None
    if not isinstance(record, dict):
        fail(f"run {run_id}'s record is unreadable; train the run again")
    record["status"] = row.get("status") or record.get("status")
    record.setdefault("id", run_id)
    return record


def load_basis(run_id: str) -> TechnicalBasis:
    """Run ``run_id``'s :class:`bizmodel.basis.TechnicalBasis`; exits 2 when it is unusable."""
    try:
        return TechnicalBasis.from_record(load_record(run_id))
    except BasisError as exc:
        fail(why(exc))


def load_run(run_id: str) -> Any:
    """The stored run ``run_id`` as a :class:`mlcore.specs.RunRecord`; exits 2 when it is unusable."""
    from mlcore.specs import RunRecord

    record = load_record(run_id)
    try:
        TechnicalBasis.from_record(record)
    except BasisError as exc:
        fail(why(exc))
    try:
        return RunRecord.from_dict(record)
    except (KeyError, TypeError, ValueError) as exc:
        fail(f"run {run_id}'s record is unreadable ({exc}); train the run again")
