"""D16: run, scenario and share-link names that hide text are refused, as CSV columns and catalog
keys already were: a right-to-left override (``"\\u202eFDP.exe"`` shows as "exe.PDF"), another
bidi control, a zero-width character, a tab or a line break. The store, the Train command line, a
run's rename and share links (made and opened) all say which character to remove; the pages do so
in English and Chinese (``test_user_text_pages.py``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bizmodel.scenario import base_template
from mlcore.runs import rename_run
from mlcore.specs import SpecError
from present.sharelink import SharedView, ShareLinkError, decode, encode
from store import Store
from tests.support.app import seed_runs
from tests.support.cli import run_mlcore
from tests.support.inert import RLO_NAME, share_link


@pytest.mark.parametrize("name", [RLO_NAME, "a\u2066b", "tab\there", "zero\u200bwidth", "line\nbreak"])
def test_store_refuses_a_scenario_name_with_a_hidden_character(home: Path, name: str) -> None:
    store = Store()
    with pytest.raises(ValueError, match="control or invisible character"):
        store.save_scenario(name, json.dumps(base_template().to_dict()))
    sid = store.save_scenario("fine", json.dumps(base_template().to_dict()))
    with pytest.raises(ValueError, match="remove it"):
        store.rename_scenario(sid, name)
    assert store.get_scenario(sid)["name"] == "fine"


def test_a_run_rename_with_a_right_to_left_override_is_refused(home: Path) -> None:
    store = Store()
    run = seed_runs(store, 1)[0]
    with pytest.raises(SpecError, match="control or invisible character"):
        rename_run(store, run.id, RLO_NAME)
    assert store.get_run(run.id)["name"] == run.name


def test_the_command_line_refuses_such_a_run_name_before_any_work(tmp_path: Path) -> None:
    result = run_mlcore(tmp_path, "train", "--dataset", "digits", "--epochs", "1", "--name", RLO_NAME)
    assert result.returncode == 2, result.stderr
    assert "control or invisible character" in result.stderr and "\\u202e" in result.stderr


def test_share_links_refuse_such_a_name_both_ways() -> None:
    with pytest.raises(ShareLinkError, match="right-to-left override"):
        encode(SharedView(base_template(), name=RLO_NAME))
    with pytest.raises(ShareLinkError, match="control characters or invisible ones"):
        decode(share_link(base_template().to_dict(), name=RLO_NAME))
