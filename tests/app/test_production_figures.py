"""One definition, one number: this run's cost, one production retraining and $ per 1,000 predictions
read the same on the Overview, Scenarios, Compute cost and Build vs buy pages, in the HTML report and
in the workbook — in English and Chinese, in US dollars and in yuan.

A saved scenario bound to a profiled run is the active one; each page is rendered with AppTest and its
metrics are read by their (translated) labels; the report is built from the same scenario, run and
catalog and rendered in the same number style; the workbook's Summary sheet holds the raw USD values.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bizmodel.catalog import load_bundled
from bizmodel.reasons import Reason
from bizmodel.scenario import base_template
from mlcore.runs import get_run
from present import format as fmt
from present.i18n import translate
from present.production_text import FIGURES
from present.report import render_html
from present.report_data import ReportOptions, build_report
from present.workbook import workbook_bytes
from store import Store
from tests.support.app import make_app, no_errors, seed_runs
from tests.support.economics import PROFILE

RUN = "run-1"
STYLES = {
    ("en", "USD"): {"lang": "en"},
    ("zh", "USD"): {"lang": "zh"},
    ("en", "CNY"): {"lang": "en", "cur": "CNY", "fx": "7"},
    ("zh", "CNY"): {"lang": "zh", "cur": "CNY", "fx": "7"},
}


def _seed() -> str:
    store = Store()
    seed_runs(store, 2)
    store.patch_run_record(RUN, inference=PROFILE)
    return store.save_scenario("Plan", json.dumps(base_template().to_dict()), run_id=RUN)


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _style(lang: str, currency: str) -> fmt.NumberStyle:
    return fmt.NumberStyle(language=lang, currency=currency, usd_to_cny=7.0)


@pytest.mark.parametrize(("lang", "currency"), list(STYLES))
def test_every_place_shows_the_same_production_figures(app_env: Path, lang: str, currency: str) -> None:
    scenario_id = _seed()
    params = {**STYLES[(lang, currency)], "scenario": scenario_id, "run": RUN}
    labels = {key: translate(f"production.{key}", lang) for key in FIGURES}

    # The report and the workbook, from the same scenario, run and catalog.
    store = Store()
    run = get_run(store, RUN)
    report = build_report(
        base_template(), name="Plan", run=run, catalog=load_bundled(), options=ReportOptions(paths=200)
    )
    assert report.inputs is not None and report.inputs.retraining is not None
    usd = {
        "run_cost_usd": report.inputs.run_cost_usd,
        "retrain_cost_usd": report.effective.retrain_cost_usd,
        "serving_usd_per_1000_predictions": report.effective.serving_usd_per_1000_predictions,
    }
    assert usd["retrain_cost_usd"] == report.inputs.retrain_cost_usd
    assert usd["serving_usd_per_1000_predictions"] == report.inputs.serving_usd_per_1000_predictions
    style = _style(lang, currency)
    with fmt.number_style(style):
        expected = {key: fmt.fmt_usd(value) for key, value in usd.items()}
    html = render_html(report, style)
    for key in FIGURES:
        card = re.search(
            rf'data-kpi="{key}"><div class="label">[^<]*</div><div class="kpi-value">([^<]*)<', html
        )
        assert card is not None and card.group(1) == expected[key].replace("<", "&lt;"), (key, expected[key])
    book = load_workbook(io.BytesIO(workbook_bytes(report, style)))
    sheet = book.worksheets[0]
    rows = {row[0].value: row[1].value for row in sheet.iter_rows() if row[0].value in labels.values()}
    factor = 7.0 if currency == "CNY" else 1.0
    for key, label in labels.items():
        assert rows[label] == pytest.approx(usd[key] * factor), (label, rows)

    # The pages.
    for page in ("app_pages/overview.py", "app_pages/scenarios.py", "app_pages/compute.py"):
        at = make_app(page, **params)
        no_errors(at)
        shown = _metrics(at)
        for key, label in labels.items():
            assert shown.get(label) == expected[key], (page, label, shown.get(label), expected[key])
    at = make_app("app_pages/build_buy.py", **params)
    no_errors(at)
    per_1000 = translate("buildbuy.per_1000", lang, value=expected["serving_usd_per_1000_predictions"])
    assert per_1000 in _metrics(at).values()


def test_the_figures_are_production_not_the_run(app_env: Path) -> None:
    """The default scenario bought 5,000 samples a month: production retrains on 18× the run's
    samples with an 18× larger model, so one retraining costs well above this run."""
    _seed()
    run = get_run(Store(), RUN)
    report = build_report(
        base_template(), name="Plan", run=run, catalog=load_bundled(), options=ReportOptions(paths=200)
    )
    inputs = report.inputs
    assert inputs is not None and inputs.scale is not None and inputs.run_cost_usd is not None
    assert inputs.scale.data_derived and inputs.scale.data_factor > 10
    assert inputs.retrain_cost_usd is not None and inputs.retrain_cost_usd > 10 * inputs.run_cost_usd
    assert (
        isinstance(inputs.serving_detail, Reason)
        and inputs.serving_detail.code == "serving_detail_production"
    )
