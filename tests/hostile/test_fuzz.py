"""Fuzzing the four doors hostile input comes through: bytes in, a valid object or a clean refusal out.

Each target gets random bytes and *near-valid* input (a good file or document with a few random
edits), so the fuzz reaches the deep checks, not only the first one. The property is always the
same: the function returns a valid object or raises its own named error whose message is a short,
printable sentence without Python's wording (:func:`tests.hostile.refusals.check_refusal`) —
never another exception, never a hang (each example has a generous hypothesis deadline; the work
is milliseconds, the deadline only catches runaway cases such as quadratic parsing).

Example counts (``max_examples``) per target are the constants below.
"""

from __future__ import annotations

import base64
import json
import math
import random
import zlib
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bizmodel.buildbuy import API_PRICE_COLUMNS, BuildBuyError, read_api_prices
from bizmodel.catalog import Catalog, CatalogError, load_bundled, read_catalog, to_csv_bytes
from bizmodel.scenario import Scenario, base_template
from bizmodel.scenario_bounds import MAX_PROBLEMS, ScenarioError
from mlcore.csv_data import CsvTable, validate_csv
from mlcore.errors import DatasetError
from present.sharelink import SharedView, ShareLinkError, decode, encode
from tests.support.refusals import NASTY_CELLS, check_refusal, mutate_lines
from ui.views.share import read_scenario_file

RANDOM_EXAMPLES = 120
NEAR_VALID_EXAMPLES = 200
DEADLINE = timedelta(seconds=5)
TODAY = date(2026, 11, 29)
FUZZ = settings(
    max_examples=NEAR_VALID_EXAMPLES,
    deadline=DEADLINE,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
RANDOM = settings(FUZZ, max_examples=RANDOM_EXAMPLES)

#: A seeded generator for the edits (uniform choices; the seed is shown when an example fails).
randoms = st.integers(0, 2**32 - 1).map(random.Random)
names = st.one_of(st.text(max_size=12), st.sampled_from(["y", "label", "a", "b", " y ", "y\x00", "\t", ""]))


def _cells(extra: tuple[str, ...] = ()) -> list[str]:
    return [*NASTY_CELLS, *extra, "0", "1", "2.5", "-3", "1e3", "a", "b", "c0", "c1"]


# ---------------------------------------------------------------------- (a) the Train CSV validator


def _check_table(table: CsvTable, label: str) -> None:
    assert table.label_column == label
    values = table.features.to_numpy(dtype=np.float64)
    assert np.isfinite(values).all() and (np.abs(values) <= 3e38).all()
    assert len(table.labels) == len(table.features) >= 20
    assert 2 <= len(table.class_names) <= 100
    assert set(table.labels.astype(str)) == set(table.class_names)
    for name in table.feature_names:
        assert name and name.isprintable() and name != label
    table.to_dataset()


def _validate(data: bytes, label: str) -> None:
    try:
        table = validate_csv(data, label_column=label)
    except DatasetError as error:
        event("refused")
        check_refusal(error)
    else:
        event("accepted")
        _check_table(table, label)


@RANDOM
@given(data=st.binary(max_size=3000), label=names)
def test_csv_validator_survives_random_bytes(data: bytes, label: str) -> None:
    _validate(data, label)


@FUZZ
@given(
    width=st.integers(2, 6),
    rows=st.integers(20, 45),  # enough to be valid; the edits delete rows too
    classes=st.sampled_from([1, 2, 2, 3, 4]),
    rng=randoms,
    steps=st.integers(0, 3),
    ending=st.sampled_from(["\n", "\r\n", "", "\n\n"]),
    label=st.one_of(st.just("y"), st.just("y"), st.just("y"), names),
)
def test_csv_validator_survives_near_valid_files(
    *, width: int, rows: int, classes: int, rng: random.Random, steps: int, ending: str, label: str
) -> None:
    header = [f"f{j}" for j in range(width - 1)] + ["y"]
    lines = [",".join(header)] + [
        ",".join([*(str(i * (j + 1) % 17 - 3) for j in range(width - 1)), f"c{i % classes}"])
        for i in range(rows)
    ]
    lines = mutate_lines(lines, rng, _cells(tuple(header)), steps)
    _validate((ending.join(lines) + ending).encode("utf-8", "surrogatepass"), label)


# ---------------------------------------------------------------------- (b) the scenario JSON loader

_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**500), max_value=10**500),
    st.integers(-200, 200),
    st.floats(allow_nan=False, allow_infinity=False),
    st.floats(0, 1),
    st.text(max_size=20),
)
json_values = st.recursive(
    _leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
BASE = base_template().to_dict()
NESTED = ("accuracy_link", "funding_rounds", "ranges", "headcount_by_month")


@st.composite
def scenario_documents(draw: st.DrawFn) -> Any:
    """The base template's document with up to five random edits (nested ones included)."""
    doc = json.loads(json.dumps(BASE))
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(["scale", "scale", "set", "set", "delete", "add", "nested", "item"]))
        key = draw(st.sampled_from(sorted(BASE)))
        if kind == "scale":  # a plausible change, often still valid
            value = doc.get(key)
            if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < 1e15:
                doc[key] = doc[key] * draw(st.sampled_from([0, 0.5, 0.9, 1.1, 2, -1]))
        elif kind == "set":
            doc[key] = draw(json_values)
        elif kind == "delete":
            doc.pop(key, None)
        elif kind == "add":
            doc[draw(st.text(max_size=30))] = draw(json_values)
        elif kind == "nested":
            part = draw(st.sampled_from(NESTED))
            value = doc.get(part)
            if isinstance(value, dict) and value:
                value[draw(st.sampled_from(sorted(value)))] = draw(json_values)
            elif isinstance(value, list) and value:
                value[draw(st.integers(0, len(value) - 1))] = draw(json_values)
        else:
            part = draw(st.sampled_from(("funding_rounds", "ranges")))
            item = {
                "funding_rounds": {"month": draw(_leaf), "amount_usd": draw(_leaf)},
                "ranges": {
                    "field": draw(st.sampled_from([*BASE, "x", ""])),
                    "low": draw(_leaf),
                    "high": draw(_leaf),
                    "distribution": draw(st.sampled_from(["triangular", "lognormal", "normal"])),
                },
            }[part]
            if isinstance(doc.get(part), list):
                doc[part].append(item)
    return doc


def _check_scenario_error(error: ScenarioError) -> None:
    check_refusal(error)
    assert 1 <= len(error.problems) <= MAX_PROBLEMS + 1
    for problem in error.problems:
        assert problem and len(problem) <= 600 and problem.isprintable()


def _load(data: bytes) -> None:
    try:
        scenario = read_scenario_file(data)
    except ScenarioError as error:
        event("refused")
        _check_scenario_error(error)
    else:
        event("accepted")
        assert Scenario.from_dict(json.loads(json.dumps(scenario.to_dict()))) == scenario


@RANDOM
@given(data=st.binary(max_size=2000))
def test_scenario_file_survives_random_bytes(data: bytes) -> None:
    _load(data)


@FUZZ
@given(doc=scenario_documents(), cut=st.one_of(st.none(), st.integers(0, 4000)), rng=randoms)
def test_scenario_file_survives_edited_documents(doc: Any, cut: int | None, rng: random.Random) -> None:
    text = json.dumps(doc, ensure_ascii=rng.random() < 0.5)
    if cut is not None:  # a damaged file: a character replaced
        i = cut % (len(text) + 1)
        text = text[:i] + rng.choice(["", "]", "}", ",", '"', "\\", "\x00", "1e999", "NaN"]) + text[i + 1 :]
    _load(text.encode("utf-8", "surrogatepass"))


@FUZZ
@given(doc=scenario_documents())
def test_scenario_validation_raises_only_scenario_errors(doc: Any) -> None:
    try:
        scenario = Scenario.from_dict(doc)
    except ScenarioError as error:
        event("refused")
        _check_scenario_error(error)
    else:
        event("accepted")
        assert all(math.isfinite(float(v)) for v in scenario.headcount_by_month)


# ---------------------------------------------------------------------- (c) share-link tokens


def _token(payload: Any, *, ascii_only: bool = True, damage: bytes = b"", at: int = 0) -> str:
    raw = json.dumps(payload, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    packed = zlib.compress(raw, 9)
    if damage:
        i = at % (len(packed) + 1)
        packed = packed[:i] + damage + packed[i + len(damage) :]
    return "v1." + base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")


def _open(token: Any) -> None:
    try:
        view = decode(token)
    except ShareLinkError as error:
        event("refused")
        check_refusal(error)
        return
    event("accepted")
    assert isinstance(view, SharedView)
    try:
        again = decode(encode(view))
    except ShareLinkError as error:  # the canonical form may be longer than the link given
        check_refusal(error)
    else:
        assert again == view


@RANDOM
@given(
    token=st.one_of(
        st.text(max_size=300),
        st.text(
            alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", max_size=400
        ).map(lambda body: "v1." + body),
        st.binary(max_size=300).map(lambda b: "v1." + base64.urlsafe_b64encode(b).decode().rstrip("=")),
        st.binary(max_size=300).map(
            lambda b: "v1." + base64.urlsafe_b64encode(zlib.compress(b)).decode().rstrip("=")
        ),
    )
)
def test_share_link_decoder_survives_random_tokens(token: str) -> None:
    _open(token)


@FUZZ
@given(
    doc=scenario_documents(),
    run_id=st.sampled_from([None, "3f2a9c", "../../etc/passwd", "x" * 40]) | json_values,
    page=st.sampled_from(["overview", "scenarios", "compare", "Scenarios"]) | json_values,
    language=st.sampled_from(["en", "zh", "fr"]) | json_values,
    name=st.text(max_size=40) | st.sampled_from(["\ud800", "a\x00b", "\u202eevil", "x" * 300]) | json_values,
    options=st.one_of(
        st.none(),
        st.none(),
        st.fixed_dictionaries(
            {
                "paths": st.sampled_from([100, 10_000, 99, 10**30]) | json_values,
                "seed": st.integers(-5, 2**31 + 5) | json_values,
                "change": st.sampled_from([0.05, 0.1, 0.5, 0.51]) | json_values,
            }
        ),
        json_values,
    ),
    extra=st.one_of(st.none(), st.none(), st.dictionaries(st.text(max_size=8), json_values, max_size=3)),
    ascii_only=st.booleans(),
    damage=st.one_of(st.just(b""), st.binary(min_size=1, max_size=3)),
    at=st.integers(0, 3000),
)
def test_share_link_decoder_survives_edited_payloads(
    *,
    doc: Any,
    run_id: Any,
    page: Any,
    language: Any,
    name: Any,
    options: Any,
    extra: dict[str, Any] | None,
    ascii_only: bool,
    damage: bytes,
    at: int,
) -> None:
    payload: dict[str, Any] = {"s": doc, "r": run_id, "p": page, "l": language, "n": name}
    if options is not None:
        payload["o"] = options
    payload.update(extra or {})
    _open(_token(payload, ascii_only=ascii_only, damage=damage, at=at))


# ---------------------------------------------------------------------- (d) catalog and price list uploads

_INSTANCES, _ACCELERATORS = (b.decode("utf-8").splitlines() for b in to_csv_bytes(load_bundled()))
_PRICES = (
    (__import__("bizmodel.buildbuy_prices", fromlist=["bundled_price_bytes"]).bundled_price_bytes())
    .decode("utf-8")
    .splitlines()
)
CONTROL_FREE_COLUMNS = ("provider", "region", "instance_type", "accelerator", "status", "model")


def _check_text_columns(frame: pd.DataFrame) -> None:
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            for value in frame[column]:
                text = str(value)
                if column in CONTROL_FREE_COLUMNS:
                    assert text.isprintable() or not text.strip(), (column, text)
                assert "\x00" not in text, (column, text)


def _catalog(instances: bytes, accelerators: bytes | None, name: str) -> None:
    try:
        catalog = read_catalog(instances, accelerators, name=name, today=TODAY)
    except CatalogError as error:
        event("refused")
        check_refusal(error)
        return
    event("accepted")
    assert isinstance(catalog, Catalog) and len(catalog.instances) >= 1
    _check_text_columns(catalog.instances)
    _check_text_columns(catalog.accelerators)
    prices = catalog.instances["on_demand_usd_per_hour"].to_numpy()
    assert np.isfinite(prices).all() and (prices > 0).all()
    assert len(catalog.version) == 12


@RANDOM
@given(
    instances=st.binary(max_size=3000),
    accelerators=st.one_of(st.none(), st.binary(max_size=1000)),
    name=names,
)
def test_catalog_upload_survives_random_bytes(
    instances: bytes, accelerators: bytes | None, name: str
) -> None:
    _catalog(instances, accelerators, name)


@FUZZ
@given(
    rows=st.integers(1, 8),
    rng=randoms,
    steps=st.integers(0, 5),
    accel_steps=st.one_of(st.none(), st.integers(0, 3)),
    name=names,
)
def test_catalog_upload_survives_near_valid_files(
    rows: int, rng: random.Random, steps: int, accel_steps: int | None, name: str
) -> None:
    header = _INSTANCES[0].split(",")
    rng.shuffle(header) if rng.random() < 0.2 else None
    lines = mutate_lines(_INSTANCES[: rows + 1], rng, _cells(tuple(header)), steps)
    accelerators = None
    if accel_steps is not None:
        accelerators = "\n".join(mutate_lines(_ACCELERATORS, rng, _cells(), accel_steps)).encode()
    _catalog("\n".join(lines).encode("utf-8", "surrogatepass"), accelerators, name)


def _prices(data: bytes, name: str) -> None:
    try:
        frame = read_api_prices(data, name=name, today=TODAY)
    except BuildBuyError as error:
        event("refused")
        check_refusal(error)
        return
    event("accepted")
    assert list(frame.columns) == list(API_PRICE_COLUMNS) and len(frame) >= 1
    _check_text_columns(frame)
    for column in ("input_usd_per_1m_tokens", "output_usd_per_1m_tokens"):
        values = frame[column].to_numpy()
        assert np.isfinite(values).all() and (values >= 0).all()


@RANDOM
@given(data=st.binary(max_size=3000), name=names)
def test_price_list_upload_survives_random_bytes(data: bytes, name: str) -> None:
    _prices(data, name)


@FUZZ
@given(rows=st.integers(1, 8), rng=randoms, steps=st.integers(0, 5), name=names)
def test_price_list_upload_survives_near_valid_files(
    rows: int, rng: random.Random, steps: int, name: str
) -> None:
    lines = mutate_lines(_PRICES[: rows + 1], rng, _cells(API_PRICE_COLUMNS), steps)
    _prices("\n".join(lines).encode("utf-8", "surrogatepass"), name)
