"""The catalog panel and links on the Compute cost page: date range, stale providers, saved catalogs
that are missing or broken, the bundled version in the link, and the cap on saved catalogs."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from bizmodel.catalog import (
    CLUSTER_INTERCONNECTS,
    STATUSES,
    load_bundled,
    stale_providers,
    to_csv_bytes,
    validate,
)
from store import LOCAL_OWNER
from tests.support.app import make_app, no_errors
from tests.support.inert import markdown_text
from ui.components.catalog import MAX_SAVED, owner_folder, save_catalog

PAGE = "app_pages/compute.py"


def _param(at, name: str) -> str:
    value = at.query_params[name]
    return value[0] if isinstance(value, list) else value


def _cheaper_catalog():
    cat = load_bundled()
    instances = cat.instances.copy()
    instances.loc[instances["instance_type"] == "p5.48xlarge", "on_demand_usd_per_hour"] /= 2
    return validate(instances, cat.accelerators, name="cheaper")


def _saved(home: Path, catalog, *, folder: Path | None = None) -> tuple[Path, Path]:
    """The catalog's files written into ``folder`` (default: the shared folder of catalogs saved
    before owners had folders, which links still open)."""
    folder = folder or home / "catalogs"
    folder.mkdir(parents=True, exist_ok=True)
    instances, accelerators = to_csv_bytes(catalog)
    paths = (folder / f"{catalog.version}.instances.csv", folder / f"{catalog.version}.accelerators.csv")
    paths[0].write_bytes(instances)
    paths[1].write_bytes(accelerators)
    return paths


def test_the_page_shows_the_price_date_range_and_names_stale_providers(app_env: Path) -> None:
    cat = load_bundled()
    today = date.today()  # the page's real date, not a fixed one
    assert stale_providers(cat, today)[:2] == ("azure", "aws")
    at = make_app(PAGE)
    no_errors(at)
    assert any("as of **2024-12-31 … 2026-11-28**" in m.value for m in at.markdown)
    assert any("catalog · 2024-12-31 … 2026-11-28" in markdown_text(m.value) for m in at.markdown)
    stale = [w.value for w in at.warning if "days old" in w.value]
    assert len(stale) == 1
    text = stale[0]
    for name, day in (("Azure", date(2024, 12, 31)), ("AWS", date(2025, 6, 30))):
        assert f"{name} (oldest price {day.isoformat()}, {(today - day).days} days old)" in text
    assert text.index("Azure") < text.index("AWS")
    assert "GCP" not in text


def test_the_bundled_version_is_named_in_the_link(app_env: Path) -> None:
    at = make_app(PAGE)
    no_errors(at)
    assert _param(at, "catalog") == load_bundled().version
    assert not [w for w in at.warning if "bundled catalog" in w.value]
    assert not [b for b in at.button if b.key == "catalog_reset"]


@pytest.mark.parametrize("link", ["bundled", None])
def test_a_link_with_the_bundled_version_or_the_old_name_loads_the_bundled_catalog(
    app_env: Path, link: str | None
) -> None:
    version = load_bundled().version
    at = make_app(PAGE, catalog=link or version)
    no_errors(at)
    assert _param(at, "catalog") == version
    assert any("Prices from **bundled**" in m.value for m in at.markdown)
    assert not [w for w in at.warning if "bundled catalog" in w.value]


def test_a_link_with_an_unknown_version_warns_and_falls_back(app_env: Path) -> None:
    bundled = load_bundled().version
    at = make_app(PAGE, catalog="0123456789ab")
    no_errors(at)
    warning = " ".join(w.value for w in at.warning)
    assert (
        f"This link was made with catalog 0123456789ab, which is not saved on this server; "
        f"using the bundled catalog {bundled}."
    ) in warning
    assert any("Prices from **bundled**" in m.value for m in at.markdown)
    assert _param(at, "catalog") == bundled


def test_a_saved_catalog_loads_from_its_link(app_env: Path) -> None:
    cheaper = _cheaper_catalog()
    _saved(app_env, cheaper)
    at = make_app(PAGE, catalog=cheaper.version)
    no_errors(at)
    assert any(f"your catalog {cheaper.version}" in m.value for m in at.markdown)
    assert not [w for w in at.warning if "bundled catalog" in w.value]
    assert _param(at, "catalog") == cheaper.version
    assert [b for b in at.button if b.key == "catalog_reset"]


def test_a_saved_catalog_without_its_accelerators_file_falls_back(app_env: Path) -> None:
    cheaper = _cheaper_catalog()
    _, accelerators = _saved(app_env, cheaper)
    accelerators.unlink()
    at = make_app(PAGE, catalog=cheaper.version)
    no_errors(at)
    warning = " ".join(w.value for w in at.warning)
    assert f"saved catalog {cheaper.version} is incomplete" in warning
    assert "accelerators file is missing" in warning
    assert any("Prices from **bundled**" in m.value for m in at.markdown)
    assert _param(at, "catalog") == load_bundled().version


def test_a_saved_catalog_whose_files_changed_falls_back(app_env: Path) -> None:
    cheaper = _cheaper_catalog()
    instances, _ = _saved(app_env, cheaper)
    instances.write_bytes(to_csv_bytes(load_bundled())[0])
    at = make_app(PAGE, catalog=cheaper.version)
    no_errors(at)
    assert any("no longer matches its version" in w.value for w in at.warning)
    assert any("Prices from **bundled**" in m.value for m in at.markdown)


def test_a_broken_saved_catalog_falls_back_with_the_reason(app_env: Path) -> None:
    cheaper = _cheaper_catalog()
    instances, _ = _saved(app_env, cheaper)
    instances.write_bytes(b"provider,region\naws,x\n")
    at = make_app(PAGE, catalog=cheaper.version)
    no_errors(at)
    assert any(f"saved catalog {cheaper.version} cannot be read" in w.value for w in at.warning)
    assert any("Prices from **bundled**" in m.value for m in at.markdown)


def test_saving_keeps_only_the_newest_catalogs(app_env: Path) -> None:
    folder = owner_folder(LOCAL_OWNER)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notes.txt").write_text("not a catalog")
    old = [f"{i:012x}" for i in range(MAX_SAVED + 5)]
    for age, version in enumerate(old):  # old[0] is the newest
        for kind in ("instances", "accelerators"):
            path = folder / f"{version}.{kind}.csv"
            path.write_text("x")
            os.utime(path, (1_000_000 + age, 1_000_000 - age * 10))
    cheaper = _cheaper_catalog()
    assert save_catalog(cheaper) == cheaper.version
    versions = {p.name.split(".")[0] for p in folder.glob("*.csv")}
    assert len(versions) == MAX_SAVED
    assert cheaper.version in versions
    assert versions - {cheaper.version} == set(old[: MAX_SAVED - 1])
    for version in versions:
        assert (folder / f"{version}.instances.csv").is_file()
        assert (folder / f"{version}.accelerators.csv").is_file()
    assert (folder / "notes.txt").is_file()
    assert not list(folder.glob(".*.tmp"))


def test_a_catalog_a_link_still_opens_survives_pruning(app_env: Path) -> None:
    """Pruning goes by last use: opening a saved catalog through its link marks it used."""
    folder = owner_folder(LOCAL_OWNER)
    old_link = _cheaper_catalog()
    for path in _saved(app_env, old_link, folder=folder):
        os.utime(path, (1_000_000, 1_000_000))  # saved long ago
    at = make_app(PAGE, catalog=old_link.version)
    no_errors(at)
    assert _param(at, "catalog") == old_link.version
    assert not [w for w in at.warning if "bundled catalog" in w.value]
    others = [f"{i:012x}" for i in range(3)]
    for age, version in enumerate(others):  # saved after the old link's catalog, before its use
        for kind in ("instances", "accelerators"):
            path = folder / f"{version}.{kind}.csv"
            path.write_text("x")
            os.utime(path, (2_000_000 - age, 2_000_000 - age))
    newest = validate(
        load_bundled().instances.assign(on_demand_usd_per_hour=lambda f: f["on_demand_usd_per_hour"] * 3),
        load_bundled().accelerators,
        name="pricier",
    )
    save_catalog(newest, keep=3)
    versions = {p.name.split(".")[0] for p in folder.glob("*.csv")}
    assert versions == {newest.version, old_link.version, others[0]}


def test_applied_edits_are_saved_once_and_cleared_from_the_editor(app_env: Path) -> None:
    bundled = load_bundled()
    row = bundled.instances.iloc[0].to_dict() | {"region": "eu-test-1", "notes": "added in the editor"}
    at = make_app(PAGE)
    at.session_state["catalog_editor"] = {"edited_rows": {}, "added_rows": [row], "deleted_rows": []}
    at.run()
    at.button(key="catalog_apply").click().run()
    no_errors(at)
    version = _param(at, "catalog")
    assert version != bundled.version
    assert (owner_folder(LOCAL_OWNER) / f"{version}.instances.csv").is_file()
    assert any(f"your catalog {version}" in m.value for m in at.markdown)
    # A second Apply must not add the row again (that would be a duplicate row, or a third catalog).
    at.button(key="catalog_apply").click().run()
    no_errors(at)
    assert not at.error
    assert _param(at, "catalog") == version
    assert len(list(owner_folder(LOCAL_OWNER).glob("*.instances.csv"))) == 1


def test_applying_without_edits_keeps_the_bundled_catalog_unsaved(app_env: Path) -> None:
    at = make_app(PAGE)
    at.button(key="catalog_apply").click().run()
    no_errors(at)
    assert _param(at, "catalog") == load_bundled().version
    assert not list((app_env / "catalogs").rglob("*.csv"))


@pytest.mark.parametrize(
    ("lang", "current", "none"), [("en", "current", "none: one node only"), ("zh", "现行", "无：仅单节点")]
)
def test_the_editor_shows_status_and_interconnect_codes_in_words(
    app_env: Path, lang: str, current: str, none: str
) -> None:
    """The catalog editor keeps the CSV's codes in its table and shows them in the page's language."""
    at = make_app(PAGE, lang=lang)
    configs = [json.loads(el.proto.columns or "{}") for el in at.dataframe]
    editor = next(c for c in configs if "status" in c and "cluster_interconnect" in c)
    status, fabric = editor["status"]["type_config"], editor["cluster_interconnect"]["type_config"]
    assert [o["value"] for o in status["options"]] == list(STATUSES)
    assert status["options"][0]["label"] == current
    assert [o["value"] for o in fabric["options"]] == ["", *CLUSTER_INTERCONNECTS]
    assert fabric["options"][0]["label"] == none
