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

from collections.abc import Sequence

from mlcore.specs import RunRecord
from present.format import NumberStyle
from present.report_data import Report
from present.workbook_book import Book, safe_sheet_name, strip_unit
from present.workbook_case import write_case_sheets
from present.workbook_production import write_production_sheets


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
    book = Book(style)
    write_case_sheets(book, report)
    write_production_sheets(book, report, runs)
    return book.bytes()


__all__ = ["safe_sheet_name", "strip_unit", "workbook_bytes"]
