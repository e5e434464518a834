"""``python -m store health``: one line per check, exit 0/1, never a password."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from store.db import SCHEMA_VERSION
from store.health import check_artifacts, check_database, main
from tests.support.services import postgres_base_url

ROOT = Path(__file__).resolve().parents[2]


def health(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MOATLAB_ARTIFACT_DIR")}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "store", "health"],
        check=False,
        cwd=ROOT,
        env=full,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.slow  # starts a process
def test_a_healthy_home_passes_both_checks(home: Path, tmp_path: Path) -> None:
    shared = tmp_path / "artifacts"
    out = health({"MOATLAB_HOME": str(home), "MOATLAB_ARTIFACT_DIR": str(shared)})
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(
        f"database ok: sqlite:///{home / 'moatlab.db'} (schema {SCHEMA_VERSION}, round trip "
    )
    assert lines[1] == f"artifacts ok: {shared} (writable)"
    assert list(shared.iterdir()) == []  # the probe file is gone


@pytest.mark.slow  # starts a process
def test_an_unwritable_artifact_folder_fails_with_exit_1(home: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    out = health({"MOATLAB_HOME": str(home), "MOATLAB_ARTIFACT_DIR": str(blocker / "models")})
    assert out.returncode == 1
    assert out.stdout.splitlines()[0].startswith("database ok: ")
    assert out.stdout.splitlines()[1].startswith(f"artifacts FAILED: {blocker / 'models'} is not writable (")
    assert "Traceback" not in out.stdout + out.stderr


def test_an_unreadable_database_fails_with_exit_1(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (home / "moatlab.db").write_bytes(b"this is not a database" * 100)
    assert main(["health"]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("database FAILED: the database file ") and "is not a SQLite database" in first
    assert check_artifacts().ok


@pytest.mark.slow  # starts a process
@pytest.mark.postgres
def test_postgres_health_and_a_wrong_password_never_printed(home: Path) -> None:
    base = postgres_base_url()
    good = check_database(base)
    assert good.ok and f"schema {SCHEMA_VERSION}" in good.detail and "***" in good.detail
    password = make_url(base).password
    assert password and password not in good.line()
    wrong = make_url(base).set(password="wrong-Secret-42").render_as_string(hide_password=False)
    out = health({"MOATLAB_HOME": str(home), "DATABASE_URL": wrong})
    assert out.returncode == 1
    assert out.stdout.splitlines()[0].startswith("database FAILED: database postgresql+psycopg://")
    assert "wrong-Secret-42" not in out.stdout + out.stderr and "***" in out.stdout
    unreachable = make_url(base).set(host="127.0.0.1", port=1).render_as_string(hide_password=False)
    down = check_database(unreachable)
    assert not down.ok and "Connection refused" in down.detail and password not in down.line()
