"""English sentences that do not come as reason codes yet, in the UI language.

Most of :mod:`bizmodel` explains its figures with :class:`bizmodel.reasons.Reason` (worded by
:func:`present.explain.words`). What still arrives as an English sentence, and is parsed back here:
the ``notes`` of the bundled LLM price list, the price catalogs' names, and the measurement methods
mlcore records with a run (stored in run records). They reach this module through
:func:`present.explain.words`, which hands it any ``str``.

Conventions
-----------
* :data:`TEMPLATES` lists each English message form ``bizmodel`` writes, in matching order (the
  more specific first). A form is the f-string with each interpolated value as a ``str.format``
  field; it is compiled into a regular expression that must **full**-match the message, the fields
  becoming named groups. The catalogs hold each form under ``model.<name>``: the English text is
  the form itself, the Chinese text uses the same fields.
* Field names say what a field may hold: ``*_msg`` is itself a ``bizmodel`` message, localized in
  turn (a nested sentence: a source, a verdict, an error); ``run_id`` is one token (a run id);
  ``*_key`` is a snake_case name; ``as_of``, ``utilisation`` and ``threshold`` are one token (a
  date, a percentage); any other field is text without ``;`` (a number as ``bizmodel``
  formatted it, a device, a date), kept as it is. A field that appears twice must match the same
  text twice.
* A message that no form matches but that ``bizmodel`` composes of clauses joined by ``"; "`` (a
  range note, an LLM price note) is localized clause by clause (a ``"; "``
  inside parentheses does not split) and joined with ``"；"``; an unknown clause stays English.
* A field written right after ``$`` in the English form is an amount in USD: it is written again
  in the display currency by :func:`present.format.fmt_money_detail` (``$1.096e-04`` → ``< ¥0.01``,
  ``$-4,011,000`` → ``-¥27,034,140``), in English too, so an explanation never shows dollars
  beside yuan nor money in scientific notation; so is an amount the form itself writes ("per
  $1,000 of data" → "per ¥6,740 of data"). Other numbers are kept as ``bizmodel`` wrote them.
* Any language without a catalog entry gets the text unchanged, and so does an unknown message;
  :func:`localize` never raises.
* Markdown escaping is the caller's: localize first, then escape.

Examples
--------
>>> localize("official USD list", "zh")
'官方美元价目表'
>>> localize("official USD list", "en")
'official USD list'
>>> localize("no ranges: a sentence the model never wrote", "zh")
'no ranges: a sentence the model never wrote'
>>> localize("hosted via OpenRouter; useful build-vs-buy anchor", "zh")
'经 OpenRouter 托管；可用作自建还是购买的参照'
"""

from __future__ import annotations

import math
import re
import string
from dataclasses import dataclass, field
from functools import cache

from present import format as fmt
from present.i18n import catalog

__all__ = ["TEMPLATES", "Template", "localize", "match"]

#: How deep nested messages (``*_msg`` fields) are localized.
MAX_DEPTH = 6
#: Texts longer than this are returned unchanged (no bizmodel message is anywhere near it).
MAX_LENGTH = 5000

_RUN_ID = r"[^\s:;()']+"
_KEY = r"[a-z0-9_]+"
_NESTED = r".+?"
_PLAIN = r"[^;]+?"


_ONE_TOKEN = r"[^\s;]+"
_ONE_TOKEN_FIELDS = frozenset({"as_of", "utilisation", "threshold"})


def _field_pattern(name: str) -> str:
    if name in _ONE_TOKEN_FIELDS:
        return _ONE_TOKEN
    if name.endswith("_msg"):
        return _NESTED
    if name == "run_id":
        return _RUN_ID
    if name.endswith("_key"):
        return _KEY
    return _PLAIN


@dataclass(frozen=True)
class Template:
    """One English message form of ``bizmodel`` (its catalog key is ``model.<name>``).

    Examples
    --------
    >>> t = Template("x", "wall time of run {run_id}")
    >>> t.pattern.fullmatch("wall time of run run-1").groupdict()
    {'run_id': 'run-1'}
    """

    name: str
    english: str
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)
    #: The fields written right after ``$``: amounts in USD.
    money: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts: list[str] = []
        seen: set[str] = set()
        money: set[str] = set()
        for literal, name, _, _ in string.Formatter().parse(self.english):
            parts.append(re.escape(literal))
            if name is None:
                continue
            if literal.endswith("$"):
                money.add(name)
            parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>{_field_pattern(name)})")
            seen.add(name)
        object.__setattr__(self, "pattern", re.compile("".join(parts), re.DOTALL))
        object.__setattr__(self, "money", frozenset(money))

    @property
    def key(self) -> str:
        return f"model.{self.name}"


_RUN_ANY = "run {run_id}: {text_msg}"

TEMPLATES: tuple[Template, ...] = tuple(
    Template(name, english)
    for name, english in (
        # -------------------------------------------------------------- bizmodel.advantage
        # -------------------------------------------------------------- bizmodel.projection, finance
        # -------------------------------------------------------------- bizmodel.binding
        # -------------------------------------------------------------- bizmodel.production
        # -------------------------------------------------------------- bizmodel.run_cost
        # ------------------------------------------------------- notes of bizmodel/data/llm_api_prices.csv
        ("note_name", "name: {model_name}"),
        ("note_cached", "cached input {price}/1M"),
        ("note_cache_hit", "cache-hit input {price}/1M"),
        ("note_litellm_match", "matches litellm openrouter entry ({prices} USD/token)"),
        (
            "note_commit_date",
            "as_of = date of the last git commit touching the vendor file (not the date the price took "
            "effect)",
        ),
        (
            "note_snapshot_date",
            "as_of = date the snapshot was read (commit date not retrievable): the price held no later than "
            "this, it was not checked on this date",
        ),
        ("note_short_context", "short-context tier (long-context tier priced higher)"),
        ("note_official", "official USD list"),
        ("note_peak", "peak price (Beijing weekdays 09:00-12:00 and 14:00-18:00)"),
        ("note_off_peak", "off-peak half: {prices}"),
        ("note_replaces", "replaces {entry} at {prices} (superseded {month})"),
        ("note_hosted_open", "hosted open-weights model via OpenRouter"),
        ("note_hosted", "hosted via OpenRouter"),
        ("note_anchor", "useful build-vs-buy anchor"),
        ("note_litellm_key", "litellm key {entry}"),
        # -------------------------------------------------------------- bizmodel.data_value
        # -------------------------------------------------------------- price catalogs' names
        ("catalog_bundled", "bundled"),
        ("catalog_saved", "your catalog {version}"),
        ("catalog_edited", "your edited catalog"),
        ("catalog_upload", "your upload {file}"),
        # -------------------------------------------------------------- mlcore's measurement methods
        ("device_cpu", "CPU ({cpu}, {cores} logical cores)"),
        (
            "peak_probe",
            "{dtype} matmul {size}×{size} on {device_msg} through keras.ops ({backend}), best of {repeats}",
        ),
        (
            "energy_tdp",
            "TDP share: {cpu_seconds} CPU-seconds of {cores} logical cores × {tdp} W package TDP "
            "({source_msg}); RAPL not readable; GPU not included",
        ),
        ("tdp_assumed", "assumed {watts} W per core"),
        ("energy_rapl", "RAPL package counters over {seconds} s (whole CPU package)"),
        # -------------------------------------------------------------- last: a run's prefix
    )
)


def match(text: str) -> tuple[Template, dict[str, str]] | None:
    """The first template that full-matches ``text``, with its fields; None when none does.

    >>> template, fields = match("litellm key openai/gpt-4o")
    >>> template.key, fields
    ('model.note_litellm_key', {'entry': 'openai/gpt-4o'})
    >>> match("hello") is None
    True
    """
    for template in TEMPLATES:
        found = template.pattern.fullmatch(text)
        if found is not None:
            return template, found.groupdict()
    return None


#: An amount the form itself writes in USD ("per $1,000 of data"), written in the display currency.
_LITERAL_USD = re.compile(r"\$(\d[\d,]*(?:\.\d+)?)")


def _literal_amount(found: re.Match[str]) -> str:
    return fmt.fmt_money_detail(float(found.group(1).replace(",", "")))


def _amount(text: str) -> float | None:
    """The number ``bizmodel`` wrote (``-4,011,000``, ``1.096e-04``), or None when it is not one.

    >>> _amount("-4,011,000"), _amount("1.096e-04"), _amount("n/a")
    (-4011000.0, 0.0001096, None)
    """
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _clauses(text: str) -> list[str]:
    """``text`` split at each ``"; "`` outside parentheses."""
    parts: list[str] = []
    depth, start, i = 0, 0, 0
    while i < len(text):
        char = text[i]
        if char in "(（":
            depth += 1
        elif char in ")）":
            depth = max(0, depth - 1)
        elif depth == 0 and text.startswith("; ", i):
            parts.append(text[start:i])
            start = i + 2
            i += 1
        i += 1
    parts.append(text[start:])
    return parts


@cache
def _separator(lang: str) -> str:
    return "；" if lang == "zh" else "; "


def _localize(text: str, lang: str, depth: int) -> str | None:
    """``text`` in ``lang``, or None when no template knows it."""
    if depth > MAX_DEPTH or not text:
        return None
    found = match(text)
    if found is not None:
        template, fields = found
        translated = catalog(lang).get(template.key)
        if translated is None:
            return None
        values = {
            name: (_localize(value, lang, depth + 1) or value) if name.endswith("_msg") else value
            for name, value in fields.items()
        }
        for name in template.money:
            amount = _amount(fields[name])
            if amount is not None:  # "$" and the amount become the amount in the display currency
                translated = translated.replace("${" + name + "}", "{" + name + "}")
                values[name] = fmt.fmt_money_detail(amount)
        translated = _LITERAL_USD.sub(
            lambda m: fmt.fmt_money_detail(float(m.group(1).replace(",", ""))), translated
        )
        return translated.format(**values)
    clauses = _clauses(text)
    if len(clauses) < 2:
        return None
    done = [_localize(clause, lang, depth + 1) for clause in clauses]
    if all(d is None for d in done):
        return None
    return _separator(lang).join(d if d is not None else c for d, c in zip(done, clauses, strict=True))


def localize(text: str, lang: str) -> str:
    """One ``bizmodel`` message (a detail, a reason, a note) in ``lang`` (module docstring).

    Parameters
    ----------
    text : str
        The English message as ``bizmodel`` wrote it.
    lang : str
        The UI language (``"en"``, ``"zh"``).

    Returns
    -------
    str
        The message in ``lang``, its amounts in the display currency; ``text`` itself for a
        language without these entries and for a message no template knows.

    Examples
    --------
    >>> localize("name: gpt-4o-mini", "zh")
    '名称：gpt-4o-mini'
    >>> localize("official USD list; name: gpt-4o-mini", "zh")
    '官方美元价目表；名称：gpt-4o-mini'
    >>> localize("something else entirely", "zh")
    'something else entirely'
    >>> localize("name: gpt-4o-mini", "en")
    'name: gpt-4o-mini'
    """
    if not isinstance(text, str) or len(text) > MAX_LENGTH:
        return text
    try:
        return _localize(text, lang, 0) or text
    except Exception:  # an explanation must never break a page
        return text
