"""The production sheets of :mod:`present.workbook`: Compute, Serving, Data value, Plans explored,
Validation and Runs (money in the display currency; a sheet whose section is missing is left out).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from bizmodel.production import factor_text
from mlcore.specs import RunRecord
from present.explored import ExploredSection, option_words
from present.report_data import Report
from present.workbook_book import Book, clean_text, strip_unit


def _case_label(book: Book, section: Any) -> str:
    return book.t(
        "report.compute.production",
        data=factor_text(section.data_factor),
        model=factor_text(section.model_factor),
    )


def _compute(book: Book, report: Report) -> None:
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


def _serving(book: Book, report: Report) -> None:
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


def _value_source(book: Book, report: Report) -> str:
    data = report.data_value
    if data is None:
        return ""
    if data.value_provenance == "scenario":
        return book.t("data_value.prov.value_from", name=data.inputs.value_from or "")
    return book.t("workbook.data.typed" if data.value_provenance == "typed" else "workbook.data.default")


def _data_value(book: Book, report: Report) -> None:
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


def _priced_under(book: Book, assumptions: Any) -> str:
    return book.t(
        "report.explored.priced_under", mfu=f"{100 * assumptions.mfu:.0f} %", nodes=int(assumptions.max_nodes)
    )


def _explored(book: Book, report: Report) -> None:
    """The training plans and budgets explored on the Compute cost page, recomputed."""
    explored = report.explored
    if explored is None:
        return
    ws = book.sheet("workbook.sheet.explored")
    lead = "report.explored.defaults" if explored.defaults else "report.explored.lead"
    book.put(ws, 1, 1, clean_text(book.t(lead, plans=len(explored.plans), budgets=len(explored.budgets))))
    row = _explored_plans(book, ws, book.section(ws, 3, book.t("report.explored.plans")), explored)
    _explored_budgets(book, ws, book.section(ws, row + 1, book.t("report.explored.budgets")), explored)


def _explored_plans(book: Book, ws: Worksheet, row: int, explored: ExploredSection) -> int:
    """One row per training plan explored: its inputs, cheapest and fastest options; next row."""
    symbol = book.style.symbol

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
    return book.table(ws, row, columns, rows, freeze=False)


def _explored_budgets(book: Book, ws: Worksheet, row: int, explored: ExploredSection) -> None:
    """One row per budget explored: the largest model it buys by the deadline, and its option."""
    symbol = book.style.symbol
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


def _option_text(book: Book, row: dict[str, Any]) -> str | None:
    """An option as ``provider instance × nodes (count × accelerator, pricing)``, None without one."""
    if not row:
        return None
    return book.t("report.explored.option", **option_words(row, book.t))


def _validation(book: Book, report: Report) -> None:
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


def _runs(book: Book, report: Report, runs: Sequence[RunRecord]) -> None:
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


def write_production_sheets(book: Book, report: Report, runs: Sequence[RunRecord]) -> None:
    """Compute, Serving, Data value, Plans explored, Validation and Runs, each when it has rows."""
    _compute(book, report)
    _serving(book, report)
    _data_value(book, report)
    _explored(book, report)
    _validation(book, report)
    _runs(book, report, runs)
