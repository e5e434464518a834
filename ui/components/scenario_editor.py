"""The scenario editor: one form over every assumption, in the units people think in.

Fractions (churn, accuracy, Bass coefficients, the discount rate) are typed as percentages and
stored as fractions; money is USD. The headcount plan is typed as steps ("from month 7: 4
people") and stored month by month; funding rounds and Monte Carlo ranges are small tables.
Nothing here decides what is valid: :meth:`bizmodel.scenario.Scenario.from_dict` does, and its
problems (each naming a field) are shown beside the form, which keeps what was typed.

The pure helpers (:func:`headcount_steps`, :func:`headcount_from_steps`, :func:`document_from_inputs`)
are tested without Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from bizmodel.scenario import Scenario
from bizmodel.scenario_bounds import HORIZON_MAX_MONTHS, RANGE_FIELDS, ScenarioError
from present.field_registry import FIELDS, ScenarioField, field, find, form_sections
from present.report import bare_label
from ui.session.i18n import t

#: Form sections and their fields, in display order (:func:`present.field_registry.form_sections`):
#: the numbers first, then the choices (options labelled ``<options_key>.<option>``).
SECTIONS: tuple[tuple[str, tuple[ScenarioField, ...]], ...] = tuple(form_sections().items())
DISTRIBUTION_NAMES = ("triangular", "lognormal")


# ---------------------------------------------------------------------- pure conversions


def headcount_steps(heads: Sequence[float]) -> pd.DataFrame:
    """The month-by-month plan as steps: one row where the headcount changes.

    >>> headcount_steps([3, 3, 4, 4, 4, 6]).to_dict("list")
    {'from_month': [1, 3, 6], 'headcount': [3.0, 4.0, 6.0]}
    """
    rows: list[tuple[int, float]] = []
    for month, h in enumerate(heads, start=1):
        if not rows or rows[-1][1] != float(h):
            rows.append((month, float(h)))
    return pd.DataFrame(rows, columns=["from_month", "headcount"])


def headcount_from_steps(steps: pd.DataFrame, *, horizon_months: int) -> tuple[list[float], list[str]]:
    """The month-by-month plan from steps, and the problems found (each says what to change).

    Steps are sorted by month; the first must start in month 1; each holds until the next; the
    last holds to the end of the horizon (so the plan stops at the last step's month).

    >>> headcount_from_steps(pd.DataFrame({"from_month": [1, 3], "headcount": [2, 5]}), horizon_months=12)
    ([2.0, 2.0, 5.0], [])
    >>> headcount_from_steps(pd.DataFrame({"from_month": [2], "headcount": [2]}), horizon_months=12)[1]
    ['the headcount plan must start in month 1; add a row for month 1']
    """
    problems: list[str] = []
    clean: dict[int, float] = {}
    for _, row in steps.iterrows():
        month, heads = row.get("from_month"), row.get("headcount")
        if _blank(month) and _blank(heads):
            continue
        if _blank(month) or _blank(heads):
            problems.append("every headcount row needs both a month and a headcount; fill or delete it")
            continue
        m, h = float(month), float(heads)
        if m != int(m) or not 1 <= m <= horizon_months:
            problems.append(f"headcount month {month!r} must be a whole month from 1 to {horizon_months}")
            continue
        if not math.isfinite(h) or h < 0:
            problems.append(f"headcount {heads!r} (from month {int(m)}) must be a number ≥ 0")
            continue
        if int(m) in clean:
            problems.append(f"month {int(m)} appears twice in the headcount plan; keep one row")
        clean[int(m)] = h
    if not clean and not problems:
        problems.append("the headcount plan is empty; add a row for month 1")
    if clean and min(clean) != 1:
        problems.append("the headcount plan must start in month 1; add a row for month 1")
    if problems:
        return [], problems
    months = sorted(clean)
    plan: list[float] = []
    for i, m in enumerate(months):
        end = months[i + 1] if i + 1 < len(months) else m + 1
        plan.extend([clean[m]] * (end - m))
    return plan, []


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def field_value(document: Mapping[str, Any], name: str) -> Any:
    """A scalar field of a scenario document (the link's two accuracies live in a sub-object)."""
    declared = find(name)
    return declared.in_document(document) if declared is not None else document.get(name)


def to_display(spec: ScenarioField, value: Any) -> float:
    """A stored value as typed: percentages for fractions."""
    v = float(value)
    return v * 100.0 if spec.kind == "pct" else v


def from_display(spec: ScenarioField, value: float) -> float | int:
    """A typed value as stored: fractions for percentages, whole numbers for months."""
    if spec.kind == "int":
        return round(value)
    if spec.kind == "pct":
        return round(float(value) / 100.0, 12)
    return float(value)


def funding_frame(document: Mapping[str, Any]) -> pd.DataFrame:
    """Funding rounds as an editable table (month, amount_usd)."""
    rounds = document.get("funding_rounds") or []
    return pd.DataFrame(
        [(int(r["month"]), float(r["amount_usd"])) for r in rounds], columns=["month", "amount_usd"]
    ).astype({"month": "Int64", "amount_usd": "float64"})


def range_field_label(name: str) -> str:
    """A Monte Carlo range's field as the editor labels it, without the unit (a range is typed in
    the field's stored unit, which the table's caption states); its name when it has no label."""
    label = t(f"scenario.f.{name}")
    return name if label.startswith("[") else bare_label(label)


def ranges_frame(document: Mapping[str, Any]) -> pd.DataFrame:
    """Monte Carlo ranges as an editable table (field, low, high, distribution)."""
    rows = [
        (r["field"], float(r["low"]), float(r["high"]), r.get("distribution", "triangular"))
        for r in document.get("ranges") or []
    ]
    return pd.DataFrame(rows, columns=["field", "low", "high", "distribution"]).astype(
        {"low": "float64", "high": "float64"}
    )


def _rows(frame: pd.DataFrame, columns: Sequence[str]) -> list[dict[str, Any]]:
    """Non-blank rows of an edited table (a row with every cell empty is dropped)."""
    out = []
    for _, row in frame.iterrows():
        values = {c: row.get(c) for c in columns}
        if all(_blank(v) or v == "" for v in values.values()):
            continue
        out.append({c: (None if _blank(v) else v) for c, v in values.items()})
    return out


def document_from_inputs(
    base: Mapping[str, Any],
    values: Mapping[str, float],
    *,
    headcount: pd.DataFrame,
    funding: pd.DataFrame,
    ranges: pd.DataFrame,
    notes: list[str] | None = None,
    choices: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """A scenario document from typed values (display units), chosen options (the choice fields
    of :data:`SECTIONS`) and the three tables.

    Returns the document and the problems of the tables (the scenario's own checks come later,
    from :meth:`Scenario.from_dict`). Fields not on the form are kept from ``base``. Ranges left
    untouched are widened to hold a moved value; each widening is appended to ``notes``.
    """
    document = dict(base)
    nested = {f.nested: dict(base.get(f.nested) or {}) for f in FIELDS if f.nested}
    for name, typed in values.items():
        spec = field(name)
        stored = from_display(spec, typed)
        (nested[spec.nested] if spec.nested else document)[name] = stored
    document.update(nested)
    document.update(choices or {})
    horizon = int(document.get("horizon_months") or HORIZON_MAX_MONTHS)
    plan, problems = headcount_from_steps(headcount, horizon_months=horizon)
    if plan:
        document["headcount_by_month"] = plan
    rounds = []
    for row in _rows(funding, ("month", "amount_usd")):
        if row["month"] is None or row["amount_usd"] is None:
            problems.append("every funding round needs a month and an amount; fill or delete the row")
            continue
        month = float(row["month"])
        rounds.append(
            {"month": int(month) if month == int(month) else month, "amount_usd": float(row["amount_usd"])}
        )
    document["funding_rounds"] = sorted(rounds, key=lambda r: r["month"])
    chosen = []
    for row in _rows(ranges, ("field", "low", "high", "distribution")):
        if row["field"] is None or row["low"] is None or row["high"] is None:
            problems.append("every range needs a field, a low and a high value; fill or delete the row")
            continue
        chosen.append(
            {
                "field": str(row["field"]),
                "low": float(row["low"]),
                "high": float(row["high"]),
                "distribution": str(row["distribution"] or "triangular"),
            }
        )
    document["ranges"] = _widen_stale_ranges(base, document, chosen, notes)
    return document, problems


def _widen_stale_ranges(
    base: Mapping[str, Any],
    document: Mapping[str, Any],
    ranges: list[dict[str, Any]],
    notes: list[str] | None,
) -> list[dict[str, Any]]:
    """Ranges the user left as they were, widened to hold a field's new value.

    A typed value moved outside its (untouched) Monte Carlo range would make the scenario
    invalid; the range is stretched to the new value instead and a note says so. A range the user
    edited is kept as typed (and validated).
    """
    before = {r["field"]: r for r in base.get("ranges") or []}
    out = []
    for r in ranges:
        name = r["field"]
        old = before.get(name)
        value = field_value(document, name)
        untouched = old is not None and (float(old["low"]), float(old["high"])) == (r["low"], r["high"])
        if untouched and isinstance(value, int | float) and not r["low"] <= value <= r["high"]:
            low, high = min(r["low"], float(value)), max(r["high"], float(value))
            if notes is not None:
                notes.append(f"ranges[{name}] widened to {low:g} … {high:g} to hold the new value {value:g}")
            out.append({**r, "low": low, "high": high})
            continue
        out.append(r)
    return out


def validate(document: Mapping[str, Any]) -> tuple[Scenario | None, list[str]]:
    """The scenario, or None and every problem (each naming its field)."""
    try:
        return Scenario.from_dict(dict(document)), []
    except ScenarioError as exc:
        return None, list(exc.problems)


# ---------------------------------------------------------------------- the form


def _number(spec: ScenarioField, document: Mapping[str, Any], *, key: str, disabled: bool) -> float:
    value = field_value(document, spec.name)
    shown = to_display(spec, value) if value is not None else 0.0
    if spec.kind == "int":
        low, high = spec.bounds or (0, None)
        return float(
            st.number_input(
                t(spec.label),
                min_value=int(low),
                max_value=None if high is None else int(high),
                value=int(shown),
                step=int(spec.step),
                key=key,
                help=t(spec.help),
                disabled=disabled,
            )
        )
    return float(
        st.number_input(
            t(spec.label),
            value=float(shown),
            step=float(spec.step),
            format=f"%.{spec.decimals}f",
            key=key,
            help=t(spec.help),
            disabled=disabled,
        )
    )


def _choice(spec: ScenarioField, document: Mapping[str, Any], *, key: str) -> str:
    """A choice among the field's options shown by their translated labels (the labels are the
    widget's options, so the widget needs no ``format_func`` and reads the same in every language)."""
    options = spec.options
    current = document.get(spec.name)
    index = options.index(current) if current in options else 0
    labels = [t(f"{spec.options_key}.{option}") for option in options]
    chosen = st.selectbox(t(spec.label), labels, index=index, key=key, help=t(spec.help))
    return options[labels.index(chosen)] if chosen in labels else options[index]


def editor_form(document: Mapping[str, Any], *, generation: int, run_fields: bool) -> dict[str, Any] | None:
    """The form over ``document``; on "Apply" the new document (unvalidated), else None.

    ``generation`` is part of every widget key: loading another scenario bumps it, so the
    widgets start from the new values. ``run_fields`` greys out the fields a bound run replaces.
    Table problems are shown here and return None (what was typed stays in the form).
    """
    values: dict[str, float] = {}
    choices: dict[str, str] = {}
    with st.form(f"scenario_form_{generation}", border=True):
        tabs = st.tabs(
            [t(f"scenario.section.{name}") for name, _ in SECTIONS] + [t("scenario.section.tables")]
        )
        for tab, (_, specs) in zip(tabs, SECTIONS, strict=False):
            with tab:
                _field_tab(
                    specs,
                    document,
                    f"scn_{generation}",
                    run_fields=run_fields,
                    values=values,
                    choices=choices,
                )
        with tabs[-1]:
            headcount, funding, ranges = _tables_tab(document, f"scn_{generation}")
        submitted = st.form_submit_button(t("scenario.apply"), type="primary", key=f"scn_{generation}_apply")
    if not submitted:
        return None
    notes: list[str] = []
    new_document, problems = document_from_inputs(
        document, values, headcount=headcount, funding=funding, ranges=ranges, notes=notes, choices=choices
    )
    if notes:
        st.session_state["scn_notes"] = notes
    if problems:
        st.error(t("scenario.table_problems") + "\n\n" + "\n".join(f"- {p}" for p in problems))
        return None
    return new_document


def _field_tab(
    specs: Sequence[ScenarioField],
    document: Mapping[str, Any],
    prefix: str,
    *,
    run_fields: bool,
    values: dict[str, float],
    choices: dict[str, str],
) -> None:
    """One tab of fields: numbers in three columns, then choices; fills ``values`` and ``choices``
    by field name. Fields a bound run replaces are greyed out when ``run_fields``."""
    cols = st.columns(3)
    numbers = [spec for spec in specs if spec.numeric]
    for i, spec in enumerate(numbers):
        with cols[i % 3]:
            disabled = run_fields and spec.run_bound
            values[spec.name] = _number(spec, document, key=f"{prefix}_{spec.name}", disabled=disabled)
    for spec in specs:
        if spec.kind == "choice":
            choices[spec.name] = _choice(spec, document, key=f"{prefix}_{spec.name}")
    if run_fields and any(s.run_bound for s in specs):
        st.caption(t("scenario.run_fields_note"))


def _tables_tab(document: Mapping[str, Any], prefix: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The tables tab: headcount steps, funding rounds (USD) and the uncertainty ranges, as typed."""
    c1, c2 = st.columns(2)
    with c1:
        st.markdown(f"**{t('scenario.headcount')}**")
        headcount = st.data_editor(
            headcount_steps(document.get("headcount_by_month") or [1]),
            num_rows="dynamic",
            key=f"{prefix}_headcount",
            column_config={
                "from_month": st.column_config.NumberColumn(
                    t("scenario.col.from_month"), min_value=1, step=1
                ),
                "headcount": st.column_config.NumberColumn(t("scenario.col.headcount"), min_value=0),
            },
            hide_index=True,
        )
    with c2:
        st.markdown(f"**{t('scenario.funding')}**")
        funding = st.data_editor(
            funding_frame(document),
            num_rows="dynamic",
            key=f"{prefix}_funding",
            column_config={
                "month": st.column_config.NumberColumn(t("scenario.col.month"), min_value=1, step=1),
                "amount_usd": st.column_config.NumberColumn(
                    t("scenario.col.amount_usd"), min_value=0, format="$%,.0f"
                ),
            },
            hide_index=True,
        )
    st.markdown(f"**{t('scenario.ranges')}**")
    st.caption(t("scenario.ranges_help"))
    ranges = st.data_editor(
        ranges_frame(document),
        num_rows="dynamic",
        key=f"{prefix}_ranges",
        column_config={
            "field": st.column_config.SelectboxColumn(
                t("scenario.col.field"), options=list(RANGE_FIELDS), format_func=range_field_label
            ),
            "low": st.column_config.NumberColumn(t("scenario.col.low"), format="%g"),
            "high": st.column_config.NumberColumn(t("scenario.col.high"), format="%g"),
            "distribution": st.column_config.SelectboxColumn(
                t("scenario.col.distribution"),
                options=list(DISTRIBUTION_NAMES),
                format_func=lambda d: t(f"report.distribution.{d}"),
            ),
        },
        hide_index=True,
        width="stretch",
    )
    return headcount, funding, ranges
