"""The job queue: jobs on runs, the claims workers take on them, heartbeats and outcomes.

A job is ``queued`` until a worker claims it (:meth:`JobRepository.claim_job`, exactly once
across processes), ``running`` while the worker beats its heart, and ends ``completed``,
``stopped``, ``failed`` or ``interrupted`` (:class:`JobStatus`). Only a ``train`` job's outcome
sets its run's status; other kinds (benchmarks, sweeps, predictions) leave the run as it was and
may store fields of its record with their result. Times are Unix epoch seconds from the store's
clock.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from store.engine import iso
from store.owners import LOCAL_OWNER
from store.runs import RunBoundRepository
from store.schema import ACTIVE_STATUSES, JobStatus, jobs_table

__all__ = ["QUICK_KINDS", "RUN_GONE", "TRAIN_KIND", "JobRepository", "JobRow", "JobStatus"]

_CLAIM_LOCK_KEY = 7_261_001  # PostgreSQL advisory lock that serialises job claims

#: Job kinds a worker serves in its quick lane, beside the long job it may be running (a drawn
#: digit must not wait behind a training run). Every other kind runs one at a time.
QUICK_KINDS: tuple[str, ...] = ("predict",)
#: The kind whose job owns its run: only its outcome sets the run's status.
TRAIN_KIND = "train"
#: Why a job's result could not be stored with its run.
RUN_GONE = "the run was deleted while this job ran; its result could not be stored with it"


@dataclass(frozen=True)
class JobRow(Mapping[str, Any]):
    """One row of the ``jobs`` table. Times are epoch seconds (None until they happen);
    ``request``, ``progress`` and ``result`` are JSON text; ``owner`` is an owner id
    (:data:`~store.owners.LOCAL_OWNER` for NULL). Also a read-only mapping (``job["id"]``), as
    callers written against dict rows read it."""

    id: str
    run_id: str
    kind: str
    status: JobStatus
    request: str
    created_at: float
    claimed_at: float | None = None
    finished_at: float | None = None
    heartbeat_at: float | None = None
    worker_id: str | None = None
    stop_requested: bool = False
    progress: str | None = None
    error: str | None = None
    result: str | None = None
    owner: str = LOCAL_OWNER

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> JobRow:
        """The record of a result row (its status as a :class:`JobStatus`, NULL owner as local)."""
        values = dict(row)
        values["status"] = JobStatus(values["status"])
        values["stop_requested"] = bool(values.get("stop_requested"))
        values["owner"] = values.get("owner") or LOCAL_OWNER
        return cls(**values)

    def __getitem__(self, key: str) -> Any:
        if key not in _JOB_FIELDS:
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(_JOB_FIELDS)

    def __len__(self) -> int:
        return len(_JOB_FIELDS)


_JOB_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(JobRow))


def _lane(quick: bool) -> sa.ColumnElement[bool]:
    """The quick lane (:data:`QUICK_KINDS`) or the long lane (every other kind)."""
    return jobs_table.c.kind.in_(QUICK_KINDS) if quick else jobs_table.c.kind.not_in(QUICK_KINDS)


def _first(conn: Connection, query: sa.Select[Any]) -> JobRow | None:
    row = conn.execute(query).mappings().first()
    return JobRow.from_row(row) if row is not None else None


class JobRepository(RunBoundRepository):
    """The ``jobs`` table as ``scope`` sees it, writing run status through ``runs``.

    The worker-side methods (:meth:`claim_job`, :meth:`heartbeat`, :meth:`save_progress`,
    :meth:`finish_job`, :meth:`finish_task`, :meth:`fail_running`, :meth:`prune_jobs`,
    :meth:`running_worker_ids`, :meth:`release_claim`) act on the ids the queue handed out and
    ignore the scope.
    """

    table = jobs_table

    def _insert(self, conn: Connection, job_row: dict[str, Any], *, owner: str | None, **values: Any) -> None:
        conn.execute(
            jobs_table.insert().values(stop_requested=False, **values, **{**job_row, "owner": owner})
        )

    # ------------------------------------------------------------------ submitting
    def submit(self, run_row: dict[str, Any], job_row: dict[str, Any]) -> None:
        """Insert a queued run and its job in one transaction, both owned by this store's owner."""
        now = self.db.clock()
        with self.db.tx() as conn:
            self.runs.insert(conn, run_row, now=now)
            self._insert(conn, job_row, owner=self.scope.stamp, created_at=now, status=JobStatus.QUEUED)

    def submit_job(self, job_row: dict[str, Any]) -> None:
        """Queue a job on an existing run (id, run_id, kind, request); the job gets the run's owner.

        LookupError when a scoped store names a run it cannot see (another owner's, or none).
        """
        with self.db.tx() as conn:
            visible, owner = self.runs.visible(conn, job_row["run_id"])
            if self.scope.scoped and not visible:
                raise LookupError(f"run {job_row['run_id']} does not exist")
            self._insert(conn, job_row, owner=owner, created_at=self.db.clock(), status=JobStatus.QUEUED)

    def start_job(self, job_row: dict[str, Any], worker_id: str) -> None:
        """Insert a job that ``worker_id`` runs right away (the command line's foreground tasks):
        ``running`` from the start, claimed and beating like a queued job a worker took, so the
        run cannot be deleted while it works and a stop requested from the app reaches it. Never
        queued, so no worker claims it. The job gets the run's owner; LookupError when the run
        does not exist (or a scoped store cannot see it)."""
        now = self.db.clock()
        with self.db.tx() as conn:
            visible, owner = self.runs.visible(conn, job_row["run_id"])
            if not visible:
                raise LookupError(f"run {job_row['run_id']} does not exist")
            self._insert(
                conn,
                job_row,
                owner=owner,
                created_at=now,
                status=JobStatus.RUNNING,
                worker_id=worker_id,
                claimed_at=now,
                heartbeat_at=now,
            )

    # ------------------------------------------------------------------ reading
    def get_job(self, job_id: str) -> JobRow | None:
        """The job, or None when there is none or it is not this store's to see."""
        with self.db.tx() as conn:
            return _first(conn, sa.select(jobs_table).where(jobs_table.c.id == job_id, self.mine()))

    def job_for_run(self, run_id: str, *, kind: str = TRAIN_KIND) -> JobRow | None:
        """The newest job of ``kind`` on the run, or None."""
        query = (
            sa.select(jobs_table)
            .where(jobs_table.c.run_id == run_id, jobs_table.c.kind == kind, self.mine())
            .order_by(jobs_table.c.created_at.desc(), jobs_table.c.id.desc())
        )
        with self.db.tx() as conn:
            return _first(conn, query)

    def active_jobs(self, *, include_quick: bool = False) -> list[JobRow]:
        """This store's queued and running jobs, oldest first (quick-lane jobs only when asked)."""
        query = sa.select(jobs_table).where(jobs_table.c.status.in_(ACTIVE_STATUSES), self.mine())
        if not include_quick:
            query = query.where(_lane(False))
        with self.db.tx() as conn:
            rows = conn.execute(query.order_by(jobs_table.c.created_at, jobs_table.c.id)).mappings()
            return [JobRow.from_row(r) for r in rows]

    def queue_position(self, job_id: str) -> int | None:
        """1 for the next job to start in its lane, 2 behind it, …; None unless the job is queued
        (and this store's to see). Every owner's jobs share the queue, so all of them count."""
        columns = (jobs_table.c.status, jobs_table.c.created_at, jobs_table.c.id, jobs_table.c.kind)
        with self.db.tx() as conn:
            job = self.find(conn, job_id, *columns)
            if job is None or job.status != JobStatus.QUEUED:
                return None
            earlier = sa.or_(
                jobs_table.c.created_at < job.created_at,
                sa.and_(jobs_table.c.created_at == job.created_at, jobs_table.c.id < job.id),
            )
            ahead = conn.execute(
                sa.select(sa.func.count())
                .select_from(jobs_table)
                .where(jobs_table.c.status == JobStatus.QUEUED, _lane(job.kind in QUICK_KINDS), earlier)
            ).scalar_one()
            return int(ahead) + 1

    def running_worker_ids(self) -> list[str]:
        """The distinct worker ids holding running jobs."""
        query = sa.select(jobs_table.c.worker_id).where(jobs_table.c.status == JobStatus.RUNNING).distinct()
        with self.db.tx() as conn:
            rows = conn.execute(query).all()
        return [r[0] for r in rows if r[0]]

    # ------------------------------------------------------------------ claims
    def claim_job(
        self, worker_id: str, *, max_running: int = 1, quick: bool = False, within: str = ""
    ) -> JobRow | None:
        """Atomically move the oldest queued job of a lane to ``running`` for ``worker_id``.

        The long lane (``quick=False``) serves every kind but :data:`QUICK_KINDS`; the quick
        lane only those. Returns the claimed job, or None when the lane's queue is empty or
        ``max_running`` of its jobs already run — counting only jobs whose ``worker_id`` starts
        with ``within`` (``"<host>:"``: one long job per machine, so replicas on other machines
        train at the same time; empty: across every worker). Serialised across processes (SQLite
        ``BEGIN IMMEDIATE``, PostgreSQL an advisory transaction lock), so each job is claimed
        exactly once. Claiming a ``train`` job also marks its run ``running``.
        """
        now = self.db.clock()
        lane = _lane(quick)
        mine = jobs_table.c.worker_id.startswith(within, autoescape=True) if within else sa.true()
        with self.db.tx() as conn:
            self.db.lock(conn, _CLAIM_LOCK_KEY)
            running = conn.execute(
                sa.select(sa.func.count())
                .select_from(jobs_table)
                .where(jobs_table.c.status == JobStatus.RUNNING, lane, mine)
            ).scalar_one()
            if running >= max_running:
                return None
            job = _first(
                conn,
                sa.select(jobs_table)
                .where(jobs_table.c.status == JobStatus.QUEUED, lane)
                .order_by(jobs_table.c.created_at, jobs_table.c.id)
                .limit(1),
            )
            if job is None:
                return None
            claim = {
                "status": JobStatus.RUNNING,
                "worker_id": worker_id,
                "claimed_at": now,
                "heartbeat_at": now,
            }
            result = conn.execute(
                jobs_table.update()
                .where(jobs_table.c.id == job.id, jobs_table.c.status == JobStatus.QUEUED)
                .values(**claim)
            )
            if result.rowcount != 1:
                return None
            if job.kind == TRAIN_KIND:
                self.runs.set_status(conn, job.run_id, JobStatus.RUNNING, started_at=iso(now))
            return dataclasses.replace(job, **claim)

    def release_claim(self, job_id: str, worker_id: str) -> bool:
        """Put a job ``worker_id`` claimed but could not start back at its place in the queue
        (its ``created_at`` is kept); its run reads ``queued`` again. Returns whether it was
        released (False when the job is no longer running under that claim)."""
        with self.db.tx() as conn:
            job = conn.execute(
                sa.select(jobs_table.c.run_id, jobs_table.c.kind).where(
                    jobs_table.c.id == job_id,
                    jobs_table.c.status == JobStatus.RUNNING,
                    jobs_table.c.worker_id == worker_id,
                )
            ).first()
            if job is None:
                return False
            conn.execute(
                jobs_table.update()
                .where(jobs_table.c.id == job_id)
                .values(status=JobStatus.QUEUED, worker_id=None, claimed_at=None, heartbeat_at=None)
            )
            if job.kind == TRAIN_KIND:
                self.runs.set_status(conn, job.run_id, JobStatus.QUEUED, started_at=None)
            return True

    def heartbeat(self, job_id: str, *, progress: str | None = None) -> bool:
        """Record that the job's worker is alive (and its latest progress JSON).

        Returns whether a stop was requested.
        """
        values: dict[str, Any] = {"heartbeat_at": self.db.clock()}
        if progress is not None:
            values["progress"] = progress
        with self.db.tx() as conn:
            conn.execute(jobs_table.update().where(jobs_table.c.id == job_id).values(**values))
            flag = conn.execute(
                sa.select(jobs_table.c.stop_requested).where(jobs_table.c.id == job_id)
            ).scalar()
        return bool(flag)

    def request_stop(self, job_id: str) -> str | None:
        """Ask a job to stop. A queued job is stopped at once; a running one at its next batch.

        Returns the job's status after the request (None when the job is unknown, or not this
        store's to stop).
        """
        now = self.db.clock()
        with self.db.tx() as conn:
            job = self.find(conn, job_id, jobs_table.c.status, jobs_table.c.run_id, jobs_table.c.kind)
            if job is None:
                return None
            status = job.status
            if status == JobStatus.QUEUED:
                # Guarded by status: a worker may have claimed it since we read it (PostgreSQL
                # runs this at READ COMMITTED); then it is running and gets the flag below.
                result = conn.execute(
                    jobs_table.update()
                    .where(jobs_table.c.id == job_id, jobs_table.c.status == JobStatus.QUEUED)
                    .values(status=JobStatus.STOPPED, stop_requested=True, finished_at=now)
                )
                if result.rowcount == 1:
                    if job.kind == TRAIN_KIND:
                        self.runs.set_status(conn, job.run_id, JobStatus.STOPPED, finished_at=iso(now))
                    return JobStatus.STOPPED
                status = conn.execute(
                    sa.select(jobs_table.c.status).where(jobs_table.c.id == job_id)
                ).scalar()
                if status is None:
                    return None
            if status == JobStatus.RUNNING:
                conn.execute(jobs_table.update().where(jobs_table.c.id == job_id).values(stop_requested=True))
            return str(status)

    # ------------------------------------------------------------------ outcomes
    def save_progress(self, job_id: str, run_id: str, record: str) -> None:
        """Save a running job's record so far (history per epoch) and beat its heart."""
        now = self.db.clock()
        with self.db.tx() as conn:
            self.runs.write(conn, run_id, record=record, updated_at=now)
            conn.execute(jobs_table.update().where(jobs_table.c.id == job_id).values(heartbeat_at=now))

    def finish_job(
        self, job_id: str, run_id: str, *, status: str, record: str, error: str | None = None
    ) -> None:
        """Write a training job's final run record and close the job, in one transaction."""
        now = self.db.clock()
        with self.db.tx() as conn:
            self.runs.write(conn, run_id, status=status, record=record, updated_at=now)
            conn.execute(
                jobs_table.update()
                .where(jobs_table.c.id == job_id)
                .values(status=status, finished_at=now, error=error)
            )

    def finish_task(
        self,
        job_id: str,
        *,
        status: str,
        result: str | None = None,
        error: str | None = None,
        run_id: str | None = None,
        run_fields: dict[str, Any] | None = None,
    ) -> bool:
        """Close a job that is not a training run, with its result JSON; when ``run_fields`` is
        given, set those fields of run ``run_id``'s record in the same transaction.

        Returns whether the run's fields were stored (True when there were none to store). When
        the run no longer exists, nothing of the result can be kept with it: the job closes
        ``failed`` with :data:`RUN_GONE`, and False tells the caller the result is lost.
        """
        now = self.db.clock()
        stored = True
        with self.db.tx() as conn:
            if run_id is not None and run_fields:
                stored = self.runs.patch(conn, run_id, run_fields, scoped=False)
            if not stored:
                status, error = JobStatus.FAILED, RUN_GONE
            conn.execute(
                jobs_table.update()
                .where(jobs_table.c.id == job_id)
                .values(status=status, finished_at=now, error=error, result=result)
            )
        return stored

    def fail_running(
        self, *, status: str, reason: str, worker_id: str | None = None, stale_before: float | None = None
    ) -> list[str]:
        """Close running jobs whose worker is gone: by ``worker_id`` or by a heartbeat older than
        ``stale_before`` (epoch seconds). Runs keep their saved history. Returns the job ids.
        """
        if worker_id is None and stale_before is None:
            return []
        query = sa.select(jobs_table.c.id, jobs_table.c.run_id, jobs_table.c.kind).where(
            jobs_table.c.status == JobStatus.RUNNING
        )
        if worker_id is not None:
            query = query.where(jobs_table.c.worker_id == worker_id)
        if stale_before is not None:
            query = query.where(
                sa.or_(jobs_table.c.heartbeat_at.is_(None), jobs_table.c.heartbeat_at < stale_before)
            )
        now = self.db.clock()
        with self.db.tx() as conn:
            rows = conn.execute(query).all()
            for job_id, run_id, kind in rows:
                conn.execute(
                    jobs_table.update()
                    .where(jobs_table.c.id == job_id)
                    .values(status=status, finished_at=now, error=reason)
                )
                if kind == TRAIN_KIND:  # a failed benchmark or sweep leaves its run as it was
                    self.runs.set_status(conn, run_id, status, error=reason, finished_at=iso(now))
            return [r[0] for r in rows]

    def prune_jobs(self, kind: str, *, finished_before: float) -> int:
        """Delete finished jobs of ``kind`` that ended before ``finished_before`` (epoch seconds);
        returns how many. Keeps the jobs table small where every drawn digit is a job."""
        with self.db.tx() as conn:
            result = conn.execute(
                jobs_table.delete().where(
                    jobs_table.c.kind == kind,
                    jobs_table.c.status.not_in(ACTIVE_STATUSES),
                    jobs_table.c.finished_at < finished_before,
                )
            )
            return int(result.rowcount or 0)
