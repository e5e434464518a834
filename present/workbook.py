"""The business case as an Excel workbook (.xlsx) an investor can open, check and extend.

Pure (no Streamlit): :func:`workbook_bytes` writes one :class:`~present.report_data.Report` with
openpyxl, so the workbook holds exactly the numbers of the page and the HTML report.

Sheets (names translated; a sheet whose section was not computed is left out, and the Summary
lists why):

* **Summary** — title, scenario, generation time (UTC), the run that drives it (or typed values),
  the price catalog and its price dates, the display currency and exchange rate, then the KPIs
  (label, value, unit, provenance, note) and the value of one accuracy point.
* **Assumptions** — every field of the effective scenario (label, value, unit, provenance:
  *measured (run id)* for the fields the run supplies, else *assumed*), then the headcount plan
  (one row per change), the funding rounds and the Monte Carlo ranges.
* **Monthly** — the projection, one row per month 1…H.
* **Monte Carlo** (when simulated) — paths, seed, NPV P10/P50/P90, P(out of cash),
  P(break-even); with ranges, the plan's NPV, the median's gap to it and each range's part (its
  median and NPV effect, then the ranges acting together); then P10/P50/P90 cash per month.
* **Sensitivity** — the tornado: each lever moved down and up, its NPV and break-even month.
* **Scorecard** — the economic-advantage figures with category, unit, favourable, provenance and
  detail.
* **Compute** (with a run) — the run's training work now and at scale, then the best options.
* **Serving** (with a run's inference profile) — the capacity plan at the scenario's volume.
* **Data value** (with a run's learning curve) — the purchase priced with the Data value page's
  inputs (or its defaults), the best training-set size, the fit and the measured points: the
  page's own figures.
* **Plans explored** — the training plans and budgets explored on the Compute cost page (or its
  defaults), each recomputed: inputs, cheapest and fastest options, the largest model a budget buys.
* **Runs** — the report's run and any others given: ids, data, model and measurements.

Conventions
-----------
* Cells hold numbers, never numbers as text. Money is computed in USD and stored in the display
  currency (USD × :attr:`NumberStyle.factor`) with a number format in its symbol (``"$"#,##0``,
  more decimals or scientific notation for small amounts such as $ per 1,000 predictions).
  Fractions are stored 0–1 with a percent format (``0.0%``); months are integers; booleans are
  Excel TRUE/FALSE; dates and times are UTC.
* A missing value (None, NaN, ±inf) is an empty cell.
* Every header row is bold and frozen; units are in the headers or in a Unit column.
* Text that came from a user (scenario and run names, datasets, notes, details) is always stored
  as a string, never as a formula: a leading ``=``, ``+``, ``-``, ``@``, tab or carriage return
  is kept as text with Excel's quote prefix (no formula injection), and control characters that
  the file format forbids are removed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from io import BytesIO
from typing import Any

import numpy as np
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bizmodel.median_gap import MedianGap
from bizmodel.production import factor_text
from bizmodel.projection import COLUMNS
from bizmodel.reasons import Reason
from bizmodel.scenario import Scenario
from bizmodel.sensitivity import TORNADO_COLUMNS
from mlcore.specs import RunRecord
from present.explain import words
from present.explored import option_words
from present.field_registry import FIELDS, find
from present.format import NumberStyle, fmt_years, number_style
from present.i18n import translate
from present.kpi_registry import WORKBOOK, listed_in
from present.median_gap_text import field_kind
from present.narrative import terminal_help
from present.production_text import production_figures, production_lead
from present.report_data import Report
from present.score_format import score_words
from safetext.spreadsheet import FORMULA_STARTS

#: Excel's limits: sheet-name length, characters a sheet name may not hold, text per cell.
SHEET_NAME_MAX = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
CELL_TEXT_MAX = 32_767
#: First characters that make a spreadsheet read text as a formula (the CSV downloads' rule too).
FORMULA_PREFIXES = tuple(sorted(FORMULA_STARTS))

#: Number formats of the value kinds (``money`` and ``number`` depend on the magnitude).
FORMATS = {
    "pct": "0.0%",
    "pct2": "0.00%",
    "month": "0",
    "int": "#,##0",
    "count": "#,##0",
    "score": "0.000",
    "general": "General",
    "sci": "0.00E+00",
    "datetime": "yyyy-mm-dd hh:mm",
    "date": "yyyy-mm-dd",
}

#: Production factors: 0 in the scenario means derived (the value written is the derived one).
_FACTORS = {"production_data_factor": "data_factor", "production_model_factor": "model_factor"}
#: The unit of each shared production figure (:data:`present.production_text.FIGURES`).
_FIGURE_UNITS = {
    "run_cost_usd": "workbook.unit.money",
    "retrain_cost_usd": "workbook.unit.per_retraining",
    "serving_usd_per_1000_predictions": "workbook.unit.per_1000_predictions",
}

#: Scorecard units (as :mod:`bizmodel.advantage` writes them): (kind, unit key).
_SCORE_UNITS = {
    "fraction": ("pct", "workbook.unit.percent"),
    "USD per point per year": ("money", "workbook.unit.per_point_year"),
    "× competitor": ("number", "workbook.unit.times_competitor"),
    "points": ("number", "workbook.unit.points"),
    "points per $1,000": ("number", "workbook.unit.points_per_1000"),
    "samples": ("int", "workbook.unit.samples"),
    "ratio": ("number", "workbook.unit.times"),
    "months": ("number", "workbook.unit.months"),
}

#: Report notes (section → sheet or label key) listed on the Summary sheet.
_SECTION_KEYS = {
    "binding": "workbook.section.binding",
    "monte_carlo": "workbook.sheet.monte_carlo",
    "sensitivity": "workbook.sheet.sensitivity",
    "scorecard": "workbook.sheet.scorecard",
    "compute": "workbook.sheet.compute",
    "serving": "workbook.sheet.serving",
    "data_value": "workbook.section.data_value",
}

_UNIT_SUFFIX = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)


def strip_unit(label: str) -> str:
    """A label without its trailing parenthesised unit (the workbook puts units in its own way).

    >>> strip_unit("Cash ($)"), strip_unit("订阅费（$/客户/月）"), strip_unit("Requests per month")
    ('Cash', '订阅费', 'Requests per month')
    """
    return _UNIT_SUFFIX.sub("", label)


def safe_sheet_name(name: str, taken: Iterable[str] = ()) -> str:
    """``name`` as a valid, unused sheet name: no ``[]:*?/\\``, at most 31 characters.

    >>> safe_sheet_name("P&L: monthly [USD]"), safe_sheet_name("Runs", ["Runs"])
    ('P&L  monthly  USD', 'Runs 2')
    """
    base = SHEET_NAME_FORBIDDEN.sub(" ", name).strip().strip("'")[:SHEET_NAME_MAX].strip() or "Sheet"
    used = {n.lower() for n in taken}
    candidate, n = base, 1
    while candidate.lower() in used:
        n += 1
        suffix = f" {n}"
        candidate = base[: SHEET_NAME_MAX - len(suffix)] + suffix
    return candidate


def _finite(value: Any) -> float | None:
    """``value`` as a finite float, or None (None, NaN, ±inf, text, pandas NA)."""
    if value is None or isinstance(value, bool | str):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _clean_text(value: Any) -> str | None:
    """User or model text fit for a cell: control characters removed, length capped."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))[:CELL_TEXT_MAX]
    return text or None


def _when(value: Any) -> datetime | date | None:
    """A date or an ISO timestamp as a naive UTC datetime (Excel has no time zones)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value:
        try:
            return _when(datetime.fromisoformat(value))
        except ValueError:
            return None
    return None


def _magnitude_format(values: Iterable[Any], prefix: str = "") -> str:
    """A number format for amounts of this size: whole units from 100, cents from 1, four
    decimals from 0.01, scientific below."""
    sizes = [abs(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool) and v]
    top = max(sizes, default=0.0)
    if top == 0 or top >= 100:
        body = "#,##0"
    elif top >= 1:
        body = "#,##0.00"
    elif top >= 0.01:
        body = "#,##0.0000"
    else:
        body = "0.00E+00"
    return prefix + body


class _Book:
    """The workbook being written, in one language and currency."""

    def __init__(self, style: NumberStyle) -> None:
        self.style = style
        self.wb = Workbook()
        self.wb.remove(self.wb.active)

    def t(self, key: str, **values: object) -> str:
        return translate(key, self.style.language, **values)

    def m(self, reason: Reason | str | None) -> str | None:
        """An explanation of ``bizmodel`` (a detail, a reason), in the workbook's language."""
        return None if reason is None else words(reason, self.style.language)

    def unit(self, key: str) -> str:
        return self.t(key, symbol=self.style.symbol, amount=self.per_thousand())

    def per_thousand(self) -> str:
        """$1,000 (what data is priced per) in the workbook's currency: ``$1,000``, ``¥6,740``."""
        with number_style(self.style):
            return score_words()["amount"]

    def years(self, years: float) -> str:
        """A number of years with its unit in the workbook's language: ``1 year``, ``3 年``."""
        with number_style(self.style):
            return fmt_years(years)

    def sheet(self, key: str) -> Worksheet:
        return self.wb.create_sheet(safe_sheet_name(self.t(key), self.wb.sheetnames))

    def value(self, raw: Any, kind: str) -> Any:
        """The cell value of ``raw`` for a kind (money converted to the display currency)."""
        if kind == "text":
            return _clean_text(raw)
        if kind in ("datetime", "date"):
            return _when(raw)
        if kind == "bool":
            return bool(raw) if isinstance(raw, bool | np.bool_) else None
        number = _finite(raw)
        if number is None:
            return None
        if kind == "money":
            return self.style.from_usd(number)
        if kind in ("month", "int"):
            return round(number)
        return number

    def number_format(self, kind: str, values: Sequence[Any]) -> str | None:
        if kind == "money":
            return _magnitude_format(values, f'"{self.style.symbol}"')
        if kind == "number":
            return _magnitude_format(values)
        return FORMATS.get(kind)

    def put(self, ws: Worksheet, row: int, col: int, value: Any, fmt: str | None = None) -> Cell:
        """Write one converted value; text is always a string cell, never a formula."""
        cell = ws.cell(row=row, column=col)
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"
            if value.startswith(FORMULA_PREFIXES):
                cell.quotePrefix = True
        elif value is not None and fmt:
            cell.number_format = fmt
        return cell

    def header(self, ws: Worksheet, row: int, headers: Sequence[str], *, freeze: bool = True) -> int:
        for col, text in enumerate(headers, start=1):
            self.put(ws, row, col, _clean_text(text)).font = _BOLD
        if freeze:
            ws.freeze_panes = f"A{row + 1}"
        return row + 1

    def table(
        self,
        ws: Worksheet,
        row: int,
        columns: Sequence[tuple[str, str]],
        rows: Iterable[Sequence[Any]],
        *,
        freeze: bool = True,
    ) -> int:
        """Write a header (``columns``: header, kind) and ``rows`` of raw values from ``row``;
        one number format per column. Returns the next free row."""
        row = self.header(ws, row, [h for h, _ in columns], freeze=freeze)
        kinds = [k for _, k in columns]
        converted = [[self.value(v, k) for v, k in zip(r, kinds, strict=True)] for r in rows]
        formats = [self.number_format(k, [r[i] for r in converted]) for i, k in enumerate(kinds)]
        for values in converted:
            for col, (value, fmt) in enumerate(zip(values, formats, strict=True), start=1):
                self.put(ws, row, col, value, fmt)
            row += 1
        return row

    def line(self, ws: Worksheet, row: int, label: str, raw: Any, kind: str, *rest: Any) -> int:
        """One label/value line (value formatted on its own), then text columns; next row."""
        self.put(ws, row, 1, _clean_text(label))
        value = self.value(raw, kind)
        self.put(ws, row, 2, value, self.number_format(kind, [value]))
        for col, text in enumerate(rest, start=3):
            self.put(ws, row, col, _clean_text(text))
        return row + 1

    def section(self, ws: Worksheet, row: int, title: str) -> int:
        self.put(ws, row, 1, _clean_text(title)).font = _BOLD
        return row + 1

    def bytes(self) -> bytes:
        for ws in self.wb.worksheets:
            _fit_columns(ws)
        out = BytesIO()
        self.wb.save(out)
        return out.getvalue()


def _fit_columns(ws: Worksheet) -> None:
    """Column widths from the longest text (numbers count as 12 characters), 8–60."""
    widths: dict[int, int] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None:
                continue
            size = len(cell.value) if isinstance(cell.value, str) else 12
            widths[cell.column] = max(widths.get(cell.column, 0), size)
    for col, size in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = min(60, max(8, size + 2))


# ---------------------------------------------------------------------- sheets


def _run_label(book: _Book, report: Report) -> str:
    if report.inputs is None or report.run is None:
        return book.t("workbook.typed_values")
    return f"{report.run.name} ({report.run.id})"


def _kpi_provenance(book: _Book, report: Report) -> str:
    if report.inputs is None:
        return book.t("workbook.prov.projected")
    return book.t("workbook.prov.projected_run", run=report.inputs.run_id)


def _summary(book: _Book, report: Report) -> None:
    ws = book.sheet("workbook.sheet.summary")
    book.put(ws, 1, 1, book.t("workbook.title")).font = _TITLE
    row = 3
    row = book.line(ws, row, book.t("scenario.pick"), report.name, "text")
    row = book.line(ws, row, book.t("workbook.generated_at"), report.generated_at, "datetime")
    row = book.line(ws, row, book.t("workbook.run"), _run_label(book, report), "text")
    catalog = report.catalog
    named = f"{book.m(catalog['name'])} · {catalog['version']}"
    row = book.line(ws, row, book.t("workbook.catalog"), named, "text")
    row = book.line(ws, row, book.t("workbook.prices_newest"), catalog["as_of"], "date")
    row = book.line(ws, row, book.t("workbook.prices_oldest"), catalog["oldest_as_of"], "date")
    row = book.line(ws, row, book.t("sidebar.currency"), book.style.currency, "text")
    if book.style.currency == "CNY":
        row = book.line(ws, row, book.t("sidebar.rate"), book.style.usd_to_cny, "number")
    row += 1
    headers = (
        "workbook.col.kpi",
        "workbook.col.value",
        "workbook.col.unit",
        "workbook.col.provenance",
        "workbook.col.note",
    )
    row = book.header(ws, row, [book.t(h) for h in headers], freeze=False)
    values, reasons = report.kpis.to_dict(), report.kpis.all_reasons()
    provenance = _kpi_provenance(book, report)
    for spec in listed_in(WORKBOOK):
        note = book.m(reasons.get(spec.key))
        if spec.explained_by == "terminal":
            note = terminal_help(report.kpis, report.effective, book.style.language)
        unit = book.unit(spec.unit_key)
        row = book.line(ws, row, book.t(spec.label), values[spec.key], spec.cell, unit, provenance, note)
    accuracy = report.accuracy_value
    row = book.line(
        ws,
        row,
        book.t("scenario.value_of_accuracy"),
        accuracy.usd_per_point_year,
        "money",
        book.unit("workbook.unit.per_point_year"),
        provenance,
        book.m(accuracy.reason),
    )
    row = book.section(ws, row + 1, book.t("production.title"))
    row = book.line(ws, row, production_lead(report.effective, report.inputs, book.t), None, "text")
    for figure in production_figures(report.effective, report.inputs):
        if figure.measured and report.inputs is not None:
            source = book.t("workbook.prov.measured", run=report.inputs.run_id)
        else:
            source = book.t("provenance.assumed")
        row = book.line(
            ws,
            row,
            book.t(f"production.{figure.key}"),
            figure.usd,
            "money",
            book.unit(_FIGURE_UNITS[figure.key]),
            source,
            book.m(figure.detail) or None,
        )
    if report.notes:
        row += 1
        row = book.header(ws, row, [book.t("workbook.col.section"), book.t("workbook.col.why")], freeze=False)
        for section, why in report.notes.items():
            key = _SECTION_KEYS.get(section)
            row = book.line(ws, row, book.t(key) if key else section, book.m(why), "text")


def _field_label(book: _Book, name: str) -> str:
    declared = find(name)
    return strip_unit(book.t(declared.label if declared is not None else f"scenario.f.{name}"))


def _assumptions(book: _Book, report: Report) -> None:
    ws = book.sheet("workbook.sheet.assumptions")
    s: Scenario = report.effective
    measured = report.measured_fields
    run_id = report.inputs.run_id if report.inputs is not None else ""

    def provenance(name: str) -> str:
        if name in measured:
            return book.t("workbook.prov.measured", run=run_id)
        return book.t("provenance.assumed")

    cols = ("scenario.col.field", "workbook.col.value", "workbook.col.unit", "workbook.col.provenance")
    row = book.header(ws, 1, [book.t(c) for c in cols])
    scale = report.inputs.scale if report.inputs is not None else None
    for spec in FIELDS:
        value, source = spec.of(s), provenance(spec.name)
        if spec.name in _FACTORS and value == 0:
            value = getattr(scale, _FACTORS[spec.name]) if scale is not None else None
            source = book.t("workbook.prov.derived")
        elif spec.kind == "choice":
            value = book.t(f"{spec.options_key}.{value}")
        unit = book.unit(spec.units.workbook_key)
        row = book.line(ws, row, _field_label(book, spec.name), value, spec.units.cell, unit, source)

    row = book.section(ws, row + 1, book.t("scenario.headcount"))
    heads = s.headcount_by_month
    changes = [(i, h) for i, h in enumerate(heads, start=1) if i == 1 or h != heads[i - 2]]
    people = f"{strip_unit(book.t('scenario.col.headcount'))} ({book.unit('workbook.unit.people')})"
    row = book.table(
        ws, row, [(book.t("scenario.col.from_month"), "month"), (people, "general")], changes, freeze=False
    )

    row = book.section(ws, row + 1, book.t("scenario.funding"))
    amount = f"{strip_unit(book.t('scenario.col.amount_usd'))} ({book.style.symbol})"
    rounds = [(r.month, r.amount_usd) for r in s.funding_rounds]
    row = book.table(
        ws, row, [(book.t("scenario.col.month"), "month"), (amount, "money")], rounds, freeze=False
    )

    row = book.section(ws, row + 1, book.t("scenario.ranges"))
    headers = [
        book.t(k)
        for k in (
            "scenario.col.field",
            "scenario.col.low",
            "scenario.col.high",
            "workbook.col.unit",
            "scenario.col.distribution",
            "workbook.col.provenance",
        )
    ]
    row = book.header(ws, row, headers, freeze=False)
    for r in s.ranges:
        declared = find(r.field)
        kind = declared.units.cell if declared is not None else "number"
        book.put(ws, row, 1, _field_label(book, r.field))
        for col, raw in ((2, r.low), (3, r.high)):
            value = book.value(raw, kind)
            book.put(ws, row, col, value, book.number_format(kind, [value]))
        book.put(ws, row, 4, book.unit(declared.units.workbook_key if declared else "workbook.unit.times"))
        book.put(ws, row, 5, r.distribution)
        book.put(ws, row, 6, provenance(r.field))
        row += 1


def _monthly(book: _Book, report: Report) -> None:
    ws = book.sheet("workbook.sheet.monthly")
    columns: list[tuple[str, str]] = [(book.t("scenario.col.month"), "month")]
    for name in COLUMNS:
        label = strip_unit(book.t(f"scenario.col.{name}"))
        money = name.endswith("_usd")
        columns.append((f"{label} ({book.style.symbol})" if money else label, "money" if money else "count"))
    frame = report.frame
    rows = [(month, *(frame.at[month, c] for c in COLUMNS)) for month in frame.index]
    book.table(ws, 1, columns, rows)


def _monte_carlo(book: _Book, report: Report) -> None:
    mc = report.monte_carlo
    if mc is None:
        return
    ws = book.sheet("workbook.sheet.monte_carlo")
    symbol = book.style.symbol
    row = book.line(ws, 1, book.t("scenario.mc.paths"), mc.paths, "int")
    row = book.line(ws, row, book.t("scenario.mc.seed"), mc.seed, "int")
    for q in ("p10", "p50", "p90"):
        row = book.line(ws, row, book.t(f"workbook.mc.npv_{q}", symbol=symbol), mc.npv.get(q), "money")
    row = book.line(ws, row, book.t("scenario.mc.p_out_of_cash"), mc.probability_out_of_cash, "pct")
    row = book.line(ws, row, book.t("scenario.mc.p_break_even"), mc.probability_break_even, "pct")
    row = _median_gap(book, ws, row, mc.median_gap)
    columns = [(book.t("scenario.col.month"), "month")]
    columns += [(book.t(f"workbook.mc.cash_{q}", symbol=symbol), "money") for q in ("p10", "p50", "p90")]
    fan = mc.fan
    rows = [(month, fan.at[month, "p10"], fan.at[month, "p50"], fan.at[month, "p90"]) for month in fan.index]
    book.table(ws, row + 1, columns, rows)


#: Number formats of a ranged field's values by :func:`present.median_gap_text.field_kind`.
_GAP_KINDS = {"pct": "pct2", "usd": "money", "number": "number", "count": "count"}


def _median_gap(book: _Book, ws: Worksheet, row: int, gap: MedianGap | None) -> int:
    """The plan's NPV, the median's gap to it and each range's part (its median and the NPV moved
    by that one input at its median, then the ranges acting together), from ``row``; next row."""
    if gap is None or not gap.drivers:
        return row
    symbol = book.style.symbol
    row = book.line(ws, row, book.t("workbook.mc.plan_npv", symbol=symbol), gap.point_npv_usd, "money")
    row = book.line(ws, row, book.t("workbook.mc.gap", symbol=symbol), gap.gap_usd, "money")
    row = book.line(ws, row, book.t("workbook.mc.together", symbol=symbol), gap.interaction_usd, "money")
    row = book.section(ws, row + 1, book.t("median_gap.title"))
    keys = ("scenario.col.field", "scenario.col.distribution", "scenario.col.low", "scenario.col.high")
    headers = [book.t(k) for k in keys]
    headers += [book.t("median_gap.col.plan"), book.t("median_gap.col.median")]
    row = book.header(ws, row, [*headers, book.t("workbook.mc.effect", symbol=symbol)], freeze=False)
    for d in gap.drivers:
        kind = _GAP_KINDS[field_kind(d.field)]
        distribution = book.t(f"report.distribution.{d.distribution}")
        book.put(ws, row, 1, _field_label(book, d.field))
        book.put(ws, row, 2, d.distribution if distribution.startswith("[") else distribution)
        for col, raw in ((3, d.low), (4, d.high), (5, d.point_value), (6, d.median_value)):
            value = book.value(raw, kind)
            book.put(ws, row, col, value, book.number_format(kind, [value]))
        effect = book.value(d.npv_effect_usd, "money")
        book.put(ws, row, 7, effect, book.number_format("money", [effect]))
        row += 1
    return row


def _sensitivity(book: _Book, report: Report) -> None:
    table = report.tornado
    if table is None:
        return
    ws = book.sheet("workbook.sheet.sensitivity")
    row = book.line(ws, 1, book.t("scenario.tornado.change"), report.change, "pct")
    symbol = book.style.symbol
    columns = [(book.t("workbook.col.lever"), "text"), (book.t("workbook.col.kind"), "text")]
    columns += [(book.t(f"workbook.col.{c}"), "pct") for c in ("move_down", "move_up")]
    columns += [
        (book.t(f"workbook.col.{c}", symbol=symbol), "money")
        for c in ("npv_down", "npv_up", "npv_base", "npv_swing")
    ]
    columns += [(book.t(f"workbook.col.{c}"), "month") for c in ("be_down", "be_up", "be_base")]
    rows = []
    for r in table.to_dict("records"):
        lever = book.t(f"lever.{r['key']}")
        kind = book.t(f"scenario.tornado.{r['kind']}")
        rows.append(
            (
                r["label"] if lever.startswith("[") else lever,
                r["kind"] if kind.startswith("[") else kind,
                *(r[c] for c in TORNADO_COLUMNS[3:]),  # low_change … break_even_base
            )
        )
    book.table(ws, row + 1, columns, rows)


def _scorecard(book: _Book, report: Report) -> None:
    if not report.scorecard:
        return
    ws = book.sheet("workbook.sheet.scorecard")
    keys = (
        "workbook.col.category",
        "workbook.col.item",
        "workbook.col.value",
        "workbook.col.unit",
        "workbook.col.favourable",
        "workbook.col.provenance",
        "workbook.col.detail",
        "workbook.col.note",
    )
    row = book.header(ws, 1, [book.t(k) for k in keys])
    for item in report.scorecard:
        kind, unit_key = _SCORE_UNITS.get(item.unit, ("number", ""))
        label = book.t(f"advantage.item.{item.key}", amount=book.per_thousand())
        texts = (
            book.t(f"advantage.category.{item.category}"),
            item.label if label.startswith("[") else label,
        )
        for col, text in enumerate(texts, start=1):
            book.put(ws, row, col, _clean_text(text))
        value = book.value(item.value, kind)
        book.put(ws, row, 3, value, book.number_format(kind, [value]))
        book.put(ws, row, 4, _clean_text(book.unit(unit_key) if unit_key else item.unit))
        book.put(ws, row, 5, item.favourable)
        book.put(ws, row, 6, book.t(f"provenance.{item.provenance}"))
        book.put(ws, row, 7, _clean_text(book.m(item.detail)))
        book.put(ws, row, 8, _clean_text(book.m(item.reason)))
        row += 1


def _case_label(book: _Book, section: Any) -> str:
    return book.t(
        "report.compute.production",
        data=factor_text(section.data_factor),
        model=factor_text(section.model_factor),
    )


def _compute(book: _Book, report: Report) -> None:
    if not report.compute:
        return
    ws = book.sheet("workbook.sheet.compute")
    symbol = book.style.symbol
    work_columns = [
        (book.t("workbook.col.case"), "text"),
        (book.t("compute.data_factor"), "number"),
        (book.t("compute.model_factor"), "number"),
        (book.t("compute.m.flops"), "sci"),
        (book.t("m.params"), "int"),
        (book.t("workbook.col.memory_bytes"), "int"),
        (book.t("workbook.col.options"), "int"),
        (book.t("workbook.col.feasible_options"), "int"),
    ]
    work_rows = [
        (
            _case_label(book, c),
            c.data_factor,
            c.model_factor,
            c.work.flops,
            c.work.params,
            c.work.memory_bytes,
            c.options_total,
            c.feasible_options,
        )
        for c in report.compute
    ]
    row = book.table(ws, 1, work_columns, work_rows, freeze=False)
    columns = [
        (book.t("workbook.col.case"), "text"),
        (book.t("workbook.col.cost_rank"), "int"),
        (book.t("compute.col.provider"), "text"),
        (book.t("workbook.col.region"), "text"),
        (book.t("workbook.col.instance"), "text"),
        (book.t("compute.col.accelerator"), "text"),
        (book.t("compute.col.count"), "int"),
        (book.t("compute.col.nodes"), "int"),
        (book.t("compute.col.pricing"), "text"),
        (book.t("workbook.col.usd_per_hour", symbol=symbol), "money"),
        (book.t("workbook.col.usd_per_gpu_hour", symbol=symbol), "money"),
        (book.t("compute.col.feasible"), "bool"),
        (book.t("compute.col.days"), "number"),
        (book.t("compute.col.gpu_hours"), "number"),
        (book.t("workbook.col.cost", symbol=symbol), "money"),
        (book.t("compute.col.energy"), "number"),
        (book.t("compute.col.co2"), "number"),
        (book.t("compute.col.as_of"), "date"),
    ]
    rows = []
    for c in report.compute:
        case = _case_label(book, c)
        for r in c.options.to_dict("records"):
            pricing = book.t(f"compute.pricing.{r.get('pricing')}")
            rows.append(
                (
                    case,
                    r.get("cost_rank"),
                    r.get("provider"),
                    r.get("region"),
                    r.get("instance_type"),
                    r.get("accelerator"),
                    r.get("count"),
                    r.get("nodes"),
                    r.get("pricing") if pricing.startswith("[") else pricing,
                    r.get("usd_per_hour"),
                    r.get("usd_per_gpu_hour"),
                    r.get("feasible"),
                    r.get("days"),
                    r.get("gpu_hours"),
                    r.get("cost_usd"),
                    r.get("energy_kwh"),
                    r.get("co2_kg"),
                    r.get("as_of"),
                )
            )
    book.table(ws, row + 1, columns, rows)


def _serving(book: _Book, report: Report) -> None:
    serving = report.serving
    if serving is None:
        return
    ws = book.sheet("workbook.sheet.serving")
    symbol = book.style.symbol
    row = book.line(ws, 1, book.t("serving.requests"), serving.requests_per_month, "count")
    row = book.line(ws, row, book.t("serving.p95"), serving.p95_target_ms, "number")
    best = book.m((serving.best or {}).get("option"))
    row = book.line(ws, row, book.t("serving.m.best"), best, "text")
    columns = [
        (book.t("serving.col.option"), "text"),
        (book.t("workbook.col.provenance"), "text"),
        (book.t("workbook.col.instance"), "text"),
        (book.t("compute.col.accelerator"), "text"),
        (book.t("compute.col.count"), "int"),
        (book.t("workbook.col.path"), "text"),
        (book.t("workbook.col.batch_size"), "int"),
        (book.t("workbook.col.quantized"), "bool"),
        (book.t("workbook.col.accuracy"), "pct2"),
        (book.t("serving.col.sps"), "number"),
        (book.t("workbook.col.p50_ms"), "number"),
        (book.t("serving.col.p95_call"), "number"),
        (book.t("workbook.col.usd_per_hour", symbol=symbol), "money"),
        (book.t("workbook.col.usd_per_1000_full", symbol=symbol), "money"),
        (book.t("serving.col.instances"), "int"),
        (book.t("workbook.col.monthly", symbol=symbol), "money"),
        (book.t("workbook.col.usd_per_1000_at_load", symbol=symbol), "money"),
        (book.t("workbook.col.fill_ms"), "number"),
        (book.t("serving.col.p95_request"), "number"),
        (book.t("serving.col.meets"), "bool"),
        (book.t("compute.col.as_of"), "date"),
    ]
    rows = []
    for r in serving.plan.to_dict("records"):
        prov = book.t(f"provenance.{r.get('provenance')}")
        rows.append(
            (
                book.m(r.get("option")),
                r.get("provenance") if prov.startswith("[") else prov,
                r.get("instance"),
                r.get("accelerator"),
                r.get("count"),
                r.get("path"),
                r.get("batch_size"),
                r.get("quantized"),
                r.get("accuracy"),
                r.get("samples_per_second"),
                r.get("p50_ms"),
                r.get("p95_ms"),
                r.get("usd_per_hour"),
                r.get("usd_per_1000"),
                r.get("instances"),
                r.get("monthly_usd"),
                r.get("usd_per_1000_at_load"),
                r.get("fill_ms"),
                r.get("p95_request_ms"),
                r.get("meets_p95_target"),
                r.get("as_of"),
            )
        )
    book.table(ws, row + 1, columns, rows)


def _value_source(book: _Book, report: Report) -> str:
    data = report.data_value
    if data is None:
        return ""
    if data.value_provenance == "scenario":
        return book.t("data_value.prov.value_from", name=data.inputs.value_from or "")
    return book.t("workbook.data.typed" if data.value_provenance == "typed" else "workbook.data.default")


def _data_value(book: _Book, report: Report) -> None:
    """The Data value page's figures: inputs, purchase, optimum, fit and points."""
    data = report.data_value
    if data is None:
        return
    ws = book.sheet("workbook.sheet.data_value")
    econ, buy, best, fit = data.economics, data.purchase, data.optimal, data.fit
    row = book.header(
        ws,
        1,
        [
            book.t(h)
            for h in ("workbook.col.item", "workbook.col.value", "workbook.col.unit", "workbook.col.note")
        ],
        freeze=False,
    )
    source = _value_source(book, report)
    samples, points = book.unit("workbook.unit.samples"), book.unit("workbook.unit.points")
    money, per_year = book.unit("workbook.unit.money"), book.unit("workbook.unit.per_year")
    horizon = book.years(econ.horizon_years)
    lines: list[tuple[str, Any, str, str, str]] = [
        (strip_unit(book.t("data_value.in.value")), econ.value_usd_per_point_per_year, "money",
         book.unit("workbook.unit.per_point_year"), source),
        (strip_unit(book.t("data_value.in.cost")), econ.label_cost_usd_per_sample, "money",
         book.unit("workbook.unit.per_sample"), ""),
        (strip_unit(book.t("data_value.in.horizon")), econ.horizon_years, "number",
         book.unit("workbook.unit.years"), ""),
        (strip_unit(book.t("data_value.in.samples")), buy.extra_samples, "int", samples, ""),
        (book.t("workbook.data.n_before"), buy.n_before, "int", samples, ""),
        (book.t("workbook.data.accuracy_before"), buy.accuracy_before, "pct2", "", ""),
        (book.t("workbook.data.accuracy_after"), buy.accuracy_after, "pct2", "", ""),
        (book.t("data_value.m.gain"), buy.gain_points, "number", points, ""),
        (book.t("workbook.data.gain_low", level=f"{100 * buy.interval_level:.0f}"), buy.gain_points_low,
         "number", points, ""),
        (book.t("workbook.data.gain_high", level=f"{100 * buy.interval_level:.0f}"), buy.gain_points_high,
         "number", points, ""),
        (book.t("data_value.m.value"), buy.value_usd_per_year, "money", per_year, ""),
        (book.t("data_value.m.cost"), buy.labelling_cost_usd, "money", money, ""),
        (book.t("data_value.m.net", years=horizon), buy.net_value_usd, "money", money, ""),
        (book.t("data_value.m.roi"), buy.roi, "pct", "", ""),
        (book.t("data_value.m.payback"), buy.payback_months, "number", book.unit("workbook.unit.months"), ""),
        (book.t("data_value.m.optimum"), best.n_train, "int", samples,
         book.t("workbook.data.searched_to", n=f"{data.max_n:,}")),
        (book.t("workbook.data.optimum_net"), best.net_value_usd, "money", money, ""),
        ("a", fit.a, "number", "", book.t("data_value.fit.a")),
        ("b", fit.b, "number", "", book.t("data_value.fit.b")),
        ("c", fit.c, "number", "", book.t("data_value.fit.c")),
    ]  # fmt: skip
    for label, raw, kind, unit, note in lines:
        row = book.line(ws, row, label, raw, kind, unit, note)
    columns = [
        (book.t("report.col.samples"), "int"),
        (book.t("workbook.col.accuracy"), "pct2"),
        (book.t("report.col.std_points"), "number"),
        (book.t("report.col.seeds"), "int"),
    ]
    rows = [(p.n_train, p.accuracy_mean, 100 * p.accuracy_std, p.seeds) for p in data.points]
    book.table(ws, row + 1, columns, rows, freeze=False)


def _priced_under(book: _Book, assumptions: Any) -> str:
    return book.t(
        "report.explored.priced_under", mfu=f"{100 * assumptions.mfu:.0f} %", nodes=int(assumptions.max_nodes)
    )


def _explored(book: _Book, report: Report) -> None:
    """The training plans and budgets explored on the Compute cost page, recomputed."""
    explored = report.explored
    if explored is None:
        return
    ws = book.sheet("workbook.sheet.explored")
    lead = "report.explored.defaults" if explored.defaults else "report.explored.lead"
    book.put(ws, 1, 1, _clean_text(book.t(lead, plans=len(explored.plans), budgets=len(explored.budgets))))
    symbol = book.style.symbol
    row = book.section(ws, 3, book.t("report.explored.plans"))
    columns = [
        (book.t("compute.mode"), "text"),
        (book.t("workbook.col.params"), "sci"),
        (book.t("workbook.col.active_params"), "sci"),
        (book.t("workbook.col.tokens"), "sci"),
        (book.t("compute.data_factor"), "number"),
        (book.t("compute.model_factor"), "number"),
        (book.t("compute.m.flops"), "sci"),
        (book.t("report.explored.col.priced_under"), "text"),
        (book.t("workbook.col.cheapest"), "text"),
        (book.t("workbook.col.cheapest_cost", symbol=symbol), "money"),
        (book.t("workbook.col.cheapest_days"), "number"),
        (book.t("workbook.col.fastest"), "text"),
        (book.t("workbook.col.fastest_cost", symbol=symbol), "money"),
        (book.t("workbook.col.fastest_days"), "number"),
        (book.t("workbook.col.why"), "text"),
    ]
    rows = []
    for o in explored.plans:
        plan, low, high = o.plan, o.cheapest or {}, o.fastest or {}
        scaled = plan.mode == "scaled_run"
        rows.append(
            (
                book.t(f"compute.mode.{plan.mode}"),
                o.work.params if o.work is not None else (None if scaled else plan.params),
                o.work.active_params if o.work is not None else plan.active_params,
                None if scaled else plan.tokens,
                plan.data_factor if scaled else None,
                plan.model_factor if scaled else None,
                o.work.flops if o.work is not None else None,
                _priced_under(book, plan.assumptions),
                _option_text(book, low),
                low.get("cost_usd"),
                low.get("days"),
                _option_text(book, high),
                high.get("cost_usd"),
                high.get("days"),
                book.m(o.reason),
            )
        )
    row = book.table(ws, row, columns, rows, freeze=False)
    row = book.section(ws, row + 1, book.t("report.explored.budgets"))
    columns = [
        (book.t("workbook.col.budget", symbol=symbol), "money"),
        (book.t("workbook.col.deadline_days"), "number"),
        (book.t("report.explored.col.active_share"), "pct"),
        (book.t("report.explored.col.priced_under"), "text"),
        (book.t("workbook.col.params"), "sci"),
        (book.t("workbook.col.active_params"), "sci"),
        (book.t("workbook.col.tokens"), "sci"),
        (book.t("workbook.col.cost", symbol=symbol), "money"),
        (book.t("compute.col.days"), "number"),
        (book.t("workbook.col.instance"), "text"),
        (book.t("report.explored.col.limited"), "text"),
        (book.t("workbook.col.why"), "text"),
    ]
    rows = []
    for b in explored.budgets:
        q = b.question
        limited = (
            book.t(f"compute.limited.{b.limited_by}", nodes=int(q.assumptions.max_nodes))
            if b.limited_by
            else ""
        )
        rows.append(
            (
                q.budget_usd,
                q.deadline_days,
                q.active_share,
                _priced_under(book, q.assumptions),
                b.params,
                b.active_params,
                b.tokens,
                b.cost_usd,
                b.days,
                _option_text(book, b.option or {}),
                limited,
                book.m(b.reason),
            )
        )
    book.table(ws, row, columns, rows, freeze=False)


def _option_text(book: _Book, row: dict[str, Any]) -> str | None:
    """An option as ``provider instance × nodes (count × accelerator, pricing)``, None without one."""
    if not row:
        return None
    return book.t("report.explored.option", **option_words(row, book.t))


def _validation(book: _Book, report: Report) -> None:
    """Moatlab's estimates beside published training runs and MLPerf results."""
    table = report.validation
    if table is None or table.empty:
        return
    ws = book.sheet("workbook.sheet.validation")
    columns = [
        (book.t("compute.validation.col.name"), "text"),
        (book.t("compute.validation.col.organisation"), "text"),
        (book.t("compute.validation.col.year"), "int"),
        (book.t("compute.validation.col.hardware"), "text"),
        (book.t("compute.validation.col.unit"), "text"),
        (book.t("compute.validation.col.published"), "sci"),
        (book.t("compute.validation.col.estimate"), "sci"),
        (book.t("compute.validation.col.ratio"), "number"),
        (book.t("compute.validation.col.scope"), "text"),
        (book.t("compute.validation.col.source"), "text"),
    ]
    scope = table["scope_zh"] if book.style.language == "zh" else table["scope"]
    rows = [
        (
            r["name"],
            r["organisation"],
            int(r["year"]),
            r["hardware"],
            book.t(f"compute.validation.unit.{r['unit']}"),
            float(r["published"]),
            float(r["estimate"]),
            float(r["ratio"]),
            sc,
            r["source"],
        )
        for (_, r), sc in zip(table.iterrows(), scope, strict=True)
    ]
    book.table(ws, 1, columns, rows)


def _runs(book: _Book, report: Report, runs: Sequence[RunRecord]) -> None:
    unique: dict[str, RunRecord] = {}
    for run in ([report.run] if report.run is not None else []) + list(runs):
        unique.setdefault(run.id, run)
    if not unique:
        return
    ws = book.sheet("workbook.sheet.runs")
    columns = [
        (book.t("workbook.col.run_id"), "text"),
        (book.t("col.name"), "text"),
        (book.t("col.dataset"), "text"),
        (book.t("col.model"), "text"),
        (book.t("col.status"), "text"),
        (book.t("m.test_accuracy"), "pct2"),
        (book.t("m.precision"), "score"),
        (book.t("m.recall"), "score"),
        (book.t("m.f1"), "score"),
        (book.t("workbook.col.wall_seconds"), "number"),
        (book.t("m.samples_per_second"), "number"),
        (book.t("m.mfu"), "pct2"),
        (book.t("m.params"), "int"),
        (book.t("m.flops_per_sample"), "int"),
        (book.t("col.created"), "datetime"),
    ]
    rows = [
        (
            r.id,
            r.name,
            r.dataset,
            r.model,
            r.status,
            r.test_accuracy,
            r.test_precision_macro,
            r.test_recall_macro,
            r.test_f1_macro,
            r.wall_seconds,
            r.samples_per_second,
            r.mfu,
            r.params,
            r.flops_per_sample,
            r.created_at,
        )
        for r in unique.values()
    ]
    book.table(ws, 1, columns, rows)


def workbook_bytes(report: Report, style: NumberStyle, *, runs: Sequence[RunRecord] = ()) -> bytes:
    """The report as an .xlsx file (module docstring: sheets, units, conventions).

    Parameters
    ----------
    report : Report
        The business case (:func:`present.report_data.build_report`); money in USD.
    style : NumberStyle
        The language of the labels and the display currency (USD, or CNY at its rate).
    runs : sequence of RunRecord
        More runs for the Runs sheet (the report's own run comes first; duplicates are dropped).

    Returns
    -------
    bytes
        The workbook, ready to download or write to a file.
    """
    book = _Book(style)
    _summary(book, report)
    _assumptions(book, report)
    _monthly(book, report)
    _monte_carlo(book, report)
    _sensitivity(book, report)
    _scorecard(book, report)
    _compute(book, report)
    _serving(book, report)
    _data_value(book, report)
    _explored(book, report)
    _validation(book, report)
    _runs(book, report, runs)
    return book.bytes()


__all__ = ["safe_sheet_name", "strip_unit", "workbook_bytes"]
