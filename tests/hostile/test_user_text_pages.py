"""AppTest: hostile names from every entry point render as text on every page.

Names come from runs (one renamed hostile, one trained on a CSV with hostile headers and labels,
one whose name holds a right-to-left override from before such names were refused), a saved
scenario, a share link, a saved catalog, a Train CSV upload and an API price-list upload
(:func:`tests.hostile.inert.seed_hostile`). Every element is judged by :func:`page_problems`:
Markdown that would link, show an image or autolink, charts with a link tag or an undecoded
entity, bidi controls anywhere. Findings D1–D5, D15 and D16 of the outside attack pass each have a
test here (the rules themselves are tested in ``test_user_text.py``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from mlcore.tasks import Prediction
from present.evaluation import ConfusionLabels, PRLabels, confusion_figure, pr_curves, pr_figure
from present.figures import compare_curves
from present.i18n import translate
from store import Store
from tests.support.app import PAGES, make_app, no_errors, seed_runs
from tests.support.inert import (
    HOSTILE,
    RLO_NAME,
    Hostile,
    chart_problems,
    chart_text,
    markdown_problems,
    markdown_text,
    page_problems,
    seed_hostile,
)
from ui.components.try_it import prediction_figure

SCENARIOS = "app_pages/scenarios.py"


@pytest.fixture
def hostile(app_env: Path) -> Hostile:
    return seed_hostile(Store(), app_env)


def _sidebar_text(at) -> str:
    return " ".join(markdown_text(m.value) for m in at.sidebar.markdown)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("which", ["run_id", "csv_run_id", "legacy_run_id"])
def test_every_page_shows_hostile_names_as_text(hostile: Hostile, page: str, which: str) -> None:
    """D1, D3, D4, D15 and more: every element of every page, with a hostile run, scenario and
    catalog in the link."""
    run = getattr(hostile, which)
    at = make_app(
        page,
        run=run,
        catalog=hostile.catalog,
        scenario=hostile.scenario_id,
        compare=f"{hostile.scenario_id},{hostile.other_scenario_id}",
        value_from=hostile.scenario_id,
    )
    no_errors(at)
    assert page_problems(at) == []
    active = {"run_id": HOSTILE, "csv_run_id": "=csv " + HOSTILE, "legacy_run_id": "\\u202eFDP.exe"}[which]
    assert active in _sidebar_text(at)  # the name is on the page, as text


def test_a_share_link_name_in_badges_stays_text(hostile: Hostile) -> None:
    """D1: a scenario name from a share link became live links inside the "assumed" badges (the
    app escaped ``[`` to ``\\[``, ``st.badge`` escaped again to ``\\\\[`` and the backslashes
    cancelled): 18 links to an outside site on the Overview."""
    at = make_app(share=hostile.share)
    no_errors(at)
    badges = [m.value for m in at.markdown if m.value.startswith(":orange-badge[")]
    assert badges and all(f"Shared {HOSTILE}" in markdown_text(b) for b in badges)
    assert [p for b in badges for p in markdown_problems(b)] == []
    assert page_problems(at) == []


def test_scenario_messages_show_the_name_as_text(app_env: Path) -> None:
    """D2: the Save / Rename / Delete messages and the delete caption showed a scenario name as
    full Markdown, an image fetched from outside included."""
    at = make_app(SCENARIOS, scenario="bull")
    name_key = next(w.key for w in at.text_input if w.key.startswith("scn_name_"))
    at.text_input(key=name_key).set_value(f"Plan {HOSTILE}")
    at.button(key="scn_save").click().run()
    no_errors(at)
    messages = [m.value for m in at.success]
    name_key = next(w.key for w in at.text_input if w.key.startswith("scn_name_"))
    at.text_input(key=name_key).set_value(f"Renamed {HOSTILE}")
    at.button(key="scn_rename").click().run()
    messages += [m.value for m in at.success]
    caption = [c.value for c in at.caption if "Renamed" in markdown_text(c.value)]
    at.button(key="scn_delete").click().run()
    no_errors(at)
    messages += [m.value for m in at.success]
    assert len(messages) == 3 and len(caption) == 1
    for text in (*messages, *caption):
        assert markdown_problems(text) == [], text
    assert f"Plan {HOSTILE}" in markdown_text(messages[0])
    assert all(f"Renamed {HOSTILE}" in markdown_text(t) for t in (messages[1], messages[2], caption[0]))


def test_bare_addresses_in_names_do_not_autolink(app_env: Path) -> None:
    """D3: bare ``https://…``, ``www.`` and ``user@host`` inside escaped names still autolinked
    (sidebar, catalog line, Build vs buy)."""
    store = Store()
    run = seed_runs(store, 1)[0]
    name = "see https://evil.example/x, WWW.evil.example and boss@evil.example"
    store.rename_run(run.id, name)
    for page in ("app_pages/overview.py", "app_pages/build_buy.py"):
        at = make_app(page, run=run.id)
        no_errors(at)
        sidebar = [m.value for m in at.sidebar.markdown]
        assert any(name in markdown_text(s) for s in sidebar)
        assert [p for s in sidebar for p in markdown_problems(s)] == []
        assert page_problems(at) == []


def test_catalog_names_stay_text_on_the_compute_page(hostile: Hostile) -> None:
    """D4: names from an uploaded catalog were unescaped in "Closest match", the serving lines and
    the Pareto legend (a live ``<a href>`` in plotly), shared with anyone opening ``?catalog=``."""
    at = make_app("app_pages/compute.py", run=hostile.run_id, catalog=hostile.catalog)
    no_errors(at)
    assert page_problems(at) == []
    captions = [markdown_text(c.value) for c in at.caption]
    assert any("@SUM(1) " + HOSTILE in c for c in captions)  # the closest match, as text
    names = [t.get("name", "") for c in at.get("plotly_chart") for t in json.loads(c.proto.spec)["data"]]
    assert any(chart_text(n).startswith("@SUM(1) " + HOSTILE) for n in names)  # the Pareto legend
    best = next(m for m in at.metric if m.label == "Best option")
    assert "=HYPERLINK" in markdown_text(best.value) and not markdown_problems(best.value)


def test_csv_uploads_show_headers_and_labels_as_text(app_env: Path) -> None:
    """A Train CSV upload with hostile column names and label values, and an API price-list upload
    with hostile provider and model names."""
    from tests.support.inert import hostile_price_list, hostile_train_csv

    at = make_app("app_pages/train.py")
    at.selectbox(key="dataset").set_value("csv").run()
    at.file_uploader(key="csv_file").set_value(("evil.csv", hostile_train_csv(), "text/csv")).run()
    no_errors(at)
    assert any("+1 " + HOSTILE in markdown_text(c.value) for c in at.caption)
    assert page_problems(at) == []
    at = make_app("app_pages/build_buy.py")
    at.file_uploader(key="bb_prices_upload").set_value(("evil.csv", hostile_price_list(), "text/csv")).run()
    no_errors(at)
    assert page_problems(at) == []
    assert any("=" + HOSTILE in markdown_text(m.value) for m in at.markdown)  # the break-even sentence


def test_try_it_chart_shows_csv_labels_as_text() -> None:
    """D5: a label value such as ``<a href=…>`` was a live link in Try it's top-3 chart."""
    names = ['<a href="https://evil.example">win</a>', HOSTILE, '"q" 5%']
    fig = prediction_figure(Prediction((0, 1, 2), (0.5, 0.3, 0.2)), names, title="Top 3")
    shown = list(fig.data[0].y)
    assert [p for y in shown for p in chart_problems(y)] == []
    assert [chart_text(y) for y in shown] == names[::-1]


def test_class_names_with_quotes_show_once() -> None:
    """D15: class names with quotes showed ``&quot;`` (escaped twice) in the confusion matrix and
    the precision-recall legend."""
    names = ('say "hi"', "it's", "<b>x</b>")
    labels = ConfusionLabels("t", "true", "pred", "%", "{true} → {predicted}: {count}")
    fig = confusion_figure([[3, 1, 0], [0, 2, 1], [1, 0, 4]], names, labels)
    assert [chart_text(x) for x in fig.data[0].x] == list(names)
    assert [p for x in fig.data[0].x for p in chart_problems(x)] == []
    curves = pr_curves(np.array([0, 1, 2, 0]), np.eye(3)[[0, 1, 2, 1]], names)
    legend = pr_figure(curves, PRLabels("t", "r", "p", "{name} (AP {ap})")).data[0].name
    assert chart_text(legend).startswith('say "hi" (AP') and not chart_problems(legend)


def test_run_names_with_quotes_show_once_in_the_compare_legend(app_env: Path) -> None:
    """D15 for run names: the compare legend escaped quotes to ``&quot;``."""
    run = seed_runs(Store(), 1)[0].replace(id="x-abcdef", name='"Q4" <a href=x>')
    fig = compare_curves(
        [run], metric="loss", title="t", epoch_label="e", y_label="y", train_label="tr", val_label="va"
    )
    assert chart_text(fig.data[0].name).startswith('"Q4" <a href=x> (abcdef)')
    assert not chart_problems(fig.data[0].name)


@pytest.mark.parametrize(("lang", "words"), [("en", "invisible character"), ("zh", "不可见字符")])
def test_the_refusal_of_a_hidden_character_is_translated(lang: str, words: str) -> None:
    text = translate("name.hidden_character", lang, name="'\\u202eFDP.exe'", char="'\\u202e'")
    assert words in text and "\\u202eFDP.exe" in text


def test_names_with_a_right_to_left_override_are_refused_in_words(app_env: Path) -> None:
    """D16: ``\\u202eFDP.exe`` (shown as "exe.PDF") was accepted as a run, scenario or share-link
    name although CSV columns and catalogs refuse it; the pages now say which character to remove.
    (In English: AppTest formats a select box's options outside the page's language.)"""
    words = "invisible character"
    at = make_app("app_pages/train.py")
    at.text_input(key="run_name").set_value(RLO_NAME)
    at.button(key="start").click().run()
    no_errors(at)
    refusal = [e.value for e in at.error]
    assert len(refusal) == 1 and words in refusal[0] and "\\u202e" in markdown_text(refusal[0])
    assert "job" not in at.query_params and Store().list_runs() == []

    run = seed_runs(Store(), 1)[0]
    at = make_app("app_pages/runs.py")
    at.session_state["runs_table"] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    at.text_input(key=f"rename_{run.id}").set_value(RLO_NAME)
    at.button(key="rename_run").click().run()
    assert any(words in e.value for e in at.error)
    assert Store().get_run(run.id)["name"] == run.name

    at = make_app(SCENARIOS, scenario="bull")
    name_key = next(w.key for w in at.text_input if w.key.startswith("scn_name_"))
    at.text_input(key=name_key).set_value(RLO_NAME)
    at.button(key="scn_save").click().run()
    assert any(words in e.value for e in at.error)
    assert Store().list_scenarios() == []
