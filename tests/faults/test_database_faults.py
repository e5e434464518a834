"""The database locked or gone: a clear StoreError (a page shows it, no traceback), nothing
saved is lost, and a worker keeps its final record until the database is back.

SQLite: another connection holds ``BEGIN EXCLUSIVE`` longer than the store's busy timeout.
PostgreSQL: the store talks through a small TCP proxy the test cuts and restores (skipped with
the reason when ``MOATLAB_TEST_DATABASE_URL`` is unset).
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import socket
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from mlcore.runs import get_run, list_runs, queued_record, run_row
from mlcore.specs import TrainRequest, preset_spec
from store import Store, StoreError
from tests.support.app import make_app
from tests.support.services import postgres_schema
from ui.session.i18n import t

BUSY = r"^the database is busy \(locked by another process\); try again in a moment$"


def _completed_run(store: Store) -> str:
    record = queued_record(TrainRequest()).replace(status="completed")
    store.insert_run(run_row(record))
    return record.id


@contextlib.contextmanager
def exclusive_lock(path: Path) -> Iterator[sqlite3.Connection]:
    """Another process's write lock on the SQLite file (committed when the block ends)."""
    other = sqlite3.connect(path, isolation_level=None, timeout=5)
    try:
        other.execute("BEGIN EXCLUSIVE")
        yield other
        other.execute("COMMIT")
    finally:
        other.close()


def test_a_locked_sqlite_database_is_a_clear_error_and_nothing_is_lost(home: Path) -> None:
    path = home / "moatlab.db"
    store = Store(f"sqlite:///{path}", busy_timeout_seconds=0.3)
    kept = _completed_run(store)
    scenario = store.save_scenario("Base case", '{"v": 1}')
    late = queued_record(TrainRequest()).replace(status="completed")

    with exclusive_lock(path) as other:
        other.execute(  # the lock holder writes too: its row must survive as well
            "UPDATE scenarios SET document = ? WHERE id = ?", ('{"v": 2}', scenario)
        )
        for call in (
            store.list_runs,
            lambda: store.get_run(kept),
            lambda: store.insert_run(run_row(late)),
            lambda: store.save_scenario("Another", "{}"),
        ):
            with pytest.raises(StoreError, match=BUSY):
                call()

    store.insert_run(run_row(late))  # the retry after the lock is released works
    assert {r.id for r in list_runs(store)} == {kept, late.id}
    assert json.loads(store.get_scenario(scenario)["document"]) == {"v": 2}
    assert [s["name"] for s in store.list_scenarios()] == ["Base case"]


def test_a_page_shows_a_locked_database_as_an_error_then_recovers(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ui.session.state

    monkeypatch.setattr(ui.session.state, "Store", functools.partial(Store, busy_timeout_seconds=0.3))
    run_id = _completed_run(Store())
    with exclusive_lock(app_env / "moatlab.db"):
        at = make_app("app_pages/runs.py")
        assert not at.exception
        errors = [e.value for e in at.error]
        assert errors and all("the database is busy (locked by another process)" in e for e in errors)
        assert errors[-1] == t(
            "error.store", reason="the database is busy (locked by another process); try again in a moment"
        )
        assert "Traceback" not in str(errors)
    at.run()  # the next rerun after the lock is gone
    assert not at.exception and not at.error
    assert t("runs.count", shown=1, total=1) in [c.value for c in at.caption]
    assert get_run(Store(), run_id) is not None


class CuttableProxy:
    """Forwards 127.0.0.1:<port> to a TCP server until :meth:`cut` (every connection is closed
    and new ones are dropped at once) and again after :meth:`restore`."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = int(self.listener.getsockname()[1])
        self.is_cut = threading.Event()
        self.closed = threading.Event()
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.closed.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if self.is_cut.is_set():
                client.close()
                continue
            upstream = socket.create_connection(self.target, timeout=5)
            upstream.settimeout(None)
            with self._lock:
                self._open += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.is_cut.set()
        with self._lock:
            sockets, self._open = self._open, []
        for s in sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def restore(self) -> None:
        self.is_cut.clear()

    def close(self) -> None:
        self.closed.set()
        self.cut()
        self.listener.close()


@pytest.fixture
def pg_schema_url() -> Iterator[str]:
    with postgres_schema("moatlab_fault") as url:
        yield url


class _Seen(logging.Handler):
    def __init__(self, needle: str) -> None:
        super().__init__()
        self.needle = needle
        self.event = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.needle in record.getMessage():
            self.event.set()


@pytest.mark.postgres
@pytest.mark.slow
def test_a_worker_keeps_its_final_record_while_postgres_is_away(pg_schema_url: str, home: Path) -> None:
    from mlcore import worker
    from mlcore.jobs import JobManager

    direct = Store(pg_schema_url)
    url = make_url(pg_schema_url)
    proxy = CuttableProxy(url.host or "127.0.0.1", url.port or 5432)
    proxied = Store(url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
    seen = _Seen("retrying")
    logging.getLogger("moatlab.worker").addHandler(seen)
    try:
        scenario = direct.save_scenario("Kept", "{}")
        request = TrainRequest(spec=preset_spec("article-mlp", epochs=3), dataset="digits")
        view = JobManager(direct, home, start_worker=False).submit(request)
        job = proxied.claim_job("fault-test:1")
        assert job is not None and job["id"] == view.job_id

        def on_report(report: object) -> None:
            if getattr(report, "finished_epoch", None) is not None and not proxy.is_cut.is_set():
                proxy.cut()  # the database goes away right after the first epoch

        outcome: dict[str, object] = {}
        engine = worker.Engine(home)
        trainer = threading.Thread(
            target=lambda: outcome.update(
                record=worker.execute_job(proxied, engine, job, on_report=on_report)  # type: ignore[arg-type]
            ),
            daemon=True,
        )
        trainer.start()
        assert seen.event.wait(120), "the worker never retried its final record"
        assert trainer.is_alive()  # still holding the results, retrying

        with pytest.raises(StoreError) as info:  # what any caller sees meanwhile
            proxied.list_runs()
        message = str(info.value)
        assert message.startswith("database postgresql+psycopg://") and "is not usable" in message
        assert url.password and url.password not in message and "***" in message
        assert direct.get_job(view.job_id)["status"] == "running"

        proxy.restore()
        trainer.join(60)
        assert not trainer.is_alive()
        final = get_run(direct, view.run_id)
        assert final is not None and final.status == "completed"
        assert len(final.history) == 3 and final.test_accuracy is not None
        assert direct.get_job(view.job_id)["status"] == "completed"
        assert outcome["record"].status == "completed"  # type: ignore[union-attr]
        assert direct.get_scenario(scenario) is not None
    finally:
        logging.getLogger("moatlab.worker").removeHandler(seen)
        proxy.close()
        proxied.dispose()
        direct.dispose()
