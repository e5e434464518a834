"""User text made safe: quoted in refusals, shown inert on every page, written safe into CSV.

Three jobs, one leaf package (it imports nothing of the project, so :mod:`bizmodel`,
:mod:`mlcore`, :mod:`store` and the UI use the same rules):

* quoting user values in refusal messages, short and escaped (this module, below);
* showing user text inert in Markdown, charts and tables (:mod:`safetext.display`:
  :func:`for_markdown`, :func:`for_chart`, :func:`for_plain`);
* writing CSV cells no spreadsheet evaluates (:mod:`safetext.spreadsheet`:
  :func:`for_spreadsheet`).

Quoting user values in refusal messages
---------------------------------------

Every validator (the Train CSV in :mod:`mlcore.datasets`, the catalog and the API price list in
:mod:`bizmodel`, scenarios and share links) names the value it refuses. A value comes from a file
or a link and may be anything: a 100,000-character column name, a NUL byte, a right-to-left
override, an integer of 5,000 digits. Quoted through :func:`shown`, it is at most about
:data:`MAX_SHOWN_CHARS` characters with an ellipsis, control and invisible characters escaped as
Python escapes them (``\\x00``, ``\\t``, ``\\u202e``); :func:`listed` names at most
:data:`MAX_LISTED` of many values and says how many more there are.

>>> shown("price")
"'price'"
>>> shown("a\\x00b\\tc")
"'a\\\\x00b\\\\tc'"
>>> shown("x" * 1000)  # doctest: +ELLIPSIS
"'xxxxxxxxxx...xxx…'"
>>> len(shown("x" * 1000)) <= MAX_SHOWN_CHARS + 3
True
>>> shown(10**400)
'a number with about 401 digits'
>>> listed([shown(c) for c in "abcdefgh"])
"'a', 'b', 'c', 'd', 'e' and 3 more"
"""

from __future__ import annotations

import reprlib
import unicodedata
from collections.abc import Iterable

from safetext.display import BIDI_CONTROLS, for_chart, for_markdown, for_plain, neutral
from safetext.spreadsheet import for_spreadsheet, from_spreadsheet

__all__ = [
    "BIDI_CONTROLS",
    "MAX_LISTED",
    "MAX_MESSAGE_CHARS",
    "MAX_SHOWN_CHARS",
    "capped",
    "control_character_problem",
    "for_chart",
    "for_markdown",
    "for_plain",
    "for_spreadsheet",
    "from_spreadsheet",
    "hidden_character",
    "joined",
    "listed",
    "name_problem",
    "neutral",
    "shown",
]

#: The most characters a quoted value takes in a message (its quotes and escapes included),
#: plus the ellipsis when it is cut.
MAX_SHOWN_CHARS = 60
#: The most values (or problems) a message lists before "and N more".
MAX_LISTED = 5
#: The length :func:`joined` keeps a list of problems within (before "… and N more problems").
MAX_MESSAGE_CHARS = 450
_LOG10_2 = 0.30103
#: Unicode categories a name or key may not hold: controls (NUL, tab, line breaks), format
#: characters (invisible ones, direction overrides such as U+202E), surrogates, line and
#: paragraph separators.
_HIDDEN_IN_NAMES = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))
#: What free text (a note, a source) may not hold: controls and surrogates.
_HIDDEN_IN_TEXT = frozenset(("Cc", "Cs"))


def hidden_character(text: str, *, free_text: bool = False) -> str | None:
    r"""The first character of ``text`` a name or key must not hold, or None when there is none.

    With ``free_text`` only controls (but tab and line breaks) and surrogates count, so a note
    may span lines and hold an emoji's zero-width joiner.

    >>> hidden_character("H100-SXM") is None, hidden_character("a\u202eb"), hidden_character("a\tb")
    (True, '\u202e', '\t')
    >>> hidden_character("line 1\nline 2", free_text=True) is None
    True
    """
    categories = _HIDDEN_IN_TEXT if free_text else _HIDDEN_IN_NAMES
    for char in text:
        if free_text and char in "\t\n\r":
            continue
        if unicodedata.category(char) in categories:
            return char
    return None


def control_character_problem(text: str, *, at: str, column: str, free_text: bool = False) -> str | None:
    """The refusal for a table cell that holds a control or invisible character (a tab or line
    break is allowed when ``free_text``), or None when ``text`` is plain.

    >>> control_character_problem("ok", at="row 2", column="name") is None
    True
    >>> print(control_character_problem("a\\tb", at="row 2", column="name"))
    row 2, column 'name': 'a\\tb' holds a control or invisible character ('\\t'); remove it.
    """
    bad = hidden_character(text, free_text=free_text)
    if bad is None:
        return None
    return (
        f"{at}, column {column!r}: {shown(text)} holds a control or invisible character "
        f"({shown(bad)}); remove it."
    )


def name_problem(name: str, *, what: str) -> str | None:
    r"""The refusal for a name a person gives (a run, scenario or share-link name) that holds a
    control or invisible character, or None when ``name`` is plain.

    The rule is :func:`hidden_character`'s, the one CSV column names and catalog keys follow: a
    right-to-left override (``"\u202eFDP.exe"`` shows as "exe.PDF"), a zero-width character or a
    line break in a name would make it show as something it is not.

    >>> name_problem("Base case", what="run name") is None
    True
    >>> print(name_problem("\u202eFDP.exe", what="run name"))
    the run name '\u202eFDP.exe' holds a control or invisible character ('\u202e'); remove it
    """
    bad = hidden_character(name)
    if bad is None:
        return None
    return f"the {what} {shown(name)} holds a control or invisible character ({shown(bad)}); remove it"


def _approximate_digits(value: int) -> int:
    return int(abs(value).bit_length() * _LOG10_2) + 1


def _quoted(text: str, limit: int) -> str:
    """``repr(text)`` of as much of ``text`` as fits ``limit`` characters, with ``…`` when cut."""
    budget = max(limit - 2, 1)  # the two quotes
    used = 0
    cut = len(text)
    for i, char in enumerate(text):
        width = 1 if char.isprintable() and char not in "'\"\\" else len(repr(char)) - 2
        if used + width > budget:
            cut = i
            break
        used += width
    quoted = repr(text[:cut])
    return quoted if cut == len(text) else quoted[:-1] + "…" + quoted[-1]


class _ShortRepr(reprlib.Repr):
    """``reprlib`` limits for containers, with this module's rules for strings and integers."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self.maxlevel = 2
        self.maxlist = self.maxtuple = self.maxdict = self.maxset = self.maxfrozenset = 4
        self.maxother = limit

    def repr_str(self, x: str, level: int) -> str:
        return _quoted(x, min(self.limit, 24))

    def repr_int(self, x: int, level: int) -> str:
        return _int_text(x, self.limit)


def _int_text(value: int, limit: int) -> str:
    if abs(value).bit_length() > 3 * limit:  # repr would be long (or refused past 4,300 digits)
        return f"a number with about {_approximate_digits(value):,} digits"
    return repr(value)


def shown(value: object, *, limit: int = MAX_SHOWN_CHARS) -> str:
    """``value`` quoted for a message: ``repr`` style, at most about ``limit`` characters.

    Strings keep their quotes and have non-printable characters escaped; a longer one is cut and
    ends with ``…`` inside the quotes. Integers too long to print read "a number with about N
    digits"; lists and objects show their first few items. Never raises.

    Parameters
    ----------
    value : object
        What the user gave (any type).
    limit : int
        The most characters of the quoted text before the ellipsis.

    Returns
    -------
    str

    Examples
    --------
    >>> shown(["a", 1, 2.5, None, "e", "f"])
    "['a', 1, 2.5, None, ...]"
    >>> shown("\\u202eevil")
    "'\\\\u202eevil'"
    """
    try:
        if isinstance(value, str):
            return _quoted(value, limit)
        if isinstance(value, int) and not isinstance(value, bool):
            return _int_text(value, limit)
        text = _ShortRepr(limit).repr(value)
    except Exception:  # a user value whose repr fails is still named by its type
        return f"a {type(value).__name__}"
    return text if len(text) <= limit else text[:limit] + "…"


def listed(items: Iterable[str], *, limit: int = MAX_LISTED, sep: str = ", ") -> str:
    """The first ``limit`` of ``items`` joined by ``sep``, then "and N more" when there are more.

    ``items`` are already quoted (e.g. through :func:`shown`).

    >>> listed(["'a'", "'b'"])
    "'a', 'b'"
    >>> listed(["x"] * 7, limit=2, sep="; ")
    'x; x and 5 more'
    """
    head: list[str] = []
    more = 0
    for item in items:
        if len(head) < limit:
            head.append(item)
        else:
            more += 1
    text = sep.join(head)
    return f"{text} and {more:,} more" if more else text


def capped(items: Iterable[str], *, limit: int = MAX_LISTED, what: str = "problem") -> list[str]:
    """The first ``limit`` of ``items``, plus one last item "… and N more <what>s" when there are more.

    >>> capped(["p1", "p2", "p3"], limit=2)
    ['p1', 'p2', '… and 1 more problem']
    >>> capped(["p"] * 5, limit=2)[-1]
    '… and 3 more problems'
    """
    items = list(items)
    if len(items) <= limit:
        return items
    more = len(items) - limit
    return [*items[:limit], f"… and {more:,} more {what}{'' if more == 1 else 's'}"]


def joined(
    items: Iterable[str],
    *,
    sep: str = "; ",
    limit: int = MAX_LISTED,
    budget: int = MAX_MESSAGE_CHARS,
    what: str = "problem",
) -> str:
    """``items`` joined by ``sep``: at most ``limit`` of them and, after the first, only while the
    text stays within ``budget`` characters; then "… and N more <what>s".

    >>> joined(["a" * 30, "b" * 30, "c"], budget=40)
    'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa; … and 2 more problems'
    >>> joined(["x", "y"])
    'x; y'
    """
    items = list(items)
    kept: list[str] = []
    used = 0
    for item in items[:limit]:
        if kept and used + len(sep) + len(item) > budget:
            break
        used += (len(sep) if kept else 0) + len(item)
        kept.append(item)
    more = len(items) - len(kept)
    if more:
        kept.append(f"… and {more:,} more {what}{'' if more == 1 else 's'}")
    return sep.join(kept)
