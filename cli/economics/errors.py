"""How ``python -m bizmodel`` fails: one line on stderr, ``python -m bizmodel: error: <reason>``,
and an exit status (2 bad input, 1 the store or the installation is not usable)."""

from __future__ import annotations

from typing import NoReturn

from bizmodel.reasons import Reason
from cli._args import EXIT_USAGE, one_line_parser
from cli._args import fail as fail_as
from present.explain import words

PROG = "python -m bizmodel"
EXIT_FAILED = 1

Parser = one_line_parser(PROG)
"""The parser class of the command and its subcommands: one-line errors, exit status 2."""


def why(exc: BaseException) -> str:
    """What went wrong, in English: the error's reason in words, or its message.

    >>> from bizmodel.reasons import ReasonedError
    >>> why(ReasonedError(Reason("no_irr"))), why(ValueError("bad"))
    ('no IRR', 'bad')
    """
    found = getattr(exc, "reason", None)
    return words(found, "en") if isinstance(found, Reason) else str(exc)


def fail(reason: str, status: int = EXIT_USAGE) -> NoReturn:
    """``python -m bizmodel: error: <reason>`` on stderr, then exit ``status``."""
    fail_as(PROG, reason, status)
