"""Fixed-width text tables, as both command lines print them for people."""

from __future__ import annotations

from collections.abc import Sequence


def fixed_width_table(header: Sequence[str], rows: Sequence[Sequence[str]], *, right: set[int]) -> str:
    """``header``, a rule of dashes and ``rows``, each column as wide as its widest cell and two
    spaces apart; the columns numbered in ``right`` are right-aligned, trailing spaces dropped.

    >>> print(fixed_width_table(("name", "n"), [("a", "10"), ("bbbbb", "2")], right={1}))
    name    n
    -----  --
    a      10
    bbbbb   2
    """
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]

    def fmt(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join([fmt(header), fmt(["-" * w for w in widths]), *(fmt(r) for r in rows)])
