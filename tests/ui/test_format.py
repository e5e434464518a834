"""Formatting: one way to write each quantity; case tables and properties."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ui import format as fmt


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
    assert not math.isnan(float(out.split(" ")[0]))


@pytest.mark.parametrize(
    ("value", "english", "chinese"),
    [
        (999.4, "999", "999"),
        (999.6, "1k", "1000"),
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
        number = re.match(r"-?[0-9.]+", text)
        if number and text[number.end() :] and "e" not in text:
            assert abs(float(number.group())) < limit, text
