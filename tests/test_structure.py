"""The house stays readable: no module of the product over 700 lines and no function over 80
(docstring included), so a newcomer can read any one of them in a sitting. Layering itself is
``lint-imports``' job (contracts in pyproject.toml)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support import PROJECT_CODE

ROOT = Path(__file__).resolve().parents[1]
MAX_MODULE_LINES = 700
MAX_FUNCTION_LINES = 80


def _product_files() -> list[Path]:
    files: list[Path] = []
    for name in (*PROJECT_CODE, "bench"):
        path = ROOT / name
        files += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return files


FILES = _product_files()


def test_the_scan_sees_the_product() -> None:
    assert len(FILES) > 150
    assert {"bizmodel", "mlcore", "present", "ui", "cli", "store"} <= {
        f.relative_to(ROOT).parts[0] for f in FILES
    }


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_and_functions_stay_short(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) < MAX_MODULE_LINES, "split the module into cohesive ones"
    long = [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(ast.parse(text))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 >= MAX_FUNCTION_LINES
    ]
    assert not long, f"break into named steps: {', '.join(long)}"
