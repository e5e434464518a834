"""A run's measured learning curve and its fit (cached by run and measurement time)."""

from __future__ import annotations

import streamlit as st

from bizmodel.data_value import (
    CurveFit,
    CurvePointIn,
    fit_learning_curve,
    points_from_record,
)
from mlcore.specs import RunRecord
from ui.session.i18n import t


@st.cache_data(max_entries=32, show_spinner=False)
def _fit(run_id: str, measured_at: str, points: tuple[tuple[int, float, float, int], ...]) -> CurveFit:
    """The fit of one run's curve, cached by run id and the curve's measurement time (and points)."""
    del run_id, measured_at  # part of the cache key only
    return fit_learning_curve([CurvePointIn(*p) for p in points])


def load_fit(run: RunRecord) -> tuple[tuple[CurvePointIn, ...], CurveFit]:
    """The run's learning-curve points and their fit.

    Raises
    ------
    DataValueError
        No curve, fewer than 4 distinct sizes, or a fit that fails (the message says what to do).
    """
    record = run.to_dict()
    points = points_from_record(record)
    measured_at = str((record.get("learning_curve") or {}).get("measured_at") or "")
    key = tuple((p.n_train, p.accuracy_mean, p.accuracy_std, p.seeds) for p in points)
    with st.spinner(t("data_value.fitting")):
        return points, _fit(run.id, measured_at, key)
