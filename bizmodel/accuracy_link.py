"""How customers respond to a model's accuracy: a factor 0–1 on adoption and on churn.

Accuracies are fractions 0–1; the bounds are :data:`bizmodel.scenario_bounds.BOUNDS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from bizmodel.scenario_bounds import BOUNDS, ScenarioError, check_range, fields_of
from safetext import shown


@dataclass(frozen=True)
class AccuracyLink:
    """How customers respond to the model's accuracy: a factor 0–1 on adoption (and on churn).

    The factor is 0 at or below ``minimum_viable_accuracy`` (nobody adopts a model that bad), 1 at
    or above ``delightful_accuracy``, and rises smoothly between (smoothstep ``3x² − 2x³`` of the
    position ``x`` between the two), so it is continuous, monotone and flat at both ends.

    >>> link = AccuracyLink(minimum_viable_accuracy=0.5, delightful_accuracy=1.0)
    >>> link.factor(0.4), link.factor(0.75), link.factor(1.0)
    (0.0, 0.5, 1.0)
    >>> link.factor(np.array([0.5, 1.0])).tolist()
    [0.0, 1.0]
    """

    minimum_viable_accuracy: float = 0.80
    delightful_accuracy: float = 0.95

    def __post_init__(self) -> None:
        problems: list[str] = []
        for name in ("minimum_viable_accuracy", "delightful_accuracy"):
            check_range(problems, name, getattr(self, name), *BOUNDS[name])
        if not problems and self.delightful_accuracy <= self.minimum_viable_accuracy:
            problems.append(
                "delightful_accuracy must be above minimum_viable_accuracy "
                f"(got {shown(self.delightful_accuracy)} ≤ {shown(self.minimum_viable_accuracy)}); "
                "raise it or lower "
                "the minimum"
            )
        if problems:
            raise ScenarioError(problems)

    def factor(self, accuracy: float | np.ndarray) -> float | np.ndarray:
        """The adoption factor (0–1) at an accuracy (fraction); element-wise for an array."""
        span = self.delightful_accuracy - self.minimum_viable_accuracy
        x = np.clip((np.asarray(accuracy, dtype=np.float64) - self.minimum_viable_accuracy) / span, 0.0, 1.0)
        value = x * x * (3.0 - 2.0 * x)
        return float(value) if np.ndim(value) == 0 else value

    def to_dict(self) -> dict[str, float]:
        """A JSON-ready dict (see :meth:`from_dict`)."""
        return {
            "minimum_viable_accuracy": self.minimum_viable_accuracy,
            "delightful_accuracy": self.delightful_accuracy,
        }

    @classmethod
    def from_dict(cls, data: Any) -> AccuracyLink:
        """The link from a dict with the two accuracies; raises :class:`ScenarioError`."""
        return cls(**fields_of(cls, data, "accuracy_link"))
