"""A saved model's evaluation on its test split, loaded once per model file (cached by path,
modification time and size)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from mlcore.evaluation import load_evaluation
from present.evaluation import (
    Analysis,
    analyse,
)


@st.cache_data(max_entries=8, show_spinner=False)
def _analysis_of(path: str, mtime_ns: int, size: int) -> Analysis:
    return analyse(load_evaluation(Path(path), run_id=_run_of(Path(path))))


def _run_of(path: Path) -> str:
    """The run id an evaluation file is named after (``<run id>.eval.npz``)."""
    return path.name.removesuffix(".eval.npz")


def load_analysis(path: Path) -> Analysis:
    """The analysis of the evaluation file at ``path``, cached while the file is unchanged.

    Raises :class:`mlcore.evaluation.EvaluationError` when the file is missing or damaged.
    """
    if not path.is_file():
        return analyse(load_evaluation(path, run_id=_run_of(path)))  # raises with the reason
    stat = path.stat()
    return _analysis_of(str(path), stat.st_mtime_ns, stat.st_size)
