"""Share links: the active scenario, run, page and language packed into one URL-safe token.

A founder's "Copy share link" puts a token in the URL; opening it in another session reproduces
the same view. This module only turns a :class:`SharedView` into a token and back: it never
evaluates or unpickles anything, never touches the file system, and never looks anything up
(the page resolves the run id in the store itself).

Format
------
``"v1." + base64url(zlib.compress(JSON, level 9))``, with the base64url padding (``=``) removed,
so a token holds only ``[A-Za-z0-9_.-]`` and needs no escaping in a query string.

* ``v1`` is :data:`SHARE_VERSION`. A token of another version is refused with a message saying
  whether a newer or an older Moatlab made it; a future format gets a new number.
* The JSON is canonical: ``json.dumps(payload, sort_keys=True, separators=(",", ":"),
  ensure_ascii=False, allow_nan=False)`` of ``{"s": scenario.to_dict(), "r": run_id, "p": page,
  "l": language, "n": name}``, encoded as UTF-8, so the same view always gives the same token. All
  five keys are required, and no other key is allowed; ``"r"`` is ``null`` when no run drives the
  scenario. The name is display text of at most :data:`MAX_NAME_CHARS` characters without control or
  invisible characters (:func:`safetext.hidden_character`: no right-to-left override; it is shown
  through :func:`safetext.for_markdown`, never interpreted). An optional sixth key ``"o"`` holds the
  analysis settings when they differ from the defaults: ``{"paths": int, "seed": int, "change":
  float}`` (Monte Carlo paths and seed, the tornado's ± move), each within :data:`OPTION_BOUNDS`.
* The run id is plain text of 1–32 characters from ``[0-9A-Za-z_-]`` (a store id is 32 hex
  digits); the page is one of :data:`PAGES`; the language one of :data:`LANGUAGES`.

Limits and refusals
-------------------
* A token is at most :data:`MAX_LINK_CHARS` characters (browsers and proxies cope with URLs of
  about 8,000); :func:`encode` refuses a view whose token would be longer.
* Decoding inflates at most :data:`MAX_DECODED_BYTES` bytes: a token that would inflate further
  (a "zip bomb") is refused without inflating the rest.
* Every problem — not text, empty, too long, unknown version, bad base64, a damaged or truncated
  zlib stream, trailing data, not UTF-8, not JSON, NaN or Infinity, duplicate keys, not an
  object, unknown or missing keys, an invalid scenario (the first :data:`MAX_LISTED_PROBLEMS`
  :class:`~bizmodel.scenario_bounds.ScenarioError` problems, then how many more), a bad run id, page,
  language or name (control or invisible characters, a lone surrogate) — raises :class:`ShareLinkError` (a
  ``ValueError``) whose message says what is wrong and to ask for a new link; values from the
  link are quoted short (:func:`safetext.shown`). No other exception escapes :func:`decode`.

>>> from bizmodel.scenario import base_template
>>> view = SharedView(base_template(), run_id="3f2a9c", page="compare", language="zh")
>>> token = encode(view)
>>> token.startswith("v1.") and len(token) < MAX_LINK_CHARS
True
>>> decode(token) == view
True
>>> decode("v2.eJyrrgUAAXUA")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
present.sharelink.ShareLinkError: This share link was made by a newer Moatlab (format v2; ...
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from dataclasses import dataclass
from typing import Any

from bizmodel.scenario import Scenario
from bizmodel.scenario_bounds import ScenarioError
from present.page_registry import SHAREABLE
from safetext import hidden_character, joined, listed, shown

SHARE_VERSION = 1
MAX_LINK_CHARS = 6000  # the encoded token's limit (browsers and proxies cope with ~8k URLs)
MAX_DECODED_BYTES = 64_000  # refuse a token that inflates beyond this (zip-bomb guard)
PAGES = SHAREABLE  # the pages a link may open (present.page_registry)
LANGUAGES = ("en", "zh")
PAYLOAD_KEYS = ("l", "n", "p", "r", "s")
OPTIONAL_KEYS = ("o",)
MAX_NAME_CHARS = 200
#: The analysis settings a link may carry: (low, high) of Monte Carlo paths, seed and tornado move.
OPTION_BOUNDS = {"paths": (100, 50_000), "seed": (0, 2**31 - 1), "change": (0.05, 0.5)}
DEFAULT_OPTIONS = {"paths": 10_000, "seed": 0, "change": 0.10}

_PREFIX = f"v{SHARE_VERSION}."
_RUN_ID = re.compile(r"[0-9A-Za-z_-]{1,32}")
_VERSIONED = re.compile(r"v([0-9]{1,6})\.(.*)", re.DOTALL)
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_ASK = "ask for a new link"


class ShareLinkError(ValueError):
    """A share link (or a view to share) is invalid; the message says what is wrong and what to do."""


def _refuse(problem: str) -> ShareLinkError:
    return ShareLinkError(f"This share link {problem}; {_ASK}.")


def _shown(value: object, limit: int = 40) -> str:
    return shown(value, limit=limit)


#: The most scenario problems a refusal lists (then "… and N more problems").
MAX_LISTED_PROBLEMS = 4


@dataclass(frozen=True)
class SharedView:
    """What a share link opens: a scenario and its name, optionally the run driving it, a page and
    a language.

    Checked on construction (raises :class:`ShareLinkError`).

    >>> from bizmodel.scenario import base_template
    >>> SharedView(base_template(), run_id="../../etc")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    present.sharelink.ShareLinkError: This share link has an invalid run id '../../etc' (1–32 ...
    """

    scenario: Scenario
    run_id: str | None = None
    page: str = "scenarios"
    language: str = "en"
    name: str = ""
    paths: int = DEFAULT_OPTIONS["paths"]
    seed: int = DEFAULT_OPTIONS["seed"]
    change: float = DEFAULT_OPTIONS["change"]

    def __post_init__(self) -> None:
        for key, (low, high) in OPTION_BOUNDS.items():
            value = getattr(self, key)
            whole = key != "change"
            ok_type = isinstance(value, int) if whole else isinstance(value, int | float)
            if isinstance(value, bool) or not ok_type or not (low <= value <= high):
                raise _refuse(f"has an invalid {key} {_shown(value)} (from {low:g} to {high:g})")
        if not isinstance(self.scenario, Scenario):
            raise _refuse(f"holds no scenario (got {type(self.scenario).__name__})")
        if not isinstance(self.name, str) or len(self.name) > MAX_NAME_CHARS:
            raise _refuse(f"has a scenario name that is not text of at most {MAX_NAME_CHARS} characters")
        if any(0xD800 <= ord(c) <= 0xDFFF for c in self.name):
            raise _refuse("has a scenario name that is not valid text (a lone UTF-16 surrogate)")
        bad = hidden_character(self.name)
        if bad is not None:
            raise _refuse(
                f"has a scenario name {_shown(self.name)} with control characters or invisible ones "
                f"({_shown(bad)}; a right-to-left override, for one, makes a name read backwards)"
            )
        if self.run_id is not None and not (isinstance(self.run_id, str) and _RUN_ID.fullmatch(self.run_id)):
            raise _refuse(
                f"has an invalid run id {_shown(self.run_id)} "
                "(1–32 characters of letters, digits, '_' and '-')"
            )
        if not isinstance(self.page, str) or self.page not in PAGES:
            raise _refuse(f"names an unknown page {_shown(self.page)} (known: {', '.join(PAGES)})")
        if not isinstance(self.language, str) or self.language not in LANGUAGES:
            raise _refuse(
                f"names an unknown language {_shown(self.language)} (known: {', '.join(LANGUAGES)})"
            )


def _canonical_json(view: SharedView) -> bytes:
    payload = {
        "s": view.scenario.to_dict(),
        "r": view.run_id,
        "p": view.page,
        "l": view.language,
        "n": view.name,
    }
    options = {"paths": view.paths, "seed": view.seed, "change": view.change}
    if options != DEFAULT_OPTIONS:
        payload["o"] = options
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.encode("utf-8")


def encode(view: SharedView) -> str:
    """The share-link token of ``view`` (``"v1."`` + base64url of the zlib-compressed JSON).

    Raises :class:`ShareLinkError` when the token would exceed :data:`MAX_LINK_CHARS`.
    """
    if not isinstance(view, SharedView):
        raise ShareLinkError(f"Only a SharedView can be shared; got {type(view).__name__}.")
    try:
        raw = _canonical_json(view)
    except (TypeError, ValueError) as error:
        raise ShareLinkError(f"This view cannot be written as a share link: {error}.") from None
    body = base64.urlsafe_b64encode(zlib.compress(raw, 9)).rstrip(b"=").decode("ascii")
    token = _PREFIX + body
    if len(token) > MAX_LINK_CHARS:
        raise ShareLinkError(
            f"The share link would be {len(token):,} characters, over the limit of {MAX_LINK_CHARS:,}; "
            "simplify the scenario (fewer headcount steps, funding rounds or ranges) or share it "
            "as a JSON export instead."
        )
    return token


def _inflate(data: bytes) -> bytes:
    """``data`` decompressed, refusing (without inflating further) past :data:`MAX_DECODED_BYTES`."""
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_DECODED_BYTES + 1)
    except zlib.error:
        raise _refuse("is truncated or damaged (its data does not decompress)") from None
    if len(out) > MAX_DECODED_BYTES or inflater.unconsumed_tail:
        raise _refuse(f"inflates to more than {MAX_DECODED_BYTES:,} bytes, more than any scenario needs")
    if not inflater.eof:
        raise _refuse("is truncated (its compressed data ends early)")
    if inflater.unused_data:
        raise _refuse("is damaged (it has data after its end)")
    return out


class _BadJson(ValueError):
    """A JSON document a share link must never hold (NaN, Infinity, a duplicate key)."""


def _no_constant(name: str) -> Any:
    raise _BadJson(f"holds {name}, which a share link never does")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _BadJson(f"repeats the key {_shown(key)}")
        out[key] = value
    return out


def _parse(raw: bytes) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _refuse("is damaged (its data is not UTF-8 text)") from None
    try:
        payload = json.loads(text, parse_constant=_no_constant, object_pairs_hook=_unique_keys)
    except _BadJson as error:
        raise _refuse(f"is damaged (its JSON {error})") from None
    except (ValueError, RecursionError):  # JSONDecodeError is a ValueError, as are over-long integers
        raise _refuse("is damaged (its data is not valid JSON)") from None
    if not isinstance(payload, dict):
        raise _refuse(f"is damaged (its JSON is a {type(payload).__name__}, not an object)")
    unknown = sorted(set(payload) - set(PAYLOAD_KEYS) - set(OPTIONAL_KEYS))
    missing = [k for k in PAYLOAD_KEYS if k not in payload]
    if unknown or missing:
        parts = ([f"unknown keys [{listed(_shown(k, 24) for k in unknown)}]"] if unknown else []) + (
            [f"missing keys {missing}"] if missing else []
        )
        raise _refuse(f"is damaged (its JSON has {' and '.join(parts)})")
    return payload


def decode(token: str) -> SharedView:
    """The view a share-link token holds; raises :class:`ShareLinkError` (only) for a bad token.

    >>> decode("xyz")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    present.sharelink.ShareLinkError: This share link is not a Moatlab share link (no version prefix ...
    """
    if not isinstance(token, str):
        raise _refuse(f"is not text (got {type(token).__name__})")
    if not token:
        raise _refuse("is empty")
    if len(token) > MAX_LINK_CHARS:
        raise _refuse(f"is {len(token):,} characters long, over the limit of {MAX_LINK_CHARS:,}")
    match = _VERSIONED.fullmatch(token)
    if match is None:
        raise _refuse(f"is not a Moatlab share link (no version prefix such as {_PREFIX!r})")
    version, body = int(match.group(1)), match.group(2)
    if version != SHARE_VERSION:
        age = "a newer" if version > SHARE_VERSION else "an older"
        raise _refuse(
            f"was made by {age} Moatlab (format v{version}; this one reads v{SHARE_VERSION}) "
            "and cannot be opened here"
        )
    if not _BASE64URL.fullmatch(body):
        bad = next(c for c in body if not (c.isascii() and (c.isalnum() or c in "_-")))
        raise _refuse(f"is damaged (it holds {bad!r}, which a share link never has)")
    if len(body) % 4 == 1:
        raise _refuse("is truncated or damaged (its length is impossible for base64url)")
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError):
        raise _refuse("is truncated or damaged (its text is not valid base64url)") from None
    payload = _parse(_inflate(compressed))
    try:
        scenario = Scenario.from_dict(payload["s"])
    except ScenarioError as error:
        problems = joined(error.all_problems, limit=MAX_LISTED_PROBLEMS)
        raise _refuse(f"holds an invalid scenario: {problems}") from None
    options = payload.get("o", DEFAULT_OPTIONS)
    if not isinstance(options, dict) or set(options) != set(DEFAULT_OPTIONS):
        raise _refuse(f"is damaged (its settings must be an object with {', '.join(DEFAULT_OPTIONS)})")
    return SharedView(
        scenario=scenario,
        run_id=payload["r"],
        page=payload["p"],
        language=payload["l"],
        name=payload["n"],
        paths=options["paths"],
        seed=options["seed"],
        change=options["change"],
    )
