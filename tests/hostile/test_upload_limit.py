"""Issue 20: one upload limit, stated the same everywhere.

The uploader said 50.0 MB (Streamlit counts 1 MB as 1,048,576 bytes), the validator "52 MB"
(the same bytes divided by 1,000,000) and the README 50 MB. Now one number,
:data:`mlcore.csv_data.UPLOAD_LIMIT_MB`, in Streamlit's megabytes: ``server.maxUploadSize``, the
uploader widget, the validator's and the command line's refusals, the help text and the README
all say it. The catalog uploader states its own limit the same way.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from bizmodel.catalog import MAX_UPLOAD_BYTES, CatalogError, read_catalog
from mlcore import csv_data
from mlcore.csv_data import MAX_CSV_BYTES, UPLOAD_LIMIT_MB
from mlcore.errors import DatasetError
from mlcore.runs import save_upload
from tests.support.app import make_app

ROOT = Path(__file__).resolve().parents[2]
LIMIT = f"{UPLOAD_LIMIT_MB} MB"
TOO_BIG = b"a,b,y\n" + b"1,2,x\n" * (MAX_CSV_BYTES // 6 + 1)


def test_the_server_and_the_validator_use_the_same_bytes() -> None:
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == UPLOAD_LIMIT_MB
    assert MAX_CSV_BYTES == UPLOAD_LIMIT_MB * 1024 * 1024  # Streamlit's megabyte


def test_every_refusal_of_a_large_file_states_the_same_limit(tmp_path: Path) -> None:
    assert len(TOO_BIG) > MAX_CSV_BYTES
    for refuse in (
        lambda: csv_data.validate_csv(TOO_BIG, label_column="y"),
        lambda: save_upload(tmp_path, TOO_BIG, "big.csv"),
    ):
        with pytest.raises(DatasetError) as caught:
            refuse()
        assert f"the limit is {LIMIT}" in str(caught.value) and "52" not in str(caught.value)


def test_the_command_line_states_the_same_limit(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cli.training import main

    path = home / "big.csv"
    path.write_bytes(TOO_BIG)
    with pytest.raises(SystemExit) as caught:
        main(["train", "--csv", str(path), "--label", "y"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert f"the limit is {LIMIT}" in err and "52" not in err.replace(str(path), "FILE")


def test_the_readme_and_the_help_text_state_it() -> None:
    assert f"at most {LIMIT}" in (ROOT / "README.md").read_text(encoding="utf-8")
    for lang in ("en", "zh"):
        text = json.loads((ROOT / "present" / "locales" / f"{lang}.json").read_text(encoding="utf-8"))[
            "help.csv"
        ]
        assert "{limit} MB" in text


def test_the_uploaders_state_their_limits(app_env: Path) -> None:
    at = make_app("app_pages/train.py")
    at.selectbox(key="dataset").set_value("csv").run()
    uploader = at.file_uploader(key="csv_file")
    assert uploader.proto.max_upload_size_mb == UPLOAD_LIMIT_MB
    assert f"at most {LIMIT}" in uploader.proto.help
    compute = make_app("app_pages/compute.py")
    for key in ("catalog_upload_instances", "catalog_upload_accelerators"):
        assert compute.file_uploader(key=key).proto.max_upload_size_mb == MAX_UPLOAD_BYTES // (1024 * 1024)
    with pytest.raises(CatalogError, match=f"over the {MAX_UPLOAD_BYTES // (1024 * 1024)} MB limit"):
        read_catalog(b"x" * (MAX_UPLOAD_BYTES + 1), None, name="big")
