"""User text is shown inert and written safe: the rules of :mod:`safetext` on any text, and the
CSV downloads.

Findings of the outside attack pass tested here (the pages, and D2, D4, D5, in
``test_user_text_pages.py``; the real browser in ``tests/e2e/test_hostile_names.py``):

* D1 a name in a badge became a live link (``st.badge`` escaped the app's ``\\[`` again);
* D3 bare ``https://`` and ``www.`` in an escaped name still autolinked;
* D15 class names with quotes showed ``&quot;`` (the plotly rule);
* D6 CSV downloads wrote ``=HYPERLINK(…)`` and ``@SUM(…)`` raw;
* (D16, names that hide text, is in ``test_names.py``.)
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bizmodel.catalog import read_catalog, to_csv_bytes
from present.tables import csv_bytes, runs_frame
from safetext import for_chart, for_markdown, for_plain, for_spreadsheet, from_spreadsheet, neutral
from tests.support.app import recorded
from tests.support.inert import (
    BIDI,
    RLO_NAME,
    WORD_JOINER,
    chart_problems,
    chart_text,
    hostile_catalog,
    markdown_problems,
    markdown_text,
)

#: Pieces that make a renderer do something, to build texts from.
PIECES = (
    "[", "]", "(", ")", "![", "](", "https://", "HTTP://", "www.", "WWW.", "@", ".", ":", ":streamlit:",
    ":smile:", ":red[", ":material/star:", "<", ">", "<a href=", "<img src=", "</", "&", "&amp;", "&#91;",
    "&quot;", '"', "'", "`", "*", "_", "~", "$", "%{x}", "%", "#", "-", "->", "--", "<=", "+", "=", "!",
    "|", "\\", "\\[", "{", "}", "    ", " ", "\n", "\t", "\r", "\u2028", "\x00", "\x1b", "\x85", "\u202e",
    "\u2066", "\u200f", "\u061c", "\u2060", "\u200d", "evil.example", "a", "x1", "中文", "👩‍💻",
)  # fmt: skip
texts = st.lists(st.sampled_from(PIECES) | st.text(max_size=4), max_size=14).map("".join)


def st_badge(label: str) -> str:
    """The label ``st.badge`` puts inside its directive (Streamlit 1.67 escapes brackets itself)."""
    return label.replace("[", "\\[").replace("]", "\\]")


# ---------------------------------------------------------------------- the rules, on any text


@given(texts)
def test_markdown_shows_any_text_once_and_links_nothing(text: str) -> None:
    """D3: no autolink, link, image or HTML; what shows is the text itself (escaped once)."""
    source = for_markdown(text)
    assert markdown_problems(source, strict=True) == []
    assert markdown_problems(f"Saved **{source}**.") == []
    assert markdown_text(source) == neutral(text).replace(WORD_JOINER, "")


@given(texts)
def test_badges_stay_text_after_st_badge_escapes_them(text: str) -> None:
    """D1: ``st.badge`` escapes ``[`` to ``\\[``; a backslash of ours in front must not cancel it."""
    label = st_badge(f"assumed · {for_markdown(text)}")
    assert markdown_problems(label, strict=True) == []
    assert markdown_text(label) == f"assumed · {neutral(text)}".replace(WORD_JOINER, "")


@given(texts)
def test_charts_show_any_text_once_and_link_nothing(text: str) -> None:
    """D15 and D4/D5 at the rule: plotly decodes what :func:`for_chart` writes exactly once."""
    shown = for_chart(text)
    assert chart_problems(shown) == [] and "<" not in shown and "%" not in shown
    assert chart_text(shown) == neutral(text)


@given(texts)
def test_no_renderer_gets_a_bidi_control(text: str) -> None:
    for shown in (for_plain(text), markdown_text(for_markdown(text)), chart_text(for_chart(text))):
        assert not BIDI & set(shown)


def test_a_right_to_left_override_is_shown_as_its_escape() -> None:
    assert for_plain(RLO_NAME) == "\\u202eFDP.exe"
    assert markdown_text(for_markdown(RLO_NAME)) == "\\u202eFDP.exe"


@given(st.text(alphabet=st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")), max_size=30))
def test_plain_text_is_left_as_it_is(text: str) -> None:
    if not BIDI & set(text):
        assert for_plain(text) == text


# ---------------------------------------------------------------------- CSV downloads


FORMULAS = ['=HYPERLINK("https://evil.example","x")', "@SUM(A1:A9)", "+1+2", "-2+3", "\tx", "\rx"]


@given(st.text(max_size=20))
def test_a_cell_never_starts_a_formula_and_reads_back(text: str) -> None:
    """D6 at the rule: text starting with = + - @ TAB or CR gets a leading quote, numbers do not."""
    cell = for_spreadsheet(text)
    assert isinstance(cell, str)
    starts_formula = cell[:1] in "=+-@\t\r" if cell else False
    if starts_formula:
        float(cell)  # only a plain number may start with + or -
    assert from_spreadsheet(cell) == text


@pytest.mark.parametrize("number", [-12.5, -1, 0, 3.25e-7, -1e300])
def test_numbers_stay_numbers(number: float) -> None:
    assert for_spreadsheet(number) == number
    frame = pd.DataFrame({"v": [number], "t": [str(number)]})
    back = pd.read_csv(io.BytesIO(csv_bytes(frame, index=False)))
    assert back["v"].iloc[0] == number and back["t"].iloc[0] == float(str(number))


def test_the_runs_download_quotes_formula_names() -> None:
    """D6: the Runs table's CSV wrote ``=HYPERLINK(…)`` raw; the page writes ``csv_bytes(runs_frame)``."""
    _, run = recorded()
    records = [run.replace(id=f"run-{i}", name=name) for i, name in enumerate(FORMULAS)]
    frame = runs_frame(records, lambda key, **_: key)
    back = pd.read_csv(io.BytesIO(csv_bytes(frame)), dtype=str, keep_default_na=False)
    assert back["col.name"].tolist() == ["'" + n for n in FORMULAS]
    accuracy = pd.read_csv(io.BytesIO(csv_bytes(frame)))["m.test_accuracy"]
    assert accuracy.dtype == float  # numbers stay numbers


def test_the_catalog_download_quotes_formula_names_and_reads_back() -> None:
    """D6: the catalog CSV wrote ``=HYPERLINK(…)`` and ``@SUM(…)`` raw; uploaded back it keeps its
    names and its version."""
    catalog = hostile_catalog()
    instances, accelerators = to_csv_bytes(catalog, for_download=True)
    cells = pd.read_csv(io.BytesIO(instances), dtype=str, keep_default_na=False)
    for column in ("provider", "instance_type"):
        assert all(v[:1] not in "=+-@" for v in cells[column]), column
    assert all(v[:1] not in "=+-@" for v in cells["accelerator"] if v)
    again = read_catalog(instances, accelerators, name=catalog.name)
    assert again.version == catalog.version
    assert again.instances["provider"].tolist() == catalog.instances["provider"].tolist()


def test_the_app_offers_no_raw_table_export() -> None:
    """D6: ``st.dataframe``'s own CSV download (and copy) writes cells raw in the browser."""
    import tomllib

    config = tomllib.loads((Path(__file__).resolve().parents[2] / ".streamlit" / "config.toml").read_text())
    assert config["client"]["disableDataExport"] is True
