"""The active price catalog of this session: the bundled one, or one the user edited or uploaded and
saved (by version, in the URL's ``cat`` parameter), with its provenance badge.

Saved catalogs are files under the app's home, one folder per owner, pruned to the newest
:data:`MAX_SAVED` (and :data:`MAX_SAVED_BYTES`). The Compute cost page edits them
(:mod:`ui.views.catalog`); every page that prices something reads :func:`active_catalog`."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
import time
from pathlib import Path

import streamlit as st

from bizmodel.catalog import (
    Catalog,
    CatalogError,
    load_bundled,
    read_catalog,
    to_csv_bytes,
)
from safetext import for_markdown
from store import LOCAL_OWNER
from ui.components.widgets import Provenance
from ui.session.auth import current_owner
from ui.session.i18n import t
from ui.session.state import home

STALE_DAYS = 180


#: Catalogs one owner keeps (the least recently saved or opened go first).
MAX_SAVED = 50


#: Bytes of catalog files one owner keeps (ten catalogs at the 5 MB upload limit).
MAX_SAVED_BYTES = 50 * 1024 * 1024


_VERSION = re.compile(r"[0-9a-f]{12}")


_PROVIDER_NAMES = {"aws": "AWS", "gcp": "GCP", "azure": "Azure", "lambda": "Lambda", "runpod": "RunPod"}


def _root() -> Path:
    """``MOATLAB_HOME/catalogs``: the shared folder of catalogs saved before owners had folders."""
    return home() / "catalogs"


def owner_folder(owner: str) -> Path:
    """Where ``owner`` saves catalogs: ``catalogs/owners/<16 hex digits of SHA-256 of the id>``
    (owner ids hold URLs and ``#``; a digest is a safe folder name)."""
    digest = hashlib.sha256(owner.encode("utf-8")).hexdigest()[:16]
    return _root() / "owners" / digest


def _my_folder() -> Path:
    """This session's owner's folder (created); the local user's when nobody is signed in."""
    folder = owner_folder(current_owner() or LOCAL_OWNER)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def find_saved(version: str, owner: str) -> Path | None:
    """The folder that keeps saved catalog ``version``: ``owner``'s own first, then another
    owner's, then the shared folder of older catalogs; None when none has its instances file."""
    if not _VERSION.fullmatch(version):
        return None
    mine = owner_folder(owner)
    others = sorted(p for p in (_root() / "owners").glob("*") if p.is_dir() and p != mine)
    for folder in (mine, *others, _root()):
        if _paths(folder, version)[0].is_file():
            return folder
    return None


#: The names a catalog of the user's gets (English, like the bundled catalog's "bundled"); the UI
#: shows them through :func:`present.explain.words`.
SAVED_NAME = "your catalog {version}"


EDITED_NAME = "your edited catalog"


UPLOAD_NAME = "your upload {file}"


def _paths(folder: Path, version: str) -> tuple[Path, Path]:
    """The (instances, accelerators) files of a saved catalog."""
    return folder / f"{version}.instances.csv", folder / f"{version}.accelerators.csv"


@st.cache_data(max_entries=16, show_spinner=False)
def _load_saved(version: str, folder: str) -> Catalog:
    instances_path, accelerators_path = _paths(Path(folder), version)
    catalog = read_catalog(
        instances_path.read_bytes(), accelerators_path.read_bytes(), name=SAVED_NAME.format(version=version)
    )
    _ = catalog.version  # computed once, kept with the cached copy
    return catalog


@st.cache_data(max_entries=1, show_spinner=False)
def bundled_catalog() -> Catalog:
    return load_bundled()


@st.cache_data(max_entries=8, show_spinner=False)
def catalog_csv(version: str, _catalog: Catalog) -> tuple[bytes, bytes]:
    """The catalog's two CSV files (its downloads), made once per version."""
    del version  # cache key only
    return to_csv_bytes(_catalog, for_download=True)


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the whole new one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


#: Opening a saved catalog marks it used (its files' time) at most this often (seconds).
USE_MARK_SECONDS = 3600.0


def _mark_used(folder: Path, version: str) -> None:
    """Mark a saved catalog as just used, so pruning (by last use) keeps catalogs that links
    still open. Best effort: a read-only folder only means the mark is not kept."""
    now = time.time()
    for path in _paths(folder, version):
        try:
            if now - path.stat().st_mtime >= USE_MARK_SECONDS:
                os.utime(path, (now, now))
        except OSError:
            pass


def _prune(folder: Path, *, keep: int, protect: str, max_bytes: int | None = None) -> None:
    """Within one owner's ``folder``: keep the ``keep`` most recently saved or used catalogs, at
    most ``max_bytes`` (default :data:`MAX_SAVED_BYTES`) of files in all, deleting the least
    recently used first (both files), never ``protect``."""
    max_bytes = MAX_SAVED_BYTES if max_bytes is None else max_bytes
    newest: dict[str, float] = {}
    sizes: dict[str, int] = {}
    for path in folder.glob("*.csv"):
        version, _, kind = path.name.partition(".")
        if not _VERSION.fullmatch(version) or kind not in ("instances.csv", "accelerators.csv"):
            continue
        try:
            stat = path.stat()
        except OSError:
            continue
        newest[version] = max(newest.get(version, stat.st_mtime), stat.st_mtime)
        sizes[version] = sizes.get(version, 0) + stat.st_size
    ordered = sorted(newest, key=lambda v: (v == protect, newest[v]), reverse=True)
    kept, total = 0, 0
    for version in ordered:
        if version == protect or (kept < keep and total + sizes[version] <= max_bytes):
            kept, total = kept + 1, total + sizes[version]
            continue
        for path in _paths(folder, version):
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass


def save_catalog(catalog: Catalog, *, keep: int = MAX_SAVED) -> str:
    """Keep a validated user catalog in this session's owner's folder; returns its version (the
    name in the URL).

    Each file is written atomically, accelerators first and instances last (a catalog counts as
    saved once its instances file exists); then only the owner's ``keep`` most recently saved or
    used catalogs, within :data:`MAX_SAVED_BYTES`, are kept — no other owner's is touched.

    Raises
    ------
    OSError
        When the files cannot be written.
    """
    inst, acc = to_csv_bytes(catalog)
    folder = _my_folder()
    instances_path, accelerators_path = _paths(folder, catalog.version)
    _write_atomic(accelerators_path, acc)
    _write_atomic(instances_path, inst)
    _prune(folder, keep=keep, protect=catalog.version)
    return catalog.version


def _try_saved(wanted: str, bundled: Catalog) -> Catalog | None:
    """The saved catalog ``wanted``, or None after a warning that says why it cannot be used."""
    fallback = {"version": for_markdown(wanted[:20]), "bundled": bundled.version}
    try:
        folder = find_saved(wanted, current_owner() or LOCAL_OWNER)
        if folder is None:
            st.warning(t("catalog.unknown", **fallback), icon=":material/link_off:")
            return None
        accelerators_path = _paths(folder, wanted)[1]
        if not accelerators_path.is_file():
            st.warning(t("catalog.saved_incomplete", **fallback), icon=":material/link_off:")
            return None
        loaded = _load_saved(wanted, str(folder))
    except CatalogError as exc:
        st.warning(t("catalog.saved_broken", reason=for_markdown(str(exc)), **fallback))
        return None
    except OSError as exc:
        st.warning(t("catalog.saved_broken", reason=for_markdown(exc.strerror or str(exc)), **fallback))
        return None
    if loaded.version != wanted:
        st.warning(t("catalog.version_mismatch", found=loaded.version, **fallback))
        return None
    _mark_used(folder, wanted)
    return loaded


def active_catalog() -> Catalog:
    """The catalog named by ``?catalog=`` (a saved user catalog), else the bundled one.

    The link always ends up naming the catalog in use: when the bundled catalog is used (no
    ``catalog`` in the link, the bundled version, or a saved catalog that cannot be loaded) the link
    is set to the bundled version.
    """
    bundled = bundled_catalog()
    wanted = st.query_params.get("catalog")
    if wanted and wanted not in ("bundled", bundled.version):
        saved = _try_saved(wanted, bundled)
        if saved is not None:
            return saved
    if st.query_params.get("catalog") != bundled.version:
        st.query_params["catalog"] = bundled.version
    return bundled


def date_range(catalog: Catalog) -> tuple[dt.date, dt.date]:
    """The oldest and the newest date of the current prices."""
    dates = catalog.provider_dates()
    return catalog.oldest_as_of, max(dates.values(), default=catalog.as_of)


def span_words(oldest: dt.date, newest: dt.date) -> str:
    return oldest.isoformat() if oldest == newest else f"{oldest.isoformat()} … {newest.isoformat()}"


def provider_name(provider: str) -> str:
    return _PROVIDER_NAMES.get(provider) or for_markdown(provider)


def catalog_provenance(catalog: Catalog) -> Provenance:
    """The badge for numbers that come from this catalog: the date range of its current prices."""
    return Provenance("catalog", span_words(*date_range(catalog)))
