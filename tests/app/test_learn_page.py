"""AppTest: the Learn page renders with and without runs, and its widgets drive the lessons."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

from mlcore.flops import flops_per_sample
from mlcore.specs import preset_spec
from present import format as fmt
from store import Store
from tests.support.app import make_app, seed_runs

PAGE = "app_pages/learn.py"


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown]
    for kind in (at.info, at.success, at.warning, at.error, at.caption, at.title, at.subheader):
        parts += [e.value for e in kind]
    parts += [m.label for m in at.metric] + [m.value for m in at.metric]
    parts += [tab.label for tab in at.tabs]
    return "\n".join(str(p) for p in parts)


def _no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    texts = _texts(at)
    assert "Traceback" not in texts
    assert "[learn." not in texts, "an untranslated catalog key is shown"


def _behaviour(at: AppTest) -> str:
    messages = [e.value for kind in (at.success, at.warning, at.error) for e in kind]
    found = [m for m in messages if m.startswith(("**Converges", "**Oscillates", "**Diverges"))]
    assert len(found) == 1, messages
    return found[0]


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_renders_without_runs_and_shows_the_article_network(app_env: Path) -> None:
    at = make_app(PAGE)
    _no_errors(at)
    assert at.title[0].value == "Learn: how a network learns"
    assert any("No finished run yet" in i.value for i in at.info)
    forward = flops_per_sample(preset_spec("article-mlp"), (28, 28), 10)
    metrics = _metrics(at)
    assert metrics["Forward / sample"] == fmt.fmt_flops(forward)
    assert metrics["Training / sample (3×)"] == fmt.fmt_flops(3 * forward)
    assert metrics["Training / epoch"] == fmt.fmt_flops(3 * forward * 3500)
    assert at.dataframe, "the layer table is shown"
    assert len(at.get("plotly_chart")) == 4


def test_renders_with_runs_on_the_runs_network(app_env: Path) -> None:
    runs = seed_runs(Store(), 3)
    at = make_app(PAGE)
    _no_errors(at)
    assert not any("No finished run yet" in i.value for i in at.info)
    newest = max(runs, key=lambda r: r.created_at)
    assert at.selectbox(key="learn_run").value == newest.id
    forward = flops_per_sample(newest.request.spec, newest.input_shape, len(newest.class_names))
    assert _metrics(at)["Forward / sample"] == fmt.fmt_flops(forward)
    assert _metrics(at)["Training / epoch"] == fmt.fmt_flops(3 * forward * newest.n_train)
    frame = at.dataframe[0].value
    assert list(frame["Layer"]) == ["flatten", "dense1", "dense2", "output"]
    assert frame["Output shape"].iloc[0] == "64"  # the 8×8 digits flattened


def test_learning_rate_changes_the_behaviour_message(app_env: Path) -> None:
    at = make_app(PAGE)
    assert _behaviour(at).startswith("**Converges")
    at.select_slider(key="learn_lr_bowl").set_value(0.15).run()
    _no_errors(at)
    assert _behaviour(at).startswith("**Oscillates")
    at.select_slider(key="learn_lr_bowl").set_value(0.3).run()
    _no_errors(at)
    message = _behaviour(at)
    assert message.startswith("**Diverges") and "0.2" in message  # names 2/λmax
    steps = _metrics(at)["Steps taken"]
    assert int(steps) < 40  # stopped at the bound
    chart = json.loads(at.get("plotly_chart")[2].proto.spec)
    assert chart["layout"]["yaxis"]["type"] == "log"


def test_boundary_rate_is_explained(app_env: Path) -> None:
    at = make_app(PAGE)
    at.select_slider(key="learn_lr_bowl").set_value(0.2).run()
    _no_errors(at)
    assert _behaviour(at).startswith("**Oscillates")
    assert any("bounces between two values forever" in c.value for c in at.caption)


def test_valley_surface_reads_the_behaviour_off_the_path(app_env: Path) -> None:
    at = make_app(PAGE)
    at.radio(key="learn_surface").set_value("valley").run()
    _no_errors(at)
    assert _behaviour(at).startswith("**Converges")
    assert any("only a local guide" in c.value for c in at.caption)
    at.select_slider(key="learn_lr_valley").set_value(0.0295).run()
    _no_errors(at)
    assert _behaviour(at).startswith("**Diverges")


def test_loss_widgets_update_the_values(app_env: Path) -> None:
    at = make_app(PAGE)
    assert _metrics(at)["Cross-entropy at p (nats)"] == "2.303"  # −ln 0.1 for y = 1
    at.radio(key="learn_target").set_value(0).run()
    _no_errors(at)
    assert _metrics(at)["Cross-entropy at p (nats)"] == "0.105"  # −ln 0.9 for y = 0
    at.select_slider(key="learn_p").set_value(0.5).run()
    assert _metrics(at)["MSE at p"] == "0.250"
