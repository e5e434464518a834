"""Number, unit and currency formatting: one way to write every quantity in the UI.

Pure functions (no Streamlit). Missing values render as an en dash "–".

Money enters every function in **US dollars** and is shown in the display currency of the current
:class:`NumberStyle` (USD, or CNY at the user's exchange rate). In Chinese, large numbers use
万 (10⁴), 亿 (10⁸) and 万亿 (10¹²) instead of k/M/B/T. The style lives in a context variable: the
app sets it at the start of every script run and of every fragment rerun (each runs in its own
context), a report or a test wraps its work in ``with number_style(style):``; the default is
English and USD.

Rules that hold everywhere (pages, charts, tables, the report and the workbook):

* **Money is never written in scientific notation.** An amount of a cent or more takes three
  significant digits and k / M / B / T (万 / 亿 / 万亿 in Chinese): ``$12.3k``, ``$0.42``, ``¥8.3万``.
  A non-zero amount below a cent of the display currency is written ``< $0.01`` (never
  ``$0.000000`` nor ``$1.5e-05``). A *rate* (money per N things: per 1,000 predictions, per
  sample) moves to a larger N instead when its amount per N is below a cent (:func:`fmt_usd_per`:
  ``$0.015 / 1M``). Tables of amounts use :func:`money_printf_for` (enough decimals for the
  smallest amount, never an exponent); chart axes use :func:`money_ticks` (round values labelled
  like the text, 万 / 亿 in Chinese).
  An amount inside an explanation keeps the digits its arithmetic needs
  (:func:`fmt_money_detail`: ``$4,011,000``, ``$0.01266``).
* **Times are never in scientific notation either**: :func:`fmt_duration` writes ``< 1 µs`` below a
  microsecond, :func:`fmt_eta` writes ``< 1 s`` for what is about to end.
* **Plain quantities** (:func:`fmt_number`) below 0.001 are written ``< 0.001``; only FLOPs keep
  powers of ten, where that is the convention (:func:`fmt_flops`, ``5.88e21 FLOP``).
* **Separators**: thousands are grouped wherever four digits or more stand before the decimal
  point (``¥6,764``, ``1,047 %``, ``2,001万``).
* **Plurals** are the formatter's, not ``(s)``: :func:`fmt_years` writes ``1 year``, ``2 years``,
  ``1 年``.

>>> fmt_usd(12345)
'$12.3k'
>>> fmt_duration(0.00035)
'0.35 ms'
>>> fmt_pct(0.9612)
'96.1 %'
>>> fmt_flops(2.0e11, per_second=True)
'200 GFLOP/s'
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

MISSING = "–"

#: Display currencies. Money is always computed in USD; CNY is USD × the user's rate.
CURRENCIES = ("USD", "CNY")
CURRENCY_SYMBOLS = {"USD": "$", "CNY": "¥"}
#: Default CNY per USD: the rate the bundled China price reference (collected 2026-11-28) quotes
#: (6.74 CNY/USD). An assumption the user can change in the sidebar; it is shown beside every report.
DEFAULT_USD_TO_CNY = 6.74
#: Accepted exchange rates (CNY per USD).
USD_TO_CNY_BOUNDS = (0.01, 1000.0)


@dataclass(frozen=True)
class NumberStyle:
    """How numbers are written: ``language`` (``en`` or ``zh``), display ``currency`` (``USD`` or
    ``CNY``) and ``usd_to_cny`` (CNY per USD, used only when the currency is CNY).

    >>> NumberStyle(currency="CNY", usd_to_cny=7.0).from_usd(2.0)
    14.0
    """

    language: str = "en"
    currency: str = "USD"
    usd_to_cny: float = DEFAULT_USD_TO_CNY

    def __post_init__(self) -> None:
        if self.currency not in CURRENCIES:
            raise ValueError(f"currency must be one of {', '.join(CURRENCIES)}; got {self.currency!r}")
        low, high = USD_TO_CNY_BOUNDS
        rate = self.usd_to_cny
        if not (isinstance(rate, int | float) and math.isfinite(rate) and low <= rate <= high):
            raise ValueError(f"the exchange rate must be {low:g}–{high:g} CNY per USD; got {rate!r}")

    @property
    def symbol(self) -> str:
        """``$`` or ``¥``."""
        return CURRENCY_SYMBOLS[self.currency]

    @property
    def factor(self) -> float:
        """Display-currency units per USD (1 for USD)."""
        return self.usd_to_cny if self.currency == "CNY" else 1.0

    @property
    def chinese(self) -> bool:
        """Whether large numbers use 万 / 亿."""
        return self.language == "zh"

    def from_usd(self, usd: float) -> float:
        """``usd`` in the display currency."""
        return usd * self.factor


_DEFAULT_STYLE = NumberStyle()
_STYLE: ContextVar[NumberStyle | None] = ContextVar("moatlab_number_style", default=None)


def current_style() -> NumberStyle:
    """The style numbers are written in now (English and USD unless set)."""
    return _STYLE.get() or _DEFAULT_STYLE


def set_style(style: NumberStyle) -> None:
    """Make ``style`` current for the rest of this thread's context (the app, once per run)."""
    _STYLE.set(style)


@contextmanager
def number_style(style: NumberStyle) -> Iterator[NumberStyle]:
    """Write numbers in ``style`` inside the block.

    >>> with number_style(NumberStyle(language="zh", currency="CNY", usd_to_cny=7.0)):
    ...     fmt_usd(20_000), fmt_number(123_456_789)
    ('¥14万', '1.23亿')
    >>> fmt_usd(20_000)
    '$20k'
    """
    token = _STYLE.set(style)
    try:
        yield style
    finally:
        _STYLE.reset(token)


_SI = ((1e15, "P"), (1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"))
#: Money's magnitudes in English: billions are B, never G.
_MONEY_SI = ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))
#: The smallest amount written digit by digit: a cent (a fen in CNY) of the display currency.
MONEY_FLOOR = 0.01
#: The smallest plain quantity written digit by digit (smaller ones are ``< 0.001``).
QUANTITY_FLOOR = 0.001
#: Chinese magnitudes: 万亿 (10¹²), 亿 (10⁸), 万 (10⁴).
_ZH = ((1e12, "万亿"), (1e8, "亿"), (1e4, "万"))


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def _sig(value: float, digits: int = 3) -> str:
    """``value`` with about ``digits`` significant digits, no trailing zeros, thousands grouped.

    >>> _sig(200.4), _sig(12.34), _sig(1.234), _sig(0.01234), _sig(6764.2)
    ('200', '12.3', '1.23', '0.0123', '6,764')
    """
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(0, digits - 1 - magnitude)
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def fmt_sig(value: float, digits: int = 3) -> str:
    """A plain number with about ``digits`` significant digits and thousands grouped, no suffix:
    the figures of an explanation (``1,235`` s, ``0.842``).

    >>> fmt_sig(1234.6), fmt_sig(0.84213), fmt_sig(12.0)
    ('1,235', '0.842', '12')
    """
    return MISSING if _missing(value) else _sig(float(value), digits)


def _scaled(value: float, scale: tuple[tuple[float, str], ...], digits: int) -> str | None:
    """``value`` in the largest unit of ``scale`` whose mantissa is at least 1 *after rounding*
    (so 999,950 is ``1M``, not ``1000k``; 9,999.5 is ``1万``), or None below the smallest unit.

    >>> _scaled(999_950, _SI, 3), _scaled(9_999.5, _ZH, 3), _scaled(999.4, _SI, 3)
    ('1M', '1万', None)
    """
    for factor, suffix in sorted(scale, reverse=True):
        mantissa = _sig(value / factor, digits)
        if abs(float(mantissa.replace(",", ""))) >= 1:
            return f"{mantissa}{suffix}"
    return None


def fmt_number(value: float | None, *, digits: int = 3) -> str:
    """A count or plain quantity with SI suffix: 55,500 → ``55.5k``; 950 → ``950``; a magnitude
    below 0.001 is written ``< 0.001`` (``> -0.001`` when negative), never in scientific notation.

    >>> fmt_number(55_500), fmt_number(950), fmt_number(1_234_567), fmt_number(0.00012)
    ('55.5k', '950', '1.23M', '< 0.001')
    """
    if _missing(value):
        return MISSING
    v = float(value)  # type: ignore[arg-type]
    scale = _ZH if current_style().chinese else _SI
    found = _scaled(v, scale, digits)
    if found is not None:
        return found
    if v != 0 and abs(v) < QUANTITY_FLOOR:
        return f"< {QUANTITY_FLOOR:g}" if v > 0 else f"> -{QUANTITY_FLOOR:g}"
    return _sig(v, digits)


def fmt_count(value: float | None) -> str:
    """A large count the way model sizes are spoken of: ``7B``, ``21.7B``, ``1.4T``, ``350M``.

    >>> fmt_count(7e9), fmt_count(2.17e10), fmt_count(1.4e12), fmt_count(3.5e8)
    ('7B', '21.7B', '1.4T', '350M')
    """
    if _missing(value):
        return MISSING
    v = float(value)  # type: ignore[arg-type]
    scale = _ZH if current_style().chinese else ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k"))
    found = _scaled(v, scale, 3)
    if found is not None:
        return found
    return _sig(v)


def fmt_validation(value: float, unit: str) -> str:
    """A published or estimated figure of :mod:`bizmodel.validation` the way its unit is spoken of:
    FLOPs in powers of ten, GPU-hours and parameters as counts, tokens per second exact.

    >>> fmt_validation(3.14e23, "flops_6nd"), fmt_validation(1_720_320, "gpu_hours")
    ('3.14e23', '1.72M')
    """
    if unit == "flops_6nd":
        return fmt_flops(value).removesuffix(" FLOP")
    if unit == "output_tokens_per_second":
        return fmt_int(round(value))
    return fmt_count(value)


def fmt_int(value: int | None) -> str:
    """An exact count with thousands separators: ``55,050``."""
    return MISSING if value is None else f"{int(value):,}"


def _money(v: float, *, digits: int = 3) -> str:
    """``v`` (already in the display currency) by the money rule of this module's docstring."""
    style = current_style()
    sign = "-" if v < 0 else ""
    a = abs(v)
    if a == 0:
        return f"{style.symbol}0"
    if a < MONEY_FLOOR:
        return f"< {style.symbol}{MONEY_FLOOR:g}" if v > 0 else f"> -{style.symbol}{MONEY_FLOOR:g}"
    found = _scaled(a, _ZH if style.chinese else _MONEY_SI, digits)
    return f"{sign}{style.symbol}{found if found is not None else _sig(a, digits)}"


def fmt_usd(value: float | None, *, digits: int = 3) -> str:
    """An amount given in US dollars, in the display currency: ``$12.3k``, ``$0.42``, ``-$1.2M``,
    ``$2.5B`` (or ``¥8.3万`` in Chinese with CNY); below a cent ``< $0.01``, never an exponent.

    >>> fmt_usd(0.4213), fmt_usd(-1_200_000), fmt_usd(2.5e9), fmt_usd(8.5e-9), fmt_usd(0)
    ('$0.421', '-$1.2M', '$2.5B', '< $0.01', '$0')
    """
    if _missing(value):
        return MISSING
    return _money(current_style().from_usd(float(value)), digits=digits)  # type: ignore[arg-type]


def fmt_money_detail(usd: float | None) -> str:
    """An amount inside an explanation (how a figure was formed), in the display currency, precise
    enough to follow the arithmetic: whole units from 100 (``$4,011,000``), four significant digits
    from a cent (``$12.34``, ``$0.01266``), and below a cent the money rule (``< $0.01``).

    >>> fmt_money_detail(-4_011_000), fmt_money_detail(12.336), fmt_money_detail(0.01266)
    ('-$4,011,000', '$12.34', '$0.01266')
    >>> fmt_money_detail(7.967e-07), fmt_money_detail(0)
    ('< $0.01', '$0')
    """
    if _missing(usd):
        return MISSING
    style = current_style()
    v = style.from_usd(float(usd))  # type: ignore[arg-type]
    a = abs(v)
    if a < MONEY_FLOOR:
        return _money(v)
    sign = "-" if v < 0 else ""
    return f"{sign}{style.symbol}{a:,.0f}" if a >= 100 else f"{sign}{style.symbol}{_sig(a, 4)}"


#: The counts a rate may be quoted per, smallest first (:func:`fmt_usd_per`).
_PER_STEPS = (1, 1_000, 1_000_000, 1_000_000_000, 1_000_000_000_000)


def usd_per_scale(usd_each: float | None, *, per: int = 1000) -> int:
    """How many things a rate of ``usd_each`` per thing is best quoted per: ``per`` itself when
    that amount is a cent or more of the display currency, else the smallest larger step of
    1,000, 1M, 1B, 1T that is (1T at most).

    >>> usd_per_scale(0.0000127), usd_per_scale(0.00000001), usd_per_scale(0.5, per=1)
    (1000, 1000000, 1)
    """
    if _missing(usd_each) or usd_each == 0:
        return per
    each = abs(current_style().from_usd(float(usd_each)))  # type: ignore[arg-type]
    for step in (s for s in _PER_STEPS if s >= per):
        if each * step >= MONEY_FLOOR:
            return step
    return _PER_STEPS[-1]


def fmt_usd_per(usd_each: float | None, *, per: int = 1000) -> str:
    """A rate: ``usd_each`` dollars per thing, quoted per ``per`` things as the label says
    (``$0.0127`` for "per 1,000 predictions"). When that amount is below a cent it is quoted per
    a larger round count instead, which the text then names: ``$0.015 / 1M``, ``¥0.1 / 100万``.

    >>> fmt_usd_per(0.0000127), fmt_usd_per(0.000000015), fmt_usd_per(0.05, per=1)
    ('$0.0127', '$0.015 / 1M', '$0.05')
    """
    if _missing(usd_each):
        return MISSING
    step = usd_per_scale(usd_each, per=per)
    amount = _money(current_style().from_usd(float(usd_each) * step))  # type: ignore[arg-type]
    return amount if step == per else f"{amount} / {fmt_count(step)}"


def fmt_money_exact(value: float | None, *, decimals: int = 2) -> str:
    """An amount given in USD, in the display currency with separators: ``$1,234.50``; a non-zero
    amount too small for ``decimals`` is ``< $0.01`` (with as many decimals), never ``$0.00``.

    >>> fmt_money_exact(1234.5), fmt_money_exact(0.001)
    ('$1,234.50', '< $0.01')
    """
    if _missing(value):
        return MISSING
    style = current_style()
    v = style.from_usd(float(value))  # type: ignore[arg-type]
    smallest = 10.0**-decimals
    if v != 0 and abs(v) < smallest / 2:
        floor = f"{style.symbol}{smallest:.{decimals}f}"
        return f"< {floor}" if v > 0 else f"> -{floor}"
    sign = "-" if v < 0 else ""
    return f"{sign}{style.symbol}{abs(v):,.{decimals}f}"


def money_tickformat() -> tuple[str, float]:
    """The display currency of a chart's money axis: (symbol, factor to multiply USD by)."""
    style = current_style()
    return style.symbol, style.factor


def _nice_step(span: float, count: int) -> float:
    """A round step (1, 2, 2.5 or 5 × 10ⁿ) that cuts ``span`` into about ``count`` parts."""
    raw = span / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    for mantissa in (1.0, 2.0, 2.5, 5.0, 10.0):
        if raw <= mantissa * power * (1 + 1e-9):
            return mantissa * power
    return 10.0 * power


def nice_ticks(low: float, high: float, *, count: int = 5) -> list[float]:
    """Round values from at or below ``low`` to at or above ``high``, about ``count`` steps apart
    (steps of 1, 2, 2.5 or 5 × 10ⁿ; zero is a tick whenever the range crosses it).

    >>> nice_ticks(-2.66e6, 2.5e6)
    [-4000000.0, -2000000.0, 0.0, 2000000.0, 4000000.0]
    >>> nice_ticks(0.0288, 0.0393, count=4)
    [0.025, 0.03, 0.035, 0.04]
    >>> nice_ticks(-1e308, 1e308)  # a span beyond the float range: the ends and zero
    [-1e+308, 0.0, 1e+308]
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        return []
    low, high = min(low, high), max(low, high)
    if high == low:
        if low == 0:
            return [0.0]
        low, high = (low * 0.9, low * 1.1) if low > 0 else (low * 1.1, low * 0.9)
    if not math.isfinite(high - low) or not math.isfinite(2.0 * max(abs(low), abs(high))):
        # A range near the float limit: its ends (and zero between them) are the ticks.
        return sorted({low, high} | ({0.0} if low < 0 < high else set()))
    step = _nice_step(high - low, count)
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [float(f"{i * step:.12g}") + 0.0 for i in range(first, last + 1)]


def log_ticks(low: float, high: float) -> list[float]:
    """Powers of ten from at or below ``low`` to at or above ``high`` (both positive), with 2 and
    5 between them when the range spans at most two decades.

    >>> log_ticks(0.004, 30)
    [0.001, 0.01, 0.1, 1.0, 10.0, 100.0]
    >>> log_ticks(3, 40)
    [2.0, 5.0, 10.0, 20.0, 50.0]
    """
    if not (low > 0 and high > 0 and math.isfinite(low) and math.isfinite(high)):
        return []
    low, high = min(low, high), max(low, high)
    first, last = math.floor(math.log10(low) + 1e-9), math.ceil(math.log10(high) - 1e-9)
    mantissas = (1.0, 2.0, 5.0) if last - first <= 2 else (1.0,)
    ticks = [float(f"{m * 10.0**e:.12g}") for e in range(first, last + 1) for m in mantissas]
    below = [v for v in ticks if v <= low]
    above = [v for v in ticks if v >= high]
    lo, hi = (below[-1] if below else ticks[0]), (above[0] if above else ticks[-1])
    return [v for v in ticks if lo <= v <= hi]


def _tick_digits(value: float, ticks: list[float]) -> int:
    """Significant digits that write ``value`` exactly at the precision its neighbours need."""
    if value == 0:
        return 1
    gaps = [abs(b - a) for a, b in itertools.pairwise(ticks) if b != a]
    place = min(gaps, default=abs(value))
    # the last significant place of the step (2.5 × 10ⁿ needs one place more than 2 × 10ⁿ)
    exponent = math.floor(math.log10(place) + 1e-9)
    if abs(place / 10.0**exponent - round(place / 10.0**exponent)) > 1e-6:
        exponent -= 1
    return max(1, min(12, math.floor(math.log10(abs(value)) + 1e-9) - exponent + 1))


def fmt_money_tick(value: float, ticks: list[float]) -> str:
    """A money axis tick (``value`` already in the display currency) written like the text
    (``$2.5M``, ``-¥300万``, ``¥1.5亿``), with the precision its neighbours in ``ticks`` need;
    amounts below a cent keep their decimals (``$0.001``: an axis must tell its ticks apart).

    >>> ticks = [0.0, 2.5e6, 5e6, 7.5e6]
    >>> [fmt_money_tick(v, ticks) for v in ticks]
    ['$0', '$2.5M', '$5M', '$7.5M']
    >>> with number_style(NumberStyle(language="zh", currency="CNY")):
    ...     [fmt_money_tick(v, [-5e6, 0.0, 5e6, 1e7, 1.5e8]) for v in (-5e6, 0.0, 1.5e8)]
    ['-¥500万', '¥0', '¥1.5亿']
    >>> fmt_money_tick(0.001, [0.001, 0.01, 0.1])
    '$0.001'
    """
    style = current_style()
    if value == 0:
        return f"{style.symbol}0"
    sign = "-" if value < 0 else ""
    a = abs(value)
    digits = _tick_digits(value, ticks)
    if a < 1:
        decimals = max(0, digits - 1 - math.floor(math.log10(a) + 1e-9))
        text = f"{a:.{decimals}f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
        return f"{sign}{style.symbol}{text}"
    found = _scaled(a, _ZH if style.chinese else _MONEY_SI, digits)
    return f"{sign}{style.symbol}{found if found is not None else _sig(a, digits)}"


def money_ticks(
    low: float, high: float, *, log: bool = False, count: int = 5
) -> tuple[list[float], list[str]]:
    """Tick values and labels of a money axis whose data (in the display currency) runs from
    ``low`` to ``high``: round values (:func:`nice_ticks`, or :func:`log_ticks` on a log axis)
    written by :func:`fmt_money_tick`.

    >>> money_ticks(-480_000, 2_600_000)
    ([-1000000.0, 0.0, 1000000.0, 2000000.0, 3000000.0], ['-$1M', '$0', '$1M', '$2M', '$3M'])
    """
    ticks = log_ticks(low, high) if log else nice_ticks(low, high, count=count)
    return ticks, [fmt_money_tick(v, ticks) for v in ticks]


def currency_words() -> dict[str, str]:
    """The placeholders of a translated label that names the display currency: ``currency``
    (``USD`` or ``CNY``) and ``symbol`` (``$`` or ``¥``), for ``t(key, **currency_words())``.

    >>> currency_words()
    {'currency': 'USD', 'symbol': '$'}
    """
    style = current_style()
    return {"currency": style.currency, "symbol": style.symbol}


def money_printf(decimals: int = 2) -> str:
    """A printf format for a table column of amounts already in the display currency.

    >>> money_printf(4)
    '$%.4f'
    """
    return f"{current_style().symbol}%.{decimals}f"


#: The most decimals a table of amounts shows (:func:`money_printf_for`).
TABLE_MAX_DECIMALS = 6


def money_decimals(values: Iterable[float | None]) -> int:
    """Decimals a column of amounts (in the display currency) needs: three significant digits of
    its smallest non-zero amount, at least 2 below 100 (cents), none from 100 up, at most
    :data:`TABLE_MAX_DECIMALS`.

    >>> money_decimals([1200.0, 350.0]), money_decimals([0.0127, 3.2]), money_decimals([0.0, 1.5])
    (0, 4, 2)
    """
    sizes = [abs(float(v)) for v in values if not _missing(v) and v]  # type: ignore[arg-type]
    if not sizes:
        return 2
    smallest = min(sizes)
    if smallest >= 100:
        return 0
    needed = 2 - math.floor(math.log10(smallest) + 1e-9)
    return max(2, min(TABLE_MAX_DECIMALS, needed))


def money_printf_for(values: Iterable[float | None]) -> str:
    """The printf format of a table column of these amounts (in the display currency): the
    symbol, thousands separators and :func:`money_decimals` decimals, never an exponent.

    >>> money_printf_for([0.0127, 0.0854]), money_printf_for([12_000.0])
    ('$%,.4f', '$%,.0f')
    """
    return f"{current_style().symbol}%,.{money_decimals(values)}f"


def fmt_pct(fraction: float | None, *, decimals: int = 1) -> str:
    """A fraction as a percentage, thousands grouped: 0.9612 → ``96.1 %``; 10.47 → ``1,047.0 %``.

    >>> fmt_pct(0.9612), fmt_pct(10.4712, decimals=0)
    ('96.1 %', '1,047 %')
    """
    if _missing(fraction):
        return MISSING
    return f"{float(fraction) * 100:,.{decimals}f} %"  # type: ignore[arg-type]


def fmt_pct_typed(fraction: float | None, *, max_decimals: int = 2) -> str:
    """A percentage someone typed, as typed: up to ``max_decimals`` decimals, no trailing zeros.

    >>> fmt_pct_typed(0.03), fmt_pct_typed(0.0025), fmt_pct_typed(0.12345)
    ('3 %', '0.25 %', '12.35 %')
    """
    if _missing(fraction):
        return MISSING
    text = f"{float(fraction) * 100:,.{max_decimals}f}"  # type: ignore[arg-type]
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} %"


def fmt_score(fraction: float | None) -> str:
    """A score 0–1 with three decimals: ``0.842``."""
    return MISSING if _missing(fraction) else f"{float(fraction):.3f}"  # type: ignore[arg-type]


def fmt_duration(seconds: float | None) -> str:
    """Seconds in the most readable unit: ``0.35 ms``, ``12.3 s``, ``4.2 min``, ``3.4 h``, ``2.1 days``;
    below a microsecond ``< 1 µs`` (never ``0.0775 µs`` nor an exponent); zero is ``0 s``.

    >>> fmt_duration(12.34), fmt_duration(252), fmt_duration(12240), fmt_duration(181440)
    ('12.3 s', '4.2 min', '3.4 h', '2.1 days')
    >>> fmt_duration(7.75e-8), fmt_duration(0)
    ('< 1 µs', '0 s')
    """
    if _missing(seconds):
        return MISSING
    s = float(seconds)  # type: ignore[arg-type]
    if s <= 0:
        return "0 s" if s == 0 else f"-{fmt_duration(-s)}"
    if s < 1e-6:
        return "< 1 µs"
    if s < 1e-5:
        return f"{_sig(s * 1e6)} µs"
    if s < 1:
        return f"{_sig(s * 1e3)} ms"
    if s < 120:
        return f"{_sig(s)} s"
    if s < 7200:
        return f"{_sig(s / 60, 2)} min"
    if s < 48 * 3600:
        return f"{_sig(s / 3600, 2)} h"
    days = "天" if current_style().chinese else "days"
    return f"{_sig(s / 86400, 2)} {days}"


def fmt_eta(seconds: float | None) -> str:
    """Time left of a job: :func:`fmt_duration` from a second up, ``< 1 s`` below (a job about to
    end has no microseconds left to count).

    >>> fmt_eta(0), fmt_eta(0.4), fmt_eta(95)
    ('< 1 s', '< 1 s', '95 s')
    """
    if _missing(seconds):
        return MISSING
    return "< 1 s" if float(seconds) < 1 else fmt_duration(seconds)  # type: ignore[arg-type]


def fmt_years(years: float | None) -> str:
    """A number of years with its unit, singular or plural as the language wants:
    ``1 year``, ``2 years``, ``1.5 years``; ``1 年`` in Chinese.

    >>> fmt_years(1), fmt_years(2), fmt_years(1.5)
    ('1 year', '2 years', '1.5 years')
    >>> with number_style(NumberStyle(language="zh")):
    ...     fmt_years(3)
    '3 年'
    """
    if _missing(years):
        return MISSING
    number = _sig(float(years))  # type: ignore[arg-type]
    if current_style().chinese:
        return f"{number} 年"
    return f"{number} {'year' if number == '1' else 'years'}"


def fmt_bytes(n: float | None) -> str:
    """Bytes in binary units: ``512 MiB``.

    >>> fmt_bytes(1536), fmt_bytes(3 * 1024**3)
    ('1.5 KiB', '3 GiB')
    """
    if _missing(n):
        return MISSING
    v = float(n)  # type: ignore[arg-type]
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(v) < 1024:
            return f"{_sig(v)} {unit}"
        v /= 1024
    return f"{_sig(v)} TiB"


def fmt_flops(value: float | None, *, per_second: bool = False) -> str:
    """FLOPs (or FLOP/s) with SI prefix: ``110 kFLOP``, ``6.1 GFLOP/s``; beyond peta, scientific.

    >>> fmt_flops(5.88e21), fmt_flops(2e14, per_second=True)
    ('5.88e21 FLOP', '200 TFLOP/s')
    """
    if _missing(value):
        return MISSING
    unit = "FLOP/s" if per_second else "FLOP"
    v = float(value)  # type: ignore[arg-type]
    if abs(v) >= 1e18:
        mantissa, exponent = f"{v:.2e}".split("e")
        return f"{mantissa}e{int(exponent)} {unit}"
    for factor, suffix in _SI:
        if abs(v) >= factor:
            return f"{_sig(v / factor)} {suffix}{unit}"
    return f"{_sig(v)} {unit}"


def fmt_rate(value: float | None, unit: str) -> str:
    """A rate such as samples/s: ``19.2k samples/s``."""
    return MISSING if _missing(value) else f"{fmt_number(value)} {unit}"


def fmt_energy_kwh(kwh: float | None) -> str:
    """Energy: ``0.42 Wh`` below 1 kWh, else ``1.3 kWh``."""
    if _missing(kwh):
        return MISSING
    v = float(kwh)  # type: ignore[arg-type]
    if v < 1:
        return f"{_sig(v * 1000)} Wh"
    return f"{_sig(v)} kWh"
