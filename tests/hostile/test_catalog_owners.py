"""Issue 20, D13: saved catalogs belong to their owner, with a quota per owner.

Catalogs were kept in one folder for everybody with a 500-catalog cap: one user saving many
evicted everybody else's (links to them broke), and the cap allowed about 2.5 GB at the upload
limit. Now each owner saves into a folder of their own and pruning stays inside it (a count and a
byte quota, least recently used first); a link still opens a catalog whoever saved it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bizmodel.catalog import Catalog, load_bundled, validate
from tests.support.app import make_app, no_errors
from ui.components import catalog as catalog_view

ALICE, BOB = "https://id.example#alice", "https://id.example#bob"


def _priced(factor: float) -> Catalog:
    bundled = load_bundled()
    instances = bundled.instances.assign(
        on_demand_usd_per_hour=bundled.instances["on_demand_usd_per_hour"] * factor
    )
    return validate(instances, bundled.accelerators, name=f"×{factor:g}")


def _save_as(owner: str, catalog: Catalog, monkeypatch: pytest.MonkeyPatch, **kwargs: int) -> str:
    monkeypatch.setattr(catalog_view, "current_owner", lambda: owner, raising=False)
    return catalog_view.save_catalog(catalog, **kwargs)


def _kept(home: Path) -> set[str]:
    return {p.name.split(".")[0] for p in (home / "catalogs").rglob("*.instances.csv")}


def test_one_owner_saving_many_never_evicts_another_owners_catalogs(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alices = {_save_as(ALICE, _priced(f), monkeypatch, keep=3) for f in (0.5, 0.6)}
    bobs = [_save_as(BOB, _priced(1 + f / 10), monkeypatch, keep=3) for f in range(1, 7)]
    kept = _kept(app_env)
    assert alices <= kept  # Alice's are all there
    assert kept - alices == set(bobs[-3:])  # Bob keeps his three most recent: his quota, his loss


def test_the_byte_quota_prunes_the_owners_least_recently_used(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _save_as(ALICE, _priced(0.5), monkeypatch)
    size = sum(p.stat().st_size for p in (app_env / "catalogs").rglob(f"{first}.*.csv"))
    monkeypatch.setattr(catalog_view, "MAX_SAVED_BYTES", int(size * 2.5))
    _save_as(BOB, _priced(3.0), monkeypatch)  # another owner's: never counted in Alice's quota
    later = [_save_as(ALICE, _priced(f), monkeypatch) for f in (0.6, 0.7)]
    assert _kept(app_env) == {*later, _priced(3.0).version}


def test_a_link_opens_a_catalog_another_owner_saved(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    version = _save_as(ALICE, _priced(0.5), monkeypatch)
    assert catalog_view.find_saved(version, BOB) == catalog_view.owner_folder(ALICE)
    monkeypatch.setattr(catalog_view, "current_owner", lambda: BOB, raising=False)
    at = make_app("app_pages/compute.py", catalog=version)
    no_errors(at)
    assert any(f"your catalog {version}" in m.value for m in at.markdown)
    assert not [w for w in at.warning if "bundled catalog" in w.value]  # no fallback
