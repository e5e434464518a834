"""What both command lines share while reading arguments: one-line errors and finite numbers.

``python -m bizmodel`` and ``python -m mlcore`` report every mistake in one line on stderr,
``<prog>: error: <reason>``, and exit with a status (2 for bad arguments): never argparse's usage
block, never a traceback. Numbers are read by :func:`safetext.cli_numbers.parse_number`, which
refuses NaN, infinities, values beyond float range and subnormal values.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from safetext.cli_numbers import parse_number

EXIT_USAGE = 2
"""The exit status of bad arguments or bad input."""


def fail(prog: str, reason: str, status: int = EXIT_USAGE) -> NoReturn:
    """Print ``<prog>: error: <reason>`` on stderr and exit with ``status``.

    >>> import contextlib, io
    >>> err = io.StringIO()
    >>> with contextlib.redirect_stderr(err):
    ...     try:
    ...         fail("python -m demo", "no such run")
    ...     except SystemExit as exc:
    ...         print(exc.code)
    2
    >>> err.getvalue()
    'python -m demo: error: no such run\\n'
    """
    print(f"{prog}: error: {reason}", file=sys.stderr)
    raise SystemExit(status)


def one_line_parser(prog: str) -> type[argparse.ArgumentParser]:
    """An :class:`argparse.ArgumentParser` class whose errors are one line, ``<prog>: error: <reason>
    (see <subcommand's prog> --help)``, exiting 2, instead of usage followed by the error."""

    class OneLineParser(argparse.ArgumentParser):
        """argparse with one-line errors (``<prog>: error: <reason>``) instead of usage + error."""

        def error(self, message: str) -> NoReturn:
            fail(prog, f"{message} (see {self.prog} --help)")

    return OneLineParser


def finite_number(text: str) -> float:
    """An argument type: a finite, normal number (NaN, infinities, ``1e400`` and subnormals such as
    1e-320 are refused, saying why).

    >>> finite_number("7e9")
    7000000000.0
    >>> finite_number("nan")
    Traceback (most recent call last):
    argparse.ArgumentTypeError: expected a number, got 'nan' (not a number)
    """
    try:
        return parse_number(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
