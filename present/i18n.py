"""Translation: every user-visible string goes through :func:`t`.

Catalogs are JSON files in ``present/locales/<lang>.json`` (flat ``key → text`` with
``str.format`` placeholders). English is the reference catalog; a key missing from another
language falls back to English. The language comes from the URL (``?lang=en``), so a shared
link keeps it: :mod:`ui.session.i18n` reads it there for the pages; the report, the workbook and the
command line pass the language in.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from present.format import CURRENCIES, DEFAULT_USD_TO_CNY, USD_TO_CNY_BOUNDS, NumberStyle

LOCALES = Path(__file__).parent / "locales"
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "zh": "中文"}


@cache
def catalog(lang: str) -> dict[str, str]:
    """The catalog of ``lang`` (empty when there is none)."""
    path = LOCALES / f"{lang}.json"
    if not path.is_file():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def available_languages() -> list[str]:
    """Languages that have a catalog, English first."""
    langs = sorted(p.stem for p in LOCALES.glob("*.json"))
    return sorted(langs, key=lambda lang: (lang != DEFAULT_LANGUAGE, lang))


def translate(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The text of ``key`` in ``lang``, formatted with ``values``.

    An unknown key returns the key itself in brackets, so a gap is visible, never a crash.

    >>> translate("app.title")
    'Moatlab'
    >>> translate("no.such.key")
    '[no.such.key]'
    """
    text = catalog(lang).get(key) or catalog(DEFAULT_LANGUAGE).get(key)
    if text is None:
        return f"[{key}]"
    if values:
        try:
            return text.format(**values)
        except (KeyError, IndexError, ValueError):
            return text
    return text


def style_from_params(params: Mapping[str, str]) -> tuple[NumberStyle, list[str]]:
    """The number style a URL asks for (``lang``, ``cur`` = USD|CNY, ``fx`` = CNY per USD), and
    the parameters that were ignored because they are not valid (their defaults are used).

    >>> style_from_params({"lang": "zh", "cur": "CNY", "fx": "7.1"})[0]
    NumberStyle(language='zh', currency='CNY', usd_to_cny=7.1)
    >>> style_from_params({"cur": "EUR", "fx": "nan"})[1]
    ['cur', 'fx']
    """
    ignored: list[str] = []
    lang = params.get("lang", DEFAULT_LANGUAGE)
    if lang not in available_languages():
        lang = DEFAULT_LANGUAGE
    currency = params.get("cur", "USD")
    if currency not in CURRENCIES:
        ignored.append("cur")
        currency = "USD"
    rate = DEFAULT_USD_TO_CNY
    if "fx" in params:
        try:
            value = float(params["fx"])
        except (TypeError, ValueError):
            value = math.nan
        if math.isfinite(value) and USD_TO_CNY_BOUNDS[0] <= value <= USD_TO_CNY_BOUNDS[1]:
            rate = value
        else:
            ignored.append("fx")
    return NumberStyle(language=lang, currency=currency, usd_to_cny=rate), ignored
