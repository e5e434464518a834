"""Share links: round trips, URL safety, a table of bad links, and fuzzing of the decoder."""

from __future__ import annotations

import base64
import json
import random
import re
import time
import zlib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bizmodel.scenario import TEMPLATES, FundingRound, Scenario, base_template
from present import i18n
from present.sharelink import (
    LANGUAGES,
    MAX_DECODED_BYTES,
    MAX_LINK_CHARS,
    PAGES,
    SharedView,
    ShareLinkError,
    _inflate,
    decode,
    encode,
)

URL_SAFE = re.compile(r"[A-Za-z0-9_.-]+")


def _token(payload: Any) -> str:
    """A v1 token of any JSON-able payload (valid or not), built as :func:`encode` builds one."""
    raw = json.dumps(payload).encode("utf-8")
    return _token_of_bytes(raw)


def _token_of_bytes(raw: bytes) -> str:
    return "v1." + base64.urlsafe_b64encode(zlib.compress(raw, 9)).rstrip(b"=").decode("ascii")


def _payload(**changes: Any) -> dict[str, Any]:
    payload = {"s": base_template().to_dict(), "r": None, "p": "scenarios", "l": "en", "n": "Base"}
    payload.update(changes)
    return payload


@pytest.mark.parametrize("kind", sorted(TEMPLATES))
@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_templates_round_trip_on_every_page_and_language(kind: str, page: str, language: str) -> None:
    view = SharedView(TEMPLATES[kind](), run_id="0123abcd" * 4, page=page, language=language)
    token = encode(view)
    assert decode(token) == view
    assert URL_SAFE.fullmatch(token)
    assert encode(decode(token)) == token  # canonical: one view, one token


def test_default_view_round_trips_without_a_run() -> None:
    view = SharedView(base_template())
    assert (view.run_id, view.page, view.language) == (None, "scenarios", "en")
    assert decode(encode(view)) == view


def test_base_template_link_is_well_under_the_limit() -> None:
    # The base template's token is about 690 characters (689 bare, 693 with a 32-character run id):
    # about a ninth of MAX_LINK_CHARS.
    length = len(encode(SharedView(base_template(), run_id="f" * 32, page="overview")))
    print(f"base template share link: {length} characters (limit {MAX_LINK_CHARS})")
    assert length < MAX_LINK_CHARS // 4


def test_languages_match_the_language_switch() -> None:
    assert set(LANGUAGES) == set(i18n.LANGUAGE_NAMES)


def test_encode_refuses_a_view_over_the_limit_and_says_how_long() -> None:
    # Incompressible numbers: random headcounts and 500 funding rounds of random amounts.
    rng = random.Random(0)
    big = base_template().with_values(
        horizon_months=120,
        headcount_by_month=tuple(rng.uniform(1, 1000) for _ in range(120)),
        funding_rounds=tuple(
            FundingRound(month=1 + i % 120, amount_usd=rng.uniform(1, 1e9)) for i in range(500)
        ),
    )
    with pytest.raises(ShareLinkError, match=r"would be [\d,]+ characters, over the limit of 6,000"):
        encode(SharedView(big))


def test_encode_refuses_what_is_not_a_view() -> None:
    with pytest.raises(ShareLinkError, match="Only a SharedView"):
        encode(base_template())  # type: ignore[arg-type]


def _flipped(token: str) -> str:
    i = len(token) // 2
    return token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]


GOOD = encode(SharedView(base_template(), run_id="abc"))
BOMB_UNDER_LIMIT = _token_of_bytes(b" " * 4_000_000)  # ~4 MB of spaces in a token under 6,000 chars
BAD_SCENARIO = _payload(s={**base_template().to_dict(), "monthly_churn": 1.5, "cac_usd": "x"})

BAD_LINKS: list[tuple[str, object, str]] = [
    ("not text", 12345, "is not text"),
    ("empty", "", "is empty"),
    ("newer version", "v2.xxx", "made by a newer Moatlab"),
    ("older version", "v0.xxx", "made by an older Moatlab"),
    ("no version", "xyz", "no version prefix"),
    ("truncated", GOOD[:-40], "truncated"),
    ("truncated to an impossible length", GOOD[: 3 + 4 * 50 + 1], "truncated or damaged"),
    ("flipped character", _flipped(GOOD), "truncated or damaged"),
    ("non-base64", "v1.abc!def", "holds '!'"),
    ("padding", GOOD + "==", "holds '='"),
    (
        "base64 of garbage",
        "v1." + base64.urlsafe_b64encode(b"not zlib at all").decode(),
        "does not decompress",
    ),
    ("trailing data", GOOD + "AAAA", "data after its end"),
    ("not utf-8", _token_of_bytes(b"\xff\xfe{}"), "not UTF-8"),
    ("not json", _token_of_bytes(b"{'s': 1}"), "not valid JSON"),
    ("json list", _token([1, 2, 3]), "is a list, not an object"),
    ("json string", _token("hello"), "is a str, not an object"),
    ("NaN", _token_of_bytes(b'{"s": NaN}'), "holds NaN"),
    ("duplicate key", _token_of_bytes(b'{"s": 1, "s": 2}'), "repeats the key 's'"),
    ("deep nesting", _token_of_bytes(b"[" * 50_000), "not valid JSON"),
    ("unknown key", _token({**_payload(), "x": 1}), "unknown keys ['x']"),
    ("missing key", _token({k: v for k, v in _payload().items() if k != "p"}), "missing keys ['p']"),
    ("invalid scenario", _token(BAD_SCENARIO), "invalid scenario: monthly_churn must be at least 0"),
    ("scenario not an object", _token(_payload(s=[1])), "invalid scenario"),
    ("zip bomb under the length limit", BOMB_UNDER_LIMIT, "inflates to more than 64,000 bytes"),
    ("zip bomb of 10 MB", _token_of_bytes(b" " * 10_000_000), "over the limit of 6,000"),
    ("too long", "v1." + "A" * MAX_LINK_CHARS, "over the limit of 6,000"),
    ("run id path", _token(_payload(r="../../etc")), "invalid run id '../../etc'"),
    ("run id too long", _token(_payload(r="a" * 33)), "invalid run id"),
    ("run id not text", _token(_payload(r=7)), "invalid run id 7"),
    ("unknown page", _token(_payload(p="admin")), "unknown page 'admin'"),
    ("unknown language", _token(_payload(l="fr")), "unknown language 'fr'"),
    ("name not text", _token(_payload(n=["x"])), "scenario name that is not text"),
    ("name too long", _token(_payload(n="x" * 201)), "at most 200 characters"),
    ("name with control characters", _token(_payload(n="a\x1b[31mb")), "control characters"),
    ("settings not an object", _token(_payload(o=[1])), "settings must be an object"),
    ("settings missing a key", _token(_payload(o={"paths": 500, "seed": 1})), "settings must be an object"),
    ("too many paths", _token(_payload(o={"paths": 10**9, "seed": 0, "change": 0.1})), "invalid paths"),
    ("paths not whole", _token(_payload(o={"paths": 500.5, "seed": 0, "change": 0.1})), "invalid paths"),
    ("negative seed", _token(_payload(o={"paths": 500, "seed": -1, "change": 0.1})), "invalid seed"),
    ("change out of range", _token(_payload(o={"paths": 500, "seed": 0, "change": 3})), "invalid change"),
    ("seed is a bool", _token(_payload(o={"paths": 500, "seed": True, "change": 0.1})), "invalid seed"),
]


@pytest.mark.parametrize(("token", "words"), [case[1:] for case in BAD_LINKS], ids=[c[0] for c in BAD_LINKS])
def test_bad_links_are_refused_with_a_clear_message(token: object, words: str) -> None:
    with pytest.raises(ShareLinkError) as caught:
        decode(token)  # type: ignore[arg-type]
    message = str(caught.value)
    assert words in message
    assert message.startswith("This share link ") and message.endswith("ask for a new link.")


def test_bomb_under_the_length_limit_really_is_under_it() -> None:
    assert len(BOMB_UNDER_LIMIT) <= MAX_LINK_CHARS


def test_invalid_scenario_lists_every_problem() -> None:
    with pytest.raises(ShareLinkError) as caught:
        decode(_token(BAD_SCENARIO))
    assert "monthly_churn" in str(caught.value) and "cac_usd" in str(caught.value)


def test_zip_bomb_is_refused_without_inflating_it_all() -> None:
    bomb = zlib.compress(b" " * 10_000_000, 9)
    start = time.perf_counter()
    with pytest.raises(ShareLinkError, match=f"more than {MAX_DECODED_BYTES:,} bytes"):
        _inflate(bomb)
    assert time.perf_counter() - start < 0.5


def test_a_scenario_of_exactly_the_inflation_limit_is_accepted_by_the_inflater() -> None:
    assert len(_inflate(zlib.compress(b"x" * MAX_DECODED_BYTES))) == MAX_DECODED_BYTES


BASE64URL = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", max_size=400)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner, max_size=5),
    max_leaves=20,
)


def _only_share_link_errors(token: str) -> None:
    start = time.perf_counter()
    try:
        view = decode(token)
    except ShareLinkError:
        pass
    else:
        assert isinstance(view, SharedView)
    assert time.perf_counter() - start < 1.0


@given(st.text(max_size=200))
def test_decode_of_any_text_raises_only_share_link_errors(text: str) -> None:
    _only_share_link_errors(text)


@given(BASE64URL)
def test_decode_of_any_base64url_body_raises_only_share_link_errors(body: str) -> None:
    _only_share_link_errors("v1." + body)


@given(JSON_VALUES)
def test_decode_of_any_compressed_json_raises_only_share_link_errors(value: Any) -> None:
    _only_share_link_errors(_token(value))


SCENARIO_FIELDS = sorted(base_template().to_dict())


@settings(max_examples=150)
@given(st.sampled_from(SCENARIO_FIELDS), JSON_VALUES)
def test_any_value_in_any_scenario_field_raises_only_share_link_errors(name: str, value: Any) -> None:
    _only_share_link_errors(_token(_payload(s={**base_template().to_dict(), name: value})))


CHANGES = st.fixed_dictionaries(
    {
        "horizon_months": st.integers(24, 120),  # the templates raise funding in month 18
        "monthly_churn": st.floats(0.0, 0.3),
        "price_usd_per_user_month": st.floats(0.0, 1e6),
        "model_accuracy": st.floats(0.0, 1.0),
        "starting_cash_usd": st.floats(0.0, 1e13),
        "headcount_by_month": st.lists(st.floats(0.0, 1e6), min_size=1, max_size=24).map(tuple),
        "use_run_spread": st.booleans(),
    }
)
VIEWS = st.tuples(
    st.none() | st.from_regex(r"[0-9A-Za-z_-]{1,32}", fullmatch=True),
    st.sampled_from(PAGES),
    st.sampled_from(LANGUAGES),
)


@given(st.sampled_from(sorted(TEMPLATES)), CHANGES, VIEWS)
def test_varied_scenarios_round_trip_exactly(
    kind: str, changes: dict[str, Any], view_args: tuple[str | None, str, str]
) -> None:
    scenario = TEMPLATES[kind]().with_values(**changes)
    run_id, page, language = view_args
    view = SharedView(scenario, run_id=run_id, page=page, language=language)
    back = decode(encode(view))
    assert back == view
    assert back.scenario.to_dict() == scenario.to_dict()
    assert isinstance(back.scenario, Scenario)


def test_analysis_settings_travel_only_when_changed() -> None:
    plain = SharedView(base_template(), name="x")
    tuned = SharedView(base_template(), name="x", paths=500, seed=42, change=0.25)
    assert decode(encode(tuned)) == tuned
    assert decode(encode(plain)) == plain
    assert len(encode(tuned)) > len(encode(plain))  # the defaults add nothing to a link
