"""Issue 20, D8 and D9: heavy work and sessions stay within a replica's budget.

D8: twenty share links, each asking 50,000 paths × 120 months with 17 ranges, took the web process
from 342 MB to 7.8 GB; four 49 MB uploads peaked at 2.5 GB. Heavy work (a Monte Carlo, a report,
parsing an upload) now asks the process's work budget first: within it, it runs; otherwise it
waits in line, then says "busy, try again in about N s" (English and Chinese) — it never runs
beyond the budget. D9: 100 sessions on one replica made a newcomer's browser wait 50 s; a
replica now admits ``MOATLAB_MAX_SESSIONS`` sessions and shows the others a short "at capacity"
page. (The memory and latency figures are measured by ``bench/memory.py`` and
``bench/sessions.py``; these tests check the rules, not speed.)
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from bizmodel.montecarlo import working_bytes
from tests.support.app import make_app, no_errors
from ui.session import capacity
from ui.session.admission import MB, Busy, Limits, SessionGate, TooLarge, WorkBudget, upload_bytes

SCENARIOS = "app_pages/scenarios.py"


def _wait_until(condition: object, limit: float = 10.0) -> None:
    deadline = time.monotonic() + limit
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "the condition never came true"
        time.sleep(0.01)


# ---------------------------------------------------------------------- the budget's rules


def test_work_beyond_the_process_budget_is_refused_with_a_time_to_come_back() -> None:
    budget = WorkBudget(Limits(process_bytes=100 * MB, session_bytes=60 * MB, wait_seconds=0))
    with budget.admit(60 * MB, session="a"):
        with pytest.raises(Busy) as caught:
            with budget.admit(60 * MB, session="b"):
                pytest.fail("admitted beyond the process budget")
        assert 5 <= caught.value.retry_after_seconds <= 300
        with budget.admit(40 * MB, session="b"):  # what still fits runs
            assert budget.in_use == 100 * MB
    with budget.admit(60 * MB, session="b"):  # room again once the first is done
        assert budget.in_use == 60 * MB


def test_one_session_cannot_take_more_than_its_share() -> None:
    budget = WorkBudget(Limits(process_bytes=100 * MB, session_bytes=50 * MB, wait_seconds=0))
    with budget.admit(40 * MB, session="a"):
        with pytest.raises(Busy), budget.admit(20 * MB, session="a"):
            pytest.fail("one session held more than its share")
        with budget.admit(50 * MB, session="b"):
            assert budget.in_use == 90 * MB


def test_work_no_budget_can_hold_is_too_large() -> None:
    budget = WorkBudget(Limits(process_bytes=100 * MB, session_bytes=50 * MB, wait_seconds=5))
    with pytest.raises(TooLarge) as caught, budget.admit(51 * MB, session="a"):
        pytest.fail("admitted above the session's whole budget")
    assert caught.value.limit_bytes == 50 * MB and budget.waiting == 0


def test_waiting_work_starts_first_come_first_served() -> None:
    budget = WorkBudget(Limits(process_bytes=100 * MB, session_bytes=100 * MB, wait_seconds=30))
    order: list[str] = []
    release = threading.Event()

    def ask(name: str) -> None:
        with budget.admit(80 * MB, session=name):
            order.append(name)

    with budget.admit(80 * MB, session="first"):
        threads = []
        for name, queued in (("second", 1), ("third", 2)):
            thread = threading.Thread(target=ask, args=(name,))
            thread.start()
            threads.append(thread)
            _wait_until(lambda queued=queued: budget.waiting == queued)
        release.set()
    for thread in threads:
        thread.join(30)
    assert order == ["second", "third"]


def test_twenty_heavy_simulations_at_once_never_hold_more_than_the_budget() -> None:
    """The D8 case in miniature: 20 threads each asking the heaviest Monte Carlo a link may ask
    for; the memory held at once never exceeds the budget, and every one runs in turn."""
    cost = working_bytes(50_000, 120, 17)
    budget = WorkBudget(Limits(process_bytes=768 * MB, session_bytes=320 * MB, wait_seconds=60))
    peak, done, lock = [0], [0], threading.Lock()
    gate = threading.Semaphore(0)

    def simulate(session: str) -> None:
        with budget.admit(cost, session=session):
            with lock:
                peak[0] = max(peak[0], budget.in_use)
            gate.acquire(timeout=30)  # hold the memory until the test lets one finish
            with lock:
                done[0] += 1

    threads = [threading.Thread(target=simulate, args=(f"s{i}",)) for i in range(20)]
    for thread in threads:
        thread.start()
    _wait_until(lambda: budget.waiting == 20 - 768 * MB // cost)
    for _ in threads:
        gate.release()
    for thread in threads:
        thread.join(60)
    assert done[0] == 20
    assert peak[0] <= 768 * MB and peak[0] == (768 * MB // cost) * cost


def test_settings_come_from_the_environment_and_are_checked() -> None:
    limits = Limits.from_env({"MOATLAB_WORK_MEMORY_MB": "512", "MOATLAB_BUSY_WAIT_SECONDS": "3"})
    assert (limits.process_bytes, limits.session_bytes, limits.wait_seconds) == (512 * MB, 320 * MB, 3.0)
    for bad in ({"MOATLAB_WORK_MEMORY_MB": "nan"}, {"MOATLAB_SESSION_WORK_MEMORY_MB": "-1"}):
        with pytest.raises(ValueError, match="MOATLAB_"):
            Limits.from_env(bad)


# ---------------------------------------------------------------------- the pages, budget full


@contextmanager
def budget_taken() -> Iterator[None]:
    """Other people's sessions hold the whole work budget of this process (the app's own)."""
    budget = capacity.work_budget()
    with ExitStack() as held:
        left, person = budget.limits.process_bytes, 0
        while left > 0:
            share = min(left, budget.limits.session_bytes)
            held.enter_context(budget.admit(share, session=f"person {person}", wait_seconds=0))
            left, person = left - share, person + 1
        yield


@pytest.fixture
def no_waiting(app_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("MOATLAB_BUSY_WAIT_SECONDS", "0")
    return app_env


@pytest.mark.parametrize(("lang", "words"), [("en", "Try again in about"), ("zh", "秒后重试")])
def test_a_monte_carlo_beyond_the_budget_says_busy_instead_of_running(
    no_waiting: Path, lang: str, words: str
) -> None:
    with budget_taken():
        at = make_app(SCENARIOS, lang=lang)
    no_errors(at)
    said = " ".join(w.value for w in at.warning)
    assert words in said, said
    assert len(at.get("plotly_chart")) == 4  # projection, link, two tornados: no fan, no histogram
    assert any(b.key == "scn_mc_retry" for b in at.button)
    at.button(key="scn_mc_retry").click().run()  # room again: the retry simulates
    no_errors(at)
    assert len(at.get("plotly_chart")) == 6


def test_the_overview_report_beyond_the_budget_says_busy(no_waiting: Path) -> None:
    with budget_taken():
        at = make_app("app_pages/overview.py")
    no_errors(at)
    assert any("Try again in about" in w.value for w in at.warning)


def test_an_upload_is_parsed_within_the_budget(no_waiting: Path) -> None:
    csv = ("a,b,y\n" + "".join(f"{i},{2 * i},{'xz'[i % 2]}\n" for i in range(60))).encode()
    with budget_taken():
        at = make_app("app_pages/train.py")
        at.selectbox(key="dataset").set_value("csv").run()
        at.file_uploader(key="csv_file").set_value(("data.csv", csv, "text/csv")).run()
    no_errors(at)
    assert any("Try again in about" in w.value for w in at.warning)
    assert upload_bytes(len(csv)) == 6 * len(csv)


# ---------------------------------------------------------------------- sessions per replica


def test_the_gate_admits_up_to_the_cap_and_frees_places() -> None:
    gate = SessionGate(cap=2)
    connected = {"a", "b", "c"}
    assert [gate.admit(s, connected=connected) for s in "abc"] == [True, True, False]
    assert gate.admit("a", connected=connected)  # admitted sessions stay admitted
    assert gate.admit("c", connected={"b", "c"})  # "a" left: "c" takes its place
    assert not gate.admit("d", connected={"b", "c", "d"})
    assert SessionGate(cap=0).admit("anyone", connected=set())  # 0: no cap


def test_a_full_replica_shows_the_capacity_page_and_nothing_else(
    app_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOATLAB_MAX_SESSIONS", "2")
    gate = capacity._gate(2)
    for other in ("first", "second"):
        assert gate.admit(other, connected={"first", "second"})
    monkeypatch.setattr(capacity, "connected_sessions", lambda: {"first", "second", capacity.session_id()})
    at = make_app(SCENARIOS)
    no_errors(at)
    assert [h.value for h in at.title] == ["Moatlab is full right now"]
    assert any("at capacity: 2 people" in i.value for i in at.info)
    assert not at.metric and not at.get("plotly_chart")  # no page ran
    monkeypatch.setattr(capacity, "connected_sessions", lambda: {"second", capacity.session_id()})
    at.button(key="capacity_retry").click().run()  # "first" closed its tab
    no_errors(at)
    assert at.metric  # admitted: the page runs


def test_page_scripts_beyond_the_slots_wait_their_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    """With one slot, a second page script starts only when the first has finished."""
    monkeypatch.setenv("MOATLAB_SCRIPT_SLOTS", "1")
    events: list[str] = []
    inside = threading.Event()

    def second() -> None:
        with capacity.script_slot():
            events.append("second runs")

    with capacity.script_slot():
        events.append("first runs")
        thread = threading.Thread(target=second)
        thread.start()
        inside.wait(0.2)  # give the second script every chance to start too early
        events.append("first ends")
    thread.join(10)
    assert events == ["first runs", "first ends", "second runs"]
    for bad in ("-1", "four"):
        with pytest.raises(ValueError, match="MOATLAB_SCRIPT_SLOTS"):
            capacity.script_slots({"MOATLAB_SCRIPT_SLOTS": bad})
