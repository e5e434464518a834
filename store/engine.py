"""The one engine: connection set-up, transactions, errors and the clock every repository shares.

:class:`Database` owns the SQLAlchemy engine for one URL. On SQLite it sets WAL mode, a busy
timeout and ``BEGIN IMMEDIATE`` transactions (so read-then-write transactions such as claiming a
job never interleave between processes), and it refuses a file that is not (any more) the
database the store made (:class:`DatabaseDamaged`). Every query runs inside :meth:`Database.tx`,
which turns driver errors into :class:`StoreError` with a message that says what to check.

Clock: ``clock`` returns Unix epoch seconds (default :func:`time.time`); every time the store
writes comes from it, so tests order rows by advancing a fake clock instead of sleeping.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import SQLAlchemyError

import settings

#: A function returning the current time in Unix epoch seconds.
Clock = Callable[[], float]

#: SQLite's words for a file that is not (any more) the database the store made.
_DAMAGE_WORDS = ("malformed", "not a database", "no such table", "file is encrypted", "disk image")


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


def default_home() -> Path:
    """``$MOATLAB_HOME`` or ``~/.moatlab``: where the SQLite file, models and uploads live."""
    return settings.read("MOATLAB_HOME") or Path.home() / ".moatlab"


def default_url() -> str:
    """``$DATABASE_URL`` or the SQLite file under :func:`default_home`."""
    url = settings.read("DATABASE_URL")
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


def iso(epoch: float) -> str:
    """``epoch`` (Unix seconds) as an ISO-8601 UTC string with whole seconds."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def _sqlite_path(url: str) -> Path | None:
    """The SQLite file a URL names (None for PostgreSQL and in-memory or URI SQLite)."""
    if not url.startswith("sqlite"):
        return None
    try:
        database = make_url(url).database
    except Exception:
        return None
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


class Database:
    """One engine for one URL, shared by every repository (and every scoped view) of a store.

    ``busy_timeout_seconds`` is how long SQLite waits for another writer's lock; ``clock`` gives
    the time (Unix epoch seconds) of every write.
    """

    def __init__(self, url: str, *, busy_timeout_seconds: float = 30.0, clock: Clock = time.time) -> None:
        self.url = url
        self.clock = clock
        self.is_sqlite = url.startswith("sqlite")
        self.is_postgres = url.startswith("postgresql")
        #: The SQLite file (None for PostgreSQL and in-memory SQLite).
        self.sqlite_path = _sqlite_path(url)
        if self.sqlite_path is not None:
            from store.sqlite_file import file_problem

            problem = file_problem(self.sqlite_path)
            if problem is not None:  # never create tables in an empty or damaged file
                raise damaged(self.sqlite_path, problem)
        # True while the store creates a database file that did not exist (it starts empty).
        self.creating = self.sqlite_path is not None and not self.sqlite_path.exists()
        self.engine = self._make_engine(busy_timeout_seconds)

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
            if self.sqlite_path is not None and not self.creating:
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

    @contextmanager
    def tx(self) -> Iterator[Connection]:
        """One transaction; driver errors leave it as :class:`StoreError`."""
        try:
            with self.engine.begin() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise self.error(exc) from exc

    def lock(self, conn: Connection, key: int) -> None:
        """Serialise this transaction with others taking ``key`` (a PostgreSQL advisory
        transaction lock; SQLite's ``BEGIN IMMEDIATE`` already serialises every writer)."""
        if self.is_postgres:
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})

    def error(self, exc: Exception) -> StoreError:
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

    def dispose(self) -> None:
        """Close pooled connections (call in a child process after fork/spawn)."""
        self.engine.dispose()
