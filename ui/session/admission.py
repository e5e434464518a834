"""Admission control: heavy work in the web process runs within a memory budget, or waits, or is
told to come back.

Every session's script runs in a thread of one Python process, so twenty people asking for the
heaviest Monte Carlo at the same moment used to need twenty times its memory at once (7.8 GB
measured for 50,000 paths × 120 months each). Heavy work — a Monte Carlo, a report (which holds
one), parsing an uploaded CSV — now asks a :class:`WorkBudget` first, with its estimated peak
memory in bytes (:func:`bizmodel.montecarlo.working_bytes`, :func:`upload_bytes`):

* **Per process**: the work running at once holds at most ``process_bytes``
  (``MOATLAB_WORK_MEMORY_MB``, default 768 MB).
* **Per session**: one session holds at most ``session_bytes`` at once
  (``MOATLAB_SESSION_WORK_MEMORY_MB``, default 320 MB: the heaviest simulation a page may ask
  for fits), so one person with several downloads running cannot take the whole budget.
* Work that does not fit yet **waits in line** (first come, first served; a request held back only
  by its own session's share does not hold up others) for up to ``wait_seconds``
  (``MOATLAB_BUSY_WAIT_SECONDS``, default 20). Still no room: :class:`Busy`, with an estimate of
  when to try again from how long recent work took. Work larger than a budget can ever hold:
  :class:`TooLarge`.

Pure (threads only, no Streamlit); :mod:`ui.session.capacity` holds the process's budget and words the
refusals. Nothing here measures memory: the estimates are the contract, checked against
tracemalloc in their own docstrings.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import settings

MB = 1024 * 1024
#: Parsing and validating an uploaded CSV peaks at about 5× its size (measured: 252 MB for a
#: 49 MB file); budgeted at 6×.
UPLOAD_PARSE_FACTOR = 6


def upload_bytes(size_bytes: int) -> int:
    """The memory (bytes) validating an upload of ``size_bytes`` bytes is budgeted at.

    >>> upload_bytes(10 * MB) // MB
    60
    """
    return UPLOAD_PARSE_FACTOR * max(0, int(size_bytes))


class Busy(Exception):
    """The budget has no room now; ``retry_after_seconds`` estimates when it will (whole seconds)."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"busy: try again in about {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds


class TooLarge(Exception):
    """The work needs more than a budget can ever hold: ``cost_bytes`` against ``limit_bytes``."""

    def __init__(self, cost_bytes: int, limit_bytes: int) -> None:
        super().__init__(f"needs {cost_bytes / MB:,.0f} MB, more than the {limit_bytes / MB:,.0f} MB allowed")
        self.cost_bytes = cost_bytes
        self.limit_bytes = limit_bytes


@dataclass(frozen=True)
class Limits:
    """The budget's settings: bytes per process and per session, and seconds work may wait."""

    process_bytes: int = 768 * MB
    session_bytes: int = 320 * MB
    wait_seconds: float = 20.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Limits:
        """``MOATLAB_WORK_MEMORY_MB``, ``MOATLAB_SESSION_WORK_MEMORY_MB``, ``MOATLAB_BUSY_WAIT_SECONDS``
        (unset: the defaults). ValueError naming a setting that is not a positive number.

        >>> Limits.from_env({"MOATLAB_WORK_MEMORY_MB": "2048"}).process_bytes // MB
        2048
        """
        process = settings.read("MOATLAB_WORK_MEMORY_MB", environ)
        session = settings.read("MOATLAB_SESSION_WORK_MEMORY_MB", environ)
        seconds = settings.read("MOATLAB_BUSY_WAIT_SECONDS", environ)
        return cls(int(process * MB), int(min(session, process) * MB), seconds)


@dataclass
class _Ticket:
    cost: int
    session: str
    since: float = field(default_factory=time.monotonic)


class WorkBudget:
    """A memory budget shared by every thread of the process (see the module docstring).

    Use :meth:`admit` around the work; it holds ``cost_bytes`` until the block ends.
    """

    #: How long work is assumed to take before any has finished (seconds).
    DEFAULT_SECONDS = 5.0

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._cond = threading.Condition()
        self._queue: list[_Ticket] = []
        self._running: list[_Ticket] = []
        self._by_session: dict[str, int] = {}
        self._in_use = 0
        self._seconds = self.DEFAULT_SECONDS  # moving average of how long admitted work takes

    # ------------------------------------------------------------------ state
    @property
    def in_use(self) -> int:
        """Bytes held by running work now."""
        with self._cond:
            return self._in_use

    @property
    def waiting(self) -> int:
        """Requests waiting in line now."""
        with self._cond:
            return len(self._queue)

    def _session_allows(self, ticket: _Ticket) -> bool:
        return self._by_session.get(ticket.session, 0) + ticket.cost <= self.limits.session_bytes

    def _may_start(self, ticket: _Ticket) -> bool:
        if not self._session_allows(ticket) or self._in_use + ticket.cost > self.limits.process_bytes:
            return False
        for earlier in self._queue:  # first come, first served
            if earlier is ticket:
                return True
            if self._session_allows(earlier):
                return False  # someone ahead could start with the room that frees first
        return True

    def _retry_after(self, ticket: _Ticket) -> int:
        ahead = sum(1 for t in self._queue if t is not ticket and t.since <= ticket.since)
        rounds = 1 + ahead / max(1, len(self._running))
        return int(min(300, max(5, math.ceil(self._seconds * rounds))))

    # ------------------------------------------------------------------ admission
    @contextmanager
    def admit(self, cost_bytes: int, *, session: str, wait_seconds: float | None = None) -> Iterator[None]:
        """Hold ``cost_bytes`` of the budget for the block, waiting in line up to ``wait_seconds``
        (default: the limits') for room. Raises :class:`TooLarge` at once for work above the
        session's or the process's whole budget, :class:`Busy` when the wait ends without room."""
        cost = max(1, int(cost_bytes))
        limit = min(self.limits.session_bytes, self.limits.process_bytes)
        if cost > limit:
            raise TooLarge(cost, limit)
        wait = self.limits.wait_seconds if wait_seconds is None else max(0.0, wait_seconds)
        ticket = _Ticket(cost, session)
        deadline = time.monotonic() + wait
        with self._cond:
            self._queue.append(ticket)
            try:
                while not self._may_start(ticket):
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise Busy(self._retry_after(ticket))
                    self._cond.wait(remaining)
            finally:
                self._queue.remove(ticket)
                self._cond.notify_all()  # leaving the line may let the next one start
            self._running.append(ticket)
            self._in_use += cost
            self._by_session[session] = self._by_session.get(session, 0) + cost
        started = time.monotonic()
        try:
            yield
        finally:
            took = time.monotonic() - started
            with self._cond:
                self._running.remove(ticket)
                self._in_use -= cost
                left = self._by_session[session] - cost
                if left:
                    self._by_session[session] = left
                else:
                    del self._by_session[session]
                self._seconds = 0.7 * self._seconds + 0.3 * took
                self._cond.notify_all()


# ---------------------------------------------------------------------- sessions per replica


class SessionGate:
    """At most ``cap`` sessions of this process are admitted at once; the others see a friendly
    "full" page until a place frees (a tab closes) and they try again.

    A session, once admitted, stays admitted while it is connected (a person is never thrown out
    mid-work); the count is of admitted sessions that are still connected, so a session that only
    saw the "full" page takes no place. ``cap`` 0 means no cap. Pure: the caller gives the ids of
    the connected sessions (:mod:`ui.session.capacity` asks Streamlit's session manager).

    >>> gate = SessionGate(cap=2)
    >>> [gate.admit(s, connected={"a", "b", "c"}) for s in "abc"]
    [True, True, False]
    >>> gate.admit("c", connected={"b", "c"})  # "a" closed its tab: "c" gets its place
    True
    """

    def __init__(self, cap: int) -> None:
        self.cap = max(0, int(cap))
        self._lock = threading.Lock()
        self._admitted: set[str] = set()

    def admit(self, session: str, *, connected: set[str] | frozenset[str]) -> bool:
        """Whether ``session`` may use the app now (and admit it when there is a place)."""
        if self.cap == 0:
            return True
        with self._lock:
            self._admitted &= set(connected) | {session}
            if session in self._admitted:
                return True
            if len(self._admitted) < self.cap:
                self._admitted.add(session)
                return True
            return False

    @property
    def admitted(self) -> int:
        """Sessions admitted now (as of the last check)."""
        with self._lock:
            return len(self._admitted)


#: The sessions one replica admits unless ``MOATLAB_MAX_SESSIONS`` says otherwise.
DEFAULT_MAX_SESSIONS = 40


def max_sessions(environ: Mapping[str, str] | None = None) -> int:
    """``MOATLAB_MAX_SESSIONS`` (a whole number, 0 = no cap), else :data:`DEFAULT_MAX_SESSIONS`.

    >>> max_sessions({}), max_sessions({"MOATLAB_MAX_SESSIONS": "0"})
    (40, 0)
    """
    return int(settings.read("MOATLAB_MAX_SESSIONS", environ))
