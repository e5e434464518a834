"""Every released schema of the store, rebuilt from its history (``git log -p store/db.py``), so
the migration tests can make a database exactly as an older Moatlab left it.

1. ``moatlab_meta``, ``runs`` and ``jobs`` (3d58301).
2. ``jobs.result`` (5210924).
3. the ``scenarios`` table (b3ce533).
4. ``owner`` columns and their indexes (eea49d0): the current schema, :mod:`store.schema`.

The tables are written out again on purpose rather than derived from :mod:`store.schema`: the
current schema will change, and a released one must not change with it.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

#: The schema versions released before the current one.
OLDER_VERSIONS = (1, 2, 3)
#: The scenario document the old databases hold.
OLD_DOC = json.dumps({"name": "Base", "price": 12.5})


def released_metadata(version: int) -> sa.MetaData:
    """The tables of schema ``version`` (1 to 3) as that Moatlab created them."""
    old = sa.MetaData()
    sa.Table(
        "moatlab_meta",
        old,
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(256), nullable=False),
    )
    sa.Table(
        "runs",
        old,
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("dataset", sa.String(200), nullable=False),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("record", sa.Text, nullable=False),
        sa.Index("ix_runs_created", "created_at"),
    )
    sa.Table(
        "jobs",
        old,
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("run_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("request", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("claimed_at", sa.Float),
        sa.Column("finished_at", sa.Float),
        sa.Column("heartbeat_at", sa.Float),
        sa.Column("worker_id", sa.String(120)),
        sa.Column("stop_requested", sa.Boolean, nullable=False, default=False),
        sa.Column("progress", sa.Text),
        sa.Column("error", sa.Text),
        *([sa.Column("result", sa.Text)] if version >= 2 else []),
        sa.Index("ix_jobs_status_created", "status", "created_at"),
        sa.Index("ix_jobs_run", "run_id"),
    )
    if version >= 3:
        sa.Table(
            "scenarios",
            old,
            sa.Column("id", sa.String(32), primary_key=True),
            sa.Column("name", sa.String(200), nullable=False),
            sa.Column("created_at", sa.String(40), nullable=False),
            sa.Column("updated_at", sa.Float, nullable=False),
            sa.Column("run_id", sa.String(32)),
            sa.Column("document", sa.Text, nullable=False),
            sa.Index("ix_scenarios_updated", "updated_at"),
        )
    return old


def build_database(url: str, version: int) -> None:
    """Make the database at ``url`` as schema ``version`` left it, holding a finished run
    ``r<version>``, a queued ``bench`` job ``j<version>`` on it and (schema 3) a scenario
    ``s<version>`` named "Old plan" bound to the run."""
    path = make_url(url).database
    if url.startswith("sqlite") and path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    old = released_metadata(version)
    now = time.time()
    run_id = f"r{version}"
    record = json.dumps({"id": run_id, "name": "old run", "status": "completed", "history": []})
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            old.create_all(conn)
            tables = old.tables
            conn.execute(tables["moatlab_meta"].insert().values(key="schema_version", value=str(version)))
            conn.execute(
                tables["runs"].insert().values(
                    id=run_id, name="old run", created_at="2026-01-01T00:00:00Z", updated_at=now,
                    status="completed", dataset="digits", model="article-mlp", record=record,
                )
            )  # fmt: skip
            conn.execute(
                tables["jobs"].insert().values(
                    id=f"j{version}", run_id=run_id, kind="bench", status="queued", request="{}",
                    created_at=now, stop_requested=False,
                )
            )  # fmt: skip
            if version >= 3:
                conn.execute(
                    tables["scenarios"].insert().values(
                        id=f"s{version}", name="Old plan", created_at="2026-01-01T00:00:00Z",
                        updated_at=now, run_id=run_id, document=OLD_DOC,
                    )
                )  # fmt: skip
    finally:
        engine.dispose()
