"""The store: schema, engine set-up and every query the app makes (runs, jobs, scenarios)."""

from __future__ import annotations

import copy
import json
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

from safetext import name_problem

SCHEMA_VERSION = 4
_CLAIM_LOCK_KEY = 7_261_001  # PostgreSQL advisory lock that serialises job claims
_SCENARIO_NAME_LOCK_KEY = 7_261_002  # PostgreSQL advisory lock that serialises new scenario names
_MIGRATE_LOCK_KEY = 7_261_003  # PostgreSQL advisory lock that serialises schema upgrades

#: The owner of everything when nobody signs in: the one local user. Stored as NULL in the
#: ``owner`` columns, so rows written before owners existed (schema 3 and older) are theirs.
LOCAL_OWNER = "local"
#: The longest owner id the store keeps (characters).
OWNER_MAX = 255

#: The longest scenario name the store keeps (characters, after trimming).
SCENARIO_NAME_MAX = 200

#: Job kinds a worker serves in its quick lane, beside the long job it may be running (a drawn
#: digit must not wait behind a training run). Every other kind runs one at a time.
QUICK_KINDS: tuple[str, ...] = ("predict",)
#: The kind whose job owns its run: only its outcome sets the run's status.
TRAIN_KIND = "train"
#: Why a job's result could not be stored with its run.
RUN_GONE = "the run was deleted while this job ran; its result could not be stored with it"

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
    sa.Column("status", sa.String(16), nullable=False),
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
    sa.Column("result", sa.Text),
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
_OWNED_TABLES = {"runs": "ix_runs_owner", "jobs": None, "scenarios": "ix_scenarios_owner"}


class StoreError(RuntimeError):
    """The database cannot be reached or refused a write; the message says what to check."""


class DatabaseDamaged(StoreError):
    """The SQLite file is not a usable database (empty, cut short, not SQLite, or damaged inside).

    The store never opens or replaces such a file: it keeps a copy beside it first
    (:func:`store.sqlite_file.keep_copy`) and refuses. ``path`` is the file, ``problem`` what is
    wrong with it, ``backup`` the copy (None when no copy could be made, ``copy_error`` says why).
    """

    def __init__(self, path: Path, problem: str, backup: Path | None, copy_error: str | None = None) -> None:
        self.path, self.problem, self.backup, self.copy_error = path, problem, backup, copy_error
        kept = (
            f"a copy of it as found is kept at {backup}"
            if backup is not None
            else f"no copy could be made ({copy_error}): copy the file somewhere safe before anything else"
        )
        super().__init__(
            f"the database file {path} is damaged: {problem}. Nothing was written to it and {kept}. "
            "Restore moatlab.db from your last backup (or that copy, if a tool can repair it), or move "
            "the damaged file away to start with an empty database"
        )


def damaged(path: Path, problem: str) -> DatabaseDamaged:
    """The :class:`DatabaseDamaged` error for ``path``, after keeping a copy of the file."""
    from store.sqlite_file import keep_copy

    try:
        return DatabaseDamaged(path, problem, keep_copy(path))
    except OSError as exc:
        return DatabaseDamaged(path, problem, None, exc.strerror or str(exc))


#: SQLite's words for a file that is not (any more) the database the store made.
_DAMAGE_WORDS = ("malformed", "not a database", "no such table", "file is encrypted", "disk image")


class OwnerError(LookupError):
    """A scoped store was asked to bind a scenario to another owner's run (``run_id``)."""

    def __init__(self, message: str, *, run_id: str) -> None:
        super().__init__(message)
        self.run_id = run_id


def default_home() -> Path:
    """``$MOATLAB_HOME`` or ``~/.moatlab``: where the SQLite file, models and uploads live."""
    home = os.environ.get("MOATLAB_HOME")
    return Path(home).expanduser() if home else Path.home() / ".moatlab"


def default_url() -> str:
    """``$DATABASE_URL`` or the SQLite file under :func:`default_home`."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        # Heroku-style URLs name the dialect "postgres"; SQLAlchemy wants a driver too.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://") :]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        return url
    return f"sqlite:///{default_home() / 'moatlab.db'}"


def redact_url(url: str) -> str:
    """The URL with its password hidden, safe to show or log."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as nothing rather than leaked
        return "(unparsable database URL)"


def _json_patch(text: str, **changes: Any) -> str:
    data = json.loads(text)
    data.update(changes)
    return json.dumps(data, allow_nan=False, ensure_ascii=False)


def _scenario_name(name: str) -> str:
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


def _owner_id(owner: str | None) -> str:
    """``owner`` checked: a non-empty id of at most :data:`OWNER_MAX` characters (None: the local
    user, :data:`LOCAL_OWNER`)."""
    if owner is None:
        return LOCAL_OWNER
    if not isinstance(owner, str):
        raise TypeError(f"an owner must be text, not {type(owner).__name__}")
    if not owner.strip() or len(owner) > OWNER_MAX:
        raise ValueError(f"an owner id must be 1 to {OWNER_MAX} characters long, not {len(owner)}")
    return owner


def _with_suffix(stem: str, suffix: str) -> str:
    """``stem`` + ``suffix``, the stem cut so the whole fits :data:`SCENARIO_NAME_MAX`."""
    return stem[: SCENARIO_NAME_MAX - len(suffix)] + suffix


class Store:
    """Runs, jobs and saved revenue scenarios in one database. Safe to share between threads and processes.

    Every method is one transaction: a run record and its job change together or not at all.
    Methods raise :class:`StoreError` when the database is unreachable or locked too long.

    **Owners.** Runs, jobs and scenarios belong to an owner (a signed-in user's id, or
    :data:`LOCAL_OWNER` when nobody signs in; NULL in the database). ``Store(url)`` is
    *unscoped*: it reads every owner's rows (the worker, recovery sweeps) and what it creates
    belongs to the local user. :meth:`scoped` gives an owner's view of the same database (same
    engine): its reads, renames, deletes, stops and run bindings only see that owner's rows
    (another owner's id behaves as "not found"), and everything it creates is stamped with the
    owner. The worker-side methods (:meth:`claim_job`, :meth:`heartbeat`, :meth:`save_progress`,
    :meth:`finish_job`, :meth:`finish_task`, :meth:`fail_running`, :meth:`prune_jobs`,
    :meth:`running_worker_ids`) act on the ids the queue handed out and ignore the scope; a
    worker writes the run row its submitter created, whose owner was set at submit time.
    """

    def __init__(self, url: str | None = None, *, busy_timeout_seconds: float = 30.0) -> None:
        self.url = url or default_url()
        self.is_sqlite = self.url.startswith("sqlite")
        self.is_postgres = self.url.startswith("postgresql")
        #: Whose rows this store sees: None for every owner (unscoped), else an owner id.
        self.owner: str | None = None
        #: The SQLite file (None for PostgreSQL and in-memory SQLite).
        self.sqlite_path = self._sqlite_path()
        if self.sqlite_path is not None:
            from store.sqlite_file import file_problem

            problem = file_problem(self.sqlite_path)
            if problem is not None:  # never create tables in an empty or damaged file
                raise damaged(self.sqlite_path, problem)
        # True while the store creates a database file that did not exist (it starts empty).
        self._creating = self.sqlite_path is not None and not self.sqlite_path.exists()
        self._engine = self._make_engine(busy_timeout_seconds)
        try:
            self._initialise()
        finally:
            self._creating = False

    def _sqlite_path(self) -> Path | None:
        if not self.is_sqlite:
            return None
        try:
            database = make_url(self.url).database
        except Exception:
            return None
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        return Path(database)

    def check_integrity(self) -> None:
        """SQLite's ``PRAGMA quick_check`` of the file (every page read; the health check runs
        it); raises :class:`DatabaseDamaged` (after keeping a copy) when it finds damage. Nothing
        to do for PostgreSQL."""
        if self.sqlite_path is None:
            return
        from store.sqlite_file import file_problem, integrity_problem

        problem = file_problem(self.sqlite_path) or integrity_problem(self.sqlite_path)
        if problem is not None:
            raise damaged(self.sqlite_path, problem)

    # ------------------------------------------------------------------ owners
    def scoped(self, owner: str | None) -> Store:
        """This database as ``owner`` sees it (None: the local user, :data:`LOCAL_OWNER`).

        Cheap (no new connection pool): the view shares this store's engine, so
        :meth:`dispose` on either closes both. ValueError for an empty or too long owner id.
        """
        view = copy.copy(self)
        view.owner = _owner_id(owner)
        return view

    def _stamp(self) -> str | None:
        """The ``owner`` column value of rows this store creates (NULL for the local user)."""
        return None if self.owner in (None, LOCAL_OWNER) else self.owner

    def _mine(self, column: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
        """The condition "row is visible to this store" on an ``owner`` column."""
        if self.owner is None:
            return sa.true()
        if self.owner == LOCAL_OWNER:
            return column.is_(None)
        return column == self.owner

    def _run_owner(self, conn: Connection, run_id: str) -> tuple[bool, str | None]:
        """Whether run ``run_id`` exists, and its ``owner`` column."""
        row = conn.execute(sa.select(runs_table.c.owner).where(runs_table.c.id == run_id)).first()
        return (row is not None, row[0] if row is not None else None)

    # ------------------------------------------------------------------ set-up
    def _make_engine(self, busy_timeout_seconds: float) -> Engine:
        if not self.is_sqlite:
            return sa.create_engine(self.url, pool_pre_ping=True, future=True)
        path = make_url(self.url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            self.url,
            connect_args={"timeout": busy_timeout_seconds, "check_same_thread": False},
            future=True,
        )

        @sa.event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            if self.sqlite_path is not None and not self._creating:
                # A file emptied or replaced since the store opened it: the pragmas below would
                # write a new database header into it. Refuse before they run.
                from store.sqlite_file import file_problem

                problem = file_problem(self.sqlite_path)
                if problem is not None:
                    dbapi_conn.close()
                    raise damaged(self.sqlite_path, problem)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_seconds * 1000)}")
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            # IMMEDIATE takes the write lock up front, so read-then-write transactions
            # (claiming a job) cannot interleave between processes.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine

    def _initialise(self) -> None:
        try:
            with self._engine.begin() as conn:
                metadata.create_all(conn, checkfirst=True)
                row = conn.execute(
                    sa.select(meta_table.c.value).where(meta_table.c.key == "schema_version")
                ).first()
                if row is None:
                    conn.execute(meta_table.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
                elif int(row[0]) > SCHEMA_VERSION:
                    raise StoreError(
                        f"the database was written by a newer Moatlab (schema {row[0]}); "
                        "upgrade Moatlab or point MOATLAB_HOME / DATABASE_URL elsewhere"
                    )
                elif int(row[0]) < SCHEMA_VERSION:
                    self._migrate(conn, int(row[0]))
        except SQLAlchemyError as exc:
            raise self._error(exc) from exc

    def _migrate(self, conn: Connection, version: int) -> None:
        """Bring a database written by an older Moatlab up to :data:`SCHEMA_VERSION` (additive).

        Schema 2 → 3 only adds the ``scenarios`` table, which ``create_all`` has already made by
        the time this runs. Schema 3 → 4 adds a nullable ``owner`` column (and its index) to
        ``runs``, ``jobs`` and ``scenarios``: every existing row stays the local user's (NULL).
        Each step checks first, so replicas upgrading together, or a database whose newer tables
        ``create_all`` just made, are fine.
        """
        if self.is_postgres:  # replicas starting together upgrade one after the other
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATE_LOCK_KEY})
        if version < 2:
            if self.is_postgres:  # replicas starting together: IF NOT EXISTS makes it idempotent
                conn.execute(sa.text("ALTER TABLE jobs ADD COLUMN IF NOT EXISTS result TEXT"))
            else:  # SQLite: BEGIN IMMEDIATE already serialises this check and the change
                columns = {c["name"] for c in sa.inspect(conn).get_columns("jobs")}
                if "result" not in columns:
                    conn.execute(sa.text("ALTER TABLE jobs ADD COLUMN result TEXT"))
        if version < 4:
            for table, index in _OWNED_TABLES.items():
                columns = {c["name"] for c in sa.inspect(conn).get_columns(table)}
                if "owner" not in columns:
                    conn.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN owner VARCHAR({OWNER_MAX})"))
                if index is not None:
                    conn.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {index} ON {table} (owner)"))
        conn.execute(
            meta_table.update().where(meta_table.c.key == "schema_version").values(value=str(SCHEMA_VERSION))
        )

    def _error(self, exc: Exception) -> StoreError:
        """The :class:`StoreError` for a failed database call; :class:`DatabaseDamaged` (after a
        copy is kept) when SQLite says its file is not the database the store made."""
        text = str(exc).lower()
        if self.sqlite_path is not None and any(word in text for word in _DAMAGE_WORDS):
            from store.sqlite_file import file_problem, integrity_problem

            problem = file_problem(self.sqlite_path) or integrity_problem(self.sqlite_path)
            if problem is not None:
                return damaged(self.sqlite_path, problem)
        return StoreError(self._explain(exc))

    def _explain(self, exc: Exception) -> str:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "locked" in text:
            return "the database is busy (locked by another process); try again in a moment"
        return f"database {redact_url(self.url)} is not usable: {text[:300]}"

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        try:
            with self._engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise self._error(exc) from exc

    def dispose(self) -> None:
        """Close pooled connections (call in a child process after fork/spawn)."""
        self._engine.dispose()

    # ------------------------------------------------------------------ runs
    def insert_run(self, row: dict[str, Any]) -> None:
        """Insert a run row (id, name, created_at, status, dataset, model, record), owned by this
        store's owner (the local user when unscoped)."""
        with self._tx() as conn:
            conn.execute(
                runs_table.insert().values(updated_at=time.time(), **{**row, "owner": self._stamp()})
            )

    def submit(self, run_row: dict[str, Any], job_row: dict[str, Any]) -> None:
        """Insert a queued run and its job in one transaction, both owned by this store's owner."""
        now = time.time()
        owner = self._stamp()
        with self._tx() as conn:
            conn.execute(runs_table.insert().values(updated_at=now, **{**run_row, "owner": owner}))
            conn.execute(
                jobs_table.insert().values(
                    created_at=now, status="queued", stop_requested=False, **{**job_row, "owner": owner}
                )
            )

    def submit_job(self, job_row: dict[str, Any]) -> None:
        """Queue a job on an existing run (id, run_id, kind, request); the job gets the run's owner.

        LookupError when a scoped store names a run it cannot see (another owner's, or none).
        """
        with self._tx() as conn:
            exists, owner = self._run_owner(conn, job_row["run_id"])
            if self.owner is not None and not (exists and owner == self._stamp()):
                raise LookupError(f"run {job_row['run_id']} does not exist")
            conn.execute(
                jobs_table.insert().values(
                    created_at=time.time(),
                    status="queued",
                    stop_requested=False,
                    **{**job_row, "owner": owner},
                )
            )

    def patch_run_record(self, run_id: str, **fields: Any) -> bool:
        """Set top-level fields of a run's record JSON (the others are kept), atomically.

        False when the run does not exist.
        """
        with self._tx() as conn:
            return self._patch_record(conn, run_id, fields, scoped=True)

    def _record_for_update(self, conn: Connection, run_id: str, *, scoped: bool) -> Any:
        """The run's record row, locked until the transaction ends (PostgreSQL ``FOR UPDATE``;
        SQLite's ``BEGIN IMMEDIATE`` already holds the write lock), so two read-modify-writes of
        one record never lose each other's change. None when there is no such run or, with
        ``scoped``, when it is not this store's to see (worker-side callers pass False)."""
        query = sa.select(runs_table.c.record).where(runs_table.c.id == run_id)
        if scoped:
            query = query.where(self._mine(runs_table.c.owner))
        return conn.execute(query.with_for_update() if self.is_postgres else query).first()

    def _patch_record(self, conn: Connection, run_id: str, fields: dict[str, Any], *, scoped: bool) -> bool:
        row = self._record_for_update(conn, run_id, scoped=scoped)
        if row is None:
            return False
        conn.execute(
            runs_table.update()
            .where(runs_table.c.id == run_id)
            .values(record=_json_patch(row[0], **fields), updated_at=time.time())
        )
        return True

    def get_run(self, run_id: str) -> dict[str, Any] | None:
        """The run row (its ``owner`` as an owner id, ``"local"`` for the local user), or None
        when there is no such run or it is not this store's to see."""
        with self._tx() as conn:
            row = (
                conn.execute(
                    sa.select(runs_table).where(runs_table.c.id == run_id, self._mine(runs_table.c.owner))
                )
                .mappings()
                .first()
            )
        return _row(row) if row else None

    def list_runs(self) -> list[dict[str, Any]]:
        """Every run this store sees, newest first."""
        with self._tx() as conn:
            rows = conn.execute(
                sa.select(runs_table)
                .where(self._mine(runs_table.c.owner))
                .order_by(runs_table.c.created_at.desc(), runs_table.c.id)
            ).mappings()
            return [_row(r) for r in rows]

    def update_run(self, run_id: str, *, status: str | None = None, record: str | None = None) -> None:
        """Replace a run's record JSON and/or status atomically."""
        values: dict[str, Any] = {"updated_at": time.time()}
        if status is not None:
            values["status"] = status
        if record is not None:
            values["record"] = record
        with self._tx() as conn:
            conn.execute(
                runs_table.update()
                .where(runs_table.c.id == run_id, self._mine(runs_table.c.owner))
                .values(**values)
            )

    def rename_run(self, run_id: str, name: str) -> bool:
        """Set a run's name (column and record). False when the run does not exist."""
        with self._tx() as conn:
            row = self._record_for_update(conn, run_id, scoped=True)
            if row is None:
                return False
            conn.execute(
                runs_table.update()
                .where(runs_table.c.id == run_id)
                .values(name=name, record=_json_patch(row[0], name=name), updated_at=time.time())
            )
            return True

    def delete_run(self, run_id: str) -> bool:
        """Delete a finished run and its jobs. Refuses (False) while the run is queued or running,
        or while any job on it (an inference benchmark, a sweep) is."""
        with self._tx() as conn:
            row = conn.execute(
                sa.select(runs_table.c.status).where(
                    runs_table.c.id == run_id, self._mine(runs_table.c.owner)
                )
            ).first()
            if row is None or row[0] in ("queued", "running"):
                return False
            busy = conn.execute(
                sa.select(sa.func.count())
                .select_from(jobs_table)
                .where(jobs_table.c.run_id == run_id, jobs_table.c.status.in_(("queued", "running")))
            ).scalar_one()
            if busy:
                return False
            conn.execute(jobs_table.delete().where(jobs_table.c.run_id == run_id))
            conn.execute(runs_table.delete().where(runs_table.c.id == run_id))
            return True

    # ------------------------------------------------------------------ scenarios
    # Names are trimmed and at most SCENARIO_NAME_MAX characters. The database does not require
    # them to be unique, but every scenario the store creates (save_scenario without an id,
    # duplicate_scenario) gets a name no other scenario of the same owner has, chosen in the same
    # transaction as the insert (serialised by BEGIN IMMEDIATE on SQLite, an advisory lock on
    # PostgreSQL). Two owners may each have a scenario called "Base". Overwriting and renaming
    # keep the name the caller gave.

    def _lock_scenario_names(self, conn: Connection) -> None:
        if self.is_postgres:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _SCENARIO_NAME_LOCK_KEY})

    def _names_like(self, conn: Connection, stem: str) -> set[str]:
        """The names of this store's owner's scenarios that start with ``stem``'s first
        characters (a superset of the names :meth:`_free_name` could collide with); an unscoped
        store creates as the local user, so it checks the local user's names."""
        prefix = stem[: SCENARIO_NAME_MAX // 2]
        starts = scenarios_table.c.name.startswith(prefix, autoescape=True)
        stamp = self._stamp()
        same_owner = scenarios_table.c.owner.is_(None) if stamp is None else scenarios_table.c.owner == stamp
        rows = conn.execute(sa.select(scenarios_table.c.name).where(starts, same_owner)).all()
        return {r[0] for r in rows}

    def _free_name(self, conn: Connection, first: str, stem: str, pattern: str) -> str:
        """``first`` when no scenario has it, else ``stem`` + ``pattern.format(n)`` for the
        smallest n ≥ 2 that is free."""
        taken = self._names_like(conn, stem)
        if first not in taken:
            return first
        n = 2
        while (candidate := _with_suffix(stem, pattern.format(n))) in taken:
            n += 1
        return candidate

    def unique_scenario_name(self, name: str) -> str:
        """``name`` (trimmed) when none of this owner's scenarios has it, else ``"name (2)"``, …

        The stem is shortened where the suffix would push the name past
        :data:`SCENARIO_NAME_MAX`. ValueError for an empty or too long name. Advisory: another
        writer may take the name before it is used; :meth:`save_scenario` picks it atomically.
        """
        cleaned = _scenario_name(name)
        with self._tx() as conn:
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
        cleaned = _scenario_name(name)
        if not isinstance(document, str):
            raise TypeError(f"a scenario document must be JSON text, not {type(document).__name__}")
        now = time.time()
        with self._tx() as conn:
            self._check_binding(conn, run_id)
            if scenario_id is not None:
                result = conn.execute(
                    scenarios_table.update()
                    .where(scenarios_table.c.id == scenario_id, self._mine(scenarios_table.c.owner))
                    .values(name=cleaned, document=document, run_id=run_id, updated_at=now)
                )
                if result.rowcount != 1:
                    raise LookupError(f"scenario {scenario_id} no longer exists; save it as a new one")
                return scenario_id
            self._lock_scenario_names(conn)
            new_id = uuid.uuid4().hex
            conn.execute(
                scenarios_table.insert().values(
                    id=new_id,
                    name=self._free_name(conn, cleaned, cleaned, " ({})"),
                    created_at=_iso(now),
                    updated_at=now,
                    run_id=run_id,
                    document=document,
                    owner=self._stamp(),
                )
            )
            return new_id

    def _check_binding(self, conn: Connection, run_id: str | None) -> None:
        """LookupError when a scoped store would bind a scenario to another owner's run."""
        if run_id is None or self.owner is None:
            return
        exists, owner = self._run_owner(conn, run_id)
        if exists and owner != self._stamp():
            raise OwnerError(
                f"run {run_id} is not one of your runs; bind one of yours (or none) and save again",
                run_id=run_id,
            )

    def get_scenario(self, scenario_id: str) -> dict[str, Any] | None:
        """The scenario row (id, name, created_at, updated_at, run_id, document, owner), or None
        when there is none or it is not this store's to see."""
        with self._tx() as conn:
            row = (
                conn.execute(
                    sa.select(scenarios_table).where(
                        scenarios_table.c.id == scenario_id, self._mine(scenarios_table.c.owner)
                    )
                )
                .mappings()
                .first()
            )
        return _row(row) if row else None

    def list_scenarios(self) -> list[dict[str, Any]]:
        """Every scenario this store sees, with its document, the most recently updated first."""
        with self._tx() as conn:
            rows = conn.execute(
                sa.select(scenarios_table)
                .where(self._mine(scenarios_table.c.owner))
                .order_by(scenarios_table.c.updated_at.desc(), scenarios_table.c.id)
            ).mappings()
            return [_row(r) for r in rows]

    def rename_scenario(self, scenario_id: str, name: str) -> bool:
        """Set a scenario's name (trimmed, kept even when another scenario has it).

        False when the scenario does not exist; ValueError for an empty or too long name.
        """
        cleaned = _scenario_name(name)
        with self._tx() as conn:
            result = conn.execute(
                scenarios_table.update()
                .where(scenarios_table.c.id == scenario_id, self._mine(scenarios_table.c.owner))
                .values(name=cleaned, updated_at=time.time())
            )
            return result.rowcount == 1

    def duplicate_scenario(self, scenario_id: str, name: str | None = None) -> str | None:
        """Copy a scenario (document and run binding) into a new one; returns the new id.

        The copy is named ``name`` when given, made unique like :meth:`save_scenario` does, else
        ``"<name> (copy)"``, ``"<name> (copy 2)"``, … — the first none of the owner's scenarios
        has. The copy belongs to this store's owner. None when the scenario does not exist (or is
        not this store's to see); ValueError for an empty or too long ``name``.
        """
        cleaned = None if name is None else _scenario_name(name)
        now = time.time()
        with self._tx() as conn:
            self._lock_scenario_names(conn)
            source = conn.execute(
                sa.select(scenarios_table.c.name, scenarios_table.c.run_id, scenarios_table.c.document).where(
                    scenarios_table.c.id == scenario_id, self._mine(scenarios_table.c.owner)
                )
            ).first()
            if source is None:
                return None
            if cleaned is not None:
                copy_name = self._free_name(conn, cleaned, cleaned, " ({})")
            else:
                copy_name = self._free_name(
                    conn, _with_suffix(source.name, " (copy)"), source.name, " (copy {})"
                )
            new_id = uuid.uuid4().hex
            conn.execute(
                scenarios_table.insert().values(
                    id=new_id,
                    name=copy_name,
                    created_at=_iso(now),
                    updated_at=now,
                    run_id=source.run_id,
                    document=source.document,
                    owner=self._stamp(),
                )
            )
            return new_id

    def delete_scenario(self, scenario_id: str) -> bool:
        """Delete a scenario. False when it does not exist."""
        with self._tx() as conn:
            result = conn.execute(
                scenarios_table.delete().where(
                    scenarios_table.c.id == scenario_id, self._mine(scenarios_table.c.owner)
                )
            )
            return result.rowcount == 1

    # ------------------------------------------------------------------ jobs
    def get_job(self, job_id: str) -> dict[str, Any] | None:
        """The job row, or None when there is none or it is not this store's to see."""
        with self._tx() as conn:
            row = (
                conn.execute(
                    sa.select(jobs_table).where(jobs_table.c.id == job_id, self._mine(jobs_table.c.owner))
                )
                .mappings()
                .first()
            )
        return _row(row) if row else None

    def job_for_run(self, run_id: str, *, kind: str = TRAIN_KIND) -> dict[str, Any] | None:
        """The newest job of ``kind`` on the run, or None."""
        with self._tx() as conn:
            row = (
                conn.execute(
                    sa.select(jobs_table)
                    .where(
                        jobs_table.c.run_id == run_id,
                        jobs_table.c.kind == kind,
                        self._mine(jobs_table.c.owner),
                    )
                    .order_by(jobs_table.c.created_at.desc(), jobs_table.c.id.desc())
                )
                .mappings()
                .first()
            )
        return _row(row) if row else None

    def active_jobs(self, *, include_quick: bool = False) -> list[dict[str, Any]]:
        """This store's queued and running jobs, oldest first (quick-lane jobs only when asked)."""
        query = sa.select(jobs_table).where(
            jobs_table.c.status.in_(("queued", "running")), self._mine(jobs_table.c.owner)
        )
        if not include_quick:
            query = query.where(jobs_table.c.kind.not_in(QUICK_KINDS))
        with self._tx() as conn:
            rows = conn.execute(query.order_by(jobs_table.c.created_at, jobs_table.c.id)).mappings()
            return [_row(r) for r in rows]

    def queue_position(self, job_id: str) -> int | None:
        """1 for the next job to start in its lane, 2 behind it, …; None unless the job is queued
        (and this store's to see). Every owner's jobs share the queue, so all of them count."""
        with self._tx() as conn:
            job = conn.execute(
                sa.select(
                    jobs_table.c.status, jobs_table.c.created_at, jobs_table.c.id, jobs_table.c.kind
                ).where(jobs_table.c.id == job_id, self._mine(jobs_table.c.owner))
            ).first()
            if job is None or job.status != "queued":
                return None
            lane = (
                jobs_table.c.kind.in_(QUICK_KINDS)
                if job.kind in QUICK_KINDS
                else jobs_table.c.kind.not_in(QUICK_KINDS)
            )
            ahead = conn.execute(
                sa.select(sa.func.count())
                .select_from(jobs_table)
                .where(jobs_table.c.status == "queued", lane)
                .where(
                    sa.or_(
                        jobs_table.c.created_at < job.created_at,
                        sa.and_(jobs_table.c.created_at == job.created_at, jobs_table.c.id < job.id),
                    )
                )
            ).scalar_one()
            return int(ahead) + 1

    def claim_job(
        self, worker_id: str, *, max_running: int = 1, quick: bool = False, within: str = ""
    ) -> dict[str, Any] | None:
        """Atomically move the oldest queued job of a lane to ``running`` for ``worker_id``.

        The long lane (``quick=False``) serves every kind but :data:`QUICK_KINDS`; the quick
        lane only those. Returns the claimed job row, or None when the lane's queue is empty or
        ``max_running`` of its jobs already run — counting only jobs whose ``worker_id`` starts
        with ``within`` (``"<host>:"``: one long job per machine, so replicas on other machines
        train at the same time; empty: across every worker). Serialised across processes (SQLite
        ``BEGIN IMMEDIATE``, PostgreSQL an advisory transaction lock), so each job is claimed
        exactly once. Claiming a ``train`` job also marks its run ``running``.
        """
        now = time.time()
        lane = jobs_table.c.kind.in_(QUICK_KINDS) if quick else jobs_table.c.kind.not_in(QUICK_KINDS)
        with self._tx() as conn:
            if self.is_postgres:
                conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CLAIM_LOCK_KEY})
            running = conn.execute(
                sa.select(sa.func.count())
                .select_from(jobs_table)
                .where(
                    jobs_table.c.status == "running",
                    lane,
                    jobs_table.c.worker_id.startswith(within, autoescape=True) if within else sa.true(),
                )
            ).scalar_one()
            if running >= max_running:
                return None
            job = (
                conn.execute(
                    sa.select(jobs_table)
                    .where(jobs_table.c.status == "queued", lane)
                    .order_by(jobs_table.c.created_at, jobs_table.c.id)
                    .limit(1)
                )
                .mappings()
                .first()
            )
            if job is None:
                return None
            result = conn.execute(
                jobs_table.update()
                .where(jobs_table.c.id == job["id"], jobs_table.c.status == "queued")
                .values(status="running", worker_id=worker_id, claimed_at=now, heartbeat_at=now)
            )
            if result.rowcount != 1:
                return None
            if job["kind"] == TRAIN_KIND:
                self._set_run_status(conn, job["run_id"], "running", started_at=_iso(now))
            claimed = _row(job)
            claimed.update(status="running", worker_id=worker_id, claimed_at=now, heartbeat_at=now)
            return claimed

    def _set_run_status(self, conn: Connection, run_id: str, status: str, **record_changes: Any) -> None:
        row = self._record_for_update(conn, run_id, scoped=False)
        if row is None:
            return
        conn.execute(
            runs_table.update()
            .where(runs_table.c.id == run_id)
            .values(
                status=status,
                record=_json_patch(row[0], status=status, **record_changes),
                updated_at=time.time(),
            )
        )

    def start_job(self, job_row: dict[str, Any], worker_id: str) -> None:
        """Insert a job that ``worker_id`` runs right away (the command line's foreground tasks):
        ``running`` from the start, claimed and beating like a queued job a worker took, so the
        run cannot be deleted while it works (:meth:`delete_run` refuses) and a stop requested
        from the app reaches it. Never queued, so no worker claims it. The job gets the run's
        owner; LookupError when the run does not exist (or a scoped store cannot see it)."""
        now = time.time()
        with self._tx() as conn:
            exists, owner = self._run_owner(conn, job_row["run_id"])
            if not exists or (self.owner is not None and owner != self._stamp()):
                raise LookupError(f"run {job_row['run_id']} does not exist")
            conn.execute(
                jobs_table.insert().values(
                    created_at=now,
                    status="running",
                    stop_requested=False,
                    worker_id=worker_id,
                    claimed_at=now,
                    heartbeat_at=now,
                    **{**job_row, "owner": owner},
                )
            )

    def release_claim(self, job_id: str, worker_id: str) -> bool:
        """Put a job ``worker_id`` claimed but could not start back at its place in the queue
        (its ``created_at`` is kept); its run reads ``queued`` again. Returns whether it was
        released (False when the job is no longer running under that claim)."""
        with self._tx() as conn:
            job = conn.execute(
                sa.select(jobs_table.c.run_id, jobs_table.c.kind).where(
                    jobs_table.c.id == job_id,
                    jobs_table.c.status == "running",
                    jobs_table.c.worker_id == worker_id,
                )
            ).first()
            if job is None:
                return False
            conn.execute(
                jobs_table.update()
                .where(jobs_table.c.id == job_id)
                .values(status="queued", worker_id=None, claimed_at=None, heartbeat_at=None)
            )
            if job.kind == TRAIN_KIND:
                self._set_run_status(conn, job.run_id, "queued", started_at=None)
            return True

    def heartbeat(self, job_id: str, *, progress: str | None = None) -> bool:
        """Record that the job's worker is alive (and its latest progress JSON).

        Returns whether a stop was requested.
        """
        values: dict[str, Any] = {"heartbeat_at": time.time()}
        if progress is not None:
            values["progress"] = progress
        with self._tx() as conn:
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
        now = time.time()
        with self._tx() as conn:
            job = conn.execute(
                sa.select(jobs_table.c.status, jobs_table.c.run_id, jobs_table.c.kind).where(
                    jobs_table.c.id == job_id, self._mine(jobs_table.c.owner)
                )
            ).first()
            if job is None:
                return None
            if job.status == "queued":
                # Guarded by status: a worker may have claimed it since we read it (PostgreSQL
                # runs this at READ COMMITTED); then it is running and gets the flag below.
                result = conn.execute(
                    jobs_table.update()
                    .where(jobs_table.c.id == job_id, jobs_table.c.status == "queued")
                    .values(status="stopped", stop_requested=True, finished_at=now)
                )
                if result.rowcount == 1:
                    if job.kind == TRAIN_KIND:
                        self._set_run_status(conn, job.run_id, "stopped", finished_at=_iso(now))
                    return "stopped"
                job = conn.execute(
                    sa.select(jobs_table.c.status, jobs_table.c.run_id).where(jobs_table.c.id == job_id)
                ).first()
                if job is None:
                    return None
            if job.status == "running":
                conn.execute(jobs_table.update().where(jobs_table.c.id == job_id).values(stop_requested=True))
            return str(job.status)

    def save_progress(self, job_id: str, run_id: str, record: str) -> None:
        """Save a running job's record so far (history per epoch) and beat its heart."""
        now = time.time()
        with self._tx() as conn:
            conn.execute(
                runs_table.update().where(runs_table.c.id == run_id).values(record=record, updated_at=now)
            )
            conn.execute(jobs_table.update().where(jobs_table.c.id == job_id).values(heartbeat_at=now))

    def finish_job(
        self, job_id: str, run_id: str, *, status: str, record: str, error: str | None = None
    ) -> None:
        """Write the final run record and close the job, in one transaction."""
        now = time.time()
        with self._tx() as conn:
            conn.execute(
                runs_table.update()
                .where(runs_table.c.id == run_id)
                .values(status=status, record=record, updated_at=now)
            )
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
        ``failed`` with that reason, and False tells the caller the result is lost.
        """
        now = time.time()
        stored = True
        with self._tx() as conn:
            if run_id is not None and run_fields:
                stored = self._patch_record(conn, run_id, run_fields, scoped=False)
            if not stored:
                status, error = "failed", RUN_GONE
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
        now = time.time()
        with self._tx() as conn:
            query = sa.select(jobs_table.c.id, jobs_table.c.run_id, jobs_table.c.kind).where(
                jobs_table.c.status == "running"
            )
            if worker_id is not None:
                query = query.where(jobs_table.c.worker_id == worker_id)
            if stale_before is not None:
                query = query.where(
                    sa.or_(jobs_table.c.heartbeat_at.is_(None), jobs_table.c.heartbeat_at < stale_before)
                )
            if worker_id is None and stale_before is None:
                return []
            rows = conn.execute(query).all()
            for job_id, run_id, kind in rows:
                conn.execute(
                    jobs_table.update()
                    .where(jobs_table.c.id == job_id)
                    .values(status=status, finished_at=now, error=reason)
                )
                if kind == TRAIN_KIND:  # a failed benchmark or sweep leaves its run as it was
                    self._set_run_status(conn, run_id, status, error=reason, finished_at=_iso(now))
            return [r[0] for r in rows]

    def prune_jobs(self, kind: str, *, finished_before: float) -> int:
        """Delete finished jobs of ``kind`` that ended before ``finished_before`` (epoch seconds);
        returns how many. Keeps the jobs table small where every drawn digit is a job."""
        with self._tx() as conn:
            result = conn.execute(
                jobs_table.delete().where(
                    jobs_table.c.kind == kind,
                    jobs_table.c.status.not_in(("queued", "running")),
                    jobs_table.c.finished_at < finished_before,
                )
            )
            return int(result.rowcount or 0)

    def running_worker_ids(self) -> list[str]:
        with self._tx() as conn:
            rows = conn.execute(
                sa.select(jobs_table.c.worker_id).where(jobs_table.c.status == "running").distinct()
            ).all()
        return [r[0] for r in rows if r[0]]


def _row(row: Any) -> dict[str, Any]:
    """A result row as a dict, its ``owner`` column as an owner id (NULL: :data:`LOCAL_OWNER`)."""
    out = dict(row)
    if "owner" in out and out["owner"] is None:
        out["owner"] = LOCAL_OWNER
    return out


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
