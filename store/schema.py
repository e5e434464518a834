"""The current schema: every table the store keeps, as SQLAlchemy Core metadata.

Times: ``runs.created_at`` and ``scenarios.created_at`` are ISO-8601 UTC strings (for people);
job times and ``updated_at`` are Unix epoch seconds (floats, for ordering and heartbeats).
How older databases reach this schema is :mod:`store.migrations`.
"""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa

from store.owners import OWNER_MAX


class JobStatus(StrEnum):
    """The values of ``jobs.status`` (and of ``runs.status``, which a ``train`` job's outcome
    sets). Members are ``str``: they compare equal to, and are stored as, the plain words."""

    QUEUED = "queued"
    RUNNING = "running"
    COMPLETED = "completed"
    STOPPED = "stopped"
    FAILED = "failed"
    INTERRUPTED = "interrupted"


#: Statuses of a job (or run) that has not ended yet.
ACTIVE_STATUSES: tuple[JobStatus, ...] = (JobStatus.QUEUED, JobStatus.RUNNING)


#: The longest scenario name the store keeps (characters, after trimming).
SCENARIO_NAME_MAX = 200


class StatusText(sa.types.TypeDecorator[str]):
    """A ``status`` column: text, written as the plain word of a :class:`JobStatus` (a driver
    never sees the enum, so what is stored is exactly the word)."""

    impl = sa.String(16)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: sa.Dialect) -> str | None:
        return None if value is None else str(value)


metadata = sa.MetaData()

meta_table = sa.Table(
    "moatlab_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(256), nullable=False),
)

runs_table = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("status", StatusText(), nullable=False),
    sa.Column("dataset", sa.String(200), nullable=False),
    sa.Column("model", sa.String(200), nullable=False),
    sa.Column("record", sa.Text, nullable=False),
    sa.Column("owner", sa.String(OWNER_MAX)),  # schema 4; NULL: the local user
    sa.Index("ix_runs_created", "created_at"),
    sa.Index("ix_runs_owner", "owner"),
)

jobs_table = sa.Table(
    "jobs",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("run_id", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("status", StatusText(), nullable=False),
    sa.Column("request", sa.Text, nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("claimed_at", sa.Float),
    sa.Column("finished_at", sa.Float),
    sa.Column("heartbeat_at", sa.Float),
    sa.Column("worker_id", sa.String(120)),
    sa.Column("stop_requested", sa.Boolean, nullable=False, default=False),
    sa.Column("progress", sa.Text),
    sa.Column("error", sa.Text),
    sa.Column("result", sa.Text),  # schema 2
    sa.Column("owner", sa.String(OWNER_MAX)),  # schema 4; the owner of the job's run (NULL: local)
    sa.Index("ix_jobs_status_created", "status", "created_at"),
    sa.Index("ix_jobs_run", "run_id"),
)

#: Saved revenue scenarios (schema 3). ``document`` is the scenario JSON exactly as the caller
#: gave it; the store never parses it. ``run_id`` names the run the scenario is bound to, if any.
#: ``owner`` (schema 4) is who saved it (NULL: the local user).
scenarios_table = sa.Table(
    "scenarios",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(SCENARIO_NAME_MAX), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("run_id", sa.String(32)),
    sa.Column("document", sa.Text, nullable=False),
    sa.Column("owner", sa.String(OWNER_MAX)),
    sa.Index("ix_scenarios_updated", "updated_at"),
    sa.Index("ix_scenarios_owner", "owner"),
)

#: The tables that gained an ``owner`` column in schema 4, and the index each has on it.
OWNED_TABLES: dict[str, str | None] = {
    "runs": "ix_runs_owner",
    "jobs": None,
    "scenarios": "ix_scenarios_owner",
}
