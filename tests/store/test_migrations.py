"""Schema migrations on SQLite and PostgreSQL: a database at every released schema version opens,
keeps its rows and ends with exactly the current schema; a newer schema is refused."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from store import LOCAL_OWNER, Store, StoreError
from store.migrations import MIGRATIONS, SCHEMA_VERSION, schema_version
from store.schema import meta_table, metadata
from tests.support.released_schemas import OLD_DOC, OLDER_VERSIONS, build_database, released_metadata


def test_migrations_are_ordered_steps_up_to_the_current_version() -> None:
    versions = [m.version for m in MIGRATIONS]
    assert versions == list(range(2, SCHEMA_VERSION + 1)), "one step per version, in order"
    assert OLDER_VERSIONS == tuple(range(1, SCHEMA_VERSION)), "every released version is rebuilt"


def test_the_released_schemas_are_older_than_the_current_one() -> None:
    """The rebuilt schemas differ from the current one (else the test below proves nothing)."""
    current = {name: {c.name for c in t.columns} for name, t in metadata.tables.items()}
    for version in OLDER_VERSIONS:
        old = {name: {c.name for c in t.columns} for name, t in released_metadata(version).tables.items()}
        assert old != current and all(old[name] <= current[name] for name in old), version


def _shape(conn: sa.Connection) -> dict[str, tuple[set[str], set[str]]]:
    """Each table's column names and index names, as the database reports them."""
    inspector = sa.inspect(conn)
    return {
        table: (
            {c["name"] for c in inspector.get_columns(table)},
            {ix["name"] for ix in inspector.get_indexes(table)},
        )
        for table in metadata.tables
    }


@pytest.mark.parametrize("version", OLDER_VERSIONS)
def test_a_database_at_every_released_version_migrates_to_the_current_one(
    store_url: str, version: int
) -> None:
    build_database(store_url, version)
    upgraded = Store(store_url)
    try:
        with upgraded._engine.connect() as conn:
            assert schema_version(conn) == SCHEMA_VERSION
            shape = _shape(conn)
        for table in metadata.tables.values():
            columns, indexes = shape[table.name]
            assert columns == {c.name for c in table.columns}, table.name
            assert indexes >= {ix.name for ix in table.indexes}, table.name
        run, job = upgraded.get_run(f"r{version}"), upgraded.get_job(f"j{version}")
        assert run is not None and run["owner"] == LOCAL_OWNER and run["status"] == "completed"
        assert job is not None and job.result is None and job.owner == LOCAL_OWNER
        assert upgraded.queue_position(f"j{version}") == 1
        scenarios = upgraded.list_scenarios()
        assert [s["document"] for s in scenarios] == ([OLD_DOC] if version >= 3 else [])
        assert upgraded.finish_task(f"j{version}", status="completed", result="{}", run_id=f"r{version}")
    finally:
        upgraded.dispose()
    again = Store(store_url)  # opening an up-to-date database changes nothing
    try:
        job = again.get_job(f"j{version}")
        assert job is not None and job.status == "completed" and job.result == "{}"
    finally:
        again.dispose()


def test_a_newer_schema_is_refused(store_url: str) -> None:
    first = Store(store_url)
    first.save_scenario("Kept", OLD_DOC)
    with first._engine.begin() as conn:
        conn.execute(meta_table.update().where(meta_table.c.key == "schema_version").values(value="99"))
    first.dispose()
    with pytest.raises(StoreError, match="newer Moatlab"):
        Store(store_url)
