"""Issue 20, D12: an empty or damaged SQLite file is detected, copied first, and never replaced.

A 0-byte ``moatlab.db`` used to become a new empty database (``store health`` exit 0, "No runs
yet", the model files of every run orphaned); a file cut in half said "Nothing saved is lost:
reload", which is false for corruption. Here: a 0-byte file, a file cut short, a foreign file and a
file with a damaged page. Each one: the store refuses it and leaves it byte for byte as it was,
``python -m store health`` exits 1 saying what happened and where the copy is (one copy per
damaged state), and the app says the same instead of "No runs yet" or "reload".
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from mlcore.runs import queued_record, run_row
from mlcore.specs import TrainRequest
from store import DatabaseDamaged, Store, StoreError
from tests.support.app import make_app, no_errors

ROOT = Path(__file__).resolve().parents[2]


def _database_with_runs(path: Path, runs: int = 150) -> bytes:
    """A real store with ``runs`` runs, checkpointed into the main file; returns its bytes."""
    import sqlite3

    store = Store(f"sqlite:///{path}")
    for _ in range(runs):
        store.insert_run(run_row(queued_record(TrainRequest()).replace(status="completed", name="r" * 400)))
    store.dispose()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return path.read_bytes()


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _cut_in_half(path: Path) -> None:
    data = _database_with_runs(path)
    path.write_bytes(data[: len(data) // 2])


def _foreign(path: Path) -> None:
    path.write_bytes(b"<html>not a database</html>\n" * 200)


def _damaged_page(path: Path) -> None:
    data = bytearray(_database_with_runs(path))
    middle = len(data) // 2
    data[middle : middle + 8192] = b"\xff" * 8192  # same size, one page of garbage
    path.write_bytes(bytes(data))


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "empty": (_empty, "it is empty (0 bytes)"),
    "cut-in-half": (_cut_in_half, "it is cut short"),
    "foreign": (_foreign, "it is not a SQLite database"),
    "damaged-page": (_damaged_page, "malformed"),
}


def _copies(path: Path) -> list[Path]:
    """The kept copies of the main file (its -wal / -shm companions are copied beside them)."""
    return sorted(
        p
        for p in path.parent.iterdir()
        if p.name.startswith(f"{path.name}.damaged-") and not p.name.endswith(("-wal", "-shm"))
    )


def _health(home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MOATLAB_ARTIFACT_DIR")}
    env["MOATLAB_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "store", "health"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.slow  # starts a process
@pytest.mark.parametrize("kind", DAMAGE)
def test_health_exits_1_saying_what_happened_and_where_the_copy_is(home: Path, kind: str) -> None:
    path = home / "moatlab.db"
    make, what = DAMAGE[kind]
    make(path)
    models = home / "models"
    models.mkdir()
    for i in range(3):
        (models / f"run-{i}.keras").write_bytes(b"model")
    before = path.read_bytes()
    out = _health(home)
    assert out.returncode == 1, out.stdout + out.stderr
    line = out.stdout.splitlines()[0]
    assert line.startswith("database FAILED: ") and what in line, line
    copies = _copies(path)
    assert len(copies) == 1 and str(copies[0]) in line, (line, copies)
    assert copies[0].read_bytes() == before  # the copy is the file as found
    assert path.read_bytes() == before  # never written, never replaced
    assert "3 model files" in line
    _health(home)
    assert _copies(path) == copies  # the same damaged state is copied once


@pytest.mark.parametrize("kind", DAMAGE)
def test_the_store_refuses_a_damaged_file_and_leaves_it_as_it_was(home: Path, kind: str) -> None:
    path = home / "moatlab.db"
    DAMAGE[kind][0](path)
    before = path.read_bytes()
    with pytest.raises(DatabaseDamaged) as caught:
        store = Store(f"sqlite:///{path}")
        store.list_runs()  # a damaged page may only show when it is read
    assert isinstance(caught.value, StoreError)
    assert caught.value.backup is not None and caught.value.backup.exists()
    assert "Nothing was written to it" in str(caught.value)
    assert path.read_bytes() == before


def test_a_file_emptied_while_the_app_runs_is_reported_as_damage(home: Path) -> None:
    path = home / "moatlab.db"
    store = Store(f"sqlite:///{path}")
    store.insert_run(run_row(queued_record(TrainRequest()).replace(status="completed")))
    store.dispose()
    for leftover in (path.with_name("moatlab.db-wal"), path.with_name("moatlab.db-shm")):
        leftover.unlink(missing_ok=True)
    path.write_bytes(b"")  # another process empties the file under the open store
    with pytest.raises(DatabaseDamaged, match="empty"):
        store.list_runs()
    assert path.read_bytes() == b""


@pytest.mark.parametrize("page", ["app_pages/runs.py", "app_pages/overview.py", "app_pages/scenarios.py"])
def test_the_app_says_the_database_is_damaged_not_empty(app_env: Path, page: str) -> None:
    path = app_env / "moatlab.db"
    path.write_bytes(b"")
    at = make_app(page)
    no_errors(at)
    shown = " ".join(e.value for e in at.error)
    assert "damaged" in shown and "empty (0 bytes)" in shown, shown
    assert str(_copies(path)[0]) in shown  # where the copy is
    assert "Nothing saved is lost" not in shown
    everything = shown + " ".join(m.value for m in at.markdown) + " ".join(i.value for i in at.info)
    assert "No runs yet" not in everything
    assert path.read_bytes() == b""
