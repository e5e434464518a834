"""The writer behind :mod:`present.workbook`: one :class:`Book` in one language and currency, the
cell conventions (numbers as numbers, money in the display currency, text never a formula) and
Excel's limits (sheet names, text per cell). The sheets are in :mod:`present.workbook_case` and
:mod:`present.workbook_production`.
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

from bizmodel.reasons import Reason
from present.explain import words
from present.format import NumberStyle, fmt_years, number_style
from present.i18n import translate
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

_UNIT_SUFFIX = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)


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


def clean_text(value: Any) -> str | None:
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


class Book:
    """The workbook being written, in one language and currency (money stored × ``style.factor``)."""

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
            return clean_text(raw)
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
            self.put(ws, row, col, clean_text(text)).font = BOLD
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
        self.put(ws, row, 1, clean_text(label))
        value = self.value(raw, kind)
        self.put(ws, row, 2, value, self.number_format(kind, [value]))
        for col, text in enumerate(rest, start=3):
            self.put(ws, row, col, clean_text(text))
        return row + 1

    def section(self, ws: Worksheet, row: int, title: str) -> int:
        self.put(ws, row, 1, clean_text(title)).font = BOLD
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
