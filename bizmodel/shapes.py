"""Transformer shapes: what attention costs in FLOPs and what the KV cache holds per token.

A parameter count alone fixes the dense FLOPs of a transformer (``2·N`` per token forward) but not
two things that large-model estimates need: the **attention FLOPs**, which grow with the context,
and the **KV-cache bytes per token**, which decide how many sequences fit beside the weights when
serving. Both depend on the model's shape; this module holds a small bundled table of published
shapes (``bizmodel/data/model_shapes.csv``, each row with its source) and, for a model that is not
in it, a shape inferred from the parameter count.

Conventions
-----------
* **Parameters**: ``total_params`` is every weight (what memory holds); ``active_params`` is the
  weights one token passes through (what FLOPs count). They are equal for a dense model; for a
  Mixture-of-Experts model ``active < total``.
* **Attention width** = ``heads × head_dim`` (query heads). Attention FLOPs follow the PaLM paper's
  model-FLOPs convention (Chowdhery et al. 2022, appendix B): per token and layer, ``2·width·T`` for
  ``Q·Kᵀ`` and ``2·width·T`` for the weighted sum over ``T`` context tokens, so a forward pass costs
  ``4·L·width·T`` and training (forward + backward, ×3) ``12·L·width·T`` per token, ``T`` being the
  training sequence length. Causal masking is not subtracted (the convention large runs report MFU
  in). Serving counts the real average context instead (see :mod:`bizmodel.llm_serving`).
* **KV cache**: ``kv_values_per_layer`` values are stored per token and layer — ``2 × kv_heads ×
  head_dim`` for multi-head and grouped-query attention (keys and values), or the compressed latent
  plus the rotary key for multi-head latent attention (DeepSeek-V2/V3: 512 + 64). Bytes = values ×
  layers × bytes per value (2 for bf16/fp16, 1 for fp8/int8).
* **Inferred shapes** (:func:`infer_shape`) follow the proportions of the published dense models in
  the table: a layer holds about ``12·d²`` parameters (attention 4·d², MLP 8·d²) and the width is
  about 128 × the depth (Llama 2 7B: d = 4,096, L = 32; 13B: 5,120, 40; 405B: 16,384, 126), so
  ``L = (N / (12·128²))^(1/3)`` rounded, ``d = 128·L``, head dim 128, and 8 KV heads (grouped-query
  attention, as in every large open model since 2023). For a Mixture-of-Experts model the active
  parameters set the shape. An inferred shape is marked ``inferred`` and says so wherever it is used.

Counts are plain numbers (parameters, tokens, values); bytes are bytes.
"""

from __future__ import annotations

import csv
import functools
import io
import math
from dataclasses import dataclass, replace
from pathlib import Path

__all__ = [
    "ASPECT_RATIO",
    "DEFAULT_KV_HEADS",
    "DEFAULT_TRAIN_SEQUENCE",
    "INFERRED_HEAD_DIM",
    "INFERRED_KEY",
    "ModelShape",
    "ShapeError",
    "bundled_shapes",
    "infer_shape",
    "shape_for",
]

_DATA = Path(__file__).parent / "data" / "model_shapes.csv"
INFERRED_KEY = "inferred"
"""The key of a shape inferred from the parameters (:func:`infer_shape`)."""
ASPECT_RATIO = 128
"""Width ÷ depth of an inferred shape (d = 128·L, the published dense models' proportion)."""
INFERRED_HEAD_DIM = 128
DEFAULT_KV_HEADS = 8
"""KV heads of an inferred shape: grouped-query attention with 8 KV heads."""
DEFAULT_TRAIN_SEQUENCE = 4096
"""Training sequence length T assumed when none is given (Llama 2's; Llama 3 trained at 8,192)."""


class ShapeError(ValueError):
    """A shape that cannot be used (non-positive sizes, active above total, unknown key)."""


@dataclass(frozen=True)
class ModelShape:
    """The shape of one transformer, as far as FLOPs and the KV cache need it.

    Attributes
    ----------
    key : str
        Short id (``llama-2-70b``); ``inferred`` for a shape inferred from parameters.
    name : str
        Display name.
    total_params, active_params : float
        Parameters held and parameters one token uses (equal for a dense model).
    layers, heads, head_dim, kv_heads : int
        Transformer blocks, query heads, dimension per query head, key/value heads.
    kv_values_per_layer : float
        Values the KV cache stores per token and layer (see the module conventions).
    context : int
        Longest context the model supports (tokens).
    source : str
        Where the figures come from ("inferred from N parameters" for an inferred shape).
    inferred : bool
        True when the shape was inferred rather than published.

    Examples
    --------
    >>> s = shape_for("llama-2-70b")
    >>> s.layers, s.kv_bytes_per_token(2), s.is_moe
    (80, 327680.0, False)
    """

    key: str
    name: str
    total_params: float
    active_params: float
    layers: int
    heads: int
    head_dim: int
    kv_heads: int
    kv_values_per_layer: float
    context: int
    source: str
    inferred: bool = False

    def __post_init__(self) -> None:
        for name in ("total_params", "active_params", "layers", "heads", "head_dim", "kv_values_per_layer"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
                raise ShapeError(f"{name} must be a positive number, got {value!r}")
        if self.active_params > self.total_params * (1 + 1e-9):
            raise ShapeError(
                f"active parameters ({self.active_params:.3g}) cannot exceed total parameters "
                f"({self.total_params:.3g})"
            )

    @property
    def is_moe(self) -> bool:
        """True for a Mixture-of-Experts model (fewer active than total parameters)."""
        return self.active_params < self.total_params * (1 - 1e-9)

    @property
    def attention_width(self) -> int:
        """Query heads × head dimension."""
        return self.heads * self.head_dim

    def train_attention_flops_per_token(self, sequence: float) -> float:
        """Attention FLOPs per trained token (forward + backward) at sequence length ``sequence``:
        ``12·L·width·T``.

        >>> round(shape_for("llama-2-7b").train_attention_flops_per_token(4096) / 1e9, 2)
        6.44
        """
        return 12.0 * self.layers * self.attention_width * float(sequence)

    def forward_attention_flops_per_token(self, context: float) -> float:
        """Attention FLOPs of one forward token that attends to ``context`` tokens: ``4·L·width·c``."""
        return 4.0 * self.layers * self.attention_width * float(context)

    def kv_bytes_per_token(self, bytes_per_value: float) -> float:
        """KV-cache bytes one token occupies across all layers."""
        return self.layers * self.kv_values_per_layer * float(bytes_per_value)

    def with_params(self, total_params: float, active_params: float) -> ModelShape:
        """This shape with other parameter counts (a table model re-sized by the user keeps its shape)."""
        return replace(self, total_params=float(total_params), active_params=float(active_params))


def infer_shape(total_params: float, active_params: float | None = None) -> ModelShape:
    """A shape for a model known only by its parameter count (see the module conventions).

    Parameters
    ----------
    total_params : float
        Parameters held (> 0).
    active_params : float, optional
        Parameters per token; defaults to ``total_params`` (dense).

    Returns
    -------
    ModelShape
        ``key = "inferred"``, ``inferred = True``.

    Raises
    ------
    ShapeError
        On non-positive counts or active above total.

    Examples
    --------
    >>> s = infer_shape(7e9)
    >>> s.layers, s.heads * s.head_dim, s.kv_heads
    (33, 4224, 8)
    """
    active = total_params if active_params is None else active_params
    for name, value in (("total_params", total_params), ("active_params", active)):
        if not (isinstance(value, int | float) and math.isfinite(value) and value > 0):
            raise ShapeError(f"{name} must be a positive number, got {value!r}")
    layers = max(1, round((float(active) / (12.0 * ASPECT_RATIO**2)) ** (1.0 / 3.0)))
    width = ASPECT_RATIO * layers
    heads = max(1, width // INFERRED_HEAD_DIM)
    kv_heads = min(DEFAULT_KV_HEADS, heads)
    return ModelShape(
        key=INFERRED_KEY,
        name=INFERRED_KEY,
        total_params=float(total_params),
        active_params=float(active),
        layers=layers,
        heads=heads,
        head_dim=INFERRED_HEAD_DIM,
        kv_heads=kv_heads,
        kv_values_per_layer=2.0 * kv_heads * INFERRED_HEAD_DIM,
        context=DEFAULT_TRAIN_SEQUENCE,
        source="inferred from the parameter count (d = 128·L, 12·d² per layer, 8 KV heads)",
        inferred=True,
    )


def _positive(row: dict[str, str], column: str) -> float:
    value = float(row[column])
    if not (math.isfinite(value) and value > 0):
        raise ShapeError(f"model_shapes.csv, {row['key']}: {column} must be > 0")
    return value


@functools.cache
def bundled_shapes() -> tuple[ModelShape, ...]:
    """The bundled table of published shapes, in file order.

    >>> any(s.key == "deepseek-v3" and s.is_moe for s in bundled_shapes())
    True
    """
    rows = csv.DictReader(io.StringIO(_DATA.read_text(encoding="utf-8")))
    shapes = []
    for row in rows:
        shapes.append(
            ModelShape(
                key=row["key"],
                name=row["name"],
                total_params=_positive(row, "total_params"),
                active_params=_positive(row, "active_params"),
                layers=int(_positive(row, "layers")),
                heads=int(_positive(row, "heads")),
                head_dim=int(_positive(row, "head_dim")),
                kv_heads=int(float(row["kv_heads"] or 0)),
                kv_values_per_layer=_positive(row, "kv_values_per_layer"),
                context=int(_positive(row, "context")),
                source=row["source"],
            )
        )
    return tuple(shapes)


def shape_for(key: str) -> ModelShape:
    """The bundled shape with this key.

    Raises
    ------
    ShapeError
        If no bundled model has the key (the message lists the keys).
    """
    for shape in bundled_shapes():
        if shape.key == key:
            return shape
    keys = ", ".join(s.key for s in bundled_shapes())
    raise ShapeError(f"unknown model {key!r}; use one of: {keys}")
