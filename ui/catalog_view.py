"""The price catalog a page computes with: bundled, or the user's edited / uploaded one.

A user catalog is validated by :mod:`bizmodel.catalog`, saved as ``<version>.instances.csv`` /
``<version>.accelerators.csv`` and named in the URL (``?catalog=<version>``), so a reload or a
shared link computes with the same prices. The bundled catalog is named in the URL by its version
too, so a link records which prices it was made with.

**Per owner.** Each owner (the signed-in user, or the one local user: :func:`ui.auth.current_owner`)
saves into a folder of their own, ``MOATLAB_HOME/catalogs/owners/<digest of the owner id>``, and
has a quota there: the :data:`MAX_SAVED` most recently saved or opened catalogs, at most
:data:`MAX_SAVED_BYTES` in all; saving beyond it removes that owner's least recently used
catalogs, never another owner's. A link opens a catalog wherever it is kept — the owner's folder
first, then any other owner's (the version, a digest of the prices, works like the share link
itself: whoever has the link sees those prices), then the shared folder of catalogs saved before
owners had folders (``MOATLAB_HOME/catalogs``, read only, never pruned) — and marks it used where
it is kept.

Saving is atomic per file (a temporary file, then ``os.replace``), accelerators first and instances
last: a catalog counts as saved once its instances file exists. A link whose catalog cannot be
loaded falls back to the bundled one with a warning, never a traceback.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from bizmodel.catalog import (
    CLUSTER_INTERCONNECTS,
    INSTANCE_COLUMNS,
    MAX_UPLOAD_BYTES,
    STATUSES,
    Catalog,
    CatalogError,
    load_bundled,
    read_catalog,
    stale_providers,
    to_csv_bytes,
    validate,
)
from safetext import for_markdown
from store import LOCAL_OWNER
from ui import format as fmt
from ui.admission import Busy, TooLarge, upload_bytes
from ui.auth import current_owner
from ui.capacity import heavy, show_refusal
from ui.i18n import current_language, t
from ui.model_text import localize
from ui.state import home
from ui.widgets import Provenance, badge

STALE_DAYS = 180
#: Catalogs one owner keeps (the least recently saved or opened go first).
MAX_SAVED = 50
#: Bytes of catalog files one owner keeps (ten catalogs at the 5 MB upload limit).
MAX_SAVED_BYTES = 50 * 1024 * 1024
_VERSION = re.compile(r"[0-9a-f]{12}")
_EDITOR_KEY = "catalog_editor"
_EDITOR_VERSION_KEY = "catalog_editor_version"
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
#: shows them through :func:`ui.model_text.localize`.
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
def _bundled() -> Catalog:
    return load_bundled()


@st.cache_data(max_entries=8, show_spinner=False)
def _csv_of(version: str, _catalog: Catalog) -> tuple[bytes, bytes]:
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
    bundled = _bundled()
    wanted = st.query_params.get("catalog")
    if wanted and wanted not in ("bundled", bundled.version):
        saved = _try_saved(wanted, bundled)
        if saved is not None:
            return saved
    if st.query_params.get("catalog") != bundled.version:
        st.query_params["catalog"] = bundled.version
    return bundled


def _date_range(catalog: Catalog) -> tuple[dt.date, dt.date]:
    """The oldest and the newest date of the current prices."""
    dates = catalog.provider_dates()
    return catalog.oldest_as_of, max(dates.values(), default=catalog.as_of)


def _span(oldest: dt.date, newest: dt.date) -> str:
    return oldest.isoformat() if oldest == newest else f"{oldest.isoformat()} … {newest.isoformat()}"


def _provider_name(provider: str) -> str:
    return _PROVIDER_NAMES.get(provider) or for_markdown(provider)


def catalog_provenance(catalog: Catalog) -> Provenance:
    """The badge for numbers that come from this catalog: the date range of its current prices."""
    return Provenance("catalog", _span(*_date_range(catalog)))


def catalog_panel(catalog: Catalog, *, today: dt.date | None = None) -> None:
    """Which catalog is in use, how old its prices are, and the controls to edit, upload or reset it."""
    today = today or dt.date.today()
    oldest, newest = _date_range(catalog)
    c1, c2 = st.columns([4, 1])
    with c1:
        st.markdown(
            t(
                "catalog.line",
                name=for_markdown(localize(catalog.name, current_language())),
                version=catalog.version,
                dates=_span(oldest, newest),
                providers=", ".join(_provider_name(p) for p in catalog.providers),
            )
        )
    with c2:
        badge(catalog_provenance(catalog))
    stale = stale_providers(catalog, today, max_age_days=STALE_DAYS)
    if stale:
        dates = catalog.provider_oldest_dates()
        named = [
            t(
                "catalog.stale_provider",
                provider=_provider_name(p),
                date=dates[p].isoformat(),
                days=(today - dates[p]).days,
            )
            for p in stale
        ]
        st.warning(
            t("catalog.stale_providers", limit=STALE_DAYS, providers="; ".join(named)),
            icon=":material/history:",
        )
    with st.expander(t("catalog.edit")):
        _editor(catalog, today)
        _upload(today)
        inst, acc = _csv_of(catalog.version, catalog)
        d1, d2, d3 = st.columns(3)
        d1.download_button(
            t("catalog.download_instances"),
            inst,
            file_name=f"instances-{catalog.version}.csv",
            on_click="ignore",
            key="catalog_download_instances",
        )
        d2.download_button(
            t("catalog.download_accelerators"),
            acc,
            file_name=f"accelerators-{catalog.version}.csv",
            on_click="ignore",
            key="catalog_download_accelerators",
        )
        if catalog.version != _bundled().version:
            if d3.button(t("catalog.reset"), key="catalog_reset"):
                st.session_state.pop(_EDITOR_KEY, None)
                st.query_params["catalog"] = _bundled().version
                st.rerun()


def _editor(catalog: Catalog, today: dt.date) -> None:
    # The editor's state holds row edits and additions relative to the table it was shown with:
    # forget them when the catalog changes (a reset, a link, an upload), so they never land on another one.
    if st.session_state.get(_EDITOR_VERSION_KEY) != catalog.version:
        st.session_state.pop(_EDITOR_KEY, None)
        st.session_state[_EDITOR_VERSION_KEY] = catalog.version
    st.caption(t("catalog.edit_hint"))
    if fmt.current_style().currency != "USD":
        st.caption(t("catalog.usd_note", **fmt.currency_words()))
    edited = st.data_editor(
        catalog.instances,
        key=_EDITOR_KEY,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config={
            **{
                c: st.column_config.Column(t(f"catalog.col.{c}"), help=t("catalog.col_help", name=c))
                for c in catalog.instances.columns
                if c in INSTANCE_COLUMNS
            },
            "on_demand_usd_per_hour": st.column_config.NumberColumn(
                t("catalog.col.on_demand_usd_per_hour"),
                format="$%.4f",
                help=t("catalog.col_help", name="on_demand_usd_per_hour"),
            ),
            "spot_usd_per_hour": st.column_config.NumberColumn(
                t("catalog.col.spot_usd_per_hour"),
                format="$%.4f",
                help=t("catalog.col_help", name="spot_usd_per_hour"),
            ),
            # Codes in the table (what the CSV holds), words on screen.
            "status": st.column_config.SelectboxColumn(
                t("catalog.col.status"),
                options=STATUSES,
                format_func=lambda code: t(f"catalog.status.{code}"),
                required=True,
                help=t("catalog.col_help", name="status"),
            ),
            "cluster_interconnect": st.column_config.SelectboxColumn(
                t("catalog.col.cluster_interconnect"),
                options=("", *CLUSTER_INTERCONNECTS),
                format_func=lambda code: t(f"catalog.interconnect.{code or 'none'}"),
                help=t("catalog.col_help", name="cluster_interconnect"),
            ),
        },
    )
    if st.button(t("catalog.apply"), key="catalog_apply"):
        _adopt(lambda: validate(pd.DataFrame(edited), catalog.accelerators, name=EDITED_NAME, today=today))


def _upload(today: dt.date) -> None:
    u1, u2 = st.columns(2)
    limit = MAX_UPLOAD_BYTES // (1024 * 1024)  # the uploader states the validator's limit (MB)
    inst = u1.file_uploader(
        t("catalog.upload_instances"), type=["csv"], key="catalog_upload_instances", max_upload_size=limit
    )
    acc = u2.file_uploader(
        t("catalog.upload_accelerators"),
        type=["csv"],
        key="catalog_upload_accelerators",
        max_upload_size=limit,
    )
    if inst is not None and st.button(t("catalog.use_upload"), key="catalog_use_upload"):
        name = UPLOAD_NAME.format(file=inst.name)[:80]
        size = inst.size + (acc.size if acc else 0)

        def _read() -> Catalog:
            with heavy(upload_bytes(size)):  # parsed within the replica's work budget
                return read_catalog(inst.getvalue(), acc.getvalue() if acc else None, name=name, today=today)

        try:
            _adopt(_read)
        except (Busy, TooLarge) as exc:
            show_refusal(exc, key="catalog_upload_retry")


def _adopt(build: Callable[[], Catalog]) -> None:
    """Validate, save and switch to a user catalog; on success the editor's pending edits are cleared."""
    try:
        catalog = build()
    except CatalogError as exc:
        st.error(t("catalog.refused", reason=for_markdown(str(exc))), icon=":material/error:")
        return
    try:
        # The bundled prices (e.g. applied without edits) need no saved copy: the link names them.
        version = catalog.version if catalog.version == _bundled().version else save_catalog(catalog)
    except OSError as exc:
        st.error(
            t("catalog.save_failed", reason=for_markdown(exc.strerror or str(exc))), icon=":material/error:"
        )
        return
    st.session_state.pop(_EDITOR_KEY, None)
    st.query_params["catalog"] = version
    st.rerun()
