"""Saved revenue scenarios: the JSON document the caller gives (``bizmodel`` validates it; the
store never parses it), a name, and optionally the run it is bound to.

Names are trimmed and at most :data:`~store.schema.SCENARIO_NAME_MAX` characters. The database
does not require them to be unique, but every scenario the store creates (:meth:`save_scenario`
without an id, :meth:`duplicate_scenario`) gets a name no other scenario of the same owner has,
chosen in the same transaction as the insert (serialised by ``BEGIN IMMEDIATE`` on SQLite, an
advisory lock on PostgreSQL). Two owners may each have a scenario called "Base". Overwriting and
renaming keep the name the caller gave.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from safetext import name_problem
from store.engine import iso
from store.owners import row_dict
from store.runs import RunBoundRepository
from store.schema import SCENARIO_NAME_MAX, scenarios_table

_SCENARIO_NAME_LOCK_KEY = 7_261_002  # PostgreSQL advisory lock that serialises new scenario names


class OwnerError(LookupError):
    """A scoped store was asked to bind a scenario to another owner's run (``run_id``)."""

    def __init__(self, message: str, *, run_id: str) -> None:
        super().__init__(message)
        self.run_id = run_id


def scenario_name(name: str) -> str:
    """``name`` trimmed; ValueError (saying what to change) when empty, too long or holding a
    control or invisible character (:func:`safetext.name_problem`)."""
    if not isinstance(name, str):
        raise TypeError(f"a scenario name must be text, not {type(name).__name__}")
    cleaned = name.strip()
    if not cleaned:
        raise ValueError("the scenario name is empty; type a name for the scenario")
    if len(cleaned) > SCENARIO_NAME_MAX:
        raise ValueError(
            f"the scenario name is {len(cleaned)} characters long; shorten it to at most {SCENARIO_NAME_MAX}"
        )
    problem = name_problem(cleaned, what="scenario name")
    if problem is not None:
        raise ValueError(problem)
    return cleaned


def with_suffix(stem: str, suffix: str) -> str:
    """``stem`` + ``suffix``, the stem cut so the whole fits :data:`SCENARIO_NAME_MAX`."""
    return stem[: SCENARIO_NAME_MAX - len(suffix)] + suffix


class ScenarioRepository(RunBoundRepository):
    """The ``scenarios`` table as ``scope`` sees it; run bindings are checked through ``runs``."""

    table = scenarios_table

    def _names_like(self, conn: Connection, stem: str) -> set[str]:
        """The names of this scope's owner's scenarios that start with ``stem``'s first
        characters (a superset of the names :meth:`_free_name` could collide with); an unscoped
        store creates as the local user, so it checks the local user's names."""
        starts = scenarios_table.c.name.startswith(stem[: SCENARIO_NAME_MAX // 2], autoescape=True)
        rows = conn.execute(
            sa.select(scenarios_table.c.name).where(starts, self.scope.same_owner(scenarios_table.c.owner))
        ).all()
        return {r[0] for r in rows}

    def _free_name(self, conn: Connection, first: str, stem: str, pattern: str) -> str:
        """``first`` when no scenario has it, else ``stem`` + ``pattern.format(n)`` for the
        smallest n ≥ 2 that is free."""
        taken = self._names_like(conn, stem)
        if first not in taken:
            return first
        n = 2
        while (candidate := with_suffix(stem, pattern.format(n))) in taken:
            n += 1
        return candidate

    def _insert(self, conn: Connection, *, name: str, run_id: str | None, document: str) -> str:
        """Insert a new scenario owned by this scope's owner, created now; returns its id."""
        now = self.db.clock()
        new_id = uuid.uuid4().hex
        conn.execute(
            scenarios_table.insert().values(
                id=new_id,
                name=name,
                created_at=iso(now),
                updated_at=now,
                run_id=run_id,
                document=document,
                owner=self.scope.stamp,
            )
        )
        return new_id

    def _check_binding(self, conn: Connection, run_id: str | None) -> None:
        """OwnerError when a scoped store would bind a scenario to another owner's run."""
        if run_id is None or not self.scope.scoped:
            return
        exists, owner = self.runs.owner_of(conn, run_id)
        if exists and owner != self.scope.stamp:
            raise OwnerError(
                f"run {run_id} is not one of your runs; bind one of yours (or none) and save again",
                run_id=run_id,
            )

    def unique_scenario_name(self, name: str) -> str:
        """``name`` (trimmed) when none of this owner's scenarios has it, else ``"name (2)"``, …

        The stem is shortened where the suffix would push the name past
        :data:`SCENARIO_NAME_MAX`. ValueError for an empty or too long name. Advisory: another
        writer may take the name before it is used; :meth:`save_scenario` picks it atomically.
        """
        cleaned = scenario_name(name)
        with self.db.tx() as conn:
            return self._free_name(conn, cleaned, cleaned, " ({})")

    def save_scenario(
        self, name: str, document: str, *, run_id: str | None = None, scenario_id: str | None = None
    ) -> str:
        """Save a scenario's JSON ``document`` (stored as given, not parsed) and return its id.

        Without ``scenario_id`` a new scenario is inserted under a free name: ``name`` itself or,
        when another scenario has it, ``"name (2)"``, ``"name (3)"``, … (see
        :meth:`unique_scenario_name`). With ``scenario_id`` that scenario's name, document and
        ``run_id`` are overwritten (its ``created_at`` is kept, ``updated_at`` moves); a name shared
        with another scenario is then kept as given. LookupError when that scenario no longer
        exists; ValueError for an empty or too long name; TypeError when ``document`` is not a str.

        A scoped store saves as its owner: ``scenario_id`` must be one of the owner's scenarios
        (another owner's is "no longer exists"), and ``run_id`` may not name another owner's run
        (:class:`OwnerError`, a LookupError; a run id that names no run at all is kept, like a
        binding to a deleted run).
        """
        cleaned = scenario_name(name)
        if not isinstance(document, str):
            raise TypeError(f"a scenario document must be JSON text, not {type(document).__name__}")
        with self.db.tx() as conn:
            self._check_binding(conn, run_id)
            if scenario_id is not None:
                result = conn.execute(
                    scenarios_table.update()
                    .where(scenarios_table.c.id == scenario_id, self.mine())
                    .values(name=cleaned, document=document, run_id=run_id, updated_at=self.db.clock())
                )
                if result.rowcount != 1:
                    raise LookupError(f"scenario {scenario_id} no longer exists; save it as a new one")
                return scenario_id
            self.db.lock(conn, _SCENARIO_NAME_LOCK_KEY)
            free = self._free_name(conn, cleaned, cleaned, " ({})")
            return self._insert(conn, name=free, run_id=run_id, document=document)

    def get_scenario(self, scenario_id: str) -> dict[str, Any] | None:
        """The scenario row (id, name, created_at, updated_at, run_id, document, owner), or None
        when there is none or it is not this store's to see."""
        query = sa.select(scenarios_table).where(scenarios_table.c.id == scenario_id, self.mine())
        with self.db.tx() as conn:
            row = conn.execute(query).mappings().first()
        return row_dict(row) if row else None

    def list_scenarios(self) -> list[dict[str, Any]]:
        """Every scenario this store sees, with its document, the most recently updated first."""
        query = (
            sa.select(scenarios_table)
            .where(self.mine())
            .order_by(scenarios_table.c.updated_at.desc(), scenarios_table.c.id)
        )
        with self.db.tx() as conn:
            return [row_dict(r) for r in conn.execute(query).mappings()]

    def rename_scenario(self, scenario_id: str, name: str) -> bool:
        """Set a scenario's name (trimmed, kept even when another scenario has it).

        False when the scenario does not exist; ValueError for an empty or too long name.
        """
        cleaned = scenario_name(name)
        with self.db.tx() as conn:
            result = conn.execute(
                scenarios_table.update()
                .where(scenarios_table.c.id == scenario_id, self.mine())
                .values(name=cleaned, updated_at=self.db.clock())
            )
            return result.rowcount == 1

    def duplicate_scenario(self, scenario_id: str, name: str | None = None) -> str | None:
        """Copy a scenario (document and run binding) into a new one; returns the new id.

        The copy is named ``name`` when given, made unique like :meth:`save_scenario` does, else
        ``"<name> (copy)"``, ``"<name> (copy 2)"``, … — the first none of the owner's scenarios
        has. The copy belongs to this store's owner. None when the scenario does not exist (or is
        not this store's to see); ValueError for an empty or too long ``name``.
        """
        cleaned = None if name is None else scenario_name(name)
        with self.db.tx() as conn:
            self.db.lock(conn, _SCENARIO_NAME_LOCK_KEY)
            c = scenarios_table.c
            source = self.find(conn, scenario_id, c.name, c.run_id, c.document)
            if source is None:
                return None
            if cleaned is not None:
                copy_name = self._free_name(conn, cleaned, cleaned, " ({})")
            else:
                copy_name = self._free_name(
                    conn, with_suffix(source.name, " (copy)"), source.name, " (copy {})"
                )
            return self._insert(conn, name=copy_name, run_id=source.run_id, document=source.document)

    def delete_scenario(self, scenario_id: str) -> bool:
        """Delete a scenario. False when it does not exist."""
        with self.db.tx() as conn:
            result = conn.execute(
                scenarios_table.delete().where(scenarios_table.c.id == scenario_id, self.mine())
            )
            return result.rowcount == 1
