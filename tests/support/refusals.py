"""What every refusal message must look like, and the mutations the fuzz tests apply to files."""

from __future__ import annotations

import random

#: The longest refusal message allowed (one or two sentences with a few short quoted values).
MAX_MESSAGE_CHARS = 600

#: Text that only Python's own error reporting writes: a refusal must never contain it.
INTERNAL_MARKERS = (
    "Traceback",
    'File "',
    "Error:",
    "C error",
    "codec can't",
    "has no attribute",
    "unhashable",
    "int too large",
    "Exceeds the limit",
    "set_int_max_str_digits",
    "field larger than field limit",
    "object is not",
)


def check_refusal(error: BaseException, *, names: tuple[str, ...] = ()) -> str:
    """Assert ``error``'s message is a short, clean, one-line sentence naming each of ``names``."""
    message = str(error)
    assert isinstance(message, str) and message.strip(), "a refusal says something"
    assert len(message) <= MAX_MESSAGE_CHARS, f"{len(message):,} characters: {message[:200]!r}…"
    for marker in INTERNAL_MARKERS:
        assert marker not in message, f"{marker!r} (Python's own wording) in {message!r}"
    assert message.isprintable(), f"unescaped control or invisible characters in {message!r}"
    for name in names:
        assert name in message, f"{name!r} not named in {message!r}"
    return message


#: Cell values that have broken parsers before: numbers out of range, quotes, separators, NULs,
#: line breaks, invisible and right-to-left characters, lone surrogates' UTF-8 look-alikes.
NASTY_CELLS = (
    "",
    " ",
    "nan",
    "NA",
    "inf",
    "-Infinity",
    "1e39",
    "1e400",
    "9" * 400,
    "-0",
    "0x10",
    "1_000",
    '"',
    '"1,2"',
    '"a""b"',
    "a,b",
    ",,,",
    "\x00",
    "\t",
    "a\tb",
    "a\nb",
    '"a\nb"',
    "\r",
    "\u202e",
    "\u2028",
    "\ufeff",
    "é",
    "中文",
    "x" * 300,
    "2026-02-30",
    "9999-12-31",
    "current",
    "superseded",
    "H100-SXM",
)


def mutate_lines(lines: list[str], rng: random.Random, cells: list[str], steps: int) -> list[str]:
    """``lines`` of a CSV after ``steps`` random edits: a cell replaced by one of ``cells``, a line
    inserted, duplicated or deleted, fields added or removed, a raw fragment spliced in."""
    lines = list(lines)
    for _ in range(steps):
        kind = rng.choice(
            ("cell", "cell", "cell", "insert", "duplicate", "delete", "extra", "drop", "splice")
        )
        if not lines:
            lines.append(rng.choice(cells))
            continue
        i = rng.randrange(len(lines))
        fields = lines[i].split(",")
        if kind == "cell":
            fields[rng.randrange(len(fields))] = rng.choice(cells)
            lines[i] = ",".join(fields)
        elif kind == "insert":
            lines.insert(i, ",".join(rng.choice(cells) for _ in range(rng.randint(0, 6))))
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "delete":
            del lines[i]
        elif kind == "extra":
            lines[i] = ",".join([*fields, *(rng.choice(cells) for _ in range(rng.randint(1, 3)))])
        elif kind == "drop":
            lines[i] = ",".join(fields[: rng.randrange(len(fields))])
        else:
            at = rng.randint(0, len(lines[i]))
            lines[i] = lines[i][:at] + rng.choice(cells) + lines[i][at:]
    return lines
