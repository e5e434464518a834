"""Security rules checked on the code itself: nothing unpickled or evaluated, model files loaded in
safe mode, no stored path leaves the model folder, the database password never printed, and the
server's upload limit and XSRF protection kept on."""

from __future__ import annotations

import ast
import dataclasses
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from mlcore import csv_data
from mlcore.runs import model_file
from mlcore.specs import RunRecord, TrainRequest
from store import Store
from store.db import StoreError, redact_url
from tests.support import PROJECT_CODE
from tests.support.services import require_service

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN_MODULES = {"pickle", "cPickle", "_pickle", "marshal", "shelve", "dill", "cloudpickle", "joblib"}
FORBIDDEN_CALLS = {"eval", "exec", "read_pickle", "to_pickle"}


def _dotted(node: ast.AST) -> str:
    """``a.b.c`` of an attribute chain (``""`` when it is not one)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else node.attr
    return ""


def _keyword(call: ast.Call, name: str) -> object:
    for keyword in call.keywords:
        if keyword.arg == name and isinstance(keyword.value, ast.Constant):
            return keyword.value.value
    return None


def unsafe_spots(source: str, filename: str = "<code>") -> list[str]:
    """Every unsafe deserialisation or evaluation in ``source``, as ``file:line: what``."""
    tree = ast.parse(source, filename)
    found: list[str] = []
    keras_names: set[str] = set()  # names imported from keras / tensorflow (e.g. load_model)
    for node in ast.walk(tree):
        where = f"{filename}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.Import):
            found += [
                f"{where}: import {a.name}" for a in node.names if a.name.split(".")[0] in FORBIDDEN_MODULES
            ]
        elif isinstance(node, ast.ImportFrom):
            module = (node.module or "").split(".")[0]
            if module in FORBIDDEN_MODULES:
                found.append(f"{where}: from {node.module} import …")
            if module in ("keras", "tensorflow"):
                keras_names.update(a.asname or a.name for a in node.names)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        where = f"{filename}:{node.lineno}"
        name = _dotted(node.func)
        last = name.rsplit(".", 1)[-1]
        if last in FORBIDDEN_CALLS and (name == last or last in ("read_pickle", "to_pickle")):
            found.append(f"{where}: {name}(")
        if name.endswith("yaml.load") or name in ("yaml.unsafe_load", "yaml.full_load"):
            loader = next((k.value for k in node.keywords if k.arg == "Loader"), None)
            if name != "yaml.load" or "SafeLoader" not in _dotted(loader or ast.Constant(None)):
                found.append(f"{where}: {name} without SafeLoader")
        if name in ("np.load", "numpy.load") and _keyword(node, "allow_pickle") is not False:
            found.append(f"{where}: {name} without allow_pickle=False")
        is_keras_load = last == "load_model" and (
            name.split(".")[0] in ("keras", "tf", "tensorflow") or name in keras_names
        )
        if is_keras_load and _keyword(node, "safe_mode") is not True:
            found.append(f"{where}: {name} without safe_mode=True")
        if name == "torch.load" and _keyword(node, "weights_only") is not True:
            found.append(f"{where}: torch.load without weights_only=True")
    return found


def _project_files() -> list[Path]:
    files: list[Path] = []
    for part in PROJECT_CODE:
        path = ROOT / part
        files += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return files


def test_the_project_code_is_scanned() -> None:
    files = _project_files()
    assert len(files) > 50
    assert {"mlcore", "bizmodel", "ui", "store"} <= {f.relative_to(ROOT).parts[0] for f in files}


def test_no_unsafe_deserialisation_or_evaluation_in_the_project() -> None:
    found = [
        spot
        for f in _project_files()
        for spot in unsafe_spots(f.read_text("utf-8"), str(f.relative_to(ROOT)))
    ]
    assert found == []


def test_model_files_are_loaded_in_safe_mode() -> None:
    """The one place that loads a ``.keras`` file passes ``safe_mode=True`` (the scan enforces it)."""
    source = (ROOT / "mlcore" / "engine" / "inference.py").read_text("utf-8")
    assert "load_model(path, safe_mode=True" in source


@pytest.mark.parametrize(
    ("source", "what"),
    [
        ("import pickle", "import pickle"),
        ("import dill as d", "import dill"),
        ("from shelve import open", "from shelve"),
        ("import marshal", "import marshal"),
        ("x = eval(text)", "eval("),
        ("exec(code)", "exec("),
        ("import pandas as pd\npd.read_pickle(p)", "read_pickle("),
        ("import yaml\nyaml.load(s)", "without SafeLoader"),
        ("import yaml\nyaml.load(s, Loader=yaml.Loader)", "without SafeLoader"),
        ("import yaml\nyaml.unsafe_load(s)", "without SafeLoader"),
        ("import numpy as np\nnp.load(p)", "allow_pickle=False"),
        ("import numpy as np\nnp.load(p, allow_pickle=True)", "allow_pickle=False"),
        ("import keras\nkeras.saving.load_model(p)", "safe_mode=True"),
        ("import keras\nkeras.models.load_model(p, safe_mode=False)", "safe_mode=True"),
        ("from keras.saving import load_model\nload_model(p)", "safe_mode=True"),
        ("import torch\ntorch.load(p)", "weights_only=True"),
    ],
)
def test_the_scan_finds_what_it_forbids(source: str, what: str) -> None:
    found = unsafe_spots(source)
    assert len(found) == 1 and what in found[0], found


@pytest.mark.parametrize(
    "source",
    [
        "import yaml\nyaml.load(s, Loader=yaml.SafeLoader)",
        "import numpy as np\nnp.load(p, allow_pickle=False)",
        "import keras\nkeras.saving.load_model(p, safe_mode=True, compile=False)",
        "engine.load_model(run)",  # the project's own method, not Keras
        "model.evaluate(x)",
        "ast.literal_eval(s)",
    ],
)
def test_the_scan_lets_safe_code_through(source: str) -> None:
    assert unsafe_spots(source) == []


# ---------------------------------------------------------------------- stored model paths


def _run(model_path: str | None) -> RunRecord:
    return dataclasses.replace(
        RunRecord("r1", "r1", "", "completed", TrainRequest(), input_shape=(3,)), model_path=model_path
    )


@pytest.mark.parametrize(
    "model_path",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "models/../../etc/passwd",
        "models/../moatlab.db",
        "models/sub/x.keras",
        "models/..\\..\\x.keras",
        "/tmp/models/x.keras",
        "models/x.keras.txt",
        "models/",
        "",
        None,
        "models/\x00.keras",
    ],
)
def test_a_tampered_model_path_never_resolves(
    home: Path, monkeypatch: pytest.MonkeyPatch, model_path: str | None
) -> None:
    monkeypatch.delenv("MOATLAB_ARTIFACT_DIR", raising=False)
    resolved = model_file(home, _run(model_path))
    folder = (home / "models").resolve()
    assert resolved is None or resolved.parent == folder, resolved
    if model_path and (".." in model_path or model_path.startswith("/") or "\x00" in model_path):
        assert resolved is None


def test_a_symlink_out_of_the_models_folder_never_resolves(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MOATLAB_ARTIFACT_DIR", raising=False)
    folder = home / "models"
    folder.mkdir()
    secret = tmp_path / "secret.keras"
    secret.write_bytes(b"not yours")
    (folder / "evil.keras").symlink_to(secret)
    (folder / "good.keras").write_bytes(b"model")
    assert model_file(home, _run("models/evil.keras")) is None
    assert model_file(home, _run("models/good.keras")) == (folder / "good.keras").resolve()


# ---------------------------------------------------------------------- the database password

PASSWORD = "Pw-never-print-9f3e"
UNREACHABLE = f"postgresql://moatlab:{PASSWORD}@127.0.0.1:1/moatlab"


@pytest.mark.parametrize(
    "url",
    [
        UNREACHABLE,
        f"postgresql+psycopg://moatlab:{PASSWORD}@db.example:5432/x?sslmode=require",
        f"postgresql://moatlab:{PASSWORD.replace('-', '%2D')}@h/x",
        f"mysql://u:{PASSWORD}@h/x",
        f"not a url {PASSWORD}",
    ],
)
def test_redact_url_hides_the_password(url: str) -> None:
    shown = redact_url(url)
    assert PASSWORD not in shown and PASSWORD.replace("-", "%2D") not in shown


def test_store_errors_never_show_the_password() -> None:
    with pytest.raises(StoreError) as caught:
        Store(UNREACHABLE)
    assert PASSWORD not in str(caught.value)
    assert "***" in str(caught.value) or "moatlab" in str(caught.value)


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [
        ["mlcore", "runs"],
        ["mlcore", "runs", "--json"],
        ["bizmodel", "serving", "--run", "abc", "--requests-per-month", "1e6", "--p95-ms", "50"],
    ],
    ids=["mlcore runs", "mlcore runs --json", "bizmodel serving"],
)
def test_the_command_line_never_prints_the_password(command: list[str], tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": UNREACHABLE, "MOATLAB_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", *command],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert PASSWORD not in output
    assert "Traceback" not in output
    assert "not usable" in output or "database" in output


@pytest.mark.postgres
def test_a_wrong_password_on_a_real_server_is_not_echoed() -> None:
    url = os.environ.get("MOATLAB_TEST_DATABASE_URL", "")
    require_service(bool(url), "PostgreSQL is not running (MOATLAB_TEST_DATABASE_URL is unset)")
    from sqlalchemy.engine import make_url

    wrong = make_url(url).set(password=PASSWORD).render_as_string(hide_password=False)
    with pytest.raises(StoreError) as caught:
        Store(wrong)
    assert PASSWORD not in str(caught.value)


# ---------------------------------------------------------------------- the server's settings


def test_the_server_keeps_its_upload_limit_and_xsrf_protection() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text("utf-8"))
    server = config["server"]
    assert server["enableXsrfProtection"] is True
    limit_mb = server["maxUploadSize"]
    assert isinstance(limit_mb, int) and 1 <= limit_mb <= 200
    # The CSV validator's own limit is not above what the server accepts.
    assert csv_data.MAX_CSV_BYTES <= limit_mb * 1024 * 1024
    assert config["client"]["showErrorDetails"] in ("none", False)
