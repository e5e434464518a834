"""The command lines in tests: ``main(argv)`` called in-process (fast: no interpreter start, no
imports again), and a few real processes where the process boundary itself is under test (the
``python -m`` entry points, exit codes, signals, modules a fresh interpreter must not load).

Both return a :class:`subprocess.CompletedProcess` (``returncode``, ``stdout``, ``stderr``), so a
test reads the same either way.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from tests.support import ROOT

PROG_ERROR = "python -m bizmodel: error: "


@contextlib.contextmanager
def environment(changes: Mapping[str, str | None]) -> Iterator[None]:
    """``os.environ`` with ``changes`` (None removes a variable), restored afterwards."""
    saved = {k: os.environ.get(k) for k in changes}
    try:
        for key, value in changes.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def call_main(
    main: Callable[[Sequence[str]], int | None], args: Sequence[str], env: Mapping[str, str | None]
) -> subprocess.CompletedProcess[str]:
    """``main(args)`` in this process with ``env``: its exit status (a ``SystemExit`` included, as
    the interpreter would turn it into one) and what it wrote to stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with environment(env), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status: Any = main(list(args))
        except SystemExit as exc:
            status = exc.code
    if status is None:
        code = 0
    elif isinstance(status, int):
        code = status
    else:  # sys.exit("message"): the interpreter prints it and exits 1
        err.write(f"{status}\n")
        code = 1
    return subprocess.CompletedProcess(["main", *args], code, out.getvalue(), err.getvalue())


def store_env(home: Path, env: Mapping[str, str] | None = None) -> dict[str, str | None]:
    """The environment of a command on the SQLite store under ``home`` (no ``DATABASE_URL``)."""
    return {"MOATLAB_HOME": str(home), "DATABASE_URL": None, **(env or {})}


def run_bizmodel(
    home: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m bizmodel ARGS`` on the store under ``home``, in-process (:func:`cli.economics.main`)."""
    from cli import economics

    return call_main(economics.main, args, store_env(home, env))


def bizmodel_process(
    home: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m bizmodel ARGS`` as a real process on the store under ``home``."""
    base = dict(os.environ, MOATLAB_HOME=str(home))
    base.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "bizmodel", *args],
        cwd=ROOT,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def ok_json(proc: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return json.loads(proc.stdout)  # stdout is exactly one JSON document


def one_line_error(proc: subprocess.CompletedProcess[str], status: int = 2) -> str:
    """The reason of a one-line error (exit ``status``, nothing on stdout, no traceback)."""
    assert proc.returncode == status, (proc.returncode, proc.stdout, proc.stderr)
    assert proc.stdout == ""
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(PROG_ERROR)
    return lines[0].removeprefix(PROG_ERROR)


def mlcore_env(home: Path) -> dict[str, str]:
    """The environment of a ``python -m mlcore`` process on the store under ``home``, offline."""
    env = dict(os.environ, MOATLAB_HOME=str(home), MOATLAB_OFFLINE="1", KERAS_HOME=str(home / "keras"))
    env.pop("DATABASE_URL", None)
    return env


def run_mlcore(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m mlcore ARGS`` on the store under ``home``, in-process (:func:`cli.training.main`)."""
    from cli import training

    env = {"MOATLAB_OFFLINE": "1", "KERAS_HOME": str(home / "keras")}
    return call_main(training.main, args, store_env(home, env))


def mlcore_process(home: Path, *args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """``python -m mlcore ARGS`` as a real process on the store under ``home``."""
    return subprocess.run(
        [sys.executable, "-m", "mlcore", *args],
        cwd=ROOT,
        env=mlcore_env(home),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
