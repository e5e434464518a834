"""The engine: SQLite set-up, unreachable servers, URLs and where the default store lives."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest

from store import Store, StoreError, default_home, default_url, redact_url


def test_sqlite_uses_wal_and_creates_its_folder(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "moatlab.db"
    s = Store(f"sqlite:///{path}")
    assert path.is_file()
    with s._engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    s.dispose()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_postgres_gives_a_clear_store_error() -> None:
    url = f"postgresql+psycopg://moatlab:pw-s3cret@127.0.0.1:{closed_port()}/moatlab?connect_timeout=2"
    start = time.monotonic()
    with pytest.raises(StoreError) as info:
        Store(url)
    assert time.monotonic() - start < 10
    message = str(info.value)
    assert "pw-s3cret" not in message, "the password never shows"
    assert "127.0.0.1" in message and "not usable" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    ("url", "hidden", "shown"),
    [
        ("postgresql+psycopg://user:s3cret@db.example:5432/moatlab", "s3cret", "user:***@db.example:5432"),
        ("postgresql://u:p%40ss%3Aword@h/db", "p%40ss", "u:***@h/db"),
        ("mysql+pymysql://root:hunter2@localhost/x?charset=utf8", "hunter2", "root:***@localhost"),
        ("sqlite:////tmp/x/moatlab.db", "", "sqlite:////tmp/x/moatlab.db"),
        ("::not a url::", "::not a url::", "unparsable"),
    ],
)
def test_redact_url(url: str, hidden: str, shown: str) -> None:
    redacted = redact_url(url)
    if hidden:
        assert hidden not in redacted
    assert shown in redacted


def test_default_url(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_home() == home
    assert default_url() == f"sqlite:///{home / 'moatlab.db'}"
    for given, expected in [
        ("postgres://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgresql://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("postgresql+psycopg://u:p@h/db", "postgresql+psycopg://u:p@h/db"),
        ("  sqlite:////tmp/y.db  ", "sqlite:////tmp/y.db"),
    ]:
        monkeypatch.setenv("DATABASE_URL", given)
        assert default_url() == expected
    monkeypatch.delenv("MOATLAB_HOME")
    assert default_home() == Path.home() / ".moatlab"


def test_default_store_lives_in_moatlab_home(home: Path) -> None:
    s = Store()
    assert s.is_sqlite and (home / "moatlab.db").is_file()
    s.dispose()
