"""Owners in the store, on SQLite and PostgreSQL: a scoped view lists, opens, renames, deletes,
stops and binds only its owner's runs, jobs and scenarios; what it creates carries the owner;
scenario names are unique per owner; a schema-3 database upgrades with every row the local
user's."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from store import LOCAL_OWNER, OWNER_MAX, OwnerError, Store
from store.migrations import SCHEMA_VERSION
from store.schema import meta_table
from tests.support.released_schemas import build_database
from tests.support.store import FakeClock, run_row

ALICE = "https://id.example#alice"
BOB = "https://id.example#bob"
DOC = json.dumps({"name": "Base", "price": 12.5})


def job_row(job_id: str, run_id: str, kind: str = "train") -> dict[str, str]:
    return {"id": job_id, "run_id": run_id, "kind": kind, "request": "{}"}


def ids(rows: list[dict]) -> list[str]:
    return [r["id"] for r in rows]


def names(store: Store) -> list[str]:
    return sorted(r["name"] for r in store.list_scenarios())


# --------------------------------------------------------------------------- views


def test_a_scoped_view_shares_the_engine_and_checks_the_owner(store: Store) -> None:
    alice = store.scoped(ALICE)
    assert alice._engine is store._engine and store.owner is None and alice.owner == ALICE
    assert store.scoped(None).owner == LOCAL_OWNER, "None is the local user"
    assert alice.scoped(BOB).owner == BOB and alice.owner == ALICE, "a view never changes its parent"
    for bad in ("", "   ", "x" * (OWNER_MAX + 1)):
        with pytest.raises(ValueError, match="owner id"):
            store.scoped(bad)
    with pytest.raises(TypeError):
        store.scoped(42)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- runs


def test_runs_are_listed_and_opened_only_by_their_owner(store: Store) -> None:
    alice, bob, local = store.scoped(ALICE), store.scoped(BOB), store.scoped(None)
    alice.insert_run(run_row("ra", status="completed", created_at="2026-01-01T00:00:01Z"))
    bob.insert_run(run_row("rb", status="completed", created_at="2026-01-01T00:00:02Z"))
    store.insert_run(run_row("rl", status="completed", created_at="2026-01-01T00:00:03Z"))
    assert ids(alice.list_runs()) == ["ra"] and ids(bob.list_runs()) == ["rb"]
    assert ids(local.list_runs()) == ["rl"], "an unscoped store creates as the local user"
    assert ids(store.list_runs()) == ["rl", "rb", "ra"], "unscoped: every owner's runs"
    assert [r["owner"] for r in store.list_runs()] == [LOCAL_OWNER, BOB, ALICE]
    assert alice.get_run("ra")["owner"] == ALICE
    assert alice.get_run("rb") is None and alice.get_run("rl") is None and local.get_run("ra") is None

    # Another owner's run is "not found" for every change.
    assert alice.rename_run("rb", "taken") is False
    assert alice.patch_run_record("rb", inference={"x": 1}) is False
    alice.update_run("rb", status="failed", record="{}")
    assert alice.delete_run("rb") is False and local.delete_run("rb") is False
    row = store.get_run("rb")
    assert row["name"] == "run rb" and row["status"] == "completed"
    assert "inference" not in json.loads(row["record"])
    # Their own still works.
    assert bob.rename_run("rb", "Bob's") is True and bob.patch_run_record("rb", inference={}) is True
    assert bob.delete_run("rb") is True and store.get_run("rb") is None


def test_jobs_are_stamped_and_seen_only_by_their_owner(store: Store, clock: FakeClock) -> None:
    alice, bob = store.scoped(ALICE), store.scoped(BOB)
    bob.submit(run_row("rb"), job_row("jb", "rb"))
    clock.advance(0.01)
    alice.submit(run_row("ra"), job_row("ja", "ra"))
    assert store.get_job("jb")["owner"] == BOB and store.get_run("rb")["owner"] == BOB
    assert alice.get_job("jb") is None and alice.job_for_run("rb") is None
    assert ids(alice.active_jobs()) == ["ja"] and ids(bob.active_jobs()) == ["jb"]
    assert ids(store.active_jobs()) == ["jb", "ja"]
    # One queue for everyone: Alice's job waits behind Bob's, but she cannot see or stop his.
    assert alice.queue_position("ja") == 2 and alice.queue_position("jb") is None
    assert alice.request_stop("jb") is None and store.get_job("jb")["status"] == "queued"

    # The worker (unscoped) serves both; it writes the rows the submitters created.
    claimed = store.claim_job("w1")
    assert claimed is not None and claimed["id"] == "jb" and claimed["owner"] == BOB
    store.finish_job("jb", "rb", status="completed", record=json.dumps({"id": "rb", "status": "completed"}))
    assert bob.get_run("rb")["status"] == "completed" and store.get_run("rb")["owner"] == BOB

    # A job on a finished run gets the run's owner; a scoped store cannot queue on another's run.
    with pytest.raises(LookupError, match="run rb does not exist"):
        alice.submit_job(job_row("bench-a", "rb", "bench"))
    with pytest.raises(LookupError):
        alice.submit_job(job_row("bench-x", "no-such-run", "bench"))
    bob.submit_job(job_row("bench-b", "rb", "bench"))
    store.submit_job(job_row("bench-w", "rb", "bench"))  # unscoped: still the run's owner
    assert store.get_job("bench-b")["owner"] == BOB and store.get_job("bench-w")["owner"] == BOB
    assert bob.job_for_run("rb", kind="bench")["id"] in ("bench-b", "bench-w")
    assert alice.job_for_run("rb", kind="bench") is None


# --------------------------------------------------------------------------- scenarios


def test_scenario_names_are_unique_per_owner(store: Store) -> None:
    alice, bob, local = store.scoped(ALICE), store.scoped(BOB), store.scoped(None)
    a1 = alice.save_scenario("Base", DOC)
    b1 = bob.save_scenario("Base", DOC)
    local.save_scenario("Base", DOC)
    assert names(alice) == names(bob) == names(local) == ["Base"], "each owner may have a 'Base'"
    assert alice.unique_scenario_name("Base") == "Base (2)" and bob.unique_scenario_name("Other") == "Other"
    alice.save_scenario("Base", DOC)
    assert names(alice) == ["Base", "Base (2)"] and names(bob) == ["Base"]
    assert alice.get_scenario(alice.duplicate_scenario(a1))["name"] == "Base (copy)"
    assert bob.get_scenario(bob.duplicate_scenario(b1))["name"] == "Base (copy)"
    assert store.get_scenario(b1)["owner"] == BOB and len(store.list_scenarios()) == 6


def test_scenarios_of_another_owner_are_not_found(store: Store) -> None:
    alice, bob = store.scoped(ALICE), store.scoped(BOB)
    sid = bob.save_scenario("Bob's plan", DOC)
    assert alice.get_scenario(sid) is None and alice.list_scenarios() == []
    assert alice.rename_scenario(sid, "Mine now") is False
    assert alice.duplicate_scenario(sid) is None and alice.duplicate_scenario(sid, "Copy") is None
    assert alice.delete_scenario(sid) is False
    with pytest.raises(LookupError, match="no longer exists"):
        alice.save_scenario("Overwrite", "{}", scenario_id=sid)
    row = bob.get_scenario(sid)
    assert row["name"] == "Bob's plan" and row["document"] == DOC and row["owner"] == BOB
    assert alice.list_scenarios() == [], "a refused overwrite inserts nothing"
    copy = bob.duplicate_scenario(sid)
    assert bob.get_scenario(copy)["owner"] == BOB
    assert bob.rename_scenario(sid, "Renamed") is True and bob.delete_scenario(sid) is True


def test_a_scenario_binds_only_its_owners_runs(store: Store) -> None:
    alice, bob = store.scoped(ALICE), store.scoped(BOB)
    bob.insert_run(run_row("rb", status="completed"))
    alice.insert_run(run_row("ra", status="completed"))
    with pytest.raises(OwnerError, match="run rb is not one of your runs") as refused:
        alice.save_scenario("Plan", DOC, run_id="rb")
    assert refused.value.run_id == "rb" and isinstance(refused.value, LookupError)
    assert alice.list_scenarios() == []
    sid = alice.save_scenario("Plan", DOC, run_id="ra")
    with pytest.raises(LookupError, match="not one of your runs"):
        alice.save_scenario("Plan", DOC, run_id="rb", scenario_id=sid)
    assert alice.get_scenario(sid)["run_id"] == "ra", "the refused overwrite changed nothing"
    gone = alice.save_scenario("Gone", DOC, run_id="deleted-run")  # like a binding to a deleted run
    assert alice.get_scenario(gone)["run_id"] == "deleted-run"
    with pytest.raises(LookupError):
        store.scoped(None).save_scenario("Local", DOC, run_id="ra")


# --------------------------------------------------------------------------- schema 3 → 4


def test_a_schema_3_database_upgrades_with_every_row_the_local_users(store_url: str) -> None:
    build_database(store_url, 3)
    upgraded = Store(store_url)
    try:
        with upgraded._engine.connect() as conn:
            version = conn.execute(
                sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version")
            ).scalar_one()
            inspector = sa.inspect(conn)
            for table in ("runs", "jobs", "scenarios"):
                assert "owner" in {c["name"] for c in inspector.get_columns(table)}, table
            assert "ix_runs_owner" in {ix["name"] for ix in inspector.get_indexes("runs")}
            assert "ix_scenarios_owner" in {ix["name"] for ix in inspector.get_indexes("scenarios")}
            raw = conn.execute(sa.text("SELECT owner FROM runs UNION ALL SELECT owner FROM jobs")).all()
        assert version == str(SCHEMA_VERSION) == "4"
        assert raw == [(None,), (None,)], "old rows stay NULL: the local user's"

        local, alice = upgraded.scoped(None), upgraded.scoped(ALICE)
        assert ids(local.list_runs()) == ["r3"] and local.get_run("r3")["owner"] == LOCAL_OWNER
        assert local.get_job("j3")["owner"] == LOCAL_OWNER and local.queue_position("j3") == 1
        assert local.get_scenario("s3")["run_id"] == "r3" and names(local) == ["Old plan"]
        assert alice.list_runs() == [] and alice.list_scenarios() == [] and alice.get_job("j3") is None
        assert local.save_scenario("Old plan", DOC, run_id="r3") != "s3"
        assert names(local) == ["Old plan", "Old plan (2)"], "old names count for the local user"
        assert alice.save_scenario("Old plan", DOC) and names(alice) == ["Old plan"]
    finally:
        upgraded.dispose()
    again = Store(store_url)  # opening an up-to-date database changes nothing
    try:
        assert ids(again.scoped(None).list_runs()) == ["r3"] and len(again.list_scenarios()) == 3
    finally:
        again.dispose()
