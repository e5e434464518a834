"""The Monte Carlo median against the plan, in words: the sentence the pages and the report show.

Pure (no Streamlit). :func:`median_gap_sentence` words a :class:`bizmodel.median_gap.MedianGap`
in a language, every number written by :mod:`present.format` in the current number style (money given
in USD, shown in the style's currency); :func:`value_text` writes a ranged field's value in its
unit. Field names are the editor's labels (``scenario.f.<field>``) without their unit. The text
holds no user text; the caller escapes it for where it goes (:func:`safetext.for_markdown`, HTML).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from bizmodel.median_gap import GapDriver, MedianGap
from present import format as fmt
from present.field_registry import find
from present.i18n import translate

#: Drivers the sentence names one by one; the rest are summed in one phrase.
MAX_NAMED_DRIVERS = 3

# The rule of present.report.bare_label (which imports this module, so it cannot be imported here).
_UNIT_SUFFIX = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")


def field_kind(name: str) -> str:
    """How a ranged field's values are written: ``pct`` (a fraction in %), ``usd``, ``number`` (a
    ratio) or ``count``.

    >>> [field_kind(n) for n in ("monthly_churn", "cac_usd", "review_per_error", "market_size")]
    ['pct', 'usd', 'number', 'count']
    """
    declared = find(name)  # a ranged field is declared; a field that is not is read by its name
    if declared is not None and declared.kind in ("pct", "usd", "number", "count"):
        return declared.kind
    return "usd" if "_usd" in name else "count"


def field_label(name: str, lang: str) -> str:
    """The editor's label of a field in ``lang`` without its trailing unit in brackets.

    >>> field_label("cac_usd", "en"), field_label("monthly_churn", "en")
    ('CAC', 'Monthly churn at delightful accuracy')
    """
    label = translate(f"scenario.f.{name}", lang)
    return _UNIT_SUFFIX.sub("", label) or label


def _written(kind: str, value: float, precision: int) -> str:
    if kind == "pct":
        return fmt.fmt_pct(value, decimals=precision)
    if kind == "usd":
        return fmt.fmt_usd(value, digits=precision + 2)
    return fmt.fmt_number(value, digits=precision + 2)


def value_text(name: str, values: Sequence[float]) -> list[str]:
    """``values`` of field ``name`` written in its unit, with just enough precision that values
    which differ read differently (up to three decimals of a percent, five significant digits).

    >>> value_text("monthly_churn", [0.02, 0.05, 0.03, 0.032679])
    ['2.0 %', '5.0 %', '3.0 %', '3.3 %']
    >>> value_text("bass_p", [0.003, 0.0031])
    ['0.30 %', '0.31 %']
    >>> value_text("cac_usd", [250.0, 700.0, 400.0, 440.19])
    ['$250', '$700', '$400', '$440']
    """
    kind = field_kind(name)
    finite = [abs(v) for v in values if math.isfinite(v) and v != 0.0]
    first = 2 if kind == "pct" and finite and max(finite) < 0.01 else 1
    texts: list[str] = []
    for precision in range(first, 4):
        texts = [_written(kind, v, precision) for v in values]
        if len(set(texts)) == len(set(values)):
            break
    return texts


def signed_usd(value: float) -> str:
    """An amount given in USD with its sign: ``+$76.7k``, ``-$136k``, ``$0``.

    >>> signed_usd(76_669.0), signed_usd(-136_199.0), signed_usd(0.0)
    ('+$76.7k', '-$136k', '$0')
    """
    text = fmt.fmt_usd(value)
    return f"+{text}" if value > 0 and not text.startswith("-") else text


def _in_sentence(label: str, lang: str) -> str:
    """A label inside an English sentence starts lower case, unless it starts with an acronym.

    >>> _in_sentence("Monthly churn", "en"), _in_sentence("CAC", "en")
    ('monthly churn', 'CAC')
    """
    if lang != "en" or label[:2].isupper():
        return label
    return label[:1].lower() + label[1:]


def driver_phrase(driver: GapDriver, lang: str) -> str:
    """One driver: "CAC ranges $250 … $700 around $400 but centres on $440 (-$267k)"."""
    low, high, value, median = value_text(
        driver.field, [driver.low, driver.high, driver.point_value, driver.median_value]
    )
    return translate(
        "median_gap.driver",
        lang,
        field=_in_sentence(field_label(driver.field, lang), lang),
        low=low,
        high=high,
        value=value,
        median=median,
        effect=signed_usd(driver.npv_effect_usd),
    )


def median_gap_sentence(gap: MedianGap | None, lang: str, *, named: int = MAX_NAMED_DRIVERS) -> str | None:
    """Why the Monte Carlo median NPV differs from the plan's, in one sentence of ``lang``; None
    when there is nothing worth explaining (no gap, or not :attr:`~MedianGap.material`).

    The ``named`` drivers with the largest effect are named one by one (input, range, most likely
    value, median, NPV effect), the other off-centre ones summed, then the remainder: the ranges
    acting together.
    """
    if gap is None or not gap.material:
        return None
    moved = [d for d in gap.drivers if d.npv_effect_usd != 0.0]
    parts = [driver_phrase(d, lang) for d in moved[:named]]
    others = moved[named:]
    if others:
        effect = math.fsum(d.npv_effect_usd for d in others)
        parts.append(translate("median_gap.others", lang, count=len(others), effect=signed_usd(effect)))
    if parts:
        parts.append(translate("median_gap.rest", lang, effect=signed_usd(gap.interaction_usd)))
    else:
        parts.append(translate("median_gap.together", lang))
    return translate(
        "median_gap.below" if gap.gap_usd < 0 else "median_gap.above",
        lang,
        median=fmt.fmt_usd(gap.median_npv_usd),
        point=fmt.fmt_usd(gap.point_npv_usd),
        gap=fmt.fmt_usd(abs(gap.gap_usd)),
        reasons=translate("median_gap.sep", lang).join(parts),
    )
