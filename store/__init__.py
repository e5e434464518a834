"""Persistence for runs and the job queue (SQLAlchemy Core).

The embedded default is a SQLite file ``$MOATLAB_HOME/moatlab.db`` (``MOATLAB_HOME`` defaults to
``~/.moatlab``) in WAL mode; ``DATABASE_URL`` selects any SQLAlchemy URL instead (PostgreSQL is
tested). The store knows rows and JSON text, not the domain: ``mlcore`` turns rows into
``RunRecord`` objects.

Times: ``runs.created_at`` is an ISO-8601 UTC string (for people); job times are Unix epoch
seconds (floats, for ordering and heartbeats).
"""

from store.db import (
    QUICK_KINDS,
    TRAIN_KIND,
    Store,
    StoreError,
    default_home,
    default_url,
    redact_url,
)

__all__ = ["QUICK_KINDS", "TRAIN_KIND", "Store", "StoreError", "default_home", "default_url", "redact_url"]
