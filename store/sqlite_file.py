"""Is the SQLite file the store is about to open a database at all? And a copy before anything else.

SQLite treats a 0-byte file as a new, empty database: opening one would create fresh tables in
it, and every run and scenario would silently read as "none yet" (while the model files of the
lost runs sit in the artifact folder). A file cut short, or one that is not SQLite at all, fails
later on a query, where it looks like any passing database error. So before the store touches a
SQLite file it checks, cheaply (:func:`file_problem`, a few hundred bytes read):

* the file is empty (0 bytes);
* its first 16 bytes are not SQLite's header (``SQLite format 3\\0``);
* it is shorter than its header says (the page count × page size SQLite wrote there), i.e. cut
  short after it was written.

:func:`integrity_problem` runs SQLite's own ``PRAGMA quick_check`` (reads every page; the health
check runs it). When a problem is found, :func:`keep_copy` copies the file (and its ``-wal`` and
``-shm`` companions) beside it as ``<name>.damaged-<modified time>-<size>`` before anything else
touches it — once: the same damaged file is never copied twice — and the store refuses to open
it (:class:`~store.engine.DatabaseDamaged`) instead of replacing it. Nothing here writes to the file.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

#: The first 16 bytes of every SQLite 3 database file.
SQLITE_MAGIC = b"SQLite format 3\x00"
_HEADER_BYTES = 100


def file_problem(path: Path) -> str | None:
    """What is wrong with the SQLite file at ``path`` from its size and header, or None when it
    looks like a database (or does not exist yet: the store creates it)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    if size == 0:
        return "it is empty (0 bytes): a database holds at least its header and tables"
    try:
        with path.open("rb") as handle:
            header = handle.read(_HEADER_BYTES)
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc})"
    if not header.startswith(SQLITE_MAGIC):
        return f"it is not a SQLite database (its first bytes are not SQLite's header; {size:,} bytes)"
    if len(header) < _HEADER_BYTES:
        return f"it is cut short ({size:,} bytes, less than SQLite's 100-byte header)"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65_536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The page count in the header is valid when its "version-valid-for" number equals the file
    # change counter (every SQLite since 3.7.0 keeps them so).
    if pages and header[92:96] == header[24:28] and size < pages * page_size:
        return (
            f"it is cut short: {size:,} bytes of the {pages * page_size:,} its header records "
            f"({pages:,} pages of {page_size:,} bytes)"
        )
    return None


def integrity_problem(path: Path) -> str | None:
    """SQLite's ``PRAGMA quick_check`` on ``path`` (read-only), or None when it says ``ok``."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error as exc:
        return f"SQLite cannot open it ({exc})"
    try:
        rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check(5)").fetchall()]
    except sqlite3.DatabaseError as exc:
        if "locked" in str(exc) or "busy" in str(exc):
            return None  # busy is not damage: the store's own check says so
        return f"SQLite's integrity check failed ({exc})"
    finally:
        conn.close()
    if rows == ["ok"]:
        return None
    return "SQLite's integrity check found damage: " + "; ".join(rows)[:300]


def copy_name(path: Path) -> Path:
    """Where :func:`keep_copy` keeps a copy of ``path`` in its current state: beside it, named
    by its modification time (UTC) and size, so one damaged state has one copy."""
    st = path.stat()
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(st.st_mtime))
    return path.with_name(f"{path.name}.damaged-{stamp}-{st.st_size}")


def keep_copy(path: Path) -> Path:
    """Copy the damaged ``path`` (and its ``-wal`` / ``-shm`` files) beside it, unless this state
    of it was copied before; returns the copy of the main file. Each file is copied to a
    temporary name first and renamed, so a copy is whole or absent. OSError when it cannot be
    copied (the caller says so: the operator must copy it by hand)."""
    target = copy_name(path)
    for suffix in ("", "-wal", "-shm"):
        source = path.with_name(path.name + suffix)
        dest = target.with_name(target.name + suffix)
        if not source.exists() or dest.exists():
            continue
        fd, tmp = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".tmp")
        os.close(fd)
        try:
            shutil.copy2(source, tmp)
            os.replace(tmp, dest)
        except BaseException:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()
            raise
    return target
