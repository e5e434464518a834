"""The business-case sheets of :mod:`present.workbook`: Summary, Assumptions, Monthly, Monte Carlo,
Sensitivity and Scorecard (money in the display currency, fractions 0–1 with percent formats).
"""

from __future__ import annotations

from openpyxl.worksheet.worksheet import Worksheet

from bizmodel.median_gap import MedianGap
from bizmodel.projection import COLUMNS
from bizmodel.scenario import Scenario
from bizmodel.sensitivity import TORNADO_COLUMNS
from present.field_registry import FIELDS, find
from present.kpi_registry import WORKBOOK, listed_in
from present.median_gap_text import field_kind
from present.narrative import terminal_help
from present.production_text import production_figures, production_lead
from present.report_data import Report
from present.workbook_book import TITLE, Book, clean_text, strip_unit

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


def _run_label(book: Book, report: Report) -> str:
    if report.inputs is None or report.run is None:
        return book.t("workbook.typed_values")
    return f"{report.run.name} ({report.run.id})"


def _kpi_provenance(book: Book, report: Report) -> str:
    if report.inputs is None:
        return book.t("workbook.prov.projected")
    return book.t("workbook.prov.projected_run", run=report.inputs.run_id)


def _summary(book: Book, report: Report) -> None:
    ws = book.sheet("workbook.sheet.summary")
    book.put(ws, 1, 1, book.t("workbook.title")).font = TITLE
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


def _field_label(book: Book, name: str) -> str:
    declared = find(name)
    return strip_unit(book.t(declared.label if declared is not None else f"scenario.f.{name}"))


def _assumptions(book: Book, report: Report) -> None:
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


def _monthly(book: Book, report: Report) -> None:
    ws = book.sheet("workbook.sheet.monthly")
    columns: list[tuple[str, str]] = [(book.t("scenario.col.month"), "month")]
    for name in COLUMNS:
        label = strip_unit(book.t(f"scenario.col.{name}"))
        money = name.endswith("_usd")
        columns.append((f"{label} ({book.style.symbol})" if money else label, "money" if money else "count"))
    frame = report.frame
    rows = [(month, *(frame.at[month, c] for c in COLUMNS)) for month in frame.index]
    book.table(ws, 1, columns, rows)


def _monte_carlo(book: Book, report: Report) -> None:
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


def _median_gap(book: Book, ws: Worksheet, row: int, gap: MedianGap | None) -> int:
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


def _sensitivity(book: Book, report: Report) -> None:
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


def _scorecard(book: Book, report: Report) -> None:
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
            book.put(ws, row, col, clean_text(text))
        value = book.value(item.value, kind)
        book.put(ws, row, 3, value, book.number_format(kind, [value]))
        book.put(ws, row, 4, clean_text(book.unit(unit_key) if unit_key else item.unit))
        book.put(ws, row, 5, item.favourable)
        book.put(ws, row, 6, book.t(f"provenance.{item.provenance}"))
        book.put(ws, row, 7, clean_text(book.m(item.detail)))
        book.put(ws, row, 8, clean_text(book.m(item.reason)))
        row += 1


def write_case_sheets(book: Book, report: Report) -> None:
    """Summary, Assumptions, Monthly, then Monte Carlo, Sensitivity and Scorecard when computed."""
    _summary(book, report)
    _assumptions(book, report)
    _monthly(book, report)
    _monte_carlo(book, report)
    _sensitivity(book, report)
    _scorecard(book, report)
