"""The production figures on a page: this run's cost, one production retraining, $ per 1,000 predictions.

The Overview, Scenarios, Compute cost and Build vs buy pages show the same three figures with the
same words (:mod:`present.production_text`), each badged by where it comes from and with the model's
explanation as its help.
"""

from __future__ import annotations

import streamlit as st

from bizmodel.binding import RunInputs
from bizmodel.scenario import Scenario
from present.explain import words
from present.production_text import Figure, figure_text, production_figures, production_lead
from safetext import for_markdown
from ui.components.widgets import Provenance, badge
from ui.session.i18n import current_language, t


def _help(figure: Figure) -> str:
    base = t(f"production.help.{figure.key}")
    if not figure.detail:
        return base
    return f"{base}\n\n{for_markdown(words(figure.detail, current_language()))}"


def production_metrics(
    effective: Scenario,
    inputs: RunInputs | None,
    *,
    run_prov: Provenance | None,
    typed_prov: Provenance,
    columns: list | None = None,
) -> None:
    """The three figures as metrics, one per column (three new columns unless ``columns`` is given)."""
    figures = production_figures(effective, inputs)
    cols = columns if columns is not None else st.columns(len(figures))
    for col, figure in zip(cols, figures, strict=True):
        with col:
            st.metric(t(f"production.{figure.key}"), figure_text(figure), help=_help(figure))
            if figure.usd is None:
                continue
            badge(run_prov if figure.measured and run_prov is not None else typed_prov)


def production_caption(effective: Scenario, inputs: RunInputs | None) -> None:
    """What production trains and serves relative to the run, in one caption."""
    st.caption(production_lead(effective, inputs, t))
