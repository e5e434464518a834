"""Start the real app and a real headless Chromium (shared by the browser tests and bench/startup.py).

The server runs as ``python -m streamlit run app.py`` in its own process group, so stopping it
also ends the training worker it spawns. Chromium is Debian's package (never ``playwright
install``), started through playwright's Python API with a throw-away profile.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
#: Debian's Chromium; ``MOATLAB_CHROMIUM`` points elsewhere (or, set to a missing path, simulates none).
CHROMIUM = os.environ.get("MOATLAB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 900}


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def chromium_missing() -> str | None:
    """Why a browser test cannot run here, or None when Chromium and playwright are present."""
    if not Path(CHROMIUM).is_file():
        return f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install playwright)"
    return None


@dataclass
class AppServer:
    """``streamlit run app.py`` on a free port with its own ``MOATLAB_HOME``; ``root`` is the
    source tree it runs from (this checkout unless a benchmark compares another one)."""

    home: Path
    port: int = field(default_factory=free_port)
    extra_env: dict[str, str] = field(default_factory=dict)
    extra_args: list[str] = field(default_factory=list)
    script: str = "app.py"
    root: Path = ROOT
    proc: subprocess.Popen | None = None
    started_at: float = 0.0
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = dict(os.environ)
        env.update(
            MOATLAB_HOME=str(self.home),
            MOATLAB_OFFLINE="1",
            PYTHONUNBUFFERED="1",
            TF_CPP_MIN_LOG_LEVEL="2",
        )
        env.pop("DATABASE_URL", None)
        env.update(self.extra_env)
        self.home.mkdir(parents=True, exist_ok=True)
        self.log_path = self.home / "server.log"
        log = self.log_path.open("wb")
        cmd = [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            self.script,
            "--server.headless",
            "true",
            "--server.address",
            "127.0.0.1",
            "--server.port",
            str(self.port),
            "--browser.gatherUsageStats",
            "false",
            *self.extra_args,
        ]
        self.started_at = time.perf_counter()
        self.proc = subprocess.Popen(
            cmd, cwd=self.root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        log.close()

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1) as resp:
                return resp.status == 200 and resp.read().strip() == b"ok"
        except (OSError, urllib.error.URLError):
            return False

    def wait_healthy(self, timeout: float = 60.0) -> float:
        """Seconds from process start until ``/_stcore/health`` answered ``ok``."""
        assert self.proc is not None
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"streamlit exited with {self.proc.returncode}:\n{self.log()}")
            if self.healthy():
                return time.perf_counter() - self.started_at
            time.sleep(0.02)
        raise TimeoutError(f"streamlit not healthy after {timeout:.0f} s:\n{self.log()}")

    def log(self) -> str:
        if self.log_path and self.log_path.exists():
            return self.log_path.read_text(errors="replace")[-20000:]
        return ""

    def stop(self) -> None:
        """End the server and every process of its group (the training worker too)."""
        if self.proc is None:
            return
        pgid = self.proc.pid  # start_new_session: the group id is the server's pid
        for sig, wait in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, sig)
            try:
                self.proc.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue
            # the server is gone; make sure no child of its group outlives it
            if not _group_alive(pgid):
                break
            deadline = time.monotonic() + wait
            while _group_alive(pgid) and time.monotonic() < deadline:
                time.sleep(0.1)
            if not _group_alive(pgid):
                break
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        self.proc = None


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Browser:
    """A headless Debian Chromium through playwright with a throw-away profile."""

    def __init__(self, viewport: dict[str, int] | None = None) -> None:
        from playwright.sync_api import sync_playwright

        self._pw_cm = sync_playwright()
        self.pw = self._pw_cm.__enter__()
        self.profile = tempfile.mkdtemp(prefix="moatlab-chromium-")
        self.context: Any = self.pw.chromium.launch_persistent_context(
            self.profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport=viewport or VIEWPORT,
        )

    def new_page(self) -> Any:
        return self.context.new_page()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.context.close()
        with contextlib.suppress(Exception):
            self._pw_cm.__exit__(None, None, None)
        shutil.rmtree(self.profile, ignore_errors=True)


#: Tests serve with the file watcher off: other people edit the sources while tests run, and
#: watching the repository (with its .venv) overflows inotify on this machine.
TEST_SERVER_ARGS = ["--server.fileWatcherType", "none"]


def start_server(home: Path) -> AppServer:
    """A started, healthy app server (stopped by the caller)."""
    server = AppServer(home, extra_args=TEST_SERVER_ARGS)
    server.start()
    try:
        server.wait_healthy(timeout=60)
    except BaseException:
        server.stop()
        raise
    return server


RUN_NAME = "article-mlp on digits"


def body_text(page: Any) -> str:
    return page.locator("body").inner_text()


def assert_clean(page: Any) -> None:
    """No traceback, no exception box, no untranslated catalog key on the page."""
    text = body_text(page)
    assert "Traceback" not in text, f"traceback on {page.url}:\n{text[:3000]}"
    exceptions = page.locator("[data-testid='stException']").count()
    assert exceptions == 0, f"exception on {page.url}:\n{text[:3000]}"
    missing = UNTRANSLATED.findall(text)
    assert not missing, f"untranslated keys on {page.url}: {missing}"


def wait_idle(page: Any, timeout: float = 30_000) -> None:
    """Wait until the script run is over: no skeletons, no 'running' status, nothing stale."""
    page.wait_for_function(
        """() => !document.querySelector("[data-testid='stSkeleton']")
              && !document.querySelector("[data-testid='stStatusWidget']")
              && !document.querySelector("[data-stale='true']")""",
        timeout=timeout,
    )


def open_app(page: Any, server: AppServer, path: str = "/") -> None:
    page.goto(server.url + path, wait_until="domcontentloaded")


def start_training(page: Any, *, epochs: int) -> str:
    """On the Train form: choose the digits, set the epochs, press Start. Returns the job id."""
    combo = page.locator(".st-key-dataset").get_by_role("combobox")
    combo.wait_for()
    if combo.input_value() != DIGITS:
        combo.click()
        page.get_by_role("option", name=DIGITS).click()
    page.get_by_text("input 8×8").wait_for()  # the dataset caption follows the choice
    epochs_input = page.locator(".st-key-epochs_article-mlp input")
    epochs_input.fill(str(epochs))
    epochs_input.press("Tab")  # commit the value without pressing Enter (Enter submits the form)
    assert epochs_input.input_value() == str(epochs)
    page.locator(".st-key-start button").click()
    page.wait_for_url(re.compile(r"[?&]job=[0-9a-zA-Z]+"), timeout=30_000)
    match = re.search(r"[?&]job=([0-9a-zA-Z]+)", page.url)
    assert match
    return match.group(1)


def metric_value(page: Any, label: str) -> str:
    box = page.locator("[data-testid='stMetric']").filter(
        has=page.locator("[data-testid='stMetricLabel']", has_text=label)
    )
    return box.first.locator("[data-testid='stMetricValue']").inner_text().strip()


def grid_cells(page: Any, key: str) -> list[str]:
    """Texts of a st.dataframe's cells (the canvas grid keeps an accessible table inside)."""
    cells = page.locator(f".st-key-{key} [role='gridcell']")
    cells.first.wait_for(state="attached")
    return [c.strip() for c in cells.all_text_contents()]


DIGITS = "Digits 8×8 (bundled)"


#: A catalog key shown instead of its text ("[runs.count]"): present.i18n.translate's visible gap.
UNTRANSLATED = re.compile(r"\[[a-z][a-z0-9_-]*(?:\.[a-z0-9_-]+)+\]")
