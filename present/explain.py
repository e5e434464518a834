"""The economics model's reasons in the user's words: language and display currency.

:mod:`bizmodel` explains a figure with a :class:`~bizmodel.reasons.Reason` (a code and its
numbers, never a sentence). :func:`words` looks up the catalog text ``model.<code>`` in the
language asked for (English when that language lacks it) and fills each ``{field}`` with its
parameter written by the unit its name carries (:mod:`bizmodel.reasons`):

* ``*_usd``: :func:`present.format.fmt_money_detail`, in the current display currency (an amount
  in CNY mode is never written in dollars), with the digits its arithmetic needs;
* ``*_fraction``: a percentage (:func:`present.format.fmt_pct_typed`);
* ``*_count``: a large count the way model sizes are spoken of (:func:`present.format.fmt_count`);
* ``*_flop``: FLOPs in powers of ten (:func:`present.format.fmt_flops`);
* an ``int``: a count with separators; any other number: three significant digits, separators
  (:func:`present.format.fmt_sig`);
* a nested reason: worded in turn; a tuple of reasons: worded and joined by ``"; "`` (``"；"`` in
  Chinese); a token (a run id, a date, a device): as it is.

A ``str`` where a reason goes (or as a parameter) is an English sentence of a :mod:`bizmodel`
module not converted to reasons yet: it goes through :func:`present.model_text.localize`, which
leaves a token unchanged.

A code without a catalog text is written as the code and its parameters (visible, never a crash).
Markdown escaping is the caller's: word first, then escape.

Examples
--------
>>> from bizmodel.reasons import Reason
>>> words(Reason("irr_not_unique", changes=3), "zh")
'现金流变号 3 次：IRR 不唯一'
>>> words(Reason("ltv_undefined", cac_usd=400.0), "en")
'LTV undefined ÷ CAC $400'
>>> from present.format import NumberStyle, number_style
>>> with number_style(NumberStyle(language="zh", currency="CNY", usd_to_cny=7.0)):
...     words(Reason("ltv_undefined", cac_usd=400.0), "zh")
'LTV 未定义 ÷ CAC ¥2,800'
"""

from __future__ import annotations

from collections.abc import Mapping

from bizmodel.reasons import Param, Reason
from present import format as fmt
from present.i18n import DEFAULT_LANGUAGE, catalog
from present.model_text import localize

__all__ = ["words"]

#: How deep nested reasons are worded (a deeper one is written by its code).
MAX_DEPTH = 6


def _number(name: str, value: int | float) -> str:
    """``value`` written by the unit its parameter ``name`` carries.

    >>> _number("cost_usd", 4_011_000.0), _number("base_fraction", 0.905), _number("n", 12345)
    ('$4,011,000', '90.5 %', '12,345')
    >>> _number("factor", 0.84213), _number("seconds", 1234.6)
    ('0.842', '1,235')
    >>> _number("params_count", 5.5e6), _number("work_flop", 5.88e21)
    ('5.5M', '5.88e21 FLOP')
    """
    if name.endswith("_usd"):
        return fmt.fmt_money_detail(value)
    if name.endswith("_fraction"):
        return fmt.fmt_pct_typed(value)
    if name.endswith("_count"):
        return fmt.fmt_count(value)
    if name.endswith("_flop"):
        return fmt.fmt_flops(value)
    if isinstance(value, int):
        return f"{value:,}"
    return fmt.fmt_sig(value)


def _param(name: str, value: Param, lang: str, depth: int) -> str:
    if isinstance(value, Reason):
        return _words(value, lang, depth + 1)
    if isinstance(value, tuple):
        return ("；" if lang == "zh" else "; ").join(_words(v, lang, depth + 1) for v in value)
    if isinstance(value, str):  # a token, or a sentence of a module not converted yet
        return localize(value, lang)
    return _number(name, value)


def _text(code: str, lang: str) -> str | None:
    key = f"model.{code}"
    return catalog(lang).get(key) or catalog(DEFAULT_LANGUAGE).get(key)


def _fallback(reason: Reason) -> str:
    return reason.code + "".join(f" {k}={v}" for k, v in reason.params.items())


def _words(reason: Reason, lang: str, depth: int) -> str:
    text = _text(reason.code, lang)
    if text is None or depth > MAX_DEPTH:
        return _fallback(reason)
    values: Mapping[str, str] = {
        name: _param(name, value, lang, depth) for name, value in reason.params.items()
    }
    try:
        return text.format_map(values)
    except (KeyError, IndexError, ValueError):
        return _fallback(reason)


def words(reason: Reason | tuple[Reason, ...] | str | BaseException | None, lang: str) -> str:
    """``reason`` in ``lang``, its amounts in the display currency (module docstring).

    Parameters
    ----------
    reason : Reason, tuple of Reason, str, exception or None
        What :mod:`bizmodel` gave: a reason, clauses, or an error (its ``reason`` when it has one,
        else its message); a ``str`` is a sentence of a module not converted yet; None is no
        reason (``""``).
    lang : str
        The language (``"en"``, ``"zh"``).

    Returns
    -------
    str
        The words; never raises.

    Examples
    --------
    >>> from bizmodel.reasons import Reason
    >>> words(Reason("beyond_horizon"), "en"), words(None, "en")
    ('not within the horizon', '')
    >>> words(Reason("no_such_code", n=2), "en")
    'no_such_code n=2'
    >>> words((Reason("no_irr"), Reason("beyond_horizon")), "zh")
    '无 IRR；不在预测期内'
    >>> from bizmodel.reasons import ReasonedError
    >>> words(ReasonedError(Reason("no_irr")), "zh"), words(ValueError("bad"), "zh")
    ('无 IRR', 'bad')
    """
    if reason is None:
        return ""
    if isinstance(reason, BaseException):
        found = getattr(reason, "reason", None)
        return words(found if isinstance(found, Reason) else str(reason), lang)
    if isinstance(reason, str):
        return localize(reason, lang)
    if isinstance(reason, tuple):
        return _param("clauses", reason, lang, 0)
    return _words(reason, lang, 0)
