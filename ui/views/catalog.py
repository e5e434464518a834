"""The price catalog a page computes with: bundled, or the user's edited / uploaded one.

A user catalog is validated by :mod:`bizmodel.catalog`, saved as ``<version>.instances.csv`` /
``<version>.accelerators.csv`` and named in the URL (``?catalog=<version>``), so a reload or a
shared link computes with the same prices. The bundled catalog is named in the URL by its version
too, so a link records which prices it was made with.

**Per owner.** Each owner (the signed-in user, or the one local user: :func:`ui.session.auth.current_owner`)
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
from collections.abc import Callable

import pandas as pd
import streamlit as st

from bizmodel.catalog import (
    CLUSTER_INTERCONNECTS,
    INSTANCE_COLUMNS,
    MAX_UPLOAD_BYTES,
    STATUSES,
    Catalog,
    CatalogError,
    read_catalog,
    stale_providers,
    validate,
)
from present import format as fmt
from present.explain import words
from safetext import for_markdown
from ui.components.catalog import (
    EDITED_NAME,
    STALE_DAYS,
    UPLOAD_NAME,
    bundled_catalog,
    catalog_csv,
    catalog_provenance,
    date_range,
    provider_name,
    save_catalog,
    span_words,
)
from ui.components.widgets import badge
from ui.session.admission import Busy, TooLarge, upload_bytes
from ui.session.capacity import heavy, show_refusal
from ui.session.i18n import current_language, t

_EDITOR_KEY = "catalog_editor"
_EDITOR_VERSION_KEY = "catalog_editor_version"


def catalog_panel(catalog: Catalog, *, today: dt.date | None = None) -> None:
    """Which catalog is in use, how old its prices are, and the controls to edit, upload or reset it."""
    today = today or dt.date.today()
    oldest, newest = date_range(catalog)
    c1, c2 = st.columns([4, 1])
    with c1:
        st.markdown(
            t(
                "catalog.line",
                name=for_markdown(words(catalog.name, current_language())),
                version=catalog.version,
                dates=span_words(oldest, newest),
                providers=", ".join(provider_name(p) for p in catalog.providers),
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
                provider=provider_name(p),
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
        inst, acc = catalog_csv(catalog.version, catalog)
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
        if catalog.version != bundled_catalog().version:
            if d3.button(t("catalog.reset"), key="catalog_reset"):
                st.session_state.pop(_EDITOR_KEY, None)
                st.query_params["catalog"] = bundled_catalog().version
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
        version = catalog.version if catalog.version == bundled_catalog().version else save_catalog(catalog)
    except OSError as exc:
        st.error(
            t("catalog.save_failed", reason=for_markdown(exc.strerror or str(exc))), icon=":material/error:"
        )
        return
    st.session_state.pop(_EDITOR_KEY, None)
    st.query_params["catalog"] = version
    st.rerun()
