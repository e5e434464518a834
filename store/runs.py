"""Runs: one row per training run, its ``RunRecord`` JSON in ``record`` (the store never builds
the domain object; ``mlcore.runs`` does).

The ``status`` column mirrors the record's ``status`` field for queries; every method that
changes one changes the other in the same statement (:meth:`RunRepository.set_status`).
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from store.engine import Database
from store.owners import Repository, Scope, row_dict
from store.schema import ACTIVE_STATUSES, jobs_table, runs_table


def json_patch(text: str, **changes: Any) -> str:
    """The JSON object ``text`` with top-level ``changes`` set (the other fields kept)."""
    data = json.loads(text)
    data.update(changes)
    return json.dumps(data, allow_nan=False, ensure_ascii=False)


class RunRepository(Repository):
    """The ``runs`` table as ``scope`` sees it. Each public method is one transaction; the
    ``conn``-taking helpers join a transaction the jobs or scenarios repository opened."""

    table = runs_table

    # ------------------------------------------------------------------ inside a transaction
    def owner_of(self, conn: Connection, run_id: str) -> tuple[bool, str | None]:
        """Whether run ``run_id`` exists, and its ``owner`` column."""
        row = conn.execute(sa.select(runs_table.c.owner).where(runs_table.c.id == run_id)).first()
        return (row is not None, row[0] if row is not None else None)

    def visible(self, conn: Connection, run_id: str) -> tuple[bool, str | None]:
        """Whether run ``run_id`` exists *and* this scope may see it, and its ``owner`` column."""
        exists, owner = self.owner_of(conn, run_id)
        return (exists and (not self.scope.scoped or owner == self.scope.stamp), owner)

    def insert(self, conn: Connection, row: dict[str, Any], *, now: float) -> None:
        """Insert a run row stamped with this scope's owner, ``updated_at`` = ``now``."""
        conn.execute(runs_table.insert().values(updated_at=now, **{**row, "owner": self.scope.stamp}))

    def write(self, conn: Connection, run_id: str, **values: Any) -> None:
        """Set columns of run ``run_id``, any owner's (the worker writes the run its job names)."""
        conn.execute(runs_table.update().where(runs_table.c.id == run_id).values(**values))

    def record_for_update(self, conn: Connection, run_id: str, *, scoped: bool) -> Any:
        """The run's record row, locked until the transaction ends (PostgreSQL ``FOR UPDATE``;
        SQLite's ``BEGIN IMMEDIATE`` already holds the write lock), so two read-modify-writes of
        one record never lose each other's change. None when there is no such run or, with
        ``scoped``, when it is not this store's to see (worker-side callers pass False)."""
        query = sa.select(runs_table.c.record).where(runs_table.c.id == run_id)
        if scoped:
            query = query.where(self.mine())
        return conn.execute(query.with_for_update() if self.db.is_postgres else query).first()

    def patch(
        self, conn: Connection, run_id: str, fields: dict[str, Any], *, scoped: bool, **columns: Any
    ) -> bool:
        """Set top-level ``fields`` of the run's record (and the given ``columns``); False when
        the run does not exist (or, with ``scoped``, is not this store's to see)."""
        row = self.record_for_update(conn, run_id, scoped=scoped)
        if row is None:
            return False
        self.write(conn, run_id, record=json_patch(row[0], **fields), updated_at=self.db.clock(), **columns)
        return True

    def set_status(self, conn: Connection, run_id: str, status: str, **record_changes: Any) -> None:
        """Set the run's status (column and record) and other record fields; any owner's run."""
        self.patch(conn, run_id, {"status": status, **record_changes}, scoped=False, status=status)

    # ------------------------------------------------------------------ one transaction each
    def insert_run(self, row: dict[str, Any]) -> None:
        """Insert a run row (id, name, created_at, status, dataset, model, record), owned by this
        store's owner (the local user when unscoped)."""
        with self.db.tx() as conn:
            self.insert(conn, row, now=self.db.clock())

    def patch_run_record(self, run_id: str, **fields: Any) -> bool:
        """Set top-level fields of a run's record JSON (the others are kept), atomically.

        False when the run does not exist.
        """
        with self.db.tx() as conn:
            return self.patch(conn, run_id, fields, scoped=True)

    def get_run(self, run_id: str) -> dict[str, Any] | None:
        """The run row (its ``owner`` as an owner id, ``"local"`` for the local user), or None
        when there is no such run or it is not this store's to see."""
        query = sa.select(runs_table).where(runs_table.c.id == run_id, self.mine())
        with self.db.tx() as conn:
            row = conn.execute(query).mappings().first()
        return row_dict(row) if row else None

    def list_runs(self) -> list[dict[str, Any]]:
        """Every run this store sees, newest first."""
        query = (
            sa.select(runs_table).where(self.mine()).order_by(runs_table.c.created_at.desc(), runs_table.c.id)
        )
        with self.db.tx() as conn:
            return [row_dict(r) for r in conn.execute(query).mappings()]

    def update_run(self, run_id: str, *, status: str | None = None, record: str | None = None) -> None:
        """Replace a run's record JSON and/or status atomically (neither: bump ``updated_at``)."""
        values: dict[str, Any] = {"updated_at": self.db.clock()}
        if status is not None:
            values["status"] = status
        if record is not None:
            values["record"] = record
        with self.db.tx() as conn:
            conn.execute(runs_table.update().where(runs_table.c.id == run_id, self.mine()).values(**values))

    def rename_run(self, run_id: str, name: str) -> bool:
        """Set a run's name (column and record). False when the run does not exist."""
        with self.db.tx() as conn:
            return self.patch(conn, run_id, {"name": name}, scoped=True, name=name)

    def delete_run(self, run_id: str) -> bool:
        """Delete a finished run and its jobs. Refuses (False) while the run is queued or running,
        or while any job on it (an inference benchmark, a sweep) is."""
        with self.db.tx() as conn:
            row = self.find(conn, run_id, runs_table.c.status)
            if row is None or row.status in ACTIVE_STATUSES:
                return False
            busy = conn.execute(
                sa.select(sa.func.count())
                .select_from(jobs_table)
                .where(jobs_table.c.run_id == run_id, jobs_table.c.status.in_(ACTIVE_STATUSES))
            ).scalar_one()
            if busy:
                return False
            conn.execute(jobs_table.delete().where(jobs_table.c.run_id == run_id))
            conn.execute(runs_table.delete().where(runs_table.c.id == run_id))
            return True


class RunBoundRepository(Repository):
    """A table whose rows name a run (jobs, scenarios): reads and writes runs through ``runs``,
    in the same transaction."""

    def __init__(self, db: Database, scope: Scope, runs: RunRepository) -> None:
        super().__init__(db, scope)
        self.runs = runs
