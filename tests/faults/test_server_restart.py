"""The real app under faults: its training worker killed mid-run, then the server itself.

``streamlit run app.py`` serves a fresh MOATLAB_HOME; one session (a websocket opening the
Train page, as a browser would) makes the app start its job manager and training worker. Jobs
are submitted to the shared queue by a client in this process, exactly as a second replica
would. Expected: a killed worker fails its job (history kept) while the server stays healthy and
the next job completes; a SIGKILLed server takes its worker with it, and after a restart on the
same home every saved run and scenario is there and the running job is ``interrupted`` with its
saved epochs.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.sync.client import connect

from mlcore.jobs import JobManager
from mlcore.runs import get_run, list_runs, queued_record, run_row
from store import Store
from tests.support.browser import AppServer
from tests.support.worker import digits_request, wait_finished, wait_for

pytestmark = pytest.mark.slow

START_SECONDS = 120.0  # a fresh worker imports TensorFlow and probes the peak


def open_session(server: AppServer, page: str = "train") -> None:
    """Run one page in a new session over Streamlit's websocket (what a browser tab does)."""
    with connect(f"ws://127.0.0.1:{server.port}/_stcore/stream", subprotocols=["streamlit"]) as ws:
        msg = BackMsg()
        msg.rerun_script.page_name = page
        ws.send(msg.SerializeToString())
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            reply = ForwardMsg()
            reply.ParseFromString(ws.recv(timeout=60))
            if reply.WhichOneof("type") == "script_finished":
                return
    raise AssertionError(f"the {page} page did not finish:\n{server.log()}")


def worker_pid(store: Store, job_id: str) -> int:
    job = store.get_job(job_id)
    assert job is not None and job["worker_id"]
    return int(job["worker_id"].rpartition(":")[2])


def gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return True
    return state == "Z"  # exited, waiting to be reaped by whoever adopted it


def saved_epochs(store: Store, run_id: str) -> int:
    run = get_run(store, run_id)
    return len(run.history) if run else 0


def test_killing_the_worker_then_the_server_loses_nothing(home: Path) -> None:
    store = Store(f"sqlite:///{home / 'moatlab.db'}")
    finished = queued_record(digits_request(1)).replace(status="completed")
    store.insert_run(run_row(finished))
    scenario = store.save_scenario("Base case", '{"kept": true}')
    client = JobManager(store, home, start_worker=False)  # a second replica's view of the queue

    server = AppServer(home=home)
    restarted = AppServer(home=home)
    try:
        server.start()
        server.wait_healthy()
        open_session(server)  # the app starts its job manager and worker

        # 1. The worker is killed mid-training: its job fails with its epochs, the app stays up.
        first = client.submit(digits_request(300))
        wait_for(lambda: saved_epochs(store, first.run_id) >= 1, timeout=START_SECONDS, what="an epoch")
        killed = worker_pid(store, first.job_id)
        os.kill(killed, signal.SIGKILL)
        failed = wait_finished(client, first.job_id, timeout=30)
        assert failed.status == "failed" and "SIGKILL" in (failed.error or "")
        assert failed.run is not None and len(failed.run.history) >= 1
        assert server.healthy() and server.proc is not None and server.proc.poll() is None
        following = wait_finished(client, client.submit(digits_request(1)).job_id, timeout=START_SECONDS)
        assert following.status == "completed", following.error
        assert worker_pid(store, following.job_id) != killed

        # 2. The server is killed mid-training: its worker exits with it.
        running = client.submit(digits_request(300))
        wait_for(lambda: saved_epochs(store, running.run_id) >= 1, timeout=START_SECONDS, what="an epoch")
        orphan = worker_pid(store, running.job_id)
        assert server.proc is not None
        os.kill(server.proc.pid, signal.SIGKILL)
        server.proc.wait(10)
        wait_for(lambda: gone(orphan), timeout=60, what="the worker to exit with its server")
        epochs_saved = saved_epochs(store, running.run_id)

        # 3. A restart on the same home: everything saved is there, the job is interrupted.
        restarted.start()
        restarted.wait_healthy()
        open_session(restarted)
        after = client.view(running.job_id)
        assert after is not None and after.status == "interrupted", after
        assert after.run is not None and after.run.status == "interrupted"
        assert len(after.run.history) == epochs_saved >= 1 and after.run.epochs_completed == epochs_saved
        assert "history" in (after.error or "")
        ids = {r.id for r in list_runs(store)}
        assert {finished.id, first.run_id, following.run_id, running.run_id} <= ids
        assert get_run(store, following.run_id).status == "completed"  # type: ignore[union-attr]
        assert store.get_scenario(scenario)["document"] == '{"kept": true}'  # type: ignore[index]
        assert restarted.healthy()
    finally:
        server.stop()
        restarted.stop()
        store.dispose()
