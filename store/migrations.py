"""Schema versions and the ordered migrations that bring an older database to the current one.

Released schemas (the ``schema_version`` row of ``moatlab_meta``):

1. ``runs`` and ``jobs``.
2. ``jobs.result`` (the result JSON of a job that is not a training run).
3. the ``scenarios`` table.
4. a nullable ``owner`` column on ``runs``, ``jobs`` and ``scenarios`` (and an index on the first
   and last): every row written before stays the local user's (NULL).

Opening a store runs :func:`initialise`: ``create_all`` makes any missing table in its current
shape, then every migration newer than the database's version runs in order, in the same
transaction. Each step is additive and checks first, so replicas upgrading together (serialised
by an advisory lock on PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite) and tables ``create_all`` just
made in their current shape are fine.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from store.engine import Database, StoreError
from store.owners import OWNER_MAX
from store.schema import OWNED_TABLES, meta_table, metadata, scenarios_table

_MIGRATE_LOCK_KEY = 7_261_003  # PostgreSQL advisory lock that serialises schema upgrades


class Migration(NamedTuple):
    """One step: ``apply(conn, db)`` brings a database at ``version - 1`` to ``version``."""

    version: int
    apply: Callable[[Connection, Database], None]


def _columns(conn: Connection, table: str) -> set[str]:
    return {c["name"] for c in sa.inspect(conn).get_columns(table)}


def _add_column(conn: Connection, db: Database, table: str, column: str, sql_type: str) -> None:
    """``ALTER TABLE table ADD COLUMN column sql_type`` unless the column is there already."""
    if db.is_postgres:  # replicas starting together: IF NOT EXISTS makes it idempotent
        conn.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {column} {sql_type}"))
    elif column not in _columns(conn, table):  # SQLite: BEGIN IMMEDIATE serialises check and change
        conn.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN {column} {sql_type}"))


def _job_results(conn: Connection, db: Database) -> None:
    """Schema 2: ``jobs.result``."""
    _add_column(conn, db, "jobs", "result", "TEXT")


def _scenarios(conn: Connection, db: Database) -> None:
    """Schema 3: the ``scenarios`` table (``create_all`` has normally made it already)."""
    scenarios_table.create(conn, checkfirst=True)


def _owners(conn: Connection, db: Database) -> None:
    """Schema 4: a nullable ``owner`` column (and its index) on the owned tables."""
    for table, index in OWNED_TABLES.items():
        _add_column(conn, db, table, "owner", f"VARCHAR({OWNER_MAX})")
        if index is not None:
            conn.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {index} ON {table} (owner)"))


#: Every migration, oldest first; the last one's version is the current schema.
MIGRATIONS: tuple[Migration, ...] = (
    Migration(2, _job_results),
    Migration(3, _scenarios),
    Migration(4, _owners),
)
SCHEMA_VERSION = MIGRATIONS[-1].version


def migrate(conn: Connection, db: Database, version: int) -> None:
    """Apply every migration newer than ``version`` in order and record the new version."""
    db.lock(conn, _MIGRATE_LOCK_KEY)  # replicas starting together upgrade one after the other
    for step in MIGRATIONS:
        if step.version > version:
            step.apply(conn, db)
    conn.execute(
        meta_table.update().where(meta_table.c.key == "schema_version").values(value=str(SCHEMA_VERSION))
    )


def schema_version(conn: Connection) -> int | None:
    """The database's schema version (None before the store has written one)."""
    value = conn.execute(sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version")).scalar()
    return None if value is None else int(value)


def initialise(db: Database) -> None:
    """Create missing tables and upgrade an older schema; StoreError for a newer one."""
    with db.tx() as conn:
        metadata.create_all(conn, checkfirst=True)
        version = schema_version(conn)
        if version is None:
            conn.execute(meta_table.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
        elif version > SCHEMA_VERSION:
            raise StoreError(
                f"the database was written by a newer Moatlab (schema {version}); "
                "upgrade Moatlab or point MOATLAB_HOME / DATABASE_URL elsewhere"
            )
        elif version < SCHEMA_VERSION:
            migrate(conn, db, version)
