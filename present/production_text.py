"""The bridge from a measured run to production, in words: one definition for every page and the report.

Pure (no Streamlit): the Overview, Scenarios, Compute cost and Build vs buy pages
(:mod:`ui.components.production`), the HTML report and the workbook all take their three production
figures and their sentences from here, so they cannot disagree. The figures themselves come from
:func:`bizmodel.binding.inputs_for` (via the bound scenario or :class:`present.report_data.Report`):

* ``run_cost_usd``: this run's measured cost;
* ``retrain_cost_usd``: one production retraining;
* ``serving_usd_per_1000_predictions``: $ per 1,000 predictions of the production model at the
  scenario's peak volume (the bound scenario's value: the typed one when no serving was measured).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bizmodel.binding import RunInputs
from bizmodel.production import factor_text
from bizmodel.reasons import Reason
from bizmodel.scenario import Scenario
from present import format as fmt

#: The three shared figures, in display order (keys of :func:`production_figures`).
FIGURES = ("run_cost_usd", "retrain_cost_usd", "serving_usd_per_1000_predictions")

Translate = Callable[..., str]


@dataclass(frozen=True)
class Figure:
    """One shared production figure: ``key`` (of :data:`FIGURES`), its value in USD (None when it
    could not be priced), whether the run measured it, and the model's detail (a reason)."""

    key: str
    usd: float | None
    measured: bool
    detail: Reason | str


def production_figures(effective: Scenario, inputs: RunInputs | None) -> tuple[Figure, ...]:
    """This run's cost, one production retraining and $ per 1,000 predictions, as every page shows them.

    ``effective`` is the scenario bound to the run (:func:`bizmodel.binding.bind`); without a run
    the retraining and serving figures are the scenario's typed values and this run's cost is None.

    >>> from bizmodel.scenario import base_template
    >>> [(f.key, f.usd, f.measured) for f in production_figures(base_template(), None)]
    [('run_cost_usd', None, False), ('retrain_cost_usd', 200.0, False), ('serving_usd_per_1000_predictions', 0.02, False)]
    """  # noqa: E501
    if inputs is None:
        return (
            Figure("run_cost_usd", None, False, ""),
            Figure("retrain_cost_usd", effective.retrain_cost_usd, False, ""),
            Figure("serving_usd_per_1000_predictions", effective.serving_usd_per_1000_predictions, False, ""),
        )
    retrain_measured = inputs.retrain_cost_usd is not None
    serving_measured = inputs.serving_usd_per_1000_predictions is not None
    return (
        Figure("run_cost_usd", inputs.run_cost_usd, inputs.run_cost_usd is not None, inputs.run_cost_detail),
        Figure("retrain_cost_usd", effective.retrain_cost_usd, retrain_measured, inputs.retrain_detail),
        Figure(
            "serving_usd_per_1000_predictions",
            effective.serving_usd_per_1000_predictions,
            serving_measured,
            inputs.serving_detail,
        ),
    )


def figure_text(figure: Figure) -> str:
    """The figure's value in the current number style (currency, language); ``–`` when unpriced."""
    return fmt.fmt_usd(figure.usd)


def production_lead(effective: Scenario, inputs: RunInputs | None, t: Translate) -> str:
    """One sentence: what production trains and serves relative to the run, or why there is no run.

    ``t`` is the translator (``ui.session.i18n.t`` on a page, the report's own in the report).
    """
    if inputs is None or inputs.scale is None:
        return t("production.no_run")
    scale = inputs.scale
    every = effective.retrain_every_months
    cadence = t("production.every", months=every) if every else t("production.never")
    text = t(
        "production.lead",
        params=fmt.fmt_count(scale.production_params),
        model=factor_text(scale.model_factor),
        samples=fmt.fmt_count(scale.production_samples),
        data=factor_text(scale.data_factor),
        cadence=cadence,
        requests=fmt.fmt_count(inputs.requests_per_month),
    )
    if scale.data_derived or scale.model_derived:
        text += " " + t("production.derived")
    return text
