"""The defects an exploratory fuzz run found, one case each: every one is now a clean refusal.

1. integers beyond float range raised ``OverflowError`` in scenario validation;
2. Train CSV rows with more fields than the header were shifted (or crashed a line helper);
3. a header field over 131,072 characters let ``_csv.Error`` escape;
4. refusals echoed long values unbounded (a share link's message reached 173,000 characters) and
   NUL characters in catalog keys passed;
5. wide headers were parsed quadratically or in full before the column limit was checked;
6. a JSON number of more than 4,300 digits leaked Python's own message;
and smaller ones: a NUL byte after the first 64 KB, tabs in column names, a lone surrogate in a
shared view's name.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from bizmodel.buildbuy import API_PRICE_COLUMNS, BuildBuyError, read_api_prices
from bizmodel.catalog import INSTANCE_COLUMNS, CatalogError, read_catalog
from bizmodel.scenario import Scenario, base_template
from bizmodel.scenario_bounds import ScenarioError
from mlcore import csv_data
from mlcore.csv_data import parse_csv, validate_csv
from mlcore.errors import DatasetError
from present.sharelink import SharedView, ShareLinkError, decode, encode
from safetext import MAX_SHOWN_CHARS, shown
from tests.support.inert import share_link
from tests.support.refusals import check_refusal
from ui.views.share import read_scenario_file

TODAY = date(2026, 11, 29)
BASE = base_template().to_dict()
HUGE = 10**400
GOOD_CSV = "a,b,y\n" + "".join(f"{i},{2 * i},{'xz'[i % 2]}\n" for i in range(30))
CATALOG_HEADER = ",".join(c for c in INSTANCE_COLUMNS if c != "cluster_interconnect")  # optional: left out
CATALOG_ROW = "acme,eu,box-1,L4,1,8,32,0.9,,current,2026-01-31,my quote,"
PRICE_HEADER = ",".join(API_PRICE_COLUMNS)
PRICE_ROW = "acme,m1,0.5,1.5,quote,2026-01-31,"


# ---------------------------------------------------------------------- 1. integers beyond float range

OVERFLOWING: list[tuple[str, dict[str, Any], str]] = [
    ("a money field", {"cac_usd": HUGE}, "cac_usd"),
    ("a negative one", {"starting_cash_usd": -HUGE}, "starting_cash_usd"),
    ("the horizon", {"horizon_months": HUGE}, "horizon_months"),
    ("a fraction in a joint sum", {"bass_p": HUGE}, "bass_p"),
    ("the other of the pair", {"churn_at_minimum_accuracy_extra": HUGE}, "churn_at_minimum_accuracy_extra"),
    ("a head count", {"headcount_by_month": [3, HUGE]}, "headcount_by_month[month 2]"),
    ("the retraining interval", {"retrain_every_months": HUGE}, "retrain_every_months"),
    ("a funding round", {"funding_rounds": [{"month": 3, "amount_usd": HUGE}]}, "funding_rounds[1]"),
    ("a round's month", {"funding_rounds": [{"month": HUGE, "amount_usd": 1.0}]}, "funding_rounds[1]"),
    (
        "a range's high",
        {"ranges": [{"field": "cac_usd", "low": 1.0, "high": HUGE, "distribution": "triangular"}]},
        "ranges[cac_usd]",
    ),
    (
        "the accuracy link",
        {"accuracy_link": {"minimum_viable_accuracy": HUGE, "delightful_accuracy": 0.9}},
        "accuracy_link",
    ),
]


@pytest.mark.parametrize(("changes", "field"), [pytest.param(c, f, id=i) for i, c, f in OVERFLOWING])
def test_integers_beyond_float_range_are_refused_naming_the_field(
    changes: dict[str, Any], field: str
) -> None:
    document = {**BASE, **changes}
    with pytest.raises(ScenarioError) as direct:
        Scenario.from_dict(document)
    check_refusal(direct.value, names=(field, "digits"))
    with pytest.raises(ScenarioError) as imported:
        read_scenario_file(json.dumps(document).encode())
    check_refusal(imported.value, names=(field,))
    with pytest.raises(ShareLinkError) as linked:
        decode(share_link(document))
    check_refusal(linked.value, names=(field,))


# ---------------------------------------------------------------------- 2. rows wider than the header

WIDE_ROWS: list[tuple[str, str, tuple[str, ...]]] = [
    ("the first row", "a,b,y\n1,2,x,5\n" + GOOD_CSV.split("\n", 1)[1], ("line 2 ",)),
    ("a middle row", GOOD_CSV + "1,2,x,9\n" + "3,4,z\n", ("line 32 ",)),
    (
        "every row (a trailing comma)",
        GOOD_CSV.replace("\n", ",\n").replace("y,\n", "y\n", 1),
        ("lines 2, 3",),
    ),
    ("two extra fields", GOOD_CSV + "1,2,x,5,7\n", ("line 32 ", "up to 5")),
    ("a quoted line break before", 'a,b,y\n"1\n",2,x\n' + "1,2,x,5\n" * 3, ("lines 4, 5, 6 have",)),
]


@pytest.mark.parametrize(("text", "names"), [pytest.param(t, n, id=i) for i, t, n in WIDE_ROWS])
def test_rows_wider_than_the_header_are_refused_with_their_lines(text: str, names: tuple[str, ...]) -> None:
    with pytest.raises(DatasetError) as caught:
        validate_csv(text.encode(), label_column="y")
    check_refusal(caught.value, names=("more fields than the header", *names))


def test_many_wide_rows_are_counted_not_listed() -> None:
    text = "a,b,y\n" + "1,2,x,0\n" * 5000
    with pytest.raises(DatasetError) as caught:
        parse_csv(text.encode())
    check_refusal(caught.value, names=("lines 2, 3, 4, 5, 6 and 4,995 more",))


def test_short_rows_are_padded_and_reported_as_missing_values() -> None:
    with pytest.raises(DatasetError) as caught:
        validate_csv((GOOD_CSV + "1,2\n").encode(), label_column="y")
    check_refusal(caught.value, names=("'y'", "empty", "line 32"))


# ---------------------------------------------------------------------- 3. fields over the CSV field limit

LONG_FIELD = "h" * 140_000


@pytest.mark.parametrize(
    ("parse", "error"),
    [
        pytest.param(parse_csv, DatasetError, id="train csv"),
        pytest.param(lambda d: read_catalog(d, name="c.csv", today=TODAY), CatalogError, id="catalog"),
        pytest.param(lambda d: read_api_prices(d, name="p.csv", today=TODAY), BuildBuyError, id="price list"),
    ],
)
@pytest.mark.parametrize("where", ["header", "row"])
def test_a_field_over_the_csv_limit_is_a_clear_refusal(
    parse: Callable[[bytes], object], error: type[Exception], where: str
) -> None:
    if where == "header":
        data = f"{LONG_FIELD},b,y\n1,2,x\n".encode()
    else:
        data = f"a,b,y\n1,{LONG_FIELD},x\n".encode()
    try:
        parse(data)
    except error as caught:
        check_refusal(caught)
        if where == "header" or error is not DatasetError:
            assert "131,072" in str(caught) or "column" in str(caught)
    else:  # pandas reads a long cell; the validator must then refuse it as a value
        with pytest.raises(DatasetError) as refused:
            validate_csv(data * 1, label_column="y")
        check_refusal(refused.value)


# ---------------------------------------------------------------------- 4. long or hidden values in messages

LONG = "Z" * 100_000


@pytest.mark.parametrize(
    ("parse", "error"),
    [
        pytest.param(
            lambda: read_catalog(
                f"{CATALOG_HEADER}\n{CATALOG_ROW.replace('L4', LONG)}\n".encode(), name="c", today=TODAY
            ),
            CatalogError,
            id="catalog unknown accelerator",
        ),
        pytest.param(
            lambda: read_catalog(
                f"{CATALOG_HEADER}\n{CATALOG_ROW.replace('0.9', LONG)}\n".encode(), name="c", today=TODAY
            ),
            CatalogError,
            id="catalog price",
        ),
        pytest.param(
            lambda: read_catalog(
                f"{CATALOG_HEADER},{LONG}\n{CATALOG_ROW},1\n".encode(), name="c", today=TODAY
            ),
            CatalogError,
            id="catalog extra column",
        ),
        pytest.param(
            lambda: read_catalog(
                f"{CATALOG_HEADER}\n{CATALOG_ROW.replace('current', LONG)}\n".encode(), name=LONG, today=TODAY
            ),
            CatalogError,
            id="catalog status and file name",
        ),
        pytest.param(
            lambda: read_api_prices(
                f"{PRICE_HEADER}\n{PRICE_ROW.replace('0.5', LONG)}\n".encode(), name=LONG, today=TODAY
            ),
            BuildBuyError,
            id="price list price and file name",
        ),
        pytest.param(
            lambda: read_api_prices(f"{PRICE_HEADER},{LONG},{LONG}x\n".encode(), today=TODAY),
            BuildBuyError,
            id="price list extra columns",
        ),
        pytest.param(
            lambda: validate_csv(GOOD_CSV.encode(), label_column=LONG), DatasetError, id="csv label column"
        ),
        pytest.param(
            lambda: validate_csv(GOOD_CSV.replace("a,b", f"{LONG},{LONG}", 1).encode(), label_column="y"),
            DatasetError,
            id="csv duplicate names",
        ),
        pytest.param(
            lambda: validate_csv((GOOD_CSV + f"1,{LONG},x\n").encode(), label_column="y"),
            DatasetError,
            id="csv cell",
        ),
        pytest.param(lambda: Scenario.from_dict({**BASE, LONG: 1}), ScenarioError, id="scenario unknown key"),
        pytest.param(
            lambda: Scenario.from_dict({**BASE, **{f"k{i}": i for i in range(10_000)}}),
            ScenarioError,
            id="scenario 10,000 unknown keys",
        ),
        pytest.param(
            lambda: Scenario.from_dict({**BASE, "headcount_by_month": ["x"] * 50_000}),
            ScenarioError,
            id="scenario 50,000 bad months",
        ),
        pytest.param(
            lambda: Scenario.from_dict({**BASE, "cac_usd": LONG}), ScenarioError, id="scenario value"
        ),
        pytest.param(
            lambda: decode(share_link({**BASE, "headcount_by_month": ["x"] * 3000, "cac_usd": LONG[:3000]})),
            ShareLinkError,
            id="share link with many problems",
        ),
    ],
)
def test_refusals_quote_long_values_short(parse: Callable[[], object], error: type[Exception]) -> None:
    with pytest.raises(error) as caught:
        parse()
    message = check_refusal(caught.value)
    assert "Z" * (MAX_SHOWN_CHARS + 1) not in message
    if isinstance(caught.value, ScenarioError):
        assert len(caught.value.problems) <= 31
        assert all(len(p) <= 600 for p in caught.value.problems)


@pytest.mark.parametrize(
    ("text", "column"),
    [
        (CATALOG_ROW.replace("acme", "acme\x00"), "provider"),
        (CATALOG_ROW.replace("eu", "eu\u202e"), "region"),
        (CATALOG_ROW.replace("box-1", "box\t1"), "instance_type"),
        (CATALOG_ROW.replace("L4", "L4\x00"), "accelerator"),
        (CATALOG_ROW.replace("my quote", "my\x00quote"), "source"),
        (CATALOG_ROW + "a\x07bell", "notes"),
    ],
)
def test_control_characters_in_catalog_text_are_refused(text: str, column: str) -> None:
    with pytest.raises(CatalogError) as caught:
        read_catalog(f"{CATALOG_HEADER}\n{text}\n".encode(), name="c", today=TODAY)
    check_refusal(caught.value, names=(f"column '{column}'", "control"))


def test_tabs_and_line_breaks_stay_allowed_in_catalog_notes() -> None:
    catalog = read_catalog(f'{CATALOG_HEADER}\n{CATALOG_ROW}"a\tb\nc"\n'.encode(), name="c", today=TODAY)
    assert catalog.instances["notes"].tolist() == ["a\tb\nc"]


@pytest.mark.parametrize("column", ["provider", "model"])
def test_control_characters_in_price_list_keys_are_refused(column: str) -> None:
    row = PRICE_ROW.replace("acme" if column == "provider" else "m1", "x\x00y")
    with pytest.raises(BuildBuyError) as caught:
        read_api_prices(f"{PRICE_HEADER}\n{row}\n".encode(), today=TODAY)
    check_refusal(caught.value, names=(f"column '{column}'", "\\x00"))


def test_shown_quotes_short_and_escapes() -> None:
    assert shown("a\x00b") == "'a\\x00b'"
    assert shown("\ud800") == "'\\ud800'"
    assert len(shown("\U0010ffff" * 100)) <= MAX_SHOWN_CHARS + 1
    assert shown(10**5000) == "a number with about 5,001 digits"
    assert shown([10**5000, "x" * 99]).startswith("[a number with about")


# ---------------------------------------------------------------------- 5. wide headers

WIDE_HEADER = ",".join(f"c{i}" for i in range(100_000))


@pytest.mark.timeout(60)  # a hang guard: the quadratic checks took minutes
def test_a_100k_column_train_csv_is_refused_from_its_header(monkeypatch: pytest.MonkeyPatch) -> None:
    def _no_full_parse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the rows were parsed before the column limit was checked")

    monkeypatch.setattr(csv_data.pd, "read_csv", _no_full_parse)
    with pytest.raises(DatasetError) as caught:
        parse_csv((f"{WIDE_HEADER}\n" + "1," * 99_999 + "1\n").encode())
    check_refusal(caught.value, names=("100,000 columns", "2,000"))


@pytest.mark.timeout(60)
def test_a_100k_column_first_row_builds_no_index() -> None:
    with pytest.raises(DatasetError) as caught:
        parse_csv(("a,b\n" + ",".join("1" * 100_000) + "\n").encode())
    check_refusal(caught.value, names=("line 2 ", "more fields"))


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    ("parse", "error"),
    [
        pytest.param(lambda d: read_catalog(d, name="c", today=TODAY), CatalogError, id="catalog"),
        pytest.param(lambda d: read_api_prices(d, today=TODAY), BuildBuyError, id="price list"),
    ],
)
@pytest.mark.parametrize("columns", ["unknown", "duplicated"])
def test_a_100k_column_upload_is_refused_promptly(
    parse: Callable[[bytes], object], error: type[Exception], columns: str
) -> None:
    header = CATALOG_HEADER if error is CatalogError else PRICE_HEADER
    extra = WIDE_HEADER if columns == "unknown" else ",".join(["dup"] * 100_000)
    with pytest.raises(error) as caught:
        parse(f"{header},{extra}\n".encode())
    check_refusal(caught.value, names=("more" if columns == "unknown" else "'dup' appears more than once",))


# ---------------------------------------------------------------------- 6. numbers Python will not read


@pytest.mark.parametrize("digits", [4_301, 20_000])
def test_a_json_number_of_too_many_digits_is_a_clear_refusal(digits: int) -> None:
    text = json.dumps({**BASE, "cac_usd": "CAC"}).replace('"CAC"', "7" * digits)
    with pytest.raises(ScenarioError) as caught:
        read_scenario_file(text.encode())
    check_refusal(caught.value, names=(f"{digits:,} digits",))


def test_a_long_but_readable_number_names_its_field() -> None:
    text = json.dumps({**BASE, "cac_usd": "CAC"}).replace('"CAC"', "7" * 4_300)
    with pytest.raises(ScenarioError) as caught:
        read_scenario_file(text.encode())
    check_refusal(caught.value, names=("cac_usd", "4,300 digits"))


# ---------------------------------------------------------------------- smaller ones


def test_a_nul_byte_anywhere_in_a_csv_is_refused() -> None:
    data = (GOOD_CSV + "1,2,x\n" * 20_000).encode() + b"1,2\x00,x\n"
    assert b"\x00" not in data[:65536]
    with pytest.raises(DatasetError) as caught:
        validate_csv(data, label_column="y")
    check_refusal(caught.value, names=("binary",))


@pytest.mark.parametrize("name", ["a\tq", "a\x1bq", "a\u202eq", "a\x85q", "a\u2028q"])
def test_control_characters_in_column_names_are_refused(name: str) -> None:
    with pytest.raises(DatasetError) as caught:
        validate_csv(GOOD_CSV.replace("a,b", f"{name},b", 1).encode(), label_column="y")
    check_refusal(caught.value, names=("column 1", "control or invisible character", "rename"))


@pytest.mark.parametrize("name", ["\ud800", "a\udfffb"])
def test_a_lone_surrogate_in_a_shared_name_is_refused_in_words(name: str) -> None:
    with pytest.raises(ShareLinkError) as made:
        encode(SharedView(base_template(), name=name))
    check_refusal(made.value, names=("name", "surrogate"))
    with pytest.raises(ShareLinkError) as opened:
        decode(share_link(BASE, name=name))
    check_refusal(opened.value, names=("name", "surrogate"))
