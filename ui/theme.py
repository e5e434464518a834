"""Colours shared by charts, badges, the chain picture and the report; the app's favicon."""

from __future__ import annotations

from pathlib import Path

#: Colours: train (solid) and validation (dashed) share a hue per run.
PALETTE = ("#2563eb", "#d97706", "#059669", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d")
#: Provenance colours, the same in the app and the report.
PROVENANCE_COLOURS = {"measured": "#059669", "catalog": "#2563eb", "assumed": "#d97706"}

#: The app's favicon, bundled (a Material icon as ``page_icon`` makes the browser fetch it from
#: an outside font host, and the app must work offline).
FAVICON = Path(__file__).parent / "assets" / "favicon.png"
