"""The bundled price catalog, upload validation, versioning and staleness."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bizmodel.catalog import (
    ACCELERATOR_COLUMNS,
    INSTANCE_COLUMNS,
    Catalog,
    CatalogError,
    age_days,
    is_stale,
    load_bundled,
    read_catalog,
    stale_providers,
    to_csv_bytes,
    validate,
)

DATA = Path(__file__).resolve().parents[2] / "bizmodel" / "data"
TODAY = date(2026, 11, 29)
HEADER = ",".join(INSTANCE_COLUMNS)
GOOD = "acme,eu-1,box-1,L4,1,8,32,0.9,0.4,current,2026-01-31,quote from acme,,"
CPU_ROW = "acme,eu-1,cpu-1,,0,4,16,0.1,,current,2026-01-31,quote from acme,,CPU-only"


def _raw_rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _upload(*lines: str) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8")


def _with(**changes: str) -> str:
    """GOOD with some fields replaced."""
    fields = dict(zip(INSTANCE_COLUMNS, next(csv.reader([GOOD])), strict=True))
    fields.update(changes)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([fields[c] for c in INSTANCE_COLUMNS])
    return buffer.getvalue().removesuffix("\n")


# --- the bundled catalog ------------------------------------------------------------------------------


def test_bundled_catalog_loads_with_schema_columns_and_types() -> None:
    cat = load_bundled()
    assert tuple(cat.instances.columns) == INSTANCE_COLUMNS
    assert tuple(cat.accelerators.columns) == ACCELERATOR_COLUMNS
    assert cat.instances["on_demand_usd_per_hour"].dtype == "float64"
    assert cat.instances["count"].dtype == "float64"
    assert re.fullmatch(r"[0-9a-f]{12}", cat.version)
    assert cat.as_of <= date.today()


def test_bundled_catalog_covers_five_providers_with_gpu_and_cpu_rows() -> None:
    cat = load_bundled()
    assert set(cat.providers) >= {"aws", "gcp", "azure", "lambda", "runpod"}
    for provider in ("aws", "gcp", "azure"):
        rows = cat.instances[cat.instances["provider"] == provider]
        assert (rows["count"] > 0).any() and (rows["count"] == 0).any(), provider


def test_every_instance_accelerator_key_exists_in_the_spec_table() -> None:
    keys = {row["accelerator"] for row in _raw_rows("accelerators.csv")}
    used = {row["accelerator"] for row in _raw_rows("instances.csv")} - {""}
    assert used <= keys
    assert "CPU" in keys
    assert {"H100-SXM", "A100-40GB", "A100-80GB", "A10G", "L4"} <= used


@pytest.mark.parametrize("name", ["instances.csv", "accelerators.csv"])
def test_every_bundled_row_has_an_iso_as_of_and_a_source(name: str) -> None:
    rows = _raw_rows(name)
    assert rows
    for row in rows:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["as_of"]), row
        date.fromisoformat(row["as_of"])
        assert row["source"].strip(), row


def test_aws_p5_defaults_to_the_post_cut_price_and_keeps_the_old_one_superseded() -> None:
    rows = load_bundled().instances.query("provider == 'aws' and region == 'us-east-1'")
    p5 = rows[rows["instance_type"] == "p5.48xlarge"].set_index("status")
    assert p5.loc["current", "on_demand_usd_per_hour"] == pytest.approx(55.04)
    assert p5.loc["current", "as_of"] == "2026-08-26"
    assert "Vantage" in p5.loc["current", "source"]
    assert p5.loc["superseded", "on_demand_usd_per_hour"] == pytest.approx(98.32)
    p5en = rows[rows["instance_type"] == "p5en.48xlarge"].set_index("status")
    assert p5en.loc["current", "on_demand_usd_per_hour"] == pytest.approx(63.296)
    assert p5en.loc["superseded", "on_demand_usd_per_hour"] == pytest.approx(84.8)


def test_priced_uses_current_rows_only_unless_asked() -> None:
    cat = load_bundled()
    current = cat.priced()
    assert set(current["status"]) == {"current"}
    assert len(cat.priced(statuses=("current", "superseded", "suspect"))) == len(cat.instances)
    p5 = current[current["instance_type"] == "p5.48xlarge"]
    assert p5["on_demand_usd_per_hour"].tolist() == [55.04]
    assert p5["bf16_tflops"].tolist() == [989.0]
    cpu = current[current["count"] == 0]
    assert cpu["on_demand_usd_per_accelerator_hour"].isna().all()


@pytest.mark.parametrize(
    ("provider", "instance_type", "column", "expected"),
    [
        ("azure", "Standard_ND96isr_H100_v5", "count", 8.0),
        ("gcp", "a2-ultragpu-8g", "status", "suspect"),
        ("gcp", "a4-highgpu-8g", "status", "suspect"),
        ("aws", "g5.xlarge", "accelerator", "A10G"),
        ("aws", "p4d.24xlarge", "accelerator", "A100-40GB"),
        ("aws", "p4de.24xlarge", "accelerator", "A100-80GB"),
        ("lambda", "gpu_8x_h100_sxm5", "accelerator", "H100-SXM"),
    ],
)
def test_reference_caveats_are_carried_into_the_data(
    provider: str, instance_type: str, column: str, expected: object
) -> None:
    rows = load_bundled().instances
    values = rows.loc[
        (rows["provider"] == provider) & (rows["instance_type"] == instance_type), column
    ].unique()
    assert values.tolist() == [expected]


def test_runpod_host_memory_is_blank_and_old_aws_gpu_rows_say_they_predate_the_cut() -> None:
    rows = load_bundled().instances
    assert rows.loc[rows["provider"] == "runpod", "memory_gib"].isna().all()
    g6e = rows[rows["instance_type"] == "g6e.xlarge"].iloc[0]
    assert g6e["status"] == "current" and "predates" in g6e["notes"]


@pytest.mark.parametrize(
    ("instance", "post_cut", "pre_cut"),
    [("p4d.24xlarge", 21.957642, 32.7726), ("p4de.24xlarge", 27.44705, 40.96575)],
)
def test_aws_a100_rows_carry_the_post_cut_price(instance: str, post_cut: float, pre_cut: float) -> None:
    rows = load_bundled().instances
    p4 = rows[rows["instance_type"] == instance].set_index("status")
    assert p4.loc["current", "on_demand_usd_per_hour"] == pytest.approx(post_cut)
    assert p4.loc["current", "as_of"] == "2026-08-26" and "Vantage" in p4.loc["current", "source"]
    assert p4.loc["superseded", "on_demand_usd_per_hour"] == pytest.approx(pre_cut)
    assert p4.loc["current", "cluster_interconnect"] == "efa"


# --- uploads ------------------------------------------------------------------------------------------


def test_good_upload_reads_and_uses_the_bundled_accelerators() -> None:
    cat = read_catalog(_upload(HEADER, GOOD, CPU_ROW), name="acme.csv", today=TODAY)
    assert cat.name == "acme.csv"
    assert cat.instances["accelerator"].tolist() == ["L4", ""]
    assert cat.accelerators.equals(load_bundled().accelerators)
    assert cat.as_of == date(2026, 1, 31)


def test_spot_above_on_demand_is_allowed() -> None:
    cat = read_catalog(_upload(HEADER, _with(spot_usd_per_hour="5")), name="x", today=TODAY)
    assert cat.instances["spot_usd_per_hour"].tolist() == [5.0]


BROKEN: list[tuple[str, bytes, str]] = [
    ("empty file", b"", "is empty"),
    ("blank file", b"  \n\n", "is empty"),
    ("header only", _upload(HEADER), "no data rows"),
    ("missing column", _upload(HEADER.replace(",notes", ""), GOOD[:-1]), "missing column(s) 'notes'"),
    ("extra column", _upload(HEADER + ",colour", GOOD + ",red"), "unexpected column(s) 'colour'"),
    ("ragged row", _upload(HEADER, GOOD, GOOD + ",x"), "line 3: 15 fields but the header has 14"),
    (
        "non-numeric price",
        _upload(HEADER, GOOD, _with(on_demand_usd_per_hour="cheap", region="b")),
        "line 3, column 'on_demand_usd_per_hour': 'cheap' is not a number > 0",
    ),
    ("negative price", _upload(HEADER, _with(on_demand_usd_per_hour="-2")), "'-2' is not a number > 0"),
    (
        "missing price",
        _upload(HEADER, _with(on_demand_usd_per_hour="")),
        "column 'on_demand_usd_per_hour': empty; enter",
    ),
    ("nan price", _upload(HEADER, _with(on_demand_usd_per_hour="nan")), "'nan' is not a number > 0"),
    ("negative spot", _upload(HEADER, _with(spot_usd_per_hour="-0.5")), "column 'spot_usd_per_hour'"),
    ("fractional count", _upload(HEADER, _with(count="1.5")), "column 'count': '1.5' is not a whole number"),
    ("negative count", _upload(HEADER, _with(count="-1")), "column 'count': '-1' is not a whole number"),
    (
        "count without accelerator",
        _upload(HEADER, _with(accelerator="")),
        "column 'count': 1 with no accelerator",
    ),
    (
        "accelerator without count",
        _upload(HEADER, _with(count="0")),
        "column 'count': 0 with accelerator 'L4'",
    ),
    ("unknown accelerator", _upload(HEADER, _with(accelerator="Z100")), "unknown key 'Z100'"),
    ("bad vcpus", _upload(HEADER, _with(vcpus="eight")), "column 'vcpus'"),
    ("negative memory", _upload(HEADER, _with(memory_gib="-4")), "column 'memory_gib'"),
    ("bad status", _upload(HEADER, _with(status="old")), "column 'status': 'old' is not one of"),
    ("slashed date", _upload(HEADER, _with(as_of="2025/01/31")), "'2025/01/31' is not an ISO date"),
    ("impossible date", _upload(HEADER, _with(as_of="2025-02-30")), "'2025-02-30' is not an ISO date"),
    ("compact date", _upload(HEADER, _with(as_of="20250131")), "is not an ISO date"),
    ("missing date", _upload(HEADER, _with(as_of="")), "column 'as_of': empty"),
    ("future date", _upload(HEADER, _with(as_of="2027-01-01")), "2027-01-01 is in the future"),
    ("missing source", _upload(HEADER, _with(source="")), "column 'source': empty"),
    ("missing provider", _upload(HEADER, _with(provider="")), "column 'provider': empty"),
    (
        "duplicate row",
        _upload(HEADER, GOOD, CPU_ROW, _with(on_demand_usd_per_hour="1")),
        "line 4: duplicate of line 2",
    ),
    ("non-UTF-8", _upload(HEADER, _with(notes="caf\u00e9")).replace("é".encode(), b"\xe9"), "is not UTF-8"),
    ("huge file", _upload(HEADER, GOOD + "x" * (5 * 1024 * 1024)), "over the 5 MB limit"),
    ("too many rows", _upload(HEADER, *(_with(region=f"r{i}") for i in range(20_001))), "more than 20,000"),
]


@pytest.mark.parametrize(("case", "data", "fragment"), BROKEN, ids=[case for case, _, _ in BROKEN])
def test_broken_uploads_are_refused_with_a_reason(case: str, data: bytes, fragment: str) -> None:
    with pytest.raises(CatalogError) as refusal:
        read_catalog(data, name="upload.csv", today=TODAY)
    message = str(refusal.value)
    assert fragment in message, (case, message)
    assert "upload.csv" in message


def test_a_quoted_multi_line_note_keeps_later_line_numbers_right() -> None:
    data = _upload(HEADER, _with(notes="two\nlines"), _with(region="b", count="x"))
    with pytest.raises(CatalogError, match="line 4, column 'count'"):
        read_catalog(data, name="x", today=TODAY)


@pytest.mark.parametrize(
    ("accelerators_csv", "fragment"),
    [
        (b"", "accelerators file 'x' is empty"),
        (
            ",".join(ACCELERATOR_COLUMNS).encode() + b"\nL4,,,121,,24,300,-72,2025-01-01,spec,\n",
            "line 2, column 'tdp_watts': '-72' is not a number >= 0",
        ),
        (
            ",".join(ACCELERATOR_COLUMNS).encode()
            + b"\nL4,,,121,,24,300,72,2025-01-01,spec,\n"
            + b"L4,,,121,,24,300,72,2025-01-01,spec,\n",
            "line 3, column 'accelerator': 'L4' is already defined",
        ),
        (
            ",".join(ACCELERATOR_COLUMNS).encode() + b"\nA10,,,125,,24,600,150,2025-01-01,spec,\n",
            "unknown key 'L4'",
        ),
    ],
)
def test_broken_accelerator_uploads_are_refused(accelerators_csv: bytes, fragment: str) -> None:
    with pytest.raises(CatalogError, match=re.escape(fragment)):
        read_catalog(_upload(HEADER, GOOD), accelerators_csv, name="x", today=TODAY)


def test_edited_tables_are_validated_with_row_numbers() -> None:
    cat = load_bundled()
    edited = cat.instances.copy()
    edited.loc[2, "on_demand_usd_per_hour"] = None
    with pytest.raises(CatalogError, match=r"instances table 'mine', row 3, column 'on_demand_usd_per_hour'"):
        validate(edited, cat.accelerators, name="mine")
    specs = cat.accelerators.copy()
    specs.loc[4, "as_of"] = "yesterday"
    with pytest.raises(CatalogError, match=r"accelerators table 'mine', row 5, column 'as_of'"):
        validate(cat.instances, specs, name="mine")
    with pytest.raises(CatalogError, match=r"missing column\(s\) 'source'"):
        validate(cat.instances.drop(columns="source"), cat.accelerators, name="mine")
    with pytest.raises(CatalogError, match="has no rows"):
        validate(cat.instances.iloc[:0], cat.accelerators, name="mine")


def test_edited_tables_accept_editor_cells_and_keep_the_version() -> None:
    cat = load_bundled()
    edited = cat.instances.astype(object)
    edited.loc[0, "count"] = 8  # an int from the editor
    edited.loc[0, "notes"] = None
    again = validate(edited, cat.accelerators, name="edited")
    assert again.instances.loc[0, "count"] == 8.0
    assert again.instances.loc[0, "notes"] == ""


# --- versions and round trips -------------------------------------------------------------------------


def test_round_trip_through_csv_bytes_keeps_the_version() -> None:
    cat = load_bundled()
    instances_csv, accelerators_csv = to_csv_bytes(cat)
    again = read_catalog(instances_csv, accelerators_csv, name="copy")
    assert again.version == cat.version
    assert to_csv_bytes(again) == (instances_csv, accelerators_csv)
    pd.testing.assert_frame_equal(again.instances, cat.instances)


def test_the_version_ignores_row_order() -> None:
    cat = load_bundled()
    shuffled = Catalog(
        instances=cat.instances.sample(frac=1.0, random_state=3),
        accelerators=cat.accelerators.iloc[::-1],
        name="shuffled",
    )
    assert shuffled.version == cat.version


@settings(max_examples=40, deadline=None)
@given(
    index=st.integers(min_value=0, max_value=len(load_bundled().instances) - 1),
    price=st.floats(min_value=0.01, max_value=500.0, allow_nan=False, allow_infinity=False),
)
def test_the_version_changes_when_a_price_changes(index: int, price: float) -> None:
    cat = load_bundled()
    old = cat.instances.loc[index, "on_demand_usd_per_hour"]
    if price == old:
        price = old + 0.01
    changed = cat.instances.copy()
    changed.loc[index, "on_demand_usd_per_hour"] = price
    edited = validate(changed, cat.accelerators, name="edited")
    assert edited.version != cat.version
    assert read_catalog(*to_csv_bytes(edited), name="copy").version == edited.version


# --- staleness ----------------------------------------------------------------------------------------


def _dated(*rows: tuple[str, str, str]) -> Catalog:
    """A catalog of (provider, status, as_of) rows, each its own region."""
    lines = [_with(provider=p, status=s, as_of=d, region=f"r{i}") for i, (p, s, d) in enumerate(rows)]
    return read_catalog(_upload(HEADER, *lines), name="dated", today=TODAY)


def test_the_bundled_dates_span_the_providers_and_the_range() -> None:
    cat = load_bundled()
    assert cat.as_of == date(2026, 11, 28)
    assert cat.oldest_as_of == date(2024, 12, 31)
    assert cat.provider_dates() == {
        "aws": date(2026, 8, 26),
        "azure": date(2024, 12, 31),
        "gcp": date(2026, 11, 28),
        "lambda": date(2026, 11, 28),
        "runpod": date(2026, 11, 28),
    }
    assert stale_providers(cat, TODAY) == ("azure", "aws")
    assert is_stale(cat, TODAY)
    assert age_days(cat, TODAY) == (TODAY - date(2024, 12, 31)).days


def test_dates_come_from_current_rows_only() -> None:
    cat = _dated(
        ("acme", "current", "2025-06-01"),
        ("acme", "superseded", "2024-01-01"),
        ("acme", "suspect", "2026-02-01"),
        ("zeta", "superseded", "2023-01-01"),
        ("beta", "current", "2026-01-31"),
        ("beta", "current", "2025-03-01"),
    )
    assert cat.as_of == date(2026, 2, 1)  # newest row of any status
    assert cat.oldest_as_of == date(2025, 3, 1)
    assert cat.provider_dates() == {"acme": date(2025, 6, 1), "beta": date(2026, 1, 31)}


def test_with_no_current_row_every_row_counts() -> None:
    cat = _dated(("acme", "superseded", "2024-01-01"), ("beta", "suspect", "2025-01-01"))
    assert cat.oldest_as_of == date(2024, 1, 1)
    assert cat.provider_dates() == {"acme": date(2024, 1, 1), "beta": date(2025, 1, 1)}


@pytest.mark.parametrize(
    ("days", "stale"), [(0, False), (179, False), (180, False), (181, True), (400, True)]
)
def test_staleness_is_strictly_more_than_the_limit(days: int, stale: bool) -> None:
    cat = load_bundled()
    today = cat.oldest_as_of + timedelta(days=days)
    assert age_days(cat, today) == days
    assert is_stale(cat, today) is stale
    assert ("azure" in stale_providers(cat, today)) is stale


def test_one_old_provider_makes_a_fresh_catalog_stale() -> None:
    cat = _dated(("acme", "current", "2026-11-28"), ("old", "current", "2024-12-31"))
    assert cat.as_of == date(2026, 11, 28)
    assert stale_providers(cat, TODAY) == ("old",)
    assert is_stale(cat, TODAY)


def test_one_old_price_makes_its_provider_stale() -> None:
    # A few re-checked rows do not vouch for the provider's other prices.
    cat = _dated(("acme", "current", "2026-11-01"), ("acme", "current", "2024-01-01"))
    assert stale_providers(cat, TODAY) == ("acme",)
    assert is_stale(cat, TODAY)
    assert cat.provider_oldest_dates() == {"acme": date(2024, 1, 1)}
    assert age_days(cat, TODAY) == (TODAY - date(2024, 1, 1)).days


def test_staleness_limit_is_a_keyword_and_stale_providers_are_oldest_first() -> None:
    cat = _dated(
        ("b", "current", "2026-01-31"), ("a", "current", "2026-01-31"), ("c", "current", "2025-12-01")
    )
    assert is_stale(cat, date(2026, 3, 1), max_age_days=20)
    assert stale_providers(cat, date(2026, 3, 1), max_age_days=20) == ("c", "a", "b")
    assert stale_providers(cat, date(2026, 3, 1), max_age_days=60) == ("c",)
    assert not is_stale(cat, date(2026, 3, 1))


@settings(max_examples=60, deadline=None)
@given(
    offsets=st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=6),
    today_offset=st.integers(min_value=0, max_value=1500),
    limit=st.integers(min_value=0, max_value=400),
)
def test_is_stale_agrees_with_stale_providers_and_the_dates(
    offsets: list[int], today_offset: int, limit: int
) -> None:
    start = date(2023, 1, 1)
    cat = _dated(
        *((f"p{i % 3}", "current", (start + timedelta(days=o)).isoformat()) for i, o in enumerate(offsets))
    )
    today = start + timedelta(days=today_offset)
    stale = stale_providers(cat, today, max_age_days=limit)
    assert is_stale(cat, today, max_age_days=limit) is bool(stale)
    newest = {f"p{i}": start + timedelta(days=max(offsets[i::3])) for i in range(min(3, len(offsets)))}
    oldest = {f"p{i}": start + timedelta(days=min(offsets[i::3])) for i in range(min(3, len(offsets)))}
    dates = cat.provider_dates()
    assert dates == newest and cat.provider_oldest_dates() == oldest
    assert set(stale) == {p for p, d in oldest.items() if (today - d).days > limit}
    assert cat.oldest_as_of == start + timedelta(days=min(offsets))
    assert max(dates.values()) == cat.as_of
    assert age_days(cat, today) == (today - cat.oldest_as_of).days


# --- the cluster interconnect column -------------------------------------------------------------------


def test_cluster_interconnect_is_validated_and_optional() -> None:
    fabric = _with(cluster_interconnect="EFA", instance_type="box-2")
    cat = read_catalog(_upload(HEADER, GOOD, fabric), name="fabric", today=TODAY)
    assert cat.instances["cluster_interconnect"].tolist() == ["", "efa"]
    with pytest.raises(CatalogError, match=r"cluster_interconnect.*infiniband, efa, roce, tcpx"):
        read_catalog(_upload(HEADER, _with(cluster_interconnect="pigeon")), name="bad", today=TODAY)
    # An older file without the column is read with it empty (every instance on one node).
    legacy_header = ",".join(c for c in INSTANCE_COLUMNS if c != "cluster_interconnect")
    legacy = read_catalog(_upload(legacy_header, GOOD.removesuffix(",")), name="old", today=TODAY)
    assert legacy.instances["cluster_interconnect"].tolist() == [""]
    assert INSTANCE_COLUMNS[-2:] == ("cluster_interconnect", "notes")  # free text stays last


def test_a_catalog_without_interconnects_keeps_its_older_version() -> None:
    # The version of a catalog that names no interconnect is the hash it had before the column was
    # added, so the links of catalogs saved earlier still open them.
    legacy_header = ",".join(c for c in INSTANCE_COLUMNS if c != "cluster_interconnect")
    legacy = read_catalog(_upload(legacy_header, GOOD.removesuffix(",")), name="old", today=TODAY)
    current = read_catalog(_upload(HEADER, GOOD), name="new", today=TODAY)
    assert legacy.version == current.version
    with_fabric = read_catalog(_upload(HEADER, _with(cluster_interconnect="efa")), name="f", today=TODAY)
    assert with_fabric.version != current.version
    assert read_catalog(*to_csv_bytes(with_fabric), name="copy", today=TODAY).version == with_fabric.version


def test_bundled_clusters_are_the_training_class_instances() -> None:
    instances = load_bundled().instances
    clustered = instances[instances["cluster_interconnect"] != ""]
    assert set(clustered["provider"]) == {"aws", "gcp", "azure"}
    assert (clustered["count"] == 8).all()
    assert not clustered["accelerator"].isin(["L40S", "L4", "T4", "A10G", "H100-PCIe"]).any()
    on_demand_clouds = instances[instances["provider"].isin(["lambda", "runpod"])]
    assert (on_demand_clouds["cluster_interconnect"] == "").all()
