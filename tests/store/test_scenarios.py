"""Saved revenue scenarios in the store, on SQLite and PostgreSQL: save, overwrite, list, rename,
duplicate, delete and name rules (the schema upgrades: test_migrations)."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from store import SCENARIO_NAME_MAX, Store, StoreError
from store.schema import scenarios_table
from tests.support.store import FakeClock, failing_statement

DOC = json.dumps({"name": "Base", "horizon_months": 36, "price": 12.5})


def names(store: Store) -> list[str]:
    return [s["name"] for s in store.list_scenarios()]


# --------------------------------------------------------------------------- save and read


def test_save_and_get(store: Store) -> None:
    sid = store.save_scenario("  Base case  ", DOC, run_id="run-1")
    assert len(sid) == 32 and int(sid, 16) >= 0, "a uuid4 hex id"
    row = store.get_scenario(sid)
    assert row is not None
    assert set(row) == {"id", "name", "created_at", "updated_at", "run_id", "document", "owner"}
    assert row["owner"] == "local", "an unscoped store saves as the local user"
    assert row["id"] == sid and row["name"] == "Base case", "the name is trimmed"
    assert row["document"] == DOC, "the document comes back exactly as given"
    assert row["run_id"] == "run-1"
    assert row["created_at"].endswith("Z") and time.time() - row["updated_at"] < 60
    unbound = store.save_scenario("Other", "not even JSON")
    other = store.get_scenario(unbound)
    assert other is not None and other["run_id"] is None and other["document"] == "not even JSON"


def test_list_is_newest_updated_first_with_documents(store: Store, clock: FakeClock) -> None:
    assert store.list_scenarios() == []
    first = store.save_scenario("A", DOC)
    clock.advance(0.01)
    second = store.save_scenario("B", "{}")
    clock.advance(0.01)
    third = store.save_scenario("C", "[]")
    assert [s["id"] for s in store.list_scenarios()] == [third, second, first]
    clock.advance(0.01)
    store.save_scenario("A", DOC, scenario_id=first)  # touching the oldest moves it to the top
    listed = store.list_scenarios()
    assert [s["id"] for s in listed] == [first, third, second]
    assert [s["document"] for s in listed] == [DOC, "[]", "{}"]


def test_overwrite_keeps_created_at_and_moves_updated_at(store: Store, clock: FakeClock) -> None:
    sid = store.save_scenario("Base", DOC, run_id="run-1")
    before = store.get_scenario(sid)
    assert before is not None
    clock.advance(2.0)  # created_at has whole seconds: prove it is kept, not rewritten
    new_doc = json.dumps({"price": 20})
    assert store.save_scenario("Base v2", new_doc, scenario_id=sid) == sid
    after = store.get_scenario(sid)
    assert after is not None
    assert after["created_at"] == before["created_at"]
    assert after["updated_at"] > before["updated_at"]
    assert (after["name"], after["document"], after["run_id"]) == ("Base v2", new_doc, None)
    assert len(store.list_scenarios()) == 1, "overwritten, not added"


def test_overwrite_may_share_a_name_but_new_scenarios_never_do(store: Store) -> None:
    a = store.save_scenario("Plan", DOC)
    b = store.save_scenario("Plan", DOC)
    c = store.save_scenario(" Plan ", DOC)
    assert [store.get_scenario(i)["name"] for i in (a, b, c)] == ["Plan", "Plan (2)", "Plan (3)"]
    store.save_scenario("Plan", DOC, scenario_id=c)
    assert store.get_scenario(c)["name"] == "Plan", "an overwrite keeps the name it was given"
    assert sorted(names(store)) == ["Plan", "Plan", "Plan (2)"]


# --------------------------------------------------------------------------- names


def test_unique_scenario_name(store: Store) -> None:
    assert store.unique_scenario_name(" Growth ") == "Growth"
    store.save_scenario("Growth", DOC)
    assert store.unique_scenario_name("Growth") == "Growth (2)"
    store.save_scenario("Growth (2)", DOC)
    assert store.unique_scenario_name("Growth") == "Growth (3)"
    assert store.unique_scenario_name("growth") == "growth", "names are case-sensitive"
    assert store.unique_scenario_name("Grow") == "Grow", "a prefix of a taken name is free"


def test_like_wildcards_in_names_are_literal(store: Store) -> None:
    store.save_scenario("100% growth_x", DOC)
    assert store.unique_scenario_name("100% growth_x") == "100% growth_x (2)"
    assert store.unique_scenario_name("100X growthAx") == "100X growthAx"
    assert store.unique_scenario_name("100%") == "100%"


@pytest.mark.parametrize("bad", ["", "   ", "\t\n"])
def test_an_empty_name_is_refused(store: Store, bad: str) -> None:
    sid = store.save_scenario("Kept", DOC)
    with pytest.raises(ValueError, match="empty; type a name"):
        store.save_scenario(bad, DOC)
    with pytest.raises(ValueError, match="empty"):
        store.save_scenario(bad, DOC, scenario_id=sid)
    with pytest.raises(ValueError, match="empty"):
        store.rename_scenario(sid, bad)
    with pytest.raises(ValueError, match="empty"):
        store.duplicate_scenario(sid, bad)
    with pytest.raises(ValueError, match="empty"):
        store.unique_scenario_name(bad)
    assert names(store) == ["Kept"]


def test_a_too_long_name_is_refused(store: Store) -> None:
    longest = "x" * SCENARIO_NAME_MAX
    sid = store.save_scenario(f"  {longest}  ", DOC)  # the trimmed length counts
    assert store.get_scenario(sid)["name"] == longest
    with pytest.raises(ValueError, match=f"201 characters long; shorten it to at most {SCENARIO_NAME_MAX}"):
        store.save_scenario(longest + "y", DOC)
    with pytest.raises(ValueError, match="shorten it"):
        store.rename_scenario(sid, longest + "y")
    with pytest.raises(ValueError, match="shorten it"):
        store.duplicate_scenario(sid, longest + "y")
    assert len(store.list_scenarios()) == 1


def test_suffixes_never_push_a_name_past_the_limit(store: Store) -> None:
    longest = "x" * SCENARIO_NAME_MAX
    first = store.save_scenario(longest, DOC)
    second = store.save_scenario(longest, DOC)
    copy = store.duplicate_scenario(first)
    copy2 = store.duplicate_scenario(first)
    got = {i: store.get_scenario(i)["name"] for i in (second, copy, copy2)}
    assert got[second] == "x" * (SCENARIO_NAME_MAX - 4) + " (2)"
    assert got[copy] == "x" * (SCENARIO_NAME_MAX - 7) + " (copy)"
    assert got[copy2] == "x" * (SCENARIO_NAME_MAX - 9) + " (copy 2)"
    assert all(len(n) <= SCENARIO_NAME_MAX for n in names(store))


def test_wrong_types_are_refused(store: Store) -> None:
    with pytest.raises(TypeError, match="JSON text"):
        store.save_scenario("A", {"price": 1})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be text"):
        store.save_scenario(None, DOC)  # type: ignore[arg-type]
    assert store.list_scenarios() == []


# --------------------------------------------------------------------------- rename, duplicate, delete


def test_rename(store: Store, clock: FakeClock) -> None:
    sid = store.save_scenario("Old", DOC, run_id="r")
    other = store.save_scenario("Other", DOC)
    before = store.get_scenario(sid)
    clock.advance(0.01)
    assert store.rename_scenario(sid, "  New  ") is True
    after = store.get_scenario(sid)
    assert after["name"] == "New" and after["document"] == DOC and after["run_id"] == "r"
    assert after["created_at"] == before["created_at"] and after["updated_at"] > before["updated_at"]
    assert store.rename_scenario(other, "New") is True, "a rename may share a name"
    assert store.rename_scenario("0" * 32, "X") is False


def test_duplicate_naming_sequence(store: Store) -> None:
    sid = store.save_scenario("Base", DOC, run_id="run-7")
    copies = [store.duplicate_scenario(sid) for _ in range(4)]
    assert all(c is not None for c in copies) and len(set(copies) | {sid}) == 5
    assert [store.get_scenario(c)["name"] for c in copies] == [
        "Base (copy)",
        "Base (copy 2)",
        "Base (copy 3)",
        "Base (copy 4)",
    ]
    assert store.delete_scenario(copies[1]) is True
    again = store.duplicate_scenario(sid)
    assert store.get_scenario(again)["name"] == "Base (copy 2)", "the first free number is reused"
    copy_of_copy = store.duplicate_scenario(copies[0])
    assert store.get_scenario(copy_of_copy)["name"] == "Base (copy) (copy)"
    for c in copies:
        row = store.get_scenario(c)
        if row is not None:
            assert row["document"] == DOC and row["run_id"] == "run-7"


def test_duplicate_with_a_name(store: Store) -> None:
    sid = store.save_scenario("Base", DOC)
    named = store.duplicate_scenario(sid, "  Pessimistic ")
    assert named is not None and store.get_scenario(named)["name"] == "Pessimistic"
    clash = store.duplicate_scenario(sid, "Base")
    assert store.get_scenario(clash)["name"] == "Base (2)", "a given name is made unique too"
    source, copy = store.get_scenario(sid), store.get_scenario(named)
    assert copy["document"] == source["document"] and copy["created_at"] >= source["created_at"]


def test_delete(store: Store) -> None:
    keep = store.save_scenario("Keep", DOC)
    gone = store.save_scenario("Gone", DOC)
    assert store.delete_scenario(gone) is True
    assert store.get_scenario(gone) is None
    assert store.delete_scenario(gone) is False
    assert [s["id"] for s in store.list_scenarios()] == [keep]
    assert store.unique_scenario_name("Gone") == "Gone", "a deleted scenario frees its name"


def test_missing_ids(store: Store) -> None:
    missing = "f" * 32
    assert store.get_scenario(missing) is None
    assert store.rename_scenario(missing, "X") is False
    assert store.duplicate_scenario(missing) is None
    assert store.duplicate_scenario(missing, "X") is None
    assert store.delete_scenario(missing) is False
    with pytest.raises(LookupError, match=f"scenario {missing} no longer exists; save it as a new one"):
        store.save_scenario("X", DOC, scenario_id=missing)
    assert store.list_scenarios() == [], "a failed overwrite inserts nothing"


# --------------------------------------------------------------------------- schema and sharing


def test_two_stores_on_one_sqlite_file_share_scenarios(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared' / 'moatlab.db'}"
    one, two = Store(url), Store(url)
    try:
        sid = one.save_scenario("Shared", DOC)
        seen = two.get_scenario(sid)
        assert seen is not None and seen["document"] == DOC
        assert two.save_scenario("Shared", DOC) != sid
        assert sorted(names(one)) == ["Shared", "Shared (2)"], "names stay unique across stores"
        assert two.rename_scenario(sid, "Renamed") is True
        assert one.get_scenario(sid)["name"] == "Renamed"
        assert one.delete_scenario(sid) is True
        assert two.get_scenario(sid) is None
    finally:
        one.dispose()
        two.dispose()


def test_concurrent_saves_of_one_name_get_distinct_names(store_url: str) -> None:
    stores = [Store(store_url) for _ in range(4)]
    barrier = threading.Barrier(len(stores))

    def save_some(s: Store) -> list[str]:
        barrier.wait()
        return [s.save_scenario("Race", DOC) for _ in range(5)]

    try:
        with ThreadPoolExecutor(len(stores)) as pool:
            ids = [i for batch in pool.map(save_some, stores) for i in batch]
        got = names(stores[0])
        assert len(set(ids)) == len(ids) == 20
        assert sorted(got) == sorted(["Race"] + [f"Race ({n})" for n in range(2, 21)])
    finally:
        for s in stores:
            s.dispose()


def test_a_failed_write_leaves_nothing_behind(store: Store) -> None:
    sid = store.save_scenario("Base", DOC)
    with failing_statement(store, "INSERT INTO scenarios"), pytest.raises(RuntimeError, match="injected"):
        store.duplicate_scenario(sid)
    with failing_statement(store, "UPDATE scenarios"), pytest.raises(RuntimeError, match="injected"):
        store.save_scenario("Never", "{}", scenario_id=sid)
    assert [(s["name"], s["document"]) for s in store.list_scenarios()] == [("Base", DOC)]


def test_a_database_problem_is_a_store_error(store: Store) -> None:
    store.save_scenario("Base", DOC)
    with store._engine.begin() as conn:
        scenarios_table.drop(conn)
    for call in (
        store.list_scenarios,
        lambda: store.save_scenario("X", DOC),
        lambda: store.get_scenario("x"),
        lambda: store.delete_scenario("x"),
        lambda: store.unique_scenario_name("X"),
    ):
        with pytest.raises(StoreError, match="is not usable"):
            call()
