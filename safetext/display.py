r"""Showing user text: one rule per renderer, each yielding inert text shown exactly once.

User text is anything a person or a file chose: run, scenario and share-link names, CSV column
names and label values, catalog provider/instance/accelerator names, API price-list provider and
model names, and the refusals that quote them. It reaches three kinds of renderer, and each has
its own function; pass the raw text to the one that matches where it goes, once:

* :func:`for_markdown`: anything Streamlit renders as Markdown: ``st.markdown``, ``st.caption``,
  ``st.info``/``success``/``warning``/``error``, ``st.toast``, ``st.badge`` (and the
  ``Provenance`` badges), ``st.metric`` label, value and delta, every widget, tab, expander and
  popover label, radio/pills/segmented-control/select-slider options, ``help=`` tooltips, table
  cells of ``st.table``.
* :func:`for_chart`: every plotly string: trace ``name``, ``text``, ``hovertext``,
  ``customdata`` that a ``hovertemplate`` shows, category tick labels, titles, annotations.
* :func:`for_plain`: what Streamlit shows as plain text: ``st.dataframe`` / ``st.data_editor``
  cells and column headers, ``st.selectbox`` and ``st.multiselect`` options, ``st.json``.

All three first make the text :func:`neutral`: bidirectional controls (U+202A–U+202E,
U+2066–U+2069, U+200E, U+200F, U+061C), other control characters and lone surrogates become
visible escapes (``\u202e``), so ``"\u202eFDP.exe"`` cannot show as ``exe.PDF``; tabs and line
breaks become spaces, so a name stays on its line.

Why each rule is what it is
---------------------------
Markdown (Streamlit 1.67: micromark with GFM, directives, math, emoji and its own text
replacements). Every character with a meaning in that syntax (``\ ` * _ { } ( ) # + - . ! | < > ~ $
: & =``) is backslash-escaped, which stops emphasis, code, links, images, HTML, headings, lists,
tables, math and directives (``:red[…]``) at the syntax level. That is not enough, because some
transforms run *after* escapes are resolved, on the plain text: GFM autolinks bare ``https://…``,
``www.…`` and ``user@host``, and Streamlit turns ``:streamlit:`` into an image, ``:smile:`` into an
emoji and ``->``, ``<=``, ``~=`` or ``--`` into symbols. So an invisible U+2060 WORD JOINER (written
``+`` here) goes between two characters such a pattern reads together: after ``:`` and ``@`` when
anything but a space follows, between ``-`` and ``-`` or ``>``, between ``<`` and ``-`` or ``=``,
between ``>`` or ``~`` and ``=``, and between ``w`` and a full stop: ``https:+//``, ``www+.``,
``a@+b``, ``:+streamlit:`` and ``-+>`` match none of those patterns, whatever their case, while
``article-mlp`` or ``2026-11-28`` keep no joiner. A word joiner is a default-ignorable character:
browsers draw nothing for it, and it changes how a line wraps only by forbidding a break beside
it. It does stay in copied text (and a text search for ``https://x`` on the page misses it), which
is the point. (A look-alike, such as a division slash for ``/``, would also break a link, but it
shows, and every pattern would need its own.) Square brackets are written as character
references (``&#91;`` ``&#93;``), never with a backslash: ``st.badge`` escapes brackets itself
(``[`` → ``\[``), and a backslash of ours in front would then escape its backslash instead and bring
the bracket back to life. A reference is decoded to a literal bracket and means nothing to either
parser. A space that begins or ends the text is a reference too (``&#32;``), so four leading
spaces cannot make a code block and trailing ones are not dropped. Other punctuation (``, ; ? ' "
% / ^``) means nothing there and is left as it is.

Plotly renders strings through its own small HTML subset (``<a href>``, ``<b>``, ``<br>``, …)
and decodes only a few named entities (``&amp;`` ``&lt;`` ``&gt;``; not ``&quot;``, which would
show as it is) and numeric ones. So ``&``, ``<`` and ``>`` become ``&amp;`` ``&lt;`` ``&gt;``, and
``%`` becomes ``&#37;``, so text placed in a ``hovertemplate`` cannot start a ``%{…}`` field.
Quotes stay quotes. (``$…$`` would be typeset as LaTeX only where MathJax is loaded, which neither
Streamlit nor the HTML report does.)

Plain text needs only :func:`neutral`; anything more would show (``&#91;`` in a select box).

>>> print(for_plain("Q3 \u202eFDP.exe\nnext line"))
Q3 \u202eFDP.exe next line
>>> for_chart('<a href="https://x.example">"q" 5%</a>')
'&lt;a href="https://x.example"&gt;"q" 5&#37;&lt;/a&gt;'
>>> for_markdown("[x](y)") == "&#91;x&#93;\\(y\\)"
True
"""

from __future__ import annotations

import re

__all__ = ["BIDI_CONTROLS", "WORD_JOINER", "for_chart", "for_markdown", "for_plain", "neutral"]

#: The characters that reorder the text around them (embeddings, overrides, isolates, marks).
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f"
    + "".join(chr(c) for c in range(0x202A, 0x202F))
    + "".join(chr(c) for c in range(0x2066, 0x206A))
)
#: U+2060 WORD JOINER: invisible, and breaks every pattern a renderer could turn into a link.
WORD_JOINER = "\u2060"
#: What :func:`neutral` rewrites: C0 and C1 controls and DEL, bidi controls, line and paragraph
#: separators, lone surrogates.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff" + "".join(sorted(BIDI_CONTROLS)) + "]")
_SPACES = frozenset("\t\n\r\u2028\u2029")
#: What Markdown (CommonMark, GFM, Streamlit's directives and math) gives a meaning to; brackets
#: are written as character references, so that no later escaping (``st.badge``'s) can undo them.
_MARKDOWN_SYNTAX = re.compile(r"[\\`*_{}()#+\-.!|<>~$:&=\[\]]")
_REFERENCES = {"[": "&#91;", "]": "&#93;"}
#: Where a transform on the rendered text could read two characters together: after ``:`` or
#: ``@`` (unless a space follows), inside ``->`` ``--`` ``<-`` ``<=`` ``>=`` ``~=`` and ``w.``.
_JOINS = re.compile(r"(?<=[:@])(?! )|(?<=-)(?=[->])|(?<=<)(?=[-=])|(?<=[>~])(?==)|(?<=[wW])(?=\.)")
_CHART_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "%": "&#37;"}
_CHART_SPECIAL = re.compile("[&<>%]")


def neutral(text: object) -> str:
    r"""``text`` (``str()`` of it) with nothing that changes how other text shows.

    Bidirectional controls, other control characters (C0, DEL, C1) and lone surrogates are written
    as their Python escapes; tabs, line breaks and the Unicode line and paragraph separators become
    one space each. Everything else, emoji and their zero-width joiners included, is kept.

    Parameters
    ----------
    text : object
        User text (anything else is shown as ``str(text)``).

    Returns
    -------
    str

    Examples
    --------
    >>> print(neutral("\u202eFDP.exe"), neutral("a\x00b\tc"), neutral(3))
    \u202eFDP.exe a\x00b c 3
    >>> neutral("\ud800") == "\\ud800"
    True
    """
    return _UNSAFE.sub(_neutral_one, str(text))


def _neutral_one(match: re.Match[str]) -> str:
    char = match.group(0)
    return " " if char in _SPACES else repr(char)[1:-1]


def for_markdown(text: object) -> str:
    r"""``text`` for anything Streamlit renders as Markdown: shows literally, links and formats nothing.

    Safe inside ``st.badge`` and any badge directive (brackets are character references), inside
    bold or italics of a surrounding template, and as a widget label or ``help`` tooltip. Never
    pass the result through another escape (it would show the backslashes).

    Parameters
    ----------
    text : object
        User text, raw (not escaped by anything else).

    Returns
    -------
    str
        Markdown source; the rendered text equals :func:`neutral` of ``text`` plus invisible word
        joiners.

    Examples
    --------
    >>> for_markdown("Base case, 10,000 paths") == "Base case, 10,000 paths"
    True
    >>> for_markdown("www.x.io/a?b=1").replace(WORD_JOINER, "+")
    'www+\\.x\\.io/a?b\\=1'
    >>> for_markdown("https://x.io").replace(WORD_JOINER, "+")
    'https\\:+//x\\.io'
    >>> for_markdown("a->b, article-mlp").replace(WORD_JOINER, "+")
    'a\\-+\\>b, article\\-mlp'
    """
    joined = _JOINS.sub(WORD_JOINER, neutral(text))
    source = _MARKDOWN_SYNTAX.sub(_escape_one, joined)
    if source.startswith(" "):
        source = "&#32;" + source[1:]
    if source.endswith(" "):
        source = source[:-1] + "&#32;"
    return source


def _escape_one(match: re.Match[str]) -> str:
    char = match.group(0)
    return _REFERENCES.get(char) or "\\" + char


def for_chart(text: object) -> str:
    """``text`` for any plotly string (names, legends, hover, tick labels, titles, annotations).

    Plotly decodes the entities written here exactly once, so the chart shows :func:`neutral` of
    ``text``: no tag, no link, no template field.

    Parameters
    ----------
    text : object
        User text, raw.

    Returns
    -------
    str

    Examples
    --------
    >>> for_chart("R&D <br> 'x' \\"y\\" $5 %{x}")
    'R&amp;D &lt;br&gt; \\'x\\' "y" $5 &#37;{x}'
    """
    return _CHART_SPECIAL.sub(lambda match: _CHART_ENTITIES[match.group(0)], neutral(text))


def for_plain(text: object) -> str:
    """``text`` for a plain-text place: table cells and headers, select box and multiselect options.

    Only :func:`neutral` applies: these places show characters as they are, so any escape would
    show too.

    >>> for_plain("[a](b) \\u202e") == "[a](b) \\\\u202e"
    True
    """
    return neutral(text)
