"""Formatting: one way to write each quantity; case tables and properties."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from present import format as fmt

#: A number in scientific notation (``1.5e-05``, ``2E+03``): never for money or times.
SCIENTIFIC = re.compile(r"\d[eE][-+−]?\d")
ZH_CNY = fmt.NumberStyle(language="zh", currency="CNY", usd_to_cny=7.0)


@pytest.mark.parametrize(
    ("func", "value", "expected"),
    [
        (fmt.fmt_usd, 12_345, "$12.3k"),
        (fmt.fmt_usd, 0.42, "$0.42"),
        (fmt.fmt_usd, -1_200_000, "-$1.2M"),
        (fmt.fmt_usd, None, "–"),
        (fmt.fmt_pct, 0.9612, "96.1 %"),
        (fmt.fmt_pct, 1.0, "100.0 %"),
        (fmt.fmt_pct, float("nan"), "–"),
        (fmt.fmt_duration, 0.00035, "0.35 ms"),
        (fmt.fmt_duration, 3.5e-6, "3.5 µs"),
        (fmt.fmt_duration, 12.34, "12.3 s"),
        (fmt.fmt_duration, 3.4 * 86400, "3.4 days"),
        (fmt.fmt_bytes, 512 * 1024**2, "512 MiB"),
        (fmt.fmt_flops, 109_962, "110 kFLOP"),
        (fmt.fmt_number, 0, "0"),
        (fmt.fmt_int, 55_050, "55,050"),
        (fmt.fmt_score, 0.84211, "0.842"),
        (fmt.fmt_energy_kwh, 0.00042, "0.42 Wh"),
        (fmt.fmt_energy_kwh, 2.5, "2.5 kWh"),
    ],
)
def test_cases(func, value, expected: str) -> None:
    assert func(value) == expected


def test_flops_per_second_unit() -> None:
    assert fmt.fmt_flops(6.1e9, per_second=True) == "6.1 GFLOP/s"


@given(st.floats(min_value=-1e18, max_value=1e18, allow_nan=False))
def test_number_never_crashes_and_is_short(v: float) -> None:
    out = fmt.fmt_number(v)
    assert len(out) <= 9
    assert out != "–"


@given(st.floats(min_value=1e-9, max_value=1e9))
def test_duration_positive_has_unit(v: float) -> None:
    out = fmt.fmt_duration(v)
    assert out.split(" ")[-1] in {"µs", "ms", "s", "min", "h", "days"}
    number = out.removeprefix("< ").split(" ")[0].replace(",", "")
    assert not math.isnan(float(number))
    assert not SCIENTIFIC.search(out), out


@pytest.mark.parametrize(
    ("value", "english", "chinese"),
    [
        (999.4, "999", "999"),
        (999.6, "1k", "1,000"),
        (9_999.5, "10k", "1万"),
        (999_500, "1M", "100万"),
        (99_995_000, "100M", "1亿"),
        (999_950_000, "1G", "10亿"),
        (9.9995e11, "1T", "1万亿"),
        (-999_500, "-1M", "-100万"),
    ],
)
def test_rounding_never_shows_a_thousand_of_a_unit(value: float, english: str, chinese: str) -> None:
    assert fmt.fmt_number(value) == english
    with fmt.number_style(fmt.NumberStyle(language="zh")):
        assert fmt.fmt_number(value) == chinese


@given(st.floats(min_value=-9.9e15, max_value=9.9e15, allow_nan=False))  # below 亿亿, the largest unit used
def test_a_mantissa_is_below_the_next_unit(value: float) -> None:
    for style, limit in ((fmt.NumberStyle(), 1000.0), (fmt.NumberStyle(language="zh"), 10_000.0)):
        with fmt.number_style(style):
            text = fmt.fmt_number(value)
        number = re.match(r"-?[0-9.,]+", text)
        if number and text[number.end() :]:
            assert abs(float(number.group().replace(",", ""))) < limit, text


# ------------------------------------------------------------------ money, times, ticks (issue 15)


@pytest.mark.parametrize(
    ("usd", "english", "chinese"),
    [
        (8.5e-9, "< $0.01", "< ¥0.01"),
        (-8.5e-9, "> -$0.01", "> -¥0.01"),
        (0.0, "$0", "¥0"),
        (0.001, "< $0.01", "< ¥0.01"),  # ¥0.007: still below a fen
        (0.002, "< $0.01", "¥0.014"),  # a fifth of a cent is 1.4 fen
        (0.0127, "$0.0127", "¥0.0889"),
        (966.3, "$966", "¥6,764"),
        (2.5e9, "$2.5B", "¥175亿"),
        (-2.97e6, "-$2.97M", "-¥2,079万"),
    ],
)
def test_money_rule(usd: float, english: str, chinese: str) -> None:
    assert fmt.fmt_usd(usd) == english
    with fmt.number_style(ZH_CNY):
        assert fmt.fmt_usd(usd) == chinese


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_money_is_never_scientific_nor_zero_padded(usd: float) -> None:
    for style in (fmt.NumberStyle(), ZH_CNY):
        with fmt.number_style(style):
            for text in (fmt.fmt_usd(usd), fmt.fmt_usd_per(usd), fmt.fmt_money_exact(usd)):
                assert not SCIENTIFIC.search(text), text
                assert usd == 0 or not re.search(r"[$¥]0\.0*$", text), text  # "$0.00" for an amount
                assert "G" not in text, text  # billions are B


@pytest.mark.parametrize(
    ("usd_each", "per", "english", "chinese"),
    [
        (0.0000127, 1000, "$0.0127", "¥0.0889"),
        (0.000000015, 1000, "$0.015 / 1M", "¥0.105 / 100万"),
        (1.5e-15, 1000, "< $0.01 / 1T", "¥0.0105 / 1万亿"),  # a trillion is as far as a rate goes
        (0.05, 1, "$0.05", "¥0.35"),
        (0.0004, 1, "$0.4 / 1k", "¥2.8 / 1,000"),
    ],
)
def test_rates_move_to_a_larger_count_below_a_cent(
    usd_each: float, per: int, english: str, chinese: str
) -> None:
    assert fmt.fmt_usd_per(usd_each, per=per) == english
    with fmt.number_style(ZH_CNY):
        assert fmt.fmt_usd_per(usd_each, per=per) == chinese


@given(st.floats(min_value=1e-15, max_value=1e6))
def test_a_rate_is_quoted_at_a_cent_or_more(usd_each: float) -> None:
    step = fmt.usd_per_scale(usd_each)
    assert step >= 1000
    assert usd_each * step >= fmt.MONEY_FLOOR or step == 10**12
    assert step == 1000 or usd_each * step / 1000 < fmt.MONEY_FLOOR  # no larger count than needed


@pytest.mark.parametrize(
    ("func", "value", "expected"),
    [
        (fmt.fmt_duration, 7.75e-8, "< 1 µs"),
        (fmt.fmt_duration, 0.0, "0 s"),
        (fmt.fmt_eta, 0.0, "< 1 s"),
        (fmt.fmt_eta, 3.0e-7, "< 1 s"),
        (fmt.fmt_eta, 95.0, "95 s"),
        (fmt.fmt_pct, 10.47, "1,047.0 %"),
        (fmt.fmt_pct, 77.78, "7,778.0 %"),
        (fmt.fmt_number, 1.2e-4, "< 0.001"),
        (fmt.fmt_number, -1.2e-4, "> -0.001"),
        (fmt.fmt_years, 1, "1 year"),
        (fmt.fmt_years, 1.0, "1 year"),
        (fmt.fmt_years, 2, "2 years"),
        (fmt.fmt_years, 0.5, "0.5 years"),
        (fmt.fmt_money_exact, 0.001, "< $0.01"),
        (fmt.fmt_money_exact, 0.0, "$0.00"),
    ],
)
def test_times_percentages_quantities_and_plurals(func, value, expected: str) -> None:
    assert func(value) == expected


def test_years_in_chinese_have_no_plural() -> None:
    with fmt.number_style(ZH_CNY):
        assert [fmt.fmt_years(v) for v in (1, 2, 1.5)] == ["1 年", "2 年", "1.5 年"]


@given(st.floats(min_value=-1e4, max_value=1e4))
def test_numbers_are_never_scientific(v: float) -> None:
    for style in (fmt.NumberStyle(), ZH_CNY):
        with fmt.number_style(style):
            assert not SCIENTIFIC.search(fmt.fmt_number(v)), fmt.fmt_number(v)


# ----------------------------------------------------------------------------------- axis ticks


@pytest.mark.parametrize(
    ("low", "high", "ticks"),
    [
        (0.0288, 0.0393, [0.0275, 0.03, 0.0325, 0.035, 0.0375, 0.04]),  # not 2.88 %, 3.93 %
        (-480_000, 2_600_000, [-1e6, 0.0, 1e6, 2e6, 3e6]),
        (0.0, 0.0, [0.0]),
        (5.0, 5.0, [4.4, 4.6, 4.8, 5.0, 5.2, 5.4, 5.6]),
    ],
)
def test_nice_ticks(low: float, high: float, ticks: list[float]) -> None:
    assert fmt.nice_ticks(low, high) == pytest.approx(ticks)


@given(
    st.floats(min_value=-1e12, max_value=1e12, allow_nan=False),
    st.floats(min_value=1e-6, max_value=1e12),
)
def test_ticks_cover_the_data_at_a_round_step(low: float, span: float) -> None:
    assume(span >= abs(low) * 1e-6)  # an axis shows a range, not the ninth digit of one amount
    high = low + span
    ticks = fmt.nice_ticks(low, high)
    step = ticks[1] - ticks[0]
    assert ticks[0] <= low + step * 1e-6 and ticks[-1] >= high - step * 1e-6
    assert 2 <= len(ticks) <= 12
    mantissa = step / 10 ** math.floor(math.log10(step) + 1e-9)
    assert any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 2.5, 5, 10)), step
    if low < 0 < high:
        assert 0.0 in ticks


@pytest.mark.parametrize(
    ("low", "high", "style", "labels"),
    [
        (-480_000, 2_600_000, fmt.NumberStyle(), ["-$1M", "$0", "$1M", "$2M", "$3M"]),
        (0, 7_500_000, fmt.NumberStyle(), ["$0", "$2M", "$4M", "$6M", "$8M"]),
        (0, 2_100_000, ZH_CNY, ["¥0", "¥50万", "¥100万", "¥150万", "¥200万", "¥250万"]),
        (0, 3.1e8, ZH_CNY, ["¥0", "¥1亿", "¥2亿", "¥3亿", "¥4亿"]),
        (1000, 1100, fmt.NumberStyle(), ["$1k", "$1.02k", "$1.04k", "$1.06k", "$1.08k", "$1.1k"]),
    ],
)
def test_money_tick_labels_read_like_the_text(
    low: float, high: float, style: fmt.NumberStyle, labels: list[str]
) -> None:
    with fmt.number_style(style):
        assert fmt.money_ticks(low, high)[1] == labels


def test_log_money_ticks_never_use_milli_or_micro() -> None:
    values, labels = fmt.money_ticks(1e-4, 2e6, log=True)
    assert labels == [
        "$0.0001",
        "$0.001",
        "$0.01",
        "$0.1",
        "$1",
        "$10",
        "$100",
        "$1k",
        "$10k",
        "$100k",
        "$1M",
        "$10M",
    ]
    assert len(values) == len(labels)


@given(
    st.floats(min_value=-1e13, max_value=1e13, allow_nan=False),
    st.floats(min_value=1e-3, max_value=1e13),
    st.booleans(),
)
def test_money_tick_labels_are_distinct_and_never_scientific(low: float, span: float, chinese: bool) -> None:
    assume(span >= abs(low) * 1e-6)  # an axis shows a range, not the ninth digit of one amount
    style = ZH_CNY if chinese else fmt.NumberStyle()
    with fmt.number_style(style):
        _, labels = fmt.money_ticks(low, low + span)
    assert len(set(labels)) == len(labels), labels
    assert not any(SCIENTIFIC.search(label) for label in labels), labels


@pytest.mark.parametrize(
    ("values", "decimals"),
    [([1200.0, 350.0], 0), ([0.0127, 3.2], 4), ([0.0, 1.5], 2), ([], 2), ([2.5e-9], 6), ([None, 45.0], 2)],
)
def test_table_money_decimals(values: list, decimals: int) -> None:
    assert fmt.money_decimals(values) == decimals
    assert fmt.money_printf_for(values) == f"$%,.{decimals}f"
