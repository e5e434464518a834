"""Number, unit and currency formatting: one way to write every quantity in the UI.

Pure functions (no Streamlit). Missing values render as an en dash "–".

Money enters every function in **US dollars** and is shown in the display currency of the current
:class:`NumberStyle` (USD, or CNY at the user's exchange rate). In Chinese, large numbers use
万 (10⁴), 亿 (10⁸) and 万亿 (10¹²) instead of k/M/B/T. The style lives in a context variable: the
app sets it at the start of every script run and of every fragment rerun (each runs in its own
context), a report or a test wraps its work in ``with number_style(style):``; the default is
English and USD.

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

import math
from collections.abc import Iterator
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
#: Chinese magnitudes: 万亿 (10¹²), 亿 (10⁸), 万 (10⁴).
_ZH = ((1e12, "万亿"), (1e8, "亿"), (1e4, "万"))


def _missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def _sig(value: float, digits: int = 3) -> str:
    """``value`` with about ``digits`` significant digits, no trailing zeros.

    >>> _sig(200.4), _sig(12.34), _sig(1.234), _sig(0.01234)
    ('200', '12.3', '1.23', '0.0123')
    """
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    decimals = max(0, digits - 1 - magnitude)
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _scaled(value: float, scale: tuple[tuple[float, str], ...], digits: int) -> str | None:
    """``value`` in the largest unit of ``scale`` whose mantissa is at least 1 *after rounding*
    (so 999,950 is ``1M``, not ``1000k``; 9,999.5 is ``1万``), or None below the smallest unit.

    >>> _scaled(999_950, _SI, 3), _scaled(9_999.5, _ZH, 3), _scaled(999.4, _SI, 3)
    ('1M', '1万', None)
    """
    for factor, suffix in sorted(scale, reverse=True):
        mantissa = _sig(value / factor, digits)
        if abs(float(mantissa)) >= 1:
            return f"{mantissa}{suffix}"
    return None


def fmt_number(value: float | None, *, digits: int = 3) -> str:
    """A count or plain quantity with SI suffix: 55,500 → ``55.5k``; 950 → ``950``;
    magnitudes below 0.001 in scientific notation.

    >>> fmt_number(55_500), fmt_number(950), fmt_number(1_234_567), fmt_number(0.00012)
    ('55.5k', '950', '1.23M', '1.2e-04')
    """
    if _missing(value):
        return MISSING
    v = float(value)  # type: ignore[arg-type]
    scale = _ZH if current_style().chinese else _SI
    found = _scaled(v, scale, digits)
    if found is not None:
        return found
    if v != 0 and abs(v) < 1e-3:
        return f"{v:.{max(digits - 2, 0)}e}"
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


def fmt_usd(value: float | None, *, digits: int = 3) -> str:
    """An amount given in US dollars, in the display currency: ``$12.3k``, ``$0.42``, ``-$1.2M``
    (or ``¥8.3万`` in Chinese with CNY).

    >>> fmt_usd(0.4213), fmt_usd(-1_200_000)
    ('$0.421', '-$1.2M')
    """
    if _missing(value):
        return MISSING
    style = current_style()
    v = style.from_usd(float(value))  # type: ignore[arg-type]
    sign = "-" if v < 0 else ""
    return f"{sign}{style.symbol}{fmt_number(abs(v), digits=digits)}"


def fmt_money_exact(value: float | None, *, decimals: int = 2) -> str:
    """An amount given in USD, in the display currency with separators: ``$1,234.50``.

    >>> fmt_money_exact(1234.5)
    '$1,234.50'
    """
    if _missing(value):
        return MISSING
    style = current_style()
    v = style.from_usd(float(value))  # type: ignore[arg-type]
    sign = "-" if v < 0 else ""
    return f"{sign}{style.symbol}{abs(v):,.{decimals}f}"


def money_tickformat() -> tuple[str, float]:
    """A chart's money axis in the display currency: (axis prefix, factor to multiply USD by).

    Use ``tickprefix=prefix`` with ``tickformat="~s"`` and values × factor.
    """
    style = current_style()
    return style.symbol, style.factor


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


def fmt_pct(fraction: float | None, *, decimals: int = 1) -> str:
    """A fraction 0–1 as a percentage: 0.9612 → ``96.1 %``."""
    if _missing(fraction):
        return MISSING
    return f"{float(fraction) * 100:.{decimals}f} %"  # type: ignore[arg-type]


def fmt_score(fraction: float | None) -> str:
    """A score 0–1 with three decimals: ``0.842``."""
    return MISSING if _missing(fraction) else f"{float(fraction):.3f}"  # type: ignore[arg-type]


def fmt_duration(seconds: float | None) -> str:
    """Seconds in the most readable unit: ``0.35 ms``, ``12.3 s``, ``4.2 min``, ``3.4 h``, ``2.1 days``.

    >>> fmt_duration(12.34), fmt_duration(252), fmt_duration(12240), fmt_duration(181440)
    ('12.3 s', '4.2 min', '3.4 h', '2.1 days')
    """
    if _missing(seconds):
        return MISSING
    s = float(seconds)  # type: ignore[arg-type]
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
