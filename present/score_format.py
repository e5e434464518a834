"""How a scorecard figure is written: its value with its unit, translated, in the current number
style. Pure (no Streamlit): the Build vs buy page, the Overview and the HTML report share it."""

from __future__ import annotations

import math

from bizmodel.advantage import ScoreItem
from present import format as fmt
from present.i18n import translate

#: ``ScoreItem.unit`` → catalog key of its display format (``{value}`` placeholder).
UNIT_KEYS = {
    "× competitor": "advantage.unit.ratio_competitor",
    "points": "advantage.unit.points",
    "USD per point per year": "advantage.unit.usd_per_point_year",
    "samples": "advantage.unit.samples",
    "points per $1,000": "advantage.unit.points_per_1000",
    "fraction": "advantage.unit.fraction",
    "ratio": "advantage.unit.ratio",
    "months": "advantage.unit.months",
}


#: Accuracy per how much money of data: $1,000 (what :mod:`bizmodel.advantage` prices).
PER_AMOUNT_USD = 1000.0


def score_words() -> dict[str, str]:
    """The placeholders of a scorecard label or unit that names money: ``amount``, the sum data is
    priced per, $1,000 in the display currency (``$1,000``, or ``¥6,740`` at 6.74 CNY per USD),
    for ``translate(key, lang, **score_words())``.

    >>> score_words()
    {'amount': '$1,000'}
    >>> with fmt.number_style(fmt.NumberStyle(currency="CNY", usd_to_cny=6.74)):
    ...     score_words()
    {'amount': '¥6,740'}
    """
    return {"amount": fmt.fmt_money_exact(PER_AMOUNT_USD, decimals=0)}


def format_score_item(item: ScoreItem, lang: str) -> str:
    """A scorecard figure with its unit in language ``lang``, written in the current style, or ``–``.

    Accuracy per $1,000 of data names that sum in the display currency (:func:`score_words`).
    An item whose unit has no format is written as the number and the unit as given.
    """
    if item.value is None or not math.isfinite(item.value):
        return fmt.MISSING
    v = item.value
    text = {
        "× competitor": f"{v:.3g}",
        "points": f"{v:+.2f}",
        "USD per point per year": fmt.fmt_usd(v),
        "samples": fmt.fmt_int(round(v)),
        "points per $1,000": f"{v:.3g}",
        "fraction": fmt.fmt_pct(v),
        "ratio": f"{v:.2f}",
        "months": f"{v:.1f}",
    }.get(item.unit)
    if text is None:
        return f"{fmt.fmt_number(v)} {item.unit}"
    return translate(UNIT_KEYS[item.unit], lang, value=text, **score_words())
