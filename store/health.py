"""Health check for a deployment: can this process use the database and the artifact folder?

``python -m store health`` runs :func:`run_checks` and prints one line per check::

    database ok: postgresql+psycopg://moatlab:***@db:5432/moatlab (schema 4, round trip 1.4 ms)
    artifacts ok: /artifacts (writable)

and exits 0 when every check passed, 1 otherwise. The database check opens the store (which
creates or upgrades the schema as the app would), makes one round trip and reads the schema
version; for the SQLite file it also runs SQLite's integrity check (``PRAGMA quick_check``). An
empty, cut-short, foreign or damaged SQLite file fails the check with what is wrong and where a
copy of it was kept (:mod:`store.sqlite_file`); the file itself is never written. The artifact
check creates, syncs and deletes a small temporary file in the artifact folder
(:func:`store.artifacts.artifact_dir`). Passwords never appear: URLs are redacted and any
message that still contained the password is cut.

Liveness of the web process itself is Streamlit's own endpoint ``/_stcore/health``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from store.artifacts import artifact_dir
from store.db import Store
from store.engine import DatabaseDamaged, StoreError, default_url, redact_url
from store.migrations import schema_version

#: Seconds a health check waits to connect to PostgreSQL or for a SQLite lock.
CHECK_TIMEOUT_SECONDS = 5


@dataclass(frozen=True)
class Check:
    """One check's outcome: ``name`` (database, artifacts), ``ok`` and a line for people."""

    name: str
    ok: bool
    detail: str

    def line(self) -> str:
        return f"{self.name} {'ok' if self.ok else 'FAILED'}: {self.detail}"


def _with_connect_timeout(url: str) -> str:
    """A PostgreSQL URL gets ``connect_timeout`` (unless it has one), so a dead host fails fast."""
    if not url.startswith("postgresql"):
        return url
    parsed = make_url(url)
    if "connect_timeout" in parsed.query:
        return url
    return parsed.update_query_dict({"connect_timeout": str(CHECK_TIMEOUT_SECONDS)}).render_as_string(
        hide_password=False
    )


def _scrub(text: str, url: str) -> str:
    """``text`` with the URL's password cut out, should a driver message have echoed it."""
    try:
        password = make_url(url).password
    except Exception:
        return text
    return text.replace(str(password), "***") if password else text


def check_database(url: str | None = None) -> Check:
    """Open the store, make one round trip and read the schema version."""
    url = url or default_url()
    shown = redact_url(url)
    store = None
    try:
        store = Store(_with_connect_timeout(url), busy_timeout_seconds=CHECK_TIMEOUT_SECONDS)
        t0 = time.perf_counter()
        with store._tx() as conn:
            conn.execute(sa.text("SELECT 1")).scalar_one()
            version = schema_version(conn)
        ms = (time.perf_counter() - t0) * 1000.0
        store.check_integrity()  # SQLite: every page read once (PRAGMA quick_check)
        return Check("database", True, f"{shown} (schema {version}, round trip {ms:.1f} ms)")
    except DatabaseDamaged as exc:
        return Check("database", False, str(exc) + _orphans_note())
    except StoreError as exc:
        return Check("database", False, _scrub(str(exc), url))
    except Exception as exc:  # a bad URL or a missing driver: say which, never a traceback
        return Check("database", False, _scrub(f"{shown}: {type(exc).__name__}: {exc}", url)[:400])
    finally:
        if store is not None:
            store.dispose()


def _orphans_note() -> str:
    """For a damaged database: how many model files the artifact folder holds (their runs were in it)."""
    try:
        models = sum(1 for _ in artifact_dir().glob("*.keras"))
    except OSError:
        return ""
    if not models:
        return ""
    return f" ({models:,} model files in {artifact_dir()} belong to runs that database held)"


def check_artifacts(folder: Path | None = None) -> Check:
    """Create (when missing) the artifact folder, then write, sync and delete a temporary file."""
    folder = folder or artifact_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".health-", suffix=".tmp") as fh:
            fh.write(b"moatlab health check\n")
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        return Check("artifacts", False, f"{folder} is not writable ({exc.strerror or exc})")
    return Check("artifacts", True, f"{folder} (writable)")


def run_checks(url: str | None = None, folder: Path | None = None) -> list[Check]:
    """Every check, database first."""
    return [check_database(url), check_artifacts(folder)]


def main(argv: list[str] | None = None) -> int:
    """``python -m store health``: print one line per check; 0 when all pass, else 1."""
    parser = argparse.ArgumentParser(
        prog="python -m store",
        description="Check that this process can use the database (DATABASE_URL or the SQLite file "
        "under MOATLAB_HOME) and write the artifact folder (MOATLAB_ARTIFACT_DIR, else "
        "MOATLAB_HOME/models).",
    )
    parser.add_argument("command", choices=["health"], help="health: check the database and the artifacts")
    parser.parse_args(argv)
    checks = run_checks()
    for check in checks:
        print(check.line(), flush=True)
    return 0 if all(c.ok for c in checks) else 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
