"""Issue 20, D10: every numeric argument of every command line is checked before any work.

``mlcore sweep --fractions nan,0.5`` passed validation (NaN fails every comparison), loaded
TensorFlow, then exited 1; ``bizmodel cost --params 1e308 --tokens 1e308`` said "got inf" about a
product nobody typed; ``--params 1e-320`` was accepted. Here every option that takes a number in
``python -m mlcore`` and ``python -m bizmodel`` (found from the parsers, so a new option is
covered too; ``python -m store health`` takes no number) is given NaN, infinities, a value
beyond float range and subnormal values: each is refused with exit status 2 and one line that
names the option. Large finite values (1e308) either work (exit 0, output without NaN or
infinity, no overflow inside the model) or are refused the same way — an overflowing product is
named (``6 × params × tokens``), never reported as ``inf``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bizmodel.scenario import base_template
from cli import economics as bizmodel_cli
from cli import training as mlcore_cli
from store import Store
from tests.support.economics import PROFILE, insert_run, learning_curve

ROOT = Path(__file__).resolve().parents[2]
#: Refused by every numeric option: not a number, infinities, beyond float range, subnormal.
NEVER = ("nan", "NaN", "inf", "-inf", "1e400", "-1e400", "1e-320", "-4e-324")
#: Finite but extreme: accepted or refused, never an internal error or a non-finite output.
EXTREME = ("1e308", "-1e308", "1e154")


def _takes_numbers(action: argparse.Action) -> bool:
    """Whether the option's type turns text into a number (or a list of numbers)."""
    if action.nargs == 0 or not action.option_strings or not callable(action.type):
        return False
    for probe in ("1", "0.75", "2"):
        try:
            value = action.type(probe)
        except (ValueError, TypeError, argparse.ArgumentTypeError):
            continue
        items = value if isinstance(value, tuple) else (value,)
        return bool(items) and all(isinstance(v, int | float) and not isinstance(v, bool) for v in items)
    return False


def _numeric_options(parser: argparse.ArgumentParser) -> Iterator[tuple[str, str]]:
    """(command, option) for every option of every subcommand whose value is parsed as a number."""
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for command, p in sub.choices.items():
        for action in p._actions:
            if _takes_numbers(action):
                yield command, action.option_strings[-1]


def test_the_parsers_are_searched_for_numeric_options() -> None:
    found = set(_numeric_options(bizmodel_cli.build_parser())) | set(
        _numeric_options(mlcore_cli.build_parser())
    )
    for expected in (
        ("cost", "--params"),
        ("cost", "--scaling-efficiency"),
        ("serving", "--requests-per-month"),
        ("data-value", "--buy"),
        ("report", "--rate"),
        ("train", "--lr"),
        ("train", "--hidden"),
        ("sweep", "--fractions"),
        ("bench-inference", "--min-seconds"),
    ):
        assert expected in found


# ---------------------------------------------------------------------------- bizmodel


@pytest.fixture(scope="module")
def biz_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("cli-numbers-bizmodel")
    store = Store(f"sqlite:///{home / 'moatlab.db'}")
    insert_run(store, "plain")
    insert_run(store, "measured", inference=PROFILE, learning_curve=learning_curve((125, 314, 629, 1259)))
    store.dispose()
    (home / "scenario.json").write_text(json.dumps(base_template().to_dict()))
    return home


def _bizmodel_base(command: str, home: Path) -> list[str]:
    scenario = str(home / "scenario.json")
    return {
        "cost": ["cost", "--params", "7e9", "--tokens", "1e9", "--json"],
        "serving": [
            "serving", "--run", "measured", "--requests-per-month", "5e6", "--p95-ms", "50", "--json",
        ],
        "data-value": [
            "data-value", "--run", "measured", "--label-cost-usd", "0.05",
            "--value-per-point-usd", "20000", "--json",
        ],
        "project": ["project", scenario, "--paths", "100", "--json"],
        "llm": ["llm", "--params", "7e9", "--accelerator", "H100-SXM", "--count", "1", "--json"],
        "optimal": ["optimal", "--flops", "1e23", "--json"],
        "report": ["report", scenario, "-o", str(home / "out.html"), "--paths", "100"],
    }[command]  # fmt: skip


def _with(base: list[str], option: str, value: str) -> list[str]:
    """``base`` with ``option`` set to ``value`` (replacing its value when ``base`` has one)."""
    args = [a for i, a in enumerate(base) if a != option and (i == 0 or base[i - 1] != option)]
    args.append(f"{option}={value}")  # "--x=-1e308": argparse would read "-1e308" as an option
    if option == "--rate":
        args += ["--currency", "CNY"]
    if option in ("--data-factor", "--model-factor"):
        args = ["cost", "--run", "plain", f"{option}={value}", "--json"]
    return args


def _run(
    main: Callable[[list[str]], Any], argv: list[str], capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    try:
        status = main(argv)
    except SystemExit as exc:
        status = exc.code
    out = capsys.readouterr()
    return int(status or 0), out.out, out.err


def _refused(status: int, out: str, err: str, prog: str, option: str) -> None:
    assert status == 2, (status, out[-300:], err[-600:])
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{prog}: error: "), err
    assert "Traceback" not in err and "internal error" not in err
    assert option in lines[0] or "overflows" in lines[0], lines[0]


def _accepted_or_refused(status: int, out: str, err: str, prog: str, option: str) -> None:
    if status == 0:
        assert "Traceback" not in err
        if out.lstrip().startswith("{"):
            text = json.dumps(json.loads(out))
            assert "NaN" not in text and "Infinity" not in text
        return
    _refused(status, out, err, prog, option)
    assert " inf" not in err and "got inf" not in err, err


BIZMODEL_OPTIONS = sorted(set(_numeric_options(bizmodel_cli.build_parser())))


@pytest.mark.parametrize(("command", "option"), BIZMODEL_OPTIONS)
def test_bizmodel_refuses_non_finite_and_subnormal_numbers(
    biz_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    option: str,
) -> None:
    monkeypatch.setenv("MOATLAB_HOME", str(biz_home))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    base = _bizmodel_base(command, biz_home)
    for value in NEVER:
        status, out, err = _run(bizmodel_cli.main, _with(base, option, value), capsys)
        _refused(status, out, err, bizmodel_cli.PROG, option)


@pytest.mark.filterwarnings("error::RuntimeWarning")  # an overflow inside the model is a failure too
@pytest.mark.parametrize(("command", "option"), BIZMODEL_OPTIONS)
def test_bizmodel_extreme_numbers_work_or_are_named(
    biz_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: str,
    option: str,
) -> None:
    monkeypatch.setenv("MOATLAB_HOME", str(biz_home))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    base = _bizmodel_base(command, biz_home)
    for value in EXTREME:
        status, out, err = _run(bizmodel_cli.main, _with(base, option, value), capsys)
        _accepted_or_refused(status, out, err, bizmodel_cli.PROG, option)


@pytest.mark.parametrize(
    ("argv", "product"),
    [
        (["--params", "1e308", "--tokens", "1e308"], "6 × params × tokens"),
        (["--params", "1e200", "--tokens", "1e200", "--method", "finetune-adapter"], "4 × params × tokens"),
        (["--params", "1.5e307", "--tokens", "1"], "16 bytes × params"),
        (
            ["--run", "plain", "--data-factor", "1e300", "--model-factor", "1e300"],
            "× data factor × model factor",
        ),
    ],
)
def test_an_overflowing_product_is_named(
    biz_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    product: str,
) -> None:
    monkeypatch.setenv("MOATLAB_HOME", str(biz_home))
    argv = ["cost", *argv, "--json"]
    status, _, err = _run(bizmodel_cli.main, argv, capsys)
    assert status == 2 and product in err and "overflows" in err, err
    assert "got inf" not in err


# ---------------------------------------------------------------------------- mlcore


MLCORE_OPTIONS = sorted(set(_numeric_options(mlcore_cli.build_parser())))


def _mlcore_base(command: str) -> list[str]:
    return {
        "train": ["train", "--dataset", "digits", "--epochs", "1"],
        "bench-inference": ["bench-inference", "--run", "no-such-run"],
        "sweep": ["sweep", "--run", "no-such-run"],
        "predict": ["predict", "--run", "no-such-run", "--image", "x.png"],
    }[command]


def _mlcore_value(option: str, value: str) -> str:
    """A list option gets the hostile value among good ones."""
    return {"--fractions": f"0.5,{value}", "--hidden": f"64,{value}", "--filters": f"8,{value}"}.get(
        option, f"1,{value}" if option == "--batch-sizes" else value
    )


@pytest.mark.parametrize(("command", "option"), MLCORE_OPTIONS)
def test_mlcore_refuses_non_finite_and_subnormal_numbers(
    home: Path, capsys: pytest.CaptureFixture[str], command: str, option: str
) -> None:
    """Refused while parsing the arguments: before the store, the data or TensorFlow."""
    for value in NEVER:
        argv = _with(_mlcore_base(command), option, _mlcore_value(option, value))
        status, out, err = _run(mlcore_cli.main, argv, capsys)
        _refused(status, out, err, mlcore_cli.PROG, option)


@pytest.mark.parametrize("option", [o for c, o in MLCORE_OPTIONS if c == "train"])
def test_mlcore_train_checks_extreme_numbers_before_loading_data(home: Path, option: str) -> None:
    """``prepare`` (the check before TensorFlow) refuses an extreme value or gives a sane request."""
    for value in EXTREME:
        argv = _with(_mlcore_base("train"), option, _mlcore_value(option, value))
        try:
            args = mlcore_cli.build_parser().parse_args(argv)
        except SystemExit as exc:
            assert exc.code == 2
            continue
        try:
            request, _ = mlcore_cli.prepare(args, home)
        except mlcore_cli.UsageError as exc:
            assert str(exc) and "Traceback" not in str(exc)
            continue
        assert json.dumps(request.to_dict(), allow_nan=False)


@pytest.mark.slow  # starts a process
def test_a_sweep_with_nan_exits_2_in_one_line_without_tensorflow(home: Path) -> None:
    """The issue's command, in a fresh interpreter: exit 2, one line, TensorFlow never imported."""
    code = (
        "import sys\n"
        "from cli.training import main\n"
        "try:\n"
        "    main(['sweep', '--run', 'any', '--fractions', 'nan,0.5'])\n"
        "except SystemExit as exc:\n"
        "    print(exc.code, 'tensorflow' in sys.modules, 'keras' in sys.modules)\n"
    )
    env = {**os.environ, "MOATLAB_HOME": str(home)}
    env.pop("DATABASE_URL", None)
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.stdout.split() == ["2", "False", "False"], (proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "--fractions" in lines[0] and "not a number" in lines[0], proc.stderr


def test_sweep_parameters_refuse_nan_from_any_caller() -> None:
    """The app's job parameters take the same check as the command line."""
    from mlcore.specs import SpecError
    from mlcore.tasks import parse_params

    for bad in ([float("nan"), 0.5], [0.5, float("inf")], [0.5, -0.1]):
        with pytest.raises(SpecError, match="fractions"):
            parse_params("sweep", {"fractions": bad, "seeds": 2})
