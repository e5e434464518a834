"""This replica's capacity: the memory budget of heavy work and the number of sessions it serves.

:mod:`ui.session.admission` holds the rules (pure); this module holds the process's one
:class:`~ui.session.admission.WorkBudget` and :class:`~ui.session.admission.SessionGate`
(``st.cache_resource``:
shared by every session, only their methods are called) and words their answers:

* :func:`heavy` wraps heavy work (a Monte Carlo, a report, parsing an upload) in the budget, as
  this session; :func:`show_refusal` says "busy, try again in about N s" (or that the work is
  larger than a session may run) in the user's language, with a button to try again.
* :func:`session_gate` admits at most ``MOATLAB_MAX_SESSIONS`` sessions (default 40) per replica;
  the others see a short "this server is at capacity" page with a "Try again" button. Sessions
  are counted with the Streamlit runtime's session manager (``Runtime.instance()`` →
  its ``SessionManager.list_active_sessions()``, Streamlit 1.67: the connected browser tabs).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

import settings
from ui.session.admission import MB, Busy, Limits, SessionGate, TooLarge, WorkBudget, max_sessions
from ui.session.i18n import t

#: The session id of work started outside a script run (tests, the command line).
NO_SESSION = "no-session"


@st.cache_resource(show_spinner=False)
def _budget(process_bytes: int, session_bytes: int, wait_seconds: float) -> WorkBudget:
    return WorkBudget(Limits(process_bytes, session_bytes, wait_seconds))


def work_budget() -> WorkBudget:
    """The process's work budget (settings from the environment, see :mod:`ui.session.admission`)."""
    limits = Limits.from_env()
    return _budget(limits.process_bytes, limits.session_bytes, limits.wait_seconds)


@st.cache_resource(show_spinner=False)
def _gate(cap: int) -> SessionGate:
    return SessionGate(cap)


def session_id() -> str:
    """This script run's session id (:data:`NO_SESSION` outside one)."""
    ctx = get_script_run_ctx(suppress_warning=True)
    return ctx.session_id if ctx is not None else NO_SESSION


@contextmanager
def heavy(
    cost_bytes: int, *, session: str | None = None, wait_seconds: float | None = None
) -> Iterator[None]:
    """Run the block within the work budget as ``session`` (default: this script run's);
    raises :class:`~ui.session.admission.Busy` or :class:`~ui.session.admission.TooLarge` (see there)."""
    with work_budget().admit(cost_bytes, session=session or session_id(), wait_seconds=wait_seconds):
        yield


def show_refusal(exc: Busy | TooLarge, *, key: str) -> None:
    """Say why heavy work did not run, in the user's language, with a button to try again."""
    if isinstance(exc, Busy):
        st.warning(t("busy.work", seconds=exc.retry_after_seconds), icon=":material/hourglass_top:")
    else:
        st.warning(
            t("busy.too_large", need=f"{exc.cost_bytes / MB:,.0f}", limit=f"{exc.limit_bytes / MB:,.0f}"),
            icon=":material/memory:",
        )
    st.button(t("busy.retry"), key=key, icon=":material/refresh:")


def connected_sessions() -> set[str] | None:
    """The ids of this replica's connected sessions, or None when no Streamlit server runs
    (AppTest, scripts): then nobody is turned away."""
    try:
        from streamlit.runtime import Runtime

        if not Runtime.exists():
            return None
        manager = Runtime.instance()._session_mgr  # Streamlit 1.67 has no public accessor
        return {info.session.id for info in manager.list_active_sessions()}
    except (AttributeError, RuntimeError):
        return None


#: Page scripts of this replica that run at once unless ``MOATLAB_SCRIPT_SLOTS`` says otherwise.
DEFAULT_SCRIPT_SLOTS = 4


@st.cache_resource(show_spinner=False)
def _slots(count: int) -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(count)


@contextmanager
def script_slot() -> Iterator[None]:
    """Run a page's script in one of the replica's ``MOATLAB_SCRIPT_SLOTS`` slots (default 4; 0:
    no limit). Every session's script runs in a thread of this one Python process: forty of them
    at once share the interpreter in slices and each takes forty times as long, and so does the
    server's own event loop (which serves the page to a newcomer). Waiting for a slot holds no
    processor, so the scripts that run finish sooner and the server stays responsive."""
    count = script_slots()
    if count == 0:
        yield
        return
    slots = _slots(count)
    slots.acquire()
    try:
        yield
    finally:
        slots.release()


def script_slots(environ: Mapping[str, str] | None = None) -> int:
    """``MOATLAB_SCRIPT_SLOTS`` (a whole number, 0 = no limit), else :data:`DEFAULT_SCRIPT_SLOTS`."""
    return int(settings.read("MOATLAB_SCRIPT_SLOTS", environ))


def session_gate() -> bool:
    """Whether this session may use the app; when the replica is full, show the "at capacity"
    page (the caller renders nothing else) and return False."""
    cap = max_sessions()
    connected = connected_sessions()
    if cap == 0 or connected is None:
        return True
    if _gate(cap).admit(session_id(), connected=connected):
        return True
    st.title(t("capacity.title"))
    st.info(t("capacity.full", cap=cap), icon=":material/group:")
    st.caption(t("capacity.why"))
    st.button(t("capacity.retry"), key="capacity_retry", type="primary", icon=":material/refresh:")
    return False
