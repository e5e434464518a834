"""The environment, declared once: every variable the code reads is declared, documented in the
deployment guide, parsed with its default, and refused with a message naming it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import settings
from settings import SETTINGS, SettingError, read
from tests.support import PROJECT_CODE as CODE

ROOT = Path(__file__).resolve().parents[2]
VARIABLE = re.compile(r"\"((?:MOATLAB|RAY)_[A-Z_]+|DATABASE_URL|KERAS_HOME)\"")
NOT_SETTINGS = {
    "MOATLAB_TEST_DATABASE_URL",  # the test suite's own
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER",  # set for Ray itself, never read
}


def _code_variables() -> set[str]:
    found: set[str] = set()
    for name in CODE:
        path = ROOT / name
        for file in [path] if path.is_file() else sorted(path.rglob("*.py")):
            found |= set(VARIABLE.findall(file.read_text(encoding="utf-8")))
    return found - NOT_SETTINGS


def test_every_variable_the_code_names_is_declared() -> None:
    declared = {s.name for s in SETTINGS}
    assert len(_code_variables()) >= 15
    assert _code_variables() <= declared


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_in_the_deployment_guide(setting: settings.Setting) -> None:
    guide = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")
    assert f"`{setting.name}`" in guide


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_unset_and_blank_mean_the_default(setting: settings.Setting) -> None:
    assert read(setting.name, {}) == setting.default
    assert read(setting.name, {setting.name: "   "}) == setting.default


@pytest.mark.parametrize(
    ("name", "text", "value"),
    [
        ("MOATLAB_MAX_SESSIONS", " 12 ", 12),
        ("MOATLAB_SCRIPT_SLOTS", "0", 0),
        ("MOATLAB_RAY_JOBS", "3", 3),
        ("MOATLAB_WORK_MEMORY_MB", "1024.5", 1024.5),
        ("MOATLAB_BUSY_WAIT_SECONDS", "0", 0.0),
        ("MOATLAB_EXECUTOR", "LOCAL", "local"),
        ("MOATLAB_OFFLINE", "1", True),
        ("MOATLAB_OFFLINE", "0", False),
        ("MOATLAB_START_WORKER", "0", False),
        ("MOATLAB_HOME", "/srv/moatlab", Path("/srv/moatlab")),
        ("MOATLAB_CPU_TDP_W", "65", 65.0),
    ],
)
def test_values_are_parsed(name: str, text: str, value: object) -> None:
    assert read(name, {name: text}) == value


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("MOATLAB_MAX_SESSIONS", "-1"),
        ("MOATLAB_MAX_SESSIONS", "4.5"),
        ("MOATLAB_RAY_CPUS", "0"),
        ("MOATLAB_WORK_MEMORY_MB", "0"),
        ("MOATLAB_WORK_MEMORY_MB", "nan"),
        ("MOATLAB_SESSION_WORK_MEMORY_MB", "inf"),
        ("MOATLAB_BUSY_WAIT_SECONDS", "-2"),
        ("MOATLAB_EXECUTOR", "spark"),
        ("MOATLAB_CPU_TDP_W", "-10"),
    ],
)
def test_bad_values_are_refused_naming_the_variable_and_the_value(name: str, text: str) -> None:
    with pytest.raises(SettingError, match=re.escape(f"{name}={text!r}")):
        read(name, {name: text})


def test_an_undeclared_name_is_a_programming_error() -> None:
    with pytest.raises(KeyError):
        read("MOATLAB_NO_SUCH_SETTING", {})
