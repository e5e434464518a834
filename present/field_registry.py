"""The scenario's fields, declared once: kind, unit, editor group, step and decimals, where the
field lives in a scenario document, whether a bound run replaces it, its label key; its bounds and
whether it may carry a Monte Carlo range are the model's own (read from :mod:`bizmodel.scenario`).

Pure (no Streamlit). The scenario editor (:mod:`ui.components.scenario_editor`) builds its form
from :data:`FIELDS`, the HTML report's assumptions table (:mod:`present.report`), the workbook's
Assumptions sheet (:mod:`present.workbook`), Compare's assumption rows (:mod:`ui.views.compare`),
the Monte Carlo median's wording (:mod:`present.median_gap_text`) and the report's measured fields
(:mod:`present.report_data`) iterate it, and the tests check every field against the model and
every reader. A share link carries the whole scenario document (:meth:`Scenario.to_dict`), so
every field declared here travels in it.

Adding a field: its dataclass field, check and bounds in :mod:`bizmodel.scenario`, one
:class:`ScenarioField` here at the place it should appear, and its label and help
(``scenario.f.<name>``, ``scenario.h.<name>``) in both locales (``docs/ADDING_A_FIELD.md``).

Kinds (how a value is typed and written): ``int`` (whole months), ``count`` (a quantity), ``pct``
(a fraction typed and shown in %), ``usd`` (money, shown in the display currency), ``factor`` (a
production factor: 0 means derived from the data plan), ``number`` (a plain ratio), ``choice``
(one of the model's options) and ``bool`` (true or false). A unit is a key of :data:`UNITS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bizmodel.scenario_bounds import BOUNDS, INTEGER_FIELDS, RANGE_FIELDS, TERMINAL_METHODS


@dataclass(frozen=True)
class Unit:
    """A unit's label keys in the report (``report.unit.*``) and in the workbook
    (``workbook.unit.*``; empty for a unitless value), and the workbook's number format
    (``pct`` one decimal of a percent, ``pct2`` two, ``money``, ``count``, ``month``, ``number``,
    ``text``, ``bool``)."""

    report_key: str
    workbook_key: str
    cell: str


def _unit(report: str, workbook: str, cell: str) -> Unit:
    return Unit(f"report.unit.{report}" if report else "", f"workbook.unit.{workbook}", cell)


#: Every unit a scenario field is in.
UNITS: dict[str, Unit] = {
    "months": _unit("months", "months", "month"),
    "customers": _unit("customers", "customers", "count"),
    "pct": _unit("pct", "percent", "pct2"),
    "pct_per_month": _unit("pct_per_month", "pct_per_month", "pct2"),
    "pct_per_year": _unit("pct_per_year", "pct_per_year", "pct"),
    "pct_of_revenue": _unit("pct_of_revenue", "percent_of_revenue", "pct2"),
    "money": _unit("money", "money", "money"),
    "money_per_month": _unit("money_per_month", "per_month", "money"),
    "money_per_person_month": _unit("money_per_person_month", "per_month", "money"),
    "money_per_customer_month": _unit("money_per_customer_month", "per_customer_month", "money"),
    "money_per_new_customer": _unit("money_per_new_customer", "per_new_customer", "money"),
    "money_per_1000_requests": _unit("money_per_1000_requests", "per_1000_requests", "money"),
    "money_per_1000_predictions": _unit("money_per_1000_predictions", "per_1000_predictions", "money"),
    "money_per_retraining": _unit("money_per_retraining", "per_retraining", "money"),
    "money_per_sample": _unit("money_per_sample", "per_sample", "money"),
    "requests_per_customer_month": _unit(
        "requests_per_customer_month", "requests_per_customer_month", "count"
    ),
    "samples_per_month": _unit("samples_per_month", "samples_per_month", "count"),
    "times_run_samples": _unit("times_run_samples", "times_run_samples", "number"),
    "times_run_params": _unit("times_run_params", "times_run_params", "number"),
    "reviews_per_error": _unit("reviews_per_error", "reviews_per_error", "number"),
    "times_arr": _unit("times_arr", "times_arr", "number"),
    "method": _unit("", "method", "text"),
    "true_false": _unit("", "true_false", "bool"),
}

#: Kinds whose value is a number (the rest: ``choice``, ``bool``).
NUMERIC_KINDS = frozenset({"int", "count", "pct", "usd", "factor", "number"})


@dataclass(frozen=True)
class ScenarioField:
    """One scenario field (module docstring): ``name`` as in :class:`bizmodel.scenario.Scenario`
    (or, with ``nested``, in that sub-object of the document), ``kind``, ``unit`` (a key of
    :data:`UNITS`), ``group`` (the editor's section, ``scenario.section.<group>``), ``step`` and
    ``decimals`` of the editor's number input, ``run_bound`` (a run driving the scenario replaces
    it: the field of :class:`bizmodel.binding.RunInputs` of the same name), ``in_form`` (typed in
    the editor's form; otherwise set elsewhere on the Scenarios page), ``options`` (a choice's
    values, the model's own tuple) labelled ``<options_key>.<option>``, and ``label_key`` when the
    label is not ``scenario.f.<name>``."""

    name: str
    kind: str
    unit: str
    group: str
    step: float = 0.0
    decimals: int = 0
    nested: str = ""
    run_bound: bool = False
    in_form: bool = True
    options: tuple[str, ...] = ()
    options_key: str = ""
    label_key: str = ""

    @property
    def label(self) -> str:
        """The catalog key of the field's label (its unit in brackets at the end)."""
        return self.label_key or f"scenario.f.{self.name}"

    @property
    def help(self) -> str:
        """The catalog key of the editor's help text."""
        return f"scenario.h.{self.name}"

    @property
    def bounds(self) -> tuple[float, float] | None:
        """The model's valid bounds (inclusive), None for a choice or a true/false field.

        >>> field("monthly_churn").bounds, field("terminal_value").bounds
        ((0.0, 1.0), None)
        """
        return BOUNDS.get(self.name)

    @property
    def integer(self) -> bool:
        """Whether the model takes only whole numbers."""
        return self.name in INTEGER_FIELDS

    @property
    def rangeable(self) -> bool:
        """Whether the field may carry a Monte Carlo range (:data:`bizmodel.scenario.RANGE_FIELDS`)."""
        return self.name in RANGE_FIELDS

    @property
    def numeric(self) -> bool:
        """Whether the value is a number (typed in a number input, written in a table's value column)."""
        return self.kind in NUMERIC_KINDS

    @property
    def units(self) -> Unit:
        """The field's unit's label keys and workbook format."""
        return UNITS[self.unit]

    def of(self, scenario: Any) -> Any:
        """The field's value in a :class:`bizmodel.scenario.Scenario`."""
        holder = getattr(scenario, self.nested) if self.nested else scenario
        return getattr(holder, self.name)

    def in_document(self, document: Mapping[str, Any]) -> Any:
        """The field's value in a scenario document (:meth:`Scenario.to_dict`), None when absent."""
        holder = (document.get(self.nested) or {}) if self.nested else document
        return holder.get(self.name)


_MARKET, _PRICING, _CUSTOMERS, _MODEL = "market", "pricing", "customers", "model"
_COSTS, _REV, _CASH = "costs", "revenue_costs", "cash"
_LINK = "accuracy_link"

#: Every scalar field of a scenario, in the order the editor, the report, the workbook and
#: Compare list them (the headcount plan, funding rounds and ranges are tables of their own).
FIELDS: tuple[ScenarioField, ...] = (
    ScenarioField("horizon_months", "int", "months", _MARKET, 12, 0),
    ScenarioField("market_size", "count", "customers", _MARKET, 1000, 0),
    ScenarioField("bass_p", "pct", "pct_per_month", _MARKET, 0.05, 3),
    ScenarioField("bass_q", "pct", "pct_per_month", _MARKET, 0.5, 2),
    ScenarioField("price_usd_per_user_month", "usd", "money_per_customer_month", _PRICING, 1.0, 2),
    ScenarioField("usage_price_usd_per_1000_requests", "usd", "money_per_1000_requests", _PRICING, 0.05, 4),
    ScenarioField("requests_per_user_month", "count", "requests_per_customer_month", _PRICING, 100, 0),
    ScenarioField("monthly_churn", "pct", "pct_per_month", _CUSTOMERS, 0.5, 2),
    ScenarioField("churn_at_minimum_accuracy_extra", "pct", "pct_per_month", _CUSTOMERS, 0.5, 2),
    ScenarioField("cac_usd", "usd", "money_per_new_customer", _CUSTOMERS, 50.0, 2),
    ScenarioField("model_accuracy", "pct", "pct", _MODEL, 0.5, 2, run_bound=True),
    ScenarioField("minimum_viable_accuracy", "pct", "pct", _MODEL, 0.5, 2, nested=_LINK),
    ScenarioField("delightful_accuracy", "pct", "pct", _MODEL, 0.5, 2, nested=_LINK),
    ScenarioField("retrain_every_months", "int", "months", _MODEL, 1, 0),
    ScenarioField("retrain_cost_usd", "usd", "money_per_retraining", _MODEL, 10.0, 4, run_bound=True),
    ScenarioField(
        "serving_usd_per_1000_predictions",
        "usd",
        "money_per_1000_predictions",
        _MODEL,
        0.005,
        6,
        run_bound=True,
    ),
    ScenarioField("production_data_factor", "factor", "times_run_samples", _MODEL, 1.0, 2),
    ScenarioField("production_model_factor", "factor", "times_run_params", _MODEL, 1.0, 2),
    ScenarioField("cost_per_head_usd_month", "usd", "money_per_person_month", _COSTS, 500.0, 0),
    ScenarioField("other_fixed_usd_month", "usd", "money_per_month", _COSTS, 500.0, 0),
    ScenarioField("data_samples_per_month", "count", "samples_per_month", _COSTS, 1000, 0),
    ScenarioField("data_cost_usd_per_sample", "usd", "money_per_sample", _COSTS, 0.01, 4),
    ScenarioField("hosting_usd_per_customer_month", "usd", "money_per_customer_month", _REV, 0.5, 2),
    ScenarioField("support_usd_per_customer_month", "usd", "money_per_customer_month", _REV, 0.5, 2),
    ScenarioField("review_per_error", "number", "reviews_per_error", _REV, 0.1, 2),
    ScenarioField("payment_fee_share", "pct", "pct_of_revenue", _REV, 0.1, 2),
    ScenarioField("payment_fee_usd_per_customer_month", "usd", "money_per_customer_month", _REV, 0.05, 2),
    ScenarioField("starting_cash_usd", "usd", "money", _CASH, 100_000.0, 0),
    ScenarioField("annual_discount_rate", "pct", "pct_per_year", _CASH, 1.0, 2),
    ScenarioField(
        "terminal_value", "choice", "method", _CASH, options=TERMINAL_METHODS, options_key="scenario.terminal"
    ),
    ScenarioField("exit_multiple_arr", "number", "times_arr", _CASH, 0.5, 1),
    ScenarioField("terminal_growth", "pct", "pct_per_year", _CASH, 0.5, 2),
    ScenarioField(
        "use_run_spread", "bool", "true_false", _MODEL, in_form=False, label_key="scenario.use_spread"
    ),
)

_BY_NAME = {f.name: f for f in FIELDS}

#: The numeric fields, in order: the rows of every assumptions table.
NUMERIC_FIELDS: tuple[ScenarioField, ...] = tuple(f for f in FIELDS if f.numeric)

#: The choice and true/false fields, in order: worded after an assumptions table's lists.
WORDED_FIELDS: tuple[ScenarioField, ...] = tuple(f for f in FIELDS if not f.numeric)

#: The fields a run driving the scenario replaces.
RUN_FIELDS: tuple[str, ...] = tuple(f.name for f in FIELDS if f.run_bound)

#: The document keys holding a declared field (a nested field is held by its sub-object).
DOCUMENT_KEYS: frozenset[str] = frozenset(f.nested or f.name for f in FIELDS)


def field(name: str) -> ScenarioField:
    """The declaration of field ``name`` (``KeyError`` for an undeclared one).

    >>> field("bass_p").unit, field("delightful_accuracy").nested
    ('pct_per_month', 'accuracy_link')
    """
    return _BY_NAME[name]


def find(name: str) -> ScenarioField | None:
    """The declaration of field ``name``, None for an undeclared one."""
    return _BY_NAME.get(name)


def form_sections() -> dict[str, tuple[ScenarioField, ...]]:
    """The editor's sections (group → the fields typed there), in declaration order.

    >>> list(form_sections())
    ['market', 'pricing', 'customers', 'model', 'costs', 'revenue_costs', 'cash']
    >>> [f.name for f in form_sections()["market"]][:2]
    ['horizon_months', 'market_size']
    """
    out: dict[str, list[ScenarioField]] = {}
    for f in FIELDS:
        if f.in_form:
            out.setdefault(f.group, []).append(f)
    return {group: tuple(fs) for group, fs in out.items()}


__all__ = [
    "DOCUMENT_KEYS",
    "FIELDS",
    "NUMERIC_FIELDS",
    "RUN_FIELDS",
    "UNITS",
    "WORDED_FIELDS",
    "ScenarioField",
    "Unit",
    "field",
    "find",
    "form_sections",
]
