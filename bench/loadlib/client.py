"""The load test's protocol client: one Streamlit session over one websocket, as a browser tab.

A page visit sends a ``rerun_script`` BackMsg (query string, page, widget states) and reads
ForwardMsgs until ``script_finished``; its latency is the wall time between the two (seconds).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import websockets  # a dependency of streamlit
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

TRACEBACK = b"Traceback (most recent call last)"


@dataclass
class Visit:
    """One page run as a session saw it: latency (seconds) and what the page rendered."""

    page: str
    seconds: float
    status: str  # "ok", "compile-error", "timeout", "closed"
    query: str  # the URL's query string after the run (page_info_changed), as a browser keeps it
    tags: set[int] = field(default_factory=set)  # session numbers whose tag appeared
    errors: list[str] = field(default_factory=list)
    widgets: dict[str, tuple[str, Any]] = field(default_factory=dict)  # id -> (element type, proto)
    metrics: list[tuple[str, str]] = field(default_factory=list)  # (label, value)
    texts: list[str] = field(default_factory=list)  # markdown, headings, captions, alerts

    def widget(self, key: str) -> tuple[str, Any] | None:
        """The widget whose user key is ``key`` (its id ends in ``-<key>``), or None."""
        for wid, found in self.widgets.items():
            if wid.endswith(f"-{key}"):
                return found
        return None


def _text_of(kind: str, proto: Any) -> str | None:
    """The text an element shows as prose (markdown, headings, alerts, a text box's value)."""
    if kind in ("markdown", "heading", "text", "alert"):
        return str(proto.body)
    if kind == "text_input":
        return str(proto.value if proto.HasField("value") else proto.default)
    return None


class Client:
    """A browser tab reduced to its websocket: one Streamlit session on one app replica."""

    def __init__(self, base_url: str, *, tag_pattern: re.Pattern[bytes], visit_timeout: float) -> None:
        parsed = urllib.parse.urlparse(base_url)
        self.ws_url = f"ws://{parsed.netloc}{parsed.path.rstrip('/')}/_stcore/stream"
        self.tag_pattern = tag_pattern
        self.visit_timeout = visit_timeout
        self.page_hashes: dict[str, str] = {}  # url path -> page script hash (from navigation)
        self.ws: Any = None

    async def open(self) -> None:
        self.ws = await websockets.connect(
            self.ws_url, subprotocols=["streamlit"], max_size=None, ping_interval=None, open_timeout=30
        )

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):
                await self.ws.close()
            self.ws = None

    async def visit(
        self, page: str, *, query: str = "", widgets: Sequence[WidgetState] = (), label: str | None = None
    ) -> Visit:
        """Run ``page`` (a url path) with ``query`` and ``widgets``; wait for the run to finish."""
        msg = BackMsg()
        msg.rerun_script.query_string = query
        if page in self.page_hashes:  # like a click in the sidebar
            msg.rerun_script.page_script_hash = self.page_hashes[page]
        else:  # like typing the page's URL
            msg.rerun_script.page_name = page
        msg.rerun_script.widget_states.widgets.extend(widgets)
        visit = Visit(page=label or page or "overview", seconds=0.0, status="ok", query=query)
        start = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        try:
            await asyncio.wait_for(self._read_until_finished(visit), self.visit_timeout)
        except TimeoutError:
            visit.status = "timeout"
            visit.errors.append(f"no script_finished within {self.visit_timeout:.0f} s")
        except websockets.ConnectionClosed as exc:
            visit.status = "closed"
            visit.errors.append(f"connection closed: {exc}")
        visit.seconds = time.perf_counter() - start
        return visit

    async def _read_until_finished(self, visit: Visit) -> None:
        while True:
            raw = await self.ws.recv()
            data = raw if isinstance(raw, bytes) else raw.encode()
            if TRACEBACK in data:
                visit.errors.append("a traceback in the page")
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
                self._element(visit, fwd.delta.new_element)
            elif kind == "page_info_changed":
                visit.query = fwd.page_info_changed.query_string
            elif kind == "navigation":
                self.page_hashes = {p.url_pathname: p.page_script_hash for p in fwd.navigation.app_pages}
            elif kind == "script_finished":
                status = fwd.script_finished
                if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # st.rerun(): the next run follows on the same request
                if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                    visit.status = "compile-error"
                    visit.errors.append("the page script did not compile")
                return

    def _element(self, visit: Visit, element: Any) -> None:
        kind = element.WhichOneof("type")
        if kind is None:
            return
        proto = getattr(element, kind)
        if kind == "exception":
            visit.errors.append(f"exception: {proto.type}: {proto.message}"[:300])
        elif kind == "alert" and proto.format == Alert.ERROR:
            visit.errors.append(f"error alert: {proto.body}"[:300])
        if kind == "metric":
            visit.metrics.append((str(proto.label), str(proto.body)))
        text = _text_of(kind, proto)
        if text is not None:
            visit.texts.append(text)
            # What the page says is this session's: text, not the choices of a picker (which list
            # every saved scenario) nor tables or charts.
            for match in self.tag_pattern.finditer(text.encode()):
                visit.tags.add(int(match.group(1)))
        if "id" in proto.DESCRIPTOR.fields_by_name and proto.id:
            visit.widgets[str(proto.id)] = (kind, proto)


def trigger(widget_id: str) -> WidgetState:
    """A button press."""
    state = WidgetState(id=widget_id)
    state.trigger_value = True
    return state


def string_state(widget_id: str, value: str) -> WidgetState:
    state = WidgetState(id=widget_id)
    state.string_value = value
    return state


def number_state(widget_id: str, value: float) -> WidgetState:
    state = WidgetState(id=widget_id)
    state.double_value = float(value)
    return state


def query_value(query: str, name: str) -> str | None:
    values = urllib.parse.parse_qs(query).get(name)
    return values[0] if values else None
