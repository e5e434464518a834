"""A scenario as the pages compute it: bound to its run, and its projection, Monte Carlo, tornado and
value of accuracy cached by the scenario's canonical JSON (``st.cache_data``, shared by sessions).

Every page that shows a scenario's numbers (Scenarios, Compare, Compute cost, Data value, Build vs
buy, the Overview) goes through :func:`bound_scenario`, so a run drives the same figures everywhere."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from bizmodel.advantage import ValueOfAccuracy, value_of_accuracy
from bizmodel.basis import TechnicalBasis
from bizmodel.binding import InputsOf, RunInputs, RunUnusable, bind_run, inputs_for
from bizmodel.catalog import Catalog
from bizmodel.montecarlo import working_bytes
from bizmodel.production import production_scale
from bizmodel.projection import Kpis, kpis, project
from bizmodel.scenario import Scenario
from bizmodel.scenario_bounds import ScenarioError
from bizmodel.sensitivity import tornado
from mlcore.runs import get_run
from mlcore.specs import RunRecord
from present import format as fmt
from present.explain import words
from present.report_data import MonteCarloSection, monte_carlo_section, serving_volume
from present.summary import short_id
from safetext import for_markdown, for_plain
from store import Store
from ui.components.catalog import active_catalog
from ui.components.scenario_work import Work, current_work, document_json
from ui.session.capacity import heavy
from ui.session.i18n import current_language, t
from ui.session.state import store_guard, store_or_error

#: ``?value_from=`` of a Data value page that takes its value per accuracy point from the active scenario.
VALUE_FROM_ACTIVE = "active"


@st.cache_data(max_entries=64, show_spinner=False)
def projection_of(document: str) -> tuple[pd.DataFrame, Kpis]:
    """The monthly projection and KPIs of a scenario given as canonical JSON."""
    scenario = Scenario.from_dict(json.loads(document))
    frame = project(scenario)
    return frame, kpis(frame, scenario)


#: The most paths the page simulates (the command line goes to bizmodel.montecarlo.MAX_PATHS).
UI_MAX_PATHS = 50_000

#: Session keys of the Monte Carlo paths, its seed and the tornado's change (percent): the Scenarios
#: page's widgets, a share link and the exports read the same three.
PATHS_KEY, SEED_KEY, CHANGE_KEY = "scn_mc_paths", "scn_mc_seed", "scn_tornado_change"


@st.cache_data(max_entries=8, show_spinner=False)
def monte_carlo_of(document: str, paths: int, seed: int) -> MonteCarloSection:
    """The Monte Carlo of a scenario (canonical JSON), ``paths`` paths from ``seed``, digested
    (small enough to cache: no paths × months arrays). Runs within the replica's work budget
    (:func:`ui.session.capacity.heavy`): raises :class:`~ui.session.admission.Busy` when it has no room."""
    scenario = Scenario.from_dict(json.loads(document))
    with heavy(working_bytes(paths, scenario.horizon_months, len(scenario.ranges))):
        return monte_carlo_section(scenario, paths=paths, seed=seed)


@st.cache_data(max_entries=32, show_spinner=False)
def tornado_of(document: str, change: float) -> pd.DataFrame:
    """The tornado table of a scenario (canonical JSON) for levers moved ± ``change``."""
    return tornado(Scenario.from_dict(json.loads(document)), change=change)


@st.cache_data(max_entries=32, show_spinner=False)
def value_of_accuracy_of(document: str) -> ValueOfAccuracy:
    """What one accuracy point is worth a year in this scenario (canonical JSON)."""
    return value_of_accuracy(Scenario.from_dict(json.loads(document)))


@st.cache_data(max_entries=32, show_spinner=False)
def _run_inputs(
    run_id: str,
    record: str,
    catalog_version: str,
    requests_per_month: float,
    factors: tuple[float, float],
    _scenario: Scenario,
    _basis: TechnicalBasis,
    _catalog: Catalog,
) -> RunInputs:
    """:func:`bizmodel.binding.inputs_for`, cached by what decides its result: the run (its record
    as JSON), the catalog, the serving volume and the production factors of the scenario."""
    del run_id, record, catalog_version, requests_per_month, factors  # cache key only
    return inputs_for(_scenario, _basis, _catalog)


def _cached_inputs_of(run: RunRecord, record: str) -> InputsOf:
    """:func:`bizmodel.binding.inputs_for` for ``run`` (its record as JSON), through the cache."""

    def inputs_of(scenario: Scenario, basis: TechnicalBasis, catalog: Catalog) -> RunInputs:
        volume = serving_volume(scenario)  # the report's volume too, and a stable cache key
        scale = production_scale(scenario, run.n_train or 1, run.params or 1)
        factors = (scale.data_factor, scale.model_factor)
        return _run_inputs(run.id, record, catalog.version, volume, factors, scenario, basis, catalog)

    return inputs_of


@dataclass(frozen=True)
class Effective:
    """The scenario the numbers are computed from: typed values, or bound to a run."""

    scenario: Scenario
    document: str
    run: RunRecord | None
    inputs: RunInputs | None


def effective_scenario(store: Store, work: Work, scenario: Scenario) -> Effective:
    """``scenario`` with the bound run's measurements in place of the typed technical inputs."""
    return bound_scenario(store, scenario, work.run_id)


def bound_scenario(store: Store, scenario: Scenario, run_id: str | None) -> Effective:
    """``scenario`` driven by run ``run_id`` (None: the typed values); a warning says when the run
    cannot drive it (gone, or unusable), and the typed values are used."""
    if not run_id:
        return Effective(scenario, document_json(scenario.to_dict()), None, None)
    with store_guard():
        run = get_run(store, run_id)
    if run is None or run.test_accuracy is None:
        st.warning(t("scenario.run_gone", run=for_markdown(run_id[:40])))
        return Effective(scenario, document_json(scenario.to_dict()), None, None)
    record = run.to_dict()
    inputs_of = _cached_inputs_of(run, json.dumps(record, sort_keys=True))
    try:  # the scenario's own use_run_spread decides whether ranges come too
        bound = bind_run(scenario, record, active_catalog(), inputs_of=inputs_of)
    except RunUnusable as exc:
        st.warning(
            t(
                "scenario.run_unusable",
                run=short_id(run.id),
                reason=for_markdown(words(exc, current_language())),
            )
        )
        return Effective(scenario, document_json(scenario.to_dict()), run, None)
    return Effective(bound.scenario, document_json(bound.scenario.to_dict()), run, bound.inputs)


def month_text(value: int | float | None, horizon: int) -> str:
    """A 1-based month as ``month 43``, or ``> month 60`` when it falls beyond the horizon."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return t("scenario.beyond", horizon=horizon)
    return t("scenario.month_n", month=int(value))


def scenario_value_choice(*, key: str) -> tuple[float, str] | None:
    """Where the Data value page's "value per accuracy point" comes from: typed (None), or the
    active scenario's value of accuracy (USD per point per year, and the scenario's name), with its
    unsaved edits and bound to its run, as the other pages use it.

    The choice is kept in the link (``?value_from=active``; any other value, from older links that
    named a scenario, means the same), so the Scenarios page can link straight to it.
    """
    store = store_or_error()
    if store is None:
        return None
    work = current_work(store)
    labels = {
        "": t("data_value.value_typed"),
        VALUE_FROM_ACTIVE: t("data_value.value_active", name=work.name),
    }
    param = st.query_params.get("value_from")
    if param is not None:
        wanted = VALUE_FROM_ACTIVE if param else ""
    else:  # a click in the sidebar drops the link's parameters: keep this session's choice then
        wanted = str(st.session_state.get(key) or "")
    if wanted not in labels:
        wanted = ""
    if wanted and param != wanted:
        st.query_params["value_from"] = wanted
    if st.session_state.get(key) != wanted:
        st.session_state[key] = wanted

    def _remember() -> None:
        if st.session_state[key]:
            st.query_params["value_from"] = st.session_state[key]
        elif "value_from" in st.query_params:
            del st.query_params["value_from"]

    choice = st.selectbox(
        t("data_value.in.value_from"),
        list(labels),
        format_func=lambda k: for_plain(labels.get(k, k)),
        key=key,
        on_change=_remember,
        help=t("data_value.in.value_from_choice_help"),
    )
    if not choice:
        st.caption(t("data_value.value_typed_note", name=for_markdown(work.name)))
        return None
    try:
        scenario = Scenario.from_dict(work.document)
    except ScenarioError as exc:
        st.warning(t("scenario.invalid") + "\n\n" + "\n".join(f"- {for_markdown(p)}" for p in exc.problems))
        return None
    effective = bound_scenario(store, scenario, work.run_id)
    voa = value_of_accuracy_of(effective.document)
    st.caption(
        t(
            "data_value.value_from_caption",
            value=fmt.fmt_usd(voa.usd_per_point_year),
            name=for_markdown(work.name),
        )
    )
    if voa.usd_per_point_year <= 0:
        st.warning(
            t("data_value.value_from_nonpositive", name=for_markdown(work.name))
            + (f"\n\n{for_markdown(words(voa.reason, current_language()))}" if voa.reason else "")
        )
        return None
    if voa.reason:
        st.caption(for_markdown(words(voa.reason, current_language())))
    return float(voa.usd_per_point_year), work.name
