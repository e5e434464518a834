"""AppTest of the Train page as the journey promises it: what the job does before its first batch,
the measured figures beside the live curves (samples/s, MFU, the epoch on a rented machine), the
run's cost on that machine at the end and the links to the next steps. A replaying worker stands in
for the real one (recorded reports, no TensorFlow)."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from streamlit.testing.v1 import AppTest

from bizmodel.catalog import load_bundled
from bizmodel.run_cost import instance_for_device, rent_usd
from mlcore.flops import utilisation
from mlcore.jobs import JobManager
from present import format as fmt
from present.i18n import translate
from present.live_figures import settled
from tests.support.app import ReplayWorker, make_app

EPOCHS = 3  # the recorded run's epochs


def start(lang: str = "en") -> AppTest:
    """Start the article MLP on digits; then switch the sidebar to ``lang`` (AppTest can set the
    form's choices only in English, the language its format functions run in outside the app)."""
    at = make_app("app_pages/train.py")
    at.selectbox(key="dataset").set_value("digits").run()
    at.number_input(key="epochs_article-mlp").set_value(EPOCHS)
    at.button(key="start").click().run()
    if lang != "en":
        at.selectbox(key="language").set_value(lang).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def progress_texts(at: AppTest) -> list[str]:
    return [p.proto.text for p in at.get("progress")]


def metrics(at: AppTest) -> dict[str, tuple[str, str]]:
    return {m.label: (m.value, m.help or "") for m in at.metric}


def priced_instance(replay: ReplayWorker):  # the catalog row the page prices this machine on
    catalog = load_bundled()
    return instance_for_device(
        catalog.instances,
        list(catalog.accelerator_keys),
        device=replay.final.device,
        device_kind=replay.final.device_kind,
    )


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_says_what_the_job_does_before_its_first_batch(replay: ReplayWorker, lang: str) -> None:
    at = start(lang)
    replay.claim()
    at.run()
    assert progress_texts(at) == [translate("live.starting", lang)]
    for stage in ("loading_data", "measuring_peak", "building_model", "first_batch"):
        replay.stage(stage, elapsed_seconds=1.5)
        at.run()
        wanted = translate(f"live.stage.{stage}", lang, elapsed=fmt.fmt_duration(1.5))
        assert progress_texts(at) == [wanted]
    replay.advance(1)
    at.run()
    assert progress_texts(at)[0].startswith(translate("live.progress", lang).split("{")[0])
    assert not at.exception


def test_a_job_waiting_for_the_engine_to_load_says_so(
    replay: ReplayWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(JobManager, "worker_starting", property(lambda self: True))
    at = start()
    assert progress_texts(at) == [translate("live.engine_starting")]
    assert not any("position" in i.value for i in at.info)  # not "waiting in the queue"


def test_live_mfu_and_epoch_cost_tick_beside_samples_per_second(replay: ReplayWorker) -> None:
    at = start()
    replay.claim()
    instance = priced_instance(replay)
    run = replay.final
    seen_settled = seen_estimating = False
    while replay.advance(1):
        at.run()
        assert not at.exception
        report = replay.reports[replay.step - 1]
        shown = metrics(at)
        mfu, mfu_help = shown["FLOP utilisation (MFU)"]
        cost, cost_help = shown["This epoch on a rented machine"]
        if not settled(report):
            seen_estimating = True
            assert mfu == cost == shown["Samples/s"][0] == "estimating…"
            continue
        seen_settled = True
        used = utilisation(run.flops_per_sample, report.samples_per_second, run.peak_flops_per_second)
        assert mfu == fmt.fmt_pct(used.mfu, decimals=2)
        assert cost == fmt.fmt_usd(rent_usd(report.projected_epoch_seconds, instance))
        assert fmt.fmt_flops(run.peak_flops_per_second, per_second=True) in mfu_help
        assert "final MFU" in mfu_help
        assert str(instance["instance_type"]).replace("-", "\\-") in cost_help
        assert "closest to this machine" in cost_help
    assert seen_estimating and seen_settled


def test_the_summary_prices_the_run_as_the_live_figure_did_and_links_the_next_steps(
    replay: ReplayWorker,
) -> None:
    at = start()
    replay.claim()
    while replay.advance(2):
        at.run()
    last_live = metrics(at)["This epoch on a rented machine"][0]
    final = replay.finish()
    at.run()
    at.run()
    assert not at.exception
    instance = priced_instance(replay)
    shown = metrics(at)
    assert shown["Last epoch on a rented machine"][0] == last_live  # the numbers agree
    assert last_live == fmt.fmt_usd(rent_usd(final.history[-1].seconds, instance))
    assert shown["This run on a rented machine"][0] == fmt.fmt_usd(rent_usd(final.wall_seconds, instance))
    assert shown["FLOP utilisation (MFU)"][0] == fmt.fmt_pct(final.mfu, decimals=2)
    links = {link.proto.page: link.proto for link in at.get("page_link")}
    wanted = {"evaluate": "Next: evaluate this model", "compute": "Price it at scale on Compute cost"}
    for page, label in wanted.items():
        assert links[page].label == label
        assert parse_qs(links[page].query_string)["run"] == [final.id]


def test_the_next_steps_keep_the_language_and_open_from_a_run_link(replay: ReplayWorker) -> None:
    at = start("zh")
    replay.claim()
    while replay.advance(5):
        pass
    final = replay.finish()
    at.run()
    assert not at.exception
    again = make_app("app_pages/train.py", run=final.id, lang="zh")  # e.g. "Open" on Runs
    assert not again.exception
    links = {link.proto.page: link.proto for link in again.get("page_link")}
    assert links["evaluate"].label == translate("train.next_evaluate", "zh")
    assert links["compute"].label == translate("train.next_price", "zh")
    params = parse_qs(links["compute"].query_string)
    assert params["run"] == [final.id] and params["lang"] == ["zh"]
    labels = {m.label for m in again.metric}
    assert {translate("m.run_rent", "zh"), translate("m.last_epoch_rent", "zh")} <= labels
