"""Persistence for runs, the job queue and saved revenue scenarios (SQLAlchemy Core).

The embedded default is a SQLite file ``$MOATLAB_HOME/moatlab.db`` (``MOATLAB_HOME`` defaults to
``~/.moatlab``) in WAL mode; ``DATABASE_URL`` selects any SQLAlchemy URL instead (PostgreSQL is
tested). The store knows rows and JSON text, not the domain: ``mlcore`` turns rows into
``RunRecord`` objects.

Times: ``runs.created_at`` and ``scenarios.created_at`` are ISO-8601 UTC strings (for people);
job times and ``updated_at`` are Unix epoch seconds (floats, for ordering and heartbeats).

Scenarios are stored as the JSON text the caller gives (``bizmodel`` validates them); new ones
get a name no other scenario has (``"name (2)"``, ``"name (copy)"``, …).
"""

from store.db import (
    QUICK_KINDS,
    SCENARIO_NAME_MAX,
    TRAIN_KIND,
    Store,
    StoreError,
    default_home,
    default_url,
    redact_url,
)

__all__ = [
    "QUICK_KINDS",
    "SCENARIO_NAME_MAX",
    "TRAIN_KIND",
    "Store",
    "StoreError",
    "default_home",
    "default_url",
    "redact_url",
]
