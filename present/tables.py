"""Tables the pages show, built from run records, and how any table is shown and downloaded (pure
pandas, no Streamlit).

Every table a page shows goes through :func:`plain_table` (text cells and labels through
:func:`safetext.for_plain`), every CSV the app offers through :func:`csv_bytes` (cells, column
names and index labels through :func:`safetext.for_spreadsheet`, so no spreadsheet evaluates them).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence

import pandas as pd

from mlcore.specs import RunRecord
from safetext import for_plain, for_spreadsheet

Translate = Callable[..., str]

#: Measurements of the summary and compare tables: (record attribute, catalog key, unit kind).
MEASUREMENTS: tuple[tuple[str, str, str], ...] = (
    ("test_accuracy", "m.test_accuracy", "fraction"),
    ("test_precision_macro", "m.precision", "fraction"),
    ("test_recall_macro", "m.recall", "fraction"),
    ("test_f1_macro", "m.f1", "fraction"),
    ("wall_seconds", "m.wall_time", "seconds"),
    ("train_seconds", "m.train_time", "seconds"),
    ("samples_per_second", "m.samples_per_second", "rate"),
    ("params", "m.params", "count"),
    ("flops_per_sample", "m.flops_per_sample", "flops"),
    ("achieved_flops_per_second", "m.achieved_flops", "flops_rate"),
    ("peak_flops_per_second", "m.peak_flops", "flops_rate"),
    ("mfu", "m.mfu", "fraction"),
    ("peak_memory_bytes", "m.peak_memory", "bytes"),
    ("energy_kwh", "m.energy", "kwh"),
    ("epochs_completed", "m.epochs", "count"),
)


def _text_only(rule: Callable[[object], object]) -> Callable[[object], object]:
    return lambda value: rule(value) if isinstance(value, str) else value


def plain_table(frame: pd.DataFrame) -> pd.DataFrame:
    r"""``frame`` ready for ``st.dataframe``: every text cell, column name and index label through
    :func:`safetext.for_plain` (numbers, dates and missing values untouched).

    >>> plain_table(pd.DataFrame({"name": ["a\u202eb", 1.5]})).iloc[0, 0]
    'a\\u202eb'
    """
    text = _text_only(for_plain)
    return frame.map(text).rename(columns=text, index=text)


def csv_bytes(frame: pd.DataFrame, *, index: bool = True) -> bytes:
    """``frame`` as the UTF-8 CSV the app offers for download, safe to open in a spreadsheet.

    Every cell, column name and index label goes through :func:`safetext.for_spreadsheet`: text a
    spreadsheet would evaluate (``=…``, ``+…``, ``-…``, ``@…``, a leading tab or carriage return)
    gets a leading ``'``; numbers, and text that is just a number, stay as they are. Text is always
    quoted, so a line break inside a name stays inside its cell.

    >>> frame = pd.DataFrame({"=x": ["=HYPERLINK(1)", "-12.5"], "v": [-12.5, 3]})
    >>> print(csv_bytes(frame, index=False).decode())
    "'=x","v"
    "'=HYPERLINK(1)",-12.5
    "-12.5",3.0
    <BLANKLINE>
    """
    safe = _text_only(for_spreadsheet)
    table = frame.map(safe).rename(columns=safe, index=safe)
    return table.to_csv(index=index, quoting=csv.QUOTE_NONNUMERIC).encode("utf-8")


def runs_frame(runs: Sequence[RunRecord], tr: Translate) -> pd.DataFrame:
    """One row per run with its key measurements (raw numbers; the page sets formats).

    Columns are translated; the run id is kept as the index.
    """
    rows = []
    for r in runs:
        rows.append(
            {
                tr("col.name"): r.name,
                tr("col.created"): pd.Timestamp(r.created_at) if r.created_at else pd.NaT,
                tr("col.dataset"): r.dataset,
                tr("col.model"): r.model,
                tr("col.status"): tr(f"status.{r.status}"),
                tr("m.test_accuracy"): r.test_accuracy,
                tr("m.f1"): r.test_f1_macro,
                tr("m.wall_time"): r.wall_seconds,
                tr("m.samples_per_second"): r.samples_per_second,
                tr("m.mfu"): r.mfu,
                tr("m.params"): r.params,
                tr("m.epochs"): r.epochs_completed,
                tr("col.device"): r.device_kind,
                "id": r.id,
            }
        )
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.set_index("id")


def filter_runs(
    runs: Sequence[RunRecord], *, text: str = "", datasets: Sequence[str] = (), statuses: Sequence[str] = ()
) -> list[RunRecord]:
    """Runs whose name, model or id contains ``text`` (case-insensitive) and whose dataset and
    status are among those given (empty = any)."""
    needle = text.strip().lower()
    out = []
    for r in runs:
        if needle and needle not in f"{r.name} {r.model} {r.id}".lower():
            continue
        if datasets and r.dataset not in datasets:
            continue
        if statuses and r.status not in statuses:
            continue
        out.append(r)
    return out


def compare_frame(runs: Sequence[RunRecord], tr: Translate) -> pd.DataFrame:
    """Measurements of 2+ runs side by side, with each run's difference from the first.

    Rows are measurements; for every run after the first a ``Δ`` column holds
    ``value − first value`` (None where either is unknown).
    """
    base = runs[0]
    data: dict[str, list[float | None]] = {}
    labels = [tr(key) for _, key, _ in MEASUREMENTS]
    for i, run in enumerate(runs):
        col = f"{i + 1}. {run.name}"
        data[col] = [_num(getattr(run, attr)) for attr, _, _ in MEASUREMENTS]
        if i > 0:
            diffs = []
            for attr, _, _ in MEASUREMENTS:
                a, b = _num(getattr(run, attr)), _num(getattr(base, attr))
                diffs.append(None if a is None or b is None else a - b)
            data[f"Δ {i + 1} − 1"] = diffs
    return pd.DataFrame(data, index=labels)


def _num(v: object) -> float | None:
    return None if v is None else float(v)  # type: ignore[arg-type]
