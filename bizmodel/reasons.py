"""Why a figure is what it is, or why there is none: a reason code with its numbers.

:mod:`bizmodel` writes no sentences (STYLE rule 6): where a model explains a figure (a detail, a
reason a KPI is undefined, a verdict) it returns a :class:`Reason`, a code and the numbers behind
it. The UI words it in the user's language and display currency (:func:`present.explain.words`,
catalog key ``model.<code>``); the command line words it in English.

Conventions
-----------
* ``code`` is a snake_case name, one per message form; the catalogs hold its text under
  ``model.<code>`` with one ``{field}`` per parameter.
* A parameter is a number, a short token (a run id, a date, a device or instance name, a
  snake_case key), a nested :class:`Reason` (a source, a verdict, an error) or a tuple of reasons
  (clauses, worded one after the other).
* A number's unit is in its parameter's name, so the UI knows how to write it:

  ==================  ==========================================================================
  name ends with      holds
  ==================  ==========================================================================
  ``_usd``            an amount in US dollars (written in the display currency)
  ``_fraction``       a fraction 0–1 (written as a percentage)
  ``_months``         a count of months
  ``_count``          a large count (parameters, samples), written like ``7B``
  ``_flop``           floating-point operations
  anything else       a plain number (an ``int`` is a count, a ``float`` a quantity) or a token
  ==================  ==========================================================================

* A reason is frozen, hashable, pickles (it goes through Streamlit's cache) and round-trips
  through JSON with :meth:`Reason.to_dict` / :meth:`Reason.from_dict`.

Examples
--------
>>> r = Reason("irr_not_unique", changes=3)
>>> r.code, r.params["changes"]
('irr_not_unique', 3)
>>> Reason.from_dict(r.to_dict()) == r
True
>>> Reason("run_any", run_id="r1", text_msg=Reason("no_irr")).to_dict()
{'code': 'run_any', 'params': {'run_id': 'r1', 'text_msg': {'code': 'no_irr', 'params': {}}}}
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeAlias

__all__ = ["Param", "Reason", "ReasonedError", "why"]

_CODE = re.compile(r"[a-z][a-z0-9_]*")

#: What a parameter may hold.
Param: TypeAlias = "int | float | str | Reason | tuple[Reason, ...]"


def _checked(name: str, value: Any) -> Param:
    """``value`` when it is a valid parameter, else TypeError (a tuple's items are reasons)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Reason | tuple):
        raise TypeError(f"Reason parameter {name!r}: not a number, token or reason: {value!r}")
    if isinstance(value, tuple) and not all(isinstance(v, Reason) for v in value):
        raise TypeError(f"Reason parameter {name!r}: a tuple must hold reasons only")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"Reason parameter {name!r}: not a finite number: {value!r}")
    return value


@dataclass(frozen=True, init=False)
class Reason:
    """A reason code and its parameters (module docstring): ``Reason(code, **params)``.

    >>> Reason("irr_not_unique", changes=3)
    Reason('irr_not_unique', changes=3)
    >>> Reason("no_irr") == Reason("no_irr"), len({Reason("no_irr"), Reason("no_irr")})
    (True, 1)
    """

    code: str
    params: Mapping[str, Param]

    def __init__(self, code: str, /, **params: Any) -> None:
        if not isinstance(code, str) or _CODE.fullmatch(code) is None:
            raise ValueError(f"a reason code is a snake_case name, got {code!r}")
        checked = {name: _checked(name, value) for name, value in params.items()}
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "params", MappingProxyType(checked))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Reason):
            return NotImplemented
        return self.code == other.code and dict(self.params) == dict(other.params)

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted(self.params.items()))))

    def __repr__(self) -> str:
        args = "".join(f", {k}={v!r}" for k, v in self.params.items())
        return f"Reason({self.code!r}{args})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.code, dict(self.params)))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: ``{"code": ..., "params": {...}}``, nested reasons as dicts too."""
        return {"code": self.code, "params": {k: _param_to_json(v) for k, v in self.params.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Reason:
        """The reason :meth:`to_dict` wrote.

        >>> Reason.from_dict({"code": "clauses", "params": {"parts": [{"code": "no_irr"}]}})
        Reason('clauses', parts=(Reason('no_irr'),))
        """
        params = {k: _param_from_json(v) for k, v in dict(data.get("params") or {}).items()}
        return cls(str(data["code"]), **params)


def _rebuild(code: str, params: dict[str, Any]) -> Reason:
    return Reason(code, **params)


def _param_to_json(value: Param) -> Any:
    if isinstance(value, Reason):
        return value.to_dict()
    if isinstance(value, tuple):
        return [v.to_dict() for v in value]
    return value


def _param_from_json(value: Any) -> Param:
    if isinstance(value, Mapping):
        return Reason.from_dict(value)
    if isinstance(value, list):
        return tuple(Reason.from_dict(v) for v in value)
    return value  # type: ignore[no-any-return]


class ReasonedError(ValueError):
    """An error that explains itself with a :class:`Reason` (``reason``) rather than a sentence.

    A module not converted yet may still pass a sentence (``reason`` is then None); the UI words
    either (:func:`present.explain.words` takes the exception).

    >>> err = ReasonedError(Reason("run_no_curve", run="r1"))
    >>> err.reason
    Reason('run_no_curve', run='r1')
    >>> ReasonedError("a sentence").reason is None
    True
    """

    def __init__(self, why: Reason | str) -> None:
        super().__init__(why)
        self.reason: Reason | None = why if isinstance(why, Reason) else None


def why(exc: BaseException) -> Reason | str:
    """What ``exc`` says went wrong: its reason, or its message when it has none.

    >>> why(ReasonedError(Reason("no_irr"))), why(ValueError("bad"))
    (Reason('no_irr'), 'bad')
    """
    found = getattr(exc, "reason", None)
    return found if isinstance(found, Reason) else str(exc)
