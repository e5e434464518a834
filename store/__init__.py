"""Persistence for runs, the job queue and saved revenue scenarios (SQLAlchemy Core).

The embedded default is a SQLite file ``$MOATLAB_HOME/moatlab.db`` (``MOATLAB_HOME`` defaults to
``~/.moatlab``) in WAL mode; ``DATABASE_URL`` selects any SQLAlchemy URL instead (PostgreSQL is
tested). The store knows rows and JSON text, not the domain: ``mlcore`` turns rows into
``RunRecord`` objects.

Times: ``runs.created_at`` and ``scenarios.created_at`` are ISO-8601 UTC strings (for people);
job times and ``updated_at`` are Unix epoch seconds (floats, for ordering and heartbeats).

Scenarios are stored as the JSON text the caller gives (``bizmodel`` validates them); new ones
get a name no other scenario of the same owner has (``"name (2)"``, ``"name (copy)"``, …).

Layout: :mod:`store.engine` (the one engine, errors, clock), :mod:`store.schema` (tables),
:mod:`store.migrations` (ordered schema upgrades), :mod:`store.runs`, :mod:`store.jobs` and
:mod:`store.scenarios` (one repository each) and :mod:`store.db` (the :class:`Store` facade).

Owners (schema 4): runs, jobs and scenarios belong to a user when the app runs with sign-in, else
to the one local user (:data:`LOCAL_OWNER`, NULL in the database). ``Store()`` sees every row;
``Store().scoped(owner)`` is one owner's view: it lists, opens, renames, deletes and binds only
that owner's rows and stamps what it creates with the owner.
"""

from store.db import Store
from store.engine import DatabaseDamaged, StoreError, default_home, default_url, redact_url
from store.jobs import QUICK_KINDS, RUN_GONE, TRAIN_KIND, JobRow, JobStatus
from store.owners import LOCAL_OWNER, OWNER_MAX
from store.scenarios import OwnerError
from store.schema import SCENARIO_NAME_MAX

__all__ = [
    "LOCAL_OWNER",
    "OWNER_MAX",
    "QUICK_KINDS",
    "RUN_GONE",
    "SCENARIO_NAME_MAX",
    "TRAIN_KIND",
    "DatabaseDamaged",
    "JobRow",
    "JobStatus",
    "OwnerError",
    "Store",
    "StoreError",
    "default_home",
    "default_url",
    "redact_url",
]
