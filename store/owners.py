"""Owners of rows: the local user (NULL in the database) or a signed-in user's id, and the scope
("whose rows does this store see") that every repository filters by.

Runs, jobs and scenarios carry an ``owner`` column (schema 4). NULL means the one local user,
:data:`LOCAL_OWNER`, so rows written before owners existed are theirs. An unscoped store
(``Scope(None)``) sees every owner's rows and creates rows as the local user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import sqlalchemy as sa

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from store.engine import Database

#: The owner of everything when nobody signs in: the one local user. Stored as NULL in the
#: ``owner`` columns, so rows written before owners existed (schema 3 and older) are theirs.
LOCAL_OWNER = "local"
#: The longest owner id the store keeps (characters).
OWNER_MAX = 255


def owner_id(owner: str | None) -> str:
    """``owner`` checked: a non-empty id of at most :data:`OWNER_MAX` characters (None: the local
    user, :data:`LOCAL_OWNER`)."""
    if owner is None:
        return LOCAL_OWNER
    if not isinstance(owner, str):
        raise TypeError(f"an owner must be text, not {type(owner).__name__}")
    if not owner.strip() or len(owner) > OWNER_MAX:
        raise ValueError(f"an owner id must be 1 to {OWNER_MAX} characters long, not {len(owner)}")
    return owner


@dataclass(frozen=True)
class Scope:
    """Whose rows a store sees: ``owner`` None for every owner (unscoped), else an owner id."""

    owner: str | None = None

    @property
    def stamp(self) -> str | None:
        """The ``owner`` column value of rows this scope creates (NULL for the local user)."""
        return None if self.owner in (None, LOCAL_OWNER) else self.owner

    @property
    def scoped(self) -> bool:
        """Whether this scope is one owner's view (False: every owner's rows)."""
        return self.owner is not None

    def mine(self, column: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
        """The condition "row is visible in this scope" on an ``owner`` column."""
        if self.owner is None:
            return sa.true()
        if self.owner == LOCAL_OWNER:
            return column.is_(None)
        return column == self.owner

    def same_owner(self, column: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
        """The condition "row belongs to whom this scope creates as" (an unscoped store creates
        as the local user)."""
        return column.is_(None) if self.stamp is None else column == self.stamp


def row_dict(row: Any) -> dict[str, Any]:
    """A result row as a dict, its ``owner`` column as an owner id (NULL: :data:`LOCAL_OWNER`)."""
    out = dict(row)
    if "owner" in out and out["owner"] is None:
        out["owner"] = LOCAL_OWNER
    return out


class Repository:
    """One owned table (``table``, with an ``owner`` column) as ``scope`` sees it, on the
    store's shared ``db``. Each public method of a repository is one transaction."""

    table: ClassVar[sa.Table]

    def __init__(self, db: Database, scope: Scope) -> None:
        self.db = db
        self.scope = scope

    def mine(self) -> sa.ColumnElement[bool]:
        """The condition "row of :attr:`table` is visible in this scope"."""
        return self.scope.mine(self.table.c.owner)

    def find(self, conn: Connection, row_id: str, *columns: sa.ColumnElement[Any]) -> sa.Row[Any] | None:
        """The ``columns`` of row ``row_id`` of :attr:`table`, or None when there is none or it
        is not visible in this scope."""
        return conn.execute(sa.select(*columns).where(self.table.c.id == row_id, self.mine())).first()
