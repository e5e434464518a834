"""Coverage-guided fuzzing (atheris) of the four doors hostile input comes through.

Targets (the same as ``tests/hostile/test_fuzz.py``, which runs in CI with hypothesis):

* ``csv``       — the Train CSV validator, :func:`mlcore.csv_data.validate_csv`;
* ``scenario``  — the scenario JSON import, :func:`ui.views.share.read_scenario_file`;
* ``sharelink`` — the share-link decoder, :func:`present.sharelink.decode` (the input bytes are the
  token's text, and also deflated into a well-formed ``v1.`` token to reach the JSON checks);
* ``catalog``   — the catalog upload, :func:`bizmodel.catalog.read_catalog`, and the API price
  list, :func:`bizmodel.buildbuy.read_api_prices`.

A target passes when every input gives a valid result or the module's own named error with a
short, printable message free of Python's wording; anything else is a crash that atheris reports
with the input that caused it.

atheris is not a project requirement (it needs a C compiler-built wheel for the Python in use)::

    pip install atheris
    python bench/fuzz_atheris.py csv -runs=20000
    python bench/fuzz_atheris.py scenario -max_total_time=60
    python bench/fuzz_atheris.py all -runs=5000     # each target in turn

Any libFuzzer option may follow the target name (``-runs``, ``-max_total_time``, ``-max_len``,
a corpus folder; by default a temporary one seeded with valid inputs). libFuzzer prints the number
of executions ("Done N runs in S second(s)") when a target ends, and the crashing input if any.
"""

from __future__ import annotations

import base64
import sys
import zlib
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

MAX_MESSAGE_CHARS = 600
INTERNAL_MARKERS = ("Traceback", 'File "', "Error:", "C error", "codec can't", "Exceeds the limit")
TODAY = date(2026, 11, 29)


def _check_message(error: BaseException) -> None:
    message = str(error)
    problem = None
    if not message.strip():
        problem = "an empty message"
    elif len(message) > MAX_MESSAGE_CHARS:
        problem = f"a {len(message):,}-character message"
    elif not message.isprintable():
        problem = "unescaped control characters"
    elif any(marker in message for marker in INTERNAL_MARKERS):
        problem = "Python's own wording"
    if problem:
        raise AssertionError(f"refusal with {problem}: {message[:300]!r}")


def _csv_target() -> Callable[[bytes], None]:
    from mlcore.csv_data import validate_csv
    from mlcore.errors import DatasetError

    def run(data: bytes) -> None:
        label = "y" if not data or data[0] % 4 else data[1:9].decode("utf-8", "replace")
        try:
            validate_csv(data, label_column=label)
        except DatasetError as error:
            _check_message(error)

    return run


def _scenario_target() -> Callable[[bytes], None]:
    from bizmodel.scenario_bounds import ScenarioError
    from ui.views.share import read_scenario_file

    def run(data: bytes) -> None:
        try:
            read_scenario_file(data)
        except ScenarioError as error:
            _check_message(error)

    return run


def _sharelink_target() -> Callable[[bytes], None]:
    from present.sharelink import ShareLinkError, decode

    def run(data: bytes) -> None:
        packed = base64.urlsafe_b64encode(zlib.compress(data)).rstrip(b"=").decode("ascii")
        for token in (data.decode("utf-8", "replace"), "v1." + packed):
            try:
                decode(token)
            except ShareLinkError as error:
                _check_message(error)

    return run


def _catalog_target() -> Callable[[bytes], None]:
    from bizmodel.buildbuy import BuildBuyError, read_api_prices
    from bizmodel.catalog import CatalogError, read_catalog

    def run(data: bytes) -> None:
        try:
            read_catalog(data, name="upload.csv", today=TODAY)
        except CatalogError as error:
            _check_message(error)
        try:
            read_api_prices(data, name="prices.csv", today=TODAY)
        except BuildBuyError as error:
            _check_message(error)

    return run


TARGETS: dict[str, Callable[[], Callable[[bytes], None]]] = {
    "csv": _csv_target,
    "scenario": _scenario_target,
    "sharelink": _sharelink_target,
    "catalog": _catalog_target,
}


def _seeds(name: str) -> list[bytes]:
    """A few valid inputs so that the fuzzer starts from the deep paths."""
    from bizmodel.catalog import load_bundled, to_csv_bytes
    from bizmodel.scenario import base_template
    from present.report_data import scenario_json
    from present.sharelink import SharedView, encode

    good_csv = b"a,b,y\n" + b"".join(b"%d,%d,%s\n" % (i, 2 * i, b"xz"[i % 2 : i % 2 + 1]) for i in range(30))
    if name == "csv":
        return [good_csv]
    if name == "scenario":
        return [scenario_json(base_template()).encode()]
    if name == "sharelink":
        return [encode(SharedView(base_template())).encode()]
    instances = to_csv_bytes(load_bundled())[0].splitlines()
    prices = (Path(__file__).resolve().parents[1] / "bizmodel" / "data" / "llm_api_prices.csv").read_bytes()
    return [b"\n".join(instances[:4]) + b"\n", b"\n".join(prices.splitlines()[:4]) + b"\n"]


def fuzz(name: str, options: list[str]) -> None:
    """Run atheris on target ``name`` with libFuzzer ``options`` (libFuzzer prints "Done N runs")."""
    import tempfile

    import atheris

    with atheris.instrument_imports():
        target = TARGETS[name]()
    corpus = Path(tempfile.mkdtemp(prefix=f"fuzz-{name}-"))
    for i, seed in enumerate(_seeds(name)):  # a valid input must pass before fuzzing starts
        target(seed)
        (corpus / f"seed-{i}").write_bytes(seed)
    if not any(o.startswith("-max_len") for o in options):
        options = [*options, "-max_len=4096"]
    if not any(not o.startswith("-") for o in options):
        options = [*options, str(corpus)]
    atheris.Setup([sys.argv[0], *options], target)
    atheris.Fuzz()


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in (*TARGETS, "all"):
        sys.exit(f"usage: python {sys.argv[0]} {{{','.join(TARGETS)},all}} [libFuzzer options]")
    name, options = sys.argv[1], sys.argv[2:]
    if name != "all":
        fuzz(name, options)
        return
    import subprocess

    for each in TARGETS:  # libFuzzer exits the process at the end of a run: one process per target
        done = subprocess.run([sys.executable, __file__, each, *options], check=False)
        if done.returncode:
            sys.exit(done.returncode)


if __name__ == "__main__":
    main()
