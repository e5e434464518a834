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

#: Layout rules every page shares, injected once per script run by the router
#: (:func:`ui.components.widgets.house_style`). Nothing a user reads is cut with an ellipsis: a metric's label
#: and value, a widget's label, a provenance badge and a page link wrap at spaces instead (a long
#: text moves to the next line, never "7.66× com…"), and never inside a word. A row of cards
#: (:func:`ui.components.widgets.card_row`) wraps its cards to the next line when they would be narrower
#: than :data:`CARD_MIN_REM`, so a word never breaks in a narrow column ("Techno logy").
CARD_MIN_REM = 12
APP_CSS = f"""
[data-testid="stMetricLabel"] *, [data-testid="stMetricValue"], [data-testid="stMetricValue"] *,
[data-testid="stWidgetLabel"] *, [data-testid="stPageLink"] *, .stMarkdownBadge {{
  white-space: normal !important;
  overflow: visible !important;
  text-overflow: clip !important;
  overflow-wrap: normal !important;
  word-break: normal !important;
}}
[class*="st-key-cards_"] > * {{
  flex: 1 1 {CARD_MIN_REM}rem !important;
  min-width: {CARD_MIN_REM}rem !important;
}}
"""
