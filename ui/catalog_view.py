"""The price catalog a page computes with: bundled, or the user's edited / uploaded one.

A user catalog is validated by :mod:`bizmodel.catalog`, saved under ``MOATLAB_HOME/catalogs``
as ``<version>.instances.csv`` / ``<version>.accelerators.csv`` and named in the URL
(``?catalog=<version>``), so a reload or a shared link computes with the same prices.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import streamlit as st

from bizmodel.catalog import (
    Catalog,
    CatalogError,
    age_days,
    load_bundled,
    read_catalog,
    to_csv_bytes,
    validate,
)
from ui.i18n import t
from ui.state import home
from ui.widgets import Provenance, badge, escape_md

STALE_DAYS = 180
_VERSION = re.compile(r"[0-9a-f]{12}")


def _folder() -> Path:
    folder = home() / "catalogs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@st.cache_data(max_entries=16, show_spinner=False)
def _load_saved(version: str, folder: str) -> Catalog:
    base = Path(folder)
    inst = (base / f"{version}.instances.csv").read_bytes()
    acc = (base / f"{version}.accelerators.csv").read_bytes()
    return read_catalog(inst, acc, name=f"your catalog {version}")


@st.cache_data(max_entries=1, show_spinner=False)
def _bundled() -> Catalog:
    return load_bundled()


def save_catalog(catalog: Catalog) -> str:
    """Keep a validated user catalog on disk; returns its version (the name in the URL)."""
    inst, acc = to_csv_bytes(catalog)
    folder = _folder()
    (folder / f"{catalog.version}.instances.csv").write_bytes(inst)
    (folder / f"{catalog.version}.accelerators.csv").write_bytes(acc)
    return catalog.version


def active_catalog() -> Catalog:
    """The catalog named by ``?catalog=`` (a saved user catalog), else the bundled one."""
    wanted = st.query_params.get("catalog")
    if wanted and wanted != "bundled":
        if _VERSION.fullmatch(wanted) and (_folder() / f"{wanted}.instances.csv").is_file():
            try:
                return _load_saved(wanted, str(_folder()))
            except CatalogError as exc:
                st.warning(t("catalog.saved_broken", reason=escape_md(str(exc))))
        else:
            st.warning(t("catalog.unknown", version=escape_md(wanted[:20])))
    return _bundled()


def catalog_provenance(catalog: Catalog) -> Provenance:
    """The badge for numbers that come from this catalog: its as-of date."""
    return Provenance("catalog", catalog.as_of.isoformat())


def catalog_panel(catalog: Catalog, *, today: dt.date | None = None) -> None:
    """Which catalog is in use, how old it is, and the controls to edit, upload or reset it."""
    today = today or dt.date.today()
    age = age_days(catalog, today)
    c1, c2 = st.columns([4, 1])
    with c1:
        st.markdown(
            t(
                "catalog.line",
                name=escape_md(catalog.name),
                version=catalog.version,
                date=catalog.as_of.isoformat(),
                providers=", ".join(catalog.providers),
            )
        )
    with c2:
        badge(catalog_provenance(catalog))
    if age > STALE_DAYS:
        st.warning(t("catalog.stale", days=age), icon=":material/history:")
    with st.expander(t("catalog.edit")):
        _editor(catalog, today)
        _upload(today)
        inst, acc = to_csv_bytes(catalog)
        d1, d2, d3 = st.columns(3)
        d1.download_button(
            t("catalog.download_instances"),
            inst,
            file_name=f"instances-{catalog.version}.csv",
            on_click="ignore",
        )
        d2.download_button(
            t("catalog.download_accelerators"),
            acc,
            file_name=f"accelerators-{catalog.version}.csv",
            on_click="ignore",
        )
        if st.query_params.get("catalog") not in (None, "bundled"):
            if d3.button(t("catalog.reset"), key="catalog_reset"):
                st.query_params.pop("catalog", None)
                st.rerun()


def _editor(catalog: Catalog, today: dt.date) -> None:
    st.caption(t("catalog.edit_hint"))
    edited = st.data_editor(
        catalog.instances,
        key="catalog_editor",
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        column_config={
            "on_demand_usd_per_hour": st.column_config.NumberColumn(format="$%.4f"),
            "spot_usd_per_hour": st.column_config.NumberColumn(format="$%.4f"),
        },
    )
    if st.button(t("catalog.apply"), key="catalog_apply"):
        _adopt(
            lambda: validate(
                pd.DataFrame(edited), catalog.accelerators, name="your edited catalog", today=today
            )
        )


def _upload(today: dt.date) -> None:
    u1, u2 = st.columns(2)
    inst = u1.file_uploader(t("catalog.upload_instances"), type=["csv"], key="catalog_upload_instances")
    acc = u2.file_uploader(t("catalog.upload_accelerators"), type=["csv"], key="catalog_upload_accelerators")
    if inst is not None and st.button(t("catalog.use_upload"), key="catalog_use_upload"):
        name = f"your upload {inst.name}"[:80]
        _adopt(lambda: read_catalog(inst.getvalue(), acc.getvalue() if acc else None, name=name, today=today))


def _adopt(build: object) -> None:
    try:
        catalog = build()  # type: ignore[operator]
    except CatalogError as exc:
        st.error(t("catalog.refused", reason=escape_md(str(exc))), icon=":material/error:")
        return
    st.query_params["catalog"] = save_catalog(catalog)
    st.rerun()
