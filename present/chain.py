"""The article's chain (AI → large model → startup → economic advantage) as a clickable picture.

Pure: returns HTML for ``st.markdown(..., unsafe_allow_html=True)``. Every text is escaped; the
links are the app's own page paths, so the picture is the map of the app.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from present.theme import PALETTE


@dataclass(frozen=True)
class ChainNode:
    """One box: its label, a short caption, and the app path it links to (e.g. ``train``)."""

    label: str
    caption: str
    href: str


def chain_html(nodes: Sequence[ChainNode], *, title: str) -> str:
    """Boxes joined by arrows; each box is a link to the page that serves that step.

    >>> "href=\\"train\\"" in chain_html([ChainNode("AI", "learn", "train")], title="t")
    True
    >>> "&lt;b&gt;" in chain_html([ChainNode("<b>", "x", "runs")], title="t")
    True
    """
    parts = [
        f'<div class="moat-chain" role="navigation" aria-label="{html.escape(title)}" '
        'style="display:flex;align-items:stretch;gap:0.4rem;flex-wrap:wrap;margin:0.5rem 0 1rem 0">'
    ]
    for i, node in enumerate(nodes):
        colour = PALETTE[i % len(PALETTE)]
        parts.append(
            f'<a href="{html.escape(node.href, quote=True)}" target="_self" '
            f'style="flex:1 1 9rem;text-decoration:none;color:inherit;border:2px solid {colour};'
            'border-radius:0.6rem;padding:0.7rem 0.9rem;min-width:9rem">'
            f'<div style="font-weight:700;font-size:1.05rem;color:{colour}">{html.escape(node.label)}</div>'
            f'<div style="font-size:0.85rem;opacity:0.8">{html.escape(node.caption)}</div></a>'
        )
        if i < len(nodes) - 1:
            parts.append(
                '<div aria-hidden="true" style="align-self:center;font-size:1.4rem;opacity:0.6">→</div>'
            )
    parts.append("</div>")
    return "".join(parts)
