r"""CSV cells a spreadsheet opens as data, never as a formula (OWASP "CSV injection").

Excel, LibreOffice and Google Sheets evaluate a cell that starts with ``=``, ``+``, ``-`` or ``@``
(and some a tab or a carriage return first), so a run or provider named ``=HYPERLINK(…)`` written
raw into a CSV becomes a live formula in the founder's spreadsheet (D6). Every CSV the app writes
passes each cell, column name and index label through :func:`for_spreadsheet`, which puts a single
quote in front of such text, the OWASP recommendation: spreadsheets show the text as it was (the
quote marks it as text and is not shown). Numbers stay numbers: a value of a number type is never
touched, and neither is text that is just a decimal number (``-12.5``, ``+3``, ``-1e-3``), which a
spreadsheet reads as that number.

:func:`from_spreadsheet` undoes it for a file the app reads back (a downloaded catalog uploaded
again keeps its names and its version).

>>> [for_spreadsheet(v) for v in ["=1+1", "@SUM(A1)", "-12.5", -12.5, "a=b", "\tx"]]
["'=1+1", "'@SUM(A1)", '-12.5', -12.5, 'a=b', "'\tx"]
>>> from_spreadsheet(for_spreadsheet("=HYPERLINK(1)"))
'=HYPERLINK(1)'
"""

from __future__ import annotations

import re

__all__ = ["FORMULA_STARTS", "for_spreadsheet", "from_spreadsheet"]

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = frozenset("=+-@\t\r")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _formula_like(text: str) -> bool:
    return text[:1] in FORMULA_STARTS and _NUMBER.fullmatch(text) is None


def _needs_quote(text: str) -> bool:
    """Formula-like text, or text that already looks quoted by this rule (``'=…``, ``''=…``), so
    that :func:`from_spreadsheet` gives back exactly what :func:`for_spreadsheet` was given."""
    rest = text.lstrip("'")
    return _formula_like(rest) if rest else False


def for_spreadsheet(value: object) -> object:
    """``value`` as a CSV cell: text a spreadsheet would evaluate gets a leading ``'``.

    Parameters
    ----------
    value : object
        A cell, column name or index label (numbers, dates and missing values pass unchanged).

    Returns
    -------
    object
        ``"'" + value`` for text starting with ``= + - @``, a tab or a carriage return that is not a
        plain decimal number (or such text already behind quotes, so the quote can be read back
        exactly); ``value`` itself otherwise.

    Examples
    --------
    >>> for_spreadsheet("+49 30 1234"), for_spreadsheet("+49"), for_spreadsheet(None)
    ("'+49 30 1234", '+49', None)
    """
    if isinstance(value, str) and _needs_quote(value):
        return "'" + value
    return value


def from_spreadsheet(text: str) -> str:
    """A cell :func:`for_spreadsheet` wrote, read back: the leading ``'`` it added removed.

    Only the quote :func:`for_spreadsheet` adds is removed (in front of formula-like text); any
    other text is returned as it is.

    >>> from_spreadsheet("'=A1"), from_spreadsheet("'quoted'"), from_spreadsheet("'-5")
    ('=A1', "'quoted'", "'-5")
    >>> from_spreadsheet(for_spreadsheet("'=A1"))
    "'=A1"
    """
    if text.startswith("'") and _needs_quote(text[1:]):
        return text[1:]
    return text
