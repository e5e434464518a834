"""Every environment variable Moatlab reads, declared once: name, kind, default and meaning.

A module asks for a setting by name (:func:`read`) and gets it parsed and checked, or a
:class:`SettingError` (a ``ValueError``) that names the variable, the value and what to set; the
deployment guide's table of variables is checked against :data:`SETTINGS` by a test. Values are
read when asked for, not at import, so a test or a replica may change the environment, and a bad
value of a setting nobody uses (a Ray count without Ray) never stops the app.

Conventions: an unset or blank variable means the default (``None`` where the default is "not
set"); counts are whole numbers; sizes carry their unit in the name (``_MB``, ``_SECONDS``, ``_W``).
Pure standard library: every package may import it.

>>> read("MOATLAB_MAX_SESSIONS", {})
40
>>> read("MOATLAB_MAX_SESSIONS", {"MOATLAB_MAX_SESSIONS": "0"})
0
>>> read("MOATLAB_EXECUTOR", {"MOATLAB_EXECUTOR": " Ray "})
'ray'
>>> read("MOATLAB_SCRIPT_SLOTS", {"MOATLAB_SCRIPT_SLOTS": "many"})
Traceback (most recent call last):
    ...
settings.SettingError: MOATLAB_SCRIPT_SLOTS='many' must be a whole number (0 = no limit)
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["SETTINGS", "Setting", "SettingError", "read"]


class SettingError(ValueError):
    """An environment variable holds a value its setting cannot use; the message says what to set."""


def _whole(*, minimum: int, rule: str) -> Callable[[str], int]:
    def parse(text: str) -> int:
        if not text.isdigit() or int(text) < minimum:
            raise ValueError(rule)
        return int(text)

    return parse


def _number(*, minimum: float, strict: bool, rule: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise ValueError(rule) from None
        if not math.isfinite(value) or value < minimum or (strict and value == minimum):
            raise ValueError(rule)
        return value

    return parse


def _choice(*choices: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        value = text.lower()
        if value not in choices:
            raise ValueError(f"is not one of: {', '.join(choices)}")
        return value

    return parse


def _flag(text: str) -> bool:
    return text not in ("0", "")


def _path(text: str) -> Path:
    return Path(text).expanduser()


def _text(text: str) -> str:
    return text


@dataclass(frozen=True)
class Setting:
    """One environment variable: its parser (raises ValueError with the rule), its default (the
    parsed value used when unset or blank) and one line on what it does."""

    name: str
    parse: Callable[[str], Any]
    default: Any
    meaning: str


_COUNT_ONE = "must be a whole number ≥ 1 (or unset)"

SETTINGS: tuple[Setting, ...] = (
    Setting("MOATLAB_HOME", _path, None, "the SQLite file, uploads, saved catalogs, logs (~/.moatlab)"),
    Setting("MOATLAB_ARTIFACT_DIR", _path, None, "model and evaluation files ($MOATLAB_HOME/models)"),
    Setting("DATABASE_URL", _text, None, "any SQLAlchemy URL (SQLite under MOATLAB_HOME when unset)"),
    Setting("MOATLAB_EXECUTOR", _choice("local", "ray"), "local", "what serves the job queue"),
    Setting("MOATLAB_START_WORKER", _flag, True, "0: this replica starts no worker process"),
    Setting("MOATLAB_RAY_ADDRESS", _text, None, "the Ray cluster to join (else RAY_ADDRESS)"),
    Setting("RAY_ADDRESS", _text, None, "the Ray cluster to join"),
    Setting("MOATLAB_RAY_CPUS", _whole(minimum=1, rule=_COUNT_ONE), None, "CPUs of a local Ray instance"),
    Setting("MOATLAB_RAY_JOBS", _whole(minimum=1, rule=_COUNT_ONE), None, "long jobs at once on Ray"),
    Setting(
        "MOATLAB_CPU_DEVICES", _whole(minimum=1, rule=_COUNT_ONE), 1, "logical CPU devices of the worker"
    ),
    Setting(
        "MOATLAB_CPU_TDP_W",
        _number(minimum=0.0, strict=True, rule="must be a positive number of watts"),
        None,
        "processor TDP for the energy estimate when RAPL is not readable",
    ),
    Setting("MOATLAB_OFFLINE", _flag, False, "1: never try to download datasets"),
    Setting("KERAS_HOME", _path, None, "where keras.datasets keeps downloads (~/.keras)"),
    Setting(
        "MOATLAB_MAX_SESSIONS",
        _whole(minimum=0, rule="must be a whole number (0 = no cap)"),
        40,
        "sessions one replica serves at once",
    ),
    Setting(
        "MOATLAB_SCRIPT_SLOTS",
        _whole(minimum=0, rule="must be a whole number (0 = no limit)"),
        4,
        "page scripts one replica runs at once",
    ),
    Setting(
        "MOATLAB_WORK_MEMORY_MB",
        _number(minimum=0.0, strict=True, rule="must be a positive number of megabytes"),
        768.0,
        "memory heavy work of one replica may hold at once",
    ),
    Setting(
        "MOATLAB_SESSION_WORK_MEMORY_MB",
        _number(minimum=0.0, strict=True, rule="must be a positive number of megabytes"),
        320.0,
        "of which one session may hold at once",
    ),
    Setting(
        "MOATLAB_BUSY_WAIT_SECONDS",
        _number(minimum=0.0, strict=False, rule="must be 0 or more seconds"),
        20.0,
        "how long heavy work waits in line for room",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def read(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """The value of setting ``name`` in ``environ`` (default: the process environment).

    Raises
    ------
    SettingError
        The variable is set to a value the setting cannot use (the message names both).
    KeyError
        ``name`` is not a declared setting (a programming error).
    """
    setting = _BY_NAME[name]
    env = os.environ if environ is None else environ
    text = env.get(name, "").strip()
    if not text:
        return setting.default
    try:
        return setting.parse(text)
    except ValueError as exc:
        raise SettingError(f"{name}={text!r} {exc}") from None
